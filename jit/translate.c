/* Guest x86 -> IR: decodes a block of straight-line code from one physical page and lowers each
 * instruction to an IR op (ir.h). The rules that keep the JIT exactly as deterministic as the
 * interpreter (DESIGN.md "Determinism") live here, in which instructions may be followed by
 * more code in the same block:
 * - the interpreter checks for interrupts before every instruction, a block only before its
 *   first, so a block may hold only instructions that cannot change whether an interrupt is
 *   pending or may be taken: EFLAGS.IF/TF writers (CLI, STI, POPF, IRET), MOV SS/POP SS
 *   (interrupt shadow, SDM Vol.3 6.8.3), HLT and every control transfer end the block. IN and
 *   OUT (a PIC EOI, a device that raises its line) may stay in a block: after one, the code asks
 *   jit_io_exec whether an interrupt can now be taken, or whether the memory map changed (A20,
 *   PAM, a BAR: a TLB flush), and leaves the block if so (IRF_IO); INS/OUTS end it;
 * - mode, paging and segment changes that move where the next instruction is fetched (far
 *   transfers, MOV CR, LMSW, INVLPG, task switches, SYSENTER) end it too, so the next block is
 *   looked up through the TLB again;
 * - a REP string instruction runs in chunks and resumes itself, so it ends the block;
 * - a load of DS or ES ends it (MOV, POP, LDS, LES): a block translated while DS, ES and SS are
 *   flat (IRM_FLAT) leaves out their segment checks, and the next block is looked up with the
 *   segments as they now are (tests/pm/pm_segflat.asm).
 * What remains mid-block is ordinary data processing: ALU, moves, stack pushes and pops, MUL/DIV,
 * bit operations, the x87 (which leaves the block if it asserts FERR#, an interrupt source). */
#include "translate.h"

#include <string.h>

#include "core/cpu.h"
#include "core/cpumodel.h"
#include "core/mem.h"

static uint32_t sext8(uint32_t v) { return (uint32_t)(int32_t)(int8_t)v; }
static uint32_t sext16(uint32_t v) { return (uint32_t)(int32_t)(int16_t)v; }

/* May the instruction be followed by more instructions in the same block? (header comment) */
static bool continues(const struct insn *in)
{
    unsigned op = in->op;
    if (op >= OP_0F) {
        unsigned b = op & 0xFF;
        if (b >= 0x40 && b <= 0x4F) return true;       /* CMOVcc */
        if (b >= 0x90 && b <= 0x9F) return true;       /* SETcc */
        if (b >= 0xC8) return true;                    /* BSWAP */
        switch (b) {
        case 0xA0: case 0xA8:                          /* PUSH FS/GS */
        case 0xA1: case 0xA9:                          /* POP FS/GS */
        case 0xA2: case 0x31:                          /* CPUID, RDTSC */
        case 0xA3: case 0xAB: case 0xB3: case 0xBB: case 0xBA:
        case 0xA4: case 0xA5: case 0xAC: case 0xAD: case 0xAF:
        case 0xB0: case 0xB1: case 0xB4: case 0xB5:        /* not LSS: SS.B is in the block's key */
        case 0xB6: case 0xB7: case 0xBE: case 0xBF: case 0xBC: case 0xBD:
        case 0xC0: case 0xC1: case 0xC7:
            return true;
        default:
            return false;
        }
    }
    if (op < 0x40)                                     /* POP SS: interrupt shadow (and SS.B); */
        return op != 0x17 && op != 0x0F && op != 0x07 && op != 0x1F;   /* POP ES, DS: IRM_FLAT */
    if (op <= 0x6B)
        return true;                                   /* INC/DEC PUSH POP PUSHA POPA BOUND ARPL PUSH imm IMUL */
    if (op >= 0x6C && op <= 0x6F)
        return false;                                  /* INS/OUTS: port I/O */
    if (op >= 0x80 && op <= 0x8D)
        return true;
    if (op == 0x8E)                                    /* MOV SS: interrupt shadow; DS, ES: */
        return in->reg != SEG_SS && in->reg != SEG_DS && in->reg != SEG_ES;   /* IRM_FLAT */
    if (op == 0x8F || (op >= 0x90 && op <= 0x99) || op == 0x9B || op == 0x9E || op == 0x9F)
        return true;
    if (op >= 0xA0 && op <= 0xAF)
        return (op <= 0xA3 || op == 0xA8 || op == 0xA9) || in->rep == 0;   /* REP strings resume in chunks */
    if (op >= 0xB0 && op <= 0xC1)
        return true;
    if (op == 0xC6 || op == 0xC7 || op == 0xC8 || op == 0xC9)
        return true;                                   /* not LES, LDS: IRM_FLAT */
    if ((op >= 0xD0 && op <= 0xDF))
        return true;                                   /* shifts, AAM/AAD, SALC, XLAT, x87 */
    if ((op >= 0xE4 && op <= 0xE7) || (op >= 0xEC && op <= 0xEF))
        return true;                                   /* IN, OUT: IRF_IO checks after them */
    if (op == 0xF5 || op == 0xF6 || op == 0xF7 || op == 0xF8 || op == 0xF9 || op == 0xFC || op == 0xFD)
        return true;
    if (op == 0xFE)
        return true;
    if (op == 0xFF)
        return in->reg <= 1 || in->reg == 6;           /* INC, DEC, PUSH; not CALL/JMP */
    return false;
}

