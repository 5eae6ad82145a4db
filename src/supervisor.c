/*
 * supervisor.c: the supervisor's work after startup: the listening
 * sockets (TCP and the optional Unix socket), the role table, forking,
 * reaping and respawning, signals, shutdown.
 *
 * Run by the supervisor (hydrad's first process).  Like PostgreSQL's
 * postmaster it never reads or writes the store: it takes no keyspace or
 * slab lock, so no dead child can leave it stuck, and it touches only the
 * arena header's ah_clean word, at shutdown.
 *
 * Crash policy.  A child that dies for any reason but EX_CONFIG is logged
 * and respawned: the arena's robust locks and intents let the next taker
 * of each lock the dead child held repair what it left, so the other
 * children carry on meanwhile, and the listening sockets (open here, for
 * the life of the daemon) keep their accept queues.  Respawns back off
 * (100 ms doubling to 5 s, reset once a child has run 10 s), so a child
 * that dies at once does not spin.  A child that exits with EX_CONFIG
 * stops the daemon.  If the supervisor itself dies, the children get
 * SIGKILL (the parent death signal, or their own watch of getppid()), and
 * the arena stays behind, not clean, for an operator to remove.
 *
 * Signals are blocked in the supervisor and taken with sigtimedwait(), so
 * nothing runs in a handler; children get the original mask back.
 * SIGTERM and SIGINT stop the daemon: the children get SIGTERM, the arena
 * is marked clean and removed, and the Unix socket unlinked.  SIGHUP
 * reopens the log file, here and (through log.c's generation) in every
 * child before its next line.
 */
#include <sys/types.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "hydra/arena.h"
#include "hydra/command.h"
#include "hydra/compat.h"
#include "hydra/config.h"
#include "hydra/keyspace.h"
#include "hydra/log.h"
#include "hydra/persister.h"
#include "hydra/scoreboard.h"
#include "hydra/supervisor.h"
#include "hydra/watchdog.h"
#include "hydra/worker.h"

#define SV_LISTEN_MAX		(2 * CONFIG_BIND_MAX + 1)	/* + Unix */
#define SV_PRIVATE_MAX		4
#define SV_BACKOFF_MIN_MS	100
#define SV_BACKOFF_MAX_MS	5000
#define SV_STABLE_MS		10000	/* a run this long resets the backoff */
#define SV_STOP_GRACE_MS	5000	/* SIGTERM, then SIGKILL */
#define SV_SAVE_GRACE_MS	60000	/* the same for the final save */

struct supervisor;

/*
 * A kind of child process: how many, what they run, and what the
 * supervisor does when one is forked and when one is reaped (NULL: nothing).
 */
struct sv_role {
	const char	*ro_name;
	int		(*ro_count)(const struct supervisor *);
	int		(*ro_main)(struct supervisor *, int index);
	void		(*ro_spawned)(struct supervisor *, int index, pid_t);
	void		(*ro_reaped)(struct supervisor *, int index);
};

/* One child slot: a role and an index, and the process filling it. */
struct sv_child {
	const struct sv_role	*ch_role;
	int			 ch_index;
	pid_t			 ch_pid;		/* 0: not running */
	int64_t			 ch_started_ms;		/* monotonic */
	int64_t			 ch_respawn_ms;		/* 0: none due */
	int			 ch_backoff_ms;
	int			 ch_watchdog;		/* killed by it */
};

struct supervisor {
	struct config		*sv_cfg;	/* maxclients may shrink */
	struct arena		*sv_arena;
	const sigset_t		*sv_set;
	pid_t			 sv_pid;
	int			 sv_listen[SV_LISTEN_MAX];
	int			 sv_nlisten;
	const char		*sv_unixpath;	/* NULL: no Unix socket */
	int			 sv_private[SV_PRIVATE_MAX];
	int			 sv_nprivate;	/* closed in the children */
	struct scoreboard	*sv_scoreboard;
	struct keyspace		 sv_ks;		/* for the watchdog only */
	int64_t			 sv_watchdog_ms; /* next look at the locks */
	int			 sv_wake[2];	/* the persister's wake pipe:
						   workers write, it reads */
	struct sv_child		*sv_children;
	int			 sv_nchildren;
	int			 sv_stopping;	/* no more respawns */
};

