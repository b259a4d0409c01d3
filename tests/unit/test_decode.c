/* Decoder tests: lengths and fields cross-checked against capstone over a large random corpus,
 * totality over every one- and two-byte opcode, and hand-written vectors from the SDM.
 *
 * References: SDM Vol.2 chapter 2 (instruction format, tables 2-1 to 2-3 for ModRM/SIB),
 * appendix A (opcode maps A-2/A-3, extension groups A-6, x87 escape tables A-7 to A-22). */
#include <capstone/capstone.h>
#include <check.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/decode.h"

/* ---- helpers ---------------------------------------------------------------------------- */

/* splitmix64: a fixed seed makes every corpus the same on every run. */
static uint64_t rng_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static void rng_fill(uint64_t *s, uint8_t *buf, unsigned n)
{
    for (unsigned i = 0; i < n; i += 8) {
        uint64_t r = rng_next(s);
        memcpy(buf + i, &r, n - i < 8 ? n - i : 8);
    }
}

static const char *hex(const uint8_t *b, unsigned n)
{
    static char out[16 * 3 + 1];
    out[0] = 0;
    for (unsigned i = 0; i < n && i < 16; i++)
        snprintf(out + 3 * i, 4, "%02X ", b[i]);
    return out;
}

static bool is_prefix(uint8_t b)
{
    switch (b) {
    case 0x26: case 0x2E: case 0x36: case 0x3E: case 0x64: case 0x65:
    case 0x66: case 0x67: case 0xF0: case 0xF2: case 0xF3:
        return true;
    default:
        return false;
    }
}

static const uint8_t prefix_bytes[] = {0x66, 0x67, 0x26, 0x2E, 0x36, 0x3E, 0x64, 0x65, 0xF2, 0xF3, 0xF0};

/* A 16-byte buffer biased towards what makes decoding hard: a quarter start with 1-4 random
 * prefixes, a third of the opcodes are 0F xx, and a quarter of the ModRM bytes are forced to
 * the SIB / disp-only forms (rm=4, mod 0-2; mod=0 rm=5/6). */
static void gen_case(uint64_t *s, uint8_t buf[16])
{
    rng_fill(s, buf, 16);
    uint64_t r = rng_next(s);
    unsigned p = 0;
    if ((r & 3) == 0) {
        unsigned k = 1 + ((r >> 2) & 3);
        for (unsigned i = 0; i < k; i++)
            buf[p++] = prefix_bytes[((r >> (8 + 6 * i)) & 63) % sizeof(prefix_bytes)];
    }
    unsigned modrm_at = p + 1;
    if ((r >> 40) % 3 == 0) {
        buf[p] = 0x0F;
        modrm_at++;
    }
    switch ((r >> 44) & 7) {
    case 0: buf[modrm_at] = (uint8_t)((buf[modrm_at] & 0xF8) | 4) & 0xBF; break; /* SIB, mod 0/2 */
    case 1: buf[modrm_at] = (uint8_t)((buf[modrm_at] & 0x38) | 0x44); break;    /* SIB + disp8 */
    case 2: buf[modrm_at] = (uint8_t)((buf[modrm_at] & 0x38) | (r >> 47 & 1 ? 5 : 6)); break;
    default: break;
    }
}

/* ---- capstone and what it gets wrong ----------------------------------------------------- */

struct cs {
    csh h;
    cs_insn *insn;
};

static void cs_start(struct cs *c, bool code32, bool detail)
{
    ck_assert_int_eq(cs_open(CS_ARCH_X86, code32 ? CS_MODE_32 : CS_MODE_16, &c->h), CS_ERR_OK);
    if (detail)
        cs_option(c->h, CS_OPT_DETAIL, CS_OPT_ON);
    c->insn = cs_malloc(c->h);
    ck_assert_ptr_nonnull(c->insn);
}

static void cs_stop(struct cs *c)
{
    cs_free(c->insn, 1);
    cs_close(&c->h);
}

static bool cs_decode(struct cs *c, const uint8_t *buf, unsigned n)
{
    const uint8_t *code = buf;
    size_t size = n;
    uint64_t addr = 0;
    return cs_disasm_iter(c->h, &code, &size, &addr, c->insn);
}

/* x87 encodings that raise #UD on real hardware. SDM Vol.2 A.5 tables A-7 to A-22 leave them
 * blank, and executing each one on an Intel host raised SIGILL (checked while writing this
 * test); capstone rejects exactly the same set. (Other blank cells such as DD C8-CF, DE D0-D7,
 * DF C0-DF, D9 D8-DF are aliases that real CPUs execute, and capstone decodes them.) */
static bool x87_reserved(uint8_t op, uint8_t modrm)
{
    unsigned reg = (modrm >> 3) & 7;
    if (modrm < 0xC0) {
        /* FISTTP (DB/DD/DF /1) needs SSE3 (SDM Vol.2 FISTTP, CPUID.01H:ECX.SSE3); the jitpc model
         * is an i686 without SSE, so it is #UD there although this host runs it. */
        if ((op == 0xDB || op == 0xDD || op == 0xDF) && reg == 1)
            return true;
        return (op == 0xD9 && reg == 1) || (op == 0xDB && (reg == 4 || reg == 6)) ||
               (op == 0xDD && reg == 5);
    }
    switch (op) {
    case 0xD9:
        return (modrm >= 0xD1 && modrm <= 0xD7) || modrm == 0xE2 || modrm == 0xE3 ||
               modrm == 0xE6 || modrm == 0xE7 || modrm == 0xEF;
    case 0xDA: return modrm >= 0xE0 && modrm != 0xE9;
    case 0xDB: return (modrm >= 0xE5 && modrm <= 0xE7) || modrm >= 0xF8;
    case 0xDD: return modrm >= 0xF0;
    case 0xDE: return modrm == 0xD8 || (modrm >= 0xDA && modrm <= 0xDF);
    case 0xDF: return (modrm >= 0xE1 && modrm <= 0xE7) || modrm >= 0xF8;
    default: return false;
    }
}

/* Where the opcode starts (after the legacy prefixes). */
static unsigned opcode_offset(const uint8_t *b)
{
    unsigned i = 0;
    while (i < 15 && is_prefix(b[i]))
        i++;
    return i;
}

/* True if a 66 prefix comes before a later F2/F3 prefix. */
static bool opsize_before_rep(const uint8_t *b, unsigned nprefixes)
{
    bool seen66 = false;
    for (unsigned i = 0; i < nprefixes; i++) {
        if (b[i] == 0x66)
            seen66 = true;
        else if ((b[i] == 0xF2 || b[i] == 0xF3) && seen66)
            return true;
    }
    return false;
}

/* Capstone 4.0.2 mistakes, each checked against the SDM. Given how capstone failed (rejected the
 * bytes, or decoded cs_len bytes), returns the quirk's name, or NULL when the disagreement is
 * not a known capstone mistake. */
enum { QUIRK_HINT_NOP, QUIRK_BND_CALL, QUIRK_REP_MOFFS, NQUIRKS };
static const char *const quirk_names[NQUIRKS] = {"hint-NOP register form", "66..F2/F3 E8",
                                                 "66..F2/F3 A0-A3"};

