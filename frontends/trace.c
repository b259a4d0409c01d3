/* Instruction trace and profile (issue 7). Both hang off cpu->insn_hook, which the CPU calls
 * before each instruction. A trace line is printed one hook late: only then are the registers the
 * instruction changed known. The profile counts instructions per block (a straight-line run
 * entered at a branch target or after an interrupt) and per capstone mnemonic. */
#include "trace.h"

#include <capstone/capstone.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "monitor.h"

const char trace_usage[] =
    "  --trace FILE      a line per instruction: count, CS:EIP, disassembly, registers it\n"
    "                    changed (FILE - is stdout); -d in_asm[,cpu] -D FILE is the same\n"
    "                    in QEMU's spelling (cpu adds every register; without -D: stderr)\n"
    "  --trace-range LO-HI  trace only EIPs whose linear address is in [LO, HI]\n"
    "  --trace-cpl N     trace only at CPL N\n"
    "  --profile         at exit (stderr): hottest blocks and the instruction mix\n";

static bool parse_u32(const char *s, char **end, uint32_t *v)
{
    errno = 0;
    unsigned long long x = strtoull(s, end, 0);
    if (errno || *end == s || x > 0xFFFFFFFFull || *s == '-')
        return false;
    *v = (uint32_t)x;
    return true;
}

int trace_parse_option(struct trace_options *t, const char *a, const char *arg)
{
    if (!strcmp(a, "--profile")) {
        t->profile = true;
        return 1;
    }
    bool is_trace = !strcmp(a, "--trace"), is_d = !strcmp(a, "-D");
    bool is_range = !strcmp(a, "--trace-range"), is_cpl = !strcmp(a, "--trace-cpl");
    if (!is_trace && !is_d && !is_range && !is_cpl)
        return 0;
    if (!arg) {
        fprintf(stderr, "jitpc: %s needs an argument\n", a);
        return -1;
    }
    if (is_trace || is_d) {
        t->file = arg;
        t->in_asm |= is_trace;
    } else if (is_range) {
        char *end;
        if (!parse_u32(arg, &end, &t->lo) || *end != '-' || !parse_u32(end + 1, &end, &t->hi) || *end ||
            t->hi < t->lo) {
            fprintf(stderr, "jitpc: --trace-range %s: expected LO-HI, e.g. 0xf0000-0xfffff\n", arg);
            return -1;
        }
        t->has_range = true;
    } else {
        if (arg[0] < '0' || arg[0] > '3' || arg[1]) {
            fprintf(stderr, "jitpc: --trace-cpl %s: expected 0, 1, 2 or 3\n", arg);
            return -1;
        }
        t->cpl = arg[0] - '0';
    }
    return 2;
}

bool trace_parse_d_item(struct trace_options *t, const char *item)
{
    if (!strcmp(item, "in_asm") || !strcmp(item, "exec"))
        t->in_asm = true;
    else if (!strcmp(item, "cpu"))
        t->cpu = true;
    else
        return false;
    return true;
}

/* Capstone handles, opened on first use: [code32] for plain text, [2 + code32] with detail (the
 * profile needs the instruction groups to find branches). */
static csh cs_handle[4];
static bool cs_opened[4];
static cs_insn *cs_buf[4];

static csh handle(unsigned which)
{
    if (!cs_opened[which]) {
        if (cs_open(CS_ARCH_X86, (which & 1) ? CS_MODE_32 : CS_MODE_16, &cs_handle[which]) != CS_ERR_OK)
            return 0;
        if (which & 2)
            cs_option(cs_handle[which], CS_OPT_DETAIL, CS_OPT_ON);
        cs_buf[which] = cs_malloc(cs_handle[which]);
        cs_opened[which] = true;
    }
    return cs_handle[which];
}

/* Decodes one instruction into cs_buf[which]; false if capstone does not know the bytes. */
static bool decode(unsigned which, const uint8_t *buf, size_t n, uint64_t addr)
{
    csh h = handle(which);
    if (!h)
        return false;
    const uint8_t *p = buf;
    return cs_disasm_iter(h, &p, &n, &addr, cs_buf[which]);
}

unsigned disas_one(const uint8_t *buf, size_t n, bool code32, uint64_t addr, char *text, size_t textlen)
{
    if (!decode(code32, buf, n, addr)) {
        snprintf(text, textlen, "(bad)");
        return 0;
    }
    const cs_insn *i = cs_buf[code32];
    snprintf(text, textlen, "%s%s%s", i->mnemonic, i->op_str[0] ? " " : "", i->op_str);
    return i->size;
}

