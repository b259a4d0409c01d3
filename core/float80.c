/* 80-bit extended-precision arithmetic in software (issue 5). Integer arithmetic only, so every
 * host gives the x87's bits; tests/fpu/test_float80_oracle.c checks them against the host x87.
 *
 * References: SDM Vol.1 4.2.2 and 4.8 (formats, special values, unsupported encodings), 4.9
 * (exceptions and masked responses), 8.1.5 (precision and rounding control), 8.3.x, and each
 * instruction's page in Vol.2. Where the manual leaves a choice open (tininess, NaN priority,
 * FPREM's partial step), the host x87 was the arbiter; those places say so. */
#include "float80.h"

typedef unsigned __int128 u128;

#define BIAS 16383
#define EXP_INF 0x7FFF
#define INT_BIT (1ull << 63)
#define QUIET_BIT (1ull << 62)
#define UNMASKED_BIAS 24576 /* SDM Vol.1 4.9.1.4/4.9.1.5: unmasked OE/UE exponent adjust */

enum cls { CL_ZERO, CL_NORMAL, CL_DENORMAL, CL_INF, CL_QNAN, CL_SNAN, CL_UNSUPPORTED };

/* A finite non-zero value, normalised: m has bit 63 set, value = m / 2^63 * 2^e (e unbiased,
 * may lie below the format's minimum for denormal operands). */
struct unp {
    bool s;
    int32_t e;
    uint64_t m;
};

static bool sign_of(struct f80 a)
{
    return a.se >> 15;
}

static int exp_of(struct f80 a)
{
    return a.se & 0x7FFF;
}

static struct f80 make(bool s, int e, uint64_t m)
{
    return (struct f80){.m = m, .se = (uint16_t)((s ? 0x8000u : 0u) | (unsigned)e)};
}

static struct f80 zero(bool s)
{
    return make(s, 0, 0);
}

static struct f80 inf(bool s)
{
    return make(s, EXP_INF, INT_BIT);
}

/* The QNaN "real indefinite" (SDM Vol.1 table 4-3). */
static struct f80 indefinite(void)
{
    return make(true, EXP_INF, INT_BIT | QUIET_BIT);
}

static enum cls classify(struct f80 a)
{
    int e = exp_of(a);
    if (e == 0)
        return a.m == 0 ? CL_ZERO : CL_DENORMAL; /* pseudo-denormals (bit 63 set) too */
    if (!(a.m & INT_BIT))
        return CL_UNSUPPORTED; /* unnormal, pseudo-zero, pseudo-infinity, pseudo-NaN */
    if (e == EXP_INF) {
        if ((a.m << 1) == 0)
            return CL_INF;
        return (a.m & QUIET_BIT) ? CL_QNAN : CL_SNAN;
    }
    return CL_NORMAL;
}

static bool is_nan_cls(enum cls c)
{
    return c == CL_QNAN || c == CL_SNAN;
}

static int clz64(uint64_t x)
{
    return __builtin_clzll(x);
}

static int clz128(u128 x)
{
    uint64_t hi = (uint64_t)(x >> 64);
    return hi ? clz64(hi) : 64 + clz64((uint64_t)x);
}

/* Normal, denormal or pseudo-denormal to the normalised form; a denormal's exponent is that
 * of the smallest normal, 1 - BIAS (SDM Vol.1 4.8.3.2: pseudo-denormals too). */
static struct unp unpack(struct f80 a)
{
    struct unp u = {.s = sign_of(a), .e = exp_of(a) - BIAS, .m = a.m};
    if (exp_of(a) == 0) {
        int sh = clz64(a.m);
        u.e = 1 - BIAS - sh;
        u.m = a.m << sh;
    }
    return u;
}

/* A pseudo-denormal as the equal value with exponent 1 (SDM Vol.1 4.8.3.2); others unchanged. */
static struct f80 canonical(struct f80 a)
{
    if (exp_of(a) == 0 && (a.m & INT_BIT))
        a.se |= 1;
    return a;
}

static u128 shift_right_jam(u128 x, int n)
{
    if (n <= 0)
        return x;
    if (n >= 128)
        return x != 0;
    return (x >> n) | ((x & (((u128)1 << n) - 1)) != 0);
}

/* ---- rounding ------------------------------------------------------------------------------ */

/* One destination format: significand bits, the smallest normal and largest finite unbiased
 * exponent, and the exponent bias of the encoding. */
struct fmt {
    unsigned prec;
    int32_t emin, emax, bias, adjust; /* adjust: the unmasked OE/UE exponent bias adjust */
};

/* Rounds sig (bit 127 set: value = sig / 2^127 * 2^e) to fmt under ctx's rounding control, with
 * the IEEE masked/unmasked responses for overflow and underflow (SDM Vol.1 4.9.1.4, 4.9.1.5).
 * Returns the significand with its integer bit at bit prec-1 (clear for a denormal or zero) and
 * the biased exponent in *be.
 * *ovf is set when the masked overflow response replaced the result (the caller builds it). */
static uint64_t round_fmt(bool s, int32_t e, u128 sig, const struct fmt *f, struct f80_ctx *ctx,
                          int32_t *be, int *ovf)
{
    unsigned prec = f->prec;
    bool tiny = e < f->emin;
    if (tiny && e == f->emin - 1) {
        /* The x87 detects tininess after rounding (SDM Vol.1 4.9.1.5 leaves it open; checked on
         * the host for arithmetic and stores alike): not tiny if rounding to prec bits with an
         * unbounded exponent reaches 2^emin. */
        struct f80_ctx probe = {.rc = ctx->rc, .masks = 0x3F};
        struct fmt wide = *f;
        wide.emin = e - 1;
        int32_t pbe;
        int povf;
        round_fmt(s, e, sig, &wide, &probe, &pbe, &povf);
        tiny = pbe == e + f->bias;
    }
    bool ue_masked = ctx->masks & F80_UE;
    bool mem = f->bias != BIAS; /* binary32/64: a store to memory */
    *ovf = 0;
    if (tiny && !ue_masked) {
        if (mem) {
            /* Unmasked UE on a store: nothing stored, only UE reported (host). */
            ctx->flags |= F80_UE;
            *ovf = 3;
            *be = 0;
            return 0;
        }
        if (e + f->adjust < f->emin) {
            /* Still tiny after the bias adjust (FSCALE): a signed zero with UE PE (host). */
            ctx->flags |= F80_UE | F80_PE;
            *be = 0;
            return 0;
        }
    }
    if (tiny && ue_masked) {
        /* Denormalise first; the precision then counts from the format's fixed bit positions
         * (a denormal under PC=24 keeps fewer than 24 bits), as the x87 does. */
        sig = shift_right_jam(sig, f->emin - e);
        e = f->emin;
    }
    unsigned drop = 128 - prec;
    u128 rest = sig & (((u128)1 << drop) - 1);
    u128 half = (u128)1 << (drop - 1);
    uint64_t kept = (uint64_t)(sig >> drop);
    bool inexact = rest != 0;
    bool inc = false;
    switch (ctx->rc & 3) {
    case F80_RC_NEAREST:
        inc = rest > half || (rest == half && (kept & 1));
        break;
    case F80_RC_DOWN:
        inc = inexact && s;
        break;
    case F80_RC_UP:
        inc = inexact && !s;
        break;
    default:
        break;
    }
    if (inc) {
        kept++;
        if (prec == 64 ? kept == 0 : (kept >> prec) != 0) {
            kept = 1ull << (prec - 1);
            e++;
        }
    }
    bool normal = (kept >> (prec - 1)) & 1;
    if (e > f->emax && mem && !(ctx->masks & F80_OE)) {
        ctx->flags |= F80_OE; /* nothing stored, only OE reported (host) */
        *ovf = 3;
        *be = 0;
        return 0;
    }
    if (e > f->emax) {
        if (!(ctx->masks & F80_OE) && e - f->adjust > f->emax) {
            /* Unmasked but beyond the bias adjust's reach (FSCALE): a signed infinity with OE PE
             * and C1 whatever the rounding (host). */
            ctx->flags |= F80_OE | F80_PE;
            ctx->c1 = true;
            *ovf = 1;
            *be = f->emax + f->bias + 1;
            return 0;
        }
        if (ctx->masks & F80_OE) {
            ctx->flags |= F80_OE | F80_PE;
            /* Overflow: infinity when rounding goes away from zero, else the largest finite. */
            bool to_inf = (ctx->rc & 3) == F80_RC_NEAREST || ((ctx->rc & 3) == F80_RC_UP && !s) ||
                          ((ctx->rc & 3) == F80_RC_DOWN && s);
            *ovf = to_inf ? 1 : 2;
            ctx->c1 = to_inf;
            *be = to_inf ? f->emax + f->bias + 1 : f->emax + f->bias;
            return to_inf ? 0 : (prec == 64 ? ~0ull : (1ull << prec) - 1);
        }
        ctx->flags |= F80_OE;
        e -= f->adjust;
    }
    if (tiny) {
        if (ue_masked) {
            if (inexact)
                ctx->flags |= F80_UE;
        } else {
            ctx->flags |= F80_UE;
            e += f->adjust;
        }
    }
    if (inexact) {
        ctx->flags |= F80_PE;
        ctx->c1 = inc;
    }
    *be = normal ? e + f->bias : 0;
    return kept;
}

static const struct fmt fmt_ext[4] = {
    {24, 1 - BIAS, BIAS, BIAS, UNMASKED_BIAS},
    {64, 1 - BIAS, BIAS, BIAS, UNMASKED_BIAS}, /* PC = 1 is reserved: 64 bits */
    {53, 1 - BIAS, BIAS, BIAS, UNMASKED_BIAS},
    {64, 1 - BIAS, BIAS, BIAS, UNMASKED_BIAS},
};
static const struct fmt fmt_ext64 = {64, 1 - BIAS, BIAS, BIAS, UNMASKED_BIAS};
/* SDM Vol.1 4.9.1.4: the single/double adjusts (192, 1536) apply to register results only; a
 * store to memory with an unmasked OE/UE stores nothing. */
static const struct fmt fmt_f32 = {24, -126, 127, 127, 192};
static const struct fmt fmt_f64 = {53, -1022, 1023, 1023, 1536};

/* Rounds to the extended format with precision p (a struct fmt for it). */
static struct f80 round_ext(bool s, int32_t e, u128 sig, const struct fmt *f, struct f80_ctx *ctx)
{
    int32_t be;
    int ovf;
    uint64_t kept = round_fmt(s, e, sig, f, ctx, &be, &ovf);
    if (ovf == 1)
        return inf(s);
    return make(s, be & 0x7FFF, kept << (64 - f->prec));
}

/* Rounds an exact normalised value (bit 63 set) to extended 64 bits. */
static struct f80 pack_exact(bool s, int32_t e, uint64_t m, struct f80_ctx *ctx)
{
    return round_ext(s, e, (u128)m << 64, &fmt_ext64, ctx);
}

/* ---- NaN and operand checks ----------------------------------------------------------------- */

/* SDM Vol.1 4.8.3.5 and table 4-7: an SNaN raises IE and is delivered quieted; an SNaN and a
 * QNaN give the QNaN; two SNaNs or two QNaNs give the larger significand (ties: the positive
 * one, as on the host). */
static bool nan_operands(struct f80 a, struct f80 b, enum cls ca, enum cls cb, struct f80 *r,
                         struct f80_ctx *ctx)
{
    if (ca == CL_UNSUPPORTED || cb == CL_UNSUPPORTED) {
        ctx->flags |= F80_IE;
        *r = indefinite();
        return true;
    }
    bool na = is_nan_cls(ca), nb = is_nan_cls(cb);
    if (!na && !nb)
        return false;
    if (ca == CL_SNAN || cb == CL_SNAN)
        ctx->flags |= F80_IE;
    a.m |= QUIET_BIT;
    b.m |= QUIET_BIT;
    if (na && nb && ca != cb) {
        *r = ca == CL_QNAN ? a : b;
    } else if (na && nb) {
        if (a.m != b.m)
            *r = a.m > b.m ? a : b;
        else
            *r = a.se < b.se ? a : b;
    } else {
        *r = na ? a : b;
    }
    return true;
}

static bool nan_operand(struct f80 a, enum cls ca, struct f80 *r, struct f80_ctx *ctx)
{
    if (ca == CL_UNSUPPORTED) {
        ctx->flags |= F80_IE;
        *r = indefinite();
        return true;
    }
    if (!is_nan_cls(ca))
        return false;
    if (ca == CL_SNAN)
        ctx->flags |= F80_IE;
    a.m |= QUIET_BIT;
    *r = a;
    return true;
}

