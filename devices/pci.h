/* PCI configuration mechanism #1 (ports 0xCF8/0xCFC) with the i440FX host bridge (00:00.0) and
 * the PIIX3 PCI-to-ISA bridge (00:01.0), as in the PC that SeaBIOS and most guests know. */
#ifndef JITPC_PCI_H
#define JITPC_PCI_H

#include <stdbool.h>
#include <stdint.h>

#include "core/ioport.h"

struct pci_dev {
    uint8_t cfg[256];
    uint8_t wmask[256];     /* bits software may write */
    bool present;
};

struct pci {
    uint32_t addr;          /* CONFIG_ADDRESS (0xCF8) */
    uint8_t rcr;            /* PIIX3 reset control register (0xCF9) */
    struct pci_dev dev[32]; /* bus 0, function 0 of each slot */
    /* Host callbacks (not saved state): PAM/SMRAM changes, and a reset request from 0xCF9. */
    void (*pam_changed)(void *opaque, const uint8_t pam[7]);
    void (*reset)(void *opaque);
    void *opaque;
    uint64_t unmapped_accesses;
};

/* Maps the configuration ports and creates the i440FX and PIIX3. */
void pci_init(struct pci *p, struct iobus *io, void (*pam_changed)(void *, const uint8_t[7]),
              void (*reset)(void *), void *opaque);

/* The PIIX3 PIRQ routing registers (0x60-0x63): the ISA IRQ each PCI interrupt line goes to, or
 * -1 when routing is disabled (bit 7). */
int pci_pirq_route(const struct pci *p, unsigned pirq);

#endif
