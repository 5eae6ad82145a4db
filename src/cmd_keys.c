/*
 * cmd_keys.c: the generic key commands: DEL, UNLINK, EXISTS, TYPE, the
 * expiry commands (EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT, PERSIST, TTL,
 * PTTL, EXPIRETIME, PEXPIRETIME) and the commands that walk or empty a
 * whole database (DBSIZE, RANDOMKEY, KEYS, SCAN, FLUSHDB, FLUSHALL).
 *
 * Run by workers.  A command on named keys takes the stripe lock of one
 * key at a time through keyspace_lock() and releases it before the next;
 * a walk goes through keyspace_scan() and keyspace_random(), which lock
 * one stripe per step and call back with it held.  Those callbacks only
 * copy the key into a private buffer (and test it against a pattern):
 * they never call back into the keyspace, and the reply is written after
 * the lock is gone.
 *
 * Replies and errors are Redis 7.0's.  Expiry times are absolute
 * milliseconds on the realtime clock; a time that is not in the future
 * deletes the key, as Redis's expireGenericCommand() does on a master.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hydra/client.h"
#include "hydra/command.h"
#include "hydra/compat.h"
#include "hydra/glob.h"
#include "hydra/keyspace.h"
#include "hydra/object.h"
#include "hydra/reply.h"

#include "command_internal.h"

#define EXPIRE_NX	0x01
#define EXPIRE_XX	0x02
#define EXPIRE_GT	0x04
#define EXPIRE_LT	0x08

#define SCAN_COUNT_DEFAULT	10
#define SCAN_CURSOR_MAX		32	/* digits of a cursor, and then some */

/*
 * Keys copied out of the keyspace while a stripe is locked, with the
 * filters a walk applies on the way.  Private to one command.
 */
struct keys_buf {
	char		*kb_data;	/* the keys, back to back */
	size_t		 kb_len;
	size_t		 kb_cap;
	size_t		*kb_off;	/* start of each key in kb_data */
	size_t		 kb_n;
	size_t		 kb_noff;
	size_t		 kb_visited;	/* keys seen, filtered or not */
	int		 kb_failed;	/* ENOMEM on the way */

	const char	*kb_pat;	/* NULL: every key */
	size_t		 kb_patlen;
	const char	*kb_type;	/* NULL: every type */
	size_t		 kb_typelen;
};

static const char *
keys_type_name(uint8_t type)
{
	switch (type) {
	case OBJ_STRING:
		return ("string");
	default:
		return ("none");
	}
}

/* The length of argv up to its first NUL, as Redis's C strings see it. */
static size_t
keys_cstrlen(const char *s, size_t len)
{
	const char	*nul;

	nul = memchr(s, '\0', len);
	return (nul == NULL ? len : (size_t)(nul - s));
}

/* Append one key; called with the stripe locked, so it only copies. */
static void
keys_buf_add(struct keys_buf *kb, const char *key, size_t klen)
{
	size_t	 ncap, *noff;
	char	*ndata;

	if (kb->kb_failed)
		return;
	if (kb->kb_n == kb->kb_noff) {
		ncap = kb->kb_noff == 0 ? 16 : kb->kb_noff * 2;
		if ((noff = reallocarray(kb->kb_off, ncap + 1,
		    sizeof(*noff))) == NULL) {
			kb->kb_failed = 1;
			return;
		}
		kb->kb_off = noff;
		kb->kb_noff = ncap;
	}
	if (kb->kb_cap - kb->kb_len < klen) {
		ncap = kb->kb_cap == 0 ? 256 : kb->kb_cap;
		while (ncap - kb->kb_len < klen)
			ncap *= 2;
		if ((ndata = realloc(kb->kb_data, ncap)) == NULL) {
			kb->kb_failed = 1;
			return;
		}
		kb->kb_data = ndata;
		kb->kb_cap = ncap;
	}
	if (klen > 0)
		memcpy(kb->kb_data + kb->kb_len, key, klen);
	kb->kb_off[kb->kb_n++] = kb->kb_len;
	kb->kb_len += klen;
	kb->kb_off[kb->kb_n] = kb->kb_len;
}