/* Ends the block with a plain near branch, after which the next block may run without a return
 * to the run loop (nothing about interrupts changed). */
static bool plain_branch(const struct insn *in)
{
    unsigned op = in->op;
    return (op >= 0x70 && op <= 0x7F) || (op >= 0xE0 && op <= 0xE3) || op == 0xE8 || op == 0xE9 ||
           op == 0xEB || op == 0xC2 || op == 0xC3 || (op >= OP_0F + 0x80 && op <= OP_0F + 0x8F) ||
           (op == 0xFF && (in->reg == 2 || in->reg == 4));
}

static unsigned osize(const struct insn *in) { return in->opsize32 ? 4 : 2; }
static unsigned wsize(const struct insn *in) { return (in->op & 1) ? osize(in) : 1; }

/* The near-branch target as the interpreter's jump_near computes it. */
static uint32_t branch_target(const struct insn *in, uint32_t next, uint32_t rel)
{
    uint32_t t = next + rel;
    return in->opsize32 ? t : (t & 0xFFFF);
}

static uint32_t mask(unsigned size) { return size == 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1; }

/* Lowers one instruction; IR_HELPER unless it is one of the inline forms. features: the CPU
 * model's CPUID.01H:EDX (CMOV is #UD without its bit: the interpreter raises that). */
