/*
 * worker.c: a worker process: accept clients on the shared listening
 * sockets, read their requests, run the commands against the arena, write
 * the replies.
 *
 * Run by each worker, forked by the supervisor.  The arena mapping and the
 * listening sockets are inherited; everything else (the event loop, the
 * clients, the command table) is created here, after the fork.  The
 * worker takes the keyspace stripe locks that its commands take (see
 * cmd_*.c), one at a time, never across an event loop iteration.
 *
 * A worker that dies loses only its own connections: the listening
 * sockets stay open in the supervisor and in the other workers, and the
 * kernel wakes one waiting worker per new connection (EVENT_EXCLUSIVE).
 * It exits when the supervisor dies (the parent death signal, and a
 * once-a-second look at getppid() where there is no such signal).
 *
 * Replies are written right after the requests of one read have run,
 * as much as the socket takes; the rest waits for writability.  A client
 * that sent QUIT or a malformed request is closed once its replies are
 * out; one that exceeds its query buffer limit is closed at once.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "hydra/arena.h"
#include "hydra/client.h"
#include "hydra/command.h"
#include "hydra/config.h"
#include "hydra/event.h"
#include "hydra/expire.h"
#include "hydra/keyspace.h"
#include "hydra/log.h"
#include "hydra/resp.h"
#include "hydra/worker.h"

#define WORKER_ACCEPTS_PER_CALL	32	/* leave some for the others */
#define WORKER_SPARE_FDS	32	/* descriptors beyond maxclients */
#define WORKER_PARENT_CHECK_MS	1000

struct worker {
	const struct worker_params *w_params;
	struct keyspace		 w_ks;
	struct expire_cycle	 w_expire;
	struct event_loop	*w_loop;
	struct client		**w_clients;	/* by descriptor */
	int			 w_capacity;
	int			 w_nclients;
};

static void	worker_client_event(struct event_loop *, int, void *, int);

static void
worker_close(struct worker *w, struct client *cl)
{
	int	 fd = cl->cl_fd;

	event_del(w->w_loop, fd, EVENT_READABLE | EVENT_WRITABLE);
	w->w_clients[fd] = NULL;
	w->w_nclients--;
	client_free(cl);
}

/*
 * Write what the client's reply buffer holds; wait for writability if the
 * socket is full, close the client when it asked for that and everything
 * is out.  0, or -1 when the client was closed.
 */
static int
worker_flush(struct worker *w, struct client *cl)
{
	int	 r;

	if (reply_buf_error(&cl->cl_reply) != 0) {
		log_debug("client fd %d: reply buffer failed; closing",
		    cl->cl_fd);
		worker_close(w, cl);
		return (-1);
	}
	r = client_write(cl);
	if (r == -1) {
		worker_close(w, cl);
		return (-1);
	}
	if (r == 0) {
		if (!(cl->cl_flags & CLIENT_F_WRITE_WAIT)) {
			if (event_add(w->w_loop, cl->cl_fd, EVENT_WRITABLE,
			    worker_client_event, w) == -1) {
				log_warn("event_add");
				worker_close(w, cl);
				return (-1);
			}
			cl->cl_flags |= CLIENT_F_WRITE_WAIT;
		}
		return (0);
	}
	if (cl->cl_flags & CLIENT_F_WRITE_WAIT) {
		event_del(w->w_loop, cl->cl_fd, EVENT_WRITABLE);
		cl->cl_flags &= ~CLIENT_F_WRITE_WAIT;
	}
	if (cl->cl_flags & CLIENT_F_CLOSE_AFTER_REPLY) {
		worker_close(w, cl);
		return (-1);
	}
	return (0);
}

/*
 * Run every complete request in the query buffer.  0, or -1 when the
 * client was closed.
 */
static int
worker_process(struct worker *w, struct client *cl)
{
	struct resp_command	 rc;
	enum resp_status	 st;
	const char		*buf;
	size_t			 len;

	while (!(cl->cl_flags & CLIENT_F_CLOSE_AFTER_REPLY)) {
		buf = client_query(cl, &len);
		if (len == 0)
			break;
		st = resp_parse(&cl->cl_parser, buf, len, &rc);
		if (st == RESP_AGAIN) {
			client_query_consume(cl, rc.rc_consumed);
			break;
		}
		if (st == RESP_EPROTO) {
			reply_errorf(&cl->cl_reply, "%s",
			    resp_parser_error(&cl->cl_parser));
			cl->cl_flags |= CLIENT_F_CLOSE_AFTER_REPLY;
			break;
		}
		if (st == RESP_ENOMEM) {
			log_warnx("client fd %d: no memory for a request; "
			    "closing", cl->cl_fd);
			worker_close(w, cl);
			return (-1);
		}
		command_dispatch(cl, rc.rc_argc, rc.rc_argv, rc.rc_argvlen);
		client_query_consume(cl, rc.rc_consumed);
		if (reply_buf_error(&cl->cl_reply) != 0)
			break;
	}
	/* A client on its way out is not read any more. */
	if (cl->cl_flags & CLIENT_F_CLOSE_AFTER_REPLY)
		event_del(w->w_loop, cl->cl_fd, EVENT_READABLE);
	return (worker_flush(w, cl));
}

