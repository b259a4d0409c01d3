/* The interface every host backend implements (jit/x64/ today). Internal to jit/. */
#ifndef JITPC_JIT_BACKEND_H
#define JITPC_JIT_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include "core/cpu.h"
#include "ir.h"

/* Generated code for a block: runs it on cpu (and the blocks chained to it), leaves cpu->eip
 * and cpu->icount after the last instruction it retired, and returns JIT_STOP when the run loop
 * must look at the CPU first, JIT_NEXT when the next block may follow directly (see
 * ir_block.chain), or JIT_SLOT when it left through an unpatched chain slot (below). Faults
 * longjmp out of it through the interpreter's helpers, with cpu->insn_eip, insn_esp and icount
 * precise. */
typedef int (*jit_code_fn)(struct cpu *cpu);
enum { JIT_STOP = 0, JIT_NEXT = 1, JIT_SLOT = 2 };

/* Block chaining. A block's direct exits (a branch's target, and the not-taken or fall-through
 * successor) each end in a jmp rel32, the chain slot, which first leads to a stub that stores
 * (block id << 1 | slot) in cpu->jit_from and returns JIT_SLOT. The run loop may then point the
 * slot at the next block's chained entry (backend_patch_slot), which checks what the run loop
 * would check for it (the instruction budget, cpu->jit_limit, and the CS limit) and either runs
 * its body or returns JIT_NEXT. */
struct backend_result {
    unsigned inline_ops, helper_ops;
    uint32_t slot[2];       /* offsets of the slots' rel32 (0: no such exit) */
    uint32_t lookup[2];     /* offsets of the slots' jump-cache lookups (0: none), see below */
    uint32_t chain_entry;   /* offset of the chained entry */
};

/* The jump cache (jit/jit.c): the last block found at each slot of linear addresses. From phys
 * on, where the run loop last found a translated, current block at this slot: its physical
 * address, EIP, page generation and mode, and its chained entry (NULL: none known). */
#define JIT_JC_BITS 12
struct jit_jc {
    uint32_t phys, eip, gen;
    uint32_t blk;           /* the block's index + 1 in the block array (0: none) */
    uint8_t mode;
    const uint8_t *entry;
};

/* What generated code needs to look the next block up in the jump cache itself (on RET,
 * indirect jumps and chain slots that lead to another page), as jit_next_slot does. */
struct backend_env {
    const struct jit_jc *jc;            /* 1 << JIT_JC_BITS slots */
    const uint32_t *a20_mask;           /* &mem->a20_mask */
    uint32_t *const *page_gen;          /* &mem->page_gen */
    uint64_t *direct_entries;           /* the statistic */
};

/* Emits b into buf[0..cap) for execution at the address exec (the executable view of buf).
 * gen_ptr is the page generation counter the block checks after helpers that may write memory;
 * id identifies the block in cpu->jit_from; env, if not NULL, lets the block's exits that
 * cannot be chained look the next block up inline (each chain slot then also gets such a
 * lookup, which the run loop points the slot at when the slot can never be chained: its
 * target lies in another page). Returns the bytes used, or 0 when cap is too small. */
size_t backend_emit(const struct ir_block *b, const uint32_t *gen_ptr, uint32_t id, uint8_t *buf,
                    size_t cap, const uint8_t *exec, const struct backend_env *env,
                    struct backend_result *res);

/* interp_exec for IN and OUT inside a block (IRF_IO): nonzero when the block must end before
 * the next instruction, because an interrupt can now be taken or the memory map changed. */
int jit_io_exec(struct cpu *cpu, const struct insn *in);

/* For a block's unpatched chain slots (cpu->jit_from set): the chained entry of the next block
 * to run (the slot patched when it can be), or NULL when the block must return JIT_SLOT to the
 * run loop. */
const void *jit_next_slot(struct cpu *cpu);

/* Points the chain slot whose rel32 is at rel (writable view; rel_exec the same byte in the
 * executable view) at target (executable view). */
void backend_patch_slot(uint8_t *rel, const uint8_t *rel_exec, const uint8_t *target);

#endif
