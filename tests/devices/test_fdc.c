/* The 82077AA floppy controller (devices/fdc.c) with the 8237A (devices/dma.c) and a temporary
 * 1.44 MB image, driven through ports 0x3F0-0x3F7 as a BIOS or DOS driver does. Expectations
 * from the Intel 82077AA datasheet (order no. 290166), cited by section/table: 2.1.2 DOR,
 * 2.1.4 DSR, 2.1.5 MSR, 2.1.7 DIR, Table 5-1 (command set, VERSION 90h, invalid 80h, DUMPREG,
 * LOCK), 5.1.1 READ DATA with Table 5-6 (result phase ID), 5.1.7 FORMAT, 5.2.1 READ ID, 5.2.2
 * RECALIBRATE, 5.2.3 SEEK (ST0 H always 0), 5.2.4 SENSE INTERRUPT STATUS with Table 5-9, Table
 * 5-7 (ST0-ST3), 7.4 drive polling after reset; standard drive behaviour for DSKCHG. The clock
 * runs at 1 instruction per ns. Image sector k (LBA) holds bytes (k * 7 + i) & 0xFF with k in
 * its first two bytes. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/block.h"
#include "core/clock.h"
#include "core/ioport.h"
#include "core/irq.h"
#include "core/mem.h"
#include "devices/dma.h"
#include "devices/fdc.h"

#define DOR 0x3F2
#define MSR 0x3F4
#define DSR 0x3F4
#define FIFO 0x3F5
#define DIR 0x3F7
#define CCR 0x3F7

static struct iobus bus;
static struct mem mem;
static struct dma dma;
static struct fdc fdc;
static struct clock clk;
static uint64_t insns;
static struct irq_bus irqbus;
static int irq6;
static int irq6_edges;
static char path[64];
static struct block disk;

static void record_irq(void *opaque, int line, int level)
{
    (void)opaque;
    if (line == 6) {
        if (level && !irq6)
            irq6_edges++;
        irq6 = level;
    }
}

static uint8_t pattern(unsigned lba, unsigned i)
{
    if (i == 0)
        return (uint8_t)lba;
    if (i == 1)
        return (uint8_t)(lba >> 8);
    return (uint8_t)(lba * 7 + i);
}

static void make_image(const char *p, unsigned sectors)
{
    FILE *fp = fopen(p, "wb");
    ck_assert_ptr_nonnull(fp);
    uint8_t sec[512];
    for (unsigned k = 0; k < sectors; k++) {
        for (unsigned i = 0; i < 512; i++)
            sec[i] = pattern(k, i);
        ck_assert_uint_eq(fwrite(sec, 1, 512, fp), 512);
    }
    fclose(fp);
}

static void image_sector(unsigned lba, uint8_t *out)
{
    FILE *fp = fopen(path, "rb");
    ck_assert_ptr_nonnull(fp);
    fseek(fp, (long)lba * 512, SEEK_SET);
    ck_assert_uint_eq(fread(out, 1, 512, fp), 512);
    fclose(fp);
}

static void out(uint16_t port, uint8_t v)
{
    io_write(&bus, port, v, 1);
}

static uint8_t in(uint16_t port)
{
    return (uint8_t)io_read(&bus, port, 1);
}

static void run_for(uint64_t ns)
{
    insns += ns;
    clock_run_due(&clk);
}

/* Runs virtual time until IRQ 6 is high (at most 10 ms). */
static void wait_irq(void)
{
    for (int i = 0; i < 1000 && !irq6; i++)
        run_for(10000);
    ck_assert_msg(irq6, "no IRQ 6");
}

/* 8.1 "Send byte": RQM = 1, DIO = 0 before each command byte. */
static void send(unsigned n, const uint8_t *bytes)
{
    for (unsigned i = 0; i < n; i++) {
        ck_assert_uint_eq(in(MSR) & 0xC0, 0x80);
        out(FIFO, bytes[i]);
    }
}

#define SEND(...) do { const uint8_t b_[] = {__VA_ARGS__}; send(sizeof(b_), b_); } while (0)

