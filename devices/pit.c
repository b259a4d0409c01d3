/* Intel 8254 PIT (datasheet 231164 / 82C54 231244; section and figure names below are the
 * datasheet's) and the PC/AT system control port 0x61.
 *
 * Time. The PC clocks all three counters at 14.31818 MHz / 12 = 105/88 MHz. Virtual ns become
 * PIT clock ticks with exact integer arithmetic, tick(ns) = floor(ns * 105 / 88000), and tick t
 * begins at ns(t) = ceil(t * 88000 / 105), so a count means the same ns on every host and every
 * run (1193182 / 1e9 would be both inexact and drift 0.15 ppm). Tick t is the t-th CLK pulse:
 * a write at any ns within tick t is followed by CLK pulse t + 1.
 *
 * Counting. A counter is never stepped: a count loaded into the counting element (CE) at tick
 * base has counted k = now - base CLK pulses, and the CE and OUT are closed formulas of k for
 * each mode. GATE low in modes 0 and 4 freezes k; a trigger (GATE rising edge) in modes 1, 2,
 * 3, 5 reloads at the next CLK pulse. The only clock event is the next rising edge of OUT0,
 * which pulses IRQ 0 (the 8259 is edge-triggered on it). */
#include "pit.h"

#define PIT_NEVER UINT64_MAX

enum { PIT_IDLE, PIT_RUNNING, PIT_PAUSED };

/* Both in 64-bit arithmetic while the products fit (the first 5 years of virtual time), which
 * gives the same values as the 128-bit forms without their slow division. */
static uint64_t tick_of(uint64_t ns)
{
    if (ns <= UINT64_MAX / 105)
        return ns * 105 / 88000;
    return (uint64_t)((unsigned __int128)ns * 105 / 88000);
}

static uint64_t ns_of(uint64_t tick)
{
    if (tick <= (UINT64_MAX - 104) / 88000)
        return (tick * 88000 + 104) / 105;   /* < CLOCK_NEVER */
    unsigned __int128 ns = ((unsigned __int128)tick * 88000 + 104) / 105;
    return ns >= CLOCK_NEVER ? CLOCK_NEVER - 1 : (uint64_t)ns;
}

static uint64_t now_tick(const struct pit *p)
{
    return tick_of(clock_now(p->clk));
}

static int is_bcd(const struct pit_counter *c)
{
    return c->control & 1;
}

/* "Counter": the largest initial count is 0, meaning 2^16 binary or 10^4 BCD. */
static uint32_t modulus(const struct pit_counter *c)
{
    return is_bcd(c) ? 10000 : 65536;
}

static uint32_t decode_count(const struct pit_counter *c, uint16_t raw)
{
    uint32_t v = raw;
    if (is_bcd(c))
        v = ((raw >> 12) & 15) * 1000u + ((raw >> 8) & 15) * 100u + ((raw >> 4) & 15) * 10u + (raw & 15);
    v %= modulus(c);
    return v ? v : modulus(c);
}

static uint16_t encode_count(const struct pit_counter *c, uint32_t v)
{
    v %= modulus(c);
    if (!is_bcd(c))
        return (uint16_t)v;
    return (uint16_t)((v / 1000) << 12 | (v / 100 % 10) << 8 | (v / 10 % 10) << 4 | v % 10);
}

/* Mode 3, odd counts: OUT is high for (N + 1) / 2 CLK pulses and low for (N - 1) / 2. */
static uint32_t high_len(uint32_t n)
{
    return (n + 1) / 2;
}

/* Modes 2 and 3 load a count written while counting at the end of the period (half-cycle). */
static void sync(struct pit_counter *c, uint64_t t)
{
    if (c->pending && t >= c->pending_at) {
        c->n = c->pending_n;
        c->phase = c->pending_phase;
        c->base = c->pending_at;
        c->pending = 0;
    }
}

/* CLK pulses counted since the CE was loaded; false while no count is in the CE. */
static int elapsed(const struct pit_counter *c, uint64_t t, uint64_t *k)
{
    if (c->state == PIT_PAUSED) {
        *k = c->paused_k;
        return 1;
    }
    if (c->state == PIT_RUNNING && t >= c->base) {
        *k = t - c->base;
        return 1;
    }
    return 0;
}

/* The CE at tick t, as a binary number (may be 65536 / 10000, which reads as 0). */
static uint32_t value_at(struct pit_counter *c, uint64_t t)
{
    uint64_t k;
    sync(c, t);
    if (!elapsed(c, t, &k))
        return c->idle_value;
    uint32_t n = c->n, m = modulus(c);
    switch (c->mode) {
    case 2:
        /* Mode 2: N, N-1, ..., 1, then reload N (Figure 17). */
        return n - (uint32_t)(k % n);
    case 3: {
        /* Mode 3: the CE counts down by two from N (N - 1 for odd N) in each half (Figure 18). */
        uint32_t p = (uint32_t)((k + c->phase) % n), h = high_len(n);
        uint32_t j = p < h ? p : p - h;
        return (n & 1 ? n - 1 : n) - 2 * j;
    }
    default:
        /* Modes 0, 1, 4, 5 wrap around to FFFF (9999 BCD) and keep counting. */
        return (uint32_t)((n + m - k % m) % m);
    }
}

