/*
 * tap.h: a small Test Anything Protocol harness for hydra's C unit tests.
 *
 * A test announces its plan with tap_plan(n), or calls tap_no_plan() and
 * lets tap_done() print the plan at the end; it reports with ok(), is_int()
 * and skip(), and returns tap_done() from main().  Every line is flushed at
 * once, so nothing is lost if the test crashes and nothing sits in a stdio
 * buffer when it forks.
 *
 * Only the process that started the plan prints results.  A child that a
 * test forks reports back through its exit status: results it tries to
 * print are not counted, and a note on standard error says so.
 */

#ifndef HYDRA_TAP_H
#define HYDRA_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

static struct {
	pid_t ts_pid;	/* the process that prints results, or 0 */
	int ts_planned; /* tests announced by tap_plan(), or -1 */
	int ts_run;	/* results printed so far */
	int ts_failed;	/* of those, how many failed */
} tap_state = { 0, -1, 0, 0 };

static inline void diag(const char *, ...)
    __attribute__((format(printf, 1, 2)));
static inline int ok(int, const char *, ...)
    __attribute__((format(printf, 2, 3)));
static inline int is_int(long long, long long, const char *, ...)
    __attribute__((format(printf, 3, 4)));

/* Is this the process that prints?  The first caller becomes it. */
static inline int
tap_owner(void)
{
	if (tap_state.ts_pid == 0)
		tap_state.ts_pid = getpid();
	return tap_state.ts_pid == getpid();
}

static inline void
tap_no_plan(void)
{
	tap_owner();
}

static inline void
tap_plan(int n)
{
	if (!tap_owner())
		return;
	tap_state.ts_planned = n;
	printf("1..%d\n", n);
	fflush(stdout);
}

static inline void
diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static inline int
tap_vok(int cond, const char *fmt, va_list ap)
{
	if (!tap_owner()) {
		diag("result from child %ld not counted", (long)getpid());
		return cond;
	}
	tap_state.ts_failed += !cond;
	printf("%sok %d - ", cond ? "" : "not ", ++tap_state.ts_run);
	vprintf(fmt, ap);
	putchar('\n');
	fflush(stdout);
	return cond;
}

static inline int
ok(int cond, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cond = tap_vok(cond, fmt, ap);
	va_end(ap);
	return cond;
}

static inline int
is_int(long long got, long long want, const char *fmt, ...)
{
	va_list ap;
	int cond;

	va_start(ap, fmt);
	cond = tap_vok(got == want, fmt, ap);
	va_end(ap);
	if (!cond)
		diag("   got: %lld, want: %lld", got, want);
	return cond;
}

static inline void
skip(int n, const char *why)
{
	while (n-- > 0 && tap_owner()) {
		printf("ok %d # skip %s\n", ++tap_state.ts_run, why);
		fflush(stdout);
	}
}

/* The exit status for main(): 0 when every planned test ran and passed. */
static inline int
tap_done(void)
{
	if (!tap_owner())
		return 0;
	if (tap_state.ts_planned < 0) {
		printf("1..%d\n", tap_state.ts_run);
		fflush(stdout);
	} else if (tap_state.ts_run != tap_state.ts_planned) {
		diag("planned %d tests but ran %d", tap_state.ts_planned,
		    tap_state.ts_run);
		return 1;
	}
	return tap_state.ts_failed != 0;
}

#endif /* HYDRA_TAP_H */
