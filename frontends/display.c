/* The display front end: see display.h. Input paths, all into the PS/2 controller (i8042.h):
 *   - the SDL window's keys and mouse, between CPU slices (sdl.c),
 *   - scripted keys (--keys, --keys-at, sendkey) and the terminal's typed keys, as virtual-clock
 *     events on the timeline of display.h (press, release DISPLAY_KEY_HOLD_NS later, the next key
 *     DISPLAY_KEY_GAP_NS after that), so a script gives the same run every time. */
#include "display.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "keymap.h"
#include "pc.h"
#include "sdl.h"
#include "term.h"

#define FRAME_HOST_NS 16666667ull     /* at most 60 frames per host second */
#define EVENTS_HOST_NS 2000000ull     /* host events looked at every 2 ms at most */
#define TITLE_HOST_NS 1000000000ull   /* the MIPS figure once a second */
#define MAX_SCRIPTS 16

struct keyscript {
    struct display *d;
    struct keymap_event *ev;
    size_t n, cap, next;
    uint64_t when;              /* virtual ns of ev[next] */
};

struct cell {
    char ch[4];                 /* UTF-8 */
    uint8_t len, attr;
};

struct display {
    struct pc *pc;
    enum display_kind kind;
    struct keyscript scripts[MAX_SCRIPTS];
    struct keyscript *live;     /* the terminal's typing, appended as keys arrive */
    uint64_t last_events, last_frame, last_title;
    uint64_t title_icount;
    uint64_t renders;           /* the VGA's render count after our last render */
    bool full;                  /* next frame: everything, someone else rendered in between */
    /* -display sdl */
    struct sdl_window *sdl;
    /* -display term */
    struct term term;
    bool term_open;
    char *text;
    size_t text_size;
    struct cell *cells;         /* what the terminal shows, cols x rows */
    unsigned cols, rows;
    bool drawn;                 /* the terminal holds a text screen of ours */
    unsigned notice_w, notice_h;   /* graphics mode notice shown for this size */
    uint64_t last_notice;          /* host time the graphics mode size was last looked at */
    char *obuf;                 /* terminal output of the frame being drawn */
    size_t olen, ocap;
    int cur_row, cur_col;       /* where the terminal's cursor was left shown, -1: hidden */
    uint8_t esc[16];            /* an escape sequence being read from stdin */
    unsigned esc_len;
};

static uint64_t host_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

bool display_parse(const char *name, enum display_kind *kind)
{
    if (!strcmp(name, "sdl") || !strcmp(name, "sdl2"))
        *kind = DISPLAY_SDL;
    else if (!strcmp(name, "term") || !strcmp(name, "curses"))
        *kind = DISPLAY_TERM;
    else if (!strcmp(name, "none"))
        *kind = DISPLAY_NONE;
    else
        return false;
    return true;
}

enum display_kind display_default(bool nographic)
{
    const char *x = getenv("DISPLAY"), *wl = getenv("WAYLAND_DISPLAY");
    if (!nographic && ((x && *x) || (wl && *wl)))
        return DISPLAY_SDL;
    return DISPLAY_NONE;
}

/* ---- input into the keyboard and mouse ---- */

static void send_key(struct display *d, int keycode, bool down)
{
    uint8_t b[KEYMAP_MAX_SET2];
    unsigned n = keymap_set2(keycode, down, b);
    if (n)
        i8042_key_scancodes(&d->pc->kbd, b, n);
}

static void script_fire(void *opaque)
{
    struct keyscript *s = opaque;
    struct clock *clk = &s->d->pc->clock;
    uint64_t now = clock_now(clk);
    while (s->next < s->n && s->when <= now) {
        const struct keymap_event *e = &s->ev[s->next++];
        send_key(s->d, e->keycode, e->down);
        if (s->next < s->n)
            s->when += s->ev[s->next].group_start ? DISPLAY_KEY_GAP_NS : DISPLAY_KEY_HOLD_NS;
    }
    if (s->next < s->n)
        clock_schedule(clk, s->when, script_fire, s);
}

static bool script_busy(const struct keyscript *s)
{
    return s->next < s->n;
}

