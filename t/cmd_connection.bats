#!/usr/bin/env bats
#
# The connection commands and the clients' life on the workers: HELLO,
# AUTH and RESET reply as Redis 7.0 replies, byte for byte; a password
# keeps everything but AUTH, HELLO, QUIT and RESET away until AUTH;
# CLIENT LIST and CLIENT KILL see the clients of every worker; maxclients
# counts the clients of all workers; the workers share the connections;
# timeout closes idle clients and tcp-keepalive arms the keepalive timer.

load helpers/common

CLIENTS=$HYDRA_TOP/t/helpers/clients.py

teardown() {
	stop_oracle
	stop_hydrad
}

# cmd WORD...: one request in RESP on standard output.
cmd() {
	local LC_ALL=C a
	printf '*%d\r\n' $#
	for a in "$@"; do
		printf '$%d\r\n%s\r\n' "${#a}" "$a"
	done
}

# mask_ids: the reply bytes of standard input with the client id of a
# HELLO map set to 0, since each server numbers its clients its own way.
mask_ids() {
	perl -0777 -pe 's/(\$2\r\nid\r\n:)\d+/${1}0/g'
}

# same_reply_masked: same_reply, with the ids of HELLO maps masked.
same_reply_masked() {
	local req=$BATS_TEST_TMPDIR/request ours theirs
	cat >"$req"
	ours=$(python3 "$RESP_CLIENT" raw "$HYDRA_PORT" <"$req" | mask_ids |
	    od -An -c)
	theirs=$(python3 "$RESP_CLIENT" raw "$ORACLE_PORT" <"$req" |
	    mask_ids | od -An -c)
	if [ -z "$theirs" ] || [ "$ours" != "$theirs" ]; then
		printf 'request:\n%s\nhydrad:\n%s\nredis-server:\n%s\n' \
		    "$(od -An -c "$req")" "$ours" "$theirs" >&2
		return 1
	fi
}

# keys_of LINE: the field names of a CLIENT LIST line, space-separated.
keys_of() {
	tr ' ' '\n' <<<"$1" | sed -n 's/=.*//p' | tr '\n' ' '
}

@test "HELLO answers Redis 7.0's map in RESP2 and RESP3" {
	# Invariant: HELLO, HELLO 2, HELLO 3 (with AUTH and SETNAME) reply
	# the same bytes as Redis 7.0, but for the client id.
	start_server
	start_oracle
	{
		cmd hello
		cmd hello 3
		cmd client getname
		cmd hello 2 setname conn1
		cmd client getname
		cmd hello 3 auth default anything setname conn2
		cmd client getname
		cmd hello 2 setname ""
		cmd client getname
	} | same_reply_masked
}

@test "after HELLO 3 a missing key is the RESP3 null" {
	# Invariant: HELLO 3 switches the connection to RESP3, where a null
	# is "_"; HELLO 2 switches it back to "$-1".
	start_server
	start_oracle
	{ cmd hello 3; cmd get nosuchkey; } |
	    python3 "$RESP_CLIENT" raw "$HYDRA_PORT" >"$BATS_TEST_TMPDIR/out"
	[ "$(tail -c 3 "$BATS_TEST_TMPDIR/out" | od -An -c)" = \
	    "$(printf '_\r\n' | od -An -c)" ]
	{
		cmd hello 3
		cmd get nosuchkey
		cmd client getname
		cmd hello 2
		cmd get nosuchkey
	} | same_reply_masked
}

@test "HELLO and AUTH errors are Redis 7.0's" {
	# Invariant: every refusal of HELLO and AUTH without a password is
	# the same error as Redis 7.0's, and changes nothing.
	start_server
	start_oracle
	{
		cmd hello 1
		cmd hello 4
		cmd hello -1
		cmd hello x
		cmd hello 03
		cmd hello 3 foo
		cmd hello 3 auth
		cmd hello 3 auth default
		cmd hello 3 auth other pw
		cmd hello 3 setname "a b"
		cmd hello 2 SETNAME
		cmd get nosuchkey
		cmd auth
		cmd auth pw
		cmd auth default pw
		cmd auth other pw
		cmd auth a b c
		cmd reset x
	} | same_reply
}

