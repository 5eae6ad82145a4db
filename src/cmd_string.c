/*
 * cmd_string.c: the string commands (GET, SET, the counters, APPEND,
 * STRLEN, GETSET, GETDEL, GETEX, the SET variants, GETRANGE, SETRANGE,
 * MGET, MSET, MSETNX and LCS).  The generic key commands (DEL, EXISTS, the
 * expiry commands, ...) are in cmd_keys.c.
 *
 * Run by workers.  A command on one key takes its stripe lock through
 * keyspace_lock() (and, inside keyspace_put_locked(), the slab locks after
 * it), and releases it before it returns; MGET, MSET, MSETNX and LCS hold
 * the stripes of all their keys at once, through keyspace_multi_lock().
 * Replies are built while the lock is held only from bytes that are
 * copied at once into the client's private reply buffer.
 *
 * Expiry times are absolute milliseconds on the realtime clock, as Redis
 * keeps them.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hydra/client.h"
#include "hydra/command.h"
#include "hydra/compat.h"
#include "hydra/keyspace.h"
#include "hydra/object.h"
#include "hydra/reply.h"

#include "command_internal.h"

#define SET_NX		0x01
#define SET_XX		0x02
#define SET_GET		0x04
#define SET_KEEPTTL	0x08
#define SET_EX		0x10
#define SET_PX		0x20
#define SET_EXAT	0x40
#define SET_PXAT	0x80
#define SET_PERSIST	0x100
#define SET_ANY_EXPIRE	(SET_EX | SET_PX | SET_EXAT | SET_PXAT)

/*
 * Lock the stripe of a key and find its live entry.  0 with the stripe
 * locked and *ep the entry (or NULL when the key is missing); -1, with the
 * stripe unlocked and WRONGTYPE answered, when the key is not a string.
 */
static int
cmd_string_find(struct client *cl, struct ks_key *k, const char *key,
    size_t klen, int reading, struct ks_stripe **stp, const struct entry **ep)
{
	return (command_find_typed(cl, OBJ_STRING, k, key, klen, reading, stp,
	    ep));
}

/* Answer an entry's value as a bulk string, or null when there is none. */
static void
cmd_reply_value(struct client *cl, const struct entry *e)
{
	const char	*v;
	size_t		 vlen;

	if (e == NULL) {
		reply_null(&cl->cl_reply);
		return;
	}
	v = entry_value(e, &vlen);
	reply_bulk(&cl->cl_reply, v, vlen);
}

static void
cmd_get(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	struct keyspace		*ks = cl->cl_ks;
	struct ks_stripe	*st;
	struct ks_key		 k;
	const struct entry	*e;

	(void)argc;
	if (cmd_string_find(cl, &k, argv[1], argvlen[1], 1,
	    &st, &e) == -1)
		return;
	cmd_reply_value(cl, e);
	keyspace_unlock(ks, st);
}

/*
 * Parse an expiry as Redis 7.0's getExpireMillisecondsOrReply() does, for
 * SET, GETEX, SETEX and PSETEX: a positive integer in seconds or
 * milliseconds, relative to now or absolute.  The absolute time in
 * milliseconds in *expirep, 0; or -1 after an error reply naming the
 * command.
 */
static int
cmd_string_expire(struct client *cl, const char *name, const char *arg,
    size_t len, int unit_seconds, int relative, int64_t *expirep)
{
	long long	 ms;

	if (command_parse_ll(arg, len, &ms) == -1) {
		reply_error(&cl->cl_reply, CMD_ERR_NOT_INT);
		return (-1);
	}
	if (ms <= 0 || (unit_seconds && ms > LLONG_MAX / 1000))
		goto invalid;
	if (unit_seconds)
		ms *= 1000;
	if (relative) {
		if (ms > LLONG_MAX - command_now_ms())
			goto invalid;
		ms += command_now_ms();
	}
	*expirep = ms;
	return (0);
invalid:
	reply_errorf(&cl->cl_reply, "invalid expire time in '%s' command",
	    name);
	return (-1);
}

/* SET_EX, SET_PX, SET_EXAT or SET_PXAT for an option's name, else 0. */
static int
cmd_set_expire_option(const char *opt, size_t len)
{
	static const struct {
		const char	*name;
		int		 flag;
	} units[] = {
		{ "ex", SET_EX }, { "px", SET_PX },
		{ "exat", SET_EXAT }, { "pxat", SET_PXAT },
	};
	size_t	 i;

	for (i = 0; i < nitems(units); i++)
		if (command_arg_is(opt, len, units[i].name))
			return (units[i].flag);
	return (0);
}

/*
 * Parse the options of SET (from argv[3]) or of GETEX (from argv[2], when
 * `getex') as Redis 7.0's parseExtendedStringArgumentsOrReply() does:
 * the flags in *flagsp, the index of the time argument in *atp (0 when
 * none; cmd_set_expiry() reads it).  0, or -1 after an error reply.
 */