static int capstone_quirk(const uint8_t *b, bool code32, const struct insn *in, bool cs_ok,
                          unsigned cs_len)
{
    unsigned p = opcode_offset(b);
    uint8_t op = b[p];

    /* 0F 18-1F with a register operand (mod=3): capstone decodes nothing. SDM Vol.2 NOP and
     * table A-3: 0F 18-1F are prefetch hints / "NOP Ev" (reserved NOPs) with any ModRM, valid
     * since P6 (CPUID family 6); the Intel host executes 0F 18-1F C0-FF as NOPs. */
    if (!cs_ok && op == 0x0F && b[p + 1] >= 0x18 && b[p + 1] <= 0x1F && b[p + 2] >= 0xC0)
        return QUIRK_HINT_NOP;

    /* In 32-bit code, a 66 prefix followed later by F2/F3: capstone drops the operand-size
     * override, as if 66 were an SSE mandatory prefix. For E8 it then reads rel32 instead of
     * rel16 (and prints "bnd call"); MOV moffs A0-A3 it rejects outright. Only this order: F2 66
     * E8 decodes correctly. SDM Vol.2 2.1.1: F2/F3 repeat string instructions only (BND, the
     * MPX meaning of F2, leaves the operand size alone); CALL E8 cw is rel16 with a 16-bit
     * operand size; A0-A3 are valid with any legacy prefix and their moffs follows the address
     * size. */
    if (code32 && opsize_before_rep(b, p)) {
        if (op == 0xE8 && cs_ok && cs_len == in->len + 2u)
            return QUIRK_BND_CALL;
        if (op >= 0xA0 && op <= 0xA3 && !cs_ok)
            return QUIRK_REP_MOFFS;
    }
    return -1;
}

/* ---- cross-check of lengths ------------------------------------------------------------- */

#define CORPUS_PER_MODE 2000000
#define MAX_REPORTS 40

static void check_lengths(bool code32, uint64_t seed)
{
    struct cs cs;
    cs_start(&cs, code32, false);
    uint64_t s = seed;
    unsigned long compared = 0, ud = 0, too_long = 0, x87_ud = 0, bad = 0;
    unsigned long quirks[NQUIRKS] = {0};
    for (unsigned long n = 0; n < CORPUS_PER_MODE; n++) {
        uint8_t b[16];
        gen_case(&s, b);
        struct insn in;
        decode_buf(&in, code32, b, 16);
        if (in.error == INSN_UD) {
            ud++;
            continue;
        }
        if (in.error == INSN_TOO_LONG) {
            too_long++;
            continue;
        }
        bool ok = cs_decode(&cs, b, 16);
        unsigned cs_len = ok ? cs.insn->size : 0;
        if (ok && cs_len == in.len) {
            compared++;
            continue;
        }
        unsigned p = in.nprefixes;
        if (!ok && b[p] >= 0xD8 && b[p] <= 0xDF && x87_reserved(b[p], b[p + 1])) {
            /* hardware #UD, decoder says OK: test_x87_reserved_forms_are_ud reports it */
            x87_ud++;
            continue;
        }
        int q = capstone_quirk(b, code32, &in, ok, cs_len);
        if (q >= 0) {
            quirks[q]++;
            continue;
        }
        if (bad++ < MAX_REPORTS)
            printf("decode%d: %s: ours len %u, capstone %s%u %s %s\n", code32 ? 32 : 16, hex(b, 16),
                   in.len, ok ? "len " : "rejects ", cs_len, ok ? cs.insn->mnemonic : "",
                   ok ? cs.insn->op_str : "");
    }
    printf("decode%d: %lu random cases: %lu lengths equal to capstone's, %lu #UD, %lu too long, "
           "%lu x87 reserved (see the x87 test), %lu mismatches; capstone quirks skipped:",
           code32 ? 32 : 16, (unsigned long)CORPUS_PER_MODE, compared, ud, too_long, x87_ud, bad);
    for (int i = 0; i < NQUIRKS; i++)
        printf(" %s %lu%s", quirk_names[i], quirks[i], i + 1 < NQUIRKS ? "," : "\n");
    fflush(stdout);
    cs_stop(&cs);
    ck_assert_msg(bad == 0, "%lu length mismatches against capstone in %d-bit code (first %d printed)",
                  bad, code32 ? 32 : 16, MAX_REPORTS);
    ck_assert_uint_gt(compared, CORPUS_PER_MODE / 2);
}

START_TEST(test_lengths_match_capstone_16bit)
{
    check_lengths(false, 0x16161616ull);
}
END_TEST

START_TEST(test_lengths_match_capstone_32bit)
{
    check_lengths(true, 0x32323232ull);
}
END_TEST

/* ---- cross-check of fields (ModRM, memory operand, immediates) ------------------------- */

static x86_reg gpr(unsigned n, bool r32)
{
    static const x86_reg r16[8] = {X86_REG_AX, X86_REG_CX, X86_REG_DX, X86_REG_BX,
                                   X86_REG_SP, X86_REG_BP, X86_REG_SI, X86_REG_DI};
    static const x86_reg e32[8] = {X86_REG_EAX, X86_REG_ECX, X86_REG_EDX, X86_REG_EBX,
                                   X86_REG_ESP, X86_REG_EBP, X86_REG_ESI, X86_REG_EDI};
    return r32 ? e32[n] : r16[n];
}

static x86_reg sreg(unsigned n)
{
    static const x86_reg s[6] = {X86_REG_ES, X86_REG_CS, X86_REG_SS, X86_REG_DS, X86_REG_FS, X86_REG_GS};
    return n < 6 ? s[n] : X86_REG_INVALID;
}

static bool is_rel_branch(uint16_t op)
{
    return (op >= 0x70 && op <= 0x7F) || (op >= 0xE0 && op <= 0xE3) || op == 0xE8 || op == 0xE9 ||
           op == 0xEB || (op >= OP_0F + 0x80 && op <= OP_0F + 0x8F);
}

/* Returns NULL if the decoded fields agree with capstone's detail, else what differs. */
static const char *compare_fields(const struct insn *in, bool code32, const uint8_t *b, const cs_x86 *x)
{
    static char why[160];
    unsigned opbytes = in->op >= OP_0F ? 2 : 1;
    uint8_t modrm = b[in->nprefixes + opbytes];

    if (in->has_modrm) {
        /* MOV CRn/DRn (0F 20-23) ignore mod and always name registers (SDM Vol.2 MOV-CR). */
        bool modreg = in->op >= OP_0F + 0x20 && in->op <= OP_0F + 0x23;
        if (in->reg != ((modrm >> 3) & 7) || in->rm != (modrm & 7) ||
            in->mod != (modreg ? 3 : modrm >> 6))
            return "ModRM fields";
        if (x->modrm != modrm)
            return "capstone ModRM byte";
    }

    const cs_x86_op *mem = NULL;
    unsigned nimm = 0;
    const cs_x86_op *imm = NULL;
    for (unsigned i = 0; i < x->op_count; i++) {
        if (x->operands[i].type == X86_OP_MEM && !mem)
            mem = &x->operands[i];
        if (x->operands[i].type == X86_OP_IMM) {
            if (!imm)
                imm = &x->operands[i];
            nimm++;
        }
    }

    if (in->has_modrm && in->mod != 3 && mem) {
        x86_reg base = in->ea.base < 0 ? X86_REG_INVALID : gpr((unsigned)in->ea.base, in->adsize32);
        x86_reg index = in->ea.index < 0 ? X86_REG_INVALID : gpr((unsigned)in->ea.index, in->adsize32);
        x86_reg cs_index = mem->mem.index == X86_REG_EIZ ? X86_REG_INVALID : mem->mem.index;
        uint32_t amask = in->adsize32 ? 0xFFFFFFFFu : 0xFFFFu;
        if (mem->mem.base != base)
            return "memory base";
        if (cs_index != index)
            return "memory index";
        if (index != X86_REG_INVALID && mem->mem.scale != 1 << in->ea.scale)
            return "memory scale";
        if (((uint32_t)mem->mem.disp & amask) != (in->disp & amask))
            return "displacement";
        if (mem->mem.segment != X86_REG_INVALID && mem->mem.segment != sreg(in->seg_override))
            return "segment override";
    }

    if (in->op == 0xC8 || in->op == 0x9A || in->op == 0xEA) {
        /* ENTER imm16, imm8 and far pointers: capstone lists the selector first */
        if (nimm != 2)
            return "two immediates expected";
        /* capstone sign-extends ENTER's operands: compare the encoded 16 and 8 bits */
        uint32_t a = (uint32_t)x->operands[0].imm, c = (uint32_t)x->operands[1].imm;
        bool ok = in->op == 0xC8 ? ((a & 0xFFFF) == in->imm && (c & 0xFF) == in->imm2)
                                 : (a == in->imm2 && c == in->imm);
        if (!ok) {
            snprintf(why, sizeof(why), "immediates %#x,%#x vs capstone %#x,%#x", in->imm, in->imm2, a, c);
            return why;
        }
    } else if (is_rel_branch(in->op) && nimm == 1) {
        /* capstone reports the target for address 0: len + sign-extended displacement. The SDM
         * (Jcc, JMP, CALL) truncates the target to the operand size; capstone truncates to 16
         * bits whenever the mode or the address size is 16-bit, so compare 16 bits then. */
        bool short_form = in->op < 0x100 && in->op != 0xE8 && in->op != 0xE9;
        int32_t rel = short_form ? (int8_t)in->imm : in->opsize32 ? (int32_t)in->imm : (int16_t)in->imm;
        bool narrow = !in->opsize32 || !in->adsize32 || !code32;
        uint32_t mask = narrow ? 0xFFFFu : 0xFFFFFFFFu;
        uint32_t target = ((uint32_t)in->len + (uint32_t)rel) & mask;
        if (((uint32_t)imm->imm & mask) != target) {
            snprintf(why, sizeof(why), "branch target %#x vs capstone %#" PRIx64, target, (uint64_t)imm->imm);
            return why;
        }
    } else if (nimm == 1 && !(in->op >= 0xD0 && in->op <= 0xD3)) {
        /* D0-D3 shift by 1 or CL: capstone shows an implicit "1" that is not in the bytes */
        uint32_t m = in->imm <= 0xFF ? 0xFF : in->imm <= 0xFFFF ? 0xFFFF : 0xFFFFFFFFu;
        if (((uint32_t)imm->imm & m) != in->imm) {
            snprintf(why, sizeof(why), "immediate %#x vs capstone %#" PRIx64, in->imm, (uint64_t)imm->imm);
            return why;
        }
    }
    return NULL;
}

