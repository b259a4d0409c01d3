/* The 8042 keyboard controller with a PS/2 keyboard and mouse (see i8042.h for the sources).
 *
 * Data path: the keyboard and the mouse each queue the bytes they send; the controller owns one
 * output buffer. Whenever that buffer is empty it takes the next byte: its own replies first,
 * then the keyboard's (translated to set 1 if command byte bit 6 is set), then the mouse's. A
 * device whose clock the command byte disables (bits 4/5, commands 0xAD/0xA7) keeps its bytes
 * until it is enabled again. Setting OBF raises IRQ 1 or IRQ 12 if the command byte enables it;
 * reading port 0x60 lowers the line, and the next byte, if any, raises it again (an edge per
 * byte, as the 8259 needs). Devices answer at once: the ~1 ms a real PS/2 byte takes is not
 * modelled, the guest only ever sees the reply sooner. */
#include "i8042.h"

#include <string.h>

/* Status register, port 0x64 (HelpPC; aeb §10 "the status register"). */
#define ST_OBF 0x01        /* output buffer full: port 0x60 has a byte */
#define ST_IBF 0x02        /* input buffer full (never: we take writes at once) */
#define ST_SYS 0x04        /* system flag, set by a passed self test (0xAA) or the command byte */
#define ST_CMD 0x08        /* last write was to 0x64 (command) rather than 0x60 (data) */
#define ST_UNLOCKED 0x10   /* keyboard not inhibited by the key lock */
#define ST_AUXB 0x20       /* the byte in the output buffer comes from the mouse (PS/2) */

/* Command byte (aeb §11, commands 0x20/0x60). */
#define CB_KBD_INT 0x01
#define CB_AUX_INT 0x02
#define CB_SYS 0x04
#define CB_KBD_DIS 0x10
#define CB_AUX_DIS 0x20
#define CB_XLATE 0x40

/* Output port (aeb §11, command 0xD0). */
#define OP_RESET 0x01      /* 0 = hold the CPU in reset */
#define OP_A20 0x02
#define OP_KBD_OBF 0x10    /* output buffer full with a keyboard byte (drives IRQ 1) */
#define OP_AUX_OBF 0x20    /* output buffer full with a mouse byte (drives IRQ 12) */

#define KBD_ACK 0xFA
#define KBD_RESEND 0xFE
#define KBD_BAT_OK 0xAA

/* Scan code set 2 to set 1, the table the 8042 applies with command byte bit 6 set (aeb §10
 * "translation"; the same table QEMU, 86Box and bhyve use). It applies to every byte the
 * keyboard sends, replies included: 0x00-0x7F are mapped, 0x80-0xFF pass unchanged except 0x83
 * (F7) and 0x84 (Alt+SysRq). */
static const uint8_t set2_to_set1[128] = {
    0xff, 0x43, 0x41, 0x3f, 0x3d, 0x3b, 0x3c, 0x58, 0x64, 0x44, 0x42, 0x40, 0x3e, 0x0f, 0x29, 0x59,
    0x65, 0x38, 0x2a, 0x70, 0x1d, 0x10, 0x02, 0x5a, 0x66, 0x71, 0x2c, 0x1f, 0x1e, 0x11, 0x03, 0x5b,
    0x67, 0x2e, 0x2d, 0x20, 0x12, 0x05, 0x04, 0x5c, 0x68, 0x39, 0x2f, 0x21, 0x14, 0x13, 0x06, 0x5d,
    0x69, 0x31, 0x30, 0x23, 0x22, 0x15, 0x07, 0x5e, 0x6a, 0x72, 0x32, 0x24, 0x16, 0x08, 0x09, 0x5f,
    0x6b, 0x33, 0x25, 0x17, 0x18, 0x0b, 0x0a, 0x60, 0x6c, 0x34, 0x35, 0x26, 0x27, 0x19, 0x0c, 0x61,
    0x6d, 0x73, 0x28, 0x74, 0x1a, 0x0d, 0x62, 0x6e, 0x3a, 0x36, 0x1c, 0x1b, 0x75, 0x2b, 0x63, 0x76,
    0x55, 0x56, 0x77, 0x78, 0x79, 0x7a, 0x0e, 0x7b, 0x7c, 0x4f, 0x7d, 0x4b, 0x47, 0x7e, 0x7f, 0x6f,
    0x52, 0x53, 0x50, 0x4c, 0x4d, 0x48, 0x01, 0x45, 0x57, 0x4e, 0x51, 0x4a, 0x37, 0x49, 0x46, 0x54,
};

