/* Host keys to PS/2 keyboard keycodes, and text to key events (issues 9 and 11).
 *
 * A keycode is what i8042_key() takes (devices/i8042.h): the key's scan code set 2 make code,
 * I8042_KEY_E0 | code for the E0-prefixed keys, I8042_KEY_PAUSE and I8042_KEY_PRINT. Sources:
 * Microsoft, "Keyboard Scan Code Specification" rev. 1.3a (2000), Appendix C (USB HID usage ->
 * set 1 and set 2 for every key); USB HID Usage Tables 1.12 section 10 (keyboard page 07h, whose
 * values SDL's SDL_Scancode uses); IBM PS/2 Hardware Interface Technical Reference, "Keyboard
 * scan code set 2". The text mapping is the US layout. */
#ifndef JITPC_KEYMAP_H
#define JITPC_KEYMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KEYMAP_MAX_SET2 8    /* the longest sequence: Pause, E1 14 77 E1 F0 14 F0 77 */
#define KEYMAP_MAX_CHORD 6   /* keys in one <ctrl-alt-delete>-style chord */

/* The scan code set 2 bytes of one key event (make when down, break otherwise): e.g. 'a' 1C and
 * F0 1C, Up E0 75 and E0 F0 75. Returns how many bytes it wrote to out (0: unknown keycode, or
 * the release of Pause, which has no break code). */
unsigned keymap_set2(int keycode, bool down, uint8_t out[KEYMAP_MAX_SET2]);

/* USB HID keyboard usage (page 07h; SDL_Scancode has the same values) to a keycode; -1 if the
 * key has no PS/2 equivalent. */
int keymap_from_hid(unsigned usage);

/* A character on the US layout: its keycode and whether Shift is held. '\n' and '\r' are Enter,
 * '\t' Tab, '\b' Backspace, 0x1B Esc. False for anything else untypeable. */
bool keymap_from_ascii(char c, int *keycode, bool *shift);

/* A key name, QEMU's sendkey spelling ("ret", "esc", "f1", "shift", "ctrl_r", "kp_divide",
 * "delete", "a", "1", "minus" ...) and a few aliases ("enter", "del", "win"), case-insensitive;
 * len bytes of name. -1 if unknown. */
int keymap_from_name(const char *name, size_t len);

/* A chord: names joined by '-' ("ctrl-alt-delete", "shift-a"), pressed in order and released in
 * reverse. Returns the number of keycodes written to codes (at most max), or 0 if a name is
 * unknown or there are too many. */
unsigned keymap_parse_chord(const char *s, size_t len, int *codes, unsigned max);

/* One step of typed text. A group is one key or chord; groups are spaced further apart in time
 * than the events inside one (frontends/display.c says how far). */
struct keymap_event {
    int keycode;
    bool down;
    bool group_start;        /* first event of a key or chord */
};

/* Parses --keys text: characters as typed on a US keyboard (Shift added where needed), the
 * escapes \n (Enter) \r \e (Esc) \b (Backspace) \t (Tab) \\ \< and <chord> for named keys
 * (<f8>, <up>, <ctrl-alt-delete>). Writes up to max events and returns how many the text needs
 * (call with max 0 to size the array), or 0 with a one-line reason in why on a parse error. An
 * empty text needs 0 events and is not an error (why is set to ""). */
size_t keymap_parse_text(const char *text, struct keymap_event *ev, size_t max, char *why, size_t whylen);

#endif
