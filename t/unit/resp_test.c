/*
 * resp_test.c: checks the request parser of resp.c against Redis 7.0.
 *
 * The expected behaviour was taken from redis-server 7.0 itself: which
 * requests it runs, which it skips, which it waits on, and the exact text
 * of every protocol error.  Every request is also fed cut at each byte
 * boundary and a byte at a time, through a buffer that moves between
 * calls, and must give the same commands as when fed whole; a large bulk
 * fed a byte at a time must be scanned in time linear in its size.
 */

#include <stdlib.h>
#include <string.h>

#include "hydra/resp.h"
#include "tap.h"

/* The commands a run produced, serialized as [len:bytes len:bytes]... */
struct sink {
	char		*sk_buf;
	size_t		 sk_len;
	size_t		 sk_cap;
	int		 sk_ncmd;
	size_t		 sk_dropped;	/* bytes consumed in all */
	char		 sk_err[RESP_ERR_MAX];
};

static void
sink_put(struct sink *s, const void *p, size_t n)
{
	if (s->sk_len + n > s->sk_cap) {
		s->sk_cap = (s->sk_len + n) * 2 + 64;
		if ((s->sk_buf = realloc(s->sk_buf, s->sk_cap)) == NULL)
			abort();
	}
	memcpy(s->sk_buf + s->sk_len, p, n);
	s->sk_len += n;
}

static void
sink_cmd(struct sink *s, const struct resp_command *cmd)
{
	char	num[32];
	int	i, n;

	sink_put(s, "[", 1);
	for (i = 0; i < cmd->rc_argc; i++) {
		n = snprintf(num, sizeof(num), "%zu:", cmd->rc_argvlen[i]);
		sink_put(s, num, (size_t)n);
		sink_put(s, cmd->rc_argv[i], cmd->rc_argvlen[i]);
		sink_put(s, " ", 1);
	}
	sink_put(s, "]", 1);
	s->sk_ncmd++;
}

static void
sink_clear(struct sink *s)
{
	free(s->sk_buf);
	memset(s, 0, sizeof(*s));
}

static int
sink_is(const struct sink *s, const char *want, size_t wantlen)
{
	if (s->sk_len == wantlen && memcmp(s->sk_buf, want, wantlen) == 0)
		return 1;
	diag("   got: %.*s", (int)s->sk_len, s->sk_buf ? s->sk_buf : "");
	diag("  want: %s", want);
	return 0;
}

/*
 * Feed data as a client would: the first `first' bytes, then the rest in
 * pieces of `step' bytes (0: all at once).  The query buffer is copied to
 * a new place before every call, so a parser that kept pointers into it
 * would read freed memory.  Returns the last status.
 */
static enum resp_status
run(struct resp_parser *p, const char *data, size_t len, size_t first,
    size_t step, struct sink *s)
{
	struct resp_command	 cmd;
	enum resp_status	 st = RESP_AGAIN;
	char			*qb = NULL, *nq;
	size_t			 qlen = 0, off = 0, n;

	memset(s, 0, sizeof(*s));
	for (;;) {
		if (off == 0 && first > 0)
			n = first < len ? first : len;
		else if (step == 0 || step > len - off)
			n = len - off;
		else
			n = step;
		if ((nq = malloc(qlen + n + 1)) == NULL)
			abort();
		if (qlen > 0)
			memcpy(nq, qb, qlen);
		memcpy(nq + qlen, data + off, n);
		free(qb);
		qb = nq;
		qlen += n;
		off += n;
		for (;;) {
			st = resp_parse(p, qb, qlen, &cmd);
			if (st == RESP_COMMAND)
				sink_cmd(s, &cmd);
			if (st != RESP_COMMAND && st != RESP_AGAIN)
				break;
			memmove(qb, qb + cmd.rc_consumed,
			    qlen - cmd.rc_consumed);
			qlen -= cmd.rc_consumed;
			s->sk_dropped += cmd.rc_consumed;
			if (st == RESP_AGAIN)
				break;
		}
		if (st == RESP_EPROTO || st == RESP_ENOMEM) {
			strlcpy(s->sk_err, resp_parser_error(p),
			    sizeof(s->sk_err));
			break;
		}
		if (off == len)
			break;
	}
	free(qb);
	return st;
}

