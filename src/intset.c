/*
 * intset.c: sorted arrays of integers in byte buffers, the "intset"
 * encoding of sets (intset.h).
 *
 * Run by workers, tools and tests.  Pure: no arena, no locks.  The
 * integers sit unaligned in their buffer (an entry's value bytes), so
 * they are read and written through memcpy().
 */
#include <stdint.h>
#include <string.h>

#include "hydra/intset.h"

int
intset_parse(const char *s, size_t len, int64_t *v)
{
	uint64_t	 u = 0, limit;
	size_t		 i = 0;
	int		 neg = 0;

	if (len == 0 || len > INTSET_DIGITS)
		return (-1);
	if (len == 1 && s[0] == '0') {
		*v = 0;
		return (0);
	}
	if (s[0] == '-') {
		neg = 1;
		if (++i == len)
			return (-1);
	}
	if (s[i] < '1' || s[i] > '9')
		return (-1);
	limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return (-1);
		if (u > (limit - (uint64_t)(s[i] - '0')) / 10)
			return (-1);
		u = u * 10 + (uint64_t)(s[i] - '0');
	}
	if (!neg)
		*v = (int64_t)u;
	else
		*v = u == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)u;
	return (0);
}

unsigned
intset_width_of(int64_t v)
{
	if (v >= INT16_MIN && v <= INT16_MAX)
		return (2);
	if (v >= INT32_MIN && v <= INT32_MAX)
		return (4);
	return (8);
}

size_t
intset_size(unsigned width, size_t n)
{
	return (INTSET_HEADER + (size_t)width * n);
}

unsigned
intset_width(const char *v)
{
	return ((unsigned char)v[0]);
}

size_t
intset_count(const char *v, size_t vlen)
{
	return ((vlen - INTSET_HEADER) / intset_width(v));
}

/* Integer i of an array of the given width that starts at p. */
static int64_t
intset_read(const char *p, unsigned width, size_t i)
{
	int16_t	 v16;
	int32_t	 v32;
	int64_t	 v64;

	p += (size_t)width * i;
	switch (width) {
	case 2:
		memcpy(&v16, p, sizeof(v16));
		return (v16);
	case 4:
		memcpy(&v32, p, sizeof(v32));
		return (v32);
	default:
		memcpy(&v64, p, sizeof(v64));
		return (v64);
	}
}

/* Store x as integer i of an array of the given width at p. */
static void
intset_write(char *p, unsigned width, size_t i, int64_t x)
{
	int16_t	 v16 = (int16_t)x;
	int32_t	 v32 = (int32_t)x;

	p += (size_t)width * i;
	switch (width) {
	case 2:
		memcpy(p, &v16, sizeof(v16));
		break;
	case 4:
		memcpy(p, &v32, sizeof(v32));
		break;
	default:
		memcpy(p, &x, sizeof(x));
		break;
	}
}

int64_t
intset_get(const char *v, size_t i)
{
	return (intset_read(v + INTSET_HEADER, intset_width(v), i));
}

int
intset_find(const char *v, size_t vlen, int64_t x, size_t *pos)
{
	size_t		 lo = 0, hi = intset_count(v, vlen), mid;
	unsigned	 w = intset_width(v);
	int64_t		 y;

	/* An integer wider than the array cannot be in it. */
	if (intset_width_of(x) > w) {
		if (pos != NULL)
			*pos = x < 0 ? 0 : hi;
		return (0);
	}
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		y = intset_read(v + INTSET_HEADER, w, mid);
		if (y == x) {
			if (pos != NULL)
				*pos = mid;
			return (1);
		}
		if (y < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (pos != NULL)
		*pos = lo;
	return (0);
}

void
intset_build(char *out, unsigned width, const int64_t *vals, size_t n)
{
	size_t	 i;

	out[0] = (char)width;
	for (i = 0; i < n; i++)
		intset_write(out + INTSET_HEADER, width, i, vals[i]);
}

int
intset_valid(const char *v, size_t vlen)
{
	unsigned	 w;
	size_t		 n, i;
	int64_t		 x, prev = 0;

	if (vlen < INTSET_HEADER)
		return (0);
	w = intset_width(v);
	if ((w != 2 && w != 4 && w != 8) || (vlen - INTSET_HEADER) % w != 0)
		return (0);
	if ((n = intset_count(v, vlen)) == 0)
		return (0);
	for (i = 0; i < n; i++) {
		x = intset_get(v, i);
		if (i > 0 && x <= prev)
			return (0);
		prev = x;
	}
	return (1);
}
