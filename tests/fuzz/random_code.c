/* Robustness: random bytes executed as code in real mode, ring 0 and ring 3 of flat 32-bit
 * protected mode, and 16-bit protected mode must end in guest exceptions (or a halt, or a triple
 * fault), never in a host crash, a sanitizer report or a hang. Run it under
 * -Db_sanitize=address,undefined to make host faults visible (README.md).
 *
 * Each program: fresh 4 MiB machine; GDT, IDT and TSS built in guest RAM; every IDT gate leads to
 * a ring-0 HLT, so the first exception ends the program; random code at 0x10000; the program runs
 * for at most 256 instructions. The random code may rewrite the GDT/IDT, load CR0, switch tasks or
 * triple-fault: all of that is fine. Assertions: the run returns, the CPU state stays inside its
 * invariants (CPL 0-3, EIP within a 32-bit value, sane segment rights), and the guest RAM
 * allocation is untouched outside its bounds (ASan). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cpu.h"

#define RAM (4u << 20)
#define GDT 0x1000u
#define IDT 0x2000u
#define TSS 0x3000u
#define HANDLER 0x4000u
#define CODE 0x10000u
#define STACK0 0x90000u
#define STACK3 0x80000u

static uint64_t rng = 0x9E3779B97F4A7C15ull;

static uint32_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 16);
}

static void put_desc(struct mem *m, uint32_t at, uint32_t base, uint32_t limit, uint32_t access, uint32_t flags)
{
    uint32_t lo = (limit & 0xFFFF) | (base << 16);
    uint32_t hi = ((base >> 16) & 0xFF) | (access << 8) | (limit & 0xF0000) | (flags << 20) | (base & 0xFF000000u);
    mem_write32(m, at, lo);
    mem_write32(m, at + 4, hi);
}

static void setup_tables(struct mem *m)
{
    /* 1: code32 ring0, 2: data32 ring0, 3: code32 ring3, 4: data32 ring3, 5: TSS32, 6: code16 ring0 */
    put_desc(m, GDT + 8, 0, 0xFFFFF, 0x9B, 0xC);
    put_desc(m, GDT + 16, 0, 0xFFFFF, 0x93, 0xC);
    put_desc(m, GDT + 24, 0, 0xFFFFF, 0xFB, 0xC);
    put_desc(m, GDT + 32, 0, 0xFFFFF, 0xF3, 0xC);
    put_desc(m, GDT + 40, TSS, 0x67, 0x89, 0);
    put_desc(m, GDT + 48, 0, 0xFFFF, 0x9B, 0);
    for (uint32_t v = 0; v < 256; v++) {           /* 386 interrupt gates to HANDLER, DPL 3 */
        mem_write32(m, IDT + v * 8, (HANDLER & 0xFFFF) | (0x08u << 16));
        mem_write32(m, IDT + v * 8 + 4, (HANDLER & 0xFFFF0000u) | 0xEE00);
    }
    mem_write32(m, TSS + 4, STACK0);               /* ESP0 */
    mem_write32(m, TSS + 8, 0x10);                 /* SS0 */
    mem_write8(m, HANDLER, 0xF4);                  /* HLT */
}

static void load_flat(struct cpu *cpu, int seg, uint16_t sel, uint32_t attr)
{
    cpu->seg[seg] = (struct seg){.sel = sel, .base = 0, .limit = 0xFFFFFFFFu, .attr = attr,
                                 .rights = SEG_VALID | SEG_R | ((attr & 8) ? 0 : SEG_W)};
}

enum mode { REAL, RING0, RING3, PM16, NMODES };
static const char *mode_name[NMODES] = {"real", "ring0", "ring3", "pm16"};