static int
cmd_set_options(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen, int getex, int *flagsp, int *atp)
{
	const char	*opt;
	size_t		 olen;
	int		 flags = 0, j, unit, next;

	*atp = 0;
	for (j = getex ? 2 : 3; j < argc; j++) {
		opt = argv[j];
		olen = argvlen[j];
		next = j < argc - 1;
		if (!getex && command_arg_is(opt, olen, "nx") &&
		    !(flags & SET_XX))
			flags |= SET_NX;
		else if (!getex && command_arg_is(opt, olen, "xx") &&
		    !(flags & SET_NX))
			flags |= SET_XX;
		else if (!getex && command_arg_is(opt, olen, "get"))
			flags |= SET_GET;
		else if (!getex && command_arg_is(opt, olen, "keepttl") &&
		    !(flags & SET_ANY_EXPIRE))
			flags |= SET_KEEPTTL;
		else if (getex && command_arg_is(opt, olen, "persist") &&
		    !(flags & SET_ANY_EXPIRE))
			flags |= SET_PERSIST;
		else if ((unit = cmd_set_expire_option(opt, olen)) != 0 &&
		    next && !(flags & (SET_KEEPTTL | SET_PERSIST |
		    (SET_ANY_EXPIRE & ~unit)))) {
			/* The same unit again replaces the time, as in Redis. */
			flags |= unit;
			*atp = ++j;
		} else {
			reply_error(&cl->cl_reply, CMD_ERR_SYNTAX);
			return (-1);
		}
	}
	*flagsp = flags;
	return (0);
}

/*
 * The expiry that SET's or GETEX's options ask for (argv[at], 0 when
 * none) as an absolute time in *expirep (KEYSPACE_NO_EXPIRE when none).
 * 0, or -1 after an error reply.
 */
static int
cmd_set_expiry(struct client *cl, const char *name, int flags, int at,
    const char *const *argv, const size_t *argvlen, int64_t *expirep)
{
	*expirep = KEYSPACE_NO_EXPIRE;
	if (at == 0)
		return (0);
	return (cmd_string_expire(cl, name, argv[at], argvlen[at],
	    (flags & (SET_EX | SET_EXAT)) != 0, (flags & (SET_EX | SET_PX)) != 0,
	    expirep));
}

static void
cmd_set(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	struct keyspace		*ks = cl->cl_ks;
	struct ks_stripe	*st;
	struct ks_key		 k;
	const struct entry	*e;
	const char		*v;
	char			*old = NULL;
	size_t			 vlen, oldlen = 0;
	int64_t			 expire;
	int			 flags, at, had_old = 0;

	if (cmd_set_options(cl, argc, argv, argvlen, 0, &flags, &at) == -1 ||
	    cmd_set_expiry(cl, "set", flags, at, argv, argvlen,
	    &expire) == -1)
		return;

	keyspace_key(ks, &k, argv[1], argvlen[1]);
	st = keyspace_lock(ks, cl->cl_db, &k);
	e = keyspace_find_locked(ks, st, &k, command_now_ms());
	if (flags & SET_GET)
		command_count_lookup(cl, e != NULL);
	if ((flags & SET_GET) && e != NULL) {
		if (OBJ_TYPE(e->e_type) != OBJ_STRING) {
			keyspace_unlock(ks, st);
			reply_error(&cl->cl_reply, CMD_ERR_WRONGTYPE);
			return;
		}
		/* The old value is replaced below: keep a private copy. */
		v = entry_value(e, &vlen);
		if ((old = malloc(vlen == 0 ? 1 : vlen)) == NULL) {
			keyspace_unlock(ks, st);
			reply_error(&cl->cl_reply, CMD_ERR_OOM);
			return;
		}
		memcpy(old, v, vlen);
		oldlen = vlen;
		had_old = 1;
	}
	if (((flags & SET_NX) && e != NULL) ||
	    ((flags & SET_XX) && e == NULL)) {
		keyspace_unlock(ks, st);
		if (flags & SET_GET) {
			if (had_old)
				reply_bulk(&cl->cl_reply, old, oldlen);
			else
				reply_null(&cl->cl_reply);
		} else
			reply_null(&cl->cl_reply);
		free(old);
		return;
	}
	if ((flags & SET_KEEPTTL) && e != NULL)
		expire = entry_expire(e);
	if (keyspace_put_locked(ks, st, &k, OBJ_STRING, argv[2], argvlen[2],
	    expire) == -1) {
		keyspace_unlock(ks, st);
		free(old);
		reply_error(&cl->cl_reply, CMD_ERR_OOM);
		return;
	}
	keyspace_unlock(ks, st);
	if (flags & SET_GET) {
		if (had_old)
			reply_bulk(&cl->cl_reply, old, oldlen);
		else
			reply_null(&cl->cl_reply);
	} else
		reply_status(&cl->cl_reply, "OK");
	free(old);
}

/*
 * GETEX key [EX s | PX ms | EXAT ts | PXAT ts-ms | PERSIST]: the value,
 * and the expiry changed under the same lock.  An absolute time that has
 * passed deletes the key after the reply is taken, as Redis does.
 */