/* "Get byte": RQM = 1, DIO = 1 before each result byte. */
static void result(unsigned n, uint8_t *res)
{
    for (unsigned i = 0; i < n; i++) {
        ck_assert_uint_eq(in(MSR) & 0xC0, 0xC0);
        res[i] = in(FIFO);
    }
    ck_assert_uint_eq(in(MSR) & 0xD0, 0x80);   /* back in the command phase */
}

static void sense_int(uint8_t *st0, uint8_t *pcn)
{
    uint8_t r[2];
    SEND(0x08);
    result(2, r);
    *st0 = r[0];
    *pcn = r[1];
}

static void clear_reset_polls(void)
{
    uint8_t st0, pcn;
    for (int i = 0; i < 4; i++)
        sense_int(&st0, &pcn);
}

static void dma_setup(uint32_t addr, unsigned bytes, uint8_t mode)
{
    out(0x0A, 0x06);
    out(0x0C, 0);
    out(0x0B, mode | 2);
    out(0x04, addr & 0xFF);
    out(0x04, (addr >> 8) & 0xFF);
    out(0x81, (uint8_t)(addr >> 16));
    out(0x05, (bytes - 1) & 0xFF);
    out(0x05, (uint8_t)((bytes - 1) >> 8));
    out(0x0A, 0x02);
}

static void seek(unsigned drive, uint8_t cyl)
{
    uint8_t st0, pcn;
    SEND(0x0F, (uint8_t)drive, cyl);
    wait_irq();
    sense_int(&st0, &pcn);
    ck_assert_uint_eq(st0, 0x20 | drive);
    ck_assert_uint_eq(pcn, cyl);
}

static void open_disk(const char *p, unsigned flags)
{
    char why[256];
    ck_assert_msg(block_open(&disk, p, flags, why, sizeof(why)), "%s", why);
}

/* Power on, one 1.44 MB disk in drive A, the BIOS's bring-up: DMA cascade, DOR 1Ch (drive 0,
 * motor 0, DMA gate, out of reset), the four polling interrupts sensed, SPECIFY, 500 kbps. */
static void setup(void)
{
    io_init(&bus);
    insns = 0;
    clock_init(&clk, &insns, 1000000000, 0);
    irqbus = (struct irq_bus){record_irq, NULL};
    irq6 = 0;
    irq6_edges = 0;
    ck_assert(mem_init(&mem, 2u << 20));
    ck_assert_int_eq(dma_init(&dma, &bus, &mem), 0);
    out(0xD6, 0xC0);
    out(0xD4, 0x00);
    ck_assert_int_eq(fdc_init(&fdc, &bus, &irqbus, &clk, dma_transfer_cb, &dma), 0);
    snprintf(path, sizeof(path), "/tmp/test_fdc_XXXXXX");
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    make_image(path, 2880);
    open_disk(path, 0);
    char why[256];
    ck_assert_msg(fdc_insert(&fdc, 0, &disk, why, sizeof(why)), "%s", why);
}

static void bring_up(void)
{
    out(DOR, 0x1C);
    ck_assert_int_eq(irq6, 1);
    clear_reset_polls();
    SEND(0x03, 0xAF, 0x02);                 /* SPECIFY: SRT/HUT, HLT, DMA mode */
    out(CCR, 0x00);                         /* 500 kbps */
}

static void teardown(void)
{
    block_close(&disk);
    unlink(path);
    mem_free(&mem);
}

/* 7.4 / Table 5-9: after a reset with polling enabled, INT rises and four SENSE INTERRUPT
 * STATUS commands return ST0 = C0h..C3h (IC = 11, polling) with each PCN; a fifth, with no
 * interrupt pending, is invalid (ST0 80h, 5.2.4). */
