#!/usr/bin/env python3
"""Drives jitpc's GDB stub (frontends/gdbstub.c) with a small remote-protocol client.

usage: gdbstub_test.py JITPC ROM

Starts `JITPC -M test -bios ROM -gdb tcp::0 -S` (port 0: the stub picks a free port and names it
on stderr), then checks, against tests/gdb/gdb_rom.asm: the reset state, target.xml, software
and hardware breakpoints, registers, single steps, write/read watchpoints, memory reads and
writes through the guest's page tables (4 KiB and 4 MiB pages), x87 registers, Ctrl-C, the
exit reply, and, in two more runs, kill and detach. Every wait has a timeout."""
import re
import socket
import subprocess
import sys
import time

TIMEOUT = 10.0
failures = 0


def check(name, got, want):
    global failures
    if got == want:
        print(f"ok   {name}")
    else:
        failures += 1
        print(f"FAIL {name}: got {got!r}, expected {want!r}")


class Stub:
    def __init__(self, jitpc, rom):
        self.proc = subprocess.Popen([jitpc, "-M", "test", "-no-reboot", "-bios", rom, "-gdb", "tcp::0", "-S"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        line = self.proc.stderr.readline()   # "jitpc: gdb stub listening on 127.0.0.1:PORT"
        m = re.search(r"127\.0\.0\.1:(\d+)", line)
        if not m:
            self.proc.kill()
            raise SystemExit(f"FAIL no port announced: {line!r}")
        self.sock = socket.create_connection(("127.0.0.1", int(m.group(1))), timeout=TIMEOUT)
        # as gdb does: without it, each '+' ack waits for a delayed ACK before the next packet
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def _byte(self):
        if not self.buf:
            data = self.sock.recv(65536)
            if not data:
                raise EOFError("stub closed the connection")
            self.buf = data
        b, self.buf = self.buf[:1], self.buf[1:]
        return b

    def send(self, data, ack=True):
        if isinstance(data, str):
            data = data.encode("latin-1")
        pkt = b"$" + data + b"#%02x" % (sum(data) & 0xFF)
        self.sock.sendall(pkt)
        if ack:
            b = self._byte()
            if b != b"+":
                raise AssertionError(f"no ack for {data!r}: {b!r}")

    def recv(self):
        while self._byte() != b"$":
            pass
        data = b""
        while (b := self._byte()) != b"#":
            data += b
        csum = self._byte() + self._byte()
        if int(csum, 16) != sum(data) & 0xFF:
            raise AssertionError(f"bad checksum in {data!r}")
        self.sock.sendall(b"+")
        out, esc = b"", False   # undo '}' escapes (binary replies)
        for c in data:
            if esc:
                out += bytes([c ^ 0x20])
                esc = False
            elif c == 0x7D:
                esc = True
            else:
                out += bytes([c])
        return out.decode("latin-1")

    def cmd(self, data):
        self.send(data)
        return self.recv()

    def reg(self, n):
        r = self.cmd("p%x" % n)
        return int.from_bytes(bytes.fromhex(r), "little")

    def wait_exit(self):
        try:
            return self.proc.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return "timeout"

    def close(self):
        self.sock.close()
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


EAX, ECX, EDX, EBX, EIP, EFLAGS, CS, ST0, FSTAT, CR0, CR3, CR4 = 0, 1, 2, 3, 8, 9, 10, 16, 25, 32, 34, 35


def main_session(jitpc, rom):
    s = Stub(jitpc, rom)
    try:
        sup = s.cmd("qSupported:multiprocess+;swbreak+;hwbreak+;xmlRegisters=i386")
        check("qSupported announces PacketSize", "PacketSize=" in sup, True)
        check("qSupported announces target.xml", "qXfer:features:read+" in sup, True)
        xml, off = "", 0
        while True:
            r = s.cmd("qXfer:features:read:target.xml:%x,200" % off)
            xml += r[1:]
            off += len(r) - 1
            if r[0] == "l":
                break
        check("target.xml has the i386 core feature", 'name="org.gnu.gdb.i386.core"' in xml, True)
        check("target.xml register order", re.findall(r'reg name="(\w+)"', xml)[:17],
              "eax ecx edx ebx esp ebp esi edi eip eflags cs ss ds es fs gs st0".split())
        check("qAttached", s.cmd("qAttached"), "1")
        check("qC", s.cmd("qC"), "QC01")
        check("qfThreadInfo", s.cmd("qfThreadInfo"), "m01")
        check("qsThreadInfo", s.cmd("qsThreadInfo"), "l")
        check("Hg0", s.cmd("Hg0"), "OK")
        check("vCont?", s.cmd("vCont?").startswith("vCont;c;C;s;S"), True)
        check("stop reply at start", s.cmd("?").startswith("T05"), True)

        g = bytes.fromhex(s.cmd("g"))
        check("g size (16 x 4 + 8 x 10 + 8 x 4 + 4 control x 4)", len(g), 192)
        word = lambda n: int.from_bytes(g[4 * n:4 * n + 4], "little")
        check("reset EIP (SDM 9.1.1)", word(EIP), 0xFFF0)
        check("reset CS", word(CS), 0xF000)
        check("reset EFLAGS", word(EFLAGS), 0x2)
        check("reset CR0 via p", s.reg(CR0) & 0x7FFFFFFF, 0x60000010)
        check("memory at the reset vector (linear FFFFFFF0)", s.cmd("mfffffff0,5"), "ea0000" + "00f0")

        # software breakpoint in real mode: a linear address, CS base F0000 + 0100
        check("Z0", s.cmd("Z0,f0100,1"), "OK")
        stop = s.cmd("vCont;c")
        check("breakpoint stop", stop.startswith("T05") and "swbreak" in stop, True)
        check("EIP at the breakpoint", s.reg(EIP), 0x100)
        check("EAX set by the ROM", s.reg(EAX), 0x12345678)
        check("EBX set by the ROM", s.reg(EBX), 0xCAFEBABE)
        check("z0", s.cmd("z0,f0100,1"), "OK")

        # single steps: NOP (1 byte), MOV ECX,imm32 with 66h (6 bytes)
        check("step 1 stop", s.cmd("vCont;s:1").startswith("T05"), True)
        check("step over NOP advances EIP by 1", s.reg(EIP), 0x101)
        check("step 2 stop ('s')", s.cmd("s").startswith("T05"), True)
        check("step over MOV ECX advances EIP by 6", s.reg(EIP), 0x107)
        check("ECX after the step", s.reg(ECX), 0x11111111)

        # write watchpoint on [500h] (2 bytes), read watchpoint on [504h]
        check("Z2", s.cmd("Z2,500,2"), "OK")
        check("Z3", s.cmd("Z3,504,2"), "OK")
        stop = s.cmd("c")
        check("write watchpoint reply", re.search(r"(?:^|;)watch:([0-9a-f]+)", stop) and
              int(re.search(r"(?:^|;)watch:([0-9a-f]+)", stop).group(1), 16), 0x500)
        check("stopped after the store", s.reg(EIP), 0x10D)
        check("stored value", s.cmd("m500,2"), "efbe")
        stop = s.cmd("c")
        check("read watchpoint reply", "rwatch:504" in stop, True)
        check("stopped after the load", s.reg(EIP), 0x111)
        check("z2", s.cmd("z2,500,2"), "OK")
        check("z3", s.cmd("z3,504,2"), "OK")

        # memory and register writes
        check("M", s.cmd("M7f00,4:deadbeef"), "OK")
        check("m after M", s.cmd("m7f00,4"), "deadbeef")
        # 7Dh travels escaped as 7Dh 5Dh ('}' then 7Dh ^ 20h)
        check("X (binary write)", s.cmd(b"X7f04,3:\x01}\x5d\x02"), "OK")
        check("m after X", s.cmd("m7f04,3"), "017d02")
        check("P", s.cmd("P2=78563412"), "OK")
        check("p after P", s.reg(EDX), 0x12345678)
        check("write to ROM refused", s.cmd("Mf0000,1:00"), "E14")

        # hardware breakpoint in paged protected mode
        check("Z1", s.cmd("Z1,f0400,1"), "OK")
        stop = s.cmd("c")
        check("hw breakpoint stop", "hwbreak" in stop, True)
        check("EIP at bp_paged", s.reg(EIP), 0xF0400)
        check("CS in protected mode", s.reg(CS), 0x08)
        check("CR0 PE and PG", s.reg(CR0) & 0x80000001, 0x80000001)
        check("CR3", s.reg(CR3), 0x100000)
        check("CR4.PSE", s.reg(CR4) & 0x10, 0x10)
        check("virtual read through a 4 KiB page", s.cmd("m400010,4"), "a5a5a5a5")
        check("virtual read through a 4 MiB page", s.cmd("m800500,2"), "efbe")
        check("unmapped virtual address", s.cmd("mc00000,4"), "E14")
        check("z1", s.cmd("z1,f0400,1"), "OK")
        check("Z2 on a virtual address", s.cmd("Z2,400020,4"), "OK")
        stop = s.cmd("c")
        check("paged write watchpoint", "watch:400020" in stop, True)
        check("the store reached physical 200020h", s.cmd("m200020,4"), "5a5a5a5a")
        check("z2 paged", s.cmd("z2,400020,4"), "OK")

        # x87 registers
        check("Z0 bp_fpu", s.cmd("Z0,f0500,1"), "OK")
        check("bp_fpu stop", s.cmd("c").startswith("T05"), True)
        check("ST0 = pi (80-bit)", s.cmd("p%x" % ST0), "35c26821a2da0fc90040")
        check("FSTAT TOP=7", s.reg(FSTAT) & 0x3800, 0x3800)
        check("z0 bp_fpu", s.cmd("z0,f0500,1"), "OK")

        # Ctrl-C while the guest spins
        s.send("c")
        time.sleep(0.3)
        s.sock.sendall(b"\x03")
        stop = s.recv()
        check("Ctrl-C stop reply (SIGINT)", stop.startswith("T02"), True)
        eip = s.reg(EIP)
        check("interrupted in the spin loop", 0xF0600 <= eip < 0xF0620, True)

        # write the flag through the 4 MiB page; the guest exits with it
        check("M through a 4 MiB page", s.cmd("M800600,1:2a"), "OK")
        check("the flag at physical 600h", s.cmd("m600,1"), "2a")
        check("exit reply", s.cmd("c"), "W2a")
        check("jitpc exit status", s.wait_exit(), 0x2A)
    finally:
        s.close()


def kill_session(jitpc, rom):
    s = Stub(jitpc, rom)
    try:
        check("kill: stopped at start", s.cmd("?").startswith("T05"), True)
        # gdb's "monitor info registers": output packets (O + hex text), then OK
        first = s.cmd("qRcmd," + b"info registers".hex())
        text = b""
        while first.startswith("O") and first != "OK":
            text += bytes.fromhex(first[1:])
            first = s.recv()
        check("qRcmd reaches the monitor (reset state EIP=0000fff0)", b"EIP=0000fff0" in text, True)
        check("qRcmd ends with OK", first, "OK")
        check("QStartNoAckMode", s.cmd("QStartNoAckMode"), "OK")
        s.send("p8", ack=False)
        check("no-ack mode: p8 answered", s.recv(), "f0ff0000")
        s.send("k", ack=False)   # no-ack mode: nothing comes back
        check("kill ends jitpc", s.wait_exit(), 0)
    finally:
        s.close()


def detach_session(jitpc, rom):
    s = Stub(jitpc, rom)
    try:
        check("detach: Z0 before detaching", s.cmd("Z0,f0100,1"), "OK")
        check("detach: set the exit flag (paging off: physical)", s.cmd("M600,1:07"), "OK")
        check("D", s.cmd("D"), "OK")
        check("detached guest runs free of breakpoints to its exit", s.wait_exit(), 7)
    finally:
        s.close()


def main():
    jitpc, rom = sys.argv[1], sys.argv[2]
    for session in (main_session, kill_session, detach_session):
        try:
            session(jitpc, rom)
        except (OSError, EOFError, AssertionError, ValueError) as e:
            global failures
            failures += 1
            print(f"FAIL {session.__name__}: {type(e).__name__}: {e}")
    print("PASS gdbstub" if failures == 0 else f"FAIL gdbstub: {failures} check(s) failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