static int	sv_worker_count(const struct supervisor *);
static int	sv_worker_main(struct supervisor *, int);
static void	sv_worker_spawned(struct supervisor *, int, pid_t);
static void	sv_worker_reaped(struct supervisor *, int);
static int	sv_persister_count(const struct supervisor *);
static int	sv_persister_main(struct supervisor *, int);

/* The roles, in the order they are started. */
static const struct sv_role sv_roles[] = {
	{ "worker", sv_worker_count, sv_worker_main, sv_worker_spawned,
	    sv_worker_reaped },
	{ "persister", sv_persister_count, sv_persister_main, NULL, NULL },
	/* "broker" comes here. */
};

/* Is this child stopped after the others (the persister)? */
static int
sv_stops_last(const struct sv_child *ch)
{
	return (ch->ch_role->ro_main == sv_persister_main);
}

static int64_t
sv_now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

static int
sv_worker_count(const struct supervisor *sv)
{
	long	 n;

	if (sv->sv_cfg->cf_workers > 0)
		return (sv->sv_cfg->cf_workers);
	n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		n = 1;
	if (n > SB_WORKERS_MAX)
		n = SB_WORKERS_MAX;
	return ((int)n);
}

static int
sv_worker_main(struct supervisor *sv, int index)
{
	struct worker_params	 wp;

	wp.wp_cfg = sv->sv_cfg;
	wp.wp_arena = sv->sv_arena;
	wp.wp_listen = sv->sv_listen;
	wp.wp_nlisten = sv->sv_nlisten;
	wp.wp_index = index;
	wp.wp_nworkers = sv_worker_count(sv);
	wp.wp_parent = sv->sv_pid;
	wp.wp_scoreboard = sv->sv_scoreboard;
	wp.wp_persister_fd = sv->sv_wake[1];
	return (worker_main(&wp));
}

static int
sv_persister_count(const struct supervisor *sv)
{
	(void)sv;
	return (1);
}

static int
sv_persister_main(struct supervisor *sv, int index)
{
	struct persister_params	 pp;

	(void)index;
	pp.pp_cfg = sv->sv_cfg;
	pp.pp_arena = sv->sv_arena;
	pp.pp_scoreboard = sv->sv_scoreboard;
	pp.pp_parent = sv->sv_pid;
	pp.pp_wake_fd = sv->sv_wake[0];
	return (persister_main(&pp));
}

/*
 * The pipe through which workers wake the persister, made before the
 * first fork and kept for life (like the listening sockets), so that a
 * respawned persister or worker has its end.  Both ends non-blocking: a
 * full pipe already says "wake up".  0, or -1 after logging why.
 */
static int
sv_wake_pipe(struct supervisor *sv)
{
	int	 i, flags;

	if (pipe(sv->sv_wake) == -1) {
		log_warn("pipe");
		return (-1);
	}
	for (i = 0; i < 2; i++)
		if ((flags = fcntl(sv->sv_wake[i], F_GETFL)) == -1 ||
		    fcntl(sv->sv_wake[i], F_SETFL, flags | O_NONBLOCK) == -1) {
			log_warn("fcntl");
			return (-1);
		}
	return (0);
}

static void
sv_worker_spawned(struct supervisor *sv, int index, pid_t pid)
{
	scoreboard_worker_started(sv->sv_scoreboard, index, (int)pid);
}

/* What a dead worker left on the scoreboard: its clients are gone. */
static void
sv_worker_reaped(struct supervisor *sv, int index)
{
	scoreboard_worker_died(sv->sv_scoreboard, index);
}

