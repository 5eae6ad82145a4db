/*
 * set.c: sets in the arena, as intsets in their entry or as hash tables
 * (set.h), and the private helpers the set commands share.
 *
 * Run by workers, tools and tests, with the key's stripe lock held; takes
 * the slab locks through the keyspace's intents.
 *
 * Crash story.  An intset changes as a string does: the new array is
 * built in private memory, then one keyspace put replaces the entry (or
 * one delete removes it), so a process killed anywhere leaves the old set
 * or the new one.  A set that becomes a table is written whole by
 * dict_write_locked(), one change too; a table takes the members a
 * command adds or removes in one batch of dict.c's (dict_batch_locked()),
 * one change as well.
 */
#include <stdlib.h>
#include <string.h>

#include "hydra/bytes.h"
#include "hydra/intset.h"
#include "hydra/object.h"
#include "hydra/reply.h"
#include "hydra/set.h"

#define SET_POOL_BLOCK	4096

struct set_pool_block {
	struct set_pool_block	*spb_next;
	char			 spb_data[];
};

/* A member with its integer value, for sorting. */
struct set_member {
	const char	*sm_ptr;
	size_t		 sm_len;
	int64_t		 sm_int;
	int		 sm_isint;
};

int
set_is_ints(const struct entry *e)
{
	return (e->e_type == (OBJ_SET | OBJ_SET_INTS));
}

/* The intset array of entry e. */
static const char *
set_ints(const struct entry *e, size_t *vlen)
{
	return (entry_value(e, vlen));
}

uint64_t
set_count(struct arena *a, const struct entry *e)
{
	const char	*v;
	size_t		 vlen;

	if (!set_is_ints(e))
		return (dict_count(a, e));
	v = set_ints(e, &vlen);
	return (intset_count(v, vlen));
}

int
set_contains(struct arena *a, const struct entry *e, const char *s,
    size_t len)
{
	struct dict_pair	 p;
	const char		*v;
	size_t			 vlen;
	int64_t			 x;

	if (!set_is_ints(e))
		return (dict_find(a, e, s, len, &p));
	if (intset_parse(s, len, &x) == -1)
		return (0);
	v = set_ints(e, &vlen);
	return (intset_find(v, vlen, x, NULL));
}

void
set_iter_init(struct set_iter *it, struct arena *a, const struct entry *e)
{
	it->si_e = e;
	if (!set_is_ints(e)) {
		dict_iter_init(&it->si_dict, a, e);
		it->si_v = NULL;
		return;
	}
	it->si_v = set_ints(e, &it->si_vlen);
	it->si_i = 0;
	it->si_n = intset_count(it->si_v, it->si_vlen);
}

int
set_iter_next(struct set_iter *it, const char **s, size_t *len)
{
	struct dict_pair	 p;

	if (it->si_v == NULL) {
		if (!dict_iter_next(&it->si_dict, &p))
			return (0);
		*s = p.dp_field;
		*len = p.dp_flen;
		return (1);
	}
	if (it->si_i >= it->si_n)
		return (0);
	*len = reply_fmt_ll(it->si_buf, intset_get(it->si_v, it->si_i++));
	*s = it->si_buf;
	return (1);
}

void
set_random(struct arena *a, const struct entry *e, char buf[INTSET_DIGITS],
    const char **s, size_t *len)
{
	struct dict_pair	 p;
	const char		*v;
	size_t			 vlen, n;

	if (!set_is_ints(e)) {
		dict_random(a, e, ((uint64_t)arc4random() << 32) |
		    arc4random(), &p);
		*s = p.dp_field;
		*len = p.dp_flen;
		return;
	}
	v = set_ints(e, &vlen);
	n = intset_count(v, vlen);
	*len = reply_fmt_ll(buf, intset_get(v, arc4random_uniform(
	    (uint32_t)n)));
	*s = buf;
}

/* A table's scan callback, handing each member to the set's. */
struct set_scan_arg {
	set_visit_fn	 ssa_fn;
	void		*ssa_arg;
};

static void
set_scan_pair(const struct dict_pair *p, void *arg)
{
	struct set_scan_arg	*ssa = arg;

	ssa->ssa_fn(p->dp_field, p->dp_flen, ssa->ssa_arg);
}

uint64_t
set_scan(struct arena *a, const struct entry *e, uint64_t cursor,
    set_visit_fn fn, void *arg)
{
	struct set_scan_arg	 ssa;
	struct set_iter		 it;
	const char		*s;
	size_t			 len;

	if (!set_is_ints(e)) {
		ssa.ssa_fn = fn;
		ssa.ssa_arg = arg;
		return (dict_scan(a, e, cursor, set_scan_pair, &ssa));
	}
	set_iter_init(&it, a, e);
	while (set_iter_next(&it, &s, &len))
		fn(s, len, arg);
	return (0);
}

