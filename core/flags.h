/* Lazy arithmetic flags (see struct lazy_flags in cpu.h). */
#ifndef JITPC_FLAGS_H
#define JITPC_FLAGS_H

#include "cpu.h"

/* Records a flag-setting operation of size 1, 2 or 4 bytes. kind is the size-independent base
 * (LF_ADD8, LF_SUB8, ...); the recorder picks the sized variant. */
static inline void lf_set(struct cpu *cpu, enum lf_op kind8, unsigned size, uint32_t res, uint32_t src1,
                          uint32_t src2, uint32_t cf_in)
{
    cpu->lf.op = kind8 + (size == 1 ? 0 : size == 2 ? 1 : 2);
    cpu->lf.res = res;
    cpu->lf.src1 = src1;
    cpu->lf.src2 = src2;
    cpu->lf.cf_in = cf_in;
}

/* The six arithmetic flags of the recorded operation, as EFLAGS bits. */
uint32_t lf_compute(const struct lazy_flags *lf);

/* Writes the arithmetic flags into cpu->eflags and drops the lazy record. */
static inline void flags_materialize(struct cpu *cpu)
{
    if (cpu->lf.op != LF_NONE) {
        cpu->eflags = (cpu->eflags & ~FL_ARITH) | lf_compute(&cpu->lf);
        cpu->lf.op = LF_NONE;
    }
}

/* Single-flag queries used by Jcc/SETcc/CMOVcc/ADC/SBB. */
bool flag_cf(const struct cpu *cpu);
bool flag_zf(const struct cpu *cpu);
bool flag_sf(const struct cpu *cpu);
bool flag_of(const struct cpu *cpu);
bool flag_pf(const struct cpu *cpu);

/* Condition code cc (0-15) as in Jcc's low opcode nibble (SDM Vol.2 appendix B.1.4.7). */
bool cond_true(const struct cpu *cpu, unsigned cc);

/* Parity of the low byte: PF is set when the number of 1 bits is even. */
static inline uint32_t parity_flag(uint32_t v)
{
    v &= 0xFF;
    v ^= v >> 4;
    v ^= v >> 2;
    v ^= v >> 1;
    return (v & 1) ? 0 : FL_PF;
}

/* Materialises the flags, then sets SF, ZF and PF from a result of size 1, 2 or 4 bytes, leaving
 * the other bits to the caller. Used by the eagerly computed families (shifts, MUL, BCD). */
void flags_set_szp(struct cpu *cpu, uint32_t res, unsigned size);

#endif
