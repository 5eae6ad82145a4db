/*
 * client.c: a worker's client connection: its buffers and its
 * non-blocking reads and writes.
 *
 * Run by workers.  Takes no locks: a client lives in the private memory of
 * the worker that accepted it.
 *
 * The query buffer grows by CLIENT_READ_CHUNK, or to what the parser says
 * the bulk in progress needs, up to the client's limit
 * (client-query-buffer-limit); parsed bytes are dropped from the front
 * and the rest moved down only when the buffer would otherwise grow.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hydra/client.h"

struct client *
client_new(int fd, struct keyspace *ks, size_t qmax, long long max_bulk_len)
{
	struct client	*cl;

	if ((cl = calloc(1, sizeof(*cl))) == NULL)
		return (NULL);
	cl->cl_fd = fd;
	cl->cl_ks = ks;
	cl->cl_qmax = qmax;
	resp_parser_init(&cl->cl_parser);
	cl->cl_parser.rp_max_bulk_len = max_bulk_len;
	/* No AUTH yet: every client is trusted with the full limits. */
	cl->cl_parser.rp_authenticated = 1;
	reply_buf_init(&cl->cl_reply, REPLY_RESP2);
	return (cl);
}

void
client_free(struct client *cl)
{
	if (cl == NULL)
		return;
	if (cl->cl_fd != -1)
		close(cl->cl_fd);
	resp_parser_free(&cl->cl_parser);
	reply_buf_free(&cl->cl_reply);
	free(cl->cl_qbuf);
	free(cl);
}

/*
 * Make room for at least `want' more bytes after cl_qend: move the unparsed
 * bytes down first, then grow.  0, or -1 with errno ENOBUFS past the limit
 * or ENOMEM.
 */
static int
client_query_reserve(struct client *cl, size_t want)
{
	size_t	 used, need, cap;
	char	*p;

	if (cl->cl_qcap - cl->cl_qend >= want)
		return (0);
	used = cl->cl_qend - cl->cl_qstart;
	if (cl->cl_qstart > 0) {
		memmove(cl->cl_qbuf, cl->cl_qbuf + cl->cl_qstart, used);
		cl->cl_qstart = 0;
		cl->cl_qend = used;
		if (cl->cl_qcap - cl->cl_qend >= want)
			return (0);
	}
	need = used + want;
	if (used >= cl->cl_qmax) {
		errno = ENOBUFS;
		return (-1);
	}
	cap = cl->cl_qcap == 0 ? CLIENT_READ_CHUNK : cl->cl_qcap;
	while (cap < need)
		cap *= 2;
	if (cap > cl->cl_qmax + CLIENT_READ_CHUNK)
		cap = cl->cl_qmax + CLIENT_READ_CHUNK;
	if (cap < need)
		cap = need;
	if ((p = realloc(cl->cl_qbuf, cap)) == NULL)
		return (-1);
	cl->cl_qbuf = p;
	cl->cl_qcap = cap;
	return (0);
}

long
client_read(struct client *cl)
{
	size_t	 want, wanted, used;
	ssize_t	 n;

	want = CLIENT_READ_CHUNK;
	used = cl->cl_qend - cl->cl_qstart;
	wanted = resp_parser_wanted(&cl->cl_parser);
	if (wanted > used && wanted - used > want)
		want = wanted - used;
	if (client_query_reserve(cl, want) == -1)
		return (-1);
	n = read(cl->cl_fd, cl->cl_qbuf + cl->cl_qend,
	    cl->cl_qcap - cl->cl_qend);
	if (n == -1) {
		if (errno == EWOULDBLOCK)
			errno = EAGAIN;
		return (-1);
	}
	cl->cl_qend += (size_t)n;
	return ((long)n);
}

const char *
client_query(const struct client *cl, size_t *lenp)
{
	*lenp = cl->cl_qend - cl->cl_qstart;
	return (cl->cl_qbuf == NULL ? "" : cl->cl_qbuf + cl->cl_qstart);
}

void
client_query_consume(struct client *cl, size_t n)
{
	cl->cl_qstart += n;
	if (cl->cl_qstart == cl->cl_qend)
		cl->cl_qstart = cl->cl_qend = 0;
}

int
client_write(struct client *cl)
{
	const char	*data;
	size_t		 len;
	ssize_t		 n;

	for (;;) {
		data = reply_buf_data(&cl->cl_reply, &len);
		if (len == 0)
			return (1);
		n = write(cl->cl_fd, data, len);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return (0);
			return (-1);
		}
		reply_buf_consume(&cl->cl_reply, (size_t)n);
	}
}
