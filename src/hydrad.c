/*
 * hydrad.c: the supervisor, hydra's server process.
 *
 * The supervisor creates the arena, the shared-memory object that holds the
 * whole store, and owns it for the life of the server: it is the arena's
 * creator (its pid is recorded in the header), and the one that marks it
 * clean and removes it at shutdown.  Like PostgreSQL's postmaster, once
 * the modules have initialised their regions it never reads or writes the
 * store itself: it takes no arena lock, and touches only the header's
 * ah_clean word.
 *
 * At this stage the supervisor does nothing else: serving clients (workers,
 * the listener) comes later, and it says so in its log.  Startup reads like
 * a checklist: parse the arguments, refuse an arena that already exists,
 * enter the data directory, daemonise unless -d, create the arena, then
 * wait for a signal.
 *
 * Crash policy, for now: there are no children to restart.  If the
 * supervisor itself is killed without a chance to shut down, the arena
 * stays behind with ah_clean still 0, and the next hydrad refuses to start
 * over it until an operator removes it with "hydractl destroy".
 */
#include <sys/mman.h>
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "hydra/arena.h"
#include "hydra/log.h"
#include "hydra/store.h"

#define HYDRAD_DEFAULT_PORT	6379
#define HYDRAD_MAX_DATABASES	65536

/* The server's settings, from the command line. */
struct hydrad_conf {
	int		 hc_foreground;		/* -d */
	int		 hc_check_only;		/* -n */
	int		 hc_verbose;		/* -v, repeatable */
	int		 hc_port;
	size_t		 hc_arena_size;
	char		 hc_arena_name[64];	/* as struct arena's ar_name */
	unsigned	 hc_databases;
	const char	*hc_dir;		/* NULL: stay where we are */
};

enum {
	OPT_PORT = 256,
	OPT_ARENA_SIZE,
	OPT_ARENA_NAME,
	OPT_DATABASES,
	OPT_DIR
};

static const struct option hydrad_longopts[] = {
	{ "port",	required_argument,	NULL,	OPT_PORT },
	{ "arena-size",	required_argument,	NULL,	OPT_ARENA_SIZE },
	{ "arena-name",	required_argument,	NULL,	OPT_ARENA_NAME },
	{ "databases",	required_argument,	NULL,	OPT_DATABASES },
	{ "dir",	required_argument,	NULL,	OPT_DIR },
	{ NULL,		0,			NULL,	0 }
};

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: %s [-dnv] [--port N] [--arena-size SIZE] "
	    "[--arena-name NAME]\n"
	    "\t[--databases N] [--dir DIR]\n", getprogname());
	exit(1);
}

/*
 * A size in redis.conf's notation: digits, then an optional unit, case
 * insensitive: b, k (1000), kb (1024), m, mb, g, gb.  Returns 0, or -1
 * with errno EINVAL when the text is not such a size, ERANGE when it does
 * not fit in a size_t.
 */
