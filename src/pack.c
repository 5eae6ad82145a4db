/*
 * pack.c: the packed encoding of byte strings back to back (pack.h).
 *
 * Run by any process; pure functions on memory, no locks.  Readers never
 * trust a length: each one is checked against the end of the sequence, so
 * the checker can walk damaged bytes.
 */
#include <string.h>

#include "hydra/pack.h"

static size_t
pack_len_size(size_t len)
{
	size_t	 n = 1;

	while (len >= 0x80) {
		len >>= 7;
		n++;
	}
	return (n);
}

size_t
pack_elem_size(size_t len)
{
	return (2 * pack_len_size(len) + len);
}

char *
pack_put(char *p, const void *s, size_t len)
{
	size_t		 n = pack_len_size(len), i;
	unsigned char	*q = (unsigned char *)p;

	for (i = 0; i < n; i++)
		q[i] = (unsigned char)(((len >> (7 * i)) & 0x7f) |
		    (i + 1 < n ? 0x80 : 0));
	memmove(q + n, s, len);
	/* The trailing copy: the same bytes, last one first. */
	for (i = 0; i < n; i++)
		q[n + len + i] = q[n - 1 - i];
	return ((char *)q + 2 * n + len);
}

/* Decode a length forward from p (step 1) or backward from p (step -1). */
static int
pack_read_len(const unsigned char *p, const unsigned char *limit, int step,
    size_t *len, size_t *used)
{
	size_t	 v = 0, i;

	for (i = 0; i < PACK_LEN_MAX; i++) {
		if (step > 0 ? p + i >= limit : p - i <= limit)
			return (-1);
		v |= (size_t)(p[step > 0 ? (ptrdiff_t)i : -(ptrdiff_t)i - 1] &
		    0x7f) << (7 * i);
		if (!(p[step > 0 ? (ptrdiff_t)i : -(ptrdiff_t)i - 1] & 0x80)) {
			*len = v;
			*used = i + 1;
			return (0);
		}
	}
	return (-1);
}

const char *
pack_next(const char *p, const char *end, const char **s, size_t *len)
{
	const unsigned char	*q = (const unsigned char *)p;
	size_t			 n, l;

	if (pack_read_len(q, (const unsigned char *)end, 1, &l, &n) == -1 ||
	    l > (size_t)(end - p) || (size_t)(end - p) - l < 2 * n)
		return (NULL);
	*s = p + n;
	*len = l;
	return (p + 2 * n + l);
}

const char *
pack_prev(const char *start, const char *end, const char **s, size_t *len)
{
	const unsigned char	*q = (const unsigned char *)end;
	size_t			 n, l;

	if (pack_read_len(q, (const unsigned char *)start, -1, &l, &n) == -1 ||
	    l > (size_t)(end - start) || (size_t)(end - start) - l < 2 * n)
		return (NULL);
	*s = end - n - l;
	*len = l;
	return (end - 2 * n - l);
}

int
pack_valid(const char *p, size_t bytes, uint64_t count)
{
	const char	*end = p + bytes, *next, *s, *b, *t;
	size_t		 len, blen;
	uint64_t	 n = 0;

	while (p < end) {
		if ((next = pack_next(p, end, &s, &len)) == NULL)
			return (0);
		if ((b = pack_prev(p, next, &t, &blen)) != p || blen != len)
			return (0);
		p = next;
		n++;
	}
	return (n == count);
}
