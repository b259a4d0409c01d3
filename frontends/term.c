/* The headless terminal. Host input is an external input (DESIGN.md "Determinism"): it enters
 * between CPU slices; record/replay will log it with the instruction count. */
#include "term.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <termios.h>
#include <unistd.h>

#define CTRL_A 0x01

static struct termios saved;
static bool saved_valid;

static void restore(void)
{
    if (saved_valid)
        tcsetattr(STDIN_FILENO, TCSANOW, &saved);
}

static void on_signal(int sig)
{
    restore();
    signal(sig, SIG_DFL);
    raise(sig);
}

void term_open(struct term *t)
{
    *t = (struct term){0};
    if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0) {
        struct termios raw = saved;
        /* No line editing, no echo, no signals from Ctrl-C/Ctrl-Z: the guest gets those keys. */
        raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO | ISIG | IEXTEN);
        raw.c_iflag &= ~(tcflag_t)(IXON | ICRNL | INLCR | IGNCR);
        raw.c_oflag &= ~(tcflag_t)OPOST;
        raw.c_cc[VMIN] = 0;
        raw.c_cc[VTIME] = 0;
        if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0) {
            saved_valid = true;
            t->raw = true;
            atexit(restore);
            signal(SIGTERM, on_signal);
            signal(SIGHUP, on_signal);
        }
    }
    int fl = fcntl(STDIN_FILENO, F_GETFL);
    if (fl >= 0)
        fcntl(STDIN_FILENO, F_SETFL, fl | O_NONBLOCK);
}

void term_close(struct term *t)
{
    restore();
    saved_valid = false;
    t->raw = false;
}

/* The monitor's command line in raw mode: echo, backspace, Enter runs the command. */
static void monitor_key(struct term *t, uint8_t c)
{
    if (c == '\r' || c == '\n') {
        t->line[t->line_len] = '\0';
        fputs("\r\n", stderr);
        const char *out = t->line_len ? t->monitor_cmd(t->monitor_opaque, t->line) : "";
        for (; *out; out++) {
            if (*out == '\n')
                fputc('\r', stderr);
            fputc(*out, stderr);
        }
        t->line_len = 0;
        fputs("(jitpc) ", stderr);
    } else if ((c == 0x7F || c == 0x08) && t->line_len) {
        t->line_len--;
        fputs("\b \b", stderr);
    } else if (c >= 0x20 && c < 0x7F && t->line_len < sizeof(t->line) - 1) {
        t->line[t->line_len++] = (char)c;
        fputc(c, stderr);
    }
}

bool term_poll(struct term *t, bool (*deliver)(void *opaque, uint8_t byte), void *opaque)
{
    uint8_t buf[64];
    if (t->eof)
        return !t->quit;
    ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
    if (n == 0 && !t->raw)   /* raw mode with VMIN=VTIME=0: 0 means "nothing yet", not end of input */
        t->eof = true;
    for (ssize_t i = 0; i < n; i++) {
        uint8_t c = buf[i];
        if (t->escape) {
            t->escape = false;
            if (c == 'x') {
                t->quit = true;
                fputs("\r\njitpc: terminated (Ctrl-A x)\r\n", stderr);
                return false;
            } else if (c == 'h') {
                fputs("\r\nCtrl-A h  this help\r\nCtrl-A x  quit jitpc\r\nCtrl-A a  send Ctrl-A\r\n"
                      "Ctrl-A c  switch between the console and the monitor\r\n", stderr);
            } else if (c == 'c' && t->monitor_cmd) {
                t->monitor = !t->monitor;
                t->line_len = 0;
                fputs(t->monitor ? "\r\n(jitpc) " : "\r\n", stderr);
            } else if (c == 'a' || c == CTRL_A) {
                deliver(opaque, CTRL_A);
            }
            continue;
        }
        if (c == CTRL_A) {
            t->escape = true;
            continue;
        }
        if (t->monitor) {
            monitor_key(t, c);
            continue;
        }
        deliver(opaque, c);
    }
    return true;
}
