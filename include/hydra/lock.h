/*
 * lock.h: the one lock of the arena, a process-shared robust mutex.
 *
 * Every acquisition goes through lock_acquire() or lock_tryacquire().  When
 * the previous holder died with the lock held, the kernel hands the lock to
 * the next taker with EOWNERDEAD; we then run the repair function of the
 * region the lock protects and only afterwards mark the mutex consistent.
 * If the repairer dies too, the next taker sees EOWNERDEAD again and runs
 * the same (idempotent) repair.  A repair that fails, or a mutex that became
 * unrecoverable, is a broken arena invariant: the process aborts and the
 * supervisor's crash policy takes over.
 *
 * Lock order, everywhere: keyspace stripe, then slab class, then slab pool.
 * Stripes are taken in ascending address order when several are held.  A
 * process holds at most the stripes of two databases (SWAPDB: 1024 with
 * the most stripes allowed) and a few slab locks, well below the 2048
 * robust locks the kernel walks for a dying thread.
 *
 * The interface is kept narrow so that a second backend (an owner-word lock
 * released by the supervisor, for platforms without robust mutexes) can
 * slot in behind it.
 */
#ifndef HYDRA_LOCK_H
#define HYDRA_LOCK_H

#include <pthread.h>
#include <stdint.h>

struct lock {
	pthread_mutex_t	 lk_mutex;
	int32_t		 lk_holder;	/* pid of the holder, 0 when free;
					   written by the holder */
	uint32_t	 lk_repairs;	/* times repaired after a death */
	uint32_t	 lk_since;	/* lock_clock_ms() when taken; written
					   by the holder before lk_holder */
	uint32_t	 lk_pad;
};

/*
 * Repair the region a lock protects, called with the lock held after its
 * previous owner died.  Returns 0 when the region is consistent again, -1
 * when it cannot be restored.
 */
typedef int	(*lock_repair_fn)(void *ctx);

/* Initialise a lock that lives in shared memory.  0 or -1 (errno). */
int	 lock_init(struct lock *);

/* Take the lock, repairing first if its owner died. */
void	 lock_acquire(struct lock *, lock_repair_fn, void *ctx);

/* Take the lock if it is free: 1 when taken (repaired if need be), else 0. */
int	 lock_tryacquire(struct lock *, lock_repair_fn, void *ctx);

void	 lock_release(struct lock *);

/*
 * Milliseconds on a coarse monotonic clock shared by every process of the
 * machine, modulo 2^32: what lk_since holds.
 */
uint32_t lock_clock_ms(void);

/*
 * For the watchdog, which takes no lock: has the lock been held for more
 * than budget_ms at `now' (lock_clock_ms())?  1 with the holder's pid in
 * *holder and the time held in *held_ms, else 0.  Reads the holder's
 * words twice and answers 0 unless both reads agree, so a lock that
 * changed hands meanwhile is never reported.
 */
int	 lock_overdue(const struct lock *, uint32_t now, uint32_t budget_ms,
	    int32_t *holder, uint32_t *held_ms);

/* Called for each lock of a region, by the modules that own locks. */
typedef void	(*lock_visit_fn)(const struct lock *, void *arg);

/* Total repairs run by this process, for statistics. */
uint64_t lock_repairs_done(void);

/*
 * Waits that ran out their slice without being woken (see lock_wait in
 * lock.c), for statistics.
 */
uint64_t lock_wait_slices_expired(void);

#endif /* HYDRA_LOCK_H */
