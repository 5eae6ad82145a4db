/*
 * blocking.c: the registry of blocked clients in the arena, and the
 * hand-off of what a write makes ready to the oldest client waiting for
 * it, whichever worker that client is on (blocking.h).
 *
 * Run by workers (and tests).  Locks: the stripe lock of a key, taken by
 * the caller when it serves (a push holds it already) or here, one stripe
 * at a time, when a worker ends one of its own waits; through intents
 * the slab locks after it.  A worker's own pool is written without a
 * lock: only that worker writes it, through its slot's intent.
 *
 * The protocol.  A worker blocks a client with the stripes of all its
 * keys locked (so no push slips between "empty" and "waiting"): it takes
 * a FREE record of its pool, gives it a new ticket, makes it WAITING and
 * appends a link to it, with the ticket and the key, to the waiter chain
 * of each key's stripe.  A server (a worker that pushed, holding the
 * key's stripe) walks the chain oldest first and, for a link of its key
 * whose record is WAITING with the link's ticket, claims the record: a
 * compare-and-swap of the state word to CLAIMED with the number of the
 * stripe it holds.  A record waiting on several keys is claimed by one
 * server only, even when two servers hold two of its stripes.  The
 * server then puts what the wait takes in a payload chunk (one intent of
 * the stripe: the chunk and the record's w_elem), and takes it out of
 * the key in one intent that also stores the ticket into w_done (the
 * keyspace's rider): the element is in the key or in the payload, never
 * both, never neither.  Then it drops the link and writes the record's
 * worker's wake-up pipe.  If the take fails (no memory), the server
 * frees the payload and makes the record WAITING again.
 *
 * The owner, woken (or on its cron), sees CLAIMED with w_done equal to
 * the ticket: served.  Before it reads the payload it takes and releases
 * the claim stripe's lock (the barrier), so that a server that died right
 * after its stores has had its intent finished by repair, and nothing
 * writes the record any more.  It builds the reply, then frees the
 * payload through its slot's intent: that is the commit point of the
 * delivery.  A BLMOVE first pushes the element onto its destination in
 * an intent that stores the ticket into w_placed, then frees the payload.
 * Then the record is FREE again and its links are removed (a link whose
 * record is FREE or has another ticket is stale, and whoever walks the
 * chain drops it).
 *
 * A timeout, a disconnect or CLIENT UNBLOCK ends a wait by a
 * compare-and-swap from WAITING to TIMEOUT, GONE or ERROR; once it
 * succeeds no server can claim the record.  A wait found CLAIMED is
 * either being served (the server holds the claim stripe) or was claimed
 * by a server that died: the owner takes the claim stripe's lock; a claim
 * still there without w_done is a dead server's (the take was rolled
 * back by the stripe's repair), and the owner undoes it: it frees the
 * payload chunk and makes the record WAITING (then serves the wait's keys
 * of that stripe again, since the element is back) or ends it.
 *
 * Crash story.  A worker killed anywhere leaves: its slot's intent, which
 * its successor repairs first; records in any state, which the successor
 * ends (blocking_recover()): a payload taken (w_done) but not delivered
 * (w_elem still set) and not placed (w_placed) goes back to its key, at
 * the end it came from, in an intent that stores w_placed, and serves
 * that key's waiters; then the chunk is freed.  So an element handed to
 * a worker that died before it answered is back in its list, exactly
 * once.  A server killed anywhere leaves the stripe's intent, which the
 * next taker of the stripe repairs (the take and the served mark happen
 * together or not at all), and maybe a claim, which the owner undoes as
 * above.  Delivery commits when the reply is in the client's buffer: a
 * worker killed between that and the write loses the reply with the
 * connection, as Redis loses a reply left in a dead server's output
 * buffer; the element was the client's.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hydra/blocking.h"
#include "hydra/client.h"
#include "hydra/compat.h"
#include "hydra/crashpoint.h"
#include "hydra/log.h"
#include "hydra/object.h"

const struct blocking_kind *const blocking_kinds[BLOCKING_KINDS] = {
	[BLOCKING_KIND_LIST_POP] = &blocking_list_pop,
	[BLOCKING_KIND_LIST_MOVE] = &blocking_list_move,
	[BLOCKING_KIND_ZSET_POP] = &blocking_zset_pop,
};

/* Region. */

