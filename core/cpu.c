/* CPU state, reset, exceptions and the run loop. */
#include "cpu.h"

#include <stdio.h>
#include <string.h>

#include "access.h"
#include "flags.h"
#include "fpu.h"
#include "interp.h"
#include "mmu.h"

uint32_t cpu_get_eflags(struct cpu *cpu)
{
    flags_materialize(cpu);
    return cpu->eflags;
}

void cpu_set_eflags(struct cpu *cpu, uint32_t value)
{
    cpu->lf.op = LF_NONE;
    /* Bit 1 always reads 1; bits 3, 5 and 15 always 0 (SDM Vol.1 3.4.3). ID can be changed only
     * on a processor with CPUID (SDM Vol.1 3.4.3.3), which is how software detects it. */
    if (!cpu->model->has_cpuid)
        value = (value & ~FL_ID) | (cpu->eflags & FL_ID);
    cpu->eflags = (value | 0x2u) & ~(0x8u | 0x20u | 0x8000u);
}

/* Real mode reads and writes through every segment, CS included (SDM Vol.3 20.1). */
#define SEG_REAL_RIGHTS (SEG_VALID | SEG_R | SEG_W)

/* A real-mode segment load sets the selector and base; the limit stays ("unreal mode", SDM
 * Vol.3 9.9.2), but real mode makes no type checks, so a CS that still holds the protected-mode
 * code descriptor it was loaded with is writable through a CS override (DOS kernels and TSRs
 * write their CS variables after the BIOS has been in protected mode; Bochs and QEMU agree). */
void cpu_load_seg_real(struct cpu *cpu, int seg, uint16_t sel)
{
    cpu->seg[seg].sel = sel;
    cpu->seg[seg].base = (uint32_t)sel << 4;
    cpu->seg[seg].rights = SEG_REAL_RIGHTS;
}

_Noreturn void seg_fault(struct cpu *cpu, int seg)
{
    cpu_raise(cpu, seg == SEG_SS ? EXC_SS : EXC_GP, 0, true);
}

void cpu_reset(struct cpu *cpu)
{
    memset(cpu->regs, 0, sizeof(cpu->regs));
    memset(&cpu->lf, 0, sizeof(cpu->lf));
    /* SDM Vol.3 9.1.1, table 9-1: the power-up state. EDX holds the CPU signature. */
    cpu->regs[R_EDX] = cpu->model->signature;
    cpu->sysenter_cs = cpu->sysenter_esp = cpu->sysenter_eip = 0;
    cpu->tsc_offset = 0 - cpu->icount;    /* the TSC restarts at 0 */
    cpu->eflags = 0x00000002;
    cpu->eip = 0x0000FFF0;
    cpu->cr0 = 0x60000010;    /* CD, NW, ET */
    cpu->cr2 = cpu->cr3 = cpu->cr4 = 0;
    memset(cpu->dr, 0, sizeof(cpu->dr));
    cpu->dr[6] = 0xFFFF0FF0;
    cpu->dr[7] = 0x00000400;
    for (int i = 0; i < 6; i++) {
        /* Present, writable data (accessed), limit 0xFFFF, base 0. */
        cpu->seg[i] = (struct seg){.sel = 0, .base = 0, .limit = 0xFFFF, .attr = 0x0093, .rights = SEG_REAL_RIGHTS};
    }
    /* CS: selector F000, base FFFF0000, so the first fetch is at FFFFFFF0. */
    cpu->seg[SEG_CS] = (struct seg){.sel = 0xF000, .base = 0xFFFF0000, .limit = 0xFFFF, .attr = 0x009B,
                                    .rights = SEG_REAL_RIGHTS};
    cpu->cpl = 0;
    cpu->ext_event = false;
    cpu->gdtr = (struct dtr){0, 0xFFFF};
    cpu->idtr = (struct dtr){0, 0x03FF};
    cpu->ldtr = (struct seg){.limit = 0xFFFF, .attr = 0x0082};
    cpu->tr = (struct seg){.limit = 0xFFFF, .attr = 0x008B};
    cpu->halted = false;
    fpu_power_on(&cpu->fpu);
    cpu->ferr_asserted = false;
    cpu->ignne = false;
    cpu_tlb_reset(cpu);
    cpu->stop = CPU_RUNNING;
    cpu->inhibit_irq = false;
    cpu->delivering = -1;
}

