/*
 * hmap_test.c: checks hashes in the arena (hmap.c, value.c's check of
 * them).
 *
 * A hash driven by thousands of random sets (fields named again, empty,
 * binary, past 127 bytes) and deletes holds exactly what a model holds:
 * the same count, the same pairs in the order they were first set, each
 * found by its field, no field that the model lacks; a scan visits each
 * pair once, random draws land on its pairs and reach every one; the key
 * keeps its expiry through every change and goes with its last field.
 * The checker finds the arena whole along the way and nothing leaked
 * after the key is deleted.  A set or a delete of several fields, one
 * named twice among them, counts each field once.  Under any limits, a
 * hash is packed, in the order its fields were first set, until a change
 * leaves it more fields than the entry limit or sets a field or value
 * longer than the value limit (even one replaced in the same change);
 * then it is a table, whatever is deleted, until its last field goes.
 * A table's random draws reach each field evenly; its copy is its own.
 * The checker reports a packed hash that holds a field twice.  A process
 * killed at any crash point hit of an HSET of 50 fields (half new, half
 * replaced) or an HDEL of 50 on a table, its repairer sometimes killed
 * too, leaves all 50 fields changed or none, and the arena whole.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hydra/arena.h"
#include "hydra/check.h"
#include "hydra/crashpoint.h"
#include "hydra/hmap.h"
#include "hydra/keyspace.h"
#include "hydra/log.h"
#include "hydra/object.h"
#include "hydra/pack.h"
#include "tap.h"
#include "testarena.h"

#define SIZE		((size_t)64 << 20)
#define NOW		INT64_C(1700000000000)
#define EXPIRY		(NOW + 3600000)
#define MODEL_MAX	4096

/*
 * The model: the pairs the hash must hold, in their order, and whether it
 * must be a table by now.
 */
struct model {
	char	*m_f[MODEL_MAX];
	size_t	 m_flen[MODEL_MAX];
	char	*m_v[MODEL_MAX];
	size_t	 m_vlen[MODEL_MAX];
	size_t	 m_n;
	int	 m_table;
};

static char *
dup_bytes(const char *s, size_t len)
{
	char	*p = malloc(len + 1);

	memcpy(p, s, len);
	return (p);
}

static ssize_t
model_find(const struct model *m, const char *f, size_t flen)
{
	size_t	 i;

	for (i = 0; i < m->m_n; i++)
		if (m->m_flen[i] == flen && memcmp(m->m_f[i], f, flen) == 0)
			return ((ssize_t)i);
	return (-1);
}

/* Set one pair; 1 when the field is new. */
static int
model_set(struct model *m, const char *f, size_t flen, const char *v,
    size_t vlen)
{
	ssize_t	 at = model_find(m, f, flen);

	if (at >= 0) {
		free(m->m_v[at]);
		m->m_v[at] = dup_bytes(v, vlen);
		m->m_vlen[at] = vlen;
		return (0);
	}
	m->m_f[m->m_n] = dup_bytes(f, flen);
	m->m_flen[m->m_n] = flen;
	m->m_v[m->m_n] = dup_bytes(v, vlen);
	m->m_vlen[m->m_n] = vlen;
	m->m_n++;
	return (1);
}

/* Delete one field; 1 when it was there. */
static int
model_delete(struct model *m, const char *f, size_t flen)
{
	ssize_t	 at = model_find(m, f, flen);
	size_t	 i;

	if (at < 0)
		return (0);
	free(m->m_f[at]);
	free(m->m_v[at]);
	for (i = (size_t)at; i + 1 < m->m_n; i++) {
		m->m_f[i] = m->m_f[i + 1];
		m->m_flen[i] = m->m_flen[i + 1];
		m->m_v[i] = m->m_v[i + 1];
		m->m_vlen[i] = m->m_vlen[i + 1];
	}
	m->m_n--;
	if (m->m_n == 0)
		m->m_table = 0;
	return (1);
}

