/* The VGA + Bochs DISPI adapter (devices/vga.c) against the IBM VGA Technical Reference as FreeVGA
 * documents it ("Graphics Registers": write modes 0-3, read modes 0-1, Data Rotate, Bit Mask,
 * Set/Reset; "Sequencer Registers": Map Mask, Memory Mode chain 4 and odd/even; "Attribute
 * Controller Registers": the address/data flip-flop and its reset by reading Input Status #1;
 * "DAC Operation"; "CRT Controller Registers": CR11 write protect) and Bochs' vbe.h for DISPI.
 * Accesses go through the port and memory buses as a guest makes them. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/ioport.h"
#include "core/mem.h"
#include "devices/vga.h"

static struct iobus bus;
static struct mem mem;
static struct clock clk;
static uint64_t insns;
static struct vga vga;

static void setup(void)
{
    io_init(&bus);
    ck_assert(mem_init(&mem, 1u << 20));
    mem_route(&mem, 0xA0000, 0x20000, -1, -1);
    insns = 0;
    clock_init(&clk, &insns, 1000000000, 0);   /* 1 instruction = 1 ns */
    ck_assert(vga_init(&vga, &bus, &mem, &clk));
}

static void teardown(void)
{
    vga_free(&vga);
    mem_free(&mem);
}

static void outb(uint16_t port, uint8_t v) { io_write(&bus, port, v, 1); }
static void outw(uint16_t port, uint16_t v) { io_write(&bus, port, v, 2); }
static uint8_t inb(uint16_t port) { return (uint8_t)io_read(&bus, port, 1); }
static uint16_t inw(uint16_t port) { return (uint16_t)io_read(&bus, port, 2); }
static void sr(uint8_t i, uint8_t v) { outb(0x3C4, i); outb(0x3C5, v); }
static void gr(uint8_t i, uint8_t v) { outb(0x3CE, i); outb(0x3CF, v); }
static void cr(uint8_t i, uint8_t v) { outb(0x3D4, i); outb(0x3D5, v); }
static void ar(uint8_t i, uint8_t v)
{
    inb(0x3DA);
    outb(0x3C0, i);
    outb(0x3C0, v);
}
static void dispi(uint16_t i, uint16_t v) { outw(0x1CE, i); outw(0x1CF, v); }
static uint16_t dispi_get(uint16_t i) { outw(0x1CE, i); return inw(0x1CF); }

/* Planar graphics at A0000h-AFFFFh (GR6 = 05h: graphics, memory map 1), all planes writable,
 * sequential addressing (SR4 = 06h), write mode 0, no rotation, bit mask FFh. */
static void planar_setup(void)
{
    outb(0x3C2, 0x03);        /* colour CRTC ports, RAM access enabled */
    sr(2, 0x0F);
    sr(4, 0x06);
    gr(5, 0x00);
    gr(6, 0x05);
    gr(8, 0xFF);
    gr(1, 0x00);
    gr(3, 0x00);
}

/* What plane p holds at offset off, read back through read mode 0 and Read Map Select. */
static uint8_t plane(unsigned p, uint32_t off)
{
    gr(5, 0x00);
    gr(4, (uint8_t)p);
    return mem_read8(&mem, 0xA0000 + off);
}

/* Fills the four planes at off with the given bytes (map mask one plane at a time). */
static void fill_planes(uint32_t off, uint8_t p0, uint8_t p1, uint8_t p2, uint8_t p3)
{
    const uint8_t b[4] = {p0, p1, p2, p3};
    for (unsigned p = 0; p < 4; p++) {
        sr(2, (uint8_t)(1u << p));
        mem_write8(&mem, 0xA0000 + off, b[p]);
    }
    sr(2, 0x0F);
}