static void lower(struct ir_op *o, const struct insn *in, uint32_t features)
{
    unsigned op = in->op;
    o->kind = IR_HELPER;
    /* The decoder refuses LOCK (#UD) on anything but a memory read-modify-write; with one CPU
     * the locked ALU and INC/DEC forms do what the plain ones do. The rest stay helpers. */
    bool lockable = (op < 0x40 && (op & 7) < 2) || (op >= 0x80 && op <= 0x83) ||
                    ((op == 0xFE || op == 0xFF) && in->reg <= 1);
    if (in->lock && !lockable)
        return;
    if ((op == 0x88 || op == 0x89 || op == 0x8A || op == 0x8B) && in->mod == 3) {
        o->kind = IR_MOV_RR;
        o->size = (uint8_t)wsize(in);
        o->a = (op & 2) ? in->reg : in->rm;
        o->b = (op & 2) ? in->rm : in->reg;
    } else if (op >= 0xB0 && op <= 0xBF) {
        o->kind = IR_MOV_RI;
        o->size = (uint8_t)(op < 0xB8 ? 1 : osize(in));
        o->a = op & 7;
        o->imm = in->imm & mask(o->size);
    } else if (op < 0x40 && (op & 7) < 4 && in->mod == 3) {
        o->kind = IR_ALU_RR;
        o->alu = (op >> 3) & 7;
        o->size = (uint8_t)wsize(in);
        o->a = (op & 2) ? in->reg : in->rm;
        o->b = (op & 2) ? in->rm : in->reg;
    } else if (op < 0x40 && ((op & 7) == 4 || (op & 7) == 5)) {
        o->kind = IR_ALU_RI;
        o->alu = (op >> 3) & 7;
        o->size = (uint8_t)wsize(in);
        o->a = 0;
        o->imm = in->imm & mask(o->size);
    } else if (op >= 0x80 && op <= 0x83 && in->mod == 3) {
        o->kind = IR_ALU_RI;
        o->alu = in->reg;
        o->size = (uint8_t)(op == 0x81 || op == 0x83 ? osize(in) : 1);
        o->a = in->rm;
        o->imm = (op == 0x83 ? sext8(in->imm) : in->imm) & mask(o->size);
    } else if ((op == 0x84 || op == 0x85) && in->mod == 3) {
        o->kind = IR_ALU_RR;
        o->alu = IR_TEST;
        o->size = (uint8_t)wsize(in);
        o->a = in->rm;
        o->b = in->reg;
    } else if (op == 0xA8 || op == 0xA9) {
        o->kind = IR_ALU_RI;
        o->alu = IR_TEST;
        o->size = (uint8_t)wsize(in);
        o->a = 0;
        o->imm = in->imm & mask(o->size);
    } else if ((op == 0xC0 || op == 0xC1 || op == 0xD0 || op == 0xD1) && in->mod == 3 && in->reg >= 4 &&
               ((op >= 0xD0 ? 1 : in->imm) & 0x1F) != 0) {
        /* SHL/SAL, SHR, SAR of a register by a constant; a count that masks to 0 (a no-op that
         * keeps the flags) stays with the interpreter */
        o->kind = IR_SHIFT;
        o->alu = in->reg == 6 ? 4 : in->reg;
        o->size = (uint8_t)wsize(in);
        o->a = in->rm;
        o->imm = (op >= 0xD0 ? 1 : in->imm) & 0x1F;
    } else if ((op == 0xD2 || op == 0xD3) && in->mod == 3 && in->reg >= 4) {
        o->kind = IR_SHIFT_CL;
        o->alu = in->reg == 6 ? 4 : in->reg;
        o->size = (uint8_t)wsize(in);
        o->a = in->rm;
    } else if ((op == 0xF6 || op == 0xF7) && in->mod == 3 &&
               (in->reg == 2 || in->reg == 3 || (op == 0xF7 && (in->reg == 4 || in->reg == 5)))) {
        /* NOT, NEG; MUL and IMUL into EDX:EAX (the 8-bit forms, into AX, stay helpers) */
        o->kind = IR_UNARY;
        o->alu = in->reg;
        o->size = (uint8_t)wsize(in);
        o->a = in->rm;
    } else if ((op == 0xC0 || op == 0xC1 || op == 0xD0 || op == 0xD1) && in->mod == 3 && in->reg <= 1 &&
               ((op >= 0xD0 ? 1 : in->imm) & 0x1F) != 0) {
        /* ROL, ROR of a register by a constant (a count that masks to 0 keeps the flags: helper) */
        o->kind = IR_ROT;
        o->alu = in->reg;
        o->size = (uint8_t)wsize(in);
        o->a = in->rm;
        o->imm = (op >= 0xD0 ? 1 : in->imm) & 0x1F;
    } else if (op >= 0xA0 && op <= 0xA3) {
        /* MOV AL/AX/EAX <-> moffs: the EA is the offset alone (jit_translate fills in->ea) */
        o->kind = op <= 0xA1 ? IR_LOAD : IR_STORE;
        o->size = o->b = (uint8_t)wsize(in);
        o->a = R_EAX;
    } else if ((op == 0xF6 || op == 0xF7) && in->reg <= 1) {
        /* TEST r/m, imm (/1 is an alias of /0) */
        o->kind = in->mod == 3 ? IR_ALU_RI : IR_ALU_MI;
        o->alu = IR_TEST;
        o->size = (uint8_t)wsize(in);
        o->a = in->rm;
        o->imm = in->imm & mask(o->size);
    } else if ((op == 0xFE || op == 0xFF) && in->reg <= 1 && in->mod != 3) {
        o->kind = IR_INCDEC_M;
        o->alu = in->reg ? IR_DEC : IR_INC;
        o->size = (uint8_t)wsize(in);
    } else if (op == 0xFF && (in->reg == 2 || in->reg == 4)) {
        o->kind = in->reg == 2 ? IR_CALLI : IR_JMPI;
        o->size = (uint8_t)osize(in);
        o->a = in->rm;
    } else if (op == 0xE8) {
        o->kind = IR_CALL;
        o->size = (uint8_t)osize(in);
        o->target = branch_target(in, o->next_eip, in->opsize32 ? in->imm : sext16(in->imm));
    } else if (op == 0xC3 || op == 0xC2) {
        o->kind = IR_RET;
        o->size = (uint8_t)osize(in);
        o->imm = op == 0xC2 ? in->imm & 0xFFFF : 0;
    } else if (op >= OP_0F + 0x40 && op <= OP_0F + 0x4F && in->mod != 3 && (features & CPUID_CMOV)) {
        o->kind = IR_CMOV_M;
        o->alu = op & 0xF;
        o->size = (uint8_t)osize(in);
        o->a = in->reg;
    } else if ((op == OP_0F + 0xB6 || op == OP_0F + 0xB7 || op == OP_0F + 0xBE || op == OP_0F + 0xBF) &&
               in->mod == 3) {
        o->kind = IR_MOVX;
        o->size = (uint8_t)osize(in);
        o->srcsize = (op & 1) ? 2 : 1;
        o->alu = (op & 0xFF) >= 0xBE ? 2 : 1;
        o->a = in->reg;
        o->b = in->rm;
    } else if (op >= 0xAC && op <= 0xAF && !in->rep) {
        o->kind = op <= 0xAD ? IR_LODS : IR_SCAS;
        o->size = (uint8_t)wsize(in);
        o->alu = IR_CMP;
    } else if (op == OP_0F + 0x31 && (features & CPUID_TSC)) {
        o->kind = IR_RDTSC;
    } else if (op == 0x90) {
        o->kind = IR_NOP;
    } else if (op == OP_0F + 0xAF || op == 0x69 || op == 0x6B) {
        o->kind = in->mod == 3 ? IR_IMUL : IR_IMUL_M;
        o->size = (uint8_t)osize(in);
        o->a = in->reg;
        o->b = in->rm;
        o->alu = op != OP_0F + 0xAF;
        o->imm = (op == 0x6B ? sext8(in->imm) : in->imm) & mask(o->size);
    } else if (op >= OP_0F + 0x90 && op <= OP_0F + 0x9F && in->mod == 3) {
        o->kind = IR_SETCC;
        o->alu = op & 0xF;
        o->size = 1;
        o->a = in->rm;
    } else if (op >= OP_0F + 0x40 && op <= OP_0F + 0x4F && in->mod == 3 && (features & CPUID_CMOV)) {
        o->kind = IR_CMOV;
        o->alu = op & 0xF;
        o->size = (uint8_t)osize(in);
        o->a = in->reg;
        o->b = in->rm;
    } else if (op >= 0x40 && op <= 0x4F) {
        o->kind = IR_INCDEC;
        o->alu = op >= 0x48 ? IR_DEC : IR_INC;
        o->size = (uint8_t)osize(in);
        o->a = op & 7;
    } else if ((op == 0x8A || op == 0x8B) && in->mod != 3) {
        o->kind = IR_LOAD;
        o->size = o->b = (uint8_t)wsize(in);
        o->a = in->reg;
    } else if ((op == OP_0F + 0xB6 || op == OP_0F + 0xB7 || op == OP_0F + 0xBE || op == OP_0F + 0xBF) &&
               in->mod != 3) {
        o->kind = IR_LOAD;
        o->size = (uint8_t)osize(in);
        o->b = (op & 1) ? 2 : 1;
        o->alu = (op & 0xFF) >= 0xBE ? 2 : 1;
        o->a = in->reg;
    } else if ((op == 0x88 || op == 0x89) && in->mod != 3) {
        o->kind = IR_STORE;
        o->size = (uint8_t)wsize(in);
        o->a = in->reg;
    } else if ((op == 0xC6 || op == 0xC7) && in->mod != 3) {
        o->kind = IR_STORE_I;
        o->size = (uint8_t)wsize(in);
        o->imm = in->imm & mask(o->size);
    } else if (op < 0x40 && (op & 7) < 4 && in->mod != 3) {
        o->kind = (op & 2) ? IR_ALU_RM : IR_ALU_MR;
        o->alu = (op >> 3) & 7;
        o->size = (uint8_t)wsize(in);
        o->a = in->reg;
    } else if ((op == 0x84 || op == 0x85) && in->mod != 3) {
        o->kind = IR_ALU_MR;
        o->alu = IR_TEST;
        o->size = (uint8_t)wsize(in);
        o->a = in->reg;
    } else if (op >= 0x80 && op <= 0x83 && in->mod != 3) {
        o->kind = IR_ALU_MI;
        o->alu = in->reg;
        o->size = (uint8_t)(op == 0x81 || op == 0x83 ? osize(in) : 1);
        o->imm = (op == 0x83 ? sext8(in->imm) : in->imm) & mask(o->size);
    } else if (op == 0x8D && in->mod != 3) {
        o->kind = IR_LEA;
        o->size = (uint8_t)osize(in);
        o->a = in->reg;
    } else if (op >= 0x50 && op <= 0x57) {
        o->kind = IR_PUSH;
        o->size = (uint8_t)osize(in);
        o->a = op & 7;
    } else if (op == 0x68 || op == 0x6A) {
        o->kind = IR_PUSH;
        o->size = (uint8_t)osize(in);
        o->alu = 1;
        o->imm = (op == 0x6A ? sext8(in->imm) : in->imm) & mask(o->size);
    } else if (op == 0xC9) {
        o->kind = IR_LEAVE;
        o->size = (uint8_t)osize(in);
    } else if (op >= 0x58 && op <= 0x5F) {
        o->kind = IR_POP;
        o->size = (uint8_t)osize(in);
        o->a = op & 7;
    } else if (op >= 0x70 && op <= 0x7F) {
        o->kind = IR_JCC;
        o->alu = op & 0xF;
        o->target = branch_target(in, o->next_eip, sext8(in->imm));
    } else if (op >= OP_0F + 0x80 && op <= OP_0F + 0x8F) {
        o->kind = IR_JCC;
        o->alu = op & 0xF;
        o->target = branch_target(in, o->next_eip, in->opsize32 ? in->imm : sext16(in->imm));
    } else if (op >= 0xE0 && op <= 0xE3) {
        o->kind = IR_LOOP;
        o->alu = (uint8_t)op;
        o->target = branch_target(in, o->next_eip, sext8(in->imm));
    } else if (op == 0xEB) {
        o->kind = IR_JMP;
        o->target = branch_target(in, o->next_eip, sext8(in->imm));
    } else if (op == 0xE9) {
        o->kind = IR_JMP;
        o->target = branch_target(in, o->next_eip, in->opsize32 ? in->imm : sext16(in->imm));
    }
}

