/*
 * config.h: hydra's configuration, read from redis.conf syntax and from
 * "--directive value" arguments.
 *
 * Every directive is one entry of config_directives[]: its name (Redis's
 * name wherever Redis has one), its type, its default, its flags and the
 * offset of its field in struct config.  The rest of the program reads the
 * plain fields (cfg->cf_port); CONFIG GET and CONFIG SET can be built on
 * config_lookup(), config_format() and config_set().
 *
 * A struct config owns the strings it points to.  Loading changes it in
 * place and may leave it half changed on error, so a reload fills a fresh
 * struct and swaps it in only when the load succeeded.
 */
#ifndef HYDRA_CONFIG_H
#define HYDRA_CONFIG_H

#include <stddef.h>
#include <stdio.h>

#include "hydra/log.h"

#define CONFIG_BIND_MAX 16	/* CONFIG_BINDADDR_MAX in Redis */
#define CONFIG_INCLUDE_DEPTH 16 /* nested includes before we call it a loop */
#define CONFIG_ERR_MAX 256	/* an error message, with NUL */
#define CONFIG_LINE_MAX 1024	/* the offending line kept in an error */
#define CONFIG_SOURCE_MAX 1024	/* the file name kept in an error */

/* Redis clamps hz into this range when it applies the value. */
#define CONFIG_HZ_MIN 1
#define CONFIG_HZ_MAX 500

enum config_loglevel {
	CONFIG_LOG_DEBUG,
	CONFIG_LOG_VERBOSE,
	CONFIG_LOG_NOTICE,
	CONFIG_LOG_WARNING
};

enum config_supervised {
	CONFIG_SUPERVISED_NO,
	CONFIG_SUPERVISED_UPSTART,
	CONFIG_SUPERVISED_SYSTEMD,
	CONFIG_SUPERVISED_AUTO
};

/* enable-debug-command: who may run DEBUG. */
enum config_debug {
	CONFIG_DEBUG_NO,
	CONFIG_DEBUG_YES,
	CONFIG_DEBUG_LOCAL	/* loopback and Unix socket clients */
};

enum config_fsync {
	CONFIG_FSYNC_NO,
	CONFIG_FSYNC_ALWAYS,
	CONFIG_FSYNC_EVERYSEC
};

enum config_maxmemory_policy {
	CONFIG_MAXMEMORY_VOLATILE_LRU,
	CONFIG_MAXMEMORY_VOLATILE_LFU,
	CONFIG_MAXMEMORY_VOLATILE_RANDOM,
	CONFIG_MAXMEMORY_VOLATILE_TTL,
	CONFIG_MAXMEMORY_ALLKEYS_LRU,
	CONFIG_MAXMEMORY_ALLKEYS_LFU,
	CONFIG_MAXMEMORY_ALLKEYS_RANDOM,
	CONFIG_MAXMEMORY_NOEVICTION
};

/* notify-keyspace-events classes, with Redis's letters. */
#define CONFIG_NOTIFY_KEYSPACE 0x0001 /* K */
#define CONFIG_NOTIFY_KEYEVENT 0x0002 /* E */
#define CONFIG_NOTIFY_GENERIC 0x0004  /* g */
#define CONFIG_NOTIFY_STRING 0x0008   /* $ */
#define CONFIG_NOTIFY_LIST 0x0010     /* l */
#define CONFIG_NOTIFY_SET 0x0020      /* s */
#define CONFIG_NOTIFY_HASH 0x0040     /* h */
#define CONFIG_NOTIFY_ZSET 0x0080     /* z */
#define CONFIG_NOTIFY_EXPIRED 0x0100  /* x */
#define CONFIG_NOTIFY_EVICTED 0x0200  /* e */
#define CONFIG_NOTIFY_STREAM 0x0400   /* t */
#define CONFIG_NOTIFY_KEY_MISS 0x0800 /* m */
#define CONFIG_NOTIFY_MODULE 0x2000   /* d */
#define CONFIG_NOTIFY_NEW 0x4000      /* n */
#define CONFIG_NOTIFY_ALL \
	(CONFIG_NOTIFY_GENERIC | CONFIG_NOTIFY_STRING | CONFIG_NOTIFY_LIST | \
	    CONFIG_NOTIFY_SET | CONFIG_NOTIFY_HASH | CONFIG_NOTIFY_ZSET | \
	    CONFIG_NOTIFY_EXPIRED | CONFIG_NOTIFY_EVICTED | \
	    CONFIG_NOTIFY_STREAM | CONFIG_NOTIFY_MODULE) /* A */

