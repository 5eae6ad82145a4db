/*
 * command.h: the command table and the dispatcher.
 *
 * Every command is one struct command: its name, its arity as Redis
 * counts it (the name included; a negative arity -n means "at least n"),
 * its flags, the positions of its keys, and its handler.  Each family of
 * commands (cmd_connection.c, cmd_string.c, ...) declares its own array;
 * command_init() gathers them into one table, looked up by name in any
 * case.  A subcommand is an entry of its own, "parent|sub", reached through
 * its container.  command_dispatch() checks the name and the arity with
 * Redis 7.0's error replies, runs the handler, and counts the call on the
 * worker's scoreboard slot (commandstats, errorstats), as INFO shows them.
 *
 * Run by workers.  The table is private, read-only after command_init();
 * the handlers take the keyspace stripe locks of the keys they touch.
 */
#ifndef HYDRA_COMMAND_H
#define HYDRA_COMMAND_H

#include <stddef.h>

struct client;

/* Flags, after Redis's command flags. */
#define CMD_WRITE	0x01	/* may change the keyspace */
#define CMD_READONLY	0x02	/* reads the keyspace only */
#define CMD_DENYOOM	0x04	/* may need memory */
#define CMD_FAST	0x08	/* O(1) or O(log n) */
#define CMD_NOSCRIPT	0x10
#define CMD_LOADING	0x20	/* allowed while loading */
#define CMD_STALE	0x40
#define CMD_ADMIN	0x80
#define CMD_NO_AUTH	0x100	/* may run before AUTH */
#define CMD_ALLOW_BUSY	0x200
#define CMD_BLOCKING	0x400
#define CMD_PUBSUB	0x800
#define CMD_SKIP_MONITOR 0x1000
#define CMD_SKIP_SLOWLOG 0x2000
#define CMD_MAY_REPLICATE 0x4000
#define CMD_NO_MULTI	0x8000
#define CMD_NO_MANDATORY_KEYS 0x10000
#define CMD_SENTINEL	0x20000
/*
 * A container ("config"): argv[1] names one of its subcommands, which are
 * table entries of their own called "config|get" and so on.
 */
#define CMD_CONTAINER	0x40000
/*
 * argv[1] counts the keys, which follow it (LMPOP): the entry's key
 * positions are 0 and COMMAND reports the keys as movable.
 */
#define CMD_KEYNUM	0x80000
/*
 * Keys beyond the entry's positions come from options or from values
 * (SORT's STORE, BY and GET): COMMAND reports the keys as movable.
 */
#define CMD_MOVABLE	0x100000

/* A handler: argv[0] is the command name, as the client sent it. */
typedef void	(*command_fn)(struct client *, int argc,
		    const char *const *argv, const size_t *argvlen);

struct command {
	const char	*cmd_name;	/* lower case */
	int		 cmd_arity;
	int		 cmd_flags;	/* CMD_* */
	int		 cmd_first_key;	/* 0: no keys */
	int		 cmd_last_key;	/* -1: the last argument */
	int		 cmd_key_step;
	command_fn	 cmd_proc;
};

/* Build the table from the families.  0, or -1 with errno ENOMEM. */
int		 command_init(void);

/* The command called name[0..len) in any case, or NULL. */
const struct command *command_lookup(const char *name, size_t len);

/*
 * The entry a request runs, as the dispatcher finds it: argv[0]'s command,
 * or for a container given a further argument, its subcommand argv[1].
 * NULL when there is none; then *container is the container whose
 * subcommand is unknown, or NULL when argv[0] itself is unknown (a
 * subcommand's full name, "config|get", is no command of its own).
 */
const struct command *command_resolve(int argc, const char *const *argv,
		    const size_t *argvlen, const struct command **container);

/*
 * The number of entries in the table, subcommands included: the number
 * of commandstats lines each scoreboard slot needs.
 */
size_t		 command_count(void);

/* Entry i of the table (sorted by name), 0 <= i < command_count(). */
const struct command *command_at(size_t i);

/* The index of an entry of the table, for its commandstats. */
size_t		 command_index(const struct command *);

/*
 * Count the error replies of a worker's client (protocol errors too) in
 * its worker's errorstats from now on.  The worker calls it when it
 * accepts the client, and again for a reply buffer it swaps in.
 */
void		 command_client_attach(struct client *);

/*
 * Run one request: look the command up, check its arity, call its
 * handler; an unknown command or a wrong arity gets Redis's error reply.
 * Replies go to the client's reply buffer.
 */
void		 command_dispatch(struct client *, int argc,
		    const char *const *argv, const size_t *argvlen);

/*
 * A malloc'd, NUL-ended copy of an argument, cut at its first NUL as a C
 * string is; NULL if out of memory.
 */
char		*command_arg_cstr(const char *arg, size_t len);

#endif /* HYDRA_COMMAND_H */
