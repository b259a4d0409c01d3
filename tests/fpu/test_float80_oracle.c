/* core/float80 against the host's own x87 (issue 5): every basic operation on random operands,
 * biased toward special values, denormals, unsupported encodings and boundary exponents, under
 * every rounding and precision control; results and status-word bits must be identical.
 *
 *   test_float80_oracle [-n CASES] [--seed S] [-v]       live: host x87 vs float80 (x86-64 only)
 *   test_float80_oracle --record FILE [-n CASES]         live, and write the host's answers
 *   test_float80_oracle --replay FILE                    float80 vs recorded answers (any host)
 *
 * Exceptions are all masked on the host (FCW bits 5:0 set), so the masked responses are what is
 * compared. The status bits compared are the six exception flags and C0-C3; C0 C2 C3 are
 * undefined after arithmetic, and the host leaves them clear there (FNINIT before each case),
 * which is also what float80 reports. Exit status: 0 all passed, 1 mismatches, 77 skipped. */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/float80.h"

enum op {
    OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_SQRT,
    OP_RNDINT, OP_SCALE, OP_XTRACT, OP_PREM, OP_PREM1,
    OP_COM, OP_UCOM, OP_XAM,
    OP_FILD16, OP_FILD32, OP_FILD64,
    OP_FIST16, OP_FIST32, OP_FIST64,
    OP_FISTT16, OP_FISTT32, OP_FISTT64,
    OP_LD32, OP_LD64, OP_ST32, OP_ST64,
    OP_BLD, OP_BST, OP_CONST,
    OP_COUNT
};

static const char *const op_names[OP_COUNT] = {
    "fadd", "fsub", "fmul", "fdiv", "fsqrt",
    "frndint", "fscale", "fxtract", "fprem", "fprem1",
    "fcom", "fucom", "fxam",
    "fild16", "fild32", "fild64",
    "fist16", "fist32", "fist64",
    "fisttp16", "fisttp32", "fisttp64",
    "fld32", "fld64", "fst32", "fst64",
    "fbld", "fbstp", "fldconst",
};

/* Relative share of the cases (per thousand of the total). */
static const unsigned op_weight[OP_COUNT] = {
    110, 110, 110, 110, 60,
    40, 40, 20, 40, 40,
    30, 30, 15,
    8, 8, 8,
    20, 20, 20,
    10, 10, 10,
    15, 15, 35, 35,
    10, 20, 2,
};

#define SW_MASK 0x473Fu /* C3 C2 C1 C0 and the six exception flags */

/* One case and the oracle's answer: stored as 48 little-endian bytes in record files. */
struct rec {
    uint8_t op, rc, pc, masks; /* masks: FCW bits 5:0 */
    uint16_t sw;
    uint8_t a[10], b[10], r[10], r2[10];
};
#define REC_SIZE 48
static const char REC_MAGIC[16] = "jitpc-f80-rec-1";

static void rec_encode(const struct rec *c, uint8_t out[REC_SIZE])
{
    memset(out, 0, REC_SIZE);
    out[0] = c->op;
    out[1] = c->rc;
    out[2] = c->pc;
    out[3] = c->masks;
    out[4] = (uint8_t)c->sw;
    out[5] = (uint8_t)(c->sw >> 8);
    memcpy(out + 8, c->a, 10);
    memcpy(out + 18, c->b, 10);
    memcpy(out + 28, c->r, 10);
    memcpy(out + 38, c->r2, 10);
}

static void rec_decode(const uint8_t in[REC_SIZE], struct rec *c)
{
    c->op = in[0];
    c->rc = in[1];
    c->pc = in[2];
    c->masks = in[3];
    c->sw = (uint16_t)(in[4] | in[5] << 8);
    memcpy(c->a, in + 8, 10);
    memcpy(c->b, in + 18, 10);
    memcpy(c->r, in + 28, 10);
    memcpy(c->r2, in + 38, 10);
}

/* ---- byte helpers (the x87 memory formats are little-endian) ----------------------------- */

