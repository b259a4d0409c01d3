#!/bin/sh
# --trace-regs with --trace-start 10 --trace-count 5 writes exactly the lines of instructions
# 10..14, in the normalized format of ../shared/tools/README.md.
jitpc="$1"
out=$(mktemp) || exit 99
trap 'rm -f "$out"' EXIT
"$jitpc" -M test --trace-regs "$out" --trace-start 10 --trace-count 5 >/dev/null || exit 1
idx=$(awk '{printf "%s ", $1}' "$out")
[ "$idx" = "10 11 12 13 14 " ] || { echo "FAIL: indexes '$idx'"; exit 1; }
grep -Eqv '^[0-9]+ [0-9a-f]{4}:[0-9a-f]{8}( (eax|ebx|ecx|edx|esi|edi|ebp|esp|efl)=[0-9a-f]{8}){9}$' "$out" &&
    { echo "FAIL: a line is not in the normalized format"; cat "$out"; exit 1; }
echo "trace-window: 1 passed, 0 failed"
