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
 * A change bigger than the intent itself (more than INTENT_MAX_STORES
 * stores or INTENT_MAX_CHUNKS chunks: a table changing many buckets at
 * once) first calls intent_reserve(), which gives the intent an overflow
 * record: one chunk (struct intent_more) with room for as many more
 * stores, reserved and retired chunks as the change announces, named by
 * the intent and read by its repair exactly as the intent's own records
 * are.  It is reserved through a record of the intent (in_morebuf), and
 * named (in_more) only once its counts are written, so that repair never
 * reads one half made; the tail of a commit or an abort drops the name
 * first, then frees the chunk.
 *
 * If the writer dies, the next holder of the lock calls intent_repair():
 * ACTIVE rolls back (frees the reserved chunks), READY rolls forward
 * (re-applies every store, frees what is left of the retired chunks).
 * Stores are absolute values and frees clear their record, so repair can be
 * run again by a repairer that dies too.  Only the lock holder touches an
 * intent; it holds no pointers, only arena positions.
 *
 * A change that spans several locks (a rename from one keyspace stripe to
 * another) is one intent per lock, each a part of one transaction record
 * (struct intent_xact) that lives in the arena, next to the first of those
 * locks, and holds one word: generation and state.  The writer, holding
 * every lock involved:
 *   intent_xact_begin()         the record gets a new generation, ACTIVE;
 *   intent_join() ...           each part's intent names the record (its
 *                               position and generation), then is ACTIVE
 *                               and filled as above;
 *   intent_xact_commit()        one store makes the record COMMITTED: the
 *                               commit point of the whole change.  Then
 *                               each part is rolled forward and lets go
 *                               of the record, which goes back to IDLE.
 * Or intent_xact_abort(), which rolls every part back.
 *
 * If the writer dies, each lock is repaired by its own next taker, who
 * holds that lock only: intent_repair() rolls the part forward if the
 * record it names is COMMITTED (same generation) and back otherwise, then
 * the part forgets the record.  A part decided forward says so in its own
 * state (READY) before it lets go of the record.  The record keeps no
 * count of its parts, so it can have any number: a part is pending while
 * its intent still names the record at its generation
 * (intent_xact_names()), and the record is begun again only when no
 * intent does (its keeper looks for them, and waits for their repair:
 * keyspace.c), so that no repairer ever reads a decision that is not its
 * own.
 *
 * Steps.  A part joined with intent_join_steps() takes every change its
 * lock sees until the transaction ends, each opened by intent_begin()
 * and closed by intent_commit() or intent_abort() as usual (so the code
 * that makes a change needs no other form): a step's stores are applied
 * at its commit, each with the word's old value logged, so that the next
 * step reads what the last one did; the chunks a step reserves and
 * retires are logged too, and none is freed before the transaction ends.
 * The log is a chain of chunks (struct intent_log) that grows as steps
 * need room.  Rolled back, a part writes the old values back, last first,
 * and frees what it reserved; rolled forward, it frees what it retired
 * (every store was applied already).  A step aborted frees its reserved
 * chunks and forgets its records; its stores, never applied, are voided.
 * A command that changes several keys under locks it holds at once is
 * thus one change, whatever its changes of each key are made of.
 */
#ifndef HYDRA_INTENT_H
#define HYDRA_INTENT_H

#include <stdint.h>

#include "hydra/arena.h"

/*
 * 8 stores: a list's node splice publishes both neighbours' links, the
 * new run's last link, the root's counts, the garbage chain and the end
 * of the run it unlinks (list.c).  A rename needs fewer: 5 within a
 * stripe (two links, two counts, the garbage), 3 in a part of one across
 * stripes.  A sorted set's index change needs up to 7 (its root, two
 * nodes' links, and its member table's node: two links, its slot, the
 * count), and a blocked client's rider may come on top: 12 leaves room.
 *
 * 6 chunks: that change reserves up to three index nodes (a member moved
 * from one node to another, which splits), the directory and a table
 * node, and retires as many (zset_index.c).
 */
#define INTENT_MAX_STORES	12
#define INTENT_MAX_CHUNKS	6

enum intent_state {
	INTENT_IDLE,
	INTENT_ACTIVE,
	INTENT_READY,
	INTENT_UNDONE		/* steps: stores written back, chunks to free */
};

struct intent_store {
	uint64_t	 is_pos;	/* byte position of a u32 word */
	uint32_t	 is_val;
	uint32_t	 is_pad;
};

/* The transaction record's word: generation and state. */
enum intent_xact_state {
	INTENT_XACT_IDLE,
	INTENT_XACT_ACTIVE,
	INTENT_XACT_COMMITTED
};

#define INTENT_XACT_GEN(w)	((uint32_t)((w) >> 32))
#define INTENT_XACT_STATE(w)	((uint32_t)((w) >> 8) & 0xff)
#define INTENT_XACT_WORD(gen, state)					\
	((uint64_t)(gen) << 32 | (uint64_t)(state) << 8)

/*
 * ix_word is written only by the holder of the lock it lives beside
 * (begin, commit, the end of a commit or an abort); the repairers of the
 * parts only read it.
 */
struct intent_xact {
	uint64_t	 ix_word;
};

