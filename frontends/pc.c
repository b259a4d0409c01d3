/* The PC board: i440FX + PIIX3 with the ISA chips, wired in one function. Memory map (DESIGN.md
 * "Platform"): RAM from 0 with the 640 KiB-1 MiB hole; the BIOS at the top of 4 GiB and its last
 * 128 KiB at 0xE0000-0xFFFFF, where the i440FX PAM registers choose ROM or shadow RAM. */
#include "pc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "display.h"
#include "linuxboot.h"

#define LOW_ROM_SIZE 0x20000u

/* PAM registers (i440FX datasheet 3.2.18): PAM0 bits 5:4 = F0000h-FFFFFh; PAM1-6 two 16 KiB
 * segments each from C0000h. Attribute bit 0 RE: reads from DRAM, bit 1 WE: writes to DRAM;
 * otherwise the access goes to PCI, i.e. the BIOS ROM (E/F segments) or nothing. */
static void pam_changed(void *opaque, const uint8_t pam[7])
{
    struct pc *pc = opaque;
    for (unsigned seg = 0; seg < 13; seg++) {
        uint32_t base, size;
        unsigned attr;
        if (seg == 0) {
            base = 0xF0000;
            size = 0x10000;
            attr = (pam[0] >> 4) & 3;
        } else {
            base = 0xC0000 + (seg - 1) * 0x4000;
            size = 0x4000;
            attr = (pam[1 + (seg - 1) / 2] >> (((seg - 1) & 1) ? 4 : 0)) & 3;
        }
        int pci_side = base >= pc->low_rom_base ? pc->bios_low_region : -1;
        mem_route(&pc->m.mem, base, size, (attr & 1) ? pc->ram_region : pci_side,
                  (attr & 2) ? pc->ram_region : pci_side);
    }
    cpu_tlb_flush(&pc->m.cpu);
}


static void request_reset(void *opaque)
{
    struct pc *pc = opaque;
    /* Checked between instructions: the CPU finishes the OUT, then the board resets. */
    pc->m.cpu.stop = CPU_STOP_RESET;
}

/* The A20 gate is the OR of the 8042 output port's bit 1 and port 0x92's bit 1 (PIIX3 datasheet,
 * port 92h "fast A20"). */
static void update_a20(struct pc *pc)
{
    mem_set_a20(&pc->m.mem, pc->kbd_a20 || (pc->port92 & 2));
    cpu_tlb_flush(&pc->m.cpu);
}

static void set_a20(void *opaque, bool on)
{
    struct pc *pc = opaque;
    pc->kbd_a20 = on;
    update_a20(pc);
}

static void board_reset(void *opaque)
{
    struct pc *pc = opaque;
    static const uint8_t pam_off[7] = {0};
    pam_changed(pc, pam_off);
    i8042_reset(&pc->kbd);
    if (pc->vga.vram)
        vga_reset(&pc->vga);     /* RESET reaches the VGA too; the LFB mapping stays with PCI */
    dma_reset(&pc->dma);
    fdc_reset(&pc->fdc);
    ide_reset(&pc->ide);
    pc->port92 = 0;              /* fast A20 off after reset; the 8042's A20 line stays on */
    pc->kbd_a20 = true;
    update_a20(pc);
}

/* Port 0x92, "system control port A" (PIIX3 datasheet): bit 1 fast A20, bit 0 fast reset. */
static uint32_t port92_read(void *opaque, uint16_t port, unsigned size)
{
    (void)port;
    (void)size;
    return ((struct pc *)opaque)->port92;
}

static void port92_write(void *opaque, uint16_t port, uint32_t value, unsigned size)
{
    struct pc *pc = opaque;
    (void)port;
    (void)size;
    pc->port92 = (uint8_t)(value & 0x02);
    update_a20(pc);
    if (value & 1)
        request_reset(pc);
}

/* FERR# from the CPU drives IRQ13; a write to port 0xF0 clears the interrupt and asserts IGNNE#
 * until FERR# goes away (the PC/AT's coprocessor error logic, SDM Vol.1 D.1.1). */
static void ferr_changed(void *opaque, bool level)
{
    struct pc *pc = opaque;
    irq_set(&pc->irq, 13, level);
}

