/* PC16550D UART. References: National Semiconductor PC16550D datasheet (June 1995) and TI
 * TL16C550C datasheet (SLLS177), cited below by register and section name. */
#include "uart.h"

#include <string.h>

enum {
    REG_RBR_THR = 0, REG_IER = 1, REG_IIR_FCR = 2, REG_LCR = 3,
    REG_MCR = 4, REG_LSR = 5, REG_MSR = 6, REG_SCR = 7,
};

#define IER_ERBFI 0x01    /* received data available (and character timeout) */
#define IER_ETBEI 0x02    /* transmitter holding register empty */
#define IER_ELSI 0x04     /* receiver line status */
#define IER_EDSSI 0x08    /* modem status */

#define IIR_NONE 0x01
#define IIR_MSI 0x00
#define IIR_THRI 0x02
#define IIR_RDI 0x04
#define IIR_RLSI 0x06
#define IIR_CTI 0x0C
#define IIR_FIFO 0xC0     /* bits 6-7: set when FCR0 = 1 */

#define FCR_ENABLE 0x01
#define FCR_RX_RESET 0x02
#define FCR_TX_RESET 0x04
#define FCR_DMA 0x08

#define LCR_DLAB 0x80

#define MCR_DTR 0x01
#define MCR_RTS 0x02
#define MCR_OUT1 0x04
#define MCR_OUT2 0x08
#define MCR_LOOP 0x10

#define LSR_DR 0x01
#define LSR_OE 0x02
#define LSR_PE 0x04
#define LSR_FE 0x08
#define LSR_BI 0x10
#define LSR_THRE 0x20
#define LSR_TEMT 0x40
#define LSR_FIFOE 0x80
#define LSR_ERRORS (LSR_OE | LSR_PE | LSR_FE | LSR_BI)

#define MSR_DCTS 0x01
#define MSR_DDSR 0x02
#define MSR_TERI 0x04
#define MSR_DDCD 0x08
#define MSR_CTS 0x10
#define MSR_DSR 0x20
#define MSR_RI 0x40
#define MSR_DCD 0x80

static void tx_done(void *opaque);
static void rx_timeout(void *opaque);

static bool fifo_mode(const struct uart *u)
{
    return u->s.fcr & FCR_ENABLE;
}

static unsigned rx_capacity(const struct uart *u)
{
    return fifo_mode(u) ? UART_FIFO_SIZE : 1;
}

/* FCR bits 6-7: the receiver FIFO interrupt trigger level. */
static unsigned rx_trigger(const struct uart *u)
{
    static const uint8_t level[4] = {1, 4, 8, 14};
    return level[u->s.fcr >> 6];
}

/* One character: start bit, 5-8 data bits, optional parity, 1 stop bit or 2 (1.5 with 5 data
 * bits) per LCR bits 0-3, each bit 16 clocks of the divided 1.8432 MHz clock (PC16550D
 * "Programmable Baud Generator": divisor = clock / (16 * baud)). A divisor of 0 is taken as 65536
 * (the 16-bit counter wraps); the datasheet leaves it undefined. */
static uint64_t char_time_ns(const struct uart *u)
{
    unsigned data = 5 + (u->s.lcr & 3);
    unsigned half_bits = 2 * (1 + data + ((u->s.lcr >> 3) & 1));
    if (u->s.lcr & 0x04)
        half_bits += data == 5 ? 3 : 4;
    else
        half_bits += 2;
    uint64_t div = (uint64_t)u->s.dll | (uint64_t)u->s.dlm << 8;
    if (!div)
        div = 65536;
    return (uint64_t)half_bits * div * 16 * 1000000000ull / (2ull * UART_CLOCK_HZ);
}

static void schedule(struct uart *u, uint64_t when, clock_cb cb)
{
    if (!clock_schedule(u->clk, when, cb, u))
        u->stats.schedule_failures++;
}

static uint8_t msr_status(const struct uart *u)
{
    /* MCR bit 4: in loopback the modem inputs are the MCR outputs: RTS->CTS, DTR->DSR,
     * OUT1->RI, OUT2->DCD. */
    if (u->s.mcr & MCR_LOOP) {
        uint8_t m = u->s.mcr, v = 0;
        if (m & MCR_RTS)
            v |= MSR_CTS;
        if (m & MCR_DTR)
            v |= MSR_DSR;
        if (m & MCR_OUT1)
            v |= MSR_RI;
        if (m & MCR_OUT2)
            v |= MSR_DCD;
        return v;
    }
    return u->s.modem_inputs & 0xF0;
}

