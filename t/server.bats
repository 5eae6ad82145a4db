#!/usr/bin/env bats
#
# hydrad serving clients: workers accept on the shared listening socket,
# parse requests, run the first commands (PING, ECHO, QUIT, SELECT, GET,
# SET, DEL, EXISTS) against the arena and reply as Redis 7.0 replies; a
# worker killed in the middle of a write workload is respawned and loses
# nothing that was acknowledged.

load helpers/common

teardown() {
	stop_oracle
	stop_hydrad
}

@test "PING and ECHO answer" {
	# Invariant: PING answers PONG, PING msg and ECHO msg answer msg.
	start_server
	run redis-cli -p "$HYDRA_PORT" ping
	[ "$output" = PONG ]
	run redis-cli -p "$HYDRA_PORT" ping "hello world"
	[ "$output" = "hello world" ]
	run redis-cli -p "$HYDRA_PORT" echo "a b c"
	[ "$output" = "a b c" ]
}

@test "SET then GET returns the value; GET of a missing key is null" {
	# Invariant: a value written by SET is what GET returns, from any
	# connection (and so from either worker); a key never set is null.
	start_server
	run redis-cli -p "$HYDRA_PORT" set greeting "hello there"
	[ "$output" = OK ]
	for i in 1 2 3 4; do
		run redis-cli -p "$HYDRA_PORT" get greeting
		[ "$output" = "hello there" ]
	done
	run redis-cli -p "$HYDRA_PORT" --no-raw get nosuchkey
	[ "$output" = "(nil)" ]
	printf '*2\r\n$3\r\nGET\r\n$9\r\nnosuchkey\r\n' | raw "$HYDRA_PORT" \
	    >"$BATS_TEST_TMPDIR/out"
	[ "$(cat "$BATS_TEST_TMPDIR/out")" = \
	    "$(printf '$-1\r\n' | od -An -c)" ]
}

@test "SET NX and XX write only when the key is absent or present" {
	# Invariant: NX writes only a missing key, XX only an existing one;
	# a refused SET answers null and leaves the value alone; GET returns
	# the old value.
	start_server
	p=$HYDRA_PORT
	run redis-cli -p "$p" --no-raw set k v1 xx
	[ "$output" = "(nil)" ]
	run redis-cli -p "$p" --no-raw get k
	[ "$output" = "(nil)" ]
	run redis-cli -p "$p" set k v1 nx
	[ "$output" = OK ]
	run redis-cli -p "$p" --no-raw set k v2 nx
	[ "$output" = "(nil)" ]
	run redis-cli -p "$p" get k
	[ "$output" = v1 ]
	run redis-cli -p "$p" set k v3 xx
	[ "$output" = OK ]
	run redis-cli -p "$p" set k v4 get
	[ "$output" = v3 ]
	run redis-cli -p "$p" get k
	[ "$output" = v4 ]
	run redis-cli -p "$p" set k v5 nx xx
	[[ $output == *"syntax error"* ]]
}

@test "SET EX and PX keys expire" {
	# Invariant: a key set with PX is readable before its time and gone
	# after it; EX is accepted.  (TTL is not implemented yet.)
	start_server
	run redis-cli -p "$HYDRA_PORT" set e v px 300
	[ "$output" = OK ]
	run redis-cli -p "$HYDRA_PORT" set e2 v ex 100
	[ "$output" = OK ]
	run redis-cli -p "$HYDRA_PORT" get e
	[ "$output" = v ]
	sleep 0.5
	run redis-cli -p "$HYDRA_PORT" exists e e2
	[ "$output" = 1 ]
}

@test "DEL and EXISTS count keys" {
	# Invariant: EXISTS counts each live key named (repeats included);
	# DEL removes the named keys and answers how many existed.
	start_server
	p=$HYDRA_PORT
	redis-cli -p "$p" set a 1 >/dev/null
	redis-cli -p "$p" set b 2 >/dev/null
	run redis-cli -p "$p" exists a b c a
	[ "$output" = 3 ]
	run redis-cli -p "$p" del a c
	[ "$output" = 1 ]
	run redis-cli -p "$p" exists a b
	[ "$output" = 1 ]
	run redis-cli -p "$p" del a b c
	[ "$output" = 1 ]
	run redis-cli -p "$p" exists a b c
	[ "$output" = 0 ]
}

