#!/usr/bin/env python3
#
# blocking.py: scenarios for the blocking list and sorted-set commands of
# hydra's bats suite (t/cmd_blocking.bats), with the blocked clients and
# the pushers on different workers.  Each scenario prints what it saw and
# exits 1 when its invariant does not hold.
#
#   blocking.py SCENARIO PORT [SUPERVISOR_PID]
#
# Which worker serves a connection is asked of the server (INFO hydra,
# this_worker); connections are opened, with the first kept busy in
# DEBUG SLEEP, until both workers serve one.  Waits poll a condition
# (INFO's blocked_clients, a list's length) within a bounded time, never
# a sleep that hopes.

import os
import select
import signal
import socket
import subprocess
import sys
import time

TIMEOUT = 10.0


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def encode(*args):
    out = b"*%d\r\n" % len(args)
    for a in args:
        if not isinstance(a, bytes):
            a = str(a).encode()
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    return out


class Conn:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port),
                                             timeout=TIMEOUT)
        self.buf = b""

    def _fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise ConnectionError("closed")
        self.buf += data

    def _line(self):
        while b"\r\n" not in self.buf:
            self._fill()
        i = self.buf.index(b"\r\n") + 2
        line, self.buf = self.buf[:i], self.buf[i:]
        return line

    def _bytes(self, n):
        while len(self.buf) < n:
            self._fill()
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def send(self, *args):
        self.sock.sendall(encode(*args))

    def raw(self):
        """One reply's bytes, as they came."""
        line = self._line()
        kind, rest = line[:1], line[1:-2]
        if kind in (b"$", b"="):
            n = int(rest)
            return line + (self._bytes(n + 2) if n >= 0 else b"")
        if kind in (b"*", b"%", b"~", b">"):
            n = int(rest)
            n = n * 2 if kind == b"%" else n
            return line + b"".join(self.raw() for _ in range(max(n, 0)))
        return line

    def read(self):
        return parse(self.raw())

    def call(self, *args):
        self.send(*args)
        return self.read()

    def call_raw(self, *args):
        self.send(*args)
        return self.raw()

    def ready(self, wait=0.0):
        """Has a reply (or part of one) come within `wait' seconds?"""
        if self.buf:
            return True
        r, _, _ = select.select([self.sock], [], [], wait)
        return bool(r)

    def close(self):
        self.sock.close()


def parse(b):
    """A reply's bytes as Python values: bytes, int, None, lists,
    ("err", text)."""
    def one(i):
        j = b.index(b"\r\n", i)
        kind, rest = b[i:i + 1], b[i + 1:j]
        i = j + 2
        if kind == b"+":
            return rest, i
        if kind == b"-":
            return ("err", rest.decode()), i
        if kind == b":":
            return int(rest), i
        if kind == b"_":
            return None, i
        if kind in (b"$", b"="):
            n = int(rest)
            if n < 0:
                return None, i
            skip = 4 if kind == b"=" else 0
            return b[i + skip:i + n], i + n + 2
        if kind == b"*":
            n = int(rest)
            if n < 0:
                return None, i
            out = []
            for _ in range(n):
                v, i = one(i)
                out.append(v)
            return out, i
        raise ValueError("unexpected reply %r" % b)
    return one(0)[0]


def info_field(c, section, name):
    for line in c.call("INFO", section).decode().split("\r\n"):
        if line.startswith(name + ":"):
            return line.split(":", 1)[1]
    return None


def worker_of(c):
    return int(info_field(c, "hydra", "this_worker"))


HELD = []


def spread(port, n=2):
    """Connections on both workers: {worker: [conn, ...]}, n on each.
    The first connection's worker sleeps a moment in DEBUG SLEEP, so
    that the other one accepts; connections beyond n stay open, unused."""
    first = Conn(port)
    conns = {worker_of(first): [first]}
    first.send("DEBUG", "SLEEP", "0.5")
    for _ in range(256):
        if len(conns) == 2 and all(len(v) >= n for v in conns.values()):
            break
        c = Conn(port)
        w = worker_of(c)
        if len(conns.get(w, [])) < n:
            conns.setdefault(w, []).append(c)
        else:
            HELD.append(c)
    if len(conns) != 2 or any(len(v) < n for v in conns.values()):
        fail("the workers serve %r connections, not %d each" %
             ({w: len(v) for w, v in conns.items()}, n))
    got = first.read()
    if got != b"OK":
        fail("DEBUG SLEEP answered %r" % (got,))
    return conns


