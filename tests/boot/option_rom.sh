#!/bin/sh
# -option-rom: SeaBIOS (fw_cfg genroms/) runs the ROM's init entry during POST; the ROM writes a
# line to the debug console (port 0x402). Usage: option_rom.sh JITPC ROM
set -e
jitpc=$1 rom=$2
log=$(mktemp)
trap 'rm -f "$log"' EXIT
"$jitpc" -nographic -serial none -debugcon "file:$log" -option-rom "$rom" --max-insns 30000000 </dev/null >/dev/null || true
if grep -q "jitpc option ROM ran" "$log"; then
    echo "PASS: the option ROM ran during POST"
else
    echo "FAIL: the option ROM's line is not in the debug log:"; tail -20 "$log"; exit 1
fi
