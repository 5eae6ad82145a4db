/*
 * cmd_list.c: the list commands (LPUSH, RPUSH, LPUSHX, RPUSHX, LPOP,
 * RPOP, LLEN, LRANGE, LINDEX, LSET, LINSERT, LREM, LTRIM, LPOS, LMOVE,
 * RPOPLPUSH, LMPOP, and the blocking BLPOP, BRPOP, BLMOVE, BRPOPLPUSH,
 * BLMPOP), with Redis 7.0's arguments, replies and errors.
 *
 * Run by workers.  A command on one key takes its stripe lock through
 * keyspace_lock() and keeps it until its reply is built (the bytes of the
 * elements are copied into the client's private reply buffer); LMOVE,
 * RPOPLPUSH and LMPOP hold the stripes of all their keys at once, through
 * keyspace_multi_lock().  The list itself is list.c's.
 *
 * A move pushes onto the destination and pops from the source in one
 * transaction of the keyspace's (keyspace_multi_begin()), a list onto
 * itself too: a process killed anywhere in it leaves the element in
 * exactly one place.  A served BLMOVE's element is popped into its
 * waiter's record and pushed at delivery, each with its record's rider
 * (blocking.h), so it is in exactly one of the source, the record and
 * the destination.
 *
 * A push serves the clients blocked on its key (blocking.h) before it
 * lets go of the stripe, after its reply (the length) is taken, as
 * Redis serves them right after the command.  A blocking command that
 * finds its keys empty registers its wait with them still locked.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hydra/blocking.h"
#include "hydra/client.h"
#include "hydra/command.h"
#include "hydra/compat.h"
#include "hydra/keyspace.h"
#include "hydra/list.h"
#include "hydra/object.h"
#include "hydra/pack.h"
#include "hydra/reply.h"
#include "hydra/worker.h"

#include "command_internal.h"

/*
 * Lock the stripe of a key and find its live entry.  0 with the stripe
 * locked and *ep the entry (or NULL when the key is missing); -1, with the
 * stripe unlocked and WRONGTYPE answered, when the key is not a list.
 */
static int
cmd_list_find(struct client *cl, struct ks_key *k, const char *key,
    size_t klen, int reading, struct ks_stripe **stp, const struct entry **ep)
{
	return (command_find_typed(cl, OBJ_LIST, k, key, klen, reading, stp,
	    ep));
}

/* A long long argument, or -1 after `msg' (or the generic error). */
static int
cmd_list_ll(struct client *cl, const char *arg, size_t len, long long *out,
    const char *msg)
{
	if (command_parse_ll(arg, len, out) == 0)
		return (0);
	reply_error(&cl->cl_reply, msg != NULL ? msg : CMD_ERR_NOT_INT);
	return (-1);
}

/* A long long within [lo, LLONG_MAX], or -1 after `msg'. */
static int
cmd_list_ll_from(struct client *cl, const char *arg, size_t len,
    long long lo, long long *out, const char *msg)
{
	if (command_parse_ll(arg, len, out) == 0 && *out >= lo)
		return (0);
	reply_error(&cl->cl_reply, msg);
	return (-1);
}

/* LEFT or RIGHT, or -1 after a syntax error. */
static int
cmd_list_where(struct client *cl, const char *arg, size_t len)
{
	if (command_arg_is(arg, len, "left"))
		return (LIST_HEAD);
	if (command_arg_is(arg, len, "right"))
		return (LIST_TAIL);
	reply_error(&cl->cl_reply, CMD_ERR_SYNTAX);
	return (-1);
}

/* Reply the elements [from, from + n) of a list. */
static void
cmd_list_reply_range(struct client *cl, const struct entry *e,
    uint64_t from, uint64_t n)
{
	struct list_iter	 it;
	const char		*s;
	size_t			 len;

	reply_array_len(&cl->cl_reply, (long)n);
	list_iter_init(&it, cl->cl_ks->ks_arena, e, from, 0);
	while (n-- > 0 && list_iter_next(&it, &s, &len))
		reply_bulk(&cl->cl_reply, s, len);
}

/*
 * The blocking forms.  A command that finds its keys empty registers a
 * wait (blocking.h) with the keys still locked, so that no push comes
 * in between, and leaves the client without a reply; the wait's
 * callbacks below answer it: with what a server handed over, as the
 * non-blocking command would have answered, or as a timeout.
 */
#define CMD_LIST_REPLY_PAIR	0	/* BLPOP: key, element */
#define CMD_LIST_REPLY_MPOP	1	/* BLMPOP: key, [elements] */
#define CMD_LIST_REPLY_MOVE	2	/* BLMOVE: the element */

struct cmd_list_block {
	long long	 lb_timeout_ms;	/* 0: for ever */
	int		 lb_kind;	/* BLOCKING_KIND_* */
	int		 lb_reply;	/* CMD_LIST_REPLY_* */
};

struct cmd_list_wait {
	struct blocking_client	 lw_bc;		/* first */
	int			 lw_reply;
	int			 lw_to;		/* BLMOVE: the end to push at */
	char			*lw_dst;	/* BLMOVE: the destination */
	size_t			 lw_dstlen;
};