static void
model_clear(struct model *m)
{
	while (m->m_n > 0)
		(void)model_delete(m, m->m_f[0], m->m_flen[0]);
}

/* A field from a small space, so that sets replace and deletes hit. */
static size_t
random_field(char *buf)
{
	unsigned	 r = arc4random_uniform(60);
	size_t		 len, i;

	if (r == 0)
		return (0);
	if (r < 50)
		return ((size_t)snprintf(buf, 16, "f%u", r));
	/* A binary one, or one past a one-byte length. */
	len = r < 55 ? 3 : 130 + r;
	for (i = 0; i < len; i++)
		buf[i] = (char)(r * 31 + i);
	buf[0] = '\0';
	return (len);
}

/* A value of 0 to 300 random bytes, often near the 64 of the limit. */
static size_t
random_value(char *buf)
{
	const size_t	 lens[4] = { 0, arc4random_uniform(10),
	    60 + arc4random_uniform(10), arc4random_uniform(300) };
	size_t		 len = lens[arc4random_uniform(4)];

	arc4random_buf(buf, len);
	return (len);
}

/* What a scan visits. */
struct visits {
	const struct model	*vs_m;
	unsigned		*vs_seen;	/* per model pair */
	int			 vs_bad;
};

static void
count_visit(const struct hmap_pair *p, void *arg)
{
	struct visits	*vs = arg;
	ssize_t		 at;

	at = model_find(vs->vs_m, p->hp_field, p->hp_flen);
	if (at < 0 || vs->vs_m->m_vlen[at] != p->hp_vlen ||
	    memcmp(vs->vs_m->m_v[at], p->hp_value, p->hp_vlen) != 0)
		vs->vs_bad = 1;
	else
		vs->vs_seen[at]++;
}

/* Every pair of a walk or a scan is the model's, each seen once. */
static int
visits_whole(const struct visits *vs, const struct model *m)
{
	size_t	 i;

	for (i = 0; i < m->m_n; i++)
		if (vs->vs_seen[i] != 1)
			return (0);
	return (!vs->vs_bad);
}

/*
 * Does the hash of key k hold the model, with the encoding it must have
 * (and, packed, in the model's order)?
 */
static int
hash_matches(struct keyspace *ks, struct ks_stripe *st,
    const struct ks_key *k, const struct model *m)
{
	struct arena		*a = ks->ks_arena;
	const struct entry	*e;
	struct hmap_iter	 it;
	struct hmap_pair	 p;
	struct visits		 vs;
	unsigned		 seen[MODEL_MAX];
	uint64_t		 cursor = 0;
	size_t			 i;

	e = keyspace_peek_locked(ks, st, k, NOW);
	if (e == NULL)
		return (m->m_n == 0);
	if (e->e_type != (OBJ_HASH | (m->m_table ? OBJ_HASH_TABLE :
	    OBJ_HASH_PACKED)) || hmap_count(a, e) != m->m_n ||
	    entry_expire(e) != EXPIRY)
		return (0);
	memset(seen, 0, sizeof(seen));
	vs.vs_m = m;
	vs.vs_seen = seen;
	vs.vs_bad = 0;
	hmap_iter_init(&it, a, e);
	for (i = 0; i < m->m_n && hmap_iter_next(&it, &p); i++) {
		if (!m->m_table && (p.hp_flen != m->m_flen[i] ||
		    memcmp(p.hp_field, m->m_f[i], p.hp_flen) != 0))
			return (0);
		count_visit(&p, &vs);
	}
	if (hmap_iter_next(&it, &p) || !visits_whole(&vs, m))
		return (0);
	for (i = 0; i < m->m_n; i++)
		if (!hmap_find(a, e, m->m_f[i], m->m_flen[i], &p) ||
		    p.hp_vlen != m->m_vlen[i] ||
		    memcmp(p.hp_value, m->m_v[i], p.hp_vlen) != 0)
			return (0);
	if (hmap_find(a, e, "absent", 6, &p))
		return (0);
	memset(seen, 0, sizeof(seen));
	do {
		cursor = hmap_scan(a, e, cursor, count_visit, &vs);
	} while (cursor != 0);
	return (visits_whole(&vs, m));
}

