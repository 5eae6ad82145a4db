/*
 * crash_test.c: a process killed at any step of a change leaves the store
 * consistent.
 *
 * A child process runs a fixed workload of keyspace changes (puts of short,
 * long-keyed, mid-sized and page-run values, deletes, expiries set in place
 * and by rebuilding the entry, persists, lazy and active expiry, flushes,
 * renames within and across stripes, moves to the other database, swaps
 * of the two databases, growing and shrinking rehashes) and is SIGKILLed:
 *   - at each crash point of the tree in turn, at several of its hits;
 *   - at the n-th crash point hit of any kind, for n spread over the run;
 *   - after a random delay, wherever it happens to be.
 * Sometimes a second child then starts the repair and is killed inside it.
 * The parent then takes every lock (running repair), and asserts that
 *   - the checker finds every invariant intact and no chunk leaked;
 *   - each key is wholly as before the op in flight or wholly as after it
 *     (value bytes, length and expiry), and every completed op is there;
 *   - a swap of the databases in flight is wholly done or wholly not: the
 *     whole store is as before it or as after it;
 *   - a rename or a move in flight left the value under exactly one of
 *     its two names: both keys as before it, or both as after it (a
 *     cross-stripe one is two stripes' changes under one transaction).
 * A crash point that the workload never reaches fails the test.
 *
 * HYDRA_CRASH_TRIALS scales the number of kills (default 1: the quick pass
 * of `make test'; `make crash-long' uses more).
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
#include <unistd.h>

#include "hydra/check.h"
#include "hydra/crashpoint.h"
#include "hydra/keyspace.h"
#include "hydra/log.h"
#include "hydra/store.h"
#include "tap.h"

static const char *crashpoint_names[] = {
#include "crashpoints.h"
};

#define NDB		2
#define NKEYS		40
#define NOPS		320
#define NOW		INT64_C(1000)
#define PAST		INT64_C(500)
#define FAR		(INT64_C(1) << 40)
#define ARENA_BYTES	((size_t)48 << 20)
#define BIG_LEN		(1200 * 1024)
#define MAX_VALUE	(BIG_LEN + 1)

enum op_kind {
	OP_PUT,
	OP_DEL,
	OP_EXPIRE,
	OP_PERSIST,
	OP_GET,
	OP_FLUSH,
	OP_RENAME,	/* key to key2, in db */
	OP_MOVE,	/* key of db to the other db, unless it is there */
	OP_SWAPDB,	/* db 0 and db 1 */
	OP_SWEEP	/* active expiry over every stripe of db */
};

struct op {
	uint8_t		 kind;
	uint8_t		 db;
	uint16_t	 key;
	uint16_t	 key2;
	uint32_t	 len;
	int64_t		 expire;
};

struct keystate {
	int		 present;
	uint32_t	 op;		/* the put that wrote the value */
	uint32_t	 len;
	int64_t		 expire;
};

struct model {
	struct keystate	 k[NDB][NKEYS];
};

struct shared {
	uint64_t	 done;		/* ops completed by the child */
	uint64_t	 hits;		/* crash point hits in a counting run */
	int64_t		 usec;		/* duration of a counting run */
};

static struct op	 ops[NOPS];
static struct shared	*shared;
static char		 arena_name[64];
static unsigned char	 valbuf[MAX_VALUE];
static unsigned char	 expbuf[MAX_VALUE];

static uint64_t		 rng_state = 0x9e3779b97f4a7c15ULL;

static uint32_t
rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return ((uint32_t)(rng_state >> 16));
}

/* Keys 7, 15, ... are 300 bytes long (the long-key layout). */
static size_t
key_name(unsigned k, char *buf)
{
	if (k % 8 == 7) {
		memset(buf, 'L', 300);
		return (300 - 4 + (size_t)snprintf(buf + 296, 5, "%04u", k));
	}
	return ((size_t)snprintf(buf, 32, "key:%u", k));
}

static void
value_fill(unsigned char *p, uint32_t op, uint32_t len)
{
	uint32_t	 i;

	for (i = 0; i < len; i++)
		p[i] = (unsigned char)(op * 131 + i * 7 + (i >> 8));
}

