#!/usr/bin/env bats
#
# Snapshots: SAVE, BGSAVE and the save rules write `dbfilename' in `dir'
# through the persister process, as an RDB file that redis-check-rdb
# accepts and Debian's redis-server loads into the same keys, values and
# expiry times; a BGSAVE under writes is a cut in time; a killed
# persister is respawned and leaves no file under the final name; a
# failed save refuses writes (MISCONF) as Redis does.  Replies are
# compared byte for byte with redis-server's.

load helpers/common

PERSIST=$HYDRA_TOP/t/helpers/persist.py

teardown() {
	stop_clients "$BATS_TEST_TMPDIR/stop" ${CLIENT_PIDS:-}
	if [ -n "${LOADED_PID:-}" ]; then
		kill -TERM "$LOADED_PID" 2>/dev/null || true
		wait_exit "$LOADED_PID" >/dev/null 2>&1 || true
		LOADED_PID=
	fi
	stop_oracle
	stop_hydrad
}

# info_field NAME [PORT]: a field of INFO persistence.
info_field() {
	redis-cli -p "${2:-$HYDRA_PORT}" info persistence | tr -d '\r' |
	    awk -F: -v f="$1" '$1 == f { print $2 }'
}

# wait_field NAME VALUE: wait, at most about 10 s, until the field of
# INFO persistence has VALUE.
wait_field() {
	local try
	for ((try = 0; try < 200; try++)); do
		[ "$(info_field "$1")" = "$2" ] && return 0
		sleep 0.05
	done
	echo "wait_field: $1 is $(info_field "$1"), not $2" >&2
	return 1
}

# load_in_redis FILE: start Debian's redis-server on a copy of the RDB
# FILE; its port in LOADED_PORT.
load_in_redis() {
	local dir
	dir=$(test_dir)
	cp "$1" "$dir/dump.rdb"
	LOADED_PORT=$(free_port)
	redis-server --port "$LOADED_PORT" --bind 127.0.0.1 --dir "$dir" \
	    --dbfilename dump.rdb --save '' --appendonly no \
	    </dev/null >"$dir/redis.log" 2>&1 &
	LOADED_PID=$!
	wait_pong "$LOADED_PORT" || { cat "$dir/redis.log" >&2; return 1; }
}

# persister_pid: the pid of the running persister.
persister_pid() {
	pgrep -P "$HYDRAD_PID" -f '^hydrad: persister 0'
}

@test "the persister runs as 'hydrad: persister 0', one of the supervisor's children" {
	start_server
	run persister_pid
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
}

@test "SAVE writes a file redis-check-rdb accepts and redis-server loads with the same keys, values and expiry times" {
	command -v redis-check-rdb >/dev/null || skip "no redis-check-rdb"
	start_server
	python3 "$PERSIST" fill "$HYDRA_PORT"
	run redis-cli -p "$HYDRA_PORT" save
	[ "$output" = OK ]
	[ -f "$HYDRA_DIR/dump.rdb" ]
	run redis-check-rdb "$HYDRA_DIR/dump.rdb"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"RDB looks OK"* ]]
	load_in_redis "$HYDRA_DIR/dump.rdb"
	python3 "$PERSIST" dump "$HYDRA_PORT" >"$BATS_TEST_TMPDIR/ours"
	python3 "$PERSIST" dump "$LOADED_PORT" >"$BATS_TEST_TMPDIR/theirs"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/ours")" -gt 900 ]
	diff "$BATS_TEST_TMPDIR/ours" "$BATS_TEST_TMPDIR/theirs"
	# No temp file is left behind.
	run ls "$HYDRA_DIR"
	[[ $output != *temp-* ]]
}