static uint8_t xlate(uint8_t b)
{
    if (b < 0x80)
        return set2_to_set1[b];
    if (b == 0x83)
        return 0x41;
    if (b == 0x84)
        return 0x54;
    return b;
}

/* ---- byte queues ---- */

static unsigned q_free(const struct i8042_queue *q, unsigned cap)
{
    return cap - q->count;
}

static void q_push(struct i8042_queue *q, unsigned cap, uint8_t b)
{
    if (q->count < cap) {
        q->data[(q->head + q->count) % cap] = b;
        q->count++;
    }
}

static uint8_t q_pop(struct i8042_queue *q, unsigned cap)
{
    uint8_t b = q->data[q->head];
    q->head = (uint8_t)((q->head + 1) % cap);
    q->count--;
    return b;
}

static void q_clear(struct i8042_queue *q)
{
    q->head = 0;
    q->count = 0;
}

/* ---- output buffer and interrupts ---- */

static void update_irqs(struct i8042 *k)
{
    int l1 = (k->status & ST_OBF) && !(k->status & ST_AUXB) && (k->ram[0] & CB_KBD_INT);
    int l12 = (k->status & ST_OBF) && (k->status & ST_AUXB) && (k->ram[0] & CB_AUX_INT);
    if (l1 != k->irq_level[0]) {
        k->irq_level[0] = (uint8_t)l1;
        irq_set(k->irq, I8042_IRQ_KBD, l1);
    }
    if (l12 != k->irq_level[1]) {
        k->irq_level[1] = (uint8_t)l12;
        irq_set(k->irq, I8042_IRQ_MOUSE, l12);
    }
}

static void set_obuf(struct i8042 *k, uint8_t b, bool aux)
{
    k->obuf = b;
    k->status |= ST_OBF;
    k->status = (uint8_t)(aux ? k->status | ST_AUXB : k->status & ~ST_AUXB);
}

/* Fills an empty output buffer from the controller's replies, the keyboard, then the mouse. */
static void refill(struct i8042 *k)
{
    if (!(k->status & ST_OBF)) {
        if (k->ctrl_count) {
            uint16_t v = k->ctrl_q[0];
            k->ctrl_count--;
            memmove(k->ctrl_q, k->ctrl_q + 1, k->ctrl_count * sizeof k->ctrl_q[0]);
            set_obuf(k, (uint8_t)v, v & 0x100);
        } else if (!(k->ram[0] & CB_KBD_DIS)) {
            while (k->kq.count && !(k->status & ST_OBF)) {
                uint8_t b = q_pop(&k->kq, I8042_KBD_QUEUE);
                if (!(k->ram[0] & CB_XLATE)) {
                    set_obuf(k, b, false);
                } else if (b == 0xF0) {
                    /* aeb §10: with translation a set-2 F0 prefix is swallowed and sets bit 7
                     * of the code that follows. */
                    k->xlat_f0 = true;
                } else {
                    set_obuf(k, (uint8_t)(xlate(b) | (k->xlat_f0 ? 0x80 : 0)), false);
                    k->xlat_f0 = false;
                }
            }
        }
        if (!(k->status & ST_OBF) && !(k->ram[0] & CB_AUX_DIS) && k->mq.count)
            set_obuf(k, q_pop(&k->mq, I8042_MOUSE_QUEUE), true);
    }
    k->outport = (uint8_t)(k->outport & ~(OP_KBD_OBF | OP_AUX_OBF));
    if (k->status & ST_OBF)
        k->outport |= (k->status & ST_AUXB) ? OP_AUX_OBF : OP_KBD_OBF;
    update_irqs(k);
}

static void ctrl_reply(struct i8042 *k, uint8_t b, bool aux)
{
    if (k->ctrl_count < I8042_CTRL_QUEUE)
        k->ctrl_q[k->ctrl_count++] = (uint16_t)(b | (aux ? 0x100 : 0));
    refill(k);
}

/* ---- keyboard ---- */

static void kbd_send(struct i8042 *k, uint8_t b)
{
    q_push(&k->kq, I8042_KBD_QUEUE, b);
    k->kbd_last = b;
}