static void
cmd_list_wait_free(struct blocking_client *bc)
{
	struct cmd_list_wait	*lw = (struct cmd_list_wait *)bc;

	blocking_wait_free(&bc->bc_wait);
	free(lw->lw_dst);
	free(lw);
}

/* A timed-out wait, BLMOVE's too, answers a null array, as in Redis. */
static void
cmd_list_timeout_reply(struct client *cl)
{
	reply_null_array(&cl->cl_reply);
}

/* BLMOVE's element goes onto its destination; 0, or -1 after an error. */
static int
cmd_list_deliver_move(struct client *cl, struct cmd_list_wait *lw,
    const char *s, size_t len)
{
	struct keyspace		*ks = cl->cl_ks;
	struct blocking		*b = ks->ks_blocking;
	struct ks_stripe	*st;
	struct ks_key		 k;
	const struct entry	*e;
	struct list_vec		 v;
	int			 rv;

	keyspace_key(ks, &k, lw->lw_dst, lw->lw_dstlen);
	st = keyspace_lock(ks, lw->lw_bc.bc_wait.bw_db, &k);
	e = keyspace_find_locked(ks, st, &k, command_now_ms());
	if (e != NULL && OBJ_TYPE(e->e_type) != OBJ_LIST) {
		keyspace_unlock(ks, st);
		reply_error(&cl->cl_reply, CMD_ERR_WRONGTYPE);
		return (-1);
	}
	list_vec_init(&v);
	rv = list_vec_add(&v, s, len);
	blocking_placed_rider(b, &lw->lw_bc.bc_wait);
	if (rv == 0)
		rv = list_push_locked(ks, st, &k, e, lw->lw_to, &v);
	keyspace_rider(ks, NULL, 0);
	list_vec_free(&v);
	if (rv == 0)
		(void)blocking_serve_locked(ks, st, lw->lw_bc.bc_wait.bw_db,
		    &k);
	keyspace_unlock(ks, st);
	if (rv == -1)
		reply_error(&cl->cl_reply, CMD_ERR_OOM);
	return (rv);
}

/* A server handed the wait its elements: answer as the command would. */
static void
cmd_list_deliver(struct client *cl, struct blocking_client *bc)
{
	struct cmd_list_wait	*lw = (struct cmd_list_wait *)bc;
	struct blocking		*b = cl->cl_ks->ks_blocking;
	const struct bl_payload	*p;
	const char		*key, *bytes, *end, *s;
	size_t			 klen, len, slen;

	if ((p = blocking_take(b, &bc->bc_wait)) == NULL) {
		/* Never: a served wait has its payload. */
		reply_null_array(&cl->cl_reply);
		blocking_finish(b, &bc->bc_wait);
		return;
	}
	key = blocking_payload_key(p, &klen);
	bytes = blocking_payload_bytes(p, &len);
	end = bytes + len;
	if (lw->lw_reply == CMD_LIST_REPLY_MOVE) {
		if (pack_next(bytes, end, &s, &slen) == NULL ||
		    cmd_list_deliver_move(cl, lw, s, slen) == -1) {
			blocking_abandon(b, &bc->bc_wait);
			return;
		}
		reply_bulk(&cl->cl_reply, s, slen);
	} else {
		reply_array_len(&cl->cl_reply, 2);
		reply_bulk(&cl->cl_reply, key, klen);
		if (lw->lw_reply == CMD_LIST_REPLY_MPOP)
			reply_array_len(&cl->cl_reply, (long)p->p_count);
		while (bytes < end &&
		    (bytes = pack_next(bytes, end, &s, &slen)) != NULL)
			reply_bulk(&cl->cl_reply, s, slen);
	}
	blocking_delivered(b, &bc->bc_wait);
}

/*
 * Register the client's wait on the first n keys of m (locked), or
 * answer as a timeout when it cannot block (outside a worker).
 */
static void
cmd_list_wait(struct client *cl, struct ks_multi *m, size_t n,
    const struct cmd_list_block *lb, uint32_t arg0, uint32_t arg1, int to,
    const char *dst, size_t dstlen)
{
	struct cmd_list_wait	*lw;
	int			 rv;

	if ((lw = calloc(1, sizeof(*lw))) == NULL ||
	    (dst != NULL && (lw->lw_dst = malloc(dstlen + 1)) == NULL)) {
		free(lw);
		reply_error(&cl->cl_reply, CMD_ERR_OOM);
		return;
	}
	if (dst != NULL)
		memcpy(lw->lw_dst, dst, dstlen);
	lw->lw_dstlen = dstlen;
	lw->lw_reply = lb->lb_reply;
	lw->lw_to = to;
	lw->lw_bc.bc_deliver = cmd_list_deliver;
	lw->lw_bc.bc_timeout = cmd_list_timeout_reply;
	lw->lw_bc.bc_free = cmd_list_wait_free;
	lw->lw_bc.bc_timeout_ms = lb->lb_timeout_ms;
	if ((rv = command_block(cl, m, n, &lw->lw_bc, lb->lb_kind, arg0,
	    arg1)) == 0)
		return;
	free(lw->lw_dst);
	free(lw);
	/* As Redis answers a client that may not block. */
	if (rv == 1 && lb->lb_reply == CMD_LIST_REPLY_MOVE)
		reply_null(&cl->cl_reply);
	else if (rv == 1)
		reply_null_array(&cl->cl_reply);
}

