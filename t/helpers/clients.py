#!/usr/bin/env python3
#
# clients.py: scenarios with many connections held open at once, for the
# connection tests of hydra's bats suites.  Each scenario prints what it
# saw and exits 1 when its invariant does not hold.
#
#   clients.py list PORT N
#       Open N connections; CLIENT LIST from one of them must show the id
#       of every one, and the connections must be spread over at least two
#       server processes.
#   clients.py kill-other PORT
#       Open connections until two are served by different processes;
#       CLIENT KILL ID from the first must answer 1 and close the other
#       within two seconds; killing it again answers 0.  Then CLIENT KILL
#       ADDR closes another client of the other worker, and CLIENT KILL
#       LADDR every client but the caller, counting them.
#   clients.py balance PORT N
#       Open N connections; each server process must hold at least a
#       third of them.
#   clients.py maxclients PORT MAX
#       Open MAX connections that answer PING; the next one must get
#       Redis's exact refusal and be closed; after one is closed, a new
#       connection is served again.
#   clients.py idle PORT SECONDS
#       Open a connection and a second one kept busy; the idle one must be
#       closed by the server after SECONDS and before SECONDS + 3, the busy
#       one must still answer.
#
# Which process serves a connection is read from ss(8): the server's
# socket whose peer is the connection's own address.

import os
import re
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from resp_client import connect, encode  # noqa: E402


def call(s, *args):
    s.sendall(encode(*args))
    f = s.makefile("rb")
    line = f.readline()
    if line[:1] == b"$":
        n = int(line[1:-2])
        return f.read(n + 2)[:-2] if n >= 0 else None
    if line[:1] == b"=":
        n = int(line[1:-2])
        return f.read(n + 2)[4:-2]
    return line[:-2]


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def owners(port, conns, tries=100):
    """The pid of the process serving each connection, polled until ss
    shows all of them (at most about 5 s)."""
    want = {c.getsockname()[1]: i for i, c in enumerate(conns)}
    for _ in range(tries):
        out = subprocess.run(
            ["ss", "-tnpH", "state", "established",
             "( sport = :%d )" % port],
            capture_output=True, text=True).stdout
        pids = [None] * len(conns)
        for line in out.splitlines():
            m = re.search(r"127\.0\.0\.1:(\d+)\s+.*pid=(\d+)", line.split(
                None, 3)[-1]) if line.strip() else None
            if m and int(m.group(1)) in want:
                pids[want[int(m.group(1))]] = int(m.group(2))
        if None not in pids:
            return pids
        time.sleep(0.05)
    fail("ss does not show every connection: %r" % pids)


def closed_within(s, seconds):
    """Did the server close s within `seconds'?"""
    s.settimeout(0.05)
    end = time.time() + seconds
    while time.time() < end:
        try:
            if s.recv(4096) == b"":
                return True
        except socket.timeout:
            continue
        except ConnectionResetError:
            return True
    return False


def scenario_list(port, n):
    conns = [connect(port) for _ in range(n)]
    ids = [int(call(c, "client", "id")[1:]) for c in conns]
    text = call(conns[0], "client", "list").decode()
    listed = [int(x) for x in re.findall(r"^id=(\d+) ", text, re.M)]
    print("ids %s listed %s" % (sorted(ids), sorted(listed)))
    if sorted(listed) != sorted(ids):
        fail("CLIENT LIST does not show exactly the open connections")
    pids = owners(port, conns)
    print("served by %s" % sorted(set(pids)))
    if len(set(pids)) < 2:
        fail("every connection is on one worker")
    # Each line names its own connection's address.
    for c, i in zip(conns, ids):
        addr = "127.0.0.1:%d" % c.getsockname()[1]
        if not re.search(r"^id=%d addr=%s " % (i, re.escape(addr)), text,
                         re.M):
            fail("no line for id %d at %s" % (i, addr))


