/* The x87 instruction layer. Arithmetic is float80's; this file owns the register stack, tags,
 * the status and control words, exception reporting and the memory formats (SDM Vol.1 8.1-8.6;
 * FSAVE/FSTENV images: SDM Vol.1 8.1.10, figures 8-9 to 8-12). */
#include "fpu.h"

#include <string.h>

#include "access.h"
#include "mmu.h"

#define SW_IE 0x0001u
#define SW_SF 0x0040u
#define SW_ES 0x0080u
#define SW_C0 0x0100u
#define SW_C1 0x0200u
#define SW_C2 0x0400u
#define SW_C3 0x4000u
#define SW_B 0x8000u
#define SW_CC (SW_C0 | SW_C1 | SW_C2 | SW_C3)

#define TAG_VALID 0u
#define TAG_ZERO 1u
#define TAG_SPECIAL 2u
#define TAG_EMPTY 3u

static const struct f80 INDEFINITE = {0xC000000000000000ull, 0xFFFF};

void fpu_init(struct fpu *f)
{
    f->cw = 0x037F;
    f->sw = 0;
    f->top = 0;
    f->tw = 0xFFFF;
    f->fop = 0;
    f->fip = f->fdp = 0;
    f->fcs = f->fds = 0;
}

void fpu_power_on(struct fpu *f)
{
    fpu_init(f);
    f->cw = 0x0040;
    f->tw = 0x5555;
    memset(f->st, 0, sizeof(f->st));
}

static unsigned reg_of(const struct fpu *f, unsigned i) { return (f->top + i) & 7; }

static unsigned tag_of(struct f80 v)
{
    unsigned e = v.se & 0x7FFF;
    if (e == 0)
        return v.m == 0 ? TAG_ZERO : TAG_SPECIAL;            /* zero, or (pseudo-)denormal */
    if (e == 0x7FFF || !(v.m >> 63))
        return TAG_SPECIAL;                                   /* inf, NaN, unnormal */
    return TAG_VALID;
}

static bool is_empty(const struct fpu *f, unsigned i)
{
    return ((f->tw >> (2 * reg_of(f, i))) & 3) == TAG_EMPTY;
}

static void set_tag(struct fpu *f, unsigned r, unsigned tag)
{
    f->tw = (uint16_t)((f->tw & ~(3u << (2 * r))) | (tag << (2 * r)));
}

static struct f80 st(const struct fpu *f, unsigned i) { return f->st[reg_of(f, i)]; }

static void set_st(struct fpu *f, unsigned i, struct f80 v)
{
    unsigned r = reg_of(f, i);
    f->st[r] = v;
    set_tag(f, r, tag_of(v));
}

static void fpop(struct fpu *f)
{
    set_tag(f, reg_of(f, 0), TAG_EMPTY);
    f->top = (f->top + 1) & 7;
}

static struct f80_ctx ctx_of(const struct fpu *f)
{
    return (struct f80_ctx){.rc = (f->cw >> 10) & 3, .pc = (f->cw >> 8) & 3, .masks = f->cw & 0x3F};
}

static void update_es(struct fpu *f)
{
    if (f->sw & ~f->cw & 0x3F)
        f->sw |= SW_ES | SW_B;
}

/* ORs an operation's exception flags into the FSW and sets C1 from the rounding. Returns true
 * when the destination may be written: an unmasked IE, DE or ZE leaves it unchanged (SDM Vol.1
 * 8.5: "the destination operand is not changed"). */
static bool commit(struct fpu *f, const struct f80_ctx *c)
{
    f->sw = (uint16_t)((f->sw & ~SW_C1) | c->flags | (c->c1 ? SW_C1 : 0));
    update_es(f);
    return !(c->flags & ~c->masks & (F80_IE | F80_DE | F80_ZE));
}

/* Stack fault (SDM Vol.1 8.5.1.1): IE and SF, C1 = 1 for overflow, 0 for underflow. Returns true
 * when IE is masked, i.e. the masked response (QNaN indefinite) goes ahead. */
static bool stack_fault(struct fpu *f, bool overflow)
{
    f->sw = (uint16_t)((f->sw & ~SW_C1) | SW_IE | SW_SF | (overflow ? SW_C1 : 0));
    update_es(f);
    return (f->cw & SW_IE) != 0;
}

/* Pushes v (FLD and friends), or the indefinite on stack overflow if IE is masked. */
static void fpush(struct fpu *f, struct f80 v)
{
    if (!is_empty(f, 7)) {
        if (!stack_fault(f, true))
            return;
        v = INDEFINITE;
    }
    f->top = (f->top - 1) & 7;
    set_st(f, 0, v);
}

