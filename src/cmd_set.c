/*
 * cmd_set.c: the set commands (SADD, SREM, SMEMBERS, SISMEMBER,
 * SMISMEMBER, SCARD, SPOP, SRANDMEMBER, SMOVE, SINTER, SINTERCARD,
 * SINTERSTORE, SUNION, SUNIONSTORE, SDIFF, SDIFFSTORE, SSCAN), with Redis
 * 7.0's arguments, replies and errors.
 *
 * Run by workers.  A command on one key takes its stripe lock through
 * command_find_typed() and keeps it until its reply is built (members are
 * copied into the client's private reply buffer); a command on several
 * keys holds the stripes of all of them at once, through
 * keyspace_multi_lock_names().  The sets themselves are set.c's.
 *
 * Results that a command computes before it changes a set (the *STORE
 * commands, SPOP, the member SMOVE moves) are copied to private memory
 * first.  SMOVE's add to the destination and removal from the source are
 * one transaction of the keyspace's (keyspace_multi_begin()): a process
 * killed anywhere in them leaves the member in exactly one of the sets.
 */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hydra/client.h"
#include "hydra/command.h"
#include "hydra/compat.h"
#include "hydra/keyspace.h"
#include "hydra/list.h"
#include "hydra/object.h"
#include "hydra/reply.h"
#include "hydra/set.h"

#include "command_internal.h"

#define SET_OP_INTER	0
#define SET_OP_UNION	1
#define SET_OP_DIFF	2

#define SET_REPLY	0	/* the result as a set */
#define SET_STORE	1	/* stored under argv[1]; its size */
#define SET_CARD	2	/* its size only */

#define CMD_ERR_POSITIVE	"-ERR value is out of range, must be positive"

static int
cmd_set_find(struct client *cl, struct ks_key *k, const char *key,
    size_t klen, int reading, struct ks_stripe **stp, const struct entry **ep)
{
	return (command_find_typed(cl, OBJ_SET, k, key, klen, reading, stp,
	    ep));
}

/*
 * Add a private copy of every member of set e to v.  0, or -1 ENOMEM.
 */
static int
cmd_set_load(struct list_vec *v, struct set_pool *sp, struct arena *a,
    const struct entry *e)
{
	struct set_iter	 it;
	const char	*s, *c;
	size_t		 len;

	set_iter_init(&it, a, e);
	while (set_iter_next(&it, &s, &len))
		if ((c = set_pool_copy(sp, s, len)) == NULL ||
		    list_vec_add(v, c, len) == -1)
			return (-1);
	return (0);
}

/* Reply v's members as a set, or as an array (`array'). */
static void
cmd_set_reply_vec(struct client *cl, const struct list_vec *v, int array)
{
	size_t	 i;

	if (array)
		reply_array_len(&cl->cl_reply, (long)v->lv_n);
	else
		reply_set_len(&cl->cl_reply, (long)v->lv_n);
	for (i = 0; i < v->lv_n; i++)
		reply_bulk(&cl->cl_reply, v->lv_ptr[i], v->lv_len[i]);
}

/* SADD and SREM key member [member ...]: how many members changed. */
static void
cmd_set_change(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen, int add)
{
	struct ks_stripe	*st;
	struct ks_key		 k;
	const struct entry	*e;
	struct list_vec		 v;
	uint64_t		 n = 0;
	int			 rv = 0;

	if (cmd_set_find(cl, &k, argv[1], argvlen[1], 0, &st, &e) == -1)
		return;
	list_vec_init(&v);
	if (e != NULL || add) {
		rv = list_vec_args(&v, argc, argv, argvlen, 2);
		if (rv == 0 && add)
			rv = set_add_locked(cl->cl_ks, st, &k, e, &v, &n);
		else if (rv == 0)
			rv = set_remove_locked(cl->cl_ks, st, &k, e, &v, &n);
	}
	list_vec_free(&v);
	keyspace_unlock(cl->cl_ks, st);
	if (rv == -1)
		reply_error(&cl->cl_reply, CMD_ERR_OOM);
	else
		reply_int(&cl->cl_reply, (long long)n);
}

