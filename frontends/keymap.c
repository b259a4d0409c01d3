/* Host keys to PS/2 keycodes (sources in keymap.h). */
#include "keymap.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "devices/i8042.h"

#define E0 I8042_KEY_E0

/* USB HID usage (keyboard page 07h) -> scan code set 2, from the Microsoft Keyboard Scan Code
 * Specification 1.3a, Appendix C ("Set 2 Make" column). 0: no PS/2 equivalent. */
static const uint16_t hid_set2[0xE8] = {
    /* 04h-1Dh: a-z */
    [0x04] = 0x1C, [0x05] = 0x32, [0x06] = 0x21, [0x07] = 0x23, [0x08] = 0x24, [0x09] = 0x2B,
    [0x0A] = 0x34, [0x0B] = 0x33, [0x0C] = 0x43, [0x0D] = 0x3B, [0x0E] = 0x42, [0x0F] = 0x4B,
    [0x10] = 0x3A, [0x11] = 0x31, [0x12] = 0x44, [0x13] = 0x4D, [0x14] = 0x15, [0x15] = 0x2D,
    [0x16] = 0x1B, [0x17] = 0x2C, [0x18] = 0x3C, [0x19] = 0x2A, [0x1A] = 0x1D, [0x1B] = 0x22,
    [0x1C] = 0x35, [0x1D] = 0x1A,
    /* 1Eh-27h: 1-9, 0 */
    [0x1E] = 0x16, [0x1F] = 0x1E, [0x20] = 0x26, [0x21] = 0x25, [0x22] = 0x2E, [0x23] = 0x36,
    [0x24] = 0x3D, [0x25] = 0x3E, [0x26] = 0x46, [0x27] = 0x45,
    /* Enter, Esc, Backspace, Tab, Space, - = [ ] \ Europe1(#) ; ' ` , . / CapsLock */
    [0x28] = 0x5A, [0x29] = 0x76, [0x2A] = 0x66, [0x2B] = 0x0D, [0x2C] = 0x29, [0x2D] = 0x4E,
    [0x2E] = 0x55, [0x2F] = 0x54, [0x30] = 0x5B, [0x31] = 0x5D, [0x32] = 0x5D, [0x33] = 0x4C,
    [0x34] = 0x52, [0x35] = 0x0E, [0x36] = 0x41, [0x37] = 0x49, [0x38] = 0x4A, [0x39] = 0x58,
    /* F1-F12 */
    [0x3A] = 0x05, [0x3B] = 0x06, [0x3C] = 0x04, [0x3D] = 0x0C, [0x3E] = 0x03, [0x3F] = 0x0B,
    [0x40] = 0x83, [0x41] = 0x0A, [0x42] = 0x01, [0x43] = 0x09, [0x44] = 0x78, [0x45] = 0x07,
    /* PrintScreen, ScrollLock, Pause, Insert, Home, PgUp, Delete, End, PgDn, Right, Left, Down, Up */
    [0x46] = I8042_KEY_PRINT, [0x47] = 0x7E, [0x48] = I8042_KEY_PAUSE, [0x49] = E0 | 0x70,
    [0x4A] = E0 | 0x6C, [0x4B] = E0 | 0x7D, [0x4C] = E0 | 0x71, [0x4D] = E0 | 0x69, [0x4E] = E0 | 0x7A,
    [0x4F] = E0 | 0x74, [0x50] = E0 | 0x6B, [0x51] = E0 | 0x72, [0x52] = E0 | 0x75,
    /* NumLock, keypad / * - + Enter 1-9 0 . */
    [0x53] = 0x77, [0x54] = E0 | 0x4A, [0x55] = 0x7C, [0x56] = 0x7B, [0x57] = 0x79, [0x58] = E0 | 0x5A,
    [0x59] = 0x69, [0x5A] = 0x72, [0x5B] = 0x7A, [0x5C] = 0x6B, [0x5D] = 0x73, [0x5E] = 0x74,
    [0x5F] = 0x6C, [0x60] = 0x75, [0x61] = 0x7D, [0x62] = 0x70, [0x63] = 0x71,
    /* Europe2 (the 102nd key, "\|" next to left Shift), Application, Power, keypad = */
    [0x64] = 0x61, [0x65] = E0 | 0x2F, [0x66] = E0 | 0x37, [0x67] = 0x0F,
    /* F13-F24 */
    [0x68] = 0x08, [0x69] = 0x10, [0x6A] = 0x18, [0x6B] = 0x20, [0x6C] = 0x28, [0x6D] = 0x30,
    [0x6E] = 0x38, [0x6F] = 0x40, [0x70] = 0x48, [0x71] = 0x50, [0x72] = 0x57, [0x73] = 0x5F,
    /* Mute, Volume Up, Volume Down (the specification's consumer keys in set 2) */
    [0x7F] = E0 | 0x23, [0x80] = E0 | 0x32, [0x81] = E0 | 0x21,
    /* Keypad comma (Brazil), International 1-5 (Ro, Katakana/Hiragana, Yen, Henkan, Muhenkan) */
    [0x85] = 0x6D, [0x87] = 0x51, [0x88] = 0x13, [0x89] = 0x6A, [0x8A] = 0x64, [0x8B] = 0x67,
    /* Left Ctrl, Shift, Alt, GUI; right Ctrl, Shift, Alt, GUI */
    [0xE0] = 0x14, [0xE1] = 0x12, [0xE2] = 0x11, [0xE3] = E0 | 0x1F,
    [0xE4] = E0 | 0x14, [0xE5] = 0x59, [0xE6] = E0 | 0x11, [0xE7] = E0 | 0x27,
};