static void kbd_defaults(struct i8042 *k)
{
    /* computer-engineering.org "PS/2 Keyboard", 0xF6: 10.9 cps / 500 ms, set 2. */
    k->kbd_typematic = 0x2B;
    k->kbd_set = 2;
    k->kbd_set1_f0 = false;
}

static void kbd_reset(struct i8042 *k)
{
    q_clear(&k->kq);
    kbd_defaults(k);
    k->kbd_leds = 0;
    k->kbd_cmd = 0;
    k->kbd_scanning = true;
}

/* A byte the host sends to the keyboard (port 0x60 with no controller command pending). */
static void kbd_write(struct i8042 *k, uint8_t b)
{
    uint8_t cmd = k->kbd_cmd;
    /* An argument is below 0x80 (LED bits, typematic byte, set number); anything else is a new
     * command that replaces the one waiting, as keyboards do. */
    if (cmd && b < 0x80) {
        k->kbd_cmd = 0;
        switch (cmd) {
        case 0xED:
            k->kbd_leds = b & 7;
            kbd_send(k, KBD_ACK);
            break;
        case 0xF3:
            k->kbd_typematic = b;
            kbd_send(k, KBD_ACK);
            break;
        case 0xF0:
            /* aeb §12: 0 asks for the current set (ACK then 1, 2 or 3, and those bytes pass
             * through translation like any other); 1-3 select it. */
            if (b == 0) {
                kbd_send(k, KBD_ACK);
                kbd_send(k, k->kbd_set);
            } else if (b <= 3) {
                k->kbd_set = b;
                k->kbd_set1_f0 = false;
                kbd_send(k, KBD_ACK);
            } else {
                kbd_send(k, KBD_RESEND);
            }
            break;
        }
        return;
    }
    k->kbd_cmd = 0;
    switch (b) {
    case 0xED: /* set LEDs */
    case 0xF3: /* set typematic rate/delay */
    case 0xF0: /* get/set scan code set */
        k->kbd_cmd = b;
        kbd_send(k, KBD_ACK);
        break;
    case 0xEE: /* echo: answered with EE, no ACK */
        kbd_send(k, 0xEE);
        break;
    case 0xF2: /* identify: MF2 keyboard AB 83 */
        kbd_send(k, KBD_ACK);
        kbd_send(k, 0xAB);
        kbd_send(k, 0x83);
        break;
    case 0xF4: /* enable: TechHelp "sends ACK, clears buffer, and starts scanning" */
        q_clear(&k->kq);
        k->kbd_scanning = true;
        kbd_send(k, KBD_ACK);
        break;
    case 0xF5: /* defaults and stop scanning */
        q_clear(&k->kq);
        kbd_defaults(k);
        k->kbd_scanning = false;
        kbd_send(k, KBD_ACK);
        break;
    case 0xF6: /* defaults, keep scanning */
        q_clear(&k->kq);
        kbd_defaults(k);
        k->kbd_scanning = true;
        kbd_send(k, KBD_ACK);
        break;
    case 0xF7: case 0xF8: case 0xF9: case 0xFA: /* set 3 key types for all keys */
        kbd_send(k, KBD_ACK);
        break;
    case 0xFE: /* resend the last byte */
        kbd_send(k, k->kbd_last);
        break;
    case 0xFF: /* reset: ACK, then the self test's result */
        kbd_reset(k);
        kbd_send(k, KBD_ACK);
        kbd_send(k, KBD_BAT_OK);
        break;
    default: /* aeb §12: an unknown command is answered with Resend */
        k->unhandled++;
        kbd_send(k, KBD_RESEND);
        break;
    }
}

void i8042_key_scancodes(struct i8042 *k, const uint8_t *set2, unsigned n)
{
    if (!k->kbd_scanning || n == 0)
        return;
    if (q_free(&k->kq, I8042_KBD_QUEUE) < n) {
        k->kbd_overruns++;   /* drop the whole event rather than half a sequence */
        return;
    }
    for (unsigned i = 0; i < n; i++) {
        uint8_t b = set2[i];
        if (k->kbd_set == 1) {
            /* The keyboard's own set 1: the same mapping the controller's translation uses. */
            if (b == 0xF0) {
                k->kbd_set1_f0 = true;
                continue;
            }
            if (b != 0xE0 && b != 0xE1) {
                b = (uint8_t)(xlate(b) | (k->kbd_set1_f0 ? 0x80 : 0));
                k->kbd_set1_f0 = false;
            }
        }
        kbd_send(k, b);
    }
    refill(k);
}

