/*
 * set.h: the set type in the arena, whatever its encoding.
 *
 * A set of integers, at most set-max-intset-entries of them, is an
 * intset (intset.h) in its entry's value bytes (OBJ_SET | OBJ_SET_INTS).
 * Any other set is a hash table of members (OBJ_SET | OBJ_SET_TABLE),
 * which a set becomes when a member that is not an integer comes, or one
 * member too many, and stays while it lives, unless a command rebuilds
 * it whole (set_write_locked(): the STORE commands, SPOP of most of it),
 * which applies the rule afresh.  These are Redis's rules, so that OBJECT
 * ENCODING answers what Redis 7.0 answers.  A set is never empty: the
 * change that takes its last member deletes the key.
 *
 * The commands see members as bytes only, through the functions below;
 * an intset's members are written out in decimal on the way.
 *
 * Run by workers, tools and tests; every function wants the key's stripe
 * locked.  A change of an intset, and the conversion of an intset into a
 * table, is one keyspace put (or delete), so a process killed in it
 * leaves the set wholly old or wholly new.  A table (dict.h) takes the
 * members one command adds or removes (SADD or SREM of many, SPOP of a
 * few) in one batch, one change as well, which changes nothing when it
 * finds no memory.  SMOVE between two keys makes the add to the
 * destination and the removal from the source in one transaction of the
 * keyspace's (keyspace_multi_begin()).
 */
#ifndef HYDRA_SET_H
#define HYDRA_SET_H

#include <stddef.h>
#include <stdint.h>

#include "hydra/arena.h"
#include "hydra/dict.h"
#include "hydra/intset.h"
#include "hydra/keyspace.h"
#include "hydra/list.h"

/* Is entry e (a set) an intset? */
int		 set_is_ints(const struct entry *);

/* Members of set e. */
uint64_t	 set_count(struct arena *, const struct entry *);

/* Is s a member of set e? */
int		 set_contains(struct arena *, const struct entry *,
		    const char *s, size_t len);

/*
 * Every member of set e, in the encoding's order (an intset's: ascending).
 * The bytes returned are valid until the next call or until the stripe
 * changes.
 */
struct set_iter {
	const struct entry	*si_e;
	struct dict_iter	 si_dict;	/* a table's walk */
	const char		*si_v;		/* an intset's array */
	size_t			 si_vlen;
	size_t			 si_i;
	size_t			 si_n;
	char			 si_buf[INTSET_DIGITS];
};

void		 set_iter_init(struct set_iter *, struct arena *,
		    const struct entry *);
int		 set_iter_next(struct set_iter *, const char **s, size_t *len);

/*
 * A member of set e chosen at random, every member as likely, written to
 * *s and *len (an intset's in buf).
 */
void		 set_random(struct arena *, const struct entry *,
		    char buf[INTSET_DIGITS], const char **s, size_t *len);

/*
 * One step of SSCAN from cursor: call fn for the members it visits (one
 * or a few buckets of a table) and return the next cursor (0: done).  An
 * intset is visited whole in one step, whatever the cursor, as Redis
 * does.
 */
typedef void	 (*set_visit_fn)(const char *s, size_t len, void *arg);
uint64_t	 set_scan(struct arena *, const struct entry *,
		    uint64_t cursor, set_visit_fn, void *arg);

/*
 * Copies of members in private memory whose addresses stay put while
 * more are added (a command's results, taken before it changes a set).
 */
struct set_pool {
	struct set_pool_block	*sp_head;
	size_t			 sp_used;	/* of the head block */
	size_t			 sp_cap;
};

void		 set_pool_init(struct set_pool *);
/* A copy of s, or NULL (ENOMEM). */
const char	*set_pool_copy(struct set_pool *, const char *s, size_t len);
void		 set_pool_free(struct set_pool *);

/*
 * Put the members of v, made distinct, in the order that a set built of
 * them reports them: ascending numbers when it would be an intset (all
 * integers, few enough), else the order of their bytes.  *ints (may be
 * NULL) gets whether it would be an intset.  0, or -1 ENOMEM.
 */
int		 set_vec_normalize(struct list_vec *, int *ints);

/*
 * Add the members of v (duplicates allowed) to the set of key kk, whose
 * entry is e (NULL: a new set, with no expiry).  *added gets how many
 * were new.  An intset that takes a member that is not an integer, or
 * one member too many, becomes a table.  0, or -1 ENOMEM (nothing
 * changed).
 */
int		 set_add_locked(struct keyspace *, struct ks_stripe *,
		    const struct ks_key *, const struct entry *,
		    const struct list_vec *, uint64_t *added);

/*
 * Remove the members of v from set e of key kk, deleting the key when
 * none is left; *removed gets how many were members.  0, or -1 ENOMEM
 * (nothing changed).
 */
int		 set_remove_locked(struct keyspace *, struct ks_stripe *,
		    const struct ks_key *, const struct entry *,
		    const struct list_vec *, uint64_t *removed);

/*
 * Make key kk the set of v's members (distinct), replacing what it held,
 * with expiry expire_ms: an intset when every member is an integer and
 * there are few enough, else a hash table; no key when v is empty.  0,
 * or -1 ENOMEM (nothing changed).
 */
int		 set_write_locked(struct keyspace *, struct ks_stripe *,
		    const struct ks_key *, const struct list_vec *,
		    int64_t expire_ms);

#endif /* HYDRA_SET_H */
