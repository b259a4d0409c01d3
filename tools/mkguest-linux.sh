#!/bin/sh
# Builds the Linux test guest from Debian packages only (issue 10):
#   OUTDIR/vmlinuz    Debian 12's i386 kernel (linux-image-6.1.0-*-686, the one linux-image-686
#                     depends on)
#   OUTDIR/initrd.gz  an initramfs (cpio "newc", gzip) holding busybox-static:i386 and an /init
#                     that mounts proc/sys/devtmpfs, prints "JITPC-INIT: ..." markers, runs a few
#                     checks and starts a shell on the console.
# Usage: sh tools/mkguest-linux.sh [OUTDIR]   (default: build/guest)
# Needs root (dpkg --add-architecture i386, apt-get update) and network access to the Debian
# mirror; nothing is installed on the host, the packages are only downloaded and unpacked.
# tests/boot/linux.sh and bench/linux-boot use the result.
set -eu
out=${1:-build/guest}
if [ "$(id -u)" -ne 0 ]; then
    echo "mkguest-linux: run as root (it needs dpkg --add-architecture i386 and apt-get update)" >&2
    exit 1
fi
for tool in apt-get apt-cache dpkg-deb python3 gzip; do
    command -v "$tool" >/dev/null || { echo "mkguest-linux: $tool not found" >&2; exit 1; }
done
if ! dpkg --print-foreign-architectures | grep -qx i386; then
    dpkg --add-architecture i386
    # A mirror caught mid-sync fails one index; what matters is whether the packages resolve.
    apt-get update -q || echo "mkguest-linux: apt-get update reported errors; trying the indexes it has" >&2
elif ! apt-cache show linux-image-686:i386 >/dev/null 2>&1; then
    apt-get update -q || echo "mkguest-linux: apt-get update reported errors; trying the indexes it has" >&2
fi

# The versioned kernel package, e.g. linux-image-6.1.0-50-686:i386, from the metapackage.
kpkg=$(apt-cache depends linux-image-686:i386 | sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-686\)\(:i386\)\?$/\1/p' | head -1)
[ -n "$kpkg" ] || { echo "mkguest-linux: cannot resolve linux-image-686:i386's kernel package" >&2; exit 1; }

mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"   # apt-get download fetches as the _apt user
(cd "$work" && apt-get download -q "$kpkg:i386" busybox-static:i386)
mkdir "$work/kernel" "$work/busybox"
dpkg-deb -x "$work"/linux-image-*.deb "$work/kernel"
dpkg-deb -x "$work"/busybox-static_*.deb "$work/busybox"
cp "$work"/kernel/boot/vmlinuz-* "$out/vmlinuz"

root="$work/root"
mkdir -p "$root/bin" "$root/sbin" "$root/proc" "$root/sys" "$root/dev" "$root/tmp" "$root/root"
cp "$work/busybox/bin/busybox" "$root/bin/busybox"
chmod 755 "$root/bin/busybox"
cat >"$root/init" <<'EOF'
#!/bin/busybox sh
# jitpc test guest (tools/mkguest-linux.sh).
/bin/busybox --install -s /bin
export PATH=/bin:/sbin HOME=/root
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
echo "JITPC-INIT: /init running, kernel $(uname -r) $(uname -m)"
echo "JITPC-INIT: $(grep -c ^processor /proc/cpuinfo) cpu(s), $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)"
echo "JITPC-INIT: MemTotal $(sed -n 's/^MemTotal: *//p' /proc/meminfo)"
# Debian's busybox-static awk has no libm (no atan2/sqrt/exp): Machin's formula with + - * /
# still runs on the x87 and must give pi's digits.
echo "JITPC-INIT: pi=$(awk 'function at(x,  s,t,k){s=0;t=x;for(k=1;k<60;k+=2){s+=t/k;t*=-x*x};return s}
    BEGIN{printf "%.10f", 16*at(1/5)-4*at(1/239)}')"
echo "JITPC-INIT: cmdline $(cat /proc/cmdline)"
echo "JITPC-INIT: ready"
export PS1='jitpc-guest# '
cd /root
# A shell with a controlling terminal (job control, Ctrl-C) on the console; if it exits, a new one.
while true; do
    setsid cttyhack sh
    echo "JITPC-INIT: shell exited, starting another"
done
EOF
chmod 755 "$root/init"

# cpio "newc" (the format the kernel unpacks: Documentation/driver-api/early-userspace/
# buffer-format.rst), written by a few lines of Python so that no cpio binary is needed.
python3 - "$root" "$work/initrd.cpio" <<'EOF'
import os, stat, sys
root, dest = sys.argv[1], sys.argv[2]
out = open(dest, "wb")
ino = [1000]
def entry(name, st, data):
    ino[0] += 1
    fields = [ino[0], st.st_mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(name) + 1, 0]
    hdr = b"070701" + b"".join(b"%08X" % f for f in fields)
    out.write(hdr + name.encode() + b"\0")
    out.write(b"\0" * (-(len(hdr) + len(name) + 1) % 4))
    out.write(data)
    out.write(b"\0" * (-len(data) % 4))
for dirpath, dirnames, filenames in os.walk(root):
    dirnames.sort()
    for n in sorted(dirnames) + sorted(filenames):
        p = os.path.join(dirpath, n)
        rel = os.path.relpath(p, root)
        st = os.lstat(p)
        if stat.S_ISLNK(st.st_mode):
            data = os.readlink(p).encode()
        elif stat.S_ISREG(st.st_mode):
            data = open(p, "rb").read()
        else:
            data = b""
        entry(rel, st, data)
class Trailer: st_mode = 0
entry("TRAILER!!!", Trailer, b"")
out.write(b"\0" * (-out.tell() % 512))
EOF
gzip -9 -n -c "$work/initrd.cpio" >"$out/initrd.gz"
echo "mkguest-linux: $out/vmlinuz ($kpkg), $out/initrd.gz"
