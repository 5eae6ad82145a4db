/*
 * cmd_connection.c: the connection commands: PING, ECHO, QUIT, SELECT,
 * HELLO, AUTH and RESET (CLIENT is in cmd_client.c).
 *
 * Run by workers.  Takes no locks: none of these touches the keyspace
 * (SELECT only checks the index against the arena's database count).
 */
#include <errno.h>
#include <limits.h>

#include "hydra/auth.h"
#include "hydra/client.h"
#include "hydra/command.h"
#include "hydra/compat.h"
#include "hydra/keyspace.h"
#include "hydra/reply.h"
#include "hydra/version.h"

#include "cmd_connection_internal.h"
#include "command_internal.h"

#define CMD_ERR_WRONGPASS	\
	"-WRONGPASS invalid username-password pair or user is disabled."
#define CMD_ERR_BADNAME		"Client names cannot contain spaces, " \
	"newlines or special characters."

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

/*
 * AUTH [username] password.  The one-argument form is refused without a
 * password, as Redis 7.0 refuses it, to catch a misconfigured client.
 */
static void
cmd_auth(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	int	 rv;

	if (argc > 3) {
		reply_error(&cl->cl_reply, CMD_ERR_SYNTAX);
		return;
	}
	if (argc == 2) {
		if (!auth_password_set(cl)) {
			reply_error(&cl->cl_reply, "AUTH <password> called "
			    "without any password configured for the default "
			    "user. Are you sure your configuration is "
			    "correct?");
			return;
		}
		rv = auth_check(cl, NULL, 0, argv[1], argvlen[1]);
	} else
		rv = auth_check(cl, argv[1], argvlen[1], argv[2], argvlen[2]);
	if (rv == 0)
		reply_status(&cl->cl_reply, "OK");
	else
		reply_error(&cl->cl_reply, CMD_ERR_WRONGPASS);
}

/*
 * Set the name from a request argument, or reply Redis's error.  0, or
 * -1 when an error was replied.
 */
int
cmd_connection_setname(struct client *cl, const char *name, size_t len)
{
	if (client_set_name(cl, name, len) == 0)
		return (0);
	if (errno == EINVAL)
		reply_error(&cl->cl_reply, CMD_ERR_BADNAME);
	else
		reply_error(&cl->cl_reply, "-ERR out of memory");
	return (-1);
}

/*
 * HELLO [protover [AUTH username password] [SETNAME name]].  As in Redis
 * 7.0, AUTH is tried as soon as it is read (so a later syntax error
 * leaves the client authenticated), and the name is set last.
 */
static void
cmd_hello(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	long long	 ver = 0;
	int		 j, more, name = -1;

	if (argc >= 2) {
		if (command_parse_ll(argv[1], argvlen[1], &ver) == -1) {
			reply_error(&cl->cl_reply, "Protocol version is not "
			    "an integer or out of range");
			return;
		}
		if (ver < 2 || ver > 3) {
			reply_error(&cl->cl_reply,
			    "-NOPROTO unsupported protocol version");
			return;
		}
	}
	for (j = 2; j < argc; j++) {
		more = argc - 1 - j;
		if (command_arg_is(argv[j], argvlen[j], "auth") && more >= 2) {
			if (auth_check(cl, argv[j + 1], argvlen[j + 1],
			    argv[j + 2], argvlen[j + 2]) == -1) {
				reply_error(&cl->cl_reply, CMD_ERR_WRONGPASS);
				return;
			}
			j += 2;
		} else if (command_arg_is(argv[j], argvlen[j], "setname") &&
		    more >= 1) {
			name = ++j;
		} else {
			reply_errorf(&cl->cl_reply,
			    "Syntax error in HELLO option '%.*s'",
			    (int)argvlen[j], argv[j]);
			return;
		}
	}
	if (auth_required(cl)) {
		reply_error(&cl->cl_reply, "-NOAUTH HELLO must be called with "
		    "the client already authenticated, otherwise the HELLO "
		    "AUTH <user> <pass> option can be used to authenticate "
		    "the client and select the RESP protocol version at the "
		    "same time");
		return;
	}
	if (name != -1 &&
	    cmd_connection_setname(cl, argv[name], argvlen[name]) == -1)
		return;
	if (ver != 0)
		cl->cl_reply.rb_proto = (int)ver;
	reply_map_len(&cl->cl_reply, 7);
	reply_bulk_cstr(&cl->cl_reply, "server");
	reply_bulk_cstr(&cl->cl_reply, "redis");
	reply_bulk_cstr(&cl->cl_reply, "version");
	reply_bulk_cstr(&cl->cl_reply, HYDRA_REDIS_VERSION);
	reply_bulk_cstr(&cl->cl_reply, "proto");
	reply_int(&cl->cl_reply, cl->cl_reply.rb_proto);
	reply_bulk_cstr(&cl->cl_reply, "id");
	reply_int(&cl->cl_reply, (long long)cl->cl_id);
	reply_bulk_cstr(&cl->cl_reply, "mode");
	reply_bulk_cstr(&cl->cl_reply, "standalone");
	reply_bulk_cstr(&cl->cl_reply, "role");
	reply_bulk_cstr(&cl->cl_reply, "master");
	reply_bulk_cstr(&cl->cl_reply, "modules");
	reply_array_len(&cl->cl_reply, 0);
}

/*
 * RESET: the connection as it was when it opened: database 0, RESP2, no
 * name, and not authenticated if a password is set.  CLIENT NO-EVICT
 * stays, as in Redis 7.0.
 */
static void
cmd_reset(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	(void)argc;
	(void)argv;
	(void)argvlen;
	cl->cl_db = 0;
	cl->cl_reply.rb_proto = REPLY_RESP2;
	(void)client_set_name(cl, "", 0);
	cl->cl_authenticated = !auth_password_set(cl);
	reply_status(&cl->cl_reply, "RESET");
}

static const struct command cmd_connection_commands[] = {
	{ "ping",	-1,	CMD_FAST | CMD_STALE,	0, 0, 0, cmd_ping },
	{ "echo",	2,	CMD_FAST,		0, 0, 0, cmd_echo },
	{ "quit",	-1,	CMD_FAST | CMD_STALE | CMD_NO_AUTH,
	    0, 0, 0, cmd_quit },
	{ "select",	2,	CMD_FAST | CMD_LOADING,	0, 0, 0, cmd_select },
	{ "auth",	-2,	CMD_FAST | CMD_STALE | CMD_LOADING |
	    CMD_NOSCRIPT | CMD_NO_AUTH,		0, 0, 0, cmd_auth },
	{ "hello",	-1,	CMD_FAST | CMD_STALE | CMD_LOADING |
	    CMD_NOSCRIPT | CMD_NO_AUTH,		0, 0, 0, cmd_hello },
	{ "reset",	1,	CMD_FAST | CMD_STALE | CMD_LOADING |
	    CMD_NOSCRIPT | CMD_NO_AUTH,		0, 0, 0, cmd_reset },
};

const struct command_family cmd_connection_family = {
	cmd_connection_commands, nitems(cmd_connection_commands)
};