/*
 * Open one listening socket for `addr' (NULL: the wildcard of `family').
 * Returns 0, or -1 with errno.
 */
static int
sv_listen_one(struct supervisor *sv, const char *addr, int family, int port)
{
	struct addrinfo	 hints, *res, *ai;
	char		 portstr[16];
	int		 fd = -1, one = 1, error, saved = 0, flags;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = family;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	snprintf(portstr, sizeof(portstr), "%d", port);
	if ((error = getaddrinfo(addr, portstr, &hints, &res)) != 0) {
		log_warnx("bind %s: %s", addr != NULL ? addr : "*",
		    gai_strerror(error));
		errno = EADDRNOTAVAIL;
		return (-1);
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if (sv->sv_nlisten == SV_LISTEN_MAX) {
			saved = ENFILE;
			break;
		}
		if ((fd = socket(ai->ai_family, ai->ai_socktype,
		    ai->ai_protocol)) == -1) {
			saved = errno;
			continue;
		}
		(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
		    sizeof(one));
		if (ai->ai_family == AF_INET6)
			(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
			    sizeof(one));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == -1 ||
		    listen(fd, sv->sv_cfg->cf_tcp_backlog) == -1 ||
		    (flags = fcntl(fd, F_GETFL)) == -1 ||
		    fcntl(fd, F_SETFL, flags | O_NONBLOCK) == -1) {
			saved = errno;
			close(fd);
			continue;
		}
		sv->sv_listen[sv->sv_nlisten++] = fd;
		freeaddrinfo(res);
		return (0);
	}
	freeaddrinfo(res);
	errno = saved != 0 ? saved : EADDRNOTAVAIL;
	return (-1);
}

/*
 * The addresses of the configuration.  Redis's default ("* -::*") would
 * listen on every interface; until protected mode exists, hydra listens
 * on the loopback addresses instead when the bind directive is left at
 * its default.  A leading '-' marks an address that may be unavailable.
 */
static int
sv_listen_all(struct supervisor *sv)
{
	static const char *const loopback[] = { "127.0.0.1", "-::1" };
	const struct config	*cfg = sv->sv_cfg;
	const char *const	*addrs;
	const char		*addr;
	int			 n, i, optional, family, saved;

	if (cfg->cf_nbind == 2 && strcmp(cfg->cf_bind[0], "*") == 0 &&
	    strcmp(cfg->cf_bind[1], "-::*") == 0) {
		addrs = loopback;
		n = (int)nitems(loopback);
	} else {
		addrs = (const char *const *)cfg->cf_bind;
		n = cfg->cf_nbind;
	}
	for (i = 0; i < n; i++) {
		addr = addrs[i];
		optional = addr[0] == '-';
		if (optional)
			addr++;
		family = AF_UNSPEC;
		if (strcmp(addr, "*") == 0) {
			addr = NULL;
			family = AF_INET;
		} else if (strcmp(addr, "::*") == 0) {
			addr = NULL;
			family = AF_INET6;
		}
		if (sv_listen_one(sv, addr, family, cfg->cf_port) == 0)
			continue;
		saved = errno;
		if (optional && (saved == EADDRNOTAVAIL ||
		    saved == EAFNOSUPPORT || saved == EPROTONOSUPPORT))
			continue;
		log_warnx("could not create server TCP listening socket "
		    "%s:%d: %s", addrs[i], cfg->cf_port, strerror(saved));
		return (-1);
	}
	if (sv->sv_nlisten == 0) {
		log_warnx("no listening socket could be opened");
		return (-1);
	}
	return (0);
}

/*
 * Make way for the Unix socket at `path': nothing there is fine, and so is
 * a socket that nobody answers on (left by a server that did not shut
 * down), which is removed.  A socket that answers belongs to a running
 * server, and anything else is not ours to remove: both are refused.
 * 0, or -1 after logging why.
 */
