#!/usr/bin/env python3
#
# setinput_diff.py: random commands that read sets and sorted sets as
# inputs of another kind (SORT and SORT_RO of sets and sorted sets, with
# BY and GET patterns over strings and hash fields; ZUNION, ZINTER, ZDIFF,
# their STORE forms and ZINTERCARD over sets and sorted sets), sent to two
# servers, hydrad and redis-server, whose replies must be the same bytes.
#
#   setinput_diff.py random PORT_A PORT_B SEED COUNT
#       Send COUNT commands drawn from SEED to both, between changes of
#       the inputs: "si" holds integers only (an intset), "st" integers
#       and words (a hash table once a word comes), "z" a sorted set.
#       Exit 1 at the first reply that differs, showing both.
#
# Only requests whose answer Redis defines are drawn: every member has a
# weight of its own (w_<m>, and field f of hash h_<m>), so that no two
# compare equal where Redis would leave their order to its sort; a set
# that may be a hash table is sorted unsorted (BY nosort) only with STORE,
# which sorts it ALPHA anyway.  The results of the sorted-set operations
# are ordered by score then member, whatever order a set keeps.

import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from list_diff import compare  # noqa: E402
from zset_diff import zop  # noqa: E402

INTS = [str(i) for i in range(-8, 40)]
WORDS = ["a", "b", "ab", "m1", "m10", "m2", "x y", "zz"]
POOL = INTS + WORDS
SETS = ["si", "st", "z", "nokey"]
WEIGHTS = ["1", "2", "-1", "0.5", "0", "inf", "-inf", "3"]


def setup():
    """Weights for every member: distinct numbers as strings, distinct
    words in hash fields, names for some members only."""
    rng = random.Random(0)
    nums = list(range(len(POOL)))
    rng.shuffle(nums)
    cmds = []
    for m, n in zip(POOL, nums):
        cmds.append(["SET", "w_" + m, str(n * 3 - 20)])
        cmds.append(["HSET", "h_" + m, "f", "k%03d" % n])
        if n % 3:
            cmds.append(["HSET", "h_" + m, "name", "name-" + m])
            cmds.append(["SET", "v_" + m, "value-" + m])
    return cmds


def change(rng):
    r = rng.random()
    if r < 0.35:
        return ["SADD", "si"] + rng.sample(INTS, rng.randint(1, 6))
    if r < 0.65:
        return ["SADD", "st"] + rng.sample(POOL, rng.randint(1, 6))
    if r < 0.8:
        return ["SREM", rng.choice(["si", "st"])] + rng.sample(POOL, 4)
    args = ["ZADD", "z"]
    for m in rng.sample(POOL, rng.randint(1, 5)):
        args += [rng.choice(["1", "2", "-3", "0.5", "7"]), m]
    return args


def limit(rng):
    if rng.random() < 0.5:
        return []
    return ["LIMIT", str(rng.randint(-2, 30)), str(rng.randint(-1, 20))]


def gets(rng):
    out = []
    for _ in range(rng.randint(0, 2)):
        out += ["GET", rng.choice(["#", "v_*", "h_*->name", "h_*->f",
                                   "nosuch_*", "h_*->nofield"])]
    return out


def sort(rng):
    k = rng.choice(["si", "st", "z", "nokey"])
    cmd = rng.choice(["SORT", "SORT_RO"])
    opts = []
    r = rng.random()
    if r < 0.3:
        opts += ["BY", rng.choice(["w_*", "h_*->f"])]
    elif r < 0.5 and k != "st":
        opts += ["BY", "nosort"]
    elif r < 0.6 and cmd == "SORT":
        opts += ["BY", "nosort", "STORE", "dst"]
    if rng.random() < 0.4:
        opts.append("ALPHA")
    if rng.random() < 0.4:
        opts.append("DESC")
    opts += limit(rng) + gets(rng)
    if cmd == "SORT" and "STORE" not in opts and rng.random() < 0.2:
        opts += ["STORE", "dst"]
    out = [[cmd, k] + opts]
    if "STORE" in opts:
        out.append(["LRANGE", "dst", "0", "-1"])
    return out


def zop_run(rng):
    cmd = zop(rng, SETS, WEIGHTS, ["dz"])
    if cmd[0].endswith("STORE"):
        return [cmd, ["ZRANGE", "dz", "0", "-1", "WITHSCORES"]]
    return [cmd]


def random_run(port_a, port_b, seed, count):
    rng = random.Random(seed)
    cmds = setup()
    while len(cmds) < count:
        cmds.append(change(rng))
        cmds += sort(rng) if rng.random() < 0.5 else zop_run(rng)
    cmds += [["SORT", k, "ALPHA"] for k in ("si", "st", "z")]
    return compare(port_a, port_b, cmds)


def main(argv):
    if len(argv) == 6 and argv[1] == "random":
        return random_run(int(argv[2]), int(argv[3]), int(argv[4]),
                          int(argv[5]))
    sys.stderr.write("usage: setinput_diff.py random PORT_A PORT_B SEED "
                     "COUNT\n")
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
