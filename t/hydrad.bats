#!/usr/bin/env bats
#
# The supervisor, src/hydrad: it checks its configuration, creates its
# arena and no other's, listens and serves until SIGTERM and then removes
# the arena, and leaves its command line as it was started.  Then the
# daemon conventions: the log file, its levels and SIGHUP; daemonize and
# the pidfile; the Unix socket.  Serving itself is tested in server.bats.

load helpers/common

teardown() {
	stop_hydrad
	if [ -n "${LISTENER_PID:-}" ]; then
		kill "$LISTENER_PID" 2>/dev/null || true
		wait "$LISTENER_PID" 2>/dev/null || true
	fi
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
	# its owner is the running hydrad, and --dir was created (with its
	# missing parents).
	HYDRA_DIR=$(test_dir)/a/b/data
	start_hydrad
	run "$HYDRACTL" -a "$HYDRA_ARENA" status
	[ "$status" -eq 0 ]
	[[ $output == *"size: 67108864"* ]]
	[[ $output == *"owner_pid: $HYDRAD_PID (running)"* ]]
	[[ $output == *"clean: no"* ]]
	[ -d "$HYDRA_DIR" ]
	grep -q "arena $HYDRA_ARENA: 67108864 bytes, 16 databases" "$HYDRAD_LOG"
	grep -q "listening on port $HYDRA_PORT" "$HYDRAD_LOG"
}

@test "a second hydrad refuses an arena that exists" {
	# Invariant: hydrad never creates over, or attaches to, an arena that
	# a running hydrad serves: it exits non-zero naming the arena, and the
	# first server and its arena are untouched.
	start_hydrad
	run "$HYDRAD" -d --arena-name "$HYDRA_ARENA" --arena-size 64mb \
	    --port "$(free_port)" --dir "$(test_dir)"
	[ "$status" -ne 0 ]
	[[ $output == *"arena $HYDRA_ARENA exists (served by pid $HYDRAD_PID)"* ]]
	[[ $output == *"destroy"* ]]
	pid_alive "$HYDRAD_PID"
	run "$HYDRACTL" -a "$HYDRA_ARENA" status
	[ "$status" -eq 0 ]
	[[ $output == *"owner_pid: $HYDRAD_PID (running)"* ]]
}

