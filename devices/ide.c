/* PIIX3 IDE: ATA disks and ATAPI CD-ROMs on two legacy channels, with bus-master DMA.
 * References, cited by section: ATA/ATAPI-6 (T13 1410D revision 3b, "ATA-6"), MMC-3 (T10
 * 1363D, "MMC-3"), SPC-2 (T10 1236D), SFF-8038i rev 1.0 ("Bus Master Programming Interface for
 * IDE ATA Controllers"), Intel 82371FB/SB (PIIX/PIIX3) datasheet section 2.5 (BMIDE registers).
 *
 * Timing: PIO commands complete at once (the device has its data the moment the command is
 * written, like a drive with a warm cache); DMA completes IDE_DMA_DELAY_NS of virtual time after
 * both the command and the bus master's start bit are in, so a driver always sees the interrupt
 * after it has started the engine. Everything is derived from the virtual clock. */
#include "ide.h"

#include <stdio.h>
#include <string.h>

#define IDE_DMA_DELAY_NS 20000u       /* 20 us: a short, fixed seek/transfer time */
#define IDE_MAX_MULT 16               /* IDENTIFY word 47: sectors per DRQ block */
#define CD_SECTOR 2048u

/* Status register, ATA-6 7.15.6. Bit 4 is DSC (device seek complete) on ATA devices. */
#define ST_BSY 0x80
#define ST_DRDY 0x40
#define ST_DF 0x20
#define ST_DSC 0x10
#define ST_DRQ 0x08
#define ST_ERR 0x01

/* Error register, ATA-6 7.11. */
#define ER_UNC 0x40
#define ER_IDNF 0x10
#define ER_ABRT 0x04

/* Device Control register, ATA-6 7.9. */
#define CTL_NIEN 0x02
#define CTL_SRST 0x04
#define CTL_HOB 0x80

/* Device register: LBA bit (ATA-6 7.10), DEV bit. */
#define DEV_LBA 0x40
#define DEV_DEV 0x10

/* Interrupt reason (Sector Count register of a packet device), ATA-6 8.21 (PACKET). */
#define IR_COD 0x01
#define IR_IO 0x02

/* Bus master registers (SFF-8038i; PIIX3 datasheet 2.5.2-2.5.4). */
#define BM_CMD_START 0x01
#define BM_CMD_WRITE 0x08             /* bus master writes memory (a device read) */
#define BM_ST_ACTIVE 0x01
#define BM_ST_ERROR 0x02
#define BM_ST_INT 0x04
#define BM_ST_CAP 0x60                /* drive 0/1 DMA capable: software-owned bits */

enum { XFER_NONE, XFER_PIO_IN, XFER_PIO_OUT, XFER_DMA_IN, XFER_DMA_OUT, XFER_PACKET };

/* SCSI sense keys (SPC-2 Table 107) and the additional sense codes used here. */
enum {
    SK_NO_SENSE = 0x0, SK_NOT_READY = 0x2, SK_MEDIUM_ERROR = 0x3, SK_ILLEGAL_REQUEST = 0x5,
    SK_UNIT_ATTENTION = 0x6, SK_DATA_PROTECT = 0x7,
};
#define ASC_UNRECOVERED_READ 0x11
#define ASC_INVALID_OPCODE 0x20
#define ASC_LBA_OUT_OF_RANGE 0x21
#define ASC_INVALID_FIELD 0x24
#define ASC_WRITE_PROTECTED 0x27
#define ASC_MEDIUM_CHANGED 0x28
#define ASC_SAVING_NOT_SUPPORTED 0x39
#define ASC_NO_MEDIUM 0x3A
#define ASC_REMOVAL_PREVENTED 0x53

static void dma_event(void *opaque);

static struct ide_drive_state *selected(struct ide *ide, int ch)
{
    struct ide_channel_state *c = &ide->s.ch[ch];
    return &c->drive[c->dev];
}

static int unit_of(struct ide *ide, int ch, const struct ide_drive_state *d)
{
    return d == &ide->s.ch[ch].drive[1];
}

static struct block *blk_of(struct ide *ide, int ch, const struct ide_drive_state *d)
{
    return ide->blk[ch][unit_of(ide, ch, d)];
}

/* --- interrupts --- */

/* ATA-6 5.2.9 (INTRQ) and 7.9 (nIEN): only the selected device drives INTRQ, and only while
 * nIEN is 0. The PIIX3's IDEINTS bit (BMIDE status bit 2) latches the line's rising edge. */
static void update_irq(struct ide *ide, int ch)
{
    struct ide_channel_state *c = &ide->s.ch[ch];
    struct ide_drive_state *d = &c->drive[c->dev];
    bool level = d->present && d->intrq && !(c->ctrl & CTL_NIEN);
    if (level && !c->irq_level)
        c->bm_status |= BM_ST_INT;
    if (level != c->irq_level) {
        c->irq_level = level;
        irq_set(ide->irq, ch ? 15 : 14, level);
    }
}

static void raise_irq(struct ide *ide, int ch, struct ide_drive_state *d)
{
    d->intrq = true;
    update_irq(ide, ch);
}

/* --- task file helpers --- */

static void set_signature(struct ide_drive_state *d)
{
    /* ATA-6 9.12 (signature and persistence): ATA 01h/01h/00h/00h, packet devices
     * 01h/01h/14h/EBh in Sector Count, LBA Low, LBA Mid, LBA High; Device 00h. */
    d->nsect = d->sect = 1;
    d->lcyl = d->cdrom ? 0x14 : 0x00;
    d->hcyl = d->cdrom ? 0xEB : 0x00;
    d->select = 0;
}

/* Ends a command without data: status, error, optional interrupt. */
static void ata_done(struct ide *ide, int ch, struct ide_drive_state *d, uint8_t status,
                     uint8_t error, bool irq)
{
    d->xfer = XFER_NONE;
    d->status = status;
    d->error = error;
    if (status & ST_ERR)
        ide->stats.errors++;
    if (irq)
        raise_irq(ide, ch, d);
}

static void ata_ok(struct ide *ide, int ch, struct ide_drive_state *d)
{
    ata_done(ide, ch, d, ST_DRDY | ST_DSC, 0, true);
}

static void ata_abort(struct ide *ide, int ch, struct ide_drive_state *d)
{
    ata_done(ide, ch, d, ST_DRDY | ST_ERR, ER_ABRT, true);
}

/* Writes an address into the LBA (or CHS) registers: the error outputs of the read/write
 * commands report the first sector in error there (ATA-6 8.27 READ SECTORS "Error outputs"). */
static void set_tf_address(struct ide_drive_state *d, uint64_t lba)
{
    if (d->lba48) {
        d->sect = (uint8_t)lba;
        d->lcyl = (uint8_t)(lba >> 8);
        d->hcyl = (uint8_t)(lba >> 16);
        d->hob_sect = (uint8_t)(lba >> 24);
        d->hob_lcyl = (uint8_t)(lba >> 32);
        d->hob_hcyl = (uint8_t)(lba >> 40);
    } else if (!d->chs) {
        d->sect = (uint8_t)lba;
        d->lcyl = (uint8_t)(lba >> 8);
        d->hcyl = (uint8_t)(lba >> 16);
        d->select = (uint8_t)((d->select & 0xF0) | ((lba >> 24) & 0x0F));
    } else if (d->cur_heads && d->cur_spt) {
        uint64_t track = lba / d->cur_spt;
        uint64_t cyl = track / d->cur_heads;
        d->sect = (uint8_t)(lba % d->cur_spt + 1);
        d->lcyl = (uint8_t)cyl;
        d->hcyl = (uint8_t)(cyl >> 8);
        d->select = (uint8_t)((d->select & 0xF0) | (track % d->cur_heads));
    }
}

static void ata_error_at(struct ide *ide, int ch, struct ide_drive_state *d, uint8_t error,
                         uint64_t lba)
{
    set_tf_address(d, lba);
    ata_done(ide, ch, d, ST_DRDY | ST_ERR, error, true);
}

/* --- geometry and IDENTIFY --- */

/* ATA-6 6.2.1 (CHS translation) and 8.15 word 1: 16 heads and 63 sectors per track, cylinders
 * from the capacity, and "if words 60-61 are 16,514,064 or more, word 1 shall be 16,383". */
static void default_geometry(struct ide_drive_state *d)
{
    uint64_t cyls = d->sectors / (16 * 63);
    if (cyls > 16383)
        cyls = 16383;
    if (cyls == 0)
        cyls = 1;
    d->cyls = (uint16_t)cyls;
    d->heads = 16;
    d->spt = 63;
}

/* Current translation after INITIALIZE DEVICE PARAMETERS (ATA-6 8.16 and words 54-58): the
 * cylinders that fit the capacity (limited to the 16,514,064 sectors CHS can address). */
