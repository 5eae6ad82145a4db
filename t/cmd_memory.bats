#!/usr/bin/env bats
#
# MEMORY (src/cmd_memory.c) on a running hydrad: USAGE counts the arena
# bytes of a key's entry and of every chunk its value owns, so it follows
# the value's size; STATS and DOCTOR speak of the arena.

load helpers/common

teardown() {
	stop_hydrad
}

@test "MEMORY USAGE follows the size of strings and of lists of every encoding" {
	start_server
	redis-cli -p "$HYDRA_PORT" set small x >/dev/null
	redis-cli -p "$HYDRA_PORT" set big "$(head -c 5000 /dev/zero | tr '\0' a)" \
	    >/dev/null
	small=$(redis-cli -p "$HYDRA_PORT" memory usage small)
	big=$(redis-cli -p "$HYDRA_PORT" memory usage big)
	((small > 0 && small < 100))
	((big >= 5000 && big < 5000 + 1024))
	# A packed list, then a chain of nodes: every node counts.
	redis-cli -p "$HYDRA_PORT" rpush l a b c >/dev/null
	packed=$(redis-cli -p "$HYDRA_PORT" memory usage l samples 0)
	python3 - "$HYDRA_PORT" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
args = [b"RPUSH", b"l"] + [b"element-%06d" % i for i in range(20000)]
s.sendall(b"*%d\r\n" % len(args) +
          b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args))
buf = b""
while not buf.endswith(b"\r\n"):
    buf += s.recv(64)
PY
	chain=$(redis-cli -p "$HYDRA_PORT" memory usage l)
	((packed < 100))
	# 20,000 elements of 14 bytes: at least their bytes, and not 2x.
	((chain > 20000 * 14 && chain < 20000 * 14 * 2))
	redis-cli -p "$HYDRA_PORT" del l >/dev/null
	run redis-cli -p "$HYDRA_PORT" memory usage l
	[ -z "$output" ]
}

@test "MEMORY STATS and DOCTOR speak of the arena" {
	start_server
	redis-cli -p "$HYDRA_PORT" mset a 1 b 2 c 3 >/dev/null
	run redis-cli -p "$HYDRA_PORT" memory stats
	[[ $output == *"keys.count"$'\n'"3"* ]]
	run redis-cli -p "$HYDRA_PORT" memory doctor
	[[ $output == *"No memory problems found"* ]]
	run redis-cli -p "$HYDRA_PORT" memory malloc-stats
	[[ $output == *"arena pages:"* ]]
}
