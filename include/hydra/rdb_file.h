/*
 * rdb_file.h: whole RDB files, as Redis 7.0 writes and loads them, on top
 * of rdb.h's codec of values.
 *
 * A file is the magic "REDIS" and four digits of version, then a run of
 * opcodes and keys, then the EOF opcode and (from version 5 on) the
 * CRC-64 (crc64.h) of every byte before it, little-endian, or 0 when it
 * was written without a checksum:
 *
 *   AUX name value          two strings: a fact about the file
 *                           (redis-ver, redis-bits, ctime, used-mem,
 *                           aof-base, repl-*, ...), unknown names ignored
 *   SELECTDB db             a length: the database of the keys after it
 *   RESIZEDB keys expires   two lengths: a hint of the database's sizes
 *   EXPIRETIME_MS t         8 bytes little-endian: the next key's expiry
 *   EXPIRETIME t            4 bytes little-endian seconds (old files)
 *   IDLE s, FREQ f          a length, a byte: the next key's clock
 *   FUNCTION2, MODULE_AUX   functions and module data, which hydra does
 *                           not hold: a file with them is refused
 *   type key value          a key: rdb.h's type byte, the key as a
 *                           string, the value (rdb_save_entry())
 *
 * The writer appends pieces to a struct rdb_out, which its caller may
 * drain to disk between calls (a snapshot does, stripe by stripe); the
 * caller keeps the CRC of what it drained and hands it to the trailer.
 * The loader reads a whole file held in memory (or mapped) into a
 * keyspace whose databases are empty.
 *
 * Run by the persister (writer) and at start (loader), and by tools and
 * tests.  The writer reads entries whose stripe the caller has locked;
 * the loader takes each key's stripe lock through keyspace_lock().
 */
#ifndef HYDRA_RDB_FILE_H
#define HYDRA_RDB_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "hydra/arena.h"
#include "hydra/keyspace.h"
#include "hydra/rdb.h"

/* Opcodes, in the place of a type byte. */
#define RDB_OPCODE_FUNCTION2		245
#define RDB_OPCODE_FUNCTION_PRE_GA	246
#define RDB_OPCODE_MODULE_AUX		247
#define RDB_OPCODE_IDLE			248
#define RDB_OPCODE_FREQ			249
#define RDB_OPCODE_AUX			250
#define RDB_OPCODE_RESIZEDB		251
#define RDB_OPCODE_EXPIRETIME_MS	252
#define RDB_OPCODE_EXPIRETIME		253
#define RDB_OPCODE_SELECTDB		254
#define RDB_OPCODE_EOF			255

/* "REDIS0010": the magic and the version as four digits. */
#define RDB_FILE_MAGIC			"REDIS"
#define RDB_FILE_HEADER_LEN		9
/* Bytes after the EOF opcode: the CRC-64, little-endian. */
#define RDB_FILE_CRC_LEN		8

/* What Redis 7.0 puts in AUX fields at the head of a file. */
struct rdb_file_aux {
	int64_t		 ra_ctime;	/* seconds since the epoch */
	uint64_t	 ra_used_mem;	/* bytes in use */
	int		 ra_aof_base;	/* 1: the file is an AOF's base */
};

/*
 * "REDIS0010" and the AUX fields: redis-ver (the Redis version hydra
 * follows), redis-bits, ctime, used-mem, aof-base.
 */
void	 rdb_file_header(struct rdb_out *, const struct rdb_file_aux *);
/*
 * SELECTDB db.  A file may select a database more than once: a snapshot
 * writes stripes in whatever order they come, each run of keys after the
 * SELECTDB of its database.
 */
void	 rdb_file_select(struct rdb_out *, unsigned db);
/* RESIZEDB, a hint of the database's sizes. */
void	 rdb_file_resize(struct rdb_out *, uint64_t keys, uint64_t expires);
/*
 * One key, whose stripe the caller holds: EXPIRETIME_MS when it has an
 * expiry, then type, key, value (rdb_save_entry()).  0, or -1 with errno
 * as rdb_save_entry().
 */
int	 rdb_file_entry(struct rdb_out *, struct arena *, const struct entry *);
/*
 * The end: the EOF opcode, then the CRC-64 of the whole file (0 when
 * `checksum' is off, as rdbchecksum no).  `crc' is the CRC-64 of every
 * byte of the file written before what o holds now (0 when o holds the
 * whole file).
 */
void	 rdb_file_trailer(struct rdb_out *, uint64_t crc, int checksum);

/*
 * A whole file of every key of ks that is live at now_ms, database by
 * database, with the checksum, for tools and tests: each step of the walk
 * holds one stripe's lock (keyspace_scan()), so the file is a cut in time
 * only when nothing writes meanwhile.  0, or -1 with errno as
 * rdb_file_entry().
 */
int	 rdb_file_write_keyspace(struct rdb_out *, struct keyspace *,
	    const struct rdb_file_aux *, int64_t now_ms);

/* A load: what it did, and why it stopped. */
struct rdb_file_load {
	uint64_t	 rl_keys;	/* keys loaded (0 after a failure) */
	uint64_t	 rl_expired;	/* keys skipped: their time had passed */
	uint64_t	 rl_empty;	/* keys skipped: a value of no element,
					   which older versions could write */
	size_t		 rl_used;	/* bytes of the input the RDB took
					   (an AOF base may go on after it) */
	int		 rl_version;	/* of the file's magic */
	struct rdb_file_aux rl_aux;	/* from its AUX fields, 0 if none */
	char		 rl_err[256];	/* why a load failed, for the log */
	/* Called now and then (may be NULL): bytes read so far. */
	void		(*rl_progress)(void *arg, size_t done, size_t total,
			    uint64_t keys);
	void		*rl_arg;
};

/*
 * Load the RDB at buf into ks (whose databases are empty) as Redis 7.0
 * loads one on a master: every opcode Redis 7.0 writes, every value
 * encoding rdb.h decodes, keys whose time has passed (expiry < now_ms)
 * skipped; now_ms INT64_MIN skips none (an AOF's base); keys of an empty
 * value skipped.  The caller sets
 * rl_progress and rl_arg; the rest of *rl is filled in.  0; or -1 with
 * rl_err set (malformed, truncated, CRC wrong, functions, a module or a
 * stream, a database beyond the keyspace's, a key twice, the arena full)
 * after flushing every database: never half loaded.  errno is then
 * ENOMEM when memory (the arena's, or the process's) ran out, ENOTSUP
 * for a stream, and EINVAL for the rest.
 */
int	 rdb_file_load(struct keyspace *, const void *buf, size_t len,
	    int64_t now_ms, struct rdb_file_load *);
/*
 * The same for the file at path (mapped read-only).  -1 with errno ENOENT
 * and rl_err set when there is no file.
 */
int	 rdb_file_load_path(struct keyspace *, const char *path,
	    int64_t now_ms, struct rdb_file_load *);

#endif /* HYDRA_RDB_FILE_H */