/* LPUSH, RPUSH, LPUSHX, RPUSHX. */
static void
cmd_push(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen, int where, int exists)
{
	struct keyspace		*ks = cl->cl_ks;
	struct ks_stripe	*st;
	struct ks_key		 k;
	const struct entry	*e;
	struct list_vec		 v;
	int			 rv;

	if (cmd_list_find(cl, &k, argv[1], argvlen[1], 0, &st, &e) == -1)
		return;
	if (e == NULL && exists) {
		keyspace_unlock(ks, st);
		reply_int(&cl->cl_reply, 0);
		return;
	}
	rv = list_vec_args(&v, argc, argv, argvlen, 2);
	if (rv == 0)
		rv = list_push_locked(ks, st, &k, e, where, &v);
	list_vec_free(&v);
	if (rv == -1) {
		keyspace_unlock(ks, st);
		reply_error(&cl->cl_reply, CMD_ERR_OOM);
		return;
	}
	e = keyspace_peek_locked(ks, st, &k, command_now_ms());
	reply_int(&cl->cl_reply, e != NULL ?
	    (long long)list_length(ks->ks_arena, e) : 0);
	/* The length is the push's; then the waiters take their share. */
	(void)blocking_serve_locked(ks, st, cl->cl_db, &k);
	keyspace_unlock(ks, st);
}

static void
cmd_lpush(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	cmd_push(cl, argc, argv, argvlen, LIST_HEAD, 0);
}

static void
cmd_rpush(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	cmd_push(cl, argc, argv, argvlen, LIST_TAIL, 0);
}

static void
cmd_lpushx(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	cmd_push(cl, argc, argv, argvlen, LIST_HEAD, 1);
}

static void
cmd_rpushx(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	cmd_push(cl, argc, argv, argvlen, LIST_TAIL, 1);
}

/*
 * Pop `count' elements at `where' of list e and reply them (as an array
 * when `array', after the bulk `key' when it is not NULL).  The elements
 * are copied out before the pop frees them; on failure the reply is OOM
 * and nothing was removed.
 */
static void
cmd_list_pop_reply(struct client *cl, struct ks_stripe *st,
    const struct ks_key *k, const struct entry *e, int where,
    uint64_t count, int array, const char *key, size_t klen)
{
	struct keyspace		*ks = cl->cl_ks;
	struct list_iter	 it;
	struct list_vec		 v;
	const char		*s;
	char			*buf = NULL, *p;
	size_t			 len, total = 0, i;
	uint64_t		 n = list_length(ks->ks_arena, e);
	int			 rv;

	if (count > n)
		count = n;
	list_vec_init(&v);
	list_iter_init(&it, ks->ks_arena, e, 0, where == LIST_TAIL);
	for (n = 0, rv = 0; rv == 0 && n < count &&
	    list_iter_next(&it, &s, &len); n++) {
		rv = list_vec_add(&v, s, len);
		total += len;
	}
	if (rv == 0 && (buf = malloc(total + 1)) == NULL)
		rv = -1;
	for (i = 0, p = buf; rv == 0 && i < v.lv_n; i++) {
		memcpy(p, v.lv_ptr[i], v.lv_len[i]);
		v.lv_ptr[i] = p;
		p += v.lv_len[i];
	}
	if (rv == 0)
		rv = list_pop_locked(ks, st, k, e, where, count);
	if (rv == -1)
		reply_error(&cl->cl_reply, CMD_ERR_OOM);
	else {
		if (key != NULL) {
			reply_array_len(&cl->cl_reply, 2);
			reply_bulk(&cl->cl_reply, key, klen);
		}
		if (array)
			reply_array_len(&cl->cl_reply, (long)v.lv_n);
		for (i = 0; i < v.lv_n; i++)
			reply_bulk(&cl->cl_reply, v.lv_ptr[i], v.lv_len[i]);
	}
	free(buf);
	list_vec_free(&v);
}

/* LPOP and RPOP key [count]. */
static void
cmd_pop(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen, int where)
{
	struct keyspace		*ks = cl->cl_ks;
	struct ks_stripe	*st;
	struct ks_key		 k;
	const struct entry	*e;
	long long		 count = 1;

	if (argc > 3) {
		command_reply_arity(cl, where == LIST_HEAD ? "lpop" : "rpop");
		return;
	}
	if (argc == 3 && cmd_list_ll_from(cl, argv[2], argvlen[2], 0, &count,
	    "-ERR value is out of range, must be positive") == -1)
		return;
	if (cmd_list_find(cl, &k, argv[1], argvlen[1], 0, &st, &e) == -1)
		return;
	if (e == NULL) {
		if (argc == 3)
			reply_null_array(&cl->cl_reply);
		else
			reply_null(&cl->cl_reply);
	} else if (count == 0)
		reply_array_len(&cl->cl_reply, 0);
	else
		cmd_list_pop_reply(cl, st, &k, e, where, (uint64_t)count,
		    argc == 3, NULL, 0);
	keyspace_unlock(ks, st);
}

