/*
 * slab_internal.h: the slab allocator's shared structures, for slab.c and
 * its checker (slab_check.c) only.
 *
 * Locks: a slab_class's fields are protected by its sc_lock; page
 * descriptors change state under the pool lock (and, for pages of a class,
 * while that class's lock is held too); a page's bitmap and sp_nfree are
 * protected by the lock of the class the page belongs to.
 */
#ifndef HYDRA_SLAB_INTERNAL_H
#define HYDRA_SLAB_INTERNAL_H

#include "hydra/arena.h"
#include "hydra/lock.h"
#include "hydra/slab.h"

enum slab_page_state {
	PAGE_FREE,
	PAGE_SLAB,		/* carved into chunks of sp_class */
	PAGE_RUN_HEAD,		/* first page of a run of sp_nfree pages */
	PAGE_RUN_TAIL
};

#define SLAB_CLASS_NONE	0xff	/* sp_class: the bytes are unknown */

/* One descriptor per page, in the slab region. */
struct slab_page {
	uint8_t		 sp_state;	/* pool lock */
	/*
	 * SLAB: the class (pool lock; set before sp_state).  FREE: the last
	 * class, whose bitmap is still all clear at the page's start (a
	 * class gives a page back only empty), or SLAB_CLASS_NONE after a
	 * run held the page; slab_take_page() clears the bitmap only when
	 * the page comes to another class.
	 */
	uint8_t		 sp_class;
	uint8_t		 sp_committed;	/* pool lock: backing store claimed */
	uint8_t		 sp_pad;
	uint32_t	 sp_nfree;	/* SLAB: free chunks (class lock);
					   RUN_HEAD: pages in the run (pool) */
};

enum slab_op {
	SLAB_OP_NONE,
	SLAB_OP_ALLOC,		/* class: si_chunk for si_record */
	SLAB_OP_FREE,		/* class: si_chunk named by si_record */
	SLAB_OP_TAKE_PAGE,	/* pool: si_page to a class */
	SLAB_OP_RELEASE_PAGE,	/* pool: si_page back to the pool */
	SLAB_OP_RUN_ALLOC,	/* pool: si_npages from si_page */
	SLAB_OP_RUN_FREE
};

/*
 * What the holder of a slab lock is doing, for the next holder to finish
 * or undo if it dies.  si_op is written last when an operation starts and
 * cleared last when it ends.
 */
struct slab_intent {
	uint32_t	 si_op;
	uint32_t	 si_page;
	uint32_t	 si_npages;
	aoff_t		 si_chunk;
	uint64_t	 si_record;	/* byte position of the caller's record */
};

struct slab_class {
	struct lock		 sc_lock;
	uint32_t		 sc_size;	/* immutable */
	uint32_t		 sc_per_page;	/* immutable */
	uint32_t		 sc_hdr;	/* bitmap bytes, immutable */
	uint32_t		 sc_cur;	/* sc_lock: page tried first */
	uint64_t		 sc_pages;	/* sc_lock */
	uint64_t		 sc_used;	/* sc_lock: chunks handed out */
	struct slab_intent	 sc_intent;	/* sc_lock */
};

struct slab_pool {
	struct lock		 sp_lock;
	uint32_t		 sp_hint;	/* sp_lock: lowest maybe-free page */
	uint32_t		 sp_free;	/* sp_lock: free pages */
	struct slab_intent	 sp_intent;	/* sp_lock */
};

struct slab_region {
	uint32_t		 sr_nclasses;	/* immutable */
	uint32_t		 sr_npages;	/* immutable */
	struct slab_pool	 sr_pool;
	struct slab_class	 sr_class[SLAB_MAX_CLASSES];
	struct slab_page	 sr_page[];
};

static inline struct slab_region *
slab_region(const struct arena *a)
{
	return (arena_region(a, ARENA_REGION_SLAB));
}

static inline char *
slab_page_base(const struct arena *a, uint32_t page)
{
	return (a->ar_base + a->ar_hdr->ah_pages_off +
	    (uint64_t)page * ARENA_PAGE_SIZE);
}

/* Page index of an offset inside the page area, or UINT32_MAX. */
static inline uint32_t
slab_page_of(const struct arena *a, aoff_t o)
{
	uint64_t	 pos = (uint64_t)o.u * ARENA_ALIGN;

	if (pos < a->ar_hdr->ah_pages_off)
		return (UINT32_MAX);
	pos = (pos - a->ar_hdr->ah_pages_off) >> ARENA_PAGE_SHIFT;
	if (pos >= a->ar_hdr->ah_npages)
		return (UINT32_MAX);
	return ((uint32_t)pos);
}

static inline int
slab_bit_get(const uint64_t *bm, uint32_t i)
{
	return ((bm[i >> 6] >> (i & 63)) & 1);
}

/* Take a class's or the pool's lock, repairing first if need be. */
void	 slab_class_lock(struct arena *, struct slab_class *);
void	 slab_pool_lock(struct arena *);

#endif /* HYDRA_SLAB_INTERNAL_H */
