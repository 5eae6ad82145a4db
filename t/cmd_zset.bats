#!/usr/bin/env bats
#
# The sorted-set commands of src/cmd_zset*.c, against Debian's
# redis-server: the same requests go to both and the reply bytes must be
# the same, except where Redis answers by chance (ZRANDMEMBER) or by its
# encoding (ZSCAN of a large set), which are checked by their properties.
# The arena checker must find the store whole after the changes.

load helpers/common

ZSET_DIFF=$BATS_TEST_DIRNAME/helpers/zset_diff.py

teardown() {
	stop_oracle
	stop_hydrad
}

# both CMD...: run a redis-cli command on both servers (output dropped).
both() {
	redis-cli -p "$HYDRA_PORT" "$@" >/dev/null
	redis-cli -p "$ORACLE_PORT" "$@" >/dev/null
}

# fill_both KEY N: ZADD N members "m<i>" with score i to KEY on both.
fill_both() {
	local args=() i
	for ((i = 0; i < $2; i++)); do
		args+=("$i" "m$i")
	done
	both zadd "$1" "${args[@]}"
}

# while_killing MODE OUT: run zset_diff.py MODE (output to OUT) while a
# worker of hydrad is killed with SIGKILL six times, each time waiting
# until its replacement serves (respawns back off); it must succeed.
while_killing() {
	local victim try n client stop=$BATS_TEST_TMPDIR/stop
	python3 "$ZSET_DIFF" "$1" "$HYDRA_PORT" "$stop" >"$2" 2>&1 &
	client=$!
	for ((n = 0; n < 6; n++)); do
		sleep 0.3
		victim=$(pgrep -P "$HYDRAD_PID" -f '^hydrad: worker' | head -n 1)
		[ -n "$victim" ] || continue
		kill -KILL "$victim"
		for ((try = 0; try < 200; try++)); do
			[ "$(pgrep -P "$HYDRAD_PID" -f '^hydrad: worker' |
			    grep -cvx "$victim")" -eq 2 ] && break
			sleep 0.05
		done
	done
	touch "$stop"
	wait "$client" || { cat "$2"; false; }
	cat "$2"
	grep -q "killed by signal 9" "$HYDRAD_LOG"
}

@test "ZADD, ZINCRBY, ZSCORE and ZRANGE match redis-server" {
	# Invariant: ZADD answers what it added (or changed, with CH),
	# honours NX, XX, GT and LT, refuses their conflicts before any
	# change, and keeps the set in order of score then member.
	start_server
	start_oracle
	printf 'ZADD z 3 c 1 a 2 b\r\nZADD z CH GT 0 a 5 b 1 d\r\nZADD z XX NX 1 a\r\nZADD z INCR 2 a\r\nZINCRBY z -1.5 c\r\nZRANGE z 0 -1 WITHSCORES\r\n' |
	    same_reply
	printf 'ZADD z 1 a nan b\r\nZRANGE z 0 -1 WITHSCORES\r\nZADD z INCR inf a\r\nZADD z INCR -inf a\r\nZSCORE z a\r\nZCARD z\r\n' |
	    same_reply
	printf 'ZADD z 1 a\r\nZSCORE z a\r\nZINCRBY z 0.1 a\r\nZADD z 1e20 e -0 f\r\nZRANGE z 0 -1 WITHSCORES\r\n' |
	    same_reply3
}

@test "random sorted-set commands match redis-server" {
	# Invariant: thousands of random commands over three small sets
	# (every option, ranges of all kinds, stores, pops, unions) answer
	# as Redis does, and the checker finds the arena whole after each
	# run.
	start_server
	start_oracle
	for seed in 1 2 3; do
		run python3 "$ZSET_DIFF" random "$HYDRA_PORT" "$ORACLE_PORT" \
		    "$seed" 2000
		echo "$output"
		[ "$status" -eq 0 ]
		check_arena
	done
}

