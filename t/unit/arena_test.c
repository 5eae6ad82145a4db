/*
 * arena_test.c: checks the shared-memory arena of arena.c.
 *
 * Creation: the header records magic, layout version, size and creator;
 * the object is private to its user (mode 0600) whatever the umask; a name
 * cannot be created twice; sizes out of range, or too small for the
 * regions, are refused and leave no object behind; pages are committed
 * lazily.  Attachment validates everything it maps and says what did not
 * match: a wrong expected size, a bad magic, a layout version of another
 * hydra, a recorded size that disagrees with the object.  Regions are
 * disjoint, aligned and ahead of the page area; commits stay inside the
 * arena; offsets and pointers convert both ways.
 */

#include <sys/mman.h>
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hydra/arena.h"
#include "hydra/keyspace.h"
#include "hydra/slab.h"
#include "hydra/store.h"
#include "tap.h"
#include "testarena.h"

#define SIZE	((size_t)64 << 20)

/*
 * Does `msg' state the number n?  The arena's name, which holds digits of
 * its own, is blanked out first so that it cannot supply the number.
 */
static int
mentions(const char *msg, const char *name, unsigned long long n)
{
	char	 buf[512], *p, *end;
	size_t	 nlen = strlen(name);

	snprintf(buf, sizeof(buf), "%s", msg);
	while (nlen > 0 && (p = strstr(buf, name)) != NULL)
		memset(p, ' ', nlen);
	for (p = buf; *p != '\0'; ) {
		if (!isdigit((unsigned char)*p)) {
			p++;
			continue;
		}
		if (strtoull(p, &end, 10) == n)
			return (1);
		p = end;
	}
	return (0);
}

/* Is there a shared-memory object of that name? */
static int
object_exists(const char *name)
{
	int	 fd;

	if ((fd = shm_open(name, O_RDONLY, 0)) == -1)
		return (errno != ENOENT);
	close(fd);
	return (1);
}

/* A second, independent mapping of the header, for tampering with it. */
static struct arena_header *
map_header(const char *name)
{
	void	*p;
	int	 fd;

	if ((fd = shm_open(name, O_RDWR, 0)) == -1)
		return (NULL);
	p = mmap(NULL, sizeof(struct arena_header), PROT_READ | PROT_WRITE,
	    MAP_SHARED, fd, 0);
	close(fd);
	return (p == MAP_FAILED ? NULL : p);
}

static void
unmap_header(struct arena_header *h)
{
	munmap(h, sizeof(*h));
}

static int
fail_init(struct arena *a, void *region, const struct arena_params *ap)
{
	(void)a;
	(void)region;
	(void)ap;
	errno = EIO;
	return (-1);
}

static size_t
small_size(const struct arena_params *ap, size_t npages)
{
	(void)ap;
	(void)npages;
	return (64);
}

static void
test_create(struct arena *a, const char *name)
{
	struct arena_header	*h = a->ar_hdr;
	struct stat		 st;
	time_t			 now = time(NULL);

	ok(memcmp(h->ah_magic, ARENA_MAGIC, sizeof(h->ah_magic)) == 0,
	    "a created arena's header starts with the magic");
	is_int(h->ah_layout, ARENA_LAYOUT_VERSION,
	    "the header records this hydra's layout version");
	is_int((long long)h->ah_size, (long long)SIZE,
	    "the header records the arena's size");
	is_int((long long)a->ar_size, (long long)SIZE,
	    "the creator's view has the arena's size");
	is_int(h->ah_owner_pid, getpid(),
	    "the header records the creator's pid");
	ok((time_t)h->ah_created <= now && (time_t)h->ah_created + 60 >= now,
	    "the header records when the arena was created");
	is_int(h->ah_nregions, (long long)store_nmodules,
	    "the header has one region per module");
	ok(strcmp(a->ar_name, name) == 0,
	    "the view remembers the arena's name");

	ok(fstat(a->ar_fd, &st) == 0,
	    "the arena's descriptor can be fstat()ed");
	is_int(st.st_mode & 07777, 0600,
	    "the object's mode is 0600 even under a umask of 0");
	is_int((long long)st.st_size, (long long)SIZE,
	    "the object is as large as the arena");
	ok((uint64_t)st.st_blocks * 512 <= h->ah_pages_off,
	    "only the header and regions are committed at creation "
	    "(%lld bytes of backing store, pages start at %llu)",
	    (long long)st.st_blocks * 512,
	    (unsigned long long)h->ah_pages_off);
}

