/* Intel 8254 PIT and port 0x61 (devices/pit.c). Expected values come from the Intel 8254 / 82C54
 * datasheet (order numbers 231164, 231244), cited by section and figure, and from pit.c's stated
 * time base: tick t of the 105/88 MHz input clock starts at ns ceil(t * 88000 / 105), and a count
 * written during tick t is loaded into the counting element (CE) on CLK pulse t + 1 ("After the
 * Control Word and initial count are written to a Counter, the initial count will be loaded on
 * the next CLK pulse"). The clock runs at 1e9 instructions per second, so insns == ns. */
#include <check.h>
#include <stdlib.h>

#include "core/clock.h"
#include "core/ioport.h"
#include "core/irq.h"
#include "devices/pit.h"

static uint64_t insns;
static struct clock clk;
static struct iobus io;
static struct irq_bus irqbus;
static struct pit pit;

static struct {
    uint64_t ns;
    int line, level;
} rec[64];
static int nrec;

static void fake_irq(void *opaque, int line, int level)
{
    (void)opaque;
    ck_assert_int_lt(nrec, 64);
    rec[nrec].ns = clock_now(&clk);
    rec[nrec].line = line;
    rec[nrec].level = level;
    nrec++;
}

static void setup(void)
{
    insns = 0;
    nrec = 0;
    clock_init(&clk, &insns, 1000000000, 0);
    io_init(&io);
    irqbus.set = fake_irq;
    irqbus.opaque = NULL;
    pit_init(&pit, &io, &irqbus, &clk);
}

/* First virtual ns of PIT clock tick t. */
static uint64_t tick_ns(uint64_t t)
{
    return (t * 88000 + 104) / 105;
}

/* Advances virtual time to ns, running each event at exactly its due time. */
static void run_to(uint64_t ns)
{
    for (;;) {
        uint64_t next = clock_next(&clk);
        if (next == CLOCK_NEVER || next > ns)
            break;
        if (next > insns)
            insns = next;
        clock_run_due(&clk);
    }
    insns = ns;
}

static void run_to_tick(uint64_t t)
{
    run_to(tick_ns(t));
}

static void out8(uint16_t port, uint8_t v)
{
    io_write(&io, port, v, 1);
}

static uint8_t in8(uint16_t port)
{
    return (uint8_t)io_read(&io, port, 1);
}

/* RW = 3 (LSB then MSB) count write and read. */
static void write16(uint16_t port, unsigned v)
{
    out8(port, v & 0xFF);
    out8(port, (v >> 8) & 0xFF);
}

static unsigned read16(uint16_t port)
{
    unsigned lo = in8(port);
    return lo | (unsigned)in8(port) << 8;
}

static int out2(void)
{
    return (in8(0x61) >> 5) & 1;
}

/* Each OUT0 edge reaches the PIC as the line going low then high at the same instant: a rising
 * edge that leaves the line high, so the 8259A keeps the request until INTA (8259A datasheet,
 * "Edge triggered mode": the input must stay high until the first INTA). */
static void check_pulse(int i, uint64_t ns)
{
    ck_assert_uint_eq(rec[2 * i].ns, ns);
    ck_assert_int_eq(rec[2 * i].line, 0);
    ck_assert_int_eq(rec[2 * i].level, 0);
    ck_assert_uint_eq(rec[2 * i + 1].ns, ns);
    ck_assert_int_eq(rec[2 * i + 1].level, 1);
}

START_TEST(test_tick_conversion_is_105_88_mhz)
{
    /* 1 ms of virtual time = floor(1e6 * 105 / 88000) = 1193 whole ticks of 1.1931818 MHz. */
    setup();
    ck_assert_uint_eq(tick_ns(1193), 999848);
    ck_assert_uint_eq(tick_ns(1194), 1000686);
}
END_TEST

