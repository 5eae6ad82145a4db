/*
 * client.h: one client connection of a worker, and its I/O.
 *
 * A client owns its socket, its query buffer (bytes read and not yet
 * parsed), its request parser and its reply buffer.  client_read() fills
 * the query buffer, client_write() drains the reply buffer; neither
 * blocks.  The worker decides what to do with the results.
 *
 * Run by workers; a client belongs to one worker for its whole connection.
 * Takes no locks: everything here is private memory.
 */
#ifndef HYDRA_CLIENT_H
#define HYDRA_CLIENT_H

#include <stddef.h>

#include "hydra/reply.h"
#include "hydra/resp.h"

struct keyspace;
struct worker;

#define CLIENT_READ_CHUNK	(16 * 1024)	/* PROTO_IOBUF_LEN */

#define CLIENT_F_CLOSE_AFTER_REPLY	0x01	/* QUIT, protocol error */
#define CLIENT_F_CLOSE_ASAP		0x02	/* drop without writing */
#define CLIENT_F_WRITE_WAIT		0x04	/* writable interest is set */

struct client {
	int			 cl_fd;
	int			 cl_flags;	/* CLIENT_F_* */
	unsigned		 cl_db;		/* the selected database */
	struct keyspace		*cl_ks;		/* the worker's handle */
	struct worker		*cl_worker;	/* NULL outside a worker */

	char			*cl_qbuf;	/* the query buffer */
	size_t			 cl_qcap;
	size_t			 cl_qstart;	/* first byte not yet parsed */
	size_t			 cl_qend;	/* one past the last byte */
	size_t			 cl_qmax;	/* the query buffer limit */

	struct resp_parser	 cl_parser;
	struct reply_buf	 cl_reply;
};

/*
 * A new client for a connected, non-blocking socket.  NULL with errno
 * ENOMEM.  The client owns the descriptor from now on.
 */
struct client	*client_new(int fd, struct keyspace *, size_t qmax,
		    long long max_bulk_len);

/* Close the socket and free the client. */
void		 client_free(struct client *);

/*
 * Read what the socket has into the query buffer.  Returns the bytes
 * read, 0 when the peer closed the connection, -1 with errno EAGAIN when
 * there was nothing to read, ENOBUFS when the query buffer limit was
 * reached, or the error of read(2).
 */
long		 client_read(struct client *);

/* The unparsed bytes of the query buffer. */
const char	*client_query(const struct client *, size_t *lenp);

/* Drop n parsed bytes from the front of the query buffer. */
void		 client_query_consume(struct client *, size_t n);

/*
 * Write as much of the reply buffer as the socket takes.  Returns 1 when
 * the buffer is empty, 0 when bytes remain (the socket would block), -1
 * with errno on a write error.
 */
int		 client_write(struct client *);

#endif /* HYDRA_CLIENT_H */
