/* The monitor (issue 7): commands on stdin, answers on stdout. The machine starts stopped at the
 * prompt; "cont" runs it in slices until a breakpoint, a watchpoint, the guest's exit, Ctrl-C, or
 * (on a terminal) a line typed, checked between slices. Memory is read without side effects:
 * linear addresses through a page walk of our own that neither faults nor sets A/D bits, and
 * only RAM and ROM (never MMIO, whose reads can change device state). */
#include "monitor.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "display.h"
#include "jit/jit.h"
#include "pc.h"
#include "screenshot.h"

#define PTE_P 0x001u
#define PTE_W 0x002u
#define PTE_U 0x004u
#define PDE_PS 0x080u
#define CONT_SLICE 200000u   /* instructions between checks for Ctrl-C and typed lines */

/* ---- guest memory without side effects ---- */

static bool phys_byte(struct mem *mem, uint32_t addr, uint8_t *v)
{
    const struct mem_region *r = mem_region_at(mem, addr);
    if (!r || !r->host)
        return false;
    *v = r->host[(addr & mem->a20_mask) - r->base];
    return true;
}

static bool phys_u32(struct mem *mem, uint32_t addr, uint32_t *v)
{
    uint32_t x = 0;
    for (unsigned i = 0; i < 4; i++) {
        uint8_t b;
        if (!phys_byte(mem, addr + i, &b))
            return false;
        x |= (uint32_t)b << (8 * i);
    }
    *v = x;
    return true;
}

bool guest_translate(struct cpu *cpu, uint32_t lin, uint32_t *phys, uint32_t *rights)
{
    if (!(cpu->cr0 & CR0_PG)) {
        *phys = lin;
        *rights = PTE_U | PTE_W;
        return true;
    }
    uint32_t pde, pte;
    if (!phys_u32(cpu->mem, (cpu->cr3 & ~0xFFFu) | ((lin >> 22) << 2), &pde) || !(pde & PTE_P))
        return false;
    /* SDM Vol.3 4.3: with CR4.PSE a PDE with PS set maps 4 MiB directly */
    if ((pde & PDE_PS) && (cpu->cr4 & CR4_PSE)) {
        *phys = (pde & 0xFFC00000u) | (lin & 0x003FFFFFu);
        *rights = pde & (PTE_U | PTE_W);
        return true;
    }
    if (!phys_u32(cpu->mem, (pde & ~0xFFFu) | (((lin >> 12) & 0x3FF) << 2), &pte) || !(pte & PTE_P))
        return false;
    *phys = (pte & ~0xFFFu) | (lin & 0xFFF);
    *rights = pte & pde & (PTE_U | PTE_W);   /* both levels must allow (SDM Vol.3 4.6.1) */
    return true;
}

size_t guest_read(struct cpu *cpu, uint32_t addr, bool physical, uint8_t *buf, size_t n)
{
    uint32_t phys = 0, rights, page = 1;   /* page: the linear page phys belongs to (1 = none) */
    for (size_t i = 0; i < n; i++) {
        uint32_t a = addr + (uint32_t)i;
        if (!physical) {
            if ((a & ~0xFFFu) != page) {
                if (!guest_translate(cpu, a & ~0xFFFu, &phys, &rights))
                    return i;
                page = a & ~0xFFFu;
            }
            if (!phys_byte(cpu->mem, phys | (a & 0xFFF), &buf[i]))
                return i;
        } else if (!phys_byte(cpu->mem, a, &buf[i])) {
            return i;
        }
    }
    return n;
}

/* ---- the monitor ---- */

struct monitor {
    struct machine *m;
    struct pc *pc;
    struct cpu *cpu;
    struct debug dbg;
    struct trace trace;
    FILE *out;
    int in_fd;
    bool tty;
    bool eof;
    bool done;            /* quit, or the guest ended the run */
    enum machine_result result;
    uint64_t max_insns;
    char in[4096];
    size_t in_len;
};

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
    (void)sig;
    interrupted = 1;
}

