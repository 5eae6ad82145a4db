/*
 * rdb.h: Redis's RDB serialization of values (RDB version 10, Redis 7.0),
 * shared by DUMP and RESTORE and, later, by the persister's snapshots.
 *
 * A serialized value is a type byte (RDB_TYPE_*) and the type's encoding,
 * built from a few primitives: lengths (6, 14, 32 or 64 bits, the first
 * byte's two high bits telling which), strings (a length and the bytes,
 * or an 8, 16 or 32-bit integer, or an LZF-compressed run), and, inside
 * some strings, the packed containers of Redis (listpack, ziplist,
 * intset, zipmap; rdb_pack.h).  A DUMP payload is a value followed by
 * the RDB version as 2 little-endian bytes and the CRC-64 (crc64.h) of
 * everything before it as 8 little-endian bytes.
 *
 * Saving: rdb_save_value() writes an entry's type byte and value through
 * its type's hooks.  Loading: rdb_decode_value() reads a type byte and
 * its value, checking every byte, into a struct rdb_value (a flat array
 * of strings, and scores for sorted sets); rdb_load_value() hands that to
 * the type's hook, which builds the key's value in the arena.
 *
 * Each value type plugs in through one struct rdb_type_ops (rdb.c's
 * table, by OBJ_* type):
 *
 *   rt_type(a, e)   the RDB type byte entry e's value is saved as;
 *   rt_save(o, a, e)
 *                   append the encoding of that type (what follows the
 *                   type byte, and in a file the key) to o; 0, or -1 with
 *                   errno ENOMEM;
 *   rt_load(ks, st, kk, v, expire_ms)
 *                   make key kk (its stripe st locked) hold the value
 *                   decoded into v, with that expiry, replacing what kk
 *                   held; 0, or -1 with errno ENOMEM (nothing changed).
 *
 * What rt_load gets is checked already: v->rv_type is the hook's type,
 * there is at least one element, and the elements of a set, the fields
 * of a hash and the members of a sorted set are distinct; scores are
 * never NaN.  The layout of v by type:
 *
 *   OBJ_STRING  rv_n 1: the string;
 *   OBJ_LIST    rv_n elements, head first;
 *   OBJ_SET     rv_n members;
 *   OBJ_HASH    rv_n / 2 pairs: field 2i, value 2i + 1;
 *   OBJ_ZSET    rv_n members, rv_score[i] the score of member i.
 *
 * A type without hooks (NULL) is decoded and checked all the same, then
 * refused with ENOTSUP.  What each hook writes, for a DUMP to be Redis's
 * bytes where the encodings agree (a string holding a container is
 * written with rdb_put_string(), as the rest):
 *
 *   list  RDB_TYPE_LIST_QUICKLIST_2, nodes cut as Redis cuts them
 *         (rdb_list.c);
 *   hash  packed: RDB_TYPE_HASH_LISTPACK, a string holding a listpack
 *         (rdb_pack.h) of field, value, ... in the hash's order; table:
 *         RDB_TYPE_HASH, the count of fields, each field and value;
 *   set   integers: RDB_TYPE_SET_INTSET, a string holding
 *         rdb_intset_put()'s bytes at the intset's width; table:
 *         RDB_TYPE_SET, the count, each member;
 *   zset  packed: RDB_TYPE_ZSET_LISTPACK, a string holding a listpack of
 *         member, score (rdb_lp_append_score()), ... lowest score first;
 *         index: RDB_TYPE_ZSET_2, the count, then from the highest score
 *         down each member and its score (rdb_put_double()).
 *
 * A load hook picks the encoding Redis 7.0 gives the value on load,
 * under object_limits: a value read from a table (or a zipmap) is
 * encoded as the commands would encode it; a listpack (or ziplist) hash or sorted set
 * stays packed unless it has more entries than the limit, whatever the
 * lengths of its strings; an intset stays an intset, at its width,
 * unless it has more members than the limit (rdb_hash.c, rdb_set.c;
 * sorted sets leave the choice to zset_write_locked()).  Each type's
 * hooks live in rdb_<type>.c, are declared at the end of this header
 * and fill the type's row of rdb_types[] in rdb.c.
 *
 * Run by workers (and tools and tests); the hooks want the key's stripe
 * locked, the rest touches private memory only.
 */
#ifndef HYDRA_RDB_H
#define HYDRA_RDB_H

#include <stddef.h>
#include <stdint.h>