START_TEST(test_write_mode0_map_mask)
{
    planar_setup();
    sr(2, 0x05);              /* Map Mask: planes 0 and 2 only */
    mem_write8(&mem, 0xA0010, 0xA5);
    ck_assert_uint_eq(plane(0, 0x10), 0xA5);
    ck_assert_uint_eq(plane(1, 0x10), 0x00);
    ck_assert_uint_eq(plane(2, 0x10), 0xA5);
    ck_assert_uint_eq(plane(3, 0x10), 0x00);
}
END_TEST

START_TEST(test_write_mode0_set_reset)
{
    planar_setup();
    gr(0, 0x05);              /* Set/Reset: planes 0, 2 -> 1s; 1, 3 -> 0s */
    gr(1, 0x0F);              /* Enable Set/Reset on all planes: the CPU data is ignored */
    mem_write8(&mem, 0xA0000, 0x3C);
    ck_assert_uint_eq(plane(0, 0), 0xFF);
    ck_assert_uint_eq(plane(1, 0), 0x00);
    ck_assert_uint_eq(plane(2, 0), 0xFF);
    ck_assert_uint_eq(plane(3, 0), 0x00);
    gr(1, 0x01);              /* only plane 0 from Set/Reset, the others take the data */
    gr(0, 0x00);
    mem_write8(&mem, 0xA0001, 0x3C);
    ck_assert_uint_eq(plane(0, 1), 0x00);
    ck_assert_uint_eq(plane(1, 1), 0x3C);
    ck_assert_uint_eq(plane(3, 1), 0x3C);
}
END_TEST

START_TEST(test_bit_mask_keeps_latched_bits)
{
    planar_setup();
    fill_planes(0x20, 0xF0, 0xF0, 0xF0, 0xF0);
    (void)mem_read8(&mem, 0xA0020);   /* a read loads the latches */
    gr(8, 0x3C);
    mem_write8(&mem, 0xA0020, 0xFF);
    /* Bit Mask: bits set come from the data (3Ch), clear ones from the latch (F0h & C3h). */
    ck_assert_uint_eq(plane(0, 0x20), 0xFC);
    ck_assert_uint_eq(plane(3, 0x20), 0xFC);
}
END_TEST

START_TEST(test_write_mode1_copies_latches)
{
    planar_setup();
    fill_planes(0x30, 0x11, 0x22, 0x33, 0x44);
    gr(5, 0x01);
    (void)mem_read8(&mem, 0xA0030);
    mem_write8(&mem, 0xA0031, 0x99);   /* write mode 1: the latches, the data is ignored */
    ck_assert_uint_eq(plane(0, 0x31), 0x11);
    ck_assert_uint_eq(plane(1, 0x31), 0x22);
    ck_assert_uint_eq(plane(2, 0x31), 0x33);
    ck_assert_uint_eq(plane(3, 0x31), 0x44);
}
END_TEST

START_TEST(test_write_mode2_colour_fill)
{
    planar_setup();
    fill_planes(0x40, 0x00, 0xFF, 0x00, 0xFF);
    (void)mem_read8(&mem, 0xA0040);
    gr(5, 0x02);
    gr(8, 0x81);
    mem_write8(&mem, 0xA0040, 0x05);   /* colour 5: bits 0 and 2 -> planes 0, 2 all ones */
    /* bits 7 and 0 from the colour, the rest from the latch */
    ck_assert_uint_eq(plane(0, 0x40), 0x81);
    ck_assert_uint_eq(plane(1, 0x40), 0x7E);
    ck_assert_uint_eq(plane(2, 0x40), 0x81);
    ck_assert_uint_eq(plane(3, 0x40), 0x7E);
}
END_TEST

START_TEST(test_write_mode3_data_masks_set_reset)
{
    planar_setup();
    fill_planes(0x50, 0x0F, 0x0F, 0x0F, 0x0F);
    (void)mem_read8(&mem, 0xA0050);
    gr(0, 0x0A);              /* Set/Reset colour 1010b: planes 1 and 3 */
    gr(1, 0x00);              /* ignored in write mode 3 */
    gr(5, 0x03);
    gr(8, 0xFF);
    mem_write8(&mem, 0xA0050, 0xF0);   /* the data is the bit mask (ANDed with GR8) */
    ck_assert_uint_eq(plane(0, 0x50), 0x0F);
    ck_assert_uint_eq(plane(1, 0x50), 0xFF);
    ck_assert_uint_eq(plane(2, 0x50), 0x0F);
    ck_assert_uint_eq(plane(3, 0x50), 0xFF);
}
END_TEST

