#!/usr/bin/env python3
#
# rdb_canon.py: RDB files and the keys of a running server in one
# canonical form, for rdb_file.bats.
#
#   rdb_canon.py canon PORT
#       Print every key of every database of the server on PORT in the
#       canonical form of build/release/t/rdb_probe (t/probe/rdb_probe.c):
#       db, key, TYPE, OBJECT ENCODING, PEXPIRETIME, count, elements, one
#       line per key, tab-separated, sorted.
#   rdb_canon.py fill PORT
#       Make the keys of dump_move.py fill (every type, size and
#       encoding, with and without times to live, in database 0), and
#       more in databases 1, 5 and 15.
#   rdb_canon.py oldenc FILE
#       Write an RDB file (version 9) made here from the format, of
#       encodings Redis no longer writes but still loads: lists as a
#       linked list (type 1), a ziplist (10) and a quicklist of ziplists
#       (14); hashes as a zipmap (9) and a ziplist (13); sorted sets with
#       ASCII scores (3) and as a ziplist (12); intsets of each width;
#       an LZF string; 14- and 32-bit lengths; ziplist entries of every
#       integer width and both prevlen sizes; EXPIRETIME in seconds and
#       in milliseconds; a key already expired; keys of empty values;
#       two databases.  Print
#       the number of live keys it holds.

import os
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dump_move  # noqa: E402

DATABASES = 16


def word(b):
    return "x" + b.hex()


def score(raw):
    return "%.17g" % float(raw)


def canon_line(c, db, key):
    kind = c.call("TYPE", key).decode()
    enc = c.call("OBJECT", "ENCODING", key).decode()
    when = c.call("PEXPIRETIME", key)
    if kind == "string":
        els = [word(c.call("GET", key))]
    elif kind == "list":
        els = [word(e) for e in c.call("LRANGE", key, "0", "-1")]
    elif kind == "set":
        els = sorted(word(e) for e in c.call("SMEMBERS", key))
    elif kind == "hash":
        r = c.call("HGETALL", key)
        els = sorted(word(f) + "=" + word(v) for f, v in zip(r[0::2], r[1::2]))
    elif kind == "zset":
        r = c.call("ZRANGE", key, "0", "-1", "WITHSCORES")
        els = sorted(word(m) + "=" + score(s) for m, s in zip(r[0::2], r[1::2]))
    else:
        sys.exit("key %r: type %s" % (key, kind))
    return "%d\t%s\t%s\t%s\t%d\t%d\t%s" % (db, word(key), kind, enc, when,
                                         len(els), " ".join(els))


def cmd_canon(port):
    c = dump_move.Conn(port)
    lines = []
    for db in range(DATABASES):
        c.call("SELECT", str(db))
        seen = set()
        cursor = b"0"
        while True:
            cursor, batch = c.call("SCAN", cursor, "COUNT", "1000")
            seen.update(batch)
            if cursor == b"0":
                break
        lines += [canon_line(c, db, k) for k in seen]
    for line in sorted(lines):
        print(line)
    return 0


def cmd_fill(port):
    dump_move.cmd_fill(port, 100000)
    c = dump_move.Conn(port)
    for db in (1, 5, 15):
        c.call("SELECT", str(db))
        c.call("SET", "s", "db %d" % db)
        c.call("SET", "n", str(db * 1000))
        c.call("RPUSH", "l", "a", "1", "b" * 100)
        c.call("HSET", "h", "f", "v", "n", "7")
        c.call("SADD", "si", "1", "2", "-3")
        c.call("SADD", "sw", "a", "b")
        c.call("ZADD", "z", "1", "a", "2.5", "b")
        big = [str(i) for i in range(600)]
        c.call("SADD", "S", *big)
        c.call("HSET", "H", *[x for i in big for x in ("f" + i, i)])
        c.call("ZADD", "Z", *[x for i in big for x in (i, "m" + i)])
        c.call("RPUSH", "L", *big)
        for key in ("s", "l", "si", "z", "H") if db != 5 else ():
            c.call("PEXPIRE", key, str(900000000 + db))
    return 0


