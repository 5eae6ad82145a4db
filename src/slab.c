/*
 * slab.c: the size-class slab allocator of the arena.
 *
 * Run by every process that changes the keyspace.  Locks: the lock of the
 * class being allocated from or freed to, and inside it (for fresh pages
 * and for page runs) the pool lock.  Callers may hold keyspace stripe
 * locks; the allocator never takes one.
 *
 * Crash story.  Every operation writes its slab_intent (op last) before it
 * changes anything, and clears the op when done.  The state that matters is
 * small and single-store: a chunk's bit, a page descriptor's sp_state, the
 * caller's record.  Counters (sp_nfree, sc_used, sc_pages, sp_free) are
 * recomputed from the bitmaps and descriptors by repair.  Repair, run by the
 * next taker of a lock whose owner died:
 *   ALLOC with a chunk chosen: roll forward (set the bit, write the record);
 *   FREE: roll forward (clear the bit, clear the record if it still names
 *   the chunk);
 *   TAKE_PAGE, RELEASE_PAGE: the sp_state store decided it; nothing to do;
 *   RUN_ALLOC: forward if the head was published (mark the tails, write the
 *   record), otherwise nothing happened;
 *   RUN_FREE: roll forward (every page of the run free, record cleared).
 * Each step checks before it writes, so a repairer that dies can be
 * repaired in turn.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hydra/crashpoint.h"
#include "hydra/log.h"
#include "slab_internal.h"

struct slab_repair_ctx {
	struct arena		*a;
	struct slab_class	*sc;
};

static int	 slab_class_repair(void *);
static int	 slab_pool_repair(void *);

/* Bytes of bitmap in front of a page's chunks, for n chunks. */
static uint32_t
slab_hdr_bytes(uint32_t n)
{
	return (((n + 63) / 64) * 8);
}

size_t
slab_shm_size(const struct arena_params *ap, size_t npages)
{
	(void)ap;
	return (sizeof(struct slab_region) + npages *
	    sizeof(struct slab_page));
}

int
slab_shm_init(struct arena *a, void *region, const struct arena_params *ap)
{
	struct slab_region	*sr = region;
	struct slab_class	*sc;
	uint32_t		 size, n, i, nc = 0, prev = 0;

	(void)ap;
	memset(sr, 0, sizeof(*sr));
	sr->sr_npages = a->ar_hdr->ah_npages;
	memset(sr->sr_page, 0, sr->sr_npages * sizeof(struct slab_page));
	if (lock_init(&sr->sr_pool.sp_lock) == -1)
		return (-1);
	sr->sr_pool.sp_free = sr->sr_npages;

	/* 8-byte steps to 128, then x1.25, while two chunks fit a page. */
	for (size = SLAB_MIN_CHUNK; nc < SLAB_MAX_CLASSES; ) {
		n = ARENA_PAGE_SIZE / size;
		while (n > 0 && slab_hdr_bytes(n) + n * size > ARENA_PAGE_SIZE)
			n--;
		if (n < 2)
			break;
		if (size == prev)
			break;
		sc = &sr->sr_class[nc++];
		if (lock_init(&sc->sc_lock) == -1)
			return (-1);
		sc->sc_size = size;
		sc->sc_per_page = n;
		sc->sc_hdr = slab_hdr_bytes(n);
		prev = size;
		if (size < 128)
			size += 8;
		else {
			size = (size + size / 4 + 7) & ~7U;
			n = (ARENA_PAGE_SIZE - 64) / 2 & ~7U;
			if (size > n && prev < n)
				size = n;
		}
	}
	sr->sr_nclasses = nc;
	for (i = 0; i < nc; i++)
		log_debug("slab class %u: %u bytes, %u per page", i,
		    sr->sr_class[i].sc_size, sr->sr_class[i].sc_per_page);
	return (0);
}

static int
slab_class_of(const struct slab_region *sr, size_t size)
{
	uint32_t	 lo = 0, hi = sr->sr_nclasses, mid;

	if (size <= 128)
		return (size <= SLAB_MIN_CHUNK ? 0 :
		    (int)((size - SLAB_MIN_CHUNK + 7) / 8));
	if (size > sr->sr_class[sr->sr_nclasses - 1].sc_size)
		return (-1);
	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (sr->sr_class[mid].sc_size < size)
			lo = mid + 1;
		else
			hi = mid;
	}
	return ((int)lo);
}

