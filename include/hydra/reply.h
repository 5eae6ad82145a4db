/*
 * reply.h: the reply encoder, values in and protocol bytes out.
 *
 * Each client owns one struct reply_buf.  Commands append their replies to
 * it with the reply_*() functions, which write the bytes Redis 7.0 writes
 * for the same reply in the connection's protocol version (RESP2 or
 * RESP3, the rb_proto field, which HELLO may change between replies).  The
 * writer hands reply_buf_data() to the socket and drops what was sent with
 * reply_buf_consume().
 *
 * A reply whose length is known only at its end (an array built while a
 * keyspace is walked) reserves its header with reply_deferred_len() and
 * fills it in with reply_set_deferred_*(); the bytes sent are exactly
 * those of a header written in place, with no padding.  Bytes from a
 * pending header on are not handed to the writer until it is filled in.
 *
 * The buffer lives in private memory and never grows past rb_max bytes;
 * the caller compares reply_buf_len() with its own, lower limits and
 * closes a client that does not read.  An append that fails (rb_max
 * reached, or no memory) leaves the reply stream incomplete, so the
 * failure is sticky: every later append fails too, and the caller must
 * close the connection.
 *
 * The encoder does no I/O and takes no locks; one belongs to one client.
 */
#ifndef HYDRA_REPLY_H
#define HYDRA_REPLY_H

#include <stddef.h>

#define REPLY_RESP2		2
#define REPLY_RESP3		3

#define REPLY_BUF_MAX_DEFAULT	(1024UL * 1024 * 1024) /* the hard cap */
#define REPLY_BUF_CHUNK		(16 * 1024)	/* PROTO_REPLY_CHUNK_BYTES */
#define REPLY_BUF_KEEP		(64 * 1024)	/* kept when drained */

/*
 * Called once for each error reply appended, with its first word (the
 * code, without the '-': "ERR", "WRONGTYPE").
 */
typedef void	(*reply_error_fn)(void *arg, const char *code, size_t len);

/*
 * The output buffer of one client.  The caller sets rb_proto and may
 * lower rb_max; the rest is private to reply.c.
 */
struct reply_buf {
	int		 rb_proto;	/* REPLY_RESP2 or REPLY_RESP3 */
	size_t		 rb_max;	/* bytes held at most */

	int		 rb_errno;	/* why an append failed, or 0 */
	char		*rb_data;
	size_t		 rb_size;	/* allocated bytes of rb_data */
	size_t		 rb_start;	/* first byte not yet consumed */
	size_t		 rb_end;	/* one past the last byte */

	size_t		*rb_defer;	/* offsets of pending headers */
	size_t		 rb_ndefer;	/* handles in use, set or not */
	size_t		 rb_defersize;

	/* Set by the caller: sees every error reply once (statistics). */
	reply_error_fn	 rb_on_error;
	void		*rb_on_error_arg;
	unsigned long	 rb_nerrors;	/* error replies appended */
};

/* Prepare an empty buffer for protocol 2 or 3 with the default cap. */
void	 reply_buf_init(struct reply_buf *, int proto);

/* Release the buffer's memory; reply_buf_init() makes it usable again. */
void	 reply_buf_free(struct reply_buf *);

/*
 * Drop every byte and pending header and forget a failure; keep memory
 * and the error hook.
 */
void	 reply_buf_reset(struct reply_buf *);

/* Bytes held, sent or not, including those behind a pending header. */
size_t	 reply_buf_len(const struct reply_buf *);

/* 0, or the errno of the append that failed (ENOBUFS, ENOMEM). */
int	 reply_buf_error(const struct reply_buf *);

/*
 * The bytes ready to be written: *lenp of them, up to the first pending
 * header.  The pointer is valid until the next call on the buffer.
 */
const char *reply_buf_data(const struct reply_buf *, size_t *lenp);

/*
 * Drop the first n bytes, which must not exceed what reply_buf_data()
 * returned.  A drained buffer bigger than REPLY_BUF_KEEP is freed.
 */
void	 reply_buf_consume(struct reply_buf *, size_t n);

/*
 * The appenders.  Each returns 0, or -1 with errno set and the buffer
 * failed (see above); a failed call appends nothing.
 */

/* Bytes already encoded, appended as they are. */
int	 reply_raw(struct reply_buf *, const void *, size_t);

/* "+text": a CR or LF inside the text becomes a space. */
int	 reply_status(struct reply_buf *, const char *);
int	 reply_status_len(struct reply_buf *, const char *, size_t);

/*
 * "-CODE text": CRs and LFs at either end of the text are dropped and
 * those inside become spaces; then a text that does not start with '-'
 * gets "-ERR " in front, and one that does is sent as it is (the caller
 * chose the code, as in "-WRONGTYPE ...").
 */
int	 reply_error(struct reply_buf *, const char *);
int	 reply_error_len(struct reply_buf *, const char *, size_t);
int	 reply_errorf(struct reply_buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));

/* ":n". */
int	 reply_int(struct reply_buf *, long long);

/*
 * Write v in decimal to buf, which has room for 20 bytes, without a NUL;
 * the length.  What "%lld" prints, without printf's cost.
 */
size_t	 reply_fmt_ll(char *, long long);

/* "$len" and the bytes; a NULL C string is a null bulk. */
int	 reply_bulk(struct reply_buf *, const void *, size_t);
int	 reply_bulk_cstr(struct reply_buf *, const char *);
int	 reply_bulk_ll(struct reply_buf *, long long);

/* RESP2 "$-1" and "*-1"; RESP3 "_" for both. */
int	 reply_null(struct reply_buf *);
int	 reply_null_array(struct reply_buf *);

/*
 * Aggregate headers.  RESP2 has arrays only: a map of n pairs is an
 * array of 2n elements, a set or a push an array of n.
 */
int	 reply_array_len(struct reply_buf *, long);
int	 reply_map_len(struct reply_buf *, long);
int	 reply_set_len(struct reply_buf *, long);
int	 reply_push_len(struct reply_buf *, long);

/*
 * RESP3 ",d"; RESP2 a bulk of the same text.  Finite values are printed
 * with "%.17g"; the others as "inf", "-inf", "nan" and "-nan".
 */
int	 reply_double(struct reply_buf *, double);

/* RESP3 "#t" or "#f"; RESP2 ":1" or ":0". */
int	 reply_bool(struct reply_buf *, int);

/* RESP3 "=len" with a three-letter format ("txt"); RESP2 a bulk. */
int	 reply_verbatim(struct reply_buf *, const char *, size_t,
	    const char *ext);

/* RESP3 "(digits"; RESP2 a bulk.  The digits are not checked. */
int	 reply_bignum(struct reply_buf *, const char *, size_t);

/*
 * Reserve an aggregate header whose count comes later.  Returns a handle
 * (0 or more) or -1.  Each handle must be set exactly once, before the
 * buffer is reset; handles may nest and be set in any order.
 */
long	 reply_deferred_len(struct reply_buf *);
int	 reply_set_deferred_array(struct reply_buf *, long, long);
int	 reply_set_deferred_map(struct reply_buf *, long, long);
int	 reply_set_deferred_set(struct reply_buf *, long, long);

#endif /* HYDRA_REPLY_H */