/* The pool. */

void
set_pool_init(struct set_pool *sp)
{
	memset(sp, 0, sizeof(*sp));
}

const char *
set_pool_copy(struct set_pool *sp, const char *s, size_t len)
{
	struct set_pool_block	*b;
	size_t			 cap;
	char			*p;

	if (sp->sp_head == NULL || sp->sp_cap - sp->sp_used < len + 1) {
		cap = len + 1 > SET_POOL_BLOCK ? len + 1 : SET_POOL_BLOCK;
		if ((b = malloc(sizeof(*b) + cap)) == NULL)
			return (NULL);
		b->spb_next = sp->sp_head;
		sp->sp_head = b;
		sp->sp_used = 0;
		sp->sp_cap = cap;
	}
	p = sp->sp_head->spb_data + sp->sp_used;
	if (len > 0)
		memcpy(p, s, len);
	sp->sp_used += len + 1;
	return (p);
}

void
set_pool_free(struct set_pool *sp)
{
	struct set_pool_block	*b, *next;

	for (b = sp->sp_head; b != NULL; b = next) {
		next = b->spb_next;
		free(b);
	}
	set_pool_init(sp);
}

/* Sorting and building. */

static int
set_cmp_int(const void *a, const void *b)
{
	const struct set_member	*x = a, *y = b;

	return (x->sm_int < y->sm_int ? -1 : x->sm_int > y->sm_int);
}

static int
set_cmp_bytes(const void *a, const void *b)
{
	const struct set_member	*x = a, *y = b;

	return (bytes_cmp(x->sm_ptr, x->sm_len, y->sm_ptr, y->sm_len));
}

/*
 * The members of v sorted (by value when every one is an integer, else
 * by bytes) and made distinct: a new array of *np members, or NULL
 * (ENOMEM).  *allints gets whether every member is an integer.
 */
static struct set_member *
set_sorted(const struct list_vec *v, size_t *np, int *allints)
{
	struct set_member	*m;
	size_t			 i, n;

	*allints = 1;
	if ((m = calloc(v->lv_n + 1, sizeof(*m))) == NULL)
		return (NULL);
	for (i = 0; i < v->lv_n; i++) {
		m[i].sm_ptr = v->lv_ptr[i];
		m[i].sm_len = v->lv_len[i];
		m[i].sm_isint = intset_parse(m[i].sm_ptr, m[i].sm_len,
		    &m[i].sm_int) == 0;
		if (!m[i].sm_isint)
			*allints = 0;
	}
	qsort(m, v->lv_n, sizeof(*m), *allints ? set_cmp_int :
	    set_cmp_bytes);
	for (i = 0, n = 0; i < v->lv_n; i++)
		if (n == 0 || (*allints ? set_cmp_int(&m[n - 1], &m[i]) :
		    set_cmp_bytes(&m[n - 1], &m[i])) != 0)
			m[n++] = m[i];
	*np = n;
	return (m);
}

/* Can a set of n members, all integers or not, be an intset? */
static int
set_fits_ints(size_t n, int allints)
{
	return (allints && n <= object_limits.ol_set_intset_entries);
}

int
set_vec_normalize(struct list_vec *v, int *ints)
{
	struct set_member	*m;
	size_t			 i, n;
	int			 allints;

	if ((m = set_sorted(v, &n, &allints)) == NULL)
		return (-1);
	for (i = 0; i < n; i++) {
		v->lv_ptr[i] = m[i].sm_ptr;
		v->lv_len[i] = m[i].sm_len;
	}
	v->lv_n = n;
	free(m);
	if (ints != NULL)
		*ints = set_fits_ints(n, allints);
	return (0);
}

/*
 * Put the intset of the n ascending integers vals, at least `width'
 * wide (wider if they need it), under key kk.
 */
static int
set_put_ints(struct keyspace *ks, struct ks_stripe *st,
    const struct ks_key *kk, const int64_t *vals, size_t n, unsigned width,
    int64_t expire_ms)
{
	char	*buf;
	size_t	 i;
	int	 rv;

	for (i = 0; i < n; i++)
		if (intset_width_of(vals[i]) > width)
			width = intset_width_of(vals[i]);
	if ((buf = malloc(intset_size(width, n))) == NULL)
		return (-1);
	intset_build(buf, width, vals, n);
	rv = keyspace_put_locked(ks, st, kk, OBJ_SET | OBJ_SET_INTS, buf,
	    intset_size(width, n), expire_ms);
	free(buf);
	return (rv);
}

