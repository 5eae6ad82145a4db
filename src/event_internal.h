/*
 * event_internal.h: what event.c shares with its backends (event_epoll.c,
 * event_kqueue.c, event_poll.c), and nothing else includes.
 *
 * Run by workers, each in its own loop; takes no locks.
 *
 * Which backends exist is decided here, once, from the platform: this is
 * the one exception to "every #ifdef on an operating system lives in
 * compat.h", kept beside the only code it concerns.  Each backend file
 * compiles to its ops only when its EVENT_HAVE_ macro is set; poll(2) is
 * POSIX and always present.
 */
#ifndef HYDRA_EVENT_INTERNAL_H
#define HYDRA_EVENT_INTERNAL_H

#include <signal.h>
#include <stdint.h>

#include "hydra/event.h"

#if defined(__linux__)
#define EVENT_HAVE_EPOLL	1
#endif

#if defined(__FreeBSD__) || defined(__OpenBSD__) || defined(__NetBSD__) || \
    defined(__DragonFly__) || defined(__APPLE__)
#define EVENT_HAVE_KQUEUE	1
#endif

/* The interest bits a backend is told about. */
#define EVENT_IO_MASK		(EVENT_READABLE | EVENT_WRITABLE)
#define EVENT_ALL_MASK		(EVENT_IO_MASK | EVENT_EXCLUSIVE)

/* The registration of one descriptor. */
struct event_file {
	int		 ef_mask;	/* EVENT_ bits registered */
	unsigned int	 ef_gen;	/* bumped whenever a bit is removed */
	event_file_fn	 ef_rfn;	/* for EVENT_READABLE */
	void		*ef_rarg;
	event_file_fn	 ef_wfn;	/* for EVENT_WRITABLE */
	void		*ef_warg;
};

/*
 * A descriptor the backend found ready.  The backend fills in ev_fd and
 * ev_mask (at most one entry per descriptor); event.c adds ev_gen, the
 * registration's generation at the time of the wait.
 */
struct event_fired {
	int		 ev_fd;
	int		 ev_mask;
	unsigned int	 ev_gen;
};

/* A timer, on a list sorted by et_when (ties in order of insertion). */
struct event_timer {
	struct event_timer	*et_next;
	struct event_timer	*et_prev;
	long long		 et_id;
	uint64_t		 et_when;	/* monotonic, microseconds */
	event_timer_fn		 et_fn;
	void			*et_arg;
	unsigned int		 et_pass;	/* iteration it last fired in */
	int			 et_running;	/* its callback is under way */
	int			 et_cancelled;	/* cancelled while running */
};

struct event_loop;

/*
 * A backend.  eb_init() sets el_backend_data (sized for el_capacity
 * descriptors) and eb_free() releases it.  eb_update() changes fd's
 * interest from `oldmask' to `newmask' (EVENT_ALL_MASK bits; newmask
 * EVENT_NONE means forget fd) and leaves it unchanged on failure.
 * eb_wait() waits at most timeout_us microseconds (-1: no limit) and fills
 * el_fired, returning the number of entries or -1 with errno.
 */
struct event_backend_ops {
	const char		*eb_name;
	enum event_backend	 eb_kind;
	int			(*eb_init)(struct event_loop *);
	void			(*eb_free)(struct event_loop *);
	int			(*eb_update)(struct event_loop *, int fd,
				    int oldmask, int newmask);
	int			(*eb_wait)(struct event_loop *,
				    long long timeout_us);
};

struct event_loop {
	const struct event_backend_ops	*el_ops;
	void			*el_backend_data;
	int			 el_capacity;	/* fds 0 .. el_capacity - 1 */
	struct event_file	*el_files;	/* el_capacity entries */
	struct event_fired	*el_fired;	/* el_capacity entries */
	struct event_timer	*el_timers;	/* sorted, soonest first */
	long long		 el_timer_next_id;
	unsigned int		 el_pass;	/* iterations, for timers */
	event_sleep_fn		 el_before_sleep;
	void			*el_before_sleep_arg;
	volatile sig_atomic_t	 el_stop;
};

#ifdef EVENT_HAVE_EPOLL
extern const struct event_backend_ops event_epoll_ops;
#endif
#ifdef EVENT_HAVE_KQUEUE
extern const struct event_backend_ops event_kqueue_ops;
#endif
extern const struct event_backend_ops event_poll_ops;

/* A wait in microseconds as poll(2) and epoll want it: whole ms, rounded up. */
int	 event_timeout_ms(long long timeout_us);

#endif /* HYDRA_EVENT_INTERNAL_H */