/* Parse `data' whole with a fresh parser; the status, commands in s. */
static enum resp_status
run_whole(const char *data, size_t len, int auth, struct sink *s)
{
	struct resp_parser	p;
	enum resp_status	st;

	resp_parser_init(&p);
	p.rp_authenticated = auth;
	st = run(&p, data, len, 0, 0, s);
	resp_parser_free(&p);
	return st;
}

#define S(lit)	lit, sizeof(lit) - 1

/* Requests Redis runs: the bytes, and the commands it sees in them. */
static const struct {
	const char	*in;
	size_t		 inlen;
	const char	*want;
	size_t		 wantlen;
} good[] = {
	{ S("*1\r\n$4\r\nPING\r\n"), S("[4:PING ]") },
	{ S("PING\r\n"), S("[4:PING ]") },
	{ S("PING\n"), S("[4:PING ]") },
	{ S("PING\r\r\n"), S("[4:PING ]") },
	/* Pipelined requests of both kinds, with empty ones between. */
	{ S("*1\r\n$4\r\nPING\r\nECHO hi\r\n\r\n\n*0\r\n*-1\r\n  \r\n"
	    "*2\r\n$4\r\nECHO\r\n$2\r\nyo\r\n"),
	    S("[4:PING ][4:ECHO 2:hi ][4:ECHO 2:yo ]") },
	/* A bulk is binary safe: NUL, CR and LF inside it are data. */
	{ S("*2\r\n$4\r\nECHO\r\n$6\r\na\0\r\nbc\r\n"),
	    S("[4:ECHO 6:a\0\r\nbc ]") },
	{ S("*1\r\n$0\r\n\r\n"), S("[0: ]") },
	/* The byte after a count line's CR and a bulk's trailer go unread. */
	{ S("*1\rX$4\rxPINGxx*1\r\n$4\r\nPING\r\n"), S("[4:PING ][4:PING ]") },
	{ S("*-9223372036854775808\r\nPING\r\n"), S("[4:PING ]") },
	/* Inline splitting, as sdssplitargs() does it. */
	{ S("\x0bPING\r\n"), S("[4:PING ]") },
	{ S("ECHO a\x0b" "b\r\n"), S("[4:ECHO 3:a\x0b" "b ]") },
	{ S("ECHO \"a\\x41\\x4g\\n\"\r\n"), S("[4:ECHO 6:aAx4g\n ]") },
	{ S("ECHO \"\\t\\r\\b\\a\\q\\\"\\\\\"\r\n"),
	    S("[4:ECHO 7:\t\r\b\aq\"\\ ]") },
	{ S("ECHO 'a\\'b\\n'\r\n"), S("[4:ECHO 5:a'b\\n ]") },
	{ S("ECHO \"\" ''\r\n"), S("[4:ECHO 0: 0: ]") },
	{ S("ECHO foo\"bar baz\"\r\n"), S("[4:ECHO 10:foobar baz ]") },
	{ S("ECHO \"a\rb\"\r\n"), S("[4:ECHO 3:a\rb ]") },
	{ S("ECHO a\rb\r\n"), S("[4:ECHO 1:a 1:b ]") },
	{ S("ECHO \"a\"\x0b\r\n"), S("[4:ECHO 1:a ]") },
	{ S("ECHO a\r\r\n"), S("[4:ECHO 1:a ]") },
	{ S("  SET\tk  \"v w\"  \r\n"), S("[3:SET 1:k 3:v w ]") },
	{ S("ECHO \"\\xfF\\x00\"\r\n"), S("[4:ECHO 2:\xff\0 ]") },
};