bool fpu_check_pending(struct cpu *cpu)
{
    if (!(cpu->fpu.sw & SW_ES)) {
        if (cpu->ferr_asserted) {
            cpu->ferr_asserted = false;
            cpu->ignne = false;
            cpu->ferr(cpu->ferr_opaque, false);
        }
        return true;
    }
    if (cpu->cr0 & CR0_NE)
        cpu_raise(cpu, EXC_MF, 0, false);
    if (!cpu->ferr)
        return true;
    if (!cpu->ferr_asserted) {
        cpu->ferr_asserted = true;
        cpu->ferr(cpu->ferr_opaque, true);
    }
    if (cpu->ignne)
        return true;
    cpu->eip = cpu->insn_eip;    /* frozen until the IRQ13 handler deals with the error */
    return false;
}

/* ---- memory ---- */

static uint32_t mrd(struct cpu *cpu, const struct insn *in, uint32_t off, unsigned size)
{
    return rd_seg(cpu, in->ea.seg, off, size);
}

/* Checks that size bytes at off can be written (segment and both ends' pages) before any byte
 * is, so a fault leaves memory as it was. */
static void probe_write(struct cpu *cpu, const struct insn *in, uint32_t off, unsigned size)
{
    uint32_t lin = seg_check(cpu, in->ea.seg, off, size, SEG_W);
    bool user = cpu->cpl == 3;
    tlb_lookup(cpu, lin, ACC_WRITE, user);
    tlb_lookup(cpu, lin + size - 1, ACC_WRITE, user);
}

static void mwr(struct cpu *cpu, const struct insn *in, uint32_t off, uint32_t v, unsigned size)
{
    wr_seg(cpu, in->ea.seg, off, v, size);
}

static struct f80 read_f80(struct cpu *cpu, const struct insn *in, uint32_t off)
{
    struct f80 v;
    v.m = mrd(cpu, in, off, 4) | (uint64_t)mrd(cpu, in, off + 4, 4) << 32;
    v.se = (uint16_t)mrd(cpu, in, off + 8, 2);
    return v;
}

static void write_f80(struct cpu *cpu, const struct insn *in, uint32_t off, struct f80 v)
{
    probe_write(cpu, in, off, 10);
    mwr(cpu, in, off, (uint32_t)v.m, 4);
    mwr(cpu, in, off + 4, (uint32_t)(v.m >> 32), 4);
    mwr(cpu, in, off + 8, v.se, 2);
}

/* Loads a memory operand of the arithmetic group: m32real (D8), m32int (DA), m64real (DC),
 * m16int (DE). */
static struct f80 load_arith_operand(struct cpu *cpu, const struct insn *in, uint32_t off, struct f80_ctx *c)
{
    switch (in->op) {
    case 0xD8: return f80_from_f32(mrd(cpu, in, off, 4), c);
    case 0xDA: return f80_from_i64((int32_t)mrd(cpu, in, off, 4));
    case 0xDC: return f80_from_f64(mrd(cpu, in, off, 4) | (uint64_t)mrd(cpu, in, off + 4, 4) << 32, c);
    default: return f80_from_i64((int16_t)mrd(cpu, in, off, 2));
    }
}

/* ---- arithmetic ---- */

/* op: 0 ADD 1 MUL 2 COM 3 COMP 4 SUB 5 SUBR 6 DIV 7 DIVR, computing dst = a op b. */
static struct f80 arith(unsigned op, struct f80 a, struct f80 b, struct f80_ctx *c)
{
    switch (op) {
    case 0: return f80_add(a, b, c);
    case 1: return f80_mul(a, b, c);
    case 4: return f80_sub(a, b, c);
    case 5: return f80_sub(b, a, c);
    case 6: return f80_div(a, b, c);
    default: return f80_div(b, a, c);
    }
}

static void set_cc(struct fpu *f, uint16_t cc)
{
    f->sw = (uint16_t)((f->sw & ~SW_CC) | cc);
}

/* FCOM/FUCOM family: compares ST0 with b, sets C3 C2 C0, clears C1. */
static void compare(struct fpu *f, struct f80 b, bool quiet, unsigned pops)
{
    struct f80_ctx c = ctx_of(f);
    uint16_t cc = f80_compare(st(f, 0), b, quiet, &c);
    bool ok = commit(f, &c);
    set_cc(f, cc);          /* with an unmasked IE the codes still say "unordered" */
    f->sw &= ~SW_C1;
    /* an unmasked IE leaves TOP unchanged: FCOMP/FCOMPP do not pop (SDM Vol.1 8.5.1; the
     * host x87 gives FSW FD81h for FCOMP of a QNaN m32 with IM=0: unordered, no pop) */
    while (ok && pops--)
        fpop(f);
}