@test "SAVE and BGSAVE reply as redis-server does; BGSAVE writes the file" {
	start_oracle
	start_server
	redis-cli -p "$HYDRA_PORT" set k v >/dev/null
	same_reply <<<$'SAVE\r\n'
	same_reply <<<$'SAVE x\r\n'
	same_reply <<<$'BGSAVE x\r\n'
	same_reply <<<$'BGSAVE SCHEDULE x\r\n'
	same_reply <<<$'BGSAVE schedulex\r\n'
	rm -f "$HYDRA_DIR/dump.rdb"
	run redis-cli -p "$HYDRA_PORT" bgsave
	[ "$output" = "Background saving started" ]
	wait_field rdb_bgsave_in_progress 0
	[ -f "$HYDRA_DIR/dump.rdb" ]
	[ "$(info_field rdb_last_bgsave_status)" = ok ]
	rm -f "$HYDRA_DIR/dump.rdb"
	run redis-cli -p "$HYDRA_PORT" bgsave schedule
	[ "$output" = "Background saving started" ]
	wait_field rdb_bgsave_in_progress 0
	[ -f "$HYDRA_DIR/dump.rdb" ]
}

@test "INFO persistence has redis-server's fields, in its order" {
	start_oracle
	start_server
	redis-cli -p "$HYDRA_PORT" info persistence | tr -d '\r' |
	    cut -d: -f1 >"$BATS_TEST_TMPDIR/ours"
	redis-cli -p "$ORACLE_PORT" info persistence | tr -d '\r' |
	    cut -d: -f1 >"$BATS_TEST_TMPDIR/theirs"
	diff "$BATS_TEST_TMPDIR/ours" "$BATS_TEST_TMPDIR/theirs"
	# Changes are counted until a save, then start again from 0.
	redis-cli -p "$HYDRA_PORT" set a 1 >/dev/null
	redis-cli -p "$HYDRA_PORT" set b 1 >/dev/null
	redis-cli -p "$HYDRA_PORT" del b >/dev/null
	[ "$(info_field rdb_changes_since_last_save)" = 3 ]
	saves=$(info_field rdb_saves)
	redis-cli -p "$HYDRA_PORT" save
	[ "$(info_field rdb_changes_since_last_save)" = 0 ]
	[ "$(info_field rdb_saves)" = $((saves + 1)) ]
	[ "$(info_field rdb_last_bgsave_time_sec)" -ge 0 ]
}

@test "LASTSAVE moves to the time of the last successful save" {
	start_server
	before=$(redis-cli -p "$HYDRA_PORT" lastsave)
	for ((try = 0; try < 40 && $(date +%s) <= before; try++)); do
		sleep 0.05
	done
	[ "$(date +%s)" -gt "$before" ]
	run redis-cli -p "$HYDRA_PORT" save
	[ "$output" = OK ]
	after=$(redis-cli -p "$HYDRA_PORT" lastsave)
	[ "$after" -gt "$before" ]
	[ "$after" -le "$(date +%s)" ]
}

@test "a save rule that is due writes the file by itself" {
	start_server --save "1 2"
	redis-cli -p "$HYDRA_PORT" set one 1 >/dev/null
	redis-cli -p "$HYDRA_PORT" set two 2 >/dev/null
	wait_field rdb_changes_since_last_save 0
	[ -f "$HYDRA_DIR/dump.rdb" ]
	load_in_redis "$HYDRA_DIR/dump.rdb"
	[ "$(redis-cli -p "$LOADED_PORT" get two)" = 2 ]
	grep -q "2 changes in 1 seconds. Saving..." "$HYDRAD_LOG"
}

@test "save \"\" saves nothing by itself" {
	start_server --save ""
	redis-cli -p "$HYDRA_PORT" set one 1 >/dev/null
	# Ten times the rule check's period and more: nothing may happen.
	for ((try = 0; try < 30; try++)); do
		[ ! -e "$HYDRA_DIR/dump.rdb" ]
		sleep 0.05
	done
	[ "$(info_field rdb_changes_since_last_save)" = 1 ]
}

