/*
 * set_test.c: checks the intset encoding (intset.c) and sets in the arena
 * (set.c).
 *
 * An integer member is read exactly as Redis's string2ll() reads one:
 * "-0", "+1", "007", blanks and anything past 64 bits are not integers,
 * and every integer is written back as the text it was read from.  The
 * width of an array is the smallest that holds its integers, and a
 * binary search finds each integer where it lies and places each absent
 * one where it would go, at every width; the validator refuses arrays
 * that are damaged, unsorted or empty.  A set driven by thousands of
 * random adds and removals holds exactly what a model holds, ascending,
 * with the counts each change reports; its width never narrows; it goes
 * when its last member goes; the checker finds the arena whole.  A set
 * rebuilt from a list of members is distinct and sorted, and keeps its
 * expiry when the caller passes it.  A set of integers and strings under
 * a small set-max-intset-entries becomes a table at the first string or
 * one member too many, never back while it lives; through thousands of
 * random changes it holds what its model holds, walked, scanned and drawn
 * from, with its expiry kept across the conversion.  A process killed at
 * any crash point of a change of one member or of several (an add or a
 * removal of many members of a table is one change), of a conversion or
 * of a rebuild leaves the set as it was before or as it is after, and
 * the arena whole, even when its repairer is killed too.
 */
#include <sys/wait.h>

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hydra/arena.h"
#include "hydra/check.h"
#include "hydra/crashpoint.h"
#include "hydra/intset.h"
#include "hydra/keyspace.h"
#include "hydra/list.h"
#include "hydra/log.h"
#include "hydra/object.h"
#include "hydra/reply.h"
#include "hydra/set.h"
#include "hydra/store.h"
#include "tap.h"
#include "testarena.h"

#define SIZE	((size_t)64 << 20)
#define NOW	INT64_C(1700000000000)

static void
test_parse(void)
{
	static const struct {
		const char	*s;
		int		 ok;
		int64_t		 v;
	} cases[] = {
		{ "0", 1, 0 },
		{ "1", 1, 1 },
		{ "-1", 1, -1 },
		{ "9223372036854775807", 1, INT64_MAX },
		{ "-9223372036854775808", 1, INT64_MIN },
		{ "9223372036854775808", 0, 0 },
		{ "-9223372036854775809", 0, 0 },
		{ "99999999999999999999", 0, 0 },
		{ "-0", 0, 0 },
		{ "00", 0, 0 },
		{ "007", 0, 0 },
		{ "+1", 0, 0 },
		{ " 1", 0, 0 },
		{ "1 ", 0, 0 },
		{ "-", 0, 0 },
		{ "", 0, 0 },
		{ "1a", 0, 0 },
		{ "1.0", 0, 0 },
		{ "0x10", 0, 0 },
		{ "123456", 1, 123456 },
	};
	char		 buf[INTSET_DIGITS];
	size_t		 i, len;
	int64_t		 v;
	int		 good = 1, rv;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		v = 42;
		rv = intset_parse(cases[i].s, strlen(cases[i].s), &v);
		if ((rv == 0) != cases[i].ok || (rv == 0 && v != cases[i].v)) {
			diag("\"%s\": %d, %" PRId64, cases[i].s, rv, v);
			good = 0;
		}
		if (rv == 0) {
			len = reply_fmt_ll(buf, v);
			if (len != strlen(cases[i].s) ||
			    memcmp(buf, cases[i].s, len) != 0) {
				diag("\"%s\" written back as \"%.*s\"",
				    cases[i].s, (int)len, buf);
				good = 0;
			}
		}
	}
	ok(good, "integers are read as Redis's string2ll() reads them and "
	    "written back as they were read");
	ok(intset_parse("12345", 3, &v) == 0 && v == 123, "the length "
	    "bounds the text, not a NUL");
}