# --- the old encodings, from the format ---------------------------------


def rdb_len(n):
    if n < 64:
        return bytes([n])
    if n < 16384:
        return bytes([0x40 | n >> 8, n & 0xFF])
    if n < 1 << 32:
        return b"\x80" + struct.pack(">I", n)
    return b"\x81" + struct.pack(">Q", n)


def rdb_str(b):
    if isinstance(b, str):
        b = b.encode()
    return rdb_len(len(b)) + b


def rdb_int_str(n):
    """A string written as an integer (the 0xC0-0xC2 encodings)."""
    if -128 <= n <= 127:
        return b"\xc0" + struct.pack("<b", n)
    if -32768 <= n <= 32767:
        return b"\xc1" + struct.pack("<h", n)
    return b"\xc2" + struct.pack("<i", n)


def zl_entry(value, prevlen):
    if prevlen < 254:
        head = bytes([prevlen])
    else:
        head = b"\xfe" + struct.pack("<I", prevlen)
    if isinstance(value, int):
        if 0 <= value <= 12:
            enc = bytes([0xF1 + value])
        elif -128 <= value <= 127:
            enc = b"\xfe" + struct.pack("<b", value)
        elif -32768 <= value <= 32767:
            enc = b"\xc0" + struct.pack("<h", value)
        elif -(1 << 23) <= value < 1 << 23:
            enc = b"\xf0" + struct.pack("<i", value)[:3]
        elif -(1 << 31) <= value < 1 << 31:
            enc = b"\xd0" + struct.pack("<i", value)
        else:
            enc = b"\xe0" + struct.pack("<q", value)
        return head + enc
    if isinstance(value, str):
        value = value.encode()
    n = len(value)
    if n < 64:
        enc = bytes([n])
    elif n < 16384:
        enc = bytes([0x40 | n >> 8, n & 0xFF])
    else:
        enc = b"\x80" + struct.pack(">I", n)
    return head + enc + value


def ziplist(values):
    body = b""
    prev = 0
    tail = 10
    for v in values:
        e = zl_entry(v, prev)
        tail = 10 + len(body)
        body += e
        prev = len(e)
    total = 10 + len(body) + 1
    return struct.pack("<IIH", total, tail, len(values)) + body + b"\xff"


def zipmap(pairs):
    out = bytes([len(pairs)])
    for k, v in pairs:
        k, v = k.encode(), v.encode()
        out += bytes([len(k)]) + k + bytes([len(v)]) + b"\x00" + v
    return out + b"\xff"


def intset(width, values):
    fmt = {2: "<h", 4: "<i", 8: "<q"}[width]
    return struct.pack("<II", width, len(values)) + \
        b"".join(struct.pack(fmt, v) for v in sorted(values))


def lzf_repeat(ch, n):
    """n bytes ch as LZF: one literal, then one back reference."""
    assert 9 <= n - 1 <= 264
    ref = n - 1 - 2
    return bytes([0, ord(ch), 0xE0, ref - 7, 0])


def key(rtype, name, body):
    return bytes([rtype]) + rdb_str(name) + body