@test "with requirepass: NOAUTH, WRONGPASS, AUTH, HELLO AUTH and RESET" {
	# Invariant: with a password, a new client gets NOAUTH for every
	# command but AUTH, HELLO and QUIT (unknown commands and wrong
	# arities first, as in Redis); AUTH with a wrong password is
	# WRONGPASS; AUTH and HELLO AUTH open the connection; RESET closes
	# it again.  The bytes are Redis 7.0's.
	start_hydrad --workers 2 --requirepass sekret
	wait_pong "$HYDRA_PORT"
	start_oracle --requirepass sekret
	{
		cmd ping
		cmd nosuchcommand
		cmd get
		cmd get k
		cmd client id
		cmd client nosuchsub
		cmd client id extra
		cmd select 1
		cmd hello
		cmd hello 3
		cmd hello 3 setname x
		cmd hello x
		cmd hello 3 auth default wrong
		cmd auth wrong
		cmd auth default wrong
		cmd auth a b c
		cmd auth sekret
		cmd ping
		cmd auth wrong
		cmd ping
		cmd reset
		cmd ping
		cmd reset
		cmd auth default sekret
		cmd ping
		cmd reset
		cmd hello 3 auth default sekret setname "a b"
		cmd ping
		cmd reset
		cmd hello 2 auth default sekret
		cmd get k
		cmd quit
	} | same_reply_masked
	# QUIT needs no AUTH either.
	{ cmd get k; cmd quit; } | same_reply
	run redis-cli -p "$HYDRA_PORT" get k
	[[ $output == *"NOAUTH Authentication required."* ]]
	run redis-cli -p "$HYDRA_PORT" --no-auth-warning -a sekret set k v
	[ "$output" = OK ]
	run redis-cli -p "$HYDRA_PORT" --no-auth-warning -a sekret get k
	[ "$output" = v ]
}

@test "before AUTH, requests are held to Redis's smaller limits" {
	# Invariant: an unauthenticated client may not send more than 10
	# arguments or a bulk over 16 KiB (Redis's protocol errors); after
	# AUTH it may.
	start_hydrad --workers 2 --requirepass sekret
	wait_pong "$HYDRA_PORT"
	start_oracle --requirepass sekret
	printf '*11\r\n' | same_reply
	printf '*2\r\n$3\r\nget\r\n$20000\r\n' | same_reply
	{
		cmd auth sekret
		cmd set k "$(head -c 20000 /dev/zero | tr '\0' x)"
		cmd strlen k
	} | python3 "$RESP_CLIENT" raw "$HYDRA_PORT" | od -An -c \
	    >"$BATS_TEST_TMPDIR/out"
	[ "$(cat "$BATS_TEST_TMPDIR/out")" = \
	    "$(printf '+OK\r\n+OK\r\n:20000\r\n' | od -An -c)" ]
}

@test "RESET goes back to RESP2, database 0 and no name" {
	# Invariant: RESET answers +RESET and undoes HELLO 3, SELECT and
	# SETNAME, as Redis 7.0's RESET does.
	start_server
	start_oracle
	redis-cli -p "$HYDRA_PORT" -n 3 set k3 v >/dev/null
	redis-cli -p "$ORACLE_PORT" -n 3 set k3 v >/dev/null
	{
		cmd hello 3
		cmd select 3
		cmd client setname before
		cmd reset
		cmd client getname
		cmd get k3
		cmd get nosuchkey
	} | same_reply_masked
}

@test "CLIENT errors and HELP are Redis 7.0's" {
	# Invariant: CLIENT without or with an unknown subcommand, with a
	# wrong arity or a bad argument, replies Redis 7.0's error; HELP is
	# Redis 7.0's text.
	start_server
	start_oracle
	{
		cmd client
		cmd client nosuchsub
		cmd client nosuchsub arg
		cmd client id extra
		cmd client getname extra
		cmd client setname
		cmd client setname "a b"
		cmd client setname "a
b"
		cmd client no-evict
		cmd client no-evict maybe
		cmd client no-evict on
		cmd client no-evict OFF
		cmd client list type nosuchtype
		cmd client list type
		cmd client list id
		cmd client list id x
		cmd client list id 1 x
		cmd client list nosuchoption
		cmd client list type normal id 1
		cmd client list id 0 -1 999999
		cmd client kill
		cmd client kill 1.2.3.4:5
		cmd client kill id
		cmd client kill id x
		cmd client kill id 0
		cmd client kill id 999999
		cmd client kill type nosuchtype
		cmd client kill type master
		cmd client kill type pubsub
		cmd client kill user nosuchuser
		cmd client kill skipme maybe
		cmd client kill skipme no skipme
		cmd client kill nosuchoption x
		cmd client kill addr 1.2.3.4:5
		cmd client kill laddr 1.2.3.4:5
		cmd client kill maxage 5
		cmd client getredir
		cmd client getredir extra
		cmd client trackinginfo
		cmd client trackinginfo extra
		cmd client caching yes
		cmd client caching
		cmd client unblock 5
		cmd client unblock -1 timeout
		cmd client unblock 5 ERROR
		cmd client unblock 5 maybe
		cmd client unblock x
		cmd client unblock x maybe
		cmd client UNBLOCK x maybe extra
		cmd client help
		cmd hello 3
		cmd client trackinginfo
	} | same_reply_masked
}

