#!/usr/bin/env bats
#
# The set commands of src/cmd_set.c, against Debian's redis-server: the
# same requests go to both and the replies must be the same, byte for
# byte where Redis fixes the order (intsets are ascending), as sorted
# lists where its hash table decides it, and by the promises Redis makes
# where the reply is chance (SPOP, SRANDMEMBER).  The arena checker must
# find the store whole after the writes.

load helpers/common

SET_DIFF=$BATS_TEST_DIRNAME/helpers/set_diff.py

teardown() {
	if [ -n "${LOAD_PID:-}" ]; then
		stop_clients "$BATS_TEST_TMPDIR/load/stop" "$LOAD_PID"
	fi
	stop_oracle
	stop_hydrad
}

# wait_gone KEY: poll hydrad, for a second at most, until KEY (given a
# short expiry) is gone.
wait_gone() {
	local i
	for ((i = 0; i < 100; i++)); do
		run redis-cli -p "$HYDRA_PORT" exists "$1"
		[ "$output" = 0 ] && return 0
		sleep 0.01
	done
	echo "key $1 is still there" >&2
	return 1
}

@test "SADD, SREM, SCARD, SISMEMBER, SMISMEMBER and SMEMBERS match redis-server" {
	# Invariant: adds and removals answer how many members changed,
	# repeats count once, the last removal deletes the key, members of
	# an intset come back ascending, and a set command on a string (or
	# a string command on a set) is refused.
	start_server
	start_oracle
	printf 'SADD s 5 3 9 3 -1\r\nSADD s 3 4\r\nSMEMBERS s\r\nSCARD s\r\nSISMEMBER s 4\r\nSISMEMBER s 6\r\nSMISMEMBER s 1 3 5 x\r\n' |
	    same_reply
	printf 'SREM s 3 3 7 x\r\nSMEMBERS s\r\nSREM s 5 9 -1 4\r\nEXISTS s\r\nSREM s 1\r\nSCARD s\r\nSMEMBERS s\r\n' |
	    same_reply
	printf 'SET str v\r\nSADD str 1\r\nSREM str 1\r\nSCARD str\r\nSMEMBERS str\r\nSADD s 1\r\nGET s\r\nINCR s\r\nLPUSH s a\r\n' |
	    same_reply
	printf 'SADD s\r\nSREM s\r\nSCARD\r\nSISMEMBER s\r\nSMISMEMBER s\r\nSMEMBERS\r\n' |
	    same_reply
	check_arena
}

@test "integers as Redis reads them: the intset's edges and widths" {
	# Invariant: the 64-bit extremes and the 16 and 32-bit borders are
	# members of an intset and come back ascending; a set widened by a
	# large member keeps every member, and stays sound when the large
	# one goes.
	start_server
	start_oracle
	printf 'SADD n 9223372036854775807 -9223372036854775808 0 32767 -32768 32768 -32769 2147483647 -2147483648 2147483648 -2147483649\r\nSMEMBERS n\r\nOBJECT ENCODING n\r\nSISMEMBER n 9223372036854775807\r\nSISMEMBER n -9223372036854775808\r\n' |
	    same_reply
	printf 'SADD w 1 2 3\r\nSADD w 100000\r\nSADD w 10000000000\r\nSMEMBERS w\r\nSREM w 10000000000 100000\r\nSMEMBERS w\r\nSADD w 4\r\nSMEMBERS w\r\nOBJECT ENCODING w\r\n' |
	    same_reply
	check_arena
}

@test "RESP3: sets answer as sets, SMISMEMBER and SRANDMEMBER as arrays" {
	# Invariant: the replies Redis 7.0 sends as RESP3 sets ('~':
	# SMEMBERS, SINTER, SUNION, SDIFF, SPOP with a count) and those it
	# sends as arrays are the same kinds here, empty ones included.
	start_server
	start_oracle
	printf 'SADD a 1 2 3\r\nSADD b 2 3 4\r\nSMEMBERS a\r\nSMEMBERS nokey\r\nSINTER a b\r\nSINTER a nokey\r\nSUNION a b\r\nSDIFF a b\r\nSMISMEMBER a 1 9\r\n' |
	    same_reply3
	printf 'SADD a 1 2 3\r\nSPOP nokey 2\r\nSPOP a 0\r\nSRANDMEMBER nokey 2\r\nSRANDMEMBER a 0\r\nSRANDMEMBER a 3\r\nSPOP a 3\r\nSSCAN nokey 0\r\n' |
	    same_reply3
}