static uint32_t port_f0_read(void *opaque, uint16_t port, unsigned size)
{
    (void)opaque;
    (void)port;
    (void)size;
    return 0xFF;
}

static void port_f0_write(void *opaque, uint16_t port, uint32_t value, unsigned size)
{
    struct pc *pc = opaque;
    (void)port;
    (void)value;
    (void)size;
    irq_set(&pc->irq, 13, 0);
    if (pc->m.cpu.ferr_asserted)
        pc->m.cpu.ignne = true;
}

/* POST code port 0x80: written by BIOSes as progress marks, also used as an I/O delay. */
static uint32_t post_read(void *opaque, uint16_t port, unsigned size)
{
    (void)opaque;
    (void)port;
    (void)size;
    return 0xFF;
}

static void post_write(void *opaque, uint16_t port, uint32_t value, unsigned size)
{
    (void)opaque;
    (void)port;
    (void)value;
    (void)size;
}

static void serial_tx(void *opaque, uint8_t byte)
{
    struct pc *pc = opaque;
    if (pc->serial_out) {
        fputc(byte, pc->serial_out);
        fflush(pc->serial_out);
    }
    /* A plain matcher suffices for the texts tests wait for (no self-overlapping prefixes). */
    const char *want = pc->exit_on_serial;
    if (want) {
        if ((char)byte == want[pc->exit_match])
            pc->exit_match++;
        else
            pc->exit_match = (char)byte == want[0];
        if (want[pc->exit_match] == '\0')
            machine_request_exit(&pc->m, 0);
    }
}

static void com2_tx(void *opaque, uint8_t byte)
{
    (void)opaque;
    (void)byte;
}

static bool queue_input(void *opaque, uint8_t byte)
{
    struct pc *pc = opaque;
    if (pc->input_len < sizeof(pc->input))
        pc->input[pc->input_len++] = byte;
    return true;
}

/* Between slices: host keystrokes into COM1, as many as its receive FIFO takes. */
static void poll_input(void *opaque)
{
    struct pc *pc = opaque;
    if (pc->term_open && !term_poll(&pc->term, queue_input, pc))
        machine_request_exit(&pc->m, 0);
    if (pc->display)
        display_poll(pc->display);   /* window events, frames, keys (frontends/display.c) */
    unsigned done = 0, room = (pc->com1.s.fcr & 1) ? UART_FIFO_SIZE : 1;   /* 16450 mode: RBR only */
    while (done < pc->input_len && pc->com1.s.rx_count < room)
        uart_receive(&pc->com1, pc->input[done++]);
    if (done) {
        pc->input_len -= done;
        for (unsigned i = 0; i < pc->input_len; i++)
            pc->input[i] = pc->input[i + done];
    }
}

/* The CMOS bytes BIOSes read (IBM PC/AT technical reference; SeaBIOS src/hw/rtc.h). */
/* Boot device codes in CMOS 0x3D (first: bits 3-0, second: 7-4) and 0x38 (third: bits 7-4),
 * as SeaBIOS reads them on QEMU (src/boot.c; CMOS_BIOS_BOOTFLAG1/2): 1 floppy, 2 hard disk,
 * 3 CD-ROM, 4 network/option ROM (BEV). */
static unsigned boot_code(char c)
{
    switch (c) {
    case 'a': case 'b': return 1;
    case 'c': return 2;
    case 'd': return 3;
    case 'n': return 4;
    default: return 0;
    }
}

bool pc_parse_boot(const char *arg, char *order, size_t len)
{
    /* "-boot c", or "-boot order=cd,once=d,menu=on": order= (or once=, which we treat the same)
     * gives the letters; other keys are accepted and ignored. */
    const char *list = arg;
    const char *o = strstr(arg, "order=");
    if (!o)
        o = strstr(arg, "once=");
    if (o)
        list = strchr(o, '=') + 1;
    else if (strchr(arg, '='))
        return false;
    size_t n = 0;
    for (; *list && *list != ',' && n + 1 < len; list++) {
        if (!boot_code(*list))
            return false;
        order[n++] = *list;
    }
    order[n] = '\0';
    return n > 0;
}

