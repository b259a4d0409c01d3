#!/usr/bin/env python3
"""--trace of roms/teach.bin against its nasm listing: every traced instruction of the ROM must be
at an address where the source has an instruction, with the same mnemonic (the source, through
nasm's listing, is the independent expectation; capstone spells far jumps 'ljmp' and jz/jnz
je/jne, and nasm's o32/a32 prefixes are not part of the mnemonic)."""
import re, subprocess, sys, tempfile, os

jitpc, nasm, src = sys.argv[1:4]
with tempfile.TemporaryDirectory() as d:
    lst = os.path.join(d, "teach.lst")
    subprocess.run([nasm, "-f", "bin", "-l", lst, "-o", os.path.join(d, "teach.bin"), src], check=True)
    trace = subprocess.run([jitpc, "-M", "test", "-bios", os.path.join(d, "teach.bin"), "--trace", "-"],
                           capture_output=True, text=True, timeout=60).stdout
    listing = open(lst).read().splitlines()
source = {}
for line in listing:
    m = re.match(r"\s*\d+\s+([0-9A-F]{8})\s+[0-9A-F\[\]()]+-?\s+(.*)$", line)
    if not m:
        continue
    text = re.sub(r"^\s*[.\w]+:\s*", "", m.group(2).split(";")[0]).strip()
    words = [w for w in text.split() if w not in ("o32", "o16", "a32", "a16")]
    if words and not words[0].startswith(("dw", "dd", "dq", "db", "times", "align")):
        source.setdefault(int(m.group(1), 16), words[0].lower())
checked = failed = 0
for line in trace.splitlines():
    m = re.match(r"(\d+) ([0-9a-f]{4}):([0-9a-f]{8})\s+(\S+)", line)
    if not m:
        continue
    cs, eip, mnem = int(m.group(2), 16), int(m.group(3), 16), m.group(4)
    lin = (cs << 4) + eip if cs == 0xF000 else eip
    off = lin & 0xFFFF if cs == 0xF000 else lin - 0xF0000
    if lin >= 0xFFFF0:
        off = lin - 0xF0000
    want = source.get(off)
    got = {"ljmp": "jmp"}.get(mnem, mnem)
    want = {"jz": "je", "jnz": "jne"}.get(want, want)
    checked += 1
    if want != got:
        failed += 1
        if failed <= 5:
            print(f"FAIL: {line.strip()}: the source has {want!r} at offset {off:#x}")
print(f"traced instructions checked against the listing: {checked}")
print(f"trace-listing: {checked - failed} passed, {failed} failed")
sys.exit(1 if failed or checked < 100 else 0)
