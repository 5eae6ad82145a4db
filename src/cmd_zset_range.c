/*
 * cmd_zset_range.c: the sorted-set commands on ranges (ZRANGE with
 * BYSCORE, BYLEX, REV, LIMIT and WITHSCORES; ZRANGESTORE; the older
 * ZRANGEBYSCORE, ZREVRANGEBYSCORE, ZRANGEBYLEX, ZREVRANGEBYLEX and
 * ZREVRANGE; ZCOUNT, ZLEXCOUNT; ZREMRANGEBYRANK, ZREMRANGEBYSCORE and
 * ZREMRANGEBYLEX), with Redis 7.0's arguments, replies and errors.
 *
 * Run by workers.  A range is read under its key's stripe lock into a
 * vector of pointers into the entry, then replied or stored before the
 * lock is let go; ZRANGESTORE holds both stripes at once.
 */
#include <limits.h>
#include <stdint.h>
#include <string.h>

#include "hydra/blocking.h"
#include "hydra/client.h"
#include "hydra/command.h"
#include "hydra/compat.h"
#include "hydra/keyspace.h"
#include "hydra/object.h"
#include "hydra/reply.h"
#include "hydra/zset.h"

#include "command_internal.h"
#include "cmd_zset_internal.h"

#define ZRANGE_AUTO	0
#define ZRANGE_RANK	1
#define ZRANGE_SCORE	2
#define ZRANGE_LEX	3

/* What a range request asks for, parsed. */
struct zrange_req {
	int			 zq_type;	/* ZRANGE_RANK, ... */
	int			 zq_rev;
	int			 zq_withscores;
	long long		 zq_offset;
	long long		 zq_limit;	/* negative: no limit */
	long long		 zq_start;	/* ranks */
	long long		 zq_end;
	struct zset_range	 zq_range;
	struct zset_lex		 zq_lex;
};

/* Is el within the end of the range that a walk meets last? */
static int
cmd_zrange_within(const struct zrange_req *q, const struct zset_elem *el)
{
	if (q->zq_type == ZRANGE_SCORE)
		return (q->zq_rev ? zset_score_gte_min(&q->zq_range,
		    el->ze_score) : zset_score_lte_max(&q->zq_range,
		    el->ze_score));
	return (q->zq_rev ? zset_lex_gte_min(&q->zq_lex, el->ze_member,
	    el->ze_len) : zset_lex_lte_max(&q->zq_lex, el->ze_member,
	    el->ze_len));
}

/* The elements of e that the request names, in reply order. */
static int
cmd_zrange_collect(const struct entry *e, const struct zrange_req *q,
    struct zset_vec *out)
{
	struct zset_iter	 it;
	struct zset_elem	 el;
	long long		 from, to, n, offset, limit;
	int			 found;

	if (q->zq_type == ZRANGE_RANK) {
		if (!command_range(q->zq_start, q->zq_end,
		    (long long)zset_card(e), &from, &to))
			return (0);
		zset_iter_init(&it, e, (uint64_t)from, q->zq_rev);
		for (n = to - from + 1; n > 0 && zset_iter_next(&it, &el); n--)
			if (zset_vec_add(out, el.ze_member, el.ze_len,
			    el.ze_score) == -1)
				return (-1);
		return (0);
	}
	if (q->zq_type == ZRANGE_SCORE)
		found = zset_iter_range(&it, e, &q->zq_range, q->zq_rev);
	else
		found = zset_iter_lex(&it, e, &q->zq_lex, q->zq_rev);
	/* A negative offset skips everything, as in Redis. */
	if (!found || q->zq_offset < 0)
		return (0);
	for (offset = q->zq_offset; offset > 0; offset--)
		if (!zset_iter_next(&it, &el))
			return (0);
	for (limit = q->zq_limit; limit != 0 && zset_iter_next(&it, &el);
	    limit--) {
		if (!cmd_zrange_within(q, &el))
			break;
		if (zset_vec_add(out, el.ze_member, el.ze_len,
		    el.ze_score) == -1)
			return (-1);
	}
	return (0);
}

/* A long long argument, or -1 after Redis's error. */
static int
cmd_zset_ll(struct client *cl, const char *arg, size_t len, long long *out)
{
	if (command_parse_ll(arg, len, out) == 0)
		return (0);
	reply_error(&cl->cl_reply, CMD_ERR_NOT_INT);
	return (-1);
}

