/* Differential test: random 32-bit user-level instruction sequences run in jitpc's interpreter
 * and in Unicorn (a QEMU-derived emulator), from the same random registers and memory; the
 * final registers, EIP, EFLAGS (minus the flags the SDM leaves undefined) and memory must agree.
 * Where they disagree the host CPU decides (--oracle, hostcpu.c). tests/diff/README.md. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <capstone/capstone.h>
#include <unicorn/unicorn.h>

#include "core/cpu.h"
#include "core/cpumodel.h"
#include "core/ioport.h"
#include "core/mem.h"
#include "diff.h"
#include "hostcpu.h"
#include "known.h"

#define EXIT_ERROR 99          /* meson: the test itself is broken */
#define MAX_STEPS 256          /* a sequence is at most MAX_INSNS instructions, REPs count once */
#define UC_REP_STEPS 64        /* Unicorn counts each REP iteration as an instruction */
/* Unicorn 2.0.1 crashes (in tb_set_jmp_target) after about a million sequences, once its
 * translation buffer has filled up: the instances are made anew this often. */
#define UC_RECYCLE 100000

/* Paged mode (README "Paged mode"): jitpc's physical memory is two windows of 64 KiB, at 0 and
 * at 4 MiB (where a 4 MiB page can map); Unicorn's is the 64 KiB it always has, plus a GDT page. */
#define PG_PAGE 0x1000u
#define PG_WIN 0x10000u
#define PG_HIGH 0x400000u
#define PG_RAM_SIZE (PG_HIGH + PG_WIN)
#define PG_GDT 0x10000u
/* the linear pages the sequences touch: code, data (two pages), stack */
#define PG_USED ((1u << 1) | (1u << 8) | (1u << 9) | (1u << 12))
/* page-table entry bits (SDM Vol.3 4.3, tables 4-4 to 4-6) */
#define E_P 0x001u
#define E_W 0x002u
#define E_U 0x004u
#define E_PWT 0x008u
#define E_PCD 0x010u
#define E_A 0x020u
#define E_D 0x040u
#define E_PS 0x080u
#define E_G 0x100u
#define E_AVL 0xE00u

