/*
 * zset.h: the sorted-set type in the arena, behind an interface that
 * hides its encoding from the commands.
 *
 * A sorted set is packed (OBJ_ZSET | OBJ_ZSET_PACKED, Redis's "listpack")
 * in its entry's value bytes: a 32-bit count of members, then each member
 * and its score as two pack.h elements, the score as the 8 bytes of a
 * double, in order of score, then of member bytes (memcmp, the shorter
 * first when one is a prefix of the other).
 *
 * A sorted set above zset-max-listpack-entries or zset-max-listpack-value
 * takes the scalable encoding (OBJ_ZSET | OBJ_ZSET_INDEX, Redis's
 * "skiplist"): an ordered index of packed nodes under a directory, plus a
 * member table (zset_internal.h), where a score is found by member in
 * constant time and a rank, a score or a member in O(log n), and a range
 * of m members is walked in O(log n + m).  As in Redis, such a set keeps
 * that encoding when it shrinks; only a new value (a *STORE result, whose
 * vector says zv_fresh) is packed again when it fits.  The functions
 * below are the whole of what the commands know of a sorted set.
 *
 * Reads work on the entry in place.  A change of one member
 * (zset_set_locked()), of several (struct zset_batch) or of a run of
 * ranks (zset_remove_range_locked()) is one change of the set, in place
 * for an index; a new value goes through a struct zset_vec in private
 * memory: the members and scores (pointers into the entry, the command's
 * arguments or another locked entry), written as one put
 * (zset_write_locked()).  Either way a process killed anywhere leaves
 * the whole command done or not done.
 *
 * Run by workers, tools and tests; every function wants the key's stripe
 * locked (the vector's pointers are valid as long as what they point
 * into).
 */
#ifndef HYDRA_ZSET_H
#define HYDRA_ZSET_H

#include <stddef.h>
#include <stdint.h>

#include "hydra/keyspace.h"

/* One member and its score. */
struct zset_elem {
	const char	*ze_member;
	size_t		 ze_len;
	double		 ze_score;
};

/* A range of scores: min and max, each inclusive or exclusive. */
struct zset_range {
	double		 zr_min;
	double		 zr_max;
	int		 zr_minex;
	int		 zr_maxex;
};

/* One end of a range of members (Redis's ZRANGEBYLEX syntax). */
#define ZSET_LEX_INCL	0	/* "[x" */
#define ZSET_LEX_EXCL	1	/* "(x" */
#define ZSET_LEX_MIN	2	/* "-": below every member */
#define ZSET_LEX_MAX	3	/* "+": above every member */

struct zset_lexbound {
	int		 zb_kind;	/* ZSET_LEX_* */
	const char	*zb_s;
	size_t		 zb_len;
};

struct zset_lex {
	struct zset_lexbound zl_min;
	struct zset_lexbound zl_max;
};

/* Members of a sorted-set entry. */
uint64_t	 zset_card(const struct entry *);

/* Redis's name of the entry's encoding ("listpack", "skiplist"). */
const char	*zset_encoding(const struct entry *);

/* The score of a member: 1 found (*score set), 0 not. */
int		 zset_score(const struct entry *, const char *m, size_t len,
		    double *score);

/*
 * The rank of a member, counted from the lowest (or, when reverse, from
 * the highest), or -1 when it is not a member.
 */
int64_t		 zset_rank(const struct entry *, const char *m, size_t len,
		    int reverse);

/*
 * A walk over the members in order (reverse: from the highest).  The
 * bytes returned stay valid until the stripe changes or is unlocked.
 */
struct zset_iter {
	const char	*zi_start;	/* the packed pairs walked: the */
	const char	*zi_end;	/* entry's, or the index node's */
	const char	*zi_pos;
	int		 zi_reverse;
	const void	*zi_dir;	/* the index's directory, or NULL */
	struct arena	*zi_arena;
	uint32_t	 zi_node;	/* the node walked */
};

/* Start at rank `skip' from the chosen end. */
void		 zset_iter_init(struct zset_iter *, const struct entry *,
		    uint64_t skip, int reverse);
int		 zset_iter_next(struct zset_iter *, struct zset_elem *);

/*
 * One step of ZSCAN: visit the members of one or two buckets of an
 * index's member table (dict_scan(): every member present for the whole
 * scan is visited at least once), or every member of a packed set, and
 * return the next cursor (0: done).  fn must not change the set.
 */
uint64_t	 zset_scan(const struct entry *, uint64_t cursor,
		    void (*fn)(const struct zset_elem *, void *), void *arg);

