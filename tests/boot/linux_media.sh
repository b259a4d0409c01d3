#!/bin/sh
# Issue 10, acceptance 3: other ways Linux-protocol guests start on the PC.
#   cd            grub-mkrescue's ISO of the guest (tools/mkguest-disk.sh) from -cdrom: SeaBIOS ->
#                 El Torito -> GRUB -> Linux -> the busybox shell prompt on COM1
#   memtest       Debian's memtest86+ (memtest86+ia32.bin follows the Linux boot protocol) from
#                 -kernel: its status screen says it is testing
#   installer     Debian 12's netboot installer (debian-installer-12-netboot-i386) with -m 512 and
#                 a serial console: its first dialog, "Select a language", on COM1
#   installer-vga the same on the VGA text console (nomodeset keeps the kernel on the VGA text
#                 mode rather than a DRM framebuffer): the dialog on the text screen
# Each case skips (exit 77) with a message when its files are not installed (tools/bootstrap.sh
# installs and builds them). Usage: linux_media.sh JITPC SOURCE_ROOT CASE
set -u
jitpc=$1 src=$2 case=$3
guest=${JITPC_GUEST:-$src/build/guest}
di=/usr/lib/debian-installer/images/12/i386/text/debian-installer/i386
need() {
    [ -r "$1" ] || { echo "SKIP: $1 is absent ($2)"; exit 77; }
}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
run() {   # run ARGS...: jitpc until the success text, which the caller passes as an --exit-on option
    start=$(date +%s)
    timeout 900 "$jitpc" -serial "file:$dir/serial" --stats --max-insns 40000000000 "$@" </dev/null >/dev/null 2>"$dir/err"
    status=$?
    echo "jitpc exited $status after $(( $(date +%s) - start )) s: $(grep -v 'stats:' "$dir/err")"
    grep "stats: instructions" "$dir/err" | cut -c1-60
    if [ $status -ne 0 ]; then
        echo "FAIL: the success text never came"; tail -c 2000 "$dir/serial" | tr -d '\r'; exit 1
    fi
}
case $case in
cd)
    need "$guest/guest.iso" "sh tools/mkguest-disk.sh $guest"
    run -m 128 -display none -cdrom "$guest/guest.iso" -boot d --exit-on-serial "jitpc-guest# "
    grep -aq "jitpc-cd: GRUB is loading Linux from the CD" "$dir/serial" || { echo "FAIL: GRUB's line is missing"; exit 1; }
    ;;
memtest)
    need /boot/memtest86+ia32.bin "apt-get install memtest86+"
    run -display none -kernel /boot/memtest86+ia32.bin --exit-on-screen "Status: Testing"
    ;;
installer)
    need "$di/linux" "apt-get install debian-installer-12-netboot-i386"
    run -m 512 -display none -kernel "$di/linux" -initrd "$di/initrd.gz" \
        -append "console=ttyS0,115200n8 priority=high cryptomgr.notests" --exit-on-serial "Select a language"
    ;;
installer-vga)
    need "$di/linux" "apt-get install debian-installer-12-netboot-i386"
    run -m 512 -display none -kernel "$di/linux" -initrd "$di/initrd.gz" \
        -append "priority=high nomodeset cryptomgr.notests" --exit-on-screen "Select a language"
    ;;
*) echo "unknown case $case"; exit 2 ;;
esac
echo "PASS: $case"