static void
cmd_getex(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	struct keyspace		*ks = cl->cl_ks;
	struct ks_stripe	*st;
	struct ks_key		 k;
	const struct entry	*e;
	int64_t			 expire;
	int			 flags, at, rc = 0;

	if (cmd_set_options(cl, argc, argv, argvlen, 1, &flags, &at) == -1)
		return;
	if (cmd_string_find(cl, &k, argv[1], argvlen[1], 1,
	    &st, &e) == -1)
		return;
	/* As in Redis, the time is checked after the key. */
	if (e == NULL || cmd_set_expiry(cl, "getex", flags, at, argv,
	    argvlen, &expire) == -1) {
		keyspace_unlock(ks, st);
		if (e == NULL)
			reply_null(&cl->cl_reply);
		return;
	}
	if ((flags & (SET_EXAT | SET_PXAT)) && expire <= command_now_ms()) {
		/* The reply is copied out before the entry goes. */
		cmd_reply_value(cl, e);
		(void)keyspace_delete_locked(ks, st, &k);
		keyspace_unlock(ks, st);
		return;
	}
	if (flags & (SET_ANY_EXPIRE | SET_PERSIST))
		rc = keyspace_set_expire_locked(ks, st, &k,
		    (flags & SET_PERSIST) ? KEYSPACE_NO_EXPIRE : expire);
	/* A new expiry may have rebuilt the entry. */
	if (rc != -1)
		cmd_reply_value(cl, keyspace_peek_locked(ks, st, &k,
		    command_now_ms()));
	keyspace_unlock(ks, st);
	if (rc == -1)
		reply_error(&cl->cl_reply, CMD_ERR_OOM);
}

/*
 * Would a string of size + append bytes pass Redis's checkStringLength()
 * (proto-max-bulk-len)?  0, or -1 after an error reply.
 */
static int
cmd_string_check_len(struct client *cl, long long size, long long append)
{
	uint64_t	 total = (uint64_t)size + (uint64_t)append;

	if (total > (uint64_t)cl->cl_parser.rp_max_bulk_len) {
		reply_error(&cl->cl_reply,
		    "string exceeds maximum allowed size (proto-max-bulk-len)");
		return (-1);
	}
	return (0);
}

/* INCR, DECR, INCRBY and DECRBY, under the key's stripe lock. */
static void
cmd_incr_by(struct client *cl, const char *key, size_t klen, long long incr)
{
	struct keyspace		*ks = cl->cl_ks;
	struct ks_stripe	*st;
	struct ks_key		 k;
	const struct entry	*e;
	const char		*v;
	char			 buf[32];
	size_t			 vlen;
	long long		 value = 0;
	int64_t			 expire = KEYSPACE_NO_EXPIRE;
	int			 n;

	if (cmd_string_find(cl, &k, key, klen, 0, &st, &e) == -1)
		return;
	if (e != NULL) {
		v = entry_value(e, &vlen);
		if (command_parse_ll(v, vlen, &value) == -1) {
			keyspace_unlock(ks, st);
			reply_error(&cl->cl_reply, CMD_ERR_NOT_INT);
			return;
		}
		expire = entry_expire(e);
	}
	if ((incr < 0 && value < 0 && incr < LLONG_MIN - value) ||
	    (incr > 0 && value > 0 && incr > LLONG_MAX - value)) {
		keyspace_unlock(ks, st);
		reply_error(&cl->cl_reply,
		    "increment or decrement would overflow");
		return;
	}
	value += incr;
	n = (int)reply_fmt_ll(buf, value);
	if (keyspace_put_locked(ks, st, &k, OBJ_STRING, buf, (size_t)n,
	    expire) == -1) {
		keyspace_unlock(ks, st);
		reply_error(&cl->cl_reply, CMD_ERR_OOM);
		return;
	}
	keyspace_unlock(ks, st);
	reply_int(&cl->cl_reply, value);
}

static void
cmd_incr(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	(void)argc;
	cmd_incr_by(cl, argv[1], argvlen[1], 1);
}

static void
cmd_decr(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	(void)argc;
	cmd_incr_by(cl, argv[1], argvlen[1], -1);
}

static void
cmd_incrby(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	long long	 incr;

	(void)argc;
	if (command_parse_ll(argv[2], argvlen[2], &incr) == -1) {
		reply_error(&cl->cl_reply, CMD_ERR_NOT_INT);
		return;
	}
	cmd_incr_by(cl, argv[1], argvlen[1], incr);
}

static void
cmd_decrby(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	long long	 incr;

	(void)argc;
	if (command_parse_ll(argv[2], argvlen[2], &incr) == -1) {
		reply_error(&cl->cl_reply, CMD_ERR_NOT_INT);
		return;
	}
	/* Negating LLONG_MIN would overflow. */
	if (incr == LLONG_MIN) {
		reply_error(&cl->cl_reply, "decrement would overflow");
		return;
	}
	cmd_incr_by(cl, argv[1], argvlen[1], -incr);
}

/*
 * INCRBYFLOAT, as Redis 7.0 does it in long double, printed with "%.17Lf"
 * and its trailing zeroes (and a bare '.') dropped.
 */
