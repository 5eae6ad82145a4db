/*
 * client_test.c: a client's description (client.c), the gate before
 * dispatch (auth.c) and the connection commands that change a client
 * (HELLO, AUTH, RESET, CLIENT), without a worker: requests go straight to
 * command_dispatch() and the reply bytes are compared with Redis 7.0's.
 *
 * Invariants: names and library attributes take only '!' to '~', and an
 * empty one clears; addresses read as Redis prints them ("ip:port",
 * "path:0" for a Unix socket, which also sets the U flag); flags print in
 * Redis's letters; a scoreboard description copies what CLIENT LIST
 * shows and never touches the entry's id, kill request or sequence; the
 * gate names the command as CLIENT LIST's cmd= does ("client|list", NULL
 * for an unknown subcommand) and lets everything through without a
 * password; HELLO switches the protocol and answers Redis's map in it;
 * RESET undoes HELLO, SELECT and SETNAME; CLIENT's subcommands answer
 * for the client itself.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hydra/auth.h"
#include "hydra/client.h"
#include "hydra/command.h"
#include "hydra/scoreboard.h"
#include "tap.h"
#include "testrequest.h"

/* Run one request given as NUL-terminated words. */
#define run(cl, ...)	test_request((cl), __VA_ARGS__)

static void
test_attrs(struct client *cl)
{
	char	 flags[SB_FLAGS_MAX];

	ok(client_set_name(cl, "conn-1", 6) == 0 && cl->cl_name != NULL &&
	    strcmp(cl->cl_name, "conn-1") == 0, "a name is set");
	ok(cl->cl_flags & CLIENT_F_RENAMED, "a new name is to be published");
	ok(client_set_name(cl, "a b", 3) == -1 &&
	    strcmp(cl->cl_name, "conn-1") == 0,
	    "a name with a space is refused and the old one stays");
	ok(client_set_name(cl, "\xc3\xa9", 2) == -1, "non-ASCII is refused");
	ok(client_set_name(cl, "x\n", 2) == -1, "a newline is refused");
	ok(client_set_name(cl, "", 0) == 0 && cl->cl_name == NULL,
	    "an empty name clears it");
	ok(client_set_lib(cl, 0, "redis-py", 8) == 0 &&
	    client_set_lib(cl, 1, "5.0", 3) == 0 &&
	    strcmp(cl->cl_lib_name, "redis-py") == 0 &&
	    strcmp(cl->cl_lib_ver, "5.0") == 0, "library attributes are set");
	client_flags_string(cl, flags);
	ok(strcmp(flags, "N") == 0, "no flag prints N");
	cl->cl_flags |= CLIENT_F_NO_EVICT | CLIENT_F_CLOSE_AFTER_REPLY;
	client_flags_string(cl, flags);
	ok(strcmp(flags, "ce") == 0, "flags print in Redis's order");
	cl->cl_flags &= ~(CLIENT_F_NO_EVICT | CLIENT_F_CLOSE_AFTER_REPLY);
}

static void
test_addrs(void)
{
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof(sin);
	struct client		*cl;
	char			 want[64];
	int			 l, c, a, sp[2];
	unsigned		 lport, cport;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l = socket(AF_INET, SOCK_STREAM, 0);
	c = socket(AF_INET, SOCK_STREAM, 0);
	if (l == -1 || c == -1 ||
	    bind(l, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(l, 1) == -1 ||
	    getsockname(l, (struct sockaddr *)&sin, &len) == -1 ||
	    connect(c, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    (a = accept(l, NULL, NULL)) == -1) {
		ok(0, "a loopback connection");
		return;
	}
	lport = ntohs(sin.sin_port);
	len = sizeof(sin);
	getsockname(c, (struct sockaddr *)&sin, &len);
	cport = ntohs(sin.sin_port);
	cl = client_new(a, NULL, 1 << 20, 512 << 20);
	client_set_addrs(cl, "/tmp/unused.sock");
	snprintf(want, sizeof(want), "127.0.0.1:%u", cport);
	ok(strcmp(cl->cl_addr, want) == 0, "addr is the peer's ip:port");
	snprintf(want, sizeof(want), "127.0.0.1:%u", lport);
	ok(strcmp(cl->cl_laddr, want) == 0, "laddr is ours");
	ok(!(cl->cl_flags & CLIENT_F_UNIX), "TCP is not flagged U");
	client_free(cl);
	close(c);
	close(l);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sp) == -1) {
		ok(0, "socketpair");
		return;
	}
	cl = client_new(sp[0], NULL, 1 << 20, 512 << 20);
	client_set_addrs(cl, "/run/hydra.sock");
	ok(strcmp(cl->cl_addr, "/run/hydra.sock:0") == 0 &&
	    strcmp(cl->cl_laddr, "/run/hydra.sock:0") == 0,
	    "a Unix socket reads path:0 both ways");
	ok(cl->cl_flags & CLIENT_F_UNIX, "and is flagged U");
	client_free(cl);
	close(sp[1]);
}

