/* Port I/O bus: 65536 byte-wide ports; a device maps a range with read/write callbacks. */
#ifndef JITPC_IOPORT_H
#define JITPC_IOPORT_H

#include <stdbool.h>
#include <stdint.h>

typedef uint32_t (*io_read_fn)(void *opaque, uint16_t port, unsigned size);
typedef void (*io_write_fn)(void *opaque, uint16_t port, uint32_t value, unsigned size);

struct io_handler {
    io_read_fn read;
    io_write_fn write;
    void *opaque;
};

#define IO_MAX_HANDLERS 255

struct iobus {
    uint8_t port_handler[65536]; /* handler index + 1, 0 = nothing there */
    unsigned nhandlers;
    struct io_handler handlers[IO_MAX_HANDLERS];
    uint64_t unmapped_accesses;
    bool log_unmapped;           /* -d unimp: one line on stderr per access to an unmapped port */
};

void io_init(struct iobus *bus);
/* Map [base, base+count). Returns 0, or -1 when the handler table is full. */
int io_map(struct iobus *bus, uint16_t base, unsigned count, io_read_fn read, io_write_fn write, void *opaque);
/* size 1, 2 or 4. Multi-byte accesses go to the handler of the first port: devices with
 * 16/32-bit registers see them whole; a read of nothing returns all ones (an open ISA bus). */
/* Nothing answers at [base, base+count) any more. */
void io_unmap(struct iobus *bus, uint16_t base, unsigned count);
uint32_t io_read(struct iobus *bus, uint16_t port, unsigned size);
void io_write(struct iobus *bus, uint16_t port, uint32_t value, unsigned size);

#endif