/* FCOMI/FUCOMI: the result goes to ZF PF CF (SDM Vol.2 FCOMI). */
static void compare_eflags(struct cpu *cpu, unsigned i, bool quiet, bool popit)
{
    struct fpu *f = &cpu->fpu;
    if (is_empty(f, 0) || is_empty(f, i)) {
        if (!stack_fault(f, false))
            return;                                   /* unmasked: no flags, no pop */
        cpu_set_eflags(cpu, (cpu_get_eflags(cpu) & ~(FL_OF | FL_SF | FL_AF)) | FL_ZF | FL_PF | FL_CF);
    } else {
        struct f80_ctx c = ctx_of(f);
        uint16_t cc = f80_compare(st(f, 0), st(f, i), quiet, &c);
        f->sw &= ~SW_C1;
        bool ok = commit(f, &c);
        popit = popit && ok;    /* unmasked IE: EFLAGS say unordered, no pop (as FCOMP) */
        if (ok || (c.flags & F80_IE)) {
            uint32_t fl = cpu_get_eflags(cpu) & ~(FL_ZF | FL_PF | FL_CF | FL_OF | FL_SF | FL_AF);
            if (cc & SW_C3) fl |= FL_ZF;
            if (cc & SW_C2) fl |= FL_PF;
            if (cc & SW_C0) fl |= FL_CF;
            cpu_set_eflags(cpu, fl);
        }
    }
    if (popit)
        fpop(f);
}

/* ---- environment and state images ---- */

/* FSTENV/FNSAVE layout (SDM Vol.1 figures 8-9..8-12): 16-bit or 32-bit, real or protected. */
static void store_env(struct cpu *cpu, const struct insn *in, uint32_t off)
{
    struct fpu *f = &cpu->fpu;
    bool o32 = in->opsize32, pm = (cpu->cr0 & CR0_PE) && !(cpu->eflags & FL_VM);
    unsigned w = o32 ? 4 : 2;
    uint16_t sw = (uint16_t)((f->sw & ~0x3800u) | (f->top << 11));
    probe_write(cpu, in, off, o32 ? 28 : 14);
    mwr(cpu, in, off + 0 * w, f->cw | (o32 ? 0xFFFF0000u : 0), w);
    mwr(cpu, in, off + 1 * w, sw | (o32 ? 0xFFFF0000u : 0), w);
    mwr(cpu, in, off + 2 * w, f->tw | (o32 ? 0xFFFF0000u : 0), w);
    if (pm) {
        mwr(cpu, in, off + 3 * w, f->fip, w);
        mwr(cpu, in, off + 4 * w, f->fcs | ((uint32_t)f->fop << 16), w);
        mwr(cpu, in, off + 5 * w, f->fdp, w);
        mwr(cpu, in, off + 6 * w, f->fds | (o32 ? 0xFFFF0000u : 0), w);
    } else {
        /* Real/v86 format: 20-bit linear instruction and operand pointers with the opcode. */
        uint32_t ip = f->fip + ((uint32_t)f->fcs << 4), dp = f->fdp + ((uint32_t)f->fds << 4);
        mwr(cpu, in, off + 3 * w, (ip & 0xFFFF) | (o32 ? 0xFFFF0000u : 0), w);
        mwr(cpu, in, off + 4 * w, ((ip >> 16) << 12) | f->fop, w);
        mwr(cpu, in, off + 5 * w, (dp & 0xFFFF) | (o32 ? 0xFFFF0000u : 0), w);
        mwr(cpu, in, off + 6 * w, (dp >> 16) << 12, w);
    }
    /* FSTENV masks all exceptions afterwards (SDM Vol.2 FSTENV). */
    f->cw |= 0x3F;
}

