/* The 16550A UART (devices/uart.c) against the National Semiconductor PC16550D datasheet (June
 * 1995) and TI's TL16C550C datasheet (SLLS177), cited by register and section name. Time is
 * virtual: the clock runs at 1 instruction per ns, so `insns` is the time in ns. */
#include <check.h>
#include <stdlib.h>

#include "core/clock.h"
#include "core/ioport.h"
#include "core/irq.h"
#include "devices/uart.h"

#define COM1 0x3F8
#define COM2 0x2F8

enum { RBR = 0, THR = 0, DLL = 0, IER = 1, DLM = 1, IIR = 2, FCR = 2, LCR = 3, MCR = 4, LSR = 5,
       MSR = 6, SCR = 7 };

/* Character times from the datasheet's "Programmable Baud Generator": a bit is 16 cycles of
 * 1.8432 MHz / divisor. 8N1 is 10 bits: at divisor 12 (9600 baud) 1.0416667 ms. */
#define CT_9600_8N1 1041666u
#define CT_115200_8N1 86805u        /* 10 bits at divisor 1: 86.8055 us */
#define CT_115200_5N15 65104u       /* start + 5 data + 1.5 stop = 7.5 bits: 65.104 us */

static struct iobus bus;
static struct clock clk;
static uint64_t insns;
static struct irq_bus irqbus;
static int irq_level[16];
static struct uart u, u2;
static uint8_t txbuf[64];
static uint64_t txtime[64];
static int ntx;

static void record_irq(void *opaque, int line, int level)
{
    (void)opaque;
    irq_level[line] = level;
}

static void record_tx(void *opaque, uint8_t byte)
{
    (void)opaque;
    txtime[ntx] = clock_now(&clk);
    txbuf[ntx++] = byte;
}

static void setup(void)
{
    io_init(&bus);
    insns = 0;
    clock_init(&clk, &insns, 1000000000, 0);
    irqbus = (struct irq_bus){record_irq, NULL};
    for (int i = 0; i < 16; i++)
        irq_level[i] = 0;
    ntx = 0;
    ck_assert_int_eq(uart_init(&u, &bus, COM1, &irqbus, 4, &clk, record_tx, NULL), 0);
}

static uint8_t in(unsigned reg)
{
    return (uint8_t)io_read(&bus, (uint16_t)(COM1 + reg), 1);
}

static void out(unsigned reg, uint8_t v)
{
    io_write(&bus, (uint16_t)(COM1 + reg), v, 1);
}

static void advance_to(uint64_t ns)
{
    insns = ns;
    clock_run_due(&clk);
}

static void set_divisor(uint16_t div, uint8_t lcr)
{
    out(LCR, 0x80);
    out(DLL, div & 0xFF);
    out(DLM, div >> 8);
    out(LCR, lcr);
}

/* Register map (PC16550D Table II): with LCR.DLAB = 1 offsets 0 and 1 are the divisor latch;
 * with DLAB = 0 they are RBR/THR and IER, and the latch keeps its value. */
START_TEST(test_divisor_latch_shares_offsets_0_and_1_under_dlab)
{
    set_divisor(0x0180, 0x83);           /* 300 baud, DLAB still set */
    ck_assert_uint_eq(in(DLL), 0x80);
    ck_assert_uint_eq(in(DLM), 0x01);
    out(LCR, 0x03);
    out(IER, 0x05);
    ck_assert_uint_eq(in(IER), 0x05);    /* IER is not the latch */
    out(LCR, 0x83);
    ck_assert_uint_eq(in(DLL), 0x80);
    ck_assert_uint_eq(in(DLM), 0x01);
    out(LCR, 0x03);
    ck_assert_uint_eq(in(IER), 0x05);
    /* A DLAB write to offset 0 is not a THR write: nothing is transmitted. */
    out(LCR, 0x83);
    out(DLL, 0x0C);
    out(DLM, 0x00);
    out(LCR, 0x03);
    ck_assert_uint_eq(in(LSR) & 0x60, 0x60);
    advance_to(10 * CT_9600_8N1);
    ck_assert_int_eq(ntx, 0);
}
END_TEST

/* LCR and SCR read back all 8 bits; MCR bits 5-7 and IER bits 4-7 are permanently 0
 * (PC16550D "Line Control Register", "Modem Control Register", "Scratchpad Register", IER). */
START_TEST(test_lcr_mcr_scr_read_back)
{
    out(LCR, 0x5B);
    ck_assert_uint_eq(in(LCR), 0x5B);
    out(SCR, 0xA5);
    ck_assert_uint_eq(in(SCR), 0xA5);
    out(MCR, 0xEB);
    ck_assert_uint_eq(in(MCR), 0x0B);
    out(IER, 0xFF);
    ck_assert_uint_eq(in(IER), 0x0F);
}
END_TEST