static void
cmd_sadd(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	cmd_set_change(cl, argc, argv, argvlen, 1);
}

static void
cmd_srem(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	cmd_set_change(cl, argc, argv, argvlen, 0);
}

static void
cmd_scard(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	struct ks_stripe	*st;
	struct ks_key		 k;
	const struct entry	*e;

	(void)argc;
	if (cmd_set_find(cl, &k, argv[1], argvlen[1], 1, &st, &e) == -1)
		return;
	reply_int(&cl->cl_reply, e == NULL ? 0 :
	    (long long)set_count(cl->cl_ks->ks_arena, e));
	keyspace_unlock(cl->cl_ks, st);
}

static void
cmd_sismember(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	struct ks_stripe	*st;
	struct ks_key		 k;
	const struct entry	*e;

	(void)argc;
	if (cmd_set_find(cl, &k, argv[1], argvlen[1], 1, &st, &e) == -1)
		return;
	reply_int(&cl->cl_reply, e != NULL && set_contains(cl->cl_ks->ks_arena,
	    e, argv[2], argvlen[2]));
	keyspace_unlock(cl->cl_ks, st);
}

static void
cmd_smismember(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	struct ks_stripe	*st;
	struct ks_key		 k;
	const struct entry	*e;
	int			 i;

	if (cmd_set_find(cl, &k, argv[1], argvlen[1], 1, &st, &e) == -1)
		return;
	reply_array_len(&cl->cl_reply, argc - 2);
	for (i = 2; i < argc; i++)
		reply_int(&cl->cl_reply, e != NULL &&
		    set_contains(cl->cl_ks->ks_arena, e, argv[i], argvlen[i]));
	keyspace_unlock(cl->cl_ks, st);
}

/*
 * Choose n of v's members at random, distinct: afterwards they are v's
 * first n, in a random order (a partial Fisher-Yates shuffle).
 */
static void
cmd_set_shuffle(struct list_vec *v, size_t n)
{
	const char	*p;
	size_t		 i, j, l;

	for (i = 0; i < n && i + 1 < v->lv_n; i++) {
		j = i + arc4random_uniform((uint32_t)(v->lv_n - i));
		p = v->lv_ptr[i];
		l = v->lv_len[i];
		v->lv_ptr[i] = v->lv_ptr[j];
		v->lv_len[i] = v->lv_len[j];
		v->lv_ptr[j] = p;
		v->lv_len[j] = l;
	}
}

/*
 * v gets copies of count distinct members of set e, chosen at random,
 * count below its size: drawn one by one from a table that has three
 * times as many (a table's members have addresses of their own, so a
 * member drawn twice is known by its address), else chosen from a copy
 * of the whole set.  0, or -1 ENOMEM.
 */
static int
cmd_set_pick(struct list_vec *v, struct set_pool *sp, struct arena *a,
    const struct entry *e, uint64_t count)
{
	const char	**seen, *s, *c;
	char		  buf[INTSET_DIGITS];
	size_t		  cap, len, h;

	if (set_is_ints(e) || count > set_count(a, e) / 3) {
		if (cmd_set_load(v, sp, a, e) == -1)
			return (-1);
		cmd_set_shuffle(v, (size_t)count);
		v->lv_n = (size_t)count;
		return (0);
	}
	for (cap = 16; cap < 2 * count; cap *= 2)
		;
	if ((seen = calloc(cap, sizeof(*seen))) == NULL)
		return (-1);
	while (v->lv_n < count) {
		set_random(a, e, buf, &s, &len);
		h = (size_t)(((uintptr_t)s * UINT64_C(0x9e3779b97f4a7c15)) >>
		    16) & (cap - 1);
		while (seen[h] != NULL && seen[h] != s)
			h = (h + 1) & (cap - 1);
		if (seen[h] == s)
			continue;
		seen[h] = s;
		if ((c = set_pool_copy(sp, s, len)) == NULL ||
		    list_vec_add(v, c, len) == -1) {
			free(seen);
			return (-1);
		}
	}
	free(seen);
	return (0);
}

