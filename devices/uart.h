/* National Semiconductor PC16550D / TI TL16C550 UART (the PC's COM ports): eight registers at
 * base..base+7, 16-byte receive and transmit FIFOs, prioritised interrupts, modem control with
 * loopback. Bytes take one character time (from the divisor latch and LCR) in virtual time. */
#ifndef JITPC_UART_H
#define JITPC_UART_H

#include <stdbool.h>
#include <stdint.h>

#include "core/clock.h"
#include "core/ioport.h"
#include "core/irq.h"

#define UART_FIFO_SIZE 16
#define UART_CLOCK_HZ 1843200u    /* the PC's 1.8432 MHz crystal: divisor 1 = 115200 baud */

/* Guest-visible state: plain data, saved and restored byte for byte (DESIGN.md "snapshots"). */
struct uart_state {
    uint8_t ier, lcr, mcr, scr, dll, dlm;
    uint8_t fcr;              /* bits 0 (FIFO enable), 3 (DMA mode), 6-7 (trigger) as written */
    uint8_t lsr_err;          /* LSR bits 1-4 (OE, PE, FE, BI) latched until LSR is read */
    bool lsr_fifo_err;        /* LSR bit 7 */
    uint8_t msr;              /* status in bits 4-7, deltas in bits 0-3 */
    uint8_t modem_inputs;     /* CTS/DSR/RI/DCD pins (MSR bit positions) when not in loopback */
    uint8_t rbr;              /* last byte read from the receiver (what an empty RBR returns) */
    uint8_t rx[UART_FIFO_SIZE], rx_err[UART_FIFO_SIZE];   /* rx_err: LSR bits 2-4 per byte */
    uint8_t rx_head, rx_count;
    uint8_t tx[UART_FIFO_SIZE], tx_head, tx_count;        /* in 16450 mode: the THR, depth 1 */
    uint8_t tsr;              /* transmitter shift register */
    bool tsr_busy;
    bool thri_pending;        /* THRE interrupt latched (cleared by IIR read or THR write) */
    bool timeout_pending;     /* character timeout indication */
    bool irq_level;           /* what the IRQ line was last driven to */
    uint64_t tx_done_at;      /* virtual ns when the TSR byte is out (valid if tsr_busy) */
    uint64_t timeout_at;      /* virtual ns of the character timeout, CLOCK_NEVER if unarmed */
};

struct uart_stats {
    uint64_t tx_bytes;        /* handed to the backend (or looped back) */
    uint64_t rx_bytes;        /* stored in the receiver */
    uint64_t overruns;        /* receiver overrun errors (LSR.OE) */
    uint64_t tx_dropped;      /* THR written while the transmit FIFO/THR was full */
    uint64_t rx_ignored;      /* external input while in loopback (SIN is disconnected) */
    uint64_t ignored_writes;  /* writes to LSR/MSR (read-only; the chip's factory test) */
    uint64_t schedule_failures;
};

struct uart {
    struct uart_state s;
    struct uart_stats stats;
    /* Host wiring, set by uart_init and never saved. */
    struct clock *clk;
    struct irq_bus *irq;
    int line;
    uint16_t base;
    void (*tx)(void *opaque, uint8_t byte);
    void *tx_opaque;
};

/* Power-on reset, then maps base..base+7 on io. line is the ISA IRQ (COM1 4, COM2 3); the line is
 * driven only while MCR.OUT2 is set, as the PC's buffer on OUT2 does. tx (may be NULL) receives
 * each transmitted byte one character time after it leaves the THR. The modem inputs start as a
 * connected terminal (CTS, DSR, DCD asserted). Returns io_map's result (0, or -1). */
int uart_init(struct uart *u, struct iobus *io, uint16_t base, struct irq_bus *irq, int line,
              struct clock *clk, void (*tx)(void *opaque, uint8_t byte), void *tx_opaque);

/* A byte arrives on SIN (from the machine's input queue, which paces bytes at the line rate).
 * Returns false when a byte was lost: an overrun (receiver full; LSR.OE set, as the datasheet
 * says) or loopback mode, where SIN is disconnected. */
bool uart_receive(struct uart *u, uint8_t byte);

/* A break condition arrives on SIN: one zero byte with LSR.BI (PC16550D LSR bit 4). */
bool uart_receive_break(struct uart *u);

/* After u->s has been overwritten with a saved uart_state (uart_init done first): re-schedules
 * the pending transmit and timeout events and re-drives the IRQ line. */
void uart_post_load(struct uart *u);

#endif