START_TEST(test_reset_gives_four_polling_interrupts)
{
    ck_assert_uint_eq(in(MSR), 0x00);       /* held in reset since power on (DOR = 0) */
    out(DOR, 0x0C);
    ck_assert_int_eq(irq6, 1);
    for (unsigned d = 0; d < 4; d++) {
        uint8_t st0, pcn;
        ck_assert_int_eq(irq6, 1);
        sense_int(&st0, &pcn);
        ck_assert_uint_eq(st0, 0xC0 | d);
        ck_assert_uint_eq(pcn, 0);
    }
    ck_assert_int_eq(irq6, 0);
    uint8_t r;
    SEND(0x08);
    result(1, &r);
    ck_assert_uint_eq(r, 0x80);
    /* A DSR software reset (bit 7) does it again. */
    out(DSR, 0x80);
    ck_assert_int_eq(irq6, 1);
    clear_reset_polls();
    ck_assert_int_eq(irq6, 0);
    /* So does a DOR reset pulse; DMA gate low keeps INT off the bus (2.1.2). */
    out(DOR, 0x00);
    out(DOR, 0x04);
    ck_assert_int_eq(irq6, 0);
    out(DOR, 0x0C);
    ck_assert_int_eq(irq6, 1);
}
END_TEST

/* Table 5-1: VERSION answers 90h; an invalid code answers ST0 = 80h without an interrupt. */
START_TEST(test_version_and_invalid_command)
{
    bring_up();
    uint8_t r;
    SEND(0x10);
    result(1, &r);
    ck_assert_uint_eq(r, 0x90);
    SEND(0x18);
    ck_assert_int_eq(irq6, 0);
    result(1, &r);
    ck_assert_uint_eq(r, 0x80);
    SEND(0x00);
    result(1, &r);
    ck_assert_uint_eq(r, 0x80);
}
END_TEST

/* 5.2.2 / 5.2.3: RECALIBRATE and SEEK have no result phase; DRV x BUSY (MSR bit x) while the
 * head moves, then INT; SENSE INTERRUPT STATUS gives ST0 = 20h + drive (SE, H always 0) and
 * the PCN. ST3 (SENSE DRIVE STATUS, Table 5-7): bits 5 and 3 read 1, T0 at track 0. */
START_TEST(test_recalibrate_seek_and_sense)
{
    bring_up();
    uint8_t st0, pcn, st3;
    SEND(0x0F, 0x00, 40);
    ck_assert_uint_eq(in(MSR), 0x81);       /* RQM, drive 0 busy */
    wait_irq();
    ck_assert_uint_eq(in(MSR), 0x80);
    sense_int(&st0, &pcn);
    ck_assert_uint_eq(st0, 0x20);
    ck_assert_uint_eq(pcn, 40);
    ck_assert_int_eq(irq6, 0);
    SEND(0x04, 0x04);                       /* head 1, drive 0 */
    result(1, &st3);
    ck_assert_uint_eq(st3, 0x2C);
    SEND(0x07, 0x00);
    wait_irq();
    sense_int(&st0, &pcn);
    ck_assert_uint_eq(st0, 0x20);
    ck_assert_uint_eq(pcn, 0);
    SEND(0x04, 0x00);
    result(1, &st3);
    ck_assert_uint_eq(st3, 0x38);
    /* SEEK with head 1 selected still reports H = 0 (5.2.3). */
    SEND(0x0F, 0x04, 3);
    wait_irq();
    sense_int(&st0, &pcn);
    ck_assert_uint_eq(st0, 0x20);
    ck_assert_uint_eq(pcn, 3);
}
END_TEST

/* 5.2.2: no TRK0 after 79 step pulses (no drive there): SE and EC, abnormal termination. */
START_TEST(test_recalibrate_without_drive_sets_ec)
{
    bring_up();
    uint8_t st0, pcn;
    SEND(0x07, 0x02);
    wait_irq();
    sense_int(&st0, &pcn);
    ck_assert_uint_eq(st0, 0x72);
}
END_TEST

static void read_data(uint8_t cmd, uint8_t dh, uint8_t c, uint8_t h, uint8_t r, uint8_t eot,
                      uint8_t *res)
{
    SEND(cmd, dh, c, h, r, 2, eot, 0x1B, 0xFF);
    ck_assert_uint_eq(in(MSR) & 0xF0, 0x10);   /* execution phase: busy, no RQM */
    wait_irq();
    result(7, res);
    ck_assert_int_eq(irq6, 0);             /* reading the result clears INT */
}

static void check_memory(uint32_t addr, unsigned lba)
{
    for (unsigned i = 0; i < 512; i++)
        ck_assert_msg(mem_read8(&mem, addr + i) == pattern(lba, i), "lba %u byte %u", lba, i);
}

