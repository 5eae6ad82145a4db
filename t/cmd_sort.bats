#!/usr/bin/env bats
#
# SORT and SORT_RO (src/cmd_sort.c) on a running hydrad with two workers,
# against Debian's redis-server where the replies can be compared: large
# lists (chains of nodes), sets of both encodings and sorted sets, weights,
# values and hash fields spread over every stripe, and STORE over keys of
# every kind, with the arena checked afterwards.  Where Redis's order is
# its hashing's (a hash-table set unsorted), properties are checked.

load helpers/common

teardown() {
	stop_oracle
	stop_hydrad
}

# load_both: the same 2,000-element list and weights on both servers.
load_both() {
	python3 - >"$BATS_TEST_TMPDIR/load" <<'PY'
import sys
out = sys.stdout
for i in range(2000):
    n = (i * 7919) % 2000
    out.write("RPUSH big %d\r\n" % n)
    out.write("SET w_%d %d\r\n" % (n, (n * 31) % 97))
    out.write("SET v_%d value-%d\r\n" % (n, n))
PY
	python3 "$RESP_CLIENT" raw "$HYDRA_PORT" <"$BATS_TEST_TMPDIR/load" \
	    >/dev/null
	python3 "$RESP_CLIENT" raw "$ORACLE_PORT" <"$BATS_TEST_TMPDIR/load" \
	    >/dev/null
}

@test "SORT of a large list by weights in other keys, with GET, matches redis-server" {
	start_server
	start_oracle
	load_both
	printf 'SORT big\r\nSORT big DESC LIMIT 10 20\r\nSORT big ALPHA LIMIT 0 50\r\nSORT big BY w_* GET # GET v_* LIMIT 100 30\r\nSORT big BY w_* DESC GET v_*\r\nSORT big BY nosort LIMIT 1990 20\r\n' |
	    same_reply
}

# Equal weights leave an order that Redis does not define (its partial
# quicksort under LIMIT): check the property instead of the bytes.
@test "SORT_RO BY ALPHA orders the weights as strings, LIMIT cuts that order" {
	start_server
	redis-cli -p "$HYDRA_PORT" rpush l 3 1 2 10 20 >/dev/null
	redis-cli -p "$HYDRA_PORT" mset w_3 b w_1 a w_2 b w_10 ab w_20 a \
	    >/dev/null
	run redis-cli -p "$HYDRA_PORT" sort_ro l by 'w_*' alpha get 'w_*'
	[ "$output" = "$(printf 'a\na\nab\nb\nb')" ]
	run redis-cli -p "$HYDRA_PORT" sort_ro l by 'w_*' alpha desc \
	    limit 1 2 get 'w_*'
	[ "$output" = "$(printf 'b\nab')" ]
	run redis-cli -p "$HYDRA_PORT" sort_ro l by 'w_*' alpha limit 2 1
	[ "$output" = 10 ]
}

@test "SORT STORE replaces a key of any kind, its expiry too, and the arena stays whole" {
	start_server
	start_oracle
	load_both
	printf 'SET dst x EX 100\r\nSORT big BY w_* STORE dst\r\nTTL dst\r\nTYPE dst\r\nLLEN dst\r\nLRANGE dst 0 9\r\nLRANGE dst -10 -1\r\nSORT big LIMIT 0 3 STORE dst\r\nLRANGE dst 0 -1\r\nSORT nosuch STORE dst\r\nEXISTS dst\r\n' |
	    same_reply
	check_arena
}

@test "SORT STORE onto the sorted key itself" {
	start_server
	start_oracle
	printf 'RPUSH l 3 1 2\r\nSORT l STORE l\r\nLRANGE l 0 -1\r\nSORT l DESC STORE l\r\nLRANGE l 0 -1\r\n' |
	    same_reply
	check_arena
}

# load_types_both: on both servers, beside load_both's weights and values,
# a hash-table set "tab" of the same 2,000 numbers (past
# set-max-intset-entries), an intset "ints", a hash-table set of words
# "words", a sorted set "z" whose scores run against its members' values,
# and hashes h_<n> (every tenth a hash table: a long field) with a weight
# field and a name field.
load_types_both() {
	python3 - >"$BATS_TEST_TMPDIR/types" <<'PY'
import sys
out = sys.stdout
nums = [(i * 7919) % 2000 for i in range(2000)]
out.write("SADD tab %s\r\n" % " ".join(str(n) for n in nums))
out.write("SADD ints %s\r\n" % " ".join(str(n * 3 - 900) for n in nums[:400]))
out.write("SADD words %s\r\n" % " ".join("w%d" % n for n in nums[:700]))
out.write("ZADD z %s\r\n" % " ".join("%d %d" % (-n, n) for n in nums[:1000]))
for n in nums:
    out.write("HSET h_%d f %d name n%d\r\n" % (n, (n * 17) % 1999, n))
    if n % 10 == 0:
        out.write("HSET h_%d %s x\r\n" % (n, "l" * 100))
PY
	python3 "$RESP_CLIENT" raw "$HYDRA_PORT" <"$BATS_TEST_TMPDIR/types" \
	    >/dev/null
	python3 "$RESP_CLIENT" raw "$ORACLE_PORT" <"$BATS_TEST_TMPDIR/types" \
	    >/dev/null
}