/* Reset (TL16C550C "Reset" table): IIR 01h, LSR 60h, IER/LCR/MCR 0. */
START_TEST(test_reset_values)
{
    ck_assert_uint_eq(in(IIR), 0x01);
    ck_assert_uint_eq(in(LSR), 0x60);
    ck_assert_uint_eq(in(IER), 0x00);
    ck_assert_uint_eq(in(LCR), 0x00);
    ck_assert_uint_eq(in(MCR), 0x00);
}
END_TEST

/* Table IV (Interrupt Control Functions): THRE, priority 3, is reset by reading the IIR (if it
 * is the source) or writing the THR. Setting IER.ETBEI while the THR is empty raises it. */
START_TEST(test_thre_interrupt_on_etbei_enable_cleared_by_iir_read)
{
    out(MCR, 0x08);                       /* OUT2: let the interrupt reach the bus */
    ck_assert_int_eq(irq_level[4], 0);
    out(IER, 0x02);
    ck_assert_int_eq(irq_level[4], 1);
    ck_assert_uint_eq(in(IIR), 0x02);     /* the read resets it */
    ck_assert_int_eq(irq_level[4], 0);
    ck_assert_uint_eq(in(IIR), 0x01);
    out(IER, 0x02);                       /* already enabled: no new interrupt */
    ck_assert_uint_eq(in(IIR), 0x01);
    out(IER, 0x00);
    out(IER, 0x02);                       /* 0 -> 1 with the THR empty: raised again */
    ck_assert_int_eq(irq_level[4], 1);
    ck_assert_uint_eq(in(IIR), 0x02);
}
END_TEST

START_TEST(test_thre_interrupt_cleared_by_thr_write_until_fifo_empties)
{
    set_divisor(12, 0x03);
    out(FCR, 0x01);                       /* FIFO mode */
    out(IER, 0x02);
    ck_assert_uint_eq(in(IIR), 0xC2);
    out(THR, 'a');                        /* straight into the shift register: THR empty again */
    out(THR, 'b');                        /* waits in the FIFO: the write resets THRE */
    ck_assert_uint_eq(in(IIR), 0xC1);
    ck_assert_uint_eq(in(LSR) & 0x60, 0x00);
    advance_to(CT_9600_8N1);              /* 'a' out, 'b' into the shift register */
    ck_assert_uint_eq(in(LSR) & 0x60, 0x20);
    ck_assert_uint_eq(in(IIR), 0xC2);
}
END_TEST

/* LSR bit 5 (THRE) sets when the THR's byte moves to the shift register; bit 6 (TEMT) when the
 * shift register has sent it too: one character time later. */
START_TEST(test_transmit_reaches_backend_after_one_character_time)
{
    set_divisor(12, 0x03);                /* 9600 8N1 */
    out(THR, 'A');
    ck_assert_uint_eq(in(LSR), 0x20);     /* THRE, not TEMT */
    advance_to(CT_9600_8N1 - 1);
    ck_assert_int_eq(ntx, 0);
    ck_assert_uint_eq(in(LSR), 0x20);
    advance_to(CT_9600_8N1);
    ck_assert_int_eq(ntx, 1);
    ck_assert_uint_eq(txbuf[0], 'A');
    ck_assert_uint_eq(txtime[0], CT_9600_8N1);
    ck_assert_uint_eq(in(LSR), 0x60);     /* THRE and TEMT */
}
END_TEST

START_TEST(test_transmit_fifo_drains_one_character_time_apart)
{
    set_divisor(1, 0x03);                 /* 115200 8N1 */
    out(FCR, 0x07);
    for (int i = 0; i < 3; i++)
        out(THR, (uint8_t)('x' + i));
    for (int k = 1; k <= 3; k++) {
        advance_to(k * CT_115200_8N1 - 1);
        ck_assert_int_eq(ntx, k - 1);
        ck_assert_uint_eq(in(LSR) & 0x60, k < 3 ? 0x00 : 0x20);
        advance_to(k * CT_115200_8N1);
        ck_assert_int_eq(ntx, k);
        ck_assert_uint_eq(txbuf[k - 1], 'x' + k - 1);
    }
    ck_assert_uint_eq(in(LSR) & 0x60, 0x60);
}
END_TEST

