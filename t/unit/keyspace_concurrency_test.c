/*
 * keyspace_concurrency_test.c: processes sharing stripes never see or leave
 * a half-made change, even when one of them is killed mid-write.
 *
 * Several processes run random puts (short and long values, with and
 * without expiry), deletes, expiries, persists, reads, random-key picks and
 * scans on their own keys, which hash to the same few stripes, so that the
 * processes contend for every stripe lock and rehash each other's tables.
 * Each process checks every read of its own keys against its model as it
 * goes, and keeps the model in shared memory, together with the op it is
 * about to make.  Afterwards the parent checks every key of every process
 * against its model and runs the arena checker.  In the second part the
 * parent SIGKILLs one process at a random moment while the others go on:
 * the survivors repair what it held, and its key in flight must be wholly
 * as before or wholly as after its last op.
 */
#include <sys/mman.h>
#include <sys/wait.h>

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hydra/check.h"
#include "hydra/keyspace.h"
#include "hydra/lock.h"
#include "hydra/log.h"
#include "hydra/store.h"
#include "tap.h"

#define NPROC		3
#define NKEYS		300
#define NOW		INT64_C(1000)
#define PAST		INT64_C(500)
#define FAR		(INT64_C(1) << 40)
#define MAXVAL		600

struct keystate {
	int32_t		 present;
	uint32_t	 seq;		/* op that wrote the value */
	uint32_t	 len;
	int64_t		 expire;
};

/* One process's model, in shared memory so the parent can read it. */
struct proc_state {
	int32_t		 pending_key;	/* -1 when no op is in flight */
	struct keystate	 pending;	/* that key's state after the op */
	struct keystate	 keys[NKEYS];
	uint64_t	 ops;
	uint32_t	 bad;		/* reads that disagreed with the model */
	uint64_t	 slices;	/* lock waits that ran out a slice */
};

static struct proc_state	*procs;

static void
value_fill(unsigned char *p, unsigned proc, uint32_t seq, uint32_t len)
{
	uint32_t	 i;

	for (i = 0; i < len; i++)
		p[i] = (unsigned char)(proc * 59 + seq * 131 + i * 7);
}

static size_t
key_name(unsigned proc, unsigned k, char *buf)
{
	return ((size_t)snprintf(buf, 32, "p%u:%u", proc, k));
}

static int
key_matches(struct keyspace *ks, unsigned proc, unsigned k,
    const struct keystate *want)
{
	unsigned char	 got[MAXVAL], exp[MAXVAL];
	char		 key[32];
	size_t		 klen = key_name(proc, k, key), vlen;
	int64_t		 expire;
	int		 found;

	found = keyspace_get(ks, 0, key, klen, NOW, got, sizeof(got), &vlen,
	    &expire, NULL);
	if (!want->present)
		return (!found);
	if (!found || vlen != want->len || expire != want->expire)
		return (0);
	value_fill(exp, proc, want->seq, want->len);
	return (memcmp(got, exp, vlen) == 0);
}

/* Every entry a scan or random pick shows must be someone's sound key. */
static void
visit_entry(const struct entry *e, void *arg)
{
	uint32_t	*bad = arg;
	size_t		 klen, vlen;
	const char	*k = entry_key(e, &klen);

	(void)entry_value(e, &vlen);
	if (klen < 3 || k[0] != 'p' || vlen >= MAXVAL)
		(*bad)++;
}

static int64_t
now_usec(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000);
}

static void
proc_run(struct keyspace *ks, unsigned me, int64_t usec)
{
	struct proc_state	*ps = &procs[me];
	struct keystate		*cur, next;
	unsigned char		 val[MAXVAL];
	char			 key[32];
	uint64_t		 cursor = 0;
	int64_t			 end = now_usec() + usec;
	uint32_t		 seq, r, k;
	size_t			 klen;
	int			 rv;

	srandom(getpid());
	for (seq = (uint32_t)ps->ops + 1; now_usec() < end; seq++) {
		k = (uint32_t)random() % NKEYS;
		klen = key_name(me, k, key);
		cur = &ps->keys[k];
		next = *cur;
		r = (uint32_t)random() % 100;
		if (r < 10) {
			if (!key_matches(ks, me, k, cur))
				ps->bad++;
			cursor = keyspace_scan(ks, 0, cursor, NOW, visit_entry,
			    &ps->bad);
			(void)keyspace_random(ks, 0, NOW, visit_entry,
			    &ps->bad);
			continue;
		}
		if (r < 55) {
			next.present = 1;
			next.seq = seq;
			next.len = (uint32_t)random() % MAXVAL;
			r = (uint32_t)random() % 8;
			next.expire = r == 0 ? PAST : r == 1 ?
			    FAR + (int64_t)(random() % 1000) :
			    KEYSPACE_NO_EXPIRE;
			if (next.expire == PAST)
				next.present = 0;
		} else if (r < 80)
			next.present = 0;
		else if (r < 90) {
			if (next.present)
				next.expire = FAR + (int64_t)(random() % 1000);
		} else {
			if (next.present)
				next.expire = KEYSPACE_NO_EXPIRE;
		}
		ps->pending = next;
		__atomic_store_n(&ps->pending_key, (int32_t)k,
		    __ATOMIC_SEQ_CST);
		if (r < 55) {
			value_fill(val, me, seq, next.len);
			rv = keyspace_put(ks, 0, key, klen, 0, val, next.len,
			    next.expire);
		} else if (r < 80)
			rv = keyspace_delete(ks, 0, key, klen);
		else
			rv = keyspace_set_expire(ks, 0, key, klen,
			    next.expire, NOW);
		if (rv == -1)
			ps->bad++;
		*cur = next;
		__atomic_store_n(&ps->pending_key, -1, __ATOMIC_SEQ_CST);
		ps->ops = seq;
		if (!key_matches(ks, me, k, cur))
			ps->bad++;
	}
	ps->slices += lock_wait_slices_expired();
	_exit(0);
}