static void
test_regions(struct arena *a)
{
	struct arena_header	*h = a->ar_hdr;
	struct arena_params	 ap;
	uint64_t		 end, need;
	uint32_t		 i;
	int			 good = 1;

	store_default_params(&ap, SIZE);
	end = sizeof(*h);
	for (i = 0; i < h->ah_nregions; i++) {
		good &= (char *)arena_region(a, i) ==
		    a->ar_base + h->ah_region[i].ar_off;
		good &= h->ah_region[i].ar_off % 64 == 0;
		good &= h->ah_region[i].ar_off >= end;
		end = h->ah_region[i].ar_off + h->ah_region[i].ar_size;
	}
	ok(good, "regions are 64-byte aligned, in order, after the header "
	    "and do not overlap");
	ok(arena_region(a, ARENA_REGION_SLAB) !=
	    arena_region(a, ARENA_REGION_KEYSPACE),
	    "the slab and keyspace regions are distinct");
	ok(end <= h->ah_pages_off, "every region ends before the first page");
	ok(strcmp(h->ah_region[ARENA_REGION_SLAB].ar_name, "slab") == 0 &&
	    strcmp(h->ah_region[ARENA_REGION_KEYSPACE].ar_name,
	    "keyspace") == 0, "each region carries its module's name");
	need = slab_shm_size(&ap, SIZE / ARENA_PAGE_SIZE);
	ok(h->ah_region[ARENA_REGION_SLAB].ar_size >= need,
	    "the slab region is at least what its module asked for");
	need = keyspace_shm_size(&ap, SIZE / ARENA_PAGE_SIZE);
	ok(h->ah_region[ARENA_REGION_KEYSPACE].ar_size >= need,
	    "the keyspace region is at least what its module asked for");
	ok(arena_region(a, h->ah_nregions) == NULL &&
	    arena_region(a, ARENA_MAX_REGIONS) == NULL &&
	    arena_region(a, ~0U) == NULL,
	    "arena_region() of a region that does not exist is NULL");
	is_int((long long)(h->ah_pages_off % ARENA_PAGE_SIZE), 0,
	    "the page area starts on a page boundary");
	is_int((long long)(h->ah_pages_off +
	    (uint64_t)h->ah_npages * ARENA_PAGE_SIZE), (long long)SIZE,
	    "the pages fill the arena after the regions");
}

static void
test_offsets(struct arena *a)
{
	struct arena_header	*h = a->ar_hdr;
	uint64_t		 pos;
	aoff_t			 o;
	char			*p;
	int			 good = 1;

	for (pos = 0; pos < SIZE; pos += 4096 + 8) {
		o.u = (uint32_t)(pos / ARENA_ALIGN);
		good &= aoff_eq(arena_off(a, arena_ptr(a, o)), o);
		p = a->ar_base + (pos & ~(uint64_t)(ARENA_ALIGN - 1));
		good &= arena_ptr(a, arena_off(a, p)) == p;
		good &= arena_pos_ptr(a, arena_pos(a, p)) == p;
	}
	o.u = (uint32_t)(SIZE / ARENA_ALIGN - 1);
	good &= aoff_eq(arena_off(a, arena_ptr(a, o)), o);
	ok(good, "arena_off(arena_ptr(x)) == x and arena_ptr(arena_off(p)) "
	    "== p across the whole arena");
	ok(aoff_isnull(AOFF_NULL) && arena_ptr(a, AOFF_NULL) == a->ar_base,
	    "the null offset names the header, where nothing is allocated");

	o.u = (uint32_t)(h->ah_pages_off / ARENA_ALIGN);
	ok(arena_contains(a, o, ARENA_PAGE_SIZE),
	    "arena_contains() accepts the first page");
	o.u = (uint32_t)((SIZE - 8) / ARENA_ALIGN);
	ok(arena_contains(a, o, 8) && !arena_contains(a, o, 9),
	    "arena_contains() accepts the last unit and nothing past it");
	ok(!arena_contains(a, AOFF_NULL, 1) &&
	    !arena_contains(a, arena_off(a, arena_region(a, 0)), 1),
	    "arena_contains() refuses the header and the regions");
}

