/*
 * cmd_sort.c: SORT and SORT_RO, with Redis 7.0's options (BY, LIMIT, GET,
 * ASC, DESC, ALPHA, STORE), replies and errors.
 *
 * Run by workers.  The elements of the key to sort are copied into private
 * memory under its stripe lock, which is then released; each key that a
 * BY or GET pattern names is read under its own stripe lock afterwards,
 * and STORE writes the destination under its lock last.  So no two
 * stripes are ever held at once, and SORT sees each key as it was at the
 * moment it read it (not one moment for all of them, as a single-threaded
 * server would).
 *
 * Elements: a list's in order, a set's in the order it reports them
 * (an intset's ascending), a sorted set's by rank.  Unsorted (BY a
 * pattern without '*'), a list or a sorted set keeps that order (DESC
 * reverses it, LIMIT cuts it after); a set keeps it too, unless the
 * result is stored: then it is sorted ALPHA anyway, so that what is
 * stored does not depend on the set's hashing, as Redis 7.0 does.
 * Sorted, a sorted set is sorted by its members as any other element,
 * never by score.  SORT only reads the key it sorts: Redis 7.0 turns a
 * packed ("listpack") sorted set that it sorts into a "skiplist", which
 * OBJECT ENCODING shows afterwards; here the encoding stays.
 *
 * Patterns are read as Redis reads them, as C strings: the '*' and the
 * "->" that names a hash field must come before any NUL byte of the
 * pattern.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hydra/bytes.h"
#include "hydra/client.h"
#include "hydra/command.h"
#include "hydra/compat.h"
#include "hydra/hmap.h"
#include "hydra/keyspace.h"
#include "hydra/list.h"
#include "hydra/object.h"
#include "hydra/reply.h"
#include "hydra/set.h"
#include "hydra/zset.h"

#include "command_internal.h"

#define CMD_ERR_SORT_SCORE	\
	"-ERR One or more scores can't be converted into double"

/* A private, NUL-ended copy of a byte string. */
struct sort_str {
	char		*ss_ptr;	/* NULL: none (a missing key) */
	size_t		 ss_len;
};

struct sort_item {
	struct sort_str	 si_elem;
	struct sort_str	 si_by;		/* ALPHA with BY: the weight */
	double		 si_score;	/* numeric: the weight */
};

struct sort_opts {
	const char	*so_by;		/* BY pattern, or NULL */
	size_t		 so_bylen;
	int		 so_dontsort;	/* BY without a '*' */
	int		 so_desc;
	int		 so_alpha;
	long long	 so_offset;	/* LIMIT; count -1: all */
	long long	 so_count;
	const char	*so_store;	/* STORE destination, or NULL */
	size_t		 so_storelen;
	int		 so_ngets;
	const char	**so_get;
	size_t		*so_getlen;
};

struct sort_vec {
	struct sort_item *sv_item;
	size_t		  sv_n;
	size_t		  sv_cap;
	int		  sv_type;	/* of the key sorted: OBJ_* */
};

static int
cmd_sort_strdup(struct sort_str *s, const char *p, size_t len)
{
	if ((s->ss_ptr = malloc(len + 1)) == NULL)
		return (-1);
	memcpy(s->ss_ptr, p, len);
	s->ss_ptr[len] = '\0';
	s->ss_len = len;
	return (0);
}

/*
 * Append an item whose element is s, taken over (ss_ptr NULL: a missing
 * value, nil in a reply).  0, or -1 ENOMEM (s freed).
 */
static int
cmd_sort_push(struct sort_vec *v, struct sort_str s)
{
	struct sort_item	*n;
	size_t			 cap;

	if (v->sv_n == v->sv_cap) {
		cap = v->sv_cap == 0 ? 16 : v->sv_cap * 2;
		if ((n = reallocarray(v->sv_item, cap, sizeof(*n))) == NULL) {
			free(s.ss_ptr);
			return (-1);
		}
		v->sv_item = n;
		v->sv_cap = cap;
	}
	memset(&v->sv_item[v->sv_n], 0, sizeof(v->sv_item[0]));
	v->sv_item[v->sv_n++].si_elem = s;
	return (0);
}

/* Append an item whose element is a copy of p. */
static int
cmd_sort_add(struct sort_vec *v, const char *p, size_t len)
{
	struct sort_str	 s;

	if (cmd_sort_strdup(&s, p, len) == -1)
		return (-1);
	return (cmd_sort_push(v, s));
}

