#!/usr/bin/env python3
"""Finishes a PC option ROM: pads it to a multiple of 512 bytes, stores the size (in 512-byte
blocks) at offset 2 and sets the last byte so all bytes sum to 0 mod 256 (the PCI Firmware
Specification 3.0, 5.1.1 / IBM PC option ROM header). Usage: romsum.py IN OUT"""
import sys

data = bytearray(open(sys.argv[1], 'rb').read())
if data[:2] != b'\x55\xaa':
    sys.exit('romsum: %s: no 55 AA signature' % sys.argv[1])
data += b'\0' * (-(len(data) + 1) % 512 + 1)   # room for the checksum byte
if len(data) > 255 * 512:
    sys.exit('romsum: %s: larger than 127.5 KiB' % sys.argv[1])
data[2] = len(data) // 512
data[-1] = (-sum(data[:-1])) & 0xFF
open(sys.argv[2], 'wb').write(data)