static const char *const reg_names[8] = {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"};

static struct {
    uint64_t seed;
    uint64_t count;
    uint64_t first;
    unsigned max_report;
    bool verbose;
    bool oracle;
    bool stepwise;            /* bisect every sequence, not only the ones that differ */
    const char *try_hex;      /* --try: one instruction, given as hex bytes */
    const char *try_state;    /* --state: its registers and EFLAGS */
    const char *try_mem[8];   /* --mem: ADDR:HEXBYTES */
    unsigned ntry_mem;
    bool stats;               /* capstone: check every encoding, count the mnemonics tested */
    bool paging;              /* --paging: random page tables (README "Paged mode") */
} opt = {.seed = 0x6A697470635F6466ull, .count = 100000, .max_report = 10};

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("diff: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(EXIT_ERROR);
}

/* ---------------------------------------------------------------------------------------------
 * jitpc: flat 32-bit protected mode at CPL 3, the state set directly */

struct jside {
    struct mem mem;
    struct iobus io;
    struct cpu cpu;
};

static void j_init(struct jside *j)
{
    if (!mem_init(&j->mem, opt.paging ? PG_RAM_SIZE : GUEST_MEM_SIZE))
        die("out of memory");
    io_init(&j->io);
    cpu_init(&j->cpu, &j->mem, &j->io);
    /* a P6: CMOVcc, CMPXCHG8B, BSWAP, and EFLAGS.ID writable as in Unicorn's CPU */
    const struct cpu_model *model = cpu_model_find("pentiumpro");
    if (!model)
        die("jitpc has no pentiumpro CPU model");
    cpu_set_model(&j->cpu, model);
}

/* The paged mode's layout of the current sequence (pg_build). */
static struct {
    int cpl;
    bool wp, pse, big;            /* big: PDE 0 maps a 4 MiB page (CR4.PSE and PDE.PS) */
    uint32_t base;                /* big: the 4 MiB page's frame, 0 or PG_HIGH */
    uint32_t pd, pt;              /* page directory, page table: low pages not in PG_USED */
    uint32_t frame[16];           /* jitpc's frame of each linear page in PG_USED */
    uint16_t alias[16];           /* the other pages in PG_USED mapped to the same frame */
    uint16_t written;             /* the linear pages the sequence writes (jitpc's pre-run) */
    uint32_t pde0, pte[16];       /* the initial entries (pte: 4 KiB mode, pages in PG_USED) */
    uint8_t jinit[2][PG_WIN];     /* jitpc's initial physical memory, both windows */
    uint8_t view[GUEST_MEM_SIZE]; /* jv(): jitpc's memory laid out as Unicorn's */
    const uint8_t *image;         /* Unicorn's initial memory */
} pg;

static uint8_t *pg_jinit(uint32_t phys)
{
    return pg.jinit[phys >= PG_HIGH] + (phys & (PG_WIN - 1));
}

static void j_load(struct jside *j, const struct seq *s, const uint8_t *image)
{
    uint32_t code = CODE_BASE;   /* physical */
    const uint8_t *bytes;
    if (opt.paging) {
        memcpy(j->mem.ram, pg.jinit[0], PG_WIN);
        memcpy(j->mem.ram + PG_HIGH, pg.jinit[1], PG_WIN);
        code = pg.frame[CODE_BASE / PG_PAGE];
        bytes = pg_jinit(code);
    } else {
        memcpy(j->mem.ram, image, GUEST_MEM_SIZE);
        bytes = image + CODE_BASE;
    }
    /* the code again through the bus, so anything that caches decoded code sees the write */
    for (unsigned i = 0; i < s->len + 16; i++)
        mem_write8(&j->mem, code + i, bytes[i]);
    struct cpu *c = &j->cpu;
    cpu_reset(c);
    c->cr0 |= CR0_PE;
    /* the descriptor caches as a load of these descriptors leaves them (SDM Vol.3 3.4.5):
     * CS 0x1B: DPL 3 readable code, D=1, G=1; the rest 0x23: DPL 3 writable data, B=1, G=1
     * (at CPL 0 in the paged mode: 0x08 and 0x10, DPL 0) */
    bool sup = opt.paging && pg.cpl == 0;
    for (int i = 0; i < 6; i++)
        c->seg[i] = (struct seg){.sel = sup ? 0x10 : 0x23, .base = 0, .limit = 0xFFFFFFFFu,
                                 .attr = sup ? 0xC093 : 0xC0F3,
                                 .rights = SEG_VALID | SEG_R | SEG_W};
    c->seg[SEG_CS] = (struct seg){.sel = sup ? 0x08 : 0x1B, .base = 0, .limit = 0xFFFFFFFFu,
                                  .attr = sup ? 0xC09B : 0xC0FB, .rights = SEG_VALID | SEG_R};
    c->cpl = sup ? 0 : 3;
    if (opt.paging) {
        c->cr3 = pg.pd;
        c->cr4 = pg.pse ? CR4_PSE : 0;
        c->cr0 |= CR0_PG | (pg.wp ? CR0_WP : 0);
    }
    cpu_tlb_flush(c);
    /* an empty IDT: an exception cannot be delivered and ends in a shutdown */
    c->idtr = (struct dtr){0, 0};
    memcpy(c->regs, s->regs, sizeof(c->regs));
    c->eip = CODE_BASE;
    cpu_set_eflags(c, s->eflags);
}

static void j_state(struct jside *j, struct state *st)
{
    memcpy(st->regs, j->cpu.regs, sizeof(st->regs));
    st->eip = j->cpu.eip;
    st->eflags = cpu_get_eflags(&j->cpu);
    st->fault = j->cpu.stop != CPU_RUNNING || j->cpu.halted;
    st->vector = st->fault ? j->cpu.exc_vector : -1;
}

/* One instruction; false when it faulted (or the CPU stopped). */
static bool j_step(struct jside *j)
{
    cpu_run(&j->cpu, 1);
    return j->cpu.stop == CPU_RUNNING && !j->cpu.halted;
}

/* ---------------------------------------------------------------------------------------------
 * Unicorn: UC_MODE_32 starts in flat protected mode (CPL 0, all bases 0); the same memory image
 * is mapped from our own buffer. */

struct uside {
    uc_engine *uc;
    uint8_t *mem;
    uint8_t *gdt;             /* paged mode: the GDT page at PG_GDT */
    uint8_t map[16];          /* paged mode: the page of mem that Unicorn's page p is */
    uc_context *clean;        /* paged mode: the CPU as uc_open left it (u_paging) */
    int vector;               /* exception raised, -1 none */
    bool bad_access;
};

static const int uc_gpr[8] = {UC_X86_REG_EAX, UC_X86_REG_ECX, UC_X86_REG_EDX, UC_X86_REG_EBX,
                              UC_X86_REG_ESP, UC_X86_REG_EBP, UC_X86_REG_ESI, UC_X86_REG_EDI};

static void u_intr(uc_engine *uc, uint32_t intno, void *user)
{
    struct uside *u = user;
    if (u->vector < 0)
        u->vector = (int)intno;
    uc_emu_stop(uc);
}

static bool u_invalid(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value,
                      void *user)
{
    (void)uc, (void)type, (void)addr, (void)size, (void)value;
    ((struct uside *)user)->bad_access = true;
    return false;
}

/* GDT for the paged mode: 0x08 code DPL 0, 0x10 data DPL 0, 0x1B code DPL 3, 0x23 data DPL 3;
 * flat, 32-bit, 4 KiB granular, accessed (so that loading them writes nothing). */
static const uint64_t pg_gdt[5] = {0, 0x00CF9B000000FFFFull, 0x00CF93000000FFFFull,
                                   0x00CFFB000000FFFFull, 0x00CFF3000000FFFFull};

static void u_init(struct uside *u)
{
    uc_err e = uc_open(UC_ARCH_X86, UC_MODE_32, &u->uc);
    if (e != UC_ERR_OK)
        die("uc_open: %s", uc_strerror(e));
    u->mem = aligned_alloc(4096, GUEST_MEM_SIZE);
    if (!u->mem)
        die("out of memory");
    e = uc_mem_map_ptr(u->uc, 0, GUEST_MEM_SIZE, UC_PROT_ALL, u->mem);
    if (e != UC_ERR_OK)
        die("uc_mem_map_ptr: %s", uc_strerror(e));
    uc_hook h;
    if (opt.paging) {
        u->gdt = aligned_alloc(4096, PG_PAGE);
        if (!u->gdt)
            die("out of memory");
        memset(u->gdt, 0, PG_PAGE);
        memcpy(u->gdt, pg_gdt, sizeof pg_gdt);
        e = uc_mem_map_ptr(u->uc, PG_GDT, PG_PAGE, UC_PROT_ALL, u->gdt);
        if (e != UC_ERR_OK)
            die("uc_mem_map_ptr: %s", uc_strerror(e));
        uc_x86_mmr gdtr = {.base = PG_GDT, .limit = sizeof pg_gdt - 1};
        if (uc_reg_write(u->uc, UC_X86_REG_GDTR, &gdtr) != UC_ERR_OK ||
            uc_mem_unmap(u->uc, 0, GUEST_MEM_SIZE) != UC_ERR_OK)
            die("paged mode: Unicorn setup failed");
        if (uc_context_alloc(u->uc, &u->clean) != UC_ERR_OK || uc_context_save(u->uc, u->clean) != UC_ERR_OK)
            die("paged mode: uc_context_save failed");
        /* page by page, so that a page can be remapped onto another's memory (u_alias) */
        for (unsigned p = 0; p < GUEST_MEM_SIZE / PG_PAGE; p++) {
            u->map[p] = (uint8_t)p;
            if (uc_mem_map_ptr(u->uc, p * PG_PAGE, PG_PAGE, UC_PROT_ALL, u->mem + p * PG_PAGE) != UC_ERR_OK)
                die("paged mode: uc_mem_map_ptr failed");
        }
    }
    if (uc_hook_add(u->uc, &h, UC_HOOK_INTR, (void *)u_intr, u, 1, 0) != UC_ERR_OK ||
        uc_hook_add(u->uc, &h, UC_HOOK_MEM_INVALID, (void *)u_invalid, u, 1, 0) != UC_ERR_OK)
        die("uc_hook_add failed");
}

/* EIP is not written: uc_emu_start's begin sets it (and writing EIP before the first
 * uc_emu_start crashes Unicorn 2.0.1 in uc_emu_stop). */
static void u_close(struct uside *u)
{
    if (u->clean)
        uc_context_free(u->clean);
    u->clean = NULL;
    uc_close(u->uc);
    free(u->mem);
    free(u->gdt);
    u->uc = NULL;
    u->mem = NULL;
    u->gdt = NULL;
}

static void u_write_regs(struct uside *u, const uint32_t regs[8], uint32_t eflags)
{
    for (int r = 0; r < 8; r++)
        uc_reg_write(u->uc, uc_gpr[r], &regs[r]);
    uc_reg_write(u->uc, UC_X86_REG_EFLAGS, &eflags);
}

static void u_cr(struct uside *u, int reg, uint32_t v)
{
    if (uc_reg_write(u->uc, reg, &v) != UC_ERR_OK)
        die("paged mode: Unicorn refused a control register or EFLAGS write");
}

static void u_sel(struct uside *u, int reg, uint16_t sel)
{
    if (uc_reg_write(u->uc, reg, &sel) != UC_ERR_OK)
        die("paged mode: Unicorn refused selector %04x", sel);
}

/* Paged mode: Unicorn 2.0.1's TLB survives CR0, CR3 and CR4 writes through uc_reg_write (and
 * uc_ctl_remove_cache fills it); changing a region's protection flushes it (README). */
static void u_flush_tlb(struct uside *u)
{
    if (uc_mem_protect(u->uc, PG_GDT, PG_PAGE, UC_PROT_READ) != UC_ERR_OK ||
        uc_mem_protect(u->uc, PG_GDT, PG_PAGE, UC_PROT_ALL) != UC_ERR_OK)
        die("paged mode: uc_mem_protect failed");
}

/* Paged mode: Unicorn 2.0.1 walks the page tables (rights, accessed and dirty flags) but then
 * accesses the linear address as the physical one (README "Paged mode"). Linear pages that share
 * a frame in jitpc are made one memory in Unicorn: each is mapped onto the lowest one's page. */
static void u_alias(struct uside *u)
{
    for (unsigned p = 0; p < 16; p++) {
        uint16_t set = pg.alias[p] | (uint16_t)(1u << p);
        unsigned want = (unsigned)__builtin_ctz(set);
        if (u->map[p] == want)
            continue;
        if (uc_mem_unmap(u->uc, p * PG_PAGE, PG_PAGE) != UC_ERR_OK ||
            uc_mem_map_ptr(u->uc, p * PG_PAGE, PG_PAGE, UC_PROT_ALL, u->mem + want * PG_PAGE) != UC_ERR_OK)
            die("paged mode: remapping page %x failed", p);
        u->map[p] = (uint8_t)want;
    }
}

/* The pages of mem that Unicorn does not use (aliases) get the contents of the ones it uses. */
static void u_alias_sync(struct uside *u)
{
    if (!opt.paging)
        return;
    for (unsigned p = 0; p < 16; p++)
        if (u->map[p] != p)
            memcpy(u->mem + p * PG_PAGE, u->mem + u->map[p] * PG_PAGE, PG_PAGE);
}

/* Paged mode: the privilege level and paging. Unicorn takes the CPL from SS's DPL (as QEMU does)
 * and loads SS only with DPL = CPL: the CPL is first set by loading SS in real mode (DPL 0) or
 * virtual-8086 mode (DPL 3), then the GDT's selectors are loaded, with paging off so that the
 * GDT reads go straight to PG_GDT. */
static void u_paging(struct uside *u)
{
    /* A fault caught by the interrupt hook is never delivered, and QEMU's record of it
     * (env->old_exception) stays: the next #PF would become #DF, and anything after a #DF a
     * silent triple fault. The saved context of the fresh CPU clears it. */
    if (uc_context_restore(u->uc, u->clean) != UC_ERR_OK)
        die("paged mode: uc_context_restore failed");
    u_alias(u);
    u_cr(u, UC_X86_REG_CR0, CR0_PE | CR0_ET);  /* paging off */
    uc_ctl_remove_cache(u->uc, CODE_BASE, CODE_BASE + PG_PAGE);
    if (pg.cpl == 3) {
        u_cr(u, UC_X86_REG_EFLAGS, 0x20002);   /* VM */
        u_sel(u, UC_X86_REG_SS, 0);
        u_cr(u, UC_X86_REG_EFLAGS, 0x2);
    } else {
        u_cr(u, UC_X86_REG_CR0, CR0_ET);
        u_sel(u, UC_X86_REG_SS, 0);
        u_cr(u, UC_X86_REG_CR0, CR0_PE | CR0_ET);
    }
    uint16_t code = pg.cpl == 3 ? 0x1B : 0x08, data = pg.cpl == 3 ? 0x23 : 0x10;
    u_sel(u, UC_X86_REG_SS, data);
    u_sel(u, UC_X86_REG_CS, code);
    u_sel(u, UC_X86_REG_DS, data);
    u_sel(u, UC_X86_REG_ES, data);
    u_sel(u, UC_X86_REG_FS, data);
    u_sel(u, UC_X86_REG_GS, data);
    u_cr(u, UC_X86_REG_CR4, pg.pse ? CR4_PSE : 0);
    u_cr(u, UC_X86_REG_CR3, pg.pd);
    u_cr(u, UC_X86_REG_CR0, CR0_PG | CR0_PE | CR0_ET | (pg.wp ? CR0_WP : 0));
    u_flush_tlb(u);
}

static void u_load(struct uside *u, const struct seq *s, const uint8_t *image)
{
    memcpy(u->mem, image, GUEST_MEM_SIZE);
    /* the code changed behind Unicorn's back: drop its translations of the code page */
    if (opt.paging)
        u_paging(u);
    else
        uc_ctl_remove_cache(u->uc, CODE_BASE, CODE_BASE + 0x1000);
    u->vector = -1;
    u->bad_access = false;
    u_write_regs(u, s->regs, s->eflags);
}

static void u_state(struct uside *u, struct state *st, uc_err err)
{
    u_alias_sync(u);
    for (int r = 0; r < 8; r++)
        uc_reg_read(u->uc, uc_gpr[r], &st->regs[r]);
    uc_reg_read(u->uc, UC_X86_REG_EIP, &st->eip);
    uc_reg_read(u->uc, UC_X86_REG_EFLAGS, &st->eflags);
    st->fault = err != UC_ERR_OK || u->vector >= 0 || u->bad_access;
    st->vector = u->vector;
    if (st->vector < 0 && err == UC_ERR_INSN_INVALID)
        st->vector = 6;               /* #UD, reported as an error rather than an interrupt */
}

/* ---------------------------------------------------------------------------------------------
 * Paged mode: random 32-bit page tables (README "Paged mode") */

static uint32_t pg_rnd(uint64_t *rng)
{
    return (uint32_t)(rng_next(rng) >> 32);
}

static unsigned pg_rn(uint64_t *rng, unsigned n)
{
    return (unsigned)(((uint64_t)pg_rnd(rng) * n) >> 32);
}

static uint32_t pg_rd32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static void pg_wr32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, 4);
}

