/*
 * keyspace.c: the databases, as striped chained hash tables in the arena.
 *
 * Run by workers (and by tools and tests).  Locks: the stripe lock of the
 * key, or the stripes of a command's keys taken together in ascending
 * address order (keyspace_lock_keys()), or every stripe of two databases
 * (keyspace_swapdb()); through the allocator the slab locks after them.
 * A transaction across stripes (a rename, a command's keys) may also
 * take, with a trylock that never waits, and release at once, the stripe
 * of a dead writer's unsettled part (ks_xact_begin()).
 *
 * Each stripe is a small Redis-style dict: table 0, and table 1 while an
 * incremental rehash moves buckets from 0 to 1 (one bucket per write, at
 * most 10 empty buckets visited).  New keys go to table 1 while it exists.
 *
 * Crash story.  Every change of a stripe is one intent (intent.h): the new
 * entry or table is built off to the side, the publishing stores (a bucket
 * or e_next link, a table slot, the key counts) are recorded, and then
 * applied; replaced entries are freed last.  A process killed anywhere in
 * here leaves an intent that the next taker of the stripe lock rolls back
 * (nothing was published) or forward (the change is completed), so each key
 * is either wholly old or wholly new.  A rehash moves one entry per intent:
 * link it into table 1, point it at its new successor, unlink it from
 * table 0; a death in between leaves the entry on two chains, which the roll
 * forward resolves from the recorded values.
 *
 * A value that owns chunks besides its entry (a large list's nodes,
 * value.h) hands them to the stripe's garbage chain in the same intent that
 * deletes or replaces the entry; they are then freed one per intent, and a
 * death in between leaves the rest to repair, which drains the garbage of
 * every stripe it repairs.  A multi-chunk change builds its new chunks in
 * that chain too, so that a death before it publishes them frees them.
 *
 * A rename from one stripe to another is one intent per stripe, both parts
 * of one transaction record kept in the stripe of lower address (intent.h):
 * one store commits both, and the repairer of each stripe, holding that
 * stripe's lock only, rolls its own part forward or back by the record, so
 * that the key is under exactly one of its names.  A rename within one
 * stripe is one intent.  A value's chunks move with its key (they belong
 * to no stripe): the new entry takes them over and the old one's unlink
 * leaves them be, while a destination's own chunks go to the garbage of
 * the destination's stripe in the destination's part.  SWAPDB is settled
 * whole by its own records: see keyspace_swapdb() and ks_swap_repair().
 *
 * A command that changes several keys (SMOVE, LMOVE, MSET) makes them one
 * change with keyspace_multi_begin(): every stripe it holds is a part of
 * one transaction, on the record of the stripe of lowest address, and
 * takes every change of the stripe until the commit as a step (intent.h):
 * each step is applied at once, its old values logged, so that the next
 * change of the command reads what the last did, as it does outside a
 * transaction; nothing is freed before the end.  The repairer of each
 * stripe writes the old values back, or frees what was retired, by the
 * record.  No rehash step runs in a transaction (a step undone would
 * leave entries below st_rehash).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hydra/crashpoint.h"
#include "hydra/hash.h"
#include "hydra/log.h"
#include "hydra/slab.h"
#include "hydra/snapshot.h"
#include "hydra/value.h"
#include "keyspace_internal.h"

/* Keys this process deleted because their time had passed. */
static uint64_t	 ks_expired_total;

/* The snapshot generation of a process without a snapshot handle. */
static const uint32_t ks_no_snapshot;

static void	 ks_multi_end(struct keyspace *, struct ks_multi *, int);

struct ks_repair_ctx {
	struct keyspace		*ks;
	struct ks_stripe	*st;
};

/* Where a key was found: the link that points at it, and the entry. */
struct ks_where {
	aoff_t		*link;
	aoff_t		 off;
	struct entry	*e;
};

/* Entry layout. */

static size_t
entry_extra(const struct entry *e)
{
	return ((e->e_klen == ENTRY_KLEN_LONG ? 4 : 0) +
	    ((e->e_flags & ENTRY_F_EXPIRES) ? 8 : 0));
}

static uint32_t *
entry_expire_words(const struct entry *e)
{
	return ((uint32_t *)((char *)(e + 1) +
	    (e->e_klen == ENTRY_KLEN_LONG ? 4 : 0)));
}

const char *
entry_key(const struct entry *e, size_t *len)
{
	if (e->e_klen == ENTRY_KLEN_LONG)
		*len = *(const uint32_t *)(e + 1);
	else
		*len = e->e_klen;
	return ((const char *)(e + 1) + entry_extra(e));
}

const char *
entry_value(const struct entry *e, size_t *len)
{
	size_t		 klen;
	const char	*k = entry_key(e, &klen);

	*len = e->e_vlen;
	return (k + klen);
}

int64_t
entry_expire(const struct entry *e)
{
	const uint32_t	*w;

	if (!(e->e_flags & ENTRY_F_EXPIRES))
		return (KEYSPACE_NO_EXPIRE);
	w = entry_expire_words(e);
	return ((int64_t)((uint64_t)w[1] << 32 | w[0]));
}

size_t
entry_size(size_t klen, size_t vlen, int expires)
{
	return (sizeof(struct entry) + (klen >= ENTRY_KLEN_LONG ? 4 : 0) +
	    (expires ? 8 : 0) + klen + vlen);
}

/* Build an entry in a fresh chunk that nothing points at yet. */
static void
entry_fill(struct entry *e, aoff_t next, const void *key, size_t klen,
    uint8_t type, uint8_t clock, const void *val, size_t vlen,
    int64_t expire_ms)
{
	char	*p = (char *)(e + 1);

	e->e_next = next;
	e->e_type = type;
	e->e_flags = expire_ms >= 0 ? ENTRY_F_EXPIRES : 0;
	e->e_clock = clock;
	e->e_vlen = (uint32_t)vlen;
	if (klen >= ENTRY_KLEN_LONG) {
		e->e_klen = ENTRY_KLEN_LONG;
		*(uint32_t *)p = (uint32_t)klen;
		p += 4;
	} else
		e->e_klen = (uint8_t)klen;
	if (expire_ms >= 0) {
		((uint32_t *)p)[0] = (uint32_t)expire_ms;
		((uint32_t *)p)[1] = (uint32_t)((uint64_t)expire_ms >> 32);
		p += 8;
	}
	memmove(p, key, klen);
	memmove(p + klen, val, vlen);
}

/* Region. */

size_t
keyspace_shm_size(const struct arena_params *ap, size_t npages)
{
	(void)npages;
	return (sizeof(struct ks_region) + ((size_t)ap->ap_databases <<
	    ap->ap_stripes_log2) * sizeof(struct ks_stripe) +
	    (size_t)ap->ap_databases * sizeof(struct ks_dbslot));
}

int
keyspace_shm_init(struct arena *a, void *region, const struct arena_params *ap)
{
	struct ks_region	*kr = region;
	struct ks_stripe	*st;
	struct ks_dbslot	*slot;
	size_t			 i, n;

	(void)a;
	if (ap->ap_databases == 0 ||
	    ap->ap_stripes_log2 > KEYSPACE_MAX_STRIPES_LOG2) {
		errno = EINVAL;
		return (-1);
	}
	memset(kr, 0, sizeof(*kr));
	arc4random_buf(kr->kr_seed, sizeof(kr->kr_seed));
	kr->kr_ndb = ap->ap_databases;
	kr->kr_stripes_log2 = ap->ap_stripes_log2;
	n = (size_t)ap->ap_databases << ap->ap_stripes_log2;
	for (i = 0; i < n; i++) {
		st = &kr->kr_stripe[i];
		memset(st, 0, sizeof(*st));
		if (lock_init(&st->st_lock) == -1)
			return (-1);
		intent_init(&st->st_intent);
		intent_xact_init(&st->st_xact);
	}
	for (i = 0; i < ap->ap_databases; i++) {
		slot = (struct ks_dbslot *)&kr->kr_stripe[n] + i;
		slot->ds_owner = (uint32_t)i;
		slot->ds_phys = (uint32_t)i;
		slot->ds_swap = 0;
	}
	return (0);
}

int
keyspace_open(struct keyspace *ks, struct arena *a)
{
	ks->ks_arena = a;
	ks->ks_lfu = 0;
	ks->ks_blocking = NULL;
	ks->ks_rider_word = NULL;
	ks->ks_rider_val = 0;
	ks->ks_snap_active = &ks_no_snapshot;
	ks->ks_snap = NULL;
	ks->ks_reg = arena_region(a, ARENA_REGION_KEYSPACE);
	if (ks->ks_reg == NULL) {
		errno = ENOENT;
		return (-1);
	}
	return (0);
}

unsigned
keyspace_databases(const struct keyspace *ks)
{
	return (ks->ks_reg->kr_ndb);
}

void
keyspace_for_each_lock(struct keyspace *ks, lock_visit_fn fn, void *arg)
{
	size_t	 i, n;

	n = (size_t)ks->ks_reg->kr_ndb << ks->ks_reg->kr_stripes_log2;
	for (i = 0; i < n; i++)
		fn(&ks->ks_reg->kr_stripe[i].st_lock, arg);
}

unsigned
keyspace_stripes(const struct keyspace *ks)
{
	return (1U << ks->ks_reg->kr_stripes_log2);
}