static void
cmd_incrbyfloat(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	struct keyspace		*ks = cl->cl_ks;
	struct ks_stripe	*st;
	struct ks_key		 k;
	const struct entry	*e;
	const char		*v;
	char			 buf[COMMAND_LD_MAX];
	size_t			 vlen, n;
	long double		 value = 0, incr;
	int64_t			 expire = KEYSPACE_NO_EXPIRE;

	(void)argc;
	if (cmd_string_find(cl, &k, argv[1], argvlen[1], 0,
	    &st, &e) == -1)
		return;
	if (e != NULL) {
		v = entry_value(e, &vlen);
		expire = entry_expire(e);
		if (command_parse_ld(v, vlen, &value) == -1)
			goto notfloat;
	}
	if (command_parse_ld(argv[2], argvlen[2], &incr) == -1)
		goto notfloat;
	value += incr;
	if (isnan(value) || isinf(value)) {
		keyspace_unlock(ks, st);
		reply_error(&cl->cl_reply,
		    "increment would produce NaN or Infinity");
		return;
	}
	n = command_fmt_ld(buf, value);
	if (keyspace_put_locked(ks, st, &k, OBJ_STRING | OBJ_STR_MADE, buf,
	    n, expire) == -1) {
		keyspace_unlock(ks, st);
		reply_error(&cl->cl_reply, CMD_ERR_OOM);
		return;
	}
	keyspace_unlock(ks, st);
	reply_bulk(&cl->cl_reply, buf, n);
	return;
notfloat:
	keyspace_unlock(ks, st);
	reply_error(&cl->cl_reply, "value is not a valid float");
}

static void
cmd_append(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	struct keyspace		*ks = cl->cl_ks;
	struct ks_stripe	*st;
	struct ks_key		 k;
	const struct entry	*e;
	const char		*v;
	char			*nv;
	size_t			 vlen;
	int			 rc;

	(void)argc;
	if (cmd_string_find(cl, &k, argv[1], argvlen[1], 0, &st, &e) == -1)
		return;
	if (e == NULL) {
		rc = keyspace_put_locked(ks, st, &k, OBJ_STRING, argv[2],
		    argvlen[2], KEYSPACE_NO_EXPIRE);
		keyspace_unlock(ks, st);
		if (rc == -1)
			reply_error(&cl->cl_reply, CMD_ERR_OOM);
		else
			reply_int(&cl->cl_reply, (long long)argvlen[2]);
		return;
	}
	v = entry_value(e, &vlen);
	if (cmd_string_check_len(cl, (long long)vlen,
	    (long long)argvlen[2]) == -1) {
		keyspace_unlock(ks, st);
		return;
	}
	if ((nv = malloc(vlen + argvlen[2] + 1)) == NULL) {
		keyspace_unlock(ks, st);
		reply_error(&cl->cl_reply, CMD_ERR_OOM);
		return;
	}
	memcpy(nv, v, vlen);
	memcpy(nv + vlen, argv[2], argvlen[2]);
	rc = keyspace_put_locked(ks, st, &k, OBJ_STRING | OBJ_STR_RAW, nv,
	    vlen + argvlen[2], entry_expire(e));
	keyspace_unlock(ks, st);
	free(nv);
	if (rc == -1)
		reply_error(&cl->cl_reply, CMD_ERR_OOM);
	else
		reply_int(&cl->cl_reply, (long long)(vlen + argvlen[2]));
}

static void
cmd_strlen(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	struct keyspace		*ks = cl->cl_ks;
	struct ks_stripe	*st;
	struct ks_key		 k;
	const struct entry	*e;
	size_t			 vlen;

	(void)argc;
	if (cmd_string_find(cl, &k, argv[1], argvlen[1], 1,
	    &st, &e) == -1)
		return;
	if (e == NULL)
		reply_int(&cl->cl_reply, 0);
	else {
		(void)entry_value(e, &vlen);
		reply_int(&cl->cl_reply, (long long)vlen);
	}
	keyspace_unlock(ks, st);
}

/*
 * GETSET (replace, dropping any expiry) and GETDEL (delete): reply with
 * the old value read under the same lock as the change.
 */
static void
cmd_get_and(struct client *cl, const char *key, size_t klen,
    const char *val, size_t vlen, int del)
{
	struct keyspace		*ks = cl->cl_ks;
	struct ks_stripe	*st;
	struct ks_key		 k;
	const struct entry	*e;
	const char		*v;
	char			*old = NULL;
	size_t			 oldlen = 0;

	if (cmd_string_find(cl, &k, key, klen, 1, &st, &e) == -1)
		return;
	if (e != NULL) {
		v = entry_value(e, &oldlen);
		if ((old = malloc(oldlen == 0 ? 1 : oldlen)) == NULL) {
			keyspace_unlock(ks, st);
			reply_error(&cl->cl_reply, CMD_ERR_OOM);
			return;
		}
		memcpy(old, v, oldlen);
	}
	if (del) {
		if (e != NULL)
			(void)keyspace_delete_locked(ks, st, &k);
	} else if (keyspace_put_locked(ks, st, &k, OBJ_STRING, val, vlen,
	    KEYSPACE_NO_EXPIRE) == -1) {
		keyspace_unlock(ks, st);
		free(old);
		reply_error(&cl->cl_reply, CMD_ERR_OOM);
		return;
	}
	keyspace_unlock(ks, st);
	if (old != NULL)
		reply_bulk(&cl->cl_reply, old, oldlen);
	else
		reply_null(&cl->cl_reply);
	free(old);
}