/* The keyspace_visit_fn of the walks: filter, then copy. */
static void
keys_visit(const struct entry *e, void *arg)
{
	struct keys_buf	*kb = arg;
	const char	*key, *tname;
	size_t		 klen;

	kb->kb_visited++;
	key = entry_key(e, &klen);
	if (kb->kb_pat != NULL &&
	    !glob_match(kb->kb_pat, kb->kb_patlen, key, klen, 0))
		return;
	if (kb->kb_type != NULL) {
		tname = keys_type_name(e->e_type);
		if (strlen(tname) != kb->kb_typelen ||
		    strncasecmp(tname, kb->kb_type, kb->kb_typelen) != 0)
			return;
	}
	keys_buf_add(kb, key, klen);
}

static void
keys_buf_free(struct keys_buf *kb)
{
	free(kb->kb_data);
	free(kb->kb_off);
}

/* Reply with the keys collected, as an array of bulks. */
static void
keys_buf_reply(struct client *cl, const struct keys_buf *kb)
{
	size_t	 i;

	reply_array_len(&cl->cl_reply, (long)kb->kb_n);
	for (i = 0; i < kb->kb_n; i++)
		reply_bulk(&cl->cl_reply, kb->kb_data + kb->kb_off[i],
		    kb->kb_off[i + 1] - kb->kb_off[i]);
}

/* Set the pattern filter; the lone "*" is no filter, as in Redis. */
static void
keys_buf_pattern(struct keys_buf *kb, const char *pat, size_t len)
{
	if (len == 1 && pat[0] == '*')
		return;
	kb->kb_pat = pat;
	kb->kb_patlen = len;
}

/* 1 when the key is live in the client's database; deletes it if `del'. */
static int
cmd_key_probe(struct client *cl, const char *key, size_t len, int del)
{
	struct keyspace		*ks = cl->cl_ks;
	struct ks_stripe	*st;
	struct ks_key		 k;
	int			 found;

	keyspace_key(ks, &k, key, len);
	st = keyspace_lock(ks, cl->cl_db, &k);
	found = keyspace_find_locked(ks, st, &k, command_now_ms()) != NULL;
	if (found && del)
		keyspace_delete_locked(ks, st, &k);
	keyspace_unlock(ks, st);
	return (found);
}

/* Reply with how many of the keys exist, deleting them when `del'. */
static void
cmd_count_keys(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen, int del)
{
	long long	 n = 0;
	int		 j;

	for (j = 1; j < argc; j++)
		n += cmd_key_probe(cl, argv[j], argvlen[j], del);
	reply_int(&cl->cl_reply, n);
}

/* DEL and UNLINK: hydra frees in place, so UNLINK is DEL. */
static void
cmd_del(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	cmd_count_keys(cl, argc, argv, argvlen, 1);
}

static void
cmd_exists(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	cmd_count_keys(cl, argc, argv, argvlen, 0);
}

static void
cmd_type(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	struct keyspace		*ks = cl->cl_ks;
	struct ks_stripe	*st;
	struct ks_key		 k;
	const struct entry	*e;
	const char		*name = "none";

	(void)argc;
	keyspace_key(ks, &k, argv[1], argvlen[1]);
	st = keyspace_lock(ks, cl->cl_db, &k);
	if ((e = keyspace_find_locked(ks, st, &k, command_now_ms())) != NULL)
		name = keys_type_name(e->e_type);
	keyspace_unlock(ks, st);
	reply_status(&cl->cl_reply, name);
}

/*
 * Parse the NX, XX, GT and LT options of the EXPIRE family, as Redis
 * 7.0's parseExtendedExpireArgumentsOrReply() does.  0, or -1 after an
 * error reply.
 */