@test "a BGSAVE while clients write holds each MSET whole" {
	start_server
	python3 "$PERSIST" pairs "$HYDRA_PORT" "$BATS_TEST_TMPDIR/stop" \
	    "$BATS_TEST_TMPDIR/acked" &
	CLIENT_PIDS=$!
	python3 "$PERSIST" pairs "$HYDRA_PORT" "$BATS_TEST_TMPDIR/stop" \
	    "$BATS_TEST_TMPDIR/acked2" &
	CLIENT_PIDS="$CLIENT_PIDS $!"
	for ((try = 0; try < 100; try++)); do
		[ "$(redis-cli -p "$HYDRA_PORT" dbsize)" -ge 400 ] && break
		sleep 0.05
	done
	for round in 1 2 3; do
		rm -f "$HYDRA_DIR/dump.rdb"
		run redis-cli -p "$HYDRA_PORT" bgsave
		[ "$output" = "Background saving started" ]
		wait_field rdb_bgsave_in_progress 0
		[ "$(info_field rdb_last_bgsave_status)" = ok ]
		cp "$HYDRA_DIR/dump.rdb" "$BATS_TEST_TMPDIR/round$round.rdb"
	done
	stop_clients "$BATS_TEST_TMPDIR/stop" $CLIENT_PIDS
	CLIENT_PIDS=
	for round in 1 2 3; do
		load_in_redis "$BATS_TEST_TMPDIR/round$round.rdb"
		python3 "$PERSIST" check_pairs "$LOADED_PORT"
		kill -TERM "$LOADED_PID"
		wait_exit "$LOADED_PID" >/dev/null 2>&1 || true
		LOADED_PID=
	done
}

@test "a persister killed in the middle of a save is respawned and leaves no file under the final name" {
	start_server --enable-debug-command yes
	redis-cli -p "$HYDRA_PORT" set held v >/dev/null
	python3 "$PERSIST" fill "$HYDRA_PORT"
	victim=$(persister_pid)
	# A client holds one stripe's lock, so that the save cannot finish:
	# tried again until a BGSAVE is seen running with its temp file.
	for ((attempt = 0; attempt < 5; attempt++)); do
		redis-cli -p "$HYDRA_PORT" debug hold-lock held 2 \
		    >"$BATS_TEST_TMPDIR/holder" 2>&1 &
		CLIENT_PIDS=$!
		for ((try = 0; try < 100; try++)); do
			[ "$(redis-cli -p "$HYDRA_PORT" client list |
			    wc -l)" -ge 2 ] && break
			sleep 0.01
		done
		run redis-cli -p "$HYDRA_PORT" bgsave
		[ "$output" = "Background saving started" ]
		for ((try = 0; try < 50; try++)); do
			[ "$(info_field rdb_bgsave_in_progress)" = 1 ] &&
			    [ -e "$HYDRA_DIR/temp-$victim.rdb" ] && break 2
			sleep 0.01
		done
		wait "$CLIENT_PIDS" || true
		wait_field rdb_bgsave_in_progress 0
		rm -f "$HYDRA_DIR/dump.rdb"
	done
	[ "$(info_field rdb_bgsave_in_progress)" = 1 ]
	[ -e "$HYDRA_DIR/temp-$victim.rdb" ]
	[ ! -e "$HYDRA_DIR/dump.rdb" ]
	kill -KILL "$victim"
	for ((try = 0; try < 100; try++)); do
		grep -Eq "persister 0 \(pid $victim\) killed by signal 9; respawning" \
		    "$HYDRAD_LOG" && break
		sleep 0.05
	done
	grep -Eq "persister 0 \(pid $victim\) killed by signal 9; respawning" \
	    "$HYDRAD_LOG"
	for ((try = 0; try < 100; try++)); do
		now=$(persister_pid) && [ "$now" != "$victim" ] && break
		sleep 0.05
	done
	[ -n "$now" ] && [ "$now" != "$victim" ]
	wait_field rdb_bgsave_in_progress 0
	[ "$(info_field rdb_last_bgsave_status)" = err ]
	[ ! -e "$HYDRA_DIR/dump.rdb" ]
	[ ! -e "$HYDRA_DIR/temp-$victim.rdb" ]
	# Once the lock is free, the new persister saves a whole file.
	wait "$CLIENT_PIDS" || true
	CLIENT_PIDS=
	run redis-cli -p "$HYDRA_PORT" save
	[ "$output" = OK ]
	run redis-check-rdb "$HYDRA_DIR/dump.rdb"
	[ "$status" -eq 0 ]
	[ "$(info_field rdb_last_bgsave_status)" = ok ]
}

