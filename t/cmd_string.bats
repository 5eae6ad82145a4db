#!/usr/bin/env bats
#
# The string commands of src/cmd_string.c beyond GET and SET: the
# counters, APPEND, STRLEN, GETSET, GETDEL, SETNX, SETEX, PSETEX, MGET,
# GETRANGE, SETRANGE, INCRBYFLOAT, MSET and MSETNX.  Each test starts its
# own server; the differential tests send the same requests to Debian's
# redis-server and compare the reply bytes.

load helpers/common

teardown() {
	stop_oracle
	stop_hydrad
}

@test "INCR, DECR, INCRBY and DECRBY count and keep the TTL" {
	# Invariant: the counters store the decimal text of the new value,
	# start a missing key at 0 and leave an existing expiry in place.
	start_server
	p=$HYDRA_PORT
	run redis-cli -p "$p" incr n
	[ "$output" = 1 ]
	run redis-cli -p "$p" incrby n 41
	[ "$output" = 42 ]
	run redis-cli -p "$p" decrby n 50
	[ "$output" = -8 ]
	run redis-cli -p "$p" decr n
	[ "$output" = -9 ]
	run redis-cli -p "$p" get n
	[ "$output" = -9 ]
	redis-cli -p "$p" expire n 100 >/dev/null
	redis-cli -p "$p" incr n >/dev/null
	run redis-cli -p "$p" ttl n
	[ "$output" -ge 99 ] && [ "$output" -le 100 ]
}

@test "counters: replies match redis-server" {
	# Invariant: the counters answer byte for byte as Redis 7.0 does,
	# errors, overflow and wrong arity included.
	start_server
	start_oracle
	printf 'incr a\r\nincr a\r\ndecr a\r\nincrby a 10\r\ndecrby a 3\r\n' |
	    same_reply
	printf 'incr\r\nincr a b\r\ndecr\r\nincrby a\r\ndecrby a 1 2\r\n' |
	    same_reply
	printf 'incrby a x\r\nincrby a 1.5\r\nincrby a " 1"\r\nincrby a 01\r\n' |
	    same_reply
	printf 'set s foo\r\nincr s\r\nset s 1.0\r\ndecr s\r\nset s ""\r\nincr s\r\n' |
	    same_reply
	printf 'set m 9223372036854775807\r\nincr m\r\nincrby m 0\r\nget m\r\n' |
	    same_reply
	printf 'set m -9223372036854775808\r\ndecr m\r\ndecrby m 1\r\n' |
	    same_reply
	printf 'decrby a -9223372036854775808\r\nincrby a 9223372036854775808\r\n' |
	    same_reply
	printf 'set z -0\r\nincr z\r\nset z +1\r\nincr z\r\nget a\r\n' |
	    same_reply
}

@test "APPEND, STRLEN, GETSET, GETDEL and SETNX" {
	# Invariant: APPEND grows the value and keeps the TTL, GETSET
	# replaces it and drops the TTL, GETDEL removes the key, SETNX sets
	# only a missing key.
	start_server
	p=$HYDRA_PORT
	run redis-cli -p "$p" append k ab
	[ "$output" = 2 ]
	redis-cli -p "$p" expire k 100 >/dev/null
	run redis-cli -p "$p" append k cd
	[ "$output" = 4 ]
	run redis-cli -p "$p" ttl k
	[ "$output" -ge 99 ]
	run redis-cli -p "$p" strlen k
	[ "$output" = 4 ]
	run redis-cli -p "$p" getset k new
	[ "$output" = abcd ]
	run redis-cli -p "$p" ttl k
	[ "$output" = -1 ]
	run redis-cli -p "$p" getdel k
	[ "$output" = new ]
	run redis-cli -p "$p" exists k
	[ "$output" = 0 ]
	run redis-cli -p "$p" setnx k 1
	[ "$output" = 1 ]
	run redis-cli -p "$p" setnx k 2
	[ "$output" = 0 ]
	run redis-cli -p "$p" get k
	[ "$output" = 1 ]
}

@test "APPEND, STRLEN, GETSET, GETDEL, SETNX: replies match redis-server" {
	# Invariant: these commands answer byte for byte as Redis 7.0 does.
	start_server
	start_oracle
	printf 'append k ab\r\nappend k ""\r\nappend k cd\r\nstrlen k\r\n' |
	    same_reply
	printf 'strlen x\r\nappend\r\nappend k\r\nstrlen\r\nstrlen a b\r\n' |
	    same_reply
	printf 'getset k v\r\ngetset x v\r\ngetset k\r\ngetset k a b\r\n' |
	    same_reply
	printf 'getdel k\r\ngetdel k\r\ngetdel\r\ngetdel a b\r\nget k\r\n' |
	    same_reply
	printf 'setnx n 1\r\nsetnx n 2\r\nsetnx n\r\nsetnx a b c\r\nget n\r\n' |
	    same_reply
	printf 'set e ""\r\nstrlen e\r\ngetdel e\r\nexists e\r\n' | same_reply
}

@test "SETEX and PSETEX set a value with an expiry" {
	# Invariant: SETEX and PSETEX store the value with a TTL of the
	# time given, in seconds and milliseconds.
	start_server
	p=$HYDRA_PORT
	run redis-cli -p "$p" setex k 100 v
	[ "$output" = OK ]
	run redis-cli -p "$p" ttl k
	[ "$output" -ge 99 ] && [ "$output" -le 100 ]
	run redis-cli -p "$p" psetex p 50 v
	[ "$output" = OK ]
	sleep 0.2
	run redis-cli -p "$p" exists p
	[ "$output" = 0 ]
}