int keymap_from_hid(unsigned usage)
{
    if (usage >= sizeof(hid_set2) / sizeof(hid_set2[0]) || !hid_set2[usage])
        return -1;
    return hid_set2[usage];
}

unsigned keymap_set2(int keycode, bool down, uint8_t out[KEYMAP_MAX_SET2])
{
    /* Pause: make E1 14 77 E1 F0 14 F0 77 and no break; Print Screen (alone): make E0 12 E0 7C,
     * break E0 F0 7C E0 F0 12 (Scan Code Specification, Appendix C notes). */
    static const uint8_t pause[] = {0xE1, 0x14, 0x77, 0xE1, 0xF0, 0x14, 0xF0, 0x77};
    static const uint8_t print_make[] = {0xE0, 0x12, 0xE0, 0x7C};
    static const uint8_t print_break[] = {0xE0, 0xF0, 0x7C, 0xE0, 0xF0, 0x12};
    if (keycode == I8042_KEY_PAUSE) {
        if (!down)
            return 0;
        memcpy(out, pause, sizeof(pause));
        return sizeof(pause);
    }
    if (keycode == I8042_KEY_PRINT) {
        const uint8_t *s = down ? print_make : print_break;
        unsigned n = down ? sizeof(print_make) : sizeof(print_break);
        memcpy(out, s, n);
        return n;
    }
    if (keycode <= 0 || keycode > (E0 | 0xFF) || (keycode & 0xFF) == 0)
        return 0;
    unsigned n = 0;
    if (keycode & E0)
        out[n++] = 0xE0;
    if (!down)
        out[n++] = 0xF0;    /* set 2 break: F0 before the make code */
    out[n++] = (uint8_t)keycode;
    return n;
}

/* US layout: the unshifted and shifted character of each key that types one. */
static const struct {
    char plain, shifted;
    uint8_t set2;
} ascii_keys[] = {
    {'1', '!', 0x16}, {'2', '@', 0x1E}, {'3', '#', 0x26}, {'4', '$', 0x25}, {'5', '%', 0x2E},
    {'6', '^', 0x36}, {'7', '&', 0x3D}, {'8', '*', 0x3E}, {'9', '(', 0x46}, {'0', ')', 0x45},
    {'-', '_', 0x4E}, {'=', '+', 0x55}, {'[', '{', 0x54}, {']', '}', 0x5B}, {'\\', '|', 0x5D},
    {';', ':', 0x4C}, {'\'', '"', 0x52}, {'`', '~', 0x0E}, {',', '<', 0x41}, {'.', '>', 0x49},
    {'/', '?', 0x4A}, {' ', 0, 0x29}, {'\n', 0, 0x5A}, {'\r', 0, 0x5A}, {'\t', 0, 0x0D},
    {'\b', 0, 0x66}, {0x1B, 0, 0x76},
};

