/*
 * blpop_bench.c: BLPOP ping-pong against a server on 127.0.0.1, the load
 * that redis-benchmark has no test for.
 *
 *     blpop_bench -p PORT [-c PAIRS] [-n HANDOFFS]
 *
 * Each of PAIRS threads holds two connections, a waiter and a pusher, and
 * a list of its own ("bench:blpop:N").  A hand-off is: the waiter sends
 * BLPOP list 0, then at once the pusher sends RPUSH list x; it ends when
 * both replies are in.  The two connections may be served by different
 * processes of the server, so most pushes find the waiter blocked and some
 * find it not yet arrived (then the BLPOP pops at once), as in real use;
 * the replies are the same either way (RPUSH's length is 1).  HANDOFFS
 * are shared among the pairs.
 *
 * Prints "name: value" lines: handoffs per second over the whole run, and
 * the median and 99th percentile of one hand-off's time in milliseconds.
 * A reply other than the expected ones stops the program with an error.
 *
 * Runs as a client only; takes no locks of the server.
 */
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <err.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BLPOP_BENCH_PAIRS	8
#define BLPOP_BENCH_HANDOFFS	100000
#define BLPOP_BENCH_PAIRS_MAX	256

struct blpop_pair {
	pthread_t	 bp_thread;
	int		 bp_index;
	int		 bp_waiter;	/* connection that blocks */
	int		 bp_pusher;	/* connection that pushes */
	double		*bp_times;	/* ms per hand-off */
	size_t		 bp_n;
};

static int			 blpop_port;
static atomic_long		 blpop_left;

static double
blpop_now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec + ts.tv_nsec / 1e9);
}

static int
blpop_connect(void)
{
	struct sockaddr_in	 sin;
	int			 fd, one = 1;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		err(1, "socket");
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(blpop_port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1)
		err(1, "connect to port %d", blpop_port);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return (fd);
}

static void
blpop_send(int fd, const char *s, size_t len)
{
	ssize_t	 n;

	while (len > 0) {
		if ((n = write(fd, s, len)) == -1)
			err(1, "write");
		s += n;
		len -= (size_t)n;
	}
}

/* Read until the reply is exactly `want' (a whole, known reply). */
static void
blpop_expect(int fd, const char *want)
{
	char	 buf[256];
	size_t	 len = strlen(want), have = 0;
	ssize_t	 n;

	while (have < len) {
		if ((n = read(fd, buf + have, len - have)) <= 0)
			errx(1, "connection closed or failed while waiting "
			    "for %zu bytes", len);
		have += (size_t)n;
	}
	if (memcmp(buf, want, len) != 0)
		errx(1, "unexpected reply %.*s (wanted %s)", (int)have, buf,
		    want);
}

static void *
blpop_pair_run(void *arg)
{
	struct blpop_pair	*bp = arg;
	char			 key[32], blpop[96], rpush[96], served[96];
	double			 t0;
	int			 klen;

	klen = snprintf(key, sizeof(key), "bench:blpop:%d", bp->bp_index);
	snprintf(blpop, sizeof(blpop),
	    "*3\r\n$5\r\nBLPOP\r\n$%d\r\n%s\r\n$1\r\n0\r\n", klen, key);
	snprintf(rpush, sizeof(rpush),
	    "*3\r\n$5\r\nRPUSH\r\n$%d\r\n%s\r\n$1\r\nx\r\n", klen, key);
	snprintf(served, sizeof(served), "*2\r\n$%d\r\n%s\r\n$1\r\nx\r\n",
	    klen, key);
	while (atomic_fetch_sub(&blpop_left, 1) > 0) {
		t0 = blpop_now();
		blpop_send(bp->bp_waiter, blpop, strlen(blpop));
		blpop_send(bp->bp_pusher, rpush, strlen(rpush));
		blpop_expect(bp->bp_pusher, ":1\r\n");
		blpop_expect(bp->bp_waiter, served);
		bp->bp_times[bp->bp_n++] = (blpop_now() - t0) * 1000;
	}
	return (NULL);
}

static int
blpop_cmp(const void *a, const void *b)
{
	double	 x = *(const double *)a, y = *(const double *)b;

	return ((x > y) - (x < y));
}

static void
blpop_usage(void)
{
	fprintf(stderr, "usage: blpop_bench -p port [-c pairs] "
	    "[-n handoffs]\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	struct blpop_pair	*pairs;
	double			*all, t0, elapsed;
	long			 handoffs = BLPOP_BENCH_HANDOFFS;
	size_t			 n = 0;
	int			 ch, npairs = BLPOP_BENCH_PAIRS, i;

	while ((ch = getopt(argc, argv, "p:c:n:")) != -1) {
		switch (ch) {
		case 'p':
			blpop_port = atoi(optarg);
			break;
		case 'c':
			npairs = atoi(optarg);
			break;
		case 'n':
			handoffs = atol(optarg);
			break;
		default:
			blpop_usage();
		}
	}
	if (blpop_port <= 0 || blpop_port > 65535 || npairs < 1 ||
	    npairs > BLPOP_BENCH_PAIRS_MAX || handoffs < 1)
		blpop_usage();
	if ((pairs = calloc((size_t)npairs, sizeof(*pairs))) == NULL ||
	    (all = calloc((size_t)handoffs, sizeof(*all))) == NULL)
		err(1, "calloc");
	atomic_store(&blpop_left, handoffs);
	for (i = 0; i < npairs; i++) {
		pairs[i].bp_index = i;
		pairs[i].bp_waiter = blpop_connect();
		pairs[i].bp_pusher = blpop_connect();
		if ((pairs[i].bp_times = calloc((size_t)handoffs,
		    sizeof(double))) == NULL)
			err(1, "calloc");
	}
	t0 = blpop_now();
	for (i = 0; i < npairs; i++)
		if (pthread_create(&pairs[i].bp_thread, NULL, blpop_pair_run,
		    &pairs[i]) != 0)
			errx(1, "pthread_create");
	for (i = 0; i < npairs; i++)
		pthread_join(pairs[i].bp_thread, NULL);
	elapsed = blpop_now() - t0;
	for (i = 0; i < npairs; i++) {
		memcpy(all + n, pairs[i].bp_times,
		    pairs[i].bp_n * sizeof(double));
		n += pairs[i].bp_n;
		close(pairs[i].bp_waiter);
		close(pairs[i].bp_pusher);
		free(pairs[i].bp_times);
	}
	qsort(all, n, sizeof(*all), blpop_cmp);
	printf("handoffs: %zu\n", n);
	printf("pairs: %d\n", npairs);
	printf("handoffs_per_second: %.0f\n", n / elapsed);
	printf("p50_ms: %.3f\n", all[n / 2]);
	printf("p99_ms: %.3f\n", all[(n * 99) / 100]);
	free(all);
	free(pairs);
	return (0);
}