/* Put the n distinct members of m as a table under key kk. */
static int
set_put_table(struct keyspace *ks, struct ks_stripe *st,
    const struct ks_key *kk, const struct set_member *m, size_t n,
    int64_t expire_ms)
{
	struct dict_pair	*p;
	size_t			 i;
	int			 rv;

	if ((p = calloc(n + 1, sizeof(*p))) == NULL)
		return (-1);
	for (i = 0; i < n; i++) {
		p[i].dp_field = m[i].sm_ptr;
		p[i].dp_flen = m[i].sm_len;
		p[i].dp_value = "";
	}
	rv = dict_write_locked(ks, st, kk, OBJ_SET | OBJ_SET_TABLE, p, n,
	    expire_ms);
	free(p);
	return (rv);
}

int
set_write_locked(struct keyspace *ks, struct ks_stripe *st,
    const struct ks_key *kk, const struct list_vec *v, int64_t expire_ms)
{
	struct set_member	*m;
	int64_t			*vals = NULL;
	size_t			 i, n;
	int			 allints, rv = -1;

	if (v->lv_n == 0) {
		(void)keyspace_delete_locked(ks, st, kk);
		return (0);
	}
	if ((m = set_sorted(v, &n, &allints)) == NULL)
		return (-1);
	if (!set_fits_ints(n, allints))
		rv = set_put_table(ks, st, kk, m, n, expire_ms);
	else if ((vals = calloc(n, sizeof(*vals))) != NULL) {
		for (i = 0; i < n; i++)
			vals[i] = m[i].sm_int;
		rv = set_put_ints(ks, st, kk, vals, n, 2, expire_ms);
	}
	free(vals);
	free(m);
	return (rv);
}

/*
 * Make the n changes ch of table e, each a member added or removed, in
 * one batch of dict.c's; *changed gets how many changed the set.
 */
static int
set_table_batch(struct keyspace *ks, struct ks_stripe *st,
    const struct ks_key *kk, const struct entry *e, struct dict_change *ch,
    size_t n, uint64_t *changed)
{
	size_t	 i;
	int	*res, rv = -1;

	if (n == 0)
		return (0);
	if ((res = reallocarray(NULL, n, sizeof(*res))) != NULL &&
	    dict_batch_locked(ks, st, kk, e, ch, n, res) != -1) {
		for (i = 0; i < n; i++)
			*changed += (uint64_t)res[i];
		rv = 0;
	}
	free(res);
	free(ch);
	return (rv);
}

/* Add the n distinct members m to table e, in one change. */
static int
set_table_add(struct keyspace *ks, struct ks_stripe *st,
    const struct ks_key *kk, const struct entry *e,
    const struct set_member *m, size_t n, uint64_t *added)
{
	struct dict_change	*ch;
	size_t			 i;

	if ((ch = calloc(n + 1, sizeof(*ch))) == NULL)
		return (-1);
	for (i = 0; i < n; i++) {
		ch[i].dc_field = m[i].sm_ptr;
		ch[i].dc_flen = m[i].sm_len;
		ch[i].dc_value = "";
	}
	return (set_table_batch(ks, st, kk, e, ch, n, added));
}

/*
 * Make intset e (NULL: none) with the k new members m a table under kk:
 * the conversion, in one change.
 */
static int
set_convert(struct keyspace *ks, struct ks_stripe *st,
    const struct ks_key *kk, const struct entry *e,
    const struct set_member *m, size_t k)
{
	struct set_member	*all;
	struct set_pool		 sp;
	const char		*v = NULL;
	char			 buf[INTSET_DIGITS];
	size_t			 vlen = 0, nold = 0, i;
	int			 rv = -1;

	if (e != NULL) {
		v = set_ints(e, &vlen);
		nold = intset_count(v, vlen);
	}
	set_pool_init(&sp);
	if ((all = calloc(nold + k, sizeof(*all))) == NULL)
		return (-1);
	for (i = 0; i < nold; i++) {
		all[i].sm_len = reply_fmt_ll(buf, intset_get(v, i));
		if ((all[i].sm_ptr = set_pool_copy(&sp, buf,
		    all[i].sm_len)) == NULL)
			goto out;
	}
	memcpy(all + nold, m, k * sizeof(*m));
	rv = set_put_table(ks, st, kk, all, nold + k, e != NULL ?
	    entry_expire(e) : KEYSPACE_NO_EXPIRE);
out:
	set_pool_free(&sp);
	free(all);
	return (rv);
}

