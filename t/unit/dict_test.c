/*
 * dict_test.c: checks the arena hash table (dict.c) and its hooks in
 * value.c.
 *
 * A table driven by random sets and deletes of fields (binary, empty,
 * long, with empty and long values) holds exactly what a model holds:
 * every field is found with its value or not found, iteration yields
 * each pair once, the counts agree, and the checker finds the arena
 * whole, as the table grows one bucket at a time to 100,000 pairs and
 * shrinks back to nothing (which deletes the key).  A table written
 * whole keeps the last of repeated fields.  Values of several MiB live
 * in nodes of their own runs of pages.  A scan visits every pair
 * present for its whole length while the table grows and shrinks in
 * between its steps.  A random pair is close to uniform.  COPY is deep,
 * RENAME and MOVE hand over the very chunks, and deleting, overwriting,
 * expiring and flushing free every chunk.  A small arena that fills up
 * makes sets, deletes, writes and copies fail with -1 and leaves every
 * table as it was.  A process killed at every crash point hit of each
 * kind of change (adds that split and add segments, replacements,
 * deletes that merge and drop segments, writes, copies, renames) leaves
 * the table wholly as before or wholly as after, with a clean checker.
 * The checker notices a wrong count, pairs in the wrong bucket, a broken
 * chain link and a node off the chain.  And 1,000 pairs take fewer arena
 * bytes than Redis 7.0 spends on them.
 */
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hydra/arena.h"
#include "hydra/check.h"
#include "hydra/crashpoint.h"
#include "hydra/dict.h"
#include "hydra/keyspace.h"
#include "hydra/log.h"
#include "hydra/object.h"
#include "hydra/slab.h"
#include "hydra/store.h"
#include "hydra/value.h"
#include "tap.h"
#include "testarena.h"

#define SIZE	((size_t)256 << 20)
#define NOW	INT64_C(1700000000000)
#define HTAG	(OBJ_HASH | OBJ_HASH_TABLE)
#define STAG	(OBJ_SET | OBJ_SET_TABLE)

/*
 * Field i of the model: "f<i>" mostly, some binary with zero bytes, some
 * long (300 bytes), field 0 empty.  Its value from (i, gen): sometimes
 * empty, sometimes long.
 */
static size_t
field_of(uint32_t i, char *buf)
{
	size_t	 n;

	if (i == 0)
		return (0);
	if (i % 97 == 5) {
		memset(buf, 'L', 300);
		return (300 - 12 + (size_t)snprintf(buf + 288, 13, "%012u",
		    i));
	}
	if (i % 13 == 3) {
		buf[0] = '\0';
		buf[1] = (char)0xff;
		memcpy(buf + 2, &i, sizeof(i));
		buf[6] = '\0';
		return (7);
	}
	n = (size_t)snprintf(buf, 16, "f%u", i);
	return (n);
}

static size_t
value_of(uint32_t i, uint32_t gen, char *buf)
{
	size_t	 len, k;

	if (gen % 5 == 0)
		return (0);
	len = (i * 7 + gen * 13) % 40;
	if ((i + gen) % 53 == 0)
		len = 1000 + i % 200;
	for (k = 0; k < len; k++)
		buf[k] = (char)(i * 31 + gen * 17 + k);
	return (len);
}

/* The model: field i is present with value generation gen[i] (or 0). */
struct model {
	uint32_t	*gen;		/* 0: absent */
	uint32_t	 nfields;
	uint64_t	 count;
};

static void
model_init(struct model *m, uint32_t nfields)
{
	m->gen = calloc(nfields, sizeof(*m->gen));
	m->nfields = nfields;
	m->count = 0;
}

static int
set_field(struct keyspace *ks, struct ks_stripe *st, const struct ks_key *k,
    struct model *m, uint32_t i, uint32_t gen)
{
	char			 f[320], v[1300];
	size_t			 flen = field_of(i, f);
	size_t			 vlen = value_of(i, gen, v);
	const struct entry	*e = keyspace_peek_locked(ks, st, k, NOW);
	struct dict_pair	 p;
	int			 rv;

	if (e == NULL) {
		p.dp_field = f;
		p.dp_flen = flen;
		p.dp_value = v;
		p.dp_vlen = vlen;
		rv = dict_write_locked(ks, st, k, HTAG, &p, 1,
		    KEYSPACE_NO_EXPIRE) == 0 ? 1 : -1;
	} else
		rv = dict_set_locked(ks, st, k, e, f, flen, v, vlen);
	if (rv == -1)
		return (-1);
	if (rv != (m->gen[i] == 0))
		return (-2);
	m->count += m->gen[i] == 0;
	m->gen[i] = gen;
	return (rv);
}

static int
del_field(struct keyspace *ks, struct ks_stripe *st, const struct ks_key *k,
    struct model *m, uint32_t i)
{
	char			 f[320];
	size_t			 flen = field_of(i, f);
	const struct entry	*e = keyspace_peek_locked(ks, st, k, NOW);
	int			 rv;

	if (e == NULL)
		return (m->gen[i] == 0 ? 0 : -2);
	rv = dict_delete_locked(ks, st, k, e, f, flen);
	if (rv == -1)
		return (-1);
	if (rv != (m->gen[i] != 0))
		return (-2);
	m->count -= m->gen[i] != 0;
	m->gen[i] = 0;
	return (rv);
}

/*
 * One batch on the table of k: field idx[i] set to generation gen[i], or
 * deleted when gen[i] is 0.  Checks each change's result and the return
 * against the model, which it then updates: the return of
 * dict_batch_locked(), or -2 on a mismatch.
 */
static int
batch_fields(struct keyspace *ks, struct ks_stripe *st,
    const struct ks_key *k, struct model *m, const uint32_t *idx,
    const uint32_t *gen, size_t n)
{
	const struct entry	*e = keyspace_peek_locked(ks, st, k, NOW);
	struct dict_change	*ch;
	uint32_t		*g;
	char			*buf;
	int			*res, rv, good = 1;
	uint64_t		 count = m->count;
	size_t			 i;

	if (e == NULL)
		return (-2);
	ch = calloc(n, sizeof(*ch));
	res = calloc(n, sizeof(*res));
	buf = calloc(n, 1620);
	g = malloc(m->nfields * sizeof(*g));
	memcpy(g, m->gen, m->nfields * sizeof(*g));
	for (i = 0; i < n; i++) {
		ch[i].dc_field = buf + i * 1620;
		ch[i].dc_flen = field_of(idx[i], buf + i * 1620);
		ch[i].dc_value = buf + i * 1620 + 320;
		ch[i].dc_vlen = gen[i] == 0 ? 0 : value_of(idx[i], gen[i],
		    buf + i * 1620 + 320);
		ch[i].dc_delete = gen[i] == 0;
	}
	rv = dict_batch_locked(ks, st, k, e, ch, n, res);
	if (rv >= 0) {
		for (i = 0; i < n; i++) {
			good &= res[i] == (gen[i] == 0 ? g[idx[i]] != 0 :
			    g[idx[i]] == 0);
			count += gen[i] != 0 && g[idx[i]] == 0;
			count -= gen[i] == 0 && g[idx[i]] != 0;
			g[idx[i]] = gen[i];
		}
		good &= rv == (count == 0);
		memcpy(m->gen, g, m->nfields * sizeof(*g));
		m->count = count;
	}
	free(ch);
	free(res);
	free(buf);
	free(g);
	return (good ? rv : -2);
}

