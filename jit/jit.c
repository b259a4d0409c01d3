/* The block cache and the run loop's JIT entry (DESIGN.md "JIT"). A block is keyed by the
 * physical address of its first instruction, its EIP (the code holds EIP constants) and the
 * mode it was translated for (code size, CPL 3 or not, stack size); it lies within one physical page and stays valid while that page's generation
 * (core/mem.h, bumped by any write to a 64-byte chunk holding translated code) is unchanged.
 * Blocks are translated once they have been entered JIT_HOT times; until then the interpreter
 * runs them. Generated code lives in a buffer mapped twice, writable at one address and
 * executable at another, never both (W^X). */
#define _GNU_SOURCE
#include "jit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "backend.h"
#include "core/interp.h"
#include "core/mem.h"
#include "core/mmu.h"
#include "translate.h"

#define JIT_HOT 8
#define JIT_HASH_BITS 16
#define JIT_MAX_BLOCKS (1u << 17)
#define JIT_MAX_INSNS (1u << 19)
#define JIT_CODE_SIZE (64u << 20)

struct jit_block {
    uint32_t phys, eip;
    uint32_t end_eip;       /* EIP after the last instruction */
    uint32_t gen;           /* the page generation the code was made for */
    uint32_t ninsns;        /* instructions in the block: the most one run retires */
    int32_t next;           /* hash chain */
    uint32_t count;         /* entries seen while untranslated */
    uint8_t invalidations;  /* times its page was written under it (saturating) */
    uint8_t mode;           /* IRM_* (ir.h) */
    bool failed;            /* the interpreter must run the first instruction (at gen) */
    jit_code_fn code;       /* NULL until translated */
    uint32_t code_off;      /* where code is in the code buffer */
    uint32_t slot[2];       /* its chain slots and chained entry, offsets from code (backend.h) */
    uint32_t lookup[2];     /* its slots' jump-cache lookups (0: none) */
    uint32_t chain_entry;
};

/* The jump cache (struct jit_jc, backend.h), as QEMU's tb_jmp_cache: the last block found at
 * each slot of linear addresses. find() tries blk before the hash chain: the hash table and the
 * block array are megabytes, and a chain walk misses the host's cache at every link; this is
 * 128 KiB. A hit is still checked against the block's physical address, EIP and mode.
 * Generated code that cannot name its successor (RET, indirect jumps, chain slots into another
 * page) looks the next block up in it itself (backend_env), and jit_next_slot uses the rest of
 * the slot, so that a hit touches no block. */
struct jit {
    struct cpu *cpu;
    int32_t hash[1u << JIT_HASH_BITS];
    struct jit_jc jc[1u << JIT_JC_BITS];
    struct backend_env env;
    struct jit_block *blocks;
    unsigned nblocks;
    struct insn *insns;
    unsigned ninsns;
    uint8_t *code_rw;
    uint8_t *code_rx;
    size_t code_used;
    struct ir_block ir;
    struct insn scratch[IR_MAX_OPS];
    struct jit_stats stats;
    /* Debugging aids, from the environment (docs/jit.md): JITPC_JIT_TRACE=FILE writes the
     * registers at each block entry in --trace-regs' format; JITPC_JIT_HELPERS=1 translates
     * every instruction but the branches to an interpreter call. */
    FILE *trace;
    bool helpers_only;
    unsigned hot;             /* JIT_HOT unless a test asks otherwise */
    bool cold;                /* find() last left the interpreter code not hot yet */
};

bool jit_available(void)
{
#if defined(__x86_64__)
    return true;
#else
    return false;
#endif
}

static void flush(struct jit *j)
{
    memset(j->hash, 0xFF, sizeof(j->hash));
    memset(j->jc, 0, sizeof(j->jc));
    j->nblocks = 0;
    j->ninsns = 0;
    j->code_used = 0;
    j->stats.flushes++;
}

static unsigned hash_of(uint32_t phys, uint32_t eip)
{
    uint32_t h = phys ^ (eip << 7) ^ (phys >> JIT_HASH_BITS);
    return (h * 0x9E3779B1u) >> (32 - JIT_HASH_BITS);
}