/*
 * SPOP key count, count > 0, on set e: the whole set when count covers
 * it, else count members at random.  As in Redis, the set keeps its
 * encoding when few members go; when most go, the set is rebuilt from
 * the members that stay (and may become an intset again).
 */
static void
cmd_spop_count(struct client *cl, struct ks_stripe *st,
    const struct ks_key *k, const struct entry *e, uint64_t count)
{
	struct arena	*a = cl->cl_ks->ks_arena;
	struct set_pool	 sp;
	struct list_vec	 v, part;
	uint64_t	 size = set_count(a, e), removed;
	int		 rv;

	set_pool_init(&sp);
	list_vec_init(&v);
	list_vec_init(&part);
	if (count >= size) {
		if ((rv = cmd_set_load(&v, &sp, a, e)) == 0)
			(void)keyspace_delete_locked(cl->cl_ks, st, k);
		count = size;
	} else if ((size - count) * 5 > size) {
		/* Few go: the set loses them and keeps its encoding. */
		if ((rv = cmd_set_pick(&v, &sp, a, e, count)) == 0)
			rv = set_remove_locked(cl->cl_ks, st, k, e, &v,
			    &removed);
	} else if ((rv = cmd_set_load(&v, &sp, a, e)) == 0) {
		/* Most go: those that go first, then those that stay. */
		cmd_set_shuffle(&v, (size_t)count);
		part.lv_ptr = v.lv_ptr + count;
		part.lv_len = v.lv_len + count;
		part.lv_n = (size_t)(size - count);
		rv = set_write_locked(cl->cl_ks, st, k, &part,
		    entry_expire(e));
	}
	if (rv == -1)
		reply_error(&cl->cl_reply, CMD_ERR_OOM);
	else {
		v.lv_n = (size_t)count;
		cmd_set_reply_vec(cl, &v, 0);
	}
	list_vec_free(&v);
	set_pool_free(&sp);
}

/* SPOP key [count]. */
static void
cmd_spop(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	struct ks_stripe	*st;
	struct ks_key		 k;
	const struct entry	*e;
	struct list_vec		 v;
	char			 buf[INTSET_DIGITS], *copy;
	const char		*s;
	size_t			 len;
	long long		 count = 1;
	uint64_t		 removed;
	int			 rv;

	if (argc > 3) {
		reply_error(&cl->cl_reply, CMD_ERR_SYNTAX);
		return;
	}
	if (argc == 3 && (command_parse_ll(argv[2], argvlen[2], &count) ==
	    -1 || count < 0)) {
		reply_error(&cl->cl_reply, CMD_ERR_POSITIVE);
		return;
	}
	if (cmd_set_find(cl, &k, argv[1], argvlen[1], 0, &st, &e) == -1)
		return;
	if (e == NULL || count == 0) {
		if (argc == 3)
			reply_set_len(&cl->cl_reply, 0);
		else
			reply_null(&cl->cl_reply);
	} else if (argc == 3)
		cmd_spop_count(cl, st, &k, e, (uint64_t)count);
	else {
		set_random(cl->cl_ks->ks_arena, e, buf, &s, &len);
		if ((copy = malloc(len + 1)) == NULL) {
			reply_error(&cl->cl_reply, CMD_ERR_OOM);
			goto out;
		}
		memcpy(copy, s, len);
		list_vec_init(&v);
		if ((rv = list_vec_add(&v, copy, len)) == 0)
			rv = set_remove_locked(cl->cl_ks, st, &k, e, &v,
			    &removed);
		list_vec_free(&v);
		if (rv == -1)
			reply_error(&cl->cl_reply, CMD_ERR_OOM);
		else
			reply_bulk(&cl->cl_reply, copy, len);
		free(copy);
	}
out:
	keyspace_unlock(cl->cl_ks, st);
}