/* Where jitpc keeps the entry that maps linear page p: the PTE, or PDE 0 for a 4 MiB page. */
static uint32_t pg_entry_addr(unsigned p)
{
    return pg.big ? pg.pd : pg.pt + 4 * p;
}

static void pg_write_tables(void)
{
    pg_wr32(pg_jinit(pg.pd), pg.pde0);
    if (!pg.big)
        for (unsigned p = 0; p < 16; p++)
            if (PG_USED >> p & 1)
                pg_wr32(pg_jinit(pg.pt + 4 * p), pg.pte[p]);
}

static bool pg_is_frame(uint32_t phys)
{
    for (unsigned p = 0; p < 16; p++)
        if ((PG_USED >> p & 1) && pg.frame[p] == phys)
            return true;
    return false;
}

/* Random page tables for sequence s, whose linear memory gen_sequence left in image; image
 * becomes Unicorn's memory (the linear pages as their frames hold them, the tables at their
 * physical addresses). The pages the sequence writes come from a run of jitpc with every page
 * writable and clean (its dirty flags), so that read-only pages can be chosen where a write
 * would fault. */
static uint64_t pg_counts[6];   /* CPL 3, CR0.WP, CR4.PSE, 4 MiB page, aliases, read-only page */

static void pg_build(uint64_t *rng, const struct seq *s, uint8_t *image, struct jside *j)
{
    pg.cpl = pg_rn(rng, 2) ? 3 : 0;
    pg.wp = pg_rn(rng, 2);
    pg.pse = pg_rn(rng, 2);
    pg.big = pg.pse && pg_rn(rng, 2);
    pg.base = pg.big && pg_rn(rng, 2) ? PG_HIGH : 0;
    /* the tables: two low pages that are not linear pages the sequences use (Unicorn maps those
     * linear pages at the same addresses) */
    static const uint8_t spare[] = {0, 2, 3, 4, 5, 6, 7, 10, 11, 13, 14, 15};
    unsigned a = pg_rn(rng, 12), b = pg_rn(rng, 11);
    b += b >= a;
    pg.pd = spare[a] * PG_PAGE;
    pg.pt = spare[b] * PG_PAGE;
    /* every other byte is garbage, different in each page: a wrong frame shows */
    for (unsigned w = 0; w < 2; w++)
        for (uint32_t p = 0; p < PG_WIN; p += PG_PAGE) {
            uint32_t seed = pg_rnd(rng);
            for (uint32_t i = 0; i < PG_PAGE; i += 4)
                pg_wr32(pg.jinit[w] + p + i, (seed ^ (i * 0x9E3779B1u)) * 0x85EBCA6Bu);
        }
    /* frames */
    static const unsigned used[4] = {1, 8, 9, 12};
    memset(pg.alias, 0, sizeof pg.alias);
    if (pg.big) {
        for (unsigned k = 0; k < 4; k++)
            pg.frame[used[k]] = pg.base + used[k] * PG_PAGE;
    } else {
        uint32_t pool[32];
        unsigned n = 0;
        for (uint32_t p = 0; p < 16; p++)
            if (p * PG_PAGE != pg.pd && p * PG_PAGE != pg.pt)
                pool[n++] = p * PG_PAGE;
        for (uint32_t p = 0; p < 16; p++)
            pool[n++] = PG_HIGH + p * PG_PAGE;
        for (unsigned k = 0; k < 4; k++) {
            unsigned i = k + pg_rn(rng, n - k);
            uint32_t t = pool[k];
            pool[k] = pool[i];
            pool[i] = t;
            pg.frame[used[k]] = pool[k];
        }
        /* aliases in a third of the sequences: data and stack pages sharing a frame */
        static const uint16_t sets[4] = {(1u << 8) | (1u << 9), (1u << 8) | (1u << 12),
                                         (1u << 9) | (1u << 12), (1u << 8) | (1u << 9) | (1u << 12)};
        unsigned r = pg_rn(rng, 12);
        if (r < 4) {
            unsigned first = r == 2 ? 9 : 8;
            for (unsigned p = 0; p < 16; p++)
                if (sets[r] >> p & 1) {
                    pg.frame[p] = pg.frame[first];
                    pg.alias[p] = sets[r] & ~(1u << p);
                }
        }
    }
    /* the frames' contents: the linear pages' (of an aliased frame, the lowest page's) */
    for (unsigned k = 4; k-- > 0;)
        memcpy(pg_jinit(pg.frame[used[k]]), image + used[k] * PG_PAGE, PG_PAGE);

    /* the pre-run: everything writable, user, clean */
    pg.pde0 = pg.big ? pg.base | E_PS | E_P | E_W | E_U : pg.pt | E_P | E_W | E_U;
    for (unsigned k = 0; k < 4; k++)
        pg.pte[used[k]] = pg.frame[used[k]] | E_P | E_W | E_U;
    pg_write_tables();
    j_load(j, s, NULL);
    const uint32_t end = CODE_BASE + s->len;
    bool ok = true;
    for (unsigned steps = 0; ok && j->cpu.eip != end && steps < MAX_STEPS; steps++)
        ok = j_step(j);
    pg.written = 0;
    for (unsigned k = 0; k < 4; k++)
        if (!ok || (pg_rd32(j->mem.ram + pg_entry_addr(used[k])) & E_D))
            pg.written |= 1u << used[k];

    /* the entries: a page the sequence writes is writable where it has to be (CPL 3, or CR0.WP:
     * SDM Vol.3 4.6.1), every page is a user page at CPL 3; the rest is random, the accessed and
     * dirty flags included */
    const uint32_t rand_bits = E_PWT | E_PCD | E_A | E_D | E_G | E_AVL;
    bool need_w = false;
    for (unsigned k = 0; k < 4; k++) {
        unsigned p = used[k];
        bool must_w = (pg.written >> p & 1) && (pg.cpl == 3 || pg.wp);
        need_w |= must_w;
        pg.pte[p] = pg.frame[p] | E_P | (pg_rnd(rng) & rand_bits) |
                    (must_w || pg_rn(rng, 2) ? E_W : 0) | (pg.cpl == 3 || pg_rn(rng, 2) ? E_U : 0);
    }
    uint32_t r = pg_rnd(rng);
    uint32_t wu = (need_w || pg_rn(rng, 2) ? E_W : 0) | (pg.cpl == 3 || pg_rn(rng, 2) ? E_U : 0);
    if (pg.big)   /* bits 21:13 reserved (no PSE-36), bit 12 PAT: 0 */
        pg.pde0 = pg.base | E_PS | E_P | wu | (r & rand_bits);
    else          /* bit 6 and bit 8 ignored; PS ignored without CR4.PSE */
        pg.pde0 = pg.pt | E_P | wu | (r & (E_PWT | E_PCD | E_A | E_D | E_G | E_AVL)) |
                  (!pg.pse ? r & E_PS : 0);
    pg_write_tables();
    bool ro = pg.big ? !(pg.pde0 & E_W) : !(pg.pde0 & E_W) || !(pg.pte[1] & pg.pte[8] & pg.pte[9] & pg.pte[12] & E_W);
    bool flags[6] = {pg.cpl == 3, pg.wp, pg.pse, pg.big, pg.alias[8] || pg.alias[9], ro};
    for (int i = 0; i < 6; i++)
        pg_counts[i] += flags[i];

    /* Unicorn's memory: linear pages as their frames hold them, the tables where they are */
    for (unsigned p = 0; p < 16; p++) {
        const uint8_t *src = (PG_USED >> p & 1) ? pg_jinit(pg.frame[p]) : pg.jinit[0] + p * PG_PAGE;
        memcpy(image + p * PG_PAGE, src, PG_PAGE);
    }
    pg.image = image;
}