void i8042_key(struct i8042 *k, int keycode, bool down)
{
    static const uint8_t pause[] = {0xE1, 0x14, 0x77, 0xE1, 0xF0, 0x14, 0xF0, 0x77};
    static const uint8_t print_make[] = {0xE0, 0x12, 0xE0, 0x7C};
    static const uint8_t print_break[] = {0xE0, 0xF0, 0x7C, 0xE0, 0xF0, 0x12};
    uint8_t seq[3];
    unsigned n = 0;

    if (keycode == I8042_KEY_PAUSE) {
        if (down)
            i8042_key_scancodes(k, pause, sizeof pause);
        return;
    }
    if (keycode == I8042_KEY_PRINT) {
        if (down)
            i8042_key_scancodes(k, print_make, sizeof print_make);
        else
            i8042_key_scancodes(k, print_break, sizeof print_break);
        return;
    }
    if (keycode < 0 || keycode > (I8042_KEY_E0 | 0xFF))
        return;
    if (keycode & I8042_KEY_E0)
        seq[n++] = 0xE0;
    if (!down)
        seq[n++] = 0xF0;
    seq[n++] = (uint8_t)keycode;
    i8042_key_scancodes(k, seq, n);
}

/* ---- mouse ---- */

static void mouse_send(struct i8042 *k, uint8_t b)
{
    q_push(&k->mq, I8042_MOUSE_QUEUE, b);
    k->mouse_last[0] = b;
    k->mouse_last_len = 1;
}

static void mouse_defaults(struct i8042 *k)
{
    /* computer-engineering.org "PS/2 Mouse", 0xF6: 100 samples/s, 4 counts/mm, 1:1, disabled. */
    k->mouse_rate = 100;
    k->mouse_resolution = 2;
    k->mouse_scale21 = false;
    k->mouse_reporting = false;
    k->mouse_dx = k->mouse_dy = k->mouse_dz = 0;
}

static void mouse_reset(struct i8042 *k)
{
    q_clear(&k->mq);
    mouse_defaults(k);
    k->mouse_remote = false;
    k->mouse_wrap = false;
    k->mouse_id = 0;
    k->mouse_cmd = 0;
    memset(k->mouse_rates, 0, sizeof k->mouse_rates);
}

/* 2:1 scaling (PS/2 mouse, 0xE7): 0 1 2 3 4 5 -> 0 1 1 3 6 9, beyond that twice the count. */
static int scale21(int v)
{
    static const int t[6] = {0, 1, 1, 3, 6, 9};
    int a = v < 0 ? -v : v;
    int s = a < 6 ? t[a] : 2 * a;
    return v < 0 ? -s : s;
}

/* Builds one movement packet (3 bytes, 4 with ID 3): byte 0 = Yovf Xovf Ysign Xsign 1 M R L,
 * then the 9-bit two's complement X and Y low bytes. A count beyond -256..255 is clamped and
 * its overflow bit set. Returns the packet length. */
static unsigned mouse_packet(struct i8042 *k, int dx, int dy, int dz, uint8_t *p)
{
    uint8_t b0 = 0x08 | (k->mouse_buttons & 7);
    if (dx > 255 || dx < -256) {
        b0 |= 0x40;
        dx = dx > 0 ? 255 : -256;
    }
    if (dy > 255 || dy < -256) {
        b0 |= 0x80;
        dy = dy > 0 ? 255 : -256;
    }
    if (dx < 0)
        b0 |= 0x10;
    if (dy < 0)
        b0 |= 0x20;
    p[0] = b0;
    p[1] = (uint8_t)dx;
    p[2] = (uint8_t)dy;
    if (k->mouse_id != 3)
        return 3;
    p[3] = (uint8_t)(dz > 7 ? 7 : dz < -8 ? -8 : dz);
    return 4;
}