static void
cmd_sort_vec_free(struct sort_vec *v)
{
	size_t	 i;

	for (i = 0; i < v->sv_n; i++) {
		free(v->sv_item[i].si_elem.ss_ptr);
		free(v->sv_item[i].si_by.ss_ptr);
	}
	free(v->sv_item);
}

/* The first '*' of a pattern read as a C string, or NULL. */
static const char *
cmd_sort_star(const char *pat, size_t patlen)
{
	return (memchr(pat, '*', strnlen(pat, patlen)));
}

/*
 * Parse the options from argv[2].  0, or -1 after the error reply.
 * SORT_RO (readonly) knows no STORE.
 */
static int
cmd_sort_options(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen, int readonly, struct sort_opts *o)
{
	int	 i, left;

	memset(o, 0, sizeof(*o));
	o->so_count = -1;
	if ((o->so_get = calloc((size_t)argc, sizeof(*o->so_get))) == NULL ||
	    (o->so_getlen = calloc((size_t)argc,
	    sizeof(*o->so_getlen))) == NULL) {
		reply_error(&cl->cl_reply, CMD_ERR_OOM);
		return (-1);
	}
	for (i = 2; i < argc; i++) {
		left = argc - i - 1;
		if (command_arg_is(argv[i], argvlen[i], "asc"))
			o->so_desc = 0;
		else if (command_arg_is(argv[i], argvlen[i], "desc"))
			o->so_desc = 1;
		else if (command_arg_is(argv[i], argvlen[i], "alpha"))
			o->so_alpha = 1;
		else if (command_arg_is(argv[i], argvlen[i], "limit") &&
		    left >= 2) {
			if (command_parse_ll(argv[i + 1], argvlen[i + 1],
			    &o->so_offset) == -1 ||
			    command_parse_ll(argv[i + 2], argvlen[i + 2],
			    &o->so_count) == -1) {
				reply_error(&cl->cl_reply, CMD_ERR_NOT_INT);
				return (-1);
			}
			i += 2;
		} else if (!readonly &&
		    command_arg_is(argv[i], argvlen[i], "store") &&
		    left >= 1) {
			o->so_store = argv[i + 1];
			o->so_storelen = argvlen[i + 1];
			i++;
		} else if (command_arg_is(argv[i], argvlen[i], "by") &&
		    left >= 1) {
			o->so_by = argv[i + 1];
			o->so_bylen = argvlen[i + 1];
			/* A pattern without '*' names one key: no sorting. */
			o->so_dontsort = cmd_sort_star(o->so_by,
			    o->so_bylen) == NULL;
			i++;
		} else if (command_arg_is(argv[i], argvlen[i], "get") &&
		    left >= 1) {
			o->so_get[o->so_ngets] = argv[i + 1];
			o->so_getlen[o->so_ngets++] = argvlen[i + 1];
			i++;
		} else {
			reply_error(&cl->cl_reply, CMD_ERR_SYNTAX);
			return (-1);
		}
	}
	return (0);
}

/*
 * The value a pattern names for an element: "#" is the element itself;
 * otherwise the first '*' of the pattern is replaced by the element, and
 * a "->field" after it reads that field of a hash instead of a string.
 * 0 with *out filled (ss_ptr NULL when there is no such value: no key,
 * a key of another type, no such field), or -1 when out of memory.
 */
