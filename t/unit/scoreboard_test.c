/*
 * scoreboard_test.c: the scoreboard shared by the processes of hydrad.
 *
 * Invariants checked: counters written by a slot's owner (another process)
 * add up in every reader; RESETSTAT zeroes every total at once without
 * writing the owners' counters; error prefixes are counted by their first
 * word and merged across workers; a client entry is read whole or not at
 * all while its owner rewrites it; a kill request reaches only the client
 * id it names and wakes the owner's pipe; a dead worker's entries are
 * freed but its counters stay; the config log hands out only whole,
 * published records, and refuses to overflow.
 */
#include <sys/wait.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hydra/scoreboard.h"

#include "tap.h"

struct errs_seen {
	uint64_t	 err;
	uint64_t	 wrongtype;
	int		 other;
};

static void
count_errs(const char *name, uint64_t count, void *arg)
{
	struct errs_seen	*es = arg;

	if (strcmp(name, "ERR") == 0)
		es->err = count;
	else if (strcmp(name, "WRONGTYPE") == 0)
		es->wrongtype = count;
	else
		es->other++;
}

static void
test_counters(void)
{
	struct scoreboard	*sb;
	struct sb_cmdstat	 cs;
	struct errs_seen	 es;
	pid_t			 pid;
	int			 status, i;

	sb = scoreboard_create(2, 4, 3);
	ok(sb != NULL, "create a board of 2 workers");
	if ((pid = fork()) == 0) {
		struct sb_worker *sw = scoreboard_worker(sb, 1);

		for (i = 0; i < 1000; i++)
			scoreboard_count(sw, SB_COMMANDS_PROCESSED, 1);
		scoreboard_cmdstats(sb, 1)[2].cs_calls = 7;
		scoreboard_gauge(sw, SB_CONNECTED_CLIENTS, 5);
		scoreboard_count_error(sw, "-ERR syntax error", 17);
		scoreboard_count_error(sw, "WRONGTYPE Operation", 19);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	scoreboard_count(scoreboard_worker(sb, 0), SB_COMMANDS_PROCESSED, 3);
	scoreboard_count_error(scoreboard_worker(sb, 0), "-ERR no", 7);
	scoreboard_cmdstats(sb, 0)[2].cs_calls = 1;
	is_int((long long)scoreboard_counter_total(sb, SB_COMMANDS_PROCESSED),
	    1003, "counters of two processes add up");
	is_int((long long)scoreboard_counter_total(sb, SB_ERROR_REPLIES), 3,
	    "each error reply counts in the total");
	is_int((long long)scoreboard_gauge_total(sb, SB_CONNECTED_CLIENTS), 5,
	    "gauges add up");
	scoreboard_cmdstat_total(sb, 2, &cs);
	is_int((long long)cs.cs_calls, 8, "commandstats add up");
	memset(&es, 0, sizeof(es));
	scoreboard_errstat_walk(sb, count_errs, &es);
	ok(es.err == 2 && es.wrongtype == 1 && es.other == 0,
	    "error prefixes merge across workers (ERR %llu, WRONGTYPE %llu)",
	    (unsigned long long)es.err, (unsigned long long)es.wrongtype);

	scoreboard_resetstat(sb);
	is_int((long long)scoreboard_counter_total(sb, SB_COMMANDS_PROCESSED),
	    0, "RESETSTAT zeroes the counters");
	scoreboard_cmdstat_total(sb, 2, &cs);
	is_int((long long)cs.cs_calls, 0, "and the commandstats");
	memset(&es, 0, sizeof(es));
	scoreboard_errstat_walk(sb, count_errs, &es);
	ok(es.err == 0 && es.wrongtype == 0, "and the errorstats");
	is_int((long long)scoreboard_gauge_total(sb, SB_CONNECTED_CLIENTS), 5,
	    "but not the gauges");
	scoreboard_count(scoreboard_worker(sb, 1), SB_COMMANDS_PROCESSED, 2);
	is_int((long long)scoreboard_counter_total(sb, SB_COMMANDS_PROCESSED),
	    2, "counting goes on from zero");

	scoreboard_worker_started(sb, 1, 1234);
	scoreboard_worker_died(sb, 1);
	is_int((long long)scoreboard_counter_total(sb, SB_COMMANDS_PROCESSED),
	    2, "a dead worker's counters stay");
	is_int((long long)scoreboard_respawns(sb), 1, "its death is counted");
	is_int((long long)scoreboard_gauge_total(sb, SB_CONNECTED_CLIENTS), 0,
	    "its gauges are cleared");
	scoreboard_destroy(sb);
}

static void
fill_client(struct sb_client *sc, uint64_t id, int gen)
{
	scoreboard_client_begin(sc);
	sc->sc_id = id;
	sc->sc_fd = gen;
	sc->sc_db = gen;
	snprintf(sc->sc_name, sizeof(sc->sc_name), "name-%d", gen);
	scoreboard_client_end(sc);
}

static void
test_clients(void)
{
	struct scoreboard	*sb;
	struct sb_client	 copy;
	struct pollfd		 pfd;
	char			 want[SB_NAME_MAX];
	pid_t			 pid;
	int			 status, i, torn = 0, seen = 0;
	uint64_t		 id1, id2;

	sb = scoreboard_create(2, 4, 0);
	id1 = scoreboard_next_client_id(sb);
	id2 = scoreboard_next_client_id(sb);
	ok(id1 != 0 && id2 != id1, "client ids are unique and never 0");
	ok(scoreboard_client_read(sb, 1, 0, &copy) == 0,
	    "a free entry reads as free");

	/* The owner rewrites an entry while this process reads it. */
	if ((pid = fork()) == 0) {
		for (i = 1; i < 200000; i++)
			fill_client(scoreboard_client(sb, 1, 0), id1, i);
		_exit(0);
	}
	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (scoreboard_client_read(sb, 1, 0, &copy) == 0)
			continue;
		seen++;
		snprintf(want, sizeof(want), "name-%d", copy.sc_fd);
		if (copy.sc_db != copy.sc_fd || strcmp(copy.sc_name,
		    want) != 0)
			torn++;
	}
	ok(seen > 0 && torn == 0, "copies are never torn (%d read)", seen);

	fill_client(scoreboard_client(sb, 1, 1), id2, 1);
	ok(scoreboard_client_kill(sb, 1, 1, id1) == 0,
	    "a kill for another id records nothing");
	ok(!scoreboard_client_kill_requested(scoreboard_client(sb, 1, 1)),
	    "and the client is not marked");
	pfd.fd = scoreboard_wake_fd(sb, 1);
	pfd.events = POLLIN;
	ok(poll(&pfd, 1, 0) == 0, "the owner's pipe is quiet");
	ok(scoreboard_client_kill(sb, 1, 1, id2) == 1,
	    "a kill for the entry's id is recorded");
	ok(scoreboard_client_kill_requested(scoreboard_client(sb, 1, 1)),
	    "the owner sees the request");
	ok(poll(&pfd, 1, 0) == 1, "and its pipe is readable");
	scoreboard_wake_drain(sb, 1);
	ok(poll(&pfd, 1, 0) == 0, "drained, the pipe is quiet again");

	/* Reused for a new client, the entry is not killed by the old id. */
	scoreboard_client_begin(scoreboard_client(sb, 1, 1));
	scoreboard_client(sb, 1, 1)->sc_kill = 0;
	scoreboard_client_end(scoreboard_client(sb, 1, 1));
	fill_client(scoreboard_client(sb, 1, 1), id2 + 100, 2);
	ok(!scoreboard_client_kill_requested(scoreboard_client(sb, 1, 1)),
	    "a reused entry starts unmarked");

	/* A worker killed in the middle of writing an entry. */
	scoreboard_client_begin(scoreboard_client(sb, 1, 2));
	ok(scoreboard_client_read(sb, 1, 2, &copy) == 0,
	    "an entry stuck mid-write reads as free");
	scoreboard_worker_died(sb, 1);
	ok(scoreboard_client_read(sb, 1, 0, &copy) == 0 &&
	    scoreboard_client_read(sb, 1, 1, &copy) == 0,
	    "a dead worker's clients are gone");
	fill_client(scoreboard_client(sb, 1, 2), id1, 3);
	ok(scoreboard_client_read(sb, 1, 2, &copy) == 1 && copy.sc_db == 3,
	    "its entries work for the next worker");
	scoreboard_destroy(sb);
}

