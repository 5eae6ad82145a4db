/*
 * command_test.c: checks the command table and the dispatcher of
 * command.c, and the first families (cmd_connection.c, cmd_string.c),
 * without a socket: requests go straight to command_dispatch() and the
 * bytes of the client's reply buffer are compared with Redis 7.0's.
 *
 * Invariants: lookup ignores case and length tricks (a prefix or a name
 * with a NUL is unknown); every command of this slice is in the table
 * under its lower-case name, with a handler and key positions that fit
 * its arity; unknown commands and wrong arities get Redis's exact errors,
 * with the echoed words cut at 128 bytes; command_parse_ll() accepts
 * exactly what string2ll() accepts; SET's options and GET, DEL, EXISTS
 * and SELECT behave as in Redis; containers reach their subcommands with
 * Redis's errors; the reply hook sees every error reply once by its
 * code; COMMAND INFO and GETKEYS answer as Redis does.
 */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hydra/client.h"
#include "hydra/command.h"
#include "hydra/keyspace.h"
#include "hydra/reply.h"
#include "hydra/store.h"
#include "tap.h"
#include "testrequest.h"
#include "testarena.h"

#include "../../src/command_internal.h"

/* Run one request given as NUL-terminated words. */
#define run(cl, ...)	test_request((cl), __VA_ARGS__)

static void
test_table(void)
{
	static const char *const names[] = { "ping", "echo", "quit",
	    "select", "get", "set", "del", "exists" };
	const struct command	*c;
	size_t			 i;
	int			 bad = 0;

	ok(command_init() == 0 && command_count() >= 8,
	    "the table gathers the families");
	c = command_lookup("GeT", 3);
	ok(c != NULL && strcmp(c->cmd_name, "get") == 0,
	    "lookup ignores case");
	ok(command_lookup("ge", 2) == NULL, "a prefix is not a command");
	ok(command_lookup("get\0x", 5) == NULL, "a NUL ends no name");
	ok(command_lookup("getx", 3) != NULL, "the length is honoured");
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		c = command_lookup(names[i], strlen(names[i]));
		if (c == NULL || c->cmd_proc == NULL ||
		    strcmp(c->cmd_name, names[i]) != 0 ||
		    (c->cmd_first_key > 0 && c->cmd_arity > 0 &&
		    c->cmd_first_key >= c->cmd_arity))
			bad++;
	}
	ok(bad == 0, "every command has a handler and sane key positions");
}

static void
test_parse_ll(void)
{
	static const struct {
		const char	*s;
		int		 ok;
		long long	 v;
	} cases[] = {
		{ "0", 1, 0 }, { "7", 1, 7 }, { "-7", 1, -7 },
		{ "9223372036854775807", 1, 9223372036854775807LL },
		{ "-9223372036854775808", 1, -9223372036854775807LL - 1 },
		{ "9223372036854775808", 0, 0 }, { "", 0, 0 }, { "-", 0, 0 },
		{ "01", 0, 0 }, { "-0", 0, 0 }, { " 1", 0, 0 }, { "1 ", 0, 0 },
		{ "+1", 0, 0 }, { "1x", 0, 0 },
	};
	size_t		 i;
	long long	 v;
	int		 bad = 0, r;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		v = 0;
		r = command_parse_ll(cases[i].s, strlen(cases[i].s), &v) == 0;
		if (r != cases[i].ok || (r && v != cases[i].v)) {
			diag("\"%s\": %d %lld", cases[i].s, r, v);
			bad++;
		}
	}
	ok(bad == 0, "command_parse_ll() accepts what string2ll() accepts");
}

