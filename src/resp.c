/*
 * resp.c: the incremental parser of client requests.
 *
 * Run by workers, one parser per client.  Takes no locks and does no I/O:
 * it reads the bytes it is given and writes only its own memory.
 *
 * The rules are Redis 7.0's, including its quirks, because redis-server is
 * the oracle hydra is compared with:
 *
 * - A request that starts with '*' is a multibulk; anything else is an
 *   inline line ending at the first '\n' (one '\r' before it is dropped).
 * - Redis searches its NUL-terminated query buffer with strchr(), so a NUL
 *   byte before a line end hides that line end for good: the request then
 *   waits until the buffer passes RESP_INLINE_MAX_SIZE and fails as "too
 *   big".  Bulk payloads are binary safe; only line searches stop at NUL.
 * - A count line ends at its first '\r', and the byte after it is skipped
 *   without looking at it; the two bytes after a bulk are skipped the same
 *   way.  Numbers follow Redis's string2ll(): an optional '-', no '+', no
 *   leading zero, no spaces, no overflow.
 * - "*" counts up to INT_MAX are accepted (memory for them is taken as
 *   bulks arrive, not up front); counts of zero or less are empty requests
 *   and are skipped, as are blank inline lines.
 * - Before authentication a count above 10 or a bulk above 16384 bytes is
 *   refused; the checks against the absolute limits come first.
 *
 * Progress is kept in offsets from the start of the request (rp_pos,
 * rp_scan), never in pointers, so the caller may move its buffer between
 * calls.  Line searches resume where they stopped and a bulk's payload is
 * only counted, never scanned, so a request costs time linear in its size
 * however it is cut into reads.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hydra/resp.h"
#include "hydra/splitargs.h"

enum {
	RESP_S_START,		/* nothing parsed of this request */
	RESP_S_INLINE,		/* looking for the end of an inline line */
	RESP_S_MBULK,		/* looking for the end of the "*" line */
	RESP_S_BULKLEN,		/* looking for the end of a "$" line */
	RESP_S_BULK,		/* waiting for a bulk and its two trailers */
	RESP_S_FAILED,		/* a protocol error was returned */
	RESP_S_NOMEM		/* RESP_ENOMEM was returned */
};

#define RESP_ARGS_MIN	16
#define RESP_FIND_SHORT	16	/* bytes looked at before memchr() */

static void
resp_set_error(struct resp_parser *p, const char *msg)
{
	strlcpy(p->rp_err, msg, sizeof(p->rp_err));
	p->rp_state = RESP_S_FAILED;
}

/* Start the next request, keeping memory and configuration. */
static void
resp_next(struct resp_parser *p)
{
	p->rp_state = RESP_S_START;
	p->rp_blocked = 0;
	p->rp_pos = 0;
	p->rp_scan = 0;
	p->rp_mbulk_left = 0;
	p->rp_bulk_len = -1;
	p->rp_argc = 0;
}

void
resp_parser_init(struct resp_parser *p)
{
	memset(p, 0, sizeof(*p));
	p->rp_max_bulk_len = RESP_BULK_MAX_DEFAULT;
	resp_next(p);
}

void
resp_parser_reset(struct resp_parser *p)
{
	p->rp_err[0] = '\0';
	resp_next(p);
}

void
resp_parser_free(struct resp_parser *p)
{
	free(p->rp_off);
	free(p->rp_len);
	free(p->rp_argv);
	free(p->rp_unq);
	p->rp_off = p->rp_len = NULL;
	p->rp_argv = NULL;
	p->rp_unq = NULL;
	p->rp_argcap = p->rp_unqcap = 0;
	resp_next(p);
}

const char *
resp_parser_error(const struct resp_parser *p)
{
	return (p->rp_err);
}

size_t
resp_parser_wanted(const struct resp_parser *p)
{
	if (p->rp_state != RESP_S_BULK)
		return (0);
	return (p->rp_pos + (size_t)p->rp_bulk_len + 2);
}