static void set_current_geometry(struct ide_drive_state *d, unsigned heads, unsigned spt)
{
    uint64_t cap = d->sectors < 16514064 ? d->sectors : 16514064;
    uint64_t cyls = cap / (heads * spt);
    if (cyls > 65535)
        cyls = 65535;
    d->cur_heads = (uint16_t)heads;
    d->cur_spt = (uint16_t)spt;
    d->cur_cyls = (uint16_t)cyls;
    d->chs_valid = cyls > 0;
}

/* ATA strings: two characters a word, the first in the high byte (ATA-6 3.2.9), space-padded. */
static void id_string(uint16_t *w, unsigned first, unsigned nwords, const char *s)
{
    size_t len = strlen(s);
    for (unsigned i = 0; i < nwords * 2; i++) {
        uint8_t c = i < len ? (uint8_t)s[i] : ' ';
        if (i & 1)
            w[first + i / 2] |= c;
        else
            w[first + i / 2] = (uint16_t)(c << 8);
    }
}

static void id_common(struct ide *ide, int ch, struct ide_drive_state *d, uint16_t *w)
{
    char serial[24];
    snprintf(serial, sizeof(serial), "JITPC%015d", ch * 2 + unit_of(ide, ch, d) + 1);
    id_string(w, 10, 10, serial);
    id_string(w, 23, 4, "1.0");
    id_string(w, 27, 20, d->cdrom ? "JITPC CD-ROM" : "JITPC HARDDISK");
    /* Word 49: bit 11 IORDY supported, bit 10 IORDY may be disabled, bit 9 LBA, bit 8 DMA. */
    w[49] = 0x0F00;
    w[50] = 0x4000;                  /* bit 14 shall be one */
    w[51] = 0x0200;                  /* obsolete PIO timing mode (2), as drives still report */
    /* Word 53: bit 2 word 88 valid, bit 1 words 64-70 valid, bit 0 words 54-58 valid. */
    w[53] = 0x0006;
    /* Word 63: multiword DMA modes 0-2 supported (bits 2:0), the selected one in bits 10:8;
     * word 88: Ultra DMA modes 0-5 supported (bits 5:0), selected in bits 13:8. SET FEATURES
     * 03h selects one mode of one kind (ATA-6 8.37.10). */
    w[63] = 0x0007;
    w[88] = 0x003F;
    if ((d->xfer_mode & 0xF8) == 0x20)
        w[63] |= (uint16_t)(0x100 << (d->xfer_mode & 7));
    if ((d->xfer_mode & 0xF8) == 0x40)
        w[88] |= (uint16_t)(0x100 << (d->xfer_mode & 7));
    w[64] = 0x0003;                  /* PIO modes 3 and 4 */
    w[65] = w[66] = w[67] = w[68] = 120;     /* ns: cycle times of MW DMA 2 and PIO 4 */
    w[80] = 0x0078;                  /* major version: ATA-3, ATA/ATAPI-4, -5, -6 */
    w[81] = 0x0000;                  /* minor version not reported */
    /* Word 93 (hardware reset result): bit 14 one, bit 13 80-conductor cable (CBLID-) seen;
     * device 0 in bits 7:0 (bit 0 one, bits 2:1 = 01 jumper, bit 3 diagnostics passed),
     * device 1 in bits 15:8 (bit 8 one, bits 10:9 = 01 jumper). */
    w[93] = unit_of(ide, ch, d) ? 0x6300 : 0x600B;
}

/* Word 255: signature A5h and a checksum making the 512 bytes sum to 0 (ATA-6 8.15.66). */
static void id_finish(uint16_t *w, uint8_t *out)
{
    w[255] = 0x00A5;
    uint8_t sum = 0;
    for (unsigned i = 0; i < 255; i++)
        sum = (uint8_t)(sum + (w[i] & 0xFF) + (w[i] >> 8));
    sum = (uint8_t)(sum + 0xA5);
    w[255] |= (uint16_t)((uint8_t)-sum << 8);
    for (unsigned i = 0; i < 256; i++) {
        out[2 * i] = (uint8_t)w[i];
        out[2 * i + 1] = (uint8_t)(w[i] >> 8);
    }
}

/* IDENTIFY DEVICE data, ATA-6 8.15 Table 27. */
static void identify_ata(struct ide *ide, int ch, struct ide_drive_state *d)
{
    uint16_t w[256];
    memset(w, 0, sizeof(w));
    w[0] = 0x0040;                   /* ATA device (bit 15 zero), fixed (bit 6, retired) */
    w[1] = d->cyls;
    w[3] = d->heads;
    w[6] = d->spt;
    id_common(ide, ch, d, w);
    w[47] = 0x8000 | IDE_MAX_MULT;
    if (d->chs_valid) {
        uint32_t cap = (uint32_t)d->cur_cyls * d->cur_heads * d->cur_spt;
        w[53] |= 0x0001;
        w[54] = d->cur_cyls;
        w[55] = d->cur_heads;
        w[56] = d->cur_spt;
        w[57] = (uint16_t)cap;
        w[58] = (uint16_t)(cap >> 16);
    }
    if (d->mult)
        w[59] = 0x0100 | d->mult;    /* bit 8: the multiple setting in bits 7:0 is valid */
    uint64_t lba28 = d->sectors < 0x0FFFFFFF ? d->sectors : 0x0FFFFFFF;
    w[60] = (uint16_t)lba28;
    w[61] = (uint16_t)(lba28 >> 16);
    /* Words 82-87: command sets. 82: bit 5 write cache, bit 3 power management. 83: bit 14
     * one, 13 FLUSH CACHE EXT, 12 FLUSH CACHE, 10 48-bit address. 84/87: bit 14 one. */
    w[82] = 0x0028;
    w[83] = 0x7400;
    w[84] = 0x4000;
    w[85] = (uint16_t)(0x0008 | (d->write_cache ? 0x0020 : 0));
    w[86] = 0x3400;
    w[87] = 0x4000;
    for (unsigned i = 0; i < 4; i++)
        w[100 + i] = (uint16_t)(d->sectors >> (16 * i));
    id_finish(w, d->buf);
}

/* IDENTIFY PACKET DEVICE data, ATA-6 8.16 Table 28. */
static void identify_atapi(struct ide *ide, int ch, struct ide_drive_state *d)
{
    uint16_t w[256];
    memset(w, 0, sizeof(w));
    /* Word 0: bits 15:14 = 10b packet device, 12:8 = 05h CD-ROM, bit 7 removable, bits 6:5 =
     * 10b DRQ within 50 us of the PACKET command, bits 1:0 = 00b 12-byte packets. */
    w[0] = 0x85C0;
    id_common(ide, ch, d, w);
    /* 82: bit 9 DEVICE RESET, bit 4 PACKET, bit 3 power management. */
    w[82] = 0x0218;
    w[83] = 0x4000;
    w[84] = 0x4000;
    w[85] = 0x0218;
    w[87] = 0x4000;
    id_finish(w, d->buf);
}

/* --- PIO data phases --- */

static void begin_pio_in(struct ide *ide, int ch, struct ide_drive_state *d, uint32_t len)
{
    /* ATA-6 9.7 (PIO data-in): DRQ set and INTRQ asserted for each DRQ block. */
    d->xfer = XFER_PIO_IN;
    d->in_packet = false;
    d->buf_len = d->drq_left = len;
    d->pos = 0;
    d->status = ST_DRDY | ST_DSC | ST_DRQ;
    d->error = 0;
    raise_irq(ide, ch, d);
}

/* Loads the next DRQ block of a PIO read from the media. */
static void ata_pio_in_block(struct ide *ide, int ch, struct ide_drive_state *d)
{
    uint32_t n = d->left < d->multi ? d->left : d->multi;
    if (block_read(blk_of(ide, ch, d), d->lba * BLOCK_SECTOR, d->buf, n * BLOCK_SECTOR) < 0) {
        ata_error_at(ide, ch, d, ER_UNC, d->lba);
        return;
    }
    d->lba += n;
    d->left -= n;
    begin_pio_in(ide, ch, d, n * BLOCK_SECTOR);
}

/* Opens the next DRQ block of a PIO write. ATA-6 9.8 (PIO data-out): no interrupt before the
 * first block, one after each block the device has taken. */
static void ata_pio_out_block(struct ide *ide, int ch, struct ide_drive_state *d, bool irq)
{
    uint32_t n = d->left < d->multi ? d->left : d->multi;
    d->xfer = XFER_PIO_OUT;
    d->buf_len = d->drq_left = n * BLOCK_SECTOR;
    d->pos = 0;
    d->status = ST_DRDY | ST_DSC | ST_DRQ;
    d->error = 0;
    if (irq)
        raise_irq(ide, ch, d);
}

