#!/usr/bin/env bats
#
# The supervisor's lock watchdog (src/watchdog.c, lock-watchdog-ms): a
# worker that holds a lock of the store past its budget is killed, logged
# and replaced, and the lock serves the others again; a worker within its
# budget, or holding no lock, is left alone.  DEBUG HOLD-LOCK stands for a
# stopped or looping worker.

load helpers/common

teardown() {
	if [ -n "${HOLDER_PID:-}" ]; then
		kill -KILL "$HOLDER_PID" 2>/dev/null || true
	fi
	stop_hydrad
}

# info_hydra FIELD: a field of INFO hydra.
info_hydra() {
	redis-cli -p "$HYDRA_PORT" info hydra | tr -d '\r' |
	    awk -F: -v f="$1" '$1 == f { print $2 }'
}

# workers: how many worker processes the supervisor has right now.
workers() {
	pgrep -P "$HYDRAD_PID" -f '^hydrad: worker' | wc -l
}

@test "a worker holding a lock past lock-watchdog-ms is killed, logged and replaced" {
	start_server --lock-watchdog-ms 300 --enable-debug-command yes
	redis-cli -p "$HYDRA_PORT" set k before
	redis-cli -p "$HYDRA_PORT" debug hold-lock k 60 \
	    >"$BATS_TEST_TMPDIR/holder" 2>&1 &
	HOLDER_PID=$!
	for ((try = 0; try < 100; try++)); do
		[ "$(info_hydra watchdog_kills)" = 1 ] && break
		sleep 0.1
	done
	[ "$(info_hydra watchdog_kills)" = 1 ]
	# The holder's connection went with its worker: redis-cli ends.
	for ((try = 0; try < 50; try++)); do
		state=$(ps -o stat= -p "$HOLDER_PID") || true
		[ -z "$state" ] || [[ $state == Z* ]] && break
		sleep 0.1
	done
	[[ -z $state || $state == Z* ]]
	wait "$HOLDER_PID" || true
	HOLDER_PID=
	[ "$(cat "$BATS_TEST_TMPDIR/holder")" != OK ]
	grep -q "watchdog: worker [01] (pid [0-9]*) has held a lock for" \
	    "$HYDRAD_LOG"
	# The stripe serves again, the value as it was.
	run timeout 10 redis-cli -p "$HYDRA_PORT" get k
	[ "$output" = before ]
	run timeout 10 redis-cli -p "$HYDRA_PORT" set k after
	[ "$output" = OK ]
	for ((try = 0; try < 100; try++)); do
		[ "$(workers)" -eq 2 ] && break
		sleep 0.1
	done
	[ "$(workers)" -eq 2 ]
	[ "$(info_hydra worker_respawns)" -ge 1 ]
	check_arena
}

@test "a lock held within its budget, a worker holding none, and a watchdog turned off kill nothing" {
	start_server --lock-watchdog-ms 1500 --enable-debug-command yes
	run redis-cli -p "$HYDRA_PORT" debug hold-lock k 0.3
	[ "$output" = OK ]
	run redis-cli -p "$HYDRA_PORT" debug sleep 2
	[ "$output" = OK ]
	[ "$(info_hydra watchdog_kills)" = 0 ]
	stop_hydrad
	HYDRA_PORT= HYDRA_DIR=
	start_server --lock-watchdog-ms 0 --enable-debug-command yes
	run redis-cli -p "$HYDRA_PORT" debug hold-lock k 1
	[ "$output" = OK ]
	[ "$(info_hydra watchdog_kills)" = 0 ]
	! grep -q "watchdog:" "$HYDRAD_LOG"
}
