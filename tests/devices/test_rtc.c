/* The MC146818A RTC + CMOS RAM (devices/rtc.c) through ports 0x70/0x71, against the Motorola
 * MC146818A datasheet ("DS" below: register descriptions, Table 3 data modes, Table 5 periodic
 * rates, Table 6 update cycle times) and the IBM PC/AT conventions (century at 0x32, NMI mask in
 * port 0x70 bit 7, checksum over 0x10-0x2D). The virtual clock runs at 1 ns per instruction. */
#include <check.h>
#include <stdlib.h>

#include "core/clock.h"
#include "core/ioport.h"
#include "core/irq.h"
#include "devices/rtc.h"

#define S 1000000000ull  /* one second in virtual ns */
#define Y2K 946684800ull /* 2000-01-01 00:00:00 UTC, a Saturday */

static uint64_t insns;
static struct clock clk;
static struct iobus io;
static struct irq_bus irq;
static struct rtc rtc;

static int irq_level;
static int nedges;
static uint64_t edges[4096];

static void irq_record(void *opaque, int line, int level)
{
    (void)opaque;
    ck_assert_int_eq(line, 8);
    if (level && !irq_level && nedges < 4096)
        edges[nedges++] = clock_now(&clk);
    irq_level = level;
}

static void boot(uint64_t start_time)
{
    insns = 0;
    irq_level = 0;
    nedges = 0;
    clock_init(&clk, &insns, 1000000000, start_time); /* 1 ns per instruction */
    io_init(&io);
    irq = (struct irq_bus){irq_record, NULL};
    rtc_init(&rtc, &io, &irq, &clk);
}

/* Runs virtual time to t, each event at its own time. */
static void advance_to(uint64_t t)
{
    while (clock_next(&clk) <= t) {
        if (clock_next(&clk) > insns)
            insns = clock_next(&clk);
        clock_run_due(&clk);
    }
    insns = t;
    clock_run_due(&clk);
}

static uint8_t cmos(uint8_t idx)
{
    io_write(&io, 0x70, idx, 1);
    return (uint8_t)io_read(&io, 0x71, 1);
}

static void cmos_set(uint8_t idx, uint8_t v)
{
    io_write(&io, 0x70, idx, 1);
    io_write(&io, 0x71, v, 1);
}

START_TEST(test_time_from_start_time_in_bcd)
{
    boot(Y2K);
    /* DS Table 3, BCD mode (B.DM = 0, the power-on value here): 2000-01-01 00:00:00. */
    ck_assert_uint_eq(cmos(0x00), 0x00);
    ck_assert_uint_eq(cmos(0x02), 0x00);
    ck_assert_uint_eq(cmos(0x04), 0x00);
    ck_assert_uint_eq(cmos(0x06), 0x07); /* day of week 1-7, 1 = Sunday: Saturday */
    ck_assert_uint_eq(cmos(0x07), 0x01);
    ck_assert_uint_eq(cmos(0x08), 0x01);
    ck_assert_uint_eq(cmos(0x09), 0x00);
    ck_assert_uint_eq(cmos(0x32), 0x20); /* PC/AT century byte */

    boot(1709214359); /* 2024-02-29 13:45:59, a Thursday */
    ck_assert_uint_eq(cmos(0x00), 0x59);
    ck_assert_uint_eq(cmos(0x02), 0x45);
    ck_assert_uint_eq(cmos(0x04), 0x13);
    ck_assert_uint_eq(cmos(0x06), 0x05);
    ck_assert_uint_eq(cmos(0x07), 0x29);
    ck_assert_uint_eq(cmos(0x08), 0x02);
    ck_assert_uint_eq(cmos(0x09), 0x24);
    ck_assert_uint_eq(cmos(0x32), 0x20);
}
END_TEST

START_TEST(test_time_in_binary_when_dm_set)
{
    boot(1709214359);
    cmos_set(0x0B, 0x06); /* DS Register B: DM = 1 binary, 24/12 = 1 */
    /* DS Table 3, binary mode */
    ck_assert_uint_eq(cmos(0x00), 59);
    ck_assert_uint_eq(cmos(0x02), 45);
    ck_assert_uint_eq(cmos(0x04), 13);
    ck_assert_uint_eq(cmos(0x07), 29);
    ck_assert_uint_eq(cmos(0x08), 2);
    ck_assert_uint_eq(cmos(0x09), 24);
    ck_assert_uint_eq(cmos(0x32), 20);
}
END_TEST

