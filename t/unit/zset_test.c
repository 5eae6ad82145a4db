/*
 * zset_test.c: checks sorted sets packed in their entry (zset.c) against
 * a model.
 *
 * A sorted set driven by thousands of random adds, score changes and
 * removals, written back through zset_write_locked() each time, holds
 * exactly what a model holds: in order of score then member bytes (the
 * shorter first on a shared prefix), from either end and from any rank;
 * every member's score and rank (from both ends) are the model's; the
 * walks over score and member ranges meet exactly the members a brute
 * force finds; and the checker finds the arena whole.  The packed
 * checker refuses values out of order, with a NaN, or miscounted; -0 is
 * kept as 0, as Redis keeps it; scores print as Redis's packed sets keep
 * them.  Changes of several members of a large index (batches, runs of
 * ranks removed) agree with the model every way and copy only the nodes
 * they touch; a process killed at any crash point of one leaves the set
 * wholly as before or as after, and the arena whole.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hydra/arena.h"
#include "hydra/check.h"
#include "hydra/crashpoint.h"
#include "hydra/keyspace.h"
#include "hydra/log.h"
#include "hydra/object.h"
#include "hydra/pack.h"
#include "hydra/slab.h"
#include "hydra/store.h"
#include "hydra/value.h"
#include "hydra/zset.h"
#include "tap.h"
#include "testarena.h"
#include "../../src/zset_internal.h"

#define SIZE	((size_t)256 << 20)
#define NOW	INT64_C(1700000000000)
#define MLEN	6

/* The model: members of up to MLEN bytes from a small alphabet. */
struct model_el {
	char	 me_m[MLEN];
	size_t	 me_len;
	double	 me_score;
};

static struct model_el	 model[512];
static size_t		 nmodel;

static int
model_cmp(const void *a, const void *b)
{
	const struct model_el	*x = a, *y = b;

	return (zset_cmp(x->me_score, x->me_m, x->me_len, y->me_score,
	    y->me_m, y->me_len));
}

static long
model_find(const char *m, size_t len)
{
	size_t	 i;

	for (i = 0; i < nmodel; i++)
		if (model[i].me_len == len && memcmp(model[i].me_m, m,
		    len) == 0)
			return ((long)i);
	return (-1);
}

static size_t
random_member(char *buf)
{
	size_t	 len = arc4random_uniform(MLEN + 1), i;

	/* "a", "b" and a NUL: many shared prefixes and ties. */
	for (i = 0; i < len; i++)
		buf[i] = "ab\0"[arc4random_uniform(3)];
	return (len);
}

static double
random_score(void)
{
	static const double	 special[] = { 0, -0.0, INFINITY, -INFINITY,
	    0.1, 1e300 };

	if (arc4random_uniform(8) == 0)
		return (special[arc4random_uniform(nitems(special))]);
	return ((double)arc4random_uniform(7) - 3);
}

/* One random change to both, through a vector; -1 on failure. */
static int
random_step(struct keyspace *ks, struct ks_stripe *st,
    const struct ks_key *k)
{
	const struct entry	*e = keyspace_peek_locked(ks, st, k, NOW);
	struct zset_vec		 v;
	char			 m[MLEN];
	size_t			 len;
	long			 i, mi;
	double			 score;
	int			 rv = 0, n;

	zset_vec_init(&v);
	if (e != NULL && (OBJ_TYPE(e->e_type) != OBJ_ZSET ||
	    zset_vec_load(&v, e) == -1))
		return (-1);
	for (n = 1 + arc4random_uniform(3); rv == 0 && n > 0; n--) {
		len = random_member(m);
		score = random_score();
		i = zset_vec_find(&v, m, len);
		mi = model_find(m, len);
		if ((i >= 0) != (mi >= 0))
			return (-1);
		if (i >= 0)
			zset_vec_remove(&v, (size_t)i);
		if (mi >= 0)
			model[mi] = model[--nmodel];
		if (arc4random_uniform(3) == 0 || nmodel == nitems(model))
			continue;
		memcpy(model[nmodel].me_m, m, len);
		model[nmodel].me_len = len;
		/* A packed set keeps -0 as 0 (see model_written()). */
		model[nmodel].me_score = score;
		rv = zset_vec_insert(&v, model[nmodel].me_m, len, score);
		/* The model's slots move: the vector keeps its own bytes. */
		if (rv == 0)
			rv = zset_vec_own(&v);
		nmodel++;
	}
	if (rv == 0)
		rv = zset_write_locked(ks, st, k, &v, KEYSPACE_NO_EXPIRE);
	zset_vec_free(&v);
	qsort(model, nmodel, sizeof(model[0]), model_cmp);
	return (rv);
}

/*
 * After a write: the encoding Redis would give (an index past 128
 * members, kept once taken while the set lives), and the model's -0
 * made 0 when the set is packed, as Redis's packed sets keep it.  1 when
 * the encoding is the expected one.
 */
static int	 was_index;

static int
model_written(const struct entry *e)
{
	size_t	 i;
	int	 index;

	if (e == NULL) {
		was_index = 0;
		return (nmodel == 0);
	}
	index = strcmp(zset_encoding(e), "skiplist") == 0;
	if (index != (was_index || nmodel > 128))
		return (0);
	was_index = index;
	for (i = 0; !index && i < nmodel; i++)
		if (model[i].me_score == 0)
			model[i].me_score = 0;
	return (1);
}


/*
 * One random member set or deleted through zset_set_locked() or
 * zset_delete_locked() (an index changes only the nodes it touches);
 * the model the same way.  -1 on failure.
 */
static int
random_one(struct keyspace *ks, struct ks_stripe *st, const struct ks_key *k,
    const struct entry *e)
{
	char	 m[MLEN];
	size_t	 len;
	long	 mi;
	double	 score;
	int	 rv;

	len = random_member(m);
	score = random_score();
	mi = model_find(m, len);
	if (mi >= 0 && arc4random_uniform(2) == 0) {
		if (zset_delete_locked(ks, st, k, e, m, len) != 1)
			return (-1);
		model[mi] = model[--nmodel];
	} else if (mi < 0 && nmodel == nitems(model))
		return (0);
	else {
		if ((rv = zset_set_locked(ks, st, k, e, m, len, score)) != 0)
			return (-1);
		if (mi < 0) {
			mi = (long)nmodel++;
			memcpy(model[mi].me_m, m, len);
			model[mi].me_len = len;
			model[mi].me_score = score;
		} else if (model[mi].me_score != score)
			model[mi].me_score = score;
	}
	/* Past the limits for a moment, an index for good (model_written()). */
	if (nmodel > 128)
		was_index = 1;
	else if (nmodel == 0)
		was_index = 0;
	qsort(model, nmodel, sizeof(model[0]), model_cmp);
	return (0);
}

static int
same_el(const struct zset_elem *el, const struct model_el *m)
{
	return (el->ze_len == m->me_len && memcmp(el->ze_member, m->me_m,
	    m->me_len) == 0 && el->ze_score == m->me_score &&
	    signbit(el->ze_score) == signbit(m->me_score));
}

