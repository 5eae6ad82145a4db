/*
 * event.c: the event loop of a worker: descriptor callbacks, timers and the
 * before-sleep hook, over one of the backends of event_internal.h.
 *
 * Run by workers, one loop per process; takes no locks.
 *
 * An iteration calls the before-sleep hook, asks the backend to wait until
 * a descriptor is ready or the soonest timer is due, calls back every ready
 * descriptor, then every due timer.  Two guards keep callbacks from
 * seeing the past.  A descriptor's readiness is delivered only if its
 * registration has not lost a bit since the wait (its generation is
 * unchanged), so a callback that unregisters, closes and reuses another
 * descriptor number cannot get a stale event delivered to the new owner.
 * A timer fires at most once per iteration, and only if it existed when
 * the timers' pass began, so that timers re-armed with a zero delay, or
 * adding one another, cannot keep an iteration from ending.
 *
 * Timers are kept on a list sorted by due time: a worker has a handful of
 * them, so the O(n) insertion costs less than a heap would.  Due times are
 * in microseconds of the monotonic clock, so that a timer never fires
 * before its delay even when the clock's millisecond is about to turn.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hydra/event.h"
#include "event_internal.h"

/* Longest timer delay, about 290 years: due times cannot overflow. */
#define EVENT_TIMER_MAX_MS	((long long)1 << 53)

static const struct event_backend_ops *const event_backends[] = {
#ifdef EVENT_HAVE_EPOLL
	&event_epoll_ops,
#endif
#ifdef EVENT_HAVE_KQUEUE
	&event_kqueue_ops,
#endif
	&event_poll_ops
};

#define EVENT_NBACKENDS	(sizeof(event_backends) / sizeof(event_backends[0]))

uint64_t
event_now_us(void)
{
	struct timespec	 ts;

	/* CLOCK_MONOTONIC cannot fail with a valid pointer. */
	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000);
}

int
event_timeout_ms(long long timeout_us)
{
	long long	 ms;

	if (timeout_us < 0)
		return (-1);
	ms = timeout_us / 1000 + (timeout_us % 1000 != 0);
	return (ms > INT_MAX ? INT_MAX : (int)ms);
}

static const struct event_backend_ops *
event_find_backend(enum event_backend kind)
{
	size_t	 i;

	for (i = 0; i < EVENT_NBACKENDS; i++)
		if (event_backends[i]->eb_kind == kind)
			return (event_backends[i]);
	return (NULL);
}

int
event_backend_available(enum event_backend kind)
{
	if (kind == EVENT_BACKEND_DEFAULT)
		return (1);
	return (event_find_backend(kind) != NULL);
}

/*
 * Turn EVENT_BACKEND_DEFAULT into a backend: the one HYDRA_EVENT_BACKEND
 * names, else the first (best) of the table.
 */
static const struct event_backend_ops *
event_choose_backend(enum event_backend kind)
{
	const struct event_backend_ops	*ops;
	const char			*env;

	if (kind == EVENT_BACKEND_DEFAULT) {
		env = getenv("HYDRA_EVENT_BACKEND");
		if (env == NULL || *env == '\0')
			return (event_backends[0]);
		if (strcmp(env, "epoll") == 0)
			kind = EVENT_BACKEND_EPOLL;
		else if (strcmp(env, "kqueue") == 0)
			kind = EVENT_BACKEND_KQUEUE;
		else if (strcmp(env, "poll") == 0)
			kind = EVENT_BACKEND_POLL;
		else {
			errno = EINVAL;
			return (NULL);
		}
	}
	if ((ops = event_find_backend(kind)) == NULL)
		errno = ENOTSUP;
	return (ops);
}

struct event_loop *
event_create(int capacity, enum event_backend kind)
{
	struct event_loop	*loop;
	int			 saved;

	if (capacity < 1) {
		errno = EINVAL;
		return (NULL);
	}
	if ((loop = calloc(1, sizeof(*loop))) == NULL)
		return (NULL);
	if ((loop->el_ops = event_choose_backend(kind)) == NULL)
		goto fail;
	loop->el_capacity = capacity;
	loop->el_timer_next_id = 1;
	loop->el_files = calloc((size_t)capacity, sizeof(*loop->el_files));
	loop->el_fired = calloc((size_t)capacity, sizeof(*loop->el_fired));
	if (loop->el_files == NULL || loop->el_fired == NULL)
		goto fail;
	if (loop->el_ops->eb_init(loop) == -1)
		goto fail;
	return (loop);

fail:
	saved = errno;
	free(loop->el_files);
	free(loop->el_fired);
	free(loop);
	errno = saved;
	return (NULL);
}

