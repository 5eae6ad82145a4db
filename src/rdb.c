/*
 * rdb.c: the primitives of Redis's RDB serialization (lengths, strings,
 * scores), decoded values, DUMP payload framing, the table of per-type
 * hooks, and the hooks of strings (rdb.h).
 *
 * Run by workers, tools and tests.  Everything here works on private
 * memory, except the hooks, which read or write an entry with its stripe
 * locked by the caller.
 *
 * LZF is liblzf's, the same algorithm and parameters as Redis's copy, so
 * that a string compresses to the bytes Redis would write.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lzf.h>

#include "hydra/crc64.h"
#include "hydra/object.h"
#include "hydra/rdb.h"

#include "command_internal.h"

/* The first byte of a length or a string, by its two high bits. */
#define RDB_6BIT	0
#define RDB_14BIT	1
#define RDB_32_64BIT	2
#define RDB_ENCVAL	3
#define RDB_32BIT	0x80
#define RDB_64BIT	0x81

/* Special strings: the low six bits after RDB_ENCVAL. */
#define RDB_ENC_INT8	0
#define RDB_ENC_INT16	1
#define RDB_ENC_INT32	2
#define RDB_ENC_LZF	3

/* Scores of RDB_TYPE_ZSET that are no decimal number. */
#define RDB_SCORE_NAN	253
#define RDB_SCORE_PINF	254
#define RDB_SCORE_NINF	255

#define RDB_MEM_BLOCK	65536
/* An LZF run of n bytes expands to at most this many times n. */
#define RDB_LZF_RATIO	132

struct rdb_mem {
	struct rdb_mem	*rm_next;
	size_t		 rm_used;
	size_t		 rm_size;
	char		 rm_data[];
};

/* Output. */

void
rdb_out_init(struct rdb_out *o)
{
	memset(o, 0, sizeof(*o));
	o->ro_compress = 1;
}

void
rdb_out_free(struct rdb_out *o)
{
	free(o->ro_buf);
	o->ro_buf = NULL;
	o->ro_len = o->ro_cap = 0;
}

/* Room for n more bytes, or 0 with ro_failed set. */
static int
rdb_out_room(struct rdb_out *o, size_t n)
{
	unsigned char	*nb;
	size_t		 cap;

	if (o->ro_failed)
		return (0);
	if (o->ro_cap - o->ro_len >= n)
		return (1);
	cap = o->ro_cap == 0 ? 256 : o->ro_cap;
	while (cap - o->ro_len < n) {
		if (cap > SIZE_MAX / 2) {
			o->ro_failed = 1;
			return (0);
		}
		cap *= 2;
	}
	if ((nb = realloc(o->ro_buf, cap)) == NULL) {
		o->ro_failed = 1;
		return (0);
	}
	o->ro_buf = nb;
	o->ro_cap = cap;
	return (1);
}

void
rdb_put_raw(struct rdb_out *o, const void *p, size_t n)
{
	if (n == 0 || !rdb_out_room(o, n))
		return;
	memcpy(o->ro_buf + o->ro_len, p, n);
	o->ro_len += n;
}

void
rdb_put_byte(struct rdb_out *o, unsigned b)
{
	unsigned char	 c = (unsigned char)b;

	rdb_put_raw(o, &c, 1);
}

void
rdb_put_le(struct rdb_out *o, uint64_t v, int n)
{
	unsigned char	 b[8];
	int		 i;

	for (i = 0; i < n; i++)
		b[i] = (unsigned char)(v >> (8 * i));
	rdb_put_raw(o, b, (size_t)n);
}

/* n bytes of v, most significant first. */
static void
rdb_put_be(struct rdb_out *o, uint64_t v, int n)
{
	unsigned char	 b[8];
	int		 i;

	for (i = 0; i < n; i++)
		b[i] = (unsigned char)(v >> (8 * (n - 1 - i)));
	rdb_put_raw(o, b, (size_t)n);
}

void
rdb_put_len(struct rdb_out *o, uint64_t len)
{
	if (len < 64)
		rdb_put_byte(o, (unsigned)len);
	else if (len < 16384) {
		rdb_put_byte(o, (RDB_14BIT << 6) | (unsigned)(len >> 8));
		rdb_put_byte(o, (unsigned)(len & 0xff));
	} else if (len <= UINT32_MAX) {
		rdb_put_byte(o, RDB_32BIT);
		rdb_put_be(o, len, 4);
	} else {
		rdb_put_byte(o, RDB_64BIT);
		rdb_put_be(o, len, 8);
	}
}