/* jitpc's memory laid out as Unicorn's: the linear pages from their frames, the tables from
 * their pages, the rest as it was (Unicorn must not write it; pg_stray checks jitpc's). */
static const uint8_t *jv(struct jside *j)
{
    if (!opt.paging)
        return j->mem.ram;
    for (unsigned p = 0; p < 16; p++) {
        const uint8_t *src = pg.image + p * PG_PAGE;
        if (PG_USED >> p & 1)
            src = j->mem.ram + pg.frame[p];
        else if (p * PG_PAGE == pg.pd || p * PG_PAGE == pg.pt)
            src = j->mem.ram + p * PG_PAGE;
        memcpy(pg.view + p * PG_PAGE, src, PG_PAGE);
    }
    return pg.view;
}

/* Paged mode: jitpc wrote a physical page that is neither a frame nor a table. */
static bool pg_stray(struct jside *j)
{
    if (!opt.paging)
        return false;
    for (unsigned w = 0; w < 2; w++)
        for (uint32_t p = 0; p < PG_WIN; p += PG_PAGE) {
            uint32_t a = w * PG_HIGH + p;
            if (a != pg.pd && a != pg.pt && !pg_is_frame(a) &&
                memcmp(j->mem.ram + a, pg.jinit[w] + p, PG_PAGE) != 0)
                return true;
        }
    return false;
}

static void pg_print(FILE *f, struct jside *j, struct uside *u)
{
    if (!opt.paging)
        return;
    fprintf(f, "  paging: CPL %d, CR0.WP %d, CR4.PSE %d, CR3 %05x, %s, pages written %04x\n",
            pg.cpl, pg.wp, pg.pse, pg.pd,
            pg.big ? "PDE 0 maps a 4 MiB page" : "PDE 0 -> page table", pg.written);
    fprintf(f, "  PDE 0 at %05x: initial %08x", pg.pd, pg.pde0);
    if (j && u)
        fprintf(f, ", jitpc %08x, unicorn %08x", pg_rd32(j->mem.ram + pg.pd), pg_rd32(u->mem + pg.pd));
    fputc('\n', f);
    for (unsigned p = 0; p < 16; p++) {
        if (!(PG_USED >> p & 1))
            continue;
        fprintf(f, "  linear %05x -> frame %06x", p * PG_PAGE, pg.frame[p]);
        if (!pg.big) {
            fprintf(f, ", PTE at %05x: initial %08x", pg.pt + 4 * p, pg.pte[p]);
            if (j && u)
                fprintf(f, ", jitpc %08x, unicorn %08x", pg_rd32(j->mem.ram + pg.pt + 4 * p),
                        pg_rd32(u->mem + pg.pt + 4 * p));
        }
        if (pg.alias[p])
            fprintf(f, " (aliases %04x)", pg.alias[p]);
        fputc('\n', f);
    }
}

/* ---------------------------------------------------------------------------------------------
 * Comparison */

static int insn_at(const struct seq *s, uint32_t eip)
{
    for (unsigned i = 0; i < s->n; i++)
        if (CODE_BASE + s->ins[i].off == eip)
            return (int)i;
    return -1;
}

