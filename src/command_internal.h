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
extern const struct command_family	cmd_string_family;
extern const struct command_family	cmd_keys_family;

/* Redis's shared error texts. */
#define CMD_ERR_SYNTAX		"-ERR syntax error"
#define CMD_ERR_NOT_INT		"-ERR value is not an integer or out of range"
#define CMD_ERR_WRONGTYPE	\
	"-WRONGTYPE Operation against a key holding the wrong kind of value"
#define CMD_ERR_OOM		\
	"-OOM command not allowed when used memory > 'maxmemory'."

/* "-ERR wrong number of arguments for 'name' command". */
void	 command_reply_arity(struct client *, const char *name);

/*
 * Parse argv as Redis's string2ll() does: an optional '-', digits, no
 * leading zero, no blanks, within a long long.  0, or -1.
 */
int	 command_parse_ll(const char *s, size_t len, long long *out);

/* Milliseconds since the epoch, on the realtime clock. */
int64_t	 command_now_ms(void);

/* Is argv equal to the ASCII word `w', in any case? */
int	 command_arg_is(const char *arg, size_t len, const char *w);

#endif /* HYDRA_COMMAND_INTERNAL_H */
