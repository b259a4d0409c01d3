/* 80-bit extended-precision arithmetic in software (issue 5): x87 semantics bit for bit, with no
 * use of the host's floating point, so every host gives the same results (SDM Vol.1 ch.4 and 8). */
#ifndef JITPC_FLOAT80_H
#define JITPC_FLOAT80_H

#include <stdbool.h>
#include <stdint.h>

/* The x87 double-extended format: sign and 15-bit biased exponent in se (bit 15 = sign), 64-bit
 * significand with the explicit integer bit 63 (SDM Vol.1 4.2.2, 4.8). */
struct f80 {
    uint64_t m;
    uint16_t se;
};

/* x87 status-word exception flags (SDM Vol.1 8.1.3), as they appear in the FSW. */
#define F80_IE 0x01u   /* invalid operation */
#define F80_DE 0x02u   /* denormal operand */
#define F80_ZE 0x04u   /* divide by zero */
#define F80_OE 0x08u   /* overflow */
#define F80_UE 0x10u   /* underflow */
#define F80_PE 0x20u   /* precision (inexact) */

/* Rounding control (FCW bits 11:10) and precision control (FCW bits 9:8), SDM Vol.1 8.1.5. */
enum f80_rc { F80_RC_NEAREST = 0, F80_RC_DOWN = 1, F80_RC_UP = 2, F80_RC_ZERO = 3 };
enum f80_pc { F80_PC_24 = 0, F80_PC_53 = 2, F80_PC_64 = 3 };

/* The environment of one operation: the control word's rounding, precision and exception masks
 * in, the exception flags raised and C1 (set when the result was rounded up, SDM Vol.1 8.1.3.2)
 * out. Callers OR the flags into the FSW. Masked responses (SDM Vol.1 4.9.1) are produced when
 * the corresponding mask bit (same bit positions as the flags, FCW bits 5:0) is set; with an
 * unmasked exception the result is what the x87 delivers to the destination in that case (e.g.
 * the bias-adjusted result for unmasked overflow/underflow, SDM Vol.1 8.4.x), and the caller
 * raises #MF / FERR# as CR0.NE says. */
struct f80_ctx {
    uint8_t rc;        /* enum f80_rc */
    uint8_t pc;        /* enum f80_pc */
    uint8_t masks;     /* FCW bits 5:0 */
    uint8_t flags;     /* in/out: F80_* raised; operations OR into it, never clear it */
    bool c1;           /* out: rounded up (cleared by every call, set by the last rounding) */
};

/* Start each instruction with flags = 0. Flags accumulate, so a memory operand's conversion
 * (f80_from_f32/f64) and the arithmetic on it share one ctx: the conversion's DE or IE stays,
 * and an unmasked DE from it makes the arithmetic stop without a result, as on the x87.
 * Unmasked pre-computation exceptions: when (flags & ~masks) has IE, DE or ZE the x87 leaves the
 * destination unchanged (SDM Vol.1 4.9.2), so the caller must not store the returned value.
 * Unmasked OE/UE: the returned extended value is the bias-adjusted one (exponent -/+ 24576) to
 * be stored in a register; for stores to memory (f80_to_f32/f64) nothing is to be stored.
 * The operations never look at the stack: stack faults (IE with SF, C1 = overflow) and the tag
 * word are the caller's; f80_tag gives the tag of a non-empty register. */

/* Arithmetic (FADD FSUB FMUL FDIV FSQRT, all rounded to the precision and rounding control). */
struct f80 f80_add(struct f80 a, struct f80 b, struct f80_ctx *ctx);
struct f80 f80_sub(struct f80 a, struct f80 b, struct f80_ctx *ctx);
struct f80 f80_mul(struct f80 a, struct f80 b, struct f80_ctx *ctx);
struct f80 f80_div(struct f80 a, struct f80 b, struct f80_ctx *ctx);
struct f80 f80_sqrt(struct f80 a, struct f80_ctx *ctx);

/* FRNDINT, FSCALE (b is truncated toward zero), FXTRACT (exponent out through *exp). */
struct f80 f80_round_int(struct f80 a, struct f80_ctx *ctx);
struct f80 f80_scale(struct f80 a, struct f80 b, struct f80_ctx *ctx);
struct f80 f80_xtract(struct f80 a, struct f80 *exp, struct f80_ctx *ctx);

/* FPREM (ieee = false, truncating quotient) and FPREM1 (ieee = true, round-to-nearest quotient):
 * a partial remainder; *cc gets C0 C1 C2 C3 as the FSW bits 8, 9, 10, 14 (C2 = incomplete, and
 * the three low quotient bits in C0 C3 C1, SDM Vol.2 FPREM). */
