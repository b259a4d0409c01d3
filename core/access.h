/* Guest memory and stack access for the interpreter: segment checks, then the physical bus.
 * Internal to core/. */
#ifndef JITPC_ACCESS_H
#define JITPC_ACCESS_H

#include <string.h>

#include "cpu.h"
#include "mmu.h"

/* Raises the fault for a bad access through seg: #SS(0) for the stack segment, #GP(0) otherwise
 * (SDM Vol.3 5.3 and 6.15 interrupts 12 and 13). */
_Noreturn void seg_fault(struct cpu *cpu, int seg);

/* Segment checks (SDM Vol.3 5.3, 5.4; in real mode the cache says limit 0xFFFF, read/write:
 * SDM Vol.3 20.1.1): the access of size bytes at off needs the rights in need (SEG_R, SEG_W,
 * or 0 for a bare limit check) and must lie within the segment. Returns the linear address. */
static inline bool seg_allows(const struct seg *s, uint32_t off, unsigned size, uint32_t need)
{
    need |= SEG_VALID;
    if ((s->rights & (need | SEG_DOWN)) == need)
        return off <= s->limit && size - 1 <= s->limit - off;
    if ((s->rights & need) == need && (s->rights & SEG_DOWN)) {
        uint32_t top = (s->attr & SEG_ATTR_DB) ? 0xFFFFFFFFu : 0xFFFFu;
        return off > s->limit && off <= top && size - 1 <= top - off;
    }
    return false;
}

static inline uint32_t seg_check(struct cpu *cpu, int seg, uint32_t off, unsigned size, uint32_t need)
{
    const struct seg *s = &cpu->seg[seg];
    if (seg_allows(s, off, size, need))
        return s->base + off;
    seg_fault(cpu, seg);
}

static inline uint32_t seg_linear(struct cpu *cpu, int seg, uint32_t off, unsigned size)
{
    return seg_check(cpu, seg, off, size, 0);
}

/* Linear memory through the TLB (mmu.c). user selects the privilege of the access: CPL 3 data
 * and code are user accesses, descriptor-table, TSS and inner-stack accesses are supervisor
 * accesses whatever the CPL (SDM Vol.3 4.6: "implicit supervisor-mode accesses"). */
static inline const struct tlb_entry *tlb_lookup(struct cpu *cpu, uint32_t lin, enum mmu_access acc, bool user)
{
    const struct tlb_entry *e = &cpu->tlb[user][(lin >> MEM_PAGE_SHIFT) & (TLB_SIZE - 1)];
    uint32_t page = lin & ~(MEM_PAGE_SIZE - 1);
    if (acc != ACC_WRITE)
        return e->tag_r == page ? e : mmu_translate(cpu, lin, acc, user);
    /* A write hit, or a hit on a page holding code (wr_page sends those through the bus). */
    return (e->tag_w & ~TLB_CODE) == page ? e : mmu_translate(cpu, lin, acc, user);
}

static inline uint32_t lin_to_phys(struct cpu *cpu, uint32_t lin, enum mmu_access acc, bool user)
{
    return tlb_lookup(cpu, lin, acc, user)->phys | (lin & (MEM_PAGE_SIZE - 1));
}

static inline uint32_t rd_page(struct cpu *cpu, uint32_t lin, unsigned size, bool user)
{
    const struct tlb_entry *e = tlb_lookup(cpu, lin, ACC_READ, user);
    uint32_t off = lin & (MEM_PAGE_SIZE - 1);
    if (e->host) {
        uint32_t v = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        memcpy(&v, e->host + off, size);
#else
        for (unsigned i = 0; i < size; i++)
            v |= (uint32_t)e->host[off + i] << (8 * i);
#endif
        return v;
    }
    switch (size) {
    case 1: return mem_read8(cpu->mem, e->phys | off);
    case 2: return mem_read16(cpu->mem, e->phys | off);
    default: return mem_read32(cpu->mem, e->phys | off);
    }
}

static inline void wr_page(struct cpu *cpu, const struct tlb_entry *e, uint32_t lin, uint32_t v, unsigned size)
{
    uint32_t off = lin & (MEM_PAGE_SIZE - 1);
    if (e->host && !(e->tag_w & (TLB_INVALID | TLB_CODE))) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        memcpy(e->host + off, &v, size);
#else
        for (unsigned i = 0; i < size; i++)
            e->host[off + i] = (uint8_t)(v >> (8 * i));
#endif
        return;
    }
    switch (size) {
    case 1: mem_write8(cpu->mem, e->phys | off, (uint8_t)v); break;
    case 2: mem_write16(cpu->mem, e->phys | off, (uint16_t)v); break;
    default: mem_write32(cpu->mem, e->phys | off, v); break;
    }
}

