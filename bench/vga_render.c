/* The VGA renderer's cost (issue 9): a 1024x768x32 DISPI frame where every line changed since the
 * previous render (the worst case for a front end's refresh), and one where nothing changed (the
 * renderer skips lines whose frame-buffer pages were not written: mem_watch_page).
 * Host time measured here is the benchmark's own business, never the device's. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/ioport.h"
#include "core/mem.h"
#include "devices/vga.h"

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static void dispi(struct iobus *io, uint16_t index, uint16_t value)
{
    io_write(io, 0x1CE, index, 2);
    io_write(io, 0x1CF, value, 2);
}

int main(void)
{
    static struct iobus io;
    static struct vga vga;
    static struct clock clk;
    static struct mem mem;
    uint64_t insns = 0;
    io_init(&io);
    clock_init(&clk, &insns, 100000000, 0);
    if (!mem_init(&mem, 1u << 20) || !vga_init(&vga, &io, &mem, &clk)) {
        fprintf(stderr, "bench-vga-render: out of memory\n");
        return 1;
    }
    /* The frame buffer where SeaBIOS puts BAR0; the guest's writes go through the memory bus. */
    const uint32_t lfb = 0xFD000000u;
    vga_set_lfb(&vga, lfb, true);
    static uint8_t picture[2][1024 * 768 * 4];
    memset(picture[0], 0xA5, sizeof(picture[0]));
    memset(picture[1], 0x5A, sizeof(picture[1]));
    dispi(&io, VBE_DISPI_INDEX_XRES, 1024);
    dispi(&io, VBE_DISPI_INDEX_YRES, 768);
    dispi(&io, VBE_DISPI_INDEX_BPP, 32);
    dispi(&io, VBE_DISPI_INDEX_ENABLE, VBE_DISPI_ENABLED | VBE_DISPI_LFB_ENABLED);
    struct vga_frame f;
    enum { FRAMES = 200 };
    double changed = 0, same = 0;
    for (int i = 0; i < FRAMES; i++) {
        /* A new picture in every pixel, as a guest's full-screen redraw makes it. */
        mem_dma_write(&mem, lfb, picture[i & 1], sizeof(picture[0]));
        double t0 = now_ms();
        vga_render(&vga, &f);
        double t1 = now_ms();
        vga_render(&vga, &f);
        double t2 = now_ms();
        if (f.dirty_y0 != f.dirty_y1) {
            fprintf(stderr, "bench-vga-render: an unchanged frame reported changes\n");
            return 1;
        }
        changed += t1 - t0;
        same += t2 - t1;
    }
    printf("vga_render 1024x768x32: %.3f ms per fully changed frame, %.3f ms per unchanged frame (%d frames)\n",
           changed / FRAMES, same / FRAMES, FRAMES);
    vga_free(&vga);
    mem_free(&mem);
    return 0;
}
