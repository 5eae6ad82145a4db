/*
 * cmd_dump.c: DUMP and RESTORE, which move a value between servers as a
 * payload in Redis 7.0's format (rdb.h), with Redis 7.0's options,
 * replies and errors.
 *
 * Run by workers.  DUMP serializes the value with the key's stripe lock
 * held, into private memory, and replies after unlocking.  RESTORE
 * decodes and checks the payload before it takes the lock (the payload
 * is private), then, under the key's stripe lock, decides as Redis
 * decides and builds the value through its type's hook: one change, so a
 * process killed in it leaves the old value or the new one.
 */
#include <errno.h>
#include <stdint.h>

#include "hydra/blocking.h"
#include "hydra/client.h"
#include "hydra/command.h"
#include "hydra/compat.h"
#include "hydra/keyspace.h"
#include "hydra/rdb.h"
#include "hydra/reply.h"

#include "command_internal.h"

#define CMD_ERR_BUSYKEY		"-BUSYKEY Target key name already exists."

static void
cmd_dump(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	struct keyspace		*ks = cl->cl_ks;
	struct ks_stripe	*st;
	struct ks_key		 k;
	const struct entry	*e;
	struct rdb_out		 o;
	int			 rv = 0;

	(void)argc;
	keyspace_key(ks, &k, argv[1], argvlen[1]);
	st = keyspace_lock(ks, cl->cl_db, &k);
	e = keyspace_find_locked(ks, st, &k, command_now_ms());
	command_count_lookup(cl, e != NULL);
	if (e == NULL) {
		keyspace_unlock(ks, st);
		reply_null(&cl->cl_reply);
		return;
	}
	rdb_out_init(&o);
	rv = rdb_save_value(&o, ks->ks_arena, e);
	keyspace_unlock(ks, st);
	if (rv == 0)
		rdb_payload_finish(&o);
	if (rv == -1 && errno == ENOTSUP)
		reply_error(&cl->cl_reply, "DUMP of this type of value is not "
		    "supported yet");
	else if (rv == -1 || o.ro_failed)
		reply_error(&cl->cl_reply, CMD_ERR_OOM);
	else
		reply_bulk(&cl->cl_reply, (const char *)o.ro_buf, o.ro_len);
	rdb_out_free(&o);
}

/* RESTORE's options, as Redis 7.0 reads them. */
struct cmd_restore_opts {
	int		 ro_replace;
	int		 ro_absttl;
	long long	 ro_idle;	/* -1: not given */
	long long	 ro_freq;	/* -1: not given */
};

/*
 * REPLACE, ABSTTL, IDLETIME seconds, FREQ frequency (IDLETIME and FREQ
 * exclude each other: the second one is a syntax error).  0, or -1 after
 * the error reply.
 */
static int
cmd_restore_options(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen, struct cmd_restore_opts *ro)
{
	int	 j, more;

	ro->ro_replace = ro->ro_absttl = 0;
	ro->ro_idle = ro->ro_freq = -1;
	for (j = 4; j < argc; j++) {
		more = argc - j - 1;
		if (command_arg_is(argv[j], argvlen[j], "replace"))
			ro->ro_replace = 1;
		else if (command_arg_is(argv[j], argvlen[j], "absttl"))
			ro->ro_absttl = 1;
		else if (command_arg_is(argv[j], argvlen[j], "idletime") &&
		    more >= 1 && ro->ro_freq == -1) {
			if (command_parse_ll(argv[j + 1], argvlen[j + 1],
			    &ro->ro_idle) == -1) {
				reply_error(&cl->cl_reply, CMD_ERR_NOT_INT);
				return (-1);
			}
			if (ro->ro_idle < 0) {
				reply_error(&cl->cl_reply,
				    "Invalid IDLETIME value, must be >= 0");
				return (-1);
			}
			j++;
		} else if (command_arg_is(argv[j], argvlen[j], "freq") &&
		    more >= 1 && ro->ro_idle == -1) {
			if (command_parse_ll(argv[j + 1], argvlen[j + 1],
			    &ro->ro_freq) == -1) {
				reply_error(&cl->cl_reply, CMD_ERR_NOT_INT);
				return (-1);
			}
			if (ro->ro_freq < 0 || ro->ro_freq > 255) {
				reply_error(&cl->cl_reply, "Invalid FREQ "
				    "value, must be >= 0 and <= 255");
				return (-1);
			}
			j++;
		} else {
			reply_error(&cl->cl_reply, CMD_ERR_SYNTAX);
			return (-1);
		}
	}
	return (0);
}