/* Parse the range of a request from argv[minidx] and argv[maxidx]. */
static int
cmd_zrange_bounds(struct client *cl, const char *const *argv,
    const size_t *argvlen, int minidx, int maxidx, struct zrange_req *q)
{
	switch (q->zq_type) {
	case ZRANGE_RANK:
		if (cmd_zset_ll(cl, argv[minidx], argvlen[minidx],
		    &q->zq_start) == -1 || cmd_zset_ll(cl, argv[maxidx],
		    argvlen[maxidx], &q->zq_end) == -1)
			return (-1);
		return (0);
	case ZRANGE_SCORE:
		return (cmd_zset_parse_range(cl, argv[minidx], argvlen[minidx],
		    argv[maxidx], argvlen[maxidx], &q->zq_range));
	default:
		return (cmd_zset_parse_lex(cl, argv[minidx], argvlen[minidx],
		    argv[maxidx], argvlen[maxidx], &q->zq_lex));
	}
}

/*
 * Parse a range request whose key is argv[at], as Redis 7.0's
 * zrangeGenericCommand() does: `type' and `rev' fixed by the command
 * (ZRANGE_AUTO and -1 let the options choose).  0, or -1 after the
 * error reply.
 */
static int
cmd_zrange_parse(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen, int at, int type, int rev, int store,
    struct zrange_req *q)
{
	int	 j, minidx = at + 1, maxidx = at + 2;

	memset(q, 0, sizeof(*q));
	q->zq_limit = -1;
	q->zq_type = type;
	for (j = at + 3; j < argc; j++) {
		if (!store && command_arg_is(argv[j], argvlen[j],
		    "withscores"))
			q->zq_withscores = 1;
		else if (command_arg_is(argv[j], argvlen[j], "limit") &&
		    argc - j - 1 >= 2) {
			if (cmd_zset_ll(cl, argv[j + 1], argvlen[j + 1],
			    &q->zq_offset) == -1 || cmd_zset_ll(cl,
			    argv[j + 2], argvlen[j + 2], &q->zq_limit) == -1)
				return (-1);
			j += 2;
		} else if (rev == -1 && command_arg_is(argv[j], argvlen[j],
		    "rev"))
			rev = 1;
		else if (q->zq_type == ZRANGE_AUTO && command_arg_is(argv[j],
		    argvlen[j], "bylex"))
			q->zq_type = ZRANGE_LEX;
		else if (q->zq_type == ZRANGE_AUTO && command_arg_is(argv[j],
		    argvlen[j], "byscore"))
			q->zq_type = ZRANGE_SCORE;
		else {
			reply_error(&cl->cl_reply, CMD_ERR_SYNTAX);
			return (-1);
		}
	}
	if (q->zq_type == ZRANGE_AUTO)
		q->zq_type = ZRANGE_RANK;
	q->zq_rev = rev == 1;
	/* Redis tells a LIMIT apart by its count: "LIMIT 0 -1" is none. */
	if (q->zq_limit != -1 && q->zq_type == ZRANGE_RANK) {
		reply_error(&cl->cl_reply, "-ERR syntax error, LIMIT is only "
		    "supported in combination with either BYSCORE or BYLEX");
		return (-1);
	}
	if (q->zq_withscores && q->zq_type == ZRANGE_LEX) {
		reply_error(&cl->cl_reply, "-ERR syntax error, WITHSCORES not "
		    "supported in combination with BYLEX");
		return (-1);
	}
	if (q->zq_rev && q->zq_type != ZRANGE_RANK) {
		/* The range is given as max, min. */
		minidx = at + 2;
		maxidx = at + 1;
	}
	return (cmd_zrange_bounds(cl, argv, argvlen, minidx, maxidx, q));
}

static void
cmd_zrange_generic(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen, int type, int rev)
{
	struct zrange_req	 q;
	struct ks_stripe	*st;
	struct ks_key		 k;
	const struct entry	*e;
	struct zset_vec		 v;

	if (cmd_zrange_parse(cl, argc, argv, argvlen, 1, type, rev, 0,
	    &q) == -1)
		return;
	if (command_find_typed(cl, OBJ_ZSET, &k, argv[1], argvlen[1], 1, &st,
	    &e) == -1)
		return;
	zset_vec_init(&v);
	if (e != NULL && cmd_zrange_collect(e, &q, &v) == -1)
		reply_error(&cl->cl_reply, CMD_ERR_OOM);
	else
		cmd_zset_reply(cl, v.zv_el, v.zv_n, cmd_zset_shape(cl,
		    q.zq_withscores));
	keyspace_unlock(cl->cl_ks, st);
	zset_vec_free(&v);
}

