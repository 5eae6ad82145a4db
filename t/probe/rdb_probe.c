/*
 * rdb_probe.c: whole RDB files through hydra's own loader and writer
 * (rdb_file.h), for the bats suites.
 *
 * The arena is of 512 MiB unless -s gives its size in MiB.
 *
 *   rdb_probe [-s size] print FILE [NOW_MS]
 *	Load FILE into a fresh private arena (keys whose time is before
 *	NOW_MS skipped; NOW_MS defaults to the clock) and print every key,
 *	one line each, sorted, in the canonical form below.
 *   rdb_probe [-s size] [-u] copy IN OUT
 *	Load IN, then write every key to OUT with the writer (-u: strings
 *	not compressed).
 *   rdb_probe [-s size] build OUT
 *	Make the keys that standard input describes, in the canonical
 *	form (the encoding column is not read: each value takes the
 *	encoding the loader gives it), and write them to OUT.
 *
 * The canonical form of a key, fields separated by tabs:
 *
 *   db  key  type  encoding  expiry  count  elements
 *
 * where the key and every string are "x" and their bytes in lowercase
 * hex; type is TYPE's answer and encoding OBJECT ENCODING's; expiry is
 * the absolute time in milliseconds, or -1; count is the number of
 * elements; elements are separated by blanks: a string's value, a list's
 * elements in order, a set's members sorted, a hash's "field=value" and
 * a sorted set's "member=score" (score as "%.17g") sorted by member.
 * Sorted hex sorts as the bytes do.  t/helpers/rdb_canon.py prints the
 * same form from a running server.
 *
 * A failed load prints the loader's message on standard error and exits
 * 1; a usage error exits 2.  The arena is unlinked as soon as it is made,
 * so that nothing is left behind.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hydra/arena.h"
#include "hydra/compat.h"
#include "hydra/keyspace.h"
#include "hydra/object.h"
#include "hydra/rdb.h"
#include "hydra/rdb_file.h"
#include "hydra/store.h"

struct probe_lines {
	char	**pl_line;
	size_t	  pl_n;
	size_t	  pl_cap;
	unsigned  pl_db;
	struct arena *pl_arena;
};

static void __attribute__((noreturn))
probe_usage(void)
{
	fprintf(stderr, "usage: rdb_probe [-s size] print FILE [NOW_MS]\n"
	    "       rdb_probe [-s size] [-u] copy IN OUT\n"
	    "       rdb_probe [-s size] build OUT\n");
	exit(2);
}

static void __attribute__((noreturn))
probe_fatal(const char *what)
{
	fprintf(stderr, "rdb_probe: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* A fresh store of `size' bytes, private to this process. */
static void
probe_store(struct arena *a, struct keyspace *ks, size_t size)
{
	struct arena_params	 ap;
	char			 name[64], err[256];

	snprintf(name, sizeof(name), "/hydra-rdbprobe-%ld", (long)getpid());
	(void)arena_unlink(name);
	store_default_params(&ap, size);
	if (store_create(a, ks, name, &ap, err, sizeof(err)) == -1) {
		fprintf(stderr, "rdb_probe: %s\n", err);
		exit(1);
	}
	(void)arena_unlink(name);
}

static void
probe_load(struct keyspace *ks, const char *path, int64_t now)
{
	struct rdb_file_load	 rl;

	memset(&rl, 0, sizeof(rl));
	if (rdb_file_load_path(ks, path, now, &rl) == -1) {
		fprintf(stderr, "rdb_probe: %s: %s\n", path, rl.rl_err);
		exit(1);
	}
	fprintf(stderr, "rdb_probe: %s: version %d, %llu keys, %llu "
	    "expired, %llu empty, %zu bytes\n", path, rl.rl_version,
	    (unsigned long long)rl.rl_keys, (unsigned long long)rl.rl_expired,
	    (unsigned long long)rl.rl_empty, rl.rl_used);
}

/* "x" and the bytes in hex, into f. */
static void
probe_hex(FILE *f, const char *s, size_t len)
{
	size_t	 i;

	fputc('x', f);
	for (i = 0; i < len; i++)
		fprintf(f, "%02x", (unsigned char)s[i]);
}

static int
probe_strcmp(const void *a, const void *b)
{
	return (strcmp(*(char *const *)a, *(char *const *)b));
}