static void ata_pio_out_done(struct ide *ide, int ch, struct ide_drive_state *d)
{
    uint32_t n = d->buf_len / BLOCK_SECTOR;
    if (block_write(blk_of(ide, ch, d), d->lba * BLOCK_SECTOR, d->buf, n * BLOCK_SECTOR) < 0) {
        ata_error_at(ide, ch, d, ER_ABRT, d->lba);
        return;
    }
    d->lba += n;
    d->left -= n;
    if (d->left)
        ata_pio_out_block(ide, ch, d, true);
    else
        ata_ok(ide, ch, d);
}

/* --- ATAPI --- */

static bool atapi_refill(struct ide *ide, int ch, struct ide_drive_state *d)
{
    uint32_t n = d->left < IDE_BUF_SIZE / CD_SECTOR ? d->left : IDE_BUF_SIZE / CD_SECTOR;
    struct block *b = blk_of(ide, ch, d);
    if (!n || !b || !d->medium || block_read(b, d->lba * CD_SECTOR, d->buf, n * CD_SECTOR) < 0)
        return false;
    d->lba += n;
    d->left -= n;
    d->buf_len = n * CD_SECTOR;
    d->pos = 0;
    return true;
}

/* Command completion: ATA-6 9.10 (PACKET protocol) ends with CoD=1, IO=1, DRQ=0 and INTRQ. */
static void atapi_end(struct ide *ide, int ch, struct ide_drive_state *d, uint8_t status,
                      uint8_t error)
{
    d->nsect = IR_IO | IR_COD;
    ata_done(ide, ch, d, status, error, true);
}

static void atapi_ok(struct ide *ide, int ch, struct ide_drive_state *d)
{
    atapi_end(ide, ch, d, ST_DRDY, 0);
}

/* CHECK CONDITION: the sense key goes to Error bits 7:4 (ATA-6 8.21 PACKET "Error outputs"),
 * the full sense data waits for REQUEST SENSE. */
static void atapi_fail(struct ide *ide, int ch, struct ide_drive_state *d, uint8_t key,
                       uint8_t asc, uint8_t ascq)
{
    d->sense_key = key;
    d->asc = asc;
    d->ascq = ascq;
    atapi_end(ide, ch, d, ST_DRDY | ST_ERR, (uint8_t)(key << 4));
}

static void atapi_not_ready(struct ide *ide, int ch, struct ide_drive_state *d)
{
    /* MMC-3 Table F.1: 3A/01 medium not present - tray closed, 3A/02 - tray open. */
    atapi_fail(ide, ch, d, SK_NOT_READY, ASC_NO_MEDIUM, d->tray_open ? 0x02 : 0x01);
}

/* Opens the next DRQ block of a packet data-in transfer. ATA-6 9.10: the byte count goes to
 * the LBA Mid/High (cylinder) registers, at most the host's byte count limit and even unless it
 * is the last block; interrupt reason IO=1 CoD=0. */
static void atapi_next_drq(struct ide *ide, int ch, struct ide_drive_state *d)
{
    uint32_t n = d->atapi_left;
    uint32_t limit = d->byte_limit & ~1u;
    if (limit == 0)
        limit = 2;
    if (n > limit)
        n = limit;
    d->drq_left = n;
    d->lcyl = (uint8_t)n;
    d->hcyl = (uint8_t)(n >> 8);
    d->nsect = IR_IO;
    d->xfer = XFER_PIO_IN;
    d->in_packet = true;
    d->status = ST_DRDY | ST_DRQ;
    raise_irq(ide, ch, d);
}

static void maybe_start_dma(struct ide *ide, int ch);

/* Starts sending the reply: buf holds buf_len bytes, and `left` more sectors follow from lba. */
static void atapi_send(struct ide *ide, int ch, struct ide_drive_state *d, uint32_t total)
{
    d->atapi_left = total;
    if (total == 0) {
        atapi_ok(ide, ch, d);
        return;
    }
    if (d->atapi_dma) {
        d->xfer = XFER_DMA_IN;
        d->nsect = IR_IO;
        d->status = ST_DRDY | ST_DRQ;
        maybe_start_dma(ide, ch);
    } else {
        atapi_next_drq(ide, ch, d);
    }
}

/* A reply built in buf, cut to the allocation length. */
static void atapi_reply(struct ide *ide, int ch, struct ide_drive_state *d, uint32_t len,
                        uint32_t alloc)
{
    d->left = 0;
    d->pos = 0;
    d->buf_len = len < alloc ? len : alloc;
    atapi_send(ide, ch, d, d->buf_len);
}

static void put_be16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint32_t get_be16(const uint8_t *p)
{
    return (uint32_t)p[0] << 8 | p[1];
}

static uint32_t get_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* A TOC address: an LBA, or MSF with the 150-frame (2 s) lead-in offset (MMC-3 Table 5). */
static void put_addr(uint8_t *p, uint32_t lba, bool msf)
{
    if (msf) {
        uint32_t f = lba + 150;
        p[0] = 0;
        p[1] = (uint8_t)(f / (75 * 60));
        p[2] = (uint8_t)(f / 75 % 60);
        p[3] = (uint8_t)(f % 75);
    } else {
        put_be32(p, lba);
    }
}

/* READ TOC/PMA/ATIP (MMC-3 5.23): one data track (track 1 at LBA 0, ADR 1, control 4) and the
 * lead-out (AAh) at the capacity. Returns the reply length, or 0 for an invalid field. */
static uint32_t atapi_read_toc(struct ide_drive_state *d, const uint8_t *p)
{
    bool msf = p[1] & 0x02;
    unsigned fmt = p[2] & 0x0F;
    if (fmt == 0)
        fmt = p[9] >> 6;             /* the older (SFF-8020) format field in the control byte */
    uint8_t *b = d->buf;
    memset(b, 0, 64);
    if (fmt == 0) {
        unsigned track = p[6];
        uint32_t len = 4;
        b[2] = 1;                    /* first track */
        b[3] = 1;                    /* last track */
        if (track > 1 && track != 0xAA)
            return 0;
        if (track <= 1) {
            b[len + 1] = 0x14;
            b[len + 2] = 1;
            put_addr(b + len + 4, 0, msf);
            len += 8;
        }
        b[len + 1] = 0x14;
        b[len + 2] = 0xAA;
        put_addr(b + len + 4, (uint32_t)d->sectors, msf);
        len += 8;
        put_be16(b, len - 2);
        return len;
    }
    if (fmt == 1) {
        /* Session information: first and last session 1, first track of the last session. */
        put_be16(b, 10);
        b[2] = b[3] = 1;
        b[5] = 0x14;
        b[6] = 1;
        put_addr(b + 8, 0, msf);
        return 12;
    }
    return 0;
}

/* Feature descriptors of GET CONFIGURATION (MMC-3 5.5, 5.3): Profile List (0000h) with the
 * CD-ROM profile (0008h), Core (0001h, ATAPI interface), Removable Medium (0003h). */
static uint32_t atapi_get_configuration(struct ide_drive_state *d, const uint8_t *p)
{
    unsigned rt = p[1] & 3, start = get_be16(p + 2);
    uint8_t *b = d->buf;
    uint32_t len = 8;
    memset(b, 0, 64);
    put_be16(b + 6, d->medium ? 0x0008 : 0x0000);   /* current profile */
    struct { uint16_t code; uint8_t ver_flags; uint8_t n; uint8_t data[8]; } feats[] = {
        {0x0000, 0x03, 4, {0x00, 0x08, d->medium ? 0x01 : 0x00, 0}},
        {0x0001, 0x03, 8, {0, 0, 0, 2, 0, 0, 0, 0}},   /* physical interface 2: ATAPI */
        /* loading mechanism 001b tray, eject, prevent jumper absent, lock, lock state */
        {0x0003, 0x03, 4, {(uint8_t)(0x29 | (d->locked ? 0x02 : 0)), 0, 0, 0}},
    };
    for (unsigned i = 0; i < sizeof(feats) / sizeof(feats[0]); i++) {
        bool current = feats[i].ver_flags & 1;
        if (feats[i].code < start)
            continue;
        if (rt == 1 && !current)
            continue;
        if (rt == 2 && feats[i].code != start)
            continue;
        put_be16(b + len, feats[i].code);
        b[len + 2] = feats[i].ver_flags;
        b[len + 3] = feats[i].n;
        memcpy(b + len + 4, feats[i].data, feats[i].n);
        len += 4u + feats[i].n;
    }
    put_be32(b, len - 4);
    return len;
}

/* MODE SENSE(10) (SPC-2 7.9, MMC-3 6.3): Read/Write Error Recovery (01h) and CD/DVD
 * Capabilities and Mechanical Status (2Ah). Returns the length, 0 for an unsupported page. */
