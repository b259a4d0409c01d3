/* The PC's two Intel 8259A interrupt controllers (master at 0x20/0x21, slave at 0xA0/0xA1 with
 * its INT wired to the master's IR2) and the PIIX3 ELCR edge/level registers at 0x4D0/0x4D1.
 * The machine installs pic_set_irq as its irq_bus and pic_intr_pending/pic_intr_ack as the
 * CPU's intr_pending/intr_ack, all with the struct pic_pair as opaque.
 *
 * Edge-triggered devices must hold their line high until the interrupt is acknowledged: as on
 * the 8259A ("Edge and Level Triggered Modes"), a request whose line drops before INTA is
 * gone, and an acknowledge with nothing requesting gets the default IR7 (spurious). */
#ifndef JITPC_PIC_H
#define JITPC_PIC_H

#include <stdbool.h>
#include <stdint.h>

#include "core/ioport.h"

/* One 8259A. */
struct pic_chip {
    uint8_t irr;          /* interrupt request register */
    uint8_t isr;          /* in-service register */
    uint8_t imr;          /* interrupt mask register (OCW1) */
    uint8_t lines;        /* levels on the IR0-7 pins */
    uint8_t elcr;         /* PIIX3 ELCR: 1 = level-triggered line */
    uint8_t prio_add;     /* the level with the highest priority (0 after ICW1: IR7 lowest) */
    uint8_t base;         /* ICW2 bits 7:3, the vector of IR0 */
    uint8_t icw3;         /* master: a bit per IR with a slave; slave: its ID in bits 2:0 */
    uint8_t init_step;    /* 0: operational; 2, 3, 4: the ICW expected next on the odd port */
    bool icw4_needed;     /* ICW1 IC4 */
    bool single;          /* ICW1 SNGL */
    bool ltim;            /* ICW1 LTIM: every line level-triggered */
    bool upm;             /* ICW4 uPM: 8086 mode (else MCS-80/85) */
    bool aeoi;            /* ICW4 AEOI */
    bool sfnm;            /* ICW4 SFNM: special fully nested mode */
    bool buffered;        /* ICW4 BUF (no effect here) */
    bool rotate_aeoi;     /* OCW2 rotate in automatic EOI mode */
    bool special_mask;    /* OCW3 SMM */
    bool read_isr;        /* OCW3 RIS: the even port reads ISR, else IRR */
    bool poll;            /* OCW3 P: the next read is a poll */
};

/* Counters for --stats. */
struct pic_stats {
    uint64_t acks;            /* INTA sequences (pic_intr_ack) */
    uint64_t spurious_master; /* default IR7 from the master: vector base+7, no ISR bit set */
    uint64_t spurious_slave;  /* default IR7 from the slave (the master's IR2 was in service) */
    uint64_t polls;           /* poll reads */
    uint64_t eois;            /* EOI commands (OCW2) that cleared an ISR bit */
    uint64_t mcs80_acks;      /* acknowledged in MCS-80/85 mode: answered as 8086 mode anyway */
    uint64_t unhandled;       /* lines outside 0-15 or 2, bytes of wide accesses off our ports,
                               * cascade to a slave that is not there */
};

struct pic_pair {
    struct pic_chip chip[2];  /* [0] master, [1] slave */
    bool intr;                /* the master's INT output (what pic_intr_pending reports) */
    struct pic_stats stats;
};

/* Maps 0x20-0x21, 0xA0-0xA1 and 0x4D0-0x4D1 and puts both chips in their power-on state
 * (pic_reset). */
void pic_init(struct pic_pair *p, struct iobus *io);

/* Power-on state: as after ICW1 with ICW2-4 all zero (base 0, MCS-80 mode), not in an init
 * sequence, no lines high, ELCR all edge. The 8259A has no reset pin; the PIIX3 resets on
 * PCIRST#. */
void pic_reset(struct pic_pair *p);

/* irq_bus handler: ISA line 0-15 to level 0/1. Line 2 is the cascade and takes no device. */
void pic_set_irq(void *opaque, int line, int level);

/* For the CPU: whether the master's INT is asserted, and the INTA sequence returning the
 * vector (always >= 0: a request that went away gives the default IR7). */
bool pic_intr_pending(void *opaque);
int pic_intr_ack(void *opaque);

#endif
