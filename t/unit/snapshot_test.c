/*
 * snapshot_test.c: a snapshot taken while other processes change keys
 * holds exactly the state at its cut, each key once; and a producer
 * killed in the middle of a stripe's record leaves neither a partial
 * record nor a stripe that the snapshot misses or holds twice.
 *
 * The records are written with a test codec (a tag, the database, the
 * key and the value's bytes), so that the file can be read back here;
 * the RDB codec is the persister's and its bytes are checked by the
 * server tests.  This process plays the persister: it opens the
 * generation, sweeps and drains into a temporary file.
 */
#include <sys/mman.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
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
#include "hydra/snapshot.h"
#include "hydra/store.h"
#include "tap.h"
#include "testarena.h"

#define TYPE_STRING	0
#define NWRITERS	3
#define NSLOTS		40	/* keys of each writer, two names each */
#define MAXREC		4096

/* Records: 'S' db, or 'K' key length, key, value length, value. */
static void
test_select(struct rdb_out *o, unsigned db)
{
	uint32_t	 v = db;

	rdb_put_byte(o, 'S');
	rdb_put_raw(o, &v, sizeof(v));
}

static int
test_entry(struct rdb_out *o, struct arena *a, const struct entry *e)
{
	const char	*k, *v;
	size_t		 kl, vl;
	uint32_t	 n;

	(void)a;
	k = entry_key(e, &kl);
	v = entry_value(e, &vl);
	rdb_put_byte(o, 'K');
	n = (uint32_t)kl;
	rdb_put_raw(o, &n, sizeof(n));
	rdb_put_raw(o, k, kl);
	n = (uint32_t)vl;
	rdb_put_raw(o, &n, sizeof(n));
	rdb_put_raw(o, v, vl);
	return (0);
}

static const struct snapshot_codec test_codec = { test_select, test_entry };

/* A key read back from the file. */
struct rec {
	unsigned	 db;
	char		 key[64];
	long long	 val;		/* the value as a number */
	size_t		 vlen;
};

/* The persister of these tests. */
struct tp {
	struct snapshot		 snap;
	struct snapshot_sink	 sink;
	char			 path[64];
	int			 err;
};

static void
tp_drain(void *arg)
{
	struct tp	*tp = arg;

	if (snapshot_drain(&tp->snap, &tp->sink) == -1)
		tp->err = errno;
}

static int
tp_open(struct tp *tp, struct keyspace *ks)
{
	memset(tp, 0, sizeof(*tp));
	snprintf(tp->path, sizeof(tp->path), "/tmp/snapshot-test-%ld",
	    (long)getpid());
	if ((tp->sink.sk_fd = open(tp->path, O_RDWR | O_CREAT | O_TRUNC,
	    0600)) == -1 || snapshot_attach(&tp->snap, ks, &test_codec,
	    -1) == -1)
		return (-1);
	tp->snap.sp_drain = tp_drain;
	tp->snap.sp_drain_arg = tp;
	return (0);
}

static void
tp_close(struct tp *tp)
{
	snapshot_detach(&tp->snap);
	close(tp->sink.sk_fd);
	unlink(tp->path);
}

/* Sweep and drain until every stripe is covered; 0 or -1. */
static int
tp_take(struct tp *tp, uint32_t gen)
{
	struct timespec	 pause = { 0, 50000 };
	size_t		 left;
	int		 rounds;

	for (rounds = 0; rounds < 200000; rounds++) {
		left = snapshot_sweep(&tp->snap, gen);
		tp_drain(tp);
		if (snapshot_failed(&tp->snap) || tp->err != 0)
			return (-1);
		if (left == 0) {
			snapshot_end(&tp->snap);
			tp_drain(tp);
			return (tp->err != 0 ? -1 : 0);
		}
		nanosleep(&pause, NULL);
	}
	return (-1);
}

/*
 * Read the file back: the records, at most max.  -1 when a byte is out
 * of place (a partial record, say).
 */
