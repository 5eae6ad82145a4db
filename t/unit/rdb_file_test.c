/*
 * rdb_file_test.c: checks whole RDB files (rdb_file_save.c,
 * rdb_file_load.c).
 *
 * The invariants: the writer gives Redis 7.0's bytes for a small
 * keyspace (magic, AUX fields, SELECTDB, RESIZEDB, EXPIRETIME_MS, keys,
 * EOF, CRC-64), and the same CRC whether the file was drained in pieces
 * or not, and 0 without checksum.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hydra/compat.h"
#include "hydra/crc64.h"
#include "hydra/keyspace.h"
#include "hydra/object.h"
#include "hydra/rdb.h"
#include "hydra/rdb_file.h"
#include "tap.h"
#include "testarena.h"

#define STORE_SIZE	(64u << 20)

#define B(s)	(s), (sizeof(s) - 1)

static const struct rdb_file_aux test_aux = { 1700000000, 1000000, 0 };

/*
 * Does o hold the n bytes at want and then a CRC?  Says where they
 * differ.
 */
static int
bytes_are(const struct rdb_out *o, const char *want, size_t n)
{
	size_t	 i;

	for (i = 0; i < n && i < o->ro_len; i++)
		if (o->ro_buf[i] != (unsigned char)want[i])
			break;
	if (i == n && n + RDB_FILE_CRC_LEN == o->ro_len)
		return (1);
	diag("bytes differ at %zu (have %zu, want %zu)", i, o->ro_len, n);
	return (0);
}

/* Is the last 8 bytes of o the CRC-64 of the rest, little-endian? */
static int
crc_right(const struct rdb_out *o)
{
	uint64_t	 crc, have = 0;
	int		 i;

	if (o->ro_len < RDB_FILE_CRC_LEN)
		return (0);
	crc = crc64(0, o->ro_buf, o->ro_len - RDB_FILE_CRC_LEN);
	for (i = 7; i >= 0; i--)
		have = have << 8 | o->ro_buf[o->ro_len - 8 + i];
	return (crc == have);
}

/* The header every file of test_aux starts with. */
#define TEST_HEADER							\
	"REDIS0010"							\
	"\xfa\x09" "redis-ver" "\x06" "7.0.15"				\
	"\xfa\x0a" "redis-bits" "\xc0\x40"				\
	"\xfa\x05" "ctime" "\xc2\x00\xf1\x53\x65"			\
	"\xfa\x08" "used-mem" "\xc2\x40\x42\x0f\x00"			\
	"\xfa\x08" "aof-base" "\xc0\x00"

/* Write one key of db with the writer's pieces: select, resize, entry. */
static int
write_key(struct keyspace *ks, struct rdb_out *o, unsigned db,
    const char *key)
{
	struct ks_stripe	*st;
	struct ks_key		 k;
	const struct entry	*e;
	int			 rv = -1;

	keyspace_key(ks, &k, key, strlen(key));
	st = keyspace_lock(ks, db, &k);
	if ((e = keyspace_find_locked(ks, st, &k, 0)) != NULL) {
		rdb_file_select(o, db);
		rdb_file_resize(o, 1, entry_expire(e) != KEYSPACE_NO_EXPIRE);
		rv = rdb_file_entry(o, ks->ks_arena, e);
	}
	keyspace_unlock(ks, st);
	return (rv);
}

/*
 * The writer's pieces give Redis's bytes: a string without expiry in
 * db 0, an integer string with one in db 3.
 */
static void
check_writer_bytes(struct keyspace *ks)
{
	static const char want[] = TEST_HEADER
	    "\xfe\x00\xfb\x01\x00" "\x00\x01" "k" "\x01" "v"
	    "\xfe\x03\xfb\x01\x01"
	    "\xfc\x7b\x68\xe5\xcf\x8b\x01\x00\x00"
	    "\x00\x01" "n" "\xc1\x39\x30"
	    "\xff";
	struct rdb_out	 o, part;
	uint64_t	 crc;
	int		 good = 1;

	good &= keyspace_put(ks, 0, B("k"), OBJ_STRING, B("v"),
	    KEYSPACE_NO_EXPIRE) == 0;
	good &= keyspace_put(ks, 3, B("n"), OBJ_STRING, B("12345"),
	    INT64_C(1700000000123)) == 0;
	ok(good, "two keys put");

	rdb_out_init(&o);
	rdb_file_header(&o, &test_aux);
	good = write_key(ks, &o, 0, "k") == 0;
	good &= write_key(ks, &o, 3, "n") == 0;
	rdb_file_trailer(&o, 0, 0);
	ok(good && bytes_are(&o, want, sizeof(want) - 1) &&
	    memcmp(o.ro_buf + o.ro_len - 8, "\0\0\0\0\0\0\0\0", 8) == 0,
	    "header, SELECTDB, RESIZEDB, EXPIRETIME_MS, keys and EOF are "
	    "Redis's bytes; the CRC is 0 without checksum");
	rdb_out_free(&o);

	rdb_out_init(&o);
	rdb_file_header(&o, &test_aux);
	(void)write_key(ks, &o, 0, "k");
	(void)write_key(ks, &o, 3, "n");
	rdb_file_trailer(&o, 0, 1);
	ok(bytes_are(&o, want, sizeof(want) - 1) && crc_right(&o),
	    "with checksum, the trailer is the CRC-64 of the file");

	/* The same file, the first part drained before the trailer. */
	rdb_out_init(&part);
	rdb_file_header(&part, &test_aux);
	(void)write_key(ks, &part, 0, "k");
	crc = crc64(0, part.ro_buf, part.ro_len);
	rdb_out_free(&part);
	rdb_out_init(&part);
	(void)write_key(ks, &part, 3, "n");
	rdb_file_trailer(&part, crc, 1);
	ok(part.ro_len > 8 && memcmp(part.ro_buf + part.ro_len - 8,
	    o.ro_buf + o.ro_len - 8, 8) == 0,
	    "a file drained in pieces gets the same CRC");
	rdb_out_free(&part);
	rdb_out_free(&o);

	rdb_out_init(&o);
	ok(rdb_file_write_keyspace(&o, ks, &test_aux, 0) == 0 &&
	    bytes_are(&o, want, sizeof(want) - 1) && crc_right(&o),
	    "a whole keyspace written at once: the same bytes");
	rdb_out_free(&o);
	keyspace_flush(ks, 0);
	keyspace_flush(ks, 3);
}

int
main(void)
{
	struct arena	 a;
	struct keyspace	 ks;

	tap_no_plan();
	if (ok(testarena_store(&a, &ks, STORE_SIZE, 2) == 0,
	    "a 64 MiB store with 4 stripes per database")) {
		check_writer_bytes(&ks);
		testarena_destroy(&a);
	}
	return (tap_done());
}
