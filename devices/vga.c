/* IBM VGA + Bochs VBE DISPI (QEMU "stdvga"). Register behaviour follows the IBM VGA Technical
 * Reference (IBM PS/2 Display Adapter, "Video Subsystem" chapter) as FreeVGA documents it
 * (sections "Graphics Registers", "Sequencer Registers", "CRT Controller Registers", "Attribute
 * Controller Registers", "DAC Operation", "Input Status #1"), DISPI per Bochs' vbe.h. Rendering
 * follows the CRTC's address generation, so text, planar, CGA-compatible, chained and unchained
 * 256-colour modes come out of one loop. */
#include "vga.h"

#include <stdlib.h>
#include <string.h>

#define VGA_PLANE_BYTES 0x10000u             /* 64 KiB per plane on the IBM VGA (256 KiB) */
#define FRAME_NS (1000000000ull / 70)         /* 70 Hz: the 400-line modes' vertical rate */

enum { SR_RESET, SR_CLOCK, SR_MAP_MASK, SR_CHARMAP, SR_MEMMODE };
enum { GR_SETRESET, GR_ENABLE_SR, GR_COMPARE, GR_ROTATE, GR_READMAP, GR_MODE, GR_MISC, GR_DONTCARE,
       GR_BITMASK };
enum { CR_HTOTAL = 0x00, CR_HDISP = 0x01, CR_VTOTAL = 0x06, CR_OVERFLOW = 0x07, CR_PRESET_ROW = 0x08,
       CR_MAXSCAN = 0x09, CR_CURSOR_START = 0x0A, CR_CURSOR_END = 0x0B, CR_START_HI = 0x0C,
       CR_START_LO = 0x0D, CR_CURSOR_HI = 0x0E, CR_CURSOR_LO = 0x0F, CR_VRSTART = 0x10,
       CR_VREND = 0x11, CR_VDE = 0x12, CR_OFFSET = 0x13, CR_UNDERLINE = 0x14, CR_MODE = 0x17,
       CR_LINE_COMPARE = 0x18 };
enum { AR_MODE = 0x10, AR_OVERSCAN = 0x11, AR_PLANE_ENABLE = 0x12, AR_PAN = 0x13, AR_COLOR_SELECT = 0x14 };

static const uint32_t dispi_bpp_ok[] = {4, 8, 15, 16, 24, 32};

static bool dispi_on(const struct vga_state *s)
{
    return (s->dispi[VBE_DISPI_INDEX_ENABLE] & VBE_DISPI_ENABLED) != 0;
}

static unsigned dispi_bytes_pp(const struct vga_state *s)
{
    return (s->dispi[VBE_DISPI_INDEX_BPP] + 7) / 8;
}

/* Bytes per scanline of the DISPI mode; planar 4 bpp counts bytes of one plane. */
static uint32_t dispi_line_bytes(const struct vga_state *s)
{
    uint32_t w = s->dispi[VBE_DISPI_INDEX_VIRT_WIDTH];
    return s->dispi[VBE_DISPI_INDEX_BPP] == 4 ? w / 8 : w * dispi_bytes_pp(s);
}

/* Plane offsets wrap at 64 KiB on the VGA; a DISPI planar mode reaches all of VRAM. */
static uint32_t plane_mask(const struct vga_state *s)
{
    return dispi_on(s) ? VGA_VRAM_SIZE / 4 - 1 : VGA_PLANE_BYTES - 1;
}

/* ---- video memory (FreeVGA "Graphics Registers": read/write modes, latches) ---- */

static inline uint8_t *plane_byte(struct vga *v, uint32_t off, unsigned plane)
{
    return &v->vram[(off << 2) | plane];
}

/* The window that GR6's memory map select decodes (FreeVGA Miscellaneous Graphics Register bits
 * 2-3): 0 = A0000h 128K, 1 = A0000h 64K, 2 = B0000h 32K, 3 = B8000h 32K. Returns false when the
 * offset (from 0xA0000) is outside the window or CPU access is off (misc output bit 1). */
static bool window(const struct vga_state *s, uint32_t off, uint32_t *addr)
{
    static const uint32_t base[4] = {0, 0, 0x10000, 0x18000}, size[4] = {0x20000, 0x10000, 0x8000, 0x8000};
    unsigned map = (s->gc[GR_MISC] >> 2) & 3;
    if (!(s->misc & 0x02) && !dispi_on(s))
        return false;
    if (off < base[map] || off >= base[map] + size[map])
        return false;
    *addr = off - base[map];
    if (dispi_on(s))
        *addr += (uint32_t)s->dispi[VBE_DISPI_INDEX_BANK] << 16;
    return true;
}

static bool dispi_linear(const struct vga_state *s)
{
    return dispi_on(s) && s->dispi[VBE_DISPI_INDEX_BPP] != 4;
}

static uint8_t vram_read(struct vga *v, uint32_t off)
{
    struct vga_state *s = &v->s;
    uint32_t addr;
    if (!window(s, off, &addr))
        return 0xFF;
    if (dispi_linear(s))
        return addr < VGA_VRAM_SIZE ? v->vram[addr] : 0xFF;
    unsigned plane;
    if (s->seq[SR_MEMMODE] & 0x08) {
        /* Chain 4 (Sequencer Memory Mode bit 3): A0-A1 pick the plane; the byte sits at the
         * plane offset with those bits clear, where doubleword-mode display fetches it. */
        plane = addr & 3;
        addr &= ~3u;
    } else if (s->gc[GR_MODE] & 0x10) {
        /* Host odd/even (GR5 bit 4): A0 picks plane 0/1 or, with read map select bit 1, 2/3. */
        plane = (s->gc[GR_READMAP] & 2) | (addr & 1);
        addr &= ~1u;
    } else {
        plane = s->gc[GR_READMAP] & 3;
    }
    addr &= plane_mask(s);
    for (unsigned p = 0; p < 4; p++)
        s->latch[p] = *plane_byte(v, addr, p);
    if (!(s->gc[GR_MODE] & 0x08))
        return s->latch[plane];
    /* Read mode 1: a bit is 1 where every plane selected by Color Don't Care matches the
     * corresponding Color Compare bit. */
    uint8_t diff = 0;
    for (unsigned p = 0; p < 4; p++)
        if (s->gc[GR_DONTCARE] & (1u << p))
            diff |= s->latch[p] ^ ((s->gc[GR_COMPARE] >> p) & 1 ? 0xFF : 0x00);
    return (uint8_t)~diff;
}