/* The address capstone computes relative targets from: the offset in CS, so that targets read
 * as the EIPs the user sees (16-bit code wraps at 64 KiB). */
static uint64_t cs_offset(const struct cpu *cpu, uint32_t lin, bool code32)
{
    uint32_t off = lin - cpu->seg[SEG_CS].base;
    return code32 ? off : (off & 0xFFFF);
}

/* ---- the trace ---- */

static void snapshot(struct cpu *cpu, struct trace_regs_snap *s)
{
    memcpy(s->regs, cpu->regs, sizeof(s->regs));
    s->eflags = cpu_get_eflags(cpu);
    s->cr0 = cpu->cr0;
    s->cr2 = cpu->cr2;
    s->cr3 = cpu->cr3;
    s->cr4 = cpu->cr4;
    for (int i = 0; i < 6; i++)
        s->sel[i] = cpu->seg[i].sel;
}

static const char *const reg_names[8] = {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"};
static const char *const seg_names[6] = {"es", "cs", "ss", "ds", "fs", "gs"};

void trace_flush(struct trace *t)
{
    if (!t->pending)
        return;
    t->pending = false;
    struct trace_regs_snap now;
    snapshot(t->cpu, &now);
    const struct trace_regs_snap *was = &t->snap;
    FILE *f = t->out;
    fputs(t->line, f);
    for (int i = 0; i < 8; i++)
        if (now.regs[i] != was->regs[i])
            fprintf(f, " %s=%08x", reg_names[i], now.regs[i]);
    if (now.eflags != was->eflags)
        fprintf(f, " efl=%08x", now.eflags);
    for (int i = 0; i < 6; i++)
        if (now.sel[i] != was->sel[i])
            fprintf(f, " %s=%04x", seg_names[i], now.sel[i]);
    if (now.cr0 != was->cr0)
        fprintf(f, " cr0=%08x", now.cr0);
    if (now.cr2 != was->cr2)
        fprintf(f, " cr2=%08x", now.cr2);
    if (now.cr3 != was->cr3)
        fprintf(f, " cr3=%08x", now.cr3);
    if (now.cr4 != was->cr4)
        fprintf(f, " cr4=%08x", now.cr4);
    fputc('\n', f);
    if (t->regs) {
        const uint32_t *r = now.regs;
        fprintf(f, "  eax=%08x ebx=%08x ecx=%08x edx=%08x esi=%08x edi=%08x ebp=%08x esp=%08x eip=%08x efl=%08x\n",
                r[R_EAX], r[R_EBX], r[R_ECX], r[R_EDX], r[R_ESI], r[R_EDI], r[R_EBP], r[R_ESP], t->cpu->eip,
                now.eflags);
    }
}

static void trace_insn(struct trace *t, struct cpu *cpu, uint32_t lin, bool code32)
{
    if ((t->has_range && (lin < t->lo || lin > t->hi)) || (t->cpl >= 0 && cpu->cpl != t->cpl))
        return;
    uint8_t buf[16];
    size_t n = guest_read(cpu, lin, false, buf, 15);
    char text[160];
    disas_one(buf, n, code32, cs_offset(cpu, lin, code32), text, sizeof(text));
    snprintf(t->line, sizeof(t->line), "%llu %04x:%08x  %-40s;", (unsigned long long)cpu->icount,
             cpu->seg[SEG_CS].sel, cpu->eip, text);
    snapshot(cpu, &t->snap);
    t->pending = true;
}

/* ---- the profile ---- */

#define TRACE_DEC_BITS 16
#define TRACE_DEC_SIZE (1u << TRACE_DEC_BITS)

struct trace_decoded {
    uint32_t lin;
    uint16_t id;          /* capstone instruction id, 0 = not decodable */
    uint8_t len, code32, branch, valid;
    uint8_t bytes[15];
};

struct trace_block {
    uint32_t lin;
    bool used;
    bool code32;
    uint64_t entries, insns;
};

static struct trace_block *block_find(struct trace *t, uint32_t lin, bool code32)
{
    if (t->nblocks * 2 >= t->cap_blocks) {
        size_t cap = t->cap_blocks ? t->cap_blocks * 2 : 4096;
        struct trace_block *nb = calloc(cap, sizeof(*nb));
        if (!nb)
            return NULL;
        for (size_t i = 0; i < t->cap_blocks; i++) {
            if (!t->blocks[i].used)
                continue;
            size_t j = (t->blocks[i].lin * 2654435761u) & (cap - 1);
            while (nb[j].used)
                j = (j + 1) & (cap - 1);
            nb[j] = t->blocks[i];
        }
        free(t->blocks);
        t->blocks = nb;
        t->cap_blocks = cap;
        t->cur = NULL;    /* pointers into the old table are gone */
    }
    size_t j = (lin * 2654435761u) & (t->cap_blocks - 1);
    while (t->blocks[j].used && t->blocks[j].lin != lin)
        j = (j + 1) & (t->cap_blocks - 1);
    struct trace_block *b = &t->blocks[j];
    if (!b->used) {
        *b = (struct trace_block){.lin = lin, .used = true, .code32 = code32};
        t->nblocks++;
    }
    return b;
}

static bool is_branch(csh h, const cs_insn *i)
{
    static const uint8_t groups[] = {CS_GRP_JUMP, CS_GRP_CALL, CS_GRP_RET, CS_GRP_INT, CS_GRP_IRET};
    for (size_t k = 0; k < sizeof(groups); k++)
        if (cs_insn_group(h, i, groups[k]))
            return true;
    return false;
}

static void profile_insn(struct trace *t, struct cpu *cpu, uint32_t lin, bool code32)
{
    uint8_t buf[16];
    size_t n = guest_read(cpu, lin, false, buf, 15);
    struct trace_decoded *d = &t->dec[(lin ^ (lin >> TRACE_DEC_BITS)) & (TRACE_DEC_SIZE - 1)];
    if (!d->valid || d->lin != lin || d->code32 != code32 || d->len > n || memcmp(d->bytes, buf, d->len)) {
        d->lin = lin;
        d->code32 = code32;
        d->valid = 1;
        unsigned which = 2 + code32;
        if (n && decode(which, buf, n, lin)) {
            const cs_insn *i = cs_buf[which];
            d->id = (uint16_t)i->id;
            d->len = (uint8_t)i->size;
            d->branch = is_branch(cs_handle[which], i) || i->id == X86_INS_HLT;
        } else {
            d->id = 0;
            d->len = n ? 1 : 0;
            d->branch = 1;
        }
        memcpy(d->bytes, buf, d->len);
    }
    if (!t->cur || t->last_branch || lin != t->next_lin || t->cur->code32 != code32) {
        t->cur = block_find(t, lin, code32);
        if (!t->cur)
            return;
        t->cur->entries++;
    }
    t->cur->insns++;
    t->last_branch = d->branch;
    t->next_lin = lin + d->len;
    if (d->id < t->nmix)
        t->mix[d->id]++;
    t->profiled++;
}

static int by_insns(const void *a, const void *b)
{
    const struct trace_block *x = a, *y = b;
    return x->insns < y->insns ? 1 : x->insns > y->insns ? -1 : (x->lin > y->lin) - (x->lin < y->lin);
}

struct mix_row {
    uint64_t n;
    unsigned id;
};

static int by_count(const void *a, const void *b)
{
    const struct mix_row *x = a, *y = b;
    return x->n < y->n ? 1 : x->n > y->n ? -1 : (x->id > y->id) - (x->id < y->id);
}

static void profile_report(struct trace *t, FILE *f)
{
    fprintf(f, "jitpc: profile: %llu instructions in %zu blocks (a block: a straight-line run entered at a "
               "branch target)\n",
            (unsigned long long)t->profiled, t->nblocks);
    struct trace_block *sorted = malloc((t->nblocks ? t->nblocks : 1) * sizeof(*sorted));
    if (!sorted)
        return;
    size_t k = 0;
    for (size_t i = 0; i < t->cap_blocks; i++)
        if (t->blocks[i].used)
            sorted[k++] = t->blocks[i];
    qsort(sorted, k, sizeof(*sorted), by_insns);
    double total = t->profiled ? (double)t->profiled : 1.0;
    fprintf(f, "hottest blocks:\n  %-10s %12s %6s %10s  %s\n", "linear", "insns", "%", "entries", "first instruction");
    for (size_t i = 0; i < k && i < 20; i++) {
        uint8_t buf[16];
        size_t n = guest_read(t->cpu, sorted[i].lin, false, buf, 15);
        char text[160];
        disas_one(buf, n, sorted[i].code32, sorted[i].lin, text, sizeof(text));
        fprintf(f, "  0x%08x %12llu %5.1f%% %10llu  %s\n", sorted[i].lin, (unsigned long long)sorted[i].insns,
                100.0 * (double)sorted[i].insns / total, (unsigned long long)sorted[i].entries, text);
    }
    free(sorted);
    struct mix_row *rows = malloc(t->nmix * sizeof(*rows));
    if (!rows)
        return;
    size_t nr = 0;
    for (size_t i = 0; i < t->nmix; i++)
        if (t->mix[i])
            rows[nr++] = (struct mix_row){t->mix[i], (unsigned)i};
    qsort(rows, nr, sizeof(*rows), by_count);
    fprintf(f, "instruction mix:\n");
    for (size_t i = 0; i < nr && i < 40; i++) {
        const char *name = rows[i].id ? cs_insn_name(handle(2), rows[i].id) : "(bad)";
        fprintf(f, "  %-12s %12llu %5.1f%%\n", name ? name : "?", (unsigned long long)rows[i].n,
                100.0 * (double)rows[i].n / total);
    }
    if (nr > 40)
        fprintf(f, "  (%zu more mnemonics)\n", nr - 40);
    free(rows);
}

/* ---- the hook ---- */

static void hook(void *opaque, struct cpu *cpu)
{
    struct trace *t = opaque;
    trace_flush(t);
    uint32_t lin = cpu->seg[SEG_CS].base + cpu->eip;
    bool code32 = (cpu->seg[SEG_CS].attr & SEG_ATTR_DB) != 0;
    if (t->profiling)
        profile_insn(t, cpu, lin, code32);
    if (t->printing)
        trace_insn(t, cpu, lin, code32);
}

static void update_hook(struct trace *t)
{
    bool on = t->printing || t->profiling;
    t->cpu->insn_hook = on ? hook : NULL;
    t->cpu->insn_hook_opaque = on ? t : NULL;
}

bool trace_start(struct trace *t, struct cpu *cpu, const struct trace_options *o, char *why, size_t whylen)
{
    memset(t, 0, sizeof(*t));
    t->cpu = cpu;
    t->has_range = o->has_range;
    t->lo = o->lo;
    t->hi = o->hi;
    t->cpl = o->cpl;
    t->regs = o->cpu;
    t->out = stdout;
    if (o->in_asm || o->cpu) {
        if (!o->file) {
            t->out = stderr;
        } else if (strcmp(o->file, "-")) {
            if (!(t->out = fopen(o->file, "w"))) {
                snprintf(why, whylen, "%s: %s", o->file, strerror(errno));
                return false;
            }
            t->own_out = true;
        }
        t->printing = true;
    } else if (o->file && strcmp(o->file, "-")) {
        /* -D without -d: the file is there for a later "trace on" in the monitor */
        if (!(t->out = fopen(o->file, "w"))) {
            snprintf(why, whylen, "%s: %s", o->file, strerror(errno));
            return false;
        }
        t->own_out = true;
    }
    if (o->profile) {
        t->dec = calloc(TRACE_DEC_SIZE, sizeof(*t->dec));
        t->nmix = X86_INS_ENDING;
        t->mix = calloc(t->nmix, sizeof(*t->mix));
        if (!t->dec || !t->mix || !handle(2) || !handle(3)) {
            snprintf(why, whylen, "--profile: out of memory or no capstone");
            free(t->dec);
            free(t->mix);
            return false;
        }
        t->profiling = true;
    }
    update_hook(t);
    return true;
}

void trace_set_printing(struct trace *t, bool on, FILE *out)
{
    trace_flush(t);
    if (!t->own_out && t->out != stderr)
        t->out = out;
    t->printing = on;
    update_hook(t);
}

void trace_stop(struct trace *t, FILE *report)
{
    if (!t->cpu)
        return;
    trace_flush(t);
    if (t->profiling)
        profile_report(t, report);
    t->printing = t->profiling = false;
    update_hook(t);
    if (t->own_out)
        fclose(t->out);
    else
        fflush(t->out);
    free(t->dec);
    free(t->blocks);
    free(t->mix);
    t->cpu = NULL;
}
