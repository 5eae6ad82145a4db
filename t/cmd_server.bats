#!/usr/bin/env bats
#
# The server commands: CONFIG GET/SET/RESETSTAT/REWRITE/HELP across
# workers, INFO's sections and counters summed over workers, COMMAND and
# its subcommands, TIME, LASTSAVE and DEBUG.  Where replies are
# deterministic they are compared byte for byte with redis-server's.

load helpers/common

teardown() {
	stop_oracle
	stop_hydrad
}

# spread PORT: run the python snippet on standard input with a connection
# to each of the two workers.  The snippet gets cmd(conn, *args) -> the
# reply, info_field(conn, section, name) and conns: a dict from worker
# index to a connection served by that worker.
spread() {
	python3 - "$1" <<EOF
import socket, sys
port = int(sys.argv[1])

def enc(*args):
    out = b"*%d\r\n" % len(args)
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out += b"\$%d\r\n%s\r\n" % (len(a), a)
    return out

def readline(f):
    return f.readline().decode("latin1").rstrip("\r\n")

def read(f):
    line = readline(f)
    t, rest = line[0], line[1:]
    if t in "+-:":
        return line
    if t in "\$=":
        n = int(rest)
        if n < 0:
            return None
        data = f.read(n + 2)[:-2].decode("latin1")
        return data[4:] if t == "=" else data
    if t == "*":
        return [read(f) for _ in range(int(rest))]
    raise SystemExit("unexpected reply " + line)

def cmd(c, *args):
    c[0].sendall(enc(*args))
    return read(c[1])

def info_field(c, section, name):
    for line in cmd(c, "INFO", section).split("\r\n"):
        if line.startswith(name + ":"):
            return line.split(":", 1)[1]
    return None

def connect():
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    return (s, s.makefile("rb"))

# Keep the first connection's worker busy in DEBUG SLEEP, so that the
# other worker accepts the next connection.
first = connect()
conns = {int(info_field(first, "hydra", "this_worker")): first}
first[0].sendall(enc("DEBUG", "SLEEP", "1"))
held = []
for _ in range(64):
    c = connect()
    held.append(c)
    conns.setdefault(int(info_field(c, "hydra", "this_worker")), c)
    if len(conns) == 2:
        break
if len(conns) != 2:
    raise SystemExit("only worker(s) %s served 64 connections" % list(conns))
assert read(first[1]) == "+OK"
$(cat)
EOF
}

@test "CONFIG errors and values match redis-server's bytes" {
	# Invariant: CONFIG's errors (unknown, immutable, duplicate, bad
	# value, odd arguments, unknown subcommand, arity) and a CONFIG GET
	# of a fixed directive are Redis 7.0's bytes.
	start_server
	start_oracle
	printf '%s\r\n' 'CONFIG GET maxmemory' 'CONFIG GET timeout' \
	    'CONFIG GET nosuchdirective' 'CONFIG SET foo 1' \
	    'CONFIG SET daemonize yes' 'CONFIG SET hz 1 hz 2' \
	    'CONFIG SET maxmemory lots' 'CONFIG SET port 99999' \
	    'CONFIG SET loglevel loud' 'CONFIG SET appendonly maybe' \
	    'CONFIG SET hz 5 maxmemory x' 'CONFIG SET hz 5 databases 3' \
	    'CONFIG SET dir /tmp' 'CONFIG SET a b c' 'CONFIG SET hz' \
	    'CONFIG GET' 'CONFIG' 'CONFIG nosuch' 'CONFIG RESETSTAT x' \
	    'CONFIG SET maxmemory 1mb timeout 7' \
	    'CONFIG GET maxmemory' 'CONFIG GET timeout' | same_reply
}

@test "a CONFIG SET that fails changes nothing" {
	# Invariant: CONFIG SET with several pairs is all or nothing: a bad
	# second value leaves the first directive as it was.
	start_server
	run redis-cli -p "$HYDRA_PORT" config set timeout 11 maxmemory bad
	[[ $output == *"argument must be a memory value"* ]]
	run redis-cli -p "$HYDRA_PORT" config get timeout
	[ "${lines[1]}" = 0 ]
	run redis-cli -p "$HYDRA_PORT" config set timeout 11 maxmemory 2mb
	[ "$output" = OK ]
	run redis-cli -p "$HYDRA_PORT" config get timeout
	[ "${lines[1]}" = 11 ]
	run redis-cli -p "$HYDRA_PORT" config get maxmemory
	[ "${lines[1]}" = 2097152 ]
}

