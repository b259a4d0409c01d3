/* The PIIX3 IDE controller's ATAPI CD-ROM (devices/ide.c), driven through the ports like a
 * driver. Expected values from ATA/ATAPI-6 (T13 1410D, "ATA-6": PACKET protocol 9.10, PACKET
 * command 8.21, IDENTIFY PACKET DEVICE 8.16, signature 9.12), MMC-3 (T10 1363D) for the
 * commands and SPC-2 (T10 1236D) for sense data. The clock runs at 1 instruction per ns. */
#define _GNU_SOURCE
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/block.h"
#include "core/clock.h"
#include "core/ioport.h"
#include "core/irq.h"
#include "core/mem.h"
#include "devices/ide.h"

#define P 0x1F0
#define P_CTL 0x3F6
#define S 0x170            /* the CD-ROM is the secondary master */
#define S_CTL 0x376
#define BM 0xC000

enum { DATA = 0, ERR = 1, FEAT = 1, IREASON = 2, NSECT = 2, SECT = 3, LCYL = 4, HCYL = 5,
       DEV = 6, STAT = 7, CMD = 7 };

#define BSY 0x80
#define DRDY 0x40
#define DRQ 0x08
#define ST_ERR 0x01
#define COD 0x01
#define IO 0x02

#define CD_BLOCKS 100u

static struct iobus bus;
static struct clock clk;
static uint64_t insns;
static struct irq_bus irqbus;
static int irq_level[16], irq_rises[16];
static struct mem mem;
static struct ide ide;
static struct block cd, cd2, hd;
static char dir[64];
static char why[600];
static char cd_path[300], cd2_path[300];
static uint8_t reply[65536];
static unsigned drq_blocks;
static unsigned block_sizes[64];

static void record_irq(void *opaque, int line, int level)
{
    (void)opaque;
    if (level && !irq_level[line])
        irq_rises[line]++;
    irq_level[line] = level;
}

static uint8_t pattern(uint32_t block, unsigned i)
{
    return (uint8_t)(block * 13 + i + (i >> 8) * 3);
}

static void make_image(char *path, const char *name, unsigned blocks, unsigned size)
{
    snprintf(path, 300, "%s/%s", dir, name);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    ck_assert_int_ge(fd, 0);
    uint8_t b[2048];
    for (unsigned k = 0; k < blocks; k++) {
        for (unsigned i = 0; i < size; i++)
            b[i] = pattern(k, i);
        ck_assert_int_eq(pwrite(fd, b, size, (off_t)k * size), (ssize_t)size);
    }
    close(fd);
}