static void
test_width(void)
{
	ok(intset_width_of(0) == 2 && intset_width_of(INT16_MAX) == 2 &&
	    intset_width_of(INT16_MIN) == 2, "16-bit integers are 2 bytes "
	    "wide");
	ok(intset_width_of(INT16_MAX + 1) == 4 &&
	    intset_width_of(INT16_MIN - 1) == 4 &&
	    intset_width_of(INT32_MAX) == 4 && intset_width_of(INT32_MIN) == 4,
	    "32-bit ones 4");
	ok(intset_width_of((int64_t)INT32_MAX + 1) == 8 &&
	    intset_width_of((int64_t)INT32_MIN - 1) == 8 &&
	    intset_width_of(INT64_MIN) == 8, "the others 8");
}

static int
cmp64(const void *a, const void *b)
{
	int64_t	 x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x < y ? -1 : x > y);
}

/* A random integer of about `bits' bits, either sign. */
static int64_t
rand_int(int bits)
{
	uint64_t	 u = ((uint64_t)arc4random() << 32) | arc4random();

	if (bits < 64)
		u &= ((uint64_t)1 << bits) - 1;
	return (arc4random_uniform(2) ? (int64_t)u : -(int64_t)(u >> 1));
}

static void
test_array(void)
{
	static const int bits[] = { 8, 15, 16, 31, 32, 64 };
	int64_t		 vals[300], x;
	char		*buf;
	size_t		 n, i, j, pos, vlen;
	unsigned	 w;
	int		 good = 1, round;

	buf = malloc(intset_size(8, 300));
	for (round = 0; round < 60; round++) {
		n = 1 + arc4random_uniform(299);
		for (i = 0; i < n; i++)
			vals[i] = rand_int(bits[round % 6]);
		qsort(vals, n, sizeof(vals[0]), cmp64);
		for (i = j = 0; i < n; i++)
			if (j == 0 || vals[j - 1] != vals[i])
				vals[j++] = vals[i];
		n = j;
		for (i = 0, w = 2; i < n; i++)
			if (intset_width_of(vals[i]) > w)
				w = intset_width_of(vals[i]);
		intset_build(buf, w, vals, n);
		vlen = intset_size(w, n);
		good &= intset_width(buf) == w && intset_count(buf, vlen) == n;
		good &= intset_valid(buf, vlen);
		for (i = 0; i < n; i++) {
			good &= intset_get(buf, i) == vals[i];
			good &= intset_find(buf, vlen, vals[i], &pos) &&
			    pos == i;
		}
		/* Absent integers go where they would keep the order. */
		for (i = 0; i < 50; i++) {
			x = rand_int(64);
			if (intset_find(buf, vlen, x, &pos)) {
				good &= intset_get(buf, pos) == x;
				continue;
			}
			good &= (pos == 0 || intset_get(buf, pos - 1) < x) &&
			    (pos == n || intset_get(buf, pos) > x);
		}
		if (!good) {
			diag("round %d: %zu integers of width %u", round, n,
			    w);
			break;
		}
	}
	ok(good, "arrays of every width give back each integer in order, "
	    "and the search places the absent ones");

	vals[0] = 1;
	vals[1] = 2;
	intset_build(buf, 2, vals, 2);
	ok(intset_valid(buf, intset_size(2, 2)), "a sound array is valid");
	ok(!intset_valid(buf, intset_size(2, 2) - 1), "a partial integer is "
	    "not");
	ok(!intset_valid(buf, INTSET_HEADER), "an empty array is not");
	buf[0] = 3;
	ok(!intset_valid(buf, intset_size(2, 2)), "an unknown width is not");
	vals[1] = 1;
	intset_build(buf, 2, vals, 2);
	ok(!intset_valid(buf, intset_size(2, 2)), "a repeated integer is "
	    "not");
	vals[0] = 5;
	intset_build(buf, 2, vals, 2);
	ok(!intset_valid(buf, intset_size(2, 2)), "a descending pair is "
	    "not");
	free(buf);
}

/* The model: which of the integers -MODEL_N/2 .. MODEL_N/2 are members. */
#define MODEL_N		600
#define MODEL_WIDE	INT64_C(5000000000)	/* lifts an integer to 8 */

static int64_t
model_value(int i)
{
	/* Multiples of 97 stand for wide integers. */
	if (i % 97 == 0)
		return (MODEL_WIDE + i);
	return (i - MODEL_N / 2);
}

