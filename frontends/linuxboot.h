/* Direct Linux kernel boot (-kernel, -initrd, -append), as QEMU does it: the host parses the
 * bzImage, fills its setup header (Linux Documentation/arch/x86/boot.rst) and hands the pieces to
 * SeaBIOS through fw_cfg with an option ROM (roms/linuxboot.asm) that copies them into place and
 * starts the kernel. */
#ifndef JITPC_LINUXBOOT_H
#define JITPC_LINUXBOOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devices/fwcfg.h"

struct linuxboot_config {
    const char *kernel;          /* bzImage path */
    const char *initrd;          /* or NULL */
    const char *cmdline;         /* or NULL (empty) */
    uint32_t ram_size;           /* bytes of RAM from 0 (the E820 RAM top SeaBIOS reports) */
};

/* Where the pieces go (boot.rst "Loading the rest of the kernel" and its suggested memory
 * layout for protocol >= 2.02): the real-mode setup at X = 0x10000, its heap/stack up to
 * X + 0x10000, the command line there, the protected-mode kernel at 1 MiB. */
#define LINUXBOOT_SETUP_ADDR 0x10000u
#define LINUXBOOT_CMDLINE_ADDR 0x20000u
#define LINUXBOOT_KERNEL_ADDR 0x100000u

/* The header as the loader fills it, for tests. */
struct linuxboot_info {
    uint16_t protocol;
    uint32_t setup_size, kernel_size, initrd_addr, initrd_size, cmdline_size;
    uint16_t vid_mode;
};

/* Checks a bzImage held in memory and fills its setup header in place: type_of_loader,
 * CAN_USE_HEAP and heap_end_ptr, cmd_line_ptr, ramdisk_image/ramdisk_size (initrd_size bytes,
 * placed as high as initrd_addr_max and the RAM top allow), vid_mode from "vga=" in cmdline.
 * On failure writes a one-line reason (without the file name) and returns false. */
bool linuxboot_patch_header(uint8_t *image, size_t size, const char *cmdline, uint32_t initrd_size,
                            uint32_t ram_size, struct linuxboot_info *info, char *why, size_t whylen);

/* Reads the files, patches the header and adds the fw_cfg items (FW_CFG_SETUP_*, KERNEL_*,
 * INITRD_*, CMDLINE_*), the option ROM "genroms/linuxboot.bin" and a "bootorder" that boots it
 * first. The caller also offers fw_cfg DMA (the ROM copies with it). On failure writes a one-line
 * reason naming the file and returns false. */
bool linuxboot_load(struct fwcfg *f, const struct linuxboot_config *cfg, char *why, size_t whylen);

#endif
