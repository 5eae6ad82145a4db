/*
 * cmd_connection_internal.h: what the connection commands of
 * cmd_connection.c and cmd_client.c share.
 *
 * Run by workers.  Takes no locks.
 */
#ifndef HYDRA_CMD_CONNECTION_INTERNAL_H
#define HYDRA_CMD_CONNECTION_INTERNAL_H

#include <stddef.h>

struct client;

/*
 * Set the client's name from a request argument (CLIENT SETNAME, HELLO
 * SETNAME), or reply Redis's error.  0, or -1 when an error was replied.
 */
int	 cmd_connection_setname(struct client *, const char *, size_t);

#endif /* HYDRA_CMD_CONNECTION_INTERNAL_H */
