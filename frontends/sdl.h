/* The SDL2 window (-display sdl): shows frames of 0x00RRGGBB pixels scaled with the right
 * aspect, and turns host keyboard and mouse events into PS/2 keycodes (keymap.h) and relative
 * motion. It knows nothing of the machine: frontends/display.c feeds it and takes its input. */
#ifndef JITPC_SDL_H
#define JITPC_SDL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sdl_window;

/* What the window hands back from sdl_poll. */
struct sdl_input {
    void (*key)(void *opaque, int keycode, bool down);
    /* Relative motion (dx right, dy down, host convention), wheel clicks (dz > 0 = away from
     * the user, SDL's convention) and the buttons held (bit 0 left, 1 right, 2 middle). */
    void (*mouse)(void *opaque, int dx, int dy, int dz, unsigned buttons);
    void (*quit)(void *opaque);
    void *opaque;
};

/* Opens a window titled title. NULL with a one-line reason when SDL has no video device. */
struct sdl_window *sdl_open(const char *title, char *why, size_t whylen);
void sdl_close(struct sdl_window *w);

/* Shows a width x height frame; only rows [y0, y1) changed since the last call (all of them
 * after a size change). square: the pixels are square (VBE modes); otherwise the frame is a CRT
 * picture shown at 4:3 (720x400 text as 720x540). A new size resizes the window to a whole
 * multiple of that shape. */
void sdl_frame(struct sdl_window *w, const uint32_t *pixels, unsigned width, unsigned height, unsigned y0,
               unsigned y1, bool square);

/* The base title; the window adds a note while the mouse is grabbed. */
void sdl_set_title(struct sdl_window *w, const char *title);

/* Handles pending host events: keys (all of them while the window has focus; Ctrl-Alt-G
 * releases a grabbed mouse and is not passed on), the mouse once grabbed (a click grabs it),
 * window exposure, and closing the window (quit). */
void sdl_poll(struct sdl_window *w, const struct sdl_input *in);

#endif
