/* Random instruction sequences for the differential test: a small x86 encoder and one template
 * per instruction family. Every sequence is built so that it cannot fault on a correct CPU:
 * memory operands address the data or stack area through registers the generator loads just
 * before the instruction ("setup" instructions, marked in the metadata), divisions are given
 * operands whose quotient fits, stack operations stay inside the stack page, and jumps only go
 * forward to the start of a later instruction group. See tests/diff/README.md. */
#include <string.h>

#include "diff.h"

uint64_t rng_next(uint64_t *s)
{
    /* splitmix64 */
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

enum { EAX, ECX, EDX, EBX, ESP, EBP, ESI, EDI };

#define MAX_GROUPS 16
#define MAX_MAIN 8

enum fixup_kind { FIX_REL8, FIX_REL16, FIX_REL32, FIX_ABS16, FIX_ABS32 };

struct gen {
    uint64_t *rng;
    struct seq *s;
    uint8_t *mem;
    unsigned group_off[MAX_GROUPS + 1];
    unsigned ngroups;
    struct {
        uint16_t at;       /* offset of the rel/abs field in the code */
        uint8_t kind;      /* enum fixup_kind */
        uint8_t group;     /* the group holding the transfer: targets lie after it */
        uint16_t next;     /* offset of the next instruction (rel base) */
    } fix[MAX_GROUPS * 2];
    unsigned nfix;
};

/* ---- random numbers ---- */

static uint32_t rnd(struct gen *g) { return (uint32_t)rng_next(g->rng); }
static unsigned rn(struct gen *g, unsigned n) { return (unsigned)(rng_next(g->rng) % n); }
static bool chance(struct gen *g, unsigned pct) { return rn(g, 100) < pct; }

/* A value with the edge cases of integer arithmetic over-represented. (Two random calls are
 * never operands of one operator in this file: C leaves their order unspecified, and the
 * sequences must be the same whatever the compiler.) */
static uint32_t ival(struct gen *g)
{
    uint32_t r;
    static const uint32_t edges[] = {
        0, 1, 2, 0xFFFFFFFF, 0xFFFFFFFE, 0x80000000, 0x7FFFFFFF, 0x80000001, 0x7F, 0x80, 0xFF,
        0x100, 0x7FFF, 0x8000, 0xFFFF, 0x10000, 0xFFFFFF80, 0xFFFF8000, 0x0F, 0x10, 0x99, 0x9A,
        0x55555555, 0xAAAAAAAA,
    };
    switch (rn(g, 8)) {
    case 0: return edges[rn(g, sizeof edges / sizeof edges[0])];
    case 1: return rn(g, 64);
    case 2: return (uint32_t)-(int32_t)rn(g, 64);
    case 3: r = rnd(g); return r & (0xFFu << (rn(g, 4) * 8)); /* one random byte */
    case 4: r = rnd(g); return r ^ (1u << rn(g, 32));
    default: return rnd(g);
    }
}

/* ---- instruction records ---- */

struct mop {
    bool a16;            /* 16-bit addressing (67h) */
    uint8_t mod, rm;
    bool has_sib;
    uint8_t sib;
    uint8_t disp_size;   /* 0, 1, 2 or 4 */
    uint32_t disp;
    uint8_t seg;         /* segment-override prefix byte or 0 */
    bool addr_known;     /* false for ESP-relative operands */
    uint32_t addr;
};

struct enc {
    uint8_t pfx[4];
    unsigned npfx;
    uint8_t op[3];
    unsigned nop;
    bool modrm;
    uint8_t reg;         /* ModRM.reg */
    bool mem;            /* memory operand in m, else register rm */
    uint8_t rm;
    struct mop m;
    uint8_t imm_size, imm2_size;
    uint32_t imm, imm2;
};

static void put8(struct gen *g, uint32_t v) { g->s->code[g->s->len++] = (uint8_t)v; }
static void put16(struct gen *g, uint32_t v) { put8(g, v); put8(g, v >> 8); }
static void put32(struct gen *g, uint32_t v) { put16(g, v); put16(g, v >> 16); }
static void putn(struct gen *g, uint32_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        put8(g, v >> (8 * i));
}

static struct ginsn *insn_begin(struct gen *g, enum fkind fk, unsigned size, bool setup)
{
    struct ginsn *in = &g->s->ins[g->s->n++];
    memset(in, 0, sizeof(*in));
    in->off = (uint16_t)g->s->len;
    in->fkind = (uint8_t)fk;
    in->size = (uint8_t)size;
    in->src_reg = in->dst_reg = -1;
    in->setup = setup;
    return in;
}

static void insn_end(struct gen *g, struct ginsn *in)
{
    in->len = (uint8_t)(g->s->len - in->off);
}

static struct ginsn *emit(struct gen *g, const struct enc *e, enum fkind fk, unsigned size)
{
    struct ginsn *in = insn_begin(g, fk, size, false);
    uint8_t pfx[8];
    unsigned np = 0;
    for (unsigned i = 0; i < e->npfx; i++)
        pfx[np++] = e->pfx[i];
    if (e->modrm && e->mem && e->m.a16)
        pfx[np++] = 0x67;
    if (e->modrm && e->mem && e->m.seg)
        pfx[np++] = e->m.seg;
    /* prefixes in any order (SDM Vol.2 2.1.1: groups may come in any order) */
    for (unsigned i = np; i > 1; i--) {
        unsigned j = rn(g, i);
        uint8_t t = pfx[i - 1];
        pfx[i - 1] = pfx[j];
        pfx[j] = t;
    }
    for (unsigned i = 0; i < np; i++)
        put8(g, pfx[i]);
    for (unsigned i = 0; i < e->nop; i++)
        put8(g, e->op[i]);
    if (e->modrm) {
        if (!e->mem) {
            put8(g, 0xC0 | (e->reg & 7) << 3 | (e->rm & 7));
        } else {
            put8(g, (unsigned)e->m.mod << 6 | (e->reg & 7) << 3 | e->m.rm);
            if (e->m.has_sib)
                put8(g, e->m.sib);
            putn(g, e->m.disp, e->m.disp_size);
        }
    }
    putn(g, e->imm, e->imm_size);
    putn(g, e->imm2, e->imm2_size);
    insn_end(g, in);
    return in;
}

/* ---- setup instructions: load an operand, not under test ---- */

static void setup_reg(struct gen *g, unsigned r, uint32_t v)
{
    struct ginsn *in = insn_begin(g, FK_NONE, 4, true);
    put8(g, 0xB8 + r);
    put32(g, v);
    insn_end(g, in);
}

/* MOV [addr], imm of size 1, 2 or 4 with an absolute address */
static void setup_store(struct gen *g, uint32_t addr, uint32_t v, unsigned size)
{
    struct ginsn *in = insn_begin(g, FK_NONE, size, true);
    if (size == 2)
        put8(g, 0x66);
    put8(g, size == 1 ? 0xC6 : 0xC7);
    put8(g, 0x05);
    put32(g, addr);
    putn(g, v, size);
    insn_end(g, in);
}

/* MOV r32, [addr] */
static void setup_load(struct gen *g, unsigned r, uint32_t addr)
{
    struct ginsn *in = insn_begin(g, FK_NONE, 4, true);
    put8(g, 0x8B);
    put8(g, 0x05 | r << 3);
    put32(g, addr);
    insn_end(g, in);
}

/* MOV r32, r32 */
static void setup_copy(struct gen *g, unsigned dst, unsigned src)
{
    struct ginsn *in = insn_begin(g, FK_NONE, 4, true);
    put8(g, 0x89);
    put8(g, 0xC0 | src << 3 | dst);
    insn_end(g, in);
}

/* LEA EBP, [ESP + d8]: a frame pointer inside the stack page */
static void setup_ebp_near_esp(struct gen *g, int8_t d)
{
    struct ginsn *in = insn_begin(g, FK_NONE, 4, true);
    put8(g, 0x8D);
    put8(g, 0x6C);
    put8(g, 0x24);
    put8(g, (uint8_t)d);
    insn_end(g, in);
}

/* ---- operands ---- */

static unsigned pick_size(struct gen *g, bool allow8)
{
    unsigned r = rn(g, 10);
    if (allow8 && r < 3)
        return 1;
    return r < 5 ? 2 : 4;
}

static void set_opsize(struct enc *e, unsigned size)
{
    if (size == 2)
        e->pfx[e->npfx++] = 0x66;
}

static unsigned rreg(struct gen *g) { return rn(g, 8); }

static unsigned bits_of_size(unsigned size) { return size * 8; }

/* A destination register: anything but ESP (SP), which must keep pointing into the stack page.
 * For byte operands number 4 is AH. */
static unsigned rdst(struct gen *g, unsigned size)
{
    unsigned r;
    do
        r = rn(g, 8);
    while (size != 1 && r == ESP);
    return r;
}

/* An address for an operand of size bytes, at least margin bytes inside the data or stack area. */
static uint32_t pick_addr(struct gen *g, unsigned size, unsigned margin)
{
    if (chance(g, 80))
        return DATA_BASE + margin + rn(g, DATA_SIZE - 2 * margin - size + 1);
    return STACK_BASE + margin + rn(g, STACK_SIZE - 2 * margin - size + 1);
}

/* A segment-override prefix, or 0. CS only for operands that are read: a code segment is
 * not writable in protected mode (SDM Vol.3 5.4.1, #GP). */
static uint8_t pick_seg(struct gen *g, bool write)
{
    static const uint8_t segs[] = {0x26, 0x36, 0x3E, 0x64, 0x65, 0x2E};
    return chance(g, 20) ? segs[rn(g, write ? 5 : 6)] : 0;
}

static int8_t rdisp8(struct gen *g) { return (int8_t)rnd(g); }

/* x such that x * m == 1 (mod 2^32), m odd */
static uint32_t inv_odd(uint32_t m)
{
    uint32_t x = m;
    for (int i = 0; i < 5; i++)
        x *= 2 - m * x;
    return x;
}

static bool avoided(uint32_t avoid, int r) { return r >= 0 && (avoid >> r & 1); }

/* 16-bit addressing, ModRM.rm 0-7: base and index registers (SDM Vol.2 table 2-1) */
static const int8_t a16_base[8] = {EBX, EBX, EBP, EBP, -1, -1, EBP, EBX};
static const int8_t a16_index[8] = {ESI, EDI, ESI, EDI, ESI, EDI, -1, -1};

static void plan_mem16(struct gen *g, struct mop *m, uint32_t addr, uint32_t avoid)
{
    unsigned rm;
    for (int tries = 0;; tries++) {
        rm = rn(g, 8);
        if (tries > 20) {
            m->mod = 0;
            rm = 6;
            break;
        }
        if (!avoided(avoid, a16_base[rm]) && !avoided(avoid, a16_index[rm])) {
            m->mod = (uint8_t)rn(g, 3);
            break;
        }
    }
    m->rm = (uint8_t)rm;
    uint32_t disp = 0;
    if (m->mod == 0 && rm == 6) {
        m->disp_size = 2;
        m->disp = addr & 0xFFFF;
        return;
    }
    if (m->mod == 1) {
        disp = (uint32_t)(int32_t)rdisp8(g);
        m->disp_size = 1;
        m->disp = disp & 0xFF;
    } else if (m->mod == 2) {
        disp = ival(g) & 0xFFFF;
        m->disp_size = 2;
        m->disp = disp;
    }
    int b = a16_base[rm], x = a16_index[rm];
    uint32_t rest = addr - disp;
    if (b >= 0 && x >= 0) {
        uint32_t vb = ival(g);
        setup_reg(g, (unsigned)b, vb);
        setup_reg(g, (unsigned)x, (rnd(g) & 0xFFFF0000u) | ((rest - vb) & 0xFFFF));
    } else {
        setup_reg(g, (unsigned)(b >= 0 ? b : x), (rnd(g) & 0xFFFF0000u) | (rest & 0xFFFF));
    }
}

static void plan_mem32(struct gen *g, struct mop *m, uint32_t addr, uint32_t avoid, bool allow_esp)
{
    if (allow_esp && chance(g, 12)) {
        /* ESP-relative: ESP stays in [ESP_MIN - 0x300, ESP_MAX + 0x300], so ESP + d8 is inside
         * the stack page whatever the instructions before did. */
        m->addr_known = false;
        m->rm = 4;
        m->has_sib = true;
        unsigned scale = rn(g, 4), idx = rn(g, 8);
        if (idx == ESP || avoided(avoid, (int)idx)) {
            m->mod = 1;
            m->sib = (uint8_t)(scale << 6 | 4 << 3 | ESP);
            m->disp_size = 1;
            m->disp = (uint8_t)rdisp8(g);
        } else {
            uint32_t vi = ival(g);
            setup_reg(g, idx, vi);
            m->mod = 2;
            m->sib = (uint8_t)(scale << 6 | idx << 3 | ESP);
            m->disp_size = 4;
            m->disp = (uint32_t)(int32_t)rdisp8(g) - (vi << scale);
        }
        return;
    }
    m->addr_known = true;
    m->addr = addr;
    unsigned form = rn(g, 6);
    int base;
    do
        base = (int)rn(g, 8);
    while (base == ESP || avoided(avoid, base));
    switch (form) {
    case 0: /* [disp32] */
        m->mod = 0;
        m->rm = 5;
        m->disp_size = 4;
        m->disp = addr;
        return;
    case 1: /* [base] */
        if (base == EBP)
            base = EBX;
        if (avoided(avoid, base)) {
            m->mod = 0;
            m->rm = 5;
            m->disp_size = 4;
            m->disp = addr;
            return;
        }
        m->mod = 0;
        m->rm = (uint8_t)base;
        setup_reg(g, (unsigned)base, addr);
        return;
    case 2: { /* [base + disp8] */
        int32_t d = rdisp8(g);
        m->mod = 1;
        m->rm = (uint8_t)base;
        m->disp_size = 1;
        m->disp = (uint8_t)d;
        setup_reg(g, (unsigned)base, addr - (uint32_t)d);
        return;
    }
    case 3: { /* [base + disp32] */
        uint32_t d = ival(g);
        m->mod = 2;
        m->rm = (uint8_t)base;
        m->disp_size = 4;
        m->disp = d;
        setup_reg(g, (unsigned)base, addr - d);
        return;
    }
    default: { /* SIB: [base + index*scale + disp] */
        unsigned scale = rn(g, 4);
        int idx = (int)rn(g, 8);
        if (avoided(avoid, idx))
            idx = ESP;                      /* no index */
        m->mod = (uint8_t)rn(g, 3);
        m->rm = 4;
        m->has_sib = true;
        bool nobase = m->mod == 0 && base == EBP;
        if (idx == base && !nobase && scale == 0)
            scale = 1;                      /* v + v is even: keep the sum solvable */
        uint32_t d = 0;
        if (m->mod == 1) {
            d = (uint32_t)(int32_t)rdisp8(g);
            m->disp_size = 1;
        } else if (m->mod == 2 || nobase) {
            d = ival(g);
            m->disp_size = 4;
        }
        m->sib = (uint8_t)(scale << 6 | (unsigned)idx << 3 | (unsigned)base);
        if (nobase) {                        /* [index*scale + disp32] */
            if (idx == ESP) {
                d = addr;
            } else {
                uint32_t vi = ival(g);
                setup_reg(g, (unsigned)idx, vi);
                d = addr - (vi << scale);
            }
        } else if (idx == ESP) {
            setup_reg(g, (unsigned)base, addr - d);
        } else if (idx == base) {
            setup_reg(g, (unsigned)base, (addr - d) * inv_odd(1u + (1u << scale)));
        } else {
            uint32_t vi = ival(g);
            setup_reg(g, (unsigned)idx, vi);
            setup_reg(g, (unsigned)base, addr - d - (vi << scale));
        }
        m->disp = m->disp_size == 1 ? (d & 0xFF) : d;
        return;
    }
    }
}

/* Chooses an address for an operand of size bytes and emits the setup that makes a ModRM
 * memory operand reach it. avoid: registers the instruction needs for something else (set up
 * before this call). need_addr: the operand's address must be known (no ESP-relative form). */
static void plan_mem(struct gen *g, struct enc *e, unsigned size, uint32_t avoid, bool need_addr,
                     bool write)
{
    e->mem = true;
    e->m = (struct mop){0};
    uint32_t addr = pick_addr(g, size, 8);
    e->m.seg = pick_seg(g, write);
    if (chance(g, 15)) {
        e->m.a16 = true;
        e->m.addr_known = true;
        e->m.addr = addr;
        plan_mem16(g, &e->m, addr, avoid);
    } else {
        plan_mem32(g, &e->m, addr, avoid, !need_addr);
    }
}

/* A memory operand at a given address (the caller has prepared the bytes there). */
static void plan_mem_at(struct gen *g, struct enc *e, uint32_t addr, uint32_t avoid, bool write)
{
    e->mem = true;
    e->m = (struct mop){0};
    e->m.seg = pick_seg(g, write);
    e->m.addr_known = true;
    e->m.addr = addr;
    if (chance(g, 15)) {
        e->m.a16 = true;
        plan_mem16(g, &e->m, addr, avoid);
    } else {
        plan_mem32(g, &e->m, addr, avoid, false);
    }
}

/* ModRM r/m: memory (with setup) or a register; dst: the operand is written. */
static void pick_rm(struct gen *g, struct enc *e, unsigned size, bool dst, unsigned mem_pct)
{
    e->modrm = true;
    if (chance(g, mem_pct))
        plan_mem(g, e, size, 0, false, dst);
    else
        e->rm = (uint8_t)(dst ? rdst(g, size) : rreg(g));
}

static void maybe_lock(struct gen *g, struct enc *e)
{
    if (e->mem && chance(g, 15))
        e->pfx[e->npfx++] = 0xF0;
}

static void put_imm(struct enc *e, uint32_t v, unsigned size)
{
    e->imm = v;
    e->imm_size = (uint8_t)size;
}

/* ---- templates: one group each (setup instructions, then the instruction under test) ---- */

static void t_alu(struct gen *g)
{
    unsigned op = rn(g, 8), size = pick_size(g, true);
    bool to_reg = rn(g, 2), writes = op != 7;
    struct enc e = {0};
    set_opsize(&e, size);
    e.op[e.nop++] = (uint8_t)(op << 3 | (to_reg ? 2 : 0) | (size > 1));
    pick_rm(g, &e, size, writes && !to_reg, 45);
    e.reg = (uint8_t)(writes && to_reg ? rdst(g, size) : rreg(g));
    if (writes && !to_reg)
        maybe_lock(g, &e);
    emit(g, &e, op == 1 || op == 4 || op == 6 ? FK_LOGIC : FK_ARITH, size);
}

static void t_alu_imm(struct gen *g)
{
    unsigned op = rn(g, 8), size = pick_size(g, true);
    enum fkind fk = op == 1 || op == 4 || op == 6 ? FK_LOGIC : FK_ARITH;
    struct enc e = {0};
    if (chance(g, 5)) { /* ADD/SUB ESP, imm8: small, so ESP stays inside the stack page */
        e.op[e.nop++] = 0x83;
        e.modrm = true;
        e.reg = rn(g, 2) ? 0 : 5;
        e.rm = ESP;
        put_imm(&e, (uint32_t)((int)rn(g, 65) - 32), 1);
        emit(g, &e, FK_ARITH, 4);
        return;
    }
    set_opsize(&e, size);
    if (chance(g, 25)) { /* AL/AX/EAX, imm */
        e.op[e.nop++] = (uint8_t)(op << 3 | 4 | (size > 1));
        put_imm(&e, ival(g), size);
        emit(g, &e, fk, size);
        return;
    }
    unsigned opc = size == 1 ? (chance(g, 10) ? 0x82 : 0x80) : (chance(g, 50) ? 0x83 : 0x81);
    e.op[e.nop++] = (uint8_t)opc;
    pick_rm(g, &e, size, op != 7, 45);
    e.reg = (uint8_t)op;
    put_imm(&e, ival(g), opc == 0x81 ? size : 1);
    if (op != 7)
        maybe_lock(g, &e);
    emit(g, &e, fk, size);
}

static void t_incdec(struct gen *g)
{
    unsigned size = pick_size(g, true), dec = rn(g, 2);
    struct enc e = {0};
    set_opsize(&e, size);
    if (size > 1 && chance(g, 40)) {
        e.op[e.nop++] = (uint8_t)((dec ? 0x48 : 0x40) + rdst(g, size));
    } else {
        e.op[e.nop++] = size == 1 ? 0xFE : 0xFF;
        e.reg = (uint8_t)dec;
        pick_rm(g, &e, size, true, 40);
        maybe_lock(g, &e);
    }
    emit(g, &e, FK_INCDEC, size);
}

static void t_not_neg(struct gen *g)
{
    unsigned size = pick_size(g, true), neg = rn(g, 2);
    struct enc e = {0};
    set_opsize(&e, size);
    e.op[e.nop++] = size == 1 ? 0xF6 : 0xF7;
    e.reg = (uint8_t)(2 + neg);
    pick_rm(g, &e, size, true, 40);
    if (!e.mem && chance(g, 10))
        setup_reg(g, size == 1 ? e.rm & 3u : e.rm, 0);  /* NEG 0: CF = 0 */
    maybe_lock(g, &e);
    emit(g, &e, neg ? FK_ARITH : FK_NONE, size);
}

static void t_test(struct gen *g)
{
    unsigned size = pick_size(g, true);
    struct enc e = {0};
    set_opsize(&e, size);
    switch (rn(g, 3)) {
    case 0:
        e.op[e.nop++] = (uint8_t)(0x84 | (size > 1));
        pick_rm(g, &e, size, false, 40);
        e.reg = (uint8_t)rreg(g);
        break;
    case 1:
        e.op[e.nop++] = (uint8_t)(0xA8 | (size > 1));
        put_imm(&e, ival(g), size);
        break;
    default: /* F6/F7 /0, and the /1 alias */
        e.op[e.nop++] = (uint8_t)(0xF6 | (size > 1));
        e.reg = chance(g, 10) ? 1 : 0;
        pick_rm(g, &e, size, false, 40);
        put_imm(&e, ival(g), size);
        break;
    }
    emit(g, &e, FK_LOGIC, size);
}

static void t_mov(struct gen *g)
{
    unsigned size = pick_size(g, true);
    struct enc e = {0};
    set_opsize(&e, size);
    switch (rn(g, 5)) {
    case 0: /* r/m <- reg */
        e.op[e.nop++] = (uint8_t)(0x88 | (size > 1));
        pick_rm(g, &e, size, true, 50);
        e.reg = (uint8_t)rreg(g);
        break;
    case 1: /* reg <- r/m */
        e.op[e.nop++] = (uint8_t)(0x8A | (size > 1));
        pick_rm(g, &e, size, false, 50);
        e.reg = (uint8_t)rdst(g, size);
        break;
    case 2: /* r/m <- imm */
        e.op[e.nop++] = (uint8_t)(0xC6 | (size > 1));
        pick_rm(g, &e, size, true, 60);
        put_imm(&e, ival(g), size);
        break;
    case 3: /* reg <- imm */
        e.op[e.nop++] = (uint8_t)((size == 1 ? 0xB0 : 0xB8) + rdst(g, size));
        put_imm(&e, ival(g), size);
        break;
    default: { /* moffs: A0-A3, with a 16-bit offset under 67h */
        uint32_t addr = pick_addr(g, size, 0);
        bool a16 = chance(g, 20), store = rn(g, 2);
        uint8_t seg = pick_seg(g, store);
        if (a16)
            e.pfx[e.npfx++] = 0x67;
        if (seg)
            e.pfx[e.npfx++] = seg;
        e.op[e.nop++] = (uint8_t)(0xA0 | (store << 1) | (size > 1));
        put_imm(&e, addr, a16 ? 2 : 4);
        break;
    }
    }
    emit(g, &e, FK_NONE, size);
}

static void t_movx(struct gen *g)
{
    unsigned size = chance(g, 30) ? 2 : 4, src = rn(g, 2) ? 2 : 1;
    struct enc e = {0};
    set_opsize(&e, size);
    e.op[e.nop++] = 0x0F;
    e.op[e.nop++] = (uint8_t)((rn(g, 2) ? 0xBE : 0xB6) | (src == 2));
    pick_rm(g, &e, src, false, 40);
    e.reg = (uint8_t)rdst(g, size);
    emit(g, &e, FK_NONE, size);
}

static void t_xchg(struct gen *g)
{
    unsigned size = pick_size(g, true);
    struct enc e = {0};
    set_opsize(&e, size);
    if (size > 1 && chance(g, 30)) {
        e.op[e.nop++] = (uint8_t)(0x90 + 1 + rn(g, 7));
        if (e.op[0] == 0x94)
            e.op[0] = 0x97;               /* not XCHG EAX, ESP */
    } else {
        e.op[e.nop++] = (uint8_t)(0x86 | (size > 1));
        pick_rm(g, &e, size, true, 40);
        e.reg = (uint8_t)rdst(g, size);
    }
    emit(g, &e, FK_NONE, size);
}

/* LEA and the multi-byte NOP compute an address without accessing it: any registers will do. */
static void random_modrm_mem(struct gen *g, struct enc *e)
{
    e->modrm = true;
    e->mem = true;
    e->m = (struct mop){0};
    e->m.a16 = chance(g, 20);
    e->m.mod = (uint8_t)rn(g, 3);
    e->m.rm = (uint8_t)rn(g, 8);
    if (e->m.a16) {
        e->m.disp_size = e->m.mod == 1 ? 1 : e->m.mod == 2 || (e->m.mod == 0 && e->m.rm == 6) ? 2 : 0;
    } else {
        e->m.disp_size = e->m.mod == 1 ? 1 : e->m.mod == 2 || (e->m.mod == 0 && e->m.rm == 5) ? 4 : 0;
        if (e->m.rm == 4) {
            e->m.has_sib = true;
            e->m.sib = (uint8_t)rnd(g);
            if (e->m.mod == 0 && (e->m.sib & 7) == 5)
                e->m.disp_size = 4;
        }
    }
    e->m.disp = e->m.disp_size == 4 ? ival(g) : rnd(g);
    e->m.seg = pick_seg(g, false);
}

static void t_lea(struct gen *g)
{
    unsigned size = chance(g, 25) ? 2 : 4;
    struct enc e = {0};
    set_opsize(&e, size);
    e.op[e.nop++] = 0x8D;
    random_modrm_mem(g, &e);
    e.reg = (uint8_t)rdst(g, size);
    emit(g, &e, FK_NONE, size);
}

static void t_nop(struct gen *g)
{
    struct enc e = {0};
    if (chance(g, 50)) {
        e.op[e.nop++] = 0x90;
    } else { /* 0F 1F /0: NOP r/m */
        e.op[e.nop++] = 0x0F;
        e.op[e.nop++] = 0x1F;
        random_modrm_mem(g, &e);
        e.reg = 0;
    }
    emit(g, &e, FK_NONE, 4);
}

static void t_conv(struct gen *g)
{
    unsigned size = chance(g, 40) ? 2 : 4;
    struct enc e = {0};
    set_opsize(&e, size);
    e.op[e.nop++] = rn(g, 2) ? 0x98 : 0x99;
    emit(g, &e, FK_NONE, size);
}

static void t_bswap(struct gen *g)
{
    /* 32-bit only: BSWAP of a 16-bit register is undefined (SDM Vol.2 BSWAP) */
    struct enc e = {0};
    e.op[e.nop++] = 0x0F;
    e.op[e.nop++] = (uint8_t)(0xC8 + rdst(g, 4));
    emit(g, &e, FK_NONE, 4);
}

/* Shift counts near the edges: 0, 1, the operand width, 31, 32 (masked to 0) ... */
static uint8_t pick_count(struct gen *g)
{
    static const uint8_t edges[] = {0, 1, 2, 7, 8, 9, 15, 16, 17, 24, 31, 32, 33, 63, 64, 255};
    if (chance(g, 50))
        return edges[rn(g, sizeof edges)];
    return chance(g, 50) ? (uint8_t)rn(g, 34) : (uint8_t)rnd(g);
}

static void t_shift(struct gen *g)
{
    unsigned size = pick_size(g, true), op = rn(g, 8);
    if (op == 6 && chance(g, 75))
        op = 4;                              /* /6 is SAL's undocumented alias: sometimes */
    struct enc e = {0};
    int8_t count;
    unsigned form = rn(g, 3);
    set_opsize(&e, size);
    if (form == 2 && chance(g, 40)) {
        uint32_t hi = rnd(g) & ~0xFFu;
        setup_reg(g, ECX, hi | pick_count(g));
    }
    uint32_t avoid = form == 2 ? 1u << ECX : 0;
    if (form == 0) {
        e.op[e.nop++] = (uint8_t)(0xC0 | (size > 1));
        count = 0;
    } else if (form == 1) {
        e.op[e.nop++] = (uint8_t)(0xD0 | (size > 1));
        count = 1;
    } else {
        e.op[e.nop++] = (uint8_t)(0xD2 | (size > 1));
        count = -1;
    }
    e.modrm = true;
    e.reg = (uint8_t)op;
    if (chance(g, 35))
        plan_mem(g, &e, size, avoid, false, true);
    else
        e.rm = (uint8_t)rdst(g, size);
    if (form == 0) {
        uint8_t c = pick_count(g);
        put_imm(&e, c, 1);
        count = (int8_t)(c & 0x1F);          /* only the masked count matters to the flags */
    }
    struct ginsn *in = emit(g, &e, op >= 4 ? FK_SHIFT : FK_ROT, size);
    in->shift_op = (uint8_t)op;
    in->count = count;
}

static void t_shxd(struct gen *g)
{
    unsigned size = chance(g, 40) ? 2 : 4;
    bool left = rn(g, 2), by_cl = rn(g, 2);
    struct enc e = {0};
    int8_t count = -1;
    set_opsize(&e, size);
    /* A 16-bit SHLD/SHRD by more than 16 leaves the destination undefined (SDM Vol.2 SHLD):
     * keep the masked count at 16 or less there. */
    uint8_t c = pick_count(g);
    if (size == 2 && (c & 0x1F) > 16)
        c = (uint8_t)((c & 0xE0) | rn(g, 17));
    if (by_cl && (size == 2 || chance(g, 40)))
        setup_reg(g, ECX, (rnd(g) & ~0xFFu) | c);
    e.op[e.nop++] = 0x0F;
    e.op[e.nop++] = (uint8_t)((left ? 0xA4 : 0xAC) | by_cl);
    e.modrm = true;
    if (chance(g, 35))
        plan_mem(g, &e, size, by_cl ? 1u << ECX : 0, false, true);
    else
        e.rm = (uint8_t)rdst(g, size);
    e.reg = (uint8_t)rreg(g);
    if (!by_cl) {
        put_imm(&e, c, 1);
        count = (int8_t)(c & 0x1F);
    }
    struct ginsn *in = emit(g, &e, FK_SHXD, size);
    in->count = count;
}

static void t_mul(struct gen *g)
{
    unsigned size = pick_size(g, true);
    struct enc e = {0};
    set_opsize(&e, size);
    switch (rn(g, 3)) {
    case 0: /* MUL, IMUL r/m: EDX:EAX = EAX * r/m */
        e.op[e.nop++] = (uint8_t)(0xF6 | (size > 1));
        e.reg = (uint8_t)(4 + rn(g, 2));
        pick_rm(g, &e, size, false, 40);
        break;
    case 1: /* IMUL reg, r/m */
        if (size == 1)
            e.pfx[e.npfx++] = 0x66, size = 2;
        e.op[e.nop++] = 0x0F;
        e.op[e.nop++] = 0xAF;
        pick_rm(g, &e, size, false, 40);
        e.reg = (uint8_t)rdst(g, size);
        break;
    default: { /* IMUL reg, r/m, imm */
        if (size == 1)
            e.pfx[e.npfx++] = 0x66, size = 2;
        bool imm8 = rn(g, 2);
        e.op[e.nop++] = imm8 ? 0x6B : 0x69;
        pick_rm(g, &e, size, false, 40);
        e.reg = (uint8_t)rdst(g, size);
        put_imm(&e, ival(g), imm8 ? 1 : size);
        break;
    }
    }
    emit(g, &e, FK_MUL, size);
}

/* DIV/IDIV with operands whose quotient fits: divisor, quotient and remainder first, the
 * dividend from them (no #DE). */
static void t_div(struct gen *g)
{
    unsigned size = pick_size(g, true), bits = size * 8;
    bool sign = rn(g, 2);
    uint32_t m = size == 4 ? 0xFFFFFFFFu : (1u << bits) - 1;
    uint64_t dividend;
    uint32_t d;
    for (;;) {
        d = ival(g) & m;
        if (chance(g, 30))
            d = (1 + rn(g, 20)) & m;
        if (d == 0)
            continue;
        if (!sign) {
            uint64_t q = ival(g) & m;
            if (chance(g, 30))
                q = m - rn(g, 3);
            uint64_t r = rng_next(g->rng) % d;
            if (chance(g, 20))
                r = d - 1;
            dividend = q * d + r;
            break;
        }
        int64_t sd = size == 1 ? (int8_t)d : size == 2 ? (int16_t)d : (int32_t)d;
        int64_t lim = (int64_t)1 << (bits - 1);
        int64_t q = (int64_t)(int32_t)ival(g) % lim;
        if (chance(g, 20))
            q = rn(g, 2) ? lim - 1 : -lim;
        uint64_t ad = (uint64_t)(sd < 0 ? -sd : sd);
        int64_t r = (int64_t)(rng_next(g->rng) % ad);
        int64_t prod = q * sd;
        if (prod < 0 || (prod == 0 && rn(g, 2)))
            r = -r;
        int64_t sdiv = prod + r;
        /* the truncating quotient must be q and fit */
        if (sdiv / sd != q || q >= lim || q < -lim)
            continue;
        dividend = (uint64_t)sdiv;
        break;
    }
    /* the dividend: AX, DX:AX or EDX:EAX; the registers' other bits are random */
    if (size == 1) {
        setup_reg(g, EAX, (rnd(g) & 0xFFFF0000u) | (uint32_t)(dividend & 0xFFFF));
    } else if (size == 2) {
        setup_reg(g, EAX, (rnd(g) & 0xFFFF0000u) | (uint32_t)(dividend & 0xFFFF));
        setup_reg(g, EDX, (rnd(g) & 0xFFFF0000u) | (uint32_t)((dividend >> 16) & 0xFFFF));
    } else {
        setup_reg(g, EAX, (uint32_t)dividend);
        setup_reg(g, EDX, (uint32_t)(dividend >> 32));
    }
    struct enc e = {0};
    set_opsize(&e, size);
    e.op[e.nop++] = (uint8_t)(0xF6 | (size > 1));
    e.reg = sign ? 7 : 6;
    e.modrm = true;
    if (chance(g, 40)) {
        uint32_t addr = pick_addr(g, size, 8);
        setup_store(g, addr, d, size);
        plan_mem_at(g, &e, addr, 1u << EAX | 1u << EDX, false);
    } else {
        /* not a register that holds the dividend (AL, AH; EAX, EDX), not ESP */
        unsigned r;
        do
            r = rn(g, 8);
        while (size == 1 ? (r == 0 || r == 4) : (r == EAX || r == EDX || r == ESP));
        e.rm = (uint8_t)r;
        if (size == 1 && r >= 4)
            setup_reg(g, r - 4, (rnd(g) & 0xFFFF00FFu) | d << 8);
        else
            setup_reg(g, r, (rnd(g) & ~m) | d);
    }
    emit(g, &e, FK_DIV, size);
}

static void t_bt(struct gen *g)
{
    unsigned size = chance(g, 35) ? 2 : 4, op = rn(g, 4); /* BT BTS BTR BTC */
    struct enc e = {0};
    set_opsize(&e, size);
    e.op[e.nop++] = 0x0F;
    e.modrm = true;
    if (chance(g, 40)) { /* 0F BA /4-/7 ib: the offset is taken modulo the operand size */
        e.op[e.nop++] = 0xBA;
        e.reg = (uint8_t)(4 + op);
        pick_rm(g, &e, size, op != 0, 40);
        put_imm(&e, chance(g, 50) ? rn(g, bits_of_size(size)) : rnd(g) & 0xFF, 1);
    } else {
        e.op[e.nop++] = (uint8_t)(0xA3 + op * 8);
        if (chance(g, 45)) {
            /* A register offset reaches memory outside the operand: signed, in operand-size
             * units (SDM Vol.2 BT). Keep the word addressed inside the data area. */
            unsigned r = rdst(g, 4);
            int32_t bitoff = (int32_t)rn(g, 16000) - 8000;
            if (chance(g, 30))
                bitoff = (int32_t)rn(g, 64) - 32;
            uint32_t v = size == 2 ? (rnd(g) & 0xFFFF0000u) | ((uint32_t)bitoff & 0xFFFF) : (uint32_t)bitoff;
            setup_reg(g, r, v);
            e.reg = (uint8_t)r;
            uint32_t addr = DATA_BASE + 1024 + rn(g, DATA_SIZE - 2048);
            plan_mem_at(g, &e, addr, 1u << r, op != 0);
        } else {
            e.reg = (uint8_t)rreg(g);
            e.rm = (uint8_t)(op ? rdst(g, size) : rreg(g));
        }
    }
    if (op != 0)
        maybe_lock(g, &e);
    emit(g, &e, FK_BT, size);
}

static void t_bsx(struct gen *g)
{
    unsigned size = chance(g, 35) ? 2 : 4;
    struct enc e = {0};
    set_opsize(&e, size);
    e.op[e.nop++] = 0x0F;
    e.op[e.nop++] = rn(g, 2) ? 0xBD : 0xBC;
    e.modrm = true;
    int src = -1;
    if (chance(g, 35)) {
        plan_mem(g, &e, size, 0, true, false);
    } else {
        src = (int)rreg(g);
        e.rm = (uint8_t)src;
        if (src != ESP && chance(g, 5))
            setup_reg(g, (unsigned)src, 0);
    }
    e.reg = (uint8_t)rdst(g, size);
    struct ginsn *in = emit(g, &e, FK_BSX, size);
    in->src_reg = (int8_t)src;
    in->dst_reg = (int8_t)e.reg;
    in->mem_addr = e.m.addr;
}

static void t_setcc_cmov(struct gen *g)
{
    struct enc e = {0};
    e.op[e.nop++] = 0x0F;
    if (rn(g, 2)) {
        e.op[e.nop++] = (uint8_t)(0x90 + rn(g, 16));
        pick_rm(g, &e, 1, true, 40);
        e.reg = 0;
        emit(g, &e, FK_NONE, 1);
    } else {
        unsigned size = chance(g, 30) ? 2 : 4;
        if (size == 2)
            e.pfx[e.npfx++] = 0x66;
        e.op[e.nop++] = (uint8_t)(0x40 + rn(g, 16));
        pick_rm(g, &e, size, false, 40);
        e.reg = (uint8_t)rdst(g, size);
        emit(g, &e, FK_NONE, size);
    }
}

static void t_push(struct gen *g)
{
    unsigned size = chance(g, 25) ? 2 : 4;
    struct enc e = {0};
    set_opsize(&e, size);
    switch (rn(g, 4)) {
    case 0: e.op[e.nop++] = (uint8_t)(0x50 + rreg(g)); break;  /* PUSH ESP pushes the old value */
    case 1: e.op[e.nop++] = 0x6A; put_imm(&e, rnd(g), 1); break;
    case 2: e.op[e.nop++] = 0x68; put_imm(&e, ival(g), size); break;
    default:
        e.op[e.nop++] = 0xFF;
        e.reg = 6;
        pick_rm(g, &e, size, false, 60);
        break;
    }
    emit(g, &e, FK_NONE, size);
}

static void t_pop(struct gen *g)
{
    unsigned size = chance(g, 25) ? 2 : 4;
    struct enc e = {0};
    set_opsize(&e, size);
    if (chance(g, 50)) {
        e.op[e.nop++] = (uint8_t)(0x58 + rdst(g, size));
    } else {
        /* POP r/m: an ESP base is the value after the increment (SDM Vol.2 POP) */
        e.op[e.nop++] = 0x8F;
        e.reg = 0;
        pick_rm(g, &e, size, true, 60);
    }
    emit(g, &e, FK_NONE, size);
}

static void t_pusha_popa(struct gen *g)
{
    struct enc e = {0};
    unsigned size = chance(g, 25) ? 2 : 4;
    set_opsize(&e, size);
    e.op[e.nop++] = rn(g, 2) ? 0x60 : 0x61;
    emit(g, &e, FK_NONE, size);
}

/* POPF at CPL 3 cannot change IOPL or IF (SDM Vol.2 POPF); the values keep them as set (IF = 1,
 * IOPL = 0) so the test does not depend on the privilege level. TF stays 0. */
static void t_pushf_popf(struct gen *g)
{
    unsigned size = chance(g, 25) ? 2 : 4;
    struct enc e = {0};
    set_opsize(&e, size);
    if (chance(g, 35)) {
        e.op[e.nop++] = 0x9C;
        emit(g, &e, FK_NONE, size);
        return;
    }
    uint32_t v = 0x202 | (rnd(g) & (F_ARITH | F_DF | F_NT));
    if (size == 4)
        v |= rnd(g) & (F_AC | F_ID);
    if (chance(g, 20))
        v |= rnd(g) & 0x8028u;             /* reserved bits 3, 5, 15 read as 0 */
    e.op[e.nop++] = 0x68;
    put_imm(&e, v, size);
    emit(g, &e, FK_NONE, size);
    struct enc p = {0};
    set_opsize(&p, size);
    p.op[p.nop++] = 0x9D;
    emit(g, &p, FK_WRITE, size);
}

static void t_flagop(struct gen *g)
{
    static const uint8_t ops[] = {0xF5, 0xF8, 0xF9, 0xFC, 0xFD, 0x9E, 0x9F, 0x9E, 0x9F};
    struct enc e = {0};
    uint8_t op = ops[rn(g, sizeof ops)];
    e.op[e.nop++] = op;
    emit(g, &e, op == 0x9F ? FK_NONE : FK_WRITE, 1);
}

static void t_string(struct gen *g)
{
    static const uint8_t kinds[] = {0xA4, 0xA6, 0xAA, 0xAC, 0xAE}; /* MOVS CMPS STOS LODS SCAS */
    uint8_t kind = kinds[rn(g, 5)];
    unsigned size = pick_size(g, true);
    bool a16 = chance(g, 20), cmp = kind == 0xA6 || kind == 0xAE;
    bool src = kind == 0xA4 || kind == 0xA6 || kind == 0xAC, dst = kind != 0xAC;
    unsigned rep = rn(g, 3);                 /* none, F3, F2 */
    unsigned n = rn(g, 9);
    struct enc e = {0};
    uint32_t hi = a16 ? 0xFFFF0000u : 0;
    bool lowent = cmp && chance(g, 50);
    /* 64 bytes of margin each side: the string may run either way (DF) */
    uint32_t lo_addr = lowent ? DATA_LOWENT : DATA_BASE;
    uint32_t span = (lowent ? DATA_BASE + DATA_SIZE - DATA_LOWENT : DATA_SIZE) - 128 - size;
    if (rep)
        setup_reg(g, ECX, (rnd(g) & hi) | n);
    if (src) {
        uint32_t top = rnd(g) & hi;
        setup_reg(g, ESI, top | (lo_addr + 64 + rn(g, span)));
    }
    if (dst) {
        uint32_t di = lo_addr + 64 + rn(g, span);
        setup_reg(g, EDI, (rnd(g) & hi) | di);
        if (kind == 0xAE && chance(g, 50))
            setup_load(g, EAX, di + (uint32_t)(int32_t)(rn(g, 33) - 16));
    }
    if (rep)
        e.pfx[e.npfx++] = rep == 1 ? 0xF3 : 0xF2;
    if (a16)
        e.pfx[e.npfx++] = 0x67;
    if (src && chance(g, 20))
        e.pfx[e.npfx++] = pick_seg(g, false);
    if (e.npfx && e.pfx[e.npfx - 1] == 0)
        e.npfx--;
    set_opsize(&e, size);
    e.op[e.nop++] = (uint8_t)(kind | (size > 1));
    emit(g, &e, cmp ? FK_ARITH : FK_NONE, size);
}

static void t_xlat(struct gen *g)
{
    bool a16 = chance(g, 20);
    uint32_t base = DATA_BASE + rn(g, DATA_SIZE - 256);
    setup_reg(g, EBX, a16 ? (rnd(g) & 0xFFFF0000u) | base : base);
    struct enc e = {0};
    if (a16)
        e.pfx[e.npfx++] = 0x67;
    uint8_t seg = pick_seg(g, false);
    if (seg)
        e.pfx[e.npfx++] = seg;
    e.op[e.nop++] = 0xD7;
    emit(g, &e, FK_NONE, 1);
}

static void t_bcd(struct gen *g)
{
    static const uint8_t ops[] = {0x27, 0x2F, 0x37, 0x3F, 0xD4, 0xD5};
    struct enc e = {0};
    uint8_t op = ops[rn(g, 6)];
    e.op[e.nop++] = op;
    if (op == 0xD4 || op == 0xD5) {
        uint32_t base = chance(g, 50) ? 10 : rnd(g) & 0xFF;
        if (op == 0xD4 && base == 0)
            base = 1 + rn(g, 255);           /* AAM 0 is #DE */
        put_imm(&e, base, 1);
    }
    enum fkind fk = op < 0x30 ? FK_DAA : op < 0x40 ? FK_AAA : FK_AAM;
    emit(g, &e, fk, 1);
}

static void t_xadd_cmpxchg(struct gen *g)
{
    unsigned size = pick_size(g, true);
    bool xadd = rn(g, 3) == 0;
    struct enc e = {0};
    set_opsize(&e, size);
    e.op[e.nop++] = 0x0F;
    e.op[e.nop++] = (uint8_t)((xadd ? 0xC0 : 0xB0) | (size > 1));
    e.modrm = true;
    if (chance(g, 50)) {
        uint32_t addr = pick_addr(g, size, 8);
        if (!xadd && chance(g, 50))
            setup_load(g, EAX, addr);        /* equal: the exchange happens */
        plan_mem_at(g, &e, addr, xadd ? 0 : 1u << EAX, true);
        maybe_lock(g, &e);
    } else {
        e.rm = (uint8_t)rdst(g, size);
        if (!xadd && chance(g, 40) && (size > 1 || e.rm < 4))
            setup_copy(g, EAX, e.rm);        /* equal: the exchange happens */
    }
    e.reg = (uint8_t)(xadd ? rdst(g, size) : rreg(g));
    emit(g, &e, FK_ARITH, size);
}

static void t_cmpxchg8b(struct gen *g)
{
    uint32_t addr = pick_addr(g, 8, 8);
    if (chance(g, 50)) {
        setup_load(g, EAX, addr);
        setup_load(g, EDX, addr + 4);
    }
    struct enc e = {0};
    e.op[e.nop++] = 0x0F;
    e.op[e.nop++] = 0xC7;
    e.reg = 1;
    e.modrm = true;
    plan_mem_at(g, &e, addr, 1u << EAX | 1u << EDX, true);
    maybe_lock(g, &e);
    emit(g, &e, FK_ZF, 8);
}

static void t_enter_leave(struct gen *g)
{
    struct enc e = {0};
    unsigned size = chance(g, 15) ? 2 : 4;
    if (rn(g, 2)) {
        /* ENTER alloc, level: a level above 0 copies frame pointers from [EBP - n] */
        unsigned level = rn(g, 4);
        if (level)
            setup_ebp_near_esp(g, (int8_t)(rn(g, 129) - 64));
        set_opsize(&e, size);
        e.op[e.nop++] = 0xC8;
        put_imm(&e, rn(g, 65), 2);
        e.imm2 = level;
        e.imm2_size = 1;
    } else {
        /* LEAVE: ESP = EBP, then POP EBP */
        setup_ebp_near_esp(g, (int8_t)(rn(g, 97) - 32));
        set_opsize(&e, size);
        e.op[e.nop++] = 0xC9;
    }
    emit(g, &e, FK_NONE, size);
}

/* ARPL r/m16, r16 (protected mode): raises the destination's RPL to the source's, ZF says so */
static void t_arpl(struct gen *g)
{
    struct enc e = {0};
    e.op[e.nop++] = 0x63;
    pick_rm(g, &e, 2, true, 40);
    e.reg = (uint8_t)rreg(g);
    emit(g, &e, FK_ZF, 2);
}

/* BOUND with an index inside the bounds (outside is #BR) */
static void t_bound(struct gen *g)
{
    unsigned size = chance(g, 30) ? 2 : 4, r = rdst(g, 4);
    int64_t lim = (int64_t)1 << (size * 8 - 1);
    int64_t v = size == 2 ? (int16_t)ival(g) : (int32_t)ival(g);
    int64_t lo = v - (int64_t)rn(g, 3000), hi = v + (int64_t)rn(g, 3000);
    if (lo < -lim)
        lo = -lim;
    if (hi > lim - 1)
        hi = lim - 1;
    uint32_t addr = pick_addr(g, 2 * size, 8);
    setup_store(g, addr, (uint32_t)lo, size);
    setup_store(g, addr + size, (uint32_t)hi, size);
    uint32_t m = size == 2 ? 0xFFFFu : 0xFFFFFFFFu;
    setup_reg(g, r, (rnd(g) & ~m) | ((uint32_t)v & m));
    struct enc e = {0};
    set_opsize(&e, size);
    e.op[e.nop++] = 0x62;
    e.modrm = true;
    e.reg = (uint8_t)r;
    plan_mem_at(g, &e, addr, 1u << r, false);
    emit(g, &e, FK_NONE, size);
}

static void add_fixup(struct gen *g, unsigned at, enum fixup_kind kind)
{
    g->fix[g->nfix].at = (uint16_t)at;
    g->fix[g->nfix].kind = (uint8_t)kind;
    g->fix[g->nfix].group = (uint8_t)(g->ngroups - 1);
    g->nfix++;
}

/* Forward control transfers to the start of a later group (or the end): fixed up at the end. */
static void t_jump(struct gen *g)
{
    struct enc e = {0};
    unsigned kind = rn(g, 13);
    unsigned fix_at;
    if (kind == 12) {
        /* 16-bit operand size: Jcc/JMP rel16, CALL rel16 (pushes IP), PUSH imm16 + RET16. EIP is
         * truncated to 16 bits, which the code (below 64 KiB) survives. */
        e.pfx[e.npfx++] = 0x66;
        switch (rn(g, 4)) {
        case 0: {
            e.op[e.nop++] = 0x0F;
            e.op[e.nop++] = (uint8_t)(0x80 + rn(g, 16));
            put_imm(&e, 0, 2);
            struct ginsn *in = emit(g, &e, FK_NONE, 2);
            add_fixup(g, in->off + in->len - 2u, FIX_REL16);
            return;
        }
        case 1: {
            e.op[e.nop++] = 0xE9;
            put_imm(&e, 0, 2);
            struct ginsn *in = emit(g, &e, FK_NONE, 2);
            add_fixup(g, in->off + in->len - 2u, FIX_REL16);
            return;
        }
        case 2: {
            e.op[e.nop++] = 0xE8;
            put_imm(&e, 0, 2);
            struct ginsn *in = emit(g, &e, FK_NONE, 2);
            add_fixup(g, in->off + in->len - 2u, FIX_REL16);
            return;
        }
        default: {
            e.op[e.nop++] = 0x68;
            put_imm(&e, 0, 2);
            struct ginsn *in = emit(g, &e, FK_NONE, 2);
            add_fixup(g, in->off + 2u, FIX_ABS16);
            struct enc r = {0};
            r.pfx[r.npfx++] = 0x66;
            r.op[r.nop++] = 0xC3;
            emit(g, &r, FK_NONE, 2);
            return;
        }
        }
    }
    if (kind < 4) { /* Jcc rel8 */
        e.op[e.nop++] = (uint8_t)(0x70 + rn(g, 16));
        put_imm(&e, 0, 1);
        struct ginsn *in = emit(g, &e, FK_NONE, 4);
        add_fixup(g, in->off + in->len - 1u, FIX_REL8);
    } else if (kind < 6) { /* Jcc rel32 */
        e.op[e.nop++] = 0x0F;
        e.op[e.nop++] = (uint8_t)(0x80 + rn(g, 16));
        put_imm(&e, 0, 4);
        struct ginsn *in = emit(g, &e, FK_NONE, 4);
        add_fixup(g, in->off + in->len - 4u, FIX_REL32);
    } else if (kind == 6) { /* JMP rel8 / rel32 */
        bool short_ = rn(g, 2);
        e.op[e.nop++] = short_ ? 0xEB : 0xE9;
        put_imm(&e, 0, short_ ? 1 : 4);
        struct ginsn *in = emit(g, &e, FK_NONE, 4);
        add_fixup(g, in->off + in->len - (short_ ? 1u : 4u), short_ ? FIX_REL8 : FIX_REL32);
    } else if (kind == 7) { /* LOOP LOOPE LOOPNE JECXZ, CX under 67h */
        if (chance(g, 25))
            e.pfx[e.npfx++] = 0x67;
        if (chance(g, 40)) {
            uint32_t hi = rnd(g) & 0xFFFF0000u;
            setup_reg(g, ECX, hi | rn(g, 3));
        }
        e.op[e.nop++] = (uint8_t)(0xE0 + rn(g, 4));
        put_imm(&e, 0, 1);
        struct ginsn *in = emit(g, &e, FK_NONE, 4);
        add_fixup(g, in->off + in->len - 1u, FIX_REL8);
    } else if (kind == 8) { /* CALL rel32 */
        e.op[e.nop++] = 0xE8;
        put_imm(&e, 0, 4);
        struct ginsn *in = emit(g, &e, FK_NONE, 4);
        add_fixup(g, in->off + in->len - 4u, FIX_REL32);
    } else if (kind == 9) { /* PUSH target; RET [imm16] */
        e.op[e.nop++] = 0x68;
        put_imm(&e, 0, 4);
        struct ginsn *in = emit(g, &e, FK_NONE, 4);
        fix_at = in->off + 1u;
        add_fixup(g, fix_at, FIX_ABS32);
        struct enc r = {0};
        if (chance(g, 30)) {
            r.op[r.nop++] = 0xC2;
            put_imm(&r, rn(g, 17), 2);
        } else {
            r.op[r.nop++] = 0xC3;
        }
        emit(g, &r, FK_NONE, 4);
    } else { /* JMP/CALL r/m32 */
        unsigned op = rn(g, 2) ? 4 : 2;
        e.op[e.nop++] = 0xFF;
        e.reg = (uint8_t)op;
        e.modrm = true;
        if (rn(g, 2)) {
            unsigned r = rdst(g, 4);
            struct ginsn *s = insn_begin(g, FK_NONE, 4, true);
            put8(g, 0xB8 + r);
            put32(g, 0);
            insn_end(g, s);
            add_fixup(g, s->off + 1u, FIX_ABS32);
            e.rm = (uint8_t)r;
        } else {
            uint32_t addr = pick_addr(g, 4, 8);
            struct ginsn *s = insn_begin(g, FK_NONE, 4, true);
            put8(g, 0xC7);
            put8(g, 0x05);
            put32(g, addr);
            put32(g, 0);
            insn_end(g, s);
            add_fixup(g, s->off + 6u, FIX_ABS32);
            plan_mem_at(g, &e, addr, 0, false);
        }
        emit(g, &e, FK_NONE, 4);
    }
}

/* ---- sequences ---- */

struct template {
    void (*fn)(struct gen *);
    unsigned weight;
};

static const struct template templates[] = {
    {t_alu, 12}, {t_alu_imm, 10}, {t_incdec, 4}, {t_not_neg, 3}, {t_test, 4}, {t_mov, 6},
    {t_movx, 3}, {t_xchg, 3}, {t_lea, 3}, {t_nop, 1}, {t_conv, 2}, {t_bswap, 1}, {t_shift, 12},
    {t_shxd, 5}, {t_mul, 5}, {t_div, 4}, {t_bt, 5}, {t_bsx, 3}, {t_setcc_cmov, 5}, {t_push, 3},
    {t_pop, 3}, {t_pusha_popa, 1}, {t_pushf_popf, 3}, {t_flagop, 3}, {t_string, 6}, {t_xlat, 1},
    {t_bcd, 4}, {t_xadd_cmpxchg, 4}, {t_cmpxchg8b, 1}, {t_enter_leave, 1}, {t_jump, 6},
    {t_arpl, 1}, {t_bound, 1},
};

static void fill_random(struct gen *g, uint8_t *p, unsigned n)
{
    for (unsigned i = 0; i < n; i += 8) {
        uint64_t v = rng_next(g->rng);
        memcpy(p + i, &v, n - i < 8 ? n - i : 8);
    }
}

void gen_sequence(uint64_t *rng, struct seq *s, uint8_t *mem)
{
    struct gen g = {.rng = rng, .s = s, .mem = mem};
    s->len = 0;
    s->n = 0;

    /* initial state */
    for (int r = 0; r < 8; r++)
        s->regs[r] = ival(&g);
    s->regs[ESP] = ESP_MIN + rn(&g, ESP_MAX - ESP_MIN);
    if (chance(&g, 75))
        s->regs[ESP] &= ~3u;
    s->eflags = 0x202 | (rnd(&g) & F_ARITH) | (chance(&g, 50) ? F_DF : 0);

    fill_random(&g, mem + DATA_BASE, DATA_LOWENT - DATA_BASE);
    static const uint8_t few[] = {0x00, 0x01, 0x7F, 0x80, 0xFF};
    for (uint32_t a = DATA_LOWENT; a < DATA_BASE + DATA_SIZE; a++)
        mem[a] = few[rn(&g, 5)];
    fill_random(&g, mem + STACK_BASE, STACK_SIZE);

    static unsigned total_weight;
    if (!total_weight)
        for (size_t i = 0; i < sizeof templates / sizeof templates[0]; i++)
            total_weight += templates[i].weight;

    unsigned groups = 1 + rn(&g, MAX_MAIN);
    for (unsigned k = 0; k < groups; k++) {
        g.group_off[g.ngroups++] = s->len;
        unsigned w = rn(&g, total_weight);
        size_t i = 0;
        while (w >= templates[i].weight)
            w -= templates[i++].weight;
        templates[i].fn(&g);
    }
    g.group_off[g.ngroups] = s->len;

    /* resolve the forward transfers: a later group boundary, rel8 ones within reach */
    for (unsigned f = 0; f < g.nfix; f++) {
        unsigned from = g.fix[f].group + 1u, next = g.group_off[from];
        unsigned cand[MAX_GROUPS + 1], nc = 0;
        for (unsigned k = from; k <= g.ngroups; k++)
            if (g.fix[f].kind != FIX_REL8 || g.group_off[k] - next <= 127)
                cand[nc++] = g.group_off[k];
        unsigned target = cand[rn(&g, nc)];
        uint8_t *p = s->code + g.fix[f].at;
        uint8_t kind = g.fix[f].kind;
        uint32_t v = kind == FIX_ABS32 || kind == FIX_ABS16 ? CODE_BASE + target : target - next;
        if (kind == FIX_REL8)
            p[0] = (uint8_t)v;
        else
            memcpy(p, &v, kind == FIX_REL16 || kind == FIX_ABS16 ? 2 : 4);
    }

    memset(mem + CODE_BASE, 0xF4, 0x1000);   /* HLT after the end */
    memcpy(mem + CODE_BASE, s->code, s->len);
}

/* ---- flags the SDM leaves undefined ---- */

static uint32_t read_le(const uint8_t *mem, uint32_t addr, unsigned size)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint32_t)mem[(addr + i) & (GUEST_MEM_SIZE - 1)] << (8 * i);
    return v;
}

