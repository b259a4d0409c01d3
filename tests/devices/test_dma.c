/* The 8237A pair of the PC/AT (devices/dma.c), programmed through its ports as a BIOS does, with
 * devices played by calls to dma_transfer. Expectations from the Intel 8237A datasheet (order no.
 * 231466: "Register Description", Table 2 "Software Commands", Table 3 "Word Count and Address
 * Register Command Codes", "Autoinitialize", "Address Generation") and the IBM PC/AT Technical
 * Reference ("DMA Controller", "System Board I/O Address Map": page registers 0x87/0x83/0x81/0x82
 * for channels 0-3, 0x8F/0x8B/0x89/0x8A for 4-7; DMA2 at even ports 0xC0-0xDE, word addresses). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core/ioport.h"
#include "core/mem.h"
#include "devices/dma.h"

static struct iobus bus;
static struct mem mem;
static struct dma dma;

static void setup(void)
{
    io_init(&bus);
    ck_assert(mem_init(&mem, 4u << 20));
    ck_assert_int_eq(dma_init(&dma, &bus, &mem), 0);
    /* The BIOS's first step: DMA2 channel 4 in cascade mode (mode C0h) and unmasked, so DMA1's
     * requests reach the bus. */
    io_write(&bus, 0xD6, 0xC0, 1);
    io_write(&bus, 0xD4, 0x00, 1);
}

static void teardown(void)
{
    mem_free(&mem);
}

static void out(uint16_t port, uint8_t v)
{
    io_write(&bus, port, v, 1);
}

static uint8_t in(uint16_t port)
{
    return (uint8_t)io_read(&bus, port, 1);
}

static const uint8_t page_port[8] = {0x87, 0x83, 0x81, 0x82, 0x8F, 0x8B, 0x89, 0x8A};

/* As a BIOS does for channels 0-3: mask, clear the flip-flop, mode, address low/high, page,
 * count low/high (transfers - 1), unmask. */
static void program8(unsigned ch, uint32_t addr, uint16_t count, uint8_t mode)
{
    out(0x0A, (uint8_t)(4 | ch));
    out(0x0C, 0);
    out(0x0B, (uint8_t)(mode | ch));
    out((uint16_t)(2 * ch), addr & 0xFF);
    out((uint16_t)(2 * ch), (addr >> 8) & 0xFF);
    out(page_port[ch], (uint8_t)(addr >> 16));
    out((uint16_t)(2 * ch + 1), count & 0xFF);
    out((uint16_t)(2 * ch + 1), count >> 8);
    out(0x0A, (uint8_t)ch);
}

/* Channels 5-7: the same on DMA2's even ports; the address is a word address. */
static void program16(unsigned ch, uint16_t word_addr, uint8_t page, uint16_t count, uint8_t mode)
{
    unsigned n = ch - 4;
    out(0xD4, (uint8_t)(4 | n));
    out(0xD8, 0);
    out(0xD6, (uint8_t)(mode | n));
    out((uint16_t)(0xC0 + 4 * n), word_addr & 0xFF);
    out((uint16_t)(0xC0 + 4 * n), word_addr >> 8);
    out(page_port[ch], page);
    out((uint16_t)(0xC2 + 4 * n), count & 0xFF);
    out((uint16_t)(0xC2 + 4 * n), count >> 8);
    out(0xD4, (uint8_t)n);
}

static uint16_t read16(uint16_t port)
{
    uint8_t lo = in(port);
    return (uint16_t)(lo | in(port) << 8);
}

/* Mode 46h: single transfer, write (device -> memory), channel 2: what a BIOS programs for a
 * floppy read. 512 bytes with count 511: TC on the last one. */
