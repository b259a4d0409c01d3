/* Intel 82077AA floppy disk controller, PC-AT mode. Reference: Intel 82077AA CHMOS Single-Chip
 * Floppy Disk Controller datasheet (order no. 290166), cited by section and table: 2.1 "Status,
 * Data and Control Registers" (DOR, TDR, DSR, MSR, FIFO, DIR, CCR), 5.0 "Command Set" (Table
 * 5-1 command codes and parameters), 5.1 "Data Transfer Commands" (5.1.1 READ DATA with Table 5-6
 * "Result Phase Table", Table 5-4/5-5 skip bit, 5.1.3 READ TRACK, 5.1.5 VERIFY, 5.1.7 FORMAT
 * TRACK), 5.2 "Control Commands" (5.2.1 READ ID, 5.2.2 RECALIBRATE, 5.2.3 SEEK, 5.2.4 SENSE
 * INTERRUPT STATUS with Table 5-9, SENSE DRIVE STATUS, SPECIFY, CONFIGURE, VERSION, RELATIVE
 * SEEK, DUMPREG, PERPENDICULAR MODE, LOCK), Table 5-7 status registers ST0-ST3, 7.4 "Drive
 * Polling", 8.0 "Programming Guidelines". Drive behaviour (DSKCHG reset by a step pulse with a
 * disk present, index pulses only with a disk turning) is that of standard PC floppy drives.
 *
 * Media are raw images: every track holds sectors 1..spt of 512 bytes (N = 2), MFM, IDs with
 * C = the media track, H = the side. A 40-track medium in an 80-track (1.2M) drive is read with
 * double stepping: physical track t holds media track t / 2.
 *
 * Simplifications (documented, deterministic): a data command runs completely at one virtual
 * instant EXEC_NS after its last command byte (the DMA moves all its bytes then); the FIFO depth
 * (CONFIGURE EFIFO/FIFOTHR) does not change timing; the drive selected by the command's DS bits
 * is the one accessed (on the chip the DOR drive select drives the pins and software keeps them
 * in step, Table 5-1 note); ID fields come from a per-drive position counter (READ ID returns the
 * sector after the last one accessed) instead of a rotating disk; perpendicular mode and
 * precompensation are kept but change nothing; deleted-data marks do not exist on raw images. */
#include "fdc.h"

#include <stdio.h>
#include <string.h>

/* Ports as offsets from 0x3F0. */
enum { REG_SRA = 0, REG_SRB = 1, REG_DOR = 2, REG_TDR = 3, REG_MSR_DSR = 4, REG_FIFO = 5,
       REG_DIR_CCR = 7 };

#define DOR_SEL 0x03
#define DOR_NRESET 0x04           /* 0 holds the controller in reset */
#define DOR_DMAGATE 0x08          /* AT mode: 0 tristates INT and DRQ */
#define DOR_MOTOR(d) (0x10u << (d))

#define DSR_SWRESET 0x80

#define MSR_RQM 0x80
#define MSR_DIO 0x40              /* 1: controller -> host */
#define MSR_NDMA 0x20
#define MSR_CB 0x10

#define ST0_IC_NORMAL 0x00
#define ST0_IC_ABNORMAL 0x40
#define ST0_IC_INVALID 0x80
#define ST0_IC_POLL 0xC0
#define ST0_SE 0x20
#define ST0_EC 0x10

#define ST1_EN 0x80
#define ST1_DE 0x20
#define ST1_OR 0x10
#define ST1_ND 0x04
#define ST1_NW 0x02
#define ST1_MA 0x01

#define ST2_CM 0x40
#define ST2_DD 0x20
#define ST2_WC 0x10

#define ST3_WP 0x40
#define ST3_ONE5 0x20             /* READY: tied true inside the 82077AA (7.4) */
#define ST3_T0 0x10
#define ST3_ONE3 0x08             /* two-side: no such pin, reads 1 */

#define CFG_EIS 0x40
#define CFG_EFIFO 0x20
#define CFG_POLL 0x10             /* 1: polling disabled */

enum {
    OP_READ_TRACK = 0x02, OP_SPECIFY = 0x03, OP_SENSE_DRIVE = 0x04, OP_WRITE = 0x05,
    OP_READ = 0x06, OP_RECALIBRATE = 0x07, OP_SENSE_INT = 0x08, OP_WRITE_DELETED = 0x09,
    OP_READ_ID = 0x0A, OP_READ_DELETED = 0x0C, OP_FORMAT = 0x0D, OP_DUMPREG = 0x0E,
    OP_SEEK = 0x0F, OP_VERSION = 0x10, OP_PERPENDICULAR = 0x12, OP_CONFIGURE = 0x13,
    OP_LOCK = 0x14, OP_VERIFY = 0x16, OP_RELATIVE_SEEK = 0x8F,
};

/* Table 5-1: the command byte's fixed bits (mask) and the command's length in bytes. The free
 * bits are MT (7), MFM (6), SK (5), DIR (6 of RELATIVE SEEK) and LOCK (7 of LOCK). */
static const struct { uint8_t code, mask, len; } commands[] = {
    {OP_READ, 0x1F, 9},          {OP_READ_DELETED, 0x1F, 9}, {OP_WRITE, 0x3F, 9},
    {OP_WRITE_DELETED, 0x3F, 9}, {OP_READ_TRACK, 0xBF, 9},   {OP_VERIFY, 0x1F, 9},
    {OP_VERSION, 0xFF, 1},       {OP_FORMAT, 0xBF, 6},       {OP_RECALIBRATE, 0xFF, 2},
    {OP_SENSE_INT, 0xFF, 1},     {OP_SPECIFY, 0xFF, 3},      {OP_SENSE_DRIVE, 0xFF, 2},
    {OP_SEEK, 0xFF, 3},          {OP_CONFIGURE, 0xFF, 4},    {OP_RELATIVE_SEEK, 0xBF, 3},
    {OP_DUMPREG, 0xFF, 1},       {OP_READ_ID, 0xBF, 2},      {OP_PERPENDICULAR, 0xFF, 2},
    {OP_LOCK, 0x7F, 1},
};

