/* The PC board (issue 6): every chip wired in one place, as TinyEMU's pc_machine_init does. */
#ifndef JITPC_PC_H
#define JITPC_PC_H

#include <stdio.h>

#include "core/clock.h"
#include "core/irq.h"
#include "core/machine.h"
#include "devices/debugexit.h"
#include "core/block.h"
#include "devices/debugport.h"
#include "devices/dma.h"
#include "devices/fdc.h"
#include "devices/fwcfg.h"
#include "devices/i8042.h"
#include "devices/ide.h"
#include "devices/pci.h"
#include "devices/pic.h"
#include "devices/pit.h"
#include "devices/rtc.h"
#include "devices/uart.h"
#include "devices/vga.h"
#include "term.h"

/* A drive from -hda/-cdrom/-fda/-drive (QEMU's spellings). */
enum pc_drive_if { PC_IF_IDE, PC_IF_FLOPPY };

struct pc_drive {
    const char *file;            /* NULL: an empty CD-ROM drive */
    enum pc_drive_if interface;
    int index;                   /* IDE 0-3 (primary master, slave, secondary master, slave), floppy 0-1 */
    bool cdrom;
    bool readonly;
};

#define PC_MAX_DRIVES 6

struct pc_config {
    uint32_t ram_size;
    const char *bios_path;       /* SeaBIOS image: 128 or 256 KiB */
    FILE *serial_out;            /* COM1 transmit, or NULL */
    FILE *debugcon;              /* port 0x402 log (SeaBIOS debug output), or NULL */
    uint64_t ips;                /* instructions per virtual second */
    uint64_t start_time;         /* RTC start, seconds since 1970 */
    bool nographic;
    bool realtime;               /* --realtime: time follows the host clock (not deterministic) */
    const char *exit_on_serial;  /* stop (status 0) once COM1 has sent this text, or NULL */
    const char *exit_on_screen;  /* stop (status 0) once the text screen shows this, or NULL */
    const char *option_roms[8];  /* -option-rom: fw_cfg "genroms/NAME", run by SeaBIOS's POST */
    unsigned n_option_roms;
    struct pc_drive drives[PC_MAX_DRIVES];
    unsigned ndrives;
    const char *boot_order;      /* -boot: drive letters a/c/d/n in order (default "cad") */
    bool snapshot;               /* -snapshot: writes go to temporary overlays */
    bool no_vga;                 /* -vga none */
    const char *kernel;          /* -kernel bzImage: direct Linux boot (linuxboot.h), or NULL */
    const char *initrd;          /* -initrd FILE, or NULL */
    const char *append;          /* -append "command line", or NULL */
    bool debug_exit;             /* -device isa-debug-exit */
    uint16_t debug_exit_iobase;
    unsigned debug_exit_iosize;
};

struct pc {
    struct machine m;
    struct clock clock;
    struct irq_bus irq;
    struct pic_pair pic;
    struct pit pit;
    struct rtc rtc;
    struct uart com1, com2;
    struct i8042 kbd;
    struct pci pci;
    struct fwcfg fwcfg;
    struct vga vga;              /* PCI 00:02.0, QEMU's stdvga (issue 9) */
    struct dma dma;
    struct fdc fdc;
    struct ide ide;
    struct block blocks[PC_MAX_DRIVES];
    unsigned nblocks;
    struct debugport e9, dbg402;
    struct debugexit debugexit;
    uint8_t *bios;
    uint32_t bios_size;
    int ram_region, bios_low_region;
    uint32_t low_rom_base;       /* where the BIOS's mirror below 1 MiB starts (0xE0000 for 128 KiB) */
    uint8_t port92;
    bool kbd_a20;                /* the 8042 output port's A20 line */
    FILE *serial_out;
    const char *exit_on_serial;
    const char *exit_on_screen;
    size_t exit_match;           /* bytes of exit_on_serial matched so far */
    struct term term;
    bool term_open;
    uint8_t input[256];          /* host bytes waiting for room in COM1's receive FIFO */
    unsigned input_len;
    struct display *display;     /* the screen and input front end (frontends/display.h), or NULL */
};

/* Parses a -boot argument ("c", "order=dc", "once=d,menu=on" ...) into drive letters for
 * pc_config.boot_order; false if it names no known device. */
bool pc_parse_boot(const char *arg, char *order, size_t len);

/* Builds the PC; on failure writes a one-line reason to why and returns false. */
bool pc_init(struct pc *pc, const struct pc_config *cfg, char *why, size_t whylen);
void pc_free(struct pc *pc);

#endif
