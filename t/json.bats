#!/usr/bin/env bats
#
# hydractl export --json and import --json (src/hydractl_json.c) against a
# running hydrad: what export writes is the documented JSON, with bytes
# that are not text as base64; importing it reproduces every key of every
# database exactly (DUMP, encoding, absolute expiry); a malformed document
# or one whose keys exist is refused with status 1 before anything is
# written.

load helpers/common

JSON_CHECK=$BATS_TEST_DIRNAME/helpers/json_check.py

teardown() {
	stop_hydrad
}

# export_json FILE: export the server's keyspace to FILE, successfully.
export_json() {
	run "$HYDRACTL" -a "$HYDRA_ARENA" export --json "$1"
	echo "$output"
	[ "$status" -eq 0 ]
}

# import_json ARGS...: hydractl import with ARGS, output left in $output.
import_json() {
	run "$HYDRACTL" -a "$HYDRA_ARENA" import "$@"
	echo "$output"
}

# total_keys: the number of keys in all databases.
total_keys() {
	local db n total=0
	for ((db = 0; db < 16; db++)); do
		n=$(redis-cli -p "$HYDRA_PORT" -n "$db" DBSIZE)
		total=$((total + n))
	done
	echo "$total"
}

@test "export, FLUSHALL, import reproduces every key of every database" {
	# Invariant: after a round trip through the JSON file every key is
	# back in its database with the same type, OBJECT ENCODING, absolute
	# expiry (PEXPIRETIME) and DUMP bytes (the sorted value for hash
	# tables), except that an intset takes the width its members need, as
	# SADD would give it; the file is valid JSON of the documented shape.
	local dir narrowed key
	dir=$(test_dir)
	HYDRA_ARENA_SIZE=256mb start_server
	python3 "$JSON_CHECK" fill "$HYDRA_PORT"
	python3 "$JSON_CHECK" snapshot "$HYDRA_PORT" "$dir/before"
	[ "$(grep -c . "$dir/before")" -gt 400 ]

	export_json "$dir/keys.json"
	[[ $output == "exported $(total_keys) keys to $dir/keys.json" ]]
	python3 -m json.tool "$dir/keys.json" >/dev/null
	run python3 "$JSON_CHECK" shape "$dir/keys.json"
	echo "$output"
	[ "$status" -eq 0 ]
	# Every type, base64 strings, infinite scores and expiring keys.
	[[ $output == *hash=*list=*set=*string=*zset=* ]]
	[[ $output != *" base64 0 "* && $output != *" inf 0 "* ]]
	[[ $output != *" expiring 0" ]]

	redis-cli -p "$HYDRA_PORT" FLUSHALL
	[ "$(total_keys)" -eq 0 ]
	import_json --json "$dir/keys.json"
	[ "$status" -eq 0 ]
	[ "$output" = "imported $(grep -c . "$dir/before") keys" ]
	python3 "$JSON_CHECK" snapshot "$HYDRA_PORT" "$dir/after"

	# The intsets that kept a wide width after SREM come back narrow.
	narrowed=$(printf 'S:narrowed:' | od -An -tx1 | tr -d ' \n')
	diff <(grep -v " $narrowed" "$dir/before") \
	    <(grep -v " $narrowed" "$dir/after")
	[ "$(grep -c " $narrowed" "$dir/after")" -eq 2 ]
	for key in S:narrowed:32 S:narrowed:64; do
		[ "$(redis-cli -p "$HYDRA_PORT" OBJECT ENCODING "$key")" = \
		    intset ]
		redis-cli -p "$HYDRA_PORT" SMEMBERS "$key" | sort >"$dir/m"
		xargs redis-cli -p "$HYDRA_PORT" SADD fresh <"$dir/m"
		[ "$(redis-cli -p "$HYDRA_PORT" DUMP "$key" | od -c)" = \
		    "$(redis-cli -p "$HYDRA_PORT" DUMP fresh | od -c)" ]
		redis-cli -p "$HYDRA_PORT" DEL fresh
	done
	check_arena
}

