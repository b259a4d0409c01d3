/* The interpreter: one function per instruction family, dispatched from the decoded opcode.
 * Semantics follow the instruction pages of SDM Vol.2; real-address-mode behaviour SDM Vol.3 ch.20.
 * Protected-mode paths (descriptor loads, privilege checks) arrive with issue 3. */
#include <string.h>

#include "access.h"
#include "flags.h"
#include "fpu.h"
#include "interp.h"
#include "mmu.h"
#include "prot.h"

/* REP string instructions run in chunks of this many iterations; the instruction then restarts
 * itself (EIP left on it), so pending interrupts are taken between chunks as on hardware
 * (SDM Vol.2 REP: "interrupts are recognized between iterations"). */
#define REP_CHUNK 4096

static inline unsigned osize(const struct insn *in) { return in->opsize32 ? 4 : 2; }
/* Size of an instruction whose low opcode bit selects byte (0) or full operand size (1). */
static inline unsigned wsize(const struct insn *in) { return (in->op & 1) ? osize(in) : 1; }
static inline uint32_t size_mask(unsigned size) { return size == 4 ? 0xFFFFFFFFu : (1u << (size * 8)) - 1; }
static inline uint32_t sign_of(unsigned size) { return 1u << (size * 8 - 1); }

static inline uint32_t sext(uint32_t v, unsigned size)
{
    return size == 1 ? (uint32_t)(int32_t)(int8_t)v : size == 2 ? (uint32_t)(int32_t)(int16_t)v : v;
}

static inline unsigned size_idx(unsigned size) { return size == 1 ? 0 : size == 2 ? 1 : 2; }

/* ---- registers ---- */

static inline uint32_t get_reg(const struct cpu *cpu, unsigned r, unsigned size)
{
    if (size == 1)
        return r < 4 ? cpu->regs[r] & 0xFF : (cpu->regs[r - 4] >> 8) & 0xFF;
    return size == 2 ? cpu->regs[r] & 0xFFFF : cpu->regs[r];
}

static inline void set_reg(struct cpu *cpu, unsigned r, uint32_t v, unsigned size)
{
    if (size == 1) {
        if (r < 4)
            cpu->regs[r] = (cpu->regs[r] & ~0xFFu) | (v & 0xFF);
        else
            cpu->regs[r - 4] = (cpu->regs[r - 4] & ~0xFF00u) | ((v & 0xFF) << 8);
    } else if (size == 2) {
        cpu->regs[r] = (cpu->regs[r] & 0xFFFF0000u) | (v & 0xFFFF);
    } else {
        cpu->regs[r] = v;
    }
}

/* ---- ModRM operands ---- */

static inline uint32_t ea_offset(const struct cpu *cpu, const struct insn *in)
{
    uint32_t off = in->disp;
    if (in->ea.base >= 0)
        off += cpu->regs[in->ea.base];
    if (in->ea.index >= 0)
        off += cpu->regs[in->ea.index] << in->ea.scale;
    return in->adsize32 ? off : off & 0xFFFF;
}

static inline uint32_t rm_read(struct cpu *cpu, const struct insn *in, unsigned size)
{
    if (in->mod == 3)
        return get_reg(cpu, in->rm, size);
    return rd_seg(cpu, in->ea.seg, ea_offset(cpu, in), size);
}

static inline void rm_write(struct cpu *cpu, const struct insn *in, uint32_t v, unsigned size)
{
    if (in->mod == 3)
        set_reg(cpu, in->rm, v, size);
    else
        wr_seg(cpu, in->ea.seg, ea_offset(cpu, in), v, size);
}

/* Memory operand at ModRM + extra bytes (far pointers, BOUND pairs, descriptor-table images). */
static inline uint32_t mem_read_at(struct cpu *cpu, const struct insn *in, uint32_t extra, unsigned size)
{
    /* The effective address wraps at the address size, but the later parts of the operand do
     * not: with 16-bit addressing a far pointer at FFFEh reaches past 64 KiB and faults on the
     * segment limit (SDM Vol.2 JMP, real-address mode: "#GP if a memory operand effective
     * address is outside the segment limit"). */
    return rd_seg(cpu, in->ea.seg, ea_offset(cpu, in) + extra, size);
}

static inline int data_seg(const struct insn *in)
{
    return in->seg_override != SEG_NONE ? in->seg_override : SEG_DS;
}

/* ---- privilege ---- */

/* Instructions reserved to CPL 0 raise #GP(0) elsewhere, v8086 mode included (SDM Vol.3 5.9). */
static void require_cpl0(struct cpu *cpu)
{
    if (cpu->cpl != 0)
        cpu_raise(cpu, EXC_GP, 0, true);
}

/* CLI, STI: CPL <= IOPL in protected mode, IOPL = 3 in v8086 mode (SDM Vol.2 CLI). */
static void require_iopl(struct cpu *cpu)
{
    if ((cpu->cr0 & CR0_PE) && cpu->cpl > iopl(cpu))
        cpu_raise(cpu, EXC_GP, 0, true);
}

/* PUSHF, POPF, INT n, IRET are IOPL-sensitive only in v8086 mode (SDM Vol.3 20.2.7). */
static void require_v86_iopl3(struct cpu *cpu)
{
    if (v86_mode(cpu) && iopl(cpu) != 3)
        cpu_raise(cpu, EXC_GP, 0, true);
}

/* LAR, LSL, VERR, VERW, ARPL, SLDT, STR, LLDT, LTR: protected mode only (SDM Vol.2: "#UD ... not
 * recognized in real-address mode / virtual-8086 mode"). */
static void require_pm(struct cpu *cpu)
{
    if (!pm_desc(cpu))
        cpu_raise(cpu, EXC_UD, 0, false);
}

/* Instructions a CPU model lacks raise #UD (SDM Vol.2: "#UD If the CPUID feature flag ... is 0"). */
static void require_feature(struct cpu *cpu, uint32_t cpuid_bit)
{
    if (!(cpu->model->features & cpuid_bit))
        cpu_raise(cpu, EXC_UD, 0, false);
}

static bool p6_family(const struct cpu *cpu)
{
    return ((cpu->model->signature >> 8) & 0xF) >= 6;
}

/* ---- ports ---- */

static uint32_t port_in(struct cpu *cpu, uint16_t port, unsigned size)
{
    io_check(cpu, port, size);
    return io_read(cpu->io, port, size);
}

static void port_out(struct cpu *cpu, uint16_t port, uint32_t v, unsigned size)
{
    io_check(cpu, port, size);
    io_write(cpu->io, port, v, size);
}

/* ---- control transfer ---- */

/* Near transfer: the target is truncated to the operand size and checked against the CS limit
 * (SDM Vol.2 JMP: "IF tempEIP is not within code segment limit THEN #GP(0)"). */
static void jump_near(struct cpu *cpu, uint32_t target, unsigned size)
{
    if (size == 2)
        target &= 0xFFFF;
    if (target > cpu->seg[SEG_CS].limit)
        cpu_raise(cpu, EXC_GP, 0, true);
    cpu->eip = target;
}

/* ---- ALU ---- */

enum { ALU_ADD, ALU_OR, ALU_ADC, ALU_SBB, ALU_AND, ALU_SUB, ALU_XOR, ALU_CMP };

static uint32_t alu(struct cpu *cpu, unsigned op, uint32_t a, uint32_t b, unsigned size)
{
    uint32_t m = size_mask(size), r, c;
    a &= m;
    b &= m;
    switch (op) {
    case ALU_ADD:
        r = (a + b) & m;
        lf_set(cpu, LF_ADD8, size, r, a, b, 0);
        return r;
    case ALU_ADC:
        c = flag_cf(cpu);
        r = (a + b + c) & m;
        lf_set(cpu, LF_ADC8, size, r, a, b, c);
        return r;
    case ALU_SBB:
        c = flag_cf(cpu);
        r = (a - b - c) & m;
        lf_set(cpu, LF_SBB8, size, r, a, b, c);
        return r;
    case ALU_SUB:
    case ALU_CMP:
        r = (a - b) & m;
        lf_set(cpu, LF_SUB8, size, r, a, b, 0);
        return r;
    case ALU_OR: r = a | b; break;
    case ALU_AND: r = a & b; break;
    default: r = a ^ b; break;
    }
    lf_set(cpu, LF_LOGIC8, size, r, a, b, 0);
    return r;
}

static void op_alu_rm(struct cpu *cpu, const struct insn *in)
{
    unsigned op = (in->op >> 3) & 7, size = wsize(in);
    uint32_t reg = get_reg(cpu, in->reg, size);
    if (in->op & 2) {                             /* reg = reg op r/m */
        uint32_t r = alu(cpu, op, reg, rm_read(cpu, in, size), size);
        if (op != ALU_CMP)
            set_reg(cpu, in->reg, r, size);
    } else {                                      /* r/m = r/m op reg */
        uint32_t r = alu(cpu, op, rm_read(cpu, in, size), reg, size);
        if (op != ALU_CMP)
            rm_write(cpu, in, r, size);
    }
}

static void op_alu_acc_imm(struct cpu *cpu, const struct insn *in)
{
    unsigned op = (in->op >> 3) & 7, size = wsize(in);
    uint32_t r = alu(cpu, op, get_reg(cpu, R_EAX, size), in->imm, size);
    if (op != ALU_CMP)
        set_reg(cpu, R_EAX, r, size);
}

static void op_group1(struct cpu *cpu, const struct insn *in)
{
    unsigned size = in->op == 0x81 || in->op == 0x83 ? osize(in) : 1;
    uint32_t imm = in->op == 0x83 ? sext(in->imm, 1) : in->imm;
    uint32_t r = alu(cpu, in->reg, rm_read(cpu, in, size), imm, size);
    if (in->reg != ALU_CMP)
        rm_write(cpu, in, r, size);
}

