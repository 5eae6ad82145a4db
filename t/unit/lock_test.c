/*
 * lock_test.c: checks the robust process-shared lock of lock.c.
 *
 * The lock lives in a MAP_SHARED mapping made before fork, as the arena's
 * locks do.  When a holder dies, the next taker, through lock_acquire() or
 * lock_tryacquire(), runs the repair function exactly once, with the
 * context it passed, before it returns holding the lock; a live holder
 * keeps tryacquire out; a repairer that dies (here: whose repair fails and
 * aborts) hands the same repair to the next taker; and after a repair the
 * lock is an ordinary lock again, taken and released without repairs.
 */

#include <sys/mman.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hydra/lock.h"
#include "tap.h"

/* What the shared mapping holds. */
struct shared {
	struct lock	 lock;
	uint32_t	 counter;	/* under the lock */
};

/* The repair function's record of its calls, in the caller's memory. */
struct repair_log {
	int		 calls;
	void		*ctx;		/* as passed at the last call */
	int		 fail;		/* make the repair fail */
	struct lock	*lk;
	int		 held;		/* lk_holder was this pid in repair */
};

static int
repair(void *arg)
{
	struct repair_log	*rl = arg;

	rl->calls++;
	rl->ctx = arg;
	rl->held = rl->lk != NULL && rl->lk->lk_holder == (int32_t)getpid();
	return (rl->fail ? -1 : 0);
}

/*
 * A child that takes the lock and dies without releasing it; its pid is
 * stored in *dead when dead is not NULL.
 */
