#!/usr/bin/env python3
"""Builds the disk images of the disk boot tests. Usage: mkimage.py PAYLOAD KIND OUT
KIND: hdd (8 MiB), floppy (1.44 MB), floppy720 (720 KB) - the payload in units 0-2, then every
512-byte unit u filled with (u * 13 + i) & 0xFF (the pattern payload.asm checks) - or cd: an
ISO 9660 image made with xorriso whose no-emulation El Torito boot image is the payload."""
import os
import subprocess
import sys
import tempfile

payload, kind, out = sys.argv[1], sys.argv[2], sys.argv[3]
code = open(payload, 'rb').read()
sizes = {'hdd': 8 << 20, 'floppy': 1474560, 'floppy720': 737280}
if kind in sizes:
    ramp = bytes(range(256)) * 3
    with open(out, 'wb') as f:
        f.write(code)
        for u in range(len(code) // 512, sizes[kind] // 512):
            start = (u * 13) & 0xFF
            f.write(ramp[start:start + 512])
elif kind == 'cd':
    with tempfile.TemporaryDirectory() as d:
        os.mkdir(os.path.join(d, 'boot'))
        with open(os.path.join(d, 'boot', 'payload.bin'), 'wb') as f:
            f.write(code + bytes(-len(code) % 2048))
        with open(os.path.join(d, 'README'), 'w') as f:
            f.write('jitpc El Torito test\n')
        subprocess.run(['xorriso', '-as', 'mkisofs', '-quiet', '-o', out, '-b', 'boot/payload.bin',
                        '-no-emul-boot', '-boot-load-size', '4', d], check=True)
else:
    sys.exit('mkimage: unknown kind ' + kind)
