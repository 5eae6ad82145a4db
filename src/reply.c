/*
 * reply.c: the encoder of replies into a client's output buffer.
 *
 * Run by workers, one buffer per client.  Takes no locks and does no I/O:
 * it writes only the buffer's own private memory.
 *
 * The bytes are Redis 7.0's, because redis-server is the oracle hydra is
 * compared with:
 *
 * - Doubles are printed with "%.17g", so 1.0 is "1" and 1e300 is
 *   "1.0000000000000001e+300".  Infinities are spelled out by hand, as
 *   Redis does; so are NaNs, which Redis leaves to glibc's printf(), so
 *   that a NaN with its sign bit set is "-nan" on every libc.
 * - RESP2 has no maps, sets, pushes, booleans, doubles, verbatim strings
 *   or big numbers: they become arrays, integers and bulks as Redis
 *   downgrades them.
 * - Error texts are cleaned as Redis's formatted errors are: CRs and LFs
 *   at the ends dropped, those inside turned into spaces, "-ERR " put in
 *   front unless the text starts with '-'.  Status texts get the same
 *   treatment inside only, and no prefix.
 *
 * Bytes live in one block, rb_data[rb_start..rb_end).  The writer drops
 * bytes from the front by moving rb_start; the space is taken back when
 * the block would otherwise have to grow.  A deferred header takes no
 * room until it is set: its offset is remembered, and setting it moves the
 * bytes after it up by the header's size.  That costs one memmove() of
 * the reply that followed it, and keeps the bytes identical to Redis's,
 * which never pads a header.  Pending offsets are kept in the order they
 * were reserved, which is also their order in the buffer.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hydra/reply.h"

#define REPLY_SET	SIZE_MAX	/* rb_defer[] mark of a set header */
#define REPLY_HDR_MAX	32		/* prefix, sign, 19 digits, CRLF */
#define REPLY_NUM_MAX	64		/* "%.17g" of any double */

static int
reply_fail(struct reply_buf *b, int error)
{
	b->rb_errno = error;
	errno = error;
	return -1;
}

/* Move the unconsumed bytes to the front of the block. */
static void
reply_compact(struct reply_buf *b)
{
	size_t	 i, used = b->rb_end - b->rb_start;

	if (b->rb_start == 0)
		return;
	if (used > 0)
		memmove(b->rb_data, b->rb_data + b->rb_start, used);
	for (i = 0; i < b->rb_ndefer; i++)
		if (b->rb_defer[i] != REPLY_SET)
			b->rb_defer[i] -= b->rb_start;
	b->rb_start = 0;
	b->rb_end = used;
}

/*
 * Make room for need more bytes at rb_end, or fail the buffer.  The block
 * doubles from REPLY_BUF_CHUNK, but never past rb_max.
 */
static int
reply_reserve(struct reply_buf *b, size_t need)
{
	size_t	 used, size;
	char	*p;

	if (b->rb_errno != 0) {
		errno = b->rb_errno;
		return -1;
	}
	used = b->rb_end - b->rb_start;
	if (need > b->rb_max || used > b->rb_max - need)
		return reply_fail(b, ENOBUFS);
	if (b->rb_size - b->rb_end >= need)
		return 0;
	reply_compact(b);
	if (b->rb_size - b->rb_end >= need)
		return 0;

	size = b->rb_size > 0 ? b->rb_size : REPLY_BUF_CHUNK;
	while (size - used < need && size <= SIZE_MAX / 2)
		size *= 2;
	if (size > b->rb_max)
		size = b->rb_max;
	if (size - used < need)
		size = used + need;
	if ((p = realloc(b->rb_data, size)) == NULL)
		return reply_fail(b, ENOMEM);
	b->rb_data = p;
	b->rb_size = size;
	return 0;
}

/* Append bytes the caller has reserved room for. */
static void
reply_put(struct reply_buf *b, const void *p, size_t len)
{
	if (len > 0)
		memcpy(b->rb_data + b->rb_end, p, len);
	b->rb_end += len;
}

/* The same, with each CR and LF turned into a space. */
static void
reply_put_clean(struct reply_buf *b, const char *s, size_t len)
{
	char	*d = b->rb_data + b->rb_end;
	size_t	 i;

	for (i = 0; i < len; i++)
		d[i] = (s[i] == '\r' || s[i] == '\n') ? ' ' : s[i];
	b->rb_end += len;
}