static void
test_describe(struct client *cl)
{
	struct sb_client	 sc;

	memset(&sc, 0, sizeof(sc));
	sc.sc_seq = 4;
	sc.sc_id = 77;
	sc.sc_kill = 9;
	cl->cl_db = 5;
	cl->cl_lastcmd = "client|list";
	(void)client_set_name(cl, "described", 9);
	strcpy(cl->cl_addr, "10.0.0.1:4000");
	client_describe(cl, &sc, 0);
	ok(sc.sc_db == 5 && strcmp(sc.sc_cmd, "client|list") == 0 &&
	    strcmp(sc.sc_flags, "N") == 0 && sc.sc_name[0] == '\0',
	    "a short description has the numbers, not the name");
	client_describe(cl, &sc, 1);
	ok(strcmp(sc.sc_name, "described") == 0 &&
	    strcmp(sc.sc_addr, "10.0.0.1:4000") == 0 &&
	    strcmp(sc.sc_lib_name, "redis-py") == 0,
	    "a full one has the name, address and library");
	ok(sc.sc_seq == 4 && sc.sc_id == 77 && sc.sc_kill == 9,
	    "the sequence, id and kill request are left alone");
	cl->cl_db = 0;
	cl->cl_lastcmd = NULL;
	(void)client_set_name(cl, "", 0);
}

static void
test_gate(struct client *cl)
{
	ok(strstr(run(cl, "client", "list", NULL), " cmd=client|list ") !=
	    NULL, "CLIENT LIST shows its own command");
	ok(cl->cl_lastcmd != NULL &&
	    strcmp(cl->cl_lastcmd, "client|list") == 0,
	    "a subcommand is named with its command");
	run(cl, "client", "id", "extra", NULL);
	ok(cl->cl_lastcmd != NULL && strcmp(cl->cl_lastcmd, "client|id") == 0,
	    "a subcommand with a wrong arity is named too");
	run(cl, "client", "nosuch", NULL);
	ok(cl->cl_lastcmd == NULL, "an unknown subcommand has no name");
	run(cl, "nosuchcommand", NULL);
	ok(cl->cl_lastcmd == NULL, "an unknown command has no name");
	is_reply(run(cl, "PING", NULL), "+PONG\r\n",
	    "without a password nothing is refused");
	ok(cl->cl_lastcmd != NULL && strcmp(cl->cl_lastcmd, "ping") == 0,
	    "a command is named in lower case");
	ok(!auth_required(cl), "no password, no AUTH");
}

static const char hello2[] =
    "*14\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n"
    "$5\r\nproto\r\n:2\r\n$2\r\nid\r\n:42\r\n$4\r\nmode\r\n$10\r\n"
    "standalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n";
static const char hello3[] =
    "%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n"
    "$5\r\nproto\r\n:3\r\n$2\r\nid\r\n:42\r\n$4\r\nmode\r\n$10\r\n"
    "standalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n";