static uint8_t logical_op(const struct vga_state *s, uint8_t d, uint8_t latch)
{
    switch ((s->gc[GR_ROTATE] >> 3) & 3) {
    case 1: return d & latch;
    case 2: return d | latch;
    case 3: return d ^ latch;
    default: return d;
    }
}

static void vram_write(struct vga *v, uint32_t off, uint8_t val)
{
    struct vga_state *s = &v->s;
    uint32_t addr;
    if (!window(s, off, &addr))
        return;
    if (dispi_linear(s)) {
        if (addr < VGA_VRAM_SIZE)
            v->vram[addr] = val;
        return;
    }
    unsigned planes = s->seq[SR_MAP_MASK] & 0x0F;
    if (s->seq[SR_MEMMODE] & 0x08) {
        planes &= 1u << (addr & 3);
        addr &= ~3u;
    } else if (!(s->seq[SR_MEMMODE] & 0x04)) {
        /* Odd/even (Memory Mode bit 2 clear): even addresses to planes 0/2, odd to 1/3. */
        planes &= (addr & 1) ? 0x0A : 0x05;
        addr &= ~1u;
    }
    addr &= plane_mask(s);
    unsigned rot = s->gc[GR_ROTATE] & 7;
    uint8_t rotated = (uint8_t)((val >> rot) | (val << ((8 - rot) & 7)));
    uint8_t mask = s->gc[GR_BITMASK];
    unsigned mode = s->gc[GR_MODE] & 3;
    if (mode == 3)
        mask &= rotated;     /* write mode 3: the rotated data ANDed with the Bit Mask */
    for (unsigned p = 0; p < 4; p++) {
        if (!(planes & (1u << p)))
            continue;
        uint8_t latch = s->latch[p], sr = (s->gc[GR_SETRESET] >> p) & 1 ? 0xFF : 0x00, d;
        switch (mode) {
        case 0: d = (s->gc[GR_ENABLE_SR] >> p) & 1 ? sr : rotated; break;
        case 1: *plane_byte(v, addr, p) = latch; continue;   /* the latches, unmodified */
        case 2: d = (val >> p) & 1 ? 0xFF : 0x00; break;
        default: d = sr; break;
        }
        d = logical_op(s, d, latch);
        *plane_byte(v, addr, p) = (uint8_t)((d & mask) | (latch & ~mask));
    }
}

static uint32_t mmio_read(void *opaque, uint32_t addr, unsigned size)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint32_t)vram_read(opaque, addr + i) << (8 * i);
    return v;
}

static void mmio_write(void *opaque, uint32_t addr, uint32_t value, unsigned size)
{
    ((struct vga *)opaque)->touch++;
    for (unsigned i = 0; i < size; i++)
        vram_write(opaque, addr + i, (uint8_t)(value >> (8 * i)));
}

static const struct mmio_ops vga_mmio = {mmio_read, mmio_write};

/* ---- timing: Input Status #1 from the virtual clock ---- */

static unsigned vde_lines(const struct vga_state *s)
{
    unsigned o = s->crtc[CR_OVERFLOW];
    return (s->crtc[CR_VDE] | ((o & 0x02) << 7) | ((o & 0x40) << 3)) + 1;
}

/* FreeVGA Input Status #1: bit 0 "display disabled" (in horizontal or vertical blanking), bit 3
 * vertical retrace. The frame is FRAME_NS long with the CRTC's line counts (449 lines and the
 * 400-line modes' retrace at line 412 when the registers are not set up). */
static uint8_t input_status1(struct vga *v)
{
    const struct vga_state *s = &v->s;
    unsigned o = s->crtc[CR_OVERFLOW];
    unsigned total = (s->crtc[CR_VTOTAL] | ((o & 0x01) << 8) | ((o & 0x20) << 4)) + 2;
    unsigned vde = vde_lines(s);
    unsigned vrs = s->crtc[CR_VRSTART] | ((o & 0x04) << 6) | ((o & 0x80) << 2);
    unsigned vrlen = ((s->crtc[CR_VREND] & 0x0F) - vrs) & 0x0F;
    if (total < 2 + 16 || vde >= total || vrs >= total) {
        total = 449;
        vde = 400;
        vrs = 412;
        vrlen = 2;
    }
    if (!vrlen)
        vrlen = 16;
    uint64_t t = v->clk ? clock_now(v->clk) % FRAME_NS : 0;
    uint64_t line_ns = FRAME_NS / total;
    unsigned line = (unsigned)(t / line_ns);
    unsigned htotal = s->crtc[CR_HTOTAL] + 5, hdisp = s->crtc[CR_HDISP] + 1;
    if (hdisp >= htotal)
        hdisp = htotal * 4 / 5;
    bool hblank = (t % line_ns) * htotal >= (uint64_t)hdisp * line_ns;
    uint8_t r = 0;
    if (line >= vde || hblank)
        r |= 0x01;
    if (line >= vrs && line < vrs + vrlen)
        r |= 0x08;
    return r;
}

/* ---- DISPI ---- */

static void dispi_update_virt(struct vga_state *s)
{
    uint32_t lb = dispi_line_bytes(s);
    uint32_t h = lb ? VGA_VRAM_SIZE / lb : 0;
    if (s->dispi[VBE_DISPI_INDEX_BPP] == 4 && lb)
        h = VGA_VRAM_SIZE / 4 / lb;
    s->dispi[VBE_DISPI_INDEX_VIRT_HEIGHT] = (uint16_t)(h > 0xFFFF ? 0xFFFF : h);
}

static uint16_t dispi_read(struct vga *v)
{
    const struct vga_state *s = &v->s;
    bool caps = s->dispi[VBE_DISPI_INDEX_ENABLE] & VBE_DISPI_GETCAPS;
    switch (s->dispi_index) {
    case VBE_DISPI_INDEX_XRES: return caps ? VGA_MAX_WIDTH : s->dispi[VBE_DISPI_INDEX_XRES];
    case VBE_DISPI_INDEX_YRES: return caps ? VGA_MAX_HEIGHT : s->dispi[VBE_DISPI_INDEX_YRES];
    case VBE_DISPI_INDEX_BPP: return caps ? 32 : s->dispi[VBE_DISPI_INDEX_BPP];
    case VBE_DISPI_INDEX_VIDEO_MEMORY_64K: return VGA_VRAM_SIZE >> 16;
    default:
        if (s->dispi_index < VBE_DISPI_NREGS)
            return s->dispi[s->dispi_index];
        v->stats.unhandled++;
        return 0;
    }
}

