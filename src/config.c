/*
 * config.c: the directive table, the redis.conf reader, the argv
 * overrides and the CONFIG GET formatting of each value.
 *
 * Run by the supervisor, at start and on SIGHUP; workers read the struct
 * config it produced.  Takes no locks: a struct config belongs to whoever
 * filled it, and a reload fills a fresh one.
 *
 * The rules are Redis 7.0's, because people bring their redis.conf:
 *
 * - Lines are split at '\n', trimmed of blanks, '\r' and '\n'; a line that
 *   then starts with '#' or is empty is skipped.  A '#' after a directive
 *   is not a comment, it is one more argument.
 * - Words are split as sdssplitargs() splits them: "..." with the escapes
 *   \xHH \n \r \t \b \a and \<any>, '...' with \' only, and a closing
 *   quote must be followed by a blank or the end of the line.
 * - The directive name is matched in any case.  A single-value directive
 *   wants exactly one argument; a multi-value one (save, bind) given one
 *   non-empty argument splits it again, so save "900 1 300 10" works.
 * - A later line overrides an earlier one, except save: the first save
 *   line of a load drops the defaults, later ones add points, and save ""
 *   drops every point so far.
 * - Values are checked as Redis checks them, with its messages ("argument
 *   must be 'yes' or 'no'", "argument must be between 0 and 65535
 *   inclusive", ...), and an unknown directive is "Bad directive or wrong
 *   number of arguments".
 *
 * Where hydra differs: dir is only recorded (Redis calls chdir() while it
 * reads), include depth is bounded (Redis recurses until it crashes), a
 * memory value needs at least one digit (Redis reads "mb" as 0), and
 * errors name the file they come from.
 */
#include <ctype.h>
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

#include "hydra/config.h"
#include "hydra/log.h"
#include "hydra/splitargs.h"

#define F(field) offsetof(struct config, field)

static int config_parse(
    struct config *, const char *, const char *, int, struct config_error *);

/* Enum tables, in Redis's order, which its error message lists. */
static const struct config_enum config_loglevels[] = { { "debug",
							   CONFIG_LOG_DEBUG },
	{ "verbose", CONFIG_LOG_VERBOSE }, { "notice", CONFIG_LOG_NOTICE },
	{ "warning", CONFIG_LOG_WARNING }, { NULL, 0 } };

static const struct config_enum config_supervised_modes[] = {
	{ "upstart", CONFIG_SUPERVISED_UPSTART },
	{ "systemd", CONFIG_SUPERVISED_SYSTEMD },
	{ "auto", CONFIG_SUPERVISED_AUTO }, { "no", CONFIG_SUPERVISED_NO },
	{ NULL, 0 }
};

static const struct config_enum config_debug_modes[] = {
	{ "no", CONFIG_DEBUG_NO }, { "yes", CONFIG_DEBUG_YES },
	{ "local", CONFIG_DEBUG_LOCAL }, { NULL, 0 }
};

static const struct config_enum config_fsyncs[] = { { "everysec",
							CONFIG_FSYNC_EVERYSEC },
	{ "always", CONFIG_FSYNC_ALWAYS }, { "no", CONFIG_FSYNC_NO },
	{ NULL, 0 } };

static const struct config_enum config_policies[] = {
	{ "volatile-lru", CONFIG_MAXMEMORY_VOLATILE_LRU },
	{ "volatile-lfu", CONFIG_MAXMEMORY_VOLATILE_LFU },
	{ "volatile-random", CONFIG_MAXMEMORY_VOLATILE_RANDOM },
	{ "volatile-ttl", CONFIG_MAXMEMORY_VOLATILE_TTL },
	{ "allkeys-lru", CONFIG_MAXMEMORY_ALLKEYS_LRU },
	{ "allkeys-lfu", CONFIG_MAXMEMORY_ALLKEYS_LFU },
	{ "allkeys-random", CONFIG_MAXMEMORY_ALLKEYS_RANDOM },
	{ "noeviction", CONFIG_MAXMEMORY_NOEVICTION }, { NULL, 0 }
};