/* Events that run late (one long CPU slice) still send back to back from the scheduled times. */
START_TEST(test_transmit_timing_survives_a_late_event_run)
{
    set_divisor(1, 0x03);
    out(FCR, 0x01);
    for (int i = 0; i < 3; i++)
        out(THR, (uint8_t)i);
    advance_to(3 * CT_115200_8N1);
    ck_assert_int_eq(ntx, 3);
    ck_assert_uint_eq(in(LSR) & 0x60, 0x60);
}
END_TEST

/* LCR bits 0-3: 5 data bits with LCR bit 2 set send 1.5 stop bits. */
START_TEST(test_character_time_follows_lcr_word_length_and_stop_bits)
{
    set_divisor(1, 0x04);
    out(THR, 0x15);
    advance_to(CT_115200_5N15 - 1);
    ck_assert_int_eq(ntx, 0);
    advance_to(CT_115200_5N15);
    ck_assert_int_eq(ntx, 1);
}
END_TEST

/* FIFO Interrupt Mode Operation: the received data interrupt is issued when the FIFO reaches the
 * trigger level (FCR bits 6-7 = 01: 4 bytes) and reset when it drops below. LSR.DR is set as soon
 * as one character is in the FIFO. */
START_TEST(test_receive_rda_interrupt_only_at_trigger_level_4)
{
    out(FCR, 0x41);
    out(IER, 0x01);
    out(MCR, 0x08);
    for (int i = 0; i < 3; i++)
        ck_assert(uart_receive(&u, (uint8_t)('0' + i)));
    ck_assert_uint_eq(in(LSR) & 0x01, 0x01);
    ck_assert_uint_eq(in(IIR), 0xC1);
    ck_assert_int_eq(irq_level[4], 0);
    ck_assert(uart_receive(&u, '3'));
    ck_assert_uint_eq(in(IIR), 0xC4);
    ck_assert_int_eq(irq_level[4], 1);
    ck_assert_uint_eq(in(RBR), '0');      /* 3 left: below the trigger */
    ck_assert_uint_eq(in(IIR), 0xC1);
    ck_assert_int_eq(irq_level[4], 0);
}
END_TEST

/* FCR bits 6-7: trigger levels 1, 4, 8 and 14 bytes; FCR bit 1 clears the receiver FIFO. */
START_TEST(test_fcr_trigger_levels_and_rx_reset)
{
    static const uint8_t fcr[4] = {0x01, 0x41, 0x81, 0xC1};
    static const int level[4] = {1, 4, 8, 14};
    out(IER, 0x01);
    for (int t = 0; t < 4; t++) {
        out(FCR, fcr[t] | 0x02);
        ck_assert_uint_eq(in(LSR) & 0x01, 0);
        for (int i = 0; i < level[t] - 1; i++)
            uart_receive(&u, (uint8_t)i);
        ck_assert_uint_eq(in(IIR), 0xC1);
        uart_receive(&u, 0xEE);
        ck_assert_uint_eq(in(IIR), 0xC4);
    }
}
END_TEST

/* Table IV, character timeout (IIR 0Ch, priority 2): no character removed from or put into the
 * FIFO for 4 character times while at least one is in it; reset by reading the RBR. */
START_TEST(test_character_timeout_for_fewer_bytes_than_trigger)
{
    set_divisor(12, 0x03);
    out(FCR, 0x41);                       /* trigger 4 */
    out(IER, 0x01);
    out(MCR, 0x08);
    uart_receive(&u, 'p');
    advance_to(3 * CT_9600_8N1);
    uart_receive(&u, 'q');                /* restarts the timer */
    advance_to(4 * CT_9600_8N1);
    ck_assert_uint_eq(in(IIR), 0xC1);
    advance_to(7 * CT_9600_8N1 - 1);
    ck_assert_uint_eq(in(IIR), 0xC1);
    ck_assert_int_eq(irq_level[4], 0);
    advance_to(7 * CT_9600_8N1);
    ck_assert_int_eq(irq_level[4], 1);
    ck_assert_uint_eq(in(IIR), 0xCC);
    ck_assert_uint_eq(in(RBR), 'p');      /* the read resets it and restarts the timer */
    ck_assert_uint_eq(in(IIR), 0xC1);
    ck_assert_int_eq(irq_level[4], 0);
    advance_to(11 * CT_9600_8N1);
    ck_assert_uint_eq(in(IIR), 0xCC);
    ck_assert_uint_eq(in(RBR), 'q');
    advance_to(100 * CT_9600_8N1);        /* empty FIFO: no more timeouts */
    ck_assert_uint_eq(in(IIR), 0xC1);
}
END_TEST

