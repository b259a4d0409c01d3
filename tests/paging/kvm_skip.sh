#!/bin/sh
# kvm_skip.sh KVMRUN ROM: runs ROM through kvmrun; a ROM that found the host's KVM refusing
# 32-bit paging (exit 76, see paging.inc) counts as skipped (77), like a host without KVM.
"$@"
rc=$?
[ "$rc" = 76 ] && exit 77
exit "$rc"