static void
slab_bit_put(uint64_t *bm, uint32_t i, int on)
{
	uint64_t	 w = bm[i >> 6], bit = 1ULL << (i & 63);

	w = on ? (w | bit) : (w & ~bit);
	compiler_barrier();
	__atomic_store_n(&bm[i >> 6], w, __ATOMIC_RELAXED);
	compiler_barrier();
}

static void
slab_intent_start(struct slab_intent *si, uint32_t op, uint32_t page,
    uint32_t npages, aoff_t chunk, uint64_t record)
{
	si->si_page = page;
	si->si_npages = npages;
	si->si_chunk = chunk;
	si->si_record = record;
	shm_store32(&si->si_op, op);
}

static void
slab_intent_end(struct slab_intent *si)
{
	shm_store32(&si->si_op, SLAB_OP_NONE);
}

void
slab_class_lock(struct arena *a, struct slab_class *sc)
{
	struct slab_repair_ctx	 ctx = { a, sc };

	lock_acquire(&sc->sc_lock, slab_class_repair, &ctx);
}

void
slab_pool_lock(struct arena *a)
{
	struct slab_repair_ctx	 ctx = { a, NULL };

	lock_acquire(&slab_region(a)->sr_pool.sp_lock, slab_pool_repair, &ctx);
}

static uint8_t
slab_page_state(const struct slab_page *sp)
{
	return (__atomic_load_n(&sp->sp_state, __ATOMIC_RELAXED));
}

static void
slab_page_set_state(struct slab_page *sp, uint8_t state)
{
	compiler_barrier();
	__atomic_store_n(&sp->sp_state, state, __ATOMIC_RELAXED);
	compiler_barrier();
}

/* Claim backing store for a page once; pool lock held. */
static int
slab_commit_page_locked(struct arena *a, uint32_t page)
{
	struct slab_page	*sp = &slab_region(a)->sr_page[page];

	if (sp->sp_committed)
		return (0);
	if (arena_commit(a, a->ar_hdr->ah_pages_off +
	    (uint64_t)page * ARENA_PAGE_SIZE, ARENA_PAGE_SIZE) == -1)
		return (-1);
	sp->sp_committed = 1;
	return (0);
}

/* A free page for class `cls', or UINT32_MAX when none is left. */
static uint32_t
slab_take_page(struct arena *a, unsigned cls)
{
	struct slab_region	*sr = slab_region(a);
	struct slab_pool	*pool = &sr->sr_pool;
	struct slab_class	*sc = &sr->sr_class[cls];
	struct slab_page	*sp;
	uint32_t		 i, p = UINT32_MAX;

	slab_pool_lock(a);
	for (i = 0; i < sr->sr_npages; i++) {
		p = (pool->sp_hint + i) % sr->sr_npages;
		if (slab_page_state(&sr->sr_page[p]) == PAGE_FREE)
			break;
	}
	if (i == sr->sr_npages) {
		lock_release(&pool->sp_lock);
		errno = ENOMEM;
		return (UINT32_MAX);
	}
	slab_intent_start(&pool->sp_intent, SLAB_OP_TAKE_PAGE, p, 1,
	    AOFF_NULL, 0);
	if (slab_commit_page_locked(a, p) == -1) {
		slab_intent_end(&pool->sp_intent);
		lock_release(&pool->sp_lock);
		errno = ENOMEM;
		return (UINT32_MAX);
	}
	sp = &sr->sr_page[p];
	/* A page given back by its class, empty, has that class's bitmap. */
	if (sp->sp_class != cls)
		memset(slab_page_base(a, p), 0, sc->sc_hdr);
	sp->sp_class = (uint8_t)cls;
	sp->sp_nfree = sc->sc_per_page;
	slab_page_set_state(sp, PAGE_SLAB);
	CRASHPOINT(slab_page_taken);
	pool->sp_hint = p + 1;
	pool->sp_free--;
	sc->sc_pages++;
	slab_intent_end(&pool->sp_intent);
	lock_release(&pool->sp_lock);
	return (p);
}