static void
test_commit(struct arena *a)
{
	struct arena_header	*h = a->ar_hdr;
	int			 rv;

	ok(arena_commit(a, h->ah_pages_off, ARENA_PAGE_SIZE) == 0,
	    "committing the first page succeeds");
	ok(arena_commit(a, SIZE - ARENA_PAGE_SIZE, ARENA_PAGE_SIZE) == 0,
	    "committing the last page succeeds");
	errno = 0;
	rv = arena_commit(a, SIZE - ARENA_PAGE_SIZE, 2 * ARENA_PAGE_SIZE);
	ok(rv == -1 && errno == EINVAL,
	    "committing a range that runs past the end fails with EINVAL");
	errno = 0;
	rv = arena_commit(a, SIZE, 1);
	ok(rv == -1 && errno == EINVAL,
	    "committing a byte just past the end fails with EINVAL");
	rv = arena_commit(a, UINT64_MAX - ARENA_PAGE_SIZE + 1,
	    2 * ARENA_PAGE_SIZE);
	ok(rv == -1, "a range whose end wraps around 2^64 is refused");
}

static void
test_attach(const char *name)
{
	struct arena		 b, c;
	struct arena_header	*h;
	char			 err[512];
	int			 rv;

	err[0] = '\0';
	rv = arena_attach(&b, name, SIZE, err, sizeof(err));
	if (!ok(rv == 0, "attach with the right expected size succeeds"))
		diag("   %s", err);
	rv = arena_attach(&c, name, 0, err, sizeof(err));
	ok(rv == 0, "attach with no expected size succeeds");
	if (rv == 0 && b.ar_base != NULL) {
		ok(b.ar_size == SIZE && b.ar_hdr->ah_size == SIZE &&
		    b.ar_fd != -1, "an attached view has the arena's size");
		b.ar_base[SIZE - 1] = 'x';
		ok(c.ar_base[SIZE - 1] == 'x',
		    "a store through one view is seen through another");
		c.ar_base[SIZE - 1] = '\0';
	} else
		skip(2, "attach failed");
	arena_detach(&c);
	arena_detach(&b);
	ok(b.ar_base == NULL && b.ar_fd == -1,
	    "detach forgets the mapping and the descriptor");
	arena_detach(&b);
	ok(1, "detaching twice is harmless");

	rv = arena_attach(&b, name, SIZE + 12345, err, sizeof(err));
	ok(rv == 0, "an expected size is rounded down to pages, as at "
	    "creation");
	if (rv == 0)
		arena_detach(&b);

	err[0] = '\0';
	rv = arena_attach(&b, name, SIZE / 2, err, sizeof(err));
	ok(rv == -1, "attach with a wrong expected size fails");
	ok(mentions(err, name, SIZE) && mentions(err, name, SIZE / 2),
	    "the message names the actual and the expected size (\"%s\")",
	    err);
	ok(b.ar_base == NULL && b.ar_fd == -1,
	    "a failed attach leaves nothing mapped or open");

	if ((h = map_header(name)) == NULL) {
		ok(0, "a second mapping of the header can be made");
		return;
	}

	/* A creator that never stored the magic, or a foreign object. */
	h->ah_magic[0] ^= 0x20;
	err[0] = '\0';
	rv = arena_attach(&b, name, 0, err, sizeof(err));
	ok(rv == -1 && strstr(err, "not a hydra arena") != NULL,
	    "an object without the magic is refused as \"not a hydra "
	    "arena\" (\"%s\")", err);
	h->ah_magic[0] ^= 0x20;

	h->ah_layout = 0xdead;
	err[0] = '\0';
	rv = arena_attach(&b, name, 0, err, sizeof(err));
	ok(rv == -1, "an arena of another layout version is refused");
	ok(mentions(err, name, 0xdead) &&
	    mentions(err, name, ARENA_LAYOUT_VERSION),
	    "the message names both layout versions (\"%s\")", err);
	h->ah_layout = ARENA_LAYOUT_VERSION;

	h->ah_size = SIZE * 2;
	err[0] = '\0';
	rv = arena_attach(&b, name, 0, err, sizeof(err));
	ok(rv == -1 && mentions(err, name, SIZE * 2) &&
	    mentions(err, name, SIZE),
	    "a header whose size disagrees with the object is refused, "
	    "naming both (\"%s\")", err);
	h->ah_size = SIZE;

	h->ah_nregions = ARENA_MAX_REGIONS + 1;
	rv = arena_attach(&b, name, 0, err, sizeof(err));
	ok(rv == -1, "a header with too many regions is refused");
	h->ah_nregions = (uint32_t)store_nmodules;

	h->ah_npages++;
	rv = arena_attach(&b, name, 0, err, sizeof(err));
	ok(rv == -1, "a header whose pages run past the end is refused");
	h->ah_npages--;

	rv = arena_attach(&b, name, SIZE, err, sizeof(err));
	ok(rv == 0, "with the header restored, attach succeeds again");
	if (rv == 0)
		arena_detach(&b);
	unmap_header(h);
}

