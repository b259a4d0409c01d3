/* The 8259A pair and the PIIX3 ELCR (devices/pic.c), driven through their ports as a guest does.
 * Expectations cite the Intel 8259A datasheet (order no. 231468) by section or figure, and the
 * PIIX3 (82371SB) datasheet's ELCR1/ELCR2 registers. */
#include <check.h>
#include <stdlib.h>

#include "core/ioport.h"
#include "devices/pic.h"

static struct iobus io;
static struct pic_pair pic;

static void outb(uint16_t port, uint8_t v)
{
    io_write(&io, port, v, 1);
}

static uint8_t inb(uint16_t port)
{
    return (uint8_t)io_read(&io, port, 1);
}

static void irq(int line, int level)
{
    pic_set_irq(&pic, line, level);
}

/* What SeaBIOS and the PC/AT BIOS write: ICW1 0x11 (edge, cascade, ICW4 needed), ICW2 vector
 * base, ICW3 (master: slave on IR2; slave: ID 2), ICW4 0x01 (8086 mode). */
static void init_chip(uint16_t cmd, uint8_t base, uint8_t icw3, uint8_t icw4)
{
    outb(cmd, 0x11);
    outb(cmd + 1, base);
    outb(cmd + 1, icw3);
    outb(cmd + 1, icw4);
}

static void bios_setup(void)
{
    io_init(&io);
    pic_init(&pic, &io);
    init_chip(0x20, 0x08, 0x04, 0x01);
    init_chip(0xA0, 0x70, 0x02, 0x01);
}

static uint8_t read_isr(uint16_t cmd)
{
    outb(cmd, 0x0B);   /* Figure 7, OCW3 RR=1 RIS=1: read ISR */
    return inb(cmd);
}

static uint8_t read_irr(uint16_t cmd)
{
    outb(cmd, 0x0A);   /* Figure 7, OCW3 RR=1 RIS=0: read IRR */
    return inb(cmd);
}

static void eoi(uint16_t cmd)
{
    outb(cmd, 0x20);   /* Figure 7, OCW2 non-specific EOI */
}

START_TEST(test_bios_init_sets_vector_bases_cascade_and_8086_mode)
{
    bios_setup();
    /* "Initialization Command Words" b.: ICW1 clears IMR, so OCW1 reads back 0 */
    ck_assert_uint_eq(inb(0x21), 0x00);
    ck_assert_uint_eq(inb(0xA1), 0x00);
    ck_assert(!pic_intr_pending(&pic));
    /* Figure 6, ICW2 T7-T3: IR0 of the master is vector 0x08, IR0 of the slave 0x70 */
    irq(0, 1);
    ck_assert(pic_intr_pending(&pic));
    ck_assert_int_eq(pic_intr_ack(&pic), 0x08);
    eoi(0x20);
    irq(8, 1);
    ck_assert(pic_intr_pending(&pic));
    ck_assert_int_eq(pic_intr_ack(&pic), 0x70);   /* "Cascade Mode": the slave supplies it */
    ck_assert(pic.chip[0].upm && pic.chip[1].upm); /* Figure 6, ICW4 uPM = 1: 8086 mode */
    ck_assert_uint_eq(pic.stats.mcs80_acks, 0);
    /* after ICW4 the odd port is OCW1 again */
    outb(0x21, 0xB8);
    ck_assert_uint_eq(inb(0x21), 0xB8);
}
END_TEST

START_TEST(test_icw1_resets_edge_sense_so_a_line_held_high_needs_a_new_edge)
{
    bios_setup();
    irq(4, 1);
    outb(0x20, 0x11);   /* "Initialization Command Words" a.: edge sense circuit reset */
    outb(0x21, 0x08);
    outb(0x21, 0x04);
    outb(0x21, 0x01);
    ck_assert_uint_eq(read_irr(0x20), 0x00);
    ck_assert(!pic_intr_pending(&pic));
    irq(4, 0);
    irq(4, 1);          /* "Edge and Level Triggered Modes": low-to-high requests */
    ck_assert_int_eq(pic_intr_ack(&pic), 0x0C);
}
END_TEST