/* Give an empty page of a class back to the pool; class lock held. */
static void
slab_release_page_locked(struct arena *a, struct slab_class *sc,
    uint32_t p)
{
	struct slab_region	*sr = slab_region(a);
	struct slab_pool	*pool = &sr->sr_pool;

	slab_pool_lock(a);
	slab_intent_start(&pool->sp_intent, SLAB_OP_RELEASE_PAGE, p, 1,
	    AOFF_NULL, 0);
	slab_page_set_state(&sr->sr_page[p], PAGE_FREE);
	CRASHPOINT(slab_page_released);
	if (p < pool->sp_hint)
		pool->sp_hint = p;
	pool->sp_free++;
	sc->sc_pages--;
	slab_intent_end(&pool->sp_intent);
	lock_release(&pool->sp_lock);
}

/*
 * The pool is empty: give back the empty pages other classes hold (a page
 * emptied by a repair, rather than by slab_free, stays with its class).
 * `holding' is the class whose lock the caller holds, or NULL; other
 * class locks are only tried, never waited for, since the caller may
 * already hold one.  Returns the pages released.
 */
static uint32_t
slab_reclaim_empty(struct arena *a, struct slab_class *holding)
{
	struct slab_region	*sr = slab_region(a);
	struct slab_class	*sc;
	struct slab_repair_ctx	 ctx;
	struct slab_page	*sp;
	uint32_t		 c, p, n = 0;

	for (c = 0; c < sr->sr_nclasses; c++) {
		sc = &sr->sr_class[c];
		ctx.a = a;
		ctx.sc = sc;
		if (sc == holding ||
		    !lock_tryacquire(&sc->sc_lock, slab_class_repair, &ctx))
			continue;
		for (p = 0; p < sr->sr_npages; p++) {
			sp = &sr->sr_page[p];
			if (slab_page_state(sp) == PAGE_SLAB &&
			    sp->sp_class == c &&
			    sp->sp_nfree == sc->sc_per_page) {
				slab_release_page_locked(a, sc, p);
				n++;
			}
		}
		lock_release(&sc->sc_lock);
	}
	return (n);
}

/* A page of class `cls' with a free chunk, or UINT32_MAX. */
static uint32_t
slab_find_page_locked(struct arena *a, unsigned cls)
{
	struct slab_region	*sr = slab_region(a);
	struct slab_class	*sc = &sr->sr_class[cls];
	struct slab_page	*sp;
	uint32_t		 i, p, seen = 0;

	p = sc->sc_cur;
	if (p < sr->sr_npages) {
		sp = &sr->sr_page[p];
		if (slab_page_state(sp) == PAGE_SLAB && sp->sp_class == cls &&
		    sp->sp_nfree > 0)
			return (p);
	}
	/*
	 * The walk ends once it has seen every page the class holds (a
	 * count that repair may leave short costs a fresh page, no more).
	 */
	for (i = 0; i < sr->sr_npages && seen < sc->sc_pages; i++) {
		sp = &sr->sr_page[i];
		if (slab_page_state(sp) != PAGE_SLAB || sp->sp_class != cls)
			continue;
		if (sp->sp_nfree > 0)
			return (i);
		seen++;
	}
	if ((p = slab_take_page(a, cls)) == UINT32_MAX &&
	    slab_reclaim_empty(a, sc) > 0)
		p = slab_take_page(a, cls);
	return (p);
}

/*
 * Where this process last found a free chunk, per class: a hint only, in
 * private memory.  The search starts there and wraps around, so a stale
 * hint (another process allocated or freed since, or the class moved to
 * another page) costs time, never a wrong answer.  Without it every
 * allocation scanned the bitmap from its first word under the class lock.
 */
static uint32_t	slab_hint_page[SLAB_MAX_CLASSES];
static uint32_t	slab_hint_word[SLAB_MAX_CLASSES];

/* A free chunk of page p of class cls (bitmap bm of n chunks). */
static uint32_t
slab_find_bit(const uint64_t *bm, uint32_t n, unsigned cls, uint32_t p)
{
	uint32_t	 w, k, nw = (n + 63) / 64, i;

	w = slab_hint_page[cls] == p && slab_hint_word[cls] < nw ?
	    slab_hint_word[cls] : 0;
	for (k = 0; k < nw; k++, w = w + 1 == nw ? 0 : w + 1) {
		if (bm[w] == ~0ULL)
			continue;
		i = w * 64 + (uint32_t)__builtin_ctzll(~bm[w]);
		if (i >= n)
			continue;
		slab_hint_page[cls] = p;
		slab_hint_word[cls] = w;
		return (i);
	}
	return (UINT32_MAX);
}

