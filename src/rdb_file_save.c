/*
 * rdb_file_save.c: the pieces of a whole RDB file, in Redis 7.0's order
 * (rdb_file.h): the header and its AUX fields, SELECTDB and RESIZEDB,
 * each key with its expiry, and the trailer with the CRC-64.
 *
 * Run by the persister, tools and tests.  Everything goes to private
 * memory (a struct rdb_out); rdb_file_entry() reads an entry whose stripe
 * lock its caller holds, and takes no lock itself.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "hydra/crc64.h"
#include "hydra/rdb.h"
#include "hydra/rdb_file.h"
#include "hydra/version.h"

/* An AUX field whose value is a string. */
static void
rdb_file_aux_str(struct rdb_out *o, const char *name, const char *value)
{
	rdb_put_byte(o, RDB_OPCODE_AUX);
	rdb_put_string(o, name, strlen(name));
	rdb_put_string(o, value, strlen(value));
}

/*
 * An AUX field whose value is a number, spelt in decimal (and so saved
 * as an integer when it fits 32 bits, as every such string is).
 */
static void
rdb_file_aux_num(struct rdb_out *o, const char *name, long long value)
{
	char	 buf[24];

	snprintf(buf, sizeof(buf), "%lld", value);
	rdb_file_aux_str(o, name, buf);
}

void
rdb_file_header(struct rdb_out *o, const struct rdb_file_aux *aux)
{
	char	 magic[RDB_FILE_HEADER_LEN + 1];

	snprintf(magic, sizeof(magic), "%s%04d", RDB_FILE_MAGIC, RDB_VERSION);
	rdb_put_raw(o, magic, RDB_FILE_HEADER_LEN);
	rdb_file_aux_str(o, "redis-ver", HYDRA_REDIS_VERSION);
	rdb_file_aux_num(o, "redis-bits", (long long)sizeof(void *) * 8);
	rdb_file_aux_num(o, "ctime", (long long)aux->ra_ctime);
	rdb_file_aux_num(o, "used-mem", (long long)aux->ra_used_mem);
	rdb_file_aux_num(o, "aof-base", aux->ra_aof_base ? 1 : 0);
}

void
rdb_file_select(struct rdb_out *o, unsigned db)
{
	rdb_put_byte(o, RDB_OPCODE_SELECTDB);
	rdb_put_len(o, db);
}

void
rdb_file_resize(struct rdb_out *o, uint64_t keys, uint64_t expires)
{
	rdb_put_byte(o, RDB_OPCODE_RESIZEDB);
	rdb_put_len(o, keys);
	rdb_put_len(o, expires);
}

int
rdb_file_entry(struct rdb_out *o, struct arena *a, const struct entry *e)
{
	int64_t	 when = entry_expire(e);

	if (when != KEYSPACE_NO_EXPIRE) {
		rdb_put_byte(o, RDB_OPCODE_EXPIRETIME_MS);
		rdb_put_le(o, (uint64_t)when, 8);
	}
	return (rdb_save_entry(o, a, e));
}

void
rdb_file_trailer(struct rdb_out *o, uint64_t crc, int checksum)
{
	rdb_put_byte(o, RDB_OPCODE_EOF);
	if (o->ro_failed)
		return;
	if (checksum)
		crc = crc64(crc, o->ro_buf, o->ro_len);
	else
		crc = 0;
	rdb_put_le(o, crc, RDB_FILE_CRC_LEN);
}

struct rdb_file_walk {
	struct rdb_out	*fw_out;
	struct arena	*fw_arena;
	int		 fw_err;	/* errno of the first failure, or 0 */
};

/* A key met by the scan, its stripe locked. */
static void
rdb_file_walk_entry(const struct entry *e, void *arg)
{
	struct rdb_file_walk	*fw = arg;

	if (fw->fw_err == 0 && rdb_file_entry(fw->fw_out, fw->fw_arena,
	    e) == -1)
		fw->fw_err = errno;
}

int
rdb_file_write_keyspace(struct rdb_out *o, struct keyspace *ks,
    const struct rdb_file_aux *aux, int64_t now_ms)
{
	struct rdb_file_walk	 fw = { o, ks->ks_arena, 0 };
	uint64_t		 keys, expires, cursor;
	unsigned		 db;

	rdb_file_header(o, aux);
	for (db = 0; db < keyspace_databases(ks) && fw.fw_err == 0; db++) {
		keyspace_count(ks, db, &keys, &expires);
		if (keys == 0)
			continue;
		rdb_file_select(o, db);
		rdb_file_resize(o, keys, expires);
		cursor = 0;
		do
			cursor = keyspace_scan(ks, db, cursor, now_ms,
			    rdb_file_walk_entry, &fw);
		while (cursor != 0 && fw.fw_err == 0);
	}
	rdb_file_trailer(o, 0, 1);
	if (fw.fw_err == 0 && o->ro_failed)
		fw.fw_err = ENOMEM;
	if (fw.fw_err != 0) {
		errno = fw.fw_err;
		return (-1);
	}
	return (0);
}