#include "hydra/arena.h"
#include "hydra/keyspace.h"

#define RDB_VERSION		10

/* Value types, as the type byte says them. */
#define RDB_TYPE_STRING			0
#define RDB_TYPE_LIST			1
#define RDB_TYPE_SET			2
#define RDB_TYPE_ZSET			3
#define RDB_TYPE_HASH			4
#define RDB_TYPE_ZSET_2			5
#define RDB_TYPE_MODULE			6
#define RDB_TYPE_MODULE_2		7
#define RDB_TYPE_HASH_ZIPMAP		9
#define RDB_TYPE_LIST_ZIPLIST		10
#define RDB_TYPE_SET_INTSET		11
#define RDB_TYPE_ZSET_ZIPLIST		12
#define RDB_TYPE_HASH_ZIPLIST		13
#define RDB_TYPE_LIST_QUICKLIST		14
#define RDB_TYPE_STREAM_LISTPACKS	15
#define RDB_TYPE_HASH_LISTPACK		16
#define RDB_TYPE_ZSET_LISTPACK		17
#define RDB_TYPE_LIST_QUICKLIST_2	18
#define RDB_TYPE_STREAM_LISTPACKS_2	19

/* The container of a RDB_TYPE_LIST_QUICKLIST_2 node. */
#define RDB_QUICKLIST_PLAIN		1	/* one element */
#define RDB_QUICKLIST_PACKED		2	/* a listpack */

/* Bytes after a DUMP payload's value: the version and the CRC. */
#define RDB_FOOTER_LEN			10

/*
 * A growing buffer in private memory.  A failed allocation sets ro_failed
 * and makes every later write a no-op, so a writer checks once at the end.
 */
struct rdb_out {
	unsigned char	*ro_buf;
	size_t		 ro_len;
	size_t		 ro_cap;
	int		 ro_failed;
	int		 ro_compress;	/* LZF strings over 20 bytes */
};

void	 rdb_out_init(struct rdb_out *);
void	 rdb_out_free(struct rdb_out *);
void	 rdb_put_raw(struct rdb_out *, const void *, size_t);
void	 rdb_put_byte(struct rdb_out *, unsigned);
void	 rdb_put_len(struct rdb_out *, uint64_t);
/* The low n bytes of v, least significant first. */
void	 rdb_put_le(struct rdb_out *, uint64_t, int n);
/*
 * A string as Redis 7.0 writes it: as an integer when it is the canonical
 * decimal form of one that fits 32 bits, else LZF-compressed when it is
 * over 20 bytes and that saves at least 4 bytes (ro_compress), else its
 * length and bytes.
 */
void	 rdb_put_string(struct rdb_out *, const void *, size_t);
/* A score of RDB_TYPE_ZSET_2: the IEEE double, little-endian. */
void	 rdb_put_double(struct rdb_out *, double);

/*
 * Bytes being read.  Every read checks the bytes left; a failed read
 * leaves the position undefined.
 */
struct rdb_in {
	const unsigned char	*ri_p;
	const unsigned char	*ri_end;
};

/*
 * A decoded value.  Strings point into the payload or into blocks of
 * rv_mem that the value owns (numbers spelt out, LZF runs expanded), so
 * the value is valid as long as the payload and the value live.
 */
struct rdb_mem;

struct rdb_value {
	int		  rv_type;	/* OBJ_* */
	int		  rv_rdbtype;	/* the RDB_TYPE_* it was read as */
	size_t		  rv_n;
	size_t		  rv_cap;
	const char	**rv_ptr;
	size_t		 *rv_len;
	double		 *rv_score;	/* OBJ_ZSET only */
	unsigned	  rv_intset_width; /* of an RDB_TYPE_SET_INTSET, else 0 */
	struct rdb_mem	 *rv_mem;
};

void	 rdb_value_init(struct rdb_value *);
void	 rdb_value_free(struct rdb_value *);
/* Add a string (and, for OBJ_ZSET, its score).  0, or -1 ENOMEM. */
int	 rdb_value_add(struct rdb_value *, const char *, size_t);
int	 rdb_value_add_scored(struct rdb_value *, const char *, size_t,
	    double);
/* Add a number, spelt in decimal.  0, or -1 ENOMEM. */
int	 rdb_value_add_ll(struct rdb_value *, long long);
/* Memory of the value's own, for as long as it lives, or NULL. */
char	*rdb_value_alloc(struct rdb_value *, size_t);

