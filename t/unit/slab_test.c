/*
 * slab_test.c: checks the size-class allocator of slab.c.
 *
 * Size classes: 8-byte steps from SLAB_MIN_CHUNK to 128, then growing by at
 * most a quarter, each fitting at least two chunks and their bitmap in a
 * page.  An allocation gets the smallest class that holds it (a run of
 * whole pages above the largest class), inside the page area; live chunks
 * never overlap and keep their contents while others come and go.  The
 * caller's record is written by slab_alloc() and cleared by slab_free(); a
 * record that is not empty, or a chunk freed twice, is a broken invariant
 * and aborts.  The statistics follow every step, and freed memory is
 * reused.  A full arena says ENOMEM without harm and recovers when memory
 * is freed; an arena with nothing in use can hand out its pages, whatever
 * classes were used before; a size that cannot fit, up to SIZE_MAX, fails
 * with ENOMEM and takes nothing.
 *
 * Records live in a test region of the arena, as the allocator requires.
 */

#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hydra/arena.h"
#include "hydra/slab.h"
#include "tap.h"
#include "testarena.h"

#define NREC	8192

static uint64_t	 rng_state = 0x9e3779b97f4a7c15ULL;

/* xorshift64*: a fixed sequence, so that a failure can be replayed. */
static uint64_t
rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (rng_state * 0x2545f4914f6cdd1dULL);
}

static aoff_t *
records(struct arena *a)
{
	return (arena_region(a, TESTARENA_REGION));
}

/* Index of the smallest class that holds `size', or -1 for a run. */
static int
class_for(const struct slab_stats *st, size_t size)
{
	uint32_t	 c;

	for (c = 0; c < st->nclasses; c++)
		if (st->cls[c].chunk_size >= size)
			return ((int)c);
	return (-1);
}

static uint64_t
used_chunks(const struct slab_stats *st)
{
	uint64_t	 n = 0;
	uint32_t	 c;

	for (c = 0; c < st->nclasses; c++)
		n += st->cls[c].used;
	return (n);
}

static unsigned char
pattern(size_t i, size_t j)
{
	return ((unsigned char)(i * 131 + j * 7 + 1));
}

static void
fill(struct arena *a, aoff_t o, size_t len, size_t i)
{
	unsigned char	*p = arena_ptr(a, o);
	size_t		 j;

	for (j = 0; j < len; j++)
		p[j] = pattern(i, j);
}

static int
intact(struct arena *a, aoff_t o, size_t len, size_t i)
{
	const unsigned char	*p = arena_ptr(a, o);
	size_t			 j;

	for (j = 0; j < len; j++)
		if (p[j] != pattern(i, j))
			return (0);
	return (1);
}

/* Run fn in a child; its exit status (or -signal) is returned. */
static int
in_child(void (*fn)(struct arena *, aoff_t *), struct arena *a, aoff_t *rec)
{
	pid_t	 pid;
	int	 status;

	if ((pid = fork()) == -1)
		return (-1000);
	if (pid == 0) {
		fn(a, rec);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid)
		return (-1000);
	if (WIFSIGNALED(status))
		return (-WTERMSIG(status));
	return (WEXITSTATUS(status));
}

