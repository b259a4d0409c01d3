/* The virtual clock (core/clock.c): time is retired instructions at a fixed rate, events fire
 * in time order. Expected values follow from the definitions in core/clock.h. */
#include <check.h>
#include <stdlib.h>

#include "core/clock.h"

static uint64_t insns;
static int order[8], norder;

static void record(void *opaque)
{
    order[norder++] = (int)(intptr_t)opaque;
}

START_TEST(test_time_follows_instructions_at_ips)
{
    struct clock c;
    insns = 0;
    clock_init(&c, &insns, 100000000, 0);    /* 100 MIPS: 10 ns per instruction */
    ck_assert_uint_eq(clock_now(&c), 0);
    insns = 5;
    ck_assert_uint_eq(clock_now(&c), 50);
    insns = 300000000;                        /* 3 s of guest time */
    ck_assert_uint_eq(clock_now(&c), 3000000000ull);
}
END_TEST

START_TEST(test_events_fire_in_time_then_schedule_order)
{
    struct clock c;
    insns = 0;
    norder = 0;
    clock_init(&c, &insns, 1000000000, 0);   /* 1 ns per instruction */
    clock_schedule(&c, 30, record, (void *)3);
    clock_schedule(&c, 10, record, (void *)1);
    clock_schedule(&c, 30, record, (void *)4);
    clock_schedule(&c, 20, record, (void *)2);
    ck_assert_uint_eq(clock_next(&c), 10);
    insns = 25;
    clock_run_due(&c);
    ck_assert_int_eq(norder, 2);
    ck_assert_int_eq(order[0], 1);
    ck_assert_int_eq(order[1], 2);
    insns = 30;
    clock_run_due(&c);
    ck_assert_int_eq(norder, 4);
    ck_assert_int_eq(order[2], 3);          /* same time: scheduled first, fires first */
    ck_assert_int_eq(order[3], 4);
    ck_assert_uint_eq(clock_next(&c), CLOCK_NEVER);
}
END_TEST

START_TEST(test_reschedule_moves_and_cancel_removes)
{
    struct clock c;
    insns = 0;
    norder = 0;
    clock_init(&c, &insns, 1000000000, 0);
    clock_schedule(&c, 10, record, (void *)1);
    clock_schedule(&c, 50, record, (void *)1);   /* moves, does not duplicate */
    ck_assert_uint_eq(clock_next(&c), 50);
    clock_schedule(&c, 20, record, (void *)2);
    clock_cancel(&c, record, (void *)2);
    insns = 100;
    clock_run_due(&c);
    ck_assert_int_eq(norder, 1);
    ck_assert_int_eq(order[0], 1);
}
END_TEST

START_TEST(test_slice_and_halt_skip)
{
    struct clock c;
    insns = 0;
    clock_init(&c, &insns, 300000000, 0);    /* 3.33 ns per instruction */
    clock_schedule(&c, 100, record, (void *)1);
    /* ceil(100 ns * 300e6 / 1e9) = 30 instructions until the event is due */
    ck_assert_uint_eq(clock_insns_until_next(&c), 30);
    insns = 30;
    ck_assert_uint_ge(clock_now(&c), 100);
    insns = 10;
    clock_skip_to_next(&c);                  /* HLT: time jumps to the event */
    ck_assert_uint_eq(clock_now(&c), 100);
    insns = 13;                              /* and runs on from there */
    ck_assert_uint_eq(clock_now(&c), 110);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("clock");
    TCase *tc = tcase_create("clock");
    tcase_add_test(tc, test_time_follows_instructions_at_ips);
    tcase_add_test(tc, test_events_fire_in_time_then_schedule_order);
    tcase_add_test(tc, test_reschedule_moves_and_cancel_removes);
    tcase_add_test(tc, test_slice_and_halt_skip);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