static void load_env(struct cpu *cpu, const struct insn *in, uint32_t off)
{
    struct fpu *f = &cpu->fpu;
    bool o32 = in->opsize32, pm = (cpu->cr0 & CR0_PE) && !(cpu->eflags & FL_VM);
    unsigned w = o32 ? 4 : 2;
    uint16_t cw = (uint16_t)mrd(cpu, in, off, 2), sw = (uint16_t)mrd(cpu, in, off + w, 2);
    uint16_t tw = (uint16_t)mrd(cpu, in, off + 2 * w, 2);
    uint32_t a = mrd(cpu, in, off + 3 * w, w), b = mrd(cpu, in, off + 4 * w, w);
    uint32_t c = mrd(cpu, in, off + 5 * w, w), d = mrd(cpu, in, off + 6 * w, w);
    f->cw = cw;
    f->top = (sw >> 11) & 7;
    f->sw = sw & ~0x3800u;
    f->tw = tw;
    if (pm) {
        f->fip = a;
        f->fcs = (uint16_t)b;
        f->fop = (uint16_t)((b >> 16) & 0x7FF);
        f->fdp = c;
        f->fds = (uint16_t)d;
    } else {
        f->fip = (a & 0xFFFF) | ((b >> 12) << 16);
        f->fcs = 0;
        f->fop = (uint16_t)(b & 0x7FF);
        f->fdp = (c & 0xFFFF) | ((d >> 12) << 16);
        f->fds = 0;
    }
    /* A loaded tag of non-empty is kept only as empty/non-empty; the rest is recomputed from
     * the registers when they are read (the x87 does the same with its 2-bit tags internally). */
    for (unsigned r = 0; r < 8; r++)
        if (((f->tw >> (2 * r)) & 3) != TAG_EMPTY)
            set_tag(f, r, tag_of(f->st[r]));
    update_es(f);
    if (!(f->sw & ~f->cw & 0x3F))
        f->sw &= ~(SW_ES | SW_B);
}

/* ---- the instructions ---- */

static void fpu_unary(struct cpu *cpu, unsigned low)
{
    struct fpu *f = &cpu->fpu;
    struct f80_ctx c = ctx_of(f);
    bool oor = false;
    struct f80 r, x = st(f, 0);
    /* FXAM examines an empty register without a stack fault: it reports the class "empty"
     * (SDM Vol.2 FXAM, C3 C2 C0 = 101). FINCSTP/FDECSTP do not look at the registers. */
    if (low != 0xF6 && low != 0xF7 && low != 0xE5 && is_empty(f, 0)) {
        if (stack_fault(f, false))
            set_st(f, 0, INDEFINITE);
        return;
    }
    switch (low) {
    case 0xE0: x.se ^= 0x8000; set_st(f, 0, x); f->sw &= ~SW_C1; return;     /* FCHS */
    case 0xE1: x.se &= 0x7FFF; set_st(f, 0, x); f->sw &= ~SW_C1; return;     /* FABS */
    case 0xE4: compare(f, (struct f80){0, 0}, false, 0); return;             /* FTST */
    case 0xE5: set_cc(f, f80_examine(x, is_empty(f, 0))); return;            /* FXAM */
    case 0xF0: r = f80_2xm1(x, &c); break;
    case 0xFA: r = f80_sqrt(x, &c); break;
    case 0xFC: r = f80_round_int(x, &c); break;
    case 0xFE: case 0xFF:
        r = low == 0xFE ? f80_sin(x, &oor, &c) : f80_cos(x, &oor, &c);
        if (oor) {
            f->sw |= SW_C2;
            return;
        }
        f->sw &= ~SW_C2;
        break;
    case 0xF6: f->top = (f->top - 1) & 7; f->sw &= ~SW_C1; return;           /* FDECSTP */
    default: f->top = (f->top + 1) & 7; f->sw &= ~SW_C1; return;             /* FINCSTP */
    }
    if (commit(f, &c))
        set_st(f, 0, r);
}

