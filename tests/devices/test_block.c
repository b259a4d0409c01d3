/* Image backends (core/block.c): what issue 8 asks of them. Bad images are refused with a
 * reason naming the file; writes reach the file at once; -snapshot never touches it. */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/block.h"

static char dir[] = "/tmp/jitpc-block-XXXXXX";
static char why[600];

static void make_dir(void)
{
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void remove_dir(void)
{
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    ck_assert_int_eq(system(cmd), 0);
    strcpy(dir, "/tmp/jitpc-block-XXXXXX");
}

/* A file of n bytes where byte i is (i * 7 + i / 512) & 0xFF. */
static const char *make_image(const char *name, size_t n, mode_t mode)
{
    static char path[256];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    for (size_t i = 0; i < n; i++)
        fputc((int)((i * 7 + i / 512) & 0xFF), f);
    fclose(f);
    chmod(path, mode);
    return path;
}

static uint8_t pattern(size_t i)
{
    return (uint8_t)((i * 7 + i / 512) & 0xFF);
}

START_TEST(test_refuses_bad_images)
{
    struct block b;
    char missing[256];
    snprintf(missing, sizeof(missing), "%s/nope.img", dir);
    ck_assert(!block_open(&b, missing, 0, why, sizeof(why)));
    ck_assert(strstr(why, missing) && strstr(why, "No such file"));
    ck_assert(!block_open(&b, dir, 0, why, sizeof(why)));
    ck_assert(strstr(why, "directory"));
    const char *odd = make_image("odd.img", 1000, 0644);
    ck_assert(!block_open(&b, odd, 0, why, sizeof(why)));
    ck_assert(strstr(why, odd) && strstr(why, "not a multiple of 512"));
    const char *empty = make_image("empty.img", 0, 0644);
    ck_assert(!block_open(&b, empty, 0, why, sizeof(why)));
    ck_assert(strstr(why, "empty"));
    /* Refused for root too (who could open it for writing): nobody may write the file. */
    const char *ro = make_image("ro.img", 4096, 0444);
    ck_assert(!block_open(&b, ro, 0, why, sizeof(why)));
    ck_assert(strstr(why, ro) && strstr(why, "read-only"));
    ck_assert(block_open(&b, ro, BLOCK_READONLY, why, sizeof(why)));
    block_close(&b);
    ck_assert(block_open(&b, ro, BLOCK_SNAPSHOT, why, sizeof(why)));
    block_close(&b);
}
END_TEST

START_TEST(test_read_write_reach_the_file)
{
    struct block b;
    const char *p = make_image("rw.img", 8 * 512, 0644);
    ck_assert(block_open(&b, p, 0, why, sizeof(why)));
    ck_assert_uint_eq(block_sectors(&b), 8);
    uint8_t buf[1024];
    ck_assert_int_eq(block_read(&b, 300, buf, 1000), 0);
    for (size_t i = 0; i < 1000; i++)
        ck_assert_uint_eq(buf[i], pattern(300 + i));
    memset(buf, 0xA5, sizeof(buf));
    ck_assert_int_eq(block_write(&b, 512 * 3, buf, 512), 0);
    /* Read back through another descriptor, before any flush or close: pwrite went to the file. */
    int fd = open(p, O_RDONLY);
    uint8_t back[512];
    ck_assert_int_eq(pread(fd, back, 512, 512 * 3), 512);
    close(fd);
    for (int i = 0; i < 512; i++)
        ck_assert_uint_eq(back[i], 0xA5);
    ck_assert_int_eq(block_flush(&b), 0);
    /* Beyond the end: refused, nothing written. */
    ck_assert_int_eq(block_read(&b, 7 * 512, buf, 1024), -1);
    ck_assert_int_eq(block_write(&b, 8 * 512, buf, 1), -1);
    ck_assert_int_eq(block_write(&b, UINT64_MAX - 10, buf, 100), -1);
    struct stat st;
    stat(p, &st);
    ck_assert_int_eq(st.st_size, 8 * 512);
    block_close(&b);
}
END_TEST

START_TEST(test_readonly_media_refuses_writes)
{
    struct block b;
    const char *p = make_image("cd.iso", 4 * 2048, 0644);
    ck_assert(block_open(&b, p, BLOCK_READONLY, why, sizeof(why)));
    uint8_t buf[16] = {0};
    ck_assert_int_eq(block_write(&b, 0, buf, sizeof(buf)), -1);
    ck_assert_int_eq(block_read(&b, 0, buf, sizeof(buf)), 0);
    ck_assert_uint_eq(buf[1], pattern(1));
    block_close(&b);
}
END_TEST

START_TEST(test_snapshot_leaves_the_file_alone)
{
    struct block b;
    const char *p = make_image("snap.img", 16 * 512, 0644);
    ck_assert(block_open(&b, p, BLOCK_SNAPSHOT, why, sizeof(why)));
    uint8_t buf[700];
    memset(buf, 0x3C, sizeof(buf));
    /* An unaligned write: the overlay keeps the untouched parts of both sectors. */
    ck_assert_int_eq(block_write(&b, 512 + 100, buf, 700), 0);
    uint8_t back[1536];
    ck_assert_int_eq(block_read(&b, 512, back, sizeof(back)), 0);
    for (size_t i = 0; i < sizeof(back); i++) {
        uint8_t want = i >= 100 && i < 800 ? 0x3C : pattern(512 + i);
        ck_assert_uint_eq(back[i], want);
    }
    ck_assert_int_eq(block_flush(&b), 0);
    block_close(&b);
    FILE *f = fopen(p, "rb");
    for (size_t i = 0; i < 16 * 512; i++)
        ck_assert_uint_eq((uint8_t)fgetc(f), pattern(i));
    fclose(f);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("block");
    TCase *tc = tcase_create("block");
    tcase_add_checked_fixture(tc, make_dir, remove_dir);
    tcase_add_test(tc, test_refuses_bad_images);
    tcase_add_test(tc, test_read_write_reach_the_file);
    tcase_add_test(tc, test_readonly_media_refuses_writes);
    tcase_add_test(tc, test_snapshot_leaves_the_file_alone);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
