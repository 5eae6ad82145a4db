/*
 * blocking_test.c: the registry of blocked clients (blocking.h), driven
 * through the library as a worker drives it: a wait registered with its
 * keys' stripes locked, served by a push under the key's stripe, then
 * delivered, abandoned, timed out, unblocked or recovered by the slot's
 * next worker; two processes that push at once to two keys of one wait,
 * under two stripe locks, serve it once.
 *
 * The sorted-set kind (zset_block.c) the same way: a ZADD serves the
 * oldest wait with the lowest (or highest) members and their scores, an
 * abandoned or recovered payload goes back with its scores.
 *
 * Then crash safety, for lists and for sorted sets: a child runs a
 * workload of waits, pushes (ZADDs), deliveries, give-backs and
 * timeouts, and is SIGKILLed at each crash point of blocking.c at several
 * of its hits.  The parent plays the slot's next worker
 * (blocking_recover()) and asserts that the arena checker finds no
 * problem and no leak, and that no element is lost or duplicated: each
 * element is in its key exactly once (a member with its own score)
 * unless it was delivered (then never), and only the element of the step
 * in flight may be either.
 */
#include <sys/mman.h>
#include <sys/wait.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hydra/blocking.h"
#include "hydra/check.h"
#include "hydra/crashpoint.h"
#include "hydra/list.h"
#include "hydra/log.h"
#include "hydra/object.h"
#include "hydra/pack.h"
#include "hydra/zset.h"
#include "testarena.h"

#define SIZE		((size_t)32 << 20)
#define DB		0
#define NELEMS		64

static struct arena	 arena;
static struct keyspace	 ks;
static struct blocking	 bl;

/* Push elements e<id> .. to key at `where', then serve its waiters. */
static unsigned
push(const char *key, int where, const unsigned *ids, size_t n)
{
	struct ks_stripe	*st;
	struct ks_key		 kk;
	const struct entry	*e;
	struct list_vec		 v;
	char			 buf[NELEMS][16];
	size_t			 i;
	unsigned		 served;

	list_vec_init(&v);
	for (i = 0; i < n; i++) {
		snprintf(buf[i], sizeof(buf[i]), "e%u", ids[i]);
		(void)list_vec_add(&v, buf[i], strlen(buf[i]));
	}
	keyspace_key(&ks, &kk, key, strlen(key));
	st = keyspace_lock(&ks, DB, &kk);
	e = keyspace_peek_locked(&ks, st, &kk, 0);
	if (list_push_locked(&ks, st, &kk, e, where, &v) == -1)
		abort();
	served = blocking_serve_locked(&ks, st, DB, &kk);
	keyspace_unlock(&ks, st);
	list_vec_free(&v);
	return (served);
}

/* Wait in database db on keys[0..n), of kind `kind' with (arg0, count). */
static int
wait_in(struct blocking_wait *bw, unsigned db, int kind,
    const char *const *keys, size_t n, uint32_t arg0, uint32_t count)
{
	struct ks_multi	 m;
	size_t		 lens[8], i;
	int		 rv;

	for (i = 0; i < n; i++)
		lens[i] = strlen(keys[i]);
	if (keyspace_multi_lock_names(&ks, &m, db, keys, lens, n, 1) == -1)
		return (-1);
	rv = blocking_wait_locked(&bl, bw, kind, arg0, count, db, m.km_keys,
	    m.km_sts, n);
	keyspace_multi_unlock(&ks, &m);
	keyspace_multi_free(&m);
	return (rv);
}

/* Wait on keys[0..n), a wait of kind `kind' with (arg0, count). */
static int
wait_kind(struct blocking_wait *bw, int kind, const char *const *keys,
    size_t n, uint32_t arg0, uint32_t count)
{
	return (wait_in(bw, DB, kind, keys, n, arg0, count));
}

/* Wait on lists keys[0..n): at `where', count. */
static int
wait_on(struct blocking_wait *bw, const char *const *keys, size_t n,
    int where, uint32_t count)
{
	return (wait_kind(bw, BLOCKING_KIND_LIST_POP, keys, n,
	    (uint32_t)where, count));
}