/*
 * Readers of the primitives.  0, or -1 with errno EINVAL (malformed or
 * short) or ENOMEM.  A string read goes into v's memory when it must be
 * expanded, and points into the input otherwise.
 */
int	 rdb_get_len(struct rdb_in *, uint64_t *);
int	 rdb_get_string(struct rdb_in *, struct rdb_value *, const char **,
	    size_t *);
/* A score of RDB_TYPE_ZSET (a length byte and ASCII) or _ZSET_2. */
int	 rdb_get_ascii_double(struct rdb_in *, double *);
int	 rdb_get_double(struct rdb_in *, double *);

/*
 * Read a type byte and the value it announces from `in' into v (freshly
 * initialised).  0, or -1 with errno EINVAL (malformed, or a type Redis
 * 7.0 does not load here: modules), ENOTSUP (a stream: well-formed
 * perhaps, but not a type hydra holds), ENOENT (a well-formed container
 * of no element, read to its end: RESTORE refuses it as bad data, a file
 * skips its key, as Redis 7.0 does) or ENOMEM.
 */
int	 rdb_decode_value(struct rdb_in *, struct rdb_value *);
/* The same for a type byte already read (a file puts the key between). */
int	 rdb_decode_body(struct rdb_in *, int type, struct rdb_value *);

/*
 * A DUMP payload: check its footer (a version not above RDB_VERSION, the
 * CRC), then decode its value into v.  Bytes between the value and the
 * footer are ignored, as Redis 7.0 ignores them.  0, or -1 with errno
 * EBADMSG (version or CRC wrong), or those of rdb_decode_value().
 */
int	 rdb_payload_decode(const void *, size_t, struct rdb_value *);

/* Append the footer of a DUMP payload to what o holds. */
void	 rdb_payload_finish(struct rdb_out *);

/* The hooks of one value type. */
struct rdb_type_ops {
	int	(*rt_type)(struct arena *, const struct entry *);
	int	(*rt_save)(struct rdb_out *, struct arena *,
		    const struct entry *);
	int	(*rt_load)(struct keyspace *, struct ks_stripe *,
		    const struct ks_key *, const struct rdb_value *,
		    int64_t expire_ms);
};

/*
 * Write entry e's type byte and value.  0, or -1 with errno ENOMEM, or
 * ENOTSUP for a type without hooks.
 */
int	 rdb_save_value(struct rdb_out *, struct arena *, const struct entry *);
/* The same with entry e's key as a string after the type byte (a file). */
int	 rdb_save_entry(struct rdb_out *, struct arena *, const struct entry *);

/*
 * Make key kk hold v through its type's hooks.  0, or -1 with errno
 * ENOMEM, or ENOTSUP for a type without hooks.
 */
int	 rdb_load_value(struct keyspace *, struct ks_stripe *,
	    const struct ks_key *, const struct rdb_value *, int64_t expire_ms);

/* The hooks of strings (rdb.c), lists, hashes, sets and sorted sets. */
int	 rdb_string_type(struct arena *, const struct entry *);
int	 rdb_string_save(struct rdb_out *, struct arena *,
	    const struct entry *);
int	 rdb_string_load(struct keyspace *, struct ks_stripe *,
	    const struct ks_key *, const struct rdb_value *, int64_t);
int	 rdb_list_type(struct arena *, const struct entry *);
int	 rdb_list_save(struct rdb_out *, struct arena *, const struct entry *);
int	 rdb_list_load(struct keyspace *, struct ks_stripe *,
	    const struct ks_key *, const struct rdb_value *, int64_t);
int	 rdb_hash_type(struct arena *, const struct entry *);
int	 rdb_hash_save(struct rdb_out *, struct arena *, const struct entry *);
int	 rdb_hash_load(struct keyspace *, struct ks_stripe *,
	    const struct ks_key *, const struct rdb_value *, int64_t);
int	 rdb_set_type(struct arena *, const struct entry *);
int	 rdb_set_save(struct rdb_out *, struct arena *, const struct entry *);
int	 rdb_set_load(struct keyspace *, struct ks_stripe *,
	    const struct ks_key *, const struct rdb_value *, int64_t);
int	 rdb_zset_type(struct arena *, const struct entry *);
int	 rdb_zset_save(struct rdb_out *, struct arena *, const struct entry *);
int	 rdb_zset_load(struct keyspace *, struct ks_stripe *,
	    const struct ks_key *, const struct rdb_value *, int64_t);

#endif /* HYDRA_RDB_H */