static void
test_errors(struct client *cl)
{
	char	 long1[200], want[512];

	is_reply(run(cl, "foo", "a", "b", NULL),
	    "-ERR unknown command 'foo', with args beginning with: 'a' 'b' "
	    "\r\n", "unknown command with arguments");
	is_reply(run(cl, "foo", NULL),
	    "-ERR unknown command 'foo', with args beginning with: \r\n",
	    "unknown command alone");
	is_reply(run(cl, "fo\r\no", "x\ny", NULL),
	    "-ERR unknown command 'fo  o', with args beginning with: 'x y' "
	    "\r\n", "CR and LF become spaces");
	memset(long1, 'x', 150);
	long1[150] = '\0';
	snprintf(want, sizeof(want), "-ERR unknown command 'foo', with args "
	    "beginning with: '%.128s' \r\n", long1);
	is_reply(run(cl, "foo", long1, "next", NULL), want,
	    "a long argument is cut at 128 bytes and ends the list");
	is_reply(run(cl, "GET", NULL),
	    "-ERR wrong number of arguments for 'get' command\r\n",
	    "wrong arity names the command in lower case");
	is_reply(run(cl, "set", "k", NULL),
	    "-ERR wrong number of arguments for 'set' command\r\n",
	    "too few for a negative arity");
	is_reply(run(cl, "ping", "a", "b", NULL),
	    "-ERR wrong number of arguments for 'ping' command\r\n",
	    "PING takes at most one argument");
}

static void
test_connection(struct client *cl)
{
	is_reply(run(cl, "PING", NULL), "+PONG\r\n", "PING");
	is_reply(run(cl, "ping", "hi", NULL), "$2\r\nhi\r\n", "PING msg");
	is_reply(run(cl, "echo", "", NULL), "$0\r\n\r\n", "ECHO empty");
	is_reply(run(cl, "select", "3", NULL), "+OK\r\n", "SELECT 3");
	ok(cl->cl_db == 3, "SELECT changes the database");
	is_reply(run(cl, "select", "16", NULL),
	    "-ERR DB index is out of range\r\n", "SELECT 16");
	is_reply(run(cl, "select", "-1", NULL),
	    "-ERR DB index is out of range\r\n", "SELECT -1");
	is_reply(run(cl, "select", "1.5", NULL),
	    "-ERR value is not an integer or out of range\r\n",
	    "SELECT 1.5");
	ok(cl->cl_db == 3, "a failed SELECT keeps the database");
	is_reply(run(cl, "select", "0", NULL), "+OK\r\n", "SELECT 0");
	is_reply(run(cl, "quit", "whatever", NULL), "+OK\r\n", "QUIT");
	ok(cl->cl_flags & CLIENT_F_CLOSE_AFTER_REPLY,
	    "QUIT closes after the reply");
	cl->cl_flags = 0;
}

static void
test_strings(struct client *cl)
{
	is_reply(run(cl, "get", "k", NULL), "$-1\r\n", "GET missing");
	is_reply(run(cl, "set", "k", "v", NULL), "+OK\r\n", "SET");
	is_reply(run(cl, "get", "k", NULL), "$1\r\nv\r\n", "GET");
	is_reply(run(cl, "set", "k", "w", "nx", NULL), "$-1\r\n", "SET NX");
	is_reply(run(cl, "set", "k", "w", "XX", "GET", NULL), "$1\r\nv\r\n",
	    "SET XX GET returns the old value");
	is_reply(run(cl, "set", "n", "w", "xx", "get", NULL), "$-1\r\n",
	    "SET XX GET of a missing key");
	is_reply(run(cl, "exists", "n", NULL), ":0\r\n",
	    "a refused SET writes nothing");
	is_reply(run(cl, "set", "k", "v", "nx", "xx", NULL),
	    "-ERR syntax error\r\n", "NX with XX");
	is_reply(run(cl, "set", "k", "v", "ex", NULL),
	    "-ERR syntax error\r\n", "EX without a value");
	is_reply(run(cl, "set", "k", "v", "ex", "1", "px", "1", NULL),
	    "-ERR syntax error\r\n", "EX with PX");
	is_reply(run(cl, "set", "k", "v", "keepttl", "ex", "1", NULL),
	    "-ERR syntax error\r\n", "KEEPTTL with EX");
	is_reply(run(cl, "set", "k", "v", "ex", "x", NULL),
	    "-ERR value is not an integer or out of range\r\n",
	    "EX not a number");
	is_reply(run(cl, "set", "k", "v", "px", "0", NULL),
	    "-ERR invalid expire time in 'set' command\r\n", "PX 0");
	is_reply(run(cl, "set", "k", "v", "ex", "9223372036854776", NULL),
	    "-ERR invalid expire time in 'set' command\r\n",
	    "EX that overflows in milliseconds");
	is_reply(run(cl, "set", "k", "v", "pxat", "1", NULL), "+OK\r\n",
	    "PXAT in the past is accepted");
	is_reply(run(cl, "get", "k", NULL), "$-1\r\n",
	    "and the key is gone");
	is_reply(run(cl, "set", "a", "1", NULL), "+OK\r\n", "SET a");
	is_reply(run(cl, "set", "b", "2", "ex", "100", NULL), "+OK\r\n",
	    "SET b EX");
	is_reply(run(cl, "set", "b", "3", "keepttl", NULL), "+OK\r\n",
	    "SET b KEEPTTL");
	is_reply(run(cl, "exists", "a", "b", "c", "a", NULL), ":3\r\n",
	    "EXISTS counts repeats");
	is_reply(run(cl, "del", "a", "c", "a", NULL), ":1\r\n",
	    "DEL counts what it removed");
	is_reply(run(cl, "select", "1", NULL), "+OK\r\n", "SELECT 1");
	is_reply(run(cl, "get", "b", NULL), "$-1\r\n",
	    "another database does not see the key");
}

