/*
 * keyspace.c: the databases, as striped chained hash tables in the arena.
 *
 * Run by workers (and by tools and tests).  Locks: the stripe lock of the
 * key (one at a time), and through the allocator the slab locks after it.
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
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hydra/crashpoint.h"
#include "hydra/hash.h"
#include "hydra/log.h"
#include "hydra/slab.h"
#include "keyspace_internal.h"

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
	    ap->ap_stripes_log2) * sizeof(struct ks_stripe));
}

int
keyspace_shm_init(struct arena *a, void *region, const struct arena_params *ap)
{
	struct ks_region	*kr = region;
	struct ks_stripe	*st;
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
	}
	return (0);
}

int
keyspace_open(struct keyspace *ks, struct arena *a)
{
	ks->ks_arena = a;
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

static int
ks_stripe_repair(void *arg)
{
	struct ks_repair_ctx	*ctx = arg;
	struct ks_stripe	*st = ctx->st;
	int			 rolled;

	if (intent_repair(ctx->ks->ks_arena, &st->st_intent, &rolled) == -1)
		return (-1);
	st->st_version++;
	if (rolled != 0)
		log_info("keyspace repair: stripe %zu rolled %s",
		    (size_t)(st - ctx->ks->ks_reg->kr_stripe),
		    rolled > 0 ? "forward" : "back");
	return (0);
}

void
ks_lock_stripe(struct keyspace *ks, struct ks_stripe *st)
{
	struct ks_repair_ctx	 ctx = { ks, st };

	lock_acquire(&st->st_lock, ks_stripe_repair, &ctx);
}

struct ks_stripe *
keyspace_lock(struct keyspace *ks, unsigned db, const struct ks_key *kk)
{
	struct ks_stripe	*st;

	st = ks_stripe_at(ks, db, ks_stripe_of(ks, kk->kk_hash));
	ks_lock_stripe(ks, st);
	return (st);
}

struct ks_stripe *
keyspace_stripe(struct keyspace *ks, unsigned db, const struct ks_key *kk)
{
	return (ks_stripe_at(ks, db, ks_stripe_of(ks, kk->kk_hash)));
}

void
keyspace_lock_stripe(struct keyspace *ks, struct ks_stripe *st)
{
	ks_lock_stripe(ks, st);
}

void
keyspace_unlock(struct keyspace *ks, struct ks_stripe *st)
{
	(void)ks;
	lock_release(&st->st_lock);
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

	intent_begin(in);
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
		intent_begin(in);
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

	if (aoff_isnull(st->st_table[1]))
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
	intent_begin(in);
	intent_store(a, in, &st->st_table[0].u, st->st_table[1].u);
	intent_store(a, in, &st->st_table[1].u, 0);
	intent_store(a, in, &st->st_rehash, 0);
	intent_retire(in, st->st_table[0]);
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

/*
 * Write a new entry for a key: in place of w->e when `found', else at the
 * head of its bucket.  The key, value and clock may point into the entry
 * being replaced (it is freed only after the new one is published).
 */
static int
ks_write_entry(struct keyspace *ks, struct ks_stripe *st,
    const struct ks_key *kk, int found, struct ks_where *w, uint8_t type,
    uint8_t clock, const void *val, size_t vlen, int64_t expire_ms)
{
	struct arena	*a = ks->ks_arena;
	struct intent	*in = &st->st_intent;
	struct ks_table	*t;
	aoff_t		 off, *head;
	int		 had = 0, has = expire_ms >= 0;

	if (vlen > UINT32_MAX || kk->kk_len > UINT32_MAX) {
		errno = EFBIG;
		return (-1);
	}
	intent_begin(in);
	if (intent_alloc(a, in, entry_size(kk->kk_len, vlen, has),
	    &off) == -1) {
		intent_abort(a, in);
		return (-1);
	}
	if (found) {
		had = (w->e->e_flags & ENTRY_F_EXPIRES) != 0;
		entry_fill(ks_entry(ks, off), w->e->e_next, kk->kk_ptr,
		    kk->kk_len, type, clock, val, vlen, expire_ms);
		intent_store(a, in, &w->link->u, off.u);
		intent_retire(in, w->off);
	} else {
		t = ks_table(ks, st->st_table[aoff_isnull(st->st_table[1]) ?
		    0 : 1]);
		head = &t->kt_bucket[kk->kk_hash & (ks_table_size(t) - 1)];
		entry_fill(ks_entry(ks, off), *head, kk->kk_ptr, kk->kk_len,
		    type, clock, val, vlen, expire_ms);
		intent_store(a, in, &head->u, off.u);
		intent_store(a, in, &st->st_nkeys, st->st_nkeys + 1);
	}
	if (has != had)
		intent_store(a, in, &st->st_nexpires,
		    st->st_nexpires + (uint32_t)(has - had));
	st->st_version++;
	intent_commit(a, in);
	return (0);
}