/* 5.1.1 multi-sector read with MT: sectors 17 and 18 of side 0, then sector 1 of side 1; the
 * DMA's TC on the third ends it. Table 5-6 (MT = 1, head 1, less than EOT): C and H unchanged
 * from where it is (H = 1 after the side change), R + 1. ST0's H is the head at the interrupt. */
START_TEST(test_read_multi_sector_mt_crosses_to_side_1)
{
    bring_up();
    seek(0, 0);
    dma_setup(0x10000, 3 * 512, 0x44);
    uint8_t res[7];
    read_data(0xE6, 0x00, 0, 0, 17, 18, res);
    const uint8_t want[7] = {0x04, 0x00, 0x00, 0, 1, 2, 2};
    ck_assert_mem_eq(res, want, 7);
    check_memory(0x10000, 16);
    check_memory(0x10200, 17);
    check_memory(0x10400, 18);
    ck_assert_uint_eq(in(0x08) & 0x04, 0x04);  /* the DMA reached TC */
}
END_TEST

/* Table 5-6 rows with the final sector equal to EOT, TC on it: MT = 0 -> C + 1, R = 1;
 * MT = 1 side 0 -> C same, H's LSB complemented, R = 1; MT = 1 side 1 -> C + 1, H complemented,
 * R = 1. */
START_TEST(test_read_ending_at_eot_advances_per_result_table)
{
    bring_up();
    seek(0, 5);
    uint8_t res[7];
    dma_setup(0x20000, 2 * 512, 0x44);
    read_data(0x46, 0x00, 5, 0, 17, 18, res);
    const uint8_t want0[7] = {0x00, 0x00, 0x00, 6, 0, 1, 2};
    ck_assert_mem_eq(res, want0, 7);
    check_memory(0x20000, (5 * 2 + 0) * 18 + 16);
    check_memory(0x20200, (5 * 2 + 0) * 18 + 17);

    dma_setup(0x20000, 512, 0x44);
    read_data(0xC6, 0x00, 5, 0, 18, 18, res);
    const uint8_t want1[7] = {0x04, 0x00, 0x00, 5, 1, 1, 2};
    ck_assert_mem_eq(res, want1, 7);

    dma_setup(0x20000, 512, 0x44);
    read_data(0xC6, 0x04, 5, 1, 18, 18, res);
    const uint8_t want2[7] = {0x04, 0x00, 0x00, 6, 0, 1, 2};
    ck_assert_mem_eq(res, want2, 7);
    check_memory(0x20000, (5 * 2 + 1) * 18 + 17);
}
END_TEST

/* No TC by EOT: the controller tries the next sector of the cylinder, sets ST1 EN and ends
 * abnormally (Table 5-7), with the ID advanced past EOT (C + 1, R = 1). */
START_TEST(test_read_past_eot_without_tc_sets_en)
{
    bring_up();
    seek(0, 0);
    dma_setup(0x10000, 4 * 512, 0x44);
    uint8_t res[7];
    read_data(0x46, 0x00, 0, 0, 17, 18, res);
    const uint8_t want[7] = {0x40, 0x80, 0x00, 1, 0, 1, 2};
    ck_assert_mem_eq(res, want, 7);
    check_memory(0x10200, 17);
}
END_TEST

/* 5.1.1: no sector with the ID asked for: ND; a C that differs from the track's: ST2 WC. */
START_TEST(test_read_wrong_cylinder_not_found)
{
    bring_up();
    seek(0, 0);
    dma_setup(0x10000, 512, 0x44);
    uint8_t res[7];
    read_data(0x46, 0x00, 5, 0, 1, 18, res);
    ck_assert_uint_eq(res[0], 0x40);
    ck_assert_uint_eq(res[1], 0x04);
    ck_assert_uint_eq(res[2], 0x10);
    read_data(0x46, 0x00, 0, 0, 19, 19, res);   /* sector 19 is not on an 18-sector track */
    ck_assert_uint_eq(res[0], 0x40);
    ck_assert_uint_eq(res[1], 0x04);
    ck_assert_uint_eq(res[2], 0x00);
}
END_TEST

