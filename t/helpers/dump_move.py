#!/usr/bin/env python3
#
# dump_move.py: values moved between two servers with DUMP and RESTORE,
# for cmd_dump.bats.
#
#   dump_move.py fill PORT [MAXLEN]
#       Make the set of test keys on the server: strings of every RDB
#       encoding (small and large integers, LZF-compressible, raw,
#       binary, 1 MB), lists of every size (one element to 100000, or
#       to MAXLEN, one listpack node or many, integers and strings,
#       elements up to 20000 bytes, and 8000 bytes to sit at the node
#       limit), hashes, sets and sorted sets of every size and encoding
#       (listpack or table, intsets of each width, a width kept after
#       its wide member went, scores of every spelling), some of them
#       with a time to live.  Lists are built by RPUSH, so their DUMP is
#       the same bytes on both servers.
#   dump_move.py move FROM TO
#       DUMP every key of FROM and RESTORE it into TO with its PTTL and
#       REPLACE; print each failure and exit 1 if there was one.
#   dump_move.py compare A B [SLACK]
#       Every key of A is in B with the same type and value, a time to
#       live on both or neither (within SLACK milliseconds of each other,
#       5000 by default), the same OBJECT ENCODING, and the same DUMP
#       bytes (for hash tables, set tables and skiplists, whose DUMP is
#       in each server's own table order, the same DUMP length instead);
#       values of unordered types are compared sorted.  Print each
#       difference and exit 1 if there was one.
#       With DUMP_MOVE_ZSET_PACKED=1 in the environment (hydrad without
#       its skiplist encoding yet), a sorted set that is a skiplist on
#       one server and a listpack on the other is compared by value.
#   dump_move.py dump PORT KEY FILE
#       Write the DUMP of KEY to FILE.
#   dump_move.py restore PORT KEY TTL FILE [OPTION ...]
#       RESTORE KEY TTL with the payload in FILE and the options; print
#       the reply.
#   dump_move.py mangle PORT SEED COUNT
#       RESTORE COUNT damaged copies (bytes changed, cut, or grown, the
#       CRC made right) of the DUMP of every key; each reply must be +OK
#       or an error of RESTORE's about the payload (hydrad's for a type
#       it does not hold yet included), never a dropped connection;
#       print each other reply and exit 1 if there was one.

import os
import random
import socket
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import resp_client  # noqa: E402

POLY = 0x95AC9329AC4BC9B5
TABLE = []
for i in range(256):
    c = i
    for _ in range(8):
        c = (c >> 1) ^ POLY if c & 1 else c >> 1
    TABLE.append(c)


def crc64(data):
    crc = 0
    for b in data:
        crc = TABLE[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc


class Conn:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port),
                                             timeout=60)
        self.f = self.sock.makefile("rb")

    def reply(self):
        line = self.f.readline()
        if not line:
            raise ConnectionError("closed")
        kind, rest = line[:1], line[1:-2]
        if kind == b"+":
            return rest
        if kind == b"-":
            return Error(rest)
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            return None if n < 0 else self.f.read(n + 2)[:-2]
        if kind == b"*":
            return [self.reply() for _ in range(int(rest))]
        raise ValueError("unexpected reply %r" % line)

    def call(self, *args):
        args = [a if isinstance(a, (bytes, str)) else str(a) for a in args]
        self.sock.sendall(resp_client.encode(*args))
        return self.reply()


class Error(bytes):
    pass


STRINGS = [b"", b"a", b"0", b"-1", b"127", b"-128", b"300", b"-32768",
           b"70000", b"2147483647", b"-2147483648", b"2147483648",
           b"9223372036854775807", b"01", b"-0", b"1.5",
           b"a" * 21, b"abc" * 100, bytes(range(256)) * 4,
           random.Random(3).randbytes(3000), b"x" * (1 << 20)]


def list_elements(rng, n, kind):
    out = []
    for i in range(n):
        if kind == "small":
            out.append(b"e%d" % i)
        elif kind == "int":
            out.append(str(rng.choice([i, -i, i * 1000, i << 40,
                                       -(1 << 63)])).encode())
        elif kind == "mixed":
            out.append(rng.choice([b"s" * rng.randint(0, 70),
                                   str(rng.randint(-10 ** 9,
                                                   10 ** 9)).encode(),
                                   rng.randbytes(rng.randint(60, 5000))]))
        elif kind == "edge":
            out.append(b"q" * 8000)
        else:
            out.append(b"z" * rng.randint(1000, 20000))
    return out


