/*
 * zset.c: sorted sets packed in their entry (zset.h).
 *
 * Run by workers, tools and tests, with the key's stripe lock held; takes
 * the slab locks through the keyspace's puts.
 *
 * Crash story.  A packed sorted set changes as a string does: the new
 * value is built whole in private memory, then one keyspace put replaces
 * the entry in one intent.  Nothing here writes the arena otherwise.
 *
 * Every walk is linear; the encoding is small by definition (see zset.h
 * for what happens past its limits until the index exists).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hydra/bytes.h"
#include "hydra/dict.h"
#include "hydra/object.h"
#include "hydra/pack.h"
#include "hydra/zset.h"
#include "zset_internal.h"

#define ZSET_HDR	4	/* the u32 count */

static const char *
zset_bytes(const struct entry *e, const char **end)
{
	const char	*v;
	size_t		 vlen;

	v = entry_value(e, &vlen);
	*end = v + vlen;
	return (v + ZSET_HDR);
}

uint64_t
zset_card(const struct entry *e)
{
	const char	*v;
	size_t		 vlen;
	uint32_t	 n;

	if (zset_is_index(e))
		return (zset_index_dir(e, NULL)->zd_count);
	v = entry_value(e, &vlen);
	if (vlen < ZSET_HDR)
		return (0);
	memcpy(&n, v, sizeof(n));
	return (n);
}

const char *
zset_encoding(const struct entry *e)
{
	return (zset_is_index(e) ? "skiplist" : "listpack");
}

static double
zset_score_of(const char *s)
{
	double	 d;

	memcpy(&d, s, sizeof(d));
	return (d);
}

void
zset_iter_init(struct zset_iter *it, const struct entry *e, uint64_t skip,
    int reverse)
{
	struct zset_elem	 el;

	if (zset_is_index(e)) {
		zset_index_iter_init(it, e, skip, reverse);
		return;
	}
	it->zi_dir = NULL;
	it->zi_arena = NULL;
	it->zi_node = 0;
	it->zi_start = zset_bytes(e, &it->zi_end);
	it->zi_pos = reverse ? it->zi_end : it->zi_start;
	it->zi_reverse = reverse;
	while (skip-- > 0 && zset_iter_next(it, &el))
		;
}

/* Step within the packed pairs walked; 0 at their end. */
static int
zset_iter_step(struct zset_iter *it, struct zset_elem *el)
{
	const char	*p, *s;
	size_t		 len;

	if (it->zi_reverse) {
		if (it->zi_pos <= it->zi_start)
			return (0);
		if ((p = pack_prev(it->zi_start, it->zi_pos, &s, &len)) ==
		    NULL || len != sizeof(double))
			return (0);
		el->ze_score = zset_score_of(s);
		if ((p = pack_prev(it->zi_start, p, &s, &len)) == NULL)
			return (0);
		el->ze_member = s;
		el->ze_len = len;
		it->zi_pos = p;
		return (1);
	}
	if (it->zi_pos >= it->zi_end)
		return (0);
	if ((p = pack_next(it->zi_pos, it->zi_end, &s, &len)) == NULL)
		return (0);
	el->ze_member = s;
	el->ze_len = len;
	if ((p = pack_next(p, it->zi_end, &s, &len)) == NULL ||
	    len != sizeof(double))
		return (0);
	el->ze_score = zset_score_of(s);
	it->zi_pos = p;
	return (1);
}

int
zset_iter_next(struct zset_iter *it, struct zset_elem *el)
{
	do
		if (zset_iter_step(it, el))
			return (1);
	while (it->zi_dir != NULL && zset_index_iter_step(it));
	return (0);
}

/* Member bytes equal? */
static int
zset_same(const char *a, size_t alen, const char *b, size_t blen)
{
	return (alen == blen && memcmp(a, b, alen) == 0);
}

int
zset_score(const struct entry *e, const char *m, size_t len, double *score)
{
	struct zset_iter	 it;
	struct zset_elem	 el;

	if (zset_is_index(e))
		return (zset_index_score(e, m, len, score));
	zset_iter_init(&it, e, 0, 0);
	while (zset_iter_next(&it, &el))
		if (zset_same(el.ze_member, el.ze_len, m, len)) {
			*score = el.ze_score;
			return (1);
		}
	return (0);
}

