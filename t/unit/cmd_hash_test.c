/*
 * cmd_hash_test.c: checks the hash commands of cmd_hash.c without a
 * socket: requests go straight to command_dispatch() and the bytes of the
 * client's reply buffer are read back.  Built with the sanitizers too, so
 * that every path of the commands runs under them.
 *
 * Invariants: replies in RESP2 and RESP3 have Redis's shapes (HGETALL a
 * map, HRANDFIELD WITHVALUES pairs); an HRANDFIELD whose reply outgrows
 * the client's reply cap stops drawing there, with the buffer failed,
 * rather than drawing its count; thousands of random commands over
 * packed hashes and tables, under tiny and default limits, each answer
 * one well-formed reply, HLEN always counts what HKEYS lists, and the
 * checker finds the arena whole after them.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hydra/check.h"
#include "hydra/client.h"
#include "hydra/command.h"
#include "hydra/compat.h"
#include "hydra/keyspace.h"
#include "hydra/object.h"
#include "hydra/reply.h"
#include "tap.h"
#include "testarena.h"
#include "testrequest.h"

#define MAXARGS		64

/* Run one request given as NUL-terminated words, ended by NULL. */
#define run(cl, ...)	test_request((cl), __VA_ARGS__)

static void
test_shapes(struct client *cl)
{
	is_reply(run(cl, "HSET", "h", "a", "1", "b", "2", NULL), ":2\r\n",
	    "HSET counts the fields it adds");
	is_reply(run(cl, "HGETALL", "h", NULL),
	    "*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n",
	    "HGETALL in RESP2: a flat array, in the order of the sets");
	is_reply(run(cl, "HRANDFIELD", "h", "5", "WITHVALUES", NULL),
	    "*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n",
	    "HRANDFIELD past the count in RESP2: the whole hash, flat");
	cl->cl_reply.rb_proto = REPLY_RESP3;
	is_reply(run(cl, "HGETALL", "h", NULL),
	    "%2\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n",
	    "HGETALL in RESP3: a map");
	is_reply(run(cl, "HRANDFIELD", "h", "5", "WITHVALUES", NULL),
	    "*2\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n",
	    "and HRANDFIELD WITHVALUES an array of pairs");
	is_reply(run(cl, "HGET", "h", "zz", NULL), "_\r\n",
	    "a missing field is RESP3's null");
	cl->cl_reply.rb_proto = REPLY_RESP2;
	is_reply(run(cl, "DEL", "h", NULL), ":1\r\n", "DEL of a hash");
}

static void
test_cap(struct keyspace *ks)
{
	struct client	*cl = client_new(-1, ks, 1 << 20, 512 << 20);
	const char	*r;

	cl->cl_reply.rb_max = 1 << 20;
	(void)run(cl, "HSET", "one", "f", "v", NULL);
	r = run(cl, "HRANDFIELD", "one", "-4611686018427387903",
	    "WITHVALUES", NULL);
	ok(reply_buf_error(&cl->cl_reply) != 0 &&
	    strncmp(r, "*9223372036854775806\r\n", 22) == 0,
	    "HRANDFIELD of 2^62 draws stops where the reply outgrows its "
	    "cap of 1 MiB, the buffer failed (the worker closes such a "
	    "client)");
	client_free(cl);
	cl = client_new(-1, ks, 1 << 20, 512 << 20);
	is_reply(run(cl, "HRANDFIELD", "one", "-2", NULL),
	    "*2\r\n$1\r\nf\r\n$1\r\nf\r\n", "another client draws as usual");
	(void)run(cl, "DEL", "one", NULL);
	client_free(cl);
}

/* A random field from a space that makes tables and binary fields. */
static size_t
rfield(char *buf, unsigned limit)
{
	unsigned	 r = arc4random_uniform(limit);

	if (r % 7 == 0) {
		buf[0] = '\0';
		buf[1] = (char)r;
		return (2);
	}
	return ((size_t)snprintf(buf, 32, "f%u", r));
}

static size_t
rvalue(char *buf)
{
	static const char *const nums[] = { "1", "-7", "2.5", "1e3", "x",
	    "99999999999999999999", "" };
	const char	*num = nums[arc4random_uniform(nitems(nums))];
	size_t		 len;

	if (arc4random_uniform(2) == 0) {
		len = strlen(num);
		memcpy(buf, num, len);
		return (len);
	}
	len = arc4random_uniform(100);
	memset(buf, 'v', len);
	return (len);
}

/* The count of an array or map header ("*N" or "%N"), or -1. */
static long
header_count(const char *r)
{
	if (r[0] != '*' && r[0] != '%')
		return (-1);
	return (strtol(r + 1, NULL, 10));
}