static const struct config_enum config_facilities[] = { { "user", LOG_USER },
	{ "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 },
	{ "local2", LOG_LOCAL2 }, { "local3", LOG_LOCAL3 },
	{ "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 },
	{ "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 }, { NULL, 0 } };

/* notify-keyspace-events letters, in the order CONFIG GET prints them. */
static const struct {
	char nl_letter;
	int nl_flag;
} config_notify_letters[] = {
	{ 'g', CONFIG_NOTIFY_GENERIC },
	{ '$', CONFIG_NOTIFY_STRING },
	{ 'l', CONFIG_NOTIFY_LIST },
	{ 's', CONFIG_NOTIFY_SET },
	{ 'h', CONFIG_NOTIFY_HASH },
	{ 'z', CONFIG_NOTIFY_ZSET },
	{ 'x', CONFIG_NOTIFY_EXPIRED },
	{ 'e', CONFIG_NOTIFY_EVICTED },
	{ 't', CONFIG_NOTIFY_STREAM },
	{ 'd', CONFIG_NOTIFY_MODULE },
	{ 'K', CONFIG_NOTIFY_KEYSPACE },
	{ 'E', CONFIG_NOTIFY_KEYEVENT },
	{ 'm', CONFIG_NOTIFY_KEY_MISS },
	{ 'n', CONFIG_NOTIFY_NEW },
};

static int config_check_basename(const char *, long long, char *, size_t);
static int config_check_dirname(const char *, long long, char *, size_t);
static int config_check_aofname(const char *, long long, char *, size_t);
static int config_check_pow2(const char *, long long, char *, size_t);
static int config_set_bind(struct config *, const struct config_directive *,
    char **, int, char *, size_t);
static int config_format_bind(
    const struct config *, const struct config_directive *, char *, size_t);
static int config_set_save(struct config *, const struct config_directive *,
    char **, int, char *, size_t);
static int config_format_save(
    const struct config *, const struct config_directive *, char *, size_t);
static int config_set_notify(struct config *, const struct config_directive *,
    char **, int, char *, size_t);
static int config_format_notify(
    const struct config *, const struct config_directive *, char *, size_t);

#define MUT CONFIG_F_MUTABLE
#define BOOL(n, fl, f, d) \
	{ \
		n, CONFIG_T_BOOL, fl, F(f), d, 0, 1, NULL, NULL, NULL, NULL \
	}
#define INT(n, fl, f, d, lo, hi) \
	{ \
		n, CONFIG_T_INT, fl, F(f), d, lo, hi, NULL, NULL, NULL, NULL \
	}
#define INTCHK(n, fl, f, d, lo, hi, chk) \
	{ \
		n, CONFIG_T_INT, fl, F(f), d, lo, hi, NULL, chk, NULL, NULL \
	}
#define OCTAL(n, fl, f, d, lo, hi) \
	{ \
		n, CONFIG_T_OCTAL, fl, F(f), d, lo, hi, NULL, NULL, NULL, NULL \
	}
#define MEM(n, fl, f, d, lo, hi) \
	{ \
		n, CONFIG_T_MEMORY, fl, F(f), d, lo, hi, NULL, NULL, NULL, \
		    NULL \
	}
#define STR(n, fl, f, d, chk) \
	{ \
		n, CONFIG_T_STRING, fl, F(f), d, 0, 0, NULL, chk, NULL, NULL \
	}
#define ENUM(n, fl, f, d, e) \
	{ \
		n, CONFIG_T_ENUM, fl, F(f), d, 0, 0, e, NULL, NULL, NULL \
	}
#define SPECIAL(n, fl, d, set, fmt) \
	{ \
		n, CONFIG_T_SPECIAL, fl, 0, d, 0, 0, NULL, NULL, set, fmt \
	}

/* Defaults are Redis 7.0.15's built-in ones unless the entry is hydra's. */
const struct config_directive config_directives[] = { INT("port", MUT | CONFIG_F_LISTEN, cf_port,
							  "6379", 0, 65535),
	SPECIAL("bind", MUT | CONFIG_F_MULTI_ARG | CONFIG_F_LISTEN, "* -::*", config_set_bind,
	    config_format_bind),
	STR("unixsocket", 0, cf_unixsocket, "", NULL),
	OCTAL("unixsocketperm", 0, cf_unixsocketperm, "0", 0, 0777),
	BOOL("protected-mode", MUT, cf_protected_mode, "yes"),
	ENUM("enable-debug-command", CONFIG_F_PROTECTED,
	    cf_enable_debug_command, "no", config_debug_modes),
	INT("tcp-backlog", 0, cf_tcp_backlog, "511", 0, INT_MAX),
	INT("timeout", MUT, cf_timeout, "0", 0, INT_MAX),
	INT("tcp-keepalive", MUT, cf_tcp_keepalive, "300", 0, INT_MAX),
	INT("maxclients", MUT, cf_maxclients, "10000", 1, INT_MAX),
	MEM("proto-max-bulk-len", MUT, cf_proto_max_bulk_len, "512mb",
	    1024 * 1024, LLONG_MAX),
	MEM("client-query-buffer-limit", MUT, cf_client_query_buffer_limit,
	    "1gb", 1024 * 1024, LLONG_MAX),
	STR("requirepass", MUT | CONFIG_F_SENSITIVE, cf_requirepass, "", NULL),
	BOOL("daemonize", 0, cf_daemonize, "no"),
	ENUM("supervised", 0, cf_supervised, "no", config_supervised_modes),
	STR("pidfile", 0, cf_pidfile, "", NULL),
	STR("logfile", 0, cf_logfile, "", NULL),
	ENUM("loglevel", MUT, cf_loglevel, "notice", config_loglevels),
	BOOL("syslog-enabled", 0, cf_syslog_enabled, "no"),
	STR("syslog-ident", 0, cf_syslog_ident, "hydra", NULL),
	ENUM("syslog-facility", 0, cf_syslog_facility, "local0",
	    config_facilities),
	INT("hz", MUT, cf_hz, "10", 0, INT_MAX),
	INT("databases", 0, cf_databases, "16", 1, INT_MAX),
	STR("dir", MUT | CONFIG_F_PROTECTED, cf_dir, "./", NULL),
	STR("dbfilename", MUT | CONFIG_F_PROTECTED, cf_dbfilename, "dump.rdb",
	    config_check_basename),
	SPECIAL("save", MUT | CONFIG_F_MULTI_ARG, "3600 1 300 100 60 10000",
	    config_set_save, config_format_save),
	BOOL("stop-writes-on-bgsave-error", MUT, cf_stop_writes_on_bgsave_error,
	    "yes"),
	BOOL("rdbcompression", MUT, cf_rdbcompression, "yes"),
	BOOL("rdbchecksum", MUT, cf_rdbchecksum, "yes"),
	BOOL("appendonly", MUT, cf_appendonly, "no"),
	STR("appendfilename", 0, cf_appendfilename, "appendonly.aof",
	    config_check_aofname),
	STR("appenddirname", 0, cf_appenddirname, "appendonlydir",
	    config_check_dirname),
	ENUM("appendfsync", MUT, cf_appendfsync, "everysec", config_fsyncs),
	MEM("maxmemory", MUT, cf_maxmemory, "0", 0, LLONG_MAX),
	ENUM("maxmemory-policy", MUT, cf_maxmemory_policy, "noeviction",
	    config_policies),
	INT("maxmemory-samples", MUT, cf_maxmemory_samples, "5", 1, 64),
	SPECIAL("notify-keyspace-events", MUT, "", config_set_notify,
	    config_format_notify),
	INT("list-max-listpack-size", MUT, cf_list_max_listpack_size, "-2",
	    INT_MIN, INT_MAX),
	INT("list-compress-depth", MUT, cf_list_compress_depth, "0", 0,
	    INT_MAX),
	INT("hash-max-listpack-entries", MUT, cf_hash_max_listpack_entries,
	    "512", 0, INT_MAX),
	MEM("hash-max-listpack-value", MUT, cf_hash_max_listpack_value, "64",
	    0, LLONG_MAX),
	INT("set-max-intset-entries", MUT, cf_set_max_intset_entries, "512",
	    0, INT_MAX),
	INT("zset-max-listpack-entries", MUT, cf_zset_max_listpack_entries,
	    "128", 0, INT_MAX),
	MEM("zset-max-listpack-value", MUT, cf_zset_max_listpack_value, "64",
	    0, LLONG_MAX),
	INT("workers", CONFIG_F_HYDRA, cf_workers, "0", 0, 256),
	MEM("arena-size", CONFIG_F_HYDRA, cf_arena_size, "1gb", 1024 * 1024,
	    LLONG_MAX),
	STR("arena-name", CONFIG_F_HYDRA, cf_arena_name, "", NULL),
	BOOL("arena-keep", CONFIG_F_HYDRA, cf_arena_keep, "no"),
	INTCHK("stripes", CONFIG_F_HYDRA, cf_stripes, "256", 1, 512,
	    config_check_pow2),
	INT("lock-watchdog-ms", CONFIG_F_HYDRA, cf_lock_watchdog_ms, "5000", 0,
	    INT_MAX),
	{ NULL, 0, 0, 0, NULL, 0, 0, NULL, NULL, NULL, NULL } };

#undef MUT
#undef BOOL
#undef INT
#undef INTCHK
#undef OCTAL
#undef MEM
#undef STR
#undef ENUM
#undef SPECIAL

static int
config_err(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return -1;
}

static int *
config_intp(struct config *cfg, const struct config_directive *cd)
{
	return (int *)(void *)((char *)cfg + cd->cd_offset);
}

static long long *
config_llp(struct config *cfg, const struct config_directive *cd)
{
	return (long long *)(void *)((char *)cfg + cd->cd_offset);
}

static const int *
config_cint(const struct config *cfg, const struct config_directive *cd)
{
	return (const int *)(const void *)((const char *)cfg + cd->cd_offset);
}

static const long long *
config_cll(const struct config *cfg, const struct config_directive *cd)
{
	return (
	    const long long *)(const void *)((const char *)cfg + cd->cd_offset);
}

static char *const *
config_cstr(const struct config *cfg, const struct config_directive *cd)
{
	return (char *const *)(const void *)((const char *)cfg + cd->cd_offset);
}

static char **
config_strp(struct config *cfg, const struct config_directive *cd)
{
	return (char **)(void *)((char *)cfg + cd->cd_offset);
}

/*
 * Words.
 */

struct config_argv {
	char **ca_v;
	int ca_c;
	int ca_cap;
};

static void
config_argv_free(struct config_argv *a)
{
	int i;

	for (i = 0; i < a->ca_c; i++)
		free(a->ca_v[i]);
	free(a->ca_v);
	a->ca_v = NULL;
	a->ca_c = a->ca_cap = 0;
}

static int
config_argv_push(struct config_argv *a, const char *s, size_t len)
{
	char **v, *w;

	if (a->ca_c == a->ca_cap) {
		int cap = a->ca_cap ? a->ca_cap * 2 : 8;

		if ((v = reallocarray(a->ca_v, cap, sizeof(*v))) == NULL)
			return -1;
		a->ca_v = v;
		a->ca_cap = cap;
	}
	if ((w = malloc(len + 1)) == NULL)
		return -1;
	memcpy(w, s, len);
	w[len] = '\0';
	a->ca_v[a->ca_c++] = w;
	return 0;
}

/*
 * Split a line as sdssplitargs() does, with splitargs_next().  Returns 0,
 * -1 for unbalanced quotes, or -2 when out of memory.  A word may hold an
 * escaped NUL, which ends it as a C string.
 */
static int
config_splitargs(const char *p, struct config_argv *a)
{
	struct splitargs_word w;
	char *cur;
	size_t len, pos = 0;
	int r;

	/* A word is never longer than the line. */
	len = strlen(p);
	if ((cur = malloc(len + 1)) == NULL)
		return -2;
	while ((r = splitargs_next(p, len, &pos, cur, &w)) == 1) {
		if (config_argv_push(a, cur, w.sw_len) == -1) {
			r = -2;
			break;
		}
	}
	free(cur);
	if (r != 0)
		config_argv_free(a);
	return r;
}

/*
 * Values.
 */

/* Redis's string2ll(): optional '-', digits, no leading zero, no '+'. */
static int
config_strtoll(const char *s, long long *out)
{
	unsigned long long v = 0, lim;
	int neg = 0;

	if (*s == '-') {
		neg = 1;
		s++;
	}
	if (*s == '0' && s[1] == '\0' && !neg) {
		*out = 0;
		return 0;
	}
	if (*s < '1' || *s > '9')
		return -1;
	lim = neg ? (unsigned long long)LLONG_MAX + 1 : LLONG_MAX;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (v > (lim - (unsigned long long)(*s - '0')) / 10)
			return -1;
		v = v * 10 + (unsigned long long)(*s - '0');
	}
	if (neg)
		*out = v == (unsigned long long)LLONG_MAX + 1 ? LLONG_MIN :
								-(long long)v;
	else
		*out = (long long)v;
	return 0;
}

int
config_memtoll(const char *s, long long *out)
{
	static const struct {
		const char *unit;
		long long mul;
	} units[] = {
		{ "", 1 },
		{ "b", 1 },
		{ "k", 1000 },
		{ "kb", 1024 },
		{ "m", 1000 * 1000 },
		{ "mb", 1024 * 1024 },
		{ "g", 1000LL * 1000 * 1000 },
		{ "gb", 1024LL * 1024 * 1024 },
	};
	const char *u = s;
	long long v = 0;
	size_t i;

	while (*u >= '0' && *u <= '9')
		u++;
	if (u == s)
		return -1;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strcasecmp(u, units[i].unit) == 0)
			break;
	if (i == sizeof(units) / sizeof(units[0]))
		return -1;
	for (; s < u; s++) {
		if (v > (LLONG_MAX - (*s - '0')) / 10)
			return -1;
		v = v * 10 + (*s - '0');
	}
	if (v > LLONG_MAX / units[i].mul)
		return -1;
	*out = v * units[i].mul;
	return 0;
}

static int
config_check_basename(const char *s, long long v, char *err, size_t len)
{
	(void)v;
	if (strchr(s, '/') != NULL || strchr(s, '\\') != NULL)
		return config_err(
		    err, len, "dbfilename can't be a path, just a filename");
	return 0;
}

static int
config_check_aofname(const char *s, long long v, char *err, size_t len)
{
	(void)v;
	if (*s == '\0')
		return config_err(err, len, "appendfilename can't be empty");
	if (strchr(s, '/') != NULL || strchr(s, '\\') != NULL)
		return config_err(err, len,
		    "appendfilename can't be a path, just a filename");
	return 0;
}

static int
config_check_dirname(const char *s, long long v, char *err, size_t len)
{
	(void)v;
	if (*s == '\0')
		return config_err(err, len, "appenddirname can't be empty");
	if (strchr(s, '/') != NULL || strchr(s, '\\') != NULL)
		return config_err(
		    err, len, "appenddirname can't be a path, just a dirname");
	return 0;
}

static int
config_check_pow2(const char *s, long long v, char *err, size_t len)
{
	(void)s;
	if ((v & (v - 1)) != 0)
		return config_err(err, len, "argument must be a power of two");
	return 0;
}

static int
config_set_bind(struct config *cfg, const struct config_directive *cd,
    char **argv, int argc, char *err, size_t len)
{
	char *v[CONFIG_BIND_MAX];
	int i;

	(void)cd;
	if (argc > CONFIG_BIND_MAX)
		return config_err(
		    err, len, "Too many bind addresses specified.");
	/* A single empty argument means no address at all. */
	if (argc == 1 && argv[0][0] == '\0')
		argc = 0;
	for (i = 0; i < argc; i++) {
		if ((v[i] = strdup(argv[i])) == NULL) {
			while (i-- > 0)
				free(v[i]);
			return config_err(err, len, "out of memory");
		}
	}
	for (i = 0; i < cfg->cf_nbind; i++)
		free(cfg->cf_bind[i]);
	for (i = 0; i < argc; i++)
		cfg->cf_bind[i] = v[i];
	for (; i < CONFIG_BIND_MAX; i++)
		cfg->cf_bind[i] = NULL;
	cfg->cf_nbind = argc;
	return 0;
}

/* Append to buf as snprintf() would, keeping track of the length wanted. */
static void
config_cat(char *buf, size_t len, size_t *off, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(*off < len ? buf + *off : NULL,
	    *off < len ? len - *off : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		*off += (size_t)n;
}

static int
config_format_bind(const struct config *cfg, const struct config_directive *cd,
    char *buf, size_t len)
{
	size_t off = 0;
	int i;

	(void)cd;
	if (len > 0)
		buf[0] = '\0';
	for (i = 0; i < cfg->cf_nbind; i++)
		config_cat(
		    buf, len, &off, "%s%s", i ? " " : "", cfg->cf_bind[i]);
	return (int)off;
}

/*
 * save: pairs of seconds (at least 1) and changes (at least 0), checked
 * whole before anything changes.  The first save line of a load drops the
 * defaults; save "" drops everything so far.
 */
static int
config_set_save(struct config *cfg, const struct config_directive *cd,
    char **argv, int argc, char *err, size_t len)
{
	struct config_save *s;
	long long v;
	char *end;
	int i, n;

	(void)cd;
	if (argc == 1 && argv[0][0] == '\0')
		argc = 0;
	if (argc % 2 != 0)
		return config_err(err, len, "Invalid save parameters");
	for (i = 0; i < argc; i++) {
		errno = 0;
		v = strtoll(argv[i], &end, 10);
		if (*end != '\0' || errno != 0 || (i % 2 == 0 && v < 1) ||
		    (i % 2 == 1 && v < 0))
			return config_err(err, len, "Invalid save parameters");
	}
	n = cfg->cf_save_seen ? cfg->cf_nsave : 0;
	if (argc == 0)
		n = 0;
	if ((s = reallocarray(cfg->cf_save, n + argc / 2 + 1, sizeof(*s))) ==
	    NULL)
		return config_err(err, len, "out of memory");
	for (i = 0; i < argc; i += 2) {
		s[n].cs_seconds = strtoll(argv[i], NULL, 10);
		s[n].cs_changes = strtoll(argv[i + 1], NULL, 10);
		n++;
	}
	cfg->cf_save = s;
	cfg->cf_nsave = n;
	cfg->cf_save_seen = 1;
	return 0;
}

static int
config_format_save(const struct config *cfg, const struct config_directive *cd,
    char *buf, size_t len)
{
	size_t off = 0;
	int i;

	(void)cd;
	if (len > 0)
		buf[0] = '\0';
	for (i = 0; i < cfg->cf_nsave; i++)
		config_cat(buf, len, &off, "%s%lld %lld", i ? " " : "",
		    cfg->cf_save[i].cs_seconds, cfg->cf_save[i].cs_changes);
	return (int)off;
}

static int
config_set_notify(struct config *cfg, const struct config_directive *cd,
    char **argv, int argc, char *err, size_t len)
{
	const char *p;
	size_t i;
	int flags = 0;

	(void)cd;
	if (argc != 1)
		return config_err(err, len, "wrong number of arguments");
	for (p = argv[0]; *p != '\0'; p++) {
		if (*p == 'A') {
			flags |= CONFIG_NOTIFY_ALL;
			continue;
		}
		for (i = 0; i < sizeof(config_notify_letters) /
			 sizeof(config_notify_letters[0]);
		     i++)
			if (config_notify_letters[i].nl_letter == *p)
				break;
		if (i ==
		    sizeof(config_notify_letters) /
			sizeof(config_notify_letters[0]))
			return config_err(err, len,
			    "Invalid event class "
			    "character. Use 'Ag$lshzxeKEtmdn'.");
		flags |= config_notify_letters[i].nl_flag;
	}
	cfg->cf_notify_keyspace_events = flags;
	return 0;
}

static int
config_format_notify(const struct config *cfg,
    const struct config_directive *cd, char *buf, size_t len)
{
	char s[32];
	size_t i, n = 0;
	int flags = cfg->cf_notify_keyspace_events;

	(void)cd;
	if ((flags & CONFIG_NOTIFY_ALL) == CONFIG_NOTIFY_ALL) {
		s[n++] = 'A';
		flags &= ~CONFIG_NOTIFY_ALL;
	}
	for (i = 0; i <
	     sizeof(config_notify_letters) / sizeof(config_notify_letters[0]);
	     i++)
		if (flags & config_notify_letters[i].nl_flag)
			s[n++] = config_notify_letters[i].nl_letter;
	s[n] = '\0';
	return snprintf(buf, len, "%s", s);
}

/* Set one directive from its value words; the count is already checked. */
static int
config_apply(struct config *cfg, const struct config_directive *cd, char **argv,
    int argc, char *err, size_t len)
{
	const struct config_enum *e;
	char *end, *s;
	long long v;
	size_t off;

	switch (cd->cd_type) {
	case CONFIG_T_BOOL:
		if (strcasecmp(argv[0], "yes") == 0)
			*config_intp(cfg, cd) = 1;
		else if (strcasecmp(argv[0], "no") == 0)
			*config_intp(cfg, cd) = 0;
		else
			return config_err(
			    err, len, "argument must be 'yes' or 'no'");
		return 0;
	case CONFIG_T_INT:
	case CONFIG_T_OCTAL:
	case CONFIG_T_MEMORY:
		if (cd->cd_type == CONFIG_T_INT) {
			if (config_strtoll(argv[0], &v) == -1)
				return config_err(err, len,
				    "argument couldn't "
				    "be parsed into an integer");
		} else if (cd->cd_type == CONFIG_T_OCTAL) {
			errno = 0;
			v = strtoll(argv[0], &end, 8);
			if (errno != 0 || *end != '\0')
				return config_err(err, len,
				    "argument couldn't "
				    "be parsed as an octal number");
		} else if (config_memtoll(argv[0], &v) == -1)
			return config_err(
			    err, len, "argument must be a memory value");
		if (v < cd->cd_min || v > cd->cd_max)
			return config_err(err, len,
			    cd->cd_type == CONFIG_T_OCTAL ?
				"argument must be between %llo "
				"and %llo inclusive" :
				"argument must be between "
				"%lld and %lld inclusive",
			    (unsigned long long)cd->cd_min,
			    (unsigned long long)cd->cd_max);
		if (cd->cd_check != NULL &&
		    cd->cd_check(argv[0], v, err, len) == -1)
			return -1;
		if (cd->cd_type == CONFIG_T_MEMORY)
			*config_llp(cfg, cd) = v;
		else
			*config_intp(cfg, cd) = (int)v;
		return 0;
	case CONFIG_T_STRING:
		if (cd->cd_check != NULL &&
		    cd->cd_check(argv[0], 0, err, len) == -1)
			return -1;
		if ((s = strdup(argv[0])) == NULL)
			return config_err(err, len, "out of memory");
		free(*config_strp(cfg, cd));
		*config_strp(cfg, cd) = s;
		return 0;
	case CONFIG_T_ENUM:
		for (e = cd->cd_enum; e->ce_name != NULL; e++) {
			if (strcasecmp(argv[0], e->ce_name) == 0) {
				*config_intp(cfg, cd) = e->ce_value;
				return 0;
			}
		}
		off = 0;
		config_cat(err, len, &off,
		    "argument(s) must be one of the following: ");
		for (e = cd->cd_enum; e->ce_name != NULL; e++)
			config_cat(err, len, &off, "%s%s",
			    e == cd->cd_enum ? "" : ", ", e->ce_name);
		return -1;
	case CONFIG_T_SPECIAL:
		return cd->cd_set(cfg, cd, argv, argc, err, len);
	}
	return config_err(err, len, "unknown directive type");
}

/*
 * Set a directive from the words after its name, enforcing the count as a
 * config file line does.
 */
static int
config_set_words(struct config *cfg, const struct config_directive *cd,
    char **argv, int argc, char *err, size_t len)
{
	struct config_argv split = { NULL, 0, 0 };
	int r;

	if (!(cd->cd_flags & CONFIG_F_MULTI_ARG)) {
		if (argc != 1)
			return config_err(
			    err, len, "wrong number of arguments");
		return config_apply(cfg, cd, argv, argc, err, len);
	}
	if (argc != 1 || argv[0][0] == '\0')
		return config_apply(cfg, cd, argv, argc, err, len);
	/* One non-empty argument to a multi-value directive: split it. */
	switch (config_splitargs(argv[0], &split)) {
	case -1:
		return config_err(
		    err, len, "Unbalanced quotes in configuration line");
	case -2:
		return config_err(err, len, "out of memory");
	}
	r = config_apply(cfg, cd, split.ca_v, split.ca_c, err, len);
	config_argv_free(&split);
	return r;
}

const struct config_alias config_aliases[] = {
	{ "list-max-ziplist-size", "list-max-listpack-size" },
	{ "hash-max-ziplist-entries", "hash-max-listpack-entries" },
	{ "hash-max-ziplist-value", "hash-max-listpack-value" },
	{ "zset-max-ziplist-entries", "zset-max-listpack-entries" },
	{ "zset-max-ziplist-value", "zset-max-listpack-value" },
	{ NULL, NULL }
};

const char *
config_alias_of(const struct config_directive *cd)
{
	const struct config_alias *ca;

	for (ca = config_aliases; ca->ca_alias != NULL; ca++)
		if (strcmp(ca->ca_name, cd->cd_name) == 0)
			return ca->ca_alias;
	return NULL;
}

const struct config_directive *
config_lookup(const char *name)
{
	const struct config_directive *cd;
	const struct config_alias *ca;

	for (ca = config_aliases; ca->ca_alias != NULL; ca++)
		if (strcasecmp(ca->ca_alias, name) == 0) {
			name = ca->ca_name;
			break;
		}
	for (cd = config_directives; cd->cd_name != NULL; cd++)
		if (strcasecmp(cd->cd_name, name) == 0)
			return cd;
	return NULL;
}

int
config_set(struct config *cfg, const char *name, char *const argv[], int argc,
    char *errbuf, size_t errlen)
{
	const struct config_directive *cd;

	if ((cd = config_lookup(name)) == NULL)
		return config_err(errbuf, errlen,
		    "Bad directive or wrong number of arguments");
	return config_set_words(
	    cfg, cd, (char **)(uintptr_t)argv, argc, errbuf, errlen);
}

int
config_format(const struct config *cfg, const struct config_directive *cd,
    char *buf, size_t len)
{
	const struct config_enum *e;
	const char *s;

	switch (cd->cd_type) {
	case CONFIG_T_BOOL:
		return snprintf(
		    buf, len, "%s", *config_cint(cfg, cd) ? "yes" : "no");
	case CONFIG_T_INT:
		return snprintf(buf, len, "%d", *config_cint(cfg, cd));
	case CONFIG_T_OCTAL:
		return snprintf(
		    buf, len, "%o", (unsigned)*config_cint(cfg, cd));
	case CONFIG_T_MEMORY:
		return snprintf(buf, len, "%lld", *config_cll(cfg, cd));
	case CONFIG_T_STRING:
		s = *config_cstr(cfg, cd);
		return snprintf(buf, len, "%s", s != NULL ? s : "");
	case CONFIG_T_ENUM:
		for (e = cd->cd_enum; e->ce_name != NULL; e++)
			if (e->ce_value == *config_cint(cfg, cd))
				return snprintf(buf, len, "%s", e->ce_name);
		return snprintf(buf, len, "%s", "");
	case CONFIG_T_SPECIAL:
		return cd->cd_format(cfg, cd, buf, len);
	}
	return -1;
}

/*
 * Structure.
 */

int
config_init(struct config *cfg)
{
	const struct config_directive *cd;
	struct config_argv a = { NULL, 0, 0 };
	char err[CONFIG_ERR_MAX];
	int r;

	memset(cfg, 0, sizeof(*cfg));
	for (cd = config_directives; cd->cd_name != NULL; cd++) {
		if (config_argv_push(
			&a, cd->cd_default, strlen(cd->cd_default)) == -1) {
			config_argv_free(&a);
			config_free(cfg);
			return -1;
		}
		r = config_set_words(cfg, cd, a.ca_v, a.ca_c, err, sizeof(err));
		config_argv_free(&a);
		if (r == -1) {
			config_free(cfg);
			return -1;
		}
	}
	/* The defaults do not count as a save line of the file. */
	cfg->cf_save_seen = 0;
	return 0;
}

void
config_free(struct config *cfg)
{
	const struct config_directive *cd;
	int i;

	for (cd = config_directives; cd->cd_name != NULL; cd++) {
		if (cd->cd_type == CONFIG_T_STRING) {
			free(*config_strp(cfg, cd));
			*config_strp(cfg, cd) = NULL;
		}
	}
	for (i = 0; i < cfg->cf_nbind; i++)
		free(cfg->cf_bind[i]);
	free(cfg->cf_save);
	memset(cfg, 0, sizeof(*cfg));
}

int
config_copy(struct config *dst, const struct config *src)
{
	const struct config_directive *cd;
	char **sp;
	int i;

	*dst = *src;
	for (cd = config_directives; cd->cd_name != NULL; cd++)
		if (cd->cd_type == CONFIG_T_STRING)
			*config_strp(dst, cd) = NULL;
	for (i = 0; i < CONFIG_BIND_MAX; i++)
		dst->cf_bind[i] = NULL;
	dst->cf_nbind = 0;
	dst->cf_save = NULL;
	dst->cf_nsave = 0;
	for (cd = config_directives; cd->cd_name != NULL; cd++) {
		if (cd->cd_type != CONFIG_T_STRING)
			continue;
		sp = config_strp(dst, cd);
		if (*config_cstr(src, cd) != NULL &&
		    (*sp = strdup(*config_cstr(src, cd))) == NULL)
			goto fail;
	}
	for (i = 0; i < src->cf_nbind; i++) {
		if ((dst->cf_bind[i] = strdup(src->cf_bind[i])) == NULL)
			goto fail;
		dst->cf_nbind = i + 1;
	}
	if ((dst->cf_save = calloc((size_t)src->cf_nsave + 1,
		 sizeof(*dst->cf_save))) == NULL)
		goto fail;
	if (src->cf_nsave > 0)
		memcpy(dst->cf_save, src->cf_save,
		    (size_t)src->cf_nsave * sizeof(*dst->cf_save));
	dst->cf_nsave = src->cf_nsave;
	return 0;
fail:
	config_free(dst);
	return -1;
}

const char *
config_arena_name(const struct config *cfg, char *buf, size_t len)
{
	if (cfg->cf_arena_name != NULL && cfg->cf_arena_name[0] != '\0')
		snprintf(buf, len, "%s", cfg->cf_arena_name);
	else
		snprintf(buf, len, "/hydra-%d", cfg->cf_port);
	return buf;
}

/*
 * Reading.
 */

static int
config_fail(struct config_error *err, const char *source, int line,
    const char *text, const char *fmt, ...)
{
	va_list ap;

	snprintf(err->ce_source, sizeof(err->ce_source), "%s",
	    source != NULL ? source : "");
	err->ce_line = line;
	snprintf(
	    err->ce_text, sizeof(err->ce_text), "%s", text != NULL ? text : "");
	va_start(ap, fmt);
	vsnprintf(err->ce_msg, sizeof(err->ce_msg), fmt, ap);
	va_end(ap);
	return -1;
}

/* Read a whole file into a malloc'd string.  NULL with errno set. */
static char *
config_slurp(const char *path)
{
	FILE *fp;
	char *buf = NULL, *nbuf;
	size_t len = 0, cap = 0, n;
	int saved;

	if ((fp = fopen(path, "r")) == NULL)
		return NULL;
	for (;;) {
		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 8192;
			if ((nbuf = realloc(buf, cap)) == NULL)
				goto fail;
			buf = nbuf;
		}
		n = fread(buf + len, 1, cap - len - 1, fp);
		len += n;
		if (n == 0) {
			if (ferror(fp)) {
				errno = EIO;
				goto fail;
			}
			break;
		}
	}
	fclose(fp);
	buf[len] = '\0';
	return buf;
fail:
	saved = errno;
	free(buf);
	fclose(fp);
	errno = saved;
	return NULL;
}

/* Load one file; `depth' counts the includes that led here. */
static int
config_parse_file(
    struct config *cfg, const char *path, int depth, struct config_error *err)
{
	char *text;
	int r;

	if ((text = config_slurp(path)) == NULL)
		return config_fail(err, path, 0, NULL,
		    "can't open config file '%s': %s", path, strerror(errno));
	r = config_parse(cfg, text, path, depth, err);
	free(text);
	return r;
}

/* include: a file, or every match of a glob in order. */
static int
config_include(struct config *cfg, const char *path, int depth,
    const char *source, int line, const char *text, struct config_error *err)
{
	char msg[CONFIG_ERR_MAX];
	glob_t g;
	size_t i;
	int r = 0;

	if (depth >= CONFIG_INCLUDE_DEPTH)
		return config_fail(err, source, line, text,
		    "include nesting deeper than %d (an include loop?)",
		    CONFIG_INCLUDE_DEPTH);
	if (strpbrk(path, "*?[") == NULL) {
		r = config_parse_file(cfg, path, depth + 1, err);
		if (r == -1 && err->ce_line == 0) {
			/* An include that cannot be opened blames its line. */
			snprintf(msg, sizeof(msg), "%s", err->ce_msg);
			config_fail(err, source, line, text, "%s", msg);
		}
		return r;
	}
	switch (glob(path, 0, NULL, &g)) {
	case 0:
		break;
	case GLOB_NOMATCH:
		return 0;
	default:
		return config_fail(err, source, line, text,
		    "can't expand include pattern '%s'", path);
	}
	for (i = 0; i < g.gl_pathc && r == 0; i++) {
		r = config_parse_file(cfg, g.gl_pathv[i], depth + 1, err);
		if (r == -1 && err->ce_line == 0) {
			snprintf(msg, sizeof(msg), "%s", err->ce_msg);
			config_fail(err, source, line, text, "%s", msg);
		}
	}
	globfree(&g);
	return r;
}

static int
config_parse(struct config *cfg, const char *text, const char *source,
    int depth, struct config_error *err)
{
	const struct config_directive *cd;
	struct config_argv a = { NULL, 0, 0 };
	const char *p = text, *nl, *b, *e;
	char *line = NULL, *nline;
	char msg[CONFIG_ERR_MAX];
	size_t cap = 0, n;
	int lineno = 0, r = 0;

	for (; r == 0 && *p != '\0'; p = *nl != '\0' ? nl + 1 : nl) {
		lineno++;
		if ((nl = strchr(p, '\n')) == NULL)
			nl = p + strlen(p);
		for (b = p; b < nl && strchr(" \t\r", *b) != NULL; b++)
			;
		for (e = nl; e > b && strchr(" \t\r", e[-1]) != NULL; e--)
			;
		if (b == e || *b == '#')
			continue;
		n = (size_t)(e - b);
		if (n + 1 > cap) {
			if ((nline = realloc(line, n + 1)) == NULL) {
				r = config_fail(
				    err, source, lineno, NULL, "out of memory");
				break;
			}
			line = nline;
			cap = n + 1;
		}
		memcpy(line, b, n);
		line[n] = '\0';

		switch (config_splitargs(line, &a)) {
		case -1:
			r = config_fail(err, source, lineno, line,
			    "Unbalanced quotes in configuration line");
			continue;
		case -2:
			r = config_fail(
			    err, source, lineno, line, "out of memory");
			continue;
		}
		if (a.ca_c == 0)
			continue;
		if ((cd = config_lookup(a.ca_v[0])) != NULL) {
			if (config_set_words(cfg, cd, a.ca_v + 1, a.ca_c - 1,
				msg, sizeof(msg)) == -1)
				r = config_fail(
				    err, source, lineno, line, "%s", msg);
		} else if (strcasecmp(a.ca_v[0], "include") == 0 && a.ca_c == 2)
			r = config_include(
			    cfg, a.ca_v[1], depth, source, lineno, line, err);
		else
			r = config_fail(err, source, lineno, line,
			    "Bad directive or wrong number of arguments");
		config_argv_free(&a);
	}
	config_argv_free(&a);
	free(line);
	return r;
}

int
config_load_string(struct config *cfg, const char *text, const char *source,
    struct config_error *err)
{
	return config_parse(cfg, text, source, 0, err);
}

int
config_load_file(struct config *cfg, const char *path, struct config_error *err)
{
	return config_parse_file(cfg, path, 0, err);
}

/* The bytes sdscatrepr() escapes with a backslash, and their letters. */
#define CONFIG_REPR_FROM	"\\\"\n\r\t\a\b"
#define CONFIG_REPR_TO		"\\\"nrtab"

/* Append `s' quoted as sdscatrepr() quotes, so that splitargs undoes it. */
static int
config_repr(char **buf, size_t *len, size_t *cap, const char *s)
{
	char *nbuf;

	/* At most four bytes per byte, two quotes, a blank and a NUL. */
	if (*len + strlen(s) * 4 + 4 > *cap) {
		size_t ncap = (*len + strlen(s) * 4 + 4) * 2;

		if ((nbuf = realloc(*buf, ncap)) == NULL)
			return -1;
		*buf = nbuf;
		*cap = ncap;
	}
	(*buf)[(*len)++] = '"';
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		char *o = *buf + *len;
		const char *esc;

		if (c != '\0' && (esc = strchr(CONFIG_REPR_FROM, c)) != NULL) {
			o[0] = '\\';
			o[1] = CONFIG_REPR_TO[esc - CONFIG_REPR_FROM];
			*len += 2;
			continue;
		}
		if (isprint(c))
			(*buf)[(*len)++] = (char)c;
		else {
			snprintf(o, 5, "\\x%02x", c);
			*len += 4;
		}
	}
	(*buf)[(*len)++] = '"';
	(*buf)[*len] = '\0';
	return 0;
}

static int
config_cat_raw(char **buf, size_t *len, size_t *cap, const char *s)
{
	size_t n = strlen(s);
	char *nbuf;

	if (*len + n + 1 > *cap) {
		size_t ncap = (*len + n + 1) * 2;

		if ((nbuf = realloc(*buf, ncap)) == NULL)
			return -1;
		*buf = nbuf;
		*cap = ncap;
	}
	memcpy(*buf + *len, s, n + 1);
	*len += n;
	return 0;
}

char *
config_args_to_string(int argc, char *const argv[])
{
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int i, named = 0, have_value = 1;

	if (config_cat_raw(&buf, &len, &cap, "") == -1)
		return NULL;
	for (i = 0; i < argc; i++) {
		const char *a = argv[i];

		/* "--x" names a directive unless the last one still waits. */
		if (have_value && a[0] == '-' && a[1] == '-') {
			if (named &&
			    config_cat_raw(&buf, &len, &cap, "\n") == -1)
				goto fail;
			if (config_cat_raw(&buf, &len, &cap, a + 2) == -1 ||
			    config_cat_raw(&buf, &len, &cap, " ") == -1)
				goto fail;
			named = 1;
			/* "--port 7000" as one word carries its own value. */
			have_value = strpbrk(a + 2, " \t") != NULL;
			if (!have_value && strcasecmp(a, "--save") == 0 &&
			    (i == argc - 1 ||
				(argv[i + 1][0] == '-' &&
				    argv[i + 1][1] == '-'))) {
				if (config_cat_raw(&buf, &len, &cap, "\"\"") ==
				    -1)
					goto fail;
				have_value = 1;
			}
		} else {
			if (config_repr(&buf, &len, &cap, a) == -1 ||
			    config_cat_raw(&buf, &len, &cap, " ") == -1)
				goto fail;
			have_value = 1;
		}
	}
	return buf;
fail:
	free(buf);
	return NULL;
}

int
config_load(struct config *cfg, const char *path, int argc, char *const argv[],
    struct config_error *err)
{
	char *text;
	int r;

	if (path != NULL && config_load_file(cfg, path, err) == -1)
		return -1;
	if (argc == 0)
		return 0;
	if ((text = config_args_to_string(argc, argv)) == NULL)
		return config_fail(
		    err, "command line", 0, NULL, "out of memory");
	r = config_load_string(cfg, text, "command line", err);
	free(text);
	return r;
}

void
config_error_print(const struct config_error *err, FILE *fp)
{
	if (err->ce_line == 0) {
		fprintf(fp, "Fatal error, %s\n", err->ce_msg);
		return;
	}
	fprintf(fp, "\n*** FATAL CONFIG FILE ERROR (hydra) ***\n");
	if (err->ce_source[0] != '\0')
		fprintf(fp,
		    "Reading the configuration file, at line %d "
		    "of %s\n",
		    err->ce_line, err->ce_source);
	else
		fprintf(fp, "Reading the configuration file, at line %d\n",
		    err->ce_line);
	fprintf(fp, ">>> '%s'\n", err->ce_text);
	fprintf(fp, "%s\n", err->ce_msg);
}

enum log_level
config_log_level(int loglevel, int verbose)
{
	int	 level;

	switch (loglevel) {
	case CONFIG_LOG_DEBUG:
		level = LOG_LEVEL_DEBUG;
		break;
	case CONFIG_LOG_VERBOSE:
		level = LOG_LEVEL_VERBOSE;
		break;
	case CONFIG_LOG_WARNING:
		level = LOG_LEVEL_WARNING;
		break;
	default:
		level = LOG_LEVEL_NOTICE;
		break;
	}
	level += verbose;
	return (level > LOG_LEVEL_DEBUG ? LOG_LEVEL_DEBUG : level);
}