/* Does the table of k hold exactly the model (finds, count, iteration)? */
static int
table_matches(struct keyspace *ks, struct ks_stripe *st,
    const struct ks_key *k, const struct model *m, int finds)
{
	const struct entry	*e = keyspace_peek_locked(ks, st, k, NOW);
	struct dict_iter	 it;
	struct dict_pair	 p;
	char			 f[320], v[1300];
	uint8_t			*seen;
	size_t			 flen, vlen;
	uint64_t		 n = 0;
	uint32_t		 i;
	int			 good = 1;

	if (e == NULL)
		return (m->count == 0);
	if (!dict_is_table(e->e_type) || dict_count(ks->ks_arena, e) !=
	    m->count)
		return (0);
	for (i = 0; finds && good && i < m->nfields; i++) {
		flen = field_of(i, f);
		if (!dict_find(ks->ks_arena, e, f, flen, &p)) {
			good = m->gen[i] == 0;
			continue;
		}
		vlen = value_of(i, m->gen[i], v);
		good = m->gen[i] != 0 && p.dp_vlen == vlen &&
		    memcmp(p.dp_value, v, vlen) == 0 && p.dp_flen == flen &&
		    memcmp(p.dp_field, f, flen) == 0;
	}
	/* Iteration: each pair once, each a model's pair. */
	seen = calloc(m->nfields, 1);
	dict_iter_init(&it, ks->ks_arena, e);
	while (good && dict_iter_next(&it, &p)) {
		n++;
		/* Fields name their index: parse it back through a find. */
		for (i = 0; i < m->nfields; i++)
			if (m->gen[i] != 0 && !seen[i] &&
			    (flen = field_of(i, f)) == p.dp_flen &&
			    memcmp(f, p.dp_field, flen) == 0)
				break;
		if (i == m->nfields) {
			good = 0;
			break;
		}
		seen[i] = 1;
		vlen = value_of(i, m->gen[i], v);
		good = p.dp_vlen == vlen && memcmp(p.dp_value, v, vlen) == 0;
	}
	free(seen);
	return (good && n == m->count);
}

/* The same, quicker for big tables: finds and the count only. */
static int
table_finds(struct keyspace *ks, struct ks_stripe *st,
    const struct ks_key *k, const struct model *m)
{
	const struct entry	*e = keyspace_peek_locked(ks, st, k, NOW);
	struct dict_iter	 it;
	struct dict_pair	 p;
	char			 f[320], v[1300];
	size_t			 flen, vlen;
	uint64_t		 n = 0;
	uint32_t		 i;

	if (e == NULL)
		return (m->count == 0);
	if (dict_count(ks->ks_arena, e) != m->count)
		return (0);
	for (i = 0; i < m->nfields; i++) {
		flen = field_of(i, f);
		if (!dict_find(ks->ks_arena, e, f, flen, &p)) {
			if (m->gen[i] != 0)
				return (0);
			continue;
		}
		vlen = value_of(i, m->gen[i], v);
		if (m->gen[i] == 0 || p.dp_vlen != vlen ||
		    memcmp(p.dp_value, v, vlen) != 0)
			return (0);
	}
	dict_iter_init(&it, ks->ks_arena, e);
	while (dict_iter_next(&it, &p))
		n++;
	return (n == m->count);
}

static void
test_model(struct arena *a, struct keyspace *ks, uint32_t nfields,
    int steps)
{
	struct model		 m;
	struct ks_key		 k;
	struct ks_stripe	*st;
	int			 i, good = 1, clean = 1, rv;

	model_init(&m, nfields);
	keyspace_key(ks, &k, "model", 5);
	for (i = 0; i < steps && good && clean; i++) {
		st = keyspace_lock(ks, 0, &k);
		/* Phases: mostly adds, then mixed, then mostly deletes. */
		if (arc4random_uniform(steps) > (uint32_t)(i < steps / 2 ?
		    steps - i : i / 2))
			rv = del_field(ks, st, &k, &m,
			    arc4random_uniform(nfields));
		else
			rv = set_field(ks, st, &k, &m,
			    arc4random_uniform(nfields),
			    1 + arc4random_uniform(1000));
		good &= rv >= 0;
		if (i % 25 == 0)
			good &= table_matches(ks, st, &k, &m, 1);
		keyspace_unlock(ks, st);
		if (i % 100 == 0)
			clean &= check_arena(a, 0, stderr, NULL) == 0;
	}
	st = keyspace_lock(ks, 0, &k);
	good &= table_matches(ks, st, &k, &m, 1);
	keyspace_unlock(ks, st);
	ok(good, "%u fields: %d random sets and deletes leave the table "
	    "equal to the model (%llu pairs)", nfields, i,
	    (unsigned long long)m.count);
	ok(clean && check_arena(a, 0, stderr, NULL) == 0, "and the checker "
	    "finds the arena whole every 100 steps");
	(void)keyspace_delete(ks, 0, "model", 5);
	free(m.gen);
}

/*
 * Batches of many sizes, mixing sets and deletes (some of one field
 * twice), leave the table equal to the model, each change's result as
 * if alone at its turn, and the arena whole; a batch of a few buckets
 * keeps the table's root (it rewrote only the nodes it touched), one of
 * most buckets rewrites it; a batch that deletes every field deletes
 * the key.
 */
static void
test_batch(struct arena *a, struct keyspace *ks)
{
	static const size_t	 sizes[] = { 1, 2, 3, 5, 8, 13, 40, 100, 250,
	    1000, 3000 };
	struct model		 m;
	struct ks_key		 k;
	struct ks_stripe	*st;
	const struct entry	*e;
	uint32_t		 idx[6001], gen[6001], nf = 6000, i;
	size_t			 si, round, j, kept = 0, rewrote = 0;
	aoff_t			 root;
	int			 good = 1, clean = 1, rv;

	model_init(&m, nf);
	keyspace_key(ks, &k, "batch", 5);
	st = keyspace_lock(ks, 0, &k);
	good &= set_field(ks, st, &k, &m, 1, 1) == 1;
	for (round = 0; round < 3; round++) {
		for (si = 0; si < nitems(sizes) && good && clean; si++) {
			for (j = 0; j < sizes[si]; j++) {
				idx[j] = arc4random_uniform(j > 0 && j % 7 ==
				    0 ? 50 : nf);
				gen[j] = arc4random_uniform(round == 2 ? 3 :
				    5) == 0 ? 0 : 1 + arc4random_uniform(900);
			}
			e = keyspace_peek_locked(ks, st, &k, NOW);
			root = e != NULL ? dict_chain(a, e) : AOFF_NULL;
			rv = batch_fields(ks, st, &k, &m, idx, gen,
			    sizes[si]);
			good &= rv >= 0;
			if (rv == 1)
				good &= set_field(ks, st, &k, &m, 2, 1) == 1;
			e = keyspace_peek_locked(ks, st, &k, NOW);
			if (rv == 0 && sizes[si] <= 13 && m.count > 1000)
				kept += aoff_eq(root, dict_chain(a, e));
			if (rv == 0 && sizes[si] >= 1000 && m.count < 3000)
				rewrote += !aoff_eq(root, dict_chain(a, e));
			good &= table_finds(ks, st, &k, &m);
			keyspace_unlock(ks, st);
			clean &= check_arena(a, 0, stderr, NULL) == 0;
			st = keyspace_lock(ks, 0, &k);
		}
	}
	good &= table_matches(ks, st, &k, &m, 1);
	ok(good, "batches of 1 to 3000 changes leave the table equal to the "
	    "model, each result right (%llu pairs)",
	    (unsigned long long)m.count);
	ok(clean, "and the checker finds the arena whole after each");
	ok(kept >= 5 && rewrote >= 1, "small batches on a big table keep its "
	    "root (%zu did), batches of most of it rewrite it (%zu did)",
	    kept, rewrote);
	/* Every field deleted at once: the key goes. */
	for (i = 0, j = 0; i < nf; i++)
		if (m.gen[i] != 0 || i == 1) {
			idx[j] = i;
			gen[j++] = 0;
		}
	rv = batch_fields(ks, st, &k, &m, idx, gen, j);
	ok(rv == 1 && m.count == 0 && keyspace_peek_locked(ks, st, &k, NOW) ==
	    NULL, "a batch that deletes every field deletes the key");
	keyspace_unlock(ks, st);
	(void)keyspace_delete(ks, 0, "batch", 5);
	ok(check_arena(a, 0, stderr, NULL) == 0, "the checker is clean");
	free(m.gen);
}

