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
 *
 * What CLIENT LIST says of a client is written here too: its addresses
 * in Redis's notation, its name, and its description in a scoreboard
 * entry, which the worker publishes for the other workers to read.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hydra/blocking.h"
#include "hydra/client.h"
#include "hydra/compat.h"

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
	/* The worker lowers this for a client that must AUTH first. */
	cl->cl_parser.rp_authenticated = 1;
	cl->cl_authenticated = 1;
	cl->cl_created_ms = cl->cl_last_ms = compat_realtime_ms();
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
	free(cl->cl_name);
	free(cl->cl_lib_name);
	free(cl->cl_lib_ver);
	free(cl);
}

/* One address as Redis prints it; an empty string when there is none. */
static void
client_format_addr(const struct sockaddr_storage *ss, socklen_t len,
    const char *unixpath, char *out, size_t size)
{
	char	 ip[INET6_ADDRSTRLEN];

	out[0] = '\0';
	if (len == 0)
		return;
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)ss;

		if (inet_ntop(AF_INET, &sin->sin_addr, ip, sizeof(ip)) !=
		    NULL)
			snprintf(out, size, "%s:%u", ip,
			    (unsigned)ntohs(sin->sin_port));
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const void *)ss;

		if (inet_ntop(AF_INET6, &sin6->sin6_addr, ip, sizeof(ip)) !=
		    NULL)
			snprintf(out, size, "[%s]:%u", ip,
			    (unsigned)ntohs(sin6->sin6_port));
	} else if (ss->ss_family == AF_UNIX)
		snprintf(out, size, "%s:0", unixpath != NULL ? unixpath : "");
}

void
client_set_addrs(struct client *cl, const char *unixpath)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len;

	len = sizeof(ss);
	memset(&ss, 0, sizeof(ss));
	if (getpeername(cl->cl_fd, (struct sockaddr *)&ss, &len) == -1)
		len = 0;
	if (len > 0 && ss.ss_family == AF_UNIX)
		cl->cl_flags |= CLIENT_F_UNIX;
	client_format_addr(&ss, len, unixpath, cl->cl_addr,
	    sizeof(cl->cl_addr));
	len = sizeof(ss);
	memset(&ss, 0, sizeof(ss));
	if (getsockname(cl->cl_fd, (struct sockaddr *)&ss, &len) == -1)
		len = 0;
	client_format_addr(&ss, len, unixpath, cl->cl_laddr,
	    sizeof(cl->cl_laddr));
}

/*
 * Replace *dst with a copy of s[0..len), or with NULL when len is 0;
 * every byte must be a printable, non-blank ASCII character.
 */
static int
client_set_attr(struct client *cl, char **dst, const char *s, size_t len)
{
	char	*p = NULL;
	size_t	 i;

	for (i = 0; i < len; i++)
		if (s[i] < '!' || s[i] > '~') {
			errno = EINVAL;
			return (-1);
		}
	if (len > 0) {
		if ((p = malloc(len + 1)) == NULL)
			return (-1);
		memcpy(p, s, len);
		p[len] = '\0';
	}
	free(*dst);
	*dst = p;
	cl->cl_flags |= CLIENT_F_RENAMED;
	return (0);
}

int
client_set_name(struct client *cl, const char *s, size_t len)
{
	return (client_set_attr(cl, &cl->cl_name, s, len));
}

int
client_set_lib(struct client *cl, int ver, const char *s, size_t len)
{
	return (client_set_attr(cl, ver ? &cl->cl_lib_ver :
	    &cl->cl_lib_name, s, len));
}

void
client_flags_string(const struct client *cl, char buf[SB_FLAGS_MAX])
{
	char	*p = buf;

	/* Redis's letters, in Redis's order. */
	if (cl->cl_flags & CLIENT_F_BLOCKED)
		*p++ = 'b';
	if (cl->cl_flags & CLIENT_F_CLOSE_AFTER_REPLY)
		*p++ = 'c';
	if (cl->cl_flags & CLIENT_F_CLOSE_ASAP)
		*p++ = 'A';
	if (cl->cl_flags & CLIENT_F_UNIX)
		*p++ = 'U';
	if (cl->cl_flags & CLIENT_F_NO_EVICT)
		*p++ = 'e';
	if (p == buf)
		*p++ = 'N';
	*p = '\0';
}

/* Copy a C string into a fixed field, cut to fit; NULL is empty. */
static void
client_copy_field(char *dst, size_t size, const char *src)
{
	size_t	 n = src == NULL ? 0 : strlen(src);

	if (n >= size)
		n = size - 1;
	if (n > 0)
		memcpy(dst, src, n);
	dst[n] = '\0';
}

void
client_describe(const struct client *cl, struct sb_client *sc, int full)
{
	size_t	 pending;

	sc->sc_fd = cl->cl_fd;
	sc->sc_db = (int32_t)cl->cl_db;
	sc->sc_resp = cl->cl_reply.rb_proto;
	sc->sc_created_ms = cl->cl_created_ms;
	sc->sc_last_ms = cl->cl_last_ms;
	sc->sc_qbuf = cl->cl_qend - cl->cl_qstart;
	sc->sc_qbuf_free = cl->cl_qcap - cl->cl_qend;
	sc->sc_argv_mem = cl->cl_argv_mem;
	/*
	 * The first chunk of the reply buffer plays the part of Redis's
	 * static buffer (obl); what is beyond it, its reply list (omem).
	 */
	pending = reply_buf_len(&cl->cl_reply);
	sc->sc_obl = pending < REPLY_BUF_CHUNK ? pending : REPLY_BUF_CHUNK;
	sc->sc_omem = pending - sc->sc_obl;
	sc->sc_tot_mem = sizeof(*cl) + cl->cl_qcap + cl->cl_reply.rb_size +
	    cl->cl_argv_mem;
	client_flags_string(cl, sc->sc_flags);
	if (cl->cl_block != NULL) {
		sc->sc_wait = cl->cl_block->bc_wait.bw_waiter.u;
		sc->sc_wait_ticket = cl->cl_block->bc_wait.bw_ticket;
	} else
		sc->sc_wait = sc->sc_wait_ticket = 0;
	client_copy_field(sc->sc_cmd, sizeof(sc->sc_cmd), cl->cl_lastcmd);
	if (!full)
		return;
	client_copy_field(sc->sc_addr, sizeof(sc->sc_addr), cl->cl_addr);
	client_copy_field(sc->sc_laddr, sizeof(sc->sc_laddr), cl->cl_laddr);
	client_copy_field(sc->sc_name, sizeof(sc->sc_name), cl->cl_name);
	client_copy_field(sc->sc_lib_name, sizeof(sc->sc_lib_name),
	    cl->cl_lib_name);
	client_copy_field(sc->sc_lib_ver, sizeof(sc->sc_lib_ver),
	    cl->cl_lib_ver);
}

/*
 * Make room for at least `want' more bytes after cl_qend: move the unparsed
 * bytes down first, then grow.  0, or -1 with errno ENOMEM.
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
	/*
	 * The limit counts the whole request read so far, a big bulk
	 * included, as Redis counts its query buffer after each read.
	 */
	if (cl->cl_qend - cl->cl_qstart > cl->cl_qmax) {
		errno = ENOBUFS;
		return (-1);
	}
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
