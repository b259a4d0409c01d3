/* The interpreter's internal interface between the run loop (cpu.c) and the handlers (interp.c). */
#ifndef JITPC_INTERP_H
#define JITPC_INTERP_H

#include "cpu.h"

/* Executes one decoded instruction. cpu->eip already points past it. */
void interp_exec(struct cpu *cpu, const struct insn *in);

/* Delivers interrupt/exception vec with the given return EIP through the IVT (real mode) or the
 * IDT (SDM Vol.3 6.12). Software interrupts and traps pass the next instruction's EIP, faults
 * their own. Implemented in prot.c. */
void cpu_interrupt(struct cpu *cpu, int vec, enum int_kind kind, uint32_t return_eip, bool has_error,
                   uint32_t error);

#endif
