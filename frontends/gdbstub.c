/* GDB remote serial protocol server ("Remote Protocol" appendix of the GDB manual). One CPU, one
 * thread (id 1), all-stop mode. Addresses from gdb are linear addresses (segment base + offset,
 * as QEMU's stub takes them), translated through the guest's page tables by a walk of our own
 * that never faults and never sets accessed/dirty bits. Breakpoints and watchpoints live in
 * core/debug.c, which the CPU consults; they cost nothing while none is set. */
#define _POSIX_C_SOURCE 200809L
#include "gdbstub.h"
#include "monitor.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define PACKET_MAX 0x4000          /* PacketSize we announce (bytes of packet data) */
#define SLICE_INSNS (1u << 16)     /* instructions between two looks at the socket */
#define NREGS 36                   /* registers in target.xml below */
#define REG_ST0 16
#define REG_FCTRL 24
#define REG_CR0 32

enum action { ACT_NONE, ACT_CONT, ACT_STEP, ACT_KILL, ACT_DETACH };

struct gdbstub {
    int listen_fd, fd;             /* fd: the connected gdb, or -1 */
    uint16_t port;
    bool wait;                     /* -S */
    bool noack;                    /* QStartNoAckMode */
    struct machine *m;
    struct debug dbg;
    /* Z0 and Z1 share the CPU's breakpoint table; these say which kind(s) gdb set at an
     * address, so the stop reply names the right one and removing one keeps the other. */
    uint32_t sw[DEBUG_MAX_BREAKPOINTS], hw[DEBUG_MAX_BREAKPOINTS];
    unsigned nsw, nhw;
    char stop_reply[64];           /* the last stop, for '?' */
    const char *(*monitor_cmd)(void *opaque, const char *cmd);
    void *monitor_opaque;
    uint8_t rbuf[4096];
    size_t rpos, rlen;
    char pkt[PACKET_MAX + 1];      /* the packet being handled (NUL-terminated) */
    char out[2 * PACKET_MAX + 8];  /* the reply being built */
    char last[2 * PACKET_MAX + 8]; /* the last packet sent, framed, for a '-' */
    size_t last_len;
};

/* The target description: gdb's i386 core feature (32bit-core.xml, in gdb's register order, so
 * 'g' and 'p' numbers are the standard ones), no SSE (this CPU has none), then the control
 * registers. */
static const char target_xml[] =
    "<?xml version=\"1.0\"?>\n"
    "<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
    "<target version=\"1.0\">\n"
    "<architecture>i386</architecture>\n"
    "<feature name=\"org.gnu.gdb.i386.core\">\n"
    "<flags id=\"i386_eflags\" size=\"4\">\n"
    "<field name=\"CF\" start=\"0\" end=\"0\"/><field name=\"\" start=\"1\" end=\"1\"/>\n"
    "<field name=\"PF\" start=\"2\" end=\"2\"/><field name=\"AF\" start=\"4\" end=\"4\"/>\n"
    "<field name=\"ZF\" start=\"6\" end=\"6\"/><field name=\"SF\" start=\"7\" end=\"7\"/>\n"
    "<field name=\"TF\" start=\"8\" end=\"8\"/><field name=\"IF\" start=\"9\" end=\"9\"/>\n"
    "<field name=\"DF\" start=\"10\" end=\"10\"/><field name=\"OF\" start=\"11\" end=\"11\"/>\n"
    "<field name=\"NT\" start=\"14\" end=\"14\"/><field name=\"RF\" start=\"16\" end=\"16\"/>\n"
    "<field name=\"VM\" start=\"17\" end=\"17\"/><field name=\"AC\" start=\"18\" end=\"18\"/>\n"
    "<field name=\"VIF\" start=\"19\" end=\"19\"/><field name=\"VIP\" start=\"20\" end=\"20\"/>\n"
    "<field name=\"ID\" start=\"21\" end=\"21\"/>\n"
    "</flags>\n"
    "<reg name=\"eax\" bitsize=\"32\" type=\"int32\" regnum=\"0\"/>\n"
    "<reg name=\"ecx\" bitsize=\"32\" type=\"int32\"/>\n"
    "<reg name=\"edx\" bitsize=\"32\" type=\"int32\"/>\n"
    "<reg name=\"ebx\" bitsize=\"32\" type=\"int32\"/>\n"
    "<reg name=\"esp\" bitsize=\"32\" type=\"data_ptr\"/>\n"
    "<reg name=\"ebp\" bitsize=\"32\" type=\"data_ptr\"/>\n"
    "<reg name=\"esi\" bitsize=\"32\" type=\"int32\"/>\n"
    "<reg name=\"edi\" bitsize=\"32\" type=\"int32\"/>\n"
    "<reg name=\"eip\" bitsize=\"32\" type=\"code_ptr\"/>\n"
    "<reg name=\"eflags\" bitsize=\"32\" type=\"i386_eflags\"/>\n"
    "<reg name=\"cs\" bitsize=\"32\" type=\"int32\"/>\n"
    "<reg name=\"ss\" bitsize=\"32\" type=\"int32\"/>\n"
    "<reg name=\"ds\" bitsize=\"32\" type=\"int32\"/>\n"
    "<reg name=\"es\" bitsize=\"32\" type=\"int32\"/>\n"
    "<reg name=\"fs\" bitsize=\"32\" type=\"int32\"/>\n"
    "<reg name=\"gs\" bitsize=\"32\" type=\"int32\"/>\n"
    "<reg name=\"st0\" bitsize=\"80\" type=\"i387_ext\"/>\n"
    "<reg name=\"st1\" bitsize=\"80\" type=\"i387_ext\"/>\n"
    "<reg name=\"st2\" bitsize=\"80\" type=\"i387_ext\"/>\n"
    "<reg name=\"st3\" bitsize=\"80\" type=\"i387_ext\"/>\n"
    "<reg name=\"st4\" bitsize=\"80\" type=\"i387_ext\"/>\n"
    "<reg name=\"st5\" bitsize=\"80\" type=\"i387_ext\"/>\n"
    "<reg name=\"st6\" bitsize=\"80\" type=\"i387_ext\"/>\n"
    "<reg name=\"st7\" bitsize=\"80\" type=\"i387_ext\"/>\n"
    "<reg name=\"fctrl\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
    "<reg name=\"fstat\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
    "<reg name=\"ftag\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
    "<reg name=\"fiseg\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
    "<reg name=\"fioff\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
    "<reg name=\"foseg\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
    "<reg name=\"fooff\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
    "<reg name=\"fop\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
    "</feature>\n"
    "<feature name=\"org.jitpc.i386.control\">\n"
    "<reg name=\"cr0\" bitsize=\"32\" type=\"int32\" regnum=\"32\" group=\"system\"/>\n"
    "<reg name=\"cr2\" bitsize=\"32\" type=\"int32\" group=\"system\"/>\n"
    "<reg name=\"cr3\" bitsize=\"32\" type=\"int32\" group=\"system\"/>\n"
    "<reg name=\"cr4\" bitsize=\"32\" type=\"int32\" group=\"system\"/>\n"
    "</feature>\n"
    "</target>\n";