@test "SELECT keeps databases apart" {
	# Invariant: a key set in database 3 is invisible in database 0 and
	# vice versa; an index out of range is refused.
	start_server
	p=$HYDRA_PORT
	run redis-cli -p "$p" -n 3 set k three
	[ "$output" = OK ]
	run redis-cli -p "$p" -n 0 set k zero
	[ "$output" = OK ]
	run redis-cli -p "$p" -n 3 get k
	[ "$output" = three ]
	run redis-cli -p "$p" -n 0 get k
	[ "$output" = zero ]
	run redis-cli -p "$p" -n 5 exists k
	[ "$output" = 0 ]
	run redis-cli -p "$p" select 16
	[[ $output == *"DB index is out of range"* ]]
}

@test "errors are byte for byte those of redis-server" {
	# Invariant: for unknown commands, wrong arities, bad SET options,
	# bad SELECT indexes and protocol errors, hydrad writes exactly the
	# bytes that Redis 7.0 writes.
	start_server
	start_oracle
	printf 'foo a b\r\n' | same_reply
	printf 'foo\r\n' | same_reply
	printf '*3\r\n$3\r\nFoO\r\n$1\r\na\r\n$3\r\nb\nc\r\n' | same_reply
	long=$(printf 'x%.0s' {1..100})
	printf 'nosuch %s %s %s\r\n' "$long" "$long" "$long" | same_reply
	printf 'get\r\nGET a b\r\nset k\r\nping a b\r\necho\r\n' | same_reply
	printf 'select\r\nselect 99\r\nselect -1\r\nselect x\r\n' | same_reply
	printf 'del\r\nexists\r\nquit\r\nping\r\n' | same_reply
	printf 'set k v ex 0\r\nset k v px -5\r\nset k v ex x\r\n' | same_reply
	printf 'set k v foo\r\nset k v ex\r\nset k v ex 10 px 10\r\n' |
	    same_reply
	printf 'set k v keepttl ex 10\r\nset k v ex 9999999999999999\r\n' |
	    same_reply
	printf 'set k v nx get\r\nset k w nx get\r\nset k x xx get\r\n' |
	    same_reply
	printf 'del k\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n*1\r\n$x\r\n' |
	    same_reply
	printf '*x\r\n' | same_reply
}

@test "pipelined requests get their replies in order" {
	# Invariant: several requests sent in one write, inline and
	# multibulk mixed, are all answered, in order.
	start_server
	start_oracle
	printf 'PING\r\nSET p 1\r\n*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\n%b' \
	    'GET p\r\nPING x\r\n' | same_reply
	run bash -c "printf 'PING\r\nPING\r\nPING\r\n' |
	    redis-cli -p $HYDRA_PORT"
	[ "$output" = "$(printf 'PONG\nPONG\nPONG')" ]
	# A large pipeline: 2000 SETs in one write.
	for ((i = 0; i < 2000; i++)); do
		printf 'SET pk%d %d\r\n' "$i" "$i"
	done | python3 "$RESP_CLIENT" raw "$HYDRA_PORT" >"$BATS_TEST_TMPDIR/r"
	[ "$(grep -c '^+OK' "$BATS_TEST_TMPDIR/r")" -eq 2000 ]
	run redis-cli -p "$HYDRA_PORT" get pk1999
	[ "$output" = 1999 ]
}

@test "QUIT answers OK and closes the connection" {
	# Invariant: QUIT replies +OK, and nothing after it is run.
	start_server
	printf 'QUIT\r\nSET q 1\r\n' |
	    raw "$HYDRA_PORT" >"$BATS_TEST_TMPDIR/out"
	[ "$(cat "$BATS_TEST_TMPDIR/out")" = "$(printf '+OK\r\n' | od -An -c)" ]
	run redis-cli -p "$HYDRA_PORT" exists q
	[ "$output" = 0 ]
}