@test "SORT of large sets and sorted sets, by weights and hash fields, matches redis-server" {
	# Invariant: a set is sorted as a list of its members, a sorted set
	# by its members' values (never its scores), unsorted by rank (DESC
	# reversing it, LIMIT a range of ranks); a stored unsorted set is
	# sorted ALPHA; "->field" reads packed hashes and hash tables alike.
	# Numeric ties are broken by the elements, so the orders are Redis's
	# whatever order each server keeps a hash table in.
	start_server
	start_oracle
	load_both
	load_types_both
	printf 'OBJECT ENCODING tab\r\nOBJECT ENCODING ints\r\nOBJECT ENCODING h_10\r\nOBJECT ENCODING h_11\r\n' |
	    same_reply
	printf 'SORT tab\r\nSORT tab DESC LIMIT 100 50\r\nSORT tab ALPHA LIMIT 10 20\r\nSORT tab BY w_* GET # GET v_* LIMIT 0 40\r\nSORT tab BY nosort STORE d\r\nLRANGE d 0 -1\r\nSORT tab BY nosort DESC LIMIT 5 10 STORE d\r\nLRANGE d 0 -1\r\n' |
	    same_reply
	printf 'SORT ints BY nosort\r\nSORT ints BY nosort DESC LIMIT 10 5\r\nSORT ints DESC\r\nSORT words ALPHA DESC LIMIT 3 30\r\nSORT_RO words ALPHA GET # LIMIT 600 200\r\nSORT words BY nosort GET # STORE d\r\nLRANGE d 0 -1\r\n' |
	    same_reply
	printf 'SORT z\r\nSORT z BY nosort LIMIT 0 30\r\nSORT z BY nosort DESC LIMIT 100 20\r\nSORT z BY nosort DESC LIMIT 995 10\r\nSORT z BY w_* GET h_*->name LIMIT 10 10\r\nSORT z BY nosort STORE d\r\nLRANGE d 0 20\r\n' |
	    same_reply
	printf 'SORT big BY h_*->f GET # GET h_*->name LIMIT 0 50\r\nSORT tab BY h_*->f DESC GET h_*->f\r\nSORT ints BY h_*->f GET h_*->name GET h_*->llllllllll\r\nSORT tab GET # GET h_*->%s LIMIT 0 300\r\n' \
	    "$(printf 'l%.0s' {1..100})" |
	    same_reply
	check_arena
}

@test "SORT of a hash-table set unsorted answers each member once, DESC or not" {
	# Invariant: BY a pattern without '*' leaves a set in the order it
	# keeps (Redis's hashing differs, so the bytes cannot be compared):
	# every member comes once, DESC changes nothing (only lists and
	# sorted sets are reversed), and LIMIT cuts that same order.
	start_server
	start_oracle
	load_types_both
	local port ours theirs
	for port in "$HYDRA_PORT" "$ORACLE_PORT"; do
		run redis-cli -p "$port" sort words by nosort
		[ "${#lines[@]}" -eq 700 ]
		ours=$output
		[ "$(sort <<<"$ours")" = \
		    "$(redis-cli -p "$port" smembers words | sort)" ]
		run redis-cli -p "$port" sort words by nosort desc
		[ "$output" = "$ours" ]
		run redis-cli -p "$port" sort_ro words by nosort limit 600 200
		[ "$output" = "$(tail -n 100 <<<"$ours")" ]
	done
	ours=$(redis-cli -p "$HYDRA_PORT" sort words by nosort | sort)
	theirs=$(redis-cli -p "$ORACLE_PORT" sort words by nosort | sort)
	[ "$ours" = "$theirs" ]
}

@test "INFO counts the keys that SORT and its patterns read as hits and misses as Redis does" {
	# Invariant: the key sorted and every key a BY or GET pattern names
	# (a hash read for a field too, whether or not it has the field)
	# count one hit or miss per lookup; "#", a pattern without '*' and
	# an unsorted or stored-ALPHA sort's BY look nothing up.
	start_server
	start_oracle
	local req=$BATS_TEST_TMPDIR/hits
	printf '%s\r\n' 'RPUSH l 1 2 3' 'MSET w_1 1 w_2 2' 'HSET h_1 f 1' \
	    'SADD s 1 2 3' 'ZADD z 1 1 2 2' 'SORT l BY w_* GET h_*->f GET #' \
	    'SORT_RO l BY h_*->f GET h_*->nofield LIMIT 1 1' \
	    'SORT s BY nosort GET w_* STORE d' 'SORT s BY nosort GET #' \
	    'SORT z BY nosort DESC LIMIT 1 1 GET w_* GET nostar' \
	    'SORT nosuch BY w_* GET w_*' >"$req"
	python3 "$RESP_CLIENT" raw "$HYDRA_PORT" <"$req" >/dev/null
	python3 "$RESP_CLIENT" raw "$ORACLE_PORT" <"$req" >/dev/null
	same_keyspace_stats
}

@test "random SORTs and sorted-set operations over sets and sorted sets match redis-server" {
	# Invariant: thousands of random SORT, SORT_RO, ZUNION, ZINTER,
	# ZDIFF, their STOREs and ZINTERCARD over an intset, a hash-table
	# set and a sorted set that change between them answer as Redis
	# does (t/helpers/setinput_diff.py draws only requests whose answer
	# Redis defines), and the checker finds the arena whole.
	start_server
	start_oracle
	for seed in 1 2 3; do
		redis-cli -p "$HYDRA_PORT" flushall >/dev/null
		redis-cli -p "$ORACLE_PORT" flushall >/dev/null
		run python3 "$BATS_TEST_DIRNAME/helpers/setinput_diff.py" \
		    random "$HYDRA_PORT" "$ORACLE_PORT" "$seed" 2000
		echo "$output"
		[ "$status" -eq 0 ]
		check_arena
	done
}