@test "a set past the packed limits still answers as Redis's does" {
	# Invariant: 300 members (past zset-max-listpack-entries) and a
	# 100-byte member (past -value) change nothing in what the commands
	# answer.
	start_server
	start_oracle
	fill_both big 300
	both zadd big 7.5 "$(printf 'x%.0s' {1..100})"
	printf 'ZCARD big\r\nZRANGE big 100 105 WITHSCORES\r\nZRANGE big (250 +inf BYSCORE LIMIT 3 4\r\nZRANK big m299\r\nZREVRANK big m0\r\nZCOUNT big 10 (20\r\nZSCORE big m150\r\n' |
	    same_reply
	printf 'ZREMRANGEBYRANK big 0 9\r\nZREMRANGEBYSCORE big (290 +inf\r\nZPOPMIN big 2\r\nZPOPMAX big\r\nZUNIONSTORE u 2 big big WEIGHTS 1 2\r\nZRANGE u -3 -1 WITHSCORES\r\nZCARD big\r\n' |
	    same_reply
	check_arena
}

@test "ZRANDMEMBER picks members of the set, distinct or not as asked" {
	# Invariant: no count answers one member; a positive count answers
	# that many distinct members (in the set's order when at most a
	# third of it), a negative one that many with repeats, WITHSCORES
	# their true scores; a count of at least the size answers the whole
	# set, as Redis does.
	start_server
	start_oracle
	fill_both z 30
	run redis-cli -p "$HYDRA_PORT" zrandmember z
	[[ $output =~ ^m[0-9]+$ ]]
	run redis-cli -p "$HYDRA_PORT" zrandmember z 10
	[ "${#lines[@]}" -eq 10 ]
	[ "$(printf '%s\n' "${lines[@]}" | sort -u | wc -l)" -eq 10 ]
	# At most a third: in order of score (m<i> has score i).
	[ "$(printf '%s\n' "${lines[@]}" | sed 's/^m//' | sort -n |
	    sed 's/^/m/')" = "$(printf '%s\n' "${lines[@]}")" ]
	run redis-cli -p "$HYDRA_PORT" zrandmember z 25
	[ "${#lines[@]}" -eq 25 ]
	[ "$(printf '%s\n' "${lines[@]}" | sort -u | wc -l)" -eq 25 ]
	run redis-cli -p "$HYDRA_PORT" zrandmember z -100
	[ "${#lines[@]}" -eq 100 ]
	for m in "${lines[@]}"; do
		[[ $m =~ ^m([0-9]+)$ ]]
		[ "${BASH_REMATCH[1]}" -lt 30 ]
	done
	# Repeats do happen: 100 picks of 30 can hardly all differ.
	[ "$(printf '%s\n' "${lines[@]}" | sort -u | wc -l)" -lt 100 ]
	run redis-cli -p "$HYDRA_PORT" zrandmember z -20 withscores
	[ "${#lines[@]}" -eq 40 ]
	for ((i = 0; i < 40; i += 2)); do
		[ "${lines[i]}" = "m${lines[i + 1]}" ]
	done
	printf 'ZRANDMEMBER z 30\r\nZRANDMEMBER z 31 WITHSCORES\r\nZRANDMEMBER z 0\r\n' |
	    same_reply
	printf 'ZRANDMEMBER z 100 WITHSCORES\r\nZRANDMEMBER nokey 3\r\n' |
	    same_reply3
}

@test "ZSCAN of a large set visits every member once with its score" {
	# Invariant: whatever cursor steps each server takes (both walk the
	# member table of a large set by cursor, COUNT members or so a step,
	# in orders of their own), the members and scores seen over a whole
	# scan are the same, each once, and MATCH filters them the same way.
	start_server
	start_oracle
	fill_both z 300
	both zadd z 0.5 half -2.25 neg
	scan_all() {
		local port=$1 cursor=0 out
		shift
		while :; do
			out=$(redis-cli -p "$port" zscan z "$cursor" "$@")
			cursor=$(head -n 1 <<<"$out")
			tail -n +2 <<<"$out" | paste - -
			[ "$cursor" = 0 ] && break
		done | sort
	}
	ours=$(scan_all "$HYDRA_PORT")
	theirs=$(scan_all "$ORACLE_PORT")
	first=$(redis-cli -p "$HYDRA_PORT" zscan z 0)
	[ "$(head -n 1 <<<"$first")" != 0 ]
	[ "$(wc -l <<<"$first")" -lt 100 ]
	[ "$(wc -l <<<"$ours")" -eq 302 ]
	[ "$ours" = "$theirs" ]
	[ "$(sort -u <<<"$ours" | wc -l)" -eq 302 ]
	ours=$(scan_all "$HYDRA_PORT" match 'm1?')
	theirs=$(scan_all "$ORACLE_PORT" match 'm1?')
	[ "$(wc -l <<<"$ours")" -eq 10 ]
	[ "$ours" = "$theirs" ]
}

