/* PIIX3 IDE controller (PCI function 00:01.1 of the PIIX3): two legacy ATA channels (primary
 * 0x1F0-0x1F7 + 0x3F6, IRQ 14; secondary 0x170-0x177 + 0x376, IRQ 15), each with a master and a
 * slave that is an ATA disk or an ATAPI CD-ROM, and the bus-master IDE function (SFF-8038i) at
 * the 16 ports of PCI BAR4. References: ATA/ATAPI-6 (T13 1410D), MMC-3 (T10 1363D), SPC-2,
 * SFF-8038i rev 1.0, Intel 82371SB (PIIX3) datasheet. */
#ifndef JITPC_IDE_H
#define JITPC_IDE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/block.h"
#include "core/clock.h"
#include "core/ioport.h"
#include "core/irq.h"
#include "core/mem.h"

#define IDE_BUF_SIZE (32u * 1024)     /* 16 CD sectors, 64 disk sectors */

/* One device: its task file, its transfer in progress and its settings. Plain data. */
struct ide_drive_state {
    bool present, cdrom;
    /* Command block registers (ATA-6 7.x): current and previous ("HOB") contents. */
    uint8_t feature, nsect, sect, lcyl, hcyl;
    uint8_t hob_feature, hob_nsect, hob_sect, hob_lcyl, hob_hcyl;
    uint8_t select;           /* Device register */
    uint8_t status, error;
    bool intrq;               /* interrupt pending (cleared by a Status read or a command) */
    /* Media and settings. */
    uint64_t sectors;         /* capacity: 512-byte sectors (disk) or 2048-byte blocks (CD) */
    uint16_t cyls, heads, spt;             /* default CHS translation (IDENTIFY words 1, 3, 6) */
    uint16_t cur_cyls, cur_heads, cur_spt; /* current translation (words 54-56) */
    bool chs_valid;           /* INITIALIZE DEVICE PARAMETERS accepted the current translation */
    uint8_t mult;             /* sectors per DRQ block for READ/WRITE MULTIPLE, 0 = disabled */
    uint8_t xfer_mode;        /* SET FEATURES 03h value: 0 PIO default, 08h|n, 20h|n, 40h|n */
    bool write_cache;
    /* Transfer in progress. */
    uint8_t xfer;             /* XFER_* in ide.c */
    uint8_t cmd;
    bool lba48, chs;          /* how the command addressed the media (for error outputs) */
    uint64_t lba;             /* next sector to move between the media and buf */
    uint32_t left;            /* sectors not yet moved between the media and buf */
    uint32_t multi;           /* sectors per DRQ block of this command */
    uint32_t buf_len, pos;    /* valid bytes in buf, data port cursor */
    uint32_t drq_left;        /* bytes left in the current DRQ block */
    /* ATAPI. */
    uint8_t packet[12];
    uint32_t atapi_left;      /* bytes of the reply not yet transferred to the host */
    uint16_t byte_limit;      /* byte count limit of the PACKET command */
    bool atapi_dma;
    bool in_packet;           /* the data phase belongs to a PACKET command (not IDENTIFY) */
    bool medium, tray_open, locked, unit_attention;
    uint8_t media_event;      /* GET EVENT STATUS NOTIFICATION media event code, 0 = none */
    uint8_t sense_key, asc, ascq;
    uint8_t buf[IDE_BUF_SIZE];
};

struct ide_channel_state {
    uint8_t ctrl;             /* Device Control register (nIEN, SRST, HOB) */
    uint8_t dev;              /* DEV bit of the Device register: the selected device */
    bool irq_level;           /* what the channel's IRQ line was last driven to */
    /* Bus master (SFF-8038i "Bus Master IDE Register Description"). */
    uint8_t bm_cmd, bm_status;
    uint32_t bm_prd;
    bool dma_scheduled;
    uint8_t dma_unit;
    uint64_t dma_due;         /* virtual ns of the pending DMA completion */
    struct ide_drive_state drive[2];
};

struct ide_state {
    struct ide_channel_state ch[2];
};

struct ide_stats {
    uint64_t commands;        /* ATA commands written to a present device */
    uint64_t packets;         /* ATAPI command packets */
    uint64_t errors;          /* commands that ended with ERR */
    uint64_t unknown_commands;/* ATA opcodes or ATAPI packets we do not implement */
    uint64_t unhandled;       /* register accesses with no effect (reserved ports, data port with
                                 no transfer, writes while busy) */
    uint64_t pio_bytes, dma_bytes, dma_transfers;
    uint64_t flushes;
    uint64_t schedule_failures;
};

struct ide;

/* Host wiring of one channel, the opaque of its port handlers and events. */
struct ide_port_ctx {
    struct ide *ide;
    int ch;
};

struct ide {
    struct ide_state s;
    struct ide_stats stats;
    /* Host wiring, set by ide_init / ide_attach and never saved. */
    struct iobus *io;
    struct mem *mem;
    struct irq_bus *irq;
    struct clock *clk;
    struct block *blk[2][2];
    struct ide_port_ctx ctx[2];
    uint16_t bm_base;         /* where the BMIDE ports are mapped, 0 = not mapped */
};

/* Power-on state with no devices, then maps both legacy channels. Returns 0, or -1 when the
 * port bus has no room. */
int ide_init(struct ide *ide, struct iobus *io, struct mem *mem, struct irq_bus *irq,
             struct clock *clk);

/* Connects a device: an ATA disk (blk must be open) or an ATAPI CD-ROM (blk NULL for an empty
 * drive; the image is read as 2048-byte blocks). false with a one-line reason. */
bool ide_attach(struct ide *ide, int channel, int unit, struct block *blk, bool cdrom, char *why,
                size_t whylen);

/* (Re)maps the 16 bus-master ports at base (PCI BAR4 of the PIIX3 IDE function); 0 unmaps. */
void ide_set_bmide_base(struct ide *ide, uint16_t base);

/* Media change on a CD-ROM: new media (or NULL to empty the drive). The drive reports UNIT
 * ATTENTION (28h) once and a new-media event. */
void ide_cd_change(struct ide *ide, int channel, int unit, struct block *media);

/* Hardware reset (RESET- asserted): every device to its power-on state, bus master idle. */
void ide_reset(struct ide *ide);

/* After ide->s has been overwritten with saved state (ide_init and ide_attach done first):
 * re-schedules pending DMA completions and re-drives the IRQ lines. */
void ide_post_load(struct ide *ide);

#endif
