/*
 * blocking_check.c: the blocked clients' half of the arena checker.
 *
 * Run by hydractl and tests.  The waiter chain of each stripe is checked
 * by keyspace_check.c's walk, under the stripe's lock: every link is an
 * allocated chunk that holds its key, hashes to this stripe and names a
 * record of some worker's pool.  The pools are checked after every
 * stripe was taken (which finished every server's intent), and only on
 * an arena no one is changing: their owners write them without a lock.
 * Every pool record, and the payload of each, is a chunk reached once;
 * a slot's intent is idle.  Each chunk reached is marked for the
 * allocator sweep (slab_check.c).
 */
#include "hydra/blocking.h"
#include "hydra/check.h"
#include "hydra/slab.h"

/* Guards against a cycle: more links or records than could fit. */
static uint64_t
bl_check_bound(const struct check *ck)
{
	return (ck->ck_nunits);
}

void
blocking_check_stripe(struct check *ck, struct keyspace *ks,
    struct ks_stripe *st, unsigned db, uint32_t stripe)
{
	struct arena		*a = ck->ck_arena;
	const struct bl_link	*l;
	struct ks_key		 kk;
	uint64_t		 n = 0;
	aoff_t			 o;

	o.u = *keyspace_waiters_word(st);
	for (; !aoff_isnull(o); o = l->l_next) {
		if (!arena_contains(a, o, sizeof(*l)) ||
		    check_mark(ck, o, "waiter link") == -1 ||
		    ++n > bl_check_bound(ck)) {
			check_error(ck, "db %u stripe %u: broken waiter chain",
			    db, stripe);
			return;
		}
		l = arena_ptr(a, o);
		if (slab_usable_size(a, o) < sizeof(*l) + l->l_klen) {
			check_error(ck, "db %u stripe %u: waiter link at "
			    "offset %u does not fit its chunk", db, stripe,
			    o.u);
			return;
		}
		keyspace_key(ks, &kk, l + 1, l->l_klen);
		if (keyspace_stripe_index(ks, &kk) != stripe)
			check_error(ck, "db %u stripe %u: waiter link at "
			    "offset %u has a key of another stripe", db,
			    stripe, o.u);
		if (!arena_contains(a, l->l_waiter, sizeof(struct bl_waiter)))
			check_error(ck, "db %u stripe %u: waiter link at "
			    "offset %u names no record", db, stripe, o.u);
	}
}

void
blocking_check_unmark_stripe(struct check *ck, struct keyspace *ks,
    struct ks_stripe *st)
{
	const struct bl_link	*l;
	aoff_t			 o;

	o.u = *keyspace_waiters_word(st);
	for (; check_is_marked(ck, o); o = l->l_next) {
		l = arena_ptr(ks->ks_arena, o);
		ck->ck_marks[o.u >> 6] &= ~(1ULL << (o.u & 63));
	}
}

void
blocking_check(struct check *ck)
{
	struct arena			*a = ck->ck_arena;
	struct bl_region		*br;
	const struct bl_slot		*bs;
	const struct bl_waiter		*w;
	const struct bl_payload		*p;
	uint64_t			 n;
	unsigned			 i;
	aoff_t				 o;

	if (ck->ck_flags & CHECK_LIVE)
		return;
	if ((br = arena_region(a, ARENA_REGION_BLOCKING)) == NULL) {
		check_error(ck, "the arena has no blocking region");
		return;
	}
	for (i = 0; i < br->br_nslots && i < BLOCKING_SLOTS; i++) {
		bs = &br->br_slot[i];
		if (bs->bs_intent.in_state != INTENT_IDLE)
			check_error(ck, "worker slot %u: waiter pool intent "
			    "in flight", i);
		for (n = 0, o = bs->bs_head; !aoff_isnull(o);
		    o = w->w_next) {
			if (!arena_contains(a, o, sizeof(*w)) ||
			    check_mark(ck, o, "waiter record") == -1 ||
			    ++n > bl_check_bound(ck)) {
				check_error(ck, "worker slot %u: broken waiter "
				    "pool", i);
				break;
			}
			w = arena_ptr(a, o);
			if (w->w_slot != i)
				check_error(ck, "worker slot %u: record at "
				    "offset %u says slot %u", i, o.u,
				    w->w_slot);
			if (aoff_isnull(w->w_elem))
				continue;
			if (!arena_contains(a, w->w_elem, sizeof(*p)) ||
			    check_mark(ck, w->w_elem, "waiter payload") ==
			    -1) {
				check_error(ck, "worker slot %u: record at "
				    "offset %u has a broken payload", i, o.u);
				continue;
			}
			p = arena_ptr(a, w->w_elem);
			if (slab_usable_size(a, w->w_elem) < sizeof(*p) +
			    (size_t)p->p_klen + p->p_len)
				check_error(ck, "worker slot %u: payload at "
				    "offset %u does not fit its chunk", i,
				    w->w_elem.u);
		}
	}
}
