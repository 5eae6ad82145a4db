/*
 * hydractl_json.c: "hydractl export --json" and "hydractl import --json",
 * the keyspace as a JSON document (cJSON) for people and scripts.
 *
 * The document (README.md, "Export and import as JSON"):
 *
 *   {"format": "hydra-json", "version": 1, "keys": [KEY, ...]}
 *   KEY = {"db": N, "key": BYTES, "type": TYPE, "value": VALUE
 *          [, "expire_at_ms": MS]}
 *
 * TYPE and VALUE: "string", BYTES; "list", [BYTES, ...] head first;
 * "set", [BYTES, ...]; "hash", [[field BYTES, value BYTES], ...];
 * "zset", [[member BYTES, SCORE], ...] lowest score first.  BYTES is a
 * JSON string when the bytes are valid UTF-8 without control characters
 * (U+0000 to U+001F, U+007F), and {"base64": "..."} (RFC 4648, padded)
 * otherwise, so that any bytes come back exactly.  SCORE is a JSON number
 * written with as many digits as the double needs to come back exactly
 * (-0 included), or "inf" or "-inf".  MS is the absolute expiry time in
 * milliseconds since the Unix epoch (as PEXPIREAT takes it); no member
 * means no expiry.  One key per line.
 *
 * Export reuses the RDB value codec instead of a second one: each entry is
 * saved with rdb_save_value() and decoded with rdb_decode_value() into a
 * flat struct rdb_value, which becomes JSON.  It walks the databases
 * stripe by stripe (keyspace_visit_stripe()), copying a stripe's keys and
 * their serialized values under that stripe's lock, then formatting and
 * writing them after unlocking, so that a running hydrad keeps serving.
 * Each stripe is exported as it was at one moment; the whole is not a
 * point-in-time snapshot while clients write.  The file is written to a
 * temporary name, synced and renamed.
 *
 * Import reads and checks the whole document before it writes anything:
 * its shape, every string, distinct members and fields, databases that
 * the arena has, no key twice; then, unless --replace, that none of its
 * keys exists.  Only then does it write each key under its stripe lock
 * with rdb_load_value(), which builds the value in the encoding the
 * commands would choose under the limits (Redis's defaults, or those of
 * the configuration file given with --config).  A key whose expiry time
 * has passed is skipped.  The one failure left after the checks is a full
 * arena, which leaves the keys written so far.
 *
 * Run by hydractl.  Locks: a stripe lock at a time (export: each stripe;
 * import: the stripe of each key it looks up or writes).
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cJSON.h>

#include "hydra/bytes.h"
#include "hydra/compat.h"
#include "hydra/config.h"
#include "hydra/keyspace.h"
#include "hydra/object.h"
#include "hydra/rdb.h"

#include "hydractl_internal.h"

#define CTL_JSON_FORMAT		"hydra-json"
#define CTL_JSON_VERSION	1
/* The largest integer a double holds exactly: expiry times past it round. */
#define CTL_JSON_EXACT_INT	9007199254740992.0

static const char ctl_json_b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* The JSON name of each value type, by OBJ_*. */
static const char *const ctl_json_types[] = {
	[OBJ_STRING] = "string",
	[OBJ_LIST] = "list",
	[OBJ_HASH] = "hash",
	[OBJ_SET] = "set",
	[OBJ_ZSET] = "zset",
};

/* The temporary file of an export under way, removed if we die. */
static char	*ctl_json_tmp;

static void __attribute__((noreturn))
ctl_json_oom(void)
{
	if (ctl_json_tmp != NULL)
		(void)unlink(ctl_json_tmp);
	errx(CTL_EXIT_PROBLEM, "out of memory");
}

static void *
ctl_json_need(void *p)
{
	if (p == NULL)
		ctl_json_oom();
	return (p);
}

/*
 * Are the bytes valid UTF-8 (shortest forms, no surrogates, nothing past
 * U+10FFFF), and, unless `controls', free of U+0000 to U+001F and U+007F?
 */
static int
ctl_json_utf8(const char *p, size_t len, int controls)
{
	const unsigned char	*s = (const unsigned char *)p;
	uint32_t		 c, min;
	size_t			 i = 0, n, k;

	while (i < len) {
		c = s[i];
		if (c < 0x80) {
			if (!controls && (c < 0x20 || c == 0x7f))
				return (0);
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
			c &= 0x1f;
			min = 0x80;
		} else if ((c & 0xf0) == 0xe0) {
			n = 2;
			c &= 0x0f;
			min = 0x800;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			c &= 0x07;
			min = 0x10000;
		} else
			return (0);
		if (len - i <= n)
			return (0);
		for (k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return (0);
			c = c << 6 | (s[i + k] & 0x3f);
		}
		if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
			return (0);
		i += n + 1;
	}
	return (1);
}

