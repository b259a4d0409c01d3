/* PCI configuration mechanism #1 (PCI Local Bus Specification 3.0, 3.2.2.3.2), the Intel 82441FX
 * host bridge (i440FX datasheet: PAM registers 59h-5Fh, SMRAM 72h) and the 82371SB PIIX3 function
 * 0 (PIIX3 datasheet: PIRQ route control 60h-63h, top of memory 69h, reset control CF9h). */
#include "pci.h"

#include <string.h>

#define I440FX_SLOT 0
#define PIIX3_SLOT 8     /* device 1 function 0, as devfn */

static void set16(uint8_t *c, unsigned off, uint16_t v)
{
    c[off] = (uint8_t)v;
    c[off + 1] = (uint8_t)(v >> 8);
}

static void init_header(struct pci_dev *d, uint16_t vendor, uint16_t device, uint8_t rev, uint32_t cls,
                        uint8_t header_type)
{
    memset(d, 0, sizeof(*d));
    d->present = true;
    set16(d->cfg, 0x00, vendor);
    set16(d->cfg, 0x02, device);
    d->cfg[0x08] = rev;
    d->cfg[0x09] = (uint8_t)cls;
    d->cfg[0x0A] = (uint8_t)(cls >> 8);
    d->cfg[0x0B] = (uint8_t)(cls >> 16);
    d->cfg[0x0E] = header_type;
    d->wmask[0x04] = 0xFF;          /* command */
    d->wmask[0x05] = 0x01;
    d->wmask[0x0D] = 0xFF;          /* latency timer */
}

static void create_i440fx(struct pci_dev *d)
{
    /* 82441FX: vendor 8086h, device 1237h, class 060000h (host bridge). */
    init_header(d, 0x8086, 0x1237, 0x02, 0x060000, 0x00);
    set16(d->cfg, 0x04, 0x0006);
    set16(d->cfg, 0x06, 0x0280);
    d->cfg[0x72] = 0x02;            /* SMRAM: C_BASE_SEG = 010b */
    /* Subsystem IDs 1AF4h:1100h, as on QEMU's i440FX: SeaBIOS's QEMU build recognises its
     * platform by them and then takes the RAM size and tables from CMOS and fw_cfg. */
    set16(d->cfg, 0x2C, 0x1AF4);
    set16(d->cfg, 0x2E, 0x1100);
    for (unsigned r = 0x59; r <= 0x5F; r++)
        d->wmask[r] = r == 0x59 ? 0x30 : 0x33;   /* PAM0 holds only the F0000h segment (bits 5:4) */
    d->wmask[0x72] = 0x78;
}

static void create_piix3(struct pci_dev *d)
{
    /* 82371SB function 0: vendor 8086h, device 7000h, class 060100h (ISA bridge), multi-function. */
    init_header(d, 0x8086, 0x7000, 0x00, 0x060100, 0x80);
    set16(d->cfg, 0x04, 0x0007);
    set16(d->cfg, 0x06, 0x0200);
    d->cfg[0x4C] = 0x4D;            /* ISA recovery timer */
    d->cfg[0x4E] = 0x03;            /* X-bus chip select */
    for (unsigned r = 0x60; r <= 0x63; r++) {
        d->cfg[r] = 0x80;           /* PIRQx routing disabled after reset */
        d->wmask[r] = 0x8F;
    }
    d->cfg[0x69] = 0x02;            /* top of memory */
    d->wmask[0x4C] = d->wmask[0x4E] = d->wmask[0x4F] = d->wmask[0x69] = d->wmask[0x6A] = 0xFF;
    d->wmask[0x80] = d->wmask[0x82] = 0xFF;
}

static struct pci_dev *selected(struct pci *p, unsigned *reg)
{
    uint32_t a = p->addr;
    unsigned bus = (a >> 16) & 0xFF, devfn = (a >> 8) & 0xFF;
    *reg = a & 0xFC;
    if (!(a & 0x80000000u) || bus != 0 || !p->dev[devfn].present)
        return NULL;
    return &p->dev[devfn];
}

static uint32_t get32(const uint8_t *c, unsigned off)
{
    return c[off] | (uint32_t)c[off + 1] << 8 | (uint32_t)c[off + 2] << 16 | (uint32_t)c[off + 3] << 24;
}

static unsigned bar_reg(int bar)
{
    return bar == PCI_ROM_BAR ? 0x30 : 0x10 + 4 * (unsigned)bar;
}

/* Where each BAR decodes now (PCI 3.0 6.2.5): I/O BARs need command bit 0, memory BARs bit 1,
 * the ROM also its own enable bit 0. Like QEMU, an address of 0 or a range reaching the top of
 * the space (all ones written while sizing) does not decode, so sizing never hides the BIOS. */
static void update_bars(struct pci_dev *d)
{
    uint16_t cmd = (uint16_t)(d->cfg[0x04] | d->cfg[0x05] << 8);
    for (int bar = 0; bar < 7; bar++) {
        uint32_t size = d->bar_size[bar];
        if (!size)
            continue;
        uint32_t raw = get32(d->cfg, bar_reg(bar));
        bool io = bar != PCI_ROM_BAR && (raw & 1);
        uint32_t addr = raw & ~(size - 1) & (io ? ~3u : ~15u);
        uint64_t last = (uint64_t)addr + size - 1;
        bool on = io ? (cmd & 1) && addr && last < 0x10000 : (cmd & 2) && addr && last < 0xFFFFFFFFull;
        if (bar == PCI_ROM_BAR)
            on = on && (raw & 1);
        if (on == d->bar_on[bar] && (!on || addr == d->bar_addr[bar]))
            continue;
        if (d->bar_hook && d->bar_on[bar])
            d->bar_hook(d->bar_opaque, bar, d->bar_addr[bar], false);
        d->bar_on[bar] = on;
        d->bar_addr[bar] = addr;
        if (d->bar_hook && on)
            d->bar_hook(d->bar_opaque, bar, addr, true);
    }
}

