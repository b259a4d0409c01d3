/* Instruction trace (--trace FILE, -d in_asm,cpu -D FILE) and profile (--profile), both fed by the
 * CPU's per-instruction hook (cpu->insn_hook), and the capstone disassembler the monitor shares. */
#ifndef JITPC_TRACE_H
#define JITPC_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/cpu.h"

struct trace_options {
    const char *file;      /* --trace FILE or -D FILE ("-" = stdout); NULL: stderr */
    bool in_asm;           /* a line per instruction (--trace, -d in_asm) */
    bool cpu;              /* every register with each line (-d cpu) */
    bool profile;          /* --profile: hottest blocks and instruction mix at exit */
    bool has_range;        /* --trace-range LO-HI: only EIPs whose linear address is in [lo, hi] */
    uint32_t lo, hi;
    int cpl;               /* --trace-cpl N: only at CPL N; -1 = any */
};

/* Command-line help lines for the options below. */
extern const char trace_usage[];

/* Parses argv option a (with its argument arg, or NULL) if it is one of --trace, -D,
 * --trace-range, --trace-cpl, --profile. Returns the number of arguments used (1 or 2), 0 if a
 * is not a trace option, -1 after printing a one-line error. */
int trace_parse_option(struct trace_options *t, const char *a, const char *arg);
/* One item of -d's comma-separated list ("in_asm", "cpu"); false if it is not a trace item. */
bool trace_parse_d_item(struct trace_options *t, const char *item);

struct trace_block;
struct trace_decoded;

struct trace_regs_snap {
    uint32_t regs[8], eflags, cr0, cr2, cr3, cr4;
    uint16_t sel[6];
};

struct trace {
    struct cpu *cpu;
    FILE *out;             /* trace lines */
    bool own_out;          /* out was opened here */
    bool printing;         /* trace lines on (--trace, the monitor's trace on) */
    bool regs;             /* -d cpu */
    bool profiling;
    bool has_range;
    uint32_t lo, hi;
    int cpl;
    /* the instruction printed last, whose changed registers are known at the next hook */
    bool pending;
    char line[256];
    struct trace_regs_snap snap;
    /* profile */
    struct trace_decoded *dec;      /* decoded-instruction cache, TRACE_DEC_SIZE entries */
    struct trace_block *blocks;     /* open-addressed by start address */
    size_t nblocks, cap_blocks;
    struct trace_block *cur;        /* block the last instruction belonged to */
    uint32_t next_lin;              /* fall-through address after the last instruction */
    bool last_branch;               /* the last instruction transfers control */
    uint64_t *mix;                  /* executions per capstone instruction id */
    size_t nmix;
    uint64_t profiled;
};

/* Opens the trace file (if in_asm or cpu) and installs the CPU hook when anything is asked.
 * On failure writes a reason and returns false. */
bool trace_start(struct trace *t, struct cpu *cpu, const struct trace_options *o, char *why, size_t whylen);
/* The monitor's "trace on|off": prints to out when the trace has no file of its own. */
void trace_set_printing(struct trace *t, bool on, FILE *out);
/* Prints the line of the last traced instruction, whose effects are now known (the monitor
 * calls this whenever the machine stops, so the trace and its output interleave in order). */
void trace_flush(struct trace *t);
/* Flushes the last line, prints the profile report to report, closes the file, removes the hook. */
void trace_stop(struct trace *t, FILE *report);

/* Disassembles one instruction from buf (n bytes) in 16- or 32-bit mode at address addr (what
 * relative targets are computed from) in Intel syntax: "mnemonic operands". Returns its length,
 * or 0 if the bytes are not an instruction capstone knows (text then says "(bad)"). */
unsigned disas_one(const uint8_t *buf, size_t n, bool code32, uint64_t addr, char *text, size_t textlen);

#endif