static void
cmd_zrange(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	cmd_zrange_generic(cl, argc, argv, argvlen, ZRANGE_AUTO, -1);
}

static void
cmd_zrevrange(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	cmd_zrange_generic(cl, argc, argv, argvlen, ZRANGE_RANK, 1);
}

static void
cmd_zrangebyscore(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	cmd_zrange_generic(cl, argc, argv, argvlen, ZRANGE_SCORE, 0);
}

static void
cmd_zrevrangebyscore(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	cmd_zrange_generic(cl, argc, argv, argvlen, ZRANGE_SCORE, 1);
}

static void
cmd_zrangebylex(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	cmd_zrange_generic(cl, argc, argv, argvlen, ZRANGE_LEX, 0);
}

static void
cmd_zrevrangebylex(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	cmd_zrange_generic(cl, argc, argv, argvlen, ZRANGE_LEX, 1);
}

/* ZRANGESTORE dst src min max [BYSCORE|BYLEX] [REV] [LIMIT offset count]. */
static void
cmd_zrangestore(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	struct keyspace		*ks = cl->cl_ks;
	struct zrange_req	 q;
	struct ks_multi		 m;
	const struct entry	*e;
	struct zset_vec		 v;
	int			 rv = 0;

	if (cmd_zrange_parse(cl, argc, argv, argvlen, 2, ZRANGE_AUTO, -1, 1,
	    &q) == -1)
		return;
	if (keyspace_multi_lock_names(ks, &m, cl->cl_db, argv + 1,
	    argvlen + 1, 2, 1) == -1) {
		reply_error(&cl->cl_reply, CMD_ERR_OOM);
		return;
	}
	e = keyspace_find_locked(ks, m.km_sts[1], &m.km_keys[1],
	    command_now_ms());
	command_count_lookup(cl, e != NULL);
	if (e != NULL && OBJ_TYPE(e->e_type) != OBJ_ZSET) {
		reply_error(&cl->cl_reply, CMD_ERR_WRONGTYPE);
		goto out;
	}
	zset_vec_init(&v);
	if (e != NULL)
		rv = cmd_zrange_collect(e, &q, &v);
	zset_vec_sort(&v);
	v.zv_fresh = 1;
	if (rv == 0)
		rv = zset_write_locked(ks, m.km_sts[0], &m.km_keys[0], &v,
		    KEYSPACE_NO_EXPIRE);
	if (rv == -1)
		reply_error(&cl->cl_reply, CMD_ERR_OOM);
	else {
		reply_int(&cl->cl_reply, (long long)v.zv_n);
		/* A destination that is a set now may serve its waiters. */
		(void)blocking_serve_locked(ks, m.km_sts[0], cl->cl_db,
		    &m.km_keys[0]);
	}
	zset_vec_free(&v);
out:
	keyspace_multi_unlock(ks, &m);
	keyspace_multi_free(&m);
}

/* ZCOUNT and ZLEXCOUNT: the members in a range. */
static void
cmd_zcount_generic(struct client *cl, const char *const *argv,
    const size_t *argvlen, int type)
{
	struct zrange_req	 q;
	struct ks_stripe	*st;
	struct ks_key		 k;
	const struct entry	*e;
	struct zset_iter	 it;
	struct zset_elem	 el;
	long long		 n = 0;
	int			 found;

	memset(&q, 0, sizeof(q));
	q.zq_type = type;
	if (cmd_zrange_bounds(cl, argv, argvlen, 2, 3, &q) == -1)
		return;
	if (command_find_typed(cl, OBJ_ZSET, &k, argv[1], argvlen[1], 1, &st,
	    &e) == -1)
		return;
	if (e != NULL) {
		found = type == ZRANGE_SCORE ?
		    zset_iter_range(&it, e, &q.zq_range, 0) :
		    zset_iter_lex(&it, e, &q.zq_lex, 0);
		while (found && zset_iter_next(&it, &el) &&
		    cmd_zrange_within(&q, &el))
			n++;
	}
	keyspace_unlock(cl->cl_ks, st);
	reply_int(&cl->cl_reply, n);
}