/* Grow a table to n pairs by sets, then shrink it by deletes. */
static void
test_growth(struct arena *a, struct keyspace *ks, uint32_t n)
{
	static const uint32_t	 marks[] = { 1, 2, 3, 5, 9, 17, 33, 100, 257,
	    1000, 4097, 10000, 30000, 65537, 100000 };
	struct model		 m;
	struct ks_key		 k;
	struct ks_stripe	*st;
	struct slab_stats	 ss;
	uint64_t		 used0;
	uint32_t		 i, j = 0;
	int			 good = 1, clean = 1, gone;

	/* The key's stripe has its bucket table before the count. */
	keyspace_put(ks, 0, "grow", 4, OBJ_STRING, "s", 1, KEYSPACE_NO_EXPIRE);
	(void)keyspace_delete(ks, 0, "grow", 4);
	slab_stats(a, &ss);
	used0 = ss.bytes_used;
	model_init(&m, n);
	keyspace_key(ks, &k, "grow", 4);
	st = keyspace_lock(ks, 0, &k);
	for (i = 0; i < n && good; i++) {
		good &= set_field(ks, st, &k, &m, i, i + 1) == 1;
		if (j < nitems(marks) && i + 1 == marks[j]) {
			j++;
			good &= i + 1 > 2000 ? table_finds(ks, st, &k, &m) :
			    table_matches(ks, st, &k, &m, 1);
			keyspace_unlock(ks, st);
			clean &= check_arena(a, 0, stderr, NULL) == 0;
			st = keyspace_lock(ks, 0, &k);
		}
	}
	ok(good && clean, "a table grown by sets to %u pairs holds them all "
	    "at each of %u sizes, with a clean checker", n, j);
	/* Replace every other value: the count stays. */
	for (i = 0; i < n && good; i += 2)
		good &= set_field(ks, st, &k, &m, i, i + 7) == 0;
	good &= table_finds(ks, st, &k, &m);
	ok(good, "replacing %u values keeps the count and the new values",
	    n / 2);
	for (i = 0, j = 0; i < n && good; i++) {
		good &= del_field(ks, st, &k, &m, (i * 7919) % n) == 1;
		if (n - i - 1 == n / 2 || n - i - 1 == n / 16 ||
		    n - i - 1 == 3) {
			good &= table_finds(ks, st, &k, &m);
			keyspace_unlock(ks, st);
			clean &= check_arena(a, 0, stderr, NULL) == 0;
			st = keyspace_lock(ks, 0, &k);
		}
	}
	gone = keyspace_peek_locked(ks, st, &k, NOW) == NULL;
	keyspace_unlock(ks, st);
	ok(good && clean && gone, "deleting them all shrinks it soundly, "
	    "and the last delete deletes the key");
	slab_stats(a, &ss);
	ok(check_arena(a, 0, stderr, NULL) == 0 && ss.bytes_used == used0,
	    "every chunk is freed (%llu bytes used, %llu before)",
	    (unsigned long long)ss.bytes_used, (unsigned long long)used0);
	free(m.gen);
}

/* Write tables whole, of many sizes, with repeated fields. */
static void
test_write(struct arena *a, struct keyspace *ks)
{
	static const size_t	 sizes[] = { 1, 2, 3, 4, 5, 8, 9, 31, 100,
	    129, 1000, 5000, 100000 };
	struct ks_key		 k;
	struct ks_stripe	*st;
	struct dict_pair	*pairs;
	struct model		 m;
	char			*buf;
	size_t			 s, i, n, off;
	int			 good = 1, clean = 1;

	keyspace_key(ks, &k, "written", 7);
	for (s = 0; s < nitems(sizes) && good; s++) {
		n = sizes[s];
		model_init(&m, (uint32_t)n);
		pairs = calloc(n + n / 10 + 1, sizeof(*pairs));
		buf = malloc((n + n / 10 + 1) * 1600);
		/* Every field once, then a tenth again with new values. */
		for (i = 0, off = 0; i < n + n / 10; i++) {
			uint32_t	 f = (uint32_t)(i < n ? i :
			    (i * 7) % n);
			uint32_t	 gen = i < n ? 1 : 2;

			pairs[i].dp_field = buf + off;
			pairs[i].dp_flen = field_of(f, buf + off);
			off += pairs[i].dp_flen;
			pairs[i].dp_value = buf + off;
			pairs[i].dp_vlen = value_of(f, gen, buf + off);
			off += pairs[i].dp_vlen;
			m.gen[f] = gen;
		}
		m.count = n;
		st = keyspace_lock(ks, 0, &k);
		good &= dict_write_locked(ks, st, &k, HTAG, pairs,
		    n + n / 10, KEYSPACE_NO_EXPIRE) == 0;
		good &= n > 2000 ? table_finds(ks, st, &k, &m) :
		    table_matches(ks, st, &k, &m, 1);
		keyspace_unlock(ks, st);
		clean &= check_arena(a, 0, stderr, NULL) == 0;
		free(pairs);
		free(buf);
		free(m.gen);
	}
	ok(good && clean, "tables written whole of 1 to 100000 pairs hold "
	    "each field once, the last value given, with a clean checker");
	st = keyspace_lock(ks, 0, &k);
	good = dict_write_locked(ks, st, &k, HTAG, NULL, 0,
	    KEYSPACE_NO_EXPIRE) == 0 && keyspace_peek_locked(ks, st, &k,
	    NOW) == NULL;
	keyspace_unlock(ks, st);
	ok(good && check_arena(a, 0, stderr, NULL) == 0, "writing no pairs "
	    "deletes the key and frees the table");
}

/* Values of several MiB: nodes that take runs of pages. */
static void
test_big(struct arena *a, struct keyspace *ks)
{
	struct ks_key		 k;
	struct ks_stripe	*st;
	struct dict_pair	 p;
	char			*big, f[16];
	size_t			 len = (size_t)3 << 20, flen;
	uint32_t		 i;
	int			 good = 1;

	big = malloc(len);
	for (i = 0; i < len; i++)
		big[i] = (char)(i * 13 + i / 4096);
	keyspace_key(ks, &k, "big", 3);
	st = keyspace_lock(ks, 0, &k);
	/* 40 fields, every fourth with a value of 3 MiB. */
	for (i = 0; i < 40 && good; i++) {
		p.dp_field = f;
		p.dp_flen = flen = (size_t)snprintf(f, sizeof(f), "f%u", i);
		p.dp_value = big;
		p.dp_vlen = i % 4 == 0 ? len - i : i;
		good = (i == 0 ? dict_write_locked(ks, st, &k, HTAG, &p, 1,
		    KEYSPACE_NO_EXPIRE) : dict_set_locked(ks, st, &k,
		    keyspace_peek_locked(ks, st, &k, NOW), f, flen, big,
		    p.dp_vlen)) >= 0;
	}
	for (i = 0; i < 40 && good; i++) {
		flen = (size_t)snprintf(f, sizeof(f), "f%u", i);
		good = dict_find(ks->ks_arena, keyspace_peek_locked(ks, st, &k,
		    NOW), f, flen, &p) && p.dp_vlen == (i % 4 == 0 ? len - i :
		    i) && memcmp(p.dp_value, big, p.dp_vlen) == 0;
	}
	keyspace_unlock(ks, st);
	ok(good && check_arena(a, 0, stderr, NULL) == 0, "a table of 40 "
	    "pairs, 10 of them with values of 3 MiB, holds them all through "
	    "its splits, with a clean checker");
	st = keyspace_lock(ks, 0, &k);
	for (i = 0; i < 40 && good; i += 2) {
		flen = (size_t)snprintf(f, sizeof(f), "f%u", i);
		good = dict_delete_locked(ks, st, &k, keyspace_peek_locked(ks,
		    st, &k, NOW), f, flen) == 1;
	}
	keyspace_unlock(ks, st);
	ok(good && check_arena(a, 0, stderr, NULL) == 0, "deleting half of "
	    "them, the big ones included, frees their pages");
	(void)keyspace_delete(ks, 0, "big", 3);
	ok(check_arena(a, 0, stderr, NULL) == 0, "and so does deleting the "
	    "key");
	free(big);
}

/* Scans. */

struct scan_seen {
	uint8_t		*seen;
	uint32_t	 nfields;
	uint64_t	 visits;
};

static void
scan_visit(const struct dict_pair *p, void *arg)
{
	struct scan_seen	*ss = arg;
	uint32_t		 i;

	ss->visits++;
	/* Fields "f<i>" only in this test. */
	if (p->dp_flen > 1 && p->dp_field[0] == 'f') {
		i = (uint32_t)strtoul(p->dp_field + 1, NULL, 10);
		if (i < ss->nfields)
			ss->seen[i] = 1;
	}
}

