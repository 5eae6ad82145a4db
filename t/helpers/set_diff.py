#!/usr/bin/env python3
#
# set_diff.py: set commands sent to hydrad and redis-server, for the
# checks that a fixed script cannot make.
#
#   set_diff.py random PORT_A PORT_B SEED COUNT [strings]
#       Send COUNT set commands drawn from SEED (SADD, SREM, SMOVE,
#       SISMEMBER, SMISMEMBER, SCARD, SMEMBERS, SINTER, SINTERCARD,
#       SUNION, SDIFF and their STORE forms, SPOP with a count that takes
#       the whole set, OBJECT ENCODING, on four keys) to both; exit 1 at
#       the first reply that differs, showing both.  Members are integers
#       (edge cases included), and with "strings" also other strings,
#       binary ones too.  The replies of commands whose order Redis
#       leaves to its hash table are compared as sorted lists.
#   set_diff.py random-props PORT [strings]
#       SPOP and SRANDMEMBER, whose replies are chance: check what Redis
#       promises instead (see props() below) on an intset, or with
#       "strings" on a hashtable; exit 1 on a broken promise.
#   set_diff.py sscan PORT
#       SSCAN a hashtable of 1000 members with COUNT and MATCH, adding
#       members between the calls: every member there from the start
#       is found, the cursor comes back to 0, and a step answers about
#       COUNT members.
#   set_diff.py load PORT DIR CLIENTS
#       CLIENTS connections send random set commands (those of random,
#       strings included) until the file DIR/stop appears, reconnecting
#       when the server drops them; DIR/replies.N counts client N's
#       replies.  Exit 1 if an error reply other than OOM comes.
#   set_diff.py verify PORT
#       Every set of those commands is whole: SMEMBERS has no repeat and
#       agrees with SCARD, SISMEMBER and a full SSCAN; an intset holds
#       integers only, ascending.
#   set_diff.py smove PORT CLIENTS MOVES
#       CLIENTS connections each send MOVES random SMOVEs between three
#       sets that start with 300 members between them, at the same time;
#       afterwards the sets must be disjoint and hold those 300 members.

import os
import random
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import resp_client  # noqa: E402

KEYS = ["s1", "s2", "s3", "s4"]
UNORDERED = {"SMEMBERS", "SINTER", "SUNION", "SDIFF"}


class Conn:
    def __init__(self, port):
        self.s = resp_client.connect(port)
        self.s.settimeout(30)
        self.f = self.s.makefile("rb")

    def call(self, *args):
        self.s.sendall(resp_client.encode(*args))
        return resp_client.read_reply(self.f)


def member(rng, strings):
    r = rng.random()
    if strings and r < 0.25:
        return rng.choice([b"a", b"b", b"-0", b"007", b"+1", b"",
                           b"x\x00\r\ny", b"1.5", b"9223372036854775808",
                           bytes(rng.randint(0, 255)
                                 for _ in range(rng.randint(1, 40)))])
    if r < 0.35:
        return str(rng.choice([0, 1, -1, 32767, -32768, 32768, -32769,
                               2147483647, -2147483648, 2147483648,
                               9223372036854775807,
                               -9223372036854775808])).encode()
    return str(rng.randint(-60, 60)).encode()


def command(rng, strings):
    k = rng.choice(KEYS)
    r = rng.random()
    if r < 0.3:
        return ["SADD", k] + [member(rng, strings)
                              for _ in range(rng.choice([1, 1, 3, 20]))]
    if r < 0.45:
        return ["SREM", k] + [member(rng, strings)
                              for _ in range(rng.choice([1, 2, 10]))]
    if r < 0.5:
        return ["SMOVE", k, rng.choice(KEYS), member(rng, strings)]
    if r < 0.55:
        return ["SISMEMBER", k, member(rng, strings)]
    if r < 0.6:
        return ["SMISMEMBER", k] + [member(rng, strings) for _ in range(3)]
    if r < 0.65:
        return ["SCARD", k]
    if r < 0.7:
        return ["SMEMBERS", k]
    if r < 0.75:
        return ["OBJECT", "ENCODING", k]
    if r < 0.9:
        op = rng.choice(["SINTER", "SUNION", "SDIFF"])
        srcs = [rng.choice(KEYS + ["none"])
                for _ in range(rng.randint(1, 3))]
        if rng.random() < 0.4:
            return [op + "STORE", rng.choice(KEYS)] + srcs
        return [op] + srcs
    if r < 0.95:
        srcs = [rng.choice(KEYS) for _ in range(rng.randint(1, 3))]
        return ["SINTERCARD", str(len(srcs))] + srcs + \
            rng.choice([[], ["LIMIT", str(rng.randint(0, 5))]])
    return ["SPOP", k, "1000"]