START_TEST(test_rotate_and_logical_functions)
{
    planar_setup();
    static const struct { uint8_t gr3, want; } cases[] = {
        {0x04, 0x21},         /* rotate right by 4: 12h -> 21h, replace */
        {0x0C, 0x01},         /* AND with the latch 0Fh */
        {0x14, 0x2F},         /* OR */
        {0x1C, 0x2E},         /* XOR */
    };
    for (unsigned i = 0; i < 4; i++) {
        fill_planes(0x60, 0x0F, 0x0F, 0x0F, 0x0F);
        (void)mem_read8(&mem, 0xA0060);
        gr(3, cases[i].gr3);
        mem_write8(&mem, 0xA0060, 0x12);
        gr(3, 0x00);
        ck_assert_uint_eq(plane(2, 0x60), cases[i].want);
    }
}
END_TEST

START_TEST(test_read_mode1_colour_compare)
{
    planar_setup();
    fill_planes(0x70, 0xFF, 0x0F, 0x33, 0x00);
    gr(2, 0x03);              /* Color Compare: planes 0, 1 = 1; planes 2, 3 = 0 */
    gr(7, 0x0F);
    gr(5, 0x08);
    /* FFh & 0Fh & ~33h & ~00h = 0Ch */
    ck_assert_uint_eq(mem_read8(&mem, 0xA0070), 0x0C);
    gr(7, 0x03);              /* Color Don't Care: planes 2, 3 ignored */
    ck_assert_uint_eq(mem_read8(&mem, 0xA0070), 0x0F);
    gr(7, 0x00);              /* nothing compared: all ones */
    ck_assert_uint_eq(mem_read8(&mem, 0xA0070), 0xFF);
}
END_TEST

START_TEST(test_chain4_addressing)
{
    planar_setup();
    sr(4, 0x0E);              /* chain 4 */
    for (unsigned i = 0; i < 8; i++)
        mem_write8(&mem, 0xA0000 + i, (uint8_t)(0x10 + i));
    ck_assert_uint_eq(mem_read8(&mem, 0xA0005), 0x15);
    sr(4, 0x06);
    /* Chain 4: A0-A1 select the plane; bytes 0-3 at plane offset 0, bytes 4-7 at offset 4. */
    ck_assert_uint_eq(plane(0, 0), 0x10);
    ck_assert_uint_eq(plane(3, 0), 0x13);
    ck_assert_uint_eq(plane(1, 4), 0x15);
    ck_assert_uint_eq(plane(1, 5), 0x00);
}
END_TEST

START_TEST(test_odd_even_text_layout)
{
    outb(0x3C2, 0x67);
    sr(2, 0x03);
    sr(4, 0x02);              /* odd/even (bit 2 clear) */
    gr(5, 0x10);              /* host odd/even */
    gr(6, 0x0E);              /* B8000h, chain odd/even, alphanumeric */
    gr(8, 0xFF);
    mem_write8(&mem, 0xB8000, 'A');
    mem_write8(&mem, 0xB8001, 0x1F);
    mem_write8(&mem, 0xB8002, 'B');
    ck_assert_uint_eq(mem_read8(&mem, 0xB8001), 0x1F);
    ck_assert_uint_eq(mem_read8(&mem, 0xA0000), 0xFF);   /* outside the B8000h window */
    sr(4, 0x06);
    gr(6, 0x05);
    /* Even bytes in plane 0, odd bytes in plane 1, both at the even offset. */
    ck_assert_uint_eq(plane(0, 0), 'A');
    ck_assert_uint_eq(plane(1, 0), 0x1F);
    ck_assert_uint_eq(plane(0, 2), 'B');
    ck_assert_uint_eq(plane(0, 1), 0x00);
    ck_assert_uint_eq(plane(1, 2), 0x00);
}
END_TEST

