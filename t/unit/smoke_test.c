/*
 * smoke_test.c: checks the TAP harness itself, so that the test pipeline
 * (build, link against the library, run, count) works before any module
 * has tests of its own.
 */

#include <sys/wait.h>

#include <unistd.h>

#include "tap.h"

int
main(void)
{
	pid_t pid;
	int child_ok, status;

	tap_plan(3);

	/* A plan given up front is remembered, so tap_done() can check it. */
	is_int(tap_state.ts_planned, 3, "tap_plan records the plan");

	/* Every result is numbered, counting the ones before it. */
	is_int(tap_state.ts_run, 1, "results are counted as they are printed");

	/* A forked child's results are neither printed nor counted. */
	if ((pid = fork()) == 0) {
		ok(1, "this line must not appear");
		_exit(tap_state.ts_run == 2 ? 0 : 1);
	}
	status = -1;
	if (pid > 0)
		waitpid(pid, &status, 0);
	child_ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
	ok(child_ok && tap_state.ts_run == 2, "a child's results do not count");

	return tap_done();
}
