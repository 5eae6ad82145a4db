/*
 * slab.h: the allocator of the arena.
 *
 * 1 MiB pages carved into size classes (8-byte steps up to 128 bytes, then
 * a growth factor of 1.25), with an allocation bitmap at the start of each
 * page: a chunk's state is one bit.  Allocations larger than the biggest
 * class take a run of whole pages.  All allocator state lives in the arena
 * (a slab region and the pages); nothing is cached in private memory, so a
 * process can die anywhere without taking chunks with it.
 *
 * Every chunk is referenced from a record in shared memory (an intent
 * record or a live structure) at the same moment its bit is set:
 * slab_alloc() writes the chunk's offset to the caller's record, and
 * slab_free() clears it, each as one repairable step under the class lock.
 * That is what lets the next lock holder free what a dead process had
 * reserved, without ever freeing a chunk twice.
 */
#ifndef HYDRA_SLAB_H
#define HYDRA_SLAB_H

#include <stddef.h>
#include <stdint.h>

#include "hydra/arena.h"
#include "hydra/lock.h"

#define SLAB_MIN_CHUNK		16
#define SLAB_MAX_CLASSES	64

/*
 * Allocate `size' bytes and store the chunk's offset in *record, which must
 * lie in the arena and hold AOFF_NULL.  Returns 0, or -1 with errno ENOMEM
 * when the arena (or /dev/shm behind it) is full.  The chunk's contents are
 * not cleared.
 */
int	 slab_alloc(struct arena *, size_t size, aoff_t *record);

/* Free the chunk named by *record and set *record to AOFF_NULL. */
void	 slab_free(struct arena *, aoff_t *record);

/* Bytes usable in an allocated chunk (at least what was asked for). */
size_t	 slab_usable_size(struct arena *, aoff_t);

/*
 * Take and release every allocator lock once, so that any repair left by a
 * dead process has run.  Called by repairers before they read the records
 * slab_alloc() may still have owed them.
 */
void	 slab_settle(struct arena *);

struct slab_class_stats {
	uint32_t	 chunk_size;
	uint32_t	 per_page;
	uint64_t	 pages;
	uint64_t	 used;		/* chunks */
	uint64_t	 free;		/* chunks, in this class's pages */
};

struct slab_stats {
	uint32_t		 npages;
	uint32_t		 pages_free;
	uint32_t		 pages_slab;
	uint32_t		 pages_run;
	uint32_t		 pages_committed;
	uint64_t		 bytes_used;	/* chunk bytes handed out */
	uint64_t		 bytes_free;	/* in slab pages, not handed out */
	uint32_t		 nclasses;
	struct slab_class_stats	 cls[SLAB_MAX_CLASSES];
};

/* A snapshot of the counters, taking each lock briefly. */
void	 slab_stats(struct arena *, struct slab_stats *);

/* Visit the pool's lock and every class's, without taking them. */
void	 slab_for_each_lock(struct arena *, lock_visit_fn, void *arg);

/* Module hooks for the arena's region directory. */
size_t	 slab_shm_size(const struct arena_params *, size_t npages);
int	 slab_shm_init(struct arena *, void *region,
	    const struct arena_params *);

#endif /* HYDRA_SLAB_H */