static int out_at(struct pit_counter *c, uint64_t t)
{
    uint64_t k;
    sync(c, t);
    if (!elapsed(c, t, &k))
        return c->idle_out;
    uint32_t n = c->n;
    switch (c->mode) {
    case 0:
    case 1:
        return k >= n;          /* low until terminal count (mode 0) / for N pulses (mode 1) */
    case 2:
        if (c->state == PIT_PAUSED)
            return 1;           /* Figure 21: GATE low sets OUT high immediately */
        return k % n != n - 1;  /* low for one CLK pulse when the count is 1 */
    case 3:
        if (c->state == PIT_PAUSED)
            return 1;
        return (k + c->phase) % n < high_len(n);
    default:
        return k != n;          /* modes 4, 5: one CLK pulse low when the count expires */
    }
}

/* The first tick after t at which OUT goes from low to high, or PIT_NEVER. */
static uint64_t next_rise(struct pit_counter *c, uint64_t t)
{
    sync(c, t);
    if (c->state != PIT_RUNNING)
        return PIT_NEVER;
    uint64_t kmin = t < c->base ? 1 : t - c->base + 1, k;
    uint32_t n = c->n;
    switch (c->mode) {
    case 0:
    case 1:
        k = n >= kmin ? n : PIT_NEVER;
        break;
    case 4:
    case 5:
        k = n + 1 >= kmin ? n + 1 : PIT_NEVER;
        break;
    default:
        /* Figure 22: 1 is not a legal count in modes 2 and 3; OUT never rises with it here. */
        if (n < 2) {
            k = PIT_NEVER;
            break;
        }
        k = kmin + (n - (kmin + c->phase) % n) % n;
        break;
    }
    uint64_t e = k == PIT_NEVER ? PIT_NEVER : c->base + k;
    if (c->pending && e > c->pending_at) {
        struct pit_counter next = *c;
        next.n = c->pending_n;
        next.phase = c->pending_phase;
        next.base = c->pending_at;
        next.pending = 0;
        return next_rise(&next, c->pending_at);
    }
    return e;
}

static void irq_event(void *opaque);

static void rearm(struct pit *p, uint64_t t)
{
    uint64_t e = next_rise(&p->c[0], t);
    if (e == PIT_NEVER)
        clock_cancel(p->clk, irq_event, p);
    else
        clock_schedule(p->clk, ns_of(e), irq_event, p);
}

/* OUT0 rose: the 8259 latches IRQ 0 on the edge. The line is lowered and raised again, so that it
 * stays high until the next edge: an 8259A drops a request whose line falls before INTA (8259A
 * datasheet, "Edge triggered mode"), and in mode 2 OUT0 is high for all but one clock anyway.
 * Edges missed because events ran late are not replayed (the next one is the first after now),
 * as a real PIC would merge them anyway. */
static void irq_event(void *opaque)
{
    struct pit *p = opaque;
    irq_set(p->irq, PIT_IRQ, 0);
    irq_set(p->irq, PIT_IRQ, 1);
    p->stat_irqs++;
    rearm(p, now_tick(p));
}

/* Loads the CE with n at the CLK pulse after tick t, remembering what it shows until then. */
static void load_next_clk(struct pit_counter *c, uint64_t t, uint32_t n, int out_before)
{
    c->idle_value = value_at(c, t);
    c->idle_out = (uint8_t)out_before;
    c->n = n;
    c->phase = 0;
    c->pending = 0;
    c->base = t + 1;
    if (c->null_until > t + 1)
        c->null_until = t + 1;  /* Figure 12: CR -> CE clears null count */
    c->state = PIT_RUNNING;
}

