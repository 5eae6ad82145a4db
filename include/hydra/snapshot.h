/*
 * snapshot.h: point-in-time snapshots of the keyspace without fork, by
 * copy-on-write at stripe granularity.
 *
 * The persister opens a generation (snapshot_begin()): that store is the
 * cut.  From then on, the first process to lock a stripe that the
 * generation has not covered yet serializes the stripe's contents, as
 * they were at the cut, before anything changes them (keyspace.c calls
 * snapshot_cover() once a command holds all of its stripes), and marks
 * the stripe covered; the persister sweeps the stripes nobody touched
 * (snapshot_sweep()).  Each stripe becomes one record: a SELECTDB of its
 * database and its keys.
 *
 * Records go through a fixed ring in the arena, which the persister
 * drains to the file (snapshot_drain()); a producer that finds the ring
 * full waits for the persister, for at most one stripe's worth of bytes.
 * One producer writes at a time, under the region's robust lock.
 *
 * Crash story.  A stripe is marked covered only after its record is
 * committed (sn_commit moved past it), and the two are tied by a pending
 * word that the lock's repair rolls forward, so a record is in the file
 * exactly once.  A producer killed in the middle of a record leaves the
 * stripe uncovered; the repair hands the partial bytes to the persister
 * as a range to cut out of the file (sn_skip_*), and the next taker of the
 * stripe serializes it again.  A persister killed mid-snapshot leaves the
 * generation open: its successor aborts it (snapshot_reset()), and every
 * producer gives up a generation that is no longer the active one.
 */
#ifndef HYDRA_SNAPSHOT_H
#define HYDRA_SNAPSHOT_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#include "hydra/arena.h"
#include "hydra/keyspace.h"
#include "hydra/rdb.h"

#define SNAPSHOT_RING_SIZE	((size_t)256 << 10)

/* How a stripe's record is written: the file format's own functions. */
struct snapshot_codec {
	void	(*sc_select)(struct rdb_out *, unsigned db);
	int	(*sc_entry)(struct rdb_out *, struct arena *,
		    const struct entry *);
};

struct sn_region;

/* One process's handle: private memory. */
struct snapshot {
	struct keyspace			*sp_ks;
	struct sn_region		*sp_reg;
	const struct snapshot_codec	*sp_codec;
	struct rdb_out			 sp_out;
	/*
	 * Called while a producer waits for room in the ring, when this
	 * process is the one that drains it (the persister); NULL
	 * elsewhere, where the producer sleeps and wakes the persister.
	 */
	void				(*sp_drain)(void *);
	void				*sp_drain_arg;
	int				 sp_wake_fd;	/* -1: none */
};

/* The file a generation is drained to: the persister's. */
struct snapshot_sink {
	int		 sk_fd;
	off_t		 sk_pos;	/* where the next byte goes */
};

/* Module hooks for the arena's region directory. */
size_t	 snapshot_shm_size(const struct arena_params *, size_t npages);
int	 snapshot_shm_init(struct arena *, void *region,
	    const struct arena_params *);

/*
 * Attach a handle to the keyspace ks (bound to an arena with a snapshot
 * region), so that locking its stripes takes part in snapshots.  wake_fd
 * (may be -1) gets a byte when a producer waits for the persister.  0, or
 * -1 with errno ENOENT when the arena has no snapshot region.
 */
int	 snapshot_attach(struct snapshot *, struct keyspace *,
	    const struct snapshot_codec *, int wake_fd);
void	 snapshot_detach(struct snapshot *);

/*
 * Called by keyspace.c with stripe st locked and gen the active
 * generation read once for the whole command: serialize st unless gen
 * already covers it.  Waits for room in the ring.
 */
void	 snapshot_cover(struct snapshot *, struct ks_stripe *, uint32_t gen);

/*
 * The persister's side.  snapshot_reset(): abort whatever generation a
 * dead persister left open and empty the ring (waits for the producer
 * lock, which every producer of a dead generation gives back).
 * snapshot_begin(): reset, then open a new generation, the cut; returns
 * it.  snapshot_sweep(): serialize every stripe still uncovered that is
 * not busy; returns how many are left (0: done).  snapshot_drain(): write
 * what the ring holds to the sink, cutting out a dead producer's partial
 * record; 0 or -1 with errno.  snapshot_end(): close the generation.
 * snapshot_failed(): 1 when a record could not be written (the
 * generation cannot be complete).  snapshot_keys(): keys in the records
 * committed so far.
 */
void	 snapshot_reset(struct snapshot *);
uint32_t snapshot_begin(struct snapshot *);
size_t	 snapshot_sweep(struct snapshot *, uint32_t gen);
int	 snapshot_drain(struct snapshot *, struct snapshot_sink *);
void	 snapshot_end(struct snapshot *);
int	 snapshot_failed(const struct snapshot *);
uint64_t snapshot_keys(const struct snapshot *);

/* The generation being taken, 0 when none. */
uint32_t snapshot_active(const struct snapshot *);

#endif /* HYDRA_SNAPSHOT_H */