/* MSR bits 0-3 record changes since the last MSR read; TERI is RI's trailing edge (1 -> 0). */
static void msr_update(struct uart *u)
{
    uint8_t old = u->s.msr & 0xF0, now = msr_status(u), changed = old ^ now, d = 0;
    if (changed & MSR_CTS)
        d |= MSR_DCTS;
    if (changed & MSR_DSR)
        d |= MSR_DDSR;
    if ((old & MSR_RI) && !(now & MSR_RI))
        d |= MSR_TERI;
    if (changed & MSR_DCD)
        d |= MSR_DDCD;
    u->s.msr = now | (u->s.msr & 0x0F) | d;
}

/* Table IV (Interrupt Control Functions): receiver line status > received data available /
 * character timeout > transmitter holding register empty > modem status. */
static uint8_t iir_source(const struct uart *u)
{
    const struct uart_state *s = &u->s;
    if ((s->ier & IER_ELSI) && (s->lsr_err & LSR_ERRORS))
        return IIR_RLSI;
    if (s->ier & IER_ERBFI) {
        if (s->timeout_pending)
            return IIR_CTI;
        if (s->rx_count && (!fifo_mode(u) || s->rx_count >= rx_trigger(u)))
            return IIR_RDI;
    }
    if ((s->ier & IER_ETBEI) && s->thri_pending && s->tx_count == 0)
        return IIR_THRI;
    if ((s->ier & IER_EDSSI) && (s->msr & 0x0F))
        return IIR_MSI;
    return IIR_NONE;
}

/* On the PC the INTRPT pin reaches the bus through a buffer enabled by OUT2; in loopback the
 * chip forces its modem outputs (OUT2 among them) inactive (MCR bit 4), so the line stays low. */
static void update_irq(struct uart *u)
{
    bool level = iir_source(u) != IIR_NONE && (u->s.mcr & (MCR_OUT2 | MCR_LOOP)) == MCR_OUT2;
    if (level != u->s.irq_level) {
        u->s.irq_level = level;
        irq_set(u->irq, u->line, level);
    }
}

/* --- receiver --- */

/* FIFO Interrupt Mode Operation: the timeout fires when a character has sat in the FIFO with no
 * character received or read for 4 character times. Only in FIFO mode. */
static void rx_arm_timeout(struct uart *u)
{
    if (fifo_mode(u) && u->s.rx_count) {
        u->s.timeout_at = clock_now(u->clk) + 4 * char_time_ns(u);
        schedule(u, u->s.timeout_at, rx_timeout);
    } else if (u->s.timeout_at != CLOCK_NEVER) {
        u->s.timeout_at = CLOCK_NEVER;
        clock_cancel(u->clk, rx_timeout, u);
    }
}

static void rx_timeout(void *opaque)
{
    struct uart *u = opaque;
    u->s.timeout_at = CLOCK_NEVER;
    if (fifo_mode(u) && u->s.rx_count)
        u->s.timeout_pending = true;
    update_irq(u);
}

/* LSR bits 2-4: in FIFO mode a character's errors show when it reaches the top of the FIFO. */
static void rx_reveal_top(struct uart *u)
{
    if (u->s.rx_count)
        u->s.lsr_err |= u->s.rx_err[u->s.rx_head];
}

static bool rx_push(struct uart *u, uint8_t byte, uint8_t err)
{
    struct uart_state *s = &u->s;
    bool ok = true;
    if (s->rx_count == rx_capacity(u)) {
        /* LSR bit 1: in FIFO mode the character in the shift register is overwritten and not
         * transferred to the full FIFO; in 16450 mode the new character replaces the RBR. */
        s->lsr_err |= LSR_OE;
        u->stats.overruns++;
        ok = false;
        if (fifo_mode(u)) {
            update_irq(u);
            return false;
        }
        s->rx_count = 0;
    }
    unsigned i = (s->rx_head + s->rx_count) % UART_FIFO_SIZE;
    s->rx[i] = byte;
    s->rx_err[i] = err;
    s->rx_count++;
    u->stats.rx_bytes++;
    if (s->rx_count == 1)
        rx_reveal_top(u);
    if (err && fifo_mode(u))
        s->lsr_fifo_err = true;
    rx_arm_timeout(u);
    update_irq(u);
    return ok;
}

static uint8_t rx_pop(struct uart *u)
{
    struct uart_state *s = &u->s;
    /* Reading the RBR clears the timeout indication and restarts its timer (FIFO Interrupt Mode
     * Operation). An empty RBR reads as the last character. */
    s->timeout_pending = false;
    if (s->rx_count) {
        s->rbr = s->rx[s->rx_head];
        s->rx_head = (s->rx_head + 1) % UART_FIFO_SIZE;
        s->rx_count--;
        rx_reveal_top(u);
    }
    rx_arm_timeout(u);
    return s->rbr;
}

