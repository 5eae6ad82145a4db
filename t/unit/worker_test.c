/*
 * worker_test.c: a worker (worker.c) forked on a real arena, scoreboard
 * and listening socket, watched from the outside through its scoreboard
 * slot, as the other workers and INFO see it.
 *
 * Invariants: the worker counts its connections, reads, writes and
 * network bytes, and keeps its client count and listening state current;
 * each client has an entry, indexed by its descriptor, with its id,
 * addresses, last command, name, database and protocol, rewritten after
 * every read; a kill request on the scoreboard closes the client within
 * a bounded time and frees its entry; maxclients counts the clients of
 * every worker, and the refusal is Redis's; a worker more than two
 * clients above another live worker stops listening, and listens again
 * once it is back in line; the instantaneous input rate and the CPU
 * times are sampled.  The other worker of these tests is simulated by
 * writing its slot.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hydra/arena.h"
#include "hydra/command.h"
#include "hydra/config.h"
#include "hydra/keyspace.h"
#include "hydra/scoreboard.h"
#include "hydra/worker.h"
#include "tap.h"
#include "testarena.h"

#define WAIT_TRIES	200	/* 10 ms each: conditions hold within 2 s */

static struct scoreboard *sb;
static int		  port;

static uint64_t
counter(enum sb_counter c)
{
	return (__atomic_load_n(&scoreboard_worker(sb, 0)->sw_counter[c],
	    __ATOMIC_RELAXED));
}

static uint64_t
gauge(enum sb_gauge g)
{
	return (__atomic_load_n(&scoreboard_worker(sb, 0)->sw_gauge[g],
	    __ATOMIC_RELAXED));
}

static void
nap(void)
{
	struct timespec	 ts = { 0, 10 * 1000 * 1000 };

	nanosleep(&ts, NULL);
}

/* Poll until the expression holds, at most WAIT_TRIES times. */
#define EVENTUALLY(cond)	({					\
	int	 _i, _ok = 0;						\
	for (_i = 0; _i < WAIT_TRIES && !(_ok = (cond)); _i++)		\
		nap();							\
	_ok;								\
})

static int
dial(void)
{
	struct sockaddr_in	 sin;
	int			 fd;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		diag("connect: %s", strerror(errno));
		exit(1);
	}
	return (fd);
}

static int
local_port(int fd)
{
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof(sin);

	getsockname(fd, (struct sockaddr *)&sin, &len);
	return (ntohs(sin.sin_port));
}

/*
 * Read what arrives within `ms' milliseconds, up to the size of out.
 * Returns the bytes read; *eof is set when the server closed.
 */
static size_t
collect(int fd, char *out, size_t size, int ms, int *eof)
{
	struct pollfd	 pfd = { fd, POLLIN, 0 };
	size_t		 got = 0;
	ssize_t		 n;

	*eof = 0;
	while (got < size - 1 && poll(&pfd, 1, ms) == 1) {
		if ((n = read(fd, out + got, size - 1 - got)) <= 0) {
			*eof = 1;
			break;
		}
		got += (size_t)n;
		ms = 50;
	}
	out[got] = '\0';
	return (got);
}

/* Send a request and wait for exactly `want' as the reply. */
static int
ask(int fd, const char *req, const char *want)
{
	char	 buf[1024];
	int	 eof;

	if (write(fd, req, strlen(req)) != (ssize_t)strlen(req))
		return (0);
	collect(fd, buf, sizeof(buf), 2000, &eof);
	if (strcmp(buf, want) != 0) {
		diag("sent %s: got \"%s\", want \"%s\"", req, buf, want);
		return (0);
	}
	return (1);
}

/* The entry of the client whose peer port is `cport', or -1. */
static int
entry_of(int cport, struct sb_client *sc)
{
	char	 addr[SB_ADDR_MAX];
	int	 i;

	snprintf(addr, sizeof(addr), "127.0.0.1:%d", cport);
	for (i = 0; i < scoreboard_client_slots(sb); i++)
		if (scoreboard_client_read(sb, 0, i, sc) &&
		    strcmp(sc->sc_addr, addr) == 0)
			return (i);
	return (-1);
}

