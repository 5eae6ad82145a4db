/*
 * intent.c: reserve, fill, publish, retire, with repair after a death.
 *
 * Runs in whichever process holds the lock of the structure the intent
 * belongs to (a keyspace stripe, for now); takes the slab locks through
 * slab_alloc() and slab_free(), never any other.  A transaction record
 * (intent_xact) is read by the repairer of each part, who holds that
 * part's lock only.  See intent.h for the protocol and its crash story.
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

static void	 intent_step_begin(struct arena *, struct intent *);
static int	 intent_log_room(struct arena *, struct intent *, size_t);
static struct intent_rec *intent_log_add(struct arena *, struct intent *,
		    unsigned kind, uint64_t pos, uint32_t val, uint32_t old);
static void	 intent_step_commit(struct arena *, struct intent *);
static void	 intent_step_abort(struct arena *, struct intent *);

void
intent_begin(struct arena *a, struct intent *in)
{
	if (in->in_steps) {
		intent_step_begin(a, in);
		return;
	}
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

	if (in->in_steps) {
		if (nstores > UINT32_MAX / 4 || nchunks > UINT32_MAX / 4) {
			errno = ENOMEM;
			return (-1);
		}
		return (intent_log_room(a, in, nstores + 2 * nchunks));
	}
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
	aoff_t	*rec;

	if (in->in_steps) {
		/* Room for this record, and for the step's rest. */
		if (intent_log_room(a, in, 1) == -1)
			return (-1);
		rec = (aoff_t *)&intent_log_add(a, in, INTENT_REC_NEW, 0, 0,
		    0)->ir_val;
	} else
		rec = intent_free_slot(a, in, 0, "intent_alloc");
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
	struct intent_more	*m;
	struct intent_store	*st;
	uint32_t		*n;

	if (in->in_steps) {
		(void)intent_log_add(a, in, INTENT_REC_STORE,
		    arena_pos(a, word), val, shm_load32(word));
		return;
	}
	m = intent_more(a, in);
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
intent_retire(struct arena *a, struct intent *in, aoff_t old)
{
	unsigned	 i;

	if (in->in_steps) {
		(void)intent_log_add(a, in, INTENT_REC_OLD, 0, old.u, 0);
		return;
	}
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
	if (in->in_steps) {
		(void)intent_log_add(a, in, INTENT_REC_OLD, 0, old.u, 0);
		return;
	}
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
intent_finish_own(struct arena *a, struct intent *in)
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
intent_undo_own(struct arena *a, struct intent *in)
{
	intent_free_recs(a, in, 0);
	intent_forget_all(in->in_old);
	intent_drop_more(a, in);
	shm_store32(&in->in_nstores, 0);
	shm_store32(&in->in_state, INTENT_IDLE);
}

/* Steps. */

#define INTENT_LOG_FIRST	64	/* records of a log's first chunk */
#define INTENT_LOG_MAX		4096	/* and of its largest */
/* What a step may record beyond what it announces: its own intent's. */
#define INTENT_STEP_ROOM	(INTENT_MAX_STORES + 2 * INTENT_MAX_CHUNKS)

static struct intent_log *
intent_log_at(struct arena *a, aoff_t o)
{
	return (aoff_isnull(o) ? NULL : arena_ptr(a, o));
}

/*
 * The log's last chunk for its writer, from the hint the writer keeps
 * (repair walks the chain instead: intent_log_last()).
 */
static struct intent_log *
intent_log_tail(struct arena *a, const struct intent *in)
{
	return (intent_log_at(a, in->in_logtail));
}

/* The log's last chunk, and (in *nb, may be NULL) the number of chunks. */
static struct intent_log *
intent_log_last(struct arena *a, const struct intent *in, size_t *nb)
{
	struct intent_log	*l, *next;
	size_t			 n = 0;

	if ((l = intent_log_at(a, in->in_log)) == NULL) {
		if (nb != NULL)
			*nb = 0;
		return (NULL);
	}
	for (n = 1; (next = intent_log_at(a, l->lg_next)) != NULL; n++)
		l = next;
	if (nb != NULL)
		*nb = n;
	return (l);
}

/* Chunk i (from 0) of the log. */
static struct intent_log *
intent_log_nth(struct arena *a, const struct intent *in, size_t i)
{
	struct intent_log	*l = intent_log_at(a, in->in_log);

	while (i-- > 0)
		l = intent_log_at(a, l->lg_next);
	return (l);
}

/* Records in the log so far, for its writer. */
static uint32_t
intent_log_count(struct arena *a, const struct intent *in)
{
	struct intent_log	*l = intent_log_tail(a, in);

	return (l != NULL ? in->in_logbase + l->lg_n : 0);
}

/*
 * Reserve a log chunk of cap records through the record *buf, and name it
 * in *named once it is initialised.  0, or -1 ENOMEM.
 */
static int
intent_log_grow(struct arena *a, aoff_t *named, aoff_t *buf, size_t cap)
{
	struct intent_log	*l;

	if (slab_alloc(a, sizeof(*l) + cap * sizeof(struct intent_rec),
	    buf) == -1)
		return (-1);
	CRASHPOINT(intent_log_reserved);
	l = arena_ptr(a, *buf);
	l->lg_next = AOFF_NULL;
	l->lg_nextbuf = AOFF_NULL;
	l->lg_n = 0;
	l->lg_cap = (uint32_t)cap;
	aoff_store(named, *buf);
	return (0);
}

/*
 * Make room in the log for n more records and a step's worth after them.
 * 0, or -1 ENOMEM.
 */
static int
intent_log_room(struct arena *a, struct intent *in, size_t n)
{
	struct intent_log	*l = intent_log_tail(a, in);
	size_t			 cap;

	n += INTENT_STEP_ROOM;
	if (l != NULL && l->lg_cap - l->lg_n >= n)
		return (0);
	cap = l != NULL ? 2 * (size_t)l->lg_cap : INTENT_LOG_FIRST;
	if (cap > INTENT_LOG_MAX)
		cap = INTENT_LOG_MAX;
	if (cap < n)
		cap = n;
	if (l == NULL)
		return (intent_log_grow(a, &in->in_log, &in->in_logbuf, cap));
	if (intent_log_grow(a, &l->lg_next, &l->lg_nextbuf, cap) == -1)
		return (-1);
	in->in_logbase += l->lg_n;
	in->in_logtail = l->lg_next;
	return (0);
}

/* Append a record; it counts (for repair) once it is whole. */
static struct intent_rec *
intent_log_add(struct arena *a, struct intent *in, unsigned kind,
    uint64_t pos, uint32_t val, uint32_t old)
{
	struct intent_log	*l = intent_log_tail(a, in);
	struct intent_rec	*r;

	if (l == NULL || l->lg_n == l->lg_cap) {
		log_warnx("intent: a step recorded more than it announced");
		abort();
	}
	r = &l->lg_rec[l->lg_n];
	r->ir_pos = pos | kind;
	r->ir_val = val;
	r->ir_old = old;
	shm_store32(&l->lg_n, l->lg_n + 1);
	return (r);
}

/*
 * Let go of a log chunk and of those after it, the last first: a chunk's
 * name goes before its reservation, so that this can be redone.
 */
static void
intent_log_drop(struct arena *a, aoff_t *named, aoff_t *buf)
{
	struct intent_log	*l;

	if ((l = intent_log_at(a, *named)) != NULL) {
		intent_log_drop(a, &l->lg_next, &l->lg_nextbuf);
		aoff_store(named, AOFF_NULL);
	}
	if (!aoff_isnull(*buf)) {
		slab_free(a, buf);
		CRASHPOINT(intent_freed);
	}
}

/*
 * Visit the records [from, end) of the log, in order (or the last first,
 * when `back'), with fn.
 */
static void
intent_log_walk(struct arena *a, struct intent *in, uint32_t from, int back,
    void (*fn)(struct arena *, struct intent_rec *))
{
	struct intent_log	*l;
	size_t			 nb, b;
	uint32_t		 base, i, lo;

	(void)intent_log_last(a, in, &nb);
	if (!back) {
		for (l = intent_log_at(a, in->in_log), base = 0; l != NULL;
		    base += l->lg_n, l = intent_log_at(a, l->lg_next))
			for (i = from > base ? from - base : 0; i < l->lg_n;
			    i++)
				fn(a, &l->lg_rec[i]);
		return;
	}
	for (l = intent_log_at(a, in->in_log), base = 0; l != NULL;
	    l = intent_log_at(a, l->lg_next))
		base += l->lg_n;
	for (b = nb; b-- > 0;) {
		l = intent_log_nth(a, in, b);
		base -= l->lg_n;
		lo = from > base ? from - base : 0;
		for (i = l->lg_n; i > lo; i--)
			fn(a, &l->lg_rec[i - 1]);
	}
}

static void
intent_rec_apply(struct arena *a, struct intent_rec *r)
{
	if (INTENT_REC_KIND(r) == INTENT_REC_STORE) {
		shm_store32(arena_pos_ptr(a, r->ir_pos & ~(uint64_t)3),
		    r->ir_val);
		CRASHPOINT(intent_stored);
	}
}

static void
intent_rec_unapply(struct arena *a, struct intent_rec *r)
{
	if (INTENT_REC_KIND(r) == INTENT_REC_STORE)
		shm_store32(arena_pos_ptr(a, r->ir_pos & ~(uint64_t)3),
		    r->ir_old);
}

/* Free the chunks of records of one kind; each free clears its record. */
static void
intent_rec_free_new(struct arena *a, struct intent_rec *r)
{
	if (INTENT_REC_KIND(r) == INTENT_REC_NEW && r->ir_val != 0) {
		slab_free(a, (aoff_t *)&r->ir_val);
		CRASHPOINT(intent_freed);
	}
}

static void
intent_rec_free_old(struct arena *a, struct intent_rec *r)
{
	if (INTENT_REC_KIND(r) == INTENT_REC_OLD && r->ir_val != 0) {
		slab_free(a, (aoff_t *)&r->ir_val);
		CRASHPOINT(intent_freed);
	}
}

/* A step's abort: its stores never count, its chunks are not the part's. */
static void
intent_rec_void(struct arena *a, struct intent_rec *r)
{
	(void)a;
	switch (INTENT_REC_KIND(r)) {
	case INTENT_REC_STORE:
		__atomic_store_n(&r->ir_pos, r->ir_pos | INTENT_REC_VOID,
		    __ATOMIC_SEQ_CST);
		break;
	case INTENT_REC_OLD:
		shm_store32(&r->ir_val, 0);
		break;
	}
}

static void
intent_step_begin(struct arena *a, struct intent *in)
{
	if (in->in_state != INTENT_ACTIVE || in->in_stepopen) {
		log_warnx("intent_begin: part %p has a step open, or is not "
		    "joined", (void *)in);
		abort();
	}
	/*
	 * A change cannot fail here.  The room is there unless the arena
	 * was full at the last step's commit too: then the process stops,
	 * and the repair rolls the transaction back.
	 */
	if (intent_log_room(a, in, 0) == -1) {
		log_warnx("intent_begin: no room in the arena for a step's "
		    "log");
		abort();
	}
	shm_store32(&in->in_step, intent_log_count(a, in));
	shm_store32(&in->in_stepopen, 1);
	CRASHPOINT(intent_begun);
}

static void
intent_step_commit(struct arena *a, struct intent *in)
{
	CRASHPOINT(intent_filled);
	intent_log_walk(a, in, in->in_step, 0, intent_rec_apply);
	shm_store32(&in->in_stepopen, 0);
	CRASHPOINT(intent_step_done);
	/*
	 * Room for the next step now, while a failure costs nothing: the
	 * next begin then finds it, and only a step's own reservations
	 * (which can fail) need more.
	 */
	(void)intent_log_room(a, in, 0);
}

static void
intent_step_abort(struct arena *a, struct intent *in)
{
	/* Voided before the chunks go: no undo writes into a freed one. */
	intent_log_walk(a, in, in->in_step, 0, intent_rec_void);
	intent_log_walk(a, in, in->in_step, 0, intent_rec_free_new);
	shm_store32(&in->in_stepopen, 0);
}

/* The end of a part that took steps, whichever way it went. */
static void
intent_steps_end(struct arena *a, struct intent *in)
{
	intent_log_drop(a, &in->in_log, &in->in_logbuf);
	in->in_logtail = AOFF_NULL;
	in->in_logbase = 0;
	shm_store32(&in->in_stepopen, 0);
	shm_store32(&in->in_step, 0);
	shm_store32(&in->in_steps, 0);
	shm_store32(&in->in_state, INTENT_IDLE);
	CRASHPOINT(intent_idle);
}

/*
 * READY to IDLE.  A part that took steps applied every store already:
 * it frees what it retired.
 */
static void
intent_finish(struct arena *a, struct intent *in)
{
	if (!in->in_steps) {
		intent_finish_own(a, in);
		return;
	}
	intent_log_walk(a, in, 0, 0, intent_rec_free_old);
	intent_steps_end(a, in);
}

/*
 * ACTIVE (or UNDONE) to IDLE.  A part that took steps writes every old
 * value back, the last first (once: UNDONE says it is done, so that no
 * old value is written into a chunk freed since), then frees what it
 * reserved.
 */
static void
intent_undo(struct arena *a, struct intent *in)
{
	if (!in->in_steps) {
		intent_undo_own(a, in);
		return;
	}
	if (in->in_state == INTENT_ACTIVE) {
		intent_log_walk(a, in, 0, 1, intent_rec_unapply);
		shm_store32(&in->in_state, INTENT_UNDONE);
		CRASHPOINT(intent_undone);
	}
	intent_log_walk(a, in, 0, 0, intent_rec_free_new);
	intent_steps_end(a, in);
}

void
intent_commit(struct arena *a, struct intent *in)
{
	if (in->in_steps) {
		intent_step_commit(a, in);
		return;
	}
	CRASHPOINT(intent_filled);
	shm_store32(&in->in_state, INTENT_READY);
	CRASHPOINT(intent_ready);
	intent_finish(a, in);
}

void
intent_abort(struct arena *a, struct intent *in)
{
	if (in->in_steps) {
		intent_step_abort(a, in);
		return;
	}
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

int
intent_xact_names(struct arena *a, const struct intent *in,
    const struct intent_xact *x, uint32_t gen)
{
	return (__atomic_load_n(&in->in_xpos, __ATOMIC_SEQ_CST) ==
	    arena_pos(a, x) && shm_load32(&in->in_xgen) == gen);
}

void
intent_xact_begin(struct intent_xact *x)
{
	uint64_t	 w = intent_xact_load(x);

	intent_xact_store(x, INTENT_XACT_WORD(INTENT_XACT_GEN(w) + 1,
	    INTENT_XACT_ACTIVE));
	CRASHPOINT(intent_xact_begun);
}

/* Name the record in the intent: its generation, then its position. */
static void
intent_name(struct arena *a, struct intent *in, struct intent_xact *x)
{
	uint64_t	 w = intent_xact_load(x);

	if (in->in_state != INTENT_IDLE || in->in_xpos != 0 ||
	    INTENT_XACT_STATE(w) != INTENT_XACT_ACTIVE) {
		log_warnx("intent_join: intent %p cannot join record %p",
		    (void *)in, (void *)x);
		abort();
	}
	shm_store32(&in->in_xgen, INTENT_XACT_GEN(w));
	__atomic_store_n(&in->in_xpos, arena_pos(a, x), __ATOMIC_SEQ_CST);
	CRASHPOINT(intent_xact_named);
}

void
intent_join(struct arena *a, struct intent *in, struct intent_xact *x)
{
	intent_name(a, in, x);
	shm_store32(&in->in_state, INTENT_ACTIVE);
	CRASHPOINT(intent_xact_joined);
}

int
intent_join_steps(struct arena *a, struct intent *in, struct intent_xact *x,
    size_t nrecs)
{
	if (nrecs < INTENT_LOG_FIRST)
		nrecs = INTENT_LOG_FIRST;
	if (nrecs > INTENT_LOG_MAX)
		nrecs = INTENT_LOG_MAX;
	intent_name(a, in, x);
	shm_store32(&in->in_steps, 1);
	shm_store32(&in->in_stepopen, 0);
	shm_store32(&in->in_step, 0);
	if (intent_log_grow(a, &in->in_log, &in->in_logbuf, nrecs) == -1) {
		shm_store32(&in->in_steps, 0);
		__atomic_store_n(&in->in_xpos, 0, __ATOMIC_SEQ_CST);
		return (-1);
	}
	in->in_logtail = in->in_log;
	in->in_logbase = 0;
	shm_store32(&in->in_state, INTENT_ACTIVE);
	CRASHPOINT(intent_xact_joined);
	return (0);
}

/* A settled part lets go of its record.  Can be redone. */
static void
intent_xact_release(struct intent *in)
{
	CRASHPOINT(intent_xact_released);
	__atomic_store_n(&in->in_xpos, 0, __ATOMIC_SEQ_CST);
}

void
intent_xact_commit(struct arena *a, struct intent_xact *x,
    struct intent **parts, unsigned n)
{
	uint64_t	 w = intent_xact_load(x);
	unsigned	 i;

	for (i = 0; i < n; i++)
		if (parts[i]->in_stepopen) {
			log_warnx("intent_xact_commit: part %p has a step "
			    "open", (void *)parts[i]);
			abort();
		}
	CRASHPOINT(intent_xact_filled);
	/* The commit point of every part at once. */
	intent_xact_store(x, INTENT_XACT_WORD(INTENT_XACT_GEN(w),
	    INTENT_XACT_COMMITTED));
	CRASHPOINT(intent_xact_committed);
	for (i = 0; i < n; i++) {
		shm_store32(&parts[i]->in_state, INTENT_READY);
		intent_finish(a, parts[i]);
		intent_xact_release(parts[i]);
		CRASHPOINT(intent_xact_part_done);
	}
	intent_xact_store(x, INTENT_XACT_WORD(INTENT_XACT_GEN(w),
	    INTENT_XACT_IDLE));
}

void
intent_xact_abort(struct arena *a, struct intent_xact *x,
    struct intent **parts, unsigned n)
{
	uint64_t	 w = intent_xact_load(x);
	unsigned	 i;

	for (i = 0; i < n; i++) {
		if (parts[i]->in_stepopen)
			intent_step_abort(a, parts[i]);
		intent_undo(a, parts[i]);
		intent_xact_release(parts[i]);
	}
	intent_xact_store(x, INTENT_XACT_WORD(INTENT_XACT_GEN(w),
	    INTENT_XACT_IDLE));
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
	    in->in_xpos % sizeof(uint64_t) != 0)
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

/*
 * Is the log of steps, if any, one that repair can follow: chunks inside
 * the arena, counts within their room, stores of aligned words inside it?
 * A chain longer than the arena could hold is a loop.
 */
static int
intent_log_sane(struct arena *a, const struct intent *in)
{
	const struct intent_log	*l;
	const struct intent_rec	*r;
	aoff_t			 o = in->in_log;
	size_t			 n = 0;
	uint32_t		 i;

	for (; !aoff_isnull(o); o = l->lg_next) {
		if (!arena_contains(a, o, sizeof(*l)) ||
		    ++n > a->ar_size / sizeof(*l))
			return (0);
		l = arena_ptr(a, o);
		if (l->lg_n > l->lg_cap || !arena_contains(a, o, sizeof(*l) +
		    (size_t)l->lg_cap * sizeof(*r)))
			return (0);
		for (i = 0; i < l->lg_n; i++) {
			r = &l->lg_rec[i];
			if (INTENT_REC_KIND(r) == INTENT_REC_STORE &&
			    (r->ir_pos > a->ar_size - sizeof(uint32_t) ||
			    r->ir_pos % sizeof(uint32_t) != 0))
				return (0);
		}
	}
	return (1);
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
	    !intent_more_sane(a, in) || !intent_log_sane(a, in))
		return (-1);
	/*
	 * A dead owner may have been inside the allocator with one of our
	 * records half written: let the allocator's own repair finish first.
	 */
	slab_settle(a);
	switch (in->in_state) {
	case INTENT_IDLE:
		/* Died before begin or after the end: nothing in flight. */
		if (in->in_steps || !aoff_isnull(in->in_logbuf))
			intent_steps_end(a, in);
		break;
	case INTENT_ACTIVE:
	case INTENT_UNDONE:
		if (!in->in_steps && in->in_state == INTENT_UNDONE)
			shm_store32(&in->in_state, INTENT_ACTIVE);
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
		intent_xact_release(in);
	return (0);
}
