/*
 * cmd_zset_ops.c: the sorted-set commands across keys (ZUNION, ZINTER,
 * ZDIFF, their STORE forms with WEIGHTS and AGGREGATE, and ZINTERCARD
 * with LIMIT), with Redis 7.0's arguments, replies and errors.
 *
 * Run by workers.  The command holds the stripes of all its keys (the
 * destination's too) at once, through keyspace_multi_lock(), computes in
 * private memory from pointers into the locked entries, then replies or
 * writes the destination in one put.
 *
 * A plain set (an intset or a hash table) counts as a sorted set whose
 * scores are all 1, as in Redis: its members are copied to private memory
 * (set.h hands them out one at a time) and weighted as any other input.
 * A key of any other type is WRONGTYPE.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hydra/blocking.h"
#include "hydra/client.h"
#include "hydra/command.h"
#include "hydra/compat.h"
#include "hydra/keyspace.h"
#include "hydra/object.h"
#include "hydra/reply.h"
#include "hydra/set.h"
#include "hydra/zset.h"

#include "command_internal.h"
#include "cmd_zset_internal.h"

#define ZOP_UNION	0
#define ZOP_INTER	1
#define ZOP_DIFF	2

#define ZOP_SUM		0
#define ZOP_MIN		1
#define ZOP_MAX		2

/* One input: its members (sorted by member for lookups) and weight. */
struct zop_src {
	const struct entry	*zs_entry;	/* NULL: no such key */
	struct zset_vec		 zs_vec;	/* by member */
	double			 zs_weight;
	size_t			 zs_card;
};

/* An element with the place of its input, for the union. */
struct zop_tagged {
	struct zset_elem	 zt_el;
	size_t			 zt_order;
};

/* What the options asked for. */
struct zop_req {
	int		 zo_op;
	int		 zo_agg;
	int		 zo_withscores;
	int		 zo_store;
	int		 zo_cardonly;
	long long	 zo_limit;
};

/*
 * The members of input src into its vector, in any order: a sorted set's
 * with their scores, a set's (copied into pool) with score 1.  0, or -1
 * ENOMEM.
 */
static int
zop_load(struct arena *a, struct set_pool *pool, struct zop_src *src)
{
	struct set_iter	 it;
	const char	*s, *c;
	size_t		 len;

	if (src->zs_entry == NULL ||
	    OBJ_TYPE(src->zs_entry->e_type) == OBJ_ZSET)
		return (zset_vec_load(&src->zs_vec, src->zs_entry));
	set_iter_init(&it, a, src->zs_entry);
	while (set_iter_next(&it, &s, &len))
		if ((c = set_pool_copy(pool, s, len)) == NULL ||
		    zset_vec_add(&src->zs_vec, c, len, 1) == -1)
			return (-1);
	return (0);
}

