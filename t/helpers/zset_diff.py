#!/usr/bin/env python3
#
# zset_diff.py: random sorted-set commands sent to two servers, hydrad and
# redis-server, whose replies must be the same bytes.
#
#   zset_diff.py random PORT_A PORT_B SEED COUNT
#       Send COUNT commands drawn from SEED (ZADD with every option,
#       ZINCRBY, ZREM, ranges by rank, score and member in both
#       directions with LIMIT, the stores, counts, pops, ZMPOP, unions,
#       intersections and differences, ZSCAN, on three keys) to both;
#       exit 1 at the first reply that differs, showing both.  Members
#       come from a pool of 60 of at most 40 bytes, so that Redis keeps
#       every set in its packed encoding, as hydrad does; the scores are
#       few, so that ties and lex ranges over mixed scores are common.
#       At the end every set is read whole from both.
#   zset_diff.py batches PORT STOPFILE
#       Until STOPFILE exists, add batches of ten members "b<i>:<j>" (score i) to
#       key "zb" with one ZADD each, and after each batch store the union
#       of "zb" into "zu"; a connection that breaks (its worker was
#       killed) is opened again.  Then check that each batch is whole
#       or not at all in "zb" and in "zu"; print what is wrong and exit 1
#       if anything is.
#   zset_diff.py singles PORT STOPFILE
#       Until STOPFILE exists, add members "s<i>" (score i) to key "zs" one
#       ZADD each, raising the one added three before by 0.5 with ZINCRBY
#       and removing every tenth one added five before with ZREM, so the
#       set is large and changes one member at a time (a member whose
#       change was in flight is left alone); a broken connection is
#       opened again.  Then check that every acknowledged change is
#       there, every change not sent is not, and one in flight either way;
#       print what is wrong and exit 1 if anything is.

import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import resp_client  # noqa: E402
from list_diff import compare  # noqa: E402

KEYS = ["z1", "z2", "z3"]
POOL = ["a", "b", "c", "ab", "abc", "", "\x00", "a\x00", "zz"] + \
    ["m%d" % i for i in range(40)] + \
    ["long%d" % i + "x" * 30 for i in range(11)]
SCORES = ["0", "1", "-1", "2", "2.5", "-0", "0.1", "1e20", "inf", "-inf",
          "3", "10", "-7.25", "+4", "0x10"]


def score(rng):
    return rng.choice(SCORES)


def bound(rng):
    s = rng.choice(SCORES + ["-inf", "+inf"])
    return ("(" + s) if rng.random() < 0.3 else s


def lexbound(rng):
    r = rng.random()
    if r < 0.15:
        return "-"
    if r < 0.3:
        return "+"
    return rng.choice("[(") + rng.choice(POOL)


def rank(rng):
    return str(rng.choice([0, 1, -1, 2, -2, 5, -5, 100, -100,
                           rng.randint(-70, 70)]))


def limit(rng):
    if rng.random() < 0.6:
        return []
    return ["LIMIT", str(rng.choice([0, 1, 2, -1, 5])),
            str(rng.choice([0, 1, 3, -1, 10]))]


def zrange(rng, k):
    kind = rng.choice(["rank", "score", "lex"])
    rev = rng.random() < 0.4
    if kind == "rank":
        args = [k, rank(rng), rank(rng)]
        opts = []
    elif kind == "score":
        args = [k, bound(rng), bound(rng)]
        opts = ["BYSCORE"] + limit(rng)
    else:
        args = [k, lexbound(rng), lexbound(rng)]
        opts = ["BYLEX"] + limit(rng)
    if rev:
        opts.append("REV")
    if kind != "lex" and rng.random() < 0.5:
        opts.append("WITHSCORES")
    return args, opts