/* Elements i of v as canonical words, sorted unless it is a list. */
static void
probe_elements(FILE *f, const struct rdb_value *v)
{
	char	**word;
	size_t	  n, i, step = v->rv_type == OBJ_HASH ? 2 : 1, wlen;
	FILE	 *w;

	n = v->rv_n / step;
	if ((word = calloc(n + 1, sizeof(*word))) == NULL)
		probe_fatal("calloc");
	for (i = 0; i < n; i++) {
		if ((w = open_memstream(&word[i], &wlen)) == NULL)
			probe_fatal("open_memstream");
		probe_hex(w, v->rv_ptr[i * step], v->rv_len[i * step]);
		if (v->rv_type == OBJ_HASH) {
			fputc('=', w);
			probe_hex(w, v->rv_ptr[i * 2 + 1], v->rv_len[i * 2 + 1]);
		} else if (v->rv_type == OBJ_ZSET)
			fprintf(w, "=%.17g", v->rv_score[i]);
		fclose(w);
	}
	if (v->rv_type != OBJ_LIST && v->rv_type != OBJ_STRING)
		qsort(word, n, sizeof(*word), probe_strcmp);
	for (i = 0; i < n; i++) {
		fprintf(f, "%s%s", i > 0 ? " " : "", word[i]);
		free(word[i]);
	}
	free(word);
}

static const char *
probe_type_name(int type)
{
	static const char *const names[] = {
		[OBJ_STRING] = "string", [OBJ_LIST] = "list",
		[OBJ_HASH] = "hash", [OBJ_SET] = "set", [OBJ_ZSET] = "zset",
	};

	return (type >= 0 && type <= OBJ_ZSET ? names[type] : "?");
}

/*
 * A key met by the scan (its stripe locked): its line, from its value
 * saved and decoded again by rdb.h's codec.
 */
static void
probe_visit(const struct entry *e, void *arg)
{
	struct probe_lines	*pl = arg;
	struct rdb_out		 o;
	struct rdb_value	 v;
	struct rdb_in		 in;
	const char		*key;
	char			*line;
	size_t			 klen, llen;
	long long		 refcount;
	FILE			*f;

	rdb_out_init(&o);
	rdb_value_init(&v);
	if (rdb_save_value(&o, pl->pl_arena, e) == -1)
		probe_fatal("rdb_save_value");
	in.ri_p = o.ro_buf;
	in.ri_end = o.ro_buf + o.ro_len;
	if (rdb_decode_value(&in, &v) == -1)
		probe_fatal("rdb_decode_value");
	if ((f = open_memstream(&line, &llen)) == NULL)
		probe_fatal("open_memstream");
	key = entry_key(e, &klen);
	fprintf(f, "%u\t", pl->pl_db);
	probe_hex(f, key, klen);
	fprintf(f, "\t%s\t%s\t%lld\t%zu\t", probe_type_name(v.rv_type),
	    object_encoding(e, &refcount), (long long)entry_expire(e),
	    v.rv_type == OBJ_HASH ? v.rv_n / 2 : v.rv_n);
	probe_elements(f, &v);
	fclose(f);
	rdb_value_free(&v);
	rdb_out_free(&o);
	if (pl->pl_n == pl->pl_cap) {
		pl->pl_cap = pl->pl_cap == 0 ? 1024 : pl->pl_cap * 2;
		if ((pl->pl_line = reallocarray(pl->pl_line, pl->pl_cap,
		    sizeof(*pl->pl_line))) == NULL)
			probe_fatal("reallocarray");
	}
	pl->pl_line[pl->pl_n++] = line;
}

static void
probe_print(struct keyspace *ks)
{
	struct probe_lines	 pl;
	uint64_t		 cursor;
	size_t			 i;

	memset(&pl, 0, sizeof(pl));
	pl.pl_arena = ks->ks_arena;
	for (pl.pl_db = 0; pl.pl_db < keyspace_databases(ks); pl.pl_db++) {
		cursor = 0;
		do
			cursor = keyspace_scan(ks, pl.pl_db, cursor,
			    INT64_MIN, probe_visit, &pl);
		while (cursor != 0);
	}
	qsort(pl.pl_line, pl.pl_n, sizeof(*pl.pl_line), probe_strcmp);
	for (i = 0; i < pl.pl_n; i++) {
		printf("%s\n", pl.pl_line[i]);
		free(pl.pl_line[i]);
	}
	free(pl.pl_line);
}

static void
probe_write(struct keyspace *ks, const char *path, int compress)
{
	struct rdb_file_aux	 aux;
	struct rdb_out		 o;
	FILE			*f;

	memset(&aux, 0, sizeof(aux));
	aux.ra_ctime = (int64_t)time(NULL);
	rdb_out_init(&o);
	o.ro_compress = compress;
	if (rdb_file_write_keyspace(&o, ks, &aux, INT64_MIN) == -1)
		probe_fatal("rdb_file_write_keyspace");
	if ((f = fopen(path, "w")) == NULL)
		probe_fatal(path);
	if (fwrite(o.ro_buf, 1, o.ro_len, f) != o.ro_len || fclose(f) != 0)
		probe_fatal(path);
	rdb_out_free(&o);
}