@test "the set algebra and SMOVE match redis-server" {
	# Invariant: SINTER, SUNION, SDIFF and their STORE forms, and
	# SINTERCARD, answer as Redis does with missing and wrong-typed
	# keys; a STORE replaces its destination (dropping its expiry) or
	# deletes it when the result is empty; SMOVE moves one member.
	start_server
	start_oracle
	printf 'SADD a 1 2 3 4 5\r\nSADD b 4 5 6 7\r\nSADD c 5 7 9\r\nSINTER a b c\r\nSUNION a b c\r\nSDIFF a b c\r\nSINTERCARD 3 a b c\r\nSINTERCARD 2 a b LIMIT 1\r\n' |
	    same_reply
	printf 'SET str x\r\nSINTER a str\r\nSINTER nokey str\r\nSUNION nokey str\r\nSDIFF nokey str\r\nSINTERCARD 2 nokey str\r\nSINTERSTORE d a str\r\n' |
	    same_reply
	printf 'SADD d 1\r\nEXPIRE d 100\r\nSINTERSTORE d a b\r\nTTL d\r\nSMEMBERS d\r\nSUNIONSTORE d c nokey\r\nSMEMBERS d\r\nSDIFFSTORE d a a\r\nEXISTS d\r\nSINTERSTORE str a b\r\nTYPE str\r\n' |
	    same_reply
	printf 'SMOVE a b 1\r\nSMOVE a b 4\r\nSMOVE a b 99\r\nSMOVE a str 2\r\nSMOVE nokey str 2\r\nSMOVE a a 2\r\nSMOVE c new 9\r\nSMEMBERS new\r\nSMEMBERS a\r\nSMEMBERS b\r\n' |
	    same_reply
	check_arena
}

@test "random set commands match redis-server" {
	# Invariant: thousands of random commands over four sets of
	# integers answer as Redis does (unordered replies compared
	# sorted), encodings included, and leave the arena whole.
	start_server
	start_oracle
	run python3 "$SET_DIFF" random "$HYDRA_PORT" "$ORACLE_PORT" 7 3000
	echo "$output"
	[ "$status" -eq 0 ]
	check_arena
}

@test "random set commands with strings match redis-server, hashtables too" {
	# Invariant: with members that are not integers (binary ones too)
	# and at two intset limits, random commands answer as Redis does
	# (the replies Redis leaves to its hash table compared sorted), and
	# every set has the encoding Redis gives it; the arena stays whole.
	start_server
	start_oracle
	run python3 "$SET_DIFF" random "$HYDRA_PORT" "$ORACLE_PORT" 11 3000 \
	    strings
	echo "$output"
	[ "$status" -eq 0 ]
	check_arena
	printf 'CONFIG SET set-max-intset-entries 8\r\n' | same_reply
	run python3 "$SET_DIFF" random "$HYDRA_PORT" "$ORACLE_PORT" 12 3000 \
	    strings
	echo "$output"
	[ "$status" -eq 0 ]
	check_arena
}

@test "SPOP and SRANDMEMBER keep Redis's promises" {
	# Invariant: a positive count gives distinct members, a negative
	# one repeats, every member comes up, SPOP takes exactly what it
	# answers, on an intset and on a hashtable alike; redis-server
	# keeps the same promises, so the check is sound.
	start_server
	start_oracle
	for kind in ints strings; do
		run python3 "$SET_DIFF" random-props "$ORACLE_PORT" "$kind"
		echo "$output"
		[ "$status" -eq 0 ]
		run python3 "$SET_DIFF" random-props "$HYDRA_PORT" "$kind"
		echo "$output"
		[ "$status" -eq 0 ]
	done
	check_arena
}

@test "SSCAN walks a growing hashtable whole" {
	# Invariant: a scan of a hashtable of 1000 members, with the table
	# growing between its steps, finds every member that was there
	# from the start, answers about COUNT members a step and comes
	# back to cursor 0; redis-server passes the same check.
	start_server
	start_oracle
	run python3 "$SET_DIFF" sscan "$ORACLE_PORT"
	echo "$output"
	[ "$status" -eq 0 ]
	run python3 "$SET_DIFF" sscan "$HYDRA_PORT"
	echo "$output"
	[ "$status" -eq 0 ]
	check_arena
}

