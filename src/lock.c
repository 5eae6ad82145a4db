/*
 * lock.c: process-shared robust mutexes with repair on owner death.
 *
 * Run by every process that touches the arena.  The mutexes live in the
 * arena and are never freed, unmapped or reused while the arena exists
 * (reusing the memory of a robust mutex races with the kernel's dead-owner
 * walk).  lk_holder is a diagnostic: it names the pid that holds the lock,
 * for the watchdog and for people; repair never trusts it, because a holder
 * can die between taking the mutex and writing it.  lk_since, written
 * just before it, says since when the lock is held, on a clock every
 * process reads alike (lock_clock_ms()): the supervisor's watchdog kills
 * a holder that keeps a lock past its budget (lock_overdue()).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hydra/arena.h"
#include "hydra/compat.h"
#include "hydra/lock.h"
#include "hydra/log.h"

#define LOCK_WAIT_SLICE_MS	100

static uint64_t	 lock_repair_count;
static uint64_t	 lock_slices_expired;
static pid_t	 lock_pid_cached;
static int	 lock_atfork_set;

int
lock_init(struct lock *lk)
{
	pthread_mutexattr_t	 attr;
	int			 error;

	memset(lk, 0, sizeof(*lk));
	if ((error = pthread_mutexattr_init(&attr)) != 0)
		goto fail;
	if ((error = pthread_mutexattr_setpshared(&attr,
	    PTHREAD_PROCESS_SHARED)) != 0 ||
	    (error = pthread_mutexattr_setrobust(&attr,
	    PTHREAD_MUTEX_ROBUST)) != 0 ||
	    (error = pthread_mutex_init(&lk->lk_mutex, &attr)) != 0) {
		pthread_mutexattr_destroy(&attr);
		goto fail;
	}
	pthread_mutexattr_destroy(&attr);
	return (0);
fail:
	errno = error;
	return (-1);
}

/*
 * We own the lock after its owner died: repair the region, then mark the
 * mutex consistent.  Only the last step makes the lock usable again, so a
 * death anywhere in here hands the same work to the next taker.
 */
static void
lock_recover(struct lock *lk, int32_t dead, lock_repair_fn repair, void *ctx)
{
	int	 error;

	log_warnx("lock %p: previous owner (pid %d) died holding it; "
	    "repairing", (void *)lk, (int)dead);
	if (repair != NULL && repair(ctx) == -1) {
		log_warnx("lock %p: repair failed; the arena is inconsistent",
		    (void *)lk);
		abort();
	}
	if ((error = pthread_mutex_consistent(&lk->lk_mutex)) != 0) {
		errno = error;
		log_warn("lock %p: pthread_mutex_consistent", (void *)lk);
		abort();
	}
	lk->lk_repairs++;
	lock_repair_count++;
}

static void
lock_forget_pid(void)
{
	lock_pid_cached = 0;
}

/* getpid() is a system call; cache it, and forget it in a forked child. */
static pid_t
lock_self(void)
{
	if (lock_pid_cached == 0) {
		if (!lock_atfork_set &&
		    pthread_atfork(NULL, NULL, lock_forget_pid) != 0)
			return (getpid());
		lock_atfork_set = 1;
		lock_pid_cached = getpid();
	}
	return (lock_pid_cached);
}

static void
lock_took(struct lock *lk, int error, lock_repair_fn repair, void *ctx)
{
	int32_t	 dead = lk->lk_holder;

	shm_store32(&lk->lk_since, lock_clock_ms());
	shm_store32((uint32_t *)&lk->lk_holder, (uint32_t)lock_self());
	if (error == EOWNERDEAD)
		lock_recover(lk, dead, repair, ctx);
}

/*
 * Wait in bounded slices rather than forever.  An unlock clears the
 * waiters bit and wakes one sleeper; if that sleeper is killed before it
 * runs, and a process that never slept takes the lock in the meantime
 * (without setting the bit again), nobody is left to wake the others, and
 * they would sleep on a lock that is free again.  Each slice ends with a
 * fresh attempt, so such a loss costs at most one slice.
 */
static int
lock_wait(struct lock *lk)
{
	struct timespec	 deadline;
	int		 error;

	for (;;) {
		clock_gettime(CLOCK_REALTIME, &deadline);
		deadline.tv_nsec += LOCK_WAIT_SLICE_MS * 1000000L;
		if (deadline.tv_nsec >= 1000000000L) {
			deadline.tv_sec++;
			deadline.tv_nsec -= 1000000000L;
		}
		error = pthread_mutex_timedlock(&lk->lk_mutex, &deadline);
		if (error != ETIMEDOUT)
			return (error);
		lock_slices_expired++;
	}
}

void
lock_acquire(struct lock *lk, lock_repair_fn repair, void *ctx)
{
	int	 error;

	error = pthread_mutex_trylock(&lk->lk_mutex);
	if (error == EBUSY)
		error = lock_wait(lk);
	if (error != 0 && error != EOWNERDEAD) {
		errno = error;
		log_warn("lock %p: pthread_mutex_lock", (void *)lk);
		abort();
	}
	lock_took(lk, error, repair, ctx);
}

int
lock_tryacquire(struct lock *lk, lock_repair_fn repair, void *ctx)
{
	int	 error;

	error = pthread_mutex_trylock(&lk->lk_mutex);
	if (error == EBUSY)
		return (0);
	if (error != 0 && error != EOWNERDEAD) {
		errno = error;
		log_warn("lock %p: pthread_mutex_trylock", (void *)lk);
		abort();
	}
	/* A trylock that returns EOWNERDEAD owns the lock too. */
	lock_took(lk, error, repair, ctx);
	return (1);
}

void
lock_release(struct lock *lk)
{
	shm_store32((uint32_t *)&lk->lk_holder, 0);
	pthread_mutex_unlock(&lk->lk_mutex);
}

uint32_t
lock_clock_ms(void)
{
	struct timespec	 ts;

	clock_gettime(COMPAT_CLOCK_COARSE, &ts);
	return ((uint32_t)((uint64_t)ts.tv_sec * 1000 +
	    (uint64_t)ts.tv_nsec / 1000000));
}

int
lock_overdue(const struct lock *lk, uint32_t now, uint32_t budget_ms,
    int32_t *holder, uint32_t *held_ms)
{
	uint32_t	 since, since2;
	int32_t		 pid;

	since = shm_load32(&lk->lk_since);
	pid = (int32_t)shm_load32((const uint32_t *)&lk->lk_holder);
	since2 = shm_load32(&lk->lk_since);
	if (pid <= 0 || since != since2 || now - since <= budget_ms)
		return (0);
	/* Taken and let go meanwhile (the same since twice is rare). */
	if ((int32_t)shm_load32((const uint32_t *)&lk->lk_holder) != pid)
		return (0);
	*holder = pid;
	*held_ms = now - since;
	return (1);
}

uint64_t
lock_repairs_done(void)
{
	return (lock_repair_count);
}

uint64_t
lock_wait_slices_expired(void)
{
	return (lock_slices_expired);
}
