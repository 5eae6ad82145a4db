/*
 * intent.h: the one mutation pattern of the arena (reserve, fill, publish,
 * retire), as a small redo record that lives next to the data it changes.
 *
 * A writer, holding the lock that protects a structure and its intent:
 *   intent_begin()              the intent becomes ACTIVE;
 *   intent_alloc() ...          reserve new chunks (recorded in the intent
 *                               as they are allocated) and fill them;
 *   intent_store() ...          record the 32-bit stores that will publish
 *                               the change (a link, a table slot, a count);
 *   intent_retire() ...         record the chunks the change makes garbage;
 *   intent_commit()             READY: from here on the change happens. The
 *                               stores are applied, the retired chunks
 *                               freed, and the intent goes back to IDLE.
 * Or intent_abort() while ACTIVE, which frees what was reserved.
 *
 * If the writer dies, the next holder of the lock calls intent_repair():
 * ACTIVE rolls back (frees the reserved chunks), READY rolls forward
 * (re-applies every store, frees what is left of the retired chunks).
 * Stores are absolute values and frees clear their record, so repair can be
 * run again by a repairer that dies too.  Only the lock holder touches an
 * intent; it holds no pointers, only arena positions.
 */
#ifndef HYDRA_INTENT_H
#define HYDRA_INTENT_H

#include <stdint.h>

#include "hydra/arena.h"

/*
 * 8 stores: a list's node splice publishes both neighbours' links, the
 * new run's last link, the root's counts, the garbage chain and the end
 * of the run it unlinks (list.c).
 */
#define INTENT_MAX_STORES	8
#define INTENT_MAX_CHUNKS	2

enum intent_state {
	INTENT_IDLE,
	INTENT_ACTIVE,
	INTENT_READY
};

struct intent_store {
	uint64_t	 is_pos;	/* byte position of a u32 word */
	uint32_t	 is_val;
	uint32_t	 is_pad;
};

struct intent {
	uint32_t		 in_state;
	uint32_t		 in_nstores;
	struct intent_store	 in_store[INTENT_MAX_STORES];
	aoff_t			 in_new[INTENT_MAX_CHUNKS];
	aoff_t			 in_old[INTENT_MAX_CHUNKS];
};

void	 intent_init(struct intent *);
void	 intent_begin(struct intent *);

/*
 * Reserve a chunk of `size' bytes for the change and return its offset in
 * *out.  0, or -1 with errno ENOMEM (the caller then calls intent_abort).
 */
int	 intent_alloc(struct arena *, struct intent *, size_t size,
	    aoff_t *out);

/* Record the store *word = val, applied at commit. */
void	 intent_store(struct arena *, struct intent *, uint32_t *word,
	    uint32_t val);

/* Record a chunk to free at commit. */
void	 intent_retire(struct intent *, aoff_t old);

void	 intent_commit(struct arena *, struct intent *);
void	 intent_abort(struct arena *, struct intent *);

/*
 * Finish or undo what a dead lock holder left.  Returns 0 (the intent is
 * IDLE again), or -1 when the intent itself is damaged.  Sets *rolled to
 * -1 (rolled back), 1 (rolled forward) or 0 (nothing was in flight).
 */
int	 intent_repair(struct arena *, struct intent *, int *rolled);

#endif /* HYDRA_INTENT_H */
