/* Paging (SDM Vol.3 ch.4, 32-bit paging) and the software TLB. Internal to core/. */
#ifndef JITPC_MMU_H
#define JITPC_MMU_H

#include "cpu.h"

enum mmu_access { ACC_READ, ACC_WRITE, ACC_EXEC };

/* Translates a linear address for an access of the given kind, at user (CPL 3 data or code)
 * or supervisor privilege; raises #PF with CR2 and the error code on failure. Fills the TLB.
 * Returns the TLB entry that now maps the page. */
struct tlb_entry *mmu_translate(struct cpu *cpu, uint32_t lin, enum mmu_access acc, bool user);

/* SDM Vol.3 4.10.4: MOV CR3 drops the non-global entries; INVLPG one page, global or not;
 * changes to CR0.PG/WP, CR4.PSE/PGE everything. */
void tlb_flush_nonglobal(struct cpu *cpu);
void tlb_flush_page(struct cpu *cpu, uint32_t lin);

/* A page now holds cached decoded instructions: its write entries go, so that writes reach the
 * bus and retire the decodes (self-modifying code). */
void tlb_protect_code(struct cpu *cpu, uint32_t phys);

#endif
