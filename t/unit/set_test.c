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
 * expiry when the caller passes it.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hydra/arena.h"
#include "hydra/check.h"
#include "hydra/intset.h"
#include "hydra/keyspace.h"
#include "hydra/list.h"
#include "hydra/object.h"
#include "hydra/reply.h"
#include "hydra/set.h"
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

static void
test_model(struct arena *a, struct keyspace *ks)
{
	struct ks_key		 k;
	struct ks_stripe	*st;
	const struct entry	*e;
	struct list_vec		 v;
	struct set_pool		 sp;
	char			 model[MODEL_N], buf[INTSET_DIGITS];
	const char		*s;
	size_t			 members = 0, len;
	uint64_t		 did, want;
	unsigned		 width = 0;
	int			 step, j, i, add, good = 1, clean = 1;
	int			 narrowed = 0, gone = 0, wide = 0;

	memset(model, 0, sizeof(model));
	keyspace_key(ks, &k, "model", 5);
	object_limits.ol_set_intset_entries = MODEL_N;
	for (step = 0; step < 3000 && good && clean; step++) {
		/* A few members that come and go, then many, then fewer. */
		add = step < 1000 ? arc4random_uniform(2) :
		    arc4random_uniform(5) < (step < 2000 ? 3U : 2U);
		list_vec_init(&v);
		set_pool_init(&sp);
		want = 0;
		for (j = 1 + (int)arc4random_uniform(4); j > 0; j--) {
			i = (int)arc4random_uniform(step < 1000 ? 6 :
			    MODEL_N);
			len = reply_fmt_ll(buf, model_value(i));
			s = set_pool_copy(&sp, buf, len);
			(void)list_vec_add(&v, s, len);
			if (model[i] != add) {
				model[i] = (char)add;
				want++;
			}
		}
		st = keyspace_lock(ks, 0, &k);
		e = keyspace_peek_locked(ks, st, &k, NOW);
		if (add)
			good &= set_add_locked(ks, st, &k, e, &v, &did) == 0;
		else if (e != NULL)
			good &= set_remove_locked(ks, st, &k, e, &v,
			    &did) == 0;
		else
			did = 0;
		good &= did == want;
		members = add ? members + want : members - want;
		e = keyspace_peek_locked(ks, st, &k, NOW);
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
		keyspace_unlock(ks, st);
		list_vec_free(&v);
		set_pool_free(&sp);
		if (step % 100 == 0)
			clean &= check_arena(a, 0, stderr, NULL) == 0;
		if (!good)
			diag("step %d: %s of %zu members", step, add ? "add" :
			    "remove", members);
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
	object_limits.ol_set_intset_entries = 3;
	vec_of(&v, nums);
	ok(set_vec_normalize(&v, &ints) == 0 && !ints, "more integers than "
	    "set-max-intset-entries do not fit an intset");
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
	list_vec_init(&v);
	ok(set_write_locked(ks, st, &k, &v, KEYSPACE_NO_EXPIRE) == 0 &&
	    keyspace_peek_locked(ks, st, &k, NOW) == NULL,
	    "writing no members deletes the key");
	keyspace_unlock(ks, st);
	ok(check_arena(a, 0, stderr, NULL) == 0, "the arena is whole");
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
	testarena_destroy(&a);
	return (tap_done());
}
