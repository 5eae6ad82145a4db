#!/usr/bin/env python3
#
# crash_writer.py: one writer client of the crash isolation suite, on one
# connection of its own.
#
#   crash_writer.py writer PORT SUPERVISOR_PID ID DIR [PREFER]
#       Write "k:ID:N" = "v:ID:N:" plus N % 50 x's with SET, N counting
#       from 0, until the file DIR/stop appears (or 120 s pass).  Every
#       write whose +OK came back is appended to DIR/ID.acks ("key value")
#       at once.  DIR/ID.events records the connection's life, one line
#       per event:
#           connect LOCALPORT WORKERPID WORKERTITLE
#           drop N ERROR          (the connection broke during write N)
#           error N REPLY         (a reply other than +OK: exit 1)
#       After a drop the writer connects again and writes N again.  With
#       PREFER, it reconnects (a bounded number of times) until its
#       connection lands on "hydrad: worker PREFER".
#   crash_writer.py verify PORT ACKFILE...
#       GET every acknowledged key (MGET, in batches) and compare the
#       value; print each one missing or wrong, and exit 1 if any is.
#
# Which worker serves a connection is read from /proc (Linux): the socket
# inode of the server's end of it in /proc/net/tcp, then the worker, a
# child of the supervisor, that holds a descriptor on that inode.

import os
import socket
import sys
import time

MAX_SECONDS = 120
PREFER_TRIES = 40


def encode(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        if isinstance(a, str):
            a = a.encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


def read_reply(f):
    line = f.readline()
    if not line.endswith(b"\r\n"):
        raise ConnectionError("connection closed")
    kind, rest = line[:1], line[1:-2]
    if kind == b"$":
        n = int(rest)
        if n < 0:
            return None
        data = f.read(n + 2)
        if len(data) != n + 2:
            raise ConnectionError("connection closed")
        return data[:-2]
    if kind == b"*":
        return [read_reply(f) for _ in range(int(rest))]
    return line[:-2]


def children(ppid):
    """The pids and titles of the children of PPID."""
    out = {}
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % p) as f:
                stat = f.read()
            with open("/proc/%s/cmdline" % p, "rb") as f:
                title = f.read()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == ppid:
            title = title.split(b"\0")[0].decode(errors="replace")
            out[int(p)] = title.strip()
    return out


def serving_worker(sock, port, supervisor):
    """The pid and title of the worker holding the server's end of SOCK,
    or (0, "unknown")."""
    lport = sock.getsockname()[1]
    want = ("0100007F:%04X" % port, "0100007F:%04X" % lport)
    inode = None
    with open("/proc/net/tcp") as f:
        for line in f:
            fields = line.split()
            if (fields[1], fields[2]) == want:
                inode = fields[9]
    if inode is None:
        return 0, "unknown"
    target = "socket:[%s]" % inode
    for pid, title in children(supervisor).items():
        try:
            fds = os.listdir("/proc/%d/fd" % pid)
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink("/proc/%d/fd/%s" % (pid, fd)) == target:
                    return pid, title
            except OSError:
                pass
    return 0, "unknown"


def connect(port, supervisor, prefer, events):
    """A connection that has answered PING, on the preferred worker if
    that can be had in a few tries."""
    for attempt in range(PREFER_TRIES):
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        f = s.makefile("rb")
        s.sendall(encode("PING"))
        if read_reply(f) != b"+PONG":
            raise ConnectionError("no PONG")
        pid, title = serving_worker(s, port, supervisor)
        if (prefer is None or title == "hydrad: worker %s" % prefer or
                attempt == PREFER_TRIES - 1):
            events.write("connect %d %d %s\n" %
                         (s.getsockname()[1], pid, title))
            events.flush()
            return s, f
        f.close()
        s.close()
    raise AssertionError("not reached")


def value(wid, n):
    return "v:%s:%d:%s" % (wid, n, "x" * (n % 50))


def cmd_writer(port, supervisor, wid, d, prefer):
    stop = os.path.join(d, "stop")
    deadline = time.monotonic() + MAX_SECONDS
    n, conn = 0, None
    with open(os.path.join(d, "%s.acks" % wid), "a") as acks, \
            open(os.path.join(d, "%s.events" % wid), "a") as events:
        while not os.path.exists(stop) and time.monotonic() < deadline:
            key, val = "k:%s:%d" % (wid, n), value(wid, n)
            try:
                if conn is None:
                    conn = connect(port, supervisor, prefer, events)
                s, f = conn
                s.sendall(encode("SET", key, val))
                r = read_reply(f)
            except (OSError, ConnectionError) as e:
                events.write("drop %d %s\n" % (n, e))
                events.flush()
                if conn is not None:
                    conn[1].close()
                    conn[0].close()
                conn = None
                time.sleep(0.02)
                continue
            if r != b"+OK":
                events.write("error %d %r\n" % (n, r))
                events.flush()
                return 1
            acks.write("%s %s\n" % (key, val))
            acks.flush()
            n += 1
    print("writer %s: %d writes acknowledged" % (wid, n))
    return 0


def cmd_verify(port, files):
    want = []
    for name in files:
        with open(name) as f:
            want += [line.split() for line in f if line.strip()]
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    f = s.makefile("rb")
    bad = 0
    for i in range(0, len(want), 200):
        batch = want[i:i + 200]
        s.sendall(encode("MGET", *[k for k, _ in batch]))
        got = read_reply(f)
        for (k, v), g in zip(batch, got):
            if g != v.encode():
                print("%s: %r, want %r" % (k, g, v))
                bad += 1
    print("%d acknowledged writes checked, %d missing or wrong" %
          (len(want), bad))
    return 1 if bad else 0


def main():
    a = sys.argv
    if len(a) in (6, 7) and a[1] == "writer":
        return cmd_writer(int(a[2]), int(a[3]), a[4], a[5],
                          a[6] if len(a) == 7 else None)
    if len(a) >= 4 and a[1] == "verify":
        return cmd_verify(int(a[2]), a[3:])
    print("usage: see the top of %s" % a[0], file=sys.stderr)
    return 2


sys.exit(main())
