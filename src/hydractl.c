/*
 * hydractl.c: the administration tool, run by an operator or a test in a
 * process of its own.
 *
 * It attaches to an arena by name, like any process of hydra, and acts on
 * it directly: check it, print its allocator and keyspace counters, fill it
 * with test keys, report on it, or remove it; export its keys to a JSON
 * file and import them back (hydractl_json.c).  Commands come from one
 * table, one entry per command.
 *
 * Locks: "check" takes each stripe lock, each slab class lock and the pool
 * lock in turn (through check_arena()); "stats" takes each slab lock
 * briefly; "populate" takes the stripe lock of each key it writes (and,
 * through the allocator, the slab locks after it).  Like every taker, it
 * repairs what a dead holder left.  "export" takes each stripe lock in
 * turn, "import" the stripe lock of each key it looks up or writes.
 * "status" and "destroy" read only the header, which takes no lock.
 *
 * Exit status: 0 success; 1 the command ran and found or caused a problem
 * (a check with problems, a full arena, a refusal, a file that cannot be
 * read, written or understood); 2 the command could not
 * run: the arena is missing or not a usable hydra arena, or the command
 * line is wrong.
 */
#include <sys/mman.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hydra/arena.h"
#include "hydra/check.h"
#include "hydra/compat.h"
#include "hydra/keyspace.h"
#include "hydra/slab.h"
#include "hydra/store.h"

#include "hydractl_internal.h"

#define CTL_DEFAULT_PORT	6379
#define CTL_POPULATE_MAXVAL	(512 * 1024 * 1024)	/* Redis's bulk max */

struct ctl_command {
	const char	*cc_name;
	const char	*cc_args;
	int		(*cc_fn)(const char *arena, int argc, char *argv[]);
};

static int	ctl_check(const char *, int, char *[]);
static int	ctl_stats(const char *, int, char *[]);
static int	ctl_populate(const char *, int, char *[]);
static int	ctl_destroy(const char *, int, char *[]);
static int	ctl_status(const char *, int, char *[]);

static const struct ctl_command ctl_commands[] = {
	{ "check",	"[--live | --full]",		ctl_check },
	{ "stats",	"",				ctl_stats },
	{ "populate",	"[-n db] count [prefix [size]]", ctl_populate },
	{ "destroy",	"[-f]",				ctl_destroy },
	{ "status",	"",				ctl_status },
	{ "export",	"--json file",			ctl_export },
	{ "import",	"[--replace] [--config file] --json file",
							ctl_import },
};

static void __attribute__((noreturn))
usage(void)
{
	size_t	 i;

	fprintf(stderr, "usage: %s [-a name | -p port] command [args]\n",
	    getprogname());
	fprintf(stderr, "commands:\n");
	for (i = 0; i < nitems(ctl_commands); i++)
		fprintf(stderr, "\t%s %s\n", ctl_commands[i].cc_name,
		    ctl_commands[i].cc_args);
	exit(CTL_EXIT_NOARENA);
}

int
ctl_usage(const char *cmd)
{
	size_t	 i;

	for (i = 0; i < nitems(ctl_commands); i++)
		if (strcmp(ctl_commands[i].cc_name, cmd) == 0)
			fprintf(stderr, "usage: %s [-a name | -p port] %s %s\n",
			    getprogname(), cmd, ctl_commands[i].cc_args);
	return (CTL_EXIT_NOARENA);
}

const char *
ctl_plural(uint64_t n)
{
	return (n == 1 ? "" : "s");
}

/* Does the object exist at all?  Says so on standard error if not. */
static int
ctl_exists(const char *name)
{
	int	 fd;

	if ((fd = shm_open(name, O_RDONLY, 0)) == -1) {
		if (errno == ENOENT)
			warnx("no arena named %s (is hydrad running with "
			    "this arena name?)", name);
		else
			warn("arena %s: shm_open", name);
		return (0);
	}
	close(fd);
	return (1);
}

int
ctl_attach(const char *name, struct arena *a, struct keyspace *ks)
{
	char	 errbuf[256];

	if (!ctl_exists(name))
		return (-1);
	if (store_attach(a, ks, name, 0, errbuf, sizeof(errbuf)) == -1) {
		warnx("cannot attach: %s", errbuf);
		return (-1);
	}
	return (0);
}