/* One "save <seconds> <changes>" point. */
struct config_save {
	long long cs_seconds;
	long long cs_changes;
};

struct config {
	/* Network. */
	int cf_port;
	char *cf_bind[CONFIG_BIND_MAX];
	int cf_nbind;
	char *cf_unixsocket; /* "" when unset */
	int cf_unixsocketperm;
	int cf_protected_mode;
	int cf_tcp_backlog;
	int cf_timeout;
	int cf_tcp_keepalive;
	int cf_maxclients;
	long long cf_proto_max_bulk_len;
	long long cf_client_query_buffer_limit;
	char *cf_requirepass; /* "" when unset */

	/* Process. */
	int cf_daemonize;
	int cf_supervised; /* enum config_supervised */
	int cf_enable_debug_command; /* enum config_debug */
	char *cf_pidfile;  /* "" when unset */
	char *cf_logfile;  /* "" means standard output */
	int cf_loglevel;   /* enum config_loglevel */
	int cf_syslog_enabled;
	char *cf_syslog_ident;
	int cf_syslog_facility; /* a LOG_* facility */
	int cf_hz;		/* as set; see CONFIG_HZ_MIN */

	/* Data. */
	int cf_databases;
	char *cf_dir; /* the caller changes directory */
	char *cf_dbfilename;
	struct config_save *cf_save;
	int cf_nsave;
	int cf_save_seen; /* a save line was read this load */
	int cf_stop_writes_on_bgsave_error;
	int cf_rdbcompression;
	int cf_rdbchecksum;
	int cf_appendonly;
	char *cf_appendfilename;
	char *cf_appenddirname;
	int cf_appendfsync; /* enum config_fsync */
	long long cf_maxmemory;
	int cf_maxmemory_policy; /* enum config_maxmemory_policy */
	int cf_maxmemory_samples;
	int cf_notify_keyspace_events; /* CONFIG_NOTIFY_* */
	int cf_list_max_listpack_size; /* a list node's limit (list.h) */
	int cf_list_compress_depth;    /* kept; nodes are never compressed */
	int cf_hash_max_listpack_entries; /* packed encoding limits */
	long long cf_hash_max_listpack_value;
	int cf_set_max_intset_entries;
	int cf_zset_max_listpack_entries;
	long long cf_zset_max_listpack_value;

	/* hydra's own. */
	int cf_workers; /* 0: one per online CPU */
	long long cf_arena_size;
	char *cf_arena_name; /* "": see config_arena_name() */
	int cf_arena_keep;   /* a clean shutdown leaves the arena */
	int cf_stripes;	     /* per database, a power of two */
	int cf_lock_watchdog_ms; /* kill a lock holder after; 0: never */
};

enum config_type {
	CONFIG_T_BOOL,	 /* yes or no, in an int */
	CONFIG_T_INT,	 /* decimal, in an int */
	CONFIG_T_OCTAL,	 /* octal, in an int */
	CONFIG_T_MEMORY, /* bytes with optional unit, in a long long */
	CONFIG_T_STRING, /* a malloc'd char * */
	CONFIG_T_ENUM,	 /* one name of cd_enum, in an int */
	CONFIG_T_SPECIAL /* cd_set and cd_format do the work */
};

#define CONFIG_F_MUTABLE 0x01	/* CONFIG SET may change it */
#define CONFIG_F_PROTECTED 0x02 /* Redis's PROTECTED_CONFIG */
#define CONFIG_F_SENSITIVE 0x04 /* never log the value */
#define CONFIG_F_MULTI_ARG 0x08 /* takes several arguments */
#define CONFIG_F_HYDRA 0x10	/* hydra's own, not Redis's */
#define CONFIG_F_LISTEN 0x20	/* names the listening sockets, which */
				/* only the supervisor opens, at start */

struct config_enum {
	const char *ce_name;
	int ce_value;
};