static uint32_t inc_dec(struct cpu *cpu, uint32_t v, bool dec, unsigned size)
{
    uint32_t m = size_mask(size);
    uint32_t r = (dec ? v - 1 : v + 1) & m;
    lf_set(cpu, dec ? LF_DEC8 : LF_INC8, size, r, v & m, 1, flag_cf(cpu));
    return r;
}

/* ---- shifts and rotates (SDM Vol.2 SAL/SAR/SHL/SHR, RCL/RCR/ROL/ROR, SHLD, SHRD) ---- */

static void set_flag(struct cpu *cpu, uint32_t bit, bool on)
{
    if (on)
        cpu->eflags |= bit;
    else
        cpu->eflags &= ~bit;
}

static uint32_t shift_rotate(struct cpu *cpu, unsigned op, uint32_t v, unsigned count, unsigned size)
{
    unsigned bits = size * 8;
    uint32_t m = size_mask(size), sign = sign_of(size), r;
    /* The 386 and later mask the count to 5 bits (SDM Vol.2 SAL "IA-32 Architecture Compatibility"). */
    count &= 0x1F;
    if (count == 0)
        return v;
    v &= m;
    /* The shifts define all six arithmetic flags (AF as Intel CPUs leave it: clear), so they are
     * recorded lazily (flags.c); the rotates change CF and OF only. */
    switch (op) {
    case 4: /* SHL */
    case 6: /* SAL (undocumented alias of SHL) */
        r = (v << count) & m;
        lf_set(cpu, LF_SHL8, size, r, v, count, 0);
        return r;
    case 5: /* SHR */
        r = v >> count;
        lf_set(cpu, LF_SHR8, size, r, v, count, 0);
        return r;
    case 7: /* SAR */
        r = (uint32_t)((int32_t)sext(v, size) >> count) & m;
        lf_set(cpu, LF_SAR8, size, r, v, count, 0);
        return r;
    default:
        break;
    }
    flags_materialize(cpu);
    bool cf, of;
    switch (op) {
    case 0: /* ROL */
        r = ((v << (count % bits)) | (v >> ((bits - count % bits) % bits))) & m;
        cf = r & 1;
        set_flag(cpu, FL_CF, cf);
        set_flag(cpu, FL_OF, ((r & sign) != 0) != cf);
        return r;
    case 1: /* ROR */
        r = ((v >> (count % bits)) | (v << ((bits - count % bits) % bits))) & m;
        set_flag(cpu, FL_CF, r & sign);
        set_flag(cpu, FL_OF, ((r ^ (r << 1)) & sign) != 0);
        return r;
    default: { /* 2 RCL, 3 RCR: rotate through CF, a (bits+1)-bit rotation */
        unsigned n = count % (bits + 1);
        uint64_t wide = ((uint64_t)(cpu->eflags & FL_CF) << bits) | v;   /* CF:v */
        uint64_t wm = (2ull << bits) - 1;
        if (n) {
            if (op == 2)
                wide = ((wide << n) | (wide >> (bits + 1 - n))) & wm;
            else
                wide = ((wide >> n) | (wide << (bits + 1 - n))) & wm;
        }
        r = (uint32_t)wide & m;
        cf = (wide >> bits) & 1;
        set_flag(cpu, FL_CF, cf);
        if (op == 2)
            of = ((r & sign) != 0) != cf;
        else
            of = ((r ^ (r << 1)) & sign) != 0;
        set_flag(cpu, FL_OF, of);
        return r;
    }
    }
}

static void op_group2(struct cpu *cpu, const struct insn *in)
{
    unsigned size = wsize(in), count;
    switch (in->op) {
    case 0xC0: case 0xC1: count = in->imm & 0xFF; break;
    case 0xD0: case 0xD1: count = 1; break;
    default: count = cpu->regs[R_ECX] & 0xFF; break;
    }
    uint32_t v = rm_read(cpu, in, size);
    /* A count that masks to 0 changes nothing, but a memory operand is still a read-modify-write
     * access: it faults on a read-only page and sets the dirty bit (host CPU; SDM Vol.3 4.6, 4.8).
     * shift_rotate returns v unchanged and leaves the flags alone. */
    rm_write(cpu, in, shift_rotate(cpu, in->reg, v, count, size), size);
}

static void op_shld_shrd(struct cpu *cpu, const struct insn *in)
{
    unsigned size = osize(in), bits = size * 8;
    bool left = in->op < OP_0F + 0xA8;
    unsigned count = ((in->op & 1) ? cpu->regs[R_ECX] : in->imm) & 0x1F;
    uint32_t dst = rm_read(cpu, in, size), src = get_reg(cpu, in->reg, size), r, m = size_mask(size);
    if (count == 0) {
        rm_write(cpu, in, dst, size);   /* still a write access, as for the shifts above */
        return;
    }
    /* Operands are joined as dst:src (SHLD) or src:dst (SHRD). For 16-bit operands a count above
     * 16 is undefined; this model shifts through dst:src:dst as Intel processors do. */
    uint64_t wide;
    bool cf;
    if (left) {
        wide = size == 4 ? ((uint64_t)dst << 32) | src : ((uint64_t)dst << 32) | ((uint64_t)src << 16) | dst;
        unsigned top = size == 4 ? 64 : 48;
        r = (uint32_t)((wide << count) >> (top - bits)) & m;
        cf = (wide >> (top - count)) & 1;
    } else {
        wide = size == 4 ? ((uint64_t)src << 32) | dst : ((uint64_t)dst << 32) | ((uint64_t)src << 16) | dst;
        r = (uint32_t)(wide >> count) & m;
        cf = (wide >> (count - 1)) & 1;
    }
    flags_set_szp(cpu, r, size);
    set_flag(cpu, FL_CF, cf);
    set_flag(cpu, FL_OF, ((r ^ dst) & sign_of(size)) != 0);
    cpu->eflags &= ~FL_AF;
    rm_write(cpu, in, r, size);
}

/* ---- multiply and divide ---- */

static void set_mul_flags(struct cpu *cpu, uint32_t low, unsigned size, bool overflow)
{
    /* CF = OF = the upper half is significant; SF ZF AF PF are undefined (set from the low half,
     * AF clear): recorded lazily (flags.c LF_MUL). */
    lf_set(cpu, LF_MUL8, size, low, 0, 0, overflow);
}

static void op_group3(struct cpu *cpu, const struct insn *in)
{
    unsigned size = wsize(in);
    uint32_t m = size_mask(size);
    uint32_t v = rm_read(cpu, in, size);
    switch (in->reg) {
    case 0: case 1: /* TEST r/m, imm */
        alu(cpu, ALU_AND, v, in->imm, size);
        return;
    case 2: /* NOT */
        rm_write(cpu, in, ~v & m, size);
        return;
    case 3: /* NEG: CF = (source != 0) */
        rm_write(cpu, in, alu(cpu, ALU_SUB, 0, v, size), size);
        return;
    case 4: case 5: { /* MUL, IMUL */
        uint64_t a = get_reg(cpu, R_EAX, size), prod;
        bool ovf;
        if (in->reg == 4) {
            prod = a * v;
            ovf = (prod >> (size * 8)) != 0;
        } else {
            int64_t sp = (int64_t)(int32_t)sext((uint32_t)a, size) * (int32_t)sext(v, size);
            prod = (uint64_t)sp;
            ovf = sp != (int64_t)(int32_t)sext((uint32_t)prod & m, size);
        }
        if (size == 1) {
            set_reg(cpu, R_EAX, (uint32_t)prod & 0xFFFF, 2);
        } else {
            set_reg(cpu, R_EAX, (uint32_t)prod & m, size);
            set_reg(cpu, R_EDX, (uint32_t)(prod >> (size * 8)) & m, size);
        }
        set_mul_flags(cpu, (uint32_t)prod & m, size, ovf);
        return;
    }
    default: { /* DIV, IDIV: #DE on a zero divisor or a quotient that does not fit */
        uint64_t dividend = size == 1 ? get_reg(cpu, R_EAX, 2)
                                      : ((uint64_t)get_reg(cpu, R_EDX, size) << (size * 8)) | get_reg(cpu, R_EAX, size);
        if (v == 0)
            cpu_raise(cpu, EXC_DE, 0, false);
        uint32_t q, r;
        if (in->reg == 6) {
            uint64_t qq = dividend / v;
            if (qq > m)
                cpu_raise(cpu, EXC_DE, 0, false);
            q = (uint32_t)qq;
            r = (uint32_t)(dividend % v);
        } else {
            unsigned dbits = size * 16;
            int64_t sd = dbits == 64 ? (int64_t)dividend : (int64_t)(dividend << (64 - dbits)) >> (64 - dbits);
            int64_t sv = (int32_t)sext(v, size);
            if (sd == INT64_MIN && sv == -1)
                cpu_raise(cpu, EXC_DE, 0, false);
            int64_t qq = sd / sv;
            int64_t lim = (int64_t)1 << (size * 8 - 1);
            if (qq >= lim || qq < -lim)
                cpu_raise(cpu, EXC_DE, 0, false);
            q = (uint32_t)qq & m;
            r = (uint32_t)(sd % sv) & m;
        }
        if (size == 1) {
            set_reg(cpu, R_EAX, q | (r << 8), 2);
        } else {
            set_reg(cpu, R_EAX, q, size);
            set_reg(cpu, R_EDX, r, size);
        }
        return;
    }
    }
}

static void op_imul_3(struct cpu *cpu, const struct insn *in, uint32_t b)
{
    unsigned size = osize(in);
    uint32_t m = size_mask(size);
    int64_t prod = (int64_t)(int32_t)sext(rm_read(cpu, in, size), size) * (int32_t)sext(b, size);
    uint32_t low = (uint32_t)prod & m;
    set_reg(cpu, in->reg, low, size);
    set_mul_flags(cpu, low, size, prod != (int64_t)(int32_t)sext(low, size));
}

/* ---- BCD (SDM Vol.2 DAA, DAS, AAA, AAS, AAM, AAD pseudo-code) ---- */

