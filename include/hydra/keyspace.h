/*
 * keyspace.h: the databases of hydra, in the arena.
 *
 * Each database is a segmented hash table: 2^k stripes, each a small
 * chained table with its own robust lock, its own incremental rehash and
 * its own version counter, so that resizing one stripe never stops another.
 * The stripe is chosen by the high bits of a seeded 64-bit hash of the key,
 * the bucket by the low bits.
 *
 * An entry is one chunk: a 12-byte header, the expiry time only when the
 * key has one, then the key and the value inline.  The keyspace treats the
 * value as bytes with a type tag; the command layer gives them meaning.
 *
 * Most operations come in two forms: a `_locked' one for callers that hold
 * the stripe lock (commands that read, decide and write under one lock),
 * and a plain one that takes and releases the lock itself.
 */
#ifndef HYDRA_KEYSPACE_H
#define HYDRA_KEYSPACE_H

#include <stddef.h>
#include <stdint.h>

#include "hydra/arena.h"
#include "hydra/lock.h"

#define KEYSPACE_DATABASES		16
#define KEYSPACE_STRIPES_LOG2		8
/*
 * At most 512 stripes per database: SWAPDB holds every stripe of two
 * databases at once, and the kernel releases at most 2048 robust locks of
 * a dying thread, which must cover those, the slab locks and a margin.
 */
#define KEYSPACE_MAX_STRIPES_LOG2	9
#define KEYSPACE_NO_EXPIRE		INT64_C(-1)

/*
 * The entry header.  Fields are written only while the entry is being
 * built (it is not yet reachable), except e_next and the expiry words,
 * which change through the stripe's intent under the stripe lock.
 */
struct entry {
	aoff_t		 e_next;	/* next entry in the bucket chain */
	uint8_t		 e_type;	/* value type and encoding */
	uint8_t		 e_flags;	/* ENTRY_F_* */
	uint8_t		 e_clock;	/* LRU minute or LFU counter; a hint
					   stored under the stripe lock */
	uint8_t		 e_klen;	/* key length; ENTRY_KLEN_LONG: a u32
					   length follows the header */
	uint32_t	 e_vlen;	/* value length */
	/*
	 * Then: [u32 key length if long] [u32 expiry low, u32 expiry high
	 * if ENTRY_F_EXPIRES] key bytes, value bytes.
	 */
};

#define ENTRY_F_EXPIRES		0x01
#define ENTRY_KLEN_LONG		255

struct blocking;
struct snapshot;

struct keyspace {
	struct arena		*ks_arena;
	struct ks_region	*ks_reg;
	int			 ks_lfu;	/* e_clock counts accesses */
	struct blocking		*ks_blocking;	/* blocked clients (a
						   worker's), or NULL */
	uint32_t		*ks_rider_word;	/* see keyspace_rider() */
	uint32_t		 ks_rider_val;
	/*
	 * The generation of the snapshot being taken (a word of the
	 * snapshot region), or a zero word of this process when no
	 * snapshot handle is attached (snapshot.h); and the handle.
	 */
	const uint32_t		*ks_snap_active;
	struct snapshot		*ks_snap;
};

/* LFU_INIT_VAL of Redis: the counter of a new key. */
#define KEYSPACE_LFU_INIT	5

/* A key with its hash, computed once per command. */
struct ks_key {
	const void	*kk_ptr;
	size_t		 kk_len;
	uint64_t	 kk_hash;
};

struct ks_stripe;

/* Module hooks for the arena's region directory. */
size_t	 keyspace_shm_size(const struct arena_params *, size_t npages);
int	 keyspace_shm_init(struct arena *, void *region,
	    const struct arena_params *);

/* Bind a handle to an arena that has a keyspace region. */
int	 keyspace_open(struct keyspace *, struct arena *);
unsigned keyspace_databases(const struct keyspace *);
unsigned keyspace_stripes(const struct keyspace *);