/* Bits compared in EFLAGS: all but RF (never pushed) and the arithmetic flags in undef. */
static bool same_state(const struct state *a, const struct state *b, uint32_t undef_flags,
                       uint32_t undef_regs)
{
    if (a->fault || b->fault)
        return a->fault == b->fault;
    for (int r = 0; r < 8; r++)
        if (!(undef_regs >> r & 1) && a->regs[r] != b->regs[r])
            return false;
    uint32_t m = ~(undef_flags | 0x10000u);
    return a->eip == b->eip && ((a->eflags ^ b->eflags) & m) == 0;
}

struct outcome {
    struct state init, j, u;        /* final states of the straight run */
    bool mem_differs;
    /* bisection: the first instruction where the two disagree */
    bool bisected;
    int step_insn;                  /* index into seq->ins, -1 when not found */
    struct state pre, jpost, upost;
    uint32_t undef;                 /* undefined flags of that instruction */
    int undef_reg;
    uint8_t *pre_mem;               /* memory before it (GUEST_MEM_SIZE) */
};

static uint64_t insns_executed, unicorn_resyncs, bisections, known_hits[KNOWN_COUNT];

/* Runs the sequence in both at full speed and compares the end states. The arithmetic flags left
 * undefined by the last instruction that wrote them are masked; anything else that differs is
 * looked at instruction by instruction (bisect). */
static bool run_fast(struct jside *j, struct uside *u, const struct seq *s, const uint8_t *image,
                     struct outcome *o)
{
    j_load(j, s, image);
    u_load(u, s, image);
    const uint32_t end = CODE_BASE + s->len;
    uint32_t undef = 0;
    unsigned steps = 0;
    bool ok = true;
    while (j->cpu.eip != end && steps < MAX_STEPS) {
        int k = insn_at(s, j->cpu.eip);
        if (k < 0)
            break;
        struct flag_fx fx = gen_flag_fx(&s->ins[k], j->cpu.regs, j->mem.ram);
        ok = j_step(j);
        steps++;
        if (!ok)
            break;
        undef = (undef & ~fx.affected) | fx.undef;
    }
    insns_executed += steps;
    j_state(j, &o->j);
    if (j->cpu.eip != end && !o->j.fault)
        o->j.fault = true;            /* ran off the sequence: an exception went somewhere */
    uc_err err = uc_emu_start(u->uc, CODE_BASE, end, 0, 0);
    u_state(u, &o->u, err);
    o->mem_differs = memcmp(jv(j), u->mem, GUEST_MEM_SIZE) != 0 || pg_stray(j);
    return same_state(&o->j, &o->u, undef, 0) && !o->mem_differs && !o->j.fault && !o->u.fault;
}

/* Whether a and b differ only in the given bits of page-table entries in use (PDE 0 and the
 * entries of the pages in PG_USED), and in at most max_entries of them. */
static bool pg_only_entry_bits(const uint8_t *a, const uint8_t *b, uint32_t bits, unsigned max_entries)
{
    unsigned n = 0;
    for (uint32_t at = 0; at < GUEST_MEM_SIZE; at += 4) {
        uint32_t x = pg_rd32(a + at) ^ pg_rd32(b + at);
        if (!x)
            continue;
        bool entry = at == pg.pd;
        for (unsigned p = 0; p < 16; p++)
            entry |= (PG_USED >> p & 1) && at == pg_entry_addr(p);
        if (!entry || (x & ~bits) || ++n > max_entries)
            return false;
    }
    return true;
}

/* arpl-write (README "Paged mode"): an ARPL m16, r16 whose destination's RPL is not below the
 * source's writes nothing on the host CPU; Unicorn makes the write access anyway (QEMU stores the
 * operand back), which faults on a read-only page or sets the dirty flag. jitpc must have done
 * what the SDM says (ZF cleared, nothing else changed but accessed flags); Unicorn must have
 * faulted with #PF (reported as #DF after an earlier #PF it did not deliver) at an address whose
 * word needed no adjustment, or agree with jitpc except for one dirty flag. */
static bool pg_arpl_explains(struct jside *j, struct uside *u, const struct seq *s,
                             const struct ginsn *in, const struct outcome *o)
{
    if (!opt.paging || o->jpost.fault || o->jpost.eflags != (o->pre.eflags & ~F_ZF) ||
        memcmp(o->jpost.regs, o->pre.regs, sizeof o->pre.regs) != 0 ||
        o->jpost.eip != o->pre.eip + in->len || !pg_only_entry_bits(jv(j), o->pre_mem, E_A, 4))
        return false;
    const uint8_t *code = s->code + in->off;
    unsigned at = 0;
    while (at < in->len && code[at] != 0x63)
        at++;
    if (at + 1 >= in->len)
        return false;
    uint32_t src_rpl = o->pre.regs[(code[at + 1] >> 3) & 7] & 3;
    /* a fault Unicorn did not report leaves it at the instruction, unchanged */
    bool stuck = !o->upost.fault && o->upost.eip == o->pre.eip && o->upost.eflags == o->pre.eflags &&
                 memcmp(o->upost.regs, o->pre.regs, sizeof o->pre.regs) == 0;
    if (o->upost.fault || stuck) {
        uint32_t cr2 = 0;
        uc_reg_read(u->uc, UC_X86_REG_CR2, &cr2);
        return (stuck || o->upost.vector == 14 || o->upost.vector == 8) && cr2 < GUEST_MEM_SIZE - 1 &&
               (PG_USED >> (cr2 / PG_PAGE) & 1) && (o->pre_mem[cr2] & 3) >= src_rpl &&
               pg_only_entry_bits(u->mem, o->pre_mem, E_A, 4);
    }
    return same_state(&o->jpost, &o->upost, 0, 0) && pg_only_entry_bits(u->mem, jv(j), E_D, 1);
}

/* Whether a documented Unicorn bug (known.c) explains the difference at the instruction just
 * bisected, with jitpc still checked: Unicorn (its uncounted instance uf) runs a correct
 * substitute from the same state, or the difference must be exactly the modelled error. */
static bool known_holds(int id, struct jside *j, struct uside *ustep, struct uside *uf,
                        const struct seq *s, const struct ginsn *in, const struct outcome *o)
{
    uint8_t sub[INSN_MAX_LEN + 1];
    const uint8_t *code = s->code + in->off;
    if (id == KNOWN_ARPL_WRITE)
        return pg_arpl_explains(j, ustep, s, in, o);
    if (!known_substitute(id, code, in->len, sub))
        return memcmp(jv(j), ustep->mem, GUEST_MEM_SIZE) == 0 &&
               known_explains(id, &o->pre, &o->jpost, &o->upost);
    memcpy(uf->mem, o->pre_mem, GUEST_MEM_SIZE);
    memcpy(uf->mem + o->pre.eip, sub, in->len);
    if (opt.paging)
        u_paging(uf);
    else
        uc_ctl_remove_cache(uf->uc, CODE_BASE, CODE_BASE + 0x1000);
    uf->vector = -1;
    uf->bad_access = false;
    u_write_regs(uf, o->pre.regs, o->pre.eflags);
    uc_err err = uc_emu_start(uf->uc, o->pre.eip, o->pre.eip + in->len, 0, 0);
    struct state st;
    u_state(uf, &st, err);
    memcpy(uf->mem + o->pre.eip, code, in->len);
    uint32_t ur_mask = o->undef_reg >= 0 ? 1u << o->undef_reg : 0;
    return !st.fault && !o->jpost.fault && same_state(&o->jpost, &st, o->undef, ur_mask) &&
           memcmp(jv(j), uf->mem, GUEST_MEM_SIZE) == 0;
}

/* Steps both, one instruction at a time, comparing after each. Flags (and BSF/BSR destinations)
 * the SDM leaves undefined are masked for that instruction and then copied from jitpc to
 * Unicorn, so an undefined value consumed later (ADC after a multi-bit shift, PUSHF, SETcc ...)
 * cannot make the two differ. Returns true when no instruction differs. */
