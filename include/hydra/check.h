/*
 * check.h: the arena checker behind `hydractl check' and the crash tests.
 *
 * It walks everything reachable from every keyspace stripe (tables, chains,
 * entries, intents, waiter links) and the blocked clients' pools, marking
 * each chunk it reaches, then sweeps the slab allocator's page descriptors
 * and bitmaps: a chunk allocated but never
 * reached is a leak, a chunk reached but not allocated (or reached twice) is
 * a broken link.  Lengths, hashes and counts are checked on the way.
 *
 * Each stripe and each slab class is examined under its own lock, so the
 * check sees each of them consistent.  The allocation sweep compares the
 * whole keyspace with the whole allocator, which is exact only when no
 * other process is changing the arena; on a live arena (CHECK_LIVE) that
 * sweep is skipped and only structure is checked.
 */
#ifndef HYDRA_CHECK_H
#define HYDRA_CHECK_H

#include <stdint.h>
#include <stdio.h>

#include "hydra/arena.h"

#define CHECK_LIVE	0x01	/* others may be writing: structure only */
#define CHECK_MAX_REPORTED 100	/* problems printed; the rest are counted */

struct check {
	struct arena	*ck_arena;
	FILE		*ck_out;	/* messages, or NULL */
	int		 ck_flags;
	uint64_t	*ck_marks;	/* a bit per ARENA_ALIGN unit */
	uint64_t	 ck_nunits;
	uint64_t	 ck_errors;
	uint64_t	 ck_keys;
	uint64_t	 ck_expires;
	uint64_t	 ck_chunks;	/* reached */
	uint64_t	 ck_bytes;	/* usable bytes of reached chunks */
	uint64_t	 ck_leaked;	/* chunks allocated, never reached */
};

/*
 * Check the whole arena.  Returns the number of problems found (0: clean),
 * or -1 when the check itself could not run (no memory).  Messages, one
 * line per problem, go to `out' when it is not NULL.
 */
int64_t	 check_arena(struct arena *, int flags, FILE *out,
	    struct check *result);

/* For the walkers (keyspace_check.c, slab_check.c). */
void	 check_error(struct check *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
int	 check_mark(struct check *, aoff_t, const char *what);
int	 check_is_marked(const struct check *, aoff_t);

void	 keyspace_check(struct check *);
void	 slab_check(struct check *);

#endif /* HYDRA_CHECK_H */