START_TEST(test_attribute_flip_flop)
{
    outb(0x3C2, 0x01);        /* colour: Input Status #1 at 3DAh */
    inb(0x3DA);
    outb(0x3C0, 0x30);        /* index 10h with PAS */
    outb(0x3C0, 0x41);        /* data */
    ck_assert_uint_eq(inb(0x3C0), 0x30);
    ck_assert_uint_eq(inb(0x3C1), 0x41);
    outb(0x3C0, 0x33);        /* the flip-flop is back at index: index 13h */
    inb(0x3DA);               /* reset: the next write is an index again */
    outb(0x3C0, 0x32);        /* index 12h */
    outb(0x3C0, 0x05);
    ck_assert_uint_eq(inb(0x3C0), 0x32);
    ck_assert_uint_eq(inb(0x3C1), 0x05);
    outb(0x3C0, 0x30);
    ck_assert_uint_eq(inb(0x3C1), 0x41);   /* AR10 untouched by the 33h byte */
    /* The palette registers are writable only with PAS = 0. */
    inb(0x3DA);
    outb(0x3C0, 0x21);
    outb(0x3C0, 0x3F);
    outb(0x3C0, 0x01);        /* index 1, PAS = 0 */
    ck_assert_uint_eq(inb(0x3C1), 0x00);
    outb(0x3C0, 0x3F);        /* data */
    ck_assert_uint_eq(inb(0x3C1), 0x3F);
}
END_TEST

START_TEST(test_dac_auto_increment)
{
    outb(0x3C8, 5);
    static const uint8_t vals[6] = {0x01, 0x02, 0x03, 0xFF, 0x20, 0x3F};
    for (unsigned i = 0; i < 6; i++)
        outb(0x3C9, vals[i]);
    ck_assert_uint_eq(inb(0x3C8), 7);      /* two entries written: the index advanced twice */
    ck_assert_uint_eq(inb(0x3C7) & 3, 0);  /* DAC state: write mode */
    outb(0x3C7, 5);
    ck_assert_uint_eq(inb(0x3C7) & 3, 3);  /* read mode */
    ck_assert_uint_eq(inb(0x3C9), 0x01);
    ck_assert_uint_eq(inb(0x3C9), 0x02);
    ck_assert_uint_eq(inb(0x3C9), 0x03);
    ck_assert_uint_eq(inb(0x3C9), 0x3F);   /* 6-bit components: FFh stored as 3Fh */
    ck_assert_uint_eq(inb(0x3C9), 0x20);
    ck_assert_uint_eq(inb(0x3C9), 0x3F);
    /* A partial write cycle is restarted by a new index. */
    outb(0x3C8, 9);
    outb(0x3C9, 0x11);
    outb(0x3C8, 9);
    outb(0x3C9, 0x0A);
    outb(0x3C9, 0x0B);
    outb(0x3C9, 0x0C);
    outb(0x3C7, 9);
    ck_assert_uint_eq(inb(0x3C9), 0x0A);
    ck_assert_uint_eq(inb(0x3C9), 0x0B);
    ck_assert_uint_eq(inb(0x3C9), 0x0C);
}
END_TEST

