/*
 * blocking.h: clients blocked on keys (BLPOP and the like), served across
 * workers through the arena.
 *
 * Each worker slot owns a pool of waiter records in the arena (struct
 * bl_waiter), one per client of that worker that is blocked; the pool
 * only grows, so a record is a record for the life of the arena and
 * another process may compare-and-swap its state word at any time.  A
 * blocked client's record is linked from the stripe of each key it waits
 * on, oldest first (struct bl_link, a chain from the stripe's
 * st_waiters).  A worker that makes a key ready (a push) calls
 * blocking_serve_locked() with the key's stripe locked: it claims the
 * oldest waiting record on that key (a compare-and-swap of its state
 * word, so that a client blocked on several keys is served once), puts
 * what it takes in a payload chunk of the record, takes it out of the
 * key in the same intent that marks the record served (the keyspace's
 * rider), and wakes the record's worker through its scoreboard pipe.
 * That worker replies and frees the payload; if it died first, its
 * successor in the slot gives the payload back to its key
 * (blocking_recover()).
 *
 * What a wait takes and how it is answered depends on its kind (struct
 * blocking_kind): lists or sorted sets.  The registry itself is
 * type-neutral.
 *
 * blocking.c tells the protocol and its crash story.
 */
#ifndef HYDRA_BLOCKING_H
#define HYDRA_BLOCKING_H

#include <stddef.h>
#include <stdint.h>

#include "hydra/arena.h"
#include "hydra/intent.h"
#include "hydra/keyspace.h"

#define BLOCKING_SLOTS		256	/* SB_WORKERS_MAX */

/* The state word of a record: ticket, state, claiming stripe. */
#define BL_FREE		0	/* in the pool, unused */
#define BL_WAITING	1	/* may be claimed */
#define BL_CLAIMED	2	/* a server holds the claim stripe's lock */
#define BL_TIMEOUT	3	/* unblocked: answer as a timeout */
#define BL_ERROR	4	/* unblocked: answer -UNBLOCKED */
#define BL_GONE		5	/* unblocked: no one to answer */

#define BL_WORD(ticket, state, stripe)					\
	((uint64_t)(stripe) << 35 | (uint64_t)(state) << 32 | (ticket))
#define BL_TICKET(w)	((uint32_t)(w))
#define BL_STATE(w)	((unsigned)((w) >> 32) & 7)
#define BL_STRIPE(w)	((uint32_t)((w) >> 35))

/*
 * A waiter record.  w_word is compare-and-swapped by anyone (the owner,
 * a server holding a stripe lock, CLIENT UNBLOCK); w_done and w_elem are
 * written by a server through the intent of the stripe it holds (the
 * claim stripe); the rest by the owner, through its slot's intent or
 * before the record is WAITING.  w_placed is written by whoever puts the
 * payload back into a list, through that list's stripe intent.
 */
struct bl_waiter {
	aoff_t		 w_next;	/* the slot's pool */
	uint32_t	 w_slot;	/* immutable: the owning slot */
	uint64_t	 w_word;
	uint32_t	 w_done;	/* the ticket once a payload is taken */
	uint32_t	 w_placed;	/* the ticket once it went back */
	aoff_t		 w_elem;	/* the payload chunk, or null */
	uint32_t	 w_kind;	/* BLOCKING_KIND_* */
	uint32_t	 w_db;
	uint32_t	 w_arg[2];	/* the kind's (end, count) */
};

/*
 * A payload chunk: what a server took for a record, with the key it
 * came from, so that it can go back there.
 */
struct bl_payload {
	uint32_t	 p_db;
	uint32_t	 p_klen;
	uint32_t	 p_len;		/* of the kind's bytes after the key */
	uint32_t	 p_count;	/* elements in them */
	uint32_t	 p_where;	/* the end they came from */
	uint32_t	 p_pad;
	/* key bytes, then the kind's bytes. */
};

/* A link of a stripe's waiter chain: the record waits on this key. */
struct bl_link {
	aoff_t		 l_next;
	aoff_t		 l_waiter;
	uint32_t	 l_ticket;
	uint32_t	 l_db;
	uint32_t	 l_klen;
	uint32_t	 l_pad;
	/* key bytes. */
};

/* One worker slot's pool; only its worker writes it. */
struct bl_slot {
	struct intent	 bs_intent;
	aoff_t		 bs_head;
	uint32_t	 bs_ticket;	/* the last ticket given */
} __attribute__((aligned(64)));

struct bl_region {
	uint32_t	 br_nslots;
	uint32_t	 br_pad[15];
	struct bl_slot	 br_slot[BLOCKING_SLOTS];
};

