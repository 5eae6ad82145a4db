#!/usr/bin/env bats
#
# The string commands of src/cmd_string.c beyond GET and SET: the
# counters, APPEND, STRLEN, GETSET, GETDEL, GETEX, SETNX, SETEX, PSETEX,
# MGET, GETRANGE, SETRANGE, INCRBYFLOAT, MSET, MSETNX and LCS.  Each test
# starts its own server; the differential tests send the same requests to
# Debian's redis-server and compare the reply bytes.

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

@test "GETEX returns the value and changes its expiry" {
	# Invariant: GETEX answers the value like GET and sets (EX, PX,
	# EXAT, PXAT) or removes (PERSIST) the expiry under the same lock; a
	# time already past deletes the key after answering.
	start_server
	p=$HYDRA_PORT
	redis-cli -p "$p" set k v >/dev/null
	run redis-cli -p "$p" getex k ex 100
	[ "$output" = v ]
	run redis-cli -p "$p" ttl k
	[ "$output" -ge 99 ] && [ "$output" -le 100 ]
	run redis-cli -p "$p" getex k px 5000
	[ "$output" = v ]
	run redis-cli -p "$p" pttl k
	[ "$output" -gt 4000 ] && [ "$output" -le 5000 ]
	at=$(($(date +%s) + 1000))
	redis-cli -p "$p" getex k exat "$at" >/dev/null
	run redis-cli -p "$p" expiretime k
	[ "$output" = "$at" ]
	redis-cli -p "$p" getex k pxat "${at}500" >/dev/null
	run redis-cli -p "$p" pexpiretime k
	[ "$output" = "${at}500" ]
	run redis-cli -p "$p" getex k persist
	[ "$output" = v ]
	run redis-cli -p "$p" ttl k
	[ "$output" = -1 ]
	run redis-cli -p "$p" getex k exat 1
	[ "$output" = v ]
	run redis-cli -p "$p" exists k
	[ "$output" = 0 ]
	run redis-cli -p "$p" getex k
	[ "$output" = "" ]
}

@test "GETEX: replies match redis-server" {
	# Invariant: options, their conflicts, bad and out-of-range times
	# and missing keys get exactly Redis 7.0's bytes.
	start_server
	start_oracle
	printf 'set x hello\r\ngetex x\r\ngetex x ex 100\r\nttl x\r\n' |
	    same_reply
	printf 'getex x persist\r\nttl x\r\ngetex x ex 0\r\ngetex x ex -1\r\n' |
	    same_reply
	printf 'getex x ex abc\r\ngetex x px 100 ex 100\r\n' | same_reply
	printf 'getex x persist ex 10\r\ngetex x ex 10 persist\r\n' | same_reply
	printf 'getex x foo\r\ngetex x nx\r\ngetex x xx\r\ngetex x get\r\n' |
	    same_reply
	printf 'getex x keepttl\r\ngetex x ex\r\ngetex x EX 10 EX 20\r\n' |
	    same_reply
	printf 'getex x ex 9999999999999999\r\ngetex x px 9223372036854775807\r\n' |
	    same_reply
	printf 'getex x pxat 0\r\ngetex x exat -1\r\ngetex x ex abc foo\r\n' |
	    same_reply
	printf 'getex nokey ex 10\r\ngetex nokey persist\r\ngetex\r\n' |
	    same_reply
	printf 'getex x pxat 99999999999999\r\npexpiretime x\r\n' | same_reply
	printf 'getex x exat 1\r\nexists x\r\ngetex x\r\n' | same_reply
}

