#!/usr/bin/python3
#
# redispy_check.py: drive a server through redis-py, Debian's python3-redis,
# and print what the client library sees, one line per result, so that the
# output against redis-server and against hydrad can be compared.
#
#   redispy_check.py SECTION PORT
#       basic      commands through redis.Redis() with its defaults
#       pipeline   pipelines (transaction=False) of a few hundred commands
#       errors     error replies, raised as redis.ResponseError
#       decode     decode_responses=False and True
#       pool       one ConnectionPool, several connections held at once
#                  by threads, and counters shared between them
#       db         redis.Redis(db=3), whose handshake is SELECT 3
#       name       redis.Redis(client_name=...), whose handshake is
#                  CLIENT SETNAME
#   redispy_check.py handshake
#       What this redis-py sends when it connects, seen by a stand-in
#       server on a free port: its version, then one line per command
#       before the first one the program asked for, for redis.Redis()
#       with its defaults, with db=3 and with client_name.
#
# Every section starts from FLUSHALL.  The exit status is 0 when the
# section ran to its end.

import socket
import sys
import threading

import redis


def show(what, value):
    print("%s: %r" % (what, value))


def attempt(what, fn, *args, **kwargs):
    """Run FN and show its result, or the class and text of what it
    raised."""
    try:
        show(what, fn(*args, **kwargs))
    except (redis.RedisError, UnicodeDecodeError) as e:
        print("%s: raised %s: %s" % (what, type(e).__name__, e))


def section_basic(port):
    r = redis.Redis(port=port)
    show("ping", r.ping())
    show("set", r.set("k", "v"))
    show("get", r.get("k"))
    show("get missing", r.get("missing"))
    show("set nx", r.set("k", "w", nx=True))
    show("set xx get", r.set("k", "w", xx=True, get=True))
    show("set ex", r.set("e", "1", ex=10000))
    show("ttl", r.ttl("e"))
    show("expireat", r.expireat("e", 4102444800))
    show("expiretime", r.execute_command("EXPIRETIME", "e"))
    show("persist", r.persist("e"))
    show("ttl persisted", r.ttl("e"))
    show("setex", r.setex("sx", 10000, "v"))
    show("ttl setex", r.ttl("sx"))
    show("incr", r.incr("n"))
    show("incrby", r.incrby("n", 41))
    show("decr", r.decr("n"))
    show("incrbyfloat", r.incrbyfloat("f", 1.5))
    show("incrbyfloat again", r.incrbyfloat("f", "0.25"))
    show("append", r.append("a", "hello"))
    show("append more", r.append("a", " world"))
    show("strlen", r.strlen("a"))
    show("getrange", r.getrange("a", 0, 4))
    show("setrange", r.setrange("a", 6, "there"))
    show("get a", r.get("a"))
    show("mset", r.mset({"m1": "1", "m2": "2"}))
    show("msetnx", r.msetnx({"m2": "x", "m3": "3"}))
    show("mget", r.mget(["m1", "m2", "m3", "missing"]))
    show("getset", r.getset("m1", "one"))
    show("getdel", r.getdel("m1"))
    show("setnx", r.setnx("m1", "again"))
    show("exists", r.exists("m1", "m2", "missing"))
    show("type", r.type("m1"))
    show("type missing", r.type("missing"))
    show("delete", r.delete("m1", "m2", "missing"))
    show("unlink", r.unlink("m3"))
    show("keys", r.keys("sx"))
    show("dbsize", r.dbsize())
    show("echo", r.echo("hi"))
    show("flushdb", r.flushdb())
    show("randomkey empty", r.randomkey())
    show("scan empty", r.scan(0))
    show("set one", r.set("only", "1"))
    show("randomkey one", r.randomkey())
    show("scan_iter", sorted(r.scan_iter(match="o*")))
    r.close()


def section_pipeline(port):
    r = redis.Redis(port=port)
    p = r.pipeline(transaction=False)
    for i in range(200):
        p.set("key:%d" % i, "value:%d" % i)
    for i in range(100):
        p.incr("counter")
    for i in range(0, 200, 2):
        p.get("key:%d" % i)
    p.mget(["key:0", "key:199", "key:200"])
    p.dbsize()
    res = p.execute()
    show("pipeline length", len(res))
    show("sets all True", all(x is True for x in res[:200]))
    show("counters", res[200:300] == list(range(1, 101)))
    show("gets", res[300:400] ==
         [b"value:%d" % i for i in range(0, 200, 2)])
    show("tail", res[400:])

    # Errors in a pipeline: raised at execute, or returned in place.
    p = r.pipeline(transaction=False)
    p.set("s", "text")
    p.incr("s")
    p.execute_command("NOSUCH", "x")
    p.get("s")
    attempt("pipeline with errors", p.execute)
    p = r.pipeline(transaction=False)
    p.set("s", "text")
    p.incr("s")
    p.execute_command("NOSUCH", "x")
    p.get("s")
    res = p.execute(raise_on_error=False)
    show("in place", [("%s: %s" % (type(x).__name__, x))
                      if isinstance(x, Exception) else x for x in res])

    # A pipeline used as a context manager, twice over.
    with r.pipeline(transaction=False) as p:
        for i in range(300):
            p.append("log", "%d," % i)
        res = p.execute()
    show("appends", res[-1])
    show("log length", r.strlen("log"))
    r.close()