/* Base64 of the bytes, padded, NUL-terminated; malloc'd. */
static char *
ctl_json_b64_encode(const char *p, size_t len)
{
	const unsigned char	*s = (const unsigned char *)p;
	char			*out, *o;
	uint32_t		 w;
	size_t			 i;

	o = out = ctl_json_need(malloc((len + 2) / 3 * 4 + 1));
	for (i = 0; i + 2 < len; i += 3) {
		w = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8 | s[i + 2];
		*o++ = ctl_json_b64[w >> 18];
		*o++ = ctl_json_b64[(w >> 12) & 63];
		*o++ = ctl_json_b64[(w >> 6) & 63];
		*o++ = ctl_json_b64[w & 63];
	}
	if (i < len) {
		w = (uint32_t)s[i] << 16;
		if (i + 1 < len)
			w |= (uint32_t)s[i + 1] << 8;
		*o++ = ctl_json_b64[w >> 18];
		*o++ = ctl_json_b64[(w >> 12) & 63];
		*o++ = i + 1 < len ? ctl_json_b64[(w >> 6) & 63] : '=';
		*o++ = '=';
	}
	*o = '\0';
	return (out);
}

static int
ctl_json_b64_digit(char c)
{
	const char	*p;

	if (c == '\0' || (p = strchr(ctl_json_b64, c)) == NULL)
		return (-1);
	return ((int)(p - ctl_json_b64));
}

/*
 * Decode canonical base64 (padded to a multiple of 4, no other bytes, the
 * bits after the last byte zero) into out (room for len / 4 * 3 bytes).
 * The length decoded, or -1.
 */
static ssize_t
ctl_json_b64_decode(const char *s, size_t len, char *out)
{
	uint32_t	 w;
	size_t		 i, n = 0;
	int		 j, d, pad;

	if (len % 4 != 0)
		return (-1);
	for (i = 0; i < len; i += 4) {
		w = 0;
		pad = 0;
		for (j = 0; j < 4; j++) {
			if (s[i + j] == '=' && i + 4 == len && j >= 2 &&
			    (j == 3 || s[i + 3] == '=')) {
				pad++;
				w <<= 6;
				continue;
			}
			if (pad > 0 || (d = ctl_json_b64_digit(s[i + j])) == -1)
				return (-1);
			w = w << 6 | (uint32_t)d;
		}
		if ((pad == 1 && (w & 0xff) != 0) ||
		    (pad == 2 && (w & 0xffff) != 0))
			return (-1);
		out[n++] = (char)(w >> 16);
		if (pad < 2)
			out[n++] = (char)(w >> 8);
		if (pad < 1)
			out[n++] = (char)w;
	}
	return ((ssize_t)n);
}

/* Export. */

/* BYTES: a JSON string, or {"base64": "..."}. */
static cJSON *
ctl_json_bytes(const char *s, size_t len)
{
	cJSON	*o;
	char	*t;

	if (ctl_json_utf8(s, len, 0)) {
		t = ctl_json_need(strndup(s, len));
		o = ctl_json_need(cJSON_CreateString(t));
	} else {
		t = ctl_json_b64_encode(s, len);
		o = ctl_json_need(cJSON_CreateObject());
		ctl_json_need(cJSON_AddStringToObject(o, "base64", t));
	}
	free(t);
	return (o);
}

/*
 * SCORE: the shortest %g that reads back as the same double (its sign
 * too, for -0), or "inf" or "-inf".
 */