size_t
blocking_shm_size(const struct arena_params *ap, size_t npages)
{
	(void)ap;
	(void)npages;
	return (sizeof(struct bl_region));
}

int
blocking_shm_init(struct arena *a, void *region,
    const struct arena_params *ap)
{
	struct bl_region	*br = region;
	unsigned		 i;

	(void)a;
	(void)ap;
	memset(br, 0, sizeof(*br));
	br->br_nslots = BLOCKING_SLOTS;
	for (i = 0; i < BLOCKING_SLOTS; i++)
		intent_init(&br->br_slot[i].bs_intent);
	return (0);
}

int
blocking_open(struct blocking *b, struct keyspace *ks, int slot)
{
	memset(b, 0, sizeof(*b));
	b->bl_ks = ks;
	b->bl_slot = slot;
	b->bl_reg = arena_region(ks->ks_arena, ARENA_REGION_BLOCKING);
	if (b->bl_reg == NULL || slot >= (int)b->bl_reg->br_nslots) {
		errno = ENOENT;
		return (-1);
	}
	ks->ks_blocking = b;
	return (0);
}

static struct arena *
bl_arena(const struct blocking *b)
{
	return (b->bl_ks->ks_arena);
}

static struct bl_link *
bl_link(const struct blocking *b, aoff_t o)
{
	return (arena_ptr(bl_arena(b), o));
}

static const char *
bl_link_key(const struct bl_link *l)
{
	return ((const char *)(l + 1));
}

static void
bl_wake(struct blocking *b, uint32_t slot)
{
	if (b->bl_wake != NULL)
		b->bl_wake(b->bl_wake_arg, (int)slot);
}

/* Payloads. */

const struct bl_payload *
blocking_payload(const struct blocking *b, const struct bl_waiter *w)
{
	aoff_t	 o = w->w_elem;

	return (aoff_isnull(o) ? NULL : arena_ptr(bl_arena(b), o));
}

const char *
blocking_payload_key(const struct bl_payload *p, size_t *len)
{
	*len = p->p_klen;
	return ((const char *)(p + 1));
}

const char *
blocking_payload_bytes(const struct bl_payload *p, size_t *len)
{
	*len = p->p_len;
	return ((const char *)(p + 1) + p->p_klen);
}

int
blocking_hand_locked(struct blocking *b, struct ks_stripe *st,
    const struct ks_key *kk, struct bl_waiter *w, const void *bytes,
    size_t len, uint32_t count, int where)
{
	struct keyspace		*ks = b->bl_ks;
	struct arena		*a = bl_arena(b);
	struct intent		*in;
	struct bl_payload	*p;
	aoff_t			 o;

	if (kk->kk_len > UINT32_MAX || len > UINT32_MAX) {
		errno = EFBIG;
		return (-1);
	}
	in = keyspace_begin_locked(ks, st);
	if (intent_alloc(a, in, sizeof(*p) + kk->kk_len + len, &o) == -1) {
		intent_abort(a, in);
		return (-1);
	}
	p = arena_ptr(a, o);
	p->p_db = w->w_db;
	p->p_klen = (uint32_t)kk->kk_len;
	p->p_len = (uint32_t)len;
	p->p_count = count;
	p->p_where = (uint32_t)where;
	p->p_pad = 0;
	memcpy(p + 1, kk->kk_ptr, kk->kk_len);
	memcpy((char *)(p + 1) + kk->kk_len, bytes, len);
	intent_store(a, in, &w->w_elem.u, o.u);
	keyspace_commit_locked(ks, st);
	CRASHPOINT(blocking_handed);
	keyspace_rider(ks, &w->w_done,
	    BL_TICKET(shm_load64(&w->w_word)));
	return (0);
}

