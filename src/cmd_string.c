/*
 * cmd_string.c: the string commands (GET, SET, the counters, APPEND,
 * STRLEN, GETSET, GETDEL, the SET variants, GETRANGE, SETRANGE, MGET,
 * MSET and MSETNX).  The generic key
 * commands (DEL, EXISTS, the expiry commands, ...) are in cmd_keys.c.
 *
 * Run by workers.  Each command takes the stripe lock of one key at a time
 * through keyspace_lock() (and, inside keyspace_put_locked(), the slab
 * locks after it), and releases it before it returns; MSET and MSETNX
 * alone hold several stripes at once, taken in address order.  Replies are built
 * while the lock is held only from bytes that are copied at once into the
 * client's private reply buffer.
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
#define SET_ANY_EXPIRE	(SET_EX | SET_PX | SET_EXAT | SET_PXAT)

/*
 * Lock the stripe of a key and find its live entry.  0 with the stripe
 * locked and *ep the entry (or NULL when the key is missing); -1, with the
 * stripe unlocked and WRONGTYPE answered, when the key is not a string.
 */
static int
cmd_string_find(struct client *cl, struct ks_key *k, const char *key,
    size_t klen, struct ks_stripe **stp, const struct entry **ep)
{
	struct keyspace	*ks = cl->cl_ks;

	keyspace_key(ks, k, key, klen);
	*stp = keyspace_lock(ks, cl->cl_db, k);
	*ep = keyspace_find_locked(ks, *stp, k, command_now_ms());
	if (*ep != NULL && (*ep)->e_type != OBJ_STRING) {
		keyspace_unlock(ks, *stp);
		reply_error(&cl->cl_reply, CMD_ERR_WRONGTYPE);
		return (-1);
	}
	return (0);
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
	if (cmd_string_find(cl, &k, argv[1], argvlen[1], &st, &e) == -1)
		return;
	cmd_reply_value(cl, e);
	keyspace_unlock(ks, st);
}

/*
 * Parse SET's options as Redis 7.0's parseExtendedStringArgumentsOrReply()
 * does, and the expiry as getExpireMillisecondsOrReply() does.  0, or -1
 * after an error reply.
 */
