/* Interrupt lines (DESIGN.md "interrupts"): a device raises or lowers its line; the interrupt
 * controller that owns the bus (the 8259 pair, later the APIC) decides delivery to the CPU. */
#ifndef JITPC_IRQ_H
#define JITPC_IRQ_H

struct irq_bus {
    void (*set)(void *opaque, int line, int level);
    void *opaque;
};

static inline void irq_set(struct irq_bus *bus, int line, int level)
{
    if (bus->set)
        bus->set(bus->opaque, line, level);
}

#endif
