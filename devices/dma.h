/* The PC/AT's two Intel 8237A DMA controllers: DMA1 (channels 0-3, bytes, ports 0x00-0x0F) cascaded
 * into channel 4 of DMA2 (channels 4-7, 16-bit words, ports 0xC0-0xDE at even addresses), and the
 * 74LS612 page registers at 0x81-0x8F that supply address bits 16-23. Devices do not include this
 * header: the board hands them dma_transfer_cb with the struct dma as its opaque pointer. */
#ifndef JITPC_DMA_H
#define JITPC_DMA_H

#include <stdbool.h>
#include <stdint.h>

#include "core/ioport.h"
#include "core/mem.h"

struct dma_channel {
    uint16_t base_addr, base_count;   /* as written; reloaded into the current registers on
                                         autoinitialize */
    uint16_t cur_addr, cur_count;     /* count holds transfers - 1: TC when it goes 0 -> FFFF */
    uint8_t mode;                     /* mode register bits 2-7 (bits 0-1 select the channel) */
};

/* One 8237A. */
struct dma_chip {
    struct dma_channel ch[4];
    uint8_t command;                  /* command register (bit 2: controller disable) */
    uint8_t status_tc;                /* status bits 0-3: TC reached, cleared by a status read */
    uint8_t request;                  /* request register bits 0-3 (software DREQ) */
    uint8_t mask;                     /* mask bits 0-3 */
    uint8_t temp;                     /* temporary register (memory-to-memory transfers) */
    bool flipflop;                    /* byte pointer: false = low byte next */
};

struct dma_state {
    struct dma_chip chip[2];          /* [0] = DMA1 (ch 0-3), [1] = DMA2 (ch 4-7) */
    uint8_t page[16];                 /* ports 0x80-0x8F; [0] unused: the board owns port 0x80 */
};

struct dma_stats {
    uint64_t transfers;               /* dma_transfer calls that moved data */
    uint64_t bytes;                   /* bytes moved between devices and memory (or verified) */
    uint64_t masked;                  /* requests refused: channel masked, cascade off, disabled */
    uint64_t tc;                      /* terminal counts reached */
    uint64_t direction_mismatch;      /* device direction disagreed with the mode register */
    uint64_t unhandled;               /* accesses to undecoded ports (odd DMA2 addresses, reads
                                         of write-only registers) */
};

struct dma {
    struct dma_state s;
    struct dma_stats stats;
    struct mem *mem;                  /* host wiring, never saved */
};

/* Power-on reset, then maps 0x00-0x0F, 0x81-0x8F (port 0x80 stays the board's POST port) and
 * 0xC0-0xDF. Returns 0, or -1 when the port map is full. */
int dma_init(struct dma *d, struct iobus *io, struct mem *mem);

/* Hardware RESET (8237A "Master Clear" has the same effect on each chip). */
void dma_reset(struct dma *d);

/* A device with DREQ on channel (0-7) moves up to len bytes between buf and guest memory as the
 * channel is programmed. device_to_memory is the device's direction: it must agree with the
 * mode register's transfer type (write = to memory, read = from memory); verify transfers move
 * nothing but count. 16-bit channels move whole words (len is rounded down to even). Stops at
 * terminal count (*tc = true, TC status bit set, channel masked unless autoinitialize reloaded
 * it). Returns the bytes moved (0 when the channel is masked, in cascade mode, or its chip is
 * disabled; for channels 0-3 also when DMA2 channel 4 is masked: the cascade carries them). */
unsigned dma_transfer(struct dma *d, unsigned channel, void *buf, unsigned len,
                      bool device_to_memory, bool *tc);

/* dma_transfer with a void * first argument: the shape devices take as their DMA hook. */
unsigned dma_transfer_cb(void *opaque, unsigned channel, void *buf, unsigned len,
                         bool device_to_memory, bool *tc);

#endif
