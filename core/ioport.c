/* Port I/O bus. */
#include "ioport.h"

#include <stdio.h>
#include <string.h>

void io_init(struct iobus *bus)
{
    memset(bus, 0, sizeof(*bus));
}

int io_map(struct iobus *bus, uint16_t base, unsigned count, io_read_fn read, io_write_fn write, void *opaque)
{
    if (base + count > 65536)
        return -1;
    /* A device that moves (a PCI BAR reprogrammed) maps the same handler again: reuse its slot
     * so the table does not fill up. */
    unsigned idx;
    for (idx = 0; idx < bus->nhandlers; idx++) {
        const struct io_handler *h = &bus->handlers[idx];
        if (h->read == read && h->write == write && h->opaque == opaque)
            break;
    }
    if (idx == bus->nhandlers) {
        if (bus->nhandlers >= IO_MAX_HANDLERS)
            return -1;
        bus->handlers[bus->nhandlers++] = (struct io_handler){read, write, opaque};
    }
    memset(bus->port_handler + base, (int)idx + 1, count);
    return 0;
}

void io_unmap(struct iobus *bus, uint16_t base, unsigned count)
{
    if (base + count <= 65536)
        memset(bus->port_handler + base, 0, count);
}

static const struct io_handler *handler_of(struct iobus *bus, uint16_t port)
{
    uint8_t idx = bus->port_handler[port];
    return idx ? &bus->handlers[idx - 1] : NULL;
}

uint32_t io_read(struct iobus *bus, uint16_t port, unsigned size)
{
    const struct io_handler *h = handler_of(bus, port);
    if (!h || !h->read) {
        bus->unmapped_accesses++;
        if (bus->log_unmapped)
            fprintf(stderr, "jitpc: unimplemented port read 0x%04x (%u bytes)\n", port, size);
        return size == 4 ? 0xFFFFFFFFu : (1u << (size * 8)) - 1;
    }
    return h->read(h->opaque, port, size);
}

void io_write(struct iobus *bus, uint16_t port, uint32_t value, unsigned size)
{
    const struct io_handler *h = handler_of(bus, port);
    if (!h || !h->write) {
        bus->unmapped_accesses++;
        if (bus->log_unmapped)
            fprintf(stderr, "jitpc: unimplemented port write 0x%04x (%u bytes) = 0x%x\n", port, size, value);
        return;
    }
    h->write(h->opaque, port, value, size);
}
