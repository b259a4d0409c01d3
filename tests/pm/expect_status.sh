#!/bin/sh
# expect_status.sh STATUS COMMAND...: passes when COMMAND exits with STATUS, skips (77) when it
# exits 77 (kvmrun without /dev/kvm).
want=$1
shift
"$@"
got=$?
[ "$got" = 77 ] && exit 77
[ "$got" = "$want" ] && exit 0
echo "expect_status: $1 exited $got, expected $want" >&2
exit 1
