/*
 * event_poll.c: the poll(2) backend of the event loop, the POSIX fallback
 * for platforms with neither epoll nor kqueue, and the one tests force to
 * check it where a better backend exists.
 *
 * Run by workers, inside their loop; takes no locks.
 *
 * The registered descriptors are kept packed at the front of a pollfd
 * array, with an index from descriptor to slot, so that a wait costs one
 * pass over the registered descriptors rather than over the capacity, and
 * forgetting one moves the last slot into its place.  EVENT_EXCLUSIVE has
 * no poll(2) equivalent and is ignored: every waiter wakes.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>

#include "event_internal.h"

struct event_poll {
	struct pollfd	*pl_fds;	/* pl_count used, el_capacity in all */
	int		*pl_slot;	/* fd -> index in pl_fds, or -1 */
	int		 pl_count;
};

static int
event_poll_init(struct event_loop *loop)
{
	struct event_poll	*pl;
	int			 i;

	if ((pl = calloc(1, sizeof(*pl))) == NULL)
		return (-1);
	pl->pl_fds = calloc((size_t)loop->el_capacity, sizeof(*pl->pl_fds));
	pl->pl_slot = calloc((size_t)loop->el_capacity, sizeof(*pl->pl_slot));
	if (pl->pl_fds == NULL || pl->pl_slot == NULL) {
		free(pl->pl_fds);
		free(pl->pl_slot);
		free(pl);
		return (-1);
	}
	for (i = 0; i < loop->el_capacity; i++)
		pl->pl_slot[i] = -1;
	loop->el_backend_data = pl;
	return (0);
}

static void
event_poll_free(struct event_loop *loop)
{
	struct event_poll	*pl = loop->el_backend_data;

	free(pl->pl_fds);
	free(pl->pl_slot);
	free(pl);
	loop->el_backend_data = NULL;
}

static int
event_poll_update(struct event_loop *loop, int fd, int oldmask, int newmask)
{
	struct event_poll	*pl = loop->el_backend_data;
	struct pollfd		*p;
	int			 slot = pl->pl_slot[fd], last;

	(void)oldmask;
	if (newmask == EVENT_NONE) {
		if (slot == -1)
			return (0);
		last = --pl->pl_count;
		if (slot != last) {
			pl->pl_fds[slot] = pl->pl_fds[last];
			pl->pl_slot[pl->pl_fds[slot].fd] = slot;
		}
		pl->pl_slot[fd] = -1;
		return (0);
	}
	if (slot == -1) {
		slot = pl->pl_count++;
		pl->pl_slot[fd] = slot;
	}
	p = &pl->pl_fds[slot];
	p->fd = fd;
	p->events = 0;
	p->revents = 0;
	if (newmask & EVENT_READABLE)
		p->events |= POLLIN;
	if (newmask & EVENT_WRITABLE)
		p->events |= POLLOUT;
	return (0);
}

static int
event_poll_wait(struct event_loop *loop, long long timeout_us)
{
	struct event_poll	*pl = loop->el_backend_data;
	struct pollfd		*p;
	int			 i, n, nfired = 0, mask;

	n = poll(pl->pl_fds, (nfds_t)pl->pl_count,
	    event_timeout_ms(timeout_us));
	if (n == -1)
		return (-1);
	for (i = 0; i < pl->pl_count && nfired < n; i++) {
		p = &pl->pl_fds[i];
		if (p->revents == 0)
			continue;
		mask = 0;
		if (p->revents & POLLIN)
			mask |= EVENT_READABLE;
		if (p->revents & POLLOUT)
			mask |= EVENT_WRITABLE;
		/*
		 * An error or hang-up is for whoever reads or writes next; so
		 * is a descriptor closed without event_del(), which would
		 * otherwise make every wait return at once, unexplained.
		 */
		if (p->revents & (POLLERR | POLLHUP | POLLNVAL))
			mask |= EVENT_IO_MASK;
		loop->el_fired[nfired].ev_fd = p->fd;
		loop->el_fired[nfired].ev_mask = mask;
		nfired++;
	}
	return (nfired);
}

const struct event_backend_ops event_poll_ops = {
	.eb_name = "poll",
	.eb_kind = EVENT_BACKEND_POLL,
	.eb_init = event_poll_init,
	.eb_free = event_poll_free,
	.eb_update = event_poll_update,
	.eb_wait = event_poll_wait
};
