/*
 * expire.c: active expiry, in the spirit of Redis's activeExpireCycle():
 * a timer on each worker's event loop that walks that worker's stripes a
 * little at a time and deletes the keys whose time has passed.
 *
 * Run by workers.  Locks: one stripe at a time, inside
 * keyspace_expire_sweep(); nothing is held between steps or ticks.  The
 * cursor (database, stripe) is the worker's private memory: a respawned
 * worker starts again from the first stripe, which costs nothing but a
 * sweep.  A stripe with no key carrying an expiry costs one unlocked read.
 */
#include <time.h>

#include "hydra/compat.h"
#include "hydra/config.h"
#include "hydra/event.h"
#include "hydra/expire.h"
#include "hydra/keyspace.h"

static int64_t
expire_mono_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

void
expire_set_hz(struct expire_cycle *ec, int hz)
{
	if (hz < CONFIG_HZ_MIN)
		hz = CONFIG_HZ_MIN;
	if (hz > CONFIG_HZ_MAX)
		hz = CONFIG_HZ_MAX;
	ec->ec_period_ms = 1000 / hz;
}

void
expire_init(struct expire_cycle *ec, struct keyspace *ks, unsigned index,
    unsigned nworkers, int hz)
{
	ec->ec_ks = ks;
	ec->ec_nworkers = nworkers > 0 ? nworkers : 1;
	ec->ec_index = index % ec->ec_nworkers;
	ec->ec_db = 0;
	ec->ec_stripe = ec->ec_index;
	expire_set_hz(ec, hz);
	ec->ec_deleted = 0;
	ec->ec_visited = 0;
}

/* Step the cursor to this worker's next stripe; 1 when it wrapped. */
static int
expire_next(struct expire_cycle *ec)
{
	ec->ec_stripe += ec->ec_nworkers;
	if (ec->ec_stripe < keyspace_stripes(ec->ec_ks))
		return (0);
	ec->ec_stripe = ec->ec_index;
	if (++ec->ec_db < keyspace_databases(ec->ec_ks))
		return (0);
	ec->ec_db = 0;
	return (1);
}

unsigned
expire_tick(struct expire_cycle *ec, int64_t now_ms)
{
	int64_t		 deadline;
	unsigned	 deleted, visited, total = 0, nstripes;
	uint64_t	 mine, n;

	/* A worker whose index is past the stripe count has none. */
	nstripes = keyspace_stripes(ec->ec_ks);
	if (ec->ec_index >= nstripes)
		return (0);
	mine = (uint64_t)keyspace_databases(ec->ec_ks) *
	    ((nstripes - ec->ec_index + ec->ec_nworkers - 1) /
	    ec->ec_nworkers);
	deadline = expire_mono_ms() +
	    ec->ec_period_ms * EXPIRE_TIME_PERCENT / 100;
	for (n = 0; n < mine; n++) {
		do {
			deleted = keyspace_expire_sweep(ec->ec_ks, ec->ec_db,
			    ec->ec_stripe, now_ms, EXPIRE_KEYS_PER_STEP,
			    &visited);
			total += deleted;
			ec->ec_deleted += deleted;
			ec->ec_visited += visited;
			if (expire_mono_ms() >= deadline)
				return (total);
		} while (visited > 0 &&
		    deleted * 100 > visited * EXPIRE_STALE_PERCENT);
		(void)expire_next(ec);
	}
	return (total);
}

static long long
expire_timer(struct event_loop *loop, long long id, void *arg)
{
	struct expire_cycle	*ec = arg;

	(void)loop;
	(void)id;
	(void)expire_tick(ec, compat_realtime_ms());
	return (ec->ec_period_ms);
}

int
expire_start(struct event_loop *loop, struct expire_cycle *ec)
{
	return (event_timer_add(loop, ec->ec_period_ms, expire_timer, ec) ==
	    -1 ? -1 : 0);
}