static void
scan_put(struct keyspace *ks, struct ks_stripe *st, const struct ks_key *k,
    uint32_t i, int add)
{
	const struct entry	*e = keyspace_peek_locked(ks, st, k, NOW);
	struct dict_pair	 p;
	char			 f[16];

	p.dp_field = f;
	p.dp_flen = (size_t)snprintf(f, sizeof(f), "f%u", i);
	p.dp_value = "v";
	p.dp_vlen = 1;
	if (e == NULL && add)
		(void)dict_write_locked(ks, st, k, STAG, &p, 1,
		    KEYSPACE_NO_EXPIRE);
	else if (add)
		(void)dict_set_locked(ks, st, k, e, f, p.dp_flen, "v", 1);
	else if (e != NULL)
		(void)dict_delete_locked(ks, st, k, e, f, p.dp_flen);
}

/*
 * Fields [0, keep) stay for the whole scan; fields from 100000 up come
 * (grow) or fields [keep, base) go (shrink) between its steps.
 */
static int
scan_run(struct keyspace *ks, uint32_t keep, uint32_t base, int grow,
    uint64_t *steps)
{
	struct ks_key		 k;
	struct ks_stripe	*st;
	struct scan_seen	 ss;
	uint64_t		 cursor = 0;
	uint32_t		 i, next = 100000, gone = keep;
	int			 good = 1;

	keyspace_key(ks, &k, "scan", 4);
	st = keyspace_lock(ks, 0, &k);
	for (i = 0; i < base; i++)
		scan_put(ks, st, &k, i, 1);
	ss.seen = calloc(200000, 1);
	ss.nfields = 200000;
	ss.visits = 0;
	*steps = 0;
	do {
		cursor = dict_scan(ks->ks_arena, keyspace_peek_locked(ks, st,
		    &k, NOW), cursor, scan_visit, &ss);
		(*steps)++;
		for (i = 0; i < 7; i++) {
			if (grow)
				scan_put(ks, st, &k, next++, 1);
			else if (gone < base)
				scan_put(ks, st, &k, gone++, 0);
		}
	} while (cursor != 0 && *steps < 10000000);
	for (i = 0; i < keep; i++)
		good &= ss.seen[i];
	(void)keyspace_delete_locked(ks, st, &k);
	keyspace_unlock(ks, st);
	free(ss.seen);
	return (good);
}

static void
test_scan(struct arena *a, struct keyspace *ks)
{
	static const struct {
		uint32_t	 keep, base;
		int		 grow;
		const char	*what;
	} runs[] = {
		{ 1000, 1000, 0, "in a still table" },
		{ 500, 500, 1, "while 7 more come at every step" },
		{ 3, 3, 1, "while the table grows from one bucket" },
		{ 300, 20000, 0, "while 19700 others go, 7 at every step" },
	};
	uint64_t	 steps;
	size_t		 i;
	int		 good;

	for (i = 0; i < nitems(runs); i++) {
		good = scan_run(ks, runs[i].keep, runs[i].base, runs[i].grow,
		    &steps);
		ok(good, "a scan visits every one of %u pairs that stay, %s "
		    "(%llu steps)", runs[i].keep, runs[i].what,
		    (unsigned long long)steps);
	}
	ok(check_arena(a, 0, stderr, NULL) == 0, "the checker is clean "
	    "after the scans");
}

static void
test_random(struct keyspace *ks)
{
	struct ks_key		 k;
	struct ks_stripe	*st;
	const struct entry	*e;
	struct dict_pair	 p;
	uint32_t		*hits, i, lo = UINT32_MAX, hi = 0, n = 1000;
	uint32_t		 draws = 400000;
	int			 good = 1;

	keyspace_key(ks, &k, "random", 6);
	st = keyspace_lock(ks, 0, &k);
	for (i = 0; i < n; i++)
		scan_put(ks, st, &k, i, 1);
	e = keyspace_peek_locked(ks, st, &k, NOW);
	hits = calloc(n, sizeof(*hits));
	for (i = 0; i < draws; i++) {
		uint64_t	 r;

		arc4random_buf(&r, sizeof(r));
		dict_random(ks->ks_arena, e, r, &p);
		if (p.dp_flen < 2 || p.dp_field[0] != 'f') {
			good = 0;
			break;
		}
		hits[strtoul(p.dp_field + 1, NULL, 10) % n]++;
	}
	for (i = 0; i < n; i++) {
		lo = hits[i] < lo ? hits[i] : lo;
		hi = hits[i] > hi ? hits[i] : hi;
	}
	/* 400 expected each; 7 standard deviations is 140. */
	ok(good && lo >= 260 && hi <= 540, "%u random draws from 1000 pairs "
	    "hit each %u to %u times (400 expected)", draws, lo, hi);
	/* One pair: always it. */
	(void)keyspace_delete_locked(ks, st, &k);
	scan_put(ks, st, &k, 42, 1);
	e = keyspace_peek_locked(ks, st, &k, NOW);
	dict_random(ks->ks_arena, e, 12345, &p);
	ok(p.dp_flen == 3 && memcmp(p.dp_field, "f42", 3) == 0,
	    "a table of one pair draws that pair");
	(void)keyspace_delete_locked(ks, st, &k);
	keyspace_unlock(ks, st);
	free(hits);
}

/* Make key `name' of db a table of fields f0 .. f<n-1>. */
static void
fill_table(struct keyspace *ks, unsigned db, const char *name, uint32_t n,
    uint8_t tag)
{
	struct ks_key		 k;
	struct ks_stripe	*st;
	struct dict_pair	*p = calloc(n, sizeof(*p));
	char			*buf = malloc((size_t)n * 16);
	uint32_t		 i;

	keyspace_key(ks, &k, name, strlen(name));
	for (i = 0; i < n; i++) {
		p[i].dp_field = buf + i * 16;
		p[i].dp_flen = (size_t)snprintf(buf + i * 16, 16, "f%u", i);
		p[i].dp_value = tag == HTAG ? p[i].dp_field : "";
		p[i].dp_vlen = tag == HTAG ? p[i].dp_flen : 0;
	}
	st = keyspace_lock(ks, db, &k);
	(void)dict_write_locked(ks, st, &k, tag, p, n, KEYSPACE_NO_EXPIRE);
	keyspace_unlock(ks, st);
	free(p);
	free(buf);
}

/* The root of key `name' (null when missing) and its count. */
static aoff_t
table_of(struct keyspace *ks, unsigned db, const char *name, uint64_t *n)
{
	struct ks_key		 k;
	struct ks_stripe	*st;
	const struct entry	*e;
	aoff_t			 o = AOFF_NULL;

	keyspace_key(ks, &k, name, strlen(name));
	st = keyspace_lock(ks, db, &k);
	*n = 0;
	if ((e = keyspace_peek_locked(ks, st, &k, NOW)) != NULL &&
	    dict_is_table(e->e_type)) {
		o = dict_chain(ks->ks_arena, e);
		*n = dict_count(ks->ks_arena, e);
	}
	keyspace_unlock(ks, st);
	return (o);
}