@test "binary members of a hashtable come back byte for byte" {
	# Invariant: members are bytes, NULs and CRLFs included, and the
	# empty string is a member.
	start_server
	start_oracle
	printf '*4\r\n$4\r\nSADD\r\n$1\r\nb\r\n$3\r\na\000b\r\n$0\r\n\r\nSCARD b\r\nSISMEMBER b ""\r\nOBJECT ENCODING b\r\n' |
	    same_reply
	printf '*3\r\n$9\r\nSISMEMBER\r\n$1\r\nb\r\n$3\r\na\000b\r\nSREM b ""\r\nSMEMBERS b\r\nSPOP b\r\nEXISTS b\r\n' |
	    same_reply
	check_arena
}

@test "SMOVEs from concurrent clients neither lose nor duplicate a member" {
	# Invariant: SMOVE holds both stripes, so while eight clients move
	# members between three sets through two workers at once, every
	# member stays in exactly one set.
	start_server
	run python3 "$SET_DIFF" smove "$HYDRA_PORT" 8 400
	echo "$output"
	[ "$status" -eq 0 ]
	check_arena
}

# replies DIR: the replies all load clients in DIR counted so far.
replies() {
	cat "$1"/replies.* 2>/dev/null | awk '{ n += $1 } END { print n + 0 }'
}

# wait_replies DIR N: poll, for 20 seconds at most, until the load
# clients in DIR have N replies between them.
wait_replies() {
	local try
	for ((try = 0; try < 200; try++)); do
		(($(replies "$1") >= $2)) && return 0
		sleep 0.1
	done
	echo "the load reached $(replies "$1") replies, not $2" >&2
	return 1
}

