/* x86 instruction decoder for 16- and 32-bit code.
 *
 * Opcode maps: SDM Vol.2 appendix A (tables ). Only the lengths and operand shapes are
 * decided here; what an instruction does is the interpreter's business. The CPU model is an
 * i686 without MMX/SSE, so those parts of the 0F map decode as #UD. */
#include "decode.h"

#include <string.h>

#define R_BP16 5 /* register number of (E)BP */

/* Per-opcode shape. */
enum {
    A_MODRM = 1 << 0,
    A_IB = 1 << 1,      /* imm8 */
    A_IZ = 1 << 2,      /* imm16/imm32 by operand size */
    A_IW = 1 << 3,      /* imm16 regardless of operand size */
    A_FAR = 1 << 4,     /* ptr16:16/ptr16:32: IZ offset + 16-bit selector */
    A_MOFFS = 1 << 5,   /* moffs by address size */
    A_ENTER = 1 << 6,   /* imm16 + imm8 */
    A_UD = 1 << 7,      /* undefined in this CPU model */
    A_GRP3 = 1 << 8,    /* F6/F7: /0 and /1 carry an immediate (IB or IZ by opcode) */
    A_LOCKABLE = 1 << 9,/* LOCK allowed with a memory destination (SDM Vol.2 LOCK) */
    A_MODREG = 1 << 10, /* MOV CRn/DRn: ModRM always names registers, mod is ignored */
    A_PREFIX = 1 << 11,
};

#define M A_MODRM
#define MB (A_MODRM | A_IB)
#define MZ (A_MODRM | A_IZ)
#define ML (A_MODRM | A_LOCKABLE)
#define U A_UD

static const uint16_t one_byte[256] = {
    /* 00 */ ML, ML, M, M, A_IB, A_IZ, 0, 0, ML, ML, M, M, A_IB, A_IZ, 0, 0,
    /* 10 */ ML, ML, M, M, A_IB, A_IZ, 0, 0, ML, ML, M, M, A_IB, A_IZ, 0, 0,
    /* 20 */ ML, ML, M, M, A_IB, A_IZ, A_PREFIX, 0, ML, ML, M, M, A_IB, A_IZ, A_PREFIX, 0,
    /* 30 */ ML, ML, M, M, A_IB, A_IZ, A_PREFIX, 0, M, M, M, M, A_IB, A_IZ, A_PREFIX, 0,
    /* 40 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    /* 50 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    /* 60 */ 0, 0, M, M, A_PREFIX, A_PREFIX, A_PREFIX, A_PREFIX, A_IZ, MZ, A_IB, MB, 0, 0, 0, 0,
    /* 70 */ A_IB, A_IB, A_IB, A_IB, A_IB, A_IB, A_IB, A_IB,
             A_IB, A_IB, A_IB, A_IB, A_IB, A_IB, A_IB, A_IB,
    /* 80 */ MB | A_LOCKABLE, MZ | A_LOCKABLE, MB | A_LOCKABLE, MB | A_LOCKABLE, M, M, ML, ML,
             M, M, M, M, M, M, M, M,
    /* 90 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, A_FAR, 0, 0, 0, 0, 0,
    /* A0 */ A_MOFFS, A_MOFFS, A_MOFFS, A_MOFFS, 0, 0, 0, 0, A_IB, A_IZ, 0, 0, 0, 0, 0, 0,
    /* B0 */ A_IB, A_IB, A_IB, A_IB, A_IB, A_IB, A_IB, A_IB,
             A_IZ, A_IZ, A_IZ, A_IZ, A_IZ, A_IZ, A_IZ, A_IZ,
    /* C0 */ MB, MB, A_IW, 0, M, M, MB, MZ, A_ENTER, 0, A_IW, 0, 0, A_IB, 0, 0,
    /* D0 */ M, M, M, M, A_IB, A_IB, 0, 0, M, M, M, M, M, M, M, M,
    /* E0 */ A_IB, A_IB, A_IB, A_IB, A_IB, A_IB, A_IB, A_IB, A_IZ, A_IZ, A_FAR, A_IB, 0, 0, 0, 0,
    /* F0 */ A_PREFIX, 0, A_PREFIX, A_PREFIX, 0, 0, M | A_GRP3 | A_LOCKABLE, M | A_GRP3 | A_LOCKABLE,
             0, 0, 0, 0, 0, 0, ML, ML,
};

