/*
 * arena.c: create, attach to and commit the shared-memory arena.
 *
 * Run by the supervisor (create, before any fork), by tools and tests
 * (attach), and by any process that takes a fresh page (commit, called by
 * the slab allocator under its pool lock).  Takes no lock itself: the header
 * is written once, before the magic makes it valid, and is read-only after.
 *
 * Crash story: a creator that dies before storing the magic leaves an object
 * that arena_attach() refuses ("not initialised"); nothing else here is
 * mutated after creation except the owner's pid and ah_clean, each one
 * aligned store (arena_adopt()).
 */
#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hydra/arena.h"

#define ARENA_REGION_ALIGN	64

static int
arena_fail(char *errbuf, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
arena_fail(char *errbuf, size_t errlen, const char *fmt, ...)
{
	va_list	 ap;

	if (errbuf != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(errbuf, errlen, fmt, ap);
		va_end(ap);
	}
	return (-1);
}

static size_t
align_up(size_t n, size_t a)
{
	return ((n + a - 1) & ~(a - 1));
}

/*
 * The arenas this process has mapped, for arena_of(): copies of their
 * descriptors in private memory (a process maps one or two).
 */
#define ARENA_KNOWN_MAX	8
static struct arena	 arena_known[ARENA_KNOWN_MAX];

static void
arena_known_add(const struct arena *a)
{
	size_t	 i;

	for (i = 0; i < ARENA_KNOWN_MAX; i++)
		if (arena_known[i].ar_base == NULL) {
			arena_known[i] = *a;
			return;
		}
}

static void
arena_known_drop(const char *base)
{
	size_t	 i;

	for (i = 0; base != NULL && i < ARENA_KNOWN_MAX; i++)
		if (arena_known[i].ar_base == base)
			memset(&arena_known[i], 0, sizeof(arena_known[i]));
}

struct arena *
arena_of(const void *p)
{
	const char	*c = p;
	size_t		 i;

	for (i = 0; i < ARENA_KNOWN_MAX; i++)
		if (arena_known[i].ar_base != NULL &&
		    c >= arena_known[i].ar_base &&
		    c < arena_known[i].ar_base + arena_known[i].ar_size)
			return (&arena_known[i]);
	return (NULL);
}

static void
arena_nodump(struct arena *a)
{
#ifdef COMPAT_MADV_NODUMP
	(void)madvise(a->ar_base, a->ar_size, COMPAT_MADV_NODUMP);
#else
	(void)a;
#endif
}

int
arena_create(struct arena *a, const char *name,
    const struct arena_params *ap, const struct arena_module *mods,
    size_t nmods, char *errbuf, size_t errlen)
{
	struct arena_header	*h;
	size_t			 size = ap->ap_size, off, npages_max, i;
	size_t			 rsize[ARENA_MAX_REGIONS];
	int			 fd, saved;

	memset(a, 0, sizeof(*a));
	a->ar_fd = -1;
	if (nmods > ARENA_MAX_REGIONS)
		return (arena_fail(errbuf, errlen, "too many arena regions"));
	if (size < ARENA_MIN_SIZE || size > ARENA_MAX_SIZE)
		return (arena_fail(errbuf, errlen,
		    "arena size %zu is out of range (%zu to %zu bytes)",
		    size, (size_t)ARENA_MIN_SIZE, (size_t)ARENA_MAX_SIZE));
	size &= ~(ARENA_PAGE_SIZE - 1);

	/* Lay out the regions, sized for the most pages there could be. */
	npages_max = size / ARENA_PAGE_SIZE;
	off = align_up(sizeof(struct arena_header), ARENA_REGION_ALIGN);
	for (i = 0; i < nmods; i++) {
		rsize[i] = align_up(mods[i].am_size(ap, npages_max),
		    ARENA_REGION_ALIGN);
		off += rsize[i];
	}
	off = align_up(off, ARENA_PAGE_SIZE);
	if (off + ARENA_PAGE_SIZE > size)
		return (arena_fail(errbuf, errlen,
		    "arena size %zu leaves no room for data pages", size));

	fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
	if (fd == -1)
		return (arena_fail(errbuf, errlen, "shm_open %s: %s", name,
		    strerror(errno)));
	if (fchmod(fd, 0600) == -1 || ftruncate(fd, (off_t)size) == -1)
		goto syserr;
	/* The header and the regions are touched at once: commit them now. */
	if ((errno = posix_fallocate(fd, 0, (off_t)off)) != 0)
		goto syserr;
	a->ar_base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
	    fd, 0);
	if (a->ar_base == MAP_FAILED)
		goto syserr;
	a->ar_size = size;
	a->ar_fd = fd;
	snprintf(a->ar_name, sizeof(a->ar_name), "%s", name);
	arena_nodump(a);
	arena_known_add(a);

	h = a->ar_hdr = (struct arena_header *)a->ar_base;
	h->ah_layout = ARENA_LAYOUT_VERSION;
	h->ah_size = size;
	h->ah_owner_pid = getpid();
	h->ah_created = (uint64_t)time(NULL);
	h->ah_nregions = (uint32_t)nmods;
	h->ah_pages_off = off;
	h->ah_npages = (uint32_t)((size - off) / ARENA_PAGE_SIZE);
	off = align_up(sizeof(struct arena_header), ARENA_REGION_ALIGN);
	for (i = 0; i < nmods; i++) {
		snprintf(h->ah_region[i].ar_name,
		    sizeof(h->ah_region[i].ar_name), "%s", mods[i].am_name);
		h->ah_region[i].ar_off = off;
		h->ah_region[i].ar_size = rsize[i];
		off += rsize[i];
	}
	for (i = 0; i < nmods; i++) {
		if (mods[i].am_init(a, a->ar_base + h->ah_region[i].ar_off,
		    ap) == -1) {
			saved = errno;
			arena_detach(a);
			shm_unlink(name);
			return (arena_fail(errbuf, errlen,
			    "initialising arena region %s: %s",
			    mods[i].am_name, strerror(saved)));
		}
	}
	/* Publish: the header is valid once the magic is there. */
	compiler_barrier();
	memcpy(h->ah_magic, ARENA_MAGIC, sizeof(h->ah_magic));
	compiler_barrier();
	return (0);

syserr:
	saved = errno;
	if (a->ar_base != NULL && a->ar_base != MAP_FAILED)
		munmap(a->ar_base, size);
	a->ar_base = NULL;
	close(fd);
	shm_unlink(name);
	return (arena_fail(errbuf, errlen, "creating arena %s (%zu bytes): %s",
	    name, size, strerror(saved)));
}

