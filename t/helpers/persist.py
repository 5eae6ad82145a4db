#!/usr/bin/env python3
#
# persist.py: data sets and keyspace dumps for t/persist.bats.
#
#   persist.py fill PORT
#       Write keys of every type and encoding (small and large lists,
#       hashes, sets, sorted sets; integer, short and long strings; keys
#       with and without an expiry) into databases 0, 1 and 5.
#   persist.py dump PORT
#       Print the whole keyspace, one line per key in a fixed order: the
#       database, the key, its type, its value in a canonical form and its
#       PEXPIRETIME, so that two servers' dumps compare with diff.
#   persist.py pairs PORT STOPFILE ACKFILE
#       Until STOPFILE exists, MSET "a:<i>" and "b:<i>" (i among 200) to
#       the same new value, one command each: a snapshot that cuts one in
#       half shows the two names apart.  The count of MSETs acknowledged
#       goes to ACKFILE at the end.
#   persist.py check_pairs PORT
#       Every a:<i> equals its b:<i>, and some exist.

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from blocking import Conn  # noqa: E402


def fill(port):
    c = Conn(port)
    for db in (0, 1, 5):
        c.call("SELECT", db)
        for i in range(300):
            c.send("SET", "s:%d" % i, "value-%d-%d" % (db, i))
        for i in range(300):
            c.read()
        c.call("SET", "int", 12345)
        c.call("SET", "neg", -77)
        c.call("SET", "long", "x" * 5000)
        c.call("SET", "ttl", "soon", "PX", 1000000)
        c.call("RPUSH", "list:small", "a", "b", "c", 1, 2)
        c.call("RPUSH", "list:big", *["e%d" % i for i in range(2000)])
        c.call("HSET", "hash:small", "f1", "v1", "f2", 2)
        c.call("HSET", "hash:big", *sum((["f%d" % i, "v%d" % i]
                                          for i in range(1000)), []))
        c.call("SADD", "set:int", 1, 2, 3, 99)
        c.call("SADD", "set:big", *["m%d" % i for i in range(1000)])
        c.call("ZADD", "zset:small", 1.5, "a", -2, "b", 3, "c")
        c.call("ZADD", "zset:big", *sum(([i * 0.25, "z%d" % i]
                                          for i in range(1000)), []))
        c.call("HSET", "hash:ttl", "f", "v")
        c.call("EXPIRE", "hash:ttl", 5000)
    c.close()


def text(v):
    if isinstance(v, bytes):
        return v.decode("latin1")
    return repr(v)


def dump(port):
    c = Conn(port)
    for db in range(16):
        c.call("SELECT", db)
        keys, cursor = set(), b"0"
        while True:
            cursor, batch = c.call("SCAN", cursor, "COUNT", 1000)
            keys.update(batch)
            if cursor == b"0":
                break
        for k in sorted(keys):
            t = c.call("TYPE", k)
            if t == b"string":
                v = text(c.call("GET", k))
            elif t == b"list":
                v = " ".join(map(text, c.call("LRANGE", k, 0, -1)))
            elif t == b"hash":
                v = " ".join(sorted(map(text, c.call("HGETALL", k))))
            elif t == b"set":
                v = " ".join(sorted(map(text, c.call("SMEMBERS", k))))
            elif t == b"zset":
                v = " ".join(map(text, c.call("ZRANGE", k, 0, -1,
                                              "WITHSCORES")))
            else:
                v = "?"
            print("%d %s %s %s %s" % (db, text(k), text(t), v,
                                      c.call("PEXPIRETIME", k)))
    c.close()


def pairs(port, stopfile, ackfile):
    c = Conn(port)
    n = 0
    while not os.path.exists(stopfile):
        i = n % 200
        if c.call("MSET", "a:%d" % i, n, "b:%d" % i, n) != b"OK":
            sys.exit("MSET failed")
        n += 1
    with open(ackfile, "w") as f:
        f.write("%d\n" % n)


def check_pairs(port):
    c = Conn(port)
    seen = 0
    for i in range(200):
        a = c.call("GET", "a:%d" % i)
        b = c.call("GET", "b:%d" % i)
        if a != b:
            sys.exit("a:%d is %r but b:%d is %r" % (i, a, i, b))
        seen += a is not None
    if seen == 0:
        sys.exit("no pair in the snapshot")
    print("ok: %d pairs, each whole" % seen)


if __name__ == "__main__":
    cmds = {"fill": fill, "dump": dump, "pairs": pairs,
            "check_pairs": check_pairs}
    if len(sys.argv) < 3 or sys.argv[1] not in cmds:
        sys.exit("usage: persist.py %s PORT ..." % "|".join(cmds))
    cmds[sys.argv[1]](int(sys.argv[2]), *sys.argv[3:])
