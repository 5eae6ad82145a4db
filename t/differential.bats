#!/usr/bin/env bats
#
# The differential suite: every script in t/differential/cases/ is sent to
# Debian's redis-server and to hydrad, and the reply bytes must be the
# same (t/differential/diffcase.py runs one script; its header describes
# the script syntax).  Both servers run for the whole file, with
# proto-max-bulk-len at 1mb (Redis's smallest) so that the size limits
# can be reached; every case starts with FLUSHALL on both.
#
# t/differential/allow.txt lists the cases that may differ, with a
# reason; a listed case that no longer differs fails as a stale entry.
# t/differential/pending.txt lists the cases that wait for a command
# hydrad does not have yet; they are skipped, visibly.  Each case has its
# own test below, and the first test checks that the three lists agree.

load helpers/common

DIFF_DIR=$BATS_TEST_DIRNAME/differential

setup_file() {
	start_server --proto-max-bulk-len 1mb
	start_oracle --proto-max-bulk-len 1mb
	export HYDRA_PORT HYDRA_ARENA HYDRAD_PID ORACLE_PORT ORACLE_PID
}

teardown_file() {
	stop_oracle
	stop_hydrad
}

# list_entry FILE CASE: the text after CASE on its line of FILE (the
# command a pending case waits for, the reason a case may differ).
list_entry() {
	awk -v c="$2" '$1 == c { sub(/^[^ \t]+[ \t]+/, ""); print; exit }' \
	    "$1"
}

# list_cases FILE: the case names of an allow or pending list.
list_cases() {
	awk '!/^#/ && NF { print $1 }' "$1" | sort
}

# diff_case NAME: run cases/NAME.txt against both servers.  A pending case
# is skipped; an allowed case must still differ.
diff_case() {
	local name=$1 pending reason
	pending=$(list_entry "$DIFF_DIR/pending.txt" "$name")
	[ -z "$pending" ] || skip "pending: $pending"
	reason=$(list_entry "$DIFF_DIR/allow.txt" "$name")
	run python3 "$DIFF_DIR/diffcase.py" "$ORACLE_PORT" "$HYDRA_PORT" \
	    "$DIFF_DIR/cases/$name.txt"
	if [ "$status" -ge 2 ]; then
		echo "$output"
		return 1
	fi
	if [ -n "$reason" ]; then
		if [ "$status" -eq 0 ]; then
			echo "stale allow.txt entry: $name no longer differs" \
			    "(its reason was: $reason)"
			return 1
		fi
		return 0
	fi
	if [ "$status" -ne 0 ]; then
		echo "case $name: replies differ (- redis-server, + hydrad):"
		echo "$output"
		return 1
	fi
}

@test "every case has a test; allow and pending lists name real cases" {
	# Invariant: no case script goes unrun, and no list entry points at
	# a case that does not exist or is both allowed and pending.
	local cases tests
	cases=$(cd "$DIFF_DIR/cases" && ls -- *.txt | sed 's/\.txt$//' | sort)
	tests=$(sed -n 's/^@test "differential: \(.*\)" {$/\1/p' \
	    "$BATS_TEST_FILENAME" | sort)
	diff <(echo "$cases") <(echo "$tests")
	run comm -13 <(echo "$cases") <(list_cases "$DIFF_DIR/allow.txt")
	[ -z "$output" ] || { echo "allow.txt: no such case: $output"; false; }
	run comm -13 <(echo "$cases") <(list_cases "$DIFF_DIR/pending.txt")
	[ -z "$output" ] || { echo "pending.txt: no such case: $output"; false; }
	run comm -12 <(list_cases "$DIFF_DIR/allow.txt") \
	    <(list_cases "$DIFF_DIR/pending.txt")
	[ -z "$output" ] || { echo "both allowed and pending: $output"; false; }
}

@test "the runner reports a difference, with the bytes of both sides" {
	# Invariant: the comparison is not blind.  Against one server, a
	# case with fixed replies is the same twice over, and a case whose
	# reply changes with each connection (CLIENT ID) differs, shown as
	# escaped bytes on both sides of the diff.
	local c=$BATS_TEST_TMPDIR/case.txt
	printf 'ECHO "a\\r\\nb"\nraw: *1\\r\\n$x\\r\\n\n' >"$c"
	run python3 "$DIFF_DIR/diffcase.py" "$ORACLE_PORT" "$ORACLE_PORT" "$c"
	[ "$status" -eq 0 ]
	printf 'CLIENT ID\n' >"$c"
	run python3 "$DIFF_DIR/diffcase.py" "$ORACLE_PORT" "$ORACLE_PORT" "$c"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *'-    :'*'\r\n'* ]]
	[[ $output == *'+    :'*'\r\n'* ]]
}

