/*
 * keyspace_test.c: checks the databases of keyspace.c.
 *
 * A value put under a key is got back byte for byte, whatever the lengths
 * (short keys, keys around the 255-byte switch to a long length, a 70000-
 * byte key, an empty value, a 1 MiB value) and whatever the bytes (keys
 * with NULs, keys that are prefixes of others).  A replace keeps one key
 * and frees the old entry; a delete says whether the key was there.  Keys
 * expire only when now > when, lazily, and the counts of keys and expiries
 * follow every change.  Tables grow and shrink as keys come and go and
 * every key stays reachable through it; SCAN sees every key that is present
 * for the whole scan even while tables resize under it; RANDOM returns only
 * live keys.  Databases are independent, FLUSH empties one of them, and a
 * put that does not fit fails with ENOMEM leaving the old value as it was.
 * Locking several keys takes each distinct stripe once, in ascending
 * address order, in one or two databases, and two processes that lock the
 * same keys in opposite orders neither deadlock nor see each other's
 * changes half made.  SWAPDB exchanges two databases whole, and locks
 * follow it.  A copy keeps type, value and expiry.  The expiry sweep
 * deletes expired keys only, within its budget, and counts them; the
 * expiry ticks of a worker touch only its share of the stripes.  A rename
 * within one stripe is right whichever way the two keys' chains touch; a
 * rename across stripes killed at any step of its transaction leaves the
 * key under exactly one name (the old one before the commit point, the
 * new one from it on), a later transaction on the same record waits for
 * the dead writer's other stripe to be settled, and the checker reports a
 * transaction record left stale.
 *
 * The stripes' tables are looked at through keyspace_internal.h, to see
 * that the resizes the test means to cause do happen.
 */

#include <sys/mman.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hydra/arena.h"
#include "hydra/check.h"
#include "hydra/crashpoint.h"
#include "hydra/expire.h"
#include "hydra/keyspace.h"
#include "hydra/slab.h"
#include "hydra/store.h"
#include "../../src/keyspace_internal.h"
#include "tap.h"
#include "testarena.h"

#define SIZE		((size_t)64 << 20)
#define NOW		INT64_C(1700000000000)
#define NBULK		100000
#define TYPE_STRING	0

/* Fill buf with bytes that depend on seed, a pattern per value. */
static void
make_value(unsigned char *buf, size_t len, uint32_t seed)
{
	uint32_t	 x = seed * 2654435761U + 1;
	size_t		 i;

	for (i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		buf[i] = (unsigned char)x;
	}
}

static int
put_str(struct keyspace *ks, unsigned db, const char *k, const char *v,
    int64_t expire)
{
	return (keyspace_put(ks, db, k, strlen(k), TYPE_STRING, v, strlen(v),
	    expire));
}

/* Is k in db, with exactly the value v, at time now? */
static int
has_str(struct keyspace *ks, unsigned db, const char *k, const char *v,
    int64_t now)
{
	char	 buf[256];
	size_t	 len;

	if (keyspace_get(ks, db, k, strlen(k), now, buf, sizeof(buf), &len,
	    NULL, NULL) != 1)
		return (0);
	return (len == strlen(v) && memcmp(buf, v, len) == 0);
}

static int
exists(struct keyspace *ks, unsigned db, const void *k, size_t klen,
    int64_t now)
{
	char	 buf[1];
	size_t	 len;

	return (keyspace_get(ks, db, k, klen, now, buf, 0, &len, NULL, NULL));
}

static uint64_t
nkeys(struct keyspace *ks, unsigned db)
{
	uint64_t	 keys, expires;

	keyspace_count(ks, db, &keys, &expires);
	return (keys);
}

static uint64_t
nexpires(struct keyspace *ks, unsigned db)
{
	uint64_t	 keys, expires;

	keyspace_count(ks, db, &keys, &expires);
	return (expires);
}

static uint64_t
bytes_used(struct arena *a)
{
	struct slab_stats	 st;

	slab_stats(a, &st);
	return (st.bytes_used);
}

/* Buckets of every table of every stripe of a database. */
static uint64_t
buckets(struct keyspace *ks, unsigned db)
{
	struct ks_stripe	*st;
	struct ks_table		*t;
	uint64_t		 n = 0;
	uint32_t		 s;
	int			 i;

	for (s = 0; s < keyspace_stripes(ks); s++) {
		st = ks_stripe_at(ks, db, s);
		for (i = 0; i < 2; i++)
			if ((t = ks_table(ks, st->st_table[i])) != NULL)
				n += (uint64_t)1 << t->kt_log2;
	}
	return (n);
}

/*
 * Buckets of the larger table of each stripe, summed: it grows when a grow
 * starts and falls only when a shrink has finished.
 */
static uint64_t
largest(struct keyspace *ks, unsigned db)
{
	struct ks_stripe	*st;
	struct ks_table		*t;
	uint64_t		 n = 0, m;
	uint32_t		 s;
	int			 i;

	for (s = 0; s < keyspace_stripes(ks); s++) {
		st = ks_stripe_at(ks, db, s);
		for (i = 0, m = 0; i < 2; i++)
			if ((t = ks_table(ks, st->st_table[i])) != NULL &&
			    ((uint64_t)1 << t->kt_log2) > m)
				m = (uint64_t)1 << t->kt_log2;
		n += m;
	}
	return (n);
}

static int
key_name(char *buf, size_t len, uint32_t id)
{
	return (snprintf(buf, len, "key:%u", id));
}

/* The key id of "key:<id>", or -1 for any other key. */
static long
key_id(const struct entry *e)
{
	const char	*k;
	size_t		 len, i;
	long		 id = 0;

	k = entry_key(e, &len);
	if (len < 5 || len > 14 || memcmp(k, "key:", 4) != 0)
		return (-1);
	for (i = 4; i < len; i++) {
		if (k[i] < '0' || k[i] > '9')
			return (-1);
		id = id * 10 + (k[i] - '0');
	}
	return (id);
}

/* What a scan or a random pick saw, one bit per key id. */
struct seen {
	unsigned char	*bits;
	long		 nids;
	uint64_t	 visits;
	uint64_t	 foreign;	/* keys that are no "key:<id>" */
	long		 last;
};

static void
seen_visit(const struct entry *e, void *arg)
{
	struct seen	*sn = arg;
	long		 id = key_id(e);

	sn->visits++;
	sn->last = id;
	if (id < 0 || id >= sn->nids) {
		sn->foreign++;
		return;
	}
	sn->bits[id / 8] |= (unsigned char)(1 << (id % 8));
}

static int
seen_has(const struct seen *sn, long id)
{
	return ((sn->bits[id / 8] >> (id % 8)) & 1);
}

static int
seen_init(struct seen *sn, long nids)
{
	memset(sn, 0, sizeof(*sn));
	sn->nids = nids;
	sn->bits = calloc((size_t)nids / 8 + 1, 1);
	return (sn->bits == NULL ? -1 : 0);
}