size_t
reply_fmt_ll(char *buf, long long v)
{
	char			 tmp[20];
	unsigned long long	 u;
	size_t			 n = 0, len = 0;

	u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	do {
		tmp[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	if (v < 0)
		buf[len++] = '-';
	while (n > 0)
		buf[len++] = tmp[--n];
	return len;
}

/* Write "<prefix>n\r\n" to buf, which has REPLY_HDR_MAX bytes. */
static size_t
reply_fmt_header(char *buf, char prefix, long long n)
{
	size_t	 len;

	buf[0] = prefix;
	len = 1 + reply_fmt_ll(buf + 1, n);
	buf[len++] = '\r';
	buf[len++] = '\n';
	return len;
}

static int
reply_header(struct reply_buf *b, char prefix, long long n)
{
	char	 hdr[REPLY_HDR_MAX];

	return reply_raw(b, hdr, reply_fmt_header(hdr, prefix, n));
}

void
reply_buf_init(struct reply_buf *b, int proto)
{
	memset(b, 0, sizeof(*b));
	b->rb_proto = proto;
	b->rb_max = REPLY_BUF_MAX_DEFAULT;
}

void
reply_buf_free(struct reply_buf *b)
{
	free(b->rb_data);
	free(b->rb_defer);
	b->rb_data = NULL;
	b->rb_defer = NULL;
	b->rb_size = b->rb_defersize = 0;
	reply_buf_reset(b);
}

void
reply_buf_reset(struct reply_buf *b)
{
	b->rb_start = b->rb_end = 0;
	b->rb_ndefer = 0;
	b->rb_errno = 0;
}

size_t
reply_buf_len(const struct reply_buf *b)
{
	return b->rb_end - b->rb_start;
}

int
reply_buf_error(const struct reply_buf *b)
{
	return b->rb_errno;
}

const char *
reply_buf_data(const struct reply_buf *b, size_t *lenp)
{
	size_t	 i, limit = b->rb_end;

	for (i = 0; i < b->rb_ndefer; i++)
		if (b->rb_defer[i] != REPLY_SET) {
			limit = b->rb_defer[i];
			break;
		}
	*lenp = limit - b->rb_start;
	if (b->rb_data == NULL)
		return "";
	return b->rb_data + b->rb_start;
}

void
reply_buf_consume(struct reply_buf *b, size_t n)
{
	b->rb_start += n;
	if (b->rb_start != b->rb_end)
		return;
	reply_compact(b);
	if (b->rb_ndefer == 0 && b->rb_size > REPLY_BUF_KEEP) {
		free(b->rb_data);
		b->rb_data = NULL;
		b->rb_size = 0;
	}
}

int
reply_raw(struct reply_buf *b, const void *p, size_t len)
{
	if (reply_reserve(b, len) == -1)
		return -1;
	reply_put(b, p, len);
	return 0;
}

int
reply_status(struct reply_buf *b, const char *s)
{
	return reply_status_len(b, s, strlen(s));
}

int
reply_status_len(struct reply_buf *b, const char *s, size_t len)
{
	if (len > SIZE_MAX - 3)
		return reply_fail(b, ENOBUFS);
	if (reply_reserve(b, 1 + len + 2) == -1)
		return -1;
	reply_put(b, "+", 1);
	reply_put_clean(b, s, len);
	reply_put(b, "\r\n", 2);
	return 0;
}

/*
 * Hand the error's code to the hook: "ERR" when the caller gave none, else
 * the text between the '-' and a blank within the first 32 bytes, or
 * "ERR" again when there is no such blank (Redis's rule).
 */
static void
reply_error_seen(struct reply_buf *b, const char *s, size_t len, int own)
{
	const char	*sp;

	if (!own || (sp = memchr(s, ' ', len < 32 ? len : 32)) == NULL)
		b->rb_on_error(b->rb_on_error_arg, "ERR", 3);
	else
		b->rb_on_error(b->rb_on_error_arg, s + 1, (size_t)(sp - s) - 1);
}

int
reply_error(struct reply_buf *b, const char *s)
{
	return reply_error_len(b, s, strlen(s));
}

int
reply_error_len(struct reply_buf *b, const char *s, size_t len)
{
	size_t	 plen;

	while (len > 0 && (s[0] == '\r' || s[0] == '\n')) {
		s++;
		len--;
	}
	while (len > 0 && (s[len - 1] == '\r' || s[len - 1] == '\n'))
		len--;
	plen = (len == 0 || s[0] != '-') ? 5 : 0;
	if (len > SIZE_MAX - plen - 2)
		return reply_fail(b, ENOBUFS);
	if (reply_reserve(b, plen + len + 2) == -1)
		return -1;
	reply_put(b, "-ERR ", plen);
	reply_put_clean(b, s, len);
	reply_put(b, "\r\n", 2);
	b->rb_nerrors++;
	if (b->rb_on_error != NULL)
		reply_error_seen(b, s, len, plen == 0);
	return 0;
}

int
reply_errorf(struct reply_buf *b, const char *fmt, ...)
{
	char	 small[256], *s = small;
	va_list	 ap;
	int	 n, rv;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return reply_fail(b, EINVAL);
	if ((size_t)n >= sizeof(small)) {
		if ((s = malloc((size_t)n + 1)) == NULL)
			return reply_fail(b, ENOMEM);
		va_start(ap, fmt);
		vsnprintf(s, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	rv = reply_error_len(b, s, (size_t)n);
	if (s != small)
		free(s);
	return rv;
}

int
reply_int(struct reply_buf *b, long long v)
{
	return reply_header(b, ':', v);
}

int
reply_bulk(struct reply_buf *b, const void *p, size_t len)
{
	char	 hdr[REPLY_HDR_MAX];
	size_t	 hlen;

	if (len > (size_t)LLONG_MAX || len > SIZE_MAX - REPLY_HDR_MAX - 2)
		return reply_fail(b, ENOBUFS);
	hlen = reply_fmt_header(hdr, '$', (long long)len);
	if (reply_reserve(b, hlen + len + 2) == -1)
		return -1;
	reply_put(b, hdr, hlen);
	reply_put(b, p, len);
	reply_put(b, "\r\n", 2);
	return 0;
}

int
reply_bulk_cstr(struct reply_buf *b, const char *s)
{
	if (s == NULL)
		return reply_null(b);
	return reply_bulk(b, s, strlen(s));
}

int
reply_bulk_ll(struct reply_buf *b, long long v)
{
	char	 num[REPLY_HDR_MAX];

	return reply_bulk(b, num, reply_fmt_ll(num, v));
}

int
reply_null(struct reply_buf *b)
{
	if (b->rb_proto == REPLY_RESP2)
		return reply_raw(b, "$-1\r\n", 5);
	return reply_raw(b, "_\r\n", 3);
}

int
reply_null_array(struct reply_buf *b)
{
	if (b->rb_proto == REPLY_RESP2)
		return reply_raw(b, "*-1\r\n", 5);
	return reply_raw(b, "_\r\n", 3);
}

int
reply_array_len(struct reply_buf *b, long n)
{
	return reply_header(b, '*', n);
}

int
reply_map_len(struct reply_buf *b, long n)
{
	if (b->rb_proto == REPLY_RESP2)
		return reply_header(b, '*', 2LL * n);
	return reply_header(b, '%', n);
}

int
reply_set_len(struct reply_buf *b, long n)
{
	return reply_header(b, b->rb_proto == REPLY_RESP2 ? '*' : '~', n);
}

int
reply_push_len(struct reply_buf *b, long n)
{
	return reply_header(b, b->rb_proto == REPLY_RESP2 ? '*' : '>', n);
}

int
reply_double(struct reply_buf *b, double d)
{
	char	 num[REPLY_NUM_MAX + 3];
	int	 n;

	num[0] = ',';
	if (isinf(d))
		n = snprintf(num + 1, REPLY_NUM_MAX, "%s", d > 0 ? "inf" :
		    "-inf");
	else if (isnan(d))
		n = snprintf(num + 1, REPLY_NUM_MAX, "%s", signbit(d) ?
		    "-nan" : "nan");
	else
		n = snprintf(num + 1, REPLY_NUM_MAX, "%.17g", d);
	if (n < 0 || n >= REPLY_NUM_MAX)
		return reply_fail(b, EINVAL);
	if (b->rb_proto == REPLY_RESP2)
		return reply_bulk(b, num + 1, (size_t)n);
	num[n + 1] = '\r';
	num[n + 2] = '\n';
	return reply_raw(b, num, (size_t)n + 3);
}

int
reply_bool(struct reply_buf *b, int v)
{
	if (b->rb_proto == REPLY_RESP2)
		return reply_raw(b, v ? ":1\r\n" : ":0\r\n", 4);
	return reply_raw(b, v ? "#t\r\n" : "#f\r\n", 4);
}

int
reply_verbatim(struct reply_buf *b, const char *s, size_t len,
    const char *ext)
{
	char	 hdr[REPLY_HDR_MAX];
	size_t	 hlen;

	if (b->rb_proto == REPLY_RESP2)
		return reply_bulk(b, s, len);
	if (len > (size_t)LLONG_MAX - 4 || len > SIZE_MAX - REPLY_HDR_MAX - 6)
		return reply_fail(b, ENOBUFS);
	hlen = reply_fmt_header(hdr, '=', (long long)len + 4);
	if (reply_reserve(b, hlen + 4 + len + 2) == -1)
		return -1;
	reply_put(b, hdr, hlen);
	reply_put(b, ext, 3);
	reply_put(b, ":", 1);
	reply_put(b, s, len);
	reply_put(b, "\r\n", 2);
	return 0;
}

int
reply_bignum(struct reply_buf *b, const char *s, size_t len)
{
	if (b->rb_proto == REPLY_RESP2)
		return reply_bulk(b, s, len);
	if (len > SIZE_MAX - 3)
		return reply_fail(b, ENOBUFS);
	if (reply_reserve(b, 1 + len + 2) == -1)
		return -1;
	reply_put(b, "(", 1);
	reply_put(b, s, len);
	reply_put(b, "\r\n", 2);
	return 0;
}

long
reply_deferred_len(struct reply_buf *b)
{
	size_t	*p, size;

	if (b->rb_errno != 0) {
		errno = b->rb_errno;
		return -1;
	}
	if (b->rb_ndefer == b->rb_defersize) {
		size = b->rb_defersize > 0 ? b->rb_defersize * 2 : 8;
		if (size > SIZE_MAX / sizeof(*p) || (p = realloc(b->rb_defer,
		    size * sizeof(*p))) == NULL)
			return reply_fail(b, ENOMEM);
		b->rb_defer = p;
		b->rb_defersize = size;
	}
	b->rb_defer[b->rb_ndefer] = b->rb_end;
	return (long)b->rb_ndefer++;
}

/*
 * Insert the header of handle h where it was reserved.  Pending headers
 * after it move up; so does one reserved later at the same offset, which
 * belongs inside the aggregate being set.
 */
static int
reply_set_deferred(struct reply_buf *b, long h, char prefix, long long n)
{
	char	 hdr[REPLY_HDR_MAX];
	size_t	 i, off, hlen;

	if (b->rb_errno == 0 && (h < 0 || (size_t)h >= b->rb_ndefer ||
	    b->rb_defer[h] == REPLY_SET))
		return reply_fail(b, EINVAL);
	hlen = reply_fmt_header(hdr, prefix, n);
	if (reply_reserve(b, hlen) == -1)
		return -1;
	off = b->rb_defer[h];
	memmove(b->rb_data + off + hlen, b->rb_data + off, b->rb_end - off);
	memcpy(b->rb_data + off, hdr, hlen);
	b->rb_end += hlen;
	b->rb_defer[h] = REPLY_SET;
	for (i = (size_t)h + 1; i < b->rb_ndefer; i++)
		if (b->rb_defer[i] != REPLY_SET)
			b->rb_defer[i] += hlen;
	while (b->rb_ndefer > 0 && b->rb_defer[b->rb_ndefer - 1] == REPLY_SET)
		b->rb_ndefer--;
	return 0;
}

int
reply_set_deferred_array(struct reply_buf *b, long h, long n)
{
	return reply_set_deferred(b, h, '*', n);
}

int
reply_set_deferred_map(struct reply_buf *b, long h, long n)
{
	if (b->rb_proto == REPLY_RESP2)
		return reply_set_deferred(b, h, '*', 2LL * n);
	return reply_set_deferred(b, h, '%', n);
}

int
reply_set_deferred_set(struct reply_buf *b, long h, long n)
{
	return reply_set_deferred(b, h, b->rb_proto == REPLY_RESP2 ? '*' :
	    '~', n);
}