@test "CONFIG SET cannot move the listening sockets" {
	# Invariant: port and bind may be set to the values they have, not
	# changed: only the supervisor opens listening sockets, at start.
	start_server
	run redis-cli -p "$HYDRA_PORT" config set port "$HYDRA_PORT"
	[ "$output" = OK ]
	run redis-cli -p "$HYDRA_PORT" config set port $((HYDRA_PORT + 1))
	[[ $output == *"'port') - can't change the listening sockets"* ]]
	run redis-cli -p "$HYDRA_PORT" config get port
	[ "${lines[1]}" = "$HYDRA_PORT" ]
	run redis-cli -p "$HYDRA_PORT" config set bind 10.1.2.3
	[[ $output == *"'bind') - can't change the listening sockets"* ]]
}

@test "CONFIG GET takes several patterns and shows hydra's directives" {
	# Invariant: each directive that matches any pattern comes once;
	# hydra's own directives are there with their values as set.
	start_server
	run redis-cli -p "$HYDRA_PORT" config get 'max*' maxmemory workers \
	    arena-size
	[ "$(grep -cx maxmemory <<<"$output")" = 1 ]
	grep -qx maxmemory-policy <<<"$output"
	grep -qx maxclients <<<"$output"
	[ "$(grep -A1 -x workers <<<"$output" | tail -1)" = 2 ]
	[ "$(grep -A1 -x arena-size <<<"$output" | tail -1)" = 67108864 ]
	run redis-cli -p "$HYDRA_PORT" config set workers 3
	[[ $output == *"can't set immutable config"* ]]
}

@test "CONFIG SET on one worker is seen on the other" {
	# Invariant: a change made through a connection of one worker is
	# what CONFIG GET answers on a connection of the other.
	start_server --enable-debug-command yes
	spread "$HYDRA_PORT" <<'PY'
r = cmd(conns[0], "CONFIG", "SET", "maxmemory", "12345", "timeout", "42")
assert r == "+OK", r
for w in (0, 1):
    assert cmd(conns[w], "CONFIG", "GET", "maxmemory") == \
        ["maxmemory", "12345"], w
    assert cmd(conns[w], "CONFIG", "GET", "timeout") == ["timeout", "42"], w
r = cmd(conns[1], "CONFIG", "SET", "maxmemory", "777")
assert r == "+OK", r
assert cmd(conns[0], "CONFIG", "GET", "maxmemory") == ["maxmemory", "777"]
PY
}

@test "a respawned worker replays the CONFIG SET log" {
	# Invariant: a worker forked after a CONFIG SET starts with the
	# change applied.
	start_server
	run redis-cli -p "$HYDRA_PORT" config set maxmemory-samples 9
	[ "$output" = OK ]
	for pid in $(pgrep -P "$HYDRAD_PID" -f '^hydrad: worker'); do
		kill -KILL "$pid"
	done
	for ((try = 0; try < 100; try++)); do
		run redis-cli -p "$HYDRA_PORT" info hydra
		[[ $output == *"worker_respawns:2"* ]] &&
		    [[ $output == *"workers_alive:2"* ]] && break
		sleep 0.05
	done
	[[ $output == *"worker_respawns:2"* ]]
	for i in 1 2 3 4 5 6; do
		run redis-cli -p "$HYDRA_PORT" config get maxmemory-samples
		[ "${lines[1]}" = 9 ]
	done
}