@test "a worker killed amid set writes leaves every set whole" {
	# Invariant: SIGKILL of a worker while six clients change sets of
	# both encodings leaves every set whole (members, counts, scans
	# and encodings agree) and the arena without a problem, and the
	# clients carry on through the new worker.
	start_server --workers 2
	local dir=$BATS_TEST_TMPDIR/load victim before
	mkdir "$dir"
	python3 "$SET_DIFF" load "$HYDRA_PORT" "$dir" 6 >"$dir/out" 2>&1 &
	LOAD_PID=$!
	wait_replies "$dir" 2000
	victim=$(pgrep -P "$HYDRAD_PID" -f '^hydrad: worker' | head -n 1)
	[ -n "$victim" ]
	kill -KILL "$victim"
	before=$(replies "$dir")
	wait_replies "$dir" $((before + 2000))
	touch "$dir/stop"
	wait "$LOAD_PID" || { cat "$dir/out"; false; }
	grep -q "(pid $victim) killed by signal 9" "$HYDRAD_LOG"
	check_arena
	run python3 "$SET_DIFF" verify "$HYDRA_PORT"
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "SSCAN of an intset gives the whole set in one step" {
	# Invariant: whatever the cursor and COUNT, an intset is scanned in
	# one call that answers cursor 0; MATCH filters; errors come as
	# Redis's, after the key is looked up.
	start_server
	start_oracle
	printf 'SADD s 1 2 10 11 -3 100\r\nSSCAN s 0\r\nSSCAN s 77 COUNT 1\r\nSSCAN s 0 MATCH 1*\r\nSSCAN s 0 MATCH *\r\nSSCAN s x\r\nSSCAN s 0 COUNT 0\r\nSSCAN s 0 TYPE set\r\n' |
	    same_reply
	printf 'SSCAN nokey 0 COUNT 0\r\nSSCAN nokey x\r\nSET str v\r\nSSCAN str 0\r\nSSCAN str 0 COUNT 0\r\n' |
	    same_reply
}

@test "RENAME, COPY, MOVE, DEL, expiry and FLUSHALL of hashtables" {
	# Invariant: a hashtable keeps its members under a new name (onto
	# another hashtable), in another database and as an independent
	# copy, and every way a key goes away frees its table, so the
	# checker finds nothing leaked.
	start_server
	start_oracle
	local args
	args=$(seq 1 600 | sed 's/^/m/' | tr '\n' ' ')
	printf 'SADD a %s\r\nSADD b x y\r\nRENAME a b\r\nSCARD b\r\nCOPY b c\r\nSADD c more\r\nSCARD b\r\nSCARD c\r\nOBJECT ENCODING c\r\nMOVE c 1\r\nSELECT 1\r\nSCARD c\r\nSISMEMBER c m600\r\n' "$args" |
	    same_reply
	check_arena
	printf 'COPY b c DB 1\r\nCOPY b c DB 1 REPLACE\r\nSELECT 1\r\nSCARD c\r\nSELECT 0\r\nSET b str\r\nTYPE b\r\nSADD e %s\r\nPEXPIRE e 1\r\n' "$args" |
	    same_reply
	wait_gone e
	printf 'SADD f %s\r\nDEL f\r\nSADD g %s\r\nFLUSHALL\r\nDBSIZE\r\n' "$args" "$args" |
	    same_reply
	check_arena
	run "$HYDRACTL" -a "$HYDRA_ARENA" check
	[[ "$output" == *" 0 keys "* ]]
}

@test "TYPE, OBJECT, SCAN TYPE, RENAME, COPY, MOVE, DEL and expiry of sets" {
	# Invariant: a set is "set" to TYPE and SCAN, "intset" to OBJECT
	# ENCODING; it keeps its members under a new name, in another
	# database and as an independent copy; every way a key goes away
	# leaves the arena whole.
	start_server
	start_oracle
	printf 'SADD s 1 2 3\r\nSET str v\r\nTYPE s\r\nOBJECT ENCODING s\r\nOBJECT REFCOUNT s\r\nSCAN 0 TYPE set\r\nSCAN 0 TYPE string\r\n' |
	    same_reply
	printf 'RENAME s t\r\nSMEMBERS t\r\nCOPY t u\r\nSADD u 4\r\nSMEMBERS t\r\nSMEMBERS u\r\nMOVE u 1\r\nSELECT 1\r\nSMEMBERS u\r\nOBJECT ENCODING u\r\n' |
	    same_reply
	check_arena
	printf 'SADD e 1\r\nPEXPIRE e 1\r\n' | same_reply
	wait_gone e
	printf 'DEL t\r\nSADD x 1\r\nSET x str\r\nTYPE x\r\nFLUSHALL\r\nDBSIZE\r\n' |
	    same_reply
	check_arena
	run "$HYDRACTL" -a "$HYDRA_ARENA" check
	[[ "$output" == *" 0 keys "* ]]
}

@test "set-max-intset-entries bounds an intset" {
	# Invariant: an intset holds up to set-max-intset-entries members
	# (512 by default, or as CONFIG SET makes it) and becomes a
	# hashtable with one more, as in Redis; the STORE commands and SPOP
	# build their results by the same rule.
	start_server
	start_oracle
	local args
	args=$(seq 1 512 | tr '\n' ' ')
	printf 'SADD big %s\r\nSCARD big\r\nOBJECT ENCODING big\r\nSISMEMBER big 512\r\nSRANDMEMBER big 512\r\nSADD big 513\r\nOBJECT ENCODING big\r\nSCARD big\r\nSISMEMBER big 513\r\n' "$args" |
	    same_reply
	printf 'SREM big 513 512\r\nOBJECT ENCODING big\r\nSINTERSTORE c big big\r\nOBJECT ENCODING c\r\nSDIFFSTORE d big c\r\nEXISTS d\r\n' |
	    same_reply
	printf 'CONFIG SET set-max-intset-entries 4\r\nSADD small 1 2 3 4\r\nOBJECT ENCODING small\r\nSADD small 5\r\nOBJECT ENCODING small\r\nCONFIG GET set-max-intset-entries\r\nSUNIONSTORE u small\r\nOBJECT ENCODING u\r\nSINTERSTORE u small big\r\nOBJECT ENCODING u\r\n' |
	    same_reply
	check_arena
}

@test "COMMAND INFO and GETKEYS describe the set commands as Redis does" {
	# Invariant: flags, ACL categories, tips and key specs (two for
	# SMOVE and the STORE commands, a keynum spec for SINTERCARD)
	# match, and GETKEYS finds SINTERCARD's keys by its count.
	start_server
	start_oracle
	printf 'COMMAND INFO sadd srem smove sismember smismember scard spop srandmember smembers\r\n' |
	    same_reply
	printf 'COMMAND INFO sinter sintercard sinterstore sunion sunionstore sdiff sdiffstore sscan\r\n' |
	    same_reply
	printf 'COMMAND GETKEYS sintercard 2 a b LIMIT 1\r\nCOMMAND GETKEYS sinterstore d a b\r\nCOMMAND GETKEYS smove a b m\r\nCOMMAND GETKEYS sunion a b c\r\n' |
	    same_reply
}