/* Does set e hold exactly the model's members, ascending? */
static int
set_matches(struct arena *a, const struct entry *e, const char *model,
    size_t members)
{
	struct set_iter	 it;
	const char	*s;
	size_t		 len, n = 0;
	int64_t		 prev = INT64_MIN, x;
	int		 i;

	if (e == NULL)
		return (members == 0);
	if (!set_is_ints(e) || set_count(a, e) != members)
		return (0);
	set_iter_init(&it, a, e);
	while (set_iter_next(&it, &s, &len)) {
		if (intset_parse(s, len, &x) == -1 || (n > 0 && x <= prev))
			return (0);
		prev = x;
		n++;
	}
	for (i = 0; i < MODEL_N; i++) {
		char	 buf[INTSET_DIGITS];

		len = reply_fmt_ll(buf, model_value(i));
		if (set_contains(a, e, buf, len) != model[i])
			return (0);
	}
	return (n == members);
}

/* How a model test names its members and picks those a change names. */
struct model_kind {
	size_t	(*mk_member)(int i, char buf[INTSET_DIGITS]);
	int	(*mk_pick)(int step);
	unsigned mk_most;	/* members a change names at most */
};

/*
 * One random change of the set of key k: add (or remove, as `add' says)
 * a few members the kind picks, to the set and to the model.  Returns
 * the stripe, locked, with *ep the set after the change; *good is
 * cleared when the change fails or counts otherwise than the model.
 */
static struct ks_stripe *
model_change(struct keyspace *ks, const struct ks_key *k,
    const struct model_kind *mk, char *model, int step, int add,
    size_t *members, const struct entry **ep, int *good)
{
	struct ks_stripe	*st;
	const struct entry	*e;
	struct list_vec		 v;
	struct set_pool		 sp;
	char			 buf[INTSET_DIGITS];
	const char		*s;
	size_t			 len;
	uint64_t		 did = 0, want = 0;
	unsigned		 j;
	int			 i;

	list_vec_init(&v);
	set_pool_init(&sp);
	for (j = 1 + arc4random_uniform(mk->mk_most); j > 0; j--) {
		i = mk->mk_pick(step);
		len = mk->mk_member(i, buf);
		s = set_pool_copy(&sp, buf, len);
		(void)list_vec_add(&v, s, len);
		if (model[i] != add) {
			model[i] = (char)add;
			want++;
		}
	}
	st = keyspace_lock(ks, 0, k);
	e = keyspace_peek_locked(ks, st, k, NOW);
	if (add)
		*good &= set_add_locked(ks, st, k, e, &v, &did) == 0;
	else if (e != NULL)
		*good &= set_remove_locked(ks, st, k, e, &v, &did) == 0;
	*good &= did == want;
	*members = add ? *members + want : *members - want;
	*ep = keyspace_peek_locked(ks, st, k, NOW);
	list_vec_free(&v);
	set_pool_free(&sp);
	return (st);
}

/*
 * The end of a step: unlock, check the arena every 100 steps (clearing
 * *clean when it is not whole), say which step went wrong.
 */
static void
model_done(struct arena *a, struct keyspace *ks, struct ks_stripe *st,
    int step, int add, size_t members, int good, int *clean)
{
	keyspace_unlock(ks, st);
	if (step % 100 == 0)
		*clean &= check_arena(a, 0, stderr, NULL) == 0;
	if (!good)
		diag("step %d: %s of %zu members", step, add ? "add" :
		    "remove", members);
}

static size_t
model_member(int i, char buf[INTSET_DIGITS])
{
	return (reply_fmt_ll(buf, model_value(i)));
}

/* A few members that come and go, then many. */
static int
model_pick(int step)
{
	return ((int)arc4random_uniform(step < 1000 ? 6 : MODEL_N));
}