static void
test_lifecycle(struct arena *a, struct keyspace *ks)
{
	struct slab_stats	 ss;
	struct ks_key		 k;
	struct ks_stripe	*st;
	uint64_t		 used0, n, n2;
	aoff_t			 o, o2;
	char			 name[32];
	int			 i;

	keyspace_flush(ks, 0);
	keyspace_flush(ks, 1);
	slab_stats(a, &ss);
	used0 = ss.bytes_used;
	fill_table(ks, 0, "h", 3000, HTAG);
	fill_table(ks, 0, "h", 2000, STAG);
	ok(check_arena(a, 0, stderr, NULL) == 0, "a table overwritten by "
	    "another frees the first");
	keyspace_put(ks, 0, "h", 1, OBJ_STRING, "s", 1, KEYSPACE_NO_EXPIRE);
	ok(check_arena(a, 0, stderr, NULL) == 0, "a table overwritten by a "
	    "string frees its chunks");
	fill_table(ks, 0, "h", 3000, HTAG);
	o = table_of(ks, 0, "h", &n);
	ok(testarena_copy_key(ks, 0, "h", 0, "c", 1, NOW) == 1,
	    "COPY of a table");
	o2 = table_of(ks, 0, "c", &n2);
	ok(!aoff_isnull(o2) && !aoff_eq(o, o2) && n2 == 3000 &&
	    check_arena(a, 0, stderr, NULL) == 0, "the copy has a root of "
	    "its own and 3000 pairs; the checker is clean");
	keyspace_key(ks, &k, "c", 1);
	st = keyspace_lock(ks, 0, &k);
	(void)dict_set_locked(ks, st, &k, keyspace_peek_locked(ks, st, &k,
	    NOW), "new", 3, "x", 1);
	keyspace_unlock(ks, st);
	(void)table_of(ks, 0, "h", &n);
	(void)table_of(ks, 0, "c", &n2);
	ok(n == 3000 && n2 == 3001, "a change of the copy leaves the source "
	    "as it was");
	/* Renames within and across stripes, and a move. */
	for (i = 0; i < 6; i++) {
		snprintf(name, sizeof(name), "renamed%d", i);
		ok(testarena_copy_key(ks, 0, i == 0 ? "h" : "renamed0", 0,
		    name, 0, NOW) == 1 || i == 0, "rename %d", i);
		if (i == 0)
			continue;
		o2 = table_of(ks, 0, name, &n2);
		ok(aoff_eq(o, o2) && n2 == 3000 &&
		    check_arena(a, 0, stderr, NULL) == 0, "the new name holds "
		    "the very table, the checker is clean");
		ok(testarena_copy_key(ks, 0, name, 0, "renamed0", 0, NOW) ==
		    1,
		    "and back");
	}
	ok(testarena_copy_key(ks, 0, "renamed0", 0, "c", 0, NOW) == 1 &&
	    aoff_eq(table_of(ks, 0, "c", &n2), o) &&
	    check_arena(a, 0, stderr, NULL) == 0, "a rename onto another "
	    "table frees the one it replaces");
	ok(testarena_copy_key(ks, 0, "c", 1, "c", 0, NOW) == 1 &&
	    aoff_eq(table_of(ks, 1, "c", &n2), o) &&
	    check_arena(a, 0, stderr, NULL) == 0, "a move to db 1 takes the "
	    "very table");
	ok(keyspace_set_expire(ks, 1, "c", 1, NOW + 10, NOW) == 1 &&
	    aoff_eq(table_of(ks, 1, "c", &n2), o) &&
	    check_arena(a, 0, stderr, NULL) == 0, "an expiry given to a "
	    "table keeps it");
	keyspace_key(ks, &k, "c", 1);
	st = keyspace_lock(ks, 1, &k);
	ok(keyspace_peek_locked(ks, st, &k, NOW + 11) == NULL,
	    "the table expires");
	keyspace_unlock(ks, st);
	ok(check_arena(a, 0, stderr, NULL) == 0, "and its chunks are freed");
	fill_table(ks, 0, "d", 500, STAG);
	ok(keyspace_delete(ks, 0, "d", 1) == 1 &&
	    check_arena(a, 0, stderr, NULL) == 0, "DEL frees a table");
	fill_table(ks, 0, "f1", 3000, HTAG);
	fill_table(ks, 1, "f2", 3000, STAG);
	keyspace_flush(ks, 0);
	keyspace_flush(ks, 1);
	slab_stats(a, &ss);
	ok(check_arena(a, 0, stderr, NULL) == 0 && ss.bytes_used == used0,
	    "a flush frees every table; the allocator is back where it was "
	    "(%llu bytes used, %llu before)",
	    (unsigned long long)ss.bytes_used, (unsigned long long)used0);
}

/* The checker notices a broken table, and is clean once it is mended. */
static void
test_checker(struct arena *a, struct keyspace *ks)
{
	struct ks_key		 k;
	struct ks_stripe	*st;
	const struct entry	*e;
	struct dict_root	*r;
	struct dict_seg		*sg;
	struct dict_node	*n;
	aoff_t			*slot[2], t, x;
	uint32_t		 w, b, nslot = 0;
	int64_t			 bad[4];

	fill_table(ks, 0, "broken", 40, HTAG);
	keyspace_key(ks, &k, "broken", 6);
	st = keyspace_lock(ks, 0, &k);
	e = keyspace_peek_locked(ks, st, &k, NOW);
	r = arena_ptr(a, dict_chain(a, e));
	keyspace_unlock(ks, st);
	/* Two buckets that are not empty: the root's 4, segment 1's 4. */
	sg = arena_ptr(a, r->dr_seg[0]);
	for (b = 0; b < 8 && nslot < 2; b++) {
		x = b < 4 ? r->dr_slot0[b] : sg->ds_slot[b - 4];
		if (!aoff_isnull(x))
			slot[nslot++] = b < 4 ? &r->dr_slot0[b] :
			    &sg->ds_slot[b - 4];
	}
	if (!ok(r->dr_buckets == 10 && nslot == 2 &&
	    check_arena(a, 0, NULL, NULL) == 0, "a table of 40 pairs in 10 "
	    "buckets, two of the first 8 not empty"))
		return;
	r->dr_count++;
	bad[0] = check_arena(a, 0, NULL, NULL);
	r->dr_count--;
	t = *slot[0];
	*slot[0] = *slot[1];
	*slot[1] = t;
	bad[1] = check_arena(a, 0, NULL, NULL);
	*slot[1] = *slot[0];
	*slot[0] = t;
	n = arena_ptr(a, t);
	w = n->dn_prev.u;
	n->dn_prev.u = 0;
	bad[2] = check_arena(a, 0, NULL, NULL);
	n->dn_prev.u = w;
	/* Node t off the chain, still in its slot. */
	x = n->dn_next;
	*(uint32_t *)arena_ptr(a, n->dn_prev) = x.u;
	if (!aoff_isnull(x))
		((struct dict_node *)arena_ptr(a, x))->dn_prev = n->dn_prev;
	bad[3] = check_arena(a, 0, NULL, NULL);
	*(uint32_t *)arena_ptr(a, n->dn_prev) = t.u;
	if (!aoff_isnull(x))
		((struct dict_node *)arena_ptr(a, x))->dn_prev = t;
	ok(bad[0] > 0, "the checker notices a count that is off (%lld "
	    "problems)", (long long)bad[0]);
	ok(bad[1] > 0, "and pairs in the wrong bucket (%lld)",
	    (long long)bad[1]);
	ok(bad[2] > 0, "and a chain link that points back wrong (%lld)",
	    (long long)bad[2]);
	ok(bad[3] > 0, "and a node that is not on the chain (%lld)",
	    (long long)bad[3]);
	ok(check_arena(a, 0, stderr, NULL) == 0, "mended, the table is "
	    "sound again");
	(void)keyspace_delete(ks, 0, "broken", 6);
}

/*
 * Arena bytes per pair of 1,000 (entry and table), against Redis 7.0.15's
 * MEMORY USAGE of the same data, from Debian's redis-server: a hash of
 * "field:<i>" -> "value:<i>", i < 1000, 64296 bytes (its used_memory grew
 * by 97000); a set of "member:<i>", 48296 bytes (56312).
 */
#define REDIS_HASH_1000	64296
#define REDIS_SET_1000	48296
/*
 * And small sets, which Redis 7.0 keeps as hashtables whatever their
 * size: "member:0" under key "s1" takes 176 bytes by MEMORY USAGE, and
 * 1000 such keys grow used_memory by 232880, 233 bytes a key; "member:0"
 * to "member:2" under "s3", 256 bytes.
 */
#define REDIS_SET_1_USAGE	176
#define REDIS_SET_1		233
#define REDIS_SET_3		256

static size_t
table_bytes(struct keyspace *ks, const char *name)
{
	struct ks_key		 k;
	struct ks_stripe	*st;
	const struct entry	*e;
	size_t			 bytes = 0;

	keyspace_key(ks, &k, name, strlen(name));
	st = keyspace_lock(ks, 0, &k);
	if ((e = keyspace_peek_locked(ks, st, &k, NOW)) != NULL)
		bytes = value_memory(ks->ks_arena, e);
	keyspace_unlock(ks, st);
	return (bytes);
}

