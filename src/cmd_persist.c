/*
 * cmd_persist.c: SAVE and BGSAVE [SCHEDULE], which ask the persister for
 * a snapshot (persister.h), and SHUTDOWN [NOSAVE|SAVE], which stops the
 * daemon with a final snapshot or without.  LASTSAVE is in cmd_server.c.
 *
 * Run by workers.  Takes no lock: the requests are words of the
 * persister's region.  SAVE blocks its worker until the file is written,
 * as Redis's SAVE blocks the server; the stripes the snapshot needs are
 * serialized meanwhile by the persister and by the other workers.
 *
 * hydra's snapshots never fork, so Redis's "another child process is
 * active" case does not arise: BGSAVE SCHEDULE starts a save at once, or
 * answers as BGSAVE does while one runs.
 */
#include <strings.h>

#include "hydra/client.h"
#include "hydra/command.h"
#include "hydra/persister.h"
#include "hydra/reply.h"

#include "command_internal.h"

#define CMD_ERR_BGSAVE_RUNNING	"-ERR Background save already in progress"

static void
cmd_save(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	(void)argc;
	(void)argv;
	(void)argvlen;
	switch (persister_save()) {
	case 0:
		reply_status(&cl->cl_reply, "OK");
		break;
	case 1:
		reply_error(&cl->cl_reply, CMD_ERR_BGSAVE_RUNNING);
		break;
	default:
		reply_error(&cl->cl_reply, "-ERR");
		break;
	}
}

static void
cmd_bgsave(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	if (argc > 2 || (argc == 2 && !command_arg_is(argv[1], argvlen[1],
	    "schedule"))) {
		reply_error(&cl->cl_reply, CMD_ERR_SYNTAX);
		return;
	}
	if (persister_bgsave() != 0)
		reply_error(&cl->cl_reply, CMD_ERR_BGSAVE_RUNNING);
	else
		reply_status(&cl->cl_reply, "Background saving started");
}

/*
 * SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]: no reply when it goes
 * ahead; the connection closes as the daemon stops.  hydra has no
 * replicas to wait for, so NOW and FORCE change nothing, and a shutdown
 * is never pending, so ABORT has nothing to abort.
 */
static void
cmd_shutdown(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	int	 i, save = 0, nosave = 0, abort = 0, other = 0;

	for (i = 1; i < argc; i++) {
		if (command_arg_is(argv[i], argvlen[i], "nosave"))
			nosave = 1;
		else if (command_arg_is(argv[i], argvlen[i], "save"))
			save = 1;
		else if (command_arg_is(argv[i], argvlen[i], "now") ||
		    command_arg_is(argv[i], argvlen[i], "force"))
			other = 1;
		else if (command_arg_is(argv[i], argvlen[i], "abort"))
			abort = 1;
		else {
			reply_error(&cl->cl_reply, CMD_ERR_SYNTAX);
			return;
		}
	}
	if ((abort && (save || nosave || other)) || (save && nosave)) {
		reply_error(&cl->cl_reply, CMD_ERR_SYNTAX);
		return;
	}
	if (abort) {
		reply_error(&cl->cl_reply, "-ERR No shutdown in progress.");
		return;
	}
	persister_shutdown(save ? PERSISTER_SHUTDOWN_SAVE : nosave ?
	    PERSISTER_SHUTDOWN_NOSAVE : PERSISTER_SHUTDOWN_DEFAULT);
}

static const struct command cmd_persist_commands[] = {
	{ "save",	1,	CMD_ADMIN | CMD_NOSCRIPT | CMD_NO_MULTI, 0, 0, 0,
	    cmd_save },
	{ "bgsave",	-1,	CMD_ADMIN | CMD_NOSCRIPT, 0, 0, 0, cmd_bgsave },
	{ "shutdown",	-1,	CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING |
	    CMD_STALE | CMD_NO_MULTI | CMD_ALLOW_BUSY, 0, 0, 0, cmd_shutdown },
};

const struct command_family cmd_persist_family = {
	cmd_persist_commands, nitems(cmd_persist_commands)
};