def poll(what, fn):
    end = time.time() + TIMEOUT
    while time.time() < end:
        v = fn()
        if v:
            return v
        time.sleep(0.01)
    fail("timed out waiting until " + what)


def blocked(c, n):
    poll("blocked_clients is %d" % n,
         lambda: info_field(c, "clients", "blocked_clients") == str(n))


def pair(conns):
    """A connection of worker 0 and one of worker 1."""
    return conns[0][0], conns[1][0]


def expect(what, got, want):
    if got != want:
        fail("%s: got %r, want %r" % (what, got, want))
    print("ok: %s: %r" % (what, got))


def sc_cross(port, _):
    """A client blocked on one worker is served by a push on the other,
    with the non-blocking command's reply, for every blocking command."""
    conns = spread(port)
    for waiter_w in (0, 1):
        waiter = conns[waiter_w][0]
        pusher = conns[1 - waiter_w][0]
        pusher.call("DEL", "k", "k2", "dst")
        waiter.send("BLPOP", "k", "k2", "0")
        blocked(pusher, 1)
        expect("RPUSH answers the length before serving",
               pusher.call("RPUSH", "k2", "a", "b"), 2)
        expect("BLPOP served across workers", waiter.read(),
               [b"k2", b"a"])
        expect("what is left", pusher.call("LRANGE", "k2", 0, -1), [b"b"])
        waiter.send("BRPOP", "k", "0")
        blocked(pusher, 1)
        pusher.call("LPUSH", "k", "x", "y")
        expect("BRPOP takes the tail", waiter.read(), [b"k", b"x"])
        pusher.call("DEL", "k", "k2")
        waiter.send("BLMPOP", "0", "2", "k", "k2", "LEFT", "COUNT", "5")
        blocked(pusher, 1)
        pusher.call("RPUSH", "k2", "1", "2", "3")
        expect("BLMPOP takes up to COUNT", waiter.read(),
               [b"k2", [b"1", b"2", b"3"]])
        expect("k2 is gone", pusher.call("EXISTS", "k2"), 0)
        waiter.send("BLMOVE", "k", "dst", "RIGHT", "LEFT", "0")
        blocked(pusher, 1)
        pusher.call("RPUSH", "dst", "d0")
        pusher.call("RPUSH", "k", "m1", "m2")
        expect("BLMOVE answers the element", waiter.read(), b"m2")
        expect("BLMOVE pushed onto the destination",
               pusher.call("LRANGE", "dst", 0, -1), [b"m2", b"d0"])
        expect("the source keeps the rest",
               pusher.call("LRANGE", "k", 0, -1), [b"m1"])
        pusher.call("DEL", "k", "dst")
        waiter.send("BRPOPLPUSH", "k", "dst", "0")
        blocked(pusher, 1)
        pusher.call("LPUSH", "k", "p")
        expect("BRPOPLPUSH", waiter.read(), b"p")
        expect("BRPOPLPUSH destination",
               pusher.call("LRANGE", "dst", 0, -1), [b"p"])
        blocked(pusher, 0)


def sc_chain(port, _):
    """BLMOVE's push onto its destination serves a client blocked there,
    as Redis does."""
    conns = spread(port)
    a, b = pair(conns)
    c = conns[0][1]
    b.call("DEL", "src", "mid")
    a.send("BLPOP", "mid", "0")
    blocked(b, 1)
    c.send("BLMOVE", "src", "mid", "LEFT", "LEFT", "0")
    blocked(b, 2)
    b.call("RPUSH", "src", "v")
    expect("BLMOVE", c.read(), b"v")
    expect("BLPOP on the destination", a.read(), [b"mid", b"v"])
    expect("nothing left", b.call("EXISTS", "src", "mid"), 0)


