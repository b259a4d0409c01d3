/* PCI configuration mechanism #1 and BARs (devices/pci.c) against the PCI Local Bus
 * Specification 3.0: 3.2.2.3.2 (CONFIG_ADDRESS), 6.2.5.1 (BAR sizing), 6.2.5.2 (expansion ROM). */
#include <check.h>
#include <stdlib.h>

#include "core/ioport.h"
#include "devices/pci.h"

static struct iobus io;
static struct pci pci;
static int calls;
static int last_bar;
static uint32_t last_addr;
static bool last_on;

static void hook(void *opaque, int bar, uint32_t addr, bool on)
{
    (void)opaque;
    calls++;
    last_bar = bar;
    last_addr = addr;
    last_on = on;
}

static uint32_t cfg_rd(unsigned devfn, unsigned reg)
{
    io_write(&io, 0xCF8, 0x80000000u | devfn << 8 | reg, 4);
    return io_read(&io, 0xCFC, 4);
}

static void cfg_wr(unsigned devfn, unsigned reg, uint32_t v)
{
    io_write(&io, 0xCF8, 0x80000000u | devfn << 8 | reg, 4);
    io_write(&io, 0xCFC, v, 4);
}

static void setup(void)
{
    io_init(&io);
    pci_init(&pci, &io, NULL, NULL, NULL);
    calls = 0;
}

START_TEST(test_function_1_of_device_1)
{
    struct pci_dev *d = pci_add_function(&pci, 1, 1, 0x8086, 0x7010, 0, 0x010180);
    ck_assert_ptr_nonnull(d);
    ck_assert_ptr_null(pci_add_function(&pci, 1, 1, 0x8086, 0x7010, 0, 0x010180));
    ck_assert_uint_eq(cfg_rd(9, 0), 0x70108086u);
    ck_assert_uint_eq(cfg_rd(9, 8) >> 8, 0x010180u);
    /* An absent function reads all ones (3.2.2.3.2: master abort). */
    ck_assert_uint_eq(cfg_rd(10, 0), 0xFFFFFFFFu);
}
END_TEST

START_TEST(test_io_bar_sizing_and_decode)
{
    struct pci_dev *d = pci_add_function(&pci, 1, 1, 0x8086, 0x7010, 0, 0x010180);
    pci_set_bar(d, 4, 16, PCI_BAR_IO);
    pci_set_bar_hook(d, hook, NULL);
    ck_assert_uint_eq(cfg_rd(9, 0x20), 1);             /* bit 0: I/O space indicator */
    cfg_wr(9, 0x20, 0xFFFFFFFFu);                      /* 6.2.5.1: write all ones, read the size */
    ck_assert_uint_eq(cfg_rd(9, 0x20), 0xFFFFFFF1u);
    ck_assert_int_eq(calls, 0);                        /* decode off: command bit 0 clear */
    cfg_wr(9, 0x20, 0xC000);
    ck_assert_int_eq(calls, 0);
    cfg_wr(9, 0x04, 0x0001);                           /* I/O space enable */
    ck_assert_int_eq(calls, 1);
    ck_assert(last_on && last_bar == 4 && last_addr == 0xC000);
    cfg_wr(9, 0x20, 0xC041);                           /* moves: off at the old, on at the new */
    ck_assert_int_eq(calls, 3);
    ck_assert(last_on && last_addr == 0xC040);
    cfg_wr(9, 0x04, 0);
    ck_assert(!last_on && last_addr == 0xC040);
}
END_TEST

START_TEST(test_memory_bar_and_rom)
{
    struct pci_dev *d = pci_add_function(&pci, 2, 0, 0x1234, 0x1111, 2, 0x030000);
    pci_set_bar(d, 0, 16u << 20, PCI_BAR_MEM | PCI_BAR_PREFETCH);
    pci_set_bar(d, PCI_ROM_BAR, 64u << 10, PCI_BAR_MEM);
    pci_set_bar_hook(d, hook, NULL);
    ck_assert_uint_eq(cfg_rd(16, 0x10), 8);            /* prefetchable, 32-bit, memory */
    cfg_wr(16, 0x04, 0x0002);                          /* memory enable while sizing */
    cfg_wr(16, 0x10, 0xFFFFFFFFu);
    ck_assert_uint_eq(cfg_rd(16, 0x10), 0xFF000008u);
    ck_assert_int_eq(calls, 0);                        /* all ones reaches 4 GiB: not decoded */
    cfg_wr(16, 0x10, 0xFD000000u);
    ck_assert(calls == 1 && last_on && last_addr == 0xFD000000u);
    cfg_wr(16, 0x30, 0xFFFFFFFFu);                     /* 6.2.5.2: bits 31:11 size, bit 0 enable */
    ck_assert_uint_eq(cfg_rd(16, 0x30), 0xFFFF0001u);
    cfg_wr(16, 0x30, 0xFEB00000u);                     /* enable bit clear: not decoded */
    ck_assert_int_eq(calls, 1);
    cfg_wr(16, 0x30, 0xFEB00001u);
    ck_assert(calls == 2 && last_on && last_bar == PCI_ROM_BAR && last_addr == 0xFEB00000u);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("pci");
    TCase *tc = tcase_create("pci");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_function_1_of_device_1);
    tcase_add_test(tc, test_io_bar_sizing_and_decode);
    tcase_add_test(tc, test_memory_bar_and_rom);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
