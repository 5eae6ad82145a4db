#!/usr/bin/env python3
#
# hash_diff.py: the hash commands driven against hydrad and redis-server,
# for t/cmd_hash.bats, where the order of a hash table's pairs (which is
# each server's own) keeps a byte comparison from working.
#
#   hash_diff.py random PORT_A PORT_B SEED COUNT
#       Send COUNT hash commands drawn from SEED (HSET, HMSET, HSETNX,
#       HDEL, HGET, HMGET, HINCRBY, HINCRBYFLOAT, HEXISTS, HSTRLEN, HLEN,
#       HKEYS, HVALS, HGETALL, HRANDFIELD, OBJECT ENCODING, on three keys;
#       fields, some binary, and values up to 300 bytes) to both.  Replies
#       must be the same bytes, except that HKEYS, HVALS and HGETALL are
#       compared as sorted lists (of pairs), and HRANDFIELD replies are
#       checked for their shape on each side.  Exit 1 at the first
#       difference, showing both.
#   hash_diff.py fill PORT KEY COUNT SIZE
#       HSET COUNT fields "f<i>" with values "<i>:" padded with 'v' to
#       SIZE bytes, in one request; print the reply.
#   hash_diff.py scan PORT KEY COUNT [PATTERN]
#       Walk the hash with HSCAN (COUNT, MATCH) until the cursor is 0;
#       print each field and value once, sorted, one "field value" line
#       each, then "steps N".  Exit 1 when a pair comes back with a value
#       other than the first time.
#   hash_diff.py grow PORT KEY
#       HSCAN the hash COUNT 10 while 30 new fields are added after each
#       step; exit 1 unless every field that was there from the start was
#       returned, with its value.
#   hash_diff.py randcheck PORT KEY
#       HRANDFIELD with many counts, with and without WITHVALUES, in RESP2
#       and RESP3: check each reply's length, shape, distinctness (for a
#       positive count), that every field belongs to the hash with its
#       value, and that a long negative draw reaches every field of a
#       small hash.  Exit 1 with the reason on the first violation.
#   hash_diff.py counter PORT KEY FIELDS STOPFILE ACKFILE
#       Until STOPFILE exists: HINCRBY a random one of FIELDS fields of
#       KEY by 1, and HSET/HDEL filler fields so that the hash grows past
#       and back under the listpack limits; each acknowledged HINCRBY is
#       counted in ACKFILE (rewritten as "field count" lines).  A broken
#       connection (a killed worker) is opened again.

import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import resp_client  # noqa: E402
from list_diff import compare  # noqa: E402


def parse(data, i=0):
    """Parse the RESP value at data[i:]: (value, next index).  Arrays are
    lists, maps lists of pairs, errors ("err", text), nulls None."""
    j = data.index(b"\r\n", i)
    kind, rest = data[i:i + 1], data[i + 1:j]
    i = j + 2
    if kind in (b"+", b":", b",", b"#", b"("):
        return rest, i
    if kind == b"-":
        return ("err", rest), i
    if kind == b"_":
        return None, i
    if kind in (b"$", b"="):
        n = int(rest)
        if n < 0:
            return None, i
        return data[i:i + n], i + n + 2
    n = int(rest)
    if n < 0:
        return None, i
    out = []
    for _ in range(n * 2 if kind == b"%" else n):
        v, i = parse(data, i)
        out.append(v)
    if kind == b"%":
        out = [(out[k], out[k + 1]) for k in range(0, len(out), 2)]
    return out, i


def value(raw):
    return parse(raw)[0]


def call(conn, *args):
    s, f = conn
    s.sendall(resp_client.encode(*args))
    return value(resp_client.read_raw(f))


# Random commands.

KEYS = ["h1", "h2", "h3"]


def field(rng):
    r = rng.random()
    if r < 0.5:
        return "f%d" % rng.randint(0, 40)
    if r < 0.8:
        return "g%d" % rng.randint(0, 600)
    if r < 0.9:
        return "long%d" % rng.randint(0, 5) + "x" * rng.randint(60, 80)
    return bytes([0, rng.randint(0, 255), 13, 10])


def hvalue(rng):
    r = rng.random()
    if r < 0.4:
        return str(rng.randint(-1000, 1000))
    if r < 0.6:
        return "%.3f" % rng.uniform(-100, 100)
    if r < 0.9:
        return "v" * rng.randint(0, 70)
    return bytes(rng.randint(0, 255) for _ in range(rng.randint(0, 300)))