static void
cmd_getset(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	(void)argc;
	cmd_get_and(cl, argv[1], argvlen[1], argv[2], argvlen[2], 0);
}

static void
cmd_getdel(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	(void)argc;
	cmd_get_and(cl, argv[1], argvlen[1], NULL, 0, 1);
}

static void
cmd_setnx(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	struct keyspace		*ks = cl->cl_ks;
	struct ks_stripe	*st;
	struct ks_key		 k;
	int			 rc = 0;

	(void)argc;
	keyspace_key(ks, &k, argv[1], argvlen[1]);
	st = keyspace_lock(ks, cl->cl_db, &k);
	if (keyspace_find_locked(ks, st, &k, command_now_ms()) != NULL) {
		keyspace_unlock(ks, st);
		reply_int(&cl->cl_reply, 0);
		return;
	}
	rc = keyspace_put_locked(ks, st, &k, OBJ_STRING, argv[2], argvlen[2],
	    KEYSPACE_NO_EXPIRE);
	keyspace_unlock(ks, st);
	if (rc == -1)
		reply_error(&cl->cl_reply, CMD_ERR_OOM);
	else
		reply_int(&cl->cl_reply, 1);
}

/* SETEX and PSETEX: SET key value EX/PX time. */
static void
cmd_setex_unit(struct client *cl, const char *const *argv,
    const size_t *argvlen, const char *name, int unit_seconds)
{
	int64_t		 expire;

	if (cmd_string_expire(cl, name, argv[2], argvlen[2], unit_seconds, 1,
	    &expire) == -1)
		return;
	if (keyspace_put(cl->cl_ks, cl->cl_db, argv[1], argvlen[1],
	    OBJ_STRING, argv[3], argvlen[3], expire) == -1)
		reply_error(&cl->cl_reply, CMD_ERR_OOM);
	else
		reply_status(&cl->cl_reply, "OK");
}

static void
cmd_setex(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	(void)argc;
	cmd_setex_unit(cl, argv, argvlen, "setex", 1);
}

static void
cmd_psetex(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	(void)argc;
	cmd_setex_unit(cl, argv, argvlen, "psetex", 0);
}

/* MGET: every key's stripe locked at once, so the values are one moment's. */
static void
cmd_mget(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	struct keyspace		*ks = cl->cl_ks;
	struct ks_multi		 m;
	const struct entry	*e;
	int			 j;

	if (keyspace_multi_lock_names(ks, &m, cl->cl_db, argv + 1,
	    argvlen + 1, (size_t)argc - 1, 1) == -1) {
		reply_error(&cl->cl_reply, CMD_ERR_OOM);
		return;
	}
	reply_array_len(&cl->cl_reply, argc - 1);
	for (j = 0; j < argc - 1; j++) {
		e = keyspace_find_locked(ks, m.km_sts[j], &m.km_keys[j],
		    command_now_ms());
		command_count_lookup(cl, e != NULL);
		/* MGET answers null for a key of another type. */
		cmd_reply_value(cl, e != NULL &&
		    OBJ_TYPE(e->e_type) == OBJ_STRING ? e : NULL);
	}
	keyspace_multi_unlock(ks, &m);
	keyspace_multi_free(&m);
}

static void
cmd_getrange(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	struct keyspace		*ks = cl->cl_ks;
	struct ks_stripe	*st;
	struct ks_key		 k;
	const struct entry	*e;
	const char		*v;
	size_t			 vlen;
	long long		 start, end, len;

	(void)argc;
	if (command_parse_ll(argv[2], argvlen[2], &start) == -1 ||
	    command_parse_ll(argv[3], argvlen[3], &end) == -1) {
		reply_error(&cl->cl_reply, CMD_ERR_NOT_INT);
		return;
	}
	if (cmd_string_find(cl, &k, argv[1], argvlen[1], 1, &st, &e) == -1)
		return;
	if (e == NULL) {
		keyspace_unlock(ks, st);
		reply_bulk(&cl->cl_reply, "", 0);
		return;
	}
	v = entry_value(e, &vlen);
	len = (long long)vlen;
	if (start < 0 && end < 0 && start > end) {
		keyspace_unlock(ks, st);
		reply_bulk(&cl->cl_reply, "", 0);
		return;
	}
	if (start < 0)
		start += len;
	if (end < 0)
		end += len;
	if (start < 0)
		start = 0;
	if (end < 0)
		end = 0;
	if (end >= len)
		end = len - 1;
	if (start > end || len == 0)
		reply_bulk(&cl->cl_reply, "", 0);
	else
		reply_bulk(&cl->cl_reply, v + start, (size_t)(end - start + 1));
	keyspace_unlock(ks, st);
}