static void
test_round_trip(struct keyspace *ks)
{
	static const size_t	 klens[] = { 254, 255, 256, 70000 };
	unsigned char		*key, *val, *buf;
	char			 small[8];
	size_t			 i, len, cap = (size_t)1 << 20;
	int64_t			 exp;
	uint8_t			 type;
	int			 good;

	ok(put_str(ks, 0, "hello", "world", KEYSPACE_NO_EXPIRE) == 0,
	    "put of a short key succeeds");
	ok(has_str(ks, 0, "hello", "world", NOW),
	    "get returns the value put under a short key");
	ok(!exists(ks, 0, "hell", 4, NOW) && !exists(ks, 0, "hello!", 6, NOW),
	    "a prefix or an extension of a key is another key");
	ok(keyspace_put(ks, 0, "t", 1, 7, "v", 1, KEYSPACE_NO_EXPIRE) == 0 &&
	    keyspace_get(ks, 0, "t", 1, NOW, small, sizeof(small), &len, &exp,
	    &type) == 1 && type == 7 && exp == KEYSPACE_NO_EXPIRE,
	    "get returns the type tag put, and no expiry");

	key = malloc(70000);
	val = malloc(cap);
	buf = malloc(cap);
	if (key == NULL || val == NULL || buf == NULL) {
		ok(0, "the test can allocate long keys and values");
		free(key);
		free(val);
		free(buf);
		return;
	}

	/* Keys around the long-length switch, each a prefix of the next. */
	make_value(key, 70000, 1);
	for (i = 0; i < nitems(klens); i++) {
		make_value(val, 100 + i, (uint32_t)klens[i]);
		ok(keyspace_put(ks, 0, key, klens[i], TYPE_STRING, val,
		    100 + i, KEYSPACE_NO_EXPIRE) == 0,
		    "put of a %zu-byte key succeeds", klens[i]);
	}
	for (i = 0; i < nitems(klens); i++) {
		make_value(val, 100 + i, (uint32_t)klens[i]);
		good = keyspace_get(ks, 0, key, klens[i], NOW, buf, cap, &len,
		    NULL, NULL) == 1 && len == 100 + i &&
		    memcmp(buf, val, len) == 0;
		ok(good, "a %zu-byte key gets its own value back, not that of "
		    "a key it is a prefix of", klens[i]);
	}

	/* Binary keys: NUL bytes are part of the key. */
	ok(keyspace_put(ks, 0, "a\0b", 3, TYPE_STRING, "nul", 3,
	    KEYSPACE_NO_EXPIRE) == 0 && exists(ks, 0, "a\0b", 3, NOW) &&
	    !exists(ks, 0, "a", 1, NOW) && !exists(ks, 0, "a\0c", 3, NOW),
	    "a key with a NUL byte is stored whole and compared whole");
	ok(keyspace_put(ks, 0, "", 0, TYPE_STRING, "empty key", 9,
	    KEYSPACE_NO_EXPIRE) == 0 && has_str(ks, 0, "", "empty key", NOW),
	    "the empty key holds a value");

	ok(keyspace_put(ks, 0, "empty", 5, TYPE_STRING, "", 0,
	    KEYSPACE_NO_EXPIRE) == 0, "put of an empty value succeeds");
	len = 99;
	ok(keyspace_get(ks, 0, "empty", 5, NOW, buf, cap, &len, NULL,
	    NULL) == 1 && len == 0, "an empty value is found, with length 0");

	make_value(val, cap, 42);
	ok(keyspace_put(ks, 0, "mib", 3, TYPE_STRING, val, cap,
	    KEYSPACE_NO_EXPIRE) == 0, "put of a 1 MiB value succeeds");
	memset(buf, 0, cap);
	ok(keyspace_get(ks, 0, "mib", 3, NOW, buf, cap, &len, NULL,
	    NULL) == 1 && len == cap && memcmp(buf, val, cap) == 0,
	    "the 1 MiB value comes back byte for byte");
	memset(small, 0, sizeof(small));
	ok(keyspace_get(ks, 0, "mib", 3, NOW, small, 4, &len, NULL,
	    NULL) == 1 && len == cap && memcmp(small, val, 4) == 0 &&
	    small[4] == 0, "get into a small buffer copies only what fits, "
	    "and reports the full length");

	/* The length is refused before a byte of the value is read. */
	errno = 0;
	ok(keyspace_put(ks, 0, "huge", 4, TYPE_STRING, small,
	    (size_t)UINT32_MAX + 1, KEYSPACE_NO_EXPIRE) == -1 &&
	    (errno == EFBIG || errno == ENOMEM) && !exists(ks, 0, "huge", 4,
	    NOW), "a value of 4 GiB or more is refused, and no key is made");

	free(key);
	free(val);
	free(buf);
}

static void
test_replace_delete(struct arena *a, struct keyspace *ks)
{
	unsigned char	*big;
	uint64_t	 before, mem;
	size_t		 len;
	char		 buf[64];
	int		 i, good = 1;

	before = nkeys(ks, 1);
	ok(put_str(ks, 1, "k", "one", KEYSPACE_NO_EXPIRE) == 0 &&
	    put_str(ks, 1, "k", "two", KEYSPACE_NO_EXPIRE) == 0,
	    "a key can be put twice");
	ok(has_str(ks, 1, "k", "two", NOW), "the second put replaces the "
	    "value");
	is_int((long long)nkeys(ks, 1), (long long)before + 1,
	    "a replace keeps one key");

	if ((big = malloc(100000)) == NULL) {
		ok(0, "the test can allocate a large value");
		return;
	}
	make_value(big, 100000, 9);
	ok(keyspace_put(ks, 1, "k", 1, TYPE_STRING, big, 100000,
	    KEYSPACE_NO_EXPIRE) == 0 && keyspace_get(ks, 1, "k", 1, NOW, big,
	    0, &len, NULL, NULL) == 1 && len == 100000,
	    "a value can grow from 3 bytes to 100000 in a replace");
	ok(put_str(ks, 1, "k", "three", KEYSPACE_NO_EXPIRE) == 0 &&
	    has_str(ks, 1, "k", "three", NOW) &&
	    nkeys(ks, 1) == before + 1, "and shrink back, still one key");
	free(big);

	ok(put_str(ks, 1, "k", "value number 0", KEYSPACE_NO_EXPIRE) == 0,
	    "a 14-byte value replaces it");
	mem = bytes_used(a);
	for (i = 0; i < 1000; i++) {
		snprintf(buf, sizeof(buf), "value number %d", i % 10);
		good &= put_str(ks, 1, "k", buf, KEYSPACE_NO_EXPIRE) == 0;
	}
	ok(good && bytes_used(a) == mem,
	    "1000 replaces of a value by one of the same size free every "
	    "old entry (%llu bytes in use before, %llu after)",
	    (unsigned long long)mem, (unsigned long long)bytes_used(a));

	is_int(keyspace_delete(ks, 1, "k", 1), 1,
	    "delete of a key that exists returns 1");
	is_int(keyspace_delete(ks, 1, "k", 1), 0,
	    "delete of the same key again returns 0");
	ok(!exists(ks, 1, "k", 1, NOW), "a deleted key is not found");
	is_int((long long)nkeys(ks, 1), (long long)before,
	    "the delete took the key out of the count");
	is_int(keyspace_delete(ks, 9, "never", 5), 0,
	    "delete in a database that never had a key returns 0");
	ok(bytes_used(a) < mem, "the delete freed the entry");
}

