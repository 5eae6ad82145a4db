#!/usr/bin/env bats
#
# The hash commands of src/cmd_hash.c, against Debian's redis-server: the
# same requests go to both.  Small hashes (listpacks) must answer the
# same bytes; hash tables list their pairs in an order of their own, so
# what lists a table is compared sorted, and what is drawn at random is
# checked for its properties (t/helpers/hash_diff.py).  The arena checker
# must find the store whole after the tests that change tables, and after
# workers are killed in the middle of changes.

load helpers/common

HASH_DIFF=$BATS_TEST_DIRNAME/helpers/hash_diff.py

teardown() {
	if [ -n "${CDIR:-}" ]; then
		stop_clients "$CDIR/stop" ${CLIENT_PIDS[@]+"${CLIENT_PIDS[@]}"}
	fi
	stop_oracle
	stop_hydrad
}

# acked: the increments the counter clients have had acknowledged.
acked() {
	cat "$CDIR"/*.acks 2>/dev/null | awk '{ n += $2 } END { print n + 0 }'
}

# Every test checks the arena with no client at work, so the full check,
# whose leak sweep needs an idle arena, is exact (check_arena --full).

# both CMD...: run redis-cli CMD... on both servers; the outputs must be
# the same.  The output is left in $output.
both() {
	local ours theirs
	ours=$(redis-cli -p "$HYDRA_PORT" "$@")
	theirs=$(redis-cli -p "$ORACLE_PORT" "$@")
	if [ "$ours" != "$theirs" ]; then
		printf '%s:\nhydrad:\n%s\nredis-server:\n%s\n' "$*" "$ours" \
		    "$theirs" >&2
		return 1
	fi
	output=$ours
}

# both_sorted CMD...: the same, comparing the outputs' lines sorted.
both_sorted() {
	local ours theirs
	ours=$(redis-cli -p "$HYDRA_PORT" "$@" | sort)
	theirs=$(redis-cli -p "$ORACLE_PORT" "$@" | sort)
	if [ "$ours" != "$theirs" ]; then
		printf '%s (sorted) differs:\n' "$*" >&2
		diff <(echo "$ours") <(echo "$theirs") | head -20 >&2
		return 1
	fi
}

# fill_both KEY COUNT SIZE: HSET COUNT fields of SIZE-byte values on both.
fill_both() {
	local ours theirs
	ours=$(python3 "$HASH_DIFF" fill "$HYDRA_PORT" "$@")
	theirs=$(python3 "$HASH_DIFF" fill "$ORACLE_PORT" "$@")
	[ "$ours" = "$theirs" ]
}

# limits_both ENTRIES VALUE: the hash limits of both servers.
limits_both() {
	both config set hash-max-listpack-entries "$1" \
	    hash-max-listpack-value "$2"
}

@test "the hash commands answer small hashes as redis-server does" {
	# Invariant: sets count what they add, reads find fields and
	# values, deletes count what was there and remove the emptied key,
	# and the listing commands give the pairs in the order they were
	# first set, in RESP2 and RESP3.
	start_server
	start_oracle
	printf 'HSET h a 1 b 2 c 3\r\nHSET h b 20 d 4\r\nHGETALL h\r\nHKEYS h\r\nHVALS h\r\nHLEN h\r\nHMGET h a x d\r\n' |
	    same_reply
	printf 'HDEL h a x\r\nHEXISTS h a\r\nHSTRLEN h b\r\nHSETNX h b 9\r\nHSETNX h e 5\r\nHMSET h f 6\r\nHGETALL h\r\nHDEL h b c d e f\r\nEXISTS h\r\n' |
	    same_reply
	printf 'HINCRBY n i 5\r\nHINCRBY n i x\r\nHINCRBYFLOAT n f 2.5\r\nHINCRBYFLOAT n i 0.5\r\nHINCRBY n f 1\r\nHGETALL n\r\n' |
	    same_reply
	printf 'HSET h a 1 b 2\r\nHGETALL h\r\nHGETALL nokey\r\nHGET h zz\r\nHMGET h a zz\r\nHRANDFIELD h 5 WITHVALUES\r\nHSCAN h 0\r\n' |
	    same_reply3
}

@test "random hash commands match redis-server at four sets of limits" {
	# Invariant: whatever the limits (Redis's defaults, tiny ones, none
	# at all, none reached), thousands of random commands over three
	# hashes answer as Redis does (what lists a table compared sorted),
	# each hash converts when Redis's does (OBJECT ENCODING is among the
	# commands), and the checker finds the arena whole after each run.
	start_server
	start_oracle
	local limits
	for limits in "512 64" "4 8" "0 0" "100000 100000"; do
		# shellcheck disable=SC2086
		limits_both $limits
		run python3 "$HASH_DIFF" random "$HYDRA_PORT" "$ORACLE_PORT" \
		    "${limits% *}" 2000
		echo "limits $limits: $output"
		[ "$status" -eq 0 ]
		check_arena --full
		both flushall
	done
	limits_both 512 64
}

@test "a hash past its limits is a hashtable that reads, scans and draws like Redis's" {
	# Invariant: 2000 fields make a hashtable on both; every read of a
	# field agrees byte for byte; the listing commands agree as sorted
	# lists; a full HSCAN (with and without MATCH, at several COUNTs)
	# returns each pair once with its value, the same pairs as Redis's;
	# HRANDFIELD replies have the right length, shape and members in
	# RESP2 and RESP3; the checker finds the arena whole.
	start_server
	start_oracle
	fill_both big 2000 30
	both object encoding big
	[ "$output" = hashtable ]
	both hlen big
	[ "$output" = 2000 ]
	both hmget big f0 f999 f1999 f2000 ""
	both hget big f1500
	both hstrlen big f7
	both hexists big f1234
	both hincrby big counter 7
	both hincrbyfloat big f3 x
	both hincrbyfloat big fl 1.25
	both hsetnx big f5 other
	both hdel big f10 f11 nope
	both hlen big
	both_sorted hgetall big
	both_sorted hkeys big
	both_sorted hvals big
	local count pattern ours theirs
	for count in 1 10 1000; do
		for pattern in '*' 'f1*' 'f?9' 'nomatch'; do
			ours=$(python3 "$HASH_DIFF" scan "$HYDRA_PORT" big \
			    "$count" "$pattern")
			theirs=$(python3 "$HASH_DIFF" scan "$ORACLE_PORT" big \
			    "$count" "$pattern")
			diff <(grep -v '^steps' <<<"$ours") \
			    <(grep -v '^steps' <<<"$theirs")
		done
	done
	# A scan with COUNT 10 takes many steps, not one.
	steps=$(python3 "$HASH_DIFF" scan "$HYDRA_PORT" big 10 | tail -1)
	echo "$steps"
	[ "${steps#steps }" -gt 20 ]
	run python3 "$HASH_DIFF" randcheck "$HYDRA_PORT" big
	echo "$output"
	[ "$status" -eq 0 ]
	both hset small a 1 b 2 c 3
	run python3 "$HASH_DIFF" randcheck "$HYDRA_PORT" small
	echo "$output"
	[ "$status" -eq 0 ]
	check_arena --full
}

@test "HSCAN of a growing hashtable returns every field that stays" {
	# Invariant: a scan in steps of COUNT 10, with 30 fields added
	# after each step, still returns each of the 1000 fields that were
	# there from the start, with its value (as Redis's scan promises).
	start_server
	python3 "$HASH_DIFF" fill "$HYDRA_PORT" g 1000 10
	run python3 "$HASH_DIFF" grow "$HYDRA_PORT" g
	echo "$output"
	[ "$status" -eq 0 ]
	check_arena --full
}

@test "CONFIG SET of the hash limits holds on every worker" {
	# Invariant: after CONFIG SET on one connection, hashes made on
	# fresh connections (spread over both workers) convert by the new
	# limits, and by the old ones again once they are set back.
	start_server
	redis-cli -p "$HYDRA_PORT" config set hash-max-listpack-entries 2 \
	    hash-max-listpack-value 3
	for ((i = 0; i < 12; i++)); do
		redis-cli -p "$HYDRA_PORT" hset "e$i" a 1 b 2 c 3 >/dev/null
		redis-cli -p "$HYDRA_PORT" hset "v$i" a 1234 >/dev/null
		redis-cli -p "$HYDRA_PORT" hset "p$i" a 1 >/dev/null
		[ "$(redis-cli -p "$HYDRA_PORT" object encoding "e$i")" = hashtable ]
		[ "$(redis-cli -p "$HYDRA_PORT" object encoding "v$i")" = hashtable ]
		[ "$(redis-cli -p "$HYDRA_PORT" object encoding "p$i")" = listpack ]
	done
	redis-cli -p "$HYDRA_PORT" config set hash-max-listpack-entries 512 \
	    hash-max-listpack-value 64
	for ((i = 0; i < 12; i++)); do
		redis-cli -p "$HYDRA_PORT" hset "n$i" a 1 b 2 c 1234 >/dev/null
		[ "$(redis-cli -p "$HYDRA_PORT" object encoding "n$i")" = listpack ]
	done
}

@test "RENAME, COPY, MOVE, DEL, expiry and FLUSHALL of hashtables free what they held" {
	# Invariant: a hashtable keeps its pairs under a new name, in
	# another database, as an independent copy; every way a key goes
	# away frees its table, so the checker finds nothing leaked and no
	# key left.
	start_server
	start_oracle
	fill_both a 1500 40
	both rename a b
	both copy b c
	both hset c more 1
	both hlen b
	both hlen c
	both move c 1
	both -n 1 hget c more
	both -n 1 object encoding c
	fill_both d 1000 10
	both rename b d
	both hlen d
	both hget d f1499
	both_sorted hgetall d
	check_arena --full
	both swapdb 0 1
	both hlen c
	both copy c d replace
	both hlen d
	both del c
	both -n 1 unlink d
	both dbsize
	fill_both e 1000 10
	both pexpire e 1
	for ((i = 0; i < 100; i++)); do
		[ "$(redis-cli -p "$HYDRA_PORT" exists e)" = 0 ] && break
		sleep 0.05
	done
	[ "$(redis-cli -p "$HYDRA_PORT" exists e)" = 0 ]
	fill_both f 1000 10
	both set f str
	both get f
	fill_both g 1000 10
	both hset small a 1
	both flushall
	both dbsize
	check_arena --full
	[[ "$output" == *" 0 keys "* ]]
}

@test "killed workers lose no acknowledged HINCRBY and leave the arena whole" {
	# Invariant: while two clients HINCRBY counters and grow and shrink
	# filler fields of their hashes (converting them to tables), three
	# SIGKILLs of the workers serving them lose no acknowledged
	# increment: each counter holds its acknowledged count, or one more
	# (the increment in flight when its worker died); every hash reads
	# whole; the checker finds the arena whole.
	start_server --hash-max-listpack-entries 64
	CDIR=$BATS_TEST_TMPDIR/clients
	mkdir "$CDIR"
	CLIENT_PIDS=()
	for i in 0 1; do
		python3 "$HASH_DIFF" counter "$HYDRA_PORT" "ctr$i" 5 \
		    "$CDIR/stop" "$CDIR/$i.acks" >"$CDIR/$i.out" 2>&1 &
		CLIENT_PIDS+=($!)
	done
	local kill try victim before now
	for kill in 1 2 3; do
		# Wait for progress, then kill a worker.
		before=$(acked)
		for ((try = 0; try < 200; try++)); do
			now=$(acked)
			((now >= before + 200)) && break
			sleep 0.05
		done
		((now >= before + 200))
		victim=$(pgrep -P "$HYDRAD_PID" -f '^hydrad: worker' | head -1)
		[ -n "$victim" ]
		kill -KILL "$victim"
		for ((try = 0; try < 100; try++)); do
			[ "$(pgrep -P "$HYDRAD_PID" -f '^hydrad: worker' |
			    wc -l)" -eq 2 ] &&
			    ! pgrep -P "$HYDRAD_PID" -f '^hydrad: worker' |
			    grep -qx "$victim" && break
			sleep 0.05
		done
		# The supervisor replaced it.
		((try < 100))
	done
	touch "$CDIR/stop"
	for pid in "${CLIENT_PIDS[@]}"; do
		wait "$pid"
	done
	CLIENT_PIDS=()
	[ "$(grep -c 'killed by signal 9' "$HYDRAD_LOG")" -eq 3 ]
	for i in 0 1; do
		while read -r field acked; do
			got=$(redis-cli -p "$HYDRA_PORT" hget "ctr$i" "$field")
			echo "ctr$i $field: acknowledged $acked, holds $got"
			((got == acked || got == acked + 1))
		done <"$CDIR/$i.acks"
		[ "$(redis-cli -p "$HYDRA_PORT" object encoding "ctr$i")" = \
		    hashtable ]
		n=$(redis-cli -p "$HYDRA_PORT" hlen "ctr$i")
		[ "$(redis-cli -p "$HYDRA_PORT" hkeys "ctr$i" | wc -l)" -eq "$n" ]
		[ "$(redis-cli -p "$HYDRA_PORT" hgetall "ctr$i" | wc -l)" -eq \
		    $((2 * n)) ]
	done
	check_arena --full
}

@test "COMMAND INFO describes the hash commands as Redis does" {
	# Invariant: arity, flags, ACL categories, tips and key specs of
	# every hash command match.
	start_server
	start_oracle
	printf 'COMMAND INFO hset hmset hsetnx hget hmget hdel hexists hlen\r\n' |
	    same_reply
	printf 'COMMAND INFO hstrlen hkeys hvals hgetall hincrby hincrbyfloat hrandfield hscan\r\n' |
	    same_reply
	printf 'COMMAND GETKEYS hset a f v\r\nCOMMAND GETKEYS hscan a 0\r\n' |
	    same_reply
}
