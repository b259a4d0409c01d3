/* QEMU's firmware configuration interface, traditional (port) access: selector 0x510, data 0x511
 * (QEMU docs/specs/fw_cfg.txt). SeaBIOS reads the RAM size, CPU count and files from it. */
#ifndef JITPC_FWCFG_H
#define JITPC_FWCFG_H

#include <stdint.h>

#include "core/ioport.h"
#include "core/mem.h"

#define FWCFG_MAX_ITEMS 64

struct fwcfg_item {
    uint16_t key;
    uint32_t len;
    uint8_t *data;           /* a heap copy: items are configuration (from the command line), so a
                                snapshot rebuilds them rather than saving them */
    char name[56];           /* file items only */
};

struct fwcfg {
    uint16_t selected;       /* guest-visible state: the selector and the data offset */
    uint32_t pos;
    unsigned nitems, nfiles;
    bool dma;                /* the DMA interface is offered (fwcfg_enable_dma) */
    uint8_t dma_addr[8];     /* the DMA address register, big-endian as the guest wrote it */
    uint64_t dma_transfers;  /* counter */
    struct fwcfg_item items[FWCFG_MAX_ITEMS];
    struct mem *mem;         /* host pointer: where DMA transfers go */
};

/* Maps the ports and adds the fixed items: signature "QEMU", interface ID (no DMA), RAM size,
 * one CPU, no boot menu. */
void fwcfg_init(struct fwcfg *f, struct iobus *io, uint64_t ram_size);
/* Adds a named file (an "etc/..." item); returns 0, or -1 when the table is full. */
int fwcfg_add_file(struct fwcfg *f, const char *name, const void *data, uint32_t len);
/* Adds (or replaces) the item with a fixed key (e.g. QEMU's kernel keys); 0, or -1. */
int fwcfg_add_item(struct fwcfg *f, uint16_t key, const void *data, uint32_t len);
void fwcfg_free(struct fwcfg *f);
/* Offers the DMA interface (docs/specs/fw_cfg.txt "DMA interface"): FW_CFG_ID bit 1, and the
 * 64-bit big-endian DMA address register at ports 0x514-0x51B; a write of its low half (0x518)
 * runs the transfer described by the access structure at that physical address. */
void fwcfg_enable_dma(struct fwcfg *f, struct iobus *io, struct mem *mem);

#endif
