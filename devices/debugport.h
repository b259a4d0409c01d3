/* Debug console port (Bochs' and QEMU's port 0xE9): each byte written is printed. */
#ifndef JITPC_DEBUGPORT_H
#define JITPC_DEBUGPORT_H

#include <stdio.h>

#include "core/ioport.h"

struct debugport {
    FILE *out;
};

/* Maps the port; reads return 0xE9 (how guests such as SeaBIOS detect it, as on Bochs/QEMU). */
int debugport_init(struct debugport *d, struct iobus *bus, uint16_t port, FILE *out);

#endif