static void
test_expiry(struct keyspace *ks)
{
	const unsigned	 db = 2;
	char		 buf[16];
	size_t		 len;
	int64_t		 exp, big = (INT64_C(1) << 44) + 5;

	ok(put_str(ks, db, "p", "plain", KEYSPACE_NO_EXPIRE) == 0 &&
	    put_str(ks, db, "e", "expiring", NOW + 5000) == 0 &&
	    put_str(ks, db, "z", "epoch", 0) == 0,
	    "puts with and without an expiry succeed");
	is_int((long long)nkeys(ks, db), 3, "the database counts three keys");
	is_int((long long)nexpires(ks, db), 2, "two of them with an expiry");
	ok(keyspace_get(ks, db, "e", 1, NOW, buf, sizeof(buf), &len, &exp,
	    NULL) == 1 && exp == NOW + 5000,
	    "get reports the expiry that was put");

	is_int(keyspace_set_expire(ks, db, "p", 1, NOW + 1000, NOW), 1,
	    "setting an expiry on a key without one returns 1");
	ok(keyspace_get(ks, db, "p", 1, NOW, buf, sizeof(buf), &len, &exp,
	    NULL) == 1 && exp == NOW + 1000 && len == 5 &&
	    memcmp(buf, "plain", 5) == 0,
	    "the key keeps its value and gains the expiry");
	is_int((long long)nexpires(ks, db), 3, "the expiry is counted");
	is_int(keyspace_set_expire(ks, db, "p", 1, big, NOW), 1,
	    "changing the expiry of a key that has one returns 1");
	ok(keyspace_get(ks, db, "p", 1, NOW, buf, sizeof(buf), &len, &exp,
	    NULL) == 1 && exp == big,
	    "an expiry above 2^32 (and above now) is kept in full");
	is_int((long long)nexpires(ks, db), 3,
	    "changing an expiry does not count it twice");
	is_int(keyspace_set_expire(ks, db, "p", 1, KEYSPACE_NO_EXPIRE, NOW), 1,
	    "clearing an expiry that is set returns 1");
	ok(keyspace_get(ks, db, "p", 1, NOW, buf, sizeof(buf), &len, &exp,
	    NULL) == 1 && exp == KEYSPACE_NO_EXPIRE && len == 5,
	    "the key is persistent again, with its value");
	is_int(keyspace_set_expire(ks, db, "p", 1, KEYSPACE_NO_EXPIRE, NOW), 0,
	    "clearing an expiry on a key without one returns 0");
	is_int((long long)nexpires(ks, db), 2, "the cleared expiry is "
	    "uncounted");
	is_int(keyspace_set_expire(ks, db, "nope", 4, NOW, NOW), 0,
	    "setting an expiry on a missing key returns 0");

	/* Redis: a key is expired only once now > when. */
	ok(has_str(ks, db, "e", "expiring", NOW + 4999),
	    "a key is live before its expiry");
	ok(has_str(ks, db, "e", "expiring", NOW + 5000),
	    "a key is still live at the very millisecond of its expiry");
	is_int((long long)nkeys(ks, db), 3, "looking at a live key removes "
	    "nothing");
	ok(!has_str(ks, db, "e", "expiring", NOW + 5001),
	    "a key is gone one millisecond after its expiry");
	is_int((long long)nkeys(ks, db), 2, "the lazy expiry deleted the "
	    "key");
	is_int((long long)nexpires(ks, db), 1, "and its expiry");
	ok(!has_str(ks, db, "e", "expiring", NOW),
	    "an expired key stays gone even when asked with an earlier time");

	ok(has_str(ks, db, "z", "epoch", 0), "an expiry of 0 is a real "
	    "expiry: live at time 0");
	is_int(keyspace_set_expire(ks, db, "z", 1, NOW, 1), 0,
	    "set_expire on a key that has just expired returns 0");
	is_int((long long)nkeys(ks, db), 1, "and deletes it");

	ok(put_str(ks, db, "r", "a", NOW + 10) == 0 &&
	    put_str(ks, db, "r", "b", KEYSPACE_NO_EXPIRE) == 0 &&
	    nexpires(ks, db) == 0, "a put without expiry replaces a key's "
	    "expiry too");
	ok(has_str(ks, db, "r", "b", NOW + 1000), "and the key no longer "
	    "expires");
	keyspace_flush(ks, db);
}

/*
 * A full scan of db, which holds the keys below n whose ids are multiples
 * of step, and no other.
 */
static void
test_scan_full(struct keyspace *ks, unsigned db, long n, long step)
{
	struct seen	 sn;
	uint64_t	 cursor = 0, calls = 0;
	long		 id, missing = 0, ghosts = 0;

	if (seen_init(&sn, n) == -1) {
		ok(0, "the test can allocate a bitmap of key ids");
		return;
	}
	do {
		cursor = keyspace_scan(ks, db, cursor, NOW, seen_visit, &sn);
		calls++;
	} while (cursor != 0 && calls < 100000000);
	ok(cursor == 0, "a full scan of %ld keys ends (%llu calls)",
	    n / step, (unsigned long long)calls);
	for (id = 0; id < n; id++) {
		if (id % step == 0)
			missing += !seen_has(&sn, id);
		else
			ghosts += seen_has(&sn, id);
	}
	is_int(missing, 0, "a full scan visits every key at least once");
	is_int(ghosts, 0, "it visits no deleted key");
	is_int((long long)sn.foreign, 0, "and only keys of the database");

	/* SCAN takes whatever cursor a client sends. */
	cursor = UINT64_MAX;
	calls = 0;
	do {
		cursor = keyspace_scan(ks, db, cursor, NOW, seen_visit, &sn);
		calls++;
	} while (cursor != 0 && calls < 100000000);
	ok(cursor == 0 && sn.foreign == 0, "a scan from a made-up cursor "
	    "ends, visiting only keys of the database");
	free(sn.bits);

	/* A walk of every stripe visits each key exactly once. */
	if (seen_init(&sn, n) == -1) {
		ok(0, "the test can allocate a bitmap of key ids");
		return;
	}
	for (calls = 0; calls < keyspace_stripes(ks); calls++)
		keyspace_visit_stripe(ks, db, (uint32_t)calls, NOW,
		    seen_visit, &sn);
	missing = ghosts = 0;
	for (id = 0; id < n; id++) {
		if (id % step == 0)
			missing += !seen_has(&sn, id);
		else
			ghosts += seen_has(&sn, id);
	}
	ok(missing == 0 && ghosts == 0 && sn.foreign == 0 &&
	    sn.visits == (uint64_t)((n + step - 1) / step), "a walk of every "
	    "stripe visits each of the %ld keys once (%llu visits), and no "
	    "other", (n + step - 1) / step, (unsigned long long)sn.visits);
	free(sn.bits);
}

static void
test_bulk(struct arena *a, struct keyspace *ks)
{
	char		 k[32], v[32];
	uint64_t	 peak, grown, mem_peak;
	uint32_t	 i;
	int		 good = 1, found = 1, gone = 1, pass;

	ok(keyspace_stripes(ks) == 4, "the bulk arena has 4 stripes per "
	    "database");
	for (i = 0; i < NBULK; i++) {
		key_name(k, sizeof(k), i);
		snprintf(v, sizeof(v), "v%u", i * 7);
		good &= put_str(ks, 0, k, v, KEYSPACE_NO_EXPIRE) == 0;
	}
	ok(good, "%d keys are put", NBULK);
	is_int((long long)nkeys(ks, 0), NBULK, "and counted");
	grown = buckets(ks, 0);
	ok(grown >= NBULK / 2, "the tables grew from 4 buckets to %llu "
	    "in all", (unsigned long long)grown);
	for (i = 0; i < NBULK; i++) {
		key_name(k, sizeof(k), i);
		snprintf(v, sizeof(v), "v%u", i * 7);
		found &= has_str(ks, 0, k, v, NOW);
	}
	ok(found, "every key is found with its value after the resizes");
	test_scan_full(ks, 0, NBULK, 1);

	mem_peak = bytes_used(a);
	peak = grown;
	for (i = 0; i < NBULK; i++) {
		if (i % 20 == 0)
			continue;
		key_name(k, sizeof(k), i);
		gone &= keyspace_delete(ks, 0, k, strlen(k)) == 1;
		if (buckets(ks, 0) > peak && i % 1000 == 0)
			peak = buckets(ks, 0);
	}
	ok(gone, "95%% of the keys are deleted, each delete returning 1");
	is_int((long long)nkeys(ks, 0), NBULK / 20, "the count follows");
	/*
	 * Only writes move the incremental rehash of the shrink on: rewrite
	 * the keys that are left until their tables settle.
	 */
	for (pass = 0; pass < 20 && buckets(ks, 0) * 4 > peak; pass++) {
		for (i = 0; i < NBULK; i += 20) {
			key_name(k, sizeof(k), i);
			snprintf(v, sizeof(v), "v%u", i * 7);
			good &= put_str(ks, 0, k, v, KEYSPACE_NO_EXPIRE) == 0;
		}
	}
	ok(good && buckets(ks, 0) * 4 <= peak,
	    "the tables shrank: %llu buckets, from %llu, after %d passes of "
	    "writes", (unsigned long long)buckets(ks, 0),
	    (unsigned long long)peak, pass);
	ok(bytes_used(a) * 5 < mem_peak, "the memory in use shrank with "
	    "them: %llu bytes, from %llu", (unsigned long long)bytes_used(a),
	    (unsigned long long)mem_peak);
	found = gone = 1;
	for (i = 0; i < NBULK; i++) {
		key_name(k, sizeof(k), i);
		snprintf(v, sizeof(v), "v%u", i * 7);
		if (i % 20 == 0)
			found &= has_str(ks, 0, k, v, NOW);
		else
			gone &= !exists(ks, 0, k, strlen(k), NOW);
	}
	ok(found, "every key that was kept is still found with its value");
	ok(gone, "no deleted key is found");
	test_scan_full(ks, 0, NBULK, 20);
}

