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
 *
 * The worker keeps its slot of the scoreboard current: its counters, its
 * client count, and an entry per client (indexed by descriptor), which
 * it rewrites once per processed read so that CLIENT LIST on another
 * worker sees it.  Its wake-up pipe tells it to look at its entries for
 * kill requests from CLIENT KILL on other workers.
 *
 * maxclients counts the clients of every worker, read from the
 * scoreboard when a connection is accepted.  Two workers that accept at
 * the same moment may both see room for one more, so the total can pass
 * maxclients by at most the number of workers less one.
 *
 * A client blocked by BLPOP and the like (blocking.h) runs nothing else
 * until its wait ends: a server on any worker hands it what it waits for
 * and writes our wake-up pipe, CLIENT UNBLOCK does the same, a timer of
 * ours times it out; the cron looks at every wait too, so a lost wake-up
 * costs a tick and a dead server's claim is undone.  Then its callbacks
 * answer it and the commands it sent meanwhile run.  A worker starting
 * in a slot first gives back what was handed to its predecessor's
 * clients and never delivered.
 *
 * Balance: a worker with more than WORKER_BALANCE_SLACK clients above
 * the least loaded live worker stops watching the listening sockets, and
 * watches them again once it is back in line (after a close, or on the
 * next tick of its cron).  The least loaded worker always listens, so a
 * connection is never left in the queue; a worker that stops listening
 * wakes the least loaded one, which then accepts what the queue holds
 * even if the kernel woke no one for it.
 */
#include <sys/types.h>
#include <sys/resource.h>
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
#include "hydra/auth.h"
#include "hydra/blocking.h"
#include "hydra/client.h"
#include "hydra/command.h"
#include "hydra/compat.h"
#include "hydra/config.h"
#include "hydra/config_live.h"
#include "hydra/event.h"
#include "hydra/expire.h"
#include "hydra/keyspace.h"
#include "hydra/object.h"
#include "hydra/lock.h"
#include "hydra/log.h"
#include "hydra/persister.h"
#include "hydra/resp.h"
#include "hydra/scoreboard.h"
#include "hydra/snapshot.h"
#include "hydra/worker.h"

#define WORKER_ACCEPTS_PER_CALL	32	/* leave some for the others */
#define WORKER_SPARE_FDS	32	/* descriptors beyond maxclients */
#define WORKER_PARENT_CHECK_MS	1000
#define WORKER_CRON_MS		100	/* Redis samples its rates as often */
#define WORKER_SAMPLES		16	/* rates are averaged over these */
#define WORKER_BALANCE_SLACK	2	/* clients above the least loaded */

/* The instantaneous rates of INFO, sampled as Redis samples them. */
enum worker_rate {
	WORKER_RATE_OPS,
	WORKER_RATE_INPUT,
	WORKER_RATE_OUTPUT,
	WORKER_NRATES
};

struct worker_sampler {
	uint64_t	 ws_last;		/* the counter, last tick */
	int64_t		 ws_last_ms;
	uint64_t	 ws_sample[WORKER_SAMPLES];	/* per second */
	int		 ws_next;
};

struct worker {
	const struct worker_params *w_params;
	struct config		 w_cfg;		/* live: CONFIG SET changes it */
	struct scoreboard	*w_sb;
	struct sb_worker	*w_slot;	/* this worker's own */
	struct keyspace		 w_ks;
	struct snapshot		 w_snap;	/* takes part in snapshots */
	struct expire_cycle	 w_expire;
	uint64_t		 w_seen[SB_NCOUNTERS]; /* process-wide counts
						   already published */
	struct event_loop	*w_loop;
	struct client		**w_clients;	/* by descriptor */
	int			 w_capacity;
	int			 w_maxfd;	/* highest client fd yet */
	int			 w_nclients;
	int			 w_listening;	/* watching the listeners */
	int			 w_kills;	/* clients marked CLOSE_ASAP */
	struct worker_sampler	 w_rate[WORKER_NRATES];
	struct blocking		 w_bl;		/* blocked clients */
	int			 w_nblocked;
	int			 w_block_due;	/* a wait of ours was served */
};

