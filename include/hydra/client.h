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
#include <stdint.h>

#include "hydra/reply.h"
#include "hydra/resp.h"
#include "hydra/scoreboard.h"

struct blocking_client;
struct keyspace;
struct worker;

#define CLIENT_READ_CHUNK	(16 * 1024)	/* PROTO_IOBUF_LEN */

#define CLIENT_F_CLOSE_AFTER_REPLY	0x01	/* QUIT, protocol error */
#define CLIENT_F_CLOSE_ASAP		0x02	/* drop without writing */
#define CLIENT_F_WRITE_WAIT		0x04	/* writable interest is set */
#define CLIENT_F_NO_EVICT		0x08	/* CLIENT NO-EVICT on */
#define CLIENT_F_UNIX			0x10	/* a Unix-domain socket */
#define CLIENT_F_RENAMED		0x20	/* name or library changed since
						   the scoreboard last saw it */
#define CLIENT_F_REPLY_OFF		0x40	/* CLIENT REPLY OFF */
#define CLIENT_F_REPLY_SKIP_NEXT	0x80	/* CLIENT REPLY SKIP ran */
#define CLIENT_F_REPLY_SKIP		0x100	/* no reply to this command */
#define CLIENT_F_BLOCKED		0x200	/* waits in cl_block */

struct client {
	int			 cl_fd;
	int			 cl_flags;	/* CLIENT_F_* */
	unsigned		 cl_db;		/* the selected database */
	struct keyspace		*cl_ks;		/* the worker's handle */
	struct worker		*cl_worker;	/* NULL outside a worker */
	uint64_t		 cl_id;		/* CLIENT ID (0: no worker) */
	int			 cl_authenticated; /* AUTH passed, or no
						   password was set at
						   connection */
	char			*cl_name;	/* CLIENT SETNAME; NULL: none */
	char			*cl_lib_name;	/* CLIENT SETINFO; NULL: none */
	char			*cl_lib_ver;
	const char		*cl_lastcmd;	/* "get", "client|list"; NULL
						   before a known command */
	size_t			 cl_argv_mem;	/* of the command running */
	int64_t			 cl_created_ms;	/* realtime */
	int64_t			 cl_last_ms;	/* last read or write */
	char			 cl_addr[SB_ADDR_MAX];	/* "ip:port" */
	char			 cl_laddr[SB_ADDR_MAX];

	char			*cl_qbuf;	/* the query buffer */
	size_t			 cl_qcap;
	size_t			 cl_qstart;	/* first byte not yet parsed */
	size_t			 cl_qend;	/* one past the last byte */
	size_t			 cl_qmax;	/* the query buffer limit */

	struct resp_parser	 cl_parser;
	struct reply_buf	 cl_reply;
	struct blocking_client	*cl_block;	/* BLPOP & co. waiting */
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
 * Fill cl_addr and cl_laddr as Redis prints them: "ip:port",
 * "[ipv6]:port", or for a Unix socket "path:0" with the path given.
 */
void		 client_set_addrs(struct client *, const char *unixpath);

/*
 * Set (an empty string: clear) the client's name, as CLIENT SETNAME and
 * HELLO SETNAME do, or one of its library attributes (CLIENT SETINFO).
 * 0, or -1 with errno EINVAL when the value has a character outside '!'
 * to '~' (Redis's rule), or ENOMEM.
 */
int		 client_set_name(struct client *, const char *, size_t);
int		 client_set_lib(struct client *, int ver, const char *,
		    size_t);

/* The flags as CLIENT LIST prints them ("N", "e", "cU", ...). */
void		 client_flags_string(const struct client *,
		    char buf[SB_FLAGS_MAX]);

/*
 * Describe the client in a scoreboard entry: its numbers, flags, database,
 * protocol and last command always; with `full' its addresses, name and
 * library too.  Touches neither sc_seq, sc_id nor sc_kill: the caller
 * brackets the writes of a shared entry with scoreboard_client_begin()
 * and _end().
 */
void		 client_describe(const struct client *, struct sb_client *,
		    int full);

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