static struct f80 invalid(struct f80_ctx *ctx)
{
    ctx->flags |= F80_IE;
    return indefinite();
}

static void denormal_check(enum cls c, struct f80_ctx *ctx)
{
    if (c == CL_DENORMAL)
        ctx->flags |= F80_DE;
}

/* DE for denormal operands; true when DE is unmasked, which stops the operation with nothing
 * else reported (SDM Vol.1 4.9.1.2, checked on the host). */
static bool denormal_stop(enum cls ca, enum cls cb, struct f80_ctx *ctx)
{
    denormal_check(ca, ctx);
    denormal_check(cb, ctx);
    return (ctx->flags & F80_DE) && !(ctx->masks & F80_DE);
}

/* Flags accumulate across calls (a memory operand's conversion, then the operation, share one
 * ctx: its DE or IE stays, and an unmasked DE from it stops the operation as on the x87); C1
 * is the last rounding's. */
static void begin(struct f80_ctx *ctx)
{
    ctx->c1 = false;
}

/* ---- arithmetic ------------------------------------------------------------------------------ */

static struct f80 addsub(struct f80 a, struct f80 b, bool negate_b, struct f80_ctx *ctx)
{
    begin(ctx);
    enum cls ca = classify(a), cb = classify(b);
    struct f80 r;
    if (nan_operands(a, b, ca, cb, &r, ctx))
        return r;
    if (denormal_stop(ca, cb, ctx))
        return a;
    bool sa = sign_of(a), sb = sign_of(b) ^ negate_b;
    if (ca == CL_INF || cb == CL_INF) {
        if (ca == CL_INF && cb == CL_INF && sa != sb)
            return invalid(ctx);
        return inf(ca == CL_INF ? sa : sb);
    }
    const struct fmt *f = &fmt_ext[ctx->pc & 3];
    if (ca == CL_ZERO && cb == CL_ZERO)
        return zero(sa == sb ? sa : (ctx->rc & 3) == F80_RC_DOWN);
    if (ca == CL_ZERO || cb == CL_ZERO) {
        struct unp u = unpack(ca == CL_ZERO ? b : a);
        return round_ext(ca == CL_ZERO ? sb : sa, u.e, (u128)u.m << 64, f, ctx);
    }
    struct unp x = unpack(a), y = unpack(b);
    x.s = sa;
    y.s = sb;
    if (x.e < y.e || (x.e == y.e && x.m < y.m)) {
        struct unp t = x;
        x = y;
        y = t;
    }
    u128 mx = (u128)x.m << 63, my = shift_right_jam((u128)y.m << 63, x.e - y.e);
    u128 sum = x.s == y.s ? mx + my : mx - my;
    if (sum == 0)
        return zero((ctx->rc & 3) == F80_RC_DOWN); /* SDM Vol.1 4.8.3.3: exact zero sum */
    int lz = clz128(sum);
    return round_ext(x.s, x.e + 1 - lz, sum << lz, f, ctx);
}

struct f80 f80_add(struct f80 a, struct f80 b, struct f80_ctx *ctx)
{
    return addsub(a, b, false, ctx);
}

struct f80 f80_sub(struct f80 a, struct f80 b, struct f80_ctx *ctx)
{
    return addsub(a, b, true, ctx);
}

struct f80 f80_mul(struct f80 a, struct f80 b, struct f80_ctx *ctx)
{
    begin(ctx);
    enum cls ca = classify(a), cb = classify(b);
    struct f80 r;
    if (nan_operands(a, b, ca, cb, &r, ctx))
        return r;
    bool s = sign_of(a) ^ sign_of(b);
    if ((ca == CL_INF && cb == CL_ZERO) || (ca == CL_ZERO && cb == CL_INF))
        return invalid(ctx);
    if (denormal_stop(ca, cb, ctx))
        return a;
    if (ca == CL_INF || cb == CL_INF)
        return inf(s);
    if (ca == CL_ZERO || cb == CL_ZERO)
        return zero(s);
    struct unp x = unpack(a), y = unpack(b);
    u128 p = (u128)x.m * y.m;
    int32_t e = x.e + y.e + 1;
    if (!(p >> 127)) {
        p <<= 1;
        e--;
    }
    return round_ext(s, e, p, &fmt_ext[ctx->pc & 3], ctx);
}

struct f80 f80_div(struct f80 a, struct f80 b, struct f80_ctx *ctx)
{
    begin(ctx);
    enum cls ca = classify(a), cb = classify(b);
    struct f80 r;
    if (nan_operands(a, b, ca, cb, &r, ctx))
        return r;
    bool s = sign_of(a) ^ sign_of(b);
    if ((ca == CL_INF && cb == CL_INF) || (ca == CL_ZERO && cb == CL_ZERO))
        return invalid(ctx);
    if (cb == CL_ZERO && ca != CL_INF) {
        ctx->flags |= F80_ZE; /* a denormal dividend gives no DE here (host) */
        return inf(s);
    }
    if (denormal_stop(ca, cb, ctx))
        return a;
    if (ca == CL_INF)
        return inf(s);
    if (cb == CL_INF)
        return zero(s);
    if (ca == CL_ZERO)
        return zero(s);
    struct unp x = unpack(a), y = unpack(b);
    int32_t e = x.e - y.e;
    u128 num = (u128)x.m << 63;
    if (x.m < y.m) {
        num <<= 1;
        e--;
    }
    u128 q1 = num / y.m, r1 = num % y.m;
    u128 num2 = r1 << 64;
    u128 q2 = num2 / y.m, r2 = num2 % y.m;
    u128 q = (q1 << 64) | q2 | (r2 != 0);
    return round_ext(s, e, q, &fmt_ext[ctx->pc & 3], ctx);
}

struct f80 f80_sqrt(struct f80 a, struct f80_ctx *ctx)
{
    begin(ctx);
    enum cls ca = classify(a);
    struct f80 r;
    if (nan_operand(a, ca, &r, ctx))
        return r;
    if (ca == CL_ZERO)
        return a;
    if (sign_of(a))
        return invalid(ctx);
    if (denormal_stop(ca, CL_ZERO, ctx))
        return a;
    if (ca == CL_INF)
        return a;
    struct unp x = unpack(a);
    /* value = m / 2^63 * 2^e. Radicand R = m * 2^s with s making e - s + 63 even... root has
     * 67 bits (leading bit 66), value = root * 2^(k - 66). */
    int32_t k;
    int s;
    if ((x.e & 1) == 0) {
        s = 69; /* sqrt(m * 2^-63) = sqrt(m * 2^69) * 2^-66 */
        k = x.e / 2;
    } else {
        s = 70; /* sqrt(m * 2^-62) = sqrt(m * 2^70) * 2^-66 */
        k = (x.e - 1) / 2;
    }
    u128 rem = 0, root = 0;
    for (int i = 0; i < 67; i++) {
        int hi = 133 - 2 * i, lo = hi - 1;
        unsigned pair = 0;
        if (hi >= s && hi - s < 64)
            pair |= (unsigned)((x.m >> (hi - s)) & 1) << 1;
        if (lo >= s && lo - s < 64)
            pair |= (unsigned)((x.m >> (lo - s)) & 1);
        rem = (rem << 2) | pair;
        u128 t = (root << 2) | 1;
        if (rem >= t) {
            rem -= t;
            root = (root << 1) | 1;
        } else {
            root <<= 1;
        }
    }
    u128 sig = (root << 61) | (rem != 0);
    return round_ext(false, k, sig, &fmt_ext[ctx->pc & 3], ctx);
}

/* ---- rounding to an integer ------------------------------------------------------------------ */

/* |x| rounded to an integer under rc (sign s for the directed modes); *inexact and *up report
 * what happened. Requires x.e < 64. */
static uint64_t round_to_integer(struct unp x, uint8_t rc, bool *inexact, bool *up)
{
    uint64_t kept;
    bool round, sticky;
    int sh = 63 - x.e; /* fraction bits */
    if (sh <= 0) {
        *inexact = *up = false;
        return x.m << -sh;
    }
    if (sh >= 65) {
        kept = 0;
        round = false;
        sticky = true;
    } else if (sh == 64) {
        kept = 0;
        round = x.m >> 63;
        sticky = (x.m << 1) != 0;
    } else {
        kept = x.m >> sh;
        round = (x.m >> (sh - 1)) & 1;
        sticky = (x.m & ((1ull << (sh - 1)) - 1)) != 0;
    }
    bool inc = false;
    switch (rc & 3) {
    case F80_RC_NEAREST:
        inc = round && (sticky || (kept & 1));
        break;
    case F80_RC_DOWN:
        inc = (round || sticky) && x.s;
        break;
    case F80_RC_UP:
        inc = (round || sticky) && !x.s;
        break;
    default:
        break;
    }
    *inexact = round || sticky;
    *up = inc;
    return kept + inc;
}

/* An integer magnitude (may be 2^64 - 1 at most) as an extended value. */
static struct f80 from_u64(bool s, uint64_t v)
{
    if (v == 0)
        return zero(s);
    int sh = clz64(v);
    return make(s, 63 - sh + BIAS, v << sh);
}

struct f80 f80_round_int(struct f80 a, struct f80_ctx *ctx)
{
    begin(ctx);
    enum cls ca = classify(a);
    struct f80 r;
    if (nan_operand(a, ca, &r, ctx))
        return r;
    if (ca == CL_ZERO || ca == CL_INF)
        return a;
    if (denormal_stop(ca, CL_ZERO, ctx))
        return a;
    struct unp x = unpack(a);
    if (x.e >= 63)
        return a;
    bool inexact, up;
    uint64_t k = round_to_integer(x, ctx->rc, &inexact, &up);
    if (inexact) {
        ctx->flags |= F80_PE;
        ctx->c1 = up;
    }
    if (k == 0)
        return zero(x.s);
    /* k may be 2^63 after rounding up from below: from_u64 handles it. */
    return from_u64(x.s, k);
}

/* ---- FSCALE, FXTRACT, FPREM ---------------------------------------------------------------- */

struct f80 f80_scale(struct f80 a, struct f80 b, struct f80_ctx *ctx)
{
    begin(ctx);
    enum cls ca = classify(a), cb = classify(b);
    struct f80 r;
    if (nan_operands(a, b, ca, cb, &r, ctx))
        return r;
    bool sa = sign_of(a), sb = sign_of(b);
    if (cb == CL_INF) {
        if ((ca == CL_ZERO && !sb) || (ca == CL_INF && sb))
            return invalid(ctx);
        if (denormal_stop(ca, CL_ZERO, ctx))
            return a;
        if (ca == CL_INF || ca == CL_ZERO)
            return a;
        return sb ? zero(sa) : inf(sa);
    }
    if (denormal_stop(ca, cb, ctx))
        return a;
    if (ca == CL_INF || ca == CL_ZERO || cb == CL_ZERO)
        return canonical(a); /* scaling by 0 leaves even a denormal alone: no UE (host) */
    struct unp x = unpack(a);
    int64_t n = 0;
    if (cb != CL_ZERO) {
        struct unp y = unpack(b);
        if (y.e >= 30)
            n = 1 << 30; /* far beyond every exponent: overflow or underflow */
        else if (y.e >= 0)
            n = (int64_t)(y.m >> (63 - y.e));
        if (y.s)
            n = -n;
    }
    return round_ext(x.s, (int32_t)(x.e + n), (u128)x.m << 64, &fmt_ext64, ctx);
}

struct f80 f80_xtract(struct f80 a, struct f80 *exp, struct f80_ctx *ctx)
{
    begin(ctx);
    enum cls ca = classify(a);
    struct f80 r;
    if (nan_operand(a, ca, &r, ctx)) {
        *exp = r;
        return r;
    }
    if (ca == CL_ZERO) {
        /* SDM Vol.2 FXTRACT: a zero gives ZE, exponent -infinity, significand the zero. */
        ctx->flags |= F80_ZE;
        *exp = inf(true);
        return a;
    }
    if (ca == CL_INF) {
        *exp = inf(false);
        return a;
    }
    denormal_check(ca, ctx);
    struct unp x = unpack(a);
    *exp = f80_from_i64(x.e);
    return make(x.s, BIAS, x.m);
}