START_TEST(test_crtc_write_protect_and_port_select)
{
    outb(0x3C2, 0x01);
    cr(0x01, 0x4F);
    cr(0x11, 0x80);           /* protect CR0-CR7 */
    cr(0x01, 0x27);
    cr(0x07, 0xFF);
    outb(0x3D4, 0x01);
    ck_assert_uint_eq(inb(0x3D5), 0x4F);
    outb(0x3D4, 0x07);
    ck_assert_uint_eq(inb(0x3D5), 0x10);   /* only bit 4 (line compare bit 8) got through */
    cr(0x11, 0x00);
    cr(0x01, 0x27);
    outb(0x3D4, 0x01);
    ck_assert_uint_eq(inb(0x3D5), 0x27);
    outb(0x3C2, 0x00);        /* monochrome: the CRTC moves to 3B4h/3B5h */
    ck_assert_uint_eq(inb(0x3D5), 0xFF);
    outb(0x3B4, 0x01);
    ck_assert_uint_eq(inb(0x3B5), 0x27);
    ck_assert_uint_eq(inb(0x3CC), 0x00);
}
END_TEST

START_TEST(test_retrace_from_virtual_clock)
{
    /* Registers at power-on: the 70 Hz, 449-line frame with retrace at lines 412-413. */
    uint64_t frame = 1000000000ull / 70, line = frame / 449;
    outb(0x3C2, 0x01);
    insns = 10;
    ck_assert_uint_eq(inb(0x3DA) & 0x09, 0x00);
    insns = 412 * line + 1;
    ck_assert_uint_eq(inb(0x3DA) & 0x09, 0x09);
    insns = 420 * line + 1;
    ck_assert_uint_eq(inb(0x3DA) & 0x09, 0x01);
    insns = frame + 412 * line + 1;        /* the next frame's retrace */
    ck_assert_uint_eq(inb(0x3DA) & 0x08, 0x08);
}
END_TEST

START_TEST(test_dispi_id_and_mode_set)
{
    ck_assert_uint_eq(dispi_get(VBE_DISPI_INDEX_ID), 0xB0C0);
    dispi(VBE_DISPI_INDEX_ID, 0xB0C5);
    ck_assert_uint_eq(dispi_get(VBE_DISPI_INDEX_ID), 0xB0C5);
    dispi(VBE_DISPI_INDEX_ID, 0x1234);      /* not an ID: ignored */
    ck_assert_uint_eq(dispi_get(VBE_DISPI_INDEX_ID), 0xB0C5);
    ck_assert_uint_eq(dispi_get(VBE_DISPI_INDEX_VIDEO_MEMORY_64K), 256);   /* 16 MiB */
    dispi(VBE_DISPI_INDEX_ENABLE, VBE_DISPI_GETCAPS);
    ck_assert_uint_eq(dispi_get(VBE_DISPI_INDEX_XRES), 2560);
    ck_assert_uint_eq(dispi_get(VBE_DISPI_INDEX_BPP), 32);
    dispi(VBE_DISPI_INDEX_ENABLE, 0);
    dispi(VBE_DISPI_INDEX_XRES, 800);
    dispi(VBE_DISPI_INDEX_YRES, 600);
    dispi(VBE_DISPI_INDEX_BPP, 32);
    dispi(VBE_DISPI_INDEX_ENABLE, VBE_DISPI_ENABLED | VBE_DISPI_LFB_ENABLED);
    ck_assert_uint_eq(dispi_get(VBE_DISPI_INDEX_ENABLE), 0x41);
    ck_assert_uint_eq(dispi_get(VBE_DISPI_INDEX_XRES), 800);
    ck_assert_uint_eq(dispi_get(VBE_DISPI_INDEX_VIRT_WIDTH), 800);
    ck_assert_uint_eq(dispi_get(VBE_DISPI_INDEX_VIRT_HEIGHT), 16777216 / 3200);
    /* The LFB as host memory: a 32-bit pixel B, G, R, X. */
    vga_set_lfb(&vga, 0xE0000000, true);
    mem_write32(&mem, 0xE0000000 + 599 * 3200 + 4 * 799, 0x00123456);
    struct vga_frame f;
    ck_assert(vga_render(&vga, &f));
    ck_assert_uint_eq(f.width, 800);
    ck_assert_uint_eq(f.height, 600);
    ck_assert_uint_eq(f.pixels[599 * 800 + 799], 0x123456);
    ck_assert(!vga_render(&vga, &f));       /* nothing changed */
    mem_write32(&mem, 0xE0000000 + 100 * 3200, 0x00FFFFFF);
    ck_assert(vga_render(&vga, &f));
    ck_assert_uint_eq(f.dirty_y0, 100);
    ck_assert_uint_eq(f.dirty_y1, 101);
    ck_assert_uint_eq(f.pixels[100 * 800], 0xFFFFFF);
    /* The renderer reads only frame-buffer pages written since its last look: a page written
     * twice between renders shows both writes, and the render watches it again, so a third
     * write after it is seen too. */
    mem_write32(&mem, 0xE0000000 + 200 * 3200, 0x00010203);
    mem_write32(&mem, 0xE0000000 + 200 * 3200 + 8, 0x00040506);
    ck_assert(vga_render(&vga, &f));
    ck_assert_uint_eq(f.dirty_y0, 200);
    ck_assert_uint_eq(f.dirty_y1, 201);
    ck_assert_uint_eq(f.pixels[200 * 800], 0x010203);
    ck_assert_uint_eq(f.pixels[200 * 800 + 2], 0x040506);
    ck_assert(!vga_render(&vga, &f));
    mem_write32(&mem, 0xE0000000 + 200 * 3200 + 4, 0x00070809);
    ck_assert(vga_render(&vga, &f));
    ck_assert_uint_eq(f.pixels[200 * 800 + 1], 0x070809);
    /* Y offset scrolls: line 100 becomes line 0. */
    dispi(VBE_DISPI_INDEX_Y_OFFSET, 100);
    vga_render(&vga, &f);
    ck_assert_uint_eq(f.pixels[0], 0xFFFFFF);
    vga_set_lfb(&vga, 0, false);
    ck_assert_uint_eq(mem_read32(&mem, 0xE0000000), 0xFFFFFFFF);   /* nothing answers */
}
END_TEST

