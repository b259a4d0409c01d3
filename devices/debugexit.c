/* isa-debug-exit, as QEMU defines it (hw/misc/debugexit: "-device isa-debug-exit,iobase=0x501,
 * iosize=2"): reads return 0; a write of v, of any width the guest uses, exits with (v << 1) | 1.
 * The status is odd, so it can never be mistaken for a clean 0. */
#include "debugexit.h"

static uint32_t debugexit_read(void *opaque, uint16_t port, unsigned size)
{
    (void)opaque;
    (void)port;
    (void)size;
    return 0;
}

static void debugexit_write(void *opaque, uint16_t port, uint32_t value, unsigned size)
{
    struct debugexit *d = opaque;
    (void)port;
    if (size < 4)
        value &= (1u << (8 * size)) - 1;
    /* The process exit status keeps 8 bits, as QEMU's exit() does. */
    machine_request_exit(d->m, (int)((value << 1) | 1));
}

int debugexit_init(struct debugexit *d, struct iobus *bus, struct machine *m, uint16_t iobase, unsigned iosize)
{
    d->iobase = iobase;
    d->iosize = iosize < 1 ? 1 : iosize > 4 ? 4 : iosize;
    d->m = m;
    return io_map(bus, iobase, d->iosize, debugexit_read, debugexit_write, d);
}
