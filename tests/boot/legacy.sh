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
    timeout 600 "$jitpc" -display none -serial none -fda "$img" -snapshot --max-insns "${LIMIT:-20000000000}" --stats "$@" \
        </dev/null >"$dir/out" 2>"$dir/err"
    status=$?
    count=$(sed -n 's/.* after \([0-9]*\) instructions.*/\1/p' "$dir/err" | head -1)
    cpu=$(sed -n 's/^jitpc: stats: cpu //p' "$dir/err")
    if [ $status -ne 0 ] || ! grep -q "the screen shows" "$dir/err"; then
        echo "FAIL: $name: exit status $status: $(cat "$dir/err")"
        exit 1
    fi
    echo "$name: reached after $count instructions"
}

# twice NAME ARGS...: run, twice; the two counts must agree (issue 11 acceptance 5). The first
# run translates with the JIT, the second interprets: the same instructions either way
# (DESIGN.md "Determinism").
twice() {
    run "$@" --jit=on
    first=$count first_cpu=$cpu
    run "$@" --jit=off
    if [ "$count" != "$first" ] || [ "$cpu" != "$first_cpu" ]; then
        echo "FAIL: $1: not deterministic: JIT: $first instructions, $first_cpu"
        echo "                           interpreter: $count instructions, $cpu"
        exit 1
    fi
    echo "  same registers both times: $cpu"
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
PNGREAD_DIR=$(dirname "$0")
export PNGREAD_DIR
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
    # s gives the shell. The install ramdisk has no sysctl (its crunched binary holds sh, mount,
    # ifconfig, ls, ...), so mount stands in: it prints the kernel's mount table. The question's
    # count was reached twice above; this step runs once to keep the suite short.
    LIMIT=$((ask + 1500000000)) run "shell answers mount" --keys-at "$ask" 's\n' \
        --keys-at "$((ask + 200000000))" 'mount\n' --exit-on-screen '/dev/rd0a on / type ffs'
    ;;
kolibrios)
    # SOURCE.md: the boot menu times out by itself, then the kernel sets a VESA LFB mode and
    # AUTORUN.DAT starts @PANEL, @ICON and PALITRA (a gradient background). It also starts
    # "@SS ASSM": after 15 minutes without input the screen saver types /sys/macros.inc in green
    # on black. HLT skips virtual time to the next timer tick, so those 15 minutes pass in about
    # 3e8 idle instructions (virtual 913 s at 5e8; QEMU with -icount sleep=off does the same).
    # Hence the screenshot at 3e8: the desktop is up by 2.5e8 (virtual 69 s), the saver starts
    # near 4.9e8. A graphics screen with no text mode, so the check reads the PNG: the panel is
    # a band 12-60 rows high at the bottom whose rows each have one colour on at least half of
    # the width (and buttons or text besides), above it the desktop is not blank (a gradient:
    # many colours, none on 90%, under half black - the screen saver is mostly black).
    n=300000000
    for i in 1 2; do
        timeout 600 "$jitpc" -display none -serial none -fda "$img" -snapshot \
            --screenshot-at "$n" "$dir/desk$i.png" --max-insns "$((n + 1))" </dev/null >/dev/null 2>"$dir/err"
        if [ ! -s "$dir/desk$i.png" ]; then
            echo "FAIL: no screenshot after $n instructions: $(cat "$dir/err")"; exit 1
        fi
    done
    if ! cmp -s "$dir/desk1.png" "$dir/desk2.png"; then
        echo "FAIL: not deterministic: two runs show different screens after $n instructions"; exit 1
    fi
    python3 - "$dir/desk1.png" <<'EOF' || exit 1
import os, sys
from collections import Counter
sys.path.insert(0, os.environ['PNGREAD_DIR'])
from pngread import read_png

w, h, rows = read_png(sys.argv[1])
dom = [Counter(r).most_common(1)[0] for r in rows]
top = h
while top > 0 and dom[top - 1][1] >= w // 2:
    top -= 1
