#!/usr/bin/env python3
"""VGA screenshot tests. Runs jitpc (SeaBIOS + Debian's vgabios-stdvga.bin) with a test option ROM
(tests/vga/vgarom.asm), takes a screenshot after a fixed number of instructions and compares it
pixel for pixel with an image computed here from the pattern's definition, the standard 16-colour
text/EGA palette (IBM VGA Technical Reference: the default attribute palette 00-05, 14, 07, 38-3F
through the DAC's 6-bit levels 00h/2Ah/15h/3Fh) and the VGA BIOS's own 8x16 font. The PNG is
decoded with zlib alone.

usage: check.py JITPC ROM text|mode12|mode13|vbe INSNS
       check.py JITPC - banner INSNS   (plain SeaBIOS: its banner on the text screen)"""
import os
import subprocess
import sys
import tempfile
import zlib

VGABIOS = '/usr/share/seabios/vgabios-stdvga.bin'


def read_png(path):
    """8-bit RGB, non-interlaced PNG (what jitpc writes) -> (width, height, rows of bytes)."""
    data = open(path, 'rb').read()
    assert data[:8] == b'\x89PNG\r\n\x1a\n', 'not a PNG'
    pos, idat, w = 8, b'', None
    while pos < len(data):
        n = int.from_bytes(data[pos:pos + 4], 'big')
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]
        if kind == b'IHDR':
            w, h = int.from_bytes(body[0:4], 'big'), int.from_bytes(body[4:8], 'big')
            assert body[8] == 8 and body[9] == 2 and body[12] == 0, 'expected 8-bit RGB, no interlace'
        elif kind == b'IDAT':
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    stride, bpp = w * 3, 3
    rows, prev = [], bytearray(stride)
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        if f == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 0xFF
        elif f == 2:
            for i in range(stride):
                line[i] = (line[i] + prev[i]) & 0xFF
        elif f == 3:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 0xFF
        elif f == 4:
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b, c = prev[i], prev[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pr = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pr) & 0xFF
        rows.append(line)
        prev = line
    return w, h, rows


def dac8(v):
    """A 6-bit DAC level as 8 bits (63 -> 255): the top bits repeated, as jitpc's renderer does."""
    return (v << 2) | (v >> 4)


# The 16 default colours: attribute palette -> 64-colour EGA DAC entries, rgbRGB bits with
# intensity levels 0, 2Ah, 15h, 3Fh; palette entry 6 is brown (14h: the half-green level).
CGA = []
for i in range(16):
    ega = [0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07, 0x38, 0x39, 0x3A, 0x3B, 0x3C, 0x3D, 0x3E, 0x3F][i]
    r = (0x2A if ega & 4 else 0) + (0x15 if ega & 0x20 else 0)
    g = (0x2A if ega & 2 else 0) + (0x15 if ega & 0x10 else 0)
    b = (0x2A if ega & 1 else 0) + (0x15 if ega & 0x08 else 0)
    CGA.append((dac8(r), dac8(g), dac8(b)))


def vga_font():
    """The VGA BIOS's 8x16 font: 256 glyphs of 16 bytes, found by the IBM VGA glyph for 'A'."""
    rom = open(VGABIOS, 'rb').read()
    a_glyph = bytes([0, 0, 0x10, 0x38, 0x6C, 0xC6, 0xC6, 0xFE, 0xC6, 0xC6, 0xC6, 0xC6, 0, 0, 0, 0])
    at = rom.find(a_glyph)
    assert at >= 0x41 * 16, 'no 8x16 font in ' + VGABIOS
    return rom[at - 0x41 * 16:at - 0x41 * 16 + 4096]


def expected(test):
    if test == 'text':
        font = vga_font()
        w, h = 720, 400
        img = []
        for y in range(h):
            r, gy = divmod(y, 16)
            row = bytearray()
            for x in range(w):
                c, gx = divmod(x, 9)
                ch = (r * 80 + c) & 0xFF
                attr = (r * 7 + c) & 0x7F
                bits = font[ch * 16 + gy]
                if gx < 8:
                    on = (bits >> (7 - gx)) & 1
                else:   # the ninth column repeats the eighth for C0h-DFh (line graphics)
                    on = bits & 1 if 0xC0 <= ch <= 0xDF else 0
                row += bytes(CGA[attr & 15] if on else CGA[attr >> 4])
            img.append(row)
        return w, h, img
    if test == 'mode12':
        w, h = 640, 480
        img = []
        for y in range(h):
            row = bytearray()
            for x in range(w):
                bx = x // 8
                c = (bx + y) & 15
                if x % 2 == 0:
                    c = (3 * bx + y // 2) & 15
                if y % 16 == 0:
                    c |= 8
                row += bytes(CGA[c])
            img.append(row)
        return w, h, img
    if test == 'mode13':
        pal = [(dac8(i >> 2), dac8((i * 5) & 63), dac8(63 - (i >> 2))) for i in range(256)]
        return 320, 200, [b''.join(bytes(pal[(x + 2 * y) & 0xFF]) for x in range(320)) for y in range(200)]
    if test == 'vbe':
        return 800, 600, [b''.join(bytes((x & 0xFF, y & 0xFF, (x + y) & 0xFF)) for x in range(800))
                          for y in range(600)]
    raise SystemExit('unknown test ' + test)


def main():
    jitpc, rom, test, insns = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
    with tempfile.TemporaryDirectory() as tmp:
        log, out = os.path.join(tmp, 'debug.log'), os.path.join(tmp, 'screen.png')
        if test == 'banner':
            txt = os.path.join(tmp, 'screen.txt')
            subprocess.run([jitpc, '-display', 'none', '-serial', 'none', '--screen-text-at', insns, txt,
                            '--max-insns', insns], stdin=subprocess.DEVNULL, timeout=300)
            screen = open(txt, encoding='utf-8').read()
            if 'SeaBIOS (version' not in screen:
                print('FAIL: no SeaBIOS banner on the text screen:\n' + screen)
                return 1
            print('PASS: the text screen shows ' + screen.splitlines()[0].strip())
            return 0
        subprocess.run([jitpc, '-display', 'none', '-serial', 'none', '-debugcon', 'file:' + log, '-option-rom', rom,
                        '--screenshot-at', insns, out, '--max-insns', insns], stdin=subprocess.DEVNULL, timeout=300)
        msg = open(log, errors='replace').read() if os.path.exists(log) else ''
        if 'VGA DRAWN' not in msg:
            print('FAIL: the test ROM did not finish drawing within %s instructions:\n%s' % (insns, msg[-2000:]))
            return 1
        w, h, rows = read_png(out)
        ew, eh, want = expected(test)
        if (w, h) != (ew, eh):
            print('FAIL: screenshot is %dx%d, expected %dx%d' % (w, h, ew, eh))
            return 1
        bad = []
        for y in range(h):
            if rows[y] != want[y]:
                for x in range(w):
                    if rows[y][3 * x:3 * x + 3] != want[y][3 * x:3 * x + 3]:
                        bad.append((x, y, bytes(rows[y][3 * x:3 * x + 3]).hex(), bytes(want[y][3 * x:3 * x + 3]).hex()))
        if bad:
            print('FAIL: %d pixels differ; first: %s' % (len(bad), bad[:8]))
            return 1
        print('PASS: %s, %dx%d, every pixel as expected' % (test, w, h))
        return 0


if __name__ == '__main__':
    sys.exit(main())
