/*
 * cmd_zset.c: the sorted-set commands on members (ZADD, ZINCRBY, ZREM,
 * ZCARD, ZSCORE, ZMSCORE, ZRANK, ZREVRANK, ZPOPMIN, ZPOPMAX, ZMPOP,
 * ZRANDMEMBER, ZSCAN, and the blocking BZPOPMIN, BZPOPMAX, BZMPOP), with
 * Redis 7.0's arguments, replies and errors, and the parsers and reply
 * shapes the other sorted-set files share (cmd_zset_internal.h).
 *
 * Run by workers.  A command on one key takes its stripe lock through
 * command_find_typed() and keeps it until its reply is built; ZMPOP holds
 * the stripes of all its keys at once.  A change of several members or
 * a pop is one change of the set (a batch, or a run of ranks removed,
 * zset.h): in place for an index, one put for a packed set, so a command
 * happens whole or not at all.  A ZADD that adds members serves
 * the clients blocked on its key (blocking.h) before it lets go of the
 * stripe.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hydra/blocking.h"
#include "hydra/client.h"
#include "hydra/command.h"
#include "hydra/compat.h"
#include "hydra/glob.h"
#include "hydra/keyspace.h"
#include "hydra/object.h"
#include "hydra/reply.h"
#include "hydra/zset.h"

#include "command_internal.h"
#include "cmd_zset_internal.h"

static int
cmd_zset_find(struct client *cl, struct ks_key *k, const char *key,
    size_t klen, int reading, struct ks_stripe **stp, const struct entry **ep)
{
	return (command_find_typed(cl, OBJ_ZSET, k, key, klen, reading, stp,
	    ep));
}

/* Shared helpers. */

/* strtod() of a NUL-ended copy of s; *end the bytes it took. */
static double
cmd_zset_strtod(const char *s, size_t len, size_t *used, int *erange)
{
	char	 small[64], *buf = small, *end;
	double	 d;

	if (len >= sizeof(small) && (buf = malloc(len + 1)) == NULL) {
		*used = 0;
		*erange = 0;
		return (0);
	}
	memcpy(buf, s, len);
	buf[len] = '\0';
	errno = 0;
	d = strtod(buf, &end);
	*erange = errno == ERANGE;
	*used = (size_t)(end - buf);
	if (buf != small)
		free(buf);
	return (d);
}

int
cmd_zset_parse_score(const char *s, size_t len, double *out)
{
	size_t	 used;
	int	 erange;
	double	 d;

	if (len == 0 || isspace((unsigned char)s[0]))
		return (-1);
	d = cmd_zset_strtod(s, len, &used, &erange);
	if (used != len || isnan(d) || (erange && (d == HUGE_VAL ||
	    d == -HUGE_VAL || fpclassify(d) == FP_ZERO)))
		return (-1);
	*out = d;
	return (0);
}

/*
 * One end of a score range, as zslParseRange() reads it: strtod() of the
 * argument cut at its first NUL, which must take all of it; no NaN.
 */
static int
cmd_zset_range_end(const char *s, size_t len, double *d, int *ex)
{
	const char	*nul = memchr(s, '\0', len);
	size_t		 used;
	int		 erange;

	if (nul != NULL)
		len = (size_t)(nul - s);
	*ex = len > 0 && s[0] == '(';
	if (*ex) {
		s++;
		len--;
	}
	*d = cmd_zset_strtod(s, len, &used, &erange);
	return (used == len && !isnan(*d) ? 0 : -1);
}

int
cmd_zset_parse_range(struct client *cl, const char *min, size_t minlen,
    const char *max, size_t maxlen, struct zset_range *r)
{
	if (cmd_zset_range_end(min, minlen, &r->zr_min, &r->zr_minex) == -1 ||
	    cmd_zset_range_end(max, maxlen, &r->zr_max, &r->zr_maxex) == -1) {
		reply_error(&cl->cl_reply, "-ERR min or max is not a float");
		return (-1);
	}
	return (0);
}

/* One end of a member range, as zslParseLexRangeItem() reads it. */
static int
cmd_zset_lex_end(const char *s, size_t len, struct zset_lexbound *b)
{
	if (len == 0)
		return (-1);
	b->zb_s = s + 1;
	b->zb_len = len - 1;
	switch (s[0]) {
	case '+':
	case '-':
		/* Redis looks at the next byte as a C string's. */
		if (len > 1 && s[1] != '\0')
			return (-1);
		b->zb_kind = s[0] == '+' ? ZSET_LEX_MAX : ZSET_LEX_MIN;
		return (0);
	case '(':
		b->zb_kind = ZSET_LEX_EXCL;
		return (0);
	case '[':
		b->zb_kind = ZSET_LEX_INCL;
		return (0);
	default:
		return (-1);
	}
}

int
cmd_zset_parse_lex(struct client *cl, const char *min, size_t minlen,
    const char *max, size_t maxlen, struct zset_lex *l)
{
	if (cmd_zset_lex_end(min, minlen, &l->zl_min) == -1 ||
	    cmd_zset_lex_end(max, maxlen, &l->zl_max) == -1) {
		reply_error(&cl->cl_reply,
		    "-ERR min or max not valid string range item");
		return (-1);
	}
	return (0);
}

