#!/usr/bin/env bats
#
# Whole RDB files (src/rdb_file_save.c, src/rdb_file_load.c) against
# Debian's redis-server, through build/release/t/rdb_probe: a file
# redis-server SAVEs loads into hydra's arena holding what redis-server
# holds (every key, type, encoding, value and expiry, in every database);
# a file hydra writes passes redis-check-rdb and redis-server loaded from
# it holds the same again; a file of the encodings Redis no longer writes,
# made here from the format, loads into both the same way; damaged files
# are refused.  Keys are compared in the canonical form of
# t/probe/rdb_probe.c, which t/helpers/rdb_canon.py prints from a server.

load helpers/common

PROBE=$HYDRA_TOP/build/release/t/rdb_probe
CANON=$BATS_TEST_DIRNAME/helpers/rdb_canon.py

setup() {
	[ -x "$PROBE" ] || { echo "$PROBE is not built (make all)"; false; }
}

teardown() {
	stop_oracle
}

# start_loaded DIR FILE: redis-server (the oracle, which must not run
# yet) started from the RDB file DIR/FILE.
start_loaded() {
	start_oracle --dir "$1" --dbfilename "$2"
}

# same_lines A B: the canonical files A and B are the same, or show the
# first keys that differ (cut short: values may be long).
same_lines() {
	if ! cmp -s "$1" "$2"; then
		echo "$1 and $2 differ ($(wc -l <"$1") and $(wc -l <"$2") keys):"
		diff "$1" "$2" | cut -c1-300 | head -20
		return 1
	fi
}

# oracle_dump: fill redis-server, SAVE, and leave its file in DUMP and
# what it holds in the canonical form in THEIRS.
oracle_dump() {
	start_oracle
	run python3 "$CANON" fill "$ORACLE_PORT"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[ "$(redis-cli -p "$ORACLE_PORT" SAVE)" = OK ]
	DUMP=$(redis-cli -p "$ORACLE_PORT" CONFIG GET dir | tail -1)/dump.rdb
	THEIRS=$BATS_TEST_TMPDIR/theirs
	python3 "$CANON" canon "$ORACLE_PORT" >"$THEIRS"
	# Every type in several databases, some keys with a time to live.
	[ "$(cut -f1 "$THEIRS" | sort -u | tr '\n' ' ')" = "0 1 15 5 " ]
	[ "$(cut -f3 "$THEIRS" | sort -u | tr '\n' ' ')" = \
	    "hash list set string zset " ]
	[ "$(cut -f4 "$THEIRS" | sort -u | tr '\n' ' ')" = \
	    "embstr hashtable int intset listpack quicklist raw skiplist " ]
	grep -q "$(printf '\t')-1$(printf '\t')" "$THEIRS"
	grep -qv "$(printf '\t')-1$(printf '\t')" "$THEIRS"
}

@test "a file redis-server saved loads as redis-server holds it" {
	# Invariant: every key of every database of redis-server's SAVE,
	# of every type and encoding, loads into hydra's arena with the
	# type, encoding, value and expiry redis-server holds.
	oracle_dump
	"$PROBE" print "$DUMP" >"$BATS_TEST_TMPDIR/ours"
	same_lines "$THEIRS" "$BATS_TEST_TMPDIR/ours"
}

@test "a file hydra writes passes redis-check-rdb and loads into redis-server" {
	# Invariant: the file hydra's writer makes of what it loaded,
	# compressed or not, is accepted by redis-check-rdb, and
	# redis-server started from it holds every key as hydra does and
	# as the first redis-server did; hydra reads its own file the same.
	local dir compress
	oracle_dump
	stop_oracle
	dir=$(test_dir)
	for compress in "" -u; do
		"$PROBE" $compress copy "$DUMP" "$dir/hydra.rdb"
		run redis-check-rdb "$dir/hydra.rdb"
		echo "$output" | tail -5
		[ "$status" -eq 0 ]
		[[ $output == *"RDB looks OK"* ]]
		"$PROBE" print "$dir/hydra.rdb" >"$dir/ours"
		same_lines "$THEIRS" "$dir/ours"
		start_loaded "$dir" hydra.rdb
		python3 "$CANON" canon "$ORACLE_PORT" >"$dir/loaded"
		stop_oracle
		same_lines "$THEIRS" "$dir/loaded"
	done
}

@test "a file built from a description loads into redis-server as described" {
	# Invariant: keys described in the canonical form (sorted as the
	# bytes are), made in hydra's arena and written, come out of
	# redis-server as described.
	local dir
	dir=$(test_dir)
	cat >"$dir/want" <<-EOF
	0	x61	string	embstr	-1	1	x68656c6c6f
	0	x6c	list	quicklist	-1	3	x61 x x3132
	0	x6e	string	int	4102444800000	1	x2d3132
	15	x	set	hashtable	-1	2	x x61
	2	x68	hash	listpack	-1	2	x66=x76 x67=x
	2	x73	set	intset	4102444800123	3	x2d35 x31 x32
	2	x7a	zset	listpack	-1	3	x61=-inf x62=1.5 x63=inf
	EOF
	"$PROBE" build "$dir/built.rdb" <"$dir/want"
	redis-check-rdb "$dir/built.rdb" | grep -q "RDB looks OK"
	start_loaded "$dir" built.rdb
	python3 "$CANON" canon "$ORACLE_PORT" >"$dir/loaded"
	same_lines "$dir/want" "$dir/loaded"
}

@test "old encodings made from the format load as redis-server loads them" {
	# Invariant: a file of linked lists, ziplists, quicklists of
	# ziplists, zipmaps, ASCII scores, intsets, LZF and long lengths,
	# with expiries in seconds and milliseconds and one in the past,
	# and keys of empty values, loads into hydra as into redis-server
	# 7.0.15, which skips the expired and the empty keys as hydra does.
	local dir live
	dir=$(test_dir)
	live=$(python3 "$CANON" oldenc "$dir/old.rdb")
	"$PROBE" print "$dir/old.rdb" >"$dir/ours"
	[ "$(wc -l <"$dir/ours")" -eq "$live" ]
	start_loaded "$dir" old.rdb
	python3 "$CANON" canon "$ORACLE_PORT" >"$dir/theirs"
	same_lines "$dir/theirs" "$dir/ours"
}

@test "damaged files are refused with a reason" {
	# Invariant: a file cut short, or with a changed byte, or of a
	# version past 10, is refused (exit 1, a message), never loaded.
	local dir len
	dir=$(test_dir)
	python3 "$CANON" oldenc "$dir/old.rdb" >/dev/null
	len=$(stat -c %s "$dir/old.rdb")
	head -c $((len - 3)) "$dir/old.rdb" >"$dir/cut.rdb"
	run "$PROBE" print "$dir/cut.rdb"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *truncated* ]]
	python3 - "$dir/old.rdb" "$dir/flip.rdb" <<-'EOF'
	import sys
	b = bytearray(open(sys.argv[1], "rb").read())
	b[b.index(b"seven")] ^= 0x20
	open(sys.argv[2], "wb").write(b)
	EOF
	run "$PROBE" print "$dir/flip.rdb"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *checksum* ]]
	{ printf 'REDIS0011'; tail -c +10 "$dir/old.rdb"; } >"$dir/v11.rdb"
	run "$PROBE" print "$dir/v11.rdb"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"version 11"* ]]
	run "$PROBE" print "$dir/none.rdb"
	[ "$status" -eq 1 ]
	[[ $output == *"No such file"* ]]
}
