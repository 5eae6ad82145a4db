/*
 * command_internal.h: what the command families share with command.c: their
 * tables and a few helpers for handlers.
 *
 * Run by workers.  Takes no locks.
 */
#ifndef HYDRA_COMMAND_INTERNAL_H
#define HYDRA_COMMAND_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "hydra/command.h"

/* One family's commands. */
struct command_family {
	const struct command	*cf_commands;
	size_t			 cf_count;
};

extern const struct command_family	cmd_connection_family;
extern const struct command_family	cmd_client_family;
extern const struct command_family	cmd_string_family;
extern const struct command_family	cmd_keys_family;
extern const struct command_family	cmd_dump_family;
extern const struct command_family	cmd_list_family;
extern const struct command_family	cmd_sort_family;
extern const struct command_family	cmd_memory_family;
extern const struct command_family	cmd_zset_family;
extern const struct command_family	cmd_zset_range_family;
extern const struct command_family	cmd_zset_ops_family;
extern const struct command_family	cmd_set_family;
extern const struct command_family	cmd_hash_family;
extern const struct command_family	cmd_server_family;
extern const struct command_family	cmd_persist_family;
extern const struct command_family	cmd_command_family;

/* ACL categories, in the order Redis lists them. */
#define CMD_ACL_KEYSPACE	0x000001
#define CMD_ACL_READ		0x000002
#define CMD_ACL_WRITE		0x000004
#define CMD_ACL_SET		0x000008
#define CMD_ACL_SORTEDSET	0x000010
#define CMD_ACL_LIST		0x000020
#define CMD_ACL_HASH		0x000040
#define CMD_ACL_STRING		0x000080
#define CMD_ACL_BITMAP		0x000100
#define CMD_ACL_HYPERLOGLOG	0x000200
#define CMD_ACL_GEO		0x000400
#define CMD_ACL_STREAM		0x000800
#define CMD_ACL_PUBSUB		0x001000
#define CMD_ACL_ADMIN		0x002000
#define CMD_ACL_FAST		0x004000
#define CMD_ACL_SLOW		0x008000
#define CMD_ACL_BLOCKING	0x010000
#define CMD_ACL_DANGEROUS	0x020000
#define CMD_ACL_CONNECTION	0x040000
#define CMD_ACL_TRANSACTION	0x080000
#define CMD_ACL_SCRIPTING	0x100000

/*
 * What COMMAND INFO and COMMAND DOCS tell about a command beyond its
 * table entry, in hydra's own words (command_doc.c).  A command without
 * one is listed with what its entry says.
 */
struct command_doc {
	const char	*dc_name;	/* as in the table: "config|get" */
	const char	*dc_summary;
	const char	*dc_since;	/* the Redis version that added it */
	const char	*dc_group;	/* "string", "generic", "server", ... */
	const char	*dc_complexity;	/* or NULL */
	int		 dc_acl;	/* declared categories, CMD_ACL_* */
	const char	*dc_tips;	/* blank-separated, or NULL */
	const char	*dc_keyflags;	/* of its key spec; NULL: derived */
	/*
	 * Its arguments, blank-separated, each "[?]name:type[...][@TOKEN]":
	 * '?' optional, "..." repeated, @TOKEN the word before it.  NULL:
	 * none.
	 */
	const char	*dc_args;
};

/* The documentation of the entry called name, or NULL. */
const struct command_doc *command_doc_lookup(const char *name);

/* Every ACL category of a command: declared ones and those of its flags. */
int	 command_acl(const struct command *);

/* The name of ACL category bit i (0 to 20), without the '@'. */
const char *command_acl_name(int i);

/* Redis's shared error texts. */
#define CMD_ERR_SYNTAX		"-ERR syntax error"
#define CMD_ERR_LOADING		"-LOADING Redis is loading the dataset in memory"
#define CMD_ERR_MISCONF		"-MISCONF Redis is configured to save RDB " \
	"snapshots, but it's currently unable to persist to disk. Commands " \
	"that may modify the data set are disabled, because this instance " \
	"is configured to report errors during writes if RDB snapshotting " \
	"fails (stop-writes-on-bgsave-error option). Please check the Redis " \
	"logs for details about the RDB error."