int
cmd_zset_shape(const struct client *cl, int withscores)
{
	if (!withscores)
		return (CMD_ZSET_MEMBERS);
	return (cl->cl_reply.rb_proto == REPLY_RESP2 ? CMD_ZSET_FLAT :
	    CMD_ZSET_PAIRS);
}

void
cmd_zset_reply(struct client *cl, const struct zset_elem *el, size_t n,
    int shape)
{
	size_t	 i;

	reply_array_len(&cl->cl_reply, (long)(shape == CMD_ZSET_FLAT ?
	    2 * n : n));
	for (i = 0; i < n; i++) {
		if (shape == CMD_ZSET_PAIRS)
			reply_array_len(&cl->cl_reply, 2);
		reply_bulk(&cl->cl_reply, el[i].ze_member, el[i].ze_len);
		if (shape != CMD_ZSET_MEMBERS)
			reply_double(&cl->cl_reply, el[i].ze_score);
	}
}

/* ZADD and ZINCRBY. */

#define ZADD_NX		0x01
#define ZADD_XX		0x02
#define ZADD_GT		0x04
#define ZADD_LT		0x08
#define ZADD_INCR	0x10
#define ZADD_CH		0x20

/* The options of ZADD before its pairs: their flags; *at the first pair. */
static int
cmd_zadd_options(int argc, const char *const *argv, const size_t *argvlen,
    int *at)
{
	static const struct {
		const char	*name;
		int		 flag;
	} opts[] = {
		{ "nx", ZADD_NX }, { "xx", ZADD_XX }, { "ch", ZADD_CH },
		{ "incr", ZADD_INCR }, { "gt", ZADD_GT }, { "lt", ZADD_LT },
	};
	size_t	 o;
	int	 flags = 0, i;

	for (i = 2; i < argc; i++) {
		for (o = 0; o < nitems(opts); o++)
			if (command_arg_is(argv[i], argvlen[i], opts[o].name))
				break;
		if (o == nitems(opts))
			break;
		flags |= opts[o].flag;
	}
	*at = i;
	return (flags);
}

/* The options' conflicts, in Redis's order: 0, or -1 after the error. */
static int
cmd_zadd_check(struct client *cl, int flags, int pairs)
{
	const char	*msg = NULL;

	if ((flags & ZADD_NX) && (flags & ZADD_XX))
		msg = "-ERR XX and NX options at the same time are not "
		    "compatible";
	else if (((flags & ZADD_NX) && (flags & (ZADD_GT | ZADD_LT))) ||
	    ((flags & ZADD_GT) && (flags & ZADD_LT)))
		msg = "-ERR GT, LT, and/or NX options at the same time are "
		    "not compatible";
	else if ((flags & ZADD_INCR) && pairs > 1)
		msg = "-ERR INCR option supports a single increment-element "
		    "pair";
	if (msg == NULL)
		return (0);
	reply_error(&cl->cl_reply, msg);
	return (-1);
}

/*
 * Decide as zsetAdd() does what becomes of one member, present (`found',
 * at score cur) or not, given `score': 1 set it to *newscore (*added or
 * *updated counts it), 0 nothing to do (a NOP: *processed stays), -1 the
 * sum is NaN.  *newscore gets the member's score when processed.
 */
static int
cmd_zadd_decide(int flags, int found, double cur, double score,
    long long *added, long long *updated, int *processed, double *newscore)
{
	*processed = 0;
	if (found) {
		if (flags & ZADD_NX)
			return (0);
		if (flags & ZADD_INCR) {
			score += cur;
			if (isnan(score))
				return (-1);
		}
		if (((flags & ZADD_LT) && score >= cur) ||
		    ((flags & ZADD_GT) && score <= cur))
			return (0);
		*processed = 1;
		*newscore = score;
		if (score == cur)
			return (0);
		(*updated)++;
	} else if (flags & ZADD_XX)
		return (0);
	else {
		*processed = 1;
		*newscore = score;
		(*added)++;
	}
	return (1);
}

/* Add or update one member in v (cmd_zadd_decide()); -2 ENOMEM. */
static int
cmd_zadd_one(struct zset_vec *v, int flags, const char *m, size_t len,
    double score, long long *added, long long *updated, int *processed,
    double *newscore)
{
	long	 i = zset_vec_find(v, m, len);
	int	 rv;

	if ((rv = cmd_zadd_decide(flags, i >= 0, i >= 0 ?
	    v->zv_el[i].ze_score : 0, score, added, updated, processed,
	    newscore)) != 1)
		return (rv);
	if (i >= 0)
		zset_vec_remove(v, (size_t)i);
	return (zset_vec_insert(v, m, len, *newscore) == -1 ? -2 : 1);
}

/*
 * Would Redis 7.0 hold the set packed as a ZADD begins on it (entry e, or
 * none, then `first' is the first member given)?  While it does, a score
 * of -0 is stored as 0; once the set turns into a skiplist, it keeps its
 * sign.
 */
static int
cmd_zadd_packed_start(const struct entry *e, size_t first)
{
	if (e != NULL)
		return (e->e_type == (OBJ_ZSET | OBJ_ZSET_PACKED));
	return (object_limits.ol_zset_entries > 0 &&
	    first <= object_limits.ol_zset_value);
}

/*
 * Before member m goes into v: a new member that the packed set cannot
 * take (one too many, or too long) turns it into a skiplist first, as in
 * Redis.  Returns whether the set is still packed.
 */