/* SRANDMEMBER key count, count != 0, on set e. */
static void
cmd_srandmember_count(struct client *cl, const struct entry *e,
    long long count)
{
	struct arena	*a = cl->cl_ks->ks_arena;
	struct set_pool	 sp;
	struct list_vec	 v;
	char		 buf[INTSET_DIGITS];
	const char	*s;
	size_t		 len;
	uint64_t	 size = set_count(a, e);
	int		 rv;

	if (count < 0 || count == 1) {
		/* Drawn with replacement. */
		count = count < 0 ? -count : count;
		reply_array_len(&cl->cl_reply, (long)count);
		while (count-- > 0) {
			set_random(a, e, buf, &s, &len);
			if (reply_bulk(&cl->cl_reply, s, len) == -1)
				break;
		}
		return;
	}
	set_pool_init(&sp);
	list_vec_init(&v);
	/* The whole set comes in its order, as in Redis. */
	if ((uint64_t)count >= size)
		rv = cmd_set_load(&v, &sp, a, e);
	else
		rv = cmd_set_pick(&v, &sp, a, e, (uint64_t)count);
	if (rv == -1)
		reply_error(&cl->cl_reply, CMD_ERR_OOM);
	else
		cmd_set_reply_vec(cl, &v, 1);
	list_vec_free(&v);
	set_pool_free(&sp);
}

/* SRANDMEMBER key [count]. */
static void
cmd_srandmember(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	struct ks_stripe	*st;
	struct ks_key		 k;
	const struct entry	*e;
	char			 buf[INTSET_DIGITS];
	const char		*s;
	size_t			 len;
	long long		 count = 0;

	if (argc > 3) {
		reply_error(&cl->cl_reply, CMD_ERR_SYNTAX);
		return;
	}
	if (argc == 3) {
		if (command_parse_ll(argv[2], argvlen[2], &count) == -1) {
			reply_error(&cl->cl_reply, CMD_ERR_NOT_INT);
			return;
		}
		if (count == LLONG_MIN) {
			reply_errorf(&cl->cl_reply, "value is out of range, "
			    "value must between %lld and %lld", -LLONG_MAX,
			    LLONG_MAX);
			return;
		}
	}
	if (cmd_set_find(cl, &k, argv[1], argvlen[1], 1, &st, &e) == -1)
		return;
	if (argc == 2) {
		if (e == NULL)
			reply_null(&cl->cl_reply);
		else {
			set_random(cl->cl_ks->ks_arena, e, buf, &s, &len);
			reply_bulk(&cl->cl_reply, s, len);
		}
	} else if (e == NULL || count == 0)
		reply_array_len(&cl->cl_reply, 0);
	else
		cmd_srandmember_count(cl, e, count);
	keyspace_unlock(cl->cl_ks, st);
}

