/* The host side of direct kernel boot (frontends/linuxboot.c): what it writes into a bzImage's
 * setup header. Expected values come from the Linux x86 boot protocol
 * (Documentation/arch/x86/boot.rst), cited per test; the images are synthetic headers. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "frontends/linuxboot.h"

enum { IMAGE_SIZE = 64 * 1024, SETUP_SECTS = 4 };

/* A minimal bzImage header: boot.rst "The real-mode kernel header" offsets. */
static uint8_t *make_image(uint16_t version, uint32_t initrd_addr_max)
{
    uint8_t *d = calloc(1, IMAGE_SIZE);
    d[0x1F1] = SETUP_SECTS;
    d[0x1FE] = 0x55;
    d[0x1FF] = 0xAA;
    memcpy(d + 0x202, "HdrS", 4);
    d[0x206] = (uint8_t)version;
    d[0x207] = (uint8_t)(version >> 8);
    d[0x211] = 0x01;                          /* LOADED_HIGH */
    memcpy(d + 0x22C, &initrd_addr_max, 4);   /* little-endian host (x86, arm64) */
    uint32_t cmdline_size = 2047;
    memcpy(d + 0x238, &cmdline_size, 4);
    return d;
}

static uint32_t get32(const uint8_t *d, unsigned off)
{
    uint32_t v;
    memcpy(&v, d + off, 4);
    return v;
}

static uint16_t get16(const uint8_t *d, unsigned off)
{
    return (uint16_t)(d[off] | d[off + 1] << 8);
}

START_TEST(test_header_fields_for_a_modern_kernel)
{
    uint8_t *d = make_image(0x20F, 0x7FFFFFFF);
    char why[200];
    struct linuxboot_info info;
    ck_assert(linuxboot_patch_header(d, IMAGE_SIZE, "console=ttyS0", 1000000, 128u << 20, &info, why, sizeof(why)));
    /* "type_of_loader": 0xB = QEMU, as QEMU identifies itself; version 0. */
    ck_assert_uint_eq(d[0x210], 0xB0);
    /* "loadflags": CAN_USE_HEAP (bit 7) set, LOADED_HIGH kept. */
    ck_assert_uint_eq(d[0x211], 0x81);
    /* "cmd_line_ptr": the command line's linear address; the suggested layout puts it at X+0x10000
     * with X = 0x10000, and the heap ends 0x200 below it ("heap_end_ptr" is relative to X). */
    ck_assert_uint_eq(get32(d, 0x228), 0x20000);
    ck_assert_uint_eq(get16(d, 0x224), 0xFE00);
    /* "setup_sects" = 4: the setup is (4 + 1) * 512 bytes, the rest is the protected-mode kernel. */
    ck_assert_uint_eq(info.setup_size, 5 * 512);
    ck_assert_uint_eq(info.kernel_size, IMAGE_SIZE - 5 * 512);
    /* "ramdisk_image"/"ramdisk_size": the initrd lies wholly in RAM below 128 MiB, above the
     * kernel at 1 MiB, and its last byte is at most initrd_addr_max. */
    uint32_t addr = get32(d, 0x218), size = get32(d, 0x21C);
    ck_assert_uint_eq(size, 1000000);
    ck_assert_uint_ge(addr, 0x100000 + IMAGE_SIZE);
    ck_assert_uint_le((uint64_t)addr + size, 128u << 20);
    /* "vid_mode": 0xFFFF = "normal" when the command line has no vga=. */
    ck_assert_uint_eq(get16(d, 0x1FA), 0xFFFF);
    free(d);
}
END_TEST

START_TEST(test_initrd_stays_below_initrd_addr_max)
{
    uint8_t *d = make_image(0x20F, 0x37FFFFF);   /* 56 MiB - 1 */
    char why[200];
    ck_assert(linuxboot_patch_header(d, IMAGE_SIZE, "", 4096, 256u << 20, NULL, why, sizeof(why)));
    ck_assert_uint_le((uint64_t)get32(d, 0x218) + 4096 - 1, 0x37FFFFF);
    free(d);
}
END_TEST

START_TEST(test_vga_option_sets_vid_mode)
{
    /* boot.rst "Special command line options": vga=normal 0xFFFF, ext 0xFFFE, ask 0xFFFD,
     * otherwise the number. */
    static const struct { const char *cl; uint16_t mode; } cases[] = {
        {"vga=ext", 0xFFFE}, {"quiet vga=ask", 0xFFFD}, {"vga=0x317 console=ttyS0", 0x317},
        {"vga=normal", 0xFFFF}, {"novga=3", 0xFFFF},
    };
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint8_t *d = make_image(0x20F, 0x7FFFFFFF);
        char why[200];
        ck_assert(linuxboot_patch_header(d, IMAGE_SIZE, cases[i].cl, 0, 64u << 20, NULL, why, sizeof(why)));
        ck_assert_uint_eq(get16(d, 0x1FA), cases[i].mode);
        free(d);
    }
}
END_TEST

START_TEST(test_bad_images_are_rejected)
{
    char why[200];
    uint8_t *d = make_image(0x201, 0x7FFFFFFF);          /* protocol 2.01 < 2.02 */
    ck_assert(!linuxboot_patch_header(d, IMAGE_SIZE, "", 0, 64u << 20, NULL, why, sizeof(why)));
    ck_assert_ptr_nonnull(strstr(why, "2.01"));
    free(d);
    d = make_image(0x20F, 0x7FFFFFFF);
    d[0x211] = 0;                                        /* a zImage: loaded at 0x10000 */
    ck_assert(!linuxboot_patch_header(d, IMAGE_SIZE, "", 0, 64u << 20, NULL, why, sizeof(why)));
    free(d);
    d = make_image(0x20F, 0x7FFFFFFF);
    memcpy(d + 0x202, "HdrX", 4);                        /* no "HdrS" magic */
    ck_assert(!linuxboot_patch_header(d, IMAGE_SIZE, "", 0, 64u << 20, NULL, why, sizeof(why)));
    free(d);
    d = make_image(0x20F, 0x7FFFFFFF);                   /* a 3 MiB initrd in 4 MiB of RAM */
    ck_assert(!linuxboot_patch_header(d, IMAGE_SIZE, "", 3u << 20, 4u << 20, NULL, why, sizeof(why)));
    ck_assert_ptr_nonnull(strstr(why, "initrd"));
    free(d);
    d = make_image(0x20F, 0x7FFFFFFF);                   /* cmdline_size 2047 */
    char *long_cl = malloc(3000);
    memset(long_cl, 'x', 2999);
    long_cl[2999] = 0;
    ck_assert(!linuxboot_patch_header(d, IMAGE_SIZE, long_cl, 0, 64u << 20, NULL, why, sizeof(why)));
    free(long_cl);
    free(d);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("linuxboot");
    TCase *tc = tcase_create("header");
    tcase_add_test(tc, test_header_fields_for_a_modern_kernel);
    tcase_add_test(tc, test_initrd_stays_below_initrd_addr_max);
    tcase_add_test(tc, test_vga_option_sets_vid_mode);
    tcase_add_test(tc, test_bad_images_are_rejected);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
