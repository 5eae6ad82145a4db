/*
 * intset.h: a set of integers as a sorted array, the "intset" encoding of
 * small sets of integers (OBJ_SET | OBJ_SET_INTS).
 *
 * The bytes are a width byte (2, 4 or 8: the bytes of each integer) and
 * then the integers, ascending and distinct, each in that many bytes in
 * the host's order, with no alignment (the array lives in an entry's
 * value bytes, after the key).  The width is the smallest that holds
 * every integer ever added: like Redis's intset, an array widens when a
 * wider integer comes and never narrows when one goes.
 *
 * Pure functions on byte buffers: no arena, no locks.  A change builds a
 * new array in a caller's buffer (intset_build()), which then replaces the
 * old one whole.
 */
#ifndef HYDRA_INTSET_H
#define HYDRA_INTSET_H

#include <stddef.h>
#include <stdint.h>

#define INTSET_HEADER	1	/* the width byte */
#define INTSET_DIGITS	20	/* of the longest integer, "-" included */

/*
 * Read s as an integer the way Redis decides whether a member belongs in
 * an intset (its string2ll()): an optional '-', then digits without a
 * leading zero ("0" alone excepted), nothing else, within 64 bits.  "-0",
 * "+1", "007" and " 1" are not integers.  0 with *v set, or -1.
 */
int		 intset_parse(const char *s, size_t len, int64_t *v);

/* The smallest width (2, 4, 8) that holds v. */
unsigned	 intset_width_of(int64_t v);

/* The bytes of an array of n integers of the given width. */
size_t		 intset_size(unsigned width, size_t n);

/* The width and the number of integers of array v of vlen bytes. */
unsigned	 intset_width(const char *v);
size_t		 intset_count(const char *v, size_t vlen);

/* Integer i (below the count) of array v. */
int64_t		 intset_get(const char *v, size_t i);

/*
 * Binary search: 1 when x is in the array (*pos its index), 0 when not
 * (*pos where it would go).  pos may be NULL.
 */
int		 intset_find(const char *v, size_t vlen, int64_t x,
		    size_t *pos);

/*
 * Lay out the n ascending, distinct integers vals as an array of the
 * given width (at least intset_width_of() of each) in out, which has
 * intset_size(width, n) bytes.
 */
void		 intset_build(char *out, unsigned width, const int64_t *vals,
		    size_t n);

/*
 * Is v a sound array: a known width, whole integers, at least one,
 * strictly ascending?
 */
int		 intset_valid(const char *v, size_t vlen);

#endif /* HYDRA_INTSET_H */