static int
cmd_zadd_packed_before(const struct zset_vec *v, const char *m, size_t len,
    int packed)
{
	if (packed && zset_vec_find(v, m, len) < 0 &&
	    (v->zv_n + 1 > object_limits.ol_zset_entries ||
	    len > object_limits.ol_zset_value))
		return (0);
	return (packed);
}

/* After it went in: in a packed set, a zero score loses its sign. */
static void
cmd_zadd_packed_after(struct zset_vec *v, const char *m, size_t len,
    int packed)
{
	long	 i;

	if (packed && (i = zset_vec_find(v, m, len)) >= 0 &&
	    v->zv_el[i].ze_score == 0)
		v->zv_el[i].ze_score = 0;
}

/*
 * One pair on an existing set: changed in place (zset_set_locked()),
 * which copies only what it touches of a large set.
 */
static int
cmd_zadd_in_place(struct keyspace *ks, struct ks_stripe *st,
    const struct ks_key *k, const struct entry *e, int flags,
    const char *m, size_t len, double score, long long *added,
    long long *updated, int *processed, double *newscore)
{
	double	 cur = 0;
	int	 found, rv;

	found = zset_score(e, m, len, &cur);
	if ((rv = cmd_zadd_decide(flags, found, cur, score, added, updated,
	    processed, newscore)) != 1)
		return (rv);
	return (zset_set_locked(ks, st, k, e, m, len, *newscore) == -1 ?
	    -2 : 1);
}

/*
 * Several pairs on an index: gathered in a batch, each seeing those
 * before it, and made as one change that copies only what it touches
 * (zset.h).  Returns as cmd_zadd_one() does.
 */
static int
cmd_zadd_batch(struct keyspace *ks, struct ks_stripe *st,
    const struct ks_key *k, const struct entry *e, int flags,
    const char *const *argv, const size_t *argvlen, const double *scores,
    int pairs, long long *added, long long *updated, long long *processed,
    double *newscore)
{
	struct zset_batch	 b;
	double			 cur = 0;
	int			 j, found, done, rv = 0;

	zset_batch_init(&b, e);
	for (j = 0; rv >= 0 && j < pairs; j++) {
		found = zset_batch_score(&b, argv[2 * j + 1],
		    argvlen[2 * j + 1], &cur);
		rv = cmd_zadd_decide(flags, found, cur, scores[j], added,
		    updated, &done, newscore);
		*processed += done;
		if (rv == 1 && zset_batch_set(&b, argv[2 * j + 1],
		    argvlen[2 * j + 1], *newscore) == -1)
			rv = -2;
	}
	if (rv >= 0 && *added + *updated > 0 &&
	    zset_batch_apply_locked(ks, st, k, &b) == -1)
		rv = -2;
	zset_batch_free(&b);
	return (rv);
}

static void
cmd_zadd_generic(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen, int incr)
{
	struct keyspace		*ks = cl->cl_ks;
	struct ks_stripe	*st;
	struct ks_key		 k;
	const struct entry	*e;
	struct zset_vec		 v;
	double			*scores, score = 0;
	long long		 added = 0, updated = 0, processed = 0;
	int			 flags, at, pairs, j, rv = 0, done, packed;

	flags = cmd_zadd_options(argc, argv, argvlen, &at) | incr;
	if ((argc - at) % 2 != 0 || argc == at) {
		reply_error(&cl->cl_reply, CMD_ERR_SYNTAX);
		return;
	}
	pairs = (argc - at) / 2;
	if (cmd_zadd_check(cl, flags, pairs) == -1)
		return;
	if ((scores = calloc((size_t)pairs, sizeof(*scores))) == NULL) {
		reply_error(&cl->cl_reply, CMD_ERR_OOM);
		return;
	}
	for (j = 0; j < pairs; j++)
		if (cmd_zset_parse_score(argv[at + 2 * j],
		    argvlen[at + 2 * j], &scores[j]) == -1) {
			reply_error(&cl->cl_reply, CMD_ZSET_ERR_FLOAT);
			free(scores);
			return;
		}
	if (cmd_zset_find(cl, &k, argv[1], argvlen[1], 0, &st, &e) == -1) {
		free(scores);
		return;
	}
	zset_vec_init(&v);
	if (e != NULL && pairs == 1) {
		rv = cmd_zadd_in_place(ks, st, &k, e, flags, argv[at + 1],
		    argvlen[at + 1], scores[0], &added, &updated, &done,
		    &score);
		processed += done;
		pairs = 0;	/* written, or nothing to write */
	} else if (e != NULL && e->e_type == (OBJ_ZSET | OBJ_ZSET_INDEX)) {
		rv = cmd_zadd_batch(ks, st, &k, e, flags, argv + at,
		    argvlen + at, scores, pairs, &added, &updated, &processed,
		    &score);
		pairs = 0;
	} else if (e != NULL || !(flags & ZADD_XX))
		rv = zset_vec_load(&v, e) == -1 ? -2 : 0;
	packed = cmd_zadd_packed_start(e, argvlen[at + 1]);
	for (j = 0; rv >= 0 && j < pairs && (e != NULL ||
	    !(flags & ZADD_XX)); j++) {
		packed = cmd_zadd_packed_before(&v, argv[at + 2 * j + 1],
		    argvlen[at + 2 * j + 1], packed);
		rv = cmd_zadd_one(&v, flags, argv[at + 2 * j + 1],
		    argvlen[at + 2 * j + 1], scores[j], &added, &updated, &done,
		    &score);
		processed += done;
		cmd_zadd_packed_after(&v, argv[at + 2 * j + 1],
		    argvlen[at + 2 * j + 1], packed);
	}
	if (rv >= 0 && pairs > 0 && added + updated > 0 &&
	    zset_write_locked(ks, st, &k, &v, e != NULL ? entry_expire(e) :
	    KEYSPACE_NO_EXPIRE) == -1)
		rv = -2;
	/* The reply is counted; then the waiters take their share. */
	if (rv >= 0 && added > 0)
		(void)blocking_serve_locked(ks, st, cl->cl_db, &k);
	keyspace_unlock(ks, st);
	zset_vec_free(&v);
	free(scores);
	if (rv == -1)
		reply_error(&cl->cl_reply,
		    "-ERR resulting score is not a number (NaN)");
	else if (rv == -2)
		reply_error(&cl->cl_reply, CMD_ERR_OOM);
	else if (flags & ZADD_INCR) {
		if (processed)
			reply_double(&cl->cl_reply, score);
		else
			reply_null(&cl->cl_reply);
	} else
		reply_int(&cl->cl_reply, (flags & ZADD_CH) ? added + updated :
		    added);
}