/* Translates blk; false if the interpreter must run it (or the cache had to be flushed). */
static bool translate(struct jit *j, struct jit_block *blk, const uint8_t *page_host)
{
    struct cpu *cpu = j->cpu;
    struct mem *mem = cpu->mem;
    const struct seg *cs = &cpu->seg[SEG_CS];
    /* As the decode cache does (core/cpu.c cached_decode): a page that becomes code stops being
     * written through cached TLB pointers, so every write to it reaches the generation check. */
    if (!mem_is_code(mem, blk->phys))
        tlb_protect_code(cpu, blk->phys & ~(MEM_PAGE_SIZE - 1));
    unsigned n = jit_translate(&j->ir, j->scratch, mem, page_host, blk->phys, blk->eip, blk->mode, cs->limit,
                               cpu->model->features, j->helpers_only);
    blk->gen = mem_page_gen(mem, blk->phys);
    if (n == 0) {
        blk->failed = true;
        return false;
    }
    if (j->ninsns + n > JIT_MAX_INSNS || JIT_CODE_SIZE - j->code_used < 16384) {
        flush(j);
        return false;
    }
    struct insn *in = &j->insns[j->ninsns];
    memcpy(in, j->scratch, n * sizeof(*in));
    j->ninsns += n;
    for (unsigned i = 0; i < n; i++)
        j->ir.ops[i].in = &in[i];
    j->ir.gen = blk->gen;
    const uint32_t *gen_ptr = &mem->page_gen[(blk->phys & mem->a20_mask) >> MEM_PAGE_SHIFT];
    struct backend_result counts = {0};
    size_t size = backend_emit(&j->ir, gen_ptr, (uint32_t)(blk - j->blocks), j->code_rw + j->code_used,
                               JIT_CODE_SIZE - j->code_used, j->code_rx + j->code_used,
                               j->trace ? NULL : &j->env, &counts);
    if (size == 0) {
        flush(j);
        return false;
    }
    blk->code = (jit_code_fn)(void *)(j->code_rx + j->code_used);
    blk->code_off = (uint32_t)j->code_used;
    blk->slot[0] = counts.slot[0];
    blk->slot[1] = counts.slot[1];
    blk->lookup[0] = counts.lookup[0];
    blk->lookup[1] = counts.lookup[1];
    blk->chain_entry = counts.chain_entry;
    blk->ninsns = n;
    blk->end_eip = j->ir.end_eip;
    j->code_used = (j->code_used + size + 15) & ~(size_t)15;
    j->stats.translations++;
    j->stats.inline_ops += counts.inline_ops;
    j->stats.helper_ops += counts.helper_ops;
    j->stats.code_bytes += size;
    return true;
}

static bool flat_seg(const struct seg *s)
{
    return s->base == 0 && s->limit == 0xFFFFFFFFu &&
           (s->rights & (SEG_VALID | SEG_R | SEG_W | SEG_DOWN)) == (SEG_VALID | SEG_R | SEG_W);
}

/* IRM_FLAT: the flat model protected-mode systems use (Linux, the BSDs, Windows NT). */
static bool flat_data(const struct cpu *cpu)
{
    return flat_seg(&cpu->seg[SEG_DS]) && flat_seg(&cpu->seg[SEG_ES]) && flat_seg(&cpu->seg[SEG_SS]);
}

/* Where CS:EIP is now: its linear address, the physical address of the code (through the TLB;
 * false on a miss, which the interpreter must walk, or for code it alone can fetch) and the
 * mode a block for it must have been translated for. */
static bool locate(const struct cpu *cpu, uint32_t *lin, uint32_t *phys, uint8_t *mode,
                   const struct tlb_entry **te)
{
    const struct seg *cs = &cpu->seg[SEG_CS];
    uint32_t eip = cpu->eip;
    if (eip > cs->limit || !(cs->rights & SEG_VALID))
        return false;
    *lin = cs->base + eip;
    const struct tlb_entry *e = &cpu->tlb[cpu->cpl == 3][(*lin >> MEM_PAGE_SHIFT) & (TLB_SIZE - 1)];
    if (e->tag_r != (*lin & ~(MEM_PAGE_SIZE - 1)) || !e->host)
        return false;
    *phys = e->phys | (*lin & (MEM_PAGE_SIZE - 1));
    *mode = ((cs->attr & SEG_ATTR_DB) ? IRM_CODE32 : 0) | (cpu->cpl == 3 ? IRM_USER : 0) |
            ((cpu->seg[SEG_SS].attr & SEG_ATTR_DB) ? IRM_SS32 : 0) | (flat_data(cpu) ? IRM_FLAT : 0);
    *te = e;
    return true;
}