/* Virtual delays, short on purpose: guests wait for IRQ 6, not for a number of milliseconds. */
#define SEEK_NS 100000u           /* a seek or recalibrate: 100 us ... */
#define STEP_NS 10000u            /* ... plus 10 us per step pulse */
#define EXEC_NS 200000u           /* a data command or READ ID: 200 us */

/* The formats a raw image's size selects. */
struct floppy_format {
    uint32_t size;
    uint8_t tracks, heads, spt;
};

static const struct floppy_format formats[] = {
    {163840, 40, 1, 8},  {184320, 40, 1, 9},  {327680, 40, 2, 8},
    {368640, 40, 2, 9},  {737280, 80, 2, 9},  {1228800, 80, 2, 15},
    {1474560, 80, 2, 18}, {1720320, 80, 2, 21}, {2949120, 80, 2, 36},
};

/* DSR/CCR DRATE SEL codes (2.1.4): 00 500 kbps, 01 300 kbps, 10 250 kbps, 11 1 Mbps. */
enum { RATE_500K = 0, RATE_300K = 1, RATE_250K = 2, RATE_1M = 3 };

/* The data rate the medium was written at, as this drive reads it, or -1 if the drive cannot
 * read it: double density 5.25" media spin at 300 rpm in a 360K drive (250 kbps) and at 360 rpm
 * in a 1.2M drive (300 kbps); 3.5" DD 250 kbps, HD (and 5.25" HD, DMF) 500 kbps, ED 1 Mbps. */
static int media_rate(unsigned type, const struct floppy_format *fmt)
{
    if (fmt->tracks == 40)
        return type == FDC_TYPE_360K ? RATE_250K : type == FDC_TYPE_1200K ? RATE_300K : -1;
    switch (fmt->spt) {
    case 9:
        return type == FDC_TYPE_720K || type == FDC_TYPE_1440K || type == FDC_TYPE_2880K ? RATE_250K : -1;
    case 15:
        return type == FDC_TYPE_1200K ? RATE_500K : -1;
    case 18:
    case 21:
        return type == FDC_TYPE_1440K || type == FDC_TYPE_2880K ? RATE_500K : -1;
    case 36:
        return type == FDC_TYPE_2880K ? RATE_1M : -1;
    }
    return -1;
}

static unsigned natural_type(const struct floppy_format *fmt)
{
    if (fmt->tracks == 40)
        return FDC_TYPE_360K;
    switch (fmt->spt) {
    case 9:
        return FDC_TYPE_720K;
    case 15:
        return FDC_TYPE_1200K;
    case 36:
        return FDC_TYPE_2880K;
    default:
        return FDC_TYPE_1440K;
    }
}

/* The head stops a few tracks past the last one. */
static unsigned max_track(unsigned type)
{
    return type == FDC_TYPE_360K ? 41 : 83;
}

static void exec_event(void *opaque);
static void seek_event(void *opaque);
static void data_run(struct fdc *f);

/* --- interrupt --- */

static bool int_asserted(const struct fdc *f)
{
    if (f->s.result_int || f->s.reset_polls)
        return true;
    for (int d = 0; d < FDC_DRIVES; d++)
        if (f->s.drv[d].int_pending)
            return true;
    return false;
}

/* 2.1.2 DOR: in PC-AT mode DMAGATE low tristates INT (and DRQ); in reset INT is low. */
static void update_irq(struct fdc *f)
{
    bool level = (f->s.dor & DOR_NRESET) && (f->s.dor & DOR_DMAGATE) && int_asserted(f);
    if (level != f->s.irq_level) {
        f->s.irq_level = level;
        irq_set(f->irq, FDC_IRQ, level);
    }
}

/* --- phases --- */

static void to_command(struct fdc *f)
{
    f->s.phase = FDC_PHASE_COMMAND;
    f->s.cmd_pos = 0;
    f->s.res_len = f->s.res_pos = 0;
}

static void to_result(struct fdc *f, const uint8_t *res, unsigned n, bool interrupt)
{
    memcpy(f->s.res, res, n);
    f->s.res_len = (uint8_t)n;
    f->s.res_pos = 0;
    f->s.phase = FDC_PHASE_RESULT;
    if (interrupt)
        f->s.result_int = true;
    update_irq(f);
}

static void result1(struct fdc *f, uint8_t v)
{
    to_result(f, &v, 1, false);
}

static void schedule(struct fdc *f, uint64_t when, clock_cb cb, void *opaque)
{
    if (!clock_schedule(f->clk, when, cb, opaque))
        f->stats.schedule_failures++;
}

static void schedule_exec(struct fdc *f, uint64_t delay)
{
    f->s.exec_pending = true;
    f->s.exec_at = clock_now(f->clk) + delay;
    schedule(f, f->s.exec_at, exec_event, f);
}

/* --- reset --- */

/* 2.1.2 / 2.1.4: a DOR or DSR reset clears the command state, pending interrupts and seeks.
 * CONFIGURE's EIS and POLL return to 0; EFIFO, FIFOTHR and PRETRK return to their defaults
 * (FIFO disabled, threshold 1, precompensation from track 0) unless LOCK is set (LOCK command);
 * PERPENDICULAR MODE loses GAP and WGATE but keeps D0-D3. SPECIFY values stay. */
