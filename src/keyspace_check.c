/*
 * keyspace_check.c: the keyspace half of the arena checker.
 *
 * Run by hydractl and tests.  Takes each stripe lock in turn (repairing a
 * stripe whose holder died, as any taker would) and checks, under it: the
 * intent is idle (no chunk, overflow, transaction record or log of steps
 * named); the tables are allocated chunks of the right size; below
 * the rehash index, table 0 is empty; every entry is inside the arena, fits
 * its chunk, hashes to this stripe and to the bucket it hangs from, and is
 * reached once; the key counts match; the waiter chain is sound
 * (blocking_check.c).  Then, once every stripe was taken, the database
 * map: every database is served by one stripe array.  (A transaction
 * record needs no check of its own: a part refers to it only from an
 * intent, and a record that no part refers to may be in any state.)
 * Each chunk reached is marked for the allocator sweep (slab_check.c).
 */
#include "hydra/blocking.h"
#include "hydra/check.h"
#include "hydra/slab.h"
#include "hydra/value.h"
#include "keyspace_internal.h"

struct ks_check_ctx {
	struct check		*ck;
	struct keyspace		*ks;
	unsigned		 db;
	uint32_t		 stripe;
	uint64_t		 keys;
	uint64_t		 expires;
};

/* Check one entry; -1 when the chain cannot be followed past it. */
static int
ks_check_entry(struct ks_check_ctx *cx, aoff_t o, const struct ks_table *t,
    uint32_t b)
{
	struct check		*ck = cx->ck;
	struct arena		*a = ck->ck_arena;
	const struct entry	*e;
	const char		*k;
	size_t			 usable, klen;
	uint64_t		 h;

	if (!arena_contains(a, o, sizeof(struct entry))) {
		check_error(ck, "db %u stripe %u: entry offset %u is outside "
		    "the arena", cx->db, cx->stripe, o.u);
		return (-1);
	}
	if (check_mark(ck, o, "entry") == -1)
		return (-1);
	usable = slab_usable_size(a, o);
	e = arena_ptr(a, o);
	if (usable < sizeof(*e) + 4) {
		check_error(ck, "db %u stripe %u: entry at offset %u is not "
		    "in an allocated chunk", cx->db, cx->stripe, o.u);
		return (-1);
	}
	if (e->e_klen == ENTRY_KLEN_LONG)
		klen = *(const uint32_t *)(e + 1);
	else
		klen = e->e_klen;
	if (entry_size(klen, e->e_vlen, e->e_flags & ENTRY_F_EXPIRES) >
	    usable) {
		check_error(ck, "db %u stripe %u: entry at offset %u claims "
		    "%zu+%u bytes but its chunk holds %zu", cx->db,
		    cx->stripe, o.u, klen, e->e_vlen, usable);
		return (-1);
	}
	if (e->e_flags & ~ENTRY_F_EXPIRES)
		check_error(ck, "db %u stripe %u: entry at offset %u has "
		    "unknown flags %#x", cx->db, cx->stripe, o.u, e->e_flags);
	k = entry_key(e, &klen);
	h = ks_hash(cx->ks, k, klen);
	if (ks_stripe_of(cx->ks, h) != cx->stripe ||
	    (h & ((1ULL << t->kt_log2) - 1)) != b)
		check_error(ck, "db %u stripe %u: entry at offset %u hangs "
		    "from bucket %u but its key hashes elsewhere", cx->db,
		    cx->stripe, o.u, b);
	value_check(ck, e, cx->db, cx->stripe);
	cx->keys++;
	if (e->e_flags & ENTRY_F_EXPIRES)
		cx->expires++;
	return (0);
}

static void
ks_check_table(struct ks_check_ctx *cx, struct ks_stripe *st, int which)
{
	struct check		*ck = cx->ck;
	struct arena		*a = ck->ck_arena;
	aoff_t			 to = st->st_table[which], o;
	const struct ks_table	*t;
	uint32_t		 b, n;

	if (!arena_contains(a, to, sizeof(*t))) {
		check_error(ck, "db %u stripe %u: table %d at offset %u is "
		    "outside the arena", cx->db, cx->stripe, which, to.u);
		return;
	}
	t = arena_ptr(a, to);
	if (t->kt_log2 > 31) {
		check_error(ck, "db %u stripe %u: table %d has 2^%u buckets",
		    cx->db, cx->stripe, which, t->kt_log2);
		return;
	}
	n = 1U << t->kt_log2;
	if (slab_usable_size(a, to) < sizeof(*t) + (size_t)n * sizeof(aoff_t)) {
		check_error(ck, "db %u stripe %u: table %d of %u buckets does "
		    "not fit its chunk", cx->db, cx->stripe, which, n);
		return;
	}
	/* Marked only once sound, so that the live unmarking can trust it. */
	if (check_mark(ck, to, "table") == -1)
		return;
	for (b = 0; b < n; b++) {
		if (which == 0 && !aoff_isnull(st->st_table[1]) &&
		    b < st->st_rehash && !aoff_isnull(t->kt_bucket[b]))
			check_error(ck, "db %u stripe %u: bucket %u is below "
			    "the rehash index but not empty", cx->db,
			    cx->stripe, b);
		for (o = t->kt_bucket[b]; !aoff_isnull(o);
		    o = ((const struct entry *)arena_ptr(a, o))->e_next)
			if (ks_check_entry(cx, o, t, b) == -1)
				break;
	}
}