/* The error reply for a payload that rdb_payload_decode() refused. */
static const char *
cmd_restore_decode_error(int err)
{
	switch (err) {
	case EBADMSG:
		return ("DUMP payload version or checksum are wrong");
	case ENOTSUP:
		return ("RESTORE of this type of value is not supported yet");
	case ENOMEM:
		return (CMD_ERR_OOM);
	default:
		return ("Bad data format");
	}
}

/*
 * RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds]
 * [FREQ frequency], after Redis 7.0's restoreCommand(): the options are
 * checked first, then whether the key exists, then the TTL, then the
 * payload.  A TTL of 0 is none; a relative one is added to the time the
 * command started (wrapping as Redis's does on overflow); an expiry that
 * is not in the future creates nothing (and with REPLACE deletes the old
 * key), but answers OK.
 */
static void
cmd_restore(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	struct keyspace		*ks = cl->cl_ks;
	struct cmd_restore_opts	 ro;
	struct ks_stripe	*st;
	struct ks_key		 k;
	const struct entry	*e;
	struct rdb_value	 v;
	const char		*ttl_err = NULL, *err = NULL;
	long long		 ttl;
	int64_t			 now, when;
	int			 dec_err = 0;

	if (cmd_restore_options(cl, argc, argv, argvlen, &ro) == -1)
		return;
	if (command_parse_ll(argv[2], argvlen[2], &ttl) == -1)
		ttl_err = CMD_ERR_NOT_INT;
	else if (ttl < 0)
		ttl_err = "Invalid TTL value, must be >= 0";
	rdb_value_init(&v);
	if (ttl_err == NULL &&
	    rdb_payload_decode(argv[3], argvlen[3], &v) == -1)
		dec_err = errno;

	now = command_now_ms();
	keyspace_key(ks, &k, argv[1], argvlen[1]);
	st = keyspace_lock(ks, cl->cl_db, &k);
	e = keyspace_find_locked(ks, st, &k, now);
	if (!ro.ro_replace && e != NULL)
		err = CMD_ERR_BUSYKEY;
	else if (ttl_err != NULL)
		err = ttl_err;
	else if (dec_err != 0)
		err = cmd_restore_decode_error(dec_err);
	else {
		when = ttl;
		if (ttl != 0 && !ro.ro_absttl)
			when = (int64_t)((uint64_t)ttl + (uint64_t)now);
		if (ttl != 0 && when <= now) {
			if (e != NULL)
				(void)keyspace_delete_locked(ks, st, &k);
		} else if (rdb_load_value(ks, st, &k, &v, ttl != 0 ? when :
		    KEYSPACE_NO_EXPIRE) == -1)
			err = cmd_restore_decode_error(errno == ENOTSUP ?
			    ENOTSUP : ENOMEM);
		else {
			keyspace_set_clock_locked(ks, st, &k, ro.ro_idle,
			    (int)ro.ro_freq);
			/* A list or a sorted set may serve its waiters. */
			(void)blocking_serve_locked(ks, st, cl->cl_db, &k);
		}
	}
	keyspace_unlock(ks, st);
	rdb_value_free(&v);
	if (err != NULL)
		reply_error(&cl->cl_reply, err);
	else
		reply_status(&cl->cl_reply, "OK");
}

static const struct command cmd_dump_commands[] = {
	{ "dump",	2,	CMD_READONLY,		1, 1, 1, cmd_dump },
	{ "restore",	-4,	CMD_WRITE | CMD_DENYOOM, 1, 1, 1, cmd_restore },
};

const struct command_family cmd_dump_family = {
	cmd_dump_commands, nitems(cmd_dump_commands)
};