/* Is the score range empty whatever the set (min > max, ...)? */
int		 zset_range_empty(const struct zset_range *);
int		 zset_score_gte_min(const struct zset_range *, double);
int		 zset_score_lte_max(const struct zset_range *, double);

/*
 * Start a walk at the first member in the score range (reverse: the
 * last), as Redis walks a packed set: 1, or 0 when none is in range.
 * The walk goes on past the range; the caller stops it with
 * zset_score_lte_max() (reverse: zset_score_gte_min()).
 */
int		 zset_iter_range(struct zset_iter *, const struct entry *,
		    const struct zset_range *, int reverse);

int		 zset_lex_empty(const struct zset_lex *);
int		 zset_lex_gte_min(const struct zset_lex *, const char *,
		    size_t);
int		 zset_lex_lte_max(const struct zset_lex *, const char *,
		    size_t);

/*
 * The same for a range of members.  Lex ranges mean something only when
 * every score is the same; otherwise the walk is Redis's walk of a packed
 * set: from the first member (in order) at or past min, on while at or
 * below max.
 */
int		 zset_iter_lex(struct zset_iter *, const struct entry *,
		    const struct zset_lex *, int reverse);

/* The order of sorted sets: by score, then member bytes. */
int		 zset_cmp(double as, const char *am, size_t alen, double bs,
		    const char *bm, size_t blen);

/* Members and scores in private memory, for changes and results. */
struct zset_vec {
	struct zset_elem	*zv_el;
	size_t			 zv_n;
	size_t			 zv_cap;
	char			*zv_own;	/* zset_vec_own()'s copy */
	int			 zv_fresh;	/* a new value (a *STORE's):
						   encoded by its size alone */
	int			 zv_packed_load; /* from a packed payload
						   (RESTORE): packed unless it
						   has too many members, as
						   Redis loads it */
};

void		 zset_vec_init(struct zset_vec *);
void		 zset_vec_free(struct zset_vec *);
/* Append (no order kept): 0, or -1 ENOMEM. */
int		 zset_vec_add(struct zset_vec *, const char *m, size_t len,
		    double score);
/* Every member of entry e (NULL: none), in order. */
int		 zset_vec_load(struct zset_vec *, const struct entry *);
/*
 * The n lowest members of entry e, from the lowest (the n highest, from
 * the highest, when `max'), in memory of the vector's own
 * (zset_vec_own()), so that they outlive a change of e: 0, or -1.
 */
int		 zset_vec_take(struct zset_vec *, const struct entry *e,
		    size_t n, int max);
/* Sort by score, then member. */
void		 zset_vec_sort(struct zset_vec *);
/* Sort by member bytes only (for merging sets by member). */
void		 zset_vec_sort_members(struct zset_vec *);
/* The index of a member, or -1 (a linear search). */
long		 zset_vec_find(const struct zset_vec *, const char *m,
		    size_t len);
/* Remove element i, keeping the order of the others. */
void		 zset_vec_remove(struct zset_vec *, size_t i);
/* Remove elements [from, to), keeping the order of the others. */
void		 zset_vec_remove_range(struct zset_vec *, size_t from,
		    size_t to);
/*
 * Insert into a vector kept sorted, at its place: 0, or -1 ENOMEM.  The
 * member must not be in it already.
 */
int		 zset_vec_insert(struct zset_vec *, const char *m, size_t len,
		    double score);
/*
 * Copy every member into memory of the vector's own, so that the vector
 * outlives what it pointed into (the entry a pop rewrites): 0, or -1.
 */
int		 zset_vec_own(struct zset_vec *);

/*
 * Make key kk the sorted set of v's elements, which must be sorted
 * (zset_vec_sort()) and distinct, with expiry expire_ms; delete it when v
 * is empty.  One put: the old value stays valid until it is done.  0, or
 * -1 ENOMEM (nothing changed).  This is where the encoding is chosen:
 * packed while the set is within the limits (object_limits) and kk is
 * not already an index (unless v is zv_fresh), else the index, built
 * whole and put in one change.  The keyspace's rider (keyspace.h), when
 * one is set, must go with the change that publishes the new set, never
 * with an earlier one: a blocking pop (zset_block.c) marks its waiter
 * served with it.
 */
int		 zset_write_locked(struct keyspace *, struct ks_stripe *,
		    const struct ks_key *, const struct zset_vec *,
		    int64_t expire_ms);