@test "CLIENT REPLY OFF and SKIP silence replies, ON brings them back" {
	# Invariant: the replies sent around CLIENT REPLY OFF, SKIP and ON
	# are exactly Redis 7.0's, errors and HELLO included.
	start_server
	start_oracle
	{
		cmd client reply nosuchmode
		cmd client reply
		cmd client reply skip
		cmd ping
		cmd ping a
		cmd client reply off
		cmd ping
		cmd hello 3
		cmd client reply skip
		cmd nosuchcommand
		cmd client reply on
		cmd get nosuchkey
		cmd ping b
		cmd client reply skip
		cmd client reply on
		cmd ping c
		cmd client reply skip
		cmd client reply skip
		cmd ping d
		cmd ping e
	} | same_reply_masked
}

@test "CLIENT ID, SETNAME, GETNAME, INFO and NO-EVICT describe this client" {
	# Invariant: CLIENT INFO has Redis 7.0's fields in Redis's order
	# (then lib-name and lib-ver, as Redis 7.2), and shows this client's
	# id, address, name, database, protocol, flags and command.
	start_server
	start_oracle
	theirs=$(redis-cli -p "$ORACLE_PORT" client info)
	id=$(redis-cli -p "$HYDRA_PORT" client id)
	[[ $id =~ ^[0-9]+$ ]]
	out=$({
		cmd client setname myname
		cmd client getname
		cmd client no-evict on
		cmd select 2
		cmd hello 3
		cmd client info
	} | python3 "$RESP_CLIENT" raw "$HYDRA_PORT")
	line=${out#*txt:}
	[ "$(keys_of "$line")" = "$(keys_of "$theirs")lib-name lib-ver " ]
	[[ $out == *'$6'$'\r\n''myname'$'\r\n'* ]]
	[[ $line == *" name=myname "* ]]
	[[ $line == *" flags=e "* ]]
	[[ $line == *" db=2 "* ]]
	[[ $line == *" cmd=client|info "* ]]
	[[ $line == *" resp=3 "* ]]
	[[ $line == *" laddr=127.0.0.1:$HYDRA_PORT "* ]]
	[[ $line =~ ^id=([0-9]+)\ addr=127\.0\.0\.1:[0-9]+\  ]]
	((BASH_REMATCH[1] > id))
	# Names are refused as Redis refuses them, and an empty one clears.
	run redis-cli -p "$HYDRA_PORT" client setname "a b"
	[ "$output" = "ERR Client names cannot contain spaces, newlines or special characters." ]
	{ cmd client setname x; cmd client setname ""; cmd client getname; } |
	    same_reply
}

@test "CLIENT SETINFO sets the library fields, as Redis 7.2 does" {
	# Invariant: SETINFO LIB-NAME and LIB-VER set what CLIENT LIST
	# shows; another attribute or a value with a blank is refused.
	start_server
	out=$({
		cmd client setinfo lib-name redis-py
		cmd client setinfo LIB-VER 5.0.1
		cmd client setinfo lib-color red
		cmd client setinfo lib-name "a b"
		cmd client info
	} | python3 "$RESP_CLIENT" raw "$HYDRA_PORT")
	[[ $out == "+OK"$'\r\n'"+OK"$'\r\n'"-ERR Unrecognized option 'lib-color'"$'\r\n'"-ERR lib-name cannot contain spaces, newlines or special characters."$'\r\n'* ]]
	# (The shell drops the reply's final newline.)
	[[ $out == *" lib-name=redis-py lib-ver=5.0.1"$'\n\r' ]]
}

@test "CLIENT LIST across two workers shows every connection" {
	# Invariant: CLIENT LIST on one worker lists the clients of both,
	# each once, under its own id and address.
	command -v ss >/dev/null || skip "no ss to tell the workers apart"
	start_server
	run python3 "$CLIENTS" list "$HYDRA_PORT" 12
	echo "$output"
	[ "$status" -eq 0 ]
	# Filters: ID keeps the clients named, TYPE pubsub none of ours.
	out=$({ cmd client id; cmd client list id 999999; } |
	    python3 "$RESP_CLIENT" raw "$HYDRA_PORT")
	[[ $out == *'$0'$'\r\n\r' ]]
	run redis-cli -p "$HYDRA_PORT" client list type pubsub
	[ -z "$output" ]
	run redis-cli -p "$HYDRA_PORT" client list type normal
	[[ $output == "id="*" cmd=client|list "* ]]
}

@test "CLIENT KILL ID closes a client on the other worker" {
	# Invariant: a kill of a client served by another worker (by ID, by
	# ADDR) is counted in the reply and closes that client within two
	# seconds; LADDR with SKIPME closes every client but the caller.
	command -v ss >/dev/null || skip "no ss to tell the workers apart"
	start_server
	run python3 "$CLIENTS" kill-other "$HYDRA_PORT"
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "CLIENT KILL ip:port and SKIPME no" {
	# Invariant: the old form kills the client at that address (+OK)
	# or answers "No such client"; SKIPME no lets a client kill itself,
	# after its reply.
	start_server
	exec {fd}<>"/dev/tcp/127.0.0.1/$HYDRA_PORT"
	printf 'CLIENT ID\r\n' >&"$fd"
	read -r -t 2 -u "$fd" line
	vid=${line#:}
	vid=${vid%$'\r'}
	addr=$(redis-cli -p "$HYDRA_PORT" client list id "$vid" |
	    sed -n 's/.* addr=\([^ ]*\) .*/\1/p')
	[ -n "$addr" ]
	run redis-cli -p "$HYDRA_PORT" client kill "$addr"
	[ "$output" = OK ]
	rc=0
	read -r -t 2 -u "$fd" line || rc=$?
	[ "$rc" -eq 1 ]
	exec {fd}>&-
	run redis-cli -p "$HYDRA_PORT" client kill "$addr"
	[ "$output" = "ERR No such client" ]
	out=$({ cmd client kill skipme no; cmd ping; } |
	    python3 "$RESP_CLIENT" raw "$HYDRA_PORT")
	[ "$out" = ":1"$'\r' ]
}

@test "maxclients counts the clients of every worker" {
	# Invariant: with maxclients 3 and two workers, the fourth client is
	# refused with Redis's exact error and closed; once a client leaves,
	# a new one is served.
	start_server --maxclients 3
	run python3 "$CLIENTS" maxclients "$HYDRA_PORT" 3
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "the two workers share the connections" {
	# Invariant: 40 connections opened at once end up spread over both
	# workers, neither holding less than a third.
	command -v ss >/dev/null || skip "no ss to tell the workers apart"
	start_server
	run python3 "$CLIENTS" balance "$HYDRA_PORT" 40
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "timeout closes an idle client, not a busy one" {
	# Invariant: with timeout 1, a client silent for more than a second
	# is closed, and one that keeps sending is not.
	start_server --timeout 1
	run python3 "$CLIENTS" idle "$HYDRA_PORT" 1
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "tcp-keepalive arms the keepalive timer of client sockets" {
	# Invariant: with tcp-keepalive 60 the server's side of a client
	# connection has a keepalive timer; with 0 it has none.
	command -v ss >/dev/null || skip "no ss"
	start_server --tcp-keepalive 60
	exec {fd}<>"/dev/tcp/127.0.0.1/$HYDRA_PORT"
	printf 'PING\r\n' >&"$fd"
	read -r -t 2 -u "$fd" line
	run ss -tnoH state established "( sport = :$HYDRA_PORT )"
	echo "$output"
	[[ $output == *"timer:(keepalive,"* ]]
	exec {fd}>&-
	stop_hydrad
	HYDRA_PORT= HYDRA_DIR= HYDRA_ARENA=
	start_server --tcp-keepalive 0
	exec {fd}<>"/dev/tcp/127.0.0.1/$HYDRA_PORT"
	printf 'PING\r\n' >&"$fd"
	read -r -t 2 -u "$fd" line
	run ss -tnoH state established "( sport = :$HYDRA_PORT )"
	echo "$output"
	[ -n "$output" ]
	[[ $output != *"keepalive"* ]]
	exec {fd}>&-
}