def sc_rename(port, _):
    """A list that appears under a waited-on name by RENAME, COPY, MOVE
    or SWAPDB serves the waiter, as in Redis; a waiter stays with its
    database through SWAPDB."""
    conns = spread(port)
    a, b = pair(conns)
    b.call("FLUSHALL")
    a.send("BLPOP", "dst", "0")
    blocked(b, 1)
    b.call("RPUSH", "tmp", "r1", "r2")
    expect("RENAME", b.call("RENAME", "tmp", "dst"), b"OK")
    expect("served by RENAME", a.read(), [b"dst", b"r1"])
    a.send("BRPOP", "cpy", "0")
    blocked(b, 1)
    expect("COPY", b.call("COPY", "dst", "cpy"), 1)
    expect("served by COPY", a.read(), [b"cpy", b"r2"])
    expect("the source of the copy is whole",
           b.call("LRANGE", "dst", 0, -1), [b"r2"])
    a.send("BLPOP", "mv", "0")
    blocked(b, 1)
    b.call("SELECT", "1")
    b.call("RPUSH", "mv", "m")
    expect("MOVE", b.call("MOVE", "mv", "0"), 1)
    expect("served by MOVE", a.read(), [b"mv", b"m"])
    b.call("SELECT", "0")
    expect("nothing left", b.call("EXISTS", "mv", "cpy"), 0)
    a.send("BLPOP", "sw", "0")
    blocked(b, 1)
    b.call("SELECT", "2")
    b.call("RPUSH", "sw", "s1", "s2")
    expect("SWAPDB", b.call("SWAPDB", "0", "2"), b"OK")
    expect("served by SWAPDB", a.read(), [b"sw", b"s1"])
    a.send("BLPOP", "sw2", "0")
    blocked(b, 1)
    b.call("SELECT", "0")
    expect("SWAPDB back", b.call("SWAPDB", "0", "2"), b"OK")
    expect("a waiter stays with its database", b.call("RPUSH", "sw2",
                                                     "t"), 1)
    expect("and is served there", a.read(), [b"sw2", b"t"])


def sc_fifo(port, _):
    """Waiters on one key are served oldest first, whichever worker
    they are on; one push of several elements serves several."""
    conns = spread(port, 2)
    order = [conns[0][0], conns[1][0], conns[0][1], conns[1][1]]
    pusher = conns[1][1]
    order = order[:3]
    pusher.call("DEL", "q")
    for i, c in enumerate(order):
        c.send("BLPOP", "q", "0")
        blocked(pusher, i + 1)
    pusher.call("RPUSH", "q", "e1", "e2")
    expect("the oldest first", order[0].read(), [b"q", b"e1"])
    expect("then the next", order[1].read(), [b"q", b"e2"])
    blocked(pusher, 1)
    if order[2].ready(0.2):
        fail("the third waiter was answered with no element left")
    pusher.call("RPUSH", "q", "e3", "e4")
    expect("the third", order[2].read(), [b"q", b"e3"])
    expect("the rest stays", pusher.call("LRANGE", "q", 0, -1), [b"e4"])