/* The score of member m in src (sorted by member), or 0 when absent. */
static int
zop_lookup(const struct zop_src *src, const char *m, size_t len,
    double *score)
{
	const struct zset_vec	*v = &src->zs_vec;
	size_t			 lo = 0, hi = v->zv_n, mid, n;
	int			 c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		n = v->zv_el[mid].ze_len < len ? v->zv_el[mid].ze_len : len;
		c = n > 0 ? memcmp(v->zv_el[mid].ze_member, m, n) : 0;
		if (c == 0)
			c = v->zv_el[mid].ze_len < len ? -1 :
			    v->zv_el[mid].ze_len > len;
		if (c == 0) {
			*score = v->zv_el[mid].ze_score;
			return (1);
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (0);
}

/* A weighted score; NaN (inf times 0) counts as 0. */
static double
zop_weigh(double score, double weight)
{
	double	 d = score * weight;

	return (isnan(d) ? 0 : d);
}

static void
zop_aggregate(double *target, double v, int agg)
{
	if (agg == ZOP_SUM) {
		*target += v;
		/* inf + -inf. */
		if (isnan(*target))
			*target = 0;
	} else if (agg == ZOP_MIN)
		*target = v < *target ? v : *target;
	else
		*target = v > *target ? v : *target;
}

/* Inputs from the smallest, stably (an insertion sort: few of them). */
static void
zop_sort_sources(struct zop_src *src, size_t n)
{
	struct zop_src	 t;
	size_t		 i, j;

	for (i = 1; i < n; i++) {
		t = src[i];
		for (j = i; j > 0 && src[j - 1].zs_card > t.zs_card; j--)
			src[j] = src[j - 1];
		src[j] = t;
	}
}

/* Order by member, then by input: a member's scores meet in input order. */
static int
zop_tagged_cmp(const void *a, const void *b)
{
	const struct zop_tagged	*x = a, *y = b;
	int			 c;

	c = zset_cmp(0, x->zt_el.ze_member, x->zt_el.ze_len, 0,
	    y->zt_el.ze_member, y->zt_el.ze_len);
	if (c != 0)
		return (c);
	return (x->zt_order < y->zt_order ? -1 : x->zt_order > y->zt_order);
}

/* The union: every input's weighted members, aggregated by member. */
static int
zop_union(const struct zop_req *q, const struct zop_src *src, size_t n,
    struct zset_vec *out)
{
	struct zop_tagged	*all;
	const struct zset_elem	*el;
	size_t			 i, j, total = 0;
	double			 score;
	int			 rv = 0;

	for (i = 0; i < n; i++)
		total += src[i].zs_vec.zv_n;
	if ((all = calloc(total + 1, sizeof(*all))) == NULL)
		return (-1);
	for (i = 0, total = 0; i < n; i++)
		for (j = 0; j < src[i].zs_vec.zv_n; j++, total++) {
			el = &src[i].zs_vec.zv_el[j];
			all[total].zt_el = *el;
			all[total].zt_el.ze_score = zop_weigh(el->ze_score,
			    src[i].zs_weight);
			all[total].zt_order = total;
		}
	qsort(all, total, sizeof(*all), zop_tagged_cmp);
	for (i = 0; rv == 0 && i < total; i = j) {
		score = all[i].zt_el.ze_score;
		for (j = i + 1; j < total && zset_cmp(0,
		    all[j].zt_el.ze_member, all[j].zt_el.ze_len, 0,
		    all[i].zt_el.ze_member, all[i].zt_el.ze_len) == 0; j++)
			zop_aggregate(&score, all[j].zt_el.ze_score,
			    q->zo_agg);
		rv = zset_vec_add(out, all[i].zt_el.ze_member,
		    all[i].zt_el.ze_len, score);
	}
	free(all);
	return (rv);
}

/*
 * The result of the request over src[0..n), into out (unsorted); for
 * ZINTERCARD, *card only.
 */
static int
zop_compute(const struct zop_req *q, struct zop_src *src, size_t n,
    struct zset_vec *out, long long *card)
{
	const struct zset_elem	*el;
	size_t			 i, j;
	double			 score, d;
	int			 keep;

	*card = 0;
	if (q->zo_op != ZOP_DIFF)
		zop_sort_sources(src, n);
	if (q->zo_op == ZOP_UNION)
		return (zop_union(q, src, n, out));
	for (j = 0; j < src[0].zs_vec.zv_n; j++) {
		el = &src[0].zs_vec.zv_el[j];
		score = q->zo_op == ZOP_INTER ? zop_weigh(el->ze_score,
		    src[0].zs_weight) : el->ze_score;
		keep = 1;
		for (i = 1; keep && i < n; i++) {
			if (zop_lookup(&src[i], el->ze_member, el->ze_len,
			    &d)) {
				if (q->zo_op == ZOP_DIFF)
					keep = 0;
				else
					/* Redis zeroes a NaN product of the
					   first input only. */
					zop_aggregate(&score,
					    d * src[i].zs_weight, q->zo_agg);
			} else if (q->zo_op == ZOP_INTER)
				keep = 0;
		}
		if (!keep)
			continue;
		(*card)++;
		if (q->zo_cardonly) {
			if (q->zo_limit > 0 && *card >= q->zo_limit)
				break;
			continue;
		}
		if (zset_vec_add(out, el->ze_member, el->ze_len, score) == -1)
			return (-1);
	}
	return (0);
}

/*
 * The options after the keys, from argv[j]: 0, or -1 after the error
 * reply.  Weights go to src.
 */
static int
zop_options(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen, int j, struct zop_req *q, struct zop_src *src,
    size_t n)
{
	size_t	 i;

	while (j < argc) {
		if (q->zo_op != ZOP_DIFF && !q->zo_cardonly &&
		    (size_t)(argc - j) >= n + 1 &&
		    command_arg_is(argv[j], argvlen[j], "weights")) {
			for (j++, i = 0; i < n; i++, j++)
				if (cmd_zset_parse_score(argv[j], argvlen[j],
				    &src[i].zs_weight) == -1) {
					reply_error(&cl->cl_reply,
					    "-ERR weight value is not a "
					    "float");
					return (-1);
				}
		} else if (q->zo_op != ZOP_DIFF && !q->zo_cardonly &&
		    argc - j >= 2 && command_arg_is(argv[j], argvlen[j],
		    "aggregate")) {
			j++;
			if (command_arg_is(argv[j], argvlen[j], "sum"))
				q->zo_agg = ZOP_SUM;
			else if (command_arg_is(argv[j], argvlen[j], "min"))
				q->zo_agg = ZOP_MIN;
			else if (command_arg_is(argv[j], argvlen[j], "max"))
				q->zo_agg = ZOP_MAX;
			else {
				reply_error(&cl->cl_reply, CMD_ERR_SYNTAX);
				return (-1);
			}
			j++;
		} else if (!q->zo_store && !q->zo_cardonly &&
		    command_arg_is(argv[j], argvlen[j], "withscores")) {
			q->zo_withscores = 1;
			j++;
		} else if (q->zo_cardonly && argc - j >= 2 &&
		    command_arg_is(argv[j], argvlen[j], "limit")) {
			if (command_parse_ll(argv[j + 1], argvlen[j + 1],
			    &q->zo_limit) == -1 || q->zo_limit < 0) {
				reply_error(&cl->cl_reply,
				    "-ERR LIMIT can't be negative");
				return (-1);
			}
			j += 2;
		} else {
			reply_error(&cl->cl_reply, CMD_ERR_SYNTAX);
			return (-1);
		}
	}
	return (0);
}

/*
 * ZUNION, ZINTER, ZDIFF (numkeys at argv[1]), their STORE forms (the
 * destination at argv[1], numkeys at argv[2]) and ZINTERCARD.
 */
static void
zop_generic(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen, int op, int store, int cardonly)
{
	struct keyspace		*ks = cl->cl_ks;
	struct zop_req		 q;
	struct zop_src		*src = NULL;
	struct ks_multi		 m;
	struct zset_vec		 out;
	struct set_pool		 pool;
	const char		*name = command_lookup(argv[0],
				    argvlen[0])->cmd_name;
	long long		 setnum, card = 0;
	size_t			 i, first = store ? 1 : 0;
	int			 numidx = store ? 2 : 1, rv = 0;

	memset(&q, 0, sizeof(q));
	q.zo_op = op;
	q.zo_store = store;
	q.zo_cardonly = cardonly;
	if (command_parse_ll(argv[numidx], argvlen[numidx], &setnum) == -1) {
		reply_error(&cl->cl_reply, CMD_ERR_NOT_INT);
		return;
	}
	if (setnum < 1) {
		reply_errorf(&cl->cl_reply, "at least 1 input key is needed "
		    "for '%s' command", name);
		return;
	}
	if (setnum > argc - (numidx + 1)) {
		reply_error(&cl->cl_reply, CMD_ERR_SYNTAX);
		return;
	}
	zset_vec_init(&out);
	set_pool_init(&pool);
	if ((src = calloc((size_t)setnum, sizeof(*src))) == NULL ||
	    keyspace_multi_init(&m, (size_t)setnum + first) == -1) {
		free(src);
		reply_error(&cl->cl_reply, CMD_ERR_OOM);
		return;
	}
	if (store)
		keyspace_multi_set(ks, &m, 0, cl->cl_db, argv[1], argvlen[1]);
	for (i = 0; i < (size_t)setnum; i++)
		keyspace_multi_set(ks, &m, first + i, cl->cl_db,
		    argv[numidx + 1 + i], argvlen[numidx + 1 + i]);
	keyspace_multi_lock(ks, &m);
	for (i = 0; i < (size_t)setnum; i++) {
		src[i].zs_weight = 1;
		src[i].zs_entry = keyspace_find_locked(ks, m.km_sts[first + i],
		    &m.km_keys[first + i], command_now_ms());
		command_count_lookup(cl, src[i].zs_entry != NULL);
		if (src[i].zs_entry != NULL &&
		    OBJ_TYPE(src[i].zs_entry->e_type) != OBJ_ZSET &&
		    OBJ_TYPE(src[i].zs_entry->e_type) != OBJ_SET) {
			reply_error(&cl->cl_reply, CMD_ERR_WRONGTYPE);
			goto out;
		}
	}
	if (zop_options(cl, argc, argv, argvlen, numidx + 1 + (int)setnum, &q,
	    src, (size_t)setnum) == -1)
		goto out;
	for (i = 0; rv == 0 && i < (size_t)setnum; i++) {
		rv = zop_load(ks->ks_arena, &pool, &src[i]);
		src[i].zs_card = src[i].zs_vec.zv_n;
		/* The first input of a union or an intersection keeps its
		   order; every other one is looked up by member. */
		zset_vec_sort_members(&src[i].zs_vec);
	}
	if (rv == 0)
		rv = zop_compute(&q, src, (size_t)setnum, &out, &card);
	if (rv == 0) {
		zset_vec_sort(&out);
		out.zv_fresh = 1;
		if (store)
			rv = zset_write_locked(ks, m.km_sts[0], &m.km_keys[0],
			    &out, KEYSPACE_NO_EXPIRE);
	}
	if (rv == -1)
		reply_error(&cl->cl_reply, CMD_ERR_OOM);
	else if (cardonly)
		reply_int(&cl->cl_reply, card);
	else if (store)
		reply_int(&cl->cl_reply, (long long)out.zv_n);
	else
		cmd_zset_reply(cl, out.zv_el, out.zv_n, cmd_zset_shape(cl,
		    q.zo_withscores));
	/* A destination that is a set now may serve its waiters. */
	if (rv == 0 && store)
		(void)blocking_serve_locked(ks, m.km_sts[0], cl->cl_db,
		    &m.km_keys[0]);
out:
	keyspace_multi_unlock(ks, &m);
	keyspace_multi_free(&m);
	for (i = 0; i < (size_t)setnum; i++)
		zset_vec_free(&src[i].zs_vec);
	free(src);
	zset_vec_free(&out);
	set_pool_free(&pool);
}

static void
cmd_zunion(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	zop_generic(cl, argc, argv, argvlen, ZOP_UNION, 0, 0);
}

static void
cmd_zinter(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	zop_generic(cl, argc, argv, argvlen, ZOP_INTER, 0, 0);
}

static void
cmd_zdiff(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	zop_generic(cl, argc, argv, argvlen, ZOP_DIFF, 0, 0);
}

static void
cmd_zunionstore(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	zop_generic(cl, argc, argv, argvlen, ZOP_UNION, 1, 0);
}

static void
cmd_zinterstore(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	zop_generic(cl, argc, argv, argvlen, ZOP_INTER, 1, 0);
}

static void
cmd_zdiffstore(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	zop_generic(cl, argc, argv, argvlen, ZOP_DIFF, 1, 0);
}

static void
cmd_zintercard(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	zop_generic(cl, argc, argv, argvlen, ZOP_INTER, 0, 1);
}

static const struct command cmd_zset_ops_commands[] = {
	{ "zunion",	-3,	CMD_READONLY | CMD_KEYNUM, 0, 0, 0,
	    cmd_zunion },
	{ "zinter",	-3,	CMD_READONLY | CMD_KEYNUM, 0, 0, 0,
	    cmd_zinter },
	{ "zdiff",	-3,	CMD_READONLY | CMD_KEYNUM, 0, 0, 0, cmd_zdiff },
	{ "zintercard",	-3,	CMD_READONLY | CMD_KEYNUM, 0, 0, 0,
	    cmd_zintercard },
	{ "zunionstore", -4,	CMD_WRITE | CMD_DENYOOM | CMD_KEYNUM, 1, 1, 1,
	    cmd_zunionstore },
	{ "zinterstore", -4,	CMD_WRITE | CMD_DENYOOM | CMD_KEYNUM, 1, 1, 1,
	    cmd_zinterstore },
	{ "zdiffstore",	-4,	CMD_WRITE | CMD_DENYOOM | CMD_KEYNUM, 1, 1, 1,
	    cmd_zdiffstore },
};

const struct command_family cmd_zset_ops_family = {
	cmd_zset_ops_commands, nitems(cmd_zset_ops_commands)
};
