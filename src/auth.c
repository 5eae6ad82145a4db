/*
 * auth.c: the default user's password and the gate that keeps clients
 * that have not authenticated away from the commands.
 *
 * Run by workers.  Takes no locks: requirepass is read from the worker's
 * private copy of the configuration, which CONFIG SET keeps current.
 *
 * The gate runs before every dispatch.  It looks the command up once to
 * know its name (CLIENT LIST's cmd=, "client|list" for a subcommand) and
 * whether it may run before AUTH; unknown commands, unknown subcommands
 * and wrong arities go on to the dispatcher, because Redis 7.0 reports
 * those before NOAUTH.  Of the commands with subcommands, only CLIENT's
 * are known here; an unauthenticated CONFIG or COMMAND with an unknown
 * subcommand gets NOAUTH where Redis would name the subcommand.
 */
#include <stddef.h>
#include <string.h>

#include "hydra/auth.h"
#include "hydra/client.h"
#include "hydra/command.h"
#include "hydra/config.h"
#include "hydra/reply.h"
#include "hydra/worker.h"

#include "cmd_connection_internal.h"

#define AUTH_ERR_NOAUTH	"-NOAUTH Authentication required."

static const char *
auth_password(const struct client *cl)
{
	const char	*pass;

	if (cl->cl_worker == NULL)
		return ("");
	pass = worker_config(cl->cl_worker)->cf_requirepass;
	return (pass == NULL ? "" : pass);
}

int
auth_password_set(const struct client *cl)
{
	return (auth_password(cl)[0] != '\0');
}

int
auth_required(const struct client *cl)
{
	return (!cl->cl_authenticated && auth_password_set(cl));
}

/*
 * Compare a[0..alen) with the C string b in a time that depends on the
 * lengths only, so that a wrong password says nothing of the right one.
 */
static int
auth_equal(const char *a, size_t alen, const char *b)
{
	size_t		 blen = strlen(b), i, n;
	unsigned char	 diff;

	diff = alen != blen;
	n = alen > blen ? alen : blen;
	for (i = 0; i < n; i++)
		diff |= (unsigned char)((i < alen ? a[i] : 0) ^
		    (i < blen ? b[i] : 0));
	return (diff == 0);
}

int
auth_check(struct client *cl, const char *user, size_t userlen,
    const char *pass, size_t passlen)
{
	if (user != NULL && (userlen != 7 || memcmp(user, "default", 7) != 0))
		return (-1);
	if (auth_password_set(cl) &&
	    !auth_equal(pass, passlen, auth_password(cl)))
		return (-1);
	cl->cl_authenticated = 1;
	return (0);
}

int
auth_gate(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	const struct command	*cmd;
	const char		*name;
	int			 ok;

	if ((cmd = command_lookup(argv[0], argvlen[0])) == NULL) {
		cl->cl_lastcmd = NULL;
		return (0);
	}
	name = cmd->cmd_name;
	ok = cmd->cmd_arity > 0 ? argc == cmd->cmd_arity :
	    argc >= -cmd->cmd_arity;
	if (ok && cmd->cmd_proc == cmd_client)
		name = cmd_client_subcommand(argc, argv, argvlen, &ok);
	cl->cl_lastcmd = name;
	if (name == NULL || !ok || (cmd->cmd_flags & CMD_NO_AUTH) ||
	    !auth_required(cl))
		return (0);
	reply_error(&cl->cl_reply, AUTH_ERR_NOAUTH);
	return (1);
}
