/* Guest code -> IR (translate.c). Internal to jit/. */
#ifndef JITPC_JIT_TRANSLATE_H
#define JITPC_JIT_TRANSLATE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/mem.h"
#include "ir.h"

/* Translates the block at physical address phys (EIP eip, mode IRM_*) from page, the host bytes of its
 * page, into b; the decoded instructions go to insns[IR_MAX_OPS]. Marks the bytes as code in
 * mem (writes to them bump the page's generation). Returns the number of instructions; 0 when
 * the first one is for the interpreter alone (invalid, crossing the page or the CS limit).
 * features: the CPU model's CPUID feature bits (instructions it lacks stay with the interpreter).
 * helpers_only: every instruction but the branches calls the interpreter (a debugging aid). */
unsigned jit_translate(struct ir_block *b, struct insn *insns, struct mem *mem, const uint8_t *page, uint32_t phys,
                       uint32_t eip, unsigned mode, uint32_t cs_limit, uint32_t features, bool helpers_only);

#endif
