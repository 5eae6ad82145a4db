/*
 * hydrad.c: the server's main(): read the configuration, create the
 * arena, hand over to the supervisor.
 *
 * Run by the supervisor, hydrad's first process, before it forks anything.
 * It creates the arena (its pid is recorded in the header as the owner),
 * or adopts one an earlier hydrad left behind, after the checker (which
 * takes every lock in turn, repairing what dead holders left) finds it
 * whole; from then on supervisor.c owns it and touches only the header's
 * ah_clean word.
 *
 * Startup reads like a checklist: parse the flags and the configuration
 * (a file and "--directive value" overrides, as redis-server reads them),
 * refuse an arena that another running hydrad serves, enter the data
 * directory, open the log and the pidfile, open the listening sockets,
 * detach if daemonize says so (and neither -d nor a service manager
 * forbids it), create the arena or adopt the one left behind, write the
 * pid, tell the service manager, supervise.  Whatever can be wrong with the configuration is found before
 * detaching, so it fails on the terminal that started hydrad, with its
 * message and exit status 1; a daemon that fails after detaching and
 * before it is ready still has that terminal, and its parent exits with
 * the daemon's status.
 *
 * The command line: -d (debug) keeps hydrad in the foreground and logs to
 * standard error only, whatever daemonize, logfile and syslog-enabled say,
 * as the OpenBSD daemons' -d does; -n checks the configuration and exits;
 * each -v raises loglevel by one step.
 *
 * Crash policy: see supervisor.c.  If the supervisor itself is killed
 * without a chance to shut down, its workers follow it (they watch their
 * parent), the arena stays behind with ah_clean still 0, and the next
 * hydrad started with the same settings serves it at once, without
 * reading the disk.
 */
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <libutil.h>
#include <limits.h>
#include <paths.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hydra/arena.h"
#include "hydra/check.h"
#include "hydra/compat.h"
#include "hydra/config.h"
#include "hydra/keyspace.h"
#include "hydra/log.h"
#include "hydra/notify.h"
#include "hydra/persister.h"
#include "hydra/store.h"
#include "hydra/supervisor.h"

#define HYDRAD_MAX_DATABASES	65536
#define HYDRAD_PIDFILE_MODE	0644

extern char **environ;

/* The pidfile, while this process (the supervisor) holds it. */
static struct pidfh	*hydrad_pfh;
static const char	*hydrad_pfh_path;
static pid_t		 hydrad_pfh_owner;

/* The flags of the command line; the rest is struct config. */
struct hydrad_flags {
	int		 hf_debug;		/* -d */
	int		 hf_check_only;		/* -n */
	int		 hf_verbose;		/* -v, repeatable */
	const char	*hf_conffile;		/* NULL: none */
	char		**hf_args;		/* the "--directive" part */
	int		 hf_nargs;
};

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: %s [-dnv] [/path/to/hydra.conf] "
	    "[--directive value ...]\n", getprogname());
	exit(1);
}

/*
 * Split the command line: single-dash flags (-d, -n, -v, alone or
 * together, anywhere), then an optional configuration file before the
 * first "--directive", then the directives with their values.
 */
static void
hydrad_parse_flags(struct hydrad_flags *hf, int argc, char *argv[])
{
	const char	*p;
	int		 i, directives = 0;

	memset(hf, 0, sizeof(*hf));
	if ((hf->hf_args = calloc((size_t)argc + 1, sizeof(char *))) == NULL)
		err(1, NULL);
	for (i = 1; i < argc; i++) {
		p = argv[i];
		if (p[0] == '-' && p[1] != '-' && p[1] != '\0' &&
		    strspn(p + 1, "dnv") == strlen(p + 1)) {
			for (p++; *p != '\0'; p++) {
				if (*p == 'd')
					hf->hf_debug = 1;
				else if (*p == 'n')
					hf->hf_check_only = 1;
				else
					hf->hf_verbose++;
			}
			continue;
		}
		if (p[0] == '-' && p[1] == '-')
			directives = 1;
		if (directives) {
			hf->hf_args[hf->hf_nargs++] = argv[i];
			continue;
		}
		if (p[0] == '-' || hf->hf_conffile != NULL) {
			warnx("unexpected argument \"%s\"", p);
			usage();
		}
		hf->hf_conffile = p;
	}
}