static void
cmd_zadd(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	cmd_zadd_generic(cl, argc, argv, argvlen, 0);
}

static void
cmd_zincrby(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	cmd_zadd_generic(cl, argc, argv, argvlen, ZADD_INCR);
}

static void
cmd_zrem(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	struct keyspace		*ks = cl->cl_ks;
	struct ks_stripe	*st;
	struct ks_key		 k;
	const struct entry	*e;
	struct zset_vec		 v;
	struct zset_batch	 b;
	long long		 deleted = 0;
	long			 i;
	double			 d;
	int			 j, rv = 0;

	if (cmd_zset_find(cl, &k, argv[1], argvlen[1], 0, &st, &e) == -1)
		return;
	zset_vec_init(&v);
	if (e != NULL && argc == 3) {
		/* One member: changed in place. */
		if ((rv = zset_delete_locked(ks, st, &k, e, argv[2],
		    argvlen[2])) == 1)
			deleted++;
		rv = rv == -1 ? -1 : 0;
	} else if (e != NULL && e->e_type == (OBJ_ZSET | OBJ_ZSET_INDEX)) {
		/* Several of an index: one change of what they touch. */
		zset_batch_init(&b, e);
		for (j = 2; rv == 0 && j < argc; j++)
			if (zset_batch_score(&b, argv[j], argvlen[j], &d)) {
				rv = zset_batch_delete(&b, argv[j], argvlen[j]);
				deleted++;
			}
		if (rv == 0 && deleted > 0)
			rv = zset_batch_apply_locked(ks, st, &k, &b);
		zset_batch_free(&b);
	} else if (e != NULL) {
		rv = zset_vec_load(&v, e);
		for (j = 2; rv == 0 && j < argc; j++)
			if ((i = zset_vec_find(&v, argv[j], argvlen[j])) >= 0) {
				zset_vec_remove(&v, (size_t)i);
				deleted++;
			}
		if (rv == 0 && deleted > 0)
			rv = zset_write_locked(ks, st, &k, &v,
			    entry_expire(e));
	}
	keyspace_unlock(ks, st);
	zset_vec_free(&v);
	if (rv == -1)
		reply_error(&cl->cl_reply, CMD_ERR_OOM);
	else
		reply_int(&cl->cl_reply, deleted);
}

static void
cmd_zcard(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	struct ks_stripe	*st;
	struct ks_key		 k;
	const struct entry	*e;

	(void)argc;
	if (cmd_zset_find(cl, &k, argv[1], argvlen[1], 1, &st, &e) == -1)
		return;
	reply_int(&cl->cl_reply, e == NULL ? 0 : (long long)zset_card(e));
	keyspace_unlock(cl->cl_ks, st);
}

static void
cmd_zscore(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	struct ks_stripe	*st;
	struct ks_key		 k;
	const struct entry	*e;
	double			 d;

	(void)argc;
	if (cmd_zset_find(cl, &k, argv[1], argvlen[1], 1, &st, &e) == -1)
		return;
	if (e != NULL && zset_score(e, argv[2], argvlen[2], &d))
		reply_double(&cl->cl_reply, d);
	else
		reply_null(&cl->cl_reply);
	keyspace_unlock(cl->cl_ks, st);
}

static void
cmd_zmscore(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	struct ks_stripe	*st;
	struct ks_key		 k;
	const struct entry	*e;
	double			 d;
	int			 j;

	if (cmd_zset_find(cl, &k, argv[1], argvlen[1], 1, &st, &e) == -1)
		return;
	reply_array_len(&cl->cl_reply, argc - 2);
	for (j = 2; j < argc; j++)
		if (e != NULL && zset_score(e, argv[j], argvlen[j], &d))
			reply_double(&cl->cl_reply, d);
		else
			reply_null(&cl->cl_reply);
	keyspace_unlock(cl->cl_ks, st);
}