static cJSON *
ctl_json_score(double d)
{
	char	 buf[40];
	int	 prec;

	if (isinf(d))
		return (ctl_json_need(cJSON_CreateString(d > 0 ? "inf" :
		    "-inf")));
	for (prec = 15; prec <= 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	return (ctl_json_need(cJSON_CreateRaw(buf)));
}

static void
ctl_json_add(cJSON *to, cJSON *item)
{
	if (!cJSON_AddItemToArray(to, item))
		ctl_json_oom();
}

/* The VALUE of a decoded value: a string, or an array by type. */
static cJSON *
ctl_json_value(const struct rdb_value *v)
{
	cJSON	*arr, *pair;
	size_t	 i, j, step;

	if (v->rv_type == OBJ_STRING)
		return (ctl_json_bytes(v->rv_ptr[0], v->rv_len[0]));
	arr = ctl_json_need(cJSON_CreateArray());
	step = v->rv_type == OBJ_HASH ? 2 : 1;
	for (j = 0; j < v->rv_n; j += step) {
		/* A table's sorted set comes highest first: turn it round. */
		i = v->rv_type == OBJ_ZSET && v->rv_rdbtype == RDB_TYPE_ZSET_2 ?
		    v->rv_n - 1 - j : j;
		if (v->rv_type == OBJ_LIST || v->rv_type == OBJ_SET) {
			ctl_json_add(arr, ctl_json_bytes(v->rv_ptr[i],
			    v->rv_len[i]));
			continue;
		}
		pair = ctl_json_need(cJSON_CreateArray());
		ctl_json_add(pair, ctl_json_bytes(v->rv_ptr[i], v->rv_len[i]));
		ctl_json_add(pair, v->rv_type == OBJ_HASH ?
		    ctl_json_bytes(v->rv_ptr[i + 1], v->rv_len[i + 1]) :
		    ctl_json_score(v->rv_score[i]));
		ctl_json_add(arr, pair);
	}
	return (arr);
}

/* A key copied out of a stripe: offsets into the batch's buffer. */
struct ctl_json_copy {
	size_t		 jc_key;
	size_t		 jc_klen;
	size_t		 jc_val;
	size_t		 jc_vlen;
	int64_t		 jc_expire;
};

/* The keys of one stripe, copied under its lock. */
struct ctl_json_batch {
	struct arena		*jb_arena;
	struct rdb_out		 jb_out;	/* keys and serialized values */
	struct ctl_json_copy	*jb_copy;
	size_t			 jb_n;
	size_t			 jb_cap;
	int			 jb_errno;	/* the first failure, or 0 */
};

/* keyspace_visit_fn: copy the key and serialize its value. */
static void
ctl_json_copy_entry(const struct entry *e, void *arg)
{
	struct ctl_json_batch	*b = arg;
	struct ctl_json_copy	*c;
	const char		*key;
	size_t			 klen, cap;

	if (b->jb_errno != 0)
		return;
	if (b->jb_n == b->jb_cap) {
		cap = b->jb_cap == 0 ? 64 : b->jb_cap * 2;
		if ((c = reallocarray(b->jb_copy, cap, sizeof(*c))) == NULL) {
			b->jb_errno = ENOMEM;
			return;
		}
		b->jb_copy = c;
		b->jb_cap = cap;
	}
	c = &b->jb_copy[b->jb_n];
	key = entry_key(e, &klen);
	c->jc_key = b->jb_out.ro_len;
	c->jc_klen = klen;
	rdb_put_raw(&b->jb_out, key, klen);
	c->jc_val = b->jb_out.ro_len;
	if (rdb_save_value(&b->jb_out, b->jb_arena, e) == -1 ||
	    b->jb_out.ro_failed) {
		b->jb_errno = errno == ENOTSUP ? ENOTSUP : ENOMEM;
		return;
	}
	c->jc_vlen = b->jb_out.ro_len - c->jc_val;
	c->jc_expire = entry_expire(e);
	b->jb_n++;
}

/* One KEY line of the document, without the comma. */
static char *
ctl_json_key_line(unsigned db, const struct ctl_json_batch *b,
    const struct ctl_json_copy *c)
{
	struct rdb_value	 v;
	struct rdb_in		 in;
	cJSON			*o;
	char			 num[32], *line;

	rdb_value_init(&v);
	in.ri_p = b->jb_out.ro_buf + c->jc_val;
	in.ri_end = in.ri_p + c->jc_vlen;
	if (rdb_decode_value(&in, &v) == -1) {
		if (errno == ENOMEM)
			ctl_json_oom();
		/* What rdb_save_value() wrote is always decodable. */
		if (ctl_json_tmp != NULL)
			(void)unlink(ctl_json_tmp);
		errx(CTL_EXIT_PROBLEM, "export: a value did not decode: %s",
		    strerror(errno));
	}
	o = ctl_json_need(cJSON_CreateObject());
	snprintf(num, sizeof(num), "%u", db);
	ctl_json_need(cJSON_AddRawToObject(o, "db", num));
	if (!cJSON_AddItemToObject(o, "key", ctl_json_bytes((const char *)
	    b->jb_out.ro_buf + c->jc_key, c->jc_klen)))
		ctl_json_oom();
	ctl_json_need(cJSON_AddStringToObject(o, "type",
	    ctl_json_types[v.rv_type]));
	if (!cJSON_AddItemToObject(o, "value", ctl_json_value(&v)))
		ctl_json_oom();
	if (c->jc_expire != KEYSPACE_NO_EXPIRE) {
		snprintf(num, sizeof(num), "%lld", (long long)c->jc_expire);
		ctl_json_need(cJSON_AddRawToObject(o, "expire_at_ms", num));
	}
	line = ctl_json_need(cJSON_PrintUnformatted(o));
	cJSON_Delete(o);
	rdb_value_free(&v);
	return (line);
}

/* Sync the directory that holds path, so that a rename in it lasts. */
static int
ctl_json_sync_dir(const char *path)
{
	char	*copy, *dir;
	int	 fd, rv;

	copy = ctl_json_need(strdup(path));
	dir = dirname(copy);
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY)) == -1) {
		free(copy);
		return (-1);
	}
	rv = fsync(fd);
	close(fd);
	free(copy);
	return (rv);
}

