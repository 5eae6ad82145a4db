/*
 * rdb_test.c: checks the RDB value codec (crc64.c, rdb.c, rdb_pack.c,
 * rdb_decode.c) against Redis 7.0.15.
 *
 * The invariants: the CRC is Redis's (the check value of "123456789");
 * lengths are written in their shortest form and read in any form; every
 * payload below, each a DUMP reply of redis-server 7.0.15 or a legacy
 * encoding that redis-server 7.0.15 was seen to RESTORE, decodes to the
 * elements Redis itself answered for it; the writers (strings, one-node
 * lists, intsets, listpacks of pairs) give Redis's very bytes; a value
 * of any type loaded into a store through its hooks saves back to the
 * bytes Redis wrote (or, for encodings Redis no longer writes and for
 * tables, to the same elements); hashes, sets and sorted sets of every
 * encoding, built through their own interfaces, save, load with their
 * expiry and save again to the same bytes (packed) or members (tables),
 * load into the encoding Redis 7.0 gives them, replace a key of any type
 * whole, and, in a full arena, fail with ENOMEM leaving the key as it
 * was; damaged containers and payloads are refused with the right
 * error; and no
 * truncation, bit flip or random damage of any payload, its CRC made
 * right again, makes the decoder read out of bounds or crash (run under
 * AddressSanitizer by "make check-asan").
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hydra/check.h"
#include "hydra/compat.h"
#include "hydra/crc64.h"
#include "hydra/hmap.h"
#include "hydra/list.h"
#include "hydra/object.h"
#include "hydra/rdb.h"
#include "hydra/rdb_pack.h"
#include "hydra/set.h"
#include "hydra/zset.h"
#include "tap.h"
#include "testarena.h"

#define STORE_SIZE	(64u << 20)

struct rdb_vector {
	const char		 *vc_name;
	const char		 *vc_payload;
	size_t			  vc_len;
	int			  vc_type;
	int			  vc_ordered;	/* else compare sorted */
	size_t			  vc_n;
	/*
	 * As Redis answered them (LRANGE; SMEMBERS, HGETALL and ZRANGE
	 * WITHSCORES as "member=score" sorted); "\x01" "c4095" stands for
	 * 4095 bytes 'c'.
	 */
	const char *const	 *vc_elems;
};

