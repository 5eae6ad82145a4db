/*
 * compat.c: the functions behind compat.h, where one platform needs code
 * that another does not.
 *
 * Run by any process of hydra; takes no locks.
 */
#if defined(__linux__)
#include <sys/prctl.h>
#elif defined(__FreeBSD__)
#include <sys/procctl.h>
#endif

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <signal.h>

#include "hydra/compat.h"

int
compat_parent_death_signal(void)
{
#if defined(__linux__)
	return (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1 ? -1 : 0);
#elif defined(__FreeBSD__) && defined(PROC_PDEATHSIG_CTL)
	int	 sig = SIGKILL;

	return (procctl(P_PID, 0, PROC_PDEATHSIG_CTL, &sig) == -1 ? -1 : 0);
#else
	errno = ENOTSUP;
	return (-1);
#endif
}

int
compat_tcp_keepalive(int fd, int interval)
{
	int	 one = 1, v;

	if (setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one)) == -1)
		return (-1);
#if defined(TCP_KEEPIDLE) && defined(TCP_KEEPINTVL) && defined(TCP_KEEPCNT)
	v = interval;
	if (setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &v, sizeof(v)) == -1)
		return (-1);
	v = interval / 3 > 0 ? interval / 3 : 1;
	if (setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &v, sizeof(v)) == -1)
		return (-1);
	v = 3;
	if (setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &v, sizeof(v)) == -1)
		return (-1);
#elif defined(TCP_KEEPALIVE)
	/* macOS names the idle time TCP_KEEPALIVE. */
	v = interval;
	if (setsockopt(fd, IPPROTO_TCP, TCP_KEEPALIVE, &v, sizeof(v)) == -1)
		return (-1);
#else
	(void)interval;
	(void)v;
#endif
	return (0);
}

int64_t
compat_realtime_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}