static void	worker_client_event(struct event_loop *, int, void *, int);
static void	worker_accept(struct event_loop *, int, void *, int);
static void	worker_block_drop(struct worker *, struct client *);

static struct sb_client *
worker_entry(struct worker *w, int fd)
{
	return (scoreboard_client(w->w_sb, w->w_params->wp_index, fd));
}

/* Publish the client's state in its scoreboard entry. */
static void
worker_publish(struct worker *w, struct client *cl)
{
	struct sb_client	*sc = worker_entry(w, cl->cl_fd);

	scoreboard_client_begin(sc);
	client_describe(cl, sc, (cl->cl_flags & CLIENT_F_RENAMED) != 0);
	scoreboard_client_end(sc);
	cl->cl_flags &= ~CLIENT_F_RENAMED;
}

static void
worker_set_nclients(struct worker *w, int n)
{
	w->w_nclients = n;
	scoreboard_gauge(w->w_slot, SB_CONNECTED_CLIENTS, (uint64_t)n);
}

static void
worker_listen(struct worker *w, int on)
{
	const struct worker_params *wp = w->w_params;
	int			 i;

	if (on == w->w_listening)
		return;
	for (i = 0; i < wp->wp_nlisten; i++) {
		if (!on)
			(void)event_del(w->w_loop, wp->wp_listen[i],
			    EVENT_READABLE);
		else if (event_add(w->w_loop, wp->wp_listen[i],
		    EVENT_READABLE | EVENT_EXCLUSIVE, worker_accept,
		    w) == -1) {
			/* The cron tries again. */
			log_warn("event_add listener");
			while (--i >= 0)
				(void)event_del(w->w_loop, wp->wp_listen[i],
				    EVENT_READABLE);
			return;
		}
	}
	w->w_listening = on;
	scoreboard_gauge(w->w_slot, SB_LISTENING, (uint64_t)on);
}

/*
 * Listen or not, by the client counts of the live workers (see the top
 * of the file).  Stopping wakes the least loaded worker, so that it
 * accepts what the queue holds.
 */
static void
worker_balance(struct worker *w)
{
	struct sb_worker	*sw;
	uint64_t		 min, n;
	int			 i, minw, self = w->w_params->wp_index;

	min = (uint64_t)w->w_nclients;
	minw = self;
	for (i = 0; i < scoreboard_workers(w->w_sb); i++) {
		sw = scoreboard_worker(w->w_sb, i);
		if (i == self || __atomic_load_n(&sw->sw_pid,
		    __ATOMIC_RELAXED) == 0)
			continue;
		n = __atomic_load_n(&sw->sw_gauge[SB_CONNECTED_CLIENTS],
		    __ATOMIC_RELAXED);
		if (n < min) {
			min = n;
			minw = i;
		}
	}
	if ((uint64_t)w->w_nclients <= min + WORKER_BALANCE_SLACK) {
		worker_listen(w, 1);
		return;
	}
	if (w->w_listening) {
		worker_listen(w, 0);
		scoreboard_wake(w->w_sb, minw);
	}
}

static void
worker_close(struct worker *w, struct client *cl)
{
	struct sb_client	*sc = worker_entry(w, cl->cl_fd);
	int			 fd = cl->cl_fd;

	event_del(w->w_loop, fd, EVENT_READABLE | EVENT_WRITABLE);
	if (cl->cl_block != NULL)
		worker_block_drop(w, cl);
	scoreboard_client_begin(sc);
	__atomic_store_n(&sc->sc_id, 0, __ATOMIC_RELAXED);
	scoreboard_client_end(sc);
	w->w_clients[fd] = NULL;
	worker_set_nclients(w, w->w_nclients - 1);
	client_free(cl);
	worker_balance(w);
}

/*
 * Write what the client's reply buffer holds; wait for writability if the
 * socket is full, close the client when it asked for that and everything
 * is out.  0, or -1 when the client was closed.
 */
