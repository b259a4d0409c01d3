#!/bin/sh
# Linux boot test (issue 10): Debian 12's i386 kernel boots on the PC by direct kernel boot
# (-kernel/-initrd/-append through SeaBIOS and roms/linuxboot.asm) to a busybox shell on COM1.
# Through the serial console the test checks that
#   - /init ran (its "JITPC-INIT: ready" marker; tools/mkguest-linux.sh writes /init);
#   - /proc/cpuinfo shows the CPU jitpc's CPUID describes for the default model (core/cpumodel.c,
#     "pentiumpro"): vendor GenuineIntel, family 6, model 1, stepping 9 (signature 0x0619, SDM
#     Vol.2 CPUID figure 3-6), which Linux names "Pentium Pro" (its Intel family-6 model table);
#     flags: the SDM's names of the CPUID.01H:EDX bits the model sets (FPU DE PSE TSC MSR CX8
#     PGE CMOV, spelled as Linux prints them), and none of those it leaves clear (VME, PAE, MCE,
#     APIC, MTRR, MCA, MMX, FXSR, SSE, SSE2, PSE-36, PAT). The model also sets SEP, but Linux hides
#     it below signature 0x633 (arch/x86/kernel/cpu/intel.c, after the SDM's SYSENTER note that
#     early Pentium Pro processors report SEP without SYSENTER), so "sep" must be absent;
#   - busybox awk computes on the x87: pi by Machin's formula, sqrt(2) by Newton's iteration and
#     e by its series (this busybox's awk has no libm), to 10 decimals: 3.1415926536,
#     1.4142135624, 2.7182818285 - the constants' own digits;
#   - `poweroff -f` ends the run: without ACPI Linux halts with interrupts disabled, and jitpc
#     exits 0.
# cryptomgr.notests skips the kernel's crypto self-tests (3.7*10^9 of the 6.6*10^9 instructions
# to the prompt: big-number RSA checks), which test the kernel, not the machine.
# The console runs at 115200 baud: jitpc's 16550A sends each character in its real time on the
# wire and Linux writes its console with interrupts off, so at the default 9600 baud the kernel's
# messages alone would take ~20 s of virtual time (and ~2*10^9 polling instructions).
# Needs the guest: `sudo sh tools/mkguest-linux.sh` (writes build/guest/vmlinuz and initrd.gz;
# JITPC_GUEST=DIR to use another place). Without it the test is skipped (exit 77).
# Usage: linux.sh JITPC SOURCE_ROOT
jitpc="$1"
src="$2"
guest="${JITPC_GUEST:-$src/build/guest}"
if [ ! -r "$guest/vmlinuz" ] || [ ! -r "$guest/initrd.gz" ]; then
    echo "SKIP: no Linux guest in $guest (build it with: sudo sh tools/mkguest-linux.sh $guest)"
    exit 77
fi
[ -r /usr/share/seabios/bios.bin ] || { echo "SKIP: no SeaBIOS"; exit 77; }
exec python3 - "$jitpc" "$guest" <<'EOF'
import os, re, select, subprocess, sys, time

jitpc, guest = sys.argv[1], sys.argv[2]
cmd = [jitpc, "-M", "pc", "-m", "128", "-nographic", "-no-reboot", "--stats",
       "-kernel", os.path.join(guest, "vmlinuz"), "-initrd", os.path.join(guest, "initrd.gz"),
       "-append", "console=ttyS0,115200 cryptomgr.notests"]
p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
out = b""
t0 = time.monotonic()
DEADLINE = 900


def fail(msg):
    print("FAIL:", msg)
    print("---- last console output ----")
    print(out[-3000:].decode("latin-1"))
    if p.poll() is None:
        p.kill()
    print("---- stderr ----")
    print(p.stderr.read().decode("latin-1")[-2000:])
    sys.exit(1)


def wait_for(pattern, start):
    """Reads the console until pattern (a regex over bytes) matches after offset start."""
    global out
    rx = re.compile(pattern)
    while True:
        m = rx.search(out, start)
        if m:
            return m
        if time.monotonic() - t0 > DEADLINE:
            fail("timeout waiting for %r" % pattern)
        r, _, _ = select.select([p.stdout], [], [], 1.0)
        if r:
            chunk = os.read(p.stdout.fileno(), 65536)
            if not chunk:
                fail("jitpc exited (status %s) while waiting for %r" % (p.wait(), pattern))
            out += chunk