/* Key `name': a table grown by sets of "<prefix><i>" (to "value:<i>"). */
static void
grow_table(struct keyspace *ks, const char *name, uint8_t tag,
    const char *prefix, uint32_t n)
{
	struct ks_key		 k;
	struct ks_stripe	*st;
	struct dict_pair	 p;
	char			 f[32], v[32];
	uint32_t		 i;

	keyspace_key(ks, &k, name, strlen(name));
	st = keyspace_lock(ks, 0, &k);
	for (i = 0; i < n; i++) {
		p.dp_field = f;
		p.dp_flen = (size_t)snprintf(f, sizeof(f), "%s%u", prefix, i);
		p.dp_value = v;
		p.dp_vlen = tag == HTAG ?
		    (size_t)snprintf(v, sizeof(v), "value:%u", i) : 0;
		if (i == 0)
			(void)dict_write_locked(ks, st, &k, tag, &p, 1,
			    KEYSPACE_NO_EXPIRE);
		else
			(void)dict_set_locked(ks, st, &k,
			    keyspace_peek_locked(ks, st, &k, NOW), f,
			    p.dp_flen, v, p.dp_vlen);
	}
	keyspace_unlock(ks, st);
}

static void
test_memory(struct keyspace *ks)
{
	size_t	 h, s, s1, s3;

	grow_table(ks, "mh", HTAG, "field:", 1000);
	grow_table(ks, "ms", STAG, "member:", 1000);
	h = table_bytes(ks, "mh");
	s = table_bytes(ks, "ms");
	diag("1000 pairs grown by sets: hash %zu bytes (%.1f a pair; Redis "
	    "7.0: %.1f), set %zu bytes (%.1f; Redis: %.1f)", h, h / 1000.0,
	    REDIS_HASH_1000 / 1000.0, s, s / 1000.0, REDIS_SET_1000 / 1000.0);
	ok(h > 0 && h <= REDIS_HASH_1000, "a hash of 1000 pairs grown by "
	    "sets takes %zu arena bytes, at most Redis's %d", h,
	    REDIS_HASH_1000);
	ok(s > 0 && s <= REDIS_SET_1000, "a set of 1000 members takes %zu, "
	    "at most Redis's %d", s, REDIS_SET_1000);
	(void)keyspace_delete(ks, 0, "mh", 2);
	(void)keyspace_delete(ks, 0, "ms", 2);
	grow_table(ks, "s1", STAG, "member:", 1);
	grow_table(ks, "s3", STAG, "member:", 3);
	s1 = table_bytes(ks, "s1");
	s3 = table_bytes(ks, "s3");
	diag("a set of 1 member: %zu bytes (Redis 7.0: %d by MEMORY USAGE, "
	    "%d in used_memory); of 3: %zu (Redis: %d)", s1,
	    REDIS_SET_1_USAGE, REDIS_SET_1, s3, REDIS_SET_3);
	ok(s1 > 0 && s1 <= REDIS_SET_1 && s3 > 0 && s3 <= REDIS_SET_3,
	    "sets of 1 and 3 members take %zu and %zu bytes, at most Redis's "
	    "%d and %d", s1, s3, REDIS_SET_1, REDIS_SET_3);
	(void)keyspace_delete(ks, 0, "s1", 2);
	(void)keyspace_delete(ks, 0, "s3", 2);
}

/* A small arena that fills up: every change fails whole. */
static void
test_enomem(void)
{
	struct arena		 a;
	struct keyspace		 ks;
	struct model		 m;
	struct ks_key		 k, k2;
	struct ks_stripe	*st;
	struct dict_pair	*pairs;
	char			 name[32], *big;
	uint32_t		 i, fails = 0, n = 0, sets = 0, dels;
	int			 good = 1, rv, failed_write;

	if (!ok(testarena_store(&a, &ks, (size_t)64 << 20, 0) == 0,
	    "a small store (64 MiB: a page per size class and some)"))
		return;
	model_init(&m, 4000);
	keyspace_key(&ks, &k, "t", 1);
	st = keyspace_lock(&ks, 0, &k);
	for (i = 0; i < 1000 && good; i++)
		good &= set_field(&ks, st, &k, &m, i, 1) == 1;
	if (!good)
		diag("set %u failed: %s", i, strerror(errno));
	keyspace_unlock(&ks, st);
	ok(good, "a table of 1000 pairs");
	/* Fill the arena with strings of many sizes. */
	big = calloc(1, 70000);
	for (i = 0; fails < 200; i++) {
		snprintf(name, sizeof(name), "s%u", i);
		if (keyspace_put(&ks, 0, name, strlen(name), OBJ_STRING, big,
		    16 + (i * 7919) % 60000, KEYSPACE_NO_EXPIRE) == -1)
			fails++;
		else
			n++;
	}
	for (i = 0; fails < 400; i++) {
		snprintf(name, sizeof(name), "x%u", i);
		if (keyspace_put(&ks, 0, name, strlen(name), OBJ_STRING, big,
		    8 + i % 200, KEYSPACE_NO_EXPIRE) == -1)
			fails++;
	}
	diag("the arena took %u strings before it was full", n);
	/* Sets until they fail; each failure changes nothing. */
	st = keyspace_lock(&ks, 0, &k);
	fails = 0;
	for (i = 1000; i < 4000 && fails < 20; i++) {
		rv = set_field(&ks, st, &k, &m, i, 2);
		if (rv == -1) {
			fails++;
			good &= errno == ENOMEM;
		} else {
			sets++;
			good &= rv == 1;
		}
	}
	good &= table_matches(&ks, st, &k, &m, 1);
	keyspace_unlock(&ks, st);
	ok(good && fails > 0, "when the arena is full, sets fail with ENOMEM "
	    "(%u did, after %u more succeeded) and the table holds what the "
	    "model holds", fails, sets);
	ok(check_arena(&a, 0, stderr, NULL) == 0, "the checker is clean");
	/*
	 * Deletes need a smaller node: each succeeds or fails with ENOMEM
	 * and changes nothing.
	 */
	st = keyspace_lock(&ks, 0, &k);
	fails = dels = 0;
	for (i = 0; i < 1000; i += 3) {
		rv = del_field(&ks, st, &k, &m, i);
		good &= rv == 1 || (rv == -1 && errno == ENOMEM);
		fails += rv == -1;
		dels += rv == 1;
	}
	good &= table_matches(&ks, st, &k, &m, 1);
	keyspace_unlock(&ks, st);
	ok(good && check_arena(&a, 0, stderr, NULL) == 0, "in the full "
	    "arena, %u deletes succeed and %u fail with ENOMEM, the table "
	    "as the model, the checker clean", dels, fails);
	/*
	 * A batch whose nodes are reserved one by one until one finds no
	 * room (a value of 4 MiB among 40 small sets and deletes): it fails
	 * whole and frees what it reserved.
	 */
	{
		struct dict_change	 ch[41];
		char			 fb[41][320], *huge;
		const struct entry	*e;
		int			 res[41];

		huge = calloc(1, (size_t)4 << 20);
		for (i = 0; i < 41; i++) {
			ch[i].dc_field = fb[i];
			ch[i].dc_flen = field_of(1000 + i * 7, fb[i]);
			ch[i].dc_value = i == 20 ? huge : big;
			ch[i].dc_vlen = i == 20 ? (size_t)4 << 20 : 30;
			ch[i].dc_delete = i % 5 == 0 && i != 20;
		}
		st = keyspace_lock(&ks, 0, &k);
		e = keyspace_peek_locked(&ks, st, &k, NOW);
		rv = dict_batch_locked(&ks, st, &k, e, ch, 41, res);
		ok(rv == -1 && errno == ENOMEM && table_matches(&ks, st, &k,
		    &m, 1), "a batch that runs out of room midway fails with "
		    "ENOMEM and leaves the table as it was");
		keyspace_unlock(&ks, st);
		ok(check_arena(&a, 0, stderr, NULL) == 0, "and frees the "
		    "nodes it had reserved");
		free(huge);
	}
	/* A whole write and a copy fail too, and change nothing. */
	pairs = calloc(20000, sizeof(*pairs));
	for (i = 0; i < 20000; i++) {
		pairs[i].dp_field = big + i % 1000;
		pairs[i].dp_flen = 8;
		pairs[i].dp_value = big;
		pairs[i].dp_vlen = 100;
		memcpy(big + (i % 1000), &i, 4);
	}
	st = keyspace_lock(&ks, 0, &k);
	failed_write = dict_write_locked(&ks, st, &k, HTAG, pairs, 20000,
	    KEYSPACE_NO_EXPIRE) == -1;
	ok(failed_write && table_matches(&ks, st, &k, &m, 1),
	    "a write of 20000 pairs over the table fails and leaves it be");
	keyspace_unlock(&ks, st);
	ok(check_arena(&a, 0, stderr, NULL) == 0, "its half-built chunks "
	    "are freed");
	/* Take again the room the failed write gave back. */
	for (i = 0, fails = 0; fails < 200; i++) {
		snprintf(name, sizeof(name), "y%u", i);
		if (keyspace_put(&ks, 0, name, strlen(name), OBJ_STRING, big,
		    8 + i % 200, KEYSPACE_NO_EXPIRE) == -1)
			fails++;
	}
	ok(testarena_copy_key(&ks, 0, "t", 0, "t2", 1, NOW) == -1,
	    "a COPY of the table "
	    "fails");
	keyspace_key(&ks, &k2, "t2", 2);
	st = keyspace_lock(&ks, 0, &k2);
	ok(keyspace_peek_locked(&ks, st, &k2, NOW) == NULL, "and makes no "
	    "key");
	keyspace_unlock(&ks, st);
	ok(check_arena(&a, 0, stderr, NULL) == 0, "the checker is clean");
	/* Free room (whole pages): a set works again. */
	for (i = 0; i < n + 200; i++) {
		snprintf(name, sizeof(name), "s%u", i);
		(void)keyspace_delete(&ks, 0, name, strlen(name));
	}
	st = keyspace_lock(&ks, 0, &k);
	good = set_field(&ks, st, &k, &m, 3999, 3) >= 0 &&
	    table_matches(&ks, st, &k, &m, 1);
	keyspace_unlock(&ks, st);
	ok(good && check_arena(&a, 0, stderr, NULL) == 0, "with room made, a "
	    "set works again");
	free(pairs);
	free(big);
	free(m.gen);
	testarena_destroy(&a);
}