@test "after a failed save, writes and PING get Redis's MISCONF error, until a save succeeds" {
	start_oracle --save "3600 1"
	start_server --save "3600 1"
	oracle_dir=$(redis-cli -p "$ORACLE_PORT" config get dir | tail -1)
	# A directory under the file's name: the rename fails.
	mkdir -p "$HYDRA_DIR/dump.rdb/x" "$oracle_dir/dump.rdb/x"
	run redis-cli -p "$HYDRA_PORT" bgsave
	[ "$output" = "Background saving started" ]
	redis-cli -p "$ORACLE_PORT" bgsave >/dev/null
	wait_field rdb_last_bgsave_status err
	for ((try = 0; try < 100; try++)); do
		[ "$(info_field rdb_last_bgsave_status "$ORACLE_PORT")" = err ] &&
		    break
		sleep 0.05
	done
	same_reply <<<$'SET a 1\r\n'
	same_reply <<<$'PING\r\n'
	same_reply <<<$'GET a\r\n'
	same_reply <<<$'SAVE\r\n'
	ls "$HYDRA_DIR"
	run ls "$HYDRA_DIR"
	[[ $output != *temp-* ]]
	rm -r "$HYDRA_DIR/dump.rdb" "$oracle_dir/dump.rdb"
	run redis-cli -p "$HYDRA_PORT" save
	[ "$output" = OK ]
	run redis-cli -p "$HYDRA_PORT" set a 1
	[ "$output" = OK ]
}

@test "at boot, a file redis-server wrote is loaded before the workers serve, and the log says how fast" {
	start_oracle
	python3 "$PERSIST" fill "$ORACLE_PORT"
	[ "$(redis-cli -p "$ORACLE_PORT" save)" = OK ]
	oracle_dir=$(redis-cli -p "$ORACLE_PORT" config get dir | tail -1)
	HYDRA_DIR=$(test_dir)
	cp "$oracle_dir/dump.rdb" "$HYDRA_DIR/dump.rdb"
	start_server
	wait_field loading 0
	python3 "$PERSIST" dump "$HYDRA_PORT" >"$BATS_TEST_TMPDIR/ours"
	python3 "$PERSIST" dump "$ORACLE_PORT" >"$BATS_TEST_TMPDIR/theirs"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/ours")" -gt 900 ]
	diff "$BATS_TEST_TMPDIR/ours" "$BATS_TEST_TMPDIR/theirs"
	keys=$(wc -l <"$BATS_TEST_TMPDIR/theirs")
	[ "$(info_field rdb_last_load_keys_loaded)" = "$keys" ]
	[ "$(info_field rdb_changes_since_last_save)" = 0 ]
	grep -Eq "DB loaded from disk: $keys keys .* [0-9]+ keys per second" \
	    "$HYDRAD_LOG"
}