static void op_daa_das(struct cpu *cpu, bool sub)
{
    uint32_t f = cpu_get_eflags(cpu);
    uint8_t al = (uint8_t)cpu->regs[R_EAX], old_al = al;
    bool old_cf = f & FL_CF, cf = false, af = false;
    if ((al & 0x0F) > 9 || (f & FL_AF)) {
        cf = old_cf || (sub ? al < 6 : al > 0xF9);
        al = (uint8_t)(sub ? al - 6 : al + 6);
        af = true;
    }
    if (old_al > 0x99 || old_cf) {
        al = (uint8_t)(sub ? al - 0x60 : al + 0x60);
        cf = true;
    } else if (!sub) {
        cf = false;
    }
    set_reg(cpu, R_EAX, al, 1);
    flags_set_szp(cpu, al, 1);
    set_flag(cpu, FL_CF, cf);
    set_flag(cpu, FL_AF, af);
    /* OF is undefined; Intel processors compute it as for the add/subtract of the correction. */
    set_flag(cpu, FL_OF, sub ? (old_al & ~al & 0x80) != 0 : (~old_al & al & 0x80) != 0);
}

static void op_aaa_aas(struct cpu *cpu, bool sub)
{
    uint32_t f = cpu_get_eflags(cpu);
    uint16_t ax = (uint16_t)cpu->regs[R_EAX];
    bool adj = (ax & 0x0F) > 9 || (f & FL_AF);
    if (adj) {
        if (sub) {
            ax = (uint16_t)(ax - 6);
            ax = (uint16_t)(ax - 0x100);
        } else {
            ax = (uint16_t)(ax + 0x106);
        }
    }
    ax &= 0xFF0F;
    set_reg(cpu, R_EAX, ax, 2);
    flags_set_szp(cpu, ax & 0xFF, 1);
    set_flag(cpu, FL_CF, adj);
    set_flag(cpu, FL_AF, adj);
    cpu->eflags &= ~FL_OF;
}

static void op_aam(struct cpu *cpu, uint8_t base)
{
    if (base == 0)
        cpu_raise(cpu, EXC_DE, 0, false);
    uint8_t al = (uint8_t)cpu->regs[R_EAX];
    uint8_t res = al % base;
    set_reg(cpu, R_EAX, (uint32_t)(al / base) << 8 | res, 2);
    /* SF ZF PF from AL; OF AF CF undefined (logic-like: cleared). */
    lf_set(cpu, LF_LOGIC8, 1, res, res, res, 0);
}

static void op_aad(struct cpu *cpu, uint8_t base)
{
    uint8_t al = (uint8_t)cpu->regs[R_EAX], ah = (uint8_t)(cpu->regs[R_EAX] >> 8);
    /* Undefined OF AF CF: computed as for the addition AL + AH*base, as Intel processors do. */
    uint8_t prod = (uint8_t)(ah * base);
    uint8_t r = alu(cpu, ALU_ADD, al, prod, 1);
    set_reg(cpu, R_EAX, r, 2);
}

/* ---- string instructions (SDM Vol.2 MOVS ... with REP prefixes) ---- */

static inline uint32_t count_mask(const struct insn *in) { return in->adsize32 ? 0xFFFFFFFFu : 0xFFFFu; }

static inline uint32_t idx_get(const struct cpu *cpu, const struct insn *in, int r)
{
    return cpu->regs[r] & count_mask(in);
}

static inline void idx_set(struct cpu *cpu, const struct insn *in, int r, uint32_t v)
{
    uint32_t m = count_mask(in);
    cpu->regs[r] = (cpu->regs[r] & ~m) | (v & m);
}

/* The host bytes of the count elements of size bytes that a string instruction reaches from
 * the segment offset off in steps of step (through seg with the rights need), or NULL unless
 * each of them lies within the segment, the address size (no wrap of SI/DI) and one page, and
 * that page is RAM the TLB maps for this access without a walk (a write: dirty, no decoded code
 * in it). Then the instruction's element-by-element accesses would touch exactly these bytes,
 * without a fault and without anything the memory bus must see. Returns the lowest byte. */
static uint8_t *string_span(struct cpu *cpu, const struct insn *in, int seg, uint32_t off,
                            unsigned count, unsigned size, int32_t step, uint32_t need)
{
    uint32_t span = (count - 1) * size, lo = step > 0 ? off : off - span;
    if ((step > 0 ? count_mask(in) - off : off) < span)
        return NULL;
    const struct seg *s = &cpu->seg[seg];
    if (!seg_allows(s, lo, span + size, need))
        return NULL;
    uint32_t lin = s->base + lo, page = lin & ~(MEM_PAGE_SIZE - 1);
    if (((lin + span + size - 1) & ~(MEM_PAGE_SIZE - 1)) != page)
        return NULL;
    const struct tlb_entry *e = &cpu->tlb[cpu->cpl == 3][(lin >> MEM_PAGE_SHIFT) & (TLB_SIZE - 1)];
    if ((need == SEG_W ? e->tag_w : e->tag_r) != page || !e->host)
        return NULL;
    return e->host + (lin & (MEM_PAGE_SIZE - 1));
}

/* The least of k and the number of elements from seg:off on, in steps of step, before the
 * page of the first one ends (string_span then checks that they really stay in it). */
static unsigned elems_in_page(const struct cpu *cpu, int seg, uint32_t off, unsigned size,
                              int32_t step, unsigned k)
{
    uint32_t in_page = (cpu->seg[seg].base + off) & (MEM_PAGE_SIZE - 1);
    uint32_t n = step > 0 ? (MEM_PAGE_SIZE - in_page) / size : in_page / size + 1;
    return k < n ? k : n;
}

/* REP MOVS and REP STOS by the run of iterations (at most max) whose accesses all stay within
 * one page of each operand and need no walk, no fault and no bus (string_span): the same bytes
 * written in the same order as element by element, ECX, ESI and EDI as after that many
 * iterations. Returns the iterations done; 0 leaves the next one to the element-by-element
 * loop (a TLB miss, a page boundary, MMIO, code, a watchpoint, a possible #AC). */
static unsigned string_bulk(struct cpu *cpu, const struct insn *in, unsigned kind, unsigned size,
                            int32_t step, int src_seg, unsigned max)
{
    if (cpu->dbg_watch || (cpu->cpl == 3 && (cpu->cr0 & CR0_AM) && (cpu->eflags & FL_AC)))
        return 0;
    uint32_t count = idx_get(cpu, in, R_ECX), di = idx_get(cpu, in, R_EDI);
    unsigned k = count < max ? count : max;
    k = elems_in_page(cpu, SEG_ES, di, size, step, k);
    if (k < 2)
        return 0;
    if (kind == 0xA4) {
        uint32_t si = idx_get(cpu, in, R_ESI);
        k = elems_in_page(cpu, src_seg, si, size, step, k);
        if (k < 2)
            return 0;
        /* the source first, as the loop reads before it writes */
        const uint8_t *src = string_span(cpu, in, src_seg, si, k, size, step, SEG_R);
        uint8_t *dst = src ? string_span(cpu, in, SEG_ES, di, k, size, step, SEG_W) : NULL;
        if (!dst)
            return 0;
        size_t bytes = (size_t)k * size;
        uintptr_t s0 = (uintptr_t)src, d0 = (uintptr_t)dst;
        if (s0 + bytes <= d0 || d0 + bytes <= s0) {
            memcpy(dst, src, bytes);
        } else if (step > 0) { /* overlapping: element by element, as the instruction does */
            for (size_t i = 0; i < bytes; i += size)
                memmove(dst + i, src + i, size);
        } else {
            for (size_t i = bytes; i > 0; i -= size)
                memmove(dst + i - size, src + i - size, size);
        }
        idx_set(cpu, in, R_ESI, si + (uint32_t)step * k);
    } else { /* 0xAA STOS */
        uint8_t *dst = string_span(cpu, in, SEG_ES, di, k, size, step, SEG_W);
        if (!dst)
            return 0;
        uint32_t v = get_reg(cpu, R_EAX, size);
        if (size == 1) {
            memset(dst, (int)v, k);
        } else {
            uint8_t pattern[4];
            for (unsigned i = 0; i < 4; i++)
                pattern[i] = (uint8_t)(v >> (8 * (i % size)));
            for (unsigned i = 0; i < k; i++)
                memcpy(dst + (size_t)i * size, pattern, size);
        }
    }
    idx_set(cpu, in, R_EDI, di + (uint32_t)step * k);
    idx_set(cpu, in, R_ECX, count - k);
    return k;
}

