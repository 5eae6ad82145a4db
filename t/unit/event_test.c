/*
 * event_test.c: checks the event loop of event.c on every backend this
 * platform has (epoll and poll on Linux; kqueue and poll on the BSDs); the
 * others are skipped, so the plan is the same everywhere.
 *
 * Descriptors: a readable callback fires when data arrives and not
 * before, with its fd, argument and bit; a writable one fires on a pipe
 * with room; readiness is level-triggered; one callback registered for
 * both directions is called once with both bits; removing interest stops
 * the callbacks; a callback that unregisters another ready descriptor
 * keeps it from being called in the same iteration, and a registration
 * made during an iteration gets no readiness reported before it; a
 * hang-up is reported as readable; bad arguments fail with their errno.
 * Timers: they fire in order of due time and never before their delay
 * (checked against the monotonic clock, with no upper bound on time);
 * a returned delay re-arms, EVENT_TIMER_STOP deletes; cancelled timers
 * never fire, even when due in the same iteration or running; a timer
 * re-armed with no delay, or added by another timer, waits for the next
 * iteration.  The before-sleep hook
 * runs once per iteration, before the wait.  event_stop() ends
 * event_run().  EVENT_EXCLUSIVE is accepted on a listening socket, which
 * can be removed and added again (as workers do to balance connections).
 * The backend can be forced through HYDRA_EVENT_BACKEND.
 */
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hydra/event.h"
#include "tap.h"

#define CAPACITY	4096
#define PER_BACKEND	51	/* results of one test_backend() */
#define GLOBAL_TESTS	5	/* results of test_choice() */
#define MAX_ROUNDS	200	/* iterations of 100 ms before giving up */

/* What a file callback saw. */
struct rec {
	int	 calls;
	int	 fd;
	int	 mask;
	void	*arg;
};

static uint64_t
mono_us(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000);
}

static void
on_file(struct event_loop *loop, int fd, void *arg, int mask)
{
	struct rec	*r = arg;

	(void)loop;
	r->calls++;
	r->fd = fd;
	r->mask = mask;
	r->arg = arg;
}

static void
put_byte(int fd)
{
	if (write(fd, "x", 1) != 1)
		diag("write: %s", strerror(errno));
}

static void
close_pair(int p[2])
{
	close(p[0]);
	close(p[1]);
}

/* Run iterations until *count reaches want, for at most MAX_ROUNDS. */
static void
run_until(struct event_loop *loop, const int *count, int want)
{
	int	 i;

	for (i = 0; i < MAX_ROUNDS && *count < want; i++)
		if (event_process(loop, 100) == -1) {
			diag("event_process: %s", strerror(errno));
			return;
		}
}

/*
 * The stale-event guard.  Each of two ready pipes has this callback; the
 * first one called unregisters the other, which must then not be called.
 */
struct killer {
	int	 calls;
	int	 fds[2];
};

static void
on_kill_other(struct event_loop *loop, int fd, void *arg, int mask)
{
	struct killer	*k = arg;
	int		 other = fd == k->fds[0] ? k->fds[1] : k->fds[0];

	(void)mask;
	k->calls++;
	event_del(loop, other, EVENT_READABLE);
}

/*
 * The generation guard: the first one called unregisters the other and
 * registers it again with a fresh callback, which must wait for the next
 * iteration.
 */
struct swapper {
	int		 calls;
	int		 done;
	int		 fds[2];
	struct rec	 fresh;
};

static void
on_swap_other(struct event_loop *loop, int fd, void *arg, int mask)
{
	struct swapper	*s = arg;
	int		 other = fd == s->fds[0] ? s->fds[1] : s->fds[0];

	(void)mask;
	s->calls++;
	if (s->done)
		return;
	s->done = 1;
	event_del(loop, other, EVENT_READABLE);
	event_add(loop, other, EVENT_READABLE, on_file, &s->fresh);
}