/* A complete count was written to the count register (Figure 12: null count goes to 1). */
static void count_written(struct pit_counter *c, uint64_t t)
{
    uint32_t n = decode_count(c, c->cr);
    c->cr_valid = 1;
    c->null_until = PIT_NEVER;
    switch (c->mode) {
    case 0:
    case 4:
        /* Modes 0, 4: loaded on the next CLK pulse, then counts while GATE is high. */
        load_next_clk(c, t, n, c->mode == 0 ? 0 : out_at(c, t));
        if (!c->gate) {
            c->state = PIT_PAUSED;
            c->paused_k = 0;
        }
        break;
    case 1:
    case 5:
        break;                  /* the count waits for a trigger */
    default:
        if (c->state == PIT_RUNNING && t >= c->base) {
            /* Modes 2, 3: "Writing a new count while counting does not affect the current
             * counting sequence": it is loaded at the end of the period (mode 2) or of the
             * half-cycle (mode 3). */
            uint64_t k = t - c->base;
            uint64_t kr;
            if (c->mode == 2) {
                kr = (k / c->n + 1) * c->n;
                c->pending_phase = 0;
            } else {
                uint32_t pos = (uint32_t)((k + c->phase) % c->n), h = high_len(c->n);
                if (pos < h) {
                    kr = k + (h - pos);         /* the low half-cycle starts with the new count */
                    c->pending_phase = high_len(n);
                } else {
                    kr = k + (c->n - pos);
                    c->pending_phase = 0;
                }
            }
            c->pending = 1;
            c->pending_n = n;
            c->pending_at = c->base + kr;
            c->null_until = c->pending_at;
        } else if (c->state == PIT_RUNNING) {
            c->n = n;                           /* not loaded yet: the newer count is loaded */
            c->null_until = c->base;
        } else if (c->gate) {
            load_next_clk(c, t, n, 1);
        }
        /* GATE low: the next trigger loads the count. */
        break;
    }
}

static void latch_count(struct pit_counter *c, uint64_t t)
{
    /* "Counter Latch Command": a second latch before the count is read is ignored. */
    if (!c->count_latched) {
        c->latch = encode_count(c, value_at(c, t));
        c->count_latched = 1;
    }
}

static void latch_status(struct pit_counter *c, uint64_t t)
{
    if (!c->status_latched) {
        /* Figure 11: OUT, NULL COUNT, then D5-D0 of the control word as written. */
        c->status = (uint8_t)(out_at(c, t) << 7 | (t < c->null_until) << 6 | c->control);
        c->status_latched = 1;
    }
}

static void control_word(struct pit *p, uint8_t v, uint64_t t)
{
    unsigned sc = v >> 6, rw = (v >> 4) & 3;
    if (sc == 3) {
        /* Figure 10, Read-Back Command: D5 = 0 latches counts, D4 = 0 latches status, D3-D1
         * select counters 2-0. */
        for (unsigned i = 0; i < 3; i++) {
            if (!(v & (2u << i)))
                continue;
            if (!(v & 0x20))
                latch_count(&p->c[i], t);
            if (!(v & 0x10))
                latch_status(&p->c[i], t);
        }
        return;
    }
    struct pit_counter *c = &p->c[sc];
    if (rw == 0) {
        latch_count(c, t);
        return;
    }
    /* "Operation Common to All Modes": a control word resets the control logic and sets OUT to
     * its initial state: low in mode 0, high in the others. */
    c->idle_value = value_at(c, t);
    c->control = v & 0x3F;
    c->mode = (v >> 1) & 7;
    if (c->mode > 5)
        c->mode -= 4;           /* Figure 7: M2 is a don't-care for modes 2 and 3 */
    c->idle_out = c->mode != 0;
    c->state = PIT_IDLE;
    c->pending = 0;
    c->cr_valid = 0;
    c->write_msb = c->read_msb = 0;
    c->count_latched = c->status_latched = 0;
    c->null_until = PIT_NEVER;
    if (sc == 0)
        rearm(p, t);
}

static void counter_write(struct pit *p, unsigned i, uint8_t v, uint64_t t)
{
    struct pit_counter *c = &p->c[i];
    switch ((c->control >> 4) & 3) {
    case 1:
        c->cr = v;
        break;
    case 2:
        c->cr = (uint16_t)(v << 8);
        break;
    default:
        if (!c->write_msb) {
            c->cr = (uint16_t)((c->cr & 0xFF00) | v);
            c->write_msb = 1;
            if (c->mode == 0) {
                /* 8254 mode 0: "Writing the first byte disables counting. OUT is set low
                 * immediately (no clock pulse required)". */
                c->idle_value = value_at(c, t);
                c->idle_out = 0;
                c->state = PIT_IDLE;
                c->pending = 0;
                if (i == 0)
                    rearm(p, t);
            }
            return;
        }
        c->cr = (uint16_t)((c->cr & 0x00FF) | v << 8);
        c->write_msb = 0;
        break;
    }
    count_written(c, t);
    if (i == 0)
        rearm(p, t);
}