int64_t
zset_rank(const struct entry *e, const char *m, size_t len, int reverse)
{
	struct zset_iter	 it;
	struct zset_elem	 el;
	int64_t			 r;

	if (zset_is_index(e)) {
		r = zset_index_rank(e, m, len);
		return (r < 0 || !reverse ? r : (int64_t)zset_card(e) - 1 - r);
	}
	zset_iter_init(&it, e, 0, reverse);
	for (r = 0; zset_iter_next(&it, &el); r++)
		if (zset_same(el.ze_member, el.ze_len, m, len))
			return (r);
	return (-1);
}

int
zset_cmp(double as, const char *am, size_t alen, double bs, const char *bm,
    size_t blen)
{
	if (as < bs)
		return (-1);
	if (as > bs)
		return (1);
	return (bytes_cmp(am, alen, bm, blen));
}

/* dict_scan()'s callback for zset_scan(): the pair as a member. */
struct zset_scan_arg {
	void	(*zs_fn)(const struct zset_elem *, void *);
	void	*zs_arg;
};

static void
zset_scan_pair(const struct dict_pair *p, void *arg)
{
	struct zset_scan_arg	*zs = arg;
	struct zset_elem	 el;

	el.ze_member = p->dp_field;
	el.ze_len = p->dp_flen;
	memcpy(&el.ze_score, p->dp_value, sizeof(el.ze_score));
	zs->zs_fn(&el, zs->zs_arg);
}

uint64_t
zset_scan(const struct entry *e, uint64_t cursor,
    void (*fn)(const struct zset_elem *, void *), void *arg)
{
	struct zset_scan_arg	 zs;
	struct zset_iter	 it;
	struct zset_elem	 el;

	if (zset_is_index(e)) {
		zs.zs_fn = fn;
		zs.zs_arg = arg;
		return (dict_scan(zset_index_arena(e), e, cursor,
		    zset_scan_pair, &zs));
	}
	zset_iter_init(&it, e, 0, 0);
	while (zset_iter_next(&it, &el))
		fn(&el, arg);
	return (0);
}

int
zset_range_empty(const struct zset_range *r)
{
	return (r->zr_min > r->zr_max ||
	    (r->zr_min == r->zr_max && (r->zr_minex || r->zr_maxex)));
}

int
zset_score_gte_min(const struct zset_range *r, double s)
{
	return (r->zr_minex ? s > r->zr_min : s >= r->zr_min);
}

int
zset_score_lte_max(const struct zset_range *r, double s)
{
	return (r->zr_maxex ? s < r->zr_max : s <= r->zr_max);
}

/* Walk from the chosen end to the first element that `ok' accepts. */
static int
zset_iter_seek(struct zset_iter *it, const struct entry *e, int reverse,
    int (*ok)(const void *, const struct zset_elem *), const void *arg)
{
	struct zset_elem	 el;
	struct zset_iter	 before;

	zset_iter_init(it, e, 0, reverse);
	if (it->zi_dir != NULL)
		zset_index_iter_seek(it, ok, arg);
	for (;;) {
		before = *it;
		if (!zset_iter_next(it, &el))
			return (0);
		if (ok(arg, &el)) {
			*it = before;
			return (1);
		}
	}
}

static int
zset_ok_min(const void *arg, const struct zset_elem *el)
{
	return (zset_score_gte_min(arg, el->ze_score));
}

static int
zset_ok_max(const void *arg, const struct zset_elem *el)
{
	return (zset_score_lte_max(arg, el->ze_score));
}