/* Does the set hold the model, read every way? */
static int
zset_matches(const struct entry *e)
{
	struct zset_iter	 it;
	struct zset_elem	 el;
	const char		*v;
	size_t			 i, skip, vlen;
	double			 d;

	if (e == NULL)
		return (nmodel == 0);
	v = entry_value(e, &vlen);
	if (zset_card(e) != nmodel || (strcmp(zset_encoding(e),
	    "listpack") == 0 && zset_check_packed(v, vlen) != NULL))
		return (0);
	zset_iter_init(&it, e, 0, 0);
	for (i = 0; i < nmodel; i++)
		if (!zset_iter_next(&it, &el) || !same_el(&el, &model[i]))
			return (0);
	if (zset_iter_next(&it, &el))
		return (0);
	zset_iter_init(&it, e, 0, 1);
	for (i = nmodel; i-- > 0;)
		if (!zset_iter_next(&it, &el) || !same_el(&el, &model[i]))
			return (0);
	skip = arc4random_uniform((uint32_t)nmodel);
	zset_iter_init(&it, e, skip, 0);
	if (!zset_iter_next(&it, &el) || !same_el(&el, &model[skip]))
		return (0);
	zset_iter_init(&it, e, skip, 1);
	if (!zset_iter_next(&it, &el) ||
	    !same_el(&el, &model[nmodel - 1 - skip]))
		return (0);
	for (i = 0; i < nmodel; i++) {
		if (!zset_score(e, model[i].me_m, model[i].me_len, &d) ||
		    d != model[i].me_score)
			return (0);
		if (zset_rank(e, model[i].me_m, model[i].me_len, 0) !=
		    (int64_t)i || zset_rank(e, model[i].me_m,
		    model[i].me_len, 1) != (int64_t)(nmodel - 1 - i))
			return (0);
	}
	return (zset_rank(e, "zzz", 3, 0) == -1 && !zset_score(e, "zzz", 3,
	    &d));
}

/* Do the walks over a random score range meet what brute force finds? */
static int
range_matches(const struct entry *e)
{
	struct zset_range	 r;
	struct zset_iter	 it;
	struct zset_elem	 el;
	size_t			 i, want = 0, got = 0, first = SIZE_MAX;
	int			 reverse;

	r.zr_min = random_score();
	r.zr_max = random_score();
	r.zr_minex = arc4random_uniform(2);
	r.zr_maxex = arc4random_uniform(2);
	for (i = 0; i < nmodel; i++)
		if (zset_score_gte_min(&r, model[i].me_score) &&
		    zset_score_lte_max(&r, model[i].me_score)) {
			if (first == SIZE_MAX)
				first = i;
			want++;
		}
	for (reverse = 0; reverse < 2; reverse++) {
		got = 0;
		if (zset_iter_range(&it, e, &r, reverse))
			while (zset_iter_next(&it, &el) && (reverse ?
			    zset_score_gte_min(&r, el.ze_score) :
			    zset_score_lte_max(&r, el.ze_score))) {
				if (!same_el(&el, &model[reverse ?
				    first + want - 1 - got : first + got]))
					return (0);
				got++;
			}
		if (got != want)
			return (0);
	}
	return (1);
}

/*
 * The same for a member range, on the members of score 0 only when all
 * scores are 0 (a lex range means something only then).
 */
static int
lex_matches(const struct entry *e)
{
	struct zset_lex		 l;
	struct zset_iter	 it;
	struct zset_elem	 el;
	char			 a[MLEN], b[MLEN];
	size_t			 i, want = 0, got = 0, first = SIZE_MAX;

	for (i = 0; i < nmodel; i++)
		if (model[i].me_score != 0)
			return (1);
	l.zl_min.zb_kind = arc4random_uniform(4);
	l.zl_max.zb_kind = arc4random_uniform(4);
	l.zl_min.zb_s = a;
	l.zl_min.zb_len = random_member(a);
	l.zl_max.zb_s = b;
	l.zl_max.zb_len = random_member(b);
	for (i = 0; i < nmodel; i++)
		if (!zset_lex_empty(&l) && zset_lex_gte_min(&l, model[i].me_m,
		    model[i].me_len) && zset_lex_lte_max(&l, model[i].me_m,
		    model[i].me_len)) {
			if (first == SIZE_MAX)
				first = i;
			want++;
		}
	if (zset_iter_lex(&it, e, &l, 0))
		while (zset_iter_next(&it, &el) && zset_lex_lte_max(&l,
		    el.ze_member, el.ze_len)) {
			if (!same_el(&el, &model[first + got]))
				return (0);
			got++;
		}
	return (got == want);
}

static void
test_model(struct arena *a, struct keyspace *ks, int steps, int zeros)
{
	struct ks_key		 k;
	struct ks_stripe	*st;
	const struct entry	*e;
	int			 i, good = 1, clean = 1, ranges = 1;
	size_t			 most = 0;

	nmodel = 0;
	was_index = 0;
	keyspace_key(ks, &k, "model", 5);
	for (i = 0; i < steps && good && clean && ranges; i++) {
		st = keyspace_lock(ks, 0, &k);
		e = keyspace_peek_locked(ks, st, &k, NOW);
		if (e != NULL && !zeros && arc4random_uniform(2) == 0) {
			for (int n = 0; good && n < 4 && (e = keyspace_peek_locked(
			    ks, st, &k, NOW)) != NULL; n++)
				good &= random_one(ks, st, &k, e) == 0;
		} else
			good &= random_step(ks, st, &k) == 0;
		if (zeros)
			for (size_t j = 0; j < nmodel; j++)
				model[j].me_score = 0;
		if (zeros && good) {
			/* Rewrite the set with every score 0. */
			struct zset_vec	 v;

			zset_vec_init(&v);
			qsort(model, nmodel, sizeof(model[0]), model_cmp);
			for (size_t j = 0; j < nmodel; j++)
				good &= zset_vec_add(&v, model[j].me_m,
				    model[j].me_len, 0) == 0;
			zset_vec_sort(&v);
			good &= zset_write_locked(ks, st, &k, &v,
			    KEYSPACE_NO_EXPIRE) == 0;
			zset_vec_free(&v);
		}
		e = keyspace_peek_locked(ks, st, &k, NOW);
		good &= model_written(e);
		good &= zset_matches(e);
		if (e != NULL)
			ranges &= range_matches(e) && lex_matches(e);
		most = nmodel > most ? nmodel : most;
		keyspace_unlock(ks, st);
		if (i % 20 == 0)
			clean &= check_arena(a, 0, stderr, NULL) == 0;
	}
	ok(good, "%d random changes%s leave the set equal to the model, read "
	    "from both ends, by rank, score and member", i,
	    zeros ? " (all scores 0)" : "");
	ok(ranges, "score and member ranges walk exactly what brute force "
	    "finds, both ways");
	ok(clean && most > 20, "the checker finds the arena whole every 20 "
	    "steps (the set reached %zu members)", most);
	(void)keyspace_delete(ks, 0, "model", 5);
	ok(check_arena(a, 0, stderr, NULL) == 0, "its delete leaves nothing "
	    "behind");
}

/* Build a packed value in buf from n (member, score) pairs. */
static size_t
build(char *buf, uint32_t count, const char *const *m, const double *s,
    size_t n)
{
	char	*p = buf + 4;
	size_t	 i;

	memcpy(buf, &count, 4);
	for (i = 0; i < n; i++) {
		p = pack_put(p, m[i], strlen(m[i]));
		p = pack_put(p, &s[i], sizeof(double));
	}
	return ((size_t)(p - buf));
}

