/*
 * cmd_connection.c: the connection commands: PING, ECHO, QUIT, SELECT.
 *
 * Run by workers.  Takes no locks: none of these touches the keyspace
 * (SELECT only checks the index against the arena's database count).
 */
#include <limits.h>

#include "hydra/client.h"
#include "hydra/command.h"
#include "hydra/compat.h"
#include "hydra/keyspace.h"
#include "hydra/reply.h"

#include "command_internal.h"

static void
cmd_ping(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	if (argc > 2) {
		command_reply_arity(cl, "ping");
		return;
	}
	if (argc == 1)
		reply_status(&cl->cl_reply, "PONG");
	else
		reply_bulk(&cl->cl_reply, argv[1], argvlen[1]);
}

static void
cmd_echo(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	(void)argc;
	reply_bulk(&cl->cl_reply, argv[1], argvlen[1]);
}

/* QUIT takes any arguments, as Redis 7.0 handles it before the lookup. */
static void
cmd_quit(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	(void)argc;
	(void)argv;
	(void)argvlen;
	reply_status(&cl->cl_reply, "OK");
	cl->cl_flags |= CLIENT_F_CLOSE_AFTER_REPLY;
}

static void
cmd_select(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	long long	 id;

	(void)argc;
	if (command_parse_ll(argv[1], argvlen[1], &id) == -1 ||
	    id < INT_MIN || id > INT_MAX) {
		reply_error(&cl->cl_reply, CMD_ERR_NOT_INT);
		return;
	}
	if (id < 0 || (unsigned long long)id >= keyspace_databases(cl->cl_ks)) {
		reply_error(&cl->cl_reply, "DB index is out of range");
		return;
	}
	cl->cl_db = (unsigned)id;
	reply_status(&cl->cl_reply, "OK");
}

static const struct command cmd_connection_commands[] = {
	{ "ping",	-1,	CMD_FAST | CMD_STALE,	0, 0, 0, cmd_ping },
	{ "echo",	2,	CMD_FAST,		0, 0, 0, cmd_echo },
	{ "quit",	-1,	CMD_FAST | CMD_STALE,	0, 0, 0, cmd_quit },
	{ "select",	2,	CMD_FAST | CMD_LOADING,	0, 0, 0, cmd_select },
};

const struct command_family cmd_connection_family = {
	cmd_connection_commands, nitems(cmd_connection_commands)
};