/*
 * Crash tests: for each kind of change, a child builds a small state
 * (keys "ta" and "tb"), then makes the change armed to die at a crash
 * point; the parent (after, sometimes, a repairer that dies too) checks
 * the arena and finds both keys wholly as before or wholly as after.
 */

#define CRASH_FIELDS	128
#define CRASH_BYTES	((size_t)32 << 20)

enum crash_op {
	CRASH_SET,
	CRASH_DEL,
	CRASH_WRITE,
	CRASH_COPY,
	CRASH_RENAME,
	CRASH_BATCH
};

struct crash_scn {
	const char	*cs_what;
	uint32_t	 cs_a[2];	/* "ta": fields [a0, a1) written, */
	uint32_t	 cs_d[2];	/* then [d0, d1) deleted one by one */
	uint32_t	 cs_b[2];	/* "tb": fields [b0, b1) written */
	int		 cs_op;
	uint32_t	 cs_f[2];	/* the field set or deleted; written;
					   a batch's: every third deleted */
};

static const struct crash_scn crash_scns[] = {
	{ "an add that adds a segment and splits", { 1, 17 }, { 0, 0 },
	    { 0, 0 }, CRASH_SET, { 17, 0 } },
	{ "an add that splits", { 1, 13 }, { 0, 0 }, { 0, 0 }, CRASH_SET,
	    { 13, 0 } },
	{ "a replacement", { 1, 13 }, { 0, 0 }, { 0, 0 }, CRASH_SET,
	    { 5, 0 } },
	{ "a delete", { 1, 13 }, { 0, 0 }, { 0, 0 }, CRASH_DEL, { 5, 0 } },
	{ "a delete that merges and drops a segment", { 1, 21 }, { 1, 11 },
	    { 0, 0 }, CRASH_DEL, { 11, 0 } },
	{ "a delete that merges", { 1, 17 }, { 1, 9 }, { 0, 0 }, CRASH_DEL,
	    { 9, 0 } },
	{ "a delete of the last pair", { 1, 2 }, { 0, 0 }, { 0, 0 },
	    CRASH_DEL, { 1, 0 } },
	{ "a write over a table", { 1, 13 }, { 0, 0 }, { 0, 0 }, CRASH_WRITE,
	    { 20, 60 } },
	{ "a copy onto a table", { 1, 13 }, { 0, 0 }, { 30, 40 }, CRASH_COPY,
	    { 0, 0 } },
	{ "a rename onto a table", { 1, 13 }, { 0, 0 }, { 30, 40 },
	    CRASH_RENAME, { 0, 0 } },
	{ "a batch of a few buckets", { 1, 120 }, { 0, 0 }, { 0, 0 },
	    CRASH_BATCH, { 110, 122 } },
	{ "a batch that adds and splits", { 1, 120 }, { 0, 0 }, { 0, 0 },
	    CRASH_BATCH, { 119, 128 } },
	{ "a batch that deletes and merges", { 1, 100 }, { 1, 50 }, { 0, 0 },
	    CRASH_BATCH, { 50, 62 } },
	{ "a batch that rewrites the table", { 1, 13 }, { 0, 0 }, { 0, 0 },
	    CRASH_BATCH, { 5, 40 } },
	{ "a batch that deletes the key", { 1, 4 }, { 0, 0 }, { 0, 0 },
	    CRASH_BATCH, { 0, 0 } },
};

static const char *dict_crashpoints[] = {
	"dict_node_built", "dict_node_cut", "dict_recorded", "dict_seg_built",
	"dict_seg_dropping", "dict_split_built", "dict_merge_built",
	"dict_write_built", "dict_batch_bucket_built", "intent_more_named"
};

/* Field generations of "ta" and "tb" (0: absent). */
struct crash_model {
	uint32_t	 cm_gen[2][CRASH_FIELDS];
};

static void
crash_model(const struct crash_scn *s, int after, struct crash_model *m)
{
	uint32_t	 i;

	memset(m, 0, sizeof(*m));
	for (i = s->cs_a[0]; i < s->cs_a[1]; i++)
		m->cm_gen[0][i] = 1;
	for (i = s->cs_d[0]; i < s->cs_d[1]; i++)
		m->cm_gen[0][i] = 0;
	for (i = s->cs_b[0]; i < s->cs_b[1]; i++)
		m->cm_gen[1][i] = 1;
	if (!after)
		return;
	switch (s->cs_op) {
	case CRASH_SET:
		m->cm_gen[0][s->cs_f[0]] = 2;
		break;
	case CRASH_DEL:
		m->cm_gen[0][s->cs_f[0]] = 0;
		break;
	case CRASH_WRITE:
		memset(m->cm_gen[0], 0, sizeof(m->cm_gen[0]));
		for (i = s->cs_f[0]; i < s->cs_f[1]; i++)
			m->cm_gen[0][i] = 3;
		break;
	case CRASH_BATCH:
		if (s->cs_f[1] == 0)
			memset(m->cm_gen[0], 0, sizeof(m->cm_gen[0]));
		for (i = s->cs_f[0]; i < s->cs_f[1]; i++)
			m->cm_gen[0][i] = i % 3 == 0 ? 0 : 2;
		break;
	default:
		memcpy(m->cm_gen[1], m->cm_gen[0], sizeof(m->cm_gen[1]));
		if (s->cs_op == CRASH_RENAME)
			memset(m->cm_gen[0], 0, sizeof(m->cm_gen[0]));
		break;
	}
}

/* Write fields [lo, hi) of generation gen as the table of key k. */
static void
crash_write(struct keyspace *ks, const char *name, uint32_t lo, uint32_t hi,
    uint32_t gen)
{
	static char		 buf[CRASH_FIELDS][1600];
	struct dict_pair	 p[CRASH_FIELDS];
	struct ks_key		 k;
	struct ks_stripe	*st;
	uint32_t		 i;

	for (i = lo; i < hi; i++) {
		p[i - lo].dp_field = buf[i];
		p[i - lo].dp_flen = field_of(i, buf[i]);
		p[i - lo].dp_value = buf[i] + 320;
		p[i - lo].dp_vlen = value_of(i, gen, buf[i] + 320);
	}
	keyspace_key(ks, &k, name, strlen(name));
	st = keyspace_lock(ks, 0, &k);
	if (dict_write_locked(ks, st, &k, HTAG, p, hi - lo,
	    KEYSPACE_NO_EXPIRE) == -1)
		_exit(3);
	keyspace_unlock(ks, st);
}