static void
test_model(struct arena *a, struct keyspace *ks)
{
	static const struct model_kind kind = { model_member, model_pick,
	    4 };
	struct ks_key		 k;
	struct ks_stripe	*st;
	const struct entry	*e;
	char			 model[MODEL_N];
	const char		*s;
	size_t			 members = 0, len;
	unsigned		 width = 0;
	int			 step, add, good = 1, clean = 1;
	int			 narrowed = 0, gone = 0, wide = 0;

	memset(model, 0, sizeof(model));
	keyspace_key(ks, &k, "model", 5);
	object_limits.ol_set_intset_entries = MODEL_N;
	for (step = 0; step < 3000 && good && clean; step++) {
		/* Members come and go, then mostly come, then go. */
		add = step < 1000 ? arc4random_uniform(2) :
		    arc4random_uniform(5) < (step < 2000 ? 3U : 2U);
		st = model_change(ks, &k, &kind, model, step, add, &members,
		    &e, &good);
		good &= set_matches(ks->ks_arena, e, model, members);
		if (e != NULL) {
			s = entry_value(e, &len);
			if (intset_width(s) < width)
				narrowed = 1;
			width = intset_width(s);
			wide += width == 8;
		} else {
			gone += width != 0;
			width = 0;
		}
		model_done(a, ks, st, step, add, members, good, &clean);
	}
	ok(good, "%d random adds and removals leave the set equal to the "
	    "model, ascending, and report what changed", step);
	ok(clean, "and the checker finds the arena whole every 100 steps");
	ok(!narrowed && wide > 0, "an array widens for a wide integer and "
	    "never narrows while the set lives (%d steps 8 wide)", wide);
	ok(gone > 0, "the set goes with its last member (%d times)", gone);
	(void)keyspace_delete(ks, 0, "model", 5);
	ok(check_arena(a, 0, stderr, NULL) == 0, "its delete leaves the "
	    "arena whole");
	object_limits.ol_set_intset_entries = 512;
}

/* Add the C strings of list `...' (NULL-terminated) to v. */
static void
vec_of(struct list_vec *v, const char *const *ss)
{
	list_vec_init(v);
	for (; *ss != NULL; ss++)
		(void)list_vec_add(v, *ss, strlen(*ss));
}

/* Does v hold exactly the C strings ss, in order? */
static int
vec_is(const struct list_vec *v, const char *const *ss)
{
	size_t	 i;

	for (i = 0; ss[i] != NULL; i++)
		if (i >= v->lv_n || v->lv_len[i] != strlen(ss[i]) ||
		    memcmp(v->lv_ptr[i], ss[i], v->lv_len[i]) != 0)
			return (0);
	return (i == v->lv_n);
}

static void
test_write(struct arena *a, struct keyspace *ks)
{
	static const char *const nums[] = { "10", "-3", "10", "7",
	    "9223372036854775807", "-3", NULL };
	static const char *const sorted[] = { "-3", "7", "10",
	    "9223372036854775807", NULL };
	static const char *const words[] = { "b", "10", "a", "b", "", NULL };
	static const char *const bytes[] = { "", "10", "a", "b", NULL };
	struct list_vec		 v;
	struct ks_key		 k;
	struct ks_stripe	*st;
	const struct entry	*e;
	struct set_iter		 it;
	const char		*s;
	size_t			 len, n;
	int			 ints, rv, good;

	vec_of(&v, nums);
	ok(set_vec_normalize(&v, &ints) == 0 && ints && vec_is(&v, sorted),
	    "integers are made distinct and ascending, fit for an intset");
	list_vec_free(&v);
	vec_of(&v, words);
	ok(set_vec_normalize(&v, &ints) == 0 && !ints && vec_is(&v, bytes),
	    "other members are made distinct in the order of their bytes");
	list_vec_free(&v);
	object_limits.ol_set_intset_entries = 4;
	vec_of(&v, nums);
	ok(set_vec_normalize(&v, &ints) == 0 && ints, "as many integers as "
	    "set-max-intset-entries fit an intset");
	list_vec_free(&v);
	object_limits.ol_set_intset_entries = 3;
	vec_of(&v, nums);
	ok(set_vec_normalize(&v, &ints) == 0 && !ints, "more integers than "
	    "set-max-intset-entries do not");
	list_vec_free(&v);
	object_limits.ol_set_intset_entries = 512;

	keyspace_key(ks, &k, "w", 1);
	st = keyspace_lock(ks, 0, &k);
	vec_of(&v, nums);
	rv = set_write_locked(ks, st, &k, &v, NOW + 60000);
	list_vec_free(&v);
	e = keyspace_peek_locked(ks, st, &k, NOW);
	good = rv == 0 && e != NULL && set_is_ints(e) &&
	    set_count(a, e) == 4 && entry_expire(e) == NOW + 60000;
	vec_of(&v, sorted);
	n = 0;
	if (good) {
		set_iter_init(&it, a, e);
		while (set_iter_next(&it, &s, &len) && n < v.lv_n &&
		    len == v.lv_len[n] && memcmp(s, v.lv_ptr[n], len) == 0)
			n++;
	}
	list_vec_free(&v);
	ok(good && n == 4, "a written set holds its distinct members, "
	    "ascending, with the expiry given");
	vec_of(&v, words);
	rv = set_write_locked(ks, st, &k, &v, KEYSPACE_NO_EXPIRE);
	list_vec_free(&v);
	e = keyspace_peek_locked(ks, st, &k, NOW);
	ok(rv == 0 && e != NULL && !set_is_ints(e) && set_count(a, e) == 4 &&
	    set_contains(a, e, "", 0) && set_contains(a, e, "10", 2) &&
	    entry_expire(e) == KEYSPACE_NO_EXPIRE, "a set written with a "
	    "string is a table of its distinct members");
	list_vec_init(&v);
	ok(set_write_locked(ks, st, &k, &v, KEYSPACE_NO_EXPIRE) == 0 &&
	    keyspace_peek_locked(ks, st, &k, NOW) == NULL,
	    "writing no members deletes the key");
	keyspace_unlock(ks, st);
	ok(check_arena(a, 0, stderr, NULL) == 0, "the arena is whole");
}