/* The reply buffer's error hook: remember the codes it was given. */
static char	 hook_codes[256];

static void
hook(void *arg, const char *code, size_t len)
{
	size_t	 n = strlen(hook_codes);

	(void)arg;
	snprintf(hook_codes + n, sizeof(hook_codes) - n, "%s%.*s",
	    n > 0 ? "," : "", (int)len, code);
}

/*
 * Every error reply reaches the hook once, with Redis's code: the text's
 * first word when it starts with '-' and has a blank in its first 32
 * bytes, "ERR" otherwise.
 */
static void
test_error_hook(struct client *cl)
{
	unsigned long	 before = cl->cl_reply.rb_nerrors;

	hook_codes[0] = '\0';
	cl->cl_reply.rb_on_error = hook;
	run(cl, "NOSUCH", NULL);
	run(cl, "GET", NULL);
	run(cl, "PING", NULL);
	reply_error(&cl->cl_reply, "-WRONGTYPE Operation against a key");
	reply_error(&cl->cl_reply, "-NOSPACEINTHEFIRSTTHIRTYTWOBYTES_AT_ALL");
	reply_errorf(&cl->cl_reply, "plain %d", 1);
	run(cl, "PING", NULL);
	is_reply(hook_codes, "ERR,ERR,WRONGTYPE,ERR,ERR",
	    "the hook sees each error once, by its code");
	ok(cl->cl_reply.rb_nerrors - before == 5, "rb_nerrors counts them");
	cl->cl_reply.rb_on_error = NULL;
}

/*
 * Containers and their subcommands; the server and COMMAND families
 * without a worker.
 */