static void rx_reset(struct uart *u)
{
    u->s.rx_head = u->s.rx_count = 0;
    u->s.timeout_pending = false;
    u->s.lsr_fifo_err = false;
    rx_arm_timeout(u);
}

bool uart_receive(struct uart *u, uint8_t byte)
{
    if (u->s.mcr & MCR_LOOP) {
        u->stats.rx_ignored++;
        return false;
    }
    return rx_push(u, byte, 0);
}

bool uart_receive_break(struct uart *u)
{
    if (u->s.mcr & MCR_LOOP) {
        u->stats.rx_ignored++;
        return false;
    }
    return rx_push(u, 0, LSR_BI);
}

/* --- transmitter --- */

/* Moves the next byte from the THR/FIFO into the shift register at virtual time start; it is on
 * the wire one character time later. The THR becoming empty is what raises the THRE interrupt. */
static void tx_start(struct uart *u, uint64_t start)
{
    struct uart_state *s = &u->s;
    s->tsr = s->tx[s->tx_head];
    s->tx_head = (s->tx_head + 1) % UART_FIFO_SIZE;
    s->tx_count--;
    s->tsr_busy = true;
    if (s->tx_count == 0)
        s->thri_pending = true;
    s->tx_done_at = start + char_time_ns(u);
    schedule(u, s->tx_done_at, tx_done);
}

static void tx_done(void *opaque)
{
    struct uart *u = opaque;
    struct uart_state *s = &u->s;
    uint8_t byte = s->tsr;
    s->tsr_busy = false;
    u->stats.tx_bytes++;
    if (s->tx_count)
        tx_start(u, s->tx_done_at);   /* back to back from when this one ended, however late
                                         the event ran */
    /* MCR bit 4: in loopback the shift register's output goes to the receiver, SOUT stays
     * marking. */
    if (s->mcr & MCR_LOOP)
        rx_push(u, byte, 0);
    else if (u->tx)
        u->tx(u->tx_opaque, byte);
    update_irq(u);
}

static void thr_write(struct uart *u, uint8_t byte)
{
    struct uart_state *s = &u->s;
    s->thri_pending = false;      /* Table IV: writing the THR resets the THRE interrupt */
    unsigned cap = fifo_mode(u) ? UART_FIFO_SIZE : 1;
    if (s->tx_count == cap) {
        u->stats.tx_dropped++;
        if (fifo_mode(u))
            return;
        s->tx_count = 0;          /* 16450 mode: the THR is simply overwritten */
    }
    s->tx[(s->tx_head + s->tx_count) % UART_FIFO_SIZE] = byte;
    s->tx_count++;
    if (!s->tsr_busy)
        tx_start(u, clock_now(u->clk));
}

static void tx_reset(struct uart *u)
{
    if (u->s.tx_count)
        u->s.thri_pending = true;  /* the FIFO became empty */
    u->s.tx_head = u->s.tx_count = 0;
}

/* --- registers --- */

/* FIFO Control Register: bit 0 enables the FIFOs (a change clears both), bits 1-2 reset them
 * (self-clearing; the shift registers are untouched), bit 3 DMA mode, bits 6-7 trigger level.
 * Bits 1-7 are only programmed when bit 0 is written as 1. */
static void fcr_write(struct uart *u, uint8_t v)
{
    bool was = fifo_mode(u), now = v & FCR_ENABLE;
    if (was != now) {
        rx_reset(u);
        u->s.tx_head = u->s.tx_count = 0;
    }
    u->s.fcr = now ? (uint8_t)(v & (FCR_ENABLE | FCR_DMA | 0xC0)) : 0;
    if (now && (v & FCR_RX_RESET))
        rx_reset(u);
    if (now && (v & FCR_TX_RESET))
        tx_reset(u);
    /* FIFO Interrupt Mode Operation: the transmitter interrupt after changing FCR0 is immediate
     * if enabled. */
    if (was != now && u->s.tx_count == 0)
        u->s.thri_pending = true;
    rx_arm_timeout(u);
}

static uint8_t lsr_read(struct uart *u)
{
    struct uart_state *s = &u->s;
    uint8_t v = s->lsr_err;
    if (s->rx_count)
        v |= LSR_DR;
    if (s->tx_count == 0) {
        v |= LSR_THRE;
        if (!s->tsr_busy)
            v |= LSR_TEMT;
    }
    if (fifo_mode(u) && s->lsr_fifo_err)
        v |= LSR_FIFOE;
    /* LSR bits 1-4 clear when read; bit 7 clears if no further errored character is in the FIFO
     * (the top one's error has just been reported). */
    s->lsr_err = 0;
    s->lsr_fifo_err = false;
    for (unsigned i = 1; i < s->rx_count; i++)
        if (s->rx_err[(s->rx_head + i) % UART_FIFO_SIZE])
            s->lsr_fifo_err = true;
    return v;
}

