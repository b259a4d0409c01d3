"""A PNG reader for the boot tests' screenshot checks, standard library only: 8-bit RGB,
not interlaced (what jitpc's screenshots are), filters per the PNG specification 9.2."""
import struct
import sys
import zlib


def read_png(path):
    """Returns (width, height, rows), each row a list of 3-byte pixels."""
    d = open(path, 'rb').read()
    if d[:8] != b'\x89PNG\r\n\x1a\n':
        sys.exit('not a PNG')
    pos, idat, w = 8, b'', 0
    while pos < len(d):
        n, t = struct.unpack('>I4s', d[pos:pos + 8])
        body = d[pos + 8:pos + 8 + n]
        pos += 12 + n
        if t == b'IHDR':
            w, h, depth, ctype, _, _, inter = struct.unpack('>IIBBBBB', body)
            if (depth, ctype, inter) != (8, 2, 0):
                sys.exit('expected 8-bit RGB, not interlaced')
        elif t == b'IDAT':
            idat += body
    raw, stride, rows, prev = zlib.decompress(idat), w * 3, [], bytearray(w * 3)
    for y in range(h):   # PNG spec 9.2 filter types 0-4, bpp 3
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - 3] if i >= 3 else 0
            b, c = prev[i], prev[i - 3] if i >= 3 else 0
            if f == 1: line[i] = (line[i] + a) & 255
            elif f == 2: line[i] = (line[i] + b) & 255
            elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append([bytes(line[i:i + 3]) for i in range(0, stride, 3)])
        prev = line
    return w, h, rows