static void fill_cmos(struct pc *pc, uint32_t ram, const char *boot_order)
{
    struct rtc *r = &pc->rtc;
    uint32_t ext_kb = ram > 0x100000 ? (ram - 0x100000) / 1024 : 0;
    if (ext_kb > 0xFFFF)
        ext_kb = 0xFFFF;
    uint32_t above16 = ram > 0x1000000 ? (ram - 0x1000000) / 65536 : 0;
    unsigned fd0 = fdc_cmos_type(&pc->fdc, 0), fd1 = fdc_cmos_type(&pc->fdc, 1);
    rtc_cmos_write(r, 0x10, (uint8_t)(fd0 << 4 | fd1)); /* drive types: A high nibble, B low */
    rtc_cmos_write(r, 0x12, 0x00);                    /* no hard disks */
    /* Equipment byte (IBM AT reference, CMOS 14h): bit 0 floppies present, bits 7-6 their count
     * minus one, bit 1 coprocessor, bits 5-4 00 = a display with its own BIOS (VGA). */
    unsigned nfd = (fd0 != 0) + (fd1 != 0);
    rtc_cmos_write(r, 0x14, (uint8_t)(0x06 | (nfd ? 1 | (nfd - 1) << 6 : 0)));
    rtc_cmos_write(r, 0x15, 0x80);                    /* base memory 640 KiB */
    rtc_cmos_write(r, 0x16, 0x02);
    rtc_cmos_write(r, 0x17, (uint8_t)ext_kb);
    rtc_cmos_write(r, 0x18, (uint8_t)(ext_kb >> 8));
    rtc_cmos_write(r, 0x30, (uint8_t)ext_kb);
    rtc_cmos_write(r, 0x31, (uint8_t)(ext_kb >> 8));
    rtc_cmos_write(r, 0x34, (uint8_t)above16);
    rtc_cmos_write(r, 0x35, (uint8_t)(above16 >> 8));
    rtc_cmos_write(r, 0x5B, 0);                       /* nothing above 4 GiB */
    rtc_cmos_write(r, 0x5C, 0);
    rtc_cmos_write(r, 0x5D, 0);
    rtc_cmos_write(r, 0x5F, 0);                       /* CPUs - 1 */
    const char *b = boot_order && *boot_order ? boot_order : "cad";
    unsigned first = boot_code(b[0]), second = b[1] ? boot_code(b[1]) : 0;
    unsigned third = b[1] && b[2] ? boot_code(b[2]) : 0;
    rtc_cmos_write(r, 0x3D, (uint8_t)(second << 4 | first));
    rtc_cmos_write(r, 0x38, (uint8_t)(third << 4));   /* bit 0 clear: check the floppy's boot signature */
    rtc_update_checksum(r);
}

/* -option-rom FILE: SeaBIOS runs every fw_cfg "genroms/" file as an option ROM during POST
 * (SeaBIOS src/optionroms.c), as QEMU's flag does. */
static bool add_option_rom(struct pc *pc, const char *path, char *why, size_t whylen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(why, whylen, "%s: %s", path, strerror(errno));
        return false;
    }
    uint8_t *buf = malloc(256u << 10);
    size_t n = buf ? fread(buf, 1, 256u << 10, f) : 0;
    bool too_big = buf && fgetc(f) != EOF;
    fclose(f);
    bool ok = buf && !too_big && n >= 3 && buf[0] == 0x55 && buf[1] == 0xAA;
    if (!ok) {
        snprintf(why, whylen, "%s: %s", path, too_big ? "larger than 256 KiB" : "not an option ROM (no 55 AA signature)");
    } else {
        const char *base = strrchr(path, '/');
        char name[56];
        snprintf(name, sizeof(name), "genroms/%s", base ? base + 1 : path);
        ok = fwcfg_add_file(&pc->fwcfg, name, buf, (uint32_t)n) == 0;
        if (!ok)
            snprintf(why, whylen, "%s: too many firmware files", path);
    }
    free(buf);
    return ok;
}

/* The VGA at PCI 00:02.0 as QEMU's stdvga: BAR0 is the 16 MiB linear frame buffer. SeaBIOS
 * loads the fw_cfg file "pci1234,1111.rom" as that device's option ROM before trying its ROM BAR
 * (SeaBIOS src/optionroms.c init_pcirom), so Debian's vgabios-stdvga.bin needs no ROM BAR. */
#define VGA_BIOS "/usr/share/seabios/vgabios-stdvga.bin"