/*
 * Make room for one more argument: the arrays double, so a command of n
 * arguments costs O(n) copying in all.  0, or -1 when memory ran out.
 */
static int
resp_grow_args(struct resp_parser *p)
{
	size_t		 ncap, *noff, *nlen;
	const char	**nargv;

	if ((size_t)p->rp_argc < p->rp_argcap)
		return (0);
	ncap = p->rp_argcap ? p->rp_argcap * 2 : RESP_ARGS_MIN;
	if ((noff = reallocarray(p->rp_off, ncap, sizeof(*noff))) == NULL)
		return (-1);
	p->rp_off = noff;
	if ((nlen = reallocarray(p->rp_len, ncap, sizeof(*nlen))) == NULL)
		return (-1);
	p->rp_len = nlen;
	nargv = reallocarray(p->rp_argv, ncap, sizeof(*nargv));
	if (nargv == NULL)
		return (-1);
	p->rp_argv = nargv;
	p->rp_argcap = ncap;
	return (0);
}

/*
 * Redis's string2ll(): the whole of s[0..n) must be a decimal long long
 * without '+', leading zeros or surrounding blanks.  1 when it is.
 */
static int
resp_strtoll(const char *s, size_t n, long long *out)
{
	unsigned long long	 v = 0, lim;
	size_t			 i = 0;
	int			 neg = 0, d;

	if (n == 0)
		return (0);
	if (n == 1 && s[0] == '0') {
		*out = 0;
		return (1);
	}
	if (s[0] == '-') {
		neg = 1;
		if (++i == n)
			return (0);
	}
	if (s[i] < '1' || s[i] > '9')
		return (0);
	lim = neg ? (unsigned long long)LLONG_MAX + 1 : LLONG_MAX;
	for (; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return (0);
		d = s[i] - '0';
		if (v > (lim - d) / 10)
			return (0);
		v = v * 10 + d;
	}
	if (neg)
		*out = v == (unsigned long long)LLONG_MAX + 1 ? LLONG_MIN :
		    -(long long)v;
	else
		*out = (long long)v;
	return (1);
}

/*
 * Search buf[rp_scan..len) for `c' the way strchr() on a NUL-terminated
 * buffer would: a NUL ends the search for good (rp_blocked).  Returns the
 * offset of `c', or -1; either way rp_scan keeps the progress, so no byte
 * is examined twice.
 */
static long long
resp_find(struct resp_parser *p, const char *buf, size_t len, char c)
{
	const char	*hit, *nul;
	size_t		 from = p->rp_scan, i, end;

	if (p->rp_blocked || from >= len)
		return (-1);
	/*
	 * Count and length lines are a few bytes long: look at their bytes
	 * one by one before two memchr() calls cost more than they save.
	 */
	end = len - from > RESP_FIND_SHORT ? from + RESP_FIND_SHORT : len;
	for (i = from; i < end; i++) {
		if (buf[i] == c) {
			p->rp_examined += i - from + 1;
			p->rp_scan = i;
			return ((long long)i);
		}
		if (buf[i] == '\0') {
			p->rp_examined += i - from + 1;
			p->rp_scan = i;
			p->rp_blocked = 1;
			return (-1);
		}
	}
	p->rp_examined += end - from;
	p->rp_scan = from = end;
	if (from >= len)
		return (-1);
	hit = memchr(buf + from, c, len - from);
	nul = memchr(buf + from, '\0',
	    (hit != NULL ? (size_t)(hit - buf) : len) - from);
	if (nul != NULL) {
		p->rp_examined += (size_t)(nul - buf) - from + 1;
		p->rp_scan = (size_t)(nul - buf);
		p->rp_blocked = 1;
		return (-1);
	}
	if (hit == NULL) {
		p->rp_examined += len - from;
		p->rp_scan = len;
		return (-1);
	}
	p->rp_examined += (size_t)(hit - buf) - from + 1;
	p->rp_scan = (size_t)(hit - buf);
	return ((long long)p->rp_scan);
}