static void dispi_write(struct vga *v, uint16_t val)
{
    struct vga_state *s = &v->s;
    switch (s->dispi_index) {
    case VBE_DISPI_INDEX_ID:
        if (val >= 0xB0C0 && val <= 0xB0C5)
            s->dispi[VBE_DISPI_INDEX_ID] = val;
        break;
    case VBE_DISPI_INDEX_XRES:
    case VBE_DISPI_INDEX_YRES:
        if (val <= (s->dispi_index == VBE_DISPI_INDEX_XRES ? VGA_MAX_WIDTH : VGA_MAX_HEIGHT))
            s->dispi[s->dispi_index] = val;
        break;
    case VBE_DISPI_INDEX_BPP:
        if (val == 0)
            val = 8;     /* Bochs: 0 means 8 bpp */
        for (unsigned i = 0; i < sizeof(dispi_bpp_ok) / sizeof(dispi_bpp_ok[0]); i++)
            if (val == dispi_bpp_ok[i])
                s->dispi[VBE_DISPI_INDEX_BPP] = val;
        break;
    case VBE_DISPI_INDEX_ENABLE: {
        bool was = dispi_on(s);
        s->dispi[VBE_DISPI_INDEX_ENABLE] = val & (VBE_DISPI_ENABLED | VBE_DISPI_GETCAPS | VBE_DISPI_8BIT_DAC |
                                                 VBE_DISPI_LFB_ENABLED | VBE_DISPI_NOCLEARMEM);
        if ((val & VBE_DISPI_ENABLED) && !was) {
            /* A mode set: the virtual screen is the visible one, at offset 0; memory is cleared
             * unless NOCLEARMEM asks otherwise (Bochs' behaviour). */
            s->dispi[VBE_DISPI_INDEX_VIRT_WIDTH] = s->dispi[VBE_DISPI_INDEX_XRES];
            s->dispi[VBE_DISPI_INDEX_X_OFFSET] = 0;
            s->dispi[VBE_DISPI_INDEX_Y_OFFSET] = 0;
            s->dispi[VBE_DISPI_INDEX_BANK] = 0;
            dispi_update_virt(s);
            if (!(val & VBE_DISPI_NOCLEARMEM)) {
                uint64_t n = (uint64_t)dispi_line_bytes(s) * s->dispi[VBE_DISPI_INDEX_YRES];
                if (s->dispi[VBE_DISPI_INDEX_BPP] == 4)
                    n *= 4;
                memset(v->vram, 0, n < VGA_VRAM_SIZE ? n : VGA_VRAM_SIZE);
            }
        }
        break;
    }
    case VBE_DISPI_INDEX_BANK:
        if ((uint32_t)val << 16 < VGA_VRAM_SIZE)
            s->dispi[VBE_DISPI_INDEX_BANK] = val;
        break;
    case VBE_DISPI_INDEX_VIRT_WIDTH:
        s->dispi[VBE_DISPI_INDEX_VIRT_WIDTH] = val;
        dispi_update_virt(s);
        break;
    case VBE_DISPI_INDEX_X_OFFSET:
    case VBE_DISPI_INDEX_Y_OFFSET:
        s->dispi[s->dispi_index] = val;
        break;
    default:
        v->stats.unhandled++;   /* VIRT_HEIGHT and VIDEO_MEMORY_64K are computed */
        break;
    }
}

/* ---- VGA ports ---- */

static bool crtc_port_active(const struct vga_state *s, uint16_t port)
{
    /* Misc output bit 0 (I/O address select): 1 = colour ports 3Dx, 0 = monochrome 3Bx. */
    bool colour = s->misc & 1;
    return ((port & 0xFFF0) == 0x3D0) == colour;
}

static uint8_t port_read8(struct vga *v, uint16_t port)
{
    struct vga_state *s = &v->s;
    switch (port) {
    case 0x3B4: case 0x3D4:
        return crtc_port_active(s, port) ? s->crtc_index : 0xFF;
    case 0x3B5: case 0x3D5:
        if (!crtc_port_active(s, port))
            return 0xFF;
        if (s->crtc_index < sizeof(s->crtc))
            return s->crtc[s->crtc_index];
        v->stats.unhandled++;
        return 0xFF;
    case 0x3BA: case 0x3DA:
        if (!crtc_port_active(s, port))
            return 0xFF;
        s->ar_data_next = false;    /* reading Input Status #1 resets the attribute flip-flop */
        return input_status1(v);
    case 0x3C0: return s->ar_index;
    case 0x3C1: return (s->ar_index & 0x1F) < sizeof(s->ar) ? s->ar[s->ar_index & 0x1F] : 0;
    case 0x3C2: return 0x00;        /* Input Status #0: no retrace interrupt, switch sense 0 */
    case 0x3C3: return s->vga_enable;
    case 0x3C4: return s->seq_index;
    case 0x3C5: return s->seq[s->seq_index & 7];
    case 0x3C6: return s->dac_mask;
    case 0x3C7: return s->dac_state;
    case 0x3C8: return s->dac_write_index;
    case 0x3C9: {
        uint8_t c = s->dac[s->dac_read_index][s->dac_step];
        if (++s->dac_step == 3) {   /* DAC Operation: after blue, the read index advances */
            s->dac_step = 0;
            s->dac_read_index++;
        }
        return c;
    }
    case 0x3CA: return s->feature;
    case 0x3CC: return s->misc;
    case 0x3CE: return s->gc_index;
    case 0x3CF:
        if (s->gc_index < sizeof(s->gc))
            return s->gc[s->gc_index];
        v->stats.unhandled++;
        return 0xFF;
    default:
        v->stats.unhandled++;
        return 0xFF;
    }
}