static bool run_bisect(struct jside *j, struct uside *u, struct uside *uf, const struct seq *s,
                       const uint8_t *image, struct outcome *o)
{
    bisections++;
    o->bisected = true;
    o->step_insn = -1;
    j_load(j, s, image);
    u_load(u, s, image);
    const uint32_t end = CODE_BASE + s->len;
    uint32_t ueip = CODE_BASE;   /* Unicorn's EIP cannot be read before its first run */
    for (unsigned steps = 0; steps < MAX_STEPS; steps++) {
        struct state js, us;
        j_state(j, &js);
        u_state(u, &us, UC_ERR_OK);
        us.eip = ueip;
        if (js.eip == end && us.eip == end)
            return memcmp(jv(j), u->mem, GUEST_MEM_SIZE) == 0 && !pg_stray(j);
        int k = insn_at(s, js.eip);
        o->pre = js;
        o->step_insn = k;
        memcpy(o->pre_mem, jv(j), GUEST_MEM_SIZE);
        if (k < 0 || js.eip != us.eip)
            return false;
        struct flag_fx fx = gen_flag_fx(&s->ins[k], js.regs, o->pre_mem);
        int ur = gen_undef_reg(&s->ins[k], js.regs, o->pre_mem);
        o->undef = fx.undef;
        o->undef_reg = ur;
        j_step(j);
        if (opt.stepwise)
            insns_executed++;
        uc_err err = UC_ERR_OK;
        uint32_t eip = js.eip;
        for (int i = 0; i < UC_REP_STEPS; i++) {
            err = uc_emu_start(u->uc, eip, end, 0, 1);
            uc_reg_read(u->uc, UC_X86_REG_EIP, &eip);
            if (err != UC_ERR_OK || u->vector >= 0 || u->bad_access || eip != js.eip)
                break;
        }
        j_state(j, &o->jpost);
        u_state(u, &o->upost, err);
        ueip = o->upost.eip;
        uint32_t ur_mask = ur >= 0 ? 1u << ur : 0;
        if (!same_state(&o->jpost, &o->upost, fx.undef, ur_mask) || o->jpost.fault ||
            memcmp(jv(j), u->mem, GUEST_MEM_SIZE) != 0) {
            int id = known_match(s->code + s->ins[k].off, s->ins[k].len);
            if (id < 0 || !known_holds(id, j, u, uf, s, &s->ins[k], o))
                return false;
            /* a documented Unicorn bug: go on from jitpc's state */
            known_hits[id]++;
            memcpy(u->mem, jv(j), GUEST_MEM_SIZE);
            if (opt.paging)
                u_paging(u);
            u->vector = -1;
            u->bad_access = false;
            u_write_regs(u, o->jpost.regs, o->jpost.eflags);
            ueip = o->jpost.eip;
            continue;
        }
        if (o->jpost.eflags != o->upost.eflags || (ur >= 0 && o->jpost.regs[ur] != o->upost.regs[ur])) {
            unicorn_resyncs++;
            u_write_regs(u, o->jpost.regs, o->jpost.eflags);
        }
    }
    return false;
}

/* ---------------------------------------------------------------------------------------------
 * Reports */

static csh cs;

static void print_insn(FILE *f, const struct seq *s, unsigned k, const char *mark)
{
    const struct ginsn *in = &s->ins[k];
    char bytes[64] = "";
    for (unsigned i = 0; i < in->len; i++)
        sprintf(bytes + 2 * i, "%02x", s->code[in->off + i]);
    cs_insn *ci;
    size_t n = cs_disasm(cs, s->code + in->off, in->len, CODE_BASE + in->off, 1, &ci);
    fprintf(f, "  %s %08x  %-24s %s %s%s\n", mark, CODE_BASE + in->off, bytes,
            n ? ci[0].mnemonic : "(bad)", n ? ci[0].op_str : "", in->setup ? "    ; setup" : "");
    if (n)
        cs_free(ci, n);
}

static void print_state(FILE *f, const char *name, const struct state *st)
{
    fprintf(f, "  %-8s", name);
    if (st->fault) {
        fprintf(f, "FAULT (vector %d) at eip=%08x\n", st->vector, st->eip);
        return;
    }
    for (int r = 0; r < 8; r++)
        fprintf(f, " %s=%08x", reg_names[r], st->regs[r]);
    fprintf(f, " eip=%08x efl=%08x\n", st->eip, st->eflags);
}

static uint16_t mem_diff_pages = 0xFFFF;   /* print_mem_diff: the 4 KiB pages it looks at */

static void print_mem_diff(FILE *f, const uint8_t *a, const uint8_t *b)
{
    unsigned shown = 0;
    for (uint32_t i = 0; i < GUEST_MEM_SIZE && shown < 16; i++)
        if (a[i] != b[i] && (mem_diff_pages >> (i / 0x1000) & 1)) {
            fprintf(f, "    [%05x] %02x vs %02x\n", i, a[i], b[i]);
            shown++;
        }
}

static void report(uint64_t idx, const struct seq *s, const struct outcome *o, struct jside *j,
                   struct uside *u)
{
    FILE *f = stdout;
    fprintf(f, "MISMATCH sequence %" PRIu64 " (reproduce: --seed=%" PRIu64 " --first=%" PRIu64
               " --count=1 -v)\n", idx, opt.seed, idx);
    for (unsigned k = 0; k < s->n; k++)
        print_insn(f, s, k, o->bisected && (int)k == o->step_insn ? ">>" : "  ");
    print_state(f, "initial", &o->init);
    print_state(f, "jitpc", &o->j);
    print_state(f, "unicorn", &o->u);
    pg_print(f, j, u);
    if (o->mem_differs)
        fprintf(f, "  memory differs at the end (jitpc vs unicorn, after the bisection run%s):\n",
                opt.paging ? "; jitpc's frames and tables laid out as Unicorn's memory" : "");
    if (o->mem_differs)
        print_mem_diff(f, jv(j), u->mem);
    if (pg_stray(j))
        fprintf(f, "  jitpc wrote a physical page that is neither a frame nor a page table\n");
    if (o->bisected && o->step_insn >= 0) {
        fprintf(f, "  first difference at instruction %d (undefined flags %03x%s):\n", o->step_insn,
                o->undef, o->undef_reg >= 0 ? ", destination undefined" : "");
        print_insn(f, s, (unsigned)o->step_insn, ">>");
        print_state(f, "before", &o->pre);
        print_state(f, "jitpc", &o->jpost);
        print_state(f, "unicorn", &o->upost);
        if (memcmp(jv(j), u->mem, GUEST_MEM_SIZE) != 0)
            print_mem_diff(f, jv(j), u->mem);
    } else if (o->bisected) {
        fprintf(f, "  the two ran different instructions (eip %08x)\n", o->pre.eip);
    }
}

/* Verdict of one host run against jitpc's and Unicorn's results for the instruction. */
enum verdict { V_NONE, V_UNICORN_WRONG, V_JITPC_WRONG, V_BOTH_AGREE, V_NEITHER };

static const char *const verdict_text[] = {
    [V_NONE] = "not decided",
    [V_UNICORN_WRONG] = "Unicorn is wrong (the host CPU agrees with jitpc)",
    [V_JITPC_WRONG] = "jitpc is wrong (the host CPU agrees with Unicorn)",
    [V_BOTH_AGREE] = "both agree with the host CPU under the mask",
    [V_NEITHER] = "neither agrees with the host CPU",
};

