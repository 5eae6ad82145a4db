/*
 * cmd_connection_internal.h: what the connection commands share among
 * their files: cmd_connection.c registers CLIENT, which lives in
 * cmd_client.c, and auth.c asks CLIENT's subcommand table for the name a
 * request runs under.
 *
 * Run by workers.  Takes no locks.
 */
#ifndef HYDRA_CMD_CONNECTION_INTERNAL_H
#define HYDRA_CMD_CONNECTION_INTERNAL_H

#include <stddef.h>

struct client;

/* The CLIENT command. */
void	 cmd_client(struct client *, int argc, const char *const *argv,
	    const size_t *argvlen);

/*
 * Set the client's name from a request argument (CLIENT SETNAME, HELLO
 * SETNAME), or reply Redis's error.  0, or -1 when an error was replied.
 */
int	 cmd_connection_setname(struct client *, const char *, size_t);

/*
 * The full name of a CLIENT request ("client|list"), or NULL when its
 * subcommand is unknown; *arity_ok says whether the subcommand has the
 * right number of arguments.
 */
const char *cmd_client_subcommand(int argc, const char *const *argv,
	    const size_t *argvlen, int *arity_ok);

#endif /* HYDRA_CMD_CONNECTION_INTERNAL_H */
