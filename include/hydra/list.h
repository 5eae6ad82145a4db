/*
 * list.h: the list type in the arena.
 *
 * A small list is packed (pack.h) in its entry's value bytes, after a
 * 32-bit element count (OBJ_LIST | OBJ_LIST_PACKED).  A list that does not
 * fit one node under list-max-listpack-size is a chain (OBJ_LIST |
 * OBJ_LIST_CHAIN): the entry's value is a root (struct list_root, aligned
 * to 4 bytes inside the value) over a doubly linked chain of nodes, each
 * one chunk holding a packed array.  A node never changes once published
 * except for its links: a change builds new nodes for the run it touches
 * (in the stripe's garbage chain), then one intent splices them in, with
 * the neighbours' links, the root's counts and the retirement of the old
 * run as its stores (list.c tells the crash story).
 *
 * Redis 7.0 calls every list "quicklist", packed or not; the two
 * encodings here differ in memory only.
 *
 * Run by workers, tools and tests; every function wants the key's stripe
 * locked.
 */
#ifndef HYDRA_LIST_H
#define HYDRA_LIST_H

#include <stddef.h>
#include <stdint.h>

#include "hydra/arena.h"
#include "hydra/keyspace.h"

#define LIST_HEAD	0
#define LIST_TAIL	1

struct list_root {
	uint32_t	 lr_head;	/* aoff_t of the first node */
	uint32_t	 lr_tail;	/* aoff_t of the last node */
	uint32_t	 lr_count;	/* elements */
	uint32_t	 lr_nodes;
};

struct list_node {
	aoff_t		 ln_next;	/* first: the garbage link too */
	aoff_t		 ln_prev;
	uint32_t	 ln_count;	/* elements, at least one */
	uint32_t	 ln_bytes;	/* of packed elements that follow */
};

/* list-max-listpack-size: a node's limit (see list_fits()). */
void		 list_set_fill(int);
int		 list_fill(void);

/*
 * Do `count' elements of `bytes' packed bytes fit one node?  A negative
 * fill limits the bytes (-1: 4 KiB ... -5: 64 KiB), a positive one the
 * count (and the bytes to 8 KiB).  One element always fits.
 */
int		 list_fits(size_t bytes, size_t count);

/* Elements of a list entry. */
uint64_t	 list_length(struct arena *, const struct entry *);

/*
 * A walk over the elements, from the head or (reverse) from the tail,
 * starting `skip' elements in.  The bytes returned stay valid until the
 * stripe changes or is unlocked.
 */
struct list_iter {
	struct arena	*li_arena;
	const char	*li_start;	/* the packed array being walked */
	const char	*li_end;
	const char	*li_pos;	/* next element's start (or end) */
	aoff_t		 li_node;	/* its node; null when packed */
	int		 li_reverse;
};

void		 list_iter_init(struct list_iter *, struct arena *,
		    const struct entry *, uint64_t skip, int reverse);
int		 list_iter_next(struct list_iter *, const char **s,
		    size_t *len);

/* Element pointers in private memory, for the changes that rebuild. */
struct list_vec {
	size_t		  lv_n;
	size_t		  lv_cap;
	const char	**lv_ptr;
	size_t		 *lv_len;
};

void		 list_vec_init(struct list_vec *);
int		 list_vec_add(struct list_vec *, const char *, size_t);
void		 list_vec_free(struct list_vec *);
/* Init v with the arguments argv[from .. argc): 0, or -1 ENOMEM. */
int		 list_vec_args(struct list_vec *, int argc,
		    const char *const *argv, const size_t *argvlen, int from);
/* Add every element of the list (or of [from, to) when to > from). */
int		 list_vec_load(struct list_vec *, struct arena *,
		    const struct entry *, uint64_t from, uint64_t to);

/*
 * Make key kk the list of v's elements (delete it when there are none),
 * packed when they fit one node, else as a new chain, with expiry
 * expire_ms.  0, or -1 ENOMEM (nothing changed).
 */
int		 list_write_locked(struct keyspace *, struct ks_stripe *,
		    const struct ks_key *, const struct list_vec *,
		    int64_t expire_ms);

/*
 * Push v's elements, one after the other, at `where' of the list of key
 * kk, whose entry is e (NULL: a new list): LPUSH a b leaves b first.
 * 0, or -1 ENOMEM.
 */
int		 list_push_locked(struct keyspace *, struct ks_stripe *,
		    const struct ks_key *, const struct entry *, int where,
		    const struct list_vec *);

/* Remove `count' (at most the length) elements at `where'. */
int		 list_pop_locked(struct keyspace *, struct ks_stripe *,
		    const struct ks_key *, const struct entry *, int where,
		    uint64_t count);

/*
 * Replace element `index' (0 <= index < length) with s (replace), or
 * insert s before it (or after it, when `after'). 0, or -1 ENOMEM.
 */
int		 list_set_locked(struct keyspace *, struct ks_stripe *,
		    const struct ks_key *, const struct entry *,
		    uint64_t index, const char *s, size_t len);
int		 list_insert_locked(struct keyspace *, struct ks_stripe *,
		    const struct ks_key *, const struct entry *,
		    uint64_t index, int after, const char *s, size_t len);

/*
 * Move the element at `from' of the list to its `to' end (LMOVE of a
 * list onto itself).  A packed list changes in one step; a chain pushes
 * then pops, two changes, which a caller makes one with a transaction
 * (keyspace_multi_begin(), as LMOVE does).
 */
int		 list_rotate_locked(struct keyspace *, struct ks_stripe *,
		    const struct ks_key *, const struct entry *, int from,
		    int to);

/* value.h's hooks for lists. */
aoff_t		 list_chain(struct arena *, const struct entry *);
int		 list_copy_locked(struct keyspace *, struct ks_stripe *to,
		    const struct ks_key *dst, const struct entry *e);
/* The root of chain e, padded for a key of klen bytes, in buf. */
const void	*list_move_bytes(const struct entry *e, size_t klen,
		    char *buf, size_t *vlen);

#endif /* HYDRA_LIST_H */
