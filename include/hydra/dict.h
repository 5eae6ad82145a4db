/*
 * dict.h: the arena hash table, the large ("hashtable") encoding of
 * hashes and sets (tags OBJ_HASH | OBJ_HASH_TABLE, OBJ_SET | OBJ_SET_TABLE)
 * and the member table of sorted sets.
 *
 * A table holds pairs: a field and a value, both byte strings (a set's
 * members have empty values).  It is linear hashing over packed bucket
 * nodes:
 *
 *   - the entry's value is the 4-byte offset of the table's root chunk
 *     (struct dict_root: pair and bucket counts, the hash seed, the slots
 *     of the first DICT_SEG0_BUCKETS buckets and the directory of
 *     segments), 128 bytes;
 *   - segment k >= 1 is one chunk of the slots of DICT_SEG0_BUCKETS <<
 *     (k - 1) buckets, those from DICT_SEG0_BUCKETS << (k - 1) on; a slot
 *     is the offset of the bucket's node, or null when it is empty;
 *   - a node (struct dict_node) is one chunk holding every pair of its
 *     bucket, packed (pack.h) as field, value, field, value, ...
 *
 * With N buckets and 2^L <= N < 2^(L+1), a field whose hash is h lives in
 * bucket h mod 2^(L+1), or h mod 2^L when the former is N or more.  The
 * table grows one bucket at a time: splitting bucket N - 2^L into itself
 * and bucket N rewrites one node into at most two, so no step touches more
 * than one bucket's pairs; it shrinks the same way.  The load (pairs per
 * bucket) stays near DICT_LOAD, up to DICT_MAX_BUCKETS buckets (64 Mi
 * pairs); beyond, it grows with the pairs.
 *
 * Every chunk of a table (root, segments, nodes) is on one chain linked
 * through its first two words, next then prev, starting at the root, so
 * that the keyspace can release a whole table by handing the chain to the
 * stripe's garbage (value.h).  A change builds the new node(s) off to the
 * side and publishes them with one intent of absolute 32-bit stores (the
 * chain links around them, their bucket slots, the counts), retiring the
 * nodes they replace; a batch of changes to many fields does the same
 * for every bucket it touches, in one intent: dict.c tells the crash
 * story.
 *
 * Run by workers, tools and tests; every function wants the key's stripe
 * locked (both stripes, for a copy).
 */
#ifndef HYDRA_DICT_H
#define HYDRA_DICT_H

#include <stddef.h>
#include <stdint.h>

#include "hydra/arena.h"
#include "hydra/keyspace.h"

struct intent;

/* Pairs per bucket the table keeps to: it splits a bucket above this. */
#define DICT_LOAD		4
/* Buckets whose slots the root holds; segment k >= 1 has 2^(k-1) times. */
#define DICT_SEG0_LOG2		2
#define DICT_SEG0_BUCKETS	(1U << DICT_SEG0_LOG2)
/* Segments in the directory: the root fills a 128-byte chunk. */
#define DICT_SEGS		22
/* The most buckets a table grows to: what the segments hold, 2^24. */
#define DICT_MAX_BUCKETS	(DICT_SEG0_BUCKETS << DICT_SEGS)

/*
 * The root chunk.  dr_next and dr_prev are the chain words every chunk of
 * a table begins with (dr_prev is always null: the root comes first).
 * Segment k >= 1 is dr_seg[k - 1]; those present are segments 1 to k,
 * where k is the number the buckets need, or the number bucket dr_buckets
 * (the next one to split in) needs:
 * a segment is allocated in a change of its own before the split that
 * first uses it, and freed in one after the merge that last did.  Every
 * word changes only through the stripe's intent.
 */
struct dict_root {
	aoff_t		 dr_next;
	aoff_t		 dr_prev;
	uint32_t	 dr_count;	/* pairs */
	uint32_t	 dr_buckets;	/* N, at least 1 */
	uint64_t	 dr_seed;	/* of the field hash, drawn at birth */
	aoff_t		 dr_slot0[DICT_SEG0_BUCKETS];	/* as a segment's */
	aoff_t		 dr_seg[DICT_SEGS];
};