static void vga_bar_changed(void *opaque, int bar, uint32_t addr, bool enabled)
{
    struct pc *pc = opaque;
    if (bar == 0) {
        vga_set_lfb(&pc->vga, addr, enabled);
        cpu_tlb_flush(&pc->m.cpu);
    }
}

/* --exit-on-screen TEXT: every SCREEN_POLL_NS of virtual time the text screen is searched; a
 * clock event, so the instruction count at which the text is found is the same in every run
 * (the boot tests of issue 11 compare it). */
#define SCREEN_POLL_NS 10000000ull      /* 10 ms */

static void screen_poll(void *opaque)
{
    struct pc *pc = opaque;
    static char text[80 * 60 * 4 + 64];
    if (vga_text(&pc->vga, text, sizeof(text)) && strstr(text, pc->exit_on_screen)) {
        fprintf(stderr, "jitpc: the screen shows \"%s\" after %llu instructions (%.3f s virtual)\n",
                pc->exit_on_screen, (unsigned long long)pc->m.cpu.icount, clock_now(&pc->clock) / 1e9);
        machine_request_exit(&pc->m, 0);
        return;
    }
    clock_schedule(&pc->clock, clock_now(&pc->clock) + SCREEN_POLL_NS, screen_poll, pc);
}

static bool add_vga(struct pc *pc, char *why, size_t whylen)
{
    struct machine *m = &pc->m;
    /* After the board's hole at 0xA0000: later maps win. */
    if (!vga_init(&pc->vga, &m->io, &m->mem, &pc->clock)) {
        snprintf(why, whylen, "cannot allocate the VGA's 16 MiB of video memory");
        return false;
    }
    struct pci_dev *d = pci_add_function(&pc->pci, 2, 0, VGA_PCI_VENDOR, VGA_PCI_DEVICE, 0x00, VGA_PCI_CLASS);
    if (!d) {
        snprintf(why, whylen, "PCI slot 2 is taken");
        return false;
    }
    pci_set_bar(d, 0, VGA_VRAM_SIZE, PCI_BAR_MEM | PCI_BAR_PREFETCH);
    pci_set_bar_hook(d, vga_bar_changed, pc);
    FILE *f = fopen(VGA_BIOS, "rb");
    if (!f) {
        snprintf(why, whylen, "%s: %s", VGA_BIOS, strerror(errno));
        return false;
    }
    uint8_t *buf = malloc(128u << 10);
    size_t n = buf ? fread(buf, 1, 128u << 10, f) : 0;
    fclose(f);
    bool ok = n >= 512 && buf[0] == 0x55 && buf[1] == 0xAA && fwcfg_add_file(&pc->fwcfg, "pci1234,1111.rom", buf, (uint32_t)n) == 0;
    if (!ok)
        snprintf(why, whylen, "%s: not a usable option ROM", VGA_BIOS);
    free(buf);
    return ok;
}

/* PIIX3 function 1, the IDE controller (82371SB datasheet, section 2.3): legacy-mode ports and
 * IRQs 14/15; BAR4 (20h) holds the bus-master registers. */
static void ide_bar_changed(void *opaque, int bar, uint32_t addr, bool enabled)
{
    struct pc *pc = opaque;
    if (bar == 4)
        ide_set_bmide_base(&pc->ide, enabled ? (uint16_t)addr : 0);
}

static bool add_ide_function(struct pc *pc, char *why, size_t whylen)
{
    /* Class 01h/01h, programming interface 80h: bus-master capable, both channels in legacy
     * (compatibility) mode with fixed ports. */
    struct pci_dev *d = pci_add_function(&pc->pci, 1, 1, 0x8086, 0x7010, 0x00, 0x010180);
    if (!d) {
        snprintf(why, whylen, "PCI slot 1 function 1 is taken");
        return false;
    }
    pci_set_bar(d, 4, 16, PCI_BAR_IO);
    pci_set_bar_hook(d, ide_bar_changed, pc);
    /* IDETIM (40h-43h: bit 15 decode enable per channel), SIDETIM 44h: the BIOS programs them. */
    for (unsigned r = 0x40; r <= 0x44; r++)
        d->wmask[r] = 0xFF;
    d->wmask[0x04] = 0x05;           /* command: I/O space and bus master enables */
    d->wmask[0x05] = 0x00;
    return true;
}