/*
 * check [--live | --full]: run the arena checker.  By default the check is
 * live (structure only) when the arena's owner is still running, since
 * then chunks may be allocated and freed under the allocation sweep.
 */
static int
ctl_check(const char *name, int argc, char *argv[])
{
	struct arena	 a;
	struct check	 ck;
	int64_t		 n, pid;
	int		 i, flags, force_live = 0, force_full = 0, in_use;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--live") == 0)
			force_live = 1;
		else if (strcmp(argv[i], "--full") == 0)
			force_full = 1;
		else
			return (ctl_usage(argv[0]));
	}
	if (force_live && force_full)
		return (ctl_usage(argv[0]));
	if (ctl_attach(name, &a, NULL) == -1)
		return (CTL_EXIT_NOARENA);

	pid = a.ar_hdr->ah_owner_pid;
	in_use = pid != getpid() && arena_pid_running(pid);
	flags = (force_live || (in_use && !force_full)) ? CHECK_LIVE : 0;
	if ((flags & CHECK_LIVE) && in_use)
		printf("note: the arena is in use by its owner, pid %lld: "
		    "checking structure only; the allocation sweep (leak "
		    "detection) was skipped\n", (long long)pid);
	else if (flags & CHECK_LIVE)
		printf("note: live check requested: checking structure only; "
		    "the allocation sweep (leak detection) was skipped\n");
	else if (in_use)
		warnx("warning: the arena's owner, pid %lld, is running; "
		    "a full check may report its allocations in progress as "
		    "problems", (long long)pid);
	fflush(stdout);

	n = check_arena(&a, flags, stdout, &ck);
	arena_detach(&a);
	if (n == -1) {
		warnx("check: no memory for the mark bitmap");
		return (CTL_EXIT_NOARENA);
	}
	if (ck.ck_errors > CHECK_MAX_REPORTED)
		printf("(only the first %d problems are shown)\n",
		    CHECK_MAX_REPORTED);
	printf("arena %s: %llu key%s (%llu with expiry), %llu chunk%s", name,
	    (unsigned long long)ck.ck_keys, ctl_plural(ck.ck_keys),
	    (unsigned long long)ck.ck_expires,
	    (unsigned long long)ck.ck_chunks, ctl_plural(ck.ck_chunks));
	if (flags & CHECK_LIVE)
		printf(" reached");
	else {
		printf(", %llu byte%s reached", (unsigned long long)ck.ck_bytes,
		    ctl_plural(ck.ck_bytes));
		if (ck.ck_leaked != 0)
			printf(", %llu leaked",
			    (unsigned long long)ck.ck_leaked);
	}
	printf("; %lld problem%s\n", (long long)n, ctl_plural((uint64_t)n));
	return (n == 0 ? CTL_EXIT_OK : CTL_EXIT_PROBLEM);
}

/* stats: the allocator's counters and the size of each database. */
static int
ctl_stats(const char *name, int argc, char *argv[])
{
	struct arena		 a;
	struct keyspace		 ks;
	struct slab_stats	 ss;
	uint64_t		 keys, expires;
	unsigned		 db, c;

	if (argc != 1)
		return (ctl_usage(argv[0]));
	if (ctl_attach(name, &a, &ks) == -1)
		return (CTL_EXIT_NOARENA);
	slab_stats(&a, &ss);

	printf("arena: %s\n", name);
	printf("size: %zu\n", a.ar_size);
	printf("pages_total: %u\n", ss.npages);
	printf("pages_free: %u\n", ss.pages_free);
	printf("pages_slab: %u\n", ss.pages_slab);
	printf("pages_run: %u\n", ss.pages_run);
	printf("pages_committed: %u\n", ss.pages_committed);
	printf("bytes_used: %llu\n", (unsigned long long)ss.bytes_used);
	printf("bytes_free: %llu\n", (unsigned long long)ss.bytes_free);
	for (c = 0; c < ss.nclasses; c++) {
		if (ss.cls[c].pages == 0)
			continue;
		printf("class%u: chunk_size=%u per_page=%u pages=%llu "
		    "used=%llu free=%llu\n", c, ss.cls[c].chunk_size,
		    ss.cls[c].per_page, (unsigned long long)ss.cls[c].pages,
		    (unsigned long long)ss.cls[c].used,
		    (unsigned long long)ss.cls[c].free);
	}
	for (db = 0; db < keyspace_databases(&ks); db++) {
		keyspace_count(&ks, db, &keys, &expires);
		if (keys == 0)
			continue;
		printf("db%u: keys=%llu expires=%llu\n", db,
		    (unsigned long long)keys, (unsigned long long)expires);
	}
	arena_detach(&a);
	return (CTL_EXIT_OK);
}