/* Parse "--json FILE" and the flags of import; -1 on a usage error. */
static int
ctl_json_args(int argc, char *argv[], const char **file, int *replace,
    const char **config)
{
	int	 i;

	*file = NULL;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0 && i + 1 < argc &&
		    *file == NULL)
			*file = argv[++i];
		else if (replace != NULL && strcmp(argv[i], "--replace") == 0)
			*replace = 1;
		else if (config != NULL && strcmp(argv[i], "--config") == 0 &&
		    i + 1 < argc && *config == NULL)
			*config = argv[++i];
		else
			return (-1);
	}
	return (*file == NULL ? -1 : 0);
}

/*
 * export --json FILE: every live key of every database, as the document
 * above, into FILE ("-": standard output).
 */
int
ctl_export(const char *name, int argc, char *argv[])
{
	struct arena		 a;
	struct keyspace		 ks;
	struct ctl_json_batch	 b;
	const char		*file;
	char			*line;
	FILE			*fp;
	uint64_t		 nkeys = 0;
	size_t			 i, len;
	unsigned		 db;
	uint32_t		 s;
	int			 fd, failed;

	if (ctl_json_args(argc, argv, &file, NULL, NULL) == -1)
		return (ctl_usage(argv[0]));
	if (ctl_attach(name, &a, &ks) == -1)
		return (CTL_EXIT_NOARENA);

	if (strcmp(file, "-") == 0)
		fp = stdout;
	else {
		len = strlen(file) + 16;
		ctl_json_tmp = ctl_json_need(malloc(len));
		snprintf(ctl_json_tmp, len, "%s.tmp.%ld", file,
		    (long)getpid());
		if ((fd = open(ctl_json_tmp, O_WRONLY | O_CREAT | O_TRUNC |
		    O_EXCL, 0644)) == -1 || (fp = fdopen(fd, "w")) == NULL) {
			warn("export: %s", ctl_json_tmp);
			free(ctl_json_tmp);
			ctl_json_tmp = NULL;
			arena_detach(&a);
			return (CTL_EXIT_PROBLEM);
		}
	}

	fprintf(fp, "{\"format\":\"%s\",\"version\":%d,\"keys\":[",
	    CTL_JSON_FORMAT, CTL_JSON_VERSION);
	memset(&b, 0, sizeof(b));
	b.jb_arena = &a;
	rdb_out_init(&b.jb_out);
	b.jb_out.ro_compress = 0;
	for (db = 0; db < keyspace_databases(&ks); db++) {
		for (s = 0; s < keyspace_stripes(&ks); s++) {
			b.jb_n = 0;
			b.jb_out.ro_len = 0;
			keyspace_visit_stripe(&ks, db, s, compat_realtime_ms(),
			    ctl_json_copy_entry, &b);
			if (b.jb_errno == ENOMEM)
				ctl_json_oom();
			if (b.jb_errno != 0) {
				warnx("export: database %u holds a value of a "
				    "type that cannot be exported", db);
				goto fail;
			}
			for (i = 0; i < b.jb_n; i++) {
				line = ctl_json_key_line(db, &b, &b.jb_copy[i]);
				fprintf(fp, "%s\n%s", nkeys > 0 ? "," : "",
				    line);
				free(line);
				nkeys++;
			}
		}
	}
	fprintf(fp, "\n]}\n");
	rdb_out_free(&b.jb_out);
	free(b.jb_copy);
	arena_detach(&a);

	if (fp == stdout) {
		if (fflush(stdout) == EOF || ferror(stdout)) {
			warn("export: standard output");
			return (CTL_EXIT_PROBLEM);
		}
		return (CTL_EXIT_OK);
	}
	failed = fflush(fp) == EOF || ferror(fp) || fsync(fileno(fp)) == -1;
	if (fclose(fp) == EOF)
		failed = 1;
	if (failed || rename(ctl_json_tmp, file) == -1) {
		warn("export: %s", failed ? ctl_json_tmp : file);
		(void)unlink(ctl_json_tmp);
		free(ctl_json_tmp);
		ctl_json_tmp = NULL;
		return (CTL_EXIT_PROBLEM);
	}
	if (ctl_json_sync_dir(file) == -1)
		warn("export: syncing the directory of %s", file);
	free(ctl_json_tmp);
	ctl_json_tmp = NULL;
	printf("exported %llu key%s to %s\n", (unsigned long long)nkeys,
	    ctl_plural(nkeys), file);
	return (CTL_EXIT_OK);

fail:
	rdb_out_free(&b.jb_out);
	free(b.jb_copy);
	arena_detach(&a);
	if (fp != stdout) {
		fclose(fp);
		(void)unlink(ctl_json_tmp);
		free(ctl_json_tmp);
		ctl_json_tmp = NULL;
	}
	return (CTL_EXIT_PROBLEM);
}

/* Import. */