static void controller_reset(struct fdc *f)
{
    struct fdc_state *s = &f->s;
    if (s->exec_pending)
        clock_cancel(f->clk, exec_event, f);
    s->exec_pending = false;
    for (int d = 0; d < FDC_DRIVES; d++) {
        if (s->drv[d].busy)
            clock_cancel(f->clk, seek_event, &f->seek_ev[d]);
        s->drv[d].busy = false;
        s->drv[d].int_pending = false;
    }
    memset(&s->x, 0, sizeof(s->x));
    to_command(f);
    s->result_int = false;
    s->reset_polls = 0;
    if (s->lock)
        s->config &= (uint8_t)~(CFG_EIS | CFG_POLL);
    else {
        s->config = CFG_EFIFO;
        s->pretrk = 0;
    }
    s->perp &= 0x3C;
    update_irq(f);
}

/* 7.4: with polling enabled, the simulated poll after a reset sees every drive's "ready" change
 * and interrupts; four SENSE INTERRUPT STATUS commands (ST0 C0h-C3h) clear it. */
static void reset_done(struct fdc *f)
{
    f->s.reset_polls = (f->s.config & CFG_POLL) ? 0 : FDC_DRIVES;
    update_irq(f);
}

void fdc_reset(struct fdc *f)
{
    struct fdc_state *s = &f->s;
    s->lock = false;
    controller_reset(f);
    s->dor = 0;               /* the RESET pin clears the DOR: held in reset until written */
    s->tdr = 0;
    s->dsr = 0;
    s->rate = RATE_250K;      /* DRATE SEL after a hardware reset */
    s->specify[0] = s->specify[1] = 0;
    s->perp = 0;
    s->sc_eot = 0;
    for (int d = 0; d < FDC_DRIVES; d++)
        s->drv[d].pcn = 0;
    update_irq(f);
}

/* --- drives and media --- */

/* The media track under the head (double stepping for 40-track media in an 80-track drive). */
static unsigned media_track(const struct fdc_drive *d)
{
    return (d->type != FDC_TYPE_360K && d->tracks == 40) ? d->track / 2u : d->track;
}

/* Index pulses come only from a disk that turns: a connected drive with media and its motor
 * on (DOR motor enable). Without them a read never finds an ID and the chip waits forever
 * (8.0: "if a disk was not inserted ... the controller would fail to receive the index pulse
 * and lock-up"); drivers time out and reset. */
static bool spinning(const struct fdc *f, unsigned drive)
{
    const struct fdc_drive *d = &f->s.drv[drive];
    return d->type && d->media && f->media[drive] && (f->s.dor & DOR_MOTOR(drive));
}

/* Can the controller find ID fields on this side at all? Not at a data rate the medium was not
 * written with (the data separator never locks), not in FM mode (raw images are MFM), not on
 * side 1 of a single-sided medium or beyond the last formatted track. */
static bool ids_readable(const struct fdc *f, unsigned drive, unsigned hds, bool mfm)
{
    const struct fdc_drive *d = &f->s.drv[drive];
    return mfm && f->s.rate == d->rate && hds < d->heads && media_track(d) < d->tracks;
}

static void resume_waiting(struct fdc *f)
{
    if (f->s.phase == FDC_PHASE_EXEC && f->s.x.waiting && !f->s.exec_pending &&
        spinning(f, f->s.x.drive))
        schedule_exec(f, EXEC_NS);
}

void fdc_set_drive_type(struct fdc *f, int drive, unsigned type)
{
    if (drive < 0 || drive >= FDC_DRIVES || type > FDC_TYPE_2880K)
        return;
    f->s.drv[drive].type = (uint8_t)type;
    f->s.drv[drive].disk_changed = true;   /* power on: the line is active until a step */
}

bool fdc_insert(struct fdc *f, int drive, struct block *media, char *why, size_t whylen)
{
    if (drive < 0 || drive >= FDC_DRIVES) {
        snprintf(why, whylen, "floppy drive %d does not exist", drive);
        return false;
    }
    const struct floppy_format *fmt = NULL;
    for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
        if (formats[i].size == media->size)
            fmt = &formats[i];
    if (!fmt) {
        snprintf(why, whylen,
                 "%s: size %llu bytes is not a floppy format (160K, 180K, 320K, 360K, 720K, "
                 "1.2M, 1.44M, 1.68M or 2.88M)",
                 media->path, (unsigned long long)media->size);
        return false;
    }
    struct fdc_drive *d = &f->s.drv[drive];
    unsigned type = d->type ? d->type : natural_type(fmt);
    int rate = media_rate(type, fmt);
    if (rate < 0) {
        static const char *const names[] = {"", "360K", "1.2M", "720K", "1.44M", "2.88M"};
        snprintf(why, whylen, "%s: a %u KiB disk does not fit the %s drive %c:", media->path,
                 (unsigned)(fmt->size / 1024), names[type], 'A' + drive);
        return false;
    }
    if (d->type == FDC_TYPE_NONE)
        d->track = 0;
    d->type = (uint8_t)type;
    d->media = true;
    d->readonly = block_readonly(media);
    d->tracks = fmt->tracks;
    d->heads = fmt->heads;
    d->spt = fmt->spt;
    d->rate = (uint8_t)rate;
    d->next_id = 0;
    d->disk_changed = true;
    f->media[drive] = media;
    resume_waiting(f);
    return true;
}

void fdc_eject(struct fdc *f, int drive)
{
    if (drive < 0 || drive >= FDC_DRIVES)
        return;
    f->s.drv[drive].media = false;
    f->s.drv[drive].disk_changed = true;
    f->media[drive] = NULL;
}

unsigned fdc_cmos_type(const struct fdc *f, int drive)
{
    return drive >= 0 && drive < FDC_DRIVES ? f->s.drv[drive].type : 0;
}