/* Requests Redis refuses, with the error it replies. */
static const struct {
	const char	*in;
	size_t		 inlen;
	int		 auth;
	const char	*err;
} bad[] = {
	{ S("*-0\r\n"), 1, "Protocol error: invalid multibulk length" },
	{ S("*+1\r\n"), 1, "Protocol error: invalid multibulk length" },
	{ S("*01\r\n"), 1, "Protocol error: invalid multibulk length" },
	{ S("*\r\n"), 1, "Protocol error: invalid multibulk length" },
	{ S("* 1\r\n"), 1, "Protocol error: invalid multibulk length" },
	{ S("*1 \r\n"), 1, "Protocol error: invalid multibulk length" },
	{ S("*2147483648\r\n"), 1,
	    "Protocol error: invalid multibulk length" },
	{ S("*-9223372036854775809\r\n"), 1,
	    "Protocol error: invalid multibulk length" },
	{ S("*2147483648\r\n"), 0,
	    "Protocol error: invalid multibulk length" },
	{ S("*11\r\n"), 0, "Protocol error: unauthenticated multibulk length" },
	{ S("*1\r\n$-1\r\n"), 1, "Protocol error: invalid bulk length" },
	{ S("*1\r\n$ 4\r\n"), 1, "Protocol error: invalid bulk length" },
	{ S("*1\r\n$04\r\n"), 1, "Protocol error: invalid bulk length" },
	{ S("*1\r\n$\r\n"), 1, "Protocol error: invalid bulk length" },
	{ S("*1\r\n$536870913\r\n"), 1, "Protocol error: invalid bulk length" },
	{ S("*1\r\n$536870913\r\n"), 0, "Protocol error: invalid bulk length" },
	{ S("*1\r\n$16385\r\n"), 0,
	    "Protocol error: unauthenticated bulk length" },
	{ S("*3\r\n$3\r\nSET\r\n$1\r\nx\r\nfooz\r\n"), 1,
	    "Protocol error: expected '$', got 'f'" },
	{ S("*1\r\n\x01\r\n"), 1, "Protocol error: expected '$', got '\x01'" },
	{ S("*1\r\n\r\n"), 1, "Protocol error: expected '$', got ' '" },
	{ S("*1\r\n\n4\r\n"), 1, "Protocol error: expected '$', got ' '" },
	{ S("ECHO \"a\"b\r\n"), 1,
	    "Protocol error: unbalanced quotes in request" },
	{ S("ECHO 'a'b\r\n"), 1,
	    "Protocol error: unbalanced quotes in request" },
	{ S("ECHO \"abc\r\n"), 1,
	    "Protocol error: unbalanced quotes in request" },
	{ S("ECHO \"abc\\\"\r\n"), 1,
	    "Protocol error: unbalanced quotes in request" },
	{ S("ECHO 'abc\r\n"), 1,
	    "Protocol error: unbalanced quotes in request" },
};

/* Requests Redis waits on: complete-looking or not, nothing happens. */
static const struct {
	const char	*in;
	size_t		 inlen;
	int		 auth;
} waits[] = {
	{ S("*2147483647\r\n"), 1 },
	{ S("*10\r\n"), 0 },
	{ S("*1\r\n$536870912\r\n"), 1 },
	{ S("*1\r\n$16384\r\n"), 0 },
	{ S("*1\n"), 1 },
	{ S("*1\r"), 1 },
	{ S("\r"), 1 },
	{ S("PING\r"), 1 },
	{ S("*1\r\n$4\r\nPING"), 1 },
	{ S("*1\r\n$4\r\nPING\r"), 1 },
	/* A NUL hides the line end behind it, as Redis's strchr() does. */
	{ S("PING\0\r\n"), 1 },
	{ S("PI\0NG\r\n"), 1 },
	{ S("*1\r\n$4\0\r\nPING\r\n"), 1 },
	{ S("*1\0\r\n$4\r\nPING\r\n"), 1 },
};