static struct jit_jc *jc_slot(struct jit *j, uint32_t lin)
{
    return &j->jc[(lin ^ (lin >> JIT_JC_BITS)) & ((1u << JIT_JC_BITS) - 1)];
}

/* blk, translated and current, is what find() gives at its own address from now on. */
static void jc_fill(struct jit_jc *slot, const struct jit_block *blk)
{
    slot->phys = blk->phys;
    slot->eip = blk->eip;
    slot->mode = blk->mode;
    slot->gen = blk->gen;
    slot->entry = (const uint8_t *)(void *)blk->code + blk->chain_entry;
}

/* The translated block to run at CS:EIP now, or NULL: the interpreter runs the next
 * instruction (a TLB miss it must walk, a block not hot yet, code it alone can fetch). */
static struct jit_block *find(struct jit *j)
{
    struct cpu *cpu = j->cpu;
    uint32_t lin, phys, eip = cpu->eip;
    uint8_t mode;
    const struct tlb_entry *e;
    j->cold = false;
    if (!locate(cpu, &lin, &phys, &mode, &e))
        return NULL;
    struct jit_jc *slot = jc_slot(j, lin);
    struct jit_block *blk = slot->blk ? &j->blocks[slot->blk - 1] : NULL;
    j->stats.lookups++;
    if (!blk || blk->phys != phys || blk->eip != eip || blk->mode != mode) {
        j->stats.jc_misses++;
        unsigned h = hash_of(phys, eip);
        blk = NULL;
        for (int32_t i = j->hash[h]; i >= 0; i = j->blocks[i].next) {
            struct jit_block *c = &j->blocks[i];
            if (c->phys == phys && c->eip == eip && c->mode == mode) {
                blk = c;
                break;
            }
        }
        if (!blk) {
            if (j->nblocks == JIT_MAX_BLOCKS)
                flush(j);
            blk = &j->blocks[j->nblocks];
            *blk = (struct jit_block){.phys = phys, .eip = eip, .mode = mode, .next = j->hash[h]};
            j->hash[h] = (int32_t)j->nblocks++;
        }
        *slot = (struct jit_jc){.blk = (uint32_t)(blk - j->blocks) + 1};
    }
    uint32_t gen = mem_page_gen(cpu->mem, phys);
    if (blk->code) {
        if (blk->gen == gen) {
            jc_fill(slot, blk);
            /* The CS limit may have shrunk since: the interpreter faults precisely. */
            return blk->end_eip - 1 <= cpu->seg[SEG_CS].limit ? blk : NULL;
        }
        /* The page was written: count again before translating anew, so code that keeps
         * writing next to itself stays with the interpreter. */
        blk->code = NULL;
        blk->count = 0;
        if (blk->invalidations < 255)
            blk->invalidations++;
        j->stats.invalidations++;
    }
    if (blk->failed) {
        if (blk->gen == gen)
            return NULL;
        blk->failed = false;
        blk->count = 0;
    }
    /* Code whose page keeps being written (DOS programs keep variables next to their code)
     * waits four times longer for each time that happened, so it stays with the interpreter
     * instead of being translated again and again. */
    unsigned shift = j->hot == 1 ? 0 : blk->invalidations < 8 ? 2u * blk->invalidations : 16u;
    if (++blk->count < j->hot << shift) {
        j->cold = true;
        return NULL;
    }
    if (!translate(j, blk, e->host))
        return NULL; /* (a flush in translate() failed it, and cleared slot) */
    jc_fill(slot, blk);
    return blk;
}

int jit_io_exec(struct cpu *cpu, const struct insn *in)
{
    uint64_t flushes = cpu->tlb_stats.flushes;
    interp_exec(cpu, in);
    /* A20, the PAM registers or a BAR moved memory (the board flushes the TLB): the next
     * instruction must be fetched anew. */
    if (cpu->tlb_stats.flushes != flushes)
        return 1;
    /* What cpu_run checks before the next instruction (no interrupt shadow after IN/OUT). */
    return cpu->intr_pending && (cpu->eflags & FL_IF) && cpu->intr_pending(cpu->intr_opaque);
}