def sc_timeout(port, _):
    """Timeouts: fractional ones end in time with a null reply (RESP2
    and RESP3); 0 waits until served."""
    conns = spread(port)
    a, b = pair(conns)
    b.call("DEL", "t")
    for args, want in ((("BLPOP", "t", "0.2"), b"*-1\r\n"),
                       (("BLPOP", "t", "0.0001"), b"*-1\r\n"),
                       (("BRPOP", "t", "t2", "0.15"), b"*-1\r\n"),
                       (("BLMPOP", "0.1", "1", "t", "RIGHT"), b"*-1\r\n"),
                       (("BLMOVE", "t", "d", "LEFT", "LEFT", "0.1"),
                        b"*-1\r\n"),
                       (("BRPOPLPUSH", "t", "d", "0.1"), b"*-1\r\n")):
        start = time.time()
        a.send(*args)
        got = a.raw()
        took = time.time() - start
        expect("%s times out" % args[0], got, want)
        wanted = float(args[-1]) if args[0] != "BLMPOP" else 0.1
        if took < wanted - 0.01 or took > wanted + 2:
            fail("%s took %.3f s for a timeout of %s" %
                 (args[0], took, wanted))
    a.send("HELLO", "3")
    a.raw()
    a.send("BLPOP", "t", "0.05")
    expect("RESP3 timeout", a.raw(), b"_\r\n")
    a.send("BLMOVE", "t", "d", "LEFT", "LEFT", "0.05")
    expect("RESP3 BLMOVE timeout", a.raw(), b"_\r\n")
    a.send("BLPOP", "t", "0")
    blocked(b, 1)
    if a.ready(0.3):
        fail("BLPOP with timeout 0 answered before any push")
    b.call("RPUSH", "t", "late")
    expect("timeout 0 waits until served", a.read(), [b"t", b"late"])
    expect("a served client is not blocked",
           a.call("CLIENT", "LIST", "ID", a.call("CLIENT", "ID"))
           .decode().split(" flags=")[1].split(" ")[0], "N")


def block_shown(a, b, aid, *args):
    """a (of client id aid) blocks in args; b sees it in CLIENT LIST."""
    a.send(*args)
    blocked(b, 1)
    line = b.call("CLIENT", "LIST", "ID", aid).decode()
    if " flags=b " not in line or " cmd=%s " % args[0].lower() not in line:
        fail("CLIENT LIST of a blocked client: " + line)
    print("ok: CLIENT LIST shows flags=b cmd=" + args[0].lower())


def sc_unblock(port, _):
    """CLIENT UNBLOCK from the other worker: TIMEOUT answers the
    timeout reply, ERROR the -UNBLOCKED error; a client that is not
    blocked answers 0; the blocked client shows flags=b cmd=blpop."""
    conns = spread(port)
    a, b = pair(conns)
    aid = a.call("CLIENT", "ID")
    b.call("DEL", "u")
    expect("a client that is not blocked", b.call("CLIENT", "UNBLOCK",
                                                  aid), 0)
    block_shown(a, b, aid, "BLPOP", "u", "0")
    expect("UNBLOCK", b.call("CLIENT", "UNBLOCK", aid), 1)
    expect("unblocked as a timeout", a.raw(), b"*-1\r\n")
    blocked(b, 0)
    expect("UNBLOCK again", b.call("CLIENT", "UNBLOCK", aid), 0)
    a.send("BLMOVE", "u", "v", "LEFT", "LEFT", "0")
    blocked(b, 1)
    expect("UNBLOCK ERROR", b.call("CLIENT", "UNBLOCK", aid, "ERROR"), 1)
    expect("unblocked with an error", a.raw(),
           b"-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n")
    a.send("BLPOP", "u", "0")
    blocked(b, 1)
    c = conns[0][1] if len(conns[0]) > 1 else b
    expect("UNBLOCK from the same worker",
           c.call("CLIENT", "UNBLOCK", aid, "TIMEOUT"), 1)
    expect("unblocked", a.raw(), b"*-1\r\n")
    b.call("RPUSH", "u", "kept")
    expect("a push after the unblock stays",
           b.call("LRANGE", "u", 0, -1), [b"kept"])
    a.send("PING")
    expect("the client runs commands again", a.read(), b"PONG")


def sc_queued(port, _):
    """Commands sent behind a blocking one wait for it, then run."""
    conns = spread(port)
    a, b = pair(conns)
    b.call("DEL", "w")
    a.sock.sendall(encode("BLPOP", "w", "0") + encode("LLEN", "w") +
                   encode("PING"))
    blocked(b, 1)
    if a.ready(0.2):
        fail("a command behind BLPOP ran while it waited")
    b.call("RPUSH", "w", "x", "y")
    expect("BLPOP", a.read(), [b"w", b"x"])
    expect("then LLEN", a.read(), 1)
    expect("then PING", a.read(), b"PONG")


