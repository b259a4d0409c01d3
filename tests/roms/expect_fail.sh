#!/bin/sh
# expect_fail.sh [--status N] [--lines N] JITPC ARG...: runs JITPC ARG... and passes if it exits
# with status N (default 1) having written exactly N lines (default 1: the one-line error of
# tests/roms/README.md) to stderr.
want_status=1
want_lines=1
while :; do
    case "$1" in
    --status) want_status="$2"; shift 2 ;;
    --lines) want_lines="$2"; shift 2 ;;
    *) break ;;
    esac
done
jitpc="$1"
shift
err=$(mktemp) || exit 99
trap 'rm -f "$err"' EXIT
"$jitpc" "$@" >/dev/null 2>"$err"
status=$?
lines=$(wc -l <"$err")
bytes=$(wc -c <"$err")
echo "stderr: $(cat "$err")"
if [ "$status" -eq 77 ] && [ "$want_status" -ne 77 ]; then
    exit 77     # the program under test skipped (kvmrun without KVM)
fi
if [ "$status" -ne "$want_status" ]; then
    echo "FAIL: expected exit status $want_status, got $status"
    exit 1
fi
# N newline-terminated lines: N newlines, and (if any text) a newline as the last byte
if [ "$lines" -ne "$want_lines" ] ||
   { [ "$bytes" -gt 0 ] && [ "$(tail -c 1 "$err" | od -An -c | tr -d ' ')" != '\n' ]; }; then
    echo "FAIL: expected exactly $want_lines line(s) on stderr, got $lines newline(s) in $bytes bytes"
    exit 1
fi
exit 0