static uint32_t atapi_mode_sense(struct ide_drive_state *d, const uint8_t *p, bool *saved)
{
    unsigned pc = p[2] >> 6, page = p[2] & 0x3F;
    bool changeable = pc == 1;
    uint8_t *b = d->buf;
    uint32_t len = 8;
    *saved = pc == 3;
    if (*saved)
        return 0;
    memset(b, 0, 64);
    if (page == 0x01 || page == 0x3F) {
        b[len] = 0x01;
        b[len + 1] = 0x0A;
        if (!changeable)
            b[len + 3] = 5;          /* read retry count */
        len += 12;
    }
    if (page == 0x2A || page == 0x3F) {
        uint8_t *q = b + len;
        q[0] = 0x2A;
        q[1] = 0x14;
        if (!changeable) {
            q[6] = (uint8_t)(0x29 | (d->locked ? 0x02 : 0));   /* tray, eject, lock (state) */
            put_be16(q + 8, 706);    /* maximum read speed, kB/s (4x) */
            put_be16(q + 14, 706);   /* current read speed */
        }
        len += 22;
    }
    if (len == 8)
        return 0;
    put_be16(b, len - 2);
    return len;
}

/* GET EVENT STATUS NOTIFICATION (MMC-3 5.6), polled only: the media class. */
static uint32_t atapi_event_status(struct ide_drive_state *d, const uint8_t *p)
{
    uint8_t *b = d->buf;
    memset(b, 0, 8);
    b[3] = 0x10;                     /* supported event classes: media */
    if (!(p[4] & 0x10)) {
        b[2] = 0x80;                 /* NEA: none of the requested classes is available */
        put_be16(b, 2);
        return 4;
    }
    put_be16(b, 6);
    b[2] = 0x04;                     /* notification class: media */
    b[4] = d->media_event;
    b[5] = (uint8_t)((d->medium ? 0x02 : 0) | (d->tray_open ? 0x01 : 0));
    d->media_event = 0;
    return 8;
}

static void atapi_read(struct ide *ide, int ch, struct ide_drive_state *d, uint32_t lba,
                       uint32_t count)
{
    if (!d->medium) {
        atapi_not_ready(ide, ch, d);
        return;
    }
    if ((uint64_t)lba + count > d->sectors) {
        atapi_fail(ide, ch, d, SK_ILLEGAL_REQUEST, ASC_LBA_OUT_OF_RANGE, 0);
        return;
    }
    if (count > UINT32_MAX / CD_SECTOR) {
        /* more than 4 GiB in one command: beyond what one transfer count can hold */
        atapi_fail(ide, ch, d, SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD, 0);
        return;
    }
    d->lba = lba;
    d->left = count;
    d->buf_len = d->pos = 0;
    atapi_send(ide, ch, d, count * CD_SECTOR);
}

/* MMC-3 4.1.6.1 / SPC-2 5.6.5: a unit attention is reported by the next command, except those
 * that must not be disturbed by it. */
static bool ua_exempt(uint8_t op)
{
    return op == 0x03 || op == 0x12 || op == 0x46 || op == 0x4A;
}

static void atapi_packet(struct ide *ide, int ch, struct ide_drive_state *d)
{
    const uint8_t *p = d->packet;
    uint8_t *b = d->buf;
    ide->stats.packets++;
    if (p[0] != 0x03)
        d->sense_key = d->asc = d->ascq = 0;
    if (d->unit_attention && !ua_exempt(p[0])) {
        d->unit_attention = false;
        atapi_fail(ide, ch, d, SK_UNIT_ATTENTION, ASC_MEDIUM_CHANGED, 0);
        return;
    }
    switch (p[0]) {
    case 0x00: /* TEST UNIT READY (SPC-2 7.25) */
        if (!d->medium)
            atapi_not_ready(ide, ch, d);
        else
            atapi_ok(ide, ch, d);
        return;
    case 0x03: { /* REQUEST SENSE (SPC-2 7.20): fixed format, a pending UA first */
        memset(b, 0, 18);
        b[0] = 0x70;
        if (d->unit_attention) {
            d->unit_attention = false;
            b[2] = SK_UNIT_ATTENTION;
            b[12] = ASC_MEDIUM_CHANGED;
        } else {
            b[2] = d->sense_key;
            b[12] = d->asc;
            b[13] = d->ascq;
        }
        b[7] = 10;
        d->sense_key = d->asc = d->ascq = 0;
        atapi_reply(ide, ch, d, 18, p[4]);
        return;
    }
    case 0x12: /* INQUIRY (SPC-2 7.3.2): CD/DVD device (05h), removable */
        if (p[1] & 0x01) {           /* EVPD: no vital product data pages */
            atapi_fail(ide, ch, d, SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD, 0);
            return;
        }
        memset(b, 0, 36);
        b[0] = 0x05;
        b[1] = 0x80;
        b[3] = 0x02;                 /* response data format 2 */
        b[4] = 31;                   /* additional length */
        memcpy(b + 8, "JITPC   ", 8);
        memcpy(b + 16, "CD-ROM          ", 16);
        memcpy(b + 32, "1.0 ", 4);
        atapi_reply(ide, ch, d, 36, get_be16(p + 3));
        return;
    case 0x1B: /* START STOP UNIT (MMC-3 5.30): LoEj with Start ejects or loads */
        if (p[4] & 0x02) {
            if (!(p[4] & 0x01)) {
                if (d->locked) {
                    atapi_fail(ide, ch, d, SK_ILLEGAL_REQUEST, ASC_REMOVAL_PREVENTED, 0x02);
                    return;
                }
                if (d->medium)
                    d->media_event = 3;      /* media removal */
                d->tray_open = true;
                d->medium = false;
            } else if (d->tray_open) {
                d->tray_open = false;
                d->medium = blk_of(ide, ch, d) != NULL;
                if (d->medium) {
                    d->media_event = 2;      /* new media */
                    d->unit_attention = true;
                }
            }
        }
        atapi_ok(ide, ch, d);
        return;
    case 0x1E: /* PREVENT ALLOW MEDIUM REMOVAL (SPC-2 7.12) */
        d->locked = p[4] & 0x01;
        atapi_ok(ide, ch, d);
        return;
    case 0x25: /* READ CAPACITY (MMC-3 5.17): last LBA, block length */
        if (!d->medium) {
            atapi_not_ready(ide, ch, d);
            return;
        }
        put_be32(b, (uint32_t)(d->sectors - 1));
        put_be32(b + 4, CD_SECTOR);
        atapi_reply(ide, ch, d, 8, 8);
        return;
    case 0x28: /* READ(10) (MMC-3 5.12) */
        atapi_read(ide, ch, d, get_be32(p + 2), get_be16(p + 7));
        return;
    case 0xA8: /* READ(12) (MMC-3 5.13) */
        atapi_read(ide, ch, d, get_be32(p + 2), get_be32(p + 6));
        return;
    case 0x2B: /* SEEK(10) */
        if (!d->medium)
            atapi_not_ready(ide, ch, d);
        else if (get_be32(p + 2) >= d->sectors)
            atapi_fail(ide, ch, d, SK_ILLEGAL_REQUEST, ASC_LBA_OUT_OF_RANGE, 0);
        else
            atapi_ok(ide, ch, d);
        return;
    case 0x43: { /* READ TOC/PMA/ATIP */
        if (!d->medium) {
            atapi_not_ready(ide, ch, d);
            return;
        }
        uint32_t len = atapi_read_toc(d, p);
        if (!len)
            atapi_fail(ide, ch, d, SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD, 0);
        else
            atapi_reply(ide, ch, d, len, get_be16(p + 7));
        return;
    }
    case 0x46: /* GET CONFIGURATION */
        atapi_reply(ide, ch, d, atapi_get_configuration(d, p), get_be16(p + 7));
        return;
    case 0x4A: /* GET EVENT STATUS NOTIFICATION */
        if (!(p[1] & 0x01)) {        /* asynchronous operation is not supported */
            atapi_fail(ide, ch, d, SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD, 0);
            return;
        }
        atapi_reply(ide, ch, d, atapi_event_status(d, p), get_be16(p + 7));
        return;
    case 0x51: /* READ DISC INFORMATION (MMC-3 5.19): a complete single-session disc */
        if (!d->medium) {
            atapi_not_ready(ide, ch, d);
            return;
        }
        memset(b, 0, 34);
        put_be16(b, 32);
        b[2] = 0x0E;                 /* last session complete (11b), disc complete (10b) */
        b[3] = 1;                    /* first track */
        b[4] = 1;                    /* sessions */
        b[5] = 1;                    /* first track in last session */
        b[6] = 1;                    /* last track in last session */
        put_be32(b + 16, 0xFFFFFFFF);    /* no lead-in / lead-out for a complete disc */
        put_be32(b + 20, 0xFFFFFFFF);
        atapi_reply(ide, ch, d, 34, get_be16(p + 7));
        return;
    case 0x5A: { /* MODE SENSE(10) */
        bool saved;
        uint32_t len = atapi_mode_sense(d, p, &saved);
        if (saved)
            atapi_fail(ide, ch, d, SK_ILLEGAL_REQUEST, ASC_SAVING_NOT_SUPPORTED, 0);
        else if (!len)
            atapi_fail(ide, ch, d, SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD, 0);
        else
            atapi_reply(ide, ch, d, len, get_be16(p + 7));
        return;
    }
    case 0x2A: /* WRITE(10) */
    case 0xAA: /* WRITE(12) */
        /* Read-only media: DATA PROTECT, WRITE PROTECTED (SPC-2 Table 108). */
        atapi_fail(ide, ch, d, SK_DATA_PROTECT, ASC_WRITE_PROTECTED, 0);
        return;
    default:
        ide->stats.unknown_commands++;
        atapi_fail(ide, ch, d, SK_ILLEGAL_REQUEST, ASC_INVALID_OPCODE, 0);
        return;
    }
}