/* A timer that records when and in which order it fired. */
struct tick {
	int		 count;
	int		*order;		/* shared sequence, or NULL */
	int		*next;		/* next slot in order */
	int		 tag;
	long long	 again;		/* returned while count < limit */
	int		 limit;
	uint64_t	 at[8];
};

static long long
on_tick(struct event_loop *loop, long long id, void *arg)
{
	struct tick	*t = arg;

	(void)loop;
	(void)id;
	if (t->count < (int)(sizeof(t->at) / sizeof(t->at[0])))
		t->at[t->count] = mono_us();
	t->count++;
	if (t->order != NULL)
		t->order[(*t->next)++] = t->tag;
	return (t->count < t->limit ? t->again : EVENT_TIMER_STOP);
}

static long long
on_cancel_other(struct event_loop *loop, long long id, void *arg)
{
	long long	*victim = arg;

	(void)id;
	if (event_timer_cancel(loop, *victim) == -1)
		diag("cancel: %s", strerror(errno));
	return (EVENT_TIMER_STOP);
}

/* A timer that adds a zero-delay timer (on_tick, *arg) and stops. */
static long long
on_add_timer(struct event_loop *loop, long long id, void *arg)
{
	(void)id;
	if (event_timer_add(loop, 0, on_tick, arg) == -1)
		diag("timer add: %s", strerror(errno));
	return (EVENT_TIMER_STOP);
}

static long long
on_cancel_self(struct event_loop *loop, long long id, void *arg)
{
	int	*count = arg;

	(*count)++;
	if (event_timer_cancel(loop, id) == -1)
		diag("cancel self: %s", strerror(errno));
	return (10);
}

static long long
on_stop(struct event_loop *loop, long long id, void *arg)
{
	int	*count = arg;

	(void)id;
	(*count)++;
	event_stop(loop);
	return (EVENT_TIMER_STOP);
}

static void
on_stop_file(struct event_loop *loop, int fd, void *arg, int mask)
{
	int	*count = arg;

	(void)fd;
	(void)mask;
	(*count)++;
	event_stop(loop);
}

static void
count_sleep(struct event_loop *loop, void *arg)
{
	int	*count = arg;

	(void)loop;
	(*count)++;
}

/* A before-sleep hook that makes a pipe readable, once. */
struct feeder {
	int	 fd;
	int	 fed;
};

static void
feed_sleep(struct event_loop *loop, void *arg)
{
	struct feeder	*f = arg;

	(void)loop;
	if (!f->fed) {
		put_byte(f->fd);
		f->fed = 1;
	}
}

static void
on_accept(struct event_loop *loop, int fd, void *arg, int mask)
{
	int	*count = arg;
	int	 c;

	(void)loop;
	(void)mask;
	if ((c = accept(fd, NULL, NULL)) != -1) {
		(*count)++;
		close(c);
	}
}

/* A non-blocking TCP listener on 127.0.0.1, its address in *sin. */
static int
listener(struct sockaddr_in *sin)
{
	socklen_t	 len = sizeof(*sin);
	int		 fd;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return (-1);
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)sin, sizeof(*sin)) == -1 ||
	    listen(fd, 16) == -1 ||
	    getsockname(fd, (struct sockaddr *)sin, &len) == -1 ||
	    fcntl(fd, F_SETFL, O_NONBLOCK) == -1) {
		close(fd);
		return (-1);
	}
	return (fd);
}

static int
dial(const struct sockaddr_in *sin)
{
	int	 fd;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return (-1);
	if (connect(fd, (const struct sockaddr *)sin, sizeof(*sin)) == -1) {
		close(fd);
		return (-1);
	}
	return (fd);
}