def run(command, marker):
    """Types a command line; the output ends at the marker, which the shell computes ($((...)))
    so that the echo of the typed line does not match it."""
    start = len(out)
    p.stdin.write(command.encode() + b"; echo @@$((%d+1))@@\r" % marker)
    p.stdin.flush()
    m = wait_for(rb"@@%d@@" % (marker + 1), start)
    return out[start:m.start()].decode("latin-1")


wait_for(rb"JITPC-INIT: ready", 0)
boot_s = time.monotonic() - t0
wait_for(rb"jitpc-guest# ", 0)
print("shell prompt after %.1f s" % (time.monotonic() - t0))

info = run("grep -E '^(vendor_id|cpu family|model|stepping|flags|fpu)' /proc/cpuinfo", 100)
fields = {}
for line in info.replace("\r", "").split("\n"):
    if ":" in line and not line.startswith("grep"):
        k, v = line.split(":", 1)
        fields[k.strip()] = v.strip()
expect = {"vendor_id": "GenuineIntel", "cpu family": "6", "model": "1", "model name": None,
          "stepping": "9", "fpu": "yes"}
for k, v in expect.items():
    if v is not None and fields.get(k) != v:
        fail("/proc/cpuinfo %s is %r, expected %r" % (k, fields.get(k), v))
if "flags" not in fields:
    fail("/proc/cpuinfo has no flags line")
flags = set(fields["flags"].split())
want = {"fpu", "de", "pse", "tsc", "msr", "cx8", "pge", "cmov"}
absent = {"vme", "pae", "mce", "apic", "mtrr", "mca", "mmx", "fxsr", "sse", "sse2", "pse36", "pat", "sep"}
if want - flags:
    fail("flags lack %s (flags: %s)" % (sorted(want - flags), fields["flags"]))
if absent & flags:
    fail("flags claim %s: not in CPUID, or hidden by Linux (sep)" % sorted(absent & flags))
name = run("sed -n 's/^model name[^:]*: //p' /proc/cpuinfo", 200).replace("\r", "").split("\n")
if "Pentium Pro" not in name:
    fail("model name is %r, expected 'Pentium Pro'" % name)
print("cpuinfo: GenuineIntel family 6 model 1 stepping 9 'Pentium Pro', flags:", fields["flags"])

fpu = run("awk 'function at(x,  s,t,k){s=0;t=x;for(k=1;k<60;k+=2){s+=t/k;t*=-x*x};return s}"
          " BEGIN{r=1;for(i=0;i<30;i++)r=(r+2/r)/2;e=1;t=1;for(i=1;i<25;i++){t/=i;e+=t};"
          "printf \"FPU %.10f %.10f %.10f\\n\", 16*at(1/5)-4*at(1/239), r, e}'", 300)
m = re.search(r"^FPU (\S+) (\S+) (\S+)\r?$", fpu, re.M)    # the output line, not the echoed command
if not m or m.groups() != ("3.1415926536", "1.4142135624", "2.7182818285"):
    fail("awk printed %r, expected 'FPU 3.1415926536 1.4142135624 2.7182818285'" % (m.group(0) if m else fpu))
print("awk on the x87: pi, sqrt(2), e correct to 10 decimals")

p.stdin.write(b"poweroff -f\r")
p.stdin.flush()
try:
    _, err = p.communicate(timeout=300)
except subprocess.TimeoutExpired:
    fail("jitpc did not exit after poweroff -f")
err = err.decode("latin-1")
if p.returncode != 0:
    fail("jitpc exited with %d after poweroff -f: %s" % (p.returncode, err.strip()))
if "halted with interrupts disabled" not in err:
    fail("no 'halted with interrupts disabled' line on stderr: %s" % err.strip())
insns = re.search(r"instructions (\d+)", err)
print("Linux: /init after %.1f s, powered off after %.1f s, %s guest instructions in all"
      % (boot_s, time.monotonic() - t0, insns.group(1) if insns else "?"))
print("linux: 1 passed, 0 failed")
EOF