/* A POSIX shared-memory name as the arena uses it. */
static int
hydrad_valid_name(const char *name)
{
	size_t	 len = strlen(name);

	return (len >= 2 && len < sizeof(((struct arena *)NULL)->ar_name) &&
	    name[0] == '/' && strchr(name + 1, '/') == NULL);
}

/*
 * The checks that the directive table cannot make: the arena's size and
 * name, the database count, somewhere to listen, a Unix socket path that
 * fits, and (for -n) a dir that exists must be a directory.  A mistake
 * ends the process, naming the directive.
 */
static void
hydrad_check_conf(const struct config *cfg, char *name, size_t namelen)
{
	struct stat	 sb;
	size_t		 sunlen = sizeof(((struct sockaddr_un *)NULL)->sun_path);

	if (cfg->cf_arena_size < (long long)ARENA_MIN_SIZE ||
	    (unsigned long long)cfg->cf_arena_size > ARENA_MAX_SIZE)
		errx(1, "arena-size: %lld bytes is out of range "
		    "(%zu to %zu bytes)", cfg->cf_arena_size,
		    (size_t)ARENA_MIN_SIZE, (size_t)ARENA_MAX_SIZE);
	config_arena_name(cfg, name, namelen);
	if (!hydrad_valid_name(name))
		errx(1, "arena-name: \"%s\" is not a shared memory name (one "
		    "leading slash, no other, at most %zu bytes)", name,
		    sizeof(((struct arena *)NULL)->ar_name) - 1);
	if (cfg->cf_databases > HYDRAD_MAX_DATABASES)
		errx(1, "databases: %d is out of range (1 to %d)",
		    cfg->cf_databases, HYDRAD_MAX_DATABASES);
	if (cfg->cf_port == 0 && cfg->cf_unixsocket[0] == '\0')
		errx(1, "port: 0 and no unixsocket: configured to listen "
		    "nowhere");
	if (strlen(cfg->cf_unixsocket) >= sunlen)
		errx(1, "unixsocket: the path is too long (%zu bytes, at most "
		    "%zu)", strlen(cfg->cf_unixsocket), sunlen - 1);
	if (cfg->cf_dir[0] == '\0')
		errx(1, "dir: the directory name is empty");
	if (stat(cfg->cf_dir, &sb) == 0 && !S_ISDIR(sb.st_mode))
		errx(1, "dir: %s exists and is not a directory", cfg->cf_dir);
}

/*
 * An arena by this name already exists.  If its owner still runs, it is
 * another hydrad's: refuse.  If not, it was left behind (a supervisor that
 * was killed, or a clean shutdown with arena-keep): 1, to attach to it
 * once the daemon is set up.  One that cannot be attached (another layout
 * version, not initialised) is refused with the reason.  0 when there is
 * none.
 */
static int
hydrad_existing(const char *name)
{
	struct arena	 a;
	char		 errbuf[256];
	int64_t		 pid;
	int		 fd;

	fd = shm_open(name, O_RDONLY, 0);
	if (fd == -1) {
		if (errno == ENOENT)
			return (0);
		err(1, "arena %s: shm_open", name);
	}
	close(fd);
	if (arena_attach(&a, name, 0, errbuf, sizeof(errbuf)) == -1)
		errx(1, "arena %s exists but is not usable (%s); remove it "
		    "with `hydractl -a %s destroy` (its data is lost)", name,
		    errbuf, name);
	pid = a.ar_hdr->ah_owner_pid;
	arena_detach(&a);
	if (arena_pid_running(pid))
		errx(1, "arena %s exists (served by pid %lld); another "
		    "hydrad may be running; stop it, or remove the arena with "
		    "`hydractl -a %s destroy`", name, (long long)pid, name);
	return (1);
}