/* ---- guest memory, as the CPU sees it, without faults ---- */

/* The page walk is the monitor's (guest_translate, SDM Vol.3 4.3); rights are not checked: a
 * debugger may read and write what the guest could not. */
static bool lin_to_phys(struct cpu *cpu, uint32_t lin, uint32_t *phys)
{
    uint32_t rights;
    return guest_translate(cpu, lin, phys, &rights);
}

/* Only RAM and ROM: reading a device's registers could change it (a UART's receive buffer). */
static bool debug_read_byte(struct gdbstub *g, uint32_t lin, uint8_t *v)
{
    uint32_t phys;
    if (!lin_to_phys(&g->m->cpu, lin, &phys))
        return false;
    const struct mem_region *r = mem_region_at(&g->m->mem, phys);
    if (!r || !r->host)
        return false;
    *v = mem_read8(&g->m->mem, phys);
    return true;
}

/* Writes go through the bus, so cached decodes of the page are retired (self-modifying code). */
static bool debug_write_byte(struct gdbstub *g, uint32_t lin, uint8_t v)
{
    uint32_t phys;
    if (!lin_to_phys(&g->m->cpu, lin, &phys))
        return false;
    const struct mem_region *r = mem_region_at_w(&g->m->mem, phys);
    if (!r || !r->host || r->readonly)
        return false;
    mem_write8(&g->m->mem, phys, v);
    return true;
}

/* ---- hex and registers ---- */

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Parses hex digits at *p up to a non-hex character; false if there are none. */
static bool parse_hex(const char **p, uint32_t *out)
{
    uint32_t v = 0;
    const char *s = *p;
    if (hexval(*s) < 0)
        return false;
    for (; hexval(*s) >= 0; s++)
        v = (v << 4) | (uint32_t)hexval(*s);
    *p = s;
    *out = v;
    return true;
}

static char *put_hex_bytes(char *o, const uint8_t *b, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        *o++ = digits[b[i] >> 4];
        *o++ = digits[b[i] & 15];
    }
    *o = '\0';
    return o;
}

/* Decodes n bytes of hex; false on a bad digit or short input. */
static bool get_hex_bytes(const char *s, uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int hi = hexval(s[2 * i]), lo = hi < 0 ? -1 : hexval(s[2 * i + 1]);
        if (lo < 0)
            return false;
        b[i] = (uint8_t)(hi << 4 | lo);
    }
    return true;
}

static unsigned reg_size(unsigned n) { return n >= REG_ST0 && n < REG_FCTRL ? 10 : 4; }