/* A key of the document, checked and decoded. */
struct ctl_json_key {
	unsigned		 jk_db;
	const char		*jk_key;
	size_t			 jk_klen;
	int64_t			 jk_expire;	/* or KEYSPACE_NO_EXPIRE */
	size_t			 jk_index;	/* in "keys" */
	struct rdb_value	 jk_value;	/* owns decoded base64 too */
};

/* Where a check failed, for the message: "keys[3].value[2][0]". */
struct ctl_json_err {
	char	 je_msg[512];
};

static int __attribute__((format(printf, 2, 3)))
ctl_json_fail(struct ctl_json_err *je, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(je->je_msg, sizeof(je->je_msg), fmt, ap);
	va_end(ap);
	return (-1);
}

/*
 * BYTES into *s, *len: a JSON string (its UTF-8 as it is) or
 * {"base64": "..."} decoded into memory of v.  0, or -1 with the reason.
 */
static int
ctl_json_get_bytes(const cJSON *item, struct rdb_value *v, const char **s,
    size_t *len, struct ctl_json_err *je, const char *where)
{
	const cJSON	*b64;
	char		*out;
	size_t		 n;
	ssize_t		 got;

	if (cJSON_IsString(item)) {
		*s = item->valuestring;
		*len = strlen(item->valuestring);
		if (!ctl_json_utf8(*s, *len, 1))
			return (ctl_json_fail(je, "%s: a string that is not "
			    "valid UTF-8 (use {\"base64\": ...} for other "
			    "bytes)", where));
		return (0);
	}
	if (!cJSON_IsObject(item) || (b64 = item->child) == NULL ||
	    b64->next != NULL || strcmp(b64->string, "base64") != 0 ||
	    !cJSON_IsString(b64))
		return (ctl_json_fail(je, "%s: neither a string nor "
		    "{\"base64\": \"...\"}", where));
	n = strlen(b64->valuestring);
	if ((out = rdb_value_alloc(v, n / 4 * 3 + 1)) == NULL)
		ctl_json_oom();
	if ((got = ctl_json_b64_decode(b64->valuestring, n, out)) == -1)
		return (ctl_json_fail(je, "%s: \"base64\" is not canonical "
		    "padded base64", where));
	*s = out;
	*len = (size_t)got;
	return (0);
}

/* SCORE: a finite JSON number, or "inf", "+inf", "-inf". */
static int
ctl_json_get_score(const cJSON *item, double *d, struct ctl_json_err *je,
    const char *where)
{
	if (cJSON_IsNumber(item) && isfinite(item->valuedouble)) {
		*d = item->valuedouble;
		return (0);
	}
	if (cJSON_IsString(item)) {
		if (strcmp(item->valuestring, "inf") == 0 ||
		    strcmp(item->valuestring, "+inf") == 0) {
			*d = INFINITY;
			return (0);
		}
		if (strcmp(item->valuestring, "-inf") == 0) {
			*d = -INFINITY;
			return (0);
		}
	}
	return (ctl_json_fail(je, "%s: a score must be a finite number, "
	    "\"inf\" or \"-inf\"", where));
}

/* A whole JSON number in [lo, hi], into *n. */
static int
ctl_json_get_whole(const cJSON *item, double lo, double hi, double *n)
{
	if (!cJSON_IsNumber(item) || item->valuedouble != floor(
	    item->valuedouble) || item->valuedouble < lo ||
	    item->valuedouble > hi)
		return (-1);
	*n = item->valuedouble;
	return (0);
}

/* The VALUE of a key of type `type' into v. */
static int
ctl_json_get_value(const cJSON *val, int type, struct rdb_value *v,
    struct ctl_json_err *je, size_t k)
{
	static const int	 rdbtype[] = {
		/* The RDB types whose loads encode as the commands do. */
		[OBJ_STRING] = RDB_TYPE_STRING,
		[OBJ_LIST] = RDB_TYPE_LIST_QUICKLIST_2,
		[OBJ_HASH] = RDB_TYPE_HASH,
		[OBJ_SET] = RDB_TYPE_SET,
		[OBJ_ZSET] = RDB_TYPE_ZSET_2,
	};
	const cJSON	*el, *a, *b;
	const char	*s, *t;
	char		 where[96];
	size_t		 len, tlen, i = 0;
	double		 d = 0;