static void
test_files(struct event_loop *loop, const char *b)
{
	struct rec	 r, w, rw, ra, wb, hup;
	struct killer	 k;
	struct swapper	 s;
	int		 p[2], q[2], sp[2], a[2], c[2];

	/* Arguments. */
	errno = 0;
	ok(event_add(loop, CAPACITY, EVENT_READABLE, on_file, NULL) == -1 &&
	    errno == ERANGE,
	    "%s: event_add refuses an fd at the capacity with ERANGE", b);
	errno = 0;
	ok(event_add(loop, 0, EVENT_NONE, on_file, NULL) == -1 &&
	    errno == EINVAL,
	    "%s: event_add refuses an empty mask with EINVAL", b);
	errno = 0;
	ok(event_add(loop, 0, EVENT_READABLE, NULL, NULL) == -1 &&
	    errno == EINVAL,
	    "%s: event_add refuses a NULL callback with EINVAL", b);

	/* Readable, writable, level-triggered, removal. */
	if (pipe(p) == -1)
		diag("pipe: %s", strerror(errno));
	memset(&r, 0, sizeof(r));
	memset(&w, 0, sizeof(w));
	ok(event_add(loop, p[0], EVENT_READABLE, on_file, &r) == 0 &&
	    event_mask(loop, p[0]) == EVENT_READABLE,
	    "%s: event_add registers read interest", b);
	event_process(loop, 0);
	is_int(r.calls, 0,
	    "%s: the readable callback does not fire on an empty pipe", b);
	put_byte(p[1]);
	run_until(loop, &r.calls, 1);
	ok(r.calls == 1 && r.fd == p[0] && r.mask == EVENT_READABLE &&
	    r.arg == &r,
	    "%s: data makes the readable callback fire once, with its fd, "
	    "argument and EVENT_READABLE", b);
	ok(event_add(loop, p[1], EVENT_WRITABLE, on_file, &w) == 0,
	    "%s: event_add registers write interest", b);
	event_process(loop, 0);
	ok(w.calls == 1 && w.fd == p[1] && w.mask == EVENT_WRITABLE,
	    "%s: the writable callback fires on a pipe with room", b);
	is_int(r.calls, 2,
	    "%s: readiness is level-triggered: unread data fires again", b);
	ok(event_del(loop, p[0], EVENT_READABLE) == 0 &&
	    event_mask(loop, p[0]) == EVENT_NONE,
	    "%s: event_del removes read interest", b);
	ok(event_del(loop, p[1], EVENT_WRITABLE) == 0 &&
	    event_mask(loop, p[1]) == EVENT_NONE,
	    "%s: event_del removes write interest", b);
	event_process(loop, 0);
	ok(r.calls == 2 && w.calls == 1,
	    "%s: removed interest calls nothing though data and room remain",
	    b);
	ok(event_del(loop, p[0], EVENT_READABLE | EVENT_WRITABLE) == 0,
	    "%s: removing what is not registered is not an error", b);
	close_pair(p);

	/* Both directions. */
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sp) == -1)
		diag("socketpair: %s", strerror(errno));
	put_byte(sp[1]);
	memset(&rw, 0, sizeof(rw));
	event_add(loop, sp[0], EVENT_READABLE | EVENT_WRITABLE, on_file, &rw);
	event_process(loop, 0);
	ok(rw.calls == 1 && rw.mask == (EVENT_READABLE | EVENT_WRITABLE),
	    "%s: one callback for both directions is called once with both "
	    "bits", b);
	memset(&ra, 0, sizeof(ra));
	memset(&wb, 0, sizeof(wb));
	event_add(loop, sp[0], EVENT_READABLE, on_file, &ra);
	event_add(loop, sp[0], EVENT_WRITABLE, on_file, &wb);
	event_process(loop, 0);
	ok(ra.calls == 1 && ra.mask == EVENT_READABLE && wb.calls == 1 &&
	    wb.mask == EVENT_WRITABLE && rw.calls == 1,
	    "%s: separate read and write callbacks each get their own bit", b);
	event_del(loop, sp[0], EVENT_READABLE | EVENT_WRITABLE);
	close_pair(sp);

	/* The stale-event guard. */
	if (pipe(p) == -1 || pipe(q) == -1)
		diag("pipe: %s", strerror(errno));
	put_byte(p[1]);
	put_byte(q[1]);
	memset(&k, 0, sizeof(k));
	k.fds[0] = p[0];
	k.fds[1] = q[0];
	event_add(loop, p[0], EVENT_READABLE, on_kill_other, &k);
	event_add(loop, q[0], EVENT_READABLE, on_kill_other, &k);
	event_process(loop, 0);
	is_int(k.calls, 1,
	    "%s: a callback that unregisters another ready fd keeps it from "
	    "being called in the same iteration", b);
	event_del(loop, p[0], EVENT_READABLE);
	event_del(loop, q[0], EVENT_READABLE);

	/* The generation guard, on the same two ready pipes. */
	memset(&s, 0, sizeof(s));
	s.fds[0] = p[0];
	s.fds[1] = q[0];
	event_add(loop, p[0], EVENT_READABLE, on_swap_other, &s);
	event_add(loop, q[0], EVENT_READABLE, on_swap_other, &s);
	event_process(loop, 0);
	ok(s.calls == 1 && s.fresh.calls == 0,
	    "%s: a registration made during an iteration gets no readiness "
	    "reported before it", b);
	event_process(loop, 0);
	is_int(s.fresh.calls, 1,
	    "%s: that registration is called on the next iteration", b);
	event_del(loop, p[0], EVENT_READABLE);
	event_del(loop, q[0], EVENT_READABLE);
	close_pair(p);
	close_pair(q);

	/* Hang-up. */
	if (pipe(p) == -1)
		diag("pipe: %s", strerror(errno));
	close(p[1]);
	memset(&hup, 0, sizeof(hup));
	event_add(loop, p[0], EVENT_READABLE, on_file, &hup);
	event_process(loop, 0);
	ok(hup.calls == 1 && (hup.mask & EVENT_READABLE),
	    "%s: a hang-up (write end closed) is reported as readable", b);
	event_del(loop, p[0], EVENT_READABLE);
	close(p[0]);

	/* Closing before unregistering. */
	if (pipe(a) == -1)
		diag("pipe: %s", strerror(errno));
	event_add(loop, a[0], EVENT_READABLE, on_file, &hup);
	close_pair(a);
	ok(event_del(loop, a[0], EVENT_READABLE) == 0 &&
	    event_mask(loop, a[0]) == EVENT_NONE,
	    "%s: event_del of every bit after close still forgets the fd", b);

	/* An exclusive registration can be changed. */
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, c) == -1)
		diag("socketpair: %s", strerror(errno));
	memset(&rw, 0, sizeof(rw));
	ok(event_add(loop, c[0], EVENT_READABLE | EVENT_EXCLUSIVE, on_file,
	    &rw) == 0 && event_add(loop, c[0], EVENT_WRITABLE, on_file,
	    &rw) == 0 && event_mask(loop, c[0]) ==
	    (EVENT_READABLE | EVENT_WRITABLE | EVENT_EXCLUSIVE),
	    "%s: write interest can be added to an exclusive registration", b);
	event_process(loop, 0);
	ok(rw.calls == 1 && rw.mask == EVENT_WRITABLE,
	    "%s: the changed exclusive registration reports writability", b);
	ok(event_del(loop, c[0], EVENT_WRITABLE) == 0 &&
	    event_mask(loop, c[0]) == (EVENT_READABLE | EVENT_EXCLUSIVE),
	    "%s: write interest can be removed, exclusivity kept", b);
	event_del(loop, c[0], EVENT_READABLE);
	close_pair(c);
}