@test "while the dataset loads, commands without the loading flag get -LOADING and INFO says loading:1" {
	HYDRA_DIR=$(test_dir)
	# A FIFO: the persister's open waits until the test opens the other
	# end, so the load lasts as long as the test wants.
	mkfifo "$HYDRA_DIR/dump.rdb"
	start_hydrad --workers 2
	for ((try = 0; try < 100; try++)); do
		[ "$(info_field loading)" = 1 ] && break
		sleep 0.05
	done
	[ "$(info_field loading)" = 1 ]
	run raw "$HYDRA_PORT" <<<$'GET k\r\n'
	[ "$output" = "$(printf -- '-LOADING Redis is loading the dataset in memory\r\n' |
	    od -An -c)" ]
	run raw "$HYDRA_PORT" <<<$'PING\r\n'
	[[ $output == *L*O*A*D*I*N*G* ]]
	# The end of the file: an empty one, so an empty dataset.
	: >"$HYDRA_DIR/dump.rdb"
	wait_field loading 0
	[ "$(redis-cli -p "$HYDRA_PORT" set k v)" = OK ]
}

@test "an arena adopted from an earlier hydrad is not loaded over" {
	HYDRA_DIR=$(test_dir)
	start_server --arena-keep yes
	redis-cli -p "$HYDRA_PORT" set kept 1 >/dev/null
	[ "$(redis-cli -p "$HYDRA_PORT" save)" = OK ]
	redis-cli -p "$HYDRA_PORT" set after 2 >/dev/null
	kill -TERM "$HYDRAD_PID"
	wait_exit "$HYDRAD_PID"
	HYDRAD_PID=
	start_server --arena-keep yes
	wait_field loading 0
	[ "$(redis-cli -p "$HYDRA_PORT" get after)" = 2 ]
	no_load=$(grep -c "DB loaded from disk" "$HYDRAD_LOG" || true)
	[ "$no_load" = 0 ]
}

@test "SIGTERM saves a final snapshot when save rules exist, after the workers stopped" {
	start_server --save "3600 1"
	redis-cli -p "$HYDRA_PORT" set last 1 >/dev/null
	kill -TERM "$HYDRAD_PID"
	wait_exit "$HYDRAD_PID"
	HYDRAD_PID=
	[ -f "$HYDRA_DIR/dump.rdb" ]
	grep -q "Saving the final RDB snapshot before exiting" "$HYDRAD_LOG"
	load_in_redis "$HYDRA_DIR/dump.rdb"
	[ "$(redis-cli -p "$LOADED_PORT" get last)" = 1 ]
}

# serve_and_stop RULES HOW: a fresh server with save RULES, one key
# "k" = HOW, then stopped by HOW: "sigterm", or the SHUTDOWN argument
# ("nosave", "save").  HYDRA_DIR is left for the test to look at.
serve_and_stop() {
	HYDRA_PORT= HYDRA_ARENA= HYDRA_DIR=
	start_server --save "$1"
	redis-cli -p "$HYDRA_PORT" set k "$2" >/dev/null
	if [ "$2" = sigterm ]; then
		kill -TERM "$HYDRAD_PID"
	else
		redis-cli -p "$HYDRA_PORT" shutdown "$2" || true
	fi
	wait_exit "$HYDRAD_PID"
	HYDRAD_PID=
}

@test "SIGTERM without save rules, and SHUTDOWN NOSAVE, write no file; SHUTDOWN SAVE does" {
	serve_and_stop "" sigterm
	[ ! -e "$HYDRA_DIR/dump.rdb" ]
	serve_and_stop "3600 1" nosave
	[ ! -e "$HYDRA_DIR/dump.rdb" ]
	serve_and_stop "" save
	load_in_redis "$HYDRA_DIR/dump.rdb"
	[ "$(redis-cli -p "$LOADED_PORT" get k)" = save ]
}

@test "SHUTDOWN's errors are redis-server's" {
	start_oracle
	start_server
	same_reply <<<$'SHUTDOWN bogus\r\n'
	same_reply <<<$'SHUTDOWN SAVE NOSAVE\r\n'
	same_reply <<<$'SHUTDOWN ABORT NOW\r\n'
	same_reply <<<$'SHUTDOWN ABORT\r\n'
}