static void
test_classes(struct arena *a)
{
	struct slab_stats	 st;
	uint32_t		 c, sz, prev, bm;
	int			 steps = 1, growth = 1, fit = 1;

	slab_stats(a, &st);
	ok(st.nclasses > 15 && st.nclasses <= SLAB_MAX_CLASSES,
	    "there are more than 15 and at most SLAB_MAX_CLASSES classes "
	    "(%u)", st.nclasses);
	is_int(st.cls[0].chunk_size, SLAB_MIN_CHUNK,
	    "the smallest class is SLAB_MIN_CHUNK bytes");
	for (c = 1; c < st.nclasses && st.cls[c - 1].chunk_size < 128; c++)
		steps &= st.cls[c].chunk_size == st.cls[c - 1].chunk_size + 8;
	ok(steps && st.cls[c - 1].chunk_size == 128,
	    "classes go up in 8-byte steps to 128 bytes");
	for (; c < st.nclasses; c++) {
		prev = st.cls[c - 1].chunk_size;
		sz = st.cls[c].chunk_size;
		growth &= sz > prev && sz % 8 == 0 &&
		    sz <= ((prev + prev / 4 + 7) & ~7U);
	}
	ok(growth, "above 128 bytes each class is larger than the last by "
	    "at most a quarter, in multiples of 8");
	for (c = 0; c < st.nclasses; c++) {
		bm = (st.cls[c].per_page + 63) / 64 * 8;
		fit &= st.cls[c].per_page >= 2;
		fit &= bm + (uint64_t)st.cls[c].per_page *
		    st.cls[c].chunk_size <= ARENA_PAGE_SIZE;
		fit &= bm + (uint64_t)(st.cls[c].per_page + 1) *
		    st.cls[c].chunk_size > ARENA_PAGE_SIZE - 64;
	}
	ok(fit, "every class fits at least two chunks and their bitmap in a "
	    "page, and wastes less than a chunk of it");
	ok(st.cls[st.nclasses - 1].chunk_size > ARENA_PAGE_SIZE / 4,
	    "the largest class is more than a quarter page (%u bytes)",
	    st.cls[st.nclasses - 1].chunk_size);
	is_int(st.npages, a->ar_hdr->ah_npages,
	    "the allocator manages every page of the arena");
	ok(st.pages_free == st.npages && st.pages_slab == 0 &&
	    st.pages_run == 0 && st.bytes_used == 0,
	    "a fresh arena has every page free and nothing in use");
}

/* The first allocation of a class takes a page and one chunk of it. */
static void
test_first_chunk(struct arena *a)
{
	struct slab_stats	 s0, s1;
	aoff_t			*rec = records(a);
	int			 c;

	slab_stats(a, &s0);
	c = class_for(&s0, 1000);
	ok(slab_alloc(a, 1000, &rec[0]) == 0, "a 1000-byte allocation "
	    "succeeds");
	slab_stats(a, &s1);
	ok(!aoff_isnull(rec[0]), "slab_alloc writes the chunk to the record");
	ok(arena_contains(a, rec[0], 1000),
	    "the chunk lies in the page area");
	ok(s1.cls[c].pages == 1 && s1.cls[c].used == 1 &&
	    s1.cls[c].free == s1.cls[c].per_page - 1,
	    "its class now has one page, one chunk used, the rest free");
	ok(s1.pages_free == s0.pages_free - 1 && s1.pages_slab == 1,
	    "the page came from the pool");
	is_int((long long)s1.pages_committed, 1,
	    "only the page taken has been committed");
	is_int((long long)s1.bytes_used, s1.cls[c].chunk_size,
	    "the bytes in use are one chunk of the class");
	slab_free(a, &rec[0]);
	ok(aoff_isnull(rec[0]), "slab_free clears the record");
	ok(slab_alloc(a, 0, &rec[1]) == 0 &&
	    slab_usable_size(a, rec[1]) == SLAB_MIN_CHUNK,
	    "a zero-byte allocation gets a chunk of the smallest class");
	if (!aoff_isnull(rec[1]))
		slab_free(a, &rec[1]);
	slab_stats(a, &s1);
	ok(s1.cls[c].used == 0 && s1.cls[c].pages == 0 &&
	    s1.bytes_used == 0, "after the free nothing is in use and the "
	    "emptied page is back in the pool");
}

