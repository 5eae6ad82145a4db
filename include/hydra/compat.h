/*
 * compat.h: the one place where hydra says which platform it runs on.
 *
 * Every #ifdef on an operating system lives here (and in compat.c when a
 * function is needed), so the rest of the tree reads as plain POSIX.
 */
#ifndef HYDRA_COMPAT_H
#define HYDRA_COMPAT_H

#include <sys/types.h>
#include <sys/mman.h>

#include <stdint.h>
#include <time.h>

/* Keep a mapping out of core dumps, where the platform can. */
#if defined(MADV_DONTDUMP)
#define COMPAT_MADV_NODUMP	MADV_DONTDUMP
#elif defined(MADV_NOCORE)
#define COMPAT_MADV_NODUMP	MADV_NOCORE
#endif

/* A cheap monotonic clock, coarse (a few ms) where the platform has one. */
#if defined(CLOCK_MONOTONIC_COARSE)
#define COMPAT_CLOCK_COARSE	CLOCK_MONOTONIC_COARSE
#elif defined(CLOCK_MONOTONIC_FAST)
#define COMPAT_CLOCK_COARSE	CLOCK_MONOTONIC_FAST
#else
#define COMPAT_CLOCK_COARSE	CLOCK_MONOTONIC
#endif

/*
 * Compiler ordering for crash consistency.  A process that dies stops
 * between two instructions, so what matters for the next lock holder is the
 * order in which our stores were issued: compiler_barrier() keeps the
 * compiler from moving memory accesses across it.
 */
#define compiler_barrier()	__atomic_signal_fence(__ATOMIC_SEQ_CST)

/*
 * Ask the kernel to send SIGKILL to the calling process when its parent
 * exits, where the platform can (Linux's PR_SET_PDEATHSIG, FreeBSD's
 * PROC_PDEATHSIG_CTL).  0, or -1 with errno ENOTSUP elsewhere: the caller
 * then watches getppid() itself.
 */
int	 compat_parent_death_signal(void);

/*
 * Turn on TCP keepalive for a connected socket, with the first probe
 * after `interval' seconds of silence where the platform lets us say so,
 * then probes every interval / 3 seconds, three of them, as Redis's
 * tcp-keepalive does.  0, or -1 with errno.
 */
int	 compat_tcp_keepalive(int fd, int interval);

/* Milliseconds since the epoch, on the realtime clock (expiry times). */
int64_t	 compat_realtime_ms(void);

#ifndef nitems
#define nitems(a)	(sizeof(a) / sizeof((a)[0]))
#endif

#endif /* HYDRA_COMPAT_H */
