/*
 * cmd_keys.c: the generic key commands: DEL, UNLINK, EXISTS, TOUCH, TYPE,
 * OBJECT, the renaming and copying commands (RENAME, RENAMENX, COPY, MOVE,
 * SWAPDB), the expiry commands (EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT,
 * PERSIST, TTL, PTTL, EXPIRETIME, PEXPIRETIME) and the commands that walk
 * or empty a whole database (DBSIZE, RANDOMKEY, KEYS, SCAN, FLUSHDB,
 * FLUSHALL).
 *
 * Run by workers.  A command on one key takes its stripe lock through
 * keyspace_lock(); a command on several keys (DEL, EXISTS, TOUCH, RENAME,
 * COPY, MOVE) holds the stripes of all of them at once, taken by
 * keyspace_multi_lock() in address order; SWAPDB holds every stripe of
 * both databases inside keyspace_swapdb().  A walk goes through
 * keyspace_scan() and keyspace_random(), which lock one stripe per step
 * and call back with it held.  Those callbacks only copy the key into a
 * private buffer (and test it against a pattern): they never call back
 * into the keyspace, and the reply is written after the lock is gone.
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

#include "hydra/blocking.h"
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

#define COUNT_EXISTS	0
#define COUNT_DELETE	1
#define COUNT_TOUCH	2


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
	switch (OBJ_TYPE(type)) {
	case OBJ_STRING:
		return ("string");
	case OBJ_LIST:
		return ("list");
	case OBJ_ZSET:
		return ("zset");
	case OBJ_SET:
		return ("set");
	case OBJ_HASH:
		return ("hash");
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

/*
 * Reply with how many of the keys exist (a key named twice counts twice),
 * deleting or touching them as `how' says, with the stripes of all of
 * them held at once.
 */
static void
cmd_count_keys(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen, int how)
{
	struct keyspace	*ks = cl->cl_ks;
	struct ks_multi	 m;
	long long	 n = 0;
	int64_t		 now = command_now_ms();
	int		 j;

	if (keyspace_multi_lock_names(ks, &m, cl->cl_db, argv + 1,
	    argvlen + 1, (size_t)argc - 1, 1) == -1) {
		reply_error(&cl->cl_reply, CMD_ERR_OOM);
		return;
	}
	for (j = 0; j < argc - 1; j++) {
		if (keyspace_peek_locked(ks, m.km_sts[j], &m.km_keys[j],
		    now) == NULL) {
			if (how != COUNT_DELETE)
				command_count_lookup(cl, 0);
			continue;
		}
		if (how != COUNT_DELETE)
			command_count_lookup(cl, 1);
		n++;
		if (how == COUNT_DELETE)
			(void)keyspace_delete_locked(ks, m.km_sts[j],
			    &m.km_keys[j]);
		else if (how == COUNT_TOUCH)
			(void)keyspace_find_locked(ks, m.km_sts[j],
			    &m.km_keys[j], now);
	}
	keyspace_multi_unlock(ks, &m);
	keyspace_multi_free(&m);
	reply_int(&cl->cl_reply, n);
}

/* DEL and UNLINK: hydra frees in place, so UNLINK is DEL. */
static void
cmd_del(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	cmd_count_keys(cl, argc, argv, argvlen, COUNT_DELETE);
}

static void
cmd_exists(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	cmd_count_keys(cl, argc, argv, argvlen, COUNT_EXISTS);
}

