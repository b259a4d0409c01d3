/* Differential test against Unicorn: shared definitions (tests/diff/README.md). */
#ifndef JITPC_DIFF_H
#define JITPC_DIFF_H

#include <stdbool.h>
#include <stdint.h>

/* The guest's 64 KiB of memory, the same in jitpc, Unicorn and the host-CPU oracle. Everything
 * lies below 64 KiB so that 16-bit (67h-prefixed) addressing reaches the data too, and above
 * 4 KiB so the host oracle can map it at the same addresses (vm.mmap_min_addr). */
#define GUEST_MEM_SIZE 0x10000u
#define CODE_BASE 0x1000u
#define CODE_MAX 0x800u          /* sequence bytes; a HLT guard follows */
#define DATA_BASE 0x8000u        /* random bytes; the upper half has few distinct values */
#define DATA_SIZE 0x2000u
#define DATA_LOWENT 0x9000u      /* from here on bytes are 00, 01, 7F, 80 or FF */
#define STACK_BASE 0xC000u       /* random bytes; ESP starts in its middle */
#define STACK_SIZE 0x1000u
#define ESP_MIN 0xC700u
#define ESP_MAX 0xC900u

#define MAX_INSNS 64             /* per sequence, setup instructions included */

/* EFLAGS bits */
#define F_CF 0x0001u
#define F_PF 0x0004u
#define F_AF 0x0010u
#define F_ZF 0x0040u
#define F_SF 0x0080u
#define F_TF 0x0100u
#define F_IF 0x0200u
#define F_DF 0x0400u
#define F_OF 0x0800u
#define F_NT 0x4000u
#define F_AC 0x40000u
#define F_ID 0x200000u
#define F_ARITH (F_CF | F_PF | F_AF | F_ZF | F_SF | F_OF)

/* How an instruction treats the arithmetic flags (SDM Vol.2, each page's "Flags Affected"). */
enum fkind {
    FK_NONE,      /* flags untouched: MOV, LEA, NOT, Jcc, SETcc, CMOVcc, ... */
    FK_ARITH,     /* all six defined: ADD ADC SUB SBB CMP NEG XADD CMPXCHG CMPS SCAS */
    FK_INCDEC,    /* five defined, CF untouched */
    FK_LOGIC,     /* AND OR XOR TEST: AF undefined */
    FK_SHIFT,     /* SHL SAL SHR SAR (shift_op = ModRM.reg) */
    FK_ROT,       /* ROL ROR RCL RCR */
    FK_SHXD,      /* SHLD SHRD */
    FK_MUL,       /* MUL IMUL: SF ZF AF PF undefined */
    FK_DIV,       /* DIV IDIV: all six undefined */
    FK_BT,        /* BT BTS BTR BTC: CF defined, ZF untouched, OF SF AF PF undefined */
    FK_BSX,       /* BSF BSR: ZF defined, the rest undefined; destination undefined if src = 0 */
    FK_DAA,       /* DAA DAS: OF undefined */
    FK_AAA,       /* AAA AAS: OF SF ZF PF undefined */
    FK_AAM,       /* AAM AAD: OF AF CF undefined */
    FK_WRITE,     /* SAHF POPF CLC STC CMC CLD STD: written with defined values */
    FK_ZF,        /* CMPXCHG8B: only ZF */
};

/* One generated instruction. */
struct ginsn {
    uint16_t off;        /* from CODE_BASE */
    uint8_t len;
    uint8_t fkind;       /* enum fkind */
    uint8_t size;        /* operand size in bytes */
    uint8_t shift_op;    /* FK_SHIFT/FK_ROT: ModRM.reg (0 ROL ... 7 SAR) */
    int8_t count;        /* shift/rotate/SHxD count: the immediate, or -1 for CL */
    int8_t src_reg;      /* FK_BSX: source register, -1 for memory at mem_addr */
    int8_t dst_reg;      /* FK_BSX: destination register */
    bool setup;          /* emitted by the generator to set up an operand, not under test */
    uint32_t mem_addr;   /* FK_BSX memory source */
};

struct seq {
    uint8_t code[CODE_MAX];
    unsigned len;
    struct ginsn ins[MAX_INSNS];
    unsigned n;
    uint32_t regs[8];
    uint32_t eflags;
};

/* Architectural state compared after each sequence (and each step when bisecting). */
struct state {
    uint32_t regs[8];
    uint32_t eip;
    uint32_t eflags;
    bool fault;          /* the emulator raised an exception (or stopped) */
    int vector;          /* the exception, when known, else -1 */
};

/* Generator (gen.c): fills seq with a random sequence and mem with the initial memory image
 * (code page, data and stack areas). rng is advanced. */
void gen_sequence(uint64_t *rng, struct seq *s, uint8_t *mem);

/* The arithmetic flags an instruction may write (over-approximated) and the ones it leaves
 * undefined (exact, per the SDM), given the registers and memory before it executes. */
struct flag_fx {
    uint32_t affected;
    uint32_t undef;
};
struct flag_fx gen_flag_fx(const struct ginsn *in, const uint32_t regs[8], const uint8_t *mem);

/* The register an instruction leaves undefined for these inputs (BSF/BSR with a zero source),
 * or -1. */
int gen_undef_reg(const struct ginsn *in, const uint32_t regs[8], const uint8_t *mem);

uint64_t rng_next(uint64_t *s);

#endif
