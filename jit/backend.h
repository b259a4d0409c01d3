/* The interface every host backend implements (jit/x64/ today). Internal to jit/. */
#ifndef JITPC_JIT_BACKEND_H
#define JITPC_JIT_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include "core/cpu.h"
#include "ir.h"

/* Generated code for a block: runs it on cpu, leaves cpu->eip and cpu->icount after the last
 * instruction it retired, and returns 1 when the next block may follow directly (see
 * ir_block.chain), 0 when the run loop must look at the CPU first. Faults longjmp out of it
 * through the interpreter's helpers, with cpu->insn_eip, insn_esp and icount precise. */
typedef int (*jit_code_fn)(struct cpu *cpu);

struct backend_counts {
    unsigned inline_ops, helper_ops;
};

/* Emits b into buf[0..cap) for execution at the address exec (the executable view of buf).
 * gen_ptr is the page generation counter the block checks after helpers that may write memory.
 * Returns the bytes used, or 0 when cap is too small. */
size_t backend_emit(const struct ir_block *b, const uint32_t *gen_ptr, uint8_t *buf, size_t cap,
                    const uint8_t *exec, struct backend_counts *counts);

#endif