static int
slab_alloc_chunk(struct arena *a, unsigned cls, aoff_t *record)
{
	struct slab_region	*sr = slab_region(a);
	struct slab_class	*sc = &sr->sr_class[cls];
	struct slab_page	*sp;
	uint64_t		*bm;
	uint32_t		 p, i;
	aoff_t			 chunk;

	slab_class_lock(a, sc);
	slab_intent_start(&sc->sc_intent, SLAB_OP_ALLOC, 0, 0, AOFF_NULL,
	    arena_pos(a, record));
	p = slab_find_page_locked(a, cls);
	if (p == UINT32_MAX) {
		slab_intent_end(&sc->sc_intent);
		lock_release(&sc->sc_lock);
		errno = ENOMEM;
		return (-1);
	}
	sc->sc_cur = p;
	sp = &sr->sr_page[p];
	bm = (uint64_t *)slab_page_base(a, p);
	i = slab_find_bit(bm, sc->sc_per_page, cls, p);
	if (i == UINT32_MAX) {
		log_warnx("slab: page %u of class %u has nfree %u but a full "
		    "bitmap", p, cls, sp->sp_nfree);
		abort();
	}
	chunk = arena_off(a, (char *)bm + sc->sc_hdr + (size_t)i * sc->sc_size);
	sc->sc_intent.si_page = p;
	aoff_store(&sc->sc_intent.si_chunk, chunk);
	CRASHPOINT(slab_alloc_chosen);
	slab_bit_put(bm, i, 1);
	CRASHPOINT(slab_alloc_bit_set);
	aoff_store(record, chunk);
	CRASHPOINT(slab_alloc_recorded);
	sp->sp_nfree--;
	sc->sc_used++;
	slab_intent_end(&sc->sc_intent);
	lock_release(&sc->sc_lock);
	return (0);
}

static int
slab_alloc_run(struct arena *a, size_t size, aoff_t *record)
{
	struct slab_region	*sr = slab_region(a);
	struct slab_pool	*pool = &sr->sr_pool;
	uint32_t		 n, p, len, i;
	int			 attempt;

	if (size > (size_t)sr->sr_npages * ARENA_PAGE_SIZE) {
		errno = ENOMEM;
		return (-1);
	}
	n = (uint32_t)((size + ARENA_PAGE_SIZE - 1) >> ARENA_PAGE_SHIFT);
	for (attempt = 0; ; attempt++) {
		slab_pool_lock(a);
		for (p = 0, len = 0; p < sr->sr_npages && len < n; p++)
			len = slab_page_state(&sr->sr_page[p]) == PAGE_FREE ?
			    len + 1 : 0;
		if (len == n)
			break;
		lock_release(&pool->sp_lock);
		if (attempt > 0 || slab_reclaim_empty(a, NULL) == 0) {
			errno = ENOMEM;
			return (-1);
		}
	}
	p -= n;
	slab_intent_start(&pool->sp_intent, SLAB_OP_RUN_ALLOC, p, n,
	    AOFF_NULL, arena_pos(a, record));
	for (i = 0; i < n; i++) {
		if (slab_commit_page_locked(a, p + i) == -1) {
			slab_intent_end(&pool->sp_intent);
			lock_release(&pool->sp_lock);
			errno = ENOMEM;
			return (-1);
		}
	}
	/* The run's bytes will overwrite any bitmap the pages had. */
	for (i = 0; i < n; i++)
		sr->sr_page[p + i].sp_class = SLAB_CLASS_NONE;
	sr->sr_page[p].sp_nfree = n;
	slab_page_set_state(&sr->sr_page[p], PAGE_RUN_HEAD);
	CRASHPOINT(slab_run_head);
	for (i = 1; i < n; i++)
		slab_page_set_state(&sr->sr_page[p + i], PAGE_RUN_TAIL);
	aoff_store(record, arena_off(a, slab_page_base(a, p)));
	CRASHPOINT(slab_run_recorded);
	pool->sp_free -= n;
	slab_intent_end(&pool->sp_intent);
	lock_release(&pool->sp_lock);
	return (0);
}