static void op_string(struct cpu *cpu, const struct insn *in)
{
    unsigned size = wsize(in);
    int32_t step = (cpu->eflags & FL_DF) ? -(int32_t)size : (int32_t)size;
    int src_seg = data_seg(in);
    unsigned kind = in->op & 0xFE;   /* A4 MOVS, A6 CMPS, AA STOS, AC LODS, AE SCAS, 6C INS, 6E OUTS */
    bool rep = in->rep != 0;
    bool cmp = kind == 0xA6 || kind == 0xAE;
    unsigned n = 0;

    for (;;) {
        if (rep) {
            if (idx_get(cpu, in, R_ECX) == 0)
                return;
            if (n == REP_CHUNK) {
                cpu->eip = cpu->insn_eip;   /* resume here next time */
                cpu->rep_resumed = true;
                return;
            }
            if (kind == 0xA4 || kind == 0xAA) {
                unsigned k = string_bulk(cpu, in, kind, size, step, src_seg, REP_CHUNK - n);
                if (k) {
                    n += k;
                    continue;
                }
            }
        }
        uint32_t si = idx_get(cpu, in, R_ESI), di = idx_get(cpu, in, R_EDI);
        switch (kind) {
        case 0xA4:
            wr_seg(cpu, SEG_ES, di, rd_seg(cpu, src_seg, si, size), size);
            idx_set(cpu, in, R_ESI, si + (uint32_t)step);
            idx_set(cpu, in, R_EDI, di + (uint32_t)step);
            break;
        case 0xA6: {
            uint32_t a = rd_seg(cpu, src_seg, si, size), b = rd_seg(cpu, SEG_ES, di, size);
            alu(cpu, ALU_CMP, a, b, size);
            idx_set(cpu, in, R_ESI, si + (uint32_t)step);
            idx_set(cpu, in, R_EDI, di + (uint32_t)step);
            break;
        }
        case 0xAA:
            wr_seg(cpu, SEG_ES, di, get_reg(cpu, R_EAX, size), size);
            idx_set(cpu, in, R_EDI, di + (uint32_t)step);
            break;
        case 0xAC:
            set_reg(cpu, R_EAX, rd_seg(cpu, src_seg, si, size), size);
            idx_set(cpu, in, R_ESI, si + (uint32_t)step);
            break;
        case 0xAE:
            alu(cpu, ALU_CMP, get_reg(cpu, R_EAX, size), rd_seg(cpu, SEG_ES, di, size), size);
            idx_set(cpu, in, R_EDI, di + (uint32_t)step);
            break;
        case 0x6C: {
            /* The destination is checked before the port is read, so a fault reads nothing. */
            seg_check(cpu, SEG_ES, di, size, SEG_W);
            uint32_t v = port_in(cpu, (uint16_t)cpu->regs[R_EDX], size);
            wr_seg(cpu, SEG_ES, di, v, size);
            idx_set(cpu, in, R_EDI, di + (uint32_t)step);
            break;
        }
        default: /* 0x6E OUTS */
            port_out(cpu, (uint16_t)cpu->regs[R_EDX], rd_seg(cpu, src_seg, si, size), size);
            idx_set(cpu, in, R_ESI, si + (uint32_t)step);
            break;
        }
        if (!rep)
            return;
        idx_set(cpu, in, R_ECX, idx_get(cpu, in, R_ECX) - 1);
        n++;
        /* REPE/REPZ stops when ZF=0, REPNE/REPNZ when ZF=1 (CMPS and SCAS only). */
        if (cmp && flag_zf(cpu) != (in->rep == 0xF3))
            return;
        if (cmp)
            cpu_commit_flags(cpu);   /* a fault in the next iteration keeps this one's flags */
    }
}

/* ---- bit instructions ---- */

static void op_bt(struct cpu *cpu, const struct insn *in, unsigned op, uint32_t bitoff, bool imm)
{
    unsigned size = osize(in), bits = size * 8;
    uint32_t v, bit;
    if (in->mod == 3) {
        bit = bitoff & (bits - 1);
        v = get_reg(cpu, in->rm, size);
    } else {
        /* A register bit offset addresses memory beyond the operand: signed, in operand-size units
         * (SDM Vol.2 BT, "bit base" and "bit offset"). An immediate offset is taken modulo the size. */
        int32_t disp = 0;
        if (imm) {
            bit = bitoff & (bits - 1);
        } else {
            int32_t so = (int32_t)sext(bitoff, size);
            disp = (so >> (size == 4 ? 5 : 4)) * (int32_t)size;
            bit = (uint32_t)so & (bits - 1);
        }
        uint32_t off = ea_offset(cpu, in) + (uint32_t)disp;
        if (!in->adsize32)
            off &= 0xFFFF;
        v = rd_seg(cpu, in->ea.seg, off, size);
        flags_materialize(cpu);
        set_flag(cpu, FL_CF, (v >> bit) & 1);
        if (op == 0)
            return;
        v = op == 1 ? v | (1u << bit) : op == 2 ? v & ~(1u << bit) : v ^ (1u << bit);
        wr_seg(cpu, in->ea.seg, off, v, size);
        return;
    }
    flags_materialize(cpu);
    set_flag(cpu, FL_CF, (v >> bit) & 1);
    if (op == 0)
        return;
    v = op == 1 ? v | (1u << bit) : op == 2 ? v & ~(1u << bit) : v ^ (1u << bit);
    set_reg(cpu, in->rm, v, size);
}

static void op_bsf_bsr(struct cpu *cpu, const struct insn *in, bool reverse)
{
    unsigned size = osize(in);
    uint32_t v = rm_read(cpu, in, size);
    flags_materialize(cpu);
    if (v == 0) {
        /* Destination undefined when the source is 0; Intel processors leave it unchanged. */
        cpu->eflags |= FL_ZF;
        return;
    }
    cpu->eflags &= ~FL_ZF;
    unsigned idx = reverse ? 31u - (unsigned)__builtin_clz(v) : (unsigned)__builtin_ctz(v);
    set_reg(cpu, in->reg, idx, size);
}

/* ---- stack frame instructions ---- */

static void op_enter(struct cpu *cpu, const struct insn *in)
{
    /* SDM Vol.2 ENTER pseudo-code; the nesting level is taken modulo 32. */
    unsigned size = osize(in);
    uint32_t alloc = in->imm & 0xFFFF, level = in->imm2 & 0x1F;
    uint32_t bp_mask = sp_mask(cpu);
    push(cpu, get_reg(cpu, R_EBP, size), size);
    uint32_t frame = cpu->regs[R_ESP] & bp_mask;
    if (level > 0) {
        uint32_t bp = cpu->regs[R_EBP];
        for (uint32_t i = 1; i < level; i++) {
            bp = (bp & ~bp_mask) | ((bp - size) & bp_mask);
            push(cpu, rd_seg(cpu, SEG_SS, bp & bp_mask, size), size);
        }
        push(cpu, frame, size);
    }
    uint32_t sp = (cpu->regs[R_ESP] - alloc) & bp_mask;
    /* The new stack top must be writable (SDM: #SS if it is outside the stack segment). */
    seg_check(cpu, SEG_SS, sp, 1, SEG_W);
    set_reg(cpu, R_EBP, frame, size);
    set_sp(cpu, sp);
}

static void op_leave(struct cpu *cpu, const struct insn *in)
{
    unsigned size = osize(in);
    uint32_t bp = cpu->regs[R_EBP] & sp_mask(cpu);
    uint32_t v = rd_seg(cpu, SEG_SS, bp, size);
    set_sp(cpu, bp + size);
    set_reg(cpu, R_EBP, v, size);
}

static void op_pusha(struct cpu *cpu, const struct insn *in)
{
    unsigned size = osize(in);
    uint32_t sp0 = cpu->regs[R_ESP];
    for (int r = R_EAX; r <= R_EDI; r++)
        push(cpu, r == R_ESP ? sp0 : cpu->regs[r], size);
}

static void op_popa(struct cpu *cpu, const struct insn *in)
{
    unsigned size = osize(in);
    for (int r = R_EDI; r >= R_EAX; r--) {
        uint32_t v = pop(cpu, size);
        if (r != R_ESP)
            set_reg(cpu, r, v, size);
    }
}

/* ---- flags ---- */

/* POPF (SDM Vol.2 POPF): IOPL changes only at CPL 0 (never in v8086 mode), IF only when
 * CPL <= IOPL; VM, VIP, VIF keep their values and RF is cleared. Real mode runs at CPL 0. */
static void write_flags(struct cpu *cpu, uint32_t v, unsigned size)
{
    uint32_t mask = FL_WRITABLE;
    if ((cpu->cr0 & CR0_PE) && cpu->cpl > 0)
        mask &= ~FL_IOPL;
    if ((cpu->cr0 & CR0_PE) && cpu->cpl > iopl(cpu))
        mask &= ~FL_IF;
    if (size == 2)
        mask &= 0xFFFF;
    cpu_set_eflags(cpu, ((cpu_get_eflags(cpu) & ~mask) | (v & mask)) & ~FL_RF);
}

static void op_int(struct cpu *cpu, int vec, enum int_kind kind)
{
    cpu_interrupt(cpu, vec, kind, cpu->eip, false, 0);
}

/* ---- system instructions available in real mode ---- */

static void op_group7(struct cpu *cpu, const struct insn *in)
{
    switch (in->reg) {
    case 0: case 1: { /* SGDT, SIDT: limit, then base (24 bits with a 16-bit operand on 386+ 
                         processors store all 32: SDM Vol.2 SGDT) */
        struct dtr *t = in->reg ? &cpu->idtr : &cpu->gdtr;
        uint32_t off = ea_offset(cpu, in);
        seg_check(cpu, in->ea.seg, off + 2, 4, SEG_W);
        wr_seg(cpu, in->ea.seg, off, t->limit, 2);
        uint32_t base = in->opsize32 ? t->base : t->base & 0x00FFFFFF;
        wr_seg(cpu, in->ea.seg, off + 2, base, 4);
        return;
    }
    case 2: case 3: { /* LGDT, LIDT: a 16-bit operand loads a 24-bit base */
        require_cpl0(cpu);
        uint16_t limit = (uint16_t)mem_read_at(cpu, in, 0, 2);
        uint32_t base = mem_read_at(cpu, in, 2, 4);
        if (!in->opsize32)
            base &= 0x00FFFFFF;
        struct dtr *t = in->reg == 3 ? &cpu->idtr : &cpu->gdtr;
        t->limit = limit;
        t->base = base;
        return;
    }
    case 4: /* SMSW: a register destination with 32-bit operand size gets all of CR0 */
        if (in->mod == 3)
            set_reg(cpu, in->rm, cpu->cr0, osize(in));
        else
            rm_write(cpu, in, cpu->cr0 & 0xFFFF, 2);
        return;
    case 6: { /* LMSW: loads PE MP EM TS; it cannot clear PE (SDM Vol.2 LMSW) */
        require_cpl0(cpu);
        uint32_t v = rm_read(cpu, in, 2) & 0xF;
        cpu->cr0 = (cpu->cr0 & ~0xEu) | v | (cpu->cr0 & CR0_PE);
        return;
    }
    default: /* 7: INVLPG drops the page's entries, global ones too (SDM Vol.3 4.10.4.1) */
        require_cpl0(cpu);
        tlb_flush_page(cpu, cpu->seg[in->ea.seg].base + ea_offset(cpu, in));
        return;
    }
}