/* SMOVE source destination member. */
static void
cmd_smove(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	struct keyspace		*ks = cl->cl_ks;
	struct ks_multi		 m;
	const struct entry	*se, *de;
	struct list_vec		 v;
	uint64_t		 n;
	int64_t			 now = command_now_ms();
	int			 rv;

	(void)argc;
	if (keyspace_multi_lock_names(ks, &m, cl->cl_db, argv + 1,
	    argvlen + 1, 2, 1) == -1) {
		reply_error(&cl->cl_reply, CMD_ERR_OOM);
		return;
	}
	se = keyspace_find_locked(ks, m.km_sts[0], &m.km_keys[0], now);
	de = keyspace_find_locked(ks, m.km_sts[1], &m.km_keys[1], now);
	if (se == NULL) {
		reply_int(&cl->cl_reply, 0);
		goto out;
	}
	if (OBJ_TYPE(se->e_type) != OBJ_SET ||
	    (de != NULL && OBJ_TYPE(de->e_type) != OBJ_SET)) {
		reply_error(&cl->cl_reply, CMD_ERR_WRONGTYPE);
		goto out;
	}
	if (!set_contains(ks->ks_arena, se, argv[3], argvlen[3])) {
		reply_int(&cl->cl_reply, 0);
		goto out;
	}
	if (se == de) {
		reply_int(&cl->cl_reply, 1);
		goto out;
	}
	list_vec_init(&v);
	rv = list_vec_add(&v, argv[3], argvlen[3]);
	if (rv == 0)
		rv = keyspace_multi_begin(ks, &m, 0);
	if (rv == 0)
		rv = set_add_locked(ks, m.km_sts[1], &m.km_keys[1], de, &v, &n);
	if (rv == 0) {
		/* The put may have moved the source's entry. */
		se = keyspace_peek_locked(ks, m.km_sts[0], &m.km_keys[0], now);
		rv = set_remove_locked(ks, m.km_sts[0], &m.km_keys[0], se, &v,
		    &n);
	}
	list_vec_free(&v);
	if (rv == -1)
		keyspace_multi_abort(ks, &m);
	else
		keyspace_multi_commit(ks, &m);
	if (rv == -1)
		reply_error(&cl->cl_reply, CMD_ERR_OOM);
	else
		reply_int(&cl->cl_reply, 1);
out:
	keyspace_multi_unlock(ks, &m);
	keyspace_multi_free(&m);
}

/*
 * Lock the n keys names[0], names[1], ... and find their sets (*es[i]
 * NULL for a missing key), counting each lookup.  0 with the stripes
 * locked; -1 after an error reply (nothing locked).  The caller unlocks
 * with cmd_set_unlock().
 */
static int
cmd_set_lock(struct client *cl, struct ks_multi *m, const char *const *names,
    const size_t *lens, size_t n, const struct entry ***es)
{
	struct keyspace	*ks = cl->cl_ks;
	int64_t		 now = command_now_ms();
	size_t		 i;

	if ((*es = calloc(n, sizeof(**es))) == NULL) {
		reply_error(&cl->cl_reply, CMD_ERR_OOM);
		return (-1);
	}
	if (keyspace_multi_lock_names(ks, m, cl->cl_db, names, lens, n,
	    1) == -1) {
		free(*es);
		reply_error(&cl->cl_reply, CMD_ERR_OOM);
		return (-1);
	}
	for (i = 0; i < n; i++)
		(*es)[i] = keyspace_find_locked(ks, m->km_sts[i],
		    &m->km_keys[i], now);
	return (0);
}

static void
cmd_set_unlock(struct client *cl, struct ks_multi *m,
    const struct entry **es)
{
	keyspace_multi_unlock(cl->cl_ks, m);
	keyspace_multi_free(m);
	free(es);
}

/*
 * Check the sources es[0..n): each a set or missing (counted as a read
 * hit or miss).  0, or -1 after WRONGTYPE.
 */
static int
cmd_set_sources(struct client *cl, const struct entry **es, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		command_count_lookup(cl, es[i] != NULL);
		if (es[i] != NULL && OBJ_TYPE(es[i]->e_type) != OBJ_SET) {
			reply_error(&cl->cl_reply, CMD_ERR_WRONGTYPE);
			return (-1);
		}
	}
	return (0);
}

/*
 * Store v as the set of key dst (index 0 of m) and reply its size: the
 * ending of every *STORE command.
 */
static void
cmd_set_store(struct client *cl, struct ks_multi *m,
    const struct list_vec *v)
{
	if (set_write_locked(cl->cl_ks, m->km_sts[0], &m->km_keys[0], v,
	    KEYSPACE_NO_EXPIRE) == -1)
		reply_error(&cl->cl_reply, CMD_ERR_OOM);
	else
		reply_int(&cl->cl_reply, (long long)v->lv_n);
}

