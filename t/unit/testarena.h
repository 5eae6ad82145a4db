/*
 * testarena.h: arenas for hydra's C unit tests.
 *
 * Every arena a test makes gets a name of its own, "/hydra-ut-<pid>-<n>",
 * so that tests may run side by side, and is remembered: whatever a test
 * does not remove itself is unlinked when the process that made it exits
 * through exit() or a return from main() (a forked child, which leaves with
 * _exit(), removes nothing).
 *
 * Besides the plain store (slab, keyspace and blocking regions), a test may
 * ask for one more region, ARENA_REGION_FIRST_FREE, of a size it chooses
 * and zeroed:
 * the place for records that the allocator and intents require to lie in
 * the arena.
 */

#ifndef HYDRA_TESTARENA_H
#define HYDRA_TESTARENA_H

#include <sys/wait.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hydra/arena.h"
#include "hydra/check.h"
#include "hydra/crashpoint.h"
#include "hydra/keyspace.h"
#include "hydra/store.h"
#include "tap.h"

#define TESTARENA_MAX		32
#define TESTARENA_REGION	ARENA_REGION_FIRST_FREE

static struct {
	pid_t	 ta_pid;		/* the process that made them */
	int	 ta_n;
	char	 ta_name[TESTARENA_MAX][64];
	size_t	 ta_region_size;	/* of the next test region */
} testarena_state;

static inline void
testarena_cleanup(void)
{
	int	 i;

	if (testarena_state.ta_pid != getpid())
		return;
	for (i = 0; i < testarena_state.ta_n; i++)
		(void)arena_unlink(testarena_state.ta_name[i]);
}

/* A fresh name, unlinked at exit. */
static inline const char *
testarena_name(void)
{
	char	*name;

	if (testarena_state.ta_pid != getpid()) {
		testarena_state.ta_pid = getpid();
		testarena_state.ta_n = 0;
		atexit(testarena_cleanup);
	}
	if (testarena_state.ta_n == TESTARENA_MAX) {
		diag("testarena: more than %d arenas in one test",
		    TESTARENA_MAX);
		abort();
	}
	name = testarena_state.ta_name[testarena_state.ta_n];
	snprintf(name, sizeof(testarena_state.ta_name[0]),
	    "/hydra-ut-%ld-%d", (long)getpid(), testarena_state.ta_n);
	testarena_state.ta_n++;
	return (name);
}

/* A store of `size' bytes with 2^stripes_log2 stripes per database. */
static inline int
testarena_store(struct arena *a, struct keyspace *ks, size_t size,
    unsigned stripes_log2)
{
	struct arena_params	 ap;
	char			 err[256];

	store_default_params(&ap, size);
	ap.ap_stripes_log2 = stripes_log2;
	if (store_create(a, ks, testarena_name(), &ap, err,
	    sizeof(err)) == -1) {
		diag("store_create: %s", err);
		return (-1);
	}
	return (0);
}

static inline size_t
testarena_region_size(const struct arena_params *ap, size_t npages)
{
	(void)ap;
	(void)npages;
	return (testarena_state.ta_region_size);
}

static inline int
testarena_region_init(struct arena *a, void *region,
    const struct arena_params *ap)
{
	(void)a;
	(void)ap;
	memset(region, 0, testarena_state.ta_region_size);
	return (0);
}

/*
 * An arena of `size' bytes with the store's regions (one database of one
 * stripe, to stay small) and a zeroed test region of `region_size' bytes.
 */
static inline int
testarena_with_region(struct arena *a, size_t size, size_t region_size)
{
	struct arena_module	 mods[TESTARENA_REGION + 1];
	size_t			 i;
	struct arena_params	 ap;
	char			 err[256];

	for (i = 0; i < store_nmodules; i++)
		mods[i] = store_modules[i];
	mods[TESTARENA_REGION].am_name = "test";
	mods[TESTARENA_REGION].am_size = testarena_region_size;
	mods[TESTARENA_REGION].am_init = testarena_region_init;
	testarena_state.ta_region_size = region_size;
	store_default_params(&ap, size);
	ap.ap_databases = 1;
	ap.ap_stripes_log2 = 0;
	if (arena_create(a, testarena_name(), &ap, mods, nitems(mods), err,
	    sizeof(err)) == -1) {
		diag("arena_create: %s", err);
		return (-1);
	}
	return (0);
}

/* Detach and remove an arena made by this file. */
static inline void
testarena_destroy(struct arena *a)
{
	char	 name[sizeof(a->ar_name)];

	if (a->ar_base == NULL)
		return;
	memcpy(name, a->ar_name, sizeof(name));
	arena_detach(a);
	if (arena_unlink(name) == -1)
		diag("arena_unlink %s failed", name);
}

