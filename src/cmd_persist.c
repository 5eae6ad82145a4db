/*
 * cmd_persist.c: SAVE and BGSAVE [SCHEDULE], which ask the persister for
 * a snapshot (persister.h).  LASTSAVE is in cmd_server.c.
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

static const struct command cmd_persist_commands[] = {
	{ "save",	1,	CMD_ADMIN | CMD_NOSCRIPT | CMD_NO_MULTI, 0, 0, 0,
	    cmd_save },
	{ "bgsave",	-1,	CMD_ADMIN | CMD_NOSCRIPT, 0, 0, 0, cmd_bgsave },
};

const struct command_family cmd_persist_family = {
	cmd_persist_commands, nitems(cmd_persist_commands)
};