START_TEST(test_dispi_bank_window)
{
    outb(0x3C2, 0x03);
    gr(6, 0x05);
    dispi(VBE_DISPI_INDEX_XRES, 1024);
    dispi(VBE_DISPI_INDEX_YRES, 768);
    dispi(VBE_DISPI_INDEX_BPP, 8);
    dispi(VBE_DISPI_INDEX_ENABLE, VBE_DISPI_ENABLED);
    dispi(VBE_DISPI_INDEX_BANK, 2);
    ck_assert_uint_eq(dispi_get(VBE_DISPI_INDEX_BANK), 2);
    mem_write8(&mem, 0xA0005, 0x77);
    ck_assert_uint_eq(vga.vram[0x20005], 0x77);
    dispi(VBE_DISPI_INDEX_BANK, 256);       /* beyond 16 MiB: refused */
    ck_assert_uint_eq(dispi_get(VBE_DISPI_INDEX_BANK), 2);
}
END_TEST

static void dac_set(uint8_t i, uint8_t r, uint8_t g, uint8_t b)
{
    outb(0x3C8, i);
    outb(0x3C9, r);
    outb(0x3C9, g);
    outb(0x3C9, b);
}

/* Mode 13h's registers (IBM VGA Technical Reference, mode 13h parameter table). */
START_TEST(test_render_mode13)
{
    outb(0x3C2, 0x63);
    sr(1, 0x01);
    sr(2, 0x0F);
    sr(4, 0x0E);
    gr(5, 0x40);
    gr(6, 0x05);
    gr(8, 0xFF);
    cr(0x01, 0x4F);
    cr(0x07, 0x1F);
    cr(0x09, 0x41);
    cr(0x12, 0x8F);
    cr(0x13, 0x28);
    cr(0x14, 0x40);
    cr(0x17, 0xA3);
    cr(0x18, 0xFF);
    ar(0x10, 0x41);
    ar(0x12, 0x0F);
    ar(0x20, 0);
    dac_set(1, 63, 0, 0);
    dac_set(2, 0, 21, 42);
    mem_write8(&mem, 0xA0000 + 320 + 1, 1);
    mem_write8(&mem, 0xA0000 + 199 * 320 + 319, 2);
    struct vga_frame f;
    ck_assert(vga_render(&vga, &f));
    ck_assert_uint_eq(f.width, 320);
    ck_assert_uint_eq(f.height, 200);
    ck_assert_uint_eq(f.pixels[321], 0xFF0000);
    ck_assert_uint_eq(f.pixels[320], 0);
    /* 6-bit to 8-bit: 21 -> 85 (55h), 42 -> 170 (AAh) */
    ck_assert_uint_eq(f.pixels[199 * 320 + 319], 0x0055AA);
    ck_assert(!vga_render(&vga, &f));
    mem_write8(&mem, 0xA0000 + 5 * 320, 1);
    ck_assert(vga_render(&vga, &f));
    ck_assert_uint_eq(f.dirty_y0, 5);
    ck_assert_uint_eq(f.dirty_y1, 6);
    /* A DAC change shows without touching memory. */
    dac_set(1, 0, 63, 0);
    ck_assert(vga_render(&vga, &f));
    ck_assert_uint_eq(f.pixels[321], 0x00FF00);
    /* Mode X: chain 4 off, byte mode: pixel 4k+p is plane p, offset k. */
    sr(4, 0x06);
    cr(0x14, 0x00);
    cr(0x17, 0xE3);
    sr(2, 0x04);
    mem_write8(&mem, 0xA0000 + 80 + 1, 1);   /* row 1, x = 4 * 1 + 2 = 6 */
    vga_render(&vga, &f);
    ck_assert_uint_eq(f.width, 320);
    ck_assert_uint_eq(f.pixels[320 + 6], 0x00FF00);
}
END_TEST