/* --- data port --- */

static void pio_in_block_done(struct ide *ide, int ch, struct ide_drive_state *d)
{
    if (d->in_packet) {
        if (d->atapi_left)
            atapi_next_drq(ide, ch, d);
        else
            atapi_ok(ide, ch, d);
    } else if (d->left) {
        ata_pio_in_block(ide, ch, d);
    } else {
        /* ATA-6 9.7: after the last block DRQ clears with no interrupt. */
        d->xfer = XFER_NONE;
        d->status = d->cdrom ? ST_DRDY : ST_DRDY | ST_DSC;
    }
}

static uint32_t data_read(struct ide *ide, int ch, unsigned size)
{
    struct ide_drive_state *d = selected(ide, ch);
    uint32_t v = 0;
    for (unsigned i = 0; i < size; i++) {
        if (!d->present || d->xfer != XFER_PIO_IN) {
            ide->stats.unhandled++;
            v |= 0xFFu << (8 * i);
            continue;
        }
        if (d->pos == d->buf_len && !(d->in_packet && atapi_refill(ide, ch, d))) {
            if (d->in_packet)
                atapi_fail(ide, ch, d, SK_MEDIUM_ERROR, ASC_UNRECOVERED_READ, 0);
            else
                d->xfer = XFER_NONE;
            v |= 0xFFu << (8 * i);
            continue;
        }
        v |= (uint32_t)d->buf[d->pos++] << (8 * i);
        ide->stats.pio_bytes++;
        if (d->in_packet)
            d->atapi_left--;
        if (--d->drq_left == 0)
            pio_in_block_done(ide, ch, d);
    }
    return v;
}

static void data_write(struct ide *ide, int ch, uint32_t v, unsigned size)
{
    struct ide_drive_state *d = selected(ide, ch);
    for (unsigned i = 0; i < size; i++) {
        uint8_t byte = (uint8_t)(v >> (8 * i));
        if (d->present && d->xfer == XFER_PACKET) {
            d->packet[d->pos++] = byte;
            if (d->pos == sizeof(d->packet)) {
                /* The packet is in: BSY while the device acts on it (ATA-6 9.10). */
                d->xfer = XFER_NONE;
                d->status = ST_BSY;
                atapi_packet(ide, ch, d);
            }
        } else if (d->present && d->xfer == XFER_PIO_OUT) {
            d->buf[d->pos++] = byte;
            ide->stats.pio_bytes++;
            if (--d->drq_left == 0)
                ata_pio_out_done(ide, ch, d);
        } else {
            ide->stats.unhandled++;
        }
    }
}

/* --- ATA commands --- */

/* The starting sector and count of a read/write command: LBA48 (EXT commands, the previous
 * register contents holding the high bytes), LBA28 or CHS (ATA-6 6.2, 8.27). Checks the range:
 * ABRT for an invalid CHS translation, IDNF past the end (ATA-6 7.11 bit 4). */
static bool ata_address(struct ide *ide, int ch, struct ide_drive_state *d, bool ext,
                        uint64_t *lba, uint32_t *count)
{
    uint64_t cap = d->sectors;
    d->lba48 = ext;
    d->chs = false;
    if (ext) {
        *lba = (uint64_t)d->hob_hcyl << 40 | (uint64_t)d->hob_lcyl << 32 |
               (uint64_t)d->hob_sect << 24 | (uint64_t)d->hcyl << 16 |
               (uint64_t)d->lcyl << 8 | d->sect;
        *count = (uint32_t)d->hob_nsect << 8 | d->nsect;
        if (*count == 0)
            *count = 65536;
    } else {
        *count = d->nsect ? d->nsect : 256;
        if (cap > 0x0FFFFFFF)
            cap = 0x0FFFFFFF;
        if (d->select & DEV_LBA) {
            *lba = (uint64_t)(d->select & 0x0F) << 24 | (uint64_t)d->hcyl << 16 |
                   (uint64_t)d->lcyl << 8 | d->sect;
        } else {
            unsigned cyl = (unsigned)d->hcyl << 8 | d->lcyl, head = d->select & 0x0F;
            d->chs = true;
            if (!d->chs_valid) {
                ata_abort(ide, ch, d);
                return false;
            }
            if (d->sect == 0 || d->sect > d->cur_spt || head >= d->cur_heads ||
                cyl >= d->cur_cyls) {
                ata_done(ide, ch, d, ST_DRDY | ST_ERR, ER_IDNF, true);
                return false;
            }
            *lba = ((uint64_t)cyl * d->cur_heads + head) * d->cur_spt + d->sect - 1;
        }
    }
    if (*lba >= cap || *count > cap - *lba) {
        ata_error_at(ide, ch, d, ER_IDNF, *lba > cap ? *lba : cap);
        return false;
    }
    return true;
}

enum { RW_PIO, RW_MULTIPLE, RW_DMA };

static void ata_rw(struct ide *ide, int ch, struct ide_drive_state *d, bool write, bool ext,
                   int mode)
{
    uint64_t lba;
    uint32_t count;
    if (mode == RW_MULTIPLE && !d->mult) {
        ata_abort(ide, ch, d);       /* ATA-6 8.29: multiple mode not enabled */
        return;
    }
    if (write && block_readonly(blk_of(ide, ch, d))) {
        ata_abort(ide, ch, d);
        return;
    }
    if (!ata_address(ide, ch, d, ext, &lba, &count))
        return;
    d->lba = lba;
    d->left = count;
    d->multi = mode == RW_MULTIPLE ? d->mult : 1;
    if (mode == RW_DMA) {
        /* ATA-6 9.9 (DMA): the device waits with DRQ for the host's DMA engine. */
        d->xfer = write ? XFER_DMA_OUT : XFER_DMA_IN;
        d->status = ST_DRDY | ST_DSC | ST_DRQ;
        d->error = 0;
        maybe_start_dma(ide, ch);
    } else if (write) {
        ata_pio_out_block(ide, ch, d, false);
    } else {
        ata_pio_in_block(ide, ch, d);
    }
}

/* SET FEATURES (ATA-6 8.37). */
static void ata_set_features(struct ide *ide, int ch, struct ide_drive_state *d)
{
    switch (d->feature) {
    case 0x03: { /* set transfer mode (8.37.10, Table 44) */
        uint8_t v = d->nsect, mode = v & 7;
        bool ok = v == 0x00 || v == 0x01 || ((v & 0xF8) == 0x08 && mode <= 4) ||
                  ((v & 0xF8) == 0x20 && mode <= 2) || ((v & 0xF8) == 0x40 && mode <= 5);
        if (!ok) {
            ata_abort(ide, ch, d);
            return;
        }
        /* Only one DMA mode is selected at a time; a PIO mode leaves the DMA selection. */
        if ((v & 0xF8) == 0x20 || (v & 0xF8) == 0x40)
            d->xfer_mode = v;
        break;
    }
    case 0x02: /* enable write cache */
    case 0x82: /* disable write cache */
        if (d->cdrom) {
            ata_abort(ide, ch, d);
            return;
        }
        d->write_cache = d->feature == 0x02;
        break;
    case 0x55: case 0xAA:    /* read look-ahead off/on */
    case 0x66: case 0xCC:    /* reverting to power-on defaults off/on */
        break;
    default:
        ata_abort(ide, ch, d);
        return;
    }
    if (d->cdrom)
        atapi_ok(ide, ch, d);
    else
        ata_ok(ide, ch, d);
}

/* Software reset / EXECUTE DEVICE DIAGNOSTIC result of one device (ATA-6 9.2, 8.11): the
 * signature, diagnostic code 01h (passed), ATA devices ready, packet devices with DRDY clear. */
static void diag_result(struct ide_drive_state *d)
{
    set_signature(d);
    d->error = 0x01;
    d->status = d->cdrom ? 0 : (ST_DRDY | ST_DSC);
    d->xfer = XFER_NONE;
}

static void cancel_dma(struct ide *ide, int ch)
{
    struct ide_channel_state *c = &ide->s.ch[ch];
    if (c->dma_scheduled) {
        clock_cancel(ide->clk, dma_event, &ide->ctx[ch]);
        c->dma_scheduled = false;
    }
}