static void
test_table(void)
{
	struct sink	s, s2;
	size_t		i, k;
	int		same;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		enum resp_status st = run_whole(good[i].in, good[i].inlen, 0,
		    &s);

		ok(st == RESP_AGAIN &&
		    sink_is(&s, good[i].want, good[i].wantlen) &&
		    s.sk_dropped == good[i].inlen,
		    "good %zu: whole, gives its commands and consumes all", i);
		/* Cut at every byte boundary, then fed a byte at a time. */
		same = 1;
		for (k = 0; k <= good[i].inlen && same; k++) {
			struct resp_parser p;

			resp_parser_init(&p);
			st = run(&p, good[i].in, good[i].inlen, k, 0, &s2);
			same = st == RESP_AGAIN && s2.sk_len == s.sk_len &&
			    memcmp(s2.sk_buf, s.sk_buf, s.sk_len) == 0 &&
			    s2.sk_dropped == good[i].inlen;
			if (!same)
				diag("cut at %zu differs", k);
			sink_clear(&s2);
			resp_parser_free(&p);
		}
		ok(same, "good %zu: the same commands cut at every boundary",
		    i);
		{
			struct resp_parser p;

			resp_parser_init(&p);
			st = run(&p, good[i].in, good[i].inlen, 0, 1, &s2);
			ok(st == RESP_AGAIN && s2.sk_len == s.sk_len &&
			    memcmp(s2.sk_buf, s.sk_buf, s.sk_len) == 0,
			    "good %zu: the same commands a byte at a time", i);
			sink_clear(&s2);
			resp_parser_free(&p);
		}
		sink_clear(&s);
	}

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		enum resp_status st = run_whole(bad[i].in, bad[i].inlen,
		    bad[i].auth, &s);

		ok(st == RESP_EPROTO && strcmp(s.sk_err, bad[i].err) == 0,
		    "bad %zu: fails with \"%s\"", i, bad[i].err);
		if (st != RESP_EPROTO || strcmp(s.sk_err, bad[i].err) != 0)
			diag("   got status %d, \"%s\"", (int)st, s.sk_err);
		sink_clear(&s);
		{
			struct resp_parser p;

			resp_parser_init(&p);
			p.rp_authenticated = bad[i].auth;
			st = run(&p, bad[i].in, bad[i].inlen, 0, 1, &s);
			ok(st == RESP_EPROTO &&
			    strcmp(s.sk_err, bad[i].err) == 0,
			    "bad %zu: the same error a byte at a time", i);
			sink_clear(&s);
			resp_parser_free(&p);
		}
	}

	for (i = 0; i < sizeof(waits) / sizeof(waits[0]); i++) {
		enum resp_status st = run_whole(waits[i].in, waits[i].inlen,
		    waits[i].auth, &s);

		ok(st == RESP_AGAIN && s.sk_ncmd == 0 && s.sk_dropped == 0,
		    "wait %zu: no command, no error, nothing consumed", i);
		sink_clear(&s);
	}
}