/* The list at key as "e1,e2,...". */
static void
list_text(const char *key, char *out, size_t cap)
{
	struct ks_stripe	*st;
	struct ks_key		 kk;
	const struct entry	*e;
	struct list_iter	 it;
	const char		*s;
	size_t			 len, o = 0;

	out[0] = '\0';
	keyspace_key(&ks, &kk, key, strlen(key));
	st = keyspace_lock(&ks, DB, &kk);
	if ((e = keyspace_peek_locked(&ks, st, &kk, 0)) != NULL) {
		list_iter_init(&it, ks.ks_arena, e, 0, 0);
		while (list_iter_next(&it, &s, &len) && o + len + 2 < cap) {
			if (o > 0)
				out[o++] = ',';
			memcpy(out + o, s, len);
			o += len;
			out[o] = '\0';
		}
	}
	keyspace_unlock(&ks, st);
}

/* The payload of a served wait as "key:e1,e2". */
static void
payload_text(struct blocking_wait *bw, char *out, size_t cap)
{
	const struct bl_payload	*p = blocking_take(&bl, bw);
	const char		*k, *b, *end, *s;
	size_t			 klen, len, o;

	k = blocking_payload_key(p, &klen);
	b = blocking_payload_bytes(p, &len);
	end = b + len;
	o = (size_t)snprintf(out, cap, "%.*s:", (int)klen, k);
	while (b < end && (b = pack_next(b, end, &s, &len)) != NULL &&
	    o + len + 2 < cap) {
		if (out[o - 1] != ':')
			out[o++] = ',';
		memcpy(out + o, s, len);
		o += len;
		out[o] = '\0';
	}
}

/* The sorted sets: member m<id> has score id + 0.5. */
static double
zscore_of(unsigned id)
{
	return (id + 0.5);
}

/* ZADD members m<id> to key, then serve its waiters. */
static unsigned
zadd(const char *key, const unsigned *ids, size_t n)
{
	struct ks_stripe	*st;
	struct ks_key		 kk;
	const struct entry	*e;
	struct zset_vec		 v;
	char			 buf[NELEMS][16];
	size_t			 i;
	unsigned		 served;

	zset_vec_init(&v);
	keyspace_key(&ks, &kk, key, strlen(key));
	st = keyspace_lock(&ks, DB, &kk);
	e = keyspace_peek_locked(&ks, st, &kk, 0);
	if (zset_vec_load(&v, e) == -1)
		abort();
	for (i = 0; i < n; i++) {
		snprintf(buf[i], sizeof(buf[i]), "m%u", ids[i]);
		if (zset_vec_insert(&v, buf[i], strlen(buf[i]),
		    zscore_of(ids[i])) == -1)
			abort();
	}
	if (zset_write_locked(&ks, st, &kk, &v, KEYSPACE_NO_EXPIRE) == -1)
		abort();
	served = blocking_serve_locked(&ks, st, DB, &kk);
	keyspace_unlock(&ks, st);
	zset_vec_free(&v);
	return (served);
}

/* Wait on sorted sets keys[0..n): from the high end when max. */
static int
zwait_on(struct blocking_wait *bw, const char *const *keys, size_t n,
    int max, uint32_t count)
{
	return (wait_kind(bw, BLOCKING_KIND_ZSET_POP, keys, n, (uint32_t)max,
	    count));
}

/* Members and scores as "m1=1.5,m2=2.5" (after `prefix'). */
static void
zelems_text(const char *prefix, const struct zset_elem *el, size_t n,
    char *out, size_t cap)
{
	size_t	 i, o;

	o = (size_t)snprintf(out, cap, "%s", prefix);
	for (i = 0; i < n && o < cap; i++)
		o += (size_t)snprintf(out + o, cap - o, "%s%.*s=%g",
		    i > 0 ? "," : "", (int)el[i].ze_len, el[i].ze_member,
		    el[i].ze_score);
}

static void
zset_text(const char *key, char *out, size_t cap)
{
	struct ks_stripe	*st;
	struct ks_key		 kk;
	struct zset_vec		 v;

	zset_vec_init(&v);
	keyspace_key(&ks, &kk, key, strlen(key));
	st = keyspace_lock(&ks, DB, &kk);
	if (zset_vec_load(&v, keyspace_peek_locked(&ks, st, &kk, 0)) == -1)
		abort();
	zelems_text("", v.zv_el, v.zv_n, out, cap);
	keyspace_unlock(&ks, st);
	zset_vec_free(&v);
}