static void
cmd_zcount(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	(void)argc;
	cmd_zcount_generic(cl, argv, argvlen, ZRANGE_SCORE);
}

static void
cmd_zlexcount(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	(void)argc;
	cmd_zcount_generic(cl, argv, argvlen, ZRANGE_LEX);
}

/*
 * ZREMRANGEBYRANK, ZREMRANGEBYSCORE and ZREMRANGEBYLEX: the range is one
 * run of the set's ranks, removed in one change
 * (zset_remove_range_locked()).
 */
static void
cmd_zremrange_generic(struct client *cl, const char *const *argv,
    const size_t *argvlen, int type)
{
	struct keyspace		*ks = cl->cl_ks;
	struct zrange_req	 q;
	struct ks_stripe	*st;
	struct ks_key		 k;
	const struct entry	*e;
	struct zset_vec		 run;
	int64_t			 first;
	int			 rv = 0;

	memset(&q, 0, sizeof(q));
	q.zq_type = type;
	q.zq_limit = -1;
	if (cmd_zrange_bounds(cl, argv, argvlen, 2, 3, &q) == -1)
		return;
	if (command_find_typed(cl, OBJ_ZSET, &k, argv[1], argvlen[1], 0, &st,
	    &e) == -1)
		return;
	zset_vec_init(&run);
	if (e != NULL) {
		rv = cmd_zrange_collect(e, &q, &run);
		if (rv == 0 && run.zv_n > 0) {
			first = zset_rank(e, run.zv_el[0].ze_member,
			    run.zv_el[0].ze_len, 0);
			rv = first < 0 ? -1 : zset_remove_range_locked(ks, st,
			    &k, e, (uint64_t)first, (uint64_t)first +
			    run.zv_n);
		}
	}
	keyspace_unlock(ks, st);
	if (rv == -1)
		reply_error(&cl->cl_reply, CMD_ERR_OOM);
	else
		reply_int(&cl->cl_reply, (long long)run.zv_n);
	zset_vec_free(&run);
}

static void
cmd_zremrangebyrank(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	(void)argc;
	cmd_zremrange_generic(cl, argv, argvlen, ZRANGE_RANK);
}

static void
cmd_zremrangebyscore(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	(void)argc;
	cmd_zremrange_generic(cl, argv, argvlen, ZRANGE_SCORE);
}

static void
cmd_zremrangebylex(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	(void)argc;
	cmd_zremrange_generic(cl, argv, argvlen, ZRANGE_LEX);
}

static const struct command cmd_zset_range_commands[] = {
	{ "zrange",	-4,	CMD_READONLY, 1, 1, 1, cmd_zrange },
	{ "zrangestore", -5,	CMD_WRITE | CMD_DENYOOM, 1, 2, 1,
	    cmd_zrangestore },
	{ "zrevrange",	-4,	CMD_READONLY, 1, 1, 1, cmd_zrevrange },
	{ "zrangebyscore", -4,	CMD_READONLY, 1, 1, 1, cmd_zrangebyscore },
	{ "zrevrangebyscore", -4, CMD_READONLY, 1, 1, 1,
	    cmd_zrevrangebyscore },
	{ "zrangebylex", -4,	CMD_READONLY, 1, 1, 1, cmd_zrangebylex },
	{ "zrevrangebylex", -4,	CMD_READONLY, 1, 1, 1, cmd_zrevrangebylex },
	{ "zcount",	4,	CMD_READONLY | CMD_FAST, 1, 1, 1, cmd_zcount },
	{ "zlexcount",	4,	CMD_READONLY | CMD_FAST, 1, 1, 1,
	    cmd_zlexcount },
	{ "zremrangebyrank", 4,	CMD_WRITE, 1, 1, 1, cmd_zremrangebyrank },
	{ "zremrangebyscore", 4, CMD_WRITE, 1, 1, 1, cmd_zremrangebyscore },
	{ "zremrangebylex", 4,	CMD_WRITE, 1, 1, 1, cmd_zremrangebylex },
};

const struct command_family cmd_zset_range_family = {
	cmd_zset_range_commands, nitems(cmd_zset_range_commands)
};
