/*
 * intent.c: reserve, fill, publish, retire, with repair after a death.
 *
 * Runs in whichever process holds the lock of the structure the intent
 * belongs to (a keyspace stripe, for now); takes the slab locks through
 * slab_alloc() and slab_free(), never any other.  A transaction record
 * (intent_xact) is read, and has its part's bit cleared, by the repairer
 * of each part, who holds that part's lock only.  See intent.h for the
 * protocol and its crash story.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hydra/crashpoint.h"
#include "hydra/intent.h"
#include "hydra/log.h"
#include "hydra/slab.h"

void
intent_init(struct intent *in)
{
	memset(in, 0, sizeof(*in));
}

void
intent_begin(struct intent *in)
{
	if (in->in_state != INTENT_IDLE || in->in_xpos != 0) {
		log_warnx("intent_begin: intent %p is not idle", (void *)in);
		abort();
	}
	shm_store32(&in->in_state, INTENT_ACTIVE);
	CRASHPOINT(intent_begun);
}

/* The overflow record, or NULL. */
static struct intent_more *
intent_more(struct arena *a, const struct intent *in)
{
	if (aoff_isnull(in->in_more))
		return (NULL);
	return (arena_ptr(a, in->in_more));
}

/* The overflow's reserved (old == 0) or retired (old == 1) records. */
static aoff_t *
intent_more_recs(struct intent_more *m, int old)
{
	aoff_t	*recs = (aoff_t *)(m->im_store + m->im_cap);

	return (recs + (old ? m->im_chunks : 0));
}

/*
 * The first empty chunk record, in the intent's own `recs' or, when they
 * are full, in the overflow's; more is a bug in the caller.
 */
static aoff_t *
intent_free_slot(struct arena *a, struct intent *in, int old,
    const char *caller)
{
	struct intent_more	*m;
	aoff_t			*recs = old ? in->in_old : in->in_new;
	uint32_t		 i;

	for (i = 0; i < INTENT_MAX_CHUNKS; i++)
		if (aoff_isnull(recs[i]))
			return (&recs[i]);
	if ((m = intent_more(a, in)) != NULL) {
		recs = intent_more_recs(m, old);
		for (i = 0; i < m->im_chunks; i++)
			if (aoff_isnull(recs[i]))
				return (&recs[i]);
	}
	log_warnx("%s: more chunks in one change than it reserved", caller);
	abort();
}

int
intent_reserve(struct arena *a, struct intent *in, size_t nstores,
    size_t nchunks)
{
	struct intent_more	*m;
	size_t			 size;

	if (!aoff_isnull(in->in_morebuf) || in->in_state != INTENT_ACTIVE) {
		log_warnx("intent_reserve: intent %p has its overflow "
		    "already, or is not begun", (void *)in);
		abort();
	}
	if (nstores > UINT32_MAX / 2 || nchunks > UINT32_MAX / 2) {
		errno = ENOMEM;
		return (-1);
	}
	size = sizeof(*m) + nstores * sizeof(struct intent_store) +
	    2 * nchunks * sizeof(aoff_t);
	if (slab_alloc(a, size, &in->in_morebuf) == -1)
		return (-1);
	CRASHPOINT(intent_reserved);
	m = arena_ptr(a, in->in_morebuf);
	m->im_nstores = 0;
	m->im_cap = (uint32_t)nstores;
	m->im_chunks = (uint32_t)nchunks;
	m->im_pad = 0;
	memset(intent_more_recs(m, 0), 0, 2 * nchunks * sizeof(aoff_t));
	/* Named only now: repair reads no half-made overflow. */
	aoff_store(&in->in_more, in->in_morebuf);
	CRASHPOINT(intent_more_named);
	return (0);
}

int
intent_alloc(struct arena *a, struct intent *in, size_t size, aoff_t *out)
{
	aoff_t	*rec = intent_free_slot(a, in, 0, "intent_alloc");

	if (slab_alloc(a, size, rec) == -1)
		return (-1);
	CRASHPOINT(intent_reserved);
	*out = *rec;
	return (0);
}