static void
test_usable(struct arena *a)
{
	struct slab_stats	 st;
	aoff_t			*rec = records(a);
	size_t			 n, u, want, sizes[256];
	size_t			 nsizes = 0, i;
	uint32_t		 c;
	int			 atleast = 1, tight = 1, inside = 1;
	int			 cleared = 1, allocs = 1, cls;

	slab_stats(a, &st);
	for (n = 1; n <= 2048; n++)
		if (nsizes < nitems(sizes) && (n <= 40 || n % 61 == 0))
			sizes[nsizes++] = n;
	for (c = 0; c < st.nclasses && nsizes + 3 < nitems(sizes); c++) {
		sizes[nsizes++] = st.cls[c].chunk_size;
		sizes[nsizes++] = st.cls[c].chunk_size + 1;
	}
	for (n = 2049; n <= ((size_t)3 << 20) && nsizes < nitems(sizes);
	    n = n * 5 / 4 + 3)
		sizes[nsizes++] = n;
	if (nsizes + 3 <= nitems(sizes)) {
		sizes[nsizes++] = ARENA_PAGE_SIZE;
		sizes[nsizes++] = ARENA_PAGE_SIZE + 1;
		sizes[nsizes++] = (size_t)3 << 20;
	}

	for (i = 0; i < nsizes; i++) {
		n = sizes[i];
		if (slab_alloc(a, n, &rec[0]) == -1) {
			if (allocs)
				diag("   size %zu: %s", n, strerror(errno));
			allocs = 0;
			continue;
		}
		u = slab_usable_size(a, rec[0]);
		atleast &= u >= n;
		cls = class_for(&st, n);
		if (cls >= 0)
			want = st.cls[cls].chunk_size;
		else
			want = (n + ARENA_PAGE_SIZE - 1) &
			    ~(ARENA_PAGE_SIZE - 1);
		if (u != want) {
			if (tight)
				diag("   size %zu: usable %zu, want %zu", n, u,
				    want);
			tight = 0;
		}
		inside &= arena_contains(a, rec[0], u);
		slab_free(a, &rec[0]);
		cleared &= aoff_isnull(rec[0]);
	}
	ok(allocs, "allocations of %zu sizes from 1 byte to 3 MiB succeed",
	    nsizes);
	ok(atleast, "slab_usable_size() is at least the size asked for");
	ok(tight, "it is the smallest class that holds the size, or whole "
	    "pages above the largest class");
	ok(inside, "every chunk lies whole in the page area");
	ok(cleared, "slab_free clears every record");
	slab_stats(a, &st);
	ok(used_chunks(&st) == 0 && st.bytes_used == 0 && st.pages_run == 0,
	    "with everything freed, nothing is in use and no run is left");
}

struct span {
	uint64_t	 lo, hi;
};

static int
span_cmp(const void *x, const void *y)
{
	const struct span	*a = x, *b = y;

	return (a->lo < b->lo ? -1 : a->lo > b->lo);
}

/* A size: mostly small, some medium, a few large, and rare runs. */
static size_t
random_size(void)
{
	uint64_t	 r = rng(), pct = r % 100;

	r >>= 8;
	if (pct == 0)
		return (ARENA_PAGE_SIZE / 2 + 1 + r % (2 * ARENA_PAGE_SIZE));
	if (pct < 5)
		return (16384 + r % (240 * 1024));
	if (pct < 20)
		return (513 + r % 16000);
	return (1 + r % 512);
}