static int
cmd_sort_lookup(struct client *cl, const char *pat, size_t patlen,
    const struct sort_str *elem, struct sort_str *out)
{
	struct keyspace		*ks = cl->cl_ks;
	struct ks_stripe	*st;
	struct ks_key		 k;
	const struct entry	*e;
	struct hmap_pair	 hp;
	const char		*star, *arrow = NULL, *v;
	char			*name;
	size_t			 clen, pre, post, vlen, flen = 0, i;
	int			 rc = 0;

	out->ss_ptr = NULL;
	out->ss_len = 0;
	clen = strnlen(pat, patlen);
	if (clen == 1 && pat[0] == '#')
		return (cmd_sort_strdup(out, elem->ss_ptr, elem->ss_len));
	if ((star = cmd_sort_star(pat, patlen)) == NULL)
		return (0);
	pre = (size_t)(star - pat);
	/* The first "->" after the '*', with a field after it. */
	for (i = pre + 1; i + 1 < clen; i++)
		if (pat[i] == '-' && pat[i + 1] == '>') {
			if (i + 2 < clen) {
				arrow = pat + i;
				flen = patlen - i - 2;
			}
			break;
		}
	post = patlen - pre - 1 - (arrow != NULL ? flen + 2 : 0);
	if ((name = malloc(pre + elem->ss_len + post + 1)) == NULL)
		return (-1);
	memcpy(name, pat, pre);
	memcpy(name + pre, elem->ss_ptr, elem->ss_len);
	memcpy(name + pre + elem->ss_len, star + 1, post);
	keyspace_key(ks, &k, name, pre + elem->ss_len + post);
	st = keyspace_lock(ks, cl->cl_db, &k);
	e = keyspace_find_locked(ks, st, &k, command_now_ms());
	/* A key a pattern names is a keyspace hit or miss, as in Redis. */
	command_count_lookup(cl, e != NULL);
	if (e != NULL && arrow == NULL && OBJ_TYPE(e->e_type) == OBJ_STRING) {
		v = entry_value(e, &vlen);
		rc = cmd_sort_strdup(out, v, vlen);
	} else if (e != NULL && arrow != NULL &&
	    OBJ_TYPE(e->e_type) == OBJ_HASH &&
	    hmap_find(ks->ks_arena, e, arrow + 2, flen, &hp))
		rc = cmd_sort_strdup(out, hp.hp_value, hp.hp_vlen);
	keyspace_unlock(ks, st);
	free(name);
	return (rc);
}

/*
 * The elements of the key to sort, in its own order, into v.  0; 1 after
 * WRONGTYPE; -1 when out of memory.  A missing key has none.
 */
static int
cmd_sort_load(struct client *cl, const char *key, size_t klen,
    struct sort_vec *v)
{
	struct keyspace		*ks = cl->cl_ks;
	struct ks_stripe	*st;
	struct ks_key		 k;
	const struct entry	*e;
	struct list_iter	 it;
	struct set_iter		 sit;
	struct zset_iter	 zit;
	struct zset_elem	 ze;
	const char		*s;
	size_t			 len;
	int			 rc = 0;

	keyspace_key(ks, &k, key, klen);
	st = keyspace_lock(ks, cl->cl_db, &k);
	e = keyspace_find_locked(ks, st, &k, command_now_ms());
	command_count_lookup(cl, e != NULL);
	if (e == NULL)
		goto out;
	v->sv_type = OBJ_TYPE(e->e_type);
	switch (v->sv_type) {
	case OBJ_LIST:
		list_iter_init(&it, ks->ks_arena, e, 0, 0);
		while (rc == 0 && list_iter_next(&it, &s, &len))
			rc = cmd_sort_add(v, s, len);
		break;
	case OBJ_SET:
		set_iter_init(&sit, ks->ks_arena, e);
		while (rc == 0 && set_iter_next(&sit, &s, &len))
			rc = cmd_sort_add(v, s, len);
		break;
	case OBJ_ZSET:
		zset_iter_init(&zit, e, 0, 0);
		while (rc == 0 && zset_iter_next(&zit, &ze))
			rc = cmd_sort_add(v, ze.ze_member, ze.ze_len);
		break;
	default:
		rc = 1;
		break;
	}
out:
	keyspace_unlock(ks, st);
	return (rc);
}

/*
 * Unsorted (BY a pattern without '*'), a list or a sorted set comes in
 * its order, or backwards with DESC; LIMIT applies after.
 */
static void
cmd_sort_reverse(struct sort_vec *v)
{
	struct sort_item	 t;
	size_t			 i;

	for (i = 0; i < v->sv_n / 2; i++) {
		t = v->sv_item[i];
		v->sv_item[i] = v->sv_item[v->sv_n - 1 - i];
		v->sv_item[v->sv_n - 1 - i] = t;
	}
}

/*
 * How two items compare.  Numeric: by weight, then the elements in binary
 * order.  ALPHA: by the BY values (a missing one first) or the elements,
 * as C strings (the "C" locale's collation) when the result is replied,
 * in binary order when it is stored, as Redis does.
 */