/*
 * The integer that a string of at most 11 bytes is the canonical decimal
 * form of (Redis's string2ll(), as command_parse_ll() reads it), when it
 * fits 32 bits.  1 and *out, or 0.
 */
static int
rdb_string_int(const char *s, size_t len, long long *out)
{
	return (len <= 11 && command_parse_ll(s, len, out) == 0 &&
	    *out >= INT32_MIN && *out <= INT32_MAX);
}

/* The LZF form of s, when it saves 4 bytes or more.  1 written, 0 not. */
static int
rdb_put_lzf(struct rdb_out *o, const void *s, size_t len)
{
	unsigned char	*out;
	unsigned int	 clen;

	if (len <= 4 || len > UINT_MAX)
		return (0);
	if ((out = malloc(len - 4)) == NULL)
		return (0);
	clen = lzf_compress(s, (unsigned int)len, out,
	    (unsigned int)(len - 4));
	if (clen == 0) {
		free(out);
		return (0);
	}
	rdb_put_byte(o, (RDB_ENCVAL << 6) | RDB_ENC_LZF);
	rdb_put_len(o, clen);
	rdb_put_len(o, len);
	rdb_put_raw(o, out, clen);
	free(out);
	return (1);
}

void
rdb_put_string(struct rdb_out *o, const void *s, size_t len)
{
	long long	 v;

	if (rdb_string_int(s, len, &v)) {
		if (v >= INT8_MIN && v <= INT8_MAX) {
			rdb_put_byte(o, (RDB_ENCVAL << 6) | RDB_ENC_INT8);
			rdb_put_byte(o, (unsigned)v & 0xff);
		} else if (v >= INT16_MIN && v <= INT16_MAX) {
			rdb_put_byte(o, (RDB_ENCVAL << 6) | RDB_ENC_INT16);
			rdb_put_byte(o, (unsigned)v & 0xff);
			rdb_put_byte(o, ((unsigned)v >> 8) & 0xff);
		} else {
			rdb_put_byte(o, (RDB_ENCVAL << 6) | RDB_ENC_INT32);
			rdb_put_byte(o, (unsigned)v & 0xff);
			rdb_put_byte(o, ((unsigned)v >> 8) & 0xff);
			rdb_put_byte(o, ((unsigned)v >> 16) & 0xff);
			rdb_put_byte(o, ((unsigned)v >> 24) & 0xff);
		}
		return;
	}
	if (o->ro_compress && len > 20 && rdb_put_lzf(o, s, len))
		return;
	rdb_put_len(o, len);
	rdb_put_raw(o, s, len);
}

void
rdb_put_double(struct rdb_out *o, double d)
{
	uint64_t	 u;

	memcpy(&u, &d, sizeof(u));
	rdb_put_le(o, u, 8);
}

/* Decoded values. */

void
rdb_value_init(struct rdb_value *v)
{
	memset(v, 0, sizeof(*v));
	v->rv_rdbtype = -1;
}

void
rdb_value_free(struct rdb_value *v)
{
	struct rdb_mem	*m, *next;

	for (m = v->rv_mem; m != NULL; m = next) {
		next = m->rm_next;
		free(m);
	}
	free(v->rv_ptr);
	free(v->rv_len);
	free(v->rv_score);
	rdb_value_init(v);
}

char *
rdb_value_alloc(struct rdb_value *v, size_t n)
{
	struct rdb_mem	*m = v->rv_mem;
	size_t		 size;
	char		*p;

	if (m == NULL || m->rm_size - m->rm_used < n) {
		size = n > RDB_MEM_BLOCK - sizeof(*m) ? n :
		    RDB_MEM_BLOCK - sizeof(*m);
		if (size > SIZE_MAX - sizeof(*m) ||
		    (m = malloc(sizeof(*m) + size)) == NULL) {
			errno = ENOMEM;
			return (NULL);
		}
		m->rm_used = 0;
		m->rm_size = size;
		/* A block of its own goes behind the one being filled. */
		if (v->rv_mem != NULL && size > RDB_MEM_BLOCK - sizeof(*m)) {
			m->rm_next = v->rv_mem->rm_next;
			v->rv_mem->rm_next = m;
		} else {
			m->rm_next = v->rv_mem;
			v->rv_mem = m;
		}
	}
	p = m->rm_data + m->rm_used;
	m->rm_used += n;
	return (p);
}