uint64_t
ks_hash(const struct keyspace *ks, const void *key, size_t len)
{
	return (hash_sip13(ks->ks_reg->kr_seed, key, len));
}

void
keyspace_key(const struct keyspace *ks, struct ks_key *kk, const void *key,
    size_t len)
{
	kk->kk_ptr = key;
	kk->kk_len = len;
	kk->kk_hash = ks_hash(ks, key, len);
}

/* Locking and repair. */

static uint64_t
ks_swap_record(unsigned partner, unsigned owner)
{
	return ((uint64_t)(partner + 1) << 32 | owner);
}

/*
 * Settle a swap that a dead process left on physical database p, called
 * by the repairer of one of p's stripes (the swapper held them all, so
 * every one of them is repaired before anyone reads p's owner again).
 * The swap happened when the partner's record was written too, or when
 * the partner has already taken its new owner; then p takes its new owner
 * (roll forward), else the record is dropped (roll back).  Each side
 * settles only itself, so it needs no lock of the partner: a later swap
 * of the partner cannot name p before p is settled.
 */
static void
ks_swap_repair(struct keyspace *ks, unsigned p)
{
	struct ks_dbslot	*me = ks_dbslot(ks, p), *other;
	uint64_t		 rec = shm_load64(&me->ds_swap);
	unsigned		 q, nowner, cur;
	int			 done;

	if (rec == 0)
		return;
	q = (unsigned)(rec >> 32) - 1;
	nowner = (unsigned)(rec & 0xffffffffU);
	cur = shm_load32(&me->ds_owner);
	if (q >= ks->ks_reg->kr_ndb || nowner >= ks->ks_reg->kr_ndb) {
		log_warnx("keyspace repair: db %u: bad swap record", p);
		shm_store64(&me->ds_swap, 0);
		return;
	}
	other = ks_dbslot(ks, q);
	done = cur == nowner ||
	    shm_load64(&other->ds_swap) == ks_swap_record(p, cur) ||
	    shm_load32(&other->ds_owner) == cur;
	if (done) {
		shm_store32(&me->ds_owner, nowner);
		shm_store32(&ks_dbslot(ks, nowner)->ds_phys, p);
	}
	shm_store64(&me->ds_swap, 0);
	log_info("keyspace repair: swap of db %u rolled %s", p,
	    done ? "forward" : "back");
}

/* Changes this process found half done and finished or undid. */
static uint64_t	 ks_rolled_back, ks_rolled_forward;

void
keyspace_repair_counts(uint64_t *back, uint64_t *forward)
{
	*back = ks_rolled_back;
	*forward = ks_rolled_forward;
}

static int
ks_stripe_repair(void *arg)
{
	struct ks_repair_ctx	*ctx = arg;
	struct ks_stripe	*st = ctx->st;
	int			 rolled;

	if (intent_repair(ctx->ks->ks_arena, &st->st_intent, &rolled) == -1)
		return (-1);
	st->st_version++;
	keyspace_garbage_drain_locked(ctx->ks, st);
	if (rolled > 0)
		ks_rolled_forward++;
	else if (rolled < 0)
		ks_rolled_back++;
	if (rolled != 0)
		log_info("keyspace repair: stripe %zu rolled %s",
		    (size_t)(st - ctx->ks->ks_reg->kr_stripe),
		    rolled > 0 ? "forward" : "back");
	ks_swap_repair(ctx->ks, ks_stripe_phys(ctx->ks, st));
	return (0);
}

void
ks_lock_stripe(struct keyspace *ks, struct ks_stripe *st)
{
	struct ks_repair_ctx	 ctx = { ks, st };

	lock_acquire(&st->st_lock, ks_stripe_repair, &ctx);
}

/*
 * The generation of the snapshot being taken, read once per command after
 * every stripe it needs is locked: 0 (the one branch a command pays when
 * no snapshot runs), or the generation whose uncovered stripes must be
 * serialized before anything changes them.
 */
static inline uint32_t
ks_snap_gen(const struct keyspace *ks)
{
	return (__builtin_expect(shm_load32(ks->ks_snap_active), 0));
}

/* Let the snapshot have the held stripes' contents before they change. */
static void
ks_snap_cover(struct keyspace *ks, struct ks_stripe **held, size_t n)
{
	uint32_t	 g;
	size_t		 i;

	if ((g = ks_snap_gen(ks)) == 0)
		return;
	for (i = 0; i < n; i++)
		snapshot_cover(ks->ks_snap, held[i], g);
}

/*
 * Where logical database db probably is: the hint, checked against the
 * owners without a lock, or a search of the owners.  The caller checks
 * the answer under a stripe lock.  A swap in progress may hide db from
 * one search (its owner handed over between the two loops): search
 * again, for a second at most, before calling the map broken.
 */
static unsigned
ks_phys_guess(const struct keyspace *ks, unsigned db)
{
	struct timespec	 pause = { 0, 100000 };
	unsigned	 p, i, tries, ndb = ks->ks_reg->kr_ndb;
	uint64_t	 rec;

	p = shm_load32(&ks_dbslot(ks, db)->ds_phys);
	if (p < ndb && shm_load32(&ks_dbslot(ks, p)->ds_owner) == db)
		return (p);
	for (tries = 0; tries < 10000; tries++) {
		for (i = 0; i < ndb; i++)
			if (shm_load32(&ks_dbslot(ks, i)->ds_owner) == db)
				return (i);
		/* A dead swapper's database, whose repair gives it to db. */
		for (i = 0; i < ndb; i++) {
			rec = shm_load64(&ks_dbslot(ks, i)->ds_swap);
			if (rec != 0 && (rec & 0xffffffffU) == db)
				return (i);
		}
		nanosleep(&pause, NULL);
	}
	/* Every database is owned, or promised by a record, at all times. */
	log_warnx("keyspace: database %u has no stripes", db);
	abort();
}

/* Does the locked stripe belong to logical database db? */
static int
ks_stripe_serves(const struct keyspace *ks, const struct ks_stripe *st,
    unsigned db)
{
	return (shm_load32(&ks_dbslot(ks, ks_stripe_phys(ks, st))->ds_owner) ==
	    db);
}

struct ks_stripe *
ks_lock_db_stripe(struct keyspace *ks, unsigned db, uint32_t s)
{
	struct ks_stripe	*st;

	for (;;) {
		st = ks_stripe_at(ks, ks_phys_guess(ks, db), s);
		ks_lock_stripe(ks, st);
		if (ks_stripe_serves(ks, st, db)) {
			ks_snap_cover(ks, &st, 1);
			return (st);
		}
		lock_release(&st->st_lock);
	}
}

/*
 * A stripe whose intent is still a part of the last transaction of record
 * x (generation gen), other than those the caller holds (taking them
 * repaired them), or NULL.  Read without those stripes' locks: a part's
 * name only goes away, once its repair is done.
 */
static struct ks_stripe *
ks_xact_part_pending(struct keyspace *ks, const struct intent_xact *x,
    uint32_t gen, size_t *from)
{
	struct ks_stripe	*st;
	size_t			 nst = (size_t)ks->ks_reg->kr_ndb <<
				    ks->ks_reg->kr_stripes_log2;

	for (; *from < nst; (*from)++) {
		st = &ks->ks_reg->kr_stripe[*from];
		if (intent_xact_names(ks->ks_arena, &st->st_intent, x, gen))
			return (st);
	}
	return (NULL);
}

/*
 * Begin a transaction on the record of stripe c, whose caller holds c and
 * every other stripe of the change.  A record that a dead writer left
 * (not IDLE) may have parts unsettled: every stripe is looked at, and each
 * whose intent still names the record at its generation is taken with a
 * trylock (its repair settles the part) and released.  Such a stripe
 * cannot be one the caller holds (taking it repaired it), and whoever
 * holds it has run its repair, which takes no stripe lock, so the wait
 * ends without a lock taken out of order.  The look costs a pass over the
 * stripes' intents, once after a death.
 */
static struct intent_xact *
ks_xact_begin(struct keyspace *ks, struct ks_stripe *c)
{
	struct timespec		 pause = { 0, 100000 };
	struct ks_repair_ctx	 ctx;
	struct intent_xact	*x = &c->st_xact;
	struct ks_stripe	*st;
	uint64_t		 w = x->ix_word;
	unsigned		 tries = 0;
	size_t			 i;
	int			 waiting;

	while (INTENT_XACT_STATE(w) != INTENT_XACT_IDLE) {
		waiting = 0;
		for (i = 0; (st = ks_xact_part_pending(ks, x,
		    INTENT_XACT_GEN(w), &i)) != NULL; i++) {
			ctx.ks = ks;
			ctx.st = st;
			if (lock_tryacquire(&st->st_lock, ks_stripe_repair,
			    &ctx))
				lock_release(&st->st_lock);
			waiting = 1;
		}
		if (!waiting)
			break;
		i = 0;
		if (ks_xact_part_pending(ks, x, INTENT_XACT_GEN(w), &i) ==
		    NULL)
			break;
		if (++tries == 10000)
			log_warnx("keyspace: stripe %zu: waiting for the "
			    "parts of a dead writer's transaction",
			    (size_t)(c - ks->ks_reg->kr_stripe));
		nanosleep(&pause, NULL);
	}
	intent_xact_begin(x);
	return (x);
}