/* Mode 12h's registers: 640x480, 16 colours, planar. */
START_TEST(test_render_mode12)
{
    outb(0x3C2, 0xE3);
    sr(1, 0x01);
    sr(2, 0x0F);
    sr(4, 0x06);
    gr(5, 0x00);
    gr(6, 0x05);
    gr(8, 0xFF);
    cr(0x01, 0x4F);
    cr(0x07, 0x3E);
    cr(0x09, 0x40);
    cr(0x12, 0xDF);
    cr(0x13, 0x28);
    cr(0x17, 0xE3);
    cr(0x18, 0xFF);
    for (uint8_t i = 0; i < 16; i++)
        ar(i, i);
    ar(0x10, 0x01);
    ar(0x12, 0x0F);
    ar(0x20, 0);
    dac_set(5, 63, 0, 63);
    dac_set(8, 0, 0, 63);
    fill_planes(80 * 479 + 79, 0x80, 0x00, 0x80, 0x00);   /* x = 632: colour 0101b */
    fill_planes(1, 0x00, 0x00, 0x00, 0x01);               /* x = 15: colour 1000b */
    struct vga_frame f;
    vga_render(&vga, &f);
    ck_assert_uint_eq(f.width, 640);
    ck_assert_uint_eq(f.height, 480);
    ck_assert_uint_eq(f.pixels[479 * 640 + 632], 0xFF00FF);
    ck_assert_uint_eq(f.pixels[479 * 640 + 633], 0);
    ck_assert_uint_eq(f.pixels[15], 0x0000FF);
    /* Color Plane Enable without plane 3: colour 8 becomes 0. */
    ar(0x12, 0x07);
    ar(0x20, 0);
    vga_render(&vga, &f);
    ck_assert_uint_eq(f.pixels[15], 0);
}
END_TEST

