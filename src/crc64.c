/*
 * crc64.c: the CRC-64 of RDB files and DUMP payloads (crc64.h).
 *
 * Run by any process; no locks beyond the pthread_once() that builds the
 * table.  The CRC is reflected, so the table is indexed by the low byte
 * of the running value and the value shifts right; the polynomial is the
 * bit reversal of Jones's 0xad93d23594c935a9.
 */
#include <pthread.h>

#include "hydra/crc64.h"

#define CRC64_POLY_REFLECTED	UINT64_C(0x95ac9329ac4bc9b5)

static uint64_t		crc64_table[256];
static pthread_once_t	crc64_once = PTHREAD_ONCE_INIT;

static void
crc64_init(void)
{
	uint64_t	 c;
	int		 i, k;

	for (i = 0; i < 256; i++) {
		c = (uint64_t)i;
		for (k = 0; k < 8; k++)
			c = (c & 1) ? (c >> 1) ^ CRC64_POLY_REFLECTED : c >> 1;
		crc64_table[i] = c;
	}
}

uint64_t
crc64(uint64_t crc, const void *p, size_t len)
{
	const unsigned char	*s = p;

	(void)pthread_once(&crc64_once, crc64_init);
	while (len-- > 0)
		crc = crc64_table[(crc ^ *s++) & 0xff] ^ (crc >> 8);
	return (crc);
}