/* Begin stripe st's intent as a part of the transaction x. */
static void
ks_xact_join(struct keyspace *ks, struct intent_xact *x, struct ks_stripe *st)
{
	intent_join(ks->ks_arena, &st->st_intent, x);
}

uint32_t
keyspace_stripe_index(const struct keyspace *ks, const struct ks_key *kk)
{
	return (ks_stripe_of(ks, kk->kk_hash));
}

struct ks_stripe *
keyspace_lock(struct keyspace *ks, unsigned db, const struct ks_key *kk)
{
	return (ks_lock_db_stripe(ks, db, ks_stripe_of(ks, kk->kk_hash)));
}

void
keyspace_unlock(struct keyspace *ks, struct ks_stripe *st)
{
	(void)ks;
	lock_release(&st->st_lock);
}

static int
ks_stripe_cmp(const void *a, const void *b)
{
	uintptr_t	 x = (uintptr_t)*(struct ks_stripe *const *)a;
	uintptr_t	 y = (uintptr_t)*(struct ks_stripe *const *)b;

	return (x < y ? -1 : x > y);
}

size_t
keyspace_lock_keys(struct keyspace *ks, unsigned db, const unsigned *dbs,
    const struct ks_key *keys, size_t n, struct ks_stripe **sts,
    struct ks_stripe **held)
{
	size_t	 i, nheld;
	int	 moved;

	for (;;) {
		for (i = 0; i < n; i++) {
			sts[i] = ks_stripe_at(ks, ks_phys_guess(ks,
			    dbs != NULL ? dbs[i] : db),
			    ks_stripe_of(ks, keys[i].kk_hash));
			held[i] = sts[i];
		}
		qsort(held, n, sizeof(*held), ks_stripe_cmp);
		for (i = 0, nheld = 0; i < n; i++) {
			if (nheld > 0 && held[i] == held[nheld - 1])
				continue;
			held[nheld++] = held[i];
			ks_lock_stripe(ks, held[i]);
		}
		CRASHPOINT(keyspace_lock_keys_held);
		for (i = 0, moved = 0; i < n && !moved; i++)
			moved = !ks_stripe_serves(ks, sts[i],
			    dbs != NULL ? dbs[i] : db);
		if (!moved) {
			ks_snap_cover(ks, held, nheld);
			return (nheld);
		}
		keyspace_unlock_keys(ks, held, nheld);
	}
}

void
keyspace_unlock_keys(struct keyspace *ks, struct ks_stripe **held,
    size_t nheld)
{
	while (nheld > 0)
		keyspace_unlock(ks, held[--nheld]);
}

int
keyspace_multi_init(struct ks_multi *m, size_t n)
{
	memset(m, 0, sizeof(*m));
	m->km_n = n;
	m->km_dbs = calloc(n, sizeof(*m->km_dbs));
	m->km_keys = calloc(n, sizeof(*m->km_keys));
	m->km_sts = calloc(n, sizeof(*m->km_sts));
	m->km_held = calloc(n, sizeof(*m->km_held));
	m->km_parts = calloc(n, sizeof(*m->km_parts));
	if (m->km_dbs == NULL || m->km_keys == NULL || m->km_sts == NULL ||
	    m->km_held == NULL || m->km_parts == NULL) {
		keyspace_multi_free(m);
		errno = ENOMEM;
		return (-1);
	}
	return (0);
}

void
keyspace_multi_set(struct keyspace *ks, struct ks_multi *m, size_t i,
    unsigned db, const void *key, size_t len)
{
	m->km_dbs[i] = db;
	keyspace_key(ks, &m->km_keys[i], key, len);
}

void
keyspace_multi_lock(struct keyspace *ks, struct ks_multi *m)
{
	m->km_nheld = keyspace_lock_keys(ks, 0, m->km_dbs, m->km_keys,
	    m->km_n, m->km_sts, m->km_held);
}

int
keyspace_multi_lock_names(struct keyspace *ks, struct ks_multi *m,
    unsigned db, const char *const *names, const size_t *lens, size_t n,
    size_t step)
{
	size_t	 i;

	if (keyspace_multi_init(m, n) == -1)
		return (-1);
	for (i = 0; i < n; i++)
		keyspace_multi_set(ks, m, i, db, names[i * step],
		    lens[i * step]);
	keyspace_multi_lock(ks, m);
	return (0);
}

void
keyspace_multi_unlock(struct keyspace *ks, struct ks_multi *m)
{
	ks_multi_end(ks, m, 1);
	keyspace_unlock_keys(ks, m->km_held, m->km_nheld);
	m->km_nheld = 0;
}

void
keyspace_multi_free(struct ks_multi *m)
{
	free(m->km_dbs);
	free(m->km_keys);
	free(m->km_sts);
	free(m->km_held);
	free(m->km_parts);
	memset(m, 0, sizeof(*m));
}

/*
 * The transaction of a command's keys: the record of the held stripe of
 * lowest address (km_held is sorted), every held stripe a part that takes
 * steps.  A part that finds no room for its log undoes those before it.
 */
int
keyspace_multi_begin(struct keyspace *ks, struct ks_multi *m, size_t nrecs)
{
	struct intent_xact	*x;
	size_t			 i;

	if (m->km_nheld == 0 || m->km_xact != NULL) {
		log_warnx("keyspace_multi_begin: nothing held, or begun "
		    "already");
		abort();
	}
	x = ks_xact_begin(ks, m->km_held[0]);
	for (i = 0; i < m->km_nheld; i++) {
		m->km_parts[i] = &m->km_held[i]->st_intent;
		m->km_held[i]->st_version++;
		if (intent_join_steps(ks->ks_arena, m->km_parts[i], x,
		    nrecs) == -1) {
			intent_xact_abort(ks->ks_arena, x, m->km_parts,
			    (unsigned)i);
			errno = ENOMEM;
			return (-1);
		}
		CRASHPOINT(keyspace_multi_joined);
	}
	m->km_xact = x;
	return (0);
}

/* The end of a command's transaction, either way. */
static void
ks_multi_end(struct keyspace *ks, struct ks_multi *m, int commit)
{
	size_t	 i;

	if (m->km_xact == NULL)
		return;
	if (commit)
		intent_xact_commit(ks->ks_arena, m->km_xact, m->km_parts,
		    (unsigned)m->km_nheld);
	else
		intent_xact_abort(ks->ks_arena, m->km_xact, m->km_parts,
		    (unsigned)m->km_nheld);
	m->km_xact = NULL;
	for (i = 0; i < m->km_nheld; i++) {
		m->km_held[i]->st_version++;
		keyspace_garbage_drain_locked(ks, m->km_held[i]);
	}
}

void
keyspace_multi_commit(struct keyspace *ks, struct ks_multi *m)
{
	ks_multi_end(ks, m, 1);
}

void
keyspace_multi_abort(struct keyspace *ks, struct ks_multi *m)
{
	ks_multi_end(ks, m, 0);
}

/* Lock (or unlock) every stripe of physical databases p and q, in order. */
static void
ks_lock_pair(struct keyspace *ks, unsigned p, unsigned q, int lock)
{
	unsigned	 lo = p < q ? p : q, hi = p < q ? q : p;
	uint32_t	 s, nst = keyspace_stripes(ks);
	struct ks_stripe *st;

	for (s = 0; s < 2 * nst; s++) {
		st = ks_stripe_at(ks, s < nst ? lo : hi, s % nst);
		if (lock)
			ks_lock_stripe(ks, st);
		else {
			st->st_version++;
			lock_release(&st->st_lock);
		}
	}
}

/* The same for every stripe of physical databases p and q (SWAPDB). */
static void
ks_snap_cover_pair(struct keyspace *ks, unsigned p, unsigned q)
{
	uint32_t	 g, s, nst = keyspace_stripes(ks);

	if ((g = ks_snap_gen(ks)) == 0)
		return;
	for (s = 0; s < 2 * nst; s++)
		snapshot_cover(ks->ks_snap, ks_stripe_at(ks, s < nst ? p : q,
		    s % nst), g);
}

/*
 * Clients wait on a key of a logical database: their links stay with it
 * when its stripes move, so the waiter chains of the two physical
 * databases are exchanged too, stripe by stripe, with all of them
 * locked.  Each exchange is one transaction of the two stripes' intents
 * (a pair with no waiter on either side costs two loads): a process
 * killed in this loop leaves every pair exchanged or not, never one chain
 * under both stripes.  The pairs not yet exchanged keep their waiters
 * where no push looks for them until they time out or are unblocked; no
 * element is at stake.
 */
static void
ks_swap_waiters(struct keyspace *ks, unsigned pa, unsigned pb)
{
	struct intent_xact	*xa;
	struct ks_stripe	*x, *y;
	struct intent		*parts[2];
	uint32_t		 s, xw, yw;

	for (s = 0; s < keyspace_stripes(ks); s++) {
		x = ks_stripe_at(ks, pa, s);
		y = ks_stripe_at(ks, pb, s);
		xw = x->st_waiters.u;
		yw = y->st_waiters.u;
		if (xw == 0 && yw == 0)
			continue;
		parts[0] = &x->st_intent;
		parts[1] = &y->st_intent;
		xa = ks_xact_begin(ks, x < y ? x : y);
		ks_xact_join(ks, xa, x);
		intent_store(ks->ks_arena, parts[0], &x->st_waiters.u, yw);
		CRASHPOINT(blocking_swapdb_waiters);
		ks_xact_join(ks, xa, y);
		intent_store(ks->ks_arena, parts[1], &y->st_waiters.u, xw);
		intent_xact_commit(ks->ks_arena, xa, parts, 2);
	}
}