/*
 * A segment: the chain words, then its bucket slots (aoff_t of a node, or
 * null).  Slots of buckets N and above (the root's too) are not read and
 * may hold anything.
 */
struct dict_seg {
	aoff_t		 ds_next;
	aoff_t		 ds_prev;
	aoff_t		 ds_slot[];
};

/*
 * A bucket's node: the chain words, then dn_count pairs (at least one)
 * packed in dn_bytes bytes.  Never changed once published except for its
 * chain words.
 */
struct dict_node {
	aoff_t		 dn_next;
	aoff_t		 dn_prev;
	uint32_t	 dn_count;
	uint32_t	 dn_bytes;
};

struct dict_pair {
	const char	*dp_field;
	size_t		 dp_flen;
	const char	*dp_value;
	size_t		 dp_vlen;
};

/* Is tag a table's (a hash's or a set's hashtable encoding)? */
int		 dict_is_table(uint8_t tag);

/* Pairs in the table of entry e. */
uint64_t	 dict_count(struct arena *, const struct entry *e);

/* Look a field up: 1 found (*p filled), 0 not. */
int		 dict_find(struct arena *, const struct entry *e,
		    const void *field, size_t flen, struct dict_pair *p);

/*
 * Make key kk (tag: OBJ_HASH|OBJ_HASH_TABLE, ...) a new table of the n
 * pairs (fields distinct; a field given twice keeps its last value), with
 * expiry expire_ms, replacing what kk held: the conversion from a packed
 * encoding, COPY, RESTORE.  The pairs may point into the value kk held.
 * n == 0 deletes the key.  0, or -1 ENOMEM (nothing changed).
 */
int		 dict_write_locked(struct keyspace *, struct ks_stripe *,
		    const struct ks_key *kk, uint8_t tag,
		    const struct dict_pair *pairs, size_t n,
		    int64_t expire_ms);

/*
 * Build a table of the n > 0 pairs (as dict_write_locked() does) in the
 * stripe's garbage chain, for a value that holds a table among other
 * chunks (a sorted set's member table): *root gets the root, which heads
 * the garbage chain; the table's chain ends where the garbage held
 * nothing before.  0, or -1 ENOMEM (the garbage drained).
 */
int		 dict_build_locked(struct keyspace *, struct ks_stripe *,
		    const struct dict_pair *pairs, size_t n, aoff_t *root);

/*
 * Set field to value in the table of key kk, whose entry is e: 1 added,
 * 0 replaced, -1 ENOMEM (nothing changed).  The table may grow by a
 * bucket afterwards (when that finds no memory, it stays as it is).
 * e stays valid: a change of the table never moves its entry.
 */
int		 dict_set_locked(struct keyspace *, struct ks_stripe *,
		    const struct ks_key *kk, const struct entry *e,
		    const void *field, size_t flen, const void *value,
		    size_t vlen);

/*
 * Delete a field: 1 deleted, 0 absent, -1 ENOMEM.  When the last pair
 * goes, the key goes too (as Redis deletes an emptied hash or set), and e
 * is no longer valid; otherwise it is.
 */
int		 dict_delete_locked(struct keyspace *, struct ks_stripe *,
		    const struct ks_key *kk, const struct entry *e,
		    const void *field, size_t flen);

/*
 * A batch: n changes of the table of key kk, whose entry is e, made as
 * one change, so that a process killed anywhere in it leaves the table
 * wholly before or wholly after.  Change i sets dc_field to dc_value, or
 * deletes it (dc_delete); the changes apply in order, and res[i] (res
 * may be NULL) gets what change i did as if it were alone at its turn:
 * 1 added or deleted, 0 replaced or absent.  Only the buckets the batch
 * touches get new nodes, all published by one intent (with an overflow
 * record, intent.h); a batch that touches more than half of the buckets
 * rewrites the table whole instead (as dict_write_locked() does, with the
 * table's own hash seed, so that a scan across it misses nothing).  Growing and
 * shrinking follow, a bucket per change.  0 done, 1 done and the table
 * emptied, so that the key is gone (e is no longer valid), -1 ENOMEM or
 * EFBIG (nothing changed; res may be filled all the same).
 */
