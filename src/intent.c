/*
 * intent.c: reserve, fill, publish, retire, with repair after a death.
 *
 * Runs in whichever process holds the lock of the structure the intent
 * belongs to (a keyspace stripe, for now); takes the slab locks through
 * slab_alloc() and slab_free(), never any other.  See intent.h for the
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
	if (in->in_state != INTENT_IDLE) {
		log_warnx("intent_begin: intent %p is not idle", (void *)in);
		abort();
	}
	shm_store32(&in->in_state, INTENT_ACTIVE);
	CRASHPOINT(intent_begun);
}

/* The first empty chunk record of `recs'; more is a bug in the caller. */
static unsigned
intent_free_slot(const aoff_t *recs, const char *caller)
{
	unsigned	 i;

	for (i = 0; i < INTENT_MAX_CHUNKS; i++)
		if (aoff_isnull(recs[i]))
			return (i);
	log_warnx("%s: more than %d chunks in one change", caller,
	    INTENT_MAX_CHUNKS);
	abort();
}

int
intent_alloc(struct arena *a, struct intent *in, size_t size, aoff_t *out)
{
	unsigned	 i = intent_free_slot(in->in_new, "intent_alloc");

	if (slab_alloc(a, size, &in->in_new[i]) == -1)
		return (-1);
	CRASHPOINT(intent_reserved);
	*out = in->in_new[i];
	return (0);
}

void
intent_store(struct arena *a, struct intent *in, uint32_t *word,
    uint32_t val)
{
	struct intent_store	*st;

	if (in->in_nstores == INTENT_MAX_STORES) {
		log_warnx("intent_store: more than %d stores in one change",
		    INTENT_MAX_STORES);
		abort();
	}
	st = &in->in_store[in->in_nstores];
	st->is_pos = arena_pos(a, word);
	st->is_val = val;
	shm_store32(&in->in_nstores, in->in_nstores + 1);
}

void
intent_retire(struct intent *in, aoff_t old)
{
	unsigned	 i = intent_free_slot(in->in_old, "intent_retire");

	aoff_store(&in->in_old[i], old);
}

/* Apply every recorded store; each is absolute, so this can be redone. */
static void
intent_apply(struct arena *a, struct intent *in)
{
	uint32_t	 i;

	for (i = 0; i < in->in_nstores; i++) {
		shm_store32(arena_pos_ptr(a, in->in_store[i].is_pos),
		    in->in_store[i].is_val);
		CRASHPOINT(intent_stored);
	}
}

static void
intent_free_all(struct arena *a, aoff_t *recs)
{
	unsigned	 i;

	for (i = 0; i < INTENT_MAX_CHUNKS; i++) {
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

/* READY to IDLE: the tail of a commit, and of a roll forward. */
static void
intent_finish(struct arena *a, struct intent *in)
{
	intent_apply(a, in);
	intent_free_all(a, in->in_old);
	intent_forget_all(in->in_new);
	shm_store32(&in->in_nstores, 0);
	shm_store32(&in->in_state, INTENT_IDLE);
	CRASHPOINT(intent_idle);
}

/* ACTIVE to IDLE: the tail of an abort, and of a roll back. */
static void
intent_undo(struct arena *a, struct intent *in)
{
	intent_free_all(a, in->in_new);
	intent_forget_all(in->in_old);
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

int
intent_repair(struct arena *a, struct intent *in, int *rolled)
{
	uint32_t	 i;

	*rolled = 0;
	if (in->in_nstores > INTENT_MAX_STORES)
		return (-1);
	for (i = 0; i < in->in_nstores; i++)
		if (in->in_store[i].is_pos > a->ar_size - sizeof(uint32_t) ||
		    in->in_store[i].is_pos % sizeof(uint32_t) != 0)
			return (-1);
	/*
	 * A dead owner may have been inside the allocator with one of our
	 * records half written: let the allocator's own repair finish first.
	 */
	slab_settle(a);
	switch (in->in_state) {
	case INTENT_IDLE:
		/* Died before begin or after the end: nothing in flight. */
		return (0);
	case INTENT_ACTIVE:
		intent_undo(a, in);
		*rolled = -1;
		return (0);
	case INTENT_READY:
		intent_finish(a, in);
		*rolled = 1;
		return (0);
	default:
		return (-1);
	}
}