struct f80 f80_rem(struct f80 a, struct f80 b, bool ieee, uint16_t *cc, struct f80_ctx *ctx);

/* Comparisons: FCOM/FUCOM semantics. quiet = FUCOM (QNaN operands do not raise IE). Returns
 * the condition codes C3 C2 C0 as FSW bits (0x4000, 0x0400, 0x0100): greater 0, less C0,
 * equal C3, unordered C3|C2|C0. */
uint16_t f80_compare(struct f80 a, struct f80 b, bool quiet, struct f80_ctx *ctx);

/* FXAM: the C3 C2 C1 C0 class bits as FSW bits, given whether the register is empty. */
uint16_t f80_examine(struct f80 a, bool empty);

/* Classification helpers (SDM Vol.1 4.8.3, table 8-1 tags): tag 0 valid, 1 zero, 2 special
 * (NaN, infinity, denormal, pseudo-denormal, unsupported). */
unsigned f80_tag(struct f80 a);
bool f80_is_nan(struct f80 a);           /* QNaN or SNaN (bit 63 set, exponent all ones) */
bool f80_is_snan(struct f80 a);
bool f80_is_unsupported(struct f80 a);   /* unnormal, pseudo-zero, pseudo-infinity, pseudo-NaN */
struct f80 f80_indefinite(void);         /* the QNaN real indefinite, FFFF C000000000000000 */

/* Conversions. Integer stores round per rc; out-of-range or NaN gives the integer indefinite
 * (the most negative value) with IE (SDM Vol.2 FIST). Real stores round to the format. */
struct f80 f80_from_i64(int64_t v);
int64_t f80_to_i64(struct f80 a, unsigned bits, struct f80_ctx *ctx);    /* bits 16, 32 or 64 */
int64_t f80_to_i64_trunc(struct f80 a, unsigned bits, struct f80_ctx *ctx); /* FISTTP-style, unused by i686 */
struct f80 f80_from_f32(uint32_t v, struct f80_ctx *ctx);               /* DE for denormals, IE for SNaN */
struct f80 f80_from_f64(uint64_t v, struct f80_ctx *ctx);
uint32_t f80_to_f32(struct f80 a, struct f80_ctx *ctx);
uint64_t f80_to_f64(struct f80 a, struct f80_ctx *ctx);
/* Packed BCD (FBLD / FBSTP): 10 bytes, little-endian, sign in byte 9 bit 7. */
struct f80 f80_from_bcd(const uint8_t bcd[10]);
void f80_to_bcd(struct f80 a, uint8_t bcd[10], struct f80_ctx *ctx);

/* Transcendentals (FSIN FCOS FPTAN FPATAN F2XM1 FYL2X FYL2XP1), rounded per rc at 64 bits from a
 * ~126-bit evaluation; FSIN/FCOS/FPTAN reduce by the x87's 66-bit pi (SDM Vol.1 8.3.10), FPATAN
 * and F2XM1 use its 66-bit pi and ln 2, and FPATAN/F2XM1/FYL2X/FYL2XP1 truncate an intermediate
 * to 67 bits as the x87 does; FSIN/FCOS follow its table-driven evaluation (float80.c
 * x87_sincos). Within 1 ulp of the host x87 (identical in 92.8-99.5% per function, where the
 * x87 itself is not correctly rounded; tests/fpu/test_transcendental.c). For
 * FSIN/FCOS/FPTAN an operand outside +-2^63 sets
 * *out_of_range (C2) and leaves the operand unchanged; f80_tan returns tan only (the caller
 * pushes the 1.0 of FPTAN). f80_atan2 and f80_yl2x*: y is ST1, x is ST0. */
struct f80 f80_sin(struct f80 a, bool *out_of_range, struct f80_ctx *ctx);
struct f80 f80_cos(struct f80 a, bool *out_of_range, struct f80_ctx *ctx);
struct f80 f80_tan(struct f80 a, bool *out_of_range, struct f80_ctx *ctx);
struct f80 f80_atan2(struct f80 y, struct f80 x, struct f80_ctx *ctx);   /* FPATAN: atan(ST1/ST0) */
struct f80 f80_2xm1(struct f80 a, struct f80_ctx *ctx);
struct f80 f80_yl2x(struct f80 y, struct f80 x, struct f80_ctx *ctx);
struct f80 f80_yl2xp1(struct f80 y, struct f80 x, struct f80_ctx *ctx);

/* Constants for FLD1 FLDL2T FLDL2E FLDPI FLDLG2 FLDLN2 FLDZ, rounded per rc as the x87 does
 * (SDM Vol.1 8.3.8: the constants are stored internally with 66 bits and rounded). */
struct f80 f80_const(unsigned which, enum f80_rc rc);   /* which: D9 E8..EE low 3 bits */

#endif
