"""Helpers of bench/legacy: QEMU TCG driven through QMP (its screen polled, keys sent), and the
screen checks both emulators' success points share.

QEMU runs with -display none and a QMP socket. Every POLL seconds of wall time the bench asks
for the screen: the text window (pmemsave of 0xB8000, 32 KiB: all of it, because a console that
scrolls by moving the CRTC start address, like OpenBSD's, shows a part that moves) decoded as
80-column rows, or a PPM screendump for a graphics desktop. The time reported is the first poll
that shows the point, so it is late by at most one poll interval plus the poll's own cost.
"""
import json
import os
import socket
import subprocess
import tempfile
import time
from collections import Counter

POLL = 0.05          # seconds of wall time between looks at QEMU's screen
TEXT_BASE, TEXT_SIZE, COLS = 0xB8000, 0x8000, 80


def text_rows(vram):
    """The characters of a colour text window (character, attribute pairs) as 80-column rows."""
    chars = bytes(vram[0::2]).decode("cp437", "replace")
    return "\n".join(chars[i:i + COLS] for i in range(0, len(chars), COLS))


def read_ppm(path):
    """(width, height, rows) of a binary PPM (P6, maxval 255), rows of 3-byte pixels like
    tests/boot/pngread.py's."""
    d = open(path, "rb").read()
    fields, pos = [], 0
    while len(fields) < 4:            # magic, width, height, maxval; '#' comments allowed
        while d[pos:pos + 1].isspace():
            pos += 1
        if d[pos:pos + 1] == b"#":
            pos = d.index(b"\n", pos) + 1
            continue
        end = pos
        while not d[end:end + 1].isspace():
            end += 1
        fields.append(d[pos:end])
        pos = end
    pos += 1
    if fields[0] != b"P6" or fields[3] != b"255":
        raise ValueError(f"{path}: not an 8-bit binary PPM")
    w, h = int(fields[1]), int(fields[2])
    px, stride = d[pos:pos + w * h * 3], w * 3
    return w, h, [[px[i:i + 3] for i in range(y * stride, (y + 1) * stride, 3)] for y in range(h)]


def desktop_ok(w, h, rows):
    """KolibriOS's desktop, the properties tests/boot/legacy.sh checks: a graphics mode; at the
    bottom a band 12-60 rows high whose rows each have one colour on at least half of the width,
    with buttons or text besides; above it a desktop that is not blank (at least 16 colours,
    none on 90%, under half black)."""
    if w < 640 or h < 480:
        return False
    dom = {}                          # row -> (colour, pixels); only the bottom 61 rows matter
    top = h
    while top > 0 and h - top <= 60:
        dom[top - 1] = Counter(rows[top - 1]).most_common(1)[0]
        if dom[top - 1][1] < w // 2:
            break
        top -= 1
    band = h - top
    if not 12 <= band <= 60:
        return False
    if sum(p != dom[y][0] for y in range(top, h) for p in rows[y]) < band * w // 100:
        return False
    desk = Counter(p for r in rows[:top] for p in r)
    n = desk.most_common(1)[0][1]
    black = desk.get(b"\0\0\0", 0)
    return not (n * 10 >= w * top * 9 or len(desk) < 16 or black * 2 >= w * top)


class Qemu:
    """qemu-system-i386 (TCG) booting a floppy image, with -snapshot, no display and a QMP
    socket; start() records the wall-clock start."""

    def __init__(self, img, binary="qemu-system-i386", extra=()):
        self.dir = tempfile.mkdtemp(prefix="bench-legacy-")
        self.sock_path = os.path.join(self.dir, "qmp")
        self.cmd = [binary, "-accel", "tcg", "-display", "none", "-serial", "none",
                    "-monitor", "none", "-fda", img, "-snapshot", "-boot", "a",
                    "-qmp", f"unix:{self.sock_path},server=on,wait=off"] + list(extra)
        self.proc = self.sock = None
        self.buf = b""

    def start(self):
        self.t0 = time.monotonic()
        self.proc = subprocess.Popen(self.cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError("qemu exited at start-up")
            try:
                s = socket.socket(socket.AF_UNIX)
                s.connect(self.sock_path)
                break
            except OSError:
                s.close()
                time.sleep(0.005)
        self.sock = s
        self._reply()                          # the greeting
        self.qmp("qmp_capabilities")

    def elapsed(self):
        return time.monotonic() - self.t0

    def _reply(self):
        while True:                            # one JSON object a line; skip events
            while b"\n" not in self.buf:
                chunk = self.sock.recv(65536)
                if not chunk:
                    raise RuntimeError("qemu closed its QMP socket")
                self.buf += chunk
            line, self.buf = self.buf.split(b"\n", 1)
            msg = json.loads(line)
            if "event" not in msg:
                return msg

    def qmp(self, command, **args):
        self.sock.sendall(json.dumps({"execute": command, "arguments": args}).encode() + b"\n")
        msg = self._reply()
        if "error" in msg:
            raise RuntimeError(f"qmp {command}: {msg['error']}")
        return msg.get("return")

    def text(self):
        path = os.path.join(self.dir, "vram")
        self.qmp("pmemsave", val=TEXT_BASE, size=TEXT_SIZE, filename=path)
        with open(path, "rb") as f:
            return text_rows(f.read())

    def screen(self):
        path = os.path.join(self.dir, "screen.ppm")
        self.qmp("screendump", filename=path)
        return read_ppm(path)

    def key(self, ch):
        """One key press as QMP send-key (qcode names: letters and digits are themselves)."""
        code = {"\n": "ret", " ": "spc"}.get(ch, ch)
        self.qmp("send-key", keys=[{"type": "qcode", "data": code}])

    def stop(self):
        if self.proc:
            self.proc.kill()
            self.proc.wait()
        if self.sock:
            self.sock.close()
        for name in os.listdir(self.dir):
            os.unlink(os.path.join(self.dir, name))
        os.rmdir(self.dir)


def qemu_times(img, steps, timeout=300, binary="qemu-system-i386", extra=()):
    """Boots img under QEMU and walks steps, a list of (kind, what, keys): kind "text" waits for
    the string what on the text screen, "desktop" for desktop_ok on the graphics screen; keys
    (or "") are typed (send-key, one key a character) as soon as it is seen. Returns the wall
    seconds at which each step was first seen, None for those not seen within timeout seconds."""
    q = Qemu(img, binary, extra)
    times = [None] * len(steps)
    try:
        q.start()
        for i, (kind, what, keys) in enumerate(steps):
            while True:
                if q.elapsed() > timeout or q.proc.poll() is not None:
                    return times
                t = q.elapsed()
                if kind == "text":
                    seen = what in q.text()
                else:
                    seen = desktop_ok(*q.screen())
                if seen:
                    break
                time.sleep(max(0.0, POLL - (q.elapsed() - t)))
            times[i] = t
            for ch in keys:
                q.key(ch)
        return times
    finally:
        q.stop()