static int
cmd_set_options(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen, int *flagsp, int64_t *expirep)
{
	const char	*opt, *expire = NULL;
	size_t		 olen, elen = 0;
	long long	 ms;
	int		 flags = 0, j, unit_seconds = 0;
	int		 next;

	for (j = 3; j < argc; j++) {
		opt = argv[j];
		olen = argvlen[j];
		next = j < argc - 1;
		if (command_arg_is(opt, olen, "nx") && !(flags & SET_XX))
			flags |= SET_NX;
		else if (command_arg_is(opt, olen, "xx") && !(flags & SET_NX))
			flags |= SET_XX;
		else if (command_arg_is(opt, olen, "get"))
			flags |= SET_GET;
		else if (command_arg_is(opt, olen, "keepttl") &&
		    !(flags & SET_ANY_EXPIRE))
			flags |= SET_KEEPTTL;
		else if (command_arg_is(opt, olen, "ex") && next &&
		    !(flags & (SET_KEEPTTL | SET_PX | SET_EXAT | SET_PXAT))) {
			flags |= SET_EX;
			expire = argv[++j];
			elen = argvlen[j];
		} else if (command_arg_is(opt, olen, "px") && next &&
		    !(flags & (SET_KEEPTTL | SET_EX | SET_EXAT | SET_PXAT))) {
			flags |= SET_PX;
			expire = argv[++j];
			elen = argvlen[j];
		} else if (command_arg_is(opt, olen, "exat") && next &&
		    !(flags & (SET_KEEPTTL | SET_EX | SET_PX | SET_PXAT))) {
			flags |= SET_EXAT;
			expire = argv[++j];
			elen = argvlen[j];
		} else if (command_arg_is(opt, olen, "pxat") && next &&
		    !(flags & (SET_KEEPTTL | SET_EX | SET_PX | SET_EXAT))) {
			flags |= SET_PXAT;
			expire = argv[++j];
			elen = argvlen[j];
		} else {
			reply_error(&cl->cl_reply, CMD_ERR_SYNTAX);
			return (-1);
		}
	}
	*flagsp = flags;
	*expirep = KEYSPACE_NO_EXPIRE;
	if (expire == NULL)
		return (0);

	if (command_parse_ll(expire, elen, &ms) == -1) {
		reply_error(&cl->cl_reply, CMD_ERR_NOT_INT);
		return (-1);
	}
	unit_seconds = (flags & (SET_EX | SET_EXAT)) != 0;
	if (ms <= 0 || (unit_seconds && ms > LLONG_MAX / 1000))
		goto invalid;
	if (unit_seconds)
		ms *= 1000;
	if (flags & (SET_EX | SET_PX)) {
		if (ms > LLONG_MAX - command_now_ms())
			goto invalid;
		ms += command_now_ms();
	}
	*expirep = ms;
	return (0);
invalid:
	reply_error(&cl->cl_reply, "invalid expire time in 'set' command");
	return (-1);
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
	int			 flags, had_old = 0;

	if (cmd_set_options(cl, argc, argv, argvlen, &flags, &expire) == -1)
		return;

	keyspace_key(ks, &k, argv[1], argvlen[1]);
	st = keyspace_lock(ks, cl->cl_db, &k);
	e = keyspace_find_locked(ks, st, &k, command_now_ms());
	if ((flags & SET_GET) && e != NULL) {
		if (e->e_type != OBJ_STRING) {
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
 * Parse a relative expiry in seconds or milliseconds as Redis 7.0's
 * getExpireMillisecondsOrReply() does, for SETEX and PSETEX: the absolute
 * time in *expirep, 0; or -1 after an error reply naming the command.
 */
static int
cmd_string_expire(struct client *cl, const char *name, const char *arg,
    size_t len, int unit_seconds, int64_t *expirep)
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
	if (ms > LLONG_MAX - command_now_ms())
		goto invalid;
	*expirep = ms + command_now_ms();
	return (0);
invalid:
	reply_errorf(&cl->cl_reply, "invalid expire time in '%s' command",
	    name);
	return (-1);
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

	keyspace_key(ks, &k, key, klen);
	st = keyspace_lock(ks, cl->cl_db, &k);
	e = keyspace_find_locked(ks, st, &k, command_now_ms());
	if (e != NULL) {
		if (e->e_type != OBJ_STRING) {
			keyspace_unlock(ks, st);
			reply_error(&cl->cl_reply, CMD_ERR_WRONGTYPE);
			return;
		}
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
	n = snprintf(buf, sizeof(buf), "%lld", value);
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
static int
cmd_parse_ld(const char *s, size_t len, long double *out)
{
	char		 buf[5 * 1024];	/* MAX_LONG_DOUBLE_CHARS */
	char		*end;
	long double	 v;

	if (len == 0 || len >= sizeof(buf))
		return (-1);
	memcpy(buf, s, len);
	buf[len] = '\0';
	errno = 0;
	v = strtold(buf, &end);
	if (isspace((unsigned char)buf[0]) || *end != '\0' ||
	    (size_t)(end - buf) != len ||
	    (errno == ERANGE && (v == HUGE_VALL || v == -HUGE_VALL ||
	    fpclassify(v) == FP_ZERO)) || errno == EINVAL || isnan(v))
		return (-1);
	*out = v;
	return (0);
}

static void
cmd_incrbyfloat(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	struct keyspace		*ks = cl->cl_ks;
	struct ks_stripe	*st;
	struct ks_key		 k;
	const struct entry	*e;
	const char		*v;
	char			 buf[5 * 1024], *p;
	size_t			 vlen;
	long double		 value = 0, incr;
	int64_t			 expire = KEYSPACE_NO_EXPIRE;
	int			 n;

	(void)argc;
	if (cmd_string_find(cl, &k, argv[1], argvlen[1], &st, &e) == -1)
		return;
	if (e != NULL) {
		v = entry_value(e, &vlen);
		expire = entry_expire(e);
		if (cmd_parse_ld(v, vlen, &value) == -1)
			goto notfloat;
	}
	if (cmd_parse_ld(argv[2], argvlen[2], &incr) == -1)
		goto notfloat;
	value += incr;
	if (isnan(value) || isinf(value)) {
		keyspace_unlock(ks, st);
		reply_error(&cl->cl_reply,
		    "increment would produce NaN or Infinity");
		return;
	}
	n = snprintf(buf, sizeof(buf), "%.17Lf", value);
	if (n < 0 || (size_t)n >= sizeof(buf)) {
		keyspace_unlock(ks, st);
		reply_error(&cl->cl_reply, "value is not a valid float");
		return;
	}
	if (strchr(buf, '.') != NULL) {
		p = buf + n - 1;
		while (*p == '0') {
			p--;
			n--;
		}
		if (*p == '.')
			n--;
	}
	if (n == 2 && buf[0] == '-' && buf[1] == '0') {
		buf[0] = '0';
		n = 1;
	}
	if (keyspace_put_locked(ks, st, &k, OBJ_STRING, buf, (size_t)n,
	    expire) == -1) {
		keyspace_unlock(ks, st);
		reply_error(&cl->cl_reply, CMD_ERR_OOM);
		return;
	}
	keyspace_unlock(ks, st);
	reply_bulk(&cl->cl_reply, buf, (size_t)n);
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
	keyspace_key(ks, &k, argv[1], argvlen[1]);
	st = keyspace_lock(ks, cl->cl_db, &k);
	e = keyspace_find_locked(ks, st, &k, command_now_ms());
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
	if (e->e_type != OBJ_STRING) {
		keyspace_unlock(ks, st);
		reply_error(&cl->cl_reply, CMD_ERR_WRONGTYPE);
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
	rc = keyspace_put_locked(ks, st, &k, OBJ_STRING, nv,
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
	if (cmd_string_find(cl, &k, argv[1], argvlen[1], &st, &e) == -1)
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

	keyspace_key(ks, &k, key, klen);
	st = keyspace_lock(ks, cl->cl_db, &k);
	e = keyspace_find_locked(ks, st, &k, command_now_ms());
	if (e != NULL) {
		if (e->e_type != OBJ_STRING) {
			keyspace_unlock(ks, st);
			reply_error(&cl->cl_reply, CMD_ERR_WRONGTYPE);
			return;
		}
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

	if (cmd_string_expire(cl, name, argv[2], argvlen[2], unit_seconds,
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

/* MGET: one key, and one lock, at a time. */
static void
cmd_mget(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	int	 j;

	reply_array_len(&cl->cl_reply, argc - 1);
	for (j = 1; j < argc; j++) {
		struct keyspace		*ks = cl->cl_ks;
		struct ks_stripe	*st;
		struct ks_key		 k;
		const struct entry	*e;

		keyspace_key(ks, &k, argv[j], argvlen[j]);
		st = keyspace_lock(ks, cl->cl_db, &k);
		e = keyspace_find_locked(ks, st, &k, command_now_ms());
		/* MGET answers null for a key of another type. */
		cmd_reply_value(cl, e != NULL && e->e_type == OBJ_STRING ?
		    e : NULL);
		keyspace_unlock(ks, st);
	}
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
	keyspace_key(ks, &k, argv[1], argvlen[1]);
	st = keyspace_lock(ks, cl->cl_db, &k);
	e = keyspace_find_locked(ks, st, &k, command_now_ms());
	if (e == NULL) {
		keyspace_unlock(ks, st);
		reply_bulk(&cl->cl_reply, "", 0);
		return;
	}
	if (e->e_type != OBJ_STRING) {
		keyspace_unlock(ks, st);
		reply_error(&cl->cl_reply, CMD_ERR_WRONGTYPE);
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
	if (cmd_string_find(cl, &k, argv[1], argvlen[1], &st, &e) == -1)
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
	rc = keyspace_put_locked(ks, st, &k, OBJ_STRING, nv, nlen, expire);
	keyspace_unlock(ks, st);
	free(nv);
	if (rc == -1)
		reply_error(&cl->cl_reply, CMD_ERR_OOM);
	else
		reply_int(&cl->cl_reply, (long long)nlen);
}

static int
cmd_stripe_cmp(const void *a, const void *b)
{
	uintptr_t	 x = (uintptr_t)*(struct ks_stripe *const *)a;
	uintptr_t	 y = (uintptr_t)*(struct ks_stripe *const *)b;

	return (x < y ? -1 : x > y);
}

/*
 * MSET and MSETNX: atomic across keys.  Every stripe involved is locked
 * once, in ascending address order, before the first read or put, and
 * released after the last.
 *
 * Limitation: the arena's free space cannot be reserved in advance, so a
 * put that fails with ENOMEM part way leaves the keys before it set and
 * those after it unchanged; the reply is then -OOM.
 */
static void
cmd_mset_generic(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen, int nx)
{
	struct keyspace		 *ks = cl->cl_ks;
	struct ks_key		 *keys;
	struct ks_stripe	**sts, **order;
	int			  n, i, j, nlocked = 0, rc = 0, exists = 0;

	if (argc % 2 == 0) {
		command_reply_arity(cl, nx ? "msetnx" : "mset");
		return;
	}
	n = (argc - 1) / 2;
	keys = calloc(n, sizeof(*keys));
	sts = calloc(n, sizeof(*sts));
	order = calloc(n, sizeof(*order));
	if (keys == NULL || sts == NULL || order == NULL) {
		reply_error(&cl->cl_reply, CMD_ERR_OOM);
		goto out;
	}
	for (i = 0; i < n; i++) {
		keyspace_key(ks, &keys[i], argv[1 + 2 * i], argvlen[1 + 2 * i]);
		sts[i] = keyspace_stripe(ks, cl->cl_db, &keys[i]);
		order[i] = sts[i];
	}
	qsort(order, n, sizeof(*order), cmd_stripe_cmp);
	for (i = 0; i < n; i++) {
		if (i > 0 && order[i] == order[nlocked - 1])
			continue;
		order[nlocked++] = order[i];
		keyspace_lock_stripe(ks, order[i]);
	}
	if (nx) {
		for (i = 0; i < n && !exists; i++)
			if (keyspace_find_locked(ks, sts[i], &keys[i],
			    command_now_ms()) != NULL)
				exists = 1;
	}
	for (i = 0; i < n && !exists && rc == 0; i++)
		rc = keyspace_put_locked(ks, sts[i], &keys[i], OBJ_STRING,
		    argv[2 + 2 * i], argvlen[2 + 2 * i], KEYSPACE_NO_EXPIRE);
	for (j = nlocked - 1; j >= 0; j--)
		keyspace_unlock(ks, order[j]);
	if (rc == -1)
		reply_error(&cl->cl_reply, CMD_ERR_OOM);
	else if (nx)
		reply_int(&cl->cl_reply, !exists);
	else
		reply_status(&cl->cl_reply, "OK");
out:
	free(keys);
	free(sts);
	free(order);
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
	{ "mset",	-3,	CMD_WRITE | CMD_DENYOOM, 1, -1, 2, cmd_mset },
	{ "msetnx",	-3,	CMD_WRITE | CMD_DENYOOM, 1, -1, 2, cmd_msetnx },
};

const struct command_family cmd_string_family = {
	cmd_string_commands, nitems(cmd_string_commands)
};