/* Reads one line (without its newline); false at end of input. */
static bool read_line(struct monitor *mon, char *line, size_t size)
{
    for (;;) {
        char *nl = memchr(mon->in, '\n', mon->in_len);
        if (nl || (mon->eof && mon->in_len) || mon->in_len == sizeof(mon->in)) {
            size_t len = nl ? (size_t)(nl - mon->in) : mon->in_len;
            size_t used = nl ? len + 1 : len;
            if (len >= size)
                len = size - 1;
            memcpy(line, mon->in, len);
            line[len] = '\0';
            memmove(mon->in, mon->in + used, mon->in_len - used);
            mon->in_len -= used;
            return true;
        }
        if (mon->eof)
            return false;
        ssize_t n = read(mon->in_fd, mon->in + mon->in_len, sizeof(mon->in) - mon->in_len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            mon->eof = true;
        else
            mon->in_len += (size_t)n;
    }
}

/* Whether the user has typed something (checked between slices of "cont" on a terminal). */
static bool input_waiting(struct monitor *mon)
{
    if (memchr(mon->in, '\n', mon->in_len))
        return true;
    struct pollfd p = {.fd = mon->in_fd, .events = POLLIN};
    return poll(&p, 1, 0) > 0;
}

static uint32_t pc_linear(const struct cpu *cpu)
{
    return cpu->seg[SEG_CS].base + cpu->eip;
}

static bool code32(const struct cpu *cpu)
{
    return (cpu->seg[SEG_CS].attr & SEG_ATTR_DB) && !(cpu->eflags & FL_VM);
}

/* Value of an expression: terms (numbers in C syntax, $reg, $pc = linear address of CS:EIP)
 * joined by + and -. */
static bool reg_value(struct cpu *cpu, const char *name, size_t len, uint32_t *v)
{
    static const char *const r32[8] = {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"};
    static const char *const r16[8] = {"ax", "cx", "dx", "bx", "sp", "bp", "si", "di"};
    static const char *const sr[6] = {"es", "cs", "ss", "ds", "fs", "gs"};
    char n[8];
    if (len >= sizeof(n))
        return false;
    memcpy(n, name, len);
    n[len] = '\0';
    for (int i = 0; i < 8; i++) {
        if (!strcmp(n, r32[i])) {
            *v = cpu->regs[i];
            return true;
        }
        if (!strcmp(n, r16[i])) {
            *v = cpu->regs[i] & 0xFFFF;
            return true;
        }
    }
    for (int i = 0; i < 6; i++)
        if (!strcmp(n, sr[i])) {
            *v = cpu->seg[i].sel;
            return true;
        }
    if (!strcmp(n, "eip") || !strcmp(n, "ip"))
        *v = cpu->eip;
    else if (!strcmp(n, "pc"))
        *v = pc_linear(cpu);
    else if (!strcmp(n, "eflags") || !strcmp(n, "efl"))
        *v = cpu_get_eflags(cpu);
    else if (!strcmp(n, "cr0"))
        *v = cpu->cr0;
    else if (!strcmp(n, "cr2"))
        *v = cpu->cr2;
    else if (!strcmp(n, "cr3"))
        *v = cpu->cr3;
    else if (!strcmp(n, "cr4"))
        *v = cpu->cr4;
    else
        return false;
    return true;
}

static bool parse_value(struct monitor *mon, const char *s, uint32_t *out)
{
    uint32_t sum = 0;
    int sign = 1;
    for (;;) {
        uint32_t v;
        if (*s == '$') {
            size_t len = strspn(s + 1, "abcdefghijklmnopqrstuvwxyz0123456789");
            if (!reg_value(mon->cpu, s + 1, len, &v)) {
                fprintf(mon->out, "unknown register '%.*s'\n", (int)len + 1, s);
                return false;
            }
            s += len + 1;
        } else {
            char *end;
            errno = 0;
            unsigned long long x = strtoull(s, &end, 0);
            if (end == s || errno || x > 0xFFFFFFFFull || *s == '-' || *s == '+') {
                fprintf(mon->out, "bad number '%s'\n", s);
                return false;
            }
            v = (uint32_t)x;
            s = end;
        }
        sum += sign > 0 ? v : (uint32_t)-v;
        if (!*s) {
            *out = sum;
            return true;
        }
        if (*s != '+' && *s != '-') {
            fprintf(mon->out, "bad expression near '%s'\n", s);
            return false;
        }
        sign = *s++ == '+' ? 1 : -1;
    }
}

/* Prints up to count instructions from addr: "=> " marks CS:EIP. */
static void disas_lines(struct monitor *mon, uint32_t addr, unsigned count, bool physical)
{
    struct cpu *cpu = mon->cpu;
    bool c32 = code32(cpu);
    for (unsigned k = 0; k < count; k++) {
        uint8_t buf[16];
        size_t n = guest_read(cpu, addr, physical, buf, 15);
        if (!n) {
            fprintf(mon->out, "0x%08x: cannot access memory\n", addr);
            return;
        }
        char text[160], hex[48] = "";
        uint32_t off = addr - cpu->seg[SEG_CS].base;
        unsigned len = disas_one(buf, n, c32, c32 ? off : (off & 0xFFFF), text, sizeof(text));
        unsigned shown = len ? len : 1;
        for (unsigned i = 0; i < shown && i < 10; i++)
            snprintf(hex + 3 * i, sizeof(hex) - 3 * i, "%02x ", buf[i]);
        fprintf(mon->out, "%s0x%08x:  %-24s %s\n", !physical && addr == pc_linear(cpu) ? "=> " : "   ", addr, hex,
                text);
        addr += shown;
    }
}

static void show_pc(struct monitor *mon)
{
    struct cpu *cpu = mon->cpu;
    fprintf(mon->out, "at %04x:%08x (linear 0x%08x), %llu instructions executed\n", cpu->seg[SEG_CS].sel, cpu->eip,
            pc_linear(cpu), (unsigned long long)cpu->icount);
    disas_lines(mon, pc_linear(cpu), 1, false);
}

/* ---- running ---- */

/* Runs up to n instructions. first: a command (cont, step) starts here, so a breakpoint at
 * CS:EIP is stepped over rather than hit again at once (gdb's habit). */
static enum machine_result run_slice(struct monitor *mon, uint64_t n, bool first)
{
    struct machine *m = mon->m;
    if (m->cpu.stop == CPU_STOP_DEBUG)
        m->cpu.stop = CPU_RUNNING;
    mon->dbg.stop = DEBUG_NONE;
    mon->dbg.skip_bp_once = first && debug_breakpoint_at(&mon->dbg, pc_linear(mon->cpu));
    if (mon->max_insns) {
        if (m->cpu.icount >= mon->max_insns)
            return MACHINE_LIMIT;
        if (mon->max_insns - m->cpu.icount < n)
            n = mon->max_insns - m->cpu.icount;
    }
    enum machine_result r = machine_run(m, n);
    trace_flush(&mon->trace);
    return r;
}

/* Says why the machine stopped and where; the guest's exit ends the monitor. */
static void report(struct monitor *mon, enum machine_result r)
{
    static const char *const kinds[] = {"", "write", "read", "access"};
    struct debug *d = &mon->dbg;
    switch (r) {
    case MACHINE_DEBUG:
        if (d->stop == DEBUG_BREAKPOINT)
            fprintf(mon->out, "breakpoint at 0x%08x\n", d->stop_addr);
        else if (d->stop == DEBUG_WATCHPOINT)
            fprintf(mon->out, "watchpoint: %s at 0x%08x\n", kinds[d->stop_kind & 3], d->stop_addr);
        else if (d->stop == DEBUG_REQUEST)
            fprintf(mon->out, "stopped\n");
        break;
    case MACHINE_EXIT:
        fprintf(mon->out, "guest exited with status %d\n", mon->m->exit_code);
        mon->done = true;
        mon->result = MACHINE_EXIT;
        return;
    case MACHINE_HALTED: fprintf(mon->out, "CPU halted with nothing to wake it\n"); break;
    case MACHINE_SHUTDOWN: fprintf(mon->out, "triple fault (-no-reboot): the CPU is shut down\n"); break;
    case MACHINE_LIMIT: fprintf(mon->out, "instruction limit reached (--max-insns)\n"); break;
    }
    show_pc(mon);
}

static void cmd_step(struct monitor *mon, int argc, char **argv)
{
    uint32_t n = 1;
    if (argc > 1 && !parse_value(mon, argv[1], &n))
        return;
    mon->dbg.single_step = true;
    enum machine_result r = MACHINE_DEBUG;
    for (uint32_t i = 0; i < n; i++) {
        r = run_slice(mon, 1, i == 0);
        if (r != MACHINE_DEBUG || mon->dbg.stop != DEBUG_STEP)
            break;
    }
    mon->dbg.single_step = false;
    report(mon, r);
}

static void cmd_cont(struct monitor *mon, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    struct sigaction sa = {.sa_handler = on_sigint}, old;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old);
    interrupted = 0;
    mon->dbg.single_step = false;
    enum machine_result r;
    for (bool first = true;; first = false) {
        r = run_slice(mon, CONT_SLICE, first);
        if (r != MACHINE_LIMIT || (mon->max_insns && mon->cpu->icount >= mon->max_insns))
            break;
        if (interrupted || (mon->tty && input_waiting(mon))) {
            mon->dbg.stop = DEBUG_REQUEST;
            r = MACHINE_DEBUG;
            break;
        }
    }
    sigaction(SIGINT, &old, NULL);
    report(mon, r);
}

/* ---- breakpoints, watchpoints, trace ---- */

static void list_breaks(struct monitor *mon)
{
    static const char *const kinds[] = {"", "write", "read", "access"};
    if (!mon->dbg.nbp && !mon->dbg.nwp)
        fprintf(mon->out, "no breakpoints or watchpoints\n");
    for (unsigned i = 0; i < mon->dbg.nbp; i++)
        fprintf(mon->out, "breakpoint at 0x%08x\n", mon->dbg.bp[i]);
    for (unsigned i = 0; i < mon->dbg.nwp; i++)
        fprintf(mon->out, "watchpoint (%s) at 0x%08x, %u bytes\n", kinds[mon->dbg.wp[i].kind & 3], mon->dbg.wp[i].addr,
                mon->dbg.wp[i].len);
}

static void cmd_break(struct monitor *mon, int argc, char **argv)
{
    uint32_t a;
    if (argc < 2) {
        list_breaks(mon);
        return;
    }
    if (!parse_value(mon, argv[1], &a))
        return;
    if (debug_add_breakpoint(&mon->dbg, a))
        fprintf(mon->out, "breakpoint at 0x%08x\n", a);
    else
        fprintf(mon->out, "too many breakpoints (%d)\n", DEBUG_MAX_BREAKPOINTS);
}

static void cmd_watch(struct monitor *mon, int argc, char **argv)
{
    uint32_t a, len = 1;
    enum watch_kind kind = WATCH_WRITE;
    if (argc < 2) {
        list_breaks(mon);
        return;
    }
    if (!parse_value(mon, argv[1], &a) || (argc > 2 && !parse_value(mon, argv[2], &len)))
        return;
    if (argc > 3) {
        if (!strcmp(argv[3], "r"))
            kind = WATCH_READ;
        else if (!strcmp(argv[3], "rw") || !strcmp(argv[3], "a"))
            kind = WATCH_ACCESS;
        else if (strcmp(argv[3], "w")) {
            fprintf(mon->out, "watch: kind is w, r or rw\n");
            return;
        }
    }
    if (len == 0 || !debug_add_watchpoint(&mon->dbg, a, len, kind))
        fprintf(mon->out, "cannot add the watchpoint (at most %d, length > 0)\n", DEBUG_MAX_WATCHPOINTS);
    else
        fprintf(mon->out, "watchpoint at 0x%08x, %u bytes\n", a, len);
}

static void cmd_delete(struct monitor *mon, int argc, char **argv)
{
    uint32_t a;
    if (argc < 2 || !parse_value(mon, argv[1], &a)) {
        if (argc < 2)
            fprintf(mon->out, "delete: which address?\n");
        return;
    }
    unsigned gone = debug_remove_breakpoint(&mon->dbg, a);
    for (unsigned i = mon->dbg.nwp; i-- > 0;) {
        struct watchpoint w = mon->dbg.wp[i];
        if (w.addr == a)
            gone += debug_remove_watchpoint(&mon->dbg, w.addr, w.len, (enum watch_kind)w.kind);
    }
    fprintf(mon->out, gone ? "deleted %u at 0x%08x\n" : "nothing at 0x%08x\n", gone ? gone : a, a);
}

static void cmd_trace(struct monitor *mon, int argc, char **argv)
{
    bool on;
    if (argc > 1 && !strcmp(argv[1], "on"))
        on = true;
    else if (argc > 1 && !strcmp(argv[1], "off"))
        on = false;
    else {
        fprintf(mon->out, "trace is %s\n", mon->trace.printing ? "on" : "off");
        return;
    }
    trace_set_printing(&mon->trace, on, mon->out);
    fprintf(mon->out, "trace %s\n", on ? "on" : "off");
}

/* ---- memory ---- */

/* x /FMT ADDR: FMT is [count][format][size] as in gdb and QEMU. */
static void examine(struct monitor *mon, int argc, char **argv, bool physical)
{
    uint32_t count = 1, addr;
    char fmt = 'x', size = 'w';
    const char *a = argc > 1 ? argv[1] : NULL;
    if (a && a[0] == '/') {
        char *end;
        const char *p = a + 1;
        if (*p >= '0' && *p <= '9') {
            count = (uint32_t)strtoul(p, &end, 10);
            p = end;
        }
        for (; *p; p++) {
            if (strchr("xduoci", *p))
                fmt = *p;
            else if (strchr("bhwg", *p))
                size = *p;
            else {
                fprintf(mon->out, "bad format '%c' (formats x d u o c i, sizes b h w g)\n", *p);
                return;
            }
        }
        a = argc > 2 ? argv[2] : NULL;
    }
    if (!a) {
        fprintf(mon->out, "%s: which address?\n", argv[0]);
        return;
    }
    if (!parse_value(mon, a, &addr))
        return;
    if (fmt == 'i') {
        disas_lines(mon, addr, count, physical);
        return;
    }
    unsigned unit = fmt == 'c' ? 1 : size == 'b' ? 1 : size == 'h' ? 2 : size == 'w' ? 4 : 8;
    unsigned per_line = (unit == 1 ? 8 : 16) / unit;
    for (uint32_t i = 0; i < count; i++) {
        uint32_t at = addr + i * unit;
        uint8_t b[8];
        if (guest_read(mon->cpu, at, physical, b, unit) != unit) {
            fprintf(mon->out, "%scannot access memory at 0x%08x (%s)", i ? "\n" : "", at,
                    physical ? "no RAM or ROM there" : "not mapped, or no RAM or ROM there");
            break;
        }
        if (i % per_line == 0)
            fprintf(mon->out, "%s%08x:", i ? "\n" : "", at);
        uint64_t v = 0;
        for (unsigned k = unit; k-- > 0;)
            v = v << 8 | b[k];
        switch (fmt) {
        case 'x': fprintf(mon->out, " 0x%0*llx", (int)unit * 2, (unsigned long long)v); break;
        case 'u': fprintf(mon->out, " %llu", (unsigned long long)v); break;
        case 'o': fprintf(mon->out, " 0%llo", (unsigned long long)v); break;
        case 'd': {
            unsigned sh = 64 - 8 * unit;
            fprintf(mon->out, " %lld", (long long)(int64_t)(v << sh) >> sh);
            break;
        }
        case 'c':
            if (v >= 0x20 && v < 0x7F)
                fprintf(mon->out, " '%c'", (int)v);
            else
                fprintf(mon->out, " '\\x%02x'", (unsigned)v);
            break;
        }
    }
    fputc('\n', mon->out);
}

static void cmd_x(struct monitor *mon, int argc, char **argv) { examine(mon, argc, argv, false); }
static void cmd_xp(struct monitor *mon, int argc, char **argv) { examine(mon, argc, argv, true); }

static void cmd_disas(struct monitor *mon, int argc, char **argv)
{
    uint32_t addr = pc_linear(mon->cpu), n = 10;
    if (argc > 1 && !parse_value(mon, argv[1], &addr))
        return;
    if (argc > 2 && !parse_value(mon, argv[2], &n))
        return;
    fprintf(mon->out, "%s-bit code (from CS)\n", code32(mon->cpu) ? "32" : "16");
    disas_lines(mon, addr, n, false);
}

/* ---- info ---- */

static void info_registers(struct monitor *mon)
{
    static const char *const sn[6] = {"ES", "CS", "SS", "DS", "FS", "GS"};
    struct cpu *c = mon->cpu;
    const uint32_t *r = c->regs;
    uint32_t f = cpu_get_eflags(c);
    FILE *o = mon->out;
    fprintf(o, "EAX=%08x EBX=%08x ECX=%08x EDX=%08x\n", r[R_EAX], r[R_EBX], r[R_ECX], r[R_EDX]);
    fprintf(o, "ESI=%08x EDI=%08x EBP=%08x ESP=%08x\n", r[R_ESI], r[R_EDI], r[R_EBP], r[R_ESP]);
    fprintf(o, "EIP=%08x EFL=%08x [%c%c%c%c%c%c%c] CPL=%u IF=%u HLT=%u A20=%u\n", c->eip, f, f & FL_OF ? 'O' : '-',
            f & FL_DF ? 'D' : '-', f & FL_SF ? 'S' : '-', f & FL_ZF ? 'Z' : '-', f & FL_AF ? 'A' : '-',
            f & FL_PF ? 'P' : '-', f & FL_CF ? 'C' : '-', c->cpl, (f & FL_IF) != 0, c->halted,
            c->mem->a20_mask == 0xFFFFFFFFu);
    for (int i = 0; i < 6; i++)
        fprintf(o, "%s =%04x %08x %08x %08x\n", sn[i], c->seg[i].sel, c->seg[i].base, c->seg[i].limit,
                c->seg[i].attr << 8);
    fprintf(o, "LDT=%04x %08x %08x %08x\n", c->ldtr.sel, c->ldtr.base, c->ldtr.limit, c->ldtr.attr << 8);
    fprintf(o, "TR =%04x %08x %08x %08x\n", c->tr.sel, c->tr.base, c->tr.limit, c->tr.attr << 8);
    fprintf(o, "GDT=     %08x %08x\n", c->gdtr.base, c->gdtr.limit);
    fprintf(o, "IDT=     %08x %08x\n", c->idtr.base, c->idtr.limit);
    fprintf(o, "CR0=%08x CR2=%08x CR3=%08x CR4=%08x\n", c->cr0, c->cr2, c->cr3, c->cr4);
    fprintf(o, "DR0=%08x DR1=%08x DR2=%08x DR3=%08x DR6=%08x DR7=%08x\n", c->dr[0], c->dr[1], c->dr[2], c->dr[3],
            c->dr[6], c->dr[7]);
    fprintf(o, "FCW=%04x FSW=%04x FTW=%04x TOP=%u\n", c->fpu.cw,
            (uint16_t)((c->fpu.sw & ~0x3800u) | ((unsigned)c->fpu.top << 11)), c->fpu.tw, c->fpu.top);
}

static void info_cpu(struct monitor *mon)
{
    struct cpu *c = mon->cpu;
    FILE *o = mon->out;
    const char *mode = !(c->cr0 & CR0_PE)      ? "real mode"
                       : (c->eflags & FL_VM)  ? "virtual-8086 mode"
                       : code32(c)            ? "protected mode, 32-bit code"
                                              : "protected mode, 16-bit code";
    fprintf(o, "model %s: %s, CPL %u, paging %s%s%s\n", c->model ? c->model->name : "?", mode, c->cpl,
            (c->cr0 & CR0_PG) ? "on" : "off", (c->cr4 & CR4_PSE) ? ", PSE" : "", (c->cr4 & CR4_PGE) ? ", PGE" : "");
    fprintf(o, "at %04x:%08x (linear 0x%08x), %llu instructions executed, %s, interrupts %s\n", c->seg[SEG_CS].sel,
            c->eip, pc_linear(c), (unsigned long long)c->icount, c->halted ? "halted" : "running",
            (c->eflags & FL_IF) ? "enabled" : "disabled");
    bool pending = c->intr_pending && c->intr_pending(c->intr_opaque);
    fprintf(o, "external interrupt %s\n", c->intr_pending ? (pending ? "pending" : "not pending") : "line: none connected");
}

/* One descriptor as text (SDM Vol.3 3.4.5, 3.5, 6.11). */
static void desc_text(uint32_t lo, uint32_t hi, char *s, size_t n)
{
    static const char *const sys[16] = {"reserved", "tss16 available", "ldt", "tss16 busy", "call gate16",
                                        "task gate", "interrupt gate16", "trap gate16", "reserved",
                                        "tss32 available", "reserved", "tss32 busy", "call gate32", "reserved",
                                        "interrupt gate32", "trap gate32"};
    unsigned type = (hi >> 8) & 0xF, dpl = (hi >> 13) & 3;
    bool present = (hi >> 15) & 1, s_bit = (hi >> 12) & 1;
    uint32_t base = (lo >> 16) | ((hi & 0xFF) << 16) | (hi & 0xFF000000u);
    uint32_t limit = (lo & 0xFFFF) | (hi & 0xF0000);
    if (hi & 0x800000)
        limit = limit << 12 | 0xFFF;
    if (!s_bit && (type == 4 || type == 5 || type == 6 || type == 7 || type == 0xC || type == 0xE || type == 0xF)) {
        uint32_t off = (lo & 0xFFFF) | (type & 8 ? (hi & 0xFFFF0000u) : 0);
        snprintf(s, n, "%s sel=%04x off=%08x dpl=%u%s%s", sys[type], lo >> 16, off, dpl, present ? " P" : " not-present",
                 type == 5 ? " (task)" : "");
        return;
    }
    char kind[64];
    if (!s_bit)
        snprintf(kind, sizeof(kind), "%s", sys[type]);
    else if (type & 8)
        snprintf(kind, sizeof(kind), "code%s%s%s%s", hi & 0x400000 ? "32" : "16", type & 4 ? " conforming" : "",
                 type & 2 ? " readable" : " execute-only", type & 1 ? " accessed" : "");
    else
        snprintf(kind, sizeof(kind), "data %s%s%s%s", type & 2 ? "rw" : "ro", type & 4 ? " expand-down" : "",
                 hi & 0x400000 ? " big" : "", type & 1 ? " accessed" : "");
    snprintf(s, n, "base=%08x limit=%08x dpl=%u %s%s", base, limit, dpl, kind, present ? "" : " not-present");
}

static void dump_table(struct monitor *mon, uint32_t base, uint32_t limit, bool ldt)
{
    unsigned shown = 0, empty = 0;
    for (uint64_t off = 0; off + 7 <= limit; off += 8) {
        uint8_t b[8];
        uint32_t sel = (uint32_t)off | (ldt ? 4 : 0);
        if (guest_read(mon->cpu, base + (uint32_t)off, false, b, 8) != 8) {
            fprintf(mon->out, "  %04x: cannot access memory at 0x%08x\n", sel, base + (uint32_t)off);
            return;
        }
        uint32_t lo = b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24;
        uint32_t hi = b[4] | b[5] << 8 | b[6] << 16 | (uint32_t)b[7] << 24;
        if (!lo && !hi) {
            empty++;
            continue;
        }
        char text[128];
        desc_text(lo, hi, text, sizeof(text));
        fprintf(mon->out, "  %04x: %08x %08x  %s\n", sel, hi, lo, text);
        shown++;
    }
    fprintf(mon->out, "  (%u descriptors shown, %u empty)\n", shown, empty);
}

static void info_gdt(struct monitor *mon)
{
    struct cpu *c = mon->cpu;
    fprintf(mon->out, "GDT base=%08x limit=%04x\n", c->gdtr.base, c->gdtr.limit);
    dump_table(mon, c->gdtr.base, c->gdtr.limit, false);
}

static void info_ldt(struct monitor *mon)
{
    struct cpu *c = mon->cpu;
    if (!(c->ldtr.sel & ~3u)) {
        fprintf(mon->out, "LDT: null selector (no LDT)\n");
        return;
    }
    fprintf(mon->out, "LDT sel=%04x base=%08x limit=%08x\n", c->ldtr.sel, c->ldtr.base, c->ldtr.limit);
    dump_table(mon, c->ldtr.base, c->ldtr.limit, true);
}

static void info_idt(struct monitor *mon)
{
    struct cpu *c = mon->cpu;
    fprintf(mon->out, "IDT base=%08x limit=%04x\n", c->idtr.base, c->idtr.limit);
    if (!(c->cr0 & CR0_PE)) {
        /* real mode: the interrupt vector table, 4 bytes per vector (SDM Vol.3 20.1.4) */
        fprintf(mon->out, "real mode: vectors are segment:offset\n");
        for (uint32_t v = 0; v < 256 && v * 4 + 3 <= c->idtr.limit; v++) {
            uint8_t b[4];
            if (guest_read(c, c->idtr.base + v * 4, false, b, 4) != 4) {
                fprintf(mon->out, "  %02x: cannot access memory\n", v);
                return;
            }
            fprintf(mon->out, "  %02x: %04x:%04x\n", v, b[2] | b[3] << 8, b[0] | b[1] << 8);
        }
        return;
    }
    unsigned shown = 0;
    for (uint32_t v = 0; v < 256 && v * 8 + 7 <= c->idtr.limit; v++) {
        uint8_t b[8];
        if (guest_read(c, c->idtr.base + v * 8, false, b, 8) != 8) {
            fprintf(mon->out, "  %02x: cannot access memory at 0x%08x\n", v, c->idtr.base + v * 8);
            return;
        }
        uint32_t lo = b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24;
        uint32_t hi = b[4] | b[5] << 8 | b[6] << 16 | (uint32_t)b[7] << 24;
        if (!lo && !hi)
            continue;
        char text[128];
        desc_text(lo, hi, text, sizeof(text));
        fprintf(mon->out, "  %02x: %s\n", v, text);
        shown++;
    }
    fprintf(mon->out, "  (%u gates shown)\n", shown);
}

static void info_tss(struct monitor *mon)
{
    struct cpu *c = mon->cpu;
    FILE *o = mon->out;
    if (!(c->tr.sel & ~3u)) {
        fprintf(o, "TR: null selector (no task loaded)\n");
        return;
    }
    unsigned type = (c->tr.attr >> 0) & 0xF;
    bool t32 = type & 8;
    fprintf(o, "TR sel=%04x base=%08x limit=%08x %s\n", c->tr.sel, c->tr.base, c->tr.limit,
            type == 9 || type == 1 ? "available" : "busy");
    uint8_t b[104];
    size_t want = t32 ? 104 : 44;
    if (guest_read(c, c->tr.base, false, b, want) != want) {
        fprintf(o, "cannot access the TSS at 0x%08x\n", c->tr.base);
        return;
    }
#define W16(i) ((unsigned)(b[i] | b[(i) + 1] << 8))
#define W32(i) ((uint32_t)(b[i] | b[(i) + 1] << 8 | b[(i) + 2] << 16 | (uint32_t)b[(i) + 3] << 24))
    /* SDM Vol.3 8.2.1 (32-bit TSS, figure 8-2) and 8.6 (16-bit TSS, figure 8-11) */
    if (t32) {
        fprintf(o, "32-bit TSS: link=%04x\n", W16(0));
        fprintf(o, "  ss0:esp0=%04x:%08x ss1:esp1=%04x:%08x ss2:esp2=%04x:%08x\n", W16(8), W32(4), W16(16), W32(12),
                W16(24), W32(20));
        fprintf(o, "  cr3=%08x eip=%08x eflags=%08x\n", W32(28), W32(32), W32(36));
        fprintf(o, "  eax=%08x ecx=%08x edx=%08x ebx=%08x esp=%08x ebp=%08x esi=%08x edi=%08x\n", W32(40), W32(44),
                W32(48), W32(52), W32(56), W32(60), W32(64), W32(68));
        fprintf(o, "  es=%04x cs=%04x ss=%04x ds=%04x fs=%04x gs=%04x ldt=%04x T=%u iomap=%04x\n", W16(72), W16(76),
                W16(80), W16(84), W16(88), W16(92), W16(96), b[100] & 1, W16(102));
    } else {
        fprintf(o, "16-bit TSS: link=%04x\n", W16(0));
        fprintf(o, "  ss0:sp0=%04x:%04x ss1:sp1=%04x:%04x ss2:sp2=%04x:%04x\n", W16(4), W16(2), W16(8), W16(6), W16(12),
                W16(10));
        fprintf(o, "  ip=%04x flags=%04x ax=%04x cx=%04x dx=%04x bx=%04x sp=%04x bp=%04x si=%04x di=%04x\n", W16(14),
                W16(16), W16(18), W16(20), W16(22), W16(24), W16(26), W16(28), W16(30), W16(32));
        fprintf(o, "  es=%04x cs=%04x ss=%04x ds=%04x ldt=%04x\n", W16(34), W16(36), W16(38), W16(40), W16(42));
    }
#undef W16
#undef W32
}

static void info_tlb(struct monitor *mon)
{
    struct cpu *c = mon->cpu;
    unsigned n = 0;
    fprintf(mon->out, "software TLB (%u entries each for supervisor and user):\n", TLB_SIZE);
    for (int u = 0; u < 2; u++)
        for (unsigned i = 0; i < TLB_SIZE; i++) {
            const struct tlb_entry *e = &c->tlb[u][i];
            if (e->tag_r & TLB_INVALID)
                continue;
            bool w = !(e->tag_w & TLB_INVALID);
            fprintf(mon->out, "  %s %08x -> %08x %s%s%s%s\n", u ? "user" : "sup ", e->tag_r, e->phys,
                    w ? "rw" : "r-", w && (e->tag_w & TLB_CODE) ? " code" : "", e->global ? " global" : "",
                    e->host ? "" : " mmio");
            n++;
        }
    const struct tlb_stats *s = &c->tlb_stats;
    fprintf(mon->out, "  %u valid; misses %llu, walks %llu, page faults %llu, flushes %llu, page flushes %llu\n", n,
            (unsigned long long)s->misses, (unsigned long long)s->walks, (unsigned long long)s->page_faults,
            (unsigned long long)s->flushes, (unsigned long long)s->page_flushes);
}

struct mem_run {
    bool open;
    uint32_t lin, phys, rights;
    uint64_t end;
};

static void mem_run_flush(struct monitor *mon, struct mem_run *r)
{
    if (!r->open)
        return;
    fprintf(mon->out, "  %08x-%08x -> %08x  %9llu KiB  %c%c%c\n", r->lin, (uint32_t)(r->end - 1), r->phys,
            (unsigned long long)((r->end - r->lin) >> 10), r->rights & PTE_U ? 'u' : '-', 'r',
            r->rights & PTE_W ? 'w' : '-');
    r->open = false;
}

static void mem_run_add(struct monitor *mon, struct mem_run *r, uint32_t lin, uint32_t phys, uint32_t size,
                        uint32_t rights)
{
    if (r->open && r->end == lin && r->rights == rights && r->phys + (uint32_t)(r->end - r->lin) == phys) {
        r->end += size;
        return;
    }
    mem_run_flush(mon, r);
    *r = (struct mem_run){true, lin, phys, rights, (uint64_t)lin + size};
}

static void info_mem(struct monitor *mon)
{
    struct cpu *c = mon->cpu;
    if (!(c->cr0 & CR0_PG)) {
        fprintf(mon->out, "paging is off (CR0.PG=0): linear addresses are physical\n");
        return;
    }
    fprintf(mon->out, "page tables at CR3=%08x (linear range -> physical, size, u=user r=read w=write):\n", c->cr3);
    struct mem_run run = {0};
    for (uint32_t di = 0; di < 1024; di++) {
        uint32_t pde, pte, lin = di << 22;
        if (!phys_u32(c->mem, (c->cr3 & ~0xFFFu) + di * 4, &pde) || !(pde & PTE_P)) {
            mem_run_flush(mon, &run);
            continue;
        }
        if ((pde & PDE_PS) && (c->cr4 & CR4_PSE)) {
            mem_run_add(mon, &run, lin, pde & 0xFFC00000u, 1u << 22, pde & (PTE_U | PTE_W));
            continue;
        }
        for (uint32_t ti = 0; ti < 1024; ti++) {
            if (!phys_u32(c->mem, (pde & ~0xFFFu) + ti * 4, &pte) || !(pte & PTE_P)) {
                mem_run_flush(mon, &run);
                continue;
            }
            mem_run_add(mon, &run, lin | ti << 12, pte & ~0xFFFu, 4096, pte & pde & (PTE_U | PTE_W));
        }
    }
    mem_run_flush(mon, &run);
}

static void info_pic(struct monitor *mon)
{
    if (!mon->pc) {
        fprintf(mon->out, "no PIC on this machine\n");
        return;
    }
    const struct pic_pair *p = &mon->pc->pic;
    for (int i = 0; i < 2; i++) {
        const struct pic_chip *c = &p->chip[i];
        fprintf(mon->out, "%s: irr=%02x isr=%02x imr=%02x lines=%02x elcr=%02x base=%02x priority-add=%u icw3=%02x%s%s%s%s%s\n",
                i ? "slave " : "master", c->irr, c->isr, c->imr, c->lines, c->elcr, c->base, c->prio_add, c->icw3,
                c->init_step ? " (initialising)" : "", c->aeoi ? " aeoi" : "", c->sfnm ? " sfnm" : "",
                c->special_mask ? " special-mask" : "", c->upm ? "" : " mcs80");
    }
    fprintf(mon->out, "INT output %s; acks %llu, spurious %llu/%llu, EOIs %llu\n", p->intr ? "high" : "low",
            (unsigned long long)p->stats.acks, (unsigned long long)p->stats.spurious_master,
            (unsigned long long)p->stats.spurious_slave, (unsigned long long)p->stats.eois);
}

static void info_pit(struct monitor *mon)
{
    static const char *const rw[4] = {"latch", "lsb", "msb", "lsb/msb"};
    static const char *const state[3] = {"idle", "counting", "paused by GATE"};
    if (!mon->pc) {
        fprintf(mon->out, "no PIT on this machine\n");
        return;
    }
    const struct pit *p = &mon->pc->pit;
    for (int i = 0; i < 3; i++) {
        const struct pit_counter *c = &p->c[i];
        fprintf(mon->out, "counter %d: mode %u %s%s count=%u (written %04x) gate=%u %s\n", i, c->mode,
                rw[(c->control >> 4) & 3], c->control & 1 ? " bcd" : "", c->n, c->cr, c->gate,
                c->state < 3 ? state[c->state] : "?");
    }
    fprintf(mon->out, "port 61h=%02x; IRQ 0 edges %llu; virtual time %.6f s\n", p->sysctl,
            (unsigned long long)p->stat_irqs, clock_now(&mon->pc->clock) / 1e9);
}

static void info_irq(struct monitor *mon)
{
    if (!mon->pc) {
        fprintf(mon->out, "no PIC on this machine\n");
        return;
    }
    const struct pic_pair *p = &mon->pc->pic;
    fprintf(mon->out, "IRQ line requested in-service masked trigger\n");
    for (int irq = 0; irq < 16; irq++) {
        const struct pic_chip *c = &p->chip[irq >> 3];
        unsigned b = 1u << (irq & 7);
        fprintf(mon->out, "%3d %4u %9s %9s %6s %s%s\n", irq, (c->lines & b) != 0, c->irr & b ? "yes" : "-",
                c->isr & b ? "yes" : "-", c->imr & b ? "yes" : "-", c->elcr & b ? "level" : "edge",
                irq == 2 ? " (cascade)" : irq == 0 ? " (PIT)" : "");
    }
    fprintf(mon->out, "INTA cycles %llu, PIT IRQ 0 edges %llu\n", (unsigned long long)p->stats.acks,
            (unsigned long long)mon->pc->pit.stat_irqs);
}

static void info_blocks(struct monitor *mon)
{
    struct cpu *c = mon->cpu;
    unsigned valid = 0, pages = 0;
    for (unsigned i = 0; i < DCACHE_SIZE; i++)
        valid += c->dcache[i].valid;
    for (uint32_t p = 0; p < MEM_PAGES; p++)
        pages += c->mem->code_page[p] != 0;
    uint64_t total = c->dcache_hits + c->dcache_misses;
    if (c->jit) {
        const struct jit_stats *s = jit_get_stats(c->jit);
        fprintf(mon->out, "JIT: %u blocks translated now; %llu instructions run in blocks, %llu translations, "
                          "%llu invalidations, %llu flushes\n",
                jit_block_count(c->jit), (unsigned long long)s->insns_run, (unsigned long long)s->translations,
                (unsigned long long)s->invalidations, (unsigned long long)s->flushes);
    } else {
        fprintf(mon->out, "no JIT (--jit=off or no backend): the interpreter runs from the decoded-instruction cache\n");
    }
    fprintf(mon->out, "decode cache: %u of %u entries filled, hits %llu, misses %llu (%.1f%% hits), "
                      "code pages %u, writes to code pages %llu\n",
            valid, DCACHE_SIZE, (unsigned long long)c->dcache_hits, (unsigned long long)c->dcache_misses,
            total ? 100.0 * (double)c->dcache_hits / (double)total : 0.0, pages,
            (unsigned long long)c->mem->code_page_writes);
}

static void info_break(struct monitor *mon) { list_breaks(mon); }

struct info_cmd {
    const char *name;
    void (*fn)(struct monitor *);
    const char *help;
};

static const struct info_cmd info_cmds[] = {
    {"registers", info_registers, "general, segment (selector base limit flags), system and control registers"},
    {"cpu", info_cpu, "CPU model, mode, CPL, paging, instruction count, interrupt state"},
    {"gdt", info_gdt, "the global descriptor table, decoded"},
    {"idt", info_idt, "the interrupt descriptor table (real mode: the vector table)"},
    {"ldt", info_ldt, "the local descriptor table, decoded"},
    {"tss", info_tss, "the current task-state segment"},
    {"tlb", info_tlb, "valid software-TLB entries (linear -> physical page)"},
    {"mem", info_mem, "page-table mappings: linear ranges, physical, user/write rights"},
    {"pic", info_pic, "the 8259A pair (PC only)"},
    {"pit", info_pit, "the 8254 counters (PC only)"},
    {"irq", info_irq, "IRQ lines: requested, in service, masked (PC only)"},
    {"blocks", info_blocks, "the JIT block cache (none yet) and the decode-cache counters"},
    {"break", info_break, "breakpoints and watchpoints"},
};
#define N_INFO (sizeof(info_cmds) / sizeof(info_cmds[0]))

static void cmd_info(struct monitor *mon, int argc, char **argv)
{
    if (argc > 1)
        for (size_t i = 0; i < N_INFO; i++)
            if (!strcmp(argv[1], info_cmds[i].name)) {
                info_cmds[i].fn(mon);
                return;
            }
    if (argc > 1)
        fprintf(mon->out, "info %s: unknown (try 'help info')\n", argv[1]);
    else
        fprintf(mon->out, "info what? (try 'help info')\n");
}

/* QEMU's screendump: the VGA's current frame as a PNG. */
static void cmd_screendump(struct monitor *mon, int argc, char **argv)
{
    char why[300];
    if (argc != 2)
        fprintf(mon->out, "usage: screendump FILE.png\n");
    else if (!mon->pc || !mon->pc->vga.vram)
        fprintf(mon->out, "screendump: this machine has no VGA\n");
    else if (!screenshot_vga(&mon->pc->vga, argv[1], why, sizeof(why)))
        fprintf(mon->out, "screendump: %s\n", why);
}

/* sendkey KEYS (QEMU's syntax): the chord goes into the PS/2 keyboard as virtual-clock events
 * from now on (display.h), so it reaches the guest once the machine runs. */
static void cmd_sendkey(struct monitor *mon, int argc, char **argv)
{
    char why[200];
    if (argc != 2)
        fprintf(mon->out, "usage: sendkey KEYS (e.g. ctrl-alt-delete, shift-a, ret, esc, f1)\n");
    else if (!mon->pc || !mon->pc->display)
        fprintf(mon->out, "sendkey: this machine has no keyboard (-M pc has one)\n");
    else if (!display_sendkey(mon->pc->display, argv[1], why, sizeof(why)))
        fprintf(mon->out, "%s\n", why);
}

static void cmd_quit(struct monitor *mon, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    mon->done = true;
    mon->result = MACHINE_EXIT;
    mon->m->exit_code = 0;
}

static void cmd_help(struct monitor *mon, int argc, char **argv);

struct command {
    const char *name, *alias, *args;
    void (*fn)(struct monitor *, int, char **);
    const char *help;
};

static const struct command commands[] = {
    {"help", "h", "[COMMAND]", cmd_help, "list the commands, or explain one"},
    {"info", "i", "WHAT", cmd_info,
     "show machine state: registers cpu gdt idt ldt tss tlb mem pic pit irq blocks break"},
    {"x", NULL, "/FMT ADDR", cmd_x,
     "examine memory at a linear address (through the page tables, without faults).\n"
     "    FMT is [count][format][size]: format x (hex) d u o c i (instructions),\n"
     "    size b h w g (1 2 4 8 bytes); default /1xw. ADDR: a number, $reg, $pc\n"
     "    (linear CS:EIP), sums like $esp+8"},
    {"xp", NULL, "/FMT ADDR", cmd_xp, "like x, at a physical address"},
    {"disas", "u", "[ADDR [N]]", cmd_disas,
     "disassemble N instructions (default 10) at linear ADDR (default $pc), 16- or\n"
     "    32-bit as CS says"},
    {"step", "s", "[N]", cmd_step, "execute N instructions (default 1), then show the next"},
    {"cont", "c", "", cmd_cont,
     "run until a breakpoint, a watchpoint or the guest's exit; Ctrl-C (or, on a\n"
     "    terminal, Enter) stops it"},
    {"break", "b", "[ADDR]", cmd_break, "stop before executing the instruction at linear ADDR; no ADDR: list"},
    {"watch", "w", "ADDR [LEN [w|r|rw]]", cmd_watch,
     "stop after an instruction that writes (w, default), reads or accesses LEN\n"
     "    bytes (default 1) at linear ADDR"},
    {"delete", "d", "ADDR", cmd_delete, "remove the breakpoint and watchpoints at ADDR"},
    {"trace", NULL, "on|off", cmd_trace,
     "print a line per executed instruction (count, CS:EIP, disassembly, registers\n"
     "    changed) to the --trace/-D file, else here"},
    {"screendump", NULL, "FILE.png", cmd_screendump, "write the screen (the VGA's current frame) as a PNG"},
    {"sendkey", NULL, "KEYS", cmd_sendkey,
     "press and release a key or chord on the PS/2 keyboard, QEMU's names:\n"
     "    ctrl-alt-delete, shift-a, ret, esc, spc, f1, up, kp_enter ..."},
    {"quit", "q", "", cmd_quit, "end the run (exit status 0)"},
};
#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void cmd_help(struct monitor *mon, int argc, char **argv)
{
    for (size_t i = 0; argc > 1 && i < N_COMMANDS; i++) {
        const struct command *c = &commands[i];
        if (strcmp(argv[1], c->name) && (!c->alias || strcmp(argv[1], c->alias)))
            continue;
        fprintf(mon->out, "%s %s\n    %s\n", c->name, c->args, c->help);
        if (c->fn == cmd_info)
            for (size_t k = 0; k < N_INFO; k++)
                fprintf(mon->out, "  info %-10s %s\n", info_cmds[k].name, info_cmds[k].help);
        return;
    }
    if (argc > 1) {
        fprintf(mon->out, "help: no command '%s'\n", argv[1]);
        return;
    }
    for (size_t i = 0; i < N_COMMANDS; i++) {
        char left[40];
        snprintf(left, sizeof(left), "%s %s", commands[i].name, commands[i].args);
        const char *nl = strchr(commands[i].help, '\n');
        fprintf(mon->out, "%-26s %.*s%s\n", left, nl ? (int)(nl - commands[i].help) : (int)strlen(commands[i].help),
                commands[i].help, nl ? " ..." : "");
    }
    fprintf(mon->out, "'help COMMAND' says more; 'help info' lists what info shows.\n");
}

static void execute(struct monitor *mon, char *line)
{
    char *argv[8], fmt[32];
    int argc = 0;
    for (char *tok = strtok(line, " \t\r"); tok && argc < 8; tok = strtok(NULL, " \t\r")) {
        /* gdb's x/4xb: the format glued to the command */
        char *slash = argc == 0 ? strchr(tok, '/') : NULL;
        if (slash && slash != tok) {
            snprintf(fmt, sizeof(fmt), "%s", slash);
            *slash = '\0';
            argv[argc++] = tok;
            argv[argc++] = fmt;
            continue;
        }
        argv[argc++] = tok;
    }
    if (!argc || argv[0][0] == '#')
        return;
    for (size_t i = 0; i < N_COMMANDS; i++) {
        const struct command *c = &commands[i];
        if (!strcmp(argv[0], c->name) || (c->alias && !strcmp(argv[0], c->alias)) ||
            (c->fn == cmd_step && (!strcmp(argv[0], "si") || !strcmp(argv[0], "stepi")))) {
            c->fn(mon, argc, argv);
            return;
        }
    }
    fprintf(mon->out, "unknown command '%s' (try 'help')\n", argv[0]);
}

static void monitor_loop(struct monitor *mon)
{
    fprintf(mon->out, "jitpc monitor: the machine is stopped at the reset vector; type 'help' for commands\n");
    show_pc(mon);
    char line[1024];
    while (!mon->done) {
        fputs("(jitpc) ", mon->out);
        fflush(mon->out);
        if (!read_line(mon, line, sizeof(line))) {
            fputc('\n', mon->out);
            cmd_quit(mon, 0, NULL);
            break;
        }
        if (!mon->tty)
            fprintf(mon->out, "%s\n", line);   /* a transcript that reads like the session */
        execute(mon, line);
        fflush(mon->out);
    }
}

const char *monitor_gdb_command(void *opaque, const char *cmd)
{
    /* gdb's "monitor CMD" (qRcmd): the inspection commands, with their output returned to gdb.
     * Commands that run or stop the machine stay gdb's own (continue, stepi, break, watch). */
    static const char *const gdb_owns[] = {"step", "s", "si", "stepi", "cont", "c", "break", "b",
                                           "watch", "delete", "quit", "q", "trace"};
    struct monitor_gdb *g = opaque;
    static char *buf;
    static size_t len;
    free(buf);
    buf = NULL;
    struct monitor mon;
    memset(&mon, 0, sizeof(mon));
    mon.m = g->m;
    mon.pc = g->pc;
    mon.cpu = &g->m->cpu;
    mon.out = open_memstream(&buf, &len);
    if (!mon.out)
        return "out of memory\n";
    char line[1024];
    snprintf(line, sizeof(line), "%s", cmd);
    char first[32] = "";
    sscanf(line, "%31s", first);
    bool refused = false;
    for (size_t i = 0; i < sizeof(gdb_owns) / sizeof(gdb_owns[0]); i++)
        refused |= !strcmp(first, gdb_owns[i]);
    if (refused)
        fprintf(mon.out, "'%s' is gdb's own command here (continue, stepi, break, watch)\n", first);
    else
        execute(&mon, line);
    fclose(mon.out);
    return buf ? buf : "";
}

enum machine_result monitor_main(struct machine *m, struct pc *pc, const struct monitor_options *o, uint64_t max_insns)
{
    static struct monitor mon;
    memset(&mon, 0, sizeof(mon));
    mon.m = m;
    mon.pc = pc;
    mon.cpu = &m->cpu;
    mon.out = stdout;
    mon.max_insns = max_insns;
    char why[256];
    if (o->monitor && strcmp(o->monitor, "stdio")) {
        fprintf(stderr, "jitpc: -monitor %s: only stdio is supported\n", o->monitor);
        m->exit_code = 1;
        return MACHINE_EXIT;
    }
    if (o->monitor && pc && pc->term_open) {
        fprintf(stderr, "jitpc: -monitor stdio cannot share the terminal with -nographic yet\n");
        m->exit_code = 1;
        return MACHINE_EXIT;
    }
    if (!trace_start(&mon.trace, &m->cpu, &o->trace, why, sizeof(why))) {
        fprintf(stderr, "jitpc: %s\n", why);
        m->exit_code = 1;
        return MACHINE_EXIT;
    }
    enum machine_result r;
    if (o->monitor) {
        mon.in_fd = STDIN_FILENO;
        mon.tty = isatty(STDIN_FILENO);
        m->cpu.dbg = &mon.dbg;
        monitor_loop(&mon);
        m->cpu.dbg = NULL;
        r = mon.result;
    } else {
        r = machine_run(m, max_insns);
    }
    fflush(stdout);
    trace_stop(&mon.trace, stderr);
    return r;
}