/*
 * Free the payload of record w through the intent of the stripe st that
 * the caller holds (a server that failed, or the undoer of a dead one's
 * claim).
 */
static void
bl_drop_payload_locked(struct blocking *b, struct ks_stripe *st,
    struct bl_waiter *w)
{
	struct intent	*in;
	aoff_t		 o = w->w_elem;

	if (aoff_isnull(o))
		return;
	in = keyspace_begin_locked(b->bl_ks, st);
	intent_store(bl_arena(b), in, &w->w_elem.u, 0);
	intent_retire(bl_arena(b), in, o);
	keyspace_commit_locked(b->bl_ks, st);
}

/* The owner frees its record's payload, through its slot's intent. */
static void
bl_free_payload(struct blocking *b, struct bl_waiter *w)
{
	struct arena	*a = bl_arena(b);
	struct intent	*in;
	aoff_t		 o = w->w_elem;

	if (aoff_isnull(o))
		return;
	in = &b->bl_reg->br_slot[w->w_slot].bs_intent;
	intent_begin(a, in);
	intent_store(a, in, &w->w_elem.u, 0);
	intent_retire(bl_arena(b), in, o);
	intent_commit(a, in);
}

/* Links. */

static int
bl_link_stale(const struct blocking *b, const struct bl_link *l)
{
	const struct bl_waiter	*w = blocking_waiter(b, l->l_waiter);
	uint64_t		 word = shm_load64(&w->w_word);

	return (BL_TICKET(word) != l->l_ticket || BL_STATE(word) == BL_FREE);
}

/* Unlink the link *link points at (stripe st locked), as one intent. */
static void
bl_unlink_locked(struct blocking *b, struct ks_stripe *st, uint32_t *link)
{
	struct intent	*in;
	aoff_t		 o;

	o.u = *link;
	in = keyspace_begin_locked(b->bl_ks, st);
	intent_store(bl_arena(b), in, link, bl_link(b, o)->l_next.u);
	intent_retire(bl_arena(b), in, o);
	keyspace_commit_locked(b->bl_ks, st);
	CRASHPOINT(blocking_unlinked);
}

/* Append a link for record wo (ticket t) on key kk to stripe st's chain. */
static int
bl_link_append_locked(struct blocking *b, struct ks_stripe *st, aoff_t wo,
    uint32_t t, unsigned db, const struct ks_key *kk)
{
	struct arena	*a = bl_arena(b);
	struct intent	*in;
	struct bl_link	*l;
	uint32_t	*link = keyspace_waiters_word(st);
	aoff_t		 o;

	if (kk->kk_len > UINT32_MAX) {
		errno = EFBIG;
		return (-1);
	}
	/* To the end, dropping the stale links on the way. */
	while (*link != 0) {
		o.u = *link;
		if (bl_link_stale(b, bl_link(b, o)))
			bl_unlink_locked(b, st, link);
		else
			link = &bl_link(b, o)->l_next.u;
	}
	in = keyspace_begin_locked(b->bl_ks, st);
	if (intent_alloc(a, in, sizeof(*l) + kk->kk_len, &o) == -1) {
		intent_abort(a, in);
		return (-1);
	}
	l = bl_link(b, o);
	l->l_next = AOFF_NULL;
	l->l_waiter = wo;
	l->l_ticket = t;
	l->l_db = db;
	l->l_klen = (uint32_t)kk->kk_len;
	l->l_pad = 0;
	memcpy(l + 1, kk->kk_ptr, kk->kk_len);
	intent_store(a, in, link, o.u);
	keyspace_commit_locked(b->bl_ks, st);
	CRASHPOINT(blocking_linked);
	return (0);
}