static int
worker_flush(struct worker *w, struct client *cl)
{
	size_t	 before, after;
	int	 r;

	if (reply_buf_error(&cl->cl_reply) != 0) {
		log_debug("client fd %d: reply buffer failed; closing",
		    cl->cl_fd);
		worker_close(w, cl);
		return (-1);
	}
	before = reply_buf_len(&cl->cl_reply);
	r = client_write(cl);
	after = reply_buf_len(&cl->cl_reply);
	if (after < before) {
		scoreboard_count(w->w_slot, SB_NET_OUTPUT_BYTES,
		    before - after);
		scoreboard_count(w->w_slot, SB_WRITES_PROCESSED, 1);
		cl->cl_last_ms = compat_realtime_ms();
	}
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
 * Run one request: the gate, then the dispatcher.  While CLIENT REPLY
 * OFF or SKIP holds, the reply goes to a scratch buffer and is dropped,
 * unless the request was CLIENT REPLY ON, whose reply is sent.
 */
static void
worker_run(struct client *cl, const struct resp_command *rc)
{
	struct reply_buf	 kept;
	const char		*data;
	size_t			 len;
	int			 quiet;

	quiet = (cl->cl_flags &
	    (CLIENT_F_REPLY_OFF | CLIENT_F_REPLY_SKIP)) != 0;
	if (quiet) {
		kept = cl->cl_reply;
		reply_buf_init(&cl->cl_reply, kept.rb_proto);
		/* Errors nobody reads still count in errorstats. */
		command_client_attach(cl);
	}
	command_dispatch(cl, rc->rc_argc, rc->rc_argv, rc->rc_argvlen);
	if (quiet) {
		kept.rb_proto = cl->cl_reply.rb_proto;
		if (!(cl->cl_flags &
		    (CLIENT_F_REPLY_OFF | CLIENT_F_REPLY_SKIP))) {
			data = reply_buf_data(&cl->cl_reply, &len);
			(void)reply_raw(&kept, data, len);
		}
		reply_buf_free(&cl->cl_reply);
		cl->cl_reply = kept;
		cl->cl_flags &= ~CLIENT_F_REPLY_SKIP;
	}
	if (cl->cl_flags & CLIENT_F_REPLY_SKIP_NEXT) {
		cl->cl_flags &= ~CLIENT_F_REPLY_SKIP_NEXT;
		cl->cl_flags |= CLIENT_F_REPLY_SKIP;
	}
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
	int			 i;

	while (!(cl->cl_flags & (CLIENT_F_CLOSE_AFTER_REPLY |
	    CLIENT_F_CLOSE_ASAP | CLIENT_F_BLOCKED))) {
		buf = client_query(cl, &len);
		if (len == 0)
			break;
		/* The limits follow AUTH and CONFIG SET. */
		cl->cl_parser.rp_authenticated = !auth_required(cl);
		cl->cl_parser.rp_max_bulk_len = w->w_cfg.cf_proto_max_bulk_len;
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
		cl->cl_argv_mem = 0;
		for (i = 0; i < rc.rc_argc; i++)
			cl->cl_argv_mem += rc.rc_argvlen[i];
		worker_run(cl, &rc);
		cl->cl_argv_mem = 0;
		client_query_consume(cl, rc.rc_consumed);
		if (reply_buf_error(&cl->cl_reply) != 0)
			break;
	}
	if (cl->cl_flags & CLIENT_F_CLOSE_ASAP)
		return (0);
	/* A client on its way out is not read any more. */
	if (cl->cl_flags & CLIENT_F_CLOSE_AFTER_REPLY)
		event_del(w->w_loop, cl->cl_fd, EVENT_READABLE);
	return (worker_flush(w, cl));
}

/* Blocked clients (blocking.h). */

/*
 * A wait in `slot' was served or ended.  Another worker is woken through
 * its pipe; our own waits are looked at before the loop sleeps again
 * (worker_before_sleep()), without a write and a wake-up for everything
 * else a wake can mean.
 */
static void
worker_wake_slot(void *arg, int slot)
{
	struct worker	*w = arg;

	if (slot == w->w_params->wp_index)
		w->w_block_due = 1;
	else
		scoreboard_wake(w->w_sb, slot);
}

static void
worker_set_nblocked(struct worker *w, int n)
{
	w->w_nblocked = n;
	scoreboard_gauge(w->w_slot, SB_BLOCKED_CLIENTS, (uint64_t)n);
}

/* Forget the client's wait, which is over. */
static void
worker_block_forget(struct worker *w, struct client *cl)
{
	struct blocking_client	*bc = cl->cl_block;

	if (bc->bc_timer != 0)
		(void)event_timer_cancel(w->w_loop, bc->bc_timer);
	cl->cl_block = NULL;
	cl->cl_flags &= ~CLIENT_F_BLOCKED;
	bc->bc_free(bc);
	worker_set_nblocked(w, w->w_nblocked - 1);
}

/* The client's wait is over: forget it and run what it sent since. */
static void
worker_unblock(struct worker *w, struct client *cl)
{
	worker_block_forget(w, cl);
	if (worker_process(w, cl) == 0)
		worker_publish(w, cl);
}

/* Answer a wait by its outcome, if it has one. */
static void
worker_block_end(struct worker *w, struct client *cl,
    enum blocking_outcome out)
{
	struct blocking_client	*bc = cl->cl_block;

	switch (out) {
	case BLOCKING_PENDING:
		return;
	case BLOCKING_SERVED:
		bc->bc_deliver(cl, bc);
		break;
	case BLOCKING_TIMEOUT:
		bc->bc_timeout(cl);
		blocking_finish(&w->w_bl, &bc->bc_wait);
		break;
	case BLOCKING_ERROR:
		reply_error(&cl->cl_reply,
		    "-UNBLOCKED client unblocked via CLIENT UNBLOCK");
		blocking_finish(&w->w_bl, &bc->bc_wait);
		break;
	}
	worker_unblock(w, cl);
}

static long long
worker_block_timer(struct event_loop *loop, long long id, void *arg)
{
	struct client	*cl = arg;
	struct worker	*w = cl->cl_worker;

	(void)loop;
	(void)id;
	cl->cl_block->bc_timer = 0;
	worker_block_end(w, cl, blocking_cancel(&w->w_bl,
	    &cl->cl_block->bc_wait, BL_TIMEOUT));
	return (EVENT_TIMER_STOP);
}

void
worker_block(struct worker *w, struct client *cl, struct blocking_client *bc)
{
	cl->cl_block = bc;
	cl->cl_flags |= CLIENT_F_BLOCKED;
	bc->bc_timer = 0;
	if (bc->bc_timeout_ms > 0 && (bc->bc_timer = event_timer_add(
	    w->w_loop, bc->bc_timeout_ms, worker_block_timer, cl)) == -1) {
		/* The cron's look at deadlines is all there is then. */
		log_warn("event_timer_add");
		bc->bc_timer = 0;
	}
	worker_set_nblocked(w, w->w_nblocked + 1);
}

/* A blocked client is closed: its wait ends, a payload goes back. */
static void
worker_block_drop(struct worker *w, struct client *cl)
{
	struct blocking_client	*bc = cl->cl_block;

	if (blocking_cancel(&w->w_bl, &bc->bc_wait, BL_GONE) ==
	    BLOCKING_SERVED)
		blocking_abandon(&w->w_bl, &bc->bc_wait);
	else
		blocking_finish(&w->w_bl, &bc->bc_wait);
	worker_block_forget(w, cl);
}

/*
 * Look at every wait (woken: a server or CLIENT UNBLOCK wrote our pipe;
 * `thorough' on the cron, which also catches a lost wake-up and undoes
 * the claims of dead servers).
 */
static void
worker_block_poll(struct worker *w, int thorough)
{
	struct client	*cl;
	int		 i;

	for (i = 0; i <= w->w_maxfd && w->w_nblocked > 0; i++) {
		if ((cl = w->w_clients[i]) == NULL || cl->cl_block == NULL ||
		    (cl->cl_flags & CLIENT_F_CLOSE_ASAP))
			continue;
		worker_block_end(w, cl, blocking_poll(&w->w_bl,
		    &cl->cl_block->bc_wait, thorough));
	}
}

static void
worker_client_event(struct event_loop *loop, int fd, void *arg, int mask)
{
	struct worker	*w = arg;
	struct client	*cl = w->w_clients[fd];
	long		 n;

	(void)loop;
	if (cl == NULL || (cl->cl_flags & CLIENT_F_CLOSE_ASAP))
		return;
	if (mask & EVENT_WRITABLE) {
		if (worker_flush(w, cl) == -1)
			return;
		/* The entry shows the reply bytes still pending. */
		if (!(mask & EVENT_READABLE))
			worker_publish(w, cl);
	}
	if (!(mask & EVENT_READABLE) ||
	    (cl->cl_flags & CLIENT_F_CLOSE_AFTER_REPLY))
		return;
	cl->cl_qmax = (size_t)w->w_cfg.cf_client_query_buffer_limit;
	n = client_read(cl);
	scoreboard_count(w->w_slot, SB_READS_PROCESSED, 1);
	if (n == 0) {
		worker_close(w, cl);
		return;
	}
	if (n == -1) {
		if (errno == EAGAIN || errno == EINTR)
			return;
		if (errno == ENOBUFS) {
			log_info("client fd %d: closed for overcoming of "
			    "the query buffer limit", fd);
			scoreboard_count(w->w_slot,
			    SB_QUERYBUF_DISCONNECTIONS, 1);
		} else if (errno != ECONNRESET)
			log_debug("client fd %d: read: %s", fd,
			    strerror(errno));
		worker_close(w, cl);
		return;
	}
	scoreboard_count(w->w_slot, SB_NET_INPUT_BYTES, (uint64_t)n);
	cl->cl_last_ms = compat_realtime_ms();
	if (worker_process(w, cl) == 0)
		worker_publish(w, cl);
}

/* Make an accepted socket ready: non-blocking, no Nagle, keepalive. */
static int
worker_setup_socket(struct worker *w, int fd)
{
	int	 flags, one = 1;

	if ((flags = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, flags | O_NONBLOCK) == -1)
		return (-1);
	/* These fail harmlessly on a Unix socket. */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (w->w_cfg.cf_tcp_keepalive > 0)
		(void)compat_tcp_keepalive(fd, w->w_cfg.cf_tcp_keepalive);
	return (0);
}

/* A new client in descriptor fd, with its scoreboard entry. */
static int
worker_add_client(struct worker *w, int fd)
{
	const struct config	*cfg = &w->w_cfg;
	struct sb_client	*sc;
	struct client		*cl;

	cl = client_new(fd, &w->w_ks, (size_t)cfg->cf_client_query_buffer_limit,
	    cfg->cf_proto_max_bulk_len);
	if (cl == NULL) {
		log_warn("client");
		close(fd);
		return (-1);
	}
	if (event_add(w->w_loop, fd, EVENT_READABLE, worker_client_event,
	    w) == -1) {
		log_warn("event_add");
		client_free(cl);
		return (-1);
	}
	cl->cl_worker = w;
	command_client_attach(cl);
	cl->cl_id = scoreboard_next_client_id(w->w_sb);
	cl->cl_authenticated = !auth_password_set(cl);
	client_set_addrs(cl, cfg->cf_unixsocket);
	w->w_clients[fd] = cl;
	if (fd > w->w_maxfd)
		w->w_maxfd = fd;
	sc = worker_entry(w, fd);
	scoreboard_client_begin(sc);
	__atomic_store_n(&sc->sc_kill, 0, __ATOMIC_RELAXED);
	sc->sc_worker = w->w_params->wp_index;
	client_describe(cl, sc, 1);
	__atomic_store_n(&sc->sc_id, cl->cl_id, __ATOMIC_RELAXED);
	scoreboard_client_end(sc);
	scoreboard_count(w->w_slot, SB_CONNECTIONS_RECEIVED, 1);
	worker_set_nclients(w, w->w_nclients + 1);
	return (0);
}

static void
worker_accept(struct event_loop *loop, int lfd, void *arg, int mask)
{
	static const char full[] = "-ERR max number of clients reached\r\n";
	struct worker	*w = arg;
	int		 fd, i;

	(void)loop;
	(void)mask;
	for (i = 0; i < WORKER_ACCEPTS_PER_CALL && w->w_listening; i++) {
		if ((fd = accept(lfd, NULL, NULL)) == -1) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				log_warn("accept");
			return;
		}
		if (fd >= w->w_capacity ||
		    scoreboard_gauge_total(w->w_sb, SB_CONNECTED_CLIENTS) >=
		    (uint64_t)w->w_cfg.cf_maxclients) {
			/* Counted before the client can see the refusal. */
			scoreboard_count(w->w_slot, SB_REJECTED_CONNECTIONS, 1);
			(void)write(fd, full, sizeof(full) - 1);
			close(fd);
			continue;
		}
		if (worker_setup_socket(w, fd) == -1) {
			log_warn("client socket");
			close(fd);
			continue;
		}
		if (worker_add_client(w, fd) == 0)
			worker_balance(w);
	}
}

