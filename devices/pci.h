/* PCI configuration mechanism #1 (ports 0xCF8/0xCFC) with the i440FX host bridge (00:00.0) and
 * the PIIX3 PCI-to-ISA bridge (00:01.0), as in the PC that SeaBIOS and most guests know. */
#ifndef JITPC_PCI_H
#define JITPC_PCI_H

#include <stdbool.h>
#include <stdint.h>

#include "core/ioport.h"

#define PCI_BAR_MEM 0
#define PCI_BAR_IO 1
#define PCI_BAR_PREFETCH 8
#define PCI_ROM_BAR 6           /* the expansion ROM base address (register 30h) */

struct pci_dev {
    uint8_t cfg[256];
    uint8_t wmask[256];     /* bits software may write */
    bool present;
    uint32_t bar_size[7];   /* 0: no such BAR; index 6 is the expansion ROM */
    uint32_t bar_addr[7];   /* where the hook was last told each BAR decodes */
    bool bar_on[7];
    /* Host wiring (not saved state): told when a BAR starts or stops decoding, or moves. */
    void (*bar_hook)(void *opaque, int bar, uint32_t addr, bool enabled);
    void *bar_opaque;
};

struct pci {
    uint32_t addr;          /* CONFIG_ADDRESS (0xCF8) */
    uint8_t rcr;            /* PIIX3 reset control register (0xCF9) */
    struct pci_dev dev[256]; /* bus 0, indexed by device * 8 + function */
    /* Host callbacks (not saved state): PAM/SMRAM changes, and a reset request from 0xCF9. */
    void (*pam_changed)(void *opaque, const uint8_t pam[7]);
    void (*reset)(void *opaque);
    void *opaque;
    uint64_t unmapped_accesses;
};

/* Maps the configuration ports and creates the i440FX and PIIX3. */
void pci_init(struct pci *p, struct iobus *io, void (*pam_changed)(void *, const uint8_t[7]),
              void (*reset)(void *), void *opaque);

/* Adds function func of device slot on bus 0 (the board's wiring). class_code is the 24-bit
 * class/subclass/programming interface. Returns NULL if the slot is taken. */
struct pci_dev *pci_add_function(struct pci *p, unsigned slot, unsigned func, uint16_t vendor,
                                 uint16_t device, uint8_t rev, uint32_t class_code);
/* Declares BAR bar (0-5, or PCI_ROM_BAR) of size bytes (a power of two; I/O BARs >= 4, memory
 * BARs >= 16, the ROM >= 2 KiB), type PCI_BAR_IO or PCI_BAR_MEM (| PCI_BAR_PREFETCH). */
void pci_set_bar(struct pci_dev *d, int bar, uint32_t size, unsigned type);
/* hook(opaque, bar, addr, enabled) runs when a BAR's decoding changes: the BAR or the command
 * register's I/O / memory enable (or the ROM enable bit) was written. A BAR is off while its
 * address is 0 or the range would reach the top of the address space (as during sizing). */
void pci_set_bar_hook(struct pci_dev *d, void (*hook)(void *opaque, int bar, uint32_t addr, bool enabled),
                      void *opaque);

/* The PIIX3 PIRQ routing registers (0x60-0x63): the ISA IRQ each PCI interrupt line goes to, or
 * -1 when routing is disabled (bit 7). */
int pci_pirq_route(const struct pci *p, unsigned pirq);

#endif
