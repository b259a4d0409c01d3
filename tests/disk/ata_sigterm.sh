#!/bin/sh
# Issue 8, acceptance 2: a guest writes with ATA PIO and bus-master DMA, flushes, prints
# FLUSHED; the test stops jitpc with SIGTERM right then and reads the image: LBA 100 holds
# 512 x C3, LBAs 101-102 hold 1024 x 3C. With -snapshot the image is unchanged.
# Usage: ata_sigterm.sh JITPC ATAWRITE_BIN [snapshot]
set -eu
jitpc=$1 boot=$2 mode=${3:-}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
python3 -c "import sys; d = open(sys.argv[1], 'rb').read(); open(sys.argv[2], 'wb').write(d + bytes(4 * 1024 * 1024 - len(d)))" "$boot" "$dir/disk.img"
cp "$dir/disk.img" "$dir/original"
snap=""
[ "$mode" = snapshot ] && snap=-snapshot
"$jitpc" -nographic -serial "file:$dir/serial" -hda "$dir/disk.img" $snap --max-insns 2000000000 </dev/null >/dev/null 2>"$dir/err" &
pid=$!
i=0
until grep -aq "FLUSHED\|ATA FAIL" "$dir/serial" 2>/dev/null; do
    i=$((i + 1))
    if [ $i -gt 600 ] || ! kill -0 $pid 2>/dev/null; then echo "FAIL: no FLUSHED on COM1"; cat "$dir/err"; exit 1; fi
    sleep 0.1
done
kill -TERM $pid
status=0
wait $pid || status=$?
if grep -aq "ATA FAIL" "$dir/serial"; then echo "FAIL: $(grep -a 'ATA FAIL' "$dir/serial")"; exit 1; fi
echo "jitpc exited with status $status after SIGTERM"
[ $status -eq 143 ] || { echo "FAIL: expected status 143 (128 + SIGTERM)"; cat "$dir/err"; exit 1; }
if [ "$mode" = snapshot ]; then
    cmp "$dir/disk.img" "$dir/original" && echo "PASS: -snapshot left the image unchanged"
    exit
fi
python3 - "$dir/disk.img" <<'PY'
import sys
d = open(sys.argv[1], 'rb').read()
assert d[100 * 512:101 * 512] == b'\xc3' * 512, 'PIO sector (LBA 100) not in the image'
assert d[101 * 512:103 * 512] == b'\x3c' * 1024, 'DMA sectors (LBA 101-102) not in the image'
print('PASS: the PIO and DMA writes are in the image')
PY