START_TEST(test_irq0_beats_irq1_and_specific_eoi_lets_irq1_through)
{
    bios_setup();
    irq(1, 1);
    irq(0, 1);
    /* "Fully Nested Mode": IR0 highest, IR7 lowest after initialisation */
    ck_assert_int_eq(pic_intr_ack(&pic), 0x08);
    ck_assert_uint_eq(read_isr(0x20), 0x01);
    ck_assert(!pic_intr_pending(&pic));       /* IR1 waits for IR0's EOI */
    outb(0x20, 0x60);                         /* Figure 7, OCW2 specific EOI, L=0 */
    ck_assert_uint_eq(read_isr(0x20), 0x00);
    ck_assert(pic_intr_pending(&pic));
    ck_assert_int_eq(pic_intr_ack(&pic), 0x09);
    ck_assert_uint_eq(read_isr(0x20), 0x02);
}
END_TEST

START_TEST(test_fully_nested_lower_waits_while_higher_preempts)
{
    bios_setup();
    irq(3, 1);
    ck_assert_int_eq(pic_intr_ack(&pic), 0x0B);
    irq(5, 1);
    /* "Fully Nested Mode": while IS3 is set, lower priority requests are inhibited */
    ck_assert(!pic_intr_pending(&pic));
    irq(1, 1);
    /* ... and higher priority ones generate an interrupt (nesting) */
    ck_assert(pic_intr_pending(&pic));
    ck_assert_int_eq(pic_intr_ack(&pic), 0x09);
    ck_assert_uint_eq(read_isr(0x20), 0x0A);
    /* "End of Interrupt": a non-specific EOI resets the highest ISR bit, IS1 */
    eoi(0x20);
    ck_assert_uint_eq(read_isr(0x20), 0x08);
    ck_assert(!pic_intr_pending(&pic));
    eoi(0x20);
    ck_assert_int_eq(pic_intr_ack(&pic), 0x0D);
}
END_TEST

START_TEST(test_rotate_on_nonspecific_eoi_makes_serviced_level_lowest)
{
    bios_setup();
    irq(0, 1);
    ck_assert_int_eq(pic_intr_ack(&pic), 0x08);
    irq(0, 0);
    /* Figure 7, OCW2 R=1 SL=0 EOI=1; "Automatic Rotation": IR0 becomes lowest, IR1 highest */
    outb(0x20, 0xA0);
    ck_assert_uint_eq(read_isr(0x20), 0x00);
    irq(7, 1);
    irq(0, 1);
    ck_assert_int_eq(pic_intr_ack(&pic), 0x0F);   /* IR7 now beats IR0 */
    outb(0x20, 0xA0);                             /* IR7 lowest: IR0 highest again */
    ck_assert_int_eq(pic_intr_ack(&pic), 0x08);
    eoi(0x20);
}
END_TEST

START_TEST(test_set_priority_command_makes_given_level_lowest)
{
    bios_setup();
    outb(0x20, 0xC4);   /* Figure 7, OCW2 set priority, L=4; "Specific Rotation": IR5 highest */
    irq(4, 1);
    irq(5, 1);
    irq(1, 1);
    ck_assert_int_eq(pic_intr_ack(&pic), 0x0D);
    /* IR1 (priority 4 now) beats IR4 (lowest) but waits behind IS5 ("Fully Nested Mode") */
    ck_assert(!pic_intr_pending(&pic));
    outb(0x20, 0x65);   /* specific EOI L=5 */
    ck_assert_int_eq(pic_intr_ack(&pic), 0x09);
}
END_TEST

