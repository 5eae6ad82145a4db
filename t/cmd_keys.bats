#!/usr/bin/env bats
#
# The generic key commands of src/cmd_keys.c: DEL, UNLINK, EXISTS, TYPE,
# TOUCH, OBJECT, RENAME, RENAMENX, COPY, MOVE, SWAPDB, active expiry,
# the expiry commands, DBSIZE, RANDOMKEY, KEYS, SCAN, FLUSHDB and
# FLUSHALL.  Each test starts its own server; the differential tests send
# the same requests to Debian's redis-server and compare the reply bytes,
# or, where Redis's answer is random in order, the sorted keys.

load helpers/common

teardown() {
	stop_oracle
	stop_hydrad
}

# same_sorted CMD...: run redis-cli CMD on both servers and fail unless
# the lines of output are the same once sorted.
same_sorted() {
	local ours theirs
	ours=$(redis-cli -p "$HYDRA_PORT" "$@" | sort)
	theirs=$(redis-cli -p "$ORACLE_PORT" "$@" | sort)
	if [ "$ours" != "$theirs" ]; then
		printf 'command: %s\nhydrad:\n%s\nredis-server:\n%s\n' \
		    "$*" "$ours" "$theirs" >&2
		return 1
	fi
}

# both CMD...: run redis-cli CMD on both servers, output discarded.
both() {
	redis-cli -p "$HYDRA_PORT" "$@" >/dev/null
	redis-cli -p "$ORACLE_PORT" "$@" >/dev/null
}

# scan_all PORT [ARGS...]: every key a full SCAN with ARGS returns,
# sorted, one per line; fails if a cursor is not a number.
scan_all() {
	local port=$1
	shift
	python3 "$RESP_CLIENT" scan "$port" scan "$@" | sort -u
	return "${PIPESTATUS[0]}"
}

@test "DEL, UNLINK and EXISTS count keys" {
	# Invariant: EXISTS counts every live key named, repeats included;
	# DEL and UNLINK remove the named keys and answer how many existed.
	start_server
	p=$HYDRA_PORT
	for k in a b c d; do redis-cli -p "$p" set "$k" 1 >/dev/null; done
	run redis-cli -p "$p" exists a b x a
	[ "$output" = 3 ]
	run redis-cli -p "$p" del a x
	[ "$output" = 1 ]
	run redis-cli -p "$p" unlink b c x
	[ "$output" = 2 ]
	run redis-cli -p "$p" exists a b c d
	[ "$output" = 1 ]
}

@test "TYPE names string and none" {
	# Invariant: TYPE answers the status "string" for a string key and
	# "none" for a missing or expired one.
	start_server
	p=$HYDRA_PORT
	redis-cli -p "$p" set s v >/dev/null
	redis-cli -p "$p" set gone v px 50 >/dev/null
	run redis-cli -p "$p" type s
	[ "$output" = string ]
	run redis-cli -p "$p" type nosuch
	[ "$output" = none ]
	sleep 0.2
	run redis-cli -p "$p" type gone
	[ "$output" = none ]
}

@test "EXPIRE and TTL: a key lives until its time, then is gone" {
	# Invariant: after EXPIRE/PEXPIRE a key reports a TTL within the time
	# set, is readable before it and gone after it; TTL is -1 without an
	# expiry and -2 without a key.
	start_server
	p=$HYDRA_PORT
	redis-cli -p "$p" set k v >/dev/null
	run redis-cli -p "$p" ttl k
	[ "$output" = -1 ]
	run redis-cli -p "$p" ttl nosuch
	[ "$output" = -2 ]
	run redis-cli -p "$p" pttl nosuch
	[ "$output" = -2 ]
	run redis-cli -p "$p" expire k 100
	[ "$output" = 1 ]
	run redis-cli -p "$p" ttl k
	[ "$output" -ge 99 ] && [ "$output" -le 100 ]
	run redis-cli -p "$p" pttl k
	[ "$output" -gt 98000 ] && [ "$output" -le 100000 ]
	run redis-cli -p "$p" pexpire k 300
	[ "$output" = 1 ]
	run redis-cli -p "$p" get k
	[ "$output" = v ]
	sleep 0.5
	run redis-cli -p "$p" exists k
	[ "$output" = 0 ]
	run redis-cli -p "$p" expire nosuch 10
	[ "$output" = 0 ]
}

