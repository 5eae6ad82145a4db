#!/usr/bin/env bats
#
# The supervisor, src/hydrad: it checks its configuration, creates its
# arena and no other's, listens and serves until SIGTERM and then removes
# the arena, and leaves its command line as it was started.  Serving
# itself is tested in server.bats.

load helpers/common

teardown() {
	stop_hydrad
}

@test "-n accepts good arguments and creates nothing" {
	# Invariant: -n with valid arguments prints "configuration OK", exits
	# 0, and neither creates the arena nor the directory.
	HYDRA_ARENA=$(unique_arena_name)
	dir=$(test_dir)/data
	run "$HYDRAD" -n --arena-name "$HYDRA_ARENA" --arena-size 64MB \
	    --port "$(free_port)" --databases 4 --dir "$dir" -v
	[ "$status" -eq 0 ]
	[ "$output" = "configuration OK" ]
	[ ! -e "$dir" ]
	run "$HYDRACTL" -a "$HYDRA_ARENA" status
	[ "$status" -eq 2 ]
}

@test "-n rejects a size it cannot read, naming the value" {
	# Invariant: an --arena-size that is not a size makes -n fail with a
	# message that quotes the offending value.
	run "$HYDRAD" -n --arena-size 12parsecs
	[ "$status" -ne 0 ]
	[[ $output == *12parsecs* ]]
	[[ $output != *"configuration OK"* ]]
}

@test "-n rejects numbers out of range" {
	# Invariant: ports, database counts and arena sizes are checked
	# strictly; each mistake fails -n and names the directive.
	run "$HYDRAD" -n --port 65536
	[ "$status" -ne 0 ]
	[[ $output == *port* ]]
	run "$HYDRAD" -n --databases 0
	[ "$status" -ne 0 ]
	[[ $output == *databases* ]]
	run "$HYDRAD" -n --arena-size 1mb
	[ "$status" -ne 0 ]
	[[ $output == *"out of range"* ]]
	run "$HYDRAD" -n --arena-name no-slash
	[ "$status" -ne 0 ]
	[[ $output == *arena-name* ]]
}

@test "a foreground hydrad creates its arena and its directory" {
	# Invariant: once started, the arena exists with the configured size,
	# its creator is the running hydrad, and --dir was created (with its
	# missing parents).
	HYDRA_DIR=$(test_dir)/a/b/data
	start_hydrad
	run "$HYDRACTL" -a "$HYDRA_ARENA" status
	[ "$status" -eq 0 ]
	[[ $output == *"size: 67108864"* ]]
	[[ $output == *"creator_pid: $HYDRAD_PID (running)"* ]]
	[[ $output == *"clean: no"* ]]
	[ -d "$HYDRA_DIR" ]
	grep -q "arena $HYDRA_ARENA: 67108864 bytes, 16 databases" "$HYDRAD_LOG"
	grep -q "listening on port $HYDRA_PORT" "$HYDRAD_LOG"
}

@test "a second hydrad refuses an arena that exists" {
	# Invariant: hydrad never creates over, or attaches to, an existing
	# arena: it exits non-zero naming the arena, and the first server and
	# its arena are untouched.
	start_hydrad
	run "$HYDRAD" -d --arena-name "$HYDRA_ARENA" --arena-size 64mb \
	    --port "$(free_port)" --dir "$(test_dir)"
	[ "$status" -ne 0 ]
	[[ $output == *"arena $HYDRA_ARENA exists (created by pid $HYDRAD_PID)"* ]]
	[[ $output == *"destroy"* ]]
	pid_alive "$HYDRAD_PID"
	run "$HYDRACTL" -a "$HYDRA_ARENA" status
	[ "$status" -eq 0 ]
	[[ $output == *"creator_pid: $HYDRAD_PID (running)"* ]]
}

@test "SIGTERM removes the arena and exits 0" {
	# Invariant: on SIGTERM hydrad exits with status 0, logs its shutdown,
	# and the arena no longer exists.
	start_hydrad
	kill -TERM "$HYDRAD_PID"
	rc=0
	wait_exit "$HYDRAD_PID" || rc=$?
	HYDRAD_PID=
	[ "$rc" -eq 0 ]
	grep -q "shutdown" "$HYDRAD_LOG"
	run "$HYDRACTL" -a "$HYDRA_ARENA" status
	[ "$status" -eq 2 ]
	[[ $output == *"no arena named $HYDRA_ARENA"* ]]
}

@test "SIGINT shuts down like SIGTERM" {
	# Invariant: an interrupt from a terminal is a clean shutdown too.
	start_hydrad
	kill -INT "$HYDRAD_PID"
	rc=0
	wait_exit "$HYDRAD_PID" || rc=$?
	HYDRAD_PID=
	[ "$rc" -eq 0 ]
	run "$HYDRACTL" -a "$HYDRA_ARENA" status
	[ "$status" -eq 2 ]
}

@test "the supervisor keeps its command line" {
	# Invariant: ps shows the supervisor's arguments exactly as started
	# (no setproctitle in the supervisor).
	start_hydrad
	run ps -ww -o args= -p "$HYDRAD_PID"
	[ "$status" -eq 0 ]
	[ "$output" = "${HYDRAD_ARGV[*]}" ]
}

@test "a configuration file is read and arguments override it" {
	# Invariant: directives come from the file named on the command line,
	# and a "--directive value" after it wins over the file.
	HYDRA_ARENA=$(unique_arena_name)
	HYDRA_PORT=$(free_port)
	conf=$(test_dir)/hydra.conf
	printf 'port 1\narena-name %s\nworkers 1\ndatabases 4\n' \
	    "$HYDRA_ARENA" >"$conf"
	run "$HYDRAD" -n "$conf" --port "$HYDRA_PORT"
	[ "$status" -eq 0 ]
	[ "$output" = "configuration OK" ]
	printf 'databases 0\n' >>"$conf"
	run "$HYDRAD" -n "$conf"
	[ "$status" -ne 0 ]
	[[ $output == *"databases"* ]]
	sed -i '$d' "$conf"
	"$HYDRAD" -d "$conf" --port "$HYDRA_PORT" --arena-size 64mb \
	    --dir "$(test_dir)" </dev/null >"$BATS_TEST_TMPDIR/log" 2>&1 &
	HYDRAD_PID=$!
	wait_pong "$HYDRA_PORT"
	grep -q "arena $HYDRA_ARENA: 67108864 bytes, 4 databases" \
	    "$BATS_TEST_TMPDIR/log"
	[ "$(pgrep -P "$HYDRAD_PID" | wc -l)" -eq 1 ]
}

@test "maxclients shrinks to fit the open files limit" {
	# Invariant: when the system will not give the descriptors that
	# maxclients needs, hydrad lowers maxclients to what fits, says so,
	# and serves; it does not fail later in a worker.
	HYDRA_ARENA=$(unique_arena_name)
	HYDRA_PORT=$(free_port)
	HYDRA_DIR=$(test_dir)
	(
		ulimit -n 200
		exec "$HYDRAD" -d --arena-name "$HYDRA_ARENA" \
		    --arena-size 64mb --port "$HYDRA_PORT" --dir "$HYDRA_DIR" \
		    --workers 2 --maxclients 10000 2>"$HYDRA_DIR/log"
	) &
	HYDRAD_PID=$!
	wait_pong "$HYDRA_PORT"
	grep -Eq "maxclients 10000 needs [0-9]+ open files but the limit is 200: maxclients is reduced to 1[0-9]{2};" "$HYDRA_DIR/log"
}