START_TEST(test_slave_irq10_goes_through_master_ir2_to_slave_base_plus_2)
{
    bios_setup();
    irq(10, 1);
    /* "Cascade Mode": the slave's INT drives the master's IR2 */
    ck_assert_uint_eq(read_irr(0xA0), 0x04);
    ck_assert_uint_eq(read_irr(0x20), 0x04);
    ck_assert(pic_intr_pending(&pic));
    ck_assert_int_eq(pic_intr_ack(&pic), 0x72);
    ck_assert_uint_eq(read_isr(0x20), 0x04);
    ck_assert_uint_eq(read_isr(0xA0), 0x04);
    /* "Fully Nested Mode" on the master: IS2 holds off the slave's next request ... */
    irq(10, 0);
    eoi(0xA0);
    irq(11, 1);
    ck_assert_uint_eq(read_irr(0x20), 0x04);
    ck_assert(!pic_intr_pending(&pic));
    eoi(0x20);   /* ... until the master's EOI */
    ck_assert_int_eq(pic_intr_ack(&pic), 0x73);
}
END_TEST

START_TEST(test_special_fully_nested_mode_lets_higher_slave_request_nest)
{
    bios_setup();
    init_chip(0x20, 0x08, 0x04, 0x11);   /* Figure 6, ICW4 SFNM=1 */
    irq(10, 1);
    ck_assert_int_eq(pic_intr_ack(&pic), 0x72);
    irq(9, 1);
    /* "The Special Fully Nest Mode" a.: the slave in service is not locked out, its higher
     * priority IR1 is recognised */
    ck_assert(pic_intr_pending(&pic));
    ck_assert_int_eq(pic_intr_ack(&pic), 0x71);
    irq(11, 1);
    ck_assert(!pic_intr_pending(&pic));   /* the slave itself still nests fully */
}
END_TEST

START_TEST(test_without_sfnm_slave_in_service_locks_out_its_higher_request)
{
    bios_setup();
    irq(10, 1);
    ck_assert_int_eq(pic_intr_ack(&pic), 0x72);
    irq(9, 1);
    /* "The Special Fully Nest Mode": the difference from normal nested mode; here IS2 blocks */
    ck_assert(!pic_intr_pending(&pic));
}
END_TEST

START_TEST(test_masked_level_waits_in_irr_until_unmasked)
{
    bios_setup();
    outb(0x21, 0x10);   /* Figure 7, OCW1: mask IR4 */
    irq(4, 1);
    /* "Interrupt Mask Register": masking inhibits the interrupt, IRR still latches it */
    ck_assert_uint_eq(read_irr(0x20), 0x10);
    ck_assert(!pic_intr_pending(&pic));
    outb(0x21, 0x00);
    ck_assert_int_eq(pic_intr_ack(&pic), 0x0C);
    eoi(0x20);
    /* masking the master's IR2 holds off the whole slave */
    outb(0x21, 0x04);
    irq(12, 1);
    ck_assert(!pic_intr_pending(&pic));
    outb(0x21, 0x00);
    ck_assert_int_eq(pic_intr_ack(&pic), 0x74);
}
END_TEST

START_TEST(test_elcr_reserved_bits_read_zero)
{
    bios_setup();
    ck_assert_uint_eq(inb(0x4D0), 0x00);   /* PIIX3 ELCR: edge after reset */
    ck_assert_uint_eq(inb(0x4D1), 0x00);
    outb(0x4D0, 0xFF);
    outb(0x4D1, 0xFF);
    /* PIIX3 ELCR1 bits 2:0 (IRQ2:0) and ELCR2 bits 0, 5 (IRQ8, IRQ13) are reserved, 0 */
    ck_assert_uint_eq(inb(0x4D0), 0xF8);
    ck_assert_uint_eq(inb(0x4D1), 0xDE);
    io_write(&io, 0x4D0, 0x0000, 2);       /* a word access covers both */
    ck_assert_uint_eq(io_read(&io, 0x4D0, 2), 0x0000);
}
END_TEST