/*
 * Swap: with every stripe of both physical databases locked, record the
 * swap on each side (the second record is the commit point), hand each
 * side its new owner, fix the hints, clear the records.  A death before
 * the commit point rolls back; after it, forward (ks_swap_repair()).
 */
void
keyspace_swapdb(struct keyspace *ks, unsigned a, unsigned b)
{
	struct ks_dbslot	*sa, *sb;
	unsigned		 pa, pb;

	if (a == b)
		return;
	for (;;) {
		pa = ks_phys_guess(ks, a);
		pb = ks_phys_guess(ks, b);
		if (pa == pb) {
			/* A swap left half done: its repair settles it. */
			keyspace_unlock(ks, ks_lock_db_stripe(ks, a, 0));
			continue;
		}
		ks_lock_pair(ks, pa, pb, 1);
		if (shm_load32(&ks_dbslot(ks, pa)->ds_owner) == a &&
		    shm_load32(&ks_dbslot(ks, pb)->ds_owner) == b) {
			ks_snap_cover_pair(ks, pa, pb);
			break;
		}
		ks_lock_pair(ks, pa, pb, 0);
	}
	sa = ks_dbslot(ks, pa);
	sb = ks_dbslot(ks, pb);
	/* The second record is the commit point. */
	shm_store64(&sa->ds_swap, ks_swap_record(pb, b));
	CRASHPOINT(keyspace_swapdb_recorded);
	shm_store64(&sb->ds_swap, ks_swap_record(pa, a));
	CRASHPOINT(keyspace_swapdb_committed);
	shm_store32(&sa->ds_owner, b);
	CRASHPOINT(keyspace_swapdb_half);
	shm_store32(&sb->ds_owner, a);
	shm_store32(&ks_dbslot(ks, a)->ds_phys, pb);
	shm_store32(&ks_dbslot(ks, b)->ds_phys, pa);
	ks_swap_waiters(ks, pa, pb);
	shm_store64(&sa->ds_swap, 0);
	shm_store64(&sb->ds_swap, 0);
	ks_lock_pair(ks, pa, pb, 0);
}

/* Tables and rehashing. */

static uint32_t
ks_table_size(const struct ks_table *t)
{
	return (t == NULL ? 0 : 1U << t->kt_log2);
}

static int
ks_entry_is(const struct entry *e, const struct ks_key *kk)
{
	size_t		 klen;
	const char	*k = entry_key(e, &klen);

	return (klen == kk->kk_len && memcmp(k, kk->kk_ptr, klen) == 0);
}

static int
ks_locate(struct keyspace *ks, struct ks_stripe *st, const struct ks_key *kk,
    struct ks_where *w)
{
	struct ks_table	*t;
	aoff_t		*link;
	int		 i;

	for (i = 0; i < 2; i++) {
		if ((t = ks_table(ks, st->st_table[i])) == NULL)
			continue;
		link = &t->kt_bucket[kk->kk_hash & (ks_table_size(t) - 1)];
		while (!aoff_isnull(*link)) {
			w->off = *link;
			w->e = ks_entry(ks, *link);
			w->link = link;
			if (ks_entry_is(w->e, kk))
				return (1);
			link = &w->e->e_next;
		}
	}
	return (0);
}

/*
 * Start moving the stripe to a table of 2^log2 buckets (or, when it has no
 * table, give it one).  0, or -1 with ENOMEM.
 */
static int
ks_resize(struct keyspace *ks, struct ks_stripe *st, uint32_t log2)
{
	struct arena	*a = ks->ks_arena;
	struct intent	*in = &st->st_intent;
	struct ks_table	*t;
	aoff_t		 off;
	size_t		 n = (size_t)1 << log2;

	intent_begin(ks->ks_arena, in);
	if (intent_alloc(a, in, sizeof(*t) + n * sizeof(aoff_t), &off) == -1) {
		intent_abort(a, in);
		return (-1);
	}
	t = arena_ptr(a, off);
	t->kt_log2 = log2;
	t->kt_pad = 0;
	memset(t->kt_bucket, 0, n * sizeof(aoff_t));
	if (aoff_isnull(st->st_table[0]))
		intent_store(a, in, &st->st_table[0].u, off.u);
	else {
		intent_store(a, in, &st->st_table[1].u, off.u);
		intent_store(a, in, &st->st_rehash, 0);
	}
	st->st_version++;
	intent_commit(a, in);
	return (0);
}

static uint32_t
ks_log2_for(uint64_t n)
{
	uint32_t	 log2 = KS_TABLE_MIN_LOG2;

	while (log2 < 31 && ((uint64_t)1 << log2) < n)
		log2++;
	return (log2);
}

/* Move every entry of bucket `b' of table 0 into table 1. */
static void
ks_move_bucket(struct keyspace *ks, struct ks_stripe *st, uint32_t b)
{
	struct arena	*a = ks->ks_arena;
	struct intent	*in = &st->st_intent;
	struct ks_table	*t0 = ks_table(ks, st->st_table[0]);
	struct ks_table	*t1 = ks_table(ks, st->st_table[1]);
	struct entry	*e;
	aoff_t		 moving, *dst;
	const char	*k;
	size_t		 klen;

	while (!aoff_isnull(moving = t0->kt_bucket[b])) {
		e = ks_entry(ks, moving);
		k = entry_key(e, &klen);
		dst = &t1->kt_bucket[ks_hash(ks, k, klen) &
		    (ks_table_size(t1) - 1)];
		intent_begin(ks->ks_arena, in);
		intent_store(a, in, &dst->u, moving.u);
		intent_store(a, in, &e->e_next.u, dst->u);
		intent_store(a, in, &t0->kt_bucket[b].u, e->e_next.u);
		intent_commit(a, in);
		CRASHPOINT(keyspace_rehash_moved);
	}
}

/* One step of incremental rehash: at most one bucket, ten empty ones. */
static void
ks_rehash_step(struct keyspace *ks, struct ks_stripe *st)
{
	struct arena	*a = ks->ks_arena;
	struct intent	*in = &st->st_intent;
	struct ks_table	*t0 = ks_table(ks, st->st_table[0]);
	uint32_t	 size0, empty = 10;

	/*
	 * Not inside a transaction: a step rolled back would put entries
	 * back below st_rehash, which says those buckets are empty.
	 */
	if (aoff_isnull(st->st_table[1]) || st->st_intent.in_steps)
		return;
	size0 = ks_table_size(t0);
	while (st->st_rehash < size0 &&
	    aoff_isnull(t0->kt_bucket[st->st_rehash])) {
		st->st_rehash++;
		if (--empty == 0)
			return;
	}
	if (st->st_rehash < size0) {
		ks_move_bucket(ks, st, st->st_rehash);
		st->st_rehash++;
		return;
	}
	/* Table 0 is empty: table 1 takes its place. */
	intent_begin(ks->ks_arena, in);
	intent_store(a, in, &st->st_table[0].u, st->st_table[1].u);
	intent_store(a, in, &st->st_table[1].u, 0);
	intent_store(a, in, &st->st_rehash, 0);
	intent_retire(ks->ks_arena, in, st->st_table[0]);
	st->st_version++;
	intent_commit(a, in);
	CRASHPOINT(keyspace_rehash_done);
}

/* Grow before an insert, as Redis does at a load factor of 1. */
static int
ks_prepare_insert(struct keyspace *ks, struct ks_stripe *st)
{
	struct ks_table	*t0 = ks_table(ks, st->st_table[0]);

	if (t0 == NULL)
		return (ks_resize(ks, st, KS_TABLE_MIN_LOG2));
	if (aoff_isnull(st->st_table[1]) && st->st_nkeys >= ks_table_size(t0))
		(void)ks_resize(ks, st, t0->kt_log2 + 1);
	return (0);
}

/* Shrink after a delete when the table is less than 10% full. */
static void
ks_maybe_shrink(struct keyspace *ks, struct ks_stripe *st)
{
	struct ks_table	*t0 = ks_table(ks, st->st_table[0]);
	uint32_t	 size0 = ks_table_size(t0);

	if (t0 == NULL || !aoff_isnull(st->st_table[1]) ||
	    t0->kt_log2 <= KS_TABLE_MIN_LOG2 ||
	    (uint64_t)st->st_nkeys * 100 / size0 >= KS_TABLE_MIN_FILL)
		return;
	(void)ks_resize(ks, st, ks_log2_for(st->st_nkeys));
}

/* Changing entries. */

/* The bucket a new key goes to: in table 1 while the stripe rehashes. */
static aoff_t *
ks_insert_head(struct keyspace *ks, struct ks_stripe *st,
    const struct ks_key *kk)
{
	struct ks_table	*t = ks_table(ks, st->st_table[aoff_isnull(
			    st->st_table[1]) ? 0 : 1]);

	return (&t->kt_bucket[kk->kk_hash & (ks_table_size(t) - 1)]);
}

