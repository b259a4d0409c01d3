/* Screenshots with libpng (the libpng manual's "simplified" write API is not in every Debian
 * release's headers, so this uses the classic png_create_write_struct sequence). */
#include "screenshot.h"

#include <errno.h>
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/vga.h"

bool screenshot_write_png(const char *path, const uint32_t *pixels, unsigned width, unsigned height, char *why,
                          size_t whylen)
{
    if (!width || !height) {
        snprintf(why, whylen, "%s: the screen has no picture (size %ux%u)", path, width, height);
        return false;
    }
    FILE *f = fopen(path, "wb");
    if (!f) {
        snprintf(why, whylen, "%s: %s", path, strerror(errno));
        return false;
    }
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    uint8_t *row = malloc((size_t)width * 3);
    /* volatile: modified between setjmp and a possible longjmp from libpng. */
    volatile bool ok = false;
    if (png && info && row && !setjmp(png_jmpbuf(png))) {
        png_init_io(png, f);
        png_set_IHDR(png, info, width, height, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
                     PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
        png_write_info(png, info);
        for (unsigned y = 0; y < height; y++) {
            const uint32_t *src = pixels + (size_t)y * width;
            for (unsigned x = 0; x < width; x++) {
                row[3 * x] = (uint8_t)(src[x] >> 16);
                row[3 * x + 1] = (uint8_t)(src[x] >> 8);
                row[3 * x + 2] = (uint8_t)src[x];
            }
            png_write_row(png, row);
        }
        png_write_end(png, NULL);
        ok = true;
    }
    png_destroy_write_struct(png ? &png : NULL, info ? &info : NULL);
    free(row);
    if (fclose(f) != 0)
        ok = false;
    if (!ok)
        snprintf(why, whylen, "%s: cannot write the PNG", path);
    return ok;
}

bool screenshot_vga(struct vga *v, const char *path, char *why, size_t whylen)
{
    struct vga_frame fr;
    vga_render(v, &fr);
    return screenshot_write_png(path, fr.pixels, fr.width, fr.height, why, whylen);
}

bool screenshot_text(struct vga *v, const char *path, char *why, size_t whylen)
{
    size_t n = vga_text(v, NULL, 0);
    char *buf = malloc(n + 1);
    FILE *f = buf ? fopen(path, "w") : NULL;
    if (!f) {
        snprintf(why, whylen, "%s: %s", path, buf ? strerror(errno) : "out of memory");
        free(buf);
        return false;
    }
    vga_text(v, buf, n + 1);
    bool ok = fwrite(buf, 1, n, f) == n;
    ok &= fclose(f) == 0;
    free(buf);
    if (!ok)
        snprintf(why, whylen, "%s: write error", path);
    return ok;
}