/* Mode 03h: 80x25, 9x16 cells; characters in plane 0, attributes in plane 1, font in plane 2. */
START_TEST(test_render_text)
{
    outb(0x3C2, 0x67);
    sr(1, 0x00);              /* 9-dot characters */
    sr(3, 0x00);
    sr(4, 0x02);
    gr(5, 0x10);
    gr(6, 0x0E);
    gr(8, 0xFF);
    cr(0x01, 0x4F);
    cr(0x07, 0x1F);
    cr(0x09, 0x4F);
    cr(0x0A, 0x20);           /* cursor off */
    cr(0x12, 0x8F);
    cr(0x13, 0x28);
    cr(0x14, 0x1F);
    cr(0x17, 0xA3);
    cr(0x18, 0xFF);
    for (uint8_t i = 0; i < 16; i++)
        ar(i, i);
    ar(0x10, 0x0C);           /* blink enable, line graphics enable */
    ar(0x12, 0x0F);
    ar(0x20, 0);
    dac_set(0x1, 0, 0, 42);
    dac_set(0xE, 63, 63, 21);
    /* Glyphs: 'A' row 0 = 81h, C4h row 0 = 01h (the ninth column repeats it). */
    sr(2, 0x04);
    sr(4, 0x06);
    gr(5, 0x00);
    gr(6, 0x04);              /* A0000h 128K, graphics addressing for the font load */
    mem_write8(&mem, 0xA0000 + 'A' * 32, 0x81);
    mem_write8(&mem, 0xA0000 + 0xC4 * 32, 0x01);
    sr(2, 0x03);
    sr(4, 0x02);
    gr(5, 0x10);
    gr(6, 0x0E);
    mem_write8(&mem, 0xB8000, 'A');
    mem_write8(&mem, 0xB8001, 0x1E);
    mem_write8(&mem, 0xB8002, 0xC4);
    mem_write8(&mem, 0xB8003, 0x1E);
    struct vga_frame f;
    vga_render(&vga, &f);
    ck_assert_uint_eq(f.width, 720);
    ck_assert_uint_eq(f.height, 400);
    uint32_t yellow = 0xFFFF55, blue = 0x0000AA;
    ck_assert_uint_eq(f.pixels[0], yellow);
    ck_assert_uint_eq(f.pixels[1], blue);
    ck_assert_uint_eq(f.pixels[7], yellow);
    ck_assert_uint_eq(f.pixels[8], blue);       /* ninth dot of a letter: background */
    ck_assert_uint_eq(f.pixels[9 + 7], yellow);
    ck_assert_uint_eq(f.pixels[9 + 8], yellow); /* C4h: the ninth dot repeats the eighth */
    ck_assert_uint_eq(f.pixels[720], blue);     /* glyph row 1 is empty */
    char text[4096];
    size_t n = vga_text(&vga, text, sizeof(text));
    ck_assert_uint_gt(n, 0);
    ck_assert_str_eq(strtok(text, "\n"), "A\xe2\x94\x80");   /* C4h is U+2500 */
}
END_TEST

static Suite *vga_suite(void)
{
    Suite *s = suite_create("vga");
    TCase *t = tcase_create("vga");
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_add_test(t, test_write_mode0_map_mask);
    tcase_add_test(t, test_write_mode0_set_reset);
    tcase_add_test(t, test_bit_mask_keeps_latched_bits);
    tcase_add_test(t, test_write_mode1_copies_latches);
    tcase_add_test(t, test_write_mode2_colour_fill);
    tcase_add_test(t, test_write_mode3_data_masks_set_reset);
    tcase_add_test(t, test_rotate_and_logical_functions);
    tcase_add_test(t, test_read_mode1_colour_compare);
    tcase_add_test(t, test_chain4_addressing);
    tcase_add_test(t, test_odd_even_text_layout);
    tcase_add_test(t, test_attribute_flip_flop);
    tcase_add_test(t, test_dac_auto_increment);
    tcase_add_test(t, test_crtc_write_protect_and_port_select);
    tcase_add_test(t, test_retrace_from_virtual_clock);
    tcase_add_test(t, test_dispi_id_and_mode_set);
    tcase_add_test(t, test_dispi_bank_window);
    tcase_add_test(t, test_render_mode13);
    tcase_add_test(t, test_render_mode12);
    tcase_add_test(t, test_render_text);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    SRunner *r = srunner_create(vga_suite());
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