/* What a new entry does with the chunks beyond its bytes (value.h). */
#define KS_CHAIN_NONE	0	/* none: the old entry's are freed */
#define KS_CHAIN_ADOPT	1	/* the garbage chain becomes its own */
#define KS_CHAIN_KEEP	2	/* it takes over the old entry's */
#define KS_CHAIN_MOVE	3	/* the old entry's move with its key to
				   an entry of another name (a rename) */

/*
 * Record, in the open intent, what the stripe's garbage chain becomes
 * when entry `old' (or none) is replaced or deleted: the chunks of the
 * old value (value_chain()), so that they are freed after the commit,
 * or nothing.  When the new value adopts the chain built in the garbage,
 * that chain leaves it; otherwise the garbage is empty here.  When the
 * old value's chunks live on (KEEP, MOVE), the garbage is left alone.
 */
static void
ks_garbage_store(struct keyspace *ks, struct ks_stripe *st,
    const struct entry *old, int how)
{
	aoff_t	 chain = old != NULL ? value_chain(ks->ks_arena, old) :
	    AOFF_NULL;

	if (how == KS_CHAIN_KEEP || how == KS_CHAIN_MOVE)
		return;
	if (!aoff_isnull(chain) || how == KS_CHAIN_ADOPT)
		intent_store(ks->ks_arena, &st->st_intent, &st->st_garbage.u,
		    chain.u);
}

int
keyspace_garbage_alloc_locked(struct keyspace *ks, struct ks_stripe *st,
    size_t size, aoff_t *out)
{
	struct arena	*a = ks->ks_arena;
	struct intent	*in = &st->st_intent;

	intent_begin(ks->ks_arena, in);
	if (intent_alloc(a, in, size, out) == -1) {
		intent_abort(a, in);
		return (-1);
	}
	/* The first word links the chain; the chunk is no one's yet. */
	*(aoff_t *)arena_ptr(a, *out) = st->st_garbage;
	intent_store(a, in, &st->st_garbage.u, out->u);
	intent_commit(a, in);
	CRASHPOINT(keyspace_garbage_alloc);
	return (0);
}

aoff_t
keyspace_garbage_locked(const struct ks_stripe *st)
{
	return (st->st_garbage);
}

uint32_t *
keyspace_garbage_word(struct ks_stripe *st)
{
	return (&st->st_garbage.u);
}

void
keyspace_rider(struct keyspace *ks, uint32_t *word, uint32_t val)
{
	ks->ks_rider_word = word;
	ks->ks_rider_val = val;
}

int
keyspace_rider_pending(const struct keyspace *ks)
{
	return (ks->ks_rider_word != NULL);
}

/* Record the rider, if one waits, in the begun intent of stripe st. */
static void
ks_rider_fill(struct keyspace *ks, struct ks_stripe *st)
{
	if (ks->ks_rider_word == NULL)
		return;
	intent_store(ks->ks_arena, &st->st_intent, ks->ks_rider_word,
	    ks->ks_rider_val);
	ks->ks_rider_word = NULL;
}

uint32_t *
keyspace_waiters_word(struct ks_stripe *st)
{
	return (&st->st_waiters.u);
}

uint32_t
keyspace_stripe_id(const struct keyspace *ks, const struct ks_stripe *st)
{
	return ((uint32_t)(st - ks->ks_reg->kr_stripe));
}

uint32_t
keyspace_stripe_count(const struct keyspace *ks)
{
	return (ks->ks_reg->kr_ndb << ks->ks_reg->kr_stripes_log2);
}

struct ks_stripe *
keyspace_lock_stripe_id(struct keyspace *ks, uint32_t id)
{
	struct ks_stripe	*st = &ks->ks_reg->kr_stripe[id];

	ks_lock_stripe(ks, st);
	ks_snap_cover(ks, &st, 1);
	return (st);
}

struct ks_stripe *
keyspace_trylock_stripe_id(struct keyspace *ks, uint32_t id)
{
	struct ks_repair_ctx	 ctx;

	ctx.ks = ks;
	ctx.st = &ks->ks_reg->kr_stripe[id];
	if (!lock_tryacquire(&ctx.st->st_lock, ks_stripe_repair, &ctx))
		return (NULL);
	return (ctx.st);
}

uint32_t *
keyspace_snap_word(struct ks_stripe *st)
{
	return (&st->st_snap);
}

uint64_t
keyspace_changes(const struct keyspace *ks)
{
	uint64_t	 sum = 0;
	size_t		 i, n = keyspace_stripe_count(ks);

	for (i = 0; i < n; i++)
		sum += shm_load64(&ks->ks_reg->kr_stripe[i].st_changes);
	return (sum);
}

unsigned
keyspace_stripe_db(const struct keyspace *ks, const struct ks_stripe *st)
{
	return (shm_load32(&ks_dbslot(ks, ks_stripe_phys(ks, st))->ds_owner));
}

void
keyspace_garbage_drain_locked(struct keyspace *ks, struct ks_stripe *st)
{
	struct arena	*a = ks->ks_arena;
	struct intent	*in = &st->st_intent;
	aoff_t		 o;

	while (!aoff_isnull(o = st->st_garbage)) {
		intent_begin(ks->ks_arena, in);
		intent_store(a, in, &st->st_garbage.u,
		    ((aoff_t *)arena_ptr(a, o))->u);
		intent_retire(ks->ks_arena, in, o);
		intent_commit(a, in);
		CRASHPOINT(keyspace_garbage_freed);
	}
}

struct intent *
keyspace_begin_locked(struct keyspace *ks, struct ks_stripe *st)
{
	st->st_version++;
	st->st_changes++;
	intent_begin(ks->ks_arena, &st->st_intent);
	ks_rider_fill(ks, st);
	return (&st->st_intent);
}

void
keyspace_commit_locked(struct keyspace *ks, struct ks_stripe *st)
{
	intent_commit(ks->ks_arena, &st->st_intent);
	keyspace_garbage_drain_locked(ks, st);
}

/*
 * Record in the stripe's begun intent a new entry for a key: in place of
 * w->e when `found', else at the head of its bucket.  The key, value and
 * clock may point into the entry being replaced (it is freed only after
 * the new one is published).  0, or -1 (ENOMEM, EFBIG) with the intent
 * still to be aborted.
 */
static int
ks_write_fill(struct keyspace *ks, struct ks_stripe *st,
    const struct ks_key *kk, int found, struct ks_where *w, uint8_t type,
    uint8_t clock, const void *val, size_t vlen, int64_t expire_ms,
    int how)
{
	struct arena	*a = ks->ks_arena;
	struct intent	*in = &st->st_intent;
	aoff_t		 off, *head;
	int		 had = 0, has = expire_ms >= 0;

	if (vlen > UINT32_MAX || kk->kk_len > UINT32_MAX) {
		errno = EFBIG;
		return (-1);
	}
	if (intent_alloc(a, in, entry_size(kk->kk_len, vlen, has),
	    &off) == -1)
		return (-1);
	if (found) {
		had = (w->e->e_flags & ENTRY_F_EXPIRES) != 0;
		entry_fill(ks_entry(ks, off), w->e->e_next, kk->kk_ptr,
		    kk->kk_len, type, clock, val, vlen, expire_ms);
		intent_store(a, in, &w->link->u, off.u);
		intent_retire(ks->ks_arena, in, w->off);
	} else {
		head = ks_insert_head(ks, st, kk);
		entry_fill(ks_entry(ks, off), *head, kk->kk_ptr, kk->kk_len,
		    type, clock, val, vlen, expire_ms);
		intent_store(a, in, &head->u, off.u);
		intent_store(a, in, &st->st_nkeys, st->st_nkeys + 1);
	}
	if (has != had)
		intent_store(a, in, &st->st_nexpires,
		    st->st_nexpires + (uint32_t)(has - had));
	ks_garbage_store(ks, st, found ? w->e : NULL, how);
	ks_rider_fill(ks, st);
	st->st_version++;
	st->st_changes++;
	return (0);
}

/* Write a new entry for a key, as one intent (see ks_write_fill()). */
static int
ks_write_entry(struct keyspace *ks, struct ks_stripe *st,
    const struct ks_key *kk, int found, struct ks_where *w, uint8_t type,
    uint8_t clock, const void *val, size_t vlen, int64_t expire_ms, int how)
{
	struct arena	*a = ks->ks_arena;
	struct intent	*in = &st->st_intent;

	intent_begin(ks->ks_arena, in);
	if (ks_write_fill(ks, st, kk, found, w, type, clock, val, vlen,
	    expire_ms, how) == -1) {
		intent_abort(a, in);
		return (-1);
	}
	intent_commit(a, in);
	keyspace_garbage_drain_locked(ks, st);
	return (0);
}

/*
 * Record in the stripe's begun intent the deletion of w->e, and what
 * becomes of its value's chunks: garbage (KS_CHAIN_NONE), or taken over
 * by the entry of the key's new name (KS_CHAIN_MOVE).
 */
static void
ks_delete_fill(struct keyspace *ks, struct ks_stripe *st, struct ks_where *w,
    int how)
{
	struct arena	*a = ks->ks_arena;
	struct intent	*in = &st->st_intent;

	intent_store(a, in, &w->link->u, w->e->e_next.u);
	intent_store(a, in, &st->st_nkeys, st->st_nkeys - 1);
	if (w->e->e_flags & ENTRY_F_EXPIRES)
		intent_store(a, in, &st->st_nexpires, st->st_nexpires - 1);
	intent_retire(ks->ks_arena, in, w->off);
	ks_garbage_store(ks, st, w->e, how);
	ks_rider_fill(ks, st);
	st->st_version++;
	st->st_changes++;
}

