/*
 * watchdog.c: the supervisor's look at every lock of the store, for the
 * holders that keep one past their budget (watchdog.h).
 *
 * Run by the supervisor, periodically.  Takes no lock: each lock's holder
 * and the time it was taken are read as lock_overdue() reads them.
 */
#include "hydra/keyspace.h"
#include "hydra/lock.h"
#include "hydra/scoreboard.h"
#include "hydra/slab.h"
#include "hydra/watchdog.h"

struct watchdog_walk {
	uint32_t	 ww_now;
	uint32_t	 ww_budget;
	watchdog_fn	 ww_fn;
	void		*ww_arg;
	unsigned	 ww_found;
};

static void
watchdog_visit(const struct lock *lk, void *arg)
{
	struct watchdog_walk	*ww = arg;
	int32_t			 pid;
	uint32_t		 held;

	if (lock_overdue(lk, ww->ww_now, ww->ww_budget, &pid, &held)) {
		ww->ww_found++;
		ww->ww_fn(pid, held, ww->ww_arg);
	}
}

unsigned
watchdog_scan(struct arena *a, struct keyspace *ks, struct scoreboard *sb,
    uint32_t budget_ms, watchdog_fn fn, void *arg)
{
	struct watchdog_walk	 ww;

	ww.ww_now = lock_clock_ms();
	ww.ww_budget = budget_ms;
	ww.ww_fn = fn;
	ww.ww_arg = arg;
	ww.ww_found = 0;
	slab_for_each_lock(a, watchdog_visit, &ww);
	keyspace_for_each_lock(ks, watchdog_visit, &ww);
	if (sb != NULL)
		scoreboard_for_each_lock(sb, watchdog_visit, &ww);
	return (ww.ww_found);
}
