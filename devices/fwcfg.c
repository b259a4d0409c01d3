/* QEMU fw_cfg, traditional interface. Keys and the file directory layout follow QEMU's
 * docs/specs/fw_cfg.txt: a 16-bit selector write resets the data offset, each data-port read
 * returns the next byte (0 past the end); the directory (key 0x19) is a big-endian count followed
 * by 64-byte entries {be32 size, be16 select, be16 reserved, char name[56]}. */
#include "fwcfg.h"

#include <stdlib.h>
#include <string.h>

enum {
    FW_CFG_SIGNATURE = 0x00,
    FW_CFG_ID = 0x01,
    FW_CFG_RAM_SIZE = 0x03,
    FW_CFG_NOGRAPHIC = 0x04,
    FW_CFG_NB_CPUS = 0x05,
    FW_CFG_BOOT_MENU = 0x0E,
    FW_CFG_MAX_CPUS = 0x0F,
    FW_CFG_FILE_DIR = 0x19,
    FW_CFG_FILE_FIRST = 0x20,
};

static struct fwcfg_item *find(struct fwcfg *f, uint16_t key)
{
    for (unsigned i = 0; i < f->nitems; i++)
        if (f->items[i].key == key)
            return &f->items[i];
    return NULL;
}

static int add_item(struct fwcfg *f, uint16_t key, const void *data, uint32_t len)
{
    uint8_t *copy = malloc(len ? len : 1);
    if (!copy)
        return -1;
    memcpy(copy, data, len);
    struct fwcfg_item *it = find(f, key);
    if (!it) {
        if (f->nitems == FWCFG_MAX_ITEMS) {
            free(copy);
            return -1;
        }
        it = &f->items[f->nitems++];
        it->key = key;
    }
    free(it->data);
    it->data = copy;
    it->len = len;
    return 0;
}

/* The directory is built on demand from the file items. */
static uint32_t dir_byte(struct fwcfg *f, uint32_t pos)
{
    uint8_t e[64];
    if (pos < 4)
        return (f->nfiles >> (8 * (3 - pos))) & 0xFF;
    pos -= 4;
    unsigned n = pos / 64, k = 0;
    for (unsigned i = 0; i < f->nitems; i++) {
        const struct fwcfg_item *it = &f->items[i];
        if (it->key < FW_CFG_FILE_FIRST)
            continue;
        if (k++ != n)
            continue;
        memset(e, 0, sizeof(e));
        e[0] = (uint8_t)(it->len >> 24);
        e[1] = (uint8_t)(it->len >> 16);
        e[2] = (uint8_t)(it->len >> 8);
        e[3] = (uint8_t)it->len;
        e[4] = (uint8_t)(it->key >> 8);
        e[5] = (uint8_t)it->key;
        memcpy(e + 8, it->name, sizeof(it->name));
        return e[pos % 64];
    }
    return 0;
}

/* The selected item's byte at the data offset, which advances; 0 past the end. */
static uint8_t next_byte(struct fwcfg *f)
{
    uint32_t b = 0;
    if (f->selected == FW_CFG_FILE_DIR) {
        if (f->pos < 4 + 64u * f->nfiles)
            b = dir_byte(f, f->pos);
    } else {
        struct fwcfg_item *it = find(f, f->selected);
        if (it && f->pos < it->len)
            b = it->data[f->pos];
    }
    f->pos++;
    return (uint8_t)b;
}

static uint32_t fwcfg_read(void *opaque, uint16_t port, unsigned size)
{
    struct fwcfg *f = opaque;
    if (port != 0x511)
        return 0;
    uint32_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint32_t)next_byte(f) << (8 * i);
    return v;
}

static void fwcfg_write(void *opaque, uint16_t port, uint32_t value, unsigned size)
{
    struct fwcfg *f = opaque;
    (void)size;
    if (port == 0x510) {
        f->selected = (uint16_t)value;
        f->pos = 0;
    }
}

void fwcfg_init(struct fwcfg *f, struct iobus *io, uint64_t ram_size)
{
    memset(f, 0, sizeof(*f));
    uint8_t ram[8];
    for (int i = 0; i < 8; i++)
        ram[i] = (uint8_t)(ram_size >> (8 * i));
    const uint8_t id[4] = {1, 0, 0, 0};          /* traditional interface, no DMA */
    const uint8_t one16[2] = {1, 0}, zero16[2] = {0, 0};
    add_item(f, FW_CFG_SIGNATURE, "QEMU", 4);
    add_item(f, FW_CFG_ID, id, 4);
    add_item(f, FW_CFG_RAM_SIZE, ram, 8);
    add_item(f, FW_CFG_NOGRAPHIC, zero16, 2);
    add_item(f, FW_CFG_NB_CPUS, one16, 2);
    add_item(f, FW_CFG_MAX_CPUS, one16, 2);
    add_item(f, FW_CFG_BOOT_MENU, zero16, 2);
    io_map(io, 0x510, 2, fwcfg_read, fwcfg_write, f);
}

