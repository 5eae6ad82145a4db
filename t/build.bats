#!/usr/bin/env bats
#
# The build and the test runner: the programs exist, the compiler warns, and
# t/run counts TAP the way its contract says.

load helpers/common

setup() {
	cd "$HYDRA_TOP" || return 1
	# This suite may run under "make test"; keep that make's flags out of
	# the makes and runners started here.
	unset MAKEFLAGS MAKELEVEL MFLAGS HYDRA_TEST_FILTER
}

# fake_suite DIR NAME BODY: a unit "binary" that is a shell script.
fake_suite() {
	printf '#!/bin/sh\n%s\n' "$3" >"$1/$2"
	chmod +x "$1/$2"
}

@test "hydrad and hydractl are built and executable" {
	# Invariant: "make" leaves both programs, runnable, in src/.
	[ -f src/hydrad ]
	[ -x src/hydrad ]
	[ -f src/hydractl ]
	[ -x src/hydractl ]
}

@test "every compile command warns with -Wall -Wextra" {
	# Invariant: no C file is compiled without -Wall -Wextra.
	run make -nB all
	[ "$status" -eq 0 ]
	compiles=$(printf '%s\n' "$output" | grep -E ' -c ' || true)
	[ -n "$compiles" ]
	quiet=$(printf '%s\n' "$compiles" | grep -c -v -e '-Wall -Wextra' || true)
	[ "$quiet" -eq 0 ]
}

@test "t/run ends with a clean tally on the smoke test" {
	# Invariant: a passing run's last line is exactly "N passed, 0 failed".
	HYDRA_TEST_FILTER=smoke run t/run --unit-only
	[ "$status" -eq 0 ]
	[[ ${lines[-1]} =~ ^[1-9][0-9]*\ passed,\ 0\ failed$ ]]
}

@test "t/run counts passes, failures and skips" {
	# Invariant: ok, not ok and "ok # skip" lines land in separate counts,
	# and any failure makes the exit status non-zero.
	dir=$(test_dir)
	fake_suite "$dir" a_test 'echo 1..2; echo "ok 1 - yes"; echo "ok 2 - also"'
	fake_suite "$dir" b_test 'echo 1..2; echo "not ok 1 - no"
echo "ok 2 # skip not here"; exit 1'
	run t/run --unit-only --unit-dir "$dir"
	[ "$status" -ne 0 ]
	[ "${lines[-1]}" = "2 passed, 1 failed, 1 skipped" ]
	[[ $output == *"b_test: not ok 1 - no"* ]]
}

@test "t/run counts a crash or a short plan as one more failure" {
	# Invariant: a suite that dies or stops early fails even if every
	# result it printed passed, and the runner says why.
	dir=$(test_dir)
	fake_suite "$dir" crash_test 'echo 1..2; echo "ok 1 - first"; kill -SEGV $$'
	fake_suite "$dir" short_test 'echo 1..3; echo "ok 1 - only"'
	fake_suite "$dir" status_test 'echo 1..1; echo "ok 1 - fine"; exit 3'
	run t/run --unit-only --unit-dir "$dir"
	[ "$status" -ne 0 ]
	[ "${lines[-1]}" = "3 passed, 3 failed" ]
	[[ $output == *"crash_test: FAILED: killed by SIGSEGV"* ]]
	[[ $output == *"short_test: FAILED: planned 3 tests but printed 1"* ]]
	[[ $output == *"status_test: FAILED: exited with status 3"* ]]
}

@test "t/run fails when no test ran" {
	# Invariant: a filter that matches nothing is an error, not a success.
	HYDRA_TEST_FILTER=no-such-suite run t/run
	[ "$status" -ne 0 ]
	[ "${lines[-1]}" = "0 passed, 0 failed" ]
}