int
arena_attach(struct arena *a, const char *name, size_t want_size,
    char *errbuf, size_t errlen)
{
	struct arena_header	 h;
	struct stat		 st;
	int			 fd, saved;

	memset(a, 0, sizeof(*a));
	a->ar_fd = -1;
	fd = shm_open(name, O_RDWR, 0);
	if (fd == -1)
		return (arena_fail(errbuf, errlen, "shm_open %s: %s", name,
		    strerror(errno)));
	if (fstat(fd, &st) == -1) {
		saved = errno;
		close(fd);
		return (arena_fail(errbuf, errlen, "fstat %s: %s", name,
		    strerror(saved)));
	}
	if ((size_t)st.st_size < sizeof(h) ||
	    pread(fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h)) {
		close(fd);
		return (arena_fail(errbuf, errlen,
		    "%s is too small to be a hydra arena", name));
	}
	if (memcmp(h.ah_magic, ARENA_MAGIC, sizeof(h.ah_magic)) != 0) {
		close(fd);
		return (arena_fail(errbuf, errlen,
		    "%s is not a hydra arena (bad magic, or creation never "
		    "finished)", name));
	}
	if (h.ah_layout != ARENA_LAYOUT_VERSION) {
		close(fd);
		return (arena_fail(errbuf, errlen,
		    "%s has arena layout version %u, this hydra uses %u",
		    name, h.ah_layout, ARENA_LAYOUT_VERSION));
	}
	if (h.ah_size != (uint64_t)st.st_size) {
		close(fd);
		return (arena_fail(errbuf, errlen,
		    "%s records %llu bytes but the object has %llu", name,
		    (unsigned long long)h.ah_size,
		    (unsigned long long)st.st_size));
	}
	if (want_size != 0 &&
	    h.ah_size != (want_size & ~(ARENA_PAGE_SIZE - 1))) {
		close(fd);
		return (arena_fail(errbuf, errlen,
		    "%s is %llu bytes but %zu were configured", name,
		    (unsigned long long)h.ah_size, want_size));
	}
	if (h.ah_nregions > ARENA_MAX_REGIONS ||
	    h.ah_pages_off + (uint64_t)h.ah_npages * ARENA_PAGE_SIZE >
	    h.ah_size) {
		close(fd);
		return (arena_fail(errbuf, errlen,
		    "%s has a damaged region directory", name));
	}
	a->ar_base = mmap(NULL, h.ah_size, PROT_READ | PROT_WRITE,
	    MAP_SHARED, fd, 0);
	if (a->ar_base == MAP_FAILED) {
		saved = errno;
		a->ar_base = NULL;
		close(fd);
		return (arena_fail(errbuf, errlen, "mmap %s: %s", name,
		    strerror(saved)));
	}
	a->ar_size = h.ah_size;
	a->ar_fd = fd;
	a->ar_hdr = (struct arena_header *)a->ar_base;
	snprintf(a->ar_name, sizeof(a->ar_name), "%s", name);
	arena_nodump(a);
	arena_known_add(a);
	return (0);
}