def zop(rng, keys, weights, dsts):
    """A random ZUNION, ZINTER, ZDIFF, STORE form or ZINTERCARD over one
    to three inputs drawn from keys, its weights from weights, a STORE
    form's destination from dsts."""
    op = rng.choice(["ZUNION", "ZINTER", "ZDIFF", "ZUNIONSTORE",
                     "ZINTERSTORE", "ZDIFFSTORE", "ZINTERCARD"])
    n = rng.randint(1, 3)
    srcs = [rng.choice(keys) for _ in range(n)]
    opts = []
    if op[:5] != "ZDIFF" and op != "ZINTERCARD":
        if rng.random() < 0.4:
            opts += ["WEIGHTS"] + [rng.choice(weights) for _ in srcs]
        if rng.random() < 0.4:
            opts += ["AGGREGATE", rng.choice(["SUM", "MIN", "MAX"])]
    if op in ("ZUNION", "ZINTER", "ZDIFF") and rng.random() < 0.5:
        opts.append("WITHSCORES")
    if op == "ZINTERCARD" and rng.random() < 0.5:
        opts += ["LIMIT", str(rng.choice([0, 1, 2]))]
    dst = [rng.choice(dsts)] if op.endswith("STORE") else []
    return [op] + dst + [str(n)] + srcs + opts


def command(rng):
    k = rng.choice(KEYS)
    r = rng.random()
    if r < 0.22:
        opts = rng.choice([[], [], ["NX"], ["XX"], ["GT"], ["LT"], ["CH"],
                           ["XX", "GT", "CH"], ["NX", "CH"], ["LT", "CH"]])
        n = 1 if rng.random() < 0.2 else rng.randint(1, 10)
        if rng.random() < 0.1:
            opts = opts + ["INCR"]
            n = 1
        pairs = []
        for _ in range(n):
            pairs += [score(rng), rng.choice(POOL)]
        return ["ZADD", k] + opts + pairs
    if r < 0.27:
        return ["ZINCRBY", k, score(rng), rng.choice(POOL)]
    if r < 0.32:
        return ["ZREM", k] + rng.sample(POOL, rng.randint(1, 4))
    if r < 0.45:
        args, opts = zrange(rng, k)
        return ["ZRANGE"] + args + opts
    if r < 0.50:
        args, opts = zrange(rng, k)
        opts = [o for o in opts if o != "WITHSCORES"]
        return ["ZRANGESTORE", rng.choice(KEYS)] + args + opts
    if r < 0.55:
        return [rng.choice(["ZRANGEBYSCORE", "ZREVRANGEBYSCORE"]), k,
                bound(rng), bound(rng)] + limit(rng)
    if r < 0.60:
        return [rng.choice(["ZRANGEBYLEX", "ZREVRANGEBYLEX"]), k,
                lexbound(rng), lexbound(rng)] + limit(rng)
    if r < 0.64:
        return ["ZCOUNT", k, bound(rng), bound(rng)]
    if r < 0.67:
        return ["ZLEXCOUNT", k, lexbound(rng), lexbound(rng)]
    if r < 0.70:
        return ["ZREMRANGEBYRANK", k, rank(rng), rank(rng)]
    if r < 0.72:
        return ["ZREMRANGEBYSCORE", k, bound(rng), bound(rng)]
    if r < 0.74:
        return ["ZREMRANGEBYLEX", k, lexbound(rng), lexbound(rng)]
    if r < 0.78:
        count = rng.choice([[], [str(rng.choice([0, 1, 2, 5, 100]))]])
        return [rng.choice(["ZPOPMIN", "ZPOPMAX"]), k] + count
    if r < 0.80:
        count = rng.choice([[], ["COUNT", str(rng.choice([1, 3, 100]))]])
        return ["ZMPOP", "2", k, rng.choice(KEYS),
                rng.choice(["MIN", "MAX"])] + count
    if r < 0.88:
        return zop(rng, KEYS, ["1", "2", "-1", "0.5", "0"], KEYS)
    if r < 0.90:
        return ["ZSCAN", k, "0"] + rng.choice([[], ["MATCH", "m1*"],
                                               ["COUNT", "2"]])
    if r < 0.93:
        return [rng.choice(["ZRANK", "ZREVRANK", "ZSCORE"]), k,
                rng.choice(POOL)]
    if r < 0.95:
        return ["ZMSCORE", k] + rng.sample(POOL, 3)
    if r < 0.97:
        return ["ZCARD", k]
    return ["ZRANDMEMBER", k, str(rng.choice([100, 0]))] + \
        rng.choice([[], ["WITHSCORES"]])