static void port_write8(struct vga *v, uint16_t port, uint8_t val)
{
    struct vga_state *s = &v->s;
    switch (port) {
    case 0x3B4: case 0x3D4:
        if (crtc_port_active(s, port))
            s->crtc_index = val;
        break;
    case 0x3B5: case 0x3D5:
        if (!crtc_port_active(s, port))
            break;
        if (s->crtc_index >= sizeof(s->crtc)) {
            v->stats.unhandled++;
        } else if (s->crtc_index <= 7 && (s->crtc[CR_VREND] & 0x80)) {
            /* CR11 bit 7 protects CR0-CR7, except CR7 bit 4 (line compare bit 8). */
            if (s->crtc_index == CR_OVERFLOW)
                s->crtc[CR_OVERFLOW] = (uint8_t)((s->crtc[CR_OVERFLOW] & ~0x10) | (val & 0x10));
        } else {
            s->crtc[s->crtc_index] = val;
        }
        break;
    case 0x3BA: case 0x3DA:
        if (crtc_port_active(s, port))
            s->feature = val;
        break;
    case 0x3C0:
        if (!s->ar_data_next) {
            s->ar_index = val & 0x3F;
        } else {
            unsigned i = s->ar_index & 0x1F;
            /* Palette registers are locked while PAS (index bit 5) gives them to the display. */
            if (i < sizeof(s->ar) && !(i < 0x10 && (s->ar_index & 0x20)))
                s->ar[i] = val;
        }
        s->ar_data_next = !s->ar_data_next;
        break;
    case 0x3C2: s->misc = val; break;
    case 0x3C3: s->vga_enable = val & 1; break;
    case 0x3C4: s->seq_index = val; break;
    case 0x3C5:
        if (s->seq_index < 5)
            s->seq[s->seq_index] = val;
        else
            v->stats.unhandled++;
        break;
    case 0x3C6: s->dac_mask = val; break;
    case 0x3C7:
        s->dac_read_index = val;
        s->dac_step = 0;
        s->dac_state = 3;           /* DAC State register: 11b after a read index write */
        break;
    case 0x3C8:
        s->dac_write_index = val;
        s->dac_step = 0;
        s->dac_state = 0;
        break;
    case 0x3C9:
        /* 6-bit components (the top two bits are ignored), or 8 bits with DISPI's 8BIT_DAC. */
        s->dac_latch[s->dac_step] = (s->dispi[VBE_DISPI_INDEX_ENABLE] & VBE_DISPI_8BIT_DAC) ? val : (val & 0x3F);
        if (++s->dac_step == 3) {
            memcpy(s->dac[s->dac_write_index], s->dac_latch, 3);
            s->dac_write_index++;
            s->dac_step = 0;
        }
        break;
    case 0x3CE: s->gc_index = val; break;
    case 0x3CF:
        if (s->gc_index < sizeof(s->gc))
            s->gc[s->gc_index] = val;
        else
            v->stats.unhandled++;
        break;
    default:
        v->stats.unhandled++;
        break;
    }
}

static bool is_dispi_port(uint16_t port)
{
    return port >= 0x1CE && port <= 0x1D0;
}

static uint32_t port_read(void *opaque, uint16_t port, unsigned size)
{
    struct vga *v = opaque;
    if (is_dispi_port(port)) {
        /* 16-bit registers: index at 0x1CE, data at 0x1CF (and 0x1D0, QEMU's alias). */
        if (port == 0x1CE)
            return v->s.dispi_index;
        return dispi_read(v);
    }
    /* A 16-bit access to an index port is index then data (port + 1). */
    uint32_t r = 0;
    for (unsigned i = 0; i < size; i++)
        r |= (uint32_t)port_read8(v, (uint16_t)(port + i)) << (8 * i);
    return r;
}

static void port_write(void *opaque, uint16_t port, uint32_t value, unsigned size)
{
    struct vga *v = opaque;
    v->touch++;
    if (is_dispi_port(port)) {
        if (port == 0x1CE)
            v->s.dispi_index = (uint16_t)value;
        else
            dispi_write(v, (uint16_t)value);
        return;
    }
    for (unsigned i = 0; i < size; i++)
        port_write8(v, (uint16_t)(port + i), (uint8_t)(value >> (8 * i)));
}

void vga_reset(struct vga *v)
{
    uint32_t lfb = v->s.lfb_addr;   /* the BAR mapping belongs to PCI, not to the VGA's reset */
    memset(&v->s, 0, sizeof(v->s));
    v->s.lfb_addr = lfb;
    v->s.dac_mask = 0xFF;
    v->s.dispi[VBE_DISPI_INDEX_ID] = 0xB0C0;
    v->s.dispi[VBE_DISPI_INDEX_XRES] = 640;
    v->s.dispi[VBE_DISPI_INDEX_YRES] = 480;
    v->s.dispi[VBE_DISPI_INDEX_BPP] = 8;
    v->frame_w = v->frame_h = 0;
}

bool vga_init(struct vga *v, struct iobus *io, struct mem *mem, struct clock *clk)
{
    memset(v, 0, sizeof(*v));
    v->vram = calloc(VGA_VRAM_SIZE, 1);
    v->frame = calloc((size_t)VGA_MAX_WIDTH * VGA_MAX_HEIGHT, sizeof(uint32_t));
    v->page_seen = calloc(VGA_VRAM_SIZE / MEM_PAGE_SIZE, sizeof(uint32_t));
    if (!v->vram || !v->frame || !v->page_seen) {
        vga_free(v);
        return false;
    }
    v->mem = mem;
    v->clk = clk;
    v->lfb_region = -1;
    vga_reset(v);
    static const uint16_t ranges[][2] = {
        {0x3B4, 2}, {0x3BA, 1}, {0x3C0, 16}, {0x3D4, 2}, {0x3DA, 1}, {0x1CE, 3},
    };
    for (unsigned i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++)
        if (io_map(io, ranges[i][0], ranges[i][1], port_read, port_write, v) < 0) {
            vga_free(v);
            return false;
        }
    if (mem && !mem_map_mmio(mem, 0xA0000, 0x20000, &vga_mmio, v)) {
        vga_free(v);
        return false;
    }
    return true;
}

void vga_free(struct vga *v)
{
    free(v->page_seen);
    v->page_seen = NULL;
    free(v->vram);
    free(v->frame);
    v->vram = NULL;
    v->frame = NULL;
}

void vga_set_lfb(struct vga *v, uint32_t addr, bool enabled)
{
    struct mem *m = v->mem;
    addr &= ~(VGA_VRAM_SIZE - 1);   /* the BAR is 16 MiB, so naturally aligned */
    v->seen_valid = false;
    if (!m)
        return;
    if (v->s.lfb_addr && (!enabled || addr != v->s.lfb_addr)) {
        mem_unmap(m, v->s.lfb_addr, VGA_VRAM_SIZE);
        v->s.lfb_addr = 0;
    }
    if (!enabled || !addr || addr == v->s.lfb_addr)
        return;
    if (v->lfb_region >= 0 && m->regions[v->lfb_region].base == addr &&
        m->regions[v->lfb_region].host == v->vram) {
        mem_route(m, addr, VGA_VRAM_SIZE, v->lfb_region, v->lfb_region);
    } else {
        if (!mem_map_host(m, addr, VGA_VRAM_SIZE, v->vram, false))
            return;
        v->lfb_region = mem_last_region(m);
    }
    v->s.lfb_addr = addr;
}

/* ---- rendering ---- */