/*
 * A step's log record: a store (the word's position, its new and old
 * values), a chunk reserved (NEW) or retired (OLD, in ir_val), or a store
 * voided by its step's abort.  The kind is in the low bits of ir_pos.
 */
#define INTENT_REC_STORE	0
#define INTENT_REC_NEW		1
#define INTENT_REC_OLD		2
#define INTENT_REC_VOID		3
#define INTENT_REC_KIND(r)	((unsigned)((r)->ir_pos & 3))

struct intent_rec {
	uint64_t	 ir_pos;	/* position | kind */
	uint32_t	 ir_val;	/* new value, or the chunk's aoff_t */
	uint32_t	 ir_old;	/* a store's old value */
};

/*
 * One chunk of a part's log.  lg_nextbuf reserves the next one, lg_next
 * names it once it is initialised; a record counts once lg_n covers it.
 */
struct intent_log {
	aoff_t			 lg_next;
	aoff_t			 lg_nextbuf;
	uint32_t		 lg_n;
	uint32_t		 lg_cap;
	struct intent_rec	 lg_rec[];
};

/*
 * The overflow record: im_cap stores, then im_chunks reserved and as many
 * retired chunk records.  Filled as the intent's own records are.
 */
struct intent_more {
	uint32_t		 im_nstores;
	uint32_t		 im_cap;	/* stores it has room for */
	uint32_t		 im_chunks;	/* room of each chunk list */
	uint32_t		 im_pad;
	struct intent_store	 im_store[];
	/* then aoff_t new[im_chunks], old[im_chunks] */
};

struct intent {
	uint32_t		 in_state;
	uint32_t		 in_nstores;
	uint64_t		 in_xpos;	/* byte position of the record
						   of which this is a part, or
						   0; written last on join */
	uint32_t		 in_xgen;	/* the record's generation */
	uint32_t		 in_steps;	/* a part taking steps */
	uint32_t		 in_step;	/* records before the open step */
	uint32_t		 in_stepopen;	/* a step is open */
	aoff_t			 in_log;	/* the steps' log, or null */
	aoff_t			 in_logbuf;	/* its reservation */
	aoff_t			 in_logtail;	/* hint: its last chunk (the
						   writer's; repair walks) */
	uint32_t		 in_logbase;	/* hint: records before it */
	struct intent_store	 in_store[INTENT_MAX_STORES];
	aoff_t			 in_new[INTENT_MAX_CHUNKS];
	aoff_t			 in_old[INTENT_MAX_CHUNKS];
	aoff_t			 in_more;	/* overflow, or null */
	aoff_t			 in_morebuf;	/* its reservation */
};

void	 intent_init(struct intent *);
void	 intent_begin(struct arena *, struct intent *);

/*
 * Reserve a chunk of `size' bytes for the change and return its offset in
 * *out.  0, or -1 with errno ENOMEM (the caller then calls intent_abort).
 */
int	 intent_alloc(struct arena *, struct intent *, size_t size,
	    aoff_t *out);

/*
 * Make room, in an overflow record, for nstores stores and nchunks
 * reserved and nchunks retired chunks beyond what the intent itself
 * holds; once per change, right after it began.  0, or -1 ENOMEM (the
 * caller then calls intent_abort).
 */
int	 intent_reserve(struct arena *, struct intent *, size_t nstores,
	    size_t nchunks);

/* Record the store *word = val, applied at commit. */
void	 intent_store(struct arena *, struct intent *, uint32_t *word,
	    uint32_t val);

/* Record a chunk to free at commit. */
void	 intent_retire(struct arena *, struct intent *, aoff_t old);
/* The same, in the overflow record once the intent's own are full. */
void	 intent_retire_any(struct arena *, struct intent *, aoff_t old);

void	 intent_commit(struct arena *, struct intent *);
void	 intent_abort(struct arena *, struct intent *);

/*
 * Finish or undo what a dead lock holder left.  Returns 0 (the intent is
 * IDLE again), or -1 when the intent itself is damaged.  Sets *rolled to
 * -1 (rolled back), 1 (rolled forward) or 0 (nothing was in flight).
 */
int	 intent_repair(struct arena *, struct intent *, int *rolled);

void	 intent_xact_init(struct intent_xact *);

/*
 * Does intent `in' name record x at generation gen (a part not yet
 * settled)?  Read without the intent's lock: a part's name is written
 * before it is joined and cleared last when it is settled.
 */
int	 intent_xact_names(struct arena *, const struct intent *,
	    const struct intent_xact *, uint32_t gen);

/* A new transaction on the record; no part of the last may be pending. */
void	 intent_xact_begin(struct intent_xact *);

/* Begin `in' as a part of the record's transaction; then fill it. */
void	 intent_join(struct arena *, struct intent *, struct intent_xact *);

/*
 * Begin `in' as a part that takes steps (see above), with a log of room
 * for about nrecs records to begin with.  0, or -1 ENOMEM (the intent is
 * left as it was).
 */
int	 intent_join_steps(struct arena *, struct intent *,
	    struct intent_xact *, size_t nrecs);

/* Commit, or roll back, the n parts joined, and release the record. */
void	 intent_xact_commit(struct arena *, struct intent_xact *,
	    struct intent **parts, unsigned n);
void	 intent_xact_abort(struct arena *, struct intent_xact *,
	    struct intent **parts, unsigned n);

#endif /* HYDRA_INTENT_H */