static void
cmd_setrange(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	struct keyspace		*ks = cl->cl_ks;
	struct ks_stripe	*st;
	struct ks_key		 k;
	const struct entry	*e;
	const char		*v = NULL;
	char			*nv;
	size_t			 vlen = 0, nlen;
	long long		 offset;
	int64_t			 expire = KEYSPACE_NO_EXPIRE;
	int			 rc;

	(void)argc;
	if (command_parse_ll(argv[2], argvlen[2], &offset) == -1) {
		reply_error(&cl->cl_reply, CMD_ERR_NOT_INT);
		return;
	}
	if (offset < 0) {
		reply_error(&cl->cl_reply, "offset is out of range");
		return;
	}
	if (cmd_string_find(cl, &k, argv[1], argvlen[1], 0,
	    &st, &e) == -1)
		return;
	if (e != NULL) {
		v = entry_value(e, &vlen);
		expire = entry_expire(e);
	}
	if (argvlen[3] == 0) {
		/* Setting nothing: the length, and no key is created. */
		keyspace_unlock(ks, st);
		reply_int(&cl->cl_reply, (long long)vlen);
		return;
	}
	if (cmd_string_check_len(cl, offset, (long long)argvlen[3]) == -1) {
		keyspace_unlock(ks, st);
		return;
	}
	nlen = (size_t)offset + argvlen[3];
	if (nlen < vlen)
		nlen = vlen;
	if ((nv = calloc(1, nlen)) == NULL) {
		keyspace_unlock(ks, st);
		reply_error(&cl->cl_reply, CMD_ERR_OOM);
		return;
	}
	if (vlen > 0)
		memcpy(nv, v, vlen);
	memcpy(nv + offset, argv[3], argvlen[3]);
	rc = keyspace_put_locked(ks, st, &k, OBJ_STRING | OBJ_STR_RAW, nv,
	    nlen, expire);
	keyspace_unlock(ks, st);
	free(nv);
	if (rc == -1)
		reply_error(&cl->cl_reply, CMD_ERR_OOM);
	else
		reply_int(&cl->cl_reply, (long long)nlen);
}

/* One common run of LCS's IDX reply: [a_start, a_end] and [b_start, b_end]. */
struct lcs_range {
	uint32_t	 lr_a0, lr_a1, lr_b0, lr_b1;
	int		 lr_open;
};

static void
cmd_lcs_emit(struct client *cl, const struct lcs_range *r,
    long long minlen, int withlen, long *nmatches)
{
	long long	 len = (long long)r->lr_a1 - r->lr_a0 + 1;

	if (minlen > 0 && len < minlen)
		return;
	reply_array_len(&cl->cl_reply, 2 + withlen);
	reply_array_len(&cl->cl_reply, 2);
	reply_int(&cl->cl_reply, r->lr_a0);
	reply_int(&cl->cl_reply, r->lr_a1);
	reply_array_len(&cl->cl_reply, 2);
	reply_int(&cl->cl_reply, r->lr_b0);
	reply_int(&cl->cl_reply, r->lr_b1);
	if (withlen)
		reply_int(&cl->cl_reply, len);
	(*nmatches)++;
}

/*
 * The longest common subsequence of a and b by the textbook dynamic
 * program: t[i][j] is the length for the prefixes a[0..i) and b[0..j).
 * The walk back from the end goes to the larger neighbour (up on a tie
 * going left), which fixes which subsequence and which runs Redis 7.0
 * reports; runs come out last first.
 */
static void
cmd_lcs_compute(struct client *cl, const char *a, uint32_t alen,
    const char *b, uint32_t blen, int idx, int getlen, long long minlen,
    int withlen)
{
	uint32_t		*t, i, j, n, w = blen + 1;
	unsigned long long	 cells = (unsigned long long)(alen + 1) * w;
	struct lcs_range	 r;
	char			*out = NULL;
	long			 handle = -1, nmatches = 0;
	int			 emit;

	if (cells * sizeof(*t) > (unsigned long long)
	    cl->cl_parser.rp_max_bulk_len) {
		reply_error(&cl->cl_reply, "Insufficient memory, transient "
		    "memory for LCS exceeds proto-max-bulk-len");
		return;
	}
	if ((t = malloc(cells * sizeof(*t))) == NULL) {
		reply_error(&cl->cl_reply, "Insufficient memory, failed "
		    "allocating transient memory for LCS");
		return;
	}
	for (i = 0; i <= alen; i++)
		for (j = 0; j <= blen; j++) {
			if (i == 0 || j == 0)
				t[i * w + j] = 0;
			else if (a[i - 1] == b[j - 1])
				t[i * w + j] = t[(i - 1) * w + j - 1] + 1;
			else
				t[i * w + j] = t[(i - 1) * w + j] >
				    t[i * w + j - 1] ? t[(i - 1) * w + j] :
				    t[i * w + j - 1];
		}
	n = t[alen * w + blen];
	if (getlen && !idx) {
		reply_int(&cl->cl_reply, n);
		free(t);
		return;
	}
	if (!idx && (out = malloc(n + 1)) == NULL) {
		free(t);
		reply_error(&cl->cl_reply, CMD_ERR_OOM);
		return;
	}
	if (idx) {
		reply_map_len(&cl->cl_reply, 2);
		reply_bulk_cstr(&cl->cl_reply, "matches");
		handle = reply_deferred_len(&cl->cl_reply);
	}
	memset(&r, 0, sizeof(r));
	for (i = alen, j = blen; i > 0 && j > 0; ) {
		emit = 0;
		if (a[i - 1] == b[j - 1]) {
			if (out != NULL)
				out[t[i * w + j] - 1] = a[i - 1];
			if (r.lr_open && r.lr_a0 == i && r.lr_b0 == j) {
				r.lr_a0--;
				r.lr_b0--;
			} else if (!r.lr_open) {
				r.lr_open = 1;
				r.lr_a0 = r.lr_a1 = i - 1;
				r.lr_b0 = r.lr_b1 = j - 1;
			}
			if (r.lr_a0 == 0 || r.lr_b0 == 0)
				emit = 1;
			i--;
			j--;
		} else {
			if (t[(i - 1) * w + j] > t[i * w + j - 1])
				i--;
			else
				j--;
			emit = r.lr_open;
		}
		if (emit) {
			if (idx)
				cmd_lcs_emit(cl, &r, minlen, withlen,
				    &nmatches);
			r.lr_open = 0;
		}
	}
	if (idx) {
		reply_bulk_cstr(&cl->cl_reply, "len");
		reply_int(&cl->cl_reply, n);
		reply_set_deferred_array(&cl->cl_reply, handle, nmatches);
	} else
		reply_bulk(&cl->cl_reply, out, n);
	free(out);
	free(t);
}

