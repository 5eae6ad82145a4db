/*
 * rdb_decode.c: reading one serialized value, of any type and encoding
 * Redis 7.0 writes or still loads, into a checked struct rdb_value
 * (rdb_decode_value() in rdb.h).
 *
 * Run by any process; pure functions on private memory, no locks.
 *
 * Besides the shape of every encoding (rdb.c's primitives and
 * rdb_pack.c's containers), a value must make sense as a whole: at least
 * one element (a value of none, which older Redis versions could write,
 * is told apart, so that a file may skip its key as Redis 7.0 does), an even count in containers of pairs, scores that are
 * numbers (not NaN), and no member, field or set element twice (Redis
 * checks the last only when it sanitizes payloads deeply; hydra always
 * does, since its types rely on it).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hydra/compat.h"
#include "hydra/hash.h"
#include "hydra/object.h"
#include "hydra/rdb.h"
#include "hydra/rdb_pack.h"

/* The longest score a container may spell out. */
#define RDB_SCORE_MAX	255

static int
rdb_decode_bad(void)
{
	errno = EINVAL;
	return (-1);
}

/*
 * Are the strings 0, step, 2 * step, ... of v distinct?  0, or -1 with
 * errno EINVAL (a repeat) or ENOMEM.  An open-addressed table of indexes,
 * hashed with a seed drawn per call, so that crafted payloads cannot make
 * it slow.
 */
static int
rdb_decode_unique(const struct rdb_value *v, size_t step)
{
	uint64_t	 seed[2];
	size_t		*slot, size = 16, mask, n = v->rv_n / step, i, h, j;

	while (size < 2 * n)
		size *= 2;
	if ((slot = calloc(size, sizeof(*slot))) == NULL)
		return (-1);
	arc4random_buf(seed, sizeof(seed));
	mask = size - 1;
	for (i = 0; i < n; i++) {
		h = (size_t)hash_sip13(seed, v->rv_ptr[i * step],
		    v->rv_len[i * step]);
		for (;; h++) {
			/* Slots hold index + 1; 0 is empty. */
			if ((j = slot[h & mask]) == 0) {
				slot[h & mask] = i + 1;
				break;
			}
			j = (j - 1) * step;
			if (v->rv_len[j] == v->rv_len[i * step] &&
			    memcmp(v->rv_ptr[j], v->rv_ptr[i * step],
			    v->rv_len[j]) == 0) {
				free(slot);
				return (rdb_decode_bad());
			}
		}
	}
	free(slot);
	return (0);
}

/* A score spelt out in a container: a whole number or decimal, not NaN. */
static int
rdb_decode_score(const char *s, size_t len, double *d)
{
	char	 buf[RDB_SCORE_MAX + 1], *end;

	if (len == 0 || len > RDB_SCORE_MAX)
		return (-1);
	memcpy(buf, s, len);
	buf[len] = '\0';
	*d = strtod(buf, &end);
	if (*end != '\0' || isnan(*d))
		return (-1);
	return (0);
}

/*
 * Turn v's strings, member and score alternately, into members with
 * their scores, in place.
 */
static int
rdb_decode_pairs_scored(struct rdb_value *v)
{
	size_t	 i, n;
	double	*score;

	if (v->rv_n % 2 != 0)
		return (rdb_decode_bad());
	n = v->rv_n / 2;
	if ((score = reallocarray(NULL, n > 0 ? n : 1, sizeof(*score))) ==
	    NULL)
		return (-1);
	for (i = 0; i < n; i++) {
		if (rdb_decode_score(v->rv_ptr[2 * i + 1],
		    v->rv_len[2 * i + 1], &score[i]) == -1) {
			free(score);
			return (rdb_decode_bad());
		}
		v->rv_ptr[i] = v->rv_ptr[2 * i];
		v->rv_len[i] = v->rv_len[2 * i];
	}
	free(v->rv_score);
	v->rv_score = score;
	v->rv_n = n;
	return (0);
}

/* A value of no element (well-formed: nothing of it is left to read). */
static int
rdb_decode_empty(void)
{
	errno = ENOENT;
	return (-1);
}

/*
 * A count of things each at least `least' bytes: within what is left?
 * A count of 0 is an empty value.
 */
static int
rdb_decode_count(struct rdb_in *in, uint64_t *n, size_t least)
{
	if (rdb_get_len(in, n) == -1)
		return (-1);
	if (*n == 0)
		return (rdb_decode_empty());
	if (*n > (uint64_t)(in->ri_end - in->ri_p) / least)
		return (rdb_decode_bad());
	return (0);
}

/* n strings, one after the other (n * per of them). */
static int
rdb_decode_strings(struct rdb_in *in, struct rdb_value *v, uint64_t n)
{
	const char	*s;
	size_t		 len;

	while (n-- > 0)
		if (rdb_get_string(in, v, &s, &len) == -1 ||
		    rdb_value_add(v, s, len) == -1)
			return (-1);
	return (0);
}

/* A sorted set as members and scores (ascii: RDB_TYPE_ZSET). */
static int
rdb_decode_zset(struct rdb_in *in, struct rdb_value *v, int ascii)
{
	const char	*s;
	size_t		 len;
	uint64_t	 n;
	double		 d;

	if (rdb_decode_count(in, &n, ascii ? 2 : 9) == -1)
		return (-1);
	while (n-- > 0) {
		if (rdb_get_string(in, v, &s, &len) == -1)
			return (-1);
		if ((ascii ? rdb_get_ascii_double(in, &d) :
		    rdb_get_double(in, &d)) == -1)
			return (-1);
		if (isnan(d))
			return (rdb_decode_bad());
		if (rdb_value_add_scored(v, s, len, d) == -1)
			return (-1);
	}
	return (0);
}

