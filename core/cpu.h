/* CPU state and the interpreter's entry points. */
#ifndef JITPC_CPU_H
#define JITPC_CPU_H

#include <setjmp.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdint.h>

#include "cpumodel.h"
#include "debug.h"
#include "decode.h"
#include "float80.h"
#include "ioport.h"
#include "mem.h"

enum { R_EAX, R_ECX, R_EDX, R_EBX, R_ESP, R_EBP, R_ESI, R_EDI };

/* EFLAGS bits (SDM Vol.1 3.4.3) */
#define FL_CF 0x0001u
#define FL_PF 0x0004u
#define FL_AF 0x0010u
#define FL_ZF 0x0040u
#define FL_SF 0x0080u
#define FL_TF 0x0100u
#define FL_IF 0x0200u
#define FL_DF 0x0400u
#define FL_OF 0x0800u
#define FL_IOPL 0x3000u
#define FL_NT 0x4000u
#define FL_RF 0x10000u
#define FL_VM 0x20000u
#define FL_AC 0x40000u
#define FL_ID 0x200000u
#define FL_ARITH (FL_CF | FL_PF | FL_AF | FL_ZF | FL_SF | FL_OF)
/* Bits POPF/IRET may change at CPL 0 on this model (486+ AC, Pentium+ ID; SDM Vol.2 POPF). */
#define FL_WRITABLE (0x00007FD5u | FL_AC | FL_ID)

/* Exception vectors (SDM Vol.3 6.3.1) */
enum {
    EXC_DE = 0, EXC_DB = 1, EXC_NMI = 2, EXC_BP = 3, EXC_OF = 4, EXC_BR = 5, EXC_UD = 6,
    EXC_NM = 7, EXC_DF = 8, EXC_TS = 10, EXC_NP = 11, EXC_SS = 12, EXC_GP = 13, EXC_PF = 14,
    EXC_MF = 16, EXC_AC = 17,
};

/* A segment register with its hidden descriptor cache (SDM Vol.3 3.4.3). */
struct seg {
    uint16_t sel;
    uint32_t base;
    uint32_t limit;   /* byte-granular effective limit */
    uint32_t attr;    /* descriptor bits 40-55: access byte in bits 0-7, flags nibble in 12-15 */
    uint32_t rights;  /* SEG_VALID | SEG_R | SEG_W | SEG_DOWN, derived from attr when loaded */
};

#define SEG_R 1u       /* reads allowed (data, readable code, any segment in real mode) */
#define SEG_W 2u       /* writes allowed */
#define SEG_DOWN 4u    /* expand-down data segment: valid offsets are (limit, 0xFFFF or 0xFFFFFFFF] */
#define SEG_VALID 8u   /* usable at all: clear for a null selector (SDM Vol.3 3.4.2) */

/* Lazy flags: the last flag-setting operation, from which CF PF AF ZF SF OF are derived on demand.
 * When op is LF_NONE the six bits in eflags are current. */
enum lf_op {
    LF_NONE,
    LF_ADD8, LF_ADD16, LF_ADD32,
    LF_ADC8, LF_ADC16, LF_ADC32,
    LF_SUB8, LF_SUB16, LF_SUB32,
    LF_SBB8, LF_SBB16, LF_SBB32,
    LF_LOGIC8, LF_LOGIC16, LF_LOGIC32,
    LF_INC8, LF_INC16, LF_INC32,
    LF_DEC8, LF_DEC16, LF_DEC32,
    /* SHL/SAL, SHR, SAR with a masked count of 1-31 (count 0 changes no flag): src1 = the
     * operand, src2 = the count */
    LF_SHL8, LF_SHL16, LF_SHL32,
    LF_SHR8, LF_SHR16, LF_SHR32,
    LF_SAR8, LF_SAR16, LF_SAR32,
    /* MUL and IMUL: res = the low half (the destination's size), cf_in = the upper half is
     * significant (CF = OF = it; SF ZF PF from res) */
    LF_MUL8, LF_MUL16, LF_MUL32,
};