static int
cmd_sort_compare(const struct sort_item *a, const struct sort_item *b,
    const struct sort_opts *o)
{
	const struct sort_str	*x, *y;
	int			 c;

	if (!o->so_alpha) {
		if (a->si_score != b->si_score)
			c = a->si_score > b->si_score ? 1 : -1;
		else
			c = bytes_cmp(a->si_elem.ss_ptr, a->si_elem.ss_len,
			    b->si_elem.ss_ptr, b->si_elem.ss_len);
	} else {
		x = o->so_by != NULL ? &a->si_by : &a->si_elem;
		y = o->so_by != NULL ? &b->si_by : &b->si_elem;
		if (x->ss_ptr == NULL || y->ss_ptr == NULL)
			c = (x->ss_ptr != NULL) - (y->ss_ptr != NULL);
		else if (o->so_store != NULL)
			c = bytes_cmp(x->ss_ptr, x->ss_len, y->ss_ptr,
			    y->ss_len);
		else
			c = strcmp(x->ss_ptr, y->ss_ptr);
	}
	return (o->so_desc ? -c : c);
}

/* A stable merge sort of v[0..n) through tmp (n items). */
static void
cmd_sort_merge(struct sort_item *v, struct sort_item *tmp, size_t n,
    const struct sort_opts *o)
{
	size_t	 h = n / 2, i = 0, j = h, k = 0;

	if (n < 2)
		return;
	cmd_sort_merge(v, tmp, h, o);
	cmd_sort_merge(v + h, tmp, n - h, o);
	while (i < h && j < n)
		tmp[k++] = cmd_sort_compare(&v[j], &v[i], o) < 0 ? v[j++] :
		    v[i++];
	while (i < h)
		tmp[k++] = v[i++];
	while (j < n)
		tmp[k++] = v[j++];
	memcpy(v, tmp, n * sizeof(*v));
}

/*
 * The weights: each element's BY value (or the element), as a double
 * unless ALPHA.  0; 1 after the conversion error; -1 out of memory.
 */
static int
cmd_sort_weigh(struct client *cl, struct sort_vec *v,
    const struct sort_opts *o)
{
	struct sort_item	*it;
	struct sort_str		 by;
	const char		*s;
	char			*end;
	size_t			 i;
	int			 bad = 0;

	for (i = 0; i < v->sv_n; i++) {
		it = &v->sv_item[i];
		if (o->so_by != NULL) {
			if (cmd_sort_lookup(cl, o->so_by, o->so_bylen,
			    &it->si_elem, &by) == -1)
				return (-1);
			if (o->so_alpha) {
				it->si_by = by;
				continue;
			}
			if (by.ss_ptr == NULL)
				continue;
			s = by.ss_ptr;
		} else if (o->so_alpha)
			continue;
		else {
			by.ss_ptr = NULL;
			s = it->si_elem.ss_ptr;
		}
		/* As strtod() reads it: the whole C string, no overflow. */
		errno = 0;
		it->si_score = strtod(s, &end);
		if (*end != '\0' || errno == ERANGE || isnan(it->si_score))
			bad = 1;
		free(by.ss_ptr);
	}
	if (bad)
		reply_error(&cl->cl_reply, CMD_ERR_SORT_SCORE);
	return (bad);
}

/* The values of item it for the GET patterns, appended to out. */
static int
cmd_sort_gets(struct client *cl, const struct sort_item *it,
    const struct sort_opts *o, struct sort_vec *out)
{
	struct sort_str	 val;
	int		 i;

	if (o->so_ngets == 0)
		return (cmd_sort_add(out, it->si_elem.ss_ptr,
		    it->si_elem.ss_len));
	/* A missing value stays missing: nil in a reply, "" when stored. */
	for (i = 0; i < o->so_ngets; i++)
		if (cmd_sort_lookup(cl, o->so_get[i], o->so_getlen[i],
		    &it->si_elem, &val) == -1 || cmd_sort_push(out, val) == -1)
			return (-1);
	return (0);
}

/* STORE: the result becomes a list (or the key goes, when empty). */
static int
cmd_sort_store(struct client *cl, const struct sort_opts *o,
    const struct sort_vec *out)
{
	struct keyspace		*ks = cl->cl_ks;
	struct ks_stripe	*st;
	struct ks_key		 k;
	struct list_vec		 lv;
	size_t			 i;
	int			 rc = 0;

	list_vec_init(&lv);
	for (i = 0; i < out->sv_n && rc == 0; i++)
		rc = list_vec_add(&lv, out->sv_item[i].si_elem.ss_ptr != NULL ?
		    out->sv_item[i].si_elem.ss_ptr : "",
		    out->sv_item[i].si_elem.ss_len);
	if (rc == 0) {
		keyspace_key(ks, &k, o->so_store, o->so_storelen);
		st = keyspace_lock(ks, cl->cl_db, &k);
		rc = list_write_locked(ks, st, &k, &lv, KEYSPACE_NO_EXPIRE);
		keyspace_unlock(ks, st);
	}
	list_vec_free(&lv);
	return (rc);
}