/* The members of the table model: integers, then strings. */
#define TMODEL_N	120

static size_t
tmodel_member(int i, char buf[INTSET_DIGITS])
{
	if (i < TMODEL_N / 2)
		return (reply_fmt_ll(buf, i - TMODEL_N / 4));
	return ((size_t)snprintf(buf, INTSET_DIGITS, "m%d\001", i));
}

/*
 * Integers mostly, so that intsets come back; early in each thousand
 * steps, few members, so that the set empties.
 */
static int
tmodel_pick(int step)
{
	if (step % 1000 < 300)
		return ((int)arc4random_uniform(20));
	return ((int)arc4random_uniform(arc4random_uniform(8) ?
	    TMODEL_N / 2 : TMODEL_N));
}

static void
tmodel_visit(const char *s, size_t len, void *arg)
{
	char	*seen = arg, buf[INTSET_DIGITS];
	int	 i;

	for (i = 0; i < TMODEL_N; i++)
		if (tmodel_member(i, buf) == len && memcmp(buf, s, len) == 0)
			seen[i]++;
}

/* Does set e hold exactly the model's members, walked and scanned? */
static int
tmodel_matches(struct arena *a, const struct entry *e, const char *model,
    size_t members)
{
	struct set_iter	 it;
	char		 seen[TMODEL_N], buf[INTSET_DIGITS];
	const char	*s;
	size_t		 len, n = 0;
	uint64_t	 cursor = 0;
	int		 i;

	if (e == NULL)
		return (members == 0);
	if (set_count(a, e) != members)
		return (0);
	memset(seen, 0, sizeof(seen));
	set_iter_init(&it, a, e);
	while (set_iter_next(&it, &s, &len)) {
		tmodel_visit(s, len, seen);
		n++;
	}
	for (i = 0; i < TMODEL_N; i++) {
		len = tmodel_member(i, buf);
		if (seen[i] != model[i] ||
		    set_contains(a, e, buf, len) != model[i])
			return (0);
	}
	memset(seen, 0, sizeof(seen));
	do {
		cursor = set_scan(a, e, cursor, tmodel_visit, seen);
	} while (cursor != 0);
	for (i = 0; i < TMODEL_N; i++)
		if ((seen[i] != 0) != model[i])
			return (0);
	set_random(a, e, buf, &s, &len);
	memset(seen, 0, sizeof(seen));
	tmodel_visit(s, len, seen);
	for (i = 0; i < TMODEL_N && !(seen[i] && model[i]); i++)
		;
	return (n == members && i < TMODEL_N);
}