@test "EXPIREAT, PEXPIREAT and EXPIRETIME agree on absolute times" {
	# Invariant: EXPIRETIME and PEXPIRETIME return the absolute time set
	# by EXPIREAT and PEXPIREAT (-1 without expiry, -2 without key); an
	# absolute time in the past deletes the key and answers 1.
	start_server
	p=$HYDRA_PORT
	at=$(($(date +%s) + 1000))
	redis-cli -p "$p" set k v >/dev/null
	run redis-cli -p "$p" expiretime k
	[ "$output" = -1 ]
	run redis-cli -p "$p" pexpiretime nosuch
	[ "$output" = -2 ]
	run redis-cli -p "$p" expireat k "$at"
	[ "$output" = 1 ]
	run redis-cli -p "$p" expiretime k
	[ "$output" = "$at" ]
	run redis-cli -p "$p" pexpiretime k
	[ "$output" = "${at}000" ]
	run redis-cli -p "$p" pexpireat k "${at}123"
	[ "$output" = 1 ]
	run redis-cli -p "$p" pexpiretime k
	[ "$output" = "${at}123" ]
	run redis-cli -p "$p" expiretime k
	[ "$output" = "$at" ]
	run redis-cli -p "$p" expireat k 1000
	[ "$output" = 1 ]
	run redis-cli -p "$p" exists k
	[ "$output" = 0 ]
	redis-cli -p "$p" set k v >/dev/null
	run redis-cli -p "$p" expire k -5
	[ "$output" = 1 ]
	run redis-cli -p "$p" exists k
	[ "$output" = 0 ]
}

@test "PERSIST removes an expiry" {
	# Invariant: PERSIST answers 1 and leaves the key without expiry when
	# it had one; 0 for a key without expiry or no key.
	start_server
	p=$HYDRA_PORT
	redis-cli -p "$p" set k v ex 100 >/dev/null
	run redis-cli -p "$p" persist k
	[ "$output" = 1 ]
	run redis-cli -p "$p" ttl k
	[ "$output" = -1 ]
	run redis-cli -p "$p" persist k
	[ "$output" = 0 ]
	run redis-cli -p "$p" persist nosuch
	[ "$output" = 0 ]
	run redis-cli -p "$p" get k
	[ "$output" = v ]
}

@test "EXPIRE NX, XX, GT and LT apply only when their condition holds" {
	# Invariant: NX sets only when there is no expiry, XX only when there
	# is one, GT only to a later time (never over no expiry), LT only to
	# an earlier one (always over no expiry); a refused one answers 0.
	start_server
	p=$HYDRA_PORT
	redis-cli -p "$p" set k v >/dev/null
	run redis-cli -p "$p" expire k 100 xx
	[ "$output" = 0 ]
	run redis-cli -p "$p" expire k 100 gt
	[ "$output" = 0 ]
	run redis-cli -p "$p" expire k 100 nx
	[ "$output" = 1 ]
	run redis-cli -p "$p" expire k 200 nx
	[ "$output" = 0 ]
	run redis-cli -p "$p" expire k 50 gt
	[ "$output" = 0 ]
	run redis-cli -p "$p" expire k 200 gt
	[ "$output" = 1 ]
	run redis-cli -p "$p" expire k 300 lt
	[ "$output" = 0 ]
	run redis-cli -p "$p" expire k 150 lt xx
	[ "$output" = 1 ]
	run redis-cli -p "$p" ttl k
	[ "$output" -ge 149 ] && [ "$output" -le 150 ]
	redis-cli -p "$p" persist k >/dev/null
	run redis-cli -p "$p" expire k 500 lt
	[ "$output" = 1 ]
	run redis-cli -p "$p" expire k 100 nx xx
	[ "$output" = \
	    "ERR NX and XX, GT or LT options at the same time are not compatible" ]
}

@test "DBSIZE, FLUSHDB and FLUSHALL" {
	# Invariant: DBSIZE counts the keys of the selected database;
	# FLUSHDB empties that database only, FLUSHALL every database, with
	# or without ASYNC/SYNC.
	start_server
	p=$HYDRA_PORT
	for i in 1 2 3; do redis-cli -p "$p" set "k$i" v >/dev/null; done
	redis-cli -p "$p" -n 2 set other v >/dev/null
	run redis-cli -p "$p" dbsize
	[ "$output" = 3 ]
	run redis-cli -p "$p" -n 2 dbsize
	[ "$output" = 1 ]
	run redis-cli -p "$p" flushdb async
	[ "$output" = OK ]
	run redis-cli -p "$p" dbsize
	[ "$output" = 0 ]
	run redis-cli -p "$p" -n 2 dbsize
	[ "$output" = 1 ]
	redis-cli -p "$p" set k v >/dev/null
	run redis-cli -p "$p" flushall sync
	[ "$output" = OK ]
	run redis-cli -p "$p" dbsize
	[ "$output" = 0 ]
	run redis-cli -p "$p" -n 2 dbsize
	[ "$output" = 0 ]
	run redis-cli -p "$p" flushdb now
	[ "$output" = "ERR syntax error" ]
}