static void
test_checker(void)
{
	static const char *const	 m[] = { "a", "ab", "b" };
	const double			 good[] = { 1, 1, 2 };
	const double			 bad[] = { 1, 2, 1 };
	double				 nan[3] = { 1, 1, 2 };
	char				 buf[256];
	size_t				 len;

	len = build(buf, 3, m, good, 3);
	ok(zset_check_packed(buf, len) == NULL, "a sound packed set passes "
	    "(\"a\" before \"ab\" on equal scores)");
	len = build(buf, 3, m, bad, 3);
	ok(zset_check_packed(buf, len) != NULL, "one out of order fails");
	nan[1] = NAN;
	len = build(buf, 3, m, nan, 3);
	ok(zset_check_packed(buf, len) != NULL, "a NaN score fails");
	len = build(buf, 4, m, good, 3);
	ok(zset_check_packed(buf, len) != NULL, "a wrong count fails");
	len = build(buf, 0, m, good, 0);
	ok(zset_check_packed(buf, len) != NULL, "an empty set fails");
	ok(zset_check_packed(buf, 2) != NULL, "a value shorter than its "
	    "count fails");
}

static void
test_text(void)
{
	static const struct {
		double		 d;
		const char	*s;
	} cases[] = {
		{ 0, "0" }, { -0.0, "-0" }, { 3, "3" }, { -2.5, "-2.5" },
		{ 0.1, "0.10000000000000001" }, { 1e20, "1e+20" },
		{ 1e15, "1000000000000000" }, { INFINITY, "inf" },
		{ -INFINITY, "-inf" }, { 4503599627370495.0,
		"4503599627370495" }, { 4503599627370496.0,
		"4503599627370496" }, { -4503599627370495.0,
		"-4503599627370495" },
	};
	char	 buf[ZSET_SCORE_MAX];
	size_t	 i, n;
	int	 good = 1;

	for (i = 0; i < nitems(cases); i++) {
		n = zset_score_text(buf, cases[i].d);
		if (n != strlen(cases[i].s) || memcmp(buf, cases[i].s,
		    n) != 0) {
			diag("%.17g: \"%.*s\", not \"%s\"", cases[i].d, (int)n,
			    buf, cases[i].s);
			good = 0;
		}
	}
	ok(good, "scores print as Redis's packed sets keep them");
}

/*
 * A big set: members "m" and 7 digits (so that byte order is number
 * order), integer scores with many ties, changed one member at a time
 * (zset_set_locked(), zset_delete_locked()) against a sorted model.
 */
struct big_el {
	uint32_t	 be_id;
	double		 be_score;
};

static struct big_el	*big;
static size_t		 nbig;

static int
big_cmp(const void *x, const void *y)
{
	const struct big_el	*a = x, *b = y;

	if (a->be_score != b->be_score)
		return (a->be_score < b->be_score ? -1 : 1);
	return (a->be_id < b->be_id ? -1 : a->be_id > b->be_id);
}

static size_t
big_name(uint32_t id, char *buf)
{
	return ((size_t)snprintf(buf, 16, "m%07u", id));
}

static int
big_same(const struct zset_elem *el, const struct big_el *b)
{
	char	 buf[16];
	size_t	 len = big_name(b->be_id, buf);

	return (el->ze_len == len && memcmp(el->ze_member, buf, len) == 0 &&
	    el->ze_score == b->be_score);
}