#define DETAIL_PER_MODE 1000000

static void check_fields(bool code32, uint64_t seed)
{
    struct cs cs;
    cs_start(&cs, code32, true);
    uint64_t s = seed;
    unsigned long compared = 0, mem_ops = 0, bad = 0;
    for (unsigned long n = 0; n < DETAIL_PER_MODE; n++) {
        uint8_t b[16];
        gen_case(&s, b);
        struct insn in;
        decode_buf(&in, code32, b, 16);
        if (in.error != INSN_OK)
            continue;
        if (!cs_decode(&cs, b, 16) || cs.insn->size != in.len)
            continue; /* lengths are the other test's business */
        if (code32 && opsize_before_rep(b, in.nprefixes))
            continue; /* capstone ignores the 66 (see capstone_quirk) */
        compared++;
        if (in.has_modrm && in.mod != 3)
            mem_ops++;
        const char *why = compare_fields(&in, code32, b, &cs.insn->detail->x86);
        if (why && bad++ < MAX_REPORTS)
            printf("fields%d: %s: %s (capstone: %s %s)\n", code32 ? 32 : 16, hex(b, in.len), why,
                   cs.insn->mnemonic, cs.insn->op_str);
    }
    printf("fields%d: %lu instructions compared field by field (%lu with a memory operand), "
           "%lu mismatches\n", code32 ? 32 : 16, compared, mem_ops, bad);
    fflush(stdout);
    cs_stop(&cs);
    ck_assert_msg(bad == 0, "%lu field mismatches against capstone in %d-bit code", bad, code32 ? 32 : 16);
}

START_TEST(test_fields_match_capstone_16bit)
{
    check_fields(false, 0x1616ull);
}
END_TEST

START_TEST(test_fields_match_capstone_32bit)
{
    check_fields(true, 0x3232ull);
}
END_TEST

/* ---- totality --------------------------------------------------------------------------- */

/* Check's ck_assert_* records a mark point through a pipe on every success; in the loops below
 * that costs more than the decoding, so they test first and only call Check to fail. */
#define REQUIRE(cond, ...)                                                                         \
    do {                                                                                           \
        if (!(cond))                                                                               \
            ck_abort_msg(__VA_ARGS__);                                                             \
    } while (0)

/* A fetch callback that records what the decoder reads. */
struct probe {
    uint8_t bytes[16];
    int max_index;
    unsigned calls;
    bool out_of_order;
};

static uint8_t probe_fetch(void *opaque, unsigned i)
{
    struct probe *p = opaque;
    REQUIRE(i < INSN_MAX_LEN, "decoder fetched byte %u (only 0..14 exist)", i);
    if (i != p->calls)
        p->out_of_order = true;
    p->calls++;
    if ((int)i > p->max_index)
        p->max_index = (int)i;
    return p->bytes[i];
}

/* Decodes p->bytes and checks the invariants every decode must keep. */
static void decode_checked(struct probe *p, bool code32)
{
    struct insn in, again;
    p->max_index = -1;
    p->calls = 0;
    p->out_of_order = false;
    decode_insn(&in, code32, probe_fetch, p);
    REQUIRE(in.len >= 1 && in.len <= INSN_MAX_LEN, "%s: len %u", hex(p->bytes, 16), in.len);
    REQUIRE(in.error == INSN_OK || in.error == INSN_UD || in.error == INSN_TOO_LONG,
                  "%s: error %u", hex(p->bytes, 16), in.error);
    /* Precise faults on instruction fetch: the decoder reads the bytes of this instruction and
     * nothing after them, in order. */
    REQUIRE(!p->out_of_order, "%s: fetches out of order", hex(p->bytes, 16));
    if (in.error != INSN_TOO_LONG)
        REQUIRE(p->max_index + 1 == in.len, "%s: len %u but read up to byte %d",
                      hex(p->bytes, 16), in.len, p->max_index);
    else
        REQUIRE(in.len == INSN_MAX_LEN, "%s: too long but len %u", hex(p->bytes, 16), in.len);
    REQUIRE(in.nprefixes < in.len || in.error == INSN_TOO_LONG, "%s", hex(p->bytes, 16));
    REQUIRE(in.seg_override <= SEG_GS || in.seg_override == SEG_NONE, "%s", hex(p->bytes, 16));
    if (in.error == INSN_OK && in.has_modrm && in.mod != 3) {
        REQUIRE(in.ea.seg <= SEG_GS, "%s: ea.seg %u", hex(p->bytes, 16), in.ea.seg);
        REQUIRE(in.ea.base >= -1 && in.ea.base < 8 && in.ea.index >= -1 && in.ea.index < 8 &&
                      in.ea.index != 4 && in.ea.scale < 4, "%s: bad ea", hex(p->bytes, 16));
    }
    /* the decoder keeps no state: the same bytes decode the same way */
    decode_buf(&again, code32, p->bytes, 16);
    REQUIRE(memcmp(&in, &again, sizeof(in)) == 0, "%s: decode_buf differs", hex(p->bytes, 16));
}

START_TEST(test_every_two_byte_opcode_decodes_totally)
{
    uint64_t s = 0x70707070ull;
    unsigned long cases = 0;
    for (int mode = 0; mode < 2; mode++) {
        struct probe p;
        /* every first byte */
        for (unsigned b0 = 0; b0 < 256; b0++)
            for (int t = 0; t < 64; t++, cases++) {
                rng_fill(&s, p.bytes, 16);
                p.bytes[0] = (uint8_t)b0;
                decode_checked(&p, mode);
            }
        /* every pair of first bytes: all 1-byte opcodes with every ModRM, all prefix pairs */
        for (unsigned w = 0; w < 65536; w++)
            for (int t = 0; t < 8; t++, cases++) {
                rng_fill(&s, p.bytes, 16);
                p.bytes[0] = (uint8_t)w;
                p.bytes[1] = (uint8_t)(w >> 8);
                decode_checked(&p, mode);
            }
        /* every 0F opcode with every ModRM byte */
        for (unsigned w = 0; w < 65536; w++)
            for (int t = 0; t < 4; t++, cases++) {
                rng_fill(&s, p.bytes, 16);
                p.bytes[0] = 0x0F;
                p.bytes[1] = (uint8_t)w;
                p.bytes[2] = (uint8_t)(w >> 8);
                decode_checked(&p, mode);
            }
        /* runs of 0-16 prefixes followed by junk */
        for (int t = 0; t < 200000; t++, cases++) {
            rng_fill(&s, p.bytes, 16);
            unsigned k = rng_next(&s) % 17;
            for (unsigned i = 0; i < k; i++)
                p.bytes[i] = prefix_bytes[rng_next(&s) % sizeof(prefix_bytes)];
            decode_checked(&p, mode);
        }
    }
    printf("totality: %lu decodes checked\n", cases);
    fflush(stdout);
}
END_TEST