/*
 * Serve the arena an earlier hydrad left: it must have the size and the
 * shape (databases, stripes) the configuration asks for, and the checker
 * must find it whole; every lock a dead process held is repaired on the
 * way (the checker takes each one).  Then it is ours.  Fatal otherwise:
 * the operator decides what becomes of the data.
 */
static void
hydrad_attach(struct arena *a, const char *name,
    const struct arena_params *ap)
{
	struct keyspace	 ks;
	struct check	 ck;
	struct timespec	 t0, t1;
	char		 errbuf[256];
	int64_t		 problems, left_by;
	int		 clean;

	if (store_attach(a, &ks, name, ap->ap_size, errbuf,
	    sizeof(errbuf)) == -1)
		fatalx("arena %s was left behind but cannot be served: %s; "
		    "remove it with `hydractl -a %s destroy` (its data is "
		    "lost) or start with its settings", name, errbuf, name);
	if (keyspace_databases(&ks) != ap->ap_databases ||
	    keyspace_stripes(&ks) != 1U << ap->ap_stripes_log2)
		fatalx("arena %s was left behind with %u databases of %u "
		    "stripes, but the configuration asks for %u of %u; start "
		    "with its settings or remove it with `hydractl -a %s "
		    "destroy` (its data is lost)", name,
		    keyspace_databases(&ks), keyspace_stripes(&ks),
		    ap->ap_databases, 1U << ap->ap_stripes_log2, name);
	left_by = a->ar_hdr->ah_owner_pid;
	clean = (int)shm_load32(&a->ar_hdr->ah_clean);
	arena_adopt(a);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((problems = check_arena(a, 0, NULL, &ck)) == -1)
		fatalx("arena %s: no memory to check it", name);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (problems != 0)
		fatalx("arena %s was left behind damaged: the check finds %lld "
		    "problems (`hydractl -a %s check` lists them); not serving "
		    "it", name, (long long)problems, name);
	log_info("arena %s: attached, left by pid %lld after %s; %llu keys, "
	    "checked in %lld ms", name, (long long)left_by,
	    clean ? "a clean shutdown" : "a crash",
	    (unsigned long long)ck.ck_keys,
	    (long long)((t1.tv_sec - t0.tv_sec) * 1000 +
	    (t1.tv_nsec - t0.tv_nsec) / 1000000));
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
		errx(1, "dir: %s: the path is too long", dir);
	for (p = path + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		if (p[-1] != '/') {
			char	 saved = *p;

			*p = '\0';
			if (mkdir(path, 0755) == -1 && errno != EEXIST)
				err(1, "dir: cannot create %s", path);
			*p = saved;
		}
		if (*p == '\0')
			break;
	}
	if (chdir(dir) == -1)
		err(1, "dir: cannot enter %s", dir);
}

/*
 * Start logging as the configuration says: to standard error, or to
 * logfile (inside dir when relative; the file is opened here, so the
 * children inherit it), and to syslog if enabled; -d keeps standard error
 * alone.  Until hydrad is ready, warnings are echoed to standard error.
 */
static void
hydrad_log_open(const struct config *cfg, const struct hydrad_flags *hf)
{
	log_init(getprogname(), 1, 0);
	log_setlevel(config_log_level(cfg->cf_loglevel, hf->hf_verbose));
	log_procname("supervisor");
	if (hf->hf_debug)
		return;
	if (cfg->cf_logfile[0] != '\0' && log_open_file(cfg->cf_logfile) == -1)
		err(1, "logfile: cannot open %s", cfg->cf_logfile);
	if (cfg->cf_syslog_enabled)
		log_syslog(cfg->cf_syslog_ident, cfg->cf_syslog_facility);
	log_echo_stderr(1);
}