/* Two-operand D9 F1..FD group: FYL2X FPTAN FPATAN FXTRACT FPREM1 FPREM FYL2XP1 FSINCOS FSCALE. */
static void fpu_binary_d9(struct cpu *cpu, unsigned low)
{
    struct fpu *f = &cpu->fpu;
    struct f80_ctx c = ctx_of(f);
    bool needs1 = low == 0xF1 || low == 0xF3 || low == 0xF5 || low == 0xF8 || low == 0xF9 || low == 0xFD;
    if (is_empty(f, 0) || (needs1 && is_empty(f, 1))) {
        if (stack_fault(f, false)) {
            set_st(f, 0, INDEFINITE);
            if (low == 0xF1 || low == 0xF3 || low == 0xF9) {
                set_st(f, 1, INDEFINITE);
                fpop(f);
            }
        }
        return;
    }
    struct f80 x = st(f, 0), y = st(f, 1), r, r2;
    bool oor = false;
    uint16_t cc;
    switch (low) {
    case 0xF1: case 0xF3: case 0xF9: /* FYL2X, FPATAN, FYL2XP1: ST1 = f(ST1, ST0), pop */
        r = low == 0xF1 ? f80_yl2x(y, x, &c) : low == 0xF3 ? f80_atan2(y, x, &c) : f80_yl2xp1(y, x, &c);
        if (commit(f, &c)) {
            set_st(f, 1, r);
            fpop(f);
        }
        return;
    case 0xF2: /* FPTAN: ST0 = tan, push 1.0 */
        r = f80_tan(x, &oor, &c);
        if (oor) {
            f->sw |= SW_C2;
            return;
        }
        f->sw &= ~SW_C2;
        if (commit(f, &c)) {
            set_st(f, 0, r);
            fpush(f, f80_const(0, F80_RC_NEAREST));
        }
        return;
    case 0xFB: /* FSINCOS: ST0 = sin, push cos */
        r = f80_sin(x, &oor, &c);
        if (oor) {
            f->sw |= SW_C2;
            return;
        }
        r2 = f80_cos(x, &oor, &c);
        f->sw &= ~SW_C2;
        if (commit(f, &c)) {
            set_st(f, 0, r);
            fpush(f, r2);
        }
        return;
    case 0xF4: /* FXTRACT: ST0 = exponent, push significand */
        r = f80_xtract(x, &r2, &c);
        if (commit(f, &c)) {
            set_st(f, 0, r2);
            fpush(f, r);
        }
        return;
    case 0xF5: case 0xF8: /* FPREM1, FPREM */
        cc = 0;
        r = f80_rem(x, y, low == 0xF5, &cc, &c);
        if (commit(f, &c)) {
            set_st(f, 0, r);
            set_cc(f, cc);
        }
        return;
    default: /* 0xFD FSCALE */
        r = f80_scale(x, y, &c);
        if (commit(f, &c))
            set_st(f, 0, r);
        return;
    }
}

static bool fcmov_cond(struct cpu *cpu, unsigned op, unsigned reg)
{
    uint32_t fl = cpu_get_eflags(cpu);
    bool r;
    switch (reg & 3) {
    case 0: r = fl & FL_CF; break;                    /* B */
    case 1: r = fl & FL_ZF; break;                    /* E */
    case 2: r = fl & (FL_CF | FL_ZF); break;          /* BE */
    default: r = fl & FL_PF; break;                   /* U */
    }
    return op == 0xDA ? r : !r;
}

static void store_int(struct cpu *cpu, const struct insn *in, uint32_t off, unsigned bits, bool popit)
{
    struct fpu *f = &cpu->fpu;
    struct f80_ctx c = ctx_of(f);
    int64_t v;
    if (is_empty(f, 0)) {
        if (!stack_fault(f, false))
            return;
        v = INT64_MIN >> (64 - bits);                 /* integer indefinite */
    } else {
        v = f80_to_i64(st(f, 0), bits, &c);
        if (!commit(f, &c))
            return;
    }
    probe_write(cpu, in, off, bits / 8);
    if (bits == 16)
        mwr(cpu, in, off, (uint16_t)v, 2);
    else if (bits == 32)
        mwr(cpu, in, off, (uint32_t)v, 4);
    else {
        mwr(cpu, in, off, (uint32_t)v, 4);
        mwr(cpu, in, off + 4, (uint32_t)((uint64_t)v >> 32), 4);
    }
    if (popit)
        fpop(f);
}

/* commit() for a real store to memory: an unmasked OE or UE stores nothing and does not pop
 * either (SDM Vol.1 4.9.2; the host x87 leaves m32 and TOP unchanged for FSTP m32 of 1e300 with
 * OM=0, FSW B888h). */
static bool commit_store(struct fpu *f, const struct f80_ctx *c)
{
    bool ok = commit(f, c);
    return ok && !(c->flags & ~c->masks & (F80_OE | F80_UE));
}

static void store_real(struct cpu *cpu, const struct insn *in, uint32_t off, unsigned bytes, bool popit)
{
    struct fpu *f = &cpu->fpu;
    struct f80_ctx c = ctx_of(f);
    struct f80 x = st(f, 0);
    if (is_empty(f, 0)) {
        if (!stack_fault(f, false))
            return;
        x = INDEFINITE;
    }
    if (bytes == 10) {
        write_f80(cpu, in, off, x);
    } else if (bytes == 4) {
        uint32_t v = f80_to_f32(x, &c);
        if (!commit_store(f, &c))
            return;
        probe_write(cpu, in, off, 4);
        mwr(cpu, in, off, v, 4);
    } else {
        uint64_t v = f80_to_f64(x, &c);
        if (!commit_store(f, &c))
            return;
        probe_write(cpu, in, off, 8);
        mwr(cpu, in, off, (uint32_t)v, 4);
        mwr(cpu, in, off + 4, (uint32_t)(v >> 32), 4);
    }
    if (popit)
        fpop(f);
}