static int run_one(struct cpu *cpu, struct mem *m, enum mode mode, uint64_t *insns, int *outcome)
{
    /* Only the tables and code are reset: what earlier programs wrote elsewhere stays (the runs
     * stay deterministic: one fixed seed). */
    memset(m->ram, 0, CODE + 4096);
    setup_tables(m);
    for (uint32_t i = 0; i < 4096; i++)
        mem_write8(m, CODE + i, (uint8_t)next_rand());
    cpu_reset(cpu);
    for (int r = 0; r < 8; r++)
        cpu->regs[r] = (next_rand() & 1) ? next_rand() : next_rand() & 0xFFFF;
    if (mode == REAL) {
        /* Real mode: IVT at 0 points every vector at a HLT. */
        for (uint32_t v = 0; v < 256; v++)
            mem_write32(m, v * 4, (HANDLER & 0xF) | ((HANDLER >> 4) << 16));
        for (int s = 0; s < 6; s++)
            cpu_load_seg_real(cpu, s, 0);
        cpu_load_seg_real(cpu, SEG_CS, CODE >> 4);
        cpu->eip = 0;
        cpu->regs[R_ESP] = 0xFFF0;
        cpu_load_seg_real(cpu, SEG_SS, STACK0 >> 4);
    } else {
        cpu->cr0 |= CR0_PE;
        cpu->gdtr = (struct dtr){GDT, 0x3F};
        cpu->idtr = (struct dtr){IDT, 0x7FF};
        cpu->tr = (struct seg){.sel = 0x28, .base = TSS, .limit = 0x67, .attr = 0x8B, .rights = SEG_VALID};
        bool r3 = mode == RING3;
        load_flat(cpu, SEG_CS, r3 ? 0x1B : 0x08, r3 ? 0xC0FB : 0xC09B);
        for (int s = 0; s < 6; s++)
            if (s != SEG_CS)
                load_flat(cpu, s, r3 ? 0x23 : 0x10, r3 ? 0xC0F3 : 0xC093);
        if (mode == PM16) {
            cpu->seg[SEG_CS] = (struct seg){.sel = 0x30, .base = CODE, .limit = 0xFFFF, .attr = 0x9B,
                                            .rights = SEG_VALID | SEG_R};
            cpu->seg[SEG_SS].attr &= ~SEG_ATTR_DB;
        }
        cpu->cpl = r3 ? 3 : 0;
        cpu->eip = mode == PM16 ? 0 : CODE;
        cpu->regs[R_ESP] = r3 ? STACK3 : STACK0;
        if (next_rand() & 1)
            cpu->eflags |= FL_IF | ((next_rand() & 3) << 12);
    }
    uint64_t n = cpu_run(cpu, 256);
    *insns += n;
    *outcome = cpu->stop == CPU_STOP_SHUTDOWN ? 2 : cpu->halted ? 1 : 0;
    if (cpu->cpl > 3) {
        fprintf(stderr, "random_code: %s program left CPL %u\n", mode_name[mode], cpu->cpl);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    unsigned long count = argc > 1 ? strtoul(argv[1], NULL, 0) : 100000;
    static struct mem m;
    static struct iobus io;
    static struct cpu cpu;
    if (!mem_init(&m, RAM)) {
        fprintf(stderr, "random_code: out of memory\n");
        return 1;
    }
    io_init(&io);
    cpu_init(&cpu, &m, &io);
    uint64_t insns = 0, outcomes[NMODES][3] = {{0}};
    int failed = 0;
    for (unsigned long i = 0; i < count; i++) {
        enum mode mode = (enum mode)(i % NMODES);
        int outcome;
        failed += run_one(&cpu, &m, mode, &insns, &outcome);
        outcomes[mode][outcome]++;
    }
    for (int md = 0; md < NMODES; md++)
        printf("%-6s ran out of budget %llu, exception/halt %llu, triple fault %llu\n", mode_name[md],
               (unsigned long long)outcomes[md][0], (unsigned long long)outcomes[md][1],
               (unsigned long long)outcomes[md][2]);
    printf("%llu guest instructions in %lu random programs\n", (unsigned long long)insns, count);
    printf("random_code: %lu passed, %d failed\n", count - (unsigned long)failed, failed);
    mem_free(&m);
    return failed ? 1 : 0;
}
