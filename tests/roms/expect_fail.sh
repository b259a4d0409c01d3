#!/bin/sh
# expect_fail.sh JITPC ARG...: runs JITPC ARG... and passes if it exits with status 1 having
# written exactly one line to stderr (the one-line error of tests/roms/README.md).
jitpc="$1"
shift
err=$(mktemp) || exit 99
trap 'rm -f "$err"' EXIT
"$jitpc" "$@" >/dev/null 2>"$err"
status=$?
lines=$(wc -l <"$err")
bytes=$(wc -c <"$err")
echo "stderr: $(cat "$err")"
if [ "$status" -ne 1 ]; then
    echo "FAIL: expected exit status 1, got $status"
    exit 1
fi
# one newline-terminated line: one newline, and it is the last byte
if [ "$lines" -ne 1 ] || [ "$(tail -c 1 "$err" | od -An -c | tr -d ' ')" != '\n' ] || [ "$bytes" -lt 2 ]; then
    echo "FAIL: expected exactly one line on stderr, got $lines newline(s) in $bytes bytes"
    exit 1
fi
exit 0