/* A masked DMA channel never answers DRQ: overrun (ST1 OR). */
START_TEST(test_read_with_masked_dma_overruns)
{
    bring_up();
    seek(0, 0);
    dma_setup(0x10000, 512, 0x44);
    out(0x0A, 0x06);
    uint8_t res[7];
    read_data(0x46, 0x00, 0, 0, 1, 18, res);
    ck_assert_uint_eq(res[0], 0x40);
    ck_assert_uint_eq(res[1], 0x10);
}
END_TEST

/* WRITE DATA (5.1.4, parameters as READ DATA) through a DMA read transfer into the image. */
START_TEST(test_write_data_reaches_the_image)
{
    bring_up();
    seek(0, 1);
    for (unsigned i = 0; i < 1024; i++)
        mem_write8(&mem, 0x30000 + i, (uint8_t)(0xA5 ^ i ^ (i >> 8)));
    dma_setup(0x30000, 1024, 0x48);
    uint8_t res[7];
    SEND(0xC5, 0x04, 1, 1, 5, 2, 18, 0x1B, 0xFF);
    wait_irq();
    result(7, res);
    const uint8_t want[7] = {0x04, 0x00, 0x00, 1, 1, 7, 2};
    ck_assert_mem_eq(res, want, 7);
    uint8_t sec[512];
    for (unsigned s = 0; s < 2; s++) {
        image_sector((1 * 2 + 1) * 18 + 4 + s, sec);
        for (unsigned i = 0; i < 512; i++)
            ck_assert_uint_eq(sec[i], (uint8_t)(0xA5 ^ (s * 512 + i) ^ ((s * 512 + i) >> 8)));
    }
    image_sector((1 * 2 + 1) * 18 + 6, sec);
    ck_assert_uint_eq(sec[2], pattern((1 * 2 + 1) * 18 + 6, 2));
}
END_TEST

/* Table 5-7 ST1 NW: write-protected media refuse WRITE DATA and FORMAT; ST3 WP. */
START_TEST(test_write_protected_media)
{
    block_close(&disk);
    open_disk(path, BLOCK_READONLY);
    char why[256];
    ck_assert(fdc_insert(&fdc, 0, &disk, why, sizeof(why)));
    bring_up();
    seek(0, 0);
    uint8_t st3, res[7];
    SEND(0x04, 0x00);
    result(1, &st3);
    ck_assert_uint_eq(st3 & 0x40, 0x40);
    dma_setup(0x30000, 512, 0x48);
    SEND(0xC5, 0x00, 0, 0, 1, 2, 18, 0x1B, 0xFF);
    wait_irq();
    result(7, res);
    ck_assert_uint_eq(res[0], 0x40);
    ck_assert_uint_eq(res[1], 0x02);
    uint8_t sec[512];
    image_sector(0, sec);
    ck_assert_uint_eq(sec[2], pattern(0, 2));
}
END_TEST

/* 5.2.1 READ ID: the ID of a sector on the track under the head: C of the track, H, N = 2. */
START_TEST(test_read_id)
{
    bring_up();
    seek(0, 7);
    uint8_t res[7];
    SEND(0x4A, 0x04);
    wait_irq();
    result(7, res);
    ck_assert_uint_eq(res[0], 0x04);
    ck_assert_uint_eq(res[1], 0x00);
    ck_assert_uint_eq(res[2], 0x00);
    ck_assert_uint_eq(res[3], 7);
    ck_assert_uint_eq(res[4], 1);
    ck_assert_uint_ge(res[5], 1);
    ck_assert_uint_le(res[5], 18);
    ck_assert_uint_eq(res[6], 2);
}
END_TEST

/* The data separator cannot lock at a rate the disk was not written with: no ID address mark
 * after two index pulses, ST1 MA (5.2.1, 5.1.1). 1.44 MB media need 500 kbps (CCR 00). */
