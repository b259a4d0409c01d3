#!/bin/sh
# core/float80 on an aarch64 host, checked against answers recorded from this x86-64 host's x87
# (issue 5, acceptance 3): cross-builds the oracle test for aarch64, records the host's answers
# with the x86-64 build, replays them under qemu-aarch64-static. Needs gcc-aarch64-linux-gnu and
# qemu-user-static; meson runs it in the suite 'fpu-cross' when both are installed.
#   tests/fpu/cross-aarch64.sh X86_ORACLE_EXE OUTDIR [CASES]
set -eu
oracle=${1:?usage: cross-aarch64.sh X86_ORACLE_EXE OUTDIR [CASES]}
out=${2:?usage: cross-aarch64.sh X86_ORACLE_EXE OUTDIR [CASES]}
cases=${3:-1200000}
src=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$out"
aarch64-linux-gnu-gcc -std=c11 -O2 -Wall -Wextra -Werror -D_POSIX_C_SOURCE=200809L -static \
    -I"$src" -I"$src/core" -o "$out/test_float80_oracle.aarch64" \
    "$src/tests/fpu/test_float80_oracle.c" "$src/core/float80.c"
"$oracle" -n "$cases" --record "$out/float80.rec" | tail -n 1
status=0
qemu-aarch64-static "$out/test_float80_oracle.aarch64" --replay "$out/float80.rec" || status=$?
rm -f "$out/float80.rec"
exit $status