static void
test_table(struct arena *a, struct keyspace *ks)
{
	static const struct model_kind kind = { tmodel_member, tmodel_pick,
	    3 };
	struct ks_key		 k;
	struct ks_stripe	*st;
	const struct entry	*e;
	char			 model[TMODEL_N];
	size_t			 members = 0, before;
	int			 step, i, add, good = 1, clean = 1;
	int			 table = 0, back = 0, strings = 0, ints = 0;
	int			 was_table = 0, kept = 1;

	memset(model, 0, sizeof(model));
	keyspace_key(ks, &k, "tmodel", 6);
	object_limits.ol_set_intset_entries = 16;
	for (step = 0; step < 3000 && good && clean; step++) {
		add = arc4random_uniform(2);
		before = members;
		st = model_change(ks, &k, &kind, model, step, add, &members,
		    &e, &good);
		/* A new set gets an expiry, which every change must keep. */
		if (before == 0 && members > 0) {
			(void)keyspace_set_expire_locked(ks, st, &k,
			    NOW + 1000000);
			e = keyspace_peek_locked(ks, st, &k, NOW);
		}
		good &= tmodel_matches(ks->ks_arena, e, model, members);
		if (e != NULL) {
			kept &= entry_expire(e) == NOW + 1000000;
			if (set_is_ints(e)) {
				ints++;
				/* Never back while the set lives. */
				back += was_table;
			} else {
				table++;
				was_table = 1;
			}
		} else
			was_table = 0;
		for (i = TMODEL_N / 2; i < TMODEL_N; i++)
			strings += model[i];
		model_done(a, ks, st, step, add, members, good, &clean);
	}
	ok(good, "%d random changes of integers and strings leave the set "
	    "equal to its model, walked, scanned and drawn from", step);
	ok(clean, "and the checker finds the arena whole every 100 steps");
	ok(table > 0 && ints > 0 && strings > 0, "it was an intset (%d "
	    "steps) and a table (%d)", ints, table);
	ok(back == 0, "a table never became an intset again while it lived");
	ok(kept, "the expiry survives every change and the conversion");
	(void)keyspace_delete(ks, 0, "tmodel", 6);
	ok(check_arena(a, 0, stderr, NULL) == 0, "its delete frees the "
	    "table whole");
	object_limits.ol_set_intset_entries = 512;
}

/* Crashes: one change of a set, killed at each crash point it hits. */
#define CRASH_BYTES	((size_t)16 << 20)

#define CRASH_ADD	0
#define CRASH_REMOVE	1
#define CRASH_WRITE	2

/* Tables of 60 and 40 members, for the changes of several. */
#define CRASH_M60							\
	"m0 m1 m2 m3 m4 m5 m6 m7 m8 m9 m10 m11 m12 m13 m14 m15 "	\
	"m16 m17 m18 m19 m20 m21 m22 m23 m24 m25 m26 m27 m28 m29 "	\
	"m30 m31 m32 m33 m34 m35 m36 m37 m38 m39 m40 m41 m42 m43 "	\
	"m44 m45 m46 m47 m48 m49 m50 m51 m52 m53 m54 m55 m56 m57 "	\
	"m58 m59"
#define CRASH_N40							\
	"n0 n1 n2 n3 n4 n5 n6 n7 n8 n9 n10 n11 n12 n13 n14 n15 "	\
	"n16 n17 n18 n19 n20 n21 n22 n23 n24 n25 n26 n27 n28 n29 "	\
	"n30 n31 n32 n33 n34 n35 n36 n37 n38 n39"

struct crash_scn {
	const char	*cs_what;
	unsigned	 cs_limit;	/* set-max-intset-entries */
	const char	*cs_before;	/* members, blank-separated */
	int		 cs_op;
	const char	*cs_change;	/* the members it names */
	const char	*cs_after;
};