/* Remove the links of record wo (ticket t) from stripe st's chain. */
static void
bl_links_remove_locked(struct blocking *b, struct ks_stripe *st, aoff_t wo,
    uint32_t t)
{
	uint32_t	*link = keyspace_waiters_word(st);
	struct bl_link	*l;
	aoff_t		 o;

	while (*link != 0) {
		o.u = *link;
		l = bl_link(b, o);
		if ((aoff_eq(l->l_waiter, wo) && l->l_ticket == t) ||
		    bl_link_stale(b, l))
			bl_unlink_locked(b, st, link);
		else
			link = &l->l_next.u;
	}
}

static int
bl_link_is(const struct bl_link *l, unsigned db, const struct ks_key *kk)
{
	return (l->l_db == db && l->l_klen == kk->kk_len &&
	    memcmp(bl_link_key(l), kk->kk_ptr, kk->kk_len) == 0);
}

/* Serving. */

unsigned
blocking_serve_locked(struct keyspace *ks, struct ks_stripe *st, unsigned db,
    const struct ks_key *kk)
{
	struct blocking			*b = ks->ks_blocking;
	const struct blocking_kind	*kind;
	const struct entry		*e;
	struct bl_waiter		*w;
	struct bl_link			*l;
	uint32_t			*link, t, sid;
	uint64_t			 word;
	unsigned			 served = 0;
	aoff_t				 o;

	if (b == NULL || *keyspace_waiters_word(st) == 0)
		return (0);
	sid = keyspace_stripe_id(ks, st);
	link = keyspace_waiters_word(st);
	while (*link != 0) {
		o.u = *link;
		l = bl_link(b, o);
		if (bl_link_stale(b, l)) {
			bl_unlink_locked(b, st, link);
			continue;
		}
		w = blocking_waiter(b, l->l_waiter);
		word = shm_load64(&w->w_word);
		t = BL_TICKET(word);
		kind = w->w_kind < BLOCKING_KINDS ? blocking_kinds[w->w_kind] :
		    NULL;
		if (!bl_link_is(l, db, kk) || BL_STATE(word) != BL_WAITING ||
		    kind == NULL) {
			link = &l->l_next.u;
			continue;
		}
		if ((e = keyspace_peek_locked(ks, st, kk,
		    compat_realtime_ms())) == NULL)
			break;
		if (OBJ_TYPE(e->e_type) != kind->bk_type) {
			link = &l->l_next.u;
			continue;
		}
		if (!__atomic_compare_exchange_n(&w->w_word, &word,
		    BL_WORD(t, BL_CLAIMED, sid), 0, __ATOMIC_ACQ_REL,
		    __ATOMIC_ACQUIRE)) {
			link = &l->l_next.u;
			continue;
		}
		CRASHPOINT(blocking_claimed);
		(void)kind->bk_serve(b, st, kk, e, w);
		keyspace_rider(ks, NULL, 0);
		if (shm_load32(&w->w_done) != t) {
			/* Nothing was taken: the claim is undone. */
			bl_drop_payload_locked(b, st, w);
			shm_store64(&w->w_word, BL_WORD(t, BL_WAITING, 0));
			break;
		}
		CRASHPOINT(blocking_taken);
		bl_unlink_locked(b, st, link);
		bl_wake(b, w->w_slot);
		served++;
	}
	return (served);
}

void
blocking_serve_all(struct keyspace *ks)
{
	struct ks_stripe	*st;
	struct bl_link		*l;
	struct ks_key		 kk;
	uint32_t		 id, n = keyspace_stripe_count(ks);
	unsigned		 db;
	char			*key;
	aoff_t			 o;
	int			 again;

	if (ks->ks_blocking == NULL)
		return;
	for (id = 0; id < n; id++) {
		st = keyspace_lock_stripe_id(ks, id);
		db = keyspace_stripe_db(ks, st);
		/* Serving drops links: walk again after each key served. */
		do {
			again = 0;
			o.u = *keyspace_waiters_word(st);
			while (!aoff_isnull(o) && !again) {
				l = bl_link(ks->ks_blocking, o);
				o = l->l_next;
				if (l->l_db != db || (key = malloc(l->l_klen +
				    1)) == NULL)
					continue;
				memcpy(key, bl_link_key(l), l->l_klen);
				keyspace_key(ks, &kk, key, l->l_klen);
				again = blocking_serve_locked(ks, st, db,
				    &kk) > 0;
				free(key);
			}
		} while (again);
		keyspace_unlock(ks, st);
	}
}