static void
cmd_lpop(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	cmd_pop(cl, argc, argv, argvlen, LIST_HEAD);
}

static void
cmd_rpop(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	cmd_pop(cl, argc, argv, argvlen, LIST_TAIL);
}

static void
cmd_llen(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	struct ks_stripe	*st;
	struct ks_key		 k;
	const struct entry	*e;

	(void)argc;
	if (cmd_list_find(cl, &k, argv[1], argvlen[1], 1, &st, &e) == -1)
		return;
	reply_int(&cl->cl_reply, e == NULL ? 0 :
	    (long long)list_length(cl->cl_ks->ks_arena, e));
	keyspace_unlock(cl->cl_ks, st);
}

static void
cmd_lrange(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	struct ks_stripe	*st;
	struct ks_key		 k;
	const struct entry	*e;
	long long		 start, end, from, to, n;

	(void)argc;
	if (cmd_list_ll(cl, argv[2], argvlen[2], &start, NULL) == -1 ||
	    cmd_list_ll(cl, argv[3], argvlen[3], &end, NULL) == -1)
		return;
	if (cmd_list_find(cl, &k, argv[1], argvlen[1], 1, &st, &e) == -1)
		return;
	n = e == NULL ? 0 : (long long)list_length(cl->cl_ks->ks_arena, e);
	if (!command_range(start, end, n, &from, &to))
		reply_array_len(&cl->cl_reply, 0);
	else
		cmd_list_reply_range(cl, e, (uint64_t)from,
		    (uint64_t)(to - from + 1));
	keyspace_unlock(cl->cl_ks, st);
}

/* An index into a list of n elements: 0..n-1, or -1 when outside. */
static long long
cmd_list_index(long long index, long long n)
{
	if (index < 0)
		index = n + index;
	return (index < 0 || index >= n ? -1 : index);
}

static void
cmd_lindex(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	struct ks_stripe	*st;
	struct ks_key		 k;
	const struct entry	*e;
	struct list_iter	 it;
	long long		 index, n;
	const char		*s;
	size_t			 len;

	(void)argc;
	if (cmd_list_find(cl, &k, argv[1], argvlen[1], 1, &st, &e) == -1)
		return;
	if (e == NULL)
		reply_null(&cl->cl_reply);
	else if (cmd_list_ll(cl, argv[2], argvlen[2], &index, NULL) == 0) {
		n = (long long)list_length(cl->cl_ks->ks_arena, e);
		index = cmd_list_index(index, n);
		if (index < 0)
			reply_null(&cl->cl_reply);
		else {
			/* From the nearer end. */
			if (index < n / 2)
				list_iter_init(&it, cl->cl_ks->ks_arena, e,
				    (uint64_t)index, 0);
			else
				list_iter_init(&it, cl->cl_ks->ks_arena, e,
				    (uint64_t)(n - 1 - index), 1);
			if (list_iter_next(&it, &s, &len))
				reply_bulk(&cl->cl_reply, s, len);
			else
				reply_null(&cl->cl_reply);
		}
	}
	keyspace_unlock(cl->cl_ks, st);
}

static void
cmd_lset(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	struct ks_stripe	*st;
	struct ks_key		 k;
	const struct entry	*e;
	long long		 index;

	(void)argc;
	if (cmd_list_find(cl, &k, argv[1], argvlen[1], 0, &st, &e) == -1)
		return;
	if (e == NULL)
		reply_error(&cl->cl_reply, "-ERR no such key");
	else if (cmd_list_ll(cl, argv[2], argvlen[2], &index, NULL) == 0) {
		index = cmd_list_index(index,
		    (long long)list_length(cl->cl_ks->ks_arena, e));
		if (index < 0)
			reply_error(&cl->cl_reply, "-ERR index out of range");
		else if (list_set_locked(cl->cl_ks, st, &k, e,
		    (uint64_t)index, argv[3], argvlen[3]) == -1)
			reply_error(&cl->cl_reply, CMD_ERR_OOM);
		else
			reply_status(&cl->cl_reply, "OK");
	}
	keyspace_unlock(cl->cl_ks, st);
}

/* The index of the first element equal to s, or -1. */
static long long
cmd_list_search(struct client *cl, const struct entry *e, const char *s,
    size_t slen)
{
	struct list_iter	 it;
	const char		*p;
	size_t			 len;
	long long		 i;

	list_iter_init(&it, cl->cl_ks->ks_arena, e, 0, 0);
	for (i = 0; list_iter_next(&it, &p, &len); i++)
		if (len == slen && memcmp(p, s, len) == 0)
			return (i);
	return (-1);
}

