#!/usr/bin/env bats
#
# The list commands of src/cmd_list.c, against Debian's redis-server: the
# same requests go to both and the reply bytes must be the same.  Lists
# small enough to be packed and lists long enough to be chains of nodes
# are both driven, through every command, and the arena checker must find
# the store whole afterwards.

load helpers/common

LIST_DIFF=$BATS_TEST_DIRNAME/helpers/list_diff.py

teardown() {
	stop_oracle
	stop_hydrad
}

# same_reply3: same_reply after HELLO 3 on both, whose own reply (which
# names each server's client id) is left out: the 26 lines of its map.
same_reply3() {
	local req=$BATS_TEST_TMPDIR/request3 ours theirs
	{ printf 'HELLO 3\r\n'; cat; } >"$req"
	ours=$(python3 "$RESP_CLIENT" raw "$HYDRA_PORT" <"$req" |
	    tail -n +27 | od -An -c)
	theirs=$(python3 "$RESP_CLIENT" raw "$ORACLE_PORT" <"$req" |
	    tail -n +27 | od -An -c)
	if [ -z "$theirs" ] || [ "$ours" != "$theirs" ]; then
		printf 'hydrad:\n%s\nredis-server:\n%s\n' "$ours" "$theirs" >&2
		return 1
	fi
}

# push_both KEY COUNT SIZE: RPUSH COUNT elements of SIZE bytes to KEY on
# both servers, in one request each; the replies must agree.
push_both() {
	local ours theirs
	ours=$(python3 "$LIST_DIFF" push "$HYDRA_PORT" "$@")
	theirs=$(python3 "$LIST_DIFF" push "$ORACLE_PORT" "$@")
	[ "$ours" = "$theirs" ]
}

@test "LPUSH, RPUSH, LPUSHX, RPUSHX, LLEN and LRANGE match redis-server" {
	# Invariant: pushes answer the new length, keep the order Redis
	# gives (LPUSH a b c leaves c first), the X forms touch only lists
	# that exist, and LRANGE clamps its indexes as Redis does.
	start_server
	start_oracle
	printf 'LPUSH l a b c\r\nRPUSH l d e\r\nLRANGE l 0 -1\r\nLLEN l\r\n' |
	    same_reply
	printf 'LPUSHX nx a\r\nRPUSHX nx a\r\nEXISTS nx\r\nLPUSHX l z\r\nRPUSHX l y w\r\nLRANGE l 0 -1\r\n' |
	    same_reply
	printf 'LRANGE l 1 2\r\nLRANGE l -3 -1\r\nLRANGE l -100 100\r\nLRANGE l 5 2\r\nLRANGE l 9 20\r\nLRANGE l -1 -3\r\n' |
	    same_reply
	printf 'LRANGE l 0 9223372036854775807\r\nLRANGE l -9223372036854775808 0\r\nLRANGE l x 1\r\nLRANGE l 0 1.5\r\nLRANGE nokey 0 -1\r\nLLEN nokey\r\n' |
	    same_reply
	printf 'LPUSH\r\nLPUSH l\r\nRPUSHX l\r\nLLEN\r\nLLEN a b\r\nLRANGE l 0\r\n' |
	    same_reply
}

@test "LPOP and RPOP, with and without a count, in RESP2 and RESP3" {
	# Invariant: a pop answers a bulk (or null) without a count and an
	# array (or a null array) with one; a count of 0 answers an empty
	# array on a list; the last pop deletes the key.
	start_server
	start_oracle
	printf 'RPUSH l a b c d e\r\nLPOP l\r\nRPOP l\r\nLPOP l 2\r\nRPOP l 0\r\nRPOP l 100\r\nEXISTS l\r\n' |
	    same_reply
	printf 'LPOP nokey\r\nLPOP nokey 0\r\nLPOP nokey 3\r\nRPUSH l a\r\nLPOP l -1\r\nLPOP l x\r\nLPOP l 1 2\r\nRPOP l 9223372036854775807\r\n' |
	    same_reply
	printf 'LPOP nokey\r\nRPOP nokey 2\r\nRPUSH l a b\r\nLPOP l 5\r\nLPOP l 0\r\n' |
	    same_reply3
}