static void
test_disjoint(struct arena *a)
{
	struct slab_stats	 s0, s1;
	aoff_t			*rec = records(a);
	struct span		*sp;
	size_t			 len[2000], n = nitems(len), i, k;
	int			 allocs = 1, good, disjoint = 1;

	slab_stats(a, &s0);
	for (i = 0; i < n; i++) {
		len[i] = random_size();
		if (slab_alloc(a, len[i], &rec[i]) == -1) {
			if (allocs) {
				slab_stats(a, &s1);
				diag("   allocation %zu of %zu bytes: %s; "
				    "%u pages free, %llu bytes in use", i,
				    len[i], strerror(errno), s1.pages_free,
				    (unsigned long long)s1.bytes_used);
			}
			allocs = 0;
			len[i] = 0;
			continue;
		}
		fill(a, rec[i], len[i], i);
	}
	ok(allocs, "2000 allocations of mixed sizes succeed");

	good = 1;
	for (i = 0; i < n; i++)
		good &= aoff_isnull(rec[i]) || intact(a, rec[i], len[i], i);
	ok(good, "each chunk still holds what was written to it: no two "
	    "chunks overlap");

	if ((sp = calloc(n, sizeof(*sp))) == NULL) {
		ok(0, "the test can allocate memory for the overlap check");
		return;
	}
	for (i = k = 0; i < n; i++) {
		if (aoff_isnull(rec[i]))
			continue;
		sp[k].lo = arena_pos(a, arena_ptr(a, rec[i]));
		sp[k].hi = sp[k].lo + slab_usable_size(a, rec[i]);
		k++;
	}
	qsort(sp, k, sizeof(*sp), span_cmp);
	for (i = 1; i < k; i++)
		disjoint &= sp[i - 1].hi <= sp[i].lo;
	ok(disjoint, "the usable extents of all live chunks are disjoint");
	free(sp);

	/* Free every other one, check the rest, and allocate anew. */
	for (i = 0; i < n; i += 2)
		if (!aoff_isnull(rec[i]))
			slab_free(a, &rec[i]);
	good = 1;
	for (i = 1; i < n; i += 2)
		good &= aoff_isnull(rec[i]) || intact(a, rec[i], len[i], i);
	ok(good, "freeing half the chunks leaves the others' contents intact");
	for (i = 0; i < n; i += 2) {
		len[i] = random_size();
		if (slab_alloc(a, len[i], &rec[i]) == -1) {
			allocs = 0;
			len[i] = 0;
			continue;
		}
		fill(a, rec[i], len[i], i + 7);
	}
	good = 1;
	for (i = 0; i < n; i++)
		good &= aoff_isnull(rec[i]) ||
		    intact(a, rec[i], len[i], i % 2 ? i : i + 7);
	ok(allocs && good, "chunks allocated in the freed space overlap no "
	    "live chunk");

	slab_stats(a, &s1);
	k = 0;
	for (i = 0; i < n; i++)
		k += !aoff_isnull(rec[i]) && len[i] <= s1.cls[s1.nclasses -
		    1].chunk_size;
	is_int((long long)used_chunks(&s1), (long long)k,
	    "the classes count exactly the live chunks");

	for (i = 0; i < n; i++)
		if (!aoff_isnull(rec[i]))
			slab_free(a, &rec[i]);
	slab_stats(a, &s1);
	ok(used_chunks(&s1) == used_chunks(&s0) &&
	    s1.bytes_used == s0.bytes_used && s1.pages_run == s0.pages_run,
	    "after freeing them all, the counters are back where they were");
}

static void
test_reuse(struct arena *a)
{
	struct slab_stats	 s0, s1;
	aoff_t			*rec = records(a), first;
	int			 i, j, c, allocs = 1;

	ok(slab_alloc(a, 100, &rec[0]) == 0, "a 100-byte allocation succeeds");
	first = rec[0];
	slab_free(a, &rec[0]);
	ok(slab_alloc(a, 100, &rec[0]) == 0 && aoff_eq(rec[0], first),
	    "a chunk freed is the next one handed out in its class");
	slab_free(a, &rec[0]);

	/*
	 * A class's emptied pages go back to the pool, all but the one it
	 * allocates from.
	 */
	slab_stats(a, &s0);
	c = class_for(&s0, 4000);
	for (i = 0; i <= (int)s0.cls[c].per_page * 2; i++)
		allocs &= slab_alloc(a, 4000, &rec[i]) == 0;
	slab_stats(a, &s1);
	ok(allocs && s0.cls[c].pages == 0 && s1.cls[c].pages == 3 &&
	    s1.pages_free == s0.pages_free - 3,
	    "two pages and one chunk of a class take three pages");
	for (i = 0; i <= (int)s0.cls[c].per_page * 2; i++)
		slab_free(a, &rec[i]);
	slab_stats(a, &s1);
	is_int((long long)s1.cls[c].pages, 0,
	    "emptying them gives back every page, the current one too");
	is_int(s1.pages_free, s0.pages_free,
	    "the pool has those pages again");

	/* Cycles of allocation and free do not grow the arena. */
	slab_stats(a, &s0);
	for (j = 0; j < 50; j++) {
		for (i = 0; i < 1000; i++)
			allocs &= slab_alloc(a, 16 + (size_t)(i % 64) * 60,
			    &rec[i]) == 0;
		for (i = 0; i < 1000; i++)
			slab_free(a, &rec[(i * 7) % 1000]);
		if (j == 0)
			slab_stats(a, &s0);
	}
	slab_stats(a, &s1);
	ok(allocs && s1.pages_committed == s0.pages_committed &&
	    s1.pages_slab == s0.pages_slab,
	    "50 rounds of 1000 allocations and frees reuse the same pages "
	    "(%u committed)", s1.pages_committed);
	ok(used_chunks(&s1) == 0, "and leave nothing in use");
}

