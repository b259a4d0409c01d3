/* Physical memory bus. */
#include "mem.h"

#include <stdlib.h>
#include <string.h>

bool mem_init(struct mem *mem, uint32_t ram_size)
{
    memset(mem, 0, sizeof(*mem));
    mem->a20_mask = 0xFFFFFFFFu;
    mem->page_region = calloc(MEM_PAGES, 1);
    mem->page_region_w = calloc(MEM_PAGES, 1);
    mem->code_page = calloc(MEM_PAGES, 1);
    mem->code_chunks = calloc(MEM_PAGES, sizeof(uint64_t));
    mem->page_gen = calloc(MEM_PAGES, sizeof(uint32_t));
    mem->ram = calloc(ram_size ? ram_size : 1, 1);
    if (!mem->page_region || !mem->page_region_w || !mem->code_page || !mem->code_chunks || !mem->page_gen || !mem->ram) {
        mem_free(mem);
        return false;
    }
    mem->ram_size = ram_size;
    return ram_size == 0 || mem_map_host(mem, 0, ram_size, mem->ram, false);
}

void mem_free(struct mem *mem)
{
    free(mem->page_region);
    free(mem->page_region_w);
    mem->page_region_w = NULL;
    free(mem->code_page);
    free(mem->code_chunks);
    mem->code_chunks = NULL;
    free(mem->page_gen);
    free(mem->ram);
    mem->code_page = NULL;
    mem->page_gen = NULL;
    mem->page_region = NULL;
    mem->ram = NULL;
}

static bool add_region(struct mem *mem, const struct mem_region *r)
{
    if (mem->nregions >= MEM_MAX_REGIONS || (r->base | r->size) & (MEM_PAGE_SIZE - 1))
        return false;
    if (r->size == 0 || (uint64_t)r->base + r->size > (1ull << 32))
        return false;
    mem->regions[mem->nregions++] = *r;
    uint32_t first = r->base >> MEM_PAGE_SHIFT, n = r->size >> MEM_PAGE_SHIFT;
    memset(mem->page_region + first, (int)mem->nregions, n);
    memset(mem->page_region_w + first, (int)mem->nregions, n);
    return true;
}

int mem_last_region(const struct mem *mem)
{
    return (int)mem->nregions - 1;
}

void mem_route(struct mem *mem, uint32_t base, uint32_t size, int read_idx, int write_idx)
{
    uint32_t first = base >> MEM_PAGE_SHIFT, n = size >> MEM_PAGE_SHIFT;
    memset(mem->page_region + first, read_idx + 1, n);
    memset(mem->page_region_w + first, write_idx + 1, n);
    for (uint32_t p = first; p < first + n; p++) {
        if (mem->code_page[p]) {
            mem->code_page[p] = 0;
            mem->code_chunks[p] = 0;
        }
        mem->page_gen[p]++;
    }
}

bool mem_map_host(struct mem *mem, uint32_t base, uint32_t size, uint8_t *host, bool readonly)
{
    struct mem_region r = {.base = base, .size = size, .host = host, .readonly = readonly};
    return add_region(mem, &r);
}

bool mem_map_mmio(struct mem *mem, uint32_t base, uint32_t size, const struct mmio_ops *ops, void *opaque)
{
    struct mem_region r = {.base = base, .size = size, .ops = ops, .opaque = opaque};
    return add_region(mem, &r);
}

void mem_set_a20(struct mem *mem, bool enabled)
{
    /* With A20 masked, address bit 20 reads as 0: the 8086's 1 MiB wrap-around. */
    mem->a20_mask = enabled ? 0xFFFFFFFFu : ~(1u << 20);
}

static struct mem_region *region_of(struct mem *mem, uint32_t addr)
{
    uint8_t idx = mem->page_region[addr >> MEM_PAGE_SHIFT];
    return idx ? &mem->regions[idx - 1] : NULL;
}

static struct mem_region *region_of_w(struct mem *mem, uint32_t addr)
{
    uint8_t idx = mem->page_region_w[addr >> MEM_PAGE_SHIFT];
    return idx ? &mem->regions[idx - 1] : NULL;
}

static uint32_t read_slow(struct mem *mem, uint32_t addr, unsigned size)
{
    struct mem_region *r = region_of(mem, addr);
    if (!r) {
        mem->unmapped_accesses++;
        return size == 4 ? 0xFFFFFFFFu : (1u << (size * 8)) - 1;
    }
    uint32_t off = addr - r->base;
    if (r->host) {
        uint32_t v = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        memcpy(&v, r->host + off, size);     /* guest and host agree on byte order */
#else
        for (unsigned i = 0; i < size; i++)
            v |= (uint32_t)r->host[off + i] << (8 * i);
#endif
        return v;
    }
    return r->ops->read(r->opaque, off, size);
}