static void setup(void)
{
    io_init(&bus);
    insns = 0;
    clock_init(&clk, &insns, 1000000000, 0);
    irqbus = (struct irq_bus){record_irq, NULL};
    memset(irq_level, 0, sizeof(irq_level));
    memset(irq_rises, 0, sizeof(irq_rises));
    ck_assert(mem_init(&mem, 1024 * 1024));
    strcpy(dir, "/tmp/jitpc-atapi-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    ck_assert_int_eq(ide_init(&ide, &bus, &mem, &irqbus, &clk), 0);
    ide_set_bmide_base(&ide, BM);
    make_image(cd_path, "cd.iso", CD_BLOCKS, 2048);
    make_image(cd2_path, "cd2.iso", 30, 2048);
    ck_assert_msg(block_open(&cd, cd_path, BLOCK_READONLY, why, sizeof(why)), "%s", why);
    ck_assert_msg(block_open(&cd2, cd2_path, BLOCK_READONLY, why, sizeof(why)), "%s", why);
}

static void teardown(void)
{
    block_close(&cd);
    block_close(&cd2);
    mem_free(&mem);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    ck_assert_int_eq(system(cmd), 0);
}

/* The drive with the disc in it, its power-on unit attention already consumed. */
static void setup_loaded(void)
{
    setup();
    ck_assert(ide_attach(&ide, 1, 0, &cd, true, why, sizeof(why)));
}

static uint8_t in(uint16_t port)
{
    return (uint8_t)io_read(&bus, port, 1);
}

static void out(uint16_t port, uint8_t v)
{
    io_write(&bus, port, v, 1);
}

/* PACKET (ATA-6 8.21): Features bit 0 = DMA, byte count limit in LBA Mid/High; the device asks
 * for the packet with DRQ and interrupt reason CoD=1, IO=0, without an interrupt (9.10). */
static void packet(const uint8_t cdb[12], uint16_t limit, bool dma)
{
    out(S + DEV, 0xA0);
    out(S + FEAT, dma ? 1 : 0);
    out(S + LCYL, (uint8_t)limit);
    out(S + HCYL, (uint8_t)(limit >> 8));
    int rises = irq_rises[15];
    out(S + CMD, 0xA0);
    ck_assert_uint_eq(in(S_CTL) & (BSY | DRQ), DRQ);
    ck_assert_uint_eq(in(S + IREASON) & 3, COD);
    ck_assert_int_eq(irq_rises[15], rises);
    for (unsigned i = 0; i < 12; i += 2)
        io_write(&bus, S, (uint32_t)(cdb[i] | cdb[i + 1] << 8), 2);
}

/* Reads the data-in phase the PIO way (9.10): per DRQ block an interrupt, IO=1 CoD=0, the byte
 * count in LBA Mid/High; the end is IO=1 CoD=1 with DRQ clear and an interrupt. Returns the
 * bytes received, or -1 when the command ended with ERR. */
static int pio_reply(void)
{
    unsigned total = 0;
    drq_blocks = 0;
    for (;;) {
        ck_assert_int_eq(irq_level[15], 1);
        uint8_t st = in(S + STAT);
        ck_assert_int_eq(irq_level[15], 0);
        uint8_t ir = in(S + IREASON) & 3;
        if (!(st & DRQ)) {
            ck_assert_uint_eq(ir, IO | COD);
            return (st & ST_ERR) ? -1 : (int)total;
        }
        ck_assert_uint_eq(ir, IO);
        unsigned n = in(S + LCYL) | in(S + HCYL) << 8;
        block_sizes[drq_blocks++] = n;
        for (unsigned i = 0; i < n; i += 2) {
            uint16_t v = (uint16_t)io_read(&bus, S, 2);
            reply[total + i] = (uint8_t)v;
            if (i + 1 < n)
                reply[total + i + 1] = (uint8_t)(v >> 8);
        }
        total += n;
    }
}

static int run(const uint8_t cdb[12], uint16_t limit)
{
    packet(cdb, limit, false);
    return pio_reply();
}

/* REQUEST SENSE (SPC-2 7.20): fixed format 70h, key in byte 2, ASC/ASCQ in bytes 12-13. */
static void sense(uint8_t *key, uint8_t *asc, uint8_t *ascq)
{
    uint8_t cdb[12] = {0x03, 0, 0, 0, 18};
    ck_assert_int_eq(run(cdb, 0xFFFE), 18);
    ck_assert_uint_eq(reply[0] & 0x7F, 0x70);
    *key = reply[2] & 0x0F;
    *asc = reply[12];
    *ascq = reply[13];
}

static void expect_check(const uint8_t cdb[12], uint8_t key, uint8_t asc)
{
    uint8_t k, a, q;
    ck_assert_int_eq(run(cdb, 0xFFFE), -1);
    ck_assert_uint_eq(in(S + ERR) >> 4, key);      /* 8.21: sense key in Error bits 7:4 */
    sense(&k, &a, &q);
    ck_assert_uint_eq(k, key);
    ck_assert_uint_eq(a, asc);
}

static void clear_unit_attention(void)
{
    uint8_t tur[12] = {0};
    uint8_t k, a, q;
    run(tur, 0xFFFE);
    sense(&k, &a, &q);
}

/* ATA-6 9.12: after power-on and after SRST a packet device shows 01h/01h/14h/EBh, and its
 * Status has DRDY clear (9.1). The ATA master next to it shows 01h/01h/00h/00h. */
START_TEST(test_signature_after_power_on_and_srst)
{
    char hd_path[300];
    make_image(hd_path, "hd.img", 64, 512);
    ck_assert(block_open(&hd, hd_path, 0, why, sizeof(why)));
    ck_assert(ide_attach(&ide, 0, 0, &hd, false, why, sizeof(why)));
    ck_assert(ide_attach(&ide, 0, 1, &cd, true, why, sizeof(why)));
    for (int pass = 0; pass < 2; pass++) {
        out(P + DEV, 0xB0);
        ck_assert_uint_eq(in(P + NSECT), 0x01);
        ck_assert_uint_eq(in(P + SECT), 0x01);
        ck_assert_uint_eq(in(P + LCYL), 0x14);
        ck_assert_uint_eq(in(P + HCYL), 0xEB);
        ck_assert_uint_eq(in(P + STAT) & (BSY | DRDY | DRQ), 0);
        out(P + DEV, 0xA0);
        ck_assert_uint_eq(in(P + LCYL), 0x00);
        ck_assert_uint_eq(in(P + HCYL), 0x00);
        ck_assert_uint_eq(in(P + STAT) & (BSY | DRDY), DRDY);
        out(P + NSECT, 0x33);
        out(P + LCYL, 0x99);
        out(P_CTL, 0x04);
        out(P_CTL, 0x00);
    }
    block_close(&hd);
}
END_TEST

/* IDENTIFY DEVICE on a packet device is aborted with the signature in the task file (8.15);
 * IDENTIFY PACKET DEVICE word 0 (8.16): bits 15:14 = 10b, 12:8 = 05h (CD-ROM), bit 7
 * removable, bits 1:0 = 00b (12-byte packets); words 82/85 bit 4 PACKET. */
START_TEST(test_identify_device_aborts_identify_packet_works)
{
    out(S + DEV, 0xA0);
    out(S + LCYL, 0);
    out(S + HCYL, 0);
    out(S + CMD, 0xEC);
    ck_assert_int_eq(irq_level[15], 1);
    ck_assert_uint_eq(in(S + STAT) & (ST_ERR | DRQ), ST_ERR);
    ck_assert_uint_eq(in(S + ERR) & 0x04, 0x04);
    ck_assert_uint_eq(in(S + LCYL), 0x14);
    ck_assert_uint_eq(in(S + HCYL), 0xEB);
    out(S + CMD, 0xA1);
    ck_assert_uint_eq(in(S + STAT) & (BSY | DRQ | ST_ERR), DRQ);
    uint16_t w[256];
    for (unsigned i = 0; i < 256; i++)
        w[i] = (uint16_t)io_read(&bus, S, 2);
    ck_assert_uint_eq(w[0] & 0xC000, 0x8000);
    ck_assert_uint_eq(w[0] & 0x1F00, 0x0500);
    ck_assert_uint_eq(w[0] & 0x0080, 0x0080);
    ck_assert_uint_eq(w[0] & 0x0003, 0);
    ck_assert_uint_eq(w[82] & 0x0010, 0x0010);
    ck_assert_uint_eq(w[49] & 0x0100, 0x0100);     /* DMA supported */
    ck_assert_uint_eq(w[27], ('J' << 8) | 'I');
    ck_assert_uint_eq(in(S + STAT) & DRQ, 0);
}
END_TEST

/* No medium: TEST UNIT READY fails with NOT READY, MEDIUM NOT PRESENT (02/3A, SPC-2 Table
 * 107/108); INQUIRY still works (SPC-2 7.3.2: peripheral type 05h, RMB). */
START_TEST(test_no_medium_not_ready)
{
    ck_assert(ide_attach(&ide, 1, 0, NULL, true, why, sizeof(why)));
    uint8_t tur[12] = {0x00};
    expect_check(tur, 0x2, 0x3A);
    uint8_t cap[12] = {0x25};
    expect_check(cap, 0x2, 0x3A);
    uint8_t inq[12] = {0x12, 0, 0, 0, 36};
    ck_assert_int_eq(run(inq, 0xFFFE), 36);
    ck_assert_uint_eq(reply[0], 0x05);
    ck_assert_uint_eq(reply[1] & 0x80, 0x80);
}
END_TEST

/* A media change reports UNIT ATTENTION, NOT READY TO READY CHANGE (06/28) to the next
 * command, once (SPC-2 5.6.5); REQUEST SENSE after it reports NO SENSE; GET EVENT STATUS
 * NOTIFICATION (MMC-3 5.6) reports New Media (event code 2) with Media Present, once. */
START_TEST(test_media_change_unit_attention_once)
{
    ck_assert(ide_attach(&ide, 1, 0, NULL, true, why, sizeof(why)));
    ide_cd_change(&ide, 1, 0, &cd);
    uint8_t gesn[12] = {0x4A, 0x01, 0, 0, 0x10, 0, 0, 0, 8};
    ck_assert_int_eq(run(gesn, 0xFFFE), 8);        /* exempt from the unit attention */
    ck_assert_uint_eq(reply[2] & 0x07, 0x04);      /* media class */
    ck_assert_uint_eq(reply[4] & 0x0F, 0x02);      /* new media */
    ck_assert_uint_eq(reply[5] & 0x02, 0x02);      /* media present */
    uint8_t tur[12] = {0x00};
    ck_assert_int_eq(run(tur, 0xFFFE), -1);
    ck_assert_uint_eq(in(S + ERR) >> 4, 0x6);
    ck_assert_int_eq(run(tur, 0xFFFE), 0);         /* once, even without REQUEST SENSE */
    uint8_t k, a, q;
    sense(&k, &a, &q);
    ck_assert_uint_eq(k, 0);
    ck_assert_int_eq(run(gesn, 0xFFFE), 8);
    ck_assert_uint_eq(reply[4] & 0x0F, 0x00);      /* reported once */
    /* a second disc: attention again, and the new capacity */
    ide_cd_change(&ide, 1, 0, &cd2);
    expect_check(tur, 0x6, 0x28);
    uint8_t cap[12] = {0x25};
    ck_assert_int_eq(run(cap, 0xFFFE), 8);
    ck_assert_uint_eq(reply[3], 29);
}
END_TEST

/* READ CAPACITY (MMC-3 5.17): the last LBA (99) and the block length 2048, big-endian. */
START_TEST(test_read_capacity)
{
    clear_unit_attention();
    uint8_t cap[12] = {0x25};
    ck_assert_int_eq(run(cap, 0xFFFE), 8);
    uint8_t want[8] = {0, 0, 0, CD_BLOCKS - 1, 0, 0, 0x08, 0x00};
    ck_assert_mem_eq(reply, want, 8);
}
END_TEST

/* READ(10) (MMC-3 5.12) of 3 blocks with a byte count limit of 2048: three DRQ blocks of 2048
 * bytes, each announced by an interrupt with its byte count (ATA-6 9.10); then with a limit of
 * 3000, blocks of 3000, 3000 and the 144 left, the data continuous across them. */
START_TEST(test_read10_pio_byte_count_limit)
{
    clear_unit_attention();
    uint8_t rd[12] = {0x28, 0, 0, 0, 0, 7, 0, 0, 3};
    ck_assert_int_eq(run(rd, 2048), 3 * 2048);
    ck_assert_uint_eq(drq_blocks, 3);
    for (unsigned b = 0; b < 3; b++)
        ck_assert_uint_eq(block_sizes[b], 2048);
    for (unsigned i = 0; i < 3 * 2048; i++)
        ck_assert_uint_eq(reply[i], pattern(7 + i / 2048, i % 2048));
    memset(reply, 0, sizeof(reply));
    ck_assert_int_eq(run(rd, 3000), 3 * 2048);
    ck_assert_uint_eq(drq_blocks, 3);
    ck_assert_uint_eq(block_sizes[0], 3000);
    ck_assert_uint_eq(block_sizes[1], 3000);
    ck_assert_uint_eq(block_sizes[2], 144);
    for (unsigned i = 0; i < 3 * 2048; i++)
        ck_assert_uint_eq(reply[i], pattern(7 + i / 2048, i % 2048));
}
END_TEST

/* READ(12) (MMC-3 5.13) and the range check: a read past the last block fails with ILLEGAL
 * REQUEST, LOGICAL BLOCK ADDRESS OUT OF RANGE (05/21); a zero-length read transfers nothing. */
START_TEST(test_read_out_of_range_and_read12)
{
    clear_unit_attention();
    uint8_t rd[12] = {0x28, 0, 0, 0, 0, CD_BLOCKS - 1, 0, 0, 2};
    expect_check(rd, 0x5, 0x21);
    uint8_t rd0[12] = {0x28, 0, 0, 0, 0, 5, 0, 0, 0};
    ck_assert_int_eq(run(rd0, 0xFFFE), 0);
    uint8_t rd12[12] = {0xA8, 0, 0, 0, 0, CD_BLOCKS - 1, 0, 0, 0, 1};
    ck_assert_int_eq(run(rd12, 0xFFFE), 2048);
    ck_assert_uint_eq(reply[100], pattern(CD_BLOCKS - 1, 100));
}
END_TEST

/* READ TOC (MMC-3 5.23) format 0: data length 18, tracks 1-1, track 1 (ADR 1, control 4) at 0
 * and the lead-out AAh at 100; with MSF the 150-frame offset: 00:02:00 and 100 + 150 = 250
 * frames = 00:03:25. Format 1: one session, first track 1. */
START_TEST(test_read_toc)
{
    clear_unit_attention();
    uint8_t toc[12] = {0x43, 0, 0, 0, 0, 0, 0, 0, 0xFF};
    ck_assert_int_eq(run(toc, 0xFFFE), 20);
    uint8_t want[20] = {0, 18, 1, 1, 0, 0x14, 1, 0, 0, 0, 0, 0,
                        0, 0x14, 0xAA, 0, 0, 0, 0, CD_BLOCKS};
    ck_assert_mem_eq(reply, want, 20);
    uint8_t toc_msf[12] = {0x43, 0x02, 0, 0, 0, 0, 0, 0, 0xFF};
    ck_assert_int_eq(run(toc_msf, 0xFFFE), 20);
    ck_assert_uint_eq(reply[9], 0);
    ck_assert_uint_eq(reply[10], 2);
    ck_assert_uint_eq(reply[11], 0);
    ck_assert_uint_eq(reply[17], 0);
    ck_assert_uint_eq(reply[18], 3);
    ck_assert_uint_eq(reply[19], 25);
    /* A 10,000-block disc: lead-out at 10,150 frames = 135 s 25 frames = 02:15:25. */
    char big_path[300];
    snprintf(big_path, sizeof(big_path), "%s/big.iso", dir);
    int fd = open(big_path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    ck_assert_int_eq(ftruncate(fd, 10000 * 2048), 0);
    close(fd);
    struct block big;
    ck_assert(block_open(&big, big_path, BLOCK_READONLY, why, sizeof(why)));
    ide_cd_change(&ide, 1, 0, &big);
    clear_unit_attention();
    ck_assert_int_eq(run(toc_msf, 0xFFFE), 20);
    ck_assert_uint_eq(reply[17], 2);
    ck_assert_uint_eq(reply[18], 15);
    ck_assert_uint_eq(reply[19], 25);
    ide_cd_change(&ide, 1, 0, &cd);
    block_close(&big);
    clear_unit_attention();
    uint8_t sess[12] = {0x43, 0, 1, 0, 0, 0, 0, 0, 12};
    ck_assert_int_eq(run(sess, 0xFFFE), 12);
    uint8_t want_sess[12] = {0, 10, 1, 1, 0, 0x14, 1, 0, 0, 0, 0, 0};
    ck_assert_mem_eq(reply, want_sess, 12);
    /* an allocation length of 4 cuts the reply to the header */
    uint8_t toc4[12] = {0x43, 0, 0, 0, 0, 0, 0, 0, 4};
    ck_assert_int_eq(run(toc4, 0xFFFE), 4);
}
END_TEST

/* INQUIRY (SPC-2 7.3.2): 36 bytes, device type 05h, RMB, additional length 31; an allocation
 * length of 5 transfers 5 bytes, the odd last byte count included (ATA-6 9.10). */
START_TEST(test_inquiry)
{
    uint8_t inq[12] = {0x12, 0, 0, 0, 36};
    ck_assert_int_eq(run(inq, 0xFFFE), 36);
    ck_assert_uint_eq(reply[0], 0x05);
    ck_assert_uint_eq(reply[1], 0x80);
    ck_assert_uint_eq(reply[4], 31);
    ck_assert_mem_eq(reply + 8, "JITPC   ", 8);
    uint8_t inq5[12] = {0x12, 0, 0, 0, 5};
    ck_assert_int_eq(run(inq5, 0xFFFE), 5);
    ck_assert_uint_eq(block_sizes[0], 5);
}
END_TEST

/* GET CONFIGURATION (MMC-3 5.5): current profile 0008h (CD-ROM) with a disc, 0000h without;
 * the Profile List feature (0000h) lists 0008h. */
START_TEST(test_get_configuration_profile)
{
    clear_unit_attention();
    uint8_t gc[12] = {0x46, 0, 0, 0, 0, 0, 0, 0x01, 0x00};
    int n = run(gc, 0xFFFE);
    ck_assert_int_ge(n, 16);
    ck_assert_uint_eq(reply[6] << 8 | reply[7], 0x0008);
    ck_assert_uint_eq(reply[8] << 8 | reply[9], 0x0000);
    ck_assert_uint_eq(reply[12] << 8 | reply[13], 0x0008);
    ck_assert_uint_eq((uint32_t)(reply[2] << 8 | reply[3]) + 4, (uint32_t)n);
    ide_cd_change(&ide, 1, 0, NULL);
    ck_assert_int_ge(run(gc, 0xFFFE), 8);
    ck_assert_uint_eq(reply[6] << 8 | reply[7], 0x0000);
}
END_TEST

/* MODE SENSE(10) (SPC-2 7.9): page 2Ah (MMC-3 6.3.11) after the 8-byte header, page 01h; an
 * unknown page is ILLEGAL REQUEST, INVALID FIELD IN CDB (05/24). */
START_TEST(test_mode_sense_pages)
{
    clear_unit_attention();
    uint8_t ms[12] = {0x5A, 0, 0x2A, 0, 0, 0, 0, 0, 64};
    int n = run(ms, 0xFFFE);
    ck_assert_int_ge(n, 8 + 2);
    ck_assert_uint_eq((uint32_t)(reply[0] << 8 | reply[1]) + 2, (uint32_t)n);
    ck_assert_uint_eq(reply[8] & 0x3F, 0x2A);
    ck_assert_uint_eq((uint32_t)reply[9] + 2 + 8, (uint32_t)n);
    uint8_t ms1[12] = {0x5A, 0, 0x01, 0, 0, 0, 0, 0, 64};
    ck_assert_int_eq(run(ms1, 0xFFFE), 8 + 12);
    ck_assert_uint_eq(reply[8], 0x01);
    ck_assert_uint_eq(reply[9], 0x0A);
    uint8_t bad[12] = {0x5A, 0, 0x15, 0, 0, 0, 0, 0, 64};
    expect_check(bad, 0x5, 0x24);
}
END_TEST

/* An unknown operation code is ILLEGAL REQUEST, INVALID COMMAND OPERATION CODE (05/20); a
 * WRITE(10) to the CD is DATA PROTECT, WRITE PROTECTED (07/27). */
START_TEST(test_invalid_opcode_and_write_protect)
{
    clear_unit_attention();
    uint8_t bad[12] = {0xEE};
    expect_check(bad, 0x5, 0x20);
    uint8_t wr[12] = {0x2A, 0, 0, 0, 0, 1, 0, 0, 1};
    expect_check(wr, 0x7, 0x27);
}
END_TEST

/* PREVENT ALLOW MEDIUM REMOVAL (SPC-2 7.12) blocks START STOP UNIT's eject (MMC-3 5.30:
 * 05/53/02 MEDIUM REMOVAL PREVENTED); allowed, the eject leaves NOT READY, MEDIUM NOT PRESENT
 * - TRAY OPEN (02/3A/02); loading brings the disc back with a unit attention. */
START_TEST(test_lock_eject_load)
{
    clear_unit_attention();
    uint8_t lock[12] = {0x1E, 0, 0, 0, 1};
    ck_assert_int_eq(run(lock, 0xFFFE), 0);
    uint8_t eject[12] = {0x1B, 0, 0, 0, 0x02};
    expect_check(eject, 0x5, 0x53);
    uint8_t unlock[12] = {0x1E, 0, 0, 0, 0};
    ck_assert_int_eq(run(unlock, 0xFFFE), 0);
    ck_assert_int_eq(run(eject, 0xFFFE), 0);
    uint8_t tur[12] = {0x00};
    uint8_t k, a, q;
    ck_assert_int_eq(run(tur, 0xFFFE), -1);
    sense(&k, &a, &q);
    ck_assert_uint_eq(k, 0x2);
    ck_assert_uint_eq(a, 0x3A);
    ck_assert_uint_eq(q, 0x02);
    uint8_t load[12] = {0x1B, 0, 0, 0, 0x03};
    ck_assert_int_eq(run(load, 0xFFFE), 0);
    expect_check(tur, 0x6, 0x28);
    ck_assert_int_eq(run(tur, 0xFFFE), 0);
}
END_TEST

/* ATAPI DMA (PACKET Features bit 0) through the bus master: READ(10) of 2 blocks into a
 * two-entry PRD table; completion with IO=1 CoD=1, the interrupt and BMIDE Interrupt set. */
START_TEST(test_read10_dma)
{
    clear_unit_attention();
    mem_write32(&mem, 0x8000, 0x10000);
    mem_write32(&mem, 0x8004, 1000);
    mem_write32(&mem, 0x8008, 0x20000);
    mem_write32(&mem, 0x800C, 0x80000000u | 3096);
    io_write(&bus, BM + 8 + 4, 0x8000, 4);
    out(BM + 8 + 2, 0x06);
    out(BM + 8, 0x08);
    uint8_t rd[12] = {0x28, 0, 0, 0, 0, 20, 0, 0, 2};
    packet(rd, 0xFFFE, true);
    out(BM + 8, 0x09);
    int rises = irq_rises[15];
    insns += 1000000;
    clock_run_due(&clk);
    ck_assert_int_eq(irq_rises[15], rises + 1);
    ck_assert_uint_eq(in(S + STAT) & (DRQ | ST_ERR | BSY), 0);
    ck_assert_uint_eq(in(S + IREASON) & 3, IO | COD);
    ck_assert_uint_eq(in(BM + 8 + 2) & 0x07, 0x04);
    out(BM + 8, 0x08);
    uint8_t got[4096];
    mem_dma_read(&mem, 0x10000, got, 1000);
    mem_dma_read(&mem, 0x20000, got + 1000, 3096);
    for (unsigned i = 0; i < 4096; i++)
        ck_assert_uint_eq(got[i], pattern(20 + i / 2048, i % 2048));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("atapi");
    TCase *empty = tcase_create("empty");
    tcase_add_checked_fixture(empty, setup, teardown);
    tcase_add_test(empty, test_signature_after_power_on_and_srst);
    tcase_add_test(empty, test_no_medium_not_ready);
    tcase_add_test(empty, test_media_change_unit_attention_once);
    suite_add_tcase(s, empty);
    TCase *tc = tcase_create("loaded");
    tcase_add_checked_fixture(tc, setup_loaded, teardown);
    tcase_add_test(tc, test_identify_device_aborts_identify_packet_works);
    tcase_add_test(tc, test_read_capacity);
    tcase_add_test(tc, test_read10_pio_byte_count_limit);
    tcase_add_test(tc, test_read_out_of_range_and_read12);
    tcase_add_test(tc, test_read_toc);
    tcase_add_test(tc, test_inquiry);
    tcase_add_test(tc, test_get_configuration_profile);
    tcase_add_test(tc, test_mode_sense_pages);
    tcase_add_test(tc, test_invalid_opcode_and_write_protect);
    tcase_add_test(tc, test_lock_eject_load);
    tcase_add_test(tc, test_read10_dma);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