/* Points src's chain slot k at dst, which the run loop found to follow it, when that is what
 * find() would give every time src leaves by that slot: both in the same linear page (so the
 * same physical page under any mapping src itself runs under: the page offset fixes the CS
 * base's low 12 bits), the same mode, and translated for the same page generation (a write to
 * the page makes both stale together, and stale code is only ever entered through find(), which
 * refuses it). The budget and the CS limit, which may differ from run to run, the chained entry
 * checks itself. Not with JITPC_JIT_TRACE, which traces every block entry. */
static void link_blocks(struct jit *j, struct jit_block *src, unsigned k, struct jit_block *dst)
{
    uint32_t base = j->cpu->seg[SEG_CS].base;
    if (j->trace || !src->code || !src->slot[k])
        return;
    size_t at = src->code_off + src->slot[k];
    if (((base + src->eip) ^ (base + dst->eip)) >= MEM_PAGE_SIZE ||
        ((src->phys ^ dst->phys) & ~(MEM_PAGE_SIZE - 1))) {
        /* Another page, which may be mapped anew by the time src runs again: never chained.
         * (For a given src, whose key fixes the CS base's low 12 bits, that is for good.) The
         * slot leads to its own jump-cache lookup instead of the stub's call. */
        if (src->lookup[k])
            backend_patch_slot(j->code_rw + at, j->code_rx + at, j->code_rx + src->code_off + src->lookup[k]);
        return;
    }
    if (src->mode != dst->mode || src->gen != dst->gen)
        return;
    backend_patch_slot(j->code_rw + at, j->code_rx + at, j->code_rx + dst->code_off + dst->chain_entry);
    j->stats.chains++;
}

/* The chained entry of the block that jit_exec's loop would run next, for generated code that
 * left its block by an unpatched chain slot (whose block and slot are in cpu->jit_from), or
 * NULL when only that loop can tell: the next block is not in the jump cache as translated and
 * current, something stopped the CPU, or every block entry is being traced. Like the loop it
 * points the slot at the block (or at the slot's own jump-cache lookup) when it can; the entry
 * checks the budget and the CS limit itself. Translates nothing, so the code that called it,
 * which it returns to, stays where it is. (RET and indirect jumps need no such call: their
 * inline lookup, emit_jc_lookup, checks what this would.) */
const void *jit_next_slot(struct cpu *cpu)
{
    struct jit *j = cpu->jit;
    uint32_t lin, phys;
    uint8_t mode;
    const struct tlb_entry *e;
    if (cpu->stop != CPU_RUNNING || cpu->halted || cpu->inhibit_irq || j->trace ||
        !locate(cpu, &lin, &phys, &mode, &e))
        return NULL;
    const struct jit_jc *jc = jc_slot(j, lin);
    if (!jc->entry || jc->phys != phys || jc->eip != cpu->eip || jc->mode != mode ||
        jc->gen != mem_page_gen(cpu->mem, phys))
        return NULL;
    link_blocks(j, &j->blocks[cpu->jit_from >> 1], cpu->jit_from & 1, &j->blocks[jc->blk - 1]);
    /* What jit_exec resets before each block. */
    cpu->ss_shadow = false;
    cpu->rep_resumed = false;
    j->stats.direct_entries++;
    return jc->entry;
}

/* cpu->jit_exec: runs translated blocks while they fit in the budget, chaining from one to the
 * next while nothing that the run loop must look at (interrupts, stops, a halt) can have
 * changed. Returns the instructions retired; 0 means the interpreter runs the next one. */
