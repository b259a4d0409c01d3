/* Paging and the software TLB: SDM Vol.3 4.3 (32-bit paging), 4.6 (access rights), 4.7 (#PF
 * error code), 4.8 (accessed and dirty flags), 4.10 (TLBs). */
#include "mmu.h"

#include <string.h>

#define PTE_P 0x001u
#define PTE_W 0x002u
#define PTE_U 0x004u
#define PTE_A 0x020u
#define PTE_D 0x040u
#define PDE_PS 0x080u
#define PTE_G 0x100u
/* Bits 21:13 of a 4 MiB PDE are reserved without PSE-36 (SDM Vol.3 4.3, table 4-5). */
#define PDE4M_RSVD 0x003FE000u

/* #PF error code bits (SDM Vol.3 4.7) */
#define PF_P 1u
#define PF_W 2u
#define PF_U 4u
#define PF_RSVD 8u

static struct tlb_entry *used_entry(struct cpu *cpu, unsigned k)
{
    unsigned v = cpu->tlb_used[k];
    return &cpu->tlb[v >> TLB_BITS][v & (TLB_SIZE - 1)];
}

/* Invalidates an entry, keeping it on the used list if it is there (a later fill must not list
 * it twice). */
static void invalidate(struct tlb_entry *e)
{
    *e = (struct tlb_entry){.tag_r = TLB_INVALID, .tag_w = TLB_INVALID, .listed = e->listed};
}

void cpu_tlb_reset(struct cpu *cpu)
{
    for (int u = 0; u < 2; u++)
        for (unsigned i = 0; i < TLB_SIZE; i++)
            cpu->tlb[u][i] = (struct tlb_entry){.tag_r = TLB_INVALID, .tag_w = TLB_INVALID};
    cpu->tlb_nused = 0;
    cpu->tlb_stats.flushes++;
}

void cpu_tlb_flush(struct cpu *cpu)
{
    for (unsigned k = 0; k < cpu->tlb_nused; k++)
        *used_entry(cpu, k) = (struct tlb_entry){.tag_r = TLB_INVALID, .tag_w = TLB_INVALID};
    cpu->tlb_nused = 0;
    cpu->tlb_stats.flushes++;
}

void tlb_flush_nonglobal(struct cpu *cpu)
{
    unsigned kept = 0;
    for (unsigned k = 0; k < cpu->tlb_nused; k++) {
        struct tlb_entry *e = used_entry(cpu, k);
        if (e->global)
            cpu->tlb_used[kept++] = cpu->tlb_used[k];
        else
            *e = (struct tlb_entry){.tag_r = TLB_INVALID, .tag_w = TLB_INVALID};
    }
    cpu->tlb_nused = kept;
    cpu->tlb_stats.flushes++;
}

void tlb_flush_page(struct cpu *cpu, uint32_t lin)
{
    unsigned i = (lin >> MEM_PAGE_SHIFT) & (TLB_SIZE - 1);
    for (int u = 0; u < 2; u++)
        invalidate(&cpu->tlb[u][i]);
    /* A 4 MiB page is cached here as 4 KiB entries; INVLPG of any address in it must drop them
     * all (SDM Vol.3 4.10.2.3). Which entries came from a 4 MiB page is not recorded, so with
     * CR4.PSE set drop every entry of lin's 4 MiB region (dropping more is always allowed). */
    if (cpu->cr4 & CR4_PSE) {
        uint32_t region = lin & 0xFFC00000u;
        for (int u = 0; u < 2; u++)
            for (unsigned j = 0; j < TLB_SIZE; j++)
                if ((cpu->tlb[u][j].tag_r & 0xFFC00000u) == region)
                    invalidate(&cpu->tlb[u][j]);
    }
    cpu->tlb_stats.page_flushes++;
}

static _Noreturn void page_fault(struct cpu *cpu, uint32_t lin, uint32_t err, enum mmu_access acc, bool user)
{
    if (acc == ACC_WRITE)
        err |= PF_W;
    if (user)
        err |= PF_U;
    cpu->cr2 = lin;
    cpu->tlb_stats.page_faults++;
    cpu_raise(cpu, EXC_PF, err, true);
}