int
set_add_locked(struct keyspace *ks, struct ks_stripe *st,
    const struct ks_key *kk, const struct entry *e,
    const struct list_vec *v, uint64_t *added)
{
	struct set_member	*m;
	const char		*old = NULL;
	int64_t			*vals, x;
	size_t			 vlen = 0, n, nold = 0, i, j, k;
	unsigned		 width = 2;
	int			 allints, rv;

	*added = 0;
	if ((m = set_sorted(v, &n, &allints)) == NULL)
		return (-1);
	if (e != NULL && !set_is_ints(e)) {
		rv = set_table_add(ks, st, kk, e, m, n, added);
		free(m);
		return (rv);
	}
	if (e != NULL) {
		old = set_ints(e, &vlen);
		nold = intset_count(old, vlen);
		width = intset_width(old);
	}
	/* Keep only the new members, in their order. */
	for (i = 0, k = 0; i < n; i++)
		if (!m[i].sm_isint || old == NULL ||
		    !intset_find(old, vlen, m[i].sm_int, NULL))
			m[k++] = m[i];
	if (k == 0) {
		free(m);
		return (0);
	}
	if (!set_fits_ints(nold + k, allints)) {
		rv = set_convert(ks, st, kk, e, m, k);
		free(m);
		if (rv == 0)
			*added = k;
		return (rv);
	}
	if ((vals = calloc(nold + k, sizeof(*vals))) == NULL) {
		free(m);
		return (-1);
	}
	/* Merge the old integers with the new ones, all ascending. */
	for (i = 0, j = 0, n = 0; i < nold || j < k;) {
		x = i < nold ? intset_get(old, i) : 0;
		if (i < nold && (j == k || x < m[j].sm_int)) {
			vals[n++] = x;
			i++;
		} else
			vals[n++] = m[j++].sm_int;
	}
	free(m);
	rv = set_put_ints(ks, st, kk, vals, n, width, e != NULL ?
	    entry_expire(e) : KEYSPACE_NO_EXPIRE);
	free(vals);
	if (rv == 0)
		*added = k;
	return (rv);
}

/* Remove v's members from table e, in one change. */
static int
set_table_remove(struct keyspace *ks, struct ks_stripe *st,
    const struct ks_key *kk, const struct entry *e,
    const struct list_vec *v, uint64_t *removed)
{
	struct dict_change	*ch;
	size_t			 i;

	if ((ch = calloc(v->lv_n + 1, sizeof(*ch))) == NULL)
		return (-1);
	for (i = 0; i < v->lv_n; i++) {
		ch[i].dc_field = v->lv_ptr[i];
		ch[i].dc_flen = v->lv_len[i];
		ch[i].dc_delete = 1;
	}
	return (set_table_batch(ks, st, kk, e, ch, v->lv_n, removed));
}

int
set_remove_locked(struct keyspace *ks, struct ks_stripe *st,
    const struct ks_key *kk, const struct entry *e,
    const struct list_vec *v, uint64_t *removed)
{
	const char	*old;
	char		*gone, *buf;
	size_t		 vlen, n, i, pos, k = 0, len;
	int64_t		 x;
	int		 rv;

	*removed = 0;
	if (!set_is_ints(e))
		return (set_table_remove(ks, st, kk, e, v, removed));
	old = set_ints(e, &vlen);
	n = intset_count(old, vlen);
	if ((gone = calloc(n, 1)) == NULL)
		return (-1);
	for (i = 0; i < v->lv_n; i++)
		if (intset_parse(v->lv_ptr[i], v->lv_len[i], &x) == 0 &&
		    intset_find(old, vlen, x, &pos) && !gone[pos]) {
			gone[pos] = 1;
			k++;
		}
	if (k == 0) {
		free(gone);
		return (0);
	}
	if (k == n) {
		free(gone);
		(void)keyspace_delete_locked(ks, st, kk);
		*removed = k;
		return (0);
	}
	if ((buf = malloc(vlen)) == NULL) {
		free(gone);
		return (-1);
	}
	/* Copy the header and the integers that stay, width kept. */
	len = INTSET_HEADER;
	memcpy(buf, old, INTSET_HEADER);
	for (i = 0; i < n; i++)
		if (!gone[i]) {
			memcpy(buf + len, old + INTSET_HEADER +
			    i * intset_width(old), intset_width(old));
			len += intset_width(old);
		}
	free(gone);
	rv = keyspace_put_locked(ks, st, kk, OBJ_SET | OBJ_SET_INTS, buf, len,
	    entry_expire(e));
	free(buf);
	if (rv == 0)
		*removed = k;
	return (rv);
}