@test "an allowed difference passes, a stale or unlisted one fails" {
	# Invariant: the allow list works both ways.  With a case that must
	# differ (each server reports its own port) and one that must not:
	# listed, the first passes and the second fails as stale; unlisted,
	# the first fails showing its diff and the second passes.
	local real=$DIFF_DIR
	DIFF_DIR=$BATS_TEST_TMPDIR/d
	mkdir -p "$DIFF_DIR/cases"
	cp "$real/diffcase.py" "$DIFF_DIR/"
	printf 'CONFIG GET port\n' >"$DIFF_DIR/cases/differs.txt"
	printf 'ECHO same\n' >"$DIFF_DIR/cases/same.txt"
	: >"$DIFF_DIR/pending.txt"
	printf 'differs\tports differ\nsame\tno reason\n' >"$DIFF_DIR/allow.txt"
	run diff_case differs
	[ "$status" -eq 0 ]
	run diff_case same
	[ "$status" -eq 1 ]
	[[ $output == *"stale allow.txt entry: same"* ]]
	: >"$DIFF_DIR/allow.txt"
	run diff_case differs
	[ "$status" -eq 1 ]
	[[ $output == *"replies differ"*"+++ hydrad"* ]]
	run diff_case same
	[ "$status" -eq 0 ]
}

@test "differential: arity_connection" {
	diff_case arity_connection
}

@test "differential: arity_hashes" {
	diff_case arity_hashes
}

@test "differential: arity_keys" {
	diff_case arity_keys
}

@test "differential: arity_lists" {
	diff_case arity_lists
}

@test "differential: arity_strings" {
	diff_case arity_strings
}

@test "differential: arity_zsets" {
	diff_case arity_zsets
}

@test "differential: client_names" {
	diff_case client_names
}

@test "differential: client_reply" {
	diff_case client_reply
}

@test "differential: command_count" {
	diff_case command_count
}

@test "differential: command_info" {
	diff_case command_info
}

@test "differential: config_encoding_limits" {
	diff_case config_encoding_limits
}

@test "differential: config_get_set" {
	diff_case config_get_set
}

@test "differential: conn_echo" {
	diff_case conn_echo
}

@test "differential: conn_ping" {
	diff_case conn_ping
}

@test "differential: conn_quit" {
	diff_case conn_quit
}

@test "differential: conn_quit_args" {
	diff_case conn_quit_args
}

@test "differential: conn_quit_pipeline" {
	diff_case conn_quit_pipeline
}

@test "differential: conn_select" {
	diff_case conn_select
}

@test "differential: conn_select_keys" {
	diff_case conn_select_keys
}

@test "differential: copy" {
	diff_case copy
}

@test "differential: dump_collection_errors" {
	diff_case dump_collection_errors
}

@test "differential: dump_command" {
	diff_case dump_command
}

@test "differential: dump_hashes" {
	diff_case dump_hashes
}

@test "differential: dump_legacy_encodings" {
	diff_case dump_legacy_encodings
}

@test "differential: dump_lists" {
	diff_case dump_lists
}

@test "differential: dump_restore_errors" {
	diff_case dump_restore_errors
}

@test "differential: dump_restore_encoding" {
	diff_case dump_restore_encoding
}

@test "differential: dump_sets" {
	diff_case dump_sets
}

@test "differential: dump_strings" {
	diff_case dump_strings
}

@test "differential: dump_zsets" {
	diff_case dump_zsets
}

@test "differential: getex" {
	diff_case getex
}

@test "differential: hash_basic" {
	diff_case hash_basic
}

@test "differential: hash_binary" {
	diff_case hash_binary
}

@test "differential: hash_encoding" {
	diff_case hash_encoding
}

@test "differential: hash_encoding_pipeline" {
	diff_case hash_encoding_pipeline
}

@test "differential: hash_hincrby" {
	diff_case hash_hincrby
}

@test "differential: hash_hincrbyfloat" {
	diff_case hash_hincrbyfloat
}

@test "differential: hash_hrandfield" {
	diff_case hash_hrandfield
}

