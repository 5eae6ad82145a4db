/*
 * hash.c: SipHash, written from the algorithm's description (Aumasson and
 * Bernstein, 2012).  Pure functions; no state, no locks.
 *
 * The keyspace uses the 1-3 variant (one compression round per block,
 * three finalisation rounds): strong enough against flooding, and cheap on
 * the short keys that dominate.
 */
#include <string.h>

#include "hydra/hash.h"

#define ROTL(x, b)	(((x) << (b)) | ((x) >> (64 - (b))))

static inline void
sip_round(uint64_t v[4])
{
	v[0] += v[1]; v[1] = ROTL(v[1], 13); v[1] ^= v[0];
	v[0] = ROTL(v[0], 32);
	v[2] += v[3]; v[3] = ROTL(v[3], 16); v[3] ^= v[2];
	v[0] += v[3]; v[3] = ROTL(v[3], 21); v[3] ^= v[0];
	v[2] += v[1]; v[1] = ROTL(v[1], 17); v[1] ^= v[2];
	v[2] = ROTL(v[2], 32);
}

static inline uint64_t
load_le64(const unsigned char *p)
{
	return ((uint64_t)p[0] | (uint64_t)p[1] << 8 |
	    (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24 |
	    (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 |
	    (uint64_t)p[6] << 48 | (uint64_t)p[7] << 56);
}

static uint64_t
sip(const uint64_t seed[2], const void *data, size_t len, int crounds,
    int drounds)
{
	const unsigned char	*p = data;
	uint64_t		 v[4], m, last;
	size_t			 i, blocks = len / 8;
	int			 r;

	v[0] = seed[0] ^ 0x736f6d6570736575ULL;
	v[1] = seed[1] ^ 0x646f72616e646f6dULL;
	v[2] = seed[0] ^ 0x6c7967656e657261ULL;
	v[3] = seed[1] ^ 0x7465646279746573ULL;
	for (i = 0; i < blocks; i++, p += 8) {
		m = load_le64(p);
		v[3] ^= m;
		for (r = 0; r < crounds; r++)
			sip_round(v);
		v[0] ^= m;
	}
	last = (uint64_t)len << 56;
	for (i = 0; i < (len & 7); i++)
		last |= (uint64_t)p[i] << (8 * i);
	v[3] ^= last;
	for (r = 0; r < crounds; r++)
		sip_round(v);
	v[0] ^= last;
	v[2] ^= 0xff;
	for (r = 0; r < drounds; r++)
		sip_round(v);
	return (v[0] ^ v[1] ^ v[2] ^ v[3]);
}

uint64_t
hash_sip13(const uint64_t seed[2], const void *data, size_t len)
{
	return (sip(seed, data, len, 1, 3));
}

uint64_t
hash_sip24(const uint64_t seed[2], const void *data, size_t len)
{
	return (sip(seed, data, len, 2, 4));
}