static uint32_t dac_rgb(const struct vga_state *s, unsigned i)
{
    const uint8_t *c = s->dac[i];
    if (s->dispi[VBE_DISPI_INDEX_ENABLE] & VBE_DISPI_8BIT_DAC)
        return (uint32_t)c[0] << 16 | (uint32_t)c[1] << 8 | c[2];
    /* 6-bit DAC values to 8 bits: replicate the top bits so 63 becomes 255. */
    uint32_t r = (c[0] & 63u) << 2 | (c[0] & 63u) >> 4, g = (c[1] & 63u) << 2 | (c[1] & 63u) >> 4,
             b = (c[2] & 63u) << 2 | (c[2] & 63u) >> 4;
    return r << 16 | g << 8 | b;
}

struct render_ctx {
    uint32_t pal256[256];     /* DAC index (after the PEL mask) to RGB */
    uint32_t pal16[16];       /* 4-bit attribute to RGB through the attribute controller */
    unsigned frame;           /* vertical frames since power-on, for blinking */
};

/* Attribute Controller: a 4-bit value through the palette registers, with Color Select
 * supplying bits 7-6 (and 5-4 when AR10 bit 7 says so). */
static void make_palettes(const struct vga_state *s, struct render_ctx *c)
{
    for (unsigned i = 0; i < 256; i++)
        c->pal256[i] = dac_rgb(s, i & s->dac_mask);
    for (unsigned i = 0; i < 16; i++) {
        unsigned p = s->ar[i] & 0x3F;
        if (s->ar[AR_MODE] & 0x80)
            p = (p & 0x0F) | ((s->ar[AR_COLOR_SELECT] & 3u) << 4);
        p |= (s->ar[AR_COLOR_SELECT] & 0x0Cu) << 4;
        c->pal16[i] = c->pal256[p];
    }
}

enum vga_kind { KIND_TEXT, KIND_PLANAR, KIND_CGA, KIND_256, KIND_DISPI };

struct geometry {
    enum vga_kind kind;
    unsigned width, height;   /* output pixels */
    unsigned cols;            /* character clocks per line */
    unsigned char_w;          /* text: 8 or 9 */
    unsigned vde;             /* scanlines counted by the CRTC */
};

/* The memory address of character clock ma on row scan rs (FreeVGA CRTC Mode Control: word/byte
 * mode, address wrap, MAP13/MAP14 substitution; Underline Location bit 6: doubleword mode). */
static uint32_t crtc_address(const struct vga_state *s, uint32_t ma, unsigned rs)
{
    uint32_t a;
    uint8_t mode = s->crtc[CR_MODE];
    if (dispi_on(s))
        return ma & plane_mask(s);
    ma &= 0xFFFF;
    if (s->crtc[CR_UNDERLINE] & 0x40)
        a = (ma << 2) | ((ma >> 14) & 3);
    else if (!(mode & 0x40))
        a = (ma << 1) | ((ma >> ((mode & 0x20) ? 15 : 13)) & 1);
    else
        a = ma;
    if (!(mode & 0x01))
        a = (a & ~0x2000u) | ((rs & 1u) << 13);
    if (!(mode & 0x02))
        a = (a & ~0x4000u) | ((rs & 2u) << 13);
    return a & (VGA_PLANE_BYTES - 1);
}

static void geometry_of(const struct vga_state *s, struct geometry *g)
{
    memset(g, 0, sizeof(*g));
    unsigned bpp = s->dispi[VBE_DISPI_INDEX_BPP];
    if (dispi_on(s) && bpp != 4) {
        g->kind = KIND_DISPI;
        g->width = s->dispi[VBE_DISPI_INDEX_XRES];
        g->height = s->dispi[VBE_DISPI_INDEX_YRES];
        return;
    }
    g->cols = s->crtc[CR_HDISP] + 1u;
    g->vde = vde_lines(s);
    if (!(s->gc[GR_MISC] & 1)) {
        g->kind = KIND_TEXT;
        g->char_w = (s->seq[SR_CLOCK] & 1) ? 8 : 9;   /* SR1 bit 0: 8/9 dot clocks */
        g->width = g->cols * g->char_w;
    } else {
        unsigned shift = (s->gc[GR_MODE] >> 5) & 3;
        g->kind = shift >= 2 ? KIND_256 : shift == 1 ? KIND_CGA : KIND_PLANAR;
        g->width = g->cols * (g->kind == KIND_256 ? 4 : 8);
    }
    if (dispi_on(s)) {
        /* DISPI planar (4 bpp): the VGA planar pipeline with DISPI's size. */
        g->width = s->dispi[VBE_DISPI_INDEX_XRES];
        g->cols = g->width / 8;
        g->vde = s->dispi[VBE_DISPI_INDEX_YRES];
    }
    if (g->width > VGA_MAX_WIDTH)
        g->width = VGA_MAX_WIDTH;
}

static unsigned split_line(const struct vga_state *s)
{
    return s->crtc[CR_LINE_COMPARE] | ((s->crtc[CR_OVERFLOW] & 0x10u) << 4) | ((s->crtc[CR_MAXSCAN] & 0x40u) << 3);
}