@test "INFO counters are summed over both workers" {
	# Invariant: commands served by either worker count in
	# total_commands_processed, cmdstat_get and errorstat_ERR, whichever
	# worker answers INFO.
	start_server --enable-debug-command yes
	spread "$HYDRA_PORT" <<'PY'
N = 25
for w in (0, 1):
    for i in range(N):
        cmd(conns[w], "GET", "k%d" % i)
    cmd(conns[w], "NOSUCHCOMMAND")
    cmd(conns[w], "GET")
for w in (0, 1):
    total = int(info_field(conns[w], "stats", "total_commands_processed"))
    assert total >= 2 * N, total
    get = info_field(conns[w], "commandstats", "cmdstat_get")
    calls = int(get.split(",")[0].split("=")[1])
    rejected = int(get.split(",")[3].split("=")[1])
    assert calls == 2 * N, get
    assert rejected == 2, get
    err = info_field(conns[w], "errorstats", "errorstat_ERR")
    assert int(err.split("=")[1]) >= 4, err
    replies = int(info_field(conns[w], "stats", "total_error_replies"))
    assert replies >= 4, replies
PY
}

@test "CONFIG RESETSTAT zeroes the totals of every worker" {
	# Invariant: after RESETSTAT, commandstats and errorstats are empty
	# and the counters start again from the RESETSTAT itself.
	start_server --enable-debug-command yes
	spread "$HYDRA_PORT" <<'PY'
for w in (0, 1):
    for i in range(10):
        cmd(conns[w], "GET", "x")
    cmd(conns[w], "NOSUCHCOMMAND")
assert cmd(conns[1], "CONFIG", "RESETSTAT") == "+OK"
total = int(info_field(conns[0], "stats", "total_commands_processed"))
assert total == 1, total
assert info_field(conns[0], "stats", "total_error_replies") == "0"
assert info_field(conns[0], "commandstats", "cmdstat_get") is None
assert cmd(conns[0], "INFO", "errorstats") == "# Errorstats\r\n"
PY
}

@test "protocol errors count in errorstats as in Redis" {
	# Invariant: an error reply to a malformed request, before any
	# command ran on the connection, is counted in errorstats and
	# total_error_replies as Redis counts it.
	start_server
	start_oracle
	printf '*1\r\n$x\r\n' | raw "$HYDRA_PORT" >/dev/null
	printf '*1\r\n$x\r\n' | raw "$ORACLE_PORT" >/dev/null
	printf '%s\r\n' 'INFO errorstats' | same_reply
	run redis-cli -p "$HYDRA_PORT" info stats
	[[ $output == *"total_error_replies:1"* ]]
}

@test "INFO counts expired keys, lazy and active, over all workers" {
	# Invariant: expired_keys counts every key deleted because its time
	# passed: by the active sweep (never read again) and by a read.
	start_server
	redis-cli -p "$HYDRA_PORT" set swept v px 1 >/dev/null
	for ((try = 0; try < 100; try++)); do
		[ "$(redis-cli -p "$HYDRA_PORT" dbsize)" = 0 ] && break
		sleep 0.05
	done
	[ "$(redis-cli -p "$HYDRA_PORT" dbsize)" = 0 ]
	run redis-cli -p "$HYDRA_PORT" info stats
	[[ $output == *"expired_keys:1"* ]]
	redis-cli -p "$HYDRA_PORT" set lazy v px 1 >/dev/null
	redis-cli -p "$HYDRA_PORT" config set hz 1 >/dev/null
	for ((try = 0; try < 100; try++)); do
		run redis-cli -p "$HYDRA_PORT" info stats
		[[ $output == *"expired_keys:2"* ]] && break
		redis-cli -p "$HYDRA_PORT" get lazy >/dev/null
		sleep 0.05
	done
	[[ $output == *"expired_keys:2"* ]]
}

@test "errors under CLIENT REPLY OFF count in errorstats as in Redis" {
	# Invariant: an error reply that CLIENT REPLY OFF or SKIP keeps from
	# the client is still counted, by prefix, as Redis counts it.
	start_server
	start_oracle
	for port in "$HYDRA_PORT" "$ORACLE_PORT"; do
		printf '%s\r\n' 'CLIENT REPLY OFF' 'NOSUCH' 'INCR' \
		    'CLIENT REPLY SKIP' 'GET' 'CLIENT REPLY ON' |
		    raw "$port" >/dev/null
	done
	printf '%s\r\n' 'INFO errorstats' | same_reply
}