static int
sv_unix_clear(const struct sockaddr_un *sun)
{
	struct stat	 sb;
	int		 fd, live;

	if (lstat(sun->sun_path, &sb) == -1) {
		if (errno == ENOENT)
			return (0);
		log_warn("unixsocket %s", sun->sun_path);
		return (-1);
	}
	if (!S_ISSOCK(sb.st_mode)) {
		log_warnx("unixsocket %s: the path exists and is not a socket",
		    sun->sun_path);
		return (-1);
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1) {
		log_warn("unixsocket %s: socket", sun->sun_path);
		return (-1);
	}
	live = connect(fd, (const struct sockaddr *)sun, sizeof(*sun)) == 0;
	close(fd);
	if (live) {
		log_warnx("unixsocket %s: another server is listening on it",
		    sun->sun_path);
		return (-1);
	}
	if (unlink(sun->sun_path) == -1 && errno != ENOENT) {
		log_warn("unixsocket %s: cannot remove the stale socket",
		    sun->sun_path);
		return (-1);
	}
	log_info("unixsocket %s: removed a stale socket", sun->sun_path);
	return (0);
}

/*
 * Listen on the Unix socket of the configuration, with the permissions of
 * unixsocketperm (0: what the umask leaves).  The umask is narrowed while
 * the socket is bound, so it is never more open than asked, even for a
 * moment.  0, or -1 after logging why.
 */
static int
sv_listen_unix(struct supervisor *sv)
{
	const struct config	*cfg = sv->sv_cfg;
	struct sockaddr_un	 sun;
	mode_t			 mask = 0;
	int			 fd, flags, perm = cfg->cf_unixsocketperm;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlcpy(sun.sun_path, cfg->cf_unixsocket, sizeof(sun.sun_path)) >=
	    sizeof(sun.sun_path)) {
		log_warnx("unixsocket %s: the path is too long",
		    cfg->cf_unixsocket);
		return (-1);
	}
	if (sv_unix_clear(&sun) == -1)
		return (-1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1) {
		log_warn("unixsocket %s: socket", sun.sun_path);
		return (-1);
	}
	if (perm != 0)
		mask = umask(~(mode_t)perm & 0777);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		log_warn("unixsocket %s: bind", sun.sun_path);
		if (perm != 0)
			umask(mask);
		close(fd);
		return (-1);
	}
	if (perm != 0)
		umask(mask);
	if ((perm != 0 && chmod(sun.sun_path, (mode_t)perm) == -1) ||
	    listen(fd, cfg->cf_tcp_backlog) == -1 ||
	    (flags = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, flags | O_NONBLOCK) == -1) {
		log_warn("unixsocket %s", sun.sun_path);
		close(fd);
		(void)unlink(sun.sun_path);
		return (-1);
	}
	sv->sv_listen[sv->sv_nlisten++] = fd;
	sv->sv_unixpath = cfg->cf_unixsocket;
	log_info("listening on unix socket %s", sun.sun_path);
	return (0);
}

/* Close the listening sockets and remove the Unix socket's file. */
static void
sv_close_listeners(struct supervisor *sv)
{
	int	 i;

	for (i = 0; i < sv->sv_nlisten; i++)
		close(sv->sv_listen[i]);
	sv->sv_nlisten = 0;
	if (sv->sv_unixpath != NULL) {
		log_info("removing the unix socket %s", sv->sv_unixpath);
		if (unlink(sv->sv_unixpath) == -1)
			log_warn("unixsocket %s: unlink", sv->sv_unixpath);
		sv->sv_unixpath = NULL;
	}
}