@test "binary members come back byte for byte, ordered by their bytes" {
	# Invariant: members are bytes (NULs and CRLFs included, the empty
	# member too); on equal scores they sort by memcmp, the shorter
	# first on a shared prefix.
	start_server
	start_oracle
	printf '*10\r\n$4\r\nZADD\r\n$1\r\nb\r\n$1\r\n0\r\n$3\r\na\000b\r\n$1\r\n0\r\n$0\r\n\r\n$1\r\n0\r\n$4\r\n\r\n\r\n\r\n$1\r\n0\r\n$1\r\na\r\n' |
	    same_reply
	printf 'ZRANGE b 0 -1\r\nZRANGEBYLEX b - +\r\nZSCAN b 0\r\nZRANK b ""\r\nZPOPMAX b 2\r\nZRANGE b 0 -1 WITHSCORES\r\n' |
	    same_reply
}

# load_sets_both: on both servers, an intset "ints" (200 integers), a
# hash table of integers "tab" (700 of them: past set-max-intset-entries)
# and of words "words", and a sorted set "z" that shares members with
# each, from a fixed seed.
load_sets_both() {
	python3 - >"$BATS_TEST_TMPDIR/sets" <<'PY'
import random
rng = random.Random(7)
out = []
out.append("SADD ints " + " ".join(str(rng.randrange(-500, 500) * 3)
    for _ in range(200)))
out.append("SADD tab " + " ".join(str(rng.randrange(-2000, 2000))
    for _ in range(700)))
out.append("SADD words " + " ".join("w%d" % rng.randrange(400)
    for _ in range(300)) + " 6 9 -3")
members = [str(rng.randrange(-1500, 1500)) for _ in range(150)]
members += ["w%d" % rng.randrange(400) for _ in range(100)]
out.append("ZADD z " + " ".join("%s %s" % (rng.choice(
    ["1", "2.5", "-3", "0", "7e3", "inf"]), m) for m in members))
print("\r\n".join(out), end="\r\n")
PY
	python3 "$RESP_CLIENT" raw "$HYDRA_PORT" <"$BATS_TEST_TMPDIR/sets" \
	    >/dev/null
	python3 "$RESP_CLIENT" raw "$ORACLE_PORT" <"$BATS_TEST_TMPDIR/sets" \
	    >/dev/null
}