static uint64_t jit_exec(void *opaque, struct cpu *cpu, uint64_t budget)
{
    struct jit *j = opaque;
    uint64_t start = cpu->icount;
    /* After STI or MOV SS an interrupt may be taken after the next instruction alone (SDM Vol.3
     * 6.8.3): the interpreter runs that one. */
    if (cpu->inhibit_irq)
        return 0;
    /* While the interpreter runs code that is not hot yet, an instruction that did not jump
     * leaves CS:EIP in the middle of a straight line of code entered elsewhere: the interpreter
     * goes on to the next jump without a lookup. Blocks are made where a jump, an interrupt or
     * a block's exit leads, not at every instruction the interpreter passes there (which filled
     * the cache with blocks never entered again, made the hash chains long and cost a lookup
     * per interpreted instruction). Code that was cold its first few times only. */
    if (j->cold && cpu->eip == cpu->seq_eip)
        return 0;
    cpu->jit_limit = start + budget;
    int left = JIT_NEXT;
    for (;;) {
        uint32_t from = cpu->jit_from;
        uint64_t flushes = j->stats.flushes;
        struct jit_block *blk = find(j);
        if (!blk || blk->ninsns > budget - (cpu->icount - start))
            break;
        if (left == JIT_SLOT && j->stats.flushes == flushes)
            link_blocks(j, &j->blocks[from >> 1], from & 1, blk);
        /* What step() resets before each instruction (core/cpu.c). */
        cpu->inhibit_irq = false;
        cpu->ss_shadow = false;
        cpu->rep_resumed = false;
        j->stats.blocks_run++;
        if (j->trace)
            cpu_print_state(j->trace, cpu);
        left = blk->code(cpu);
        if (left == JIT_STOP || cpu->stop != CPU_RUNNING || cpu->halted)
            break;
    }
    uint64_t n = cpu->icount - start;
    j->stats.insns_run += n;
    return n;
}

struct jit *jit_new(struct cpu *cpu, const char **why)
{
    *why = "no JIT backend for this host";
    if (!jit_available())
        return NULL;
    *why = "out of memory";
    struct jit *j = calloc(1, sizeof(*j));
    if (!j)
        return NULL;
    j->cpu = cpu;
    j->blocks = calloc(JIT_MAX_BLOCKS, sizeof(*j->blocks));
    j->insns = calloc(JIT_MAX_INSNS, sizeof(*j->insns));
    int fd = memfd_create("jitpc-code", MFD_CLOEXEC);
    if (!j->blocks || !j->insns || fd < 0 || ftruncate(fd, JIT_CODE_SIZE) != 0) {
        *why = "cannot allocate the code buffer";
        if (fd >= 0)
            close(fd);
        free(j->blocks);
        free(j->insns);
        free(j);
        return NULL;
    }
    void *rw = mmap(NULL, JIT_CODE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    void *rx = mmap(NULL, JIT_CODE_SIZE, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0);
    close(fd);
    if (rw == MAP_FAILED || rx == MAP_FAILED) {
        *why = "cannot map the code buffer";
        if (rw != MAP_FAILED)
            munmap(rw, JIT_CODE_SIZE);
        if (rx != MAP_FAILED)
            munmap(rx, JIT_CODE_SIZE);
        free(j->blocks);
        free(j->insns);
        free(j);
        return NULL;
    }
    j->code_rw = rw;
    j->code_rx = rx;
    const char *trace = getenv("JITPC_JIT_TRACE");
    if (trace && !(j->trace = fopen(trace, "w")))
        fprintf(stderr, "jitpc: JITPC_JIT_TRACE=%s: cannot write it\n", trace);
    j->helpers_only = getenv("JITPC_JIT_HELPERS") != NULL;
    j->env = (struct backend_env){j->jc, &cpu->mem->a20_mask, &cpu->mem->page_gen, &j->stats.direct_entries};
    j->hot = JIT_HOT;
    flush(j);
    j->stats.flushes = 0;
    cpu->jit = j;
    cpu->jit_exec = jit_exec;
    return j;
}

void jit_free(struct jit *j)
{
    if (!j)
        return;
    if (j->cpu->jit == j) {
        j->cpu->jit = NULL;
        j->cpu->jit_exec = NULL;
    }
    if (j->trace)
        fclose(j->trace);
    munmap(j->code_rw, JIT_CODE_SIZE);
    munmap(j->code_rx, JIT_CODE_SIZE);
    free(j->blocks);
    free(j->insns);
    free(j);
}

const struct jit_stats *jit_get_stats(const struct jit *j)
{
    return &j->stats;
}

void jit_set_hot(struct jit *j, unsigned hot)
{
    j->hot = hot ? hot : 1;
}

unsigned jit_block_count(const struct jit *j)
{
    unsigned n = 0;
    for (unsigned i = 0; i < j->nblocks; i++)
        n += j->blocks[i].code != NULL;
    return n;
}
