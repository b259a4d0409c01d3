/* The x87 instruction layer (SDM Vol.1 ch.8, Vol.2 F* pages) on top of float80. Internal. */
#ifndef JITPC_FPU_H
#define JITPC_FPU_H

#include "cpu.h"

/* State after RESET (SDM Vol.3 9.1.1, table 9-1) and after FNINIT (SDM Vol.2 FINIT). */
void fpu_power_on(struct fpu *f);
void fpu_init(struct fpu *f);

/* Executes an ESC instruction (D8-DF). off is the memory operand's offset when in->mod != 3.
 * CR0.EM/TS have been checked by the caller. */
void fpu_exec(struct cpu *cpu, const struct insn *in, uint32_t off);

/* WAIT/FWAIT and waiting x87 instructions: a pending unmasked exception (FSW.ES) raises #MF when
 * CR0.NE is set (SDM Vol.1 8.7). With NE clear it asserts FERR# (IRQ13 on a PC) and, unless the
 * board asserts IGNNE#, the instruction waits: returns false and leaves EIP on it, so it runs
 * again after the interrupt handler has cleared the error (SDM Vol.1 D.2.1). */
bool fpu_check_pending(struct cpu *cpu);

#endif
