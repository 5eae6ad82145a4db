#!/usr/bin/env python3
#
# json_check.py: keyspaces for the JSON export and import of hydractl, for
# json.bats.
#
#   json_check.py fill PORT
#       Make the test keys: dump_move.py's set in database 0 (strings of
#       every encoding, lists of one node and many, hashes, sets and
#       sorted sets small and packed and past every packed limit, scores
#       of every spelling, times to live), then, in databases 1, 2, 9 and
#       15, keys, values, fields and members made of every byte 0x00 to
#       0xff, alone and all together, UTF-8 text, byte strings that only
#       look like UTF-8 (overlong forms, surrogates, past U+10FFFF), and
#       strings that look like the escape ({"base64": ...}).
#   json_check.py snapshot PORT FILE
#       Write what the server holds, database by database, key by key
#       (sorted): type, OBJECT ENCODING, PEXPIRETIME (absolute, so it
#       compares exactly), and the DUMP bytes (for hash and set tables,
#       whose DUMP follows the table's own order, the sorted value and
#       the DUMP's length instead).
#   json_check.py shape FILE
#       Check that FILE is the documented document: the header, one key
#       per line, each key's members and types, BYTES as a string exactly
#       when the bytes are UTF-8 text without control characters and as
#       canonical base64 otherwise, scores as numbers or "inf"/"-inf".
#       Print a summary (keys per type, base64 strings, infinite scores,
#       keys with an expiry); exit 1 with the reason if the shape is wrong.

import base64
import hashlib
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dump_move  # noqa: E402

LOOKALIKES = [b"\xc0\x80", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xff",
              b"\xe2\x82", b"caf\xc3\xa9", "\u20ac \U0001F600".encode(),
              b'{"base64": "YQ=="}', b"\x7f", b"tab\there", b"nl\n",
              b"\x00", b"quote\"back\\slash"]


def fill_binary(c):
    every = bytes(range(256))
    c.call("SELECT", "2")
    for b in range(256):
        c.call("SET", b"k" + bytes([b]), bytes([b]))
    c.call("SET", every, every * 3)
    c.call("RPUSH", b"l" + every, *[bytes([b]) for b in range(256)])
    c.call("HSET", b"h\x00", *sum([[bytes([b]), b"v" + bytes([b])]
                                   for b in range(256)], []))
    c.call("HSET", b"hsmall\xff", b"\x00", b"\xff", b"a", every)
    c.call("SADD", b"s\x80", *[bytes([b]) for b in range(256)])
    c.call("SADD", b"ssmall", b"\x00", b"\x01\x02")
    c.call("ZADD", b"z\x01", *sum([[str(b - 128), bytes([b])]
                                   for b in range(256)], []))
    c.call("ZADD", b"zsmall", "1.5", b"\xfe", "-inf", b"\x00")
    c.call("SELECT", "9")
    for i, s in enumerate(LOOKALIKES):
        c.call("SET", s, s)
        c.call("HSET", b"h", s, s)
        c.call("SADD", b"s", s)
        c.call("ZADD", b"z", str(i), s)
        c.call("RPUSH", b"l", s)
    c.call("PEXPIRE", LOOKALIKES[0], 900000)
    c.call("SELECT", "1")
    c.call("SET", "one", "1")
    c.call("SELECT", "15")
    c.call("SET", "last", "database")
    c.call("PEXPIRE", "last", 800000)
    c.call("SELECT", "0")


def cmd_fill(port):
    dump_move.cmd_fill(port, 200)
    fill_binary(dump_move.Conn(port))
    return 0


def cmd_snapshot(port, path):
    c = dump_move.Conn(port)
    out = []
    for db in range(16):
        c.call("SELECT", str(db))
        for key in dump_move.keys(c):
            kind = c.call("TYPE", key)
            enc = c.call("OBJECT", "ENCODING", key)
            when = c.call("PEXPIRETIME", key)
            dump = c.call("DUMP", key)
            if enc == b"hashtable":
                body = "len %d value %s" % (len(dump), hashlib.sha256(
                    repr(dump_move.value(c, key, kind)).encode()
                ).hexdigest())
            else:
                body = "dump " + hashlib.sha256(dump).hexdigest()
            out.append("%d %s %s %s %d %s" % (db, key.hex(), kind.decode(),
                                              enc.decode(), when, body))
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")
    return 0