/* decode_buf: "bytes past n read as 0", so a short buffer decodes like a zero-padded one, for
 * every prefix (1, 2, ... 16 bytes) of random junk. */
START_TEST(test_short_buffers_read_as_zero_padded)
{
    uint64_t s = 0x5A5A5A5Aull;
    unsigned long cases = 0;
    for (int t = 0; t < 100000; t++) {
        uint8_t junk[16];
        gen_case(&s, junk);
        for (unsigned n = 0; n <= 16; n++, cases++) {
            uint8_t padded[16] = {0};
            memcpy(padded, junk, n);
            for (int mode = 0; mode < 2; mode++) {
                struct insn a, b;
                decode_buf(&a, mode, junk, n);
                decode_buf(&b, mode, padded, 16);
                REQUIRE(memcmp(&a, &b, sizeof(a)) == 0, "%s n=%u", hex(junk, 16), n);
                REQUIRE(a.len >= 1 && a.len <= 15, "%s n=%u: len %u", hex(junk, 16), n, a.len);
            }
        }
    }
    printf("short buffers: %lu truncated decodes checked\n", cases);
    fflush(stdout);
}
END_TEST

/* ---- hand-written vectors --------------------------------------------------------------- */

static struct insn dec(bool code32, const uint8_t *b, unsigned n)
{
    struct insn in;
    decode_buf(&in, code32, b, n);
    return in;
}

#define DEC16(...) dec(false, (const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__}))
#define DEC32(...) dec(true, (const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__}))

#define ASSERT_OK_LEN(in, n)                                                                       \
    do {                                                                                           \
        ck_assert_int_eq((in).error, INSN_OK);                                                     \
        ck_assert_int_eq((in).len, (n));                                                           \
    } while (0)

#define ASSERT_EA(in, b, i, sc, sg)                                                                \
    do {                                                                                           \
        ck_assert_int_eq((in).ea.base, (b));                                                       \
        ck_assert_int_eq((in).ea.index, (i));                                                      \
        if ((i) >= 0)                                                                              \
            ck_assert_int_eq((in).ea.scale, (sc));                                                 \
        ck_assert_int_eq((in).ea.seg, (sg));                                                       \
    } while (0)

enum { AX, CX, DX, BX, SP, BP, SI, DI };

/* SDM Vol.2 table 2-1, 16-bit addressing. */
START_TEST(test_modrm16_addressing_forms)
{
    struct insn in;
    /* 8B 46 FE: mov ax,[bp-2]; mod=01 rm=110 is [BP]+disp8, so SS is the default segment */
    in = DEC16(0x8B, 0x46, 0xFE);
    ASSERT_OK_LEN(in, 3);
    ck_assert_int_eq(in.op, 0x8B);
    ck_assert(in.has_modrm && in.mod == 1 && in.reg == AX && in.rm == 6);
    ASSERT_EA(in, BP, -1, 0, SEG_SS);
    ck_assert_uint_eq(in.disp & 0xFFFF, 0xFFFE);
    /* 8B 06 34 12: mov ax,[1234h]; mod=00 rm=110 is disp16 alone, DS */
    in = DEC16(0x8B, 0x06, 0x34, 0x12);
    ASSERT_OK_LEN(in, 4);
    ASSERT_EA(in, -1, -1, 0, SEG_DS);
    ck_assert_uint_eq(in.disp, 0x1234);
    /* 8B 00: [bx+si], DS */
    in = DEC16(0x8B, 0x00);
    ASSERT_OK_LEN(in, 2);
    ASSERT_EA(in, BX, SI, 0, SEG_DS);
    /* 8B 02 / 8B 03: [bp+si] / [bp+di], SS */
    in = DEC16(0x8B, 0x02);
    ASSERT_EA(in, BP, SI, 0, SEG_SS);
    in = DEC16(0x8B, 0x03);
    ASSERT_EA(in, BP, DI, 0, SEG_SS);
    /* 8B 07: [bx], DS; 8B 04: [si]; 8B 05: [di] */
    in = DEC16(0x8B, 0x07);
    ASSERT_EA(in, BX, -1, 0, SEG_DS);
    in = DEC16(0x8B, 0x04);
    ASSERT_EA(in, SI, -1, 0, SEG_DS);
    in = DEC16(0x8B, 0x05);
    ASSERT_EA(in, DI, -1, 0, SEG_DS);
    /* 8B 86 34 12: [bp+1234h], disp16, SS */
    in = DEC16(0x8B, 0x86, 0x34, 0x12);
    ASSERT_OK_LEN(in, 4);
    ASSERT_EA(in, BP, -1, 0, SEG_SS);
    ck_assert_uint_eq(in.disp, 0x1234);
    /* 26 8B 46 00: an ES override beats the SS default of BP */
    in = DEC16(0x26, 0x8B, 0x46, 0x00);
    ASSERT_OK_LEN(in, 4);
    ck_assert_int_eq(in.nprefixes, 1);
    ck_assert_int_eq(in.seg_override, SEG_ES);
    ASSERT_EA(in, BP, -1, 0, SEG_ES);
    /* 8B C3: mov ax,bx, register form, no displacement */
    in = DEC16(0x8B, 0xC3);
    ASSERT_OK_LEN(in, 2);
    ck_assert(in.mod == 3 && in.reg == AX && in.rm == BX);
    /* 67 8B 04 24: 32-bit addressing in 16-bit code, SIB base ESP -> [esp], SS */
    in = DEC16(0x67, 0x8B, 0x04, 0x24);
    ASSERT_OK_LEN(in, 4);
    ck_assert(in.adsize32 && !in.opsize32);
    ASSERT_EA(in, SP, -1, 0, SEG_SS);
}
END_TEST