static void op_mov_cr(struct cpu *cpu, const struct insn *in)
{
    bool to_cr = in->op == OP_0F + 0x22;
    if (in->reg == 4 && !cpu->model->has_cpuid)
        cpu_raise(cpu, EXC_UD, 0, false);     /* CR4 arrived with the Pentium (SDM Vol.3 2.5) */
    if (!to_cr) {
        uint32_t v = in->reg == 0 ? cpu->cr0 : in->reg == 2 ? cpu->cr2 : in->reg == 3 ? cpu->cr3 : cpu->cr4;
        cpu->regs[in->rm] = v;
        return;
    }
    uint32_t v = cpu->regs[in->rm];
    switch (in->reg) {
    case 0: {
        /* SDM Vol.3 2.5: PG without PE, or NW without CD, is #GP(0). ET is hard-wired to 1. */
        if (((v & CR0_PG) && !(v & CR0_PE)) || ((v & CR0_NW) && !(v & CR0_CD)))
            cpu_raise(cpu, EXC_GP, 0, true);
        uint32_t changed = cpu->cr0 ^ (v | CR0_ET);
        cpu->cr0 = v | CR0_ET;
        if (!(v & CR0_PE))
            cpu->cpl = 0;          /* back in real mode: privilege 0 (SDM Vol.3 9.9.2) */
        if (changed & (CR0_PG | CR0_WP | CR0_PE))
            cpu_tlb_flush(cpu);    /* SDM Vol.3 4.10.4.1 */
        break;
    }
    case 2: cpu->cr2 = v; break;
    case 3:
        cpu->cr3 = v;
        tlb_flush_nonglobal(cpu);  /* SDM Vol.3 4.10.4.1: MOV to CR3 keeps global pages */
        break;
    default: {
        /* Bits this model does not implement are reserved: #GP(0) (SDM Vol.3 2.5). */
        uint32_t f = cpu->model->features, known = 0;
        known |= (f & CPUID_DE) ? CR4_DE : 0;
        known |= (f & CPUID_PSE) ? CR4_PSE : 0;
        known |= (f & CPUID_TSC) ? CR4_TSD : 0;
        known |= (f & CPUID_PGE) ? CR4_PGE : 0;
        known |= p6_family(cpu) ? CR4_PCE : 0;
        if (v & ~known)
            cpu_raise(cpu, EXC_GP, 0, true);
        uint32_t changed = cpu->cr4 ^ v;
        cpu->cr4 = v;
        if (changed & (CR4_PSE | CR4_PGE))
            cpu_tlb_flush(cpu);
        break;
    }
    }
}

static void op_mov_dr(struct cpu *cpu, const struct insn *in)
{
    unsigned r = in->reg;
    /* DR4/DR5 alias DR6/DR7 unless CR4.DE (SDM Vol.3 18.2.2). */
    if (r == 4 || r == 5) {
        if (cpu->cr4 & 0x8)
            cpu_raise(cpu, EXC_UD, 0, false);
        r += 2;
    }
    if (in->op == OP_0F + 0x21)
        cpu->regs[in->rm] = cpu->dr[r];
    else
        cpu->dr[r] = cpu->regs[in->rm];
}

/* Size in bytes of an x87 instruction's memory operand (SDM Vol.1 8.x, Vol.2 instruction pages):
 * m32/m64/m80 reals, m16/m32/m64 integers, m80 BCD, the 14/28-byte environment and the
 * 94/108-byte state image, m16 control/status words. */
static unsigned fpu_operand_size(const struct insn *in)
{
    unsigned env = in->opsize32 ? 28 : 14, state = in->opsize32 ? 108 : 94;
    switch (in->op) {
    case 0xD8: case 0xDA: return 4;
    case 0xDC: return 8;
    case 0xDE: return 2;
    case 0xD9: return in->reg < 4 ? 4 : (in->reg == 4 || in->reg == 6) ? env : 2;
    case 0xDB: return in->reg < 4 ? 4 : 10;
    case 0xDD: return in->reg < 4 ? 8 : (in->reg == 4 || in->reg == 6) ? state : 2;
    default: return in->reg < 4 ? 2 : (in->reg == 4 || in->reg == 6) ? 10 : 8; /* DF */
    }
}

static void op_fpu_escape(struct cpu *cpu, const struct insn *in)
{
    /* SDM Vol.3 2.5: CR0.EM or CR0.TS make every ESC raise #NM. A model without an FPU still
     * forms the memory operand's address and checks it against the segment limit (the 80286
     * vectors show #GP for an operand that overruns the segment), then does nothing: FPU-detection
     * code relies on FNSTSW leaving its destination unwritten. */
    if (cpu->cr0 & (CR0_EM | CR0_TS))
        cpu_raise(cpu, EXC_NM, 0, false);
    if (cpu->model->features & CPUID_FPU) {
        fpu_exec(cpu, in, in->mod != 3 ? ea_offset(cpu, in) : 0);
        return;
    }
    if (in->mod != 3)
        seg_linear(cpu, in->ea.seg, ea_offset(cpu, in), fpu_operand_size(in));
}

/* ---- P5/P6 system instructions (SDM Vol.2 CPUID, RDTSC, RDMSR, WRMSR, RDPMC, SYSENTER, SYSEXIT) ---- */

static void op_cpuid(struct cpu *cpu)
{
    if (!cpu->model->has_cpuid)
        cpu_raise(cpu, EXC_UD, 0, false);
    /* Leaf 1 is the highest this model reports; Intel processors answer any higher leaf with the
     * highest basic leaf's data (SDM Vol.2 CPUID, "If a value entered for CPUID.EAX is higher
     * than the maximum input value ... the data for the highest basic information leaf"). */
    uint32_t leaf = cpu->regs[R_EAX];
    if (leaf == 0) {
        cpu->regs[R_EAX] = 1;
        cpu->regs[R_EBX] = 0x756E6547; /* "Genu" */
        cpu->regs[R_EDX] = 0x49656E69; /* "ineI" */
        cpu->regs[R_ECX] = 0x6C65746E; /* "ntel" */
        return;
    }
    cpu->regs[R_EAX] = cpu->model->signature;
    cpu->regs[R_EBX] = 0;
    cpu->regs[R_ECX] = 0;
    cpu->regs[R_EDX] = cpu->model->features;
}

static uint64_t tsc_now(const struct cpu *cpu)
{
    /* One tick per retired instruction until the virtual clock lands (issue 6): deterministic. */
    return cpu->icount + cpu->tsc_offset;
}

static void op_rdtsc(struct cpu *cpu)
{
    require_feature(cpu, CPUID_TSC);
    if ((cpu->cr4 & CR4_TSD) && cpu->cpl != 0 && (cpu->cr0 & CR0_PE))
        cpu_raise(cpu, EXC_GP, 0, true);
    uint64_t t = tsc_now(cpu);
    cpu->regs[R_EAX] = (uint32_t)t;
    cpu->regs[R_EDX] = (uint32_t)(t >> 32);
}

enum {
    MSR_TSC = 0x10,
    MSR_APIC_BASE = 0x1B,
    MSR_SYSENTER_CS = 0x174,
    MSR_SYSENTER_ESP = 0x175,
    MSR_SYSENTER_EIP = 0x176,
};

static void op_rdmsr(struct cpu *cpu)
{
    require_feature(cpu, CPUID_MSR);
    require_cpl0(cpu);
    uint64_t v;
    switch (cpu->regs[R_ECX]) {
    case MSR_TSC: v = tsc_now(cpu); break;
    /* No local APIC in this model (CPUID.APIC = 0): the base reads as the default address with
     * the global enable bit (11) clear, BSP bit (8) set (SDM Vol.3 10.4.4). */
    case MSR_APIC_BASE:
        if (!p6_family(cpu))
            cpu_raise(cpu, EXC_GP, 0, true);
        v = 0xFEE00100u;
        break;
    case MSR_SYSENTER_CS: if (!(cpu->model->features & CPUID_SEP)) goto bad; v = cpu->sysenter_cs; break;
    case MSR_SYSENTER_ESP: if (!(cpu->model->features & CPUID_SEP)) goto bad; v = cpu->sysenter_esp; break;
    case MSR_SYSENTER_EIP: if (!(cpu->model->features & CPUID_SEP)) goto bad; v = cpu->sysenter_eip; break;
    default:
    bad:
        /* SDM Vol.2 RDMSR: #GP(0) for a reserved or unimplemented MSR. */
        cpu_raise(cpu, EXC_GP, 0, true);
    }
    cpu->regs[R_EAX] = (uint32_t)v;
    cpu->regs[R_EDX] = (uint32_t)(v >> 32);
}

static void op_wrmsr(struct cpu *cpu)
{
    require_feature(cpu, CPUID_MSR);
    require_cpl0(cpu);
    uint64_t v = (uint64_t)cpu->regs[R_EDX] << 32 | cpu->regs[R_EAX];
    bool sep = cpu->model->features & CPUID_SEP;
    switch (cpu->regs[R_ECX]) {
    case MSR_TSC: cpu->tsc_offset = v - cpu->icount; return;
    case MSR_APIC_BASE:
        /* Enabling an APIC that does not exist is refused. */
        if (!p6_family(cpu) || (v & 0x800))
            cpu_raise(cpu, EXC_GP, 0, true);
        return;
    case MSR_SYSENTER_CS: if (!sep) break; cpu->sysenter_cs = (uint32_t)v; return;
    case MSR_SYSENTER_ESP: if (!sep) break; cpu->sysenter_esp = (uint32_t)v; return;
    case MSR_SYSENTER_EIP: if (!sep) break; cpu->sysenter_eip = (uint32_t)v; return;
    default: break;
    }
    cpu_raise(cpu, EXC_GP, 0, true);
}

