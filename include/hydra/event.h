/*
 * event.h: the event loop that each worker runs, in the spirit of Redis's
 * ae.c.
 *
 * A loop watches file descriptors for readability and writability, fires
 * timers on the monotonic clock, and calls one before-sleep hook at the top
 * of every iteration, before it waits.  Nothing more: no signals, no
 * threads, no buffering.  The readiness is level-triggered: a callback that
 * leaves data unread is called again on the next iteration.
 *
 * The kernel interface behind a loop (its backend) is epoll on Linux,
 * kqueue on the BSDs and macOS, and poll(2) everywhere as the fallback.
 * The best one is chosen unless the caller, or the HYDRA_EVENT_BACKEND
 * environment variable ("epoll", "kqueue" or "poll"), asks for another, so
 * that the fallback can be tested where a better backend exists.
 *
 * Run by workers, one loop each; the loop takes no locks.  A loop belongs
 * to one process and one thread; create it after fork().
 * Only event_stop() may be called from a signal handler.  Registering and
 * unregistering interest and timers is allowed from inside callbacks: an
 * fd whose interest was removed during an iteration is not called for the
 * rest of that iteration, even if the kernel had reported it ready.
 *
 * Library-style: functions return 0 (or a count, or an id) on success and
 * -1 with errno set on failure.  Nothing is allocated per event; a timer
 * costs one allocation when it is added.
 */
#ifndef HYDRA_EVENT_H
#define HYDRA_EVENT_H

#include <stdint.h>

/* Interest and readiness bits for event_add(), event_del() and callbacks. */
#define EVENT_NONE		0x00
#define EVENT_READABLE		0x01
#define EVENT_WRITABLE		0x02

/*
 * Wake only one of the processes that wait on this descriptor (a listening
 * socket shared by workers): EPOLLEXCLUSIVE with epoll, accepted and
 * ignored by the other backends.  It is a property of the registration;
 * event_del() of every other bit removes it too.
 */
#define EVENT_EXCLUSIVE		0x04

/* A timer callback returns this to stop, or a delay in ms to fire again. */
#define EVENT_TIMER_STOP	(-1)

enum event_backend {
	EVENT_BACKEND_DEFAULT,	/* HYDRA_EVENT_BACKEND, else the best one */
	EVENT_BACKEND_EPOLL,
	EVENT_BACKEND_KQUEUE,
	EVENT_BACKEND_POLL
};

struct event_loop;

/*
 * Called when fd is ready; `mask' holds the ready bits among those
 * registered.  When one function and argument were registered for both
 * directions and both are ready, it is called once with both bits.
 */
typedef void	(*event_file_fn)(struct event_loop *, int fd, void *arg,
		    int mask);

/*
 * Called when timer `id' is due.  Returns EVENT_TIMER_STOP (any negative
 * value) to delete the timer, or a delay in milliseconds after which it
 * fires again, counted from the moment the callback returns.
 */
typedef long long (*event_timer_fn)(struct event_loop *, long long id,
		    void *arg);

/* Called at the start of every iteration, before the loop waits. */
typedef void	(*event_sleep_fn)(struct event_loop *, void *arg);

/*
 * Create a loop for descriptors 0 to capacity - 1, using `backend'.
 * Returns NULL with errno EINVAL for a capacity below 1 or an unknown
 * HYDRA_EVENT_BACKEND, ENOTSUP for a backend this platform lacks, or
 * whatever the backend's own setup reported.
 */
struct event_loop *event_create(int capacity, enum event_backend backend);

/* Free a loop and its timers.  Not from inside one of its callbacks. */
void	 event_destroy(struct event_loop *);

/* 1 if `backend' can be used on this platform, else 0. */
int	 event_backend_available(enum event_backend backend);

/* The loop's backend: its kind, and its name for logs ("epoll", ...). */
enum event_backend event_backend_kind(const struct event_loop *);
const char	*event_backend_name(const struct event_loop *);

/* The capacity given to event_create(). */
int	 event_capacity(const struct event_loop *);

/*
 * Add the interest bits of `mask' (EVENT_READABLE, EVENT_WRITABLE,
 * optionally EVENT_EXCLUSIVE) for fd, with fn and arg for each direction
 * named; other directions keep their callbacks.  Returns -1 with errno
 * ERANGE if fd is outside the capacity, EINVAL for an empty mask, unknown
 * bits or a NULL fn, or the backend's errno (the registration is then
 * unchanged).
 */
int	 event_add(struct event_loop *, int fd, int mask, event_file_fn fn,
	    void *arg);

/*
 * Remove the interest bits of `mask' for fd.  Removing what is not
 * registered is not an error.  Returns -1 with errno ERANGE if fd is outside
 * the capacity, or the backend's errno.  Call it before close(fd); removing
 * every bit of a descriptor already closed still forgets it and succeeds.
 */
int	 event_del(struct event_loop *, int fd, int mask);

/* The bits registered for fd, EVENT_NONE if none or out of range. */
int	 event_mask(const struct event_loop *, int fd);

/*
 * Call fn(loop, id, arg) in `ms' milliseconds or later, never earlier.
 * Returns the timer's id (positive, never reused by this loop), or -1 with
 * errno EINVAL (negative ms, NULL fn) or ENOMEM.
 */
long long event_timer_add(struct event_loop *, long long ms,
	    event_timer_fn fn, void *arg);

/*
 * Delete a timer so that it never fires again, even if it is due in the
 * current iteration or is the one running.  Returns -1 with errno ENOENT
 * if there is no such timer.
 */
int	 event_timer_cancel(struct event_loop *, long long id);

/* Set (or, with a NULL fn, clear) the before-sleep hook. */
void	 event_set_before_sleep(struct event_loop *, event_sleep_fn fn,
	    void *arg);

/*
 * Run one iteration: the before-sleep hook, one wait of at most timeout_ms
 * milliseconds (-1: until something happens; 0: do not block), shortened
 * to the next timer, then the callbacks of ready descriptors, then due
 * timers.  A timer added or re-armed during the iteration waits for the
 * next one.  Returns the number of callbacks made, 0 when a signal
 * interrupted the wait, or -1 with errno when the backend failed.
 */
int	 event_process(struct event_loop *, int timeout_ms);

/*
 * Run iterations until event_stop() is called; if it was called before,
 * return at once.  Returns 0 once stopped, the request then cleared, or -1
 * with errno when the backend failed.
 */
int	 event_run(struct event_loop *);

/*
 * Make event_run() return after the current iteration; a wait that has not
 * started yet does not block.  Safe to call from a signal handler, whose
 * signal also ends a wait under way (the wait returns with EINTR), except
 * one that arrives in the instant between the check and the wait: that
 * one is seen when the wait ends.
 */
void	 event_stop(struct event_loop *);

/* The monotonic clock the timers use, in microseconds. */
uint64_t event_now_us(void);

#endif /* HYDRA_EVENT_H */