int
zset_iter_range(struct zset_iter *it, const struct entry *e,
    const struct zset_range *r, int reverse)
{
	struct zset_iter	 probe;
	struct zset_elem	 el;

	if (zset_range_empty(r) || zset_card(e) == 0)
		return (0);
	/* Redis first looks at both ends: is anything in range at all? */
	zset_iter_init(&probe, e, 0, 1);
	if (!zset_iter_next(&probe, &el) ||
	    !zset_score_gte_min(r, el.ze_score))
		return (0);
	zset_iter_init(&probe, e, 0, 0);
	if (!zset_iter_next(&probe, &el) ||
	    !zset_score_lte_max(r, el.ze_score))
		return (0);
	if (!zset_iter_seek(it, e, reverse, reverse ? zset_ok_max :
	    zset_ok_min, r))
		return (0);
	/* The first past the near end must be within the far one. */
	probe = *it;
	if (!zset_iter_next(&probe, &el))
		return (0);
	return (reverse ? zset_score_gte_min(r, el.ze_score) :
	    zset_score_lte_max(r, el.ze_score));
}

/* A bound against a member: <0, 0, >0 as the bound is below, at, above. */
static int
zset_lex_cmp(const struct zset_lexbound *b, const char *m, size_t len)
{
	if (b->zb_kind == ZSET_LEX_MIN)
		return (-1);
	if (b->zb_kind == ZSET_LEX_MAX)
		return (1);
	return (bytes_cmp(b->zb_s, b->zb_len, m, len));
}

int
zset_lex_empty(const struct zset_lex *l)
{
	const struct zset_lexbound	*a = &l->zl_min, *b = &l->zl_max;
	int				 c;

	/* The infinities are equal to themselves only. */
	if (a->zb_kind == b->zb_kind && (a->zb_kind == ZSET_LEX_MIN ||
	    a->zb_kind == ZSET_LEX_MAX))
		c = 0;
	else if (a->zb_kind == ZSET_LEX_MIN || b->zb_kind == ZSET_LEX_MAX)
		c = -1;
	else if (a->zb_kind == ZSET_LEX_MAX || b->zb_kind == ZSET_LEX_MIN)
		c = 1;
	else
		c = bytes_cmp(a->zb_s, a->zb_len, b->zb_s, b->zb_len);
	/* "-" and "+" count as exclusive, as in Redis. */
	return (c > 0 || (c == 0 && (a->zb_kind != ZSET_LEX_INCL ||
	    b->zb_kind != ZSET_LEX_INCL)));
}

int
zset_lex_gte_min(const struct zset_lex *l, const char *m, size_t len)
{
	int	 c = zset_lex_cmp(&l->zl_min, m, len);

	return (l->zl_min.zb_kind == ZSET_LEX_INCL ? c <= 0 : c < 0);
}

int
zset_lex_lte_max(const struct zset_lex *l, const char *m, size_t len)
{
	int	 c = zset_lex_cmp(&l->zl_max, m, len);

	return (l->zl_max.zb_kind == ZSET_LEX_INCL ? c >= 0 : c > 0);
}

static int
zset_ok_lex_min(const void *arg, const struct zset_elem *el)
{
	return (zset_lex_gte_min(arg, el->ze_member, el->ze_len));
}

static int
zset_ok_lex_max(const void *arg, const struct zset_elem *el)
{
	return (zset_lex_lte_max(arg, el->ze_member, el->ze_len));
}

int
zset_iter_lex(struct zset_iter *it, const struct entry *e,
    const struct zset_lex *l, int reverse)
{
	struct zset_iter	 probe;
	struct zset_elem	 el;

	if (zset_lex_empty(l) || zset_card(e) == 0)
		return (0);
	zset_iter_init(&probe, e, 0, 1);
	if (!zset_iter_next(&probe, &el) ||
	    !zset_lex_gte_min(l, el.ze_member, el.ze_len))
		return (0);
	zset_iter_init(&probe, e, 0, 0);
	if (!zset_iter_next(&probe, &el) ||
	    !zset_lex_lte_max(l, el.ze_member, el.ze_len))
		return (0);
	if (!zset_iter_seek(it, e, reverse, reverse ? zset_ok_lex_max :
	    zset_ok_lex_min, l))
		return (0);
	probe = *it;
	if (!zset_iter_next(&probe, &el))
		return (0);
	return (reverse ? zset_lex_gte_min(l, el.ze_member, el.ze_len) :
	    zset_lex_lte_max(l, el.ze_member, el.ze_len));
}

/* Vectors. */

void
zset_vec_init(struct zset_vec *v)
{
	memset(v, 0, sizeof(*v));
}