static int
tp_read(struct tp *tp, struct rec *recs, int max)
{
	static unsigned char	 buf[8 << 20];
	ssize_t			 len;
	size_t			 at = 0;
	uint32_t		 db = UINT32_MAX, kl, vl;
	int			 n = 0;
	char			 num[32];

	len = pread(tp->sink.sk_fd, buf, sizeof(buf), 0);
	if (len < 0 || len != tp->sink.sk_pos)
		return (-1);
	while (at < (size_t)len) {
		if (buf[at] == 'S' && at + 5 <= (size_t)len) {
			memcpy(&db, buf + at + 1, 4);
			at += 5;
			continue;
		}
		if (buf[at] != 'K' || db == UINT32_MAX || n == max ||
		    at + 5 > (size_t)len)
			return (-1);
		memcpy(&kl, buf + at + 1, 4);
		at += 5;
		if (kl >= sizeof(recs[n].key) || at + kl + 4 > (size_t)len)
			return (-1);
		recs[n].db = db;
		memcpy(recs[n].key, buf + at, kl);
		recs[n].key[kl] = '\0';
		at += kl;
		memcpy(&vl, buf + at, 4);
		at += 4;
		if (at + vl > (size_t)len)
			return (-1);
		recs[n].vlen = vl;
		memset(num, 0, sizeof(num));
		memcpy(num, buf + at, vl < sizeof(num) - 1 ? vl :
		    sizeof(num) - 1);
		recs[n].val = strtoll(num, NULL, 10);
		at += vl;
		n++;
	}
	return (n);
}

static int
put_num(struct keyspace *ks, unsigned db, const char *key, long long v)
{
	char	 val[32];

	snprintf(val, sizeof(val), "%lld", v);
	return (keyspace_put(ks, db, key, strlen(key), TYPE_STRING, val,
	    strlen(val), KEYSPACE_NO_EXPIRE));
}

/* A snapshot of a quiet store holds every key once, in its database. */
static void
test_quiet(void)
{
	static struct rec	 recs[MAXREC];
	struct arena		 a;
	struct keyspace		 ks;
	struct tp		 tp;
	char			 key[32];
	int			 i, n, bad = 0, seen[600];

	if (testarena_store(&a, &ks, 32 << 20, 3) == -1 ||
	    tp_open(&tp, &ks) == -1) {
		ok(0, "setup: %s", strerror(errno));
		return;
	}
	for (i = 0; i < 600; i++) {
		snprintf(key, sizeof(key), "q%d", i);
		put_num(&ks, (unsigned)i % 3, key, i);
	}
	ok(tp_take(&tp, snapshot_begin(&tp.snap)) == 0,
	    "a snapshot of a quiet store completes");
	n = tp_read(&tp, recs, MAXREC);
	is_int(n, 600, "it holds every key, once");
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < n && i < MAXREC; i++) {
		if (sscanf(recs[i].key, "q%d", &bad) != 1 || bad < 0 ||
		    bad >= 600 || recs[i].val != bad ||
		    recs[i].db != (unsigned)bad % 3 || seen[bad]++) {
			bad = -1;
			break;
		}
		bad = 0;
	}
	ok(bad == 0, "each with its value, under its database");
	ok(snapshot_active(&tp.snap) == 0, "the generation is closed");

	/* A second snapshot starts clean: no stripe counts as covered. */
	ftruncate(tp.sink.sk_fd, 0);
	tp.sink.sk_pos = 0;
	ok(tp_take(&tp, snapshot_begin(&tp.snap)) == 0 &&
	    tp_read(&tp, recs, MAXREC) == 600,
	    "a second snapshot holds every key again");
	tp_close(&tp);
	testarena_destroy(&a);
}

/* What each writer has done, in shared memory. */
struct progress {
	volatile long long	 done[NWRITERS];	/* ops completed */
	volatile int		 stop;
};

/*
 * Writer w: op j sets both names of slot j % NSLOTS, "w<w>a<slot>" in
 * database 0 and "w<w>b<slot>" in database 1 (other stripes), to j,
 * under one multi-key lock; then counts it done.
 */