START_TEST(test_mode2_rate_generator_irq0_every_n_ticks)
{
    setup();
    out8(0x43, 0x34);             /* counter 0, LSB then MSB, mode 2, binary (Figure 7) */
    write16(0x40, 1193);          /* at tick 0: loaded on CLK pulse 1 */
    /* Mode 2 (Figure 17): "OUT goes low N CLK pulses after the initial count is written", for
     * one CLK pulse, then goes high as the counter reloads: rising edges at ticks 1 + 1193 k. */
    run_to_tick(101);
    ck_assert_uint_eq(read16(0x40), 1193 - 100);
    run_to(4000000);
    ck_assert_int_eq(nrec, 6);
    check_pulse(0, tick_ns(1 + 1193));       /* 1000686 ns */
    check_pulse(1, tick_ns(1 + 2 * 1193));   /* 2000534 ns */
    check_pulse(2, tick_ns(1 + 3 * 1193));   /* 3000381 ns */
    ck_assert_uint_eq(rec[0].ns, 1000686);
    ck_assert_uint_eq(rec[4].ns, 3000381);
    ck_assert_uint_eq(clock_next(&clk), tick_ns(1 + 4 * 1193));
    ck_assert_uint_eq(pit.stat_irqs, 3);
    /* Mode 2 counts N .. 1 and reloads: one tick after an edge the CE holds N - 1. */
    run_to_tick(1 + 3 * 1193 + 1);
    ck_assert_uint_eq(read16(0x40), 1192);
}
END_TEST

START_TEST(test_mode2_new_count_waits_for_end_of_period)
{
    setup();
    out8(0x43, 0x34);
    write16(0x40, 1000);          /* rising edges at 1001, 2001, ... */
    run_to_tick(1500);
    write16(0x40, 500);
    /* Mode 2: "Writing a new count while counting does not affect the current counting
     * sequence ... the new count will be loaded at the end of the current counting cycle." */
    ck_assert_uint_eq(read16(0x40), 1000 - 499);
    run_to(tick_ns(3001) - 1);
    ck_assert_int_eq(nrec, 6);
    check_pulse(0, tick_ns(1001));
    check_pulse(1, tick_ns(2001));
    check_pulse(2, tick_ns(2501));
    ck_assert_uint_eq(clock_next(&clk), tick_ns(3001));
}
END_TEST

START_TEST(test_mode0_interrupt_on_terminal_count_once)
{
    setup();
    run_to(1000000);              /* tick 1193 */
    out8(0x43, 0x30);             /* counter 0, LSB then MSB, mode 0 */
    write16(0x40, 100);
    /* Mode 0 (Figure 15): OUT low after the control word, "OUT does not go high until N + 1
     * CLK pulses after the initial count is written": tick 1193 + 101 = 1294. */
    out8(0x43, 0xE2);             /* read-back status of counter 0 */
    ck_assert_uint_eq(in8(0x40) & 0x80, 0);
    run_to(tick_ns(1294) - 1);
    ck_assert_int_eq(nrec, 0);
    run_to(5000000);
    ck_assert_int_eq(nrec, 2);
    check_pulse(0, tick_ns(1294));           /* 1084496 ns */
    ck_assert_uint_eq(rec[0].ns, 1084496);
    ck_assert_uint_eq(clock_next(&clk), CLOCK_NEVER);
    /* "OUT then goes high and remains high until a new count or a new Mode 0 Control Word". */
    out8(0x43, 0xE2);
    ck_assert_uint_eq(in8(0x40) & 0x80, 0x80);
    /* Operation Common to All Modes: "In Modes 0, 1, 4, and 5 the Counter wraps around to the
     * highest count, FFFF hex for binary counting", and continues counting. */
    run_to_tick(1294 + 5);
    ck_assert_uint_eq(read16(0x40), 0xFFFB);
}
END_TEST

START_TEST(test_mode4_software_strobe)
{
    setup();
    out8(0x43, 0x38);             /* counter 0, mode 4 */
    write16(0x40, 10);
    /* Mode 4 (Figure 19): "OUT does not strobe low until N + 1 CLK pulses after the initial count
     * is written", for one CLK pulse: low at tick 11, rising edge at tick 12. */
    run_to_tick(100);
    ck_assert_int_eq(nrec, 2);
    check_pulse(0, tick_ns(12));
}
END_TEST

START_TEST(test_counter_latch_freezes_read_value)
{
    setup();
    out8(0x43, 0x34);
    write16(0x40, 10000);
    run_to_tick(101);
    out8(0x43, 0x00);             /* Counter Latch Command, counter 0 (Figure 9) */
    run_to_tick(601);
    /* "The selected Counter's output latch latches the count at the time the Counter Latch
     * Command is received ... The count is then unlatched automatically" once read, while the
     * CE keeps counting. */
    ck_assert_uint_eq(read16(0x40), 9900);
    ck_assert_uint_eq(read16(0x40), 9400);
    /* "If a Counter is latched and then, some time later, latched again before the count is
     * read, the second Counter Latch Command is ignored." */
    out8(0x43, 0x00);
    run_to_tick(701);
    out8(0x43, 0x00);
    run_to_tick(801);
    ck_assert_uint_eq(read16(0x40), 9400);
    ck_assert_uint_eq(read16(0x40), 9200);
}
END_TEST