@test "ZUNION, ZINTER, ZDIFF and ZINTERCARD take large sets of either encoding" {
	# Invariant: a set, intset or hash table, is a sorted set whose
	# scores are all 1, weighted and aggregated as any other; the results
	# come in order of score then member, so they are the same bytes as
	# Redis's whatever order each server keeps a hash table in.
	start_server
	start_oracle
	load_sets_both
	printf 'OBJECT ENCODING ints\r\nOBJECT ENCODING tab\r\nOBJECT ENCODING words\r\nSCARD tab\r\nZCARD z\r\n' |
	    same_reply
	printf 'ZUNION 2 ints tab WITHSCORES\r\nZUNION 4 tab words z ints WEIGHTS 2 0.5 3 -1 WITHSCORES\r\nZUNION 3 z tab words AGGREGATE MAX WITHSCORES\r\nZUNION 2 tab z AGGREGATE MIN\r\n' |
	    same_reply
	printf 'ZINTER 2 tab ints WITHSCORES\r\nZINTER 2 z words WEIGHTS 2 5 WITHSCORES\r\nZINTER 3 tab z ints AGGREGATE MAX WITHSCORES\r\nZINTER 2 words tab WITHSCORES\r\n' |
	    same_reply
	printf 'ZDIFF 2 tab ints WITHSCORES\r\nZDIFF 3 z words tab WITHSCORES\r\nZDIFF 2 words z\r\nZINTERCARD 2 tab ints\r\nZINTERCARD 3 tab z ints LIMIT 3\r\nZINTERCARD 2 words z LIMIT 0\r\n' |
	    same_reply
	printf 'ZUNIONSTORE d 3 ints tab words WEIGHTS 1 2 3\r\nZRANGE d 0 -1 WITHSCORES\r\nZINTERSTORE d 2 tab z\r\nZRANGE d 0 -1 WITHSCORES\r\nZDIFFSTORE d 2 words z\r\nZRANGE d 0 -1 WITHSCORES\r\nZDIFFSTORE tab 2 tab ints\r\nTYPE tab\r\nZCARD tab\r\n' |
	    same_reply
	check_arena
}

@test "a hash-table set as a sorted set has its members, each scored 1" {
	# Invariant: checked on hydrad alone, against the set commands: the
	# union of one hash-table set has each of its members once with
	# score 1 (times its weight), the intersection and difference of
	# two have the members SINTER and SDIFF find.
	start_server
	redis-cli -p "$HYDRA_PORT" sadd t a b c d e 1 2 3 >/dev/null
	redis-cli -p "$HYDRA_PORT" sadd u c d e f g 3 4 >/dev/null
	run redis-cli -p "$HYDRA_PORT" object encoding t
	[ "$output" = hashtable ]
	run redis-cli -p "$HYDRA_PORT" zunion 1 t weights 2.5 withscores
	[ "${#lines[@]}" -eq 16 ]
	for ((i = 1; i < 16; i += 2)); do
		[ "${lines[i]}" = 2.5 ]
	done
	[ "$(printf '%s\n' "${lines[@]}" | sed -n 'p;n' | sort)" = \
	    "$(redis-cli -p "$HYDRA_PORT" smembers t | sort)" ]
	run redis-cli -p "$HYDRA_PORT" zinter 2 t u
	[ "${#lines[@]}" -eq 4 ]
	[ "$(printf '%s\n' "${lines[@]}" | sort)" = \
	    "$(redis-cli -p "$HYDRA_PORT" sinter t u | sort)" ]
	run redis-cli -p "$HYDRA_PORT" zdiff 2 t u
	[ "${#lines[@]}" -eq 4 ]
	[ "$(printf '%s\n' "${lines[@]}" | sort)" = \
	    "$(redis-cli -p "$HYDRA_PORT" sdiff t u | sort)" ]
	run redis-cli -p "$HYDRA_PORT" zintercard 2 t u
	[ "$output" = "$(redis-cli -p "$HYDRA_PORT" sintercard 2 t u)" ]
	run redis-cli -p "$HYDRA_PORT" zunionstore d 2 t u
	[ "$output" -eq "$(redis-cli -p "$HYDRA_PORT" sunion t u | wc -l)" ]
	check_arena
}

@test "TYPE, OBJECT ENCODING, SCAN TYPE and WRONGTYPE for sorted sets" {
	# Invariant: a sorted set is "zset" to TYPE and SCAN, "listpack"
	# to OBJECT ENCODING while small; a sorted-set command on another
	# type, or another type's command on a sorted set, is refused.
	start_server
	start_oracle
	printf 'ZADD z 1 a\r\nSET s v\r\nRPUSH l x\r\nTYPE z\r\nOBJECT ENCODING z\r\nOBJECT REFCOUNT z\r\nSCAN 0 TYPE zset\r\n' |
	    same_reply
	printf 'ZADD s 1 a\r\nZCARD l\r\nZRANGE s 0 -1\r\nZINCRBY l 1 a\r\nZUNIONSTORE d 2 z l\r\nZPOPMIN s\r\nGET z\r\nLPUSH z a\r\nINCR z\r\n' |
	    same_reply
}