static inline bool crosses_page(uint32_t lin, unsigned size)
{
    return (lin & (MEM_PAGE_SIZE - 1)) > MEM_PAGE_SIZE - size;
}

static inline uint32_t rd_lin_as(struct cpu *cpu, uint32_t lin, unsigned size, bool user)
{
    if (__builtin_expect(crosses_page(lin, size), 0)) {
        uint32_t v = 0;
        for (unsigned i = 0; i < size; i++)
            v |= rd_page(cpu, lin + i, 1, user) << (8 * i);
        return v;
    }
    return rd_page(cpu, lin, size, user);
}

static inline void wr_lin_as(struct cpu *cpu, uint32_t lin, uint32_t v, unsigned size, bool user)
{
    if (__builtin_expect(crosses_page(lin, size), 0)) {
        /* Both pages are checked before either is written: a fault leaves memory unchanged. */
        uint32_t second = (lin | (MEM_PAGE_SIZE - 1)) + 1;
        tlb_lookup(cpu, lin, ACC_WRITE, user);
        tlb_lookup(cpu, second, ACC_WRITE, user);
        for (unsigned i = 0; i < size; i++)
            wr_page(cpu, tlb_lookup(cpu, lin + i, ACC_WRITE, user), lin + i, (v >> (8 * i)) & 0xFF, 1);
        return;
    }
    wr_page(cpu, tlb_lookup(cpu, lin, ACC_WRITE, user), lin, v, size);
}

/* Supervisor-privilege accesses (descriptor tables, TSS, IDT). */
static inline uint32_t rd_lin(struct cpu *cpu, uint32_t lin, unsigned size)
{
    return rd_lin_as(cpu, lin, size, false);
}

static inline void wr_lin(struct cpu *cpu, uint32_t lin, uint32_t v, unsigned size)
{
    wr_lin_as(cpu, lin, v, size, false);
}

/* Alignment check (SDM Vol.3 6.15 interrupt 17): a misaligned data access at CPL 3 with CR0.AM
 * and EFLAGS.AC set raises #AC(0). The misalignment test comes first: it is almost always false. */
static inline void check_align(struct cpu *cpu, uint32_t lin, unsigned size)
{
    if ((lin & (size - 1)) && cpu->cpl == 3 && (cpu->cr0 & CR0_AM) && (cpu->eflags & FL_AC))
        cpu_raise(cpu, EXC_AC, 0, true);
}

static inline uint32_t rd_seg(struct cpu *cpu, int seg, uint32_t off, unsigned size)
{
    uint32_t lin = seg_check(cpu, seg, off, size, SEG_R);
    check_align(cpu, lin, size);
    if (__builtin_expect(cpu->dbg_watch, 0))
        debug_note_access(cpu->dbg, lin, size, false);
    return rd_lin_as(cpu, lin, size, cpu->cpl == 3);
}

static inline void wr_seg(struct cpu *cpu, int seg, uint32_t off, uint32_t v, unsigned size)
{
    uint32_t lin = seg_check(cpu, seg, off, size, SEG_W);
    check_align(cpu, lin, size);
    if (__builtin_expect(cpu->dbg_watch, 0))
        debug_note_access(cpu->dbg, lin, size, true);
    wr_lin_as(cpu, lin, v, size, cpu->cpl == 3);
}

static inline bool stack32(const struct cpu *cpu)
{
    return (cpu->seg[SEG_SS].attr & SEG_ATTR_DB) != 0;
}

static inline uint32_t sp_mask(const struct cpu *cpu)
{
    return stack32(cpu) ? 0xFFFFFFFFu : 0xFFFFu;
}

/* Writes below the stack pointer without moving it: callers that push several values check
 * every write first and move ESP once, so a fault leaves ESP as it was. */
static inline uint32_t stack_off(const struct cpu *cpu, int32_t delta)
{
    return (cpu->regs[R_ESP] + (uint32_t)delta) & sp_mask(cpu);
}

static inline void set_sp(struct cpu *cpu, uint32_t v)
{
    if (stack32(cpu))
        cpu->regs[R_ESP] = v;
    else
        cpu->regs[R_ESP] = (cpu->regs[R_ESP] & 0xFFFF0000u) | (v & 0xFFFF);
}

static inline void push(struct cpu *cpu, uint32_t v, unsigned size)
{
    uint32_t sp = stack_off(cpu, -(int32_t)size);
    wr_seg(cpu, SEG_SS, sp, v, size);
    set_sp(cpu, sp);
}

static inline uint32_t pop(struct cpu *cpu, unsigned size)
{
    uint32_t sp = stack_off(cpu, 0);
    uint32_t v = rd_seg(cpu, SEG_SS, sp, size);
    set_sp(cpu, sp + size);
    return v;
}

#endif
