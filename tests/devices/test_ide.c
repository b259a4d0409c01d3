/* The PIIX3 IDE controller's ATA side (devices/ide.c), driven through its ports as a driver
 * does. Expected values come from ATA/ATAPI-6 (T13 1410D, "ATA-6"), SFF-8038i rev 1.0 and the
 * Intel 82371SB (PIIX3) datasheet, cited per test. Images are temporary files with a known
 * pattern; the clock runs at 1 instruction per ns so `insns` is the virtual time in ns. */
#define _GNU_SOURCE
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/block.h"
#include "core/clock.h"
#include "core/ioport.h"
#include "core/irq.h"
#include "core/mem.h"
#include "devices/ide.h"

#define P 0x1F0            /* primary command block */
#define P_CTL 0x3F6        /* primary Device Control / Alternate Status */
#define S 0x170
#define S_CTL 0x376
#define BM 0xC000          /* where the tests map BAR4 */

enum { DATA = 0, ERR = 1, FEAT = 1, NSECT = 2, SECT = 3, LCYL = 4, HCYL = 5, DEV = 6, STAT = 7,
       CMD = 7 };

/* ATA-6 7.15.6 status bits, 7.11 error bits. */
#define BSY 0x80
#define DRDY 0x40
#define DSC 0x10
#define DRQ 0x08
#define ST_ERR 0x01
#define ABRT 0x04
#define IDNF 0x10

#define MIB (1024ull * 1024)
#define SECTORS_10MIB 20480u

static struct iobus bus;
static struct clock clk;
static uint64_t insns;
static struct irq_bus irqbus;
static int irq_level[16];
static int irq_rises[16];
static struct mem mem;
static struct ide ide;
static struct block disk, disk2;
static char dir[64];
static char why[600];
static char disk_path[300];

static void record_irq(void *opaque, int line, int level)
{
    (void)opaque;
    if (level && !irq_level[line])
        irq_rises[line]++;
    irq_level[line] = level;
}

/* Byte i of sector s of a test image. */
static uint8_t pattern(uint64_t s, unsigned i)
{
    return (uint8_t)(s * 31 + i + (s >> 8) * 5);
}

/* A sparse image of `bytes`, its first `filled` sectors holding the pattern. */
static const char *make_image(const char *name, uint64_t bytes, unsigned filled)
{
    static char path[300];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(ftruncate(fd, (off_t)bytes), 0);
    uint8_t sec[512];
    for (unsigned s = 0; s < filled; s++) {
        for (unsigned i = 0; i < 512; i++)
            sec[i] = pattern(s, i);
        ck_assert_int_eq(pwrite(fd, sec, 512, (off_t)s * 512), 512);
    }
    close(fd);
    return path;
}