def cmd_fill(port, maxlen):
    c = Conn(port)
    rng = random.Random(7)
    for i, s in enumerate(STRINGS):
        c.call("SET", "s:%d" % i, s)
        if i % 3 == 0:
            c.call("PEXPIRE", "s:%d" % i, 1000000 + i)
    k = 0
    for n in [1, 2, 10, 128, 129, 1000, 100000]:
        if n > maxlen:
            continue
        for kind in ["small", "int", "mixed", "edge", "big"]:
            if n * (20000 if kind == "big" else 8000) > 40 << 20 and \
                    kind in ("big", "edge", "mixed"):
                continue
            els = list_elements(rng, n, kind)
            key = "l:%d:%s" % (n, kind)
            for j in range(0, len(els), 1000):
                r = c.call("RPUSH", key, *els[j:j + 1000])
                if isinstance(r, Error):
                    sys.exit("RPUSH %s: %s" % (key, r.decode()))
            if k % 2 == 0:
                c.call("EXPIRE", key, 500000 + k)
            k += 1
    cmd_fill_collections(c, rng)


def member(rng, i, kind):
    """Member i of a collection of KIND (small, int, wide, long, mixed)."""
    if kind == "small":
        return b"m%d" % i
    if kind == "int":
        return str(rng.choice([i, -i, i * 1000, -i * 7])).encode()
    if kind == "wide":
        return str(rng.choice([i << 20, -(i << 40), i, (1 << 63) - 1 - i,
                               -(1 << 63) + i])).encode()
    if kind == "long":
        return b"L%d:" % i + b"v" * rng.randint(60, 300)
    return rng.choice([b"x%d" % i, str(i * 13).encode(), b"",
                       rng.randbytes(rng.randint(1, 40)) + b"%d" % i])


SCORES = [0.0, -0.0, 1.0, -1.0, 1.5, 3.0e15, 4503599627370496.0,
          -4503599627370495.0, 1e-300, 0.1, 1.0 / 3, float("inf"),
          float("-inf"), 123456789.125, -2.5e100, 17.0]


def score_text(d):
    if d == float("inf"):
        return "inf"
    if d == float("-inf"):
        return "-inf"
    return repr(d)


def cmd_fill_collections(c, rng):
    """Hashes, sets and sorted sets of every size and encoding."""
    k = 0
    for n in [1, 2, 10, 128, 129, 600, 5000]:
        for kind in ["small", "int", "wide", "long", "mixed"]:
            els = []
            seen = set()
            for i in range(n):
                m = member(rng, i, kind)
                if m not in seen:
                    seen.add(m)
                    els.append(m)
            h = "h:%d:%s" % (n, kind)
            for j in range(0, len(els), 500):
                args = []
                for m in els[j:j + 500]:
                    args += [m, member(rng, len(m), kind)]
                c.call("HSET", h, *args)
            s = "S:%d:%s" % (n, kind)
            for j in range(0, len(els), 500):
                c.call("SADD", s, *els[j:j + 500])
            z = "z:%d:%s" % (n, kind)
            for j in range(0, len(els), 500):
                args = []
                for i, m in enumerate(els[j:j + 500]):
                    sc = rng.choice(SCORES) if i % 3 else \
                        rng.randint(-1 << 53, 1 << 53) / rng.choice([1, 4])
                    args += [score_text(sc), m]
                c.call("ZADD", z, *args)
            for key in (h, s, z):
                if k % 2 == 0:
                    c.call("PEXPIRE", key, 700000 + k)
                k += 1
    # An intset keeps its width after its wide members go, in Redis too.
    c.call("SADD", "S:narrowed:32", "1", "2", "100000")
    c.call("SREM", "S:narrowed:32", "100000")
    c.call("SADD", "S:narrowed:64", "-5", "5", "1" + "0" * 15)
    c.call("SREM", "S:narrowed:64", "1" + "0" * 15)
    # A field set again keeps its place; HINCRBY makes integers.
    c.call("HSET", "h:order", "b", "1", "a", "2", "c", "x" * 30)
    c.call("HSET", "h:order", "b", "hello")
    c.call("HINCRBY", "h:order", "n", "-4097")
    c.call("ZADD", "z:ties", "1", "b", "1", "a", "1", "ab", "-0", "z",
           "0", "y")
    c.call("ZINCRBY", "z:ties", "0.25", "a")


def keys(c):
    return sorted(c.call("KEYS", "*"))


def cmd_move(src, dst):
    a, b = Conn(src), Conn(dst)
    bad = 0
    for key in keys(a):
        payload = a.call("DUMP", key)
        ttl = a.call("PTTL", key)
        r = b.call("RESTORE", key, str(max(ttl, 0)), payload, "REPLACE")
        if r != b"OK":
            print("RESTORE %s: %r" % (key.decode(), r))
            bad += 1
    return 1 if bad else 0


def value(c, key, kind):
    if kind == b"string":
        return c.call("GET", key)
    if kind == b"hash":
        r = c.call("HGETALL", key)
        return sorted(zip(r[0::2], r[1::2]))
    if kind == b"set":
        return sorted(c.call("SMEMBERS", key))
    if kind == b"zset":
        return c.call("ZRANGE", key, "0", "-1", "WITHSCORES")
    return c.call("LRANGE", key, "0", "-1")