static void
ks_delete_at(struct keyspace *ks, struct ks_stripe *st, struct ks_where *w)
{
	intent_begin(ks->ks_arena, &st->st_intent);
	ks_delete_fill(ks, st, w, KS_CHAIN_NONE);
	intent_commit(ks->ks_arena, &st->st_intent);
	keyspace_garbage_drain_locked(ks, st);
}

static int
ks_expired(const struct entry *e, int64_t now_ms)
{
	int64_t	 when = entry_expire(e);

	return (when != KEYSPACE_NO_EXPIRE && now_ms > when);
}

/* Delete a key whose time has passed, and count it. */
static void
ks_delete_expired(struct keyspace *ks, struct ks_stripe *st,
    struct ks_where *w)
{
	ks_delete_at(ks, st, w);
	ks_expired_total++;
}

uint64_t
keyspace_expired_keys(void)
{
	return (ks_expired_total);
}

/*
 * The clock an entry gets when it is written or read: the minute on the
 * realtime clock, modulo 256 (LRU), or the access counter (LFU), which
 * grows as Redis's LFULogIncr() makes it (log factor 10, no decay).
 */
static uint8_t
ks_clock_minute(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ((uint8_t)(ts.tv_sec / 60));
}

static void
ks_touch(const struct keyspace *ks, struct entry *e)
{
	uint8_t		 c = e->e_clock;
	double		 base;

	if (!ks->ks_lfu) {
		c = ks_clock_minute();
		if (e->e_clock != c)
			e->e_clock = c;
		return;
	}
	if (c == 255)
		return;
	base = c > KEYSPACE_LFU_INIT ? c - KEYSPACE_LFU_INIT : 0;
	if ((double)arc4random() / UINT32_MAX < 1.0 / (base * 10 + 1))
		e->e_clock = c + 1;
}

long long
entry_idle_seconds(const struct entry *e)
{
	return ((long long)(uint8_t)(ks_clock_minute() - e->e_clock) * 60);
}

void
keyspace_set_lfu(struct keyspace *ks, int on)
{
	ks->ks_lfu = on;
}

void
keyspace_set_clock_locked(struct keyspace *ks, struct ks_stripe *st,
    const struct ks_key *kk, long long idle_s, int freq)
{
	struct entry	*e;

	if ((e = (struct entry *)keyspace_peek_locked(ks, st, kk,
	    INT64_MIN)) == NULL)
		return;
	if (ks->ks_lfu)
		e->e_clock = freq >= 0 ? (uint8_t)freq : KEYSPACE_LFU_INIT;
	else
		e->e_clock = (uint8_t)(ks_clock_minute() -
		    (idle_s > 0 ? (uint8_t)(idle_s / 60 % 256) : 0));
}

/*
 * The clock of a value written over `old' (NULL: a new key).  A new value
 * is a new access; LFU keeps its count, as Redis's dbOverwrite() does.
 */
static uint8_t
ks_new_clock(const struct keyspace *ks, const struct entry *old)
{
	if (!ks->ks_lfu)
		return (ks_clock_minute());
	return (old != NULL ? old->e_clock : KEYSPACE_LFU_INIT);
}

const struct entry *
keyspace_find_locked(struct keyspace *ks, struct ks_stripe *st,
    const struct ks_key *kk, int64_t now_ms)
{
	const struct entry	*e;

	if ((e = keyspace_peek_locked(ks, st, kk, now_ms)) != NULL)
		ks_touch(ks, (struct entry *)e);
	return (e);
}

const struct entry *
keyspace_peek_locked(struct keyspace *ks, struct ks_stripe *st,
    const struct ks_key *kk, int64_t now_ms)
{
	struct ks_where	 w;

	/* Reads move a resize along too, as in Redis's dict. */
	ks_rehash_step(ks, st);
	if (!ks_locate(ks, st, kk, &w))
		return (NULL);
	if (ks_expired(w.e, now_ms)) {
		ks_delete_expired(ks, st, &w);
		return (NULL);
	}
	return (w.e);
}

static int
ks_put(struct keyspace *ks, struct ks_stripe *st, const struct ks_key *kk,
    uint8_t type, const void *val, size_t vlen, int64_t expire_ms, int how)
{
	struct ks_where	 w;
	int		 found;

	ks_rehash_step(ks, st);
	found = ks_locate(ks, st, kk, &w);
	if (!found && ks_prepare_insert(ks, st) == -1)
		return (-1);
	return (ks_write_entry(ks, st, kk, found, &w, type,
	    ks_new_clock(ks, found ? w.e : NULL), val, vlen, expire_ms, how));
}

int
keyspace_put_locked(struct keyspace *ks, struct ks_stripe *st,
    const struct ks_key *kk, uint8_t type, const void *val, size_t vlen,
    int64_t expire_ms)
{
	return (ks_put(ks, st, kk, type, val, vlen, expire_ms, KS_CHAIN_NONE));
}

int
keyspace_put_adopt_locked(struct keyspace *ks, struct ks_stripe *st,
    const struct ks_key *kk, uint8_t type, const void *val, size_t vlen,
    int64_t expire_ms)
{
	return (ks_put(ks, st, kk, type, val, vlen, expire_ms,
	    KS_CHAIN_ADOPT));
}

int
keyspace_delete_locked(struct keyspace *ks, struct ks_stripe *st,
    const struct ks_key *kk)
{
	struct ks_where	 w;

	ks_rehash_step(ks, st);
	if (!ks_locate(ks, st, kk, &w))
		return (0);
	ks_delete_at(ks, st, &w);
	ks_maybe_shrink(ks, st);
	return (1);
}

int
keyspace_set_expire_locked(struct keyspace *ks, struct ks_stripe *st,
    const struct ks_key *kk, int64_t expire_ms)
{
	struct arena	*a = ks->ks_arena;
	struct intent	*in = &st->st_intent;
	struct ks_where	 w;
	const char	*val;
	size_t		 vlen;
	uint32_t	*words;

	ks_rehash_step(ks, st);
	if (!ks_locate(ks, st, kk, &w))
		return (0);
	if (expire_ms < 0 && !(w.e->e_flags & ENTRY_F_EXPIRES))
		return (0);
	if (expire_ms >= 0 && (w.e->e_flags & ENTRY_F_EXPIRES)) {
		/* The entry has room for it: two stores, in place. */
		words = entry_expire_words(w.e);
		intent_begin(ks->ks_arena, in);
		intent_store(a, in, &words[0], (uint32_t)expire_ms);
		intent_store(a, in, &words[1],
		    (uint32_t)((uint64_t)expire_ms >> 32));
		st->st_version++;
		st->st_changes++;
		intent_commit(a, in);
		return (1);
	}
	val = entry_value(w.e, &vlen);
	if (ks_write_entry(ks, st, kk, 1, &w, w.e->e_type, w.e->e_clock, val,
	    vlen, expire_ms, KS_CHAIN_KEEP) == -1)
		return (-1);
	return (1);
}

/*
 * Rename within one stripe, as one intent: the new entry takes the place
 * of the destination (or the head of its bucket) and the source is
 * unlinked.  When the two places touch, the stores are folded so that
 * none of them writes into a retired entry: a source right after the
 * place is skipped by the new entry's link, and a destination right after
 * the source is replaced through the source's own link.  The new entry
 * takes over the source's chunks; the destination's go to the garbage.
 */
static int
ks_rename_within(struct keyspace *ks, struct ks_stripe *st,
    struct ks_where *ws, const struct ks_key *dst, int found,
    struct ks_where *wd, uint8_t type)
{
	struct arena	*a = ks->ks_arena;
	struct intent	*in = &st->st_intent;
	const void	*v;
	char		 vbuf[VALUE_MOVE_MAX];
	size_t		 vlen;
	int64_t		 expire = entry_expire(ws->e);
	aoff_t		 off, next, *link;

	if (dst->kk_len > UINT32_MAX) {
		errno = EFBIG;
		return (-1);
	}
	v = value_move_bytes(ws->e, dst->kk_len, vbuf, &vlen);
	intent_begin(ks->ks_arena, in);
	if (intent_alloc(a, in, entry_size(dst->kk_len, vlen, expire >= 0),
	    &off) == -1) {
		intent_abort(a, in);
		return (-1);
	}
	if (found) {
		link = wd->link;
		next = wd->e->e_next;
	} else {
		link = ks_insert_head(ks, st, dst);
		next = *link;
	}
	if (aoff_eq(next, ws->off))
		next = ws->e->e_next;
	else if (link == &ws->e->e_next)
		link = ws->link;
	else
		intent_store(a, in, &ws->link->u, ws->e->e_next.u);
	entry_fill(ks_entry(ks, off), next, dst->kk_ptr, dst->kk_len, type,
	    ks_new_clock(ks, found ? wd->e : NULL), v, vlen, expire);
	intent_store(a, in, &link->u, off.u);
	intent_retire(ks->ks_arena, in, ws->off);
	if (found) {
		intent_store(a, in, &st->st_nkeys, st->st_nkeys - 1);
		if (wd->e->e_flags & ENTRY_F_EXPIRES)
			intent_store(a, in, &st->st_nexpires,
			    st->st_nexpires - 1);
		intent_retire(ks->ks_arena, in, wd->off);
		ks_garbage_store(ks, st, wd->e, KS_CHAIN_NONE);
	}
	st->st_version++;
	st->st_changes++;
	intent_commit(a, in);
	keyspace_garbage_drain_locked(ks, st);
	return (0);
}