/* Accept what the queues hold now, if this worker listens. */
static void
worker_poke(struct worker *w)
{
	int	 i;

	for (i = 0; i < w->w_params->wp_nlisten && w->w_listening; i++)
		worker_accept(w->w_loop, w->w_params->wp_listen[i], w,
		    EVENT_READABLE);
}

/*
 * The wake-up pipe: close the clients that CLIENT KILL asked for; then,
 * since a worker that stopped listening may be what woke us, decide
 * again whether to listen, and accept what waits.
 */
static void
worker_wake(struct event_loop *loop, int fd, void *arg, int mask)
{
	struct worker	*w = arg;
	struct client	*cl;
	int		 i;

	(void)loop;
	(void)fd;
	(void)mask;
	scoreboard_wake_drain(w->w_sb, w->w_params->wp_index);
	config_live_sync(w);
	for (i = 0; i <= w->w_maxfd; i++) {
		if ((cl = w->w_clients[i]) != NULL &&
		    scoreboard_client_kill_requested(worker_entry(w, i)))
			worker_close(w, cl);
	}
	worker_block_poll(w, 0);
	worker_balance(w);
	worker_poke(w);
}

/* Entry clocks count accesses under an LFU policy, else keep time. */
static void
worker_set_lfu(struct worker *w)
{
	keyspace_set_lfu(&w->w_ks, w->w_cfg.cf_maxmemory_policy ==
	    CONFIG_MAXMEMORY_VOLATILE_LFU || w->w_cfg.cf_maxmemory_policy ==
	    CONFIG_MAXMEMORY_ALLKEYS_LFU);
}