struct supervisor *
supervisor_listen(struct config *cfg)
{
	struct supervisor	*sv;

	if ((sv = calloc(1, sizeof(*sv))) == NULL) {
		log_warn("supervisor");
		return (NULL);
	}
	sv->sv_cfg = cfg;
	if (cfg->cf_port != 0) {
		if (sv_listen_all(sv) == -1)
			goto fail;
		log_info("listening on port %d (%d sockets)", cfg->cf_port,
		    sv->sv_nlisten);
	}
	if (cfg->cf_unixsocket[0] != '\0' && sv_listen_unix(sv) == -1)
		goto fail;
	if (sv->sv_nlisten == 0) {
		log_warnx("configured to listen nowhere (port 0 and no "
		    "unixsocket)");
		goto fail;
	}
	return (sv);

fail:
	sv_close_listeners(sv);
	free(sv);
	return (NULL);
}

void
supervisor_private_fd(struct supervisor *sv, int fd)
{
	if (sv->sv_nprivate == SV_PRIVATE_MAX)
		fatalx("%s: too many descriptors", __func__);
	sv->sv_private[sv->sv_nprivate++] = fd;
}

/*
 * Make room for every worker's descriptors: raise the open files limit to
 * what maxclients needs, or, when the system refuses, lower maxclients to
 * what the limit allows and say so, as Redis does.  -1 when not even one
 * client would fit.
 */
static int
sv_fit_open_files(struct supervisor *sv, int nworkers)
{
	struct config	*cfg = sv->sv_cfg;
	struct rlimit	 rl;
	rlim_t		 want, had;
	int		 overhead;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1) {
		log_warn("getrlimit");
		return (0);
	}
	want = (rlim_t)worker_client_slots(cfg, sv->sv_nlisten, nworkers);
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur >= want)
		return (0);
	had = rl.rlim_cur;
	rl.rlim_cur = rl.rlim_max != RLIM_INFINITY && rl.rlim_max < want ?
	    rl.rlim_max : want;
	if (rl.rlim_cur > had && setrlimit(RLIMIT_NOFILE, &rl) == -1)
		rl.rlim_cur = had;
	if (rl.rlim_cur >= want) {
		log_info("raised the open files limit from %llu to %llu",
		    (unsigned long long)had, (unsigned long long)rl.rlim_cur);
		return (0);
	}
	overhead = worker_client_slots(cfg, sv->sv_nlisten, nworkers) -
	    cfg->cf_maxclients;
	if ((long long)rl.rlim_cur <= (long long)overhead) {
		log_warnx("the open files limit (%llu) leaves no room for "
		    "clients; raise 'ulimit -n'", (unsigned long long)
		    rl.rlim_cur);
		return (-1);
	}
	log_warnx("maxclients %d needs %llu open files but the limit is "
	    "%llu: maxclients is reduced to %d; raise 'ulimit -n' for more",
	    cfg->cf_maxclients, (unsigned long long)want,
	    (unsigned long long)rl.rlim_cur, (int)(rl.rlim_cur - overhead));
	cfg->cf_maxclients = (int)(rl.rlim_cur - overhead);
	return (0);
}

/*
 * The scoreboard, sized for the workers and their clients, before the
 * first fork.  0, or -1 after logging why.
 */
static int
sv_scoreboard_create(struct supervisor *sv)
{
	int	 n = sv_worker_count(sv);

	if (command_init() == -1) {
		log_warn("command table");
		return (-1);
	}
	if (n > SB_WORKERS_MAX) {
		log_warnx("workers %d: at most %d are supported", n,
		    SB_WORKERS_MAX);
		return (-1);
	}
	if (sv_fit_open_files(sv, n) == -1)
		return (-1);
	if ((sv->sv_scoreboard = scoreboard_create(n,
	    worker_client_slots(sv->sv_cfg, sv->sv_nlisten, n),
	    command_count())) == NULL) {
		log_warn("scoreboard for %d workers of %d clients", n,
		    sv->sv_cfg->cf_maxclients);
		return (-1);
	}
	return (0);
}

