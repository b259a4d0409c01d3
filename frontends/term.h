/* The headless terminal (-nographic): COM1 on stdin/stdout in raw mode, with QEMU's escape
 * key: Ctrl-A x quits, Ctrl-A h lists the commands, Ctrl-A a sends a Ctrl-A, Ctrl-A c switches
 * between the guest's console and the monitor (whose inspection commands run between slices,
 * the guest going on as with QEMU). */
#ifndef JITPC_TERM_H
#define JITPC_TERM_H

#include <stdbool.h>
#include <stdint.h>

struct term {
    bool raw;            /* stdin is a terminal we put in raw mode */
    bool escape;         /* Ctrl-A seen */
    bool quit;
    bool eof;
    bool monitor;        /* Ctrl-A c: keystrokes go to the monitor's command line */
    char line[256];
    unsigned line_len;
    /* Runs one monitor command and returns its output (the board sets it; NULL: no monitor). */
    const char *(*monitor_cmd)(void *opaque, const char *cmd);
    void *monitor_opaque;
};

/* Puts stdin in raw mode when it is a terminal; restored at exit and on fatal signals. */
void term_open(struct term *t);
void term_close(struct term *t);

/* Reads what stdin has without blocking, handling the escape key; the other bytes are handed to
 * deliver(). Returns false once the user asked to quit. */
bool term_poll(struct term *t, bool (*deliver)(void *opaque, uint8_t byte), void *opaque);

#endif