void
worker_config_applied(struct worker *w)
{
	expire_set_hz(&w->w_expire, w->w_cfg.cf_hz);
	worker_set_lfu(w);
	/* The next command already packs by the new limits. */
	object_limits_apply(&w->w_cfg);
}

/* Publish what a process-wide count gained since it was last seen. */
static void
worker_publish_count(struct worker *w, enum sb_counter c, uint64_t now)
{
	if (now != w->w_seen[c]) {
		scoreboard_count(w->w_slot, c, now - w->w_seen[c]);
		w->w_seen[c] = now;
	}
}

/*
 * Before the loop waits again: publish the keys this process expired and
 * the repairs it made, and close the clients CLIENT KILL marked.
 */
static void
worker_before_sleep(struct event_loop *loop, void *arg)
{
	struct worker	*w = arg;
	struct client	*cl;
	uint64_t	 back, forward;
	int		 i;

	(void)loop;
	if (w->w_block_due) {
		w->w_block_due = 0;
		worker_block_poll(w, 0);
	}
	/* Keys this process expired, lazily or actively, go to INFO. */
	worker_publish_count(w, SB_EXPIRED_KEYS, keyspace_expired_keys());
	worker_publish_count(w, SB_LOCK_REPAIRS, lock_repairs_done());
	keyspace_repair_counts(&back, &forward);
	worker_publish_count(w, SB_ROLLED_BACK, back);
	worker_publish_count(w, SB_ROLLED_FORWARD, forward);
	if (w->w_kills == 0)
		return;
	w->w_kills = 0;
	for (i = 0; i <= w->w_maxfd; i++) {
		if ((cl = w->w_clients[i]) != NULL &&
		    (cl->cl_flags & CLIENT_F_CLOSE_ASAP))
			worker_close(w, cl);
	}
}