def cmd_oldenc(path):
    now = int(time.time())
    live = 0
    out = b"REDIS0009"
    out += b"\xfa" + rdb_str("redis-ver") + rdb_str("5.0.7")
    out += b"\xfa" + rdb_str("redis-bits") + rdb_int_str(64)
    out += b"\xfe\x00"
    # Strings: integers of each width, an LZF run, 14 and 32-bit lengths.
    for i, n in enumerate([5, -300, 100000, -2000000000]):
        out += key(0, "int%d" % i, rdb_int_str(n))
        live += 1
    out += key(0, "lzf", b"\xc3" + rdb_len(5) + rdb_len(200) +
               lzf_repeat("y", 200))
    out += key(0, "len14", rdb_str("m" * 300))
    out += key(0, "len32", rdb_str(b"\x00\xff" * 10000))
    live += 3
    # Lists.
    out += key(1, "list:linked", rdb_len(3) + rdb_str("one") +
               rdb_int_str(2) + rdb_str("t" * 20000))
    values = [0, 12, 13, -1, 127, -128, 300, -32768, 70000, -8000000,
              2 ** 31 - 1, -2 ** 31, 2 ** 40, -2 ** 63, "str", "",
              "p" * 300, "after a long one", "q" * 20000, "tail"]
    out += key(10, "list:ziplist", rdb_str(ziplist(values)))
    out += key(14, "list:quicklist1", rdb_len(3) +
               rdb_str(ziplist(values[:7])) + rdb_str(ziplist(values[7:])) +
               rdb_str(ziplist(["x" * 70, 5])))
    live += 3
    # Hashes.
    out += key(9, "hash:zipmap", rdb_str(zipmap([("a", "1"), ("bb", "x"),
                                                  ("c", "")])))
    out += key(9, "hash:zipmap:long", rdb_str(zipmap([("f", "v" * 100)])))
    out += key(13, "hash:ziplist", rdb_str(ziplist(["f1", "v1", "n", 42,
                                                    "big", 2 ** 40])))
    out += key(4, "hash:table", rdb_len(2) + rdb_str("k") + rdb_str("v") +
               rdb_int_str(7) + rdb_str("w" * 70))
    live += 4
    # Sets.
    out += key(11, "set:is16", rdb_str(intset(2, [1, -2, 300])))
    out += key(11, "set:is32", rdb_str(intset(4, [70000, -5])))
    out += key(11, "set:is64", rdb_str(intset(8, [2 ** 40, 3, -2 ** 63])))
    out += key(2, "set:table", rdb_len(3) + rdb_str("a") + rdb_int_str(9) +
               rdb_str("c"))
    live += 4
    # Sorted sets: ASCII scores (with the infinities), a ziplist.
    zs = rdb_len(4)
    for m, s in [("a", b"\x031.5"), ("b", b"\xfe"), ("c", b"\xff"),
                 ("d", b"\x09-2.5e-100")]:
        zs += rdb_str(m) + s
    out += key(3, "zset:ascii", zs)
    out += key(12, "zset:ziplist", rdb_str(ziplist(["m1", 3, "m2", "2.25",
                                                    "m3", -7])))
    live += 2
    # Expiries: seconds, milliseconds, one already past (skipped).
    out += b"\xfd" + struct.pack("<I", now + 86400)
    out += key(0, "exp:secs", rdb_str("v"))
    out += b"\xfc" + struct.pack("<Q", (now + 7200) * 1000 + 123)
    out += key(0, "exp:ms", rdb_str("v"))
    out += b"\xfc" + struct.pack("<Q", (now - 3600) * 1000)
    out += key(0, "exp:gone", rdb_str("v"))
    live += 2
    # Empty values, which Redis 7.0 skips.
    out += key(2, "empty:set", rdb_len(0))
    out += key(10, "empty:ziplist", rdb_str(ziplist([])))
    # Another database.
    out += b"\xfe\x07"
    out += key(10, "list:ziplist", rdb_str(ziplist(["in", "db", 7])))
    out += key(0, "s", rdb_str("seven"))
    live += 2
    out += b"\xff"
    out += struct.pack("<Q", dump_move.crc64(out))
    with open(path, "wb") as f:
        f.write(out)
    print(live)
    return 0


def main():
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    if cmd == "canon" and len(sys.argv) == 3:
        return cmd_canon(int(sys.argv[2]))
    if cmd == "fill" and len(sys.argv) == 3:
        return cmd_fill(int(sys.argv[2]))
    if cmd == "oldenc" and len(sys.argv) == 3:
        return cmd_oldenc(sys.argv[2])
    sys.exit("usage: rdb_canon.py canon PORT | fill PORT | oldenc FILE")


if __name__ == "__main__":
    sys.exit(main() or 0)