typedef int	(*rdb_container_fn)(const unsigned char *, size_t,
		    struct rdb_value *);

/* A string holding one container, decoded into v. */
static int
rdb_decode_blob(struct rdb_in *in, struct rdb_value *v, rdb_container_fn fn)
{
	const char	*s;
	size_t		 len;

	if (rdb_get_string(in, v, &s, &len) == -1)
		return (-1);
	return (fn((const unsigned char *)s, len, v));
}

/* A quicklist: a count of nodes, each a ziplist (v1) or a listpack (v2). */
static int
rdb_decode_quicklist(struct rdb_in *in, struct rdb_value *v, int v2)
{
	const char	*s;
	size_t		 len;
	uint64_t	 nodes, container;

	if (rdb_decode_count(in, &nodes, v2 ? 2 : 1) == -1)
		return (-1);
	while (nodes-- > 0) {
		container = RDB_QUICKLIST_PACKED;
		if (v2 && rdb_get_len(in, &container) == -1)
			return (-1);
		if (container != RDB_QUICKLIST_PACKED &&
		    container != RDB_QUICKLIST_PLAIN)
			return (rdb_decode_bad());
		if (rdb_get_string(in, v, &s, &len) == -1)
			return (-1);
		if (container == RDB_QUICKLIST_PLAIN) {
			if (rdb_value_add(v, s, len) == -1)
				return (-1);
			continue;
		}
		/* An empty node is skipped, as Redis skips it. */
		if ((v2 ? rdb_listpack_decode : rdb_ziplist_decode)(
		    (const unsigned char *)s, len, v) == -1)
			return (-1);
	}
	return (0);
}

/* Decode the value of RDB type `type'; the checks of the whole follow. */
static int
rdb_decode_typed(struct rdb_in *in, struct rdb_value *v, int type)
{
	uint64_t	 n;

	switch (type) {
	case RDB_TYPE_STRING:
		v->rv_type = OBJ_STRING;
		return (rdb_decode_strings(in, v, 1));
	case RDB_TYPE_LIST:
		v->rv_type = OBJ_LIST;
		if (rdb_decode_count(in, &n, 1) == -1)
			return (-1);
		return (rdb_decode_strings(in, v, n));
	case RDB_TYPE_SET:
		v->rv_type = OBJ_SET;
		if (rdb_decode_count(in, &n, 1) == -1)
			return (-1);
		return (rdb_decode_strings(in, v, n));
	case RDB_TYPE_HASH:
		v->rv_type = OBJ_HASH;
		if (rdb_decode_count(in, &n, 2) == -1)
			return (-1);
		return (rdb_decode_strings(in, v, 2 * n));
	case RDB_TYPE_ZSET:
	case RDB_TYPE_ZSET_2:
		v->rv_type = OBJ_ZSET;
		return (rdb_decode_zset(in, v, type == RDB_TYPE_ZSET));
	case RDB_TYPE_HASH_ZIPMAP:
		v->rv_type = OBJ_HASH;
		return (rdb_decode_blob(in, v, rdb_zipmap_decode));
	case RDB_TYPE_LIST_ZIPLIST:
		v->rv_type = OBJ_LIST;
		return (rdb_decode_blob(in, v, rdb_ziplist_decode));
	case RDB_TYPE_SET_INTSET:
		v->rv_type = OBJ_SET;
		return (rdb_decode_blob(in, v, rdb_intset_decode));
	case RDB_TYPE_ZSET_ZIPLIST:
	case RDB_TYPE_ZSET_LISTPACK:
		v->rv_type = OBJ_ZSET;
		if (rdb_decode_blob(in, v, type == RDB_TYPE_ZSET_ZIPLIST ?
		    rdb_ziplist_decode : rdb_listpack_decode) == -1)
			return (-1);
		return (rdb_decode_pairs_scored(v));
	case RDB_TYPE_HASH_ZIPLIST:
	case RDB_TYPE_HASH_LISTPACK:
		v->rv_type = OBJ_HASH;
		return (rdb_decode_blob(in, v, type == RDB_TYPE_HASH_ZIPLIST ?
		    rdb_ziplist_decode : rdb_listpack_decode));
	case RDB_TYPE_LIST_QUICKLIST:
	case RDB_TYPE_LIST_QUICKLIST_2:
		v->rv_type = OBJ_LIST;
		return (rdb_decode_quicklist(in, v,
		    type == RDB_TYPE_LIST_QUICKLIST_2));
	case RDB_TYPE_STREAM_LISTPACKS:
	case RDB_TYPE_STREAM_LISTPACKS_2:
		errno = ENOTSUP;
		return (-1);
	default:
		/* Modules (Redis answers so without them), and no type. */
		return (rdb_decode_bad());
	}
}

int
rdb_decode_value(struct rdb_in *in, struct rdb_value *v)
{
	if (in->ri_p >= in->ri_end)
		return (rdb_decode_bad());
	return (rdb_decode_body(in, *in->ri_p++, v));
}

int
rdb_decode_body(struct rdb_in *in, int type, struct rdb_value *v)
{
	v->rv_rdbtype = type;
	if (rdb_decode_typed(in, v, type) == -1)
		return (-1);
	if (v->rv_n == 0)
		return (rdb_decode_empty());
	switch (v->rv_type) {
	case OBJ_SET:
	case OBJ_ZSET:
		return (rdb_decode_unique(v, 1));
	case OBJ_HASH:
		if (v->rv_n % 2 != 0)
			return (rdb_decode_bad());
		return (rdb_decode_unique(v, 2));
	}
	return (0);
}