/*
 * Rename from one stripe to another: two intents, parts of one
 * transaction on the record of the stripe of lower address.  The new
 * entry takes over the source's chunks (they belong to no stripe), so the
 * source's part leaves them be; the destination's old chunks go to the
 * garbage of its stripe in its part, drained once both are committed.
 */
static int
ks_rename_across(struct keyspace *ks, struct ks_stripe *from,
    struct ks_where *ws, struct ks_stripe *to, const struct ks_key *dst,
    int found, struct ks_where *wd, uint8_t type)
{
	struct intent_xact	*x;
	struct intent		*parts[2] = { &to->st_intent, &from->st_intent };
	const void		*v;
	char			 vbuf[VALUE_MOVE_MAX];
	size_t			 vlen;

	v = value_move_bytes(ws->e, dst->kk_len, vbuf, &vlen);
	x = ks_xact_begin(ks, from < to ? from : to);
	ks_xact_join(ks, x, to);
	if (ks_write_fill(ks, to, dst, found, wd, type,
	    ks_new_clock(ks, found ? wd->e : NULL), v, vlen,
	    entry_expire(ws->e), KS_CHAIN_NONE) == -1) {
		intent_xact_abort(ks->ks_arena, x, parts, 1);
		return (-1);
	}
	CRASHPOINT(keyspace_rename_half);
	ks_xact_join(ks, x, from);
	ks_delete_fill(ks, from, ws, KS_CHAIN_MOVE);
	intent_xact_commit(ks->ks_arena, x, parts, 2);
	CRASHPOINT(keyspace_rename_committed);
	keyspace_garbage_drain_locked(ks, to);
	return (0);
}

int
keyspace_copy_locked(struct keyspace *ks, struct ks_stripe *from,
    const struct ks_key *src, struct ks_stripe *to,
    const struct ks_key *dst, int64_t now_ms, int keep, int tag)
{
	const struct entry	*e;
	struct ks_where		 ws, wd;
	const char		*v;
	size_t			 vlen;
	int			 found, rv;

	if (keep) {
		if ((e = keyspace_peek_locked(ks, from, src, now_ms)) == NULL)
			return (0);
		/* A chain is copied node by node. */
		if (!aoff_isnull(value_chain(ks->ks_arena, e)))
			return (value_copy_locked(ks, to, dst, e) == -1 ? -1 :
			    1);
		/*
		 * The source entry stays where it is while the copy is put
		 * (a rehash relinks entries, it never moves them), so its
		 * bytes can be the value.
		 */
		v = entry_value(e, &vlen);
		if (keyspace_put_locked(ks, to, dst, tag < 0 ? e->e_type :
		    (uint8_t)tag, v, vlen, entry_expire(e)) == -1)
			return (-1);
		return (1);
	}
	ks_rehash_step(ks, from);
	if (!ks_locate(ks, from, src, &ws))
		return (0);
	if (ks_expired(ws.e, now_ms)) {
		ks_delete_expired(ks, from, &ws);
		return (0);
	}
	/* Within one stripe, the rehash step above was the stripe's. */
	if (to != from)
		ks_rehash_step(ks, to);
	found = ks_locate(ks, to, dst, &wd);
	if (found && wd.off.u == ws.off.u)
		return (1);
	if (to == from)
		rv = ks_rename_within(ks, to, &ws, dst, found, &wd,
		    tag < 0 ? ws.e->e_type : (uint8_t)tag);
	else {
		if (!found && ks_prepare_insert(ks, to) == -1)
			return (-1);
		rv = ks_rename_across(ks, from, &ws, to, dst, found, &wd,
		    tag < 0 ? ws.e->e_type : (uint8_t)tag);
	}
	if (rv == -1)
		return (-1);
	ks_maybe_shrink(ks, from);
	return (1);
}

/* Unlocked forms. */

int
keyspace_put(struct keyspace *ks, unsigned db, const void *key, size_t klen,
    uint8_t type, const void *val, size_t vlen, int64_t expire_ms)
{
	struct ks_key		 kk;
	struct ks_stripe	*st;
	int			 rv;

	keyspace_key(ks, &kk, key, klen);
	st = keyspace_lock(ks, db, &kk);
	rv = keyspace_put_locked(ks, st, &kk, type, val, vlen, expire_ms);
	keyspace_unlock(ks, st);
	return (rv);
}

int
keyspace_delete(struct keyspace *ks, unsigned db, const void *key,
    size_t klen)
{
	struct ks_key		 kk;
	struct ks_stripe	*st;
	int			 rv;

	keyspace_key(ks, &kk, key, klen);
	st = keyspace_lock(ks, db, &kk);
	rv = keyspace_delete_locked(ks, st, &kk);
	keyspace_unlock(ks, st);
	return (rv);
}

int
keyspace_set_expire(struct keyspace *ks, unsigned db, const void *key,
    size_t klen, int64_t expire_ms, int64_t now_ms)
{
	struct ks_key		 kk;
	struct ks_stripe	*st;
	int			 rv = 0;

	keyspace_key(ks, &kk, key, klen);
	st = keyspace_lock(ks, db, &kk);
	if (keyspace_find_locked(ks, st, &kk, now_ms) != NULL)
		rv = keyspace_set_expire_locked(ks, st, &kk, expire_ms);
	keyspace_unlock(ks, st);
	return (rv);
}

int
keyspace_get(struct keyspace *ks, unsigned db, const void *key, size_t klen,
    int64_t now_ms, void *buf, size_t cap, size_t *vlen, int64_t *expire_ms,
    uint8_t *type)
{
	struct ks_key		 kk;
	struct ks_stripe	*st;
	const struct entry	*e;
	const char		*v;
	size_t			 len;

	keyspace_key(ks, &kk, key, klen);
	st = keyspace_lock(ks, db, &kk);
	if ((e = keyspace_find_locked(ks, st, &kk, now_ms)) == NULL) {
		keyspace_unlock(ks, st);
		return (0);
	}
	v = entry_value(e, &len);
	memcpy(buf, v, len < cap ? len : cap);
	*vlen = len;
	if (expire_ms != NULL)
		*expire_ms = entry_expire(e);
	if (type != NULL)
		*type = e->e_type;
	keyspace_unlock(ks, st);
	return (1);
}

/* Whole-database operations. */

static int
ks_random_in_stripe(struct keyspace *ks, struct ks_stripe *st,
    int64_t now_ms, keyspace_visit_fn fn, void *arg)
{
	struct ks_table	*t0 = ks_table(ks, st->st_table[0]);
	struct ks_table	*t1 = ks_table(ks, st->st_table[1]);
	uint32_t	 size0 = ks_table_size(t0), size1 = ks_table_size(t1);
	uint32_t	 r, n, lo;
	aoff_t		*link, o;
	struct ks_where	 w;

	if (st->st_nkeys == 0)
		return (0);
	lo = t1 != NULL ? st->st_rehash : 0;
	do {
		r = lo + arc4random_uniform(size0 + size1 - lo);
		link = r < size0 ? &t0->kt_bucket[r] :
		    &t1->kt_bucket[r - size0];
	} while (aoff_isnull(*link));
	for (n = 0, o = *link; !aoff_isnull(o); o = ks_entry(ks, o)->e_next)
		n++;
	for (r = arc4random_uniform(n); r > 0; r--)
		link = &ks_entry(ks, *link)->e_next;
	w.link = link;
	w.off = *link;
	w.e = ks_entry(ks, w.off);
	if (ks_expired(w.e, now_ms)) {
		ks_delete_expired(ks, st, &w);
		return (-1);
	}
	fn(w.e, arg);
	return (1);
}

int
keyspace_random(struct keyspace *ks, unsigned db, int64_t now_ms,
    keyspace_visit_fn fn, void *arg)
{
	struct ks_stripe	*st;
	uint32_t		 nst = keyspace_stripes(ks), s, i;
	uint64_t		 keys, expires;
	int			 tries, rv;

	for (tries = 0; tries < 100; tries++) {
		keyspace_count(ks, db, &keys, &expires);
		if (keys == 0)
			return (0);
		s = arc4random_uniform(nst);
		for (i = 0; i < nst; i++) {
			st = ks_stripe_at(ks, ks_phys_guess(ks, db),
			    (s + i) % nst);
			if (shm_load32(&st->st_nkeys) != 0)
				break;
		}
		if (i == nst)
			continue;
		st = ks_lock_db_stripe(ks, db, (s + i) % nst);
		rv = ks_random_in_stripe(ks, st, now_ms, fn, arg);
		lock_release(&st->st_lock);
		if (rv == 1)
			return (1);
	}
	return (0);
}