struct f80 f80_rem(struct f80 a, struct f80 b, bool ieee, uint16_t *cc, struct f80_ctx *ctx)
{
    begin(ctx);
    *cc = 0;
    enum cls ca = classify(a), cb = classify(b);
    struct f80 r;
    if (nan_operands(a, b, ca, cb, &r, ctx))
        return r;
    if (ca == CL_INF || cb == CL_ZERO)
        return invalid(ctx);
    if (denormal_stop(ca, cb, ctx))
        return a;
    if (ca == CL_ZERO || cb == CL_INF)
        return canonical(a); /* even a denormal: no UE (host) */
    struct unp x = unpack(a), y = unpack(b);
    int32_t d = x.e - y.e;
    bool s = x.s;
    if (d >= 64) {
        /* Partial remainder (SDM Vol.2 FPREM): reduce the exponent difference to a value in
         * [32, 63]: N = 32 + (d mod 32), quotient truncated, C2 set. Measured on the host. */
        int32_t n = 32 + (d & 31);
        int32_t sh = d - n; /* a - b * Q * 2^sh, Q = trunc(a / (b * 2^sh)) */
        u128 num = (u128)x.m << n;
        u128 rem = num % y.m;
        *cc = 0x0400;
        if (rem == 0)
            return zero(s);
        int lz = clz128(rem);
        /* rem is in units of b's last bit times 2^sh: value = rem * 2^(y.e - 63 + sh) */
        return round_ext(s, y.e - 63 + sh + 127 - lz, rem << lz, &fmt_ext64, ctx);
    }
    uint64_t q;
    u128 rem;
    u128 bm = y.m;
    int32_t unit; /* the remainder's value is rem * 2^unit */
    if (d >= 0) {
        u128 num = (u128)x.m << d;
        q = (uint64_t)(num / bm);
        rem = num % bm;
        unit = y.e - 63;
    } else {
        q = 0;
        rem = x.m;
        unit = x.e - 63;
        if (d < -1 || !ieee) {
            /* |a| < |b|: the remainder is a itself. */
            return pack_exact(s, x.e, x.m, ctx);
        }
        /* d == -1, FPREM1: compare |a| with |b| / 2 in units of 2^(y.e - 64) */
        bm = (u128)y.m << 1;
        rem = x.m;
        unit = y.e - 64;
    }
    if (ieee) {
        u128 twice = rem << 1;
        if (twice > bm || (twice == bm && (q & 1))) {
            q++;
            rem = bm - rem;
            s = !s;
        }
    }
    *cc = (uint16_t)(((q >> 2) & 1) << 8 | ((q >> 1) & 1) << 14 | (q & 1) << 9);
    ctx->c1 = q & 1;
    if (rem == 0)
        return zero(x.s);
    int lz = clz128(rem);
    return round_ext(s, unit + 127 - lz, rem << lz, &fmt_ext64, ctx);
}

/* ---- compare and examine --------------------------------------------------------------------- */

uint16_t f80_compare(struct f80 a, struct f80 b, bool quiet, struct f80_ctx *ctx)
{
    begin(ctx);
    enum cls ca = classify(a), cb = classify(b);
    const uint16_t unordered = 0x4500, less = 0x0100, equal = 0x4000;
    if (ca == CL_UNSUPPORTED || cb == CL_UNSUPPORTED) {
        ctx->flags |= F80_IE;
        return unordered;
    }
    if (is_nan_cls(ca) || is_nan_cls(cb)) {
        if (!quiet || ca == CL_SNAN || cb == CL_SNAN)
            ctx->flags |= F80_IE;
        return unordered;
    }
    denormal_check(ca, ctx);
    denormal_check(cb, ctx);
    if (ca == CL_ZERO && cb == CL_ZERO)
        return equal;
    bool sa = sign_of(a), sb = sign_of(b);
    if (ca == CL_ZERO)
        return sb ? 0 : less;
    if (cb == CL_ZERO)
        return sa ? less : 0;
    if (sa != sb)
        return sa ? less : 0;
    /* Same sign: compare magnitudes. */
    int32_t ea = ca == CL_INF ? 1 << 20 : unpack(a).e, eb = cb == CL_INF ? 1 << 20 : unpack(b).e;
    uint64_t ma = ca == CL_INF ? 0 : unpack(a).m, mb = cb == CL_INF ? 0 : unpack(b).m;
    int c = ea != eb ? (ea < eb ? -1 : 1) : (ma != mb ? (ma < mb ? -1 : 1) : 0);
    if (c == 0)
        return equal;
    if (sa)
        c = -c;
    return c < 0 ? less : 0;
}

uint16_t f80_examine(struct f80 a, bool empty)
{
    uint16_t c1 = sign_of(a) ? 0x0200 : 0;
    const uint16_t c0 = 0x0100, c2 = 0x0400, c3 = 0x4000;
    if (empty)
        return c3 | c0 | c1;
    switch (classify(a)) {
    case CL_UNSUPPORTED:
        return c1;
    case CL_QNAN:
    case CL_SNAN:
        return c0 | c1;
    case CL_NORMAL:
        return c2 | c1;
    case CL_INF:
        return c2 | c0 | c1;
    case CL_ZERO:
        return c3 | c1;
    default:
        return c3 | c2 | c1;
    }
}

unsigned f80_tag(struct f80 a)
{
    switch (classify(a)) {
    case CL_NORMAL:
        return 0;
    case CL_ZERO:
        return 1;
    default:
        return 2;
    }
}

bool f80_is_nan(struct f80 a)
{
    return is_nan_cls(classify(a));
}

bool f80_is_snan(struct f80 a)
{
    return classify(a) == CL_SNAN;
}

bool f80_is_unsupported(struct f80 a)
{
    return classify(a) == CL_UNSUPPORTED;
}

struct f80 f80_indefinite(void)
{
    return indefinite();
}

/* ---- conversions ----------------------------------------------------------------------------- */

struct f80 f80_from_i64(int64_t v)
{
    return from_u64(v < 0, v < 0 ? 0 - (uint64_t)v : (uint64_t)v);
}

static int64_t to_int(struct f80 a, unsigned bits, bool chop, struct f80_ctx *ctx)
{
    begin(ctx);
    int64_t indef = (int64_t)(~0ull << (bits - 1));
    enum cls ca = classify(a);
    if (ca == CL_UNSUPPORTED || ca == CL_INF || is_nan_cls(ca)) {
        ctx->flags |= F80_IE;
        return indef;
    }
    if (ca == CL_ZERO)
        return 0;
    /* A denormal source raises no DE on stores (checked on the host). */
    struct unp x = unpack(a);
    if (x.e >= 64) {
        ctx->flags |= F80_IE;
        return indef;
    }
    bool inexact, up;
    uint64_t k = round_to_integer(x, chop ? F80_RC_ZERO : ctx->rc, &inexact, &up);
    uint64_t limit = (1ull << (bits - 1)) - (x.s ? 0 : 1);
    if (k > limit) {
        ctx->flags |= F80_IE;
        return indef;
    }
    if (inexact) {
        ctx->flags |= F80_PE;
        ctx->c1 = up;
    }
    return x.s ? (int64_t)(0 - k) : (int64_t)k;
}

int64_t f80_to_i64(struct f80 a, unsigned bits, struct f80_ctx *ctx)
{
    return to_int(a, bits, false, ctx);
}

int64_t f80_to_i64_trunc(struct f80 a, unsigned bits, struct f80_ctx *ctx)
{
    return to_int(a, bits, true, ctx);
}

/* Loads a binary32/binary64 (SDM Vol.2 FLD: exact; DE for a denormal, IE for an SNaN). */
static struct f80 from_ieee(uint64_t v, int fracbits, int expbits, struct f80_ctx *ctx)
{
    begin(ctx);
    bool s = (v >> (fracbits + expbits)) & 1;
    int emax = (1 << expbits) - 1, bias = emax >> 1;
    int e = (int)((v >> fracbits) & (uint64_t)emax);
    uint64_t frac = v & ((1ull << fracbits) - 1);
    int sh = 63 - fracbits;
    if (e == 0) {
        if (frac == 0)
            return zero(s);
        ctx->flags |= F80_DE;
        int lz = clz64(frac);
        return make(s, (1 - bias) - (lz - sh) + BIAS, frac << lz);
    }
    if (e == emax) {
        if (frac == 0)
            return inf(s);
        if (!(frac >> (fracbits - 1)))
            ctx->flags |= F80_IE;
        return make(s, EXP_INF, INT_BIT | QUIET_BIT | (frac << sh));
    }
    return make(s, e - bias + BIAS, INT_BIT | (frac << sh));
}

struct f80 f80_from_f32(uint32_t v, struct f80_ctx *ctx)
{
    return from_ieee(v, 23, 8, ctx);
}

struct f80 f80_from_f64(uint64_t v, struct f80_ctx *ctx)
{
    return from_ieee(v, 52, 11, ctx);
}

static uint64_t to_ieee(struct f80 a, const struct fmt *f, int expbits, struct f80_ctx *ctx)
{
    begin(ctx);
    int fracbits = (int)f->prec - 1;
    uint64_t emask = (1ull << expbits) - 1;
    uint64_t sbit = 1ull << (fracbits + expbits);
    uint64_t infv = emask << fracbits;
    enum cls ca = classify(a);
    bool s = sign_of(a);
    uint64_t sv = s ? sbit : 0;
    if (ca == CL_UNSUPPORTED) {
        ctx->flags |= F80_IE;
        return sbit | infv | (1ull << (fracbits - 1));
    }
    if (is_nan_cls(ca)) {
        if (ca == CL_SNAN)
            ctx->flags |= F80_IE;
        return sv | infv | (1ull << (fracbits - 1)) | ((a.m << 1) >> (64 - fracbits));
    }
    if (ca == CL_INF)
        return sv | infv;
    if (ca == CL_ZERO)
        return sv;
    /* A denormal source raises no DE on stores (checked on the host). */
    struct unp x = unpack(a);
    int32_t be;
    int ovf;
    uint64_t kept = round_fmt(s, x.e, (u128)x.m << 64, f, ctx, &be, &ovf);
    if (ovf == 1)
        return sv | infv;
    return sv | ((uint64_t)(be & (int32_t)emask) << fracbits) | (kept & ((1ull << fracbits) - 1));
}

uint32_t f80_to_f32(struct f80 a, struct f80_ctx *ctx)
{
    return (uint32_t)to_ieee(a, &fmt_f32, 8, ctx);
}

uint64_t f80_to_f64(struct f80 a, struct f80_ctx *ctx)
{
    return to_ieee(a, &fmt_f64, 11, ctx);
}

struct f80 f80_from_bcd(const uint8_t bcd[10])
{
    uint64_t v = 0;
    for (int i = 8; i >= 0; i--)
        v = v * 100 + (uint64_t)(bcd[i] >> 4) * 10 + (bcd[i] & 15);
    return from_u64(bcd[9] >> 7, v);
}

void f80_to_bcd(struct f80 a, uint8_t bcd[10], struct f80_ctx *ctx)
{
    begin(ctx);
    for (int i = 0; i < 10; i++)
        bcd[i] = 0;
    enum cls ca = classify(a);
    uint64_t k = 0;
    bool s = sign_of(a);
    bool bad = ca == CL_UNSUPPORTED || ca == CL_INF || is_nan_cls(ca);
    if (!bad && ca != CL_ZERO) {
        struct unp x = unpack(a);
        bool inexact = false, up = false;
        if (x.e >= 60)
            bad = true;
        else
            k = round_to_integer(x, ctx->rc, &inexact, &up);
        if (k > 999999999999999999ull)
            bad = true;
        if (!bad && inexact) {
            ctx->flags |= F80_PE;
            ctx->c1 = up;
        }
    }
    if (bad) {
        /* The packed BCD indefinite (SDM Vol.1 table 4-4). */
        ctx->flags |= F80_IE;
        bcd[9] = 0xFF;
        bcd[8] = 0xFF;
        bcd[7] = 0xC0;
        return;
    }
    for (int i = 0; i < 9; i++) {
        unsigned lo = (unsigned)(k % 10);
        k /= 10;
        unsigned hi = (unsigned)(k % 10);
        k /= 10;
        bcd[i] = (uint8_t)(hi << 4 | lo);
    }
    bcd[9] = s ? 0x80 : 0;
}

/* ---- constants ----------------------------------------------------------------------------- */

/* FLD1 FLDL2T FLDL2E FLDPI FLDLG2 FLDLN2 FLDZ: the 64-bit significand rounded to nearest and
 * whether rounding down (toward -inf or zero; all are positive) gives one less, i.e. whether
 * the nearest value was rounded up and the directed ones truncate. The x87 holds the constants
 * with 66 bits (SDM Vol.1 8.3.8); values checked on the host. */