START_TEST(test_write_transfer_fills_memory_and_reaches_tc)
{
    uint8_t buf[512];
    for (int i = 0; i < 512; i++)
        buf[i] = (uint8_t)(i * 7 + 1);
    program8(2, 0x12340, 511, 0x44);
    bool tc = false;
    ck_assert_uint_eq(dma_transfer(&dma, 2, buf, 512, true, &tc), 512);
    ck_assert(tc);
    for (int i = 0; i < 512; i++)
        ck_assert_uint_eq(mem_read8(&mem, 0x12340 + i), buf[i]);
    /* Current address advanced by 512, current count 0 -> FFFF at TC (Table 3 reads). */
    out(0x0C, 0);
    ck_assert_uint_eq(read16(0x04), 0x2540);
    ck_assert_uint_eq(read16(0x05), 0xFFFF);
    /* Status: TC bit 2, cleared by the read. */
    ck_assert_uint_eq(in(0x08) & 0x0F, 0x04);
    ck_assert_uint_eq(in(0x08) & 0x0F, 0x00);
    /* Not autoinitialize: the mask bit is set at TC, further requests get nothing. */
    ck_assert_uint_eq(dma_transfer(&dma, 2, buf, 512, true, &tc), 0);
    ck_assert(!tc);
}
END_TEST

START_TEST(test_transfer_stops_at_terminal_count)
{
    uint8_t buf[512];
    memset(buf, 0xAB, sizeof(buf));
    program8(2, 0x20000, 99, 0x44);
    bool tc = false;
    ck_assert_uint_eq(dma_transfer(&dma, 2, buf, 512, true, &tc), 100);
    ck_assert(tc);
    ck_assert_uint_eq(mem_read8(&mem, 0x20000 + 99), 0xAB);
    ck_assert_uint_eq(mem_read8(&mem, 0x20000 + 100), 0x00);
}
END_TEST

START_TEST(test_partial_transfers_continue_without_tc)
{
    uint8_t buf[256];
    program8(1, 0x30000, 511, 0x44);
    bool tc = true;
    for (int i = 0; i < 256; i++)
        buf[i] = (uint8_t)i;
    ck_assert_uint_eq(dma_transfer(&dma, 1, buf, 256, true, &tc), 256);
    ck_assert(!tc);
    ck_assert_uint_eq(dma_transfer(&dma, 1, buf, 256, true, &tc), 256);
    ck_assert(tc);
    ck_assert_uint_eq(mem_read8(&mem, 0x30000 + 256 + 5), 5);
}
END_TEST

/* Mode 4Ah: read transfer (memory -> device), channel 2: a floppy write. */
START_TEST(test_read_transfer_takes_memory)
{
    for (int i = 0; i < 64; i++)
        mem_write8(&mem, 0x5000 + i, (uint8_t)(0xC0 ^ i));
    program8(2, 0x5000, 63, 0x48);
    uint8_t buf[64];
    bool tc = false;
    ck_assert_uint_eq(dma_transfer(&dma, 2, buf, 64, false, &tc), 64);
    ck_assert(tc);
    for (int i = 0; i < 64; i++)
        ck_assert_uint_eq(buf[i], 0xC0 ^ i);
}
END_TEST

/* Mode 42h: verify: addresses and count run, TC comes, memory is not written. */
START_TEST(test_verify_transfer_counts_without_memory)
{
    uint8_t buf[16];
    memset(buf, 0x55, sizeof(buf));
    program8(2, 0x6000, 15, 0x40);
    bool tc = false;
    ck_assert_uint_eq(dma_transfer(&dma, 2, buf, 16, true, &tc), 16);
    ck_assert(tc);
    for (int i = 0; i < 16; i++)
        ck_assert_uint_eq(mem_read8(&mem, 0x6000 + i), 0);
}
END_TEST

/* "Address Generation": the 8237 counts A0-A15 only; the page register does not increment, so
 * a transfer crossing a 64 KiB boundary wraps to the start of the same page. */