/* The payload of a served sorted-set wait as "key:m1=1.5,m2=2.5". */
static void
zpayload_text(struct blocking_wait *bw, char *out, size_t cap)
{
	const struct bl_payload	*p = blocking_take(&bl, bw);
	struct zset_vec		 v;
	char			 key[64];
	const char		*k;
	size_t			 klen;

	zset_vec_init(&v);
	k = blocking_payload_key(p, &klen);
	snprintf(key, sizeof(key), "%.*s:", (int)klen, k);
	if (zset_block_decode(p, &v) == -1)
		snprintf(out, cap, "undecodable");
	else
		zelems_text(key, v.zv_el, v.zv_n, out, cap);
	zset_vec_free(&v);
}

static int
arena_clean(void)
{
	struct check	 ck;

	return (check_arena(&arena, 0, stderr, &ck) == 0 &&
	    ck.ck_leaked == 0);
}

static void
test_words(void)
{
	uint64_t	 w = BL_WORD(0xfffffffeU, BL_CLAIMED, 8191);

	is_int(BL_TICKET(w), 0xfffffffeU, "a state word keeps its ticket");
	is_int(BL_STATE(w), BL_CLAIMED, "... its state");
	is_int(BL_STRIPE(w), 8191, "... and its claim stripe");
}

static void
test_serve(void)
{
	static const char *const ab[] = { "qa", "qb" };
	static const unsigned	 x[] = { 1, 2 };
	struct blocking_wait	 bw;
	char			 buf[256];

	ok(wait_on(&bw, ab, 2, LIST_HEAD, 0) == 0, "a wait on two keys");
	is_int(blocking_poll(&bl, &bw, 1), BLOCKING_PENDING,
	    "it waits while nothing is pushed");
	is_int(push("qb", LIST_TAIL, x, 2), 1, "a push to its second key "
	    "serves it");
	is_int(blocking_poll(&bl, &bw, 0), BLOCKING_SERVED, "it is served");
	payload_text(&bw, buf, sizeof(buf));
	ok(strcmp(buf, "qb:e1") == 0, "with the head of that key (%s)", buf);
	list_text("qb", buf, sizeof(buf));
	ok(strcmp(buf, "e2") == 0, "the rest stays (%s)", buf);
	blocking_delivered(&bl, &bw);
	blocking_wait_free(&bw);
	is_int(push("qa", LIST_TAIL, x, 1), 0, "a push to its first key "
	    "serves no one after delivery");
	ok(arena_clean(), "the arena is clean, the links and payload gone");
	keyspace_flush(&ks, DB);
}

static void
test_fifo(void)
{
	static const char *const q[] = { "q" };
	static const unsigned	 x[] = { 1, 2, 3 };
	struct blocking_wait	 w1, w2, w3;
	char			 buf[256];

	ok(wait_on(&w1, q, 1, LIST_HEAD, 0) == 0 &&
	    wait_on(&w2, q, 1, LIST_HEAD, 0) == 0 &&
	    wait_on(&w3, q, 1, LIST_TAIL, 2) == 0, "three waits on one key");
	is_int(push("q", LIST_TAIL, x, 3), 3, "a push of three serves all");
	payload_text(&w1, buf, sizeof(buf));
	ok(strcmp(buf, "q:e1") == 0, "the oldest gets the first (%s)", buf);
	payload_text(&w2, buf, sizeof(buf));
	ok(strcmp(buf, "q:e2") == 0, "the next the second (%s)", buf);
	payload_text(&w3, buf, sizeof(buf));
	ok(strcmp(buf, "q:e3") == 0, "the third takes up to its count from "
	    "its end (%s)", buf);
	blocking_delivered(&bl, &w1);
	blocking_delivered(&bl, &w2);
	blocking_abandon(&bl, &w3);
	list_text("q", buf, sizeof(buf));
	ok(strcmp(buf, "e3") == 0, "an abandoned payload goes back (%s)",
	    buf);
	blocking_wait_free(&w1);
	blocking_wait_free(&w2);
	blocking_wait_free(&w3);
	ok(arena_clean(), "the arena is clean");
	keyspace_flush(&ks, DB);
}