@test "LINDEX, LSET and LINSERT match redis-server" {
	# Invariant: indexes count from the head, negative ones from the
	# tail; out of range is a null (LINDEX) or an error (LSET); LINSERT
	# answers -1 without the pivot and 0 without the key.
	start_server
	start_oracle
	printf 'RPUSH l a b c\r\nLINDEX l 0\r\nLINDEX l -1\r\nLINDEX l 3\r\nLINDEX l -4\r\nLINDEX l x\r\nLINDEX nokey x\r\n' |
	    same_reply
	printf 'LSET l 1 B\r\nLSET l -1 C\r\nLSET l 3 x\r\nLSET l x y\r\nLSET nokey 0 x\r\nLRANGE l 0 -1\r\n' |
	    same_reply
	printf 'LINSERT l BEFORE a z\r\nLINSERT l after C y\r\nLINSERT l BEFORE nope x\r\nLINSERT nokey BEFORE a b\r\nLINSERT l middle a b\r\nLRANGE l 0 -1\r\n' |
	    same_reply
}

@test "LREM and LTRIM match redis-server" {
	# Invariant: LREM removes from the head (count > 0), the tail
	# (count < 0) or everywhere (0) and answers how many; LTRIM keeps a
	# clamped range and deletes the key when the range is empty.
	start_server
	start_oracle
	printf 'RPUSH l a b a c a b a\r\nLREM l 2 a\r\nLRANGE l 0 -1\r\nLREM l -1 a\r\nLRANGE l 0 -1\r\nLREM l 0 b\r\nLRANGE l 0 -1\r\n' |
	    same_reply
	printf 'LREM l 0 zz\r\nLREM nokey 1 a\r\nLREM l x a\r\nLREM l 0 a\r\nLREM l 0 c\r\nEXISTS l\r\n' |
	    same_reply
	printf 'RPUSH t 0 1 2 3 4 5 6\r\nLTRIM t 1 -2\r\nLRANGE t 0 -1\r\nLTRIM t -100 100\r\nLTRIM t 2 1\r\nEXISTS t\r\nLTRIM nokey 0 1\r\nLTRIM t x 1\r\n' |
	    same_reply
}

@test "LPOS with RANK, COUNT and MAXLEN matches redis-server" {
	# Invariant: LPOS answers the index of the rank-th match from the
	# head (or from the tail for a negative rank), every match up to
	# COUNT (0: all) as an array, looks at MAXLEN elements at most, and
	# refuses a zero rank and negative counts with Redis's words.
	start_server
	start_oracle
	printf 'RPUSH l a b c a b c a\r\nLPOS l a\r\nLPOS l a RANK 2\r\nLPOS l a RANK -1\r\nLPOS l a RANK -2\r\nLPOS l a RANK 9\r\nLPOS l z\r\n' |
	    same_reply
	printf 'LPOS l a COUNT 0\r\nLPOS l a COUNT 2\r\nLPOS l a COUNT 2 RANK -1\r\nLPOS l a MAXLEN 3 COUNT 0\r\nLPOS l a RANK -1 MAXLEN 2 COUNT 0\r\nLPOS l z COUNT 1\r\n' |
	    same_reply
	printf 'LPOS l a RANK 0\r\nLPOS l a COUNT -1\r\nLPOS l a MAXLEN -1\r\nLPOS l a COUNT x\r\nLPOS l a RANK x\r\nLPOS l a RANK\r\nLPOS l a FOO 1\r\n' |
	    same_reply
	printf 'LPOS nokey a\r\nLPOS nokey a COUNT 1\r\nLPOS l a RANK -9223372036854775808\r\nLPOS l a RANK 9223372036854775807\r\n' |
	    same_reply
	printf 'LPOS nokey a\r\nLPOS l a\r\nLPOS l a COUNT 0\r\n' | same_reply3
}