/* On a live arena marks are kept per stripe: clear this stripe's. */
static void
ks_check_unmark(struct check *ck, struct ks_stripe *st)
{
	const struct ks_table	*t;
	aoff_t			 o;
	uint32_t		 b;
	int			 i;

	for (i = 0; i < 2; i++) {
		if (!check_is_marked(ck, st->st_table[i]))
			continue;
		t = arena_ptr(ck->ck_arena, st->st_table[i]);
		for (b = 0; b < (1U << t->kt_log2); b++)
			for (o = t->kt_bucket[b]; check_is_marked(ck, o);
			    o = ((const struct entry *)arena_ptr(ck->ck_arena,
			    o))->e_next) {
				value_check_unmark(ck, arena_ptr(ck->ck_arena,
				    o));
				ck->ck_marks[o.u >> 6] &= ~(1ULL << (o.u & 63));
			}
		o = st->st_table[i];
		ck->ck_marks[o.u >> 6] &= ~(1ULL << (o.u & 63));
	}
}

static void
ks_check_stripe(struct ks_check_ctx *cx, struct ks_stripe *st)
{
	struct check	*ck = cx->ck;
	struct intent	*in = &st->st_intent;
	unsigned	 i;

	if (in->in_state != INTENT_IDLE || in->in_nstores != 0)
		check_error(ck, "db %u stripe %u: intent not idle after "
		    "locking (state %u)", cx->db, cx->stripe, in->in_state);
	for (i = 0; i < INTENT_MAX_CHUNKS; i++)
		if (!aoff_isnull(in->in_new[i]) || !aoff_isnull(in->in_old[i]))
			check_error(ck, "db %u stripe %u: idle intent still "
			    "names a chunk", cx->db, cx->stripe);
	if (!aoff_isnull(in->in_more) || !aoff_isnull(in->in_morebuf))
		check_error(ck, "db %u stripe %u: idle intent still names "
		    "an overflow record", cx->db, cx->stripe);
	if (in->in_steps != 0 || !aoff_isnull(in->in_log) ||
	    !aoff_isnull(in->in_logbuf))
		check_error(ck, "db %u stripe %u: idle intent still takes "
		    "steps or names a log", cx->db, cx->stripe);
	if (in->in_xpos != 0)
		check_error(ck, "db %u stripe %u: idle intent still refers "
		    "to a transaction record", cx->db, cx->stripe);
	if (!aoff_isnull(st->st_garbage))
		check_error(ck, "db %u stripe %u: garbage chunks left after "
		    "locking", cx->db, cx->stripe);
	if (aoff_isnull(st->st_table[0]) && !aoff_isnull(st->st_table[1]))
		check_error(ck, "db %u stripe %u: table 1 without table 0",
		    cx->db, cx->stripe);
	cx->keys = cx->expires = 0;
	for (i = 0; i < 2; i++)
		if (!aoff_isnull(st->st_table[i]))
			ks_check_table(cx, st, (int)i);
	if (cx->keys != st->st_nkeys || cx->expires != st->st_nexpires)
		check_error(ck, "db %u stripe %u: counts say %u keys, %u with "
		    "expiry; found %llu and %llu", cx->db, cx->stripe,
		    st->st_nkeys, st->st_nexpires,
		    (unsigned long long)cx->keys,
		    (unsigned long long)cx->expires);
	ck->ck_keys += cx->keys;
	ck->ck_expires += cx->expires;
	blocking_check_stripe(ck, cx->ks, st, cx->db, cx->stripe);
	if (ck->ck_flags & CHECK_LIVE) {
		ks_check_unmark(ck, st);
		blocking_check_unmark_stripe(ck, cx->ks, st);
	}
}

/*
 * The database map, after every stripe was taken (which settles a swap
 * whose process died): each database is served by exactly one stripe
 * array, and no swap is left recorded.  Without CHECK_LIVE only: a live
 * SWAPDB may be halfway.
 */
static void
ks_check_dbmap(struct check *ck, struct keyspace *ks)
{
	struct ks_dbslot	*ds;
	unsigned		 i, j, ndb = keyspace_databases(ks);

	if (ck->ck_flags & CHECK_LIVE)
		return;
	for (i = 0; i < ndb; i++) {
		ds = ks_dbslot(ks, i);
		if (ds->ds_owner >= ndb) {
			check_error(ck, "db slot %u: owner %u is not a "
			    "database", i, ds->ds_owner);
			continue;
		}
		if (ds->ds_swap != 0)
			check_error(ck, "db slot %u: a swap is still "
			    "recorded", i);
		for (j = 0; j < i; j++)
			if (ks_dbslot(ks, j)->ds_owner == ds->ds_owner)
				check_error(ck, "databases %u and %u both "
				    "serve database %u", j, i, ds->ds_owner);
	}
}

void
keyspace_check(struct check *ck)
{
	struct keyspace		 ks;
	struct ks_check_ctx	 cx;
	struct ks_stripe	*st;

	if (keyspace_open(&ks, ck->ck_arena) == -1) {
		check_error(ck, "the arena has no keyspace region");
		return;
	}
	cx.ck = ck;
	cx.ks = &ks;
	for (cx.db = 0; cx.db < keyspace_databases(&ks); cx.db++) {
		for (cx.stripe = 0; cx.stripe < keyspace_stripes(&ks);
		    cx.stripe++) {
			st = ks_stripe_at(&ks, cx.db, cx.stripe);
			ks_lock_stripe(&ks, st);
			ks_check_stripe(&cx, st);
			lock_release(&st->st_lock);
		}
	}
	ks_check_dbmap(ck, &ks);
}