/*
 * One random change to both the hash and the model, mostly sets, or
 * (shrink) only deletes while there is anything; -1 on failure.
 */
static int
random_step(struct keyspace *ks, struct ks_stripe *st,
    const struct ks_key *k, struct model *m, int shrink)
{
	static char		 fbuf[8][256], vbuf[8][300];
	const struct entry	*e = keyspace_peek_locked(ks, st, k, NOW);
	struct hmap_vec		 v;
	uint64_t		 got = UINT64_MAX;
	size_t			 i, n, flen, vlen, want = 0, longest = 0;
	int			 rv = 0;

	hmap_vec_init(&v);
	n = 1 + arc4random_uniform(6);
	if (m->m_n == 0 || (!shrink && arc4random_uniform(4) != 0)) {
		for (i = 0; i < n; i++) {
			flen = random_field(fbuf[i]);
			vlen = random_value(vbuf[i]);
			(void)hmap_vec_add(&v, fbuf[i], flen, vbuf[i], vlen);
			want += model_set(m, fbuf[i], flen, vbuf[i], vlen);
			longest = flen > longest ? flen : longest;
			longest = vlen > longest ? vlen : longest;
		}
		/* Redis's rule, once and for good. */
		if (hmap_wants_table(m->m_n, longest))
			m->m_table = 1;
		rv = hmap_set_locked(ks, st, k, e, &v, &got);
		if (e == NULL && rv == 0)
			rv = keyspace_set_expire_locked(ks, st, k, EXPIRY) ==
			    1 ? 0 : -1;
	} else {
		for (i = 0; i < n; i++) {
			flen = random_field(fbuf[i]);
			(void)hmap_vec_add(&v, fbuf[i], flen, NULL, 0);
			want += model_delete(m, fbuf[i], flen);
		}
		rv = hmap_delete_locked(ks, st, k, e, &v, &got);
	}
	hmap_vec_free(&v);
	if (rv == 0 && got != want) {
		diag("the change counted %llu fields, the model %zu",
		    (unsigned long long)got, want);
		rv = -1;
	}
	return (rv);
}

/*
 * The model test under limits of `entries' fields and `value' bytes: the
 * hash must be packed, and a table, each for some of the steps (unless
 * the limits are past what the steps reach: then packed throughout).
 */
static void
test_model(struct arena *a, struct keyspace *ks, int steps,
    unsigned long long entries, unsigned long long value)
{
	struct object_limits	 saved = object_limits;
	struct model		*m = calloc(1, sizeof(*m));
	struct ks_key		 k;
	struct ks_stripe	*st;
	const struct entry	*e;
	int			 i, good = 1, clean = 1, emptied = 0;
	int			 packed = 0, table = 0;
	size_t			 most = 0;

	object_limits.ol_hash_entries = entries;
	object_limits.ol_hash_value = value;
	keyspace_key(ks, &k, "model", 5);
	for (i = 0; i < steps && good && clean; i++) {
		st = keyspace_lock(ks, 0, &k);
		/* Phases of 200 steps: growth, then shrinking. */
		good &= random_step(ks, st, &k, m, i / 200 % 2) == 0;
		good &= hash_matches(ks, st, &k, m);
		if ((e = keyspace_peek_locked(ks, st, &k, NOW)) == NULL)
			emptied++;
		else if (e->e_type == (OBJ_HASH | OBJ_HASH_TABLE))
			table++;
		else
			packed++;
		if (m->m_n > most)
			most = m->m_n;
		keyspace_unlock(ks, st);
		if (i % 50 == 0)
			clean &= check_arena(a, 0, stderr, NULL) == 0;
	}
	ok(good, "limits %llu and %llu: %d random sets and deletes leave "
	    "the hash equal to the model, packed in its order until Redis "
	    "would make it a table, then a table for good", entries, value,
	    i);
	ok(clean, "and the checker finds the arena whole every 50 steps");
	ok(emptied > 0 && most > 20, "the hash grew to %zu fields and was "
	    "emptied (so deleted) %d times", most, emptied);
	if (value >= 300 && entries >= 60)
		ok(table == 0 && packed > 0, "within the limits it stays "
		    "packed (%d steps)", packed);
	else
		ok(table > 0 && packed > 0, "it was packed (%d steps) and a "
		    "table (%d)", packed, table);
	(void)keyspace_delete(ks, 0, "model", 5);
	ok(check_arena(a, 0, stderr, NULL) == 0, "its delete leaves nothing "
	    "behind");
	model_clear(m);
	free(m);
	object_limits = saved;
}

