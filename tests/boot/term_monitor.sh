#!/bin/sh
# -nographic's escape key: Ctrl-A c opens the monitor on the terminal (QEMU's spelling), a command
# runs and prints, Ctrl-A x quits with status 0. The PIC's vector bases are the ones SeaBIOS
# programs (08h master, 70h slave: the PC/AT assignment), read back through 'info pic'.
jitpc="$1"
[ -r /usr/share/seabios/bios.bin ] || { echo "SKIP: no SeaBIOS"; exit 77; }
err=$(mktemp) || exit 99
trap 'rm -f "$err"' EXIT
(sleep 1; printf '\001c'; sleep 0.3; printf 'info pic\r'; sleep 0.5; printf '\001x') |
    timeout 30 "$jitpc" -nographic 2>"$err" >/dev/null
status=$?
[ $status -eq 0 ] || { echo "FAIL: exit status $status"; cat "$err"; exit 1; }
grep -q "master: .*base=08" "$err" && grep -q "slave : .*base=70" "$err" && grep -q "terminated (Ctrl-A x)" "$err" ||
    { echo "FAIL: monitor output missing"; cat "$err"; exit 1; }
echo "term-monitor: 1 passed, 0 failed"