static uint64_t
rev64(uint64_t v)
{
	v = ((v >> 1) & 0x5555555555555555ULL) | ((v & 0x5555555555555555ULL) << 1);
	v = ((v >> 2) & 0x3333333333333333ULL) | ((v & 0x3333333333333333ULL) << 2);
	v = ((v >> 4) & 0x0f0f0f0f0f0f0f0fULL) | ((v & 0x0f0f0f0f0f0f0f0fULL) << 4);
	return (__builtin_bswap64(v));
}

/* Advance a reverse-binary cursor over the bits of `mask'. */
static uint64_t
ks_cursor_next(uint64_t v, uint64_t mask)
{
	v |= ~mask;
	v = rev64(v);
	v++;
	return (rev64(v));
}

static void
ks_visit_chain(struct keyspace *ks, aoff_t o, int64_t now_ms,
    keyspace_visit_fn fn, void *arg)
{
	const struct entry	*e;

	for (; !aoff_isnull(o); o = e->e_next) {
		e = ks_entry(ks, o);
		if (!ks_expired(e, now_ms))
			fn(e, arg);
	}
}

void
keyspace_stripe_visit_locked(struct keyspace *ks, struct ks_stripe *st,
    keyspace_visit_fn fn, void *arg)
{
	struct ks_table		*t;
	const struct entry	*e;
	aoff_t			 o;
	uint32_t		 b;
	int			 i;

	for (i = 0; i < 2; i++) {
		if ((t = ks_table(ks, st->st_table[i])) == NULL)
			continue;
		for (b = 0; b < ks_table_size(t); b++)
			for (o = t->kt_bucket[b]; !aoff_isnull(o);
			    o = e->e_next) {
				e = ks_entry(ks, o);
				fn(e, arg);
			}
	}
}

/* One bucket step of Redis's dictScan in one stripe; returns the next v. */
static uint64_t
ks_scan_stripe(struct keyspace *ks, struct ks_stripe *st, uint64_t v,
    int64_t now_ms, keyspace_visit_fn fn, void *arg)
{
	struct ks_table	*small = ks_table(ks, st->st_table[0]);
	struct ks_table	*big = ks_table(ks, st->st_table[1]);
	struct ks_table	*swap;
	uint64_t	 m0, m1;

	if (small == NULL)
		return (0);
	if (big == NULL) {
		m0 = ks_table_size(small) - 1;
		ks_visit_chain(ks, small->kt_bucket[v & m0], now_ms, fn, arg);
		return (ks_cursor_next(v, m0));
	}
	if (ks_table_size(small) > ks_table_size(big)) {
		swap = small;
		small = big;
		big = swap;
	}
	m0 = ks_table_size(small) - 1;
	m1 = ks_table_size(big) - 1;
	ks_visit_chain(ks, small->kt_bucket[v & m0], now_ms, fn, arg);
	do {
		ks_visit_chain(ks, big->kt_bucket[v & m1], now_ms, fn, arg);
		v = ks_cursor_next(v, m1);
	} while (v & (m0 ^ m1));
	return (v);
}

uint64_t
keyspace_scan(struct keyspace *ks, unsigned db, uint64_t cursor,
    int64_t now_ms, keyspace_visit_fn fn, void *arg)
{
	unsigned		 k = ks->ks_reg->kr_stripes_log2;
	uint32_t		 s = (uint32_t)(cursor & ((1ULL << k) - 1));
	uint64_t		 v = cursor >> k;
	struct ks_stripe	*st;

	for (; s < keyspace_stripes(ks); s++, v = 0) {
		st = ks_stripe_at(ks, ks_phys_guess(ks, db), s);
		if (v == 0 && shm_load32(&st->st_nkeys) == 0)
			continue;
		st = ks_lock_db_stripe(ks, db, s);
		v = ks_scan_stripe(ks, st, v, now_ms, fn, arg);
		lock_release(&st->st_lock);
		if (v != 0)
			return (v << k | s);
		if (s + 1 < keyspace_stripes(ks))
			return ((uint64_t)(s + 1));
		return (0);
	}
	return (0);
}

void
keyspace_visit_stripe(struct keyspace *ks, unsigned db, uint32_t s,
    int64_t now_ms, keyspace_visit_fn fn, void *arg)
{
	struct ks_stripe	*st;
	struct ks_table		*t;
	uint32_t		 b;
	int			 i;

	st = ks_stripe_at(ks, ks_phys_guess(ks, db), s);
	if (shm_load32(&st->st_nkeys) == 0)
		return;
	st = ks_lock_db_stripe(ks, db, s);
	for (i = 0; i < 2; i++) {
		if ((t = ks_table(ks, st->st_table[i])) == NULL)
			continue;
		for (b = 0; b < ks_table_size(t); b++)
			ks_visit_chain(ks, t->kt_bucket[b], now_ms, fn, arg);
	}
	lock_release(&st->st_lock);
}

static void
ks_flush_stripe(struct keyspace *ks, struct ks_stripe *st)
{
	struct arena	*a = ks->ks_arena;
	struct intent	*in = &st->st_intent;
	struct ks_table	*t;
	struct ks_where	 w;
	uint32_t	 b;
	int		 i;

	for (i = 0; i < 2; i++) {
		if ((t = ks_table(ks, st->st_table[i])) == NULL)
			continue;
		for (b = 0; b < ks_table_size(t); b++) {
			w.link = &t->kt_bucket[b];
			while (!aoff_isnull(w.off = *w.link)) {
				w.e = ks_entry(ks, w.off);
				ks_delete_at(ks, st, &w);
			}
		}
	}
	if (aoff_isnull(st->st_table[0]) && aoff_isnull(st->st_table[1]))
		return;
	intent_begin(ks->ks_arena, in);
	for (i = 0; i < 2; i++) {
		if (aoff_isnull(st->st_table[i]))
			continue;
		intent_store(a, in, &st->st_table[i].u, 0);
		intent_retire(ks->ks_arena, in, st->st_table[i]);
	}
	intent_store(a, in, &st->st_rehash, 0);
	st->st_version++;
	intent_commit(a, in);
}

void
keyspace_flush(struct keyspace *ks, unsigned db)
{
	struct ks_stripe	*st;
	uint32_t		 s;

	for (s = 0; s < keyspace_stripes(ks); s++) {
		st = ks_lock_db_stripe(ks, db, s);
		ks_flush_stripe(ks, st);
		lock_release(&st->st_lock);
	}
}

void
keyspace_count(struct keyspace *ks, unsigned db, uint64_t *keys,
    uint64_t *expires)
{
	struct ks_stripe	*st;
	uint32_t		 s;
	unsigned		 p;

	*keys = *expires = 0;
	p = ks_phys_guess(ks, db);
	for (s = 0; s < keyspace_stripes(ks); s++) {
		st = ks_stripe_at(ks, p, s);
		*keys += shm_load32(&st->st_nkeys);
		*expires += shm_load32(&st->st_nexpires);
	}
}

void
keyspace_flush_all(struct keyspace *ks)
{
	unsigned	 db;

	for (db = 0; db < keyspace_databases(ks); db++)
		keyspace_flush(ks, db);
}

uint64_t
keyspace_count_all(struct keyspace *ks)
{
	uint64_t	 keys, expires, sum = 0;
	unsigned	 db;

	for (db = 0; db < keyspace_databases(ks); db++) {
		keyspace_count(ks, db, &keys, &expires);
		sum += keys;
	}
	return (sum);
}

/*
 * Active expiry.  The sweep walks the buckets of a stripe from where the
 * last sweep of that stripe stopped (st_sweep, a hint that any taker may
 * move), over table 0 from the rehash index and then table 1.
 */
unsigned
keyspace_expire_sweep(struct keyspace *ks, unsigned db, uint32_t s,
    int64_t now_ms, unsigned budget, unsigned *visited)
{
	struct ks_stripe	*st;
	struct ks_table		*t0, *t1;
	struct ks_where		 w;
	uint32_t		 size0, size1, lo, span, b, steps;
	unsigned		 deleted = 0, seen = 0;

	*visited = 0;
	st = ks_stripe_at(ks, ks_phys_guess(ks, db), s);
	if (shm_load32(&st->st_nexpires) == 0)
		return (0);
	st = ks_lock_db_stripe(ks, db, s);
	t0 = ks_table(ks, st->st_table[0]);
	t1 = ks_table(ks, st->st_table[1]);
	size0 = ks_table_size(t0);
	size1 = ks_table_size(t1);
	lo = t1 != NULL ? st->st_rehash : 0;
	span = size0 + size1 - lo;
	/* Empty buckets cost too, but ten times less than a key. */
	for (steps = 0; st->st_nexpires > 0 && span > 0 && seen < budget &&
	    steps < span && steps < budget * 10; steps++) {
		b = lo + (st->st_sweep + steps) % span;
		w.link = b < size0 ? &t0->kt_bucket[b] :
		    &t1->kt_bucket[b - size0];
		while (!aoff_isnull(w.off = *w.link)) {
			w.e = ks_entry(ks, w.off);
			seen++;
			if (ks_expired(w.e, now_ms)) {
				ks_delete_expired(ks, st, &w);
				CRASHPOINT(keyspace_sweep_deleted);
				deleted++;
			} else
				w.link = &w.e->e_next;
		}
	}
	if (span > 0)
		st->st_sweep = (st->st_sweep + steps) % span;
	if (deleted > 0)
		ks_maybe_shrink(ks, st);
	keyspace_unlock(ks, st);
	*visited = seen;
	return (deleted);
}
