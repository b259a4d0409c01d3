/* Intel 82077AA floppy disk controller in PC-AT mode at 0x3F0-0x3F5 and 0x3F7 (0x3F6 is the
 * IDE controller's), IRQ 6, DMA channel 2, with up to four drives whose media are raw images
 * (core/block.h). Seeks and data commands complete after short deterministic virtual delays. */
#ifndef JITPC_FDC_H
#define JITPC_FDC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/block.h"
#include "core/clock.h"
#include "core/ioport.h"
#include "core/irq.h"

#define FDC_DRIVES 4
#define FDC_IRQ 6
#define FDC_DMA_CHANNEL 2
#define FDC_SECTOR_SIZE 512

/* IBM PC/AT CMOS byte 0x10 drive types (high nibble drive A, low nibble drive B). */
enum {
    FDC_TYPE_NONE = 0, FDC_TYPE_360K = 1, FDC_TYPE_1200K = 2, FDC_TYPE_720K = 3,
    FDC_TYPE_1440K = 4, FDC_TYPE_2880K = 5,
};

struct fdc_drive {
    uint8_t type;             /* FDC_TYPE_*: the mechanism (0: no drive connected) */
    uint8_t track;            /* physical head position */
    uint8_t pcn;              /* the controller's present cylinder number for this drive */
    bool media;               /* a disk is in the drive */
    bool readonly;            /* write-protect tab */
    bool disk_changed;        /* the DSKCHG line: set at power on and media change, cleared by a
                                 step pulse with a disk in the drive */
    uint8_t tracks, heads, spt;   /* media geometry */
    uint8_t rate;             /* DSR/CCR data-rate code the media needs in this drive */
    uint8_t next_id;          /* READ ID: the sector (0-based) whose ID field comes next */
    bool busy;                /* MSR DRV x BUSY: seek or recalibrate in progress */
    bool int_pending;         /* seek/recalibrate ended; SENSE INTERRUPT STATUS reports st0 */
    uint8_t st0;
    uint8_t seek_pcn;         /* the seek in progress: PCN, head position and ST0 at its end */
    uint8_t seek_track;
    uint8_t seek_st0;
    uint8_t seek_steps;       /* step pulses it issues */
    uint64_t seek_done_at;    /* virtual ns, valid while busy */
};

/* A data command in its execution phase. */
struct fdc_xfer {
    uint8_t op;               /* the command code (bits 0-4) */
    uint8_t drive, hds;       /* drive and physical head */
    uint8_t c, h, r, n, eot;  /* sector ID being transferred, EOT */
    uint16_t count;           /* VERIFY with EC = 1 and FORMAT: sectors left */
    uint8_t fill;             /* FORMAT: data pattern */
    uint8_t id_index;         /* READ TRACK: physical sector index */
    bool mt, sk, ec, mfm;
    uint8_t st0, st1, st2;
    bool waiting;             /* no index pulses (no disk, motor off): waits for them */
    bool pio;                 /* non-DMA mode: bytes through the FIFO */
    uint16_t pos, len;        /* PIO: bytes done / expected in buf */
};

enum { FDC_PHASE_COMMAND, FDC_PHASE_EXEC, FDC_PHASE_PIO, FDC_PHASE_RESULT };

struct fdc_state {
    uint8_t dor, tdr, dsr, rate;  /* rate: DRATE SEL, shared by DSR bits 0-1 and CCR */
    uint8_t phase;
    uint8_t cmd[9], cmd_pos, cmd_len;
    uint8_t res[10], res_pos, res_len;
    bool result_int;          /* INT for a result phase or a non-DMA byte request */
    uint8_t reset_polls;      /* polling interrupts left after a reset (4, SENSE INTERRUPT each) */
    uint8_t specify[2];       /* SRT/HUT, HLT/ND */
    uint8_t config;           /* CONFIGURE byte 2: EIS, EFIFO, POLL, FIFOTHR */
    uint8_t pretrk;
    bool lock;
    uint8_t perp;             /* PERPENDICULAR MODE: D3-D0 in bits 2-5, GAP bit 1, WGATE bit 0 */
    uint8_t sc_eot;           /* DUMPREG: SC of the last FORMAT or EOT of the last read/write */
    bool irq_level;
    bool exec_pending;        /* the execution event is scheduled at exec_at */
    uint64_t exec_at;
    struct fdc_xfer x;
    uint8_t buf[FDC_SECTOR_SIZE];
    struct fdc_drive drv[FDC_DRIVES];
};

struct fdc_stats {
    uint64_t commands, invalid_commands;
    uint64_t sectors_read, sectors_written, sectors_verified, tracks_formatted;
    uint64_t seeks;
    uint64_t errors;            /* commands ending with IC = 01 */
    uint64_t overruns;          /* DMA did not keep up (channel masked or short) */
    uint64_t io_errors;         /* host I/O errors, reported to the guest as data errors */
    uint64_t format_unrepresentable;  /* FORMAT IDs a raw image cannot hold (kept geometry) */
    uint64_t unhandled;         /* FIFO accesses in the wrong phase */
    uint64_t schedule_failures;
};

typedef unsigned (*fdc_dma_fn)(void *opaque, unsigned channel, void *buf, unsigned len,
                               bool to_memory, bool *tc);

struct fdc;
struct fdc_event {            /* host wiring: per-drive seek event identity */
    struct fdc *f;
    int drive;
};

struct fdc {
    struct fdc_state s;
    struct fdc_stats stats;
    /* Host wiring, never saved. */
    struct irq_bus *irq;
    struct clock *clk;
    fdc_dma_fn dma;
    void *dma_opaque;
    struct block *media[FDC_DRIVES];
    struct fdc_event seek_ev[FDC_DRIVES];
};

/* Power-on reset (DOR = 0: held in reset until the BIOS writes it), then maps 0x3F0-0x3F5 and
 * 0x3F7. dma(dma_opaque, channel, ...) is the board's DMA controller (dma_transfer_cb with the
 * struct dma). No drives are connected until fdc_set_drive_type or fdc_insert. Returns 0, or -1
 * when the port map is full. */
int fdc_init(struct fdc *f, struct iobus *io, struct irq_bus *irq, struct clock *clk,
             fdc_dma_fn dma, void *dma_opaque);

/* Hardware reset (the board's RESET): as at power on; drives and media stay. */
void fdc_reset(struct fdc *f);

/* Connects a drive mechanism of the given CMOS type (FDC_TYPE_*) without media. */
void fdc_set_drive_type(struct fdc *f, int drive, unsigned type);

/* Inserts media (an open block device) into drive 0-3; the image size picks the format (160K,
 * 180K, 320K, 360K, 720K, 1.2M, 1.44M, 1.68M DMF, 2.88M). A drive without a type becomes the
 * natural drive for the format. Fails with a one-line reason (not a floppy size, a format the
 * drive cannot read). Raises the disk change line. block_readonly media are write-protected. */
bool fdc_insert(struct fdc *f, int drive, struct block *media, char *why, size_t whylen);

/* Removes the media (the caller closes the block device); raises the disk change line. */
void fdc_eject(struct fdc *f, int drive);

/* The drive's CMOS type nibble for byte 0x10 (0: no drive). */
unsigned fdc_cmos_type(const struct fdc *f, int drive);

/* After f->s has been overwritten with a saved fdc_state (fdc_init and the media inserted
 * first): re-schedules pending events and re-drives IRQ 6. */
void fdc_post_load(struct fdc *f);

#endif