static void
test_cancel(void)
{
	static const char *const q[] = { "c" };
	static const unsigned	 x[] = { 7 };
	struct blocking_wait	 bw;
	char			 buf[256];

	ok(wait_on(&bw, q, 1, LIST_HEAD, 0) == 0, "a wait");
	is_int(blocking_cancel(&bl, &bw, BL_TIMEOUT), BLOCKING_TIMEOUT,
	    "its timeout ends it");
	blocking_finish(&bl, &bw);
	blocking_wait_free(&bw);
	is_int(push("c", LIST_TAIL, x, 1), 0, "a later push serves no one");
	list_text("c", buf, sizeof(buf));
	ok(strcmp(buf, "e7") == 0, "the element stays (%s)", buf);
	keyspace_flush(&ks, DB);

	ok(wait_on(&bw, q, 1, LIST_HEAD, 0) == 0, "another wait");
	is_int(blocking_unblock(&bl, bw.bw_waiter, bw.bw_ticket + 1,
	    BL_ERROR), 0, "UNBLOCK with a stale ticket does nothing");
	is_int(blocking_unblock(&bl, bw.bw_waiter, bw.bw_ticket, BL_ERROR),
	    1, "UNBLOCK ERROR ends it");
	is_int(blocking_unblock(&bl, bw.bw_waiter, bw.bw_ticket, BL_ERROR),
	    0, "... once");
	is_int(blocking_poll(&bl, &bw, 0), BLOCKING_ERROR, "its owner sees "
	    "the error");
	is_int(push("c", LIST_TAIL, x, 1), 0, "a push serves no one");
	blocking_finish(&bl, &bw);
	blocking_wait_free(&bw);
	ok(arena_clean(), "the arena is clean");
	keyspace_flush(&ks, DB);
}

static void
test_dead_claim(void)
{
	static const char *const q[] = { "d" };
	static const unsigned	 x[] = { 5 };
	struct blocking_wait	 bw;
	struct bl_waiter	*w;
	struct ks_stripe	*st;
	struct ks_key		 kk;
	uint32_t		 sid;
	char			 buf[256];

	ok(wait_on(&bw, q, 1, LIST_HEAD, 0) == 0, "a wait");
	/* A server that claimed it and died before it took anything. */
	keyspace_key(&ks, &kk, "d", 1);
	st = keyspace_lock(&ks, DB, &kk);
	sid = keyspace_stripe_id(&ks, st);
	keyspace_unlock(&ks, st);
	w = blocking_waiter(&bl, bw.bw_waiter);
	shm_store64(&w->w_word, BL_WORD(bw.bw_ticket, BL_CLAIMED, sid));
	is_int(push("d", LIST_TAIL, x, 1), 0, "a claimed wait is not served "
	    "again");
	is_int(blocking_poll(&bl, &bw, 1), BLOCKING_PENDING, "a claim seen "
	    "once is left alone");
	is_int(blocking_poll(&bl, &bw, 1), BLOCKING_SERVED, "seen twice, "
	    "its stripe is taken, the dead claim undone and the key served "
	    "again");
	payload_text(&bw, buf, sizeof(buf));
	ok(strcmp(buf, "d:e5") == 0, "with the element (%s)", buf);
	blocking_delivered(&bl, &bw);
	blocking_wait_free(&bw);
	ok(arena_clean(), "the arena is clean");
	keyspace_flush(&ks, DB);
}

static void
test_recover(void)
{
	static const char *const q[] = { "r" };
	static const unsigned	 x[] = { 8, 9 };
	struct blocking_wait	 bw, bw2;
	struct blocking		 next;
	char			 buf[256];

	ok(wait_on(&bw, q, 1, LIST_TAIL, 0) == 0 &&
	    wait_on(&bw2, q, 1, LIST_TAIL, 0) == 0, "two waits");
	is_int(push("r", LIST_TAIL, x, 1), 1, "one is served");
	/* The worker dies; the next one in its slot starts. */
	ok(blocking_open(&next, &ks, 0) == 0, "the slot's next worker");
	is_int(blocking_recover(&next), 1, "gives one payload back");
	list_text("r", buf, sizeof(buf));
	ok(strcmp(buf, "e8") == 0, "the element is back (%s)", buf);
	ok(arena_clean(), "the arena is clean, the waits ended");
	blocking_wait_free(&bw);
	blocking_wait_free(&bw2);
	(void)blocking_open(&bl, &ks, 0);
	keyspace_flush(&ks, DB);
}

