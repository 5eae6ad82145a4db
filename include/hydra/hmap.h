/*
 * hmap.h: the hash type in the arena, whatever its encoding.
 *
 * A small hash is packed (pack.h) in its entry's value bytes, after a
 * 32-bit count of its fields: field, value, field, value, ... in the
 * order the fields were first set (OBJ_HASH | OBJ_HASH_PACKED, Redis's
 * "listpack").  Redis 7.0 turns a hash into a hash table ("hashtable")
 * when a change leaves it more fields than hash-max-listpack-entries or
 * sets a field or a value longer than hash-max-listpack-value bytes, and
 * never back; hmap_wants_table() is that rule.
 *
 * The command layer sees fields and values only through this interface,
 * so that it does not care which encoding a hash has.  A packed hash
 * changes as a string does: the new entry replaces the old one in one
 * keyspace put, so a process killed anywhere leaves the old hash or the
 * new one; its conversion into a table is one change too.  A table
 * takes a change of several fields as one batch of dict.h's, so that a
 * process killed in it leaves every field old or every field new, and a
 * change that finds no memory changes none.
 *
 * Run by workers, tools and tests; every function wants the key's stripe
 * locked.  Bytes handed out point into the arena and stay valid until
 * the stripe changes or is unlocked.
 */
#ifndef HYDRA_HMAP_H
#define HYDRA_HMAP_H

#include <stddef.h>
#include <stdint.h>

#include "hydra/arena.h"
#include "hydra/dict.h"
#include "hydra/keyspace.h"

/* A field and its value. */
struct hmap_pair {
	const char	*hp_field;
	size_t		 hp_flen;
	const char	*hp_value;
	size_t		 hp_vlen;
};

/* Pairs in private memory (their bytes in the arena or in argv). */
struct hmap_vec {
	struct hmap_pair	*hv_p;
	size_t			 hv_n;
	size_t			 hv_cap;
};

void		 hmap_vec_init(struct hmap_vec *);
int		 hmap_vec_add(struct hmap_vec *, const char *field,
		    size_t flen, const char *value, size_t vlen);
void		 hmap_vec_free(struct hmap_vec *);
/* Add every pair of hash e, in its order.  0, or -1 ENOMEM. */
int		 hmap_vec_load(struct hmap_vec *, struct arena *,
		    const struct entry *e);

/* Fields of hash e. */
uint64_t	 hmap_count(struct arena *, const struct entry *e);

/* Look a field up: 1 found (*p filled), 0 not. */
int		 hmap_find(struct arena *, const struct entry *e,
		    const void *field, size_t flen, struct hmap_pair *p);

/*
 * Every pair of hash e, in its order: for a packed hash the order its
 * fields were first set, for a table its buckets' order.
 */
struct hmap_iter {
	const char	*hi_pos;	/* packed */
	const char	*hi_end;
	struct dict_iter hi_dict;	/* a table */
	int		 hi_table;
};

void		 hmap_iter_init(struct hmap_iter *, struct arena *,
		    const struct entry *e);
int		 hmap_iter_next(struct hmap_iter *, struct hmap_pair *);

/* A random pair of hash e, chosen by the caller's random number rnd. */
void		 hmap_random(struct arena *, const struct entry *e,
		    uint64_t rnd, struct hmap_pair *);

/*
 * One step of HSCAN from cursor: calls fn for some pairs and returns the
 * next cursor, 0 when done.  A packed hash is visited whole in one step,
 * whatever the cursor (as Redis scans a listpack).
 */
typedef void	(*hmap_scan_fn)(const struct hmap_pair *, void *arg);
uint64_t	 hmap_scan(struct arena *, const struct entry *e,
		    uint64_t cursor, hmap_scan_fn, void *arg);

/* Redis's OBJECT ENCODING of hash e: "listpack" or "hashtable". */
const char	*hmap_encoding(const struct entry *e);

/*
 * Would Redis 7.0 keep a hash of `count' fields, the longest field or
 * value set `longest' bytes, in a hash table rather than packed (under
 * object_limits)?
 */
int		 hmap_wants_table(uint64_t count, size_t longest);

/*
 * Set the pairs of v, one after the other (a field named twice takes the
 * last value), in the hash of key kk, whose entry is e (NULL: a new
 * hash); *added (may be NULL) gets the number of fields that were new.
 * A packed hash becomes a table when hmap_wants_table() says so of the
 * count it reaches and the longest field or value set.  The hash keeps
 * its expiry.  0, or -1 ENOMEM (nothing changed).
 */
int		 hmap_set_locked(struct keyspace *, struct ks_stripe *,
		    const struct ks_key *kk, const struct entry *e,
		    const struct hmap_vec *v, uint64_t *added);

/*
 * Delete the fields of v (their values unused) from the hash of key kk,
 * whose entry is e; *deleted gets how many were there.  The key goes with
 * its last field, as Redis deletes an emptied hash.  0, or -1 ENOMEM
 * (nothing changed).
 */
int		 hmap_delete_locked(struct keyspace *, struct ks_stripe *,
		    const struct ks_key *kk, const struct entry *e,
		    const struct hmap_vec *v, uint64_t *deleted);

/*
 * Make key kk the hash of v's pairs (fields distinct, at least one), with
 * expiry expire_ms, replacing what kk held: a table when `table', else
 * packed, whatever hmap_wants_table() says (RESTORE keeps a packed hash
 * packed as Redis 7.0 does on load).  One change.  0, or -1 ENOMEM
 * (nothing changed).
 */
int		 hmap_write_locked(struct keyspace *, struct ks_stripe *,
		    const struct ks_key *kk, const struct hmap_vec *v,
		    int table, int64_t expire_ms);

struct check;
/*
 * Check packed hash e (reached from db, stripe), whose layout is sound:
 * no field is in it twice.
 */
void		 hmap_check(struct check *, const struct entry *e,
		    unsigned db, uint32_t stripe);

#endif /* HYDRA_HMAP_H */
