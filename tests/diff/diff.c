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
    if (!mem_init(&j->mem, GUEST_MEM_SIZE))
        die("out of memory");
    io_init(&j->io);
    cpu_init(&j->cpu, &j->mem, &j->io);
    /* a P6: CMOVcc, CMPXCHG8B, BSWAP, and EFLAGS.ID writable as in Unicorn's CPU */
    const struct cpu_model *model = cpu_model_find("pentiumpro");
    if (!model)
        die("jitpc has no pentiumpro CPU model");
    cpu_set_model(&j->cpu, model);
}

static void j_load(struct jside *j, const struct seq *s, const uint8_t *image)
{
    memcpy(j->mem.ram, image, GUEST_MEM_SIZE);
    /* the code again through the bus, so anything that caches decoded code sees the write */
    for (unsigned i = 0; i < s->len + 16; i++)
        mem_write8(&j->mem, CODE_BASE + i, image[CODE_BASE + i]);
    struct cpu *c = &j->cpu;
    cpu_reset(c);
    c->cr0 |= CR0_PE;
    /* the descriptor caches as a load of these descriptors leaves them (SDM Vol.3 3.4.5):
     * CS 0x1B: DPL 3 readable code, D=1, G=1; the rest 0x23: DPL 3 writable data, B=1, G=1 */
    for (int i = 0; i < 6; i++)
        c->seg[i] = (struct seg){.sel = 0x23, .base = 0, .limit = 0xFFFFFFFFu, .attr = 0xC0F3,
                                 .rights = SEG_VALID | SEG_R | SEG_W};
    c->seg[SEG_CS] = (struct seg){.sel = 0x1B, .base = 0, .limit = 0xFFFFFFFFu, .attr = 0xC0FB,
                                  .rights = SEG_VALID | SEG_R};
    c->cpl = 3;
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
    if (uc_hook_add(u->uc, &h, UC_HOOK_INTR, (void *)u_intr, u, 1, 0) != UC_ERR_OK ||
        uc_hook_add(u->uc, &h, UC_HOOK_MEM_INVALID, (void *)u_invalid, u, 1, 0) != UC_ERR_OK)
        die("uc_hook_add failed");
}

/* EIP is not written: uc_emu_start's begin sets it (and writing EIP before the first
 * uc_emu_start crashes Unicorn 2.0.1 in uc_emu_stop). */
static void u_close(struct uside *u)
{
    uc_close(u->uc);
    free(u->mem);
    u->uc = NULL;
    u->mem = NULL;
}

static void u_write_regs(struct uside *u, const uint32_t regs[8], uint32_t eflags)
{
    for (int r = 0; r < 8; r++)
        uc_reg_write(u->uc, uc_gpr[r], &regs[r]);
    uc_reg_write(u->uc, UC_X86_REG_EFLAGS, &eflags);
}

static void u_load(struct uside *u, const struct seq *s, const uint8_t *image)
{
    memcpy(u->mem, image, GUEST_MEM_SIZE);
    /* the code changed behind Unicorn's back: drop its translations of the code page */
    uc_ctl_remove_cache(u->uc, CODE_BASE, CODE_BASE + 0x1000);
    u->vector = -1;
    u->bad_access = false;
    u_write_regs(u, s->regs, s->eflags);
}

static void u_state(struct uside *u, struct state *st, uc_err err)
{
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
    o->mem_differs = memcmp(j->mem.ram, u->mem, GUEST_MEM_SIZE) != 0;
    return same_state(&o->j, &o->u, undef, 0) && !o->mem_differs && !o->j.fault && !o->u.fault;
}

/* Whether a documented Unicorn bug (known.c) explains the difference at the instruction just
 * bisected, with jitpc still checked: Unicorn (its uncounted instance uf) runs a correct
 * substitute from the same state, or the difference must be exactly the modelled error. */
