# Helpers shared by hydra's bats suites.  Load with:
#
#	load helpers/common
#
# Every test that starts a server gives it its own port, its own directory
# and its own arena name, so that suites never see each other's state.
# A background process started by a test must not keep the test's standard
# output open (redirect it to a file), or bats and t/run wait for it.

# The top of the source tree, and the programs under test.
# shellcheck disable=SC2034
HYDRA_TOP=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
HYDRAD=$HYDRA_TOP/src/hydrad
HYDRACTL=$HYDRA_TOP/src/hydractl

# free_port: print a TCP port on 127.0.0.1 that nothing listens on right
# now.  Another process may still take it before the test binds it; the
# range is wide enough for that to be rare.
free_port() {
	if command -v python3 >/dev/null; then
		python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()' && return
	fi
	local port try
	for ((try = 0; try < 100; try++)); do
		port=$((20000 + RANDOM % 40000))
		# A refused connection means that nobody listens there.
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			echo "$port"
			return 0
		fi
	done
	echo "free_port: no free port found" >&2
	return 1
}

# test_dir: print the path of a fresh, empty directory for this test.  It
# lives under bats' per-test directory (per-file directory in setup_file),
# which bats removes afterwards.
test_dir() {
	local base=${BATS_TEST_TMPDIR:-${BATS_FILE_TMPDIR:-${BATS_TMPDIR:-/tmp}}}
	mktemp -d "$base/hydra.XXXXXX"
}

# unique_arena_name: print a shared-memory object name for this test's
# arena; the pid, test number and a random part keep it apart from the
# names of other tests and other runs.
unique_arena_name() {
	echo "/hydra-t-$$-${BATS_TEST_NUMBER:-0}-$RANDOM"
}

# pid_alive PID: is PID running?  A child that has exited stays a zombie
# until this shell reaps it, and kill -0 still succeeds on a zombie, so
# this looks at the process state instead.
pid_alive() {
	local state
	state=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
	[[ $state != Z* ]]
}

# wait_exit PID: wait, at most about 5 s, for PID (a child of this shell)
# to exit, and return its exit status.  On timeout it says so and returns
# 255, leaving the process running (hydrad never exits with 255).
wait_exit() {
	local pid=$1 try
	for ((try = 0; try < 100; try++)); do
		pid_alive "$pid" || break
		sleep 0.05
	done
	if ((try == 100)); then
		echo "wait_exit: pid $pid still running after 5 s" >&2
		return 255
	fi
	wait "$pid"
}

# stop_clients STOPFILE [PID...]: tell background clients to stop by
# creating STOPFILE, then reap each PID, killing the ones still running
# after about 5 s.  For teardowns: it always succeeds, and the tests that
# care how the clients ended wait for them themselves.
stop_clients() {
	local pid
	touch "$1"
	shift
	for pid in "$@"; do
		wait_exit "$pid" >/dev/null 2>&1 || kill -KILL "$pid" 2>/dev/null
	done
	return 0
}