static void write_slow(struct mem *mem, uint32_t addr, uint32_t v, unsigned size)
{
    uint32_t page = addr >> MEM_PAGE_SHIFT;
    if (mem->code_page[page]) {
        /* size <= 4 and the access lies within the page: at most two chunks. */
        unsigned off = addr & (MEM_PAGE_SIZE - 1), first = off >> 6, last = (off + size - 1) >> 6;
        uint64_t touched = (~0ull >> (63 - last + first)) << first;
        if (mem->code_chunks[page] & touched) {
            mem->code_page[page] = 0;
            mem->code_chunks[page] = 0;
            mem->page_gen[page]++;
            mem->code_page_writes++;
        }
    }
    struct mem_region *r = region_of_w(mem, addr);
    if (!r) {
        mem->unmapped_accesses++;
        return;
    }
    uint32_t off = addr - r->base;
    if (r->host) {
        if (r->readonly)
            return;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        memcpy(r->host + off, &v, size);
#else
        for (unsigned i = 0; i < size; i++)
            r->host[off + i] = (uint8_t)(v >> (8 * i));
#endif
        return;
    }
    r->ops->write(r->opaque, off, v, size);
}

/* An access that crosses a page boundary is split into bytes: each page may belong to a
 * different region (and, with A20 masked, the two halves may not even be adjacent). */
static bool crosses_page(uint32_t addr, unsigned size)
{
    return ((addr & (MEM_PAGE_SIZE - 1)) + size) > MEM_PAGE_SIZE;
}

static uint32_t read_n(struct mem *mem, uint32_t addr, unsigned size)
{
    if (crosses_page(addr, size)) {
        uint32_t v = 0;
        for (unsigned i = 0; i < size; i++)
            v |= read_slow(mem, (addr + i) & mem->a20_mask, 1) << (8 * i);
        return v;
    }
    return read_slow(mem, addr & mem->a20_mask, size);
}

static void write_n(struct mem *mem, uint32_t addr, uint32_t v, unsigned size)
{
    if (crosses_page(addr, size)) {
        for (unsigned i = 0; i < size; i++)
            write_slow(mem, (addr + i) & mem->a20_mask, (v >> (8 * i)) & 0xFF, 1);
        return;
    }
    write_slow(mem, addr & mem->a20_mask, v, size);
}

uint8_t mem_read8(struct mem *mem, uint32_t addr) { return (uint8_t)read_n(mem, addr, 1); }
uint16_t mem_read16(struct mem *mem, uint32_t addr) { return (uint16_t)read_n(mem, addr, 2); }
uint32_t mem_read32(struct mem *mem, uint32_t addr) { return read_n(mem, addr, 4); }
void mem_write8(struct mem *mem, uint32_t addr, uint8_t v) { write_n(mem, addr, v, 1); }
void mem_write16(struct mem *mem, uint32_t addr, uint16_t v) { write_n(mem, addr, v, 2); }
void mem_write32(struct mem *mem, uint32_t addr, uint32_t v) { write_n(mem, addr, v, 4); }

const struct mem_region *mem_region_at(struct mem *mem, uint32_t addr)
{
    return region_of(mem, addr & mem->a20_mask);
}

const struct mem_region *mem_region_at_w(struct mem *mem, uint32_t addr)
{
    return region_of_w(mem, addr & mem->a20_mask);
}

/* Bus masters (IDE, the 8237) drive physical addresses themselves: the CPU's A20 gate does not
 * apply. RAM and ROM are copied a page at a time; MMIO and holes go byte by byte through the
 * regions' handlers, as the bus would deliver them. */
void mem_dma_read(struct mem *mem, uint32_t addr, void *buf, uint32_t len)
{
    uint8_t *out = buf;
    while (len) {
        uint32_t off = addr & (MEM_PAGE_SIZE - 1), n = MEM_PAGE_SIZE - off;
        if (n > len)
            n = len;
        struct mem_region *r = region_of(mem, addr);
        if (r && r->host)
            memcpy(out, r->host + (addr - r->base), n);
        else
            for (uint32_t i = 0; i < n; i++)
                out[i] = (uint8_t)read_slow(mem, addr + i, 1);
        out += n;
        addr += n;
        len -= n;
    }
}

void mem_dma_write(struct mem *mem, uint32_t addr, const void *buf, uint32_t len)
{
    const uint8_t *in = buf;
    while (len) {
        uint32_t page = addr >> MEM_PAGE_SHIFT, off = addr & (MEM_PAGE_SIZE - 1);
        uint32_t n = MEM_PAGE_SIZE - off;
        if (n > len)
            n = len;
        struct mem_region *r = region_of_w(mem, addr);
        if (r && r->host) {
            if (mem->code_page[page]) {
                /* The same 64-byte-chunk test as a CPU write: decodes there are retired. */
                unsigned first = off >> 6, last = (off + n - 1) >> 6;
                uint64_t touched = (~0ull >> (63 - last + first)) << first;
                if (mem->code_chunks[page] & touched) {
                    mem->code_page[page] = 0;
                    mem->code_chunks[page] = 0;
                    mem->page_gen[page]++;
                    mem->code_page_writes++;
                }
            }
            if (!r->readonly)
                memcpy(r->host + (addr - r->base), in, n);
        } else {
            for (uint32_t i = 0; i < n; i++)
                write_slow(mem, addr + i, in[i], 1);
        }
        in += n;
        addr += n;
        len -= n;
    }
}

void mem_unmap(struct mem *mem, uint32_t base, uint32_t size)
{
    mem_route(mem, base, size, -1, -1);
}