static void protect_watched_page(void *opaque, uint32_t phys)
{
    tlb_protect_code(opaque, phys);
}

void cpu_init(struct cpu *cpu, struct mem *mem, struct iobus *io)
{
    memset(cpu, 0, sizeof(*cpu));
    cpu->mem = mem;
    mem->watch_hook = protect_watched_page;   /* a watched page must not be written through the TLB */
    mem->watch_opaque = cpu;
    cpu->io = io;
    cpu->model = cpu_model_default();
    cpu->trace_last = UINT64_MAX;
    cpu_reset(cpu);
}

_Noreturn void cpu_raise(struct cpu *cpu, int vector, uint32_t error_code, bool has_error)
{
    cpu->exc_vector = vector;
    cpu->exc_error = error_code;
    cpu->exc_has_error = has_error;
    longjmp(*cpu->fault_jmp, 1);
}

/* cpu->delivering for a hardware interrupt: its vector number may equal an exception's (IRQ0 is
 * vector 8 under a real-mode BIOS), but a fault while delivering it is handled serially. */
#define DELIVERING_EXTERNAL 256

/* SDM Vol.3 6.15, table 6-4: exception classes for double-fault detection. */
static int exc_class(int vec)
{
    switch (vec) {
    case EXC_DE: case EXC_TS: case EXC_NP: case EXC_SS: case EXC_GP: return 1; /* contributory */
    case EXC_PF: return 2;
    case EXC_DF: return 3;
    default: return 0;                                                          /* benign */
    }
}

/* The exception raised while delivering cpu->delivering: table 6-5. */
static int combine_exceptions(int first, int second)
{
    int a = exc_class(first), b = exc_class(second);
    if (a == 3 && b != 0)
        return -1;                       /* triple fault */
    if ((a == 1 && b == 1) || (a == 2 && b != 0))
        return EXC_DF;
    return second;
}

static uint8_t fetch_code(void *opaque, unsigned i)
{
    struct cpu *cpu = opaque;
    uint32_t off = cpu->insn_eip + i;
    return (uint8_t)rd_lin_as(cpu, seg_linear(cpu, SEG_CS, off, 1), 1, cpu->cpl == 3);
}

/* The decoded instruction at lin (whose page e maps to RAM or ROM), from the cache or decoded
 * now and cached. */
static const struct insn *cached_decode(struct cpu *cpu, const struct tlb_entry *e, uint32_t lin, bool code32)
{
    uint32_t phys = e->phys | (lin & (MEM_PAGE_SIZE - 1));
    struct dcache_entry *d = &cpu->dcache[(phys ^ (phys >> DCACHE_BITS)) & (DCACHE_SIZE - 1)];
    struct mem *mem = cpu->mem;
    if (d->valid && d->phys == phys && d->code32 == code32 && mem_is_code(mem, phys) &&
        d->gen == mem_page_gen(mem, phys)) {
        cpu->dcache_hits++;
        return &d->in;
    }
    cpu->dcache_misses++;
    if (!mem_is_code(mem, phys))
        tlb_protect_code(cpu, e->phys);
    decode_buf(&d->in, code32, e->host + (lin & (MEM_PAGE_SIZE - 1)), INSN_MAX_LEN);
    mem_mark_code(mem, phys, d->in.len);
    d->phys = phys;
    d->code32 = code32;
    d->gen = mem_page_gen(mem, phys);
    d->valid = 1;
    return &d->in;
}