/* Set (gen > 0) or delete field f of key "ta". */
static void
crash_change(struct keyspace *ks, uint32_t f, uint32_t gen)
{
	struct model		 m;
	struct ks_key		 k;
	struct ks_stripe	*st;
	uint32_t		 g[CRASH_FIELDS];

	/* The model of set_field() and del_field(), not looked at here. */
	memset(g, 0, sizeof(g));
	g[f] = gen == 0;
	m.gen = g;
	m.nfields = CRASH_FIELDS;
	m.count = 1;
	keyspace_key(ks, &k, "ta", 2);
	st = keyspace_lock(ks, 0, &k);
	if ((gen > 0 ? set_field(ks, st, &k, &m, f, gen) :
	    del_field(ks, st, &k, &m, f)) == -1)
		_exit(3);
	keyspace_unlock(ks, st);
}

/*
 * The batch of a scenario on key "ta": fields [lo, hi), every third
 * deleted, the others set to generation 2; [0, 0) deletes every field.
 */
static void
crash_batch(struct keyspace *ks, uint32_t lo, uint32_t hi)
{
	struct model		 m;
	struct ks_key		 k;
	struct ks_stripe	*st;
	uint32_t		 g[CRASH_FIELDS], idx[CRASH_FIELDS];
	uint32_t		 gen[CRASH_FIELDS], i, n = 0;

	/* The model of batch_fields(), not looked at here. */
	keyspace_key(ks, &k, "ta", 2);
	st = keyspace_lock(ks, 0, &k);
	memset(g, 0, sizeof(g));
	m.gen = g;
	m.nfields = CRASH_FIELDS;
	m.count = 0;
	for (i = 0; i < CRASH_FIELDS; i++) {
		if (hi == 0 ? i == 0 || i >= 4 : i < lo || i >= hi)
			continue;
		idx[n] = i;
		gen[n++] = hi == 0 || i % 3 == 0 ? 0 : 2;
	}
	if (batch_fields(ks, st, &k, &m, idx, gen, n) == -1)
		_exit(3);
	keyspace_unlock(ks, st);
}

static void
crash_child(struct keyspace *ks, const struct crash_scn *s, const char *arm,
    uint64_t countdown)
{
	uint32_t	 i;

	crash_write(ks, "ta", s->cs_a[0], s->cs_a[1], 1);
	for (i = s->cs_d[0]; i < s->cs_d[1]; i++)
		crash_change(ks, i, 0);
	if (s->cs_b[1] > s->cs_b[0])
		crash_write(ks, "tb", s->cs_b[0], s->cs_b[1], 1);
	crashpoint_arm(arm, countdown);
	switch (s->cs_op) {
	case CRASH_SET:
		crash_change(ks, s->cs_f[0], 2);
		break;
	case CRASH_DEL:
		crash_change(ks, s->cs_f[0], 0);
		break;
	case CRASH_WRITE:
		crash_write(ks, "ta", s->cs_f[0], s->cs_f[1], 3);
		break;
	case CRASH_BATCH:
		crash_batch(ks, s->cs_f[0], s->cs_f[1]);
		break;
	default:
		if (testarena_copy_key(ks, 0, "ta", 0, "tb",
		    s->cs_op == CRASH_COPY, NOW) != 1)
			_exit(3);
		break;
	}
	_exit(0);
}

/* Does key `name' hold generations gen[]? */
static int
crash_matches(struct keyspace *ks, const char *name, const uint32_t *gen)
{
	struct model		 m;
	struct ks_key		 k;
	struct ks_stripe	*st;
	uint32_t		 i;
	int			 good;

	m.gen = (uint32_t *)gen;
	m.nfields = CRASH_FIELDS;
	for (i = 0, m.count = 0; i < CRASH_FIELDS; i++)
		m.count += gen[i] != 0;
	keyspace_key(ks, &k, name, strlen(name));
	st = keyspace_lock(ks, 0, &k);
	good = table_matches(ks, st, &k, &m, 1);
	keyspace_unlock(ks, st);
	return (good);
}

/*
 * One trial: 1 when the store is consistent afterwards; *killed says
 * whether the child died.
 */
struct crash_arg {
	const struct crash_scn	*ca_scn;
	const char		*ca_arm;
	uint64_t		 ca_countdown;
};

static void
crash_run(struct keyspace *ks, const void *arg)
{
	const struct crash_arg	*ca = arg;

	crash_child(ks, ca->ca_scn, ca->ca_arm, ca->ca_countdown);
}

static int
crash_trial(const struct crash_scn *s, const char *arm, uint64_t countdown,
    uint64_t repair, int *killed)
{
	struct crash_arg	 ca = { s, arm, countdown };
	struct arena		 a;
	struct keyspace		 ks;
	struct crash_model	 before, after;
	int			 good;

	memset(&a, 0, sizeof(a));
	if ((good = testarena_crash_run(&a, &ks, CRASH_BYTES, s->cs_what,
	    crash_run, &ca, repair, killed) == 0) == 0)
		diag("%s: after a kill at %s %llu", s->cs_what, arm,
		    (unsigned long long)countdown);
	if (a.ar_base == NULL)
		return (0);
	crash_model(s, 0, &before);
	crash_model(s, 1, &after);
	if (!(crash_matches(&ks, "ta", before.cm_gen[0]) &&
	    crash_matches(&ks, "tb", before.cm_gen[1])) &&
	    !(crash_matches(&ks, "ta", after.cm_gen[0]) &&
	    crash_matches(&ks, "tb", after.cm_gen[1]))) {
		diag("%s: killed at %s %llu, the tables are neither as before "
		    "nor as after", s->cs_what, arm,
		    (unsigned long long)countdown);
		good = 0;
	}
	if (!*killed && !(crash_matches(&ks, "ta", after.cm_gen[0]) &&
	    crash_matches(&ks, "tb", after.cm_gen[1]))) {
		diag("%s: not killed, yet not done", s->cs_what);
		good = 0;
	}
	testarena_destroy(&a);
	return (good);
}

static int
crash_any(const void *s, uint64_t c, uint64_t repair, int *killed)
{
	return (crash_trial(s, "any", c, repair, killed));
}

static void
test_crash(void)
{
	const struct crash_scn	*s;
	int			 b;
	size_t			 i, j, round;
	unsigned		 kills, broken;
	int			 killed;

	if (!ok(crashpoint_enabled(), "this build has crash points"))
		return;
	/* Thousands of repairs follow: keep their notes quiet. */
	log_init("dict_test", 1, -1);
	/* Every crash point hit of each change, in turn. */
	for (i = 0; i < nitems(crash_scns); i++) {
		s = &crash_scns[i];
		b = testarena_crash_each(crash_any, s, 5000, &kills);
		ok(kills > 0 && b == 0, "%s: killed at each of its %u crash "
		    "point hits, the table is as before or as after and the "
		    "arena whole (%d broken)", s->cs_what, kills, b);
	}
	/* Each of dict.c's own, reached in some change. */
	for (j = 0; j < nitems(dict_crashpoints); j++) {
		kills = broken = 0;
		for (round = 0; round < 4 && kills == 0; round++)
			for (i = 0; i < nitems(crash_scns); i++) {
				broken += !crash_trial(&crash_scns[i],
				    dict_crashpoints[j], 1, round % 2 ?
				    1 + round : 0, &killed);
				kills += killed;
			}
		ok(kills > 0 && broken == 0, "crash point %s: %u kills, each "
		    "leaving the tables as before or as after (%u broken)",
		    dict_crashpoints[j], kills, broken);
	}
}

int
main(void)
{
	struct arena	 a;
	struct keyspace	 ks;

	tap_no_plan();
	if (!ok(testarena_store(&a, &ks, SIZE, 2) == 0,
	    "a 256 MiB store with 4 stripes"))
		return (tap_done());
	test_model(&a, &ks, 60, 3000);
	test_model(&a, &ks, 2000, 8000);
	test_batch(&a, &ks);
	test_growth(&a, &ks, 100000);
	test_write(&a, &ks);
	test_big(&a, &ks);
	test_scan(&a, &ks);
	test_random(&ks);
	test_lifecycle(&a, &ks);
	test_checker(&a, &ks);
	test_memory(&ks);
	testarena_destroy(&a);
	test_enomem();
	test_crash();
	return (tap_done());
}