@test "RANDOMKEY returns a live key, or null when empty" {
	# Invariant: RANDOMKEY answers null on an empty database and
	# otherwise one of its keys; over many calls, more than one key.
	start_server
	p=$HYDRA_PORT
	run redis-cli -p "$p" --no-raw randomkey
	[ "$output" = "(nil)" ]
	for i in $(seq 1 20); do redis-cli -p "$p" set "r$i" v >/dev/null; done
	seen=$BATS_TEST_TMPDIR/seen
	for i in $(seq 1 30); do redis-cli -p "$p" randomkey; done >"$seen"
	! grep -qv '^r[0-9]*$' "$seen"
	[ "$(sort -u "$seen" | wc -l)" -gt 1 ]
}

@test "KEYS matches patterns; a lone star matches the empty key" {
	# Invariant: KEYS returns exactly the live keys its pattern matches,
	# the empty key included under "*".
	start_server
	p=$HYDRA_PORT
	for k in hello hallo hxllo foo; do
		redis-cli -p "$p" set "$k" v >/dev/null
	done
	redis-cli -p "$p" set "" empty >/dev/null
	run bash -c "redis-cli -p $p keys 'h?llo' | sort"
	[ "$output" = "$(printf 'hallo\nhello\nhxllo')" ]
	run bash -c "redis-cli -p $p keys 'h[ae]llo' | sort"
	[ "$output" = "$(printf 'hallo\nhello')" ]
	run bash -c "redis-cli -p $p keys '*' | wc -l"
	[ "$output" -eq 5 ]
	run bash -c "redis-cli -p $p --raw keys '*' | grep -cx ''"
	[ "$output" -eq 1 ]
	run redis-cli -p "$p" keys 'nomatch*'
	[ "$output" = "" ]
}

@test "SCAN visits every key exactly as KEYS sees them" {
	# Invariant: a full SCAN (any COUNT) returns every key present for
	# the whole scan; MATCH and TYPE filter; the cursor ends at 0.
	start_server
	p=$HYDRA_PORT
	for ((i = 0; i < 500; i++)); do printf 'SET key:%d v\r\n' "$i"; done |
	    python3 "$RESP_CLIENT" raw "$p" >/dev/null
	run scan_all "$p"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | wc -l)" -eq 500 ]
	[ "$output" = "$(redis-cli -p "$p" keys '*' | sort)" ]
	run scan_all "$p" count 1000
	[ "$(echo "$output" | wc -l)" -eq 500 ]
	run scan_all "$p" match 'key:1?' count 3
	[ "$output" = "$(redis-cli -p "$p" keys 'key:1?' | sort)" ]
	run scan_all "$p" type string
	[ "$(echo "$output" | wc -l)" -eq 500 ]
	run scan_all "$p" type list
	[ "$output" = "" ]
	out=$(redis-cli -p "$p" scan 0 count 1000)
	[ "$(echo "$out" | head -1)" = 0 ]
}

