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

#define KEYSPACE_DATABASES		16
#define KEYSPACE_STRIPES_LOG2		8
#define KEYSPACE_MAX_STRIPES_LOG2	16
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
	uint8_t		 e_clock;	/* LRU/LFU bits */
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

struct keyspace {
	struct arena		*ks_arena;
	struct ks_region	*ks_reg;
};

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

/* Lock the stripe of a key in database `db'. */
struct ks_stripe *keyspace_lock(struct keyspace *, unsigned db,
	    const struct ks_key *);
void	 keyspace_unlock(struct keyspace *, struct ks_stripe *);

/*
 * The stripe of a key, not locked, and the lock of a stripe got that way.
 * A command that locks several stripes takes each distinct one once (the
 * locks are not recursive) in ascending address order: the stripes of a
 * database are one array, so address order is stripe order.
 */
struct ks_stripe *keyspace_stripe(struct keyspace *, unsigned db,
	    const struct ks_key *);
void	 keyspace_lock_stripe(struct keyspace *, struct ks_stripe *);

/*
 * The live entry for a key, or NULL.  An entry whose expiry time has
 * passed (now_ms > expiry) is deleted on the way.  The pointer is valid
 * until the stripe changes or is unlocked.
 */
const struct entry *keyspace_find_locked(struct keyspace *,
	    struct ks_stripe *, const struct ks_key *, int64_t now_ms);

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

/* Delete every key of the database. */
void	 keyspace_flush(struct keyspace *, unsigned db);

/* Keys and keys with an expiry in the database (a racy sum). */
void	 keyspace_count(struct keyspace *, unsigned db, uint64_t *keys,
	    uint64_t *expires);

/* Entry accessors. */
const char	*entry_key(const struct entry *, size_t *len);
const char	*entry_value(const struct entry *, size_t *len);
int64_t		 entry_expire(const struct entry *);
size_t		 entry_size(size_t klen, size_t vlen, int expires);

#endif /* HYDRA_KEYSPACE_H */