/* Fork the process of one child slot. */
static void
sv_spawn(struct supervisor *sv, struct sv_child *ch)
{
	char	 title[64];
	pid_t	 pid;
	int	 rc, i;

	ch->ch_respawn_ms = 0;
	if ((pid = fork()) == -1) {
		log_warn("fork %s %d", ch->ch_role->ro_name, ch->ch_index);
		ch->ch_respawn_ms = sv_now_ms() + ch->ch_backoff_ms;
		return;
	}
	if (pid > 0) {
		ch->ch_pid = pid;
		ch->ch_started_ms = sv_now_ms();
		if (ch->ch_role->ro_spawned != NULL)
			ch->ch_role->ro_spawned(sv, ch->ch_index, pid);
		log_debug("%s %d: pid %ld", ch->ch_role->ro_name,
		    ch->ch_index, (long)pid);
		return;
	}

	/* The child. */
	if (compat_parent_death_signal() == -1 && errno != ENOTSUP)
		log_warn("parent death signal");
	if (getppid() != sv->sv_pid)
		_exit(0);
	/*
	 * The supervisor decides when its children stop: a terminal's ^C
	 * or a SIGHUP sent to the whole process group is its business.
	 */
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	sigprocmask(SIG_UNBLOCK, sv->sv_set, NULL);
	for (i = 0; i < sv->sv_nprivate; i++)
		close(sv->sv_private[i]);
	snprintf(title, sizeof(title), "%s %d", ch->ch_role->ro_name,
	    ch->ch_index);
	setproctitle("%s", title);
	log_procname(title);
	rc = ch->ch_role->ro_main(sv, ch->ch_index);
	exit(rc);
}

/* Describe a wait status for the log. */
static void
sv_describe(int status, char *buf, size_t len)
{
	if (WIFEXITED(status))
		snprintf(buf, len, "exited with status %d",
		    WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by signal %d", WTERMSIG(status));
	else
		snprintf(buf, len, "stopped (status %#x)", status);
}

/*
 * Reap every child that has exited and schedule its respawn.  Returns 1
 * when one reported a configuration error (the daemon must stop), else 0.
 */
static int
sv_reap(struct supervisor *sv)
{
	struct sv_child	*ch;
	char		 what[64];
	pid_t		 pid;
	int64_t		 now, ran;
	int		 status, i, stop = 0;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (ch = NULL, i = 0; i < sv->sv_nchildren; i++)
			if (sv->sv_children[i].ch_pid == pid)
				ch = &sv->sv_children[i];
		if (ch == NULL)
			continue;
		ch->ch_pid = 0;
		ch->ch_watchdog = 0;
		if (ch->ch_role->ro_reaped != NULL)
			ch->ch_role->ro_reaped(sv, ch->ch_index);
		sv_describe(status, what, sizeof(what));
		if (sv->sv_stopping) {
			log_debug("%s %d (pid %ld) %s", ch->ch_role->ro_name,
			    ch->ch_index, (long)pid, what);
			continue;
		}
		if (WIFEXITED(status) && WEXITSTATUS(status) == EX_CONFIG) {
			log_warnx("%s %d (pid %ld) %s: a configuration error; "
			    "stopping", ch->ch_role->ro_name, ch->ch_index,
			    (long)pid, what);
			stop = 1;
			continue;
		}
		now = sv_now_ms();
		ran = now - ch->ch_started_ms;
		if (ran >= SV_STABLE_MS || ch->ch_backoff_ms == 0)
			ch->ch_backoff_ms = SV_BACKOFF_MIN_MS;
		else if (ch->ch_backoff_ms < SV_BACKOFF_MAX_MS) {
			ch->ch_backoff_ms *= 2;
			if (ch->ch_backoff_ms > SV_BACKOFF_MAX_MS)
				ch->ch_backoff_ms = SV_BACKOFF_MAX_MS;
		}
		ch->ch_respawn_ms = now + ch->ch_backoff_ms;
		log_warnx("%s %d (pid %ld) %s; respawning in %d ms",
		    ch->ch_role->ro_name, ch->ch_index, (long)pid, what,
		    ch->ch_backoff_ms);
	}
	return (stop);
}

