/* frontends/keymap.c against the scan code set 2 table. Expected bytes are from the IBM PS/2
 * Hardware Interface Technical Reference, "Keyboard scan code set 2", as tabulated (with the USB
 * HID usage of each key, which SDL_Scancode uses) in Microsoft's Keyboard Scan Code
 * Specification rev. 1.3a, Appendix C: a make code is one byte, or E0 and a byte for the keys the
 * 101-key keyboard added; the break code puts F0 before the make code's last byte. */
#include <SDL_scancode.h>
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "devices/i8042.h"
#include "frontends/keymap.h"

/* The set 2 bytes a text types, all events concatenated. */
static size_t text_bytes(const char *text, uint8_t *out, size_t max)
{
    struct keymap_event ev[64];
    char why[200];
    size_t n = keymap_parse_text(text, ev, 64, why, sizeof(why));
    ck_assert_msg(n > 0 && n <= 64, "%s: %s", text, why);
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t b[KEYMAP_MAX_SET2];
        unsigned k = keymap_set2(ev[i].keycode, ev[i].down, b);
        ck_assert(len + k <= max);
        memcpy(out + len, b, k);
        len += k;
    }
    return len;
}

#define CHECK_TEXT(text, ...)                                                              \
    do {                                                                                   \
        static const uint8_t want[] = {__VA_ARGS__};                                       \
        uint8_t got[128];                                                                  \
        size_t n = text_bytes(text, got, sizeof(got));                                     \
        ck_assert_msg(n == sizeof(want), "%s: %zu bytes, expected %zu", text, n, sizeof(want)); \
        for (size_t i = 0; i < n; i++)                                                     \
            ck_assert_msg(got[i] == want[i], "%s: byte %zu is %02X, expected %02X", text, i, got[i], want[i]); \
    } while (0)

START_TEST(test_letters_make_and_break)
{
    CHECK_TEXT("a", 0x1C, 0xF0, 0x1C);
    CHECK_TEXT("z", 0x1A, 0xF0, 0x1A);
    CHECK_TEXT("q", 0x15, 0xF0, 0x15);
    CHECK_TEXT("m", 0x3A, 0xF0, 0x3A);
}
END_TEST

START_TEST(test_uppercase_holds_left_shift)
{
    /* Left Shift is 12: down, the letter, up, Shift up. */
    CHECK_TEXT("A", 0x12, 0x1C, 0xF0, 0x1C, 0xF0, 0x12);
    CHECK_TEXT("?", 0x12, 0x4A, 0xF0, 0x4A, 0xF0, 0x12);
    CHECK_TEXT("!", 0x12, 0x16, 0xF0, 0x16, 0xF0, 0x12);
}
END_TEST

START_TEST(test_digits_and_punctuation)
{
    CHECK_TEXT("1", 0x16, 0xF0, 0x16);
    CHECK_TEXT("0", 0x45, 0xF0, 0x45);
    CHECK_TEXT(" ", 0x29, 0xF0, 0x29);
    CHECK_TEXT("/", 0x4A, 0xF0, 0x4A);
    CHECK_TEXT("`", 0x0E, 0xF0, 0x0E);
    CHECK_TEXT("-", 0x4E, 0xF0, 0x4E);
    CHECK_TEXT(";", 0x4C, 0xF0, 0x4C);
}
END_TEST

START_TEST(test_escapes)
{
    CHECK_TEXT("\\n", 0x5A, 0xF0, 0x5A);     /* Enter 5A */
    CHECK_TEXT("\\e", 0x76, 0xF0, 0x76);     /* Esc 76 */
    CHECK_TEXT("\\b", 0x66, 0xF0, 0x66);     /* Backspace 66 */
    CHECK_TEXT("\\t", 0x0D, 0xF0, 0x0D);     /* Tab 0D */
    CHECK_TEXT("\\\\", 0x5D, 0xF0, 0x5D);    /* \ 5D */
    CHECK_TEXT("\\<", 0x12, 0x41, 0xF0, 0x41, 0xF0, 0x12);   /* < is Shift + , (41) */
    CHECK_TEXT("ab\\n", 0x1C, 0xF0, 0x1C, 0x32, 0xF0, 0x32, 0x5A, 0xF0, 0x5A);
}
END_TEST