static void
test_bad_objects(void)
{
	struct arena		 b;
	const char		*name;
	char			 err[512];
	int			 fd, rv;

	name = testarena_name();
	err[0] = '\0';
	rv = arena_attach(&b, name, 0, err, sizeof(err));
	ok(rv == -1 && err[0] != '\0',
	    "attach to a name that does not exist fails with a message");

	if ((fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600)) == -1) {
		ok(0, "a stray object can be made");
		return;
	}
	if (ftruncate(fd, 10) == -1)
		diag("ftruncate: %s", strerror(errno));
	close(fd);
	err[0] = '\0';
	rv = arena_attach(&b, name, 0, err, sizeof(err));
	ok(rv == -1 && strstr(err, "too small") != NULL,
	    "an object smaller than a header is refused as too small "
	    "(\"%s\")", err);
	arena_unlink(name);
}

static void
test_refused_creates(const char *taken)
{
	struct arena		 b;
	struct arena_params	 ap;
	struct arena_module	 mods[ARENA_MAX_REGIONS + 1];
	const char		*name;
	char			 err[512];
	size_t			 i;
	int			 rv;

	/* The name is taken: refused, and the first arena is untouched. */
	store_default_params(&ap, SIZE);
	err[0] = '\0';
	rv = store_create(&b, NULL, taken, &ap, err, sizeof(err));
	ok(rv == -1 && err[0] != '\0',
	    "creating an arena under a name that exists fails with a message");
	rv = arena_attach(&b, taken, SIZE, err, sizeof(err));
	ok(rv == 0, "the failed create left the existing arena intact");
	if (rv == 0)
		arena_detach(&b);

	name = testarena_name();
	store_default_params(&ap, ARENA_MIN_SIZE - 1);
	err[0] = '\0';
	rv = store_create(&b, NULL, name, &ap, err, sizeof(err));
	ok(rv == -1 && mentions(err, name, ARENA_MIN_SIZE - 1),
	    "a size below ARENA_MIN_SIZE is refused, naming it (\"%s\")",
	    err);
	ok(!object_exists(name), "a refused size leaves no object behind");

	store_default_params(&ap, ARENA_MAX_SIZE + ARENA_PAGE_SIZE);
	rv = store_create(&b, NULL, name, &ap, err, sizeof(err));
	ok(rv == -1, "a size above ARENA_MAX_SIZE is refused");

	/* 1024 databases of the most stripes do not fit in 8 MiB. */
	store_default_params(&ap, ARENA_MIN_SIZE);
	ap.ap_databases = 1024;
	ap.ap_stripes_log2 = KEYSPACE_MAX_STRIPES_LOG2;
	err[0] = '\0';
	rv = store_create(&b, NULL, name, &ap, err, sizeof(err));
	ok(rv == -1 && err[0] != '\0',
	    "a size that leaves no room for pages after the regions is "
	    "refused (\"%s\")", err);
	ok(!object_exists(name), "that refusal leaves no object behind");

	store_default_params(&ap, SIZE);
	for (i = 0; i < nitems(mods); i++) {
		mods[i].am_name = "m";
		mods[i].am_size = small_size;
		mods[i].am_init = testarena_region_init;
	}
	rv = arena_create(&b, name, &ap, mods, nitems(mods), err,
	    sizeof(err));
	ok(rv == -1 && !object_exists(name),
	    "more than ARENA_MAX_REGIONS modules are refused, creating "
	    "nothing");

	mods[0] = store_modules[ARENA_REGION_SLAB];
	mods[1].am_name = "broken";
	mods[1].am_size = small_size;
	mods[1].am_init = fail_init;
	err[0] = '\0';
	rv = arena_create(&b, name, &ap, mods, 2, err, sizeof(err));
	ok(rv == -1 && strstr(err, "broken") != NULL,
	    "a module whose init fails fails the create, naming the module "
	    "(\"%s\")", err);
	ok(!object_exists(name), "a failed module init leaves no object "
	    "behind");

	store_default_params(&ap, SIZE + 12345);
	rv = store_create(&b, NULL, name, &ap, err, sizeof(err));
	ok(rv == 0 && b.ar_size == SIZE && b.ar_hdr->ah_size == SIZE,
	    "a size that is not a whole number of pages is rounded down");
	if (rv == 0)
		testarena_destroy(&b);
	ok(!object_exists(name), "arena_unlink removes the object");
}