static const struct crash_scn crash_scns[] = {
	{ "an add to an intset", 512, "1 2 3", CRASH_ADD, "4 -5", "-5 1 2 3 4" },
	{ "a removal from an intset", 512, "1 2 3", CRASH_REMOVE, "2 9",
	    "1 3" },
	{ "the last removal from an intset", 512, "7", CRASH_REMOVE, "7", "" },
	{ "an add of a string to an intset", 512, "1 2 3", CRASH_ADD, "x",
	    "1 2 3 x" },
	{ "an add past set-max-intset-entries", 4, "1 2 3 4", CRASH_ADD, "5",
	    "1 2 3 4 5" },
	{ "an add to a table", 512, "a b 1", CRASH_ADD, "c", "1 a b c" },
	{ "a removal from a table", 512, "a b 1", CRASH_REMOVE, "b", "1 a" },
	{ "the last removal from a table", 512, "a", CRASH_REMOVE, "a", "" },
	{ "a table written over an intset", 512, "1 2", CRASH_WRITE, "p q 3",
	    "3 p q" },
	{ "an intset written over a table", 512, "a b", CRASH_WRITE, "2 1",
	    "1 2" },
	{ "an add of several members to a table", 512, CRASH_M60, CRASH_ADD,
	    "n0 n1 n2 n3 n4 m3", CRASH_M60 " n0 n1 n2 n3 n4" },
	{ "a removal of several members from a table", 512, CRASH_M60,
	    CRASH_REMOVE, "m1 m7 m13 m22 m40 zz",
	    "m0 m2 m3 m4 m5 m6 m8 m9 m10 m11 m12 m14 m15 m16 m17 m18 "
	    "m19 m20 m21 m23 m24 m25 m26 m27 m28 m29 m30 m31 m32 m33 "
	    "m34 m35 m36 m37 m38 m39 m41 m42 m43 m44 m45 m46 m47 m48 "
	    "m49 m50 m51 m52 m53 m54 m55 m56 m57 m58 m59" },
	{ "an add of many members to a table", 512, CRASH_M60, CRASH_ADD,
	    CRASH_N40, CRASH_M60 " " CRASH_N40 },
};

/* v gets the blank-separated words of s (copied into sp). */
static void
crash_words(struct list_vec *v, struct set_pool *sp, const char *s)
{
	const char	*e;

	list_vec_init(v);
	while (*s != '\0') {
		if ((e = strchr(s, ' ')) == NULL)
			e = s + strlen(s);
		(void)list_vec_add(v, set_pool_copy(sp, s, (size_t)(e - s)),
		    (size_t)(e - s));
		s = *e == ' ' ? e + 1 : e;
	}
}

/* Does key "c" hold exactly the members `want' (sorted by bytes)? */
static int
crash_holds(struct keyspace *ks, const char *want)
{
	struct ks_key		 k;
	struct ks_stripe	*st;
	const struct entry	*e;
	struct list_vec		 v, w;
	struct set_pool		 sp;
	struct set_iter		 it;
	const char		*s;
	size_t			 len, i;
	int			 same;

	set_pool_init(&sp);
	crash_words(&w, &sp, want);
	list_vec_init(&v);
	keyspace_key(ks, &k, "c", 1);
	st = keyspace_lock(ks, 0, &k);
	if ((e = keyspace_peek_locked(ks, st, &k, NOW)) != NULL) {
		set_iter_init(&it, ks->ks_arena, e);
		while (set_iter_next(&it, &s, &len))
			(void)list_vec_add(&v, set_pool_copy(&sp, s, len),
			    len);
	}
	keyspace_unlock(ks, st);
	(void)set_vec_normalize(&v, NULL);
	(void)set_vec_normalize(&w, NULL);
	same = v.lv_n == w.lv_n;
	for (i = 0; same && i < v.lv_n; i++)
		same = v.lv_len[i] == w.lv_len[i] &&
		    memcmp(v.lv_ptr[i], w.lv_ptr[i], v.lv_len[i]) == 0;
	list_vec_free(&v);
	list_vec_free(&w);
	set_pool_free(&sp);
	return (same);
}