void
zset_vec_free(struct zset_vec *v)
{
	free(v->zv_el);
	free(v->zv_own);
	zset_vec_init(v);
}

static int
zset_vec_grow(struct zset_vec *v)
{
	struct zset_elem	*el;
	size_t			 cap;

	if (v->zv_n < v->zv_cap)
		return (0);
	cap = v->zv_cap == 0 ? 16 : 2 * v->zv_cap;
	if ((el = reallocarray(v->zv_el, cap, sizeof(*el))) == NULL)
		return (-1);
	v->zv_el = el;
	v->zv_cap = cap;
	return (0);
}

int
zset_vec_add(struct zset_vec *v, const char *m, size_t len, double score)
{
	if (zset_vec_grow(v) == -1)
		return (-1);
	v->zv_el[v->zv_n].ze_member = m;
	v->zv_el[v->zv_n].ze_len = len;
	v->zv_el[v->zv_n].ze_score = score;
	v->zv_n++;
	return (0);
}

int
zset_vec_load(struct zset_vec *v, const struct entry *e)
{
	struct zset_iter	 it;
	struct zset_elem	 el;

	if (e == NULL)
		return (0);
	zset_iter_init(&it, e, 0, 0);
	while (zset_iter_next(&it, &el))
		if (zset_vec_add(v, el.ze_member, el.ze_len,
		    el.ze_score) == -1)
			return (-1);
	return (0);
}

int
zset_vec_take(struct zset_vec *v, const struct entry *e, size_t n, int max)
{
	struct zset_iter	 it;
	struct zset_elem	 el;
	size_t			 i;

	zset_iter_init(&it, e, 0, max);
	for (i = 0; i < n && zset_iter_next(&it, &el); i++)
		if (zset_vec_add(v, el.ze_member, el.ze_len, el.ze_score) == -1)
			return (-1);
	return (zset_vec_own(v));
}

static int
zset_elem_cmp(const void *a, const void *b)
{
	const struct zset_elem	*x = a, *y = b;

	return (zset_cmp(x->ze_score, x->ze_member, x->ze_len, y->ze_score,
	    y->ze_member, y->ze_len));
}

static int
zset_elem_cmp_member(const void *a, const void *b)
{
	const struct zset_elem	*x = a, *y = b;

	return (bytes_cmp(x->ze_member, x->ze_len, y->ze_member,
	    y->ze_len));
}

void
zset_vec_sort(struct zset_vec *v)
{
	if (v->zv_n > 1)
		qsort(v->zv_el, v->zv_n, sizeof(*v->zv_el), zset_elem_cmp);
}

void
zset_vec_sort_members(struct zset_vec *v)
{
	if (v->zv_n > 1)
		qsort(v->zv_el, v->zv_n, sizeof(*v->zv_el),
		    zset_elem_cmp_member);
}

long
zset_vec_find(const struct zset_vec *v, const char *m, size_t len)
{
	size_t	 i;

	for (i = 0; i < v->zv_n; i++)
		if (zset_same(v->zv_el[i].ze_member, v->zv_el[i].ze_len, m,
		    len))
			return ((long)i);
	return (-1);
}

void
zset_vec_remove_range(struct zset_vec *v, size_t from, size_t to)
{
	memmove(v->zv_el + from, v->zv_el + to,
	    (v->zv_n - to) * sizeof(*v->zv_el));
	v->zv_n -= to - from;
}

void
zset_vec_remove(struct zset_vec *v, size_t i)
{
	zset_vec_remove_range(v, i, i + 1);
}