/*
 * Split an inline line with splitargs_next(), as sdssplitargs() does.  A
 * word without quotes points into the line, a quoted one into rp_unq (the
 * line length is enough, as unquoting only shrinks).  The line holds no
 * NUL: resp_find() stops at one before it reaches a line end.  0, -1 for
 * unbalanced quotes, -2 for ENOMEM.
 */
static int
resp_split_inline(struct resp_parser *p, const char *line, size_t n)
{
	struct splitargs_word	 w;
	size_t			 i = 0, o = 0;
	char			*nunq;
	int			 r;

	p->rp_argc = 0;
	if (n == 0)
		return (0);
	if (n > p->rp_unqcap) {
		if ((nunq = realloc(p->rp_unq, n)) == NULL)
			return (-2);
		p->rp_unq = nunq;
		p->rp_unqcap = n;
	}
	while ((r = splitargs_next(line, n, &i, p->rp_unq + o, &w)) == 1) {
		if (resp_grow_args(p) == -1)
			return (-2);
		if (w.sw_quoted) {
			p->rp_argv[p->rp_argc] = p->rp_unq + o;
			o += w.sw_len;
		} else {
			/* The word is line[sw_start..); its copy is reused. */
			p->rp_argv[p->rp_argc] = line + w.sw_start;
		}
		p->rp_len[p->rp_argc] = w.sw_len;
		p->rp_argc++;
	}
	return (r);
}

/* Fail with "Protocol error: expected '$', got 'c'", as Redis words it. */
static void
resp_expected_dollar(struct resp_parser *p, unsigned char c)
{
	/* Redis turns CR and LF in an error reply into spaces. */
	if (c == '\r' || c == '\n')
		c = ' ';
	snprintf(p->rp_err, sizeof(p->rp_err),
	    "Protocol error: expected '$', got '%c'", c);
	p->rp_state = RESP_S_FAILED;
}

enum resp_status
resp_parse(struct resp_parser *p, const char *buf, size_t len,
    struct resp_command *cmd)
{
	size_t		 base = 0, used, end, i;
	long long	 at, ll;
	int		 r;

	cmd->rc_argc = 0;
	cmd->rc_argv = NULL;
	cmd->rc_argvlen = NULL;
	cmd->rc_consumed = 0;
	if (p->rp_state == RESP_S_FAILED)
		return (RESP_EPROTO);
	if (p->rp_state == RESP_S_NOMEM)
		return (RESP_ENOMEM);
	/* A shorter buffer than last time breaks the caller's contract. */
	if (len < p->rp_pos || len < p->rp_scan)
		abort();