START_TEST(test_61_seconds_later_minutes_and_seconds_move)
{
    boot(Y2K);
    advance_to(61 * S - 1);
    ck_assert_uint_eq(cmos(0x02), 0x01);
    ck_assert_uint_eq(cmos(0x00), 0x00);
    advance_to(61 * S);
    ck_assert_uint_eq(cmos(0x02), 0x01);
    ck_assert_uint_eq(cmos(0x00), 0x01);
    ck_assert_uint_eq(cmos(0x04), 0x00);
    /* and on across midnight to the next day, a Sunday (DS: day of week counts 1-7) */
    advance_to(86400 * S);
    ck_assert_uint_eq(cmos(0x07), 0x02);
    ck_assert_uint_eq(cmos(0x06), 0x01);
}
END_TEST

START_TEST(test_12_hour_mode_sets_pm_bit)
{
    boot(Y2K);
    cmos_set(0x0B, 0x00); /* DS Register B: 24/12 = 0, 12-hour mode, BCD */
    /* DS Table 3: 12-hour hours are 1-12, bit 7 = PM */
    ck_assert_uint_eq(cmos(0x04), 0x12); /* midnight is 12 AM */
    advance_to(12 * 3600 * S);
    ck_assert_uint_eq(cmos(0x04), 0x92); /* noon is 12 PM */
    advance_to(13 * 3600 * S);
    ck_assert_uint_eq(cmos(0x04), 0x81);
    cmos_set(0x0B, 0x04); /* binary 12-hour */
    advance_to(23 * 3600 * S);
    ck_assert_uint_eq(cmos(0x04), 0x8B); /* 11 PM */
}
END_TEST

START_TEST(test_uip_only_inside_window_before_update)
{
    boot(Y2K);
    /* DS Register A and Table 6 (32.768 kHz): UIP = 1 from tBUC = 244 us before the update
     * cycle through the cycle, tUC = 1984 us; UIP = 0 means no update for at least 244 us. Here
     * the update cycle ends (new time visible) at each whole second. */
    uint64_t window = 244000 + 1984000;
    advance_to(S - window - 1);
    ck_assert_uint_eq(cmos(0x0A), 0x26);
    advance_to(S - window);
    ck_assert_uint_eq(cmos(0x0A), 0xA6);
    ck_assert_uint_eq(cmos(0x00), 0x00);
    advance_to(S - 1);
    ck_assert_uint_eq(cmos(0x0A), 0xA6);
    ck_assert_uint_eq(cmos(0x00), 0x00);
    advance_to(S);
    ck_assert_uint_eq(cmos(0x0A), 0x26);
    ck_assert_uint_eq(cmos(0x00), 0x01);
    /* DS Register A: writing SET = 1 inhibits update cycles and clears UIP */
    advance_to(2 * S - 1000);
    ck_assert_uint_eq(cmos(0x0A), 0xA6);
    cmos_set(0x0B, 0x82);
    ck_assert_uint_eq(cmos(0x0A), 0x26);
    /* UIP is read-only */
    cmos_set(0x0A, 0xA6);
    ck_assert_uint_eq(cmos(0x0A), 0x26);
}
END_TEST

START_TEST(test_periodic_interrupt_rs6_every_976_5625_us)
{
    boot(Y2K);
    cmos_set(0x0B, 0x42); /* DS Register B: PIE */
    /* DS Table 5, 32.768 kHz: RS3-0 = 0110 gives 1024 Hz, a period of 976.5625 us. Ticks are
     * whole crystal periods, so tick k is at ceil(k * 976562.5) ns. */
    for (int k = 1; k <= 2048; k++) {
        uint64_t due = (k * 1000000000ull + 1023) / 1024;
        advance_to(due - 1);
        ck_assert_int_eq(nedges, k - 1);
        advance_to(due);
        ck_assert_int_eq(nedges, k);
        ck_assert_uint_eq(edges[k - 1], due);
        ck_assert_int_eq(irq_level, 1);
        /* DS Register C: IRQF + PF (+ UF on the whole second: UF is set after every update
         * whatever UIE says); reading C clears it and releases IRQ */
        ck_assert_uint_eq(cmos(0x0C), k % 1024 ? 0xC0 : 0xD0);
        ck_assert_int_eq(irq_level, 0);
    }
    ck_assert_uint_eq(edges[1023], S); /* 1024 ticks make a second exactly */
    for (int k = 1; k < 2048; k++) {
        uint64_t gap = edges[k] - edges[k - 1];
        ck_assert(gap == 976562 || gap == 976563);
    }
}
END_TEST