/*
 * One rate: the counter's growth per second since the last tick, kept
 * with the last WORKER_SAMPLES ones; the gauge is their mean.
 */
static void
worker_sample(struct worker *w, enum worker_rate r, enum sb_counter c,
    enum sb_gauge g, int64_t now)
{
	struct worker_sampler	*ws = &w->w_rate[r];
	uint64_t		 v, sum = 0;
	int			 i;

	v = __atomic_load_n(&w->w_slot->sw_counter[c], __ATOMIC_RELAXED);
	if (ws->ws_last_ms != 0 && now > ws->ws_last_ms)
		ws->ws_sample[ws->ws_next++ % WORKER_SAMPLES] =
		    (v - ws->ws_last) * 1000 / (uint64_t)(now - ws->ws_last_ms);
	ws->ws_last = v;
	ws->ws_last_ms = now;
	for (i = 0; i < WORKER_SAMPLES; i++)
		sum += ws->ws_sample[i];
	scoreboard_gauge(w->w_slot, g, sum / WORKER_SAMPLES);
}

/* Close the clients idle for longer than `timeout' seconds. */
static void
worker_timeouts(struct worker *w, int64_t now)
{
	struct client	*cl;
	int64_t		 limit;
	int		 i;

	if (w->w_cfg.cf_timeout <= 0)
		return;
	limit = (int64_t)w->w_cfg.cf_timeout * 1000;
	for (i = 0; i <= w->w_maxfd; i++) {
		/* As in Redis, a blocked client is not idle. */
		if ((cl = w->w_clients[i]) != NULL && cl->cl_block == NULL &&
		    now - cl->cl_last_ms > limit) {
			log_debug("client fd %d: closing after %d s idle", i,
			    w->w_cfg.cf_timeout);
			worker_close(w, cl);
		}
	}
}