START_TEST(test_level_line_via_elcr_reinterrupts_after_eoi_edge_line_does_not)
{
    bios_setup();
    outb(0x4D1, 0x08);   /* IRQ11 level-triggered */
    irq(11, 1);
    ck_assert_int_eq(pic_intr_ack(&pic), 0x73);
    eoi(0xA0);
    eoi(0x20);
    /* "Edge and Level Triggered Modes": a level still high after EOI interrupts again */
    ck_assert(pic_intr_pending(&pic));
    ck_assert_int_eq(pic_intr_ack(&pic), 0x73);
    eoi(0xA0);
    eoi(0x20);
    irq(11, 0);          /* IRR follows the level */
    ck_assert_uint_eq(read_irr(0xA0), 0x00);
    ck_assert(!pic_intr_pending(&pic));

    irq(3, 1);           /* edge-triggered: one interrupt per low-to-high transition */
    ck_assert_int_eq(pic_intr_ack(&pic), 0x0B);
    eoi(0x20);
    ck_assert(!pic_intr_pending(&pic));
    ck_assert_uint_eq(read_irr(0x20), 0x00);
}
END_TEST

START_TEST(test_ltim_makes_every_line_level_triggered)
{
    bios_setup();
    outb(0x20, 0x19);   /* Figure 6, ICW1 LTIM=1 */
    outb(0x21, 0x08);
    outb(0x21, 0x04);
    outb(0x21, 0x01);
    irq(5, 1);
    ck_assert_int_eq(pic_intr_ack(&pic), 0x0D);
    eoi(0x20);
    ck_assert_int_eq(pic_intr_ack(&pic), 0x0D);   /* still high: requested again */
}
END_TEST

START_TEST(test_aeoi_leaves_isr_clear_and_rotate_in_aeoi_rotates)
{
    bios_setup();
    init_chip(0x20, 0x08, 0x04, 0x03);   /* Figure 6, ICW4 AEOI=1 */
    irq(3, 1);
    irq(5, 1);
    /* "Automatic End of Interrupt (AEOI) Mode": ISR reset at the end of INTA, no EOI needed */
    ck_assert_int_eq(pic_intr_ack(&pic), 0x0B);
    ck_assert_uint_eq(read_isr(0x20), 0x00);
    ck_assert_int_eq(pic_intr_ack(&pic), 0x0D);
    irq(3, 0);
    irq(5, 0);
    outb(0x20, 0x80);   /* Figure 7, OCW2 rotate in AEOI mode (set) */
    irq(0, 1);
    ck_assert_int_eq(pic_intr_ack(&pic), 0x08);
    irq(0, 0);
    /* "Automatic Rotation": IR0 just serviced is now lowest */
    irq(0, 1);
    irq(6, 1);
    ck_assert_int_eq(pic_intr_ack(&pic), 0x0E);
    ck_assert_int_eq(pic_intr_ack(&pic), 0x08);
}
END_TEST

START_TEST(test_slave_aeoi_second_request_still_reaches_master)
{
    bios_setup();
    init_chip(0xA0, 0x70, 0x02, 0x03);   /* slave in AEOI mode */
    irq(9, 1);
    irq(10, 1);
    ck_assert_int_eq(pic_intr_ack(&pic), 0x71);
    ck_assert_uint_eq(read_isr(0xA0), 0x00);
    /* the slave still requests IR2 (its INT output, "Cascade Mode"); the master's IS2 holds
     * it until the master's EOI */
    ck_assert_uint_eq(read_irr(0x20), 0x04);
    ck_assert(!pic_intr_pending(&pic));
    eoi(0x20);
    ck_assert_int_eq(pic_intr_ack(&pic), 0x72);
}
END_TEST