/* SDM Vol.2 tables 2-2 and 2-3, 32-bit addressing with SIB. */
START_TEST(test_modrm32_sib_forms)
{
    struct insn in;
    /* 8B 44 24 04: mov eax,[esp+4]; SIB base=100 (ESP) makes SS the default */
    in = DEC32(0x8B, 0x44, 0x24, 0x04);
    ASSERT_OK_LEN(in, 4);
    ASSERT_EA(in, SP, -1, 0, SEG_SS);
    ck_assert_uint_eq(in.disp, 4);
    /* 8B 04 25 78 56 34 12: mod=00 SIB base=101 -> disp32 with no base; index=100 -> none */
    in = DEC32(0x8B, 0x04, 0x25, 0x78, 0x56, 0x34, 0x12);
    ASSERT_OK_LEN(in, 7);
    ASSERT_EA(in, -1, -1, 0, SEG_DS);
    ck_assert_uint_eq(in.disp, 0x12345678);
    /* 8B 04 8D 78 56 34 12: [ecx*4+12345678h]; no base, so DS even though SIB.base=101 */
    in = DEC32(0x8B, 0x04, 0x8D, 0x78, 0x56, 0x34, 0x12);
    ASSERT_OK_LEN(in, 7);
    ASSERT_EA(in, -1, CX, 2, SEG_DS);
    /* 8B 44 8D 10: mod=01 SIB base=101 is EBP: [ebp+ecx*4+10h], SS */
    in = DEC32(0x8B, 0x44, 0x8D, 0x10);
    ASSERT_OK_LEN(in, 4);
    ASSERT_EA(in, BP, CX, 2, SEG_SS);
    ck_assert_uint_eq(in.disp, 0x10);
    /* 8B 84 48 78 56 34 12: [eax+ecx*2+12345678h], DS */
    in = DEC32(0x8B, 0x84, 0x48, 0x78, 0x56, 0x34, 0x12);
    ASSERT_OK_LEN(in, 7);
    ASSERT_EA(in, AX, CX, 1, SEG_DS);
    ck_assert_uint_eq(in.disp, 0x12345678);
    /* 8B 04 E4: [esp], index=100 means none whatever the scale */
    in = DEC32(0x8B, 0x04, 0xE4);
    ASSERT_OK_LEN(in, 3);
    ASSERT_EA(in, SP, -1, 0, SEG_SS);
    /* 8B 45 FC: mov eax,[ebp-4], SS, disp8 sign-extended */
    in = DEC32(0x8B, 0x45, 0xFC);
    ASSERT_OK_LEN(in, 3);
    ASSERT_EA(in, BP, -1, 0, SEG_SS);
    ck_assert_uint_eq(in.disp, 0xFFFFFFFCu);
    /* 8B 05 78 56 34 12: mod=00 rm=101 is disp32 alone, DS */
    in = DEC32(0x8B, 0x05, 0x78, 0x56, 0x34, 0x12);
    ASSERT_OK_LEN(in, 6);
    ASSERT_EA(in, -1, -1, 0, SEG_DS);
    ck_assert_uint_eq(in.disp, 0x12345678);
    /* 8B 1C 34: mov ebx,[esp+esi]: base ESP -> SS */
    in = DEC32(0x8B, 0x1C, 0x34);
    ASSERT_OK_LEN(in, 3);
    ck_assert_int_eq(in.reg, BX);
    ASSERT_EA(in, SP, SI, 0, SEG_SS);
    /* 8B 04 2C: [esp+ebp], SS from the base; 8B 04 29: [ecx+ebp], DS: the default segment
     * follows the base register only (SDM Vol.1 3.7.5: EBP or ESP "as the base register") */
    in = DEC32(0x8B, 0x04, 0x2C);
    ASSERT_OK_LEN(in, 3);
    ASSERT_EA(in, SP, BP, 0, SEG_SS);
    in = DEC32(0x8B, 0x04, 0x29);
    ASSERT_OK_LEN(in, 3);
    ASSERT_EA(in, CX, BP, 0, SEG_DS);
    /* 64 8B 45 00: FS override on an EBP base; 3E 8B 45 00: explicit DS beats SS */
    in = DEC32(0x64, 0x8B, 0x45, 0x00);
    ASSERT_OK_LEN(in, 4);
    ASSERT_EA(in, BP, -1, 0, SEG_FS);
    in = DEC32(0x3E, 0x8B, 0x45, 0x00);
    ASSERT_EA(in, BP, -1, 0, SEG_DS);
    ck_assert_int_eq(in.seg_override, SEG_DS);
    /* 67 8B 04 25 ..: with 67 the ModRM is 16-bit: 8B 04 = mov eax,[si], 3 bytes; the 25 is
     * the next instruction, not a SIB byte */
    in = DEC32(0x67, 0x8B, 0x04, 0x25, 0x00, 0x00, 0x00, 0x00);
    ASSERT_OK_LEN(in, 3);
    ck_assert(!in.adsize32 && in.opsize32);
    ASSERT_EA(in, SI, -1, 0, SEG_DS);
    /* 67 8B 46 FE in 32-bit code: [bp-2], SS */
    in = DEC32(0x67, 0x8B, 0x46, 0xFE);
    ASSERT_OK_LEN(in, 4);
    ASSERT_EA(in, BP, -1, 0, SEG_SS);
}
END_TEST

START_TEST(test_prefixes)
{
    struct insn in;
    /* 66 B8 78 56 34 12 in 16-bit code: mov eax, imm32 */
    in = DEC16(0x66, 0xB8, 0x78, 0x56, 0x34, 0x12);
    ASSERT_OK_LEN(in, 6);
    ck_assert(in.opsize32 && !in.adsize32);
    ck_assert_uint_eq(in.imm, 0x12345678);
    /* B8 34 12: mov ax, imm16 */
    in = DEC16(0xB8, 0x34, 0x12);
    ASSERT_OK_LEN(in, 3);
    ck_assert_uint_eq(in.imm, 0x1234);
    /* 66 B8 34 12 in 32-bit code: mov ax, imm16 */
    in = DEC32(0x66, 0xB8, 0x34, 0x12);
    ASSERT_OK_LEN(in, 4);
    ck_assert(!in.opsize32);
    /* 66 66 B8 34 12: a repeated 66 still means "the other size", not toggling back */
    in = DEC32(0x66, 0x66, 0xB8, 0x34, 0x12);
    ASSERT_OK_LEN(in, 5);
    ck_assert(!in.opsize32);
    ck_assert_int_eq(in.nprefixes, 2);
    /* F3 A4: rep movsb */
    in = DEC32(0xF3, 0xA4);
    ASSERT_OK_LEN(in, 2);
    ck_assert_int_eq(in.rep, 0xF3);
    ck_assert_int_eq(in.op, 0xA4);
    /* F2 F3 A6 / F3 F2 AE: the last of F2/F3 is the one that counts */
    in = DEC32(0xF2, 0xF3, 0xA6);
    ck_assert_int_eq(in.rep, 0xF3);
    in = DEC32(0xF3, 0xF2, 0xAE);
    ck_assert_int_eq(in.rep, 0xF2);
    /* 66 67 F3 26 A5: four prefixes, all recorded */
    in = DEC16(0x66, 0x67, 0xF3, 0x26, 0xA5);
    ASSERT_OK_LEN(in, 5);
    ck_assert_int_eq(in.nprefixes, 4);
    ck_assert(in.opsize32 && in.adsize32);
    ck_assert_int_eq(in.seg_override, SEG_ES);
    ck_assert_int_eq(in.rep, 0xF3);
    /* each segment override prefix (SDM Vol.2 2.1.1 group 2) */
    const uint8_t segp[6] = {0x26, 0x2E, 0x36, 0x3E, 0x64, 0x65};
    for (unsigned i = 0; i < 6; i++) {
        in = dec(true, (const uint8_t[]){segp[i], 0x8B, 0x00}, 3);
        ASSERT_OK_LEN(in, 3);
        ck_assert_int_eq(in.seg_override, i);
        ck_assert_int_eq(in.ea.seg, i);
    }
    /* no override */
    in = DEC32(0x8B, 0x00);
    ck_assert_int_eq(in.seg_override, SEG_NONE);
    ck_assert_int_eq(in.ea.seg, SEG_DS);
    /* 0F 84 rel: Jcc near takes rel16 in 16-bit code, rel32 in 32-bit code, 66 swaps */
    in = DEC16(0x0F, 0x84, 0x34, 0x12);
    ASSERT_OK_LEN(in, 4);
    ck_assert_int_eq(in.op, OP_0F + 0x84);
    in = DEC32(0x0F, 0x84, 0x78, 0x56, 0x34, 0x12);
    ASSERT_OK_LEN(in, 6);
    in = DEC32(0x66, 0x0F, 0x84, 0x34, 0x12);
    ASSERT_OK_LEN(in, 5);
}
END_TEST