/* Opens each drive's image and connects it. A floppy image must have a floppy's size; a disk
 * or CD must be a multiple of 512 bytes (block_open); errors name the file. */
static bool attach_drives(struct pc *pc, const struct pc_config *cfg, char *why, size_t whylen)
{
    struct machine *m = &pc->m;
    why[0] = '\0';
    if (dma_init(&pc->dma, &m->io, &m->mem) || fdc_init(&pc->fdc, &m->io, &pc->irq, &pc->clock, dma_transfer_cb, &pc->dma) ||
        ide_init(&pc->ide, &m->io, &m->mem, &pc->irq, &pc->clock) || !add_ide_function(pc, why, whylen)) {
        if (!*why)
            snprintf(why, whylen, "the port map is full");
        return false;
    }
    for (unsigned i = 0; i < cfg->ndrives; i++) {
        const struct pc_drive *d = &cfg->drives[i];
        struct block *blk = NULL;
        if (d->file) {
            blk = &pc->blocks[pc->nblocks];
            unsigned flags = (d->readonly || d->cdrom ? BLOCK_READONLY : 0) | (cfg->snapshot ? BLOCK_SNAPSHOT : 0);
            if (!block_open(blk, d->file, flags, why, whylen))
                return false;
            pc->nblocks++;
        }
        bool ok;
        if (d->interface == PC_IF_FLOPPY)
            ok = blk ? fdc_insert(&pc->fdc, d->index, blk, why, whylen)
                     : (fdc_set_drive_type(&pc->fdc, d->index, FDC_TYPE_1440K), true);
        else
            ok = ide_attach(&pc->ide, d->index / 2, d->index % 2, blk, d->cdrom, why, whylen);
        if (!ok)
            return false;
    }
    return true;
}