START_TEST(test_address_wraps_inside_the_64k_page)
{
    uint8_t buf[4] = {1, 2, 3, 4};
    program8(2, 0x1FFFE, 3, 0x44);
    bool tc;
    ck_assert_uint_eq(dma_transfer(&dma, 2, buf, 4, true, &tc), 4);
    ck_assert_uint_eq(mem_read8(&mem, 0x1FFFE), 1);
    ck_assert_uint_eq(mem_read8(&mem, 0x1FFFF), 2);
    ck_assert_uint_eq(mem_read8(&mem, 0x10000), 3);
    ck_assert_uint_eq(mem_read8(&mem, 0x10001), 4);
    ck_assert_uint_eq(mem_read8(&mem, 0x20000), 0);
}
END_TEST

/* Mode bit 5: address decrement. */
START_TEST(test_address_decrement)
{
    uint8_t buf[4] = {0x11, 0x22, 0x33, 0x44};
    program8(3, 0x7005, 3, 0x64);
    bool tc;
    ck_assert_uint_eq(dma_transfer(&dma, 3, buf, 4, true, &tc), 4);
    ck_assert(tc);
    ck_assert_uint_eq(mem_read8(&mem, 0x7005), 0x11);
    ck_assert_uint_eq(mem_read8(&mem, 0x7004), 0x22);
    ck_assert_uint_eq(mem_read8(&mem, 0x7003), 0x33);
    ck_assert_uint_eq(mem_read8(&mem, 0x7002), 0x44);
    out(0x0C, 0);
    ck_assert_uint_eq(read16(0x06), 0x7001);
}
END_TEST

/* "Autoinitialize" (mode bit 4): at TC the current registers reload from the base registers
 * and the channel stays unmasked; the TC status bit is still set. */
START_TEST(test_autoinitialize_reloads_at_tc)
{
    uint8_t a[8] = {1, 2, 3, 4, 5, 6, 7, 8}, b[8] = {9, 9, 9, 9, 9, 9, 9, 9};
    program8(2, 0x8000, 7, 0x54);
    bool tc;
    ck_assert_uint_eq(dma_transfer(&dma, 2, a, 8, true, &tc), 8);
    ck_assert(tc);
    out(0x0C, 0);
    ck_assert_uint_eq(read16(0x04), 0x8000);
    ck_assert_uint_eq(read16(0x05), 7);
    ck_assert_uint_eq(in(0x08) & 0x04, 0x04);
    ck_assert_uint_eq(dma_transfer(&dma, 2, b, 8, true, &tc), 8);
    ck_assert(tc);
    ck_assert_uint_eq(mem_read8(&mem, 0x8000), 9);
    ck_assert_uint_eq(mem_read8(&mem, 0x8008), 0);
}
END_TEST

/* Single mask register (0Ah), all-mask register (0Fh), clear mask (0Eh). */
START_TEST(test_mask_registers_gate_requests)
{
    uint8_t buf[4] = {0};
    bool tc;
    program8(2, 0x9000, 3, 0x44);
    out(0x0A, 0x06);                       /* set mask bit 2 */
    ck_assert_uint_eq(dma_transfer(&dma, 2, buf, 4, true, &tc), 0);
    out(0x0A, 0x02);                       /* clear it */
    ck_assert_uint_eq(dma_transfer(&dma, 2, buf, 2, true, &tc), 2);
    out(0x0F, 0x0F);                       /* mask all */
    ck_assert_uint_eq(dma_transfer(&dma, 2, buf, 2, true, &tc), 0);
    out(0x0E, 0x00);                       /* clear all masks */
    ck_assert_uint_eq(dma_transfer(&dma, 2, buf, 2, true, &tc), 2);
    ck_assert(tc);
}
END_TEST

