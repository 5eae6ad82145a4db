#!/usr/bin/env bats
#
# The admin tool, src/hydractl, against a running hydrad: the checker finds
# a fresh or populated arena clean and a damaged one broken, the counters
# add up, a full arena stays consistent, and a missing or foreign arena is
# reported as such.

load helpers/common

teardown() {
	stop_hydrad
}

# corrupt_layout FILE VERSION: overwrite the header's layout version
# (struct arena_header: 8 bytes of magic, then a u32 at offset 8).
corrupt_layout() {
	python3 - "$1" "$2" <<'PY'
import mmap, struct, sys
with open(sys.argv[1], "r+b") as f:
    m = mmap.mmap(f.fileno(), 0)
    struct.pack_into("=I", m, 8, int(sys.argv[2]))
    m.close()
PY
}

# corrupt_entry FILE KEY VALUE HOW: find the one entry whose key and value
# are KEY and VALUE (struct entry: a 12-byte header, then the key and the
# value, for a key without expiry) and damage it.  HOW is "vlen" (claim a
# value far longer than the chunk) or "zero" (zero 4096 bytes from the
# entry's header on, within its page).
corrupt_entry() {
	python3 - "$@" <<'PY'
import mmap, struct, sys
path, key, value, how = sys.argv[1:5]
PAGE = 1 << 20
with open(path, "r+b") as f:
    m = mmap.mmap(f.fileno(), 0)
    pages_off = struct.unpack_from("=Q", m, 40)[0]
    needle = key.encode() + value.encode()
    pos = m.find(needle, pages_off)
    if pos < 0 or m.find(needle, pos + 1) >= 0:
        sys.exit("corrupt_entry: %r not found exactly once" % needle)
    hdr = pos - 12
    if how == "vlen":
        struct.pack_into("=I", m, hdr + 8, 0x7fffffff)
    else:
        page_end = pages_off + ((hdr - pages_off) // PAGE + 1) * PAGE
        end = min(hdr + 4096, page_end)
        m[hdr:end] = bytes(end - hdr)
    m.close()
PY
}

@test "check finds a fresh arena clean" {
	# Invariant: an arena just created by hydrad has no keys and no
	# problems, and check exits 0.
	start_hydrad
	run "$HYDRACTL" -a "$HYDRA_ARENA" check
	[ "$status" -eq 0 ]
	[[ $output == *"arena $HYDRA_ARENA: 0 keys"* ]]
	[[ $output == *"; 0 problems"* ]]
	# The owner runs, so the default is a live check.
	[[ $output == *"allocation sweep (leak detection) was skipped"* ]]
}

@test "populate then a full check counts every key" {
	# Invariant: after populate 10000, the full check (with the leak
	# sweep) reaches exactly 10000 keys and finds no problem.
	start_hydrad
	run "$HYDRACTL" -a "$HYDRA_ARENA" populate 10000
	[ "$status" -eq 0 ]
	[ "$output" = "populated 10000 keys" ]
	run "$HYDRACTL" -a "$HYDRA_ARENA" check --full
	[ "$status" -eq 0 ]
	[[ $output == *"arena $HYDRA_ARENA: 10000 keys (0 with expiry)"* ]]
	[[ $output == *"bytes reached; 0 problems"* ]]
	[[ $output != *"check: "* ]]
}

@test "stats shows the keys of each database" {
	# Invariant: stats reports db0: keys=10000 after populate 10000, keys
	# put in another database only there, and allocator counters that
	# add up.
	start_hydrad
	"$HYDRACTL" -a "$HYDRA_ARENA" populate 10000
	"$HYDRACTL" -a "$HYDRA_ARENA" populate -n 3 100 other 64
	run "$HYDRACTL" -a "$HYDRA_ARENA" stats
	[ "$status" -eq 0 ]
	[[ $output == *"db0: keys=10000 expires=0"* ]]
	[[ $output == *"db3: keys=100 expires=0"* ]]
	[[ $output != *"db1:"* ]]
	total=$(sed -n 's/^pages_total: //p' <<<"$output")
	free=$(sed -n 's/^pages_free: //p' <<<"$output")
	slab=$(sed -n 's/^pages_slab: //p' <<<"$output")
	runs=$(sed -n 's/^pages_run: //p' <<<"$output")
	[ "$((free + slab + runs))" -eq "$total" ]
	[[ $output == *"class"*": chunk_size="* ]]
}

@test "populate leaves existing keys alone" {
	# Invariant: as Redis's DEBUG POPULATE, keys that exist are skipped,
	# so a second populate adds only the new ones.
	start_hydrad
	"$HYDRACTL" -a "$HYDRA_ARENA" populate 100
	run "$HYDRACTL" -a "$HYDRA_ARENA" populate 150
	[ "$status" -eq 0 ]
	[ "$output" = "populated 50 keys (100 already existed)" ]
	run "$HYDRACTL" -a "$HYDRA_ARENA" check --full
	[ "$status" -eq 0 ]
	[[ $output == *": 150 keys"* ]]
}

@test "check on a missing arena exits 2" {
	# Invariant: a name that is no arena is "cannot attach" (2), never
	# "clean" (0) or "problems" (1), and the message names the arena.
	HYDRA_ARENA=$(unique_arena_name)
	run "$HYDRACTL" -a "$HYDRA_ARENA" check
	[ "$status" -eq 2 ]
	[[ $output == *"hydractl: no arena named $HYDRA_ARENA"* ]]
}

@test "-p finds the arena of the server on that port" {
	# Invariant: hydractl -p P attaches to the arena that hydrad --port P
	# creates when no name is given.
	HYDRA_ARENA=default
	start_hydrad
	run "$HYDRACTL" -p "$HYDRA_PORT" status
	[ "$status" -eq 0 ]
	[[ $output == *"arena: /hydra-$HYDRA_PORT"* ]]
	[[ $output == *"owner_pid: $HYDRAD_PID (running)"* ]]
}

@test "an arena of another layout version is refused" {
	# Invariant: an arena whose layout version differs cannot be attached:
	# check exits 2 and names both versions.
	start_hydrad
	"$HYDRACTL" -a "$HYDRA_ARENA" populate 100
	shm=$(arena_shm_path "$HYDRA_ARENA")
	corrupt_layout "$shm" 99
	run "$HYDRACTL" -a "$HYDRA_ARENA" check
	[ "$status" -eq 2 ]
	[[ $output =~ "layout version 99, this hydra uses "[0-9]+ ]]
}

@test "an entry longer than its chunk is a problem" {
	# Invariant: an entry whose header claims more bytes than its chunk
	# holds is reported, and check exits 1.
	start_hydrad
	"$HYDRACTL" -a "$HYDRA_ARENA" populate 1000
	shm=$(arena_shm_path "$HYDRA_ARENA")
	corrupt_entry "$shm" key:42 value:42 vlen
	run "$HYDRACTL" -a "$HYDRA_ARENA" check --full
	[ "$status" -eq 1 ]
	[[ $output == *"check: "*"claims "*"but its chunk holds"* ]]
	[[ $output != *"; 0 problems"* ]]
}

@test "zeroed entries are a problem" {
	# Invariant: wiping 4 KiB of live entries (headers, links, keys) is
	# detected by the full check: exit 1 and at least one problem line.
	start_hydrad
	"$HYDRACTL" -a "$HYDRA_ARENA" populate 10000
	shm=$(arena_shm_path "$HYDRA_ARENA")
	corrupt_entry "$shm" key:42 value:42 zero
	run "$HYDRACTL" -a "$HYDRA_ARENA" check --full
	[ "$status" -eq 1 ]
	[[ $output == *"check: "* ]]
	[[ $output != *"; 0 problems"* ]]
}

@test "a full arena stops populate and stays consistent" {
	# Invariant: populate into a tiny arena stops with "arena full" and
	# exit 1; every key it reported is there and nothing leaked.
	HYDRA_ARENA_SIZE=8mb
	start_hydrad
	run "$HYDRACTL" -a "$HYDRA_ARENA" populate 10000000
	[ "$status" -eq 1 ]
	[[ $output =~ arena\ full\ after\ ([0-9]+)\ keys ]]
	added=${BASH_REMATCH[1]}
	[ "$added" -gt 0 ]
	run "$HYDRACTL" -a "$HYDRA_ARENA" check --full
	[ "$status" -eq 0 ]
	[[ $output == *"arena $HYDRA_ARENA: $added keys"* ]]
	[[ $output == *"; 0 problems"* ]]
}

@test "destroy refuses a running owner unless forced" {
	# Invariant: destroy leaves the arena of a running hydrad alone (exit
	# 1) and removes it with -f.
	start_hydrad
	run "$HYDRACTL" -a "$HYDRA_ARENA" destroy
	[ "$status" -eq 1 ]
	[[ $output == *"pid $HYDRAD_PID"* ]]
	"$HYDRACTL" -a "$HYDRA_ARENA" status
	run "$HYDRACTL" -a "$HYDRA_ARENA" destroy -f
	[ "$status" -eq 0 ]
	run "$HYDRACTL" -a "$HYDRA_ARENA" status
	[ "$status" -eq 2 ]
}