@test "bytes that are not text travel as base64, text as strings" {
	# Invariant: a key or value of one byte is a JSON string exactly when
	# the byte is printable ASCII, and {"base64": ...} of the exact bytes
	# otherwise; UTF-8 text stays text, and a string that looks like the
	# escape is still a plain string.
	local dir
	dir=$(test_dir)
	start_server
	python3 "$JSON_CHECK" fill "$HYDRA_PORT"
	export_json "$dir/keys.json"
	python3 - "$dir/keys.json" <<'PY'
import base64, json, sys
doc = json.load(open(sys.argv[1]))
def raw(x):
    return x.encode() if isinstance(x, str) else base64.b64decode(x["base64"])
db2 = {raw(k["key"]): k for k in doc["keys"] if k["db"] == 2}
for b in range(256):
    k = db2[b"k" + bytes([b])]
    if 0x20 <= b < 0x7f:
        assert k["key"] == "k" + chr(b) and k["value"] == chr(b), k
    else:
        assert k["key"] == {"base64": base64.b64encode(b"k" + bytes([b])).decode()}, k
        assert k["value"] == {"base64": base64.b64encode(bytes([b])).decode()}, k
every = db2[bytes(range(256))]
assert raw(every["value"]) == bytes(range(256)) * 3
db9 = {raw(k["key"]): k for k in doc["keys"] if k["db"] == 9}
assert db9["\u20ac \U0001F600".encode()]["value"] == "\u20ac \U0001F600"
assert db9[b'{"base64": "YQ=="}']["value"] == '{"base64": "YQ=="}'
assert db9[b"caf\xc3\xa9"]["key"] == "caf\u00e9"
for s in (b"\xc0\x80", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xe2\x82"):
    assert db9[s]["key"] == {"base64": base64.b64encode(s).decode()}, s
PY
	# The raw text holds the UTF-8 bytes themselves.
	grep -q '"key":"€ 😀"' "$dir/keys.json"
}

@test "scores are exact numbers, infinities strings, lowest first" {
	# Invariant: a sorted set is written as [member, score] pairs, lowest
	# score first, scores as numbers that read back to the same double,
	# inf and -inf as strings.
	local dir
	dir=$(test_dir)
	start_server
	redis-cli -p "$HYDRA_PORT" ZADD z 0.1 a -inf b inf c 1e300 d \
	    -2.5 e 3 f 0.30000000000000004 g
	export_json "$dir/z.json"
	grep -qF '{"db":0,"key":"z","type":"zset","value":[["b","-inf"],["e",-2.5],["a",0.1],["g",0.30000000000000004],["f",3],["d",1e+300],["c","inf"]]}' \
	    "$dir/z.json"
	redis-cli -p "$HYDRA_PORT" DUMP z >"$dir/dump1"
	redis-cli -p "$HYDRA_PORT" DEL z
	import_json --json "$dir/z.json"
	[ "$status" -eq 0 ]
	redis-cli -p "$HYDRA_PORT" DUMP z >"$dir/dump2"
	cmp "$dir/dump1" "$dir/dump2"
	[ "$(redis-cli -p "$HYDRA_PORT" ZSCORE z g)" = 0.30000000000000004 ]
}

@test "the expiry is an absolute time; keys already expired are skipped" {
	# Invariant: expire_at_ms is PEXPIRETIME, and import gives the key the
	# very same time; a key whose time has passed is not imported.
	local dir now
	dir=$(test_dir)
	start_server
	redis-cli -p "$HYDRA_PORT" SET t v PXAT 4102444800123
	redis-cli -p "$HYDRA_PORT" SET p v
	export_json "$dir/t.json"
	grep -qF '{"db":0,"key":"t","type":"string","value":"v","expire_at_ms":4102444800123}' \
	    "$dir/t.json"
	grep -qF '{"db":0,"key":"p","type":"string","value":"v"}' "$dir/t.json"
	redis-cli -p "$HYDRA_PORT" FLUSHALL
	now=$(($(date +%s) * 1000))
	cat >>"$dir/t2.json" <<EOF
{"format":"hydra-json","version":1,"keys":[
{"db":0,"key":"old","type":"string","value":"v","expire_at_ms":$((now - 1000))},
{"db":0,"key":"t","type":"string","value":"v","expire_at_ms":4102444800123}
]}
EOF
	import_json --json "$dir/t2.json"
	[ "$status" -eq 0 ]
	[ "$output" = "imported 1 key (1 already expired, skipped)" ]
	[ "$(redis-cli -p "$HYDRA_PORT" PEXPIRETIME t)" = 4102444800123 ]
	[ "$(redis-cli -p "$HYDRA_PORT" EXISTS old)" = 0 ]
}

@test "a malformed document is refused with status 1, nothing written" {
	# Invariant: each of these documents, whose first key is good, is
	# refused with status 1 and a message saying why, and the keyspace
	# stays empty: import checks the whole file before writing.
	local dir good i f bad
	dir=$(test_dir)
	start_server
	good='{"db":0,"key":"good","type":"string","value":"v"}'
	bad=(
	    'not json at all'
	    '{"format":"hydra-json","version":1,"keys":['"$good"','
	    '{"format":"other","version":1,"keys":['"$good"']}'
	    '{"format":"hydra-json","version":2,"keys":['"$good"']}'
	    '{"format":"hydra-json","version":1,"keys":{}}'
	    '{"format":"hydra-json","version":1,"keys":['"$good"'],"x":1}'
	    '['"$good"']'
	    '{"format":"hydra-json","version":1,"keys":['"$good"',{"db":0,"key":"k","type":"stream","value":"v"}]}'
	    '{"format":"hydra-json","version":1,"keys":['"$good"',{"db":0,"key":"k","type":"list","value":[]}]}'
	    '{"format":"hydra-json","version":1,"keys":['"$good"',{"db":0,"key":"k","type":"list","value":"v"}]}'
	    '{"format":"hydra-json","version":1,"keys":['"$good"',{"db":16,"key":"k","type":"string","value":"v"}]}'
	    '{"format":"hydra-json","version":1,"keys":['"$good"',{"db":0.5,"key":"k","type":"string","value":"v"}]}'
	    '{"format":"hydra-json","version":1,"keys":['"$good"',{"key":"k","type":"string","value":"v"}]}'
	    '{"format":"hydra-json","version":1,"keys":['"$good"',{"db":0,"key":"k","type":"string","value":"v","ttl":5}]}'
	    '{"format":"hydra-json","version":1,"keys":['"$good"',{"db":0,"key":"k","type":"string","value":"v","expire_at_ms":-1}]}'
	    '{"format":"hydra-json","version":1,"keys":['"$good"',{"db":0,"key":"k","type":"string","value":"v","expire_at_ms":"soon"}]}'
	    '{"format":"hydra-json","version":1,"keys":['"$good"','"$good"']}'
	    '{"format":"hydra-json","version":1,"keys":['"$good"',{"db":0,"key":"k","type":"hash","value":[["f","1"],["f","2"]]}]}'
	    '{"format":"hydra-json","version":1,"keys":['"$good"',{"db":0,"key":"k","type":"hash","value":[["f"]]}]}'
	    '{"format":"hydra-json","version":1,"keys":['"$good"',{"db":0,"key":"k","type":"set","value":["a","a"]}]}'
	    '{"format":"hydra-json","version":1,"keys":['"$good"',{"db":0,"key":"k","type":"zset","value":[["a",1],["a",2]]}]}'
	    '{"format":"hydra-json","version":1,"keys":['"$good"',{"db":0,"key":"k","type":"zset","value":[["a","nan"]]}]}'
	    '{"format":"hydra-json","version":1,"keys":['"$good"',{"db":0,"key":"k","type":"zset","value":[["a",1e999]]}]}'
	    '{"format":"hydra-json","version":1,"keys":['"$good"',{"db":0,"key":{"base64":"YQ="},"type":"string","value":"v"}]}'
	    '{"format":"hydra-json","version":1,"keys":['"$good"',{"db":0,"key":{"base64":"YR=="},"type":"string","value":"v"}]}'
	    '{"format":"hydra-json","version":1,"keys":['"$good"',{"db":0,"key":{"base64":"YQ==","x":1},"type":"string","value":"v"}]}'
	    '{"format":"hydra-json","version":1,"keys":['"$good"',{"db":0,"key":7,"type":"string","value":"v"}]}'
	    '{"format":"hydra-json","version":1,"keys":['"$good"',{"db":0,"key":"a\u0000b","type":"string","value":"v"}]}'
	    '{"format":"hydra-json","version":1,"keys":['"$good"',{"db":0,"key":"\ud800","type":"string","value":"v"}]}'
	)
	for ((i = 0; i < ${#bad[@]}; i++)); do
		printf '%s\n' "${bad[$i]}" >"$dir/bad$i.json"
	done
	# Raw bytes that are not UTF-8 inside a JSON string.
	printf '{"format":"hydra-json","version":1,"keys":[%s,{"db":0,"key":"\xff","type":"string","value":"v"}]}\n' \
	    "$good" >"$dir/bad$i.json"
	for f in "$dir"/bad*.json; do
		import_json --json "$f"
		[ "$status" -eq 1 ]
		[[ $output == *"import: $f: refused: "*"nothing imported"* ]]
		[ "$(total_keys)" -eq 0 ]
	done
	# The messages say where: the key's index and what is wrong there.
	import_json --json "$dir/bad17.json"
	[[ $output == *"keys[1].value: a hash with the same field twice"* ]]
	import_json --json "$dir/bad0.json"
	[[ $output == *"not valid JSON at line 1, column 1"* ]]
	import_json --json "$dir/bad16.json"
	[[ $output == *"keys[0] and keys[1]: the same key twice"* ]]
	# The good key alone goes in.
	printf '{"format":"hydra-json","version":1,"keys":[%s]}' "$good" \
	    >"$dir/good.json"
	import_json --json "$dir/good.json"
	[ "$status" -eq 0 ]
	[ "$(redis-cli -p "$HYDRA_PORT" GET good)" = v ]
}

@test "existing keys: refused unless --replace, which replaces them" {
	# Invariant: without --replace, a document any of whose keys exists is
	# refused whole (status 1, no key written, the existing one intact);
	# with --replace each such key gets the document's value and expiry.
	local dir
	dir=$(test_dir)
	start_server
	cat >"$dir/k.json" <<'EOF'
{"format":"hydra-json","version":1,"keys":[
{"db":0,"key":"new","type":"string","value":"n"},
{"db":3,"key":"k","type":"list","value":["a","b"],"expire_at_ms":4102444800000}
]}
EOF
	redis-cli -p "$HYDRA_PORT" -n 3 SET k old
	import_json --json "$dir/k.json"
	[ "$status" -eq 1 ]
	[[ $output == *"refused: 1 of its keys exist already (the first: keys[1] exists already in database 3); nothing imported (--replace replaces them)"* ]]
	[ "$(redis-cli -p "$HYDRA_PORT" -n 3 GET k)" = old ]
	[ "$(redis-cli -p "$HYDRA_PORT" EXISTS new)" = 0 ]
	import_json --replace --json "$dir/k.json"
	[ "$status" -eq 0 ]
	[ "$output" = "imported 2 keys" ]
	[ "$(redis-cli -p "$HYDRA_PORT" -n 3 LRANGE k 0 -1 | tr '\n' ' ')" = \
	    "a b " ]
	[ "$(redis-cli -p "$HYDRA_PORT" -n 3 PEXPIRETIME k)" = 4102444800000 ]
	[ "$(redis-cli -p "$HYDRA_PORT" GET new)" = n ]
}

@test "an empty keyspace exports as an empty list, and imports" {
	# Invariant: with no keys, export writes the header and "keys": [],
	# and importing that changes nothing; "-" is standard output and
	# input.
	local dir
	dir=$(test_dir)
	start_server
	export_json "$dir/empty.json"
	[ "$output" = "exported 0 keys to $dir/empty.json" ]
	[ "$(cat "$dir/empty.json")" = \
	    "$(printf '{"format":"hydra-json","version":1,"keys":[\n]}')" ]
	python3 -m json.tool "$dir/empty.json" >/dev/null
	import_json --json "$dir/empty.json"
	[ "$status" -eq 0 ]
	[ "$output" = "imported 0 keys" ]
	redis-cli -p "$HYDRA_PORT" SET a b
	run "$HYDRACTL" -a "$HYDRA_ARENA" export --json -
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '{"format":"hydra-json","version":1,"keys":[\n{"db":0,"key":"a","type":"string","value":"b"}\n]}')" ]
	redis-cli -p "$HYDRA_PORT" FLUSHALL
	run "$HYDRACTL" -a "$HYDRA_ARENA" import --json - <<<"$output"
	[ "$status" -eq 0 ]
	[ "$(redis-cli -p "$HYDRA_PORT" GET a)" = b ]
}

@test "import encodes values under the limits of --config" {
	# Invariant: a hash of 10 fields is a listpack under Redis's default
	# limits and a hashtable when the configuration file given with
	# --config sets hash-max-listpack-entries 4, as HSET would make it.
	local dir
	dir=$(test_dir)
	start_server
	redis-cli -p "$HYDRA_PORT" HSET h a 1 b 2 c 3 d 4 e 5 f 6 g 7 h 8 \
	    i 9 j 10
	export_json "$dir/h.json"
	redis-cli -p "$HYDRA_PORT" FLUSHALL
	echo 'hash-max-listpack-entries 4' >"$dir/small.conf"
	import_json --config "$dir/small.conf" --json "$dir/h.json"
	[ "$status" -eq 0 ]
	[ "$(redis-cli -p "$HYDRA_PORT" OBJECT ENCODING h)" = hashtable ]
	import_json --replace --json "$dir/h.json"
	[ "$status" -eq 0 ]
	[ "$(redis-cli -p "$HYDRA_PORT" OBJECT ENCODING h)" = listpack ]
	[ "$(redis-cli -p "$HYDRA_PORT" HGET h j)" = 10 ]
}

@test "usage errors exit 2, an unreadable file 1" {
	# Invariant: a wrong command line is status 2 with the usage line; a
	# file that cannot be read or written is status 1 and named.
	local dir
	dir=$(test_dir)
	start_server
	run "$HYDRACTL" -a "$HYDRA_ARENA" export
	[ "$status" -eq 2 ]
	[[ $output == *"usage: hydractl [-a name | -p port] export --json file"* ]]
	run "$HYDRACTL" -a "$HYDRA_ARENA" import --json
	[ "$status" -eq 2 ]
	run "$HYDRACTL" -a "$HYDRA_ARENA" import --json a --bogus
	[ "$status" -eq 2 ]
	import_json --json "$dir/missing.json"
	[ "$status" -eq 1 ]
	[[ $output == *"import: $dir/missing.json: No such file or directory"* ]]
	run "$HYDRACTL" -a "$HYDRA_ARENA" export --json "$dir/no/such/dir.json"
	[ "$status" -eq 1 ]
	[[ $output == *"export: $dir/no/such/dir.json.tmp."* ]]
}

@test "export while clients write holds every key written before it" {
	# Invariant: export of a keyspace that clients keep writing to (it
	# takes one stripe lock at a time) is well formed and holds every key
	# acknowledged before it began, with its value, and every key that
	# nobody changed.
	local dir acked try writer
	dir=$(test_dir)
	start_server
	"$HYDRACTL" -a "$HYDRA_ARENA" populate 20000 >/dev/null
	python3 "$RESP_CLIENT" writer "$HYDRA_PORT" 3 "$dir/acks" 2 \
	    </dev/null >/dev/null 2>&1 &
	writer=$!
	for ((try = 0; try < 100; try++)); do
		[ "$(grep -c . "$dir/acks" 2>/dev/null)" -ge 100 ] && break
		sleep 0.05
	done
	acked=$(grep -c . "$dir/acks")
	[ "$acked" -ge 100 ]
	head -n "$acked" "$dir/acks" >"$dir/before"
	export_json "$dir/keys.json"
	wait "$writer"
	python3 "$JSON_CHECK" shape "$dir/keys.json"
	python3 - "$dir/keys.json" "$dir/before" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
got = {k["key"]: k["value"] for k in doc["keys"]}
for key in open(sys.argv[2]).read().split():
    assert got.get(key) == "v:" + key[2:], key
assert sum(1 for k in got if k.startswith("key:")) == 20000
PY
}