static void put_le32(uint8_t *b, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        b[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get_le32(const uint8_t *b) { return b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24; }

static const int seg_order[6] = {SEG_CS, SEG_SS, SEG_DS, SEG_ES, SEG_FS, SEG_GS};

/* Register n in gdb's byte order (little-endian); returns its size. */
static unsigned read_reg(struct cpu *cpu, unsigned n, uint8_t *b)
{
    struct fpu *f = &cpu->fpu;
    if (n >= REG_ST0 && n < REG_FCTRL) {
        /* gdb's st0..st7 are ST(0)..ST(7), relative to TOP (SDM Vol.1 8.1.2). */
        const struct f80 *r = &f->st[(f->top + n - REG_ST0) & 7];
        for (int i = 0; i < 8; i++)
            b[i] = (uint8_t)(r->m >> (8 * i));
        b[8] = (uint8_t)r->se;
        b[9] = (uint8_t)(r->se >> 8);
        return 10;
    }
    uint32_t v = 0;
    if (n < 8)
        v = cpu->regs[n];
    else if (n == 8)
        v = cpu->eip;
    else if (n == 9)
        v = cpu_get_eflags(cpu);
    else if (n < REG_ST0)
        v = cpu->seg[seg_order[n - 10]].sel;
    else if (n == REG_FCTRL)
        v = f->cw;
    else if (n == REG_FCTRL + 1)
        v = (f->sw & ~0x3800u) | (uint32_t)(f->top & 7) << 11;
    else if (n == REG_FCTRL + 2)
        v = f->tw;                      /* the full tag word, as FSAVE stores it */
    else if (n == REG_FCTRL + 3)
        v = f->fcs;
    else if (n == REG_FCTRL + 4)
        v = f->fip;
    else if (n == REG_FCTRL + 5)
        v = f->fds;
    else if (n == REG_FCTRL + 6)
        v = f->fdp;
    else if (n == REG_FCTRL + 7)
        v = f->fop;
    else if (n == REG_CR0)
        v = cpu->cr0;
    else if (n == REG_CR0 + 1)
        v = cpu->cr2;
    else if (n == REG_CR0 + 2)
        v = cpu->cr3;
    else if (n == REG_CR0 + 3)
        v = cpu->cr4;
    put_le32(b, v);
    return 4;
}

/* A segment register written by the debugger: real and v8086 mode take sel*16 as the base; in
 * protected mode the descriptor is read from the GDT/LDT (without faults; a selector beyond the
 * table loads a null segment). */
static void write_seg(struct gdbstub *g, int s, uint16_t sel)
{
    struct cpu *cpu = &g->m->cpu;
    struct seg *r = &cpu->seg[s];
    if (!(cpu->cr0 & CR0_PE) || (cpu->eflags & FL_VM)) {
        cpu_load_seg_real(cpu, s, sel);
        return;
    }
    const struct seg *table = (sel & 4) ? &cpu->ldtr : NULL;
    uint32_t base = table ? table->base : cpu->gdtr.base;
    uint32_t limit = table ? table->limit : cpu->gdtr.limit;
    uint8_t d[8];
    bool ok = (sel & ~3u) != 0 && (uint32_t)(sel & ~7u) + 7 <= limit;
    for (unsigned i = 0; ok && i < 8; i++)
        ok = debug_read_byte(g, base + (sel & ~7u) + i, &d[i]);
    r->sel = sel;
    if (!ok) {
        r->base = r->limit = r->attr = r->rights = 0;
        return;
    }
    uint32_t lo = get_le32(d), hi = get_le32(d + 4);
    uint32_t lim = (lo & 0xFFFF) | (hi & 0xF0000);
    r->base = (lo >> 16) | ((hi & 0xFF) << 16) | (hi & 0xFF000000u);
    r->limit = (hi & 0x800000) ? (lim << 12) | 0xFFF : lim;
    r->attr = (hi >> 8) & 0xF0FF;
    /* as core/prot.c's cache_from_desc */
    if (!(hi & 0x1000))
        r->rights = SEG_VALID;
    else if (hi & 0x800)
        r->rights = SEG_VALID | ((hi & 0x200) ? SEG_R : 0);
    else
        r->rights = SEG_VALID | SEG_R | ((hi & 0x200) ? SEG_W : 0) | ((hi & 0x400) ? SEG_DOWN : 0);
}

static void write_reg(struct gdbstub *g, unsigned n, const uint8_t *b)
{
    struct cpu *cpu = &g->m->cpu;
    struct fpu *f = &cpu->fpu;
    if (n >= REG_ST0 && n < REG_FCTRL) {
        struct f80 *r = &f->st[(f->top + n - REG_ST0) & 7];
        r->m = 0;
        for (int i = 0; i < 8; i++)
            r->m |= (uint64_t)b[i] << (8 * i);
        r->se = (uint16_t)(b[8] | b[9] << 8);
        return;
    }
    uint32_t v = get_le32(b);
    if (n < 8)
        cpu->regs[n] = v;
    else if (n == 8)
        cpu->eip = v;
    else if (n == 9)
        cpu_set_eflags(cpu, v);
    else if (n < REG_ST0)
        write_seg(g, seg_order[n - 10], (uint16_t)v);
    else if (n == REG_FCTRL)
        f->cw = (uint16_t)v;
    else if (n == REG_FCTRL + 1) {
        f->sw = (uint16_t)(v & ~0x3800u);
        f->top = (uint8_t)((v >> 11) & 7);
    } else if (n == REG_FCTRL + 2)
        f->tw = (uint16_t)v;
    else if (n == REG_FCTRL + 3)
        f->fcs = (uint16_t)v;
    else if (n == REG_FCTRL + 4)
        f->fip = v;
    else if (n == REG_FCTRL + 5)
        f->fds = (uint16_t)v;
    else if (n == REG_FCTRL + 6)
        f->fdp = v;
    else if (n == REG_FCTRL + 7)
        f->fop = (uint16_t)(v & 0x7FF);
    else if (n == REG_CR0 + 1)
        cpu->cr2 = v;
    else if (n >= REG_CR0) {
        /* CR0, CR3, CR4: paging may change, so every translation goes. */
        if (n == REG_CR0)
            cpu->cr0 = v;
        else if (n == REG_CR0 + 2)
            cpu->cr3 = v;
        else
            cpu->cr4 = v;
        cpu_tlb_flush(cpu);
    }
}

/* ---- the connection ---- */

static void drop_client(struct gdbstub *g)
{
    if (g->fd >= 0)
        close(g->fd);
    g->fd = -1;
    g->noack = false;
    g->rpos = g->rlen = 0;
}

static void send_raw(struct gdbstub *g, const char *s, size_t n)
{
    while (n && g->fd >= 0) {
        ssize_t k = send(g->fd, s, n, MSG_NOSIGNAL);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            drop_client(g);
            return;
        }
        s += k;
        n -= (size_t)k;
    }
}

/* Sends data[0..n) as a packet, escaping the protocol's special characters. */
static void send_packet_n(struct gdbstub *g, const char *data, size_t n)
{
    char *o = g->last;
    unsigned sum = 0;
    *o++ = '$';
    for (size_t i = 0; i < n && o < g->last + sizeof(g->last) - 5; i++) {
        char c = data[i];
        if (c == '$' || c == '#' || c == '}' || c == '*') {
            *o++ = '}';
            sum += '}';
            c ^= 0x20;
        }
        *o++ = c;
        sum += (uint8_t)c;
    }
    o += sprintf(o, "#%02x", sum & 0xFF);
    g->last_len = (size_t)(o - g->last);
    send_raw(g, g->last, g->last_len);
}

static void send_packet(struct gdbstub *g, const char *s) { send_packet_n(g, s, strlen(s)); }

/* The next byte from gdb: waits when block, else -1 if none is there; -2 when gdb is gone. */
static int get_byte(struct gdbstub *g, bool block)
{
    if (g->fd < 0)
        return -2;
    if (g->rpos == g->rlen) {
        struct pollfd p = {.fd = g->fd, .events = POLLIN};
        int r;
        while ((r = poll(&p, 1, block ? -1 : 0)) < 0 && errno == EINTR)
            ;
        if (r == 0)
            return -1;
        ssize_t k = r < 0 ? -1 : recv(g->fd, g->rbuf, sizeof(g->rbuf), 0);
        if (k <= 0) {
            drop_client(g);
            return -2;
        }
        g->rpos = 0;
        g->rlen = (size_t)k;
    }
    return g->rbuf[g->rpos++];
}

/* Waits for one well-formed packet into g->pkt (acknowledged unless in no-ack mode); returns its
 * length, or -1 when gdb is gone. Binary data ('X') is unescaped here. */
static long read_packet(struct gdbstub *g)
{
    for (;;) {
        int c = get_byte(g, true);
        if (c == -2)
            return -1;
        if (c == '-' && g->last_len) {
            send_raw(g, g->last, g->last_len);
            continue;
        }
        if (c != '$')
            continue;                   /* '+' acks, a stray Ctrl-C while stopped */
        size_t n = 0;
        unsigned sum = 0;
        bool esc = false, overflow = false;
        while ((c = get_byte(g, true)) >= 0 && c != '#') {
            sum += (unsigned)c;
            if (esc) {
                c ^= 0x20;
                esc = false;
            } else if (c == '}') {
                esc = true;
                continue;
            }
            if (n < PACKET_MAX)
                g->pkt[n++] = (char)c;
            else
                overflow = true;
        }
        if (c < 0)
            return -1;
        int h = get_byte(g, true), l = h < 0 ? -2 : get_byte(g, true);
        if (l < 0)
            return -1;
        bool good = hexval(h) >= 0 && hexval(l) >= 0 && (unsigned)(hexval(h) << 4 | hexval(l)) == (sum & 0xFF);
        if (!g->noack)
            send_raw(g, good && !overflow ? "+" : "-", 1);
        if (good && !overflow) {
            g->pkt[n] = '\0';
            return (long)n;
        }
    }
}

static bool accept_client(struct gdbstub *g, bool block)
{
    struct pollfd p = {.fd = g->listen_fd, .events = POLLIN};
    int r;
    while ((r = poll(&p, 1, block ? -1 : 0)) < 0 && errno == EINTR)
        ;
    if (r <= 0)
        return false;
    int fd = accept(g->listen_fd, NULL, NULL);
    if (fd < 0)
        return false;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    g->fd = fd;
    g->noack = false;
    g->rpos = g->rlen = 0;
    g->last_len = 0;
    return true;
}

/* ---- breakpoints, stops ---- */

static bool list_has(const uint32_t *l, unsigned n, uint32_t a)
{
    for (unsigned i = 0; i < n; i++)
        if (l[i] == a)
            return true;
    return false;
}

static bool list_remove(uint32_t *l, unsigned *n, uint32_t a)
{
    for (unsigned i = 0; i < *n; i++)
        if (l[i] == a) {
            l[i] = l[--*n];
            return true;
        }
    return false;
}

static void clear_debug(struct gdbstub *g)
{
    memset(&g->dbg, 0, sizeof(g->dbg));
    g->nsw = g->nhw = 0;
}

/* The CPU consults the debug tables only while something is set (core/cpu.c cpu_run). */
static void arm_cpu(struct gdbstub *g)
{
    struct cpu *cpu = &g->m->cpu;
    bool any = g->dbg.nbp || g->dbg.nwp || g->dbg.single_step;
    cpu->dbg = any ? &g->dbg : NULL;
    cpu->dbg_watch = any && g->dbg.nwp != 0;
}

/* Z/z packets: "Ztype,addr,kind". */
static const char *set_point(struct gdbstub *g, const char *p, bool insert)
{
    uint32_t type, addr, len;
    if (!parse_hex(&p, &type) || *p++ != ',' || !parse_hex(&p, &addr) || *p++ != ',' || !parse_hex(&p, &len))
        return "E01";
    struct debug *d = &g->dbg;
    if (type <= 1) {
        uint32_t *l = type ? g->hw : g->sw;
        unsigned *n = type ? &g->nhw : &g->nsw;
        if (insert) {
            if (!list_has(l, *n, addr)) {
                if (*n == DEBUG_MAX_BREAKPOINTS || !debug_add_breakpoint(d, addr))
                    return "E28";       /* ENOSPC */
                l[(*n)++] = addr;
            }
        } else if (list_remove(l, n, addr) && !list_has(g->sw, g->nsw, addr) && !list_has(g->hw, g->nhw, addr)) {
            debug_remove_breakpoint(d, addr);
        }
        return "OK";
    }
    if (type > 4)
        return "";                      /* unsupported type */
    static const enum watch_kind kinds[] = {0, 0, WATCH_WRITE, WATCH_READ, WATCH_ACCESS};
    if (insert)
        return debug_add_watchpoint(d, addr, len, kinds[type]) ? "OK" : "E28";
    debug_remove_watchpoint(d, addr, len, kinds[type]);
    return "OK";
}

/* Builds the stop reply for the CPU's last debug stop. */
static void note_stop(struct gdbstub *g, int why)
{
    struct debug *d = &g->dbg;
    char *o = g->stop_reply;
    size_t cap = sizeof(g->stop_reply);
    if (why == DEBUG_REQUEST) {
        snprintf(o, cap, "T02thread:01;");
    } else if (why == DEBUG_BREAKPOINT) {
        bool hw = list_has(g->hw, g->nhw, d->stop_addr) && !list_has(g->sw, g->nsw, d->stop_addr);
        snprintf(o, cap, "T05thread:01;%s:;", hw ? "hwbreak" : "swbreak");
    } else if (why == DEBUG_WATCHPOINT) {
        /* gdb matches the address against its watched ranges: report the watched byte the
         * access touched first. The access is at most 10 bytes (an 80-bit FPU operand). */
        const struct watchpoint *hit = NULL;
        for (unsigned i = 0; i < d->nwp && !hit; i++) {
            const struct watchpoint *w = &d->wp[i];
            if ((w->kind & d->stop_kind) && d->stop_addr - w->addr < w->len)
                hit = w;
        }
        for (unsigned i = 0; i < d->nwp && !hit; i++) {
            const struct watchpoint *w = &d->wp[i];
            if ((w->kind & d->stop_kind) && w->addr - d->stop_addr < 10)
                hit = w;
        }
        uint32_t addr = d->stop_addr;
        const char *kw = d->stop_kind == WATCH_WRITE ? "watch" : "rwatch";
        if (hit) {
            if (d->stop_addr - hit->addr >= hit->len)
                addr = hit->addr;       /* the access began below the watched range */
            kw = hit->kind == WATCH_ACCESS ? "awatch" : hit->kind == WATCH_READ ? "rwatch" : "watch";
        }
        snprintf(o, cap, "T05thread:01;%s:%x;", kw, addr);
    } else {
        snprintf(o, cap, "T05thread:01;");
    }
}

/* ---- packets ---- */

static void reply_xfer(struct gdbstub *g, const char *args)
{
    /* "features:read:target.xml:OFFSET,LENGTH" */
    static const char prefix[] = "features:read:target.xml:";
    const char *p = args;
    uint32_t off, len;
    if (strncmp(p, prefix, sizeof(prefix) - 1)) {
        send_packet(g, strncmp(p, "features:read:", 14) ? "" : "E00");
        return;
    }
    p += sizeof(prefix) - 1;
    if (!parse_hex(&p, &off) || *p++ != ',' || !parse_hex(&p, &len)) {
        send_packet(g, "E01");
        return;
    }
    size_t total = sizeof(target_xml) - 1;
    if (len > PACKET_MAX - 8)
        len = PACKET_MAX - 8;
    if (off >= total) {
        send_packet(g, "l");
        return;
    }
    size_t n = total - off < len ? total - off : len;
    g->out[0] = off + n < total ? 'm' : 'l';
    memcpy(g->out + 1, target_xml + off, n);
    send_packet_n(g, g->out, n + 1);
}

/* "monitor CMD" in gdb: qRcmd,HEX(CMD). The output goes back as 'O' packets, then OK. */
static void reply_rcmd(struct gdbstub *g, const char *hex)
{
    if (!g->monitor_cmd) {
        send_packet(g, "");
        return;
    }
    size_t n = strlen(hex) / 2;
    char *cmd = malloc(n + 1);
    if (!cmd || !get_hex_bytes(hex, (uint8_t *)cmd, n)) {
        free(cmd);
        send_packet(g, "E01");
        return;
    }
    cmd[n] = '\0';
    const char *text = g->monitor_cmd(g->monitor_opaque, cmd);
    free(cmd);
    if (!text) {
        send_packet(g, "E01");
        return;
    }
    for (size_t len = strlen(text); len; ) {
        size_t chunk = len < 1024 ? len : 1024;
        g->out[0] = 'O';
        put_hex_bytes(g->out + 1, (const uint8_t *)text, chunk);
        send_packet(g, g->out);
        /* gdb acknowledges each 'O' packet before the final reply */
        text += chunk;
        len -= chunk;
    }
    send_packet(g, "OK");
}

/* "vCont;ACTION[:TID];...": one thread, so the first action for it (or for all) decides. */
static enum action parse_vcont(const char *p)
{
    while (*p == ';') {
        p++;
        char a = *p;
        while (*p && *p != ';')
            p++;
        if (a == 's' || a == 'S')
            return ACT_STEP;
        if (a == 'c' || a == 'C')
            return ACT_CONT;
    }
    return ACT_NONE;
}

static enum action handle_packet(struct gdbstub *g, const char *p, size_t len)
{
    struct cpu *cpu = &g->m->cpu;
    uint8_t buf[PACKET_MAX / 2];
    uint32_t a, n;
    const char *q = p + 1;
    switch (p[0]) {
    case '?':
        send_packet(g, g->stop_reply);
        return ACT_NONE;
    case 'g': {
        char *o = g->out;
        for (unsigned r = 0; r < NREGS; r++)
            o = put_hex_bytes(o, buf, read_reg(cpu, r, buf));
        send_packet(g, g->out);
        return ACT_NONE;
    }
    case 'G': {
        size_t need = 0;
        for (unsigned r = 0; r < NREGS; r++)
            need += reg_size(r);
        if (len - 1 < 2 * need || !get_hex_bytes(q, buf, need)) {
            send_packet(g, "E01");
            return ACT_NONE;
        }
        size_t off = 0;
        for (unsigned r = 0; r < NREGS; off += reg_size(r), r++)
            write_reg(g, r, buf + off);
        send_packet(g, "OK");
        return ACT_NONE;
    }
    case 'p':
        if (!parse_hex(&q, &n) || n >= NREGS) {
            send_packet(g, "E01");
            return ACT_NONE;
        }
        put_hex_bytes(g->out, buf, read_reg(cpu, n, buf));
        send_packet(g, g->out);
        return ACT_NONE;
    case 'P':
        if (!parse_hex(&q, &n) || n >= NREGS || *q++ != '=' || strlen(q) < 2 * reg_size(n) ||
            !get_hex_bytes(q, buf, reg_size(n))) {
            send_packet(g, "E01");
            return ACT_NONE;
        }
        write_reg(g, n, buf);
        send_packet(g, "OK");
        return ACT_NONE;
    case 'm': {
        if (!parse_hex(&q, &a) || *q++ != ',' || !parse_hex(&q, &n)) {
            send_packet(g, "E01");
            return ACT_NONE;
        }
        if (n > sizeof(buf))
            n = sizeof(buf);
        uint32_t got = 0;
        while (got < n && debug_read_byte(g, a + got, &buf[got]))
            got++;
        if (got == 0 && n) {
            send_packet(g, "E14");      /* EFAULT: unmapped, or a device */
            return ACT_NONE;
        }
        put_hex_bytes(g->out, buf, got);
        send_packet(g, g->out);
        return ACT_NONE;
    }
    case 'M':
    case 'X': {
        if (!parse_hex(&q, &a) || *q++ != ',' || !parse_hex(&q, &n) || *q++ != ':' || n > sizeof(buf)) {
            send_packet(g, "E01");
            return ACT_NONE;
        }
        size_t have = len - (size_t)(q - p);
        if (p[0] == 'M' ? (have < 2 * (size_t)n || !get_hex_bytes(q, buf, n)) : have < n) {
            send_packet(g, "E01");
            return ACT_NONE;
        }
        if (p[0] == 'X')
            memcpy(buf, q, n);
        bool ok = true;
        for (uint32_t i = 0; i < n && ok; i++)
            ok = debug_write_byte(g, a + i, buf[i]);
        send_packet(g, ok ? "OK" : "E14");
        return ACT_NONE;
    }
    case 'c':
    case 's':
    case 'C':
    case 'S':
        /* "c [ADDR]": resume at ADDR (an offset in CS, like EIP); C/S carry a signal: ignored. */
        if ((p[0] == 'c' || p[0] == 's') && parse_hex(&q, &a))
            cpu->eip = a;
        return p[0] == 'c' || p[0] == 'C' ? ACT_CONT : ACT_STEP;
    case 'v':
        if (!strncmp(p, "vCont?", 6)) {
            send_packet(g, "vCont;c;C;s;S");
        } else if (!strncmp(p, "vCont;", 6)) {
            enum action act = parse_vcont(p + 5);
            if (act != ACT_NONE)
                return act;
            send_packet(g, "E01");
        } else if (!strncmp(p, "vKill", 5)) {
            send_packet(g, "OK");
            return ACT_KILL;
        } else {
            send_packet(g, "");          /* vMustReplyEmpty and everything else */
        }
        return ACT_NONE;
    case 'k':
        return ACT_KILL;                /* no reply (the protocol's 'k' expects none) */
    case 'D':
        send_packet(g, "OK");
        return ACT_DETACH;
    case 'H':
    case 'T':
        send_packet(g, "OK");           /* one thread: every thread id is it */
        return ACT_NONE;
    case 'Z':
    case 'z':
        send_packet(g, set_point(g, q, p[0] == 'Z'));
        return ACT_NONE;
    case 'q':
        if (!strncmp(p, "qSupported", 10))
            send_packet(g, "PacketSize=4000;qXfer:features:read+;swbreak+;hwbreak+;QStartNoAckMode+");
        else if (!strncmp(p, "qXfer:", 6))
            reply_xfer(g, p + 6);
        else if (!strcmp(p, "qAttached") || !strncmp(p, "qAttached:", 10))
            send_packet(g, "1");
        else if (!strcmp(p, "qC"))
            send_packet(g, "QC01");
        else if (!strcmp(p, "qfThreadInfo"))
            send_packet(g, "m01");
        else if (!strcmp(p, "qsThreadInfo"))
            send_packet(g, "l");
        else if (!strncmp(p, "qSymbol", 7))
            send_packet(g, "OK");
        else if (!strncmp(p, "qRcmd,", 6))
            reply_rcmd(g, p + 6);
        else
            send_packet(g, "");
        return ACT_NONE;
    case 'Q':
        if (!strcmp(p, "QStartNoAckMode")) {
            send_packet(g, "OK");
            g->noack = true;
        } else {
            send_packet(g, "");
        }
        return ACT_NONE;
    default:
        send_packet(g, "");
        return ACT_NONE;
    }
}

/* Serves gdb while the machine is stopped, until it resumes, kills or detaches (or goes). */
static enum action serve(struct gdbstub *g)
{
    for (;;) {
        long n = read_packet(g);
        if (n < 0)
            return ACT_DETACH;
        enum action act = handle_packet(g, g->pkt, (size_t)n);
        if (act != ACT_NONE)
            return act;
    }
}

/* ---- the run loop ---- */

static void run_free(struct gdbstub *g)
{
    clear_debug(g);
    arm_cpu(g);
}

enum machine_result gdbstub_run(struct gdbstub *g, struct machine *m, uint64_t max_insns)
{
    struct cpu *cpu = &m->cpu;
    g->m = m;
    uint64_t start = cpu->icount;
    bool stopped = false;
    snprintf(g->stop_reply, sizeof(g->stop_reply), "T05thread:01;");
    if (g->wait) {
        /* -S: nothing runs before gdb has connected and said so. */
        while (!accept_client(g, true))
            ;
        stopped = true;
    }
    for (;;) {
        if (stopped) {
            enum action act = g->fd >= 0 ? serve(g) : ACT_DETACH;
            if (act == ACT_KILL) {
                drop_client(g);
                run_free(g);
                m->exit_code = 0;
                return MACHINE_EXIT;
            }
            if (act == ACT_DETACH) {
                drop_client(g);
                clear_debug(g);
            }
            g->dbg.single_step = act == ACT_STEP;
            /* Resuming at a breakpoint executes its instruction (gdb usually lifts its own
             * breakpoints first; the monitor's "continue" relies on this). */
            g->dbg.skip_bp_once = debug_breakpoint_at(&g->dbg, cpu->seg[SEG_CS].base + cpu->eip);
            g->dbg.stop = DEBUG_NONE;
            if (cpu->stop == CPU_STOP_DEBUG)
                cpu->stop = CPU_RUNNING;
            arm_cpu(g);
            stopped = false;
        }
        uint64_t slice = SLICE_INSNS;
        if (max_insns) {
            uint64_t done = cpu->icount - start;
            if (done >= max_insns)
                return MACHINE_LIMIT;
            if (max_insns - done < slice)
                slice = max_insns - done;
        }
        enum machine_result r = machine_run(m, slice);
        if (r == MACHINE_DEBUG || (r == MACHINE_HALTED && g->fd >= 0)) {
            /* HLT with nothing to wake it: with gdb attached, stop so the state can be seen. */
            int why = r == MACHINE_DEBUG ? g->dbg.stop : DEBUG_STEP;
            if (r == MACHINE_DEBUG && g->fd < 0) {
                /* gdb went away with the CPU already stopping for it */
                cpu->stop = CPU_RUNNING;
                run_free(g);
                continue;
            }
            note_stop(g, why);
            send_packet(g, g->stop_reply);
            stopped = true;
            continue;
        }
        if (r != MACHINE_LIMIT || (max_insns && cpu->icount - start >= max_insns)) {
            if (g->fd >= 0) {
                /* The run is over: gdb sees the process exit with jitpc's status. */
                char w[8];
                snprintf(w, sizeof(w), "W%02x",
                         r == MACHINE_EXIT ? m->exit_code & 0xFF : r == MACHINE_SHUTDOWN ? 2 : r == MACHINE_HALTED ? 3 : 4);
                send_packet(g, w);
                drop_client(g);
            }
            run_free(g);
            return r;
        }
        /* Between slices: a new gdb stops the machine (as QEMU does); Ctrl-C interrupts it. */
        if (g->fd < 0) {
            if (accept_client(g, false))
                stopped = true;
            continue;
        }
        int c;
        while ((c = get_byte(g, false)) >= 0 && c != 0x03)
            ;
        if (c == 0x03) {
            note_stop(g, DEBUG_REQUEST);
            send_packet(g, g->stop_reply);
            stopped = true;
        } else if (c == -2) {
            run_free(g);               /* gdb went away: run on, free of its breakpoints */
        }
    }
}

/* ---- setup ---- */

struct gdbstub *gdbstub_open(const char *spec, bool wait, char *why, size_t whylen)
{
    /* QEMU's forms: tcp::PORT, tcp:HOST:PORT; a bare PORT too. */
    const char *host = "", *ps = spec;
    char hostbuf[64] = "";
    if (!strncmp(spec, "tcp:", 4)) {
        const char *colon = strrchr(spec + 4, ':');
        if (!colon || (size_t)(colon - spec - 4) >= sizeof(hostbuf)) {
            snprintf(why, whylen, "-gdb %s: expected tcp::PORT or tcp:127.0.0.1:PORT", spec);
            return NULL;
        }
        memcpy(hostbuf, spec + 4, (size_t)(colon - spec - 4));
        hostbuf[colon - spec - 4] = '\0';
        host = hostbuf;
        ps = colon + 1;
    }
    char *end;
    errno = 0;
    unsigned long port = strtoul(ps, &end, 10);
    if (errno || *ps == '\0' || *end != '\0' || port > 65535) {
        snprintf(why, whylen, "-gdb %s: expected tcp::PORT or tcp:127.0.0.1:PORT", spec);
        return NULL;
    }
    if (*host && strcmp(host, "127.0.0.1") && strcmp(host, "localhost")) {
        snprintf(why, whylen, "-gdb %s: the stub listens on 127.0.0.1 only", spec);
        return NULL;
    }
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        snprintf(why, whylen, "-gdb %s: socket: %s", spec, strerror(errno));
        return NULL;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t salen = sizeof(sa);
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 1) < 0 ||
        getsockname(fd, (struct sockaddr *)&sa, &salen) < 0) {
        snprintf(why, whylen, "-gdb %s: 127.0.0.1:%lu: %s", spec, port, strerror(errno));
        close(fd);
        return NULL;
    }
    struct gdbstub *g = calloc(1, sizeof(*g));
    if (!g) {
        close(fd);
        snprintf(why, whylen, "-gdb %s: out of memory", spec);
        return NULL;
    }
    g->listen_fd = fd;
    g->fd = -1;
    g->port = ntohs(sa.sin_port);
    g->wait = wait;
    if (port == 0)
        fprintf(stderr, "jitpc: gdb stub listening on 127.0.0.1:%u\n", g->port);
    return g;
}

uint16_t gdbstub_port(const struct gdbstub *g) { return g->port; }

void gdbstub_set_monitor(struct gdbstub *g, const char *(*monitor_cmd)(void *opaque, const char *cmd),
                         void *opaque)
{
    g->monitor_cmd = monitor_cmd;
    g->monitor_opaque = opaque;
}

void gdbstub_close(struct gdbstub *g)
{
    if (!g)
        return;
    drop_client(g);
    close(g->listen_fd);
    free(g);
}
