#!/usr/bin/env python3
#
# resp_client.py: a small Redis client for hydra's bats suites, where
# redis-cli would hide the bytes on the wire or cannot do the job.
#
#   resp_client.py raw PORT
#       Send standard input to the server as it is, in one write, then
#       print every byte of the reply as it came, until the server closes
#       the connection or stays quiet for a moment.
#   resp_client.py writer PORT SECONDS ACKFILE [CONNECTIONS]
#       Write keys "w:<n>" = "v:<n>" with SET for SECONDS, round robin over
#       CONNECTIONS connections (default 4).  Each key whose +OK came back
#       is appended to ACKFILE.  A connection that breaks (its worker was
#       killed) is opened again; its unacknowledged key is written again
#       on the new one.
#   resp_client.py verify PORT ACKFILE
#       GET every key of ACKFILE; print the ones that are missing or wrong
#       and exit 1 if there is any.
#   resp_client.py scan PORT SCAN [ARG...]
#   resp_client.py scan PORT SSCAN|HSCAN|ZSCAN KEY [ARG...]
#       Run a full scan from cursor 0 to cursor 0 with the ARGs (MATCH,
#       COUNT, TYPE) on one connection and print every element of every
#       step, one per line, in reply order; exit 1 if a reply is not a
#       cursor and an array of bulks.
#   resp_client.py overflow PORT BYTES
#       Start a SET of key "k" whose value is a bulk of BYTES bytes and
#       send about BYTES bytes of it; print "closed" when the server closes
#       the connection, "reply" when it answers, "still open" when it waits.

import socket
import sys
import time


def connect(port):
    return socket.create_connection(("127.0.0.1", port), timeout=5)


def encode(*args):
    out = b"*%d\r\n" % len(args)
    for a in args:
        if isinstance(a, str):
            a = a.encode()
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    return out


def connect_file(port, timeout=30):
    """A connection and a buffered reader of it."""
    s = connect(port)
    s.settimeout(timeout)
    return s, s.makefile("rb")


def read_parts(f, out):
    """Append the pieces of one reply, of any RESP2 or RESP3 type, to the
    list out."""
    line = f.readline()
    if not line:
        raise EOFError("connection closed")
    out.append(line)
    kind = line[:1]
    if kind in b"$=":
        n = int(line[1:-2])
        if n >= 0:
            out.append(f.read(n + 2))
    elif kind in b"*%~>":
        n = int(line[1:-2])
        for _ in range(max(n * 2 if kind == b"%" else n, 0)):
            read_parts(f, out)
    elif kind not in b"+-:_,#(":
        raise ValueError("unexpected reply %r" % line)


def read_raw(f):
    """The bytes of one whole reply."""
    out = []
    read_parts(f, out)
    return b"".join(out)


def read_reply(f):
    """
    One reply: a simple one as its line without CRLF, a bulk as its bytes
    (None when null), an aggregate as a list of its kind (b"*", b"~",
    b"%", b">") and its elements.
    """
    line = f.readline()
    if not line:
        raise ConnectionError("closed")
    kind, rest = line[:1], line[1:-2]
    if kind in (b"+", b"-", b":", b"_", b",", b"#"):
        return line[:-2]
    if kind == b"$":
        n = int(rest)
        if n < 0:
            return None
        data = f.read(n + 2)
        return data[:-2]
    if kind in (b"*", b"~", b"%", b">"):
        n = int(rest) * (2 if kind == b"%" else 1)
        return [kind] + [read_reply(f) for _ in range(max(n, 0))]
    raise ValueError("unexpected reply %r" % line)


# Commands whose count of replies is not one per request (subscriptions,
# MONITOR, CLIENT REPLY): a request holding one is read until quiet.
UNCOUNTED = {b"subscribe", b"psubscribe", b"ssubscribe", b"unsubscribe",
             b"punsubscribe", b"sunsubscribe", b"monitor", b"sync",
             b"psync", b"client"}


def request_names(data):
    """
    The command name of each request in data, as Redis splits a pipeline
    (multibulk or inline; an empty one has no reply), or None when data
    is not whole, well-formed requests.
    """
    names, i = [], 0
    while i < len(data):
        if data[i:i + 1] == b"*":
            end = data.find(b"\r\n", i)
            if end < 0:
                return None
            try:
                n = int(data[i + 1:end])
            except ValueError:
                return None
            i = end + 2
            first = None
            for k in range(max(n, 0)):
                end = data.find(b"\r\n", i)
                if end < 0 or data[i:i + 1] != b"$":
                    return None
                try:
                    blen = int(data[i + 1:end])
                except ValueError:
                    return None
                if blen < 0 or data[end + 2 + blen:end + 4 + blen] != \
                        b"\r\n":
                    return None
                if k == 0:
                    first = data[end + 2:end + 2 + blen]
                i = end + 4 + blen
            if first is not None:
                names.append(first.lower())
        else:
            end = data.find(b"\n", i)
            if end < 0:
                return None
            line = data[i:end]
            i = end + 1
            words = line.split()
            if words and words[0][:1] in (b'"', b"'"):
                return None     # a quoted name: leave it to Redis
            if words:
                names.append(words[0].lower())
    return names