/* The "too big" errors come only past RESP_INLINE_MAX_SIZE bytes. */
static void
test_too_big(void)
{
	struct sink	 s;
	char		*b;
	size_t		 n = RESP_INLINE_MAX_SIZE + 16;

	if ((b = malloc(n)) == NULL)
		abort();

	memset(b, 'A', n);
	is_int(run_whole(b, RESP_INLINE_MAX_SIZE, 1, &s), RESP_AGAIN,
	    "an inline line of exactly the limit without LF waits");
	sink_clear(&s);
	is_int(run_whole(b, RESP_INLINE_MAX_SIZE + 1, 1, &s), RESP_EPROTO,
	    "one byte more without LF is an error");
	ok(strcmp(s.sk_err, "Protocol error: too big inline request") == 0,
	    "with the text \"too big inline request\"");
	sink_clear(&s);
	b[4] = '\0';
	b[RESP_INLINE_MAX_SIZE - 2] = '\r';
	b[RESP_INLINE_MAX_SIZE - 1] = '\n';
	is_int(run_whole(b, RESP_INLINE_MAX_SIZE + 1, 1, &s), RESP_EPROTO,
	    "a line end behind a NUL does not count: too big");
	sink_clear(&s);
	b[RESP_INLINE_MAX_SIZE - 2] = b[RESP_INLINE_MAX_SIZE - 1] = 'A';
	b[4] = 'A';
	b[RESP_INLINE_MAX_SIZE + 8] = '\n';
	ok(run_whole(b, RESP_INLINE_MAX_SIZE + 9, 1, &s) == RESP_AGAIN &&
	    s.sk_ncmd == 1 && s.sk_dropped == RESP_INLINE_MAX_SIZE + 9,
	    "a longer line whose LF is already there is one word");
	sink_clear(&s);

	memset(b, '1', n);
	b[0] = '*';
	is_int(run_whole(b, RESP_INLINE_MAX_SIZE, 1, &s), RESP_AGAIN,
	    "a count line of the limit without CR waits");
	sink_clear(&s);
	run_whole(b, RESP_INLINE_MAX_SIZE + 1, 1, &s);
	ok(strcmp(s.sk_err, "Protocol error: too big mbulk count string") ==
	    0, "one byte more is \"too big mbulk count string\"");
	sink_clear(&s);
	b[RESP_INLINE_MAX_SIZE + 4] = '\r';
	b[RESP_INLINE_MAX_SIZE + 5] = '\n';
	run_whole(b, RESP_INLINE_MAX_SIZE + 6, 1, &s);
	ok(strcmp(s.sk_err, "Protocol error: invalid multibulk length") == 0,
	    "a long count line with its CR is \"invalid multibulk length\"");
	sink_clear(&s);

	memset(b, '1', n);
	memcpy(b, "*1\r\n$", 5);
	is_int(run_whole(b, RESP_INLINE_MAX_SIZE + 4, 1, &s), RESP_AGAIN,
	    "a bulk count line of the limit without CR waits");
	sink_clear(&s);
	run_whole(b, RESP_INLINE_MAX_SIZE + 5, 1, &s);
	ok(strcmp(s.sk_err, "Protocol error: too big bulk count string") ==
	    0, "one byte more is \"too big bulk count string\"");
	sink_clear(&s);
	free(b);
}

/*
 * A 1 MiB bulk fed a byte at a time must not be rescanned: the parser
 * examines each byte of the count lines about once and never the payload.
 */
static void
test_linear(void)
{
	struct resp_parser	 p;
	struct resp_command	 cmd;
	enum resp_status	 st = RESP_AGAIN;
	const size_t		 big = 1024 * 1024;
	char			 hdr[64], *b;
	size_t			 hlen, total, len, calls = 0, i;
	int			 right;

	hlen = (size_t)snprintf(hdr, sizeof(hdr),
	    "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$%zu\r\n", big);
	total = hlen + big + 2;
	if ((b = malloc(total)) == NULL)
		abort();
	memcpy(b, hdr, hlen);
	for (i = 0; i < big; i++)
		b[hlen + i] = (char)(i * 7 + (i >> 9));
	memcpy(b + hlen + big, "\r\n", 2);

	resp_parser_init(&p);
	p.rp_authenticated = 1;
	for (len = 1; len <= total; len++) {
		calls++;
		st = resp_parse(&p, b, len, &cmd);
		if (st != RESP_AGAIN)
			break;
		if (cmd.rc_consumed != 0)
			break;
		if (len == hlen + 1)
			is_int((long long)resp_parser_wanted(&p),
			    (long long)total,
			    "wanted() names the length that ends the bulk");
	}
	ok(st == RESP_COMMAND && len == total && cmd.rc_consumed == total,
	    "the command completes with its last byte and consumes it all");
	right = st == RESP_COMMAND && cmd.rc_argc == 3 &&
	    cmd.rc_argvlen[2] == big && cmd.rc_argv[2] == b + hlen &&
	    memcmp(cmd.rc_argv[0], "SET", 3) == 0;
	ok(right, "the bulk is the caller's bytes, in place, uncopied");
	ok(p.rp_examined <= hlen + calls / 1024 + 64,
	    "bytes examined (%llu) stay near the header size, not the "
	    "bulk size, over %zu calls", (unsigned long long)p.rp_examined,
	    calls);
	resp_parser_free(&p);
	free(b);
}