/*
 * For crash tests: a fresh store of `bytes' bytes (one database of two
 * stripes) in *a and *ks, where child(ks, arg) runs in a forked process
 * that ends with _exit(0) unless it is killed at the crash point it arms.
 * When it was killed (*killed) and repair > 0, a second child takes every
 * lock and is killed at its repair'th crash point hit within the repair.
 * Then the checker (with every lock: the rest of the repair).  0 when the
 * child was done or killed and the checker finds the arena whole; -1,
 * with a diag naming `what', otherwise.  The caller then compares the
 * keys with what they held before and after, and calls
 * testarena_destroy(a).  testarena_crash_run_in() is the same with
 * 2^stripes_log2 stripes.
 */
static inline int
testarena_crash_run_in(struct arena *a, struct keyspace *ks, size_t bytes,
    unsigned stripes_log2, const char *what,
    void (*child)(struct keyspace *, const void *), const void *arg,
    uint64_t repair, int *killed)
{
	struct arena_params	 ap;
	char			 err[256], name[64];
	pid_t			 pid;
	int			 status, rv = 0;

	/* One name for every trial (testarena_name() keeps 32 at most). */
	*killed = 0;
	snprintf(name, sizeof(name), "/hydra-crash-%ld", (long)getpid());
	(void)arena_unlink(name);
	store_default_params(&ap, bytes);
	ap.ap_databases = 1;
	ap.ap_stripes_log2 = stripes_log2;
	if (store_create(a, ks, name, &ap, err, sizeof(err)) == -1) {
		diag("store_create: %s", err);
		return (-1);
	}
	if ((pid = fork()) == 0) {
		child(ks, arg);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	*killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
	if (!*killed && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
		diag("%s: the child failed (status %#x)", what, status);
		rv = -1;
	}
	if (*killed && repair > 0 && (pid = fork()) == 0) {
		/* A repairer that dies in the middle of its repair. */
		crashpoint_arm("any", repair);
		(void)check_arena(a, 0, NULL, NULL);
		_exit(0);
	}
	if (*killed && repair > 0)
		waitpid(pid, &status, 0);
	if (check_arena(a, 0, stderr, NULL) != 0) {
		diag("%s: the checker complains", what);
		rv = -1;
	}
	return (rv);
}

static inline int
testarena_crash_run(struct arena *a, struct keyspace *ks, size_t bytes,
    const char *what, void (*child)(struct keyspace *, const void *),
    const void *arg, uint64_t repair, int *killed)
{
	return (testarena_crash_run_in(a, ks, bytes, 1, what, child, arg,
	    repair, killed));
}

/*
 * Kill a change at each of its crash point hits in turn: trial(scn, n,
 * repair, &killed) runs it killed at its n-th hit (and, when repair > 0,
 * the repair killed at its repair'th), and says 1 when the store was
 * consistent after.  Until a trial runs to its end, within `most' hits.
 * Returns the broken trials, or -1 when the change never ended; *kills
 * gets the kills.
 */
static inline int
testarena_crash_each(int (*trial)(const void *, uint64_t, uint64_t, int *),
    const void *scn, uint64_t most, unsigned *kills)
{
	uint64_t	 c;
	int		 broken = 0, killed;

	*kills = 0;
	for (c = 1; c < most; c++) {
		broken += !trial(scn, c, c % 3 == 0 ? 1 + c % 17 : 0, &killed);
		if (!killed)
			return (broken);
		(*kills)++;
	}
	return (-1);
}

/*
 * RENAME (or COPY, when keep) key `from' of db fdb to key `to' of tdb at
 * time now, with both stripes locked as the commands lock them.
 */
static inline int
testarena_copy_key(struct keyspace *ks, unsigned fdb, const char *from,
    unsigned tdb, const char *to, int keep, int64_t now)
{
	struct ks_stripe	*sts[2], *held[2];
	struct ks_key		 keys[2];
	unsigned		 dbs[2] = { fdb, tdb };
	size_t			 nheld;
	int			 rv;

	keyspace_key(ks, &keys[0], from, strlen(from));
	keyspace_key(ks, &keys[1], to, strlen(to));
	nheld = keyspace_lock_keys(ks, 0, dbs, keys, 2, sts, held);
	rv = keyspace_copy_locked(ks, sts[0], &keys[0], sts[1], &keys[1], now,
	    keep, -1);
	keyspace_unlock_keys(ks, held, nheld);
	return (rv);
}

#endif /* HYDRA_TESTARENA_H */
