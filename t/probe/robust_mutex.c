/*
 * Build-time probe: does this platform have process-shared robust mutexes?
 *
 * hydra keeps its locks in shared memory and counts on the system to tell
 * the next locker when the previous owner died while holding one.  This
 * program checks exactly that, once, before the build compiles anything: a
 * child process takes a robust, process-shared mutex that lives in a
 * MAP_SHARED mapping and exits without unlocking it; the parent's lock must
 * then return EOWNERDEAD, pthread_mutex_consistent() must succeed, and the
 * mutex must work normally afterwards.
 *
 * Exit status 0 means yes.  Anything else means no, with the reason on
 * standard error.  An alarm bounds the run, since a platform that accepts
 * the robust attribute but ignores it would leave the parent blocked.
 */

#include <sys/mman.h>
#include <sys/wait.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#if !defined(MAP_ANONYMOUS) && defined(MAP_ANON)
#define MAP_ANONYMOUS MAP_ANON
#endif

#define PROBE_TIMEOUT 10 /* seconds */

static int
probe_fail(const char *what, int error)
{
	fprintf(stderr, "robust_mutex probe: %s: %s\n", what, strerror(error));
	return 1;
}

int
main(void)
{
	pthread_mutexattr_t attr;
	pthread_mutex_t *mutex;
	pid_t pid;
	int error, status;

	alarm(PROBE_TIMEOUT);

	mutex = mmap(NULL, sizeof(*mutex), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (mutex == MAP_FAILED)
		return probe_fail("mmap", errno);

	if ((error = pthread_mutexattr_init(&attr)) != 0)
		return probe_fail("pthread_mutexattr_init", error);
	error = pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
	if (error != 0)
		return probe_fail("pthread_mutexattr_setpshared", error);
	error = pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
	if (error != 0)
		return probe_fail("pthread_mutexattr_setrobust", error);
	if ((error = pthread_mutex_init(mutex, &attr)) != 0)
		return probe_fail("pthread_mutex_init", error);
	pthread_mutexattr_destroy(&attr);

	if ((pid = fork()) == -1)
		return probe_fail("fork", errno);
	if (pid == 0) {
		/* Take the lock and die holding it. */
		_exit(pthread_mutex_lock(mutex) == 0 ? 0 : 1);
	}
	if (waitpid(pid, &status, 0) == -1)
		return probe_fail("waitpid", errno);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return probe_fail("child could not lock the mutex", EINVAL);

	error = pthread_mutex_lock(mutex);
	if (error != EOWNERDEAD) {
		fprintf(stderr,
		    "robust_mutex probe: lock after the owner died "
		    "returned %d (%s), not EOWNERDEAD\n",
		    error, strerror(error));
		return 1;
	}
	if ((error = pthread_mutex_consistent(mutex)) != 0)
		return probe_fail("pthread_mutex_consistent", error);
	if ((error = pthread_mutex_unlock(mutex)) != 0)
		return probe_fail("pthread_mutex_unlock", error);

	/* Once made consistent, the mutex must behave as a plain one again. */
	if ((error = pthread_mutex_lock(mutex)) != 0)
		return probe_fail("lock after repair", error);
	if ((error = pthread_mutex_unlock(mutex)) != 0)
		return probe_fail("unlock after repair", error);
	pthread_mutex_destroy(mutex);
	munmap(mutex, sizeof(*mutex));
	return 0;
}