	v->rv_type = type;
	v->rv_rdbtype = rdbtype[type];
	if (type == OBJ_STRING) {
		snprintf(where, sizeof(where), "keys[%zu].value", k);
		if (ctl_json_get_bytes(val, v, &s, &len, je, where) == -1)
			return (-1);
		if (rdb_value_add(v, s, len) == -1)
			ctl_json_oom();
		return (0);
	}
	if (!cJSON_IsArray(val) || val->child == NULL)
		return (ctl_json_fail(je, "keys[%zu].value: a %s must be a "
		    "non-empty array", k, ctl_json_types[type]));
	cJSON_ArrayForEach(el, val) {
		snprintf(where, sizeof(where), "keys[%zu].value[%zu]", k, i);
		if (type == OBJ_LIST || type == OBJ_SET) {
			if (ctl_json_get_bytes(el, v, &s, &len, je, where) ==
			    -1)
				return (-1);
			if (rdb_value_add(v, s, len) == -1)
				ctl_json_oom();
			i++;
			continue;
		}
		if (!cJSON_IsArray(el) || (a = el->child) == NULL ||
		    (b = a->next) == NULL || b->next != NULL)
			return (ctl_json_fail(je, "%s: must be a pair [%s, %s]",
			    where, type == OBJ_HASH ? "field" : "member",
			    type == OBJ_HASH ? "value" : "score"));
		snprintf(where, sizeof(where), "keys[%zu].value[%zu][0]", k,
		    i);
		if (ctl_json_get_bytes(a, v, &s, &len, je, where) == -1)
			return (-1);
		where[strlen(where) - 2] = '1';
		if (type == OBJ_HASH) {
			if (ctl_json_get_bytes(b, v, &t, &tlen, je, where) ==
			    -1)
				return (-1);
			if (rdb_value_add(v, s, len) == -1 ||
			    rdb_value_add(v, t, tlen) == -1)
				ctl_json_oom();
		} else {
			if (ctl_json_get_score(b, &d, je, where) == -1)
				return (-1);
			if (rdb_value_add_scored(v, s, len, d) == -1)
				ctl_json_oom();
		}
		i++;
	}
	if (rdb_value_check(v) == -1) {
		if (errno == ENOMEM)
			ctl_json_oom();
		return (ctl_json_fail(je, "keys[%zu].value: a %s with the "
		    "same %s twice", k, ctl_json_types[type],
		    type == OBJ_HASH ? "field" : "member"));
	}
	return (0);
}

/* One KEY of the document into jk. */
static int
ctl_json_get_key(const cJSON *item, size_t k, unsigned ndb,
    struct ctl_json_key *jk, struct ctl_json_err *je)
{
	const cJSON	*m, *db = NULL, *key = NULL, *type = NULL;
	const cJSON	*val = NULL, *exp = NULL, **slot;
	char		 where[64];
	double		 n;
	int		 t;

	jk->jk_index = k;
	jk->jk_expire = KEYSPACE_NO_EXPIRE;
	if (!cJSON_IsObject(item))
		return (ctl_json_fail(je, "keys[%zu]: not an object", k));
	cJSON_ArrayForEach(m, item) {
		if (strcmp(m->string, "db") == 0)
			slot = &db;
		else if (strcmp(m->string, "key") == 0)
			slot = &key;
		else if (strcmp(m->string, "type") == 0)
			slot = &type;
		else if (strcmp(m->string, "value") == 0)
			slot = &val;
		else if (strcmp(m->string, "expire_at_ms") == 0)
			slot = &exp;
		else
			return (ctl_json_fail(je, "keys[%zu]: unknown member "
			    "\"%s\"", k, m->string));
		if (*slot != NULL)
			return (ctl_json_fail(je, "keys[%zu]: \"%s\" twice", k,
			    m->string));
		*slot = m;
	}
	if (db == NULL || key == NULL || type == NULL || val == NULL)
		return (ctl_json_fail(je, "keys[%zu]: \"db\", \"key\", "
		    "\"type\" and \"value\" are required", k));
	if (ctl_json_get_whole(db, 0, ndb - 1, &n) == -1)
		return (ctl_json_fail(je, "keys[%zu].db: not a database of "
		    "this arena (0 to %u)", k, ndb - 1));
	jk->jk_db = (unsigned)n;
	if (exp != NULL) {
		if (ctl_json_get_whole(exp, 0, (double)INT64_MAX / 2, &n) == -1)
			return (ctl_json_fail(je, "keys[%zu].expire_at_ms: "
			    "not a time in milliseconds", k));
		jk->jk_expire = (int64_t)n;
	}
	for (t = 0; t < (int)nitems(ctl_json_types); t++)
		if (cJSON_IsString(type) &&
		    strcmp(type->valuestring, ctl_json_types[t]) == 0)
			break;
	if (t == (int)nitems(ctl_json_types))
		return (ctl_json_fail(je, "keys[%zu].type: not one of string, "
		    "list, set, hash, zset", k));
	snprintf(where, sizeof(where), "keys[%zu].key", k);
	if (ctl_json_get_bytes(key, &jk->jk_value, &jk->jk_key,
	    &jk->jk_klen, je, where) == -1)
		return (-1);
	return (ctl_json_get_value(val, t, &jk->jk_value, je, k));
}

static int
ctl_json_key_cmp(const void *pa, const void *pb)
{
	const struct ctl_json_key	*a = pa, *b = pb;

	if (a->jk_db != b->jk_db)
		return (a->jk_db < b->jk_db ? -1 : 1);
	return (bytes_cmp(a->jk_key, a->jk_klen, b->jk_key, b->jk_klen));
}

