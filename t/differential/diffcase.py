#!/usr/bin/env python3
#
# diffcase.py: run one differential case script against two servers, the
# reference (Debian's redis-server) and hydrad, and compare every reply
# byte.
#
#   diffcase.py ORACLE_PORT HYDRAD_PORT CASEFILE
#   diffcase.py --show PORT CASEFILE
#
# (The second form prints one server's transcript, to write a case.)
#
# Before the case, each server gets FLUSHALL on a connection of its own;
# the case then runs on one fresh connection per server.  Exit status: 0
# when the two transcripts are identical, 1 when they differ (a unified
# diff of the transcripts is printed, bytes escaped), 2 when the script or
# a server could not be used.
#
# A case script has one request per line; blank lines and lines that
# start with "#" are ignored:
#
#   SET k "a b"        a command in redis-cli's quoting ("..." with \n, \r,
#                      \t, \b, \a, \xHH escapes, '...' with \'), sent as a
#                      RESP multibulk request; one reply is read
#   inline: text       text and CRLF, sent as they are (an inline request);
#                      one reply is read
#   raw: bytes         bytes with Python's escapes (\r, \n, \xHH, \\), sent
#                      as they are; everything the server sends is read
#                      until it has been quiet for a moment or closes
#   raw*N: bytes       the same bytes N times over, in one write
#   ignore: HELLO 3    a command whose reply is read but left out of the
#                      comparison (its text depends on the server)
#   noreply: GET k     a command that Redis does not answer (after CLIENT
#                      REPLY OFF): what comes is read until the server is
#                      quiet, as for raw:
#   repeat N: SET k{i} v{i}
#                      N commands, {i} counting from 0 (for pipelines)
#
# and these directives:
#
#   @pipeline          send the whole script in one write, then read
#   @chunks N          send the whole script in pieces of N bytes, one
#                      write and a short pause each, then read
#
# After the last request the client shuts its side down and reads until
# the server closes, so that a stray reply or a missing close shows.

import difflib
import socket
import sys
import time

REPLY_TIMEOUT = 3.0	# seconds to wait for a reply that must come
QUIET = 0.25		# silence that ends a read with no reply count


class ScriptError(Exception):
    pass


ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "a": "\a"}
HEXDIGITS = "0123456789abcdefABCDEF"


def split_quoted(line, i, quote):
    """The quoted word whose opening QUOTE is at line[i - 1], and the
    index after it.  Inside double quotes the escapes of ESCAPES and \\xHH
    apply, and a backslash keeps any other character; inside single
    quotes only \\' is an escape."""
    cur, n = [], len(line)
    while True:
        if i >= n:
            raise ScriptError("unbalanced quotes: %r" % line)
        c = line[i]
        if (quote == '"' and c == "\\" and i + 3 < n and
                line[i + 1] == "x" and line[i + 2] in HEXDIGITS and
                line[i + 3] in HEXDIGITS):
            cur.append(chr(int(line[i + 2:i + 4], 16)))
            i += 4
        elif c == "\\" and i + 1 < n and (quote == '"' or
                                          line[i + 1] == "'"):
            cur.append(ESCAPES.get(line[i + 1], line[i + 1]))
            i += 2
        elif c == quote:
            i += 1
            if i < n and not line[i].isspace():
                raise ScriptError("text after a quote: %r" % line)
            return "".join(cur), i
        else:
            cur.append(c)
            i += 1


def split_args(line):
    """Split a line as redis-cli does (Redis's sdssplitargs rules)."""
    args = []
    i, n = 0, len(line)
    while True:
        while i < n and line[i].isspace():
            i += 1
        if i >= n:
            return args
        if line[i] in "\"'":
            word, i = split_quoted(line, i + 1, line[i])
        else:
            start = i
            while i < n and not line[i].isspace():
                i += 1
            word = line[start:i]
        args.append(word.encode("latin-1"))


