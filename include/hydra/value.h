/*
 * value.h: what the keyspace and its checker need to know about values
 * beyond their entry's bytes, whatever their type.
 *
 * A value may own chunks besides its entry (a large list's nodes; a hash
 * or set table's root, segments and nodes, dict.h).  Those
 * chunks form a chain linked through the first word (an aoff_t) of each,
 * so that the keyspace can hand them to its stripe's garbage chain in the
 * same intent that unlinks or replaces the entry, and free them after
 * (keyspace.h, keyspace_garbage_*).  A type whose value owns no chunk
 * needs nothing here.
 *
 * Run by workers, tools and tests, with the entry's stripe locked.
 */
#ifndef HYDRA_VALUE_H
#define HYDRA_VALUE_H

#include <stdint.h>

#include "hydra/arena.h"
#include "hydra/keyspace.h"

struct check;

/* The first chunk the value of entry e owns besides it, or AOFF_NULL. */
aoff_t	 value_chain(struct arena *, const struct entry *);

/*
 * The arena bytes entry e takes: the usable size of its own chunk and of
 * every chunk of its value's chain (MEMORY USAGE).
 */
size_t	 value_memory(struct arena *, const struct entry *);

/*
 * keyspace_copy_locked() for a value with a chain (COPY): put a deep copy
 * of entry e's value under dst, whose stripe `to' is locked (e's too).
 * 0, or -1 ENOMEM (nothing changed).
 */
int	 value_copy_locked(struct keyspace *, struct ks_stripe *to,
	    const struct ks_key *dst, const struct entry *e);

/*
 * The value bytes that an entry for a key of klen bytes holds when it
 * takes over entry e's value, chunks and all (a rename): e's own bytes,
 * or, for a value laid out by where it lies in its entry (a list's root),
 * the same value laid out anew in buf, of VALUE_MOVE_MAX bytes.  *vlen
 * gets their length.
 */
#define VALUE_MOVE_MAX	32
const void *value_move_bytes(const struct entry *e, size_t klen,
	    char buf[VALUE_MOVE_MAX], size_t *vlen);

/*
 * Check the value of entry e (reached from db, stripe): its encoding is
 * sound, and every chunk it owns is marked reached.
 */
void	 value_check(struct check *, const struct entry *, unsigned db,
	    uint32_t stripe);

/* On a live arena, clear the marks value_check() set for entry e. */
void	 value_check_unmark(struct check *, const struct entry *);

#endif /* HYDRA_VALUE_H */