static void text_line(const struct vga *v, const struct geometry *g, const struct render_ctx *c, uint32_t ma,
                      unsigned rs, uint32_t *out)
{
    const struct vga_state *s = &v->s;
    /* Character Map Select (SR3): map A (attribute bit 3 set) in bits 5,3,2, map B in 4,1,0;
     * map n starts at plane 2 offset 16K * (n & 3) + 8K * (n >> 2). */
    unsigned sel = s->seq[SR_CHARMAP];
    unsigned map_a = ((sel >> 2) & 3) | ((sel >> 3) & 4), map_b = (sel & 3) | ((sel >> 2) & 4);
    uint32_t font_a = (map_a & 3) * 0x4000 + (map_a >> 2) * 0x2000;
    uint32_t font_b = (map_b & 3) * 0x4000 + (map_b >> 2) * 0x2000;
    if (!(s->seq[SR_MEMMODE] & 0x02))
        font_a = font_b = 0;   /* without extended memory only map 0 exists */
    uint32_t cursor = ((uint32_t)s->crtc[CR_CURSOR_HI] << 8 | s->crtc[CR_CURSOR_LO]);
    unsigned cs = s->crtc[CR_CURSOR_START] & 0x1F, ce = s->crtc[CR_CURSOR_END] & 0x1F;
    /* Cursor blinks at 1/16 of the vertical rate, characters at 1/32 (FreeVGA "Attribute
     * Mode Control" blink and "Cursor Start Register"). */
    bool cursor_on = !(s->crtc[CR_CURSOR_START] & 0x20) && rs >= cs && rs <= ce && ((c->frame >> 3) & 1) == 0;
    bool blink_phase = ((c->frame >> 4) & 1) == 0;
    bool blink = s->ar[AR_MODE] & 0x08, line_gfx = s->ar[AR_MODE] & 0x04;
    unsigned ul = s->crtc[CR_UNDERLINE] & 0x1F;
    for (unsigned col = 0; col < g->cols; col++) {
        uint32_t m = ma + col, a = crtc_address(s, m, rs);
        uint8_t ch = v->vram[a << 2], at = v->vram[(a << 2) | 1];
        uint32_t font = (at & 0x08) ? font_a : font_b;
        uint8_t bits = v->vram[(((font + ch * 32u + rs) & 0xFFFF) << 2) | 2];
        unsigned fg = at & 0x0F, bg = at >> 4;
        if (blink) {
            bg &= 7;
            if ((at & 0x80) && !blink_phase)
                fg = bg;
        }
        if (rs == ul && (at & 0x77) == 0x01)
            bits = 0xFF;      /* underline: monochrome-style attribute xxxx x001 */
        if (cursor_on && (m & 0xFFFF) == cursor)
            bits = 0xFF;
        uint32_t f = c->pal16[fg & s->ar[AR_PLANE_ENABLE] & 0xF], b = c->pal16[bg & s->ar[AR_PLANE_ENABLE] & 0xF];
        for (unsigned x = 0; x < 8; x++)
            out[x] = (bits & (0x80 >> x)) ? f : b;
        if (g->char_w == 9) {
            /* The ninth dot repeats the eighth for line-drawing characters C0h-DFh. */
            bool ext = line_gfx && ch >= 0xC0 && ch <= 0xDF;
            out[8] = (ext && (bits & 1)) ? f : b;
        }
        out += g->char_w;
    }
}

/* Graphics: each character clock fetches the four planes at one address. */
static void graphics_line(const struct vga *v, const struct geometry *g, const struct render_ctx *c, uint32_t ma,
                          unsigned rs, uint32_t *out)
{
    const struct vga_state *s = &v->s;
    unsigned enable = s->ar[AR_PLANE_ENABLE] & 0xF;
    uint32_t *o = out;   /* room for one extra character clock, for panning */
    unsigned clocks = g->cols + 1;
    for (unsigned col = 0; col < clocks; col++) {
        uint32_t a = crtc_address(s, ma + col, rs);
        const uint8_t *p = &v->vram[a << 2];
        if (g->kind == KIND_256) {
            /* 256-colour shift mode: one byte per pixel, planes 0-3 in order. */
            for (unsigned i = 0; i < 4; i++)
                o[i] = c->pal256[p[i]];
            o += 4;
        } else if (g->kind == KIND_CGA) {
            /* Shift register interleave (GR5 bit 5): 2-bit pixels, the even plane's byte first. */
            for (unsigned i = 0; i < 8; i++) {
                unsigned sh = 6 - 2 * (i & 3), lo = i < 4 ? p[0] : p[1], hi = i < 4 ? p[2] : p[3];
                unsigned px = ((lo >> sh) & 3) | (((hi >> sh) & 3) << 2);
                o[i] = c->pal16[px & enable];
            }
            o += 8;
        } else {
            for (unsigned i = 0; i < 8; i++) {
                unsigned bit = 7 - i;
                unsigned px = ((p[0] >> bit) & 1) | (((p[1] >> bit) & 1) << 1) | (((p[2] >> bit) & 1) << 2) |
                              (((p[3] >> bit) & 1) << 3);
                o[i] = c->pal16[px & enable];
            }
            o += 8;
        }
    }
}

/* Walks the CRTC's scanlines: double scan (CR9 bit 7), rows of max-scan-line + 1 lines, the
 * line compare split (which restarts at address 0). A graphics row whose scanlines all fetch the
 * same addresses (no MAP13/MAP14 substitution) is output once: 320x200 for mode 13h, not 400
 * identical pairs. Returns the number of output lines; draws them when out is set. */
static unsigned walk_lines(struct vga *v, const struct geometry *g, const struct render_ctx *c, uint32_t *frame,
                           unsigned *dirty0, unsigned *dirty1)
{
    const struct vga_state *s = &v->s;
    bool text = g->kind == KIND_TEXT;
    unsigned msl = dispi_on(s) ? 0 : s->crtc[CR_MAXSCAN] & 0x1F;
    bool dbl = !dispi_on(s) && (s->crtc[CR_MAXSCAN] & 0x80);
    bool pure = !text && (s->crtc[CR_MODE] & 3) == 3;
    uint32_t start = (uint32_t)s->crtc[CR_START_HI] << 8 | s->crtc[CR_START_LO];
    uint32_t offset = s->crtc[CR_OFFSET] * 2u;
    unsigned lc = split_line(s);
    if (dispi_on(s)) {
        offset = dispi_line_bytes(s);
        start = s->dispi[VBE_DISPI_INDEX_Y_OFFSET] * offset + s->dispi[VBE_DISPI_INDEX_X_OFFSET] / 8;
        lc = ~0u;
    }
    unsigned pan = text ? 0 : s->ar[AR_PAN] & 7;
    if (g->kind == KIND_256)
        pan >>= 1;
    uint32_t ma = start;
    unsigned rs = text ? s->crtc[CR_PRESET_ROW] & 0x1F : 0, half = 0, y_out = 0;
    for (unsigned y = 0; y < g->vde && y_out < VGA_MAX_HEIGHT; y++) {
        if (y == lc) {
            ma = 0;
            rs = 0;
            half = 0;
            if (s->ar[AR_MODE] & 0x20)
                pan = 0;     /* AR10 bit 5: the split screen ignores panning */
        }
        if (!half && !(pure && rs != 0)) {
            if (frame) {
                uint32_t *line = v->line;
                if (text)
                    text_line(v, g, c, ma, rs, line);
                else
                    graphics_line(v, g, c, ma, rs, line);
                const uint32_t *src = line + pan;
                uint32_t *dst = frame + (size_t)y_out * g->width;
                if (memcmp(dst, src, g->width * sizeof(uint32_t))) {
                    memcpy(dst, src, g->width * sizeof(uint32_t));
                    if (*dirty0 > y_out)
                        *dirty0 = y_out;
                    *dirty1 = y_out + 1;
                }
            }
            y_out++;
        }
        if (dbl && !half) {
            half = 1;
            continue;
        }
        half = 0;
        if (rs >= msl) {
            rs = 0;
            ma += offset;
        } else {
            rs++;
        }
    }
    return y_out;
}