def random_run(port_a, port_b, seed, count):
    rng = random.Random(seed)
    cmds = [command(rng) for _ in range(count)]
    cmds += [["ZRANGE", k, "0", "-1", "WITHSCORES"] for k in KEYS]
    return compare(port_a, port_b, cmds)


def batches(port, stopfile):
    conn, i = None, 0
    while not os.path.exists(stopfile):
        try:
            if conn is None:
                conn = resp_client.connect_file(port)
            s, f = conn
            args = ["ZADD", "zb"]
            for j in range(10):
                args += [str(i), "b%d:%d" % (i, j)]
            s.sendall(resp_client.encode(*args) +
                      resp_client.encode("ZUNIONSTORE", "zu", "1", "zb"))
            resp_client.read_raw(f)
            resp_client.read_raw(f)
            i += 1
        except (OSError, EOFError, ValueError):
            conn = None
            time.sleep(0.05)
    s, f = resp_client.connect_file(port)
    bad = 0
    for key in ("zb", "zu"):
        s.sendall(resp_client.encode("ZRANGE", key, "0", "-1"))
        reply = resp_client.read_raw(f).split(b"\r\n")
        counts = {}
        for m in reply[2::2]:
            counts[m.split(b":")[0]] = counts.get(m.split(b":")[0], 0) + 1
        partial = [b for b, n in counts.items() if n != 10]
        if partial:
            print("%s: batches not whole: %r" % (key, partial[:10]))
            bad = 1
        print("%s: %d batches" % (key, len(counts)))
    return bad


def singles(port, stopfile):
    conn, i = None, 0
    state = {}      # member number: (score, certain)
    while not os.path.exists(stopfile):
        ops = [(["ZADD", "zs", str(i), "s%d" % i], i, float(i))]
        # Only members whose state is known are changed again.
        if i >= 3 and state.get(i - 3, (0, False))[1]:
            ops.append((["ZINCRBY", "zs", "0.5", "s%d" % (i - 3)], i - 3,
                        i - 3 + 0.5))
        if i >= 5 and (i - 5) % 10 == 0 and \
                state.get(i - 5, (0, False))[1]:
            ops.append((["ZREM", "zs", "s%d" % (i - 5)], i - 5, None))
        for args, n, after in ops:
            state[n] = ((state.get(n, (None, True))[0], after), False)
            try:
                if conn is None:
                    conn = resp_client.connect_file(port)
                s, f = conn
                s.sendall(resp_client.encode(*args))
                resp_client.read_raw(f)
                state[n] = (after, True)
            except (OSError, EOFError, ValueError):
                conn = None
                time.sleep(0.05)
                break
        i += 1
    s, f = resp_client.connect_file(port)
    s.sendall(resp_client.encode("ZRANGE", "zs", "0", "-1", "WITHSCORES"))
    reply = resp_client.read_raw(f).split(b"\r\n")
    have = {}
    for m, sc in zip(reply[2::4], reply[4::4]):
        have[int(m[1:])] = float(sc)
    bad = [n for n, (sc, certain) in state.items()
           if (certain and have.get(n) != sc) or
           (not certain and have.get(n) not in sc)]
    bad += [n for n in have if n not in state]
    if bad:
        print("zs: wrong members: %r" % [(n, state.get(n), have.get(n))
                                         for n in sorted(bad)[:10]])
    print("zs: %d changes, %d members" % (i, len(have)))
    return 1 if bad else 0


def main(argv):
    if len(argv) == 4 and argv[1] == "batches":
        return batches(int(argv[2]), argv[3])
    if len(argv) == 4 and argv[1] == "singles":
        return singles(int(argv[2]), argv[3])
    if len(argv) == 6 and argv[1] == "random":
        return random_run(int(argv[2]), int(argv[3]), int(argv[4]),
                          int(argv[5]))
    sys.stderr.write("usage: zset_diff.py random PORT_A PORT_B SEED COUNT\n")
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