static void
cmd_sort_generic(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen, int readonly)
{
	struct sort_opts	 o;
	struct sort_vec		 v = { NULL, 0, 0, OBJ_LIST };
	struct sort_vec		 out = { NULL, 0, 0, OBJ_LIST };
	struct sort_item	*tmp;
	size_t			 start, end, i;
	int			 rc;

	if (cmd_sort_options(cl, argc, argv, argvlen, readonly, &o) == -1)
		goto done;
	if ((rc = cmd_sort_load(cl, argv[1], argvlen[1], &v)) != 0) {
		reply_error(&cl->cl_reply, rc == 1 ? CMD_ERR_WRONGTYPE :
		    CMD_ERR_OOM);
		goto done;
	}
	/* LIMIT, clamped as Redis clamps it: [start, end). */
	start = o.so_offset < 0 ? 0 : (size_t)o.so_offset;
	if (start > v.sv_n)
		start = v.sv_n;
	end = o.so_count < 0 || (unsigned long long)o.so_count >
	    v.sv_n - start ? v.sv_n : start + (size_t)o.so_count;
	/* A set stored unsorted is sorted ALPHA, by its members only. */
	if (o.so_dontsort && v.sv_type == OBJ_SET && o.so_store != NULL) {
		o.so_dontsort = 0;
		o.so_alpha = 1;
		o.so_by = NULL;
	}
	if (o.so_dontsort && o.so_desc && v.sv_type != OBJ_SET)
		cmd_sort_reverse(&v);
	if (!o.so_dontsort) {
		if ((rc = cmd_sort_weigh(cl, &v, &o)) != 0) {
			if (rc == -1)
				reply_error(&cl->cl_reply, CMD_ERR_OOM);
			goto done;
		}
		if (v.sv_n > 1) {
			if ((tmp = calloc(v.sv_n, sizeof(*tmp))) == NULL) {
				reply_error(&cl->cl_reply, CMD_ERR_OOM);
				goto done;
			}
			cmd_sort_merge(v.sv_item, tmp, v.sv_n, &o);
			free(tmp);
		}
	}
	for (i = start; i < end; i++)
		if (cmd_sort_gets(cl, &v.sv_item[i], &o, &out) == -1) {
			reply_error(&cl->cl_reply, CMD_ERR_OOM);
			goto done;
		}
	if (o.so_store != NULL) {
		if (cmd_sort_store(cl, &o, &out) == -1)
			reply_error(&cl->cl_reply, CMD_ERR_OOM);
		else
			reply_int(&cl->cl_reply, (long long)out.sv_n);
		goto done;
	}
	reply_array_len(&cl->cl_reply, (long)out.sv_n);
	for (i = 0; i < out.sv_n; i++)
		if (out.sv_item[i].si_elem.ss_ptr == NULL)
			reply_null(&cl->cl_reply);
		else
			reply_bulk(&cl->cl_reply, out.sv_item[i].si_elem.ss_ptr,
			    out.sv_item[i].si_elem.ss_len);
done:
	cmd_sort_vec_free(&v);
	cmd_sort_vec_free(&out);
	free(o.so_get);
	free(o.so_getlen);
}

static void
cmd_sort(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	cmd_sort_generic(cl, argc, argv, argvlen, 0);
}

static void
cmd_sort_ro(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	cmd_sort_generic(cl, argc, argv, argvlen, 1);
}

static const struct command cmd_sort_commands[] = {
	{ "sort",	-2,	CMD_WRITE | CMD_DENYOOM | CMD_MOVABLE, 1, 1, 1,
	    cmd_sort },
	{ "sort_ro",	-2,	CMD_READONLY | CMD_MOVABLE, 1, 1, 1,
	    cmd_sort_ro },
};

const struct command_family cmd_sort_family = {
	cmd_sort_commands, nitems(cmd_sort_commands)
};