/* DISPI packed-pixel modes: one pass that converts, compares and stores each line. */
static void dispi_lines(struct vga *v, const struct geometry *g, const struct render_ctx *c, unsigned *dirty0,
                        unsigned *dirty1)
{
    const struct vga_state *s = &v->s;
    unsigned bpp = s->dispi[VBE_DISPI_INDEX_BPP], bytes = dispi_bytes_pp(s);
    uint32_t stride = dispi_line_bytes(s);
    uint64_t start = (uint64_t)s->dispi[VBE_DISPI_INDEX_Y_OFFSET] * stride +
                     (uint64_t)s->dispi[VBE_DISPI_INDEX_X_OFFSET] * bytes;
    unsigned w = g->width;
    /* Lines whose LFB pages the guest has not written since the last render are skipped: the
     * previous frame still shows them. Anything else the picture depends on (registers, DAC,
     * the legacy window, the layout) makes every line be compared again. */
    struct mem *m = v->mem;
    uint64_t key = start ^ (uint64_t)stride << 24 ^ (uint64_t)bpp << 40 ^ (uint64_t)w << 48 ^ (uint64_t)g->height << 34;
    bool skip_clean = m && s->lfb_addr && v->seen_valid && v->seen_key == key && v->touch == v->touch_seen;
    uint32_t lfb_page = s->lfb_addr >> MEM_PAGE_SHIFT;
    for (unsigned y = 0; y < g->height; y++) {
        uint32_t *dst = v->frame + (size_t)y * w;
        uint64_t at = start + (uint64_t)y * stride;
        uint32_t diff = 0;
        if (skip_clean && at + (uint64_t)w * bytes <= VGA_VRAM_SIZE) {
            uint32_t p0 = (uint32_t)(at >> MEM_PAGE_SHIFT), p1 = (uint32_t)((at + (uint64_t)w * bytes - 1) >> MEM_PAGE_SHIFT);
            bool clean = true;
            for (uint32_t p = p0; p <= p1 && clean; p++)
                clean = m->page_gen[lfb_page + p] == v->page_seen[p];
            if (clean)
                continue;
        }
        if (at + (uint64_t)w * bytes > VGA_VRAM_SIZE) {
            for (unsigned x = 0; x < w; x++) {
                diff |= dst[x];
                dst[x] = 0;
            }
        } else {
            const uint8_t *src = v->vram + at;
            switch (bpp) {
            case 32: {
                /* B, G, R, unused: little-endian 0x??RRGGBB. Two pixels per step: compare first
                 * (an unchanged line is only read), then copy with the unused bytes cleared. */
                const uint64_t mask = 0x00FFFFFF00FFFFFFull;
                unsigned pairs = w / 2;
                uint64_t d = 0;
                for (unsigned i = 0; i < pairs; i++) {
                    uint64_t a, b;
                    memcpy(&a, src + 8 * i, 8);
                    memcpy(&b, dst + 2 * i, 8);
                    d |= (a ^ b) & mask;
                }
                uint32_t last = 0;
                if (w & 1) {
                    memcpy(&last, src + 4 * (w - 1), 4);
                    last &= 0xFFFFFF;
                    d |= last ^ dst[w - 1];
                }
                if (d) {
                    for (unsigned i = 0; i < pairs; i++) {
                        uint64_t a;
                        memcpy(&a, src + 8 * i, 8);
                        a &= mask;
                        memcpy(dst + 2 * i, &a, 8);
                    }
                    if (w & 1)
                        dst[w - 1] = last;
                    diff = 1;
                }
                break;
            }
            case 24:
                for (unsigned x = 0; x < w; x++) {
                    const uint8_t *p = src + 3 * x;
                    uint32_t px = (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
                    diff |= px ^ dst[x];
                    dst[x] = px;
                }
                break;
            case 16:
            case 15:
                for (unsigned x = 0; x < w; x++) {
                    uint32_t q = src[2 * x] | (uint32_t)src[2 * x + 1] << 8, r, gr, b;
                    if (bpp == 16) {
                        r = (q >> 11) & 31;
                        gr = (q >> 5) & 63;
                        gr = gr << 2 | gr >> 4;
                    } else {
                        r = (q >> 10) & 31;
                        gr = (q >> 5) & 31;
                        gr = gr << 3 | gr >> 2;
                    }
                    b = q & 31;
                    uint32_t px = (r << 3 | r >> 2) << 16 | gr << 8 | (b << 3 | b >> 2);
                    diff |= px ^ dst[x];
                    dst[x] = px;
                }
                break;
            default:
                for (unsigned x = 0; x < w; x++) {
                    uint32_t px = c->pal256[src[x]];
                    diff |= px ^ dst[x];
                    dst[x] = px;
                }
                break;
            }
        }
        if (diff) {
            if (*dirty0 > y)
                *dirty0 = y;
            *dirty1 = y + 1;
        }
    }
    /* Watch every page shown (a no-op for those not written since) and remember their
     * generations: the next render reads only what changed. */
    if (m && s->lfb_addr) {
        uint64_t end = start + (uint64_t)(g->height ? g->height - 1 : 0) * stride + (uint64_t)w * bytes;
        if (end > VGA_VRAM_SIZE)
            end = VGA_VRAM_SIZE;
        for (uint32_t p = (uint32_t)(start >> MEM_PAGE_SHIFT); (uint64_t)p << MEM_PAGE_SHIFT < end; p++) {
            mem_watch_page(m, lfb_page + p);
            v->page_seen[p] = m->page_gen[lfb_page + p];
        }
        v->seen_valid = true;
        v->seen_key = key;
        v->touch_seen = v->touch;
    } else {
        v->seen_valid = false;
    }
}

bool vga_render(struct vga *v, struct vga_frame *f)
{
    const struct vga_state *s = &v->s;
    struct geometry g;
    struct render_ctx c;
    geometry_of(s, &g);
    make_palettes(s, &c);
    c.frame = v->clk ? (unsigned)(clock_now(v->clk) / FRAME_NS) : 0;
    if (g.kind != KIND_DISPI)
        g.height = walk_lines(v, &g, &c, NULL, NULL, NULL);
    if (g.height > VGA_MAX_HEIGHT)
        g.height = VGA_MAX_HEIGHT;
    if ((uint64_t)g.width * g.height == 0)
        g.width = g.height = 0;
    unsigned d0 = ~0u, d1 = 0;
    bool resized = g.width != v->frame_w || g.height != v->frame_h;
    if (resized) {
        v->frame_w = g.width;
        v->frame_h = g.height;
    }
    bool blank = (s->seq[SR_CLOCK] & 0x20) || (!dispi_on(s) && !(s->ar_index & 0x20));
    if (blank && g.kind != KIND_DISPI) {
        /* Screen off (SR1 bit 5), or the palette handed to the CPU (PAS = 0): black. */
        for (unsigned y = 0; y < g.height; y++) {
            uint32_t *row = v->frame + (size_t)y * g.width, any = 0;
            for (unsigned x = 0; x < g.width; x++) {
                any |= row[x];
                row[x] = 0;
            }
            if (any) {
                if (d0 > y)
                    d0 = y;
                d1 = y + 1;
            }
        }
    } else if (g.kind == KIND_DISPI) {
        dispi_lines(v, &g, &c, &d0, &d1);
    } else {
        walk_lines(v, &g, &c, v->frame, &d0, &d1);
    }
    if (resized) {
        d0 = 0;
        d1 = g.height;
    }
    if (d0 >= d1)
        d0 = d1 = 0;
    v->stats.renders++;
    v->stats.lines_changed += d1 - d0;
    f->pixels = v->frame;
    f->width = g.width;
    f->height = g.height;
    f->dirty_y0 = d0;
    f->dirty_y1 = d1;
    return d1 > d0 || resized;
}

/* ---- text ---- */

/* CP437 (the VGA's character ROM) to Unicode, per the Unicode consortium's cp437 mapping, with
 * the control range shown as the glyphs the ROM draws there. */
static const uint16_t cp437[256] = {
    0x0020, 0x263A, 0x263B, 0x2665, 0x2666, 0x2663, 0x2660, 0x2022, 0x25D8, 0x25CB, 0x25D9, 0x2642, 0x2640, 0x266A, 0x266B, 0x263C,
    0x25BA, 0x25C4, 0x2195, 0x203C, 0x00B6, 0x00A7, 0x25AC, 0x21A8, 0x2191, 0x2193, 0x2192, 0x2190, 0x221F, 0x2194, 0x25B2, 0x25BC,
    0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2A, 0x2B, 0x2C, 0x2D, 0x2E, 0x2F,
    0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3A, 0x3B, 0x3C, 0x3D, 0x3E, 0x3F,
    0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4A, 0x4B, 0x4C, 0x4D, 0x4E, 0x4F,
    0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5A, 0x5B, 0x5C, 0x5D, 0x5E, 0x5F,
    0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6A, 0x6B, 0x6C, 0x6D, 0x6E, 0x6F,
    0x70, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7A, 0x7B, 0x7C, 0x7D, 0x7E, 0x2302,
    0x00C7, 0x00FC, 0x00E9, 0x00E2, 0x00E4, 0x00E0, 0x00E5, 0x00E7, 0x00EA, 0x00EB, 0x00E8, 0x00EF, 0x00EE, 0x00EC, 0x00C4, 0x00C5,
    0x00C9, 0x00E6, 0x00C6, 0x00F4, 0x00F6, 0x00F2, 0x00FB, 0x00F9, 0x00FF, 0x00D6, 0x00DC, 0x00A2, 0x00A3, 0x00A5, 0x20A7, 0x0192,
    0x00E1, 0x00ED, 0x00F3, 0x00FA, 0x00F1, 0x00D1, 0x00AA, 0x00BA, 0x00BF, 0x2310, 0x00AC, 0x00BD, 0x00BC, 0x00A1, 0x00AB, 0x00BB,
    0x2591, 0x2592, 0x2593, 0x2502, 0x2524, 0x2561, 0x2562, 0x2556, 0x2555, 0x2563, 0x2551, 0x2557, 0x255D, 0x255C, 0x255B, 0x2510,
    0x2514, 0x2534, 0x252C, 0x251C, 0x2500, 0x253C, 0x255E, 0x255F, 0x255A, 0x2554, 0x2569, 0x2566, 0x2560, 0x2550, 0x256C, 0x2567,
    0x2568, 0x2564, 0x2565, 0x2559, 0x2558, 0x2552, 0x2553, 0x256B, 0x256A, 0x2518, 0x250C, 0x2588, 0x2584, 0x258C, 0x2590, 0x2580,
    0x03B1, 0x00DF, 0x0393, 0x03C0, 0x03A3, 0x03C3, 0x00B5, 0x03C4, 0x03A6, 0x0398, 0x03A9, 0x03B4, 0x221E, 0x03C6, 0x03B5, 0x2229,
    0x2261, 0x00B1, 0x2265, 0x2264, 0x2320, 0x2321, 0x00F7, 0x2248, 0x00B0, 0x2219, 0x00B7, 0x221A, 0x207F, 0x00B2, 0x25A0, 0x00A0,
};

static void put(char *buf, size_t size, size_t *n, char c)
{
    if (*n + 1 < size)
        buf[*n] = c;
    (*n)++;
}

size_t vga_text(struct vga *v, char *buf, size_t size)
{
    const struct vga_state *s = &v->s;
    struct geometry g;
    geometry_of(s, &g);
    if (size)
        buf[0] = '\0';
    if (g.kind != KIND_TEXT)
        return 0;
    unsigned char_h = (s->crtc[CR_MAXSCAN] & 0x1F) + 1u;
    unsigned rows = g.vde / char_h / ((s->crtc[CR_MAXSCAN] & 0x80) ? 2 : 1);
    uint32_t start = (uint32_t)s->crtc[CR_START_HI] << 8 | s->crtc[CR_START_LO];
    size_t n = 0;
    for (unsigned r = 0; r < rows; r++) {
        uint32_t ma = start + r * s->crtc[CR_OFFSET] * 2u;
        size_t line_start = n, keep = n;
        for (unsigned col = 0; col < g.cols; col++) {
            uint8_t ch = v->vram[crtc_address(s, ma + col, 0) << 2];
            uint16_t u = cp437[ch];
            if (u < 0x80) {
                put(buf, size, &n, (char)u);
            } else if (u < 0x800) {
                put(buf, size, &n, (char)(0xC0 | (u >> 6)));
                put(buf, size, &n, (char)(0x80 | (u & 0x3F)));
            } else {
                put(buf, size, &n, (char)(0xE0 | (u >> 12)));
                put(buf, size, &n, (char)(0x80 | ((u >> 6) & 0x3F)));
                put(buf, size, &n, (char)(0x80 | (u & 0x3F)));
            }
            if (u != 0x20)
                keep = n;
        }
        (void)line_start;
        n = keep;            /* drop trailing blanks */
        put(buf, size, &n, '\n');
    }
    if (size)
        buf[n < size ? n : size - 1] = '\0';
    return n;
}