static void
test_config_log(void)
{
	struct scoreboard	*sb;
	static char		 big[SB_CONFIG_LOG_SIZE];
	const char		*log;
	size_t			 len;
	pid_t			 pid;
	int			 status;

	sb = scoreboard_create(1, 0, 0);
	log = scoreboard_config_log(sb, &len);
	is_int((long long)len, 0, "the config log starts empty");
	if ((pid = fork()) == 0)
		_exit(scoreboard_config_append(sb, "maxclients 7\n", 13));
	waitpid(pid, &status, 0);
	ok(scoreboard_config_append(sb, "hz 20\n", 6) == 0,
	    "records append");
	log = scoreboard_config_log(sb, &len);
	ok(len == 19 && memcmp(log, "maxclients 7\nhz 20\n", 19) == 0,
	    "another process's record and ours, in order");
	errno = 0;
	ok(scoreboard_config_append(sb, big, sizeof(big)) == -1 &&
	    errno == ENOSPC, "a record that does not fit is refused");
	log = scoreboard_config_log(sb, &len);
	is_int((long long)len, 19, "and nothing of it is published");

	scoreboard_destroy(sb);
}

int
main(void)
{
	tap_no_plan();
	test_counters();
	test_clients();
	test_config_log();
	return (tap_done());
}