static void mouse_send_packet(struct i8042 *k, int dx, int dy, int dz)
{
    uint8_t p[4];
    unsigned n = mouse_packet(k, dx, dy, dz, p);
    if (q_free(&k->mq, I8042_MOUSE_QUEUE) < n) {
        k->mouse_overruns++;
        return;
    }
    for (unsigned i = 0; i < n; i++)
        q_push(&k->mq, I8042_MOUSE_QUEUE, p[i]);
    memcpy(k->mouse_last, p, n);
    k->mouse_last_len = (uint8_t)n;
}

/* A byte the host sends to the mouse (0xD4 then port 0x60). */
static void mouse_write(struct i8042 *k, uint8_t b)
{
    if (k->mouse_wrap && b != 0xEC && b != 0xFF) {
        mouse_send(k, b);   /* wrap mode echoes everything but "reset wrap" and "reset" */
        return;
    }
    if (k->mouse_cmd) {
        uint8_t cmd = k->mouse_cmd;
        k->mouse_cmd = 0;
        if (cmd == 0xF3) {
            k->mouse_rate = b;
            k->mouse_rates[0] = k->mouse_rates[1];
            k->mouse_rates[1] = k->mouse_rates[2];
            k->mouse_rates[2] = b;
            /* IntelliMouse: rates 200, 100, 80 in a row switch to ID 3 (4-byte packets). */
            if (k->mouse_rates[0] == 200 && k->mouse_rates[1] == 100 && k->mouse_rates[2] == 80)
                k->mouse_id = 3;
        } else {
            k->mouse_resolution = b & 3;
        }
        mouse_send(k, KBD_ACK);
        return;
    }
    switch (b) {
    case 0xE6: /* scaling 1:1 */
    case 0xE7: /* scaling 2:1 */
        k->mouse_scale21 = b == 0xE7;
        mouse_send(k, KBD_ACK);
        break;
    case 0xE8: /* set resolution */
    case 0xF3: /* set sample rate */
        k->mouse_cmd = b;
        mouse_send(k, KBD_ACK);
        break;
    case 0xE9: { /* status: mode, resolution, rate */
        uint8_t s = (uint8_t)((k->mouse_remote ? 0x40 : 0) | (k->mouse_reporting ? 0x20 : 0) |
                              (k->mouse_scale21 ? 0x10 : 0) | ((k->mouse_buttons & 1) << 2) |
                              ((k->mouse_buttons & 4) >> 1) | ((k->mouse_buttons & 2) >> 1));
        mouse_send(k, KBD_ACK);
        mouse_send(k, s);
        mouse_send(k, k->mouse_resolution);
        mouse_send(k, k->mouse_rate);
        break;
    }
    case 0xEA: /* stream mode */
        k->mouse_remote = false;
        mouse_send(k, KBD_ACK);
        break;
    case 0xEB: /* read data: a packet with the motion since the last one */
        mouse_send(k, KBD_ACK);
        mouse_send_packet(k, k->mouse_dx, k->mouse_dy, k->mouse_dz);
        k->mouse_dx = k->mouse_dy = k->mouse_dz = 0;
        break;
    case 0xEC: /* reset wrap mode */
        k->mouse_wrap = false;
        mouse_send(k, KBD_ACK);
        break;
    case 0xEE: /* wrap mode */
        k->mouse_wrap = true;
        mouse_send(k, KBD_ACK);
        break;
    case 0xF0: /* remote mode */
        k->mouse_remote = true;
        mouse_send(k, KBD_ACK);
        break;
    case 0xF2: /* get device ID */
        mouse_send(k, KBD_ACK);
        mouse_send(k, k->mouse_id);
        break;
    case 0xF4: /* enable data reporting (CE-mouse: also clears the movement counters) */
        k->mouse_reporting = true;
        k->mouse_dx = k->mouse_dy = k->mouse_dz = 0;
        mouse_send(k, KBD_ACK);
        break;
    case 0xF5: /* disable data reporting */
        k->mouse_reporting = false;
        k->mouse_dx = k->mouse_dy = k->mouse_dz = 0;
        mouse_send(k, KBD_ACK);
        break;
    case 0xF6: /* set defaults */
        mouse_defaults(k);
        mouse_send(k, KBD_ACK);
        break;
    case 0xFE: { /* resend the last packet or byte */
        uint8_t last[4];
        unsigned n = k->mouse_last_len;
        memcpy(last, k->mouse_last, sizeof last);
        for (unsigned i = 0; i < n; i++)
            q_push(&k->mq, I8042_MOUSE_QUEUE, last[i]);
        break;
    }
    case 0xFF: /* reset: ACK, self test passed, ID 0 */
        mouse_reset(k);
        mouse_send(k, KBD_ACK);
        mouse_send(k, KBD_BAT_OK);
        mouse_send(k, 0x00);
        break;
    default:
        k->unhandled++;
        mouse_send(k, KBD_RESEND);
        break;
    }
}