/* The kinds of waits; stored in records, so never renumbered. */
enum blocking_kind_id {
	BLOCKING_KIND_NONE,
	BLOCKING_KIND_LIST_POP,		/* BLPOP, BRPOP, BLMPOP */
	BLOCKING_KIND_LIST_MOVE,	/* BLMOVE, BRPOPLPUSH */
	BLOCKING_KIND_ZSET_POP,		/* BZPOPMIN, BZPOPMAX, BZMPOP */
	BLOCKING_KINDS
};

struct blocking;
struct client;

/*
 * What a kind of wait does.  bk_serve takes from entry e of key kk
 * (stripe st locked, e of type bk_type) for record w: it calls
 * blocking_hand_locked() with the payload, then removes the same from e;
 * 0, or -1 (nothing changed).  bk_return puts a payload back into key kk
 * (stripe locked; e its entry or NULL) with the rider set; 0 or -1.
 */
struct blocking_kind {
	int	 bk_type;		/* OBJ_* */
	int	(*bk_serve)(struct blocking *, struct ks_stripe *,
		    const struct ks_key *, const struct entry *,
		    struct bl_waiter *);
	int	(*bk_return)(struct keyspace *, struct ks_stripe *,
		    const struct ks_key *, const struct entry *,
		    const struct bl_payload *);
};

extern const struct blocking_kind *const blocking_kinds[BLOCKING_KINDS];

/* The kinds of lists (list_block.c). */
extern const struct blocking_kind blocking_list_pop;
extern const struct blocking_kind blocking_list_move;

/*
 * The kind of sorted sets (zset_block.c): w_arg[0] is 1 to pop from the
 * high end, w_arg[1] the count (0: one).  zset_block_decode() appends a
 * payload's members and scores to v, in the order they were popped: 0,
 * or -1 (ENOMEM, or EINVAL for bytes that are not a payload).
 */
extern const struct blocking_kind blocking_zset_pop;
struct zset_vec;
int	 zset_block_decode(const struct bl_payload *, struct zset_vec *v);

/* One process's handle: a worker's (slot >= 0) or a tool's (-1). */
struct blocking {
	struct keyspace		*bl_ks;
	struct bl_region	*bl_reg;
	int			 bl_slot;
	/* Wake worker `slot' (its scoreboard pipe); may be NULL. */
	void			(*bl_wake)(void *arg, int slot);
	void			*bl_wake_arg;
};

/* Module hooks for the arena's region directory. */
size_t	 blocking_shm_size(const struct arena_params *, size_t npages);
int	 blocking_shm_init(struct arena *, void *region,
	    const struct arena_params *);

/*
 * Bind a handle to the arena of ks for worker slot `slot' (or -1), and
 * make ks serve waiters through it.  0, or -1 (no blocking region).
 */
int	 blocking_open(struct blocking *, struct keyspace *, int slot);

static inline struct bl_waiter *
blocking_waiter(const struct blocking *b, aoff_t w)
{
	return (arena_ptr(b->bl_ks->ks_arena, w));
}

/*
 * Serve the waiters on key kk of database db (stripe st locked), oldest
 * first, while the key holds something they take.  Called after every
 * change that may have made the key ready; costs one load when no one
 * waits in the stripe.  Returns the waiters served.
 */
unsigned blocking_serve_locked(struct keyspace *, struct ks_stripe *,
	    unsigned db, const struct ks_key *);

/*
 * Serve every waiter whose key is ready, in every stripe (after SWAPDB,
 * which brings other keys under the waited-on names).
 */
void	 blocking_serve_all(struct keyspace *);

/*
 * For a kind's bk_serve: the payload of `count' elements taken from end
 * `where' of kk, as the kind's bytes (len of them), goes to record w in a
 * new chunk; and the keyspace's rider is set so that the change that
 * takes them out of the key marks w served.  0, or -1 ENOMEM.
 */
int	 blocking_hand_locked(struct blocking *, struct ks_stripe *,
	    const struct ks_key *, struct bl_waiter *, const void *bytes,
	    size_t len, uint32_t count, int where);

/* The payload of a record, or NULL, and its key and kind bytes. */
const struct bl_payload *blocking_payload(const struct blocking *,
	    const struct bl_waiter *);
const char *blocking_payload_key(const struct bl_payload *, size_t *len);
const char *blocking_payload_bytes(const struct bl_payload *, size_t *len);

/* Owner side: a wait of one of this worker's clients. */
struct blocking_wait {
	aoff_t		 bw_waiter;
	uint32_t	 bw_ticket;
	unsigned	 bw_db;
	size_t		 bw_nkeys;
	char		**bw_keys;	/* copies */
	size_t		*bw_lens;
	int		 bw_suspect;	/* seen claimed but not served */
};