/* Order the n sets es by size, smallest first (an insertion sort). */
static void
cmd_set_by_size(struct arena *a, const struct entry **es, size_t n)
{
	const struct entry	*e;
	size_t			 i, j;

	for (i = 1; i < n; i++) {
		e = es[i];
		for (j = i; j > 0 && set_count(a, es[j - 1]) > set_count(a, e);
		    j--)
			es[j] = es[j - 1];
		es[j] = e;
	}
}

/*
 * Copy to v the members of set e that are in every set of others[0..n)
 * (`inall') or in none of them (missing sets, NULL, hold nothing), at
 * most `limit' of them (0: no limit).  0, or -1 ENOMEM.
 */
static int
cmd_set_filter(struct list_vec *v, struct set_pool *sp, struct arena *a,
    const struct entry *e, const struct entry **others, size_t n, int inall,
    uint64_t limit)
{
	struct set_iter	 it;
	const char	*s, *c;
	size_t		 len, j;

	set_iter_init(&it, a, e);
	while ((limit == 0 || v->lv_n < limit) &&
	    set_iter_next(&it, &s, &len)) {
		for (j = 0; j < n; j++)
			if (others[j] != NULL &&
			    set_contains(a, others[j], s, len) != inall)
				break;
		if (j < n)
			continue;
		if ((c = set_pool_copy(sp, s, len)) == NULL ||
		    list_vec_add(v, c, len) == -1)
			return (-1);
	}
	return (0);
}

/*
 * SINTER, SUNION, SDIFF, their *STORE forms and SINTERCARD, after Redis
 * 7.0's sinterGenericCommand() and sunionDiffGenericCommand(): every
 * source (the n keys from argv[first]) is checked for its type, then the
 * result is built in private memory and replied, stored under argv[1]
 * (`how' SET_STORE), or counted (SET_CARD, up to `limit', 0: no limit).
 * An intersection keeps the order of its smallest set; a union or a
 * difference comes in the order of the set it would make (ascending
 * numbers for an intset).
 */
static void
cmd_set_algebra(struct client *cl, const char *const *argv,
    const size_t *argvlen, int first, size_t n, int op, int how,
    long long limit)
{
	struct arena		*a = cl->cl_ks->ks_arena;
	struct ks_multi		 m;
	const struct entry	**es, **srcs;
	struct set_pool		 sp;
	struct list_vec		 v;
	size_t			 i;
	int			 rv = 0, dst = how == SET_STORE;

	/* A destination, argv[1], comes right before the sources. */
	if (cmd_set_lock(cl, &m, argv + first - dst, argvlen + first - dst,
	    n + dst, &es) == -1)
		return;
	srcs = es + dst;
	if (cmd_set_sources(cl, srcs, n) == -1)
		goto out;
	list_vec_init(&v);
	set_pool_init(&sp);
	for (i = 0; i < n && srcs[i] != NULL; i++)
		;
	if (op == SET_OP_INTER && i == n) {
		/* With a missing set, the intersection is empty. */
		cmd_set_by_size(a, srcs, n);
		rv = cmd_set_filter(&v, &sp, a, srcs[0], srcs + 1, n - 1, 1,
		    how == SET_CARD ? (uint64_t)limit : 0);
	} else if (op == SET_OP_UNION) {
		for (i = 0; rv == 0 && i < n; i++)
			if (srcs[i] != NULL)
				rv = cmd_set_load(&v, &sp, a, srcs[i]);
	} else if (op == SET_OP_DIFF && srcs[0] != NULL)
		rv = cmd_set_filter(&v, &sp, a, srcs[0], srcs + 1, n - 1, 0,
		    0);
	if (rv == 0 && op != SET_OP_INTER)
		rv = set_vec_normalize(&v, NULL);
	if (rv == -1)
		reply_error(&cl->cl_reply, CMD_ERR_OOM);
	else if (how == SET_STORE)
		cmd_set_store(cl, &m, &v);
	else if (how == SET_CARD)
		reply_int(&cl->cl_reply, (long long)v.lv_n);
	else
		cmd_set_reply_vec(cl, &v, 0);
	list_vec_free(&v);
	set_pool_free(&sp);
out:
	cmd_set_unlock(cl, &m, es);
}