static void
test_random(struct arena *a, struct keyspace *ks, unsigned long long entries,
    unsigned long long value, int steps)
{
	static const char *const cmds[] = { "HSET", "HMSET", "HSETNX", "HDEL",
	    "HGET", "HMGET", "HINCRBY", "HINCRBYFLOAT", "HEXISTS", "HSTRLEN",
	    "HLEN", "HKEYS", "HVALS", "HGETALL", "HRANDFIELD", "HSCAN",
	    "DEL" };
	static char	 out[1 << 20], fb[MAXARGS][32], vb[MAXARGS][128];
	struct object_limits saved = object_limits;
	struct client	*cl = client_new(-1, ks, 1 << 20, 512 << 20);
	const char	*argv[MAXARGS];
	size_t		 argvlen[MAXARGS], len;
	char		 cnt[24];
	long		 n, keys;
	int		 i, j, argc, good = 1, tables = 0, proto;
	const char	*c;

	object_limits.ol_hash_entries = entries;
	object_limits.ol_hash_value = value;
	for (i = 0; i < steps && good; i++) {
		proto = arc4random_uniform(2) ? REPLY_RESP3 : REPLY_RESP2;
		cl->cl_reply.rb_proto = proto;
		c = cmds[arc4random_uniform(nitems(cmds))];
		argv[0] = c;
		argv[1] = arc4random_uniform(2) ? "h1" : "h2";
		argvlen[0] = strlen(c);
		argvlen[1] = 2;
		argc = 2;
		if (strcmp(c, "HSET") == 0 || strcmp(c, "HMSET") == 0) {
			n = 1 + arc4random_uniform(arc4random_uniform(4) ?
			    3 : 30);
			for (j = 0; j < n; j++) {
				argvlen[argc] = rfield(fb[j], 300);
				argv[argc] = fb[j];
				argc++;
				argvlen[argc] = rvalue(vb[j]);
				argv[argc] = vb[j];
				argc++;
			}
		} else if (strcmp(c, "HDEL") == 0 || strcmp(c, "HMGET") == 0) {
			n = 1 + arc4random_uniform(40);
			for (j = 0; j < n; j++) {
				argvlen[argc] = rfield(fb[j], 300);
				argv[argc++] = fb[j];
			}
		} else if (strcmp(c, "HRANDFIELD") == 0) {
			snprintf(cnt, sizeof(cnt), "%d",
			    (int)arc4random_uniform(700) - 350);
			if (arc4random_uniform(4) != 0) {
				argv[argc] = cnt;
				argvlen[argc++] = strlen(cnt);
			}
			if (argc == 3 && arc4random_uniform(2)) {
				argv[argc] = "WITHVALUES";
				argvlen[argc++] = 10;
			}
		} else if (strcmp(c, "HSCAN") == 0) {
			snprintf(cnt, sizeof(cnt), "%u",
			    arc4random_uniform(2) ? 0 : arc4random());
			argv[argc] = cnt;
			argvlen[argc++] = strlen(cnt);
			argv[argc] = "COUNT";
			argvlen[argc++] = 5;
			argv[argc] = arc4random_uniform(2) ? "3" : "1000";
			argvlen[argc] = strlen(argv[argc]);
			argc++;
		} else if (strcmp(c, "HSETNX") == 0 ||
		    strcmp(c, "HINCRBY") == 0 ||
		    strcmp(c, "HINCRBYFLOAT") == 0) {
			argvlen[argc] = rfield(fb[0], 300);
			argv[argc++] = fb[0];
			argvlen[argc] = strcmp(c, "HSETNX") == 0 ?
			    rvalue(vb[0]) : (size_t)snprintf(vb[0], 16, "%d",
			    (int)arc4random_uniform(100) - 50);
			argv[argc++] = vb[0];
		} else if (strcmp(c, "HGET") == 0 ||
		    strcmp(c, "HEXISTS") == 0 || strcmp(c, "HSTRLEN") == 0) {
			argvlen[argc] = rfield(fb[0], 300);
			argv[argc++] = fb[0];
		}
		len = test_request_argv(cl, out, sizeof(out), argc, argv,
		    argvlen);
		if (len < 3 || memcmp(out + len - 2, "\r\n", 2) != 0 ||
		    strchr("+-:$*%_,", out[0]) == NULL) {
			diag("%s: a malformed reply \"%.60s\"", c, out);
			good = 0;
		}
		/* HLEN counts what HKEYS lists. */
		n = strtol(run(cl, "HLEN", argv[1], NULL) + 1, NULL, 10);
		keys = header_count(run(cl, "HKEYS", argv[1], NULL));
		if (n != keys) {
			diag("HLEN %ld, HKEYS %ld", n, keys);
			good = 0;
		}
		if (strcmp(run(cl, "OBJECT", "ENCODING", argv[1], NULL),
		    "$9\r\nhashtable\r\n") == 0)
			tables++;
	}
	ok(good, "limits %llu and %llu: %d random commands in RESP2 and "
	    "RESP3 each answer one reply, HLEN counting what HKEYS lists",
	    entries, value, i);
	ok(tables > 0, "the hashes were tables for %d of them", tables);
	(void)run(cl, "DEL", "h1", "h2", NULL);
	ok(check_arena(a, 0, stderr, NULL) == 0, "the checker finds the "
	    "arena whole, nothing leaked");
	client_free(cl);
	object_limits = saved;
}

int
main(void)
{
	struct arena	 a;
	struct keyspace	 ks;
	struct client	*cl;

	tap_no_plan();
	if (!ok(command_init() == 0, "the command table") ||
	    !ok(testarena_store(&a, &ks, 64 << 20, 2) == 0,
	    "a 64 MiB store"))
		return (tap_done());
	cl = client_new(-1, &ks, 1 << 20, 512 << 20);
	test_shapes(cl);
	client_free(cl);
	test_cap(&ks);
	test_random(&a, &ks, 4, 8, 3000);
	test_random(&a, &ks, 512, 64, 3000);
	testarena_destroy(&a);
	return (tap_done());
}