static int
cmd_expire_options(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen, int *flagsp)
{
	int	 flags = 0, j;

	for (j = 3; j < argc; j++) {
		if (command_arg_is(argv[j], argvlen[j], "nx"))
			flags |= EXPIRE_NX;
		else if (command_arg_is(argv[j], argvlen[j], "xx"))
			flags |= EXPIRE_XX;
		else if (command_arg_is(argv[j], argvlen[j], "gt"))
			flags |= EXPIRE_GT;
		else if (command_arg_is(argv[j], argvlen[j], "lt"))
			flags |= EXPIRE_LT;
		else {
			reply_errorf(&cl->cl_reply, "Unsupported option %.*s",
			    (int)keys_cstrlen(argv[j], argvlen[j]), argv[j]);
			return (-1);
		}
	}
	if ((flags & EXPIRE_NX) &&
	    (flags & (EXPIRE_XX | EXPIRE_GT | EXPIRE_LT))) {
		reply_error(&cl->cl_reply, "NX and XX, GT or LT options at "
		    "the same time are not compatible");
		return (-1);
	}
	if ((flags & EXPIRE_GT) && (flags & EXPIRE_LT)) {
		reply_error(&cl->cl_reply,
		    "GT and LT options at the same time are not compatible");
		return (-1);
	}
	*flagsp = flags;
	return (0);
}

/*
 * The EXPIRE family, after Redis 7.0's expireGenericCommand(): `basetime'
 * is now for the relative forms and 0 for the absolute ones, `seconds'
 * says the unit of the argument.
 */
static void
cmd_expire_generic(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen, const char *name, int64_t basetime, int seconds)
{
	struct keyspace		*ks = cl->cl_ks;
	struct ks_stripe	*st;
	struct ks_key		 k;
	const struct entry	*e;
	long long		 when;
	int64_t			 now, cur;
	int			 flags, rv;

	if (cmd_expire_options(cl, argc, argv, argvlen, &flags) == -1)
		return;
	if (command_parse_ll(argv[2], argvlen[2], &when) == -1) {
		reply_error(&cl->cl_reply, CMD_ERR_NOT_INT);
		return;
	}
	if (seconds) {
		if (when > LLONG_MAX / 1000 || when < LLONG_MIN / 1000)
			goto invalid;
		when *= 1000;
	}
	if (when > LLONG_MAX - basetime)
		goto invalid;
	when += basetime;

	now = command_now_ms();
	keyspace_key(ks, &k, argv[1], argvlen[1]);
	st = keyspace_lock(ks, cl->cl_db, &k);
	if ((e = keyspace_find_locked(ks, st, &k, now)) == NULL)
		goto zero;
	cur = entry_expire(e);
	if ((flags & EXPIRE_NX) && cur != KEYSPACE_NO_EXPIRE)
		goto zero;
	if ((flags & EXPIRE_XX) && cur == KEYSPACE_NO_EXPIRE)
		goto zero;
	/* No expiry is an infinite one: GT always fails, LT passes. */
	if ((flags & EXPIRE_GT) &&
	    (cur == KEYSPACE_NO_EXPIRE || when <= cur))
		goto zero;
	if ((flags & EXPIRE_LT) && cur != KEYSPACE_NO_EXPIRE && when >= cur)
		goto zero;
	if (when <= now) {
		keyspace_delete_locked(ks, st, &k);
		rv = 1;
	} else
		rv = keyspace_set_expire_locked(ks, st, &k, when);
	keyspace_unlock(ks, st);
	if (rv == -1)
		reply_error(&cl->cl_reply, CMD_ERR_OOM);
	else
		reply_int(&cl->cl_reply, 1);
	return;
zero:
	keyspace_unlock(ks, st);
	reply_int(&cl->cl_reply, 0);
	return;
invalid:
	reply_errorf(&cl->cl_reply, "invalid expire time in '%s' command",
	    name);
}

static void
cmd_expire(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	cmd_expire_generic(cl, argc, argv, argvlen, "expire",
	    command_now_ms(), 1);
}