/*
 * Scan db while other keys come and go: first insertions that make the
 * tables grow, then deletions that make them shrink, then rewrites of the
 * keys that are left, which drive the shrink's rehash to its end.  Keys
 * with even ids below n are there throughout and must each be seen; the
 * odd ones and the new ones may or may not be.  With one stripe per
 * database, every resize happens in the stripe being scanned.
 */
static void
test_scan_churn(struct keyspace *ks, unsigned db, long n)
{
	struct seen	 sn;
	uint64_t	 cursor = 0, calls = 0, b0, bmax, bmin, b;
	long		 id, next = n, odd = 1, missing = 0, dead = n;
	long		 rewrite = 0;
	char		 k[32];
	int		 good = 1;

	if (seen_init(&sn, 8 * n) == -1) {
		ok(0, "the test can allocate a bitmap of key ids");
		return;
	}
	for (id = 0; id < n; id++) {
		key_name(k, sizeof(k), (uint32_t)id);
		good &= put_str(ks, db, k, "x", KEYSPACE_NO_EXPIRE) == 0;
	}
	ok(good, "%ld keys are put before the scan", n);
	b0 = bmax = bmin = largest(ks, db);
	do {
		cursor = keyspace_scan(ks, db, cursor, NOW, seen_visit, &sn);
		calls++;
		if (next < 4 * n) {
			/* Grow: three new keys per step. */
			for (id = 0; id < 3; id++) {
				key_name(k, sizeof(k), (uint32_t)next++);
				good &= put_str(ks, db, k, "y",
				    KEYSPACE_NO_EXPIRE) == 0;
			}
		} else if (odd < n || dead < next) {
			/* Shrink: drop odd keys, then the new ones. */
			for (id = 0; id < 8; id++) {
				if (odd < n) {
					key_name(k, sizeof(k), (uint32_t)odd);
					odd += 2;
				} else if (dead < next) {
					key_name(k, sizeof(k),
					    (uint32_t)dead++);
				} else
					break;
				good &= keyspace_delete(ks, db, k,
				    strlen(k)) == 1;
			}
		} else if (rewrite < 4 * n) {
			/* Rewrite the even keys, moving the rehash on. */
			for (id = 0; id < 8; id++, rewrite += 2) {
				key_name(k, sizeof(k),
				    (uint32_t)(rewrite % n));
				good &= put_str(ks, db, k, "x",
				    KEYSPACE_NO_EXPIRE) == 0;
			}
		}
		/* bmin: the smallest table after the largest. */
		b = largest(ks, db);
		if (b > bmax)
			bmax = bmin = b;
		else if (b < bmin)
			bmin = b;
	} while (cursor != 0 && calls < 100000000);
	ok(cursor == 0 && good, "a scan ends while keys are inserted and "
	    "deleted under it (%llu calls)", (unsigned long long)calls);
	ok(bmax > b0, "the table grew during the scan (%llu to %llu "
	    "buckets)", (unsigned long long)b0, (unsigned long long)bmax);
	ok(bmin < bmax, "and shrank again before the scan ended (to %llu "
	    "buckets)", (unsigned long long)bmin);
	for (id = 0; id < n; id += 2)
		missing += !seen_has(&sn, id);
	is_int(missing, 0, "every key present for the whole scan was "
	    "visited, across the resizes");
	is_int((long long)sn.foreign, 0, "no visit was to a key that never "
	    "existed");
	free(sn.bits);
	keyspace_flush(ks, db);
}

static void
test_random(struct keyspace *ks)
{
	const unsigned	 db = 5;
	struct seen	 sn;
	char		 k[32];
	uint32_t	 i;
	int		 good = 1, rv;

	if (seen_init(&sn, 1000) == -1) {
		ok(0, "the test can allocate a bitmap of key ids");
		return;
	}
	is_int(keyspace_random(ks, db, NOW, seen_visit, &sn), 0,
	    "random on an empty database returns 0");
	is_int((long long)sn.visits, 0, "and visits nothing");

	for (i = 0; i < 100; i++) {
		key_name(k, sizeof(k), i);
		good &= put_str(ks, db, k, "r", KEYSPACE_NO_EXPIRE) == 0;
	}
	for (i = 0; i < 1000; i++)
		good &= keyspace_random(ks, db, NOW, seen_visit, &sn) == 1;
	ok(good && sn.visits == 1000, "random on a database of 100 keys "
	    "returns 1 and visits one key each time");
	ok(sn.foreign == 0, "it only ever visits keys of the database");
	for (i = 0, rv = 0; i < 100; i++)
		rv += seen_has(&sn, i);
	ok(rv > 50, "1000 picks reach most of the 100 keys (%d)", rv);

	for (i = 1; i < 100; i++) {
		key_name(k, sizeof(k), i);
		(void)keyspace_delete(ks, db, k, strlen(k));
	}
	good = 1;
	for (i = 0; i < 100; i++) {
		sn.last = -1;
		good &= keyspace_random(ks, db, NOW, seen_visit, &sn) == 1 &&
		    sn.last == 0;
	}
	ok(good, "with one key left, random always returns that key");

	/* Expired keys are never picked, and are deleted when met. */
	for (i = 100; i < 200; i++) {
		key_name(k, sizeof(k), i);
		good &= put_str(ks, db, k, "old", NOW - 1) == 0;
	}
	good = 1;
	for (i = 0; i < 200; i++) {
		sn.last = -1;
		rv = keyspace_random(ks, db, NOW, seen_visit, &sn);
		good &= rv == 0 || sn.last == 0;
	}
	ok(good, "random never visits an expired key");
	keyspace_flush(ks, db);
	for (i = 100; i < 110; i++) {
		key_name(k, sizeof(k), i);
		(void)put_str(ks, db, k, "old", NOW - 1);
	}
	sn.visits = 0;
	is_int(keyspace_random(ks, db, NOW, seen_visit, &sn), 0,
	    "random on a database of expired keys only returns 0");
	is_int((long long)sn.visits, 0, "and visits nothing");
	free(sn.bits);
	keyspace_flush(ks, db);
}

static void
test_databases(struct arena *a, struct keyspace *ks)
{
	char		 k[32];
	uint64_t	 mem0, keys7;
	uint32_t	 i;
	int		 good = 1;

	is_int(keyspace_databases(ks), KEYSPACE_DATABASES,
	    "a default store has KEYSPACE_DATABASES databases");
	ok(put_str(ks, 0, "same", "zero", KEYSPACE_NO_EXPIRE) == 0 &&
	    put_str(ks, 3, "same", "three", KEYSPACE_NO_EXPIRE) == 0 &&
	    put_str(ks, KEYSPACE_DATABASES - 1, "same", "last",
	    KEYSPACE_NO_EXPIRE) == 0, "one key is put in databases 0, 3 "
	    "and the last");
	ok(has_str(ks, 0, "same", "zero", NOW) &&
	    has_str(ks, 3, "same", "three", NOW) &&
	    has_str(ks, KEYSPACE_DATABASES - 1, "same", "last", NOW),
	    "each database holds its own value for the same key");
	ok(!exists(ks, 4, "same", 4, NOW), "a database where it was not put "
	    "does not have it");
	ok(keyspace_delete(ks, 0, "same", 4) == 1 &&
	    has_str(ks, 3, "same", "three", NOW),
	    "deleting it in database 0 leaves database 3's");

	for (i = 0; i < 2000; i++) {
		key_name(k, sizeof(k), i);
		good &= put_str(ks, 7, k, "seven", KEYSPACE_NO_EXPIRE) == 0;
	}
	keys7 = nkeys(ks, 7);
	mem0 = bytes_used(a);
	for (i = 0; i < 3000; i++) {
		key_name(k, sizeof(k), i);
		good &= put_str(ks, 6, k, "six", i % 2 ? NOW + 1 : -1) == 0;
	}
	ok(good && nkeys(ks, 6) == 3000 && nexpires(ks, 6) == 1500,
	    "3000 keys, half with an expiry, are put in database 6");
	keyspace_flush(ks, 6);
	ok(nkeys(ks, 6) == 0 && nexpires(ks, 6) == 0,
	    "flush leaves no key and no expiry in the database");
	good = 1;
	for (i = 0; i < 3000; i++) {
		key_name(k, sizeof(k), i);
		good &= !exists(ks, 6, k, strlen(k), NOW);
	}
	ok(good, "no flushed key is found");
	ok(bytes_used(a) == mem0, "flush frees every entry and table of the "
	    "database");
	good = nkeys(ks, 7) == keys7;
	for (i = 0; i < 2000; i++) {
		key_name(k, sizeof(k), i);
		good &= has_str(ks, 7, k, "seven", NOW);
	}
	ok(good, "flush leaves another database untouched");
	ok(put_str(ks, 6, "again", "yes", KEYSPACE_NO_EXPIRE) == 0 &&
	    has_str(ks, 6, "again", "yes", NOW) && nkeys(ks, 6) == 1,
	    "a flushed database takes keys again");
	keyspace_flush(ks, 6);
	keyspace_flush(ks, 6);
	ok(nkeys(ks, 6) == 0, "flushing an empty database is harmless");
	keyspace_flush(ks, 7);
}