/* Room for one more element (and score). */
static int
rdb_value_grow(struct rdb_value *v, int scored)
{
	const char	**np;
	size_t		 *nl, cap;
	double		 *ns;

	if (v->rv_n < v->rv_cap && (!scored || v->rv_score != NULL))
		return (0);
	cap = v->rv_cap == 0 ? 16 : v->rv_cap;
	if (v->rv_n == v->rv_cap)
		cap *= 2;
	if ((np = reallocarray(v->rv_ptr, cap, sizeof(*np))) == NULL)
		return (-1);
	v->rv_ptr = np;
	if ((nl = reallocarray(v->rv_len, cap, sizeof(*nl))) == NULL)
		return (-1);
	v->rv_len = nl;
	if (scored || v->rv_score != NULL) {
		if ((ns = reallocarray(v->rv_score, cap, sizeof(*ns))) ==
		    NULL)
			return (-1);
		v->rv_score = ns;
	}
	v->rv_cap = cap;
	return (0);
}

int
rdb_value_add(struct rdb_value *v, const char *s, size_t len)
{
	if (rdb_value_grow(v, 0) == -1) {
		errno = ENOMEM;
		return (-1);
	}
	v->rv_ptr[v->rv_n] = s;
	v->rv_len[v->rv_n] = len;
	if (v->rv_score != NULL)
		v->rv_score[v->rv_n] = 0;
	v->rv_n++;
	return (0);
}

int
rdb_value_add_scored(struct rdb_value *v, const char *s, size_t len,
    double score)
{
	if (rdb_value_grow(v, 1) == -1) {
		errno = ENOMEM;
		return (-1);
	}
	v->rv_ptr[v->rv_n] = s;
	v->rv_len[v->rv_n] = len;
	v->rv_score[v->rv_n] = score;
	v->rv_n++;
	return (0);
}

/* n spelt in decimal in v's memory, or NULL (ENOMEM). */
static const char *
rdb_value_ll(struct rdb_value *v, long long n, size_t *len)
{
	char	 buf[24], *p;
	int	 l;

	l = snprintf(buf, sizeof(buf), "%lld", n);
	if ((p = rdb_value_alloc(v, (size_t)l)) == NULL)
		return (NULL);
	memcpy(p, buf, (size_t)l);
	*len = (size_t)l;
	return (p);
}

int
rdb_value_add_ll(struct rdb_value *v, long long n)
{
	const char	*p;
	size_t		 len;

	if ((p = rdb_value_ll(v, n, &len)) == NULL)
		return (-1);
	return (rdb_value_add(v, p, len));
}

/* Input. */

static int
rdb_bad(void)
{
	errno = EINVAL;
	return (-1);
}

/* The next n bytes, or NULL when fewer are left. */
static const unsigned char *
rdb_take(struct rdb_in *in, size_t n)
{
	const unsigned char	*p = in->ri_p;

	if ((size_t)(in->ri_end - p) < n)
		return (NULL);
	in->ri_p += n;
	return (p);
}

static uint64_t
rdb_be(const unsigned char *p, int n)
{
	uint64_t	 v = 0;
	int		 i;

	for (i = 0; i < n; i++)
		v = v << 8 | p[i];
	return (v);
}

/*
 * The first byte's two high bits and what follows: a length, or (encval)
 * the low six bits of a special string.
 */
static int
rdb_get_len_enc(struct rdb_in *in, uint64_t *len, int *encval)
{
	const unsigned char	*p;

	*encval = 0;
	if ((p = rdb_take(in, 1)) == NULL)
		return (rdb_bad());
	switch (p[0] >> 6) {
	case RDB_6BIT:
		*len = p[0] & 0x3f;
		return (0);
	case RDB_14BIT:
		if ((p = rdb_take(in, 1)) == NULL)
			return (rdb_bad());
		*len = (uint64_t)(p[-1] & 0x3f) << 8 | p[0];
		return (0);
	case RDB_ENCVAL:
		*encval = 1;
		*len = p[0] & 0x3f;
		return (0);
	}
	if (p[0] == RDB_32BIT) {
		if ((p = rdb_take(in, 4)) == NULL)
			return (rdb_bad());
		*len = rdb_be(p, 4);
		return (0);
	}
	if (p[0] == RDB_64BIT) {
		if ((p = rdb_take(in, 8)) == NULL)
			return (rdb_bad());
		*len = rdb_be(p, 8);
		return (0);
	}
	return (rdb_bad());
}