static void ata_command(struct ide *ide, int ch, uint8_t cmd)
{
    struct ide_channel_state *c = &ide->s.ch[ch];
    struct ide_drive_state *d = &c->drive[c->dev];
    struct ide_drive_state *other = &c->drive[!c->dev];

    if (!d->present) {
        /* ATA-6 9.16.1: with device 1 absent, device 0 ignores commands written for it,
         * EXECUTE DEVICE DIAGNOSTIC excepted. */
        if (cmd != 0x90 || !other->present) {
            ide->stats.unhandled++;
            return;
        }
    } else if (d->status & ST_BSY && !(d->cdrom && cmd == 0x08)) {
        ide->stats.unhandled++;     /* ATA-6 7.4: not accepted while BSY (DEVICE RESET aside) */
        return;
    }
    ide->stats.commands++;
    if (d->present) {
        d->intrq = false;           /* writing the Command register clears the interrupt */
        update_irq(ide, ch);
        if (d->xfer == XFER_DMA_IN || d->xfer == XFER_DMA_OUT)
            cancel_dma(ide, ch);
        d->xfer = XFER_NONE;
        d->cmd = cmd;
    }

    if (cmd == 0x90) { /* EXECUTE DEVICE DIAGNOSTIC (8.11): both devices, device 0 interrupts */
        for (int u = 0; u < 2; u++) {
            if (c->drive[u].present)
                diag_result(&c->drive[u]);
            c->drive[u].select = c->dev ? DEV_DEV : 0;   /* the selection stands */
        }
        if (c->drive[0].present)
            raise_irq(ide, ch, &c->drive[0]);
        if (c->drive[1].present && !c->drive[0].present)
            raise_irq(ide, ch, &c->drive[1]);
        return;
    }

    if (d->cdrom) {
        switch (cmd) {
        case 0xA0: /* PACKET (8.21): DRQ for the 12-byte command packet, no interrupt */
            d->atapi_dma = d->feature & 0x01;
            d->byte_limit = (uint16_t)(d->hcyl << 8 | d->lcyl);
            d->xfer = XFER_PACKET;
            d->pos = 0;
            d->nsect = IR_COD;
            d->status = ST_DRDY | ST_DRQ;
            d->error = 0;
            return;
        case 0xA1: /* IDENTIFY PACKET DEVICE */
            identify_atapi(ide, ch, d);
            begin_pio_in(ide, ch, d, 512);
            d->status = ST_DRDY | ST_DRQ;
            return;
        case 0x08: /* DEVICE RESET (8.10): no interrupt (9.3) */
            cancel_dma(ide, ch);
            diag_result(d);
            return;
        case 0xEF:
            ata_set_features(ide, ch, d);
            return;
        case 0xE5: /* CHECK POWER MODE: active or idle */
            d->nsect = 0xFF;
            ata_done(ide, ch, d, ST_DRDY, 0, true);
            return;
        case 0xE0: case 0xE1: case 0xE2: case 0xE3: case 0xE7:
            ata_done(ide, ch, d, ST_DRDY, 0, true);
            return;
        case 0xEC: /* IDENTIFY DEVICE (8.15) and READ SECTORS (8.27) on a packet device:
                      command aborted, with the signature in the task file */
        case 0x20: case 0x21:
            set_signature(d);
            ata_abort(ide, ch, d);
            return;
        default:
            ide->stats.unknown_commands++;
            ata_abort(ide, ch, d);
            return;
        }
    }

    switch (cmd) {
    case 0xEC: /* IDENTIFY DEVICE */
        identify_ata(ide, ch, d);
        begin_pio_in(ide, ch, d, 512);
        return;
    case 0x20: case 0x21: ata_rw(ide, ch, d, false, false, RW_PIO); return;
    case 0x24: ata_rw(ide, ch, d, false, true, RW_PIO); return;
    case 0x30: case 0x31: ata_rw(ide, ch, d, true, false, RW_PIO); return;
    case 0x34: ata_rw(ide, ch, d, true, true, RW_PIO); return;
    case 0xC4: ata_rw(ide, ch, d, false, false, RW_MULTIPLE); return;
    case 0x29: ata_rw(ide, ch, d, false, true, RW_MULTIPLE); return;
    case 0xC5: ata_rw(ide, ch, d, true, false, RW_MULTIPLE); return;
    case 0x39: ata_rw(ide, ch, d, true, true, RW_MULTIPLE); return;
    case 0xC8: case 0xC9: ata_rw(ide, ch, d, false, false, RW_DMA); return;
    case 0x25: ata_rw(ide, ch, d, false, true, RW_DMA); return;
    case 0xCA: case 0xCB: ata_rw(ide, ch, d, true, false, RW_DMA); return;
    case 0x35: ata_rw(ide, ch, d, true, true, RW_DMA); return;
    case 0x40: case 0x41: case 0x42: { /* READ VERIFY SECTORS (EXT): no data transfer */
        uint64_t lba;
        uint32_t count;
        if (ata_address(ide, ch, d, cmd == 0x42, &lba, &count))
            ata_ok(ide, ch, d);
        return;
    }
    case 0xC6: /* SET MULTIPLE MODE (8.39): a power of two up to word 47, 0 disables */
        if (d->nsect > IDE_MAX_MULT || (d->nsect & (d->nsect - 1))) {
            ata_abort(ide, ch, d);
            return;
        }
        d->mult = d->nsect;
        ata_ok(ide, ch, d);
        return;
    case 0x91: /* INITIALIZE DEVICE PARAMETERS (8.16): heads from the Device register */
        if (d->nsect == 0) {
            d->chs_valid = false;
            ata_abort(ide, ch, d);
            return;
        }
        set_current_geometry(d, (d->select & 0x0F) + 1u, d->nsect);
        if (!d->chs_valid)
            ata_abort(ide, ch, d);
        else
            ata_ok(ide, ch, d);
        return;
    case 0xEF:
        ata_set_features(ide, ch, d);
        return;
    case 0xE7: case 0xEA: /* FLUSH CACHE (EXT) (8.12, 8.13): complete once data is durable */
        ide->stats.flushes++;
        if (block_flush(blk_of(ide, ch, d)) < 0)
            ata_abort(ide, ch, d);
        else
            ata_ok(ide, ch, d);
        return;
    case 0xE5: /* CHECK POWER MODE (8.6): FFh = active or idle */
        d->nsect = 0xFF;
        ata_ok(ide, ch, d);
        return;
    case 0xE0: case 0xE1: case 0xE2: case 0xE3: /* STANDBY/IDLE (IMMEDIATE) */
    case 0x70:                       /* SEEK */
        ata_ok(ide, ch, d);
        return;
    default:
        if ((cmd & 0xF0) == 0x10) {  /* RECALIBRATE (obsolete, still sent by old BIOSes) */
            ata_ok(ide, ch, d);
            return;
        }
        /* ATA-6 6.3 and 8.x: an unsupported command is aborted; this includes DEVICE RESET,
         * PACKET and IDENTIFY PACKET DEVICE on an ATA device. */
        ide->stats.unknown_commands++;
        ata_abort(ide, ch, d);
        return;
    }
}

/* --- bus master DMA --- */

struct prd_walk {
    uint32_t next;        /* address of the next descriptor */
    uint32_t addr, count; /* what is left of the current one */
    bool last;            /* the current one had EOT */
};

/* Moves len bytes between buf and the memory the PRD table describes. SFF-8038i "Physical
 * Region Descriptor": dword 0 the buffer address (bit 0 zero), dword 1 bits 15:1 the byte count
 * (0 = 64 KiB), bit 31 EOT. Returns the bytes moved: fewer when the table ends first. */
static uint32_t prd_move(struct ide *ide, struct prd_walk *w, uint8_t *buf, uint32_t len,
                         bool to_mem)
{
    uint32_t done = 0;
    while (done < len) {
        if (w->count == 0) {
            if (w->last)
                break;
            uint8_t e[8];
            mem_dma_read(ide->mem, w->next, e, 8);
            w->next += 8;
            w->addr = ((uint32_t)e[0] | (uint32_t)e[1] << 8 | (uint32_t)e[2] << 16 |
                       (uint32_t)e[3] << 24) & ~1u;
            w->count = ((uint32_t)e[4] | (uint32_t)e[5] << 8) & 0xFFFE;
            if (w->count == 0)
                w->count = 0x10000;
            w->last = e[7] & 0x80;
        }
        uint32_t n = len - done < w->count ? len - done : w->count;
        if (to_mem)
            mem_dma_write(ide->mem, w->addr, buf + done, n);
        else
            mem_dma_read(ide->mem, w->addr, buf + done, n);
        w->addr += n;
        w->count -= n;
        done += n;
    }
    ide->stats.dma_bytes += done;
    return done;
}