static uint8_t counter_read(struct pit_counter *c, uint64_t t)
{
    /* Read-Back Command: with both latched, the status comes first, then the count. */
    if (c->status_latched) {
        c->status_latched = 0;
        return c->status;
    }
    uint16_t v = c->count_latched ? c->latch : encode_count(c, value_at(c, t));
    uint8_t b;
    switch ((c->control >> 4) & 3) {
    case 1:
        b = v & 0xFF;
        c->count_latched = 0;
        break;
    case 2:
        b = v >> 8;
        c->count_latched = 0;
        break;
    default:
        /* One byte pointer per counter, shared by latched and live reads ("A program MUST NOT
         * transfer control between reading the first and second byte"). */
        b = c->read_msb ? v >> 8 : v & 0xFF;
        if (c->read_msb)
            c->count_latched = 0;
        c->read_msb ^= 1;
        break;
    }
    return b;
}

/* Figure 21, Gate Pin Operations Summary. */
static void set_gate(struct pit *p, unsigned i, int level, uint64_t t)
{
    struct pit_counter *c = &p->c[i];
    if (c->gate == level)
        return;
    sync(c, t);
    c->gate = (uint8_t)level;
    switch (c->mode) {
    case 0:
    case 4:
        /* Level: low disables counting, high enables it; OUT is unaffected. */
        if (!level && c->state == PIT_RUNNING) {
            c->paused_k = t >= c->base ? t - c->base : 0;
            c->state = PIT_PAUSED;
        } else if (level && c->state == PIT_PAUSED) {
            c->base = t - c->paused_k;  /* the next CLK pulse decrements again */
            c->state = PIT_RUNNING;
        }
        break;
    case 1:
    case 5:
        /* Rising edge initiates counting (mode 1 takes OUT low after the next CLK). */
        if (level && c->cr_valid)
            load_next_clk(c, t, decode_count(c, c->cr), out_at(c, t));
        break;
    default:
        /* Modes 2, 3: low disables counting and sets OUT high; a rising edge reloads. */
        if (!level && c->state == PIT_RUNNING) {
            c->paused_k = t >= c->base ? t - c->base : 0;
            c->pending = 0;
            c->state = PIT_PAUSED;
        } else if (level && c->cr_valid) {
            load_next_clk(c, t, decode_count(c, c->cr), 1);
        }
        break;
    }
    if (i == 0)
        rearm(p, t);
}

static uint8_t read_byte(struct pit *p, uint16_t port)
{
    uint64_t t = now_tick(p);
    if (port >= PIT_PORT_BASE && port < PIT_PORT_BASE + 3)
        return counter_read(&p->c[port - PIT_PORT_BASE], t);
    if (port == PIT_PORT_SYSCTL) {
        /* Bit 4 toggles with each DRAM refresh request, every 18 PIT clocks (15.0857 us) as
         * counter 1 is programmed by the BIOS; bit 5 is OUT2. */
        return (uint8_t)((p->sysctl & 0x0F) | ((t / 18) & 1) << 4 | out_at(&p->c[2], t) << 5);
    }
    return 0xFF;                /* 0x43: "No-Operation (3-State)" (Figure 14) */
}

static void write_byte(struct pit *p, uint16_t port, uint8_t v)
{
    uint64_t t = now_tick(p);
    if (port >= PIT_PORT_BASE && port < PIT_PORT_BASE + 3)
        counter_write(p, port - PIT_PORT_BASE, v, t);
    else if (port == PIT_PORT_BASE + 3)
        control_word(p, v, t);
    else if (port == PIT_PORT_SYSCTL) {
        p->sysctl = v & 0x0F;
        set_gate(p, 2, v & 1, t);
    }
}

/* An 8-bit ISA device: wider accesses are split into byte accesses of consecutive ports. */
static uint32_t pit_read(void *opaque, uint16_t port, unsigned size)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint32_t)read_byte(opaque, (uint16_t)(port + i)) << (8 * i);
    return v;
}

static void pit_write(void *opaque, uint16_t port, uint32_t value, unsigned size)
{
    for (unsigned i = 0; i < size; i++)
        write_byte(opaque, (uint16_t)(port + i), (uint8_t)(value >> (8 * i)));
}

void pit_init(struct pit *p, struct iobus *io, struct irq_bus *irq, struct clock *clk)
{
    *p = (struct pit){0};
    for (unsigned i = 0; i < 3; i++) {
        struct pit_counter *c = &p->c[i];
        c->control = 0x30;      /* "After power-up, the state of the 8254 is undefined" */
        c->gate = i != 2;       /* GATE0 and GATE1 are tied high on the PC */
    }
    p->io = io;
    p->irq = irq;
    p->clk = clk;
    io_map(io, PIT_PORT_BASE, 4, pit_read, pit_write, p);
    io_map(io, PIT_PORT_SYSCTL, 1, pit_read, pit_write, p);
}

void pit_restore(struct pit *p, struct iobus *io, struct irq_bus *irq, struct clock *clk)
{
    p->io = io;
    p->irq = irq;
    p->clk = clk;
    rearm(p, now_tick(p));
}