static void
test_runs(struct arena *a)
{
	struct slab_stats	 s0, s1;
	aoff_t			*rec = records(a);
	uint64_t		 pos;
	size_t			 big = (size_t)5 << 19, u;
	int			 rv;

	slab_stats(a, &s0);
	rv = slab_alloc(a, big, &rec[0]);
	ok(rv == 0, "a 2.5 MiB allocation succeeds");
	if (rv != 0)
		return;
	slab_stats(a, &s1);
	u = slab_usable_size(a, rec[0]);
	is_int((long long)u, 3 * ARENA_PAGE_SIZE,
	    "an allocation above the largest class takes whole pages (3)");
	pos = arena_pos(a, arena_ptr(a, rec[0])) - a->ar_hdr->ah_pages_off;
	is_int((long long)(pos % ARENA_PAGE_SIZE), 0,
	    "a run starts on a page boundary");
	ok(s1.pages_run == s0.pages_run + 3 &&
	    s1.pages_free == s0.pages_free - 3,
	    "the run's pages leave the pool");
	is_int((long long)(s1.bytes_used - s0.bytes_used),
	    3 * ARENA_PAGE_SIZE, "the run's bytes count as used");
	memset(arena_ptr(a, rec[0]), 0x5a, u);
	ok(1, "every byte of the run can be written");
	slab_free(a, &rec[0]);
	slab_stats(a, &s1);
	ok(aoff_isnull(rec[0]) && s1.pages_run == s0.pages_run &&
	    s1.pages_free == s0.pages_free && s1.bytes_used == s0.bytes_used,
	    "freeing the run gives its pages back and clears the record");

	rv = slab_alloc(a, (size_t)s0.cls[s0.nclasses - 1].chunk_size + 1,
	    &rec[0]);
	ok(rv == 0 && slab_usable_size(a, rec[0]) == ARENA_PAGE_SIZE,
	    "one byte above the largest class takes one whole page");
	if (rv == 0)
		slab_free(a, &rec[0]);
}

/*
 * A page a class gave back, then a run held and filled with ones, then
 * the class takes again: its bitmap must be cleared, or the class would
 * see every chunk taken (and abort).  In a child, so that an abort fails
 * one test.
 */
static void
child_page_after_run(struct arena *a, aoff_t *rec)
{
	struct slab_stats	 st;
	size_t			 size = 2000, n, i;
	int			 c;

	slab_stats(a, &st);
	c = class_for(&st, size);
	if (slab_alloc(a, size, &rec[0]) == -1)
		_exit(1);
	slab_free(a, &rec[0]);
	slab_stats(a, &st);
	if (slab_alloc(a, (size_t)st.pages_free * ARENA_PAGE_SIZE,
	    &rec[0]) == -1)
		_exit(2);
	memset(arena_ptr(a, rec[0]), 0xff,
	    (size_t)st.pages_free * ARENA_PAGE_SIZE);
	slab_free(a, &rec[0]);
	n = st.cls[c].per_page + 1;
	for (i = 0; i < n; i++) {
		if (slab_alloc(a, size, &rec[i]) == -1)
			_exit(3);
		fill(a, rec[i], size, i);
	}
	for (i = 0; i < n; i++)
		if (!intact(a, rec[i], size, i))
			_exit(4);
	for (i = 0; i < n; i++)
		slab_free(a, &rec[i]);
	_exit(0);
}

static void
test_page_after_run(struct arena *a)
{
	int	 rv = in_child(child_page_after_run, a, records(a));

	ok(rv == 0, "a class takes back a page a run wrote over with a "
	    "clear bitmap, and its chunks are disjoint (child: %d)", rv);
}