static void
test_counts_and_random(struct arena *a, struct keyspace *ks)
{
	struct ks_key		 k;
	struct ks_stripe	*st;
	const struct entry	*e;
	struct hmap_vec		 v;
	struct hmap_pair	 p;
	uint64_t		 got = 0;
	unsigned		 hits[3] = { 0, 0, 0 };
	int			 i;

	keyspace_key(ks, &k, "c", 1);
	st = keyspace_lock(ks, 0, &k);
	hmap_vec_init(&v);
	(void)hmap_vec_add(&v, "a", 1, "1", 1);
	(void)hmap_vec_add(&v, "b", 1, "2", 1);
	(void)hmap_vec_add(&v, "a", 1, "3", 1);
	(void)hmap_vec_add(&v, "c", 1, "4", 1);
	ok(hmap_set_locked(ks, st, &k, NULL, &v, &got) == 0 && got == 3,
	    "a new hash set with a field named twice counts 3 new fields");
	e = keyspace_peek_locked(ks, st, &k, NOW);
	ok(e != NULL && e->e_type == (OBJ_HASH | OBJ_HASH_PACKED) &&
	    hmap_count(a, e) == 3 && hmap_find(a, e, "a", 1, &p) &&
	    p.hp_vlen == 1 && p.hp_value[0] == '3' &&
	    strcmp(hmap_encoding(e), "listpack") == 0,
	    "it is packed (\"listpack\"), and the field named twice holds "
	    "the last value");
	for (i = 0; i < 3000; i++) {
		hmap_random(a, e, ((uint64_t)arc4random() << 32) |
		    arc4random(), &p);
		if (p.hp_flen == 1 && p.hp_field[0] >= 'a' &&
		    p.hp_field[0] <= 'c')
			hits[p.hp_field[0] - 'a']++;
	}
	ok(hits[0] + hits[1] + hits[2] == 3000 && hits[0] > 800 &&
	    hits[1] > 800 && hits[2] > 800, "3000 random draws land on the "
	    "3 fields, each about a third of the time (%u %u %u)", hits[0],
	    hits[1], hits[2]);
	v.hv_n = 0;
	(void)hmap_vec_add(&v, "b", 1, NULL, 0);
	(void)hmap_vec_add(&v, "b", 1, NULL, 0);
	(void)hmap_vec_add(&v, "z", 1, NULL, 0);
	ok(hmap_delete_locked(ks, st, &k, e, &v, &got) == 0 && got == 1,
	    "a delete of a field named twice and an absent one counts 1");
	e = keyspace_peek_locked(ks, st, &k, NOW);
	v.hv_n = 0;
	(void)hmap_vec_add(&v, "a", 1, NULL, 0);
	(void)hmap_vec_add(&v, "c", 1, NULL, 0);
	ok(e != NULL && hmap_count(a, e) == 2 &&
	    hmap_delete_locked(ks, st, &k, e, &v, &got) == 0 && got == 2 &&
	    keyspace_peek_locked(ks, st, &k, NOW) == NULL,
	    "deleting the last fields deletes the key");
	hmap_vec_free(&v);
	keyspace_unlock(ks, st);
	ok(check_arena(a, 0, stderr, NULL) == 0, "and leaves nothing "
	    "behind");
}