static void
ops_generate(void)
{
	struct op	*o;
	uint32_t	 i, r;

	for (i = 0; i < NOPS; i++) {
		o = &ops[i];
		memset(o, 0, sizeof(*o));
		/* Mostly db 0; a phase of inserts first to force growth. */
		o->db = rng() % 5 == 0 ? 1 : 0;
		o->key = (uint16_t)(rng() % NKEYS);
		r = i < 60 ? 0 : rng() % 100;
		if (r < 45) {
			o->kind = OP_PUT;
			o->len = rng() % 120;
			/*
			 * Keys 0-2 sometimes take page runs; keys 3-14 often
			 * take chunks of one large class, three to a page, so
			 * that pages fill, empty and go back to the pool.
			 */
			if (o->key < 3 && rng() % 3 == 0)
				o->len = BIG_LEN;
			else if (o->key >= 3 && o->key < 15 && rng() % 2 == 0)
				o->len = 300000 + rng() % 1000;
			switch (rng() % 6) {
			case 0:
				o->expire = FAR + rng() % 1000;
				break;
			case 1:
				o->expire = PAST;
				break;
			default:
				o->expire = KEYSPACE_NO_EXPIRE;
				break;
			}
		} else if (r < 70)
			o->kind = OP_DEL;
		else if (r < 80) {
			o->kind = OP_EXPIRE;
			o->expire = FAR + rng() % 1000;
		} else if (r < 84) {
			o->kind = OP_PERSIST;
			o->expire = KEYSPACE_NO_EXPIRE;
		} else if (r < 86)
			o->kind = OP_GET;
		else if (r < 91) {
			o->kind = OP_RENAME;
			o->key2 = (uint16_t)((o->key + 1 + rng() %
			    (NKEYS - 1)) % NKEYS);
		} else if (r < 95)
			o->kind = OP_MOVE;	/* across stripes always */
		else if (r < 97)
			o->kind = OP_SWAPDB;
		else if (r < 99)
			o->kind = OP_SWEEP;
		else
			o->kind = OP_FLUSH;
		/* Often rename or move the key the op before wrote. */
		if ((o->kind == OP_RENAME || o->kind == OP_MOVE) &&
		    ops[i - 1].kind == OP_PUT && rng() % 2 == 0) {
			o->db = ops[i - 1].db;
			o->key = ops[i - 1].key;
			if (o->key2 == o->key)
				o->key2 = (uint16_t)((o->key + 1) % NKEYS);
		}
	}
}

static int
key_live(const struct keystate *ks)
{
	return (ks->present && (ks->expire == KEYSPACE_NO_EXPIRE ||
	    NOW <= ks->expire));
}

static void
model_apply(struct model *m, uint32_t idx)
{
	const struct op	*o = &ops[idx];
	struct keystate	*ks = &m->k[o->db][o->key];
	unsigned	 k;

	switch (o->kind) {
	case OP_PUT:
		ks->present = 1;
		ks->op = idx;
		ks->len = o->len;
		ks->expire = o->expire;
		break;
	case OP_DEL:
		ks->present = 0;
		break;
	case OP_EXPIRE:
		if (key_live(ks))
			ks->expire = o->expire;
		break;
	case OP_PERSIST:
		if (key_live(ks))
			ks->expire = KEYSPACE_NO_EXPIRE;
		break;
	case OP_GET:
		break;
	case OP_FLUSH:
		for (k = 0; k < NKEYS; k++)
			m->k[o->db][k].present = 0;
		break;
	case OP_RENAME:
		if (key_live(ks)) {
			m->k[o->db][o->key2] = *ks;
			ks->present = 0;
		}
		break;
	case OP_MOVE:
		if (key_live(ks) && !key_live(&m->k[!o->db][o->key])) {
			m->k[!o->db][o->key] = *ks;
			ks->present = 0;
		}
		break;
	case OP_SWAPDB:
		for (k = 0; k < NKEYS; k++) {
			struct keystate t = m->k[0][k];

			m->k[0][k] = m->k[1][k];
			m->k[1][k] = t;
		}
		break;
	case OP_SWEEP:
		break;
	}
	if (!key_live(ks))
		ks->present = 0;
}

static void
model_at(struct model *m, uint64_t n)
{
	uint32_t	 i;

	memset(m, 0, sizeof(*m));
	for (i = 0; i < n && i < NOPS; i++)
		model_apply(m, i);
}