@test "LMOVE, RPOPLPUSH and LMPOP match redis-server" {
	# Invariant: a move takes from one end of the source and puts at an
	# end of the destination (the same list rotates), answers the
	# element or null, and checks both types before it changes
	# anything; LMPOP pops from the first non-empty list named.
	start_server
	start_oracle
	printf 'RPUSH s a b c\r\nLMOVE s d LEFT RIGHT\r\nLMOVE s d RIGHT LEFT\r\nLMOVE s s LEFT RIGHT\r\nLRANGE s 0 -1\r\nLRANGE d 0 -1\r\nRPOPLPUSH d s\r\nRPOPLPUSH nokey s\r\n' |
	    same_reply
	printf 'SET str x\r\nLMOVE s str LEFT LEFT\r\nLMOVE str s LEFT LEFT\r\nRPOPLPUSH s str\r\nLMOVE s d UP LEFT\r\nLMOVE nokey d LEFT LEFT\r\nLRANGE s 0 -1\r\nLMOVE s d\r\n' |
	    same_reply
	printf 'LMPOP 2 nokey s LEFT\r\nLMPOP 2 s d RIGHT COUNT 10\r\nLMPOP 1 nokey RIGHT\r\nLMPOP 2 str s LEFT\r\nLMPOP 0 s LEFT\r\nLMPOP x s LEFT\r\nLMPOP 3 s LEFT\r\n' |
	    same_reply
	printf 'LMPOP 1 s UP\r\nLMPOP 1 s LEFT COUNT 0\r\nLMPOP 1 s LEFT COUNT 1 COUNT 1\r\nLMPOP 1 s LEFT FOO\r\nLMPOP 1 s\r\n' |
	    same_reply
	printf 'LMPOP 1 nokey LEFT\r\nRPUSH z a\r\nLMPOP 1 z LEFT COUNT 5\r\nLMOVE nokey z LEFT LEFT\r\n' |
	    same_reply3
}

@test "binary elements come back byte for byte" {
	# Invariant: elements are bytes, NULs and CRLFs included, and an
	# empty element is an element.
	start_server
	start_oracle
	printf '*5\r\n$5\r\nRPUSH\r\n$1\r\nb\r\n$3\r\na\000b\r\n$0\r\n\r\n$4\r\n\r\n\r\n\r\n' |
	    same_reply
	printf '*3\r\n$4\r\nLPOS\r\n$1\r\nb\r\n$3\r\na\000b\r\nLRANGE b 0 -1\r\nLPOS b ""\r\nRPOP b 3\r\n' |
	    same_reply
}

@test "TYPE, OBJECT ENCODING, SCAN TYPE and WRONGTYPE for lists" {
	# Invariant: a list is "list" to TYPE and SCAN, "quicklist" to
	# OBJECT ENCODING (Redis 7.0's name for every list), and a list
	# command on a string (or a string command on a list) is refused.
	start_server
	start_oracle
	printf 'RPUSH l a\r\nSET s v\r\nTYPE l\r\nOBJECT ENCODING l\r\nOBJECT REFCOUNT l\r\nSCAN 0 TYPE list\r\nSCAN 0 TYPE string\r\n' |
	    same_reply
	printf 'LPUSH s a\r\nRPOP s\r\nLLEN s\r\nLRANGE s 0 1\r\nLINDEX s 0\r\nLSET s 0 a\r\nLINSERT s BEFORE a b\r\nLREM s 0 a\r\nLTRIM s 0 1\r\nLPOS s a\r\n' |
	    same_reply
	printf 'GET l\r\nAPPEND l x\r\nINCR l\r\nSTRLEN l\r\nSET l v\r\nTYPE l\r\n' | same_reply
	push_both big 2000 100
	printf 'TYPE big\r\nOBJECT ENCODING big\r\nGET big\r\nSCAN 0 TYPE list COUNT 100\r\n' |
	    same_reply
}

@test "a list past one node becomes a chain, changes like Redis's and comes back packed" {
	# Invariant: 3000 elements of 100 bytes (past the 8 KiB of a node)
	# read, change and shrink as in Redis: ranges from both ends, sets
	# and inserts in the middle, removals and trims; popping it down to
	# a few elements and pushing again keeps matching; the checker finds
	# the arena whole after each stage.
	start_server
	start_oracle
	push_both c 3000 100
	printf 'LLEN c\r\nLINDEX c 1500\r\nLINDEX c -1\r\nLRANGE c 1495 1505\r\nLRANGE c -3 -1\r\nLPOS c 2999:ppp\r\n' |
	    same_reply
	printf 'LSET c 1500 mid\r\nLINSERT c BEFORE mid before\r\nLINSERT c AFTER mid after\r\nLRANGE c 1498 1504\r\nLPOS c mid\r\nLLEN c\r\n' |
	    same_reply
	check_arena
	printf 'LPUSH c h1 h2\r\nRPUSH c t1 t2\r\nLRANGE c 0 3\r\nLRANGE c -4 -1\r\nLPOP c 300\r\nRPOP c 5\r\nLLEN c\r\n' |
	    same_reply
	printf 'LREM c 0 mid\r\nLTRIM c 100 -100\r\nLLEN c\r\nLRANGE c 0 2\r\nLRANGE c -2 -1\r\n' |
	    same_reply
	check_arena
	printf 'LTRIM c 0 9\r\nLRANGE c 0 -1\r\nRPUSH c x\r\nLRANGE c 0 -1\r\nLMOVE c c RIGHT LEFT\r\nLRANGE c 0 2\r\n' |
	    same_reply
	check_arena
}