int
slab_alloc(struct arena *a, size_t size, aoff_t *record)
{
	int	 cls;

	if (!aoff_isnull(*record)) {
		log_warnx("slab_alloc: record %p is not empty", (void *)record);
		abort();
	}
	cls = slab_class_of(slab_region(a), size);
	if (cls >= 0)
		return (slab_alloc_chunk(a, (unsigned)cls, record));
	return (slab_alloc_run(a, size, record));
}

/* The free half of a run; pool lock held, intent written. */
static void
slab_run_free_steps(struct arena *a, uint32_t p, uint32_t n,
    uint64_t record)
{
	struct slab_region	*sr = slab_region(a);
	aoff_t			*rec = arena_pos_ptr(a, record);
	aoff_t			 head = arena_off(a, slab_page_base(a, p));
	uint32_t		 i;

	for (i = n; i > 1; i--)
		if (slab_page_state(&sr->sr_page[p + i - 1]) != PAGE_FREE)
			slab_page_set_state(&sr->sr_page[p + i - 1],
			    PAGE_FREE);
	CRASHPOINT(slab_run_tails_freed);
	if (slab_page_state(&sr->sr_page[p]) != PAGE_FREE)
		slab_page_set_state(&sr->sr_page[p], PAGE_FREE);
	CRASHPOINT(slab_run_head_freed);
	if (aoff_eq(*rec, head))
		aoff_store(rec, AOFF_NULL);
}

void
slab_free(struct arena *a, aoff_t *record)
{
	struct slab_region	*sr = slab_region(a);
	struct slab_class	*sc;
	struct slab_page	*sp;
	aoff_t			 chunk = *record;
	uint64_t		*bm, rel;
	uint32_t		 p, i, n;

	p = slab_page_of(a, chunk);
	if (p == UINT32_MAX) {
		log_warnx("slab_free: offset %u is outside the page area",
		    chunk.u);
		abort();
	}
	sp = &sr->sr_page[p];
	if (slab_page_state(sp) == PAGE_RUN_HEAD) {
		slab_pool_lock(a);
		n = sp->sp_nfree;
		slab_intent_start(&sr->sr_pool.sp_intent, SLAB_OP_RUN_FREE,
		    p, n, chunk, arena_pos(a, record));
		slab_run_free_steps(a, p, n, arena_pos(a, record));
		sr->sr_pool.sp_free += n;
		if (p < sr->sr_pool.sp_hint)
			sr->sr_pool.sp_hint = p;
		slab_intent_end(&sr->sr_pool.sp_intent);
		lock_release(&sr->sr_pool.sp_lock);
		return;
	}
	if (slab_page_state(sp) != PAGE_SLAB) {
		log_warnx("slab_free: offset %u is in a page that is not "
		    "allocated", chunk.u);
		abort();
	}
	sc = &sr->sr_class[sp->sp_class];
	bm = (uint64_t *)slab_page_base(a, p);
	rel = (uint64_t)chunk.u * ARENA_ALIGN - arena_pos(a, bm) - sc->sc_hdr;
	i = (uint32_t)(rel / sc->sc_size);
	if (rel % sc->sc_size != 0 || i >= sc->sc_per_page) {
		log_warnx("slab_free: offset %u is not a chunk of class %u",
		    chunk.u, sp->sp_class);
		abort();
	}
	slab_class_lock(a, sc);
	if (!slab_bit_get(bm, i)) {
		log_warnx("slab_free: double free of offset %u", chunk.u);
		abort();
	}
	slab_intent_start(&sc->sc_intent, SLAB_OP_FREE, p, 0, chunk,
	    arena_pos(a, record));
	slab_bit_put(bm, i, 0);
	CRASHPOINT(slab_free_bit_cleared);
	aoff_store(record, AOFF_NULL);
	CRASHPOINT(slab_free_unrecorded);
	sp->sp_nfree++;
	sc->sc_used--;
	/* An empty page goes back to the pool, for any class to use. */
	if (sp->sp_nfree == sc->sc_per_page)
		slab_release_page_locked(a, sc, p);
	slab_intent_end(&sc->sc_intent);
	lock_release(&sc->sc_lock);
}