/* --- seeks --- */

/* A step pulse to a drive with a disk in it resets its DSKCHG line. */
static void seek_event(void *opaque)
{
    struct fdc_event *ev = opaque;
    struct fdc *f = ev->f;
    struct fdc_drive *d = &f->s.drv[ev->drive];
    d->busy = false;
    d->track = d->seek_track;
    d->pcn = d->seek_pcn;
    d->next_id = 0;
    if (d->seek_steps && d->media && d->type)
        d->disk_changed = false;
    d->st0 = d->seek_st0;
    d->int_pending = true;
    update_irq(f);
}

static void start_seek(struct fdc *f, unsigned drive, uint8_t pcn, unsigned track, unsigned steps,
                       bool fail)
{
    struct fdc_drive *d = &f->s.drv[drive];
    f->stats.seeks++;
    d->busy = true;
    d->int_pending = false;
    d->seek_pcn = pcn;
    d->seek_track = (uint8_t)track;
    d->seek_steps = (uint8_t)(steps > 255 ? 255 : steps);
    /* 5.2.3: the H bit of ST0 after a seek is always 0; Table 5-9: SE with IC 00 or 01. */
    d->seek_st0 = (uint8_t)(ST0_SE | (fail ? ST0_IC_ABNORMAL | ST0_EC : 0) | drive);
    d->seek_done_at = clock_now(f->clk) + SEEK_NS + (uint64_t)steps * STEP_NS;
    schedule(f, d->seek_done_at, seek_event, &f->seek_ev[drive]);
}

/* Moves the head by the pulses the controller issues; the drive's stops bound it. */
static unsigned step_head(const struct fdc_drive *d, unsigned steps, bool in)
{
    unsigned max = max_track(d->type);
    if (in)
        return d->track + steps > max ? max : d->track + steps;
    return steps > d->track ? 0 : d->track - steps;
}

/* 5.2.2: PCN cleared; step pulses while TRK0 is inactive, at most 79; still not at track 0
 * (or no drive there to assert TRK0): SE and EC. */
static void cmd_recalibrate(struct fdc *f, unsigned drive)
{
    struct fdc_drive *d = &f->s.drv[drive];
    if (!d->type) {
        start_seek(f, drive, 0, d->track, 79, true);
        return;
    }
    unsigned steps = d->track < 79 ? d->track : 79;
    start_seek(f, drive, 0, d->track - steps, steps, d->track - steps != 0);
}

/* 5.2.3: step pulses until PCN = NCN (direction from the comparison). */
static void cmd_seek(struct fdc *f, unsigned drive, uint8_t ncn)
{
    struct fdc_drive *d = &f->s.drv[drive];
    bool in = ncn > d->pcn;
    unsigned steps = in ? ncn - d->pcn : d->pcn - ncn;
    start_seek(f, drive, ncn, d->type ? step_head(d, steps, in) : d->track, steps, false);
}

/* RELATIVE SEEK: RCN steps in (DIR = 1) or out; stepping out past track 0 sets EC. */
static void cmd_relative_seek(struct fdc *f, unsigned drive, bool in, uint8_t rcn)
{
    struct fdc_drive *d = &f->s.drv[drive];
    bool past0 = !in && rcn > d->pcn;
    uint8_t pcn = in ? (uint8_t)(d->pcn + rcn) : past0 ? 0 : (uint8_t)(d->pcn - rcn);
    start_seek(f, drive, pcn, d->type ? step_head(d, rcn, in) : d->track, rcn, past0);
}

/* CONFIGURE EIS: READ/WRITE/VERIFY/FORMAT seek to their C first (an implied seek, no interrupt
 * of its own). */
static void implied_seek(struct fdc *f, unsigned drive, uint8_t c)
{
    struct fdc_drive *d = &f->s.drv[drive];
    if (d->pcn == c)
        return;
    bool in = c > d->pcn;
    unsigned steps = in ? c - d->pcn : d->pcn - c;
    d->track = (uint8_t)step_head(d, steps, in);
    d->pcn = c;
    d->next_id = 0;
    if (d->media)
        d->disk_changed = false;
    f->stats.seeks++;
}

/* --- data commands --- */

static bool op_reads(uint8_t op)
{
    return op == OP_READ || op == OP_READ_DELETED || op == OP_READ_TRACK;
}

static bool op_writes(uint8_t op)
{
    return op == OP_WRITE || op == OP_WRITE_DELETED || op == OP_FORMAT;
}

/* Enters the result phase with ST0-ST2 and the ID (Table 5-6), INT raised (5.2.4 item 1). */
static void finish(struct fdc *f, uint8_t ic)
{
    struct fdc_xfer *x = &f->s.x;
    x->st0 = (uint8_t)(ic | x->hds << 2 | x->drive);
    if (ic != ST0_IC_NORMAL)
        f->stats.errors++;
    uint8_t res[7] = {x->st0, x->st1, x->st2, x->c, x->h, x->r, x->n};
    to_result(f, res, 7, true);
}

static uint64_t sector_offset(const struct fdc_drive *d, unsigned hds, unsigned r)
{
    return (((uint64_t)media_track(d) * d->heads + hds) * d->spt + (r - 1)) * FDC_SECTOR_SIZE;
}

/* Prepares the next sector: finds its ID on the track and, for reads, fills the buffer.
 * Returns false when the command ended (result phase entered). */