/*
 * Remove the pidfile, in the process that holds it.  Also run at exit,
 * so that a start that fails leaves none behind.
 */
static void
hydrad_pidfile_remove(void)
{
	if (hydrad_pfh == NULL || getpid() != hydrad_pfh_owner)
		return;
	log_info("removing the pid file %s", hydrad_pfh_path);
	if (pidfile_remove(hydrad_pfh) == -1)
		log_warn("pidfile %s", hydrad_pfh_path);
	hydrad_pfh = NULL;
}

/*
 * Create and lock pidfile (inside dir when relative).  A lock held by
 * another process means another hydrad: refuse, with its pid.  The pid is
 * written later, by the process that supervises.
 */
static void
hydrad_pidfile_open(const struct config *cfg)
{
	pid_t	 other = -1;

	if (cfg->cf_pidfile[0] == '\0')
		return;
	hydrad_pfh = pidfile_open(cfg->cf_pidfile, HYDRAD_PIDFILE_MODE,
	    &other);
	if (hydrad_pfh == NULL) {
		if (errno == EEXIST && other > 0)
			fatalx("pidfile %s is held by pid %ld: another hydrad "
			    "is running", cfg->cf_pidfile, (long)other);
		if (errno == EEXIST)
			fatalx("pidfile %s is held by another process",
			    cfg->cf_pidfile);
		fatal("pidfile %s", cfg->cf_pidfile);
	}
	hydrad_pfh_path = cfg->cf_pidfile;
	hydrad_pfh_owner = getpid();
	if (atexit(hydrad_pidfile_remove) != 0)
		fatalx("atexit");
}

/* Write the pid of this process, the supervisor, into the pidfile. */
static void
hydrad_pidfile_write(struct supervisor *sv)
{
	if (hydrad_pfh == NULL)
		return;
	if (pidfile_write(hydrad_pfh) == -1)
		fatal("pidfile %s", hydrad_pfh_path);
	supervisor_private_fd(sv, pidfile_fileno(hydrad_pfh));
}

/*
 * daemonize: fork, and let the child start a session of its own.  The
 * parent stays on the terminal until the child says it is ready (one byte
 * on a pipe), then exits 0; if the child exits first, the parent exits
 * with the child's status, its messages already on the terminal.  The
 * working directory stays dir.  Returns, in the child, the pipe's end for
 * hydrad_ready().
 */
static int
hydrad_detach(void)
{
	pid_t	 pid;
	ssize_t	 n;
	char	 c;
	int	 p[2], status;

	if (pipe(p) == -1)
		fatal("pipe");
	if ((pid = fork()) == -1)
		fatal("fork");
	if (pid == 0) {
		close(p[0]);
		hydrad_pfh_owner = getpid();	/* the parent leaves it */
		if (setsid() == -1)
			fatal("setsid");
		return (p[1]);
	}
	close(p[1]);
	while ((n = read(p[0], &c, 1)) == -1 && errno == EINTR)
		continue;
	if (n == 1)
		_exit(0);
	if (waitpid(pid, &status, 0) == -1 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) == 0)
		_exit(1);
	_exit(WEXITSTATUS(status));
}

/*
 * Startup is over: stop echoing warnings to the terminal and, in a daemon,
 * point the standard descriptors at /dev/null and release the parent.
 */
static void
hydrad_ready(int fd)
{
	int	 null;

	log_echo_stderr(0);
	if (fd == -1)
		return;
	if ((null = open(_PATH_DEVNULL, O_RDWR)) == -1)
		fatal("%s", _PATH_DEVNULL);
	if (dup2(null, STDIN_FILENO) == -1 ||
	    dup2(null, STDOUT_FILENO) == -1 ||
	    dup2(null, STDERR_FILENO) == -1)
		fatal("dup2");
	if (null > STDERR_FILENO)
		close(null);
	if (write(fd, "", 1) != 1)
		log_warn("cannot release the parent");
	close(fd);
}