void cpu_print_state(FILE *f, struct cpu *cpu)
{
    const uint32_t *r = cpu->regs;
    fprintf(f, "%llu %04x:%08x eax=%08x ebx=%08x ecx=%08x edx=%08x esi=%08x edi=%08x ebp=%08x esp=%08x efl=%08x\n",
            (unsigned long long)cpu->icount, cpu->seg[SEG_CS].sel, cpu->eip, r[R_EAX], r[R_EBX], r[R_ECX], r[R_EDX],
            r[R_ESI], r[R_EDI], r[R_EBP], r[R_ESP], cpu_get_eflags(cpu));
}

/* One line of the normalized trace: the state before the instruction. A REP string instruction
 * resuming after a chunk is not traced again: it is one instruction. */
static void trace_line(struct cpu *cpu)
{
    cpu_print_state((FILE *)cpu->trace_regs, cpu);
}

static void step(struct cpu *cpu)
{
    struct insn in;
    if (cpu->trace_regs && !cpu->rep_resumed && cpu->icount >= cpu->trace_first && cpu->icount <= cpu->trace_last)
        trace_line(cpu);
    if (cpu->insn_hook && !cpu->rep_resumed)
        cpu->insn_hook(cpu->insn_hook_opaque, cpu);
    cpu->rep_resumed = false;
    cpu_insn_begin(cpu);
    bool tf = cpu->eflags & FL_TF;
    cpu->inhibit_irq = false;
    cpu->ss_shadow = false;
    /* Fast path: the 15 bytes an instruction may span lie in one RAM/ROM page and within the CS
     * limit, so the decoder can read host memory directly; anything else fetches byte by byte and
     * faults precisely on the byte that is out of bounds. */
    const struct seg *cs = &cpu->seg[SEG_CS];
    uint32_t lin = cs->base + cpu->eip;
    bool code32 = cs->attr & SEG_ATTR_DB;
    const struct insn *dec = NULL;
    if ((lin & (MEM_PAGE_SIZE - 1)) <= MEM_PAGE_SIZE - INSN_MAX_LEN && cpu->eip <= cs->limit &&
        cs->limit - cpu->eip >= INSN_MAX_LEN - 1 && (cs->rights & SEG_VALID)) {
        const struct tlb_entry *e = tlb_lookup(cpu, lin, ACC_EXEC, cpu->cpl == 3);
        if (e->host)
            dec = cached_decode(cpu, e, lin, code32);
    }
    if (!dec) {
        decode_insn(&in, code32, fetch_code, cpu);
        dec = &in;
    }
    if (dec->error == INSN_UD)
        cpu_raise(cpu, EXC_UD, 0, false);
    if (dec->error == INSN_TOO_LONG)
        cpu_raise(cpu, EXC_GP, 0, true);
    cpu->eip += dec->len;
    cpu->seq_eip = cpu->eip;
    interp_exec(cpu, dec);
    cpu->icount++;
    /* SDM Vol.3 17.3.1.4: single-step traps after an instruction that began with TF set, except
     * after MOV SS / POP SS, whose trap is suppressed (SDM Vol.3 6.8.3): the next instruction's
     * trap comes instead, since TF is still set. */
    if (tf && !cpu->ss_shadow && cpu->stop == CPU_RUNNING) {
        cpu->dr[6] |= 0x4000;            /* BS */
        cpu_interrupt(cpu, EXC_DB, INT_EXC, cpu->eip, false, 0);
    }
}

/* Called after a longjmp out of an instruction or a delivery: undo the instruction's partial
 * register state and deliver the exception (escalating per table 6-5). */
