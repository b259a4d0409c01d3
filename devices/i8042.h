/* The 8042 keyboard controller (ports 0x60 data, 0x64 status/command) with a PS/2 keyboard
 * (IRQ 1) and a PS/2 mouse (IRQ 12) behind it, as SeaBIOS, Linux and DOS drive them.
 * Sources: HelpPC "8042 - Keyboard Controller"; A. Brouwer, "Keyboard scancodes" (aeb) §10-§13;
 * A. Chapweske, "The PS/2 Keyboard Interface" / "The PS/2 Mouse Interface" (computer-engineering.org).
 *
 * Input (DESIGN.md "Determinism"): keys and mouse motion come from the machine's input queue
 * through the functions below, never from the host directly. Typematic repeat is the input
 * source's business (it sends the make code again); the keyboard has no repeat timer. */
#ifndef JITPC_I8042_H
#define JITPC_I8042_H

#include <stdbool.h>
#include <stdint.h>

#include "core/clock.h"
#include "core/ioport.h"
#include "core/irq.h"

#define I8042_IRQ_KBD 1
#define I8042_IRQ_MOUSE 12

/* Keycodes for i8042_key(): the key's scan code set 2 make code (0x00-0x7F, plus 0x83 = F7),
 * I8042_KEY_E0 | code for the E0-prefixed keys (arrows, right Ctrl/Alt, keypad Enter and /, ...),
 * and two keys whose sequences fit neither pattern. */
#define I8042_KEY_E0 0x100
#define I8042_KEY_PAUSE 0x200   /* make E1 14 77 E1 F0 14 F0 77, no break code */
#define I8042_KEY_PRINT 0x201   /* make E0 12 E0 7C, break E0 F0 7C E0 F0 12 */

#define I8042_KBD_QUEUE 16      /* a PS/2 keyboard buffers about 16 bytes; past that, events drop */
#define I8042_MOUSE_QUEUE 64
#define I8042_CTRL_QUEUE 8

struct i8042_queue {
    uint8_t head, count;
    uint8_t data[I8042_MOUSE_QUEUE];
};

struct i8042 {
    /* Controller. */
    uint8_t status;              /* port 0x64 read */
    uint8_t ram[32];             /* ram[0] is the command byte (0x20/0x60) */
    uint8_t outport;             /* output port (0xD0/0xD1): bit 0 reset (active low), bit 1 A20 */
    uint8_t obuf;                /* the byte in the output buffer while status.OBF is set */
    uint8_t pending;             /* controller command waiting for its byte on port 0x60, or 0 */
    bool xlat_f0;                /* translation saw an F0 prefix: next code gets bit 7 */
    uint8_t irq_level[2];        /* current levels of IRQ 1 and IRQ 12 */
    uint8_t ctrl_count;          /* controller replies, they go out before device bytes */
    uint16_t ctrl_q[I8042_CTRL_QUEUE];   /* byte | 0x100 when it is to look like mouse data */

    /* Keyboard. */
    struct i8042_queue kq;
    bool kbd_scanning;
    bool kbd_set1_f0;            /* set 1 output: the set-2 F0 prefix seen, next gets bit 7 */
    uint8_t kbd_set;             /* 1, 2 or 3 */
    uint8_t kbd_leds;
    uint8_t kbd_typematic;
    uint8_t kbd_cmd;             /* command waiting for its argument (0xED, 0xF3, 0xF0) or 0 */
    uint8_t kbd_last;            /* last byte sent, for 0xFE resend */

    /* Mouse. */
    struct i8042_queue mq;
    bool mouse_reporting;
    bool mouse_remote;
    bool mouse_wrap;
    bool mouse_scale21;
    uint8_t mouse_rate;
    uint8_t mouse_resolution;
    uint8_t mouse_id;            /* 0, or 3 after the IntelliMouse knock (rates 200, 100, 80) */
    uint8_t mouse_cmd;           /* command waiting for its argument (0xF3, 0xE8) or 0 */
    uint8_t mouse_rates[3];      /* last three sample rates set, newest last */
    uint8_t mouse_buttons;       /* bit 0 left, bit 1 right, bit 2 middle */
    int32_t mouse_dx, mouse_dy, mouse_dz;   /* remote mode: motion since the last 0xEB */
    uint8_t mouse_last[4];       /* last packet or byte sent, for 0xFE resend */
    uint8_t mouse_last_len;

    /* Counters (--stats). */
    uint64_t unhandled;          /* controller commands and device bytes we do not implement */
    uint64_t kbd_overruns;       /* key events dropped because the keyboard buffer was full */
    uint64_t mouse_overruns;     /* packets dropped because the mouse buffer was full */

    /* Host side, rebuilt on restore, never serialised. */
    struct irq_bus *irq;
    struct clock *clk;
    void (*a20)(void *opaque, bool enabled);
    void (*reset)(void *opaque);
    void *opaque;
};

/* Power-on state (command byte 0x03, output port with reset and A20 high, keyboard scanning in
 * set 2, mouse reporting off) and maps ports 0x60 and 0x64. a20(opaque, on) is called on every
 * write of the output port (0xD1, 0xDD, 0xDF); reset(opaque) when the guest pulls the reset line
 * (output port bit 0 written 0, or pulse commands 0xF0-0xFE with bit 0 clear). Either callback may
 * be NULL. Returns 0, or -1 when the port bus has no room. */
int i8042_init(struct i8042 *k, struct iobus *io, struct irq_bus *irq, struct clock *clk,
               void (*a20)(void *, bool), void (*reset)(void *), void *opaque);

/* Back to the power-on state above (a board reset); the ports stay mapped, a raised IRQ line is
 * lowered, the callbacks are not called (the board sets its own A20 state on reset). */
void i8042_reset(struct i8042 *k);

/* One key event as scan code set 2 bytes (e.g. 1C, or F0 1C; E0 75, or E0 F0 75). The keyboard
 * sends them in its current set (set 1 converted from set 2; set 3 is answered but sends set 2)
 * and the controller translates to set 1 when command byte bit 6 is set. */
void i8042_key_scancodes(struct i8042 *k, const uint8_t *set2, unsigned n);

/* One key event by keycode (see I8042_KEY_*): builds the set 2 bytes and sends them as above. */
void i8042_key(struct i8042 *k, int keycode, bool down);

/* Mouse motion in PS/2 directions (dx > 0 right, dy > 0 up: a host with y growing downwards
 * negates it) and the buttons held (bit 0 left, bit 1 right, bit 2 middle). */
void i8042_mouse(struct i8042 *k, int dx, int dy, unsigned buttons);
/* The same with a wheel (dz > 0 = towards the user), reported once the guest has switched the
 * mouse to IntelliMouse (ID 3) packets; otherwise dz is dropped. */
void i8042_mouse_wheel(struct i8042 *k, int dx, int dy, int dz, unsigned buttons);

#endif
