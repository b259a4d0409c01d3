#!/bin/sh
# Issue 10, acceptance 2: the Debian kernel boots from a disk like a PC's: SeaBIOS -> GRUB in the
# MBR -> Linux from an ext2 partition, through the IDE controller (ata_piix). The guest mounts the
# partition read-write as its root, writes /jitpc-was-here, syncs and powers off (HLT with
# interrupts disabled: jitpc exits 0). The test then reads the file out of the image with debugfs
# (e2fsprogs), an independent reader of the file system.
# Needs the disk: `sh tools/mkguest-disk.sh build/guest` (tools/bootstrap.sh builds it); skipped
# without it. Usage: linux_disk.sh JITPC SOURCE_ROOT
set -u
jitpc=$1 src=$2
guest=${JITPC_GUEST:-$src/build/guest}
if [ ! -r "$guest/disk.img" ]; then
    echo "SKIP: no $guest/disk.img (build it with: sh tools/mkguest-disk.sh $guest)"
    exit 77
fi
command -v debugfs >/dev/null || { echo "SKIP: debugfs (e2fsprogs) is missing"; exit 77; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cp "$guest/disk.img" "$dir/disk.img"
start=$(date +%s)
timeout 900 "$jitpc" -m 128 -nographic -no-reboot -serial "file:$dir/serial" -hda "$dir/disk.img" \
    --max-insns 30000000000 </dev/null >/dev/null 2>"$dir/err"
status=$?
echo "jitpc exited $status after $(( $(date +%s) - start )) s: $(cat "$dir/err")"
tr -d '\r' <"$dir/serial" | grep -a "jitpc-disk" || true
if [ $status -ne 0 ]; then echo "FAIL: exit status $status"; tail -c 3000 "$dir/serial"; exit 1; fi
grep -aq "jitpc-disk: root is /dev/sda1 / ext[24] rw" "$dir/serial" || { echo "FAIL: the root is not /dev/sda1 read-write"; tail -c 3000 "$dir/serial"; exit 1; }
# The partition starts at sector 2048 (tools/mkguest-disk.sh); debugfs reads it from a copy.
dd if="$dir/disk.img" of="$dir/part.img" bs=1M skip=1 status=none
debugfs -R "cat /jitpc-was-here" "$dir/part.img" >"$dir/file" 2>/dev/null
echo "debugfs: /jitpc-was-here: $(cat "$dir/file")"
if grep -q "written by the guest on" "$dir/file"; then
    echo "PASS: the guest's file is in the image"
else
    echo "FAIL: /jitpc-was-here is not in the image"; exit 1
fi
