#!/bin/sh
# Installs everything jitpc needs on a fresh Debian 12 machine. Idempotent: apt-get install of an
# installed package does nothing. Run as root, or as a user with sudo.
set -eu
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
PKGS="meson ninja-build pkg-config gcc libc6-dev nasm python3 \
      libcapstone-dev libffi-dev libsdl2-dev check \
      zlib1g-dev libjson-c-dev libunicorn-dev libpng-dev seabios gcc-12-multilib \
      gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user-static qemu-system-x86 \
      xorriso grub-pc-bin grub-common mtools e2fsprogs syslinux extlinux syslinux-common cpio \
      xvfb xdotool memtest86+ debian-installer-12-netboot-i386"
# xorriso, grub-pc-bin, mtools: El Torito CD images (grub-mkrescue); e2fsprogs, syslinux,
# extlinux, cpio: the Linux guest's disk image and initramfs; xvfb, xdotool: the SDL window test;
# memtest86+ and the netboot installer: Linux-protocol guests of the boot tests.
# gcc-12-multilib rather than gcc-multilib: the latter conflicts with the aarch64 cross compiler
# in Debian 12; gcc -m32 (bench/ guests) works with either.
# A mirror caught mid-sync fails one index file: carry on with the others (the install below
# fails clearly if a package is really missing).
$SUDO apt-get update -q || echo "bootstrap: apt-get update reported errors; continuing" >&2
# shellcheck disable=SC2086 # word splitting of the package list is intended
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends $PKGS
# The Linux guests of the boot tests and of the README's main command (issue 10), built from
# Debian's i386 packages: kernel + busybox initramfs, and a GRUB disk with an ext2 root.
cd "$(dirname "$0")/.."
[ -r build/guest/vmlinuz ] && [ -r build/guest/initrd.gz ] || $SUDO sh tools/mkguest-linux.sh build/guest
[ -r build/guest/disk.img ] || sh tools/mkguest-disk.sh build/guest
