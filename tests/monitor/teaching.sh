#!/bin/sh
# Replays docs/teaching.md's monitor session on roms/teach.bin and checks the lines it quotes.
# The expected values are the SDM's: the reset state (Vol.3 9.1.4), the descriptor cache after
# the far jump (Vol.3 3.4.5), and the #PF frame: error code 0, return EIP at the faulting
# instruction, CS, and CR2 = the faulting linear address (Vol.3 4.7, 6.15).
jitpc="$1"
rom="$2"
out=$(printf 'break 0xf0010\ncont\ninfo gdt\nstep\ninfo registers\nbreak 0xf0071\ncont\ninfo mem\nstep\nx /3xw $esp\ninfo registers\ncont\n' |
      "$jitpc" -M test -bios "$rom" -monitor stdio 2>&1)
status=0
for want in "ljmp 0xf000:0" "ljmp 8:0xf0018" "0008: 00cf9a00 0000ffff" "CS =0008 00000000 ffffffff 00c09b00" \
            "mov eax, dword ptr [0x400000]" "00000000-000fffff -> 00000000" \
            "00008ff0: 0x00000000 0x000f0071 0x00000008" "CR2=00400000" "page fault at CR2=0x00400000"; do
    case "$out" in
    *"$want"*) ;;
    *) echo "FAIL: '$want' not in the monitor output"; status=1 ;;
    esac
done
[ $status -eq 0 ] && echo "teaching: 1 passed, 0 failed" || echo "$out"
exit $status
