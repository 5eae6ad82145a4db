/*
 * slab_check.c: the allocator half of the arena checker.
 *
 * Run by hydractl and tests, after keyspace_check() has marked every chunk
 * it reached.  Takes each class lock in turn, then the pool lock.  Under
 * them it checks that no slab operation is left half done, that each
 * page's free count matches its bitmap, that class and pool counters add
 * up, and that page runs are well formed.  Unless the arena is live, it
 * also sweeps allocation against reachability: an allocated chunk nobody
 * reached is a leak; a reached chunk that is free, or a reference into the
 * middle of a chunk, is a broken link.
 */
#include "hydra/check.h"
#include "slab_internal.h"

/* Every marked unit in [lo, hi) must be the start of an allocated chunk. */
static void
slab_check_marks(struct check *ck, uint64_t lo, uint64_t hi,
    int (*valid)(struct check *, uint64_t unit, void *), void *arg)
{
	uint64_t	 u, w;

	for (u = lo; u < hi; u = (u | 63) + 1) {
		w = ck->ck_marks[u >> 6] >> (u & 63);
		for (; w != 0; w &= w - 1) {
			uint64_t m = u + (uint64_t)__builtin_ctzll(w);

			if (m >= hi)
				break;
			if (!valid(ck, m, arg))
				check_error(ck, "offset %llu is referenced but "
				    "is not an allocated chunk",
				    (unsigned long long)m);
		}
	}
}

struct slab_mark_ctx {
	struct slab_class	*sc;
	uint64_t		 first;	/* unit of chunk 0 */
	const uint64_t		*bm;
};

static int
slab_mark_in_slab(struct check *ck, uint64_t unit, void *arg)
{
	struct slab_mark_ctx	*mc = arg;
	uint64_t		 rel;

	(void)ck;
	if (unit < mc->first)
		return (0);
	rel = (unit - mc->first) * ARENA_ALIGN;
	if (rel % mc->sc->sc_size != 0 ||
	    rel / mc->sc->sc_size >= mc->sc->sc_per_page)
		return (0);
	return (slab_bit_get(mc->bm, (uint32_t)(rel / mc->sc->sc_size)));
}

static int
slab_mark_never(struct check *ck, uint64_t unit, void *arg)
{
	(void)ck;
	(void)unit;
	(void)arg;
	return (0);
}

static uint64_t
slab_page_unit(const struct arena *a, uint32_t p)
{
	return ((a->ar_hdr->ah_pages_off + (uint64_t)p * ARENA_PAGE_SIZE) /
	    ARENA_ALIGN);
}

static void
slab_check_page(struct check *ck, struct slab_class *sc, uint32_t cls,
    uint32_t p, uint64_t *used)
{
	struct arena		*a = ck->ck_arena;
	struct slab_page	*sp = &slab_region(a)->sr_page[p];
	struct slab_mark_ctx	 mc;
	const uint64_t		*bm = (const uint64_t *)slab_page_base(a, p);
	uint32_t		 i, n = 0;
	aoff_t			 chunk;

	for (i = 0; i < sc->sc_hdr * 8; i++) {
		if (!slab_bit_get(bm, i))
			continue;
		if (i >= sc->sc_per_page) {
			check_error(ck, "page %u (class %u): bit %u is set "
			    "past the last chunk", p, cls, i);
			continue;
		}
		n++;
		if (ck->ck_flags & CHECK_LIVE)
			continue;
		chunk = arena_off(a, (const char *)bm + sc->sc_hdr +
		    (size_t)i * sc->sc_size);
		if (!check_is_marked(ck, chunk)) {
			ck->ck_leaked++;
			check_error(ck, "page %u (class %u, %u bytes): chunk "
			    "at offset %u is allocated but unreachable", p,
			    cls, sc->sc_size, chunk.u);
		} else
			ck->ck_bytes += sc->sc_size;
	}
	if (sp->sp_nfree != sc->sc_per_page - n)
		check_error(ck, "page %u (class %u): free count %u, bitmap "
		    "says %u", p, cls, sp->sp_nfree, sc->sc_per_page - n);
	*used += n;
	if (ck->ck_flags & CHECK_LIVE)
		return;
	mc.sc = sc;
	mc.bm = bm;
	mc.first = slab_page_unit(a, p) + sc->sc_hdr / ARENA_ALIGN;
	slab_check_marks(ck, slab_page_unit(a, p), slab_page_unit(a, p + 1),
	    slab_mark_in_slab, &mc);
}