def section_errors(port):
    r = redis.Redis(port=port)
    r.set("s", "text")
    r.set("n", "9223372036854775807")
    attempt("incr of text", r.incr, "s")
    attempt("incr overflow", r.incr, "n")
    attempt("incrby not integer", r.execute_command, "INCRBY", "c", "x")
    attempt("incrbyfloat not float", r.incrbyfloat, "c", "abc")
    attempt("unknown command", r.execute_command, "NOSUCH", "a", "b")
    attempt("wrong arity", r.execute_command, "GET")
    attempt("wrong arity set", r.execute_command, "SET", "a")
    attempt("syntax error", r.execute_command, "SET", "a", "b", "NX", "XX")
    attempt("bad expire", r.set, "a", "b", ex=0)
    attempt("negative setex", r.execute_command, "SETEX", "a", "-1", "v")
    attempt("select out of range", r.execute_command, "SELECT", "99")
    attempt("select not integer", r.execute_command, "SELECT", "x")
    attempt("expire options", r.execute_command, "EXPIRE", "s", "10",
            "NX", "XX")
    attempt("scan bad cursor", r.execute_command, "SCAN", "x")
    attempt("setrange negative", r.setrange, "s", -1, "x")
    attempt("flushdb option", r.execute_command, "FLUSHDB", "BOGUS")
    show("still usable", r.get("s"))
    r.close()


def section_decode(port):
    raw = redis.Redis(port=port)
    text = redis.Redis(port=port, decode_responses=True)
    show("set utf-8", raw.set("u", "h\u00e9llo \u2603"))
    raw.set("b", b"\xff\xfe\x00bin")
    show("raw get", raw.get("u"))
    show("text get", text.get("u"))
    show("raw mget", raw.mget("u", "b", "missing"))
    attempt("text get of binary", text.get, "b")
    show("text incr", text.incr("c"))
    show("text incrbyfloat", text.incrbyfloat("c", 0.5))
    show("text echo", text.echo("\u00e9"))
    show("text keys", text.keys("u"))
    show("text type", text.type("u"))
    show("raw type", raw.type("u"))
    show("text ping", text.ping())
    attempt("text error", text.incr, "u")
    raw.close()
    text.close()


def section_pool(port):
    nthreads = 5
    pool = redis.ConnectionPool(port=port, max_connections=nthreads)
    barrier = threading.Barrier(nthreads)
    results, errors = [None] * nthreads, []

    def work(i):
        try:
            # Hold a connection while the others take theirs, so that
            # the pool must open one per thread.
            conn = pool.get_connection("PING")
            barrier.wait(timeout=10)
            conn.send_command("SET", "holder:%d" % i, i)
            ok = conn.read_response()
            pool.release(conn)
            r = redis.Redis(connection_pool=pool)
            for _ in range(200):
                r.incr("shared")
                r.append("trail:%d" % i, "x")
            results[i] = (ok, r.strlen("trail:%d" % i))
        except Exception as e:	# report it, the main thread fails
            errors.append(repr(e))

    threads = [threading.Thread(target=work, args=(i,))
               for i in range(nthreads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    show("errors", errors)
    show("per thread", results)
    r = redis.Redis(connection_pool=pool)
    show("shared counter", r.get("shared"))
    show("holders", r.mget(["holder:%d" % i for i in range(nthreads)]))
    show("connections opened", len(pool._available_connections) +
         len(pool._in_use_connections))
    pool.disconnect()
    show("after disconnect", r.ping())
    pool.disconnect()


def section_db(port):
    r3 = redis.Redis(port=port, db=3)
    r0 = redis.Redis(port=port)
    show("set in db 3", r3.set("k", "three"))
    show("get in db 3", r3.get("k"))
    show("get in db 0", r0.get("k"))
    show("dbsize 3", r3.dbsize())
    show("dbsize 0", r0.dbsize())
    r3.close()
    r0.close()


def section_name(port):
    r = redis.Redis(port=port, client_name="hydra-test")
    show("ping", r.ping())
    show("getname", r.client_getname())
    show("setname", r.client_setname("other"))
    show("getname again", r.client_getname())
    r.close()


class StandIn:
    """A server that records the commands it gets and answers +OK (and
    +PONG to PING), on one connection at a time."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.port = self.sock.getsockname()[1]
        self.seen = []
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            c, _ = self.sock.accept()
            f = c.makefile("rb")
            try:
                while True:
                    line = f.readline()
                    if not line.startswith(b"*"):
                        break
                    args = []
                    for _ in range(int(line[1:])):
                        n = int(f.readline()[1:])
                        args.append(f.read(n + 2)[:-2])
                    self.seen.append(args)
                    c.sendall(b"+PONG\r\n" if args[0].upper() == b"PING"
                              else b"+OK\r\n")
            except (OSError, ValueError):
                pass
            c.close()


def handshake():
    print("redis-py %s" % redis.__version__)
    for label, kwargs in (("defaults", {}), ("db=3", {"db": 3}),
                          ("client_name", {"client_name": "x"})):
        s = StandIn()
        r = redis.Redis(port=s.port, **kwargs)
        r.ping()
        r.close()
        before = s.seen[:-1]
        print("%s: %d command(s) before PING" % (label, len(before)))
        for args in before:
            print("  %s" % " ".join(a.decode(errors="replace")
                                    for a in args))


SECTIONS = {
    "basic": section_basic,
    "pipeline": section_pipeline,
    "errors": section_errors,
    "decode": section_decode,
    "pool": section_pool,
    "db": section_db,
    "name": section_name,
}


def main():
    if len(sys.argv) == 2 and sys.argv[1] == "handshake":
        handshake()
        return 0
    if len(sys.argv) != 3 or sys.argv[1] not in SECTIONS:
        print("usage: see the top of %s" % sys.argv[0], file=sys.stderr)
        return 2
    port = int(sys.argv[2])
    redis.Redis(port=port).flushall()
    SECTIONS[sys.argv[1]](port)
    print("done")
    return 0


sys.exit(main())