/* Appends events to a script; an idle one starts again at virtual time at. */
static bool script_append(struct keyscript *s, const struct keymap_event *ev, size_t n, uint64_t at)
{
    if (!n)
        return true;
    bool idle = !script_busy(s);
    if (idle)
        s->n = s->next = 0;
    if (s->n + n > s->cap) {
        size_t cap = (s->n + n) * 2;
        struct keymap_event *p = realloc(s->ev, cap * sizeof(*p));
        if (!p)
            return false;
        s->ev = p;
        s->cap = cap;
    }
    memcpy(s->ev + s->n, ev, n * sizeof(*ev));
    s->n += n;
    if (idle) {
        s->when = at;
        return clock_schedule(&s->d->pc->clock, at, script_fire, s);
    }
    return true;
}

static struct keyscript *script_new(struct display *d)
{
    for (unsigned i = 0; i < MAX_SCRIPTS; i++)
        if (!script_busy(&d->scripts[i]) && &d->scripts[i] != d->live)
            return &d->scripts[i];
    return NULL;
}

static bool type_events(struct keyscript *s, const struct keymap_event *ev, size_t n, uint64_t at, char *why,
                        size_t whylen)
{
    if (!s) {
        snprintf(why, whylen, "more than %d key scripts at once", MAX_SCRIPTS);
        return false;
    }
    if (!script_append(s, ev, n, at)) {
        snprintf(why, whylen, "out of memory (or the clock's event queue is full)");
        return false;
    }
    return true;
}

bool display_type_at_ns(struct display *d, uint64_t at_ns, const char *text, char *why, size_t whylen)
{
    size_t n = keymap_parse_text(text, NULL, 0, why, whylen);
    if (!n)
        return why[0] == '\0';
    struct keymap_event *ev = malloc(n * sizeof(*ev));
    if (!ev) {
        snprintf(why, whylen, "out of memory");
        return false;
    }
    keymap_parse_text(text, ev, n, why, whylen);
    bool ok = type_events(script_new(d), ev, n, at_ns, why, whylen);
    free(ev);
    return ok;
}

bool display_type_at(struct display *d, uint64_t at_insn, const char *text, char *why, size_t whylen)
{
    /* The clock's virtual time is instructions / ips from power-on (core/clock.c). */
    uint64_t ns = (uint64_t)(((unsigned __int128)at_insn * 1000000000u + d->pc->clock.ips - 1) / d->pc->clock.ips);
    return display_type_at_ns(d, ns, text, why, whylen);
}

static bool type_chord(struct display *d, const int *codes, unsigned count);

/* Successive sendkeys (and the terminal's keys) queue up on one timeline, as typing does. */
bool display_sendkey(struct display *d, const char *keys, char *why, size_t whylen)
{
    int codes[KEYMAP_MAX_CHORD];
    unsigned count = keymap_parse_chord(keys, strlen(keys), codes, KEYMAP_MAX_CHORD);
    if (!count) {
        snprintf(why, whylen, "sendkey %s: unknown key (QEMU's names: ctrl-alt-delete, shift-a, ret, esc, f1 ...)",
                 keys);
        return false;
    }
    if (!type_chord(d, codes, count)) {
        snprintf(why, whylen, "sendkey: out of memory");
        return false;
    }
    return true;
}

/* ---- SDL ---- */

static void sdl_key(void *opaque, int keycode, bool down)
{
    send_key(opaque, keycode, down);
}

static int clamp9(int v)
{
    /* A PS/2 packet carries 9-bit two's complement motion (-256..255). */
    return v < -255 ? -255 : v > 255 ? 255 : v;
}

static void sdl_mouse(void *opaque, int dx, int dy, int dz, unsigned buttons)
{
    struct display *d = opaque;
    /* PS/2 counts y upwards and the wheel towards the user; SDL the other way round. */
    i8042_mouse_wheel(&d->pc->kbd, clamp9(dx), clamp9(-dy), dz < -8 ? 8 : dz > 8 ? -8 : -dz, buttons);
}

static void sdl_quit(void *opaque)
{
    struct display *d = opaque;
    machine_request_exit(&d->pc->m, 0);   /* as Ctrl-A x: main's pc_free closes the disks */
}

static bool square_pixels(const struct vga *v)
{
    return v->s.dispi[VBE_DISPI_INDEX_ENABLE] & VBE_DISPI_ENABLED;
}

static void sdl_render(struct display *d)
{
    struct vga *v = &d->pc->vga;
    if (!v->vram)
        return;
    struct vga_frame f;
    bool changed = vga_render(v, &f);
    /* Screenshots render too; their dirty rows were never shown here. */
    if (d->full || v->stats.renders != d->renders + 1) {
        f.dirty_y0 = 0;
        f.dirty_y1 = f.height;
        changed = true;
    }
    d->renders = v->stats.renders;
    d->full = false;
    if (changed)
        sdl_frame(d->sdl, f.pixels, f.width, f.height, f.dirty_y0, f.dirty_y1, square_pixels(v));
}

