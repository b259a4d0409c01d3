/* The JIT (DESIGN.md "JIT"): hot blocks of guest code translated to host code, run in place of
 * the interpreter by cpu_run. Public interface for the frontends; the CPU reaches the JIT only
 * through the cpu->jit_exec hook, so core/ does not depend on jit/. */
#ifndef JITPC_JIT_H
#define JITPC_JIT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/cpu.h"

struct jit;

struct jit_stats {
    uint64_t blocks_run;        /* blocks entered from the run loop (chained entries not counted) */
    uint64_t chains;            /* chain slots patched to lead straight to the next block */
    uint64_t lookups;           /* block lookups by the run loop */
    uint64_t jc_misses;         /* of those, not answered by the jump cache (a hash walk) */
    uint64_t direct_entries;    /* blocks entered from generated code through the jump cache */
    uint64_t insns_run;         /* guest instructions retired inside blocks */
    uint64_t translations;      /* blocks translated (retranslations included) */
    uint64_t invalidations;     /* blocks found stale: their page was written since */
    uint64_t flushes;           /* whole-cache flushes (code buffer full) */
    uint64_t inline_ops;        /* translated instructions emitted as host code */
    uint64_t helper_ops;        /* translated instructions that call the interpreter */
    uint64_t code_bytes;        /* host code emitted */
};

/* True when this host has a backend (x86-64); elsewhere jit_new returns NULL and the
 * interpreter runs everything. */
bool jit_available(void);

/* Creates the JIT and hooks it into cpu (cpu->jit_exec). NULL if unavailable or out of memory
 * (why says which). */
struct jit *jit_new(struct cpu *cpu, const char **why);
void jit_free(struct jit *jit);
const struct jit_stats *jit_get_stats(const struct jit *jit);
/* A block is translated on its hot-th entry (default 8, and longer for code whose page keeps
 * being written); 1: always on the first, even after such writes. Tests use 1. */
void jit_set_hot(struct jit *jit, unsigned hot);
/* Blocks currently held, for the monitor's `info blocks`. */
unsigned jit_block_count(const struct jit *jit);

#endif