	for (;;) {
		switch (p->rp_state) {
		case RESP_S_FAILED:
			return (RESP_EPROTO);
		case RESP_S_NOMEM:
			return (RESP_ENOMEM);
		case RESP_S_START:
			if (len == 0)
				goto again;
			p->rp_state = buf[0] == '*' ? RESP_S_MBULK :
			    RESP_S_INLINE;
			break;
		case RESP_S_INLINE:
			if ((at = resp_find(p, buf, len, '\n')) == -1) {
				if (len > RESP_INLINE_MAX_SIZE) {
					resp_set_error(p, "Protocol error: "
					    "too big inline request");
					return (RESP_EPROTO);
				}
				goto again;
			}
			end = (size_t)at;
			if (end > 0 && buf[end - 1] == '\r')
				end--;
			r = resp_split_inline(p, buf, end);
			if (r == -1) {
				resp_set_error(p, "Protocol error: "
				    "unbalanced quotes in request");
				return (RESP_EPROTO);
			}
			if (r == -2)
				goto nomem;
			used = (size_t)at + 1;
			if (p->rp_argc == 0)
				goto skip;
			goto command;
		case RESP_S_MBULK:
			if ((at = resp_find(p, buf, len, '\r')) == -1) {
				if (len > RESP_INLINE_MAX_SIZE) {
					resp_set_error(p, "Protocol error: "
					    "too big mbulk count string");
					return (RESP_EPROTO);
				}
				goto again;
			}
			/* The byte after '\r' must be there; it is not read. */
			if ((size_t)at + 2 > len)
				goto again;
			if (!resp_strtoll(buf + 1, (size_t)at - 1, &ll) ||
			    ll > RESP_MBULK_MAX) {
				resp_set_error(p, "Protocol error: "
				    "invalid multibulk length");
				return (RESP_EPROTO);
			}
			if (ll > RESP_UNAUTH_MBULK_MAX &&
			    !p->rp_authenticated) {
				resp_set_error(p, "Protocol error: "
				    "unauthenticated multibulk length");
				return (RESP_EPROTO);
			}
			p->rp_pos = p->rp_scan = (size_t)at + 2;
			if (ll <= 0) {
				used = p->rp_pos;
				goto skip;
			}
			p->rp_mbulk_left = ll;
			p->rp_state = RESP_S_BULKLEN;
			break;
		case RESP_S_BULKLEN:
			if ((at = resp_find(p, buf, len, '\r')) == -1) {
				if (len - p->rp_pos > RESP_INLINE_MAX_SIZE) {
					resp_set_error(p, "Protocol error: "
					    "too big bulk count string");
					return (RESP_EPROTO);
				}
				goto again;
			}
			if ((size_t)at + 2 > len)
				goto again;
			if (buf[p->rp_pos] != '$') {
				resp_expected_dollar(p,
				    (unsigned char)buf[p->rp_pos]);
				return (RESP_EPROTO);
			}
			if (!resp_strtoll(buf + p->rp_pos + 1,
			    (size_t)at - p->rp_pos - 1, &ll) || ll < 0 ||
			    ll > p->rp_max_bulk_len) {
				resp_set_error(p, "Protocol error: "
				    "invalid bulk length");
				return (RESP_EPROTO);
			}
			if (ll > RESP_UNAUTH_BULK_MAX && !p->rp_authenticated) {
				resp_set_error(p, "Protocol error: "
				    "unauthenticated bulk length");
				return (RESP_EPROTO);
			}
			p->rp_pos = (size_t)at + 2;
			p->rp_bulk_len = ll;
			p->rp_state = RESP_S_BULK;
			break;
		case RESP_S_BULK:
			/* The two bytes after the payload are not read. */
			if (len - p->rp_pos < (size_t)p->rp_bulk_len + 2)
				goto again;
			if (resp_grow_args(p) == -1)
				goto nomem;
			p->rp_off[p->rp_argc] = p->rp_pos;
			p->rp_len[p->rp_argc] = (size_t)p->rp_bulk_len;
			p->rp_argc++;
			p->rp_pos += (size_t)p->rp_bulk_len + 2;
			p->rp_bulk_len = -1;
			if (--p->rp_mbulk_left > 0) {
				p->rp_scan = p->rp_pos;
				p->rp_state = RESP_S_BULKLEN;
				break;
			}
			for (i = 0; i < (size_t)p->rp_argc; i++)
				p->rp_argv[i] = buf + p->rp_off[i];
			used = p->rp_pos;
			goto command;
		}
		continue;
skip:
		/* An empty request: drop it and parse what follows. */
		buf += used;
		len -= used;
		base += used;
		resp_next(p);
	}

command:
	cmd->rc_argc = p->rp_argc;
	cmd->rc_argv = p->rp_argv;
	cmd->rc_argvlen = p->rp_len;
	cmd->rc_consumed = base + used;
	resp_next(p);
	return (RESP_COMMAND);
again:
	cmd->rc_consumed = base;
	return (RESP_AGAIN);
nomem:
	strlcpy(p->rp_err, "out of memory", sizeof(p->rp_err));
	p->rp_state = RESP_S_NOMEM;
	return (RESP_ENOMEM);
}