struct lazy_flags {
    uint32_t op;      /* enum lf_op */
    uint32_t res;     /* result, truncated to the operand size */
    uint32_t src1;    /* first operand (destination before the operation) */
    uint32_t src2;    /* second operand; for ADC/SBB the carry-in is in cf_in */
    uint32_t cf_in;   /* ADC/SBB carry-in; INC/DEC: the preserved CF */
};

/* Software TLB (DESIGN.md): virtual page -> physical page and host pointer, one table for user
 * and one for supervisor accesses, direct-mapped. A tag is the page's linear address when the
 * access kind is allowed without a walk (for writes: the page is writable at that privilege and
 * already dirty), TLB_INVALID otherwise. 1024 entries: with 256, Linux's kernel had loops whose
 * data pages shared a slot (c4c43000 and c7d43000) and missed at every access, 5.5M misses and
 * 4.0M walks to its shell prompt; with 1024, 0.53M and 0.23M. Flushes cost no more (they walk
 * tlb_used). */
#define TLB_BITS 10
#define TLB_SIZE (1u << TLB_BITS)
#define TLB_INVALID 1u
/* In tag_w: the page is writable, but holds cached decoded instructions, so writes go through
 * the memory bus (which retires the decodes they touch) instead of straight to host memory. */
#define TLB_CODE 2u

struct tlb_entry {
    uint32_t tag_r;      /* reads and instruction fetches */
    uint32_t tag_w;      /* writes */
    uint32_t phys;       /* physical page address */
    uint8_t *host;       /* the page's bytes when it is RAM (ROM: reads only), else NULL */
    bool global;
    bool listed;         /* its index is in cpu->tlb_used */
};

struct tlb_stats {
    uint64_t misses, walks, page_faults, flushes, page_flushes;
};

/* Decoded-instruction cache (DESIGN.md "decode once"): keyed by the physical address of the
 * instruction and the code size; valid while the page's generation is unchanged. */
/* 32768 decoded instructions: Linux's boot touches far more code than 2048 entries held
 * (decode-cache misses 4.1% -> 0.05% over its first 2.5*10^9 instructions, 5% less time). */
#define DCACHE_BITS 15
#define DCACHE_SIZE (1u << DCACHE_BITS)

struct dcache_entry {
    uint32_t phys;
    uint32_t gen;
    uint8_t code32;
    uint8_t valid;
    struct insn in;
};

/* x87 state (SDM Vol.1 8.1). st[] are the physical registers R0-R7; ST(i) is R((top+i)&7). */
struct fpu {
    struct f80 st[8];
    uint16_t cw;       /* control word */
    uint16_t sw;       /* status word without TOP (bits 13:11 come from top) */
    uint16_t tw;       /* full tag word: 2 bits per physical register, 11 = empty */
    uint8_t top;
    uint16_t fop;      /* last non-control instruction's opcode (11 bits) */
    uint32_t fip, fdp; /* its address and its memory operand's offset */
    uint16_t fcs, fds;
};

struct dtr {
    uint32_t base;
    uint16_t limit;
};

enum cpu_stop {
    CPU_RUNNING = 0,
    CPU_STOP_HALT,       /* HLT with no interrupt source to wake it */
    CPU_STOP_REQUEST,    /* the machine asked (exit port, monitor, ...) */
    CPU_STOP_SHUTDOWN,   /* triple fault */
    CPU_STOP_RESET,      /* the board asked for a reset (keyboard controller, port 0x92, 0xCF9) */
    CPU_STOP_KICK,       /* a device event became due sooner: back to the main loop */
    CPU_STOP_DEBUG,      /* a breakpoint, watchpoint or single step: see cpu->dbg->stop */
};

struct cpu {
    uint32_t regs[8];
    uint32_t eip;
    uint32_t eflags;      /* non-arithmetic bits always current; arithmetic bits see lf */
    struct lazy_flags lf;
    struct seg seg[6];
    uint32_t cr0, cr2, cr3, cr4;
    struct fpu fpu;
    uint32_t dr[8];
    struct dtr gdtr, idtr;
    struct seg ldtr, tr;
    const struct cpu_model *model;
    uint64_t tsc_offset;  /* TSC = icount + tsc_offset (WRMSR 0x10 moves it) */
    uint32_t sysenter_cs, sysenter_esp, sysenter_eip;   /* MSRs 174H-176H */
    bool ss_shadow;       /* the instruction just executed was MOV SS / POP SS */
    uint8_t cpl;          /* current privilege level (SDM Vol.3 5.5): 0 in real mode, 3 in v8086 */
    bool ext_event;       /* delivering an external event or exception: faults get EXT=1 */
    bool halted;