static const uint16_t two_byte[256] = {
    /* 00 */ M, M, M, M, U, U, 0, U, 0, 0, U, U, U, M | U, U, U,
    /* 10 */ M | U, M | U, M | U, M | U, M | U, M | U, M | U, M | U, M, M, M, M, M, M, M, M,
    /* 20 */ A_MODREG, A_MODREG, A_MODREG, A_MODREG, U, U, U, U,
             M | U, M | U, M | U, M | U, M | U, M | U, M | U, M | U,
    /* 30 */ 0, 0, 0, 0, 0, 0, U, U, U, U, U, U, U, U, U, U,
    /* 40 */ M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M,
    /* 50 */ M | U, M | U, M | U, M | U, M | U, M | U, M | U, M | U,
             M | U, M | U, M | U, M | U, M | U, M | U, M | U, M | U,
    /* 60 */ M | U, M | U, M | U, M | U, M | U, M | U, M | U, M | U,
             M | U, M | U, M | U, M | U, M | U, M | U, M | U, M | U,
    /* 70 */ MB | U, MB | U, MB | U, MB | U, M | U, M | U, M | U, U,
             U, U, U, U, M | U, M | U, M | U, M | U,
    /* 80 */ A_IZ, A_IZ, A_IZ, A_IZ, A_IZ, A_IZ, A_IZ, A_IZ,
             A_IZ, A_IZ, A_IZ, A_IZ, A_IZ, A_IZ, A_IZ, A_IZ,
    /* 90 */ M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M,
    /* A0 */ 0, 0, 0, M, MB, M, U, U, 0, 0, U, ML, MB, M, M | U, M,
    /* B0 */ ML, ML, M, ML, M, M, M, M, U, M | U, MB | A_LOCKABLE, ML, M, M, M, M,
    /* C0 */ ML, ML, MB | U, M | U, MB | U, MB | U, MB | U, ML,
             0, 0, 0, 0, 0, 0, 0, 0,
    /* D0 */ M | U, M | U, M | U, M | U, M | U, M | U, M | U, M | U,
             M | U, M | U, M | U, M | U, M | U, M | U, M | U, M | U,
    /* E0 */ M | U, M | U, M | U, M | U, M | U, M | U, M | U, M | U,
             M | U, M | U, M | U, M | U, M | U, M | U, M | U, M | U,
    /* F0 */ M | U, M | U, M | U, M | U, M | U, M | U, M | U, M | U,
             M | U, M | U, M | U, M | U, M | U, M | U, M | U, U,
};

#undef M
#undef MB
#undef MZ
#undef ML
#undef U

struct cursor {
    insn_fetch_fn fetch;
    void *opaque;
    unsigned pos;
    bool too_long;
};

static uint8_t next8(struct cursor *c)
{
    if (c->pos >= INSN_MAX_LEN) {
        c->too_long = true;
        return 0;
    }
    return c->fetch(c->opaque, c->pos++);
}

static uint32_t next16(struct cursor *c)
{
    uint32_t lo = next8(c);
    return lo | (uint32_t)next8(c) << 8;
}

static uint32_t next32(struct cursor *c)
{
    uint32_t lo = next16(c);
    return lo | next16(c) << 16;
}