/* The host's memory against an emulator's: in the paged mode only the linear pages the sequences
 * use (the host CPU runs them without paging: the page tables are not its business). */
static bool host_mem_same(const uint8_t *h, const uint8_t *mem)
{
    if (!opt.paging)
        return memcmp(h, mem, GUEST_MEM_SIZE) == 0;
    for (unsigned p = 0; p < 16; p++)
        if ((PG_USED >> p & 1) && memcmp(h + p * PG_PAGE, mem + p * PG_PAGE, PG_PAGE) != 0)
            return false;
    return true;
}

static bool same_as_host(const struct state *st, const uint8_t *mem, const struct host_result *h,
                         const struct outcome *o)
{
    struct state hs = {.eip = h->eip, .eflags = h->eflags, .fault = h->fault, .vector = h->vector};
    memcpy(hs.regs, h->regs, sizeof hs.regs);
    uint32_t rm = o->undef_reg >= 0 ? 1u << o->undef_reg : 0;
    if (!same_state(st, &hs, o->undef, rm))
        return false;
    return h->fault || !h->mem_valid || host_mem_same(h->mem, mem);
}

/* Runs a bisected difference's instruction on the host CPU, from the state before it, in this
 * process and/or under KVM, and prints what each says. */
static enum verdict arbitrate(const struct seq *s, const struct outcome *o, struct jside *j,
                              struct uside *u, bool print)
{
    if (!o->bisected || o->step_insn < 0)
        return V_NONE;
    const struct ginsn *in = &s->ins[o->step_insn];
    struct host_result h;
    char why[160];
    if (!host_run(s->code + in->off, in->len, o->pre.eip, o->pre.regs, o->pre.eflags, o->pre_mem,
                  &h, why, sizeof why)) {
        if (print)
            printf("  host CPU: not run (%s)\n", why);
        return V_NONE;
    }
    struct state hs = {.eip = h.eip, .eflags = h.eflags, .fault = h.fault, .vector = h.vector};
    memcpy(hs.regs, h.regs, sizeof hs.regs);
    bool jok = same_as_host(&o->jpost, jv(j), &h, o);
    bool uok = same_as_host(&o->upost, u->mem, &h, o);
    enum verdict v = jok && !uok ? V_UNICORN_WRONG : !jok && uok ? V_JITPC_WRONG
                   : jok && uok ? V_BOTH_AGREE : V_NEITHER;
    if (print) {
        printf("  host CPU (the instruction in this 64-bit process%s%s):\n",
               h.a16 ? ", its 16-bit address made absolute" : "",
               opt.paging ? "; without paging: rights, accessed and dirty flags are not its business" : "");
        print_state(stdout, "host", &hs);
        if (opt.paging)
            mem_diff_pages = PG_USED;
        if (h.mem_valid && !h.fault && !host_mem_same(h.mem, jv(j))) {
            printf("  memory, host vs jitpc:\n");
            print_mem_diff(stdout, h.mem, jv(j));
        }
        if (h.mem_valid && !h.fault && !host_mem_same(h.mem, u->mem)) {
            printf("  memory, host vs unicorn:\n");
            print_mem_diff(stdout, h.mem, u->mem);
        }
        mem_diff_pages = 0xFFFF;
        printf("  verdict: %s\n", verdict_text[v]);
    }
    return v;
}

/* --stats: every generated instruction must decode (capstone) to the length the generator
 * meant; the mnemonics of the instructions under test are counted. */
struct mnem_count {
    char name[32];
    uint64_t n;
};
static struct mnem_count mnems[512];
static unsigned nmnems;
static uint64_t bad_encodings;

static void stats_sequence(const struct seq *s)
{
    for (unsigned k = 0; k < s->n; k++) {
        const struct ginsn *in = &s->ins[k];
        cs_insn *ci;
        size_t n = cs_disasm(cs, s->code + in->off, in->len, CODE_BASE + in->off, 1, &ci);
        if (n != 1 || ci[0].size != in->len) {
            if (bad_encodings++ < 20) {
                printf("bad encoding: ");
                print_insn(stdout, s, k, "!!");
            }
            if (n)
                cs_free(ci, n);
            continue;
        }
        if (!in->setup) {
            char name[32];
            snprintf(name, sizeof name, "%s", ci[0].mnemonic);
            unsigned i = 0;
            while (i < nmnems && strcmp(mnems[i].name, name) != 0)
                i++;
            if (i == nmnems && nmnems < 512)
                snprintf(mnems[nmnems++].name, sizeof mnems[0].name, "%s", name);
            if (i < nmnems)
                mnems[i].n++;
        }
        cs_free(ci, n);
    }
}

static int cmp_mnem(const void *a, const void *b)
{
    const struct mnem_count *x = a, *y = b;
    return x->n < y->n ? 1 : x->n > y->n ? -1 : strcmp(x->name, y->name);
}

static void stats_print(void)
{
    qsort(mnems, nmnems, sizeof mnems[0], cmp_mnem);
    printf("diff: %u mnemonics under test (capstone's names), %" PRIu64 " bad encodings:\n", nmnems,
           bad_encodings);
    for (unsigned i = 0; i < nmnems; i++)
        printf("%12" PRIu64 " %s%s", mnems[i].n, mnems[i].name, i % 4 == 3 || i + 1 == nmnems ? "\n" : "");
}

/* --try: one instruction everywhere */
static int try_one(struct jside *j, struct uside *u, struct uside *uf, uint8_t *image, struct seq *s,
                   uint8_t *pre_mem)
{
    uint64_t rng = opt.seed ^ (opt.first * 0xD1B54A32D192ED03ull);
    rng_next(&rng);
    gen_sequence(&rng, s, image);
    unsigned len = 0;
    for (const char *p = opt.try_hex; p[0] && p[1] && len < 15; p += 2) {
        unsigned b;
        if (sscanf(p, "%2x", &b) != 1)
            die("--try: not hex: %s", opt.try_hex);
        s->code[len++] = (uint8_t)b;
    }
    s->len = len;
    s->n = 1;
    s->ins[0] = (struct ginsn){.off = 0, .len = (uint8_t)len, .fkind = FK_NONE, .size = 4,
                               .src_reg = -1, .dst_reg = -1};
    if (opt.try_state) {
        uint32_t v[9];
        if (sscanf(opt.try_state, "%x,%x,%x,%x,%x,%x,%x,%x,%x", &v[0], &v[1], &v[2], &v[3], &v[4],
                   &v[5], &v[6], &v[7], &v[8]) != 9)
            die("--state: nine hex numbers expected");
        memcpy(s->regs, v, sizeof s->regs);
        s->eflags = v[8];
    }
    for (unsigned m = 0; m < opt.ntry_mem; m++) {
        unsigned addr, b, n = 0;
        const char *p = strchr(opt.try_mem[m], ':');
        if (sscanf(opt.try_mem[m], "%x", &addr) != 1 || !p)
            die("--mem: ADDR:HEXBYTES expected");
        for (p++; p[0] && p[1]; p += 2, n++) {
            if (sscanf(p, "%2x", &b) != 1 || addr + n >= GUEST_MEM_SIZE)
                die("--mem: bad bytes or address");
            image[addr + n] = (uint8_t)b;
        }
    }
    memset(image + CODE_BASE, 0xF4, 0x1000);
    memcpy(image + CODE_BASE, s->code, len);
    struct outcome o = {.step_insn = -1, .undef_reg = -1, .pre_mem = pre_mem};
    memcpy(o.init.regs, s->regs, sizeof s->regs);
    o.init.eip = CODE_BASE;
    o.init.eflags = s->eflags;
    uint64_t known_before[KNOWN_COUNT];
    memcpy(known_before, known_hits, sizeof known_before);
    bool ok = run_bisect(j, u, uf, s, image, &o);
    print_insn(stdout, s, 0, "  ");
    print_state(stdout, "before", &o.init);
    print_state(stdout, "jitpc", &o.jpost);
    print_state(stdout, "unicorn", &o.upost);
    if (memcmp(j->mem.ram, u->mem, GUEST_MEM_SIZE) != 0) {
        printf("  memory jitpc vs unicorn:\n");
        print_mem_diff(stdout, j->mem.ram, u->mem);
    }
    o.undef = 0;
    o.step_insn = 0;
    o.bisected = true;
    arbitrate(s, &o, j, u, true);
    for (int k = 0; k < KNOWN_COUNT; k++)
        if (known_hits[k] != known_before[k])
            printf("diff: documented Unicorn bug %s, jitpc checked against the substitute or "
                   "model: %s\n", known_cases[k].name, ok ? "agrees" : "differs");
    printf("diff: jitpc and unicorn %s\n", ok ? "agree" : "differ");
    return ok ? 0 : 1;
}