static void
cmd_pexpire(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	cmd_expire_generic(cl, argc, argv, argvlen, "pexpire",
	    command_now_ms(), 0);
}

static void
cmd_expireat(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	cmd_expire_generic(cl, argc, argv, argvlen, "expireat", 0, 1);
}

static void
cmd_pexpireat(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	cmd_expire_generic(cl, argc, argv, argvlen, "pexpireat", 0, 0);
}

/*
 * TTL and its kin, after Redis 7.0's ttlGenericCommand(): -2 for no key,
 * -1 for no expiry, else the time left (or the expiry time itself when
 * `absolute'), never below 0, in milliseconds or rounded to seconds.
 */
static void
cmd_ttl_generic(struct client *cl, const char *key, size_t klen, int ms,
    int absolute)
{
	struct keyspace		*ks = cl->cl_ks;
	struct ks_stripe	*st;
	struct ks_key		 k;
	const struct entry	*e;
	int64_t			 now, expire = KEYSPACE_NO_EXPIRE;
	long long		 ttl;
	int			 found;

	now = command_now_ms();
	keyspace_key(ks, &k, key, klen);
	st = keyspace_lock(ks, cl->cl_db, &k);
	e = keyspace_find_locked(ks, st, &k, now);
	if ((found = e != NULL))
		expire = entry_expire(e);
	keyspace_unlock(ks, st);
	if (!found) {
		reply_int(&cl->cl_reply, -2);
		return;
	}
	if (expire == KEYSPACE_NO_EXPIRE) {
		reply_int(&cl->cl_reply, -1);
		return;
	}
	ttl = absolute ? expire : expire - now;
	if (ttl < 0)
		ttl = 0;
	reply_int(&cl->cl_reply, ms ? ttl : (ttl + 500) / 1000);
}

static void
cmd_ttl(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	(void)argc;
	cmd_ttl_generic(cl, argv[1], argvlen[1], 0, 0);
}

static void
cmd_pttl(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	(void)argc;
	cmd_ttl_generic(cl, argv[1], argvlen[1], 1, 0);
}

static void
cmd_expiretime(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	(void)argc;
	cmd_ttl_generic(cl, argv[1], argvlen[1], 0, 1);
}

static void
cmd_pexpiretime(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	(void)argc;
	cmd_ttl_generic(cl, argv[1], argvlen[1], 1, 1);
}

static void
cmd_persist(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	struct keyspace		*ks = cl->cl_ks;
	struct ks_stripe	*st;
	struct ks_key		 k;
	int			 rv = 0;

	(void)argc;
	keyspace_key(ks, &k, argv[1], argvlen[1]);
	st = keyspace_lock(ks, cl->cl_db, &k);
	if (keyspace_find_locked(ks, st, &k, command_now_ms()) != NULL)
		rv = keyspace_set_expire_locked(ks, st, &k,
		    KEYSPACE_NO_EXPIRE);
	keyspace_unlock(ks, st);
	if (rv == -1)
		reply_error(&cl->cl_reply, CMD_ERR_OOM);
	else
		reply_int(&cl->cl_reply, rv);
}

static void
cmd_dbsize(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	uint64_t	 keys, expires;

	(void)argc;
	(void)argv;
	(void)argvlen;
	keyspace_count(cl->cl_ks, cl->cl_db, &keys, &expires);
	reply_int(&cl->cl_reply, (long long)keys);
}

static void
cmd_randomkey(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	struct keys_buf	 kb;

	(void)argc;
	(void)argv;
	(void)argvlen;
	memset(&kb, 0, sizeof(kb));
	if (keyspace_random(cl->cl_ks, cl->cl_db, command_now_ms(),
	    keys_visit, &kb) == 0 || kb.kb_n == 0) {
		if (kb.kb_failed)
			reply_error(&cl->cl_reply, CMD_ERR_OOM);
		else
			reply_null(&cl->cl_reply);
	} else
		reply_bulk(&cl->cl_reply, kb.kb_data, kb.kb_off[1]);
	keys_buf_free(&kb);
}