/* TOUCH: EXISTS that counts as an access. */
static void
cmd_touch(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	cmd_count_keys(cl, argc, argv, argvlen, COUNT_TOUCH);
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
	if ((e = keyspace_peek_locked(ks, st, &k, command_now_ms())) != NULL)
		name = keys_type_name(e->e_type);
	command_count_lookup(cl, e != NULL);
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
	e = keyspace_peek_locked(ks, st, &k, now);
	if ((found = e != NULL))
		expire = entry_expire(e);
	command_count_lookup(cl, found);
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
 * SCAN cursor [MATCH pattern] [COUNT count] [TYPE type], after Redis
 * 7.0's scanGenericCommand(): steps are taken as command_scan_more()
 * says, counting keys before the filters, so that a sparse database
 * still answers quickly.
 */
static void
cmd_scan(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	struct command_scan	 sc;
	struct keys_buf		 kb;
	uint64_t		 cursor;
	int64_t			 now;

	if (command_scan_cursor(cl, argv[1], argvlen[1], &cursor) == -1 ||
	    command_scan_args(cl, argc, argv, argvlen, 2, 1, &sc) == -1)
		return;
	memset(&kb, 0, sizeof(kb));
	kb.kb_pat = sc.sc_pat;
	kb.kb_patlen = sc.sc_patlen;
	kb.kb_type = sc.sc_type;
	kb.kb_typelen = sc.sc_typelen;
	now = command_now_ms();
	do {
		cursor = keyspace_scan(cl->cl_ks, cl->cl_db, cursor, now,
		    keys_visit, &kb);
	} while (!kb.kb_failed && command_scan_more(&sc, cursor,
	    kb.kb_visited));
	if (kb.kb_failed) {
		reply_error(&cl->cl_reply, CMD_ERR_OOM);
		keys_buf_free(&kb);
		return;
	}
	command_reply_cursor(cl, cursor);
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
	if (cmd_flush_option(cl, argc, argv, argvlen) == -1)
		return;
	keyspace_flush_all(cl->cl_ks);
	reply_status(&cl->cl_reply, "OK");
}

/*
 * Parse a database number as Redis's getIntFromObjectOrReply() does: a
 * long long, then within an int.  `msg' replaces both errors when given.
 * 0, or -1 after the error reply.
 */
static int
cmd_db_arg(struct client *cl, const char *arg, size_t len, const char *msg,
    long long *out)
{
	if (command_parse_ll(arg, len, out) == -1) {
		reply_error(&cl->cl_reply, msg != NULL ? msg : CMD_ERR_NOT_INT);
		return (-1);
	}
	if (*out < INT_MIN || *out > INT_MAX) {
		reply_error(&cl->cl_reply, msg != NULL ? msg : "value is out "
		    "of range, value must between -2147483648 and 2147483647");
		return (-1);
	}
	return (0);
}

static int
cmd_db_valid(struct client *cl, long long db)
{
	return (db >= 0 && db < (long long)keyspace_databases(cl->cl_ks));
}

/*
 * The tag of a copy: Redis duplicates a value for COPY, and the copy of a
 * shared integer is shared no more.
 */
static int
cmd_copy_tag(struct keyspace *ks, struct ks_stripe *st,
    const struct ks_key *k, int64_t now)
{
	const struct entry	*e = keyspace_peek_locked(ks, st, k, now);

	if (e == NULL || e->e_type != (OBJ_STRING | OBJ_STR_GIVEN))
		return (-1);
	return (OBJ_STRING | OBJ_STR_COPY);
}

/*
 * Copy (or move, when !keep) key src of database sdb to key dst of
 * database ddb with both stripes held: 1 done, 0 not done (no source, or
 * a destination that exists and may not be replaced), -1 out of memory.
 * `replace' 0 leaves an existing destination alone.
 */
static int
cmd_copy_key(struct client *cl, unsigned sdb, const char *src, size_t slen,
    unsigned ddb, const char *dst, size_t dlen, int replace, int keep)
{
	struct keyspace	*ks = cl->cl_ks;
	struct ks_multi	 m;
	int64_t		 now = command_now_ms();
	int		 rv = 0;

	if (keyspace_multi_init(&m, 2) == -1)
		return (-1);
	keyspace_multi_set(ks, &m, 0, sdb, src, slen);
	keyspace_multi_set(ks, &m, 1, ddb, dst, dlen);
	keyspace_multi_lock(ks, &m);
	if (keyspace_find_locked(ks, m.km_sts[0], &m.km_keys[0], now) ==
	    NULL)
		rv = -2;
	else if (!replace && keyspace_find_locked(ks, m.km_sts[1],
	    &m.km_keys[1], now) != NULL)
		rv = 0;
	else
		rv = keyspace_copy_locked(ks, m.km_sts[0], &m.km_keys[0],
		    m.km_sts[1], &m.km_keys[1], now, keep, keep ?
		    cmd_copy_tag(ks, m.km_sts[0], &m.km_keys[0], now) : -1);
	/* A list that appears under a name may serve its waiters. */
	if (rv == 1)
		(void)blocking_serve_locked(ks, m.km_sts[1], ddb,
		    &m.km_keys[1]);
	keyspace_multi_unlock(ks, &m);
	keyspace_multi_free(&m);
	return (rv);
}

/* RENAME and RENAMENX, after Redis 7.0's renameGenericCommand(). */
static void
cmd_rename_generic(struct client *cl, const char *const *argv,
    const size_t *argvlen, int nx)
{
	int	 rv;

	if (argvlen[1] == argvlen[2] &&
	    memcmp(argv[1], argv[2], argvlen[1]) == 0) {
		/* The same name: only whether it exists matters. */
		rv = cmd_copy_key(cl, cl->cl_db, argv[1], argvlen[1],
		    cl->cl_db, argv[1], argvlen[1], 0, 1);
		if (rv == -2)
			reply_error(&cl->cl_reply, "no such key");
		else if (nx)
			reply_int(&cl->cl_reply, 0);
		else
			reply_status(&cl->cl_reply, "OK");
		return;
	}
	rv = cmd_copy_key(cl, cl->cl_db, argv[1], argvlen[1], cl->cl_db,
	    argv[2], argvlen[2], !nx, 0);
	if (rv == -2)
		reply_error(&cl->cl_reply, "no such key");
	else if (rv == -1)
		reply_error(&cl->cl_reply, CMD_ERR_OOM);
	else if (nx)
		reply_int(&cl->cl_reply, rv);
	else
		reply_status(&cl->cl_reply, "OK");
}

static void
cmd_rename(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	(void)argc;
	cmd_rename_generic(cl, argv, argvlen, 0);
}

static void
cmd_renamenx(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	(void)argc;
	cmd_rename_generic(cl, argv, argvlen, 1);
}

/* COPY source destination [DB destination-db] [REPLACE]. */
static void
cmd_copy(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	long long	 db = cl->cl_db;
	int		 j, replace = 0, rv;

	for (j = 3; j < argc; j++) {
		if (command_arg_is(argv[j], argvlen[j], "replace"))
			replace = 1;
		else if (command_arg_is(argv[j], argvlen[j], "db") &&
		    j + 1 < argc) {
			if (command_parse_ll(argv[j + 1], argvlen[j + 1],
			    &db) == -1) {
				reply_error(&cl->cl_reply, CMD_ERR_NOT_INT);
				return;
			}
			if (!cmd_db_valid(cl, db)) {
				reply_error(&cl->cl_reply,
				    "DB index is out of range");
				return;
			}
			j++;
		} else {
			reply_error(&cl->cl_reply, CMD_ERR_SYNTAX);
			return;
		}
	}
	if ((unsigned)db == cl->cl_db && argvlen[1] == argvlen[2] &&
	    memcmp(argv[1], argv[2], argvlen[1]) == 0) {
		reply_error(&cl->cl_reply,
		    "source and destination objects are the same");
		return;
	}
	rv = cmd_copy_key(cl, cl->cl_db, argv[1], argvlen[1], (unsigned)db,
	    argv[2], argvlen[2], replace, 1);
	if (rv == -1)
		reply_error(&cl->cl_reply, CMD_ERR_OOM);
	else
		reply_int(&cl->cl_reply, rv == 1);
}

/* MOVE key db: to the same name in another database, if free there. */
static void
cmd_move(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	long long	 db;
	int		 rv;

	(void)argc;
	if (cmd_db_arg(cl, argv[2], argvlen[2], NULL, &db) == -1)
		return;
	if (!cmd_db_valid(cl, db)) {
		reply_error(&cl->cl_reply, "DB index is out of range");
		return;
	}
	if ((unsigned)db == cl->cl_db) {
		reply_error(&cl->cl_reply,
		    "source and destination objects are the same");
		return;
	}
	rv = cmd_copy_key(cl, cl->cl_db, argv[1], argvlen[1], (unsigned)db,
	    argv[1], argvlen[1], 0, 0);
	if (rv == -1)
		reply_error(&cl->cl_reply, CMD_ERR_OOM);
	else
		reply_int(&cl->cl_reply, rv == 1);
}

static void
cmd_swapdb(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	long long	 a, b;

	(void)argc;
	if (cmd_db_arg(cl, argv[1], argvlen[1], "invalid first DB index",
	    &a) == -1 ||
	    cmd_db_arg(cl, argv[2], argvlen[2], "invalid second DB index",
	    &b) == -1)
		return;
	if (!cmd_db_valid(cl, a) || !cmd_db_valid(cl, b)) {
		reply_error(&cl->cl_reply, "DB index is out of range");
		return;
	}
	keyspace_swapdb(cl->cl_ks, (unsigned)a, (unsigned)b);
	/* The keys now under waited-on names may serve their waiters. */
	blocking_serve_all(cl->cl_ks);
	reply_status(&cl->cl_reply, "OK");
}

static const char *const cmd_object_help[] = {
	"OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"ENCODING <key>",
	"    Return the kind of internal representation used in order to "
	"store the value",
	"    associated with a <key>.",
	"FREQ <key>",
	"    Return the access frequency index of the <key>. The returned "
	"integer is",
	"    proportional to the logarithm of the recent access frequency "
	"of the key.",
	"IDLETIME <key>",
	"    Return the idle time of the <key>, that is the approximated "
	"number of",
	"    seconds elapsed since the last access to the key.",
	"REFCOUNT <key>",
	"    Return the number of references of the value associated with "
	"the specified",
	"    <key>.",
	"HELP",
	"    Prints this help.",
};

#define CMD_ERR_POLICY_TAIL	"Please note that when switching between " \
	"policies at runtime LRU and LFU data will take some time to adjust."

/*
 * OBJECT ENCODING | FREQ | IDLETIME | REFCOUNT key, and OBJECT HELP.  The
 * key is looked at without counting as an access (Redis's NOTOUCH).
 * IDLETIME and FREQ read the entry's 8-bit clock: the minute of the last
 * access (so IDLETIME has a minute's granularity and wraps after 256
 * minutes) or, with an LFU policy, the access counter.
 */
static void
cmd_object(struct client *cl, int argc, const char *const *argv,
    const size_t *argvlen)
{
	static const char *const subs[] = { "encoding", "freq", "idletime",
	    "refcount" };
	struct keyspace		*ks = cl->cl_ks;
	struct ks_stripe	*st;
	struct ks_key		 k;
	const struct entry	*e;
	const char		*enc = NULL;
	long long		 n = 0, refcount;
	size_t			 i, len;
	char			 sub[129];

	if (command_arg_is(argv[1], argvlen[1], "help")) {
		if (argc != 2) {
			command_reply_arity(cl, "object|help");
			return;
		}
		reply_array_len(&cl->cl_reply, nitems(cmd_object_help));
		for (i = 0; i < nitems(cmd_object_help); i++)
			reply_status(&cl->cl_reply, cmd_object_help[i]);
		return;
	}
	for (i = 0; i < nitems(subs); i++)
		if (command_arg_is(argv[1], argvlen[1], subs[i]))
			break;
	if (i == nitems(subs)) {
		/* At most 128 bytes of the name, line breaks as blanks. */
		len = keys_cstrlen(argv[1], argvlen[1]);
		if (len > 128)
			len = 128;
		memcpy(sub, argv[1], len);
		sub[len] = '\0';
		for (len = 0; sub[len] != '\0'; len++)
			if (sub[len] == '\r' || sub[len] == '\n')
				sub[len] = ' ';
		reply_errorf(&cl->cl_reply, "unknown subcommand '%s'. Try "
		    "OBJECT HELP.", sub);
		return;
	}
	if (argc != 3) {
		snprintf(sub, sizeof(sub), "object|%s", subs[i]);
		command_reply_arity(cl, sub);
		return;
	}
	keyspace_key(ks, &k, argv[2], argvlen[2]);
	st = keyspace_lock(ks, cl->cl_db, &k);
	if ((e = keyspace_peek_locked(ks, st, &k, command_now_ms())) ==
	    NULL) {
		keyspace_unlock(ks, st);
		reply_null(&cl->cl_reply);
		return;
	}
	enc = object_encoding(e, &refcount);
	if (i == 1)
		n = e->e_clock;
	else if (i == 2)
		n = entry_idle_seconds(e);
	keyspace_unlock(ks, st);
	switch (i) {
	case 0:
		reply_bulk_cstr(&cl->cl_reply, enc);
		break;
	case 1:
		if (!ks->ks_lfu)
			reply_error(&cl->cl_reply, "An LFU maxmemory policy "
			    "is not selected, access frequency not tracked. "
			    CMD_ERR_POLICY_TAIL);
		else
			reply_int(&cl->cl_reply, n);
		break;
	case 2:
		if (ks->ks_lfu)
			reply_error(&cl->cl_reply, "An LFU maxmemory policy "
			    "is selected, idle time not tracked. "
			    CMD_ERR_POLICY_TAIL);
		else
			reply_int(&cl->cl_reply, n);
		break;
	default:
		reply_int(&cl->cl_reply, refcount);
		break;
	}
}

static const struct command cmd_keys_commands[] = {
	{ "del",	-2,	CMD_WRITE,		1, -1, 1, cmd_del },
	{ "unlink",	-2,	CMD_WRITE | CMD_FAST,	1, -1, 1, cmd_del },
	{ "exists",	-2,	CMD_READONLY | CMD_FAST, 1, -1, 1, cmd_exists },
	{ "type",	2,	CMD_READONLY | CMD_FAST, 1, 1, 1, cmd_type },
	{ "touch",	-2,	CMD_READONLY | CMD_FAST, 1, -1, 1, cmd_touch },
	{ "rename",	3,	CMD_WRITE,		1, 2, 1, cmd_rename },
	{ "renamenx",	3,	CMD_WRITE | CMD_FAST,	1, 2, 1, cmd_renamenx },
	{ "copy",	-3,	CMD_WRITE | CMD_DENYOOM, 1, 2, 1, cmd_copy },
	{ "move",	3,	CMD_WRITE | CMD_FAST,	1, 1, 1, cmd_move },
	{ "swapdb",	3,	CMD_WRITE | CMD_FAST,	0, 0, 0, cmd_swapdb },
	{ "object",	-2,	CMD_READONLY,		2, 2, 1, cmd_object },
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
