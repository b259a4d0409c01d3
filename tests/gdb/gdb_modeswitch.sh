#!/bin/sh
# gdb_modeswitch.sh JITPC ROM: Debian's gdb against roms/teach.bin (docs/teaching.md): six stepi
# from reset to the far jump that enters protected mode (real-mode breakpoints confuse gdb, which
# compares the linear breakpoint address with $pc = EIP), one stepi across the mode switch (CS
# becomes selector 8 and EIP the 32-bit target: SDM Vol.3 9.9.1), a breakpoint after paging is on,
# one stepi over the faulting load into the #PF handler with CR2 = 0x400000 and the frame
# {error code 0, EIP of the load, CS 8} on the stack (SDM Vol.3 4.7, 6.15), and gdb's
# "monitor" command reaching jitpc's monitor. Skips (77) without /usr/bin/gdb.
jitpc="$1"
rom="$2"
. "$(dirname "$0")/launch.sh"
timeout 60 "$gdb" -batch -nx \
    -ex 'set architecture i386' \
    -ex "target remote 127.0.0.1:$port" \
    -ex 'stepi 6' \
    -ex 'printf "before cs=%x eip=%x\n", $cs, $eip' \
    -ex 'stepi' \
    -ex 'printf "after cs=%x eip=%x\n", $cs, $eip' \
    -ex 'monitor info gdt' \
    -ex 'hbreak *0xf0071' -ex 'continue' \
    -ex 'stepi' \
    -ex 'printf "handler eip=%x cr2=%x\n", $eip, $cr2' \
    -ex 'x/3xw $esp' \
    -ex 'kill' >"$dir/out" 2>&1
status=0
for want in "before cs=f000 eip=10" "after cs=8 eip=f0018" "0008: 00cf9a00 0000ffff" \
            "handler eip=f0077 cr2=400000" "0x00000000	0x000f0071	0x00000008"; do
    grep -qF "$want" "$dir/out" || { echo "FAIL: '$want' not in gdb's output"; status=1; }
done
[ $status -eq 0 ] && echo "gdb-modeswitch: 1 passed, 0 failed" || cat "$dir/out"
exit $status