START_TEST(test_periodic_flag_without_pie_and_rate_table)
{
    boot(Y2K);
    /* DS Register C: PF is set whatever PIE says; only IRQF and IRQ need PIE */
    advance_to(S / 100);
    ck_assert_uint_eq(cmos(0x0C), 0x40);
    ck_assert_int_eq(nedges, 0);
    /* DS Table 5, 32.768 kHz: RS = 0001 is 256 Hz (not 32768 Hz) and RS = 1111 is 2 Hz */
    cmos_set(0x0A, 0x21);
    cmos_set(0x0B, 0x42);
    advance_to(S);
    cmos(0x0C);
    int n = nedges;
    for (int i = 0; i < 256; i++) {
        advance_to(clock_next(&clk));
        cmos(0x0C);
    }
    ck_assert_int_eq(nedges - n, 256);
    ck_assert_uint_eq(edges[nedges - 1], 2 * S);
    cmos_set(0x0A, 0x2F);
    advance_to(3 * S);
    cmos(0x0C);
    n = nedges;
    advance_to(5 * S);
    ck_assert_int_eq(nedges - n, 1); /* the line stays high until C is read */
    cmos(0x0C);
    advance_to(5 * S + S / 2);
    ck_assert_int_eq(nedges - n, 2);
    /* RS = 0000: no periodic interrupt */
    cmos(0x0C);
    cmos_set(0x0A, 0x20);
    advance_to(8 * S);
    ck_assert_uint_eq(cmos(0x0C) & 0x40, 0);
}
END_TEST

START_TEST(test_register_c_read_clears_flags_and_irq)
{
    boot(Y2K);
    cmos_set(0x0A, 0x20);     /* no periodic rate, so only UF */
    cmos_set(0x0B, 0x12);     /* DS Register B: UIE */
    advance_to(S - 1);
    ck_assert_int_eq(nedges, 0);
    advance_to(S);            /* DS Register C: UF is set after each update cycle */
    ck_assert_int_eq(nedges, 1);
    ck_assert_uint_eq(edges[0], S);
    ck_assert_int_eq(irq_level, 1);
    ck_assert_uint_eq(cmos(0x0C), 0x90); /* IRQF + UF */
    ck_assert_int_eq(irq_level, 0);
    ck_assert_uint_eq(cmos(0x0C), 0x00); /* the read cleared every bit */
    advance_to(2 * S);
    ck_assert_int_eq(nedges, 2);
    /* DS Register C: IRQF = PF.PIE + AF.AIE + UF.UIE. Disabling UIE drops IRQF and IRQ, and
     * enabling it again with UF still set asserts them at once. */
    cmos_set(0x0B, 0x02);
    ck_assert_int_eq(irq_level, 0);
    ck_assert_uint_eq(cmos(0x0C), 0x10);
    advance_to(3 * S);
    cmos_set(0x0B, 0x12);
    ck_assert_int_eq(irq_level, 1);
    ck_assert_int_eq(nedges, 3);
    /* DS Register D: VRT = 1, other bits 0, not writable */
    cmos_set(0x0D, 0x00);
    ck_assert_uint_eq(cmos(0x0D), 0x80);
}
END_TEST