@test "key commands answer byte for byte as redis-server" {
	# Invariant: for arities, options, integers, negative and huge TTLs
	# and past times, the key commands write exactly Redis 7.0's bytes.
	start_server
	start_oracle
	printf 'set k v\r\nset e v\r\nttl k\r\npttl k\r\nttl x\r\npttl x\r\n' |
	    same_reply
	printf 'expiretime k\r\npexpiretime k\r\nexpiretime x\r\n' | same_reply
	printf 'ttl\r\nttl a b\r\npttl\r\nexpiretime\r\npexpiretime a b\r\n' |
	    same_reply
	printf 'persist\r\npersist a b\r\npersist k\r\npersist x\r\n' |
	    same_reply
	printf 'expire\r\nexpire k\r\npexpire k\r\nexpireat k\r\n' | same_reply
	printf 'pexpireat\r\nexpire k x\r\nexpire k 1.5\r\nexpire k " 1"\r\n' |
	    same_reply
	printf 'expire k 10 nx xx\r\nexpire k 10 gt lt\r\nexpire k 10 nx gt\r\n' |
	    same_reply
	printf 'expire k 10 nx lt\r\nexpire k 10 foo\r\nexpire k x foo\r\n' |
	    same_reply
	printf 'expire k 10 nx xx foo\r\nexpire k x nx xx\r\n' | same_reply
	printf 'expire k 9223372036854775807\r\n' | same_reply
	printf 'expire k -9223372036854775808\r\n' | same_reply
	printf 'expire k 9223372036854775\r\nexpire k 9223372036854776\r\n' |
	    same_reply
	printf 'pexpire k 9223372036854775807\r\npexpireat k 9223372036854775807\r\n' |
	    same_reply
	printf 'expireat k 9223372036854776\r\nexpireat k -9223372036854776\r\n' |
	    same_reply
	printf 'pexpire k 9223372036854775808\r\nexpire x 10\r\n' | same_reply
	printf 'expire k 100 xx\r\nexpire k 100 gt\r\nexpire k 100 NX\r\n' |
	    same_reply
	printf 'expire k 50 GT\r\nexpire k 200 gt\r\nexpire k 300 lt\r\n' |
	    same_reply
	printf 'expire k 150 Lt Xx\r\nttl k\r\nexpire k 0\r\nexists k\r\n' |
	    same_reply
	printf 'set k v\r\npexpire k -1\r\nexists k\r\nset k v\r\n' | same_reply
	printf 'expireat k 1\r\nexists k\r\nset k v\r\npexpireat k 0\r\n' |
	    same_reply
	printf 'set k v\r\nexpire k 0 nx\r\nexists k\r\n' | same_reply
	printf 'set k v\r\nexpireat k 99999999999\r\nexpiretime k\r\n' |
	    same_reply
	printf 'pexpiretime k\r\npersist k\r\nttl k\r\n' | same_reply
	printf 'type\r\ntype a b\r\ntype k\r\ntype x\r\n' | same_reply
	printf 'del\r\nunlink\r\nexists\r\nunlink k x k\r\nexists k\r\n' |
	    same_reply
	printf 'dbsize x\r\nrandomkey x\r\nkeys\r\nkeys a b\r\nscan\r\n' |
	    same_reply
	printf 'flushdb x\r\nflushdb sync async\r\nflushall x\r\n' | same_reply
	printf 'flushall async x\r\nflushdb ASYNC\r\nflushall Sync\r\n' |
	    same_reply
	printf 'dbsize\r\nrandomkey\r\nkeys *\r\nscan 0\r\n' | same_reply
	printf 'scan x\r\nscan -1x\r\nscan " 1"\r\nscan 1.0\r\n' | same_reply
	printf 'scan 99999999999999999999999\r\nscan 0 count\r\n' | same_reply
	printf 'scan 0 count 0\r\nscan 0 count -1\r\nscan 0 count x\r\n' |
	    same_reply
	printf 'scan 0 match\r\nscan 0 type\r\nscan 0 foo bar\r\n' | same_reply
	printf 'scan x count 0\r\nscan 0 count 0 foo\r\n' | same_reply
	printf 'scan 0 match * count 10 type string\r\n' | same_reply
	printf 'set k v\r\ndbsize\r\nrandomkey\r\nkeys *\r\nscan 0\r\n' |
	    same_reply
	printf 'keys k\r\nkeys x*\r\nscan 0 type list\r\n' | same_reply
	printf 'scan 0 type String\r\nscan 0 match k\r\ntype k\r\n' | same_reply
	# With two keys, KEYS * may list them in either order: count instead.
	printf 'set "" v\r\nkeys ""\r\ndbsize\r\n' | same_reply
}

@test "KEYS, SCAN and RANDOMKEY agree with redis-server as sets" {
	# Invariant: over the same keys, KEYS and a full SCAN with MATCH,
	# COUNT and TYPE return the same set of keys as Redis 7.0, and
	# RANDOMKEY only keys that exist.
	start_server
	start_oracle
	req=$BATS_TEST_TMPDIR/keys
	for ((i = 0; i < 300; i++)); do
		printf 'SET user:%d v\r\nSET item:%d v\r\n' "$i" "$i"
	done >"$req"
	printf 'SET "" e\r\nSET "a*b" v\r\nSET "a[b" v\r\n' >>"$req"
	python3 "$RESP_CLIENT" raw "$HYDRA_PORT" <"$req" >/dev/null
	python3 "$RESP_CLIENT" raw "$ORACLE_PORT" <"$req" >/dev/null
	for pat in '*' 'user:*' '*:1?' 'item:[1-3]0' 'a\*b' 'a[[]b' '?' \
	    '' 'nomatch'; do
		same_sorted keys "$pat"
		[ "$(scan_all "$HYDRA_PORT" match "$pat" count 7)" = \
		    "$(scan_all "$ORACLE_PORT" match "$pat" count 7)" ]
	done
	[ "$(scan_all "$HYDRA_PORT" type string)" = \
	    "$(scan_all "$ORACLE_PORT" type string)" ]
	[ "$(scan_all "$HYDRA_PORT" type STRING count 1000)" = \
	    "$(scan_all "$ORACLE_PORT" type STRING count 1000)" ]
	[ "$(scan_all "$HYDRA_PORT" type hash)" = \
	    "$(scan_all "$ORACLE_PORT" type hash)" ]
	same_sorted dbsize
	for i in 1 2 3 4 5; do
		k=$(redis-cli -p "$HYDRA_PORT" randomkey)
		[ "$(redis-cli -p "$HYDRA_PORT" exists "$k")" = 1 ]
	done
	both flushall
	same_sorted keys '*'
	same_sorted dbsize
}