bool keymap_from_ascii(char c, int *keycode, bool *shift)
{
    if (c >= 'a' && c <= 'z') {
        *keycode = hid_set2[0x04 + (c - 'a')];
        *shift = false;
        return true;
    }
    if (c >= 'A' && c <= 'Z') {
        *keycode = hid_set2[0x04 + (c - 'A')];
        *shift = true;
        return true;
    }
    for (size_t i = 0; i < sizeof(ascii_keys) / sizeof(ascii_keys[0]); i++) {
        if (c == ascii_keys[i].plain || (ascii_keys[i].shifted && c == ascii_keys[i].shifted)) {
            *keycode = ascii_keys[i].set2;
            *shift = c != ascii_keys[i].plain;
            return true;
        }
    }
    return false;
}

/* QEMU's key names (qapi QKeyCode, as its sendkey takes them) and a few aliases. */
static const struct {
    const char *name;
    int keycode;
} names[] = {
    {"shift", 0x12}, {"shift_r", 0x59}, {"alt", 0x11}, {"alt_r", E0 | 0x11}, {"altgr", E0 | 0x11},
    {"altgr_r", E0 | 0x11}, {"ctrl", 0x14}, {"ctrl_r", E0 | 0x14}, {"menu", E0 | 0x2F},
    {"compose", E0 | 0x2F}, {"esc", 0x76}, {"minus", 0x4E}, {"equal", 0x55}, {"backspace", 0x66},
    {"tab", 0x0D}, {"bracket_left", 0x54}, {"bracket_right", 0x5B}, {"ret", 0x5A}, {"semicolon", 0x4C},
    {"apostrophe", 0x52}, {"grave_accent", 0x0E}, {"backslash", 0x5D}, {"comma", 0x41}, {"dot", 0x49},
    {"slash", 0x4A}, {"asterisk", 0x7C}, {"spc", 0x29}, {"caps_lock", 0x58}, {"num_lock", 0x77},
    {"scroll_lock", 0x7E}, {"kp_divide", E0 | 0x4A}, {"kp_multiply", 0x7C}, {"kp_subtract", 0x7B},
    {"kp_add", 0x79}, {"kp_enter", E0 | 0x5A}, {"kp_decimal", 0x71}, {"kp_0", 0x70}, {"kp_1", 0x69},
    {"kp_2", 0x72}, {"kp_3", 0x7A}, {"kp_4", 0x6B}, {"kp_5", 0x73}, {"kp_6", 0x74}, {"kp_7", 0x6C},
    {"kp_8", 0x75}, {"kp_9", 0x7D}, {"kp_equals", 0x0F}, {"kp_comma", 0x6D}, {"less", 0x61},
    {"home", E0 | 0x6C}, {"pgup", E0 | 0x7D}, {"pgdn", E0 | 0x7A}, {"end", E0 | 0x69},
    {"left", E0 | 0x6B}, {"up", E0 | 0x75}, {"down", E0 | 0x72}, {"right", E0 | 0x74},
    {"insert", E0 | 0x70}, {"delete", E0 | 0x71}, {"print", I8042_KEY_PRINT}, {"sysrq", I8042_KEY_PRINT},
    {"pause", I8042_KEY_PAUSE}, {"meta_l", E0 | 0x1F}, {"meta_r", E0 | 0x27}, {"power", E0 | 0x37},
    {"audiomute", E0 | 0x23}, {"volumeup", E0 | 0x32}, {"volumedown", E0 | 0x21}, {"ro", 0x51},
    {"hiragana", 0x13}, {"yen", 0x6A}, {"henkan", 0x64}, {"muhenkan", 0x67},
    {"f1", 0x05}, {"f2", 0x06}, {"f3", 0x04}, {"f4", 0x0C}, {"f5", 0x03}, {"f6", 0x0B},
    {"f7", 0x83}, {"f8", 0x0A}, {"f9", 0x01}, {"f10", 0x09}, {"f11", 0x78}, {"f12", 0x07},
    /* aliases */
    {"enter", 0x5A}, {"return", 0x5A}, {"escape", 0x76}, {"space", 0x29}, {"del", E0 | 0x71},
    {"ins", E0 | 0x70}, {"pageup", E0 | 0x7D}, {"pagedown", E0 | 0x7A}, {"bs", 0x66},
    {"control", 0x14}, {"win", E0 | 0x1F}, {"win_r", E0 | 0x27}, {"super", E0 | 0x1F},
    {"printscreen", I8042_KEY_PRINT}, {"prtsc", I8042_KEY_PRINT}, {"break", I8042_KEY_PAUSE},
};