/* SMEMBERS key: SINTER of one set, as in Redis 7.0. */
static void
cmd_smembers(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	(void)argc;
	cmd_set_algebra(cl, argv, argvlen, 1, 1, SET_OP_INTER, SET_REPLY, 0);
}

static void
cmd_sinter(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	cmd_set_algebra(cl, argv, argvlen, 1, (size_t)argc - 1, SET_OP_INTER,
	    SET_REPLY, 0);
}

static void
cmd_sinterstore(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	cmd_set_algebra(cl, argv, argvlen, 2, (size_t)argc - 2, SET_OP_INTER,
	    SET_STORE, 0);
}

/* SINTERCARD numkeys key [key ...] [LIMIT limit]. */
static void
cmd_sintercard(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	long long	 numkeys, limit = 0;
	int		 j;

	if (command_parse_ll(argv[1], argvlen[1], &numkeys) == -1 ||
	    numkeys < 1) {
		reply_error(&cl->cl_reply, "numkeys should be greater than 0");
		return;
	}
	if (numkeys > argc - 2) {
		reply_error(&cl->cl_reply,
		    "Number of keys can't be greater than number of args");
		return;
	}
	for (j = 2 + (int)numkeys; j < argc; j++) {
		if (command_arg_is(argv[j], argvlen[j], "limit") &&
		    j + 1 < argc) {
			j++;
			if (command_parse_ll(argv[j], argvlen[j], &limit) ==
			    -1 || limit < 0) {
				reply_error(&cl->cl_reply,
				    "LIMIT can't be negative");
				return;
			}
		} else {
			reply_error(&cl->cl_reply, CMD_ERR_SYNTAX);
			return;
		}
	}
	cmd_set_algebra(cl, argv, argvlen, 2, (size_t)numkeys, SET_OP_INTER,
	    SET_CARD, limit);
}

static void
cmd_sunion(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	cmd_set_algebra(cl, argv, argvlen, 1, (size_t)argc - 1, SET_OP_UNION,
	    SET_REPLY, 0);
}

static void
cmd_sunionstore(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	cmd_set_algebra(cl, argv, argvlen, 2, (size_t)argc - 2, SET_OP_UNION,
	    SET_STORE, 0);
}

static void
cmd_sdiff(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	cmd_set_algebra(cl, argv, argvlen, 1, (size_t)argc - 1, SET_OP_DIFF,
	    SET_REPLY, 0);
}

static void
cmd_sdiffstore(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	cmd_set_algebra(cl, argv, argvlen, 2, (size_t)argc - 2, SET_OP_DIFF,
	    SET_STORE, 0);
}

/* What an SSCAN collects: copies of the members that pass its pattern. */
struct sscan_state {
	struct set_pool			 ss_pool;
	struct list_vec			 ss_vec;
	const struct command_scan	*ss_opts;
	uint64_t			 ss_visited;
	int				 ss_failed;
};

static void
cmd_sscan_visit(const char *s, size_t len, void *arg)
{
	struct sscan_state	*ss = arg;
	const char		*c;

	ss->ss_visited++;
	if (ss->ss_failed || !command_scan_match(ss->ss_opts, s, len))
		return;
	if ((c = set_pool_copy(&ss->ss_pool, s, len)) == NULL ||
	    list_vec_add(&ss->ss_vec, c, len) == -1)
		ss->ss_failed = 1;
}

