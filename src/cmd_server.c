/*
 * cmd_server.c: the server commands CONFIG (GET, SET, RESETSTAT, REWRITE,
 * HELP), TIME, LASTSAVE and DEBUG (SLEEP, LOG, HELP).  INFO is in
 * cmd_info.c.
 *
 * Run by workers.  Takes no keyspace lock; CONFIG SET takes the
 * scoreboard's config lock (config_live.c), CONFIG RESETSTAT its reset
 * lock.
 *
 * CONFIG reads and changes the worker's live configuration, which every
 * worker keeps in step through the scoreboard's config log.  Outside a
 * worker (unit tests) there is no live configuration, and CONFIG answers
 * with an error.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hydra/client.h"
#include "hydra/command.h"
#include "hydra/compat.h"
#include "hydra/config.h"
#include "hydra/keyspace.h"
#include "hydra/config_live.h"
#include "hydra/glob.h"
#include "hydra/log.h"
#include "hydra/reply.h"
#include "hydra/scoreboard.h"
#include "hydra/worker.h"

#include "command_internal.h"

#define CMD_CONFIG_VALUE_MAX	4096	/* a formatted value, usually */

static int
cmd_no_worker(struct client *cl)
{
	if (cl->cl_worker != NULL)
		return (0);
	reply_error(&cl->cl_reply, "this command needs a running server");
	return (1);
}

/* Does any of the patterns argv[2..] match name? */
static int
cmd_config_matches(int argc, const char *const *argv, const size_t *argvlen,
    const char *name)
{
	int	 i;

	if (name == NULL)
		return (0);
	for (i = 2; i < argc; i++)
		if (glob_match(argv[i], argvlen[i], name, strlen(name), 1))
			return (1);
	return (0);
}

/* One name and the value of directive cd. */
static void
cmd_config_pair(struct client *cl, const struct config *cfg,
    const struct config_directive *cd, const char *name)
{
	char	 small[CMD_CONFIG_VALUE_MAX], *buf = small;
	int	 len;

	len = config_format(cfg, cd, small, sizeof(small));
	if (len < 0)
		len = 0;
	else if ((size_t)len >= sizeof(small)) {
		if ((buf = malloc((size_t)len + 1)) == NULL) {
			len = 0;
			buf = small;
		} else
			config_format(cfg, cd, buf, (size_t)len + 1);
	}
	reply_bulk_cstr(&cl->cl_reply, name);
	reply_bulk(&cl->cl_reply, buf, (size_t)len);
	if (buf != small)
		free(buf);
}

/*
 * CONFIG GET pattern [pattern ...]: each matching directive once, in the
 * table's order, as a map of names to values; an alias that matches is
 * one more name, as in Redis.
 */
static void
cmd_config_get(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	const struct config_directive	*cd;
	const struct config		*cfg;
	const char			*alias;
	long				 handle, n = 0;

	if (cmd_no_worker(cl))
		return;
	cfg = worker_config(cl->cl_worker);
	handle = reply_deferred_len(&cl->cl_reply);
	for (cd = config_directives; cd->cd_name != NULL; cd++) {
		if (cmd_config_matches(argc, argv, argvlen, cd->cd_name)) {
			cmd_config_pair(cl, cfg, cd, cd->cd_name);
			n++;
		}
		alias = config_alias_of(cd);
		if (cmd_config_matches(argc, argv, argvlen, alias)) {
			cmd_config_pair(cl, cfg, cd, alias);
			n++;
		}
	}
	reply_set_deferred_map(&cl->cl_reply, handle, n);
}

static void
cmd_config_set(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	char	 err[CONFIG_ERR_MAX + 128];

	if (cmd_no_worker(cl))
		return;
	if (argc % 2 != 0) {
		reply_error(&cl->cl_reply, CMD_ERR_SYNTAX);
		return;
	}
	if (config_live_set(cl->cl_worker, (argc - 2) / 2, argv + 2,
	    argvlen + 2, err, sizeof(err)) == -1) {
		reply_error(&cl->cl_reply, err);
		return;
	}
	reply_status(&cl->cl_reply, "OK");
}