/* ---- the terminal ---- */

/* A text cell's memory address (rs = 0) as the CRTC forms it: doubleword, word or byte mode
 * and the MAP13/MAP14 substitution (FreeVGA, CRTC Mode Control register 17h and Underline
 * Location register 14h bit 6). Plane 0 holds the character, plane 1 the attribute. */
static uint32_t text_address(const struct vga_state *s, uint32_t ma)
{
    uint8_t mode = s->crtc[0x17];
    uint32_t a;
    ma &= 0xFFFF;
    if (s->crtc[0x14] & 0x40)
        a = (ma << 2) | ((ma >> 14) & 3);
    else if (!(mode & 0x40))
        a = (ma << 1) | ((ma >> ((mode & 0x20) ? 15 : 13)) & 1);
    else
        a = ma;
    if (!(mode & 0x01))
        a &= ~0x2000u;
    if (!(mode & 0x02))
        a &= ~0x4000u;
    return a & 0xFFFF;
}

/* Terminal output is collected per frame and written in one go. stdout may share stdin's
 * non-blocking file description (a terminal opened once for both), so a full terminal gives
 * EAGAIN: wait for it a little, and if it does not drain, drop the frame and redraw it all later. */
static void out(struct display *d, const char *s, size_t n)
{
    if (d->olen + n > d->ocap) {
        size_t cap = (d->olen + n) * 2 + 4096;
        char *p = realloc(d->obuf, cap);
        if (!p)
            return;
        d->obuf = p;
        d->ocap = cap;
    }
    memcpy(d->obuf + d->olen, s, n);
    d->olen += n;
}

static void outs(struct display *d, const char *s)
{
    out(d, s, strlen(s));
}