@test "COPY, RENAME, MOVE, DEL, expiry and FLUSHALL of sorted sets" {
	# Invariant: a sorted set keeps its members under a new name, in
	# another database, as an independent copy, and keeps its expiry
	# through changes; every way a key goes away frees it, so the
	# checker finds nothing leaked.
	start_server
	start_oracle
	fill_both a 50
	printf 'COPY a b\r\nZADD b 100 new\r\nZCARD a\r\nZCARD b\r\nRENAME b c\r\nZRANGE c -2 -1 WITHSCORES\r\nMOVE c 1\r\nSELECT 1\r\nZCARD c\r\nSELECT 0\r\nEXISTS c\r\n' |
	    same_reply
	printf 'EXPIRE a 1000\r\nZADD a 1 x\r\nZREM a m1\r\nZPOPMIN a\r\nZINCRBY a 1 x\r\nTTL a\r\nZRANGESTORE d a 0 2\r\nTTL d\r\n' |
	    same_reply
	check_arena
	printf 'PEXPIRE a 1\r\n' | same_reply
	for ((i = 0; i < 100; i++)); do
		run redis-cli -p "$HYDRA_PORT" exists a
		[ "$output" = 0 ] && break
		sleep 0.02
	done
	[ "$output" = 0 ]
	printf 'DEL d\r\nFLUSHALL\r\nDBSIZE\r\n' | same_reply
	check_arena
	run "$HYDRACTL" -a "$HYDRA_ARENA" check
	[[ "$output" == *" 0 keys "* ]]
}

@test "zset-max-listpack-entries and -value are directives" {
	# Invariant: both read and change as Redis's do.
	start_server
	start_oracle
	printf 'CONFIG GET zset-max-listpack-entries\r\nCONFIG GET zset-max-listpack-value\r\nCONFIG SET zset-max-listpack-entries 5\r\nCONFIG GET zset-max-ziplist-entries\r\n' |
	    same_reply
}

@test "COMMAND INFO and GETKEYS describe the sorted-set commands as Redis does" {
	# Invariant: flags, ACL categories (@sortedset), tips and key specs
	# match, a destination before a key count included (ZUNIONSTORE:
	# a range spec, then a keynum spec); GETKEYS finds the keys by the
	# count wherever it stands.
	start_server
	start_oracle
	printf 'COMMAND INFO zadd zincrby zrem zcard zscore zmscore zrank zrevrank zcount zlexcount zrange\r\n' |
	    same_reply
	printf 'COMMAND INFO zrangestore zrevrange zrangebyscore zrevrangebyscore zrangebylex zrevrangebylex zremrangebyrank zremrangebyscore zremrangebylex\r\n' |
	    same_reply
	printf 'COMMAND INFO zpopmin zpopmax zmpop zrandmember zscan zunion zinter zdiff zunionstore zinterstore zdiffstore zintercard\r\n' |
	    same_reply
	printf 'COMMAND GETKEYS zunionstore d 2 a b WEIGHTS 1 2\r\nCOMMAND GETKEYS zinterstore d 0 a\r\nCOMMAND GETKEYS zdiffstore d 3 a b\r\nCOMMAND GETKEYS zunion 2 a b\r\nCOMMAND GETKEYS zmpop 1 a MIN\r\nCOMMAND GETKEYS zrangestore d s 0 1\r\nCOMMAND GETKEYS zintercard 2 a b LIMIT 1\r\n' |
	    same_reply
}

