/* The JIT's intermediate form: a block is a list of guest instructions, each lowered to one IR
 * op. Ops are guest-level (one per instruction), so a backend that does not implement an op
 * inline can always fall back to IR_HELPER semantics: every op keeps its decoded instruction,
 * its EIP and the next EIP. Internal to jit/. */
#ifndef JITPC_JIT_IR_H
#define JITPC_JIT_IR_H

#include <stdbool.h>
#include <stdint.h>

#include "core/decode.h"

enum ir_kind {
    IR_HELPER,      /* interp_exec(cpu, in): the interpreter's handler, one source of truth */
    IR_MOV_RR,      /* reg a = reg b (size 1, 2 or 4; 8-bit register numbers as in ModRM) */
    IR_MOV_RI,      /* reg a = imm */
    IR_ALU_RR,      /* reg a = reg a <alu> reg b, lazy flags recorded (alu: enum ir_alu) */
    IR_ALU_RI,      /* reg a = reg a <alu> imm */
    IR_INCDEC,      /* reg a = reg a +/- 1 (alu: IR_INC or IR_DEC), CF kept */
    IR_SHIFT,       /* reg a = reg a SHL/SHR/SAR imm (alu: ModRM.reg 4, 5 or 7; imm: 1-31) */
    IR_SHIFT_CL,    /* reg a = reg a SHL/SHR/SAR CL (nothing when CL & 31 is 0) */
    IR_MOVX,        /* reg a (size) = reg b (srcsize 1 or 2), alu: 1 zero-, 2 sign-extend */
    IR_NOP,         /* nothing (NOP, PAUSE) */
    IR_IMUL,        /* reg a = reg a * reg b, or (alu = 1) reg b * imm; size 2 or 4; LF_MUL */
    IR_SETCC,       /* reg a (8-bit) = condition alu */
    IR_CMOV,        /* if condition alu: reg a = reg b (size 2 or 4) */
    IR_UNARY,       /* group 3 on reg a (alu: ModRM.reg): 2 NOT, 3 NEG; 4 MUL, 5 IMUL of EAX
                     * into EDX:EAX (size 2 or 4) */
    IR_ROT,         /* reg a = reg a ROL (alu 0) / ROR (alu 1) imm (1-31): CF and OF */
    /* Memory forms: the operand is in->ea (ModRM) or the stack; the host code takes the fast
     * path (segment rights and limit, a TLB hit on RAM, no page crossing) inline and runs the
     * whole instruction through interp_exec otherwise, so faults, MMIO, A/D bits and alignment
     * checks stay the interpreter's. Every memory access of these forms precedes their first
     * register write, so that fallback may start the instruction over. */
    IR_LOAD,        /* reg a (size) = [m] of size b, extended per alu: 0 none, 1 zero, 2 sign */
    IR_STORE,       /* [m] (size) = reg a */
    IR_STORE_I,     /* [m] (size) = imm */
    IR_ALU_RM,      /* reg a = reg a <alu> [m] */
    IR_ALU_MR,      /* [m] = [m] <alu> reg a */
    IR_ALU_MI,      /* [m] = [m] <alu> imm */
    IR_LEA,         /* reg a = effective offset (no access) */
    IR_PUSH,        /* push reg a (size), or (alu = 1) imm */
    IR_POP,         /* pop reg a (size) */
    IR_INCDEC_M,    /* [m] = [m] +/- 1 (alu: IR_INC or IR_DEC), CF kept */
    IR_JMPI,        /* terminator: eip = r/m (register rm when in->mod == 3) */
    IR_CALLI,       /* terminator: push next_eip, eip = r/m */
    IR_CALL,        /* terminator: push next_eip (size), eip = target */
    IR_RET,         /* terminator: pop eip (size), then ESP += imm */
    IR_CMOV_M,      /* if condition alu: reg a = [m] (size 2 or 4; [m] is read either way) */
    IR_RDTSC,       /* EDX:EAX = the TSC; with CR4.TSD set, the interpreter runs it (the stub) */
    IR_LODS,        /* LODS without REP: AL/AX/EAX = [seg:(E)SI], (E)SI += size, or -= with DF */
    IR_SCAS,        /* SCAS without REP: flags of AL/AX/EAX - [ES:(E)DI] (alu IR_CMP), (E)DI moves */
    IR_LEAVE,       /* LEAVE: (E)SP = (E)BP, then pop (E)BP (size) */
    IR_IMUL_M,      /* reg a = reg a * [m], or (alu = 1) [m] * imm; size 2 or 4 */
    IR_JCC,         /* terminator: if cc then target else next_eip */
    IR_JMP,         /* terminator: eip = target */
    IR_LOOP,        /* terminator: LOOPNE/LOOPE/LOOP/JCXZ (alu: the opcode, E0-E3) to target */
};

/* ALU operations, numbered as ModRM.reg of group 1 (ADD OR ADC SBB AND SUB XOR CMP), plus TEST. */
enum ir_alu { IR_ADD, IR_OR, IR_ADC, IR_SBB, IR_AND, IR_SUB, IR_XOR, IR_CMP, IR_TEST, IR_INC, IR_DEC };

/* Flags a helper op carries: what the backend must check after the call. */
#define IRF_SMC 1u      /* may write memory: leave the block if its own page was written */
#define IRF_FERR 2u     /* x87: leave the block if FERR# is asserted (IRQ13 may be pending) */
#define IRF_END 4u      /* last op of the block: a control transfer or a state change */
#define IRF_IO 8u       /* IN/OUT: call jit_io_exec and leave the block when it says so */

struct ir_op {
    uint8_t kind;       /* enum ir_kind */
    uint8_t size;       /* operand size in bytes */
    uint8_t a, b;       /* register operands */
    uint8_t srcsize;    /* IR_MOVX: the source register's size (1 or 2) */
    uint8_t alu;        /* enum ir_alu, or the condition code for IR_JCC */
    uint8_t flags;      /* IRF_* */
    uint32_t imm;       /* immediate, already sign-extended to size */
    uint32_t target;    /* IR_JCC/IR_JMP: the taken EIP (masked to 16 bits for 16-bit operands) */
    uint32_t eip;       /* this instruction's EIP */
    uint32_t next_eip;  /* the EIP after it */
    const struct insn *in;
};

#define IR_MAX_OPS 64

/* Mode bits a block is translated for (part of its key). */
#define IRM_CODE32 1u   /* CS.D */
#define IRM_USER 2u     /* CPL 3: memory accesses are user accesses */
#define IRM_SS32 4u     /* SS.B: 32-bit stack pointer */
#define IRM_FLAT 8u     /* DS, ES and SS are flat: base 0, limit 4 GiB, expand-up, read/write;
                         * their accesses need no segment check (a load of DS or ES ends the
                         * block, so this holds for all of it) */

struct ir_block {
    unsigned mode;      /* IRM_* */
    uint32_t phys;      /* physical address of the first instruction */
    uint32_t eip;       /* its EIP */
    uint32_t end_eip;   /* EIP after the last instruction */
    uint32_t gen;       /* mem_page_gen of the page when translated */
    unsigned n;
    bool chain;         /* the block ends in a plain branch: the next block may follow directly */
    struct ir_op ops[IR_MAX_OPS];
};

#endif