static void
worker_client_event(struct event_loop *loop, int fd, void *arg, int mask)
{
	struct worker	*w = arg;
	struct client	*cl = w->w_clients[fd];
	long		 n;

	(void)loop;
	if (cl == NULL)
		return;
	if (mask & EVENT_WRITABLE) {
		if (worker_flush(w, cl) == -1)
			return;
	}
	if (!(mask & EVENT_READABLE) ||
	    (cl->cl_flags & CLIENT_F_CLOSE_AFTER_REPLY))
		return;
	n = client_read(cl);
	if (n == 0) {
		worker_close(w, cl);
		return;
	}
	if (n == -1) {
		if (errno == EAGAIN || errno == EINTR)
			return;
		if (errno == ENOBUFS)
			log_info("client fd %d: closed for overcoming of "
			    "the query buffer limit", fd);
		else if (errno != ECONNRESET)
			log_debug("client fd %d: read: %s", fd,
			    strerror(errno));
		worker_close(w, cl);
		return;
	}
	worker_process(w, cl);
}

/* Make an accepted socket ready: non-blocking, no Nagle. */
static int
worker_setup_socket(int fd)
{
	int	 flags, one = 1;

	if ((flags = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, flags | O_NONBLOCK) == -1)
		return (-1);
	/* Fails harmlessly on a Unix socket. */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return (0);
}

static void
worker_accept(struct event_loop *loop, int lfd, void *arg, int mask)
{
	struct worker	*w = arg;
	const struct config *cfg = w->w_params->wp_cfg;
	struct client	*cl;
	int		 fd, i;

	(void)loop;
	(void)mask;
	for (i = 0; i < WORKER_ACCEPTS_PER_CALL; i++) {
		if ((fd = accept(lfd, NULL, NULL)) == -1) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				log_warn("accept");
			return;
		}
		if (fd >= w->w_capacity ||
		    w->w_nclients >= cfg->cf_maxclients) {
			static const char full[] =
			    "-ERR max number of clients reached\r\n";

			(void)write(fd, full, sizeof(full) - 1);
			close(fd);
			continue;
		}
		if (worker_setup_socket(fd) == -1) {
			log_warn("client socket");
			close(fd);
			continue;
		}
		cl = client_new(fd, &w->w_ks,
		    (size_t)cfg->cf_client_query_buffer_limit,
		    cfg->cf_proto_max_bulk_len);
		if (cl == NULL) {
			log_warn("client");
			close(fd);
			continue;
		}
		if (event_add(w->w_loop, fd, EVENT_READABLE,
		    worker_client_event, w) == -1) {
			log_warn("event_add");
			client_free(cl);
			continue;
		}
		w->w_clients[fd] = cl;
		w->w_nclients++;
	}
}

static long long
worker_check_parent(struct event_loop *loop, long long id, void *arg)
{
	struct worker	*w = arg;

	(void)loop;
	(void)id;
	if (getppid() != w->w_params->wp_parent) {
		log_warnx("the supervisor is gone; exiting");
		exit(0);
	}
	return (WORKER_PARENT_CHECK_MS);
}

int
worker_main(const struct worker_params *wp)
{
	struct worker	 w;
	int		 i;

	memset(&w, 0, sizeof(w));
	w.w_params = wp;
	if (keyspace_open(&w.w_ks, wp->wp_arena) == -1) {
		log_warnx("worker %d: the arena has no keyspace",
		    wp->wp_index);
		return (EX_SOFTWARE);
	}
	if (command_init() == -1) {
		log_warn("command table");
		return (EX_OSERR);
	}
	if (wp->wp_cfg->cf_maxclients > INT_MAX - WORKER_SPARE_FDS -
	    wp->wp_nlisten) {
		log_warnx("maxclients %d is too large",
		    wp->wp_cfg->cf_maxclients);
		return (EX_CONFIG);
	}
	w.w_capacity = wp->wp_cfg->cf_maxclients + WORKER_SPARE_FDS +
	    wp->wp_nlisten;
	if ((w.w_clients = calloc((size_t)w.w_capacity,
	    sizeof(*w.w_clients))) == NULL) {
		log_warn("client table");
		return (EX_OSERR);
	}
	if ((w.w_loop = event_create(w.w_capacity,
	    EVENT_BACKEND_DEFAULT)) == NULL) {
		log_warn("event loop");
		return (errno == EINVAL ? EX_CONFIG : EX_OSERR);
	}
	for (i = 0; i < wp->wp_nlisten; i++) {
		if (event_add(w.w_loop, wp->wp_listen[i],
		    EVENT_READABLE | EVENT_EXCLUSIVE, worker_accept,
		    &w) == -1) {
			log_warn("event_add listener");
			return (EX_OSERR);
		}
	}
	if (event_timer_add(w.w_loop, WORKER_PARENT_CHECK_MS,
	    worker_check_parent, &w) == -1) {
		log_warn("event_timer_add");
		return (EX_OSERR);
	}
	/* Entry clocks count accesses under an LFU policy, else keep time. */
	keyspace_set_lfu(&w.w_ks, wp->wp_cfg->cf_maxmemory_policy ==
	    CONFIG_MAXMEMORY_VOLATILE_LFU || wp->wp_cfg->cf_maxmemory_policy ==
	    CONFIG_MAXMEMORY_ALLKEYS_LFU);
	/* Active expiry: this worker's share of the stripes, hz a second. */
	expire_init(&w.w_expire, &w.w_ks, (unsigned)wp->wp_index,
	    (unsigned)wp->wp_nworkers, wp->wp_cfg->cf_hz);
	if (expire_start(w.w_loop, &w.w_expire) == -1) {
		log_warn("event_timer_add");
		return (EX_OSERR);
	}
	log_debug("worker %d: serving with %s", wp->wp_index,
	    event_backend_name(w.w_loop));
	if (event_run(w.w_loop) == -1) {
		log_warn("event loop");
		return (EX_OSERR);
	}
	return (0);
}