/* Table IV priorities: receiver line status (06h) > received data (04h) > THRE (02h) > modem
 * status (00h); each reset by its own action. */
START_TEST(test_iir_reports_highest_priority_pending_source)
{
    out(FCR, 0x01);
    out(MCR, 0x08);
    out(MCR, 0x18);                       /* loopback: CTS, DSR drop -> DCTS, DDSR */
    out(MCR, 0x08);
    out(IER, 0x0F);                       /* THRE raised by enabling ETBEI */
    for (int i = 0; i < 17; i++)          /* 17th overruns: OE */
        uart_receive(&u, (uint8_t)i);
    ck_assert_int_eq(irq_level[4], 1);
    ck_assert_uint_eq(in(IIR), 0xC6);
    ck_assert_uint_eq(in(LSR), 0x63);     /* DR, OE, THRE, TEMT; the read resets OE */
    ck_assert_uint_eq(in(IIR), 0xC4);
    for (int i = 0; i < 16; i++)
        ck_assert_uint_eq(in(RBR), i);
    ck_assert_uint_eq(in(IIR), 0xC2);     /* the read resets THRE */
    ck_assert_uint_eq(in(IIR), 0xC0);
    ck_assert_uint_eq(in(MSR), 0xB3);     /* CTS DSR DCD, DCTS DDSR */
    ck_assert_uint_eq(in(IIR), 0xC1);
    ck_assert_int_eq(irq_level[4], 0);
}
END_TEST

/* MCR bit 4 (loopback): the shift register's output goes to the receiver, SOUT stays marking,
 * SIN is disconnected, and the MSR inputs are RTS->CTS, DTR->DSR, OUT1->RI, OUT2->DCD. */
START_TEST(test_loopback_echoes_tx_to_rx_and_maps_mcr_to_msr)
{
    set_divisor(1, 0x03);
    out(MCR, 0x10);
    ck_assert_uint_eq(in(MSR) & 0xF0, 0x00);
    out(THR, 'Z');
    ck_assert(!uart_receive(&u, 'E'));    /* SIN disconnected */
    advance_to(CT_115200_8N1);
    ck_assert_int_eq(ntx, 0);
    ck_assert_uint_eq(in(LSR), 0x61);
    ck_assert_uint_eq(in(RBR), 'Z');
    ck_assert_uint_eq(in(LSR), 0x60);

    out(MCR, 0x12);
    ck_assert_uint_eq(in(MSR), 0x11);     /* CTS, DCTS */
    out(MCR, 0x11);
    ck_assert_uint_eq(in(MSR), 0x23);     /* DSR; DCTS, DDSR */
    out(MCR, 0x14);
    ck_assert_uint_eq(in(MSR), 0x42);     /* RI; DDSR (RI's rising edge is not TERI) */
    out(MCR, 0x18);
    ck_assert_uint_eq(in(MSR), 0x8C);     /* DCD; TERI (RI 1 -> 0), DDCD */
    out(MCR, 0x1A);                       /* how Linux's 8250 probe checks for a UART */
    ck_assert_uint_eq(in(MSR) & 0xF0, 0x90);
}
END_TEST

/* On the PC the UART's interrupt output is gated by MCR.OUT2 (MCR bit 3); in loopback the chip
 * forces OUT2 inactive (MCR bit 4), so the line stays low while IIR still reports. The line
 * number is the init parameter: COM2 on 3. */
START_TEST(test_out2_gates_the_irq_line)
{
    out(IER, 0x02);
    ck_assert_int_eq(irq_level[4], 0);
    out(MCR, 0x08);
    ck_assert_int_eq(irq_level[4], 1);
    out(MCR, 0x00);
    ck_assert_int_eq(irq_level[4], 0);
    out(MCR, 0x18);
    ck_assert_int_eq(irq_level[4], 0);
    out(MCR, 0x08);
    ck_assert_int_eq(irq_level[4], 1);
    ck_assert_uint_eq(in(IIR), 0x02);
    ck_assert_int_eq(irq_level[4], 0);

    ck_assert_int_eq(uart_init(&u2, &bus, COM2, &irqbus, 3, &clk, NULL, NULL), 0);
    io_write(&bus, COM2 + MCR, 0x08, 1);
    io_write(&bus, COM2 + IER, 0x02, 1);
    ck_assert_int_eq(irq_level[3], 1);
    ck_assert_int_eq(irq_level[4], 0);
}
END_TEST

/* LSR bit 1 (OE): in FIFO mode an overrun happens when the FIFO is full and another character
 * arrives; that character is lost, the FIFO is kept. In 16450 mode the new character replaces
 * the unread RBR. OE resets when the LSR is read. */