/* DMA1 reaches the bus through DMA2's channel 4: masked there, channels 0-3 are stuck. */
START_TEST(test_cascade_channel_masked_blocks_dma1)
{
    uint8_t buf[4] = {0};
    bool tc;
    program8(2, 0x9000, 3, 0x44);
    out(0xD4, 0x04);                       /* mask channel 4 */
    ck_assert_uint_eq(dma_transfer(&dma, 2, buf, 4, true, &tc), 0);
    out(0xD4, 0x00);
    ck_assert_uint_eq(dma_transfer(&dma, 2, buf, 4, true, &tc), 4);
}
END_TEST

/* Command register bit 2 disables the controller. */
START_TEST(test_command_disable)
{
    uint8_t buf[4] = {0};
    bool tc;
    program8(2, 0x9000, 3, 0x44);
    out(0x08, 0x04);
    ck_assert_uint_eq(dma_transfer(&dma, 2, buf, 4, true, &tc), 0);
    out(0x08, 0x00);
    ck_assert_uint_eq(dma_transfer(&dma, 2, buf, 4, true, &tc), 4);
}
END_TEST

/* DMA2 words: the address register holds A1-A16, page bit 0 is unused, so word address 8000h
 * in page 02h or 03h is byte 30000h, and the count is in words. */
START_TEST(test_16bit_channel_moves_words)
{
    uint8_t buf[6] = {0x10, 0x11, 0x12, 0x13, 0x14, 0x15};
    program16(5, 0x8000, 0x03, 1, 0x44);
    bool tc;
    ck_assert_uint_eq(dma_transfer(&dma, 5, buf, 6, true, &tc), 4);
    ck_assert(tc);
    ck_assert_uint_eq(mem_read8(&mem, 0x30000), 0x10);
    ck_assert_uint_eq(mem_read8(&mem, 0x30003), 0x13);
    ck_assert_uint_eq(mem_read8(&mem, 0x30004), 0x00);
    ck_assert_uint_eq(mem_read8(&mem, 0x130000), 0x00);
    ck_assert_uint_eq(in(0xD0) & 0x0F, 0x02);   /* TC of channel 5 = DMA2 bit 1 */
}
END_TEST

/* Word transfers wrap inside a 128 KiB page. */
START_TEST(test_16bit_channel_wraps_inside_128k)
{
    uint8_t buf[4] = {0xA1, 0xA2, 0xB1, 0xB2};
    program16(6, 0xFFFF, 0x02, 1, 0x44);
    bool tc;
    ck_assert_uint_eq(dma_transfer(&dma, 6, buf, 4, true, &tc), 4);
    ck_assert_uint_eq(mem_read8(&mem, 0x3FFFE), 0xA1);
    ck_assert_uint_eq(mem_read8(&mem, 0x3FFFF), 0xA2);
    ck_assert_uint_eq(mem_read8(&mem, 0x20000), 0xB1);
    ck_assert_uint_eq(mem_read8(&mem, 0x20001), 0xB2);
    ck_assert_uint_eq(mem_read8(&mem, 0x40000), 0x00);
}
END_TEST

/* Table 3: the byte pointer flip-flop alternates low/high and is cleared by command 0Ch and by
 * Master Clear (0Dh), which also sets all mask bits and clears the status register. */
START_TEST(test_flipflop_and_master_clear)
{
    uint8_t buf[2];
    bool tc;
    program8(2, 0x1234, 1, 0x44);
    ck_assert_uint_eq(dma_transfer(&dma, 2, buf, 2, true, &tc), 2);
    out(0x04, 0x99);                       /* flip-flop now points at the high byte */
    out(0x0D, 0);                          /* master clear */
    ck_assert_uint_eq(in(0x08) & 0x0F, 0); /* the TC bit went with it */
    out(0x04, 0x78);                       /* low byte again */
    out(0x04, 0x56);
    out(0x0C, 0);
    ck_assert_uint_eq(read16(0x04), 0x5678);
    out(0x0C, 0);
    ck_assert_uint_eq(in(0x04), 0x78);
    out(0x0C, 0);                          /* clearing puts the next read at the low byte */
    ck_assert_uint_eq(in(0x04), 0x78);
    ck_assert_uint_eq(in(0x0D), 0x00);     /* temporary register cleared */
    /* All masks set: even a programmed channel gets nothing until unmasked. */
    out(0x0B, 0x46);
    ck_assert_uint_eq(dma_transfer(&dma, 2, buf, 2, true, &tc), 0);
    out(0x0A, 0x02);
    ck_assert_uint_eq(dma_transfer(&dma, 2, buf, 2, true, &tc), 2);
}
END_TEST