def normal(cmd, reply):
    if cmd[0] in UNORDERED and isinstance(reply, list):
        return [reply[0]] + sorted(reply[1:])
    if cmd[0] == "SPOP" and isinstance(reply, list):
        return [reply[0]] + sorted(reply[1:])
    return reply


def random_diff(port_a, port_b, seed, count, strings):
    rng = random.Random(seed)
    a, b = Conn(port_a), Conn(port_b)
    for c in (a, b):
        c.call("FLUSHALL")
    for i in range(count):
        cmd = command(rng, strings)
        ra, rb = normal(cmd, a.call(*cmd)), normal(cmd, b.call(*cmd))
        if ra != rb:
            print("command %d: %r" % (i, cmd))
            print("hydrad:       %r" % (ra,))
            print("redis-server: %r" % (rb,))
            return 1
    for k in KEYS:
        for cmd in (["SMEMBERS", k], ["OBJECT", "ENCODING", k]):
            ra = normal(cmd, a.call(*cmd))
            rb = normal(cmd, b.call(*cmd))
            if ra != rb:
                print("at the end, %r: %r against %r" % (cmd, ra, rb))
                return 1
    return 0


def fail(msg):
    print(msg)
    sys.exit(1)


def props(port, strings):
    """
    SRANDMEMBER with a positive count gives distinct members of the set,
    min(count, size) of them; with a negative count, |count| members of
    the set, repeats allowed (and over many draws, repeats come); one at
    a time, every member comes up; repeated draws differ.  SPOP gives
    distinct members, takes them out, and leaves the rest; with a count
    that takes few or most of the set alike.
    """
    c = Conn(port)
    c.call("FLUSHALL")
    members = {(b"m%d" if strings else b"%d") % i for i in range(-20, 30)}
    encoding = b"hashtable" if strings else b"intset"
    c.call("SADD", "s", *members)
    for count in (1, 2, 10, 49, 50, 51, 1000):
        r = c.call("SRANDMEMBER", "s", str(count))
        got = r[1:]
        if len(got) != min(count, 50) or len(set(got)) != len(got) or \
                not set(got) <= members:
            fail("SRANDMEMBER s %d: %r" % (count, r))
    picks = {tuple(sorted(c.call("SRANDMEMBER", "s", "5")[1:]))
             for _ in range(20)}
    if len(picks) < 2:
        fail("20 SRANDMEMBER s 5 all chose %r" % (picks,))
    r = c.call("SRANDMEMBER", "s", "-200")
    got = r[1:]
    if len(got) != 200 or not set(got) <= members or len(set(got)) == 200:
        fail("SRANDMEMBER s -200: %r" % (r,))
    seen = set()
    for _ in range(600):
        seen.add(c.call("SRANDMEMBER", "s"))
    if seen != members:
        fail("600 SRANDMEMBERs saw %d of 50 members" % len(seen))
    if c.call("SCARD", "s") != b":50":
        fail("SRANDMEMBER changed the set")
    left = set(members)
    for count in (3, 1, 30, 2):
        r = c.call("SPOP", "s", str(count))
        got = r[1:]
        if r[0] != b"*" or len(got) != count or \
                len(set(got)) != count or not set(got) <= left:
            fail("SPOP s %d: %r" % (count, r))
        left -= set(got)
        now = c.call("SMEMBERS", "s")
        if set(now[1:]) != left or len(now) - 1 != len(left):
            fail("after SPOP s %d the set holds %r, not %r" %
                 (count, now, left))
        if c.call("OBJECT", "ENCODING", "s") != encoding:
            fail("SPOP s %d: the set is no %r" % (count, encoding))
    while left:
        r = c.call("SPOP", "s")
        if r not in left:
            fail("SPOP s: %r" % r)
        left.discard(r)
    if c.call("EXISTS", "s") != b":0":
        fail("the set outlived its last member")
    return 0