static void
test_enomem(void)
{
	struct arena	 a;
	struct keyspace	 ks;
	unsigned char	*v;
	size_t		 vlen = (size_t)1 << 19, big = (size_t)32 << 20, len;
	uint64_t	 keys;
	char		 k[32], buf[16];
	uint32_t	 i;
	int		 rv, err;

	if (testarena_store(&a, &ks, (size_t)16 << 20, 0) == -1) {
		ok(0, "a 16 MiB store");
		return;
	}
	if ((v = calloc(1, big)) == NULL) {
		ok(0, "the test can allocate a large value");
		testarena_destroy(&a);
		return;
	}
	ok(put_str(&ks, 0, "victim", "original", NOW + 100000) == 0,
	    "a key is put in a small store");

	errno = 0;
	rv = keyspace_put(&ks, 0, "victim", 6, TYPE_STRING, v, big,
	    KEYSPACE_NO_EXPIRE);
	err = errno;
	ok(rv == -1 && err == ENOMEM, "replacing it with a value larger "
	    "than the arena fails with ENOMEM");
	ok(keyspace_get(&ks, 0, "victim", 6, NOW, buf, sizeof(buf), &len,
	    NULL, NULL) == 1 && len == 8 && memcmp(buf, "original", 8) == 0,
	    "the old value is intact");
	ok(nkeys(&ks, 0) == 1 && nexpires(&ks, 0) == 1,
	    "and the counts are unchanged");

	for (i = 0; i < 1000; i++) {
		key_name(k, sizeof(k), i);
		if ((rv = keyspace_put(&ks, 0, k, strlen(k), TYPE_STRING, v,
		    vlen, KEYSPACE_NO_EXPIRE)) == -1)
			break;
	}
	err = errno;
	ok(rv == -1 && err == ENOMEM && i > 0,
	    "filling the store with 512 KiB values ends in ENOMEM (after %u)",
	    i);
	keys = nkeys(&ks, 0);
	is_int((long long)keys, (long long)i + 1,
	    "the failed put added no key");
	key_name(k, sizeof(k), i);
	ok(!exists(&ks, 0, k, strlen(k), NOW), "the key of the failed put "
	    "does not exist");
	errno = 0;
	rv = keyspace_put(&ks, 0, "victim", 6, TYPE_STRING, v, vlen,
	    KEYSPACE_NO_EXPIRE);
	ok(rv == -1 && errno == ENOMEM, "replacing the first key with a "
	    "value that does not fit fails with ENOMEM");
	ok(has_str(&ks, 0, "victim", "original", NOW) && nkeys(&ks, 0) ==
	    keys, "the first key still has its old value");
	is_int(keyspace_set_expire(&ks, 0, "victim", 6, NOW + 5, NOW), 1,
	    "an expiry can still be changed in place in a full store");

	key_name(k, sizeof(k), 0);
	ok(keyspace_delete(&ks, 0, k, strlen(k)) == 1 &&
	    keyspace_put(&ks, 0, "victim", 6, TYPE_STRING, v, vlen,
	    KEYSPACE_NO_EXPIRE) == 0, "after a delete frees room, the "
	    "replace succeeds");
	ok(keyspace_get(&ks, 0, "victim", 6, NOW, buf, 0, &len, NULL,
	    NULL) == 1 && len == vlen, "and the key has the new value");

	free(v);
	testarena_destroy(&a);
}

/* Two keys, named key:<id>, that live in different stripes. */
static void
two_stripes(struct keyspace *ks, char *a, char *b, size_t len)
{
	struct ks_key	 ka, kb;
	uint32_t	 i;

	key_name(a, len, 0);
	keyspace_key(ks, &ka, a, strlen(a));
	for (i = 1;; i++) {
		key_name(b, len, i);
		keyspace_key(ks, &kb, b, strlen(b));
		if (keyspace_stripe_index(ks, &ka) !=
		    keyspace_stripe_index(ks, &kb))
			return;
	}
}

static void
test_lock_keys(struct keyspace *ks)
{
	struct ks_key		 keys[64];
	struct ks_stripe	*sts[64], *held[64], *one;
	unsigned		 dbs[64];
	char			 names[64][32];
	size_t			 n = 64, nheld, i, j, distinct;
	int			 good = 1, found;
	pid_t			 me = getpid();

	for (i = 0; i < n; i++) {
		/* Every fourth key repeats the one before it. */
		key_name(names[i], sizeof(names[i]), (uint32_t)(i % 4 == 3 ?
		    i - 1 : i));
		keyspace_key(ks, &keys[i], names[i], strlen(names[i]));
		dbs[i] = i < n / 2 ? 2 : 5;
	}
	nheld = keyspace_lock_keys(ks, 0, dbs, keys, n, sts, held);
	for (i = 0, distinct = 0; i < n; i++) {
		for (j = 0, found = 0; j < i; j++)
			found |= sts[j] == sts[i];
		distinct += !found;
	}
	is_int((long long)nheld, (long long)distinct,
	    "locking 64 keys (some repeated) in two databases holds each "
	    "distinct stripe once (%zu)", nheld);
	for (i = 1; i < nheld; i++)
		good &= (uintptr_t)held[i - 1] < (uintptr_t)held[i];
	ok(good, "the stripes are taken in ascending address order");
	good = 1;
	for (i = 0; i < nheld; i++)
		good &= held[i]->st_lock.lk_holder == me;
	ok(good, "every stripe is held by this process");
	good = 1;
	for (i = 0; i < n; i++) {
		for (j = 0, found = 0; j < nheld; j++)
			found |= held[j] == sts[i];
		good &= found;
	}
	ok(good, "each key's stripe is among them");
	keyspace_unlock_keys(ks, held, nheld);
	good = 1;
	for (i = 0; i < nheld; i++)
		good &= held[i]->st_lock.lk_holder == 0;
	ok(good, "unlocking releases every one of them");
	good = 1;
	for (i = 0; i < n; i++) {
		one = keyspace_lock(ks, dbs[i], &keys[i]);
		good &= one == sts[i];
		keyspace_unlock(ks, one);
	}
	ok(good, "each is the stripe keyspace_lock() takes for that key");
	nheld = keyspace_lock_keys(ks, 9, NULL, keys, 1, sts, held);
	ok(nheld == 1 && sts[0] == held[0] &&
	    held[0]->st_lock.lk_holder == me, "one key, one stripe");
	keyspace_unlock_keys(ks, held, nheld);
}

/*
 * Two processes: the child writes the same number under two keys of
 * different stripes, both locked at once; the parent locks them in the
 * opposite order and must always read equal numbers.
 */
