/*
 * cmd_string.c: the string commands (GET, SET).  The generic key
 * commands (DEL, EXISTS, the expiry commands, ...) are in cmd_keys.c.
 *
 * Run by workers.  Each command takes the stripe lock of one key at a time
 * through keyspace_lock() (and, inside keyspace_put_locked(), the slab
 * locks after it), and releases it before it returns.  Replies are built
 * while the lock is held only from bytes that are copied at once into the
 * client's private reply buffer.
 *
 * Expiry times are absolute milliseconds on the realtime clock, as Redis
 * keeps them.
 */
#include <errno.h>
#include <limits.h>
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

static void
cmd_get(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	struct keyspace		*ks = cl->cl_ks;
	struct ks_stripe	*st;
	struct ks_key		 k;
	const struct entry	*e;
	const char		*v;
	size_t			 vlen;

	(void)argc;
	keyspace_key(ks, &k, argv[1], argvlen[1]);
	st = keyspace_lock(ks, cl->cl_db, &k);
	e = keyspace_find_locked(ks, st, &k, command_now_ms());
	if (e == NULL)
		reply_null(&cl->cl_reply);
	else if (e->e_type != OBJ_STRING)
		reply_error(&cl->cl_reply, CMD_ERR_WRONGTYPE);
	else {
		v = entry_value(e, &vlen);
		reply_bulk(&cl->cl_reply, v, vlen);
	}
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

static const struct command cmd_string_commands[] = {
	{ "get",	2,	CMD_READONLY | CMD_FAST, 1, 1, 1, cmd_get },
	{ "set",	-3,	CMD_WRITE | CMD_DENYOOM, 1, 1, 1, cmd_set },
};

const struct command_family cmd_string_family = {
	cmd_string_commands, nitems(cmd_string_commands)
};