def reply_end(buf, i):
    """Where the reply starting at buf[i] ends, or None if it is cut."""
    end = buf.find(b"\r\n", i)
    if end < 0:
        return None
    kind, head = buf[i:i + 1], buf[i + 1:end]
    i = end + 2
    if kind in b"$=!":
        n = int(head)
        if n < 0:
            return i
        return i + n + 2 if len(buf) >= i + n + 2 else None
    if kind in b"*~>%|":
        n = max(int(head), 0) * (2 if kind in b"%|" else 1)
        if kind == b"|":
            n += 1      # the reply the attributes belong to
        for _ in range(n):
            i = reply_end(buf, i)
            if i is None:
                return None
        return i
    return i


def replies_in(buf):
    """How many whole replies buf holds."""
    n, i = 0, 0
    while i < len(buf):
        try:
            i = reply_end(buf, i)
        except ValueError:
            return n
        if i is None:
            return n
        n += 1
    return n


def cmd_raw(port):
    """
    Send the request and print every byte of the reply.  When the request
    is whole requests that each answer once, reading ends once that many
    replies came (and a short look finds nothing more); otherwise, or if
    they do not all come, it ends when the server closes the connection
    or stays quiet for half a second.
    """
    data = sys.stdin.buffer.read()
    names = request_names(data)
    want = None
    if names is not None and not UNCOUNTED.intersection(names):
        want = len(names)
    s = connect(port)
    s.sendall(data)
    s.settimeout(0.5)
    out = b""
    while True:
        if want is not None and replies_in(out) >= want:
            s.settimeout(0.05)
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            break
        except ConnectionResetError:
            break
        if not chunk:
            break
        out += chunk
    s.close()
    sys.stdout.buffer.write(out)


def cmd_scan(port, args):
    s, f = connect_file(port)
    at = 1 if args[0].lower() == "scan" else 2
    cursor = b"0"
    while True:
        args[at:at] = [cursor]
        s.sendall(encode(*args))
        del args[at]
        r = read_reply(f)
        if (not isinstance(r, list) or len(r) != 3 or
                not isinstance(r[1], bytes) or not r[1].isdigit() or
                not isinstance(r[2], list)):
            print("not a scan reply: %r" % (r,), file=sys.stderr)
            sys.exit(1)
        for el in r[2][1:]:
            sys.stdout.buffer.write(el + b"\n")
        cursor = r[1]
        if cursor == b"0":
            break
    s.close()


def cmd_writer(port, seconds, ackfile, nconn):
    conns = [None] * nconn
    n = 0
    deadline = time.monotonic() + seconds
    with open(ackfile, "a") as ack:
        while time.monotonic() < deadline:
            i = n % nconn
            key = "w:%d" % n
            try:
                if conns[i] is None:
                    s = connect(port)
                    conns[i] = (s, s.makefile("rb"))
                s, f = conns[i]
                s.sendall(encode("SET", key, "v:%d" % n))
                r = read_reply(f)
            except (OSError, ConnectionError):
                if conns[i] is not None:
                    conns[i][0].close()
                conns[i] = None
                time.sleep(0.01)
                continue
            if r != b"+OK":
                print("SET %s: %r" % (key, r), file=sys.stderr)
                sys.exit(1)
            ack.write(key + "\n")
            ack.flush()
            n += 1
    print(n)


def cmd_verify(port, ackfile):
    s = connect(port)
    f = s.makefile("rb")
    bad = 0
    with open(ackfile) as ack:
        keys = [k.strip() for k in ack if k.strip()]
    for key in keys:
        s.sendall(encode("GET", key))
        r = read_reply(f)
        want = ("v:" + key.split(":", 1)[1]).encode()
        if r != want:
            print("%s: %r, want %r" % (key, r, want))
            bad += 1
    print("%d keys checked, %d bad" % (len(keys), bad))
    sys.exit(1 if bad else 0)


def cmd_overflow(port, nbytes):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$%d\r\n" % nbytes)
    try:
        for _ in range(nbytes // 65536):
            s.sendall(b"x" * 65536)
    except OSError:
        pass
    s.settimeout(5)
    try:
        print("reply" if s.recv(100) else "closed")
    except socket.timeout:
        print("still open")
    except OSError:
        print("closed")


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "raw":
        cmd_raw(int(sys.argv[2]))
    elif len(sys.argv) >= 4 and sys.argv[1] == "scan":
        cmd_scan(int(sys.argv[2]), sys.argv[3:])
    elif len(sys.argv) >= 5 and sys.argv[1] == "writer":
        nconn = int(sys.argv[5]) if len(sys.argv) > 5 else 4
        cmd_writer(int(sys.argv[2]), float(sys.argv[3]), sys.argv[4],
                   nconn)
    elif len(sys.argv) == 4 and sys.argv[1] == "verify":
        cmd_verify(int(sys.argv[2]), sys.argv[3])
    elif len(sys.argv) == 4 and sys.argv[1] == "overflow":
        cmd_overflow(int(sys.argv[2]), int(sys.argv[3]))
    else:
        print(__doc__ or "usage: see the top of the file", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
