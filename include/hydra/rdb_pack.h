/*
 * rdb_pack.h: the packed containers that RDB values carry inside their
 * strings: listpack (Redis 7.0's, for list nodes, small hashes and small
 * sorted sets), and the older ziplist, zipmap and intset that Redis 7.0
 * still loads.
 *
 * A listpack is a 6-byte header (total bytes as 32 bits, element count as
 * 16 bits, 65535 when unknown, both little-endian), the elements, and a
 * 0xff byte.  Each element is an encoding byte (a small or large integer,
 * or a string with its length), its data, and its own length written
 * backwards, so that it can be walked from either end.  A ziplist is a
 * 10-byte header (total bytes, offset of the last element, count), the
 * elements, each preceded by the length of the one before it, and 0xff.
 * An intset is a width (2, 4 or 8 bytes), a count and the sorted
 * integers.  A zipmap is a count byte and key-value pairs with short
 * lengths, ended by 0xff.
 *
 * The decoders check every byte (header totals and counts against the
 * bytes and the elements found, every length against the end, the
 * back-links of listpacks and ziplists, the order of intsets, nothing
 * after the end byte) and add each element, as a string, to a struct
 * rdb_value; integers are spelt in decimal.  They return 0, or -1 with
 * errno EINVAL (malformed) or ENOMEM.  The strings added point into the
 * container's bytes, which must outlive the value.
 *
 * Pure functions on private memory; no locks.
 */
#ifndef HYDRA_RDB_PACK_H
#define HYDRA_RDB_PACK_H

#include <stddef.h>
#include <stdint.h>

#include "hydra/rdb.h"

#define RDB_LP_HEADER		6
#define RDB_LP_COUNT_UNKNOWN	65535

/*
 * A listpack being built, as Redis 7.0 builds one by appending: each
 * string that is the canonical decimal form of a 64-bit integer is stored
 * as the smallest integer encoding that holds it, any other string with
 * the smallest length encoding.
 */
struct rdb_lp {
	struct rdb_out	 lp_out;	/* header, elements; no end byte */
	uint64_t	 lp_count;
};

void	 rdb_lp_init(struct rdb_lp *);
void	 rdb_lp_free(struct rdb_lp *);
/* Start over with an empty listpack, keeping the memory. */
void	 rdb_lp_reset(struct rdb_lp *);
void	 rdb_lp_append(struct rdb_lp *, const char *, size_t);
/*
 * A sorted set's score, spelt as Redis 7.0 spells it in a listpack (so a
 * whole score under 2^52 becomes an integer entry): "inf", "-inf", "0",
 * "-0", the integer, or 17 significant digits.
 */
void	 rdb_lp_append_score(struct rdb_lp *, double);
/* The listpack's size, its end byte included. */
size_t	 rdb_lp_bytes(const struct rdb_lp *);
/*
 * Complete the header and the end byte: the listpack's bytes (*len of
 * them), or NULL when memory ran out on the way.  Appending again is
 * allowed only after rdb_lp_reset().
 */
const unsigned char *rdb_lp_finish(struct rdb_lp *, size_t *len);

/*
 * Finish lp and append its bytes to o as a string (rdb_put_string()), or
 * set o's ro_failed when memory ran out; then free lp.
 */
void	 rdb_lp_put(struct rdb_out *, struct rdb_lp *);

/*
 * The bytes of an intset of n sorted, distinct integers, appended to o,
 * each `width' bytes wide (2, 4 or 8; at least what each needs), or, for
 * a width of 0, the smallest that holds them all.
 */
void	 rdb_intset_put(struct rdb_out *, unsigned width, const int64_t *,
	    size_t n);

int	 rdb_listpack_decode(const unsigned char *, size_t,
	    struct rdb_value *);
int	 rdb_ziplist_decode(const unsigned char *, size_t,
	    struct rdb_value *);
/* An intset also sets the value's rv_intset_width. */
int	 rdb_intset_decode(const unsigned char *, size_t, struct rdb_value *);
/* A zipmap adds its pairs as key, value, key, value... */
int	 rdb_zipmap_decode(const unsigned char *, size_t, struct rdb_value *);

#endif /* HYDRA_RDB_PACK_H */