struct config_directive {
	const char *cd_name;
	enum config_type cd_type;
	int cd_flags;		/* CONFIG_F_* */
	size_t cd_offset;	/* of the field in struct config */
	const char *cd_default; /* as written in a config file */
	long long cd_min;	/* numeric types: the bounds */
	long long cd_max;
	const struct config_enum *cd_enum; /* CONFIG_T_ENUM: NULL-ended */
	/* Further checks of a parsed value: 0, or -1 with a message. */
	int (*cd_check)(const char *, long long, char *, size_t);
	/* CONFIG_T_SPECIAL: set from arguments, format for CONFIG GET. */
	int (*cd_set)(struct config *, const struct config_directive *, char **,
	    int, char *, size_t);
	int (*cd_format)(const struct config *, const struct config_directive *,
	    char *, size_t);
};

/* Every directive, ended by an entry with a NULL name. */
extern const struct config_directive config_directives[];

/*
 * Redis's older names that still work (hash-max-ziplist-entries for
 * hash-max-listpack-entries), ended by an entry with a NULL alias.
 */
struct config_alias {
	const char *ca_alias;
	const char *ca_name;
};

extern const struct config_alias config_aliases[];

/* The alias of a directive, or NULL. */
const char *config_alias_of(const struct config_directive *);

/* Where loading failed. */
struct config_error {
	char ce_source[CONFIG_SOURCE_MAX]; /* file, "command line", ... */
	int ce_line;			   /* 1-based; 0: not about a line */
	char ce_text[CONFIG_LINE_MAX];	   /* the line, trimmed */
	char ce_msg[CONFIG_ERR_MAX];	   /* Redis's text where it has one */
};

/* Fill `cfg' with the defaults.  0, or -1 if out of memory. */
int config_init(struct config *cfg);
void config_free(struct config *cfg);

/*
 * The log level of a loglevel directive value (CONFIG_LOG_*), raised one
 * step by each of `verbose' (hydrad -v), as an enum log_level (log.h).
 */
enum log_level config_log_level(int loglevel, int verbose);

/*
 * Make `dst' a copy of `src' that owns copies of all its strings, so that
 * changing or freeing one never touches the other.  0, or -1 if out of
 * memory (then `dst' holds nothing to free).
 */
int config_copy(struct config *dst, const struct config *src);

/*
 * Apply redis.conf text.  `source' names it in errors (a file name, or
 * "command line").  Includes are opened relative to the current directory,
 * as Redis opens them; a path with * ? or [ is a glob, and one that matches
 * nothing is skipped.  0, or -1 with `err' filled.
 */
int config_load_string(struct config *cfg, const char *text, const char *source,
    struct config_error *err);
int config_load_file(
    struct config *cfg, const char *path, struct config_error *err);

/*
 * Turn "--name value ..." arguments into config lines, as redis-server
 * does: each "--name" starts a line, the arguments that follow are quoted
 * onto it, and a "--save" with nothing after it means save "".  Returns a
 * malloc'd string, or NULL if out of memory.
 */
char *config_args_to_string(int argc, char *const argv[]);

/* The file (or NULL) then the arguments, as redis-server reads them. */
int config_load(struct config *cfg, const char *path, int argc,
    char *const argv[], struct config_error *err);

/* Print the error as redis-server does before it exits. */
void config_error_print(const struct config_error *err, FILE *fp);

/* The directive called `name' (any case), or NULL. */
/* A directive by its name or alias, in any case; NULL if none. */
const struct config_directive *config_lookup(const char *name);

/*
 * Set one directive from its arguments (not counting the name), with the
 * checks a config file line gets.  Mutability is the caller's business:
 * CONFIG SET looks at CONFIG_F_MUTABLE first.  0, or -1 with Redis's
 * message in `errbuf'.
 */
int config_set(struct config *cfg, const char *name, char *const argv[],
    int argc, char *errbuf, size_t errlen);

/*
 * Write the value as CONFIG GET shows it: memory as plain bytes, booleans
 * as yes/no, save as "3600 1 300 100 60 10000".  Returns what snprintf()
 * returns: the length wanted, not counting the NUL.
 */
int config_format(const struct config *cfg, const struct config_directive *cd,
    char *buf, size_t len);

/* "1gb" and friends: k=1000, kb=1024, m, mb, g, gb, any case.  0 or -1. */
int config_memtoll(const char *s, long long *out);

/* arena-name, or "/hydra-<port>" when it is empty. */
const char *config_arena_name(const struct config *cfg, char *buf, size_t len);

#endif /* HYDRA_CONFIG_H */