static void out_flush(struct display *d)
{
    size_t done = 0;
    int waits = 0;
    while (done < d->olen) {
        ssize_t n = write(STDOUT_FILENO, d->obuf + done, d->olen - done);
        if (n > 0) {
            done += (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        struct pollfd pfd = {STDOUT_FILENO, POLLOUT, 0};
        if (n < 0 && errno == EAGAIN && waits++ < 10 && poll(&pfd, 1, 20) >= 0)
            continue;
        d->drawn = false;          /* the terminal holds some unknown part of the frame */
        d->notice_w = d->notice_h = 0;
        break;
    }
    d->olen = 0;
}

/* The 16 text colours in the IBM order (black, blue, green, cyan, red, magenta, brown, light
 * grey, then the bright ones) as ANSI SGR colour numbers (black, red, green, yellow, blue,
 * magenta, cyan, white; 90-97 and 100-107 bright, ECMA-48 / xterm). */
static void sgr(struct display *d, uint8_t attr, bool blink_mode)
{
    static const uint8_t ansi[8] = {0, 4, 2, 6, 1, 5, 3, 7};
    unsigned fg = attr & 0x0F, bg = attr >> 4;
    bool blink = blink_mode && (attr & 0x80);
    if (blink_mode)
        bg &= 7;
    char b[40];
    snprintf(b, sizeof(b), "\x1b[0;%u;%u%sm", (fg & 8 ? 90 : 30) + ansi[fg & 7], (bg & 8 ? 100 : 40) + ansi[bg & 7],
             blink ? ";5" : "");
    outs(d, b);
}

static void term_notice(struct display *d, unsigned w, unsigned h)
{
    if (d->notice_w == w && d->notice_h == h && !d->drawn)
        return;
    d->notice_w = w;
    d->notice_h = h;
    d->drawn = false;
    char b[160];
    snprintf(b, sizeof(b), "\x1b[0m\x1b[H\x1b[2J\x1b[?25ljitpc: the guest is in a %ux%u graphics mode (-display sdl shows it)",
             w, h);
    outs(d, b);
    out_flush(d);
}

static void term_render(struct display *d, uint64_t now)
{
    struct vga *v = &d->pc->vga;
    if (!v->vram)
        return;
    size_t need = vga_text(v, d->text, d->text_size);
    if (need >= d->text_size) {
        char *p = realloc(d->text, need + 1);
        if (!p)
            return;
        d->text = p;
        d->text_size = need + 1;
        need = vga_text(v, d->text, d->text_size);
    }
    if (!need) {
        struct vga_frame f;
        if (d->drawn || !d->notice_w || now - d->last_notice >= TITLE_HOST_NS) {
            d->last_notice = now;
            vga_render(v, &f);
            d->full = true;
            term_notice(d, f.width, f.height);
        }
        return;
    }
    const struct vga_state *s = &v->s;
    unsigned cols = s->crtc[0x01] + 1u, rows = 0;
    for (const char *p = d->text; *p; p++)
        rows += *p == '\n';
    struct winsize ws;
    unsigned tcols = cols, trows = rows;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col && ws.ws_row) {
        tcols = ws.ws_col < cols ? ws.ws_col : cols;
        trows = ws.ws_row < rows ? ws.ws_row : rows;
    }
    bool full = !d->drawn || cols != d->cols || rows != d->rows;
    if (full) {
        struct cell *c = calloc((size_t)cols * rows, sizeof(*c));
        if (!c)
            return;
        free(d->cells);
        d->cells = c;
        d->cols = cols;
        d->rows = rows;
        outs(d, "\x1b[0m\x1b[H\x1b[2J");
        d->drawn = true;
        d->notice_w = d->notice_h = 0;
    }
    bool blink_mode = s->ar[0x10] & 0x08;   /* Attribute Mode Control bit 3: bit 7 blinks */
    uint32_t start = (uint32_t)s->crtc[0x0C] << 8 | s->crtc[0x0D], pitch = s->crtc[0x13] * 2u;
    const char *p = d->text;
    int cur_attr = -1, at_row = -1, at_col = -1;
    for (unsigned r = 0; r < rows; r++) {
        for (unsigned c = 0; c < cols; c++) {
            struct cell nc = {{' '}, 1, 0};
            if (*p && *p != '\n') {
                unsigned len = ((unsigned char)*p < 0x80) ? 1 : ((unsigned char)*p >= 0xE0) ? 3 : 2;
                for (unsigned i = 0; i < len && p[i]; i++)
                    nc.ch[i] = p[i];
                nc.len = (uint8_t)len;
                p += len;
            }
            nc.attr = v->vram[(text_address(s, start + r * pitch + c) << 2) | 1];
            struct cell *old = &d->cells[r * cols + c];
            if (!full && old->len == nc.len && old->attr == nc.attr && !memcmp(old->ch, nc.ch, nc.len))
                continue;
            *old = nc;
            if (r >= trows || c >= tcols)
                continue;
            if ((int)r != at_row || (int)c != at_col) {
                char b[24];
                snprintf(b, sizeof(b), "\x1b[%u;%uH", r + 1, c + 1);
                outs(d, b);
            }
            if (nc.attr != cur_attr) {
                sgr(d, nc.attr, blink_mode);
                cur_attr = nc.attr;
            }
            out(d, nc.ch, nc.len);
            at_row = (int)r;
            at_col = (int)c + 1;
        }
        while (*p && *p != '\n')
            p++;              /* a line longer than the CRTC's columns: cannot happen, be safe */
        if (*p == '\n')
            p++;
    }
    /* The hardware cursor (CRTC 0Eh/0Fh, hidden by 0Ah bit 5). */
    uint32_t cur = (uint32_t)s->crtc[0x0E] << 8 | s->crtc[0x0F];
    bool shown = !(s->crtc[0x0A] & 0x20) && pitch && cur >= start;
    unsigned crow = shown ? (cur - start) / pitch : 0, ccol = shown ? (cur - start) % pitch : 0;
    shown = shown && crow < trows && ccol < tcols;
    int row = shown ? (int)crow : -1, col = shown ? (int)ccol : -1;
    if (!d->olen && row == d->cur_row && col == d->cur_col)
        return;                   /* nothing changed: nothing written */
    char b[40];
    if (shown)
        snprintf(b, sizeof(b), "\x1b[0m\x1b[%u;%uH\x1b[?25h", crow + 1, ccol + 1);
    else
        snprintf(b, sizeof(b), "\x1b[0m\x1b[?25l");
    outs(d, b);
    d->cur_row = row;
    d->cur_col = col;
    out_flush(d);
}

/* Escape sequences of xterm-style terminals (ECMA-48 CSI and SS3) to keys. */
static int escape_key(const uint8_t *e, unsigned n)
{
    static const struct {
        const char *seq;
        int key;
    } seqs[] = {
        {"[A", I8042_KEY_E0 | 0x75}, {"[B", I8042_KEY_E0 | 0x72}, {"[C", I8042_KEY_E0 | 0x74},
        {"[D", I8042_KEY_E0 | 0x6B}, {"[H", I8042_KEY_E0 | 0x6C}, {"[F", I8042_KEY_E0 | 0x69},
        {"OA", I8042_KEY_E0 | 0x75}, {"OB", I8042_KEY_E0 | 0x72}, {"OC", I8042_KEY_E0 | 0x74},
        {"OD", I8042_KEY_E0 | 0x6B}, {"OH", I8042_KEY_E0 | 0x6C}, {"OF", I8042_KEY_E0 | 0x69},
        {"[1~", I8042_KEY_E0 | 0x6C}, {"[2~", I8042_KEY_E0 | 0x70}, {"[3~", I8042_KEY_E0 | 0x71},
        {"[4~", I8042_KEY_E0 | 0x69}, {"[5~", I8042_KEY_E0 | 0x7D}, {"[6~", I8042_KEY_E0 | 0x7A},
        {"[7~", I8042_KEY_E0 | 0x6C}, {"[8~", I8042_KEY_E0 | 0x69},
        {"OP", 0x05}, {"OQ", 0x06}, {"OR", 0x04}, {"OS", 0x0C},
        {"[11~", 0x05}, {"[12~", 0x06}, {"[13~", 0x04}, {"[14~", 0x0C}, {"[15~", 0x03},
        {"[17~", 0x0B}, {"[18~", 0x83}, {"[19~", 0x0A}, {"[20~", 0x01}, {"[21~", 0x09},
        {"[23~", 0x78}, {"[24~", 0x07},
    };
    for (size_t i = 0; i < sizeof(seqs) / sizeof(seqs[0]); i++)
        if (strlen(seqs[i].seq) == n - 1 && !memcmp(seqs[i].seq, e + 1, n - 1))
            return seqs[i].key;
    return -1;
}

static bool type_chord(struct display *d, const int *codes, unsigned count)
{
    struct keymap_event ev[2 * KEYMAP_MAX_CHORD];
    unsigned n = 0;
    for (unsigned i = 0; i < count; i++)
        ev[n++] = (struct keymap_event){codes[i], true, i == 0};
    for (unsigned i = count; i-- > 0;)
        ev[n++] = (struct keymap_event){codes[i], false, false};
    if (!d->live)
        d->live = script_new(d);
    return d->live && script_append(d->live, ev, n, clock_now(&d->pc->clock));
}

static void term_byte(struct display *d, uint8_t c)
{
    int codes[2];
    bool shift;
    if (c == '\r' || c == '\n') {
        codes[0] = 0x5A;
        type_chord(d, codes, 1);
    } else if (c == 0x7F || c == 0x08) {
        codes[0] = 0x66;
        type_chord(d, codes, 1);
    } else if (c >= 1 && c <= 26 && c != '\t') {
        /* Ctrl+letter (Ctrl-A itself arrives as Ctrl-A a). */
        codes[0] = 0x14;
        keymap_from_ascii((char)('a' + c - 1), &codes[1], &shift);
        type_chord(d, codes, 2);
    } else if (c < 0x80 && keymap_from_ascii((char)c, &codes[1], &shift)) {
        codes[0] = 0x12;
        type_chord(d, shift ? codes : codes + 1, shift ? 2 : 1);
    }
}

static void esc_flush(struct display *d)
{
    /* An incomplete or unknown sequence: a lone Esc and the bytes after it as typed. */
    unsigned n = d->esc_len;
    d->esc_len = 0;
    if (!n)
        return;
    int esc = 0x76;
    type_chord(d, &esc, 1);
    for (unsigned i = 1; i < n; i++)
        term_byte(d, d->esc[i]);
}

static bool term_deliver(void *opaque, uint8_t c)
{
    struct display *d = opaque;
    if (d->esc_len) {
        d->esc[d->esc_len++] = c;
        bool csi = d->esc[1] == '[', ss3 = d->esc[1] == 'O';
        if (d->esc_len == 2 && !csi && !ss3) {
            esc_flush(d);
        } else if (d->esc_len > 2 && ((csi && c >= 0x40 && c <= 0x7E) || ss3)) {
            int key = escape_key(d->esc, d->esc_len);
            if (key >= 0) {
                d->esc_len = 0;
                type_chord(d, &key, 1);
            } else {
                d->esc_len = 0;      /* a sequence we do not know: dropped */
            }
        } else if (d->esc_len == sizeof(d->esc)) {
            esc_flush(d);
        }
        return true;
    }
    if (c == 0x1B) {
        d->esc[0] = c;
        d->esc_len = 1;
        return true;
    }
    term_byte(d, c);
    return true;
}

/* ---- the frame loop ---- */

struct display *display_open(struct pc *pc, enum display_kind kind, char *why, size_t whylen)
{
    struct display *d = calloc(1, sizeof(*d));
    if (!d) {
        snprintf(why, whylen, "out of memory");
        return NULL;
    }
    d->pc = pc;
    d->kind = kind;
    d->full = true;
    for (unsigned i = 0; i < MAX_SCRIPTS; i++)
        d->scripts[i].d = d;
    uint64_t now = host_ns();
    d->last_events = d->last_frame = d->last_title = now;
    d->title_icount = pc->m.cpu.icount;
    if (kind == DISPLAY_SDL) {
        d->sdl = sdl_open(pc->m.cpu.jit_exec ? "jitpc - JIT" : "jitpc - interpreter", why, whylen);
        if (!d->sdl) {
            free(d);
            return NULL;
        }
    } else if (kind == DISPLAY_TERM) {
        if (!isatty(STDOUT_FILENO)) {
            snprintf(why, whylen, "-display term: standard output is not a terminal");
            free(d);
            return NULL;
        }
        term_open(&d->term);
        d->term.monitor_cmd = pc->term.monitor_cmd;    /* Ctrl-A c, as in -nographic */
        d->term.monitor_opaque = pc->term.monitor_opaque;
        d->term_open = true;
    }
    pc->display = d;
    return d;
}

void display_close(struct display *d)
{
    if (!d)
        return;
    for (unsigned i = 0; i < MAX_SCRIPTS; i++) {
        clock_cancel(&d->pc->clock, script_fire, &d->scripts[i]);
        free(d->scripts[i].ev);
    }
    if (d->sdl)
        sdl_close(d->sdl);
    if (d->term_open) {
        if (d->drawn || d->notice_w) {
            char b[40];
            snprintf(b, sizeof(b), "\x1b[0m\x1b[?25h\x1b[%u;1H\r\n", (d->drawn ? d->rows : 1) + 1);
            outs(d, b);
            out_flush(d);
        }
        term_close(&d->term);
    }
    if (d->pc->display == d)
        d->pc->display = NULL;
    free(d->text);
    free(d->cells);
    free(d->obuf);
    free(d);
}

static void update_title(struct display *d, uint64_t now)
{
    uint64_t icount = d->pc->m.cpu.icount;
    double mips = (double)(icount - d->title_icount) * 1e3 / (double)(now - d->last_title);
    d->title_icount = icount;
    d->last_title = now;
    char t[96];
    /* the engine in use: --jit=off, or a host without a JIT backend, runs the interpreter */
    snprintf(t, sizeof(t), "jitpc - %.1f MIPS - %s", mips, d->pc->m.cpu.jit_exec ? "JIT" : "interpreter");
    sdl_set_title(d->sdl, t);
}

void display_poll(struct display *d)
{
    if (d->kind == DISPLAY_NONE)
        return;
    uint64_t now = host_ns();
    if (now - d->last_events >= EVENTS_HOST_NS) {
        d->last_events = now;
        if (d->sdl) {
            const struct sdl_input in = {sdl_key, sdl_mouse, sdl_quit, d};
            sdl_poll(d->sdl, &in);
        } else if (d->term_open) {
            if (!term_poll(&d->term, term_deliver, d))
                machine_request_exit(&d->pc->m, 0);
            /* In raw mode with VMIN = VTIME = 0 a read returns 0 when no byte is waiting
             * (termios(3)); term.c takes that for end of input. A terminal never ends. */
            if (d->term.raw)
                d->term.eof = false;
            esc_flush(d);     /* a sequence arrives in one read: what is left was a lone Esc */
        }
    }
    if (now - d->last_frame >= FRAME_HOST_NS) {
        d->last_frame = now;
        if (d->sdl)
            sdl_render(d);
        else if (d->term_open)
            term_render(d, now);
    }
    if (d->sdl && now - d->last_title >= TITLE_HOST_NS)
        update_title(d, now);
}
