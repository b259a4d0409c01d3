#!/bin/sh
# Drives the monitor and the traces non-interactively (tests/monitor/meson.build).
#   run.sh JITPC MON_ROM PM_ROM WHICH
# WHICH: monitor (real-mode ROM), paging (protected mode with paging), trace, profile.
# Expected values come from the ROMs' own code (mon.asm, pm.asm) and the reset state of SDM
# Vol.3 9.1.1 (CS=F000 base FFFF0000, EIP=FFF0); disassembly is capstone's Intel syntax.
set -u
jitpc=$1 mon=$2 pm=$3 which=$4
out=$(mktemp) trace=$(mktemp)
trap 'rm -f "$out" "$trace"' EXIT
fails=0

expect() {   # expect TEXT: a line of the output contains TEXT
    if ! grep -qF -- "$1" "$out"; then
        echo "FAIL $which: expected a line containing: $1"
        fails=$((fails + 1))
    fi
}
expect_not() {
    if grep -qF -- "$1" "$out"; then
        echo "FAIL $which: unexpected: $1"
        fails=$((fails + 1))
    fi
}
status_is() {
    if [ "$1" != "$2" ]; then
        echo "FAIL $which: exit status $1, expected $2"
        fails=$((fails + 1))
    fi
}

case $which in
monitor)
    printf '%s\n' 'info registers' 'step 3' 'info registers' 'disas 0xffff0 2' 'x /4xb 0xffff0' \
        'break 0xf0010' 'cont' 'info registers' 'watch 0x500 2' 'cont' 'x /1xh 0x500' 'xp /2xb 0x500' \
        'x/3i $pc' 'info pic' 'info pit' 'info irq' 'info mem' 'info blocks' 'info break' 'delete 0x500' \
        'info break' 'bogus' 'cont' 'info registers' |
        "$jitpc" -M test -monitor stdio -bios "$mon" >"$out" 2>&1
    status_is $? 0
    # the reset state, before anything ran (SDM Vol.3 9.1.1)
    expect 'CS =f000 ffff0000 0000ffff'
    expect 'EIP=0000fff0'
    expect '=> 0xfffffff0:  ea 00 00 00 f0           ljmp 0xf000:0'
    # step 3: jmp far (5 bytes, EIP -> 0), mov ax (3), mov bx (3)
    expect 'at f000:00000006 (linear 0x000f0006), 3 instructions executed'
    expect 'EAX=00001234 EBX=00005678'
    expect 'CS =f000 000f0000 0000ffff'
    expect '=> 0x000f0006:  01 d8                    add ax, bx'
    expect '   0x000ffff0:  ea 00 00 00 f0           ljmp 0xf000:0'
    expect '   0x000ffff5:  f4                       hlt'
    expect '000ffff0: 0xea 0x00 0x00 0x00'
    # the breakpoint after the loop: 13 instructions, CX counted down, 0x1234 + 0x5678 in AX
    expect 'breakpoint at 0x000f0010'
    expect 'at f000:00000010 (linear 0x000f0010), 13 instructions executed'
    expect 'EAX=000068ac EBX=00005678 ECX=00000000'
    # the watchpoint stops after the write
    expect 'watchpoint: write at 0x00000500'
    expect 'at f000:00000015 (linear 0x000f0015), 15 instructions executed'
    expect '00000500: 0x68ac'
    expect '00000500: 0xac 0x68'
    expect '   0x000f0017:  e6 f4                    out 0xf4, al'
    expect 'no PIC on this machine'
    expect 'no PIT on this machine'
    expect 'paging is off'
    expect 'blocks translated now'
    expect 'watchpoint (write) at 0x00000500, 2 bytes'
    expect 'deleted 1 at 0x00000500'
    expect "unknown command 'bogus'"
    expect 'guest exited with status 0'
    # the run ended with the guest: the last 'info registers' (ESI set at 0010) never runs
    expect_not 'ESI=000068ac'
    ;;
help)
    cmds='help info x xp disas step cont break watch delete trace quit'
    for c in $cmds; do printf 'help %s\n' "$c"; done | "$jitpc" -M test -monitor stdio -bios "$mon" >"$out" 2>&1
    status_is $? 0
    expect_not 'no command'
    for c in $cmds; do expect "(jitpc) help $c"; done
    for i in registers cpu gdt idt ldt tss tlb mem pic pit irq blocks; do expect "  info $i "; done
    ;;