struct f80 f80_const(unsigned which, enum f80_rc rc)
{
    static const struct {
        uint16_t se;
        uint64_t nearest;
        bool nearest_was_up; /* truncation is nearest - 1 */
        bool exact;
    } k[8] = {
        {0x3FFF, 0x8000000000000000ull, false, true},  /* 1 */
        {0x4000, 0xD49A784BCD1B8AFEull, false, false}, /* log2(10) */
        {0x3FFF, 0xB8AA3B295C17F0BCull, true, false},  /* log2(e) */
        {0x4000, 0xC90FDAA22168C235ull, true, false},  /* pi */
        {0x3FFD, 0x9A209A84FBCFF799ull, true, false},  /* log10(2) */
        {0x3FFE, 0xB17217F7D1CF79ACull, true, false},  /* ln(2) */
        {0x0000, 0, false, true},                      /* +0 */
        {0x0000, 0, false, true},                      /* D9 EF is not a constant */
    };
    which &= 7;
    uint64_t m = k[which].nearest;
    if (!k[which].exact) {
        bool truncate = rc == F80_RC_DOWN || rc == F80_RC_ZERO;
        if (truncate && k[which].nearest_was_up)
            m--;
        else if (rc == F80_RC_UP && !k[which].nearest_was_up)
            m++;
    }
    return (struct f80){.m = m, .se = k[which].se};
}

/* ---- transcendentals ------------------------------------------------------------------------ */

/* A wide working format for the transcendentals: value = m / 2^127 * 2^e with bit 127 of m set
 * (m == 0 for zero). Products and quotients are truncated, so each operation is good to about
 * 2^-126 relative; series are summed far past 2^-64, and the final round_ext gives the x87
 * result in all but the rare hard-to-round cases. Integer arithmetic only, as everywhere here. */
struct xf {
    bool s;
    int32_t e;
    u128 m;
};

static const struct xf XF_PI = {false, 1, ((u128)0xC90FDAA22168C234ull << 64) | 0xC4C6628B80DC1CD1ull};
static const struct xf XF_LN2 = {false, -1, ((u128)0xB17217F7D1CF79ABull << 64) | 0xC9E3B39803F2F6AFull};
static const struct xf XF_LOG2E = {false, 0, ((u128)0xB8AA3B295C17F0BBull << 64) | 0xBE87FED0691D3E88ull};
/* pi and ln 2 as the x87 holds them: 66 significant bits (SDM Vol.1 8.3.8 for the constants, 8.3.10
 * for the 66-bit pi of FSIN/FCOS/FPTAN; both are their true values truncated, which here is also
 * nearest). Measured against the host: FPATAN's pi/2 and pi offsets and F2XM1's ln 2 are these. */
static const struct xf XF_PI66 = {false, 1, ((u128)0xC90FDAA22168C234ull << 64) | ((u128)3 << 62)};
static const struct xf XF_LN2_66 = {false, -1, ((u128)0xB17217F7D1CF79ABull << 64) | ((u128)3 << 62)};

/* Width of the x87's internal transcendental results: FYL2X's log2(x), FYL2XP1's log2(1 + x),
 * FPATAN's quotient and F2XM1's x * ln 2 are 67-bit values (for the logarithms, y * log2 is then
 * the exact product rounded once), close to the exact value truncated to 67 significant bits
 * (measured against the host: tests/fpu/test_transcendental.c; SDM Vol.1 8.3.10 only promises
 * < 1 ulp). */
#define X87_INTERNAL_BITS 67

static struct xf xf_norm(bool s, int32_t e, u128 m)
{
    if (m == 0)
        return (struct xf){s, 0, 0};
    int lz = clz128(m);
    return (struct xf){s, e - lz, m << lz};
}

static struct xf xf_from_f80(struct f80 a)
{
    if (classify(a) == CL_ZERO)
        return (struct xf){sign_of(a), 0, 0};
    struct unp u = unpack(a);
    return (struct xf){u.s, u.e, (u128)u.m << 64};
}

static struct xf xf_from_int(int64_t v)
{
    uint64_t mag = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    return xf_norm(v < 0, 127, mag);
}

/* Keeps the top n significant bits (truncation toward zero). */
static struct xf xf_trunc(struct xf a, int n)
{
    a.m &= ~(u128)0 << (128 - n);
    return a;
}

static struct xf xf_neg(struct xf a)
{
    a.s = !a.s;
    return a;
}

/* The high 128 bits of a 128 x 128 product. */
static u128 mul_hi(u128 a, u128 b)
{
    uint64_t a1 = (uint64_t)(a >> 64), a0 = (uint64_t)a, b1 = (uint64_t)(b >> 64), b0 = (uint64_t)b;
    u128 p00 = (u128)a0 * b0, p01 = (u128)a0 * b1, p10 = (u128)a1 * b0, p11 = (u128)a1 * b1;
    u128 mid = (p00 >> 64) + (uint64_t)p01 + (uint64_t)p10;
    return p11 + (p01 >> 64) + (p10 >> 64) + (mid >> 64);
}

static struct xf xf_mul(struct xf a, struct xf b)
{
    if (a.m == 0 || b.m == 0)
        return (struct xf){a.s ^ b.s, 0, 0};
    return xf_norm(a.s ^ b.s, a.e + b.e + 1, mul_hi(a.m, b.m));
}

static struct xf xf_add(struct xf a, struct xf b)
{
    if (a.m == 0)
        return b;
    if (b.m == 0)
        return a;
    if (a.e < b.e || (a.e == b.e && a.m < b.m)) {
        struct xf t = a;
        a = b;
        b = t;
    }
    int32_t d = a.e - b.e;
    u128 bm = d >= 128 ? 0 : b.m >> d;
    if (a.s == b.s) {
        u128 sum = a.m + bm;
        if (sum < a.m) /* carry out of bit 127 */
            return (struct xf){a.s, a.e + 1, (sum >> 1) | ((u128)1 << 127)};
        return (struct xf){a.s, a.e, sum};
    }
    return xf_norm(a.s, a.e, a.m - bm);
}

static struct xf xf_sub(struct xf a, struct xf b)
{
    return xf_add(a, xf_neg(b));
}

static struct xf xf_div(struct xf a, struct xf b)
{
    if (a.m == 0)
        return (struct xf){a.s ^ b.s, 0, 0};
    /* restoring division, 128 quotient bits */
    u128 r = a.m, q = 0;
    int32_t e = a.e - b.e;
    if (r >= b.m) {
        r -= b.m;
        q = 1;
    }
    for (int i = 0; i < 127; i++) {
        bool top = r >> 127;
        r <<= 1;
        q <<= 1;
        if (top || r >= b.m) {
            r -= b.m;
            q |= 1;
        }
    }
    return xf_norm(a.s ^ b.s, e, q);
}

static struct xf xf_div_small(struct xf a, unsigned k)
{
    if (a.m == 0) /* a zero term (log2 of 1 takes atanh(0)); clz128(0) is undefined */
        return a;
    u128 q = a.m / k, rem = a.m % k;
    /* keep the bits below: one more digit */
    int lz = clz128(q);
    q = (q << lz) | (((rem << lz) / k) & (((u128)1 << lz) - 1));
    return (struct xf){a.s, a.e - lz, q};
}

/* Bounded iteration count: terms fall below 2^-140 of the first well before it. */
static bool xf_negligible(struct xf term, struct xf sum)
{
    return term.m == 0 || (sum.m != 0 && term.e < sum.e - 140);
}

/* e^t - 1 by its Taylor series (|t| < 1 in use). */
static struct xf xf_expm1(struct xf t)
{
    struct xf sum = t, term = t;
    for (unsigned k = 2; k < 60; k++) {
        term = xf_div_small(xf_mul(term, t), k);
        sum = xf_add(sum, term);
        if (xf_negligible(term, sum))
            break;
    }
    return sum;
}

/* 2 atanh(u) = ln((1 + u) / (1 - u)), |u| <= 0.18 in use. */
static struct xf xf_2atanh(struct xf u)
{
    struct xf u2 = xf_mul(u, u), pow = u, sum = u;
    for (unsigned k = 3; k < 200; k += 2) {
        pow = xf_mul(pow, u2);
        struct xf term = xf_div_small(pow, k);
        sum = xf_add(sum, term);
        if (xf_negligible(term, sum))
            break;
    }
    sum.e++;
    return sum;
}

/* log2 of a positive finite value. */
static struct xf xf_log2(struct xf x)
{
    /* x = m * 2^e with m in [sqrt(1/2), sqrt(2)) */
    int32_t e = x.e;
    struct xf m = {false, 0, x.m};
    const u128 sqrt2 = ((u128)0xB504F333F9DE6484ull << 64) | 0x597D89B3754ABE9Full;
    if (x.m >= sqrt2) {
        m.e = -1;
        e++;
    }
    struct xf one = xf_from_int(1);
    struct xf ln = xf_2atanh(xf_div(xf_sub(m, one), xf_add(m, one)));
    return xf_add(xf_from_int(e), xf_mul(ln, XF_LOG2E));
}

/* atan(z) for 0 <= z <= 1. */
static struct xf xf_atan01(struct xf z)
{
    struct xf one = xf_from_int(1), base = {false, 0, 0};
    const u128 tan_pi8 = ((u128)0xD413CCCFE7799211ull << 64) | 0x65F626CDD52AFA7Cull; /* * 2^-2 */
    if (z.m != 0 && (z.e > -2 || (z.e == -2 && z.m > tan_pi8))) {
        /* atan(z) = pi/4 + atan((z - 1) / (z + 1)) */
        base = XF_PI;
        base.e -= 2;
        z = xf_div(xf_sub(z, one), xf_add(z, one));
    }
    if (z.m == 0) /* z was 0 or 1; the series below needs a nonzero argument */
        return base;
    struct xf z2 = xf_mul(z, z), pow = z, sum = z;
    for (unsigned k = 3; k < 400; k += 2) {
        pow = xf_neg(xf_mul(pow, z2));
        struct xf term = xf_div_small(pow, k);
        sum = xf_add(sum, term);
        if (xf_negligible(term, sum))
            break;
    }
    return xf_add(base, sum);
}

/* sin(r) and cos(r) for |r| <= pi/4. */
static struct xf xf_sin_small(struct xf r)
{
    struct xf r2 = xf_mul(r, r), term = r, sum = r;
    for (unsigned k = 2; k < 60; k += 2) {
        term = xf_neg(xf_div_small(xf_div_small(xf_mul(term, r2), k), k + 1));
        sum = xf_add(sum, term);
        if (xf_negligible(term, sum))
            break;
    }
    return sum;
}

static struct xf xf_cos_small(struct xf r)
{
    struct xf r2 = xf_mul(r, r), term = xf_from_int(1), sum = term;
    for (unsigned k = 1; k < 60; k += 2) {
        term = xf_neg(xf_div_small(xf_div_small(xf_mul(term, r2), k), k + 1));
        sum = xf_add(sum, term);
        if (xf_negligible(term, sum))
            break;
    }
    return sum;
}

/* Rounds |a| to its top n significant bits, to nearest (ties away: only used on values that are
 * never ties). */
static struct xf xf_round_bits(struct xf a, int n)
{
    if (a.m == 0)
        return a;
    u128 m = a.m + ((u128)1 << (127 - n));
    if (m < a.m) /* carry out of bit 127 */
        return (struct xf){a.s, a.e + 1, (u128)1 << 127};
    return (struct xf){a.s, a.e, m & (~(u128)0 << (128 - n))};
}

/* 1 - cos d for |d| <= 1/16 as the x87's table-driven FSIN/FCOS has it: the exact value plus
 * the error of the x87's polynomial, e(u) * 2^-70 with u = 16 d. e was measured on the host
 * (least squares on the half-ulp intervals pinned by the result and C1 of 1.5 * 10^5 reduced
 * arguments in [1/4, pi/4] drawn like tests/fpu/test_transcendental.c's): an even polynomial of
 * degree 10 in u that equioscillates with amplitude ~0.7, the signature of a minimax polynomial
 * c1 d^2 + ... + c4 d^8. The fitted leading coefficient (-299) is close to the one of that
 * minimax's error, -2^30 / 10! = -296, and the computed minimax error itself (on |d| <= 0.0637,
 * slightly wider than 1/16) fits nearly as well; its exact coefficients are not known, so the
 * measured fit is used. Refits with other samples move the coefficients by < 1%. Scaled by 2^16. */