static void
child_dirty_record(struct arena *a, aoff_t *rec)
{
	rec[1].u = rec[0].u;
	(void)slab_alloc(a, 64, &rec[1]);
}

static void
child_double_free(struct arena *a, aoff_t *rec)
{
	rec[1] = rec[0];
	slab_free(a, &rec[0]);
	slab_free(a, &rec[1]);
}

static void
test_misuse(struct arena *a)
{
	struct slab_stats	 s0, s1;
	aoff_t			*rec = records(a);
	int			 rv, c;

	slab_stats(a, &s0);
	c = class_for(&s0, 64);
	if (slab_alloc(a, 64, &rec[0]) == -1) {
		ok(0, "a 64-byte allocation succeeds");
		return;
	}
	rv = in_child(child_dirty_record, a, rec);
	is_int(rv, -SIGABRT, "slab_alloc into a record that is not empty "
	    "aborts");

	/*
	 * The child frees the chunk, then frees it again through a copy of
	 * the record: it aborts holding the class lock, which the parent
	 * then takes with a repair.
	 */
	rv = in_child(child_double_free, a, rec);
	is_int(rv, -SIGABRT, "freeing a chunk twice aborts");
	ok(aoff_isnull(rec[0]) && !aoff_isnull(rec[1]),
	    "the child's first free cleared its record in the arena");
	rec[0] = AOFF_NULL;
	rec[1] = AOFF_NULL;
	slab_stats(a, &s1);
	is_int((long long)s1.cls[c].used, (long long)s0.cls[c].used,
	    "after the class lock is repaired, the freed chunk is counted "
	    "free");
	ok(slab_alloc(a, 64, &rec[0]) == 0, "the class allocates again");
	slab_free(a, &rec[0]);
}

static void
test_oom(void)
{
	struct arena		 a;
	struct slab_stats	 s0, s1;
	aoff_t			*rec;
	size_t			 n, i;
	int			 rv, err, c;

	if (testarena_with_region(&a, (size_t)16 << 20,
	    NREC * sizeof(aoff_t)) == -1) {
		ok(0, "a 16 MiB arena with a test region");
		return;
	}
	rec = records(&a);
	slab_stats(&a, &s0);

	errno = 0;
	rv = slab_alloc(&a, (size_t)32 << 20, &rec[0]);
	err = errno;
	ok(rv == -1 && err == ENOMEM && aoff_isnull(rec[0]),
	    "an allocation larger than the arena fails with ENOMEM");

	for (n = 0; n < NREC; n++)
		if ((rv = slab_alloc(&a, 4000, &rec[n])) == -1)
			break;
	err = errno;
	ok(rv == -1 && err == ENOMEM,
	    "allocating until the arena is full ends with -1 and ENOMEM");
	ok(n > 0 && aoff_isnull(rec[n]),
	    "the failed allocation leaves its record empty (%zu succeeded)",
	    n);
	slab_stats(&a, &s1);
	is_int(s1.pages_free, 0, "a full arena has no free page");
	errno = 0;
	rv = slab_alloc(&a, 4000, &rec[n]);
	ok(rv == -1 && errno == ENOMEM, "and keeps saying ENOMEM");
	rv = slab_alloc(&a, ARENA_PAGE_SIZE, &rec[n]);
	ok(rv == -1 && errno == ENOMEM, "also for a run");

	for (i = 0; i < n; i++)
		slab_free(&a, &rec[i]);
	slab_stats(&a, &s1);
	c = class_for(&s1, 4000);
	ok(s1.cls[c].used == 0 && s1.cls[c].pages == 0 &&
	    s1.pages_free == s0.pages_free,
	    "freeing everything returns every page to the pool");
	ok(slab_alloc(&a, 4000, &rec[0]) == 0,
	    "after freeing, allocation succeeds again");
	slab_free(&a, &rec[0]);
	rv = slab_alloc(&a, (size_t)(s1.pages_free) * ARENA_PAGE_SIZE,
	    &rec[0]);
	ok(rv == 0, "a run of every free page succeeds");
	if (rv == 0)
		slab_free(&a, &rec[0]);

	/*
	 * One chunk in each of as many classes as there are pages, all freed
	 * again: nothing is in use, so the pages must be there to take.
	 */
	for (i = 0; i < s1.npages && i < s1.nclasses; i++)
		if (slab_alloc(&a, s1.cls[s1.nclasses - 1 - i].chunk_size,
		    &rec[i]) == -1)
			break;
	n = i;
	for (i = 0; i < n; i++)
		slab_free(&a, &rec[i]);
	slab_stats(&a, &s1);
	ok(used_chunks(&s1) == 0 && s1.bytes_used == 0,
	    "after one chunk in each of %zu classes is freed, nothing is in "
	    "use", n);
	errno = 0;
	rv = slab_alloc(&a, ARENA_PAGE_SIZE, &rec[0]);
	if (!ok(rv == 0, "with nothing in use, a one-page run can be "
	    "allocated"))
		diag("   errno %d; %u of %u pages free, %u held by classes "
		    "with no chunk in use", errno, s1.pages_free, s1.npages,
		    s1.pages_slab);
	if (rv == 0)
		slab_free(&a, &rec[0]);

	testarena_destroy(&a);
}