static void
ks_delete_at(struct keyspace *ks, struct ks_stripe *st, struct ks_where *w)
{
	struct arena	*a = ks->ks_arena;
	struct intent	*in = &st->st_intent;

	intent_begin(in);
	intent_store(a, in, &w->link->u, w->e->e_next.u);
	intent_store(a, in, &st->st_nkeys, st->st_nkeys - 1);
	if (w->e->e_flags & ENTRY_F_EXPIRES)
		intent_store(a, in, &st->st_nexpires, st->st_nexpires - 1);
	intent_retire(in, w->off);
	st->st_version++;
	intent_commit(a, in);
}

static int
ks_expired(const struct entry *e, int64_t now_ms)
{
	int64_t	 when = entry_expire(e);

	return (when != KEYSPACE_NO_EXPIRE && now_ms > when);
}

const struct entry *
keyspace_find_locked(struct keyspace *ks, struct ks_stripe *st,
    const struct ks_key *kk, int64_t now_ms)
{
	struct ks_where	 w;

	/* Reads move a resize along too, as in Redis's dict. */
	ks_rehash_step(ks, st);
	if (!ks_locate(ks, st, kk, &w))
		return (NULL);
	if (ks_expired(w.e, now_ms)) {
		ks_delete_at(ks, st, &w);
		return (NULL);
	}
	return (w.e);
}

int
keyspace_put_locked(struct keyspace *ks, struct ks_stripe *st,
    const struct ks_key *kk, uint8_t type, const void *val, size_t vlen,
    int64_t expire_ms)
{
	struct ks_where	 w;
	int		 found;

	ks_rehash_step(ks, st);
	found = ks_locate(ks, st, kk, &w);
	if (!found && ks_prepare_insert(ks, st) == -1)
		return (-1);
	return (ks_write_entry(ks, st, kk, found, &w, type,
	    found ? w.e->e_clock : 0, val, vlen, expire_ms));
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
		intent_begin(in);
		intent_store(a, in, &words[0], (uint32_t)expire_ms);
		intent_store(a, in, &words[1],
		    (uint32_t)((uint64_t)expire_ms >> 32));
		st->st_version++;
		intent_commit(a, in);
		return (1);
	}
	val = entry_value(w.e, &vlen);
	if (ks_write_entry(ks, st, kk, 1, &w, w.e->e_type, w.e->e_clock, val,
	    vlen, expire_ms) == -1)
		return (-1);
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
		ks_delete_at(ks, st, &w);
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
			st = ks_stripe_at(ks, db, (s + i) % nst);
			if (shm_load32(&st->st_nkeys) != 0)
				break;
		}
		if (i == nst)
			continue;
		ks_lock_stripe(ks, st);
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
		st = ks_stripe_at(ks, db, s);
		if (v == 0 && shm_load32(&st->st_nkeys) == 0)
			continue;
		ks_lock_stripe(ks, st);
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
	intent_begin(in);
	for (i = 0; i < 2; i++) {
		if (aoff_isnull(st->st_table[i]))
			continue;
		intent_store(a, in, &st->st_table[i].u, 0);
		intent_retire(in, st->st_table[i]);
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
		st = ks_stripe_at(ks, db, s);
		ks_lock_stripe(ks, st);
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

	*keys = *expires = 0;
	for (s = 0; s < keyspace_stripes(ks); s++) {
		st = ks_stripe_at(ks, db, s);
		*keys += shm_load32(&st->st_nkeys);
		*expires += shm_load32(&st->st_nexpires);
	}
}
