/*
 * pack.h: the packed encoding of a sequence of byte strings, as small
 * lists (and the nodes of large ones) keep their elements.
 *
 * Elements lie back to back, each as its length, its bytes, and its length
 * again written backwards, so that the sequence can be walked from either
 * end:
 *
 *     [len][bytes ...][nel]  [len][bytes ...][nel]  ...
 *
 * A length is 7 bits per byte, low bits first, the high bit set on every
 * byte but the last; the trailing copy holds the same bytes in reverse
 * order, so that read backwards it decodes the same way.  An element of
 * fewer than 128 bytes costs two bytes more than its bytes.  The count of
 * elements is kept by whoever holds the sequence.
 *
 * Pure functions on memory; no locks.
 */
#ifndef HYDRA_PACK_H
#define HYDRA_PACK_H

#include <stddef.h>
#include <stdint.h>

/* The most bytes a length takes (35 bits; an element is under 4 GiB). */
#define PACK_LEN_MAX	5

/* The packed size of an element of `len' bytes. */
size_t		 pack_elem_size(size_t len);

/* Write an element at p; returns the end of what was written. */
char		*pack_put(char *p, const void *s, size_t len);

/*
 * Read the element that starts at p (and ends at or before end): its bytes
 * in *s, *len; returns where the next one starts, or NULL when the bytes
 * are not a well-formed element.
 */
const char	*pack_next(const char *p, const char *end, const char **s,
		    size_t *len);

/*
 * Read the element that ends at `end' (and starts at or after `start'):
 * returns where it starts, or NULL when malformed.
 */
const char	*pack_prev(const char *start, const char *end, const char **s,
		    size_t *len);

/*
 * Is [p, p + bytes) exactly `count' well-formed elements, whose leading
 * and trailing lengths agree?  1 or 0.
 */
int		 pack_valid(const char *p, size_t bytes, uint64_t count);

#endif /* HYDRA_PACK_H */
