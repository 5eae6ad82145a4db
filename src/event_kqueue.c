/*
 * event_kqueue.c: the kqueue(2) backend of the event loop, for the BSDs
 * and macOS.
 *
 * Run by workers, inside their loop; takes no locks.  Compiled to nothing
 * where event_internal.h does not set EVENT_HAVE_KQUEUE.
 *
 * kqueue reports reading and writing as two filters, hence up to two
 * kevents per descriptor and per wait; they are merged here into one
 * entry per descriptor, in the order the kernel reported them, because
 * event.c delivers one entry per descriptor.  EVENT_EXCLUSIVE has no
 * kqueue equivalent and is ignored.  A kqueue is not inherited by a child
 * process, so a loop must be created after fork().
 */
#include "event_internal.h"

#ifdef EVENT_HAVE_KQUEUE

#include <sys/types.h>
#include <sys/event.h>
#include <sys/time.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

struct event_kqueue {
	int		 kq_fd;
	struct kevent	*kq_events;	/* 2 * el_capacity entries */
	unsigned char	*kq_ready;	/* fd -> bits merged in this wait */
};

static int
event_kqueue_init(struct event_loop *loop)
{
	struct event_kqueue	*kq;
	size_t			 cap = (size_t)loop->el_capacity;
	int			 saved;

	if ((kq = calloc(1, sizeof(*kq))) == NULL)
		return (-1);
	kq->kq_events = calloc(2 * cap, sizeof(*kq->kq_events));
	kq->kq_ready = calloc(cap, sizeof(*kq->kq_ready));
	if (kq->kq_events == NULL || kq->kq_ready == NULL)
		goto fail;
	if ((kq->kq_fd = kqueue()) == -1)
		goto fail;
	if (fcntl(kq->kq_fd, F_SETFD, FD_CLOEXEC) == -1) {
		saved = errno;
		(void)close(kq->kq_fd);
		errno = saved;
		goto fail;
	}
	loop->el_backend_data = kq;
	return (0);

fail:
	saved = errno;
	free(kq->kq_events);
	free(kq->kq_ready);
	free(kq);
	errno = saved;
	return (-1);
}

static void
event_kqueue_free(struct event_loop *loop)
{
	struct event_kqueue	*kq = loop->el_backend_data;

	(void)close(kq->kq_fd);
	free(kq->kq_events);
	free(kq->kq_ready);
	free(kq);
	loop->el_backend_data = NULL;
}

static int
event_kqueue_change(struct event_kqueue *kq, int fd, int filter, int flags)
{
	struct kevent	 ke;

	EV_SET(&ke, fd, filter, flags, 0, 0, NULL);
	return (kevent(kq->kq_fd, &ke, 1, NULL, 0, NULL));
}

/*
 * Apply the changes one filter at a time, so that a failure in the second
 * can be undone in the first and the registration stays as it was.
 */
static int
event_kqueue_update(struct event_loop *loop, int fd, int oldmask,
    int newmask)
{
	struct event_kqueue	*kq = loop->el_backend_data;
	int			 rchange, wchange, saved;

	rchange = (oldmask ^ newmask) & EVENT_READABLE;
	wchange = (oldmask ^ newmask) & EVENT_WRITABLE;
	if (rchange && event_kqueue_change(kq, fd, EVFILT_READ,
	    (newmask & EVENT_READABLE) ? EV_ADD : EV_DELETE) == -1)
		return (-1);
	if (wchange && event_kqueue_change(kq, fd, EVFILT_WRITE,
	    (newmask & EVENT_WRITABLE) ? EV_ADD : EV_DELETE) == -1) {
		saved = errno;
		if (rchange)
			(void)event_kqueue_change(kq, fd, EVFILT_READ,
			    (oldmask & EVENT_READABLE) ? EV_ADD : EV_DELETE);
		errno = saved;
		return (-1);
	}
	return (0);
}

static int
event_kqueue_wait(struct event_loop *loop, long long timeout_us)
{
	struct event_kqueue	*kq = loop->el_backend_data;
	struct kevent		*ke;
	struct timespec		 ts, *tsp = NULL;
	int			 i, n, fd, bits, nfired = 0;

	if (timeout_us >= 0) {
		ts.tv_sec = (time_t)(timeout_us / 1000000);
		ts.tv_nsec = (long)(timeout_us % 1000000) * 1000;
		tsp = &ts;
	}
	n = kevent(kq->kq_fd, NULL, 0, kq->kq_events,
	    2 * loop->el_capacity, tsp);
	if (n == -1)
		return (-1);
	for (i = 0; i < n; i++) {
		ke = &kq->kq_events[i];
		fd = (int)ke->ident;
		if (fd < 0 || fd >= loop->el_capacity)
			continue;
		bits = 0;
		if (ke->filter == EVFILT_READ)
			bits |= EVENT_READABLE;
		else if (ke->filter == EVFILT_WRITE)
			bits |= EVENT_WRITABLE;
		/* An error is for whoever reads or writes next. */
		if (ke->flags & EV_ERROR)
			bits |= EVENT_IO_MASK;
		if (bits == 0)
			continue;
		if (kq->kq_ready[fd] == 0) {
			loop->el_fired[nfired].ev_fd = fd;
			nfired++;
		}
		kq->kq_ready[fd] |= bits;
	}
	for (i = 0; i < nfired; i++) {
		fd = loop->el_fired[i].ev_fd;
		loop->el_fired[i].ev_mask = kq->kq_ready[fd];
		kq->kq_ready[fd] = 0;
	}
	return (nfired);
}

const struct event_backend_ops event_kqueue_ops = {
	.eb_name = "kqueue",
	.eb_kind = EVENT_BACKEND_KQUEUE,
	.eb_init = event_kqueue_init,
	.eb_free = event_kqueue_free,
	.eb_update = event_kqueue_update,
	.eb_wait = event_kqueue_wait
};

#endif /* EVENT_HAVE_KQUEUE */