static bool known_holds(int id, struct jside *j, struct uside *ustep, struct uside *uf,
                        const struct seq *s, const struct ginsn *in, const struct outcome *o)
{
    uint8_t sub[INSN_MAX_LEN + 1];
    const uint8_t *code = s->code + in->off;
    if (!known_substitute(id, code, in->len, sub))
        return memcmp(j->mem.ram, ustep->mem, GUEST_MEM_SIZE) == 0 &&
               known_explains(id, &o->pre, &o->jpost, &o->upost);
    memcpy(uf->mem, o->pre_mem, GUEST_MEM_SIZE);
    memcpy(uf->mem + o->pre.eip, sub, in->len);
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
           memcmp(j->mem.ram, uf->mem, GUEST_MEM_SIZE) == 0;
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
            return memcmp(j->mem.ram, u->mem, GUEST_MEM_SIZE) == 0;
        int k = insn_at(s, js.eip);
        o->pre = js;
        o->step_insn = k;
        memcpy(o->pre_mem, j->mem.ram, GUEST_MEM_SIZE);
        if (k < 0 || js.eip != us.eip)
            return false;
        struct flag_fx fx = gen_flag_fx(&s->ins[k], js.regs, j->mem.ram);
        int ur = gen_undef_reg(&s->ins[k], js.regs, j->mem.ram);
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
            memcmp(j->mem.ram, u->mem, GUEST_MEM_SIZE) != 0) {
            int id = known_match(s->code + s->ins[k].off, s->ins[k].len);
            if (id < 0 || !known_holds(id, j, u, uf, s, &s->ins[k], o))
                return false;
            /* a documented Unicorn bug: go on from jitpc's state */
            known_hits[id]++;
            memcpy(u->mem, j->mem.ram, GUEST_MEM_SIZE);
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

static void print_mem_diff(FILE *f, const uint8_t *a, const uint8_t *b)
{
    unsigned shown = 0;
    for (uint32_t i = 0; i < GUEST_MEM_SIZE && shown < 16; i++)
        if (a[i] != b[i]) {
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
    if (o->mem_differs)
        fprintf(f, "  memory differs at the end (jitpc vs unicorn, after the bisection run):\n");
    if (o->mem_differs)
        print_mem_diff(f, j->mem.ram, u->mem);
    if (o->bisected && o->step_insn >= 0) {
        fprintf(f, "  first difference at instruction %d (undefined flags %03x%s):\n", o->step_insn,
                o->undef, o->undef_reg >= 0 ? ", destination undefined" : "");
        print_insn(f, s, (unsigned)o->step_insn, ">>");
        print_state(f, "before", &o->pre);
        print_state(f, "jitpc", &o->jpost);
        print_state(f, "unicorn", &o->upost);
        if (memcmp(j->mem.ram, u->mem, GUEST_MEM_SIZE) != 0)
            print_mem_diff(f, j->mem.ram, u->mem);
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

static bool same_as_host(const struct state *st, const uint8_t *mem, const struct host_result *h,
                         const struct outcome *o)
{
    struct state hs = {.eip = h->eip, .eflags = h->eflags, .fault = h->fault, .vector = h->vector};
    memcpy(hs.regs, h->regs, sizeof hs.regs);
    uint32_t rm = o->undef_reg >= 0 ? 1u << o->undef_reg : 0;
    if (!same_state(st, &hs, o->undef, rm))
        return false;
    return h->fault || !h->mem_valid || memcmp(h->mem, mem, GUEST_MEM_SIZE) == 0;
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
    bool jok = same_as_host(&o->jpost, j->mem.ram, &h, o);
    bool uok = same_as_host(&o->upost, u->mem, &h, o);
    enum verdict v = jok && !uok ? V_UNICORN_WRONG : !jok && uok ? V_JITPC_WRONG
                   : jok && uok ? V_BOTH_AGREE : V_NEITHER;
    if (print) {
        printf("  host CPU (the instruction in this 64-bit process%s):\n",
               h.a16 ? ", its 16-bit address made absolute" : "");
        print_state(stdout, "host", &hs);
        if (h.mem_valid && !h.fault && memcmp(h.mem, j->mem.ram, GUEST_MEM_SIZE) != 0) {
            printf("  memory, host vs jitpc:\n");
            print_mem_diff(stdout, h.mem, j->mem.ram);
        }
        if (h.mem_valid && !h.fault && memcmp(h.mem, u->mem, GUEST_MEM_SIZE) != 0) {
            printf("  memory, host vs unicorn:\n");
            print_mem_diff(stdout, h.mem, u->mem);
        }
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
         "                    [--bisect-all] [--stats] [-v]\n"
         "       diff-unicorn --try=HEXBYTES [--state=EAX,ECX,EDX,EBX,ESP,EBP,ESI,EDI,EFLAGS]\n"
         "                    [--mem=ADDR:HEXBYTES]...\n"
         "Runs N random instruction sequences (numbered from --first) in jitpc and Unicorn and\n"
         "compares them. --oracle runs differing instructions on the host CPU to decide.\n"
         "--stats checks every generated encoding with capstone and counts the mnemonics.\n"
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
            fflush(stdout);
        }
        bool ok = !opt.stepwise && run_fast(&j, &u, &s, image, &o);
        if (!ok)
            ok = run_bisect(&j, &ustep, &u, &s, image, &o);
        if (opt.verbose && ok) {
            print_state(stdout, "final", &o.j);
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
    if (opt.stats)
        stats_print();
    printf("diff: %" PRIu64 " passed, %" PRIu64 " failed\n", passed, failed);
    cs_close(&cs);
    return failed || bad_encodings ? 1 : 0;
}