/*
 * Copy a string key's value into private memory (an empty string for a
 * missing key).  0, or -1 when the key holds another type.
 */
static int
cmd_lcs_copy(struct client *cl, struct ks_multi *m, size_t i,
    char **out, size_t *len)
{
	const struct entry	*e;
	const char		*v = "";

	*len = 0;
	e = keyspace_find_locked(cl->cl_ks, m->km_sts[i], &m->km_keys[i],
	    command_now_ms());
	command_count_lookup(cl, e != NULL);
	if (e != NULL && OBJ_TYPE(e->e_type) != OBJ_STRING)
		return (-1);
	if (e != NULL)
		v = entry_value(e, len);
	if ((*out = malloc(*len + 1)) != NULL)
		memcpy(*out, v, *len);
	return (0);
}

/*
 * LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN], after Redis
 * 7.0's lcsCommand(): the values are copied out under both stripe locks,
 * and the work is done after they are released.
 */
static void
cmd_lcs(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	struct keyspace	*ks = cl->cl_ks;
	struct ks_multi	 m;
	char		*a = NULL, *b = NULL;
	size_t		 alen, blen;
	long long	 minlen = 0;
	int		 j, idx = 0, getlen = 0, withlen = 0, bad;

	if (keyspace_multi_lock_names(ks, &m, cl->cl_db, argv + 1,
	    argvlen + 1, 2, 1) == -1) {
		reply_error(&cl->cl_reply, CMD_ERR_OOM);
		return;
	}
	bad = cmd_lcs_copy(cl, &m, 0, &a, &alen) == -1 ||
	    cmd_lcs_copy(cl, &m, 1, &b, &blen) == -1;
	keyspace_multi_unlock(ks, &m);
	keyspace_multi_free(&m);
	if (bad) {
		reply_error(&cl->cl_reply,
		    "The specified keys must contain string values");
		goto out;
	}
	if (a == NULL || b == NULL) {
		reply_error(&cl->cl_reply, CMD_ERR_OOM);
		goto out;
	}
	for (j = 3; j < argc; j++) {
		if (command_arg_is(argv[j], argvlen[j], "idx"))
			idx = 1;
		else if (command_arg_is(argv[j], argvlen[j], "len"))
			getlen = 1;
		else if (command_arg_is(argv[j], argvlen[j], "withmatchlen"))
			withlen = 1;
		else if (command_arg_is(argv[j], argvlen[j], "minmatchlen") &&
		    j + 1 < argc) {
			if (command_parse_ll(argv[j + 1], argvlen[j + 1],
			    &minlen) == -1) {
				reply_error(&cl->cl_reply, CMD_ERR_NOT_INT);
				goto out;
			}
			if (minlen < 0)
				minlen = 0;
			j++;
		} else {
			reply_error(&cl->cl_reply, CMD_ERR_SYNTAX);
			goto out;
		}
	}
	if (idx && getlen) {
		reply_error(&cl->cl_reply, "If you want both the length and "
		    "indexes, please just use IDX.");
		goto out;
	}
	if (alen >= UINT32_MAX - 1 || blen >= UINT32_MAX - 1) {
		reply_error(&cl->cl_reply, "String too long for LCS");
		goto out;
	}
	cmd_lcs_compute(cl, a, (uint32_t)alen, b, (uint32_t)blen, idx, getlen,
	    minlen, withlen);
out:
	free(a);
	free(b);
}

/*
 * MSET and MSETNX: atomic across keys.  Every stripe involved is locked
 * once, in ascending address order, before the first read or put, and
 * released after the last, so no client sees some keys set and others
 * not; and the puts are one transaction of the keyspace's
 * (keyspace_multi_begin()), so a process killed anywhere in them leaves
 * all the keys set or none, and a put that fails for want of memory
 * undoes the others (the reply -OOM means nothing changed).
 */