/*
 * Does the text hold the escape \u0000 inside a string?  cJSON would cut
 * the string there, so such a document is refused (NUL bytes travel as
 * base64).
 */
static int
ctl_json_has_nul_escape(const char *p, size_t len)
{
	size_t	 i;
	int	 in = 0;

	for (i = 0; i < len; i++) {
		if (!in) {
			in = p[i] == '"';
			continue;
		}
		if (p[i] == '"')
			in = 0;
		else if (p[i] == '\\' && i + 1 < len) {
			if (p[i + 1] == 'u' && i + 5 < len &&
			    memcmp(p + i + 2, "0000", 4) == 0)
				return (1);
			i++;
		}
	}
	return (0);
}

/* The whole of a file ("-": standard input) in memory; NULL, reported. */
static char *
ctl_json_slurp(const char *file, size_t *len)
{
	FILE	*fp;
	char	*buf = NULL;
	size_t	 cap = 0, n;

	*len = 0;
	if (strcmp(file, "-") == 0)
		fp = stdin;
	else if ((fp = fopen(file, "r")) == NULL) {
		warn("import: %s", file);
		return (NULL);
	}
	for (;;) {
		if (cap - *len < 65536) {
			cap = cap == 0 ? 65536 : cap * 2;
			buf = ctl_json_need(realloc(buf, cap));
		}
		n = fread(buf + *len, 1, cap - *len, fp);
		*len += n;
		if (n == 0)
			break;
	}
	if (ferror(fp)) {
		warn("import: %s", file);
		free(buf);
		buf = NULL;
	}
	if (fp != stdin)
		fclose(fp);
	return (buf);
}

/* Line and column of a position in the text, for a parse error. */
static void
ctl_json_where(const char *text, const char *at, size_t *line, size_t *col)
{
	const char	*p;

	*line = *col = 1;
	for (p = text; p < at; p++) {
		if (*p == '\n') {
			(*line)++;
			*col = 1;
		} else
			(*col)++;
	}
}

/* The document's header: format, version and the "keys" array. */
static const cJSON *
ctl_json_get_doc(const cJSON *doc, struct ctl_json_err *je)
{
	const cJSON	*m, *format = NULL, *version = NULL, *keys = NULL;

	if (!cJSON_IsObject(doc)) {
		ctl_json_fail(je, "not a JSON object");
		return (NULL);
	}
	cJSON_ArrayForEach(m, doc) {
		if (strcmp(m->string, "format") == 0 && format == NULL)
			format = m;
		else if (strcmp(m->string, "version") == 0 && version == NULL)
			version = m;
		else if (strcmp(m->string, "keys") == 0 && keys == NULL)
			keys = m;
		else {
			ctl_json_fail(je, "unknown or repeated member \"%s\"",
			    m->string);
			return (NULL);
		}
	}
	if (!cJSON_IsString(format) ||
	    strcmp(format->valuestring, CTL_JSON_FORMAT) != 0)
		ctl_json_fail(je, "\"format\" is not \"%s\"", CTL_JSON_FORMAT);
	else if (!cJSON_IsNumber(version) ||
	    version->valuedouble != CTL_JSON_VERSION)
		ctl_json_fail(je, "\"version\" is not %d (this hydractl reads "
		    "version %d)", CTL_JSON_VERSION, CTL_JSON_VERSION);
	else if (!cJSON_IsArray(keys))
		ctl_json_fail(je, "\"keys\" is not an array");
	else
		return (keys);
	return (NULL);
}

/* Apply the encoding limits of a configuration file; -1, reported. */
static int
ctl_json_limits(const char *path)
{
	struct config		 cfg;
	struct config_error	 cerr;

	if (config_init(&cfg) == -1)
		ctl_json_oom();
	if (config_load_file(&cfg, path, &cerr) == -1) {
		config_error_print(&cerr, stderr);
		config_free(&cfg);
		return (-1);
	}
	object_limits_apply(&cfg);
	config_free(&cfg);
	return (0);
}

/*
 * import [--replace] [--config FILE] --json FILE: check the whole
 * document, then write its keys (see the top of this file).
 */