static void
test_zset(void)
{
	static const char *const zab[] = { "za", "zb" }, *const zc[] = { "zc" };
	static const unsigned	 x[] = { 3, 1, 2 }, y[] = { 4 };
	static const unsigned	 z[] = { 7, 6 }, u[] = { 9 };
	struct blocking_wait	 bw, bw2;
	struct blocking		 next;
	char			 buf[256];

	ok(zwait_on(&bw, zab, 2, 0, 0) == 0, "a wait for the lowest member "
	    "of two sorted sets");
	is_int(zadd("zb", x, 3), 1, "a ZADD of three serves it");
	is_int(blocking_poll(&bl, &bw, 0), BLOCKING_SERVED, "it is served");
	zpayload_text(&bw, buf, sizeof(buf));
	ok(strcmp(buf, "zb:m1=1.5") == 0, "with the lowest member and its "
	    "score (%s)", buf);
	zset_text("zb", buf, sizeof(buf));
	ok(strcmp(buf, "m2=2.5,m3=3.5") == 0, "the rest stays (%s)", buf);
	blocking_delivered(&bl, &bw);
	blocking_wait_free(&bw);

	ok(zwait_on(&bw, zc, 1, 1, 2) == 0 && zwait_on(&bw2, zc, 1, 0, 0) ==
	    0, "two waits on one key: the two highest, then the lowest");
	is_int(zadd("zc", z, 2), 1, "a ZADD of two serves the oldest");
	zpayload_text(&bw, buf, sizeof(buf));
	ok(strcmp(buf, "zc:m7=7.5,m6=6.5") == 0, "with both, highest first "
	    "(%s)", buf);
	is_int(blocking_poll(&bl, &bw2, 0), BLOCKING_PENDING, "the other "
	    "still waits: the key is gone");
	blocking_abandon(&bl, &bw);
	blocking_wait_free(&bw);
	is_int(blocking_poll(&bl, &bw2, 0), BLOCKING_SERVED, "an abandoned "
	    "payload goes back and serves the next wait");
	zpayload_text(&bw2, buf, sizeof(buf));
	ok(strcmp(buf, "zc:m6=6.5") == 0, "with the lowest (%s)", buf);
	blocking_delivered(&bl, &bw2);
	blocking_wait_free(&bw2);
	zset_text("zc", buf, sizeof(buf));
	ok(strcmp(buf, "m7=7.5") == 0, "the other member is back with its "
	    "score (%s)", buf);

	ok(zwait_on(&bw, zc, 1, 1, 0) == 0, "a wait for the highest");
	is_int(zadd("zc", u, 1), 1, "served");
	is_int(zadd("zc", y, 1), 0, "a ZADD after serves no one");
	ok(blocking_open(&next, &ks, 0) == 0 && blocking_recover(&next) ==
	    1, "the slot's next worker gives the payload back");
	zset_text("zc", buf, sizeof(buf));
	ok(strcmp(buf, "m4=4.5,m7=7.5,m9=9.5") == 0, "the member is back "
	    "with its score (%s)", buf);
	blocking_wait_free(&bw);
	(void)blocking_open(&bl, &ks, 0);

	ok(zwait_on(&bw, zc, 1, 0, 0) == 0, "a wait on a key that becomes "
	    "a list");
	keyspace_flush(&ks, DB);
	is_int(push("zc", LIST_TAIL, u, 1), 0, "a push to it serves no "
	    "sorted-set wait");
	is_int(blocking_cancel(&bl, &bw, BL_TIMEOUT), BLOCKING_TIMEOUT,
	    "which times out");
	blocking_finish(&bl, &bw);
	blocking_wait_free(&bw);
	ok(arena_clean(), "the arena is clean");
	keyspace_flush(&ks, DB);
}

/*
 * Two processes push at the same moment to two keys, in two stripes, of
 * one wait: it is served once, and the other element stays.
 */