/* A count line cut into single bytes is still scanned once. */
static void
test_linear_line(void)
{
	struct resp_parser	 p;
	struct resp_command	 cmd;
	char			*b;
	size_t			 n = 60000, len;

	if ((b = malloc(n)) == NULL)
		abort();
	memset(b, 'x', n);
	resp_parser_init(&p);
	for (len = 1; len <= n; len++)
		if (resp_parse(&p, b, len, &cmd) != RESP_AGAIN)
			break;
	ok(len > n && p.rp_examined <= n,
	    "an inline line fed a byte at a time is examined once (%llu "
	    "bytes for %zu)", (unsigned long long)p.rp_examined, n);
	resp_parser_free(&p);
	free(b);
}

/* Authentication changes the limits between two commands. */
static void
test_auth(void)
{
	static const char req[] = "*2\r\n$4\r\nAUTH\r\n$2\r\npw\r\n"
	    "*1\r\n$20000\r\n";
	struct resp_parser	p;
	struct resp_command	cmd;
	enum resp_status	st;

	resp_parser_init(&p);
	st = resp_parse(&p, req, sizeof(req) - 1, &cmd);
	ok(st == RESP_COMMAND && cmd.rc_argc == 2,
	    "an unauthenticated client may send AUTH");
	p.rp_authenticated = 1;
	st = resp_parse(&p, req + cmd.rc_consumed,
	    sizeof(req) - 1 - cmd.rc_consumed, &cmd);
	is_int(st, RESP_AGAIN,
	    "after AUTH the next command in the buffer may have a big bulk");
	resp_parser_free(&p);

	resp_parser_init(&p);
	p.rp_authenticated = 1;
	p.rp_max_bulk_len = 100;
	st = resp_parse(&p, "*1\r\n$101\r\n", 10, &cmd);
	ok(st == RESP_EPROTO && strcmp(resp_parser_error(&p),
	    "Protocol error: invalid bulk length") == 0,
	    "a bulk above rp_max_bulk_len is an invalid bulk length");
	st = resp_parse(&p, "PING\r\n", 6, &cmd);
	is_int(st, RESP_EPROTO, "an error sticks until reset");
	resp_parser_reset(&p);
	st = resp_parse(&p, "PING\r\n", 6, &cmd);
	ok(st == RESP_COMMAND && cmd.rc_argc == 1 && cmd.rc_consumed == 6,
	    "after reset the parser parses again");
	resp_parser_free(&p);
}

/* Many arguments grow the argument arrays past their first size. */
static void
test_many_args(void)
{
	struct resp_parser	 p;
	struct resp_command	 cmd;
	char			*b, *q;
	int			 i, n = 5000, right = 1;

	if ((b = malloc((size_t)n * 16 + 32)) == NULL)
		abort();
	q = b + sprintf(b, "*%d\r\n", n);
	for (i = 0; i < n; i++)
		q += sprintf(q, "$%d\r\n%d\r\n", i < 10 ? 1 : i < 100 ? 2 :
		    i < 1000 ? 3 : 4, i);
	resp_parser_init(&p);
	p.rp_authenticated = 1;
	if (resp_parse(&p, b, (size_t)(q - b), &cmd) != RESP_COMMAND ||
	    cmd.rc_argc != n)
		right = 0;
	for (i = 0; right && i < n; i++)
		if (strtol(cmd.rc_argv[i], NULL, 10) != i)
			right = 0;
	ok(right, "a command of %d bulks has all of them, in order", n);

	q = b;
	for (i = 0; i < n / 2; i++)
		q += sprintf(q, "%s", i == 0 ? "ECHO" : " 'x'");
	q += sprintf(q, "\r\n");
	right = resp_parse(&p, b, (size_t)(q - b), &cmd) == RESP_COMMAND &&
	    cmd.rc_argc == n / 2 && cmd.rc_argvlen[n / 2 - 1] == 1 &&
	    cmd.rc_argv[n / 2 - 1][0] == 'x';
	ok(right, "an inline line of %d quoted words has all of them",
	    n / 2);
	resp_parser_free(&p);
	free(b);
}

int
main(void)
{
	tap_no_plan();
	test_table();
	test_too_big();
	test_linear();
	test_linear_line();
	test_auth();
	test_many_args();
	return tap_done();
}
