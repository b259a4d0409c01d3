#!/bin/sh
# SeaBIOS on the PC board (issue 6, acceptance 1 and 3): `jitpc -M pc -nographic` shows the
# SeaBIOS banner and reaches "No bootable device" on the terminal; the debug console log shows
# the PCI enumeration of the i440FX (8086:1237) and the PIIX3 (8086:7000) and the RAM size given
# with -m (128 MiB = 0x08000000); a second run gives a byte-identical log and terminal output and
# the same instruction count. The expected lines are SeaBIOS's own messages (src/fw/pciinit.c,
# src/fw/paravirt.c), not jitpc output.
jitpc="$1"
bios=/usr/share/seabios/bios.bin
[ -r "$bios" ] || { echo "SKIP: $bios not found (Debian package seabios)"; exit 77; }
dir=$(mktemp -d) || exit 99
trap 'rm -rf "$dir"' EXIT

run() {
    "$jitpc" -M pc -m 128 -nographic -no-reboot -debugcon "file:$dir/log$1" \
        --exit-on-serial "No bootable device" --max-insns 2000000000 --stats >"$dir/out$1" 2>"$dir/err$1"
    status=$?
    if [ "$status" -ne 0 ]; then
        echo "FAIL: run $1 exited with $status"; cat "$dir/err$1"; exit 1
    fi
}

expect() { # FILE TEXT
    if ! grep -qF "$2" "$1"; then
        echo "FAIL: '$2' not found in $(basename "$1")"; exit 1
    fi
}

run 1
expect "$dir/out1" "SeaBIOS (version"
expect "$dir/out1" "No bootable device"
expect "$dir/log1" "PCI: init bdf=00:00.0 id=8086:1237"
expect "$dir/log1" "PCI: init bdf=00:01.0 id=8086:7000"
expect "$dir/log1" "RamSize: 0x08000000"
if grep -qi "unhandled\|unimplemented" "$dir/err1"; then
    echo "FAIL: jitpc reported unhandled accesses"; cat "$dir/err1"; exit 1
fi
run 2
cmp -s "$dir/log1" "$dir/log2" || { echo "FAIL: the two SeaBIOS logs differ"; exit 1; }
cmp -s "$dir/out1" "$dir/out2" || { echo "FAIL: the two terminal outputs differ"; exit 1; }
n1=$(grep -o "instructions [0-9]*" "$dir/err1" | head -1)
n2=$(grep -o "instructions [0-9]*" "$dir/err2" | head -1)
[ -n "$n1" ] && [ "$n1" = "$n2" ] || { echo "FAIL: instruction counts differ: $n1 / $n2"; exit 1; }
echo "SeaBIOS reached 'No bootable device' after $n1, twice identically"
echo "seabios: 1 passed, 0 failed"