static void
test_lock_keys_concurrent(struct keyspace *ks)
{
	struct ks_key		 kk[2], rk[2];
	struct ks_stripe	*sts[2], *held[2];
	const struct entry	*e0, *e1;
	const char		*v0, *v1;
	char			 a[32], b[32], num[16];
	size_t			 nheld, l0, l1;
	unsigned		 i, torn = 0, reads = 0;
	int			 status, n;
	pid_t			 pid;

	two_stripes(ks, a, b, sizeof(a));
	put_str(ks, 4, a, "0", KEYSPACE_NO_EXPIRE);
	put_str(ks, 4, b, "0", KEYSPACE_NO_EXPIRE);
	keyspace_key(ks, &kk[0], a, strlen(a));
	keyspace_key(ks, &kk[1], b, strlen(b));
	rk[0] = kk[1];
	rk[1] = kk[0];
	if ((pid = fork()) == 0) {
		alarm(60);
		for (i = 1; i <= 20000; i++) {
			n = snprintf(num, sizeof(num), "%u", i);
			nheld = keyspace_lock_keys(ks, 4, NULL, kk, 2, sts,
			    held);
			if (keyspace_put_locked(ks, sts[0], &kk[0], 0, num,
			    (size_t)n, KEYSPACE_NO_EXPIRE) == -1 ||
			    keyspace_put_locked(ks, sts[1], &kk[1], 0, num,
			    (size_t)n, KEYSPACE_NO_EXPIRE) == -1)
				_exit(2);
			keyspace_unlock_keys(ks, held, nheld);
		}
		_exit(0);
	}
	alarm(60);
	for (;;) {
		nheld = keyspace_lock_keys(ks, 4, NULL, rk, 2, sts, held);
		e0 = keyspace_find_locked(ks, sts[1], &rk[1], NOW);
		e1 = keyspace_find_locked(ks, sts[0], &rk[0], NOW);
		v0 = entry_value(e0, &l0);
		v1 = entry_value(e1, &l1);
		torn += l0 != l1 || memcmp(v0, v1, l0) != 0;
		reads++;
		n = l0 == 5 && memcmp(v0, "20000", 5) == 0;
		keyspace_unlock_keys(ks, held, nheld);
		if (n)
			break;
	}
	alarm(0);
	waitpid(pid, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "a writer locking two stripes 20000 times finishes, against a "
	    "reader that locks them in the other order");
	ok(torn == 0 && reads > 0, "the reader never saw the two keys "
	    "differ (%u reads)", reads);
	keyspace_flush(ks, 4);
}

static void
test_swapdb(struct keyspace *ks)
{
	struct ks_key		 kk[2];
	struct ks_stripe	*sts[2], *held[2];
	unsigned		 dbs[2] = { 8, 9 };
	char			 k[32];
	size_t			 nheld;
	uint32_t		 i;
	int			 good = 1;

	for (i = 0; i < 300; i++) {
		key_name(k, sizeof(k), i);
		good &= put_str(ks, 8, k, "eight", KEYSPACE_NO_EXPIRE) == 0;
	}
	good &= put_str(ks, 9, "only9", "nine", NOW + 1000) == 0;
	ok(good, "300 keys in database 8, one in database 9");
	keyspace_swapdb(ks, 8, 9);
	ok(nkeys(ks, 9) == 300 && nkeys(ks, 8) == 1 && nexpires(ks, 8) == 1,
	    "after SWAPDB 8 9 the counts are swapped");
	good = has_str(ks, 8, "only9", "nine", NOW) &&
	    !exists(ks, 9, "only9", 5, NOW);
	for (i = 0; i < 300; i++) {
		key_name(k, sizeof(k), i);
		good &= has_str(ks, 9, k, "eight", NOW) &&
		    !exists(ks, 8, k, strlen(k), NOW);
	}
	ok(good, "and so is every key");
	ok(put_str(ks, 9, "new", "in9", KEYSPACE_NO_EXPIRE) == 0 &&
	    has_str(ks, 9, "new", "in9", NOW) && nkeys(ks, 9) == 301,
	    "a put after the swap goes to the database as now numbered");
	keyspace_key(ks, &kk[0], "only9", 5);
	keyspace_key(ks, &kk[1], "new", 3);
	nheld = keyspace_lock_keys(ks, 0, dbs, kk, 2, sts, held);
	ok(keyspace_copy_locked(ks, sts[0], &kk[0], sts[1], &kk[1], NOW,
	    1, -1) == 1, "a copy across the swapped databases is done");
	keyspace_unlock_keys(ks, held, nheld);
	ok(has_str(ks, 9, "new", "nine", NOW) &&
	    has_str(ks, 8, "only9", "nine", NOW) && nexpires(ks, 9) == 1,
	    "it copied value and expiry, and kept the source");
	keyspace_swapdb(ks, 9, 8);
	keyspace_swapdb(ks, 3, 3);
	ok(nkeys(ks, 8) == 301 && has_str(ks, 8, "new", "nine", NOW) &&
	    nkeys(ks, 9) == 1 && has_str(ks, 9, "only9", "nine", NOW),
	    "swapping back restores them; a swap with itself does nothing");
	keyspace_flush(ks, 8);
	keyspace_flush(ks, 9);
}

/* Read key "x" of databases 8 and 9 together: 1 when they hold A and B. */
static int
swap_pair_ok(struct keyspace *ks)
{
	struct ks_key		 kk[2];
	struct ks_stripe	*sts[2], *held[2];
	const struct entry	*e8, *e9;
	unsigned		 dbs[2] = { 8, 9 };
	const char		*v8, *v9;
	size_t			 nheld, l8, l9;
	int			 good;

	keyspace_key(ks, &kk[0], "x", 1);
	kk[1] = kk[0];
	nheld = keyspace_lock_keys(ks, 0, dbs, kk, 2, sts, held);
	e8 = keyspace_peek_locked(ks, sts[0], &kk[0], NOW);
	e9 = keyspace_peek_locked(ks, sts[1], &kk[1], NOW);
	good = e8 != NULL && e9 != NULL;
	if (good) {
		v8 = entry_value(e8, &l8);
		v9 = entry_value(e9, &l9);
		good = l8 == 1 && l9 == 1 && ((v8[0] == 'A' && v9[0] == 'B') ||
		    (v8[0] == 'B' && v9[0] == 'A'));
	}
	keyspace_unlock_keys(ks, held, nheld);
	return (good);
}

/*
 * A process swapping databases 8 and 9 over and over, against a reader of
 * both: the reader always finds one A and one B.  Then the swapper is
 * killed at random moments: the databases are swapped or not, never half,
 * and the checker finds the arena whole.
 */
static void
test_swapdb_concurrent(struct arena *a, struct keyspace *ks)
{
	struct timespec	 ts;
	unsigned	 i, bad = 0, reads = 0, kills = 0;
	int		 status;
	pid_t		 pid;

	put_str(ks, 8, "x", "A", KEYSPACE_NO_EXPIRE);
	put_str(ks, 9, "x", "B", KEYSPACE_NO_EXPIRE);
	if ((pid = fork()) == 0) {
		alarm(60);
		for (i = 0; i < 3000; i++)
			keyspace_swapdb(ks, 8, 9);
		_exit(0);
	}
	do {
		bad += !swap_pair_ok(ks);
		reads++;
	} while (waitpid(pid, &status, WNOHANG) == 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0 && bad == 0,
	    "3000 swaps against a reader of both databases: every one of "
	    "%u reads found one A and one B", reads);
	for (i = 0; i < 30; i++) {
		if ((pid = fork()) == 0) {
			for (;;)
				keyspace_swapdb(ks, 8, 9);
		}
		ts.tv_sec = 0;
		ts.tv_nsec = 200000 + (long)(arc4random_uniform(3000)) * 1000;
		nanosleep(&ts, NULL);
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		kills += WIFSIGNALED(status);
		bad += !swap_pair_ok(ks);
		bad += check_arena(a, 0, stderr, NULL) != 0;
	}
	ok(kills == 30 && bad == 0, "a swapper killed at 30 random moments "
	    "leaves the databases swapped or not, and the arena whole");
	keyspace_flush(ks, 8);
	keyspace_flush(ks, 9);
}