START_TEST(test_readback_status_byte)
{
    setup();
    /* Figure 11: D7 OUT, D6 NULL COUNT, D5-D0 as in the last control word. */
    out8(0x43, 0x30);             /* counter 0, mode 0: OUT initially low (Figure 15) */
    out8(0x43, 0xE2);             /* Figure 10: COUNT=1 (no), STATUS=0, CNT0 */
    ck_assert_uint_eq(in8(0x40), 0x70);
    out8(0x61, 0x01);             /* GATE2 high */
    out8(0x43, 0xB6);             /* counter 2, mode 3: OUT initially high (Figure 18) */
    out8(0x43, 0xE8);
    ck_assert_uint_eq(in8(0x42), 0xF6);
    /* Figure 12: writing the count sets NULL COUNT; loading it into the CE (next CLK) clears it. */
    write16(0x42, 1000);
    out8(0x43, 0xE8);
    ck_assert_uint_eq(in8(0x42), 0xF6);
    run_to_tick(1);
    out8(0x43, 0xE8);
    ck_assert_uint_eq(in8(0x42), 0xB6);
    /* "If both count and status of a counter are latched, the first read operation of that
     * counter will return latched status", then the latched count. */
    run_to_tick(11);
    out8(0x43, 0xC8);
    run_to_tick(700);             /* OUT now low: the latched status still says high */
    ck_assert_uint_eq(in8(0x42), 0xB6);
    ck_assert_uint_eq(read16(0x42), 1000 - 2 * 10);
    /* Figure 7: mode bits X10 are mode 2; the status shows the bits as written. */
    out8(0x43, 0x3C);
    out8(0x43, 0xE2);
    ck_assert_uint_eq(in8(0x40), 0xFC);
}
END_TEST

START_TEST(test_readback_latches_several_counters)
{
    setup();
    out8(0x43, 0x34);
    write16(0x40, 1000);
    out8(0x43, 0x74);             /* counter 1, mode 2: the refresh counter */
    write16(0x41, 18);
    run_to_tick(11);              /* counter 0 holds 990, counter 1: 18 - (10 % 18) = 8 */
    out8(0x43, 0xD6);             /* Figure 10: COUNT=0, STATUS=1, CNT1 and CNT0 */
    run_to_tick(500);
    /* "This single command is functionally equivalent to several counter latch commands, one
     * for each counter latched." */
    ck_assert_uint_eq(read16(0x40), 990);
    ck_assert_uint_eq(read16(0x41), 8);
    ck_assert_uint_eq(read16(0x40), 1000 - 499);
}
END_TEST

START_TEST(test_mode3_square_wave_on_port61)
{
    setup();
    out8(0x61, 0x03);             /* GATE2 on, speaker data on */
    out8(0x43, 0xB6);             /* counter 2, mode 3 */
    write16(0x42, 1000);          /* loaded on CLK pulse 1 */
    ck_assert_uint_eq(in8(0x61) & 0x0F, 0x03);
    ck_assert_int_eq(out2(), 1);  /* Figure 18: "OUT will initially be high" */
    /* Even counts: the CE counts down by two; OUT high for N/2 pulses, low for N/2. */
    run_to_tick(11);
    ck_assert_uint_eq(read16(0x42), 980);
    run_to_tick(500);
    ck_assert_int_eq(out2(), 1);
    run_to_tick(501);
    ck_assert_int_eq(out2(), 0);
    ck_assert_uint_eq(read16(0x42), 1000);
    run_to_tick(1000);
    ck_assert_int_eq(out2(), 0);
    run_to_tick(1001);
    ck_assert_int_eq(out2(), 1);
    run_to_tick(1501);
    ck_assert_int_eq(out2(), 0);
    /* Counter 2 does not touch IRQ 0. */
    ck_assert_int_eq(nrec, 0);
}
END_TEST