static void
cmd_linsert(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	struct ks_stripe	*st;
	struct ks_key		 k;
	const struct entry	*e;
	long long		 at;
	int			 after;

	(void)argc;
	if (command_arg_is(argv[2], argvlen[2], "after"))
		after = 1;
	else if (command_arg_is(argv[2], argvlen[2], "before"))
		after = 0;
	else {
		reply_error(&cl->cl_reply, CMD_ERR_SYNTAX);
		return;
	}
	if (cmd_list_find(cl, &k, argv[1], argvlen[1], 0, &st, &e) == -1)
		return;
	if (e == NULL)
		reply_int(&cl->cl_reply, 0);
	else if ((at = cmd_list_search(cl, e, argv[3], argvlen[3])) < 0)
		reply_int(&cl->cl_reply, -1);
	else if (list_insert_locked(cl->cl_ks, st, &k, e, (uint64_t)at, after,
	    argv[4], argvlen[4]) == -1)
		reply_error(&cl->cl_reply, CMD_ERR_OOM);
	else {
		e = keyspace_peek_locked(cl->cl_ks, st, &k, command_now_ms());
		reply_int(&cl->cl_reply,
		    (long long)list_length(cl->cl_ks->ks_arena, e));
	}
	keyspace_unlock(cl->cl_ks, st);
}

/*
 * LREM key count element: the list without the first count (from the
 * tail when negative; every one when 0) elements equal to element,
 * rebuilt in one change.
 */
static void
cmd_lrem(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	struct ks_stripe	*st;
	struct ks_key		 k;
	const struct entry	*e;
	struct list_vec		 v, out;
	long long		 count, removed = 0, i, j;
	uint64_t		 limit;
	int			 rv = 0;

	(void)argc;
	if (cmd_list_ll(cl, argv[2], argvlen[2], &count, NULL) == -1)
		return;
	if (cmd_list_find(cl, &k, argv[1], argvlen[1], 0, &st, &e) == -1)
		return;
	if (e == NULL) {
		keyspace_unlock(cl->cl_ks, st);
		reply_int(&cl->cl_reply, 0);
		return;
	}
	limit = count == 0 ? UINT64_MAX : count > 0 ? (uint64_t)count :
	    (uint64_t)-(count + 1) + 1;
	list_vec_init(&v);
	list_vec_init(&out);
	if (list_vec_load(&v, cl->cl_ks->ks_arena, e, 0, 0) == -1)
		rv = -1;
	/* Mark the removed ones by a NULL pointer, from the chosen end. */
	for (i = 0; rv == 0 && i < (long long)v.lv_n &&
	    (uint64_t)removed < limit; i++) {
		j = count < 0 ? (long long)v.lv_n - 1 - i : i;
		if (v.lv_len[j] == argvlen[3] &&
		    memcmp(v.lv_ptr[j], argv[3], argvlen[3]) == 0) {
			v.lv_ptr[j] = NULL;
			removed++;
		}
	}
	for (i = 0; rv == 0 && i < (long long)v.lv_n; i++)
		if (v.lv_ptr[i] != NULL)
			rv = list_vec_add(&out, v.lv_ptr[i], v.lv_len[i]);
	if (rv == 0 && removed > 0)
		rv = list_write_locked(cl->cl_ks, st, &k, &out,
		    entry_expire(e));
	list_vec_free(&v);
	list_vec_free(&out);
	keyspace_unlock(cl->cl_ks, st);
	if (rv == -1)
		reply_error(&cl->cl_reply, CMD_ERR_OOM);
	else
		reply_int(&cl->cl_reply, removed);
}

static void
cmd_ltrim(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	struct ks_stripe	*st;
	struct ks_key		 k;
	const struct entry	*e;
	struct list_vec		 v;
	long long		 start, end, from, to, n;
	int			 rv = 0;

	(void)argc;
	if (cmd_list_ll(cl, argv[2], argvlen[2], &start, NULL) == -1 ||
	    cmd_list_ll(cl, argv[3], argvlen[3], &end, NULL) == -1)
		return;
	if (cmd_list_find(cl, &k, argv[1], argvlen[1], 0, &st, &e) == -1)
		return;
	list_vec_init(&v);
	if (e != NULL) {
		n = (long long)list_length(cl->cl_ks->ks_arena, e);
		if (!command_range(start, end, n, &from, &to))
			rv = list_write_locked(cl->cl_ks, st, &k, &v, 0);
		else if (from > 0 || to < n - 1) {
			rv = list_vec_load(&v, cl->cl_ks->ks_arena, e,
			    (uint64_t)from, (uint64_t)to + 1);
			if (rv == 0)
				rv = list_write_locked(cl->cl_ks, st, &k, &v,
				    entry_expire(e));
		}
	}
	list_vec_free(&v);
	keyspace_unlock(cl->cl_ks, st);
	if (rv == -1)
		reply_error(&cl->cl_reply, CMD_ERR_OOM);
	else
		reply_status(&cl->cl_reply, "OK");
}

/* LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]. */
static void
cmd_lpos(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	struct ks_stripe	*st;
	struct ks_key		 k;
	const struct entry	*e;
	struct list_iter	 it;
	long long		 rank = 1, count = -1, maxlen = 0, n, i;
	long long		 matches = 0, found = -1, emitted = 0;
	long			 deferred;
	const char		*s;
	size_t			 len;
	int			 j, reverse;

	for (j = 3; j < argc; j++) {
		if (command_arg_is(argv[j], argvlen[j], "rank") &&
		    j + 1 < argc) {
			j++;
			if (cmd_list_ll(cl, argv[j], argvlen[j], &rank,
			    NULL) == -1)
				return;
			if (rank == 0) {
				reply_error(&cl->cl_reply, "-ERR RANK can't be "
				    "zero: use 1 to start from the first "
				    "match, 2 from the second ... or use "
				    "negative to start from the end of the "
				    "list");
				return;
			}
		} else if (command_arg_is(argv[j], argvlen[j], "count") &&
		    j + 1 < argc) {
			j++;
			if (cmd_list_ll_from(cl, argv[j], argvlen[j], 0,
			    &count, "-ERR COUNT can't be negative") == -1)
				return;
		} else if (command_arg_is(argv[j], argvlen[j], "maxlen") &&
		    j + 1 < argc) {
			j++;
			if (cmd_list_ll_from(cl, argv[j], argvlen[j], 0,
			    &maxlen, "-ERR MAXLEN can't be negative") == -1)
				return;
		} else {
			reply_error(&cl->cl_reply, CMD_ERR_SYNTAX);
			return;
		}
	}
	if (cmd_list_find(cl, &k, argv[1], argvlen[1], 1, &st, &e) == -1)
		return;
	if (e == NULL) {
		if (count != -1)
			reply_array_len(&cl->cl_reply, 0);
		else
			reply_null(&cl->cl_reply);
		keyspace_unlock(cl->cl_ks, st);
		return;
	}
	n = (long long)list_length(cl->cl_ks->ks_arena, e);
	reverse = rank < 0;
	/* Redis negates the rank; the most negative one stays negative. */
	if (rank < 0 && rank != LLONG_MIN)
		rank = -rank;
	deferred = count != -1 ? reply_deferred_len(&cl->cl_reply) : 0;
	list_iter_init(&it, cl->cl_ks->ks_arena, e, 0, reverse);
	for (i = 0; (maxlen == 0 || i < maxlen) &&
	    list_iter_next(&it, &s, &len); i++) {
		if (len != argvlen[2] || memcmp(s, argv[2], len) != 0)
			continue;
		matches++;
		if (matches < rank)
			continue;
		found = reverse ? n - 1 - i : i;
		if (count == -1)
			break;
		reply_int(&cl->cl_reply, found);
		emitted++;
		if (count != 0 && matches - rank + 1 >= count)
			break;
	}
	if (count != -1)
		reply_set_deferred_array(&cl->cl_reply, deferred, emitted);
	else if (found >= 0)
		reply_int(&cl->cl_reply, found);
	else
		reply_null(&cl->cl_reply);
	keyspace_unlock(cl->cl_ks, st);
}

/*
 * Move one element from the `from' end of src to the `to' end of dst
 * (LMOVE, RPOPLPUSH), both stripes held; with lb (BLMOVE, BRPOPLPUSH),
 * wait on src when it is missing.
 */
static void
cmd_move(struct client *cl, const char *const *argv, const size_t *argvlen,
    int from, int to, const struct cmd_list_block *lb)
{
	struct keyspace		*ks = cl->cl_ks;
	struct ks_multi		 m;
	const struct entry	*se, *de;
	struct list_iter	 it;
	struct list_vec		 v;
	const char		*s;
	char			*copy;
	size_t			 len;
	int64_t			 now = command_now_ms();
	int			 rv;

	if (keyspace_multi_init(&m, 2) == -1) {
		reply_error(&cl->cl_reply, CMD_ERR_OOM);
		return;
	}
	keyspace_multi_set(ks, &m, 0, cl->cl_db, argv[1], argvlen[1]);
	keyspace_multi_set(ks, &m, 1, cl->cl_db, argv[2], argvlen[2]);
	keyspace_multi_lock(ks, &m);
	se = keyspace_find_locked(ks, m.km_sts[0], &m.km_keys[0], now);
	if (se == NULL && lb != NULL) {
		cmd_list_wait(cl, &m, 1, lb, (uint32_t)from, 0, to, argv[2],
		    argvlen[2]);
		goto out;
	}
	if (se == NULL) {
		reply_null(&cl->cl_reply);
		goto out;
	}
	de = keyspace_find_locked(ks, m.km_sts[1], &m.km_keys[1], now);
	if (OBJ_TYPE(se->e_type) != OBJ_LIST ||
	    (de != NULL && OBJ_TYPE(de->e_type) != OBJ_LIST)) {
		reply_error(&cl->cl_reply, CMD_ERR_WRONGTYPE);
		goto out;
	}
	list_iter_init(&it, ks->ks_arena, se, 0, from == LIST_TAIL);
	if (!list_iter_next(&it, &s, &len)) {
		reply_null(&cl->cl_reply);
		goto out;
	}
	/* A private copy: the push and the pop may free the node. */
	if ((copy = malloc(len + 1)) == NULL) {
		reply_error(&cl->cl_reply, CMD_ERR_OOM);
		goto out;
	}
	memcpy(copy, s, len);
	if (keyspace_multi_begin(ks, &m, 0) == -1) {
		free(copy);
		reply_error(&cl->cl_reply, CMD_ERR_OOM);
		goto out;
	}
	if (argvlen[1] == argvlen[2] &&
	    memcmp(argv[1], argv[2], argvlen[1]) == 0) {
		/* The list onto itself. */
		rv = list_rotate_locked(ks, m.km_sts[0], &m.km_keys[0], se,
		    from, to);
		goto done;
	}
	list_vec_init(&v);
	rv = list_vec_add(&v, copy, len);
	if (rv == 0)
		rv = list_push_locked(ks, m.km_sts[1], &m.km_keys[1], de, to,
		    &v);
	list_vec_free(&v);
	if (rv == 0) {
		se = keyspace_peek_locked(ks, m.km_sts[0], &m.km_keys[0], now);
		rv = list_pop_locked(ks, m.km_sts[0], &m.km_keys[0], se, from,
		    1);
	}
done:
	if (rv == -1)
		keyspace_multi_abort(ks, &m);
	else
		keyspace_multi_commit(ks, &m);
	if (rv == -1)
		reply_error(&cl->cl_reply, CMD_ERR_OOM);
	else {
		reply_bulk(&cl->cl_reply, copy, len);
		(void)blocking_serve_locked(ks, m.km_sts[1], cl->cl_db,
		    &m.km_keys[1]);
	}
	free(copy);
out:
	keyspace_multi_unlock(ks, &m);
	keyspace_multi_free(&m);
}