static void op_rdpmc(struct cpu *cpu)
{
    /* P6 family: counters 0 and 1; CPL 0, or any CPL with CR4.PCE (SDM Vol.2 RDPMC). Event
     * counting is not modelled: the counters read 0. */
    if (!p6_family(cpu))
        cpu_raise(cpu, EXC_UD, 0, false);
    if ((cpu->cpl != 0 && !(cpu->cr4 & CR4_PCE)) || cpu->regs[R_ECX] > 1)
        cpu_raise(cpu, EXC_GP, 0, true);
    cpu->regs[R_EAX] = cpu->regs[R_EDX] = 0;
}

/* Flat segments SYSENTER/SYSEXIT load, whatever the GDT says (SDM Vol.2 SYSENTER). */
static void load_flat_seg(struct seg *s, uint16_t sel, unsigned dpl, bool code)
{
    s->sel = sel;
    s->base = 0;
    s->limit = 0xFFFFFFFFu;
    s->attr = 0xC000u | 0x90u | (dpl << 5) | (code ? 0x0Bu : 0x03u);
    s->rights = SEG_VALID | SEG_R | (code ? 0 : SEG_W);
}

static void op_sysenter(struct cpu *cpu)
{
    require_feature(cpu, CPUID_SEP);
    if (!(cpu->cr0 & CR0_PE) || (cpu->sysenter_cs & 0xFFFC) == 0)
        cpu_raise(cpu, EXC_GP, 0, true);
    cpu->eflags &= ~(FL_VM | FL_IF | FL_RF);
    uint16_t cs = (uint16_t)(cpu->sysenter_cs & 0xFFFC);
    load_flat_seg(&cpu->seg[SEG_CS], cs, 0, true);
    load_flat_seg(&cpu->seg[SEG_SS], (uint16_t)(cs + 8), 0, false);
    cpu->cpl = 0;
    cpu->regs[R_ESP] = cpu->sysenter_esp;
    cpu->eip = cpu->sysenter_eip;
}

static void op_sysexit(struct cpu *cpu)
{
    require_feature(cpu, CPUID_SEP);
    if (!(cpu->cr0 & CR0_PE) || v86_mode(cpu) || cpu->cpl != 0 || (cpu->sysenter_cs & 0xFFFC) == 0)
        cpu_raise(cpu, EXC_GP, 0, true);
    uint16_t cs = (uint16_t)(cpu->sysenter_cs & 0xFFFC);
    load_flat_seg(&cpu->seg[SEG_CS], (uint16_t)((cs + 16) | 3), 3, true);
    load_flat_seg(&cpu->seg[SEG_SS], (uint16_t)((cs + 24) | 3), 3, false);
    cpu->cpl = 3;
    cpu->regs[R_ESP] = cpu->regs[R_ECX];
    cpu->eip = cpu->regs[R_EDX];
}

/* The access-rights test VERR/VERW/LAR/LSL share (SDM Vol.2 LAR): false for a null or
 * out-of-table selector, or one the current privilege may not see. */
static bool visible_desc(struct cpu *cpu, uint16_t sel, struct desc *d)
{
    if (!(sel & 0xFFFC) || !read_desc(cpu, sel, d))
        return false;
    if (desc_conforming(d))
        return true;
    return desc_dpl(d) >= cpu->cpl && desc_dpl(d) >= (sel & 3u);
}

static void op_group6(struct cpu *cpu, const struct insn *in)
{
    require_pm(cpu);
    struct desc d;
    switch (in->reg) {
    case 0: case 1: { /* SLDT, STR: a register destination gets the zero-extended selector */
        uint16_t sel = in->reg ? cpu->tr.sel : cpu->ldtr.sel;
        if (in->mod == 3)
            set_reg(cpu, in->rm, sel, osize(in));
        else
            rm_write(cpu, in, sel, 2);
        return;
    }
    case 2: require_cpl0(cpu); load_ldtr(cpu, (uint16_t)rm_read(cpu, in, 2)); return;
    case 3: require_cpl0(cpu); load_tr(cpu, (uint16_t)rm_read(cpu, in, 2)); return;
    default: { /* VERR, VERW: ZF = the segment is readable / writable here */
        uint16_t sel = (uint16_t)rm_read(cpu, in, 2);
        bool ok = visible_desc(cpu, sel, &d) && desc_s(&d);
        if (ok && in->reg == 4)
            ok = !desc_code(&d) || (d.hi & 0x200);
        else if (ok)
            ok = !desc_code(&d) && (d.hi & 0x200);
        flags_materialize(cpu);
        set_flag(cpu, FL_ZF, ok);
        return;
    }
    }
}

static void op_lar_lsl(struct cpu *cpu, const struct insn *in, bool lsl)
{
    require_pm(cpu);
    struct desc d;
    uint16_t sel = (uint16_t)rm_read(cpu, in, 2);
    bool ok = visible_desc(cpu, sel, &d);
    if (ok && !desc_s(&d)) {
        /* System types LAR accepts: TSSes, LDT, gates; LSL: only those with a limit (SDM Vol.2 LSL). */
        static const uint16_t lar_ok = 1u << 1 | 1u << 2 | 1u << 3 | 1u << 4 | 1u << 5 | 1u << 9 | 1u << 11 | 1u << 12;
        static const uint16_t lsl_ok = 1u << 1 | 1u << 2 | 1u << 3 | 1u << 9 | 1u << 11;
        ok = ((lsl ? lsl_ok : lar_ok) >> desc_type(&d)) & 1;
    }
    flags_materialize(cpu);
    set_flag(cpu, FL_ZF, ok);
    if (!ok)
        return;
    if (lsl)
        set_reg(cpu, in->reg, desc_limit(&d), osize(in));
    else
        set_reg(cpu, in->reg, d.hi & (in->opsize32 ? 0x00FFFF00u : 0xFF00u), osize(in)); /* bits 19:16 (limit) as the host CPU returns them */
}

static void op_0f(struct cpu *cpu, const struct insn *in)
{
    unsigned b = in->op & 0xFF, size = osize(in);
    if (b >= 0x80 && b <= 0x8F) {
        if (cond_true(cpu, b & 0xF))
            jump_near(cpu, cpu->eip + (in->opsize32 ? in->imm : sext(in->imm, 2)), size);
        return;
    }
    if (b >= 0x90 && b <= 0x9F) {
        rm_write(cpu, in, cond_true(cpu, b & 0xF), 1);
        return;
    }
    if (b >= 0x40 && b <= 0x4F) {
        require_feature(cpu, CPUID_CMOV);
        uint32_t v = rm_read(cpu, in, size);   /* the source is read whatever the condition */
        if (cond_true(cpu, b & 0xF))
            set_reg(cpu, in->reg, v, size);
        return;
    }
    if (b >= 0xC8) { /* BSWAP; with a 16-bit operand the result is undefined: Intel clears it */
        uint32_t v = cpu->regs[b & 7];
        if (size == 4)
            cpu->regs[b & 7] = __builtin_bswap32(v);
        else
            set_reg(cpu, b & 7, 0, 2);
        return;
    }
    switch (b) {
    case 0x00: op_group6(cpu, in); return;
    case 0x02: case 0x03: op_lar_lsl(cpu, in, b == 0x03); return;
    case 0x01: op_group7(cpu, in); return;
    case 0x06: require_cpl0(cpu); cpu->cr0 &= ~CR0_TS; return;      /* CLTS */
    case 0x08: case 0x09: require_cpl0(cpu); return; /* INVD, WBINVD: no caches modelled */
    case 0x18: case 0x19: case 0x1A: case 0x1B: case 0x1C: case 0x1D: case 0x1E: case 0x1F:
        return;                                  /* hint NOPs (SDM Vol.2 NOP: 0F 1F /0) */
    case 0x20: case 0x22: require_cpl0(cpu); op_mov_cr(cpu, in); return;
    case 0x21: case 0x23: require_cpl0(cpu); op_mov_dr(cpu, in); return;
    case 0xA0: case 0xA8: push(cpu, cpu->seg[b == 0xA0 ? SEG_FS : SEG_GS].sel, size); return;
    case 0xA1: case 0xA9: {
        uint32_t sp = stack_off(cpu, 0);
        uint16_t sel = (uint16_t)rd_seg(cpu, SEG_SS, sp, 2);
        seg_load(cpu, b == 0xA1 ? SEG_FS : SEG_GS, sel);
        set_sp(cpu, sp + size);
        return;
    }
    case 0xA3: op_bt(cpu, in, 0, get_reg(cpu, in->reg, size), false); return;
    case 0xAB: op_bt(cpu, in, 1, get_reg(cpu, in->reg, size), false); return;
    case 0xB3: op_bt(cpu, in, 2, get_reg(cpu, in->reg, size), false); return;
    case 0xBB: op_bt(cpu, in, 3, get_reg(cpu, in->reg, size), false); return;
    case 0xBA: op_bt(cpu, in, in->reg - 4, in->imm, true); return;
    case 0xA4: case 0xA5: case 0xAC: case 0xAD: op_shld_shrd(cpu, in); return;
    case 0xAF: op_imul_3(cpu, in, get_reg(cpu, in->reg, size)); return;
    case 0xB0: case 0xB1: { /* CMPXCHG: the destination is written in both cases (SDM Vol.2) */
        unsigned sz = b == 0xB0 ? 1 : size;
        uint32_t dst = rm_read(cpu, in, sz), acc = get_reg(cpu, R_EAX, sz);
        alu(cpu, ALU_CMP, acc, dst, sz);
        if (acc == dst) {
            rm_write(cpu, in, get_reg(cpu, in->reg, sz), sz);
        } else {
            rm_write(cpu, in, dst, sz);
            set_reg(cpu, R_EAX, dst, sz);
        }
        return;
    }
    case 0xB2: case 0xB4: case 0xB5: {
        uint32_t off = mem_read_at(cpu, in, 0, size);
        uint16_t sel = (uint16_t)mem_read_at(cpu, in, size, 2);
        seg_load(cpu, b == 0xB2 ? SEG_SS : b == 0xB4 ? SEG_FS : SEG_GS, sel);
        set_reg(cpu, in->reg, off, size);
        return;
    }
    case 0xB6: case 0xB7: case 0xBE: case 0xBF: {
        unsigned src = (b & 1) ? 2 : 1;
        uint32_t v = rm_read(cpu, in, src);
        set_reg(cpu, in->reg, b >= 0xBE ? sext(v, src) : v, size);
        return;
    }
    case 0xBC: op_bsf_bsr(cpu, in, false); return;
    case 0xBD: op_bsf_bsr(cpu, in, true); return;
    case 0xC0: case 0xC1: { /* XADD */
        unsigned sz = b == 0xC0 ? 1 : size;
        uint32_t dst = rm_read(cpu, in, sz), src = get_reg(cpu, in->reg, sz);
        uint32_t sum = alu(cpu, ALU_ADD, dst, src, sz);
        if (in->mod == 3) {
            /* SRC <- DEST, then DEST <- TEMP: with one register for both, the sum wins. */
            set_reg(cpu, in->reg, dst, sz);
            rm_write(cpu, in, sum, sz);
        } else {
            /* Memory first: the address may use the source register (xadd [ebx], ebx), and a
             * faulting write must leave the register unchanged. */
            rm_write(cpu, in, sum, sz);
            set_reg(cpu, in->reg, dst, sz);
        }
        return;
    }
    case 0xC7: { /* CMPXCHG8B m64 */
        require_feature(cpu, CPUID_CX8);
        uint32_t lo = mem_read_at(cpu, in, 0, 4), hi = mem_read_at(cpu, in, 4, 4);
        flags_materialize(cpu);
        uint32_t off = ea_offset(cpu, in);
        if (lo == cpu->regs[R_EAX] && hi == cpu->regs[R_EDX]) {
            wr_seg(cpu, in->ea.seg, off, cpu->regs[R_EBX], 4);
            wr_seg(cpu, in->ea.seg, off + 4, cpu->regs[R_ECX], 4);
            cpu->eflags |= FL_ZF;
        } else {
            wr_seg(cpu, in->ea.seg, off, lo, 4);
            wr_seg(cpu, in->ea.seg, off + 4, hi, 4);
            cpu->regs[R_EAX] = lo;
            cpu->regs[R_EDX] = hi;
            cpu->eflags &= ~FL_ZF;
        }
        return;
    }
    case 0x30: op_wrmsr(cpu); return;
    case 0x31: op_rdtsc(cpu); return;
    case 0x32: op_rdmsr(cpu); return;
    case 0x33: op_rdpmc(cpu); return;
    case 0x34: op_sysenter(cpu); return;
    case 0x35: op_sysexit(cpu); return;
    case 0xA2: op_cpuid(cpu); return;
    default:
        cpu_raise(cpu, EXC_UD, 0, false);
    }
}