START_TEST(test_mode3_odd_count_high_one_pulse_longer)
{
    setup();
    out8(0x61, 0x01);
    out8(0x43, 0x96);             /* counter 2, LSB only, mode 3 */
    out8(0x42, 5);
    /* Mode 3 odd counts: "OUT will be high for (N + 1)/2 counts and low for (N - 1)/2 counts":
     * high on ticks 1-3, low on 4-5, high from 6. */
    static const int expect[] = {1, 1, 1, 1, 0, 0, 1, 1, 1, 0, 0, 1};
    for (unsigned t = 0; t < sizeof(expect) / sizeof(expect[0]); t++) {
        run_to_tick(t);
        ck_assert_int_eq(out2(), expect[t]);
    }
}
END_TEST

START_TEST(test_gate_low_stops_counter2)
{
    setup();
    out8(0x61, 0x01);
    out8(0x43, 0xB0);             /* counter 2, mode 0 */
    write16(0x42, 1000);
    run_to_tick(101);
    ck_assert_uint_eq(read16(0x42), 900);
    /* Figure 21, mode 0: GATE low "Disables Counting", high "Enables Counting". */
    out8(0x61, 0x00);
    run_to_tick(500);
    ck_assert_uint_eq(read16(0x42), 900);
    ck_assert_int_eq(out2(), 0);
    out8(0x61, 0x01);
    run_to_tick(600);
    ck_assert_uint_eq(read16(0x42), 800);
    run_to_tick(1399);            /* 900 more pulses from tick 500 */
    ck_assert_int_eq(out2(), 0);
    run_to_tick(1400);
    ck_assert_int_eq(out2(), 1);

    /* Figure 21, mode 2: GATE low "Sets Output Immediately High"; rising "Initiates Counting"
     * (Figure 17: "A trigger reloads the Counter with the initial count on the next CLK pulse;
     * OUT goes low N CLK pulses after the trigger"). */
    out8(0x43, 0xB4);             /* counter 2, mode 2, written at tick 1400 */
    write16(0x42, 4);
    run_to_tick(1404);            /* count reached 1: OUT low */
    ck_assert_int_eq(out2(), 0);
    out8(0x61, 0x00);
    ck_assert_int_eq(out2(), 1);
    run_to_tick(1420);
    ck_assert_uint_eq(read16(0x42), 1);   /* counting stopped */
    out8(0x61, 0x01);                     /* trigger at tick 1420: reload on pulse 1421 */
    run_to_tick(1421);
    ck_assert_uint_eq(read16(0x42), 4);
    run_to_tick(1423);
    ck_assert_int_eq(out2(), 1);
    run_to_tick(1424);
    ck_assert_int_eq(out2(), 0);
}
END_TEST

START_TEST(test_mode1_one_shot_needs_gate_trigger)
{
    setup();
    out8(0x43, 0xB2);             /* counter 2, mode 1; GATE2 low */
    write16(0x42, 10);
    run_to_tick(20);
    ck_assert_int_eq(out2(), 1);  /* Figure 16: OUT initially high, counting needs a trigger */
    out8(0x61, 0x01);             /* trigger at tick 20: "OUT will go low on the CLK pulse
                                   * following a trigger" and stays low for N pulses */
    ck_assert_int_eq(out2(), 1);
    run_to_tick(21);
    ck_assert_int_eq(out2(), 0);
    run_to_tick(30);
    ck_assert_int_eq(out2(), 0);
    run_to_tick(31);
    ck_assert_int_eq(out2(), 1);
}
END_TEST

START_TEST(test_bcd_counting)
{
    setup();
    out8(0x43, 0x71);             /* counter 1, LSB then MSB, mode 0, BCD (Figure 7) */
    write16(0x41, 0x0100);        /* 100 decimal */
    run_to_tick(2);
    ck_assert_uint_eq(read16(0x41), 0x0099);
    run_to_tick(101);
    ck_assert_uint_eq(read16(0x41), 0x0000);
    run_to_tick(102);             /* wraps to 9999 in BCD (Operation Common to All Modes) */
    ck_assert_uint_eq(read16(0x41), 0x9999);
    /* "The largest possible initial count is 0; this is equivalent to ... 10^4 for BCD". */
    out8(0x43, 0x71);
    write16(0x41, 0x0000);
    run_to_tick(102 + 1 + 1);
    ck_assert_uint_eq(read16(0x41), 0x9999);
    run_to_tick(102 + 1 + 1235);
    ck_assert_uint_eq(read16(0x41), 0x8765);
}
END_TEST