static uint8_t reg_read(struct uart *u, unsigned reg)
{
    struct uart_state *s = &u->s;
    uint8_t v = 0xFF;
    switch (reg) {
    case REG_RBR_THR:
        v = (s->lcr & LCR_DLAB) ? s->dll : rx_pop(u);
        break;
    case REG_IER:
        v = (s->lcr & LCR_DLAB) ? s->dlm : s->ier;
        break;
    case REG_IIR_FCR: {
        uint8_t id = iir_source(u);
        /* Table IV: reading the IIR resets the THRE interrupt when it is the source. */
        if (id == IIR_THRI)
            s->thri_pending = false;
        v = id | (fifo_mode(u) ? IIR_FIFO : 0);
        break;
    }
    case REG_LCR:
        v = s->lcr;
        break;
    case REG_MCR:
        v = s->mcr;
        break;
    case REG_LSR:
        v = lsr_read(u);
        break;
    case REG_MSR:
        v = s->msr;
        s->msr &= 0xF0;           /* MSR bits 0-3 reset when read */
        break;
    case REG_SCR:
        v = s->scr;
        break;
    }
    update_irq(u);
    return v;
}

static void reg_write(struct uart *u, unsigned reg, uint8_t v)
{
    struct uart_state *s = &u->s;
    switch (reg) {
    case REG_RBR_THR:
        if (s->lcr & LCR_DLAB)
            s->dll = v;
        else
            thr_write(u, v);
        break;
    case REG_IER:
        if (s->lcr & LCR_DLAB) {
            s->dlm = v;
        } else {
            /* Enabling ETBEI while the THR is empty raises the THRE interrupt (TL16C550C
             * "Interrupt Enable Register"; what drivers probe with). Bits 4-7 are always 0. */
            if ((v & IER_ETBEI) && !(s->ier & IER_ETBEI) && s->tx_count == 0)
                s->thri_pending = true;
            s->ier = v & 0x0F;
        }
        break;
    case REG_IIR_FCR:
        fcr_write(u, v);
        break;
    case REG_LCR:
        s->lcr = v;
        break;
    case REG_MCR:
        s->mcr = v & 0x1F;        /* MCR bits 5-7 are permanently 0 */
        msr_update(u);
        break;
    case REG_LSR:
    case REG_MSR:
        u->stats.ignored_writes++;
        break;
    case REG_SCR:
        s->scr = v;
        break;
    }
    update_irq(u);
}

/* Wider accesses are taken as byte accesses to consecutive registers. */
static uint32_t uart_io_read(void *opaque, uint16_t port, unsigned size)
{
    struct uart *u = opaque;
    uint32_t v = 0;
    for (unsigned i = 0; i < size; i++) {
        unsigned reg = (uint16_t)(port - u->base) + i;
        v |= (uint32_t)(reg < 8 ? reg_read(u, reg) : 0xFF) << (8 * i);
    }
    return v;
}

static void uart_io_write(void *opaque, uint16_t port, uint32_t value, unsigned size)
{
    struct uart *u = opaque;
    for (unsigned i = 0; i < size; i++) {
        unsigned reg = (uint16_t)(port - u->base) + i;
        if (reg < 8)
            reg_write(u, reg, (uint8_t)(value >> (8 * i)));
    }
}

int uart_init(struct uart *u, struct iobus *io, uint16_t base, struct irq_bus *irq, int line,
              struct clock *clk, void (*tx)(void *opaque, uint8_t byte), void *tx_opaque)
{
    memset(u, 0, sizeof(*u));
    u->clk = clk;
    u->irq = irq;
    u->line = line;
    u->tx = tx;
    u->tx_opaque = tx_opaque;
    u->base = base;
    /* Reset state (TL16C550C "Reset"): IER, FCR, LCR, MCR, LSR errors cleared, LSR THRE/TEMT
     * set, IIR 01h, MSR deltas cleared. The divisor is undefined on the chip: we start at 1. */
    u->s.dll = 1;
    u->s.modem_inputs = MSR_CTS | MSR_DSR | MSR_DCD;
    u->s.msr = u->s.modem_inputs;
    u->s.timeout_at = CLOCK_NEVER;
    return io_map(io, base, 8, uart_io_read, uart_io_write, u);
}

void uart_post_load(struct uart *u)
{
    if (u->s.tsr_busy)
        schedule(u, u->s.tx_done_at, tx_done);
    else
        clock_cancel(u->clk, tx_done, u);
    if (u->s.timeout_at != CLOCK_NEVER)
        schedule(u, u->s.timeout_at, rx_timeout);
    else
        clock_cancel(u->clk, rx_timeout, u);
    irq_set(u->irq, u->line, u->s.irq_level);
}
