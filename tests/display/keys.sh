#!/bin/sh
# Scripted input (issue 11) into tests/display/keyrom.asm, which prints the first six bytes it
# reads from the 8042 (scan code set 1, SeaBIOS leaves translation on). Expected codes: IBM set 1
# (Microsoft Keyboard Scan Code Specification 1.3a, Appendix C): a 1E/9E, b 30/B0, Enter 1C/9C,
# Up E0 48/E0 C8, left Shift 2A/AA, left Ctrl 1D, left Alt 38.
# Timing (frontends/display.h): a key's break follows its make by 1 ms, the next key starts 20 ms
# later, at --ips 100 M/s 100,000 and 2,000,000 instructions; --keys starts at 1 s of virtual time.
# Usage: keys.sh JITPC ROM
jitpc=$1 rom=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

run() {   # run NAME ARGS...: the debug console log in $dir/NAME.log, the instruction count in $dir/NAME.n
    name=$1; shift
    "$jitpc" -display none -serial none -debugcon "file:$dir/$name.log" -option-rom "$rom" -device isa-debug-exit \
        --max-insns 400000000 --stats "$@" >"$dir/$name.out" 2>&1
    status=$?
    [ $status = 1 ] || { cat "$dir/$name.out"; fail "$name: exit status $status, expected 1 (isa-debug-exit 0)"; }
    sed -n 's/.*stats: instructions \([0-9]*\),.*/\1/p' "$dir/$name.out" >"$dir/$name.n"
    grep "^keys: " "$dir/$name.log" | tr -s ' ' | sed 's/ *$//' >"$dir/$name.keys"
}
expect() {   # expect NAME "BYTES" MIN MAX: the bytes, and the ROM done between instructions MIN and MAX
    got=$(cat "$dir/$1.keys") n=$(cat "$dir/$1.n")
    [ "$got" = "keys: $2" ] || fail "$1: got '$got', expected 'keys: $2'"
    [ "$n" -ge "$3" ] && [ "$n" -lt "$4" ] || fail "$1: ended at instruction $n, expected $3..$4"
    echo "ok: $1: $got (instruction $n)"
}

# --keys "ab\n": starts at 1 s = instruction 100,000,000; the last break (Enter) at 1.043 s.
run keys1 --keys 'ab\n'
expect keys1 "1E 9E 30 B0 1C 9C" 104300000 104400000
run keys2 --keys 'ab\n'
cmp -s "$dir/keys1.log" "$dir/keys2.log" || fail "two runs gave different debug logs"
cmp -s "$dir/keys1.n" "$dir/keys2.n" || fail "two runs ended at different instructions"
echo "ok: two runs: identical logs, both end at instruction $(cat "$dir/keys1.n")"

# --keys-at N with a named key and a shifted letter: Up at 10,000,000, Shift+A from 22 ms on.
run at --keys-at 10000000 '<up>A'
expect at "E0 48 E0 C8 2A 1E" 12200000 12300000

# The monitor's sendkey queues chords one after the other.
printf 'step 10000000\nsendkey shift-a\nsendkey ctrl-alt-delete\ncont\n' |
    "$jitpc" -display none -serial none -debugcon "file:$dir/mon.log" -option-rom "$rom" -device isa-debug-exit \
        -monitor stdio >"$dir/mon.out" 2>&1
got=$(grep "^keys: " "$dir/mon.log" | tr -s ' ' | sed 's/ *$//')
[ "$got" = "keys: 2A 1E 9E AA 1D 38" ] || { cat "$dir/mon.out"; fail "sendkey: got '$got', expected 'keys: 2A 1E 9E AA 1D 38'"; }
echo "ok: sendkey shift-a, ctrl-alt-delete: $got"

# Bad scripts are usage errors.
"$jitpc" -display none --keys '<nosuchkey>' >/dev/null 2>"$dir/err"; s=$?
[ $s = 1 ] && grep -q nosuchkey "$dir/err" || fail "--keys '<nosuchkey>': status $s, $(cat "$dir/err")"
echo "PASS"
