#!/bin/sh
# Issue 11: unmodified legacy floppy images boot (../shared/testdata/images, SOURCE.md there says
# what success looks like). Keys are typed with --keys-at at instruction counts and success is
# --exit-on-screen TEXT, which polls the text screen on virtual-clock events: so each run is
# deterministic, and every success point is reached twice and must be reached at the same
# instruction count. Usage: legacy.sh JITPC IMAGES_DIR CASE   (CASE: freedos-minimal,
# freedos-fdstd, openbsd, kolibrios)
set -u
jitpc=$1 images=$2 case=$3
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

# run NAME ARGS...: boots the case's image with ARGS until --exit-on-screen; sets $count to the
# instruction count at the success point (fails the test if the text never shows).
run() {
    name=$1; shift
    timeout 600 "$jitpc" -display none -serial none -fda "$img" -snapshot --max-insns 20000000000 "$@" \
        </dev/null >"$dir/out" 2>"$dir/err"
    status=$?
    count=$(sed -n 's/.* after \([0-9]*\) instructions.*/\1/p' "$dir/err" | head -1)
    if [ $status -ne 0 ] || ! grep -q "the screen shows" "$dir/err"; then
        echo "FAIL: $name: exit status $status: $(cat "$dir/err")"
        exit 1
    fi
    echo "$name: reached after $count instructions"
}

# twice NAME ARGS...: run, twice; the two counts must agree (issue 11 acceptance 5).
twice() {
    run "$@"
    first=$count
    run "$@"
    if [ "$count" != "$first" ]; then
        echo "FAIL: $1: not deterministic: $first then $count instructions"
        exit 1
    fi
}

# screen N FILE ARGS...: the text screen after N instructions.
screen() {
    n=$1 file=$2; shift 2
    timeout 600 "$jitpc" -display none -serial none -fda "$img" -snapshot "$@" --screen-text-at "$n" "$file" \
        --max-insns "$((n + 1))" </dev/null >/dev/null 2>"$dir/err"
}

expect() {   # expect FILE TEXT WHAT
    if ! grep -qF -- "$2" "$1"; then
        echo "FAIL: $3: \"$2\" is not on the screen:"; cat "$1"; exit 1
    fi
}

case $case in
freedos-minimal) img_name=freedos-minimal-1440k.img ;;
freedos-fdstd) img_name=freedos-fdstd144.img ;;
openbsd) img_name=openbsd-i386-floppy.img ;;
kolibrios) img_name=kolibrios-0.7.7-r4983.img ;;
*) echo "unknown case $case"; exit 2 ;;
esac
if [ ! -f "$images/$img_name" ]; then
    echo "SKIP: $images/$img_name is absent (../shared/testdata/images holds the legacy images)"
    exit 77
fi
img=$dir/$img_name
cp "$images/$img_name" "$img"

case $case in
freedos-minimal)
    # SOURCE.md: the kernel banner, then AUTOEXEC's cls and the A:\> prompt.
    twice "A:\\> prompt" --exit-on-screen 'A:\>'
    prompt=$count
    twice "ver and dir" --keys-at "$prompt" 'ver\ndir\n' --exit-on-screen 'bytes free'
    screen "$count" "$dir/screen" --keys-at "$prompt" 'ver\ndir\n'
    expect "$dir/screen" "FreeCom version 0.82" "ver"
    expect "$dir/screen" "KERNEL   SYS" "dir lists KERNEL.SYS"
    expect "$dir/screen" "COMMAND  COM" "dir lists COMMAND.COM"
    ;;
freedos-fdstd)
    # CONFIG.SYS asks four questions (DOS=HIGH, HIMEM, EMM386, UMBPCI): Y Y Y N. HIMEM reports
    # its XMS interface, EMM386 the EMS it provides; DOS then runs in virtual-8086 mode. The
    # disk has no MEM.EXE, so the drivers' own reports stand in for it, and the monitor checks
    # EFLAGS.VM at the prompt.
    twice "first CONFIG.SYS question" --exit-on-screen '[Y,N]?'
    ask=$count
    twice "HIMEM loaded" --keys-at "$ask" 'yyyn' --exit-on-screen 'Interface : XMS 2.00'
    twice "EMM386 loaded" --keys-at "$ask" 'yyyn' --exit-on-screen 'total available EMS'
    twice "A:\\> prompt" --keys-at "$ask" 'yyyn' --exit-on-screen 'A:\>'
    prompt=$count
    screen "$prompt" "$dir/screen" --keys-at "$ask" 'yyyn'
    expect "$dir/screen" "Welcome to FreeDOS" "AUTOEXEC ran"
    printf 'step %s\ninfo registers\nquit\n' "$prompt" | timeout 600 "$jitpc" -display none -serial none \
        -fda "$img" -snapshot --keys-at "$ask" 'yyyn' -monitor stdio >"$dir/mon" 2>&1
    efl=$(sed -n 's/.*EFL=\([0-9a-f]*\).*/\1/p' "$dir/mon" | tail -1)
    if [ -z "$efl" ] || [ $((0x$efl & 0x20000)) -eq 0 ]; then
        echo "FAIL: EFLAGS=$efl at the prompt: not in virtual-8086 mode"; exit 1
    fi
    echo "at the prompt EFLAGS=$efl: VM set, DOS runs in virtual-8086 mode under EMM386"
    ;;
openbsd)
    # SOURCE.md: autoconf messages, then the installer's question; s gives a shell.
    twice "installer question" --exit-on-screen '(S)hell?'
    ask=$count
    screen "$ask" "$dir/screen"
    expect "$dir/screen" "pciide0 at pci0" "autoconf found the IDE controller"
    expect "$dir/screen" "fdc0 at isa0" "autoconf found the floppy controller"
    twice "sysctl hw" --keys-at "$ask" 's\n' --keys-at "$((ask + 200000000))" 'sysctl hw\n' \
        --exit-on-screen 'hw.machine=i386'
    ;;
kolibrios)
    echo "FAIL: not automated yet"; exit 1
    ;;
esac
echo "PASS: $case"