START_TEST(test_set_freezes_clock_and_written_time_sticks)
{
    boot(Y2K);
    advance_to(3 * S + S / 4);
    cmos_set(0x0B, 0x92); /* DS Register B: SET (with UIE, which SET going high clears) */
    ck_assert_uint_eq(cmos(0x0B), 0x82);
    ck_assert_uint_eq(cmos(0x00), 0x03);
    cmos(0x0C);
    advance_to(8 * S);
    ck_assert_uint_eq(cmos(0x00), 0x03); /* DS: SET = 1 inhibits updates */
    ck_assert_uint_eq(cmos(0x0C) & 0x10, 0);
    /* write 2021-06-15 12:34:56, a Tuesday (3), in BCD */
    cmos_set(0x00, 0x56);
    cmos_set(0x02, 0x34);
    cmos_set(0x04, 0x12);
    cmos_set(0x06, 0x03);
    cmos_set(0x07, 0x15);
    cmos_set(0x08, 0x06);
    cmos_set(0x09, 0x21);
    cmos_set(0x32, 0x20);
    advance_to(10 * S + S / 2);
    ck_assert_uint_eq(cmos(0x00), 0x56);
    cmos_set(0x0B, 0x02); /* SET = 0: the clock runs from the written time */
    ck_assert_uint_eq(cmos(0x00), 0x56);
    ck_assert_uint_eq(cmos(0x02), 0x34);
    ck_assert_uint_eq(cmos(0x04), 0x12);
    ck_assert_uint_eq(cmos(0x06), 0x03);
    ck_assert_uint_eq(cmos(0x07), 0x15);
    ck_assert_uint_eq(cmos(0x08), 0x06);
    ck_assert_uint_eq(cmos(0x09), 0x21);
    ck_assert_uint_eq(cmos(0x32), 0x20);
    /* the divider chain was never reset, so the next update is still on the whole second */
    advance_to(11 * S - 1);
    ck_assert_uint_eq(cmos(0x00), 0x56);
    advance_to(11 * S);
    ck_assert_uint_eq(cmos(0x00), 0x57);
    advance_to(15 * S);
    ck_assert_uint_eq(cmos(0x02), 0x35);
    ck_assert_uint_eq(cmos(0x00), 0x01);
    ck_assert_uint_eq(cmos(0x06), 0x03);
    /* a write with the clock running also lands, and the clock counts on from it */
    cmos_set(0x09, 0x99);
    ck_assert_uint_eq(cmos(0x09), 0x99);
    ck_assert_uint_eq(cmos(0x08), 0x06);
    advance_to(16 * S);
    ck_assert_uint_eq(cmos(0x00), 0x02);
    ck_assert_uint_eq(cmos(0x09), 0x99);
}
END_TEST

START_TEST(test_divider_reset_stops_clock_first_update_half_second_after)
{
    boot(Y2K);
    advance_to(2 * S + S / 4);
    cmos_set(0x0A, 0x76); /* DS Register A: DV2-0 = 11x holds the divider chain in reset */
    cmos(0x0C);
    advance_to(7 * S);
    ck_assert_uint_eq(cmos(0x00), 0x02);
    ck_assert_uint_eq(cmos(0x0C) & 0x40, 0); /* no periodic ticks either */
    cmos_set(0x0A, 0x26);
    /* DS Register A: the first update cycle begins 0.5 s after the reset is removed; it ends
     * tUC = 1984 us later (Table 6) */
    advance_to(7 * S + S / 2 + 1984000 - 1);
    ck_assert_uint_eq(cmos(0x00), 0x02);
    ck_assert_uint_eq(cmos(0x0A), 0xA6);
    advance_to(7 * S + S / 2 + 1984000);
    ck_assert_uint_eq(cmos(0x00), 0x03);
}
END_TEST

START_TEST(test_alarm_with_dont_care_hours)
{
    boot(Y2K);
    cmos_set(0x0A, 0x20);
    cmos_set(0x01, 0x30); /* alarm at xx:02:30 */
    cmos_set(0x03, 0x02);
    cmos_set(0x05, 0xC5); /* DS: codes 0xC0-0xFF in an alarm byte match any value */
    cmos_set(0x0B, 0x22); /* DS Register B: AIE */
    advance_to(150 * S - 1);
    ck_assert_int_eq(nedges, 0);
    advance_to(150 * S);
    ck_assert_int_eq(nedges, 1);
    ck_assert_uint_eq(edges[0], 150 * S);
    /* DS Register C: IRQF + AF, and UF, which is set after every update whatever UIE says */
    ck_assert_uint_eq(cmos(0x0C), 0xB0);
    ck_assert_int_eq(irq_level, 0);
    advance_to(3600 * S + 150 * S); /* every hour */
    ck_assert_int_eq(nedges, 2);
    ck_assert_uint_eq(edges[1], 3750 * S);
    cmos(0x0C);
    /* AF is set without AIE too, but then no interrupt (DS Register C) */
    cmos_set(0x0B, 0x02);
    advance_to(7200 * S + 150 * S);
    ck_assert_uint_eq(cmos(0x0C), 0x30);
    ck_assert_int_eq(nedges, 2);
}
END_TEST

