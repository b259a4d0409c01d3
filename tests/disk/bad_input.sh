#!/bin/sh
# Issue 8, acceptance 4: unusable images are refused before the guest starts, with one line on
# stderr that names the file, and exit status 1. Usage: bad_input.sh JITPC
set -u
jitpc=$1
dir=$(mktemp -d)
trap 'chmod -R u+w "$dir"; rm -rf "$dir"' EXIT
head -c 1000 /dev/zero >"$dir/odd.img"
head -c 1048576 /dev/zero >"$dir/ro.img"; chmod 0444 "$dir/ro.img"
head -c 2048000 /dev/zero >"$dir/cd.iso"            # 1000 CD sectors: not a floppy size
mkdir "$dir/adir"
failures=0
check() {   # check FILE ARGS...: jitpc ARGS must fail with one line naming FILE
    file=$1; shift
    "$jitpc" -serial none "$@" --max-insns 1 >/dev/null 2>"$dir/err" </dev/null
    status=$?
    echo "$* -> status $status: $(cat "$dir/err")"
    if [ $status -ne 1 ] || [ "$(wc -l <"$dir/err")" -ne 1 ] || ! grep -qF -- "$file" "$dir/err"; then
        echo "  FAIL: expected status 1 and one line naming $file"; failures=$((failures + 1))
    fi
}
check "$dir/missing.img" -hda "$dir/missing.img"
check "$dir/odd.img" -hda "$dir/odd.img"
check "$dir/adir" -hda "$dir/adir"
check "$dir/ro.img" -hda "$dir/ro.img"
check "$dir/cd.iso" -fda "$dir/cd.iso"
check "$dir/odd.img" -drive "file=$dir/odd.img,if=floppy"
check "$dir/missing.iso" -cdrom "$dir/missing.iso"
# Usage errors: one line too.
check "-drive" -drive "file=$dir/ro.img,if=scsi"
check "-boot" -boot z
[ $failures -eq 0 ] && echo "PASS: every bad input refused with one line"
exit $failures
