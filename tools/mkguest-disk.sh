#!/bin/sh
# mkguest-disk.sh [OUTDIR]: a raw disk image that boots Debian's i386 kernel the way a PC does:
# SeaBIOS -> GRUB (grub-pc-bin, installed without root: boot.img in the MBR, core.img in the gap
# after it) -> Linux from an ext2 partition made with mke2fs -d. The initramfs loads the IDE and
# ext4 modules (from the same Debian kernel package), mounts /dev/sda1 and switches to it; the
# root's /sbin/init writes /jitpc-was-here, syncs and powers off (tests/boot/linux_disk.sh then
# reads the file with debugfs). Debian packages only: linux-image-686 and busybox-static for
# i386 (apt-get download; the i386 architecture must be enabled, see tools/mkguest-linux.sh).
# Output: OUTDIR/disk.img (default build/guest).
set -eu
out=${1:-build/guest}
mkdir -p "$out"
out=$(cd "$out" && pwd)
for t in grub-mkimage mke2fs cpio gzip dpkg-deb apt-get; do
    command -v "$t" >/dev/null || { echo "mkguest-disk: $t is missing (sh tools/bootstrap.sh)"; exit 1; }
done
[ -f /usr/lib/grub/i386-pc/boot.img ] || { echo "mkguest-disk: grub-pc-bin is missing"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

# The versioned kernel package behind linux-image-686 (as tools/mkguest-linux.sh resolves it).
kpkg=$(apt-cache depends linux-image-686:i386 2>/dev/null | sed -n 's/.*Depends: \(linux-image-[0-9].*-686\).*/\1/p' | head -1)
[ -n "$kpkg" ] || { echo "mkguest-disk: cannot resolve linux-image-686:i386 (dpkg --add-architecture i386; apt-get update)"; exit 1; }
apt-get download "$kpkg:i386" busybox-static:i386 >/dev/null 2>&1 || { echo "mkguest-disk: apt-get download failed"; exit 1; }
dpkg-deb -x linux-image-*.deb k
dpkg-deb -x busybox-static_*.deb bb
kver=$(ls k/lib/modules)
cp k/boot/vmlinuz-* kernel

# Busybox with the applets the scripts use.
mkbusybox() {   # mkbusybox DIR
    mkdir -p "$1/bin" "$1/sbin" "$1/proc" "$1/sys" "$1/dev" "$1/newroot"
    cp bb/bin/busybox "$1/bin/busybox"
    for a in sh mount umount mkdir echo cat sync insmod switch_root poweroff ls sleep; do
        ln -s busybox "$1/bin/$a"
    done
}

# The initramfs: modules in dependency order (their .modinfo "depends=" lines), then the root.
mkbusybox init
mods="scsi_common scsi_mod libata ata_piix crct10dif_common crct10dif_generic crc-t10dif crc64 \
      crc64-rocksoft t10-pi sd_mod crc16 mbcache jbd2 crc32c_generic ext4"
mkdir -p init/modules
for m in $mods; do
    f=$(find "k/lib/modules/$kver" -name "$m.ko" | head -1)
    [ -n "$f" ] || { echo "mkguest-disk: module $m not in $kpkg"; exit 1; }
    cp "$f" init/modules/
done
cat >init/init <<EOF
#!/bin/sh
mount -t proc proc /proc
mount -t devtmpfs dev /dev
for m in $mods; do insmod /modules/\$m.ko || echo "jitpc-disk: insmod \$m failed"; done
for i in 1 2 3 4 5 6 7 8 9 10; do [ -b /dev/sda1 ] && break; sleep 1; done
mount -t ext4 -o rw /dev/sda1 /newroot || { echo "jitpc-disk: cannot mount /dev/sda1"; poweroff -f; }
echo "jitpc-disk: switching to /dev/sda1"
umount /proc
exec switch_root /newroot /sbin/init
EOF
chmod +x init/init
(cd init && find . | cpio -o -H newc 2>/dev/null | gzip -9) >initrd.gz

# The ext2 root: GRUB's kernel and initrd in /boot, and an init that proves the root is writable.
mkbusybox root
mkdir -p root/boot
cp kernel root/boot/vmlinuz
cp initrd.gz root/boot/initrd.gz
cat >root/sbin/init <<'EOF'
#!/bin/sh
mount -t proc proc /proc
echo "jitpc-disk: root is $(grep ' / ' /proc/mounts | head -1)"
echo "written by the guest on $(cat /proc/sys/kernel/osrelease)" >/jitpc-was-here
sync
echo "jitpc-disk: wrote /jitpc-was-here, powering off"
poweroff -f
EOF
chmod +x root/sbin/init
fs_mb=48
mke2fs -q -t ext2 -L jitpcroot -d root fs.img "${fs_mb}M"

# GRUB: core.img with the modules to read the partition, and its configuration built in (GRUB's
# embedded config runs before anything else is loaded).
cat >early.cfg <<'EOF'
serial --unit=0 --speed=115200
terminal_output serial console
echo "jitpc-disk: GRUB is loading Linux from (hd0,msdos1)"
linux (hd0,msdos1)/boot/vmlinuz root=/dev/sda1 console=ttyS0,115200 acpi=off cryptomgr.notests
initrd (hd0,msdos1)/boot/initrd.gz
boot
EOF
grub-mkimage -O i386-pc -o core.img -p '(hd0,msdos1)/boot/grub' -c early.cfg \
    biosdisk part_msdos ext2 linux boot echo serial terminal
core_sectors=$(( ($(stat -c %s core.img) + 511) / 512 ))
[ "$core_sectors" -lt 2047 ] || { echo "mkguest-disk: core.img does not fit before sector 2048"; exit 1; }

# The disk: MBR = boot.img's code (its kernel sector field is 1: core.img follows the MBR) and one
# active Linux partition from sector 2048; core.img in sectors 1..; the file system at 1 MiB.
img=$out/disk.img
rm -f "$img"
truncate -s $(( (fs_mb + 1) * 1024 * 1024 )) "$img"
python3 - "$img" /usr/lib/grub/i386-pc/boot.img core.img fs.img <<'EOF'
import struct, sys
img, boot, core, fs = sys.argv[1:]
mbr = bytearray(open(boot, 'rb').read()[:512])
fsdata = open(fs, 'rb').read()
start, count = 2048, len(fsdata) // 512
mbr[446:510] = bytes(64)
# Partition entry: active, CHS fields FE FF FF (use LBA), type 83h, LBA start and length.
mbr[446:462] = struct.pack('<B3sB3sII', 0x80, b'\xfe\xff\xff', 0x83, b'\xfe\xff\xff', start, count)
mbr[510:512] = b'\x55\xaa'
with open(img, 'r+b') as f:
    f.write(mbr)
    f.seek(512)
    f.write(open(core, 'rb').read())
    f.seek(start * 512)
    f.write(fsdata)
EOF
echo "mkguest-disk: $img ($kpkg, GRUB $(grub-mkimage --version | awk '{print $NF}'), ext2 root at sector 2048)"

# A CD: grub-mkrescue's El Torito image booting the direct-boot guest of tools/mkguest-linux.sh
# (its kernel and busybox initramfs) from the ISO 9660 file system.
if [ -r "$out/vmlinuz" ] && [ -r "$out/initrd.gz" ] && command -v grub-mkrescue >/dev/null; then
    mkdir -p iso/boot/grub
    cp "$out/vmlinuz" "$out/initrd.gz" iso/boot/
    cat >iso/boot/grub/grub.cfg <<'EOF2'
serial --unit=0 --speed=115200
terminal_output serial console
set timeout=0
menuentry "jitpc guest" {
    echo "jitpc-cd: GRUB is loading Linux from the CD"
    linux /boot/vmlinuz console=ttyS0,115200 cryptomgr.notests
    initrd /boot/initrd.gz
}
EOF2
    grub-mkrescue -o "$out/guest.iso" iso >/dev/null 2>&1 || { echo "mkguest-disk: grub-mkrescue failed"; exit 1; }
    echo "mkguest-disk: $out/guest.iso (grub-mkrescue, El Torito)"
fi