static struct xf xf_omc_x87(struct xf d)
{
    static const int32_t e_coef[5] = {-1513966, 14074236, -41533102, 48562061, -19614216};
    struct xf u = d;
    u.e += 4;
    struct xf z = xf_mul(u, u), e = {false, 0, 0};
    for (int k = 4; k >= 0; k--)
        e = xf_add(xf_mul(e, z), xf_from_int(e_coef[k]));
    e = xf_mul(e, z);
    e.e -= 70 + 16;
    return xf_add(xf_sub(xf_from_int(1), xf_cos_small(d)), e);
}

/* frac(2^n q) for q >= 0 as a 0.64 fixed-point fraction. */
static uint64_t xf_frac_bits(struct xf q, int n)
{
    int32_t i = 127 - n - q.e; /* bit of q.m that weighs 2^-n */
    if (q.m == 0 || i >= 192 || i <= -64)
        return 0;
    return i >= 64 ? (uint64_t)(q.m >> (i - 64)) : (uint64_t)(q.m << (64 - i));
}

/* The x87's error in sin r and cos r for 0 < r < 1/4, to be added to the exact value. Measured on
 * the host (FSIN and FCOS of runs of 10^3..10^5 consecutive arguments in [1/8, 1/4), each run's
 * error pinned to ~2^-73 by the results): the error is a sawtooth whose drop is z * 2^-64 for cos
 * and r z * 2^-66 for sin (z = r^2), and whose period is that of Q / 2^-64 (cos) or Q / 2^-66
 * (sin), Q being the z^2 and z^4 terms of the series of (1 - cos r) / z or (r - sin r) / (r z)
 * (the period fits r^3/180 + r^7/453600 for cos to 10^-6): so the x87 splits its polynomial in z
 * into even and odd powers and truncates the odd part Q at a fixed binary point before multiplying
 * it by z (r z). The sawtooth's phase, tracked along [1/8, 1/4) (1000 points for cos, 256 for
 * sin), fits Q's coefficients slightly off the Taylor ones (a minimax polynomial's) and an offset
 * of 3/8 (cos) or 1/8 (sin) of the truncation unit added before the truncation, to rms 2 * 10^-4
 * (cos) and 2 * 10^-3 (sin) of a period. The mean of the sawtooth is 3/8 of the drop below its
 * top for both (best single value: 0.30..0.43 change the identical share by < 2 * 10^-5). This
 * takes the share of results missed in [1/8, 1/4) from 2.0% to 0.4% (cos) and 0.55% to 0.4%
 * (sin), and in [1/32, 1/8) from 0.5% to 0.07% (cos). The rest of the host's error there came
 * mostly from the roundings of the polynomial's product and of the sum, which
 * x87_sincos_fsin_fcos adds. */
static struct xf xf_sincos_err_x87(struct xf r, bool want_cos)
{
    struct xf z = xf_mul(r, r), w = xf_mul(z, z), w2 = xf_mul(w, w), c3, c5, scale;
    uint64_t f, bias;
    if (want_cos) { /* Q = (1/720 - 3792.915 * 2^-64) w + (1/10! - 4095027.1 * 2^-64) w^2 */
        c3 = xf_sub(xf_div_small(w, 720), xf_mul(w, xf_norm(false, 127 - 80, 248572495)));
        c5 = xf_sub(xf_div_small(w2, 3628800), xf_mul(w2, xf_norm(false, 127 - 68, 65520434)));
        f = xf_frac_bits(xf_add(c3, c5), 64) + (3ull << 61);
        bias = 3ull << 61;
        scale = z;
        scale.e -= 64;
    } else { /* Q = (1/5040 - 1174.068 * 2^-66) w + (1/11! - 1176330.7 * 2^-66) w^2 */
        c3 = xf_sub(xf_div_small(w, 5040), xf_mul(w, xf_norm(false, 127 - 82, 76943727)));
        c5 = xf_sub(xf_div_small(w2, 39916800), xf_mul(w2, xf_norm(false, 127 - 70, 18821292)));
        f = xf_frac_bits(xf_add(c3, c5), 66) + (1ull << 61);
        bias = 3ull << 61;
        scale = xf_mul(r, z);
        scale.e -= 66;
    }
    bool neg = f < bias;
    return xf_mul(scale, xf_norm(neg, 63, neg ? bias - f : f - bias));
}

/* sin or cos of a reduced argument |r| <= pi/4 the way the x87 evaluates them (measured on the
 * host, tests/fpu/test_transcendental.c; the shape of Tang's table-driven methods): below 1/4 a
 * polynomial, whose result here is the exact value; from 1/4 up, r = T + d with T the midpoint of
 * r's quarter-binade ([1/4,1/2) in steps of 1/16, [1/2,1) in steps of 1/8: T = 9/32, 11/32, ...,
 * 13/16), then sin(T + d) = S + (C sin d - S (1 - cos d)) and cos(T + d) = C - (S sin d +
 * C (1 - cos d)), where S and C are sin T and cos T rounded to 67 significant bits (the table's
 * width: each quarter-binade's results are off the true value by exactly that rounding error),
 * sin d is rounded to 64 bits (an extended-precision intermediate), its product with C (S) and
 * the whole correction in brackets are truncated to 67 bits, and 1 - cos d carries the x87
 * polynomial's error (xf_omc_x87). On reduced arguments from [1/4, pi/4], the share of half-ulp
 * intervals (result and C1) the model misses, step by step: exact value 7%, 67-bit table 1.9%,
 * sin d to 64 bits 1.3%, the product truncated 1.1%, the polynomial error 0.42%, the correction
 * truncated 0.31%. Tried and no better: the product or the correction rounded to nearest or
 * truncated to 66 or 68 bits or at a fixed binary point, d or 1 - cos d or S (1 - cos d) rounded
 * to 64..70 bits, S cos d + C sin d instead of the correction form, a fitted error of sin d.
 * Below 1/4 the exact value misses 2% (cos) and 0.6% (sin) of the intervals in [1/8, 1/4) and
 * ~0.5% (cos) in [1/32, 1/8): the host's error there (up to ~2^-68 for cos) comes mostly from a
 * truncation inside the polynomial, which FSIN and FCOS add (xf_sincos_err_x87). */
static struct xf x87_sincos(struct xf r, bool want_cos)
{
    if (r.m == 0)
        return want_cos ? xf_from_int(1) : r;
    if (r.e < -2) {
        struct xf v = want_cos ? xf_cos_small(r) : xf_sin_small(r);
        struct xf lead = want_cos ? xf_from_int(1) : r;
        /* r^3/6 or r^2/2 below the working width: the value still lies below |lead|, which
         * xf_round's sticky bit would otherwise put above it, so C1 would be clear. Measured on
         * the host (FSIN FCOS FPTAN alike): C1 is set for every |r| in [2^-68, 2^-59) and clear
         * for every |r| < 2^-68, where the x87 evidently returns r (1) itself, inexact. */
        if (r.e >= -68 && v.e == lead.e && v.m == lead.m) {
            if (v.m == (u128)1 << 127)
                v = (struct xf){v.s, v.e - 1, ~(u128)0};
            else
                v.m--;
        }
        return v;
    }
    int step = 2 - r.e; /* 4 in [1/4, 1/2), 3 in [1/2, 1) */
    struct xf ar = r;
    ar.s = false;
    uint64_t j = (uint64_t)(ar.m >> (127 - r.e - step)); /* floor(|r| * 2^step) */
    struct xf t = xf_from_int((int64_t)(2 * j + 1));
    t.e -= step + 1;
    struct xf d = xf_sub(ar, t);
    struct xf s = xf_round_bits(xf_sin_small(t), 67), c = xf_round_bits(xf_cos_small(t), 67);
    struct xf sd = xf_round_bits(xf_sin_small(d), 64);
    struct xf omc = xf_omc_x87(d);
    if (want_cos)
        return xf_sub(c, xf_trunc(xf_add(xf_trunc(xf_mul(s, sd), 67), xf_mul(c, omc)), 67));
    struct xf v = xf_add(s, xf_trunc(xf_sub(xf_trunc(xf_mul(c, sd), 67), xf_mul(s, omc)), 67));
    return r.s ? xf_neg(v) : v;
}

/* FPTAN's internal sin and cos for 2^-40 <= |r| < 1/4, before their truncation to 67 bits: the
 * x87 evaluates the series as sin r = r - r (z S) and cos r = 1 - z C with z = r^2, S = (r - sin r)
 * / (r z) and C = (1 - cos r) / z (polynomials in z, 1/6 - z/120 + ... and 1/2 - z/24 + ...),
 * where S and C are rounded to nearest to 64 bits (extended-precision values), z is truncated to
 * 67 bits, z S is rounded to nearest to 64 bits, and the products r (z S) and z C are truncated
 * to 67 bits before the subtraction. Measured on the host by FPTAN of runs of 32768 consecutive
 * arguments at 128 places in [1/8, 1/4): for the 3.3 * 10^5 of them whose exact sin lies within
 * 0.2 units of its 67th bit of a boundary of that width while the modelled cos lies at least 0.1
 * units from one, the result and C1 tell on which side of the boundary the host's sin fell. The
 * exact sin is on the wrong side for 5% of them, this sin for 0.03%. Each step is needed (on the
 * 2 * 10^4 such arguments from r = 0.2207, where the exact sin misses 8.3%): r - r V with V the
 * exact r - sin r over r rounded to 64 bits misses 5.4%; with z exact 1.1%, z rounded to 67 or
 * truncated to 66 bits 1.2%, to 68 bits 0.6%; S or z S rounded to 63, 65 or 66 bits 5.6% to 14%,
 * z S truncated 13%; the product r (z S) truncated to 66 bits 2%, to 68 bits as few only with a
 * fitted offset (and 0.01% more misses on the operands below). The cos has the same shape; it
 * replaces an earlier fit, z F / 2 with F = 2C rounded to 64 bits and the product 1 to 2 units
 * of its 67th bit low, which was these two truncations seen as an offset. On operands drawn like
 * tests/fpu/test_transcendental.c's with four other seeds (4 * 10^5 each; one of them chose
 * between the widths above), the results FPTAN misses with reduced arguments in [1/8, 1/4) go
 * from 262..284 of 86 * 10^3 (the exact sin and that cos) to 55 (that seed) with this sin alone
 * and to 3..6 with both. (An earlier reading of the sin's error as a sawtooth of drop (8/9) 2^-72
 * and frequency 72 (1 - cos r) per argument was an artefact of selecting arguments by their exact
 * sin's distance to a 67-bit boundary: (8/9) 2^-72 is that boundary's step in (9/8)(r - sin r)
 * between consecutive arguments.) */
static struct xf xf_sincos_fptan(struct xf r, bool want_cos)
{
    struct xf ar = r;
    ar.s = false;
    struct xf z = xf_mul(ar, ar), zt = xf_trunc(z, X87_INTERNAL_BITS);
    if (want_cos) {
        struct xf c = xf_round_bits(xf_div(xf_sub(xf_from_int(1), xf_cos_small(ar)), z), 64);
        return xf_sub(xf_from_int(1), xf_trunc(xf_mul(zt, c), X87_INTERNAL_BITS));
    }
    struct xf s = xf_round_bits(xf_div(xf_sub(ar, xf_sin_small(ar)), xf_mul(ar, z)), 64);
    struct xf zs = xf_round_bits(xf_mul(zt, s), 64);
    struct xf v = xf_sub(ar, xf_trunc(xf_mul(ar, zs), X87_INTERNAL_BITS));
    return r.s ? xf_neg(v) : v;
}