START_TEST(test_fifteen_byte_limit)
{
    uint8_t b[20];
    struct insn in;
    /* SDM Vol.2 2.3.11: an instruction may be at most 15 bytes; longer raises #GP(0). */
    /* 14 prefixes + NOP = 15 bytes: fine */
    memset(b, 0x66, sizeof(b));
    b[14] = 0x90;
    decode_buf(&in, true, b, 20);
    ASSERT_OK_LEN(in, 15);
    ck_assert_int_eq(in.nprefixes, 14);
    /* 15 prefixes + NOP = 16 bytes */
    memset(b, 0x2E, sizeof(b));
    b[15] = 0x90;
    decode_buf(&in, true, b, 20);
    ck_assert_int_eq(in.error, INSN_TOO_LONG);
    ck_assert_int_eq(in.len, 15);
    /* 16 prefixes */
    memset(b, 0x3E, sizeof(b));
    b[16] = 0x90;
    decode_buf(&in, false, b, 20);
    ck_assert_int_eq(in.error, INSN_TOO_LONG);
    ck_assert_int_eq(in.len, 15);
    /* 4 prefixes + C7 84 24 disp32 imm32 (11 bytes) = exactly 15 */
    const uint8_t body[11] = {0xC7, 0x84, 0x24, 1, 2, 3, 4, 5, 6, 7, 8};
    memset(b, 0x26, 4);
    memcpy(b + 4, body, 11);
    decode_buf(&in, true, b, 15);
    ASSERT_OK_LEN(in, 15);
    ck_assert_uint_eq(in.disp, 0x04030201);
    ck_assert_uint_eq(in.imm, 0x08070605);
    /* 5 prefixes + the same 11 bytes = 16: the immediate runs past the limit */
    memset(b, 0x26, 5);
    memcpy(b + 5, body, 11);
    decode_buf(&in, true, b, 16);
    ck_assert_int_eq(in.error, INSN_TOO_LONG);
    ck_assert_int_eq(in.len, 15);
}
END_TEST

/* SDM Vol.2 LOCK: only ADD ADC AND BTC BTR BTS CMPXCHG CMPXCHG8B DEC INC NEG NOT OR SBB SUB XOR
 * XADD XCHG with a memory destination; anything else raises #UD. */
START_TEST(test_lock_prefix)
{
    struct insn in;
    in = DEC16(0xF0, 0x90); /* lock nop */
    ck_assert_int_eq(in.error, INSN_UD);
    in = DEC16(0xF0, 0x01, 0x00); /* lock add [bx+si],ax */
    ASSERT_OK_LEN(in, 3);
    ck_assert(in.lock);
    in = DEC16(0xF0, 0x01, 0xC0); /* lock add ax,ax: register destination */
    ck_assert_int_eq(in.error, INSN_UD);
    in = DEC16(0xF0, 0x03, 0x00); /* lock add ax,[bx+si]: destination is the register */
    ck_assert_int_eq(in.error, INSN_UD);
    in = DEC32(0xF0, 0x83, 0x38, 0x05); /* lock cmp dword [eax],5 */
    ck_assert_int_eq(in.error, INSN_UD);
    in = DEC32(0xF0, 0x83, 0x30, 0x05); /* lock xor dword [eax],5 */
    ASSERT_OK_LEN(in, 4);
    in = DEC32(0xF0, 0x80, 0x08, 0x05); /* lock or byte [eax],5 */
    ASSERT_OK_LEN(in, 4);
    in = DEC32(0xF0, 0xF6, 0x10); /* lock not byte [eax] */
    ASSERT_OK_LEN(in, 3);
    in = DEC32(0xF0, 0xF7, 0x18); /* lock neg dword [eax] */
    ASSERT_OK_LEN(in, 3);
    in = DEC32(0xF0, 0xF6, 0x00, 0x05); /* lock test byte [eax],5 */
    ck_assert_int_eq(in.error, INSN_UD);
    in = DEC32(0xF0, 0xF7, 0x20); /* lock mul dword [eax] */
    ck_assert_int_eq(in.error, INSN_UD);
    in = DEC32(0xF0, 0xFE, 0x00); /* lock inc byte [eax] */
    ASSERT_OK_LEN(in, 3);
    in = DEC32(0xF0, 0xFF, 0x08); /* lock dec dword [eax] */
    ASSERT_OK_LEN(in, 3);
    in = DEC32(0xF0, 0xFF, 0x10); /* lock call [eax] */
    ck_assert_int_eq(in.error, INSN_UD);
    in = DEC32(0xF0, 0x86, 0x00); /* lock xchg [eax],al */
    ASSERT_OK_LEN(in, 3);
    in = DEC32(0xF0, 0x8B, 0x00); /* lock mov eax,[eax] */
    ck_assert_int_eq(in.error, INSN_UD);
    in = DEC32(0xF0, 0x0F, 0xA3, 0x00); /* lock bt [eax],eax */
    ck_assert_int_eq(in.error, INSN_UD);
    in = DEC32(0xF0, 0x0F, 0xAB, 0x00); /* lock bts [eax],eax */
    ASSERT_OK_LEN(in, 4);
    in = DEC32(0xF0, 0x0F, 0xBA, 0x20, 0x03); /* lock bt dword [eax],3 */
    ck_assert_int_eq(in.error, INSN_UD);
    in = DEC32(0xF0, 0x0F, 0xBA, 0x38, 0x03); /* lock btc dword [eax],3 */
    ASSERT_OK_LEN(in, 5);
    in = DEC32(0xF0, 0x0F, 0xB1, 0x08); /* lock cmpxchg [eax],ecx */
    ASSERT_OK_LEN(in, 4);
    in = DEC32(0xF0, 0x0F, 0xC1, 0x08); /* lock xadd [eax],ecx */
    ASSERT_OK_LEN(in, 4);
    in = DEC32(0xF0, 0x0F, 0xC7, 0x08); /* lock cmpxchg8b [eax] */
    ASSERT_OK_LEN(in, 4);
    in = DEC32(0xF0, 0x38, 0x00); /* lock cmp [eax],al */
    ck_assert_int_eq(in.error, INSN_UD);
    in = DEC32(0xF0, 0x84, 0x00); /* lock test [eax],al */
    ck_assert_int_eq(in.error, INSN_UD);
}
END_TEST