/* KEYS: a full scan of the database, one step per bucket. */
static void
cmd_keys(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	struct keys_buf	 kb;
	uint64_t	 cursor = 0;
	int64_t		 now = command_now_ms();

	(void)argc;
	memset(&kb, 0, sizeof(kb));
	keys_buf_pattern(&kb, argv[1], argvlen[1]);
	do {
		cursor = keyspace_scan(cl->cl_ks, cl->cl_db, cursor, now,
		    keys_visit, &kb);
	} while (cursor != 0 && !kb.kb_failed);
	if (kb.kb_failed)
		reply_error(&cl->cl_reply, CMD_ERR_OOM);
	else
		keys_buf_reply(cl, &kb);
	keys_buf_free(&kb);
}

/*
 * Parse a SCAN cursor as Redis 7.0's parseScanCursorOrReply() does, with
 * strtoul(): no leading blank, nothing after the digits, within range.
 * 0, or -1 after the error reply.
 */
static int
cmd_scan_cursor(struct client *cl, const char *arg, size_t len,
    uint64_t *cursor)
{
	char			 buf[SCAN_CURSOR_MAX + 1], *end;
	unsigned long long	 v;

	len = keys_cstrlen(arg, len);
	if (len > SCAN_CURSOR_MAX)
		goto invalid;
	memcpy(buf, arg, len);
	buf[len] = '\0';
	if (isspace((unsigned char)buf[0]))
		goto invalid;
	errno = 0;
	v = strtoull(buf, &end, 10);
	if (*end != '\0' || errno == ERANGE)
		goto invalid;
	*cursor = v;
	return (0);
invalid:
	reply_error(&cl->cl_reply, "invalid cursor");
	return (-1);
}

/*
 * SCAN cursor [MATCH pattern] [COUNT count] [TYPE type], after Redis
 * 7.0's scanGenericCommand(): steps are taken until COUNT keys were seen
 * (before the filters) or the scan is complete, and at most 10 * COUNT
 * steps, so that a sparse database still answers quickly.
 */
static void
cmd_scan(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	struct keys_buf	 kb;
	char		 cbuf[SCAN_CURSOR_MAX];
	uint64_t	 cursor;
	long long	 count = SCAN_COUNT_DEFAULT, steps;
	int64_t		 now;
	int		 i, n;

	if (cmd_scan_cursor(cl, argv[1], argvlen[1], &cursor) == -1)
		return;
	memset(&kb, 0, sizeof(kb));
	for (i = 2; i < argc; i += 2) {
		if (command_arg_is(argv[i], argvlen[i], "count") &&
		    i + 1 < argc) {
			if (command_parse_ll(argv[i + 1], argvlen[i + 1],
			    &count) == -1) {
				reply_error(&cl->cl_reply, CMD_ERR_NOT_INT);
				return;
			}
			if (count < 1) {
				reply_error(&cl->cl_reply, CMD_ERR_SYNTAX);
				return;
			}
		} else if (command_arg_is(argv[i], argvlen[i], "match") &&
		    i + 1 < argc) {
			kb.kb_pat = NULL;
			keys_buf_pattern(&kb, argv[i + 1], argvlen[i + 1]);
		} else if (command_arg_is(argv[i], argvlen[i], "type") &&
		    i + 1 < argc) {
			kb.kb_type = argv[i + 1];
			kb.kb_typelen = keys_cstrlen(argv[i + 1],
			    argvlen[i + 1]);
		} else {
			reply_error(&cl->cl_reply, CMD_ERR_SYNTAX);
			return;
		}
	}

	now = command_now_ms();
	steps = count > LLONG_MAX / 10 ? LLONG_MAX : count * 10;
	do {
		cursor = keyspace_scan(cl->cl_ks, cl->cl_db, cursor, now,
		    keys_visit, &kb);
	} while (cursor != 0 && --steps > 0 &&
	    kb.kb_visited < (unsigned long long)count && !kb.kb_failed);
	if (kb.kb_failed) {
		reply_error(&cl->cl_reply, CMD_ERR_OOM);
		keys_buf_free(&kb);
		return;
	}
	n = snprintf(cbuf, sizeof(cbuf), "%llu", (unsigned long long)cursor);
	reply_array_len(&cl->cl_reply, 2);
	reply_bulk(&cl->cl_reply, cbuf, (size_t)n);
	keys_buf_reply(cl, &kb);
	keys_buf_free(&kb);
}