static void
test_hello(struct client *cl)
{
	cl->cl_id = 42;
	is_reply(run(cl, "HELLO", NULL), hello2, "HELLO answers in RESP2");
	is_reply(run(cl, "hello", "3", NULL), hello3,
	    "HELLO 3 answers a RESP3 map");
	ok(cl->cl_reply.rb_proto == REPLY_RESP3, "and switches to RESP3");
	is_reply(run(cl, "client", "getname", NULL), "_\r\n",
	    "no name is the RESP3 null");
	is_reply(run(cl, "hello", "2", "setname", "h", NULL), hello2,
	    "HELLO 2 SETNAME answers in RESP2");
	is_reply(run(cl, "client", "getname", NULL), "$1\r\nh\r\n",
	    "and sets the name");
	is_reply(run(cl, "hello", "4", NULL),
	    "-NOPROTO unsupported protocol version\r\n", "HELLO 4");
	is_reply(run(cl, "hello", "3", "bogus", NULL),
	    "-ERR Syntax error in HELLO option 'bogus'\r\n",
	    "an unknown HELLO option");
	ok(cl->cl_reply.rb_proto == REPLY_RESP2,
	    "a failed HELLO keeps the protocol");
	is_reply(run(cl, "hello", "3", "auth", "nobody", "pw", NULL),
	    "-WRONGPASS invalid username-password pair or user is "
	    "disabled.\r\n", "HELLO AUTH of an unknown user");
	is_reply(run(cl, "hello", "3", "auth", "default", "pw", NULL),
	    hello3, "the default user takes any password without one set");
	is_reply(run(cl, "reset", NULL), "+RESET\r\n", "RESET");
	ok(cl->cl_reply.rb_proto == REPLY_RESP2 && cl->cl_name == NULL &&
	    cl->cl_db == 0, "RESET undoes HELLO 3 and SETNAME");
}

static void
test_client(struct client *cl)
{
	const char	*r;

	is_reply(run(cl, "client", "id", NULL), ":42\r\n", "CLIENT ID");
	is_reply(run(cl, "client", "setname", "n1", NULL), "+OK\r\n",
	    "CLIENT SETNAME");
	is_reply(run(cl, "client", "getname", NULL), "$2\r\nn1\r\n",
	    "CLIENT GETNAME");
	is_reply(run(cl, "client", "no-evict", "on", NULL), "+OK\r\n",
	    "CLIENT NO-EVICT on");
	r = run(cl, "client", "info", NULL);
	ok(strstr(r, "id=42 ") != NULL && strstr(r, " name=n1 ") != NULL &&
	    strstr(r, " flags=e ") != NULL &&
	    strstr(r, " cmd=client|info ") != NULL, "CLIENT INFO");
	r = run(cl, "client", "list", "id", "42", NULL);
	ok(strncmp(r, "$", 1) == 0 && strstr(r, "id=42 ") != NULL,
	    "CLIENT LIST ID finds the client");
	is_reply(run(cl, "client", "list", "id", "43", NULL), "$0\r\n\r\n",
	    "CLIENT LIST ID of another client is empty");
	is_reply(run(cl, "client", "kill", "id", "43", NULL), ":0\r\n",
	    "CLIENT KILL ID of no client");
	is_reply(run(cl, "client", "kill", "id", "42", NULL), ":0\r\n",
	    "CLIENT KILL skips the caller by default");
	ok(!(cl->cl_flags & CLIENT_F_CLOSE_AFTER_REPLY), "and it stays");
	is_reply(run(cl, "client", "kill", "id", "42", "skipme", "no", NULL),
	    ":1\r\n", "CLIENT KILL SKIPME no kills the caller");
	ok(cl->cl_flags & CLIENT_F_CLOSE_AFTER_REPLY,
	    "after its reply");
}

int
main(void)
{
	struct client	*cl;

	tap_no_plan();
	if (command_init() == -1)
		return (1);
	cl = client_new(-1, NULL, 1 << 20, 512 << 20);
	ok(cl != NULL, "client_new");
	test_attrs(cl);
	test_addrs();
	test_describe(cl);
	test_gate(cl);
	test_hello(cl);
	test_client(cl);
	client_free(cl);
	return (tap_done());
}