/*
 * Stop every child: SIGTERM, then SIGKILL after the grace period.  The
 * persister goes last, once no worker can change a key any more, with a
 * longer grace: it may be writing the final snapshot.
 */
static void
sv_stop_children(struct supervisor *sv)
{
	struct timespec	 ts = { 0, 100 * 1000 * 1000 };
	sigset_t	 chld;
	int64_t		 deadline;
	int		 i, left, killed, last;

	sv->sv_stopping = 1;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	for (last = 0; last < 2; last++) {
		for (i = 0; i < sv->sv_nchildren; i++)
			if (sv->sv_children[i].ch_pid > 0 &&
			    sv_stops_last(&sv->sv_children[i]) == last)
				kill(sv->sv_children[i].ch_pid, SIGTERM);
		deadline = sv_now_ms() + (last ? SV_SAVE_GRACE_MS :
		    SV_STOP_GRACE_MS);
		for (killed = 0;;) {
			(void)sv_reap(sv);
			for (left = 0, i = 0; i < sv->sv_nchildren; i++)
				if (sv->sv_children[i].ch_pid > 0 &&
				    sv_stops_last(&sv->sv_children[i]) ==
				    last)
					left++;
			if (left == 0)
				break;
			if (!killed && sv_now_ms() >= deadline) {
				log_warnx("%d processes still running; "
				    "SIGKILL", left);
				for (i = 0; i < sv->sv_nchildren; i++)
					if (sv->sv_children[i].ch_pid > 0)
						kill(sv->sv_children[i].ch_pid,
						    SIGKILL);
				killed = 1;
			}
			(void)sigtimedwait(&chld, NULL, &ts);
		}
	}
}

/*
 * SIGHUP: reopen the log file (after logrotate moved it away).  The
 * children follow before their next line.  Reloading the configuration
 * comes later.
 */
static void
sv_hangup(void)
{
	if (log_reopen() == -1)
		log_warn("received SIGHUP; cannot reopen the log file");
	else
		log_info("received SIGHUP; log file reopened");
}

/*
 * A lock held past lock-watchdog-ms: kill its holder if it is a child
 * that was already running when the lock was taken (a pid is only a hint:
 * a dead holder's pid may be a new process's by now).  The next taker of
 * the lock repairs what it was doing.
 */
static void
sv_watchdog_kill(int32_t pid, uint32_t held_ms, void *arg)
{
	struct supervisor	*sv = arg;
	struct sv_child		*ch;
	int			 i;

	for (i = 0; i < sv->sv_nchildren; i++) {
		ch = &sv->sv_children[i];
		if (ch->ch_pid != pid || ch->ch_watchdog ||
		    sv_now_ms() - ch->ch_started_ms <= (int64_t)held_ms)
			continue;
		log_warnx("watchdog: %s %d (pid %ld) has held a lock for %u ms, "
		    "over lock-watchdog-ms %d; killing it",
		    ch->ch_role->ro_name, ch->ch_index, (long)pid, held_ms,
		    sv->sv_cfg->cf_lock_watchdog_ms);
		if (kill(pid, SIGKILL) == 0) {
			ch->ch_watchdog = 1;
			scoreboard_count_watchdog_kill(sv->sv_scoreboard);
		}
	}
}

/* Look at the locks when it is time; returns when to look next. */
static int64_t
sv_watchdog(struct supervisor *sv, int64_t now)
{
	int	 budget = sv->sv_cfg->cf_lock_watchdog_ms;
	int64_t	 every;

	if (budget <= 0)
		return (INT64_MAX);
	every = budget / 4 < 10 ? 10 : budget / 4 > 1000 ? 1000 : budget / 4;
	if (now >= sv->sv_watchdog_ms) {
		(void)watchdog_scan(sv->sv_arena, &sv->sv_ks,
		    sv->sv_scoreboard, (uint32_t)budget, sv_watchdog_kill, sv);
		sv->sv_watchdog_ms = now + every;
	}
	return (sv->sv_watchdog_ms);
}