/* Generated from redis-server 7.0.15 replies. */
static const struct rdb_vector rdb_vectors[] = {
	{ "string raw",
	    "\x00\x05\x68\x65\x6c\x6c\x6f\x0a\x00\x63\x72\xdf\x76\x65"
	    "\x34\x20\x0a", 17,
	    OBJ_STRING, 1, 1, (const char *const[]){
		"hello" } },
	{ "string int8",
	    "\x00\xc0\xf9\x0a\x00\x5e\x26\xd1\x30\xd7\xa2\x42\xab", 13,
	    OBJ_STRING, 1, 1, (const char *const[]){
		"-7" } },
	{ "string int16",
	    "\x00\xc1\xd4\xfe\x0a\x00\xc6\xc4\x86\x23\xfe\xbe\xde\x2e", 14,
	    OBJ_STRING, 1, 1, (const char *const[]){
		"-300" } },
	{ "string int32",
	    "\x00\xc2\xa0\x86\x01\x00\x0a\x00\xf1\x24\x03\x50\x6f\x2f"
	    "\xa6\x74", 16,
	    OBJ_STRING, 1, 1, (const char *const[]){
		"100000" } },
	{ "string beyond 32 bits",
	    "\x00\x0b\x31\x32\x33\x34\x35\x36\x37\x38\x39\x30\x31\x0a"
	    "\x00\x30\x4e\x52\xd7\x27\x17\x65\x10", 23,
	    OBJ_STRING, 1, 1, (const char *const[]){
		"12345678901" } },
	{ "string lzf",
	    "\x00\xc3\x0b\x2a\x03\x61\x62\x63\x61\xe0\x1b\x02\x01\x62"
	    "\x63\x0a\x00\x07\x1c\x03\x6d\xed\xaa\x8f\x5c", 25,
	    OBJ_STRING, 1, 1, (const char *const[]){
		"abcabcabcabcabcabcabcabcabcabcabcabcabcabc" } },
	{ "string empty",
	    "\x00\x00\x0a\x00\x5d\x9b\x5c\x40\x0f\x7f\xa2\xda", 12,
	    OBJ_STRING, 1, 1, (const char *const[]){
		"" } },
	{ "list quicklist 2 one node",
	    "\x12\x01\x02\x40\x55\x55\x00\x00\x00\x09\x00\x81\x61\x02"
	    "\x01\x01\xdf\xfb\x02\xc1\x2c\x02\xf2\x70\x11\x01\x04\xf3"
	    "\xc0\xab\x76\xff\x05\xf4\x00\x5e\xd0\xb2\x00\x00\x00\x00"
	    "\x09\xaa\x61\x20\x6c\x6f\x6e\x67\x65\x72\x20\x73\x74\x72"
	    "\x69\x6e\x67\x20\x77\x69\x74\x68\x20\x73\x6f\x6d\x65\x20"
	    "\x6d\x6f\x72\x65\x20\x62\x79\x74\x65\x73\x20\x69\x6e\x20"
	    "\x69\x74\x2b\x80\x01\xff\x0a\x00\x00\xe3\xf6\x18\xb5\x67"
	    "\x3c\x6d", 100,
	    OBJ_LIST, 1, 9, (const char *const[]){
		"a", "1", "-5", "300", "70000", "-9000000", "3000000000",
		"a longer string with some more bytes in it", "" } },
	{ "list quicklist 2 three nodes",
	    "\x12\x03\x02\x0d\x0d\x00\x00\x00\x02\x00\x81\x78\x02\x81"
	    "\x79\x02\xff\x02\x0c\x0c\x00\x00\x00\x02\x00\x81\x7a\x02"
	    "\x04\x01\xff\x02\x09\x09\x00\x00\x00\x01\x00\x05\x01\xff"
	    "\x0a\x00\xef\x3d\xe2\x7b\xd4\x90\xf0\x07", 52,
	    OBJ_LIST, 1, 5, (const char *const[]){
		"x", "y", "z", "4", "5" } },
	{ "list quicklist 2 lzf node",
	    "\x12\x01\x02\xc3\x14\x40\xc7\x07\xc7\x00\x00\x00\x06\x00"
	    "\x9e\x61\xe0\x14\x00\x00\x1f\xe0\x96\x1f\x01\x1f\xff\x0a"
	    "\x00\x35\x80\x15\x20\x5c\x66\xdc\xd9", 37,
	    OBJ_LIST, 1, 6, (const char *const[]){
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" } },
	{ "list quicklist 2 plain node",
	    "\x12\x03\x02\x0e\x0e\x00\x00\x00\x01\x00\x85\x73\x6d\x61"
	    "\x6c\x6c\x06\xff\x01\x26\x61\x20\x70\x6c\x61\x69\x6e\x20"
	    "\x65\x6c\x65\x6d\x65\x6e\x74\x20\x6f\x66\x20\x6d\x6f\x72"
	    "\x65\x20\x74\x68\x61\x6e\x20\x74\x65\x6e\x20\x62\x79\x74"
	    "\x65\x73\x02\x0d\x0d\x00\x00\x00\x01\x00\x84\x74\x61\x69"
	    "\x6c\x05\xff\x0a\x00\xfd\xcc\x79\x73\x8a\xee\x3d\x62", 83,
	    OBJ_LIST, 1, 3, (const char *const[]){
		"small", "a plain element of more than ten bytes", "tail" } },
	{ "list quicklist 2 long strings",
	    "\x12\x02\x02\xc3\x40\x46\x50\x4d\x08\x4d\x10\x00\x00\x02"
	    "\x00\xe0\x40\x62\xe0\x36\x00\x03\x42\xef\xff\x63\xe0\xff"
	    "\x00\xe0\xff\x00\xe0\xff\x00\xe0\xff\x00\xe0\xff\x00\xe0"
	    "\xff\x00\xe0\xff\x00\xe0\xff\x00\xe0\xff\x00\xe0\xff\x00"
	    "\xe0\xff\x00\xe0\xff\x00\xe0\xff\x00\xe0\xff\x00\xe0\xff"
	    "\x00\xe0\x7d\x00\x02\x20\x81\xff\x02\xc3\x40\xcf\x80\x00"
	    "\x00\x40\x09\x0b\x09\x40\x00\x00\x01\x00\xf0\xfa\x3f\x00"
	    "\x00\x64\xe0\xff\x00\xe0\xff\x00\xe0\xff\x00\xe0\xff\x00"
	    "\xe0\xff\x00\xe0\xff\x00\xe0\xff\x00\xe0\xff\x00\xe0\xff"
	    "\x00\xe0\xff\x00\xe0\xff\x00\xe0\xff\x00\xe0\xff\x00\xe0"
	    "\xff\x00\xe0\xff\x00\xe0\xff\x00\xe0\xff\x00\xe0\xff\x00"
	    "\xe0\xff\x00\xe0\xff\x00\xe0\xff\x00\xe0\xff\x00\xe0\xff"
	    "\x00\xe0\xff\x00\xe0\xff\x00\xe0\xff\x00\xe0\xff\x00\xe0"
	    "\xff\x00\xe0\xff\x00\xe0\xff\x00\xe0\xff\x00\xe0\xff\x00"
	    "\xe0\xff\x00\xe0\xff\x00\xe0\xff\x00\xe0\xff\x00\xe0\xff"
	    "\x00\xe0\xff\x00\xe0\xff\x00\xe0\xff\x00\xe0\xff\x00\xe0"
	    "\xff\x00\xe0\xff\x00\xe0\xff\x00\xe0\xff\x00\xe0\xff\x00"
	    "\xe0\xff\x00\xe0\xff\x00\xe0\xff\x00\xe0\xff\x00\xe0\xff"
	    "\x00\xe0\xff\x00\xe0\xff\x00\xe0\xff\x00\xe0\xff\x00\xe0"
	    "\xff\x00\xe0\xff\x00\xe0\xff\x00\xe0\xff\x00\xe0\xff\x00"
	    "\xe0\xff\x00\xe0\xff\x00\xe0\x00\x00\x03\x00\xff\xff\xff"
	    "\x0a\x00\x4d\xe9\xf8\x58\xdf\x46\x78\x21", 304,
	    OBJ_LIST, 1, 3, (const char *const[]){
		"\x01""b64", "\x01""c4095", "\x01""d16378" } },
	{ "hash listpack",
	    "\x10\x1f\x1f\x00\x00\x00\x06\x00\x82\x66\x31\x03\x82\x76"
	    "\x31\x03\x82\x66\x32\x03\x02\x01\x83\x6e\x75\x6d\x04\xf2"
	    "\xc0\x1d\xfe\x04\xff\x0a\x00\xc6\xe9\x2e\x8f\x6f\xa4\xec"
	    "\x72", 43,
	    OBJ_HASH, 0, 6, (const char *const[]){
		"f1", "v1", "f2", "2", "num", "-123456" } },
	{ "hash table",
	    "\x04\x03\x01\x62\x03\x74\x77\x6f\x01\x63\xc3\x09\x1e\x01"
	    "\x78\x78\xe0\x11\x00\x01\x78\x78\x01\x61\xc0\x01\x0a\x00"
	    "\xaa\x85\x04\x7f\x0a\x2a\x32\x76", 36,
	    OBJ_HASH, 0, 6, (const char *const[]){
		"a", "1", "b", "two", "c",
		"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" } },
	{ "hash listpack long value",
	    "\x10\xc3\x18\x40\x76\x0b\x76\x00\x00\x00\x04\x00\x81\x66"
	    "\x02\xe0\x64\x76\xe0\x5a\x00\x06\x66\x81\x67\x02\x01\x01"
	    "\xff\x0a\x00\x80\xcd\x6f\x4f\x5d\x5d\x6e\x08", 39,
	    OBJ_HASH, 1, 4, (const char *const[]){
		"f", "\x01""v100", "g", "1" } },
	{ "hash listpack order",
	    "\x10\x19\x19\x00\x00\x00\x06\x00\x81\x62\x02\x81\x78\x02"
	    "\x81\x61\x02\x02\x01\x81\x6e\x02\xf1\xff\xef\x03\xff\x0a"
	    "\x00\x34\x03\x2b\xc4\x00\xec\x65\xed", 37,
	    OBJ_HASH, 1, 6, (const char *const[]){
		"b", "x", "a", "2", "n", "-4097" } },
	{ "set intset 32 narrowed",
	    "\x0b\x0c\x04\x00\x00\x00\x01\x00\x00\x00\x01\x00\x00\x00"
	    "\x0a\x00\xca\x59\xbf\x87\x76\x2d\x26\x35", 24,
	    OBJ_SET, 0, 1, (const char *const[]){
		"1" } },
	{ "set intset 16",
	    "\x0b\x10\x02\x00\x00\x00\x04\x00\x00\x00\xfb\xff\x01\x00"
	    "\x02\x00\x03\x00\x0a\x00\xc8\xe4\xdf\xb6\x6f\x73\x96\xf0", 28,
	    OBJ_SET, 0, 4, (const char *const[]){
		"-5", "1", "2", "3" } },
	{ "set intset 32",
	    "\x0b\x14\x04\x00\x00\x00\x03\x00\x00\x00\x90\xee\xfe\xff"
	    "\x01\x00\x00\x00\x05\x00\x00\x00\x0a\x00\x27\x43\x9a\x92"
	    "\x35\x75\xb1\x97", 32,
	    OBJ_SET, 0, 3, (const char *const[]){
		"-70000", "1", "5" } },
	{ "set intset 64",
	    "\x0b\xc3\x13\x20\x04\x08\x00\x00\x00\x03\x20\x03\xa0\x00"
	    "\x01\xc0\x01\xa0\x08\x60\x00\x20\x0c\x0a\x00\x04\xbe\x20"
	    "\x83\xf4\xf0\x17\x2a", 33,
	    OBJ_SET, 0, 3, (const char *const[]){
		"-4611686018427387904", "1", "1099511627776" } },
	{ "set table",
	    "\x02\x04\x01\x62\xc0\x01\x01\x63\x01\x61\x0a\x00\x0f\xc9"
	    "\xd6\x6b\xa8\xac\x2d\x92", 20,
	    OBJ_SET, 0, 4, (const char *const[]){
		"1", "a", "b", "c" } },
	{ "zset listpack",
	    "\x11\xc3\x3c\x40\x44\x1f\x44\x00\x00\x00\x0a\x00\x81\x63"
	    "\x02\x84\x2d\x69\x6e\x66\x05\x81\x65\x02\x86\x2d\x30\x2e"
	    "\x31\x32\x35\x07\x81\x61\x02\x01\x01\x81\x0d\x62\x02\x83"
	    "\x32\x2e\x35\x04\x81\x64\x02\x97\x31\x2e\x30\xe0\x05\x00"
	    "\x07\x31\x65\x2b\x33\x30\x30\x18\xff\x0a\x00\x1e\xaf\xc1"
	    "\xd6\xa2\x5f\x8f\xf8", 75,
	    OBJ_ZSET, 0, 5, (const char *const[]){
		"a=1.0", "b=2.5", "c=-inf", "d=1e+300", "e=-0.125" } },
	{ "zset listpack scores",
	    "\x11\xc3\x40\xa6\x40\xcf\x09\xcf\x00\x00\x00\x22\x00\x81"
	    "\x6b\x02\xf4\x20\x08\x20\x00\x07\xf0\xff\x09\x81\x6a\x02"
	    "\xf4\x01\x20\x0a\x80\x0c\x17\x64\x02\xdf\xff\x02\x81\x71"
	    "\x02\x87\x2d\x31\x65\x2d\x33\x30\x30\x08\x81\x61\x02\x00"
	    "\x01\x81\x62\x40\x04\x06\x6d\x02\x93\x30\x2e\x31\x30\xe0"
	    "\x05\x00\x03\x31\x14\x81\x6e\x40\x17\x00\x33\xe0\x06\x00"
	    "\x20\x17\x0d\x63\x02\x01\x01\x81\x65\x02\x83\x32\x2e\x35"
	    "\x04\x81\x66\x20\x72\x0c\x80\xc6\xa4\x7e\x8d\x03\x00\x09"
	    "\x81\x67\x02\xf4\xff\x60\x00\x00\x0f\x20\x0c\x00\x68\x20"
	    "\x19\x60\x00\x00\x10\x20\x0c\x00\x69\xc0\x8c\x40\x0c\x00"
	    "\x6c\x40\x19\x04\xc1\x6f\xf2\x86\x23\x20\x19\x13\x70\x02"
	    "\x87\x39\x2e\x32\x65\x2b\x31\x38\x08\x81\x6f\x02\x83\x69"
	    "\x6e\x66\x04\xff\x0a\x00\xf5\x30\x6b\xb4\x46\x60\xfa\xac", 182,
	    OBJ_ZSET, 0, 17, (const char *const[]){
		"a=0.0", "b=0.0", "c=1.0", "d=-1.0", "e=2.5",
		"f=1000000000000000.0", "g=4503599627370495.0",
		"h=4503599627370496.0", "i=4503599627370497.0",
		"j=-4503599627370495.0", "k=-4503599627370496.0", "l=1e+16",
		"m=0.1", "n=0.3333333333333333", "o=inf", "p=9.2e+18",
		"q=-1e-300" } },
	{ "zset skiplist",
	    "\x05\x04\x01\x63\x00\x00\x00\x00\x00\x00\xf0\x7f\x01\x62"
	    "\x00\x00\x00\x00\x00\x00\x04\x40\x01\x61\x00\x00\x00\x00"
	    "\x00\x00\xf0\x3f\x01\x64\x00\x00\x00\x00\x00\x00\x08\xc0"
	    "\x0a\x00\x67\x5b\x68\x71\xc6\xea\xb9\x4c", 52,
	    OBJ_ZSET, 0, 4, (const char *const[]){
		"a=1.0", "b=2.5", "c=inf", "d=-3.0" } },
	{ "list type 1",
	    "\x01\x03\x03\x6f\x6e\x65\xc0\x05\x00\x0a\x00\xca\x38\xa0"
	    "\x8f\x79\x4b\xe4\x7c", 19,
	    OBJ_LIST, 1, 3, (const char *const[]){
		"one", "5", "" } },
	{ "list ziplist",
	    "\x0a\x40\x75\x75\x00\x00\x00\x2b\x00\x00\x00\x08\x00\x00"
	    "\x01\x61\x03\xf8\x02\xfe\x9c\x03\xc0\xe8\x03\x04\xf0\xa0"
	    "\x86\x01\x05\xd0\x80\x96\x98\x00\x06\xe0\x00\x00\x00\x00"
	    "\x00\x01\x00\x00\x0a\x40\x46\x71\x71\x71\x71\x71\x71\x71"
	    "\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71"
	    "\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71"
	    "\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71"
	    "\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71\x71"
	    "\x71\x71\x71\x71\x71\x71\x71\xff\x0a\x00\xae\xae\x3c\x9d"
	    "\x90\x9f\x35\xf9", 130,
	    OBJ_LIST, 1, 8, (const char *const[]){
		"a", "7", "-100", "1000", "100000", "10000000",
		"1099511627776", "\x01""q70" } },
	{ "list quicklist",
	    "\x0e\x02\x14\x14\x00\x00\x00\x10\x00\x00\x00\x03\x00\x00"
	    "\x02\x6e\x31\x04\xfd\x02\xfe\x0d\xff\x41\x41\x41\x01\x00"
	    "\x00\x11\x00\x00\x00\x03\x00\x00\x02\x6e\x32\x04\xfe\xff"
	    "\x03\x41\x2c\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78"
	    "\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78"
	    "\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78"
	    "\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78"
	    "\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78"
	    "\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78"
	    "\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78"
	    "\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78"
	    "\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78"
	    "\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78"
	    "\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78"
	    "\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78"
	    "\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78"
	    "\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78"
	    "\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78"
	    "\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78"
	    "\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78"
	    "\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78"
	    "\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78"
	    "\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78"
	    "\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78\x78"
	    "\x78\x78\x78\x78\x78\x78\x78\x78\x78\xff\x0a\x00\x56\x84"
	    "\x0a\x34\x16\x62\x6b\xe6", 356,
	    OBJ_LIST, 1, 6, (const char *const[]){
		"n1", "12", "13", "n2", "-1", "\x01""x300" } },
	{ "hash zipmap",
	    "\x09\x1d\x02\x02\x6b\x31\x02\x02\x76\x31\x00\x00\x04\x6b"
	    "\x65\x79\x32\x09\x02\x76\x61\x6c\x75\x65\x20\x74\x77\x6f"
	    "\x00\x00\xff\x0a\x00\xfa\xb0\x3e\xdb\x19\x4e\x3b\x0b", 41,
	    OBJ_HASH, 0, 4, (const char *const[]){
		"k1", "v1", "key2", "value two" } },
	{ "hash ziplist",
	    "\x0d\x17\x17\x00\x00\x00\x13\x00\x00\x00\x04\x00\x00\x01"
	    "\x66\x03\x01\x76\x03\x01\x6e\x03\xfe\x2a\xff\x0a\x00\xfb"
	    "\x80\xdb\x05\x31\xe5\x36\x92", 35,
	    OBJ_HASH, 0, 4, (const char *const[]){
		"f", "v", "n", "42" } },
	{ "zset ziplist",
	    "\x0c\x21\x21\x00\x00\x00\x1d\x00\x00\x00\x06\x00\x00\x02"
	    "\x6d\x31\x04\xf2\x02\x02\x6d\x32\x04\x03\x32\x2e\x35\x05"
	    "\x02\x6d\x33\x04\xfe\xf9\xff\x0a\x00\xf1\x8f\xae\x0c\x1e"
	    "\x0e\xe7\xd2", 45,
	    OBJ_ZSET, 0, 3, (const char *const[]){
		"m1=1.0", "m2=2.5", "m3=-7.0" } },
	{ "zset type 3",
	    "\x03\x03\x01\x61\x03\x31\x2e\x35\x01\x62\xfe\x01\x63\x02"
	    "\x2d\x32\x0a\x00\xb0\xcf\xa1\xd0\xc4\x36\x7a\x32", 26,
	    OBJ_ZSET, 0, 3, (const char *const[]){
		"a=1.5", "b=inf", "c=-2.0" } },
	{ "list type 1 lzf",
	    "\x01\x01\xc3\x05\x1e\x00\x61\xe0\x14\x00\x0a\x00\x57\xb3"
	    "\x2b\x83\xb1\xab\xd3\x9b", 20,
	    OBJ_LIST, 1, 1, (const char *const[]){
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" } },
};

/* An expected element, expanded: *buf is malloc'd when it is a run. */
static const char *
expect_elem(const char *s, size_t *len, char **buf)
{
	*buf = NULL;
	if (s[0] != '\x01') {
		*len = strlen(s);
		return (s);
	}
	*len = (size_t)strtoul(s + 2, NULL, 10);
	if ((*buf = malloc(*len)) == NULL)
		abort();
	memset(*buf, s[1], *len);
	return (*buf);
}

/* Python's order of byte strings: memcmp, then the shorter first. */
static int
bytes_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	int	 c = memcmp(a, b, alen < blen ? alen : blen);

	if (c != 0)
		return (c);
	return (alen < blen ? -1 : alen > blen);
}

static const struct rdb_value	*sort_value;
static size_t			 sort_step;

static int
sort_cmp(const void *x, const void *y)
{
	size_t	 i = *(const size_t *)x * sort_step;
	size_t	 j = *(const size_t *)y * sort_step;

	return (bytes_cmp(sort_value->rv_ptr[i], sort_value->rv_len[i],
	    sort_value->rv_ptr[j], sort_value->rv_len[j]));
}

/* Does decoded value v hold what vector vc says Redis answered? */
static int
value_matches(const struct rdb_vector *vc, const struct rdb_value *v)
{
	size_t		*order, step, i, j, k, len, n;
	const char	*s, *eq;
	char		*buf;
	int		 good = 1;

	if (v->rv_type != vc->vc_type)
		return (0);
	step = vc->vc_type == OBJ_HASH ? 2 : 1;
	n = v->rv_n / step;
	if (v->rv_n != vc->vc_n)
		return (0);
	if ((order = calloc(n, sizeof(*order))) == NULL)
		abort();
	for (i = 0; i < n; i++)
		order[i] = i;
	if (!vc->vc_ordered) {
		sort_value = v;
		sort_step = step;
		qsort(order, n, sizeof(*order), sort_cmp);
	}
	for (i = 0; i < n && good; i++)
		for (k = 0; k < step; k++) {
			j = order[i] * step + k;
			s = expect_elem(vc->vc_elems[i * step + k], &len, &buf);
			if (vc->vc_type == OBJ_ZSET) {
				eq = strrchr(s, '=');
				len = (size_t)(eq - s);
				if (strtod(eq + 1, NULL) != v->rv_score[j])
					good = 0;
			}
			if (v->rv_len[j] != len ||
			    memcmp(v->rv_ptr[j], s, len) != 0)
				good = 0;
			free(buf);
		}
	free(order);
	return (good);
}

static void
check_crc(void)
{
	uint64_t	 c;

	is_int((long long)crc64(0, "123456789", 9),
	    (long long)UINT64_C(0xe9c6d914c4b8d9ca),
	    "crc64 of \"123456789\" is Redis's check value");
	c = crc64(0, "1234", 4);
	c = crc64(c, "56789", 5);
	ok(c == UINT64_C(0xe9c6d914c4b8d9ca),
	    "a CRC continued over two pieces equals the CRC of the whole");
	ok(crc64(0, "", 0) == 0, "the CRC of nothing is 0");
}

static void
check_lengths(void)
{
	static const struct {
		uint64_t	 len;
		const char	*bytes;
		size_t		 n;
	} cases[] = {
		{ 0, "\x00", 1 },
		{ 63, "\x3f", 1 },
		{ 64, "\x40\x40", 2 },
		{ 16383, "\x7f\xff", 2 },
		{ 16384, "\x80\x00\x00\x40\x00", 5 },
		{ UINT32_MAX, "\x80\xff\xff\xff\xff", 5 },
		{ (uint64_t)UINT32_MAX + 1,
		    "\x81\x00\x00\x00\x01\x00\x00\x00\x00", 9 },
	};
	struct rdb_out	 o;
	struct rdb_in	 in;
	uint64_t	 got;
	size_t		 i;
	int		 good;

	for (i = 0; i < nitems(cases); i++) {
		rdb_out_init(&o);
		rdb_put_len(&o, cases[i].len);
		good = o.ro_len == cases[i].n &&
		    memcmp(o.ro_buf, cases[i].bytes, cases[i].n) == 0;
		in.ri_p = o.ro_buf;
		in.ri_end = o.ro_buf + o.ro_len;
		good = good && rdb_get_len(&in, &got) == 0 &&
		    got == cases[i].len && in.ri_p == in.ri_end;
		in.ri_p = o.ro_buf;
		in.ri_end = o.ro_buf + o.ro_len - 1;
		good = good && rdb_get_len(&in, &got) == -1 &&
		    errno == EINVAL;
		ok(good, "length %llu is written in %zu bytes, read back, "
		    "and refused one byte short", (unsigned long long)
		    cases[i].len, cases[i].n);
		rdb_out_free(&o);
	}
	in.ri_p = (const unsigned char *)"\x80\x00\x00\x00\x05";
	in.ri_end = in.ri_p + 5;
	ok(rdb_get_len(&in, &got) == 0 && got == 5,
	    "a small length in the 32-bit form is read");
	in.ri_p = (const unsigned char *)"\xc0";
	in.ri_end = in.ri_p + 1;
	ok(rdb_get_len(&in, &got) == -1 && errno == EINVAL,
	    "a special string's byte is no length");
	in.ri_p = (const unsigned char *)"\x82";
	in.ri_end = in.ri_p + 1;
	ok(rdb_get_len(&in, &got) == -1 && errno == EINVAL,
	    "0x82 is no length form");
}

/* The payload of type byte `type' and the string s, as rdb.c writes it. */
static int
payload_is(int type, const void *s, size_t len, const char *want,
    size_t wlen, int prefix_count)
{
	struct rdb_out	 o;
	int		 same;

	rdb_out_init(&o);
	rdb_put_byte(&o, (unsigned)type);
	if (prefix_count) {
		rdb_put_len(&o, 1);
		rdb_put_len(&o, RDB_QUICKLIST_PACKED);
	}
	rdb_put_string(&o, s, len);
	rdb_payload_finish(&o);
	same = !o.ro_failed && o.ro_len == wlen &&
	    memcmp(o.ro_buf, want, wlen) == 0;
	rdb_out_free(&o);
	return (same);
}

static const struct rdb_vector *
vector(const char *name)
{
	size_t	 i;

	for (i = 0; i < nitems(rdb_vectors); i++)
		if (strcmp(rdb_vectors[i].vc_name, name) == 0)
			return (&rdb_vectors[i]);
	abort();
}

/* A listpack of a vector's elements (pairs: hash fields and values). */
static const unsigned char *
vector_listpack(struct rdb_lp *lp, const struct rdb_vector *vc, size_t *n)
{
	size_t		 i, len;
	const char	*s;
	char		*buf;

	rdb_lp_init(lp);
	for (i = 0; i < vc->vc_n; i++) {
		s = expect_elem(vc->vc_elems[i], &len, &buf);
		rdb_lp_append(lp, s, len);
		free(buf);
	}
	return (rdb_lp_finish(lp, n));
}

/* A member and its score, for the order of a sorted set. */
struct scored {
	const char	*sc_member;
	size_t		 sc_len;
	double		 sc_score;
};

static int
scored_cmp(const void *x, const void *y)
{
	const struct scored	*a = x, *b = y;

	if (a->sc_score != b->sc_score)
		return (a->sc_score < b->sc_score ? -1 : 1);
	return (bytes_cmp(a->sc_member, a->sc_len, b->sc_member, b->sc_len));
}

/* The listpack Redis keeps for the sorted set of a vector. */
static const unsigned char *
vector_zset_listpack(struct rdb_lp *lp, const struct rdb_vector *vc,
    size_t *n)
{
	struct scored	 sc[32];
	const char	*eq;
	size_t		 i;

	for (i = 0; i < vc->vc_n && i < nitems(sc); i++) {
		eq = strrchr(vc->vc_elems[i], '=');
		sc[i].sc_member = vc->vc_elems[i];
		sc[i].sc_len = (size_t)(eq - vc->vc_elems[i]);
		sc[i].sc_score = strtod(eq + 1, NULL);
	}
	qsort(sc, i, sizeof(sc[0]), scored_cmp);
	rdb_lp_init(lp);
	for (i = 0; i < vc->vc_n && i < nitems(sc); i++) {
		rdb_lp_append(lp, sc[i].sc_member, sc[i].sc_len);
		rdb_lp_append_score(lp, sc[i].sc_score);
	}
	return (rdb_lp_finish(lp, n));
}

static int
int64_cmp(const void *x, const void *y)
{
	int64_t	 a = *(const int64_t *)x, b = *(const int64_t *)y;

	return (a < b ? -1 : a > b);
}

static void
check_writers(void)
{
	static const char *const strings[] = { "string raw", "string int8",
	    "string int16", "string int32", "string beyond 32 bits",
	    "string lzf", "string empty" };
	static const char *const lists[] = { "list quicklist 2 one node",
	    "list quicklist 2 lzf node" };
	static const char *const zsets[] = { "zset listpack",
	    "zset listpack scores" };
	static const char *const intsets[] = { "set intset 16",
	    "set intset 32", "set intset 64" };
	const struct rdb_vector	*vc;
	const unsigned char	*lpb;
	struct rdb_lp		 lp;
	struct rdb_out		 o;
	int64_t			 vals[8];
	size_t			 i, j, n;

	for (i = 0; i < nitems(strings); i++) {
		vc = vector(strings[i]);
		ok(payload_is(RDB_TYPE_STRING, vc->vc_elems[0],
		    strlen(vc->vc_elems[0]), vc->vc_payload, vc->vc_len, 0),
		    "DUMP of a string: %s, as Redis writes it", vc->vc_name);
	}
	for (i = 0; i < nitems(lists); i++) {
		vc = vector(lists[i]);
		lpb = vector_listpack(&lp, vc, &n);
		ok(lpb != NULL && payload_is(RDB_TYPE_LIST_QUICKLIST_2, lpb, n,
		    vc->vc_payload, vc->vc_len, 1),
		    "DUMP of a list: %s, as Redis writes it", vc->vc_name);
		rdb_lp_free(&lp);
	}
	vc = vector("hash listpack");
	lpb = vector_listpack(&lp, vc, &n);
	ok(lpb != NULL && payload_is(RDB_TYPE_HASH_LISTPACK, lpb, n,
	    vc->vc_payload, vc->vc_len, 0),
	    "a listpack of hash pairs is Redis's, integers and all");
	rdb_lp_free(&lp);
	for (i = 0; i < nitems(zsets); i++) {
		vc = vector(zsets[i]);
		lpb = vector_zset_listpack(&lp, vc, &n);
		ok(lpb != NULL && payload_is(RDB_TYPE_ZSET_LISTPACK, lpb, n,
		    vc->vc_payload, vc->vc_len, 0),
		    "a listpack of members and scores: %s, as Redis writes it",
		    vc->vc_name);
		rdb_lp_free(&lp);
	}
	for (i = 0; i < nitems(intsets); i++) {
		vc = vector(intsets[i]);
		for (j = 0; j < vc->vc_n; j++)
			vals[j] = strtoll(vc->vc_elems[j], NULL, 10);
		qsort(vals, vc->vc_n, sizeof(vals[0]), int64_cmp);
		rdb_out_init(&o);
		rdb_intset_put(&o, 0, vals, vc->vc_n);
		ok(!o.ro_failed && payload_is(RDB_TYPE_SET_INTSET, o.ro_buf,
		    o.ro_len, vc->vc_payload, vc->vc_len, 0),
		    "an intset: %s, as Redis writes it", vc->vc_name);
		rdb_out_free(&o);
	}
}

static void
check_vectors(void)
{
	struct rdb_value	 v;
	size_t			 i;
	int			 rv;

	for (i = 0; i < nitems(rdb_vectors); i++) {
		rdb_value_init(&v);
		rv = rdb_payload_decode(rdb_vectors[i].vc_payload,
		    rdb_vectors[i].vc_len, &v);
		ok(rv == 0 && value_matches(&rdb_vectors[i], &v),
		    "decode %s: Redis's elements", rdb_vectors[i].vc_name);
		rdb_value_free(&v);
	}
}

/*
 * Decode bytes as a payload, after giving them a footer, in o, which the
 * caller frees after v (v's strings may point into it).
 */
static int
decode_body(const void *body, size_t len, int version, struct rdb_value *v,
    struct rdb_out *o)
{
	unsigned char	 b[8];
	uint64_t	 crc;
	int		 i;

	rdb_out_init(o);
	rdb_put_raw(o, body, len);
	rdb_put_byte(o, (unsigned)version & 0xff);
	rdb_put_byte(o, (unsigned)version >> 8);
	crc = crc64(0, o->ro_buf, o->ro_len);
	for (i = 0; i < 8; i++)
		b[i] = (unsigned char)(crc >> (8 * i));
	rdb_put_raw(o, b, 8);
	rdb_value_init(v);
	return (rdb_payload_decode(o->ro_buf, o->ro_len, v));
}

/* Decode a body and let it go: 0, or -1 and errno. */
static int
decode_free(const void *body, size_t len, int version, size_t *n)
{
	struct rdb_value	 v;
	struct rdb_out		 o;
	int			 rv, err;

	rv = decode_body(body, len, version, &v, &o);
	err = errno;
	*n = v.rv_n;
	rdb_value_free(&v);
	rdb_out_free(&o);
	errno = err;
	return (rv);
}

/* Does the body decode (1), or fail with errno `err' (0)? */
static int
body_fails(const char *body, size_t len, int err)
{
	size_t	 n;

	return (decode_free(body, len, RDB_VERSION, &n) == -1 &&
	    errno == err);
}

#define B(s)	(s), (sizeof(s) - 1)

static void
check_payloads(void)
{
	const struct rdb_vector	*vc = vector("string raw");
	struct rdb_value	 v;
	size_t			 n;
	char			 bad[64];

	memcpy(bad, vc->vc_payload, vc->vc_len);
	bad[vc->vc_len - 1] ^= 1;
	rdb_value_init(&v);
	ok(rdb_payload_decode(bad, vc->vc_len, &v) == -1 && errno == EBADMSG,
	    "a wrong CRC is refused as such");
	rdb_value_free(&v);
	ok(rdb_payload_decode(vc->vc_payload, 9, &v) == -1 &&
	    errno == EBADMSG, "a payload shorter than its footer is refused");
	rdb_value_free(&v);
	ok(decode_free(B("\x00\x01x"), RDB_VERSION + 1, &n) == -1 &&
	    errno == EBADMSG, "a version above 10 is refused");
	ok(decode_free(B("\x00\x01x"), 0, &n) == 0 && n == 1,
	    "an older version is accepted");
	ok(decode_free(B("\x00\x01xGARBAGE"), RDB_VERSION, &n) == 0 &&
	    n == 1, "bytes after the value are ignored, as Redis ignores "
	    "them");

	ok(body_fails(B("\x02\x02\x01" "a\x01" "a"), EINVAL),
	    "a set holding a member twice is bad data");
	ok(body_fails(B("\x04\x02\x01" "f\x01" "a\x01" "f\x01" "b"), EINVAL),
	    "a hash holding a field twice is bad data");
	ok(body_fails(B("\x05\x01\x01" "a\x00\x00\x00\x00\x00\x00\xf8\x7f"),
	    EINVAL), "a NaN score is bad data");
	ok(body_fails(B("\x03\x01\x01" "a\xfd"), EINVAL),
	    "a NaN score in the ASCII form is bad data");
	ok(body_fails(B("\x03\x01\x01" "a\x03" "1.x"), EINVAL),
	    "a score that is not a number is bad data");
	ok(body_fails(B("\x01\x00"), ENOENT), "an empty list is told apart");
	ok(body_fails(B("\x12\x01\x03\x01" "a"), EINVAL),
	    "a quicklist node of container 3 is bad data");
	ok(body_fails(B("\x12\x01\x02\x07\x07\x00\x00\x00\x00\x00\xff"),
	    ENOENT), "a quicklist of only empty nodes is an empty list");
	ok(body_fails(B("\x0f\x00"), ENOTSUP), "a stream is not supported");
	ok(body_fails(B("\x06\x00"), EINVAL), "a module value is bad data");
	ok(body_fails(B("\x08\x00"), EINVAL), "type 8 is bad data");
	ok(body_fails(B("\x14\x00"), EINVAL), "type 20 is bad data");
	ok(body_fails(B("\x00\xc4"), EINVAL), "special string 4 is bad data");
	ok(body_fails(B("\x00\xc3\x02\x40\x00\x00\x00"), EINVAL),
	    "an LZF run that cannot expand that far is bad data");
	ok(body_fails(B("\x01\x41\x00\x01" "a"), EINVAL),
	    "a count beyond the bytes left is bad data");
}

/* Does container c (with byte i set to b first, unless i < 0) decode? */
static int
container_ok(int (*fn)(const unsigned char *, size_t, struct rdb_value *),
    const char *c, size_t len, int i, int b, size_t want_n)
{
	unsigned char		 buf[64];
	struct rdb_value	 v;
	int			 rv;

	memcpy(buf, c, len);
	if (i >= 0)
		buf[i] = (unsigned char)b;
	rdb_value_init(&v);
	rv = fn(buf, len, &v);
	if (rv == 0 && v.rv_n != want_n)
		rv = -1;
	rdb_value_free(&v);
	return (rv == 0);
}

static void
check_containers(void)
{
	/* ["a", 5], as a listpack, a ziplist; [1, 5]; {a: x, b: yz}. */
	static const char lp[] = "\x0c\x00\x00\x00\x02\x00\x81" "a\x02\x05"
	    "\x01\xff";
	static const char zl[] = "\x10\x00\x00\x00\x0d\x00\x00\x00\x02\x00"
	    "\x00\x01" "a\x03\xf6\xff";
	static const char lp_unknown[] = "\x0c\x00\x00\x00\xff\xff\x81" "a"
	    "\x02\x05\x01\xff";
	static const char zl_unknown[] = "\x10\x00\x00\x00\x0d\x00\x00\x00"
	    "\xff\xff\x00\x01" "a\x03\xf6\xff";
	static const char is[] = "\x02\x00\x00\x00\x02\x00\x00\x00\x01\x00"
	    "\x05\x00";
	static const char zm[] = "\x02\x01" "a\x01\x00" "x\x01" "b\x02\x01"
	    "yz\x00\xff";

	ok(container_ok(rdb_listpack_decode, B(lp), -1, 0, 2),
	    "listpack: a good one decodes");
	ok(!container_ok(rdb_listpack_decode, B(lp), 0, 0x0d, 2),
	    "listpack: a wrong total is refused");
	ok(!container_ok(rdb_listpack_decode, B(lp), 4, 3, 2),
	    "listpack: a wrong count is refused");
	ok(container_ok(rdb_listpack_decode, B(lp_unknown), -1, 0, 2),
	    "listpack: an unknown count (65535) is counted");
	ok(!container_ok(rdb_listpack_decode, B(lp), 8, 3, 2),
	    "listpack: a wrong back-length is refused");
	ok(!container_ok(rdb_listpack_decode, B(lp), 9, 0xf5, 2),
	    "listpack: an unknown encoding is refused");
	ok(!container_ok(rdb_listpack_decode, B(lp), 11, 0x00, 2),
	    "listpack: a missing end byte is refused");
	ok(!container_ok(rdb_listpack_decode, B(lp), 6, 0x85, 2),
	    "listpack: a string running past the end is refused");

	ok(container_ok(rdb_ziplist_decode, B(zl), -1, 0, 2),
	    "ziplist: a good one decodes");
	ok(!container_ok(rdb_ziplist_decode, B(zl), 4, 0x0a, 2),
	    "ziplist: a wrong tail offset is refused");
	ok(!container_ok(rdb_ziplist_decode, B(zl), 8, 3, 2),
	    "ziplist: a wrong count is refused");
	ok(container_ok(rdb_ziplist_decode, B(zl_unknown), -1, 0, 2),
	    "ziplist: an unknown count (65535) is counted");
	ok(!container_ok(rdb_ziplist_decode, B(zl), 13, 2, 2),
	    "ziplist: a wrong previous length is refused");
	ok(!container_ok(rdb_ziplist_decode, B(zl), 14, 0xc1, 2),
	    "ziplist: an unknown encoding is refused");
	ok(!container_ok(rdb_ziplist_decode, B(zl), 0, 0x11, 2),
	    "ziplist: a wrong total is refused");

	ok(container_ok(rdb_intset_decode, B(is), -1, 0, 2),
	    "intset: a good one decodes");
	ok(!container_ok(rdb_intset_decode, B(is), 8, 5, 2),
	    "intset: integers out of order are refused");
	ok(!container_ok(rdb_intset_decode, B(is), 10, 1, 2),
	    "intset: an integer twice is refused");
	ok(!container_ok(rdb_intset_decode, B(is), 0, 3, 2),
	    "intset: a width of 3 is refused");
	ok(!container_ok(rdb_intset_decode, B(is), 4, 3, 2),
	    "intset: a count beyond the bytes is refused");

	ok(container_ok(rdb_zipmap_decode, B(zm), -1, 0, 4),
	    "zipmap: a good one decodes, slack skipped");
	ok(!container_ok(rdb_zipmap_decode, B(zm), 0, 3, 4),
	    "zipmap: a wrong count is refused");
	ok(container_ok(rdb_zipmap_decode, B(zm), 0, 254, 4),
	    "zipmap: an unknown count (254) is counted");
	ok(!container_ok(rdb_zipmap_decode, B(zm), 8, 3, 4),
	    "zipmap: slack past the end is refused");
	ok(!container_ok(rdb_zipmap_decode, zm, sizeof(zm) - 2, -1, 0, 4),
	    "zipmap: a missing end byte is refused");
}

/*
 * Decode a damaged body; whatever it says must be an allowed answer, and
 * what it accepts must be readable to its last byte.  1 accepted, 0
 * refused, -1 a wrong answer.
 */
static int
fuzz_one(const unsigned char *body, size_t len, unsigned *sink)
{
	struct rdb_value	 v;
	struct rdb_out		 o;
	size_t			 i, j;
	int			 rv, err;

	rv = decode_body(body, len, RDB_VERSION, &v, &o);
	err = errno;
	if (rv == 0) {
		if (v.rv_n == 0 || v.rv_type < OBJ_STRING ||
		    v.rv_type > OBJ_ZSET)
			rv = -2;
		for (i = 0; i < v.rv_n; i++)
			for (j = 0; j < v.rv_len[i]; j++)
				*sink += (unsigned char)v.rv_ptr[i][j];
	}
	rdb_value_free(&v);
	rdb_out_free(&o);
	if (rv == -2)
		return (-1);
	if (rv == -1)
		return (err == EINVAL || err == ENOTSUP || err == ENOENT ? 0 :
		    -1);
	return (1);
}

static void
check_fuzz(void)
{
	const struct rdb_vector	*vc;
	unsigned char		*body;
	unsigned		 sink = 0, seed = 1;
	size_t			 i, len, k, bit, refused, tries, wrong;
	int			 r, m;

	for (i = 0; i < nitems(rdb_vectors); i++) {
		vc = &rdb_vectors[i];
		len = vc->vc_len - RDB_FOOTER_LEN;
		if ((body = malloc(len)) == NULL)
			abort();
		refused = tries = wrong = 0;
		/* Every truncation. */
		for (k = 0; k < len; k++) {
			r = fuzz_one((const unsigned char *)vc->vc_payload, k,
			    &sink);
			tries++;
			refused += r == 0;
			wrong += r == -1;
		}
		/* Every single bit flipped. */
		for (bit = 0; bit < 8 * len; bit++) {
			memcpy(body, vc->vc_payload, len);
			body[bit / 8] ^= (unsigned char)(1 << (bit % 8));
			r = fuzz_one(body, len, &sink);
			tries++;
			refused += r == 0;
			wrong += r == -1;
		}
		/* A few bytes set at random, many times. */
		for (k = 0; k < 2000; k++) {
			memcpy(body, vc->vc_payload, len);
			for (m = 0; m < 1 + (int)(k % 4); m++) {
				seed = seed * 1103515245 + 12345;
				body[(seed >> 8) % len] =
				    (unsigned char)(seed >> 20);
			}
			r = fuzz_one(body, len, &sink);
			tries++;
			refused += r == 0;
			wrong += r == -1;
		}
		ok(wrong == 0 && refused > len,
		    "fuzz %s: %zu damaged payloads, %zu refused as bad data, "
		    "none mishandled", vc->vc_name, tries, refused);
		free(body);
	}
	diag("checksum of the bytes read: %u", sink);
}

/* Load vector vc into key "k" through its hooks, and save it again. */
static int
hooks_round_trip(struct keyspace *ks, const struct rdb_vector *vc,
    struct rdb_out *o, int keyed)
{
	struct rdb_value	 v;
	struct ks_stripe	*st;
	struct ks_key		 k;
	const struct entry	*e;
	int			 rv;

	rdb_out_init(o);
	rdb_value_init(&v);
	if (rdb_payload_decode(vc->vc_payload, vc->vc_len, &v) == -1)
		return (-1);
	keyspace_key(ks, &k, "k", 1);
	st = keyspace_lock(ks, 0, &k);
	rv = rdb_load_value(ks, st, &k, &v, KEYSPACE_NO_EXPIRE);
	rdb_value_free(&v);
	if (rv == 0) {
		e = keyspace_find_locked(ks, st, &k, 0);
		rv = keyed ? rdb_save_entry(o, ks->ks_arena, e) :
		    rdb_save_value(o, ks->ks_arena, e);
	}
	keyspace_unlock(ks, st);
	if (rv == 0 && !keyed)
		rdb_payload_finish(o);
	return (rv);
}

static void
check_hooks(struct keyspace *ks)
{
	/* Written by Redis as hydra writes them; the fill they had. */
	static const struct {
		const char	*name;
		int		 fill;
	} same[] = {
		{ "list quicklist 2 one node", -2 },
		{ "list quicklist 2 three nodes", 2 },
		{ "list quicklist 2 lzf node", -2 },
		{ "list quicklist 2 long strings", -2 },
		{ "hash listpack", 0 },
		{ "hash listpack long value", 0 },
		{ "hash listpack order", 0 },
		{ "set intset 16", 0 },
		{ "set intset 32", 0 },
		{ "set intset 64", 0 },
		{ "set intset 32 narrowed", 0 },
		{ "zset listpack", 0 },
		{ "zset listpack scores", 0 },
	};
	const struct rdb_vector	*vc;
	struct rdb_value	 v;
	struct rdb_out		 o;
	size_t			 i, j;
	int			 rv, bytes;

	for (i = 0; i < nitems(rdb_vectors); i++) {
		vc = &rdb_vectors[i];
		list_set_fill(-2);
		bytes = vc->vc_type == OBJ_STRING;
		for (j = 0; j < nitems(same); j++)
			if (strcmp(same[j].name, vc->vc_name) == 0) {
				bytes = 1;
				if (same[j].fill != 0)
					list_set_fill(same[j].fill);
			}
		rv = hooks_round_trip(ks, vc, &o, 0);
		if (bytes)
			ok(rv == 0 && o.ro_len == vc->vc_len &&
			    memcmp(o.ro_buf, vc->vc_payload, vc->vc_len) == 0,
			    "load and save %s: Redis's bytes again",
			    vc->vc_name);
		else {
			rdb_value_init(&v);
			ok(rv == 0 && rdb_payload_decode(o.ro_buf, o.ro_len,
			    &v) == 0 && value_matches(vc, &v),
			    "load and save %s: the same elements", vc->vc_name);
			rdb_value_free(&v);
		}
		rdb_out_free(&o);
	}
	list_set_fill(-2);
	rv = hooks_round_trip(ks, vector("string raw"), &o, 1);
	ok(rv == 0 && o.ro_len == 9 && memcmp(o.ro_buf,
	    "\x00\x01k\x05hello", 9) == 0,
	    "a file's entry: type, key, value");
	rdb_out_free(&o);
}

/* Are decoded values a and b the same collection, in any order? */
static int
values_same(const struct rdb_value *a, const struct rdb_value *b)
{
	const struct rdb_value	*v[2] = { a, b };
	size_t			*order[2], step, n, i, k, x, y;
	int			 good = 1;

	if (a->rv_type != b->rv_type || a->rv_n != b->rv_n)
		return (0);
	step = a->rv_type == OBJ_HASH ? 2 : 1;
	n = a->rv_n / step;
	for (k = 0; k < 2; k++) {
		if ((order[k] = calloc(n + 1, sizeof(size_t))) == NULL)
			abort();
		for (i = 0; i < n; i++)
			order[k][i] = i;
		if (a->rv_type != OBJ_LIST) {
			sort_value = v[k];
			sort_step = step;
			qsort(order[k], n, sizeof(size_t), sort_cmp);
		}
	}
	for (i = 0; i < n && good; i++)
		for (k = 0; k < step; k++) {
			x = order[0][i] * step + k;
			y = order[1][i] * step + k;
			good &= bytes_cmp(a->rv_ptr[x], a->rv_len[x],
			    b->rv_ptr[y], b->rv_len[y]) == 0;
			if (a->rv_type == OBJ_ZSET)
				good &= memcmp(&a->rv_score[x], &b->rv_score[y],
				    sizeof(double)) == 0;
		}
	free(order[0]);
	free(order[1]);
	return (good);
}

/* The DUMP payload of key name (in db 0), or -1; *tag its type tag. */
static int
save_key(struct keyspace *ks, const char *name, struct rdb_out *o,
    uint8_t *tag, int64_t *expire)
{
	struct ks_stripe	*st;
	struct ks_key		 k;
	const struct entry	*e;
	int			 rv = -1;

	rdb_out_init(o);
	keyspace_key(ks, &k, name, strlen(name));
	st = keyspace_lock(ks, 0, &k);
	if ((e = keyspace_find_locked(ks, st, &k, 0)) != NULL) {
		*tag = e->e_type;
		*expire = entry_expire(e);
		rv = rdb_save_value(o, ks->ks_arena, e);
	}
	keyspace_unlock(ks, st);
	if (rv == 0)
		rdb_payload_finish(o);
	return (rv);
}

/* RESTORE payload p (of n bytes) under key name: 0, or -1 and errno. */
static int
load_key(struct keyspace *ks, const char *name, const void *p, size_t n,
    int64_t expire)
{
	struct rdb_value	 v;
	struct ks_stripe	*st;
	struct ks_key		 k;
	int			 rv, err;

	rdb_value_init(&v);
	if (rdb_payload_decode(p, n, &v) == -1) {
		err = errno;
		rdb_value_free(&v);
		errno = err;
		return (-1);
	}
	keyspace_key(ks, &k, name, strlen(name));
	st = keyspace_lock(ks, 0, &k);
	rv = rdb_load_value(ks, st, &k, &v, expire);
	err = errno;
	keyspace_unlock(ks, st);
	rdb_value_free(&v);
	errno = err;
	return (rv);
}

/* Do two payloads decode to the same collection? */
static int
payloads_same(const struct rdb_out *a, const struct rdb_out *b)
{
	struct rdb_value	 va, vb;
	int			 same;

	rdb_value_init(&va);
	rdb_value_init(&vb);
	same = rdb_payload_decode(a->ro_buf, a->ro_len, &va) == 0 &&
	    rdb_payload_decode(b->ro_buf, b->ro_len, &vb) == 0 &&
	    values_same(&va, &vb);
	rdb_value_free(&va);
	rdb_value_free(&vb);
	return (same);
}

/* Does a payload decode to what vector vc says Redis answered? */
static int
payloads_same_vector(const struct rdb_out *o, const struct rdb_vector *vc)
{
	struct rdb_value	 v;
	int			 same;

	rdb_value_init(&v);
	same = rdb_payload_decode(o->ro_buf, o->ro_len, &v) == 0 &&
	    value_matches(vc, &v);
	rdb_value_free(&v);
	return (same);
}

/*
 * Build the hash, set or sorted set `name' of n elements, through its
 * type's own interface; kind picks the members (0 numbers, 1 words).
 */
static int
build_value(struct keyspace *ks, const char *name, int type, size_t n,
    int kind)
{
	struct ks_stripe	*st;
	struct ks_key		 k;
	struct hmap_vec		 hv;
	struct list_vec		 lv;
	struct zset_vec		 zv;
	struct set_pool		 sp;
	const char		*m;
	char			 buf[64];
	uint64_t		 added;
	size_t			 i, len;
	int			 rv = 0;

	hmap_vec_init(&hv);
	zset_vec_init(&zv);
	set_pool_init(&sp);
	memset(&lv, 0, sizeof(lv));
	lv.lv_ptr = calloc(n, sizeof(*lv.lv_ptr));
	lv.lv_len = calloc(n, sizeof(*lv.lv_len));
	if (lv.lv_ptr == NULL || lv.lv_len == NULL)
		abort();
	for (i = 0; i < n && rv == 0; i++) {
		len = (size_t)(kind == 0 ? snprintf(buf, sizeof(buf), "%lld",
		    (long long)(i * 7919) - 40000 + (i % 3 == 0 ?
		    (long long)i << 33 : 0)) : snprintf(buf, sizeof(buf),
		    "member:%zu", i));
		if ((m = set_pool_copy(&sp, buf, len)) == NULL)
			abort();
		lv.lv_ptr[lv.lv_n] = m;
		lv.lv_len[lv.lv_n++] = len;
		if (hmap_vec_add(&hv, m, len, m, len / 2) == -1 ||
		    zset_vec_add(&zv, m, len, (double)(i % 50) / 4 -
		    (i % 7 == 0 ? 1e300 : 0)) == -1)
			abort();
	}
	keyspace_key(ks, &k, name, strlen(name));
	st = keyspace_lock(ks, 0, &k);
	(void)keyspace_delete_locked(ks, st, &k);
	if (type == OBJ_HASH)
		rv = hmap_set_locked(ks, st, &k, NULL, &hv, &added);
	else if (type == OBJ_SET)
		rv = set_add_locked(ks, st, &k, NULL, &lv, &added);
	else {
		zset_vec_sort(&zv);
		rv = zset_write_locked(ks, st, &k, &zv, KEYSPACE_NO_EXPIRE);
	}
	keyspace_unlock(ks, st);
	free(lv.lv_ptr);
	free(lv.lv_len);
	hmap_vec_free(&hv);
	zset_vec_free(&zv);
	set_pool_free(&sp);
	return (rv);
}

/* The RDB type a value of that type and tag is saved as. */
static int
expected_rdb_type(uint8_t tag)
{
	switch (tag) {
	case OBJ_HASH | OBJ_HASH_PACKED:
		return (RDB_TYPE_HASH_LISTPACK);
	case OBJ_HASH | OBJ_HASH_TABLE:
		return (RDB_TYPE_HASH);
	case OBJ_SET | OBJ_SET_INTS:
		return (RDB_TYPE_SET_INTSET);
	case OBJ_SET | OBJ_SET_TABLE:
		return (RDB_TYPE_SET);
	case OBJ_ZSET | OBJ_ZSET_PACKED:
		return (RDB_TYPE_ZSET_LISTPACK);
	case OBJ_ZSET | OBJ_ZSET_INDEX:
		return (RDB_TYPE_ZSET_2);
	}
	return (-1);
}

/*
 * Hashes, sets and sorted sets of each encoding, built by their own
 * interfaces, saved, loaded under another key with an expiry, and saved
 * again: the type byte their encoding calls for, the same encoding on
 * load, the expiry kept, and Redis's bytes again for the packed ones
 * (the same members for tables, whose order is their own).
 */
static void
check_round_trips(struct keyspace *ks, struct arena *a)
{
	static const struct {
		int	 type;
		size_t	 n;
		int	 kind;
		uint8_t	 tag;
	} cases[] = {
		{ OBJ_HASH, 5, 1, OBJ_HASH | OBJ_HASH_PACKED },
		{ OBJ_HASH, 600, 1, OBJ_HASH | OBJ_HASH_TABLE },
		{ OBJ_SET, 10, 0, OBJ_SET | OBJ_SET_INTS },
		{ OBJ_SET, 600, 0, OBJ_SET | OBJ_SET_TABLE },
		{ OBJ_SET, 20, 1, OBJ_SET | OBJ_SET_TABLE },
		{ OBJ_ZSET, 20, 1, OBJ_ZSET | OBJ_ZSET_PACKED },
		{ OBJ_ZSET, 400, 1, 0 },	/* as zset.h chooses */
	};
	struct rdb_out	 o1, o2;
	uint8_t		 tag1, tag2;
	int64_t		 exp1, exp2, when = INT64_C(4102444800000);
	size_t		 i;
	int		 good, packed;

	for (i = 0; i < nitems(cases); i++) {
		good = build_value(ks, "orig", cases[i].type, cases[i].n,
		    cases[i].kind) == 0;
		good &= save_key(ks, "orig", &o1, &tag1, &exp1) == 0;
		good &= cases[i].tag == 0 || tag1 == cases[i].tag;
		good &= o1.ro_len > 0 && o1.ro_buf[0] ==
		    expected_rdb_type(tag1);
		good &= load_key(ks, "copy", o1.ro_buf, o1.ro_len, when) == 0;
		good &= save_key(ks, "copy", &o2, &tag2, &exp2) == 0;
		good &= tag2 == tag1 && exp2 == when && exp1 ==
		    KEYSPACE_NO_EXPIRE;
		packed = tag1 == (OBJ_HASH | OBJ_HASH_PACKED) ||
		    tag1 == (OBJ_SET | OBJ_SET_INTS) ||
		    tag1 == (OBJ_ZSET | OBJ_ZSET_PACKED);
		if (packed)
			good &= o1.ro_len == o2.ro_len &&
			    memcmp(o1.ro_buf, o2.ro_buf, o1.ro_len) == 0;
		else
			good &= payloads_same(&o1, &o2);
		ok(good, "a %s of %zu (tag %#x, RDB type %d) saves, loads "
		    "with its expiry and saves again to %s",
		    cases[i].type == OBJ_HASH ? "hash" : cases[i].type ==
		    OBJ_SET ? "set" : "sorted set", cases[i].n, tag1,
		    o1.ro_len > 0 ? o1.ro_buf[0] : -1,
		    packed ? "the same bytes" : "the same members");
		rdb_out_free(&o1);
		rdb_out_free(&o2);
	}
	ok(check_arena(a, 0, stderr, NULL) == 0, "the checker is clean");
}

/* The tag of key name, or 0xff when it does not exist. */
static uint8_t
key_tag(struct keyspace *ks, const char *name)
{
	struct ks_stripe	*st;
	struct ks_key		 k;
	const struct entry	*e;
	uint8_t			 tag = 0xff;

	keyspace_key(ks, &k, name, strlen(name));
	st = keyspace_lock(ks, 0, &k);
	if ((e = keyspace_find_locked(ks, st, &k, 0)) != NULL)
		tag = e->e_type;
	keyspace_unlock(ks, st);
	return (tag);
}

/*
 * The encoding a payload gets on load is Redis 7.0's: a listpack stays
 * packed whatever its lengths, but not past the entry limit; a table of
 * few short pairs, or of few integers, is packed; an intset past
 * set-max-intset-entries is a table.
 */
static void
check_load_encodings(struct keyspace *ks)
{
	static const struct {
		const char	*vector;
		int		 limit;		/* 'v', 'e', 'i': lowered */
		uint8_t		 tag;
		const char	*what;
	} cases[] = {
		{ "hash listpack long value", 0, OBJ_HASH | OBJ_HASH_PACKED,
		    "a listpack hash with a long value stays a listpack" },
		{ "hash table", 0, OBJ_HASH | OBJ_HASH_PACKED,
		    "a hash table of 3 short pairs becomes a listpack" },
		{ "hash table", 'v', OBJ_HASH | OBJ_HASH_TABLE,
		    "... but a table when a value is over "
		    "hash-max-listpack-value" },
		{ "hash listpack", 'e', OBJ_HASH | OBJ_HASH_TABLE,
		    "a listpack hash over hash-max-listpack-entries becomes a "
		    "table" },
		{ "set table", 0, OBJ_SET | OBJ_SET_TABLE,
		    "a set table with words stays a table" },
		{ "set intset 32", 'i', OBJ_SET | OBJ_SET_TABLE,
		    "an intset over set-max-intset-entries becomes a table" },
		{ "set intset 32", 0, OBJ_SET | OBJ_SET_INTS,
		    "... and an intset within it stays one" },
		{ "zset skiplist", 0, OBJ_ZSET | OBJ_ZSET_PACKED,
		    "a skiplist of 4 members becomes a listpack" },
	};
	struct object_limits	 saved = object_limits;
	const struct rdb_vector	*vc;
	size_t			 i;

	for (i = 0; i < nitems(cases); i++) {
		vc = vector(cases[i].vector);
		if (cases[i].limit == 'v')
			object_limits.ol_hash_value = 10;
		else if (cases[i].limit == 'e')
			object_limits.ol_hash_entries = 2;
		else if (cases[i].limit == 'i')
			object_limits.ol_set_intset_entries = 2;
		ok(load_key(ks, "e", vc->vc_payload, vc->vc_len, -1) == 0 &&
		    key_tag(ks, "e") == cases[i].tag, "%s", cases[i].what);
		object_limits = saved;
	}
}

/*
 * RESTORE REPLACE over a key of every type and encoding, by a value of
 * every type and encoding, frees what it replaces.
 */
static void
check_replace(struct keyspace *ks, struct arena *a)
{
	static const struct {
		int	 type;
		size_t	 n;
		int	 kind;
	} olds[] = {
		{ OBJ_HASH, 5, 1 }, { OBJ_HASH, 600, 1 }, { OBJ_SET, 10, 0 },
		{ OBJ_SET, 600, 1 }, { OBJ_ZSET, 20, 1 }, { OBJ_ZSET, 400, 1 },
	};
	static const char *const news[] = { "string raw",
	    "list quicklist 2 three nodes", "hash listpack", "hash table",
	    "set intset 16", "set table", "zset listpack", "zset skiplist" };
	const struct rdb_vector	*vc;
	struct rdb_out		 o;
	uint8_t			 tag;
	int64_t			 exp;
	size_t			 i, j;
	int			 good = 1;

	for (i = 0; i < nitems(olds); i++)
		for (j = 0; j < nitems(news); j++) {
			vc = vector(news[j]);
			good &= build_value(ks, "r", olds[i].type, olds[i].n,
			    olds[i].kind) == 0;
			good &= load_key(ks, "r", vc->vc_payload, vc->vc_len,
			    -1) == 0;
			if (save_key(ks, "r", &o, &tag, &exp) == 0)
				good &= payloads_same_vector(&o, vc);
			else
				good = 0;
			rdb_out_free(&o);
		}
	ok(good, "every value replaces a hash, set or sorted set of each "
	    "encoding whole");
	ok(check_arena(a, 0, stderr, NULL) == 0, "the checker is clean");
}

/* Put strings of many sizes until the arena is full; how many went in. */
static size_t
fill_arena(struct keyspace *ks)
{
	static size_t	 serial;
	char		 name[32], *fill;
	size_t		 fails = 0, n = 0;

	if ((fill = calloc(1, 70000)) == NULL)
		abort();
	while (fails < 200) {
		snprintf(name, sizeof(name), "s%zu", serial++);
		if (keyspace_put(ks, 0, name, strlen(name), OBJ_STRING, fill,
		    16 + (serial * 7919) % 60000, KEYSPACE_NO_EXPIRE) == -1)
			fails++;
		else
			n++;
	}
	while (fails < 400) {
		snprintf(name, sizeof(name), "x%zu", serial++);
		if (keyspace_put(ks, 0, name, strlen(name), OBJ_STRING, fill,
		    8 + serial % 200, KEYSPACE_NO_EXPIRE) == -1)
			fails++;
		else
			n++;
	}
	free(fill);
	return (n);
}

/*
 * In a full arena, a load that finds no memory fails with ENOMEM and
 * leaves the key as it was.
 */
static void
check_enomem(void)
{
	static const struct {
		int	 type;
		size_t	 n;
		int	 kind;
	} big[] = {
		{ OBJ_HASH, 20000, 1 }, { OBJ_SET, 20000, 1 },
		{ OBJ_ZSET, 200000, 1 },
	};
	struct arena		 a;
	struct keyspace		 ks;
	struct rdb_out		 payload[nitems(big)], before, after;
	uint8_t			 tag;
	int64_t			 exp;
	size_t			 i, fails;
	int			 good = 1, rv;

	if (!ok(testarena_store(&a, &ks, STORE_SIZE, 2) == 0,
	    "a second 64 MiB store, to fill"))
		return;
	for (i = 0; i < nitems(big); i++) {
		good &= build_value(&ks, "big", big[i].type, big[i].n,
		    big[i].kind) == 0;
		good &= save_key(&ks, "big", &payload[i], &tag, &exp) == 0;
	}
	ok(good, "payloads of a large hash, sets and a sorted set");
	good &= build_value(&ks, "victim", OBJ_HASH, 5, 1) == 0;
	good &= save_key(&ks, "victim", &before, &tag, &exp) == 0;
	for (i = 0, fails = 0; i < nitems(big); i++) {
		/* What a failed load gave back is taken again. */
		diag("the arena took %zu strings more, full", fill_arena(&ks));
		rv = load_key(&ks, "victim", payload[i].ro_buf,
		    payload[i].ro_len, -1);
		if (rv == -1) {
			fails++;
			good &= errno == ENOMEM;
		} else
			diag("load %zu of %zu bytes found room", i,
			    payload[i].ro_len);
		good &= save_key(&ks, "victim", &after, &tag, &exp) == 0;
		if (rv == -1)
			good &= after.ro_len == before.ro_len &&
			    memcmp(after.ro_buf, before.ro_buf,
			    before.ro_len) == 0;
		rdb_out_free(&after);
		rdb_out_free(&payload[i]);
	}
	ok(good && fails == nitems(big), "in a full arena each of %zu loads "
	    "fails with ENOMEM (%zu did) and leaves the key as it was",
	    nitems(big), fails);
	ok(check_arena(&a, 0, stderr, NULL) == 0, "the checker is clean");
	rdb_out_free(&before);
	testarena_destroy(&a);
}

int
main(void)
{
	struct arena	 a;
	struct keyspace	 ks;

	tap_no_plan();
	check_crc();
	check_lengths();
	check_writers();
	check_vectors();
	check_payloads();
	check_containers();
	check_fuzz();
	if (ok(testarena_store(&a, &ks, STORE_SIZE, 2) == 0,
	    "a 64 MiB store with 4 stripes")) {
		check_hooks(&ks);
		check_round_trips(&ks, &a);
		check_load_encodings(&ks);
		check_replace(&ks, &a);
		testarena_destroy(&a);
	}
	check_enomem();
	return (tap_done());
}