START_TEST(test_wrong_data_rate_fails)
{
    bring_up();
    seek(0, 0);
    uint8_t res[7];
    out(CCR, 0x02);                          /* 250 kbps */
    SEND(0x4A, 0x00);
    wait_irq();
    result(7, res);
    ck_assert_uint_eq(res[0], 0x40);
    ck_assert_uint_eq(res[1], 0x01);
    dma_setup(0x10000, 512, 0x44);
    read_data(0x46, 0x00, 0, 0, 1, 18, res);
    ck_assert_uint_eq(res[0], 0x40);
    ck_assert_uint_eq(res[1], 0x01);
    out(DSR, 0x00);                          /* the DSR sets the same rate bits */
    dma_setup(0x10000, 512, 0x44);
    read_data(0x46, 0x00, 0, 0, 1, 18, res);
    ck_assert_uint_eq(res[0], 0x00);
    check_memory(0x10000, 0);
}
END_TEST

/* 720 KB media in the 1.44 MB drive are read at 250 kbps; 500 kbps finds nothing. */
START_TEST(test_720k_media_at_250_kbps)
{
    block_close(&disk);
    make_image(path, 1440);
    open_disk(path, 0);
    char why[256];
    ck_assert_msg(fdc_insert(&fdc, 0, &disk, why, sizeof(why)), "%s", why);
    ck_assert_uint_eq(fdc_cmos_type(&fdc, 0), 4);
    bring_up();
    seek(0, 2);
    uint8_t res[7];
    dma_setup(0x10000, 512, 0x44);
    read_data(0x46, 0x00, 2, 0, 9, 9, res);
    ck_assert_uint_eq(res[0], 0x40);
    ck_assert_uint_eq(res[1], 0x01);
    out(CCR, 0x02);
    dma_setup(0x10000, 512, 0x44);
    read_data(0x46, 0x00, 2, 0, 9, 9, res);
    const uint8_t want[7] = {0x00, 0x00, 0x00, 3, 0, 1, 2};
    ck_assert_mem_eq(res, want, 7);
    check_memory(0x10000, 2 * 2 * 9 + 8);
}
END_TEST

/* 5.1.7 FORMAT TRACK: SC IDs (C, H, R, N) from the host by DMA, each sector's data field filled
 * with D. */
START_TEST(test_format_track_fills_sectors)
{
    bring_up();
    seek(0, 2);
    for (unsigned s = 0; s < 18; s++) {
        mem_write8(&mem, 0x40000 + 4 * s + 0, 2);
        mem_write8(&mem, 0x40000 + 4 * s + 1, 1);
        mem_write8(&mem, 0x40000 + 4 * s + 2, (uint8_t)(s + 1));
        mem_write8(&mem, 0x40000 + 4 * s + 3, 2);
    }
    dma_setup(0x40000, 18 * 4, 0x48);
    SEND(0x4D, 0x04, 2, 18, 0x54, 0xF6);
    wait_irq();
    uint8_t res[7];
    result(7, res);
    ck_assert_uint_eq(res[0], 0x04);
    ck_assert_uint_eq(res[1], 0x00);
    ck_assert_uint_eq(res[2], 0x00);
    uint8_t sec[512];
    for (unsigned s = 0; s < 18; s++) {
        image_sector((2 * 2 + 1) * 18 + s, sec);
        for (unsigned i = 0; i < 512; i++)
            ck_assert_uint_eq(sec[i], 0xF6);
    }
    image_sector((2 * 2 + 0) * 18 + 17, sec);
    ck_assert_uint_eq(sec[2], pattern((2 * 2 + 0) * 18 + 17, 2));
    image_sector((3 * 2 + 0) * 18, sec);
    ck_assert_uint_eq(sec[2], pattern((3 * 2 + 0) * 18, 2));
}
END_TEST

/* 2.1.7 DIR bit 7 (AT mode) is DSKCHG of the drive the DOR activates (selected, motor on). The
 * drive raises it at power on and when the disk changes and drops it on a step pulse with a disk
 * inside; a seek to the cylinder it is on issues no pulse. */
