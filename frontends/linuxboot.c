/* Direct Linux kernel boot: the host side. Offsets and rules are those of the Linux x86 boot
 * protocol (Documentation/arch/x86/boot.rst, "The real-mode kernel header"); fw_cfg keys are
 * QEMU's (docs/specs/fw_cfg.txt), so SeaBIOS and our option ROM see what QEMU would give them. */
#include "linuxboot.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "roms/linuxboot_rom.h"      /* linuxboot_rom[]: roms/linuxboot.asm, assembled */

/* fw_cfg selector keys (QEMU docs/specs/fw_cfg.txt, "Selector Register Details"). */
enum {
    FW_CFG_KERNEL_ADDR = 0x07,
    FW_CFG_KERNEL_SIZE = 0x08,
    FW_CFG_INITRD_ADDR = 0x0A,
    FW_CFG_INITRD_SIZE = 0x0B,
    FW_CFG_KERNEL_DATA = 0x11,
    FW_CFG_INITRD_DATA = 0x12,
    FW_CFG_CMDLINE_ADDR = 0x13,
    FW_CFG_CMDLINE_SIZE = 0x14,
    FW_CFG_CMDLINE_DATA = 0x15,
    FW_CFG_SETUP_ADDR = 0x16,
    FW_CFG_SETUP_SIZE = 0x17,
    FW_CFG_SETUP_DATA = 0x18,
};

/* Setup header fields (boot.rst "The real-mode kernel header"). */
enum {
    HDR_SETUP_SECTS = 0x1F1,
    HDR_VID_MODE = 0x1FA,
    HDR_BOOT_FLAG = 0x1FE,       /* 0xAA55 */
    HDR_HEADER = 0x202,          /* "HdrS" */
    HDR_VERSION = 0x206,
    HDR_TYPE_OF_LOADER = 0x210,
    HDR_LOADFLAGS = 0x211,
    HDR_RAMDISK_IMAGE = 0x218,
    HDR_RAMDISK_SIZE = 0x21C,
    HDR_HEAP_END_PTR = 0x224,
    HDR_CMD_LINE_PTR = 0x228,
    HDR_INITRD_ADDR_MAX = 0x22C,
    HDR_CMDLINE_SIZE = 0x238,
    HDR_END = 0x250,             /* enough header for every field used here */
};

#define LOADED_HIGH 0x01         /* loadflags bit 0: protected-mode code at 0x100000 (bzImage) */
#define CAN_USE_HEAP 0x80        /* loadflags bit 7: heap_end_ptr is valid */
#define TYPE_OF_LOADER_QEMU 0xB0 /* boot.rst "type_of_loader": 0xB = Qemu, version 0 */
/* SeaBIOS keeps up to 256 KiB at the top of RAM for its tables (its "high zone", reserved in the
 * E820 map when used); the initrd stays below it so it never overlaps memory the map reserves. */
#define BIOS_HIGH_ZONE 0x40000u

static uint16_t get16(const uint8_t *p, unsigned off)
{
    return (uint16_t)(p[off] | p[off + 1] << 8);
}

static uint32_t get32(const uint8_t *p, unsigned off)
{
    return (uint32_t)get16(p, off) | (uint32_t)get16(p, off + 2) << 16;
}