void	 keyspace_key(const struct keyspace *, struct ks_key *,
	    const void *key, size_t len);

/* The stripe number of a key within its database. */
uint32_t keyspace_stripe_index(const struct keyspace *, const struct ks_key *);

/* Lock the stripe of a key in database `db'. */
struct ks_stripe *keyspace_lock(struct keyspace *, unsigned db,
	    const struct ks_key *);
void	 keyspace_unlock(struct keyspace *, struct ks_stripe *);

/*
 * Lock the stripes of n keys at once, for a command that must see and
 * change them together.  Key i lives in database dbs[i] (or `db' when dbs
 * is NULL); sts[i] gets its stripe.  Each distinct stripe is locked once
 * (the locks are not recursive), in ascending address order, so that two
 * such commands never deadlock.  `held' (room for n) gets the stripes
 * locked; the count is returned.  A command names at most two databases,
 * so it holds at most 2 << KEYSPACE_MAX_STRIPES_LOG2 stripe locks.
 */
size_t	 keyspace_lock_keys(struct keyspace *, unsigned db,
	    const unsigned *dbs, const struct ks_key *keys, size_t n,
	    struct ks_stripe **sts, struct ks_stripe **held);
void	 keyspace_unlock_keys(struct keyspace *, struct ks_stripe **held,
	    size_t nheld);

/*
 * The same for a command's keys, with the arrays in private memory:
 * keyspace_multi_init() for n keys (0, or -1 with ENOMEM), then
 * keyspace_multi_set() for each, then lock, unlock, free.
 */
struct intent;
struct intent_xact;

struct ks_multi {
	size_t			  km_n;
	size_t			  km_nheld;
	unsigned		 *km_dbs;
	struct ks_key		 *km_keys;
	struct ks_stripe	**km_sts;	/* of key i */
	struct ks_stripe	**km_held;
	struct intent		**km_parts;	/* of the transaction */
	struct intent_xact	 *km_xact;	/* or NULL */
};

int	 keyspace_multi_init(struct ks_multi *, size_t n);
void	 keyspace_multi_set(struct keyspace *, struct ks_multi *, size_t i,
	    unsigned db, const void *key, size_t len);
void	 keyspace_multi_lock(struct keyspace *, struct ks_multi *);

/*
 * All of it for n keys of database db, names[0], names[step], ... (as a
 * command's argv holds them): 0 with the stripes locked, or -1 (ENOMEM).
 */
int	 keyspace_multi_lock_names(struct keyspace *, struct ks_multi *,
	    unsigned db, const char *const *names, const size_t *lens,
	    size_t n, size_t step);
void	 keyspace_multi_unlock(struct keyspace *, struct ks_multi *);

/*
 * Make every change of the keys of m, from here to the commit, one
 * change: a process killed anywhere in between leaves all of them done or
 * none, even across stripes.  With m locked: keyspace_multi_begin(), with
 * room for about nrecs log records per stripe to begin with (more is
 * taken as needed: about 8 per key written, more for a value of many
 * chunks), 0 or -1 ENOMEM (nothing begun); then the changes, as the
 * command makes them anyway (puts, deletes, a set's or a list's
 * changes), each seeing what the last did; then keyspace_multi_commit(),
 * or keyspace_multi_abort() to undo them all (after a change failed for
 * want of memory, say).  keyspace_multi_unlock() commits what is still
 * open.
 *
 * Each stripe held is a part of one transaction record (intent.h), and
 * each change in it a step of that part, applied at once with its old
 * values logged and its freed chunks held back until the end; so a
 * transaction costs its steps a log record per store, and memory for
 * the chunks they replace until it ends.  Any number of stripes can take
 * part: as many as a command can hold (keyspace_lock_keys()).  Rehash
 * steps wait for the end of the transaction.
 */
int	 keyspace_multi_begin(struct keyspace *, struct ks_multi *,
	    size_t nrecs);