    struct mem *mem;
    struct iobus *io;
    struct tlb_entry tlb[2][TLB_SIZE];    /* [0] supervisor, [1] user */
    struct tlb_stats tlb_stats;
    /* The entries filled since the last full flush (user << TLB_BITS | index), so that a flush
     * (every MOV CR3, and every CR0.PE toggle of a boot loader calling the BIOS) touches those
     * instead of all 2 * TLB_SIZE. */
    uint16_t tlb_used[2 * TLB_SIZE];
    unsigned tlb_nused;

    /* Interrupt line from the PIC: returns a vector or -1. NULL = none connected. */
    int (*intr_ack)(void *opaque);
    bool (*intr_pending)(void *opaque);
    void *intr_opaque;

    uint64_t icount;      /* retired instructions */
    int stop;             /* enum cpu_stop */

    /* exception delivery: a fault longjmps here from deep inside an instruction */
    jmp_buf *fault_jmp;
    uint32_t insn_eip;    /* EIP of the instruction being executed */
    uint32_t insn_esp;    /* ESP at its start, restored when it faults */
    /* EFLAGS and the lazy record at its start: a fault restores the arithmetic flags, which an
     * RMW instruction has already computed when its write faults (SDM Vol.3 6.5). Same order
     * as eflags, lf: the JIT copies the 24 bytes in one go. */
    uint32_t insn_eflags;
    struct lazy_flags insn_lf;
    int exc_vector;       /* the exception being raised (cpu_raise -> delivery) */
    uint32_t exc_error;
    bool exc_has_error;
    int delivering;       /* vector being delivered, or -1: a fault now is a double fault */
    bool inhibit_irq;     /* MOV SS / POP SS / STI shadow: one instruction */
    uint64_t dcache_hits, dcache_misses;
    /* FERR# output and IGNNE# input (SDM Vol.1 D.1, "MS-DOS compatibility" x87 error reporting
     * with CR0.NE=0): the board routes FERR# to IRQ13 and asserts IGNNE# when the handler writes
     * port 0xF0. NULL ferr: nothing is wired (the test machine), pending errors are ignored. */
    void (*ferr)(void *opaque, bool level);
    void *ferr_opaque;
    bool ferr_asserted;
    bool ignne;
    struct debug *dbg;    /* breakpoints etc. (GDB stub, monitor), or NULL: no cost when unused */
    bool dbg_watch;       /* dbg has watchpoints: data accesses report to debug_note_access */
    void *trace_regs;     /* FILE * for --trace-regs (../shared/tools/README.md format), or NULL */
    uint64_t trace_first, trace_last;   /* --trace-start/--trace-count window of instruction counts */
    /* Called before each instruction (not again for a REP resuming a chunk): --trace, --profile
     * (frontends/trace.c). NULL = no cost but one test. */
    void (*insn_hook)(void *opaque, struct cpu *cpu);
    void *insn_hook_opaque;
    bool rep_resumed;     /* the instruction at EIP is a REP string instruction resuming a chunk */
    /* The JIT (jit/jit.h sets these): runs translated blocks from CS:EIP within budget and
     * returns the instructions retired, 0 when the interpreter must take the next one. Not
     * called while the debugger, a trace, the instruction hook or TF needs every instruction. */
    uint64_t (*jit_exec)(void *jit, struct cpu *cpu, uint64_t budget);
    void *jit;
    uint64_t jit_limit;   /* icount the JIT's run may reach (chained blocks check it) */
    uint32_t jit_from;    /* the block and chain slot the JIT's last block left by */
    uint32_t seq_eip;     /* EIP after the last interpreted instruction, had it not jumped */
    struct dcache_entry dcache[DCACHE_SIZE];
};