static void
cmd_zrank_generic(struct client *cl, const char *const *argv,
    const size_t *argvlen, int reverse)
{
	struct ks_stripe	*st;
	struct ks_key		 k;
	const struct entry	*e;
	int64_t			 r = -1;

	if (cmd_zset_find(cl, &k, argv[1], argvlen[1], 1, &st, &e) == -1)
		return;
	if (e != NULL)
		r = zset_rank(e, argv[2], argvlen[2], reverse);
	if (r >= 0)
		reply_int(&cl->cl_reply, r);
	else
		reply_null(&cl->cl_reply);
	keyspace_unlock(cl->cl_ks, st);
}

static void
cmd_zrank(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	(void)argc;
	cmd_zrank_generic(cl, argv, argvlen, 0);
}

static void
cmd_zrevrank(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	(void)argc;
	cmd_zrank_generic(cl, argv, argvlen, 1);
}

/* Pops. */

/*
 * Reply popped members el[0..n): after the bulk `key' when it is not
 * NULL, as pairs when `nested', else flat.  Keyed and flat is BZPOPMIN's
 * single array: key, member, score.
 */
static void
cmd_zset_popped(struct client *cl, const char *key, size_t klen,
    const struct zset_elem *el, size_t n, int nested)
{
	size_t	 i;

	if (key != NULL && !nested) {
		reply_array_len(&cl->cl_reply, (long)(1 + 2 * n));
		reply_bulk(&cl->cl_reply, key, klen);
		for (i = 0; i < n; i++) {
			reply_bulk(&cl->cl_reply, el[i].ze_member,
			    el[i].ze_len);
			reply_double(&cl->cl_reply, el[i].ze_score);
		}
		return;
	}
	if (key != NULL) {
		reply_array_len(&cl->cl_reply, 2);
		reply_bulk(&cl->cl_reply, key, klen);
	}
	cmd_zset_reply(cl, el, n, nested ? CMD_ZSET_PAIRS : CMD_ZSET_FLAT);
}

/*
 * Pop up to `count' (at least 1) members of set e from its low end (or
 * its high end when `max') and reply them (cmd_zset_popped()).  The
 * popped members are copied out, then their run of ranks is removed in
 * one change (zset_remove_range_locked()).
 */
static void
cmd_zset_pop_reply(struct client *cl, struct ks_stripe *st,
    const struct ks_key *k, const struct entry *e, int max, long long count,
    int nested, const char *key, size_t klen)
{
	struct zset_vec		 out;
	uint64_t		 card = zset_card(e);
	size_t			 n;
	int			 rv;

	zset_vec_init(&out);
	n = (uint64_t)count < card ? (size_t)count : (size_t)card;
	rv = zset_vec_take(&out, e, n, max);
	if (rv == 0)
		rv = zset_remove_range_locked(cl->cl_ks, st, k, e,
		    max ? card - n : 0, max ? card : n);
	if (rv == -1)
		reply_error(&cl->cl_reply, CMD_ERR_OOM);
	else
		cmd_zset_popped(cl, key, klen, out.zv_el, out.zv_n, nested);
	zset_vec_free(&out);
}

/* ZPOPMIN and ZPOPMAX key [count]. */
static void
cmd_zpop(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen, int max)
{
	struct ks_stripe	*st;
	struct ks_key		 k;
	const struct entry	*e;
	long long		 count = -1;

	if (argc > 3) {
		reply_error(&cl->cl_reply, CMD_ERR_SYNTAX);
		return;
	}
	if (argc == 3) {
		if (command_parse_ll(argv[2], argvlen[2], &count) == -1 ||
		    count < 0) {
			reply_error(&cl->cl_reply,
			    "-ERR value is out of range, must be positive");
			return;
		}
	}
	if (cmd_zset_find(cl, &k, argv[1], argvlen[1], 0, &st, &e) == -1)
		return;
	if (e == NULL || count == 0)
		reply_array_len(&cl->cl_reply, 0);
	else
		cmd_zset_pop_reply(cl, st, &k, e, max, count == -1 ? 1 : count,
		    cl->cl_reply.rb_proto != REPLY_RESP2 && count != -1, NULL,
		    0);
	keyspace_unlock(cl->cl_ks, st);
}

static void
cmd_zpopmin(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	cmd_zpop(cl, argc, argv, argvlen, 0);
}

static void
cmd_zpopmax(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	cmd_zpop(cl, argc, argv, argvlen, 1);
}

/*
 * The blocking forms.  A command that finds its keys empty registers a
 * wait (blocking.h, the sorted-set kind of zset_block.c) with the keys
 * still locked, so that no ZADD comes in between, and leaves the client
 * without a reply; a server hands it the members it popped, and it is
 * answered as the non-blocking form would have answered, or as a
 * timeout (a null array).
 */
struct cmd_zset_wait {
	struct blocking_client	 zw_bc;		/* first */
	int			 zw_nested;	/* BZMPOP: pairs after the key */
};

static void
cmd_zset_wait_free(struct blocking_client *bc)
{
	blocking_wait_free(&bc->bc_wait);
	free(bc);
}

static void
cmd_zset_timeout_reply(struct client *cl)
{
	reply_null_array(&cl->cl_reply);
}