/* Sets bits in a paging-structure entry (the processor's locked update, SDM Vol.3 4.8). */
static uint32_t set_bits(struct cpu *cpu, uint32_t addr, uint32_t entry, uint32_t bits)
{
    if ((entry & bits) != bits) {
        entry |= bits;
        mem_write32(cpu->mem, addr, entry);
    }
    return entry;
}

struct tlb_entry *mmu_translate(struct cpu *cpu, uint32_t lin, enum mmu_access acc, bool user)
{
    uint32_t page = lin & ~(MEM_PAGE_SIZE - 1), phys;
    bool writable, global = false, dirty;
    cpu->tlb_stats.misses++;
    if (!(cpu->cr0 & CR0_PG)) {
        phys = page;
        writable = true;
        dirty = true;
    } else {
        cpu->tlb_stats.walks++;
        uint32_t pde_addr = (cpu->cr3 & ~0xFFFu) | ((lin >> 22) << 2);
        uint32_t pde = mem_read32(cpu->mem, pde_addr);
        if (!(pde & PTE_P))
            page_fault(cpu, lin, 0, acc, user);
        uint32_t entry, entry_addr, rights;
        if ((pde & PDE_PS) && (cpu->cr4 & CR4_PSE)) {
            if (pde & PDE4M_RSVD)
                page_fault(cpu, lin, PF_P | PF_RSVD, acc, user);
            entry = pde;
            entry_addr = pde_addr;
            rights = pde;
            phys = (pde & 0xFFC00000u) | (lin & 0x003FF000u);
        } else {
            /* The PDE has been used for the walk: its accessed flag is set now (SDM Vol.3 4.8). */
            pde = set_bits(cpu, pde_addr, pde, PTE_A);
            entry_addr = (pde & ~0xFFFu) | (((lin >> 12) & 0x3FF) << 2);
            entry = mem_read32(cpu->mem, entry_addr);
            if (!(entry & PTE_P))
                page_fault(cpu, lin, 0, acc, user);
            rights = entry & (pde | ~(PTE_W | PTE_U));  /* both levels must allow (SDM Vol.3 4.6.1) */
            phys = entry & ~0xFFFu;
        }
        /* SDM Vol.3 4.6: user accesses need U at both levels; writes need W, except that a
         * supervisor write ignores W when CR0.WP is clear. */
        if (user && !(rights & PTE_U))
            page_fault(cpu, lin, PF_P, acc, user);
        writable = (rights & PTE_W) || (!user && !(cpu->cr0 & CR0_WP));
        if (acc == ACC_WRITE && !writable)
            page_fault(cpu, lin, PF_P, acc, user);
        entry = set_bits(cpu, entry_addr, entry, PTE_A | (acc == ACC_WRITE ? PTE_D : 0));
        dirty = entry & PTE_D;
        global = (entry & PTE_G) && (cpu->cr4 & CR4_PGE);
    }
    unsigned idx = (lin >> MEM_PAGE_SHIFT) & (TLB_SIZE - 1);
    struct tlb_entry *e = &cpu->tlb[user][idx];
    if (!e->listed) {
        e->listed = true;
        cpu->tlb_used[cpu->tlb_nused++] = (uint16_t)((unsigned)user << TLB_BITS | idx);
    }
    const struct mem_region *r = mem_region_at(cpu->mem, phys);
    e->tag_r = page;
    /* Writes to a page holding cached decodes take the bus path, which retires them. */
    e->tag_w = writable && dirty ? page | (mem_is_code(cpu->mem, phys) ? TLB_CODE : 0) : TLB_INVALID;
    e->phys = phys;
    e->host = NULL;
    e->global = global;
    if (r && r->host) {
        e->host = r->host + ((phys & cpu->mem->a20_mask) - r->base);
        /* ROM writes go to the bus, which drops them; so do writes routed elsewhere than reads. */
        if (r->readonly || mem_region_at_w(cpu->mem, phys) != r)
            e->tag_w = TLB_INVALID;
    }
    return e;
}

void tlb_protect_code(struct cpu *cpu, uint32_t phys)
{
    uint32_t page = phys & ~(MEM_PAGE_SIZE - 1);
    for (int u = 0; u < 2; u++)
        for (unsigned i = 0; i < TLB_SIZE; i++)
            if (cpu->tlb[u][i].phys == page && !(cpu->tlb[u][i].tag_w & TLB_INVALID))
                cpu->tlb[u][i].tag_w |= TLB_CODE;
}
