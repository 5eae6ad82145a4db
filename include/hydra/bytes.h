/*
 * bytes.h: the order of byte strings that Redis uses for members, fields
 * and SORT ... STORE: bytes compared as unsigned, the shorter first when
 * one is a prefix of the other.
 *
 * Pure; no locks.
 */
#ifndef HYDRA_BYTES_H
#define HYDRA_BYTES_H

#include <stddef.h>
#include <string.h>

/* <0, 0 or >0 as a sorts before, with or after b. */
static inline int
bytes_cmp(const void *a, size_t alen, const void *b, size_t blen)
{
	size_t	 n = alen < blen ? alen : blen;
	int	 c = n > 0 ? memcmp(a, b, n) : 0;

	if (c != 0)
		return (c);
	return (alen < blen ? -1 : alen > blen);
}

#endif /* HYDRA_BYTES_H */