/* Check every key of every process; the killed one may have one in flight. */
static unsigned
verify_all(struct keyspace *ks)
{
	struct proc_state	*ps;
	unsigned		 p, k, wrong = 0;

	for (p = 0; p < NPROC; p++) {
		ps = &procs[p];
		for (k = 0; k < NKEYS; k++) {
			if (key_matches(ks, p, k, &ps->keys[k]))
				continue;
			if ((int32_t)k == ps->pending_key &&
			    key_matches(ks, p, k, &ps->pending))
				continue;
			diag("process %u key %u does not match its model", p,
			    k);
			wrong++;
		}
	}
	return (wrong);
}

static void
run_round(struct keyspace *ks, int64_t usec, int kill_one)
{
	pid_t		 pid[NPROC];
	unsigned	 p;
	int		 status;
	int32_t		 k;

	for (p = 0; p < NPROC; p++) {
		/* A killed process's op in flight: adopt it if it landed. */
		k = procs[p].pending_key;
		if (k >= 0 && key_matches(ks, p, (unsigned)k,
		    &procs[p].pending))
			procs[p].keys[k] = procs[p].pending;
		procs[p].pending_key = -1;
		if ((pid[p] = fork()) == 0)
			proc_run(ks, p, usec);
	}
	if (kill_one) {
		struct timespec ts = { 0, (long)(random() % (usec * 900)) };

		nanosleep(&ts, NULL);
		kill(pid[0], SIGKILL);
	}
	for (p = 0; p < NPROC; p++)
		waitpid(pid[p], &status, 0);
}

int
main(void)
{
	struct arena		 a;
	struct keyspace		 ks;
	struct arena_params	 ap;
	struct check		 ck;
	char			 name[64], err[256];
	unsigned		 p, round, bad = 0, wrong;
	uint64_t		 ops = 0;
	int64_t			 problems;

	tap_no_plan();
	log_init("keyspace_concurrency_test", 1, -1);
	procs = mmap(NULL, NPROC * sizeof(*procs), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (procs == MAP_FAILED)
		return (1);
	memset(procs, 0, NPROC * sizeof(*procs));
	snprintf(name, sizeof(name), "/hydra-conc-%ld", (long)getpid());
	store_default_params(&ap, (size_t)64 << 20);
	ap.ap_databases = 1;
	ap.ap_stripes_log2 = 2;
	if (store_create(&a, &ks, name, &ap, err, sizeof(err)) == -1) {
		diag("store_create: %s", err);
		return (1);
	}

	run_round(&ks, 2000000, 0);
	for (p = 0; p < NPROC; p++) {
		bad += procs[p].bad;
		ops += procs[p].ops;
	}
	diag("%u processes made %llu ops in 2 s on 4 shared stripes", NPROC,
	    (unsigned long long)ops);
	ok(bad == 0, "every read each process made of its own keys matched "
	    "its model while the others wrote (%u mismatches)", bad);
	ok(verify_all(&ks) == 0, "afterwards every key of every process "
	    "matches that process's model");
	problems = check_arena(&a, 0, stderr, &ck);
	ok(problems == 0, "the checker finds the arena consistent, with no "
	    "leak (%lld problems, %llu keys)", (long long)problems,
	    (unsigned long long)ck.ck_keys);

	srandom((unsigned)getpid());
	for (round = 0, bad = 0, wrong = 0; round < 8; round++) {
		run_round(&ks, 400000, 1);
		for (p = 1; p < NPROC; p++)
			bad += procs[p].bad;
		wrong += verify_all(&ks);
		if (check_arena(&a, 0, stderr, NULL) != 0)
			wrong++;
	}
	ok(bad == 0, "while a peer was killed mid-run, the survivors' reads "
	    "all matched their models (%u mismatches)", bad);
	diag("lock waits that ran out a slice: %llu (process 0 not counted)",
	    (unsigned long long)(procs[1].slices + procs[2].slices));
	ok(wrong == 0, "after each of 8 kills every key is as its model says "
	    "(the killed process's key in flight wholly old or wholly new) "
	    "and the arena checks clean");

	arena_detach(&a);
	(void)arena_unlink(name);
	return (tap_done());
}
