/*
 * rdb_pack.c: Redis's packed containers inside RDB strings: the listpack
 * writer, the intset writer, and the decoders of listpack, ziplist,
 * intset and zipmap (rdb_pack.h).
 *
 * Run by any process; pure functions on private memory, no locks.  A
 * decoder trusts no byte: every length is checked against the end before
 * it is used, so a damaged container is an error, never a read out of
 * bounds.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hydra/rdb_pack.h"

#include "command_internal.h"

/* Listpack encodings, by the high bits of the first byte. */
#define LP_7BIT_UINT		0x00	/* 0xxxxxxx */
#define LP_6BIT_STR		0x80	/* 10xxxxxx */
#define LP_13BIT_INT		0xc0	/* 110xxxxx */
#define LP_12BIT_STR		0xe0	/* 1110xxxx */
#define LP_32BIT_STR		0xf0
#define LP_16BIT_INT		0xf1
#define LP_24BIT_INT		0xf2
#define LP_32BIT_INT		0xf3
#define LP_64BIT_INT		0xf4
#define LP_EOF			0xff

/* Ziplist encodings. */
#define ZL_HEADER		10
#define ZL_BIGPREV		254
#define ZL_STR_06B		0x00
#define ZL_STR_14B		0x40
#define ZL_STR_32B		0x80
#define ZL_INT16		0xc0
#define ZL_INT32		0xd0
#define ZL_INT64		0xe0
#define ZL_INT24		0xf0
#define ZL_INT8			0xfe
#define ZL_IMM_MIN		0xf1
#define ZL_IMM_MAX		0xfd
#define ZL_END			0xff

/* Scores below this in magnitude that are whole are spelt as integers. */
#define RDB_SCORE_EXACT		4503599627370496.0	/* 2^52 */

#define ZM_BIGLEN		254
#define ZM_END			255

static int
rdb_pack_bad(void)
{
	errno = EINVAL;
	return (-1);
}