/* The owner's side. */

static struct bl_slot *
bl_slot(const struct blocking *b)
{
	return (&b->bl_reg->br_slot[b->bl_slot]);
}

/* A FREE record of this worker's pool, grown by one if none is. */
static int
bl_record_get(struct blocking *b, aoff_t *out)
{
	struct arena		*a = bl_arena(b);
	struct bl_slot		*bs = bl_slot(b);
	struct bl_waiter	*w;
	struct intent		*in = &bs->bs_intent;
	aoff_t			 o;

	for (o = bs->bs_head; !aoff_isnull(o); o = w->w_next) {
		w = blocking_waiter(b, o);
		if (BL_STATE(shm_load64(&w->w_word)) == BL_FREE &&
		    aoff_isnull(w->w_elem)) {
			*out = o;
			return (0);
		}
	}
	intent_begin(a, in);
	if (intent_alloc(a, in, sizeof(*w), &o) == -1) {
		intent_abort(a, in);
		return (-1);
	}
	w = blocking_waiter(b, o);
	memset(w, 0, sizeof(*w));
	w->w_next = bs->bs_head;
	w->w_slot = (uint32_t)b->bl_slot;
	intent_store(a, in, &bs->bs_head.u, o.u);
	intent_commit(a, in);
	*out = o;
	return (0);
}

static struct bl_waiter *
bl_own(const struct blocking *b, const struct blocking_wait *bw)
{
	return (blocking_waiter(b, bw->bw_waiter));
}

void
blocking_wait_free(struct blocking_wait *bw)
{
	size_t	 i;

	for (i = 0; i < bw->bw_nkeys && bw->bw_keys != NULL; i++)
		free(bw->bw_keys[i]);
	free(bw->bw_keys);
	free(bw->bw_lens);
	bw->bw_keys = NULL;
	bw->bw_lens = NULL;
	bw->bw_nkeys = 0;
}

/* Remove the links of a wait from the stripes of its keys. */
static void
bl_wait_unlink(struct blocking *b, struct blocking_wait *bw)
{
	struct ks_stripe	*st;
	struct ks_key		 kk;
	size_t			 i;

	for (i = 0; i < bw->bw_nkeys; i++) {
		keyspace_key(b->bl_ks, &kk, bw->bw_keys[i], bw->bw_lens[i]);
		st = keyspace_lock(b->bl_ks, bw->bw_db, &kk);
		bl_links_remove_locked(b, st, bw->bw_waiter, bw->bw_ticket);
		keyspace_unlock(b->bl_ks, st);
	}
}

int
blocking_wait_locked(struct blocking *b, struct blocking_wait *bw, int kind,
    uint32_t arg0, uint32_t arg1, unsigned db, const struct ks_key *keys,
    struct ks_stripe *const *sts, size_t n)
{
	struct bl_slot		*bs = bl_slot(b);
	struct bl_waiter	*w;
	size_t			 i, j;
	aoff_t			 wo;
	uint32_t		 t;