START_TEST(test_disk_change_line)
{
    bring_up();
    ck_assert_uint_eq(in(DIR) & 0x80, 0x80);
    out(DOR, 0x0C);                          /* motor off: drive not active */
    ck_assert_uint_eq(in(DIR) & 0x80, 0x00);
    out(DOR, 0x1C);
    seek(0, 0);                              /* already there: no step */
    ck_assert_uint_eq(in(DIR) & 0x80, 0x80);
    seek(0, 1);
    ck_assert_uint_eq(in(DIR) & 0x80, 0x00);
    fdc_eject(&fdc, 0);
    ck_assert_uint_eq(in(DIR) & 0x80, 0x80);
    seek(0, 2);                              /* no disk: the line stays */
    ck_assert_uint_eq(in(DIR) & 0x80, 0x80);
    char why[256];
    ck_assert(fdc_insert(&fdc, 0, &disk, why, sizeof(why)));
    ck_assert_uint_eq(in(DIR) & 0x80, 0x80);
    seek(0, 1);
    ck_assert_uint_eq(in(DIR) & 0x80, 0x00);
}
END_TEST

/* Without a disk (or with the motor off) no index pulses come: the command stays in its
 * execution phase (8.0: the controller "would fail to receive the index pulse and lock-up"). It
 * goes on once the disk turns. */
START_TEST(test_no_disk_waits_for_index)
{
    bring_up();
    seek(0, 0);
    out(DOR, 0x0C);                          /* motor off */
    dma_setup(0x10000, 512, 0x44);
    SEND(0x46, 0x00, 0, 0, 3, 2, 18, 0x1B, 0xFF);
    run_for(50000000);
    ck_assert_int_eq(irq6, 0);
    ck_assert_uint_eq(in(MSR) & 0xF0, 0x10);
    out(DOR, 0x1C);
    wait_irq();
    uint8_t res[7];
    result(7, res);
    ck_assert_uint_eq(res[0], 0x00);
    check_memory(0x10000, 2);
}
END_TEST

/* Non-DMA mode (SPECIFY ND = 1): MSR RQM | DIO | NON DMA | CB for each byte, INT per byte
 * (5.2.4 item 3); without TC the command ends past EOT with EN. */
START_TEST(test_pio_read)
{
    bring_up();
    seek(0, 0);
    SEND(0x03, 0xAF, 0x03);
    SEND(0x46, 0x00, 0, 0, 4, 2, 4, 0x1B, 0xFF);
    wait_irq();
    int edges = irq6_edges;
    for (unsigned i = 0; i < 512; i++) {
        ck_assert_uint_eq(in(MSR), 0xF0);
        ck_assert_uint_eq(in(FIFO), pattern(3, i));
    }
    ck_assert_int_ge(irq6_edges - edges, 511);
    uint8_t res[7];
    result(7, res);
    const uint8_t want[7] = {0x40, 0x80, 0x00, 1, 0, 1, 2};
    ck_assert_mem_eq(res, want, 7);
}
END_TEST

/* Non-DMA write: MSR RQM | NON DMA | CB with DIO = 0. */
START_TEST(test_pio_write)
{
    bring_up();
    seek(0, 0);
    SEND(0x03, 0xAF, 0x03);
    SEND(0x45, 0x00, 0, 0, 2, 2, 2, 0x1B, 0xFF);
    wait_irq();
    for (unsigned i = 0; i < 512; i++) {
        ck_assert_uint_eq(in(MSR), 0xB0);
        out(FIFO, (uint8_t)(i ^ 0x3C));
    }
    uint8_t res[7], sec[512];
    result(7, res);
    ck_assert_uint_eq(res[0], 0x40);
    ck_assert_uint_eq(res[1], 0x80);
    image_sector(1, sec);
    for (unsigned i = 0; i < 512; i++)
        ck_assert_uint_eq(sec[i], (uint8_t)(i ^ 0x3C));
}
END_TEST

/* CONFIGURE, SPECIFY and PERPENDICULAR MODE values in DUMPREG (Table 5-1: PCN 0-3, SRT/HUT, HLT/ND, SC/EOT,
 * LOCK/D3-D0/GAP/WGATE, EIS/EFIFO/POLL/FIFOTHR, PRETRK); LOCK keeps EFIFO, FIFOTHR and PRETRK
 * across a software reset, while EIS and POLL reset. */