@test "RENAME and RENAMENX move the value and its expiry" {
	# Invariant: RENAME puts the value and TTL under the new name,
	# replacing what was there, and the old name is gone; RENAMENX does
	# so only when the new name is free; a missing source is an error.
	start_server
	p=$HYDRA_PORT
	redis-cli -p "$p" set a va ex 100 >/dev/null
	redis-cli -p "$p" set b vb >/dev/null
	run redis-cli -p "$p" rename a b
	[ "$output" = OK ]
	run redis-cli -p "$p" get b
	[ "$output" = va ]
	run redis-cli -p "$p" ttl b
	[ "$output" -ge 99 ] && [ "$output" -le 100 ]
	run redis-cli -p "$p" exists a
	[ "$output" = 0 ]
	redis-cli -p "$p" set c vc >/dev/null
	run redis-cli -p "$p" renamenx b c
	[ "$output" = 0 ]
	run redis-cli -p "$p" mget b c
	[ "$output" = "va
vc" ]
	run redis-cli -p "$p" renamenx b d
	[ "$output" = 1 ]
	run redis-cli -p "$p" mget b d
	[ "$output" = "
va" ]
	run redis-cli -p "$p" rename nosuch x
	[ "$output" = "ERR no such key" ]
}

@test "COPY and MOVE work within and across databases" {
	# Invariant: COPY leaves the source and puts a copy (value and TTL)
	# under the destination, in this or another database, replacing only
	# with REPLACE; MOVE puts the key in another database only when it
	# is free there, and removes it here.
	start_server
	p=$HYDRA_PORT
	redis-cli -p "$p" set s v1 ex 100 >/dev/null
	run redis-cli -p "$p" copy s d
	[ "$output" = 1 ]
	run redis-cli -p "$p" mget s d
	[ "$output" = "v1
v1" ]
	run redis-cli -p "$p" ttl d
	[ "$output" -ge 99 ] && [ "$output" -le 100 ]
	redis-cli -p "$p" set s v2 >/dev/null
	run redis-cli -p "$p" copy s d
	[ "$output" = 0 ]
	run redis-cli -p "$p" copy s d replace
	[ "$output" = 1 ]
	run redis-cli -p "$p" get d
	[ "$output" = v2 ]
	run redis-cli -p "$p" copy s s db 3
	[ "$output" = 1 ]
	run redis-cli -p "$p" -n 3 get s
	[ "$output" = v2 ]
	run redis-cli -p "$p" move s 3
	[ "$output" = 0 ]
	run redis-cli -p "$p" move d 3
	[ "$output" = 1 ]
	run redis-cli -p "$p" exists d
	[ "$output" = 0 ]
	run redis-cli -p "$p" -n 3 mget s d
	[ "$output" = "v2
v2" ]
}

@test "SWAPDB exchanges two databases whole" {
	# Invariant: after SWAPDB a b, database a holds what b held and the
	# other way round, counts included; other databases are untouched;
	# clients that selected either database see the swap at once.
	start_server
	p=$HYDRA_PORT
	for i in 1 2 3; do redis-cli -p "$p" set "zero$i" 0 >/dev/null; done
	redis-cli -p "$p" -n 5 set five 5 >/dev/null
	redis-cli -p "$p" -n 2 set two 2 >/dev/null
	run redis-cli -p "$p" swapdb 0 5
	[ "$output" = OK ]
	run redis-cli -p "$p" dbsize
	[ "$output" = 1 ]
	run redis-cli -p "$p" get five
	[ "$output" = 5 ]
	run redis-cli -p "$p" -n 5 dbsize
	[ "$output" = 3 ]
	run redis-cli -p "$p" -n 5 get zero2
	[ "$output" = 0 ]
	run redis-cli -p "$p" -n 2 get two
	[ "$output" = 2 ]
	# One connection, selected on 5, across a swap made by another.
	run python3 - "$p" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
def cmd(*a):
    s.sendall(b"".join([b"*%d\r\n" % len(a)] +
        [b"$%d\r\n%s\r\n" % (len(x), x.encode()) for x in a]))
    return s.recv(4096)
cmd("select", "5")
before = cmd("dbsize")
t = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
t.sendall(b"*3\r\n$6\r\nswapdb\r\n$1\r\n5\r\n$1\r\n0\r\n")
t.recv(64)
print(before.decode().strip(), cmd("dbsize").decode().strip())
PY
	[ "$output" = ":3 :1" ]
	run redis-cli -p "$p" dbsize
	[ "$output" = 3 ]
}

@test "TOUCH and OBJECT describe keys" {
	# Invariant: TOUCH counts existing keys like EXISTS; OBJECT ENCODING
	# says int, embstr (up to 44 bytes) or raw; IDLETIME is 0 for a key
	# just written; a missing key answers null.
	start_server
	p=$HYDRA_PORT
	redis-cli -p "$p" mset i 123 e "$(printf 'x%.0s' {1..44})" \
	    r "$(printf 'x%.0s' {1..45})" >/dev/null
	run redis-cli -p "$p" touch i e nosuch i
	[ "$output" = 3 ]
	run redis-cli -p "$p" object encoding i
	[ "$output" = int ]
	run redis-cli -p "$p" object encoding e
	[ "$output" = embstr ]
	run redis-cli -p "$p" object encoding r
	[ "$output" = raw ]
	run redis-cli -p "$p" object idletime i
	[ "$output" = 0 ]
	run redis-cli -p "$p" object encoding nosuch
	[ "$output" = "" ]
}

@test "rename, copy, move, swapdb, touch and object: replies match redis-server" {
	# Invariant: arities, options, database numbers, missing keys and
	# same-key cases get exactly Redis 7.0's bytes.
	start_server
	start_oracle
	printf 'set a 1\r\nrename nokey b\r\nrenamenx nokey b\r\nrename a a\r\n' |
	    same_reply
	printf 'renamenx a a\r\nrename a b\r\nget b\r\nexists a\r\n' | same_reply
	printf 'rename\r\nrename a\r\nrename a b c\r\nrenamenx a\r\n' |
	    same_reply
	printf 'set t v ex 100\r\nrename t t2\r\nttl t2\r\nset n v\r\n' |
	    same_reply
	printf 'renamenx t2 n\r\nrenamenx t2 m\r\nmget t2 m n\r\n' | same_reply
	printf 'copy b b\r\ncopy b c db 16\r\ncopy b c db x\r\ncopy b c db\r\n' |
	    same_reply
	printf 'copy b c foo\r\ncopy b c\r\ncopy b c\r\ncopy b c replace\r\n' |
	    same_reply
	printf 'copy b c db -1\r\ncopy b b db 1\r\ncopy nokey c\r\n' | same_reply
	printf 'copy b c replace replace db 1 db 2\r\ncopy\r\ncopy b\r\n' |
	    same_reply
	printf 'copy b c db 99999999999999999999\r\nselect 2\r\nget c\r\n' |
	    same_reply
	printf 'select 0\r\nmove b 0\r\nmove b 16\r\nmove b x\r\n' | same_reply
	printf 'move b -1\r\nmove b 99999999999\r\nmove b 1\r\nmove b 1\r\n' |
	    same_reply
	printf 'move nokey 1\r\nset b again\r\nmove b 1\r\nmove\r\n' | same_reply
	printf 'swapdb 0 16\r\nswapdb x 0\r\nswapdb 0 x\r\nswapdb 0 0\r\n' |
	    same_reply
	printf 'swapdb 99999999999 0\r\nswapdb 0 -1\r\nswapdb 0\r\n' |
	    same_reply
	printf 'swapdb 0 1\r\ndbsize\r\nget b\r\nswapdb 1 0\r\nget b\r\n' |
	    same_reply
	printf 'touch\r\ntouch a b a n\r\nset i 7\r\n' | same_reply
	printf 'object encoding i\r\nobject refcount i\r\nset s str\r\n' |
	    same_reply
	# IDLETIME's seconds tick apart on two servers: only its shape.
	printf 'object refcount s\r\nobject idletime s x\r\n' | same_reply
	printf 'object freq i\r\nobject help\r\nobject HELP x\r\n' | same_reply
	printf 'object foo i\r\nobject\r\nobject encoding\r\n' | same_reply
	printf 'object encoding a b\r\nobject encoding nokey\r\n' | same_reply
	printf 'object refcount nokey\r\nobject idletime nokey\r\n' | same_reply
	printf 'object freq nokey\r\nobject "en\\ncoding" i\r\n' | same_reply
	printf 'set i 10000\r\nobject refcount i\r\nobject encoding i\r\n' |
	    same_reply
	printf 'set i -1\r\nobject refcount i\r\nset i 12345678901234567890\r\n' |
	    same_reply
	printf 'object encoding i\r\nset i 007\r\nobject encoding i\r\n' |
	    same_reply
	printf 'set i 9223372036854775807\r\nobject encoding i\r\n' | same_reply
	printf 'set i -0\r\nobject encoding i\r\nset i " 1"\r\n' | same_reply
	printf 'object encoding i\r\nset e ""\r\nobject encoding e\r\n' |
	    same_reply
	# How a string was made shows: APPEND and SETRANGE leave it raw,
	# INCRBYFLOAT never int, and a copy of a shared integer is unshared.
	printf 'append ap 12\r\nobject encoding ap\r\nappend ap 3\r\n' |
	    same_reply
	printf 'object encoding ap\r\nincr ap\r\nobject encoding ap\r\n' |
	    same_reply
	printf 'setrange sr 0 1\r\nobject encoding sr\r\nset n 5\r\n' |
	    same_reply
	printf 'append n ""\r\nobject encoding n\r\nincrbyfloat f 3\r\n' |
	    same_reply
	printf 'object encoding f\r\nset g 5\r\ncopy g h\r\n' | same_reply
	printf 'object refcount h\r\nobject encoding h\r\nrename g g2\r\n' |
	    same_reply
	printf 'object refcount g2\r\nrename ap ap2\r\nobject encoding ap2\r\n' |
	    same_reply
}

@test "OBJECT FREQ counts accesses under an LFU policy, as redis-server" {
	# Invariant: with maxmemory-policy allkeys-lfu a new key's counter
	# is 5 and the first access makes it 6; IDLETIME is then an error.
	start_server --maxmemory-policy allkeys-lfu
	start_oracle
	redis-cli -p "$ORACLE_PORT" config set maxmemory-policy allkeys-lfu \
	    >/dev/null
	printf 'set k v\r\nobject freq k\r\nget k\r\nobject freq k\r\n' |
	    same_reply
	printf 'object idletime k\r\nobject freq nokey\r\n' | same_reply
}

@test "SCAN TYPE finds strings and nothing for other type names" {
	# Invariant: SCAN with TYPE string (any case) returns the string
	# keys; any other name, known to Redis or not, returns none.
	start_server
	p=$HYDRA_PORT
	redis-cli -p "$p" mset a 1 b 2 c 3 >/dev/null
	[ "$(scan_all "$p" type string | tr '\n' ' ')" = "a b c " ]
	[ "$(scan_all "$p" type StRiNg | tr '\n' ' ')" = "a b c " ]
	for t in list hash set zset stream none foo ''; do
		[ -z "$(scan_all "$p" type "$t")" ]
	done
}

# load_encodings_both: on both servers, 30 keys of each type and encoding
# Redis 7.0 has for them: packed hashes and hash tables, intsets and hash
# tables, packed and large sorted sets, lists, integer and long strings;
# and one large key of each collection, to scan.
load_encodings_both() {
	python3 - >"$BATS_TEST_TMPDIR/enc" <<'PY'
import sys
out = sys.stdout
for i in range(30):
    out.write("HSET hl:%d f v\r\n" % i)
    out.write("HSET ht:%d f %s\r\n" % (i, "v" * 100))
    out.write("SADD si:%d 1 2 3\r\n" % i)
    out.write("SADD st:%d a b c\r\n" % i)
    out.write("ZADD zl:%d 1 a 2 b\r\n" % i)
    out.write("ZADD zb:%d %s\r\n" % (i, " ".join("%d m%d" % (j, j)
        for j in range(200))))
    out.write("RPUSH l:%d a b\r\n" % i)
    out.write("SET s:%d %d\r\nSET r:%d %s\r\n" % (i, i, i, "x" * 50))
out.write("SADD sbig %s\r\n" % " ".join(str(j) for j in range(600)))
out.write("HSET hbig %s\r\n" % " ".join("f%d v%d" % (j, j)
    for j in range(300)))
PY
	python3 "$RESP_CLIENT" raw "$HYDRA_PORT" <"$BATS_TEST_TMPDIR/enc" \
	    >/dev/null
	python3 "$RESP_CLIENT" raw "$ORACLE_PORT" <"$BATS_TEST_TMPDIR/enc" \
	    >/dev/null
}

@test "SCAN TYPE picks hashes, sets and sorted sets of every encoding as redis-server does" {
	# Invariant: the TYPE of SCAN is the type TYPE names (in any case),
	# whatever the encoding: a full scan with it, with or without MATCH
	# and at any COUNT, returns the same keys as Redis 7.0.
	start_server
	start_oracle
	load_encodings_both
	printf 'OBJECT ENCODING hl:0\r\nOBJECT ENCODING ht:0\r\nOBJECT ENCODING si:0\r\nOBJECT ENCODING st:0\r\nOBJECT ENCODING zl:0\r\nTYPE zb:0\r\nDBSIZE\r\n' |
	    same_reply
	for t in string list hash set zset HASH Set zSeT stream none; do
		for c in 3 1000; do
			ours=$(scan_all "$HYDRA_PORT" type "$t" count "$c")
			theirs=$(scan_all "$ORACLE_PORT" type "$t" count "$c")
			[ "$ours" = "$theirs" ]
		done
	done
	[ "$(scan_all "$HYDRA_PORT" type hash | wc -l)" -eq 61 ]
	[ "$(scan_all "$HYDRA_PORT" type set | wc -l)" -eq 61 ]
	[ "$(scan_all "$HYDRA_PORT" type zset | wc -l)" -eq 60 ]
	for m in 'h*' 'z?:1*' 's*' '*big'; do
		for t in hash set zset; do
			[ "$(scan_all "$HYDRA_PORT" match "$m" type "$t" count 10)" = \
			    "$(scan_all "$ORACLE_PORT" match "$m" type "$t" \
			    count 10)" ]
		done
	done
}

# coll_scan PORT CMD KEY [ARGS...]: every element a full SSCAN, HSCAN or
# ZSCAN (CMD) of KEY with ARGS returns, one per line, in reply order.
coll_scan() {
	local port=$1
	shift
	python3 "$RESP_CLIENT" scan "$port" "$@"
}

@test "SSCAN, HSCAN and ZSCAN see every element of every encoding as redis-server does" {
	# Invariant: whatever steps each server's cursor takes (a packed
	# value or an intset comes whole in one step), a full scan of a key
	# of any encoding returns the members (with their values or scores)
	# Redis 7.0 returns, MATCH filters them alike, and TYPE is a syntax
	# error for them all.
	start_server
	start_oracle
	load_encodings_both
	for k in si:1 st:1 sbig; do
		for args in "count 7" "match *7 count 20"; do
			ours=$(coll_scan "$HYDRA_PORT" sscan "$k" $args | sort -u)
			theirs=$(coll_scan "$ORACLE_PORT" sscan "$k" $args |
			    sort -u)
			[ "$ours" = "$theirs" ]
		done
	done
	[ "$(coll_scan "$HYDRA_PORT" sscan sbig count 50 | sort -u |
	    wc -l)" -eq 600 ]
	for spec in "hscan hl:1" "hscan ht:1" "hscan hbig" "zscan zl:1" \
	    "zscan zb:1"; do
		for args in "count 7" "match *1? count 20"; do
			ours=$(coll_scan "$HYDRA_PORT" $spec $args | paste - - |
			    sort -u)
			theirs=$(coll_scan "$ORACLE_PORT" $spec $args |
			    paste - - | sort -u)
			[ "$ours" = "$theirs" ]
		done
	done
	[ "$(coll_scan "$HYDRA_PORT" zscan zb:1 | paste - - | sort -u |
	    wc -l)" -eq 200 ]
	printf 'SSCAN st:1 0 TYPE set\r\nHSCAN ht:1 0 TYPE hash\r\nZSCAN zb:1 0 TYPE zset\r\nSSCAN si:1 0 COUNT 0\r\nZSCAN zl:1 0 MATCH\r\n' |
	    same_reply
}

@test "keys with a TTL disappear without being accessed" {
	# Invariant: active expiry deletes expired keys that no command
	# touches: DBSIZE (which counts keys not yet deleted) falls to the
	# number of keys without a TTL, and those keys stay.
	start_server
	p=$HYDRA_PORT
	for ((i = 0; i < 500; i++)); do
		echo "SET t$i v PX 1000"
	done | redis-cli -p "$p" >/dev/null
	redis-cli -p "$p" mset keep1 v keep2 v >/dev/null
	redis-cli -p "$p" -n 4 set t v px 1000 >/dev/null
	run redis-cli -p "$p" dbsize
	[ "$output" -gt 2 ]
	for ((try = 0; try < 150; try++)); do
		[ "$(redis-cli -p "$p" dbsize)" = 2 ] &&
		    [ "$(redis-cli -p "$p" -n 4 dbsize)" = 0 ] && break
		sleep 0.1
	done
	run redis-cli -p "$p" dbsize
	[ "$output" = 2 ]
	run redis-cli -p "$p" -n 4 dbsize
	[ "$output" = 0 ]
	run redis-cli -p "$p" mget keep1 keep2
	[ "$output" = "v
v" ]
}