def command(rng):
    k = rng.choice(KEYS)
    r = rng.random()
    if r < 0.25:
        n = rng.choice([1, 1, 2, 5, 40, 200])
        args = [rng.choice(["HSET", "HMSET"]), k]
        for _ in range(n):
            args += [field(rng), hvalue(rng)]
        return args
    if r < 0.30:
        return ["HSETNX", k, field(rng), hvalue(rng)]
    if r < 0.40:
        return ["HDEL", k] + [field(rng) for _ in range(rng.choice([1, 3,
                                                                    50]))]
    if r < 0.50:
        return ["HGET", k, field(rng)]
    if r < 0.55:
        return ["HMGET", k] + [field(rng) for _ in range(rng.randint(1, 5))]
    if r < 0.62:
        return ["HINCRBY", k, field(rng), str(rng.randint(-50, 50))]
    if r < 0.67:
        return ["HINCRBYFLOAT", k, field(rng),
                rng.choice(["1.5", "-0.25", "3", "1e3", "0.1"])]
    if r < 0.71:
        return [rng.choice(["HEXISTS", "HSTRLEN"]), k, field(rng)]
    if r < 0.75:
        return ["HLEN", k]
    if r < 0.82:
        return [rng.choice(["HKEYS", "HVALS", "HGETALL"]), k]
    if r < 0.90:
        return ["HRANDFIELD", k] + rng.choice(
            [[], ["3"], ["-7"], ["1000"], ["5", "WITHVALUES"],
             ["-4", "WITHVALUES"]])
    if r < 0.95:
        return ["OBJECT", "ENCODING", k]
    return [rng.choice(["DEL", "EXISTS", "TYPE"]), k]


def normal(args, raw):
    """What of a reply must agree: its bytes, or for the commands that
    list a hash, its elements (or pairs) sorted."""
    name = args[0]
    if name in ("HKEYS", "HVALS"):
        v = value(raw)
        return sorted(v) if isinstance(v, list) else v
    if name == "HGETALL":
        v = value(raw)
        if isinstance(v, list) and v and not isinstance(v[0], tuple):
            v = [(v[i], v[i + 1]) for i in range(0, len(v), 2)]
        return sorted(v) if isinstance(v, list) else v
    if name == "HRANDFIELD":
        v = value(raw)
        # The shape only: which fields is chance.
        if isinstance(v, list):
            return ("array", len(v))
        return ("null" if v is None else "bulk")
    return raw


def random_run(port_a, port_b, seed, count):
    rng = random.Random(seed)
    cmds = [command(rng) for _ in range(count)]
    cmds += [["HGETALL", k] for k in KEYS]
    return compare(port_a, port_b, cmds, normal)


# Filling, scanning.

def fill(port, key, count, size):
    conn = resp_client.connect_file(port)
    args = ["HSET", key]
    for i in range(count):
        args += ["f%d" % i, ("%d:" % i).ljust(size, "v")]
    print(call(conn, *args).decode())
    return 0


def scan(port, key, count, pattern):
    conn = resp_client.connect_file(port)
    seen, cursor, steps = {}, b"0", 0
    while True:
        args = ["HSCAN", key, cursor, "COUNT", str(count)]
        if pattern is not None:
            args += ["MATCH", pattern]
        reply = call(conn, *args)
        steps += 1
        cursor, items = reply[0], reply[1]
        for i in range(0, len(items), 2):
            f, v = items[i], items[i + 1]
            if seen.setdefault(f, v) != v:
                print("field %r came back with two values" % f)
                return 1
        if cursor == b"0":
            break
    for f in sorted(seen):
        sys.stdout.buffer.write(f + b" " + seen[f] + b"\n")
    print("steps %d" % steps)
    return 0


def grow(port, key):
    conn = resp_client.connect_file(port)
    whole = call(conn, "HGETALL", key)
    before = {whole[i]: whole[i + 1] for i in range(0, len(whole), 2)}
    if not before:
        print("no hash %s" % key)
        return 1
    seen, cursor, added, steps = {}, b"0", 0, 0
    while True:
        cursor, items = call(conn, "HSCAN", key, cursor, "COUNT", "10")
        steps += 1
        for i in range(0, len(items), 2):
            seen[items[i]] = items[i + 1]
        if cursor == b"0":
            break
        args = ["HSET", key]
        for _ in range(30):
            args += ["new%d" % added, "n"]
            added += 1
        call(conn, *args)
    missing = [f for f in before if seen.get(f) != before[f]]
    if missing:
        print("%d of %d fields never returned (or with another value), "
              "e.g. %r" % (len(missing), len(before), missing[:3]))
        return 1
    print("all %d fields returned in %d steps while %d were added" %
          (len(before), steps, added))
    return 0


def pairs_of(reply, resp3, withvalues):
    """The (field, value) list of an HRANDFIELD reply, checking its
    shape: flat in RESP2, pairs in RESP3 with values."""
    if not withvalues:
        return [(f, None) for f in reply]
    if resp3:
        for p in reply:
            if not isinstance(p, list) or len(p) != 2:
                raise AssertionError("RESP3 pair %r" % (p,))
        return [(p[0], p[1]) for p in reply]
    if len(reply) % 2:
        raise AssertionError("odd flat reply of %d" % len(reply))
    return [(reply[i], reply[i + 1]) for i in range(0, len(reply), 2)]


