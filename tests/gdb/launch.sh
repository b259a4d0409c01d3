# Sourced by the gdb test scripts: with $jitpc and $rom set, starts jitpc's GDB stub on a free port
# (-gdb tcp::0 -S), stopped at reset, and sets $gdb, $dir (a temporary directory, removed at exit)
# and $port. Skips (77) without /usr/bin/gdb or timeout(1).
gdb=/usr/bin/gdb
[ -x "$gdb" ] || { echo "SKIP: no $gdb"; exit 77; }
command -v timeout >/dev/null || { echo "SKIP: no timeout(1)"; exit 77; }
dir=$(mktemp -d) || exit 99
pid=
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null
    rm -rf "$dir"
}
trap cleanup EXIT
"$jitpc" -M test -no-reboot -bios "$rom" -gdb tcp::0 -S >/dev/null 2>"$dir/err" &
pid=$!
port=
for _ in $(seq 50); do
    port=$(sed -n 's/.*127\.0\.0\.1:\([0-9]*\).*/\1/p' "$dir/err")
    [ -n "$port" ] && break
    sleep 0.1
done
[ -n "$port" ] || { echo "FAIL: jitpc announced no port: $(cat "$dir/err")"; exit 1; }
