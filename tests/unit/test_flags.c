/* Lazy flags checked against the host CPU: the same add/adc/sub/sbb/and/or/xor/inc/dec run on
 * the x86-64 host, whose RFLAGS and SETcc results are the oracle.
 *
 * Which flags each instruction defines: SDM Vol.2, "Flags Affected" of ADD ADC SUB SBB (all six),
 * AND OR XOR (CF=OF=0, SF ZF PF by result, AF undefined), INC DEC (CF unchanged, the rest by
 * result). Condition codes: SDM Vol.2 appendix B.1.4.7 (tttn). */
#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/flags.h"

#if !defined(__x86_64__)
#error "test_flags uses the host CPU as its oracle and needs an x86-64 host"
#endif

/* Check's ck_assert_* records a mark point through a pipe on every success; the loops below
 * test first and only call Check to fail. */
#define REQUIRE(cond, ...)                                                                         \
    do {                                                                                           \
        if (!(cond))                                                                               \
            ck_abort_msg(__VA_ARGS__);                                                             \
    } while (0)

/* ---- the host oracle ------------------------------------------------------------------- */

/* What the host reports after one instruction: the result, RFLAGS, and SETcc for cc 0-15. */
struct host {
    uint32_t res;
    uint32_t flags;
    uint8_t cond[16];
};

/* pushfq writes below RSP, where the compiler may keep red-zone data: step over the 128-byte
 * red zone with LEA, which leaves the flags alone. The SETcc order is the tttn order. */
#define HOST_TAIL                                                                                  \
    "seto 0(%[p])\n\tsetno 1(%[p])\n\tsetb 2(%[p])\n\tsetae 3(%[p])\n\t"                           \
    "sete 4(%[p])\n\tsetne 5(%[p])\n\tsetbe 6(%[p])\n\tseta 7(%[p])\n\t"                           \
    "sets 8(%[p])\n\tsetns 9(%[p])\n\tsetp 10(%[p])\n\tsetnp 11(%[p])\n\t"                         \
    "setl 12(%[p])\n\tsetge 13(%[p])\n\tsetle 14(%[p])\n\tsetg 15(%[p])\n\t"                       \
    "lea -128(%%rsp), %%rsp\n\tpushfq\n\tpopq %[fl]\n\tlea 128(%%rsp), %%rsp"

/* Two-operand op: x = x OP y, with CF = cin on entry (BT copies bit 0 of cin into CF). */
#define HOST_BINOP(fname, mnem, type)                                                              \
    static void fname(uint32_t a, uint32_t b, uint32_t cin, struct host *h)                        \
    {                                                                                              \
        type x = (type)a, y = (type)b;                                                             \
        uint64_t fl;                                                                               \
        __asm__ volatile("btl $0, %k[c]\n\t" mnem " %[y], %[x]\n\t" HOST_TAIL                      \
                         : [x] "+q"(x), [fl] "=&r"(fl)                                             \
                         : [y] "q"(y), [c] "r"(cin), [p] "r"(h->cond)                              \
                         : "cc", "memory");                                                        \
        h->res = x;                                                                                \
        h->flags = (uint32_t)fl;                                                                   \
    }

/* One-operand op (INC, DEC), CF = cin on entry so we can see it survive. */
#define HOST_UNOP(fname, mnem, type)                                                               \
    static void fname(uint32_t a, uint32_t b, uint32_t cin, struct host *h)                        \
    {                                                                                              \
        (void)b;                                                                                   \
        type x = (type)a;                                                                          \
        uint64_t fl;                                                                               \
        __asm__ volatile("btl $0, %k[c]\n\t" mnem " %[x]\n\t" HOST_TAIL                            \
                         : [x] "+q"(x), [fl] "=&r"(fl)                                             \
                         : [c] "r"(cin), [p] "r"(h->cond)                                          \
                         : "cc", "memory");                                                        \
        h->res = x;                                                                                \
        h->flags = (uint32_t)fl;                                                                   \
    }