/* The model's place of (score, id): found or where it would go. */
static size_t
big_find(double score, uint32_t id)
{
	struct big_el	 k = { id, score };
	size_t		 lo = 0, hi = nbig, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (big_cmp(&big[mid], &k) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (lo);
}

/* Every way of reading the set agrees with the model, at random spots. */
static int
big_matches(const struct entry *e, unsigned probes)
{
	struct zset_iter	 it;
	struct zset_elem	 el;
	struct zset_range	 r;
	struct zset_lex		 l;
	char			 buf[16], lo[16], hi[16];
	size_t			 i, at, len, want;
	unsigned		 p;
	double			 d;
	int			 rev;

	if (zset_card(e) != nbig || strcmp(zset_encoding(e), "skiplist") != 0)
		return (0);
	zset_iter_init(&it, e, 0, 0);
	for (i = 0; i < nbig; i++)
		if (!zset_iter_next(&it, &el) || !big_same(&el, &big[i]))
			return (0);
	if (zset_iter_next(&it, &el))
		return (0);
	zset_iter_init(&it, e, 0, 1);
	for (i = nbig; i-- > 0;)
		if (!zset_iter_next(&it, &el) || !big_same(&el, &big[i]))
			return (0);
	for (p = 0; p < probes; p++) {
		at = arc4random_uniform((uint32_t)nbig);
		len = big_name(big[at].be_id, buf);
		if (!zset_score(e, buf, len, &d) || d != big[at].be_score ||
		    zset_rank(e, buf, len, 0) != (int64_t)at ||
		    zset_rank(e, buf, len, 1) != (int64_t)(nbig - 1 - at))
			return (0);
		for (rev = 0; rev < 2; rev++) {
			zset_iter_init(&it, e, at, rev);
			if (!zset_iter_next(&it, &el) || !big_same(&el,
			    &big[rev ? nbig - 1 - at : at]))
				return (0);
		}
		/* A score range [s, s + 2) both ways: its first and count. */
		r.zr_min = big[at].be_score;
		r.zr_max = r.zr_min + 2;
		r.zr_minex = 0;
		r.zr_maxex = 1;
		want = big_find(r.zr_max, 0) - big_find(r.zr_min, 0);
		for (rev = 0; rev < 2; rev++) {
			i = 0;
			if (zset_iter_range(&it, e, &r, rev))
				while (zset_iter_next(&it, &el) && (rev ?
				    zset_score_gte_min(&r, el.ze_score) :
				    zset_score_lte_max(&r, el.ze_score))) {
					if (!big_same(&el, &big[rev ?
					    big_find(r.zr_max, 0) - 1 - i :
					    big_find(r.zr_min, 0) + i]))
						return (0);
					i++;
				}
			if (i != want)
				return (0);
		}
		/*
		 * A member range ( id, [ id + 50 when every score is the same
		 * (else a lex range means nothing: Redis's own answer then
		 * depends on its skiplist's random levels): from the first
		 * member past min, on while at or below max (ids stand for
		 * names).
		 */
		if (big[0].be_score != big[nbig - 1].be_score)
			continue;
		l.zl_min.zb_kind = ZSET_LEX_EXCL;
		l.zl_min.zb_s = lo;
		l.zl_min.zb_len = big_name(big[at].be_id, lo);
		l.zl_max.zb_kind = ZSET_LEX_INCL;
		l.zl_max.zb_s = hi;
		l.zl_max.zb_len = big_name(big[at].be_id + 50, hi);
		for (i = 0; i < nbig && big[i].be_id <= big[at].be_id; i++)
			;
		want = i < nbig && big[nbig - 1].be_id > big[at].be_id &&
		    big[0].be_id <= big[at].be_id + 50 &&
		    big[i].be_id <= big[at].be_id + 50;
		if (zset_iter_lex(&it, e, &l, 0) != (int)want)
			return (0);
		for (; want && i < nbig && big[i].be_id <= big[at].be_id + 50;
		    i++)
			if (!zset_iter_next(&it, &el) || !big_same(&el,
			    &big[i]))
				return (0);
		if (want && zset_iter_next(&it, &el) && zset_lex_lte_max(&l,
		    el.ze_member, el.ze_len))
			return (0);
	}
	return (1);
}

/* zset_scan()'s visit: count the members, and those in the model. */
struct big_scan {
	size_t	 bs_seen;
	size_t	 bs_known;
	size_t	 bs_steps;
};

static void
big_scan_visit(const struct zset_elem *el, void *arg)
{
	struct big_scan	*bs = arg;
	size_t		 i;

	bs->bs_seen++;
	i = big_find(el->ze_score, (uint32_t)strtoul(el->ze_member + 1, NULL,
	    10));
	bs->bs_known += i < nbig && big_same(el, &big[i]);
}

static void
test_big(struct arena *a, struct keyspace *ks, uint32_t n, unsigned ops,
    uint32_t spread)
{
	struct ks_key		 k;
	struct ks_stripe	*st;
	const struct entry	*e;
	struct zset_vec		 v;
	struct big_scan		 bs;
	char			 buf[16], *names;
	uint64_t		 cursor;
	size_t			 i, at, len;
	unsigned		 op, emptied = 0, nodes0 = 0;
	uint32_t		 id;
	double			 score;
	int			 good = 1, clean = 1;

	big = calloc((size_t)n + ops, sizeof(*big));
	names = calloc(n, 16);
	if (!ok(big != NULL && names != NULL, "memory for %u members", n))
		return;
	zset_vec_init(&v);
	for (i = 0, nbig = 0; i < n; i++) {
		big[nbig].be_id = (uint32_t)i * 2;
		big[nbig].be_score = arc4random_uniform(spread);
		len = big_name(big[nbig].be_id, names + 16 * i);
		good &= zset_vec_add(&v, names + 16 * i, len,
		    big[nbig].be_score) == 0;
		nbig++;
	}
	qsort(big, nbig, sizeof(*big), big_cmp);
	zset_vec_sort(&v);
	keyspace_key(ks, &k, "big", 3);
	st = keyspace_lock(ks, 0, &k);
	good &= zset_write_locked(ks, st, &k, &v, KEYSPACE_NO_EXPIRE) == 0;
	zset_vec_free(&v);
	free(names);
	e = keyspace_peek_locked(ks, st, &k, NOW);
	good &= e != NULL && big_matches(e, 200);
	memset(&bs, 0, sizeof(bs));
	cursor = 0;
	do {
		cursor = zset_scan(e, cursor, big_scan_visit, &bs);
		bs.bs_steps++;
	} while (good && cursor != 0);
	keyspace_unlock(ks, st);
	ok(good, "a set of %u members (%u scores) written whole reads back "
	    "every way", n, spread);
	ok(bs.bs_seen == n && bs.bs_known == n && bs.bs_steps > n / 16,
	    "a scan by cursor visits each member once with its score, in "
	    "%zu steps", bs.bs_steps);
	for (op = 0; op < ops && good && clean; op++) {
		st = keyspace_lock(ks, 0, &k);
		e = keyspace_peek_locked(ks, st, &k, NOW);
		if (op % 3 == 2 || (op >= ops / 2 && op < ops / 2 + 400)) {
			/* Deletes; a run of them from one rank empties nodes. */
			at = op >= ops / 2 && op < ops / 2 + 400 ? nbig / 3 :
			    arc4random_uniform((uint32_t)nbig);
			len = big_name(big[at].be_id, buf);
			good &= zset_delete_locked(ks, st, &k, e, buf,
			    len) == 1;
			memmove(big + at, big + at + 1, (nbig - at - 1) *
			    sizeof(*big));
			nbig--;
			emptied++;
		} else {
			/* A new member (odd ids) or a score moved. */
			if (op % 3 == 0)
				id = 2 * arc4random_uniform(n) + 1;
			else
				id = big[arc4random_uniform(
				    (uint32_t)nbig)].be_id;
			score = arc4random_uniform(spread);
			len = big_name(id, buf);
			for (i = 0; i < nbig && big[i].be_id != id; i++)
				;
			good &= zset_set_locked(ks, st, &k, e, buf, len,
			    score) == 0;
			if (i < nbig) {
				memmove(big + i, big + i + 1, (nbig - i - 1) *
				    sizeof(*big));
				nbig--;
			}
			at = big_find(score, id);
			memmove(big + at + 1, big + at, (nbig - at) *
			    sizeof(*big));
			big[at].be_id = id;
			big[at].be_score = score;
			nbig++;
		}
		if (op % 250 == 0 || op == ops - 1) {
			e = keyspace_peek_locked(ks, st, &k, NOW);
			good &= e != NULL && big_matches(e, 50);
		}
		keyspace_unlock(ks, st);
		if (op % 500 == 0 || op == ops - 1)
			clean &= check_arena(a, 0, stderr, NULL) == 0;
	}
	(void)nodes0;
	ok(good, "%u changes of one member each (%u deletes, a run of 400 "
	    "from one rank) keep the set equal to the model, read every "
	    "way", op, emptied);
	ok(clean, "the checker finds the arena whole every 500 changes");
	(void)keyspace_delete(ks, 0, "big", 3);
	ok(check_arena(a, 0, stderr, NULL) == 0, "its delete leaves nothing "
	    "behind");
	free(big);
	big = NULL;
}

/* The model's place of member id, or nbig. */
static size_t
big_at(uint32_t id)
{
	size_t	 i;

	for (i = 0; i < nbig && big[i].be_id != id; i++)
		;
	return (i);
}

/* Member id set to score (or deleted, when del) in the model. */
static void
big_change(uint32_t id, int del, double score)
{
	size_t	 i = big_at(id), at;

	if (i < nbig) {
		memmove(big + i, big + i + 1, (nbig - i - 1) * sizeof(*big));
		nbig--;
	}
	if (del)
		return;
	at = big_find(score, id);
	memmove(big + at + 1, big + at, (nbig - at) * sizeof(*big));
	big[at].be_id = id;
	big[at].be_score = score;
	nbig++;
}

/* Write the model whole as key k (the set starts as an index). */
static int
big_write(struct keyspace *ks, const struct ks_key *k, char *names)
{
	struct ks_stripe	*st;
	struct zset_vec		 v;
	size_t			 i, len;
	int			 rv = 0;

	zset_vec_init(&v);
	for (i = 0; rv == 0 && i < nbig; i++) {
		len = big_name(big[i].be_id, names + 16 * i);
		rv = zset_vec_add(&v, names + 16 * i, len, big[i].be_score);
	}
	st = keyspace_lock(ks, 0, k);
	if (rv == 0)
		rv = zset_write_locked(ks, st, k, &v, KEYSPACE_NO_EXPIRE);
	keyspace_unlock(ks, st);
	zset_vec_free(&v);
	return (rv);
}

/*
 * Random batches of members set and deleted (some named twice, some
 * beyond ZSET_BATCH_MAX, which rewrite the set whole) and random runs of
 * ranks removed, on a set of a few thousand members over many nodes,
 * against the sorted model: after each, the set reads back as the model
 * in order, by rank from both ends, by score and by member (through the
 * table), and the checker (which compares table and index) finds the
 * arena whole.
 */
static void
test_batch(struct arena *a, struct keyspace *ks, uint32_t n, unsigned rounds)
{
	struct ks_key		 k;
	struct ks_stripe	*st;
	const struct entry	*e;
	struct zset_batch	 b;
	char			*names;
	size_t			 i, len, from, cnt, most = 0, big_k = 0;
	unsigned		 round, cuts = 0;
	uint32_t		 id, nch, fresh_id = 4 * n;
	double			 score, d;
	int			 good = 1, clean = 1, del;

	big = calloc((size_t)n * 4, sizeof(*big));
	names = calloc((size_t)n * 4, 16);
	if (!ok(big != NULL && names != NULL, "memory for %u members", n))
		return;
	for (nbig = 0; nbig < n; nbig++) {
		big[nbig].be_id = (uint32_t)nbig * 2;
		big[nbig].be_score = arc4random_uniform(n / 4);
	}
	qsort(big, nbig, sizeof(*big), big_cmp);
	keyspace_key(ks, &k, "batch", 5);
	good &= big_write(ks, &k, names) == 0;
	for (round = 0; round < rounds && good && clean; round++) {
		st = keyspace_lock(ks, 0, &k);
		e = keyspace_peek_locked(ks, st, &k, NOW);
		if (e == NULL) {
			good = 0;
			keyspace_unlock(ks, st);
			break;
		}
		if (round % 4 == 3) {
			/* A run of ranks: short, over nodes, or past the bound. */
			cnt = round % 40 == 23 ? ZSET_BATCH_MAX + 7 :
			    1 + arc4random_uniform(round % 8 == 7 ? 400 : 20);
			if (cnt >= nbig)
				cnt = nbig / 2;
			from = arc4random_uniform((uint32_t)(nbig - cnt + 1));
			good &= zset_remove_range_locked(ks, st, &k, e, from,
			    from + cnt) == 0;
			memmove(big + from, big + from + cnt, (nbig - from -
			    cnt) * sizeof(*big));
			nbig -= cnt;
			cuts++;
		} else {
			nch = round % 40 == 10 ? ZSET_BATCH_MAX + 50 :
			    2 + arc4random_uniform(round % 5 == 0 ? 300 : 30);
			big_k += nch > ZSET_BATCH_MAX;
			zset_batch_init(&b, e);
			for (i = 0; good && i < nch; i++) {
				/* New (odd ids), existing, or named again. */
				if (i > 0 && arc4random_uniform(8) == 0)
					id = (uint32_t)strtoul(names + 16 * (n +
					    arc4random_uniform((uint32_t)i)) +
					    1, NULL, 10);
				else if (arc4random_uniform(3) == 0)
					id = 2 * arc4random_uniform(2 * n) + 1;
				else
					id = big[arc4random_uniform(
					    (uint32_t)nbig)].be_id;
				len = big_name(id, names + 16 * (n + i));
				del = arc4random_uniform(3) == 0;
				score = arc4random_uniform(n / 4) +
				    (arc4random_uniform(2) ? 0.5 : 0);
				good &= (del ? zset_batch_delete(&b, names +
				    16 * (n + i), len) : zset_batch_set(&b,
				    names + 16 * (n + i), len, score)) == 0;
				big_change(id, del, score);
				good &= zset_batch_score(&b, names + 16 *
				    (n + i), len, &d) == !del && (del ||
				    d == score);
			}
			good &= nbig > 0 && zset_batch_apply_locked(ks, st,
			    &k, &b) == 0;
			zset_batch_free(&b);
		}
		e = keyspace_peek_locked(ks, st, &k, NOW);
		good &= e != NULL && big_matches(e, 30);
		most = nbig > most ? nbig : most;
		keyspace_unlock(ks, st);
		if (round % 10 == 0 || round == rounds - 1)
			clean &= check_arena(a, 0, stderr, NULL) == 0;
		if (nbig < n / 2) {
			/* Grow it back, whole. */
			while (nbig < n) {
				big[nbig].be_id = fresh_id;
				fresh_id += 2;
				big[nbig++].be_score = arc4random_uniform(n);
			}
			qsort(big, nbig, sizeof(*big), big_cmp);
			good &= big_write(ks, &k, names) == 0;
		}
	}
	ok(good, "%u random batches and runs of ranks removed (%u runs, %zu "
	    "batches past %d members) keep a set of up to %zu members equal "
	    "to the model, read every way", round, cuts, big_k,
	    ZSET_BATCH_MAX, most);
	ok(clean, "the checker finds the arena whole every 10 changes");
	(void)keyspace_delete(ks, 0, "batch", 5);
	ok(check_arena(a, 0, stderr, NULL) == 0, "its delete leaves nothing "
	    "behind");
	free(big);
	free(names);
	big = NULL;
}

/* The directory's node chunks of key k, and their number. */
static size_t
touch_nodes(struct keyspace *ks, const struct ks_key *k, aoff_t *out,
    size_t cap)
{
	struct ks_stripe	*st = keyspace_lock(ks, 0, k);
	const struct entry	*e = keyspace_peek_locked(ks, st, k, NOW);
	const struct zset_dir	*d;
	size_t			 i;

	d = zset_index_dir(e, NULL);
	for (i = 0; i < d->zd_nodes && i < cap; i++)
		out[i] = d->zd_ent[i].zde_node;
	keyspace_unlock(ks, st);
	return (i);
}

/* How many of after[] were not in before[] (both short enough). */
static size_t
touch_new(const aoff_t *before, size_t nb, const aoff_t *after, size_t na)
{
	size_t	 i, j, fresh = 0;

	for (i = 0; i < na; i++) {
		for (j = 0; j < nb && !aoff_eq(before[j], after[i]); j++)
			;
		fresh += j == nb;
	}
	return (fresh);
}

/*
 * A change of two members of a large index copies only the nodes they
 * touch: after a 2-member ZADD (two new members in two full nodes, which
 * split) every other node is the same chunk, and four are new; after a
 * 2-member ZREM two are new; a run of ranks over three whole nodes and
 * two halves leaves all the others and two new ones.
 */
static void
test_touch(struct keyspace *ks, uint32_t n)
{
	static aoff_t		 before[1024], after[1024];
	struct ks_key		 k;
	struct ks_stripe	*st;
	const struct entry	*e;
	struct zset_batch	 b;
	char			*names, m1[16], m2[16];
	size_t			 nb, na, len1, len2;
	int			 good = 1;

	big = calloc(n, sizeof(*big));
	names = calloc(n, 16);
	if (!ok(big != NULL && names != NULL, "memory for %u members", n))
		return;
	for (nbig = 0; nbig < n; nbig++) {
		big[nbig].be_id = (uint32_t)nbig * 2;
		big[nbig].be_score = (double)nbig;
	}
	keyspace_key(ks, &k, "touch", 5);
	good &= big_write(ks, &k, names) == 0;
	nb = touch_nodes(ks, &k, before, nitems(before));
	/* ZADD touch 1000.5 m0000001 30000.5 m0000003 */
	len1 = big_name(1, m1);
	len2 = big_name(3, m2);
	st = keyspace_lock(ks, 0, &k);
	e = keyspace_peek_locked(ks, st, &k, NOW);
	zset_batch_init(&b, e);
	good &= zset_batch_set(&b, m1, len1, 1000.5) == 0 &&
	    zset_batch_set(&b, m2, len2, 30000.5) == 0 &&
	    zset_batch_apply_locked(ks, st, &k, &b) == 0;
	zset_batch_free(&b);
	keyspace_unlock(ks, st);
	na = touch_nodes(ks, &k, after, nitems(after));
	ok(good && nb == (n + 127) / 128 && na == nb + 2 &&
	    touch_new(before, nb, after, na) == 4 &&
	    touch_new(after, na, before, nb) == 2, "a 2-member ZADD on %u "
	    "members in %zu nodes copies the 2 it touches (into 4): %zu new "
	    "node chunks, the others unchanged", n, nb,
	    touch_new(before, nb, after, na));
	/* ZREM touch m0000001 m0000020 */
	len2 = big_name(20, m2);
	memcpy(before, after, sizeof(after));
	nb = na;
	st = keyspace_lock(ks, 0, &k);
	e = keyspace_peek_locked(ks, st, &k, NOW);
	zset_batch_init(&b, e);
	good &= zset_batch_delete(&b, m1, len1) == 0 &&
	    zset_batch_delete(&b, m2, len2) == 0 &&
	    zset_batch_apply_locked(ks, st, &k, &b) == 0;
	zset_batch_free(&b);
	keyspace_unlock(ks, st);
	na = touch_nodes(ks, &k, after, nitems(after));
	ok(good && na == nb && touch_new(before, nb, after, na) == 2,
	    "a 2-member ZREM copies the 2 nodes it touches (%zu new)",
	    touch_new(before, nb, after, na));
	/* ZREMRANGEBYRANK touch 1000 1499: three whole nodes and two ends. */
	memcpy(before, after, sizeof(after));
	nb = na;
	st = keyspace_lock(ks, 0, &k);
	e = keyspace_peek_locked(ks, st, &k, NOW);
	good &= zset_remove_range_locked(ks, st, &k, e, 1000, 1500) == 0;
	keyspace_unlock(ks, st);
	na = touch_nodes(ks, &k, after, nitems(after));
	ok(good && na == nb - 3 && touch_new(before, nb, after, na) == 2 &&
	    touch_new(after, na, before, nb) == 5, "a run of 500 ranks drops "
	    "3 whole nodes and copies the 2 at its ends (%zu new, %zu gone)",
	    touch_new(before, nb, after, na), touch_new(after, na, before,
	    nb));
	(void)keyspace_delete(ks, 0, "touch", 5);
	free(big);
	free(names);
	big = NULL;
}

/*
 * Sets of members "member:NNNNNN" for i in [lo, hi), scored i * mul
 * (ties when mul is 0), written through zset_write_locked().
 */
struct span_change {
	int		 sc_kind;	/* SPAN_SET, SPAN_DEL; 0 ends */
	uint32_t	 sc_id;
	double		 sc_score;
};

struct span {
	uint32_t	 sp_lo;
	uint32_t	 sp_hi;
	double		 sp_mul;
	int		 sp_one;	/* then member sp_id: */
#define SPAN_SET	1		/* set to sp_score */
#define SPAN_DEL	2		/* deleted */
	uint32_t	 sp_id;
	double		 sp_score;
	const struct span_change *sp_more; /* then these, distinct */
	uint32_t	 sp_cut_from;	/* then ranks [from, to) removed */
	uint32_t	 sp_cut_to;
};

/* Bytes of 'x' after each member's name (a few long members a node). */
static unsigned	 span_pad;
static char	 span_names[8][640];

static const char *
span_member(uint32_t i, size_t *len)
{
	static unsigned	 turn;
	char		*b = span_names[turn++ % nitems(span_names)];

	*len = (size_t)snprintf(b, sizeof(span_names[0]), "member:%06u", i);
	memset(b + *len, 'x', span_pad);
	*len += span_pad;
	return (b);
}

/* Is member id changed by sp_one or sp_more? */
static int
span_changed(const struct span *sp, uint32_t id)
{
	const struct span_change	*c;

	if (sp->sp_one != 0 && id == sp->sp_id)
		return (1);
	for (c = sp->sp_more; c != NULL && c->sc_kind != 0; c++)
		if (c->sc_id == id)
			return (1);
	return (0);
}

static int
span_write(struct keyspace *ks, const char *name, const struct span *sp,
    int fresh)
{
	struct ks_key		 k;
	struct ks_stripe	*st;
	struct zset_vec		 v;
	const char		*m;
	size_t			 len;
	uint32_t		 i;
	int			 rv = 0;

	zset_vec_init(&v);
	v.zv_fresh = fresh;
	for (i = sp->sp_lo; rv == 0 && i < sp->sp_hi; i++) {
		m = span_member(i, &len);
		rv = zset_vec_add(&v, m, len, i * sp->sp_mul);
		if (rv == 0)
			rv = zset_vec_own(&v);
	}
	zset_vec_sort(&v);
	keyspace_key(ks, &k, name, strlen(name));
	st = keyspace_lock(ks, 0, &k);
	if (rv == 0)
		rv = zset_write_locked(ks, st, &k, &v, KEYSPACE_NO_EXPIRE);
	keyspace_unlock(ks, st);
	zset_vec_free(&v);
	return (rv);
}

static int
span_el_cmp(const void *x, const void *y)
{
	const struct big_el	*a = x, *b = y;

	return (big_cmp(a, b));
}

/* Does key `name' hold the span (nothing when it is empty)? */
static int
span_matches(struct keyspace *ks, const char *name, const struct span *sp)
{
	static struct big_el	 want[1024];
	const struct span_change *c;
	struct ks_key		 k;
	struct ks_stripe	*st;
	const struct entry	*e;
	struct zset_iter	 it;
	struct zset_elem	 el;
	const char		*m;
	size_t			 len, n = 0, i;
	uint32_t		 id;
	double			 d;
	int			 good = 1;

	for (id = sp->sp_lo; id < sp->sp_hi; id++)
		if (!span_changed(sp, id)) {
			want[n].be_id = id;
			want[n++].be_score = id * sp->sp_mul;
		}
	if (sp->sp_one == SPAN_SET) {
		want[n].be_id = sp->sp_id;
		want[n++].be_score = sp->sp_score;
	}
	for (c = sp->sp_more; c != NULL && c->sc_kind != 0; c++)
		if (c->sc_kind == SPAN_SET) {
			want[n].be_id = c->sc_id;
			want[n++].be_score = c->sc_score;
		}
	qsort(want, n, sizeof(want[0]), span_el_cmp);
	if (sp->sp_cut_from < sp->sp_cut_to && sp->sp_cut_to <= n) {
		memmove(want + sp->sp_cut_from, want + sp->sp_cut_to,
		    (n - sp->sp_cut_to) * sizeof(want[0]));
		n -= sp->sp_cut_to - sp->sp_cut_from;
	}
	keyspace_key(ks, &k, name, strlen(name));
	st = keyspace_lock(ks, 0, &k);
	e = keyspace_peek_locked(ks, st, &k, NOW);
	if (e == NULL || n == 0) {
		good = (e == NULL) == (n == 0);
		goto out;
	}
	if (zset_card(e) != n) {
		good = 0;
		goto out;
	}
	zset_iter_init(&it, e, 0, 0);
	for (i = 0; good && i < n; i++) {
		m = span_member(want[i].be_id, &len);
		good = zset_iter_next(&it, &el) && el.ze_len == len &&
		    memcmp(el.ze_member, m, len) == 0 &&
		    el.ze_score == want[i].be_score && zset_score(e, m, len,
		    &d) && d == el.ze_score && zset_rank(e, m, len, 0) ==
		    (int64_t)i;
	}
out:
	keyspace_unlock(ks, st);
	return (good);
}

/*
 * Crash tests: a child writes "za" (and "zb"), then makes one change
 * armed to die at a crash point hit; afterwards the checker finds the
 * arena whole and both keys are wholly as before or wholly as after.
 */
enum zcrash_op {
	ZCRASH_WRITE,		/* "za" becomes cs_to */
	ZCRASH_FRESH,		/* the same, as a *STORE's new value */
	ZCRASH_DELETE,		/* "za" deleted */
	ZCRASH_COPY,		/* "za" copied onto "zb" */
	ZCRASH_RENAME,		/* "za" renamed onto "zb" */
	ZCRASH_ONE,		/* one member of "za" set or deleted as
				   cs_to says (the rest of cs_to is cs_a) */
	ZCRASH_BATCH,		/* cs_to's sp_more as one batch */
	ZCRASH_CUT		/* cs_to's ranks removed */
};

struct zcrash_scn {
	const char	*cs_what;
	struct span	 cs_a;		/* "za" before */
	struct span	 cs_b;		/* "zb" before */
	struct span	 cs_to;
	enum zcrash_op	 cs_op;
	unsigned	 cs_pad;		/* span_pad */
};

#define SPAN(lo, hi, mul)	{ lo, hi, mul, 0, 0, 0, NULL, 0, 0 }

/*
 * A batch over a set of three nodes: members added to a full node (which
 * splits), at both ends, moved across nodes, deleted, a score changed in
 * place.
 */
static const struct span_change zcrash_batch[] = {
	{ SPAN_SET, 1000, 60.5 }, { SPAN_SET, 1001, 61.5 },
	{ SPAN_SET, 1002, -5 }, { SPAN_SET, 1003, 1e6 },
	{ SPAN_SET, 10, 250.5 }, { SPAN_SET, 200, 3.5 },
	{ SPAN_SET, 20, 20.5 }, { SPAN_DEL, 150, 0 }, { SPAN_DEL, 299, 0 },
	{ 0, 0, 0 }
};

/* Every member of a node of one, and of the node after it. */
static const struct span_change zcrash_batch_drop[] = {
	{ SPAN_DEL, 128, 0 }, { SPAN_DEL, 0, 0 }, { SPAN_SET, 1, 0.5 },
	{ 0, 0, 0 }
};

static const struct zcrash_scn zcrash_scns[] = {
	{ "a packed set grown into an index",
	    SPAN(0, 100, 1), SPAN(0, 0, 0), SPAN(0, 150, 1), ZCRASH_WRITE, 0 },
	{ "one member added to an index",
	    SPAN(0, 200, 1), SPAN(0, 0, 0), SPAN(0, 201, 1), ZCRASH_WRITE, 0 },
	{ "an index shrunk below the limits",
	    SPAN(0, 200, 0), SPAN(0, 0, 0), SPAN(10, 20, 0), ZCRASH_WRITE, 0 },
	{ "a small new value over an index",
	    SPAN(0, 200, 2), SPAN(0, 0, 0), SPAN(5, 10, 1), ZCRASH_FRESH, 0 },
	{ "an index emptied",
	    SPAN(0, 200, 1), SPAN(0, 0, 0), SPAN(0, 0, 0), ZCRASH_WRITE, 0 },
	{ "an index deleted",
	    SPAN(0, 200, 1), SPAN(0, 0, 0), SPAN(0, 0, 0), ZCRASH_DELETE, 0 },
	{ "an index copied over another",
	    SPAN(0, 200, 1), SPAN(50, 250, 3), SPAN(0, 0, 0), ZCRASH_COPY, 0 },
	{ "an index renamed over another",
	    SPAN(0, 200, 1), SPAN(50, 250, 3), SPAN(0, 0, 0), ZCRASH_RENAME,
	    0 },
	{ "one member added to a full node, which splits",
	    SPAN(0, 256, 1), SPAN(0, 0, 0),
	    { 0, 256, 1, SPAN_SET, 1000, 60.5, NULL, 0, 0 }, ZCRASH_ONE, 0 },
	{ "one member added at the end",
	    SPAN(0, 200, 1), SPAN(0, 0, 0),
	    { 0, 200, 1, SPAN_SET, 1000, 1e6, NULL, 0, 0 }, ZCRASH_ONE, 0 },
	{ "one member moved to another node",
	    SPAN(0, 300, 1), SPAN(0, 0, 0),
	    { 0, 300, 1, SPAN_SET, 10, 250.5, NULL, 0, 0 }, ZCRASH_ONE, 0 },
	{ "one member's score changed in its node",
	    SPAN(0, 300, 1), SPAN(0, 0, 0),
	    { 0, 300, 1, SPAN_SET, 10, 10.5, NULL, 0, 0 }, ZCRASH_ONE, 0 },
	{ "one member deleted",
	    SPAN(0, 300, 1), SPAN(0, 0, 0),
	    { 0, 300, 1, SPAN_DEL, 200, 0, NULL, 0, 0 }, ZCRASH_ONE, 0 },
	{ "the member of a node of one deleted",
	    SPAN(0, 129, 1), SPAN(0, 0, 0),
	    { 0, 129, 1, SPAN_DEL, 128, 0, NULL, 0, 0 }, ZCRASH_ONE, 0 },
	{ "nine members changed as one batch",
	    SPAN(0, 300, 1), SPAN(0, 0, 0),
	    { 0, 300, 1, 0, 0, 0, zcrash_batch, 0, 0 }, ZCRASH_BATCH, 0 },
	{ "a batch that empties a node",
	    SPAN(0, 129, 1), SPAN(0, 0, 0),
	    { 0, 129, 1, 0, 0, 0, zcrash_batch_drop, 0, 0 }, ZCRASH_BATCH,
	    0 },
	{ "a run of ranks over whole nodes removed",
	    SPAN(0, 40, 1), SPAN(0, 0, 0),
	    { 0, 40, 1, 0, 0, 0, NULL, 5, 30 }, ZCRASH_CUT, 480 },
	{ "a pop of the lowest node and a half",
	    SPAN(0, 40, 1), SPAN(0, 0, 0),
	    { 0, 40, 1, 0, 0, 0, NULL, 0, 12 }, ZCRASH_CUT, 480 },
};


static const char *zset_crashpoints[] = { "zset_index_built",
    "zset_index_nodes_built", "zset_index_recorded" };

static int
zcrash_one(struct keyspace *ks, const struct span *sp)
{
	struct ks_key		 k;
	struct ks_stripe	*st;
	const struct entry	*e;
	const char		*m;
	size_t			 len;
	int			 rv;

	keyspace_key(ks, &k, "za", 2);
	st = keyspace_lock(ks, 0, &k);
	e = keyspace_peek_locked(ks, st, &k, NOW);
	m = span_member(sp->sp_id, &len);
	if (e == NULL)
		rv = -1;
	else if (sp->sp_one == SPAN_SET)
		rv = zset_set_locked(ks, st, &k, e, m, len, sp->sp_score);
	else
		rv = zset_delete_locked(ks, st, &k, e, m, len) == 1 ? 0 : -1;
	keyspace_unlock(ks, st);
	return (rv);
}

/* A batch or a cut of "za", as the scenario's cs_to says. */
static int
zcrash_multi_change(struct keyspace *ks, const struct span *sp)
{
	const struct span_change	*c;
	struct zset_batch		 b;
	struct ks_key			 k;
	struct ks_stripe		*st;
	const struct entry		*e;
	static char			 names[16][640];
	const char			*m;
	size_t				 len, i = 0;
	int				 rv = 0;

	keyspace_key(ks, &k, "za", 2);
	st = keyspace_lock(ks, 0, &k);
	if ((e = keyspace_peek_locked(ks, st, &k, NOW)) == NULL) {
		keyspace_unlock(ks, st);
		return (-1);
	}
	if (sp->sp_more == NULL) {
		rv = zset_remove_range_locked(ks, st, &k, e, sp->sp_cut_from,
		    sp->sp_cut_to);
		keyspace_unlock(ks, st);
		return (rv);
	}
	zset_batch_init(&b, e);
	for (c = sp->sp_more; rv == 0 && c->sc_kind != 0 &&
	    i < nitems(names); c++, i++) {
		m = span_member(c->sc_id, &len);
		memcpy(names[i], m, len);
		rv = c->sc_kind == SPAN_SET ? zset_batch_set(&b, names[i],
		    len, c->sc_score) : zset_batch_delete(&b, names[i], len);
	}
	if (rv == 0)
		rv = zset_batch_apply_locked(ks, st, &k, &b);
	zset_batch_free(&b);
	keyspace_unlock(ks, st);
	return (rv);
}

static void
zcrash_child(struct keyspace *ks, const struct zcrash_scn *s, const char *arm,
    uint64_t countdown)
{
	if (span_write(ks, "za", &s->cs_a, 0) == -1 ||
	    span_write(ks, "zb", &s->cs_b, 0) == -1)
		_exit(3);
	crashpoint_arm(arm, countdown);
	switch (s->cs_op) {
	case ZCRASH_WRITE:
	case ZCRASH_FRESH:
		if (span_write(ks, "za", &s->cs_to,
		    s->cs_op == ZCRASH_FRESH) == -1)
			_exit(3);
		break;
	case ZCRASH_DELETE:
		if (keyspace_delete(ks, 0, "za", 2) != 1)
			_exit(3);
		break;
	case ZCRASH_ONE:
		if (zcrash_one(ks, &s->cs_to) == -1)
			_exit(3);
		break;
	case ZCRASH_BATCH:
	case ZCRASH_CUT:
		if (zcrash_multi_change(ks, &s->cs_to) == -1)
			_exit(3);
		break;
	default:
		if (testarena_copy_key(ks, 0, "za", 0, "zb",
		    s->cs_op == ZCRASH_COPY, NOW) != 1)
			_exit(3);
		break;
	}
	_exit(0);
}

/* What "za" and "zb" hold after the change. */
static void
zcrash_after(const struct zcrash_scn *s, struct span *a, struct span *b)
{
	static const struct span none;

	*a = s->cs_a;
	*b = s->cs_b;
	switch (s->cs_op) {
	case ZCRASH_WRITE:
	case ZCRASH_FRESH:
	case ZCRASH_ONE:
	case ZCRASH_BATCH:
	case ZCRASH_CUT:
		*a = s->cs_to;
		break;
	case ZCRASH_DELETE:
		*a = none;
		break;
	case ZCRASH_COPY:
		*b = s->cs_a;
		break;
	case ZCRASH_RENAME:
		*b = s->cs_a;
		*a = none;
		break;
	}
}

struct zcrash_arg {
	const struct zcrash_scn	*za_scn;
	const char		*za_arm;
	uint64_t		 za_countdown;
};

static void
zcrash_run(struct keyspace *ks, const void *arg)
{
	const struct zcrash_arg	*za = arg;

	zcrash_child(ks, za->za_scn, za->za_arm, za->za_countdown);
}

static int
zcrash_trial(const struct zcrash_scn *s, const char *arm, uint64_t countdown,
    uint64_t repair, int *killed)
{
	struct zcrash_arg	 za = { s, arm, countdown };
	struct arena		 a;
	struct keyspace		 ks;
	struct span		 aa, ab;
	int			 good;

	memset(&a, 0, sizeof(a));
	span_pad = s->cs_pad;
	good = testarena_crash_run(&a, &ks, (size_t)32 << 20, s->cs_what,
	    zcrash_run, &za, repair, killed) == 0;
	if (!good)
		diag("%s: after a kill at %s %llu", s->cs_what, arm,
		    (unsigned long long)countdown);
	zcrash_after(s, &aa, &ab);
	if (a.ar_base != NULL && !(span_matches(&ks, "za", &s->cs_a) &&
	    span_matches(&ks, "zb", &s->cs_b)) &&
	    !(span_matches(&ks, "za", &aa) && span_matches(&ks, "zb", &ab))) {
		diag("%s: killed at %s %llu, the sets are neither as before "
		    "nor as after", s->cs_what, arm,
		    (unsigned long long)countdown);
		good = 0;
	}
	if (a.ar_base != NULL && !*killed && !(span_matches(&ks, "za", &aa) &&
	    span_matches(&ks, "zb", &ab))) {
		diag("%s: not killed, yet not done", s->cs_what);
		good = 0;
	}
	testarena_destroy(&a);
	return (good);
}

static int
zcrash_any(const void *s, uint64_t c, uint64_t repair, int *killed)
{
	return (zcrash_trial(s, "any", c, repair, killed));
}

static void
test_crash(void)
{
	const struct zcrash_scn	*s;
	int			 b;
	size_t			 i, j;
	unsigned		 kills, broken;
	int			 killed;

	if (!ok(crashpoint_enabled(), "this build has crash points"))
		return;
	log_init("zset_test", 1, -1);
	for (i = 0; i < nitems(zcrash_scns); i++) {
		s = &zcrash_scns[i];
		b = testarena_crash_each(zcrash_any, s, 5000, &kills);
		ok(kills > 0 && b == 0, "%s: killed at each of its %u crash "
		    "point hits, the sets are as before or as after and the "
		    "arena whole (%d broken)", s->cs_what, kills, b);
	}
	for (j = 0; j < nitems(zset_crashpoints); j++) {
		kills = broken = 0;
		for (i = 0; i < nitems(zcrash_scns); i++) {
			broken += !zcrash_trial(&zcrash_scns[i],
			    zset_crashpoints[j], 1, i % 2 ? 1 + i : 0,
			    &killed);
			kills += killed;
		}
		ok(kills > 0 && broken == 0, "crash point %s: %u kills, each "
		    "leaving the sets as before or as after (%u broken)",
		    zset_crashpoints[j], kills, broken);
	}
}

int
main(void)
{
	struct arena	 a;
	struct keyspace	 ks;

	tap_no_plan();
	test_checker();
	test_text();
	if (!ok(testarena_store(&a, &ks, SIZE, 2) == 0,
	    "a 256 MiB store with 4 stripes"))
		return (tap_done());
	test_model(&a, &ks, 2000, 0);
	test_model(&a, &ks, 1000, 1);
	test_big(&a, &ks, 1000, 600, 1000 / 8);
	test_big(&a, &ks, 3000, 1200, 1);
	test_big(&a, &ks, 100000, 3000, 100000 / 8);
	test_batch(&a, &ks, 3000, 400);
	test_touch(&ks, 60000);
	testarena_destroy(&a);
	test_crash();
	return (tap_done());
}