static void
test_timers(struct event_loop *loop, const char *b)
{
	struct tick	 t10, t20, t30, per, cancelled, sentinel, victim, zero;
	struct tick	 child;
	int		 order[3], next = 0, self = 0, fine;
	long long	 id, vid;
	uint64_t	 t0;
	int		 i;

	errno = 0;
	ok(event_timer_add(loop, -1, on_tick, NULL) == -1 && errno == EINVAL,
	    "%s: a negative delay is refused with EINVAL", b);

	/* Order, and never early. */
	memset(&t10, 0, sizeof(t10));
	memset(&t20, 0, sizeof(t20));
	memset(&t30, 0, sizeof(t30));
	t10.order = t20.order = t30.order = order;
	t10.next = t20.next = t30.next = &next;
	t10.tag = 10;
	t20.tag = 20;
	t30.tag = 30;
	t0 = mono_us();
	event_timer_add(loop, 30, on_tick, &t30);
	event_timer_add(loop, 10, on_tick, &t10);
	event_timer_add(loop, 20, on_tick, &t20);
	run_until(loop, &next, 3);
	ok(next == 3 && order[0] == 10 && order[1] == 20 && order[2] == 30,
	    "%s: timers fire in order of due time, whatever the order added",
	    b);
	ok(t10.count == 1 && t10.at[0] >= t0 + 10000 &&
	    t20.count == 1 && t20.at[0] >= t0 + 20000 &&
	    t30.count == 1 && t30.at[0] >= t0 + 30000,
	    "%s: no timer fires before its delay on the monotonic clock", b);

	/* Periodic. */
	memset(&per, 0, sizeof(per));
	per.again = 5;
	per.limit = 3;
	id = event_timer_add(loop, 5, on_tick, &per);
	ok(id > 0, "%s: event_timer_add returns a positive id", b);
	run_until(loop, &per.count, 3);
	/* Give a fourth firing, which must not come, time to show up. */
	for (i = 0; i < 10; i++)
		event_process(loop, 2);
	fine = per.count == 3;
	for (i = 1; i < 3; i++)
		fine = fine && per.at[i] >= per.at[i - 1] + 5000;
	ok(fine, "%s: a returned delay re-arms the timer, never earlier than "
	    "that delay", b);
	errno = 0;
	ok(event_timer_cancel(loop, id) == -1 && errno == ENOENT,
	    "%s: a timer returning EVENT_TIMER_STOP is deleted", b);

	/* Cancel. */
	memset(&cancelled, 0, sizeof(cancelled));
	memset(&sentinel, 0, sizeof(sentinel));
	id = event_timer_add(loop, 10, on_tick, &cancelled);
	event_timer_add(loop, 30, on_tick, &sentinel);
	ok(event_timer_cancel(loop, id) == 0,
	    "%s: a pending timer can be cancelled", b);
	run_until(loop, &sentinel.count, 1);
	ok(sentinel.count == 1 && cancelled.count == 0,
	    "%s: a cancelled timer never fires", b);
	errno = 0;
	ok(event_timer_cancel(loop, id) == -1 && errno == ENOENT,
	    "%s: cancelling an unknown timer fails with ENOENT", b);

	/* Cancelled by another timer while both are due. */
	memset(&victim, 0, sizeof(victim));
	event_timer_add(loop, 0, on_cancel_other, &vid);
	vid = event_timer_add(loop, 0, on_tick, &victim);
	event_process(loop, 0);
	is_int(victim.count, 0,
	    "%s: a due timer cancelled by another in the same iteration does "
	    "not fire", b);

	/* Added by a timer. */
	memset(&child, 0, sizeof(child));
	event_timer_add(loop, 0, on_add_timer, &child);
	event_process(loop, 0);
	is_int(child.count, 0,
	    "%s: a timer added by a timer's callback waits for the next "
	    "iteration", b);
	event_process(loop, 0);
	is_int(child.count, 1,
	    "%s: and fires on the next iteration", b);

	/* Cancelled by itself while running. */
	id = event_timer_add(loop, 0, on_cancel_self, &self);
	event_process(loop, 0);
	errno = 0;
	ok(self == 1 && event_timer_cancel(loop, id) == -1 && errno == ENOENT,
	    "%s: a timer that cancels itself is not re-armed by its return "
	    "value", b);

	/* Zero delay. */
	memset(&zero, 0, sizeof(zero));
	zero.again = 0;
	zero.limit = 1000;
	id = event_timer_add(loop, 0, on_tick, &zero);
	event_process(loop, 0);
	is_int(zero.count, 1,
	    "%s: a timer re-armed with no delay fires once per iteration", b);
	event_process(loop, 0);
	is_int(zero.count, 2,
	    "%s: and fires again on the next iteration", b);
	event_timer_cancel(loop, id);
}