def is_text(b):
    try:
        s = b.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not any(ord(ch) < 0x20 or ord(ch) == 0x7f for ch in s)


class Shape:
    def __init__(self):
        self.base64 = 0
        self.inf = 0

    def bytes_(self, x, where):
        if isinstance(x, str):
            if not is_text(x.encode("utf-8", "surrogatepass")):
                raise ValueError("%s: a string with control characters"
                                 % where)
            return
        if not isinstance(x, dict) or list(x) != ["base64"] or \
                not isinstance(x["base64"], str):
            raise ValueError("%s: neither a string nor {\"base64\"}" % where)
        raw = base64.b64decode(x["base64"], validate=True)
        if base64.b64encode(raw).decode() != x["base64"]:
            raise ValueError("%s: base64 not canonical" % where)
        if is_text(raw):
            raise ValueError("%s: text written as base64" % where)
        self.base64 += 1

    def score(self, x, where):
        if x in ("inf", "-inf"):
            self.inf += 1
        elif isinstance(x, bool) or not isinstance(x, (int, float)):
            raise ValueError("%s: a score that is no number" % where)


def check_shape(path):
    with open(path, "rb") as f:
        text = f.read()
    doc = json.loads(text)
    lines = text.decode().split("\n")
    if list(doc) != ["format", "version", "keys"] or \
            doc["format"] != "hydra-json" or doc["version"] != 1:
        raise ValueError("the header is %r" % lines[0])
    if len(lines) != len(doc["keys"]) + 3 or lines[-1] != "" or \
            lines[-2] != "]}":
        raise ValueError("not one key per line")
    sh = Shape()
    types = {}
    expiring = 0
    for i, k in enumerate(doc["keys"]):
        w = "keys[%d]" % i
        if json.loads(lines[i + 1].rstrip(",")) != k:
            raise ValueError("%s is not alone on line %d" % (w, i + 2))
        if set(k) - {"expire_at_ms"} != {"db", "key", "type", "value"}:
            raise ValueError("%s: members %r" % (w, sorted(k)))
        if not isinstance(k["db"], int) or not 0 <= k["db"] < 16:
            raise ValueError("%s: db %r" % (w, k["db"]))
        if "expire_at_ms" in k:
            if not isinstance(k["expire_at_ms"], int) or \
                    k["expire_at_ms"] < 1.7e12:
                raise ValueError("%s: expire_at_ms %r" % (w, k))
            expiring += 1
        sh.bytes_(k["key"], w + ".key")
        t, v = k["type"], k["value"]
        types[t] = types.get(t, 0) + 1
        if t == "string":
            sh.bytes_(v, w + ".value")
            continue
        if not isinstance(v, list) or not v:
            raise ValueError("%s: value %r" % (w, v))
        for j, el in enumerate(v):
            ew = "%s.value[%d]" % (w, j)
            if t in ("list", "set"):
                sh.bytes_(el, ew)
            elif t in ("hash", "zset"):
                if not isinstance(el, list) or len(el) != 2:
                    raise ValueError("%s: not a pair" % ew)
                sh.bytes_(el[0], ew)
                if t == "hash":
                    sh.bytes_(el[1], ew)
                else:
                    sh.score(el[1], ew)
            else:
                raise ValueError("%s: type %r" % (w, t))
        if t == "zset":
            sc = [float(el[1]) for el in v]
            if sc != sorted(sc):
                raise ValueError("%s: scores not ascending" % w)
    print("keys %d %s base64 %d inf %d expiring %d" % (
        len(doc["keys"]), " ".join("%s=%d" % kv for kv in
                                   sorted(types.items())),
        sh.base64, sh.inf, expiring))


def main():
    cmd = sys.argv[1]
    if cmd == "fill":
        return cmd_fill(int(sys.argv[2]))
    if cmd == "snapshot":
        return cmd_snapshot(int(sys.argv[2]), sys.argv[3])
    if cmd == "shape":
        try:
            check_shape(sys.argv[2])
        except (ValueError, KeyError, TypeError) as e:
            sys.exit("shape: %s" % e)
        return 0
    sys.exit("usage: json_check.py fill|snapshot|shape ...")


if __name__ == "__main__":
    sys.exit(main() or 0)
