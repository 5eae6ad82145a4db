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