@test "SIGTERM removes the arena and exits 0" {
	# Invariant: on SIGTERM hydrad exits with status 0, logs its shutdown
	# from the signal to the last line, and the arena no longer exists.
	start_hydrad
	kill -TERM "$HYDRAD_PID"
	rc=0
	wait_exit "$HYDRAD_PID" || rc=$?
	HYDRAD_PID=
	[ "$rc" -eq 0 ]
	grep -q "received SIGTERM; shutting down" "$HYDRAD_LOG"
	grep -q "arena $HYDRA_ARENA removed" "$HYDRAD_LOG"
	[[ $(tail -n 1 "$HYDRAD_LOG") == *"ready to exit; bye" ]]
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
	grep -q "received SIGINT; shutting down" "$HYDRAD_LOG"
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
	[ "$(pgrep -P "$HYDRAD_PID" -f '^hydrad: worker' | wc -l)" -eq 1 ]
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

# wait_grep PATTERN FILE: wait, at most about 5 s, until a line of FILE
# matches the extended regular expression PATTERN.
wait_grep() {
	local try
	for ((try = 0; try < 100; try++)); do
		grep -Eq -- "$1" "$2" 2>/dev/null && return 0
		sleep 0.05
	done
	echo "wait_grep: no line matches '$1' in $2 after 5 s:" >&2
	cat "$2" >&2 2>/dev/null
	return 1
}

# no_line PATTERN FILE: fail, showing the line, if a line of FILE matches
# the extended regular expression PATTERN.  (A bare "! grep" cannot fail a
# bats test.)
no_line() {
	if grep -E -- "$1" "$2"; then
		echo "no_line: '$1' should not be in $2" >&2
		return 1
	fi
}

# wait_gone PID: wait, at most about 5 s, until PID (not a child of this
# shell) has exited.
wait_gone() {
	local try
	for ((try = 0; try < 100; try++)); do
		pid_alive "$1" || return 0
		sleep 0.05
	done
	echo "wait_gone: pid $1 still running after 5 s" >&2
	return 1
}

@test "a log file gets every process's lines, standard error nothing" {
	# Invariant: with logfile set (a relative path is inside dir), the
	# supervisor's and the workers' lines go to that file, each with its
	# pid, role and time, and nothing goes to standard error.
	HYDRAD_DEBUG=no start_server --logfile hydrad.log --loglevel verbose
	log=$HYDRA_DIR/hydrad.log
	grep -Eq "^$HYDRAD_PID:supervisor [0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9:]{8}\.[0-9]{3} \* arena $HYDRA_ARENA: 67108864 bytes" "$log"
	wait_grep "^[0-9]+:worker [01] .* \. " "$log"
	[ ! -s "$HYDRAD_LOG" ]
}

@test "-d logs to standard error whatever logfile says" {
	# Invariant: -d (debug) keeps the log on standard error; the file of
	# logfile is not even created.
	start_hydrad --logfile hydrad.log
	grep -q "arena $HYDRA_ARENA: 67108864 bytes" "$HYDRAD_LOG"
	[ ! -e "$HYDRA_DIR/hydrad.log" ]
}

@test "SIGHUP reopens a log file that was moved away" {
	# Invariant: after the log file is renamed (as logrotate does) and
	# the supervisor gets SIGHUP, new lines go to a new file under the
	# configured name, none to the old one, and the workers keep serving.
	HYDRAD_DEBUG=no start_server --logfile hydrad.log
	log=$HYDRA_DIR/hydrad.log
	wait_grep "started 3 processes" "$log"
	mv "$log" "$log.1"
	kill -HUP "$HYDRAD_PID"
	wait_grep "^$HYDRAD_PID:supervisor .* received SIGHUP; log file reopened" "$log"
	no_line "SIGHUP" "$log.1"
	grep -q "started 3 processes" "$log.1"
	[ "$(redis-cli -p "$HYDRA_PORT" ping)" = PONG ]
	[ "$(pgrep -P "$HYDRAD_PID" -f '^hydrad: worker' | wc -l)" -eq 2 ]
	# A worker that dies and its respawn are told in the new file.
	victim=$(pgrep -P "$HYDRAD_PID" -f '^hydrad: worker' | head -n 1)
	kill -KILL "$victim"
	wait_grep "\(pid $victim\) killed by signal 9; respawning" "$log"
	no_line "pid $victim" "$log.1"
}

@test "loglevel warning keeps notices out; -v lets them in again" {
	# Invariant: at loglevel warning the log holds warnings (a worker
	# killed) but no notices (the arena line); one -v raises the level to
	# notice.
	HYDRAD_DEBUG=no start_server --logfile hydrad.log --loglevel warning
	log=$HYDRA_DIR/hydrad.log
	victim=$(pgrep -P "$HYDRAD_PID" -f '^hydrad: worker' | head -n 1)
	kill -KILL "$victim"
	wait_grep "^$HYDRAD_PID:supervisor .* # .*\(pid $victim\) killed by signal 9" "$log"
	no_line "arena $HYDRA_ARENA" "$log"
	no_line " \* " "$log"
	stop_hydrad
	HYDRA_ARENA= HYDRA_PORT= HYDRA_DIR=
	HYDRAD_DEBUG=no start_server --logfile hydrad.log --loglevel warning -v
	grep -q "arena $HYDRA_ARENA: 67108864 bytes" "$HYDRA_DIR/hydrad.log"
}

@test "CONFIG SET loglevel changes what a running worker writes" {
	# Invariant: CONFIG SET loglevel takes effect in the workers at the
	# level named: at warning a worker's notice (a client closed at its
	# query buffer limit) is left out; back at notice it is written.
	HYDRAD_DEBUG=no start_server --workers 1 --logfile hydrad.log \
	    --client-query-buffer-limit 1mb
	log=$HYDRA_DIR/hydrad.log
	[ "$(redis-cli -p "$HYDRA_PORT" config set loglevel warning)" = OK ]
	[ "$(python3 "$RESP_CLIENT" overflow "$HYDRA_PORT" 3000000)" = closed ]
	[ "$(redis-cli -p "$HYDRA_PORT" config set loglevel notice)" = OK ]
	[ "$(python3 "$RESP_CLIENT" overflow "$HYDRA_PORT" 3000000)" = closed ]
	wait_grep "query buffer limit" "$log"
	[ "$(grep -c "query buffer limit" "$log")" -eq 1 ]
}

@test "a log file that cannot be opened fails the start" {
	# Invariant: a logfile in a directory that does not exist stops
	# hydrad before it listens, with a message naming the file, exit
	# status 1, and no arena.
	HYDRA_ARENA=$(unique_arena_name)
	run "$HYDRAD" --arena-name "$HYDRA_ARENA" --arena-size 64mb \
	    --port "$(free_port)" --dir "$(test_dir)" \
	    --logfile /nonexistent/hydrad.log
	[ "$status" -eq 1 ]
	[[ $output == *"logfile: cannot open /nonexistent/hydrad.log"* ]]
	run "$HYDRACTL" -a "$HYDRA_ARENA" status
	[ "$status" -eq 2 ]
}

@test "syslog-enabled with an unknown facility is refused" {
	# Invariant: syslog-facility takes only Redis's names; another fails
	# the configuration check with the list of names.
	run "$HYDRAD" -n --syslog-enabled yes --syslog-facility local9
	[ "$status" -eq 1 ]
	[[ $output == *"syslog-facility"* ]]
	[[ $output == *"user, local0"* ]]
	[[ $output != *"configuration OK"* ]]
	run "$HYDRAD" -n --syslog-enabled yes --syslog-facility local7 \
	    --syslog-ident hydra-test
	[ "$status" -eq 0 ]
}

@test "daemonize yes returns to the shell; the pidfile names the daemon" {
	# Invariant: with daemonize yes hydrad exits 0 once the daemon is
	# ready; the pidfile then holds the daemon's pid; the daemon leads a
	# session of its own, its standard descriptors are /dev/null and it
	# keeps no other descriptor of its caller's; it serves PING and
	# writes its log; SIGTERM stops it, removing the pidfile and the
	# arena.
	HYDRA_ARENA=$(unique_arena_name)
	HYDRA_PORT=$(free_port)
	dir=$(test_dir)
	run "$HYDRAD" --daemonize yes --pidfile hydrad.pid \
	    --logfile hydrad.log --arena-name "$HYDRA_ARENA" \
	    --arena-size 64mb --port "$HYDRA_PORT" --dir "$dir" --workers 2 \
	    3>&- 7>"$dir/stray"
	[ "$status" -eq 0 ]
	[ -s "$dir/hydrad.pid" ]
	pid=$(cat "$dir/hydrad.pid")
	HYDRAD_PID=$pid
	pid_alive "$pid"
	[ "$(ps -o sid= -p "$pid" | tr -d ' ')" = "$pid" ]
	[ "$(readlink "/proc/$pid/fd/0")" = /dev/null ]
	[ "$(readlink "/proc/$pid/fd/2")" = /dev/null ]
	[ -z "$(find -L "/proc/$pid/fd" -samefile "$dir/stray")" ]
	[ "$(redis-cli -p "$HYDRA_PORT" ping)" = PONG ]
	grep -q "^$pid:supervisor .* hydrad $pid ready, detached" \
	    "$dir/hydrad.log"
	run "$HYDRACTL" -a "$HYDRA_ARENA" status
	[[ $output == *"owner_pid: $pid (running)"* ]]
	kill -TERM "$pid"
	wait_gone "$pid"
	HYDRAD_PID=
	[ ! -e "$dir/hydrad.pid" ]
	grep -q "removing the pid file hydrad.pid" "$dir/hydrad.log"
	grep -q "ready to exit; bye" "$dir/hydrad.log"
	run "$HYDRACTL" -a "$HYDRA_ARENA" status
	[ "$status" -eq 2 ]
}

@test "daemonize yes with nowhere to log says so before it detaches" {
	# Invariant: a daemon with neither logfile nor syslog would log to
	# /dev/null; hydrad warns on the terminal, then starts all the same.
	HYDRA_ARENA=$(unique_arena_name)
	HYDRA_PORT=$(free_port)
	dir=$(test_dir)
	run "$HYDRAD" --daemonize yes --pidfile hydrad.pid \
	    --arena-name "$HYDRA_ARENA" --arena-size 64mb \
	    --port "$HYDRA_PORT" --dir "$dir" --workers 1 3>&-
	[ "$status" -eq 0 ]
	HYDRAD_PID=$(cat "$dir/hydrad.pid")
	[[ $output == *"daemonize: with no logfile and no syslog, the log goes to /dev/null"* ]]
	[ "$(redis-cli -p "$HYDRA_PORT" ping)" = PONG ]
}

@test "daemonize yes with a bad configuration fails on the terminal" {
	# Invariant: mistakes are found before hydrad detaches: a bad value,
	# and a port already taken, each fail with the message on standard
	# error and exit status 1, leaving no daemon, pidfile or arena.
	dir=$(test_dir)
	run "$HYDRAD" --daemonize yes --pidfile "$dir/hydrad.pid" \
	    --databases 0 --dir "$dir" 3>&-
	[ "$status" -eq 1 ]
	[[ $output == *databases* ]]
	start_hydrad
	arena=$(unique_arena_name)
	run "$HYDRAD" --daemonize yes --pidfile "$dir/hydrad.pid" \
	    --logfile "$dir/hydrad.log" --arena-name "$arena" \
	    --arena-size 64mb --port "$HYDRA_PORT" --bind 127.0.0.1 \
	    --dir "$dir" 3>&-
	[ "$status" -eq 1 ]
	[[ $output == *"could not create server TCP listening socket 127.0.0.1:$HYDRA_PORT"* ]]
	[ ! -e "$dir/hydrad.pid" ]
	run "$HYDRACTL" -a "$arena" status
	[ "$status" -eq 2 ]
}

@test "-d keeps hydrad in the foreground despite daemonize yes" {
	# Invariant: -d wins over daemonize: the process started is the one
	# that creates the arena and keeps running.
	start_hydrad --daemonize yes
	pid_alive "$HYDRAD_PID"
	run "$HYDRACTL" -a "$HYDRA_ARENA" status
	[[ $output == *"owner_pid: $HYDRAD_PID (running)"* ]]
}

@test "a second hydrad with the same pidfile refuses, naming the pid" {
	# Invariant: the pidfile is locked for the daemon's life: another
	# hydrad (another port, another arena) that names it exits 1 saying
	# which pid holds it, and leaves the file and the first server as
	# they were.
	pidfile=$(test_dir)/hydrad.pid
	start_server --pidfile "$pidfile"
	[ "$(cat "$pidfile")" = "$HYDRAD_PID" ]
	arena=$(unique_arena_name)
	run "$HYDRAD" --arena-name "$arena" --arena-size 64mb \
	    --port "$(free_port)" --dir "$(test_dir)" --pidfile "$pidfile"
	[ "$status" -eq 1 ]
	[[ $output == *"pidfile $pidfile is held by pid $HYDRAD_PID"* ]]
	[ "$(cat "$pidfile")" = "$HYDRAD_PID" ]
	[ "$(redis-cli -p "$HYDRA_PORT" ping)" = PONG ]
	run "$HYDRACTL" -a "$arena" status
	[ "$status" -eq 2 ]
}

@test "the pidfile is removed on SIGINT and after a failed start" {
	# Invariant: a foreground hydrad removes its pidfile on SIGINT; one
	# that took the pidfile but then could not listen leaves none.
	pidfile=$(test_dir)/hydrad.pid
	start_hydrad --pidfile "$pidfile"
	[ "$(cat "$pidfile")" = "$HYDRAD_PID" ]
	kill -INT "$HYDRAD_PID"
	rc=0
	wait_exit "$HYDRAD_PID" || rc=$?
	HYDRAD_PID=
	[ "$rc" -eq 0 ]
	[ ! -e "$pidfile" ]
	start_hydrad
	run "$HYDRAD" -d --arena-name "$(unique_arena_name)" \
	    --arena-size 64mb --port "$HYDRA_PORT" --bind 127.0.0.1 \
	    --dir "$(test_dir)" --pidfile "$pidfile"
	[ "$status" -eq 1 ]
	[[ $output == *"cannot listen"* ]]
	[ ! -e "$pidfile" ]
}

@test "the workers serve the Unix socket, with the mode asked for" {
	# Invariant: with unixsocket and unixsocketperm, redis-cli -s reaches
	# the same keyspace as TCP, the socket has exactly that mode whatever
	# the umask, and it is removed at shutdown.
	HYDRA_DIR=$(test_dir)
	sock=$HYDRA_DIR/hydra.sock
	umask 077
	start_hydrad --workers 2 --unixsocket "$sock" --unixsocketperm 750
	[ -S "$sock" ]
	[ "$(stat -c %a "$sock")" = 750 ]
	[ "$(redis-cli -s "$sock" ping)" = PONG ]
	[ "$(redis-cli -s "$sock" set unixkey fromunix)" = OK ]
	wait_pong "$HYDRA_PORT"
	[ "$(redis-cli -p "$HYDRA_PORT" get unixkey)" = fromunix ]
	kill -TERM "$HYDRAD_PID"
	wait_gone "$HYDRAD_PID"
	HYDRAD_PID=
	[ ! -e "$sock" ]
}

@test "a stale Unix socket is replaced; a live one or a file is refused" {
	# Invariant: a socket file that nobody listens on is removed and
	# replaced (here with no TCP listener at all: port 0); a socket that
	# answers, or a path that is not a socket, stops the start with exit
	# status 1 and is left as it was.
	HYDRA_DIR=$(test_dir)
	sock=$HYDRA_DIR/hydra.sock
	python3 -c 'import socket, sys
socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$sock"
	[ -S "$sock" ]
	run redis-cli -s "$sock" ping
	[[ $output != PONG ]]
	start_hydrad --workers 1 --port 0 --unixsocket "$sock"
	[ "$(redis-cli -s "$sock" ping)" = PONG ]
	grep -q "unixsocket $sock: removed a stale socket" "$HYDRAD_LOG"
	no_line "listening on port" "$HYDRAD_LOG"
	arena=$(unique_arena_name)
	run "$HYDRAD" -d --arena-name "$arena" --arena-size 64mb --port 0 \
	    --dir "$(test_dir)" --unixsocket "$sock"
	[ "$status" -eq 1 ]
	[[ $output == *"unixsocket $sock: another server is listening on it"* ]]
	[ "$(redis-cli -s "$sock" ping)" = PONG ]
	file=$HYDRA_DIR/not-a-socket
	echo precious >"$file"
	run "$HYDRAD" -d --arena-name "$arena" --arena-size 64mb --port 0 \
	    --dir "$(test_dir)" --unixsocket "$file"
	[ "$status" -eq 1 ]
	[[ $output == *"unixsocket $file: the path exists and is not a socket"* ]]
	[ "$(cat "$file")" = precious ]
	run "$HYDRACTL" -a "$arena" status
	[ "$status" -eq 2 ]
}

@test "-n checks that there is somewhere to listen" {
	# Invariant: port 0 without unixsocket, and a unixsocket path too long
	# for a socket address, fail -n naming the directive; port 0 with a
	# unixsocket is fine.
	run "$HYDRAD" -n --port 0
	[ "$status" -eq 1 ]
	[[ $output == *"listen nowhere"* ]]
	run "$HYDRAD" -n --port 0 --unixsocket /tmp/hydra.sock
	[ "$status" -eq 0 ]
	[ "$output" = "configuration OK" ]
	long=/tmp/$(printf 'x%.0s' {1..120})
	run "$HYDRAD" -n --unixsocket "$long"
	[ "$status" -eq 1 ]
	[[ $output == *"unixsocket: the path is too long"* ]]
}

# notify_listener SOCKET OUT: listen for one datagram on the Unix socket
# SOCKET, as systemd's notification socket, in the background (its pid in
# LISTENER_PID), and write what arrives to OUT; return once it listens.
notify_listener() {
	python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(20)
data = s.recv(4096)
open(sys.argv[2] + ".part", "wb").write(data)
import os
os.rename(sys.argv[2] + ".part", sys.argv[2])' "$1" "$2" \
	    </dev/null >/dev/null 2>&1 &
	LISTENER_PID=$!
	local try
	for ((try = 0; try < 100; try++)); do
		[ -S "$1" ] && return 0
		sleep 0.05
	done
	echo "notify_listener: $1 not bound after 5 s" >&2
	return 1
}

@test "supervised systemd tells NOTIFY_SOCKET that hydrad is ready" {
	# Invariant: with supervised systemd (and with auto, which finds
	# NOTIFY_SOCKET), hydrad sends READY=1 to the notification socket
	# once it serves; daemonize yes then does not detach, since the
	# manager watches the process it started.
	dir=$(test_dir)
	notify_listener "$dir/notify" "$dir/got"
	NOTIFY_SOCKET=$dir/notify HYDRAD_DEBUG=no start_hydrad \
	    --supervised systemd --daemonize yes
	wait_grep "READY=1" "$dir/got"
	pid_alive "$HYDRAD_PID"
	run "$HYDRACTL" -a "$HYDRA_ARENA" status
	[[ $output == *"owner_pid: $HYDRAD_PID (running)"* ]]
	grep -q "supervised: staying in the foreground" "$HYDRAD_LOG"
	stop_hydrad
	HYDRA_ARENA= HYDRA_PORT= HYDRA_DIR=
	rm -f "$dir/notify" "$dir/got"
	notify_listener "$dir/notify" "$dir/got"
	NOTIFY_SOCKET=$dir/notify start_hydrad --supervised auto
	wait_grep "READY=1" "$dir/got"
}

@test "supervised systemd without NOTIFY_SOCKET warns and runs on" {
	# Invariant: asking for systemd where there is none is logged as a
	# warning and changes nothing else: hydrad serves.
	unset NOTIFY_SOCKET
	start_server --supervised systemd
	grep -q "supervised systemd: NOTIFY_SOCKET is not set" "$HYDRAD_LOG"
}
