/* The PIT's IRQ0 reaches the CPU through the 8259A: the board's timer tick end to end.
 * Regression: the PIT once pulsed its line high and straight back low, and the 8259A, which
 * drops an edge-triggered request whose line falls before INTA (8259A datasheet, "Edge
 * triggered mode"), never delivered a single tick. */
#include <check.h>
#include <stdlib.h>

#include "core/clock.h"
#include "core/ioport.h"
#include "core/irq.h"
#include "devices/pic.h"
#include "devices/pit.h"

static uint64_t insns;

START_TEST(test_pit_mode2_tick_is_delivered_by_the_pic)
{
    static struct iobus io;
    static struct pic_pair pic;
    static struct pit pit;
    struct clock clk;
    io_init(&io);
    insns = 0;
    clock_init(&clk, &insns, 1000000000, 0);          /* 1 ns per instruction */
    pic_init(&pic, &io);
    struct irq_bus irq = {pic_set_irq, &pic};
    pit_init(&pit, &io, &irq, &clk);
    /* The BIOS's 8259A set-up: ICW1 11h, ICW2 base 08h/70h, ICW3 cascade, ICW4 8086 mode. */
    io_write(&io, 0x20, 0x11, 1); io_write(&io, 0x21, 0x08, 1);
    io_write(&io, 0x21, 0x04, 1); io_write(&io, 0x21, 0x01, 1);
    io_write(&io, 0xA0, 0x11, 1); io_write(&io, 0xA1, 0x70, 1);
    io_write(&io, 0xA1, 0x02, 1); io_write(&io, 0xA1, 0x01, 1);
    io_write(&io, 0x21, 0x00, 1);                       /* unmask all */
    /* Counter 0, LSB then MSB, mode 2, count 1193 (about 1 ms) (8254 datasheet, control word). */
    io_write(&io, 0x43, 0x34, 1);
    io_write(&io, 0x40, 1193 & 0xFF, 1);
    io_write(&io, 0x40, 1193 >> 8, 1);
    ck_assert(!pic_intr_pending(&pic));
    insns = 2000000;                                    /* 2 ms later */
    clock_run_due(&clk);
    ck_assert(pic_intr_pending(&pic));
    ck_assert_int_eq(pic_intr_ack(&pic), 0x08);         /* IRQ0 -> vector base + 0 */
    io_write(&io, 0x20, 0x20, 1);                       /* non-specific EOI */
    insns = 3100000;
    clock_run_due(&clk);
    ck_assert(pic_intr_pending(&pic));                  /* the next tick comes too */
}
END_TEST

int main(void)
{
    Suite *s = suite_create("pit_pic");
    TCase *tc = tcase_create("pit_pic");
    tcase_add_test(tc, test_pit_mode2_tick_is_delivered_by_the_pic);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