START_TEST(test_undefined_and_invalid_forms)
{
    struct insn in;
    in = DEC32(0x0F, 0x0B); /* UD2 (SDM Vol.2 UD): always #UD */
    ck_assert_int_eq(in.error, INSN_UD);
    ck_assert_int_eq(in.len, 2);
    in = DEC16(0xC4, 0xC0); /* LES ax,ax: LES needs a memory operand */
    ck_assert_int_eq(in.error, INSN_UD);
    in = DEC16(0xC4, 0x06, 0x34, 0x12); /* les ax,[1234h] */
    ASSERT_OK_LEN(in, 4);
    in = DEC16(0xC5, 0xC0); /* LDS register form */
    ck_assert_int_eq(in.error, INSN_UD);
    in = DEC32(0x8D, 0xC0); /* LEA register form */
    ck_assert_int_eq(in.error, INSN_UD);
    in = DEC32(0x62, 0xC0); /* BOUND register form */
    ck_assert_int_eq(in.error, INSN_UD);
    in = DEC16(0x8E, 0xC8); /* mov cs,ax: SDM MOV "CS cannot be loaded with MOV" -> #UD */
    ck_assert_int_eq(in.error, INSN_UD);
    in = DEC16(0x8E, 0xD8); /* mov ds,ax */
    ASSERT_OK_LEN(in, 2);
    in = DEC16(0x8C, 0xF0); /* mov ax,sreg6: there is no segment register 6 */
    ck_assert_int_eq(in.error, INSN_UD);
    in = DEC16(0x8C, 0xE0); /* mov ax,gs */
    ASSERT_OK_LEN(in, 2);
    in = DEC32(0xFF, 0xD8); /* call far with a register operand */
    ck_assert_int_eq(in.error, INSN_UD);
    in = DEC32(0xFF, 0xE8); /* jmp far with a register operand */
    ck_assert_int_eq(in.error, INSN_UD);
    in = DEC32(0xFF, 0x18); /* call far [eax] */
    ASSERT_OK_LEN(in, 2);
    in = DEC32(0xFF, 0xF8); /* FF /7 is blank in table A-6 */
    ck_assert_int_eq(in.error, INSN_UD);
    in = DEC32(0xFE, 0x10); /* FE /2 is blank */
    ck_assert_int_eq(in.error, INSN_UD);
    in = DEC32(0x8F, 0x08); /* 8F /1 is blank (pop is /0) */
    ck_assert_int_eq(in.error, INSN_UD);
    in = DEC32(0xC6, 0x08, 0x05); /* C6 /1 is blank */
    ck_assert_int_eq(in.error, INSN_UD);
    in = DEC32(0x0F, 0xBA, 0x00, 0x05); /* 0F BA /0 is blank (BT is /4) */
    ck_assert_int_eq(in.error, INSN_UD);
    in = DEC32(0x0F, 0xBA, 0x20, 0x05); /* bt dword [eax],5 */
    ASSERT_OK_LEN(in, 4);
    in = DEC32(0x0F, 0xC7, 0x08); /* cmpxchg8b [eax] */
    ASSERT_OK_LEN(in, 3);
    in = DEC32(0x0F, 0xC7, 0xC8); /* cmpxchg8b with a register */
    ck_assert_int_eq(in.error, INSN_UD);
    in = DEC32(0x0F, 0x01, 0x28); /* 0F 01 /5 memory is blank */
    ck_assert_int_eq(in.error, INSN_UD);
    in = DEC32(0x0F, 0x01, 0xE0); /* smsw eax */
    ASSERT_OK_LEN(in, 3);
    in = DEC32(0x0F, 0x01, 0x38); /* invlpg [eax] */
    ASSERT_OK_LEN(in, 3);
    in = DEC32(0x0F, 0x00, 0x30); /* 0F 00 /6 is blank */
    ck_assert_int_eq(in.error, INSN_UD);
    /* MOV CRn: the mod bits are ignored (SDM Vol.2 MOV-Control Registers), always 3 bytes */
    in = DEC32(0x0F, 0x20, 0xC0);
    ASSERT_OK_LEN(in, 3);
    in = DEC32(0x0F, 0x20, 0x00, 0x11, 0x22, 0x33, 0x44);
    ASSERT_OK_LEN(in, 3);
    ck_assert_int_eq(in.mod, 3);
    in = DEC32(0x0F, 0x20, 0xC8); /* CR1 does not exist: #UD */
    ck_assert_int_eq(in.error, INSN_UD);
    in = DEC32(0x0F, 0x22, 0xE0); /* mov cr4,eax */
    ASSERT_OK_LEN(in, 3);
    in = DEC32(0x0F, 0x22, 0xE8); /* CR5 */
    ck_assert_int_eq(in.error, INSN_UD);
    in = DEC32(0x0F, 0x21, 0xF8); /* mov eax,dr7 */
    ASSERT_OK_LEN(in, 3);
    /* D6 (SALC) and F1 (INT1): "undefined" but SDM Vol.3 6.15 (#UD) says they do not raise #UD */
    in = DEC32(0xD6);
    ASSERT_OK_LEN(in, 1);
    in = DEC32(0xF1);
    ASSERT_OK_LEN(in, 1);
    /* i686 without MMX/SSE (DESIGN.md CPU model): the MMX/SSE maps are #UD */
    in = DEC32(0x0F, 0x6F, 0xC0); /* movq mm0,mm0 */
    ck_assert_int_eq(in.error, INSN_UD);
    in = DEC32(0x0F, 0x28, 0xC0); /* movaps */
    ck_assert_int_eq(in.error, INSN_UD);
    in = DEC32(0x0F, 0x05); /* syscall (AMD, long mode) */
    ck_assert_int_eq(in.error, INSN_UD);
    /* and what i686 does have */
    in = DEC32(0x0F, 0xA2); /* cpuid */
    ASSERT_OK_LEN(in, 2);
    in = DEC32(0x0F, 0x31); /* rdtsc */
    ASSERT_OK_LEN(in, 2);
    in = DEC32(0x0F, 0x44, 0xC1); /* cmove eax,ecx */
    ASSERT_OK_LEN(in, 3);
    in = DEC32(0x0F, 0xC8); /* bswap eax */
    ASSERT_OK_LEN(in, 2);
    in = DEC32(0x0F, 0x1F, 0x44, 0x00, 0x00); /* nop dword [eax+eax*1+0] (SDM NOP table) */
    ASSERT_OK_LEN(in, 5);
    in = DEC16(0x0F, 0x1F, 0x44, 0x00); /* 16-bit: [si+0] */
    ASSERT_OK_LEN(in, 4);
}
END_TEST