/* x87_sincos with, for FSIN and FCOS, the polynomial below 1/4 evaluated as the host does.
 * FPTAN's internal sin and cos below 1/4 are evaluated differently (xf_sincos_fptan: with this
 * form instead, FSIN and FCOS match 99.87% and 99.78% of the test's results against 99.95% and
 * 99.94%), so f80_tan calls x87_sincos and xf_sincos_fptan. Below 1/4 (down to 2^-40) the host
 * forms sin r = r - r ZP, with ZP = (r - sin r) / r (its z P(z), carrying xf_sincos_err_x87's
 * truncation) rounded to nearest on 64 bits and the product r ZP truncated to 67 bits, and
 * cos r = 1 - T, with T = 1 - cos r (with that truncation) rounded to nearest on 67 bits; the sum
 * is then exact on that grid and rounded with ties to even (x87_sincos_round). Measured on the
 * host on random arguments in [1/16, 1/4), against the half-ulp intervals pinned by the result
 * and C1: with the error added to the exact value, FSIN missed 0.09%, 0.18%, 0.59% of the
 * intervals in [1/16, 1/8), [1/8, 3/16), [3/16, 1/4) and FCOS 0.08%, 0.28%, 0.45%; with this,
 * 0.01%, 0.04%, 0.10% and 0.07%, 0.20%, 0.30% (4 * 10^5 arguments, seed other than the test's).
 * Tried for sin: ZP rounded on 63..66 bits, the product truncated or rounded on 65..72 bits
 * (ZP on 64 nearest and the product on 67 truncated: 218 -> 79 misses of 10^5 arguments in
 * [1/16, 1/4); product on 67 nearest or 68 truncated 95; ZP exact, the product alone truncated,
 * little gain); for cos: T rounded or truncated on 66..68 bits, z truncated or rounded on 66..68
 * bits before z H, H = T / z rounded on 64..67 bits (none better than T on 67 nearest). The
 * FCOS transition between rounding down and up sits 1/2 unit of T's 67th bit above the midpoint
 * for an even lower neighbour and as far below it for an odd one, the signature of the ties.
 * Refitting xf_sincos_err_x87's offsets (in steps of 1/16) with this form keeps 1/8 and 3/8
 * (sin), 3/8 and 3/8 (cos). */
static struct xf x87_sincos_fsin_fcos(struct xf r, bool want_cos)
{
    struct xf v = x87_sincos(r, want_cos);
    if (r.m != 0 && r.e < -2 && r.e >= -40) {
        struct xf ar = r, one = xf_from_int(1);
        ar.s = false;
        struct xf e = xf_sincos_err_x87(ar, want_cos);
        if (want_cos)
            return xf_sub(one, xf_round_bits(xf_sub(xf_sub(one, xf_cos_small(ar)), e), 67));
        struct xf zp = xf_div(xf_sub(xf_sub(ar, xf_sin_small(ar)), e), ar);
        v = xf_sub(ar, xf_trunc(xf_mul(ar, xf_round_bits(zp, 64)), X87_INTERNAL_BITS));
        if (r.s)
            v = xf_neg(v);
    }
    return v;
}

static struct f80 xf_round(struct xf v, struct f80_ctx *ctx)
{
    if (v.m == 0)
        return zero(v.s);
    return round_ext(v.s, v.e, v.m | 1, &fmt_ext64, ctx); /* | 1: never exact */
}

/* Rounds v to the result with ties to even, for models whose value lies on a grid only a few bits
 * finer than the result, so that ties and exact values are common (x87_2xm1_small, FPATAN):
 * the host then rounds ties to even, and reports PE even for the values that are exact
 * (measured on every such case). Normal results only (exponent >= 1 - BIAS): xf_round below. */
static struct f80 xf_round_even(struct xf v, struct f80_ctx *ctx)
{
    if (v.m == 0)
        return zero(v.s);
    struct f80 r = round_ext(v.s, v.e, v.m, &fmt_ext64, ctx);
    ctx->flags |= F80_PE;
    return r;
}

/* Rounds FSIN's or FCOS's value v of the reduced argument r. From |r| = 1/4 up v lies on a grid
 * (x87_sincos: S and C on 67 bits plus a correction truncated to 67 bits) only a few bits finer
 * than the result, so 0.5% (sin) and 0.2% (cos) of the values there are ties and 0.35% exact.
 * The host rounds them as values exactly on that grid (measured on 10^6 arguments in
 * [1/4, pi/4]): of 2825 ties 93.5% go to the even neighbour, 0.35% to the odd one above and 6.2%
 * to the odd one below (the host's value then lies just under the tie), and exact values stay
 * exact (98.6% of 2739 under rounding up, 87.6% under rounding down; PE is set all the same).
 * Rounded as never exact (xf_round), every tie went up, which was most of the results missed
 * there: 0.23% of the table region's FSIN and FCOS results against 0.06% with ties to even (the
 * rest are mostly the host's value a fraction of the correction's 67-bit unit below the model's,
 * more often at large |d|). Below 1/4, down to |r| = 2^-40, v lies on a grid too (the 67-bit
 * product or T of x87_sincos_fsin_fcos): ties to even there take the results missed in
 * [1/16, 1/4) of the test's arguments from 37 (FSIN) and 43 (FCOS) per 10^5 to 15 and 20. Below
 * 2^-40 v is the series, or just under r for the smallest r, so xf_round. */
static struct f80 x87_sincos_round(struct xf v, struct xf r, struct f80_ctx *ctx)
{
    return r.m != 0 && r.e >= -40 ? xf_round_even(v, ctx) : xf_round(v, ctx);
}

/* x = q * pi/2 + r with |r| <= pi/4, q mod 4 returned, |x| < 2^63. Like the x87 (SDM Vol.1
 * 8.3.10), the reduction uses pi rounded to 66 bits, so results for large arguments follow the
 * x87 rather than the true function; the 66-bit pi times a 64-bit q is exact in two pieces. */
static unsigned reduce_pi2(struct xf x, struct xf *r)
{
    const struct xf pi2 = {false, 0, ((u128)0xC90FDAA22168C234ull << 64) | ((u128)3 << 62)};
    struct xf ax = x;
    ax.s = false;
    if (x.m == 0 || x.e < -1 || (x.e == -1 && x.m <= pi2.m)) { /* |x| <= pi/4 */
        *r = x;
        return 0;
    }
    /* q = round(|x| / (pi/2)) */
    struct xf t = xf_div(ax, pi2);
    uint64_t q = 0;
    if (t.e >= 0) {
        u128 ip = t.m >> (127 - t.e);
        bool half = (t.m >> (126 - t.e)) & 1;
        q = (uint64_t)ip + half;
    } else if (t.e == -1) {
        q = 1; /* |x| / (pi/2) in [0.5, 1) */
    }
    struct xf qx = xf_from_int((int64_t)q);
    struct xf hi = {false, 0, pi2.m & ((u128)~0ull << 64)}, lo = xf_norm(false, 0, pi2.m & ~0ull);
    struct xf red = xf_sub(xf_sub(ax, xf_mul(qx, hi)), xf_mul(qx, lo));
    if (x.s)
        red = xf_neg(red);
    *r = red;
    return (unsigned)((x.s ? 0 - q : q) & 3);
}

/* Common front of FSIN FCOS FPTAN: NaN, unsupported, infinity, denormal, out-of-range. true
 * when *r is the final result. */
static bool trig_front(struct f80 a, bool *out_of_range, struct f80 *r, struct f80_ctx *ctx)
{
    begin(ctx);
    *out_of_range = false;
    enum cls ca = classify(a);
    if (nan_operand(a, ca, r, ctx))
        return true;
    if (ca == CL_INF) {
        *r = invalid(ctx);
        return true;
    }
    if (denormal_stop(ca, CL_ZERO, ctx)) {
        *r = a;
        return true;
    }
    if (ca != CL_ZERO && unpack(a).e >= 63) {
        *out_of_range = true; /* C2, operand unchanged (SDM Vol.2 FSIN) */
        *r = a;
        return true;
    }
    return false;
}

struct f80 f80_sin(struct f80 a, bool *out_of_range, struct f80_ctx *ctx)
{
    struct f80 r;
    if (trig_front(a, out_of_range, &r, ctx))
        return r;
    if (classify(a) == CL_ZERO)
        return a;
    struct xf x = xf_from_f80(a), red;
    unsigned q = reduce_pi2(x, &red);
    struct xf v = x87_sincos_fsin_fcos(red, q & 1);
    if (q & 2)
        v = xf_neg(v);
    return x87_sincos_round(v, red, ctx);
}

struct f80 f80_cos(struct f80 a, bool *out_of_range, struct f80_ctx *ctx)
{
    struct f80 r;
    if (trig_front(a, out_of_range, &r, ctx))
        return r;
    if (classify(a) == CL_ZERO)
        return make(false, BIAS, INT_BIT);
    struct xf x = xf_from_f80(a), red;
    unsigned q = reduce_pi2(x, &red);
    struct xf v = x87_sincos_fsin_fcos(red, !(q & 1));
    if (((q + 1) >> 1) & 1)
        v = xf_neg(v);
    return x87_sincos_round(v, red, ctx);
}

struct f80 f80_tan(struct f80 a, bool *out_of_range, struct f80_ctx *ctx)
{
    struct f80 r;
    if (trig_front(a, out_of_range, &r, ctx))
        return r;
    if (classify(a) == CL_ZERO)
        return a;
    struct xf x = xf_from_f80(a), red;
    unsigned q = reduce_pi2(x, &red);
    /* FPTAN is the quotient of the x87's internal sin and cos of the reduced argument, each
     * truncated to 67 bits (X87_INTERNAL_BITS) first: measured on the host for reduced arguments
     * in [2^-12, 1/4), this fits 99% of the half-ulp intervals pinned by the result and C1, the
     * exact tangent 92% (and the same quotient with 68-bit or rounded operands 88-95%). Below
     * 1/4 the sin and cos are FPTAN's own (xf_sincos_fptan). The quotient is taken exact: rounded
     * to 67, 68 or 70 bits first, it misses 6%, 3% or 0.9% of the results with reduced arguments
     * in [1/4, pi/4] instead of 0.1%. */
    bool own = red.m != 0 && red.e < -2 && red.e >= -40;
    struct xf sn = xf_trunc(own ? xf_sincos_fptan(red, false) : x87_sincos(red, false),
                            X87_INTERNAL_BITS);
    struct xf cs = xf_trunc(own ? xf_sincos_fptan(red, true) : x87_sincos(red, true),
                            X87_INTERNAL_BITS);
    struct xf v = (q & 1) ? xf_neg(xf_div(cs, sn)) : xf_div(sn, cs);
    return xf_round(v, ctx);
}

/* atan(a / b) for 0 < a <= b the way the x87's FPATAN evaluates it, as measured on the host
 * (tests/fpu/test_transcendental.c, against the interval that each result leaves for the
 * internal value): with z = a / b and k = z * 32 rounded to nearest, from k = 2 (z >= 3/64) a
 * table, atan(z) = atan(k/32) + atan(d) with d = (z - k/32) / (1 + z k/32) truncated to 67 bits
 * and atan(k/32) the true value rounded to nearest at 67 bits: the host's error against the
 * exact atan(z) is a constant over each 1/32-wide interval centred on a k/32, and those
 * constants are these rounding errors (all of k = 2..32, to ~2^-80). The quotient is as good as
 * exact there. Below 3/64, the series of z truncated to 67 bits (the earlier model, which fits
 * all results measured there); below 2^-40, z itself (see f80_atan2). With this the direct
 * case (0 < y < x) matches 99.9% of the host's results for z in [1/16, 1) and all below,
 * against 93% to 95% for atan of the truncated quotient. */
static struct xf x87_atan01(struct xf a, struct xf b)
{
    struct xf z = xf_div(a, b);
    if (z.e < -40)
        return xf_trunc(z, X87_INTERNAL_BITS);
    struct xf t = z;
    t.e += 6;
    int j = t.e < 0 ? 0 : (int)(t.m >> (127 - t.e)); /* floor(z * 64), up to 64 */
    int k = (j + 1) >> 1;
    if (k < 2)
        return xf_atan01(xf_trunc(z, X87_INTERNAL_BITS));
    struct xf c = xf_from_int(k);
    c.e -= 5;
    struct xf d = xf_div(xf_sub(z, c), xf_add(xf_from_int(1), xf_mul(z, c)));
    d = xf_trunc(d, X87_INTERNAL_BITS);
    struct xf table = xf_round_bits(xf_atan01(c), X87_INTERNAL_BITS);
    if (d.m == 0) /* z = k/32 exactly (the series needs a nonzero argument) */
        return table;
    struct xf ad = d;
    ad.s = false;
    struct xf atan_d = xf_atan01(ad);
    return xf_add(table, d.s ? xf_neg(atan_d) : atan_d);
}

