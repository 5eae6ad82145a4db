/*
 * rdb_file_test.c: checks whole RDB files (rdb_file_save.c,
 * rdb_file_load.c).
 *
 * The invariants: the writer gives Redis 7.0's bytes for a small
 * keyspace (magic, AUX fields, SELECTDB, RESIZEDB, EXPIRETIME_MS, keys,
 * EOF, CRC-64), the same CRC whether the file was drained in pieces or
 * not, and 0 without checksum; a keyspace of every type and encoding,
 * with and without expiry, in several databases, written and loaded
 * into a fresh arena, has every key again with its type, encoding,
 * expiry and value, and nothing more; a file cut at any length, or with
 * any one byte changed, is refused and leaves every database empty; a
 * key whose time has passed is skipped (unless the caller skips none),
 * and so is a key of an empty value;
 * the opcodes Redis 7.0 writes are read (EXPIRETIME in seconds, IDLE,
 * FREQ, AUX, RESIZEDB, SELECTDB) and the clock opcodes written as Redis
 * writes them, versions 1 to 10 are accepted and no
 * other, a zero CRC is not checked, bytes after the CRC are left to the
 * caller; what hydra cannot hold (functions, module data and values,
 * streams), a database beyond the keyspace's, a key twice and a full
 * arena are refused with a message and an empty keyspace; and the
 * checker finds no leak after any of it.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hydra/check.h"
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

/* Where the n bytes at want first are in o, or NULL. */
static unsigned char *
find_bytes(const struct rdb_out *o, const char *want, size_t n)
{
	size_t	 i;

	for (i = 0; i + n <= o->ro_len; i++)
		if (memcmp(o->ro_buf + i, want, n) == 0)
			return (o->ro_buf + i);
	return (NULL);
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

/*
 * Make key of db hold a value of type built from the n strings at el
 * (a hash: field, value, ...; a sorted set: scores from sc), through the
 * type's load hook from a table's RDB type: each takes the encoding the
 * commands would give it.
 */
static int
put_value(struct keyspace *ks, unsigned db, const char *key, int type,
    char **el, const size_t *len, const double *sc, size_t n,
    int64_t expire)
{
	static const int rdbtypes[] = {
		[OBJ_STRING] = RDB_TYPE_STRING, [OBJ_LIST] = RDB_TYPE_LIST,
		[OBJ_HASH] = RDB_TYPE_HASH, [OBJ_SET] = RDB_TYPE_SET,
		[OBJ_ZSET] = RDB_TYPE_ZSET_2,
	};
	struct rdb_value	 v;
	struct ks_stripe	*st;
	struct ks_key		 k;
	size_t			 i;
	int			 rv = 0;

	rdb_value_init(&v);
	v.rv_type = type;
	v.rv_rdbtype = rdbtypes[type];
	for (i = 0; i < n && rv == 0; i++)
		rv = type == OBJ_ZSET ? rdb_value_add_scored(&v, el[i],
		    len[i], sc[i]) : rdb_value_add(&v, el[i], len[i]);
	if (rv == 0) {
		keyspace_key(ks, &k, key, strlen(key));
		st = keyspace_lock(ks, db, &k);
		rv = rdb_load_value(ks, st, &k, &v, expire);
		keyspace_unlock(ks, st);
	}
	rdb_value_free(&v);
	return (rv);
}

/* Elements for put_value(), kept until elems_free(). */
struct elems {
	char	*el[4096];
	size_t	 len[4096];
	double	 sc[4096];
	size_t	 n;
};

static void
elems_free(struct elems *es)
{
	while (es->n > 0)
		free(es->el[--es->n]);
}

/* Add a string of len bytes: `pattern' repeated, or spelt by fmt. */
static void
elems_add(struct elems *es, const char *s, size_t len, double score)
{
	if (es->n == nitems(es->el) || (es->el[es->n] = malloc(len + 1)) ==
	    NULL)
		abort();
	memcpy(es->el[es->n], s, len);
	es->len[es->n] = len;
	es->sc[es->n] = score;
	es->n++;
}

/*
 * n elements of a kind: 'i' integers (some beyond 32 bits), 'w' short
 * words, 'l' words of 100 bytes and more, 'm' a mix (with the empty
 * string, binary bytes, and one of 9000 bytes); for a hash, pairs.
 */
static void
elems_make(struct elems *es, char kind, size_t n, int pairs)
{
	char	 buf[9100];
	size_t	 i, len;
	int	 p;

	for (i = 0; i < n; i++)
		for (p = 0; p <= pairs; p++) {
			switch (kind) {
			case 'i':
				len = (size_t)snprintf(buf, sizeof(buf),
				    "%lld", (long long)(i * 7919) - 4000 +
				    (i % 5 == 0 ? (long long)i << 35 : 0));
				break;
			case 'w':
				len = (size_t)snprintf(buf, sizeof(buf),
				    "w%zu:%d", i, p);
				break;
			case 'l':
				len = (size_t)snprintf(buf, sizeof(buf),
				    "long %zu %d ", i, p);
				memset(buf + len, 'a' + (int)(i % 26), 100 +
				    i % 50);
				len += 100 + i % 50;
				break;
			default:
				len = i % 4 == 0 ? 0 : i % 4 == 1 ?
				    (size_t)snprintf(buf, sizeof(buf), "%zu",
				    i * 31) : i % 4 == 2 ? 9 : 30;
				if (i % 4 >= 2)
					memset(buf, (int)(i & 0xff), len);
				if (i % 4 == 2)
					memcpy(buf, "\0\x01\xff\r\n", 5);
				if (i == 7)
					len = 9000;
				if (i == 7)
					memset(buf, 'z', len);
				len += i % 4 >= 2 ? (size_t)snprintf(buf + len,
				    sizeof(buf) - len, "#%zu", i) : 0;
				if (i % 4 == 0 && i > 0)
					len = (size_t)snprintf(buf,
					    sizeof(buf), "m%zu", i);
				break;
			}
			elems_add(es, buf, len, (double)(i % 37) / 8 -
			    (i % 11 == 0 ? 1e300 : 0) + (i == 3 ?
			    INFINITY : 0));
		}
}

/* The keys of a keyspace of every type and encoding: their recipes. */
static const struct recipe {
	const char	*rc_key;
	int		 rc_type;
	char		 rc_kind;
	size_t		 rc_n;
	uint8_t		 rc_tag;	/* the encoding it must get */
} recipes[] = {
	{ "list:small", OBJ_LIST, 'm', 6, OBJ_LIST | OBJ_LIST_PACKED },
	{ "list:ints", OBJ_LIST, 'i', 100, OBJ_LIST | OBJ_LIST_PACKED },
	{ "list:large", OBJ_LIST, 'l', 3000, OBJ_LIST | OBJ_LIST_CHAIN },
	{ "list:mixed", OBJ_LIST, 'm', 400, OBJ_LIST | OBJ_LIST_CHAIN },
	{ "hash:small", OBJ_HASH, 'w', 5, OBJ_HASH | OBJ_HASH_PACKED },
	{ "hash:ints", OBJ_HASH, 'i', 50, OBJ_HASH | OBJ_HASH_PACKED },
	{ "hash:large", OBJ_HASH, 'w', 600, OBJ_HASH | OBJ_HASH_TABLE },
	{ "hash:long", OBJ_HASH, 'l', 3, OBJ_HASH | OBJ_HASH_TABLE },
	{ "set:ints", OBJ_SET, 'i', 10, OBJ_SET | OBJ_SET_INTS },
	{ "set:manyints", OBJ_SET, 'i', 600, OBJ_SET | OBJ_SET_TABLE },
	{ "set:words", OBJ_SET, 'w', 20, OBJ_SET | OBJ_SET_TABLE },
	{ "set:mixed", OBJ_SET, 'm', 300, OBJ_SET | OBJ_SET_TABLE },
	{ "zset:small", OBJ_ZSET, 'w', 20, OBJ_ZSET | OBJ_ZSET_PACKED },
	{ "zset:large", OBJ_ZSET, 'w', 400, OBJ_ZSET | OBJ_ZSET_INDEX },
	{ "zset:long", OBJ_ZSET, 'l', 3, OBJ_ZSET | OBJ_ZSET_INDEX },
	{ "zset:mixed", OBJ_ZSET, 'm', 200, OBJ_ZSET | OBJ_ZSET_INDEX },
};

/* Strings, each as a client would set it. */
static const struct {
	const char	*sv_key;
	const char	*sv_val;
	size_t		 sv_len;
} strings[] = {
	{ "str:word", B("hello") },
	{ "str:empty", B("") },
	{ "str:int8", B("-7") },
	{ "str:int16", B("300") },
	{ "str:int32", B("-2147483648") },
	{ "str:int64", B("12345678901") },
	{ "str:zeros", B("007") },
	{ "str:binary", B("\0\x01\xff\r\n\t") },
	{ "str:lzf", B("abcabcabcabcabcabcabcabcabcabcabcabcabcabcabcabcabc") },
	{ "1234", B("a key that is an integer") },
	{ "a key long enough to be compressed, "
	  "a key long enough to be compressed", B("v") },
};

/*
 * Fill ks with every type and encoding: the recipes and strings in db 0
 * (every third with an expiry), again in db 1 all with one, and one of
 * each in db 15.  `scale' 0 leaves out the large ones.  The number of
 * keys, or 0 when one could not be made.
 */
static uint64_t
fill_keyspace(struct keyspace *ks, int64_t now, int scale)
{
	static const unsigned dbs[] = { 0, 1, 15 };
	struct elems	*es;
	char		 big[70000];
	uint64_t	 n = 0;
	int64_t		 when;
	size_t		 i, d, k = 0, cnt;
	char		*el[1];
	size_t		 len[1];

	if ((es = calloc(1, sizeof(*es))) == NULL)
		abort();
	for (d = 0; d < nitems(dbs); d++) {
		for (i = 0; i < nitems(recipes); i++, k++) {
			if (dbs[d] == 15 && i % 3 != 0)
				continue;
			cnt = recipes[i].rc_n;
			if (!scale && cnt > 100)
				continue;
			elems_make(es, recipes[i].rc_kind, cnt,
			    recipes[i].rc_type == OBJ_HASH);
			when = dbs[d] == 1 || k % 3 == 0 ? now + 10000000 +
			    (int64_t)k : KEYSPACE_NO_EXPIRE;
			if (put_value(ks, dbs[d], recipes[i].rc_key,
			    recipes[i].rc_type, es->el, es->len, es->sc,
			    es->n, when) == -1) {
				diag("%s could not be made", recipes[i].rc_key);
				n = 0;
				break;
			}
			elems_free(es);
			n++;
		}
		for (i = 0; i < nitems(strings) && n > 0; i++, k++) {
			el[0] = (char *)strings[i].sv_val;
			len[0] = strings[i].sv_len;
			when = dbs[d] == 1 || k % 3 == 0 ? now + 10000000 +
			    (int64_t)k : KEYSPACE_NO_EXPIRE;
			if (put_value(ks, dbs[d], strings[i].sv_key,
			    OBJ_STRING, el, len, NULL, 1, when) == -1)
				n = 0;
			else
				n++;
		}
	}
	elems_free(es);
	free(es);
	if (scale && n > 0) {
		/* A long string, compressible, and one that is not. */
		memset(big, 'q', sizeof(big));
		el[0] = big;
		len[0] = sizeof(big);
		n += put_value(ks, 0, "str:big", OBJ_STRING, el, len, NULL, 1,
		    KEYSPACE_NO_EXPIRE) == 0;
		for (i = 0; i < sizeof(big); i++)
			big[i] = (char)((i * 2654435761u) >> 13);
		n += put_value(ks, 0, "str:noise", OBJ_STRING, el, len, NULL,
		    1, now + 5000) == 0;
	}
	return (n);
}

/* A value decoded as sortable blobs, each element (and pair) one. */
struct blob {
	char	*b_p;
	size_t	 b_n;
};

static int
blob_cmp(const void *x, const void *y)
{
	const struct blob	*a = x, *b = y;
	int			 c;

	c = memcmp(a->b_p, b->b_p, a->b_n < b->b_n ? a->b_n : b->b_n);
	if (c != 0)
		return (c);
	return (a->b_n < b->b_n ? -1 : a->b_n > b->b_n);
}

/*
 * Are saved values a and b (rdb_save_value()'s bytes) the same: the
 * same bytes, or the same type and elements, in the same order for a
 * list and in any for the rest?
 */
static int
values_equal(const struct rdb_out *a, const struct rdb_out *b)
{
	const struct rdb_out	*o[2] = { a, b };
	struct rdb_value	 v[2];
	struct rdb_in		 in;
	struct blob		*bl[2] = { NULL, NULL };
	size_t			 i, k, n = 0, step;
	int			 same = 1;
	FILE			*f;

	if (a->ro_len == b->ro_len && memcmp(a->ro_buf, b->ro_buf,
	    a->ro_len) == 0)
		return (1);
	for (k = 0; k < 2; k++) {
		rdb_value_init(&v[k]);
		in.ri_p = o[k]->ro_buf;
		in.ri_end = o[k]->ro_buf + o[k]->ro_len;
		if (rdb_decode_value(&in, &v[k]) == -1)
			same = 0;
	}
	if (!same || v[0].rv_type != v[1].rv_type || v[0].rv_n != v[1].rv_n)
		same = 0;
	step = v[0].rv_type == OBJ_HASH ? 2 : 1;
	for (k = 0; k < 2 && same; k++) {
		n = v[k].rv_n / step;
		if ((bl[k] = calloc(n + 1, sizeof(*bl[k]))) == NULL)
			abort();
		for (i = 0; i < n; i++) {
			if ((f = open_memstream(&bl[k][i].b_p,
			    &bl[k][i].b_n)) == NULL)
				abort();
			fwrite(&v[k].rv_len[i * step], sizeof(size_t), 1, f);
			fwrite(v[k].rv_ptr[i * step], 1, v[k].rv_len[i * step],
			    f);
			if (step == 2)
				fwrite(v[k].rv_ptr[i * 2 + 1], 1,
				    v[k].rv_len[i * 2 + 1], f);
			if (v[k].rv_type == OBJ_ZSET)
				fwrite(&v[k].rv_score[i], sizeof(double), 1,
				    f);
			fclose(f);
		}
		if (v[k].rv_type != OBJ_LIST)
			qsort(bl[k], n, sizeof(*bl[k]), blob_cmp);
	}
	for (i = 0; i < n && same; i++)
		same = blob_cmp(&bl[0][i], &bl[1][i]) == 0;
	for (k = 0; k < 2; k++) {
		for (i = 0; bl[k] != NULL && i < n; i++)
			free(bl[k][i].b_p);
		free(bl[k]);
		rdb_value_free(&v[k]);
	}
	return (same);
}

/* A walk of one keyspace that looks each key up in the other. */
struct compare {
	struct keyspace	*cm_from;
	struct keyspace	*cm_to;
	unsigned	 cm_db;
	uint64_t	 cm_seen;
	uint64_t	 cm_bad;
	int		 cm_tags[256];	/* of the keys seen */
};

static void
compare_visit(const struct entry *e, void *arg)
{
	struct compare		*cm = arg;
	struct ks_stripe	*st;
	struct ks_key		 k;
	const struct entry	*f;
	struct rdb_out		 oa, ob;
	const char		*key;
	size_t			 klen;
	int			 good = 0;

	cm->cm_seen++;
	cm->cm_tags[e->e_type] = 1;
	key = entry_key(e, &klen);
	rdb_out_init(&oa);
	rdb_out_init(&ob);
	keyspace_key(cm->cm_to, &k, key, klen);
	st = keyspace_lock(cm->cm_to, cm->cm_db, &k);
	if ((f = keyspace_peek_locked(cm->cm_to, st, &k, INT64_MIN)) !=
	    NULL && f->e_type == e->e_type &&
	    entry_expire(f) == entry_expire(e) &&
	    rdb_save_value(&oa, cm->cm_from->ks_arena, e) == 0 &&
	    rdb_save_value(&ob, cm->cm_to->ks_arena, f) == 0)
		good = values_equal(&oa, &ob);
	keyspace_unlock(cm->cm_to, st);
	if (!good && cm->cm_bad++ < 5)
		diag("db %u key '%.*s' (tag %#x) differs", cm->cm_db,
		    (int)(klen > 60 ? 60 : klen), key, e->e_type);
	rdb_out_free(&oa);
	rdb_out_free(&ob);
}

/*
 * Is every key of `from' in `to' with its type, encoding, expiry and
 * value?  The keys seen (their tags in cm) and the differences.
 */
static uint64_t
compare_keyspaces(struct keyspace *from, struct keyspace *to,
    struct compare *cm)
{
	uint64_t	 cursor;

	memset(cm, 0, sizeof(*cm));
	cm->cm_from = from;
	cm->cm_to = to;
	for (cm->cm_db = 0; cm->cm_db < keyspace_databases(from);
	    cm->cm_db++) {
		cursor = 0;
		do
			cursor = keyspace_scan(from, cm->cm_db, cursor,
			    INT64_MIN, compare_visit, cm);
		while (cursor != 0);
	}
	return (cm->cm_bad);
}

static void
progress_note(void *arg, size_t done, size_t total, uint64_t keys)
{
	size_t	*last = arg;

	(void)keys;
	if (done < last[0] || done > total)
		last[1]++;		/* out of order */
	last[0] = done;
	last[2]++;
}

/*
 * A keyspace of every type and encoding, written and loaded into a
 * fresh arena: every key again, the same way, and nothing more.
 */
static void
check_round_trip(struct keyspace *src, struct keyspace *dst,
    struct arena *dst_arena, int64_t now, int compress)
{
	struct rdb_file_load	 rl;
	struct compare		 cm;
	struct rdb_out		 o;
	uint64_t		 made, keys, ekeys, exp, eexp;
	size_t			 i, progress[3] = { 0, 0, 0 };
	unsigned		 db;
	int			 good = 1, rv;

	made = fill_keyspace(src, now, 1);
	ok(made > 60, "a keyspace of %llu keys of every type and encoding",
	    (unsigned long long)made);
	rdb_out_init(&o);
	o.ro_compress = compress;
	rv = rdb_file_write_keyspace(&o, src, &test_aux, INT64_MIN);
	ok(rv == 0, "written (%s): %zu bytes", compress ? "compressed" :
	    "not compressed", o.ro_len);
	memset(&rl, 0, sizeof(rl));
	rl.rl_progress = progress_note;
	rl.rl_arg = progress;
	rv = rdb_file_load(dst, o.ro_buf, o.ro_len, now, &rl);
	if (rv == -1)
		diag("load: %s", rl.rl_err);
	ok(rv == 0 && rl.rl_keys == made && rl.rl_expired == 0 &&
	    rl.rl_used == o.ro_len && rl.rl_version == 10 &&
	    rl.rl_aux.ra_ctime == test_aux.ra_ctime &&
	    rl.rl_aux.ra_used_mem == test_aux.ra_used_mem &&
	    rl.rl_aux.ra_aof_base == 0,
	    "loaded: every key, the whole file, the AUX fields");
	ok(progress[2] >= 2 && progress[1] == 0 && progress[0] == o.ro_len,
	    "progress told %zu times, in order, to the end", progress[2]);
	(void)compare_keyspaces(src, dst, &cm);
	ok(cm.cm_bad == 0 && cm.cm_seen == made, "every key is in the new "
	    "arena with its type, encoding, expiry and value (%llu seen)", (unsigned long long)cm.cm_seen);
	for (i = 0; i < nitems(recipes); i++)
		good &= cm.cm_tags[recipes[i].rc_tag];
	good &= cm.cm_tags[OBJ_STRING | OBJ_STR_GIVEN];
	ok(good, "... among them every encoding of every type");
	for (db = 0, good = 1; db < keyspace_databases(src); db++) {
		keyspace_count(src, db, &ekeys, &eexp);
		keyspace_count(dst, db, &keys, &exp);
		good &= keys == ekeys && exp == eexp;
	}
	ok(good && compare_keyspaces(dst, src, &cm) == 0,
	    "and nothing more: each database has as many keys and expiries");
	ok(check_arena(dst_arena, 0, stderr, NULL) == 0,
	    "the checker finds the loaded arena whole, without leaks");
	keyspace_flush_all(dst);
	keyspace_flush_all(src);
	rdb_out_free(&o);
}

/* Load, expecting failure with the keyspace empty; rl_err has `what'. */
static int
load_fails(struct keyspace *ks, const void *buf, size_t len, int64_t now,
    const char *what)
{
	struct rdb_file_load	 rl;

	memset(&rl, 0, sizeof(rl));
	if (rdb_file_load(ks, buf, len, now, &rl) == 0) {
		diag("loaded %zu bytes", len);
		keyspace_flush_all(ks);
		return (0);
	}
	if (keyspace_count_all(ks) != 0 || rl.rl_err[0] == '\0' ||
	    (what != NULL && strstr(rl.rl_err, what) == NULL)) {
		diag("%zu bytes: '%s', %llu keys left", len, rl.rl_err,
		    (unsigned long long)keyspace_count_all(ks));
		keyspace_flush_all(ks);
		return (0);
	}
	return (1);
}

/*
 * A file cut at any length, or with any one byte changed, is refused
 * and leaves every database empty.
 */
static void
check_damage(struct keyspace *src, struct keyspace *dst,
    struct arena *dst_arena, int64_t now)
{
	struct rdb_file_load	 rl;
	struct rdb_out		 o;
	unsigned char		*copy;
	size_t			 len, i, bad = 0;
	uint64_t		 made;
	unsigned char		*at;

	made = fill_keyspace(src, now, 0);
	rdb_out_init(&o);
	o.ro_compress = 0;
	if (made > 0 && rdb_file_write_keyspace(&o, src, &test_aux,
	    INT64_MIN) == -1)
		made = 0;
	if (!ok(made > 0, "a small file of %llu keys: %zu bytes",
	    (unsigned long long)made, o.ro_len))
		return;
	len = o.ro_len;
	if ((copy = malloc(len + 16)) == NULL)
		abort();
	for (i = 0; i < len; i++) {
		/* Each load of its own copy, so that ASan sees the end. */
		memcpy(copy, o.ro_buf, i);
		bad += !load_fails(dst, copy, i, now, NULL);
	}
	ok(bad == 0, "cut at each of %zu lengths: refused, every database "
	    "empty (%zu not)", len, bad);
	memcpy(copy, o.ro_buf, len);
	memset(&rl, 0, sizeof(rl));
	ok(rdb_file_load(dst, copy, len, now, &rl) == 0 &&
	    rl.rl_keys == made, "... and whole, it loads");
	keyspace_flush_all(dst);

	for (i = 0, bad = 0; i < len; i++) {
		memcpy(copy, o.ro_buf, len);
		copy[i] ^= (unsigned char)(1u << (i % 8));
		bad += !load_fails(dst, copy, len, now, NULL);
	}
	ok(bad == 0, "a bit changed at each of %zu bytes: refused, every "
	    "database empty (%zu not)", len, bad);

	/* A change inside a string's bytes is the CRC's to see. */
	at = find_bytes(&o, "hello", 5);
	memcpy(copy, o.ro_buf, len);
	if (at != NULL)
		copy[at - o.ro_buf] = 'j';
	ok(at != NULL && load_fails(dst, copy, len, now, "checksum"),
	    "a changed byte of a value is refused for its checksum");
	memset(copy + len - RDB_FILE_CRC_LEN, 0, RDB_FILE_CRC_LEN);
	memset(&rl, 0, sizeof(rl));
	ok(rdb_file_load(dst, copy, len, now, &rl) == 0 &&
	    rl.rl_keys == made && keyspace_get(dst, 0, B("str:word"), now,
	    copy + len, 5, &i, NULL, NULL) == 1 &&
	    memcmp(copy + len, "jello", 5) == 0,
	    "... but with a zero CRC nothing is checked");
	keyspace_flush_all(dst);

	memcpy(copy, o.ro_buf, len);
	memcpy(copy + len, "APPENDED", 8);
	memset(&rl, 0, sizeof(rl));
	ok(rdb_file_load(dst, copy, len + 8, now, &rl) == 0 &&
	    rl.rl_used == len && rl.rl_keys == made,
	    "bytes after the CRC are not read: rl_used says where it ended");
	keyspace_flush_all(dst);
	ok(check_arena(dst_arena, 0, stderr, NULL) == 0,
	    "after all the failed loads, the checker finds no leak");
	keyspace_flush_all(src);
	free(copy);
	rdb_out_free(&o);
}

/* A file made by hand: the magic, then what the test puts. */
static void
file_start(struct rdb_out *o, const char *magic)
{
	rdb_out_init(o);
	rdb_put_raw(o, magic, strlen(magic));
}

/* A string key, after whatever opcodes came before it. */
static void
file_key(struct rdb_out *o, const char *key, const char *val)
{
	rdb_put_byte(o, RDB_TYPE_STRING);
	rdb_put_string(o, key, strlen(key));
	rdb_put_string(o, val, strlen(val));
}

static void
file_expire_ms(struct rdb_out *o, int64_t when)
{
	rdb_put_byte(o, RDB_OPCODE_EXPIRETIME_MS);
	rdb_put_le(o, (uint64_t)when, 8);
}

static void
file_aux(struct rdb_out *o, const char *name, const char *val)
{
	rdb_put_byte(o, RDB_OPCODE_AUX);
	rdb_put_string(o, name, strlen(name));
	rdb_put_string(o, val, strlen(val));
}

/* Load o whole: 0 or -1, rl filled in. */
static int
file_load(struct keyspace *ks, const struct rdb_out *o, int64_t now,
    struct rdb_file_load *rl)
{
	memset(rl, 0, sizeof(*rl));
	if (rdb_file_load(ks, o->ro_buf, o->ro_len, now, rl) == -1) {
		diag("load: %s", rl->rl_err);
		return (-1);
	}
	return (0);
}

/* The expiry of key of db, KEYSPACE_NO_EXPIRE, or -2 when there is none. */
static int64_t
key_expire(struct keyspace *ks, unsigned db, const char *key)
{
	int64_t	 when;
	char	 buf[64];
	size_t	 len;

	if (keyspace_get(ks, db, key, strlen(key), INT64_MIN, buf,
	    sizeof(buf), &len, &when, NULL) != 1)
		return (-2);
	return (when);
}

/* The clock byte of key (db 0), or -1 when there is none. */
static int
key_clock(struct keyspace *ks, const char *key, long long *idle)
{
	struct ks_stripe	*st;
	struct ks_key		 k;
	const struct entry	*e;
	int			 clock = -1;

	keyspace_key(ks, &k, key, strlen(key));
	st = keyspace_lock(ks, 0, &k);
	if ((e = keyspace_peek_locked(ks, st, &k, INT64_MIN)) != NULL) {
		clock = e->e_clock;
		*idle = entry_idle_seconds(e);
	}
	keyspace_unlock(ks, st);
	return (clock);
}

/*
 * Keys whose time has passed are skipped, unless now is INT64_MIN; an
 * expiry in seconds (EXPIRETIME, older files) is read as such.
 */
static void
check_expired(struct keyspace *ks, int64_t now)
{
	struct rdb_file_load	 rl;
	struct rdb_out		 o;
	uint32_t		 secs = (uint32_t)(now / 1000 + 1000);

	file_start(&o, "REDIS0010");
	rdb_file_select(&o, 0);
	file_expire_ms(&o, now - 1000);
	file_key(&o, "old", "v");
	file_expire_ms(&o, now + 100000);
	file_key(&o, "new", "v");
	file_key(&o, "plain", "v");
	rdb_file_trailer(&o, 0, 1);
	ok(file_load(ks, &o, now, &rl) == 0 && rl.rl_keys == 2 &&
	    rl.rl_expired == 1 && key_expire(ks, 0, "old") == -2 &&
	    key_expire(ks, 0, "new") == now + 100000 &&
	    key_expire(ks, 0, "plain") == KEYSPACE_NO_EXPIRE,
	    "a key whose time has passed is skipped and counted; the others "
	    "keep their expiry or none");
	keyspace_flush_all(ks);
	ok(file_load(ks, &o, INT64_MIN, &rl) == 0 && rl.rl_keys == 3 &&
	    rl.rl_expired == 0 && key_expire(ks, 0, "old") == now - 1000,
	    "with now INT64_MIN no key is skipped (an AOF's base)");
	keyspace_flush_all(ks);
	rdb_out_free(&o);

	file_start(&o, "REDIS0006");
	rdb_file_select(&o, 0);
	rdb_put_byte(&o, RDB_OPCODE_EXPIRETIME);
	rdb_put_le(&o, secs, 4);
	file_key(&o, "secs", "v");
	rdb_put_byte(&o, RDB_OPCODE_EXPIRETIME);
	rdb_put_le(&o, (uint32_t)(now / 1000 - 10), 4);
	file_key(&o, "gone", "v");
	rdb_file_trailer(&o, 0, 1);
	ok(file_load(ks, &o, now, &rl) == 0 && rl.rl_keys == 1 &&
	    rl.rl_expired == 1 && rl.rl_version == 6 &&
	    key_expire(ks, 0, "secs") == (int64_t)secs * 1000,
	    "EXPIRETIME in seconds (version 6): read as such, and skipped "
	    "when past");
	keyspace_flush_all(ks);
	rdb_out_free(&o);
}

/*
 * A key whose value has no element (a count of 0, an empty ziplist or
 * intset, a quicklist of empty nodes) is skipped, as Redis 7.0 skips it.
 */
static void
check_empty(struct keyspace *ks, int64_t now)
{
	struct rdb_file_load	 rl;
	struct rdb_out		 o;

	file_start(&o, "REDIS0010");
	rdb_put_raw(&o, B("\x01\x02" "e1" "\x00"));
	rdb_put_raw(&o, B("\x0b\x02" "e2" "\x08\x02\x00\x00\x00\x00\x00"
	    "\x00\x00"));
	rdb_put_raw(&o, B("\x0a\x02" "e3" "\x0b\x0b\x00\x00\x00\x0a\x00\x00"
	    "\x00\x00\x00\xff"));
	rdb_put_raw(&o, B("\x12\x02" "e4" "\x01\x02\x07\x07\x00\x00\x00\x00"
	    "\x00\xff"));
	rdb_put_raw(&o, B("\x04\x02" "e5" "\x00"));
	file_key(&o, "k", "v");
	rdb_file_trailer(&o, 0, 1);
	ok(file_load(ks, &o, now, &rl) == 0 && rl.rl_keys == 1 &&
	    rl.rl_empty == 5 && key_expire(ks, 0, "e1") == -2 &&
	    key_expire(ks, 0, "k") == KEYSPACE_NO_EXPIRE,
	    "keys of empty values are skipped and counted, the rest loads");
	keyspace_flush_all(ks);
	rdb_out_free(&o);
}

/*
 * A file of key "c" of src, written with its clock (how), loaded into
 * dst: 0, or -1.  `want' (n bytes) must be in the file.
 */
static int
clock_round_trip(struct keyspace *src, struct keyspace *dst, int how,
    const char *want, size_t n, int64_t now)
{
	struct rdb_file_load	 rl;
	struct ks_stripe	*st;
	struct ks_key		 k;
	const struct entry	*e;
	struct rdb_out		 o;
	int			 rv = -1;

	rdb_out_init(&o);
	rdb_file_header(&o, &test_aux);
	rdb_file_select(&o, 0);
	keyspace_key(src, &k, "c", 1);
	st = keyspace_lock(src, 0, &k);
	if ((e = keyspace_peek_locked(src, st, &k, INT64_MIN)) != NULL)
		rv = rdb_file_entry_clock(&o, src->ks_arena, e, how);
	keyspace_unlock(src, st);
	rdb_file_trailer(&o, 0, 1);
	if (rv == 0 && find_bytes(&o, want, n) == NULL) {
		diag("the clock's bytes are not in the file");
		rv = -1;
	}
	if (rv == 0)
		rv = file_load(dst, &o, now, &rl);
	rdb_out_free(&o);
	return (rv);
}

/*
 * The writer gives a key's clock as Redis does under an evicting
 * policy: IDLE and its idle seconds (LRU), FREQ and its count (LFU),
 * between the expiry and the type; the loader gives it back.
 */
static void
check_clock(struct keyspace *src, struct keyspace *dst, int64_t now)
{
	struct ks_stripe	*st;
	struct ks_key		 k;
	long long		 idle = -1;
	int			 rv;

	rv = keyspace_put(src, 0, B("c"), OBJ_STRING, B("v"), now + 100000);
	keyspace_key(src, &k, "c", 1);
	st = keyspace_lock(src, 0, &k);
	keyspace_set_clock_locked(src, st, &k, 600, -1);
	keyspace_unlock(src, st);
	ok(rv == 0 && clock_round_trip(src, dst, RDB_FILE_CLOCK_LRU,
	    "\xf8\x42\x58\x00\x01" "c", 6, now) == 0 &&
	    key_clock(dst, "c", &idle) >= 0 && idle == 600 &&
	    key_expire(dst, 0, "c") == now + 100000,
	    "LRU: IDLE 600 after the expiry, before the type; loaded, the "
	    "key is 600 s idle");
	keyspace_flush_all(dst);
	keyspace_set_lfu(src, 1);
	keyspace_set_lfu(dst, 1);
	st = keyspace_lock(src, 0, &k);
	keyspace_set_clock_locked(src, st, &k, -1, 42);
	keyspace_unlock(src, st);
	ok(clock_round_trip(src, dst, RDB_FILE_CLOCK_LFU,
	    "\xf9\x2a\x00\x01" "c", 5, now) == 0 &&
	    key_clock(dst, "c", &idle) == 42,
	    "LFU: FREQ 42; loaded, the key counts 42");
	keyspace_set_lfu(src, 0);
	keyspace_set_lfu(dst, 0);
	keyspace_flush_all(dst);
	keyspace_flush_all(src);
}

/*
 * The other opcodes: AUX (known names kept, others ignored), RESIZEDB,
 * SELECTDB (any database of the keyspace, more than once), IDLE and
 * FREQ (the key's clock); a version 4 file ends at EOF, without CRC.
 */
static void
check_opcodes(struct keyspace *ks, int64_t now)
{
	struct rdb_file_load	 rl;
	struct rdb_out		 o;
	long long		 idle = -1;
	int			 clock;

	file_start(&o, "REDIS0009");
	file_aux(&o, "redis-ver", "6.2.6");
	file_aux(&o, "something-new", "whatever");
	file_aux(&o, "ctime", "1600000000");
	file_aux(&o, "USED-MEM", "123456789012");
	file_aux(&o, "aof-preamble", "1");
	file_aux(&o, "repl-id", "0123456789abcdef0123456789abcdef01234567");
	rdb_file_select(&o, 15);
	rdb_file_resize(&o, 1, 0);
	file_key(&o, "k", "in 15");
	rdb_file_select(&o, 2);
	rdb_file_resize(&o, 100000, 70000);
	file_key(&o, "k", "in 2");
	rdb_file_select(&o, 15);
	file_key(&o, "k2", "in 15 again");
	rdb_file_select(&o, 0);
	rdb_put_byte(&o, RDB_OPCODE_IDLE);
	rdb_put_len(&o, 600);
	file_key(&o, "idle", "v");
	rdb_put_byte(&o, RDB_OPCODE_FREQ);
	rdb_put_byte(&o, 77);
	file_key(&o, "freq", "v");
	rdb_file_trailer(&o, 0, 1);
	ok(file_load(ks, &o, now, &rl) == 0 && rl.rl_keys == 5 &&
	    rl.rl_version == 9 && rl.rl_aux.ra_ctime == 1600000000 &&
	    rl.rl_aux.ra_used_mem == UINT64_C(123456789012) &&
	    rl.rl_aux.ra_aof_base == 1,
	    "AUX fields: ctime, used-mem (in any case), aof-preamble read, "
	    "others ignored");
	ok(key_expire(ks, 15, "k") == KEYSPACE_NO_EXPIRE &&
	    key_expire(ks, 2, "k") == KEYSPACE_NO_EXPIRE &&
	    key_expire(ks, 15, "k2") == KEYSPACE_NO_EXPIRE &&
	    key_expire(ks, 0, "k") == -2,
	    "SELECTDB puts keys in their database, a database selected "
	    "twice included");
	clock = key_clock(ks, "idle", &idle);
	ok(clock >= 0 && idle >= 540 && idle <= 660,
	    "IDLE 600 makes a key idle for 600 s (to the minute): %lld",
	    idle);
	keyspace_flush_all(ks);
	keyspace_set_lfu(ks, 1);
	ok(file_load(ks, &o, now, &rl) == 0 && key_clock(ks, "freq",
	    &idle) == 77 && key_clock(ks, "k2", &idle) == -1 &&
	    key_clock(ks, "plain", &idle) == -1,
	    "FREQ 77 gives the key that count when the clock counts");
	keyspace_set_lfu(ks, 0);
	keyspace_flush_all(ks);
	rdb_out_free(&o);

	file_start(&o, "REDIS0004");
	file_key(&o, "k", "v");
	rdb_put_byte(&o, RDB_OPCODE_EOF);
	rdb_put_raw(&o, "AOF", 3);
	ok(file_load(ks, &o, now, &rl) == 0 && rl.rl_keys == 1 &&
	    rl.rl_used == o.ro_len - 3,
	    "version 4 ends at EOF, without CRC");
	keyspace_flush_all(ks);
	rdb_out_free(&o);
}

/* A file of the key "k" after `what' (bytes), then EOF and the CRC. */
static int
refused(struct keyspace *ks, const char *magic, const char *what,
    size_t len, const char *msg, int64_t now)
{
	struct rdb_out	 o;
	int		 rv;

	file_start(&o, magic);
	file_key(&o, "first", "v");
	rdb_put_raw(&o, what, len);
	rdb_file_trailer(&o, 0, 1);
	rv = load_fails(ks, o.ro_buf, o.ro_len, now, msg);
	rdb_out_free(&o);
	return (rv);
}

/*
 * What cannot be loaded is refused, with a message and every database
 * empty: other versions and signatures, a database beyond the
 * keyspace's, a key twice in a database, functions, module data and
 * values, streams, unknown types.
 */
static void
check_refusals(struct keyspace *ks, int64_t now)
{
	static const struct {
		const char	*magic;
		const char	*what;
		size_t		 len;
		const char	*msg;
		const char	*says;
	} cases[] = {
		{ "REDIS0011", B(""), "version 11",
		    "version 11 (Redis 7.2) is refused" },
		{ "REDIS0000", B(""), "version 0", "version 0 is refused" },
		{ "REDIS001a", B(""), "not a number",
		    "a version that is no number is refused" },
		{ "RADIS0010", B(""), "signature",
		    "another signature is refused" },
		{ "REDIS0010", B("\xfe\x10"), "DB 16",
		    "SELECTDB 16, beyond the 16 databases, is refused" },
		{ "REDIS0010", B("\xfe\x80\x00\x01\x00\x00"), "DB 65536",
		    "SELECTDB 65536 is refused" },
		{ "REDIS0010", B("\x00\x05" "first\x01" "w"), "duplicate",
		    "a key twice in a database is refused" },
		{ "REDIS0010", B("\xf5\x01" "x"), "functions",
		    "FUNCTION2 is refused" },
		{ "REDIS0010", B("\xf6\x01" "x"), "functions",
		    "the pre-release function opcode is refused" },
		{ "REDIS0010", B("\xf7\x01\x02\x03"), "module",
		    "MODULE_AUX is refused" },
		{ "REDIS0010", B("\x07\x01k\x01"), "module",
		    "a module's value is refused" },
		{ "REDIS0010", B("\x06\x01k\x01"), "module",
		    "a module's value of the first kind is refused" },
		{ "REDIS0010", B("\x0f\x01k\x00"), "stream",
		    "a stream is refused" },
		{ "REDIS0010", B("\x13\x01k\x00"), "stream",
		    "a stream of the second kind is refused" },
		{ "REDIS0010", B("\x14\x01k\x01v"), "type 20",
		    "an unknown type is refused" },
		{ "REDIS0010", B("\x02\x02\x01k\x01m\x01m"), "damaged",
		    "a set holding a member twice is refused" },
	};
	struct rdb_file_load	 rl;
	struct rdb_out		 o;
	size_t			 i;

	for (i = 0; i < nitems(cases); i++)
		ok(refused(ks, cases[i].magic, cases[i].what, cases[i].len,
		    cases[i].msg, now), "%s, every database empty",
		    cases[i].says);
	file_start(&o, "REDIS0010");
	file_key(&o, "first", "v");
	rdb_file_select(&o, 1);
	file_key(&o, "first", "w");
	rdb_file_trailer(&o, 0, 1);
	ok(file_load(ks, &o, now, &rl) == 0 && rl.rl_keys == 2,
	    "the same key in two databases is no duplicate");
	keyspace_flush_all(ks);
	rdb_out_free(&o);
	ok(load_fails(ks, "", 0, now, "signature"),
	    "an empty file is refused");
}

/* rdb_file_load_path(): a file is mapped and loaded; none is ENOENT. */
static void
check_path(struct keyspace *ks, int64_t now)
{
	struct rdb_file_load	 rl;
	struct rdb_out		 o;
	char			 path[] = "/tmp/rdb_file_test.XXXXXX";
	int			 fd, rv;

	memset(&rl, 0, sizeof(rl));
	errno = 0;
	rv = rdb_file_load_path(ks, "/nonexistent/dir/dump.rdb", now, &rl);
	ok(rv == -1 && errno == ENOENT && strstr(rl.rl_err,
	    "/nonexistent/dir/dump.rdb") != NULL,
	    "no file: ENOENT, and the message names it");

	file_start(&o, "REDIS0010");
	file_key(&o, "k", "from a file");
	rdb_file_trailer(&o, 0, 1);
	if ((fd = mkstemp(path)) == -1)
		abort();
	rv = write(fd, o.ro_buf, o.ro_len) == (ssize_t)o.ro_len;
	close(fd);
	ok(rv && rdb_file_load_path(ks, path, now, &rl) == 0 &&
	    rl.rl_keys == 1 && key_expire(ks, 0, "k") == KEYSPACE_NO_EXPIRE,
	    "a file on disk loads");
	keyspace_flush_all(ks);
	if ((fd = open(path, O_WRONLY | O_TRUNC)) != -1)
		close(fd);
	errno = 0;
	ok(rdb_file_load_path(ks, path, now, &rl) == -1 && errno == EINVAL &&
	    rl.rl_err[0] != '\0', "an empty file on disk is refused (EINVAL): "
	    "%s", rl.rl_err);
	unlink(path);
	rdb_out_free(&o);
}

/*
 * A file larger than the arena: the load that finds no room is refused,
 * says so, and leaves every database empty and nothing leaked.
 */
static void
check_full(struct keyspace *src, int64_t now)
{
	struct arena		 c;
	struct keyspace		 kc;
	struct rdb_out		 o;
	char			 name[32], *val;
	size_t			 i, j, len = 100000;
	int			 good = 1;

	if ((val = malloc(len)) == NULL)
		abort();
	for (i = 0; i < 300 && good; i++) {
		for (j = 0; j < len; j++)
			val[j] = (char)((i * 131 + j * 2654435761u) >> 11);
		snprintf(name, sizeof(name), "big:%zu", i);
		good = keyspace_put(src, i % 3, name, strlen(name),
		    OBJ_STRING, val, len, KEYSPACE_NO_EXPIRE) == 0;
	}
	free(val);
	rdb_out_init(&o);
	good &= rdb_file_write_keyspace(&o, src, &test_aux, INT64_MIN) == 0;
	keyspace_flush_all(src);
	if (!ok(good && testarena_store(&c, &kc, 16u << 20, 1) == 0,
	    "a file of 30 MB, and a store of 16 MiB"))
		return;
	ok(load_fails(&kc, o.ro_buf, o.ro_len, now, "arena is full") &&
	    errno == ENOMEM,
	    "loading it fails for want of room (ENOMEM), every database "
	    "empty");
	ok(check_arena(&c, 0, stderr, NULL) == 0,
	    "the checker finds the arena whole, without leaks");
	testarena_destroy(&c);
	rdb_out_free(&o);
}

int
main(void)
{
	struct arena	 a;
	struct keyspace	 ks;

	struct arena	 b;
	struct keyspace	 kb;
	int64_t		 now = compat_realtime_ms();

	tap_no_plan();
	if (!ok(testarena_store(&a, &ks, STORE_SIZE, 2) == 0 &&
	    testarena_store(&b, &kb, STORE_SIZE, 1) == 0,
	    "two 64 MiB stores, with 4 and 2 stripes per database"))
		return (tap_done());
	check_writer_bytes(&ks);
	check_round_trip(&ks, &kb, &b, now, 1);
	check_round_trip(&ks, &kb, &b, now, 0);
	check_damage(&ks, &kb, &b, now);
	check_expired(&kb, now);
	check_opcodes(&kb, now);
	check_empty(&kb, now);
	check_clock(&ks, &kb, now);
	check_refusals(&kb, now);
	check_path(&kb, now);
	check_full(&ks, now);
	ok(check_arena(&b, 0, stderr, NULL) == 0 && keyspace_count_all(&kb) == 0,
	    "the checker finds the arena of every load whole and empty");
	testarena_destroy(&a);
	testarena_destroy(&b);
	return (tap_done());
}