/* Status bits 4-7 show requests; the request register (09h) sets and resets them. */
START_TEST(test_request_register_shows_in_status)
{
    out(0x09, 0x05);                       /* set request, channel 1 */
    ck_assert_uint_eq(in(0x08) & 0xF0, 0x20);
    ck_assert_uint_eq(in(0x08) & 0xF0, 0x20);   /* request bits are not cleared by reading */
    out(0x09, 0x01);
    ck_assert_uint_eq(in(0x08) & 0xF0, 0x00);
}
END_TEST

/* Page registers read back; port 0x80 is the board's (not decoded here). */
START_TEST(test_page_registers_and_port_80)
{
    out(0x81, 0x12);
    out(0x84, 0x34);                       /* a spare page register */
    out(0x8F, 0x56);
    ck_assert_uint_eq(in(0x81), 0x12);
    ck_assert_uint_eq(in(0x84), 0x34);
    ck_assert_uint_eq(in(0x8F), 0x56);
    uint64_t before = bus.unmapped_accesses;
    in(0x80);
    ck_assert_uint_eq(bus.unmapped_accesses, before + 1);
}
END_TEST

/* A device whose direction disagrees with the mode moves no memory. */
START_TEST(test_direction_mismatch_leaves_memory)
{
    uint8_t buf[4] = {1, 2, 3, 4};
    program8(2, 0xA000, 3, 0x48);          /* read transfer (memory -> device) */
    bool tc;
    ck_assert_uint_eq(dma_transfer(&dma, 2, buf, 4, true, &tc), 4);
    ck_assert_uint_eq(mem_read8(&mem, 0xA000), 0);
    ck_assert_uint_eq(dma.stats.direction_mismatch, 1);
}
END_TEST

/* Cascade mode on a DMA1 channel: it is an input for another master, not a device channel. */
START_TEST(test_cascade_mode_channel_refuses)
{
    uint8_t buf[4];
    bool tc;
    program8(2, 0xA000, 3, 0xC0);
    ck_assert_uint_eq(dma_transfer(&dma, 2, buf, 4, true, &tc), 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("dma");
    TCase *tc = tcase_create("8237A");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_write_transfer_fills_memory_and_reaches_tc);
    tcase_add_test(tc, test_transfer_stops_at_terminal_count);
    tcase_add_test(tc, test_partial_transfers_continue_without_tc);
    tcase_add_test(tc, test_read_transfer_takes_memory);
    tcase_add_test(tc, test_verify_transfer_counts_without_memory);
    tcase_add_test(tc, test_address_wraps_inside_the_64k_page);
    tcase_add_test(tc, test_address_decrement);
    tcase_add_test(tc, test_autoinitialize_reloads_at_tc);
    tcase_add_test(tc, test_mask_registers_gate_requests);
    tcase_add_test(tc, test_cascade_channel_masked_blocks_dma1);
    tcase_add_test(tc, test_command_disable);
    tcase_add_test(tc, test_16bit_channel_moves_words);
    tcase_add_test(tc, test_16bit_channel_wraps_inside_128k);
    tcase_add_test(tc, test_flipflop_and_master_clear);
    tcase_add_test(tc, test_request_register_shows_in_status);
    tcase_add_test(tc, test_page_registers_and_port_80);
    tcase_add_test(tc, test_direction_mismatch_leaves_memory);
    tcase_add_test(tc, test_cascade_mode_channel_refuses);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