/* FPATAN: atan(y / x) in the quadrant of (x, y) (SDM Vol.2 FPATAN table 3-29). */
struct f80 f80_atan2(struct f80 y, struct f80 x, struct f80_ctx *ctx)
{
    begin(ctx);
    enum cls cy = classify(y), cx = classify(x);
    struct f80 r;
    if (nan_operands(y, x, cy, cx, &r, ctx))
        return r;
    if (denormal_stop(cy, cx, ctx))
        return y;
    bool sy = sign_of(y), sx = sign_of(x);
    struct xf pi = XF_PI, pi2 = XF_PI, pi4 = XF_PI;
    pi2.e--;
    pi4.e -= 2;
    struct xf v;
    if (cy == CL_ZERO) {
        if (!sx)
            return zero(sy);
        v = pi;
    } else if (cx == CL_ZERO) {
        v = pi2;
    } else if (cy == CL_INF && cx == CL_INF) {
        v = sx ? xf_add(pi2, pi4) : pi4;
    } else if (cy == CL_INF) {
        v = pi2;
    } else if (cx == CL_INF) {
        if (!sx)
            return zero(sy);
        v = pi;
    } else {
        struct xf ay = xf_from_f80(y), ax = xf_from_f80(x);
        ay.s = ax.s = false;
        bool swap = ay.e > ax.e || (ay.e == ax.e && ay.m > ax.m);
        v = x87_atan01(swap ? ax : ay, swap ? ay : ax);
        if (!swap && !sx) {
            v.s = sy;
            /* Ties go to even (measured): below 2^-40, where the host's atan(z) is z itself, the
             * truncated 67-bit quotient, 1 in 8 results is a tie (from 2^-40 up the z^3/3 term
             * decides them), and so is the table value alone when z is k/32 exactly. */
            if (v.e >= 1 - BIAS)
                return xf_round_even(v, ctx);
            return xf_round(v, ctx);
        }
        /* The quadrant offsets use the x87's 66-bit pi and atan(min/max) truncated to 67 bits,
         * and the exact difference is rounded once, ties to even (measured on the host: for
         * pi/2 - v, pi - v and pi/2 + v, the results whose unrounded model value lies within a
         * 67-bit step of a midpoint, on the side the truncation moves away from, come out half
         * up and half down, by the parity of the result; with the truncation 99.97% of the
         * results match in each case, against 95% to 99.7% without). */
        v = xf_trunc(v, X87_INTERNAL_BITS);
        struct xf pi66 = XF_PI66, pi66_2 = XF_PI66;
        pi66_2.e--;
        if (swap)
            v = xf_sub(pi66_2, v);
        if (sx)
            v = xf_sub(pi66, v);
        v.s = sy;
        return xf_round_even(v, ctx);
    }
    v.s = sy;
    return xf_round(v, ctx);
}

/* (e^z - 1 - z) / z^2 by its Taylor series (|z| < 1 in use). */
static struct xf xf_expm1_tail(struct xf z)
{
    struct xf term = {false, -1, (u128)1 << 127}, sum = term; /* 1/2 */
    for (unsigned k = 3; k < 60; k++) {
        term = xf_div_small(xf_mul(term, z), k);
        sum = xf_add(sum, term);
        if (xf_negligible(term, sum))
            break;
    }
    return sum;
}

/* Rounds |a| to its top n significant bits, to nearest with ties to even. */
static struct xf xf_round_bits_even(struct xf a, int n)
{
    u128 half = (u128)1 << (127 - n);
    if ((a.m & ((half << 1) - 1)) == half && !((a.m >> (128 - n)) & 1))
        return xf_trunc(a, n);
    return xf_round_bits(a, n);
}

/* The relative error of the x87's tail q (x87_2xm1_small) against z^2 S: a smooth odd wave in z
 * of up to ~0.07 * 2^-64, with zeros near |z| = 0.06 and 0.105, the shape of a minimax
 * polynomial's error (the x87's tail is a polynomial, not S). FITTED, not derived: the odd
 * polynomial of degree 13 in z (coefficients in units of 2^-80) that best separates the host's
 * results where q's rounding decides them, by a logistic fit to 125,000 such results over |x| in
 * [2^-6, 2^-2) (q within 0.4 of its last place of a 64-bit midpoint, outside the 69-bit tie
 * band). On 88,000 fresh such results it cuts the disagreements from 2,095 to 1,310, most of the
 * gain below |x| = 2^-3 (1,214 to 475). */
static struct xf x87_2xm1_small_err(struct xf z)
{
    static const int64_t coef[7] = {184165,           -81864572,      10943002545,
                                    -534489684934,    3629422104980,  395601933267392,
                                    -7832895268451018};
    struct xf z2 = xf_mul(z, z), d = xf_from_int(coef[6]);
    for (int k = 5; k >= 0; k--)
        d = xf_add(xf_mul(d, z2), xf_from_int(coef[k]));
    d = xf_mul(d, z);
    d.e -= 80;
    return d;
}

/* 2^x - 1 for 2^-69 <= |x| < 1/4 the way the x87's F2XM1 evaluates it, as measured on the host
 * (tests/fpu/test_transcendental.c): z = x * (66-bit ln 2) truncated to 67 bits, then
 * e^z - 1 = z + q with the tail q = z^2 S, S = (e^z - 1 - z) / z^2, where z^2 is the product of z
 * and w = z rounded to 64 bits (to nearest, ties away from zero: a 64-bit multiplier operand)
 * truncated to 67 bits, and z^2 S is rounded to nearest at 64 bits; z + q is rounded to the result
 * with ties to even. That 64-bit rounding of q is a double one: q is first rounded to nearest at 69
 * bits, then to 64 with ties to even, and q carries the relative error x87_2xm1_small_err. The
 * evidence for the double rounding: where q's rounding decides the result, the host's choice
 * depended on the parity of q's 64th bit (a logistic fit on 8,700 consecutive operands from
 * 1.25 * 2^-3 found that bit worth 0.09 of q's last place, and no other bit of z, x ln 2, z w, S,
 * z S or w S worth anything); rounding first at 69 bits cut the disagreements on such results by
 * 16% on fresh operands (2,477 to 2,095 in 88,000; 68 or 70 bits, truncation, or a grid tied to
 * z's or a fixed exponent did worse). The earlier evidence: with the tail e^z - 1 - z exact and
 * rounded to 64 bits, the host's results near a midpoint of the result depended on the result's
 * parity in a graded band about one 64-bit step of q wide, and the centre of that band moved
 * with the 3 bits of z below the 64th by half of what the tail of w would move it: the signature
 * of z * w. Over |x| in [2^-6, 2^-2) this (without the double rounding and the error) matched
 * 99.92% of the host's results, against 99.2% for the rounded exact tail and 98.4% for the exact
 * e^z - 1 of the same z; tried and worse: z * w then times S or w * S
 * first (99.84%), the products or S rounded or truncated at 64 to 69 bits, w truncated or with ties
 * to even, q truncated or at 65 to 67 bits, S as Horner with truncated steps. Below 2^-68 the
 * tail (< 2^-68 z) is lost: the host rounds z alone, as if a sticky bit below it were set
 * (f80_2xm1). */
static struct xf x87_2xm1_small(struct xf x)
{
    struct xf z = xf_trunc(xf_mul(x, XF_LN2_66), X87_INTERNAL_BITS);
    struct xf w = xf_round_bits(z, 64);
    struct xf q = xf_mul(xf_trunc(xf_mul(z, w), X87_INTERNAL_BITS), xf_expm1_tail(z));
    q = xf_add(q, xf_mul(q, x87_2xm1_small_err(z)));
    return xf_add(z, xf_round_bits_even(xf_round_bits(q, 69), 64));
}

/* e^w - 1 for |w| <= ln 2 / 64 the way the x87's F2XM1 evaluates it in x87_2xm1_table: as
 * sinh w + (cosh w - 1), with sinh w rounded to nearest at 64 bits first, cosh w - 1 the even
 * polynomial w^2/2 + K4 w^4 + K6 w^6, and the sum rounded to nearest at 64 bits. The evidence
 * (tests/fpu/test_transcendental.c's operands and fresh ones, |x| in [1/4, 1)): against
 * e^w - 1 rounded once, the host's 64-bit value was one step off in 13% of the results that a
 * step up (or down) would change, the step taken with a probability equal to the distance of
 * e^w - 1 from the rounding threshold (a uniform error of one step before the rounding, the mark
 * of an earlier rounding on the same grid), unrelated to any bit or fraction of x, r, r ln 2, w,
 * e^w - 1, w^2, M w or M p; rounding sinh w alone first leaves an error that is smooth, even
 * in w (the same for r > 0 and r < 0), nothing below |w| = 2^-10 and up to 0.42 * 2^-72 with
 * the equal ripple of a minimax polynomial: -w^8/40320 (the Taylor term the polynomial lacks; a
 * free w^8 term fitted within 0.3% of it, a w^2 or w^10 term to nothing) plus corrections to the
 * w^4 and w^6 coefficients. K4 and K6 are FITTED (logistic, to the host's results where p's
 * rounding decides them: 589,000 such results from 1.2 * 10^7 fresh operands): 1/24 - 1.980e-13
 * and 1/720 + 4.542e-9, within 0.2% the coefficients of the minimax approximation on
 * |w| <= 0.01084 (just past ln 2 / 64). They disagree with 507 of 591,000 such results of other
 * operands (with the exact cosh w - 1 in their place, 27,466 of 591,000). */
static struct xf x87_expm1_table(struct xf w)
{
    static const struct xf k4 = {false, -5, (u128)0xAAAAAAAAA72F0657ull << 64};
    static const struct xf k6 = {false, -10, (u128)0xB60B87B9E7D54289ull << 64};
    const struct xf half = {false, -1, (u128)1 << 127};
    struct xf sinh_w = xf_sub(xf_expm1(w), xf_expm1(xf_neg(w)));
    sinh_w.e--;
    struct xf w2 = xf_mul(w, w);
    struct xf c = xf_mul(xf_add(xf_mul(xf_add(xf_mul(k6, w2), k4), w2), half), w2);
    return xf_round_bits(xf_add(xf_round_bits(sinh_w, 64), c), 64);
}

/* 2^x - 1 for 1/4 <= |x| < 1 the way the x87's F2XM1 evaluates it there, as measured on the host
 * (tests/fpu/test_transcendental.c; the shape of Tang's table-driven exp): x = c + r with c the
 * centre of x's 1/N-interval, c = (j + 1/2)/N, N = 64 in [1/4, 1/2) and 32 in [1/2, 1), so
 * |r| <= 1/2N; then 2^x - 1 = B + M p with B = 2^c - 1 rounded to 67 significant bits (the table's
 * width, as for FSIN/FCOS and FPATAN), M = 1 + B rounded to 64 bits with ties to even,
 * p = e^w - 1 at 64 bits (x87_expm1_table) for w = r * (66-bit ln 2) rounded to 64 bits (64-bit
 * multiplier operands), M p truncated to 67 bits, and B + M p rounded to the result with ties to
 * even. The evidence: the host's error against the exact value is a linear function of r in each
 * interval, whose value at r = 0 is the rounding error of B (within ~3 * 2^-76 in all 64
 * intervals) and whose slope is the error of M, including the three intervals where 1 + B lies
 * on a 64-bit midpoint and ties to even decide (c = 61/128, 55/64, -63/64); the scatter of the
 * host's results about that line grows with |r|, so r is measured from the centre; and the host's
 * results lie on the grid of p's 64-bit steps (one step either way from e^w - 1 rounded, never a
 * fraction), with w rounded as above (e^w - 1 of the unrounded r ln 2, or of w rounded at 65 bits
 * or truncated at 64, disagrees 42% to 154% more often). With p = e^w - 1 rounded once this model
 * matched 99.6% to 99.75% of the host's results per binade and sign; with x87_expm1_table,
 * 99.997% (34 disagreements in 1,200,000 fresh operands of three seeds, against 3,750). Tried and
 * worse for p: the small range's z + q (x87_2xm1_small, 67-bit z, at 64 or 67 bits or
 * unrounded), r times a rounded (2^r - 1) / r, w times a rounded (e^w - 1) / w, 2 tanh(w/2)
 * rounded first; and before, w from 64-bit ln 2, M p or the sum at other widths or rounded to
 * nearest, B + M p rounded at 66 to 70 bits. */