@test "differential: hash_hscan" {
	diff_case hash_hscan
}

@test "differential: hash_keys" {
	diff_case hash_keys
}

@test "differential: hash_resp3" {
	diff_case hash_resp3
}

@test "differential: hello_errors" {
	diff_case hello_errors
}

@test "differential: hello_resp3" {
	diff_case hello_resp3
}

@test "differential: info_sections" {
	diff_case info_sections
}

@test "differential: keys_dbsize_flush" {
	diff_case keys_dbsize_flush
}

@test "differential: keys_del_exists" {
	diff_case keys_del_exists
}

@test "differential: keys_expire" {
	diff_case keys_expire
}

@test "differential: keys_expire_options" {
	diff_case keys_expire_options
}

@test "differential: keys_expireat" {
	diff_case keys_expireat
}

@test "differential: keys_expired_lazily" {
	diff_case keys_expired_lazily
}

@test "differential: keys_keys" {
	diff_case keys_keys
}

@test "differential: keys_keys_empty" {
	diff_case keys_keys_empty
}

@test "differential: keys_randomkey" {
	diff_case keys_randomkey
}

@test "differential: keys_scan" {
	diff_case keys_scan
}

@test "differential: keys_ttl_persist" {
	diff_case keys_ttl_persist
}

@test "differential: keys_type" {
	diff_case keys_type
}

@test "differential: lcs" {
	diff_case lcs
}

@test "differential: blocking_errors" {
	diff_case blocking_errors
}

@test "differential: blocking_nonblocking" {
	diff_case blocking_nonblocking
}

@test "differential: blocking_resp3" {
	diff_case blocking_resp3
}

@test "differential: bzpop_command" {
	diff_case bzpop_command
}

@test "differential: bzpop_errors" {
	diff_case bzpop_errors
}

@test "differential: bzpop_nonblocking" {
	diff_case bzpop_nonblocking
}

@test "differential: bzpop_resp3" {
	diff_case bzpop_resp3
}

@test "differential: lists" {
	diff_case lists
}

@test "differential: move_swapdb" {
	diff_case move_swapdb
}

@test "differential: pipeline_errors" {
	diff_case pipeline_errors
}

@test "differential: pipeline_many" {
	diff_case pipeline_many
}

@test "differential: pipeline_proto_error" {
	diff_case pipeline_proto_error
}

@test "differential: pipeline_select" {
	diff_case pipeline_select
}

@test "differential: proto_big_arg" {
	diff_case proto_big_arg
}

@test "differential: proto_bulk_count_line_too_big" {
	diff_case proto_bulk_count_line_too_big
}

@test "differential: proto_bulk_len" {
	diff_case proto_bulk_len
}

@test "differential: proto_bulk_len_at_limit" {
	diff_case proto_bulk_len_at_limit
}

@test "differential: proto_bulk_len_negative" {
	diff_case proto_bulk_len_negative
}

@test "differential: proto_bulk_len_spaces" {
	diff_case proto_bulk_len_spaces
}

@test "differential: proto_bulk_len_too_big" {
	diff_case proto_bulk_len_too_big
}

@test "differential: proto_bulk_no_crlf" {
	diff_case proto_bulk_no_crlf
}

@test "differential: proto_chunks_error" {
	diff_case proto_chunks_error
}

@test "differential: proto_chunks_one_byte" {
	diff_case proto_chunks_one_byte
}

@test "differential: proto_chunks_seven" {
	diff_case proto_chunks_seven
}

@test "differential: proto_empty_bulks" {
	diff_case proto_empty_bulks
}

@test "differential: proto_expected_dollar" {
	diff_case proto_expected_dollar
}

@test "differential: proto_expected_dollar_star" {
	diff_case proto_expected_dollar_star
}

@test "differential: proto_inline_bare_cr" {
	diff_case proto_inline_bare_cr
}

@test "differential: proto_inline_misc" {
	diff_case proto_inline_misc
}

@test "differential: proto_inline_nul" {
	diff_case proto_inline_nul
}

@test "differential: proto_inline_quote_then_text" {
	diff_case proto_inline_quote_then_text
}

@test "differential: proto_inline_quotes" {
	diff_case proto_inline_quotes
}

@test "differential: proto_inline_quotes_single" {
	diff_case proto_inline_quotes_single
}

@test "differential: proto_inline_too_big" {
	diff_case proto_inline_too_big
}