static void
test_limits(void)
{
	struct object_limits	 saved = object_limits;

	object_limits.ol_hash_entries = 4;
	object_limits.ol_hash_value = 8;
	ok(!hmap_wants_table(4, 8), "4 fields of 8 bytes stay within "
	    "limits of 4 and 8");
	ok(hmap_wants_table(5, 1) && hmap_wants_table(1, 9),
	    "a fifth field, or a ninth byte, is past them");
	object_limits.ol_hash_entries = 0;
	ok(hmap_wants_table(1, 0), "with an entry limit of 0 any field is "
	    "past it");
	object_limits = saved;
}

/* Set one pair in key `name' (NULL value: delete the field). */
static int
set_one(struct keyspace *ks, const char *name, const char *f,
    const char *v)
{
	struct ks_key		 k;
	struct ks_stripe	*st;
	struct hmap_vec		 vec;
	uint64_t		 n;
	int			 rv;

	keyspace_key(ks, &k, name, strlen(name));
	st = keyspace_lock(ks, 0, &k);
	hmap_vec_init(&vec);
	(void)hmap_vec_add(&vec, f, strlen(f), v, v != NULL ? strlen(v) : 0);
	rv = v != NULL ? hmap_set_locked(ks, st, &k,
	    keyspace_peek_locked(ks, st, &k, NOW), &vec, &n) :
	    hmap_delete_locked(ks, st, &k, keyspace_peek_locked(ks, st, &k,
	    NOW), &vec, &n);
	hmap_vec_free(&vec);
	keyspace_unlock(ks, st);
	return (rv);
}

/* The tag of key `name', 0 when missing, and its count in *n. */
static int
tag_of(struct keyspace *ks, const char *name, uint64_t *n)
{
	struct ks_key		 k;
	struct ks_stripe	*st;
	const struct entry	*e;
	int			 tag = 0;

	keyspace_key(ks, &k, name, strlen(name));
	st = keyspace_lock(ks, 0, &k);
	if ((e = keyspace_peek_locked(ks, st, &k, NOW)) != NULL) {
		tag = e->e_type;
		*n = hmap_count(ks->ks_arena, e);
	}
	keyspace_unlock(ks, st);
	return (tag);
}

#define PACKED	(OBJ_HASH | OBJ_HASH_PACKED)
#define TABLE	(OBJ_HASH | OBJ_HASH_TABLE)