void
event_destroy(struct event_loop *loop)
{
	struct event_timer	*t, *next;

	if (loop == NULL)
		return;
	loop->el_ops->eb_free(loop);
	for (t = loop->el_timers; t != NULL; t = next) {
		next = t->et_next;
		free(t);
	}
	free(loop->el_files);
	free(loop->el_fired);
	free(loop);
}

enum event_backend
event_backend_kind(const struct event_loop *loop)
{
	return (loop->el_ops->eb_kind);
}

const char *
event_backend_name(const struct event_loop *loop)
{
	return (loop->el_ops->eb_name);
}

int
event_capacity(const struct event_loop *loop)
{
	return (loop->el_capacity);
}

int
event_add(struct event_loop *loop, int fd, int mask, event_file_fn fn,
    void *arg)
{
	struct event_file	*ef;
	int			 newmask;

	if (fd < 0 || fd >= loop->el_capacity) {
		errno = ERANGE;
		return (-1);
	}
	if ((mask & EVENT_IO_MASK) == 0 || (mask & ~EVENT_ALL_MASK) != 0 ||
	    fn == NULL) {
		errno = EINVAL;
		return (-1);
	}
	ef = &loop->el_files[fd];
	newmask = ef->ef_mask | mask;
	if (newmask != ef->ef_mask &&
	    loop->el_ops->eb_update(loop, fd, ef->ef_mask, newmask) == -1)
		return (-1);
	ef->ef_mask = newmask;
	if (mask & EVENT_READABLE) {
		ef->ef_rfn = fn;
		ef->ef_rarg = arg;
	}
	if (mask & EVENT_WRITABLE) {
		ef->ef_wfn = fn;
		ef->ef_warg = arg;
	}
	return (0);
}

int
event_del(struct event_loop *loop, int fd, int mask)
{
	struct event_file	*ef;
	int			 newmask;

	if (fd < 0 || fd >= loop->el_capacity) {
		errno = ERANGE;
		return (-1);
	}
	ef = &loop->el_files[fd];
	newmask = ef->ef_mask & ~mask;
	if ((newmask & EVENT_IO_MASK) == 0)
		newmask = EVENT_NONE;
	if (newmask == ef->ef_mask)
		return (0);
	/*
	 * The kernel forgets a descriptor when it is closed; forgetting it
	 * here too is then all that is left to do.
	 */
	if (loop->el_ops->eb_update(loop, fd, ef->ef_mask, newmask) == -1 &&
	    !(newmask == EVENT_NONE && (errno == EBADF || errno == ENOENT)))
		return (-1);
	ef->ef_mask = newmask;
	ef->ef_gen++;
	if ((newmask & EVENT_READABLE) == 0) {
		ef->ef_rfn = NULL;
		ef->ef_rarg = NULL;
	}
	if ((newmask & EVENT_WRITABLE) == 0) {
		ef->ef_wfn = NULL;
		ef->ef_warg = NULL;
	}
	return (0);
}

int
event_mask(const struct event_loop *loop, int fd)
{
	if (fd < 0 || fd >= loop->el_capacity)
		return (EVENT_NONE);
	return (loop->el_files[fd].ef_mask);
}

/* Put t on the sorted list, after every timer due no later. */
static void
event_timer_link(struct event_loop *loop, struct event_timer *t)
{
	struct event_timer	*prev = NULL, *cur;

	for (cur = loop->el_timers; cur != NULL && cur->et_when <= t->et_when;
	    cur = cur->et_next)
		prev = cur;
	t->et_prev = prev;
	t->et_next = cur;
	if (cur != NULL)
		cur->et_prev = t;
	if (prev != NULL)
		prev->et_next = t;
	else
		loop->el_timers = t;
}

static void
event_timer_unlink(struct event_loop *loop, struct event_timer *t)
{
	if (t->et_prev != NULL)
		t->et_prev->et_next = t->et_next;
	else
		loop->el_timers = t->et_next;
	if (t->et_next != NULL)
		t->et_next->et_prev = t->et_prev;
	t->et_next = t->et_prev = NULL;
}

/* The due time `ms' after `now', saturating for absurd delays. */
static uint64_t
event_due(uint64_t now, long long ms)
{
	if (ms > EVENT_TIMER_MAX_MS)
		ms = EVENT_TIMER_MAX_MS;
	return (now + (uint64_t)ms * 1000);
}

long long
event_timer_add(struct event_loop *loop, long long ms, event_timer_fn fn,
    void *arg)
{
	struct event_timer	*t;

	if (ms < 0 || fn == NULL) {
		errno = EINVAL;
		return (-1);
	}
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return (-1);
	t->et_id = loop->el_timer_next_id++;
	t->et_when = event_due(event_now_us(), ms);
	t->et_fn = fn;
	t->et_arg = arg;
	/* A pass number it cannot match until it has fired. */
	t->et_pass = loop->el_pass - 1;
	event_timer_link(loop, t);
	return (t->et_id);
}

