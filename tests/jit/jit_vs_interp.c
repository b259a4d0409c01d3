/* The JIT against the interpreter (DESIGN.md "one source of truth"; determinism: same inputs,
 * same execution, interpreter and JIT alike). Random sequences of 32-bit user-level integer
 * instructions from the Unicorn differential test's generator (tests/diff/gen.c; that test
 * checks the interpreter against Unicorn and the host CPU) run from the same registers, flags
 * and 64 KiB of memory on two CPUs: one interpreting, one with the JIT translating every block
 * the first time it is entered. The sequence is followed by HLT, which at CPL 3 raises #GP; the
 * IDT is empty, so every run ends in a shutdown, the same way on both. Everything must be
 * identical: the eight registers, EIP, all of EFLAGS (the lazily computed undefined bits too:
 * both record the same operations), the instruction count, the exception and the memory.
 * Variants: code at CPL 3 with a 32-bit stack, at CPL 0, and with a 16-bit stack segment (SS.B=0
 * wraps the stack pointer at 64 KiB). Also a self-modifying sequence: a block that rewrites an
 * instruction later in itself must see the new instruction.
 *   jit_vs_interp [COUNT] [SEED] */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cpu.h"
#include "core/mmu.h"
#include "jit/jit.h"
#include "tests/diff/diff.h"

struct side {
    struct mem mem;
    struct iobus io;
    struct cpu cpu;
    struct jit *jit;
};

static void die(const char *what)
{
    fprintf(stderr, "jit_vs_interp: %s\n", what);
    exit(99);
}

static void side_init(struct side *s, bool jit)
{
    if (!mem_init(&s->mem, GUEST_MEM_SIZE))
        die("out of memory");
    io_init(&s->io);
    cpu_init(&s->cpu, &s->mem, &s->io);
    const struct cpu_model *model = cpu_model_find("pentiumpro");
    if (!model)
        die("no pentiumpro model");
    cpu_set_model(&s->cpu, model);
    if (jit) {
        const char *why;
        if (!(s->jit = jit_new(&s->cpu, &why)))
            die(why);
        jit_set_hot(s->jit, 1);
    }
}

enum variant { V_CPL3, V_CPL0, V_STACK16, V_COUNT };
static const char *const variant_names[V_COUNT] = {"cpl3", "cpl0", "stack16"};

/* warm: the same sequence again, its code left as it is, so that the JIT's blocks from the run
 * before are entered again (chained, through the jump cache) instead of translated anew. */
static void load(struct side *s, const struct seq *q, const uint8_t *image, enum variant v, bool warm)
{
    memcpy(s->mem.ram, image, GUEST_MEM_SIZE);
    /* the code again through the bus, so cached code of the previous sequence is retired */
    for (unsigned i = 0; !warm && i < q->len + 16; i++)
        mem_write8(&s->mem, CODE_BASE + i, image[CODE_BASE + i]);
    struct cpu *c = &s->cpu;
    cpu_reset(c);
    c->cr0 |= CR0_PE;
    bool sup = v == V_CPL0;
    /* descriptor caches as loads of these descriptors leave them (SDM Vol.3 3.4.5) */
    for (int i = 0; i < 6; i++)
        c->seg[i] = (struct seg){.sel = sup ? 0x10 : 0x23, .base = 0, .limit = 0xFFFFFFFFu,
                                 .attr = sup ? 0xC093 : 0xC0F3, .rights = SEG_VALID | SEG_R | SEG_W};
    if (v == V_STACK16)
        c->seg[SEG_SS].attr &= ~SEG_ATTR_DB;
    c->seg[SEG_CS] = (struct seg){.sel = sup ? 0x08 : 0x1B, .base = 0, .limit = 0xFFFFFFFFu,
                                  .attr = sup ? 0xC09B : 0xC0FB, .rights = SEG_VALID | SEG_R};
    c->cpl = sup ? 0 : 3;
    cpu_tlb_flush(c);
    c->idtr = (struct dtr){0, 0};
    memcpy(c->regs, q->regs, sizeof(c->regs));
    c->eip = CODE_BASE;
    cpu_set_eflags(c, q->eflags);
    /* the code page in the TLB, so the JIT starts at the first instruction */
    mmu_translate(c, CODE_BASE, ACC_EXEC, !sup);
}

static void run(struct side *s)
{
    for (int i = 0; i < 8 && s->cpu.stop == CPU_RUNNING && !s->cpu.halted; i++)
        cpu_run(&s->cpu, 1000);
}