static void
test_server(struct client *cl)
{
	const struct command	*c;
	size_t			 i, top = 0;
	int			 bad = 0, nodoc = 0;
	char			 want[32];

	is_reply(run(cl, "CONFIG", NULL),
	    "-ERR wrong number of arguments for 'config' command\r\n",
	    "a container alone is an arity error");
	is_reply(run(cl, "config", "nosuch\r", NULL),
	    "-ERR unknown subcommand 'nosuch '. Try CONFIG HELP.\r\n",
	    "an unknown subcommand names the container in capitals");
	is_reply(run(cl, "config|get", "x", NULL),
	    "-ERR unknown command 'config|get', with args beginning with: "
	    "'x' \r\n", "a subcommand is not a command of its own");
	is_reply(run(cl, "CONFIG", "GET", NULL),
	    "-ERR wrong number of arguments for 'config|get' command\r\n",
	    "a subcommand's arity error names it in full");
	is_reply(run(cl, "CONFIG", "rewrite", NULL),
	    "-ERR The server is running without a config file\r\n",
	    "CONFIG REWRITE without a file");
	is_reply(run(cl, "DEBUG", "nosuch", NULL),
	    "-ERR unknown subcommand or wrong number of arguments for "
	    "'nosuch'. Try DEBUG HELP.\r\n", "DEBUG's unknown subcommand");
	is_reply(run(cl, "DEBUG", "SLEEP", "0", NULL), "+OK\r\n",
	    "DEBUG SLEEP 0");
	ok(strncmp(run(cl, "TIME", NULL), "*2\r\n$10\r\n", 9) == 0,
	    "TIME is two bulks, seconds first");
	is_reply(run(cl, "COMMAND", "GETKEYS", "MSET", "a", "1", "b", "2",
	    NULL), "*2\r\n$1\r\na\r\n$1\r\nb\r\n",
	    "COMMAND GETKEYS steps over values");
	is_reply(run(cl, "COMMAND", "INFO", "get", NULL),
	    "*1\r\n*10\r\n$3\r\nget\r\n:2\r\n*2\r\n+readonly\r\n"
	    "+fast\r\n:1\r\n:1\r\n:1\r\n*3\r\n+@read\r\n+@string\r\n"
	    "+@fast\r\n*0\r\n*1\r\n*6\r\n$5\r\nflags\r\n*2\r\n+RO\r\n"
	    "+access\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n"
	    "$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:1\r\n"
	    "$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n"
	    "$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\n"
	    "keystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n",
	    "COMMAND INFO get is Redis's reply");
	ok(strstr(run(cl, "COMMAND", "DOCS", "ping", NULL),
	    "$9\r\narguments\r\n*1\r\n*6\r\n$4\r\nname\r\n$7\r\nmessage\r\n"
	    "$4\r\ntype\r\n$6\r\nstring\r\n$5\r\nflags\r\n*1\r\n"
	    "+optional\r\n") != NULL, "COMMAND DOCS lists arguments");
	ok(strstr(run(cl, "COMMAND", "DOCS", "scan", NULL),
	    "*8\r\n$4\r\nname\r\n$5\r\ncount\r\n$4\r\ntype\r\n"
	    "$7\r\ninteger\r\n$5\r\ntoken\r\n$5\r\nCOUNT\r\n$5\r\n"
	    "flags\r\n*1\r\n+optional\r\n") != NULL,
	    "an argument's token and flags");
	for (i = 0; i < command_count(); i++) {
		c = command_at(i);
		if (command_index(c) != i)
			bad++;
		if (strchr(c->cmd_name, '|') == NULL) {
			top++;
			continue;
		}
		/* A subcommand's container is in the table, marked. */
		snprintf(want, sizeof(want), "%.*s",
		    (int)(strchr(c->cmd_name, '|') - c->cmd_name),
		    c->cmd_name);
		if (command_lookup(want, strlen(want)) == NULL ||
		    !(command_lookup(want, strlen(want))->cmd_flags &
		    CMD_CONTAINER))
			bad++;
	}
	ok(bad == 0, "indexes agree and every subcommand has a container");
	snprintf(want, sizeof(want), ":%zu\r\n", top);
	is_reply(run(cl, "COMMAND", "COUNT", NULL), want,
	    "COMMAND COUNT leaves subcommands out");
	for (i = 0; i < cmd_server_family.cf_count; i++)
		if (command_doc_lookup(
		    cmd_server_family.cf_commands[i].cmd_name) == NULL)
			nodoc++;
	for (i = 0; i < cmd_command_family.cf_count; i++)
		if (command_doc_lookup(
		    cmd_command_family.cf_commands[i].cmd_name) == NULL)
			nodoc++;
	ok(nodoc == 0, "every server command is documented");
}

int
main(void)
{
	struct arena	 a;
	struct keyspace	 ks;
	struct client	*cl;

	tap_no_plan();
	test_table();
	test_parse_ll();
	if (testarena_store(&a, &ks, 16 << 20, 2) == -1)
		return (1);
	cl = client_new(-1, &ks, 1 << 20, 512 << 20);
	ok(cl != NULL, "client_new");
	test_errors(cl);
	test_connection(cl);
	test_strings(cl);
	test_error_hook(cl);
	test_server(cl);
	client_free(cl);
	arena_detach(&a);
	return (tap_done());
}