unsigned jit_translate(struct ir_block *b, struct insn *insns, struct mem *mem, const uint8_t *page, uint32_t phys,
                       uint32_t eip, unsigned mode, uint32_t cs_limit, uint32_t features, bool helpers_only)
{
    bool code32 = mode & IRM_CODE32;
    uint32_t off = phys & (MEM_PAGE_SIZE - 1);
    b->mode = mode;
    b->phys = phys;
    b->eip = eip;
    b->n = 0;
    b->chain = true;
    while (b->n < IR_MAX_OPS && off < MEM_PAGE_SIZE) {
        struct insn *in = &insns[b->n];
        unsigned avail = MEM_PAGE_SIZE - off;
        decode_buf(in, code32, page + off, avail < INSN_MAX_LEN ? avail : INSN_MAX_LEN);
        /* What the interpreter must do itself: invalid encodings (it raises the fault), an
         * instruction that runs past the page or past the CS limit (fetched byte by byte). */
        if (in->error != INSN_OK || in->len > avail || eip > cs_limit || cs_limit - eip < (uint32_t)in->len - 1u)
            break;
        /* moffs has no ModRM, so the decoder leaves in->ea alone; the JIT's memory forms take
         * the address from it (this copy of the instruction is the JIT's own) */
        if (in->op >= 0xA0 && in->op <= 0xA3)
            in->ea = (struct insn_ea){-1, -1, 0, in->seg_override != SEG_NONE ? in->seg_override : SEG_DS};
        struct ir_op *o = &b->ops[b->n++];
        memset(o, 0, sizeof(*o));
        o->eip = eip;
        o->next_eip = eip + in->len;
        o->in = in;
        mem_mark_code(mem, (phys & ~(MEM_PAGE_SIZE - 1)) + off, in->len);
        lower(o, in, features);
        if (helpers_only && o->kind != IR_JCC && o->kind != IR_JMP && o->kind != IR_LOOP)
            o->kind = IR_HELPER;
        bool ends = o->kind == IR_JCC || o->kind == IR_JMP || o->kind == IR_LOOP || o->kind == IR_CALL || o->kind == IR_RET ||
                    o->kind == IR_CALLI || o->kind == IR_JMPI || !continues(in);
        if (o->kind == IR_HELPER) {
            o->flags = IRF_SMC;
            if ((in->op >= 0xD8 && in->op <= 0xDF) || in->op == 0x9B)
                o->flags |= IRF_FERR;
            if ((in->op >= 0xE4 && in->op <= 0xE7) || (in->op >= 0xEC && in->op <= 0xEF))
                o->flags |= IRF_IO;
            if (ends)
                o->flags |= IRF_END;
        }
        off += in->len;
        eip += in->len;
        if (ends) {
            b->chain = plain_branch(in);
            break;
        }
    }
    b->end_eip = eip;
    return b->n;
}