paging)
    printf '%s\n' 'break 0xf0100' 'cont' 'info cpu' 'info gdt' 'info idt' 'info ldt' 'info tss' 'info mem' \
        'x /1xw 0x200000' 'x /2xw 0x400010' 'x /1xw 0x800000' 'xp /1xw 0x2000' 'info tlb' 'disas $pc 2' \
        'step' 'info registers' 'quit' |
        "$jitpc" -M test -monitor stdio -bios "$pm" >"$out" 2>&1
    status_is $? 0
    expect 'breakpoint at 0x000f0100'
    expect 'protected mode, 32-bit code, CPL 0, paging on, PSE'
    expect '0008: 00cf9b00 0000ffff  base=00000000 limit=ffffffff dpl=0 code32 readable accessed'
    expect '0010: 00cf9300 0000ffff  base=00000000 limit=ffffffff dpl=0 data rw big accessed'
    expect '0018: 00008b00 30000067  base=00003000 limit=00000067 dpl=0 tss32 busy'
    expect '0020: 00009a0f 0000ffff  base=000f0000 limit=0000ffff dpl=0 code16 readable'
    expect '  03: interrupt gate32 sel=0008 off=000f010b dpl=0 P'
    expect 'LDT: null selector'
    expect 'ss0:esp0=0010:00009000'
    # pm.asm's page tables: the first MiB supervisor rw, one user page, one 4 MiB read-only user page
    expect '00000000-000fffff -> 00000000       1024 KiB  -rw'
    expect '00200000-00200fff -> 00002000          4 KiB  urw'
    expect '00400000-007fffff -> 00800000       4096 KiB  ur-'
    expect '00200000: 0xcafebabe'
    expect '00400010: 0x12345678 0x00000000'
    expect 'cannot access memory at 0x00800000'
    expect '00002000: 0xcafebabe'
    expect 'sup  00200000 -> 00002000'
    expect '32-bit code (from CS)'
    expect '=> 0x000f0100:  8b 1d 10 00 40 00        mov ebx, dword ptr [0x400010]'
    expect 'EAX=cafebabe EBX=12345678'
    expect 'EIP=000f0106'
    ;;
trace)
    "$jitpc" -M test -bios "$mon" --trace "$trace" >"$out" 2>&1
    status_is $? 0
    cp "$trace" "$out"
    lines=$(wc -l <"$out")
    [ "$lines" -eq 17 ] || { echo "FAIL trace: $lines lines, expected 17 (mon.asm runs 17 instructions)"; fails=$((fails + 1)); }
    expect '0 f000:0000fff0  ljmp 0xf000:0'
    expect '1 f000:00000000  mov ax, 0x1234                          ; eax=00001234'
    expect '3 f000:00000006  add ax, bx                              ; eax=000068ac'
    expect '6 f000:0000000c  loop 0xb                                ; ecx=00000002'
    expect '14 f000:00000012  mov word ptr [0x500], ax'
    expect '16 f000:00000017  out 0xf4, al'
    # QEMU's spelling gives the same lines; the filter keeps the loop's six instructions
    "$jitpc" -M test -bios "$mon" -d in_asm -D "$trace" --trace-range 0xf000b-0xf000c >/dev/null 2>&1
    status_is $? 0
    cp "$trace" "$out"
    lines=$(wc -l <"$out")
    [ "$lines" -eq 6 ] || { echo "FAIL trace-range: $lines lines, expected 6"; fails=$((fails + 1)); }
    expect '10 f000:0000000c  loop 0xb                                ; ecx=00000000'
    "$jitpc" -M test -bios "$mon" --trace "$trace" --trace-cpl 3 >/dev/null 2>&1
    [ ! -s "$trace" ] || { echo "FAIL trace-cpl: real mode runs at CPL 0, yet lines were traced"; fails=$((fails + 1)); }
    # and the monitor's trace on|off, printed in order with the monitor's output
    printf '%s\n' 'step' 'trace on' 'step 2' 'trace off' 'step' 'quit' |
        "$jitpc" -M test -monitor stdio -bios "$mon" >"$out" 2>&1
    expect '1 f000:00000000  mov ax, 0x1234                          ; eax=00001234'
    expect '2 f000:00000003  mov bx, 0x5678                          ; ebx=00005678'
    expect_not '3 f000:00000006  add ax, bx'
    ;;
profile)
    "$jitpc" -M test -bios "$mon" --profile >"$out" 2>&1
    status_is $? 0
    expect 'jitpc: profile: 17 instructions in 3 blocks'
    # the loop body is entered twice by LOOP and runs 10 instructions to the exit
    expect '  0x000f000b           10  58.8%          2  inc dx'
    expect '  mov                     6  35.3%'
    expect '  loop                    3  17.6%'
    ;;
*)
    echo "run.sh: unknown test $which"
    exit 2
    ;;
esac
if [ "$fails" -ne 0 ]; then
    echo "--- output ---"
    cat "$out"
    exit 1
fi
echo "PASS $which"