static bool same(struct side *a, struct side *b, char *why, size_t n)
{
    struct cpu *x = &a->cpu, *y = &b->cpu;
    for (int r = 0; r < 8; r++)
        if (x->regs[r] != y->regs[r])
            return snprintf(why, n, "reg %d: interpreter %08x, JIT %08x", r, x->regs[r], y->regs[r]), false;
    if (x->eip != y->eip)
        return snprintf(why, n, "eip: interpreter %08x, JIT %08x", x->eip, y->eip), false;
    uint32_t fx = cpu_get_eflags(x), fy = cpu_get_eflags(y);
    if (fx != fy)
        return snprintf(why, n, "eflags: interpreter %08x, JIT %08x", fx, fy), false;
    if (x->icount != y->icount)
        return snprintf(why, n, "instructions: interpreter %" PRIu64 ", JIT %" PRIu64, x->icount, y->icount), false;
    if (x->stop != y->stop || x->exc_vector != y->exc_vector)
        return snprintf(why, n, "stop %d/%d, vector %d/%d", x->stop, y->stop, x->exc_vector, y->exc_vector), false;
    for (uint32_t i = 0; i < GUEST_MEM_SIZE; i++)
        if (a->mem.ram[i] != b->mem.ram[i])
            return snprintf(why, n, "memory at %04x: interpreter %02x, JIT %02x", i, a->mem.ram[i], b->mem.ram[i]), false;
    return true;
}

/* mov byte [CODE_BASE+k], 0x40 (INC EAX over a NOP later in the block), nop, ..., then HLT. */
static bool self_modifying(struct side *ip, struct side *jt)
{
    static uint8_t image[GUEST_MEM_SIZE];
    memset(image, 0, sizeof(image));
    memset(image + CODE_BASE, 0xF4, 0x1000);
    const uint8_t code[] = {0xC6, 0x05, 0x0A, 0x10, 0x00, 0x00, 0x40,   /* mov byte [0x100A], 0x40 */
                            0x90, 0x90, 0x90, 0x90, 0x90};              /* 0x100A: nop -> inc eax */
    memcpy(image + CODE_BASE, code, sizeof(code));
    struct seq q = {.len = sizeof(code), .eflags = 0x2};
    q.regs[R_ESP] = 0xC800;
    load(ip, &q, image, V_CPL0, false);
    load(jt, &q, image, V_CPL0, false);
    run(ip);
    run(jt);
    char why[160];
    if (!same(ip, jt, why, sizeof(why)) || jt->cpu.regs[R_EAX] != 1) {
        printf("FAIL: self-modifying code: %s (eax %08x, the rewritten INC must run)\n", why, jt->cpu.regs[R_EAX]);
        return false;
    }
    return true;
}

int main(int argc, char **argv)
{
    unsigned count = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 0) : 20000;
    uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 0) : 0x4A17C0DEull;
    if (!jit_available()) {
        printf("SKIP: no JIT backend for this host\n");
        return 77;
    }
    static struct side ip, jt;
    side_init(&ip, false);
    side_init(&jt, true);
    static uint8_t image[GUEST_MEM_SIZE];
    static struct seq q;
    unsigned failed = 0;
    uint64_t insns = 0;
    for (unsigned i = 0; i < count; i++) {
        uint64_t rng = seed ^ ((uint64_t)i * 0x9E3779B97F4A7C15ull);
        memset(image, 0, sizeof(image));
        gen_sequence(&rng, &q, image);
        memset(image + CODE_BASE + q.len, 0xF4, 0x1000 - q.len);
        enum variant v = (enum variant)(i % V_COUNT);
        /* twice: translated on the first run, entered again on the second (unless the sequence
         * wrote its own code, which the bus then retired) */
        for (int pass = 0; pass < 2; pass++) {
            /* (a sequence that wrote its code gets it back through the bus instead: blocks
             * translated from the written bytes must not survive the copy back) */
            bool warm = pass == 1 && !memcmp(jt.mem.ram + CODE_BASE, image + CODE_BASE, q.len + 16);
            load(&ip, &q, image, v, false);
            load(&jt, &q, image, v, warm);
            uint64_t before = ip.cpu.icount;
            run(&ip);
            run(&jt);
            insns += ip.cpu.icount - before;
            char why[160];
            if (!same(&ip, &jt, why, sizeof(why))) {
                if (failed++ < 10) {
                    printf("FAIL: sequence %u (%s, %s run): %s\n  code:", i, variant_names[v],
                           pass ? "second" : "first", why);
                    for (unsigned k = 0; k < q.len; k++)
                        printf(" %02x", q.code[k]);
                    printf("\n");
                }
                break;
            }
        }
    }
    if (!self_modifying(&ip, &jt))
        failed++;
    const struct jit_stats *st = jit_get_stats(jt.jit);
    printf("jit_vs_interp: %u sequences (%" PRIu64 " instructions), %" PRIu64 " blocks run, %" PRIu64
           " translated instructions inline, %" PRIu64 " through the interpreter; %u failed\n",
           count, insns, st->blocks_run, st->inline_ops, st->helper_ops, failed);
    /* The test is void unless the JIT ran: every sequence starts with a translated block (a
     * block that faults leaves through the fault, so instructions run in blocks are not
     * counted here). */
    if (st->blocks_run < count) {
        printf("FAIL: the JIT ran fewer blocks than there were sequences\n");
        return 1;
    }
    return failed ? 1 : 0;
}
