/* Intel 8259A pair and the PIIX3 ELCR. Section names cited are those of the Intel 8259A
 * datasheet (order no. 231468); "PIIX3" is the 82371SB datasheet (ELCR, 4D0h/4D1h). */
#include "pic.h"

#include <string.h>

#define MASTER_CMD 0x20
#define SLAVE_CMD 0xA0
#define ELCR_PORT 0x4D0
#define CASCADE_IR 2   /* the PC/AT wires the slave's INT to the master's IR2 */

/* PIIX3 ELCR1/ELCR2: IRQ0, 1, 2 and IRQ8, 13 are reserved, always edge (read as 0). */
static const uint8_t elcr_mask[2] = {0xF8, 0xDE};

static uint8_t level_mask(const struct pic_chip *c)
{
    /* Figure 6, ICW1 LTIM sets level mode for all eight inputs; the PIIX3 selects it per line
     * through the ELCR. Either one makes a line level-triggered here. */
    return c->ltim ? 0xFF : c->elcr;
}

/* Priority of the highest-priority bit of mask, 0 (highest) to 7, or 8 when mask is empty.
 * "Interrupt Sequence"/"Rotation": priorities run from level prio_add upwards, modulo 8. */
static int priority(const struct pic_chip *c, uint8_t mask)
{
    if (!mask)
        return 8;
    int prio = 0;
    while (!(mask & (1u << ((prio + c->prio_add) & 7))))
        prio++;
    return prio;
}

static bool has_slave(const struct pic_chip *master, int irq)
{
    return !master->single && (master->icw3 & (1u << irq));
}

/* The level a chip would interrupt with now, or -1: its INT output. */
static int chip_irq(const struct pic_chip *c, bool is_master)
{
    int prio = priority(c, c->irr & ~c->imr);
    if (prio == 8)
        return -1;
    uint8_t in_service = c->isr;
    /* "Special Mask Mode": a masked level's ISR bit does not inhibit other levels, so lower
     * priorities are enabled while a routine masks its own level. */
    if (c->special_mask)
        in_service &= ~c->imr;
    int cur = priority(c, in_service);
    int irq = (prio + c->prio_add) & 7;
    if (prio < cur)
        return irq;
    /* "The Special Fully Nest Mode" a.: a slave whose request is in service is not locked out
     * of the master's priority logic (the slave itself only passes higher levels). */
    if (is_master && c->sfnm && prio == cur && has_slave(c, irq))
        return irq;
    return -1;
}

/* A pin changes. "Edge and Level Triggered Modes", Figure 9 (priority cell): in edge mode a
 * low-to-high transition latches the request, and since the request latch is transparent the
 * request disappears again when the pin drops before INTA; in level mode IRR follows the pin. */
static void chip_set_input(struct pic_chip *c, int irq, int level)
{
    uint8_t bit = (uint8_t)(1u << irq);
    if (level) {
        if (!(c->lines & bit) || (level_mask(c) & bit))
            c->irr |= bit;
        c->lines |= bit;
    } else {
        c->lines &= (uint8_t)~bit;
        c->irr &= (uint8_t)~bit;
    }
}

/* "Interrupt Sequence" 4.-6.: INTA sets the ISR bit and resets the IRR bit (a level-triggered
 * request stays while its pin is high); in AEOI mode the ISR bit is reset at the end of the
 * sequence ("Automatic End of Interrupt (AEOI) Mode"), rotating if rotate-in-AEOI is set. */
static void chip_ack(struct pic_chip *c, int irq)
{
    uint8_t bit = (uint8_t)(1u << irq);
    if (!(level_mask(c) & bit))
        c->irr &= (uint8_t)~bit;
    if (c->aeoi) {
        if (c->rotate_aeoi)
            c->prio_add = (uint8_t)((irq + 1) & 7);
    } else {
        c->isr |= bit;
    }
}

/* Recomputes the slave's INT into the master's IR2 and the master's INT to the CPU. */
static void update(struct pic_pair *p)
{
    chip_set_input(&p->chip[0], CASCADE_IR, chip_irq(&p->chip[1], false) >= 0);
    p->intr = chip_irq(&p->chip[0], true) >= 0;
}

/* The slave's INT drops during its acknowledge, so a request still pending afterwards makes a
 * new edge on the master's IR2 (without this a second slave request, e.g. after an AEOI
 * acknowledge, would never reach an edge-triggered master). */
static void slave_acked(struct pic_pair *p)
{
    chip_set_input(&p->chip[0], CASCADE_IR, 0);
    update(p);
}