@test "LCS: replies match redis-server" {
	# Invariant: the subsequence, LEN, IDX with MINMATCHLEN and
	# WITHMATCHLEN, missing keys, empty strings and every error get
	# exactly Redis 7.0's bytes.
	start_server
	start_oracle
	printf 'set k1 ohmytext\r\nset k2 mynewtext\r\nlcs k1 k2\r\n' |
	    same_reply
	printf 'lcs k1 k2 len\r\nlcs k1 k2 idx\r\nlcs k1 k2 IDX WITHMATCHLEN\r\n' |
	    same_reply
	printf 'lcs k1 k2 idx minmatchlen 4 withmatchlen\r\n' | same_reply
	printf 'lcs k1 k2 idx minmatchlen -3\r\nlcs k1 k2 minmatchlen 2\r\n' |
	    same_reply
	printf 'lcs k1 k2 len idx\r\nlcs k1 k2 idx len\r\nlcs k1 k2 foo\r\n' |
	    same_reply
	printf 'lcs k1 k2 minmatchlen\r\nlcs k1 k2 minmatchlen x\r\n' |
	    same_reply
	printf 'lcs k1 k2 minmatchlen 1.5 idx\r\nlcs k1\r\nlcs\r\n' | same_reply
	printf 'lcs k1 nokey\r\nlcs nokey k1 idx\r\nlcs nokey nokey2 len\r\n' |
	    same_reply
	printf 'lcs k1 k1\r\nlcs k1 k1 idx withmatchlen\r\n' | same_reply
	printf 'set a ABCBDAB\r\nset b BDCABA\r\nlcs a b\r\nlcs b a\r\n' |
	    same_reply
	printf 'lcs a b idx withmatchlen\r\nlcs b a idx\r\nlcs a b len\r\n' |
	    same_reply
	printf 'set c xyz\r\nlcs a c\r\nlcs a c idx\r\nlcs a c len\r\n' |
	    same_reply
	printf 'set e ""\r\nlcs e a\r\nlcs e a idx\r\n' | same_reply
	printf 'set d "aaaabbbbaaaa"\r\nset f "abababab"\r\nlcs d f idx\r\n' |
	    same_reply
	printf 'lcs d f\r\nlcs f d idx withmatchlen minmatchlen 2\r\n' |
	    same_reply
}

@test "MGET sees a concurrent MSET whole or not at all" {
	# Invariant: MGET holds the stripes of all its keys at once, so
	# against MSETs that write one letter to every key it never returns
	# a mix of two letters.
	start_server
	p=$HYDRA_PORT
	keys=() a=() b=()
	for ((i = 0; i < 32; i++)); do
		keys+=("k$i")
		a+=("k$i" a)
		b+=("k$i" b)
	done
	redis-cli -p "$p" mset "${a[@]}" >/dev/null
	(
		for ((round = 0; round < 2000; round++)); do
			echo "MSET ${a[*]}"
			echo "MSET ${b[*]}"
		done | redis-cli -p "$p" >/dev/null
	) &
	writer=$!
	mixed=0
	for ((round = 0; round < 40; round++)); do
		n=$(redis-cli -p "$p" mget "${keys[@]}" | sort -u | wc -l)
		[ "$n" = 1 ] || mixed=$((mixed + 1))
	done
	wait "$writer"
	[ "$mixed" = 0 ]
}

@test "MSET that runs out of memory changes nothing" {
	# Invariant: when one value of an MSET does not fit in the arena the
	# reply is -OOM and every key keeps what it held before: keys set
	# earlier in the same MSET are put back or deleted.
	HYDRA_ARENA_SIZE=16mb start_server
	p=$HYDRA_PORT
	redis-cli -p "$p" mset a old c keep >/dev/null
	big=$BATS_TEST_TMPDIR/big
	head -c 20000000 /dev/zero | tr '\0' x >"$big"
	run redis-cli -p "$p" -x mset a new b fresh c <"$big"
	[ "$output" = "OOM command not allowed when used memory > 'maxmemory'." ]
	run redis-cli -p "$p" mget a b c
	[ "$output" = "old

keep" ]
	run redis-cli -p "$p" dbsize
	[ "$output" = 2 ]
	run redis-cli -p "$p" -x msetnx x 1 y <"$big"
	[ "$output" = "OOM command not allowed when used memory > 'maxmemory'." ]
	run redis-cli -p "$p" exists x y
	[ "$output" = 0 ]
	run redis-cli -p "$p" mset a new b fresh
	[ "$output" = OK ]
}
