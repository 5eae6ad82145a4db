/*
 * hash.h: the keyed 64-bit hash of keys (SipHash-1-3).
 *
 * The key (seed) is drawn with arc4random when an arena is created and
 * stored in it, so that every process hashes alike and clients cannot
 * predict collisions.
 */
#ifndef HYDRA_HASH_H
#define HYDRA_HASH_H

#include <stddef.h>
#include <stdint.h>

uint64_t	 hash_sip13(const uint64_t seed[2], const void *, size_t);

/* SipHash-2-4, the reference variant, for the test vectors. */
uint64_t	 hash_sip24(const uint64_t seed[2], const void *, size_t);

#endif /* HYDRA_HASH_H */