START_TEST(test_alarm_in_12_hour_mode_compares_pm_bit)
{
    boot(Y2K);
    cmos_set(0x0A, 0x20);
    cmos_set(0x0B, 0x20); /* AIE, 12-hour BCD */
    cmos_set(0x01, 0x00);
    cmos_set(0x03, 0x00);
    cmos_set(0x05, 0x81); /* 1 PM (DS Table 3: bit 7 = PM) */
    advance_to(13 * 3600 * S - 1);
    ck_assert_int_eq(nedges, 0);
    advance_to(13 * 3600 * S);
    ck_assert_int_eq(nedges, 1);
}
END_TEST

START_TEST(test_nmi_mask_is_port_70_bit_7)
{
    boot(Y2K);
    ck_assert(!rtc_nmi_masked(&rtc));
    io_write(&io, 0x70, 0x8F, 1); /* PC/AT: bit 7 of port 0x70 disables NMI, bits 6-0 index */
    ck_assert(rtc_nmi_masked(&rtc));
    io_write(&io, 0x71, 0x5A, 1);
    ck_assert_uint_eq(rtc_cmos_read(&rtc, 0x0F), 0x5A);
    io_write(&io, 0x70, 0x0F, 1);
    ck_assert(!rtc_nmi_masked(&rtc));
    ck_assert_uint_eq(io_read(&io, 0x71, 1), 0x5A);
    /* 128 bytes: RAM to 0x7F */
    cmos_set(0x7F, 0xA5);
    ck_assert_uint_eq(cmos(0x7F), 0xA5);
}
END_TEST

START_TEST(test_cmos_checksum_over_10_to_2d_big_endian)
{
    boot(Y2K);
    for (unsigned i = 0x10; i <= 0x2D; i++)
        rtc_cmos_write(&rtc, i, 0xFF);
    rtc_cmos_write(&rtc, 0x30, 0x7F); /* outside the checksummed range */
    rtc_update_checksum(&rtc);
    /* IBM AT Technical Reference: 30 * 0xFF = 0x1DE2, high byte at 0x2E, low at 0x2F */
    ck_assert_uint_eq(cmos(0x2E), 0x1D);
    ck_assert_uint_eq(cmos(0x2F), 0xE2);
    rtc_cmos_write(&rtc, 0x15, 0x80);
    rtc_update_checksum(&rtc);
    ck_assert_uint_eq(rtc_cmos_read(&rtc, 0x2E), 0x1D);
    ck_assert_uint_eq(rtc_cmos_read(&rtc, 0x2F), 0x63);
    /* a host-side peek of C does not clear it */
    advance_to(S);
    ck_assert_uint_eq(rtc_cmos_read(&rtc, 0x0C), 0x50);
    ck_assert_uint_eq(cmos(0x0C), 0x50);
    ck_assert_uint_eq(cmos(0x0C), 0x00);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("rtc");
    TCase *tc = tcase_create("rtc");
    tcase_add_test(tc, test_time_from_start_time_in_bcd);
    tcase_add_test(tc, test_time_in_binary_when_dm_set);
    tcase_add_test(tc, test_61_seconds_later_minutes_and_seconds_move);
    tcase_add_test(tc, test_12_hour_mode_sets_pm_bit);
    tcase_add_test(tc, test_uip_only_inside_window_before_update);
    tcase_add_test(tc, test_periodic_interrupt_rs6_every_976_5625_us);
    tcase_add_test(tc, test_periodic_flag_without_pie_and_rate_table);
    tcase_add_test(tc, test_register_c_read_clears_flags_and_irq);
    tcase_add_test(tc, test_set_freezes_clock_and_written_time_sticks);
    tcase_add_test(tc, test_divider_reset_stops_clock_first_update_half_second_after);
    tcase_add_test(tc, test_alarm_with_dont_care_hours);
    tcase_add_test(tc, test_alarm_in_12_hour_mode_compares_pm_bit);
    tcase_add_test(tc, test_nmi_mask_is_port_70_bit_7);
    tcase_add_test(tc, test_cmos_checksum_over_10_to_2d_big_endian);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