void i8042_mouse_wheel(struct i8042 *k, int dx, int dy, int dz, unsigned buttons)
{
    k->mouse_buttons = (uint8_t)(buttons & 7);
    if (k->mouse_scale21 && !k->mouse_remote) {
        /* 2:1 scaling applies to stream-mode reports only. */
        dx = scale21(dx);
        dy = scale21(dy);
    }
    if (k->mouse_remote) {
        k->mouse_dx += dx;
        k->mouse_dy += dy;
        k->mouse_dz += dz;
        return;
    }
    if (!k->mouse_reporting || k->mouse_wrap)
        return;
    mouse_send_packet(k, dx, dy, dz);
    refill(k);
}

void i8042_mouse(struct i8042 *k, int dx, int dy, unsigned buttons)
{
    i8042_mouse_wheel(k, dx, dy, 0, buttons);
}

/* ---- controller ---- */

static void write_outport(struct i8042 *k, uint8_t v)
{
    k->outport = (uint8_t)((v & ~(OP_KBD_OBF | OP_AUX_OBF)) | (k->outport & (OP_KBD_OBF | OP_AUX_OBF)));
    if (k->a20)
        k->a20(k->opaque, v & OP_A20);
    if (!(v & OP_RESET)) {
        /* The reset line resets the CPU, not the 8042 (how a 286 left protected mode): the
         * board's reset is a pulse, so the line reads high again afterwards. */
        k->outport |= OP_RESET;
        if (k->reset)
            k->reset(k->opaque);
    }
}

static void ctrl_command(struct i8042 *k, uint8_t c)
{
    if (c >= 0x20 && c <= 0x3F) {         /* read controller RAM; 0x20 = command byte */
        ctrl_reply(k, k->ram[c & 0x1F], false);
        return;
    }
    if ((c >= 0x60 && c <= 0x7F) || c == 0xD1 || c == 0xD2 || c == 0xD3 || c == 0xD4) {
        k->pending = c;                   /* the data byte follows on port 0x60 */
        return;
    }
    if (c >= 0xF0) {
        /* Pulse output port bits 0-3 that are 0 in the command; bit 0 is the reset line. */
        if (!(c & OP_RESET) && k->reset)
            k->reset(k->opaque);
        return;
    }
    switch (c) {
    case 0xA4: /* password installed? F1 = no */
        ctrl_reply(k, 0xF1, false);
        break;
    case 0xA7: /* disable mouse clock */
        k->ram[0] |= CB_AUX_DIS;
        break;
    case 0xA8: /* enable mouse clock */
        k->ram[0] &= (uint8_t)~CB_AUX_DIS;
        refill(k);
        break;
    case 0xA9: /* mouse interface test: 00 = no error */
        ctrl_reply(k, 0x00, false);
        break;
    case 0xAA: /* controller self test: 55 = passed, sets the system flag */
        k->status |= ST_SYS;
        ctrl_reply(k, 0x55, false);
        break;
    case 0xAB: /* keyboard interface test: 00 = no error */
        ctrl_reply(k, 0x00, false);
        break;
    case 0xAD: /* disable keyboard clock */
        k->ram[0] |= CB_KBD_DIS;
        break;
    case 0xAE: /* enable keyboard clock */
        k->ram[0] &= (uint8_t)~CB_KBD_DIS;
        refill(k);
        break;
    case 0xC0: /* input port: bit 7 keyboard not inhibited, bit 5 no manufacturing jumper */
        ctrl_reply(k, 0xA0, false);
        break;
    case 0xD0: /* read output port (bits 4/5 mirror the output buffer) */
        ctrl_reply(k, k->outport, false);
        break;
    case 0xDD: /* HP Vectra compatible A20 off / on */
        write_outport(k, (uint8_t)(k->outport & ~OP_A20));
        break;
    case 0xDF:
        write_outport(k, k->outport | OP_A20);
        break;
    case 0xE0: /* test inputs: keyboard clock and data low */
        ctrl_reply(k, 0x00, false);
        break;
    default:
        k->unhandled++;
        break;
    }
}

