/*
 * expire.h: active expiry, the timer that deletes keys whose time has
 * passed without waiting for a client to touch them.
 *
 * Each worker sweeps its own share of the stripes: worker i of n takes
 * the stripes s with s % n == i, of every database, so that the workers
 * never contend for the same stripe on this path.  Run by workers, from
 * their event loop; takes one stripe lock at a time (keyspace.h).
 */
#ifndef HYDRA_EXPIRE_H
#define HYDRA_EXPIRE_H

#include <stdint.h>

struct event_loop;
struct keyspace;

/* Redis's ACTIVE_EXPIRE_CYCLE_* tuning, per tick. */
#define EXPIRE_KEYS_PER_STEP	20	/* keys looked at per sweep step */
#define EXPIRE_STALE_PERCENT	10	/* repeat a stripe above this */
#define EXPIRE_TIME_PERCENT	25	/* of the tick's period */

struct expire_cycle {
	struct keyspace	*ec_ks;
	unsigned	 ec_index;	/* this worker */
	unsigned	 ec_nworkers;
	unsigned	 ec_db;		/* where the next tick resumes */
	uint32_t	 ec_stripe;
	long long	 ec_period_ms;
	uint64_t	 ec_deleted;	/* keys deleted by the sweeps */
	uint64_t	 ec_visited;	/* keys looked at by the sweeps */
};

/*
 * Set up the cycle of worker `index' of `nworkers', ticking `hz' times a
 * second (clamped to Redis's 1 to 500).
 */
void	 expire_init(struct expire_cycle *, struct keyspace *,
	    unsigned index, unsigned nworkers, int hz);

/* Tick `hz' times a second from the next tick on (CONFIG SET hz). */
void	 expire_set_hz(struct expire_cycle *, int hz);

/*
 * One tick: sweep this worker's stripes, from where the last tick stopped,
 * for at most a quarter of the period, staying on a stripe while more than
 * a tenth of the keys looked at had expired.  Returns the keys deleted.
 */
unsigned expire_tick(struct expire_cycle *, int64_t now_ms);

/* Add the cycle to a worker's event loop as a timer.  0, or -1. */
int	 expire_start(struct event_loop *, struct expire_cycle *);

#endif /* HYDRA_EXPIRE_H */