def gone_waiter(port, wait, add, read, want):
    """A client blocked in `wait' on key g closes its connection; then
    `add' on g answers 1 and `read' of g shows `want': it took nothing."""
    conns = spread(port)
    a, b = pair(conns)
    b.call("DEL", "g")
    a.send(*wait)
    blocked(b, 1)
    a.close()
    blocked(b, 0)
    expect(add[0], b.call(*add), 1)
    expect("what was added stays", b.call(*read), want)


def sc_disconnect(port, _):
    """A blocked client that disconnects takes nothing: a later push
    stays in the list."""
    gone_waiter(port, ("BLPOP", "g", "0"), ("RPUSH", "g", "stays"),
                ("LRANGE", "g", 0, -1), [b"stays"])


def sc_once(port, _):
    """A client blocked on two keys is served once when both are pushed
    at the same moment from two workers; the other element stays."""
    conns = spread(port, 2)
    for round_ in range(20):
        waiter = conns[round_ % 2][0]
        p1 = conns[0][1]
        p2 = conns[1][1]
        p1.call("DEL", "a", "b")
        waiter.send("BLPOP", "a", "b", "0")
        blocked(p1, 1)
        p1.send("RPUSH", "a", "x")
        p2.send("RPUSH", "b", "y")
        p1.read()
        p2.read()
        got = waiter.read()
        left = p1.call("LLEN", "a") + p1.call("LLEN", "b")
        if got not in ([b"a", b"x"], [b"b", b"y"]) or left != 1:
            fail("round %d: served %r with %d left" % (round_, got, left))
        blocked(p1, 0)
    print("ok: 20 rounds, each served once")


def worker_pid(sup, index):
    out = subprocess.run(["pgrep", "-P", str(sup), "-f",
                          "^hydrad: worker %d( |$)" % index],
                         capture_output=True, text=True).stdout.split()
    if len(out) != 1:
        fail("no single pid for worker %d: %r" % (index, out))
    return int(out[0])


def respawned(b, sup):
    """Worker 0 is back, and no client is blocked any more."""
    poll("a new worker 0", lambda: subprocess.run(
        ["pgrep", "-P", str(sup), "-f", "^hydrad: worker 0( |$)"],
        capture_output=True).returncode == 0)
    expect("blocked_clients", info_field(b, "clients", "blocked_clients"),
           "0")


def sc_kill(port, sup):
    """The waiter's worker, stopped so that it cannot deliver, is
    served by a push on the other worker (the element leaves the list),
    then killed: its successor gives the element back to the list."""
    conns = spread(port)
    a, b = pair(conns)
    b.call("DEL", "z")
    b.call("RPUSH", "z", "first")
    b.call("LPOP", "z")
    a.send("BRPOP", "z", "0")
    blocked(b, 1)
    pid = worker_pid(sup, 0)
    os.kill(pid, signal.SIGSTOP)
    try:
        expect("RPUSH", b.call("RPUSH", "z", "e1", "e2"), 2)
        expect("the element was handed to the waiter",
               b.call("LRANGE", "z", 0, -1), [b"e1"])
    finally:
        os.kill(pid, signal.SIGKILL)
    poll("the element is back in the list",
         lambda: b.call("LRANGE", "z", 0, -1) == [b"e1", b"e2"])
    print("ok: the element is back, at its end")
    respawned(b, sup)


# The sorted-set forms.

def hello(c, proto):
    """Switch c to RESP `proto' (its map reply is only read)."""
    c.send("HELLO", proto)
    c.raw()


def served_equals_immediate(waiter, pusher, key, args, members):
    """The reply of a served wait is byte for byte what the same command
    answers at once when the key already holds the same members."""
    pusher.call("DEL", key)
    waiter.send(*args)
    blocked(pusher, 1)
    pusher.call("ZADD", key, *members)
    served = waiter.raw()
    pusher.call("DEL", key)
    pusher.call("ZADD", key, *members)
    immediate = waiter.call_raw(*args)
    expect("%s served as answered at once" % args[0], served, immediate)
    return served