static unsigned insn_count(const struct ginsn *in, const uint32_t regs[8])
{
    unsigned c = in->count >= 0 ? (unsigned)in->count : regs[ECX] & 0xFF;
    return c & 0x1F;   /* 386+: the count is masked to 5 bits */
}

struct flag_fx gen_flag_fx(const struct ginsn *in, const uint32_t regs[8], const uint8_t *mem)
{
    (void)mem;
    const uint32_t A = F_ARITH;
    unsigned bits = in->size * 8u;
    switch ((enum fkind)in->fkind) {
    case FK_NONE: return (struct flag_fx){0, 0};
    case FK_ARITH: return (struct flag_fx){A, 0};
    case FK_INCDEC: return (struct flag_fx){A & ~F_CF, 0};
    case FK_LOGIC: return (struct flag_fx){A, F_AF};
    case FK_SHIFT: {
        /* SDM Vol.2 SAL/SAR/SHL/SHR: count 0 affects nothing; AF undefined; OF undefined unless
         * the count is 1; CF undefined for SHL/SHR by the operand width or more. */
        unsigned c = insn_count(in, regs);
        if (c == 0)
            return (struct flag_fx){0, 0};
        uint32_t u = F_AF | (c != 1 ? F_OF : 0);
        if (in->shift_op != 7 && c >= bits)
            u |= F_CF;
        return (struct flag_fx){A, u};
    }
    case FK_ROT: {
        /* SDM Vol.2 RCL/RCR/ROL/ROR: only CF and OF; OF undefined for multi-bit rotates */
        unsigned c = insn_count(in, regs);
        if (c == 0)
            return (struct flag_fx){0, 0};
        return (struct flag_fx){F_CF | F_OF, c != 1 ? F_OF : 0};
    }
    case FK_SHXD: {
        /* SDM Vol.2 SHLD/SHRD: count 0 affects nothing; AF undefined; OF undefined for counts
         * above 1; everything undefined when the count exceeds the operand size. */
        unsigned c = insn_count(in, regs);
        if (c == 0)
            return (struct flag_fx){0, 0};
        if (c > bits)
            return (struct flag_fx){A, A};
        return (struct flag_fx){A, F_AF | (c != 1 ? F_OF : 0)};
    }
    case FK_MUL: return (struct flag_fx){A, F_SF | F_ZF | F_AF | F_PF};
    case FK_DIV: return (struct flag_fx){A, A};
    case FK_BT: return (struct flag_fx){A & ~F_ZF, F_OF | F_SF | F_AF | F_PF};
    case FK_BSX: return (struct flag_fx){A, A & ~F_ZF};
    case FK_DAA: return (struct flag_fx){A, F_OF};
    case FK_AAA: return (struct flag_fx){A, F_OF | F_SF | F_ZF | F_PF};
    case FK_AAM: return (struct flag_fx){A, F_OF | F_AF | F_CF};
    case FK_WRITE: return (struct flag_fx){A, 0};
    case FK_ZF: return (struct flag_fx){F_ZF, 0};
    }
    return (struct flag_fx){A, 0};
}

int gen_undef_reg(const struct ginsn *in, const uint32_t regs[8], const uint8_t *mem)
{
    if (in->fkind != FK_BSX)
        return -1;
    uint32_t m = in->size == 2 ? 0xFFFFu : 0xFFFFFFFFu;
    uint32_t v = in->src_reg >= 0 ? regs[in->src_reg] : read_le(mem, in->mem_addr, in->size);
    /* SDM Vol.2 BSF/BSR: "If the content of the source operand is 0, the content of the
     * destination operand is undefined." */
    return (v & m) == 0 ? in->dst_reg : -1;
}
