#!/bin/sh
# SeaBIOS boots tests/disk/payload.asm from a hard disk, a floppy or an El Torito CD; the payload
# reads its disk through INT 13h and checks the contents (CHS, and EDD LBA on disks and CDs).
# On the hard disk it also writes unit 300 with INT 13h AH=43h: the test then finds that sector
# in the image file, and with -snapshot finds the file unchanged.
# Usage: disk_boot.sh JITPC PAYLOAD MKIMAGE KIND   (KIND: hdd, hdd-snapshot, hdd-drive (the same
# disk given with -drive), floppy, floppy720, cd)
set -eu
jitpc=$1 payload=$2 mkimage=$3 kind=$4
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
case $kind in
    hdd|hdd-snapshot) img=$dir/disk.img; python3 "$mkimage" "$payload" hdd "$img"; flags="-hda $img" ;;
    hdd-drive) img=$dir/disk.img; python3 "$mkimage" "$payload" hdd "$img"
        flags="-drive file=$img,if=ide,index=0,media=disk,format=raw" ;;
    floppy|floppy720) img=$dir/floppy.img; python3 "$mkimage" "$payload" "$kind" "$img"; flags="-fda $img -boot a" ;;
    cd) img=$dir/cd.iso; python3 "$mkimage" "$payload" cd "$img"; flags="-cdrom $img -boot d" ;;
    *) echo "unknown kind $kind"; exit 2 ;;
esac
[ "$kind" = hdd-snapshot ] && flags="$flags -snapshot"
cp "$img" "$dir/original"
# shellcheck disable=SC2086 # $flags is a list of words
"$jitpc" -nographic -serial "file:$dir/serial" $flags --exit-on-serial "PAYLOAD DONE" \
    --max-insns 400000000 </dev/null >/dev/null 2>"$dir/err" || { echo "FAIL: jitpc exited $?"; cat "$dir/err"; tail -c 2000 "$dir/serial"; exit 1; }
tr -d '\r' <"$dir/serial" | grep -a PAYLOAD || true
if grep -aq "PAYLOAD FAIL" "$dir/serial"; then echo "FAIL: the payload reported an error"; exit 1; fi
want="PAYLOAD CHS OK"
case $kind in cd) want="PAYLOAD LBA OK" ;; hdd*) want="PAYLOAD WRITE OK" ;; esac
grep -aq "$want" "$dir/serial" || { echo "FAIL: no '$want' on COM1"; exit 1; }
case $kind in
    hdd|hdd-drive)
        # Unit 300 holds 512 bytes of 0x5A (written by the guest); every other byte is as built.
        python3 - "$img" "$dir/original" <<'PY'
import sys
new, old = open(sys.argv[1], 'rb').read(), open(sys.argv[2], 'rb').read()
assert new[300 * 512:301 * 512] == b'\x5a' * 512, 'unit 300 was not written'
assert new[:300 * 512] == old[:300 * 512] and new[301 * 512:] == old[301 * 512:], 'other sectors changed'
print('PASS: the guest write reached the image, nothing else changed')
PY
        ;;
    hdd-snapshot)
        cmp "$img" "$dir/original" && echo "PASS: -snapshot left the image unchanged" ;;
    *) echo "PASS: $want" ;;
esac