static bool sector_setup(struct fdc *f)
{
    struct fdc_xfer *x = &f->s.x;
    struct fdc_drive *d = &f->s.drv[x->drive];
    unsigned mt = media_track(d);
    x->pos = 0;
    if (!spinning(f, x->drive)) {
        /* The disk left (or the motor stopped) mid-command: no more index pulses. */
        x->waiting = true;
        f->s.phase = FDC_PHASE_EXEC;
        return false;
    }
    if (x->op == OP_FORMAT) {
        x->len = 4;           /* 5.1.7: C, H, R, N of each sector from the host */
        return true;
    }
    unsigned r;
    if (x->op == OP_READ_TRACK) {
        /* 5.1.3: sectors in physical order from the index; an ID that differs from the
         * expected one only sets ND. */
        r = x->id_index + 1u;
        if (r > d->spt) {
            x->st1 |= ST1_ND;
            finish(f, ST0_IC_ABNORMAL);
            return false;
        }
        if (x->c != mt || x->h != x->hds || x->r != r || x->n != 2)
            x->st1 |= ST1_ND;
    } else {
        /* 5.1.1: two index pulses without an ID matching C, H, R, N: ND; a C that differs
         * from the track's also sets WC (Table 5-7, ST2). */
        r = x->r;
        if (x->c != mt || x->h != x->hds || r < 1 || r > d->spt || x->n != 2) {
            x->st1 |= ST1_ND;
            if (x->c != mt)
                x->st2 |= ST2_WC;
            finish(f, ST0_IC_ABNORMAL);
            return false;
        }
    }
    d->next_id = (uint8_t)(r % d->spt);
    x->len = x->op == OP_VERIFY ? 0 : FDC_SECTOR_SIZE;   /* VERIFY moves no data */
    if (op_writes(x->op)) {
        memset(f->s.buf, 0, sizeof(f->s.buf));   /* a TC mid-sector pads it with zeros */
        return true;
    }
    if (block_read(f->media[x->drive], sector_offset(d, x->hds, r), f->s.buf, FDC_SECTOR_SIZE)) {
        /* A host I/O error is what a CRC error in the data field is to the guest. */
        f->stats.io_errors++;
        x->st1 |= ST1_DE;
        x->st2 |= ST2_DD;
        finish(f, ST0_IC_ABNORMAL);
        return false;
    }
    return true;
}

/* After a sector: FORMAT writes it, writes go to the image; then the ID advances per Table 5-6
 * and the command ends on TC (explicit, or VERIFY's implicit one), at the end of the cylinder
 * (EN, abnormal, except VERIFY with EC = 0 which ends there normally), or goes on. Returns
 * whether another sector follows. */
static bool sector_finish(struct fdc *f, bool tc)
{
    struct fdc_xfer *x = &f->s.x;
    struct fdc_drive *d = &f->s.drv[x->drive];
    if (op_writes(x->op) && !f->media[x->drive]) {
        x->waiting = true;    /* the disk left before the sector was written */
        f->s.phase = FDC_PHASE_EXEC;
        return false;
    }
    if (x->op == OP_FORMAT) {
        const uint8_t *id = f->s.buf;
        uint64_t off = 0;
        bool fits = media_track(d) < d->tracks && x->hds < d->heads &&
                    id[0] == media_track(d) && id[1] == x->hds && id[2] >= 1 && id[2] <= d->spt &&
                    id[3] == 2 && x->n == 2 && x->mfm && f->s.rate == d->rate;
        if (fits) {
            uint8_t data[FDC_SECTOR_SIZE];
            memset(data, x->fill, sizeof(data));
            off = sector_offset(d, x->hds, id[2]);
            if (block_write(f->media[x->drive], off, data, sizeof(data))) {
                f->stats.io_errors++;
                x->st1 |= ST1_DE;
                finish(f, ST0_IC_ABNORMAL);
                return false;
            }
        } else {
            f->stats.format_unrepresentable++;
        }
        x->c = id[0];
        x->h = id[1];
        x->r = id[2];
        x->n = id[3];
        if (--x->count == 0 || tc) {
            f->stats.tracks_formatted++;
            finish(f, ST0_IC_NORMAL);
            return false;
        }
        return true;
    }
    if (op_writes(x->op)) {
        if (block_write(f->media[x->drive], sector_offset(d, x->hds, x->r), f->s.buf, FDC_SECTOR_SIZE)) {
            f->stats.io_errors++;
            x->st1 |= ST1_DE;
            finish(f, ST0_IC_ABNORMAL);
            return false;
        }
        f->stats.sectors_written++;
    } else if (x->op == OP_VERIFY) {
        f->stats.sectors_verified++;
    } else {
        f->stats.sectors_read++;
    }
    if (x->op == OP_READ_DELETED) {
        /* Table 5-5: READ DELETED DATA with SK = 0 meeting a normal data mark reads the sector,
         * sets CM, and ends: the address is not incremented. */
        x->st2 |= ST2_CM;
        finish(f, ST0_IC_NORMAL);
        return false;
    }
    if (x->op == OP_VERIFY && x->ec && --x->count == 0)
        tc = true;        /* 5.1.5: EC = 1 issues an implicit TC after SC sectors */
    bool end_of_cylinder = false;
    if (x->op == OP_READ_TRACK) {
        x->id_index++;
        x->r++;
        if (x->id_index >= x->eot) {
            finish(f, ST0_IC_NORMAL);   /* 5.1.3: ends when EOT sectors have been read */
            return false;
        }
    } else if (x->r == x->eot) {
        /* Table 5-6: past EOT, R = 1; with MT side 0 goes on to side 1 (H's LSB complemented),
         * otherwise the cylinder ends (C + 1; with MT H's LSB complemented too). */
        x->r = 1;
        if (x->mt) {
            x->h ^= 1;
            if (x->hds == 0)
                x->hds = 1;
            else {
                x->c++;
                end_of_cylinder = true;
            }
        } else {
            x->c++;
            end_of_cylinder = true;
        }
    } else {
        x->r++;
    }
    if (tc) {
        finish(f, ST0_IC_NORMAL);
        return false;
    }
    if (end_of_cylinder) {
        if (x->op == OP_VERIFY && !x->ec) {
            finish(f, ST0_IC_NORMAL);   /* 5.1.5: EC = 0 verifies up to EOT */
        } else {
            /* Table 5-7 ST1 EN: the controller tried to go past the cylinder's last sector
             * because no TC came (always so in non-DMA mode on the PC). */
            x->st1 |= ST1_EN;
            finish(f, ST0_IC_ABNORMAL);
        }
        return false;
    }
    return true;
}