static void
test_sweep(struct keyspace *ks)
{
	char		 k[32];
	uint32_t	 i, s;
	unsigned	 del, seen, total = 0, maxseen = 0;
	uint64_t	 before = keyspace_expired_keys();
	int		 good = 1;

	for (i = 0; i < 1000; i++) {
		key_name(k, sizeof(k), i);
		good &= put_str(ks, 10, k, "v", i % 4 == 0 ? NOW - 1 :
		    i % 4 == 1 ? NOW + 100000 : KEYSPACE_NO_EXPIRE) == 0;
	}
	ok(good && nkeys(ks, 10) == 1000 && nexpires(ks, 10) == 500,
	    "1000 keys: 250 expired, 250 expiring later, 500 without");
	ok(keyspace_expire_sweep(ks, 11, 0, NOW, 20, &seen) == 0 &&
	    seen == 0, "a stripe with no expiring key is not looked at");
	/* Steps resume where the last stopped: enough of them cover all. */
	for (s = 0; s < keyspace_stripes(ks); s++) {
		for (i = 0; i < 100; i++) {
			del = keyspace_expire_sweep(ks, 10, s, NOW, 5, &seen);
			total += del;
			if (seen > maxseen)
				maxseen = seen;
		}
	}
	is_int(total, 250, "100 steps on every stripe delete the 250 "
	    "expired keys");
	ok(maxseen <= 5 + 8, "a step with a budget of 5 looks at no more "
	    "than its budget and the rest of one chain (%u)", maxseen);
	ok(nkeys(ks, 10) == 750 && nexpires(ks, 10) == 250,
	    "the counts follow");
	good = 1;
	for (i = 0; i < 1000; i++) {
		key_name(k, sizeof(k), i);
		good &= (i % 4 != 0) == (exists(ks, 10, k, strlen(k),
		    NOW - 1) != 0);
	}
	ok(good, "every key not yet expired is still there");
	is_int((long long)(keyspace_expired_keys() - before), 250,
	    "the process counts the keys it expired");
	keyspace_flush(ks, 10);
}

/* The expiry ticks of worker 0 of 2 sweep the even stripes only. */
static void
test_expire_tick(struct keyspace *ks)
{
	struct expire_cycle	 ec;
	struct ks_key		 kk;
	char			 k[32];
	uint32_t		 i;
	unsigned		 even = 0, odd = 0, del = 0, t;
	int			 good = 1;

	for (i = 0; i < 2000; i++) {
		key_name(k, sizeof(k), i);
		keyspace_key(ks, &kk, k, strlen(k));
		good &= put_str(ks, 12, k, "v", NOW - 1) == 0;
		if (keyspace_stripe_index(ks, &kk) % 2 == 0)
			even++;
		else
			odd++;
	}
	expire_init(&ec, ks, 0, 2, 10);
	for (t = 0; t < 1000 && del < even; t++)
		del += expire_tick(&ec, NOW);
	is_int(del, even, "ticks of worker 0 of 2 delete the %u expired keys "
	    "of its stripes", even);
	ok(good && nkeys(ks, 12) == odd,
	    "and leave the other worker's %u alone", odd);
	for (i = 0; i < 2000; i++) {
		key_name(k, sizeof(k), i);
		keyspace_key(ks, &kk, k, strlen(k));
		good &= (keyspace_stripe_index(ks, &kk) % 2 != 0) ==
		    (exists(ks, 12, k, strlen(k), NOW - 1) != 0);
	}
	ok(good, "key by key");
	expire_init(&ec, ks, 1, 2, 10);
	for (t = 0; t < 1000 && nkeys(ks, 12) > 0; t++)
		(void)expire_tick(&ec, NOW);
	ok(nkeys(ks, 12) == 0, "worker 1's ticks delete the rest");
}

/* RENAME src dst in database db, both stripes held: copy_locked's answer. */
static int
rename_key(struct keyspace *ks, unsigned db, const char *src, const char *dst)
{
	struct ks_key		 kk[2];
	struct ks_stripe	*sts[2], *held[2];
	size_t			 nheld;
	int			 rv;

	keyspace_key(ks, &kk[0], src, strlen(src));
	keyspace_key(ks, &kk[1], dst, strlen(dst));
	nheld = keyspace_lock_keys(ks, db, NULL, kk, 2, sts, held);
	rv = keyspace_copy_locked(ks, sts[0], &kk[0], sts[1], &kk[1], NOW, 0,
	    -1);
	keyspace_unlock_keys(ks, held, nheld);
	return (rv);
}

/* The entry of a key, looked up under its stripe lock. */
static const struct entry *
entry_of(struct keyspace *ks, unsigned db, const char *k)
{
	struct ks_key		 kk;
	struct ks_stripe	*st;
	const struct entry	*e;

	keyspace_key(ks, &kk, k, strlen(k));
	st = keyspace_lock(ks, db, &kk);
	e = keyspace_peek_locked(ks, st, &kk, NOW);
	keyspace_unlock(ks, st);
	return (e);
}

/*
 * A rename within the one stripe of a database, for every pair of six
 * keys, with and without a destination: the source is gone, the
 * destination has its value and expiry, the rest is untouched, the counts
 * follow and the checker is content.  The keys share a bucket, so that
 * the cases where the two keys' places
 * touch (the source right after the destination, the destination right
 * after the source, the source at the head of the bucket a new key goes
 * to) must each come up.
 */
static void
test_rename_within(struct arena *a, struct keyspace *ks)
{
	char		 name[6][16], val[6][16], buf[16];
	const struct entry *es, *ed;
	unsigned	 db = 3, i, s, d, present, bad = 0, checks = 0;
	unsigned	 after_dst = 0, before_dst = 0, at_head = 0;
	struct ks_key	 kd;
	struct ks_stripe *st;
	struct ks_table	*t;
	int64_t		 exp;
	uint64_t	 h0 = 0;
	size_t		 len;

	/* Six keys of one bucket, whatever the table's size up to 8. */
	for (i = 0, s = 700; i < 6; s++) {
		key_name(name[i], sizeof(name[i]), s);
		keyspace_key(ks, &kd, name[i], strlen(name[i]));
		if (i > 0 && (kd.kk_hash & 7) != (h0 & 7))
			continue;
		h0 = kd.kk_hash;
		snprintf(val[i], sizeof(val[i]), "v%u", i);
		i++;
	}
	for (s = 0; s < 6; s++) {
		for (d = 0; d < 6; d++) {
			if (s == d)
				continue;
			for (present = 0; present < 2; present++) {
				keyspace_flush(ks, db);
				for (i = 0; i < 6; i++)
					put_str(ks, db, name[i], val[i],
					    i % 2 ? NOW + 1000 + i :
					    KEYSPACE_NO_EXPIRE);
				if (!present)
					(void)keyspace_delete(ks, db, name[d],
					    strlen(name[d]));
				es = entry_of(ks, db, name[s]);
				ed = entry_of(ks, db, name[d]);
				keyspace_key(ks, &kd, name[d], strlen(name[d]));
				st = keyspace_lock(ks, db, &kd);
				t = ks_table(ks, st->st_table[aoff_isnull(
				    st->st_table[1]) ? 0 : 1]);
				if (ed != NULL && ed->e_next.u ==
				    arena_off(a, es).u)
					after_dst++;
				if (ed != NULL && es->e_next.u ==
				    arena_off(a, ed).u)
					before_dst++;
				if (ed == NULL && t->kt_bucket[kd.kk_hash &
				    ((1U << t->kt_log2) - 1)].u ==
				    arena_off(a, es).u)
					at_head++;
				keyspace_unlock(ks, st);
				if (rename_key(ks, db, name[s], name[d]) != 1)
					bad++;
				if (exists(ks, db, name[s], strlen(name[s]),
				    NOW) || keyspace_get(ks, db, name[d],
				    strlen(name[d]), NOW, buf, sizeof(buf),
				    &len, &exp, NULL) != 1 ||
				    len != strlen(val[s]) ||
				    memcmp(buf, val[s], len) != 0 ||
				    exp != (s % 2 ? NOW + 1000 + s :
				    KEYSPACE_NO_EXPIRE))
					bad++;
				for (i = 0; i < 6; i++)
					if (i != s && i != d &&
					    !has_str(ks, db, name[i], val[i],
					    NOW))
						bad++;
				/* Six keys, 1, 3 and 5 expiring, d renamed
				   over or deleted first. */
				if (nkeys(ks, db) != 5 ||
				    nexpires(ks, db) != 3 - d % 2)
					bad++;
				if (check_arena(a, 0, stderr, NULL) != 0)
					bad++;
				checks++;
			}
		}
	}
	keyspace_flush(ks, db);
	is_int(bad, 0, "%u renames within one stripe: source gone, value "
	    "and expiry under the new name, the rest untouched, counts "
	    "and checker right", checks);
	ok(after_dst > 0 && before_dst > 0 && at_head > 0, "among them, "
	    "sources right after (%u) and right before (%u) the destination, "
	    "and at the head of the new key's bucket (%u)", after_dst,
	    before_dst, at_head);
}