static void
crash_child(struct keyspace *ks, const struct crash_scn *s,
    uint64_t countdown)
{
	struct ks_key		 k;
	struct ks_stripe	*st;
	const struct entry	*e;
	struct list_vec		 v;
	struct set_pool		 sp;
	uint64_t		 n;
	int			 rv;

	object_limits.ol_set_intset_entries = s->cs_limit;
	set_pool_init(&sp);
	keyspace_key(ks, &k, "c", 1);
	crash_words(&v, &sp, s->cs_before);
	st = keyspace_lock(ks, 0, &k);
	if (set_write_locked(ks, st, &k, &v, KEYSPACE_NO_EXPIRE) == -1)
		_exit(3);
	keyspace_unlock(ks, st);
	list_vec_free(&v);
	crash_words(&v, &sp, s->cs_change);
	crashpoint_arm("any", countdown);
	st = keyspace_lock(ks, 0, &k);
	e = keyspace_peek_locked(ks, st, &k, NOW);
	if (s->cs_op == CRASH_ADD)
		rv = set_add_locked(ks, st, &k, e, &v, &n);
	else if (s->cs_op == CRASH_REMOVE)
		rv = set_remove_locked(ks, st, &k, e, &v, &n);
	else
		rv = set_write_locked(ks, st, &k, &v, KEYSPACE_NO_EXPIRE);
	_exit(rv == 0 ? 0 : 3);
}

/*
 * One trial: 1 when the store is consistent afterwards; *killed says
 * whether the child died.
 */
struct crash_arg {
	const struct crash_scn	*ca_scn;
	uint64_t		 ca_countdown;
};

static void
crash_run(struct keyspace *ks, const void *arg)
{
	const struct crash_arg	*ca = arg;

	crash_child(ks, ca->ca_scn, ca->ca_countdown);
}

static int
crash_trial(const struct crash_scn *s, uint64_t countdown, uint64_t repair,
    int *killed)
{
	struct crash_arg	 ca = { s, countdown };
	struct arena		 a;
	struct keyspace		 ks;
	int			 good;

	memset(&a, 0, sizeof(a));
	if ((good = testarena_crash_run(&a, &ks, CRASH_BYTES, s->cs_what,
	    crash_run, &ca, repair, killed) == 0) == 0)
		diag("%s: after a kill at hit %llu", s->cs_what,
		    (unsigned long long)countdown);
	if (a.ar_base == NULL)
		return (0);
	if (!crash_holds(&ks, s->cs_after) &&
	    (!*killed || !crash_holds(&ks, s->cs_before))) {
		diag("%s: %s at hit %llu, the set is neither as before nor as "
		    "after", s->cs_what, *killed ? "killed" : "not killed",
		    (unsigned long long)countdown);
		good = 0;
	}
	testarena_destroy(&a);
	return (good);
}

static void
test_crash(void)
{
	const struct crash_scn	*s;
	uint64_t		 c;
	size_t			 i;
	unsigned		 kills, broken;
	int			 killed;

	if (!ok(crashpoint_enabled(), "this build has crash points"))
		return;
	/* Repairs follow: keep their notes quiet. */
	log_init("set_test", 1, -1);
	for (i = 0; i < nitems(crash_scns); i++) {
		s = &crash_scns[i];
		kills = broken = 0;
		for (c = 1; c < 2000; c++) {
			broken += !crash_trial(s, c, c % 3 == 0 ?
			    1 + c % 7 : 0, &killed);
			if (!killed)
				break;
			kills++;
		}
		ok(kills > 0 && broken == 0 && c < 2000, "%s: killed at each "
		    "of its %u crash point hits, the set is as before or as "
		    "after and the arena whole (%u broken)", s->cs_what, kills,
		    broken);
	}
	object_limits.ol_set_intset_entries = 512;
}

int
main(void)
{
	struct arena	 a;
	struct keyspace	 ks;

	tap_no_plan();
	test_parse();
	test_width();
	test_array();
	if (!ok(testarena_store(&a, &ks, SIZE, 2) == 0,
	    "a 64 MiB store with 4 stripes"))
		return (tap_done());
	test_model(&a, &ks);
	test_write(&a, &ks);
	test_table(&a, &ks);
	testarena_destroy(&a);
	test_crash();
	return (tap_done());
}