#define CMD_ERR_NOT_INT		"-ERR value is not an integer or out of range"
#define CMD_ERR_WRONGTYPE	\
	"-WRONGTYPE Operation against a key holding the wrong kind of value"
#define CMD_ERR_OOM		\
	"-OOM command not allowed when used memory > 'maxmemory'."

/*
 * The reply of CMD HELP: Redis's first line, the given lines (subcommands
 * and their descriptions), then HELP's own.
 */
void	 command_reply_help(struct client *, const char *cmd,
	    const char *const *lines, size_t n);

/*
 * "-ERR unknown subcommand or wrong number of arguments for 'sub'. Try
 * CMD HELP.".
 */
void	 command_reply_subcommand_error(struct client *, const char *cmd,
	    const char *sub, size_t len);

/* INFO, in cmd_info.c. */
void	 cmd_info(struct client *, int argc, const char *const *argv,
	    const size_t *argvlen);

/*
 * The handler of a container whose arity requires a subcommand: the
 * dispatcher runs the subcommand's own entry instead, so this only
 * answers a container called with no subcommand, as an arity error.
 */
void	 command_container_proc(struct client *, int argc,
	    const char *const *argv, const size_t *argvlen);

/*
 * A read of a key, for INFO's keyspace_hits and keyspace_misses: the
 * commands that Redis counts (those that read a key's value or its
 * existence, not the ones that look a key up to change it) call this
 * once per key they look up.
 */
void	 command_count_lookup(struct client *, int hit);

/*
 * Lock the stripe of a key in the client's database and find its live
 * entry, for a command of one type (OBJ_*).  0 with the stripe locked and
 * *ep the entry (or NULL when the key is missing); -1, with the stripe
 * unlocked and WRONGTYPE answered, when the key holds another type.
 * `reading': count the lookup as a hit or a miss.
 */
struct ks_key;
struct ks_stripe;
struct entry;
int	 command_find_typed(struct client *, int type, struct ks_key *,
	    const char *key, size_t klen, int reading, struct ks_stripe **stp,
	    const struct entry **ep);

/*
 * Redis's ranks start..end of a sequence of n (negative ones count from
 * the end; LRANGE, ZRANGE): 0 when the range is empty, else 1 with
 * [*from, *to] within the sequence.
 */
int	 command_range(long long start, long long end, long long n,
	    long long *from, long long *to);

/*
 * The arguments of LMPOP, ZMPOP and their blocking forms: numkeys (at
 * argv[ni]: 1, or 2 after a timeout) key [key ...] WHERE [COUNT count],
 * WHERE being one of the two words w[0] and w[1] (*where gets 0 or 1;
 * *count 1 when not given).  0, or -1 after the error reply.
 */
int	 command_mpop_args(struct client *, int argc, const char *const *argv,
	    const size_t *argvlen, int ni, const char *const w[2],
	    long long *numkeys, int *where, long long *count);

/*
 * Lock the numkeys keys from argv[ni + 1] in m and find the first that
 * exists, which must be of `type': its index, with *ep its entry; numkeys
 * when none exists; -2 after WRONGTYPE (m locked in these three cases);
 * -1 after an out-of-memory reply (nothing locked).
 */
struct ks_multi;
long long command_mpop_find(struct client *, struct ks_multi *m,
	    const char *const *argv, const size_t *argvlen, int ni,
	    long long numkeys, int type, const struct entry **ep);

/*
 * A blocking command's timeout in seconds, as Redis 7.0 reads it: a long
 * double, in milliseconds rounded up; a product out of a long long's
 * range is negative (x86's conversion gives the minimum).  0 with *ms
 * (0: for ever; a deadline past the clock's range is for ever too, as
 * it is in Redis), or -1 after the error.
 */
int	 command_block_timeout(struct client *, const char *arg, size_t len,
	    long long *ms);

