/*
 * watchdog.h: finding the processes that hold a lock of the store for
 * too long (a stopped or looping worker), so that the supervisor can kill
 * them and let the next taker repair what they held.
 *
 * Run by the supervisor, which takes no lock: it reads each lock's holder
 * and the time it was taken (lock_overdue()).
 */
#ifndef HYDRA_WATCHDOG_H
#define HYDRA_WATCHDOG_H

#include <stdint.h>

struct arena;
struct keyspace;
struct scoreboard;

/* Called for each lock held past the budget: its holder and how long. */
typedef void	(*watchdog_fn)(int32_t pid, uint32_t held_ms, void *arg);

/*
 * Look at every lock of the store (the slab allocator's and every
 * stripe's) and of the scoreboard (sb may be NULL), and call fn for each
 * one held for more than budget_ms.  Returns the locks reported.
 */
unsigned watchdog_scan(struct arena *, struct keyspace *,
	    struct scoreboard *sb, uint32_t budget_ms, watchdog_fn fn,
	    void *arg);

#endif /* HYDRA_WATCHDOG_H */