START_TEST(test_dumpreg_configure_lock)
{
    bring_up();
    seek(0, 9);
    SEND(0x13, 0x00, 0x57, 0x21);            /* EIS, POLL off, FIFOTHR 7; PRETRK 21h */
    SEND(0x12, 0x87);                        /* PERPENDICULAR: OW, D0, GAP, WGATE */
    uint8_t r[10], l;
    SEND(0x0E);
    result(10, r);
    const uint8_t want[10] = {9, 0, 0, 0, 0xAF, 0x02, 0x00, 0x07, 0x57, 0x21};
    ck_assert_mem_eq(r, want, 10);
    SEND(0x94);
    result(1, &l);
    ck_assert_uint_eq(l, 0x10);
    out(DSR, 0x80);                          /* POLL is not locked: polling is back on */
    ck_assert_int_eq(irq6, 1);
    clear_reset_polls();
    SEND(0x0E);
    result(10, r);
    ck_assert_uint_eq(r[7], 0x84);           /* LOCK, D0 kept, GAP/WGATE cleared */
    ck_assert_uint_eq(r[8], 0x07);           /* EIS and POLL reset, EFIFO/FIFOTHR kept */
    ck_assert_uint_eq(r[9], 0x21);
    SEND(0x14);
    result(1, &l);
    ck_assert_uint_eq(l, 0x00);
    out(DSR, 0x80);
    clear_reset_polls();
    SEND(0x0E);
    result(10, r);
    ck_assert_uint_eq(r[8], 0x20);           /* defaults: FIFO disabled, polling on */
    ck_assert_uint_eq(r[9], 0x00);
}
END_TEST

/* Media sizes that are not a floppy format are refused with a reason; CMOS types follow the
 * drive (IBM AT CMOS 10h: 4 = 1.44 MB, 3 = 720 KB, 0 = none). */
START_TEST(test_insert_rejects_non_floppy_and_cmos_types)
{
    char p2[64], why[256];
    snprintf(p2, sizeof(p2), "/tmp/test_fdc_iso_XXXXXX");
    int fd = mkstemp(p2);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(ftruncate(fd, 2048 * 300), 0);
    close(fd);
    struct block iso;
    ck_assert(block_open(&iso, p2, BLOCK_READONLY, why, sizeof(why)));
    why[0] = 0;
    ck_assert(!fdc_insert(&fdc, 1, &iso, why, sizeof(why)));
    ck_assert_ptr_nonnull(strstr(why, "not a floppy"));
    block_close(&iso);
    unlink(p2);
    ck_assert_uint_eq(fdc_cmos_type(&fdc, 0), 4);
    ck_assert_uint_eq(fdc_cmos_type(&fdc, 1), 0);
    fdc_set_drive_type(&fdc, 1, FDC_TYPE_720K);
    ck_assert_uint_eq(fdc_cmos_type(&fdc, 1), 3);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("fdc");
    TCase *tc = tcase_create("82077AA");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_reset_gives_four_polling_interrupts);
    tcase_add_test(tc, test_version_and_invalid_command);
    tcase_add_test(tc, test_recalibrate_seek_and_sense);
    tcase_add_test(tc, test_recalibrate_without_drive_sets_ec);
    tcase_add_test(tc, test_read_multi_sector_mt_crosses_to_side_1);
    tcase_add_test(tc, test_read_ending_at_eot_advances_per_result_table);
    tcase_add_test(tc, test_read_past_eot_without_tc_sets_en);
    tcase_add_test(tc, test_read_wrong_cylinder_not_found);
    tcase_add_test(tc, test_read_with_masked_dma_overruns);
    tcase_add_test(tc, test_write_data_reaches_the_image);
    tcase_add_test(tc, test_write_protected_media);
    tcase_add_test(tc, test_read_id);
    tcase_add_test(tc, test_wrong_data_rate_fails);
    tcase_add_test(tc, test_720k_media_at_250_kbps);
    tcase_add_test(tc, test_format_track_fills_sectors);
    tcase_add_test(tc, test_disk_change_line);
    tcase_add_test(tc, test_no_disk_waits_for_index);
    tcase_add_test(tc, test_pio_read);
    tcase_add_test(tc, test_pio_write);
    tcase_add_test(tc, test_dumpreg_configure_lock);
    tcase_add_test(tc, test_insert_rejects_non_floppy_and_cmos_types);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
