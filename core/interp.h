/* The interpreter's internal interface between the run loop (cpu.c) and the handlers (interp.c). */
#ifndef JITPC_INTERP_H
#define JITPC_INTERP_H

#include "cpu.h"

/* Executes one decoded instruction. cpu->eip already points past it. */
void interp_exec(struct cpu *cpu, const struct insn *in);

/* Delivers interrupt/exception vec with the given return EIP (SDM Vol.3 20.1.4 in real mode).
 * Software interrupts (INT n/INT3/INTO) pass the next instruction's EIP; faults their own. */
void cpu_interrupt(struct cpu *cpu, int vec, uint32_t return_eip, bool has_error, uint32_t error);

#endif