static void
cmd_mset_generic(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen, int nx)
{
	struct keyspace		*ks = cl->cl_ks;
	struct ks_multi		 m;
	int			 n, i, rc = 0, exists = 0;
	int64_t			 now = command_now_ms();

	if (argc % 2 == 0) {
		command_reply_arity(cl, nx ? "msetnx" : "mset");
		return;
	}
	n = (argc - 1) / 2;
	if (keyspace_multi_lock_names(ks, &m, cl->cl_db, argv + 1,
	    argvlen + 1, (size_t)n, 2) == -1) {
		reply_error(&cl->cl_reply, CMD_ERR_OOM);
		return;
	}
	if (nx) {
		for (i = 0; i < n && !exists; i++)
			if (keyspace_find_locked(ks, m.km_sts[i],
			    &m.km_keys[i], now) != NULL)
				exists = 1;
	}
	/* A put logs about six records; the keys share the stripes. */
	if (!exists)
		rc = keyspace_multi_begin(ks, &m,
		    8 * ((size_t)n / m.km_nheld + 1));
	for (i = 0; i < n && !exists && rc == 0; i++)
		rc = keyspace_put_locked(ks, m.km_sts[i], &m.km_keys[i],
		    OBJ_STRING, argv[2 + 2 * i], argvlen[2 + 2 * i],
		    KEYSPACE_NO_EXPIRE);
	if (rc == -1)
		keyspace_multi_abort(ks, &m);
	else
		keyspace_multi_commit(ks, &m);
	keyspace_multi_unlock(ks, &m);
	if (rc == -1)
		reply_error(&cl->cl_reply, CMD_ERR_OOM);
	else if (nx)
		reply_int(&cl->cl_reply, !exists);
	else
		reply_status(&cl->cl_reply, "OK");
	keyspace_multi_free(&m);
}

static void
cmd_mset(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	cmd_mset_generic(cl, argc, argv, argvlen, 0);
}

static void
cmd_msetnx(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	cmd_mset_generic(cl, argc, argv, argvlen, 1);
}

static const struct command cmd_string_commands[] = {
	{ "get",	2,	CMD_READONLY | CMD_FAST, 1, 1, 1, cmd_get },
	{ "set",	-3,	CMD_WRITE | CMD_DENYOOM, 1, 1, 1, cmd_set },
	{ "incr",	2,	CMD_WRITE | CMD_DENYOOM | CMD_FAST, 1, 1, 1,
	    cmd_incr },
	{ "decr",	2,	CMD_WRITE | CMD_DENYOOM | CMD_FAST, 1, 1, 1,
	    cmd_decr },
	{ "incrby",	3,	CMD_WRITE | CMD_DENYOOM | CMD_FAST, 1, 1, 1,
	    cmd_incrby },
	{ "decrby",	3,	CMD_WRITE | CMD_DENYOOM | CMD_FAST, 1, 1, 1,
	    cmd_decrby },
	{ "incrbyfloat", 3,	CMD_WRITE | CMD_DENYOOM | CMD_FAST, 1, 1, 1,
	    cmd_incrbyfloat },
	{ "append",	3,	CMD_WRITE | CMD_DENYOOM, 1, 1, 1, cmd_append },
	{ "strlen",	2,	CMD_READONLY | CMD_FAST, 1, 1, 1, cmd_strlen },
	{ "getset",	3,	CMD_WRITE | CMD_DENYOOM | CMD_FAST, 1, 1, 1,
	    cmd_getset },
	{ "getdel",	2,	CMD_WRITE | CMD_FAST, 1, 1, 1, cmd_getdel },
	{ "setnx",	3,	CMD_WRITE | CMD_DENYOOM | CMD_FAST, 1, 1, 1,
	    cmd_setnx },
	{ "setex",	4,	CMD_WRITE | CMD_DENYOOM, 1, 1, 1, cmd_setex },
	{ "psetex",	4,	CMD_WRITE | CMD_DENYOOM, 1, 1, 1, cmd_psetex },
	{ "mget",	-2,	CMD_READONLY | CMD_FAST, 1, -1, 1, cmd_mget },
	{ "getrange",	4,	CMD_READONLY, 1, 1, 1, cmd_getrange },
	{ "setrange",	4,	CMD_WRITE | CMD_DENYOOM, 1, 1, 1,
	    cmd_setrange },
	{ "getex",	-2,	CMD_WRITE | CMD_FAST, 1, 1, 1, cmd_getex },
	{ "lcs",	-3,	CMD_READONLY,		1, 2, 1, cmd_lcs },
	{ "mset",	-3,	CMD_WRITE | CMD_DENYOOM, 1, -1, 2, cmd_mset },
	{ "msetnx",	-3,	CMD_WRITE | CMD_DENYOOM, 1, -1, 2, cmd_msetnx },
};

const struct command_family cmd_string_family = {
	cmd_string_commands, nitems(cmd_string_commands)
};