static uint8_t *read_bios(const char *path, uint32_t *size, char *why, size_t whylen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(why, whylen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    uint8_t *buf = malloc(1u << 20);
    size_t n = buf ? fread(buf, 1, 1u << 20, f) : 0;
    fclose(f);
    /* A BIOS is a power of two between 64 KiB and 1 MiB (it must reach the reset vector). */
    if (!buf || n < 0x10000 || n > (1u << 20) || (n & (n - 1))) {
        snprintf(why, whylen, "%s: size %zu is not a power of two between 64 KiB and 1 MiB", path, n);
        free(buf);
        return NULL;
    }
    *size = (uint32_t)n;
    return buf;
}

bool pc_init(struct pc *pc, const struct pc_config *cfg, char *why, size_t whylen)
{
    memset(pc, 0, sizeof(*pc));
    pc->bios = read_bios(cfg->bios_path, &pc->bios_size, why, whylen);
    if (!pc->bios)
        return false;
    struct machine *m = &pc->m;
    if (!mem_init(&m->mem, cfg->ram_size)) {
        snprintf(why, whylen, "cannot allocate %u MiB of guest RAM", cfg->ram_size >> 20);
        free(pc->bios);
        return false;
    }
    pc->ram_region = 0;
    /* The 640 KiB - 1 MiB hole: VGA memory (issue 9) and the ROM area under PAM control. */
    mem_route(&m->mem, 0xA0000, 0x20000, -1, -1);
    mem_map_host(&m->mem, (uint32_t)(0x100000000ull - pc->bios_size), pc->bios_size, pc->bios, true);
    /* The BIOS's last 128 KiB (all of a smaller BIOS) also answer below 1 MiB. */
    uint32_t low_size = pc->bios_size < LOW_ROM_SIZE ? pc->bios_size : LOW_ROM_SIZE;
    pc->low_rom_base = 0x100000 - low_size;
    mem_map_host(&m->mem, pc->low_rom_base, low_size, pc->bios + pc->bios_size - low_size, true);
    pc->bios_low_region = mem_last_region(&m->mem);
    io_init(&m->io);
    cpu_init(&m->cpu, &m->mem, &m->io);
    m->clock = &pc->clock;
    m->board = pc;
    m->on_reset = board_reset;
    clock_init(&pc->clock, &m->cpu.icount, cfg->ips, cfg->start_time);
    if (cfg->realtime)
        clock_set_realtime(&pc->clock);

    pc->irq = (struct irq_bus){pic_set_irq, &pc->pic};
    pic_init(&pc->pic, &m->io);
    m->cpu.intr_pending = pic_intr_pending;
    m->cpu.intr_ack = pic_intr_ack;
    m->cpu.intr_opaque = &pc->pic;
    pit_init(&pc->pit, &m->io, &pc->irq, &pc->clock);
    rtc_init(&pc->rtc, &m->io, &pc->irq, &pc->clock);
    pc->serial_out = cfg->serial_out;
    pc->exit_on_serial = cfg->exit_on_serial && *cfg->exit_on_serial ? cfg->exit_on_serial : NULL;
    uart_init(&pc->com1, &m->io, 0x3F8, &pc->irq, 4, &pc->clock, serial_tx, pc);
    uart_init(&pc->com2, &m->io, 0x2F8, &pc->irq, 3, &pc->clock, com2_tx, pc);
    i8042_init(&pc->kbd, &m->io, &pc->irq, &pc->clock, set_a20, request_reset, pc);
    pci_init(&pc->pci, &m->io, pam_changed, request_reset, pc);
    fwcfg_init(&pc->fwcfg, &m->io, cfg->ram_size);
    m->poll_input = poll_input;      /* the terminal, the display (pc->display) */
    if (cfg->nographic) {
        term_open(&pc->term);
        pc->term_open = true;
        /* SeaBIOS's serial console: its screen output goes to COM1 (SeaBIOS "sercon"). */
        static const uint8_t port[8] = {0xF8, 0x03, 0, 0, 0, 0, 0, 0};
        fwcfg_add_file(&pc->fwcfg, "etc/sercon-port", port, 8);
    }
    for (unsigned i = 0; i < cfg->n_option_roms; i++)
        if (!add_option_rom(pc, cfg->option_roms[i], why, whylen)) {
            pc_free(pc);
            return false;
        }
    if (cfg->kernel) {
        const struct linuxboot_config lb = {cfg->kernel, cfg->initrd, cfg->append, cfg->ram_size};
        if (!linuxboot_load(&pc->fwcfg, &lb, why, whylen)) {
            pc_free(pc);
            return false;
        }
        fwcfg_enable_dma(&pc->fwcfg, &m->io, &m->mem);   /* roms/linuxboot.asm copies with DMA */
    }
    if (cfg->debug_exit)
        debugexit_init(&pc->debugexit, &m->io, m, cfg->debug_exit_iobase, cfg->debug_exit_iosize);
    if (cfg->debugcon) {
        /* Present only when asked for, as QEMU's -debugcon: guests probe for it by reading. */
        debugport_init(&pc->e9, &m->io, 0xE9, cfg->debugcon);
        debugport_init(&pc->dbg402, &m->io, 0x402, cfg->debugcon);
    }
    io_map(&m->io, 0x92, 1, port92_read, port92_write, pc);
    io_map(&m->io, 0x80, 1, post_read, post_write, pc);
    io_map(&m->io, 0xF0, 1, port_f0_read, port_f0_write, pc);
    m->cpu.ferr = ferr_changed;
    m->cpu.ferr_opaque = pc;
    if (!attach_drives(pc, cfg, why, whylen)) {
        pc_free(pc);
        return false;
    }
    if (!cfg->no_vga && !add_vga(pc, why, whylen)) {
        pc_free(pc);
        return false;
    }
    fill_cmos(pc, cfg->ram_size, cfg->boot_order);
    board_reset(pc);
    if (cfg->exit_on_screen && *cfg->exit_on_screen && !cfg->no_vga) {
        pc->exit_on_screen = cfg->exit_on_screen;
        clock_schedule(&pc->clock, SCREEN_POLL_NS, screen_poll, pc);
    }
    return true;
}

void pc_free(struct pc *pc)
{
    display_close(pc->display);      /* before the VGA memory it shows goes */
    if (pc->term_open)
        term_close(&pc->term);
    fwcfg_free(&pc->fwcfg);
    vga_free(&pc->vga);
    for (unsigned i = 0; i < pc->nblocks; i++)
        block_close(&pc->blocks[i]);   /* fdatasync: nothing the guest wrote is left behind */
    pc->nblocks = 0;
    mem_free(&pc->m.mem);
    free(pc->bios);
    pc->bios = NULL;
}
