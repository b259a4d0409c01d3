#!/bin/sh
# -display sdl under a virtual X server: the window opens (titled "jitpc ..."), shows the
# 720x400 text mode at 4:3 (720x540), and keys typed into it by xdotool (XTEST, as a real
# keyboard) reach the guest's 8042 as the right scan codes. The guest is tests/display/keyrom.asm,
# an option ROM that prints the first six bytes it reads from port 0x60 on the debug console.
# Expected (IBM scan code set 1, which SeaBIOS's translating 8042 delivers; Microsoft Keyboard
# Scan Code Specification 1.3a, Appendix C): 'a' make 1E, break 9E; Up make E0 48, break E0 C8.
# Usage: xvfb_keys.sh JITPC ROM. Skipped (77) without Xvfb or xdotool.
jitpc=$1 rom=$2
for p in Xvfb xdotool; do
    if ! command -v $p >/dev/null 2>&1; then
        echo "SKIP: $p is not installed (Debian: apt-get install xvfb xdotool)"; exit 77
    fi
done
dir=$(mktemp -d)
xpid= jpid=
cleanup() {
    [ -n "$jpid" ] && kill "$jpid" 2>/dev/null
    [ -n "$xpid" ] && kill "$xpid" 2>/dev/null
    wait 2>/dev/null
    rm -rf "$dir"
}
trap cleanup EXIT
# A free display number: no socket and no lock file.
n=$(( ($$ % 400) + 100 ))
while [ -e /tmp/.X11-unix/X$n ] || [ -e /tmp/.X$n-lock ]; do n=$((n + 1)); done
Xvfb :$n -screen 0 1280x1024x24 -nolisten tcp >"$dir/xvfb.log" 2>&1 &
xpid=$!
export DISPLAY=:$n
i=0
until xdotool getmouselocation >/dev/null 2>&1; do
    i=$((i + 1)); [ $i -gt 100 ] && { echo "FAIL: Xvfb :$n did not start"; cat "$dir/xvfb.log"; exit 1; }
    sleep 0.1
done
log=$dir/debugcon.log
"$jitpc" -display sdl -serial none -debugcon "file:$log" -option-rom "$rom" -device isa-debug-exit \
    </dev/null >"$dir/out.log" 2>&1 &
jpid=$!
wait_for() {   # wait_for WHAT SECONDS COMMAND...
    what=$1 t=$(($2 * 10)); shift 2
    until "$@"; do
        t=$((t - 1))
        if [ $t -le 0 ] || ! kill -0 "$jpid" 2>/dev/null; then
            echo "FAIL: $what"; echo "--- jitpc:"; cat "$dir/out.log"; echo "--- debug console:"; tail -5 "$log"; exit 1
        fi
        sleep 0.1
    done
}
wait_for "no window named jitpc" 30 sh -c 'xdotool search --name "^jitpc" >"$0/wid" 2>/dev/null' "$dir"
wid=$(head -1 "$dir/wid")
echo "window $wid: $(xdotool getwindowname "$wid")"
# The option ROM polls the 8042 once SeaBIOS has set up the keyboard and the VGA (mode 3).
wait_for "the option ROM did not start" 60 grep -q "keyrom: polling" "$log"
# The window follows the frame within a 60 Hz frame time of the host; the mode is set by now.
geom() { xdotool getwindowgeometry "$wid" | sed -n 's/.*Geometry: //p'; }
wait_for "the 720x400 text mode should be shown at 4:3, 720x540 (window is $(geom))" 10 \
    sh -c '[ "$(xdotool getwindowgeometry "$0" | sed -n "s/.*Geometry: //p")" = 720x540 ]' "$wid"
echo "window size $(geom)"
# The window shows the frame: SeaBIOS's banner, grey text on black (the ROM spins below it).
wait_for "the window shows no text" 10 sh -c '[ "$(python3 "$0" "$1")" -gt 100 ]' "$(dirname "$0")/xbright.py" "$wid"
echo "window shows text: $(python3 "$(dirname "$0")/xbright.py" "$wid") light pixels (of every 4th)"
# The title carries the guest's speed, refreshed once a second, and the engine in use (the JIT by
# default): "jitpc - 75.2 MIPS - JIT".
wait_for "no MIPS figure and engine in the title ($(xdotool getwindowname "$wid"))" 10 \
    sh -c 'xdotool getwindowname "$0" | grep -Eq "^jitpc - [0-9.]+ MIPS - JIT$"' "$wid"
echo "title: $(xdotool getwindowname "$wid")"
xdotool windowfocus --sync "$wid" 2>/dev/null || xdotool windowfocus "$wid"
sleep 0.2
xdotool key --delay 50 a Up
wait_for "the ROM did not get six bytes" 30 grep -q "keyrom done" "$log"
wait "$jpid"; status=$?; jpid=
got=$(grep "^keys: " "$log" | tr -s ' ' | sed 's/ *$//')
echo "$got"
if [ "$got" != "keys: 1E 9E E0 48 E0 C8" ]; then
    echo "FAIL: expected keys: 1E 9E E0 48 E0 C8"; exit 1
fi
# isa-debug-exit: the ROM wrote 0, so jitpc exits with (0 << 1) | 1.
[ "$status" = 1 ] || { echo "FAIL: exit status $status, expected 1"; cat "$dir/out.log"; exit 1; }
echo "ok: window opened at 4:3, a and Up arrived as set 1 1E 9E, E0 48 E0 C8"

# Closing the window (the window manager's WM_DELETE_WINDOW) ends the run like Ctrl-A x: status 0.
disk=$dir/disk.img
dd if=/dev/zero of="$disk" bs=512 count=2048 2>/dev/null
"$jitpc" -display sdl -serial none -hda "$disk" </dev/null >"$dir/out.log" 2>&1 &
jpid=$!
wait_for "no window named jitpc (second run)" 30 sh -c 'xdotool search --name "^jitpc" >"$0/wid" 2>/dev/null' "$dir"
sleep 0.5
python3 "$(dirname "$0")/xclose.py" "$(head -1 "$dir/wid")"
t=100
while kill -0 "$jpid" 2>/dev/null && [ $t -gt 0 ]; do sleep 0.1; t=$((t - 1)); done
[ $t -gt 0 ] || { echo "FAIL: jitpc still runs after its window was closed"; exit 1; }
wait "$jpid"; status=$?; jpid=
[ "$status" = 0 ] || { echo "FAIL: closing the window: exit status $status, expected 0"; cat "$dir/out.log"; exit 1; }
echo "ok: closing the window exits with status 0"
echo "PASS"