static void
writer(struct keyspace *ks, int w, struct progress *pg)
{
	struct snapshot		 snap;
	struct ks_stripe	*sts[2], *held[2];
	struct ks_key		 keys[2];
	unsigned		 dbs[2] = { 0, 1 };
	char			 ka[32], kb[32], val[32];
	long long		 j;
	size_t			 nheld;
	int			 slot;

	if (snapshot_attach(&snap, ks, &test_codec, -1) == -1)
		_exit(2);
	for (j = 1; !pg->stop; j++) {
		slot = (int)(j % NSLOTS);
		snprintf(ka, sizeof(ka), "w%da%d", w, slot);
		snprintf(kb, sizeof(kb), "w%db%d", w, slot);
		snprintf(val, sizeof(val), "%lld", j);
		keyspace_key(ks, &keys[0], ka, strlen(ka));
		keyspace_key(ks, &keys[1], kb, strlen(kb));
		nheld = keyspace_lock_keys(ks, 0, dbs, keys, 2, sts, held);
		if (keyspace_put_locked(ks, sts[0], &keys[0], TYPE_STRING,
		    val, strlen(val), KEYSPACE_NO_EXPIRE) == -1 ||
		    keyspace_put_locked(ks, sts[1], &keys[1], TYPE_STRING,
		    val, strlen(val), KEYSPACE_NO_EXPIRE) == -1)
			_exit(3);
		keyspace_unlock_keys(ks, held, nheld);
		pg->done[w] = j;
	}
	snapshot_detach(&snap);
	_exit(0);
}

/*
 * The model check: while NWRITERS processes write, each snapshot must
 * hold, for each writer, exactly the effect of a prefix of its ops (ops
 * 1..J, with J no less than what it had done before the cut and no more
 * than what it had begun by the end), and both names of a slot with the
 * same value: a command is wholly before or wholly after the cut.
 */
static void
test_model(void)
{
	static struct rec	 recs[MAXREC];
	struct progress		*pg;
	struct arena		 a;
	struct keyspace		 ks;
	struct tp		 tp;
	long long		 before[NWRITERS], after[NWRITERS], J, want;
	long long		 vals[NWRITERS][2][NSLOTS];
	pid_t			 pids[NWRITERS];
	int			 w, i, n, round, slot, side, status;
	int			 broken = 0, rounds = 20;
	char			 side_c;

	pg = mmap(NULL, sizeof(*pg), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANON, -1, 0);
	if (pg == MAP_FAILED || testarena_store(&a, &ks, 64 << 20, 4) == -1 ||
	    tp_open(&tp, &ks) == -1) {
		ok(0, "setup: %s", strerror(errno));
		return;
	}
	memset((void *)pg, 0, sizeof(*pg));
	for (w = 0; w < NWRITERS; w++)
		if ((pids[w] = fork()) == 0)
			writer(&ks, w, pg);
	for (round = 0; round < rounds; round++) {
		/* Let the writers get going, and fill every slot. */
		while (pg->done[NWRITERS - 1] < NSLOTS * (round + 1))
			usleep(1000);
		ftruncate(tp.sink.sk_fd, 0);
		tp.sink.sk_pos = 0;
		for (w = 0; w < NWRITERS; w++)
			before[w] = pg->done[w];
		if (tp_take(&tp, snapshot_begin(&tp.snap)) == -1) {
			broken++;
			diag("round %d: the snapshot failed", round);
			continue;
		}
		for (w = 0; w < NWRITERS; w++)
			after[w] = pg->done[w] + 1;
		n = tp_read(&tp, recs, MAXREC);
		memset(vals, 0, sizeof(vals));
		for (i = 0; i < n; i++) {
			if (sscanf(recs[i].key, "w%d%c%d", &w, &side_c,
			    &slot) != 3 || w < 0 || w >= NWRITERS ||
			    slot < 0 || slot >= NSLOTS ||
			    recs[i].db != (side_c == 'a' ? 0U : 1U) ||
			    vals[w][side_c == 'b'][slot] != 0) {
				diag("round %d: record %s out of place",
				    round, recs[i].key);
				broken++;
				break;
			}
			vals[w][side_c == 'b'][slot] = recs[i].val;
		}
		if (n != NWRITERS * 2 * NSLOTS) {
			diag("round %d: %d records", round, n);
			broken++;
			continue;
		}
		for (w = 0; w < NWRITERS; w++) {
			for (J = 0, slot = 0; slot < NSLOTS; slot++)
				if (vals[w][0][slot] > J)
					J = vals[w][0][slot];
			if (J < before[w] || J > after[w]) {
				diag("round %d: writer %d at %lld, outside "
				    "[%lld, %lld]", round, w, J, before[w],
				    after[w]);
				broken++;
			}
			for (slot = 0; slot < NSLOTS; slot++)
				for (side = 0; side < 2; side++) {
					want = J - ((J - slot) % NSLOTS +
					    NSLOTS) % NSLOTS;
					if (vals[w][side][slot] != want) {
						diag("round %d: w%d%c%d is "
						    "%lld, not %lld", round,
						    w, side ? 'b' : 'a', slot,
						    vals[w][side][slot],
						    want);
						broken++;
						side = 2;
						slot = NSLOTS;
					}
				}
		}
	}
	pg->stop = 1;
	for (w = 0; w < NWRITERS; w++)
		waitpid(pids[w], &status, 0);
	ok(broken == 0, "%d snapshots under %d writers each hold exactly the "
	    "state at their cut", rounds, NWRITERS);
	ok(check_arena(&a, 0, stderr, NULL) == 0, "the arena checks out");
	tp_close(&tp);
	testarena_destroy(&a);
	munmap((void *)pg, sizeof(*pg));
}