/* A server handed the wait its members: answer as the command would. */
static void
cmd_zset_deliver(struct client *cl, struct blocking_client *bc)
{
	struct cmd_zset_wait	*zw = (struct cmd_zset_wait *)bc;
	struct blocking		*b = cl->cl_ks->ks_blocking;
	const struct bl_payload	*p;
	struct zset_vec		 v;
	const char		*key;
	size_t			 klen;

	if ((p = blocking_take(b, &bc->bc_wait)) == NULL) {
		/* Never: a served wait has its payload. */
		reply_null_array(&cl->cl_reply);
		blocking_finish(b, &bc->bc_wait);
		return;
	}
	zset_vec_init(&v);
	if (zset_block_decode(p, &v) == -1) {
		zset_vec_free(&v);
		reply_error(&cl->cl_reply, CMD_ERR_OOM);
		blocking_abandon(b, &bc->bc_wait);
		return;
	}
	key = blocking_payload_key(p, &klen);
	cmd_zset_popped(cl, key, klen, v.zv_el, v.zv_n, zw->zw_nested);
	/* The vector points into the payload: freed after it, unread. */
	blocking_delivered(b, &bc->bc_wait);
	zset_vec_free(&v);
}

/* Block on the first n keys of m (locked), or answer as a timeout. */
static void
cmd_zset_wait(struct client *cl, struct ks_multi *m, int max,
    long long count, int nested, long long timeout_ms)
{
	struct cmd_zset_wait	*zw;
	int			 rv;

	if ((zw = calloc(1, sizeof(*zw))) == NULL) {
		reply_error(&cl->cl_reply, CMD_ERR_OOM);
		return;
	}
	zw->zw_nested = nested;
	zw->zw_bc.bc_deliver = cmd_zset_deliver;
	zw->zw_bc.bc_timeout = cmd_zset_timeout_reply;
	zw->zw_bc.bc_free = cmd_zset_wait_free;
	zw->zw_bc.bc_timeout_ms = timeout_ms;
	if ((rv = command_block(cl, m, m->km_n, &zw->zw_bc,
	    BLOCKING_KIND_ZSET_POP, (uint32_t)max, count > UINT32_MAX ?
	    UINT32_MAX : (uint32_t)count)) == 0)
		return;
	free(zw);
	if (rv == 1)
		reply_null_array(&cl->cl_reply);
}

/*
 * Pop from the first non-empty set of the numkeys keys at argv[ni + 1]:
 * ZMPOP and BZMPOP (`count' members, pairs after the key), BZPOPMIN and
 * BZPOPMAX (one member, flat after the key).  When none is, a blocking
 * form (timeout_ms >= 0) waits, ZMPOP answers a null array.
 */
static void
cmd_zset_mpop(struct client *cl, const char *const *argv,
    const size_t *argvlen, int ni, long long numkeys, int max,
    long long count, int nested, long long timeout_ms)
{
	struct ks_multi		 m;
	const struct entry	*e;
	long long		 i;

	if ((i = command_mpop_find(cl, &m, argv, argvlen, ni, numkeys,
	    OBJ_ZSET, &e)) == -1)
		return;
	if (i == numkeys && timeout_ms >= 0)
		cmd_zset_wait(cl, &m, max, count, nested, timeout_ms);
	else if (i == numkeys)
		reply_null_array(&cl->cl_reply);
	else if (i >= 0)
		cmd_zset_pop_reply(cl, m.km_sts[i], &m.km_keys[i], e, max,
		    count, nested, argv[ni + 1 + i], argvlen[ni + 1 + i]);
	keyspace_multi_unlock(cl->cl_ks, &m);
	keyspace_multi_free(&m);
}

/*
 * ZMPOP numkeys key [key ...] MIN|MAX [COUNT count], and BZMPOP timeout
 * numkeys ..., whose numkeys is argv[ni] and whose timeout is read after
 * the rest, as Redis reads it.
 */
static void
cmd_zset_mpop_args(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen, int ni)
{
	static const char *const	 ends[2] = { "min", "max" };
	long long			 numkeys, count, timeout_ms = -1;
	int				 max;

	if (command_mpop_args(cl, argc, argv, argvlen, ni, ends, &numkeys,
	    &max, &count) == -1)
		return;
	if (ni > 1 && command_block_timeout(cl, argv[1], argvlen[1],
	    &timeout_ms) == -1)
		return;
	cmd_zset_mpop(cl, argv, argvlen, ni, numkeys, max, count, 1,
	    timeout_ms);
}

static void
cmd_zmpop(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	cmd_zset_mpop_args(cl, argc, argv, argvlen, 1);
}

static void
cmd_bzmpop(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	cmd_zset_mpop_args(cl, argc, argv, argvlen, 2);
}

/* BZPOPMIN and BZPOPMAX key [key ...] timeout. */
static void
cmd_bzpop(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen, int max)
{
	long long	 timeout_ms;

	if (command_block_timeout(cl, argv[argc - 1], argvlen[argc - 1],
	    &timeout_ms) == -1)
		return;
	cmd_zset_mpop(cl, argv, argvlen, 0, argc - 2, max, 1, 0, timeout_ms);
}

static void
cmd_bzpopmin(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	cmd_bzpop(cl, argc, argv, argvlen, 0);
}

static void
cmd_bzpopmax(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	cmd_bzpop(cl, argc, argv, argvlen, 1);
}