/* RENAME key key2, with both stripes held, as the command does it. */
static int
op_rename(struct keyspace *ks, const struct op *o)
{
	struct ks_key		 kk[2];
	struct ks_stripe	*sts[2], *held[2];
	char			 k0[320], k1[320];
	size_t			 nheld;
	int			 rv;

	keyspace_key(ks, &kk[0], k0, key_name(o->key, k0));
	keyspace_key(ks, &kk[1], k1, key_name(o->key2, k1));
	nheld = keyspace_lock_keys(ks, o->db, NULL, kk, 2, sts, held);
	rv = keyspace_copy_locked(ks, sts[0], &kk[0], sts[1], &kk[1], NOW, 0,
	    -1);
	keyspace_unlock_keys(ks, held, nheld);
	return (rv == -1 ? -1 : 0);
}

/* MOVE key to the other database, as the command does it. */
static int
op_move(struct keyspace *ks, const struct op *o)
{
	struct ks_key		 kk[2];
	struct ks_stripe	*sts[2], *held[2];
	unsigned		 dbs[2] = { o->db, !o->db };
	char			 k0[320];
	size_t			 nheld;
	int			 rv = 0;

	keyspace_key(ks, &kk[0], k0, key_name(o->key, k0));
	kk[1] = kk[0];
	nheld = keyspace_lock_keys(ks, 0, dbs, kk, 2, sts, held);
	if (keyspace_find_locked(ks, sts[1], &kk[1], NOW) == NULL)
		rv = keyspace_copy_locked(ks, sts[0], &kk[0], sts[1], &kk[1],
		    NOW, 0, -1);
	keyspace_unlock_keys(ks, held, nheld);
	return (rv == -1 ? -1 : 0);
}

/* Sweep every stripe of the database until nothing expired is left. */
static int
op_sweep(struct keyspace *ks, unsigned db)
{
	uint32_t	 s;
	unsigned	 visited;

	for (s = 0; s < keyspace_stripes(ks); s++)
		while (keyspace_expire_sweep(ks, db, s, NOW, 4,
		    &visited) > 0)
			continue;
	return (0);
}

static int
op_run(struct keyspace *ks, uint32_t idx)
{
	const struct op	*o = &ops[idx];
	char		 key[320];
	size_t		 klen = key_name(o->key, key), vlen;

	switch (o->kind) {
	case OP_PUT:
		value_fill(valbuf, idx, o->len);
		return (keyspace_put(ks, o->db, key, klen, 0, valbuf, o->len,
		    o->expire));
	case OP_DEL:
		(void)keyspace_delete(ks, o->db, key, klen);
		return (0);
	case OP_EXPIRE:
	case OP_PERSIST:
		return (keyspace_set_expire(ks, o->db, key, klen, o->expire,
		    NOW) == -1 ? -1 : 0);
	case OP_GET:
		(void)keyspace_get(ks, o->db, key, klen, NOW, valbuf,
		    sizeof(valbuf), &vlen, NULL, NULL);
		return (0);
	case OP_FLUSH:
		keyspace_flush(ks, o->db);
		return (0);
	case OP_RENAME:
		return (op_rename(ks, o));
	case OP_MOVE:
		return (op_move(ks, o));
	case OP_SWAPDB:
		keyspace_swapdb(ks, 0, 1);
		return (0);
	case OP_SWEEP:
		return (op_sweep(ks, o->db));
	}
	return (-1);
}