int keymap_from_name(const char *name, size_t len)
{
    char buf[24];
    if (len == 0 || len >= sizeof(buf))
        return -1;
    for (size_t i = 0; i < len; i++)
        buf[i] = (char)tolower((unsigned char)name[i]);
    buf[len] = '\0';
    if (len == 1) {
        /* A single character names its key: "a", "1", "/" (unshifted characters only, so that
         * "shift-a" means what it says). */
        int code;
        bool shift;
        if (keymap_from_ascii(buf[0], &code, &shift) && !shift && buf[0] > ' ')
            return code;
        return -1;
    }
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (!strcmp(buf, names[i].name))
            return names[i].keycode;
    return -1;
}

unsigned keymap_parse_chord(const char *s, size_t len, int *codes, unsigned max)
{
    unsigned n = 0;
    size_t i = 0;
    while (i <= len) {
        /* A '-' right at a name's start is the key itself ("ctrl--" is Ctrl and minus). */
        size_t j = i + (i < len && s[i] == '-');
        while (j < len && s[j] != '-')
            j++;
        int code = keymap_from_name(s + i, j - i);
        if (code < 0 || n == max)
            return 0;
        codes[n++] = code;
        i = j + 1;
    }
    return n;
}

static void emit(struct keymap_event *ev, size_t max, size_t *n, int keycode, bool down, bool start)
{
    if (*n < max)
        ev[*n] = (struct keymap_event){keycode, down, start};
    (*n)++;
}

/* A chord: every key down in order, then up in reverse. */
static void emit_chord(struct keymap_event *ev, size_t max, size_t *n, const int *codes, unsigned count)
{
    for (unsigned i = 0; i < count; i++)
        emit(ev, max, n, codes[i], true, i == 0);
    for (unsigned i = count; i-- > 0;)
        emit(ev, max, n, codes[i], false, false);
}

size_t keymap_parse_text(const char *text, struct keymap_event *ev, size_t max, char *why, size_t whylen)
{
    size_t n = 0;
    if (whylen)
        why[0] = '\0';
    for (const char *p = text; *p; p++) {
        char c = *p;
        if (c == '<') {
            const char *end = strchr(p + 1, '>');
            int codes[KEYMAP_MAX_CHORD];
            unsigned count = end ? keymap_parse_chord(p + 1, (size_t)(end - p - 1), codes, KEYMAP_MAX_CHORD) : 0;
            if (!count) {
                int len = end ? (int)(end - p + 1) : (int)strlen(p);
                snprintf(why, whylen, "unknown key '%.*s' (names as QEMU's sendkey: <ret>, <f8>, <up>, "
                                      "<ctrl-alt-delete>; \\< for a '<')", len, p);
                return 0;
            }
            emit_chord(ev, max, &n, codes, count);
            p = end;
            continue;
        }
        if (c == '\\') {
            switch (*++p) {
            case 'n': c = '\n'; break;
            case 'r': c = '\r'; break;
            case 'e': c = 0x1B; break;
            case 'b': c = '\b'; break;
            case 't': c = '\t'; break;
            case '\\': c = '\\'; break;
            case '<': c = '<'; break;
            default:
                snprintf(why, whylen, "unknown escape '\\%c' (known: \\n \\r \\e \\b \\t \\\\ \\<)", *p ? *p : ' ');
                return 0;
            }
        }
        int code;
        bool shift;
        if (!keymap_from_ascii(c, &code, &shift)) {
            snprintf(why, whylen, "character 0x%02X cannot be typed on a US keyboard", (unsigned char)c);
            return 0;
        }
        int codes[2] = {0x12, code};   /* left Shift first when needed */
        emit_chord(ev, max, &n, shift ? codes : codes + 1, shift ? 2 : 1);
    }
    return n;
}
