/* Intel 8254 programmable interval timer as the PC wires it: counters at ports 0x40-0x42, the
 * control word register at 0x43, all clocked at 105/88 MHz (1.193181818... MHz). Counter 0's OUT
 * drives IRQ 0, counter 1 is the DRAM refresh counter, counter 2's GATE and OUT go to the system
 * control port 0x61 (bit 0 GATE2, bit 1 speaker data enable, bit 4 refresh toggle, bit 5 OUT2),
 * which this device also owns. Counters are computed from virtual time; the only clock event is
 * the next rising edge of OUT0. */
#ifndef JITPC_PIT_H
#define JITPC_PIT_H

#include <stdint.h>

#include "core/clock.h"
#include "core/ioport.h"
#include "core/irq.h"

#define PIT_PORT_BASE 0x40   /* counters 0-2, then the control word register */
#define PIT_PORT_SYSCTL 0x61 /* PC/AT system control port B */
#define PIT_IRQ 0

/* One counter of the 8254. Times are PIT clock ticks: tick(ns) = floor(ns * 105 / 88000). */
struct pit_counter {
    uint8_t control;        /* D5-D0 of the last control word (RW, M, BCD): the status byte's D5-D0 */
    uint8_t mode;           /* 0-5; modes 6 and 7 are stored as 2 and 3 */
    uint8_t gate;           /* level of the GATE input */
    uint8_t state;          /* PIT_IDLE, PIT_RUNNING or PIT_PAUSED (pit.c) */
    uint8_t write_msb;      /* RW = 3: the LSB is written, the next write is the MSB */
    uint8_t read_msb;       /* RW = 3: the next read returns the MSB */
    uint8_t count_latched;  /* the output latch holds a count that has not been read */
    uint8_t status_latched; /* a read-back status byte waits to be read */
    uint8_t status;
    uint8_t cr_valid;       /* a count was written since the control word */
    uint8_t idle_out;       /* OUT while no count is counting (before the loading CLK pulse) */
    uint8_t pending;        /* modes 2, 3: a new count waits for the end of the cycle */
    uint16_t latch;         /* latched count, as read (BCD in BCD mode) */
    uint16_t cr;            /* count register, as written */
    uint32_t n;             /* initial count in the counting element: 1..65536 (1..10000 BCD) */
    uint32_t phase;         /* mode 3: position within the period at tick base */
    uint32_t idle_value;    /* the counting element while no count is counting */
    uint32_t pending_n, pending_phase;
    uint64_t base;          /* tick at which the counting element was loaded with n */
    uint64_t paused_k;      /* PIT_PAUSED: ticks counted when GATE stopped the count */
    uint64_t pending_at;    /* tick at which pending_n is loaded */
    uint64_t null_until;    /* the null count bit reads 1 before this tick */
};

/* One plain struct (DESIGN.md "snapshots"): everything but the host pointers at the end is state. */
struct pit {
    struct pit_counter c[3];
    uint8_t sysctl;         /* port 0x61 bits 3-0 as last written */
    uint64_t stat_irqs;     /* OUT0 rising edges delivered to IRQ 0 */
    struct iobus *io;
    struct irq_bus *irq;
    struct clock *clk;
};

/* Power-on: every counter unprogrammed (mode 0, OUT low, no count), GATE0 and GATE1 tied high,
 * GATE2 low (port 0x61 = 0). Maps ports 0x40-0x43 and 0x61. */
void pit_init(struct pit *p, struct iobus *io, struct irq_bus *irq, struct clock *clk);

/* After restoring the struct from a snapshot: set the host pointers and re-arm the IRQ 0 event.
 * The ports must already be mapped to p. */
void pit_restore(struct pit *p, struct iobus *io, struct irq_bus *irq, struct clock *clk);

#endif