static long long
worker_cron(struct event_loop *loop, long long id, void *arg)
{
	struct worker	*w = arg;
	struct rusage	 ru;
	int64_t		 now = compat_realtime_ms();

	(void)loop;
	(void)id;
	if (getrusage(RUSAGE_SELF, &ru) == 0) {
		scoreboard_gauge(w->w_slot, SB_CPU_SYS_US,
		    (uint64_t)ru.ru_stime.tv_sec * 1000000 +
		    (uint64_t)ru.ru_stime.tv_usec);
		scoreboard_gauge(w->w_slot, SB_CPU_USER_US,
		    (uint64_t)ru.ru_utime.tv_sec * 1000000 +
		    (uint64_t)ru.ru_utime.tv_usec);
	}
	worker_sample(w, WORKER_RATE_OPS, SB_COMMANDS_PROCESSED,
	    SB_OPS_PER_SEC, now);
	worker_sample(w, WORKER_RATE_INPUT, SB_NET_INPUT_BYTES,
	    SB_INPUT_BPS, now);
	worker_sample(w, WORKER_RATE_OUTPUT, SB_NET_OUTPUT_BYTES,
	    SB_OUTPUT_BPS, now);
	worker_timeouts(w, now);
	worker_block_poll(w, 1);
	worker_balance(w);
	worker_poke(w);
	return (WORKER_CRON_MS);
}