static uint64_t get_le(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static void put_le(uint8_t *p, int n, uint64_t v)
{
    for (int i = 0; i < n; i++, v >>= 8)
        p[i] = (uint8_t)v;
}

static struct f80 get_f80(const uint8_t p[10])
{
    return (struct f80){.m = get_le(p, 8), .se = (uint16_t)get_le(p + 8, 2)};
}

static void put_f80(uint8_t p[10], struct f80 v)
{
    put_le(p, 8, v.m);
    put_le(p + 8, 2, v.se);
}

/* ---- random operands ------------------------------------------------------------------------ */

static uint64_t rng_state;

static uint64_t rnd(void)
{
    /* splitmix64 */
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static unsigned rndn(unsigned n)
{
    return (unsigned)(rnd() % n);
}

/* A significand with structure: random, runs of ones or zeros, halfway patterns at the 24-,
 * 53- and 64-bit rounding positions, few set bits. Bit 63 is set (the caller clears it). */
static uint64_t gen_mant(void)
{
    uint64_t m;
    switch (rndn(10)) {
    case 0:
        m = ~0ull;
        break;
    case 1:
        m = 1ull << 63;
        break;
    case 2: { /* halfway or nearly halfway at a precision boundary */
        static const int cut[3] = {40, 11, 0};
        int c = cut[rndn(3)];
        m = rnd() & ~((c ? (1ull << c) : 1ull) - 1);
        if (c) {
            m |= 1ull << (c - 1);
            if (rndn(2))
                m |= rndn(2) ? 1 : (rnd() & ((1ull << (c - 1)) - 1));
        }
        break;
    }
    case 3: /* all ones below a precision boundary */
        m = rnd() | ((1ull << (rndn(2) ? 40 : 11)) - 1);
        break;
    case 4:
        m = (1ull << 63) | (1ull << rndn(63)) | (rndn(2) ? 1ull << rndn(63) : 0);
        break;
    case 5: /* a short significand, as small integers and f32/f64 values have */
        m = rnd() & ~((1ull << (rndn(2) ? 40 : 11)) - 1);
        break;
    default:
        m = rnd();
        break;
    }
    return m | 1ull << 63;
}

/* The special and boundary exponents of the extended format and of the PC/real formats. */
static int gen_exp(void)
{
    switch (rndn(12)) {
    case 0:
        return 1 + (int)rndn(4); /* smallest normals */
        break;
    case 1:
        return 0x7FFE - (int)rndn(4); /* largest normals */
    case 2:
        return 16383 + (int)rndn(130) - 65; /* near 1 */
    case 3:
        return (int)rndn(0x7FFF);
    case 4:
        return 16383 + (rndn(2) ? 1 : -1) * (126 + (int)rndn(30)); /* binary32 range ends */
    case 5:
        return 16383 + (rndn(2) ? 1 : -1) * (1022 + (int)rndn(60));
    case 6:
        return 1 + (int)rndn(70);
    case 7:
        return 0x7FFE - (int)rndn(70);
    default:
        return 16383 + (int)rndn(64) - 32;
    }
}

static struct f80 gen_f80(void)
{
    bool s = rndn(2);
    uint64_t m = gen_mant();
    int e;
    switch (rndn(40)) {
    case 0:
        return (struct f80){0, (uint16_t)(s << 15)};
    case 1: /* denormal */
        m = (m & ~(1ull << 63)) >> rndn(64);
        return (struct f80){m ? m : 1, (uint16_t)(s << 15)};
    case 2: /* pseudo-denormal */
        return (struct f80){m, (uint16_t)(s << 15)};
    case 3: /* unnormal or pseudo-zero */
        e = 1 + (int)rndn(0x7FFE);
        return (struct f80){rndn(4) ? (m & ~(1ull << 63)) >> rndn(8) : 0, (uint16_t)(s << 15 | e)};
    case 4: /* pseudo-infinity, pseudo-NaN */
        return (struct f80){rndn(3) ? m & ~(1ull << 63) : 0, (uint16_t)(s << 15 | 0x7FFF)};
    case 5:
    case 6:
        return (struct f80){1ull << 63, (uint16_t)(s << 15 | 0x7FFF)};
    case 7: /* QNaN */
        m |= 3ull << 62;
        if (rndn(3) == 0)
            m = 3ull << 62;
        return (struct f80){m, (uint16_t)(s << 15 | 0x7FFF)};
    case 8: /* SNaN */
        m = (m | 1ull << 63) & ~(1ull << 62);
        if (m == 1ull << 63)
            m |= 1;
        return (struct f80){m, (uint16_t)(s << 15 | 0x7FFF)};
    case 9:
    case 10: /* denormal with a small shift */
        m = (m & ~(1ull << 63)) >> rndn(3);
        return (struct f80){m ? m : 1, (uint16_t)(s << 15)};
    default:
        e = gen_exp();
        return (struct f80){m, (uint16_t)(s << 15 | e)};
    }
}

static int exp_of(struct f80 a)
{
    return a.se & 0x7FFF;
}

/* A second operand related to the first, so results hit cancellation, ties, the overflow and
 * underflow thresholds and exact zeros often. */
static struct f80 gen_related(struct f80 a, enum op op)
{
    struct f80 b = a;
    int ea = exp_of(a);
    switch (op) {
    case OP_ADD:
    case OP_SUB:
    case OP_COM:
    case OP_UCOM:
        switch (rndn(4)) {
        case 0:
            break;
        case 1:
            b.m ^= rnd() & ((1ull << rndn(64)) - 1);
            break;
        case 2:
            b.se = (uint16_t)((b.se & 0x8000) | ((ea + (int)rndn(130) - 65) & 0x7FFF));
            b.m = gen_mant();
            break;
        default:
            b.se ^= 0x8000;
            if (rndn(2))
                b.m ^= 1ull << rndn(12);
            break;
        }
        if (rndn(2))
            b.se ^= 0x8000;
        return b;
    case OP_MUL:
    case OP_DIV: {
        /* exponent sum or difference near the overflow and underflow thresholds */
        int target = rndn(2) ? 0x7FFE + (int)rndn(6) - 3 : (int)rndn(140) - 70;
        int eb = op == OP_MUL ? target - ea + 16383 : ea - target + 16383;
        if (eb < 1 || eb > 0x7FFE)
            eb = 1 + (int)rndn(0x7FFE);
        b.se = (uint16_t)(rndn(2) << 15 | eb);
        b.m = rndn(2) ? a.m : gen_mant();
        return b;
    }
    case OP_PREM:
    case OP_PREM1: {
        int d = rndn(8) == 0 ? (int)rndn(20000) : (int)rndn(70) - 2;
        int eb = ea - d;
        if (eb < 1 || eb > 0x7FFE)
            eb = 1 + (int)rndn(0x7FFE);
        b.se = (uint16_t)(rndn(2) << 15 | eb);
        b.m = gen_mant();
        return b;
    }
    default:
        return gen_f80();
    }
}

/* An extended value in integer range: exponent 16383 - 2 .. 16383 + 66. */
static struct f80 gen_intish(void)
{
    if (rndn(10) == 0)
        return gen_f80();
    int e = 16383 + (int)rndn(69) - 2;
    uint64_t m = gen_mant();
    if (rndn(3) == 0) /* an exact boundary of the 16/32/64-bit ranges */
        e = 16383 + (rndn(3) == 0 ? 15 : rndn(2) ? 31 : 63), m = 1ull << 63 | (rndn(2) ? 0 : rnd() >> 62);
    return (struct f80){m, (uint16_t)(rndn(2) << 15 | e)};
}

static struct f80 gen_scale_operand(void)
{
    switch (rndn(6)) {
    case 0:
        return gen_f80();
    case 1: /* large */
        return (struct f80){gen_mant(), (uint16_t)(rndn(2) << 15 | (16383 + 12 + (int)rndn(60)))};
    default: /* an integer or fraction up to 2^15 */
        return (struct f80){gen_mant(), (uint16_t)(rndn(2) << 15 | (16383 - 3 + (int)rndn(18)))};
    }
}

static uint64_t gen_ieee(int fracbits, int expbits)
{
    uint64_t v = rnd();
    uint64_t emax = (1ull << expbits) - 1;
    uint64_t frac = v & ((1ull << fracbits) - 1);
    uint64_t s = (v >> 63) << (fracbits + expbits);
    switch (rndn(6)) {
    case 0:
        return s | (rndn(2) ? frac >> rndn((unsigned)fracbits) : 0);
    case 1:
        return s | emax << fracbits | (rndn(3) ? frac : 0);
    default:
        return v & (((1ull << (fracbits + expbits)) << 1) - 1);
    }
}

static uint64_t gen_int(int bits)
{
    uint64_t v = rnd();
    switch (rndn(4)) {
    case 0:
        v >>= rndn(64);
        break;
    case 1:
        v = rndn(2) ? 1ull << (bits - 1) : (1ull << (bits - 1)) - rndn(3);
        break;
    default:
        break;
    }
    if (rndn(2))
        v = 0 - v;
    return v;
}

/* Operations tested with unmasked exceptions too: those whose destination is ST0 or memory
 * (an unmasked IE/DE/ZE leaves it unchanged, OE/UE deliver the bias-adjusted result to ST0 and
 * nothing to memory). Loads and FXTRACT change the stack shape and stay masked. */
static bool unmask_ok(enum op op)
{
    switch (op) {
    case OP_ADD: case OP_SUB: case OP_MUL: case OP_DIV: case OP_SQRT:
    case OP_RNDINT: case OP_SCALE: case OP_PREM: case OP_PREM1:
    case OP_FIST16: case OP_FIST32: case OP_FIST64:
    case OP_FISTT16: case OP_FISTT32: case OP_FISTT64:
    case OP_ST32: case OP_ST64: case OP_BST:
        return true;
    default:
        return false;
    }
}

static void gen_case(struct rec *c, enum op op)
{
    memset(c, 0, sizeof *c);
    c->op = (uint8_t)op;
    c->rc = (uint8_t)rndn(4);
    c->pc = (uint8_t)rndn(4);
    c->masks = 0x3F;
    if (unmask_ok(op) && rndn(4) == 0)
        c->masks = (uint8_t)rndn(64);
    struct f80 a = gen_f80(), b;
    switch (op) {
    case OP_RNDINT:
    case OP_FIST16:
    case OP_FIST32:
    case OP_FIST64:
    case OP_FISTT16:
    case OP_FISTT32:
    case OP_FISTT64:
    case OP_BST:
        a = gen_intish();
        break;
    case OP_ST32:
    case OP_ST64:
        if (rndn(3)) {
            int lim = op == OP_ST32 ? 126 : 1022, w = op == OP_ST32 ? 24 : 53;
            int e = 16383 + (rndn(2) ? lim + 1 - (int)rndn(3) : -lim - (int)rndn(w + 3));
            a = (struct f80){gen_mant(), (uint16_t)(rndn(2) << 15 | e)};
        }
        break;
    default:
        break;
    }
    b = rndn(3) ? gen_related(a, op) : gen_f80();
    if (op == OP_SCALE)
        b = gen_scale_operand();
    switch (op) {
    case OP_FILD16:
        put_le(c->a, 2, gen_int(16));
        break;
    case OP_FILD32:
        put_le(c->a, 4, gen_int(32));
        break;
    case OP_FILD64:
        put_le(c->a, 8, gen_int(64));
        break;
    case OP_LD32:
        put_le(c->a, 4, gen_ieee(23, 8));
        break;
    case OP_LD64:
        put_le(c->a, 8, gen_ieee(52, 11));
        break;
    case OP_BLD: /* valid packed BCD: 18 digits, sign byte */
        for (int i = 0; i < 9; i++)
            c->a[i] = (uint8_t)(rndn(10) << 4 | rndn(10));
        if (rndn(3) == 0)
            for (int i = 9 - (int)rndn(9); i < 9; i++)
                c->a[i] = 0;
        c->a[9] = rndn(2) ? 0x80 : 0;
        break;
    case OP_CONST:
        c->a[0] = (uint8_t)rndn(7);
        break;
    default:
        put_f80(c->a, a);
        put_f80(c->b, b);
        break;
    }
}

/* ---- the host x87 ------------------------------------------------------------------------- */

#if defined(__x86_64__)
#define HOST_ORACLE 1

typedef uint8_t tbyte[10];

/* FNINIT empties the stack and clears the flags; all exceptions stay masked (FCW 5:0 = 1). */
#define PRE "fninit\n\tfldcw %[cw]\n\t"
#define IN_A [a] "m"(*(const tbyte *)c->a)
#define IN_B [b] "m"(*(const tbyte *)c->b)
#define IN_CW [cw] "m"(cw)
#define OUT_R [r] "=m"(*(tbyte *)c->r)
#define OUT_R2 [r2] "=m"(*(tbyte *)c->r2)
#define OUT_SW [sw] "=m"(sw)

/* ST0 = a, ST1 = b, then the operation, the status word, ST0 stored, ST1 dropped. */
#define HOST2(body)                                                                                \
    __asm__ volatile(PRE "fldt %[b]\n\tfldt %[a]\n\t" body "\n\tfnstsw %[sw]\n\tfnclex\n\tfstpt %[r]\n\t"    \
                         "fstp %%st(0)"                                                            \
                     : OUT_SW, OUT_R : IN_A, IN_B, IN_CW : "memory")
/* ST0 = a, the operation, the status word, ST0 stored. */
#define HOST1(body)                                                                                \
    __asm__ volatile(PRE "fldt %[a]\n\t" body "\n\tfnstsw %[sw]\n\tfnclex\n\tfstpt %[r]"                     \
                     : OUT_SW, OUT_R : IN_A, IN_CW : "memory")
/* A store of ST0 = a to r. */
#define HOSTST(store)                                                                              \
    __asm__ volatile(PRE "fldt %[a]\n\t" store " %[r]\n\tfnstsw %[sw]"                             \
                     : OUT_SW, OUT_R : IN_A, IN_CW : "memory")
/* A load from a, then ST0 stored to r. */
#define HOSTLD(load)                                                                               \
    __asm__ volatile(PRE load " %[a]\n\tfnstsw %[sw]\n\tfnclex\n\tfstpt %[r]"                                \
                     : OUT_SW, OUT_R : IN_A, IN_CW : "memory")
#define HOSTK(insn)                                                                                \
    __asm__ volatile(PRE insn "\n\tfnstsw %[sw]\n\tfnclex\n\tfstpt %[r]" : OUT_SW, OUT_R : IN_CW : "memory")

static void host_run(struct rec *c)
{
    uint16_t cw = (uint16_t)(c->masks | 0x40 | c->pc << 8 | c->rc << 10);
    uint16_t sw = 0;
    memset(c->r, 0, 10);
    memset(c->r2, 0, 10);
    switch (c->op) {
    case OP_ADD:
        HOST2(".byte 0xD8, 0xC1"); /* FADD ST(0), ST(1) */
        break;
    case OP_SUB:
        HOST2(".byte 0xD8, 0xE1"); /* FSUB ST(0), ST(1): ST0 - ST1 */
        break;
    case OP_MUL:
        HOST2(".byte 0xD8, 0xC9");
        break;
    case OP_DIV:
        HOST2(".byte 0xD8, 0xF1"); /* FDIV ST(0), ST(1): ST0 / ST1 */
        break;
    case OP_SQRT:
        HOST1("fsqrt");
        break;
    case OP_RNDINT:
        HOST1("frndint");
        break;
    case OP_SCALE:
        HOST2("fscale");
        break;
    case OP_PREM:
        HOST2("fprem");
        break;
    case OP_PREM1:
        HOST2("fprem1");
        break;
    case OP_COM:
        HOST2("fcom %%st(1)");
        break;
    case OP_UCOM:
        HOST2("fucom %%st(1)");
        break;
    case OP_XTRACT: /* ST0 = significand, ST1 = exponent */
        __asm__ volatile(PRE "fldt %[a]\n\tfxtract\n\tfnstsw %[sw]\n\tfnclex\n\tfstpt %[r]\n\tfstpt %[r2]"
                         : OUT_SW, OUT_R, OUT_R2 : IN_A, IN_CW : "memory");
        break;
    case OP_XAM:
        if (c->b[0] & 1) /* an empty register */
            __asm__ volatile(PRE "fxam\n\tfnstsw %[sw]" : OUT_SW : IN_CW : "memory");
        else
            __asm__ volatile(PRE "fldt %[a]\n\tfxam\n\tfnstsw %[sw]\n\tfnclex\n\tfstp %%st(0)"
                             : OUT_SW : IN_A, IN_CW : "memory");
        break;
    case OP_FILD16:
        HOSTLD("filds");
        break;
    case OP_FILD32:
        HOSTLD("fildl");
        break;
    case OP_FILD64:
        HOSTLD("fildll");
        break;
    case OP_FIST16:
        HOSTST("fistps");
        break;
    case OP_FIST32:
        HOSTST("fistpl");
        break;
    case OP_FIST64:
        HOSTST("fistpll");
        break;
    case OP_FISTT16:
        HOSTST("fisttps");
        break;
    case OP_FISTT32:
        HOSTST("fisttpl");
        break;
    case OP_FISTT64:
        HOSTST("fisttpll");
        break;
    case OP_LD32:
        HOSTLD("flds");
        break;
    case OP_LD64:
        HOSTLD("fldl");
        break;
    case OP_ST32:
        HOSTST("fstps");
        break;
    case OP_ST64:
        HOSTST("fstpl");
        break;
    case OP_BLD:
        HOSTLD("fbld");
        break;
    case OP_BST:
        HOSTST("fbstp");
        break;
    case OP_CONST:
        switch (c->a[0]) {
        case 0:
            HOSTK("fld1");
            break;
        case 1:
            HOSTK("fldl2t");
            break;
        case 2:
            HOSTK("fldl2e");
            break;
        case 3:
            HOSTK("fldpi");
            break;
        case 4:
            HOSTK("fldlg2");
            break;
        case 5:
            HOSTK("fldln2");
            break;
        default:
            HOSTK("fldz");
            break;
        }
        break;
    default:
        break;
    }
    __asm__ volatile("fninit" ::: "memory");
    c->sw = sw & SW_MASK;
}
#else
#define HOST_ORACLE 0
/* No x87 here: only --replay compares anything; the live path below is never reached. */
static void host_run(struct rec *c)
{
    (void)c;
}
#endif

/* ---- float80 -------------------------------------------------------------------------------- */

/* The same case through core/float80; fills r, r2 and returns the status bits. */
static uint16_t model_run(const struct rec *c, uint8_t r[10], uint8_t r2[10])
{
    struct f80_ctx ctx = {.rc = c->rc, .pc = c->pc, .masks = c->masks};
    struct f80 a = get_f80(c->a), b = get_f80(c->b), x = {0, 0};
    uint16_t cc = 0;
    bool store_x = true;
    memset(r, 0, 10);
    memset(r2, 0, 10);
    switch (c->op) {
    case OP_ADD:
        x = f80_add(a, b, &ctx);
        break;
    case OP_SUB:
        x = f80_sub(a, b, &ctx);
        break;
    case OP_MUL:
        x = f80_mul(a, b, &ctx);
        break;
    case OP_DIV:
        x = f80_div(a, b, &ctx);
        break;
    case OP_SQRT:
        x = f80_sqrt(a, &ctx);
        break;
    case OP_RNDINT:
        x = f80_round_int(a, &ctx);
        break;
    case OP_SCALE:
        x = f80_scale(a, b, &ctx);
        break;
    case OP_PREM:
    case OP_PREM1:
        x = f80_rem(a, b, c->op == OP_PREM1, &cc, &ctx);
        ctx.c1 = false; /* C1 is in cc */
        break;
    case OP_COM:
    case OP_UCOM:
        cc = f80_compare(a, b, c->op == OP_UCOM, &ctx);
        x = a;
        break;
    case OP_XTRACT: {
        struct f80 e;
        x = f80_xtract(a, &e, &ctx);
        put_f80(r2, e);
        break;
    }
    case OP_XAM:
        /* For an empty register C1 is the sign of its stale contents, which the host test
         * cannot control: c->b[0] & 1 (empty) cases compare C1 as the host's. */
        cc = f80_examine(a, c->b[0] & 1);
        if (c->b[0] & 1)
            cc = (uint16_t)((cc & ~0x0200) | (c->sw & 0x0200));
        ctx.flags = 0;
        ctx.c1 = false;
        store_x = false;
        break;
    case OP_FILD16:
        x = f80_from_i64((int16_t)get_le(c->a, 2));
        break;
    case OP_FILD32:
        x = f80_from_i64((int32_t)get_le(c->a, 4));
        break;
    case OP_FILD64:
        x = f80_from_i64((int64_t)get_le(c->a, 8));
        break;
    case OP_FIST16:
    case OP_FIST32:
    case OP_FIST64:
    case OP_FISTT16:
    case OP_FISTT32:
    case OP_FISTT64: {
        static const unsigned bits[3] = {16, 32, 64};
        bool trunc = c->op >= OP_FISTT16;
        unsigned n = bits[(c->op - OP_FIST16) % 3];
        int64_t v = trunc ? f80_to_i64_trunc(a, n, &ctx) : f80_to_i64(a, n, &ctx);
        put_le(r, (int)n / 8, (uint64_t)v);
        store_x = false;
        break;
    }
    case OP_LD32:
        x = f80_from_f32((uint32_t)get_le(c->a, 4), &ctx);
        break;
    case OP_LD64:
        x = f80_from_f64(get_le(c->a, 8), &ctx);
        break;
    case OP_ST32:
        put_le(r, 4, f80_to_f32(a, &ctx));
        store_x = false;
        break;
    case OP_ST64:
        put_le(r, 8, f80_to_f64(a, &ctx));
        store_x = false;
        break;
    case OP_BLD:
        x = f80_from_bcd(c->a);
        break;
    case OP_BST:
        f80_to_bcd(a, r, &ctx);
        store_x = false;
        break;
    case OP_CONST:
        x = f80_const(c->a[0] == 6 ? 6 : c->a[0], (enum f80_rc)c->rc);
        break;
    default:
        break;
    }
    /* SDM Vol.1 4.9.2: an unmasked IE, DE or ZE leaves the destination unchanged; an unmasked
     * OE or UE on a store to memory stores nothing. */
    uint8_t unmasked = ctx.flags & ~c->masks;
    if (unmasked & (F80_IE | F80_DE | F80_ZE)) {
        x = a;
        memset(r, 0, 10);
    } else if ((unmasked & (F80_OE | F80_UE)) && !store_x) {
        memset(r, 0, 10);
    }
    if (store_x)
        put_f80(r, x);
    return (uint16_t)((ctx.flags | (ctx.c1 ? 0x0200 : 0) | cc) & SW_MASK);
}

/* ---- driver --------------------------------------------------------------------------------- */

static unsigned long n_cases[OP_COUNT], n_fail[OP_COUNT];
/* How often the oracle reported each status bit, to show the cases reach them. */
static const struct {
    uint16_t bit;
    const char *name;
} sw_bits[] = {{0x01, "IE"}, {0x02, "DE"}, {0x04, "ZE"}, {0x08, "OE"}, {0x10, "UE"},
               {0x20, "PE"}, {0x200, "C1"}, {0x400, "C2"}};
static unsigned long n_bit[sizeof sw_bits / sizeof sw_bits[0]];
static unsigned long n_unmasked;
static int verbose;

static void hex10(const uint8_t p[10], char out[24])
{
    snprintf(out, 24, "%04x:%016" PRIx64, (unsigned)get_le(p + 8, 2), get_le(p, 8));
}

static void check(const struct rec *c, unsigned long idx)
{
    uint8_t r[10], r2[10];
    uint16_t sw = model_run(c, r, r2);
    n_cases[c->op]++;
    for (size_t i = 0; i < sizeof sw_bits / sizeof sw_bits[0]; i++)
        n_bit[i] += (c->sw & sw_bits[i].bit) != 0;
    n_unmasked += c->masks != 0x3F;
    if (sw == c->sw && !memcmp(r, c->r, 10) && !memcmp(r2, c->r2, 10))
        return;
    n_fail[c->op]++;
    if (n_fail[c->op] > (verbose ? 40u : 3u))
        return;
    char a[24], b[24], er[24], gr[24], er2[24], gr2[24];
    hex10(c->a, a);
    hex10(c->b, b);
    hex10(c->r, er);
    hex10(r, gr);
    hex10(c->r2, er2);
    hex10(r2, gr2);
    printf("MISMATCH #%lu %s a=%s b=%s rc=%u pc=%u masks=%02x: expected %s %s sw=%04x, "
           "got %s %s sw=%04x\n",
           idx, op_names[c->op], a, b, c->rc, c->pc, c->masks, er, er2, c->sw, gr, gr2, sw);
}

static enum op pick_op(unsigned long i, unsigned long total)
{
    /* ops in blocks by weight, so each gets its share whatever the total */
    unsigned long long sum = 0, all = 0;
    for (int o = 0; o < OP_COUNT; o++)
        all += op_weight[o];
    unsigned long long pos = (unsigned long long)i * all / (total ? total : 1);
    for (int o = 0; o < OP_COUNT; o++) {
        sum += op_weight[o];
        if (pos < sum)
            return (enum op)o;
    }
    return OP_ADD;
}

int main(int argc, char **argv)
{
    unsigned long total = 1200000;
    uint64_t seed = 0x5EED0F80u;
    const char *record = NULL, *replay = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-n") && i + 1 < argc)
            total = strtoul(argv[++i], NULL, 0);
        else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
            seed = strtoull(argv[++i], NULL, 0);
        else if (!strcmp(argv[i], "--record") && i + 1 < argc)
            record = argv[++i];
        else if (!strcmp(argv[i], "--replay") && i + 1 < argc)
            replay = argv[++i];
        else if (!strcmp(argv[i], "-v"))
            verbose = 1;
        else {
            fprintf(stderr, "usage: %s [-n CASES] [--seed S] [-v] [--record FILE | --replay FILE]\n",
                    argv[0]);
            return 2;
        }
    }
    clock_t t0 = clock();
    if (replay) {
        FILE *f = fopen(replay, "rb");
        char magic[16];
        if (!f || fread(magic, 1, 16, f) != 16 || memcmp(magic, REC_MAGIC, 16)) {
            fprintf(stderr, "test_float80_oracle: %s: not a record file\n", replay);
            return 2;
        }
        uint8_t buf[REC_SIZE];
        unsigned long i = 0;
        struct rec c;
        while (fread(buf, 1, REC_SIZE, f) == REC_SIZE) {
            rec_decode(buf, &c);
            if (c.op >= OP_COUNT) {
                fprintf(stderr, "test_float80_oracle: %s: bad record %lu\n", replay, i);
                return 2;
            }
            check(&c, i++);
        }
        fclose(f);
    } else {
        if (!HOST_ORACLE) {
            printf("float80: no host x87 on this machine; use --replay FILE\n");
            return 77;
        }
        FILE *f = NULL;
        if (record) {
            f = fopen(record, "wb");
            if (!f || fwrite(REC_MAGIC, 1, 16, f) != 16) {
                fprintf(stderr, "test_float80_oracle: %s: cannot write\n", record);
                return 2;
            }
        }
        rng_state = seed;
        for (unsigned long i = 0; i < total; i++) {
            struct rec c;
            gen_case(&c, pick_op(i, total));
            if (c.op == OP_XAM)
                c.b[0] = rndn(16) == 0; /* sometimes an empty register */
            host_run(&c);
            if (f) {
                uint8_t buf[REC_SIZE];
                rec_encode(&c, buf);
                fwrite(buf, 1, REC_SIZE, f);
            }
            check(&c, i);
        }
        if (f && fclose(f)) {
            fprintf(stderr, "test_float80_oracle: %s: write error\n", record);
            return 2;
        }
    }
    unsigned long pass = 0, fail = 0;
    for (int o = 0; o < OP_COUNT; o++) {
        if (!n_cases[o])
            continue;
        printf("  %-9s %8lu cases %6lu failed\n", op_names[o], n_cases[o], n_fail[o]);
        pass += n_cases[o] - n_fail[o];
        fail += n_fail[o];
    }
    printf("  status bits reported:");
    for (size_t i = 0; i < sizeof sw_bits / sizeof sw_bits[0]; i++)
        printf(" %s %lu", sw_bits[i].name, n_bit[i]);
    printf("; cases with unmasked exceptions %lu\n", n_unmasked);
    printf("float80: %lu passed, %lu failed (%.2f s)\n", pass, fail,
           (double)(clock() - t0) / CLOCKS_PER_SEC);
    return fail ? 1 : 0;
}