/* Moves sectors until the command ends or the host must move bytes through the FIFO. */
static void data_run(struct fdc *f)
{
    struct fdc_xfer *x = &f->s.x;
    for (;;) {
        if (!sector_setup(f))
            return;
        if (x->len && x->pio) {
            /* 5.2.4 item 3: in non-DMA mode each byte request interrupts. */
            f->s.phase = FDC_PHASE_PIO;
            f->s.result_int = true;
            update_irq(f);
            return;
        }
        bool tc = false;
        if (x->len) {
            bool to_memory = op_reads(x->op);
            unsigned got = 0;
            if ((f->s.dor & DOR_DMAGATE) && f->dma)
                got = f->dma(f->dma_opaque, FDC_DMA_CHANNEL, f->s.buf, x->len, to_memory, &tc);
            if (got < x->len && !tc) {
                /* Nobody acknowledged DRQ in time (masked channel, DMA gate off): Table 5-7
                 * ST1 OR, overrun/underrun. */
                f->stats.overruns++;
                x->st1 |= ST1_OR;
                finish(f, ST0_IC_ABNORMAL);
                return;
            }
        }
        if (!sector_finish(f, tc))
            return;
    }
}

/* READ ID (5.2.1): the first ID field that passes under the head. */
static void read_id(struct fdc *f)
{
    struct fdc_xfer *x = &f->s.x;
    struct fdc_drive *d = &f->s.drv[x->drive];
    x->c = (uint8_t)media_track(d);
    x->h = x->hds;
    x->r = (uint8_t)(d->next_id + 1);
    x->n = 2;
    d->next_id = (uint8_t)((d->next_id + 1) % d->spt);
    finish(f, ST0_IC_NORMAL);
}

static void exec_event(void *opaque)
{
    struct fdc *f = opaque;
    struct fdc_xfer *x = &f->s.x;
    f->s.exec_pending = false;
    if (f->s.phase != FDC_PHASE_EXEC)
        return;
    if (!spinning(f, x->drive)) {
        x->waiting = true;
        return;
    }
    x->waiting = false;
    struct fdc_drive *d = &f->s.drv[x->drive];
    if (x->op != OP_READ_ID && (f->s.config & CFG_EIS))
        implied_seek(f, x->drive, x->c);
    if (x->op == OP_FORMAT) {
        /* Formatting writes fresh ID fields: nothing is read first. */
        if (d->readonly || block_readonly(f->media[x->drive])) {
            x->st1 |= ST1_NW;
            finish(f, ST0_IC_ABNORMAL);
            return;
        }
        data_run(f);
        return;
    }
    if (!ids_readable(f, x->drive, x->hds, x->mfm)) {
        /* 5.2.1 / Table 5-7 ST1 MA: no ID address mark after two index pulses. */
        x->st1 |= ST1_MA;
        finish(f, ST0_IC_ABNORMAL);
        return;
    }
    if (x->op == OP_READ_ID) {
        read_id(f);
        return;
    }
    if (op_writes(x->op) && (d->readonly || block_readonly(f->media[x->drive]))) {
        x->st1 |= ST1_NW;     /* Table 5-7: WP active during a write command */
        finish(f, ST0_IC_ABNORMAL);
        return;
    }
    if (x->op == OP_READ_DELETED && x->sk) {
        /* Table 5-5: with SK = 1 sectors with a normal data mark are skipped (CM set); on a raw
         * image that is every sector up to EOT, then the cylinder ends. */
        x->st2 |= ST2_CM;
        x->r = 1;
        x->c++;
        x->st1 |= ST1_EN;
        finish(f, ST0_IC_ABNORMAL);
        return;
    }
    data_run(f);
}

static void start_data_command(struct fdc *f)
{
    struct fdc_state *s = &f->s;
    struct fdc_xfer *x = &s->x;
    uint8_t op0 = s->cmd[0];
    memset(x, 0, sizeof(*x));
    x->op = op0 & 0x1F;
    x->mt = op0 & 0x80;
    x->mfm = op0 & 0x40;
    x->sk = op0 & 0x20;
    x->drive = s->cmd[1] & 3;
    x->hds = (s->cmd[1] >> 2) & 1;
    x->pio = s->specify[1] & 1;   /* SPECIFY ND */
    if (x->op == OP_FORMAT) {
        x->n = s->cmd[2];
        x->count = s->cmd[3];
        x->fill = s->cmd[5];
        x->c = s->drv[x->drive].pcn;
        x->h = x->hds;
        s->sc_eot = s->cmd[3];
        if (x->count == 0)
            x->count = 1;         /* SC = 0 is not meaningful: taken as one sector */
    } else if (x->op != OP_READ_ID) {
        x->c = s->cmd[2];
        x->h = s->cmd[3];
        x->r = s->cmd[4];
        x->n = s->cmd[5];
        x->eot = s->cmd[6];
        s->sc_eot = s->cmd[6];
        if (x->op == OP_VERIFY) {
            x->ec = s->cmd[1] & 0x80;
            x->count = s->cmd[8] ? s->cmd[8] : 256;   /* SC = 0 verifies 256 sectors */
        }
        if (x->op == OP_READ_TRACK)
            x->mt = x->sk = false;    /* 5.1.3: MT and SK are not allowed */
    }
    s->phase = FDC_PHASE_EXEC;
    schedule_exec(f, EXEC_NS);
}