def run_clients(run, clients, errors, what):
    """run(i) in a thread for each client i; fail on what they found."""
    threads = [threading.Thread(target=run, args=(i,))
               for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        fail("%s %r" % (what, errors[:3]))


def smove(port, clients, moves):
    keys = ["m1", "m2", "m3"]
    c = Conn(port)
    c.call("DEL", *keys)
    for i, k in enumerate(keys):
        c.call("SADD", k, *[str(j) for j in range(i * 100, i * 100 + 100)])
    errors = []

    def run(seed):
        rng = random.Random(seed)
        conn = Conn(port)
        for _ in range(moves):
            src, dst = rng.sample(keys, 2)
            r = conn.call("SMOVE", src, dst, str(rng.randrange(300)))
            if r not in (b":0", b":1"):
                errors.append(r)
    run_clients(run, clients, errors, "SMOVE answered")
    held = [set(c.call("SMEMBERS", k)[1:]) for k in keys]
    total = sum(len(h) for h in held)
    union = set().union(*held)
    if total != 300 or union != {str(j).encode() for j in range(300)}:
        fail("after the moves the sets hold %d members, %d distinct" %
             (total, len(union)))
    return 0


def sscan(port):
    c = Conn(port)
    c.call("DEL", "t")
    first = {b"member:%d" % i for i in range(1000)}
    c.call("SADD", "t", *first)
    if c.call("OBJECT", "ENCODING", "t") != b"hashtable":
        fail("a set of strings is no hashtable")
    for count, pattern in ((10, None), (7, b"member:1*"), (100, b"*")):
        seen, cursor, calls, added = [], b"0", 0, 0
        while True:
            args = ["SSCAN", "t", cursor, "COUNT", str(count)]
            if pattern is not None:
                args += ["MATCH", pattern]
            r = c.call(*args)
            cursor, got = r[1], r[2][1:]
            seen += got
            calls += 1
            if pattern is None and cursor != b"0" and \
                    not count // 2 <= len(got) <= count * 4:
                fail("SSCAN COUNT %d answered %d members" %
                     (count, len(got)))
            if cursor == b"0":
                break
            if calls > 10000:
                fail("SSCAN never came back to cursor 0")
            # The table grows while it is scanned.
            c.call("SADD", "t", b"extra:%d:%d" % (count, added))
            added += 1
        want = {m for m in first
                if pattern is None or pattern == b"*" or
                m.startswith(pattern[:-1])}
        if not want <= set(seen):
            fail("SSCAN COUNT %d MATCH %r missed %d members" %
                 (count, pattern, len(want - set(seen))))
        if pattern is not None and pattern != b"*" and \
                any(not m.startswith(pattern[:-1]) for m in seen):
            fail("SSCAN MATCH %r answered others" % pattern)
        if calls < 3:
            fail("SSCAN COUNT %d took %d calls only" % (count, calls))
    return 0


def load(port, d, clients):
    errors = []

    def run(n):
        rng = random.Random(n)
        conn, replies = None, 0
        while not os.path.exists(os.path.join(d, "stop")):
            try:
                if conn is None:
                    conn = Conn(port)
                r = conn.call(*command(rng, True))
            except (OSError, EOFError, ConnectionError):
                conn = None
                continue
            if isinstance(r, bytes) and r.startswith(b"-") and \
                    not r.startswith(b"-OOM"):
                errors.append(r)
            replies += 1
            if replies % 20 == 0:
                with open(os.path.join(d, "replies.%d" % n), "w") as f:
                    f.write("%d\n" % replies)
    run_clients(run, clients, errors, "error replies:")
    return 0


def verify(port):
    c = Conn(port)
    for k in KEYS:
        t = c.call("TYPE", k)
        if t == b"+none":
            continue
        if t != b"+set":
            fail("%s is a %r" % (k, t))
        members = c.call("SMEMBERS", k)[1:]
        if len(set(members)) != len(members) or \
                c.call("SCARD", k) != b":%d" % len(members):
            fail("%s: SMEMBERS and SCARD disagree" % k)
        for m in members:
            if c.call("SISMEMBER", k, m) != b":1":
                fail("%s: member %r is not a member" % (k, m))
        seen, cursor = set(), b"0"
        while True:
            r = c.call("SSCAN", k, cursor)
            cursor = r[1]
            seen |= set(r[2][1:])
            if cursor == b"0":
                break
        if seen != set(members):
            fail("%s: SSCAN and SMEMBERS disagree" % k)
        if c.call("OBJECT", "ENCODING", k) == b"intset":
            ints = [int(m) for m in members]
            if [str(i).encode() for i in ints] != members or \
                    ints != sorted(ints):
                fail("%s: an intset of %r" % (k, members))
    return 0


def main():
    if len(sys.argv) >= 6 and sys.argv[1] == "random":
        return random_diff(int(sys.argv[2]), int(sys.argv[3]),
                           int(sys.argv[4]), int(sys.argv[5]),
                           sys.argv[6:] == ["strings"])
    if len(sys.argv) in (3, 4) and sys.argv[1] == "random-props":
        return props(int(sys.argv[2]), sys.argv[3:] == ["strings"])
    if len(sys.argv) == 3 and sys.argv[1] == "sscan":
        return sscan(int(sys.argv[2]))
    if len(sys.argv) == 5 and sys.argv[1] == "load":
        return load(int(sys.argv[2]), sys.argv[3], int(sys.argv[4]))
    if len(sys.argv) == 3 and sys.argv[1] == "verify":
        return verify(int(sys.argv[2]))
    if len(sys.argv) == 5 and sys.argv[1] == "smove":
        return smove(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
    print(__doc__ if __doc__ else "usage: see the header", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
