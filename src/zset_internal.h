/*
 * zset_internal.h: the layout of a sorted set's scalable encoding
 * (OBJ_ZSET | OBJ_ZSET_INDEX), for zset.c, zset_index.c and the checker
 * only.
 *
 * The entry's value is struct zset_ref: the member table's root (a dict,
 * dict.h: member -> the 8 bytes of its score), first, so that the dict's
 * functions read it from the entry as they read a hash's; then the
 * index's root, a chunk of one word that never moves and names the
 * directory (a change replaces the directory with one store there).  The index is a run of nodes, each a chunk holding
 * up to ZSET_NODE_PAIRS members and scores packed as in a packed set
 * (pack.h: member, score, member, score, ...) in order; the directory
 * names the nodes in order with the members before each, so that a rank
 * is found by binary search over the directory and a score or member by
 * binary search over the nodes' ends.
 *
 * One chain through the first word of every chunk holds the whole value:
 * the index's root, the directory, the nodes in order, then the member
 * table's root and its chunks (whose own chain, next and prev words,
 * ends the value's).  A change of members replaces the nodes it
 * touches (a node grown past its bounds splits, one emptied goes), the
 * directory and the table's nodes of those members, in one intent
 * (zset_index.c).
 *
 * Pure functions on arena memory; the caller holds the key's stripe lock.
 */
#ifndef HYDRA_ZSET_INTERNAL_H
#define HYDRA_ZSET_INTERNAL_H

#include <string.h>

#include "hydra/arena.h"
#include "hydra/object.h"
#include "hydra/zset.h"

/* Members a node holds at most, and bytes it packs at most. */
#define ZSET_NODE_PAIRS		128
#define ZSET_NODE_BYTES		4096

/* The entry's value. */
struct zset_ref {
	aoff_t		 zf_table;	/* the member table's root */
	aoff_t		 zf_root;	/* the index's root, the chain's head */
};

/* The index's root: its chain word is the directory. */
struct zset_root {
	aoff_t		 zr_dir;
	uint32_t	 zr_pad;
};

/* A directory slot: a node and the members in the nodes before it. */
struct zset_dirent {
	aoff_t		 zde_node;
	uint32_t	 zde_before;
};

struct zset_dir {
	aoff_t		 zd_next;	/* the chain word */
	uint32_t	 zd_count;	/* members */
	uint32_t	 zd_nodes;
	uint32_t	 zd_pad;
	struct zset_dirent zd_ent[];
};

struct zset_node {
	aoff_t		 zn_next;	/* the chain word */
	uint32_t	 zn_count;	/* members, at least one */
	uint32_t	 zn_bytes;	/* of the packed pairs after it */
};

static inline int
zset_is_index(const struct entry *e)
{
	return (e->e_type == (OBJ_ZSET | OBJ_ZSET_INDEX));
}

static inline struct zset_ref
zset_ref(const struct entry *e)
{
	struct zset_ref	 r;
	size_t		 vlen;

	memcpy(&r, entry_value(e, &vlen), sizeof(r));
	return (r);
}

static inline const char *
zset_node_data(const struct zset_node *n)
{
	return ((const char *)(n + 1));
}

/* zset_index.c: the index's part of zset.h's functions. */
struct arena	*zset_index_arena(const struct entry *);
const struct zset_dir *zset_index_dir(const struct entry *,
		    struct arena **);
int		 zset_index_score(const struct entry *, const char *,
		    size_t, double *);
int64_t		 zset_index_rank(const struct entry *, const char *,
		    size_t);
void		 zset_index_iter_init(struct zset_iter *,
		    const struct entry *, uint64_t skip, int reverse);
int		 zset_index_iter_step(struct zset_iter *);
void		 zset_index_iter_seek(struct zset_iter *,
		    int (*)(const void *, const struct zset_elem *),
		    const void *arg);

/*
 * The most members one change of an index takes in place: 1024 keep its
 * intent's overflow record (intent.h) near 100 KiB, about 5 stores and 4
 * chunk records a member, within one slab page, and its work (k log n,
 * the touched nodes, the directory's n/128 slots) well below a rewrite
 * of the whole set, for which a bigger change is left (zset.c).
 */
#define ZSET_BATCH_MAX	1024

/*
 * Change n distinct members of the index of entry e (each as
 * struct zset_change says: zc_old its score when zc_had, zc_score its
 * new one when zc_put), or remove the members of ranks [from, to), as
 * one intent of the stripe that copies only the nodes it touches (a
 * node wholly inside the removed ranks goes without a copy), writes a
 * new directory and changes the member table by as many staged
 * operations.  The set must keep a member.  0, or -1 ENOMEM or EFBIG
 * (nothing changed).  ch must stay valid until it returns.
 */
int		 zset_index_change_locked(struct keyspace *,
		    struct ks_stripe *, const struct entry *,
		    const struct zset_change *ch, size_t n);
int		 zset_index_remove_locked(struct keyspace *,
		    struct ks_stripe *, const struct entry *, uint64_t from,
		    uint64_t to);
int		 zset_index_write_locked(struct keyspace *, struct ks_stripe *,
		    const struct ks_key *, const struct zset_vec *,
		    int64_t expire_ms);

#endif /* HYDRA_ZSET_INTERNAL_H */
