#!/usr/bin/env bats
#
# Crash isolation end to end: a hydrad with three workers serves six
# writer clients (t/helpers/crash_writer.py), each on its own connection,
# spread over the workers; one worker is killed with SIGKILL while they
# write.  The writers on the other workers must not notice; those on the
# killed worker see their connection drop and connect again; the worker is
# replaced; every acknowledged write is there afterwards; the arena checks
# clean.  Linux only: the writers find their worker through /proc.

load helpers/common

WRITER=$BATS_TEST_DIRNAME/helpers/crash_writer.py
NWRITERS=6

teardown() {
	if [ -n "${WDIR:-}" ]; then
		stop_clients "$WDIR/stop" ${WRITER_PIDS[@]+"${WRITER_PIDS[@]}"}
	fi
	stop_hydrad
}

# workers: the pids of the supervisor's worker children, one per line.
workers() {
	pgrep -P "$HYDRAD_PID" -f '^hydrad: worker' | sort -n
}

# acks ID: how many writes writer ID has had acknowledged.
acks() {
	if [ -f "$WDIR/$1.acks" ]; then
		wc -l <"$WDIR/$1.acks"
	else
		echo 0
	fi
}

# wait_acks MIN: wait, at most about 20 s, until every writer has had MIN
# writes acknowledged (and none has exited).
wait_acks() {
	local try i low
	for ((try = 0; try < 200; try++)); do
		low=0
		for ((i = 0; i < NWRITERS; i++)); do
			pid_alive "${WRITER_PIDS[i]}" || {
				echo "writer $i exited early:" >&2
				cat "$WDIR/$i.events" "$WDIR/$i.out" >&2
				return 1
			}
			(($(acks "$i") >= $1)) || low=1
		done
		((low == 0)) && return 0
		sleep 0.1
	done
	for ((i = 0; i < NWRITERS; i++)); do
		echo "writer $i: $(acks "$i") acks" >&2
	done
	echo "wait_acks: not every writer reached $1 acks in 20 s" >&2
	return 1
}

# worker_of ID: the pid of the worker that served writer ID's first
# connection.
worker_of() {
	awk '$1 == "connect" { print $3; exit }' "$WDIR/$1.events"
}

@test "a killed worker disturbs only its own clients and loses no write" {
	# Invariant: after SIGKILL of one worker in mid-run, the writers on
	# the other workers see no error and no drop, those on the killed
	# worker see a drop and reconnect, a new worker replaces the dead
	# one, every acknowledged write of every writer reads back with its
	# value, and "hydractl check -p PORT" finds no problem.
	[ -r /proc/net/tcp ] || skip "needs Linux's /proc/net/tcp"
	HYDRA_ARENA=default start_hydrad --workers 3
	wait_pong "$HYDRA_PORT"
	run workers
	[ "${#lines[@]}" -eq 3 ]
	before=$output

	WDIR=$BATS_TEST_TMPDIR/writers
	mkdir "$WDIR"
	WRITER_PIDS=()
	for ((i = 0; i < NWRITERS; i++)); do
		python3 "$WRITER" writer "$HYDRA_PORT" "$HYDRAD_PID" "$i" \
		    "$WDIR" $((i % 3)) >"$WDIR/$i.out" 2>&1 &
		WRITER_PIDS+=($!)
	done
	wait_acks 50

	# The victim serves writer 0; some writer must be elsewhere, or
	# the test would prove nothing about the other workers.
	victim=$(worker_of 0)
	[ -n "$victim" ] && [ "$victim" -gt 0 ]
	echo "$before" | grep -qx "$victim"
	on_victim=() others=()
	for ((i = 0; i < NWRITERS; i++)); do
		w=$(worker_of "$i")
		echo "writer $i on worker pid $w"
		if [ "$w" = "$victim" ]; then
			on_victim+=("$i")
		else
			others+=("$i")
		fi
	done
	[ "${#others[@]}" -gt 0 ]

	kill -KILL "$victim"
	for ((try = 0; try < 100; try++)); do
		after=$(workers)
		if [ "$(echo "$after" | wc -l)" -eq 3 ] &&
		    ! echo "$after" | grep -qx "$victim"; then
			break
		fi
		sleep 0.1
	done
	echo "workers before: $before; after: $after"
	[ "$(echo "$after" | wc -l)" -eq 3 ]
	run grep -cx "$victim" <<<"$after"
	[ "$output" = 0 ]
	grep -q "(pid $victim) killed by signal 9" "$HYDRAD_LOG"

	# Every writer keeps going: 50 more acknowledged writes each.
	max=0
	for ((i = 0; i < NWRITERS; i++)); do
		n=$(acks "$i")
		((n > max)) && max=$n
	done
	wait_acks $((max + 50))
	touch "$WDIR/stop"
	for ((i = 0; i < NWRITERS; i++)); do
		wait "${WRITER_PIDS[i]}" || {
			echo "writer $i failed:"
			cat "$WDIR/$i.events" "$WDIR/$i.out"
			false
		}
	done
	WRITER_PIDS=()

	for i in "${others[@]}"; do
		if grep -v '^connect ' "$WDIR/$i.events"; then
			echo "writer $i, on a worker that lived, saw the above"
			false
		fi
		[ "$(grep -c '^connect ' "$WDIR/$i.events")" -eq 1 ]
	done
	for i in "${on_victim[@]}"; do
		cat "$WDIR/$i.events"
		grep -q '^drop ' "$WDIR/$i.events"
		[ "$(grep -c '^connect ' "$WDIR/$i.events")" -ge 2 ]
		[ "$(grep -c '^error ' "$WDIR/$i.events")" = 0 ]
	done

	run python3 "$WRITER" verify "$HYDRA_PORT" "$WDIR"/*.acks
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *" 0 missing or wrong" ]]

	run "$HYDRACTL" -p "$HYDRA_PORT" check
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"; 0 problems" ]]
	# With every client gone the server is idle, so the full check,
	# with its leak sweep, must be clean too.
	run "$HYDRACTL" -p "$HYDRA_PORT" check --full
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *" 0 problems" ]]
}