# arena_shm_path NAME: the file behind a POSIX shared-memory object, where
# the platform shows one (Linux's /dev/shm); the test is skipped elsewhere.
arena_shm_path() {
	local path=/dev/shm/${1#/}
	[ -e "$path" ] || skip "no $path: shared memory is not a file here"
	echo "$path"
}

# start_hydrad [ARGS...]: start src/hydrad in the foreground (-d) in the
# background, on this test's own arena name, port and directory, and wait
# until "hydractl status" can attach to its arena.  HYDRA_ARENA,
# HYDRA_PORT, HYDRA_DIR and HYDRA_ARENA_SIZE (64mb) may be set first;
# HYDRA_ARENA=default leaves the name to hydrad ("/hydra-<port>", unique
# because the port is).  The command line is left in HYDRAD_ARGV, the pid
# in HYDRAD_PID, the log in HYDRAD_LOG.  The arena and the pid are
# remembered for stop_hydrad (call it from teardown).  HYDRAD_DEBUG=no
# leaves -d out, so that logfile, syslog-enabled and daemonize apply (with
# daemonize at its default, hydrad stays in the foreground all the same).
start_hydrad() {
	local try log name_args debug=(-d)
	if [ "${HYDRAD_DEBUG:-yes}" = no ]; then
		debug=()
	fi
	HYDRA_PORT=${HYDRA_PORT:-$(free_port)}
	HYDRA_DIR=${HYDRA_DIR:-$(test_dir)}
	if [ "${HYDRA_ARENA:-}" = default ]; then
		HYDRA_ARENA=/hydra-$HYDRA_PORT
		name_args=()
	else
		HYDRA_ARENA=${HYDRA_ARENA:-$(unique_arena_name)}
		name_args=(--arena-name "$HYDRA_ARENA")
	fi
	# No save rules, as the oracle runs, unless ARGS give some: a test
	# that stops hydrad does not wait for a final snapshot it never asked
	# for.
	HYDRAD_ARGV=("$HYDRAD" "${debug[@]}" --save "" "${name_args[@]}"
	    --arena-size "${HYDRA_ARENA_SIZE:-64mb}" --port "$HYDRA_PORT"
	    --dir "$HYDRA_DIR" "$@")
	# The log lives beside the data directory: --dir may not exist yet.
	log=$(test_dir)/hydrad.log
	HYDRAD_LOG=$log
	"${HYDRAD_ARGV[@]}" </dev/null >"$log" 2>&1 &
	HYDRAD_PID=$!
	for ((try = 0; try < 100; try++)); do
		if "$HYDRACTL" -a "$HYDRA_ARENA" status >/dev/null 2>&1; then
			return 0
		fi
		if ! pid_alive "$HYDRAD_PID"; then
			echo "start_hydrad: hydrad exited during startup:" >&2
			cat "$log" >&2
			wait "$HYDRAD_PID" 2>/dev/null || true
			HYDRAD_PID=
			return 1
		fi
		sleep 0.05
	done
	echo "start_hydrad: arena $HYDRA_ARENA not ready after 5 s:" >&2
	cat "$log" >&2
	return 1
}

# stop_hydrad: the teardown of start_hydrad.  SIGTERM, then SIGKILL if
# hydrad does not exit within 5 s; then the arena is removed whatever
# state it is in.  Safe to call when nothing was started.
stop_hydrad() {
	local rc=0
	if [ -n "${HYDRAD_PID:-}" ]; then
		kill -TERM "$HYDRAD_PID" 2>/dev/null || true
		wait_exit "$HYDRAD_PID" 2>/dev/null || rc=$?
		if ((rc == 255)); then
			kill -KILL "$HYDRAD_PID" 2>/dev/null || true
			wait "$HYDRAD_PID" 2>/dev/null || true
		fi
		HYDRAD_PID=
	fi
	if [ -n "${HYDRA_ARENA:-}" ]; then
		"$HYDRACTL" -a "$HYDRA_ARENA" destroy -f >/dev/null 2>&1 || true
	fi
}

# The small client of t/helpers, for raw bytes and crash workloads.
RESP_CLIENT=$HYDRA_TOP/t/helpers/resp_client.py

# wait_pong PORT: wait, at most about 5 s, until a server on PORT answers
# PING with PONG (or, when it wants a password, with NOAUTH).
wait_pong() {
	local try out
	for ((try = 0; try < 100; try++)); do
		out=$(redis-cli -p "$1" ping 2>/dev/null) || true
		if [ "$out" = PONG ] || [[ $out == NOAUTH* ]]; then
			return 0
		fi
		sleep 0.05
	done
	echo "wait_pong: nothing answers PING on port $1 after 5 s" >&2
	return 1
}

# start_server [ARGS...]: start_hydrad with two workers (and ARGS), then
# wait until it answers PING on HYDRA_PORT.
start_server() {
	start_hydrad --workers 2 "$@" || return 1
	if ! wait_pong "$HYDRA_PORT"; then
		cat "$HYDRAD_LOG" >&2
		return 1
	fi
}

# start_oracle [ARGS...]: start Debian's redis-server, the reference for
# replies, on a port and in a directory of its own, with persistence off
# and ARGS (redis-server's own "--directive value" arguments, e.g.
# --requirepass pw) added.  Its port is
# left in ORACLE_PORT, its pid in ORACLE_PID; stop_oracle stops it (call
# it from teardown).  The test is skipped where there is no redis-server.
start_oracle() {
	local dir
	command -v redis-server >/dev/null ||
	    skip "redis-server is not installed"
	ORACLE_PORT=$(free_port)
	dir=$(test_dir)
	redis-server --port "$ORACLE_PORT" --bind 127.0.0.1 --dir "$dir" \
	    --save '' --appendonly no --daemonize no "$@" \
	    </dev/null >"$dir/redis.log" 2>&1 &
	ORACLE_PID=$!
	wait_pong "$ORACLE_PORT"
}

# stop_oracle: the teardown of start_oracle; safe when none was started.
stop_oracle() {
	if [ -n "${ORACLE_PID:-}" ]; then
		kill -TERM "$ORACLE_PID" 2>/dev/null || true
		# A Redis whose final save fails refuses to exit.
		wait_exit "$ORACLE_PID" >/dev/null 2>&1 ||
		    kill -KILL "$ORACLE_PID" 2>/dev/null || true
		ORACLE_PID=
	fi
}

# raw PORT: send standard input to the server on PORT as it is and print
# the reply bytes, escaped by od, so that tests compare them exactly.
raw() {
	python3 "$RESP_CLIENT" raw "$1" | od -An -c
}

# same_reply: send standard input to hydrad and to the oracle, and fail
# showing both unless the reply bytes are identical.
same_reply() {
	local req=$BATS_TEST_TMPDIR/request ours theirs
	cat >"$req"
	ours=$(raw "$HYDRA_PORT" <"$req")
	theirs=$(raw "$ORACLE_PORT" <"$req")
	if [ -z "$theirs" ] || [ "$ours" != "$theirs" ]; then
		printf 'request:\n%s\nhydrad:\n%s\nredis-server:\n%s\n' \
		    "$(od -An -c "$req")" "$ours" "$theirs" >&2
		return 1
	fi
}

# same_keyspace_stats: INFO's keyspace_hits and keyspace_misses are the
# same on both servers (HYDRA_PORT, ORACLE_PORT), and the requests sent
# before counted some of each.
same_keyspace_stats() {
	local ours theirs
	ours=$(redis-cli -p "$HYDRA_PORT" info stats | grep keyspace_)
	theirs=$(redis-cli -p "$ORACLE_PORT" info stats | grep keyspace_)
	echo "hydrad: $ours"
	echo "redis-server: $theirs"
	[[ $theirs == *keyspace_hits:[1-9]* ]] || return 1
	[[ $theirs == *keyspace_misses:[1-9]* ]] || return 1
	[ "$ours" = "$theirs" ]
}

# check_arena [--full]: hydractl's check of the running server's arena
# (HYDRA_ARENA) finds no problem.  --full adds the leak sweep, which is
# exact only while no client is at work.
check_arena() {
	run "$HYDRACTL" -a "$HYDRA_ARENA" check "$@"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *" 0 problems"* ]]
}

# same_reply3: same_reply after HELLO 3 on both, whose own reply (which
# names each server's client id) is left out: the 26 lines of its map.
same_reply3() {
	local req=$BATS_TEST_TMPDIR/request3 ours theirs
	{ printf 'HELLO 3\r\n'; cat; } >"$req"
	ours=$(python3 "$RESP_CLIENT" raw "$HYDRA_PORT" <"$req" |
	    tail -n +27 | od -An -c)
	theirs=$(python3 "$RESP_CLIENT" raw "$ORACLE_PORT" <"$req" |
	    tail -n +27 | od -An -c)
	if [ -z "$theirs" ] || [ "$ours" != "$theirs" ]; then
		printf 'hydrad:\n%s\nredis-server:\n%s\n' "$ours" "$theirs" >&2
		return 1
	fi
}