def sc_zcross(port, _):
    """A client blocked on one worker is served by a ZADD on the other,
    with the reply of the non-blocking path, RESP2 and RESP3."""
    conns = spread(port)
    for waiter_w in (0, 1):
        waiter = conns[waiter_w][0]
        pusher = conns[1 - waiter_w][0]
        hello(waiter, "2")
        pusher.call("DEL", "k", "k2")
        waiter.send("BZPOPMIN", "k", "k2", "0")
        blocked(pusher, 1)
        expect("ZADD answers the members it added before serving",
               pusher.call("ZADD", "k2", "2", "b", "1.5", "a"), 2)
        expect("BZPOPMIN served across workers", waiter.read(),
               [b"k2", b"a", b"1.5"])
        expect("what is left", pusher.call("ZRANGE", "k2", 0, -1,
                                           "WITHSCORES"), [b"b", b"2"])
        waiter.send("BZPOPMAX", "k", "0")
        blocked(pusher, 1)
        pusher.call("ZADD", "k", "1", "x", "3", "y")
        expect("BZPOPMAX takes the highest", waiter.read(),
               [b"k", b"y", b"3"])
        pusher.call("DEL", "k", "k2")
        waiter.send("BZMPOP", "0", "2", "k", "k2", "MIN", "COUNT", "5")
        blocked(pusher, 1)
        pusher.call("ZADD", "k2", "3", "c", "1", "a", "2", "b")
        expect("BZMPOP takes up to COUNT", waiter.read(),
               [b"k2", [[b"a", b"1"], [b"b", b"2"], [b"c", b"3"]]])
        expect("k2 is gone", pusher.call("EXISTS", "k2"), 0)
        waiter.send("BZMPOP", "0", "1", "k", "MAX")
        blocked(pusher, 1)
        pusher.call("ZINCRBY", "k", "-2.5", "m")
        expect("ZINCRBY serves; BZMPOP's COUNT is 1 by default",
               waiter.read(), [b"k", [[b"m", b"-2.5"]]])
        members = ("1.5", "a", "2", "b", "-inf", "c")
        for proto in ("2", "3"):
            hello(waiter, proto)
            for args in (("BZPOPMIN", "s", "0"), ("BZPOPMAX", "s", "0"),
                         ("BZMPOP", "0", "1", "s", "MIN", "COUNT", "2"),
                         ("BZMPOP", "0", "1", "s", "MAX")):
                served_equals_immediate(waiter, pusher, "s", args, members)
        hello(waiter, "3")
        pusher.call("DEL", "s")
        waiter.send("BZPOPMIN", "s", "0")
        blocked(pusher, 1)
        pusher.call("ZADD", "s", "0.25", "m")
        expect("RESP3: the score is a double", waiter.raw(),
               b"*3\r\n$1\r\ns\r\n$1\r\nm\r\n,0.25\r\n")
        waiter.send("BZMPOP", "0", "1", "s", "MIN")
        blocked(pusher, 1)
        pusher.call("ZADD", "s", "7", "n")
        expect("RESP3: BZMPOP's pairs", waiter.raw(),
               b"*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$1\r\nn\r\n,7\r\n")
        hello(waiter, "2")
        pusher.call("DEL", "s")
        blocked(pusher, 0)


def sc_zfifo(port, _):
    """Waiters on one sorted set are served oldest first, over both
    workers; one ZADD of several members serves several."""
    conns = spread(port, 2)
    order = [conns[0][0], conns[1][0], conns[0][1]]
    pusher = conns[1][1]
    pusher.call("DEL", "q")
    for i, c in enumerate(order):
        c.send("BZPOPMIN", "q", "0")
        blocked(pusher, i + 1)
    pusher.call("ZADD", "q", "1", "e1", "2", "e2")
    expect("the oldest first", order[0].read(), [b"q", b"e1", b"1"])
    expect("then the next", order[1].read(), [b"q", b"e2", b"2"])
    blocked(pusher, 1)
    if order[2].ready(0.2):
        fail("the third waiter was answered with no member left")
    pusher.call("ZADD", "q", "3", "e3", "4", "e4")
    expect("the third", order[2].read(), [b"q", b"e3", b"3"])
    expect("the rest stays", pusher.call("ZRANGE", "q", 0, -1), [b"e4"])