size_t
slab_usable_size(struct arena *a, aoff_t o)
{
	struct slab_region	*sr = slab_region(a);
	uint32_t		 p = slab_page_of(a, o);

	if (p == UINT32_MAX)
		return (0);
	switch (slab_page_state(&sr->sr_page[p])) {
	case PAGE_SLAB:
		if (sr->sr_page[p].sp_class >= sr->sr_nclasses)
			return (0);
		return (sr->sr_class[sr->sr_page[p].sp_class].sc_size);
	case PAGE_RUN_HEAD:
		return ((size_t)sr->sr_page[p].sp_nfree * ARENA_PAGE_SIZE);
	default:
		return (0);
	}
}

/* Recount a class's pages and chunks from the descriptors and bitmaps. */
static void
slab_class_recount(struct arena *a, struct slab_class *sc)
{
	struct slab_region	*sr = slab_region(a);
	struct slab_page	*sp;
	const uint64_t		*bm;
	uint32_t		 p, w, used, cls = (uint32_t)(sc - sr->sr_class);

	sc->sc_pages = 0;
	sc->sc_used = 0;
	for (p = 0; p < sr->sr_npages; p++) {
		sp = &sr->sr_page[p];
		if (slab_page_state(sp) != PAGE_SLAB || sp->sp_class != cls)
			continue;
		bm = (const uint64_t *)slab_page_base(a, p);
		for (w = 0, used = 0; w < (sc->sc_per_page + 63) / 64; w++)
			used += (uint32_t)__builtin_popcountll(bm[w]);
		sp->sp_nfree = sc->sc_per_page - used;
		sc->sc_pages++;
		sc->sc_used += used;
	}
}

/* Could `pos' be a record slab_alloc() was given: an aligned arena word? */
static int
slab_record_ok(const struct arena *a, uint64_t pos)
{
	return (pos >= sizeof(struct arena_header) &&
	    pos <= a->ar_size - sizeof(aoff_t) && pos % sizeof(aoff_t) == 0);
}

static int
slab_class_repair(void *arg)
{
	struct slab_repair_ctx	*ctx = arg;
	struct arena		*a = ctx->a;
	struct slab_class	*sc = ctx->sc;
	struct slab_intent	*si = &sc->sc_intent;
	struct slab_region	*sr = slab_region(a);
	struct slab_page	*sp;
	aoff_t			*rec;
	uint64_t		*bm, rel;
	uint32_t		 i, p, cls = (uint32_t)(sc - sr->sr_class);
	int			 ours;

	if ((si->si_op == SLAB_OP_ALLOC && !aoff_isnull(si->si_chunk)) ||
	    si->si_op == SLAB_OP_FREE) {
		if (!slab_record_ok(a, si->si_record))
			return (-1);
		rec = arena_pos_ptr(a, si->si_record);
		p = slab_page_of(a, si->si_chunk);
		if (p == UINT32_MAX)
			return (-1);
		sp = &sr->sr_page[p];
		ours = slab_page_state(sp) == PAGE_SLAB && sp->sp_class == cls;
		bm = (uint64_t *)slab_page_base(a, p);
		rel = (uint64_t)si->si_chunk.u * ARENA_ALIGN -
		    arena_pos(a, bm) - sc->sc_hdr;
		i = (uint32_t)(rel / sc->sc_size);
		if (si->si_op == SLAB_OP_ALLOC) {
			/* Nobody can release a page of a class we hold. */
			if (!ours)
				return (-1);
			if (!slab_bit_get(bm, i))
				slab_bit_put(bm, i, 1);
			aoff_store(rec, si->si_chunk);
			log_info("slab repair: rolled forward the allocation "
			    "of offset %u", si->si_chunk.u);
		} else {
			/*
			 * A page that is no longer ours was emptied and
			 * released after the bit was cleared.
			 */
			if (ours && slab_bit_get(bm, i))
				slab_bit_put(bm, i, 0);
			if (aoff_eq(*rec, si->si_chunk))
				aoff_store(rec, AOFF_NULL);
			log_info("slab repair: rolled forward the free "
			    "of offset %u", si->si_chunk.u);
		}
	}
	/* The pool lock settles any page a dead holder was moving. */
	slab_pool_lock(a);
	lock_release(&sr->sr_pool.sp_lock);
	slab_class_recount(a, sc);
	slab_intent_end(si);
	return (0);
}