/* Control instructions leave FIP/FDP/FOP alone (SDM Vol.1 8.1.8). */
static bool is_control(const struct insn *in)
{
    if (in->mod != 3)
        return (in->op == 0xD9 && in->reg >= 4) || (in->op == 0xDD && (in->reg == 4 || in->reg >= 6));
    return (in->op == 0xDB && (in->reg == 4)) || (in->op == 0xDF && in->reg == 4 && in->rm == 0);
}

/* Instructions that do not check for pending exceptions (the FN* forms, SDM Vol.1 8.3.12). */
static bool is_nowait(const struct insn *in)
{
    if (in->mod != 3)
        return (in->op == 0xD9 && (in->reg == 6 || in->reg == 7)) || (in->op == 0xDD && (in->reg == 6 || in->reg == 7));
    return (in->op == 0xDB && in->reg == 4 && (in->rm == 2 || in->rm == 3 || in->rm == 0 || in->rm == 1 || in->rm == 4)) ||
           (in->op == 0xDF && in->reg == 4 && in->rm == 0);
}

void fpu_exec(struct cpu *cpu, const struct insn *in, uint32_t off)
{
    struct fpu *f = &cpu->fpu;
    if (!is_nowait(in) && !fpu_check_pending(cpu))
        return;
    if (!is_control(in)) {
        f->fop = (uint16_t)(((in->op & 7) << 8) | (in->mod << 6) | (in->reg << 3) | in->rm);
        f->fip = cpu->insn_eip;
        f->fcs = cpu->seg[SEG_CS].sel;
        if (in->mod != 3) {
            f->fdp = off;
            f->fds = cpu->seg[in->ea.seg].sel;
        }
    }
    unsigned op = in->op, reg = in->reg, i = in->rm;
    struct f80_ctx c = ctx_of(f);

    if (in->mod != 3) {
        switch (op) {
        case 0xD8: case 0xDA: case 0xDC: case 0xDE: {
            struct f80 b = load_arith_operand(cpu, in, off, &c);
            if (is_empty(f, 0)) {
                if (stack_fault(f, false) && reg != 2 && reg != 3)
                    set_st(f, 0, INDEFINITE);
                if (reg == 2 || reg == 3) {
                    set_cc(f, SW_C3 | SW_C2 | SW_C0);
                    if (reg == 3 && (f->cw & SW_IE))
                        fpop(f);
                }
                return;
            }
            if (reg == 2 || reg == 3) {
                f->sw |= c.flags;                       /* DE/IE from the conversion */
                compare(f, b, false, reg == 3);
                return;
            }
            struct f80 r = arith(reg, st(f, 0), b, &c);
            if (commit(f, &c))
                set_st(f, 0, r);
            return;
        }
        case 0xD9:
            switch (reg) {
            case 0: { struct f80 v = f80_from_f32(mrd(cpu, in, off, 4), &c); if (commit(f, &c)) fpush(f, v); return; }
            case 2: store_real(cpu, in, off, 4, false); return;
            case 3: store_real(cpu, in, off, 4, true); return;
            case 4: load_env(cpu, in, off); return;
            case 5: f->cw = (uint16_t)mrd(cpu, in, off, 2); update_es(f);
                if (!(f->sw & ~f->cw & 0x3F)) f->sw &= ~(SW_ES | SW_B);
                return;
            case 6: store_env(cpu, in, off); return;
            default: mwr(cpu, in, off, f->cw, 2); return;
            }
        case 0xDB:
            switch (reg) {
            case 0: fpush(f, f80_from_i64((int32_t)mrd(cpu, in, off, 4))); return;
            case 2: store_int(cpu, in, off, 32, false); return;
            case 3: store_int(cpu, in, off, 32, true); return;
            case 5: fpush(f, read_f80(cpu, in, off)); return;
            default: store_real(cpu, in, off, 10, true); return;   /* /7 FSTP m80 */
            }
        case 0xDD:
            switch (reg) {
            case 0: { uint64_t v = mrd(cpu, in, off, 4) | (uint64_t)mrd(cpu, in, off + 4, 4) << 32;
                      struct f80 x = f80_from_f64(v, &c); if (commit(f, &c)) fpush(f, x); return; }
            case 2: store_real(cpu, in, off, 8, false); return;
            case 3: store_real(cpu, in, off, 8, true); return;
            case 4: { /* FRSTOR */
                unsigned envsz = in->opsize32 ? 28 : 14;
                struct f80 regs[8];
                for (unsigned k = 0; k < 8; k++)
                    regs[k] = read_f80(cpu, in, off + envsz + 10 * k);
                load_env(cpu, in, off);
                for (unsigned k = 0; k < 8; k++)
                    f->st[reg_of(f, k)] = regs[k];
                for (unsigned r = 0; r < 8; r++)
                    if (((f->tw >> (2 * r)) & 3) != TAG_EMPTY)
                        set_tag(f, r, tag_of(f->st[r]));
                return;
            }
            case 6: { /* FNSAVE: environment, ST0..ST7, then FNINIT */
                unsigned envsz = in->opsize32 ? 28 : 14;
                probe_write(cpu, in, off, envsz + 80);
                uint16_t cw = f->cw;
                store_env(cpu, in, off);
                f->cw = cw;
                for (unsigned k = 0; k < 8; k++)
                    write_f80(cpu, in, off + envsz + 10 * k, st(f, k));
                fpu_init(f);
                return;
            }
            default: /* /7 FNSTSW m16 */
                mwr(cpu, in, off, (uint16_t)((f->sw & ~0x3800u) | (f->top << 11)), 2);
                return;
            }
        default: /* 0xDF */
            switch (reg) {
            case 0: fpush(f, f80_from_i64((int16_t)mrd(cpu, in, off, 2))); return;
            case 2: store_int(cpu, in, off, 16, false); return;
            case 3: store_int(cpu, in, off, 16, true); return;
            case 4: { uint8_t b[10]; for (unsigned k = 0; k < 10; k++) b[k] = (uint8_t)mrd(cpu, in, off + k, 1);
                      fpush(f, f80_from_bcd(b)); return; }
            case 5: fpush(f, f80_from_i64((int64_t)(mrd(cpu, in, off, 4) | (uint64_t)mrd(cpu, in, off + 4, 4) << 32))); return;
            case 6: { /* FBSTP */
                uint8_t b[10];
                if (is_empty(f, 0)) {
                    if (!stack_fault(f, false))
                        return;
                    static const uint8_t indef[10] = {0, 0, 0, 0, 0, 0, 0, 0xC0, 0xFF, 0xFF};
                    memcpy(b, indef, 10);
                } else {
                    f80_to_bcd(st(f, 0), b, &c);
                    if (!commit(f, &c))
                        return;
                }
                probe_write(cpu, in, off, 10);
                for (unsigned k = 0; k < 10; k++)
                    mwr(cpu, in, off + k, b[k], 1);
                fpop(f);
                return;
            }
            default: store_int(cpu, in, off, 64, true); return;
            }
        }
    }

    /* Register forms. */
    unsigned low = 0xC0 | (reg << 3) | i;
    switch (op) {
    case 0xD8: case 0xDC: case 0xDE: {
        if (reg == 2 || reg == 3) {
            /* FCOM/FCOMP ST(i) (D8, and the DC aliases); DE D0+i is FCOMP (alias), DE D9 FCOMPP. */
            unsigned pops = op == 0xDE ? (reg == 3 ? 2 : 1) : (reg == 3 ? 1 : 0);
            unsigned j = op == 0xDE && reg == 3 ? 1 : i;
            if (is_empty(f, 0) || is_empty(f, j)) {
                if (!stack_fault(f, false))
                    return;
                set_cc(f, SW_C3 | SW_C2 | SW_C0);
                while (pops--)
                    fpop(f);
                return;
            }
            compare(f, st(f, j), false, pops);
            return;
        }
        bool to_sti = op != 0xD8, ok = true;
        if (is_empty(f, 0) || is_empty(f, i)) {
            ok = stack_fault(f, false);
            if (ok)
                set_st(f, to_sti ? i : 0, INDEFINITE);
        } else {
            /* D8: ST0 = ST0 op ST(i). DC/DE: ST(i) = ST(i) op ST0, where the encodings of
             * SUB/SUBR and DIV/DIVR are swapped (SDM Vol.2 FSUB: DC E8+i is FSUB ST(i),ST(0)). */
            unsigned o = reg;
            if (to_sti && o >= 4)
                o ^= 1;
            struct f80 r = to_sti ? arith(o, st(f, i), st(f, 0), &c) : arith(o, st(f, 0), st(f, i), &c);
            ok = commit(f, &c);
            if (ok)
                set_st(f, to_sti ? i : 0, r);
        }
        /* unmasked IE, DE or ZE: destination and TOP unchanged, no pop (SDM Vol.1 8.5) */
        if (op == 0xDE && ok)
            fpop(f);
        return;
    }
    case 0xD9:
        switch (reg) {
        case 0: { /* FLD ST(i) */
            if (is_empty(f, i)) {
                if (stack_fault(f, false))
                    fpush(f, INDEFINITE);
                return;
            }
            fpush(f, st(f, i));
            return;
        }
        case 1: { /* FXCH */
            if (is_empty(f, 0) || is_empty(f, i)) {
                if (!stack_fault(f, false))
                    return;
                if (is_empty(f, 0)) set_st(f, 0, INDEFINITE);
                if (is_empty(f, i)) set_st(f, i, INDEFINITE);
            }
            struct f80 a = st(f, 0), b = st(f, i);
            set_st(f, 0, b);
            set_st(f, i, a);
            f->sw &= ~SW_C1;
            return;
        }
        case 2: return;                                              /* FNOP */
        case 3: goto fstp;                                           /* FSTP1 alias */
        case 4: fpu_unary(cpu, low); return;
        case 5: fpush(f, f80_const(i, (enum f80_rc)c.rc)); return;    /* FLD1 .. FLDZ */
        case 6:
            if (low == 0xF6 || low == 0xF7) fpu_unary(cpu, low);
            else if (low == 0xF0) fpu_unary(cpu, low);
            else fpu_binary_d9(cpu, low);
            return;
        default:
            if (low == 0xFA || low == 0xFC || low == 0xFE || low == 0xFF) fpu_unary(cpu, low);
            else fpu_binary_d9(cpu, low);
            return;
        }
    case 0xDA: case 0xDB:
        if (reg < 4) {                                               /* FCMOVcc */
            if (is_empty(f, 0) || is_empty(f, i)) {
                if (stack_fault(f, false))
                    set_st(f, 0, INDEFINITE);
                return;
            }
            if (fcmov_cond(cpu, op, reg))
                set_st(f, 0, st(f, i));
            f->sw &= ~SW_C1;
            return;
        }
        if (op == 0xDA) {                                            /* DA E9: FUCOMPP */
            if (is_empty(f, 0) || is_empty(f, 1)) {
                if (stack_fault(f, false)) {
                    set_cc(f, SW_C3 | SW_C2 | SW_C0);
                    fpop(f);
                    fpop(f);
                }
                return;
            }
            compare(f, st(f, 1), true, 2);
            return;
        }
        if (reg == 4) {
            if (i == 2) f->sw &= ~(0x00FFu | SW_B);                  /* FNCLEX */
            else if (i == 3) fpu_init(f);                            /* FNINIT */
            return;                                                  /* FENI FDISI FSETPM: no-ops */
        }
        compare_eflags(cpu, i, reg == 5, false);                     /* FUCOMI (5) FCOMI (6) */
        return;
    case 0xDD:
        switch (reg) {
        case 0: set_tag(f, reg_of(f, i), TAG_EMPTY); return;          /* FFREE */
        case 1: goto fxch_alias;
        case 2: case 3:                                              /* FST / FSTP ST(i) */
            if (is_empty(f, 0)) {
                if (!stack_fault(f, false))
                    return;
                set_st(f, i, INDEFINITE);
            } else {
                set_st(f, i, st(f, 0));
            }
            if (reg == 3)
                fpop(f);
            return;
        default:                                                     /* FUCOM / FUCOMP */
            if (is_empty(f, 0) || is_empty(f, i)) {
                if (stack_fault(f, false)) {
                    set_cc(f, SW_C3 | SW_C2 | SW_C0);
                    if (reg == 5) fpop(f);
                }
                return;
            }
            compare(f, st(f, i), true, reg == 5);
            return;
        }
    default: /* 0xDF */
        switch (reg) {
        case 0: set_tag(f, reg_of(f, i), TAG_EMPTY); fpop(f); return;  /* FFREEP */
        case 1: goto fxch_alias;
        case 2: case 3: goto fstp;
        case 4:                                                      /* FNSTSW AX */
            cpu->regs[R_EAX] = (cpu->regs[R_EAX] & 0xFFFF0000u) | ((f->sw & ~0x3800u) | (f->top << 11));
            return;
        default:
            compare_eflags(cpu, i, reg == 5, true);                  /* FUCOMIP (5) FCOMIP (6) */
            return;
        }
    }
fstp:
    if (is_empty(f, 0)) {
        if (!stack_fault(f, false))
            return;
        set_st(f, i, INDEFINITE);
    } else {
        set_st(f, i, st(f, 0));
    }
    fpop(f);
    return;
fxch_alias:
    {
        struct insn x = *in;
        x.op = 0xD9;
        x.reg = 1;
        fpu_exec(cpu, &x, off);
    }
}