static uint64_t
rdb_pack_le(const unsigned char *p, int n)
{
	uint64_t	 v = 0;
	int		 i;

	for (i = n - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return (v);
}

/* Sign-extend the low `bits' bits of v. */
static int64_t
rdb_pack_signed(uint64_t v, int bits)
{
	uint64_t	 sign = (uint64_t)1 << (bits - 1);

	if (bits == 64)
		return ((int64_t)v);
	v &= (sign << 1) - 1;
	return ((int64_t)(v ^ sign) - (int64_t)sign);
}

/* Listpack writer. */

void
rdb_lp_init(struct rdb_lp *lp)
{
	rdb_out_init(&lp->lp_out);
	rdb_lp_reset(lp);
}

void
rdb_lp_free(struct rdb_lp *lp)
{
	rdb_out_free(&lp->lp_out);
}

void
rdb_lp_reset(struct rdb_lp *lp)
{
	static const unsigned char	 header[RDB_LP_HEADER];

	lp->lp_out.ro_len = 0;
	lp->lp_count = 0;
	rdb_put_raw(&lp->lp_out, header, sizeof(header));
}

size_t
rdb_lp_bytes(const struct rdb_lp *lp)
{
	return (lp->lp_out.ro_len + 1);
}

/*
 * The bytes of the back-length of an element of n bytes, 7 bits per
 * byte, at the thresholds Redis uses (which leave a spare value at the
 * top of each size but the first).
 */
static int
rdb_lp_backlen_size(uint64_t n)
{
	if (n <= 127)
		return (1);
	if (n < 16383)
		return (2);
	if (n < 2097151)
		return (3);
	if (n < 268435455)
		return (4);
	return (5);
}

static void
rdb_lp_put_backlen(struct rdb_out *o, uint64_t n)
{
	unsigned char	 b[5];
	int		 k = rdb_lp_backlen_size(n), i;

	/* The last byte holds the low bits; every byte but the first is
	   marked as having more before it. */
	for (i = 0; i < k; i++)
		b[k - 1 - i] = (unsigned char)(((n >> (7 * i)) & 0x7f) |
		    (i + 1 < k ? 0x80 : 0));
	rdb_put_raw(o, b, (size_t)k);
}

void
rdb_lp_append(struct rdb_lp *lp, const char *s, size_t len)
{
	struct rdb_out	*o = &lp->lp_out;
	size_t		 start = o->ro_len;
	long long	 v;
	uint64_t	 u;

	/* Redis's string2ll(), as command_parse_ll() reads it. */
	if (command_parse_ll(s, len, &v) == 0) {
		u = (uint64_t)v;
		if (v >= 0 && v <= 127)
			rdb_put_byte(o, (unsigned)v);
		else if (v >= -4096 && v <= 4095) {
			rdb_put_byte(o, LP_13BIT_INT | (unsigned)((u >> 8) &
			    0x1f));
			rdb_put_byte(o, (unsigned)(u & 0xff));
		} else if (v >= INT16_MIN && v <= INT16_MAX) {
			rdb_put_byte(o, LP_16BIT_INT);
			rdb_put_le(o, u, 2);
		} else if (v >= -8388608 && v <= 8388607) {
			rdb_put_byte(o, LP_24BIT_INT);
			rdb_put_le(o, u, 3);
		} else if (v >= INT32_MIN && v <= INT32_MAX) {
			rdb_put_byte(o, LP_32BIT_INT);
			rdb_put_le(o, u, 4);
		} else {
			rdb_put_byte(o, LP_64BIT_INT);
			rdb_put_le(o, u, 8);
		}
	} else {
		if (len < 64)
			rdb_put_byte(o, LP_6BIT_STR | (unsigned)len);
		else if (len < 4096) {
			rdb_put_byte(o, LP_12BIT_STR | (unsigned)(len >> 8));
			rdb_put_byte(o, (unsigned)(len & 0xff));
		} else {
			rdb_put_byte(o, LP_32BIT_STR);
			rdb_put_le(o, len, 4);
		}
		rdb_put_raw(o, s, len);
	}
	if (o->ro_failed)
		return;
	rdb_lp_put_backlen(o, o->ro_len - start);
	lp->lp_count++;
}

void
rdb_lp_append_score(struct rdb_lp *lp, double d)
{
	char	 buf[64];
	int	 n;

	if (isnan(d))
		n = snprintf(buf, sizeof(buf), "nan");
	else if (isinf(d))
		n = snprintf(buf, sizeof(buf), "%s", d > 0 ? "inf" : "-inf");
	else if (d == 0)
		n = snprintf(buf, sizeof(buf), "%s", signbit(d) ? "-0" : "0");
	else if (d > -RDB_SCORE_EXACT && d < RDB_SCORE_EXACT &&
	    d == (double)(long long)d)
		n = snprintf(buf, sizeof(buf), "%lld", (long long)d);
	else
		n = snprintf(buf, sizeof(buf), "%.17g", d);
	rdb_lp_append(lp, buf, (size_t)n);
}

const unsigned char *
rdb_lp_finish(struct rdb_lp *lp, size_t *len)
{
	struct rdb_out	*o = &lp->lp_out;
	uint64_t	 count;

	rdb_put_byte(o, LP_EOF);
	if (o->ro_failed || o->ro_len > UINT32_MAX)
		return (NULL);
	count = lp->lp_count < RDB_LP_COUNT_UNKNOWN ? lp->lp_count :
	    RDB_LP_COUNT_UNKNOWN;
	o->ro_buf[0] = (unsigned char)o->ro_len;
	o->ro_buf[1] = (unsigned char)(o->ro_len >> 8);
	o->ro_buf[2] = (unsigned char)(o->ro_len >> 16);
	o->ro_buf[3] = (unsigned char)(o->ro_len >> 24);
	o->ro_buf[4] = (unsigned char)count;
	o->ro_buf[5] = (unsigned char)(count >> 8);
	*len = o->ro_len;
	return (o->ro_buf);
}

void
rdb_lp_put(struct rdb_out *o, struct rdb_lp *lp)
{
	const unsigned char	*b;
	size_t			 n;

	if ((b = rdb_lp_finish(lp, &n)) == NULL)
		o->ro_failed = 1;
	else
		rdb_put_string(o, b, n);
	rdb_lp_free(lp);
}

void
rdb_intset_put(struct rdb_out *o, unsigned width, const int64_t *vals,
    size_t n)
{
	size_t	 i;

	if (width == 0)
		width = 2;
	for (i = 0; i < n; i++) {
		if (vals[i] < INT32_MIN || vals[i] > INT32_MAX)
			width = 8;
		else if (width < 4 && (vals[i] < INT16_MIN ||
		    vals[i] > INT16_MAX))
			width = 4;
	}
	rdb_put_le(o, (uint64_t)width, 4);
	rdb_put_le(o, n, 4);
	for (i = 0; i < n; i++)
		rdb_put_le(o, (uint64_t)vals[i], (int)width);
}

/* Listpack decoder. */

/*
 * The element at p (before end): *size its encoding and data, *s and
 * *slen its string, or *isint and *v its integer.  0, or -1.
 */
static int
rdb_lp_entry(const unsigned char *p, const unsigned char *end, size_t *size,
    const char **s, size_t *slen, int *isint, int64_t *v)
{
	size_t	 avail = (size_t)(end - p), hdr, len;
	int	 bytes;

	*isint = 1;
	if ((p[0] & 0x80) == LP_7BIT_UINT) {
		*v = p[0];
		*size = 1;
		return (0);
	}
	if ((p[0] & 0xc0) == LP_6BIT_STR) {
		hdr = 1;
		len = p[0] & 0x3f;
		goto string;
	}
	if ((p[0] & 0xe0) == LP_13BIT_INT) {
		if (avail < 2)
			return (-1);
		*v = rdb_pack_signed((uint64_t)(p[0] & 0x1f) << 8 | p[1], 13);
		*size = 2;
		return (0);
	}
	if ((p[0] & 0xf0) == LP_12BIT_STR) {
		if (avail < 2)
			return (-1);
		hdr = 2;
		len = (size_t)(p[0] & 0x0f) << 8 | p[1];
		goto string;
	}
	switch (p[0]) {
	case LP_32BIT_STR:
		if (avail < 5)
			return (-1);
		hdr = 5;
		len = (size_t)rdb_pack_le(p + 1, 4);
		goto string;
	case LP_16BIT_INT:
		bytes = 2;
		break;
	case LP_24BIT_INT:
		bytes = 3;
		break;
	case LP_32BIT_INT:
		bytes = 4;
		break;
	case LP_64BIT_INT:
		bytes = 8;
		break;
	default:
		return (-1);
	}
	if (avail < (size_t)bytes + 1)
		return (-1);
	*v = rdb_pack_signed(rdb_pack_le(p + 1, bytes), 8 * bytes);
	*size = (size_t)bytes + 1;
	return (0);
string:
	if (len > avail - hdr)
		return (-1);
	*isint = 0;
	*s = (const char *)p + hdr;
	*slen = len;
	*size = hdr + len;
	return (0);
}

/* Add a container's element: its bytes, or its integer spelt out. */
static int
rdb_pack_add(struct rdb_value *v, int isint, int64_t n, const char *s,
    size_t len)
{
	if (isint)
		return (rdb_value_add_ll(v, n));
	return (rdb_value_add(v, s, len));
}

int
rdb_listpack_decode(const unsigned char *lp, size_t bytes,
    struct rdb_value *v)
{
	const unsigned char	*p, *end, *q;
	const char		*s = NULL;
	size_t			 size, slen = 0, back, count = 0, want;
	int64_t			 n = 0;
	int			 isint, k, i;

	if (bytes < RDB_LP_HEADER + 1 || rdb_pack_le(lp, 4) != bytes ||
	    lp[bytes - 1] != LP_EOF)
		return (rdb_pack_bad());
	want = (size_t)rdb_pack_le(lp + 4, 2);
	end = lp + bytes - 1;
	for (p = lp + RDB_LP_HEADER; p < end; p = q + k) {
		if (rdb_lp_entry(p, end, &size, &s, &slen, &isint, &n) == -1)
			return (rdb_pack_bad());
		k = rdb_lp_backlen_size(size);
		q = p + size;
		if ((size_t)(end - q) < (size_t)k)
			return (rdb_pack_bad());
		for (i = 0, back = 0; i < k; i++)
			back |= (size_t)(q[k - 1 - i] & 0x7f) << (7 * i);
		if (back != size || (q[0] & 0x80) != 0)
			return (rdb_pack_bad());
		for (i = 1; i < k; i++)
			if (!(q[i] & 0x80))
				return (rdb_pack_bad());
		if (rdb_pack_add(v, isint, n, s, slen) == -1)
			return (-1);
		count++;
	}
	if (want != RDB_LP_COUNT_UNKNOWN && want != count)
		return (rdb_pack_bad());
	return (0);
}

/* Ziplist decoder. */

int
rdb_ziplist_decode(const unsigned char *zl, size_t bytes,
    struct rdb_value *v)
{
	const unsigned char	*p, *end, *last = NULL;
	const char		*s = NULL;
	size_t			 prev = 0, plen, hdr, len, count = 0, want;
	uint64_t		 tail;
	int64_t			 n = 0;
	int			 isint;

	if (bytes < ZL_HEADER + 1 || rdb_pack_le(zl, 4) != bytes ||
	    zl[bytes - 1] != ZL_END)
		return (rdb_pack_bad());
	tail = rdb_pack_le(zl + 4, 4);
	want = (size_t)rdb_pack_le(zl + 8, 2);
	end = zl + bytes - 1;
	for (p = zl + ZL_HEADER; p < end; p += hdr + len) {
		last = p;
		/* The previous element's length, in 1 or 5 bytes. */
		if (p[0] < ZL_BIGPREV) {
			plen = p[0];
			hdr = 1;
		} else if (p[0] == ZL_BIGPREV && end - p >= 5) {
			plen = (size_t)rdb_pack_le(p + 1, 4);
			hdr = 5;
		} else
			return (rdb_pack_bad());
		if (plen != prev || hdr >= (size_t)(end - p))
			return (rdb_pack_bad());
		isint = 1;
		switch (p[hdr] & 0xc0) {
		case ZL_STR_06B:
			len = p[hdr] & 0x3f;
			hdr += 1;
			isint = 0;
			break;
		case ZL_STR_14B:
			if ((size_t)(end - p) < hdr + 2)
				return (rdb_pack_bad());
			len = (size_t)(p[hdr] & 0x3f) << 8 | p[hdr + 1];
			hdr += 2;
			isint = 0;
			break;
		case ZL_STR_32B:
			if ((size_t)(end - p) < hdr + 5)
				return (rdb_pack_bad());
			len = (size_t)p[hdr + 1] << 24 |
			    (size_t)p[hdr + 2] << 16 |
			    (size_t)p[hdr + 3] << 8 | p[hdr + 4];
			hdr += 5;
			isint = 0;
			break;
		default:
			switch (p[hdr]) {
			case ZL_INT8:
				len = 1;
				break;
			case ZL_INT16:
				len = 2;
				break;
			case ZL_INT24:
				len = 3;
				break;
			case ZL_INT32:
				len = 4;
				break;
			case ZL_INT64:
				len = 8;
				break;
			default:
				if (p[hdr] < ZL_IMM_MIN || p[hdr] > ZL_IMM_MAX)
					return (rdb_pack_bad());
				len = 0;
				n = (p[hdr] & 0x0f) - 1;
				break;
			}
			hdr += 1;
			break;
		}
		if (len > (size_t)(end - p) - hdr)
			return (rdb_pack_bad());
		if (isint && len > 0)
			n = rdb_pack_signed(rdb_pack_le(p + hdr, (int)len),
			    8 * (int)len);
		s = (const char *)p + hdr;
		if (rdb_pack_add(v, isint, n, s, len) == -1)
			return (-1);
		prev = hdr + len;
		count++;
	}
	if (tail != (uint64_t)((last != NULL ? last : zl + ZL_HEADER) - zl))
		return (rdb_pack_bad());
	if (want != 65535 && want != count)
		return (rdb_pack_bad());
	return (0);
}

/* Intset decoder: the integers must rise strictly. */
int
rdb_intset_decode(const unsigned char *is, size_t bytes,
    struct rdb_value *v)
{
	uint64_t	 width, count, i;
	int64_t		 n, prev = 0;

	if (bytes < 8)
		return (rdb_pack_bad());
	width = rdb_pack_le(is, 4);
	count = rdb_pack_le(is + 4, 4);
	if ((width != 2 && width != 4 && width != 8) ||
	    count != (bytes - 8) / width || (bytes - 8) % width != 0)
		return (rdb_pack_bad());
	for (i = 0; i < count; i++) {
		n = rdb_pack_signed(rdb_pack_le(is + 8 + i * width,
		    (int)width), 8 * (int)width);
		if (i > 0 && n <= prev)
			return (rdb_pack_bad());
		prev = n;
		if (rdb_value_add_ll(v, n) == -1)
			return (-1);
	}
	v->rv_intset_width = (unsigned)width;
	return (0);
}

/* A zipmap length: 1 byte, or ZM_BIGLEN and 4 little-endian ones. */
static int
rdb_zipmap_len(const unsigned char **pp, const unsigned char *end,
    size_t *len)
{
	const unsigned char	*p = *pp;

	if (p >= end || p[0] == ZM_END)
		return (-1);
	if (p[0] < ZM_BIGLEN) {
		*len = p[0];
		*pp = p + 1;
		return (0);
	}
	if (end - p < 5)
		return (-1);
	*len = (size_t)rdb_pack_le(p + 1, 4);
	*pp = p + 5;
	return (0);
}

int
rdb_zipmap_decode(const unsigned char *zm, size_t bytes,
    struct rdb_value *v)
{
	const unsigned char	*p, *end;
	size_t			 len, count = 0, want;

	if (bytes < 2 || zm[bytes - 1] != ZM_END)
		return (rdb_pack_bad());
	want = zm[0];
	end = zm + bytes - 1;
	for (p = zm + 1; p < end;) {
		/* The key. */
		if (rdb_zipmap_len(&p, end, &len) == -1 ||
		    len > (size_t)(end - p))
			return (rdb_pack_bad());
		if (rdb_value_add(v, (const char *)p, len) == -1)
			return (-1);
		p += len;
		/* The value, a byte of slack count, and the slack. */
		if (rdb_zipmap_len(&p, end, &len) == -1 || p >= end ||
		    len > (size_t)(end - p) - 1 ||
		    p[0] > (size_t)(end - p) - 1 - len)
			return (rdb_pack_bad());
		if (rdb_value_add(v, (const char *)p + 1, len) == -1)
			return (-1);
		p += 1 + len + p[0];
		count++;
	}
	if (want < ZM_BIGLEN && want != count)
		return (rdb_pack_bad());
	return (0);
}