	memset(bw, 0, sizeof(*bw));
	if ((bw->bw_keys = calloc(n, sizeof(*bw->bw_keys))) == NULL ||
	    (bw->bw_lens = calloc(n, sizeof(*bw->bw_lens))) == NULL)
		goto fail;
	for (i = 0; i < n; i++) {
		if ((bw->bw_keys[i] = malloc(keys[i].kk_len + 1)) == NULL)
			goto fail;
		bw->bw_nkeys = i + 1;
		memcpy(bw->bw_keys[i], keys[i].kk_ptr, keys[i].kk_len);
		bw->bw_lens[i] = keys[i].kk_len;
	}
	if (bl_record_get(b, &wo) == -1)
		goto fail;
	w = blocking_waiter(b, wo);
	/* A FREE record is written by its owner only. */
	if ((t = bs->bs_ticket + 1) == 0)
		t = 1;
	bs->bs_ticket = t;
	w->w_kind = (uint32_t)kind;
	w->w_db = db;
	w->w_arg[0] = arg0;
	w->w_arg[1] = arg1;
	bw->bw_waiter = wo;
	bw->bw_ticket = t;
	bw->bw_db = db;
	shm_store64(&w->w_word, BL_WORD(t, BL_WAITING, 0));
	for (i = 0; i < n; i++) {
		if (bl_link_append_locked(b, sts[i], wo, t, db,
		    &keys[i]) == -1) {
			shm_store64(&w->w_word, BL_WORD(t, BL_FREE, 0));
			for (j = 0; j < i; j++)
				bl_links_remove_locked(b, sts[j], wo, t);
			goto fail;
		}
	}
	return (0);
fail:
	blocking_wait_free(bw);
	errno = ENOMEM;
	return (-1);
}

/* Take and release the claim stripe: whoever served has finished. */
static void
bl_barrier(struct blocking *b, uint64_t word)
{
	if (BL_STATE(word) == BL_CLAIMED)
		keyspace_unlock(b->bl_ks, keyspace_lock_stripe_id(b->bl_ks,
		    BL_STRIPE(word)));
}

/*
 * A record seen CLAIMED without w_done: take the claim stripe and, if the
 * claim is still there, undo it (its server died) and make the record
 * `state'.  Returns the stripe, still locked, or NULL when the claim had
 * resolved.
 */
static struct ks_stripe *
bl_undo_claim(struct blocking *b, struct bl_waiter *w, uint64_t word,
    unsigned state)
{
	struct ks_stripe	*st;

	st = keyspace_lock_stripe_id(b->bl_ks, BL_STRIPE(word));
	if (shm_load64(&w->w_word) != word ||
	    shm_load32(&w->w_done) == BL_TICKET(word)) {
		keyspace_unlock(b->bl_ks, st);
		return (NULL);
	}
	log_info("blocking: undoing the claim of a dead server on a wait "
	    "of worker %u", w->w_slot);
	bl_drop_payload_locked(b, st, w);
	shm_store64(&w->w_word, BL_WORD(BL_TICKET(word), state, 0));
	return (st);
}

static enum blocking_outcome
bl_outcome(const struct bl_waiter *w, uint64_t word)
{
	switch (BL_STATE(word)) {
	case BL_CLAIMED:
		return (shm_load32(&w->w_done) == BL_TICKET(word) ?
		    BLOCKING_SERVED : BLOCKING_PENDING);
	case BL_ERROR:
		return (BLOCKING_ERROR);
	case BL_TIMEOUT:
	case BL_GONE:
		return (BLOCKING_TIMEOUT);
	default:
		return (BLOCKING_PENDING);
	}
}

