/*
 * arena.h: the POSIX shared-memory object that holds hydra's whole store.
 *
 * The supervisor creates the arena and maps it before it forks, so every
 * process sees it; tools attach to it by name.  Inside the arena nothing is
 * addressed by pointer: links are aoff_t offsets, so a process that maps the
 * arena at another address reads the same structure.
 *
 * Layout: a header at offset 0 (magic, layout version, size, owner pid,
 * clean-shutdown flag, a directory of regions), then one region per module
 * (each module reports its size and initialises its own region, as
 * PostgreSQL's shmem modules do), then 1 MiB pages that the slab allocator
 * hands out.  Pages are committed lazily: backing store is claimed with
 * posix_fallocate() when a page is first taken, so a full /dev/shm is an
 * error return instead of a SIGBUS.
 */
#ifndef HYDRA_ARENA_H
#define HYDRA_ARENA_H

#include <stddef.h>
#include <stdint.h>

#include "hydra/compat.h"

#define ARENA_MAGIC		"HYDRAMEM"
#define ARENA_LAYOUT_VERSION	9	/* 9: snapshot and persister
					   regions, stripes know their
					   snapshot generation, a free page
					   keeps its last class (bitmap
					   clear), transaction parts take
					   steps, records of one word; 8: an
					   intent names its
					   overflow record; 7: intents of 12
					   stores and 6 chunks; 6: locks say
					   since when they are held, blocked
					   clients' region and stripe waiter
					   chains */
#define ARENA_ALIGN		8		/* unit of an aoff_t */
#define ARENA_PAGE_SHIFT	20
#define ARENA_PAGE_SIZE		(1UL << ARENA_PAGE_SHIFT)
#define ARENA_MAX_SIZE		((size_t)UINT32_MAX * ARENA_ALIGN)
#define ARENA_MIN_SIZE		(8 * ARENA_PAGE_SIZE)
#define ARENA_MAX_REGIONS	8

/*
 * An offset into the arena, in ARENA_ALIGN units; 0 is the null offset
 * (the header lives there, so nothing allocatable does).  It is a struct so
 * that the compiler refuses to mix it with a pointer or a plain integer.
 * Like off_t it is a value type, hence the typedef.
 */
typedef struct {
	uint32_t	u;
} aoff_t;

#define AOFF_NULL	((aoff_t){ 0 })

/* The region directory: module i owns region i. */
enum arena_region_id {
	ARENA_REGION_SLAB,
	ARENA_REGION_KEYSPACE,
	ARENA_REGION_BLOCKING,
	ARENA_REGION_SNAPSHOT,
	ARENA_REGION_PERSISTER,
	ARENA_REGION_FIRST_FREE		/* tests may add regions from here */
};

struct arena_region {
	char		 ar_name[16];
	uint64_t	 ar_off;		/* byte offset, 64-byte aligned */
	uint64_t	 ar_size;
};

/*
 * The header.  Written once by the creator, before the magic is stored;
 * afterwards only the owner (the supervisor that serves the arena: its
 * creator, or a later hydrad that adopted it, arena_adopt()) and ah_clean
 * change, by the supervisor, at adoption and at a clean shutdown.
 */
struct arena_header {
	char		 ah_magic[8];
	uint32_t	 ah_layout;		/* ARENA_LAYOUT_VERSION */
	uint32_t	 ah_nregions;
	uint64_t	 ah_size;		/* bytes, as ftruncate()d */
	int64_t		 ah_owner_pid;		/* the serving supervisor */
	uint32_t	 ah_clean;		/* 1 after a clean shutdown */
	uint32_t	 ah_npages;		/* slab pages after the regions */
	uint64_t	 ah_pages_off;		/* byte offset of page 0 */
	uint64_t	 ah_created;		/* unix seconds */
	struct arena_region ah_region[ARENA_MAX_REGIONS];
};

/* What the creator asks for; modules size their regions from it. */
struct arena_params {
	size_t		 ap_size;		/* bytes */
	unsigned	 ap_databases;		/* 16 by default */
	unsigned	 ap_stripes_log2;	/* stripes per database */
};

struct arena;

/* A module that owns one region of the arena. */
struct arena_module {
	const char	*am_name;
	size_t		(*am_size)(const struct arena_params *, size_t npages);
	int		(*am_init)(struct arena *, void *region,
			    const struct arena_params *);
};