static void
test_conversion(struct arena *a, struct keyspace *ks)
{
	struct object_limits	 saved = object_limits;
	struct ks_key		 k;
	struct ks_stripe	*st;
	const struct entry	*e;
	struct hmap_vec		 v;
	struct hmap_pair	 p;
	uint64_t		 n = 0;
	unsigned		 hits[5] = { 0, 0, 0, 0, 0 };
	int			 i, rv;

	object_limits.ol_hash_entries = 4;
	object_limits.ol_hash_value = 8;
	(void)set_one(ks, "h", "a", "1");
	(void)set_one(ks, "h", "b", "2");
	(void)set_one(ks, "h", "c", "3");
	(void)set_one(ks, "h", "d", "4");
	(void)set_one(ks, "h", "a", "12345678");
	ok(tag_of(ks, "h", &n) == PACKED && n == 4, "limits 4 and 8: 4 "
	    "fields, one of 8 bytes, stay packed");
	(void)set_one(ks, "h", "e", "5");
	ok(tag_of(ks, "h", &n) == TABLE && n == 5, "a fifth field makes a "
	    "table of the 5");
	keyspace_key(ks, &k, "h", 1);
	st = keyspace_lock(ks, 0, &k);
	e = keyspace_peek_locked(ks, st, &k, NOW);
	ok(strcmp(hmap_encoding(e), "hashtable") == 0, "which Redis calls "
	    "\"hashtable\"");
	for (i = 0; i < 5000; i++) {
		hmap_random(a, e, ((uint64_t)arc4random() << 32) |
		    arc4random(), &p);
		if (p.hp_flen == 1 && p.hp_field[0] >= 'a' &&
		    p.hp_field[0] <= 'e')
			hits[p.hp_field[0] - 'a']++;
	}
	keyspace_unlock(ks, st);
	ok(hits[0] + hits[1] + hits[2] + hits[3] + hits[4] == 5000 &&
	    hits[0] > 700 && hits[1] > 700 && hits[2] > 700 &&
	    hits[3] > 700 && hits[4] > 700, "5000 random draws from the "
	    "table land on its 5 fields, each about a fifth of the time");
	ok(set_one(ks, "h", "a", "0") == 0 &&
	    testarena_copy_key(ks, 0, "h", 0, "copy", 1, NOW) == 1 &&
	    testarena_copy_key(ks, 0, "copy", 0, "moved", 0, NOW) == 1 &&
	    set_one(ks, "moved", "z", "9") == 0 &&
	    tag_of(ks, "moved", &n) == TABLE && n == 6 &&
	    tag_of(ks, "h", &n) == TABLE && n == 5, "a copy of the table, "
	    "renamed, is a table of its own");
	(void)set_one(ks, "h", "b", NULL);
	(void)set_one(ks, "h", "c", NULL);
	(void)set_one(ks, "h", "d", NULL);
	(void)set_one(ks, "h", "e", NULL);
	ok(tag_of(ks, "h", &n) == TABLE && n == 1, "deletes down to one "
	    "field leave a table (never packed again)");
	(void)set_one(ks, "h", "a", NULL);
	ok(tag_of(ks, "h", &n) == 0, "the last delete deletes the key");
	(void)set_one(ks, "h", "a", "1");
	ok(tag_of(ks, "h", &n) == PACKED, "a new hash of the name is "
	    "packed");
	(void)set_one(ks, "h", "b", "123456789");
	ok(tag_of(ks, "h", &n) == TABLE && n == 2, "a value of 9 bytes "
	    "makes a table");
	(void)set_one(ks, "f", "123456789", "1");
	ok(tag_of(ks, "f", &n) == TABLE && n == 1, "so does a field of 9 "
	    "bytes, in a new hash");
	keyspace_key(ks, &k, "g", 1);
	st = keyspace_lock(ks, 0, &k);
	hmap_vec_init(&v);
	(void)hmap_vec_add(&v, "x", 1, "123456789", 9);
	(void)hmap_vec_add(&v, "x", 1, "short", 5);
	rv = hmap_set_locked(ks, st, &k, NULL, &v, &n);
	hmap_vec_free(&v);
	keyspace_unlock(ks, st);
	ok(rv == 0 && n == 1 && tag_of(ks, "g", &n) == TABLE,
	    "so does a long value set and replaced in the same change");
	object_limits.ol_hash_entries = 0;
	(void)set_one(ks, "z", "a", "1");
	ok(tag_of(ks, "z", &n) == TABLE, "with an entry limit of 0, a new "
	    "hash is a table");
	object_limits = saved;
	keyspace_flush(ks, 0);
	ok(check_arena(a, 0, stderr, NULL) == 0, "after a flush nothing is "
	    "left behind");
}

/* Put bytes as the packed hash of key "bad", as no change would. */
static void
put_bad(struct keyspace *ks, const char *buf, size_t len)
{
	struct ks_key		 k;
	struct ks_stripe	*st;

	keyspace_key(ks, &k, "bad", 3);
	st = keyspace_lock(ks, 0, &k);
	(void)keyspace_put_locked(ks, st, &k, OBJ_HASH | OBJ_HASH_PACKED,
	    buf, len, KEYSPACE_NO_EXPIRE);
	keyspace_unlock(ks, st);
}

