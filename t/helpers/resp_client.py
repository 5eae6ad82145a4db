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


def cmd_raw(port):
    data = sys.stdin.buffer.read()
    s = connect(port)
    s.sendall(data)
    s.settimeout(0.5)
    out = b""
    while True:
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