@test "keyspace_hits and keyspace_misses count reads as Redis counts them" {
	# Invariant: the same reads, writes and misses leave the same
	# keyspace_hits and keyspace_misses in INFO as in redis-server.
	start_server
	start_oracle
	for port in "$HYDRA_PORT" "$ORACLE_PORT"; do
		printf '%s\n' 'set a 1' 'get a' 'get nope' 'mget a nope b' \
		    'strlen a' 'getrange a 0 1' 'exists a nope' 'type a' \
		    'type nope' 'ttl a' 'pttl nope' 'expiretime a' \
		    'getset a 2' 'getdel a' 'set b x get' 'set b y get' \
		    'touch b nope' 'incr c' 'append d x' 'setrange d 0 y' \
		    'incrbyfloat e 1' 'del b' 'lcs c d' 'getex nope' \
		    'getex c' 'setnx c 1' 'expire c 100' 'persist c' |
		    redis-cli -p "$port" >/dev/null
	done
	ours=$(redis-cli -p "$HYDRA_PORT" info stats | grep keyspace_)
	theirs=$(redis-cli -p "$ORACLE_PORT" info stats | grep keyspace_)
	echo "hydrad: $ours; redis-server: $theirs"
	[[ $theirs == *"keyspace_hits:"* ]]
	[ "$ours" = "$theirs" ]
}

@test "INFO has Redis's sections, field order and CRLF lines" {
	# Invariant: INFO's default and "everything" section lists are
	# Redis's (plus Hydra), every line ends in CRLF, and the fields both
	# servers show come in the same order in each section.
	start_server
	start_oracle
	python3 - "$HYDRA_PORT" "$ORACLE_PORT" <<'PY'
import socket, sys

def info(port, *args):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    req = b"*%d\r\n" % (len(args) + 1) + b"$4\r\nINFO\r\n"
    for a in args:
        req += b"$%d\r\n%s\r\n" % (len(a), a.encode())
    s.sendall(req)
    f = s.makefile("rb")
    n = int(f.readline()[1:])
    return f.read(n).decode()

def sections(text):
    out, cur = {}, None
    for line in text.split("\r\n"):
        if line.startswith("# "):
            cur = line[2:]
            out[cur] = []
        elif line and cur is not None:
            out[cur].append(line.split(":")[0])
    return out

ours_port, theirs_port = int(sys.argv[1]), int(sys.argv[2])
for args in ((), ("everything",), ("server", "clients")):
    ours, theirs = info(ours_port, *args), info(theirs_port, *args)
    assert "\n" not in ours.replace("\r\n", ""), "a bare LF"
    assert ours.endswith("\r\n"), "no CRLF at the end"
    so, st = sections(ours), sections(theirs)
    mine = [s for s in so if s != "Hydra"]
    redis = [s for s in st if s != "Latencystats"]
    assert mine == redis, (args, mine, redis)
    for sec in mine:
        common = [f for f in so[sec] if f in st[sec]]
        order = [f for f in st[sec] if f in so[sec]]
        if sec not in ("Commandstats", "Keyspace"):
            assert common == order, (sec, common, order)
assert info(ours_port, "nosuchsection") == ""
PY
	run redis-cli -p "$HYDRA_PORT" info server
	[[ $output == *"redis_version:7.0.15"* ]]
	[[ $output == *"tcp_port:$HYDRA_PORT"* ]]
	[[ $output == *"process_id:$HYDRAD_PID"* ]]
	redis-cli -p "$HYDRA_PORT" set a 1 >/dev/null
	redis-cli -p "$HYDRA_PORT" set b 2 >/dev/null
	run redis-cli -p "$HYDRA_PORT" info keyspace
	[ "${lines[1]}" = $'db0:keys=2,expires=0,avg_ttl=0\r' ]
	run redis-cli -p "$HYDRA_PORT" info hydra
	[[ $output == *"workers:2"* ]]
	[[ $output == *"arena_size:67108864"* ]]
}