static void
test_race(void)
{
	static const unsigned	 x[] = { 1 }, y[] = { 2 };
	struct blocking_wait	 bw;
	struct ks_key		 k1, k2;
	const char		*keys[2];
	char			 names[2][8], buf[256], *go;
	pid_t			 p1, p2;
	unsigned		 i, bad = 0, n;
	int			 st;

	go = mmap(NULL, 1, PROT_READ | PROT_WRITE, MAP_SHARED |
	    MAP_ANONYMOUS, -1, 0);
	if (!ok(go != MAP_FAILED, "a start flag"))
		return;
	/* Two names in two stripes. */
	snprintf(names[0], sizeof(names[0]), "k0");
	keyspace_key(&ks, &k1, names[0], 2);
	for (i = 1; i < 100; i++) {
		snprintf(names[1], sizeof(names[1]), "k%u", i);
		keyspace_key(&ks, &k2, names[1], strlen(names[1]));
		if (keyspace_stripe_index(&ks, &k2) !=
		    keyspace_stripe_index(&ks, &k1))
			break;
	}
	keys[0] = names[0];
	keys[1] = names[1];
	for (i = 0; i < 200; i++) {
		*go = 0;
		if (wait_on(&bw, keys, 2, LIST_HEAD, 0) == -1)
			break;
		if ((p1 = fork()) == 0) {
			while (!__atomic_load_n(go, __ATOMIC_ACQUIRE))
				;
			(void)push(keys[0], LIST_TAIL, x, 1);
			_exit(0);
		}
		if ((p2 = fork()) == 0) {
			while (!__atomic_load_n(go, __ATOMIC_ACQUIRE))
				;
			(void)push(keys[1], LIST_TAIL, y, 1);
			_exit(0);
		}
		__atomic_store_n(go, 1, __ATOMIC_RELEASE);
		waitpid(p1, &st, 0);
		waitpid(p2, &st, 0);
		if (blocking_poll(&bl, &bw, 0) != BLOCKING_SERVED) {
			bad++;
			blocking_finish(&bl, &bw);
		} else {
			payload_text(&bw, buf, sizeof(buf));
			blocking_delivered(&bl, &bw);
		}
		blocking_wait_free(&bw);
		n = 0;
		list_text(keys[0], buf, sizeof(buf));
		n += buf[0] != '\0';
		list_text(keys[1], buf, sizeof(buf));
		n += buf[0] != '\0';
		bad += n != 1;
		keyspace_flush(&ks, DB);
	}
	ok(i == 200 && bad == 0, "200 races of two pushers over two stripes "
	    "of one wait: served once each time, the other element kept "
	    "(%u wrong)", bad);
	ok(arena_clean(), "the arena is clean");
	munmap(go, 1);
}

/* Crash safety. */

#define ROUNDS		16

struct shared {
	uint8_t		 pushing[NELEMS];	/* its push began */
	uint8_t		 pushed[NELEMS];	/* its push (and serve) ended */
	uint8_t		 delivering[NELEMS];	/* its delivery began */
	uint8_t		 delivered[NELEMS];	/* its delivery ended */
	uint64_t	 hits;
};

static struct shared	*sh;
static int		 zmode;	/* the workload is on sorted sets */

static void
mark(uint8_t *a, const unsigned *ids, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		__atomic_store_n(&a[ids[i]], 1, __ATOMIC_SEQ_CST);
}

/* The elements of a served payload: their number, ids in ids[]. */
static size_t
payload_ids(struct blocking_wait *bw, unsigned *ids)
{
	const struct bl_payload	*p = blocking_take(&bl, bw);
	const char		*b, *end, *s;
	size_t			 len, n = 0;
	unsigned		 id;

	b = blocking_payload_bytes(p, &len);
	end = b + len;
	/* A sorted set's payload: member m<id>, then its score. */
	while (b < end && (b = pack_next(b, end, &s, &len)) != NULL && n < 4)
		if (sscanf(s, zmode ? "m%u" : "e%u", &id) == 1 &&
		    id < NELEMS && (!zmode || (b = pack_next(b, end, &s,
		    &len)) != NULL))
			ids[n++] = id;
	return (n);
}

static void
child_push(const char *key, int where, unsigned *next, size_t n)
{
	unsigned	 ids[4];
	size_t		 i;

	for (i = 0; i < n; i++)
		ids[i] = (*next)++;
	mark(sh->pushing, ids, n);
	if (zmode)
		(void)zadd(key, ids, n);
	else
		(void)push(key, where, ids, n);
	mark(sh->pushed, ids, n);
}