@test "SETEX, PSETEX and MGET: replies match redis-server" {
	# Invariant: SETEX, PSETEX and MGET answer byte for byte as Redis
	# 7.0 does, invalid times and arity errors included.
	start_server
	start_oracle
	printf 'setex k 100 v\r\npsetex p 100000 v\r\nget k\r\nget p\r\n' |
	    same_reply
	printf 'setex k 0 v\r\nsetex k -1 v\r\npsetex k 0 v\r\nsetex k x v\r\n' |
	    same_reply
	printf 'setex k 9223372036854775807 v\r\npsetex k 9223372036854775807 v\r\n' |
	    same_reply
	printf 'setex k 1.5 v\r\nsetex k 10\r\npsetex\r\nsetex a b c d\r\n' |
	    same_reply
	printf 'set a 1\r\nmget a x k\r\nmget\r\nmget x\r\n' | same_reply
}

@test "GETRANGE and SETRANGE: replies match redis-server" {
	# Invariant: GETRANGE clamps its indexes and SETRANGE pads with
	# zero bytes exactly as Redis 7.0 does, range errors included.
	start_server
	start_oracle
	printf 'set s "Hello World"\r\ngetrange s 0 4\r\ngetrange s -5 -1\r\n' |
	    same_reply
	printf 'getrange s 5 2\r\ngetrange s -1 -5\r\ngetrange s 0 100\r\n' |
	    same_reply
	printf 'getrange s -100 -50\r\ngetrange x 0 1\r\ngetrange s a 1\r\n' |
	    same_reply
	printf 'getrange s -9223372036854775808 9223372036854775807\r\n' |
	    same_reply
	printf 'getrange s 0\r\nsetrange s 6 Redis\r\nget s\r\n' | same_reply
	printf 'setrange n 3 ab\r\nget n\r\nsetrange m 0 ""\r\nexists m\r\n' |
	    same_reply
	printf 'setrange s 1 ""\r\nsetrange s -1 x\r\nsetrange s x y\r\n' |
	    same_reply
	printf 'setrange s 536870912 x\r\nsetrange s 536870911 ""\r\n' |
	    same_reply
	printf 'setrange s 1\r\nsetrange\r\nappend s 1\r\n' | same_reply
}

@test "INCRBYFLOAT: replies match redis-server" {
	# Invariant: INCRBYFLOAT adds in long double and prints the result
	# as Redis 7.0 does, its errors included.
	start_server
	start_oracle
	printf 'incrbyfloat f 10.5\r\nincrbyfloat f 0.1\r\nincrbyfloat f -5\r\n' |
	    same_reply
	printf 'set f 5.0e3\r\nincrbyfloat f 2.0e2\r\nincrbyfloat f -5200\r\n' |
	    same_reply
	printf 'incrbyfloat f x\r\nincrbyfloat f " 1"\r\nincrbyfloat f ""\r\n' |
	    same_reply
	printf 'incrbyfloat f inf\r\nincrbyfloat f nan\r\nincrbyfloat f 1e5000\r\n' |
	    same_reply
	printf 'set s abc\r\nincrbyfloat s 1\r\nincrbyfloat f\r\nget f\r\n' |
	    same_reply
	printf 'set g 1.7e308\r\nincrbyfloat g 1.7e308\r\nincrbyfloat h 3\r\n' |
	    same_reply
	printf 'incrbyfloat h -3\r\nget h\r\nincrbyfloat h 1.23456789\r\n' |
	    same_reply
}

@test "MSET and MSETNX: replies match redis-server" {
	# Invariant: MSET sets every pair (the last of a repeated key wins)
	# and drops expiries; MSETNX sets all or none.
	start_server
	start_oracle
	printf 'mset a 1 b 2 a 3\r\nmget a b\r\nmset a\r\nmset a 1 b\r\n' |
	    same_reply
	printf 'setex t 100 v\r\nmset t w\r\nttl t\r\nmset\r\n' | same_reply
	printf 'msetnx a 9 c 9\r\nmget a c\r\nmsetnx c 1 d 2\r\nmget c d\r\n' |
	    same_reply
	printf 'msetnx\r\nmsetnx a\r\nmsetnx x 1 y\r\nmsetnx e 1 e 2\r\nget e\r\n' |
	    same_reply
}

@test "MSET is atomic against a concurrent MSET" {
	# Invariant: of two MSETs of the same keys racing each other, one
	# wins whole: afterwards every key holds the same writer's value.
	start_server
	p=$HYDRA_PORT
	a=() b=()
	for ((i = 0; i < 32; i++)); do
		a+=("k$i" a)
		b+=("k$i" b)
	done
	for ((round = 0; round < 30; round++)); do
		redis-cli -p "$p" mset "${a[@]}" >/dev/null &
		w1=$!
		redis-cli -p "$p" mset "${b[@]}" >/dev/null &
		w2=$!
		wait "$w1" "$w2"
		run redis-cli -p "$p" mget k0 k5 k9 k13 k17 k21 k26 k31
		[ "$(echo "$output" | sort -u | wc -l)" = 1 ]
	done
}