/* SSCAN key cursor [MATCH pattern] [COUNT count]. */
static void
cmd_sscan(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	struct ks_stripe	*st;
	struct ks_key		 k;
	const struct entry	*e;
	struct command_scan	 sc;
	struct sscan_state	 ss;
	uint64_t		 cursor;

	if (command_scan_cursor(cl, argv[2], argvlen[2], &cursor) == -1)
		return;
	if (cmd_set_find(cl, &k, argv[1], argvlen[1], 1, &st, &e) == -1)
		return;
	if (e == NULL) {
		keyspace_unlock(cl->cl_ks, st);
		command_reply_scan_empty(cl);
		return;
	}
	if (command_scan_args(cl, argc, argv, argvlen, 3, 0, &sc) == -1) {
		keyspace_unlock(cl->cl_ks, st);
		return;
	}
	memset(&ss, 0, sizeof(ss));
	ss.ss_opts = &sc;
	set_pool_init(&ss.ss_pool);
	list_vec_init(&ss.ss_vec);
	do {
		cursor = set_scan(cl->cl_ks->ks_arena, e, cursor,
		    cmd_sscan_visit, &ss);
	} while (!ss.ss_failed && command_scan_more(&sc, cursor,
	    ss.ss_visited));
	keyspace_unlock(cl->cl_ks, st);
	if (ss.ss_failed)
		reply_error(&cl->cl_reply, CMD_ERR_OOM);
	else {
		command_reply_cursor(cl, cursor);
		cmd_set_reply_vec(cl, &ss.ss_vec, 1);
	}
	list_vec_free(&ss.ss_vec);
	set_pool_free(&ss.ss_pool);
}

static const struct command cmd_set_commands[] = {
	{ "sadd",	-3,	CMD_WRITE | CMD_DENYOOM | CMD_FAST, 1, 1, 1,
	    cmd_sadd },
	{ "srem",	-3,	CMD_WRITE | CMD_FAST, 1, 1, 1, cmd_srem },
	{ "smove",	4,	CMD_WRITE | CMD_FAST, 1, 2, 1, cmd_smove },
	{ "sismember",	3,	CMD_READONLY | CMD_FAST, 1, 1, 1,
	    cmd_sismember },
	{ "smismember",	-3,	CMD_READONLY | CMD_FAST, 1, 1, 1,
	    cmd_smismember },
	{ "scard",	2,	CMD_READONLY | CMD_FAST, 1, 1, 1, cmd_scard },
	{ "spop",	-2,	CMD_WRITE | CMD_FAST, 1, 1, 1, cmd_spop },
	{ "srandmember", -2,	CMD_READONLY, 1, 1, 1, cmd_srandmember },
	{ "sinter",	-2,	CMD_READONLY, 1, -1, 1, cmd_sinter },
	{ "sintercard",	-3,	CMD_READONLY | CMD_KEYNUM, 0, 0, 0,
	    cmd_sintercard },
	{ "sinterstore", -3,	CMD_WRITE | CMD_DENYOOM, 1, -1, 1,
	    cmd_sinterstore },
	{ "sunion",	-2,	CMD_READONLY, 1, -1, 1, cmd_sunion },
	{ "sunionstore", -3,	CMD_WRITE | CMD_DENYOOM, 1, -1, 1,
	    cmd_sunionstore },
	{ "sdiff",	-2,	CMD_READONLY, 1, -1, 1, cmd_sdiff },
	{ "sdiffstore",	-3,	CMD_WRITE | CMD_DENYOOM, 1, -1, 1,
	    cmd_sdiffstore },
	{ "smembers",	2,	CMD_READONLY, 1, 1, 1, cmd_smembers },
	{ "sscan",	-3,	CMD_READONLY, 1, 1, 1, cmd_sscan },
};

const struct command_family cmd_set_family = {
	cmd_set_commands, nitems(cmd_set_commands)
};
