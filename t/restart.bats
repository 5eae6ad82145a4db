#!/usr/bin/env bats
#
# A restart of hydrad itself: the arena outlives a supervisor that is
# killed (and, with arena-keep, a clean shutdown), and the next hydrad
# started with the same settings serves the same keyspace at once, after
# the checker has found it whole and every lock a dead process held has
# been repaired.  An arena left with other settings is refused with the
# reason, and the data stays for the operator.

load helpers/common

teardown() {
	stop_hydrad
}

# kill_supervisor: SIGKILL the running hydrad and wait, at most about 5 s,
# until it and every one of its workers are gone.
kill_supervisor() {
	local kids pid try
	kids=$(pgrep -P "$HYDRAD_PID") || true
	kill -KILL "$HYDRAD_PID"
	wait "$HYDRAD_PID" 2>/dev/null || true
	HYDRAD_PID=
	for pid in $kids; do
		for ((try = 0; try < 100; try++)); do
			pid_alive "$pid" || break
			sleep 0.05
		done
		! pid_alive "$pid"
	done
}

@test "a hydrad killed with SIGKILL leaves its arena; the next one serves the same data at once" {
	start_server
	python3 - "$HYDRA_PORT" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
req = b"".join(b"SET key:%d value:%d\r\n" % (i, i) for i in range(3000))
req += b"RPUSH list " + b" ".join(b"e%d" % i for i in range(2000)) + b"\r\n"
req += b"SET ttl v EX 1000\r\n"
s.sendall(req)
want, got = 3002, 0
buf = b""
while got < want:
    buf += s.recv(65536)
    got = buf.count(b"\r\n")
PY
	[ "$(redis-cli -p "$HYDRA_PORT" dbsize)" = 3002 ]
	old=$HYDRAD_PID
	kill_supervisor
	run "$HYDRACTL" -a "$HYDRA_ARENA" status
	[[ $output == *"owner_pid: $old (not running)"* ]]
	[[ $output == *"clean: no"* ]]
	start_server
	grep -q "arena $HYDRA_ARENA: attached, left by pid $old after a crash; 3002 keys" \
	    "$HYDRAD_LOG"
	[ "$(redis-cli -p "$HYDRA_PORT" dbsize)" = 3002 ]
	[ "$(redis-cli -p "$HYDRA_PORT" get key:2999)" = value:2999 ]
	[ "$(redis-cli -p "$HYDRA_PORT" llen list)" = 2000 ]
	[ "$(redis-cli -p "$HYDRA_PORT" lindex list -1)" = e1999 ]
	ttl=$(redis-cli -p "$HYDRA_PORT" ttl ttl)
	((ttl > 900 && ttl <= 1000))
	run "$HYDRACTL" -a "$HYDRA_ARENA" status
	[[ $output == *"owner_pid: $HYDRAD_PID (running)"* ]]
	# And it is writable: the slab and the stripes took new owners.
	[ "$(redis-cli -p "$HYDRA_PORT" set key:0 new)" = OK ]
	[ "$(redis-cli -p "$HYDRA_PORT" rpush list more)" = 2001 ]
	check_arena
}

@test "arena-keep: a clean shutdown leaves the arena, and the next hydrad serves it" {
	start_server --arena-keep yes
	redis-cli -p "$HYDRA_PORT" set k kept >/dev/null
	kill -TERM "$HYDRAD_PID"
	wait_exit "$HYDRAD_PID"
	HYDRAD_PID=
	grep -q "arena $HYDRA_ARENA kept (arena-keep)" "$HYDRAD_LOG"
	run "$HYDRACTL" -a "$HYDRA_ARENA" status
	[ "$status" -eq 0 ]
	[[ $output == *"clean: yes"* ]]
	start_server
	grep -q "attached, left by pid [0-9]* after a clean shutdown; 1 keys" \
	    "$HYDRAD_LOG"
	[ "$(redis-cli -p "$HYDRA_PORT" get k)" = kept ]
	# Without arena-keep, this one removes it on the way out.
	kill -TERM "$HYDRAD_PID"
	wait_exit "$HYDRAD_PID"
	HYDRAD_PID=
	run "$HYDRACTL" -a "$HYDRA_ARENA" status
	[ "$status" -eq 2 ]
}

@test "an arena left behind with other settings is refused, the reason named, the data kept" {
	start_server
	redis-cli -p "$HYDRA_PORT" set k v >/dev/null
	kill_supervisor
	run "$HYDRAD" -d --arena-name "$HYDRA_ARENA" --arena-size 128mb \
	    --port "$HYDRA_PORT" --dir "$HYDRA_DIR"
	[ "$status" -ne 0 ]
	[[ $output == *"arena $HYDRA_ARENA was left behind but cannot be served"* ]]
	[[ $output == *"is 67108864 bytes but 134217728 were configured"* ]]
	run "$HYDRAD" -d --arena-name "$HYDRA_ARENA" --arena-size 64mb \
	    --databases 8 --port "$HYDRA_PORT" --dir "$HYDRA_DIR"
	[ "$status" -ne 0 ]
	[[ $output == *"with 16 databases of 256 stripes, but the configuration asks for 8 of 256"* ]]
	start_server
	[ "$(redis-cli -p "$HYDRA_PORT" get k)" = v ]
}