/* Power-on state (SDM Vol.3 9.1.1): real mode, CS=F000 base FFFF0000, EIP=FFF0. */
void cpu_init(struct cpu *cpu, struct mem *mem, struct iobus *io);
void cpu_reset(struct cpu *cpu);
/* Chooses the CPU model (core/cpumodel.c) and resets the CPU. */
void cpu_set_model(struct cpu *cpu, const struct cpu_model *model);

/* Executes up to budget instructions; returns the number executed. Stops early when cpu->stop
 * is set or the CPU halts. */
uint64_t cpu_run(struct cpu *cpu, uint64_t budget);

/* One line "ICOUNT CS:EIP eax=... efl=..." (../shared/tools/README.md's trace format): what
 * --trace-regs writes before each instruction, the JIT's block-entry trace and --stats' final
 * state. */
void cpu_print_state(FILE *f, struct cpu *cpu);

/* The state a fault returns to (handle_fault in cpu.c): taken when an instruction begins, and
 * again at points after which a fault belongs to the new state (a task switch's commit point,
 * each completed iteration of REP CMPS/SCAS, whose flags stay committed: SDM Vol.2 REP). */
static inline void cpu_commit_flags(struct cpu *cpu)
{
    cpu->insn_eflags = cpu->eflags;
    cpu->insn_lf.op = cpu->lf.op;
    cpu->insn_lf.res = cpu->lf.res;
    cpu->insn_lf.src1 = cpu->lf.src1;
    cpu->insn_lf.src2 = cpu->lf.src2;
    cpu->insn_lf.cf_in = cpu->lf.cf_in;
}

static inline void cpu_insn_begin(struct cpu *cpu)
{
    cpu->insn_eip = cpu->eip;
    cpu->insn_esp = cpu->regs[R_ESP];
    cpu_commit_flags(cpu);
}

/* Full EFLAGS with the lazy arithmetic bits materialised, and its inverse. set_eflags writes
 * every bit given (no privilege filtering: that is POPF's job). */
uint32_t cpu_get_eflags(struct cpu *cpu);
void cpu_set_eflags(struct cpu *cpu, uint32_t value);

/* CR0 bits (SDM Vol.3 2.5) */
#define CR0_PE 0x00000001u
#define CR0_MP 0x00000002u
#define CR0_EM 0x00000004u
#define CR0_TS 0x00000008u
#define CR0_ET 0x00000010u
#define CR0_NE 0x00000020u
#define CR0_WP 0x00010000u
#define CR0_AM 0x00040000u
#define CR0_NW 0x20000000u
#define CR0_CD 0x40000000u
#define CR0_PG 0x80000000u

/* CR4 bits this model implements (SDM Vol.3 2.5) */
#define CR4_VME 0x0001u
#define CR4_PVI 0x0002u
#define CR4_TSD 0x0004u
#define CR4_DE 0x0008u
#define CR4_PSE 0x0010u
#define CR4_PGE 0x0080u
#define CR4_PCE 0x0100u

/* Segment descriptor attribute bits as kept in struct seg.attr (descriptor bits 40-55 >> 8). */
#define SEG_ATTR_P 0x0080u
#define SEG_ATTR_DB 0x4000u    /* D/B: 32-bit code / 32-bit stack */
#define SEG_ATTR_G 0x8000u

/* Loads a segment register the real-mode way: base = sel << 4, cache otherwise unchanged. */
void cpu_load_seg_real(struct cpu *cpu, int seg, uint16_t sel);

/* Kinds of event for cpu_interrupt (they differ in privilege checks and the EXT bit). */
enum int_kind {
    INT_SOFT,     /* INT n, INT3, INTO: the gate's DPL must be >= CPL (SDM Vol.3 6.12.1.1) */
    INT_EXC,      /* an exception raised by an instruction, or INT1 */
    INT_HW,       /* an external interrupt: error codes carry EXT (SDM Vol.3 6.13) */
};

/* Drops every TLB entry: after a change to the memory map or the A20 gate. */
void cpu_tlb_flush(struct cpu *cpu);
/* Every entry invalid, the used list empty: for a CPU whose TLB holds anything (reset). */
void cpu_tlb_reset(struct cpu *cpu);

/* Raises an exception from inside an instruction: does not return. */
_Noreturn void cpu_raise(struct cpu *cpu, int vector, uint32_t error_code, bool has_error);

#endif