static void put16(uint8_t *p, unsigned off, uint16_t v)
{
    p[off] = (uint8_t)v;
    p[off + 1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, unsigned off, uint32_t v)
{
    put16(p, off, (uint16_t)v);
    put16(p, off + 2, (uint16_t)(v >> 16));
}

/* boot.rst "Special command line options": vga=<mode>, where <mode> is a number or normal
 * (0xFFFF), ext (0xFFFE), ask (0xFFFD). Without it, "normal". */
static bool parse_vga(const char *cmdline, uint16_t *mode)
{
    *mode = 0xFFFF;
    for (const char *p = cmdline; p && (p = strstr(p, "vga=")) != NULL; p += 4) {
        if (p != cmdline && p[-1] != ' ')
            continue;
        const char *v = p + 4;
        size_t n = strcspn(v, " ");
        if (n == 6 && !strncmp(v, "normal", 6)) {
            *mode = 0xFFFF;
        } else if (n == 3 && !strncmp(v, "ext", 3)) {
            *mode = 0xFFFE;
        } else if (n == 3 && !strncmp(v, "ask", 3)) {
            *mode = 0xFFFD;
        } else {
            char *end;
            unsigned long m = strtoul(v, &end, 0);
            if (end != v + n || n == 0 || m > 0xFFFF)
                return false;
            *mode = (uint16_t)m;
        }
    }
    return true;
}

bool linuxboot_patch_header(uint8_t *image, size_t size, const char *cmdline, uint32_t initrd_size,
                            uint32_t ram_size, struct linuxboot_info *info, char *why, size_t whylen)
{
    if (size < HDR_END || get16(image, HDR_BOOT_FLAG) != 0xAA55 || memcmp(image + HDR_HEADER, "HdrS", 4)) {
        snprintf(why, whylen, "not a Linux bzImage (no boot sector signature and \"HdrS\" header)");
        return false;
    }
    uint16_t version = get16(image, HDR_VERSION);
    if (version < 0x202) {
        snprintf(why, whylen, "Linux boot protocol %u.%02u is older than 2.02", version >> 8, version & 0xFF);
        return false;
    }
    if (!(image[HDR_LOADFLAGS] & LOADED_HIGH)) {
        snprintf(why, whylen, "a zImage (loaded low), not a bzImage");
        return false;
    }
    unsigned sects = image[HDR_SETUP_SECTS] ? image[HDR_SETUP_SECTS] : 4;   /* 0 means 4 */
    uint32_t setup_size = (sects + 1) * 512;
    /* The setup code, its heap and stack share the 64 KiB from X (boot.rst memory layout). */
    if (setup_size >= size || setup_size > 0x8000) {
        snprintf(why, whylen, "setup of %u sectors does not fit (file %zu bytes)", sects, size);
        return false;
    }
    uint32_t kernel_size = (uint32_t)(size - setup_size);
    const char *cl = cmdline ? cmdline : "";
    uint32_t cmdline_max = version >= 0x206 ? get32(image, HDR_CMDLINE_SIZE) : 255;
    if (strlen(cl) > cmdline_max) {
        snprintf(why, whylen, "kernel command line longer than its %u-byte limit", cmdline_max);
        return false;
    }
    uint16_t vid_mode;
    if (!parse_vga(cl, &vid_mode)) {
        snprintf(why, whylen, "-append: vga= wants normal, ext, ask or a mode number");
        return false;
    }
    uint32_t kernel_end = LINUXBOOT_KERNEL_ADDR + ((kernel_size + 0xFFF) & ~0xFFFu);
    if (ram_size < kernel_end + BIOS_HIGH_ZONE) {
        snprintf(why, whylen, "kernel of %u bytes does not fit in %u MiB of RAM", kernel_size, ram_size >> 20);
        return false;
    }
    uint32_t initrd_addr = 0;
    if (initrd_size) {
        /* boot.rst "initrd_addr_max": the highest address the initrd may occupy; before protocol
         * 2.03, 0x37FFFFFF. The initrd goes as high as that and the RAM top allow, page-aligned,
         * and must stay above the kernel. */
        uint32_t max = version >= 0x203 ? get32(image, HDR_INITRD_ADDR_MAX) : 0x37FFFFFF;
        uint32_t top = ram_size - BIOS_HIGH_ZONE;
        if ((uint64_t)max + 1 < top)
            top = max + 1;
        if (initrd_size > top || ((top - initrd_size) & ~0xFFFu) < kernel_end) {
            snprintf(why, whylen, "initrd of %u bytes does not fit in RAM between the kernel (ends at 0x%x) and 0x%x",
                     initrd_size, kernel_end, top);
            return false;
        }
        initrd_addr = (top - initrd_size) & ~0xFFFu;
    }
    put16(image, HDR_VID_MODE, vid_mode);
    image[HDR_TYPE_OF_LOADER] = TYPE_OF_LOADER_QEMU;
    image[HDR_LOADFLAGS] |= CAN_USE_HEAP;
    /* heap_end_ptr: offset from the setup's start; the 0x200 below the command line are the
     * stack (boot.rst "Sample boot configuration": heap_end = 0xe000 ... heap_end - 0x200). */
    put16(image, HDR_HEAP_END_PTR, (uint16_t)(LINUXBOOT_CMDLINE_ADDR - LINUXBOOT_SETUP_ADDR - 0x200));
    put32(image, HDR_CMD_LINE_PTR, LINUXBOOT_CMDLINE_ADDR);
    put32(image, HDR_RAMDISK_IMAGE, initrd_addr);
    put32(image, HDR_RAMDISK_SIZE, initrd_size);
    if (info)
        *info = (struct linuxboot_info){version, setup_size, kernel_size, initrd_addr, initrd_size,
                                        (uint32_t)strlen(cl) + 1, vid_mode};
    return true;
}

/* Reads a whole file; NULL with a one-line reason on failure. */
static uint8_t *read_file(const char *path, size_t *size, char *why, size_t whylen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(why, whylen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    uint8_t *buf = NULL;
    long n = -1;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 && n < 0xFFFFFFFFl)
        buf = malloc(n ? (size_t)n : 1);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        snprintf(why, whylen, "%s: %s", path, n < 0 ? strerror(errno) : buf ? "read error" : "too large");
        free(buf);
        fclose(f);
        return NULL;
    }
    fclose(f);
    *size = (size_t)n;
    return buf;
}