int
worker_client_slots(const struct config *cfg, int nlisten, int nworkers)
{
	long long	 n;

	n = (long long)cfg->cf_maxclients + WORKER_SPARE_FDS + nlisten +
	    2LL * nworkers;
	return (n > INT_MAX ? INT_MAX : (int)n);
}

struct config *
worker_config(struct worker *w)
{
	return (&w->w_cfg);
}

struct scoreboard *
worker_scoreboard(struct worker *w)
{
	return (w->w_sb);
}

struct sb_worker *
worker_slot(struct worker *w)
{
	return (w->w_slot);
}

int
worker_index(const struct worker *w)
{
	return (w->w_params->wp_index);
}

struct client *const *
worker_clients(struct worker *w, int *n)
{
	*n = w->w_maxfd + 1;
	return (w->w_clients);
}

void
worker_kill_client(struct worker *w, struct client *cl)
{
	if (cl->cl_flags & CLIENT_F_CLOSE_ASAP)
		return;
	event_del(w->w_loop, cl->cl_fd, EVENT_READABLE | EVENT_WRITABLE);
	cl->cl_flags &= ~CLIENT_F_WRITE_WAIT;
	cl->cl_flags |= CLIENT_F_CLOSE_ASAP;
	w->w_kills++;
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

	memset(&w, 0, sizeof(w));
	w.w_params = wp;
	w.w_cfg = *wp->wp_cfg;
	w.w_sb = wp->wp_scoreboard;
	w.w_slot = scoreboard_worker(w.w_sb, wp->wp_index);
	w.w_maxfd = -1;
	if (keyspace_open(&w.w_ks, wp->wp_arena) == -1) {
		log_warnx("worker %d: the arena has no keyspace",
		    wp->wp_index);
		return (EX_SOFTWARE);
	}
	if (snapshot_attach(&w.w_snap, &w.w_ks, &persister_codec,
	    wp->wp_persister_fd) == -1) {
		log_warnx("worker %d: the arena has no snapshot region",
		    wp->wp_index);
		return (EX_SOFTWARE);
	}
	persister_link(wp->wp_arena, wp->wp_persister_fd);
	if (blocking_open(&w.w_bl, &w.w_ks, wp->wp_index) == -1) {
		log_warnx("worker %d: the arena has no blocking region",
		    wp->wp_index);
		return (EX_SOFTWARE);
	}
	w.w_bl.bl_wake = worker_wake_slot;
	w.w_bl.bl_wake_arg = &w;
	/* What a predecessor in this slot left: payloads go back. */
	(void)blocking_recover(&w.w_bl);
	if (command_init() == -1) {
		log_warn("command table");
		return (EX_OSERR);
	}
	/* A respawned worker catches up with CONFIG SET before it serves. */
	config_live_sync(&w);
	w.w_capacity = worker_client_slots(&w.w_cfg, wp->wp_nlisten,
	    wp->wp_nworkers);
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
	worker_set_nclients(&w, 0);
	worker_listen(&w, 1);
	if (!w.w_listening)
		return (EX_OSERR);
	if (event_add(w.w_loop, scoreboard_wake_fd(w.w_sb, wp->wp_index),
	    EVENT_READABLE, worker_wake, &w) == -1) {
		log_warn("event_add wake-up pipe");
		return (EX_OSERR);
	}
	event_set_before_sleep(w.w_loop, worker_before_sleep, &w);
	if (event_timer_add(w.w_loop, WORKER_PARENT_CHECK_MS,
	    worker_check_parent, &w) == -1 ||
	    event_timer_add(w.w_loop, WORKER_CRON_MS, worker_cron,
	    &w) == -1) {
		log_warn("event_timer_add");
		return (EX_OSERR);
	}
	worker_set_lfu(&w);
	object_limits_apply(&w.w_cfg);
	/* Active expiry: this worker's share of the stripes, hz a second. */
	expire_init(&w.w_expire, &w.w_ks, (unsigned)wp->wp_index,
	    (unsigned)wp->wp_nworkers, w.w_cfg.cf_hz);
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