static void
test_sleep_and_stop(struct event_loop *loop, const char *b)
{
	struct feeder	 f;
	struct rec	 r;
	int		 n = 0, stops = 0, p[2], i;

	event_set_before_sleep(loop, count_sleep, &n);
	for (i = 0; i < 5; i++)
		event_process(loop, 0);
	is_int(n, 5, "%s: the before-sleep hook runs once per iteration", b);

	/*
	 * Were the hook called after the wait, the byte it writes would be
	 * seen only by the next iteration.
	 */
	if (pipe(p) == -1)
		diag("pipe: %s", strerror(errno));
	memset(&f, 0, sizeof(f));
	memset(&r, 0, sizeof(r));
	f.fd = p[1];
	event_set_before_sleep(loop, feed_sleep, &f);
	event_add(loop, p[0], EVENT_READABLE, on_file, &r);
	event_process(loop, 10000);
	ok(f.fed && r.calls == 1,
	    "%s: the before-sleep hook runs before the wait of its iteration",
	    b);
	event_del(loop, p[0], EVENT_READABLE);
	close_pair(p);

	n = 0;
	event_set_before_sleep(loop, count_sleep, &n);
	event_timer_add(loop, 5, on_stop, &stops);
	ok(event_run(loop) == 0 && stops == 1 && n >= 1,
	    "%s: event_stop from a timer makes event_run return 0", b);

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, p) == -1)
		diag("socketpair: %s", strerror(errno));
	put_byte(p[1]);
	stops = 0;
	event_add(loop, p[0], EVENT_READABLE, on_stop_file, &stops);
	ok(event_run(loop) == 0 && stops == 1,
	    "%s: event_stop from a file callback makes event_run return 0", b);
	event_del(loop, p[0], EVENT_READABLE);
	close_pair(p);

	n = 0;
	event_stop(loop);
	ok(event_run(loop) == 0 && n == 0,
	    "%s: event_stop before event_run makes it return at once", b);
	event_set_before_sleep(loop, NULL, NULL);
	n = 0;
	event_process(loop, 0);
	is_int(n, 0, "%s: a cleared before-sleep hook is not called", b);
}

