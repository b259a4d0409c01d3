/* Protected-mode mechanics: descriptors, segment loads, far transfers, interrupts, IRET, task
 * switches and v8086 (SDM Vol.3 chapters 3, 5, 6, 7, 20). Internal to core/. */
#ifndef JITPC_PROT_H
#define JITPC_PROT_H

#include "cpu.h"

/* A raw 8-byte descriptor. */
struct desc {
    uint32_t lo, hi;
};

static inline bool prot_mode(const struct cpu *cpu) { return (cpu->cr0 & CR0_PE) != 0; }
static inline bool v86_mode(const struct cpu *cpu) { return (cpu->eflags & FL_VM) != 0; }
/* Protected mode proper: descriptors apply (not real mode, not v8086). */
static inline bool pm_desc(const struct cpu *cpu) { return prot_mode(cpu) && !v86_mode(cpu); }
static inline unsigned iopl(const struct cpu *cpu) { return (cpu->eflags >> 12) & 3; }

static inline unsigned desc_dpl(const struct desc *d) { return (d->hi >> 13) & 3; }
static inline unsigned desc_type(const struct desc *d) { return (d->hi >> 8) & 0xF; }
static inline bool desc_s(const struct desc *d) { return (d->hi >> 12) & 1; }      /* code/data */
static inline bool desc_present(const struct desc *d) { return (d->hi >> 15) & 1; }
static inline bool desc_code(const struct desc *d) { return desc_s(d) && (d->hi & 0x800); }
static inline bool desc_conforming(const struct desc *d) { return desc_code(d) && (d->hi & 0x400); }
uint32_t desc_base(const struct desc *d);
uint32_t desc_limit(const struct desc *d);

/* Reads the descriptor for sel from the GDT or LDT. False when the selector's index lies beyond
 * the table limit (or the LDT is null). */
bool read_desc(struct cpu *cpu, uint16_t sel, struct desc *d);

/* MOV Sreg / POP Sreg / LDS... semantics in every mode (SDM Vol.2 MOV, Vol.3 5.10). */
void seg_load(struct cpu *cpu, int seg, uint16_t sel);

/* Far transfers (SDM Vol.2 JMP, CALL, RET, IRET). size is the operand size, 2 or 4. */
void far_jump(struct cpu *cpu, uint16_t sel, uint32_t off, unsigned size);
void far_call(struct cpu *cpu, uint16_t sel, uint32_t off, unsigned size);
void far_return(struct cpu *cpu, unsigned size, uint32_t imm);
void op_iret(struct cpu *cpu, unsigned size);

/* LLDT, LTR (SDM Vol.2). */
void load_ldtr(struct cpu *cpu, uint16_t sel);
void load_tr(struct cpu *cpu, uint16_t sel);

/* I/O permission (SDM Vol.1 19.5): raises #GP(0) unless the access to size ports at port is
 * allowed by CPL <= IOPL or, failing that (and always in v8086 mode), by the TSS bitmap. */
void io_check(struct cpu *cpu, uint16_t port, unsigned size);

#endif