static void
test_counters(void)
{
	struct sb_client	 sc;
	char			 laddr[SB_ADDR_MAX], buf[512];
	int			 fd, idx, eof;

	fd = dial();
	ok(ask(fd, "PING\r\n", "+PONG\r\n"), "the worker answers");
	ok(EVENTUALLY(counter(SB_CONNECTIONS_RECEIVED) == 1),
	    "the connection is counted");
	ok(counter(SB_NET_INPUT_BYTES) == 6 &&
	    counter(SB_NET_OUTPUT_BYTES) == 7, "so are the bytes");
	ok(counter(SB_READS_PROCESSED) >= 1 &&
	    counter(SB_WRITES_PROCESSED) == 1, "and the reads and writes");
	ok(gauge(SB_CONNECTED_CLIENTS) == 1 && gauge(SB_LISTENING) == 1,
	    "one client, listening");
	ok(EVENTUALLY((idx = entry_of(local_port(fd), &sc)) != -1),
	    "the client has an entry");
	snprintf(laddr, sizeof(laddr), "127.0.0.1:%d", port);
	ok(idx != -1 && sc.sc_id > 0 && sc.sc_fd == idx &&
	    strcmp(sc.sc_laddr, laddr) == 0 && sc.sc_worker == 0 &&
	    strcmp(sc.sc_cmd, "ping") == 0 && strcmp(sc.sc_flags, "N") == 0,
	    "with its id, descriptor, addresses and last command");
	ok(ask(fd, "CLIENT SETNAME unit\r\nSELECT 2\r\n",
	    "+OK\r\n+OK\r\n"), "SETNAME and SELECT");
	(void)write(fd, "HELLO 3\r\n", 9);
	collect(fd, buf, sizeof(buf), 2000, &eof);
	ok(strncmp(buf, "%7\r\n", 4) == 0, "HELLO 3");
	ok(EVENTUALLY(entry_of(local_port(fd), &sc) != -1 &&
	    strcmp(sc.sc_name, "unit") == 0 && sc.sc_db == 2 &&
	    sc.sc_resp == 3 && strcmp(sc.sc_cmd, "hello") == 0),
	    "the entry follows the name, database, protocol and command");
	close(fd);
	ok(EVENTUALLY(gauge(SB_CONNECTED_CLIENTS) == 0 &&
	    !scoreboard_client_read(sb, 0, idx, &sc)),
	    "a closed client leaves no entry");
}

static void
test_kill(void)
{
	struct sb_client	 sc;
	char			 buf[64];
	int			 fd, idx, eof;

	fd = dial();
	ok(ask(fd, "PING\r\n", "+PONG\r\n"), "a client to kill");
	idx = entry_of(local_port(fd), &sc);
	ok(idx != -1 && scoreboard_client_kill(sb, 0, idx, sc.sc_id) == 1,
	    "the kill request is recorded");
	collect(fd, buf, sizeof(buf), 2000, &eof);
	ok(eof, "the worker closes the client when woken");
	ok(EVENTUALLY(gauge(SB_CONNECTED_CLIENTS) == 0 &&
	    !scoreboard_client_read(sb, 0, idx, &sc)),
	    "and frees its entry");
	close(fd);
}

static void
test_maxclients(const struct config *cfg)
{
	struct sb_worker	*other = scoreboard_worker(sb, 1);
	char			 buf[128];
	int			 fd, eof;
	uint64_t		 rejected = counter(SB_REJECTED_CONNECTIONS);

	/* The other worker holds every client maxclients allows. */
	scoreboard_gauge(other, SB_CONNECTED_CLIENTS,
	    (uint64_t)cfg->cf_maxclients);
	fd = dial();
	collect(fd, buf, sizeof(buf), 2000, &eof);
	ok(strcmp(buf, "-ERR max number of clients reached\r\n") == 0 && eof,
	    "a client past maxclients, counted over workers, is refused");
	ok(counter(SB_REJECTED_CONNECTIONS) == rejected + 1,
	    "and counted as rejected");
	close(fd);
	scoreboard_gauge(other, SB_CONNECTED_CLIENTS, 0);
}