static void
test_store_regions(void)
{
	struct arena	 b, c;
	char		 err[512];
	int		 rv;

	if (testarena_with_region(&b, SIZE, 4096) == -1) {
		ok(0, "an arena with a test region can be made");
		return;
	}
	ok(arena_region(&b, TESTARENA_REGION) != NULL,
	    "an arena made with three modules has a third region");
	err[0] = '\0';
	rv = store_attach(&c, NULL, b.ar_name, 0, err, sizeof(err));
	ok(rv == -1 && err[0] != '\0',
	    "store_attach refuses an arena whose regions are not a store's "
	    "(\"%s\")", err);
	if (rv == 0)
		arena_detach(&c);
	testarena_destroy(&b);
}

int
main(void)
{
	struct arena	 a;
	const char	*name;
	mode_t		 old;
	int		 rv;

	tap_no_plan();

	old = umask(0);
	rv = testarena_store(&a, NULL, SIZE, KEYSPACE_STRIPES_LOG2);
	umask(old);
	if (!ok(rv == 0, "store_create makes a 64 MiB arena"))
		return (tap_done());
	name = a.ar_name;

	test_create(&a, name);
	test_regions(&a);
	test_offsets(&a);
	test_commit(&a);
	test_attach(name);
	test_refused_creates(name);
	test_bad_objects();
	test_store_regions();

	testarena_destroy(&a);
	ok(!object_exists(a.ar_name), "the test's arena is gone at the end");
	return (tap_done());
}