static struct xf x87_2xm1_table(struct xf x)
{
    int shift = x.e == -1 ? 5 : 6; /* N = 2^shift */
    int32_t top = x.e + shift;     /* |x| * N in [16, 32) */
    int j = (int)(x.m >> (127 - top));
    struct xf c = xf_from_int(2 * j + 1);
    c.e -= shift + 1;
    c.s = x.s;
    struct xf r = xf_sub(x, c); /* exact, |r| <= 1/2N */
    struct xf b = xf_round_bits(xf_expm1(xf_mul(c, XF_LN2)), 67);
    struct xf m = xf_round_bits_even(xf_add(b, xf_from_int(1)), 64);
    if (r.m == 0)
        return b;
    struct xf p = x87_expm1_table(xf_round_bits(xf_mul(r, XF_LN2_66), 64));
    return xf_add(b, xf_trunc(xf_mul(m, p), X87_INTERNAL_BITS));
}

/* F2XM1: 2^x - 1 for -1 <= x <= 1. Outside, where the SDM leaves the result undefined, the host
 * returns the operand itself and reports PE (measured for |x| from 1 + 2^-63 up to 2^16000). */
struct f80 f80_2xm1(struct f80 a, struct f80_ctx *ctx)
{
    begin(ctx);
    enum cls ca = classify(a);
    struct f80 r;
    if (nan_operand(a, ca, &r, ctx))
        return r;
    if (ca == CL_ZERO)
        return a;
    if (ca == CL_INF)
        return sign_of(a) ? make(true, BIAS, INT_BIT) : a;
    if (denormal_stop(ca, CL_ZERO, ctx))
        return a;
    struct xf x = xf_from_f80(a);
    if (x.e < -68) /* the tail is lost (x87_2xm1_small); measured from 2^-69 down to 2^-16445 */
        return xf_round(xf_trunc(xf_mul(x, XF_LN2_66), X87_INTERNAL_BITS), ctx);
    if (x.e < -2)
        return xf_round_even(x87_2xm1_small(x), ctx);
    if (x.e < 0)
        return xf_round_even(x87_2xm1_table(x), ctx);
    if (x.e == 0 && x.m == (u128)1 << 127) { /* 1 and -1/2, exact, PE all the same (measured) */
        struct xf v = x.s ? (struct xf){true, -1, (u128)1 << 127} : x;
        return xf_round_even(v, ctx);
    }
    ctx->flags |= F80_PE;
    return a;
}

/* log2(e) as the x87 holds it: rounded to 66 significant bits (SDM Vol.1 8.3.8), like XF_PI66 and
 * XF_LN2_66. Measured: FYL2XP1's internal values below follow this one; with log2(e) truncated
 * to 67 bits instead, about a tenth of them are reproduced. */
static const struct xf XF_LOG2E_66 = {false, 0,
                                      ((u128)0xB8AA3B295C17F0BBull << 64) | ((u128)3 << 62)};

/* 2 atanh(u) - 2u for |u| < 1/15 as FYL2XP1 evaluates it: 2u p(u^2) with p a degree-6 polynomial,
 * not the series. The coefficients were fitted to the pinned host values (below) and kept to 64
 * bits; they leave 1/3, 1/5, 1/7 ... from about bit 56, 44, 32 ... on, the pattern of a minimax
 * approximation on this interval. With the exact series instead, 1.6% of the pinned values from
 * 2^-9 to 1/8 are missed (a relative error of T near 2^-57 matters there), with this p 0.2%. */
static struct xf x87_log2p1_tail(struct xf u)
{
    static const struct xf c[6] = {
        {false, -2, (u128)0xAAAAAAAAAAAAAA0Full << 64}, /* 1/3 */
        {false, -3, (u128)0xCCCCCCCCCCE0B4A8ull << 64}, /* 1/5 */
        {false, -3, (u128)0x92492491D8BC9C92ull << 64}, /* 1/7 */
        {false, -4, (u128)0xE38E3B34580E942Cull << 64}, /* 1/9 */
        {false, -4, (u128)0xBA2B6F11E7E79D6Bull << 64}, /* 1/11 */
        {false, -4, (u128)0x9F9A1751774CAD38ull << 64}, /* 1/13 */
    };
    struct xf w = xf_mul(u, u), p = {false, 0, 0};
    for (int i = 5; i >= 0; i--)
        p = xf_mul(xf_add(p, c[i]), w);
    return xf_mul(xf_add(u, u), p);
}

/* |a| rounded to its top n significant bits, to nearest with ties to even: the x87's own 64-bit
 * rounding, which FYL2X's table path applies to some of its intermediate values (ties are common
 * there: m + c below has one bit more than 64 whenever m's last bit is set). */
static struct xf xf_round_even_bits(struct xf a, int n)
{
    if (a.m == 0)
        return a;
    u128 unit = (u128)1 << (128 - n), rem = a.m & (unit - 1), m = a.m - rem;
    if (rem > unit / 2 || (rem == unit / 2 && (m & unit))) {
        m += unit;
        if (m == 0) /* carry out of bit 127 */
            return (struct xf){a.s, a.e + 1, (u128)1 << 127};
    }
    return (struct xf){a.s, a.e, m};
}

/* log2(x), x > 0, the way FYL2X evaluates it away from 1 (measured on the host by pinning the
 * internal 67-bit values from many y in round-down and round-up). With x = 2^e m, m in [1, 2), and
 * c the midpoint of m's cell of width 1/32 (c = 1 + (2j + 1)/64, j = the top five fraction bits
 * of m), log2(x) = e + log2(c) + 2 atanh(u) / ln 2, u = (m - c) / (m + c), where m + c and u are
 * rounded to 64 bits, to nearest even, and so is the last term, computed with 1 / ln 2 truncated
 * to 67 bits; the sum is truncated by the caller. log2(c) is exact for all the measurements can
 * tell (rounding it to any grid coarser than 2^-75 loses matches; a constant offset per cell
 * gains none). The evidence: for x = 1/2 + k 2^-64 the error of the pinned values against the
 * true log2 follows k mod 4 with steps of about +-0.18 ulp, which is m + c = 2 + 1/64 + k 2^-63
 * losing its last bit to a tie-to-even rounding, scaled by d(log2)/d(m + c) for m - c = -1/64;
 * the same pattern shows for e = -2 and 1. Share of pinned values reproduced, this model (the
 * exact log2 before): 99.2% (88.2%) of 4000 x = 1/2 + k 2^-64, 97.1% (95.2%) of 3000 x in
 * [1/2, 1), 97.5% (93.8%) of 3000 x in [1 + 1/8, 2), 99.3% (98.3%) of 3000 x in four binades from
 * 1/16 to 8; FYL2XP1 on the exact 1 + x, 1/8 <= |x| < 1/4: 94.9% (88.6%) of 4000. The rest (about
 * 1% to 5%, more where the result's ulp is finer) is noise of about 2^-70 that is not identified:
 * not a function of u (no polynomial in u fits it), not per cell, not the low bits of m, not a
 * different rounding of u, of the last term or of the sums, nor 1 / ln 2 at other precisions. For
 * exact powers of two, e > 0, the host's product differs from y e in about 1.5% of the y (as it
 * did with the exact value); for e < 0 this model matches all 6000 tried (the exact value 86%). */
static struct xf x87_log2_table(struct xf x)
{
    int32_t e = x.e;
    struct xf m = {false, 0, x.m};
    uint64_t j = (uint64_t)(x.m >> 122) & 31;
    struct xf c = xf_from_int((int64_t)(2 * j + 65));
    c.e -= 6;
    struct xf d = xf_round_even_bits(xf_add(m, c), 64);
    struct xf u = xf_round_even_bits(xf_div(xf_sub(m, c), d), 64);
    struct xf p = xf_mul(xf_2atanh(u), xf_trunc(XF_LOG2E, X87_INTERNAL_BITS));
    return xf_add(xf_add(xf_from_int(e), xf_log2(c)), xf_round_even_bits(p, 64));
}

/* log2(1 + x), |x| < 1 - sqrt(2)/2, the way the x87's FYL2XP1 evaluates it (measured on the host by
 * pinning the internal 67-bit log2(1 + x) from the results of many y in round-down and round-up).
 * Below 1/8: with D = 2 + x truncated to 67 bits and u = x / D, the quotient is split as
 * 2u = x - x (D - 2) / D, and log2(1 + x) = 2 atanh(u) log2(e) is summed as
 *     A - q + t,  A = x K truncated to 67 bits,  q = A (D - 2) / D,  t = K (2 atanh(u) - 2u),
 * K = XF_LOG2E_66, with A - q truncated to 67 bits before t (x87_log2p1_tail) is added; the caller
 * truncates the sum. Each truncation is toward zero on the magnitude, so q is in effect rounded
 * up on A's grid for x > 0 and down for x < 0. This reproduces all of 23664 pinned values with
 * |x| < 2^-9 (both signs, every binade from 2^-40) and 99.8% of 4000 fresh ones from 2^-9 to 1/8;
 * the previous model (one quotient, one product) reproduced about 60%. From 1/8 up the host takes
 * FYL2X's general path on 1 + x (FYL2XP1's results equal FYL2X's for 20000 exact 1 + x), here
 * x87_log2_table on the exact 1 + x. */
static struct xf x87_log2p1(struct xf x)
{
    struct xf two = xf_from_int(2);
    if (x.e >= -3)
        return x87_log2_table(xf_add(xf_from_int(1), x));
    struct xf d = xf_trunc(xf_add(two, x), X87_INTERNAL_BITS), dm2 = xf_sub(d, two);
    struct xf a = xf_trunc(xf_mul(x, XF_LOG2E_66), X87_INTERNAL_BITS);
    struct xf q = xf_div(xf_mul(a, dm2), d);
    struct xf t = xf_mul(x87_log2p1_tail(xf_div(x, d)), XF_LOG2E_66);
    return xf_add(xf_trunc(xf_sub(a, q), X87_INTERNAL_BITS), t);
}

/* FYL2X and FYL2XP1: special operands (SDM Vol.2 FYL2X table 3-51). lnx1 selects log2(1 + x). */
static struct f80 ylog(struct f80 y, struct f80 x, bool p1, struct f80_ctx *ctx)
{
    begin(ctx);
    enum cls cy = classify(y), cx = classify(x);
    struct f80 r;
    if (nan_operands(x, y, cx, cy, &r, ctx))
        return r;
    bool sx = sign_of(x), sy = sign_of(y);
    /* the sign and class of log2(x) (or log2(1 + x)) */
    struct xf lx;
    if (!p1) {
        if (sx && cx != CL_ZERO)
            return invalid(ctx);
        if (cx == CL_ZERO) {
            if (cy == CL_ZERO)
                return invalid(ctx);
            if (denormal_stop(cy, CL_ZERO, ctx))
                return y;
            if (cy != CL_INF)
                ctx->flags |= F80_ZE;
            return inf(!sy);
        }
        if (cx == CL_INF) {
            if (cy == CL_ZERO)
                return invalid(ctx);
            if (denormal_stop(cy, CL_ZERO, ctx))
                return y;
            return inf(sy);
        }
        if (denormal_stop(cx, cy, ctx))
            return y;
        struct xf xv = xf_from_f80(x);
        bool is_one = xv.e == 0 && xv.m == (u128)1 << 127;
        if (cy == CL_INF) {
            if (is_one)
                return invalid(ctx);
            return inf(sy ^ (xv.e < 0));
        }
        if (is_one)
            return zero(sy);
        /* near 1, FYL2X's internal log2(x) is FYL2XP1's log2(1 + t) for t = x - 1 (exact here):
         * measured on the host, the two pinned internal values are identical */
        struct xf t = xf_sub(xv, xf_from_int(1));
        lx = t.e < -3 ? x87_log2p1(t) : x87_log2_table(xv);
    } else {
        if (cx == CL_INF || cy == CL_INF) {
            if (cx == CL_ZERO || cy == CL_ZERO)
                return invalid(ctx);
            if (denormal_stop(cx, cy, ctx))
                return y;
            if (cx == CL_INF && sx)
                return invalid(ctx);
            return inf(sx ^ sy);
        }
        if (denormal_stop(cx, cy, ctx))
            return y;
        if (cx == CL_ZERO || cy == CL_ZERO)
            return zero(sx ^ sy);
        struct xf xv = xf_from_f80(x);
        lx = x87_log2p1(xv);
    }
    if (cy == CL_ZERO)
        return zero(sy ^ lx.s);
    return xf_round(xf_mul(xf_from_f80(y), xf_trunc(lx, X87_INTERNAL_BITS)), ctx);
}

struct f80 f80_yl2x(struct f80 y, struct f80 x, struct f80_ctx *ctx)
{
    return ylog(y, x, false, ctx);
}

struct f80 f80_yl2xp1(struct f80 y, struct f80 x, struct f80_ctx *ctx)
{
    return ylog(y, x, true, ctx);
}