/*
 * Set member m of the sorted set of key kk (its entry e) to score, adding
 * it when it is not there; or delete it (1 deleted, 0 absent; the key
 * goes with its last member).  0 (or 1), or -1 ENOMEM (nothing changed).
 * One change either way: an index has only the nodes it touches copied
 * (zset_index.c), in time O(log n) plus its directory's n/128 slots; a
 * packed set is rewritten by zset_write_locked().  e may not be used
 * after a delete.
 */
int		 zset_set_locked(struct keyspace *, struct ks_stripe *,
		    const struct ks_key *, const struct entry *e,
		    const char *m, size_t len, double score);
int		 zset_delete_locked(struct keyspace *, struct ks_stripe *,
		    const struct ks_key *, const struct entry *e,
		    const char *m, size_t len);

/*
 * A change of several members of one sorted set, made as one change:
 * gathered in private memory (each member's score as the change leaves
 * it is read back with zset_batch_score(), so that a command sees its
 * own earlier arguments), then applied by zset_batch_apply_locked().  An
 * index has only the nodes the change touches copied, and its member
 * table changed by one staged operation a member, in one intent
 * (zset_index.c), for up to ZSET_BATCH_MAX members (zset_internal.h);
 * a bigger change, or one of a packed set, rewrites the set whole
 * (zset_write_locked()).  The members' bytes must stay valid until the
 * batch is applied.
 */
struct zset_change {
	const char	*zc_m;
	size_t		 zc_len;
	double		 zc_old;	/* its score before, when zc_had */
	double		 zc_score;	/* its score after, when zc_put */
	int		 zc_had;
	int		 zc_put;
};

struct zset_batch {
	const struct entry	*zb_e;
	struct zset_change	*zb_ch;		/* members named, in order */
	size_t			 zb_n;
	size_t			 zb_cap;
	uint32_t		*zb_index;	/* hash of zb_ch's place + 1 */
	size_t			 zb_mask;
	uint64_t		 zb_card;	/* members after */
};

/* A batch on set e (its key's stripe locked). */
void		 zset_batch_init(struct zset_batch *, const struct entry *e);
void		 zset_batch_free(struct zset_batch *);
/* The member's score as the batch leaves it: 1 (*score set), 0 none. */
int		 zset_batch_score(const struct zset_batch *, const char *m,
		    size_t len, double *score);
/* Set (or add) a member, or delete it: 0, or -1 ENOMEM. */
int		 zset_batch_set(struct zset_batch *, const char *m,
		    size_t len, double score);
int		 zset_batch_delete(struct zset_batch *, const char *m,
		    size_t len);
/*
 * Make the batch's changes to key kk (the key goes with its last
 * member), as one change: 0, or -1 ENOMEM (nothing changed).  The
 * batch's entry may not be used afterwards, nor the batch but to free
 * it.  A member set to the score it had is left as it is.
 */
int		 zset_batch_apply_locked(struct keyspace *, struct ks_stripe *,
		    const struct ks_key *, struct zset_batch *);

/*
 * Remove the members of ranks [from, to) of the sorted set of key kk
 * (its entry e), the key with them when none is left, as one change: an
 * index of up to ZSET_BATCH_MAX members removed drops the nodes wholly
 * inside the run and copies the two at its ends (zset_index.c); else the
 * set is rewritten whole.  0, or -1 ENOMEM (nothing changed).  e may not
 * be used afterwards.
 */
int		 zset_remove_range_locked(struct keyspace *, struct ks_stripe *,
		    const struct ks_key *, const struct entry *e,
		    uint64_t from, uint64_t to);

/*
 * Redis's text of a score as a packed set keeps it (d2string()): an
 * integer in (-2^52, 2^52) without decimals, "-0", "inf", else "%.17g".
 * buf has room for ZSET_SCORE_MAX bytes; the length.
 */
#define ZSET_SCORE_MAX	32
size_t		 zset_score_text(char *buf, double);

/*
 * Is value v (of vlen bytes) a sound packed sorted set?  NULL, or what is
 * wrong with it.
 */
const char	*zset_check_packed(const char *v, size_t vlen);

/* value.h's hooks for the index: its chain, COPY, the checker. */
aoff_t		 zset_chain(struct arena *, const struct entry *);
int		 zset_copy_locked(struct keyspace *, struct ks_stripe *to,
		    const struct ks_key *dst, const struct entry *e);
struct check;
void		 zset_check_index(struct check *, const struct entry *,
		    unsigned db, uint32_t stripe);

#endif /* HYDRA_ZSET_H */