# Set (by cmd_dump.bats) while hydrad keeps large sorted sets packed:
# then a sorted set that one server holds as a skiplist and the other as
# a listpack is compared by value only.
ZSET_PACKED = os.environ.get("DUMP_MOVE_ZSET_PACKED") == "1"

# Encodings whose DUMP follows each server's own table order.
UNORDERED = (b"hashtable", b"skiplist")


def cmd_compare(pa, pb, slack):
    a, b = Conn(pa), Conn(pb)
    bad = 0
    ka = keys(a)
    if ka != keys(b):
        print("the key sets differ")
        bad += 1
    for key in ka:
        ta, tb = a.call("TYPE", key), b.call("TYPE", key)
        name = key.decode()
        if ta != tb:
            print("%s: type %r, %r" % (name, ta, tb))
            bad += 1
            continue
        va, vb = value(a, key, ta), value(b, key, tb)
        if ZSET_PACKED and ta == b"zset":
            # A listpack keeps no sign on a zero score; a skiplist does.
            va = [b"0" if x == b"-0" else x for x in va]
            vb = [b"0" if x == b"-0" else x for x in vb]
        if va != vb:
            print("%s: the values differ" % name)
            bad += 1
        pa_, pb_ = a.call("PTTL", key), b.call("PTTL", key)
        if (pa_ < 0) != (pb_ < 0) or abs(pa_ - pb_) > slack:
            print("%s: pttl %d, %d" % (name, pa_, pb_))
            bad += 1
        ea, eb = (a.call("OBJECT", "ENCODING", key),
                  b.call("OBJECT", "ENCODING", key))
        if ea != eb and ZSET_PACKED and ta == b"zset" and \
                {ea, eb} == {b"listpack", b"skiplist"}:
            continue
        if ea != eb:
            print("%s: encoding %r, %r" % (name, ea, eb))
            bad += 1
            continue
        da, db = a.call("DUMP", key), b.call("DUMP", key)
        if ea in UNORDERED and ta != b"list":
            if len(da) != len(db):
                print("%s: the DUMP lengths differ" % name)
                bad += 1
        elif da != db:
            print("%s: the DUMP bytes differ" % name)
            bad += 1
    return 1 if bad else 0


def damage(rng, body):
    body = bytearray(body)
    how = rng.randrange(3)
    if how == 0 and body:
        for _ in range(rng.randint(1, 4)):
            body[rng.randrange(len(body))] = rng.randrange(256)
    elif how == 1:
        del body[rng.randrange(len(body) + 1):]
    else:
        pos = rng.randrange(len(body) + 1)
        body[pos:pos] = rng.randbytes(rng.randint(1, 8))
    return bytes(body)


def cmd_mangle(port, seed, count):
    c = Conn(port)
    rng = random.Random(seed)
    bad = 0
    allowed = (b"ERR Bad data format",
               b"ERR DUMP payload version or checksum are wrong",
               b"ERR RESTORE of this type of value is not supported yet")
    payloads = [c.call("DUMP", k) for k in keys(c)]
    payloads = [p for p in payloads if len(p) < 200000]
    for i in range(count):
        p = rng.choice(payloads)
        body = damage(rng, p[:-10]) + p[-10:-8]
        body += struct.pack("<Q", crc64(body))
        r = c.call("RESTORE", "mangled", "0", body, "REPLACE")
        if r != b"OK" and not (isinstance(r, Error) and r in allowed):
            print("RESTORE of a damaged payload: %r" % r)
            bad += 1
    if c.call("PING") != b"PONG":
        bad += 1
    return 1 if bad else 0


def main():
    cmd = sys.argv[1]
    if cmd == "fill":
        return cmd_fill(int(sys.argv[2]),
                        int(sys.argv[3]) if len(sys.argv) > 3 else 100000)
    if cmd == "move":
        return cmd_move(int(sys.argv[2]), int(sys.argv[3]))
    if cmd == "compare":
        return cmd_compare(int(sys.argv[2]), int(sys.argv[3]),
                           int(sys.argv[4]) if len(sys.argv) > 4 else 5000)
    if cmd == "dump":
        with open(sys.argv[4], "wb") as f:
            f.write(Conn(int(sys.argv[2])).call("DUMP", sys.argv[3]))
        return 0
    if cmd == "restore":
        with open(sys.argv[5], "rb") as f:
            payload = f.read()
        r = Conn(int(sys.argv[2])).call("RESTORE", sys.argv[3], sys.argv[4],
                                        payload, *sys.argv[6:])
        print(r.decode())
        return 0
    if cmd == "mangle":
        return cmd_mangle(int(sys.argv[2]), int(sys.argv[3]),
                          int(sys.argv[4]))
    sys.exit("usage: dump_move.py fill|move|compare|dump|restore|mangle ...")


if __name__ == "__main__":
    sys.exit(main() or 0)