static void
test_check(struct arena *a, struct keyspace *ks)
{
	char			 buf[64], *p;
	uint32_t		 n = 2;

	/* Two pairs whose fields are the same: no change makes that. */
	memcpy(buf, &n, sizeof(n));
	p = pack_put(buf + sizeof(n), "f", 1);
	p = pack_put(p, "1", 1);
	p = pack_put(p, "f", 1);
	p = pack_put(p, "2", 1);
	put_bad(ks, buf, (size_t)(p - buf));
	ok(check_arena(a, 0, NULL, NULL) == 1, "the checker reports a "
	    "packed hash that holds a field twice");
	n = 3;
	memcpy(buf, &n, sizeof(n));
	put_bad(ks, buf, (size_t)(p - buf));
	ok(check_arena(a, 0, NULL, NULL) == 1, "and one whose count is "
	    "wrong");
	(void)keyspace_delete(ks, 0, "bad", 3);
	ok(check_arena(a, 0, stderr, NULL) == 0, "and nothing once it is "
	    "gone");
}

/*
 * Crashes: a table of 200 fields "f<i>" = "old", then one command on 50
 * of them: an HSET of f0 .. f24 and g0 .. g24 to "new", or an HDEL of
 * f0 .. f49.
 */
#define CRASH_BYTES	((size_t)32 << 20)
#define CRASH_TABLE	200
#define CRASH_CHANGE	50

/* Field i of the command (del: f<i>; else f<i> then g<i - 25>). */
static size_t
crash_field(int del, unsigned i, char *buf)
{
	if (del || i < CRASH_CHANGE / 2)
		return ((size_t)snprintf(buf, 16, "f%u", i));
	return ((size_t)snprintf(buf, 16, "g%u", i - CRASH_CHANGE / 2));
}

static void
crash_hash(struct keyspace *ks, int del, int command)
{
	static char		 f[CRASH_TABLE][16];
	struct hmap_vec		 v;
	struct ks_key		 k;
	struct ks_stripe	*st;
	uint64_t		 n;
	unsigned		 i, nf = command ? CRASH_CHANGE : CRASH_TABLE;
	int			 rv;

	hmap_vec_init(&v);
	for (i = 0; i < nf; i++) {
		size_t	 len = command ? crash_field(del, i, f[i]) :
		    (size_t)snprintf(f[i], 16, "f%u", i);

		(void)hmap_vec_add(&v, f[i], len, command ? "new" : "old", 3);
	}
	keyspace_key(ks, &k, "h", 1);
	st = keyspace_lock(ks, 0, &k);
	if (command && del)
		rv = hmap_delete_locked(ks, st, &k, keyspace_peek_locked(ks,
		    st, &k, NOW), &v, &n);
	else
		rv = hmap_set_locked(ks, st, &k, keyspace_peek_locked(ks, st,
		    &k, NOW), &v, &n);
	keyspace_unlock(ks, st);
	hmap_vec_free(&v);
	if (rv == -1)
		_exit(3);
}