/* The bytes of a canonical word ("x" and hex), in v's memory. */
static const char *
probe_unhex(struct rdb_value *v, const char *w, size_t wlen, size_t *len)
{
	char	*p;
	size_t	 i;

	if (wlen == 0 || w[0] != 'x' || (wlen - 1) % 2 != 0) {
		fprintf(stderr, "rdb_probe: bad word '%.*s'\n", (int)wlen, w);
		exit(2);
	}
	*len = (wlen - 1) / 2;
	if ((p = rdb_value_alloc(v, *len + 1)) == NULL)
		probe_fatal("rdb_value_alloc");
	for (i = 0; i < *len; i++)
		sscanf(w + 1 + 2 * i, "%2hhx", (unsigned char *)&p[i]);
	return (p);
}

/* One line of the canonical form, made a key of ks. */
static void
probe_build_line(struct keyspace *ks, char *line)
{
	static const int rdbtypes[] = {
		[OBJ_STRING] = RDB_TYPE_STRING, [OBJ_LIST] = RDB_TYPE_LIST,
		[OBJ_HASH] = RDB_TYPE_HASH, [OBJ_SET] = RDB_TYPE_SET,
		[OBJ_ZSET] = RDB_TYPE_ZSET_2,
	};
	struct rdb_value	 v;
	struct ks_stripe	*st;
	struct ks_key		 kk;
	const char		*field[7], *key, *s, *eq;
	char			*save, *w;
	size_t			 klen, len, vlen;
	unsigned		 db;
	int			 i, rv;

	for (i = 0; i < 7; i++)
		if ((field[i] = strtok_r(i == 0 ? line : NULL, "\t",
		    &save)) == NULL && i < 6) {
			fprintf(stderr, "rdb_probe: a line of %d fields\n", i);
			exit(2);
		}
	rdb_value_init(&v);
	for (i = 0; i <= OBJ_ZSET; i++)
		if (strcmp(field[2], probe_type_name(i)) == 0)
			v.rv_type = i;
	v.rv_rdbtype = rdbtypes[v.rv_type];
	db = (unsigned)strtoul(field[0], NULL, 10);
	key = probe_unhex(&v, field[1], strlen(field[1]), &klen);
	for (w = strtok_r(field[6] != NULL ? (char *)field[6] : "", " ",
	    &save); w != NULL; w = strtok_r(NULL, " ", &save)) {
		eq = strchr(w, '=');
		s = probe_unhex(&v, w, eq != NULL ? (size_t)(eq - w) :
		    strlen(w), &len);
		if (v.rv_type == OBJ_ZSET)
			rv = rdb_value_add_scored(&v, s, len,
			    strtod(eq + 1, NULL));
		else
			rv = rdb_value_add(&v, s, len);
		if (rv == 0 && v.rv_type == OBJ_HASH) {
			s = probe_unhex(&v, eq + 1, strlen(eq + 1), &vlen);
			rv = rdb_value_add(&v, s, vlen);
		}
		if (rv == -1)
			probe_fatal("rdb_value_add");
	}
	keyspace_key(ks, &kk, key, klen);
	st = keyspace_lock(ks, db, &kk);
	rv = rdb_load_value(ks, st, &kk, &v, strtoll(field[4], NULL, 10));
	keyspace_unlock(ks, st);
	if (rv == -1)
		probe_fatal("rdb_load_value");
	rdb_value_free(&v);
}

static void
probe_build(struct keyspace *ks)
{
	char	*line = NULL;
	size_t	 cap = 0;
	ssize_t	 n;

	while ((n = getline(&line, &cap, stdin)) > 0) {
		if (line[n - 1] == '\n')
			line[--n] = '\0';
		if (n > 0)
			probe_build_line(ks, line);
	}
	free(line);
}

int
main(int argc, char *argv[])
{
	struct arena	 a;
	struct keyspace	 ks;
	size_t		 size = (size_t)512 << 20;
	int		 ch, compress = 1;

	while ((ch = getopt(argc, argv, "s:u")) != -1)
		switch (ch) {
		case 's':
			size = (size_t)strtoull(optarg, NULL, 10) << 20;
			break;
		case 'u':
			compress = 0;
			break;
		default:
			probe_usage();
		}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		probe_usage();
	probe_store(&a, &ks, size);
	if (strcmp(argv[0], "print") == 0 && (argc == 2 || argc == 3)) {
		probe_load(&ks, argv[1], argc == 3 ?
		    strtoll(argv[2], NULL, 10) : compat_realtime_ms());
		probe_print(&ks);
	} else if (strcmp(argv[0], "copy") == 0 && argc == 3) {
		probe_load(&ks, argv[1], compat_realtime_ms());
		probe_write(&ks, argv[2], compress);
	} else if (strcmp(argv[0], "build") == 0 && argc == 2) {
		probe_build(&ks);
		probe_write(&ks, argv[1], compress);
	} else
		probe_usage();
	arena_detach(&a);
	return (0);
}
