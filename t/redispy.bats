#!/usr/bin/env bats
#
# hydrad through redis-py, Debian's python3-redis run by /usr/bin/python3:
# t/helpers/redispy_check.py drives one server per section (plain
# commands, pipelines, errors, decode_responses, a connection pool, the
# handshakes of db= and client_name=) and prints what the library sees;
# the output against hydrad must be the same as against redis-server.
# Both servers run for the whole file.

load helpers/common

PYTHON=/usr/bin/python3
CHECK=$BATS_TEST_DIRNAME/helpers/redispy_check.py

setup_file() {
	start_server
	start_oracle
	export HYDRA_PORT HYDRA_ARENA HYDRAD_PID ORACLE_PORT ORACLE_PID
}

teardown_file() {
	stop_oracle
	stop_hydrad
}

setup() {
	"$PYTHON" -c 'import redis' 2>/dev/null ||
	    skip "no redis-py for $PYTHON (Debian's python3-redis)"
}

# same_output SECTION: run SECTION against both servers; both must reach
# its end and print the same lines.
same_output() {
	local theirs ours
	theirs=$("$PYTHON" "$CHECK" "$1" "$ORACLE_PORT" 2>&1) || {
		echo "against redis-server:"
		echo "$theirs"
		return 1
	}
	[[ $theirs == *done ]]
	ours=$("$PYTHON" "$CHECK" "$1" "$HYDRA_PORT" 2>&1) || true
	if [ "$ours" != "$theirs" ]; then
		echo "section $1 (- redis-server, + hydrad):"
		diff -u <(echo "$theirs") <(echo "$ours") | tail -n +3
		return 1
	fi
}

# pending_unless COMMAND...: skip the test, as pending, when hydrad
# answers this request with "unknown command".
pending_unless() {
	local reply
	reply=$(redis-cli -p "$HYDRA_PORT" "$@" 2>&1)
	[[ $reply != "ERR unknown command"* ]] || skip "pending: $1"
}

@test "what this redis-py sends on connect, hydrad answers as redis" {
	# Invariant: every command the installed redis-py sends before the
	# first one of the program, with its defaults and with db=3, gets
	# the same reply bytes from hydrad as from redis-server (the
	# client_name handshake has its own test below).  The version and the
	# handshake are printed as TAP comments, for the record.
	run "$PYTHON" "$CHECK" handshake
	echo "$output"
	[ "$status" -eq 0 ]
	local line
	while IFS= read -r line; do
		echo "# $line" >&3
	done <<<"$output"
	[[ ${lines[0]} == "redis-py "* ]]
	# The commands of those handshakes, one per line, in RESP.
	awk '/^(defaults|db=3):/ { on = 1; next } /^[^ ]/ { on = 0 }
	    on { sub(/^  /, ""); print }' <<<"$output" >"$BATS_TEST_TMPDIR/sent"
	while IFS= read -r line; do
		# shellcheck disable=SC2086
		set -- $line
		printf '*%d\r\n' $# >"$BATS_TEST_TMPDIR/req"
		for a in "$@"; do
			printf '$%d\r\n%s\r\n' "${#a}" "$a" >>"$BATS_TEST_TMPDIR/req"
		done
		same_reply <"$BATS_TEST_TMPDIR/req"
	done <"$BATS_TEST_TMPDIR/sent"
}

@test "redis-py: plain commands with the default connection" {
	same_output basic
}

@test "redis-py: pipelines of a few hundred commands, errors included" {
	same_output pipeline
}

@test "redis-py: error replies raise ResponseError with the same text" {
	same_output errors
}

@test "redis-py: decode_responses off and on" {
	same_output decode
}

@test "redis-py: a connection pool with five connections at once" {
	same_output pool
}

@test "redis-py: db=3 selects its database on connect" {
	same_output db
}

@test "redis-py: client_name sets the name on connect" {
	pending_unless CLIENT GETNAME
	same_output name
}