/*
 * Block the client on the first n keys of m (locked): a wait of kind
 * `kind' (blocking.h, with its two arguments) answered through bc, whose
 * callbacks and timeout the caller set.  0 blocked (bc is the worker's
 * now); 1 when the client may not block (outside a worker: nothing is
 * answered, the caller answers as a timeout); -1 after an out-of-memory
 * reply.  The caller frees bc but when 0.
 */
struct blocking_client;
int	 command_block(struct client *, struct ks_multi *m, size_t n,
	    struct blocking_client *bc, int kind, uint32_t arg0,
	    uint32_t arg1);

/* "-ERR wrong number of arguments for 'name' command". */
void	 command_reply_arity(struct client *, const char *name);

/*
 * Parse argv as Redis's string2ll() does: an optional '-', digits, no
 * leading zero, no blanks, within a long long (intset_parse()).  0, or -1.
 */
int	 command_parse_ll(const char *s, size_t len, long long *out);

/*
 * Parse argv as Redis's string2ld() does, in long double: no blank in
 * front, nothing after, no NaN, no overflow; "inf" is taken.  0, or -1.
 */
#define COMMAND_LD_MAX	(5 * 1024)	/* MAX_LONG_DOUBLE_CHARS */
int	 command_parse_ld(const char *s, size_t len, long double *out);

/*
 * Print a finite v into buf (COMMAND_LD_MAX bytes, no NUL) as Redis's
 * INCRBYFLOAT and HINCRBYFLOAT do: "%.17Lf" without trailing zeroes or a
 * bare '.', and "-0" as "0".  The length.
 */
size_t	 command_fmt_ld(char *buf, long double v);

/*
 * Parse a SCAN-family cursor as Redis 7.0's parseScanCursorOrReply() does,
 * with strtoul(): up to a NUL, no leading blank, nothing after the digits,
 * within range.  0, or -1 after the "invalid cursor" reply.
 */
#define COMMAND_CURSOR_MAX	32	/* digits of a cursor, and then some */
int	 command_scan_cursor(struct client *, const char *arg, size_t len,
	    uint64_t *cursor);

/* The head of a SCAN reply: a two-element array, the next cursor first. */
void	 command_reply_cursor(struct client *, uint64_t cursor);

/* The options of SCAN, HSCAN, SSCAN and ZSCAN. */
struct command_scan {
	long long	 sc_count;	/* COUNT, 10 when not given */
	long long	 sc_steps;	/* steps left after the first */
	const char	*sc_pat;	/* MATCH; NULL: none, or the lone "*" */
	size_t		 sc_patlen;
	const char	*sc_type;	/* SCAN's TYPE, to a NUL; NULL: none */
	size_t		 sc_typelen;
};

/*
 * Read the options from argv[first] as Redis 7.0's scanGenericCommand()
 * does: MATCH pattern, COUNT count (at least 1) and, when `typed', TYPE
 * type.  0, or -1 after the error reply.
 */
int	 command_scan_args(struct client *, int argc, const char *const *argv,
	    const size_t *argvlen, int first, int typed,
	    struct command_scan *);

/*
 * Does the element s pass the scan's MATCH?  (SCAN's TYPE is the
 * caller's to test.)
 */
int	 command_scan_match(const struct command_scan *, const char *s,
	    size_t len);

/*
 * After a step that led to `cursor', with `seen' elements gathered
 * (before any filter; a pair counts two, as Redis counts them): is
 * another step due?  Steps go on until the scan is complete, COUNT
 * elements were seen, or ten times COUNT steps followed the first.
 */
int	 command_scan_more(struct command_scan *, uint64_t cursor,
	    uint64_t seen);

/* The reply of a scan of a missing key: cursor 0, no elements. */
void	 command_reply_scan_empty(struct client *);

/*
 * Milliseconds since the epoch, on the realtime clock: while a command
 * runs in a worker, the time it started at (as Redis takes the time once
 * per command).
 */
int64_t	 command_now_ms(void);

/* Is argv equal to the ASCII word `w', in any case? */
int	 command_arg_is(const char *arg, size_t len, const char *w);

#endif /* HYDRA_COMMAND_INTERNAL_H */
