/* Guest memory and stack access for the interpreter: segment checks, then the physical bus.
 * Internal to core/. */
#ifndef JITPC_ACCESS_H
#define JITPC_ACCESS_H

#include "cpu.h"

/* Segment limit check (SDM Vol.3 5.3; in real mode the cached limit is 0xFFFF, SDM Vol.3 20.1.1):
 * an access of size bytes at off must lie within [0, limit]. Faults with #SS(0) for the stack
 * segment and #GP(0) otherwise. Returns the linear address. */
static inline uint32_t seg_linear(struct cpu *cpu, int seg, uint32_t off, unsigned size)
{
    const struct seg *s = &cpu->seg[seg];
    if (off > s->limit || s->limit - off < size - 1)
        cpu_raise(cpu, seg == SEG_SS ? EXC_SS : EXC_GP, 0, true);
    return s->base + off;
}

/* Linear -> physical. Paging lands with the TLB (issue 4); until then the identity. */
static inline uint32_t lin_to_phys(struct cpu *cpu, uint32_t lin)
{
    (void)cpu;
    return lin;
}

static inline uint32_t rd_lin(struct cpu *cpu, uint32_t lin, unsigned size)
{
    uint32_t p = lin_to_phys(cpu, lin);
    switch (size) {
    case 1: return mem_read8(cpu->mem, p);
    case 2: return mem_read16(cpu->mem, p);
    default: return mem_read32(cpu->mem, p);
    }
}

static inline void wr_lin(struct cpu *cpu, uint32_t lin, uint32_t v, unsigned size)
{
    uint32_t p = lin_to_phys(cpu, lin);
    switch (size) {
    case 1: mem_write8(cpu->mem, p, (uint8_t)v); break;
    case 2: mem_write16(cpu->mem, p, (uint16_t)v); break;
    default: mem_write32(cpu->mem, p, v); break;
    }
}

static inline uint32_t rd_seg(struct cpu *cpu, int seg, uint32_t off, unsigned size)
{
    return rd_lin(cpu, seg_linear(cpu, seg, off, size), size);
}

static inline void wr_seg(struct cpu *cpu, int seg, uint32_t off, uint32_t v, unsigned size)
{
    wr_lin(cpu, seg_linear(cpu, seg, off, size), v, size);
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