int
zset_vec_insert(struct zset_vec *v, const char *m, size_t len, double score)
{
	size_t	 lo = 0, hi = v->zv_n, mid;

	if (zset_vec_grow(v) == -1)
		return (-1);
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (zset_cmp(v->zv_el[mid].ze_score, v->zv_el[mid].ze_member,
		    v->zv_el[mid].ze_len, score, m, len) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	memmove(v->zv_el + lo + 1, v->zv_el + lo,
	    (v->zv_n - lo) * sizeof(*v->zv_el));
	v->zv_el[lo].ze_member = m;
	v->zv_el[lo].ze_len = len;
	v->zv_el[lo].ze_score = score;
	v->zv_n++;
	return (0);
}

int
zset_vec_own(struct zset_vec *v)
{
	size_t	 i, total = 0;
	char	*buf, *p;

	for (i = 0; i < v->zv_n; i++)
		total += v->zv_el[i].ze_len;
	if ((buf = malloc(total + 1)) == NULL)
		return (-1);
	for (i = 0, p = buf; i < v->zv_n; i++) {
		memcpy(p, v->zv_el[i].ze_member, v->zv_el[i].ze_len);
		v->zv_el[i].ze_member = p;
		p += v->zv_el[i].ze_len;
	}
	free(v->zv_own);
	v->zv_own = buf;
	return (0);
}

/*
 * Redis's rule: a set is packed while it is within the limits and, unless
 * it is a new value, was packed before (an index never shrinks back).
 * was_index says what key kk holds now: 1 an index, 0 not, -1 unknown
 * (looked up only when the limits leave it to decide).
 */
static int
zset_fits_packed(struct keyspace *ks, struct ks_stripe *st,
    const struct ks_key *kk, const struct zset_vec *v, int was_index)
{
	const struct entry	*old;
	size_t			 i;

	if (v->zv_n > object_limits.ol_zset_entries)
		return (0);
	if (v->zv_packed_load)
		return (1);
	for (i = 0; i < v->zv_n; i++)
		if (v->zv_el[i].ze_len > object_limits.ol_zset_value)
			return (0);
	if (v->zv_fresh)
		return (1);
	if (was_index == -1) {
		old = keyspace_peek_locked(ks, st, kk, 0);
		was_index = old != NULL && zset_is_index(old);
	}
	return (!was_index);
}

/* zset_write_locked(), told what kk holds now (zset_fits_packed()). */
static int
zset_write(struct keyspace *ks, struct ks_stripe *st,
    const struct ks_key *kk, const struct zset_vec *v, int64_t expire_ms,
    int was_index)
{
	size_t		 i, bytes = ZSET_HDR;
	uint32_t	 n;
	double		 d;
	char		*buf, *p;
	int		 rv;

	if (v->zv_n == 0) {
		keyspace_delete_locked(ks, st, kk);
		return (0);
	}
	if (!zset_fits_packed(ks, st, kk, v, was_index))
		return (zset_index_write_locked(ks, st, kk, v, expire_ms));
	if (v->zv_n > UINT32_MAX) {
		errno = ENOMEM;
		return (-1);
	}
	for (i = 0; i < v->zv_n; i++)
		bytes += pack_elem_size(v->zv_el[i].ze_len) +
		    pack_elem_size(sizeof(double));
	if (bytes > UINT32_MAX) {
		errno = ENOMEM;
		return (-1);
	}
	if ((buf = malloc(bytes)) == NULL)
		return (-1);
	n = (uint32_t)v->zv_n;
	memcpy(buf, &n, sizeof(n));
	for (i = 0, p = buf + ZSET_HDR; i < v->zv_n; i++) {
		/* Redis's packed sets keep -0 as 0. */
		d = v->zv_el[i].ze_score == 0 ? 0 : v->zv_el[i].ze_score;
		p = pack_put(p, v->zv_el[i].ze_member, v->zv_el[i].ze_len);
		p = pack_put(p, &d, sizeof(double));
	}
	rv = keyspace_put_locked(ks, st, kk, OBJ_ZSET | OBJ_ZSET_PACKED, buf,
	    bytes, expire_ms);
	free(buf);
	return (rv);
}

int
zset_write_locked(struct keyspace *ks, struct ks_stripe *st,
    const struct ks_key *kk, const struct zset_vec *v, int64_t expire_ms)
{
	return (zset_write(ks, st, kk, v, expire_ms, -1));
}

/* A packed set changed by one member, rewritten whole. */
static int
zset_change_packed(struct keyspace *ks, struct ks_stripe *st,
    const struct ks_key *kk, const struct entry *e, const char *m,
    size_t len, int put, double score)
{
	struct zset_vec	 v;
	long		 i;
	int		 rv;

	zset_vec_init(&v);
	if ((rv = zset_vec_load(&v, e)) == 0) {
		if ((i = zset_vec_find(&v, m, len)) >= 0)
			zset_vec_remove(&v, (size_t)i);
		if (put)
			rv = zset_vec_insert(&v, m, len, score);
	}
	if (rv == 0)
		rv = zset_write(ks, st, kk, &v, entry_expire(e),
		    zset_is_index(e));
	zset_vec_free(&v);
	return (rv);
}

/* One member of an index changed in place (zset_index.c). */
static int
zset_index_one(struct keyspace *ks, struct ks_stripe *st,
    const struct entry *e, const char *m, size_t len, int had, double old,
    int put, double score)
{
	struct zset_change	 c;

	c.zc_m = m;
	c.zc_len = len;
	c.zc_had = had;
	c.zc_old = old;
	c.zc_put = put;
	c.zc_score = score;
	return (zset_index_change_locked(ks, st, e, &c, 1));
}

int
zset_set_locked(struct keyspace *ks, struct ks_stripe *st,
    const struct ks_key *kk, const struct entry *e, const char *m,
    size_t len, double score)
{
	double	 old;
	int	 had;

	if (!zset_is_index(e) || len > UINT32_MAX)
		return (zset_change_packed(ks, st, kk, e, m, len, 1, score));
	had = zset_index_score(e, m, len, &old);
	/* As Redis: an equal score (0 for -0) changes nothing. */
	if (had && old == score)
		return (0);
	return (zset_index_one(ks, st, e, m, len, had, old, 1, score));
}

int
zset_delete_locked(struct keyspace *ks, struct ks_stripe *st,
    const struct ks_key *kk, const struct entry *e, const char *m,
    size_t len)
{
	double	 old;

	if (!zset_score(e, m, len, &old))
		return (0);
	if (zset_card(e) == 1) {
		(void)keyspace_delete_locked(ks, st, kk);
		return (1);
	}
	if (!zset_is_index(e))
		return (zset_change_packed(ks, st, kk, e, m, len, 0, 0) ==
		    -1 ? -1 : 1);
	return (zset_index_one(ks, st, e, m, len, 1, old, 0, 0) == -1 ?
	    -1 : 1);
}

size_t
zset_score_text(char *buf, double d)
{
	int	 n;

	if (isnan(d))
		n = snprintf(buf, ZSET_SCORE_MAX, "nan");
	else if (isinf(d))
		n = snprintf(buf, ZSET_SCORE_MAX, "%s", d < 0 ? "-inf" : "inf");
	else if (d == 0)
		n = snprintf(buf, ZSET_SCORE_MAX, "%s", signbit(d) ? "-0" :
		    "0");
	else if (d > -4503599627370495.0 && d < 4503599627370496.0 &&
	    d == (double)(long long)d)
		n = snprintf(buf, ZSET_SCORE_MAX, "%lld", (long long)d);
	else
		n = snprintf(buf, ZSET_SCORE_MAX, "%.17g", d);
	return (n < 0 ? 0 : (size_t)n);
}

const char *
zset_check_packed(const char *v, size_t vlen)
{
	const char	*p, *end = v + vlen, *s, *sc, *prev = NULL;
	uint32_t	 n, i;
	size_t		 len, sclen, prevlen = 0;
	double		 d, pd = 0;

	if (vlen < ZSET_HDR)
		return ("shorter than its count");
	memcpy(&n, v, sizeof(n));
	if (n == 0)
		return ("empty");
	if (!pack_valid(v + ZSET_HDR, vlen - ZSET_HDR, 2 * (uint64_t)n))
		return ("does not hold the pairs it counts");
	for (i = 0, p = v + ZSET_HDR; i < n; i++) {
		if ((p = pack_next(p, end, &s, &len)) == NULL)
			return ("malformed member");
		if ((p = pack_next(p, end, &sc, &sclen)) == NULL ||
		    sclen != sizeof(double))
			return ("a score is not 8 bytes");
		d = zset_score_of(sc);
		if (isnan(d))
			return ("a score is NaN");
		if (prev != NULL && zset_cmp(pd, prev, prevlen, d, s,
		    len) >= 0)
			return ("members out of order");
		prev = s;
		prevlen = len;
		pd = d;
	}
	return (NULL);
}