void
intent_store(struct arena *a, struct intent *in, uint32_t *word,
    uint32_t val)
{
	struct intent_more	*m = intent_more(a, in);
	struct intent_store	*st;
	uint32_t		*n;

	if (in->in_nstores < INTENT_MAX_STORES) {
		st = &in->in_store[in->in_nstores];
		n = &in->in_nstores;
	} else if (m != NULL && m->im_nstores < m->im_cap) {
		st = &m->im_store[m->im_nstores];
		n = &m->im_nstores;
	} else {
		log_warnx("intent_store: more stores in one change than it "
		    "reserved");
		abort();
	}
	st->is_pos = arena_pos(a, word);
	st->is_val = val;
	shm_store32(n, *n + 1);
}

void
intent_retire(struct intent *in, aoff_t old)
{
	unsigned	 i;

	for (i = 0; i < INTENT_MAX_CHUNKS; i++) {
		if (aoff_isnull(in->in_old[i])) {
			aoff_store(&in->in_old[i], old);
			return;
		}
	}
	log_warnx("intent_retire: more than %d chunks in one change",
	    INTENT_MAX_CHUNKS);
	abort();
}

void
intent_retire_any(struct arena *a, struct intent *in, aoff_t old)
{
	aoff_store(intent_free_slot(a, in, 1, "intent_retire_any"), old);
}

/* Apply n recorded stores; each is absolute, so this can be redone. */
static void
intent_apply(struct arena *a, const struct intent_store *st, uint32_t n)
{
	uint32_t	 i;

	for (i = 0; i < n; i++) {
		shm_store32(arena_pos_ptr(a, st[i].is_pos), st[i].is_val);
		CRASHPOINT(intent_stored);
	}
}

static void
intent_free_all(struct arena *a, aoff_t *recs, uint32_t n)
{
	uint32_t	 i;

	for (i = 0; i < n; i++) {
		if (!aoff_isnull(recs[i])) {
			slab_free(a, &recs[i]);
			CRASHPOINT(intent_freed);
		}
	}
}

static void
intent_forget_all(aoff_t *recs)
{
	unsigned	 i;

	for (i = 0; i < INTENT_MAX_CHUNKS; i++)
		if (!aoff_isnull(recs[i]))
			aoff_store(&recs[i], AOFF_NULL);
}

/*
 * Free the chunks of the intent's own records `old' (reserved or
 * retired), then of the overflow's.
 */
static void
intent_free_recs(struct arena *a, struct intent *in, int old)
{
	struct intent_more	*m = intent_more(a, in);

	intent_free_all(a, old ? in->in_old : in->in_new, INTENT_MAX_CHUNKS);
	if (m != NULL)
		intent_free_all(a, intent_more_recs(m, old), m->im_chunks);
}

/*
 * Let go of the overflow: its name first, so that no repair reads it
 * again, then its chunk.  Can be redone.
 */
static void
intent_drop_more(struct arena *a, struct intent *in)
{
	if (!aoff_isnull(in->in_more))
		aoff_store(&in->in_more, AOFF_NULL);
	if (!aoff_isnull(in->in_morebuf)) {
		slab_free(a, &in->in_morebuf);
		CRASHPOINT(intent_freed);
	}
}

/* READY to IDLE: the tail of a commit, and of a roll forward. */
static void
intent_finish(struct arena *a, struct intent *in)
{
	struct intent_more	*m = intent_more(a, in);

	intent_apply(a, in->in_store, in->in_nstores);
	if (m != NULL)
		intent_apply(a, m->im_store, m->im_nstores);
	intent_free_recs(a, in, 1);
	intent_forget_all(in->in_new);
	intent_drop_more(a, in);
	shm_store32(&in->in_nstores, 0);
	shm_store32(&in->in_state, INTENT_IDLE);
	CRASHPOINT(intent_idle);
}

/* ACTIVE to IDLE: the tail of an abort, and of a roll back. */
static void
intent_undo(struct arena *a, struct intent *in)
{
	intent_free_recs(a, in, 0);
	intent_forget_all(in->in_old);
	intent_drop_more(a, in);
	shm_store32(&in->in_nstores, 0);
	shm_store32(&in->in_state, INTENT_IDLE);
}