enum blocking_outcome
blocking_poll(struct blocking *b, struct blocking_wait *bw, int thorough)
{
	struct bl_waiter	*w = bl_own(b, bw);
	struct ks_stripe	*st;
	struct ks_key		 kk;
	uint64_t		 word = shm_load64(&w->w_word);
	enum blocking_outcome	 out = bl_outcome(w, word);
	uint32_t		 sid;
	size_t			 i;

	if (out != BLOCKING_PENDING || BL_STATE(word) != BL_CLAIMED) {
		bw->bw_suspect = 0;
		return (out);
	}
	if (!thorough)
		return (out);
	if (!bw->bw_suspect) {
		bw->bw_suspect = 1;
		return (out);
	}
	bw->bw_suspect = 0;
	if ((st = bl_undo_claim(b, w, word, BL_WAITING)) != NULL) {
		/* The element is back in the key: serve it again. */
		sid = keyspace_stripe_id(b->bl_ks, st);
		for (i = 0; i < bw->bw_nkeys; i++) {
			keyspace_key(b->bl_ks, &kk, bw->bw_keys[i],
			    bw->bw_lens[i]);
			if (keyspace_stripe_db(b->bl_ks, st) == bw->bw_db &&
			    (sid & (keyspace_stripes(b->bl_ks) - 1)) ==
			    keyspace_stripe_index(b->bl_ks, &kk))
				(void)blocking_serve_locked(b->bl_ks, st,
				    bw->bw_db, &kk);
		}
		keyspace_unlock(b->bl_ks, st);
	}
	return (bl_outcome(w, shm_load64(&w->w_word)));
}

/*
 * End record w's wait (state: BL_TIMEOUT, BL_GONE): its outcome, which
 * is SERVED when a server was first.
 */