/* ModRM/SIB/displacement: SDM Vol.2 tables 2-1 (16-bit) and 2-2/2-3 (32-bit). */
static void decode_modrm(struct insn *in, struct cursor *c, bool force_reg)
{
    uint8_t modrm = next8(c);
    in->mod = modrm >> 6;
    in->reg = (modrm >> 3) & 7;
    in->rm = modrm & 7;
    if (force_reg)
        in->mod = 3;
    if (in->mod == 3)
        return;

    struct insn_ea *ea = &in->ea;
    bool stack_based = false;
    ea->base = -1;
    ea->index = -1;
    ea->scale = 0;
    if (!in->adsize32) {
        static const int8_t base16[8] = {3, 3, 5, 5, 6, 7, 5, 3};      /* BX BX BP BP SI DI BP BX */
        static const int8_t index16[8] = {6, 7, 6, 7, -1, -1, -1, -1}; /* SI DI SI DI */
        if (in->mod == 0 && in->rm == 6) {
            in->disp = next16(c);
        } else {
            ea->base = base16[in->rm];
            ea->index = index16[in->rm];
            stack_based = ea->base == R_BP16;
            if (in->mod == 1)
                in->disp = (uint32_t)(int32_t)(int8_t)next8(c) & 0xFFFF;
            else if (in->mod == 2)
                in->disp = next16(c);
        }
    } else {
        uint8_t base = in->rm;
        if (in->rm == 4) {
            uint8_t sib = next8(c);
            ea->scale = sib >> 6;
            ea->index = ((sib >> 3) & 7) == 4 ? -1 : (sib >> 3) & 7;
            base = sib & 7;
            if (base == 5 && in->mod == 0) {
                in->disp = next32(c);
                base = 0xFF;
            }
        } else if (in->rm == 5 && in->mod == 0) {
            in->disp = next32(c);
            base = 0xFF;
        }
        if (base != 0xFF) {
            ea->base = base;
            stack_based = base == 4 || base == 5;
        }
        if (in->mod == 1)
            in->disp = (uint32_t)(int32_t)(int8_t)next8(c);
        else if (in->mod == 2)
            in->disp = next32(c);
    }
    ea->seg = in->seg_override != SEG_NONE ? in->seg_override : stack_based ? SEG_SS : SEG_DS;
}

/* Blank cells of the x87 opcode maps (SDM Vol.2 A.5, tables) raise #UD; so does
 * FISTTP (DB/DD/DF /1 with memory), which is SSE3 and beyond this model. */
static bool x87_invalid(unsigned op, unsigned mod, unsigned reg, unsigned rm)
{
    if (mod != 3) {
        switch (op) {
        case 0xD9: return reg == 1;
        case 0xDB: return reg == 1 || reg == 4 || reg == 6;
        case 0xDD: return reg == 1 || reg == 5;
        case 0xDF: return reg == 1;
        default: return false;
        }
    }
    unsigned low = reg << 3 | rm; /* the second byte minus 0xC0 */
    switch (op) {
    case 0xD9:
        return (low >= 0x11 && low <= 0x17) || low == 0x22 || low == 0x23 || low == 0x26 || low == 0x27 ||
               low == 0x2F;
    case 0xDA: return low >= 0x20 && low != 0x29;
    case 0xDB: return (low >= 0x25 && low <= 0x27) || low >= 0x38;
    case 0xDD: return low >= 0x30;
    case 0xDE: return low == 0x18 || (low >= 0x1A && low <= 0x1F);
    case 0xDF: return (low >= 0x21 && low <= 0x27) || low >= 0x38;
    default: return false;
    }
}

/* Encodings that exist in the map but are invalid for a given ModRM (SDM Vol.2 A.4, opcode
 * extension table A-6, and the individual instruction pages). */
static bool invalid_form(const struct insn *in)
{
    bool reg_form = in->mod == 3;
    switch (in->op) {
    case 0x62: case 0x8D: case 0xC4: case 0xC5:  /* BOUND LEA LES LDS need memory */
        return reg_form;
    case 0x8C:
        return in->reg > 5;
    case 0x8E:                                    /* MOV CS,r/m is invalid */
        return in->reg > 5 || in->reg == SEG_CS;
    case 0x8F: case 0xC6: case 0xC7:
        return in->reg != 0;
    case 0xFE:
        return in->reg > 1;
    case 0xFF:
        return in->reg == 7 || (reg_form && (in->reg == 3 || in->reg == 5));
    case OP_0F + 0x00:
        return in->reg > 5;
    case OP_0F + 0x01:
        return in->reg == 5 || (reg_form && in->reg != 4 && in->reg != 6);
    case OP_0F + 0xB2: case OP_0F + 0xB4: case OP_0F + 0xB5: /* LSS LFS LGS */
        return reg_form;
    case OP_0F + 0xBA:
        return in->reg < 4;
    case OP_0F + 0xC7:
        return in->reg != 1 || reg_form;
    case OP_0F + 0x20: case OP_0F + 0x22:         /* CR1, CR5-CR7 do not exist */
        return in->reg == 1 || in->reg > 4;
    case 0xD8: case 0xD9: case 0xDA: case 0xDB: case 0xDC: case 0xDD: case 0xDE: case 0xDF:
        return x87_invalid(in->op, in->mod, in->reg, in->rm);
    default:
        return false;
    }
}