/* Figure 6, ICW1 and "Initialization Command Words" a.-f. */
static void chip_icw1(struct pic_chip *c, uint8_t v)
{
    c->icw4_needed = v & 0x01;
    c->single = v & 0x02;
    c->ltim = v & 0x08;
    /* a. the edge sense circuit is reset: a pin already high must go low and high again */
    c->irr = c->lines & level_mask(c);
    c->imr = 0;         /* b. */
    c->prio_add = 0;    /* c. IR7 lowest priority */
    c->icw3 = 7;        /* d. slave mode address 7 */
    c->special_mask = false;   /* e. */
    c->read_isr = false;
    /* f. with IC4 = 0 every ICW4 function is zero (MCS-80/85 mode, normal EOI, ...) */
    c->upm = c->aeoi = c->sfnm = c->buffered = false;
    /* Not in the datasheet's list: ISR, rotate-in-AEOI and a pending poll are cleared too, as
     * QEMU and Bochs do, so a re-initialising guest does not inherit stale in-service bits. */
    c->isr = 0;
    c->rotate_aeoi = false;
    c->poll = false;
    c->init_step = 2;
}

static void chip_icw(struct pic_chip *c, uint8_t v)
{
    switch (c->init_step) {
    case 2:
        c->base = v & 0xF8;   /* Figure 6, ICW2: T7-T3 in 8086 mode */
        c->init_step = c->single ? (c->icw4_needed ? 4 : 0) : 3;
        break;
    case 3:
        c->icw3 = v;          /* Figure 6, ICW3 */
        c->init_step = c->icw4_needed ? 4 : 0;
        break;
    case 4:
        c->upm = v & 0x01;    /* Figure 6, ICW4 */
        c->aeoi = v & 0x02;
        c->buffered = v & 0x08;
        c->sfnm = v & 0x10;
        c->init_step = 0;
        break;
    }
}

/* Figure 7, OCW2: R SL EOI in bits 7:5, level L2-L0 in bits 2:0. */
static void chip_ocw2(struct pic_pair *p, struct pic_chip *c, uint8_t v)
{
    int level = v & 7;
    switch (v >> 5) {
    case 0: /* rotate in automatic EOI mode (clear) */
        c->rotate_aeoi = false;
        break;
    case 4: /* rotate in automatic EOI mode (set) */
        c->rotate_aeoi = true;
        break;
    case 1:   /* non-specific EOI: the highest-priority ISR bit ("End of Interrupt") */
    case 5: { /* rotate on non-specific EOI: the level just reset becomes the lowest */
        int prio = priority(c, c->isr);
        if (prio == 8)
            break;
        int irq = (prio + c->prio_add) & 7;
        c->isr &= (uint8_t)~(1u << irq);
        p->stats.eois++;
        if (v >> 5 == 5)
            c->prio_add = (uint8_t)((irq + 1) & 7);
        break;
    }
    case 3: /* specific EOI */
    case 7: /* rotate on specific EOI */
        if (c->isr & (1u << level))
            p->stats.eois++;
        c->isr &= (uint8_t)~(1u << level);
        if (v >> 5 == 7)
            c->prio_add = (uint8_t)((level + 1) & 7);
        break;
    case 6: /* set priority: L becomes the lowest ("Specific Rotation") */
        c->prio_add = (uint8_t)((level + 1) & 7);
        break;
    case 2: /* no operation */
        break;
    }
}

/* Figure 7, OCW3: ESMM SMM in bits 6:5, P in bit 2, RR RIS in bits 1:0. */
static void chip_ocw3(struct pic_chip *c, uint8_t v)
{
    if (v & 0x40)
        c->special_mask = v & 0x20;
    if (v & 0x02)
        c->read_isr = v & 0x01;
    c->poll = v & 0x04;
}

/* "Poll Command": the read is an acknowledge; the word is I in bit 7 (a request was there) and
 * W2-W0, the highest-priority level requesting. */
static uint8_t chip_poll(struct pic_pair *p, int idx)
{
    struct pic_chip *c = &p->chip[idx];
    c->poll = false;
    p->stats.polls++;
    int irq = chip_irq(c, idx == 0);
    if (irq < 0)
        return 0;
    chip_ack(c, irq);
    if (idx == 1)
        slave_acked(p);
    else
        update(p);
    return (uint8_t)(0x80 | irq);
}

static uint8_t pic_read_byte(struct pic_pair *p, int idx, int a0)
{
    struct pic_chip *c = &p->chip[idx];
    /* "Poll Command": the next RD pulse is the poll, overriding a read-register command */
    if (c->poll)
        return chip_poll(p, idx);
    /* "Reading the 8259A Status": A0=1 reads IMR; A0=0 reads IRR or ISR as OCW3 selected */
    if (a0)
        return c->imr;
    return c->read_isr ? c->isr : c->irr;
}

static void pic_write_byte(struct pic_pair *p, int idx, int a0, uint8_t v)
{
    struct pic_chip *c = &p->chip[idx];
    if (!a0) {
        /* Table 2 (command decode): D4=1 is ICW1; else D3=1 is OCW3, D3=0 OCW2 */
        if (v & 0x10)
            chip_icw1(c, v);
        else if (v & 0x08)
            chip_ocw3(c, v);
        else
            chip_ocw2(p, c, v);
    } else if (c->init_step) {
        chip_icw(c, v);
    } else {
        c->imr = v;   /* OCW1 */
    }
    update(p);
}

