/*
 * resp.h: the request parser, bytes in and argv out.
 *
 * A client's query buffer is handed to resp_parse() as it grows.  Each
 * call returns at most one command: its arguments point into the buffer
 * (bulks and unquoted inline words) or into storage owned by the parser
 * (inline words that needed unquoting).  A request that is not complete
 * yet costs nothing to retry: the parser remembers how far it got, so a
 * bulk of any size that arrives a byte at a time is examined once.
 *
 * The parser accepts what Redis 7.0 accepts and fails where it fails, with
 * its error texts: "*" requests (multibulk) and plain lines (inline, split
 * like Redis's sdssplitargs).  Empty requests ("*0", "*-1", blank lines)
 * are skipped, as Redis skips them.  After RESP_EPROTO the server replies
 * "-ERR " followed by resp_parser_error() and closes the connection.
 *
 * The parser does no I/O and takes no locks; one belongs to one client.
 */
#ifndef HYDRA_RESP_H
#define HYDRA_RESP_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

/* Redis's limits, under Redis's names in the comments. */
#define RESP_INLINE_MAX_SIZE	(64 * 1024)	/* PROTO_INLINE_MAX_SIZE */
#define RESP_MBULK_MAX		INT_MAX		/* largest "*" count */
#define RESP_BULK_MAX_DEFAULT	(512LL * 1024 * 1024) /* proto-max-bulk-len */
#define RESP_UNAUTH_MBULK_MAX	10		/* "*" count before AUTH */
#define RESP_UNAUTH_BULK_MAX	16384		/* "$" length before AUTH */
#define RESP_BIG_ARG		(32 * 1024)	/* PROTO_MBULK_BIG_ARG */

#define RESP_ERR_MAX		64		/* error text size, with NUL */

/* What resp_parse() found. */
enum resp_status {
	RESP_COMMAND,		/* a complete command */
	RESP_AGAIN,		/* the request is incomplete: read more */
	RESP_EPROTO,		/* a protocol error: reply, then close */
	RESP_ENOMEM		/* no memory for the arguments: close */
};

/* A complete command, valid until the next call or a change of buffer. */
struct resp_command {
	int			 rc_argc;	/* at least 1 */
	const char *const	*rc_argv;	/* not NUL-terminated */
	const size_t		*rc_argvlen;
	size_t			 rc_consumed;	/* bytes the caller drops */
};

/*
 * The parser.  The caller sets the two configuration fields (and may
 * change them between calls, as AUTH succeeds or CONFIG SET runs); the
 * rest is private, except rp_examined, which tests and statistics read.
 */
struct resp_parser {
	long long	 rp_max_bulk_len;	/* RESP_BULK_MAX_DEFAULT */
	int		 rp_authenticated;	/* 0: the stricter limits */

	uint64_t	 rp_examined;	/* bytes scanned for line ends */

	int		 rp_state;	/* RESP_S_*, in resp.c */
	int		 rp_blocked;	/* a NUL stops the line search */
	size_t		 rp_pos;	/* parsed so far of this request */
	size_t		 rp_scan;	/* line end searched for up to here */
	long long	 rp_mbulk_left;	/* bulks still to come */
	long long	 rp_bulk_len;	/* length of the bulk being read */

	int		 rp_argc;
	size_t		 rp_argcap;
	size_t		*rp_off;	/* bulk offsets in the request */
	size_t		*rp_len;
	const char	**rp_argv;
	char		*rp_unq;	/* unquoted inline words */
	size_t		 rp_unqcap;

	char		 rp_err[RESP_ERR_MAX];
};

/* Prepare a parser with the default limits, unauthenticated. */
void	 resp_parser_init(struct resp_parser *);

/* Forget the request in progress; keep the configuration and memory. */
void	 resp_parser_reset(struct resp_parser *);

/* Release the parser's memory; resp_parser_init() makes it usable again. */
void	 resp_parser_free(struct resp_parser *);

/*
 * Parse the next command from buf[0..len).  cmd->rc_consumed is set on
 * RESP_COMMAND and on RESP_AGAIN (empty requests that were skipped); the
 * next call must pass the buffer that starts rc_consumed bytes further on,
 * with the same bytes and perhaps more after them.  After RESP_EPROTO or
 * RESP_ENOMEM every call fails the same way until resp_parser_reset().
 */
enum resp_status resp_parse(struct resp_parser *, const char *buf,
	    size_t len, struct resp_command *cmd);

/* The text of the last protocol error, without the "-ERR " prefix. */
const char *resp_parser_error(const struct resp_parser *);

/*
 * The buffer length below which the next call cannot finish the bulk it
 * is reading, or 0 when unknown; a reader may size its buffer with it.
 */
size_t	 resp_parser_wanted(const struct resp_parser *);

#endif /* HYDRA_RESP_H */