static void ctrl_data(struct i8042 *k, uint8_t v)
{
    uint8_t c = k->pending;
    k->pending = 0;
    if (c >= 0x60 && c <= 0x7F) {
        k->ram[c & 0x1F] = v;
        if (c == 0x60) {
            /* The command byte's system flag is mirrored in the status register. */
            k->status = (uint8_t)((k->status & ~ST_SYS) | (v & CB_SYS ? ST_SYS : 0));
            refill(k);   /* the enables may let a held byte through or change the IRQ */
        }
        return;
    }
    switch (c) {
    case 0xD1:
        write_outport(k, v);
        break;
    case 0xD2: /* as if the keyboard had sent v */
        ctrl_reply(k, v, false);
        break;
    case 0xD3: /* as if the mouse had sent v */
        ctrl_reply(k, v, true);
        break;
    case 0xD4:
        mouse_write(k, v);
        refill(k);
        break;
    default:
        /* aeb §11 (0xAD): sending a byte to the keyboard enables its interface again. */
        k->ram[0] &= (uint8_t)~CB_KBD_DIS;
        kbd_write(k, v);
        refill(k);
        break;
    }
}

static uint32_t i8042_read(void *opaque, uint16_t port, unsigned size)
{
    struct i8042 *k = opaque;
    (void)size;
    if (port == 0x64)
        return k->status;
    uint8_t b = k->obuf;   /* with OBF clear, the last byte again (as QEMU does) */
    if (k->status & ST_OBF) {
        k->status &= (uint8_t)~(ST_OBF | ST_AUXB);
        update_irqs(k);    /* lower the line, so the next byte makes a new edge */
        refill(k);
    }
    return b;
}

static void i8042_write(void *opaque, uint16_t port, uint32_t value, unsigned size)
{
    struct i8042 *k = opaque;
    (void)size;
    if (port == 0x64) {
        k->status |= ST_CMD;
        ctrl_command(k, (uint8_t)value);
    } else {
        k->status &= (uint8_t)~ST_CMD;
        ctrl_data(k, (uint8_t)value);
    }
}

void i8042_reset(struct i8042 *k)
{
    struct irq_bus *irq = k->irq;
    struct clock *clk = k->clk;
    void (*a20)(void *, bool) = k->a20;
    void (*reset)(void *) = k->reset;
    void *opaque = k->opaque;
    bool raised1 = k->irq_level[0], raised12 = k->irq_level[1];
    uint64_t unhandled = k->unhandled, kov = k->kbd_overruns, mov = k->mouse_overruns;

    memset(k, 0, sizeof *k);
    k->unhandled = unhandled;   /* counters are for the whole run (--stats) */
    k->kbd_overruns = kov;
    k->mouse_overruns = mov;
    k->irq = irq;
    k->clk = clk;
    k->a20 = a20;
    k->reset = reset;
    k->opaque = opaque;
    if (raised1)
        irq_set(k->irq, I8042_IRQ_KBD, 0);
    if (raised12)
        irq_set(k->irq, I8042_IRQ_MOUSE, 0);
    k->status = ST_UNLOCKED;
    /* Both interrupts on, translation off, as QEMU's controller comes up: the BIOS writes the
     * command byte it wants before it looks at the keyboard. */
    k->ram[0] = CB_KBD_INT | CB_AUX_INT;
    k->outport = OP_RESET | OP_A20;
    kbd_reset(k);
    mouse_reset(k);
}

int i8042_init(struct i8042 *k, struct iobus *io, struct irq_bus *irq, struct clock *clk,
               void (*a20)(void *, bool), void (*reset)(void *), void *opaque)
{
    memset(k, 0, sizeof *k);
    k->irq = irq;
    k->clk = clk;
    k->a20 = a20;
    k->reset = reset;
    k->opaque = opaque;
    i8042_reset(k);
    if (io_map(io, 0x60, 1, i8042_read, i8042_write, k) < 0)
        return -1;
    return io_map(io, 0x64, 1, i8042_read, i8042_write, k);
}