static void
test_exclusive(struct event_loop *loop, const char *b)
{
	struct sockaddr_in	 sin;
	int			 lfd, c1, c2, accepted = 0;

	if ((lfd = listener(&sin)) == -1) {
		skip(6, "no loopback listener");
		return;
	}
	ok(event_add(loop, lfd, EVENT_READABLE | EVENT_EXCLUSIVE, on_accept,
	    &accepted) == 0 && event_mask(loop, lfd) ==
	    (EVENT_READABLE | EVENT_EXCLUSIVE),
	    "%s: EVENT_EXCLUSIVE is accepted on a listening socket", b);
	c1 = dial(&sin);
	run_until(loop, &accepted, 1);
	is_int(accepted, 1,
	    "%s: the exclusive listener reports a pending connection", b);

	ok(event_del(loop, lfd, EVENT_READABLE) == 0 &&
	    event_mask(loop, lfd) == EVENT_NONE,
	    "%s: removing read interest drops the exclusive registration", b);
	c2 = dial(&sin);
	event_process(loop, 50);
	is_int(accepted, 1,
	    "%s: a listener removed for balancing is not called though a "
	    "connection waits", b);
	ok(event_add(loop, lfd, EVENT_READABLE | EVENT_EXCLUSIVE, on_accept,
	    &accepted) == 0,
	    "%s: the listener can be added again", b);
	run_until(loop, &accepted, 2);
	is_int(accepted, 2,
	    "%s: the listener added again delivers the waiting connection", b);

	event_del(loop, lfd, EVENT_READABLE);
	if (c1 != -1)
		close(c1);
	if (c2 != -1)
		close(c2);
	close(lfd);
}