static void
cmd_config_resetstat(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	(void)argc;
	(void)argv;
	(void)argvlen;
	if (cmd_no_worker(cl))
		return;
	scoreboard_resetstat(worker_scoreboard(cl->cl_worker));
	reply_status(&cl->cl_reply, "OK");
}

/* hydrad does not tell its workers which file it read: none to rewrite. */
static void
cmd_config_rewrite(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	(void)argc;
	(void)argv;
	(void)argvlen;
	reply_error(&cl->cl_reply, "The server is running without a config "
	    "file");
}

static void
cmd_config_help(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	static const char *const lines[] = {
		"GET <pattern> [<pattern> ...]",
		"    Directives whose names match a <pattern>, with values.",
		"SET <directive> <value> [<directive> <value> ...]",
		"    Change directives, all of them or none, in every worker.",
		"RESETSTAT",
		"    Zero the counters that INFO reports.",
		"REWRITE",
		"    Write the running configuration back to its file.",
	};

	(void)argc;
	(void)argv;
	(void)argvlen;
	command_reply_help(cl, "CONFIG", lines, nitems(lines));
}

static void
cmd_time(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	struct timespec	 ts;

	(void)argc;
	(void)argv;
	(void)argvlen;
	clock_gettime(CLOCK_REALTIME, &ts);
	reply_array_len(&cl->cl_reply, 2);
	reply_bulk_ll(&cl->cl_reply, (long long)ts.tv_sec);
	reply_bulk_ll(&cl->cl_reply, (long long)(ts.tv_nsec / 1000));
}

static void
cmd_lastsave(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	long long	 t;

	(void)argc;
	(void)argv;
	(void)argvlen;
	if (cl->cl_worker != NULL)
		t = (long long)scoreboard_lastsave(
		    worker_scoreboard(cl->cl_worker));
	else
		t = (long long)(command_now_ms() / 1000);
	reply_int(&cl->cl_reply, t);
}

/*
 * Sleep for `arg' seconds: fractions allowed; what is not a number is 0.
 * 0, or -1 after the error reply.
 */
static int
cmd_debug_pause(struct client *cl, const char *arg, size_t len)
{
	struct timespec	 ts;
	char		*s;
	double		 d;

	if ((s = command_arg_cstr(arg, len)) == NULL) {
		reply_error(&cl->cl_reply, "out of memory");
		return (-1);
	}
	d = strtod(s, NULL);
	free(s);
	if (d > 0 && isfinite(d)) {
		ts.tv_sec = (time_t)d;
		ts.tv_nsec = (long)((d - (double)ts.tv_sec) * 1e9);
		while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
			;
	}
	return (0);
}

/* DEBUG SLEEP seconds. */
static void
cmd_debug_sleep(struct client *cl, const char *arg, size_t len)
{
	if (cmd_debug_pause(cl, arg, len) == 0)
		reply_status(&cl->cl_reply, "OK");
}

/*
 * DEBUG HOLD-LOCK key seconds: sleep with the key's stripe locked, as a
 * stopped or looping worker would hold it (hydra's own, for testing the
 * lock watchdog).
 */
static void
cmd_debug_hold_lock(struct client *cl, const char *const *argv,
    const size_t *argvlen)
{
	struct keyspace		*ks = cl->cl_ks;
	struct ks_stripe	*st;
	struct ks_key		 k;
	int			 rc;

	keyspace_key(ks, &k, argv[2], argvlen[2]);
	st = keyspace_lock(ks, cl->cl_db, &k);
	rc = cmd_debug_pause(cl, argv[3], argvlen[3]);
	keyspace_unlock(ks, st);
	if (rc == 0)
		reply_status(&cl->cl_reply, "OK");
}

/*
 * May this client run DEBUG (enable-debug-command)?  "local" means the
 * Unix socket or a loopback address, as Redis's islocalClient() says.
 */