@test "differential: proto_mbulk_count_line_too_big" {
	diff_case proto_mbulk_count_line_too_big
}

@test "differential: proto_mbulk_len" {
	diff_case proto_mbulk_len
}

@test "differential: proto_mbulk_len_huge" {
	diff_case proto_mbulk_len_huge
}

@test "differential: proto_mbulk_len_signs" {
	diff_case proto_mbulk_len_signs
}

@test "differential: proto_mbulk_len_space" {
	diff_case proto_mbulk_len_space
}

@test "differential: proto_mixed_pipeline" {
	diff_case proto_mixed_pipeline
}

@test "differential: proto_partial_then_complete" {
	diff_case proto_partial_then_complete
}

@test "differential: rename" {
	diff_case rename
}

@test "differential: set_algebra" {
	diff_case set_algebra
}

@test "differential: set_arity" {
	diff_case set_arity
}

@test "differential: set_keys" {
	diff_case set_keys
}

@test "differential: set_members" {
	diff_case set_members
}

@test "differential: set_pop_rand" {
	diff_case set_pop_rand
}

@test "differential: set_smove" {
	diff_case set_smove
}

@test "differential: set_sscan" {
	diff_case set_sscan
}

@test "differential: set_table" {
	diff_case set_table
}

@test "differential: str_append_strlen" {
	diff_case str_append_strlen
}

@test "differential: str_counters" {
	diff_case str_counters
}

@test "differential: str_counters_errors" {
	diff_case str_counters_errors
}

@test "differential: str_counters_overflow" {
	diff_case str_counters_overflow
}

@test "differential: str_encodings" {
	diff_case str_encodings
}

@test "differential: str_getrange_setrange" {
	diff_case str_getrange_setrange
}

@test "differential: str_getset_getdel_setnx" {
	diff_case str_getset_getdel_setnx
}

@test "differential: str_incrbyfloat" {
	diff_case str_incrbyfloat
}

@test "differential: str_mget_mset" {
	diff_case str_mget_mset
}

@test "differential: str_set_expire" {
	diff_case str_set_expire
}

@test "differential: str_set_get" {
	diff_case str_set_get
}

@test "differential: str_set_keepttl" {
	diff_case str_set_keepttl
}

@test "differential: str_set_options" {
	diff_case str_set_options
}

@test "differential: memory_errors" {
	diff_case memory_errors
}

@test "differential: sort_lists" {
	diff_case sort_lists
}

@test "differential: sort_sets" {
	diff_case sort_sets
}

@test "differential: sort_zsets" {
	diff_case sort_zsets
}

@test "differential: sort_hash_patterns" {
	diff_case sort_hash_patterns
}

@test "differential: sort_zset_encoding" {
	diff_case sort_zset_encoding
}

@test "differential: str_setex_psetex" {
	diff_case str_setex_psetex
}

@test "differential: str_size_limit" {
	diff_case str_size_limit
}

@test "differential: touch_object" {
	diff_case touch_object
}

@test "differential: unknown_commands" {
	diff_case unknown_commands
}

@test "differential: wrongtype" {
	diff_case wrongtype
}

@test "differential: zset_add" {
	diff_case zset_add
}

@test "differential: zset_edges" {
	diff_case zset_edges
}

@test "differential: zset_encoding_big" {
	diff_case zset_encoding_big
}

@test "differential: zset_index_big" {
	diff_case zset_index_big
}

@test "differential: zset_index_batch" {
	diff_case zset_index_batch
}

@test "differential: zset_keys" {
	diff_case zset_keys
}

@test "differential: zset_lex" {
	diff_case zset_lex
}

@test "differential: zset_ops" {
	diff_case zset_ops
}

@test "differential: zset_ops_sets" {
	diff_case zset_ops_sets
}

@test "differential: zset_pop" {
	diff_case zset_pop
}

@test "differential: zset_randmember" {
	diff_case zset_randmember
}

@test "differential: zset_range" {
	diff_case zset_range
}

@test "differential: zset_rangestore" {
	diff_case zset_rangestore
}

@test "differential: zset_rank_count" {
	diff_case zset_rank_count
}

@test "differential: zset_rem" {
	diff_case zset_rem
}

@test "differential: zset_resp3" {
	diff_case zset_resp3
}

@test "differential: zset_scan" {
	diff_case zset_scan
}

@test "differential: zset_scores" {
	diff_case zset_scores
}