void
arena_detach(struct arena *a)
{
	arena_known_drop(a->ar_base);
	if (a->ar_base != NULL)
		munmap(a->ar_base, a->ar_size);
	if (a->ar_fd != -1)
		close(a->ar_fd);
	a->ar_base = NULL;
	a->ar_hdr = NULL;
	a->ar_fd = -1;
}

int
arena_unlink(const char *name)
{
	return (shm_unlink(name));
}

void *
arena_region(const struct arena *a, unsigned id)
{
	if (id >= a->ar_hdr->ah_nregions)
		return (NULL);
	return (a->ar_base + a->ar_hdr->ah_region[id].ar_off);
}

int
arena_commit(struct arena *a, uint64_t off, uint64_t len)
{
	int	 error;

	if (off + len > a->ar_size) {
		errno = EINVAL;
		return (-1);
	}
	error = posix_fallocate(a->ar_fd, (off_t)off, (off_t)len);
	if (error != 0) {
		errno = (error == ENOSPC || error == EFBIG) ? ENOMEM : error;
		return (-1);
	}
	return (0);
}

void
arena_adopt(struct arena *a)
{
	__atomic_store_n(&a->ar_hdr->ah_owner_pid, (int64_t)getpid(),
	    __ATOMIC_RELAXED);
	shm_store32(&a->ar_hdr->ah_clean, 0);
}

int
arena_pid_running(int64_t pid)
{
	if (pid <= 0 || pid > INT_MAX)
		return (0);
	return (kill((pid_t)pid, 0) == 0 || errno == EPERM);
}

int
arena_contains(const struct arena *a, aoff_t o, size_t len)
{
	uint64_t	 pos = (uint64_t)o.u * ARENA_ALIGN;
	uint64_t	 lo = a->ar_hdr->ah_pages_off;
	uint64_t	 hi = lo + (uint64_t)a->ar_hdr->ah_npages *
		    ARENA_PAGE_SIZE;

	return (pos >= lo && pos <= hi && len <= hi - pos);
}