void
intent_commit(struct arena *a, struct intent *in)
{
	CRASHPOINT(intent_filled);
	shm_store32(&in->in_state, INTENT_READY);
	CRASHPOINT(intent_ready);
	intent_finish(a, in);
}

void
intent_abort(struct arena *a, struct intent *in)
{
	intent_undo(a, in);
}

/* Transaction records. */

static uint64_t
intent_xact_load(const struct intent_xact *x)
{
	return (__atomic_load_n(&x->ix_word, __ATOMIC_SEQ_CST));
}

static void
intent_xact_store(struct intent_xact *x, uint64_t w)
{
	__atomic_store_n(&x->ix_word, w, __ATOMIC_SEQ_CST);
}

void
intent_xact_init(struct intent_xact *x)
{
	memset(x, 0, sizeof(*x));
}

unsigned
intent_xact_pending(const struct intent_xact *x,
    uint32_t tags[INTENT_XACT_PARTS])
{
	uint32_t	 pending = INTENT_XACT_PENDING(intent_xact_load(x));
	unsigned	 i, n = 0;

	for (i = 0; i < INTENT_XACT_PARTS; i++)
		if (pending & (1U << i))
			tags[n++] = x->ix_part[i];
	return (n);
}

void
intent_xact_begin(struct intent_xact *x)
{
	uint64_t	 w = intent_xact_load(x);

	if (INTENT_XACT_PENDING(w) != 0) {
		log_warnx("intent_xact_begin: record %p has parts pending",
		    (void *)x);
		abort();
	}
	intent_xact_store(x, INTENT_XACT_WORD(INTENT_XACT_GEN(w) + 1,
	    INTENT_XACT_ACTIVE, 0));
	CRASHPOINT(intent_xact_begun);
}

void
intent_join(struct arena *a, struct intent *in, struct intent_xact *x,
    unsigned part, uint32_t tag)
{
	uint64_t	 w = intent_xact_load(x);

	if (in->in_state != INTENT_IDLE || in->in_xpos != 0 ||
	    part >= INTENT_XACT_PARTS ||
	    INTENT_XACT_STATE(w) != INTENT_XACT_ACTIVE) {
		log_warnx("intent_join: intent %p cannot join record %p",
		    (void *)in, (void *)x);
		abort();
	}
	shm_store32(&in->in_xgen, INTENT_XACT_GEN(w));
	shm_store32(&in->in_xpart, part);
	shm_store32(&x->ix_part[part], tag);
	__atomic_store_n(&in->in_xpos, arena_pos(a, x), __ATOMIC_SEQ_CST);
	CRASHPOINT(intent_xact_named);
	intent_xact_store(x, w | (1U << part));
	CRASHPOINT(intent_xact_joined);
	shm_store32(&in->in_state, INTENT_ACTIVE);
}

/*
 * A settled part lets go of its record: its bit is cleared (when the
 * record is still of its generation), the last one making the record
 * IDLE, and then the intent forgets the record.  Can be redone.
 */
static void
intent_xact_release(struct arena *a, struct intent *in)
{
	struct intent_xact	*x = arena_pos_ptr(a, in->in_xpos);
	uint64_t		 w, nw;

	w = intent_xact_load(x);
	do {
		if (INTENT_XACT_GEN(w) != in->in_xgen)
			break;
		nw = w & ~(uint64_t)(1U << in->in_xpart);
		if (INTENT_XACT_PENDING(nw) == 0)
			nw = INTENT_XACT_WORD(in->in_xgen, INTENT_XACT_IDLE, 0);
	} while (!__atomic_compare_exchange_n(&x->ix_word, &w, nw, 0,
	    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST));
	CRASHPOINT(intent_xact_released);
	__atomic_store_n(&in->in_xpos, 0, __ATOMIC_SEQ_CST);
}

void
intent_xact_commit(struct arena *a, struct intent_xact *x,
    struct intent **parts, unsigned n)
{
	uint64_t	 w = intent_xact_load(x);
	unsigned	 i;

