#!/usr/bin/env python3
"""-display term in a pseudo-terminal: the text screen drawn with ANSI colours, typed keys into
the PS/2 keyboard, Ctrl-A x quits. The guest is tests/display/keyrom.asm (prints the first six
8042 bytes, scan code set 1, on the debug console).
Expected: SeaBIOS's banner in the attribute 07h it writes (light grey on black: SGR 37 and 40,
ECMA-48); 'a' typed -> set 1 1E 9E, the terminal's Up arrow (ESC [ A, xterm / ECMA-48 CUU) ->
E0 48 E0 C8 (Microsoft Keyboard Scan Code Specification 1.3a, Appendix C).
Usage: term_display.py JITPC ROM"""
import os, pty, select, sys, tempfile, time

jitpc, rom = sys.argv[1], sys.argv[2]
tmp = tempfile.mkdtemp()
log = os.path.join(tmp, 'debugcon.log')


def fail(msg, out=b''):
    print('FAIL: ' + msg)
    if out:
        print(repr(out[-800:]))
    sys.exit(1)


def run(args):
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(jitpc, [jitpc] + args)
    return pid, fd


def pump(fd, out, seconds, until=None):
    end = time.time() + seconds
    while time.time() < end:
        if until and until(out):
            return out
        r, _, _ = select.select([fd], [], [], 0.05)
        if r:
            try:
                out += os.read(fd, 65536)
            except OSError:
                break
    return out


def wait_exit(pid, fd, out, seconds):
    end = time.time() + seconds
    while time.time() < end:
        out = pump(fd, out, 0.1)
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.WEXITSTATUS(status) if os.WIFEXITED(status) else -1, out
    os.kill(pid, 9)
    os.waitpid(pid, 0)
    fail('jitpc did not exit', out)


def log_has(text):
    try:
        return text in open(log).read()
    except FileNotFoundError:
        return False


# 1. Keys typed on the terminal reach the 8042; the screen is drawn with colours.
pid, fd = run(['-display', 'term', '-debugcon', 'file:' + log, '-option-rom', rom, '-device', 'isa-debug-exit'])
out = b''
end = time.time() + 60
while not log_has('keyrom: polling') and time.time() < end:
    out = pump(fd, out, 0.1)
if not log_has('keyrom: polling'):
    fail('the option ROM did not start', out)
out = pump(fd, out, 5, lambda o: b'SeaBIOS (version' in o)
if b'\x1b[0;37;40mSeaBIOS (version' not in out:
    fail('no SeaBIOS banner in light grey on black', out)
print('ok: the banner is drawn with SGR 0;37;40 (attribute 07h)')
os.write(fd, b'a')
time.sleep(0.2)
os.write(fd, b'\x1b[A')
status, out = wait_exit(pid, fd, out, 30)
keys = [l for l in open(log).read().split('\n') if l.startswith('keys: ')]
got = ' '.join(keys[0].split()) if keys else ''
if got != 'keys: 1E 9E E0 48 E0 C8':
    fail("got '%s', expected 'keys: 1E 9E E0 48 E0 C8'" % got, out)
if status != 1:
    fail('exit status %d, expected 1 (isa-debug-exit 0)' % status, out)
print('ok: a and ESC [ A arrived as ' + got)

# 2. Ctrl-A x quits with status 0 and restores the cursor.
pid, fd = run(['-display', 'term'])
out = pump(fd, b'', 20, lambda o: b'SeaBIOS (version' in o)
os.write(fd, b'\x01x')
status, out = wait_exit(pid, fd, out, 20)
if status != 0:
    fail('Ctrl-A x: exit status %d, expected 0' % status, out)
if b'\x1b[?25h' not in out[-100:]:
    fail('Ctrl-A x: the cursor was not shown again at exit', out)
print('ok: Ctrl-A x quits with status 0')
print('PASS')