/* The child: run the workload from the start, armed as asked. */
static void
child_run(struct keyspace *ks, const char *arm, uint64_t countdown)
{
	struct timespec	 t0, t1;
	uint32_t	 i;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (arm != NULL)
		crashpoint_arm(arm, countdown);
	else
		crashpoint_count();
	for (i = 0; i < NOPS; i++) {
		if (op_run(ks, i) == -1)
			_exit(3);
		__atomic_store_n(&shared->done, i + 1, __ATOMIC_SEQ_CST);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	shared->hits = crashpoint_hits("any");
	shared->usec = (t1.tv_sec - t0.tv_sec) * 1000000 +
	    (t1.tv_nsec - t0.tv_nsec) / 1000;
	_exit(0);
}

/* Does key (db, k) read back as the model says? */
static int
key_matches(struct keyspace *ks, unsigned db, unsigned k,
    const struct keystate *want)
{
	char		 key[320];
	size_t		 klen = key_name(k, key), vlen;
	int64_t		 expire;
	int		 found;

	found = keyspace_get(ks, db, key, klen, NOW, valbuf, sizeof(valbuf),
	    &vlen, &expire, NULL);
	if (!want->present)
		return (!found);
	if (!found || vlen != want->len || expire != want->expire)
		return (0);
	value_fill(expbuf, want->op, want->len);
	return (memcmp(valbuf, expbuf, vlen) == 0);
}

/* Does every key of the store read back as the model says? */
static int
store_matches(struct keyspace *ks, const struct model *m)
{
	unsigned	 db, k;

	for (db = 0; db < NDB; db++)
		for (k = 0; k < NKEYS; k++)
			if (!key_matches(ks, db, k, &m->k[db][k]))
				return (0);
	return (1);
}

/*
 * The two names of a rename or a move: both as before it, or both as
 * after it, so that the value is under exactly one of them.
 */
static int
names_as_one(struct keyspace *ks, const struct op *o,
    const struct model *before, const struct model *after)
{
	unsigned	 sdb = o->db, skey = o->key;
	unsigned	 ddb = o->kind == OP_MOVE ? !o->db : o->db;
	unsigned	 dkey = o->kind == OP_MOVE ? o->key : o->key2;

	return ((key_matches(ks, sdb, skey, &before->k[sdb][skey]) &&
	    key_matches(ks, ddb, dkey, &before->k[ddb][dkey])) ||
	    (key_matches(ks, sdb, skey, &after->k[sdb][skey]) &&
	    key_matches(ks, ddb, dkey, &after->k[ddb][dkey])));
}

struct trial {
	const char	*arm;		/* crash point, "any", or NULL: timer */
	uint64_t	 countdown;
	int64_t		 delay_usec;	/* for timer kills */
	uint64_t	 repair_countdown;	/* 0: no dying repairer */
};

enum trial_result {
	TRIAL_CONSISTENT,	/* killed, and consistent afterwards */
	TRIAL_COMPLETED,	/* never killed, and consistent */
	TRIAL_BROKEN
};

static enum trial_result
trial_run(const struct trial *t)
{
	struct arena		 a;
	struct keyspace		 ks;
	struct arena_params	 ap;
	struct model		 before, after;
	const struct op		*inflight;
	char			 err[256];
	pid_t			 pid;
	int			 status, killed, ok0, ok1, bad = 0;
	unsigned		 db, k;
	int64_t			 problems;

	store_default_params(&ap, ARENA_BYTES);
	ap.ap_databases = NDB;
	ap.ap_stripes_log2 = 1;
	(void)arena_unlink(arena_name);
	if (store_create(&a, &ks, arena_name, &ap, err, sizeof(err)) == -1) {
		diag("store_create: %s", err);
		return (TRIAL_BROKEN);
	}
	shared->done = 0;
	if ((pid = fork()) == 0)
		child_run(&ks, t->arm, t->countdown);
	if (t->arm == NULL) {
		struct timespec ts = { 0, (long)t->delay_usec * 1000 };

		nanosleep(&ts, NULL);
		kill(pid, SIGKILL);
	}
	waitpid(pid, &status, 0);
	killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
	if (!killed && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
		diag("workload child failed (status %#x)", status);
		bad = 1;
	}
	if (killed && t->repair_countdown > 0) {
		/* A repairer that dies in the middle of its repair. */
		if ((pid = fork()) == 0) {
			crashpoint_arm("any", t->repair_countdown);
			(void)check_arena(&a, 0, NULL, NULL);
			_exit(0);
		}
		waitpid(pid, &status, 0);
	}
	problems = check_arena(&a, 0, stderr, NULL);
	if (problems != 0) {
		diag("checker found %lld problems after a kill at op %llu",
		    (long long)problems, (unsigned long long)shared->done);
		bad = 1;
	}
	model_at(&before, shared->done);
	model_at(&after, shared->done + (killed ? 1 : 0));
	inflight = killed && shared->done < NOPS ? &ops[shared->done] : NULL;
	if (inflight != NULL && inflight->kind == OP_SWAPDB) {
		if (!store_matches(&ks, &before) && !store_matches(&ks, &after)) {
			diag("a swap killed at op %llu left the databases "
			    "neither swapped nor unswapped",
			    (unsigned long long)shared->done);
			bad = 1;
		}
	}
	if (inflight != NULL && (inflight->kind == OP_RENAME ||
	    inflight->kind == OP_MOVE) && !names_as_one(&ks, inflight,
	    &before, &after)) {
		diag("a %s killed at op %llu left its two names neither "
		    "both as before nor both as after",
		    inflight->kind == OP_RENAME ? "rename" : "move",
		    (unsigned long long)shared->done);
		bad = 1;
	}
	for (db = 0; db < NDB; db++) {
		for (k = 0; k < NKEYS; k++) {
			ok0 = key_matches(&ks, db, k, &before.k[db][k]);
			ok1 = ok0 || key_matches(&ks, db, k, &after.k[db][k]);
			if (!ok1) {
				diag("db %u key %u is neither as before nor as "
				    "after op %llu", db, k,
				    (unsigned long long)shared->done);
				bad = 1;
			}
		}
	}
	arena_detach(&a);
	(void)arena_unlink(arena_name);
	if (bad)
		return (TRIAL_BROKEN);
	return (killed ? TRIAL_CONSISTENT : TRIAL_COMPLETED);
}

static unsigned
scale(void)
{
	const char	*s = getenv("HYDRA_CRASH_TRIALS");
	long		 n = s != NULL ? strtol(s, NULL, 10) : 1;

	return (n < 1 ? 1 : (unsigned)n);
}

int
main(void)
{
	struct trial	 t;
	unsigned	 i, j, n, broken, kills;
	uint64_t	 total_hits;
	int64_t		 usec;
	enum trial_result r;
	static const uint64_t countdowns[] = { 1, 2, 3, 7, 19, 61 };

	tap_no_plan();
	log_init("crash_test", 1, -1);
	ok(crashpoint_enabled(), "this build has crash points compiled in");
	shared = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED)
		return (1);
	snprintf(arena_name, sizeof(arena_name), "/hydra-crash-%ld",
	    (long)getpid());
	ops_generate();

	/* A run without kills: the workload itself is right. */
	memset(&t, 0, sizeof(t));
	t.arm = "";
	r = trial_run(&t);
	ok(r == TRIAL_COMPLETED, "the unkilled workload matches the model "
	    "and leaves a clean arena");
	total_hits = shared->hits;
	usec = shared->usec;
	diag("workload: %d ops, %llu crash point hits, %lld us", NOPS,
	    (unsigned long long)total_hits, (long long)usec);

	/* Each crash point, at several of its hits. */
	for (i = 0; i < nitems(crashpoint_names); i++) {
		broken = kills = 0;
		for (j = 0; j < nitems(countdowns); j++) {
			memset(&t, 0, sizeof(t));
			t.arm = crashpoint_names[i];
			t.countdown = countdowns[j];
			t.repair_countdown = j % 2 ? 1 + rng() % 40 : 0;
			r = trial_run(&t);
			if (r == TRIAL_BROKEN)
				broken++;
			else if (r == TRIAL_CONSISTENT)
				kills++;
		}
		ok(kills > 0 && broken == 0, "crash point %s: reached (%u "
		    "kills), each kill left the store consistent (%u broken)",
		    crashpoint_names[i], kills, broken);
	}

	/* The n-th hit of any crash point, spread over the whole run. */
	n = 300 * scale();
	broken = kills = 0;
	for (i = 0; i < n; i++) {
		memset(&t, 0, sizeof(t));
		t.arm = "any";
		t.countdown = 1 + (total_hits * i) / n + rng() % 3;
		t.repair_countdown = i % 3 == 0 ? 1 + rng() % 40 : 0;
		r = trial_run(&t);
		if (r == TRIAL_BROKEN)
			broken++;
		else if (r == TRIAL_CONSISTENT)
			kills++;
	}
	ok(broken == 0 && kills > n / 2, "kills at %u points spread over "
	    "the run: %u killed, none left the store inconsistent (%u broken)",
	    n, kills, broken);

	/* Kills at random moments, wherever the child is. */
	n = 1500 * scale();
	broken = kills = 0;
	for (i = 0; i < n; i++) {
		memset(&t, 0, sizeof(t));
		t.arm = NULL;
		t.delay_usec = (int64_t)(rng() % (uint32_t)(usec + 1));
		t.repair_countdown = i % 4 == 0 ? 1 + rng() % 40 : 0;
		r = trial_run(&t);
		if (r == TRIAL_BROKEN)
			broken++;
		else if (r == TRIAL_CONSISTENT)
			kills++;
	}
	ok(broken == 0 && kills > 0, "SIGKILL at %u random moments: %u "
	    "killed mid-run, none left the store inconsistent (%u broken)", n,
	    kills, broken);
	(void)arena_unlink(arena_name);
	return (tap_done());
}