/* ---------------------------------------------------------------------------------------------
 * Main */

static bool parse_u64(const char *arg, const char *name, uint64_t *v)
{
    size_t n = strlen(name);
    if (strncmp(arg, name, n) != 0 || arg[n] != '=')
        return false;
    char *end;
    errno = 0;
    *v = strtoull(arg + n + 1, &end, 0);
    if (errno || *end || end == arg + n + 1)
        die("%s: not a number", arg);
    return true;
}

static void usage(void)
{
    puts("usage: diff-unicorn [--count=N] [--seed=N] [--first=N] [--max-report=N] [--oracle]\n"
         "                    [--paging] [--bisect-all] [--stats] [-v]\n"
         "       diff-unicorn --try=HEXBYTES [--state=EAX,ECX,EDX,EBX,ESP,EBP,ESI,EDI,EFLAGS]\n"
         "                    [--mem=ADDR:HEXBYTES]...\n"
         "Runs N random instruction sequences (numbered from --first) in jitpc and Unicorn and\n"
         "compares them. --oracle runs differing instructions on the host CPU to decide.\n"
         "--stats checks every generated encoding with capstone and counts the mnemonics.\n"
         "--paging runs them through random page tables, at CPL 3 and 0 (README).\n"
         "--try runs one instruction (memory: sequence --first's random data) in jitpc,\n"
         "Unicorn, the host CPU and KVM, and prints the four results.\n"
         "Exit status: 0 all passed, 1 mismatches, 99 setup error.");
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        uint64_t v;
        const char *a = argv[i];
        if (parse_u64(a, "--count", &opt.count) || parse_u64(a, "--seed", &opt.seed) ||
            parse_u64(a, "--first", &opt.first))
            continue;
        if (parse_u64(a, "--max-report", &v)) {
            opt.max_report = (unsigned)v;
        } else if (!strcmp(a, "--oracle")) {
            opt.oracle = true;
        } else if (!strncmp(a, "--try=", 6)) {
            opt.try_hex = a + 6;
        } else if (!strncmp(a, "--state=", 8)) {
            opt.try_state = a + 8;
        } else if (!strncmp(a, "--mem=", 6) && opt.ntry_mem < 8) {
            opt.try_mem[opt.ntry_mem++] = a + 6;
        } else if (!strcmp(a, "--paging")) {
            opt.paging = true;
        } else if (!strcmp(a, "--stats")) {
            opt.stats = true;
        } else if (!strcmp(a, "--bisect-all")) {
            opt.stepwise = true;
        } else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
            opt.verbose = true;
        } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage();
            return 0;
        } else {
            die("unknown option %s (try --help)", a);
        }
    }
    if (cs_open(CS_ARCH_X86, CS_MODE_32, &cs) != CS_ERR_OK)
        die("capstone: cs_open failed");

    /* Two Unicorn instances: switching one between counted (bisection) and uncounted runs
     * flushes its whole translation cache (~0.1 s each time in Unicorn 2.0.1). */
    static struct jside j;
    static struct uside u, ustep;
    j_init(&j);
    u_init(&u);
    u_init(&ustep);
    static uint8_t image[GUEST_MEM_SIZE];
    static struct seq s;
    static uint8_t pre_mem[GUEST_MEM_SIZE];

    if (opt.try_hex && opt.paging)
        die("--try runs without paging");
    if (opt.try_hex)
        return try_one(&j, &ustep, &u, image, &s, pre_mem);

    time_t t0 = time(NULL);
    uint64_t passed = 0, failed = 0;
    for (uint64_t idx = opt.first; idx < opt.first + opt.count; idx++) {
        /* every sequence has its own generator state: any one can be rerun alone */
        if (idx > opt.first && (idx - opt.first) % UC_RECYCLE == 0) {
            u_close(&u);
            u_close(&ustep);
            u_init(&u);
            u_init(&ustep);
        }
        uint64_t rng = opt.seed ^ (idx * 0xD1B54A32D192ED03ull);
        rng_next(&rng);
        gen_sequence(&rng, &s, image);
        if (opt.paging)
            pg_build(&rng, &s, image, &j);
        if (opt.stats)
            stats_sequence(&s);
        struct outcome o = {.step_insn = -1, .undef_reg = -1, .pre_mem = pre_mem};
        memcpy(o.init.regs, s.regs, sizeof s.regs);
        o.init.eip = CODE_BASE;
        o.init.eflags = s.eflags;
        if (opt.verbose) {
            printf("sequence %" PRIu64 ":\n", idx);
            for (unsigned k = 0; k < s.n; k++)
                print_insn(stdout, &s, k, "  ");
            print_state(stdout, "initial", &o.init);
            pg_print(stdout, NULL, NULL);
            fflush(stdout);
        }
        bool ok = !opt.stepwise && run_fast(&j, &u, &s, image, &o);
        if (!ok)
            ok = run_bisect(&j, &ustep, &u, &s, image, &o);
        if (opt.verbose && ok) {
            print_state(stdout, "final", &o.j);
            pg_print(stdout, &j, &u);
            printf("sequence %" PRIu64 ": ok\n", idx);
        }
        if (ok) {
            passed++;
            continue;
        }
        failed++;
        if (failed <= opt.max_report) {
            report(idx, &s, &o, &j, &ustep);
            if (opt.oracle)
                arbitrate(&s, &o, &j, &ustep, true);
        }
    }
    printf("diff: %" PRIu64 " sequences (seed %" PRIu64 "), %" PRIu64 " instructions, %" PRIu64
           " bisected, %" PRIu64 " undefined-value resyncs, %lds\n", opt.count, opt.seed,
           insns_executed, bisections, unicorn_resyncs, (long)(time(NULL) - t0));
    for (int k = 0; k < KNOWN_COUNT; k++)
        if (known_hits[k])
            printf("diff: documented Unicorn bug %s: %" PRIu64 " instructions (%s)\n",
                   known_cases[k].name, known_hits[k], known_cases[k].what);
    if (opt.paging)
        printf("diff: paged: %" PRIu64 " at CPL 3, %" PRIu64 " with CR0.WP, %" PRIu64 " with CR4.PSE, %"
               PRIu64 " through a 4 MiB page, %" PRIu64 " with aliased frames, %" PRIu64
               " with a read-only page\n", pg_counts[0], pg_counts[1], pg_counts[2], pg_counts[3],
               pg_counts[4], pg_counts[5]);
    if (opt.stats)
        stats_print();
    printf("diff: %" PRIu64 " passed, %" PRIu64 " failed\n", passed, failed);
    cs_close(&cs);
    return failed || bad_encodings ? 1 : 0;
}
