/* IBM VGA with the Bochs VBE "DISPI" extension, as QEMU's "stdvga" PCI device (1234:1111, class
 * 0x030000), so SeaBIOS's vgabios-stdvga.bin drives it. VGA registers per the IBM VGA Technical
 * Reference and FreeVGA; DISPI per Bochs' vbe.h (ports 0x1CE/0x1CF, IDs 0xB0C0-0xB0C5). 16 MiB
 * of VRAM: the VGA planes are its first 256 KiB, stored interleaved (plane p of byte offset o at
 * vram[o * 4 + p]); DISPI modes use it linearly, and it is the PCI BAR0 linear frame buffer. */
#ifndef JITPC_VGA_H
#define JITPC_VGA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/clock.h"
#include "core/ioport.h"
#include "core/mem.h"

#define VGA_VRAM_SIZE (16u << 20)
#define VGA_PCI_VENDOR 0x1234
#define VGA_PCI_DEVICE 0x1111
#define VGA_PCI_CLASS 0x030000
#define VGA_MAX_WIDTH 2560         /* Bochs VBE_DISPI_MAX_XRES / MAX_YRES */
#define VGA_MAX_HEIGHT 1600

/* Bochs DISPI register indices (vbe.h). */
enum {
    VBE_DISPI_INDEX_ID, VBE_DISPI_INDEX_XRES, VBE_DISPI_INDEX_YRES, VBE_DISPI_INDEX_BPP,
    VBE_DISPI_INDEX_ENABLE, VBE_DISPI_INDEX_BANK, VBE_DISPI_INDEX_VIRT_WIDTH,
    VBE_DISPI_INDEX_VIRT_HEIGHT, VBE_DISPI_INDEX_X_OFFSET, VBE_DISPI_INDEX_Y_OFFSET,
    VBE_DISPI_INDEX_VIDEO_MEMORY_64K, VBE_DISPI_NREGS
};
#define VBE_DISPI_ENABLED 0x01
#define VBE_DISPI_GETCAPS 0x02
#define VBE_DISPI_8BIT_DAC 0x20
#define VBE_DISPI_LFB_ENABLED 0x40
#define VBE_DISPI_NOCLEARMEM 0x80

/* Guest-visible state (plain data; VRAM is saved separately as a blob). */
struct vga_state {
    uint8_t misc;               /* miscellaneous output (0x3C2 write, 0x3CC read) */
    uint8_t feature;            /* feature control (0x3BA/0x3DA write, 0x3CA read) */
    uint8_t vga_enable;         /* 0x3C3 */
    uint8_t seq_index, seq[8];
    uint8_t crtc_index, crtc[0x19];
    uint8_t gc_index, gc[9];
    uint8_t ar_index;           /* bits 0-4 index, bit 5 PAS */
    bool ar_data_next;          /* the 0x3C0 flip-flop: the next write is data */
    uint8_t ar[0x15];
    uint8_t dac_mask, dac_state, dac_read_index, dac_write_index, dac_step;
    uint8_t dac_latch[3];
    uint8_t dac[256][3];
    uint8_t latch[4];           /* the graphics controller's four read latches */
    uint16_t dispi_index;
    uint16_t dispi[VBE_DISPI_NREGS];
    uint32_t lfb_addr;          /* BAR0 as last mapped (0: not mapped) */
};

struct vga_stats {
    uint64_t unhandled;         /* accesses to reserved registers, writes to read-only ones */
    uint64_t renders, lines_changed;
};

struct vga {
    struct vga_state s;
    struct vga_stats stats;
    /* Host side, never saved. */
    uint8_t *vram;              /* VGA_VRAM_SIZE bytes */
    struct mem *mem;
    struct clock *clk;
    int lfb_region;             /* mem region of the LFB mapping, or -1 */
    uint32_t *frame;            /* the last rendered frame, VGA_MAX_WIDTH * VGA_MAX_HEIGHT */
    unsigned frame_w, frame_h;
    uint32_t line[VGA_MAX_WIDTH + 16];
    /* Linear-frame-buffer change tracking: the renderer watches the LFB pages it showed
     * (mem_watch_page) and skips lines whose pages the guest has not written since. */
    uint32_t *page_seen;        /* mem page_gen of each VRAM page at the last render */
    bool seen_valid;            /* page_seen and frame match the layout in seen_key */
    uint64_t seen_key;
    uint64_t touch, touch_seen; /* VGA port / legacy-window writes: any forces a full compare */
};

/* A rendered frame: pixels 0x00RRGGBB, width per row. Rows [dirty_y0, dirty_y1) differ from the
 * previous vga_render (all of them after a size change); dirty_y0 == dirty_y1: nothing changed. */
struct vga_frame {
    const uint32_t *pixels;
    unsigned width, height;
    unsigned dirty_y0, dirty_y1;
};

/* Allocates VRAM, maps the VGA ports (0x3B4/5, 0x3BA, 0x3C0-0x3CF, 0x3D4/5, 0x3DA), the DISPI
 * ports (0x1CE-0x1D0) and the legacy window 0xA0000-0xBFFFF as MMIO (map it after the board's
 * hole so it wins). clk drives retrace status and blinking. Returns false on allocation failure. */
bool vga_init(struct vga *v, struct iobus *io, struct mem *mem, struct clock *clk);
void vga_free(struct vga *v);
/* Power-on register state (all zero, DAC mask 0xFF); VRAM is kept. */
void vga_reset(struct vga *v);

/* The PCI BAR0 hook: maps the 16 MiB linear frame buffer at addr as host memory when enabled,
 * unmaps it otherwise. The caller flushes the CPU's TLB afterwards. */
void vga_set_lfb(struct vga *v, uint32_t addr, bool enabled);

/* Renders the current mode (text, planar, CGA, 256-colour chained or unchained, DISPI 4-32 bpp)
 * into the frame. Returns true when something changed since the last call. */
bool vga_render(struct vga *v, struct vga_frame *f);

/* The text-mode screen as UTF-8 lines (CP437 mapped, trailing blanks dropped, '\n' after each
 * row). Returns the length it needed (like snprintf), or 0 when not in a text mode. */
size_t vga_text(struct vga *v, char *buf, size_t size);

#endif