/*
 * SWAPDB moves whole databases: while a process swaps databases 2 and 3
 * again and again, each snapshot holds the x keys all under one of them
 * and the y keys all under the other, never some stripes before a swap
 * and some after.
 */
static void
test_swapdb(void)
{
	static struct rec	 recs[MAXREC];
	struct progress		*pg;
	struct snapshot		 snap;
	struct arena		 a;
	struct keyspace		 ks;
	struct tp		 tp;
	char			 key[32];
	unsigned		 xdb, ydb, *d;
	pid_t			 pid;
	int			 i, n, round, status, broken = 0;

	pg = mmap(NULL, sizeof(*pg), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANON, -1, 0);
	if (pg == MAP_FAILED || testarena_store(&a, &ks, 32 << 20, 3) == -1 ||
	    tp_open(&tp, &ks) == -1) {
		ok(0, "setup: %s", strerror(errno));
		return;
	}
	memset((void *)pg, 0, sizeof(*pg));
	for (i = 0; i < 200; i++) {
		snprintf(key, sizeof(key), "x%d", i);
		put_num(&ks, 2, key, i);
		snprintf(key, sizeof(key), "y%d", i);
		put_num(&ks, 3, key, i);
	}
	if ((pid = fork()) == 0) {
		if (snapshot_attach(&snap, &ks, &test_codec, -1) == -1)
			_exit(2);
		while (!pg->stop) {
			keyspace_swapdb(&ks, 2, 3);
			pg->done[0]++;
		}
		_exit(0);
	}
	for (round = 0; round < 20; round++) {
		while (pg->done[0] < 10 * (round + 1))
			usleep(100);
		ftruncate(tp.sink.sk_fd, 0);
		tp.sink.sk_pos = 0;
		if (tp_take(&tp, snapshot_begin(&tp.snap)) == -1 ||
		    (n = tp_read(&tp, recs, MAXREC)) != 400) {
			diag("round %d: no snapshot of 400 keys", round);
			broken++;
			continue;
		}
		xdb = ydb = UINT32_MAX;
		for (i = 0; i < n; i++) {
			d = recs[i].key[0] == 'x' ? &xdb : &ydb;
			if (*d == UINT32_MAX)
				*d = recs[i].db;
			if (*d != recs[i].db) {
				diag("round %d: %s under %u, its set under %u",
				    round, recs[i].key, recs[i].db, *d);
				broken++;
				break;
			}
		}
		if (xdb == ydb || (xdb != 2 && xdb != 3) ||
		    (ydb != 2 && ydb != 3))
			broken++;
	}
	pg->stop = 1;
	waitpid(pid, &status, 0);
	ok(broken == 0 && pg->done[0] > 200, "20 snapshots under %lld SWAPDBs "
	    "hold each database whole", (long long)pg->done[0]);
	ok(check_arena(&a, 0, stderr, NULL) == 0, "the arena checks out");
	tp_close(&tp);
	testarena_destroy(&a);
	munmap((void *)pg, sizeof(*pg));
}

/*
 * A producer killed at its n-th hit of crash point `point' while it
 * writes a big stripe's record (bigger than the ring, so the persister
 * drains part of it first): the snapshot completes and holds every key
 * once.  Returns 1 when the child was killed, 0 when it finished, -1
 * when the snapshot was wrong.
 */