@test "COMMAND replies have Redis's shapes and errors" {
	# Invariant: COMMAND INFO of a command Redis describes the same way,
	# GETKEYS and LIST with their errors, and an unknown name give Redis's
	# bytes; COMMAND COUNT counts what COMMAND lists.
	start_server
	start_oracle
	printf '%s\r\n' 'COMMAND INFO get nosuch' 'COMMAND DOCS nosuch' \
	    'COMMAND GETKEYS mset a b c d' 'COMMAND GETKEYS get a' \
	    'COMMAND GETKEYS ping x' 'COMMAND GETKEYS nosuch a' \
	    'COMMAND GETKEYS get a b' 'COMMAND GETKEYS get' \
	    'COMMAND LIST FILTERBY MODULE x' 'COMMAND LIST FILTERBY foo x' \
	    'COMMAND LIST foo' 'COMMAND COUNT x' 'COMMAND nosuch' \
	    'COMMAND LIST FILTERBY PATTERN config|g*' \
	    'COMMAND GETKEYS config|get x' 'COMMAND GETKEYS config get x' \
	    'COMMAND GETKEYS config nosuch' 'COMMAND INFO config|get' \
	    | same_reply
	count=$(redis-cli -p "$HYDRA_PORT" command count)
	n=$(python3 - "$HYDRA_PORT" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(b"*1\r\n$7\r\nCOMMAND\r\n")
print(s.makefile("rb").readline().decode().strip()[1:])
PY
)
	[ "$count" = "$n" ]
	[ "$count" -gt 40 ]
	run redis-cli -p "$HYDRA_PORT" command docs get
	[ "${lines[0]}" = get ]
	[ "${lines[1]}" = summary ]
	# The arguments, which redis-cli turns into hints, are Redis's.
	[ "$(printf '%s\n' "${lines[@]}" | sed -n '/^arguments$/,$p')" = \
	    "$(redis-cli -p "$ORACLE_PORT" command docs get |
	    sed -n '/^arguments$/,$p')" ]
	run redis-cli -p "$HYDRA_PORT" command list filterby aclcat string
	[[ $output == *get* ]]
	[[ $output != *ping* ]]
}

@test "DEBUG is refused unless enable-debug-command allows it" {
	# Invariant: by default DEBUG gets Redis's refusal, byte for byte;
	# "local" lets a loopback client run it; the directive is immutable.
	start_server
	start_oracle
	printf '%s\r\n' 'DEBUG SLEEP 0' 'DEBUG LOG x' \
	    'CONFIG GET enable-debug-command' \
	    'CONFIG SET enable-debug-command yes' | same_reply
	stop_hydrad
	HYDRA_PORT= HYDRA_DIR= HYDRA_ARENA=
	start_server --enable-debug-command local
	run redis-cli -p "$HYDRA_PORT" debug sleep 0
	[ "$output" = OK ]
}

@test "TIME, LASTSAVE and DEBUG" {
	# Invariant: TIME is the server's clock in seconds and microseconds;
	# LASTSAVE an integer; DEBUG SLEEP sleeps about that long; DEBUG
	# errors are Redis's bytes.
	start_server --enable-debug-command yes
	start_oracle --enable-debug-command yes
	printf '%s\r\n' 'TIME x' 'LASTSAVE x' 'DEBUG' | same_reply
	run redis-cli -p "$HYDRA_PORT" debug nosuch
	[ "$output" = "ERR unknown subcommand or wrong number of arguments for 'nosuch'. Try DEBUG HELP." ]
	run redis-cli -p "$HYDRA_PORT" debug sleep
	[[ $output == *"for 'sleep'. Try DEBUG HELP."* ]]
	run redis-cli -p "$HYDRA_PORT" debug log hello
	[ "$output" = OK ]
	run redis-cli -p "$HYDRA_PORT" time
	now=$(date +%s)
	((lines[0] >= now - 2 && lines[0] <= now + 2))
	((lines[1] >= 0 && lines[1] < 1000000))
	run redis-cli -p "$HYDRA_PORT" lastsave
	[[ $output =~ ^[0-9]+$ ]]
	start=$(date +%s%N)
	run redis-cli -p "$HYDRA_PORT" debug sleep 0.3
	[ "$output" = OK ]
	elapsed=$((($(date +%s%N) - start) / 1000000))
	((elapsed >= 300))
	run redis-cli -p "$HYDRA_PORT" debug help
	[[ ${lines[0]} == "DEBUG <subcommand>"* ]]
}