int
event_timer_cancel(struct event_loop *loop, long long id)
{
	struct event_timer	*t;

	for (t = loop->el_timers; t != NULL; t = t->et_next)
		if (t->et_id == id && !t->et_cancelled)
			break;
	if (t == NULL) {
		errno = ENOENT;
		return (-1);
	}
	if (t->et_running) {
		/* event_timers() frees it when its callback returns. */
		t->et_cancelled = 1;
		return (0);
	}
	event_timer_unlink(loop, t);
	free(t);
	return (0);
}

void
event_set_before_sleep(struct event_loop *loop, event_sleep_fn fn, void *arg)
{
	loop->el_before_sleep = fn;
	loop->el_before_sleep_arg = fn != NULL ? arg : NULL;
}

/*
 * Fire the timers due now.  A callback may add and cancel timers, its own
 * included, so after each one the scan starts again from the head; the
 * pass number keeps a timer from firing twice, and maxid keeps timers
 * added during the pass for the next one.  Returns the number fired.
 */
static int
event_timers(struct event_loop *loop)
{
	struct event_timer	*t;
	long long		 maxid, delay;
	uint64_t		 now;
	int			 fired = 0;

	now = event_now_us();
	maxid = loop->el_timer_next_id - 1;
	for (;;) {
		for (t = loop->el_timers; t != NULL && t->et_when <= now;
		    t = t->et_next)
			if (t->et_id <= maxid && t->et_pass != loop->el_pass)
				break;
		if (t == NULL || t->et_when > now)
			break;
		t->et_pass = loop->el_pass;
		t->et_running = 1;
		delay = t->et_fn(loop, t->et_id, t->et_arg);
		t->et_running = 0;
		fired++;
		event_timer_unlink(loop, t);
		if (delay < 0 || t->et_cancelled) {
			free(t);
			continue;
		}
		t->et_when = event_due(event_now_us(), delay);
		event_timer_link(loop, t);
	}
	return (fired);
}

/*
 * Call back one ready descriptor, unless its registration lost a bit
 * since the wait.  Returns the number of callbacks made.
 */
static int
event_dispatch(struct event_loop *loop, const struct event_fired *ev)
{
	struct event_file	*ef = &loop->el_files[ev->ev_fd];
	int			 ready, calls = 0;

	if (ef->ef_gen != ev->ev_gen)
		return (0);
	ready = ef->ef_mask & ev->ev_mask & EVENT_IO_MASK;
	if (ready == EVENT_IO_MASK && ef->ef_rfn == ef->ef_wfn &&
	    ef->ef_rarg == ef->ef_warg) {
		ef->ef_rfn(loop, ev->ev_fd, ef->ef_rarg, ready);
		return (1);
	}
	if (ready & EVENT_READABLE) {
		ef->ef_rfn(loop, ev->ev_fd, ef->ef_rarg, EVENT_READABLE);
		calls++;
		/* The callback may have changed the registration. */
		if (ef->ef_gen != ev->ev_gen)
			return (calls);
	}
	if (ready & ef->ef_mask & EVENT_WRITABLE) {
		ef->ef_wfn(loop, ev->ev_fd, ef->ef_warg, EVENT_WRITABLE);
		calls++;
	}
	return (calls);
}

int
event_process(struct event_loop *loop, int timeout_ms)
{
	long long	 wait_us, until;
	uint64_t	 now;
	int		 i, n, calls = 0;

	loop->el_pass++;
	if (loop->el_before_sleep != NULL)
		loop->el_before_sleep(loop, loop->el_before_sleep_arg);

	wait_us = timeout_ms < 0 ? -1 : (long long)timeout_ms * 1000;
	if (loop->el_stop)
		wait_us = 0;
	if (wait_us != 0 && loop->el_timers != NULL) {
		now = event_now_us();
		until = loop->el_timers->et_when > now ?
		    (long long)(loop->el_timers->et_when - now) : 0;
		if (wait_us < 0 || until < wait_us)
			wait_us = until;
	}

	if ((n = loop->el_ops->eb_wait(loop, wait_us)) == -1) {
		if (errno != EINTR)
			return (-1);
		n = 0;
	}
	for (i = 0; i < n; i++)
		loop->el_fired[i].ev_gen =
		    loop->el_files[loop->el_fired[i].ev_fd].ef_gen;
	for (i = 0; i < n; i++)
		calls += event_dispatch(loop, &loop->el_fired[i]);
	return (calls + event_timers(loop));
}

int
event_run(struct event_loop *loop)
{
	while (!loop->el_stop)
		if (event_process(loop, -1) == -1)
			return (-1);
	/* Clear the request only now, so that one made early is not lost. */
	loop->el_stop = 0;
	return (0);
}

void
event_stop(struct event_loop *loop)
{
	loop->el_stop = 1;
}