static int
crash_trial(const char *point, uint64_t n, const char *label)
{
	static struct rec	 recs[MAXREC];
	static char		 big[10000];
	struct arena		 a;
	struct keyspace		 ks;
	struct snapshot		 snap;
	struct tp		 tp;
	struct ks_stripe	*st;
	struct ks_key		 kk;
	struct arena_params	 ap;
	char			 key[32], name[64];
	uint32_t		 gen;
	pid_t			 pid;
	int			 i, status, killed, rv = 0, seen[100];

	/* One name for every trial (testarena_name() keeps 32 at most). */
	snprintf(name, sizeof(name), "/hydra-snapcrash-%ld", (long)getpid());
	(void)arena_unlink(name);
	store_default_params(&ap, 32 << 20);
	ap.ap_stripes_log2 = 0;
	if (store_create(&a, &ks, name, &ap, key, sizeof(key)) == -1 ||
	    tp_open(&tp, &ks) == -1)
		return (-1);
	memset(big, 'x', sizeof(big));
	for (i = 0; i < 60; i++) {
		snprintf(key, sizeof(key), "%d", i);
		memcpy(big, key, strlen(key));
		keyspace_put(&ks, 0, key, strlen(key), TYPE_STRING, big,
		    i % 2 ? sizeof(big) : 4, KEYSPACE_NO_EXPIRE);
	}
	gen = snapshot_begin(&tp.snap);
	if ((pid = fork()) == 0) {
		if (snapshot_attach(&snap, &ks, &test_codec, -1) == -1)
			_exit(2);
		crashpoint_arm(point, n);
		keyspace_key(&ks, &kk, "0", 1);
		st = keyspace_lock(&ks, 0, &kk);
		keyspace_unlock(&ks, st);
		_exit(0);
	}
	/* Drain while the child produces, as the persister does. */
	while (waitpid(pid, &status, WNOHANG) == 0) {
		tp_drain(&tp);
		usleep(100);
	}
	killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
	if (!killed && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
		diag("%s %llu: the child failed", label,
		    (unsigned long long)n);
		rv = -1;
	}
	if (tp_take(&tp, gen) == -1) {
		diag("%s %llu: the snapshot failed", label,
		    (unsigned long long)n);
		rv = -1;
	} else {
		memset(seen, 0, sizeof(seen));
		if ((status = tp_read(&tp, recs, MAXREC)) != 60) {
			diag("%s %llu: %d records", label,
			    (unsigned long long)n, status);
			rv = -1;
		}
		for (i = 0; i < status && rv == 0; i++)
			if (atoi(recs[i].key) < 0 || atoi(recs[i].key) >= 60 ||
			    seen[atoi(recs[i].key)]++ ||
			    recs[i].vlen != (atoi(recs[i].key) % 2 ?
			    sizeof(big) : 4)) {
				diag("%s %llu: key %s wrong", label,
				    (unsigned long long)n, recs[i].key);
				rv = -1;
			}
	}
	if (check_arena(&a, 0, stderr, NULL) != 0)
		rv = -1;
	tp_close(&tp);
	testarena_destroy(&a);
	return (rv == -1 ? -1 : killed);
}

static void
test_crash(void)
{
	static const char *const points[] = {
		"snapshot_put", "snapshot_record_written",
		"snapshot_record_pending", "snapshot_record_committed",
	};
	unsigned	 kills;
	uint64_t	 c;
	size_t		 p;
	int		 broken, r;

	if (!crashpoint_enabled()) {
		ok(1, "# SKIP crash points are not compiled in");
		return;
	}
	for (p = 0; p < nitems(points); p++) {
		broken = 0;
		kills = 0;
		for (c = 1; c < 200; c++) {
			if ((r = crash_trial(points[p], c, points[p])) == -1)
				broken++;
			if (r != 1)
				break;
			kills++;
		}
		ok(broken == 0 && kills > 0, "a producer killed at %s "
		    "(%u kills): the snapshot holds every key once", points[p],
		    kills);
	}
}

int
main(void)
{
	tap_no_plan();
	test_quiet();
	test_model();
	test_swapdb();
	test_crash();
	return (tap_done());
}
