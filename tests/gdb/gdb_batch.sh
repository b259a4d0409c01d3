#!/bin/sh
# gdb_batch.sh JITPC ROM: Debian's gdb, in batch mode, against jitpc's GDB stub (-gdb tcp::0 -S)
# on tests/gdb/gdb_rom.asm: gdb must accept our target.xml, stop at a hardware breakpoint, a
# write watchpoint (with old and new value) and a software breakpoint, step, read memory through
# the guest's page tables, show the x87 stack, write guest memory and see the guest exit with the
# value it wrote. Skips (77) without /usr/bin/gdb.
jitpc="$1"
rom="$2"
. "$(dirname "$0")/launch.sh"

timeout 60 "$gdb" -batch -nx \
    -ex 'set architecture i386' \
    -ex "target remote 127.0.0.1:$port" \
    -ex 'info registers eip cs' \
    -ex 'hbreak *0xf0400' \
    -ex 'continue' \
    -ex 'info registers eip cr0 cr3' \
    -ex 'x/wx 0x400010' \
    -ex 'watch *(int*)0x400020' \
    -ex 'continue' \
    -ex 'stepi' \
    -ex 'info registers eip' \
    -ex 'break *0xf0500' \
    -ex 'continue' \
    -ex 'p $st0' \
    -ex 'delete' \
    -ex 'set var *(char*)0x800600 = 5' \
    -ex 'continue' >"$dir/out" 2>&1
cat "$dir/out"
fail=0
expect() {
    if grep -qE "$1" "$dir/out"; then
        echo "ok   $2"
    else
        echo "FAIL $2 (no line matching: $1)"
        fail=1
    fi
}
expect '^eip +0xfff0 ' 'reset EIP'
expect '^cs +0xf000 ' 'reset CS'
expect '^Breakpoint 1, 0x000f0400' 'hardware breakpoint'
expect '^cr0 +0xe0000011 ' 'CR0 (PG, CD, NW, ET, PE) through target.xml'
expect '^cr3 +0x100000 ' 'CR3'
expect '^0x400010:.0xa5a5a5a5' 'memory read through the page tables'
expect '^New value = 1515870810' 'write watchpoint'
expect '^eip +0xf040c ' 'stepi over FNINIT (2 bytes)'
expect '^Breakpoint 3, 0x000f0500' 'software breakpoint'
expect '^\$1 = 3.14159265358979' 'x87 ST0'
expect 'exited with code 05' 'memory write reaches the guest, exit reply'
wait "$pid"
status=$?
pid=
[ "$status" -eq 5 ] && echo "ok   jitpc exit status 5" || { echo "FAIL jitpc exit status $status, expected 5"; fail=1; }
exit $fail