static void maybe_start_dma(struct ide *ide, int ch)
{
    struct ide_channel_state *c = &ide->s.ch[ch];
    struct ide_drive_state *d = &c->drive[c->dev];
    if (c->dma_scheduled || !(c->bm_cmd & BM_CMD_START) || !(c->bm_status & BM_ST_ACTIVE))
        return;
    if (!d->present || (d->xfer != XFER_DMA_IN && d->xfer != XFER_DMA_OUT))
        return;
    c->dma_unit = c->dev;
    c->dma_scheduled = true;
    c->dma_due = clock_now(ide->clk) + IDE_DMA_DELAY_NS;
    if (!clock_schedule(ide->clk, c->dma_due, dma_event, &ide->ctx[ch])) {
        c->dma_scheduled = false;
        ide->stats.schedule_failures++;
    }
}

/* The transfer, all at once when its virtual time has come. */
static void dma_event(void *opaque)
{
    struct ide_port_ctx *ctx = opaque;
    struct ide *ide = ctx->ide;
    int ch = ctx->ch;
    struct ide_channel_state *c = &ide->s.ch[ch];
    struct ide_drive_state *d = &c->drive[c->dma_unit];
    struct block *b = blk_of(ide, ch, d);
    struct prd_walk w = {.next = c->bm_prd};
    bool short_table = false;
    int fail = 0;                    /* 0, or the error: 1 media read, 2 media write */

    c->dma_scheduled = false;
    if (!(c->bm_cmd & BM_CMD_START) || (d->xfer != XFER_DMA_IN && d->xfer != XFER_DMA_OUT))
        return;
    ide->stats.dma_transfers++;
    if (d->cdrom) {
        while (d->atapi_left && !fail && !short_table) {
            if (d->pos == d->buf_len && !atapi_refill(ide, ch, d)) {
                fail = 1;
                break;
            }
            uint32_t n = d->buf_len - d->pos;
            if (n > d->atapi_left)
                n = d->atapi_left;
            uint32_t moved = prd_move(ide, &w, d->buf + d->pos, n, true);
            d->pos += moved;
            d->atapi_left -= moved;
            short_table = moved < n;
        }
    } else {
        while (d->left && !fail && !short_table) {
            uint32_t n = d->left < IDE_BUF_SIZE / BLOCK_SECTOR ? d->left
                                                               : IDE_BUF_SIZE / BLOCK_SECTOR;
            uint32_t bytes = n * BLOCK_SECTOR, moved;
            if (d->xfer == XFER_DMA_IN) {
                if (block_read(b, d->lba * BLOCK_SECTOR, d->buf, bytes) < 0) {
                    fail = 1;
                    break;
                }
                moved = prd_move(ide, &w, d->buf, bytes, true);
            } else {
                moved = prd_move(ide, &w, d->buf, bytes, false);
                /* Whole sectors the table supplied reach the media. */
                uint32_t whole = moved / BLOCK_SECTOR * BLOCK_SECTOR;
                if (whole && block_write(b, d->lba * BLOCK_SECTOR, d->buf, whole) < 0) {
                    fail = 2;
                    break;
                }
            }
            short_table = moved < bytes;
            d->lba += moved / BLOCK_SECTOR;
            d->left -= moved / BLOCK_SECTOR;
        }
    }
    if (short_table) {
        /* SFF-8038i (Bus Master IDE Status, "Interrupt/Active" table): the PRD table ended
         * before the device's transfer: Active clears, no interrupt, the device still waits. */
        c->bm_status &= (uint8_t)~BM_ST_ACTIVE;
        return;
    }
    /* The table ran out exactly at EOT: Active clears; a larger table leaves it set. */
    if (w.last && w.count == 0)
        c->bm_status &= (uint8_t)~BM_ST_ACTIVE;
    if (d->cdrom) {
        if (fail)
            atapi_fail(ide, ch, d, SK_MEDIUM_ERROR, ASC_UNRECOVERED_READ, 0);
        else
            atapi_ok(ide, ch, d);
    } else if (fail) {
        ata_error_at(ide, ch, d, fail == 1 ? ER_UNC : ER_ABRT, d->lba);
    } else {
        ata_ok(ide, ch, d);
    }
}

static uint8_t bm_read8(struct ide *ide, unsigned off)
{
    struct ide_channel_state *c = &ide->s.ch[off >> 3];
    switch (off & 7) {
    case 0: return c->bm_cmd;
    case 2: return c->bm_status;
    case 4: case 5: case 6: case 7: return (uint8_t)(c->bm_prd >> (8 * (off & 3)));
    default:
        ide->stats.unhandled++;
        return 0;
    }
}

static void bm_write8(struct ide *ide, unsigned off, uint8_t v)
{
    int ch = (int)(off >> 3);
    struct ide_channel_state *c = &ide->s.ch[ch];
    switch (off & 7) {
    case 0: {
        /* PIIX3 2.5.2 (BMICX): bit 0 start/stop, bit 3 read/write control; clearing the start
         * bit halts the engine and discards its state. */
        uint8_t old = c->bm_cmd;
        c->bm_cmd = v & (BM_CMD_START | BM_CMD_WRITE);
        if (!(old & BM_CMD_START) && (v & BM_CMD_START)) {
            c->bm_status |= BM_ST_ACTIVE;
            maybe_start_dma(ide, ch);
        } else if ((old & BM_CMD_START) && !(v & BM_CMD_START)) {
            c->bm_status &= (uint8_t)~BM_ST_ACTIVE;
            cancel_dma(ide, ch);
        }
        return;
    }
    case 2:
        /* PIIX3 2.5.3 (BMISX): bits 1 and 2 write-1-to-clear, bits 5-6 read/write, bit 0 and
         * bit 7 (simplex, 0) read-only. */
        c->bm_status = (uint8_t)((c->bm_status & ~(v & (BM_ST_ERROR | BM_ST_INT)) &
                                  ~BM_ST_CAP) | (v & BM_ST_CAP));
        return;
    case 4: case 5: case 6: case 7: {
        /* PIIX3 2.5.4 (BMIDTPX): bits 31:2 of the descriptor table address. */
        unsigned sh = 8 * (off & 3);
        c->bm_prd = ((c->bm_prd & ~(0xFFu << sh)) | (uint32_t)v << sh) & ~3u;
        return;
    }
    default:
        ide->stats.unhandled++;
        return;
    }
}

static uint32_t bm_read(void *opaque, uint16_t port, unsigned size)
{
    struct ide *ide = opaque;
    uint32_t v = 0;
    for (unsigned i = 0; i < size; i++) {
        unsigned off = (unsigned)(port - ide->bm_base) + i;
        v |= (uint32_t)(off < 16 ? bm_read8(ide, off) : 0xFF) << (8 * i);
    }
    return v;
}

static void bm_write(void *opaque, uint16_t port, uint32_t value, unsigned size)
{
    struct ide *ide = opaque;
    for (unsigned i = 0; i < size; i++) {
        unsigned off = (unsigned)(port - ide->bm_base) + i;
        if (off < 16)
            bm_write8(ide, off, (uint8_t)(value >> (8 * i)));
    }
}

/* --- task file ports --- */

static bool channel_empty(const struct ide_channel_state *c)
{
    return !c->drive[0].present && !c->drive[1].present;
}

/* Device Control (ATA-6 7.9), written to both devices. SRST: both devices reset while it is
 * one and come out with their signatures when it returns to zero (9.2), with no interrupt. */
static void ctrl_write(struct ide *ide, int ch, uint8_t v)
{
    struct ide_channel_state *c = &ide->s.ch[ch];
    uint8_t old = c->ctrl;
    c->ctrl = v;
    if (!(old & CTL_SRST) && (v & CTL_SRST)) {
        cancel_dma(ide, ch);
        for (int u = 0; u < 2; u++) {
            struct ide_drive_state *d = &c->drive[u];
            d->xfer = XFER_NONE;
            d->status = ST_BSY;
            d->intrq = false;
        }
    } else if ((old & CTL_SRST) && !(v & CTL_SRST)) {
        for (int u = 0; u < 2; u++)
            if (c->drive[u].present)
                diag_result(&c->drive[u]);
        c->dev = 0;
    }
    update_irq(ide, ch);
}

static uint8_t tf_read(struct ide *ide, int ch, unsigned reg)
{
    struct ide_channel_state *c = &ide->s.ch[ch];
    struct ide_drive_state *d = &c->drive[c->dev];
    bool hob = c->ctrl & CTL_HOB;
    if (channel_empty(c))
        return 0xFF;                 /* nothing drives the bus: it floats high */
    if (!d->present) {
        /* ATA-6 9.16.1 (device 0 only configurations): Status and Alternate Status of the
         * absent device 1 read 00h; the other registers read device 0's. */
        if (reg == 7 || reg == 8)
            return 0;
        d = &c->drive[!c->dev];
    }
    switch (reg) {
    case 1: return d->error;
    case 2: return hob ? d->hob_nsect : d->nsect;
    case 3: return hob ? d->hob_sect : d->sect;
    case 4: return hob ? d->hob_lcyl : d->lcyl;
    case 5: return hob ? d->hob_hcyl : d->hcyl;
    case 6: return d->select;
    case 7:
        /* ATA-6 7.15: reading Status clears a pending interrupt; Alternate Status (8) does not. */
        d->intrq = false;
        update_irq(ide, ch);
        return d->status;
    default:
        return d->status;
    }
}