int
supervisor_run(struct supervisor *sv, struct arena *a,
    const char *arena_name, const sigset_t *set)
{
	struct sv_child	*ch;
	struct timespec	 ts;
	int64_t		 now, next;
	size_t		 r;
	int		 i, n, sig, status = 0;

	sv->sv_arena = a;
	sv->sv_set = set;
	sv->sv_pid = getpid();

	if (sv_scoreboard_create(sv) == -1 || sv_wake_pipe(sv) == -1) {
		status = 1;
		goto done;
	}
	for (r = 0; r < nitems(sv_roles); r++)
		sv->sv_nchildren += sv_roles[r].ro_count(sv);
	if ((sv->sv_children = calloc((size_t)sv->sv_nchildren,
	    sizeof(*sv->sv_children))) == NULL)
		fatal("children");
	for (ch = sv->sv_children, r = 0; r < nitems(sv_roles); r++) {
		n = sv_roles[r].ro_count(sv);
		for (i = 0; i < n; i++, ch++) {
			ch->ch_role = &sv_roles[r];
			ch->ch_index = i;
		}
	}
	for (i = 0; i < sv->sv_nchildren; i++)
		sv_spawn(sv, &sv->sv_children[i]);
	log_info("started %d processes", sv->sv_nchildren);

	if (keyspace_open(&sv->sv_ks, a) == -1) {
		log_warnx("the arena has no keyspace");
		status = 1;
		goto done;
	}
	for (;;) {
		/*
		 * Sleep until a signal, the next respawn that is due or the
		 * watchdog's next look.
		 */
		now = sv_now_ms();
		next = sv_watchdog(sv, now);
		if (next > now + 1000)
			next = now + 1000;
		for (i = 0; i < sv->sv_nchildren; i++) {
			ch = &sv->sv_children[i];
			if (ch->ch_pid == 0 && ch->ch_respawn_ms != 0 &&
			    ch->ch_respawn_ms < next)
				next = ch->ch_respawn_ms;
		}
		if (next < now)
			next = now;
		ts.tv_sec = (next - now) / 1000;
		ts.tv_nsec = (long)((next - now) % 1000) * 1000000;
		sig = sigtimedwait(set, NULL, &ts);
		if (sig == SIGTERM || sig == SIGINT) {
			log_info("received %s; shutting down",
			    sig == SIGINT ? "SIGINT" : "SIGTERM");
			break;
		}
		if (sig == SIGHUP)
			sv_hangup();
		if (sv_reap(sv)) {
			status = 1;
			break;
		}
		now = sv_now_ms();
		for (i = 0; i < sv->sv_nchildren; i++) {
			ch = &sv->sv_children[i];
			if (ch->ch_pid == 0 && ch->ch_respawn_ms != 0 &&
			    ch->ch_respawn_ms <= now)
				sv_spawn(sv, ch);
		}
	}

done:
	sv_stop_children(sv);
	log_info("%d processes stopped", sv->sv_nchildren);
	scoreboard_destroy(sv->sv_scoreboard);
	sv_close_listeners(sv);
	shm_store32(&a->ar_hdr->ah_clean, 1);
	arena_detach(a);
	if (sv->sv_cfg->cf_arena_keep)
		log_info("arena %s kept (arena-keep)", arena_name);
	else if (arena_unlink(arena_name) == -1)
		log_warn("shm_unlink %s", arena_name);
	else
		log_info("arena %s removed", arena_name);
	free(sv->sv_children);
	free(sv);
	return (status);
}
