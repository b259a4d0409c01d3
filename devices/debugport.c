/* Debug console port. */
#include "debugport.h"

static uint32_t debugport_read(void *opaque, uint16_t port, unsigned size)
{
    (void)opaque;
    (void)port;
    (void)size;
    return 0xE9;   /* what Bochs' and QEMU's debug consoles read back, on 0xE9 and 0x402 alike */
}

static void debugport_write(void *opaque, uint16_t port, uint32_t value, unsigned size)
{
    struct debugport *d = opaque;
    (void)port;
    (void)size;
    if (d->out) {
        fputc((int)(value & 0xFF), d->out);
        if ((value & 0xFF) == '\n')
            fflush(d->out);
    }
}

int debugport_init(struct debugport *d, struct iobus *bus, uint16_t port, FILE *out)
{
    d->out = out;
    return io_map(bus, port, 1, debugport_read, debugport_write, d);
}