START_TEST(test_poll_returns_highest_level_and_acknowledges_it)
{
    bios_setup();
    irq(5, 1);
    irq(6, 1);
    outb(0x20, 0x0C);   /* Figure 7, OCW3 P=1 */
    /* "Poll Command": I=1 in bit 7, W2-W0 the highest level; the read acts as INTA */
    ck_assert_uint_eq(inb(0x20), 0x85);
    ck_assert_uint_eq(read_isr(0x20), 0x20);
    ck_assert_uint_eq(read_irr(0x20), 0x40);
    eoi(0x20);
    outb(0x20, 0x0C);
    ck_assert_uint_eq(inb(0x20), 0x86);
    eoi(0x20);
    outb(0x20, 0x0C);
    ck_assert_uint_eq(inb(0x20), 0x00);   /* I=0: nothing requesting */
    /* the poll is for one read only; OCW3 with RR=0 keeps the register selection (IRR) */
    ck_assert_uint_eq(inb(0x20), 0x00);
    /* polling the pair: the master answers IR2, then the slave its own level */
    irq(13, 1);
    outb(0x20, 0x0C);
    ck_assert_uint_eq(inb(0x20), 0x82);
    outb(0xA0, 0x0C);
    ck_assert_uint_eq(inb(0xA0), 0x85);
    ck_assert_uint_eq(read_isr(0xA0), 0x20);
    ck_assert_uint_eq(pic.stats.polls, 5);
}
END_TEST

START_TEST(test_line_dropping_before_inta_gives_spurious_irq7_without_isr)
{
    bios_setup();
    irq(5, 1);
    irq(5, 0);
    /* "Edge and Level Triggered Modes": the IR input must stay high until the first INTA;
     * otherwise a default IR7 occurs, and a default IR7 does not set IS7 */
    ck_assert(!pic_intr_pending(&pic));
    ck_assert_int_eq(pic_intr_ack(&pic), 0x0F);
    ck_assert_uint_eq(read_isr(0x20), 0x00);
    ck_assert_uint_eq(pic.stats.spurious_master, 1);
    /* a real IR7 sets IS7, which is how a handler tells them apart */
    irq(7, 1);
    ck_assert_int_eq(pic_intr_ack(&pic), 0x0F);
    ck_assert_uint_eq(read_isr(0x20), 0x80);
    ck_assert_uint_eq(pic.stats.spurious_master, 1);
}
END_TEST

START_TEST(test_spurious_slave_irq15_sets_master_is2_but_not_slave_is7)
{
    bios_setup();
    /* The slave's request vanishing between the master's and the slave's INTA cannot happen
     * in an atomic acknowledge, so set the master's IR2 request latch directly. */
    pic.chip[0].irr |= 0x04;
    ck_assert_int_eq(pic_intr_ack(&pic), 0x77);
    /* "Edge and Level Triggered Modes": default IR7 from the slave; the master acknowledged
     * IR2 normally ("Cascade Mode"), so IS2 is set and needs an EOI */
    ck_assert_uint_eq(read_isr(0xA0), 0x00);
    ck_assert_uint_eq(read_isr(0x20), 0x04);
    ck_assert_uint_eq(pic.stats.spurious_slave, 1);
}
END_TEST

START_TEST(test_special_mask_mode_enables_lower_levels_than_the_one_in_service)
{
    bios_setup();
    irq(3, 1);
    ck_assert_int_eq(pic_intr_ack(&pic), 0x0B);
    irq(5, 1);
    ck_assert(!pic_intr_pending(&pic));
    outb(0x21, 0x08);   /* OCW1: the routine masks its own level */
    ck_assert(!pic_intr_pending(&pic));   /* masking alone keeps IS3 inhibiting IR5 */
    outb(0x20, 0x68);   /* Figure 7, OCW3 ESMM=1 SMM=1 */
    /* "Special Mask Mode": levels not masked, lower as well as higher, are enabled */
    ck_assert(pic_intr_pending(&pic));
    ck_assert_int_eq(pic_intr_ack(&pic), 0x0D);
    ck_assert_uint_eq(read_isr(0x20), 0x28);
    outb(0x20, 0x65);   /* specific EOI L=5 */
    outb(0x20, 0x48);   /* ESMM=1 SMM=0: reset special mask mode */
    outb(0x21, 0x00);
    irq(4, 1);
    ck_assert(!pic_intr_pending(&pic));   /* IS3 inhibits lower levels again */
}
END_TEST