void	 keyspace_multi_commit(struct keyspace *, struct ks_multi *);
void	 keyspace_multi_abort(struct keyspace *, struct ks_multi *);
void	 keyspace_multi_free(struct ks_multi *);

/*
 * Exchange databases a and b, atomically: every stripe of both is locked
 * while the map from database numbers to stripe arrays changes.  A process
 * killed in the middle leaves the swap done or not done, settled by the
 * next taker of any of those stripes.
 */
void	 keyspace_swapdb(struct keyspace *, unsigned a, unsigned b);

/* Entry clocks count accesses (LFU) instead of keeping time (LRU). */
void	 keyspace_set_lfu(struct keyspace *, int on);

/*
 * The live entry for a key, or NULL.  An entry whose expiry time has
 * passed (now_ms > expiry) is deleted on the way.  The pointer is valid
 * until the stripe changes or is unlocked.
 */
const struct entry *keyspace_find_locked(struct keyspace *,
	    struct ks_stripe *, const struct ks_key *, int64_t now_ms);

/* The same, without updating the entry's clock (Redis's NOTOUCH). */
const struct entry *keyspace_peek_locked(struct keyspace *,
	    struct ks_stripe *, const struct ks_key *, int64_t now_ms);

/*
 * Put a copy of key src (in stripe `from') under the name dst (in stripe
 * `to', both locked), with its type tag (or `tag' when it is not -1),
 * value and expiry, replacing what dst held; and delete src unless
 * `keep'.  1 done, 0 no such src, -1 ENOMEM (nothing changed).  A move
 * (!keep) is one change even across stripes: a process killed anywhere
 * in it leaves the value under exactly one of the two names.  A move
 * hands a value's chunks (a list's nodes) to the new name as they are; a
 * copy copies them.
 */
int	 keyspace_copy_locked(struct keyspace *, struct ks_stripe *from,
	    const struct ks_key *src, struct ks_stripe *to,
	    const struct ks_key *dst, int64_t now_ms, int keep, int tag);

/*
 * Insert or replace the key with a new value and expiry
 * (KEYSPACE_NO_EXPIRE for none).  0, or -1 with errno ENOMEM when the
 * arena is full (then nothing changed).
 */
int	 keyspace_put_locked(struct keyspace *, struct ks_stripe *,
	    const struct ks_key *, uint8_t type, const void *val, size_t vlen,
	    int64_t expire_ms);

/* Delete the key: 1 when it existed, 0 when not. */
int	 keyspace_delete_locked(struct keyspace *, struct ks_stripe *,
	    const struct ks_key *);

/*
 * Set (expire_ms >= 0) or clear (KEYSPACE_NO_EXPIRE) the expiry of an
 * existing key: 1 done, 0 no such key (or, when clearing, no expiry),
 * -1 ENOMEM.
 */
int	 keyspace_set_expire_locked(struct keyspace *, struct ks_stripe *,
	    const struct ks_key *, int64_t expire_ms);

/* The same, each under its own lock. */
int	 keyspace_put(struct keyspace *, unsigned db, const void *key,
	    size_t klen, uint8_t type, const void *val, size_t vlen,
	    int64_t expire_ms);
int	 keyspace_delete(struct keyspace *, unsigned db, const void *key,
	    size_t klen);
int	 keyspace_set_expire(struct keyspace *, unsigned db, const void *key,
	    size_t klen, int64_t expire_ms, int64_t now_ms);

/*
 * Copy the value of a live key into buf (at most cap bytes; *vlen gets the
 * full length).  1 found, 0 not found.  *expire_ms (may be NULL) gets the
 * expiry or KEYSPACE_NO_EXPIRE; *type (may be NULL) the type tag.
 */
int	 keyspace_get(struct keyspace *, unsigned db, const void *key,
	    size_t klen, int64_t now_ms, void *buf, size_t cap, size_t *vlen,
	    int64_t *expire_ms, uint8_t *type);