@test "a killed worker is respawned and acknowledged writes survive" {
	# Invariant: a worker killed by SIGKILL while clients write through
	# other connections is respawned (a new "hydrad: worker" process),
	# the server keeps answering, every SET acknowledged before or after
	# the kill is readable, and the arena checks clean.
	start_server
	before=$(pgrep -P "$HYDRAD_PID" -f 'hydrad: worker' | sort)
	[ "$(echo "$before" | wc -l)" -eq 2 ]
	ack=$BATS_TEST_TMPDIR/acked
	python3 "$RESP_CLIENT" writer "$HYDRA_PORT" 3 "$ack" 4 \
	    >"$BATS_TEST_TMPDIR/writer.out" 2>&1 &
	writer=$!
	# Kill once the writer has had writes acknowledged, at most ~10 s.
	for ((try = 0; try < 200; try++)); do
		[ "$(wc -l <"$ack" 2>/dev/null || echo 0)" -gt 10 ] && break
		sleep 0.05
	done
	victim=$(echo "$before" | head -1)
	kill -KILL "$victim"
	wait "$writer"
	grep -q "(pid $victim) killed by signal 9; respawning" "$HYDRAD_LOG"
	after=$(pgrep -P "$HYDRAD_PID" -f 'hydrad: worker' | sort)
	[ "$(echo "$after" | wc -l)" -eq 2 ]
	[ "$(echo "$after" | grep -cx "$victim")" -eq 0 ]
	[ "$(wc -l <"$ack")" -gt 10 ]
	run python3 "$RESP_CLIENT" verify "$HYDRA_PORT" "$ack"
	echo "$output"
	[ "$status" -eq 0 ]
	run "$HYDRACTL" -a "$HYDRA_ARENA" check
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *" 0 problems"* ]]
}

@test "a full arena answers OOM and stays usable" {
	# Invariant: a SET that does not fit in the arena answers Redis's OOM
	# error and changes nothing; the server keeps serving, a DEL makes
	# room again, and the arena checks clean.
	HYDRA_ARENA_SIZE=16mb start_server
	big=$BATS_TEST_TMPDIR/big
	head -c 1000000 /dev/zero | tr '\0' x >"$big"
	oom=0
	for ((i = 0; i < 40; i++)); do
		out=$(redis-cli -p "$HYDRA_PORT" -x set "big$i" <"$big")
		if [ "$out" != OK ]; then
			want="OOM command not allowed when used memory"
			want+=" > 'maxmemory'."
			[ "$out" = "$want" ]
			oom=1
			break
		fi
	done
	[ "$oom" -eq 1 ]
	run redis-cli -p "$HYDRA_PORT" exists "big$i"
	[ "$output" = 0 ]
	run redis-cli -p "$HYDRA_PORT" del big0
	[ "$output" = 1 ]
	run redis-cli -p "$HYDRA_PORT" -x set "big$i" <"$big"
	[ "$output" = OK ]
	run "$HYDRACTL" -a "$HYDRA_ARENA" check
	[ "$status" -eq 0 ]
	[[ $output == *" 0 problems"* ]]
}

@test "SIGTERM stops the workers and removes the arena" {
	# Invariant: on SIGTERM the supervisor stops every worker, exits 0
	# and removes its arena.
	start_server
	workers=$(pgrep -P "$HYDRAD_PID" -f '^hydrad: worker' | wc -l)
	[ "$workers" -eq 2 ]
	kill -TERM "$HYDRAD_PID"
	rc=0
	wait_exit "$HYDRAD_PID" || rc=$?
	[ "$rc" -eq 0 ]
	run pgrep -P "$HYDRAD_PID"
	[ "$status" -ne 0 ]
	HYDRAD_PID=
	run "$HYDRACTL" -a "$HYDRA_ARENA" status
	[ "$status" -eq 2 ]
}

@test "a request past client-query-buffer-limit closes the client, as in Redis" {
	# Invariant: the limit counts the whole request read so far, a bulk
	# bigger than the limit included: the client is closed without a
	# reply, the other clients are served, and nothing was stored.
	start_server --client-query-buffer-limit 1mb
	start_oracle --client-query-buffer-limit 1mb
	for port in "$HYDRA_PORT" "$ORACLE_PORT"; do
		run python3 "$RESP_CLIENT" overflow "$port" 3000000
		[ "$output" = closed ]
		[ "$(redis-cli -p "$port" exists k)" = 0 ]
	done
}