/* How many of the command's fields are as it leaves them: -1 broken. */
static int
crash_changed(struct keyspace *ks, int del)
{
	struct ks_key		 k;
	struct ks_stripe	*st;
	const struct entry	*e;
	struct hmap_pair	 p;
	char			 f[16];
	unsigned		 i, done = 0;
	int			 found, old, good = 1;

	keyspace_key(ks, &k, "h", 1);
	st = keyspace_lock(ks, 0, &k);
	e = keyspace_peek_locked(ks, st, &k, NOW);
	good = e != NULL && strcmp(hmap_encoding(e), "hashtable") == 0;
	for (i = 0; good && i < CRASH_CHANGE; i++) {
		found = hmap_find(ks->ks_arena, e, f, crash_field(del, i, f),
		    &p);
		old = found && p.hp_vlen == 3 && memcmp(p.hp_value, "old",
		    3) == 0;
		if (del ? !found : found && p.hp_vlen == 3 &&
		    memcmp(p.hp_value, "new", 3) == 0)
			done++;
		else if (!(old || (!found && i >= CRASH_CHANGE / 2)))
			good = 0;
	}
	/* The fields the command does not name are untouched. */
	for (i = CRASH_CHANGE; good && i < CRASH_TABLE; i++) {
		found = hmap_find(ks->ks_arena, e, f, (size_t)snprintf(f,
		    sizeof(f), "f%u", i), &p);
		good = found && p.hp_vlen == 3 && memcmp(p.hp_value, "old",
		    3) == 0;
	}
	keyspace_unlock(ks, st);
	return (good ? (int)done : -1);
}

/* The trial's child: the table, then the command killed at its n-th hit. */
struct crash_arg {
	int		 ca_del;
	uint64_t	 ca_countdown;
};

static void
crash_child(struct keyspace *ks, const void *arg)
{
	const struct crash_arg	*ca = arg;

	crash_hash(ks, ca->ca_del, 0);
	crashpoint_arm("any", ca->ca_countdown);
	crash_hash(ks, ca->ca_del, 1);
}

/* One trial: 1 when the hash is wholly before or after, the arena whole. */
static int
crash_trial(const void *del, uint64_t countdown, uint64_t repair,
    int *killed)
{
	struct crash_arg	 ca = { *(const int *)del, countdown };
	const char		*what = ca.ca_del ? "HDEL" : "HSET";
	struct arena		 a;
	struct keyspace		 ks;
	int			 good, done;

	memset(&a, 0, sizeof(a));
	good = testarena_crash_run(&a, &ks, CRASH_BYTES, what, crash_child,
	    &ca, repair, killed) == 0;
	done = a.ar_base != NULL ? crash_changed(&ks, ca.ca_del) : -1;
	if (done != CRASH_CHANGE && (done != 0 || !*killed)) {
		diag("%s killed at hit %llu: %d of %d fields changed", what,
		    (unsigned long long)countdown, done, CRASH_CHANGE);
		good = 0;
	}
	testarena_destroy(&a);
	return (good);
}

static void
test_crash(void)
{
	struct object_limits	 saved = object_limits;
	unsigned		 kills;
	int			 del, broken;

	if (!ok(crashpoint_enabled(), "this build has crash points"))
		return;
	/* Redis's defaults: 200 fields make a table. */
	object_limits.ol_hash_entries = 128;
	object_limits.ol_hash_value = 64;
	/* Repairs follow: keep their notes quiet. */
	log_init("hmap_test", 1, -1);
	for (del = 0; del < 2; del++) {
		broken = testarena_crash_each(crash_trial, &del, 3000, &kills);
		ok(kills > 0 && broken == 0, "%s of %d fields of a table: "
		    "killed at each of its %u crash point hits, all or none "
		    "changed and the arena whole (%d broken)",
		    del ? "an HDEL" : "an HSET", CRASH_CHANGE, kills, broken);
	}
	object_limits = saved;
}

int
main(void)
{
	struct arena	 a;
	struct keyspace	 ks;

	tap_no_plan();
	test_limits();
	if (!ok(testarena_store(&a, &ks, SIZE, 2) == 0,
	    "a 64 MiB store with 4 stripes"))
		return (tap_done());
	test_counts_and_random(&a, &ks);
	test_conversion(&a, &ks);
	test_check(&a, &ks);
	test_model(&a, &ks, 2000, 1000, 1000);
	test_model(&a, &ks, 2000, 512, 64);
	test_model(&a, &ks, 2000, 8, 1000);
	testarena_destroy(&a);
	test_crash();
	return (tap_done());
}
