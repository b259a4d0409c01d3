/* Lazy flags: SDM Vol.1 3.4.3.1 and each instruction's "Flags Affected" paragraph. */
#include "flags.h"

static uint32_t size_of(uint32_t op)
{
    return (op - LF_ADD8) % 3; /* 0 = 8-bit, 1 = 16-bit, 2 = 32-bit */
}

static uint32_t sign_bit(uint32_t op)
{
    static const uint32_t bits[3] = {0x80u, 0x8000u, 0x80000000u};
    return bits[size_of(op)];
}

static unsigned bits_of(uint32_t op)
{
    return 8u << size_of(op);
}

static uint32_t mask_of(uint32_t op)
{
    static const uint32_t masks[3] = {0xFFu, 0xFFFFu, 0xFFFFFFFFu};
    return masks[size_of(op)];
}

/* The family: ADD, ADC, SUB, SBB, LOGIC, INC, DEC, SHL, SHR, SAR, MUL, regardless of size. */
static enum lf_op family(uint32_t op)
{
    return (enum lf_op)(LF_ADD8 + (op - LF_ADD8) / 3 * 3);
}

static bool compute_cf(const struct lazy_flags *lf)
{
    uint64_t a = lf->src1, b = lf->src2, c = lf->cf_in;
    switch (family(lf->op)) {
    case LF_ADD8: return lf->res < lf->src1;
    case LF_ADC8: return a + b + c > mask_of(lf->op);
    case LF_SUB8: return lf->src1 < lf->src2;
    case LF_SBB8: return a < b + c;
    case LF_INC8: case LF_DEC8: case LF_MUL8: return lf->cf_in;
    /* the last bit shifted out (SDM Vol.2 SAL/SAR/SHL/SHR); for SHL and SHR with a count at or
     * above the operand size (8/16-bit) the SDM leaves CF undefined: the bit the shift of the
     * zero-extended operand gives */
    case LF_SHL8: return (a << b >> bits_of(lf->op)) & 1;
    case LF_SHR8: return (a >> (b - 1)) & 1;
    case LF_SAR8: {
        unsigned up = 32 - bits_of(lf->op);
        int32_t sv = (int32_t)(lf->src1 << up) >> up;   /* sign-extended operand */
        return (sv >> (b - 1)) & 1;                      /* count <= 31 */
    }
    default: return false;
    }
}

static bool compute_of(const struct lazy_flags *lf)
{
    uint32_t a = lf->src1, b = lf->src2, r = lf->res;
    switch (family(lf->op)) {
    case LF_ADD8: case LF_ADC8: case LF_INC8:
        return ((a ^ r) & (b ^ r)) & sign_bit(lf->op);
    case LF_SUB8: case LF_SBB8: case LF_DEC8:
        return ((a ^ b) & (a ^ r)) & sign_bit(lf->op);
    /* defined for a count of 1 (SDM Vol.2 SAL...: the sign against CF for SHL, the operand's
     * sign for SHR, 0 for SAR); for larger counts undefined, and the same rule is kept */
    case LF_SHL8:
        return ((r & sign_bit(lf->op)) != 0) != compute_cf(lf);
    case LF_SHR8:
        return (a & sign_bit(lf->op)) != 0;
    case LF_MUL8:
        return lf->cf_in;
    default:
        return false;
    }
}

static bool compute_af(const struct lazy_flags *lf)
{
    /* AF is undefined after AND/OR/XOR/TEST, the shifts and MUL/IMUL (SDM Vol.2); Intel CPUs
     * clear it. */
    enum lf_op f = family(lf->op);
    if (f == LF_LOGIC8 || f == LF_SHL8 || f == LF_SHR8 || f == LF_SAR8 || f == LF_MUL8)
        return false;
    return (lf->src1 ^ lf->src2 ^ lf->res) & 0x10;
}

uint32_t lf_compute(const struct lazy_flags *lf)
{
    if (lf->op == LF_NONE)
        return 0;
    uint32_t f = 0;
    if (compute_cf(lf)) f |= FL_CF;
    f |= parity_flag(lf->res);
    if (compute_af(lf)) f |= FL_AF;
    if (lf->res == 0) f |= FL_ZF;
    if (lf->res & sign_bit(lf->op)) f |= FL_SF;
    if (compute_of(lf)) f |= FL_OF;
    return f;
}

bool flag_cf(const struct cpu *cpu)
{
    return cpu->lf.op == LF_NONE ? (cpu->eflags & FL_CF) != 0 : compute_cf(&cpu->lf);
}

bool flag_zf(const struct cpu *cpu)
{
    return cpu->lf.op == LF_NONE ? (cpu->eflags & FL_ZF) != 0 : cpu->lf.res == 0;
}

bool flag_sf(const struct cpu *cpu)
{
    return cpu->lf.op == LF_NONE ? (cpu->eflags & FL_SF) != 0 : (cpu->lf.res & sign_bit(cpu->lf.op)) != 0;
}

bool flag_of(const struct cpu *cpu)
{
    return cpu->lf.op == LF_NONE ? (cpu->eflags & FL_OF) != 0 : compute_of(&cpu->lf);
}

bool flag_pf(const struct cpu *cpu)
{
    return cpu->lf.op == LF_NONE ? (cpu->eflags & FL_PF) != 0 : parity_flag(cpu->lf.res) != 0;
}

bool cond_true(const struct cpu *cpu, unsigned cc)
{
    bool r;
    switch (cc >> 1) {
    case 0: r = flag_of(cpu); break;                          /* O */
    case 1: r = flag_cf(cpu); break;                          /* B/C */
    case 2: r = flag_zf(cpu); break;                          /* Z/E */
    case 3: r = flag_cf(cpu) || flag_zf(cpu); break;          /* BE */
    case 4: r = flag_sf(cpu); break;                          /* S */
    case 5: r = flag_pf(cpu); break;                          /* P */
    case 6: r = flag_sf(cpu) != flag_of(cpu); break;          /* L */
    default: r = flag_zf(cpu) || flag_sf(cpu) != flag_of(cpu); break; /* LE */
    }
    return (cc & 1) ? !r : r;
}

void flags_set_szp(struct cpu *cpu, uint32_t res, unsigned size)
{
    static const uint32_t sign[5] = {0, 0x80u, 0x8000u, 0, 0x80000000u};
    static const uint32_t mask[5] = {0, 0xFFu, 0xFFFFu, 0, 0xFFFFFFFFu};
    flags_materialize(cpu);
    uint32_t f = cpu->eflags & ~(FL_SF | FL_ZF | FL_PF);
    res &= mask[size];
    if (res == 0) f |= FL_ZF;
    if (res & sign[size]) f |= FL_SF;
    cpu->eflags = f | parity_flag(res);
}
