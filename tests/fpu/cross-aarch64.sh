#!/bin/sh
# core/float80 on an aarch64 host, checked against answers recorded from this x86-64 host's x87
# (issue 5, acceptance 4): cross-builds the oracle test and the transcendental test for aarch64,
# records the host's answers with the x86-64 builds, replays them under qemu-aarch64-static.
# Needs gcc-aarch64-linux-gnu and qemu-user-static; meson runs it in the suite 'fpu-cross' when
# both are installed.
#   tests/fpu/cross-aarch64.sh X86_ORACLE_EXE X86_TRANSCENDENTAL_EXE OUTDIR [CASES]
set -eu
usage="usage: cross-aarch64.sh X86_ORACLE_EXE X86_TRANSCENDENTAL_EXE OUTDIR [CASES]"
oracle=${1:?$usage}
trans=${2:?$usage}
out=${3:?$usage}
cases=${4:-1200000}
src=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$out"
for t in test_float80_oracle test_transcendental; do
    aarch64-linux-gnu-gcc -std=c11 -O2 -Wall -Wextra -Werror -D_POSIX_C_SOURCE=200809L -static \
        -I"$src" -I"$src/core" -o "$out/$t.aarch64" "$src/tests/fpu/$t.c" "$src/core/float80.c"
done
status=0
"$oracle" -n "$cases" --record "$out/float80.rec" | tail -n 1
qemu-aarch64-static "$out/test_float80_oracle.aarch64" --replay "$out/float80.rec" || status=$?
rm -f "$out/float80.rec"
# the transcendentals: 10^5 inputs per function, so the floors apply as on the x86-64 host
"$trans" --record "$out/transcendental.rec" | tail -n 1
qemu-aarch64-static "$out/test_transcendental.aarch64" --replay "$out/transcendental.rec" || status=$?
rm -f "$out/transcendental.rec"
exit $status
