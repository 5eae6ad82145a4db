#!/usr/bin/env bats
#
# SORT and SORT_RO (src/cmd_sort.c) on a running hydrad with two workers,
# against Debian's redis-server where the replies can be compared: large
# lists (chains of nodes), weights and values spread over every stripe,
# and STORE over keys of every kind, with the arena checked afterwards.

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
