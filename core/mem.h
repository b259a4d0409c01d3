/* Physical memory bus: RAM is one host allocation; ROM and MMIO are page-granular regions. */
#ifndef JITPC_MEM_H
#define JITPC_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MEM_PAGE_SHIFT 12
#define MEM_PAGE_SIZE (1u << MEM_PAGE_SHIFT)
#define MEM_PAGES (1u << (32 - MEM_PAGE_SHIFT))

struct mmio_ops {
    /* size is 1, 2 or 4; addr is the offset inside the mapped range. */
    uint32_t (*read)(void *opaque, uint32_t addr, unsigned size);
    void (*write)(void *opaque, uint32_t addr, uint32_t value, unsigned size);
};

struct mem_region {
    uint32_t base, size;
    uint8_t *host;               /* RAM or ROM bytes, or NULL for MMIO */
    bool readonly;               /* ROM: writes are dropped */
    const struct mmio_ops *ops;  /* MMIO only */
    void *opaque;
};

#define MEM_MAX_REGIONS 256

struct mem {
    uint8_t *ram;
    uint32_t ram_size;
    uint32_t a20_mask;           /* 0xFFFFFFFF, or 0xFFEFFFFF with the A20 gate closed */
    unsigned nregions;
    struct mem_region regions[MEM_MAX_REGIONS];
    uint8_t *page_region;        /* MEM_PAGES entries: region index + 1 for reads, 0 = unmapped */
    uint8_t *page_region_w;      /* the same for writes: differs where a chipset routes reads and
                                    writes apart (i440FX PAM: read ROM, write RAM) */
    /* Self-modifying-code tracking for the decoded-instruction cache: code_page[p] is set while
     * instructions decoded from physical page p are cached; any write to the page through the
     * bus clears it and bumps page_gen[p], which retires those decodes. */
    uint8_t *code_page;
    uint64_t *code_chunks;       /* per page: which 64-byte chunks hold cached instructions */
    uint32_t *page_gen;
    uint64_t code_page_writes;   /* counter for --stats */
    /* Told when a page starts being watched (mem_watch_page), so the CPU's TLB stops writing it
     * through a cached host pointer: the CPU's tlb_protect_code, set by cpu_init. */
    void (*watch_hook)(void *opaque, uint32_t phys);
    void *watch_opaque;
    uint64_t unmapped_accesses;  /* counter for --stats */
};

/* ram_size must be a multiple of MEM_PAGE_SIZE. RAM is mapped at 0. Returns false on allocation failure. */
bool mem_init(struct mem *mem, uint32_t ram_size);
void mem_free(struct mem *mem);
/* Map host bytes (RAM or ROM) or MMIO over [base, base+size); later maps win. base and size page-aligned. */
bool mem_map_host(struct mem *mem, uint32_t base, uint32_t size, uint8_t *host, bool readonly);
bool mem_map_mmio(struct mem *mem, uint32_t base, uint32_t size, const struct mmio_ops *ops, void *opaque);
/* The index of the region last mapped (for mem_route), valid after a successful map call. */
int mem_last_region(const struct mem *mem);
/* Routes reads of [base, base+size) to region read_idx and writes to write_idx (-1: nothing
 * answers). Decodes cached from those pages are retired. The caller flushes the CPU's TLB. */
void mem_route(struct mem *mem, uint32_t base, uint32_t size, int read_idx, int write_idx);
void mem_set_a20(struct mem *mem, bool enabled);
/* Nothing answers at [base, base+size) any more (a PCI BAR moved away). The caller flushes the
 * CPU's TLB. */
void mem_unmap(struct mem *mem, uint32_t base, uint32_t size);

/* Bus-master access to physical memory (IDE DMA, the 8237): no A20 mask, len bytes from addr,
 * across regions; writes retire cached decodes of the code they overwrite. */
void mem_dma_read(struct mem *mem, uint32_t addr, void *buf, uint32_t len);
void mem_dma_write(struct mem *mem, uint32_t addr, const void *buf, uint32_t len);

/* Marks the len bytes of a decoded instruction at addr (within one page) as cached code. Only a
 * write that touches a marked 64-byte chunk retires the page's decodes, so data next to code
 * (DESIGN.md: "track code below page granularity") costs a bus write but no re-decode. */
static inline void mem_mark_code(struct mem *mem, uint32_t addr, unsigned len)
{
    addr &= mem->a20_mask;
    uint32_t page = addr >> MEM_PAGE_SHIFT, off = addr & (MEM_PAGE_SIZE - 1);
    unsigned first = off >> 6, last = (off + len - 1) >> 6;
    mem->code_page[page] = 1;
    mem->code_chunks[page] |= (~0ull >> (63 - last + first)) << first;
}

/* Write watching for devices that scan guest-written memory (the VGA's linear frame buffer):
 * physical page `page` is treated like cached code, so the next write to any byte of it bumps
 * page_gen[page] (and unwatches it). A device compares page_gen with what it saw last time and
 * reads only the pages that changed. No A20 mask: the page number is physical. */
static inline void mem_watch_page(struct mem *mem, uint32_t page)
{
    if (mem->code_page[page] && mem->code_chunks[page] == ~0ull)
        return;                 /* still watched: nothing written since */
    mem->code_page[page] = 1;
    mem->code_chunks[page] = ~0ull;
    if (mem->watch_hook)
        mem->watch_hook(mem->watch_opaque, page << MEM_PAGE_SHIFT);
}

static inline bool mem_is_code(const struct mem *mem, uint32_t addr)
{
    return mem->code_page[(addr & mem->a20_mask) >> MEM_PAGE_SHIFT] != 0;
}

static inline uint32_t mem_page_gen(const struct mem *mem, uint32_t addr)
{
    return mem->page_gen[(addr & mem->a20_mask) >> MEM_PAGE_SHIFT];
}

/* The region that answers reads (writes) at physical address addr (after the A20 mask), or NULL. */
const struct mem_region *mem_region_at(struct mem *mem, uint32_t addr);
const struct mem_region *mem_region_at_w(struct mem *mem, uint32_t addr);

uint8_t mem_read8(struct mem *mem, uint32_t addr);
uint16_t mem_read16(struct mem *mem, uint32_t addr);
uint32_t mem_read32(struct mem *mem, uint32_t addr);
void mem_write8(struct mem *mem, uint32_t addr, uint8_t v);
void mem_write16(struct mem *mem, uint32_t addr, uint16_t v);
void mem_write32(struct mem *mem, uint32_t addr, uint32_t v);

#endif
