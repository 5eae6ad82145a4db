/*
 * event_epoll.c: the epoll(7) backend of the event loop, for Linux.
 *
 * Run by workers, inside their loop; takes no locks.  Compiled to nothing
 * where event_internal.h does not set EVENT_HAVE_EPOLL.
 *
 * The epoll descriptor is private to the process that created the loop;
 * a loop must be created after fork(), or children would share its
 * interest list.  EVENT_EXCLUSIVE maps to EPOLLEXCLUSIVE, which the kernel
 * accepts only when a descriptor is added (EPOLL_CTL_MOD refuses it), so a
 * change to an exclusive registration is made by deleting and adding again.
 */
#include "event_internal.h"

#ifdef EVENT_HAVE_EPOLL

#include <sys/epoll.h>

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

/* Kernels since 4.5 know it; old C libraries may not name it. */
#ifndef EPOLLEXCLUSIVE
#define EPOLLEXCLUSIVE	(1U << 28)
#endif

struct event_epoll {
	int			 ep_fd;
	struct epoll_event	*ep_events;	/* el_capacity entries */
};

static int
event_epoll_init(struct event_loop *loop)
{
	struct event_epoll	*ep;
	int			 saved;

	if ((ep = calloc(1, sizeof(*ep))) == NULL)
		return (-1);
	ep->ep_events = calloc((size_t)loop->el_capacity,
	    sizeof(*ep->ep_events));
	if (ep->ep_events == NULL) {
		free(ep);
		return (-1);
	}
	if ((ep->ep_fd = epoll_create1(EPOLL_CLOEXEC)) == -1) {
		saved = errno;
		free(ep->ep_events);
		free(ep);
		errno = saved;
		return (-1);
	}
	loop->el_backend_data = ep;
	return (0);
}

static void
event_epoll_free(struct event_loop *loop)
{
	struct event_epoll	*ep = loop->el_backend_data;

	(void)close(ep->ep_fd);
	free(ep->ep_events);
	free(ep);
	loop->el_backend_data = NULL;
}

static int
event_epoll_ctl(struct event_epoll *ep, int op, int fd, int mask)
{
	struct epoll_event	 ee;

	ee.events = 0;
	ee.data.u64 = 0;
	ee.data.fd = fd;
	if (mask & EVENT_READABLE)
		ee.events |= EPOLLIN;
	if (mask & EVENT_WRITABLE)
		ee.events |= EPOLLOUT;
	if (mask & EVENT_EXCLUSIVE)
		ee.events |= EPOLLEXCLUSIVE;
	/* Kernels before 2.6.9 want an event even for EPOLL_CTL_DEL. */
	return (epoll_ctl(ep->ep_fd, op, fd, &ee));
}

static int
event_epoll_update(struct event_loop *loop, int fd, int oldmask, int newmask)
{
	struct event_epoll	*ep = loop->el_backend_data;
	int			 saved;

	if (newmask == EVENT_NONE)
		return (event_epoll_ctl(ep, EPOLL_CTL_DEL, fd, oldmask));
	if (oldmask == EVENT_NONE)
		return (event_epoll_ctl(ep, EPOLL_CTL_ADD, fd, newmask));
	if (((oldmask | newmask) & EVENT_EXCLUSIVE) == 0)
		return (event_epoll_ctl(ep, EPOLL_CTL_MOD, fd, newmask));

	if (event_epoll_ctl(ep, EPOLL_CTL_DEL, fd, oldmask) == -1)
		return (-1);
	if (event_epoll_ctl(ep, EPOLL_CTL_ADD, fd, newmask) == -1) {
		/* Put the old registration back, as the contract asks. */
		saved = errno;
		(void)event_epoll_ctl(ep, EPOLL_CTL_ADD, fd, oldmask);
		errno = saved;
		return (-1);
	}
	return (0);
}

static int
event_epoll_wait(struct event_loop *loop, long long timeout_us)
{
	struct event_epoll	*ep = loop->el_backend_data;
	struct epoll_event	*ee;
	int			 i, n, mask;

	n = epoll_wait(ep->ep_fd, ep->ep_events, loop->el_capacity,
	    event_timeout_ms(timeout_us));
	if (n == -1)
		return (-1);
	for (i = 0; i < n; i++) {
		ee = &ep->ep_events[i];
		mask = 0;
		if (ee->events & EPOLLIN)
			mask |= EVENT_READABLE;
		if (ee->events & EPOLLOUT)
			mask |= EVENT_WRITABLE;
		/* An error or hang-up is for whoever reads or writes next. */
		if (ee->events & (EPOLLERR | EPOLLHUP))
			mask |= EVENT_IO_MASK;
		loop->el_fired[i].ev_fd = ee->data.fd;
		loop->el_fired[i].ev_mask = mask;
	}
	return (n);
}

const struct event_backend_ops event_epoll_ops = {
	.eb_name = "epoll",
	.eb_kind = EVENT_BACKEND_EPOLL,
	.eb_init = event_epoll_init,
	.eb_free = event_epoll_free,
	.eb_update = event_epoll_update,
	.eb_wait = event_epoll_wait
};

#endif /* EVENT_HAVE_EPOLL */