/* Called with the stripe locked, for each entry visited. */
typedef void	(*keyspace_visit_fn)(const struct entry *, void *arg);

/*
 * Visit one random live key of the database: 1 when one was visited, 0
 * when the database is empty.
 */
int	 keyspace_random(struct keyspace *, unsigned db, int64_t now_ms,
	    keyspace_visit_fn, void *arg);

/*
 * One step of a scan: visits the live keys of one bucket (of both tables
 * while the stripe rehashes) and returns the next cursor; 0 when the scan
 * is complete.  Every key present for the whole scan is visited at least
 * once, even across rehashes (the reverse-binary cursor of Redis's dict,
 * within each stripe).
 */
uint64_t keyspace_scan(struct keyspace *, unsigned db, uint64_t cursor,
	    int64_t now_ms, keyspace_visit_fn, void *arg);

/*
 * Visit every live key of stripe s (0 to keyspace_stripes() - 1) of the
 * database, each once, under that stripe's lock, held for the whole
 * stripe: a walk of s = 0, 1, ... sees each stripe as it was at one
 * moment, but not the database as a whole.  An empty stripe costs one
 * unlocked read.  fn must not change the stripe.
 */
void	 keyspace_visit_stripe(struct keyspace *, unsigned db, uint32_t s,
	    int64_t now_ms, keyspace_visit_fn, void *arg);

/* Delete every key of the database. */
void	 keyspace_flush(struct keyspace *, unsigned db);
/* Delete every key of every database (FLUSHALL, a failed load). */
void	 keyspace_flush_all(struct keyspace *);

/*
 * Active expiry: look at up to `budget' keys of stripe s of the database
 * (and up to ten times as many empty buckets), from where the last sweep
 * of that stripe stopped, deleting those whose time has passed.  Returns
 * the keys deleted; *visited gets the keys looked at.  A stripe with no
 * expiring key costs one unlocked read.
 */
unsigned keyspace_expire_sweep(struct keyspace *, unsigned db, uint32_t s,
	    int64_t now_ms, unsigned budget, unsigned *visited);

/*
 * Changes this process found half done when it took a stripe whose holder
 * had died: undone (*back) or finished (*forward).
 */
void	 keyspace_repair_counts(uint64_t *back, uint64_t *forward);

/* Keys this process deleted because their time had passed, lazily or not. */
uint64_t keyspace_expired_keys(void);

/* Idle seconds of an entry by its clock (LRU mode; minute granularity). */
long long entry_idle_seconds(const struct entry *);

/* Visit every stripe's lock, of every database, without taking them. */
void	 keyspace_for_each_lock(struct keyspace *, lock_visit_fn, void *arg);
/*
 * Give an existing key the clock of a key just made (RESTORE): a fresh
 * access, or the initial LFU count; or, when the clock keeps time and
 * idle_s >= 0, that many seconds idle (to the minute below); or, when it
 * counts accesses and freq >= 0, that count.  Like every clock update, a
 * hint stored under the stripe lock without an intent.
 */
void	 keyspace_set_clock_locked(struct keyspace *, struct ks_stripe *,
	    const struct ks_key *, long long idle_s, int freq);

/* Keys and keys with an expiry in the database (a racy sum). */
void	 keyspace_count(struct keyspace *, unsigned db, uint64_t *keys,
	    uint64_t *expires);
/* Keys of every database (a racy sum). */
uint64_t keyspace_count_all(struct keyspace *);

/*
 * For values made of more than their entry (value.h): a change of such a
 * value that touches several chunks under one stripe lock.
 *
 * keyspace_garbage_alloc_locked() reserves a chunk of `size' bytes and
 * links it, through its first word, at the head of the stripe's garbage
 * chain, where a death before it is published gets it freed (by repair).
 * The chunks so built are published either by keyspace_put_adopt_locked()
 * (a put whose value owns the whole garbage chain) or by an intent opened
 * with keyspace_begin_locked(), whose stores include one to
 * *keyspace_garbage_word() (what the garbage holds afterwards: nothing,
 * or the chunks the change unlinked), closed by keyspace_commit_locked(),
 * which then frees what the garbage holds.  keyspace_garbage_drain_locked()
 * frees it all, one chunk per intent (after a failed build, say).
 */