static void tf_write(struct ide *ide, int ch, unsigned reg, uint8_t v)
{
    struct ide_channel_state *c = &ide->s.ch[ch];
    if (channel_empty(c)) {
        ide->stats.unhandled++;
        return;
    }
    if (reg == 7) {
        ata_command(ide, ch, v);
        return;
    }
    /* ATA-6 7.9: a write to any Command Block register clears HOB. Both devices take the
     * write (ATA-6 7.1); the 48-bit registers keep the previous value as a two-deep FIFO. */
    c->ctrl &= (uint8_t)~CTL_HOB;
    for (int u = 0; u < 2; u++) {
        struct ide_drive_state *d = &c->drive[u];
        if (d->status & ST_BSY)
            continue;
        switch (reg) {
        case 1: d->hob_feature = d->feature; d->feature = v; break;
        case 2: d->hob_nsect = d->nsect; d->nsect = v; break;
        case 3: d->hob_sect = d->sect; d->sect = v; break;
        case 4: d->hob_lcyl = d->lcyl; d->lcyl = v; break;
        case 5: d->hob_hcyl = d->hcyl; d->hcyl = v; break;
        case 6: d->select = v; break;
        }
    }
    if (reg == 6) {
        c->dev = (v & DEV_DEV) ? 1 : 0;
        update_irq(ide, ch);
    }
}

static uint32_t cmd_read(void *opaque, uint16_t port, unsigned size)
{
    struct ide_port_ctx *ctx = opaque;
    unsigned reg = port & 7;
    if (reg == 0) {
        if (channel_empty(&ctx->ide->s.ch[ctx->ch]))
            return size == 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
        return data_read(ctx->ide, ctx->ch, size);
    }
    uint32_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint32_t)(reg + i < 8 ? tf_read(ctx->ide, ctx->ch, reg + i) : 0xFF) << (8 * i);
    return v;
}

static void cmd_write(void *opaque, uint16_t port, uint32_t value, unsigned size)
{
    struct ide_port_ctx *ctx = opaque;
    unsigned reg = port & 7;
    if (reg == 0) {
        if (channel_empty(&ctx->ide->s.ch[ctx->ch]))
            ctx->ide->stats.unhandled++;
        else
            data_write(ctx->ide, ctx->ch, value, size);
        return;
    }
    for (unsigned i = 0; i < size && reg + i < 8; i++)
        tf_write(ctx->ide, ctx->ch, reg + i, (uint8_t)(value >> (8 * i)));
}

static uint32_t ctl_read(void *opaque, uint16_t port, unsigned size)
{
    struct ide_port_ctx *ctx = opaque;
    (void)port;
    uint32_t v = tf_read(ctx->ide, ctx->ch, 8);
    /* Only the one port is decoded: the bytes above it float high. */
    return size == 1 ? v : size == 2 ? v | 0xFF00u : v | 0xFFFFFF00u;
}

static void ctl_write(void *opaque, uint16_t port, uint32_t value, unsigned size)
{
    struct ide_port_ctx *ctx = opaque;
    (void)port;
    (void)size;
    ctrl_write(ctx->ide, ctx->ch, (uint8_t)value);
}

/* --- host interface --- */

/* Power-on defaults of one device (ATA-6 9.1): signature, multiple mode off, default CHS. */
static void drive_power_on(struct ide_drive_state *d)
{
    d->intrq = false;
    d->feature = d->hob_feature = d->hob_nsect = d->hob_sect = d->hob_lcyl = d->hob_hcyl = 0;
    diag_result(d);
    d->mult = 0;
    d->xfer_mode = 0;
    d->write_cache = true;
    d->locked = false;
    d->sense_key = d->asc = d->ascq = 0;
    if (!d->cdrom) {
        default_geometry(d);
        set_current_geometry(d, d->heads, d->spt);
    }
}

void ide_reset(struct ide *ide)
{
    for (int ch = 0; ch < 2; ch++) {
        struct ide_channel_state *c = &ide->s.ch[ch];
        cancel_dma(ide, ch);
        c->ctrl = 0;
        c->dev = 0;
        c->bm_cmd = 0;
        c->bm_status = 0;            /* PIIX3 2.5.3: BMISX defaults to 00h */
        c->bm_prd = 0;
        for (int u = 0; u < 2; u++)
            if (c->drive[u].present)
                drive_power_on(&c->drive[u]);
        update_irq(ide, ch);
    }
}

int ide_init(struct ide *ide, struct iobus *io, struct mem *mem, struct irq_bus *irq,
             struct clock *clk)
{
    static const uint16_t cmd_base[2] = {0x1F0, 0x170}, ctl_base[2] = {0x3F6, 0x376};
    memset(ide, 0, sizeof(*ide));
    ide->io = io;
    ide->mem = mem;
    ide->irq = irq;
    ide->clk = clk;
    int rc = 0;
    for (int ch = 0; ch < 2; ch++) {
        ide->ctx[ch] = (struct ide_port_ctx){ide, ch};
        rc |= io_map(io, cmd_base[ch], 8, cmd_read, cmd_write, &ide->ctx[ch]);
        rc |= io_map(io, ctl_base[ch], 1, ctl_read, ctl_write, &ide->ctx[ch]);
    }
    return rc ? -1 : 0;
}

bool ide_attach(struct ide *ide, int channel, int unit, struct block *blk, bool cdrom, char *why,
                size_t whylen)
{
    if (channel < 0 || channel > 1 || unit < 0 || unit > 1) {
        snprintf(why, whylen, "no IDE position %d:%d", channel, unit);
        return false;
    }
    struct ide_drive_state *d = &ide->s.ch[channel].drive[unit];
    if (d->present) {
        snprintf(why, whylen, "IDE %s %s is already in use", channel ? "secondary" : "primary",
                 unit ? "slave" : "master");
        return false;
    }
    if (!cdrom && !blk) {
        snprintf(why, whylen, "a hard disk needs an image");
        return false;
    }
    if (blk && (cdrom ? blk->size / CD_SECTOR : block_sectors(blk)) == 0) {
        snprintf(why, whylen, "%s: too small for a %s", blk->path, cdrom ? "CD-ROM" : "disk");
        return false;
    }
    memset(d, 0, sizeof(*d));
    d->present = true;
    d->cdrom = cdrom;
    ide->blk[channel][unit] = blk;
    if (cdrom) {
        d->medium = blk != NULL;
        d->sectors = blk ? blk->size / CD_SECTOR : 0;
    } else {
        d->sectors = block_sectors(blk);
    }
    drive_power_on(d);
    return true;
}

void ide_set_bmide_base(struct ide *ide, uint16_t base)
{
    if (ide->bm_base)
        io_unmap(ide->io, ide->bm_base, 16);
    ide->bm_base = base;
    if (base)
        io_map(ide->io, base, 16, bm_read, bm_write, ide);
}

void ide_cd_change(struct ide *ide, int channel, int unit, struct block *media)
{
    if (channel < 0 || channel > 1 || unit < 0 || unit > 1)
        return;
    struct ide_drive_state *d = &ide->s.ch[channel].drive[unit];
    if (!d->present || !d->cdrom)
        return;
    bool had = d->medium;
    ide->blk[channel][unit] = media;
    d->tray_open = false;
    d->sectors = media ? media->size / CD_SECTOR : 0;
    d->medium = d->sectors > 0;     /* less than one 2048-byte block reads as no disc */
    if (d->medium) {
        /* MMC-3 4.1.6.1: NOT READY TO READY CHANGE, MEDIUM MAY HAVE CHANGED (06/28/00). */
        d->unit_attention = true;
        d->media_event = 2;          /* new media */
    } else if (had) {
        d->media_event = 3;          /* media removal */
    }
}

void ide_post_load(struct ide *ide)
{
    for (int ch = 0; ch < 2; ch++) {
        struct ide_channel_state *c = &ide->s.ch[ch];
        struct ide_drive_state *d = &c->drive[c->dev];
        c->irq_level = d->present && d->intrq && !(c->ctrl & CTL_NIEN);
        irq_set(ide->irq, ch ? 15 : 14, c->irq_level);
        if (c->dma_scheduled && !clock_schedule(ide->clk, c->dma_due, dma_event, &ide->ctx[ch])) {
            c->dma_scheduled = false;
            ide->stats.schedule_failures++;
        }
    }
}