int
main(int argc, char *argv[])
{
	struct hydrad_flags	 hf;
	struct config		 cfg;
	struct config_error	 cerr;
	struct arena_params	 ap;
	struct arena		 a;
	struct supervisor	*sv;
	sigset_t		 set;
	char			 errbuf[256], name[64];
	unsigned		 log2;
	int			 readyfd = -1, notify, status, existing;

	/* Before anything reads argv: children retitle themselves. */
	setproctitle_init(argc, argv, environ);

	hydrad_parse_flags(&hf, argc, argv);
	if (config_init(&cfg) == -1)
		err(1, "config");
	if (config_load(&cfg, hf.hf_conffile, hf.hf_nargs, hf.hf_args,
	    &cerr) == -1) {
		config_error_print(&cerr, stderr);
		return (1);
	}
	hydrad_check_conf(&cfg, name, sizeof(name));
	if (hf.hf_check_only) {
		printf("configuration OK\n");
		return (0);
	}

	/*
	 * Signals wait in the mask for the supervisor, from here on, and
	 * children unblock them.  Their actions are reset first: a shell
	 * starts background jobs with SIGINT ignored, and an ignored signal
	 * may be discarded even while it is blocked.
	 */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &set, NULL) == -1)
		err(1, "sigprocmask");
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
	signal(SIGPIPE, SIG_IGN);

	/*
	 * A daemon keeps no descriptor of the shell that started it but the
	 * three it points at /dev/null: an inherited pipe would keep the
	 * shell's reader waiting for as long as hydrad runs.
	 */
	if (cfg.cf_daemonize && !hf.hf_debug)
		closefrom(STDERR_FILENO + 1);

	existing = hydrad_existing(name);
	hydrad_enter_dir(cfg.cf_dir);

	hydrad_log_open(&cfg, &hf);
	hydrad_pidfile_open(&cfg);
	if ((sv = supervisor_listen(&cfg)) == NULL)
		fatalx("cannot listen; exiting");
	/*
	 * The arena records its creator's pid, so it is created after the
	 * fork.  The working directory is kept: it is dir.  A service
	 * manager that waits for "ready" wants its own child to stay, so
	 * daemonize gives way to supervised, as in redis-server.
	 */
	notify = notify_mode(cfg.cf_supervised);
	if (cfg.cf_daemonize && !hf.hf_debug) {
		if (notify != CONFIG_SUPERVISED_NO)
			log_info("supervised: staying in the foreground");
		else {
			if (cfg.cf_logfile[0] == '\0' && !cfg.cf_syslog_enabled)
				log_warnx("daemonize: with no logfile and no "
				    "syslog, the log goes to /dev/null");
			readyfd = hydrad_detach();
		}
	}

	store_default_params(&ap, (size_t)cfg.cf_arena_size);
	ap.ap_databases = (unsigned)cfg.cf_databases;
	for (log2 = 0; (1U << log2) < (unsigned)cfg.cf_stripes; log2++)
		continue;
	ap.ap_stripes_log2 = log2;
	if (existing)
		hydrad_attach(&a, name, &ap);
	else if (store_create(&a, NULL, name, &ap, errbuf,
	    sizeof(errbuf)) == -1)
		fatalx("%s", errbuf);
	else
		persister_load_pending(&a);
	log_info("arena %s: %zu bytes, %u databases", name, a.ar_size,
	    ap.ap_databases);
	log_debug("arena %s: %u pages from offset %llu", name,
	    a.ar_hdr->ah_npages, (unsigned long long)a.ar_hdr->ah_pages_off);
	hydrad_pidfile_write(sv);
	log_info("hydrad %ld ready%s", (long)getpid(),
	    readyfd != -1 ? ", detached" : "");
	hydrad_ready(readyfd);
	notify_ready(notify);

	status = supervisor_run(sv, &a, name, &set);
	hydrad_pidfile_remove();
	log_info("ready to exit; bye");
	return (status);
}