static void
slab_check_class(struct check *ck, uint32_t cls)
{
	struct arena		*a = ck->ck_arena;
	struct slab_region	*sr = slab_region(a);
	struct slab_class	*sc = &sr->sr_class[cls];
	uint64_t		 used = 0, pages = 0;
	uint32_t		 p;

	slab_class_lock(a, sc);
	if (sc->sc_intent.si_op != SLAB_OP_NONE)
		check_error(ck, "class %u: operation %u left in flight", cls,
		    sc->sc_intent.si_op);
	for (p = 0; p < sr->sr_npages; p++) {
		if (sr->sr_page[p].sp_state != PAGE_SLAB ||
		    sr->sr_page[p].sp_class != cls)
			continue;
		pages++;
		slab_check_page(ck, sc, cls, p, &used);
	}
	if (pages != sc->sc_pages || used != sc->sc_used)
		check_error(ck, "class %u: counters say %llu pages, %llu "
		    "chunks; found %llu and %llu", cls,
		    (unsigned long long)sc->sc_pages,
		    (unsigned long long)sc->sc_used,
		    (unsigned long long)pages, (unsigned long long)used);
	lock_release(&sc->sc_lock);
}

static void
slab_check_pool(struct check *ck)
{
	struct arena		*a = ck->ck_arena;
	struct slab_region	*sr = slab_region(a);
	struct slab_page	*sp;
	uint32_t		 p, i, n, nfree = 0;
	aoff_t			 head;
	int			 live = ck->ck_flags & CHECK_LIVE;

	slab_pool_lock(a);
	if (sr->sr_pool.sp_intent.si_op != SLAB_OP_NONE)
		check_error(ck, "pool: operation %u left in flight",
		    sr->sr_pool.sp_intent.si_op);
	for (p = 0; p < sr->sr_npages; p = i) {
		sp = &sr->sr_page[p];
		i = p + 1;
		switch (sp->sp_state) {
		case PAGE_FREE:
			nfree++;
			if (!live)
				slab_check_marks(ck, slab_page_unit(a, p),
				    slab_page_unit(a, p + 1), slab_mark_never,
				    NULL);
			break;
		case PAGE_SLAB:
			if (sp->sp_class >= sr->sr_nclasses)
				check_error(ck, "page %u: class %u does not "
				    "exist", p, sp->sp_class);
			break;
		case PAGE_RUN_HEAD:
			n = sp->sp_nfree;
			if (n == 0 || n > sr->sr_npages - p) {
				check_error(ck, "page %u: run of %u pages "
				    "does not fit", p, n);
				break;
			}
			for (i = p + 1; i < p + n; i++)
				if (sr->sr_page[i].sp_state != PAGE_RUN_TAIL)
					check_error(ck, "page %u: inside the "
					    "run from page %u but not a tail",
					    i, p);
			if (live)
				break;
			head = arena_off(a, slab_page_base(a, p));
			if (!check_is_marked(ck, head)) {
				ck->ck_leaked++;
				check_error(ck, "run of %u pages at page %u is "
				    "allocated but unreachable", n, p);
			} else
				ck->ck_bytes += (uint64_t)n * ARENA_PAGE_SIZE;
			slab_check_marks(ck, slab_page_unit(a, p) + 1,
			    slab_page_unit(a, p + n), slab_mark_never, NULL);
			break;
		case PAGE_RUN_TAIL:
			check_error(ck, "page %u: run tail without a head", p);
			break;
		default:
			check_error(ck, "page %u: unknown state %u", p,
			    sp->sp_state);
			break;
		}
	}
	if (nfree != sr->sr_pool.sp_free)
		check_error(ck, "pool: counter says %u free pages, found %u",
		    sr->sr_pool.sp_free, nfree);
	lock_release(&sr->sr_pool.sp_lock);
}

void
slab_check(struct check *ck)
{
	struct slab_region	*sr = slab_region(ck->ck_arena);
	uint32_t		 c;

	for (c = 0; c < sr->sr_nclasses; c++)
		slab_check_class(ck, c);
	slab_check_pool(ck);
}