START_TEST(test_ocw3_selects_irr_or_isr_and_odd_port_reads_imr)
{
    bios_setup();
    irq(1, 1);
    irq(4, 1);
    /* "Initialization Command Words" e.: status read set to IRR after ICW1 */
    ck_assert_uint_eq(inb(0x20), 0x12);
    ck_assert_int_eq(pic_intr_ack(&pic), 0x09);
    outb(0x20, 0x0B);   /* "Reading the 8259A Status": RR=1 RIS=1, ISR */
    ck_assert_uint_eq(inb(0x20), 0x02);
    ck_assert_uint_eq(inb(0x20), 0x02);   /* the selection stays for later reads */
    outb(0x20, 0x08);   /* RR=0: no change */
    ck_assert_uint_eq(inb(0x20), 0x02);
    outb(0x20, 0x0A);   /* RR=1 RIS=0, IRR */
    ck_assert_uint_eq(inb(0x20), 0x10);
    outb(0x21, 0x5A);   /* A0=1 reads IMR whatever OCW3 selected */
    ck_assert_uint_eq(inb(0x21), 0x5A);
}
END_TEST

START_TEST(test_line_2_is_the_cascade_and_takes_no_device)
{
    bios_setup();
    irq(2, 1);
    ck_assert(!pic_intr_pending(&pic));
    irq(16, 1);
    ck_assert_uint_eq(pic.stats.unhandled, 2);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("pic");
    TCase *tc = tcase_create("pic");
    tcase_add_test(tc, test_bios_init_sets_vector_bases_cascade_and_8086_mode);
    tcase_add_test(tc, test_icw1_resets_edge_sense_so_a_line_held_high_needs_a_new_edge);
    tcase_add_test(tc, test_irq0_beats_irq1_and_specific_eoi_lets_irq1_through);
    tcase_add_test(tc, test_fully_nested_lower_waits_while_higher_preempts);
    tcase_add_test(tc, test_rotate_on_nonspecific_eoi_makes_serviced_level_lowest);
    tcase_add_test(tc, test_set_priority_command_makes_given_level_lowest);
    tcase_add_test(tc, test_slave_irq10_goes_through_master_ir2_to_slave_base_plus_2);
    tcase_add_test(tc, test_special_fully_nested_mode_lets_higher_slave_request_nest);
    tcase_add_test(tc, test_without_sfnm_slave_in_service_locks_out_its_higher_request);
    tcase_add_test(tc, test_masked_level_waits_in_irr_until_unmasked);
    tcase_add_test(tc, test_elcr_reserved_bits_read_zero);
    tcase_add_test(tc, test_level_line_via_elcr_reinterrupts_after_eoi_edge_line_does_not);
    tcase_add_test(tc, test_ltim_makes_every_line_level_triggered);
    tcase_add_test(tc, test_aeoi_leaves_isr_clear_and_rotate_in_aeoi_rotates);
    tcase_add_test(tc, test_slave_aeoi_second_request_still_reaches_master);
    tcase_add_test(tc, test_poll_returns_highest_level_and_acknowledges_it);
    tcase_add_test(tc, test_line_dropping_before_inta_gives_spurious_irq7_without_isr);
    tcase_add_test(tc, test_spurious_slave_irq15_sets_master_is2_but_not_slave_is7);
    tcase_add_test(tc, test_special_mask_mode_enables_lower_levels_than_the_one_in_service);
    tcase_add_test(tc, test_ocw3_selects_irr_or_isr_and_odd_port_reads_imr);
    tcase_add_test(tc, test_line_2_is_the_cascade_and_takes_no_device);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