static void
child_run(const char *arm, uint64_t countdown)
{
	static const char *const ab[] = { "qa", "qb" };
	struct blocking_wait	 bw;
	unsigned		 r, next = 0, ids[4];
	size_t			 n;

	if (arm != NULL)
		crashpoint_arm(arm, countdown);
	else
		crashpoint_count();
	for (r = 0; r < ROUNDS; r++) {
		if ((zmode ? zwait_on(&bw, ab + r % 2, 2 - r % 2, r % 3 == 0,
		    r % 4 == 1 ? 2 : 0) : wait_on(&bw, ab + r % 2, 2 - r % 2,
		    r % 3 ? LIST_HEAD : LIST_TAIL, r % 4 == 1 ? 2 : 0)) == -1)
			_exit(3);
		if (r % 4 == 2) {
			/* Timed out before anything came. */
			(void)blocking_cancel(&bl, &bw, BL_TIMEOUT);
			blocking_finish(&bl, &bw);
			child_push("qb", LIST_TAIL, &next, 1);
		} else {
			child_push(r % 2 ? "qb" : "qa", LIST_TAIL, &next,
			    1 + r % 3);
			if (blocking_poll(&bl, &bw, 0) != BLOCKING_SERVED)
				_exit(4);
			if (r % 4 == 1)
				/* Its client went away: back to the list. */
				blocking_abandon(&bl, &bw);
			else {
				n = payload_ids(&bw, ids);
				mark(sh->delivering, ids, n);
				blocking_delivered(&bl, &bw);
				mark(sh->delivered, ids, n);
			}
		}
		blocking_wait_free(&bw);
	}
	sh->hits = crashpoint_hits("any");
	_exit(0);
}

/*
 * How often element e<id> is in lists qa and qb (in zmode: member m<id>
 * with its score in sorted sets qa and qb).
 */
static unsigned
count_in_lists(unsigned id)
{
	static const char *const keys[] = { "qa", "qb" };
	char		 buf[4096], want[32], *p, *save;
	unsigned	 n = 0, i;

	if (zmode)
		snprintf(want, sizeof(want), "m%u=%g", id, zscore_of(id));
	else
		snprintf(want, sizeof(want), "e%u", id);
	for (i = 0; i < 2; i++) {
		if (zmode)
			zset_text(keys[i], buf, sizeof(buf));
		else
			list_text(keys[i], buf, sizeof(buf));
		for (p = strtok_r(buf, ",", &save); p != NULL;
		    p = strtok_r(NULL, ",", &save))
			n += strcmp(p, want) == 0;
	}
	return (n);
}

/* 0: consistent; -1: broken.  *killed: the child was killed. */
static int
trial(const char *arm, uint64_t countdown, int *killed)
{
	struct blocking		 next;
	pid_t			 pid;
	unsigned		 id, n;
	int			 status, bad = 0, inflight;

	memset(sh, 0, sizeof(*sh));
	keyspace_flush(&ks, DB);
	if ((pid = fork()) == 0)
		child_run(arm, countdown);
	waitpid(pid, &status, 0);
	*killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
	if (!*killed && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
		diag("workload child failed (status %#x)", status);
		return (-1);
	}
	/* The slot's next worker. */
	(void)blocking_open(&next, &ks, 0);
	(void)blocking_recover(&next);
	(void)blocking_open(&bl, &ks, 0);
	if (!arena_clean()) {
		diag("the arena is not clean after a kill at %s/%llu",
		    arm != NULL ? arm : "-", (unsigned long long)countdown);
		bad = 1;
	}
	for (id = 0; id < NELEMS; id++) {
		if (!sh->pushing[id])
			continue;
		n = count_in_lists(id);
		inflight = !sh->pushed[id] ||
		    (sh->delivering[id] && !sh->delivered[id]);
		if (n > 1 || (sh->delivered[id] && n != 0) ||
		    (!inflight && !sh->delivering[id] && n != 1)) {
			diag("element e%u is %u time(s) in the lists (pushed "
			    "%d, delivering %d, delivered %d) after a kill at "
			    "%s/%llu", id, n, sh->pushed[id],
			    sh->delivering[id], sh->delivered[id],
			    arm != NULL ? arm : "-",
			    (unsigned long long)countdown);
			bad = 1;
		}
	}
	return (bad ? -1 : 0);
}