static int add_u32(struct fwcfg *f, uint16_t key, uint32_t v)
{
    uint8_t b[4];
    put32(b, 0, v);
    return fwcfg_add_item(f, key, b, 4);
}

bool linuxboot_load(struct fwcfg *f, const struct linuxboot_config *cfg, char *why, size_t whylen)
{
    size_t ksize, isize = 0;
    uint8_t *kernel = read_file(cfg->kernel, &ksize, why, whylen);
    if (!kernel)
        return false;
    uint8_t *initrd = NULL;
    if (cfg->initrd && !(initrd = read_file(cfg->initrd, &isize, why, whylen))) {
        free(kernel);
        return false;
    }
    struct linuxboot_info info;
    char reason[200];
    bool ok = linuxboot_patch_header(kernel, ksize, cfg->cmdline, (uint32_t)isize, cfg->ram_size, &info, reason,
                                     sizeof(reason));
    if (!ok) {
        const char *file = strstr(reason, "initrd") == reason && cfg->initrd ? cfg->initrd : cfg->kernel;
        snprintf(why, whylen, "%s: %s", file, reason);
    } else {
        const char *cl = cfg->cmdline ? cfg->cmdline : "";
        static const char bootorder[] = "/rom@genroms/linuxboot.bin";
        ok = add_u32(f, FW_CFG_SETUP_ADDR, LINUXBOOT_SETUP_ADDR) == 0 &&
             add_u32(f, FW_CFG_SETUP_SIZE, info.setup_size) == 0 &&
             fwcfg_add_item(f, FW_CFG_SETUP_DATA, kernel, info.setup_size) == 0 &&
             add_u32(f, FW_CFG_KERNEL_ADDR, LINUXBOOT_KERNEL_ADDR) == 0 &&
             add_u32(f, FW_CFG_KERNEL_SIZE, info.kernel_size) == 0 &&
             fwcfg_add_item(f, FW_CFG_KERNEL_DATA, kernel + info.setup_size, info.kernel_size) == 0 &&
             add_u32(f, FW_CFG_CMDLINE_ADDR, LINUXBOOT_CMDLINE_ADDR) == 0 &&
             add_u32(f, FW_CFG_CMDLINE_SIZE, info.cmdline_size) == 0 &&
             fwcfg_add_item(f, FW_CFG_CMDLINE_DATA, cl, info.cmdline_size) == 0 &&
             add_u32(f, FW_CFG_INITRD_ADDR, info.initrd_addr) == 0 &&
             add_u32(f, FW_CFG_INITRD_SIZE, info.initrd_size) == 0 &&
             fwcfg_add_item(f, FW_CFG_INITRD_DATA, initrd ? initrd : (const uint8_t *)"", info.initrd_size) == 0 &&
             fwcfg_add_file(f, "genroms/linuxboot.bin", linuxboot_rom, sizeof(linuxboot_rom)) == 0 &&
             fwcfg_add_file(f, "bootorder", bootorder, sizeof(bootorder)) == 0;
        if (!ok)
            snprintf(why, whylen, "%s: out of memory or fw_cfg slots", cfg->kernel);
    }
    free(kernel);
    free(initrd);
    return ok;
}