def multibulk(args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


def unescape(text):
    """Python's backslash escapes, for raw: lines."""
    return text.encode("latin-1").decode("unicode_escape").encode("latin-1")


def after_colon(line):
    """The text after the first colon and the one space after it."""
    text = line.partition(":")[2]
    return text[1:] if text.startswith(" ") else text


class Step:
    def __init__(self, label, data, replies, compare=True):
        self.label = label	# the script line, for the transcript
        self.data = data	# the bytes to send
        self.replies = replies	# replies to wait for (0: until quiet)
        self.compare = compare


def parse_script(path):
    steps, mode, chunk = [], "steps", 0
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.rstrip("\n")
            where = "%s:%d" % (path, lineno)
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            try:
                if line == "@pipeline":
                    mode = "pipeline"
                elif line.startswith("@chunks "):
                    mode, chunk = "chunks", int(line.split()[1])
                elif line.startswith("inline:"):
                    text = after_colon(line)
                    steps.append(Step(line, text.encode("latin-1") +
                                      b"\r\n", 1))
                elif line.startswith("raw:"):
                    steps.append(Step(line, unescape(after_colon(line)), 0))
                elif line.startswith("raw*"):
                    steps.append(Step(line, int(line[4:line.index(":")]) *
                                      unescape(after_colon(line)), 0))
                elif line.startswith("ignore:"):
                    args = split_args(after_colon(line))
                    steps.append(Step(line, multibulk(args), 1, False))
                elif line.startswith("noreply:"):
                    args = split_args(after_colon(line))
                    steps.append(Step(line, multibulk(args), 0))
                elif line.startswith("repeat "):
                    head, _, cmd = line.partition(":")
                    for i in range(int(head.split()[1])):
                        c = cmd.replace("{i}", str(i))
                        steps.append(Step(c.strip(),
                                          multibulk(split_args(c)), 1))
                elif line.startswith("@"):
                    raise ScriptError("unknown directive")
                else:
                    steps.append(Step(line, multibulk(split_args(line)), 1))
            except (ScriptError, ValueError, IndexError) as e:
                raise ScriptError("%s: %s" % (where, e))
    if not steps:
        raise ScriptError("%s: no requests" % path)
    return steps, mode, chunk


def reply_end(buf, pos):
    """The end of the RESP2/RESP3 reply at buf[pos:], or None if it is
    not complete yet."""
    eol = buf.find(b"\r\n", pos)
    if eol < 0:
        return None
    kind, head, nxt = buf[pos:pos + 1], buf[pos + 1:eol], eol + 2
    if kind in b"+-:_,#(":
        return nxt
    if kind in b"$=!":
        try:
            n = int(head)
        except ValueError:
            return nxt	# not RESP: let the transcript show it
        if n < 0:
            return nxt
        return nxt + n + 2 if len(buf) >= nxt + n + 2 else None
    if kind in b"*~>%|":
        try:
            n = int(head)
        except ValueError:
            return nxt
        if kind in b"%|":
            n *= 2
        for _ in range(max(n, 0)):
            nxt = reply_end(buf, nxt)
            if nxt is None:
                return None
        # An attribute precedes the reply it describes.
        return reply_end(buf, nxt) if kind == b"|" else nxt
    return nxt	# an unknown type byte: one line, shown as it is


def count_replies(buf):
    pos, n = 0, 0
    while pos < len(buf):
        end = reply_end(buf, pos)
        if end is None:
            break
        pos, n = end, n + 1
    return n, pos


class Conn:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.closed = False
        self.early = b""	# bytes that came while we were sending

    def send(self, data):
        if self.closed:
            return False
        try:
            self.sock.sendall(data)
            return True
        except OSError:
            self.closed = True
            return False

    def drain(self):
        """Keep what the server has sent so far, without waiting: once
        it closes, the kernel would drop what was left unread."""
        self.sock.setblocking(False)
        try:
            while True:
                chunk = self.sock.recv(65536)
                if not chunk:
                    self.closed = True
                    break
                self.early += chunk
        except (BlockingIOError, InterruptedError):
            pass
        except OSError:
            self.closed = True
        self.sock.setblocking(True)

    def read(self, want):
        """Read until WANT complete replies came (WANT 0: until the
        server is quiet), or the server closes.  Returns the bytes and a
        note when the read did not end with its replies."""
        buf, self.early = self.early, b""
        deadline = time.monotonic() + REPLY_TIMEOUT
        while not self.closed:
            n, _ = count_replies(buf)
            if want and n >= want:
                return buf, None
            if want and time.monotonic() >= deadline:
                return buf, "[no reply within %gs]" % REPLY_TIMEOUT
            self.sock.settimeout(QUIET if not want else
                                 max(0.01, deadline - time.monotonic()))
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                if not want:
                    return buf, None
                continue
            except OSError:
                chunk = b""
            if not chunk:
                self.closed = True
            buf += chunk
        return buf, "[connection closed]"

    def finish(self):
        """Shut our side down and read what comes until the server
        closes."""
        if self.closed:
            return b"", None
        try:
            self.sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        buf = b""
        self.sock.settimeout(REPLY_TIMEOUT)
        while True:
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                return buf, "[still open %gs after our shutdown]" % \
                    REPLY_TIMEOUT
            except OSError:
                chunk = b""
            if not chunk:
                return buf, None
            buf += chunk


def escape(data):
    """Bytes as readable lines: CRLF kept visible, a line break after
    each LF, anything unprintable as \\xHH."""
    out, line = [], []
    for b in data:
        if b == 0x0a:
            line.append("\\n")
            out.append("".join(line))
            line = []
        elif b == 0x0d:
            line.append("\\r")
        elif b == 0x5c:
            line.append("\\\\")
        elif 0x20 <= b < 0x7f:
            line.append(chr(b))
        else:
            line.append("\\x%02x" % b)
    if line:
        out.append("".join(line))
    return ["    " + s for s in out]


def transcript(port, steps, mode, chunk):
    """Run the case on PORT.  Returns the transcript, for people, and
    what is compared: every reply byte in order, whether the server
    closed the connection before the case ended, and how the
    connection ended.  Where one request's reply ends and the next one's
    begins is left out of the comparison: a reply that comes late,
    after the wait of its own request, is the same conversation."""
    flush = Conn(port)
    flush.send(multibulk([b"FLUSHALL"]))
    got, note = flush.read(1)
    if got != b"+OK\r\n":
        raise OSError("FLUSHALL on port %d answered %r %s" %
                      (port, got, note or ""))
    flush.sock.close()

    c = Conn(port)
    lines, stream = [], b""
    if mode == "steps":
        for st in steps:
            lines.append(">>> " + st.label)
            if not c.send(st.data):
                lines.append("[not sent: connection closed]")
                continue
            got, note = c.read(st.replies)
            if st.compare:
                lines += escape(got)
                stream += got
            else:
                lines.append("[reply not compared]")
            if note:
                lines.append(note)
    else:
        data = b"".join(st.data for st in steps)
        lines += [">>> " + st.label for st in steps]
        if mode == "pipeline":
            c.send(data)
        else:
            for i in range(0, len(data), chunk):
                if not c.send(data[i:i + chunk]):
                    break
                time.sleep(0.002)
                c.drain()
        want = sum(st.replies for st in steps)
        got, note = c.read(want)
        if not note and want:
            more, note = c.read(0)
            got += more
        # Replies left out of the comparison are cut, in order.
        pos, shown = 0, b""
        for st in steps:
            end = pos
            for _ in range(st.replies):
                e = reply_end(got, end)
                end = e if e is not None else len(got)
            if st.compare:
                shown += got[pos:end]
            pos = end
        shown += got[pos:]
        lines += escape(shown)
        stream += shown
        if note:
            lines.append(note)
    lines.append("=== end of requests")
    closed_early = c.closed
    got, note = c.finish()
    lines += escape(got)
    stream += got
    if note:
        lines.append(note)
    c.sock.close()
    return lines, (stream, closed_early, note)


def main():
    if len(sys.argv) != 4:
        print("usage: diffcase.py ORACLE_PORT HYDRAD_PORT CASEFILE\n"
              "       diffcase.py --show PORT CASEFILE", file=sys.stderr)
        return 2
    try:
        steps, mode, chunk = parse_script(sys.argv[3])
        if sys.argv[1] == "--show":
            lines, _ = transcript(int(sys.argv[2]), steps, mode, chunk)
            sys.stdout.writelines(l + "\n" for l in lines)
            return 0
        theirs, their_stream = transcript(int(sys.argv[1]), steps, mode,
                                          chunk)
        ours, our_stream = transcript(int(sys.argv[2]), steps, mode, chunk)
    except (ScriptError, OSError) as e:
        print("diffcase: %s" % e, file=sys.stderr)
        return 2
    if our_stream == their_stream:
        return 0
    sys.stdout.writelines(l + "\n" for l in difflib.unified_diff(
        theirs, ours, "redis-server", "hydrad", n=4, lineterm=""))
    return 1


sys.exit(main())