/* The ISA bus splits a wide access into byte cycles on consecutive ports. */
static uint32_t pic_read(void *opaque, uint16_t port, unsigned size)
{
    struct pic_pair *p = opaque;
    uint32_t value = 0;
    uint16_t base = port & ~1u;
    for (unsigned i = 0; i < size; i++) {
        unsigned a = (unsigned)(port - base) + i;
        uint32_t byte = 0xFF;
        if (a < 2)
            byte = pic_read_byte(p, base == SLAVE_CMD, (int)a);
        else
            p->stats.unhandled++;
        value |= byte << (8 * i);
    }
    return value;
}

static void pic_write(void *opaque, uint16_t port, uint32_t value, unsigned size)
{
    struct pic_pair *p = opaque;
    uint16_t base = port & ~1u;
    for (unsigned i = 0; i < size; i++) {
        unsigned a = (unsigned)(port - base) + i;
        if (a < 2)
            pic_write_byte(p, base == SLAVE_CMD, (int)a, (uint8_t)(value >> (8 * i)));
        else
            p->stats.unhandled++;
    }
}

/* PIIX3 ELCR1 (4D0h, IRQ0-7) and ELCR2 (4D1h, IRQ8-15): 1 = level-triggered. */
static uint32_t elcr_read(void *opaque, uint16_t port, unsigned size)
{
    struct pic_pair *p = opaque;
    uint32_t value = 0;
    for (unsigned i = 0; i < size; i++) {
        unsigned a = (unsigned)(port - ELCR_PORT) + i;
        uint32_t byte = 0xFF;
        if (a < 2)
            byte = p->chip[a].elcr;
        else
            p->stats.unhandled++;
        value |= byte << (8 * i);
    }
    return value;
}

static void elcr_write(void *opaque, uint16_t port, uint32_t value, unsigned size)
{
    struct pic_pair *p = opaque;
    for (unsigned i = 0; i < size; i++) {
        unsigned a = (unsigned)(port - ELCR_PORT) + i;
        if (a >= 2) {
            p->stats.unhandled++;
            continue;
        }
        struct pic_chip *c = &p->chip[a];
        c->elcr = (uint8_t)(value >> (8 * i)) & elcr_mask[a];
        /* lines now level-triggered request while high */
        uint8_t lm = level_mask(c);
        c->irr = (uint8_t)((c->irr & ~lm) | (c->lines & lm));
    }
    update(p);
}

void pic_reset(struct pic_pair *p)
{
    memset(p, 0, sizeof(*p));
}

void pic_init(struct pic_pair *p, struct iobus *io)
{
    pic_reset(p);
    io_map(io, MASTER_CMD, 2, pic_read, pic_write, p);
    io_map(io, SLAVE_CMD, 2, pic_read, pic_write, p);
    io_map(io, ELCR_PORT, 2, elcr_read, elcr_write, p);
}

void pic_set_irq(void *opaque, int line, int level)
{
    struct pic_pair *p = opaque;
    if (line < 0 || line > 15 || line == CASCADE_IR) {
        p->stats.unhandled++;
        return;
    }
    chip_set_input(&p->chip[line >> 3], line & 7, level != 0);
    update(p);
}

bool pic_intr_pending(void *opaque)
{
    const struct pic_pair *p = opaque;
    return p->intr;
}

int pic_intr_ack(void *opaque)
{
    struct pic_pair *p = opaque;
    struct pic_chip *m = &p->chip[0];
    struct pic_chip *s = &p->chip[1];
    p->stats.acks++;
    if (!m->upm)
        p->stats.mcs80_acks++;
    int irq = chip_irq(m, true);
    if (irq < 0) {
        /* "Edge and Level Triggered Modes": the request went away before INTA: default IR7,
         * whose ISR bit is not set */
        p->stats.spurious_master++;
        return m->base | 7;
    }
    chip_ack(m, irq);
    if (!has_slave(m, irq)) {
        update(p);
        return m->base | irq;
    }
    /* "Cascading": the master puts the level on CAS0-2 and the slave with that ID supplies
     * the vector. Only IR2 has a slave on the PC; any other, or a wrong ID: nobody drives the
     * bus, which reads all ones. */
    if (irq != CASCADE_IR || (s->icw3 & 7) != CASCADE_IR) {
        p->stats.unhandled++;
        update(p);
        return 0xFF;
    }
    int sirq = chip_irq(s, false);
    int vec;
    if (sirq < 0) {
        /* the slave's request went away: default IR7 from the slave, no slave ISR bit; the
         * master's IR2 was acknowledged normally and needs its EOI */
        p->stats.spurious_slave++;
        vec = s->base | 7;
    } else {
        chip_ack(s, sirq);
        vec = s->base | sirq;
    }
    slave_acked(p);
    return vec;
}