/* ZRANDMEMBER key [count [WITHSCORES]]. */

/* The element of rank r of set e. */
static void
cmd_zset_at(const struct entry *e, uint64_t r, struct zset_elem *el)
{
	struct zset_iter	 it;

	zset_iter_init(&it, e, r, 0);
	if (!zset_iter_next(&it, el)) {
		el->ze_member = "";
		el->ze_len = 0;
		el->ze_score = 0;
	}
}

/*
 * `count' distinct members of e picked at random, in the set's order (as
 * Redis samples a packed set): a selection sample, each member taken
 * with the chance of the picks left over the members left.
 */
static int
cmd_zset_sample(const struct entry *e, uint64_t count, struct zset_vec *out)
{
	struct zset_iter	 it;
	struct zset_elem	 el;
	uint64_t		 left = zset_card(e), need = count;

	zset_iter_init(&it, e, 0, 0);
	while (need > 0 && zset_iter_next(&it, &el)) {
		if ((uint64_t)arc4random_uniform((uint32_t)left) < need) {
			if (zset_vec_add(out, el.ze_member, el.ze_len,
			    el.ze_score) == -1)
				return (-1);
			need--;
		}
		left--;
	}
	return (0);
}

static void
cmd_zrandmember_count(struct client *cl, const struct entry *e,
    long long count, int withscores)
{
	struct zset_vec		 v;
	struct zset_elem	 el;
	uint64_t		 size = zset_card(e), n, i;
	int			 shape = cmd_zset_shape(cl, withscores);

	zset_vec_init(&v);
	if (count < 0 || count == 1) {
		/* With repetitions, in random order. */
		n = count < 0 ? (uint64_t)-count : 1;
		reply_array_len(&cl->cl_reply, (long)(shape == CMD_ZSET_FLAT ?
		    2 * n : n));
		/* A reply past the buffer's cap is lost: stop building it. */
		for (i = 0; i < n && reply_buf_error(&cl->cl_reply) == 0;
		    i++) {
			cmd_zset_at(e, arc4random_uniform((uint32_t)size), &el);
			if (shape == CMD_ZSET_PAIRS)
				reply_array_len(&cl->cl_reply, 2);
			reply_bulk(&cl->cl_reply, el.ze_member, el.ze_len);
			if (withscores)
				reply_double(&cl->cl_reply, el.ze_score);
		}
		return;
	}
	if ((uint64_t)count >= size) {
		/* The whole set, as Redis answers it: from the highest. */
		if (zset_vec_load(&v, e) == -1)
			goto oom;
		for (i = 0; i < v.zv_n / 2; i++) {
			el = v.zv_el[i];
			v.zv_el[i] = v.zv_el[v.zv_n - 1 - i];
			v.zv_el[v.zv_n - 1 - i] = el;
		}
	} else {
		if (cmd_zset_sample(e, (uint64_t)count, &v) == -1)
			goto oom;
		/*
		 * Redis answers a sample of more than a third of the set in
		 * no particular order, a smaller one in the set's order.
		 */
		for (i = v.zv_n; (uint64_t)count * 3 > size && i > 1; i--) {
			n = arc4random_uniform((uint32_t)i);
			el = v.zv_el[i - 1];
			v.zv_el[i - 1] = v.zv_el[n];
			v.zv_el[n] = el;
		}
	}
	cmd_zset_reply(cl, v.zv_el, v.zv_n, shape);
	zset_vec_free(&v);
	return;
oom:
	zset_vec_free(&v);
	reply_error(&cl->cl_reply, CMD_ERR_OOM);
}

static void
cmd_zrandmember(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	struct ks_stripe	*st;
	struct ks_key		 k;
	const struct entry	*e;
	struct zset_elem	 el;
	long long		 count = 0;
	int			 withscores = 0;

	if (argc >= 3) {
		if (command_parse_ll(argv[2], argvlen[2], &count) == -1) {
			reply_error(&cl->cl_reply, CMD_ERR_NOT_INT);
			return;
		}
		if (count == LLONG_MIN) {
			reply_error(&cl->cl_reply, "-ERR value is out of "
			    "range, value must between -9223372036854775807 "
			    "and 9223372036854775807");
			return;
		}
		if (argc > 4 || (argc == 4 && !command_arg_is(argv[3],
		    argvlen[3], "withscores"))) {
			reply_error(&cl->cl_reply, CMD_ERR_SYNTAX);
			return;
		}
		withscores = argc == 4;
		if (withscores && (count < -LLONG_MAX / 2 ||
		    count > LLONG_MAX / 2)) {
			reply_error(&cl->cl_reply,
			    "-ERR value is out of range");
			return;
		}
	}
	if (cmd_zset_find(cl, &k, argv[1], argvlen[1], 1, &st, &e) == -1)
		return;
	if (argc < 3) {
		if (e == NULL)
			reply_null(&cl->cl_reply);
		else {
			cmd_zset_at(e, arc4random_uniform(
			    (uint32_t)zset_card(e)), &el);
			reply_bulk(&cl->cl_reply, el.ze_member, el.ze_len);
		}
	} else if (e == NULL || count == 0)
		reply_array_len(&cl->cl_reply, 0);
	else
		cmd_zrandmember_count(cl, e, count, withscores);
	keyspace_unlock(cl->cl_ks, st);
}