def sc_ztimeout(port, _):
    """Timeouts of the sorted-set forms: a null array (RESP2 *-1, RESP3
    _) no sooner than asked; 0 waits until served."""
    conns = spread(port)
    a, b = pair(conns)
    b.call("DEL", "t")
    for args, wanted in ((("BZPOPMIN", "t", "0.2"), 0.2),
                         (("BZPOPMAX", "t", "0.0001"), 0.0001),
                         (("BZPOPMIN", "t", "t2", "0.15"), 0.15),
                         (("BZMPOP", "0.1", "1", "t", "MAX"), 0.1)):
        start = time.time()
        a.send(*args)
        got = a.raw()
        took = time.time() - start
        expect("%s times out" % args[0], got, b"*-1\r\n")
        if took < wanted - 0.01 or took > wanted + 2:
            fail("%s took %.3f s for a timeout of %s" %
                 (args[0], took, wanted))
    hello(a, "3")
    a.send("BZPOPMAX", "t", "0.05")
    expect("RESP3 timeout", a.raw(), b"_\r\n")
    a.send("BZMPOP", "0.05", "1", "t", "MIN", "COUNT", "3")
    expect("RESP3 BZMPOP timeout", a.raw(), b"_\r\n")
    hello(a, "2")
    a.send("BZPOPMIN", "t", "0")
    blocked(b, 1)
    if a.ready(0.3):
        fail("BZPOPMIN with timeout 0 answered before any ZADD")
    b.call("ZADD", "t", "9", "late")
    expect("timeout 0 waits until served", a.read(),
           [b"t", b"late", b"9"])


def sc_zunblock(port, _):
    """CLIENT UNBLOCK of a client in BZPOPMIN on the other worker:
    TIMEOUT answers the null array, ERROR -UNBLOCKED; a ZADD after it
    stays in the set."""
    conns = spread(port)
    a, b = pair(conns)
    aid = a.call("CLIENT", "ID")
    b.call("DEL", "u")
    block_shown(a, b, aid, "BZPOPMIN", "u", "0")
    expect("UNBLOCK", b.call("CLIENT", "UNBLOCK", aid), 1)
    expect("unblocked as a timeout", a.raw(), b"*-1\r\n")
    blocked(b, 0)
    a.send("BZMPOP", "0", "1", "u", "MAX")
    blocked(b, 1)
    expect("UNBLOCK ERROR", b.call("CLIENT", "UNBLOCK", aid, "ERROR"), 1)
    expect("unblocked with an error", a.raw(),
           b"-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n")
    blocked(b, 0)
    b.call("ZADD", "u", "1", "kept")
    expect("a ZADD after the unblock stays",
           b.call("ZRANGE", "u", 0, -1), [b"kept"])


def sc_zdisconnect(port, _):
    """A client blocked in BZPOPMIN that disconnects takes nothing."""
    gone_waiter(port, ("BZPOPMIN", "g", "0"), ("ZADD", "g", "1", "stays"),
                ("ZRANGE", "g", 0, -1, "WITHSCORES"), [b"stays", b"1"])