/*
 * The option of FLUSHDB and FLUSHALL, as Redis 7.0's
 * getFlushCommandFlags() reads it.  Both ways free at once here.  0, or
 * -1 after the error reply.
 */
static int
cmd_flush_option(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	if (argc == 1)
		return (0);
	if (argc == 2 && (command_arg_is(argv[1], argvlen[1], "sync") ||
	    command_arg_is(argv[1], argvlen[1], "async")))
		return (0);
	reply_error(&cl->cl_reply, CMD_ERR_SYNTAX);
	return (-1);
}

static void
cmd_flushdb(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	if (cmd_flush_option(cl, argc, argv, argvlen) == -1)
		return;
	keyspace_flush(cl->cl_ks, cl->cl_db);
	reply_status(&cl->cl_reply, "OK");
}

static void
cmd_flushall(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	unsigned	 db;

	if (cmd_flush_option(cl, argc, argv, argvlen) == -1)
		return;
	for (db = 0; db < keyspace_databases(cl->cl_ks); db++)
		keyspace_flush(cl->cl_ks, db);
	reply_status(&cl->cl_reply, "OK");
}

static const struct command cmd_keys_commands[] = {
	{ "del",	-2,	CMD_WRITE,		1, -1, 1, cmd_del },
	{ "unlink",	-2,	CMD_WRITE | CMD_FAST,	1, -1, 1, cmd_del },
	{ "exists",	-2,	CMD_READONLY | CMD_FAST, 1, -1, 1, cmd_exists },
	{ "type",	2,	CMD_READONLY | CMD_FAST, 1, 1, 1, cmd_type },
	{ "expire",	-3,	CMD_WRITE | CMD_FAST,	1, 1, 1, cmd_expire },
	{ "pexpire",	-3,	CMD_WRITE | CMD_FAST,	1, 1, 1, cmd_pexpire },
	{ "expireat",	-3,	CMD_WRITE | CMD_FAST,	1, 1, 1, cmd_expireat },
	{ "pexpireat",	-3,	CMD_WRITE | CMD_FAST,	1, 1, 1,
	    cmd_pexpireat },
	{ "persist",	2,	CMD_WRITE | CMD_FAST,	1, 1, 1, cmd_persist },
	{ "ttl",	2,	CMD_READONLY | CMD_FAST, 1, 1, 1, cmd_ttl },
	{ "pttl",	2,	CMD_READONLY | CMD_FAST, 1, 1, 1, cmd_pttl },
	{ "expiretime",	2,	CMD_READONLY | CMD_FAST, 1, 1, 1,
	    cmd_expiretime },
	{ "pexpiretime", 2,	CMD_READONLY | CMD_FAST, 1, 1, 1,
	    cmd_pexpiretime },
	{ "dbsize",	1,	CMD_READONLY | CMD_FAST, 0, 0, 0, cmd_dbsize },
	{ "randomkey",	1,	CMD_READONLY,		0, 0, 0, cmd_randomkey },
	{ "keys",	2,	CMD_READONLY,		0, 0, 0, cmd_keys },
	{ "scan",	-2,	CMD_READONLY,		0, 0, 0, cmd_scan },
	{ "flushdb",	-1,	CMD_WRITE,		0, 0, 0, cmd_flushdb },
	{ "flushall",	-1,	CMD_WRITE,		0, 0, 0, cmd_flushall },
};

const struct command_family cmd_keys_family = {
	cmd_keys_commands, nitems(cmd_keys_commands)
};