static int
slab_pool_repair(void *arg)
{
	struct slab_repair_ctx	*ctx = arg;
	struct arena		*a = ctx->a;
	struct slab_region	*sr = slab_region(a);
	struct slab_pool	*pool = &sr->sr_pool;
	struct slab_intent	*si = &pool->sp_intent;
	uint32_t		 i, p = si->si_page, n = si->si_npages;

	if ((si->si_op == SLAB_OP_RUN_ALLOC || si->si_op == SLAB_OP_RUN_FREE) &&
	    (p >= sr->sr_npages || n == 0 || n > sr->sr_npages - p ||
	    !slab_record_ok(a, si->si_record)))
		return (-1);
	if (si->si_op == SLAB_OP_RUN_ALLOC &&
	    slab_page_state(&sr->sr_page[p]) == PAGE_RUN_HEAD) {
		for (i = 1; i < n; i++)
			slab_page_set_state(&sr->sr_page[p + i],
			    PAGE_RUN_TAIL);
		aoff_store(arena_pos_ptr(a, si->si_record),
		    arena_off(a, slab_page_base(a, p)));
		log_info("slab repair: rolled forward a run of %u pages", n);
	} else if (si->si_op == SLAB_OP_RUN_FREE) {
		slab_run_free_steps(a, p, n, si->si_record);
		log_info("slab repair: rolled forward the free of a run of "
		    "%u pages", n);
	}
	pool->sp_free = 0;
	for (i = 0; i < sr->sr_npages; i++)
		if (slab_page_state(&sr->sr_page[i]) == PAGE_FREE)
			pool->sp_free++;
	pool->sp_hint = 0;
	slab_intent_end(si);
	return (0);
}

void
slab_settle(struct arena *a)
{
	struct slab_region	*sr = slab_region(a);
	uint32_t		 c;

	for (c = 0; c < sr->sr_nclasses; c++) {
		slab_class_lock(a, &sr->sr_class[c]);
		lock_release(&sr->sr_class[c].sc_lock);
	}
	slab_pool_lock(a);
	lock_release(&sr->sr_pool.sp_lock);
}

void
slab_stats(struct arena *a, struct slab_stats *st)
{
	struct slab_region	*sr = slab_region(a);
	struct slab_class	*sc;
	struct slab_page	*sp;
	uint32_t		 c, p;

	memset(st, 0, sizeof(*st));
	st->npages = sr->sr_npages;
	st->nclasses = sr->sr_nclasses;
	for (c = 0; c < sr->sr_nclasses; c++) {
		sc = &sr->sr_class[c];
		slab_class_lock(a, sc);
		st->cls[c].chunk_size = sc->sc_size;
		st->cls[c].per_page = sc->sc_per_page;
		st->cls[c].pages = sc->sc_pages;
		st->cls[c].used = sc->sc_used;
		st->cls[c].free = sc->sc_pages * sc->sc_per_page - sc->sc_used;
		lock_release(&sc->sc_lock);
		st->bytes_used += st->cls[c].used * sc->sc_size;
		st->bytes_free += st->cls[c].free * sc->sc_size;
	}
	slab_pool_lock(a);
	for (p = 0; p < sr->sr_npages; p++) {
		sp = &sr->sr_page[p];
		if (sp->sp_committed)
			st->pages_committed++;
		switch (sp->sp_state) {
		case PAGE_FREE:
			st->pages_free++;
			break;
		case PAGE_SLAB:
			st->pages_slab++;
			break;
		case PAGE_RUN_HEAD:
			st->bytes_used += (uint64_t)sp->sp_nfree *
			    ARENA_PAGE_SIZE;
			/* FALLTHROUGH */
		default:
			st->pages_run++;
			break;
		}
	}
	lock_release(&sr->sr_pool.sp_lock);
}

void
slab_for_each_lock(struct arena *a, lock_visit_fn fn, void *arg)
{
	struct slab_region	*sr = slab_region(a);
	uint32_t		 c;

	fn(&sr->sr_pool.sp_lock, arg);
	for (c = 0; c < sr->sr_nclasses; c++)
		fn(&sr->sr_class[c].sc_lock, arg);
}