void interp_exec(struct cpu *cpu, const struct insn *in)
{
    unsigned op = in->op, size = osize(in);
    if (op >= OP_0F) {
        op_0f(cpu, in);
        return;
    }
    if (op < 0x40 && (op & 7) < 6) {
        if ((op & 7) < 4)
            op_alu_rm(cpu, in);
        else
            op_alu_acc_imm(cpu, in);
        return;
    }
    if (op >= 0x70 && op <= 0x7F) {
        if (cond_true(cpu, op & 0xF))
            jump_near(cpu, cpu->eip + sext(in->imm, 1), size);
        return;
    }
    if (op >= 0xD8 && op <= 0xDF) {
        op_fpu_escape(cpu, in);
        return;
    }
    switch (op) {
    /* PUSH/POP of segment registers (0F 00-3F rows) */
    case 0x06: case 0x0E: case 0x16: case 0x1E:
        push(cpu, cpu->seg[op >> 3].sel, size);
        return;
    case 0x07: case 0x17: case 0x1F: {
        uint32_t sp = stack_off(cpu, 0);
        uint16_t sel = (uint16_t)rd_seg(cpu, SEG_SS, sp, 2);
        seg_load(cpu, op >> 3, sel);
        set_sp(cpu, sp + size);
        if (op == 0x17)
            cpu->inhibit_irq = cpu->ss_shadow = true;   /* SDM Vol.3 6.8.3: POP SS shadow */
        return;
    }
    case 0x0F: /* POP CS does not exist on the 286 and later: the decoder maps 0F to the 0F table */
        cpu_raise(cpu, EXC_UD, 0, false);
    case 0x27: op_daa_das(cpu, false); return;
    case 0x2F: op_daa_das(cpu, true); return;
    case 0x37: op_aaa_aas(cpu, false); return;
    case 0x3F: op_aaa_aas(cpu, true); return;
    case 0x40: case 0x41: case 0x42: case 0x43: case 0x44: case 0x45: case 0x46: case 0x47:
    case 0x48: case 0x49: case 0x4A: case 0x4B: case 0x4C: case 0x4D: case 0x4E: case 0x4F:
        set_reg(cpu, op & 7, inc_dec(cpu, get_reg(cpu, op & 7, size), op >= 0x48, size), size);
        return;
    case 0x50: case 0x51: case 0x52: case 0x53: case 0x54: case 0x55: case 0x56: case 0x57:
        /* PUSH SP pushes the value before the push on the 286 and later (SDM Vol.2 PUSH). */
        push(cpu, get_reg(cpu, op & 7, size), size);
        return;
    case 0x58: case 0x59: case 0x5A: case 0x5B: case 0x5C: case 0x5D: case 0x5E: case 0x5F: {
        uint32_t v = pop(cpu, size);
        set_reg(cpu, op & 7, v, size);   /* POP SP: the popped value wins over the increment */
        return;
    }
    case 0x60: op_pusha(cpu, in); return;
    case 0x61: op_popa(cpu, in); return;
    case 0x62: { /* BOUND: #BR when the index is outside [lower, upper] (signed) */
        int32_t idx = (int32_t)sext(get_reg(cpu, in->reg, size), size);
        int32_t lo = (int32_t)sext(mem_read_at(cpu, in, 0, size), size);
        int32_t hi = (int32_t)sext(mem_read_at(cpu, in, size, size), size);
        if (idx < lo || idx > hi)
            cpu_raise(cpu, EXC_BR, 0, false);
        return;
    }
    case 0x63: { /* ARPL: raise the destination's RPL to the source's (SDM Vol.2 ARPL) */
        require_pm(cpu);
        uint32_t dst = rm_read(cpu, in, 2), src = get_reg(cpu, in->reg, 2);
        flags_materialize(cpu);
        if ((dst & 3) < (src & 3)) {
            rm_write(cpu, in, (dst & ~3u) | (src & 3), 2);
            cpu->eflags |= FL_ZF;
        } else {
            cpu->eflags &= ~FL_ZF;
        }
        return;
    }
    case 0x68: push(cpu, in->imm, size); return;
    case 0x6A: push(cpu, sext(in->imm, 1), size); return;
    case 0x69: op_imul_3(cpu, in, in->imm); return;
    case 0x6B: op_imul_3(cpu, in, sext(in->imm, 1)); return;
    case 0x6C: case 0x6D: case 0x6E: case 0x6F:
    case 0xA4: case 0xA5: case 0xA6: case 0xA7:
    case 0xAA: case 0xAB: case 0xAC: case 0xAD: case 0xAE: case 0xAF:
        op_string(cpu, in);
        return;
    case 0x80: case 0x81: case 0x82: case 0x83: op_group1(cpu, in); return;
    case 0x84: case 0x85: {
        unsigned sz = wsize(in);
        alu(cpu, ALU_AND, rm_read(cpu, in, sz), get_reg(cpu, in->reg, sz), sz);
        return;
    }
    case 0x86: case 0x87: {
        unsigned sz = wsize(in);
        uint32_t a = rm_read(cpu, in, sz), b = get_reg(cpu, in->reg, sz);
        rm_write(cpu, in, b, sz);
        set_reg(cpu, in->reg, a, sz);
        return;
    }
    case 0x88: case 0x89: rm_write(cpu, in, get_reg(cpu, in->reg, wsize(in)), wsize(in)); return;
    case 0x8A: case 0x8B: set_reg(cpu, in->reg, rm_read(cpu, in, wsize(in)), wsize(in)); return;
    case 0x8C: /* MOV r/m, Sreg: a register destination gets the zero-extended selector */
        if (in->mod == 3)
            set_reg(cpu, in->rm, cpu->seg[in->reg].sel, size);
        else
            rm_write(cpu, in, cpu->seg[in->reg].sel, 2);
        return;
    case 0x8D: set_reg(cpu, in->reg, ea_offset(cpu, in), size); return;
    case 0x8E:
        seg_load(cpu, in->reg, (uint16_t)rm_read(cpu, in, 2));
        if (in->reg == SEG_SS)
            cpu->inhibit_irq = cpu->ss_shadow = true;   /* SDM Vol.3 6.8.3: MOV SS shadow */
        return;
    case 0x8F: { /* POP r/m: ESP is incremented before the destination address is computed */
        uint32_t sp = stack_off(cpu, 0);
        uint32_t v = rd_seg(cpu, SEG_SS, sp, size);
        uint32_t old_esp = cpu->regs[R_ESP];
        set_sp(cpu, sp + size);
        if (in->mod == 3) {
            set_reg(cpu, in->rm, v, size);
        } else {
            uint32_t off = ea_offset(cpu, in);
            cpu->regs[R_ESP] = old_esp;        /* a faulting write leaves ESP untouched */
            wr_seg(cpu, in->ea.seg, off, v, size);
            set_sp(cpu, sp + size);
        }
        return;
    }
    case 0x90: return;                         /* NOP, PAUSE */
    case 0x91: case 0x92: case 0x93: case 0x94: case 0x95: case 0x96: case 0x97: {
        uint32_t a = get_reg(cpu, R_EAX, size);
        set_reg(cpu, R_EAX, get_reg(cpu, op & 7, size), size);
        set_reg(cpu, op & 7, a, size);
        return;
    }
    case 0x98: /* CBW / CWDE */
        set_reg(cpu, R_EAX, sext(get_reg(cpu, R_EAX, size / 2), size / 2), size);
        return;
    case 0x99: /* CWD / CDQ */
        set_reg(cpu, R_EDX, (get_reg(cpu, R_EAX, size) & sign_of(size)) ? 0xFFFFFFFFu : 0, size);
        return;
    case 0x9A: /* CALL ptr16:16/32 */
        far_call(cpu, (uint16_t)in->imm2, in->imm, size);
        return;
    case 0x9B: /* WAIT: #NM when CR0.MP and CR0.TS are both set (SDM Vol.3 2.5), then #MF if an
                  unmasked x87 exception is pending */
        if ((cpu->cr0 & (CR0_MP | CR0_TS)) == (CR0_MP | CR0_TS))
            cpu_raise(cpu, EXC_NM, 0, false);
        if (cpu->model->features & CPUID_FPU)
            (void)fpu_check_pending(cpu);   /* false: EIP stays on the WAIT, which waits */
        return;
    case 0x9C: /* PUSHF: VM and RF are not pushed (SDM Vol.2 PUSHF) */
        require_v86_iopl3(cpu);
        push(cpu, cpu_get_eflags(cpu) & ~(FL_VM | FL_RF), size);
        return;
    case 0x9D: {
        require_v86_iopl3(cpu);
        uint32_t v = pop(cpu, size);
        write_flags(cpu, v, size);
        return;
    }
    case 0x9E: { /* SAHF: SF ZF AF PF CF from AH */
        uint32_t ah = (cpu->regs[R_EAX] >> 8) & 0xFF;
        uint32_t m = FL_SF | FL_ZF | FL_AF | FL_PF | FL_CF;
        cpu_set_eflags(cpu, (cpu_get_eflags(cpu) & ~m) | (ah & m));
        return;
    }
    case 0x9F: set_reg(cpu, 4, cpu_get_eflags(cpu) & 0xFF, 1); return;    /* LAHF */
    case 0xA0: case 0xA1:
        set_reg(cpu, R_EAX, rd_seg(cpu, data_seg(in), in->disp, wsize(in)), wsize(in));
        return;
    case 0xA2: case 0xA3:
        wr_seg(cpu, data_seg(in), in->disp, get_reg(cpu, R_EAX, wsize(in)), wsize(in));
        return;
    case 0xA8: case 0xA9:
        alu(cpu, ALU_AND, get_reg(cpu, R_EAX, wsize(in)), in->imm, wsize(in));
        return;
    case 0xB0: case 0xB1: case 0xB2: case 0xB3: case 0xB4: case 0xB5: case 0xB6: case 0xB7:
        set_reg(cpu, op & 7, in->imm, 1);
        return;
    case 0xB8: case 0xB9: case 0xBA: case 0xBB: case 0xBC: case 0xBD: case 0xBE: case 0xBF:
        set_reg(cpu, op & 7, in->imm, size);
        return;
    case 0xC0: case 0xC1: case 0xD0: case 0xD1: case 0xD2: case 0xD3:
        op_group2(cpu, in);
        return;
    case 0xC2: case 0xC3: { /* RET near [imm16] */
        uint32_t sp = stack_off(cpu, 0);
        uint32_t target = rd_seg(cpu, SEG_SS, sp, size);
        jump_near(cpu, target, size);
        set_sp(cpu, sp + size + (op == 0xC2 ? in->imm : 0));
        return;
    }
    case 0xC4: case 0xC5: {
        uint32_t off = mem_read_at(cpu, in, 0, size);
        uint16_t sel = (uint16_t)mem_read_at(cpu, in, size, 2);
        seg_load(cpu, op == 0xC4 ? SEG_ES : SEG_DS, sel);
        set_reg(cpu, in->reg, off, size);
        return;
    }
    case 0xC6: case 0xC7: rm_write(cpu, in, in->imm, wsize(in)); return;
    case 0xC8: op_enter(cpu, in); return;
    case 0xC9: op_leave(cpu, in); return;
    case 0xCA: case 0xCB: /* RETF [imm16] */
        far_return(cpu, size, op == 0xCA ? in->imm : 0);
        return;
    case 0xCC: op_int(cpu, EXC_BP, INT_SOFT); return;
    case 0xCD: op_int(cpu, (int)in->imm, INT_SOFT); return;
    case 0xCE:
        if (flag_of(cpu))
            op_int(cpu, EXC_OF, INT_SOFT);
        return;
    case 0xCF:
        require_v86_iopl3(cpu);
        op_iret(cpu, size);
        return;
    case 0xD4: op_aam(cpu, (uint8_t)in->imm); return;
    case 0xD5: op_aad(cpu, (uint8_t)in->imm); return;
    case 0xD6: set_reg(cpu, R_EAX, flag_cf(cpu) ? 0xFF : 0, 1); return;     /* SALC */
    case 0xD7: { /* XLAT */
        uint32_t off = (cpu->regs[R_EBX] + (cpu->regs[R_EAX] & 0xFF)) & count_mask(in);
        set_reg(cpu, R_EAX, rd_seg(cpu, data_seg(in), off, 1), 1);
        return;
    }
    case 0xE0: case 0xE1: case 0xE2: { /* LOOPNE, LOOPE, LOOP: count register by address size */
        uint32_t c = idx_get(cpu, in, R_ECX) - 1;
        bool go = (c & count_mask(in)) != 0;
        if (op == 0xE0)
            go = go && !flag_zf(cpu);
        else if (op == 0xE1)
            go = go && flag_zf(cpu);
        /* A target beyond the CS limit faults with the count as it was (measured on the host
         * CPU, tests/roms/seglimit.asm; SDM Vol.3 6.5), though the SDM's pseudocode decrements
         * first: the jump's check comes before the count is written. */
        if (go)
            jump_near(cpu, cpu->eip + sext(in->imm, 1), size);
        idx_set(cpu, in, R_ECX, c);
        return;
    }
    case 0xE3:
        if (idx_get(cpu, in, R_ECX) == 0)
            jump_near(cpu, cpu->eip + sext(in->imm, 1), size);
        return;
    case 0xE4: case 0xE5:
        set_reg(cpu, R_EAX, port_in(cpu, (uint16_t)in->imm, wsize(in)), wsize(in));
        return;
    case 0xE6: case 0xE7:
        port_out(cpu, (uint16_t)in->imm, get_reg(cpu, R_EAX, wsize(in)), wsize(in));
        return;
    case 0xEC: case 0xED:
        set_reg(cpu, R_EAX, port_in(cpu, (uint16_t)cpu->regs[R_EDX], wsize(in)), wsize(in));
        return;
    case 0xEE: case 0xEF:
        port_out(cpu, (uint16_t)cpu->regs[R_EDX], get_reg(cpu, R_EAX, wsize(in)), wsize(in));
        return;
    case 0xE8: { /* CALL rel: the target is checked before anything is pushed */
        uint32_t target = cpu->eip + in->imm;
        if (size == 2)
            target &= 0xFFFF;
        if (target > cpu->seg[SEG_CS].limit)
            cpu_raise(cpu, EXC_GP, 0, true);
        push(cpu, cpu->eip, size);
        cpu->eip = target;
        return;
    }
    case 0xE9: jump_near(cpu, cpu->eip + (size == 4 ? in->imm : sext(in->imm, 2)), size); return;
    case 0xEA: far_jump(cpu, (uint16_t)in->imm2, in->imm, size); return;
    case 0xEB: jump_near(cpu, cpu->eip + sext(in->imm, 1), size); return;
    case 0xF1: op_int(cpu, EXC_DB, INT_EXC); return;    /* INT1 / ICEBP: no gate DPL check */
    case 0xF4: require_cpl0(cpu); cpu->halted = true; return;
    case 0xF5: flags_materialize(cpu); cpu->eflags ^= FL_CF; return;
    case 0xF6: case 0xF7: op_group3(cpu, in); return;
    case 0xF8: flags_materialize(cpu); cpu->eflags &= ~FL_CF; return;
    case 0xF9: flags_materialize(cpu); cpu->eflags |= FL_CF; return;
    case 0xFA: require_iopl(cpu); cpu->eflags &= ~FL_IF; return;
    case 0xFB: /* STI: interrupts stay blocked until after the next instruction */
        require_iopl(cpu);
        if (!(cpu->eflags & FL_IF))
            cpu->inhibit_irq = true;
        cpu->eflags |= FL_IF;
        return;
    case 0xFC: cpu->eflags &= ~FL_DF; return;
    case 0xFD: cpu->eflags |= FL_DF; return;
    case 0xFE: case 0xFF: {
        unsigned sz = wsize(in);
        switch (in->reg) {
        case 0: case 1:
            rm_write(cpu, in, inc_dec(cpu, rm_read(cpu, in, sz), in->reg == 1, sz), sz);
            return;
        case 2: { /* CALL r/m */
            uint32_t target = rm_read(cpu, in, size);
            uint32_t ret = cpu->eip;
            jump_near(cpu, target, size);
            uint32_t new_eip = cpu->eip;
            cpu->eip = ret;
            push(cpu, ret, size);
            cpu->eip = new_eip;
            return;
        }
        case 3: { /* CALL m16:16/32 */
            uint32_t off = mem_read_at(cpu, in, 0, size);
            uint16_t sel = (uint16_t)mem_read_at(cpu, in, size, 2);
            far_call(cpu, sel, off, size);
            return;
        }
        case 4: jump_near(cpu, rm_read(cpu, in, size), size); return;
        case 5: {
            uint32_t off = mem_read_at(cpu, in, 0, size);
            uint16_t sel = (uint16_t)mem_read_at(cpu, in, size, 2);
            far_jump(cpu, sel, off, size);
            return;
        }
        default: /* 6: PUSH r/m */
            push(cpu, rm_read(cpu, in, size), size);
            return;
        }
    }
    default:
        cpu_raise(cpu, EXC_UD, 0, false);
    }
}