START_TEST(test_named_extended_keys)
{
    CHECK_TEXT("<up>", 0xE0, 0x75, 0xE0, 0xF0, 0x75);
    CHECK_TEXT("<down>", 0xE0, 0x72, 0xE0, 0xF0, 0x72);
    CHECK_TEXT("<kp_divide>", 0xE0, 0x4A, 0xE0, 0xF0, 0x4A);
    CHECK_TEXT("<kp_enter>", 0xE0, 0x5A, 0xE0, 0xF0, 0x5A);
    CHECK_TEXT("<ctrl_r>", 0xE0, 0x14, 0xE0, 0xF0, 0x14);
    CHECK_TEXT("<f8>", 0x0A, 0xF0, 0x0A);
    CHECK_TEXT("<f7>", 0x83, 0xF0, 0x83);     /* the one make code above 7F */
    CHECK_TEXT("<RET>", 0x5A, 0xF0, 0x5A);    /* names are case-insensitive */
    /* Pause has no break code; Print Screen alone is E0 12 E0 7C / E0 F0 7C E0 F0 12. */
    CHECK_TEXT("<pause>", 0xE1, 0x14, 0x77, 0xE1, 0xF0, 0x14, 0xF0, 0x77);
    CHECK_TEXT("<print>", 0xE0, 0x12, 0xE0, 0x7C, 0xE0, 0xF0, 0x7C, 0xE0, 0xF0, 0x12);
}
END_TEST

START_TEST(test_chord_releases_in_reverse)
{
    /* Ctrl 14, Alt 11, Delete E0 71: down in order, up in reverse. */
    CHECK_TEXT("<ctrl-alt-delete>", 0x14, 0x11, 0xE0, 0x71, 0xE0, 0xF0, 0x71, 0xF0, 0x11, 0xF0, 0x14);
    CHECK_TEXT("<shift-a>", 0x12, 0x1C, 0xF0, 0x1C, 0xF0, 0x12);
    CHECK_TEXT("<ctrl-->", 0x14, 0x4E, 0xF0, 0x4E, 0xF0, 0x14);   /* Ctrl and minus */
}
END_TEST

START_TEST(test_groups)
{
    struct keymap_event ev[16];
    char why[100];
    ck_assert_uint_eq(keymap_parse_text("aB", ev, 16, why, sizeof(why)), 6);
    /* a down (new group), a up; Shift down (new group), b down, b up, Shift up */
    const bool starts[6] = {true, false, true, false, false, false};
    const bool downs[6] = {true, false, true, true, false, false};
    for (int i = 0; i < 6; i++) {
        ck_assert_int_eq(ev[i].group_start, starts[i]);
        ck_assert_int_eq(ev[i].down, downs[i]);
    }
    /* max 0 sizes the array */
    ck_assert_uint_eq(keymap_parse_text("<ctrl-alt-delete>x", NULL, 0, why, sizeof(why)), 8);
}
END_TEST

START_TEST(test_parse_errors)
{
    char why[200];
    ck_assert_uint_eq(keymap_parse_text("<nosuchkey>", NULL, 0, why, sizeof(why)), 0);
    ck_assert(strstr(why, "nosuchkey") != NULL);
    ck_assert_uint_eq(keymap_parse_text("<up", NULL, 0, why, sizeof(why)), 0);
    ck_assert(why[0] != '\0');
    ck_assert_uint_eq(keymap_parse_text("\\q", NULL, 0, why, sizeof(why)), 0);
    ck_assert(why[0] != '\0');
    ck_assert_uint_eq(keymap_parse_text("\xC3\xA9", NULL, 0, why, sizeof(why)), 0);
    ck_assert(why[0] != '\0');
    ck_assert_uint_eq(keymap_parse_text("", NULL, 0, why, sizeof(why)), 0);
    ck_assert_str_eq(why, "");
}
END_TEST

START_TEST(test_sdl_scancodes_extended)
{
    /* The keys the 101-key keyboard added carry E0 (Appendix C). */
    static const struct {
        int sdl, set2;
    } t[] = {
        {SDL_SCANCODE_UP, 0x175}, {SDL_SCANCODE_DOWN, 0x172}, {SDL_SCANCODE_LEFT, 0x16B},
        {SDL_SCANCODE_RIGHT, 0x174}, {SDL_SCANCODE_HOME, 0x16C}, {SDL_SCANCODE_END, 0x169},
        {SDL_SCANCODE_PAGEUP, 0x17D}, {SDL_SCANCODE_PAGEDOWN, 0x17A}, {SDL_SCANCODE_INSERT, 0x170},
        {SDL_SCANCODE_DELETE, 0x171}, {SDL_SCANCODE_KP_ENTER, 0x15A}, {SDL_SCANCODE_KP_DIVIDE, 0x14A},
        {SDL_SCANCODE_RCTRL, 0x114}, {SDL_SCANCODE_RALT, 0x111}, {SDL_SCANCODE_LGUI, 0x11F},
        {SDL_SCANCODE_RGUI, 0x127}, {SDL_SCANCODE_APPLICATION, 0x12F},
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        ck_assert_int_eq(I8042_KEY_E0, 0x100);
        ck_assert_msg(keymap_from_hid((unsigned)t[i].sdl) == t[i].set2, "SDL scancode %d: %X, expected %X", t[i].sdl,
                      keymap_from_hid((unsigned)t[i].sdl), t[i].set2);
    }
    ck_assert_int_eq(keymap_from_hid(SDL_SCANCODE_PAUSE), I8042_KEY_PAUSE);
    ck_assert_int_eq(keymap_from_hid(SDL_SCANCODE_PRINTSCREEN), I8042_KEY_PRINT);
}
END_TEST