static int
cmd_debug_allowed(struct client *cl)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len = sizeof(ss);
	const struct in6_addr	*a6;

	if (cl->cl_worker == NULL)
		return (1);
	switch (worker_config(cl->cl_worker)->cf_enable_debug_command) {
	case CONFIG_DEBUG_YES:
		return (1);
	case CONFIG_DEBUG_LOCAL:
		break;
	default:
		return (0);
	}
	if (getpeername(cl->cl_fd, (struct sockaddr *)&ss, &len) == -1)
		return (0);
	if (ss.ss_family == AF_UNIX)
		return (1);
	if (ss.ss_family == AF_INET)
		return ((ntohl(((struct sockaddr_in *)&ss)->sin_addr.s_addr) >>
		    24) == 127);
	if (ss.ss_family == AF_INET6) {
		a6 = &((struct sockaddr_in6 *)&ss)->sin6_addr;
		return (IN6_IS_ADDR_LOOPBACK(a6));
	}
	return (0);
}

static void
cmd_debug(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	static const char *const lines[] = {
		"LOG <message>",
		"    Write <message> to the server's log.",
		"SLEEP <seconds>",
		"    Stop this worker for <seconds> (decimals allowed).",
		"HOLD-LOCK <key> <seconds>",
		"    Stop this worker for <seconds> holding <key>'s lock.",
	};
	char	*msg;

	if (!cmd_debug_allowed(cl)) {
		reply_error(&cl->cl_reply, "DEBUG command not allowed. If the "
		    "enable-debug-command option is set to \"local\", you can "
		    "run it from a local connection, otherwise you need to set "
		    "this option in the configuration file, and then restart "
		    "the server.");
		return;
	}
	if (argc == 2 && command_arg_is(argv[1], argvlen[1], "help")) {
		command_reply_help(cl, "DEBUG", lines, nitems(lines));
		return;
	}
	if (argc == 3 && command_arg_is(argv[1], argvlen[1], "sleep")) {
		cmd_debug_sleep(cl, argv[2], argvlen[2]);
		return;
	}
	if (argc == 4 && command_arg_is(argv[1], argvlen[1], "hold-lock") &&
	    cl->cl_ks != NULL) {
		cmd_debug_hold_lock(cl, argv, argvlen);
		return;
	}
	if (argc == 3 && command_arg_is(argv[1], argvlen[1], "log")) {
		if ((msg = command_arg_cstr(argv[2], argvlen[2])) == NULL) {
			reply_error(&cl->cl_reply, "out of memory");
			return;
		}
		log_info("DEBUG LOG: %s", msg);
		free(msg);
		reply_status(&cl->cl_reply, "OK");
		return;
	}
	command_reply_subcommand_error(cl, "DEBUG", argv[1], argvlen[1]);
}

static const struct command cmd_server_commands[] = {
	{ "config",	-2,	CMD_CONTAINER,		0, 0, 0,
	    command_container_proc },
	{ "config|get",	-3,	CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING |
	    CMD_STALE,	0, 0, 0, cmd_config_get },
	{ "config|set",	-4,	CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING |
	    CMD_STALE,	0, 0, 0, cmd_config_set },
	{ "config|resetstat", 2, CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING |
	    CMD_STALE,	0, 0, 0, cmd_config_resetstat },
	{ "config|rewrite", 2,	CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING |
	    CMD_STALE,	0, 0, 0, cmd_config_rewrite },
	{ "config|help", 2,	CMD_LOADING | CMD_STALE, 0, 0, 0,
	    cmd_config_help },
	{ "time",	1,	CMD_LOADING | CMD_STALE | CMD_FAST, 0, 0, 0,
	    cmd_time },
	{ "lastsave",	1,	CMD_LOADING | CMD_STALE | CMD_FAST, 0, 0, 0,
	    cmd_lastsave },
	{ "debug",	-2,	CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING |
	    CMD_STALE,	0, 0, 0, cmd_debug },
	{ "info",	-1,	CMD_LOADING | CMD_STALE, 0, 0, 0, cmd_info },
};

const struct command_family cmd_server_family = {
	cmd_server_commands, nitems(cmd_server_commands)
};
