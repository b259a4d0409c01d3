/* QEMU's isa-debug-exit device: a write of value v to its port ends the emulator with exit status
 * (v << 1) | 1, so a test guest can report success or failure without a shutdown path. */
#ifndef JITPC_DEBUGEXIT_H
#define JITPC_DEBUGEXIT_H

#include "core/ioport.h"
#include "core/machine.h"

#define DEBUGEXIT_DEFAULT_IOBASE 0x501
#define DEBUGEXIT_DEFAULT_IOSIZE 2   /* QEMU's default "iosize" */

struct debugexit {
    uint16_t iobase;
    unsigned iosize;
    struct machine *m;           /* host pointer: whose run ends */
};

/* Maps [iobase, iobase + iosize), iosize 1..4; returns 0, or -1 when the bus is full. */
int debugexit_init(struct debugexit *d, struct iobus *bus, struct machine *m, uint16_t iobase, unsigned iosize);

#endif