int
ctl_import(const char *name, int argc, char *argv[])
{
	struct arena		 a;
	struct keyspace		 ks;
	struct ks_key		 kk;
	struct ks_stripe	*st;
	struct ctl_json_err	 je;
	struct ctl_json_key	*keys = NULL, *jk;
	const cJSON		*arr, *item;
	cJSON			*doc = NULL;
	const char		*file, *config = NULL;
	char			*text;
	size_t			 len, n = 0, i, line, col, written = 0;
	size_t			 expired = 0, existing = 0;
	int64_t			 now;
	int			 replace = 0, rv = CTL_EXIT_PROBLEM;

	if (ctl_json_args(argc, argv, &file, &replace, &config) == -1)
		return (ctl_usage(argv[0]));
	if (config != NULL && ctl_json_limits(config) == -1)
		return (CTL_EXIT_NOARENA);
	if (ctl_attach(name, &a, &ks) == -1)
		return (CTL_EXIT_NOARENA);
	if ((text = ctl_json_slurp(file, &len)) == NULL)
		goto out;

	je.je_msg[0] = '\0';
	if (ctl_json_has_nul_escape(text, len)) {
		warnx("import: %s: refused: a string holds \\u0000 (NUL bytes "
		    "must be written as {\"base64\": ...}); nothing imported",
		    file);
		goto out;
	}
	if ((doc = cJSON_ParseWithLength(text, len)) == NULL) {
		if (cJSON_GetErrorPtr() != NULL) {
			ctl_json_where(text, cJSON_GetErrorPtr(), &line, &col);
			warnx("import: %s: refused: not valid JSON at line %zu, "
			    "column %zu; nothing imported", file, line, col);
		} else
			warnx("import: %s: refused: not valid JSON; nothing "
			    "imported", file);
		goto out;
	}
	if ((arr = ctl_json_get_doc(doc, &je)) == NULL)
		goto refused;
	keys = ctl_json_need(calloc((size_t)cJSON_GetArraySize(arr) + 1,
	    sizeof(*keys)));
	cJSON_ArrayForEach(item, arr) {
		rdb_value_init(&keys[n].jk_value);
		n++;
		if (ctl_json_get_key(item, n - 1, keyspace_databases(&ks),
		    &keys[n - 1], &je) == -1)
			goto refused;
	}
	qsort(keys, n, sizeof(*keys), ctl_json_key_cmp);
	for (i = 1; i < n; i++)
		if (ctl_json_key_cmp(&keys[i - 1], &keys[i]) == 0) {
			ctl_json_fail(&je, "keys[%zu] and keys[%zu]: the same "
			    "key twice in database %u", keys[i - 1].jk_index,
			    keys[i].jk_index, keys[i].jk_db);
			goto refused;
		}

	now = compat_realtime_ms();
	if (!replace) {
		for (i = 0; i < n; i++) {
			jk = &keys[i];
			if (jk->jk_expire != KEYSPACE_NO_EXPIRE &&
			    jk->jk_expire <= now)
				continue;
			keyspace_key(&ks, &kk, jk->jk_key, jk->jk_klen);
			st = keyspace_lock(&ks, jk->jk_db, &kk);
			if (keyspace_peek_locked(&ks, st, &kk, now) != NULL) {
				if (existing++ == 0)
					ctl_json_fail(&je, "keys[%zu] exists "
					    "already in database %u",
					    jk->jk_index, jk->jk_db);
			}
			keyspace_unlock(&ks, st);
		}
		if (existing > 0) {
			warnx("import: %s: refused: %zu of its keys exist "
			    "already (the first: %s); nothing imported "
			    "(--replace replaces them)", file, existing,
			    je.je_msg);
			goto out;
		}
	}

	for (i = 0; i < n; i++) {
		jk = &keys[i];
		if (jk->jk_expire != KEYSPACE_NO_EXPIRE &&
		    jk->jk_expire <= now) {
			expired++;
			continue;
		}
		keyspace_key(&ks, &kk, jk->jk_key, jk->jk_klen);
		st = keyspace_lock(&ks, jk->jk_db, &kk);
		if (!replace && keyspace_peek_locked(&ks, st, &kk, now) !=
		    NULL) {
			/* A client made it since the check: leave it. */
			keyspace_unlock(&ks, st);
			existing++;
			continue;
		}
		if (rdb_load_value(&ks, st, &kk, &jk->jk_value,
		    jk->jk_expire) == -1) {
			keyspace_unlock(&ks, st);
			warnx("import: %s: the arena is full after %zu key%s "
			    "of %zu; those stay imported", file, written,
			    ctl_plural(written), n - expired);
			goto out;
		}
		keyspace_unlock(&ks, st);
		written++;
	}
	printf("imported %zu key%s", written, ctl_plural(written));
	if (expired > 0)
		printf(" (%zu already expired, skipped)", expired);
	printf("\n");
	if (existing > 0)
		warnx("import: %zu key%s created by a client during the "
		    "import left as %s", existing, ctl_plural(existing),
		    existing == 1 ? "it was" : "they were");
	rv = existing > 0 ? CTL_EXIT_PROBLEM : CTL_EXIT_OK;
	goto out;

refused:
	warnx("import: %s: refused: %s; nothing imported", file, je.je_msg);
out:
	if (keys != NULL)
		for (i = 0; i < n; i++)
			rdb_value_free(&keys[i].jk_value);
	free(keys);
	cJSON_Delete(doc);
	free(text);
	arena_detach(&a);
	return (rv);
}