int	 keyspace_garbage_alloc_locked(struct keyspace *, struct ks_stripe *,
	    size_t size, aoff_t *out);
aoff_t	 keyspace_garbage_locked(const struct ks_stripe *);
uint32_t *keyspace_garbage_word(struct ks_stripe *);
void	 keyspace_garbage_drain_locked(struct keyspace *, struct ks_stripe *);
struct intent *keyspace_begin_locked(struct keyspace *, struct ks_stripe *);
void	 keyspace_commit_locked(struct keyspace *, struct ks_stripe *);
int	 keyspace_put_adopt_locked(struct keyspace *, struct ks_stripe *,
	    const struct ks_key *, uint8_t type, const void *val, size_t vlen,
	    int64_t expire_ms);

/*
 * The rider: one more store, *word = val, that the next change of a
 * key's entry under this handle (a put, a delete, or an intent opened by
 * keyspace_begin_locked()) records in its own intent, so that it is
 * published with that change or not at all.  A blocked client's record
 * says "this element is mine" with it, in the very intent that takes the
 * element out of its list (blocking.h).  The intents of the keyspace's
 * own housekeeping (rehash, resize, garbage) never carry it.
 * keyspace_rider_pending() is 1 until a change took it; clear it with
 * keyspace_rider(ks, NULL, 0).
 */
void	 keyspace_rider(struct keyspace *, uint32_t *word, uint32_t val);
int	 keyspace_rider_pending(const struct keyspace *);

/*
 * For the blocked clients' registry (blocking.c): the head of the
 * stripe's chain of waiter links (protected by the stripe lock, changed
 * through the stripe's intent); a stripe's number among all stripes of
 * the arena, and the stripe of a number, locked; the logical database a
 * locked stripe serves.
 */
uint32_t *keyspace_waiters_word(struct ks_stripe *);
uint32_t keyspace_stripe_id(const struct keyspace *, const struct ks_stripe *);
uint32_t keyspace_stripe_count(const struct keyspace *);
struct ks_stripe *keyspace_lock_stripe_id(struct keyspace *, uint32_t id);
unsigned keyspace_stripe_db(const struct keyspace *, const struct ks_stripe *);

/*
 * For snapshots (snapshot.h).  Every way of taking stripe locks above
 * first lets the running snapshot, if any, serialize the stripes it has
 * not covered yet, once all of the command's stripes are held, so that a
 * command falls wholly before or wholly after the snapshot's cut.
 *
 * keyspace_snap_word(): the generation a locked stripe's contents were
 * last serialized for.  keyspace_stripe_visit_locked(): every entry of a
 * locked stripe, expired or not.  keyspace_trylock_stripe_id(): the
 * stripe of a number, locked (and repaired if its holder died), or NULL
 * when it is busy; no snapshot work is done.  keyspace_changes(): the
 * changes of keys since the arena was made, all stripes summed (racy).
 */
uint32_t *keyspace_snap_word(struct ks_stripe *);
void	 keyspace_stripe_visit_locked(struct keyspace *, struct ks_stripe *,
	    keyspace_visit_fn, void *arg);
struct ks_stripe *keyspace_trylock_stripe_id(struct keyspace *, uint32_t id);
uint64_t keyspace_changes(const struct keyspace *);

/* Entry accessors. */
const char	*entry_key(const struct entry *, size_t *len);
const char	*entry_value(const struct entry *, size_t *len);
int64_t		 entry_expire(const struct entry *);
size_t		 entry_size(size_t klen, size_t vlen, int expires);

#endif /* HYDRA_KEYSPACE_H */