static void
test_backend(enum event_backend kind, const char *name)
{
	struct event_loop	*loop;
	int			 before = tap_state.ts_run;

	if (!event_backend_available(kind)) {
		skip(PER_BACKEND, "backend not available on this platform");
		return;
	}
	loop = event_create(CAPACITY, kind);
	ok(loop != NULL && event_backend_kind(loop) == kind &&
	    strcmp(event_backend_name(loop), name) == 0 &&
	    event_capacity(loop) == CAPACITY,
	    "%s: event_create gives a loop on the backend asked for", name);
	if (loop == NULL) {
		diag("event_create(%s): %s", name, strerror(errno));
		skip(PER_BACKEND - 1, "no loop");
		return;
	}
	test_files(loop, name);
	test_timers(loop, name);
	test_sleep_and_stop(loop, name);
	test_exclusive(loop, name);
	event_destroy(loop);
	if (tap_state.ts_run - before != PER_BACKEND)
		diag("%s ran %d results, PER_BACKEND says %d", name,
		    tap_state.ts_run - before, PER_BACKEND);
}

static void
test_choice(void)
{
	static const enum event_backend kinds[] = {
		EVENT_BACKEND_EPOLL, EVENT_BACKEND_KQUEUE, EVENT_BACKEND_POLL
	};
	struct event_loop	*loop;
	enum event_backend	 best = EVENT_BACKEND_POLL;
	size_t			 i;
	int			 missing = -1;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (!event_backend_available(kinds[i]))
			missing = (int)kinds[i];
		else if (best == EVENT_BACKEND_POLL)
			best = kinds[i];
	}

	unsetenv("HYDRA_EVENT_BACKEND");
	loop = event_create(16, EVENT_BACKEND_DEFAULT);
	ok(loop != NULL && event_backend_kind(loop) == best,
	    "the default backend is the best one available");
	event_destroy(loop);

	setenv("HYDRA_EVENT_BACKEND", "poll", 1);
	loop = event_create(16, EVENT_BACKEND_DEFAULT);
	ok(loop != NULL && event_backend_kind(loop) == EVENT_BACKEND_POLL,
	    "HYDRA_EVENT_BACKEND=poll forces the poll backend");
	event_destroy(loop);

	setenv("HYDRA_EVENT_BACKEND", "select", 1);
	errno = 0;
	loop = event_create(16, EVENT_BACKEND_DEFAULT);
	ok(loop == NULL && errno == EINVAL,
	    "an unknown HYDRA_EVENT_BACKEND fails with EINVAL");
	event_destroy(loop);
	unsetenv("HYDRA_EVENT_BACKEND");

	errno = 0;
	loop = event_create(0, EVENT_BACKEND_POLL);
	ok(loop == NULL && errno == EINVAL,
	    "a capacity below 1 fails with EINVAL");

	if (missing == -1)
		skip(1, "every backend is available here");
	else {
		errno = 0;
		loop = event_create(16, (enum event_backend)missing);
		ok(loop == NULL && errno == ENOTSUP,
		    "a backend this platform lacks fails with ENOTSUP");
		event_destroy(loop);
	}
}

int
main(void)
{
	tap_plan(3 * PER_BACKEND + GLOBAL_TESTS);
	test_backend(EVENT_BACKEND_EPOLL, "epoll");
	test_backend(EVENT_BACKEND_KQUEUE, "kqueue");
	test_backend(EVENT_BACKEND_POLL, "poll");
	test_choice();
	return (tap_done());
}