static enum blocking_outcome
bl_cancel(struct blocking *b, struct bl_waiter *w, unsigned state)
{
	struct ks_stripe	*st;
	uint64_t		 word;

	for (;;) {
		word = shm_load64(&w->w_word);
		switch (BL_STATE(word)) {
		case BL_WAITING:
			if (__atomic_compare_exchange_n(&w->w_word, &word,
			    BL_WORD(BL_TICKET(word), state, 0), 0,
			    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
				return (bl_outcome(w, BL_WORD(0, state, 0)));
			break;
		case BL_CLAIMED:
			if (shm_load32(&w->w_done) == BL_TICKET(word))
				return (BLOCKING_SERVED);
			if ((st = bl_undo_claim(b, w, word, state)) != NULL) {
				keyspace_unlock(b->bl_ks, st);
				return (bl_outcome(w, BL_WORD(0, state, 0)));
			}
			break;
		default:
			return (bl_outcome(w, word));
		}
	}
}

enum blocking_outcome
blocking_cancel(struct blocking *b, struct blocking_wait *bw, unsigned state)
{
	return (bl_cancel(b, bl_own(b, bw), state));
}

const struct bl_payload *
blocking_take(struct blocking *b, struct blocking_wait *bw)
{
	struct bl_waiter	*w = bl_own(b, bw);

	bl_barrier(b, shm_load64(&w->w_word));
	return (blocking_payload(b, w));
}

void
blocking_placed_rider(struct blocking *b, struct blocking_wait *bw)
{
	keyspace_rider(b->bl_ks, &bl_own(b, bw)->w_placed, bw->bw_ticket);
}

/* The record is FREE again (its links go stale). */
static void
bl_record_put(struct bl_waiter *w)
{
	uint64_t	 word = shm_load64(&w->w_word);

	shm_store64(&w->w_word, BL_WORD(BL_TICKET(word), BL_FREE, 0));
}

void
blocking_finish(struct blocking *b, struct blocking_wait *bw)
{
	struct bl_waiter	*w = bl_own(b, bw);

	bl_barrier(b, shm_load64(&w->w_word));
	bl_free_payload(b, w);
	bl_record_put(w);
	bl_wait_unlink(b, bw);
}

void
blocking_delivered(struct blocking *b, struct blocking_wait *bw)
{
	CRASHPOINT(blocking_delivering);
	blocking_finish(b, bw);
}

/*
 * Give record w's payload back to its key, if it was taken for the
 * current ticket and not placed elsewhere yet: pushed back at the end it
 * came from, in an intent that stores the ticket into w_placed, and the
 * key's waiters served.  1 when given back.
 */
static int
bl_give_back(struct blocking *b, struct bl_waiter *w)
{
	struct keyspace			*ks = b->bl_ks;
	const struct blocking_kind	*kind;
	const struct bl_payload		*p = blocking_payload(b, w);
	const struct entry		*e;
	struct ks_stripe		*st;
	struct ks_key			 kk;
	uint32_t			 t = BL_TICKET(shm_load64(&w->w_word));
	const char			*key;
	size_t				 klen;
	int				 placed;

	if (p == NULL || shm_load32(&w->w_done) != t ||
	    shm_load32(&w->w_placed) == t)
		return (0);
	kind = w->w_kind < BLOCKING_KINDS ? blocking_kinds[w->w_kind] : NULL;
	key = blocking_payload_key(p, &klen);
	keyspace_key(ks, &kk, key, klen);
	st = keyspace_lock(ks, p->p_db, &kk);
	e = keyspace_peek_locked(ks, st, &kk, compat_realtime_ms());
	if (kind == NULL || (e != NULL && OBJ_TYPE(e->e_type) !=
	    kind->bk_type)) {
		log_warnx("blocking: a key of db %u now holds another type; "
		    "%u element(s) handed to a client that is gone are "
		    "dropped", p->p_db, p->p_count);
		keyspace_unlock(ks, st);
		return (0);
	}
	keyspace_rider(ks, &w->w_placed, t);
	(void)kind->bk_return(ks, st, &kk, e, p);
	keyspace_rider(ks, NULL, 0);
	placed = shm_load32(&w->w_placed) == t;
	if (placed) {
		CRASHPOINT(blocking_given_back);
		(void)blocking_serve_locked(ks, st, p->p_db, &kk);
	} else
		log_warnx("blocking: no memory to give back %u element(s) "
		    "of a client that is gone", p->p_count);
	keyspace_unlock(ks, st);
	return (placed);
}

void
blocking_abandon(struct blocking *b, struct blocking_wait *bw)
{
	struct bl_waiter	*w = bl_own(b, bw);

	bl_barrier(b, shm_load64(&w->w_word));
	(void)bl_give_back(b, w);
	blocking_finish(b, bw);
}

int
blocking_unblock(struct blocking *b, aoff_t wo, uint32_t ticket,
    unsigned state)
{
	struct bl_waiter	*w;
	uint64_t		 word;

	if (aoff_isnull(wo) || !arena_contains(bl_arena(b), wo, sizeof(*w)))
		return (0);
	w = blocking_waiter(b, wo);
	word = BL_WORD(ticket, BL_WAITING, 0);
	if (!__atomic_compare_exchange_n(&w->w_word, &word,
	    BL_WORD(ticket, state, 0), 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return (0);
	bl_wake(b, w->w_slot);
	return (1);
}

unsigned
blocking_recover(struct blocking *b)
{
	struct bl_slot		*bs = bl_slot(b);
	struct bl_waiter	*w;
	uint64_t		 word;
	unsigned		 back = 0;
	aoff_t			 o;
	int			 rolled;

	if (intent_repair(bl_arena(b), &bs->bs_intent, &rolled) == -1) {
		log_warnx("blocking: worker slot %d: damaged intent",
		    b->bl_slot);
		abort();
	}
	/* First no wait of the slot can be served any more, ... */
	for (o = bs->bs_head; !aoff_isnull(o); o = w->w_next) {
		w = blocking_waiter(b, o);
		if (BL_STATE(shm_load64(&w->w_word)) != BL_FREE)
			(void)bl_cancel(b, w, BL_GONE);
	}
	/* ... then what they were handed goes back. */
	for (o = bs->bs_head; !aoff_isnull(o); o = w->w_next) {
		w = blocking_waiter(b, o);
		word = shm_load64(&w->w_word);
		if (BL_STATE(word) == BL_FREE && aoff_isnull(w->w_elem))
			continue;
		bl_barrier(b, word);
		back += (unsigned)bl_give_back(b, w);
		bl_free_payload(b, w);
		bl_record_put(w);
	}
	if (back > 0)
		log_info("blocking: worker slot %d: %u payload(s) of clients "
		    "that were gone given back", b->bl_slot, back);
	return (back);
}