	CRASHPOINT(intent_xact_filled);
	/* The commit point of every part at once. */
	intent_xact_store(x, INTENT_XACT_WORD(INTENT_XACT_GEN(w),
	    INTENT_XACT_COMMITTED, INTENT_XACT_PENDING(w)));
	CRASHPOINT(intent_xact_committed);
	for (i = 0; i < n; i++) {
		shm_store32(&parts[i]->in_state, INTENT_READY);
		intent_finish(a, parts[i]);
		intent_xact_release(a, parts[i]);
		CRASHPOINT(intent_xact_part_done);
	}
	(void)intent_xact_settle(x);
}

void
intent_xact_abort(struct arena *a, struct intent_xact *x,
    struct intent **parts, unsigned n)
{
	unsigned	 i;

	for (i = 0; i < n; i++) {
		intent_undo(a, parts[i]);
		intent_xact_release(a, parts[i]);
	}
	(void)intent_xact_settle(x);
}

int
intent_xact_settle(struct intent_xact *x)
{
	uint64_t	 w = intent_xact_load(x);

	if (INTENT_XACT_PENDING(w) != 0 ||
	    INTENT_XACT_STATE(w) == INTENT_XACT_IDLE)
		return (0);
	/* Only this record's lock holder begins or commits it. */
	intent_xact_store(x, INTENT_XACT_WORD(INTENT_XACT_GEN(w),
	    INTENT_XACT_IDLE, 0));
	return (1);
}

/*
 * A part whose writer died: it goes forward when its record committed
 * (the same generation, so the decision is its own), else back.
 */
static int
intent_xact_decide(struct arena *a, struct intent *in)
{
	const struct intent_xact	*x;
	uint64_t			 w;

	if (in->in_xpos > a->ar_size - sizeof(*x) ||
	    in->in_xpos % sizeof(uint64_t) != 0 ||
	    in->in_xpart >= INTENT_XACT_PARTS)
		return (-1);
	x = arena_pos_ptr(a, in->in_xpos);
	w = intent_xact_load(x);
	if (in->in_state == INTENT_ACTIVE &&
	    INTENT_XACT_GEN(w) == in->in_xgen &&
	    INTENT_XACT_STATE(w) == INTENT_XACT_COMMITTED) {
		shm_store32(&in->in_state, INTENT_READY);
	}
	return (0);
}

/* Are n recorded stores each of an aligned word inside the arena? */
static int
intent_stores_sane(struct arena *a, const struct intent_store *st,
    uint32_t n)
{
	uint32_t	 i;

	for (i = 0; i < n; i++)
		if (st[i].is_pos > a->ar_size - sizeof(uint32_t) ||
		    st[i].is_pos % sizeof(uint32_t) != 0)
			return (0);
	return (1);
}

/* Is the overflow record, if any, one that repair can follow? */
static int
intent_more_sane(struct arena *a, const struct intent *in)
{
	const struct intent_more	*m;

	if (aoff_isnull(in->in_more))
		return (1);
	if (!arena_contains(a, in->in_more, sizeof(*m)))
		return (0);
	m = arena_ptr(a, in->in_more);
	return (m->im_nstores <= m->im_cap &&
	    arena_contains(a, in->in_more, sizeof(*m) +
	    (size_t)m->im_cap * sizeof(struct intent_store) +
	    2 * (size_t)m->im_chunks * sizeof(aoff_t)) &&
	    intent_stores_sane(a, m->im_store, m->im_nstores));
}

int
intent_repair(struct arena *a, struct intent *in, int *rolled)
{
	*rolled = 0;
	if (in->in_nstores > INTENT_MAX_STORES)
		return (-1);
	if (in->in_xpos != 0 && intent_xact_decide(a, in) == -1)
		return (-1);
	if (!intent_stores_sane(a, in->in_store, in->in_nstores) ||
	    !intent_more_sane(a, in))
		return (-1);
	/*
	 * A dead owner may have been inside the allocator with one of our
	 * records half written: let the allocator's own repair finish first.
	 */
	slab_settle(a);
	switch (in->in_state) {
	case INTENT_IDLE:
		/* Died before begin or after the end: nothing in flight. */
		break;
	case INTENT_ACTIVE:
		intent_undo(a, in);
		*rolled = -1;
		break;
	case INTENT_READY:
		intent_finish(a, in);
		*rolled = 1;
		break;
	default:
		return (-1);
	}
	if (in->in_xpos != 0)
		intent_xact_release(a, in);
	return (0);
}