static void handle_fault(struct cpu *cpu)
{
    int vec = cpu->exc_vector;
    cpu->ext_event = false;
    cpu->eip = cpu->insn_eip;
    cpu->regs[R_ESP] = cpu->insn_esp;
    /* The arithmetic flags too: an RMW instruction computes them before its write faults. The
     * other EFLAGS bits are not rolled back: instructions that change them (POPF, IRET, task
     * switches) check everything before they commit. */
    cpu->eflags = (cpu->eflags & ~FL_ARITH) | (cpu->insn_eflags & FL_ARITH);
    cpu->lf = cpu->insn_lf;
    if (cpu->delivering >= 0) {
        vec = combine_exceptions(cpu->delivering, vec);
        if (vec < 0) {
            cpu->stop = CPU_STOP_SHUTDOWN;
            cpu->delivering = -1;
            return;
        }
        if (vec == EXC_DF) {
            cpu->exc_has_error = true;
            cpu->exc_error = 0;
        }
    }
    cpu->delivering = vec;
    cpu->ext_event = true;
    /* Real mode pushes no error codes (SDM Vol.3 20.1.4). */
    cpu_interrupt(cpu, vec, INT_EXC, cpu->insn_eip, cpu->exc_has_error && (cpu->cr0 & CR0_PE), cpu->exc_error);
    cpu->ext_event = false;
    cpu->delivering = -1;
    cpu->icount++;                       /* the faulting instruction counts as executed */
}

uint64_t cpu_run(struct cpu *cpu, uint64_t budget)
{
    jmp_buf jb;
    jmp_buf *saved = cpu->fault_jmp;
    uint64_t start = cpu->icount;
    cpu->fault_jmp = &jb;
    if (setjmp(jb)) {
        handle_fault(cpu);
        /* A single step over a faulting instruction ends at the handler's first instruction. */
        if (cpu->dbg && cpu->dbg->single_step && cpu->stop == CPU_RUNNING) {
            cpu->dbg->stop = DEBUG_STEP;
            cpu->stop = CPU_STOP_DEBUG;
        }
    }
    while (cpu->icount - start < budget && cpu->stop == CPU_RUNNING) {
        if (cpu->intr_pending && (cpu->eflags & FL_IF) && !cpu->inhibit_irq &&
            cpu->intr_pending(cpu->intr_opaque)) {
            int vec = cpu->intr_ack(cpu->intr_opaque);
            if (vec >= 0) {
                cpu_insn_begin(cpu);
                cpu->delivering = DELIVERING_EXTERNAL;
                cpu->ext_event = true;
                cpu_interrupt(cpu, vec, INT_HW, cpu->eip, false, 0);
                cpu->ext_event = false;
                cpu->delivering = -1;
            }
        }
        if (cpu->halted)
            break;
        if (cpu->dbg) {
            /* Breakpoints are checked before the instruction; after the user resumes from one,
             * it is skipped once (as gdb expects). */
            struct debug *d = cpu->dbg;
            uint32_t lin = cpu->seg[SEG_CS].base + cpu->eip;
            if (d->nbp && !d->skip_bp_once && debug_breakpoint_at(d, lin)) {
                d->stop = DEBUG_BREAKPOINT;
                d->stop_addr = lin;
                cpu->stop = CPU_STOP_DEBUG;
                break;
            }
            d->skip_bp_once = false;
            cpu->dbg_watch = d->nwp != 0;
            step(cpu);
            /* A stop the instruction itself asked for (the exit port, a reset) wins. */
            if ((d->stop == DEBUG_WATCHPOINT || d->single_step) && cpu->stop == CPU_RUNNING) {
                if (d->stop == DEBUG_NONE)
                    d->stop = DEBUG_STEP;
                cpu->stop = CPU_STOP_DEBUG;
            }
            continue;
        }
        if (cpu->jit_exec && !cpu->insn_hook && !(cpu->eflags & FL_TF)) {
            /* --trace-regs needs every instruction of its window: the JIT stops short of it. */
            uint64_t room = budget - (cpu->icount - start);
            if (cpu->trace_regs && cpu->icount <= cpu->trace_last) {
                if (cpu->icount >= cpu->trace_first)
                    room = 0;
                else if (cpu->trace_first - cpu->icount < room)
                    room = cpu->trace_first - cpu->icount;
            }
            if (room && cpu->jit_exec(cpu->jit, cpu, room))
                continue;
        }
        step(cpu);
    }
    cpu->fault_jmp = saved;
    return cpu->icount - start;
}

void cpu_set_model(struct cpu *cpu, const struct cpu_model *model)
{
    cpu->model = model;
    cpu_reset(cpu);
}