/*
 * ZSCAN key cursor [MATCH pattern] [COUNT count]: a packed set answers
 * whole in one step, with cursor 0, its scores as text the way the packed
 * encoding of Redis keeps them; an index walks its member table by
 * cursor, one or two buckets a step, until COUNT members were seen (or
 * ten times COUNT steps went by), as Redis walks its table.
 */
struct cmd_zscan_state {
	const struct command_scan	*zs_opts;
	struct zset_vec			 zs_vec;
	unsigned long long		 zs_seen;
	int				 zs_failed;
};

static void
cmd_zscan_visit(const struct zset_elem *el, void *arg)
{
	struct cmd_zscan_state	*zs = arg;

	zs->zs_seen++;
	if (command_scan_match(zs->zs_opts, el->ze_member, el->ze_len) &&
	    zset_vec_add(&zs->zs_vec, el->ze_member, el->ze_len,
	    el->ze_score) == -1)
		zs->zs_failed = 1;
}

static void
cmd_zscan(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	struct ks_stripe	*st;
	struct ks_key		 k;
	const struct entry	*e;
	struct command_scan	 sc;
	struct cmd_zscan_state	 zs;
	char			 num[ZSET_SCORE_MAX];
	size_t			 i;
	uint64_t		 cursor;

	if (command_scan_cursor(cl, argv[2], argvlen[2], &cursor) == -1)
		return;
	if (cmd_zset_find(cl, &k, argv[1], argvlen[1], 1, &st, &e) == -1)
		return;
	if (e == NULL) {
		keyspace_unlock(cl->cl_ks, st);
		command_reply_scan_empty(cl);
		return;
	}
	if (command_scan_args(cl, argc, argv, argvlen, 3, 0, &sc) == -1)
		goto out;
	memset(&zs, 0, sizeof(zs));
	zs.zs_opts = &sc;
	zset_vec_init(&zs.zs_vec);
	do
		cursor = zset_scan(e, cursor, cmd_zscan_visit, &zs);
	while (!zs.zs_failed && command_scan_more(&sc, cursor, zs.zs_seen));
	if (zs.zs_failed) {
		zset_vec_free(&zs.zs_vec);
		reply_error(&cl->cl_reply, CMD_ERR_OOM);
		goto out;
	}
	command_reply_cursor(cl, cursor);
	reply_array_len(&cl->cl_reply, (long)(2 * zs.zs_vec.zv_n));
	for (i = 0; i < zs.zs_vec.zv_n; i++) {
		reply_bulk(&cl->cl_reply, zs.zs_vec.zv_el[i].ze_member,
		    zs.zs_vec.zv_el[i].ze_len);
		reply_bulk(&cl->cl_reply, num, zset_score_text(num,
		    zs.zs_vec.zv_el[i].ze_score));
	}
	zset_vec_free(&zs.zs_vec);
out:
	keyspace_unlock(cl->cl_ks, st);
}

static const struct command cmd_zset_commands[] = {
	{ "zadd",	-4,	CMD_WRITE | CMD_DENYOOM | CMD_FAST, 1, 1, 1,
	    cmd_zadd },
	{ "zincrby",	4,	CMD_WRITE | CMD_DENYOOM | CMD_FAST, 1, 1, 1,
	    cmd_zincrby },
	{ "zrem",	-3,	CMD_WRITE | CMD_FAST, 1, 1, 1, cmd_zrem },
	{ "zcard",	2,	CMD_READONLY | CMD_FAST, 1, 1, 1, cmd_zcard },
	{ "zscore",	3,	CMD_READONLY | CMD_FAST, 1, 1, 1, cmd_zscore },
	{ "zmscore",	-3,	CMD_READONLY | CMD_FAST, 1, 1, 1,
	    cmd_zmscore },
	{ "zrank",	3,	CMD_READONLY | CMD_FAST, 1, 1, 1, cmd_zrank },
	{ "zrevrank",	3,	CMD_READONLY | CMD_FAST, 1, 1, 1,
	    cmd_zrevrank },
	{ "zpopmin",	-2,	CMD_WRITE | CMD_FAST, 1, 1, 1, cmd_zpopmin },
	{ "zpopmax",	-2,	CMD_WRITE | CMD_FAST, 1, 1, 1, cmd_zpopmax },
	{ "zmpop",	-4,	CMD_WRITE | CMD_KEYNUM, 0, 0, 0, cmd_zmpop },
	{ "bzpopmin",	-3,	CMD_WRITE | CMD_NOSCRIPT | CMD_FAST |
	    CMD_BLOCKING, 1, -2, 1, cmd_bzpopmin },
	{ "bzpopmax",	-3,	CMD_WRITE | CMD_NOSCRIPT | CMD_FAST |
	    CMD_BLOCKING, 1, -2, 1, cmd_bzpopmax },
	{ "bzmpop",	-5,	CMD_WRITE | CMD_BLOCKING | CMD_KEYNUM, 0, 0, 0,
	    cmd_bzmpop },
	{ "zrandmember", -2,	CMD_READONLY, 1, 1, 1, cmd_zrandmember },
	{ "zscan",	-3,	CMD_READONLY, 1, 1, 1, cmd_zscan },
};

const struct command_family cmd_zset_family = {
	cmd_zset_commands, nitems(cmd_zset_commands)
};