/* One process's view of the arena: private memory, never shared. */
struct arena {
	char			*ar_base;
	size_t			 ar_size;
	int			 ar_fd;
	char			 ar_name[64];
	struct arena_header	*ar_hdr;
};

/*
 * Create the named object (mode 0600; it must not exist yet), size it, map
 * it MAP_SHARED, keep it out of core dumps, and initialise the header and
 * every module's region.  Returns 0, or -1 with a message in errbuf.
 */
int	 arena_create(struct arena *, const char *name,
	    const struct arena_params *, const struct arena_module *,
	    size_t nmodules, char *errbuf, size_t errlen);

/*
 * Map an existing arena after validating its header: magic, layout version,
 * recorded size against the object's size, and (when want_size is not 0)
 * against the size the caller expects.  Returns 0, or -1 with a message
 * that says what did not match.
 */
int	 arena_attach(struct arena *, const char *name, size_t want_size,
	    char *errbuf, size_t errlen);

/*
 * Make the calling process the arena's owner (a hydrad that serves an
 * arena an earlier one left behind), and mark it in use (not clean).
 */
void	 arena_adopt(struct arena *);

/* Unmap and close; the object stays. */
void	 arena_detach(struct arena *);

/* Remove the named object (after detach, or from any process). */
int	 arena_unlink(const char *name);

/* Region `id' of the arena, or NULL when there is no such region. */
void	*arena_region(const struct arena *, unsigned id);

/*
 * Claim backing store for [off, off + len) so that touching it can never
 * raise SIGBUS.  Returns 0, or -1 with errno set (ENOSPC, ENOMEM).
 */
int	 arena_commit(struct arena *, uint64_t off, uint64_t len);

/* Pointer and offset conversion. */
static inline void *
arena_ptr(const struct arena *a, aoff_t o)
{
	return (a->ar_base + (size_t)o.u * ARENA_ALIGN);
}

static inline aoff_t
arena_off(const struct arena *a, const void *p)
{
	aoff_t	 o;

	o.u = (uint32_t)(((const char *)p - a->ar_base) / ARENA_ALIGN);
	return (o);
}

/* Byte offset of a pointer into the arena (for u32 words not 8-aligned). */
static inline uint64_t
arena_pos(const struct arena *a, const void *p)
{
	return ((uint64_t)((const char *)p - a->ar_base));
}

static inline void *
arena_pos_ptr(const struct arena *a, uint64_t pos)
{
	return (a->ar_base + pos);
}

static inline int
aoff_isnull(aoff_t o)
{
	return (o.u == 0);
}

static inline int
aoff_eq(aoff_t x, aoff_t y)
{
	return (x.u == y.u);
}

/*
 * Is `pid' (an ah_owner_pid) a running process?  EPERM counts as yes.
 * A pid may have been reused since, so this is a hint, not a proof.
 */
int	 arena_pid_running(int64_t pid);

/*
 * The arena this process mapped (arena_create() or arena_attach(), not
 * yet detached) that holds the byte at p, or NULL: for code that is given
 * an entry but not its arena (zset.h).  The descriptor returned is a
 * private copy; it carries the base and size only for arena_ptr().
 */
struct arena *arena_of(const void *p);

/* Is [o, o + len) inside the arena's page area?  For checkers. */
int	 arena_contains(const struct arena *, aoff_t, size_t len);

/*
 * A single store of a 32-bit word that the compiler may neither split nor
 * move across: the unit of publication in every crash-safe mutation.
 */
static inline void
shm_store32(uint32_t *p, uint32_t v)
{
	compiler_barrier();
	__atomic_store_n(p, v, __ATOMIC_RELAXED);
	compiler_barrier();
}

static inline uint32_t
shm_load32(const uint32_t *p)
{
	return (__atomic_load_n(p, __ATOMIC_RELAXED));
}

/* The same for a 64-bit word (a record that packs several fields). */
static inline void
shm_store64(uint64_t *p, uint64_t v)
{
	compiler_barrier();
	__atomic_store_n(p, v, __ATOMIC_RELAXED);
	compiler_barrier();
}

static inline uint64_t
shm_load64(const uint64_t *p)
{
	return (__atomic_load_n(p, __ATOMIC_RELAXED));
}

static inline void
aoff_store(aoff_t *p, aoff_t v)
{
	shm_store32(&p->u, v.u);
}

#endif /* HYDRA_ARENA_H */