/* --- commands --- */

static void sense_interrupt(struct fdc *f)
{
    struct fdc_state *s = &f->s;
    if (s->reset_polls) {
        unsigned d = FDC_DRIVES - s->reset_polls--;
        uint8_t res[2] = {(uint8_t)(ST0_IC_POLL | d), s->drv[d].pcn};
        to_result(f, res, 2, false);
        return;
    }
    for (unsigned d = 0; d < FDC_DRIVES; d++) {
        if (s->drv[d].int_pending) {
            s->drv[d].int_pending = false;
            uint8_t res[2] = {s->drv[d].st0, s->drv[d].pcn};
            to_result(f, res, 2, false);
            return;
        }
    }
    /* 5.2.4: without an interrupt pending the command is invalid: ST0 = 80h. */
    f->stats.invalid_commands++;
    result1(f, ST0_IC_INVALID);
}

static void execute(struct fdc *f)
{
    struct fdc_state *s = &f->s;
    uint8_t *c = s->cmd;
    unsigned drive = c[1] & 3;
    f->stats.commands++;
    switch (c[0] == OP_RELATIVE_SEEK || c[0] == (OP_RELATIVE_SEEK | 0x40) ? OP_RELATIVE_SEEK : c[0] & 0x1F) {
    case OP_SPECIFY:
        s->specify[0] = c[1];
        s->specify[1] = c[2];
        to_command(f);
        break;
    case OP_CONFIGURE:
        s->config = c[2] & 0x7F;
        s->pretrk = c[3];
        to_command(f);
        break;
    case OP_VERSION:
        result1(f, 0x90);     /* 82077AA (an 8272A/765 answers 80h, invalid) */
        break;
    case OP_LOCK:
        s->lock = c[0] >> 7;
        result1(f, (uint8_t)(s->lock << 4));
        break;
    case OP_DUMPREG: {
        uint8_t res[10] = {s->drv[0].pcn, s->drv[1].pcn, s->drv[2].pcn, s->drv[3].pcn,
                           s->specify[0], s->specify[1], s->sc_eot,
                           (uint8_t)(s->lock << 7 | s->perp), s->config, s->pretrk};
        to_result(f, res, 10, false);
        break;
    }
    case OP_PERPENDICULAR:
        /* OW = 1: D0-D3 are written too; GAP and WGATE always. */
        s->perp = (c[1] & 0x80) ? (c[1] & 0x3F) : (uint8_t)((s->perp & 0x3C) | (c[1] & 3));
        to_command(f);
        break;
    case OP_SENSE_DRIVE: {
        const struct fdc_drive *d = &s->drv[drive];
        uint8_t st3 = (uint8_t)(ST3_ONE5 | ST3_ONE3 | (c[1] & 7));
        if (d->media && d->readonly)
            st3 |= ST3_WP;
        if (d->type && d->track == 0)
            st3 |= ST3_T0;
        result1(f, st3);
        break;
    }
    case OP_SENSE_INT:
        sense_interrupt(f);
        break;
    case OP_RECALIBRATE:
        to_command(f);
        cmd_recalibrate(f, drive);
        break;
    case OP_SEEK:
        to_command(f);
        cmd_seek(f, drive, c[2]);
        break;
    case OP_RELATIVE_SEEK:
        to_command(f);
        cmd_relative_seek(f, drive, c[0] & 0x40, c[2]);
        break;
    default:                  /* READ/WRITE family, READ ID, FORMAT */
        start_data_command(f);
        break;
    }
}

static void command_byte(struct fdc *f, uint8_t v)
{
    struct fdc_state *s = &f->s;
    if (s->cmd_pos == 0) {
        unsigned len = 0;
        for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
            if ((v & commands[i].mask) == commands[i].code)
                len = commands[i].len;
        if (!len) {
            /* Table 5-1 "INVALID": no-op, one result byte ST0 = 80h, no interrupt. */
            f->stats.invalid_commands++;
            result1(f, ST0_IC_INVALID);
            return;
        }
        s->cmd_len = (uint8_t)len;
    }
    s->cmd[s->cmd_pos++] = v;
    if (s->cmd_pos == s->cmd_len)
        execute(f);
}

/* Non-DMA execution phase: one byte through the FIFO. The byte request's interrupt drops on
 * the access and rises again for the next byte, so every byte is an edge. */
static uint8_t pio_byte(struct fdc *f, bool host_reads, uint8_t v)
{
    struct fdc_state *s = &f->s;
    struct fdc_xfer *x = &s->x;
    s->result_int = false;
    update_irq(f);
    if (op_reads(x->op) != host_reads) {
        f->stats.unhandled++;
    } else if (host_reads) {
        v = s->buf[x->pos++];
    } else {
        s->buf[x->pos++] = v;
    }
    if (x->pos == x->len) {
        s->phase = FDC_PHASE_EXEC;
        if (sector_finish(f, false))
            data_run(f);
    }
    if (s->phase == FDC_PHASE_PIO) {
        s->result_int = true;
        update_irq(f);
    }
    return v;
}

static uint8_t fifo_read(struct fdc *f)
{
    struct fdc_state *s = &f->s;
    if (!(s->dor & DOR_NRESET)) {
        f->stats.unhandled++;
        return 0xFF;
    }
    if (s->phase == FDC_PHASE_PIO)
        return pio_byte(f, true, 0xFF);
    if (s->phase != FDC_PHASE_RESULT) {
        f->stats.unhandled++;
        return 0xFF;
    }
    uint8_t v = s->res[s->res_pos++];
    /* The result phase's interrupt is cleared by reading its first byte. */
    if (s->res_pos == 1 && s->result_int) {
        s->result_int = false;
        update_irq(f);
    }
    if (s->res_pos == s->res_len)
        to_command(f);
    return v;
}