static void
test_crash(int z)
{
	static const char *const points[] = {
		"blocking_linked", "blocking_claimed", "blocking_handed",
		"blocking_taken", "blocking_unlinked", "blocking_given_back",
		"blocking_delivering"
	};
	static const uint64_t	 countdowns[] = { 1, 2, 3, 5, 8, 13 };
	size_t			 i, j;
	unsigned		 kills, broken, n;
	int			 killed;

	zmode = z;
	diag("crash safety of the %s kind", z ? "sorted-set" : "list");
	if (sh == NULL)
		sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (!ok(sh != MAP_FAILED, "shared state"))
		return;
	i = trial(NULL, 0, &killed) == 0 && !killed;
	ok(i, "the workload without a kill keeps every element (%llu crash "
	    "point hits)", (unsigned long long)sh->hits);
	for (i = 0; i < nitems(points); i++) {
		kills = broken = 0;
		for (j = 0; j < nitems(countdowns); j++) {
			if (trial(points[i], countdowns[j], &killed) == -1)
				broken++;
			else if (killed)
				kills++;
		}
		ok(kills > 0 && broken == 0, "crash point %s: reached (%u "
		    "kills), no element lost or doubled (%u broken)",
		    points[i], kills, broken);
	}
	kills = broken = 0;
	for (n = 1; n < 400; n += 3) {
		if (trial("any", n, &killed) == -1)
			broken++;
		else if (killed)
			kills++;
	}
	ok(kills > 0 && broken == 0, "kills at the n-th crash point of any "
	    "kind: %u killed, %u broken", kills, broken);
}

/*
 * SWAPDB moves the waiter chains with their databases, each stripe's
 * pair of chains as one transaction of the two stripes: a process killed
 * anywhere in the exchange leaves every chain under one stripe, never
 * under two (the checker would reach its links twice) nor under none (it
 * would find them leaked); and a swap that ran to its end leaves each
 * wait where a push to its key in its own database serves it.
 */
static void
test_swap_crash(void)
{
	static const char *const k0[] = { "sa", "sb", "sc", "sd", "se" };
	static const char *const k1[] = { "ta", "tb", "tc", "td" };
	static const unsigned	 x[] = { 1 };
	struct blocking_wait	 bw0[5], bw1[4];
	unsigned		 countdown, kills = 0, broken = 0, i;
	pid_t			 pid;
	int			 status, killed, served = 0;

	for (countdown = 1; countdown < 64; countdown++) {
		for (i = 0; i < 5; i++)
			(void)wait_in(&bw0[i], 0, BLOCKING_KIND_LIST_POP,
			    &k0[i], 1, LIST_HEAD, 0);
		for (i = 0; i < 4; i++)
			(void)wait_in(&bw1[i], 1, BLOCKING_KIND_LIST_POP,
			    &k1[i], 1, LIST_HEAD, 0);
		if ((pid = fork()) == 0) {
			crashpoint_arm("blocking_swapdb_waiters", countdown);
			keyspace_swapdb(&ks, 0, 1);
			_exit(0);
		}
		waitpid(pid, &status, 0);
		killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
		if (!arena_clean()) {
			diag("the arena is not clean after a kill in the "
			    "waiters' exchange (%u)", countdown);
			broken++;
		}
		if (!killed)
			served = push("sa", LIST_TAIL, x, 1) == 1 &&
			    blocking_poll(&bl, &bw0[0], 0) == BLOCKING_SERVED;
		for (i = 0; i < 5; i++) {
			if (blocking_poll(&bl, &bw0[i], 0) == BLOCKING_SERVED)
				blocking_delivered(&bl, &bw0[i]);
			else
				blocking_finish(&bl, &bw0[i]);
			blocking_wait_free(&bw0[i]);
		}
		for (i = 0; i < 4; i++) {
			blocking_finish(&bl, &bw1[i]);
			blocking_wait_free(&bw1[i]);
		}
		keyspace_flush(&ks, 0);
		keyspace_flush(&ks, 1);
		if (!killed)
			break;
		kills++;
	}
	ok(kills > 0 && broken == 0, "SWAPDB killed in the waiters' exchange "
	    "leaves each chain under one stripe: %u killed, %u broken", kills,
	    broken);
	ok(served, "a whole SWAPDB keeps each wait with its database");
	ok(arena_clean(), "the arena is clean");
}

int
main(void)
{
	tap_no_plan();
	log_init("blocking_test", 1, -1);
	if (!ok(testarena_store(&arena, &ks, SIZE, 2) == 0, "a store") ||
	    !ok(blocking_open(&bl, &ks, 0) == 0, "a blocking handle for "
	    "slot 0"))
		return (tap_done());
	test_words();
	test_serve();
	test_fifo();
	test_cancel();
	test_dead_claim();
	test_recover();
	test_zset();
	test_race();
	test_swap_crash();
	test_crash(0);
	test_crash(1);
	testarena_destroy(&arena);
	return (tap_done());
}