START_TEST(test_sdl_scancodes_plain)
{
    static const struct {
        int sdl, set2;
    } t[] = {
        {SDL_SCANCODE_A, 0x1C}, {SDL_SCANCODE_Z, 0x1A}, {SDL_SCANCODE_1, 0x16}, {SDL_SCANCODE_0, 0x45},
        {SDL_SCANCODE_RETURN, 0x5A}, {SDL_SCANCODE_ESCAPE, 0x76}, {SDL_SCANCODE_LSHIFT, 0x12},
        {SDL_SCANCODE_RSHIFT, 0x59}, {SDL_SCANCODE_LCTRL, 0x14}, {SDL_SCANCODE_LALT, 0x11},
        {SDL_SCANCODE_CAPSLOCK, 0x58}, {SDL_SCANCODE_NUMLOCKCLEAR, 0x77}, {SDL_SCANCODE_SCROLLLOCK, 0x7E},
        {SDL_SCANCODE_KP_1, 0x69}, {SDL_SCANCODE_KP_0, 0x70}, {SDL_SCANCODE_KP_PERIOD, 0x71},
        {SDL_SCANCODE_KP_MULTIPLY, 0x7C}, {SDL_SCANCODE_KP_MINUS, 0x7B}, {SDL_SCANCODE_KP_PLUS, 0x79},
        {SDL_SCANCODE_F1, 0x05}, {SDL_SCANCODE_F7, 0x83}, {SDL_SCANCODE_F10, 0x09}, {SDL_SCANCODE_F11, 0x78},
        {SDL_SCANCODE_F12, 0x07}, {SDL_SCANCODE_NONUSBACKSLASH, 0x61}, {SDL_SCANCODE_GRAVE, 0x0E},
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
        ck_assert_msg(keymap_from_hid((unsigned)t[i].sdl) == t[i].set2, "SDL scancode %d: %X, expected %X", t[i].sdl,
                      keymap_from_hid((unsigned)t[i].sdl), t[i].set2);
    ck_assert_int_eq(keymap_from_hid(0), -1);           /* no key */
    ck_assert_int_eq(keymap_from_hid(SDL_NUM_SCANCODES - 1), -1);
}
END_TEST

START_TEST(test_set2_bytes_of_keycodes)
{
    uint8_t b[KEYMAP_MAX_SET2];
    ck_assert_uint_eq(keymap_set2(I8042_KEY_E0 | 0x14, true, b), 2);    /* right Ctrl E0 14 */
    ck_assert(b[0] == 0xE0 && b[1] == 0x14);
    ck_assert_uint_eq(keymap_set2(I8042_KEY_E0 | 0x14, false, b), 3);   /* E0 F0 14 */
    ck_assert(b[0] == 0xE0 && b[1] == 0xF0 && b[2] == 0x14);
    ck_assert_uint_eq(keymap_set2(I8042_KEY_PAUSE, false, b), 0);
    ck_assert_uint_eq(keymap_set2(0, true, b), 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("keymap");
    TCase *tc = tcase_create("keymap");
    tcase_add_test(tc, test_letters_make_and_break);
    tcase_add_test(tc, test_uppercase_holds_left_shift);
    tcase_add_test(tc, test_digits_and_punctuation);
    tcase_add_test(tc, test_escapes);
    tcase_add_test(tc, test_named_extended_keys);
    tcase_add_test(tc, test_chord_releases_in_reverse);
    tcase_add_test(tc, test_groups);
    tcase_add_test(tc, test_parse_errors);
    tcase_add_test(tc, test_sdl_scancodes_extended);
    tcase_add_test(tc, test_sdl_scancodes_plain);
    tcase_add_test(tc, test_set2_bytes_of_keycodes);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