static void fifo_write(struct fdc *f, uint8_t v)
{
    struct fdc_state *s = &f->s;
    if (!(s->dor & DOR_NRESET))
        f->stats.unhandled++;
    else if (s->phase == FDC_PHASE_COMMAND)
        command_byte(f, v);
    else if (s->phase == FDC_PHASE_PIO)
        pio_byte(f, false, v);
    else
        f->stats.unhandled++;
}

static uint8_t msr_read(const struct fdc *f)
{
    const struct fdc_state *s = &f->s;
    if (!(s->dor & DOR_NRESET))
        return 0;
    uint8_t v = 0;
    for (int d = 0; d < FDC_DRIVES; d++)
        if (s->drv[d].busy)
            v |= (uint8_t)(1u << d);
    switch (s->phase) {
    case FDC_PHASE_COMMAND:
        v |= MSR_RQM | (s->cmd_pos ? MSR_CB : 0);
        break;
    case FDC_PHASE_EXEC:
        v |= MSR_CB;
        break;
    case FDC_PHASE_PIO:
        v |= MSR_RQM | MSR_NDMA | MSR_CB | (op_reads(s->x.op) ? MSR_DIO : 0);
        break;
    case FDC_PHASE_RESULT:
        v |= MSR_RQM | MSR_DIO | MSR_CB;
        break;
    }
    return v;
}

/* 2.1.2: DOR bit 2 low holds the controller in reset; the rising edge ends the reset. */
static void dor_write(struct fdc *f, uint8_t v)
{
    uint8_t old = f->s.dor;
    f->s.dor = v;
    if (!(v & DOR_NRESET) && (old & DOR_NRESET))
        controller_reset(f);
    else if ((v & DOR_NRESET) && !(old & DOR_NRESET))
        reset_done(f);
    resume_waiting(f);
    update_irq(f);
}

/* 2.1.7 DIR, PC-AT mode: bit 7 is DSKCHG of the drive the DOR activates (selected with its
 * motor enabled); bits 0-6 are tristated. */
static uint8_t dir_read(const struct fdc *f)
{
    unsigned sel = f->s.dor & DOR_SEL;
    const struct fdc_drive *d = &f->s.drv[sel];
    bool active = (f->s.dor & DOR_MOTOR(sel)) && d->type;
    return (uint8_t)(0x7F | (active && d->disk_changed ? 0x80 : 0));
}

static uint32_t fdc_io_read(void *opaque, uint16_t port, unsigned size)
{
    struct fdc *f = opaque;
    (void)size;
    switch (port & 7) {
    case REG_DOR:
        return f->s.dor;
    case REG_TDR:
        return 0xFC | (f->s.tdr & 3);     /* only the tape select bits are driven */
    case REG_MSR_DSR:
        return msr_read(f);
    case REG_FIFO:
        return fifo_read(f);
    case REG_DIR_CCR:
        return dir_read(f);
    default:
        /* SRA/SRB exist in PS/2 mode only: in AT mode nothing drives the bus. */
        f->stats.unhandled++;
        return 0xFF;
    }
}

static void fdc_io_write(void *opaque, uint16_t port, uint32_t value, unsigned size)
{
    struct fdc *f = opaque;
    uint8_t v = (uint8_t)value;
    (void)size;
    switch (port & 7) {
    case REG_DOR:
        dor_write(f, v);
        break;
    case REG_TDR:
        f->s.tdr = v & 3;
        break;
    case REG_MSR_DSR:
        /* 2.1.4 DSR: bit 7 software reset (self-clearing), bit 6 power down, bits 4-2
         * precompensation, bits 1-0 data rate. */
        f->s.dsr = v & 0x7C;
        f->s.rate = v & 3;
        if (v & DSR_SWRESET) {
            controller_reset(f);
            reset_done(f);
        }
        break;
    case REG_FIFO:
        fifo_write(f, v);
        break;
    case REG_DIR_CCR:
        f->s.rate = v & 3;    /* 2.1.8 CCR: bits 1-0 data rate, as DSR's */
        break;
    default:
        f->stats.unhandled++;
        break;
    }
}

int fdc_init(struct fdc *f, struct iobus *io, struct irq_bus *irq, struct clock *clk,
             fdc_dma_fn dma, void *dma_opaque)
{
    memset(f, 0, sizeof(*f));
    f->irq = irq;
    f->clk = clk;
    f->dma = dma;
    f->dma_opaque = dma_opaque;
    for (int d = 0; d < FDC_DRIVES; d++)
        f->seek_ev[d] = (struct fdc_event){f, d};
    fdc_reset(f);
    int r = io_map(io, 0x3F0, 6, fdc_io_read, fdc_io_write, f);
    r |= io_map(io, 0x3F7, 1, fdc_io_read, fdc_io_write, f);
    return r ? -1 : 0;
}

void fdc_post_load(struct fdc *f)
{
    if (f->s.exec_pending)
        schedule(f, f->s.exec_at, exec_event, f);
    for (int d = 0; d < FDC_DRIVES; d++)
        if (f->s.drv[d].busy)
            schedule(f, f->s.drv[d].seek_done_at, seek_event, &f->seek_ev[d]);
    bool want = (f->s.dor & DOR_NRESET) && (f->s.dor & DOR_DMAGATE) && int_asserted(f);
    f->s.irq_level = !want;   /* so that update_irq drives the line either way */
    update_irq(f);
}