/*
 * Sizes near SIZE_MAX must fail like any other size that does not fit.
 * The arena is thrown away afterwards in case they did not.
 */
static void
test_huge(void)
{
	struct arena		 a;
	struct slab_stats	 s0, s1;
	aoff_t			*rec;
	int			 rv;

	if (testarena_with_region(&a, (size_t)16 << 20,
	    16 * sizeof(aoff_t)) == -1) {
		ok(0, "a 16 MiB arena with a test region");
		return;
	}
	rec = records(&a);
	slab_stats(&a, &s0);
	errno = 0;
	rv = slab_alloc(&a, SIZE_MAX, &rec[0]);
	if (!ok(rv == -1 && errno == ENOMEM && aoff_isnull(rec[0]),
	    "an allocation of SIZE_MAX bytes fails with ENOMEM"))
		diag("   returned %d, record %u, usable size %zu", rv,
		    rec[0].u, slab_usable_size(&a, rec[0]));
	errno = 0;
	rv = slab_alloc(&a, (size_t)1 << 52, &rec[1]);
	if (!ok(rv == -1 && errno == ENOMEM && aoff_isnull(rec[1]),
	    "an allocation of 2^52 bytes fails with ENOMEM"))
		diag("   returned %d, record %u, usable size %zu", rv,
		    rec[1].u, slab_usable_size(&a, rec[1]));
	slab_stats(&a, &s1);
	if (!ok(s1.pages_free == s0.pages_free && s1.pages_run == 0,
	    "failed huge allocations leave every page free"))
		diag("   pages free %u (was %u), in runs %u", s1.pages_free,
		    s0.pages_free, s1.pages_run);
	testarena_destroy(&a);
}

/*
 * Run a test in an arena of its own, with a region for NREC records.  Its
 * size is in MiB.
 */
static void
in_arena(void (*fn)(struct arena *), size_t mib, const char *what)
{
	struct arena	 a;

	if (testarena_with_region(&a, mib << 20, NREC * sizeof(aoff_t)) ==
	    -1) {
		ok(0, "a %zu MiB arena with a region for records, for %s",
		    mib, what);
		return;
	}
	fn(&a);
	slab_settle(&a);
	testarena_destroy(&a);
}

int
main(void)
{
	tap_no_plan();

	in_arena(test_classes, 64, "the classes");
	in_arena(test_first_chunk, 64, "the first chunk");
	in_arena(test_usable, 64, "usable sizes");
	/* Every class at once needs a page each, and then some. */
	in_arena(test_disjoint, 256, "disjoint chunks");
	in_arena(test_reuse, 64, "reuse");
	in_arena(test_runs, 64, "runs");
	in_arena(test_page_after_run, 8, "a page after a run");
	in_arena(test_misuse, 64, "misuse");
	test_oom();
	test_huge();
	return (tap_done());
}