START_TEST(test_overrun_sets_oe)
{
    out(FCR, 0x01);
    for (int i = 0; i < 16; i++)
        ck_assert(uart_receive(&u, (uint8_t)(0x40 + i)));
    ck_assert(!uart_receive(&u, 0x99));
    ck_assert_uint_eq(u.stats.overruns, 1);
    ck_assert_uint_eq(in(LSR), 0x63);
    ck_assert_uint_eq(in(LSR), 0x61);
    for (int i = 0; i < 16; i++)
        ck_assert_uint_eq(in(RBR), 0x40 + i);
    ck_assert_uint_eq(in(LSR), 0x60);

    out(FCR, 0x00);                       /* 16450 mode: a one-byte RBR */
    ck_assert(uart_receive(&u, 'a'));
    ck_assert(!uart_receive(&u, 'b'));
    ck_assert_uint_eq(u.stats.overruns, 2);
    ck_assert_uint_eq(in(LSR), 0x63);
    ck_assert_uint_eq(in(RBR), 'b');
    ck_assert_uint_eq(in(LSR), 0x60);
}
END_TEST

/* LSR bit 4 (BI) shows with the break's zero character at the top of the FIFO; LSR bit 7 is set
 * while an errored character is in the FIFO; both raise the line status interrupt. */
START_TEST(test_break_sets_bi_and_fifo_error)
{
    out(FCR, 0x01);
    out(IER, 0x04);
    uart_receive(&u, 'k');
    uart_receive_break(&u);
    ck_assert_uint_eq(in(IIR), 0xC1);     /* 'k' is on top: no error shown yet */
    ck_assert_uint_eq(in(LSR), 0xE1);     /* FIFO error, DR */
    ck_assert_uint_eq(in(RBR), 'k');
    ck_assert_uint_eq(in(IIR), 0xC6);
    ck_assert_uint_eq(in(LSR), 0xF1);     /* FIFO error, BI, DR */
    ck_assert_uint_eq(in(IIR), 0xC1);
    ck_assert_uint_eq(in(RBR), 0x00);
    ck_assert_uint_eq(in(LSR), 0x60);
}
END_TEST

/* DESIGN.md snapshots: the state struct copied into a fresh UART continues where it was. */
START_TEST(test_state_copy_and_post_load_continue_a_transmission)
{
    set_divisor(12, 0x03);
    out(THR, 'S');
    advance_to(CT_9600_8N1 / 2);
    struct uart_state saved = u.s;
    setup();                              /* a fresh bus, clock and UART */
    insns = CT_9600_8N1 / 2;
    u.s = saved;
    uart_post_load(&u);
    advance_to(CT_9600_8N1 - 1);
    ck_assert_int_eq(ntx, 0);
    advance_to(CT_9600_8N1);
    ck_assert_int_eq(ntx, 1);
    ck_assert_uint_eq(txbuf[0], 'S');
}
END_TEST

int main(void)
{
    Suite *s = suite_create("uart");
    TCase *tc = tcase_create("uart");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_divisor_latch_shares_offsets_0_and_1_under_dlab);
    tcase_add_test(tc, test_lcr_mcr_scr_read_back);
    tcase_add_test(tc, test_reset_values);
    tcase_add_test(tc, test_thre_interrupt_on_etbei_enable_cleared_by_iir_read);
    tcase_add_test(tc, test_thre_interrupt_cleared_by_thr_write_until_fifo_empties);
    tcase_add_test(tc, test_transmit_reaches_backend_after_one_character_time);
    tcase_add_test(tc, test_transmit_fifo_drains_one_character_time_apart);
    tcase_add_test(tc, test_transmit_timing_survives_a_late_event_run);
    tcase_add_test(tc, test_character_time_follows_lcr_word_length_and_stop_bits);
    tcase_add_test(tc, test_receive_rda_interrupt_only_at_trigger_level_4);
    tcase_add_test(tc, test_fcr_trigger_levels_and_rx_reset);
    tcase_add_test(tc, test_character_timeout_for_fewer_bytes_than_trigger);
    tcase_add_test(tc, test_iir_reports_highest_priority_pending_source);
    tcase_add_test(tc, test_loopback_echoes_tx_to_rx_and_maps_mcr_to_msr);
    tcase_add_test(tc, test_out2_gates_the_irq_line);
    tcase_add_test(tc, test_overrun_sets_oe);
    tcase_add_test(tc, test_break_sets_bi_and_fifo_error);
    tcase_add_test(tc, test_state_copy_and_post_load_continue_a_transmission);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