#define HOST_ALL_SIZES(op)                                                                         \
    HOST_BINOP(host_##op##8, #op, uint8_t)                                                         \
    HOST_BINOP(host_##op##16, #op, uint16_t)                                                       \
    HOST_BINOP(host_##op##32, #op, uint32_t)

HOST_ALL_SIZES(add)
HOST_ALL_SIZES(adc)
HOST_ALL_SIZES(sub)
HOST_ALL_SIZES(sbb)
HOST_ALL_SIZES(and)
HOST_ALL_SIZES(or)
HOST_ALL_SIZES(xor)
HOST_UNOP(host_inc8, "inc", uint8_t)
HOST_UNOP(host_inc16, "inc", uint16_t)
HOST_UNOP(host_inc32, "inc", uint32_t)
HOST_UNOP(host_dec8, "dec", uint8_t)
HOST_UNOP(host_dec16, "dec", uint16_t)
HOST_UNOP(host_dec32, "dec", uint32_t)

/* TEST r,r: SF ZF PF of a value of the given size (CF=OF=0). */
static uint32_t host_test(uint32_t v, unsigned size)
{
    uint64_t fl;
    uint8_t b = (uint8_t)v;
    uint16_t w = (uint16_t)v;
    switch (size) {
    case 1:
        __asm__ volatile("testb %[v], %[v]\n\tlea -128(%%rsp), %%rsp\n\tpushfq\n\tpopq %[fl]\n\t"
                         "lea 128(%%rsp), %%rsp"
                         : [fl] "=r"(fl) : [v] "q"(b) : "cc");
        break;
    case 2:
        __asm__ volatile("testw %[v], %[v]\n\tlea -128(%%rsp), %%rsp\n\tpushfq\n\tpopq %[fl]\n\t"
                         "lea 128(%%rsp), %%rsp"
                         : [fl] "=r"(fl) : [v] "r"(w) : "cc");
        break;
    default:
        __asm__ volatile("testl %[v], %[v]\n\tlea -128(%%rsp), %%rsp\n\tpushfq\n\tpopq %[fl]\n\t"
                         "lea 128(%%rsp), %%rsp"
                         : [fl] "=r"(fl) : [v] "r"(v) : "cc");
        break;
    }
    return (uint32_t)fl;
}

/* ---- the operations under test ---------------------------------------------------------- */

typedef void (*host_fn)(uint32_t a, uint32_t b, uint32_t cin, struct host *h);

enum alu { ALU_ADD, ALU_ADC, ALU_SUB, ALU_SBB, ALU_AND, ALU_OR, ALU_XOR, ALU_INC, ALU_DEC };

struct op {
    const char *name;
    enum alu alu;
    enum lf_op kind;  /* the 8-bit member; lf_set picks the size */
    host_fn host[3];  /* 8, 16, 32 bits */
    uint32_t defined; /* flags the SDM defines for this instruction */
};

#define HOSTS(op) {host_##op##8, host_##op##16, host_##op##32}

static const struct op ops[] = {
    {"add", ALU_ADD, LF_ADD8, HOSTS(add), FL_ARITH},
    {"adc", ALU_ADC, LF_ADC8, HOSTS(adc), FL_ARITH},
    {"sub", ALU_SUB, LF_SUB8, HOSTS(sub), FL_ARITH},
    {"sbb", ALU_SBB, LF_SBB8, HOSTS(sbb), FL_ARITH},
    {"and", ALU_AND, LF_LOGIC8, HOSTS(and), FL_ARITH & ~FL_AF}, /* AF undefined after logic ops */
    {"or", ALU_OR, LF_LOGIC8, HOSTS(or), FL_ARITH & ~FL_AF},
    {"xor", ALU_XOR, LF_LOGIC8, HOSTS(xor), FL_ARITH & ~FL_AF},
    {"inc", ALU_INC, LF_INC8, HOSTS(inc), FL_ARITH}, /* CF unchanged: the host shows cin */
    {"dec", ALU_DEC, LF_DEC8, HOSTS(dec), FL_ARITH},
};
#define NOPS (sizeof(ops) / sizeof(ops[0]))

static uint32_t size_mask(unsigned size)
{
    return size == 1 ? 0xFFu : size == 2 ? 0xFFFFu : 0xFFFFFFFFu;
}

/* What an interpreter would compute and record for op (a, b, cin): returns the result and fills
 * cpu->lf the way the handler does (flags.h; INC/DEC record src2 = 1 and the preserved CF). */
static uint32_t emulate(struct cpu *cpu, const struct op *op, unsigned size, uint32_t a, uint32_t b,
                        uint32_t cin)
{
    uint32_t m = size_mask(size), res, src2 = b, cf = 0;
    a &= m;
    b &= m;
    switch (op->alu) {
    case ALU_ADD: res = a + b; break;
    case ALU_ADC: res = a + b + cin; cf = cin; break;
    case ALU_SUB: res = a - b; break;
    case ALU_SBB: res = a - b - cin; cf = cin; break;
    case ALU_AND: res = a & b; break;
    case ALU_OR: res = a | b; break;
    case ALU_XOR: res = a ^ b; break;
    case ALU_INC: res = a + 1; src2 = 1; cf = cin; break;
    default: res = a - 1; src2 = 1; cf = cin; break;
    }
    res &= m;
    lf_set(cpu, op->kind, size, res, a, src2 & m, cf);
    return res;
}

static const char *cc_name[16] = {"O", "NO", "B", "AE", "E", "NE", "BE", "A",
                                  "S", "NS", "P", "NP", "L", "GE", "LE", "G"};

/* Runs one case on the host and through the lazy flags; fails the test on any difference. */
static void check_case(const struct op *op, unsigned size, uint32_t a, uint32_t b, uint32_t cin)
{
    uint32_t m = size_mask(size);
    a &= m;
    b &= m;
    cin &= 1;
    struct host h;
    op->host[size == 1 ? 0 : size == 2 ? 1 : 2](a, b, cin, &h);

    struct cpu cpu;
    memset(&cpu, 0, sizeof(cpu));
    uint32_t res = emulate(&cpu, op, size, a, b, cin);
    REQUIRE(res == (h.res & m), "%s%u %#x,%#x cf=%u: test computes %#x, host %#x", op->name, size * 8,
            a, b, cin, res, h.res & m);

    uint32_t got = lf_compute(&cpu.lf);
    REQUIRE((got & ~FL_ARITH) == 0, "%s%u: lf_compute set non-arithmetic bits %#x", op->name,
            size * 8, got);
    uint32_t diff = (got ^ h.flags) & op->defined;
    REQUIRE(diff == 0,
            "%s%u %#x,%#x cf_in=%u -> %#x: lf_compute %#x, host %#x, differ in%s%s%s%s%s%s", op->name,
            size * 8, a, b, cin, res, got & op->defined, h.flags & op->defined,
            diff & FL_CF ? " CF" : "", diff & FL_PF ? " PF" : "", diff & FL_AF ? " AF" : "",
            diff & FL_ZF ? " ZF" : "", diff & FL_SF ? " SF" : "", diff & FL_OF ? " OF" : "");

    /* the single-flag queries */
    REQUIRE(flag_cf(&cpu) == !!(h.flags & FL_CF) && flag_zf(&cpu) == !!(h.flags & FL_ZF) &&
                flag_sf(&cpu) == !!(h.flags & FL_SF) && flag_of(&cpu) == !!(h.flags & FL_OF) &&
                flag_pf(&cpu) == !!(h.flags & FL_PF),
            "%s%u %#x,%#x cf_in=%u: flag_xx() disagree with host %#x", op->name, size * 8, a, b, cin,
            h.flags);

    /* every condition code, lazily... */
    for (unsigned cc = 0; cc < 16; cc++)
        REQUIRE(cond_true(&cpu, cc) == h.cond[cc],
                "%s%u %#x,%#x cf_in=%u: cond_true(%s) = %d, host SET%s = %d", op->name, size * 8, a, b,
                cin, cc_name[cc], cond_true(&cpu, cc), cc_name[cc], h.cond[cc]);

    /* ...and after materialising into EFLAGS, which must keep the other bits */
    const uint32_t others = FL_IF | FL_DF | FL_TF | 0x2;
    cpu.eflags = others | FL_ARITH; /* stale arithmetic bits that must be overwritten */
    flags_materialize(&cpu);
    REQUIRE(cpu.lf.op == LF_NONE, "flags_materialize left the lazy record");
    REQUIRE((cpu.eflags & ~FL_ARITH) == others, "flags_materialize changed bits %#x",
            (cpu.eflags ^ others) & ~FL_ARITH);
    REQUIRE((cpu.eflags & FL_ARITH) == got, "flags_materialize wrote %#x, lf_compute said %#x",
            cpu.eflags & FL_ARITH, got);
    for (unsigned cc = 0; cc < 16; cc++)
        REQUIRE(cond_true(&cpu, cc) == h.cond[cc],
                "%s%u %#x,%#x cf_in=%u: materialised cond_true(%s) = %d, host %d", op->name, size * 8,
                a, b, cin, cc_name[cc], cond_true(&cpu, cc), h.cond[cc]);
}

/* Values where flags change: around 0, the sign bit, the nibble carry and all-ones. */
static unsigned edge_values(unsigned size, uint32_t *out)
{
    uint32_t m = size_mask(size), sign = (m >> 1) + 1;
    const uint32_t base[] = {0, 1, 2, 0x0F, 0x10, 0x11, 0x7F, 0x80, 0x81, 0xFE, 0xFF, 0x100,
                             0x7FFF, 0x8000, 0x8001, 0xFFFF, 0x10000, 0x0F0F0F0F, 0xF0F0F0F0,
                             0x55555555, 0xAAAAAAAA, sign - 2, sign - 1, sign, sign + 1, m - 1, m};
    unsigned n = 0;
    for (unsigned i = 0; i < sizeof(base) / sizeof(base[0]); i++) {
        uint32_t v = base[i] & m;
        bool dup = false;
        for (unsigned j = 0; j < n; j++)
            dup |= out[j] == v;
        if (!dup)
            out[n++] = v;
    }
    return n;
}

static uint64_t rng_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* A random operand: half uniform, half an edge value nudged by a little. */
static uint32_t random_operand(uint64_t *s, const uint32_t *edges, unsigned nedges)
{
    uint64_t r = rng_next(s);
    if (r & 1)
        return (uint32_t)(r >> 32);
    return edges[(r >> 8) % nedges] + (uint32_t)((int32_t)((r >> 16) & 7) - 3);
}

static unsigned long run_op(const struct op *op, unsigned long random_per_size)
{
    unsigned long n = 0;
    /* 8 bits: exhaustive, with both carry-ins */
    for (uint32_t a = 0; a < 256; a++)
        for (uint32_t b = 0; b < 256; b++)
            for (uint32_t cin = 0; cin < 2; cin++, n++)
                check_case(op, 1, a, b, cin);
    uint64_t s = 0xF1A65ull + (uint64_t)op->kind;
    for (unsigned size = 2; size <= 4; size += 2) {
        uint32_t edges[40];
        unsigned ne = edge_values(size, edges);
        for (unsigned i = 0; i < ne; i++)
            for (unsigned j = 0; j < ne; j++)
                for (uint32_t cin = 0; cin < 2; cin++, n++)
                    check_case(op, size, edges[i], edges[j], cin);
        for (unsigned long k = 0; k < random_per_size; k++, n++)
            check_case(op, size, random_operand(&s, edges, ne), random_operand(&s, edges, ne),
                       (uint32_t)rng_next(&s));
    }
    return n;
}

#define OP_TEST(tname, index, nrandom)                                                             \
    START_TEST(tname)                                                                              \
    {                                                                                              \
        unsigned long n = run_op(&ops[index], nrandom);                                            \
        printf("flags: %-3s %lu cases (8-bit exhaustive, 16/32-bit edges + random)\n",              \
               ops[index].name, n);                                                                \
        fflush(stdout);                                                                            \
    }                                                                                              \
    END_TEST

OP_TEST(test_add_flags_match_host, 0, 30000)
OP_TEST(test_adc_flags_match_host, 1, 30000)
OP_TEST(test_sub_flags_match_host, 2, 30000)
OP_TEST(test_sbb_flags_match_host, 3, 30000)
OP_TEST(test_and_flags_match_host, 4, 20000)
OP_TEST(test_or_flags_match_host, 5, 20000)
OP_TEST(test_xor_flags_match_host, 6, 20000)
OP_TEST(test_inc_flags_match_host, 7, 20000)
OP_TEST(test_dec_flags_match_host, 8, 20000)

/* cond_true after CMP (recorded as SUB) for random operand pairs against the host's SETcc,
 * biased to equal, adjacent and sign-boundary pairs where signed and unsigned orders differ. */
START_TEST(test_cond_true_after_cmp_matches_host_setcc)
{
    uint64_t s = 0xC0DEull;
    unsigned long n = 0;
    for (unsigned size = 1; size <= 4; size *= 2) {
        uint32_t edges[40];
        unsigned ne = edge_values(size, edges);
        for (int k = 0; k < 100000; k++, n++) {
            uint32_t a = random_operand(&s, edges, ne), b;
            switch (rng_next(&s) % 4) {
            case 0: b = a; break;
            case 1: b = a + 1; break;
            case 2: b = a ^ ((size_mask(size) >> 1) + 1); break; /* flip the sign bit */
            default: b = random_operand(&s, edges, ne); break;
            }
            check_case(&ops[2], size, a, b, (uint32_t)rng_next(&s));
        }
    }
    printf("cond: %lu cmp cases x 16 condition codes\n", n);
    fflush(stdout);
}
END_TEST

/* cond_true with no lazy record reads EFLAGS: every combination of the five flags it uses. */
START_TEST(test_cond_true_reads_eflags_when_not_lazy)
{
    for (uint32_t bits = 0; bits < 32; bits++) {
        struct cpu cpu;
        memset(&cpu, 0, sizeof(cpu));
        cpu.lf.op = LF_NONE;
        bool cf = bits & 1, pf = bits & 2, zf = bits & 4, sf = bits & 8, of = bits & 16;
        cpu.eflags = 0x2 | (cf ? FL_CF : 0) | (pf ? FL_PF : 0) | (zf ? FL_ZF : 0) | (sf ? FL_SF : 0) |
                     (of ? FL_OF : 0);
        /* SDM Vol.2 Jcc table */
        const bool want[16] = {of, !of, cf, !cf, zf, !zf, cf || zf, !cf && !zf,
                               sf, !sf, pf, !pf, sf != of, sf == of, zf || sf != of, !zf && sf == of};
        for (unsigned cc = 0; cc < 16; cc++)
            ck_assert_msg(cond_true(&cpu, cc) == want[cc], "EFLAGS %#x: cond_true(%s) = %d", cpu.eflags,
                          cc_name[cc], cond_true(&cpu, cc));
        ck_assert_int_eq(lf_compute(&cpu.lf), 0);
    }
}
END_TEST

/* PF: set when the low byte has an even number of 1 bits (SDM Vol.1 3.4.3.1); host TEST AL,AL. */
START_TEST(test_parity_flag_matches_host_for_every_byte)
{
    for (uint32_t v = 0; v < 256; v++)
        ck_assert_msg(parity_flag(v) == (host_test(v, 1) & FL_PF), "parity_flag(%#x) = %#x, host PF %#x",
                      v, parity_flag(v), host_test(v, 1) & FL_PF);
    /* only the low byte counts, whatever the operand size */
    uint64_t s = 0x9A817ull;
    for (int k = 0; k < 100000; k++) {
        uint32_t v = (uint32_t)rng_next(&s);
        REQUIRE(parity_flag(v) == (host_test(v, 4) & FL_PF), "parity_flag(%#x)", v);
    }
}
END_TEST

/* flags_set_szp: materialise the pending op, then SF ZF PF from a result of 1, 2 or 4 bytes. */
START_TEST(test_flags_set_szp_matches_host_test)
{
    uint64_t s = 0x52Bull;
    for (int k = 0; k < 100000; k++) {
        unsigned size = 1u << (rng_next(&s) % 3);
        uint32_t a = (uint32_t)rng_next(&s) & 0xFF, b = (uint32_t)rng_next(&s) & 0xFF;
        uint32_t v = (uint32_t)rng_next(&s);
        if (k % 4 == 0)
            v &= ~size_mask(size); /* a zero result with garbage above the operand size */
        struct host h;
        host_add8(a, b, 0, &h);
        struct cpu cpu;
        memset(&cpu, 0, sizeof(cpu));
        cpu.eflags = 0x2 | FL_IF | FL_DF;
        lf_set(&cpu, LF_ADD8, 1, (a + b) & 0xFF, a, b, 0);
        flags_set_szp(&cpu, v, size);
        uint32_t want = (h.flags & (FL_CF | FL_AF | FL_OF)) | (host_test(v, size) & (FL_SF | FL_ZF | FL_PF));
        REQUIRE(cpu.lf.op == LF_NONE, "flags_set_szp left the lazy record");
        REQUIRE(cpu.eflags == (0x2 | FL_IF | FL_DF | want),
                "flags_set_szp(%#x, %u) after add8 %#x,%#x: eflags %#x, want %#x", v, size, a, b,
                cpu.eflags, 0x2 | FL_IF | FL_DF | want);
    }
}
END_TEST

static Suite *flags_suite(void)
{
    Suite *s = suite_create("flags");
    TCase *tc = tcase_create("host-oracle");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_add_flags_match_host);
    tcase_add_test(tc, test_adc_flags_match_host);
    tcase_add_test(tc, test_sub_flags_match_host);
    tcase_add_test(tc, test_sbb_flags_match_host);
    tcase_add_test(tc, test_and_flags_match_host);
    tcase_add_test(tc, test_or_flags_match_host);
    tcase_add_test(tc, test_xor_flags_match_host);
    tcase_add_test(tc, test_inc_flags_match_host);
    tcase_add_test(tc, test_dec_flags_match_host);
    tcase_add_test(tc, test_cond_true_after_cmp_matches_host_setcc);
    tcase_add_test(tc, test_cond_true_reads_eflags_when_not_lazy);
    tcase_add_test(tc, test_parity_flag_matches_host_for_every_byte);
    tcase_add_test(tc, test_flags_set_szp_matches_host_test);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(flags_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