@test "INFO counts sorted-set lookups as hits and misses as Redis does" {
	# Invariant: the commands that read a key (the stores' sources
	# included) count one hit or miss per key; those that change a key
	# count none.
	start_server
	start_oracle
	local req=$BATS_TEST_TMPDIR/hits
	printf '%s\r\n' 'ZADD z 1 a 2 b' 'ZSCORE z a' 'ZSCORE no a' \
	    'ZCARD no' 'ZMSCORE z a' 'ZRANK no a' 'ZRANGE z 0 -1' \
	    'ZCOUNT no 0 1' 'ZLEXCOUNT z - +' 'ZRANDMEMBER no' 'ZSCAN z 0' \
	    'ZUNION 2 z no' 'ZINTERCARD 2 z no' 'ZUNIONSTORE d 2 z no' \
	    'ZRANGESTORE d z 0 -1' 'ZRANGESTORE d no 0 -1' 'ZINCRBY z 1 a' \
	    'ZREM z a' 'ZPOPMIN no' 'ZMPOP 1 no MIN' >"$req"
	python3 "$RESP_CLIENT" raw "$HYDRA_PORT" <"$req" >/dev/null
	python3 "$RESP_CLIENT" raw "$ORACLE_PORT" <"$req" >/dev/null
	same_keyspace_stats
}

@test "a worker killed in mid-change leaves every sorted-set change whole" {
	# Invariant: while a client adds batches of ten members with one
	# ZADD each (and stores their union), workers are killed with
	# SIGKILL again and again; afterwards every batch is in both sets
	# whole or not at all, and the checker finds the arena whole.
	start_server
	local out=$BATS_TEST_TMPDIR/batches
	while_killing batches "$out"
	[[ $(head -n 1 "$out") =~ ^zb:\ ([0-9]+)\ batches$ ]]
	[ "${BASH_REMATCH[1]}" -gt 0 ]
	check_arena
}

@test "a set of thousands of members is a skiplist, changed one member at a time as Redis does" {
	# Invariant: a set of 3000 members is encoded "skiplist" on both
	# servers; one-member ZADD (every option), ZINCRBY and ZREM, which
	# change it in place, answer and leave it as Redis does, read by rank,
	# score and member; MEMORY USAGE answers less than Redis's; the
	# checker finds the arena whole.
	start_server
	start_oracle
	fill_both big 3000
	local i req=
	for ((i = 0; i < 300; i++)); do
		req+="ZADD big $((i * 7 % 5000)) m$((i * 13 % 4000))\r\n"
		req+="ZINCRBY big 1.5 m$((i * 17 % 3500))\r\n"
		req+="ZREM big m$((i * 29 % 3200))\r\n"
		req+="ZADD big XX GT CH $((i * 11 % 4000)) m$((i * 3))\r\n"
		req+="ZADD big NX INCR 2 m$((i * 19 % 3300))\r\n"
	done
	printf "$req" | same_reply
	printf 'OBJECT ENCODING big\r\nZCARD big\r\nZRANGE big 0 -1 WITHSCORES\r\nZRANGE big 1000 1200 REV\r\nZRANGEBYSCORE big (1000 2000 LIMIT 5 50\r\nZRANK big m1500\r\nZREVRANK big m77\r\nZSCORE big m2999\r\nZCOUNT big 100 (900\r\n' |
	    same_reply
	ours=$(redis-cli -p "$HYDRA_PORT" memory usage big)
	theirs=$(redis-cli -p "$ORACLE_PORT" memory usage big)
	[ "$ours" -gt 60000 ]
	[ "$ours" -lt "$theirs" ]
	check_arena
}

@test "a worker killed in mid-change of a large set leaves each one-member change whole" {
	# Invariant: while a client changes a set of thousands of members one
	# member at a time (ZADD, ZINCRBY, ZREM: each copies only the nodes it
	# touches), workers are killed with SIGKILL again and again;
	# afterwards every acknowledged change is there, none that was not
	# sent is, and the checker finds the arena whole.
	start_server
	local out=$BATS_TEST_TMPDIR/singles
	while_killing singles "$out"
	[[ $(head -n 1 "$out") =~ ^zs:\ ([0-9]+)\ changes,\ ([0-9]+)\ members$ ]]
	[ "${BASH_REMATCH[2]}" -gt 128 ]
	[ "$(redis-cli -p "$HYDRA_PORT" object encoding zs)" = skiplist ]
	check_arena
}
