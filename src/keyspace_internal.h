/*
 * keyspace_internal.h: the keyspace's shared structures, for keyspace.c and
 * its checker (keyspace_check.c) only.
 *
 * Every field of a stripe is protected by that stripe's st_lock, and is
 * changed only through the stripe's intent (see intent.h), except
 * st_rehash (a hint: buckets of table 0 below it are empty), st_sweep (a
 * hint: where the expiry sweep resumes; any value is safe) and
 * st_version (bumped before each change; only ever grows) and st_changes
 * (bumped once per change of a key, for the save rules), each written
 * under st_lock with a plain store.  st_snap, the snapshot generation
 * that holds this stripe's contents, is written under st_lock and the
 * snapshot's producer lock together (snapshot.c), or under the producer
 * lock alone by the repair of a producer that died between committing
 * the stripe's record and marking it.  st_xact is
 * the record of a change that spans this stripe and others of higher
 * address (see intent.h): begun and committed under st_lock, with every
 * other stripe of the change locked too; after its writer died, the
 * repairers of those stripes read it without st_lock.
 */
#ifndef HYDRA_KEYSPACE_INTERNAL_H
#define HYDRA_KEYSPACE_INTERNAL_H

#include "hydra/arena.h"
#include "hydra/intent.h"
#include "hydra/keyspace.h"
#include "hydra/lock.h"

#define KS_TABLE_MIN_LOG2	2	/* 4 buckets, as Redis's dict */
#define KS_TABLE_MIN_FILL	10	/* shrink below 10% */

/* A bucket array: one chunk, so that it is published by one store. */
struct ks_table {
	uint32_t	 kt_log2;
	uint32_t	 kt_pad;
	aoff_t		 kt_bucket[];
};

struct ks_stripe {
	struct lock	 st_lock;
	aoff_t		 st_table[2];	/* [1] is set while rehashing */
	uint32_t	 st_rehash;	/* next bucket of table 0 to move */
	uint32_t	 st_nkeys;
	uint32_t	 st_nexpires;
	uint32_t	 st_sweep;	/* hint: where the expiry sweep resumes */
	uint64_t	 st_version;
	uint64_t	 st_changes;	/* changes of keys; only grows */
	uint32_t	 st_snap;	/* snapshot generation covered */
	uint32_t	 st_pad;
	struct intent	 st_intent;
	struct intent_xact st_xact;
	/*
	 * Chunks on their way out or not yet in: a chain linked through the
	 * first word of each chunk (a list's nodes, see value.h), freed one
	 * per intent by keyspace_garbage_drain_locked() and by repair, or
	 * adopted whole by keyspace_put_adopt_locked().  Empty whenever the
	 * lock is free.
	 */
	aoff_t		 st_garbage;
	/*
	 * The clients blocked on keys of this stripe: a chain of waiter
	 * links, oldest first, that blocking.c keeps through this
	 * stripe's intent (and SWAPDB exchanges with the same stripe of
	 * the other database, as a transaction of the two).
	 */
	aoff_t		 st_waiters;
} __attribute__((aligned(64)));

/*
 * The databases a client names (logical) are mapped onto the stripe arrays
 * of the region (physical), so that SWAPDB can exchange two databases by
 * changing the map.  Slot i of this array, which follows the stripes,
 * describes physical database i (ds_owner, ds_swap) and logical database
 * i (ds_phys).
 *
 * ds_owner is the truth: the logical database that physical database i
 * serves.  It changes only while every stripe of database i is locked, so
 * a holder of any one of those stripes may trust it.  ds_phys is a hint
 * for finding the physical database of a logical one; it may be stale and
 * is checked against ds_owner under the stripe lock.  ds_swap is the
 * record of a swap in flight (see keyspace_swapdb()): 0, or the partner
 * physical database plus one in the high half and the new owner in the
 * low half.
 */
struct ks_dbslot {
	uint32_t	 ds_owner;	/* under all of db i's stripe locks */
	uint32_t	 ds_phys;	/* hint; written with ds_owner */
	uint64_t	 ds_swap;	/* under all of db i's stripe locks */
};

struct ks_region {
	uint64_t	 kr_seed[2];		/* immutable */
	uint32_t	 kr_ndb;		/* immutable */
	uint32_t	 kr_stripes_log2;	/* immutable */
	uint64_t	 kr_pad[6];
	struct ks_stripe kr_stripe[];		/* kr_ndb << kr_stripes_log2,
						   then kr_ndb ks_dbslots */
};

/* Stripe s of physical database `phys'. */
static inline struct ks_stripe *
ks_stripe_at(const struct keyspace *ks, unsigned phys, uint32_t s)
{
	return (&ks->ks_reg->kr_stripe[((size_t)phys <<
	    ks->ks_reg->kr_stripes_log2) + s]);
}

static inline struct ks_dbslot *
ks_dbslot(const struct keyspace *ks, unsigned i)
{
	return ((struct ks_dbslot *)&ks->ks_reg->kr_stripe[(size_t)
	    ks->ks_reg->kr_ndb << ks->ks_reg->kr_stripes_log2] + i);
}

/* The physical database a stripe belongs to. */
static inline unsigned
ks_stripe_phys(const struct keyspace *ks, const struct ks_stripe *st)
{
	return ((unsigned)((size_t)(st - ks->ks_reg->kr_stripe) >>
	    ks->ks_reg->kr_stripes_log2));
}

static inline uint32_t
ks_stripe_of(const struct keyspace *ks, uint64_t hash)
{
	unsigned	 k = ks->ks_reg->kr_stripes_log2;

	return (k == 0 ? 0 : (uint32_t)(hash >> (64 - k)));
}

static inline struct ks_table *
ks_table(const struct keyspace *ks, aoff_t t)
{
	return (aoff_isnull(t) ? NULL : arena_ptr(ks->ks_arena, t));
}

static inline struct entry *
ks_entry(const struct keyspace *ks, aoff_t e)
{
	return (arena_ptr(ks->ks_arena, e));
}

uint64_t	 ks_hash(const struct keyspace *, const void *, size_t);

/* Take a stripe's lock, repairing it first if its holder died. */
void		 ks_lock_stripe(struct keyspace *, struct ks_stripe *);

/*
 * Lock stripe s of logical database db, wherever SWAPDB has put it: the
 * stripe returned is locked and belongs to db.
 */
struct ks_stripe *ks_lock_db_stripe(struct keyspace *, unsigned db,
		    uint32_t s);

#endif /* HYDRA_KEYSPACE_INTERNAL_H */
