/* Screenshots: the VGA's rendered frame as a PNG (libpng), and its text screen as UTF-8. */
#ifndef JITPC_SCREENSHOT_H
#define JITPC_SCREENSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vga;

/* Writes width x height pixels (0x00RRGGBB, width per row) as an 8-bit RGB PNG. On failure
 * writes a one-line reason to why and returns false. */
bool screenshot_write_png(const char *path, const uint32_t *pixels, unsigned width, unsigned height, char *why,
                          size_t whylen);

/* Renders the VGA's current frame and writes it to path (PNG). */
bool screenshot_vga(struct vga *v, const char *path, char *why, size_t whylen);

/* Writes the VGA's text-mode screen to path as UTF-8 lines ("" when not in a text mode). */
bool screenshot_text(struct vga *v, const char *path, char *why, size_t whylen);

#endif