static int
die_holding(struct lock *lk, pid_t *dead)
{
	pid_t	 pid;
	int	 status;

	if ((pid = fork()) == -1)
		return (-1);
	if (pid == 0) {
		lock_acquire(lk, NULL, NULL);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return (-1);
	if (dead != NULL)
		*dead = pid;
	return (0);
}

/* Standard error goes to a temporary file until err_end(). */
static int
err_begin(FILE **tmp)
{
	int	 saved;

	if ((*tmp = tmpfile()) == NULL)
		return (-1);
	if ((saved = dup(STDERR_FILENO)) == -1 ||
	    dup2(fileno(*tmp), STDERR_FILENO) == -1) {
		fclose(*tmp);
		return (-1);
	}
	return (saved);
}

/* Put standard error back and return what was written meanwhile. */
static void
err_end(FILE *tmp, int saved, char *buf, size_t len)
{
	size_t	 n;

	dup2(saved, STDERR_FILENO);
	close(saved);
	rewind(tmp);
	n = fread(buf, 1, len - 1, tmp);
	buf[n] = '\0';
	fclose(tmp);
}

/*
 * A child that holds the lock until told to go: it writes a byte to
 * `ready' once it has the lock, and releases it and exits when a byte
 * arrives on `go'.
 */
static pid_t
hold_until_told(struct lock *lk, int *ready, int *go)
{
	int	 up[2], down[2];
	pid_t	 pid;
	char	 c = 0;

	if (pipe(up) == -1 || pipe(down) == -1)
		return (-1);
	if ((pid = fork()) == -1)
		return (-1);
	if (pid == 0) {
		close(up[0]);
		close(down[1]);
		lock_acquire(lk, NULL, NULL);
		if (write(up[1], &c, 1) != 1)
			_exit(1);
		if (read(down[0], &c, 1) != 1)
			_exit(1);
		lock_release(lk);
		_exit(0);
	}
	close(up[1]);
	close(down[0]);
	*ready = up[0];
	*go = down[1];
	return (pid);
}

static void
test_acquire_after_death(struct shared *sh)
{
	struct repair_log	 rl;
	uint64_t		 before = lock_repairs_done();
	uint32_t		 repairs = sh->lock.lk_repairs;
	FILE			*tmp = NULL;
	pid_t			 dead = -1;
	char			 log[1024], want[64];
	int			 saved;

	memset(&rl, 0, sizeof(rl));
	rl.lk = &sh->lock;
	ok(die_holding(&sh->lock, &dead) == 0,
	    "a child takes the lock and exits without releasing it");
	is_int(sh->lock.lk_holder, dead, "the dead child is named as the "
	    "lock's holder");
	saved = err_begin(&tmp);
	lock_acquire(&sh->lock, repair, &rl);
	if (saved != -1) {
		err_end(tmp, saved, log, sizeof(log));
		snprintf(want, sizeof(want), "(pid %ld)", (long)dead);
		if (!ok(strstr(log, want) != NULL, "the repair warning "
		    "names the pid of the holder that died"))
			diag("   wanted \"%s\" in: %s", want, log);
	} else
		skip(1, "standard error cannot be captured");
	is_int(rl.calls, 1, "lock_acquire after the holder died calls the "
	    "repair function exactly once");
	ok(rl.ctx == &rl, "the repair function gets the context passed to "
	    "lock_acquire");
	ok(rl.held, "the repair runs with the lock already held by the "
	    "repairer");
	is_int(sh->lock.lk_holder, getpid(),
	    "the lock names its new holder");
	is_int(sh->lock.lk_repairs, repairs + 1,
	    "the lock counts the repair");
	is_int((long long)lock_repairs_done(), (long long)before + 1,
	    "the process counts the repair");
	lock_release(&sh->lock);
	is_int(sh->lock.lk_holder, 0, "a released lock names no holder");
}

static void
test_tryacquire_after_death(struct shared *sh)
{
	struct repair_log	 rl;

	memset(&rl, 0, sizeof(rl));
	ok(die_holding(&sh->lock, NULL) == 0,
	    "a child takes the lock and exits without releasing it");
	is_int(lock_tryacquire(&sh->lock, repair, &rl), 1,
	    "lock_tryacquire on a lock whose holder died takes it");
	is_int(rl.calls, 1, "and repairs it exactly once first");
	ok(rl.ctx == &rl, "with the context passed to lock_tryacquire");
	lock_release(&sh->lock);
}

static void
test_live_holder(struct shared *sh)
{
	struct repair_log	 rl;
	pid_t			 pid;
	int			 ready, go, status;
	char			 c;

	memset(&rl, 0, sizeof(rl));
	if ((pid = hold_until_told(&sh->lock, &ready, &go)) == -1) {
		ok(0, "a child can be started to hold the lock");
		return;
	}
	if (read(ready, &c, 1) != 1) {
		ok(0, "the child reports that it holds the lock");
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return;
	}
	is_int(lock_tryacquire(&sh->lock, repair, &rl), 0,
	    "lock_tryacquire on a lock a live process holds returns 0");
	is_int(sh->lock.lk_holder, pid, "the lock names the live holder");
	is_int(rl.calls, 0, "a live holder's lock is not repaired");
	c = 0;
	if (write(go, &c, 1) != 1)
		diag("cannot tell the child to go: %s", strerror(errno));
	waitpid(pid, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "the child released the lock and exited");
	close(ready);
	close(go);
	is_int(lock_tryacquire(&sh->lock, repair, &rl), 1,
	    "once released, lock_tryacquire takes the lock");
	is_int(rl.calls, 0, "a lock released normally needs no repair");
	lock_release(&sh->lock);
}

/*
 * A repairer that cannot repair aborts, still holding the lock it was
 * given with EOWNERDEAD; the next taker must be asked to repair again.
 */
static void
test_failed_repair(struct shared *sh)
{
	struct repair_log	 rl;
	pid_t			 pid;
	int			 status;

	memset(&rl, 0, sizeof(rl));
	ok(die_holding(&sh->lock, NULL) == 0,
	    "a child takes the lock and exits without releasing it");
	if ((pid = fork()) == 0) {
		rl.fail = 1;
		lock_acquire(&sh->lock, repair, &rl);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT,
	    "a repair that fails aborts the repairer");
	lock_acquire(&sh->lock, repair, &rl);
	is_int(rl.calls, 1, "the next taker after an aborted repair repairs "
	    "again, once");
	lock_release(&sh->lock);
}

/* After repairs, the lock still excludes, and repairs nothing. */
static void
test_normal_after_repair(struct shared *sh)
{
	struct repair_log	 rl;
	pid_t			 pid[4];
	int			 i, j, status, clean = 1;

	memset(&rl, 0, sizeof(rl));
	for (i = 0; i < 1000; i++) {
		lock_acquire(&sh->lock, repair, &rl);
		lock_release(&sh->lock);
		if (lock_tryacquire(&sh->lock, repair, &rl) != 1)
			clean = 0;
		else
			lock_release(&sh->lock);
	}
	ok(clean, "a repaired lock is taken and released 2000 times");
	is_int(rl.calls, 0, "without any further repair");

	/*
	 * Four processes add to a counter under the lock; none of their
	 * increments is lost, so the lock excludes.
	 */
	sh->counter = 0;
	for (i = 0; i < 4; i++) {
		if ((pid[i] = fork()) == 0) {
			for (j = 0; j < 20000; j++) {
				lock_acquire(&sh->lock, repair, &rl);
				sh->counter = sh->counter + 1;
				lock_release(&sh->lock);
			}
			_exit(rl.calls == 0 ? 0 : 1);
		}
	}
	for (i = 0; i < 4; i++) {
		if (pid[i] == -1 || waitpid(pid[i], &status, 0) != pid[i] ||
		    !WIFEXITED(status) || WEXITSTATUS(status) != 0)
			clean = 0;
	}
	ok(clean, "four processes take the repaired lock 20000 times each "
	    "without a repair");
	is_int(sh->counter, 4 * 20000,
	    "no increment made under the lock is lost");
}

/* The watchdog's view: a lock is overdue only while held past the budget. */
static void
test_overdue(struct shared *sh)
{
	uint32_t	 now, held = 0;
	int32_t		 holder = 0;

	now = lock_clock_ms();
	ok(!lock_overdue(&sh->lock, now + 100000, 10, &holder, &held),
	    "a free lock is never overdue");
	lock_acquire(&sh->lock, repair, NULL);
	now = lock_clock_ms();
	ok(!lock_overdue(&sh->lock, now, 1000, &holder, &held),
	    "a lock just taken is not overdue");
	ok(lock_overdue(&sh->lock, sh->lock.lk_since + 1001, 1000, &holder,
	    &held), "a lock held past its budget is overdue");
	is_int(holder, getpid(), "and names its holder");
	is_int(held, 1001, "and how long it has been held");
	ok(!lock_overdue(&sh->lock, sh->lock.lk_since + 1000, 1000, &holder,
	    &held), "a lock held for exactly its budget is not");
	/* The clock wraps at 2^32 ms; the difference still counts. */
	sh->lock.lk_since = UINT32_MAX - 10;
	ok(lock_overdue(&sh->lock, 990, 1000, &holder, &held) && held == 1001,
	    "held time is counted across the clock's wrap");
	lock_release(&sh->lock);
	ok(!lock_overdue(&sh->lock, sh->lock.lk_since + 5000, 1000, &holder,
	    &held), "a released lock is not overdue");
}

int
main(void)
{
	struct shared	*sh;
	int		 rv;

	tap_no_plan();

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (!ok(sh != MAP_FAILED, "a shared anonymous mapping is made"))
		return (tap_done());
	memset(sh, 0xa5, sizeof(*sh));
	rv = lock_init(&sh->lock);
	is_int(rv, 0, "lock_init succeeds in a shared mapping");
	ok(sh->lock.lk_holder == 0 && sh->lock.lk_repairs == 0,
	    "a new lock has no holder and no repairs");
	if (rv != 0) {
		munmap(sh, sizeof(*sh));
		return (tap_done());
	}

	test_acquire_after_death(sh);
	test_tryacquire_after_death(sh);
	test_live_holder(sh);
	test_failed_repair(sh);
	test_normal_after_repair(sh);
	test_overdue(sh);

	munmap(sh, sizeof(*sh));
	return (tap_done());
}