static int
hydrad_parse_size(const char *s, size_t *out)
{
	static const struct {
		const char	*u_name;
		uint64_t	 u_mult;
	} units[] = {
		{ "",	1 },
		{ "b",	1 },
		{ "k",	1000 },
		{ "kb",	1024 },
		{ "m",	1000 * 1000 },
		{ "mb",	1024 * 1024 },
		{ "g",	1000 * 1000 * 1000 },
		{ "gb",	1024 * 1024 * 1024 },
	};
	uint64_t	 n = 0;
	size_t		 i;
	const char	*p;
	int		 overflow = 0;

	for (p = s; *p >= '0' && *p <= '9'; p++) {
		if (n > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
			overflow = 1;
		else
			n = n * 10 + (uint64_t)(*p - '0');
	}
	for (i = 0; p != s && i < nitems(units); i++) {
		if (strcasecmp(p, units[i].u_name) != 0)
			continue;
		if (overflow || n > UINT64_MAX / units[i].u_mult ||
		    n * units[i].u_mult > SIZE_MAX) {
			errno = ERANGE;
			return (-1);
		}
		*out = (size_t)(n * units[i].u_mult);
		return (0);
	}
	errno = EINVAL;
	return (-1);
}

/*
 * A POSIX shared-memory name as the arena uses it: a leading slash, no
 * other slash, and short enough for struct arena's ar_name.
 */
static int
hydrad_valid_name(const char *name)
{
	size_t	 len = strlen(name);

	return (len >= 2 && len < sizeof(((struct arena *)NULL)->ar_name) &&
	    name[0] == '/' && strchr(name + 1, '/') == NULL);
}

/*
 * Parse the command line into `hc'.  A mistake is reported on standard
 * error, naming the option and the value, and ends the process.
 */
static void
hydrad_parse_args(struct hydrad_conf *hc, int argc, char *argv[])
{
	const char	*errstr, *size_arg = NULL, *name_arg = NULL;
	int		 ch;

	memset(hc, 0, sizeof(*hc));
	hc->hc_port = HYDRAD_DEFAULT_PORT;
	hc->hc_arena_size = STORE_DEFAULT_SIZE;
	hc->hc_databases = KEYSPACE_DATABASES;

	while ((ch = getopt_long(argc, argv, "dnv", hydrad_longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'd':
			hc->hc_foreground = 1;
			break;
		case 'n':
			hc->hc_check_only = 1;
			break;
		case 'v':
			hc->hc_verbose++;
			break;
		case OPT_PORT:
			hc->hc_port = (int)strtonum(optarg, 1, 65535, &errstr);
			if (errstr != NULL)
				errx(1, "--port: \"%s\" is %s (1 to 65535)",
				    optarg, errstr);
			break;
		case OPT_ARENA_SIZE:
			size_arg = optarg;
			if (hydrad_parse_size(optarg, &hc->hc_arena_size) == 0)
				break;
			if (errno == ERANGE)
				errx(1, "--arena-size: \"%s\" is too large",
				    optarg);
			errx(1, "--arena-size: \"%s\" is not a size (bytes, "
			    "or a number with k, kb, m, mb, g or gb)", optarg);
		case OPT_ARENA_NAME:
			name_arg = optarg;
			if (!hydrad_valid_name(optarg))
				errx(1, "--arena-name: \"%s\" is not a shared "
				    "memory name (one leading slash, no other, "
				    "at most %zu bytes)", optarg,
				    sizeof(hc->hc_arena_name) - 1);
			break;
		case OPT_DATABASES:
			hc->hc_databases = (unsigned)strtonum(optarg, 1,
			    HYDRAD_MAX_DATABASES, &errstr);
			if (errstr != NULL)
				errx(1, "--databases: \"%s\" is %s (1 to %d)",
				    optarg, errstr, HYDRAD_MAX_DATABASES);
			break;
		case OPT_DIR:
			if (*optarg == '\0')
				errx(1, "--dir: the directory name is empty");
			hc->hc_dir = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind != argc) {
		warnx("unexpected argument \"%s\"", argv[optind]);
		usage();
	}

	if (hc->hc_arena_size < ARENA_MIN_SIZE ||
	    hc->hc_arena_size > ARENA_MAX_SIZE)
		errx(1, "--arena-size: %s (%zu bytes) is out of range "
		    "(%zu to %zu bytes)", size_arg != NULL ? size_arg :
		    "the default", hc->hc_arena_size, (size_t)ARENA_MIN_SIZE,
		    (size_t)ARENA_MAX_SIZE);
	if (name_arg != NULL)
		strlcpy(hc->hc_arena_name, name_arg,
		    sizeof(hc->hc_arena_name));
	else
		store_default_name(hc->hc_arena_name,
		    sizeof(hc->hc_arena_name), hc->hc_port);
}

/*
 * The checks of -n that go beyond the syntax of the arguments, without
 * changing anything: a --dir that exists must be a directory.
 */
static void
hydrad_check_conf(const struct hydrad_conf *hc)
{
	struct stat	 sb;

	if (hc->hc_dir != NULL && stat(hc->hc_dir, &sb) == 0 &&
	    !S_ISDIR(sb.st_mode))
		errx(1, "--dir: %s exists and is not a directory", hc->hc_dir);
}

/*
 * Refuse to start over an arena that already exists: it belongs to another
 * hydrad, or was left by one that did not shut down; either way removing
 * it is the operator's decision.
 */
static void
hydrad_refuse_existing(const char *name)
{
	struct arena	 a;
	char		 errbuf[256];
	int64_t		 pid;
	int		 fd;

	fd = shm_open(name, O_RDONLY, 0);
	if (fd == -1) {
		if (errno == ENOENT)
			return;
		err(1, "arena %s: shm_open", name);
	}
	close(fd);
	if (arena_attach(&a, name, 0, errbuf, sizeof(errbuf)) == -1)
		errx(1, "arena %s exists but is not usable (%s); remove it "
		    "with `hydractl -a %s destroy`", name, errbuf, name);
	pid = a.ar_hdr->ah_creator_pid;
	arena_detach(&a);
	if (arena_pid_running(pid))
		errx(1, "arena %s exists (created by pid %lld); another "
		    "hydrad may be running; remove it with `hydractl -a %s "
		    "destroy`", name, (long long)pid, name);
	errx(1, "arena %s exists (created by pid %lld, no longer running); "
	    "remove it with `hydractl -a %s destroy`", name, (long long)pid,
	    name);
}

/*
 * Create `dir' and any missing parent, like mkdir -p, then make it the
 * working directory.  Fatal on failure.
 */
static void
hydrad_enter_dir(const char *dir)
{
	char	 path[PATH_MAX], *p;

	if (strlcpy(path, dir, sizeof(path)) >= sizeof(path))
		errx(1, "--dir: %s: the path is too long", dir);
	for (p = path + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		if (p[-1] != '/') {
			char	 saved = *p;

			*p = '\0';
			if (mkdir(path, 0755) == -1 && errno != EEXIST)
				err(1, "--dir: cannot create %s", path);
			*p = saved;
		}
		if (*p == '\0')
			break;
	}
	if (chdir(dir) == -1)
		err(1, "--dir: cannot enter %s", dir);
}

/*
 * Hold the arena until SIGTERM or SIGINT.  The signals are blocked since
 * startup and taken here with sigwait(), so none is lost and nothing runs
 * in a handler.
 */
static int
hydrad_wait(const sigset_t *set)
{
	int	 sig, error;

	for (;;) {
		if ((error = sigwait(set, &sig)) != 0) {
			errno = error;
			fatal("sigwait");
		}
		switch (sig) {
		case SIGHUP:
			log_info("SIGHUP: there is no configuration file to "
			    "reload yet");
			break;
		default:
			return (sig);
		}
	}
}

int
main(int argc, char *argv[])
{
	struct hydrad_conf	 hc;
	struct arena_params	 ap;
	struct arena		 a;
	sigset_t		 set;
	char			 errbuf[256];
	int			 sig;

	hydrad_parse_args(&hc, argc, argv);
	if (hc.hc_check_only) {
		hydrad_check_conf(&hc);
		printf("configuration OK\n");
		return (0);
	}

	/*
	 * Signals wait in the mask for hydrad_wait(), from here on.  Their
	 * actions are reset first: a shell starts background jobs with
	 * SIGINT ignored, and an ignored signal may be discarded even while
	 * it is blocked.
	 */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) == -1)
		err(1, "sigprocmask");
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGPIPE, SIG_IGN);

	hydrad_refuse_existing(hc.hc_arena_name);
	if (hc.hc_dir != NULL)
		hydrad_enter_dir(hc.hc_dir);

	log_init(getprogname(), hc.hc_foreground, hc.hc_verbose);
	log_procname("supervisor");
	/*
	 * The arena records its creator's pid, so it is created after the
	 * fork of daemon(3).  The working directory is kept: it is --dir.
	 */
	if (!hc.hc_foreground && daemon(1, 0) == -1)
		fatal("daemon");

	store_default_params(&ap, hc.hc_arena_size);
	ap.ap_databases = hc.hc_databases;
	if (store_create(&a, NULL, hc.hc_arena_name, &ap, errbuf,
	    sizeof(errbuf)) == -1)
		fatalx("%s", errbuf);
	log_info("arena %s: %zu bytes, %u databases", hc.hc_arena_name,
	    a.ar_size, hc.hc_databases);
	log_debug("arena %s: %u pages from offset %llu", hc.hc_arena_name,
	    a.ar_hdr->ah_npages, (unsigned long long)a.ar_hdr->ah_pages_off);
	log_info("serving clients is not implemented yet; holding the arena "
	    "until SIGTERM");

	sig = hydrad_wait(&set);
	log_info("%s: shutting down", sig == SIGINT ? "SIGINT" : "SIGTERM");

	shm_store32(&a.ar_hdr->ah_clean, 1);
	arena_detach(&a);
	if (arena_unlink(hc.hc_arena_name) == -1)
		log_warn("shm_unlink %s", hc.hc_arena_name);
	log_info("shutdown");
	return (0);
}
