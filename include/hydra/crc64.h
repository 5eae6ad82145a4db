/*
 * crc64.h: the 64-bit CRC that Redis puts at the end of RDB files and DUMP
 * payloads: the Jones polynomial (0xad93d23594c935a9), reflected, with a
 * zero start and no final xor.  crc64(0, "123456789", 9) is
 * 0xe9c6d914c4b8d9ca.
 *
 * Pure functions; the lookup table is built once per process, under
 * pthread_once().
 */
#ifndef HYDRA_CRC64_H
#define HYDRA_CRC64_H

#include <stddef.h>
#include <stdint.h>

/* Continue the CRC `crc' (0 to start) over len bytes at p. */
uint64_t	 crc64(uint64_t crc, const void *p, size_t len);

#endif /* HYDRA_CRC64_H */