static uint32_t cfg_read(void *opaque, uint16_t port, unsigned size)
{
    struct pci *p = opaque;
    unsigned reg;
    struct pci_dev *d = selected(p, &reg);
    if (!d) {
        p->unmapped_accesses++;
        return size == 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;   /* no device: all ones */
    }
    unsigned off = reg + (port & 3);
    uint32_t v = 0;
    for (unsigned i = 0; i < size && off + i < 256; i++)
        v |= (uint32_t)d->cfg[off + i] << (8 * i);
    return v;
}

static void cfg_write(void *opaque, uint16_t port, uint32_t value, unsigned size)
{
    struct pci *p = opaque;
    unsigned reg;
    struct pci_dev *d = selected(p, &reg);
    if (!d) {
        p->unmapped_accesses++;
        return;
    }
    unsigned off = reg + (port & 3);
    bool pam = false;
    for (unsigned i = 0; i < size && off + i < 256; i++) {
        unsigned r = off + i;
        uint8_t m = d->wmask[r];
        d->cfg[r] = (uint8_t)((d->cfg[r] & ~m) | ((value >> (8 * i)) & m));
        if (d == &p->dev[I440FX_SLOT] && r >= 0x59 && r <= 0x5F)
            pam = true;
    }
    if (pam && p->pam_changed)
        p->pam_changed(p->opaque, &p->dev[I440FX_SLOT].cfg[0x59]);
    if ((off < 0x06 && off + size > 0x04) || (off < 0x28 && off + size > 0x10) ||
        (off < 0x34 && off + size > 0x30))
        update_bars(d);
}

static uint32_t addr_read(void *opaque, uint16_t port, unsigned size)
{
    struct pci *p = opaque;
    if (port == 0xCF9 && size == 1)
        return p->rcr;
    return size == 4 && port == 0xCF8 ? p->addr : 0xFFFFFFFFu >> (32 - 8 * size);
}

static void addr_write(void *opaque, uint16_t port, uint32_t value, unsigned size)
{
    struct pci *p = opaque;
    if (port == 0xCF8 && size == 4) {
        p->addr = value & 0x80FFFFFCu;
    } else if (port == 0xCF9 && size == 1) {
        /* PIIX3 reset control: a 0->1 transition of bit 2 (RCPU) resets (bit 1 chooses hard). */
        bool fire = (value & 4) && !(p->rcr & 4);
        p->rcr = (uint8_t)(value & 0x02);
        if (fire && p->reset)
            p->reset(p->opaque);
    }
}

void pci_init(struct pci *p, struct iobus *io, void (*pam_changed)(void *, const uint8_t[7]),
              void (*reset)(void *), void *opaque)
{
    memset(p, 0, sizeof(*p));
    p->pam_changed = pam_changed;
    p->reset = reset;
    p->opaque = opaque;
    create_i440fx(&p->dev[I440FX_SLOT]);
    create_piix3(&p->dev[PIIX3_SLOT]);
    io_map(io, 0xCF8, 4, addr_read, addr_write, p);
    io_map(io, 0xCFC, 4, cfg_read, cfg_write, p);
}

struct pci_dev *pci_add_function(struct pci *p, unsigned slot, unsigned func, uint16_t vendor,
                                 uint16_t device, uint8_t rev, uint32_t class_code)
{
    struct pci_dev *d = &p->dev[(slot & 31) * 8 + (func & 7)];
    if (d->present)
        return NULL;
    init_header(d, vendor, device, rev, class_code, 0x00);
    set16(d->cfg, 0x06, 0x0280);     /* status: fast back-to-back capable, medium DEVSEL */
    d->wmask[0x3C] = 0xFF;           /* interrupt line: scratch for the BIOS */
    return d;
}

void pci_set_bar(struct pci_dev *d, int bar, uint32_t size, unsigned type)
{
    unsigned reg = bar_reg(bar);
    uint32_t low = bar == PCI_ROM_BAR ? 1 : 0;      /* the ROM's enable bit is writable */
    uint32_t mask = ~(size - 1) | low;
    if (bar != PCI_ROM_BAR) {
        mask &= (type & PCI_BAR_IO) ? ~3u : ~15u;
        uint32_t fixed = (type & PCI_BAR_IO) ? 1 : (type & PCI_BAR_PREFETCH);
        d->cfg[reg] = (uint8_t)fixed;
    }
    for (unsigned i = 0; i < 4; i++)
        d->wmask[reg + i] = (uint8_t)(mask >> (8 * i));
    d->bar_size[bar] = size;
}

void pci_set_bar_hook(struct pci_dev *d, void (*hook)(void *, int, uint32_t, bool), void *opaque)
{
    d->bar_hook = hook;
    d->bar_opaque = opaque;
}

int pci_pirq_route(const struct pci *p, unsigned pirq)
{
    uint8_t r = p->dev[PIIX3_SLOT].cfg[0x60 + (pirq & 3)];
    return (r & 0x80) ? -1 : r & 0x0F;
}