/*
 * Begin a wait of kind `kind' (with its two arguments) on keys[0..n) of
 * database db, whose stripes the caller holds (all of them, taken
 * together): a record, its links.  0, or -1 ENOMEM (nothing is left
 * registered).
 */
int	 blocking_wait_locked(struct blocking *, struct blocking_wait *,
	    int kind, uint32_t arg0, uint32_t arg1, unsigned db,
	    const struct ks_key *keys, struct ks_stripe *const *sts,
	    size_t n);

/*
 * A blocked client, in its worker: the wait and how to answer it.
 * bc_deliver answers a served wait (the payload is the client's; it
 * calls blocking_delivered() or blocking_abandon() once the reply is
 * built), bc_timeout a wait that timed out; bc_free frees the whole.
 */
struct blocking_client {
	struct blocking_wait	 bc_wait;
	void			(*bc_deliver)(struct client *,
				    struct blocking_client *);
	void			(*bc_timeout)(struct client *);
	void			(*bc_free)(struct blocking_client *);
	long long		 bc_timeout_ms;	/* 0: for ever */
	long long		 bc_timer;	/* the worker's, or 0 */
};

/* What became of a wait, for its owner (blocking_poll()). */
enum blocking_outcome {
	BLOCKING_PENDING,	/* still waiting */
	BLOCKING_SERVED,	/* a payload is ours: deliver it */
	BLOCKING_TIMEOUT,	/* CLIENT UNBLOCK TIMEOUT, or our own */
	BLOCKING_ERROR		/* CLIENT UNBLOCK ERROR */
};

/*
 * Look at a wait: its outcome.  When `thorough' (the cron), a record
 * seen claimed but not served twice in a row has its claim stripe
 * taken: a live server holds that lock for as long as it holds the
 * claim, so a claim still there is a dead server's, which is undone
 * here (and the wait's keys served again).
 */
enum blocking_outcome blocking_poll(struct blocking *,
	    struct blocking_wait *, int thorough);

/*
 * End a wait that its owner wants over (`state' BL_TIMEOUT for a
 * timeout, BL_GONE for a client gone): the outcome, which may still be
 * BLOCKING_SERVED (a server was first; deliver, or when the client is
 * gone, blocking_abandon()), or the state CLIENT UNBLOCK chose.
 */
enum blocking_outcome blocking_cancel(struct blocking *,
	    struct blocking_wait *, unsigned state);

/*
 * The owner of a served wait, before it reads the payload: take and
 * release the claim stripe (whoever served has finished, repaired if it
 * died), then the payload.
 */
const struct bl_payload *blocking_take(struct blocking *,
	    struct blocking_wait *);

/*
 * After a served wait was delivered (the reply is in the client's
 * buffer): the payload is freed, the record freed, the links removed.
 * blocking_placed_rider() first sets the rider for a delivery that puts
 * the payload into a list (BLMOVE), which then commits it.
 */
void	 blocking_placed_rider(struct blocking *, struct blocking_wait *);
void	 blocking_delivered(struct blocking *, struct blocking_wait *);

/*
 * A served wait whose client is gone: the payload goes back to its key
 * (and serves that key's waiters), then as blocking_delivered().
 */
void	 blocking_abandon(struct blocking *, struct blocking_wait *);

/* End a wait that was not served (timeout, unblock): record, links. */
void	 blocking_finish(struct blocking *, struct blocking_wait *);

/* Free a wait's private memory. */
void	 blocking_wait_free(struct blocking_wait *);

/*
 * CLIENT UNBLOCK: make a waiting record of ticket `ticket' TIMEOUT or
 * ERROR and wake its worker.  1 when it was waiting, else 0.
 */
int	 blocking_unblock(struct blocking *, aoff_t w, uint32_t ticket,
	    unsigned state);

/*
 * A worker starting in its slot: finish what its predecessor left (the
 * slot's intent), then end every wait of its records, giving back every
 * payload not delivered.  Returns the payloads given back.
 */
unsigned blocking_recover(struct blocking *);

struct check;
/* The checker: the waiter chain of a stripe (under its lock), the pools. */
void	 blocking_check_stripe(struct check *, struct keyspace *,
	    struct ks_stripe *, unsigned db, uint32_t stripe);
void	 blocking_check_unmark_stripe(struct check *, struct keyspace *,
	    struct ks_stripe *);
void	 blocking_check(struct check *);

#endif /* HYDRA_BLOCKING_H */