/*
 * populate [-n db] count [prefix [size]]: as Redis's DEBUG POPULATE, add
 * keys prefix:0 to prefix:count-1 whose values are "value:N", padded with
 * zero bytes or cut to `size' bytes when a size is given.  Keys that exist
 * already are left alone.
 */
static int
ctl_populate(const char *name, int argc, char *argv[])
{
	struct arena		 a;
	struct keyspace		 ks;
	struct ks_key		 kk;
	struct ks_stripe	*st;
	const char		*errstr, *prefix = "key";
	char			*key, *val, num[32];
	long long		 count, size = 0, j, added = 0, existed = 0;
	unsigned		 db = 0;
	size_t			 klen, vlen, keycap;
	int64_t			 now;
	int			 ch, rv, error = 0;

	optreset = 1;
	optind = 1;
	while ((ch = getopt(argc, argv, "+n:")) != -1) {
		switch (ch) {
		case 'n':
			db = (unsigned)strtonum(optarg, 0, INT_MAX, &errstr);
			if (errstr != NULL) {
				warnx("populate: database \"%s\" is %s",
				    optarg, errstr);
				return (CTL_EXIT_NOARENA);
			}
			break;
		default:
			return (ctl_usage(argv[0]));
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1 || argc > 3)
		return (ctl_usage("populate"));
	count = strtonum(argv[0], 0, LLONG_MAX, &errstr);
	if (errstr != NULL) {
		warnx("populate: count \"%s\" is %s", argv[0], errstr);
		return (CTL_EXIT_NOARENA);
	}
	if (argc > 1)
		prefix = argv[1];
	if (argc > 2) {
		size = strtonum(argv[2], 0, CTL_POPULATE_MAXVAL, &errstr);
		if (errstr != NULL) {
			warnx("populate: size \"%s\" is %s (0 to %d bytes)",
			    argv[2], errstr, CTL_POPULATE_MAXVAL);
			return (CTL_EXIT_NOARENA);
		}
	}

	if (ctl_attach(name, &a, &ks) == -1)
		return (CTL_EXIT_NOARENA);
	if (db >= keyspace_databases(&ks)) {
		warnx("populate: database %u does not exist (the arena has "
		    "%u)", db, keyspace_databases(&ks));
		arena_detach(&a);
		return (CTL_EXIT_NOARENA);
	}
	keycap = strlen(prefix) + 1 + sizeof(num);
	if ((key = malloc(keycap)) == NULL ||
	    (val = calloc(1, size > 0 ? (size_t)size : sizeof(num))) == NULL)
		err(CTL_EXIT_NOARENA, "populate");

	now = compat_realtime_ms();
	for (j = 0; j < count; j++) {
		klen = (size_t)snprintf(key, keycap, "%s:%lld", prefix, j);
		vlen = (size_t)snprintf(num, sizeof(num), "value:%lld", j);
		if (size > 0) {
			if (vlen > (size_t)size)
				vlen = (size_t)size;
			memcpy(val, num, vlen);
			memset(val + vlen, 0, (size_t)size - vlen);
			vlen = (size_t)size;
		} else
			memcpy(val, num, vlen);

		keyspace_key(&ks, &kk, key, klen);
		st = keyspace_lock(&ks, db, &kk);
		if (keyspace_find_locked(&ks, st, &kk, now) != NULL) {
			keyspace_unlock(&ks, st);
			existed++;
			continue;
		}
		rv = keyspace_put_locked(&ks, st, &kk, 0, val, vlen,
		    KEYSPACE_NO_EXPIRE);
		error = errno;
		keyspace_unlock(&ks, st);
		if (rv == -1)
			break;
		added++;
	}
	free(key);
	free(val);
	arena_detach(&a);

	if (j < count) {
		if (error == ENOMEM)
			warnx("arena full after %lld key%s", added,
			    ctl_plural((uint64_t)added));
		else
			warnx("populate: %s:%lld: %s", prefix, j,
			    strerror(error));
		return (CTL_EXIT_PROBLEM);
	}
	printf("populated %lld key%s", added, ctl_plural((uint64_t)added));
	if (existed > 0)
		printf(" (%lld already existed)", existed);
	printf("\n");
	return (CTL_EXIT_OK);
}

/*
 * destroy [-f]: remove the arena's name.  Processes that have it mapped
 * keep their mapping; the memory goes when the last of them unmaps it.
 */
static int
ctl_destroy(const char *name, int argc, char *argv[])
{
	struct arena	 a;
	char		 errbuf[256];
	int64_t		 pid;
	int		 ch, force = 0;

	optreset = 1;
	optind = 1;
	while ((ch = getopt(argc, argv, "+f")) != -1) {
		switch (ch) {
		case 'f':
			force = 1;
			break;
		default:
			return (ctl_usage(argv[0]));
		}
	}
	if (optind != argc)
		return (ctl_usage("destroy"));
	if (!ctl_exists(name))
		return (CTL_EXIT_NOARENA);

	/* A damaged arena has no owner to ask about: it may go. */
	if (arena_attach(&a, name, 0, errbuf, sizeof(errbuf)) == 0) {
		pid = a.ar_hdr->ah_owner_pid;
		arena_detach(&a);
		if (!force && pid != getpid() && arena_pid_running(pid)) {
			warnx("arena %s is in use by its owner, pid %lld; "
			    "stop it first, or use destroy -f", name,
			    (long long)pid);
			return (CTL_EXIT_PROBLEM);
		}
	} else
		warnx("note: %s", errbuf);

	if (arena_unlink(name) == -1) {
		warn("shm_unlink %s", name);
		return (CTL_EXIT_PROBLEM);
	}
	printf("removed arena %s\n", name);
	return (CTL_EXIT_OK);
}

/* status: what the header says, and whether its owner still runs. */
static int
ctl_status(const char *name, int argc, char *argv[])
{
	struct arena		 a;
	struct arena_header	*h;
	struct tm		 tm;
	time_t			 created;
	char			 when[64];

	if (argc != 1)
		return (ctl_usage(argv[0]));
	if (ctl_attach(name, &a, NULL) == -1)
		return (CTL_EXIT_NOARENA);
	h = a.ar_hdr;
	created = (time_t)h->ah_created;
	if (localtime_r(&created, &tm) == NULL ||
	    strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S %z", &tm) == 0)
		snprintf(when, sizeof(when), "%llu",
		    (unsigned long long)h->ah_created);

	printf("arena: %s\n", name);
	printf("size: %llu\n", (unsigned long long)h->ah_size);
	printf("layout: %u\n", h->ah_layout);
	printf("pages: %u\n", h->ah_npages);
	printf("created: %s\n", when);
	printf("owner_pid: %lld (%s)\n", (long long)h->ah_owner_pid,
	    arena_pid_running(h->ah_owner_pid) ? "running" : "not running");
	printf("clean: %s\n", shm_load32(&h->ah_clean) ? "yes" : "no");
	arena_detach(&a);
	return (CTL_EXIT_OK);
}

int
main(int argc, char *argv[])
{
	const char	*errstr, *name_arg = NULL;
	char		 name[64];
	size_t		 i;
	int		 ch, port = -1;

	/*
	 * The leading '+' stops glibc from permuting: options after the
	 * command name are the command's own.  BSD getopt never permutes.
	 */
	while ((ch = getopt(argc, argv, "+a:p:")) != -1) {
		switch (ch) {
		case 'a':
			name_arg = optarg;
			break;
		case 'p':
			port = (int)strtonum(optarg, 1, 65535, &errstr);
			if (errstr != NULL)
				errx(CTL_EXIT_NOARENA, "-p: port \"%s\" is %s",
				    optarg, errstr);
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1 || (name_arg != NULL && port != -1))
		usage();

	if (name_arg != NULL) {
		if (strlcpy(name, name_arg, sizeof(name)) >= sizeof(name))
			errx(CTL_EXIT_NOARENA, "-a: arena name \"%s\" is too "
			    "long", name_arg);
	} else
		store_default_name(name, sizeof(name),
		    port != -1 ? port : CTL_DEFAULT_PORT);

	for (i = 0; i < nitems(ctl_commands); i++)
		if (strcmp(argv[0], ctl_commands[i].cc_name) == 0)
			return (ctl_commands[i].cc_fn(name, argc, argv));
	warnx("unknown command \"%s\"", argv[0]);
	usage();
}