def scenario_kill_other(port):
    conns = [connect(port)]
    target = None
    while target is None and len(conns) < 20:
        conns.append(connect(port))
        pids = owners(port, conns)
        for i in range(1, len(conns)):
            if pids[i] != pids[0]:
                target = i
                break
    if target is None:
        fail("no connection landed on another worker")
    while len(conns) < 8:
        conns.append(connect(port))
    pids = owners(port, conns)
    tid = int(call(conns[target], "client", "id")[1:])
    r = call(conns[0], "client", "kill", "id", str(tid))
    print("CLIENT KILL ID %d -> %r" % (tid, r))
    if r != b":1":
        fail("the kill was not counted")
    if not closed_within(conns[target], 2):
        fail("the client on the other worker is still open")
    r = call(conns[0], "client", "kill", "id", str(tid))
    if r != b":0":
        fail("a closed client was killed again: %r" % r)
    if call(conns[0], "ping") != b"+PONG":
        fail("the killer was closed too")
    # By address: another client of the other worker (pids is who
    # served each connection before the kills).
    others = [i for i in range(1, len(conns))
              if i != target and pids[i] != pids[0]]
    if not others:
        fail("no second connection on the other worker")
    victim = others[0]
    addr = "127.0.0.1:%d" % conns[victim].getsockname()[1]
    r = call(conns[0], "client", "kill", "addr", addr)
    print("CLIENT KILL ADDR %s -> %r" % (addr, r))
    if r != b":1" or not closed_within(conns[victim], 2):
        fail("the kill by address did not close it")
    # By local address: everyone else, on both workers.
    rest = [i for i in range(1, len(conns)) if i not in (target, victim)]
    r = call(conns[0], "client", "kill", "laddr", "127.0.0.1:%d" % port)
    print("CLIENT KILL LADDR -> %r (%d others open)" % (r, len(rest)))
    if r != b":%d" % len(rest):
        fail("the kill by local address did not count the others")
    for i in rest:
        if not closed_within(conns[i], 2):
            fail("a client is still open after the kill by local address")
    if call(conns[0], "ping") != b"+PONG":
        fail("SKIPME did not spare the killer")


def scenario_balance(port, n):
    conns = [connect(port) for _ in range(n)]
    for c in conns:
        if call(c, "ping") != b"+PONG":
            fail("no PONG")
    pids = owners(port, conns)
    split = {p: pids.count(p) for p in set(pids)}
    print("split %r" % split)
    if len(split) < 2 or min(split.values()) < n // 3:
        fail("the connections are not balanced")


def served(port):
    """A connection that answers PING, or None when it was refused."""
    c = connect(port)
    try:
        if call(c, "ping") == b"+PONG":
            return c
    except (ConnectionError, OSError):
        pass
    c.close()
    return None


def scenario_maxclients(port, limit):
    # A client that has just left (the test's own PING) may still be
    # counted for a moment: open the first ones with a bounded retry.
    conns = []
    for _ in range(100):
        c = served(port)
        if c is not None:
            conns.append(c)
            if len(conns) == limit:
                break
        else:
            time.sleep(0.05)
    if len(conns) != limit:
        fail("only %d connections were served" % len(conns))
    extra = connect(port)
    extra.settimeout(2)
    got = b""
    try:
        while True:
            d = extra.recv(4096)
            if not d:
                break
            got += d
    except socket.timeout:
        fail("the refused connection was not closed: %r" % got)
    print("refused with %r" % got)
    if got != b"-ERR max number of clients reached\r\n":
        fail("wrong refusal")
    conns.pop().close()
    # The close is seen by the server shortly; poll for a served one.
    for _ in range(100):
        if served(port) is not None:
            return
        time.sleep(0.05)
    fail("no connection is served after one was closed")


def scenario_idle(port, seconds):
    idle = connect(port)
    busy = connect(port)
    if call(idle, "ping") != b"+PONG":
        fail("no PONG")
    start = time.time()
    idle.settimeout(0.1)
    while time.time() - start < seconds + 3:
        if call(busy, "ping") != b"+PONG":
            fail("the busy client was closed")
        try:
            if idle.recv(4096) == b"":
                took = time.time() - start
                print("idle client closed after %.2f s" % took)
                if took < seconds:
                    fail("closed too early")
                return
        except socket.timeout:
            pass
    fail("the idle client is still open")


def main():
    what, port = sys.argv[1], int(sys.argv[2])
    if what == "list":
        scenario_list(port, int(sys.argv[3]))
    elif what == "kill-other":
        scenario_kill_other(port)
    elif what == "balance":
        scenario_balance(port, int(sys.argv[3]))
    elif what == "maxclients":
        scenario_maxclients(port, int(sys.argv[3]))
    elif what == "idle":
        scenario_idle(port, int(sys.argv[3]))
    else:
        sys.exit("usage: clients.py list|kill-other|balance|maxclients|"
                 "idle PORT ...")


if __name__ == "__main__":
    main()