struct dict_change {
	const void	*dc_field;
	size_t		 dc_flen;
	const void	*dc_value;
	size_t		 dc_vlen;
	int		 dc_delete;
};

int		 dict_batch_locked(struct keyspace *, struct ks_stripe *,
		    const struct ks_key *kk, const struct entry *e,
		    const struct dict_change *, size_t n, int *res);

/*
 * dict_batch_locked() as a part of a caller's change (a sorted set's
 * index and member table move together): record, in the stripe's open
 * intent `in', the touched buckets' new nodes (reserved there), the
 * stores that publish them, the new count and the nodes they retire, and
 * change nothing yet; never a rewrite of the whole table, and never one
 * that empties it (EINVAL).  It records at most DICT_STAGED_STORES(n)
 * stores and reserves and retires at most n chunks each, which the
 * caller makes room for (intent_reserve()).  The caller commits or
 * aborts the intent, then calls dict_rebalance_locked() for the splits or
 * merges the change may want.  0, or -1 ENOMEM, EFBIG or EINVAL (the
 * caller aborts).
 */
#define DICT_STAGED_STORES(n)	(3 * (n) + 1)

int		 dict_batch_staged(struct arena *, struct intent *in,
		    const struct entry *e, const struct dict_change *,
		    size_t n);
void		 dict_rebalance_locked(struct keyspace *, struct ks_stripe *,
		    const struct entry *e);

/*
 * Every pair, in table order (bucket by bucket).  The bytes stay valid
 * until the stripe changes or is unlocked; the table must not change
 * during the walk.
 */
struct dict_iter {
	struct arena		*di_arena;
	const struct dict_root	*di_root;
	uint32_t		 di_bucket;	/* next bucket to enter */
	const char		*di_pos;	/* in the current node */
	const char		*di_end;
};

void		 dict_iter_init(struct dict_iter *, struct arena *,
		    const struct entry *e);
int		 dict_iter_next(struct dict_iter *, struct dict_pair *);

/*
 * A random pair, from a caller's random 64-bit number (HRANDFIELD,
 * SRANDMEMBER, SPOP): close to uniform (a bucket and a place in it are
 * drawn, and drawn again when the place is empty).  The table must not
 * be empty.
 */
void		 dict_random(struct arena *, const struct entry *e,
		    uint64_t rnd, struct dict_pair *);

/*
 * One step of HSCAN/SSCAN: visit the pairs of one or two buckets (those
 * whose hashes agree with the cursor in their low bits) and return the
 * next cursor (0: done).  Every pair present for the whole scan is visited
 * at least once, even when the table grows or shrinks in between (the
 * reverse-binary cursor of Redis's dict); some may be visited twice after
 * a shrink.  fn must not change the table.
 */
uint64_t	 dict_scan(struct arena *, const struct entry *e,
		    uint64_t cursor, void (*fn)(const struct dict_pair *,
		    void *), void *arg);

/* value.h's hooks for tables. */
aoff_t		 dict_chain(struct arena *, const struct entry *e);
/* A deep copy of e's table under dst (COPY): 0, or -1 ENOMEM. */
int		 dict_copy_locked(struct keyspace *, struct ks_stripe *to,
		    const struct ks_key *dst, const struct entry *e);

struct check;
/*
 * Check the table of entry e (reached from db, stripe): its chain is
 * linked both ways, holds the root, exactly the segments the directory
 * names and the nodes the slots below N name, each marked reached once;
 * every node holds well-formed pairs that hash to its bucket, with no
 * field twice; the counts agree.
 */
void		 dict_check(struct check *, const struct entry *e,
		    unsigned db, uint32_t stripe);

#endif /* HYDRA_DICT_H */