static bool lock_allowed(const struct insn *in, uint16_t attr)
{
    if (!(attr & A_LOCKABLE) || in->mod == 3)
        return false;
    switch (in->op) {
    case 0x80: case 0x81: case 0x82: case 0x83:
        return in->reg != 7;                      /* CMP writes nothing */
    case 0xF6: case 0xF7:
        return in->reg == 2 || in->reg == 3;      /* NOT, NEG */
    case 0xFE: case 0xFF:
        return in->reg <= 1;                      /* INC, DEC */
    case OP_0F + 0xBA:
        return in->reg >= 5;                      /* BTS BTR BTC, not BT */
    case OP_0F + 0xC7:
        return in->reg == 1;
    default:
        return true;
    }
}

void decode_insn(struct insn *in, bool code32, insn_fetch_fn fetch, void *opaque)
{
    struct cursor c = {fetch, opaque, 0, false};
    memset(in, 0, sizeof(*in));
    in->seg_override = SEG_NONE;
    in->opsize32 = code32;
    in->adsize32 = code32;
    in->ea.seg = SEG_DS;

    uint8_t b;
    for (;;) {
        b = next8(&c);
        if (c.too_long)
            goto too_long;
        switch (b) {
        case 0x26: in->seg_override = SEG_ES; break;
        case 0x2E: in->seg_override = SEG_CS; break;
        case 0x36: in->seg_override = SEG_SS; break;
        case 0x3E: in->seg_override = SEG_DS; break;
        case 0x64: in->seg_override = SEG_FS; break;
        case 0x65: in->seg_override = SEG_GS; break;
        case 0x66: in->opsize32 = !code32; break;
        case 0x67: in->adsize32 = !code32; break;
        case 0xF0: in->lock = 1; break;
        case 0xF2: case 0xF3: in->rep = b; break;
        default: goto opcode;
        }
        in->nprefixes++;
    }
opcode:;
    uint16_t attr;
    if (b == 0x0F) {
        b = next8(&c);
        in->op = OP_0F | b;
        attr = two_byte[b];
    } else {
        in->op = b;
        attr = one_byte[b];
    }
    if (attr & (A_MODRM | A_MODREG)) {
        decode_modrm(in, &c, attr & A_MODREG);
        in->has_modrm = 1;
    }
    if ((attr & A_GRP3) && in->reg < 2)
        attr |= (in->op & 1) ? A_IZ : A_IB;
    if (attr & A_MOFFS)
        in->disp = in->adsize32 ? next32(&c) : next16(&c);
    if (attr & (A_IZ | A_FAR))
        in->imm = in->opsize32 ? next32(&c) : next16(&c);
    if (attr & A_IW)
        in->imm = next16(&c);
    if (attr & A_IB)
        in->imm = next8(&c);
    if (attr & A_FAR)
        in->imm2 = next16(&c);
    if (attr & A_ENTER) {
        in->imm = next16(&c);
        in->imm2 = next8(&c);
    }
    if (c.too_long)
        goto too_long;
    in->len = (uint8_t)c.pos;
    if ((attr & A_UD) || (in->has_modrm && invalid_form(in)) || (in->lock && !lock_allowed(in, attr)))
        in->error = INSN_UD;
    return;

too_long:
    in->len = INSN_MAX_LEN;
    in->error = INSN_TOO_LONG;
}

struct buf_src {
    const uint8_t *buf;
    unsigned n;
};

static uint8_t buf_fetch(void *opaque, unsigned i)
{
    const struct buf_src *s = opaque;
    return i < s->n ? s->buf[i] : 0;
}

void decode_buf(struct insn *in, bool code32, const uint8_t *buf, unsigned n)
{
    struct buf_src s = {buf, n};
    decode_insn(in, code32, buf_fetch, &s);
}