static void
test_balance(void)
{
	struct sb_worker	*other = scoreboard_worker(sb, 1);
	char			 buf[64];
	int			 fds[4], i, eof;

	/* A live, idle second worker. */
	scoreboard_worker_started(sb, 1, (int)getpid());
	for (i = 0; i < 3; i++) {
		fds[i] = dial();
		ok(ask(fds[i], "PING\r\n", "+PONG\r\n"),
		    "client %d is served", i + 1);
	}
	ok(gauge(SB_LISTENING) == 0,
	    "three clients above an idle worker: no longer listening");
	fds[3] = dial();
	(void)write(fds[3], "PING\r\n", 6);
	collect(fds[3], buf, sizeof(buf), 300, &eof);
	ok(buf[0] == '\0' && !eof, "a new client waits for the other worker");
	scoreboard_gauge(other, SB_CONNECTED_CLIENTS, 5);
	collect(fds[3], buf, sizeof(buf), 2000, &eof);
	ok(strcmp(buf, "+PONG\r\n") == 0,
	    "once the other has more, this one listens and serves it");
	ok(EVENTUALLY(gauge(SB_LISTENING) == 1), "listening again");
	for (i = 0; i < 4; i++)
		close(fds[i]);
	scoreboard_gauge(other, SB_CONNECTED_CLIENTS, 0);
	scoreboard_worker_died(sb, 1);
	ok(EVENTUALLY(gauge(SB_CONNECTED_CLIENTS) == 0), "all closed");
}

static void
test_rates(void)
{
	static char	 burst[64 * 1024];
	char		 buf[256];
	int		 fd, eof;
	size_t		 i;

	fd = dial();
	/* One inline request of spaces and a PING: bytes in, little out. */
	for (i = 0; i + 6 < sizeof(burst); i++)
		burst[i] = ' ';
	memcpy(burst + i, "PING\r\n", 6);
	(void)write(fd, burst, sizeof(burst));
	collect(fd, buf, sizeof(buf), 2000, &eof);
	ok(EVENTUALLY(gauge(SB_INPUT_BPS) > 0),
	    "the input rate is sampled");
	ok(EVENTUALLY(gauge(SB_CPU_USER_US) + gauge(SB_CPU_SYS_US) > 0),
	    "and the CPU times");
	close(fd);
}

int
main(void)
{
	struct worker_params	 wp;
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof(sin);
	struct config		 cfg;
	struct keyspace		 ks;
	struct arena		 a;
	pid_t			 pid;
	int			 lfd, status;

	tap_no_plan();
	signal(SIGPIPE, SIG_IGN);
	if (command_init() == -1 || config_init(&cfg) == -1 ||
	    testarena_store(&a, &ks, 16 << 20, 2) == -1)
		return (1);
	cfg.cf_maxclients = 16;
	sb = scoreboard_create(2, worker_client_slots(&cfg, 1, 2),
	    command_count());
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (sb == NULL || (lfd = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(lfd, 16) == -1 ||
	    getsockname(lfd, (struct sockaddr *)&sin, &len) == -1 ||
	    fcntl(lfd, F_SETFL, O_NONBLOCK) == -1) {
		diag("setup: %s", strerror(errno));
		return (1);
	}
	port = ntohs(sin.sin_port);
	memset(&wp, 0, sizeof(wp));
	wp.wp_cfg = &cfg;
	wp.wp_arena = &a;
	wp.wp_listen = &lfd;
	wp.wp_nlisten = 1;
	wp.wp_index = 0;
	wp.wp_nworkers = 2;
	wp.wp_parent = getpid();
	wp.wp_scoreboard = sb;
	wp.wp_persister_fd = -1;
	if ((pid = fork()) == -1)
		return (1);
	if (pid == 0)
		_exit(worker_main(&wp));
	scoreboard_worker_started(sb, 0, (int)pid);
	test_counters();
	test_kill();
	test_maxclients(&cfg);
	test_balance();
	test_rates();
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	scoreboard_destroy(sb);
	arena_detach(&a);
	config_free(&cfg);
	return (tap_done());
}