static void
cmd_lmove(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	int	 from, to;

	(void)argc;
	if ((from = cmd_list_where(cl, argv[3], argvlen[3])) == -1 ||
	    (to = cmd_list_where(cl, argv[4], argvlen[4])) == -1)
		return;
	cmd_move(cl, argv, argvlen, from, to, NULL);
}

static void
cmd_rpoplpush(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	(void)argc;
	cmd_move(cl, argv, argvlen, LIST_TAIL, LIST_HEAD, NULL);
}

/*
 * Pop from the first non-empty list of the n keys locked in m (named by
 * names[]), as LMPOP (`count' elements, an array after the key) or as
 * BLPOP (count 0: one element after the key).  1 when it replied (the
 * pop, or WRONGTYPE), 0 when every key is empty.
 */
static int
cmd_mpop_locked(struct client *cl, struct ks_multi *m,
    const char *const *names, const size_t *lens, int where, long long count)
{
	const struct entry	*e;
	size_t			 i;

	for (i = 0; i < m->km_n; i++) {
		e = keyspace_find_locked(cl->cl_ks, m->km_sts[i],
		    &m->km_keys[i], command_now_ms());
		if (e == NULL)
			continue;
		if (OBJ_TYPE(e->e_type) != OBJ_LIST) {
			reply_error(&cl->cl_reply, CMD_ERR_WRONGTYPE);
			return (1);
		}
		cmd_list_pop_reply(cl, m->km_sts[i], &m->km_keys[i], e, where,
		    count > 0 ? (uint64_t)count : 1, count > 0, names[i],
		    lens[i]);
		return (1);
	}
	return (0);
}

/*
 * LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count], and BLMPOP
 * timeout numkeys ..., whose numkeys is argv[ni] and whose timeout is
 * read after the rest, as Redis reads it.
 */
static void
cmd_mpop(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen, int ni, int blocking)
{
	static const char *const ends[2] = { "left", "right" };
	struct keyspace		*ks = cl->cl_ks;
	struct cmd_list_block	 lb;
	struct ks_multi		 m;
	long long		 numkeys, count;
	int			 where;

	if (command_mpop_args(cl, argc, argv, argvlen, ni, ends, &numkeys,
	    &where, &count) == -1)
		return;
	if (blocking && command_block_timeout(cl, argv[1], argvlen[1],
	    &lb.lb_timeout_ms) == -1)
		return;
	if (keyspace_multi_lock_names(ks, &m, cl->cl_db, argv + ni + 1,
	    argvlen + ni + 1, (size_t)numkeys, 1) == -1) {
		reply_error(&cl->cl_reply, CMD_ERR_OOM);
		return;
	}
	if (cmd_mpop_locked(cl, &m, argv + ni + 1, argvlen + ni + 1, where,
	    count))
		;
	else if (blocking) {
		lb.lb_kind = BLOCKING_KIND_LIST_POP;
		lb.lb_reply = CMD_LIST_REPLY_MPOP;
		cmd_list_wait(cl, &m, m.km_n, &lb, (uint32_t)where,
		    (uint32_t)count, 0, NULL, 0);
	} else
		reply_null_array(&cl->cl_reply);
	keyspace_multi_unlock(ks, &m);
	keyspace_multi_free(&m);
}

static void
cmd_lmpop(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	cmd_mpop(cl, argc, argv, argvlen, 1, 0);
}

static void
cmd_blmpop(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	cmd_mpop(cl, argc, argv, argvlen, 2, 1);
}

/* BLPOP and BRPOP key [key ...] timeout. */
static void
cmd_bpop(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen, int where)
{
	struct keyspace		*ks = cl->cl_ks;
	struct cmd_list_block	 lb;
	struct ks_multi		 m;

	if (command_block_timeout(cl, argv[argc - 1], argvlen[argc - 1],
	    &lb.lb_timeout_ms) == -1)
		return;
	if (keyspace_multi_lock_names(ks, &m, cl->cl_db, argv + 1,
	    argvlen + 1, (size_t)argc - 2, 1) == -1) {
		reply_error(&cl->cl_reply, CMD_ERR_OOM);
		return;
	}
	if (!cmd_mpop_locked(cl, &m, argv + 1, argvlen + 1, where, 0)) {
		lb.lb_kind = BLOCKING_KIND_LIST_POP;
		lb.lb_reply = CMD_LIST_REPLY_PAIR;
		cmd_list_wait(cl, &m, m.km_n, &lb, (uint32_t)where, 0, 0,
		    NULL, 0);
	}
	keyspace_multi_unlock(ks, &m);
	keyspace_multi_free(&m);
}