def sc_ztype(port, _):
    """WRONGTYPE when a key holds another type at command time; a key
    that becomes a list does not serve a sorted-set waiter, nor a
    sorted set a list waiter; stores and RESTORE serve."""
    conns = spread(port)
    a, b = pair(conns)
    b.call("FLUSHALL")
    b.call("RPUSH", "l", "x")
    expect("WRONGTYPE", a.call("BZPOPMIN", "l", "0"),
           ("err", "WRONGTYPE Operation against a key holding the wrong "
            "kind of value"))
    expect("WRONGTYPE for BZMPOP", a.call("BZMPOP", "0", "2", "none", "l",
                                          "MIN"),
           ("err", "WRONGTYPE Operation against a key holding the wrong "
            "kind of value"))
    a.send("BZPOPMIN", "w", "0")
    blocked(b, 1)
    b.call("RPUSH", "w", "notaset")
    if a.ready(0.2):
        fail("a list served a BZPOPMIN")
    expect("the list is whole", b.call("LRANGE", "w", 0, -1),
           [b"notaset"])
    b.call("DEL", "w")
    b.call("ZADD", "src", "1", "a", "2", "b")
    expect("ZUNIONSTORE", b.call("ZUNIONSTORE", "w", "1", "src"), 2)
    expect("served by ZUNIONSTORE", a.read(), [b"w", b"a", b"1"])
    a.send("BZPOPMAX", "w2", "0")
    blocked(b, 1)
    expect("ZRANGESTORE", b.call("ZRANGESTORE", "w2", "src", 0, -1), 2)
    expect("served by ZRANGESTORE", a.read(), [b"w2", b"b", b"2"])
    # RESTORE serves whatever waits on its key; sorted sets have no
    # DUMP yet, so a list shows it.
    b.call("RPUSH", "ls", "r1")
    dump = b.call("DUMP", "ls")
    a.send("BLPOP", "w3", "0")
    blocked(b, 1)
    expect("RESTORE", b.call("RESTORE", "w3", "0", dump), b"OK")
    expect("served by RESTORE", a.read(), [b"w3", b"r1"])
    a.send("BZPOPMIN", "w4", "0")
    blocked(b, 1)
    expect("RENAME", b.call("RENAME", "src", "w4"), b"OK")
    expect("served by RENAME", a.read(), [b"w4", b"a", b"1"])
    b.call("DEL", "w4")
    a.send("BLPOP", "w4", "0")
    blocked(b, 1)
    b.call("ZADD", "w4", "5", "z")
    if a.ready(0.2):
        fail("a sorted set served a BLPOP")
    b.call("DEL", "w4")
    b.call("RPUSH", "w4", "li")
    expect("the list waiter gets the list", a.read(), [b"w4", b"li"])


def sc_zkill(port, sup):
    """The waiter's worker, stopped so that it cannot deliver, is
    served by a ZADD on the other worker (the members leave the set),
    then killed: its successor gives them back with their scores."""
    conns = spread(port)
    a, b = pair(conns)
    b.call("DEL", "z")
    a.send("BZMPOP", "0", "1", "z", "MIN", "COUNT", "2")
    blocked(b, 1)
    pid = worker_pid(sup, 0)
    os.kill(pid, signal.SIGSTOP)
    try:
        expect("ZADD", b.call("ZADD", "z", "1.25", "e1", "-3", "e0",
                              "7", "e2"), 3)
        expect("the members were handed to the waiter",
               b.call("ZRANGE", "z", 0, -1, "WITHSCORES"), [b"e2", b"7"])
    finally:
        os.kill(pid, signal.SIGKILL)
    want = [b"e0", b"-3", b"e1", b"1.25", b"e2", b"7"]
    poll("the members are back with their scores",
         lambda: b.call("ZRANGE", "z", 0, -1, "WITHSCORES") == want)
    print("ok: the members are back, with their scores")
    respawned(b, sup)


SCENARIOS = {
    "cross": sc_cross,
    "chain": sc_chain,
    "rename": sc_rename,
    "fifo": sc_fifo,
    "timeout": sc_timeout,
    "unblock": sc_unblock,
    "queued": sc_queued,
    "disconnect": sc_disconnect,
    "once": sc_once,
    "kill": sc_kill,
    "zcross": sc_zcross,
    "zfifo": sc_zfifo,
    "ztimeout": sc_ztimeout,
    "zunblock": sc_zunblock,
    "zdisconnect": sc_zdisconnect,
    "ztype": sc_ztype,
    "zkill": sc_zkill,
}

if __name__ == "__main__":
    if len(sys.argv) < 3 or sys.argv[1] not in SCENARIOS:
        sys.exit("usage: blocking.py %s PORT [PID]" % "|".join(SCENARIOS))
    SCENARIOS[sys.argv[1]](int(sys.argv[2]),
                           int(sys.argv[3]) if len(sys.argv) > 3 else 0)