@test "random list commands match redis-server at three node limits" {
	# Invariant: whatever the node limit (8 KiB, 4 elements, one
	# element), thousands of random commands over three lists answer as
	# Redis does, and the checker finds the arena whole after each run.
	start_server
	start_oracle
	for fill in -2 4 1; do
		redis-cli -p "$HYDRA_PORT" config set list-max-listpack-size \
		    "$fill" >/dev/null
		run python3 "$LIST_DIFF" random "$HYDRA_PORT" "$ORACLE_PORT" \
		    "$((fill + 10))" 1500
		echo "$output"
		[ "$status" -eq 0 ]
		check_arena
	done
}

@test "RENAME, COPY, MOVE, SWAPDB, DEL, UNLINK, expiry and FLUSHALL of chains" {
	# Invariant: a chain keeps its elements under a new name (of any
	# length, onto another chain), in another database, as an
	# independent copy; every way a key goes away frees its nodes, so
	# the checker finds nothing leaked.
	start_server
	start_oracle
	push_both a 2000 100
	printf 'RENAME a b\r\nLLEN b\r\nCOPY b c\r\nRPUSH c more\r\nLLEN b\r\nLLEN c\r\nMOVE c 1\r\nSELECT 1\r\nLINDEX c -1\r\n' |
	    same_reply
	# A rename to a longer name and onto another chain: the chain
	# moves whole, the one it replaces is freed.
	push_both d 1500 50
	printf 'RENAME b bee-longer\r\nLLEN bee-longer\r\nRENAME bee-longer d\r\nLLEN d\r\nLRANGE d 0 2\r\nLINDEX d -1\r\nRENAME d b\r\nEXISTS d bee-longer\r\nLLEN b\r\n' |
	    same_reply
	check_arena
	printf 'SWAPDB 0 1\r\nLLEN c\r\nSELECT 0\r\nLLEN c\r\nLLEN b\r\nCOPY c b REPLACE\r\nLINDEX b -1\r\nDEL c\r\nUNLINK b\r\nDBSIZE\r\n' |
	    same_reply
	check_arena
	push_both e 2000 100
	printf 'PEXPIRE e 1\r\n' | same_reply
	for ((i = 0; i < 100; i++)); do
		run redis-cli -p "$HYDRA_PORT" exists e
		[ "$output" = 0 ] && break
	done
	[ "$output" = 0 ]
	push_both f 2000 100
	printf 'SET f str\r\nGET f\r\n' | same_reply
	push_both g 2000 100
	printf 'FLUSHALL\r\nDBSIZE\r\n' | same_reply
	check_arena
	run "$HYDRACTL" -a "$HYDRA_ARENA" check
	[[ "$output" == *" 0 keys "* ]]
}

@test "list-max-listpack-size and list-compress-depth are directives" {
	# Invariant: both read and change as Redis's do.
	start_server
	start_oracle
	printf 'CONFIG GET list-max-listpack-size\r\nCONFIG GET list-compress-depth\r\nCONFIG SET list-max-listpack-size 5\r\nCONFIG GET list-max-listpack-size\r\nCONFIG SET list-compress-depth 1\r\nCONFIG GET list-compress-depth\r\n' |
	    same_reply
	printf 'CONFIG SET list-compress-depth -1\r\nCONFIG SET list-max-listpack-size x\r\n' |
	    same_reply
}

@test "COMMAND INFO and GETKEYS describe the list commands as Redis does" {
	# Invariant: the key specs (two for LMOVE and RPOPLPUSH, a keynum
	# spec and movablekeys for LMPOP), flags and ACL categories match,
	# and GETKEYS finds LMPOP's keys by its count.
	start_server
	start_oracle
	printf 'COMMAND INFO lpush rpush lpushx rpushx lpop rpop llen lrange lindex\r\n' |
	    same_reply
	printf 'COMMAND INFO lset linsert lrem ltrim lpos lmove rpoplpush lmpop\r\n' |
	    same_reply
	printf 'COMMAND GETKEYS lmpop 2 a b LEFT\r\nCOMMAND GETKEYS lmpop 3 a b LEFT\r\nCOMMAND GETKEYS lmpop 0 a LEFT\r\nCOMMAND GETKEYS lmove a b LEFT RIGHT\r\nCOMMAND GETKEYS rpoplpush a b\r\n' |
	    same_reply
}