int
rdb_get_len(struct rdb_in *in, uint64_t *len)
{
	int	 encval;

	if (rdb_get_len_enc(in, len, &encval) == -1)
		return (-1);
	return (encval ? rdb_bad() : 0);
}

/* An LZF run: its lengths, then clen bytes that expand to len. */
static int
rdb_get_lzf(struct rdb_in *in, struct rdb_value *v, const char **s,
    size_t *slen)
{
	const unsigned char	*p;
	uint64_t		 clen, len;
	char			*out;

	if (rdb_get_len(in, &clen) == -1 || rdb_get_len(in, &len) == -1)
		return (-1);
	if (clen == 0 || clen > (uint64_t)(in->ri_end - in->ri_p) ||
	    len == 0 || len > UINT_MAX || len / RDB_LZF_RATIO > clen)
		return (rdb_bad());
	p = rdb_take(in, (size_t)clen);
	if ((out = rdb_value_alloc(v, (size_t)len)) == NULL)
		return (-1);
	if (lzf_decompress(p, (unsigned int)clen, out, (unsigned int)len) !=
	    len)
		return (rdb_bad());
	*s = out;
	*slen = (size_t)len;
	return (0);
}

int
rdb_get_string(struct rdb_in *in, struct rdb_value *v, const char **s,
    size_t *slen)
{
	const unsigned char	*p;
	uint64_t		 len;
	long long		 n;
	int			 encval;

	if (rdb_get_len_enc(in, &len, &encval) == -1)
		return (-1);
	if (!encval) {
		if (len > (uint64_t)(in->ri_end - in->ri_p))
			return (rdb_bad());
		*s = (const char *)rdb_take(in, (size_t)len);
		*slen = (size_t)len;
		return (0);
	}
	switch (len) {
	case RDB_ENC_INT8:
		if ((p = rdb_take(in, 1)) == NULL)
			return (rdb_bad());
		n = (int8_t)p[0];
		break;
	case RDB_ENC_INT16:
		if ((p = rdb_take(in, 2)) == NULL)
			return (rdb_bad());
		n = (int16_t)(uint16_t)(p[0] | p[1] << 8);
		break;
	case RDB_ENC_INT32:
		if ((p = rdb_take(in, 4)) == NULL)
			return (rdb_bad());
		n = (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 |
		    (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
		break;
	case RDB_ENC_LZF:
		return (rdb_get_lzf(in, v, s, slen));
	default:
		return (rdb_bad());
	}
	return ((*s = rdb_value_ll(v, n, slen)) == NULL ? -1 : 0);
}

int
rdb_get_ascii_double(struct rdb_in *in, double *d)
{
	const unsigned char	*p;
	char			 buf[256], *end;

	if ((p = rdb_take(in, 1)) == NULL)
		return (rdb_bad());
	switch (p[0]) {
	case RDB_SCORE_NAN:
		*d = NAN;
		return (0);
	case RDB_SCORE_PINF:
		*d = INFINITY;
		return (0);
	case RDB_SCORE_NINF:
		*d = -INFINITY;
		return (0);
	}
	if (p[0] == 0 || (p = rdb_take(in, p[0])) == NULL)
		return (rdb_bad());
	memcpy(buf, p, p[-1]);
	buf[p[-1]] = '\0';
	errno = 0;
	*d = strtod(buf, &end);
	if (end == buf || *end != '\0')
		return (rdb_bad());
	return (0);
}

int
rdb_get_double(struct rdb_in *in, double *d)
{
	const unsigned char	*p;
	uint64_t		 u = 0;
	int			 i;

	if ((p = rdb_take(in, 8)) == NULL)
		return (rdb_bad());
	for (i = 7; i >= 0; i--)
		u = u << 8 | p[i];
	memcpy(d, &u, sizeof(*d));
	return (0);
}

/* DUMP payloads. */

void
rdb_payload_finish(struct rdb_out *o)
{
	uint64_t	 crc;

	rdb_put_le(o, RDB_VERSION, 2);
	if (o->ro_failed)
		return;
	crc = crc64(0, o->ro_buf, o->ro_len);
	rdb_put_le(o, crc, 8);
}

int
rdb_payload_decode(const void *payload, size_t len, struct rdb_value *v)
{
	const unsigned char	*p = payload, *footer;
	struct rdb_in		 in;
	uint64_t		 crc;
	int			 i;

	if (len < RDB_FOOTER_LEN) {
		errno = EBADMSG;
		return (-1);
	}
	footer = p + len - RDB_FOOTER_LEN;
	if ((footer[0] | footer[1] << 8) > RDB_VERSION) {
		errno = EBADMSG;
		return (-1);
	}
	crc = crc64(0, p, len - 8);
	for (i = 0; i < 8; i++)
		if (footer[2 + i] != (unsigned char)(crc >> (8 * i))) {
			errno = EBADMSG;
			return (-1);
		}
	/*
	 * As in Redis, the value is read from the whole payload and what
	 * it leaves unread is not looked at.
	 */
	in.ri_p = p;
	in.ri_end = p + len;
	return (rdb_decode_value(&in, v));
}

/* The hooks. */

static const struct rdb_type_ops rdb_types[] = {
	[OBJ_STRING] = { rdb_string_type, rdb_string_save, rdb_string_load },
	[OBJ_LIST] = { rdb_list_type, rdb_list_save, rdb_list_load },
	[OBJ_HASH] = { rdb_hash_type, rdb_hash_save, rdb_hash_load },
	[OBJ_SET] = { rdb_set_type, rdb_set_save, rdb_set_load },
	[OBJ_ZSET] = { rdb_zset_type, rdb_zset_save, rdb_zset_load },
};

static const struct rdb_type_ops *
rdb_type_ops(int type)
{
	if (type < 0 || (size_t)type >= sizeof(rdb_types) /
	    sizeof(rdb_types[0]) || rdb_types[type].rt_save == NULL) {
		errno = ENOTSUP;
		return (NULL);
	}
	return (&rdb_types[type]);
}

/* The type byte, the key when `keyed', the value. */
static int
rdb_save(struct rdb_out *o, struct arena *a, const struct entry *e,
    int keyed)
{
	const struct rdb_type_ops	*ops;
	const char			*key;
	size_t				 klen;

	if ((ops = rdb_type_ops(OBJ_TYPE(e->e_type))) == NULL)
		return (-1);
	rdb_put_byte(o, (unsigned)ops->rt_type(a, e));
	if (keyed) {
		key = entry_key(e, &klen);
		rdb_put_string(o, key, klen);
	}
	if (ops->rt_save(o, a, e) == -1 || o->ro_failed) {
		errno = ENOMEM;
		return (-1);
	}
	return (0);
}

int
rdb_save_value(struct rdb_out *o, struct arena *a, const struct entry *e)
{
	return (rdb_save(o, a, e, 0));
}

int
rdb_save_entry(struct rdb_out *o, struct arena *a, const struct entry *e)
{
	return (rdb_save(o, a, e, 1));
}

int
rdb_load_value(struct keyspace *ks, struct ks_stripe *st,
    const struct ks_key *kk, const struct rdb_value *v, int64_t expire_ms)
{
	const struct rdb_type_ops	*ops;

	if ((ops = rdb_type_ops(v->rv_type)) == NULL)
		return (-1);
	return (ops->rt_load(ks, st, kk, v, expire_ms));
}

int
rdb_string_type(struct arena *a, const struct entry *e)
{
	(void)a;
	(void)e;
	return (RDB_TYPE_STRING);
}

int
rdb_string_save(struct rdb_out *o, struct arena *a, const struct entry *e)
{
	const char	*s;
	size_t		 len;

	(void)a;
	s = entry_value(e, &len);
	rdb_put_string(o, s, len);
	return (o->ro_failed ? -1 : 0);
}

/* A restored string is a client's string: "int", "embstr" or "raw". */
int
rdb_string_load(struct keyspace *ks, struct ks_stripe *st,
    const struct ks_key *kk, const struct rdb_value *v, int64_t expire_ms)
{
	return (keyspace_put_locked(ks, st, kk, OBJ_STRING | OBJ_STR_GIVEN,
	    v->rv_ptr[0], v->rv_len[0], expire_ms));
}