def randcheck(port, key):
    c2 = resp_client.connect_file(port)
    c3 = resp_client.connect_file(port)
    call(c3, "HELLO", "3")
    whole = call(c2, "HGETALL", key)
    h = {whole[i]: whole[i + 1] for i in range(0, len(whole), 2)}
    n = len(h)
    if n == 0:
        print("no hash %s" % key)
        return 1
    try:
        for conn, resp3 in ((c2, False), (c3, True)):
            one = call(conn, "HRANDFIELD", key)
            if one not in h:
                raise AssertionError("HRANDFIELD gave %r" % one)
            for count in (1, 2, 5, n - 1, n, n + 5, 3 * n, -1, -5, -n,
                          -3 * n):
                if count == 0:
                    continue
                for wv in (False, True):
                    args = ["HRANDFIELD", key, str(count)]
                    if wv:
                        args.append("WITHVALUES")
                    reply = call(conn, *args)
                    ps = pairs_of(reply, resp3, wv)
                    want = min(count, n) if count > 0 else -count
                    if len(ps) != want:
                        raise AssertionError("%s: %d pairs, not %d" %
                                             (args, len(ps), want))
                    fs = [p[0] for p in ps]
                    if count > 0 and len(set(fs)) != len(fs):
                        raise AssertionError("%s: a field twice" % args)
                    for f, v in ps:
                        if f not in h or (wv and h[f] != v):
                            raise AssertionError("%s: %r=%r is not in "
                                                 "the hash" % (args, f, v))
        if n <= 50:
            fs = call(c2, "HRANDFIELD", key, str(-40 * n))
            if set(fs) != set(h):
                raise AssertionError("%d draws missed %d fields" %
                                     (40 * n, n - len(set(fs))))
        if n >= 30:
            # Few of many: different draws, not always the same few.
            draws = set()
            for _ in range(20):
                draws.add(tuple(sorted(call(c2, "HRANDFIELD", key, "3"))))
            if len(draws) < 5:
                raise AssertionError("20 draws of 3 gave %d samples" %
                                     len(draws))
    except AssertionError as e:
        print(str(e))
        return 1
    print("HRANDFIELD behaves on %d fields" % n)
    return 0


# The crash workload.

def counter(port, key, nfields, stopfile, ackfile):
    rng = random.Random()
    acks = {}
    conn = None
    deadline = time.time() + 120
    filler = 0
    while not os.path.exists(stopfile) and time.time() < deadline:
        try:
            if conn is None:
                conn = resp_client.connect_file(port)
            f = "c%d" % rng.randrange(nfields)
            r = call(conn, "HINCRBY", key, f, "1")
            if isinstance(r, tuple):
                print("HINCRBY answered %r" % (r,))
                return 1
            acks[f] = acks.get(f, 0) + 1
            with open(ackfile + ".tmp", "w") as out:
                for k in sorted(acks):
                    out.write("%s %d\n" % (k, acks[k]))
            os.rename(ackfile + ".tmp", ackfile)
            # Grow past the limits and back: fillers come and go.
            if rng.random() < 0.5:
                args = ["HSET", key]
                for _ in range(rng.choice([1, 10, 100])):
                    args += ["x%d" % filler, "y" * rng.choice([1, 100])]
                    filler += 1
                call(conn, *args)
            else:
                call(conn, "HDEL", key, *["x%d" % rng.randrange(filler + 1)
                                          for _ in range(50)])
        except (OSError, EOFError, ValueError):
            conn = None
            time.sleep(0.05)
    return 0


def main(argv):
    if len(argv) == 6 and argv[1] == "random":
        return random_run(int(argv[2]), int(argv[3]), int(argv[4]),
                          int(argv[5]))
    if len(argv) == 6 and argv[1] == "fill":
        return fill(int(argv[2]), argv[3], int(argv[4]), int(argv[5]))
    if len(argv) in (5, 6) and argv[1] == "scan":
        return scan(int(argv[2]), argv[3], int(argv[4]),
                    argv[5] if len(argv) == 6 else None)
    if len(argv) == 4 and argv[1] == "grow":
        return grow(int(argv[2]), argv[3])
    if len(argv) == 4 and argv[1] == "randcheck":
        return randcheck(int(argv[2]), argv[3])
    if len(argv) == 7 and argv[1] == "counter":
        return counter(int(argv[2]), argv[3], int(argv[4]), argv[5],
                       argv[6])
    sys.stderr.write("usage: see the head of hash_diff.py\n")
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