int fwcfg_add_file(struct fwcfg *f, const char *name, const void *data, uint32_t len)
{
    uint16_t key = (uint16_t)(FW_CFG_FILE_FIRST + f->nfiles);
    if (add_item(f, key, data, len) < 0)
        return -1;
    struct fwcfg_item *it = &f->items[f->nitems - 1];
    strncpy(it->name, name, sizeof(it->name) - 1);
    f->nfiles++;
    return 0;
}

int fwcfg_add_item(struct fwcfg *f, uint16_t key, const void *data, uint32_t len)
{
    return key >= FW_CFG_FILE_FIRST ? -1 : add_item(f, key, data, len);
}

/* fw_cfg.txt "DMA interface": the access structure is {be32 control, be32 length, be64 address}.
 * Control bits: 0x01 error, 0x02 read, 0x04 skip, 0x08 select (item key in bits 31:16), 0x10
 * write. Select happens first; then a read copies length bytes of the item from the data offset
 * (zeros past its end) to address, a skip only advances the offset. Writes need a writable item
 * (none here): error. The device then stores 0 in control, or the error bit. */
enum { DMA_ERROR = 0x01, DMA_READ = 0x02, DMA_SKIP = 0x04, DMA_SELECT = 0x08, DMA_WRITE = 0x10 };

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void dma_transfer(struct fwcfg *f)
{
    uint64_t addr = (uint64_t)be32(f->dma_addr) << 32 | be32(f->dma_addr + 4);
    f->dma_transfers++;
    if (addr >> 32)
        return;                  /* nothing answers above 4 GiB: no structure to update */
    uint8_t acc[16];
    mem_dma_read(f->mem, (uint32_t)addr, acc, sizeof(acc));
    uint32_t control = be32(acc), len = be32(acc + 4);
    uint64_t dest = (uint64_t)be32(acc + 8) << 32 | be32(acc + 12);
    uint32_t result = 0;
    if (control & DMA_SELECT) {
        f->selected = (uint16_t)(control >> 16);
        f->pos = 0;
    }
    if (control & DMA_READ) {
        if (dest >> 32 || dest + len > 0x100000000ull) {
            result = DMA_ERROR;
        } else if (f->selected == FW_CFG_FILE_DIR) {
            for (uint32_t i = 0; i < len; i++) {
                uint8_t b = next_byte(f);
                mem_dma_write(f->mem, (uint32_t)dest + i, &b, 1);
            }
        } else {
            struct fwcfg_item *it = find(f, f->selected);
            uint32_t have = it && f->pos < it->len ? it->len - f->pos : 0;
            if (have > len)
                have = len;
            if (have)
                mem_dma_write(f->mem, (uint32_t)dest, it->data + f->pos, have);
            static const uint8_t zeros[256];
            for (uint32_t done = have; done < len;) {
                uint32_t n = len - done < sizeof(zeros) ? len - done : (uint32_t)sizeof(zeros);
                mem_dma_write(f->mem, (uint32_t)dest + done, zeros, n);
                done += n;
            }
            f->pos += len;
        }
    } else if (control & DMA_WRITE) {
        result = DMA_ERROR;
    } else if (control & DMA_SKIP) {
        f->pos += len;
    }
    const uint8_t out[4] = {(uint8_t)(result >> 24), (uint8_t)(result >> 16), (uint8_t)(result >> 8), (uint8_t)result};
    mem_dma_write(f->mem, (uint32_t)addr, out, 4);
}

/* Reading the DMA address register gives the signature "QEMU CFG", big-endian (fw_cfg.txt). */
static uint32_t dma_read(void *opaque, uint16_t port, unsigned size)
{
    (void)opaque;
    static const char sig[8] = {'Q', 'E', 'M', 'U', ' ', 'C', 'F', 'G'};
    uint32_t v = 0;
    for (unsigned i = 0; i < size; i++) {
        unsigned off = (unsigned)(port - 0x514) + i;
        v |= (uint32_t)(off < 8 ? (uint8_t)sig[off] : 0xFF) << (8 * i);
    }
    return v;
}

/* The register is big-endian: the byte at port 0x514 is the address's most significant byte, so
 * a guest writes each half with OUT of the byte-swapped value. Writing the last byte (0x51B, the
 * end of the low half) starts the transfer. */
static void dma_write(void *opaque, uint16_t port, uint32_t value, unsigned size)
{
    struct fwcfg *f = opaque;
    unsigned off = (unsigned)(port - 0x514);
    for (unsigned i = 0; i < size && off + i < 8; i++)
        f->dma_addr[off + i] = (uint8_t)(value >> (8 * i));
    if (off + size == 8)
        dma_transfer(f);
}

void fwcfg_enable_dma(struct fwcfg *f, struct iobus *io, struct mem *mem)
{
    const uint8_t id[4] = {3, 0, 0, 0};          /* traditional interface + DMA */
    add_item(f, FW_CFG_ID, id, 4);
    f->dma = true;
    f->mem = mem;
    io_map(io, 0x514, 8, dma_read, dma_write, f);
}

void fwcfg_free(struct fwcfg *f)
{
    for (unsigned i = 0; i < f->nitems; i++) {
        free(f->items[i].data);
        f->items[i].data = NULL;
    }
    f->nitems = f->nfiles = 0;
}