START_TEST(test_immediates_and_branches)
{
    struct insn in;
    /* 66 E8 rel32 in 16-bit code: call with a 32-bit operand size, 6 bytes */
    in = DEC16(0x66, 0xE8, 0x78, 0x56, 0x34, 0x12);
    ASSERT_OK_LEN(in, 6);
    ck_assert_uint_eq(in.imm, 0x12345678);
    in = DEC16(0xE8, 0x34, 0x12); /* call rel16 */
    ASSERT_OK_LEN(in, 3);
    in = DEC32(0xE8, 0x78, 0x56, 0x34, 0x12); /* call rel32 */
    ASSERT_OK_LEN(in, 5);
    in = DEC32(0x66, 0xE8, 0x34, 0x12); /* call rel16 in 32-bit code */
    ASSERT_OK_LEN(in, 4);
    in = DEC32(0xEB, 0xFE); /* jmp short $ */
    ASSERT_OK_LEN(in, 2);
    ck_assert_uint_eq(in.imm, 0xFE);
    /* 9A: call ptr16:16 (5 bytes) / ptr16:32 (7 bytes); the selector is imm2 */
    in = DEC16(0x9A, 0x00, 0x10, 0x00, 0xF0);
    ASSERT_OK_LEN(in, 5);
    ck_assert_uint_eq(in.imm, 0x1000);
    ck_assert_uint_eq(in.imm2, 0xF000);
    in = DEC32(0x9A, 0x78, 0x56, 0x34, 0x12, 0x08, 0x00);
    ASSERT_OK_LEN(in, 7);
    ck_assert_uint_eq(in.imm, 0x12345678);
    ck_assert_uint_eq(in.imm2, 0x0008);
    in = DEC32(0x66, 0x9A, 0x34, 0x12, 0x08, 0x00);
    ASSERT_OK_LEN(in, 6);
    in = DEC32(0xEA, 0x78, 0x56, 0x34, 0x12, 0x10, 0x00); /* jmp far ptr16:32 */
    ASSERT_OK_LEN(in, 7);
    ck_assert_uint_eq(in.imm2, 0x10);
    /* C8 iw ib: enter 10h,1 */
    in = DEC16(0xC8, 0x10, 0x00, 0x01);
    ASSERT_OK_LEN(in, 4);
    ck_assert_uint_eq(in.imm, 0x10);
    ck_assert_uint_eq(in.imm2, 1);
    in = DEC32(0xC8, 0x10, 0x00, 0x01); /* the same size in 32-bit code */
    ASSERT_OK_LEN(in, 4);
    in = DEC32(0xC2, 0x08, 0x00); /* ret 8: imm16 whatever the operand size */
    ASSERT_OK_LEN(in, 3);
    ck_assert_uint_eq(in.imm, 8);
    in = DEC32(0xCA, 0x08, 0x00); /* retf 8 */
    ASSERT_OK_LEN(in, 3);
    in = DEC16(0xCD, 0x21); /* int 21h */
    ASSERT_OK_LEN(in, 2);
    ck_assert_uint_eq(in.imm, 0x21);
    in = DEC32(0xCC); /* int3 */
    ASSERT_OK_LEN(in, 1);
    in = DEC32(0xD4, 0x0A); /* aam */
    ASSERT_OK_LEN(in, 2);
    /* F6 /0 ib, F7 /0 iz: TEST is the only group-3 member with an immediate */
    in = DEC16(0xF6, 0x06, 0x34, 0x12, 0xAA); /* test byte [1234h],0AAh */
    ASSERT_OK_LEN(in, 5);
    ck_assert_uint_eq(in.disp, 0x1234);
    ck_assert_uint_eq(in.imm, 0xAA);
    in = DEC16(0xF7, 0xC0, 0x34, 0x12); /* test ax,1234h */
    ASSERT_OK_LEN(in, 4);
    ck_assert_uint_eq(in.imm, 0x1234);
    in = DEC16(0x66, 0xF7, 0xC0, 0x78, 0x56, 0x34, 0x12); /* test eax,12345678h */
    ASSERT_OK_LEN(in, 7);
    ck_assert_uint_eq(in.imm, 0x12345678);
    in = DEC32(0xF7, 0x05, 1, 2, 3, 4, 5, 6, 7, 8); /* test dword [04030201h],08070605h */
    ASSERT_OK_LEN(in, 10);
    ck_assert_uint_eq(in.disp, 0x04030201);
    ck_assert_uint_eq(in.imm, 0x08070605);
    /* F6 /1: blank in table A-6, but CPUs execute it as TEST r/m8,imm8 (checked on the host:
     * F6 C8 F0 with AL=0Fh sets ZF) and capstone agrees on the length */
    in = DEC32(0xF6, 0xC8, 0xF0);
    ASSERT_OK_LEN(in, 3);
    in = DEC32(0xF6, 0xD0); /* not al: no immediate */
    ASSERT_OK_LEN(in, 2);
    in = DEC32(0xF7, 0xD8); /* neg eax */
    ASSERT_OK_LEN(in, 2);
    in = DEC32(0xF7, 0x30); /* div dword [eax] */
    ASSERT_OK_LEN(in, 2);
    /* A0-A3: the moffs is sized by the address size, not the operand size */
    in = DEC16(0xA1, 0x34, 0x12);
    ASSERT_OK_LEN(in, 3);
    ck_assert_uint_eq(in.disp, 0x1234);
    in = DEC16(0x67, 0xA1, 0x78, 0x56, 0x34, 0x12);
    ASSERT_OK_LEN(in, 6);
    ck_assert_uint_eq(in.disp, 0x12345678);
    in = DEC32(0xA1, 0x78, 0x56, 0x34, 0x12);
    ASSERT_OK_LEN(in, 5);
    in = DEC32(0x67, 0xA3, 0x34, 0x12);
    ASSERT_OK_LEN(in, 4);
    ck_assert_uint_eq(in.disp, 0x1234);
    in = DEC32(0x66, 0xA1, 0x78, 0x56, 0x34, 0x12);
    ASSERT_OK_LEN(in, 6);
    /* group 1 */
    in = DEC32(0x81, 0xC0, 0x78, 0x56, 0x34, 0x12); /* add eax,12345678h */
    ASSERT_OK_LEN(in, 6);
    in = DEC32(0x66, 0x81, 0xC0, 0x34, 0x12); /* add ax,1234h */
    ASSERT_OK_LEN(in, 5);
    in = DEC32(0x83, 0xC0, 0xFF); /* add eax,-1: imm8, zero-extended in .imm */
    ASSERT_OK_LEN(in, 3);
    ck_assert_uint_eq(in.imm, 0xFF);
    in = DEC16(0x6A, 0xFF); /* push -1 */
    ASSERT_OK_LEN(in, 2);
    in = DEC16(0x68, 0x34, 0x12); /* push imm16 */
    ASSERT_OK_LEN(in, 3);
    in = DEC32(0x68, 0x78, 0x56, 0x34, 0x12); /* push imm32 */
    ASSERT_OK_LEN(in, 5);
    in = DEC16(0x69, 0xC0, 0x34, 0x12); /* imul ax,ax,1234h */
    ASSERT_OK_LEN(in, 4);
    in = DEC16(0x6B, 0xC0, 0x05); /* imul ax,ax,5 */
    ASSERT_OK_LEN(in, 3);
    in = DEC16(0xC7, 0x06, 0x34, 0x12, 0x78, 0x56); /* mov word [1234h],5678h */
    ASSERT_OK_LEN(in, 6);
    ck_assert_uint_eq(in.disp, 0x1234);
    ck_assert_uint_eq(in.imm, 0x5678);
    in = DEC32(0xC6, 0x44, 0x24, 0x04, 0x7F); /* mov byte [esp+4],7Fh */
    ASSERT_OK_LEN(in, 5);
    ck_assert_uint_eq(in.disp, 4);
    ck_assert_uint_eq(in.imm, 0x7F);
    in = DEC32(0x0F, 0xA4, 0xC0, 0x05); /* shld eax,eax,5 */
    ASSERT_OK_LEN(in, 4);
    ck_assert_uint_eq(in.imm, 5);
    in = DEC32(0xC1, 0xE0, 0x03); /* shl eax,3 */
    ASSERT_OK_LEN(in, 3);
    in = DEC32(0xD1, 0xE0); /* shl eax,1 */
    ASSERT_OK_LEN(in, 2);
}
END_TEST

/* The reserved x87 encodings that raise #UD on real CPUs (see x87_reserved) should come back as
 * INSN_UD, like every other invalid form ("invalid encodings come back with error = INSN_UD",
 * decode.h). */
START_TEST(test_x87_reserved_forms_are_ud)
{
    unsigned wrong = 0, total = 0;
    for (int mode = 0; mode < 2; mode++)
        for (unsigned op = 0xD8; op <= 0xDF; op++)
            for (unsigned m = 0; m < 256; m++) {
                uint8_t b[8] = {(uint8_t)op, (uint8_t)m, 0, 0, 0, 0, 0, 0};
                struct insn in;
                decode_buf(&in, mode, b, sizeof(b));
                if (!x87_reserved((uint8_t)op, (uint8_t)m)) {
                    REQUIRE(in.error == INSN_OK, "%02X %02X: valid x87 form decoded as %u", op, m,
                            in.error);
                    continue;
                }
                total++;
                if (in.error != INSN_UD && wrong++ < 8)
                    printf("x87: %02X %02X (%s, %d-bit) decodes as OK, hardware raises #UD\n", op, m,
                           m < 0xC0 ? "memory form" : "register form", mode ? 32 : 16);
            }
    printf("x87: %u of %u reserved encodings not flagged #UD\n", wrong, total);
    fflush(stdout);
    ck_assert_msg(wrong == 0, "%u reserved x87 encodings decode as INSN_OK", wrong);
}
END_TEST

static Suite *decode_suite(void)
{
    Suite *s = suite_create("decode");
    TCase *vec = tcase_create("vectors");
    tcase_add_test(vec, test_modrm16_addressing_forms);
    tcase_add_test(vec, test_modrm32_sib_forms);
    tcase_add_test(vec, test_prefixes);
    tcase_add_test(vec, test_fifteen_byte_limit);
    tcase_add_test(vec, test_lock_prefix);
    tcase_add_test(vec, test_undefined_and_invalid_forms);
    tcase_add_test(vec, test_immediates_and_branches);
    tcase_add_test(vec, test_x87_reserved_forms_are_ud);
    suite_add_tcase(s, vec);

    TCase *total = tcase_create("totality");
    tcase_set_timeout(total, 60);
    tcase_add_test(total, test_every_two_byte_opcode_decodes_totally);
    tcase_add_test(total, test_short_buffers_read_as_zero_padded);
    suite_add_tcase(s, total);

    TCase *cap = tcase_create("capstone");
    tcase_set_timeout(cap, 60);
    tcase_add_test(cap, test_lengths_match_capstone_16bit);
    tcase_add_test(cap, test_lengths_match_capstone_32bit);
    tcase_add_test(cap, test_fields_match_capstone_16bit);
    tcase_add_test(cap, test_fields_match_capstone_32bit);
    suite_add_tcase(s, cap);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(decode_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