static void file_sector(const char *path, uint64_t s, uint8_t *out)
{
    int fd = open(path, O_RDONLY);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(pread(fd, out, 512, (off_t)(s * 512)), 512);
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
    strcpy(dir, "/tmp/jitpc-ide-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    ck_assert_int_eq(ide_init(&ide, &bus, &mem, &irqbus, &clk), 0);
    ide_set_bmide_base(&ide, BM);
    snprintf(disk_path, sizeof(disk_path), "%s", make_image("disk.img", 10 * MIB, SECTORS_10MIB));
    ck_assert_msg(block_open(&disk, disk_path, 0, why, sizeof(why)), "%s", why);
    ck_assert_msg(ide_attach(&ide, 0, 0, &disk, false, why, sizeof(why)), "%s", why);
}

static void teardown(void)
{
    block_close(&disk);
    mem_free(&mem);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    ck_assert_int_eq(system(cmd), 0);
}

static uint8_t in(uint16_t port)
{
    return (uint8_t)io_read(&bus, port, 1);
}

static void out(uint16_t port, uint8_t v)
{
    io_write(&bus, port, v, 1);
}

static void advance(uint64_t ns)
{
    insns += ns;
    clock_run_due(&clk);
}

/* LBA28 task file and command (ATA-6 8.27: LBA bit 6 of the Device register). */
static void cmd_lba28(uint16_t base, uint8_t cmd, uint32_t lba, uint8_t count, int dev)
{
    out(base + NSECT, count);
    out(base + SECT, (uint8_t)lba);
    out(base + LCYL, (uint8_t)(lba >> 8));
    out(base + HCYL, (uint8_t)(lba >> 16));
    out(base + DEV, (uint8_t)(0xE0 | (dev << 4) | ((lba >> 24) & 0x0F)));
    out(base + CMD, cmd);
}

/* LBA48: each register written twice, high byte first (ATA-6 6.20.2). */
static void cmd_lba48(uint8_t cmd, uint64_t lba, uint16_t count)
{
    out(P + NSECT, (uint8_t)(count >> 8));
    out(P + NSECT, (uint8_t)count);
    out(P + SECT, (uint8_t)(lba >> 24));
    out(P + SECT, (uint8_t)lba);
    out(P + LCYL, (uint8_t)(lba >> 32));
    out(P + LCYL, (uint8_t)(lba >> 8));
    out(P + HCYL, (uint8_t)(lba >> 40));
    out(P + HCYL, (uint8_t)(lba >> 16));
    out(P + DEV, 0x40);
    out(P + CMD, cmd);
}

static void read_words(uint16_t base, uint16_t *w, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        w[i] = (uint16_t)io_read(&bus, base, 2);
}

static void identify(uint16_t *w)
{
    out(P + DEV, 0xA0);
    out(P + CMD, 0xEC);
    ck_assert_uint_eq(in(P_CTL) & (BSY | DRQ), DRQ);
    read_words(P, w, 256);
    ck_assert_uint_eq(in(P_CTL) & (BSY | DRQ), 0);
}

static uint32_t w32(const uint16_t *w, unsigned i)
{
    return (uint32_t)w[i] | (uint32_t)w[i + 1] << 16;
}

static uint64_t w64(const uint16_t *w, unsigned i)
{
    return (uint64_t)w32(w, i) | (uint64_t)w32(w, i + 2) << 32;
}

/* Replaces the primary master by an image of `bytes` (sparse). */
static void reattach(uint64_t bytes)
{
    block_close(&disk);
    ide_init(&ide, &bus, &mem, &irqbus, &clk);
    snprintf(disk_path, sizeof(disk_path), "%s", make_image("big.img", bytes, 0));
    ck_assert_msg(block_open(&disk, disk_path, 0, why, sizeof(why)), "%s", why);
    ck_assert_msg(ide_attach(&ide, 0, 0, &disk, false, why, sizeof(why)), "%s", why);
}

/* ATA-6 8.15 Table 27 for a 10 MiB disk (20,480 sectors): default CHS 16 heads, 63 sectors,
 * 20480 / 1008 = 20 cylinders (6.2.1); current CHS the same (words 54-58, 20,160 sectors);
 * words 60-61 and 100-103 the capacity; 48-bit feature set (83 bit 10, 86 bit 10); strings
 * two characters a word, first in the high byte (3.2.9); word 255 A5h plus a checksum making
 * the 512 bytes sum to zero (8.15.66). */
START_TEST(test_identify_10mib_words)
{
    uint16_t w[256];
    identify(w);
    ck_assert_uint_eq(w[0] & 0x8000, 0);            /* ATA device */
    ck_assert_uint_eq(w[1], 20);
    ck_assert_uint_eq(w[3], 16);
    ck_assert_uint_eq(w[6], 63);
    ck_assert_uint_eq(w[47] & 0xFF00, 0x8000);
    ck_assert_uint_ge(w[47] & 0xFF, 2);
    ck_assert_uint_eq(w[49] & 0x0300, 0x0300);      /* LBA and DMA supported */
    ck_assert_uint_eq(w[53] & 0x0007, 0x0007);
    ck_assert_uint_eq(w[54], 20);
    ck_assert_uint_eq(w[55], 16);
    ck_assert_uint_eq(w[56], 63);
    ck_assert_uint_eq(w32(w, 57), 20u * 16 * 63);
    ck_assert_uint_eq(w[59] & 0x0100, 0);           /* multiple mode not set yet */
    ck_assert_uint_eq(w32(w, 60), SECTORS_10MIB);
    ck_assert_uint_eq(w[83] & 0xC400, 0x4400);      /* bit 14 one, bit 15 zero, 48-bit */
    ck_assert_uint_eq(w[86] & 0x0400, 0x0400);
    ck_assert_uint_eq(w[83] & 0x3000, 0x3000);      /* FLUSH CACHE and FLUSH CACHE EXT */
    ck_assert_uint_eq(w[84] & 0xC000, 0x4000);
    ck_assert_uint_eq(w[87] & 0xC000, 0x4000);
    ck_assert_uint_eq(w[80] & 0x0040, 0x0040);      /* ATA/ATAPI-6 */
    ck_assert_uint_eq(w64(w, 100), SECTORS_10MIB);
    /* "JITPC HARDDISK": word 27 holds 'J' (high) 'I' (low), padded with spaces to word 46. */
    ck_assert_uint_eq(w[27], ('J' << 8) | 'I');
    ck_assert_uint_eq(w[28], ('T' << 8) | 'P');
    ck_assert_uint_eq(w[46], 0x2020);
    uint8_t sum = 0;
    for (unsigned i = 0; i < 256; i++)
        sum = (uint8_t)(sum + (w[i] & 0xFF) + (w[i] >> 8));
    ck_assert_uint_eq(w[255] & 0xFF, 0xA5);
    ck_assert_uint_eq(sum, 0);
}
END_TEST

/* A 200 GiB image (419,430,400 sectors): word 1 is 16,383 since the capacity is above
 * 16,514,064 (8.15, word 1), current capacity 16383 * 16 * 63; LBA28 capacity capped at
 * 0FFFFFFFh (words 60-61), the real one in words 100-103. */
START_TEST(test_identify_200gib_caps_chs_and_lba28)
{
    reattach(200ull * 1024 * MIB);
    uint16_t w[256];
    identify(w);
    ck_assert_uint_eq(w[1], 16383);
    ck_assert_uint_eq(w[3], 16);
    ck_assert_uint_eq(w[6], 63);
    ck_assert_uint_eq(w[54], 16383);
    ck_assert_uint_eq(w32(w, 57), 16514064u);
    ck_assert_uint_eq(w32(w, 60), 0x0FFFFFFFu);
    ck_assert_uint_eq(w64(w, 100), 419430400ull);
}
END_TEST

/* 1 GiB: 2,097,152 sectors / (16 * 63) = 2080 cylinders (6.2.1). */
START_TEST(test_identify_1gib_cylinders)
{
    reattach(1024 * MIB);
    uint16_t w[256];
    identify(w);
    ck_assert_uint_eq(w[1], 2080);
    ck_assert_uint_eq(w32(w, 60), 2097152u);
}
END_TEST

/* PIO data-in (ATA-6 9.7): each sector of READ SECTORS is a DRQ block announced by INTRQ;
 * reading Status clears the interrupt, Alternate Status does not (7.15); after the last block
 * DRQ clears without an interrupt. */
START_TEST(test_pio_read_sectors_one_drq_block_each)
{
    cmd_lba28(P, 0x20, 5, 3, 0);
    for (unsigned s = 5; s < 8; s++) {
        ck_assert_int_eq(irq_level[14], 1);
        ck_assert_uint_eq(in(P_CTL), DRDY | DSC | DRQ);
        ck_assert_int_eq(irq_level[14], 1);          /* Alternate Status leaves it */
        ck_assert_uint_eq(in(P + STAT), DRDY | DSC | DRQ);
        ck_assert_int_eq(irq_level[14], 0);          /* Status clears it */
        for (unsigned i = 0; i < 512; i += 2) {
            uint16_t v = (uint16_t)io_read(&bus, P, 2);
            ck_assert_uint_eq(v & 0xFF, pattern(s, i));
            ck_assert_uint_eq(v >> 8, pattern(s, i + 1));
        }
    }
    ck_assert_int_eq(irq_rises[14], 3);
    ck_assert_int_eq(irq_level[14], 0);
    ck_assert_uint_eq(in(P + STAT), DRDY | DSC);
}
END_TEST

/* 32-bit data port accesses move four bytes (io bus: the handler of the first port sees the
 * whole access). */
START_TEST(test_pio_read_32bit_accesses)
{
    cmd_lba28(P, 0x20, 9, 1, 0);
    for (unsigned i = 0; i < 512; i += 4) {
        uint32_t v = io_read(&bus, P, 4);
        for (unsigned k = 0; k < 4; k++)
            ck_assert_uint_eq((v >> (8 * k)) & 0xFF, pattern(9, i + k));
    }
    ck_assert_uint_eq(in(P + STAT), DRDY | DSC);
}
END_TEST

/* PIO data-out (ATA-6 9.8): DRQ for the first block without an interrupt, an interrupt after
 * each block; the data is in the image file afterwards. */
START_TEST(test_pio_write_sectors_reaches_file)
{
    cmd_lba28(P, 0x30, 100, 2, 0);
    ck_assert_uint_eq(in(P_CTL), DRDY | DSC | DRQ);
    ck_assert_int_eq(irq_rises[14], 0);
    for (unsigned s = 0; s < 2; s++) {
        for (unsigned i = 0; i < 512; i += 2)
            io_write(&bus, P, (uint32_t)((0xA0 + s) | (i / 2 & 0xFF) << 8), 2);
        ck_assert_int_eq(irq_rises[14], (int)s + 1);
        in(P + STAT);
    }
    ck_assert_uint_eq(in(P + STAT), DRDY | DSC);
    uint8_t sec[512];
    for (unsigned s = 0; s < 2; s++) {
        file_sector(disk_path, 100 + s, sec);
        for (unsigned i = 0; i < 512; i += 2) {
            ck_assert_uint_eq(sec[i], 0xA0 + s);
            ck_assert_uint_eq(sec[i + 1], i / 2 & 0xFF);
        }
    }
    file_sector(disk_path, 102, sec);
    ck_assert_uint_eq(sec[0], pattern(102, 0));      /* the next sector is untouched */
}
END_TEST

/* SET MULTIPLE MODE (8.39) then READ MULTIPLE (8.29): DRQ blocks of 4 sectors, the last one
 * partial (10 = 4 + 4 + 2), one interrupt per block; word 59 reports the setting. */
START_TEST(test_read_multiple_blocks_of_set_multiple_size)
{
    out(P + DEV, 0xA0);
    out(P + NSECT, 4);
    out(P + CMD, 0xC6);
    ck_assert_uint_eq(in(P + STAT), DRDY | DSC);
    uint16_t w[256];
    identify(w);
    ck_assert_uint_eq(w[59], 0x0104);
    irq_rises[14] = 0;
    cmd_lba28(P, 0xC4, 40, 10, 0);
    unsigned blocks[] = {4, 4, 2}, s = 40;
    for (unsigned b = 0; b < 3; b++) {
        ck_assert_int_eq(irq_rises[14], (int)b + 1);
        ck_assert_uint_eq(in(P + STAT) & DRQ, DRQ);
        for (unsigned k = 0; k < blocks[b]; k++, s++)
            for (unsigned i = 0; i < 512; i += 2)
                ck_assert_uint_eq(io_read(&bus, P, 2), pattern(s, i) | pattern(s, i + 1) << 8);
        if (b < 2)
            ck_assert_int_eq(irq_rises[14], (int)b + 2);
    }
    ck_assert_uint_eq(in(P + STAT), DRDY | DSC);
    ck_assert_int_eq(irq_rises[14], 3);
}
END_TEST

/* WRITE MULTIPLE (8.63) with blocks of 8: 12 sectors = 8 + 4, an interrupt after each. READ
 * MULTIPLE with multiple mode disabled (SET MULTIPLE 0) and a block size that is not a power of
 * two are aborted (8.29, 8.39). */
START_TEST(test_write_multiple_and_multiple_mode_errors)
{
    out(P + DEV, 0xA0);
    out(P + NSECT, 3);
    out(P + CMD, 0xC6);
    ck_assert_uint_eq(in(P + STAT), DRDY | ST_ERR);
    ck_assert_uint_eq(in(P + ERR), ABRT);
    cmd_lba28(P, 0xC4, 0, 1, 0);                     /* multiple mode still disabled */
    ck_assert_uint_eq(in(P + STAT), DRDY | ST_ERR);
    ck_assert_uint_eq(in(P + ERR), ABRT);

    out(P + NSECT, 8);
    out(P + CMD, 0xC6);
    ck_assert_uint_eq(in(P + STAT), DRDY | DSC);
    irq_rises[14] = 0;
    cmd_lba28(P, 0xC5, 200, 12, 0);
    ck_assert_int_eq(irq_rises[14], 0);
    for (unsigned i = 0; i < 8 * 256; i++)
        io_write(&bus, P, 0x5A00 | (i & 0xFF), 2);
    ck_assert_int_eq(irq_rises[14], 1);
    ck_assert_uint_eq(in(P + STAT) & DRQ, DRQ);
    for (unsigned i = 0; i < 4 * 256; i++)
        io_write(&bus, P, 0x5A00 | (i & 0xFF), 2);
    ck_assert_int_eq(irq_rises[14], 2);
    ck_assert_uint_eq(in(P + STAT), DRDY | DSC);
    uint8_t sec[512];
    file_sector(disk_path, 211, sec);
    ck_assert_uint_eq(sec[0], 0x00);
    ck_assert_uint_eq(sec[1], 0x5A);
    file_sector(disk_path, 212, sec);
    ck_assert_uint_eq(sec[0], pattern(212, 0));
}
END_TEST

/* READ SECTORS EXT (8.28) above the LBA28 range of a 200 GiB disk, with the 16-bit count; the
 * HOB bit of Device Control reads back the previous register contents (7.9), and a register
 * write clears HOB. LBA28 READ SECTORS cannot reach past words 60-61: IDNF. */
START_TEST(test_lba48_read_and_hob)
{
    reattach(200ull * 1024 * MIB);
    uint64_t target = 0x12345678;                   /* above 0FFFFFFFh */
    uint8_t sec[512];
    int fd = open(disk_path, O_RDWR);
    for (unsigned k = 0; k < 2; k++) {
        for (unsigned i = 0; i < 512; i++)
            sec[i] = pattern(target + k, i);
        ck_assert_int_eq(pwrite(fd, sec, 512, (off_t)((target + k) * 512)), 512);
    }
    close(fd);
    cmd_lba48(0x24, target, 2);
    for (unsigned k = 0; k < 2; k++) {
        ck_assert_uint_eq(in(P + STAT), DRDY | DSC | DRQ);
        for (unsigned i = 0; i < 512; i += 2)
            ck_assert_uint_eq(io_read(&bus, P, 2),
                              pattern(target + k, i) | pattern(target + k, i + 1) << 8);
    }
    ck_assert_uint_eq(in(P + STAT), DRDY | DSC);

    out(P + SECT, 0x11);
    out(P + SECT, 0x22);
    out(P_CTL, 0x80);                               /* HOB */
    ck_assert_uint_eq(in(P + SECT), 0x11);
    out(P_CTL, 0x00);
    ck_assert_uint_eq(in(P + SECT), 0x22);
    out(P_CTL, 0x80);
    out(P + LCYL, 0x33);                            /* clears HOB */
    ck_assert_uint_eq(in(P + SECT), 0x22);

    cmd_lba28(P, 0x20, 0x0FFFFFFF, 1, 0);
    ck_assert_uint_eq(in(P + STAT), DRDY | ST_ERR);
    ck_assert_uint_eq(in(P + ERR), IDNF);
}
END_TEST

/* An address past the last sector fails with IDNF (7.11 bit 4) and ERR, the host unharmed:
 * LBA28, a range straddling the end, LBA48, DMA, READ VERIFY; the interrupt still comes. */
START_TEST(test_idnf_beyond_end)
{
    uint8_t cmds[] = {0x20, 0x30, 0xC8, 0x40};
    for (unsigned k = 0; k < sizeof(cmds); k++) {
        irq_rises[14] = 0;
        cmd_lba28(P, cmds[k], SECTORS_10MIB, 1, 0);
        ck_assert_int_eq(irq_rises[14], 1);
        ck_assert_uint_eq(in(P + STAT), DRDY | ST_ERR);
        ck_assert_uint_eq(in(P + ERR), IDNF);
    }
    cmd_lba28(P, 0x20, SECTORS_10MIB - 1, 2, 0);
    ck_assert_uint_eq(in(P + STAT), DRDY | ST_ERR);
    ck_assert_uint_eq(in(P + ERR), IDNF);
    cmd_lba48(0x24, 0xFFFFFFFFFFFFull, 0);
    ck_assert_uint_eq(in(P + STAT), DRDY | ST_ERR);
    ck_assert_uint_eq(in(P + ERR), IDNF);
    cmd_lba28(P, 0x20, SECTORS_10MIB - 1, 1, 0);    /* the last sector itself is fine */
    ck_assert_uint_eq(in(P + STAT), DRDY | DSC | DRQ);
}
END_TEST

/* Unsupported commands are aborted (ATA-6 6.3: ABRT, ERR, interrupt); PACKET, IDENTIFY PACKET
 * DEVICE and DEVICE RESET belong to packet devices (8.21, 8.16, 8.10). */
START_TEST(test_abrt_on_unknown_and_packet_commands)
{
    uint8_t cmds[] = {0xFF, 0x00, 0xA0, 0xA1, 0x08, 0xB0};
    out(P + DEV, 0xA0);
    for (unsigned k = 0; k < sizeof(cmds); k++) {
        irq_rises[14] = 0;
        out(P + CMD, cmds[k]);
        ck_assert_int_eq(irq_rises[14], 1);
        ck_assert_uint_eq(in(P + STAT), DRDY | ST_ERR);
        ck_assert_uint_eq(in(P + ERR), ABRT);
    }
    ck_assert_uint_ge(ide.stats.unknown_commands, 6);
}
END_TEST

/* Software reset (ATA-6 9.2): BSY while SRST is one; afterwards the ATA signature 01h/01h/00h/
 * 00h (9.12), diagnostic code 01h in Error, DRDY, and no interrupt. */
START_TEST(test_srst_signature)
{
    out(P + NSECT, 0x55);
    out(P + SECT, 0xAA);
    out(P + LCYL, 0x12);
    out(P + HCYL, 0x34);
    out(P + DEV, 0xA0);
    out(P + CMD, 0xFF);                             /* leaves ERR behind */
    in(P + STAT);
    irq_rises[14] = 0;
    out(P_CTL, 0x04);
    ck_assert_uint_eq(in(P_CTL) & BSY, BSY);
    out(P_CTL, 0x00);
    ck_assert_uint_eq(in(P + STAT), DRDY | DSC);
    ck_assert_uint_eq(in(P + ERR), 0x01);
    ck_assert_uint_eq(in(P + NSECT), 0x01);
    ck_assert_uint_eq(in(P + SECT), 0x01);
    ck_assert_uint_eq(in(P + LCYL), 0x00);
    ck_assert_uint_eq(in(P + HCYL), 0x00);
    ck_assert_int_eq(irq_rises[14], 0);
}
END_TEST

/* nIEN (7.9): "when nIEN=1 or the device is not selected, the INTRQ signal shall be in a high
 * impedance state": the command still completes and Status shows it; a pending interrupt
 * drives INTRQ once nIEN returns to zero. */
START_TEST(test_nien_masks_the_interrupt)
{
    out(P_CTL, 0x02);
    out(P + DEV, 0xA0);
    out(P + CMD, 0xEC);
    ck_assert_int_eq(irq_rises[14], 0);
    ck_assert_uint_eq(in(P + STAT) & DRQ, DRQ);
    uint16_t w[256];
    read_words(P, w, 256);
    out(P + CMD, 0xE5);                             /* CHECK POWER MODE */
    ck_assert_int_eq(irq_rises[14], 0);
    ck_assert_uint_eq(in(P + NSECT), 0xFF);         /* 8.6: FFh = active or idle */
    out(P_CTL, 0x00);
    ck_assert_int_eq(irq_rises[14], 1);
    ck_assert_int_eq(irq_level[14], 1);
    in(P + STAT);
    ck_assert_int_eq(irq_level[14], 0);
    out(P + CMD, 0xE5);
    ck_assert_int_eq(irq_rises[14], 2);
}
END_TEST

/* Absent devices: an empty channel floats (FFh everywhere); on a channel with only device 0,
 * selecting device 1 reads 00h from Status and Alternate Status, and device 0 ignores commands
 * written for device 1 (ATA-6 9.16.1). */
START_TEST(test_absent_devices)
{
    for (unsigned r = 1; r < 8; r++)
        ck_assert_uint_eq(in(S + r), 0xFF);
    ck_assert_uint_eq(in(S_CTL), 0xFF);
    ck_assert_uint_eq(io_read(&bus, S, 2), 0xFFFF);
    out(S + NSECT, 0x55);
    ck_assert_uint_eq(in(S + NSECT), 0xFF);

    out(P + DEV, 0xB0);
    ck_assert_uint_eq(in(P + STAT), 0x00);
    ck_assert_uint_eq(in(P_CTL), 0x00);
    out(P + CMD, 0xEC);
    ck_assert_uint_eq(in(P + STAT), 0x00);
    ck_assert_int_eq(irq_rises[14], 0);
    out(P + DEV, 0xA0);
    ck_assert_uint_eq(in(P + STAT), DRDY | DSC);    /* device 0 did not run it */
}
END_TEST

/* Bus master (SFF-8038i): a PRD table of three entries (an odd split across a page), READ DMA
 * of 6 sectors. Nothing happens before the engine is started; after the delay the data is in
 * guest memory, the device interrupts, BMIDE status shows Interrupt set and Active clear (the
 * table ended with EOT exactly at the end of the transfer). Interrupt is write-1-to-clear. */
#define PRD_TABLE 0x8000
static void prd(unsigned i, uint32_t addr, uint32_t count, bool eot)
{
    mem_write32(&mem, PRD_TABLE + 8 * i, addr);
    mem_write32(&mem, PRD_TABLE + 8 * i + 4, (count & 0xFFFF) | (eot ? 0x80000000u : 0));
}

static void bm_setup(uint8_t dir_write_to_mem)
{
    io_write(&bus, BM + 4, PRD_TABLE, 4);
    out(BM + 0, dir_write_to_mem ? 0x08 : 0x00);
    out(BM + 2, 0x06);                              /* clear Interrupt and Error */
}

START_TEST(test_bmide_read_dma_multi_entry_prd)
{
    prd(0, 0x10000, 1024, false);
    prd(1, 0x20F00, 1000, false);                   /* crosses a 4 KiB page */
    prd(2, 0x30000, 1048, true);
    bm_setup(1);
    cmd_lba28(P, 0xC8, 60, 6, 0);
    advance(1000000);
    ck_assert_int_eq(irq_rises[14], 0);             /* engine not started */
    out(BM + 0, 0x09);
    ck_assert_uint_eq(in(BM + 2) & 0x07, 0x01);      /* Active */
    advance(1000000);
    ck_assert_int_eq(irq_rises[14], 1);
    ck_assert_uint_eq(in(BM + 2) & 0x07, 0x04);      /* Interrupt, not Active */
    ck_assert_uint_eq(in(P + STAT), DRDY | DSC);
    out(BM + 0, 0x08);
    uint8_t got[3072];
    mem_dma_read(&mem, 0x10000, got, 1024);
    mem_dma_read(&mem, 0x20F00, got + 1024, 1000);
    mem_dma_read(&mem, 0x30000, got + 2024, 1048);
    for (unsigned i = 0; i < 3072; i++)
        ck_assert_uint_eq(got[i], pattern(60 + i / 512, i % 512));
    ck_assert_uint_eq(mem_read8(&mem, 0x30000 + 1048), 0);   /* nothing past the table */
    out(BM + 2, 0x04);
    ck_assert_uint_eq(in(BM + 2) & 0x07, 0x00);
}
END_TEST

/* The engine started before the command (as some drivers do) works too, and the interrupt
 * comes only after a delay: the driver sees it after it started the engine. */
START_TEST(test_bmide_started_first_completes_after_delay)
{
    prd(0, 0x10000, 512, true);
    bm_setup(1);
    out(BM + 0, 0x09);
    cmd_lba28(P, 0xC8, 3, 1, 0);
    ck_assert_int_eq(irq_rises[14], 0);
    ck_assert_uint_eq(in(P_CTL) & BSY, 0);
    advance(1000000);
    ck_assert_int_eq(irq_rises[14], 1);
    ck_assert_uint_eq(mem_read8(&mem, 0x10000 + 7), pattern(3, 7));
}
END_TEST

/* WRITE DMA EXT from a two-entry table: the file holds guest memory afterwards. */
START_TEST(test_bmide_write_dma_ext_to_file)
{
    for (unsigned i = 0; i < 1536; i++)
        mem_write8(&mem, (i < 512 ? 0x12000 : 0x40000 - 512) + i, (uint8_t)(i * 3 + 1));
    prd(0, 0x12000, 512, false);
    prd(1, 0x40000, 1024, true);
    bm_setup(0);
    cmd_lba48(0x35, 300, 3);
    out(BM + 0, 0x01);
    advance(1000000);
    ck_assert_int_eq(irq_rises[14], 1);
    ck_assert_uint_eq(in(P + STAT), DRDY | DSC);
    ck_assert_uint_eq(in(BM + 2) & 0x07, 0x04);
    uint8_t sec[512];
    for (unsigned s = 0; s < 3; s++) {
        file_sector(disk_path, 300 + s, sec);
        for (unsigned i = 0; i < 512; i++)
            ck_assert_uint_eq(sec[i], (uint8_t)((s * 512 + i) * 3 + 1));
    }
}
END_TEST

/* PRD byte count 0 means 64 KiB (SFF-8038i, PRD byte count bits 15:1): one entry takes 128
 * sectors. */
START_TEST(test_bmide_prd_count_zero_is_64k)
{
    prd(0, 0x20000, 0, true);
    bm_setup(1);
    cmd_lba28(P, 0xC8, 0, 128, 0);
    out(BM + 0, 0x09);
    advance(1000000);
    ck_assert_uint_eq(in(P + STAT), DRDY | DSC);
    ck_assert_uint_eq(in(BM + 2) & 0x07, 0x04);
    ck_assert_uint_eq(mem_read8(&mem, 0x20000 + 65535), pattern(127, 511));
}
END_TEST

/* A table shorter than the transfer (SFF-8038i status table): Active clears, Interrupt stays
 * clear, no IRQ; a table larger than the transfer leaves Active set with Interrupt. */
START_TEST(test_bmide_prd_size_mismatch)
{
    prd(0, 0x10000, 512, true);
    bm_setup(1);
    cmd_lba28(P, 0xC8, 0, 2, 0);
    out(BM + 0, 0x09);
    advance(1000000);
    ck_assert_uint_eq(in(BM + 2) & 0x07, 0x00);
    ck_assert_int_eq(irq_rises[14], 0);
    out(BM + 0, 0x08);

    out(P_CTL, 0x04);                               /* recover the device */
    out(P_CTL, 0x00);
    prd(0, 0x10000, 4096, true);
    bm_setup(1);
    cmd_lba28(P, 0xC8, 0, 2, 0);
    out(BM + 0, 0x09);
    advance(1000000);
    ck_assert_uint_eq(in(BM + 2) & 0x07, 0x05);
    ck_assert_int_eq(irq_rises[14], 1);
}
END_TEST

/* BMIDE registers (PIIX3 2.5.2-2.5.4): command keeps bits 0 and 3; status bits 5-6 are
 * read/write, 1-2 write-1-to-clear, 0 and 7 read-only; the table pointer is dword aligned. The
 * secondary channel's set is at +8. ide_set_bmide_base(0) unmaps them. */
START_TEST(test_bmide_registers)
{
    out(BM + 0, 0xFE);
    ck_assert_uint_eq(in(BM + 0), 0x08);
    out(BM + 2, 0xE1);
    ck_assert_uint_eq(in(BM + 2), 0x60);
    io_write(&bus, BM + 8 + 4, 0x12345677, 4);
    ck_assert_uint_eq(io_read(&bus, BM + 8 + 4, 4), 0x12345674);
    ck_assert_uint_eq(io_read(&bus, BM + 4, 4), 0);
    ide_set_bmide_base(&ide, 0);
    ck_assert_uint_eq(in(BM + 2), 0xFF);
    ide_set_bmide_base(&ide, 0xD000);
    ck_assert_uint_eq(in(0xD000 + 2), 0x60);
}
END_TEST

/* FLUSH CACHE (8.12) and FLUSH CACHE EXT (8.13) complete after block_flush has made the data
 * durable. */
START_TEST(test_flush_cache_reaches_block_flush)
{
    uint64_t before = disk.stats.flushes;
    out(P + DEV, 0xA0);
    out(P + CMD, 0xE7);
    ck_assert_uint_eq(disk.stats.flushes, before + 1);
    ck_assert_uint_eq(in(P + STAT), DRDY | DSC);
    out(P + CMD, 0xEA);
    ck_assert_uint_eq(disk.stats.flushes, before + 2);
    ck_assert_int_eq(irq_rises[14], 2);
}
END_TEST

/* Writes to read-only media are aborted before any data phase; the file is unchanged. */
START_TEST(test_readonly_image_write_aborts)
{
    const char *path = make_image("ro.img", 1 * MIB, 4);
    ck_assert_msg(block_open(&disk2, path, BLOCK_READONLY, why, sizeof(why)), "%s", why);
    ck_assert(ide_attach(&ide, 0, 1, &disk2, false, why, sizeof(why)));
    uint8_t cmds[] = {0x30, 0xCA, 0x34};
    for (unsigned k = 0; k < sizeof(cmds); k++) {
        if (cmds[k] == 0x34) {
            out(P + DEV, 0x50);
            out(P + CMD, 0x34);
        } else {
            cmd_lba28(P, cmds[k], 1, 1, 1);
        }
        ck_assert_uint_eq(in(P + STAT), DRDY | ST_ERR);
        ck_assert_uint_eq(in(P + ERR), ABRT);
    }
    cmd_lba28(P, 0x20, 1, 1, 1);                    /* reading is fine */
    ck_assert_uint_eq(in(P + STAT), DRDY | DSC | DRQ);
    ck_assert_uint_eq(io_read(&bus, P, 2), pattern(1, 0) | pattern(1, 1) << 8);
    uint8_t sec[512];
    file_sector(path, 1, sec);
    ck_assert_uint_eq(sec[0], pattern(1, 0));
    block_close(&disk2);
}
END_TEST

/* INITIALIZE DEVICE PARAMETERS (8.16): 4 heads (Device register 3 + 1), 17 sectors; CHS
 * commands use it afterwards: C=1 H=2 S=5 is LBA (1 * 4 + 2) * 17 + 4 = 106 (6.2.1). Words
 * 54-58: 20480 / 68 = 301 cylinders, 301 * 68 sectors. A sector number above 17 is IDNF. */
START_TEST(test_initialize_device_parameters_chs)
{
    out(P + DEV, 0xA3);
    out(P + NSECT, 17);
    out(P + CMD, 0x91);
    ck_assert_uint_eq(in(P + STAT), DRDY | DSC);
    uint16_t w[256];
    identify(w);
    ck_assert_uint_eq(w[54], 301);
    ck_assert_uint_eq(w[55], 4);
    ck_assert_uint_eq(w[56], 17);
    ck_assert_uint_eq(w32(w, 57), 301u * 68);
    ck_assert_uint_eq(w[1], 20);                   /* the default translation is unchanged */
    out(P + NSECT, 1);
    out(P + SECT, 5);
    out(P + LCYL, 1);
    out(P + HCYL, 0);
    out(P + DEV, 0xA2);                            /* CHS (LBA bit clear), head 2 */
    out(P + CMD, 0x20);
    ck_assert_uint_eq(in(P + STAT), DRDY | DSC | DRQ);
    for (unsigned i = 0; i < 512; i += 2)
        ck_assert_uint_eq(io_read(&bus, P, 2), pattern(106, i) | pattern(106, i + 1) << 8);
    out(P + SECT, 18);
    out(P + CMD, 0x20);
    ck_assert_uint_eq(in(P + STAT), DRDY | ST_ERR);
    ck_assert_uint_eq(in(P + ERR), IDNF);
}
END_TEST

/* SET FEATURES 03h (8.37.10): 22h selects multiword DMA mode 2 (word 63 bit 10), 45h Ultra DMA
 * mode 5 (word 88 bit 13) and deselects multiword DMA; an unsupported mode is aborted. */
START_TEST(test_set_features_transfer_mode_words)
{
    uint16_t w[256];
    out(P + DEV, 0xA0);
    out(P + FEAT, 0x03);
    out(P + NSECT, 0x22);
    out(P + CMD, 0xEF);
    ck_assert_uint_eq(in(P + STAT), DRDY | DSC);
    identify(w);
    ck_assert_uint_eq(w[63] & 0x0700, 0x0400);
    ck_assert_uint_eq(w[88] & 0x3F00, 0);
    out(P + FEAT, 0x03);
    out(P + NSECT, 0x45);
    out(P + CMD, 0xEF);
    identify(w);
    ck_assert_uint_eq(w[63] & 0x0700, 0);
    ck_assert_uint_eq(w[88] & 0x3F00, 0x2000);
    out(P + FEAT, 0x03);
    out(P + NSECT, 0x47);
    out(P + CMD, 0xEF);
    ck_assert_uint_eq(in(P + STAT), DRDY | ST_ERR);
    ck_assert_uint_eq(in(P + ERR), ABRT);
    out(P + FEAT, 0x82);                           /* disable write cache: word 85 bit 5 */
    out(P + CMD, 0xEF);
    identify(w);
    ck_assert_uint_eq(w[82] & 0x0020, 0x0020);
    ck_assert_uint_eq(w[85] & 0x0020, 0);
}
END_TEST

/* EXECUTE DEVICE DIAGNOSTIC (8.11): signature and code 01h, and an interrupt; accepted even
 * when written with the absent device 1 selected (9.16.1). */
START_TEST(test_execute_device_diagnostic)
{
    out(P + DEV, 0xB0);
    out(P + SECT, 0x77);
    out(P + CMD, 0x90);
    out(P + DEV, 0xA0);
    ck_assert_int_eq(irq_rises[14], 1);
    ck_assert_uint_eq(in(P + ERR), 0x01);
    ck_assert_uint_eq(in(P + SECT), 0x01);
    ck_assert_uint_eq(in(P + STAT), DRDY | DSC);
}
END_TEST

/* Snapshot: the state struct copied mid-DMA and restored into a fresh controller (post_load)
 * finishes the transfer at the same virtual time, 20 us after the engine started. */
static struct ide_state saved;
START_TEST(test_state_copy_and_post_load_finish_a_dma)
{
    prd(0, 0x10000, 1024, true);
    bm_setup(1);
    cmd_lba28(P, 0xC8, 33, 2, 0);
    out(BM + 0, 0x09);
    advance(5000);
    saved = ide.s;
    uint64_t now = insns;
    insns = 0;
    clock_init(&clk, &insns, 1000000000, 0);        /* a new machine: empty event queue, */
    insns = now;                                    /* the same virtual time */
    io_init(&bus);
    ck_assert_int_eq(ide_init(&ide, &bus, &mem, &irqbus, &clk), 0);
    ide_set_bmide_base(&ide, BM);
    ck_assert(ide_attach(&ide, 0, 0, &disk, false, why, sizeof(why)));
    ide.s = saved;
    ide_post_load(&ide);
    advance(15000 - 1);
    ck_assert_int_eq(irq_rises[14], 0);
    advance(1);
    ck_assert_int_eq(irq_rises[14], 1);
    ck_assert_uint_eq(mem_read8(&mem, 0x10000 + 512 + 9), pattern(34, 9));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("ide");
    TCase *tc = tcase_create("ide");
    tcase_set_timeout(tc, 60);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_identify_10mib_words);
    tcase_add_test(tc, test_identify_200gib_caps_chs_and_lba28);
    tcase_add_test(tc, test_identify_1gib_cylinders);
    tcase_add_test(tc, test_pio_read_sectors_one_drq_block_each);
    tcase_add_test(tc, test_pio_read_32bit_accesses);
    tcase_add_test(tc, test_pio_write_sectors_reaches_file);
    tcase_add_test(tc, test_read_multiple_blocks_of_set_multiple_size);
    tcase_add_test(tc, test_write_multiple_and_multiple_mode_errors);
    tcase_add_test(tc, test_lba48_read_and_hob);
    tcase_add_test(tc, test_idnf_beyond_end);
    tcase_add_test(tc, test_abrt_on_unknown_and_packet_commands);
    tcase_add_test(tc, test_srst_signature);
    tcase_add_test(tc, test_nien_masks_the_interrupt);
    tcase_add_test(tc, test_absent_devices);
    tcase_add_test(tc, test_bmide_read_dma_multi_entry_prd);
    tcase_add_test(tc, test_bmide_started_first_completes_after_delay);
    tcase_add_test(tc, test_bmide_write_dma_ext_to_file);
    tcase_add_test(tc, test_bmide_prd_count_zero_is_64k);
    tcase_add_test(tc, test_bmide_prd_size_mismatch);
    tcase_add_test(tc, test_bmide_registers);
    tcase_add_test(tc, test_flush_cache_reaches_block_flush);
    tcase_add_test(tc, test_readonly_image_write_aborts);
    tcase_add_test(tc, test_initialize_device_parameters_chs);
    tcase_add_test(tc, test_set_features_transfer_mode_words);
    tcase_add_test(tc, test_execute_device_diagnostic);
    tcase_add_test(tc, test_state_copy_and_post_load_finish_a_dma);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