static void
cmd_blpop(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	cmd_bpop(cl, argc, argv, argvlen, LIST_HEAD);
}

static void
cmd_brpop(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	cmd_bpop(cl, argc, argv, argvlen, LIST_TAIL);
}

/* BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout. */
static void
cmd_blmove(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	struct cmd_list_block	 lb;
	int			 from, to;

	(void)argc;
	if ((from = cmd_list_where(cl, argv[3], argvlen[3])) == -1 ||
	    (to = cmd_list_where(cl, argv[4], argvlen[4])) == -1 ||
	    command_block_timeout(cl, argv[5], argvlen[5],
	    &lb.lb_timeout_ms) == -1)
		return;
	lb.lb_kind = BLOCKING_KIND_LIST_MOVE;
	lb.lb_reply = CMD_LIST_REPLY_MOVE;
	cmd_move(cl, argv, argvlen, from, to, &lb);
}

/* BRPOPLPUSH source destination timeout. */
static void
cmd_brpoplpush(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	struct cmd_list_block	 lb;

	(void)argc;
	if (command_block_timeout(cl, argv[3], argvlen[3],
	    &lb.lb_timeout_ms) == -1)
		return;
	lb.lb_kind = BLOCKING_KIND_LIST_MOVE;
	lb.lb_reply = CMD_LIST_REPLY_MOVE;
	cmd_move(cl, argv, argvlen, LIST_TAIL, LIST_HEAD, &lb);
}

static const struct command cmd_list_commands[] = {
	{ "lpush",	-3,	CMD_WRITE | CMD_DENYOOM | CMD_FAST, 1, 1, 1,
	    cmd_lpush },
	{ "rpush",	-3,	CMD_WRITE | CMD_DENYOOM | CMD_FAST, 1, 1, 1,
	    cmd_rpush },
	{ "lpushx",	-3,	CMD_WRITE | CMD_DENYOOM | CMD_FAST, 1, 1, 1,
	    cmd_lpushx },
	{ "rpushx",	-3,	CMD_WRITE | CMD_DENYOOM | CMD_FAST, 1, 1, 1,
	    cmd_rpushx },
	{ "lpop",	-2,	CMD_WRITE | CMD_FAST, 1, 1, 1, cmd_lpop },
	{ "rpop",	-2,	CMD_WRITE | CMD_FAST, 1, 1, 1, cmd_rpop },
	{ "llen",	2,	CMD_READONLY | CMD_FAST, 1, 1, 1, cmd_llen },
	{ "lrange",	4,	CMD_READONLY, 1, 1, 1, cmd_lrange },
	{ "lindex",	3,	CMD_READONLY, 1, 1, 1, cmd_lindex },
	{ "lset",	4,	CMD_WRITE | CMD_DENYOOM, 1, 1, 1, cmd_lset },
	{ "linsert",	5,	CMD_WRITE | CMD_DENYOOM, 1, 1, 1,
	    cmd_linsert },
	{ "lrem",	4,	CMD_WRITE, 1, 1, 1, cmd_lrem },
	{ "ltrim",	4,	CMD_WRITE, 1, 1, 1, cmd_ltrim },
	{ "lpos",	-3,	CMD_READONLY, 1, 1, 1, cmd_lpos },
	{ "lmove",	5,	CMD_WRITE | CMD_DENYOOM, 1, 2, 1, cmd_lmove },
	{ "rpoplpush",	3,	CMD_WRITE | CMD_DENYOOM, 1, 2, 1,
	    cmd_rpoplpush },
	{ "lmpop",	-4,	CMD_WRITE | CMD_KEYNUM, 0, 0, 0, cmd_lmpop },
	{ "blpop",	-3,	CMD_WRITE | CMD_NOSCRIPT | CMD_BLOCKING, 1, -2,
	    1, cmd_blpop },
	{ "brpop",	-3,	CMD_WRITE | CMD_NOSCRIPT | CMD_BLOCKING, 1, -2,
	    1, cmd_brpop },
	{ "blmove",	6,	CMD_WRITE | CMD_DENYOOM | CMD_NOSCRIPT |
	    CMD_BLOCKING, 1, 2, 1, cmd_blmove },
	{ "brpoplpush",	4,	CMD_WRITE | CMD_DENYOOM | CMD_NOSCRIPT |
	    CMD_BLOCKING, 1, 2, 1, cmd_brpoplpush },
	{ "blmpop",	-5,	CMD_WRITE | CMD_BLOCKING | CMD_KEYNUM, 0, 0, 0,
	    cmd_blmpop },
};

const struct command_family cmd_list_family = {
	cmd_list_commands, nitems(cmd_list_commands)
};
