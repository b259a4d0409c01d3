/* The front-end side of the screen and keyboard (issues 9 and 11): which display runs (-display
 * sdl|term|none), the frame loop that runs between CPU slices, the window title, and all
 * keyboard/mouse input into the PS/2 controller, host or scripted.
 *
 * Determinism (DESIGN.md): the display only reads the machine. Rendering is paced by the host
 * clock (at most 60 frames per host second) but never changes guest state. Input enters the
 * guest only at instruction-count-stamped points: host events between CPU slices, scripted keys
 * (--keys, sendkey, the terminal's typed keys) as virtual-clock events. */
#ifndef JITPC_DISPLAY_H
#define JITPC_DISPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pc;
struct display;

enum display_kind {
    DISPLAY_NONE,    /* no screen output; --keys and sendkey still type */
    DISPLAY_SDL,     /* an SDL2 window with the VGA frame, keyboard and mouse */
    DISPLAY_TERM,    /* text modes drawn in the terminal with ANSI colours, keys from stdin */
};

/* Scripted typing timeline, in virtual time: the keys of one group (a character, or a chord
 * such as Shift+a or Ctrl+Alt+Delete) go down and up DISPLAY_KEY_HOLD_NS apart; the next group
 * starts DISPLAY_KEY_GAP_NS after the previous group's last event. --keys without --keys-at
 * starts DISPLAY_KEYS_DEFAULT_NS after power-on. */
#define DISPLAY_KEY_HOLD_NS 1000000ull        /* 1 ms */
#define DISPLAY_KEY_GAP_NS 20000000ull        /* 20 ms */
#define DISPLAY_KEYS_DEFAULT_NS 1000000000ull /* 1 s: instruction 100,000,000 at the default --ips */

/* "sdl", "term" or "none" (also QEMU's "curses" for term); false if unknown. */
bool display_parse(const char *name, enum display_kind *kind);

/* QEMU's default: a window when there is a graphical session ($DISPLAY or $WAYLAND_DISPLAY set)
 * and -nographic was not given; otherwise none. */
enum display_kind display_default(bool nographic);

/* Opens the display for a built PC and hooks it into the board's between-slices poll
 * (pc->display). On failure (no X server, not a terminal) writes a one-line reason to why and
 * returns NULL. Call after pc_init and before running; display_close before pc_free. */
struct display *display_open(struct pc *pc, enum display_kind kind, char *why, size_t whylen);
void display_close(struct display *d);

/* Between CPU slices (the board's poll_input): host events into the keyboard and mouse, a new
 * frame when the screen changed and 1/60 s of host time has passed, the title once a second.
 * Closing the window, or Ctrl-A x in -display term, asks the machine to exit with status 0. */
void display_poll(struct display *d);

/* --keys / --keys-at: types text (keymap.h syntax: \n \e \b \t, <f8>, <ctrl-alt-delete>)
 * starting at guest instruction at_insn, i.e. virtual time at_insn / ips (without --realtime
 * that is exactly the instruction count). Returns false with a reason on a parse error. */
bool display_type_at(struct display *d, uint64_t at_insn, const char *text, char *why, size_t whylen);

/* The same at a virtual time (ns since power-on). */
bool display_type_at_ns(struct display *d, uint64_t at_ns, const char *text, char *why, size_t whylen);

/* The monitor's sendkey: one chord in QEMU's syntax ("ctrl-alt-delete", "shift-a", "ret"),
 * pressed at the current virtual time and released in reverse order DISPLAY_KEY_HOLD_NS apart. */
bool display_sendkey(struct display *d, const char *keys, char *why, size_t whylen);

#endif
