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
extern const struct command_family	cmd_list_family;
extern const struct command_family	cmd_sort_family;
extern const struct command_family	cmd_server_family;
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

/* "-ERR wrong number of arguments for 'name' command". */
void	 command_reply_arity(struct client *, const char *name);

/*
 * Parse argv as Redis's string2ll() does: an optional '-', digits, no
 * leading zero, no blanks, within a long long.  0, or -1.
 */
int	 command_parse_ll(const char *s, size_t len, long long *out);

/*
 * Milliseconds since the epoch, on the realtime clock: while a command
 * runs in a worker, the time it started at (as Redis takes the time once
 * per command).
 */
int64_t	 command_now_ms(void);

/* Is argv equal to the ASCII word `w', in any case? */
int	 command_arg_is(const char *arg, size_t len, const char *w);

#endif /* HYDRA_COMMAND_INTERNAL_H */