START_TEST(test_lsb_msb_access_order)
{
    setup();
    /* Figure 7, RW = 01: least significant byte only. */
    out8(0x43, 0x50);             /* counter 1, LSB only, mode 0 */
    out8(0x41, 0x80);
    run_to_tick(11);
    ck_assert_uint_eq(in8(0x41), 0x76);   /* 128 - 10 */
    ck_assert_uint_eq(in8(0x41), 0x76);   /* no byte toggle */
    /* RW = 10: most significant byte only; the LSB of the count is 0. */
    out8(0x43, 0x60);
    out8(0x41, 0x12);             /* 0x1200 at tick 11, loaded on pulse 12 */
    run_to_tick(12);
    ck_assert_uint_eq(in8(0x41), 0x12);
    run_to_tick(13);
    ck_assert_uint_eq(in8(0x41), 0x11);   /* 0x11FF */
    /* RW = 11 and Read Operations: "reads and writes of the same Counter may be interleaved":
     * read LSB, write LSB, read MSB, write MSB. */
    out8(0x43, 0x74);             /* counter 1, mode 2 */
    write16(0x41, 0x1234);        /* at tick 13, loaded on pulse 14 */
    run_to_tick(14);
    ck_assert_uint_eq(in8(0x41), 0x34);
    out8(0x41, 0x78);
    ck_assert_uint_eq(in8(0x41), 0x12);
    out8(0x41, 0x56);
    /* The new count 0x5678 is loaded when the period of 0x1234 ends (Figure 17). */
    run_to_tick(14 + 0x1234);
    ck_assert_uint_eq(read16(0x41), 0x5678);

    /* 8254 mode 0: "Writing the first byte disables counting. OUT is set low immediately";
     * "Writing the second byte allows the new count to be loaded on the next CLK pulse". */
    out8(0x61, 0x01);
    out8(0x43, 0xB0);             /* counter 2, mode 0 */
    write16(0x42, 10);
    run_to_tick(14 + 0x1234 + 20);        /* terminal count passed: OUT2 high */
    ck_assert_int_eq(out2(), 1);
    out8(0x42, 0x10);
    ck_assert_int_eq(out2(), 0);
    unsigned held = read16(0x42);
    run_to_tick(14 + 0x1234 + 40);
    ck_assert_uint_eq(read16(0x42), held);
    out8(0x42, 0x00);                     /* count 0x0010 */
    run_to_tick(14 + 0x1234 + 41 + 6);
    ck_assert_uint_eq(read16(0x42), 10);
}
END_TEST

START_TEST(test_port61_refresh_toggle)
{
    setup();
    /* Port 0x61 bit 4 toggles with each refresh request: 18 PIT clocks = 15.0857 us. */
    ck_assert_uint_eq(in8(0x61) & 0x10, 0);
    run_to_tick(17);
    ck_assert_uint_eq(in8(0x61) & 0x10, 0);
    run_to_tick(18);                      /* 15086 ns */
    ck_assert_uint_eq(in8(0x61) & 0x10, 0x10);
    run_to_tick(36);
    ck_assert_uint_eq(in8(0x61) & 0x10, 0);
    ck_assert_uint_eq(in8(0x61) & 0xC0, 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("pit");
    TCase *tc = tcase_create("pit");
    tcase_add_test(tc, test_tick_conversion_is_105_88_mhz);
    tcase_add_test(tc, test_mode2_rate_generator_irq0_every_n_ticks);
    tcase_add_test(tc, test_mode2_new_count_waits_for_end_of_period);
    tcase_add_test(tc, test_mode0_interrupt_on_terminal_count_once);
    tcase_add_test(tc, test_mode4_software_strobe);
    tcase_add_test(tc, test_counter_latch_freezes_read_value);
    tcase_add_test(tc, test_readback_status_byte);
    tcase_add_test(tc, test_readback_latches_several_counters);
    tcase_add_test(tc, test_mode3_square_wave_on_port61);
    tcase_add_test(tc, test_mode3_odd_count_high_one_pulse_longer);
    tcase_add_test(tc, test_gate_low_stops_counter2);
    tcase_add_test(tc, test_mode1_one_shot_needs_gate_trigger);
    tcase_add_test(tc, test_bcd_counting);
    tcase_add_test(tc, test_lsb_msb_access_order);
    tcase_add_test(tc, test_port61_refresh_toggle);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
