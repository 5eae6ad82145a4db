#!/usr/bin/env python3
#
# list_diff.py: random list commands sent to two servers, hydrad and
# redis-server, whose replies must be the same bytes.
#
#   list_diff.py random PORT_A PORT_B SEED COUNT
#       Send COUNT commands drawn from SEED (pushes of 1 to 200
#       elements, some of them binary and up to 3000 bytes long, pops
#       with and without counts, LRANGE, LINDEX, LSET, LINSERT, LREM,
#       LTRIM, LPOS, LMOVE, RPOPLPUSH, LMPOP, LLEN on three keys) to
#       both; exit 1 at the first reply that differs, showing both.
#       At the end every list is read whole from both.
#   list_diff.py push PORT KEY COUNT SIZE
#       RPUSH COUNT elements "<i>:" padded with 'p' to SIZE bytes to KEY,
#       in one request; print the reply.

import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import resp_client  # noqa: E402


KEYS = ["l1", "l2", "l3"]


def element(rng):
    r = rng.random()
    if r < 0.3:
        return rng.choice(["a", "b", "c", "x"])
    if r < 0.9:
        return "e%d" % rng.randint(0, 50) + "z" * rng.randint(0, 300)
    return bytes(rng.randint(0, 255) for _ in range(rng.randint(0, 3000)))


def index(rng):
    return str(rng.choice([0, 1, -1, 2, -2, 5, -5, 100, -100, 1000, 3000,
                           -3000, rng.randint(-2000, 2000),
                           9223372036854775807, -9223372036854775808]))


def command(rng):
    k = rng.choice(KEYS)
    r = rng.random()
    if r < 0.25:
        n = rng.choice([1, 1, 1, 3, 50, 200])
        return [rng.choice(["LPUSH", "RPUSH"]), k] + \
            [element(rng) for _ in range(n)]
    if r < 0.30:
        return [rng.choice(["LPUSHX", "RPUSHX"]), k, element(rng)]
    if r < 0.40:
        count = rng.choice([[], [str(rng.choice([0, 1, 2, 10, 100, 500,
                                                 5000]))]])
        return [rng.choice(["LPOP", "RPOP"]), k] + count
    if r < 0.45:
        return ["LRANGE", k, index(rng), index(rng)]
    if r < 0.50:
        return ["LINDEX", k, index(rng)]
    if r < 0.55:
        return ["LSET", k, index(rng), element(rng)]
    if r < 0.60:
        return ["LINSERT", k, rng.choice(["BEFORE", "AFTER"]),
                rng.choice(["a", "b", "x"]), element(rng)]
    if r < 0.63:
        return ["LREM", k, str(rng.choice([0, 1, -1, 2, -3])),
                rng.choice(["a", "b", "c"])]
    if r < 0.66:
        return ["LTRIM", k, index(rng), index(rng)]
    if r < 0.72:
        opts = rng.choice([[], ["RANK", rng.choice(["1", "-1", "2", "-3"])],
                           ["COUNT", rng.choice(["0", "2"])],
                           ["MAXLEN", "10", "COUNT", "0", "RANK", "-1"]])
        return ["LPOS", k, rng.choice(["a", "b", "c"])] + opts
    if r < 0.80:
        return ["LMOVE", k, rng.choice(KEYS), rng.choice(["LEFT", "RIGHT"]),
                rng.choice(["LEFT", "RIGHT"])]
    if r < 0.83:
        return ["RPOPLPUSH", k, rng.choice(KEYS)]
    if r < 0.88:
        count = rng.choice([[], ["COUNT", str(rng.choice([1, 3, 300]))]])
        return ["LMPOP", "2", k, rng.choice(KEYS),
                rng.choice(["LEFT", "RIGHT"])] + count
    if r < 0.95:
        return ["LLEN", k]
    return ["LRANGE", k, "0", "-1"]


def show(args):
    return " ".join(a if isinstance(a, str) else "<%d bytes>" % len(a)
                    for a in args[:6])


def compare(port_a, port_b, cmds, normal=None):
    """Send each command to both servers: 0 when every reply is the
    same (or, given normal(args, reply), what it makes of them), else 1
    after showing the first that differs."""
    normal = normal or (lambda args, raw: raw)
    sa, fa = resp_client.connect_file(port_a)
    sb, fb = resp_client.connect_file(port_b)
    for i, args in enumerate(cmds):
        req = resp_client.encode(*args)
        sa.sendall(req)
        sb.sendall(req)
        ra, rb = resp_client.read_raw(fa), resp_client.read_raw(fb)
        if normal(args, ra) != normal(args, rb):
            print("command %d differs: %s" % (i, show(args)))
            print("hydrad:       %r" % ra[:400])
            print("redis-server: %r" % rb[:400])
            return 1
    return 0


def random_run(port_a, port_b, seed, count):
    rng = random.Random(seed)
    cmds = [command(rng) for _ in range(count)]
    cmds += [["LRANGE", k, "0", "-1"] for k in KEYS]
    return compare(port_a, port_b, cmds)


def push(port, key, count, size):
    s, f = resp_client.connect_file(port)
    elems = [(b"%d:" % i).ljust(size, b"p") for i in range(count)]
    s.sendall(resp_client.encode(*(["RPUSH", key] + elems)))
    sys.stdout.write(resp_client.read_raw(f).decode())
    return 0


def main(argv):
    if len(argv) == 6 and argv[1] == "random":
        return random_run(int(argv[2]), int(argv[3]), int(argv[4]),
                          int(argv[5]))
    if len(argv) == 6 and argv[1] == "push":
        return push(int(argv[2]), argv[3], int(argv[4]), int(argv[5]))
    sys.stderr.write("usage: list_diff.py random PORT_A PORT_B SEED COUNT"
                     " | push PORT KEY COUNT SIZE\n")
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