band = h - top
panel = dom[h - band // 2][0]
print(f'{w}x{h}, bottom band of {band} rows, colour {panel.hex()}')
if w < 640 or h < 480:
    sys.exit(f'FAIL: {w}x{h} is not a graphics mode')
if not 12 <= band <= 60:
    sys.exit('FAIL: no panel: the bottom rows are not a band of one background colour 12-60 rows high')
if sum(p != dom[y][0] for y in range(top, h) for p in rows[y]) < band * w // 100:
    sys.exit('FAIL: the panel band holds no buttons or text')
desk = Counter(p for r in rows[:top] for p in r)
common, n = desk.most_common(1)[0]
black = desk.get(b'\0\0\0', 0)
print(f'desktop: {len(desk)} colours, most common {common.hex()} on {100 * n // (w * top)}%, black {100 * black // (w * top)}%')
if n * 10 >= w * top * 9 or len(desk) < 16 or black * 2 >= w * top:
    sys.exit('FAIL: the desktop above the panel is blank (or the screen saver is running)')
EOF
    echo "desktop with panel after $n instructions, the same in both runs"
    # The mouse: -display sdl on a virtual X server, the monitor stops the machine at the
    # desktop, xdotool clicks into the window (the grabbing click is not the guest's) and moves
    # the mouse 10 times by (+10, -5) (X: y grows downwards). The guest's cursor must have moved
    # right and up, twice as far right as up (a PS/2 packet counts y upwards: IBM PS/2 Hardware
    # Interface Technical Reference, mouse data report). Skipped without Xvfb and xdotool.
    if command -v Xvfb >/dev/null 2>&1 && command -v xdotool >/dev/null 2>&1; then
        x=$(( ($$ % 400) + 500 ))
        while [ -e /tmp/.X11-unix/X$x ] || [ -e /tmp/.X$x-lock ]; do x=$((x + 1)); done
        Xvfb :$x -screen 0 1280x1024x24 -nolisten tcp >"$dir/xvfb.log" 2>&1 &
        xpid=$! jpid=
        trap 'kill $jpid $xpid 2>/dev/null; rm -rf "$dir"' EXIT
        export DISPLAY=:$x
        i=0
        until xdotool getmouselocation >/dev/null 2>&1; do
            i=$((i + 1)); [ $i -gt 100 ] && { echo "FAIL: Xvfb :$x did not start"; exit 1; }
            sleep 0.1
        done
        mkfifo "$dir/mon"
        timeout 300 "$jitpc" -display sdl -serial none -fda "$img" -snapshot -monitor stdio \
            <"$dir/mon" >"$dir/mon.out" 2>&1 &
        jpid=$!
        exec 3>"$dir/mon"
        printf 'step %s\nscreendump %s\n' "$n" "$dir/before.png" >&3
        i=0
        until grep -q 'screendump' "$dir/mon.out" && [ -s "$dir/before.png" ]; do
            i=$((i + 1)); [ $i -gt 3000 ] && { echo "FAIL: the monitor did not stop at $n"; exit 1; }
            sleep 0.1
        done
        sleep 0.5
        wid=$(xdotool search --name '^jitpc' | head -1)
        xdotool mousemove --window "$wid" 100 100 click 1
        sleep 0.3
        echo 'step 1000000' >&3   # SDL takes the grabbing click while the machine runs
        sleep 1
        for i in 1 2 3 4 5 6 7 8 9 10; do xdotool mousemove_relative -- 10 -5; sleep 0.05; done
        sleep 0.5
        printf 'step 5000000\nscreendump %s\nquit\n' "$dir/after.png" >&3
        exec 3>&-
        wait $jpid
        python3 - "$dir/before.png" "$dir/after.png" <<'EOF' || { cat "$dir/mon.out"; exit 1; }
import os, sys
from collections import Counter
sys.path.insert(0, os.environ['PNGREAD_DIR'])
from pngread import read_png

w, h, before = read_png(sys.argv[1])
w2, h2, after = read_png(sys.argv[2])
# Pixels that changed above the panel (its clock may tick): the cursor where it was and where
# it is now. Group them into blobs (8-neighbours, gaps up to 3 pixels); a blob's top-left
# corner is the arrow's tip.
diff = {(x, y) for y in range(h - 60) for x in range(w) if before[y][x] != after[y][x]}
blobs = []
while diff:
    todo, blob = [diff.pop()], []
    while todo:
        x, y = todo.pop()
        blob.append((x, y))
        for dx in range(-3, 4):
            for dy in range(-3, 4):
                if (x + dx, y + dy) in diff:
                    diff.remove((x + dx, y + dy))
                    todo.append((x + dx, y + dy))
    blobs.append((min(p[1] for p in blob), min(p[0] for p in blob), len(blob)))
print('changed blobs (top, left, pixels):', blobs)
if len(blobs) != 2:
    sys.exit('FAIL: the mouse move should show as the cursor leaving one place for another')
(ny, nx, _), (oy, ox, _) = sorted(blobs)   # by top row: the new place should be the higher one
mx, my = nx - ox, oy - ny
if not (my >= 20 and 1.5 * my <= mx <= 2.5 * my):
    sys.exit(f'FAIL: the cursor tips are at ({ox},{oy}) and ({nx},{ny}): not a move right and up by 2:1')
print(f'the cursor moved from ({ox},{oy}) to ({nx},{ny})')
EOF
    else
        echo "mouse: not checked (no Xvfb or xdotool)"
    fi
    ;;
esac
echo "PASS: $case"