/*
 * Kill a rename across two stripes of the same database at each step of
 * its transaction; then, taking only the stripe of the record, a second
 * transaction on that record (waiting for the dead writer's other stripe
 * to be settled); then every lock.  The key must be under exactly one
 * name: the old one before the commit point, the new one from it on.
 */
static void
test_rename_across_crash(struct arena *a, struct keyspace *ks)
{
	static const struct {
		const char	*point;
		uint64_t	 countdown;
		int		 done;
	} steps[] = {
		{ "intent_xact_begun", 1, 0 },
		{ "intent_xact_named", 1, 0 },
		{ "intent_xact_joined", 1, 0 },
		{ "keyspace_rename_half", 1, 0 },
		{ "intent_xact_named", 2, 0 },
		{ "intent_xact_filled", 1, 0 },
		{ "intent_xact_committed", 1, 1 },
		{ "intent_xact_released", 1, 1 },
		{ "intent_xact_part_done", 1, 1 },
		{ "intent_xact_released", 2, 1 },
	};
	char		 ka[32], kb[32], kc[32], lo[32], hi[32];
	const char	*src, *dst;
	struct ks_key	 kka, kkb, kkc;
	unsigned	 db = 4, i, bad = 0, killed = 0, waited = 0;
	uint32_t	 ia, ib, ic;
	struct ks_stripe *rec, *other;
	pid_t		 pid;
	int		 status, one;
	uint64_t		 back0, fwd0, back1, fwd1;

	two_stripes(ks, ka, kb, sizeof(ka));
	keyspace_key(ks, &kka, ka, strlen(ka));
	keyspace_key(ks, &kkb, kb, strlen(kb));
	ia = keyspace_stripe_index(ks, &kka);
	ib = keyspace_stripe_index(ks, &kkb);
	/* The record is the lower stripe's; the source may be either. */
	snprintf(lo, sizeof(lo), "%s", ia < ib ? ka : kb);
	snprintf(hi, sizeof(hi), "%s", ia < ib ? kb : ka);
	/* A third key above the lower stripe, in neither stripe. */
	for (i = 5000;; i++) {
		key_name(kc, sizeof(kc), i);
		keyspace_key(ks, &kkc, kc, strlen(kc));
		ic = keyspace_stripe_index(ks, &kkc);
		if (ic > (ia < ib ? ia : ib) && ic != ia && ic != ib)
			break;
	}
	keyspace_repair_counts(&back0, &fwd0);
	for (i = 0; i < nitems(steps); i++) {
		/* Odd steps move the lower stripe's key up, even ones down. */
		src = i % 2 ? lo : hi;
		dst = i % 2 ? hi : lo;
		keyspace_flush(ks, db);
		put_str(ks, db, src, "moving", NOW + 5000);
		put_str(ks, db, dst, "old", KEYSPACE_NO_EXPIRE);
		if ((pid = fork()) == 0) {
			crashpoint_arm(steps[i].point, steps[i].countdown);
			(void)rename_key(ks, db, src, dst);
			_exit(0);
		}
		waitpid(pid, &status, 0);
		if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
			killed++;
		/*
		 * Only the record's stripe, then two renames through that
		 * record and a third stripe, which leave lo as it was.
		 */
		rec = keyspace_lock(ks, db, ia < ib ? &kka : &kkb);
		other = ks_stripe_at(ks, db, ia < ib ? ib : ia);
		waited += intent_xact_names(a, &other->st_intent,
		    &rec->st_xact, INTENT_XACT_GEN(rec->st_xact.ix_word));
		keyspace_unlock(ks, rec);
		if (exists(ks, db, lo, strlen(lo), NOW)) {
			if (rename_key(ks, db, lo, kc) != 1 ||
			    rename_key(ks, db, kc, lo) != 1)
				bad++;
		} else {
			put_str(ks, db, kc, "third", KEYSPACE_NO_EXPIRE);
			if (rename_key(ks, db, kc, lo) != 1 ||
			    rename_key(ks, db, lo, kc) != 1 ||
			    keyspace_delete(ks, db, kc, strlen(kc)) != 1)
				bad++;
		}
		one = steps[i].done ?
		    has_str(ks, db, dst, "moving", NOW) &&
		    !exists(ks, db, src, strlen(src), NOW) :
		    has_str(ks, db, src, "moving", NOW) &&
		    has_str(ks, db, dst, "old", NOW);
		if (!one || nkeys(ks, db) != 2u - steps[i].done ||
		    check_arena(a, 0, stderr, NULL) != 0) {
			diag("killed at %s #%llu: the rename is not wholly "
			    "%s", steps[i].point,
			    (unsigned long long)steps[i].countdown,
			    steps[i].done ? "done" : "undone");
			bad++;
		}
	}
	keyspace_repair_counts(&back1, &fwd1);
	keyspace_flush(ks, db);
	ok(back1 > back0 && fwd1 > fwd0, "the repairs were counted: %llu "
	    "changes undone, %llu finished", (unsigned long long)(back1 -
	    back0), (unsigned long long)(fwd1 - fwd0));
	is_int(killed, nitems(steps), "a cross-stripe rename was killed at "
	    "each of %zu steps of its transaction", nitems(steps));
	is_int(bad, 0, "each left the key under exactly one name: the old "
	    "before the commit point, the new from it on");
	ok(waited > 0, "a dead writer's record was left waiting for its "
	    "other stripe %u times, and the next transaction on it went "
	    "through", waited);
}

/* The checker names a transaction part that no repair settled. */
static void
test_stale_record(struct arena *a, struct keyspace *ks)
{
	struct ks_stripe	*st = ks_stripe_at(ks, 5, 0);

	ok(check_arena(a, 0, NULL, NULL) == 0, "the arena is clean");
	st->st_intent.in_xpos = arena_pos(a, &ks_stripe_at(ks, 5, 1)->st_xact);
	ok(check_arena(a, 0, NULL, NULL) > 0, "an intent that still names "
	    "a transaction record is reported stale");
	st->st_intent.in_xpos = 0;
	ok(check_arena(a, 0, NULL, NULL) == 0, "and the arena is clean "
	    "again without it");
}

int
main(void)
{
	struct arena	 a, b;
	struct keyspace	 ks, kb;

	tap_no_plan();

	if (!ok(testarena_store(&a, &ks, SIZE, KEYSPACE_STRIPES_LOG2) == 0,
	    "a 64 MiB store with the default stripes"))
		return (tap_done());
	test_round_trip(&ks);
	test_replace_delete(&a, &ks);
	test_expiry(&ks);
	test_random(&ks);
	test_databases(&a, &ks);
	test_scan_full(&ks, 11, 0, 1);
	test_lock_keys(&ks);
	test_lock_keys_concurrent(&ks);
	test_swapdb(&ks);
	test_swapdb_concurrent(&a, &ks);
	test_sweep(&ks);
	test_expire_tick(&ks);
	test_rename_across_crash(&a, &ks);
	test_stale_record(&a, &ks);
	testarena_destroy(&a);

	/* Few stripes make long tables: many rehashes, and long ones. */
	if (ok(testarena_store(&b, &kb, SIZE, 2) == 0,
	    "a 64 MiB store with 4 stripes per database")) {
		test_bulk(&b, &kb);
		testarena_destroy(&b);
	}
	if (ok(testarena_store(&b, &kb, SIZE, 0) == 0,
	    "a 64 MiB store with one stripe per database")) {
		test_scan_churn(&kb, 1, 20000);
		test_rename_within(&b, &kb);
		testarena_destroy(&b);
	}

	test_enomem();
	return (tap_done());
}
