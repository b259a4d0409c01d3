/* Protected-mode mechanics. Every check below follows the pseudo-code of the instruction's page in
 * SDM Vol.2 (JMP, CALL, RET, IRET, INT n, MOV, LLDT, LTR) and SDM Vol.3 chapters 5-7 and 20.
 *
 * Faults are raised with cpu_raise, which longjmps out: everything is checked (and every stack
 * write done) before the architectural state is changed, so a fault leaves the old state. */
#include "prot.h"

#include "access.h"
#include "flags.h"
#include "interp.h"
#include "mmu.h"

#define SEL_RPL(s) ((unsigned)(s) & 3)
#define SEL_IDX(s) ((uint16_t)((s) & 0xFFFC))
#define SEL_NULL(s) (((s) & 0xFFFC) == 0)

/* System descriptor types (SDM Vol.3 3.5, table 3-2). */
enum {
    T_TSS16_AVAIL = 1, T_LDT = 2, T_TSS16_BUSY = 3, T_CALLGATE16 = 4, T_TASKGATE = 5,
    T_INTGATE16 = 6, T_TRAPGATE16 = 7, T_TSS32_AVAIL = 9, T_TSS32_BUSY = 11, T_CALLGATE32 = 12,
    T_INTGATE32 = 14, T_TRAPGATE32 = 15,
};

/* Task-switch reasons (SDM Vol.3 7.3). */
enum ts_reason { TS_JMP, TS_CALL, TS_IRET, TS_INT };

static _Noreturn void fault(struct cpu *cpu, int vec, uint32_t err)
{
    cpu_raise(cpu, vec, err | (cpu->ext_event ? 1u : 0u), true);
}

uint32_t desc_base(const struct desc *d)
{
    return (d->lo >> 16) | ((d->hi & 0xFF) << 16) | (d->hi & 0xFF000000u);
}

uint32_t desc_limit(const struct desc *d)
{
    uint32_t l = (d->lo & 0xFFFF) | (d->hi & 0xF0000);
    return (d->hi & 0x800000) ? (l << 12) | 0xFFF : l;
}

static uint32_t desc_attr(const struct desc *d) { return (d->hi >> 8) & 0xF0FF; }

static uint32_t desc_addr(struct cpu *cpu, uint16_t sel, bool *ok)
{
    uint32_t base, limit;
    if (sel & 4) {
        if (!(cpu->ldtr.rights & SEG_VALID)) {
            *ok = false;
            return 0;
        }
        base = cpu->ldtr.base;
        limit = cpu->ldtr.limit;
    } else {
        base = cpu->gdtr.base;
        limit = cpu->gdtr.limit;
    }
    *ok = (uint32_t)(sel & ~7u) + 7 <= limit;
    return base + (sel & ~7u);
}

bool read_desc(struct cpu *cpu, uint16_t sel, struct desc *d)
{
    bool ok;
    uint32_t a = desc_addr(cpu, sel, &ok);
    if (!ok)
        return false;
    d->lo = rd_lin(cpu, a, 4);
    d->hi = rd_lin(cpu, a + 4, 4);
    return true;
}

/* Sets the accessed bit of a code/data descriptor in memory (SDM Vol.3 3.4.5.1). */
static void set_accessed(struct cpu *cpu, uint16_t sel, struct desc *d)
{
    if (d->hi & 0x100)
        return;
    bool ok;
    uint32_t a = desc_addr(cpu, sel, &ok);
    d->hi |= 0x100;
    wr_lin(cpu, a + 5, (d->hi >> 8) & 0xFF, 1);
}

static void cache_from_desc(struct seg *s, uint16_t sel, const struct desc *d)
{
    s->sel = sel;
    s->base = desc_base(d);
    s->limit = desc_limit(d);
    s->attr = desc_attr(d);
    if (!desc_s(d)) {
        s->rights = SEG_VALID;                 /* LDT/TSS: used through base and limit only */
    } else if (desc_code(d)) {
        s->rights = SEG_VALID | ((d->hi & 0x200) ? SEG_R : 0);
    } else {
        s->rights = SEG_VALID | SEG_R | ((d->hi & 0x200) ? SEG_W : 0) | ((d->hi & 0x400) ? SEG_DOWN : 0);
    }
}

/* A segment register as v8086 mode sees it (SDM Vol.3 20.2.1): base sel*16, limit 64 KiB,
 * readable and writable, DPL 3. */
static void load_v86_seg(struct seg *s, uint16_t sel)
{
    s->sel = sel;
    s->base = (uint32_t)sel << 4;
    s->limit = 0xFFFF;
    s->attr = 0x00F3;
    s->rights = SEG_VALID | SEG_R | SEG_W;
}

static void load_null(struct seg *s, uint16_t sel)
{
    s->sel = sel;
    s->base = 0;
    s->limit = 0;
    s->attr = 0;
    s->rights = 0;
}

static void load_cs(struct cpu *cpu, uint16_t sel, const struct desc *d, unsigned cpl)
{
    cache_from_desc(&cpu->seg[SEG_CS], (uint16_t)((sel & ~3u) | cpl), d);
    cpu->cpl = (uint8_t)cpl;
}

/* Checks for a data-segment register load (DS ES FS GS), raising vec on failure: #GP for MOV/POP,
 * #TS during a task switch (SDM Vol.3 7.3 step 13). */
static void check_data_seg(struct cpu *cpu, uint16_t sel, struct desc *d, int vec, unsigned cpl)
{
    if (!read_desc(cpu, sel, d))
        fault(cpu, vec, SEL_IDX(sel));
    if (!desc_s(d) || (desc_code(d) && !(d->hi & 0x200)))
        fault(cpu, vec, SEL_IDX(sel));
    if (!desc_conforming(d) && (SEL_RPL(sel) > desc_dpl(d) || cpl > desc_dpl(d)))
        fault(cpu, vec, SEL_IDX(sel));
    if (!desc_present(d))
        fault(cpu, EXC_NP, SEL_IDX(sel));
}

/* Checks for a stack-segment load at privilege cpl (SDM Vol.2 MOV: SS). */
static void check_stack_seg(struct cpu *cpu, uint16_t sel, struct desc *d, int vec, unsigned cpl)
{
    if (SEL_NULL(sel))
        fault(cpu, vec, 0);
    if (!read_desc(cpu, sel, d))
        fault(cpu, vec, SEL_IDX(sel));
    if (SEL_RPL(sel) != cpl || desc_dpl(d) != cpl || !desc_s(d) || desc_code(d) || !(d->hi & 0x200))
        fault(cpu, vec, SEL_IDX(sel));
    if (!desc_present(d))
        fault(cpu, EXC_SS, SEL_IDX(sel));
}

void seg_load(struct cpu *cpu, int seg, uint16_t sel)
{
    if (!prot_mode(cpu)) {
        cpu_load_seg_real(cpu, seg, sel);
        return;
    }
    if (v86_mode(cpu)) {
        load_v86_seg(&cpu->seg[seg], sel);
        return;
    }
    struct desc d;
    if (seg == SEG_SS) {
        check_stack_seg(cpu, sel, &d, EXC_GP, cpu->cpl);
    } else {
        if (SEL_NULL(sel)) {
            load_null(&cpu->seg[seg], sel);
            return;
        }
        check_data_seg(cpu, sel, &d, EXC_GP, cpu->cpl);
    }
    set_accessed(cpu, sel, &d);
    cache_from_desc(&cpu->seg[seg], sel, &d);
}

/* ---- stacks built before they are committed ---- */

/* A stack being written: the segment cache it will have and its pointer. Pushes are checked
 * against the cache and raise fault_vec (#SS with the selector on a new stack, SDM Vol.3 6.12.1). */
struct stack {
    struct seg seg;
    uint32_t sp;
    int fault_vec;
    uint32_t fault_err;
};

static void stack_push(struct cpu *cpu, struct stack *st, uint32_t v, unsigned size)
{
    uint32_t mask = (st->seg.attr & SEG_ATTR_DB) ? 0xFFFFFFFFu : 0xFFFFu;
    uint32_t sp = (st->sp - size) & mask;
    const struct seg *s = &st->seg;
    bool ok;
    if (s->rights & SEG_DOWN) {
        uint32_t top = (s->attr & SEG_ATTR_DB) ? 0xFFFFFFFFu : 0xFFFFu;
        ok = sp > s->limit && sp <= top && size - 1 <= top - sp;
    } else {
        ok = sp <= s->limit && size - 1 <= s->limit - sp;
    }
    if (!ok || !(s->rights & SEG_W))
        fault(cpu, st->fault_vec, st->fault_err);
    /* A stack at privilege 3 is written with user rights, an inner stack with supervisor rights. */
    wr_lin_as(cpu, s->base + sp, v, size, ((s->attr >> 5) & 3) == 3 && (cpu->cr0 & CR0_PE));
    st->sp = (st->sp & ~mask) | sp;
}

static struct stack current_stack(struct cpu *cpu)
{
    return (struct stack){cpu->seg[SEG_SS], cpu->regs[R_ESP], EXC_SS, 0};
}

static void commit_stack(struct cpu *cpu, const struct stack *st)
{
    cpu->seg[SEG_SS] = st->seg;
    cpu->regs[R_ESP] = st->sp;
}

/* Reads from the current stack at ESP + delta without moving it. */
static uint32_t stack_peek(struct cpu *cpu, uint32_t delta, unsigned size)
{
    return rd_seg(cpu, SEG_SS, stack_off(cpu, (int32_t)delta), size);
}

/* The stack for privilege level dpl from the current TSS (SDM Vol.3 7.2.1, 6.12.1). */
static void tss_stack(struct cpu *cpu, unsigned dpl, uint16_t *ss, uint32_t *esp)
{
    bool tss32 = ((cpu->tr.attr & 0xF) & ~2u) == T_TSS32_AVAIL;
    uint32_t off = tss32 ? 4 + dpl * 8 : 2 + dpl * 4;
    uint32_t width = tss32 ? 8 : 4;
    if (off + width - 1 > cpu->tr.limit)
        fault(cpu, EXC_TS, SEL_IDX(cpu->tr.sel));
    if (tss32) {
        *esp = rd_lin(cpu, cpu->tr.base + off, 4);
        *ss = (uint16_t)rd_lin(cpu, cpu->tr.base + off + 4, 2);
    } else {
        *esp = rd_lin(cpu, cpu->tr.base + off, 2);
        *ss = (uint16_t)rd_lin(cpu, cpu->tr.base + off + 2, 2);
    }
}

/* A new inner stack for a privilege change to dpl: checked as SDM Vol.2 CALL/INT n say
 * (#TS with the SS selector, #SS if not present). */
static struct stack inner_stack(struct cpu *cpu, unsigned dpl)
{
    uint16_t ss;
    uint32_t esp;
    struct desc d;
    tss_stack(cpu, dpl, &ss, &esp);
    if (SEL_NULL(ss))
        fault(cpu, EXC_TS, SEL_IDX(ss));
    if (!read_desc(cpu, ss, &d))
        fault(cpu, EXC_TS, SEL_IDX(ss));
    if (SEL_RPL(ss) != dpl || desc_dpl(&d) != dpl || !desc_s(&d) || desc_code(&d) || !(d.hi & 0x200))
        fault(cpu, EXC_TS, SEL_IDX(ss));
    if (!desc_present(&d))
        fault(cpu, EXC_SS, SEL_IDX(ss));
    set_accessed(cpu, ss, &d);
    struct stack st = {.sp = esp, .fault_vec = EXC_SS, .fault_err = SEL_IDX(ss)};
    cache_from_desc(&st.seg, ss, &d);
    if (!(st.seg.attr & SEG_ATTR_DB))
        st.sp &= 0xFFFF;
    return st;
}

/* After a return to an outer level, data segment registers the new CPL may not use are nulled
 * (SDM Vol.2 RET, "IF (DS, ES, FS, or GS) ... DPL < CPL ... THEN set to NULL"). */
static void null_outer_segs(struct cpu *cpu)
{
    static const int segs[4] = {SEG_ES, SEG_DS, SEG_FS, SEG_GS};
    for (int i = 0; i < 4; i++) {
        struct seg *s = &cpu->seg[segs[i]];
        unsigned dpl = (s->attr >> 5) & 3;
        bool conforming_code = (s->attr & 0x18) == 0x18 && (s->attr & 0x04);
        if (!conforming_code && dpl < cpu->cpl)
            load_null(s, 0);
    }
}

/* ---- task switching (SDM Vol.3 7.3) ---- */

static void set_busy(struct cpu *cpu, uint16_t sel, bool busy)
{
    struct desc d;
    if (!read_desc(cpu, sel, &d))
        return;
    uint32_t a = cpu->gdtr.base + (sel & ~7u) + 5;
    uint8_t b = (uint8_t)(d.hi >> 8);
    wr_lin(cpu, a, busy ? b | 2 : b & ~2, 1);
}

static void task_switch(struct cpu *cpu, uint16_t sel, struct desc *nd, enum ts_reason why, bool has_err,
                        uint32_t err)
{
    unsigned type = desc_type(nd);
    bool new32 = (type & ~2u) == T_TSS32_AVAIL;
    uint32_t nbase = desc_base(nd), nlimit = desc_limit(nd);
    if (!(sel & ~7u) || (sel & 4))
        fault(cpu, EXC_GP, SEL_IDX(sel));
    if (why == TS_IRET ? !(type & 2) : (type & 2))
        fault(cpu, EXC_GP, SEL_IDX(sel));          /* IRET needs a busy TSS, the others an available one */
    if (!desc_present(nd))
        fault(cpu, EXC_NP, SEL_IDX(sel));
    if (nlimit < (new32 ? 0x67u : 0x2Bu))
        fault(cpu, EXC_TS, SEL_IDX(sel));

    /* Save the outgoing task's state into its TSS. */
    bool old32 = ((cpu->tr.attr & 0xF) & ~2u) == T_TSS32_AVAIL;
    uint32_t obase = cpu->tr.base;
    uint32_t eflags = cpu_get_eflags(cpu);
    if (why == TS_IRET)
        eflags &= ~FL_NT;
    if (old32) {
        wr_lin(cpu, obase + 0x20, cpu->eip, 4);
        wr_lin(cpu, obase + 0x24, eflags, 4);
        for (int r = 0; r < 8; r++)
            wr_lin(cpu, obase + 0x28 + 4 * (uint32_t)r, cpu->regs[r], 4);
        for (int s = 0; s < 6; s++)
            wr_lin(cpu, obase + 0x48 + 4 * (uint32_t)s, cpu->seg[s].sel, 2);
    } else {
        wr_lin(cpu, obase + 0x0E, cpu->eip, 2);
        wr_lin(cpu, obase + 0x10, eflags, 2);
        for (int r = 0; r < 8; r++)
            wr_lin(cpu, obase + 0x12 + 2 * (uint32_t)r, cpu->regs[r], 2);
        for (int s = 0; s < 4; s++)
            wr_lin(cpu, obase + 0x22 + 2 * (uint32_t)s, cpu->seg[s].sel, 2);
    }

    /* Read the incoming task's state. */
    uint32_t regs[8], neip, nflags, ncr3 = cpu->cr3;
    uint16_t sels[6] = {0}, ldt;
    if (new32) {
        ncr3 = rd_lin(cpu, nbase + 0x1C, 4);
        neip = rd_lin(cpu, nbase + 0x20, 4);
        nflags = rd_lin(cpu, nbase + 0x24, 4);
        for (int r = 0; r < 8; r++)
            regs[r] = rd_lin(cpu, nbase + 0x28 + 4 * (uint32_t)r, 4);
        for (int s = 0; s < 6; s++)
            sels[s] = (uint16_t)rd_lin(cpu, nbase + 0x48 + 4 * (uint32_t)s, 2);
        ldt = (uint16_t)rd_lin(cpu, nbase + 0x60, 2);
    } else {
        neip = rd_lin(cpu, nbase + 0x0E, 2);
        nflags = rd_lin(cpu, nbase + 0x10, 2) | (cpu->eflags & 0xFFFF0000u & ~(FL_VM | FL_RF));
        for (int r = 0; r < 8; r++)
            regs[r] = 0xFFFF0000u | rd_lin(cpu, nbase + 0x12 + 2 * (uint32_t)r, 2);
        for (int s = 0; s < 4; s++)
            sels[s] = (uint16_t)rd_lin(cpu, nbase + 0x22 + 2 * (uint32_t)s, 2);
        ldt = (uint16_t)rd_lin(cpu, nbase + 0x2A, 2);
    }

    /* Busy bits, back link and NT. */
    if (why == TS_JMP || why == TS_IRET)
        set_busy(cpu, cpu->tr.sel, false);
    if (why == TS_CALL || why == TS_INT) {
        wr_lin(cpu, nbase, cpu->tr.sel, 2);
        nflags |= FL_NT;
    }
    if (why != TS_IRET)
        set_busy(cpu, sel, true);

    /* The commit point: from here on, faults belong to the new task (SDM Vol.3 7.3 step 12). */
    cache_from_desc(&cpu->tr, sel, nd);
    cpu->tr.attr |= 2;                              /* busy */
    cpu->cr0 |= CR0_TS;
    if (new32 && (cpu->cr0 & CR0_PG)) {
        cpu->cr3 = ncr3;           /* SDM Vol.3 7.3 step 10: CR3 is loaded only with paging on */
        tlb_flush_nonglobal(cpu);
    }
    for (int r = 0; r < 8; r++)
        cpu->regs[r] = new32 ? regs[r] : (cpu->regs[r] & 0xFFFF0000u) | (regs[r] & 0xFFFF);
    cpu_set_eflags(cpu, nflags);
    cpu->eip = neip;
    for (int s = 0; s < 6; s++)
        cpu->seg[s].sel = sels[s];
    cpu_insn_begin(cpu);

    /* LDTR, then the segment registers, checked in the new task's context (#TS). */
    cpu->ldtr.sel = ldt;
    if (SEL_NULL(ldt)) {
        load_null(&cpu->ldtr, ldt);
    } else {
        struct desc ld;
        if ((ldt & 4) || !read_desc(cpu, ldt, &ld) || desc_s(&ld) || desc_type(&ld) != T_LDT)
            fault(cpu, EXC_TS, SEL_IDX(ldt));
        if (!desc_present(&ld))
            fault(cpu, EXC_TS, SEL_IDX(ldt));
        cache_from_desc(&cpu->ldtr, ldt, &ld);
    }
    if (nflags & FL_VM) {
        for (int s = 0; s < 6; s++)
            load_v86_seg(&cpu->seg[s], sels[s]);
        cpu->cpl = 3;
    } else {
        struct desc d;
        uint16_t cs = sels[SEG_CS];
        if (SEL_NULL(cs) || !read_desc(cpu, cs, &d) || !desc_code(&d))
            fault(cpu, EXC_TS, SEL_IDX(cs));
        if (desc_conforming(&d) ? desc_dpl(&d) > SEL_RPL(cs) : desc_dpl(&d) != SEL_RPL(cs))
            fault(cpu, EXC_TS, SEL_IDX(cs));
        if (!desc_present(&d))
            fault(cpu, EXC_NP, SEL_IDX(cs));
        load_cs(cpu, cs, &d, SEL_RPL(cs));
        check_stack_seg(cpu, sels[SEG_SS], &d, EXC_TS, cpu->cpl);
        cache_from_desc(&cpu->seg[SEG_SS], sels[SEG_SS], &d);
        static const int data[4] = {SEG_ES, SEG_DS, SEG_FS, SEG_GS};
        for (int i = 0; i < 4; i++) {
            uint16_t s = sels[data[i]];
            if (!new32 && (data[i] == SEG_FS || data[i] == SEG_GS))
                continue;                           /* a 16-bit TSS has no FS/GS: left as they were */
            if (SEL_NULL(s)) {
                load_null(&cpu->seg[data[i]], s);
                continue;
            }
            check_data_seg(cpu, s, &d, EXC_TS, cpu->cpl);
            cache_from_desc(&cpu->seg[data[i]], s, &d);
        }
    }
    if (has_err) {
        struct stack st = current_stack(cpu);
        stack_push(cpu, &st, err, new32 ? 4 : 2);
        commit_stack(cpu, &st);
    }
    if (cpu->eip > cpu->seg[SEG_CS].limit)
        fault(cpu, EXC_GP, 0);
}

/* A JMP/CALL to a TSS descriptor or a task gate. */
static void task_gate_or_tss(struct cpu *cpu, uint16_t sel, struct desc *d, enum ts_reason why)
{
    if (desc_dpl(d) < cpu->cpl || desc_dpl(d) < SEL_RPL(sel))
        fault(cpu, EXC_GP, SEL_IDX(sel));
    if (!desc_present(d))
        fault(cpu, EXC_NP, SEL_IDX(sel));
    if (desc_type(d) == T_TASKGATE) {
        uint16_t tss = (uint16_t)(d->lo >> 16);
        struct desc td;
        if ((tss & 4) || !read_desc(cpu, tss, &td))
            fault(cpu, EXC_GP, SEL_IDX(tss));
        unsigned t = desc_type(&td);
        if (desc_s(&td) || (t != T_TSS16_AVAIL && t != T_TSS32_AVAIL))
            fault(cpu, EXC_GP, SEL_IDX(tss));
        task_switch(cpu, tss, &td, why, false, 0);
    } else {
        task_switch(cpu, sel, d, why, false, 0);
    }
}

/* ---- far JMP and CALL ---- */

static void real_far(struct cpu *cpu, uint16_t sel, uint32_t off, unsigned size)
{
    if (size == 2)
        off &= 0xFFFF;
    if (off > cpu->seg[SEG_CS].limit)
        fault(cpu, EXC_GP, 0);
    if (v86_mode(cpu))
        load_v86_seg(&cpu->seg[SEG_CS], sel);
    else
        cpu_load_seg_real(cpu, SEG_CS, sel);
    cpu->eip = off;
}

/* Checks a code segment as a direct JMP/CALL target (SDM Vol.2 JMP "conforming/nonconforming"). */
static void check_direct_code(struct cpu *cpu, uint16_t sel, struct desc *d)
{
    if (desc_conforming(d) ? desc_dpl(d) > cpu->cpl : (SEL_RPL(sel) > cpu->cpl || desc_dpl(d) != cpu->cpl))
        fault(cpu, EXC_GP, SEL_IDX(sel));
    if (!desc_present(d))
        fault(cpu, EXC_NP, SEL_IDX(sel));
}

/* Reads and checks the code segment a call gate points to. */
static void gate_target(struct cpu *cpu, const struct desc *gate, uint16_t *csel, struct desc *cd)
{
    *csel = (uint16_t)(gate->lo >> 16);
    if (SEL_NULL(*csel))
        fault(cpu, EXC_GP, 0);
    if (!read_desc(cpu, *csel, cd) || !desc_code(cd) || desc_dpl(cd) > cpu->cpl)
        fault(cpu, EXC_GP, SEL_IDX(*csel));
    if (!desc_present(cd))
        fault(cpu, EXC_NP, SEL_IDX(*csel));
}

/* A call gate as a JMP/CALL target: its DPL against CPL and RPL, present, then its code segment
 * (SDM Vol.2 CALL, "CALL-GATE"). */
static void check_call_gate(struct cpu *cpu, uint16_t sel, const struct desc *gate, uint16_t *csel, struct desc *cd)
{
    if (desc_dpl(gate) < cpu->cpl || desc_dpl(gate) < SEL_RPL(sel))
        fault(cpu, EXC_GP, SEL_IDX(sel));
    if (!desc_present(gate))
        fault(cpu, EXC_NP, SEL_IDX(sel));
    gate_target(cpu, gate, csel, cd);
}

static uint32_t gate_offset(const struct desc *g)
{
    bool g32 = desc_type(g) & 8;
    return (g->lo & 0xFFFF) | (g32 ? (g->hi & 0xFFFF0000u) : 0);
}

static void read_target(struct cpu *cpu, uint16_t sel, struct desc *d)
{
    if (SEL_NULL(sel))
        fault(cpu, EXC_GP, 0);
    if (!read_desc(cpu, sel, d))
        fault(cpu, EXC_GP, SEL_IDX(sel));
}

void far_jump(struct cpu *cpu, uint16_t sel, uint32_t off, unsigned size)
{
    if (!pm_desc(cpu)) {
        real_far(cpu, sel, off, size);
        return;
    }
    struct desc d;
    read_target(cpu, sel, &d);
    if (desc_s(&d)) {
        if (!desc_code(&d))
            fault(cpu, EXC_GP, SEL_IDX(sel));
        check_direct_code(cpu, sel, &d);
        if (size == 2)
            off &= 0xFFFF;
        if (off > desc_limit(&d))
            fault(cpu, EXC_GP, 0);
        set_accessed(cpu, sel, &d);
        load_cs(cpu, sel, &d, cpu->cpl);
        cpu->eip = off;
        return;
    }
    switch (desc_type(&d)) {
    case T_CALLGATE16: case T_CALLGATE32: {
        uint16_t csel;
        struct desc cd;
        check_call_gate(cpu, sel, &d, &csel, &cd);
        if (!desc_conforming(&cd) && desc_dpl(&cd) != cpu->cpl)
            fault(cpu, EXC_GP, SEL_IDX(csel));
        uint32_t target = gate_offset(&d);
        if (target > desc_limit(&cd))
            fault(cpu, EXC_GP, 0);
        set_accessed(cpu, csel, &cd);
        load_cs(cpu, csel, &cd, cpu->cpl);
        cpu->eip = target;
        return;
    }
    case T_TASKGATE: case T_TSS16_AVAIL: case T_TSS32_AVAIL: case T_TSS16_BUSY: case T_TSS32_BUSY:
        task_gate_or_tss(cpu, sel, &d, TS_JMP);
        return;
    default:
        fault(cpu, EXC_GP, SEL_IDX(sel));
    }
}

void far_call(struct cpu *cpu, uint16_t sel, uint32_t off, unsigned size)
{
    if (!pm_desc(cpu)) {
        struct stack st = current_stack(cpu);
        uint32_t ret = cpu->eip;
        stack_push(cpu, &st, cpu->seg[SEG_CS].sel, size);
        stack_push(cpu, &st, ret, size);
        real_far(cpu, sel, off, size);
        commit_stack(cpu, &st);
        return;
    }
    struct desc d;
    read_target(cpu, sel, &d);
    if (desc_s(&d)) {
        if (!desc_code(&d))
            fault(cpu, EXC_GP, SEL_IDX(sel));
        check_direct_code(cpu, sel, &d);
        if (size == 2)
            off &= 0xFFFF;
        struct stack st = current_stack(cpu);
        stack_push(cpu, &st, cpu->seg[SEG_CS].sel, size);
        stack_push(cpu, &st, cpu->eip, size);
        if (off > desc_limit(&d))
            fault(cpu, EXC_GP, 0);
        set_accessed(cpu, sel, &d);
        commit_stack(cpu, &st);
        load_cs(cpu, sel, &d, cpu->cpl);
        cpu->eip = off;
        return;
    }
    switch (desc_type(&d)) {
    case T_CALLGATE16: case T_CALLGATE32: {
        uint16_t csel;
        struct desc cd;
        check_call_gate(cpu, sel, &d, &csel, &cd);
        unsigned gsize = (desc_type(&d) & 8) ? 4 : 2;
        uint32_t target = gate_offset(&d);
        struct stack st;
        unsigned new_cpl = cpu->cpl;
        if (!desc_conforming(&cd) && desc_dpl(&cd) < cpu->cpl) {
            /* More privileged: switch to the TSS stack, copy the parameters (SDM Vol.3 5.8.5). */
            new_cpl = desc_dpl(&cd);
            st = inner_stack(cpu, new_cpl);
            unsigned nparams = d.hi & 0x1F;
            stack_push(cpu, &st, cpu->seg[SEG_SS].sel, gsize);
            stack_push(cpu, &st, cpu->regs[R_ESP], gsize);
            for (unsigned i = nparams; i-- > 0;)
                stack_push(cpu, &st, stack_peek(cpu, i * gsize, gsize), gsize);
        } else {
            st = current_stack(cpu);
        }
        stack_push(cpu, &st, cpu->seg[SEG_CS].sel, gsize);
        stack_push(cpu, &st, cpu->eip, gsize);
        if (target > desc_limit(&cd))
            fault(cpu, EXC_GP, 0);
        set_accessed(cpu, csel, &cd);
        commit_stack(cpu, &st);
        load_cs(cpu, csel, &cd, new_cpl);
        cpu->eip = target;
        return;
    }
    case T_TASKGATE: case T_TSS16_AVAIL: case T_TSS32_AVAIL: case T_TSS16_BUSY: case T_TSS32_BUSY:
        task_gate_or_tss(cpu, sel, &d, TS_CALL);
        return;
    default:
        fault(cpu, EXC_GP, SEL_IDX(sel));
    }
}

/* Checks the code segment a far RET/IRET returns to (SDM Vol.2 RET "RETURN-TO-... CODE SEGMENT"). */
static void check_return_cs(struct cpu *cpu, uint16_t sel, struct desc *d)
{
    read_target(cpu, sel, d);
    if (!desc_code(d) || SEL_RPL(sel) < cpu->cpl)
        fault(cpu, EXC_GP, SEL_IDX(sel));
    if (desc_conforming(d) ? desc_dpl(d) > SEL_RPL(sel) : desc_dpl(d) != SEL_RPL(sel))
        fault(cpu, EXC_GP, SEL_IDX(sel));
    if (!desc_present(d))
        fault(cpu, EXC_NP, SEL_IDX(sel));
}

/* Loads the outer stack a return to privilege rpl pops (checks of SDM Vol.2 RET). */
static void load_outer_stack(struct cpu *cpu, uint16_t ss, uint32_t esp, unsigned rpl, struct stack *st)
{
    struct desc d;
    if (SEL_NULL(ss))
        fault(cpu, EXC_GP, 0);
    if (!read_desc(cpu, ss, &d))
        fault(cpu, EXC_GP, SEL_IDX(ss));
    if (SEL_RPL(ss) != rpl || desc_dpl(&d) != rpl || !desc_s(&d) || desc_code(&d) || !(d.hi & 0x200))
        fault(cpu, EXC_GP, SEL_IDX(ss));
    if (!desc_present(&d))
        fault(cpu, EXC_SS, SEL_IDX(ss));
    set_accessed(cpu, ss, &d);
    cache_from_desc(&st->seg, ss, &d);
    st->sp = esp;
}

static void set_esp_for(struct cpu *cpu, const struct stack *st, uint32_t v)
{
    cpu->seg[SEG_SS] = st->seg;
    if (st->seg.attr & SEG_ATTR_DB)
        cpu->regs[R_ESP] = v;
    else
        cpu->regs[R_ESP] = (cpu->regs[R_ESP] & 0xFFFF0000u) | (v & 0xFFFF);
}

void far_return(struct cpu *cpu, unsigned size, uint32_t imm)
{
    uint32_t off = stack_peek(cpu, 0, size);
    uint16_t sel = (uint16_t)stack_peek(cpu, size, 2);
    if (!pm_desc(cpu)) {
        real_far(cpu, sel, off, size);
        set_sp(cpu, stack_off(cpu, (int32_t)(2 * size + imm)));
        return;
    }
    struct desc d;
    check_return_cs(cpu, sel, &d);
    if (size == 2)
        off &= 0xFFFF;
    if (SEL_RPL(sel) == cpu->cpl) {
        if (off > desc_limit(&d))
            fault(cpu, EXC_GP, 0);
        set_accessed(cpu, sel, &d);
        load_cs(cpu, sel, &d, cpu->cpl);
        cpu->eip = off;
        set_sp(cpu, stack_off(cpu, (int32_t)(2 * size + imm)));
        return;
    }
    /* Return to an outer privilege level: the outer SS:ESP sits above the parameters. */
    uint32_t esp = stack_peek(cpu, 2 * size + imm, size);
    uint16_t ss = (uint16_t)stack_peek(cpu, 3 * size + imm, 2);
    struct stack st;
    unsigned rpl = SEL_RPL(sel);
    load_outer_stack(cpu, ss, esp, rpl, &st);
    if (off > desc_limit(&d))
        fault(cpu, EXC_GP, 0);
    set_accessed(cpu, sel, &d);
    load_cs(cpu, sel, &d, rpl);
    cpu->eip = off;
    set_esp_for(cpu, &st, (size == 2 ? esp & 0xFFFF : esp) + imm);
    null_outer_segs(cpu);
}

/* ---- IRET ---- */

/* EFLAGS as IRET/POPF in protected mode may change it at the current CPL (SDM Vol.2 IRET). */
static void iret_flags(struct cpu *cpu, uint32_t v, unsigned size, unsigned old_cpl)
{
    uint32_t mask = FL_CF | FL_PF | FL_AF | FL_ZF | FL_SF | FL_TF | FL_DF | FL_OF | FL_NT | FL_RF | FL_AC | FL_ID;
    if (old_cpl <= iopl(cpu))
        mask |= FL_IF;
    if (old_cpl == 0)
        mask |= FL_IOPL;
    if (size == 2)
        mask &= 0xFFFF;
    cpu_set_eflags(cpu, (cpu_get_eflags(cpu) & ~mask) | (v & mask));
}

void op_iret(struct cpu *cpu, unsigned size)
{
    if (!prot_mode(cpu)) {
        uint32_t off = stack_peek(cpu, 0, size);
        uint16_t sel = (uint16_t)stack_peek(cpu, size, 2);
        uint32_t fl = stack_peek(cpu, 2 * size, size);
        real_far(cpu, sel, off, size);
        set_sp(cpu, stack_off(cpu, (int32_t)(3 * size)));
        uint32_t mask = 0x257FD5u & (size == 2 ? 0xFFFFu : ~0u);
        cpu_set_eflags(cpu, (cpu_get_eflags(cpu) & ~mask) | (fl & mask));
        return;
    }
    if (v86_mode(cpu)) {
        /* SDM Vol.3 20.2.7: IRET in v8086 mode is IOPL-sensitive; it cannot change IOPL or VM. */
        if (iopl(cpu) != 3)
            fault(cpu, EXC_GP, 0);
        uint32_t off = stack_peek(cpu, 0, size);
        uint16_t sel = (uint16_t)stack_peek(cpu, size, 2);
        uint32_t fl = stack_peek(cpu, 2 * size, size);
        real_far(cpu, sel, off, size);
        set_sp(cpu, stack_off(cpu, (int32_t)(3 * size)));
        uint32_t mask = (FL_WRITABLE & ~FL_IOPL) & (size == 2 ? 0xFFFFu : ~0u);
        cpu_set_eflags(cpu, (cpu_get_eflags(cpu) & ~mask) | (fl & mask));
        return;
    }
    if (cpu->eflags & FL_NT) {
        /* Return from a nested task through the back link (SDM Vol.3 7.3). */
        uint16_t link = (uint16_t)rd_lin(cpu, cpu->tr.base, 2);
        struct desc d;
        if ((link & 4) || !read_desc(cpu, link, &d) || desc_s(&d) ||
            (desc_type(&d) != T_TSS16_BUSY && desc_type(&d) != T_TSS32_BUSY))
            fault(cpu, EXC_TS, SEL_IDX(link));
        task_switch(cpu, link, &d, TS_IRET, false, 0);
        return;
    }
    uint32_t off = stack_peek(cpu, 0, size);
    uint16_t sel = (uint16_t)stack_peek(cpu, size, 2);
    uint32_t fl = stack_peek(cpu, 2 * size, size);
    if (size == 4 && (fl & FL_VM) && cpu->cpl == 0) {
        /* Return to v8086 mode (SDM Vol.2 IRET "RETURN-TO-VIRTUAL-8086-MODE"). */
        uint32_t esp = stack_peek(cpu, 12, 4);
        uint16_t segs[5];
        for (int i = 0; i < 5; i++)
            segs[i] = (uint16_t)stack_peek(cpu, 16 + 4 * (uint32_t)i, 2);   /* SS ES DS FS GS */
        cpu_set_eflags(cpu, fl);
        load_v86_seg(&cpu->seg[SEG_CS], sel);
        load_v86_seg(&cpu->seg[SEG_SS], segs[0]);
        load_v86_seg(&cpu->seg[SEG_ES], segs[1]);
        load_v86_seg(&cpu->seg[SEG_DS], segs[2]);
        load_v86_seg(&cpu->seg[SEG_FS], segs[3]);
        load_v86_seg(&cpu->seg[SEG_GS], segs[4]);
        cpu->regs[R_ESP] = esp;
        cpu->eip = off & 0xFFFF;
        cpu->cpl = 3;
        return;
    }
    struct desc d;
    check_return_cs(cpu, sel, &d);
    if (size == 2)
        off &= 0xFFFF;
    unsigned old_cpl = cpu->cpl, rpl = SEL_RPL(sel);
    if (rpl == old_cpl) {
        if (off > desc_limit(&d))
            fault(cpu, EXC_GP, 0);
        set_accessed(cpu, sel, &d);
        load_cs(cpu, sel, &d, rpl);
        cpu->eip = off;
        set_sp(cpu, stack_off(cpu, (int32_t)(3 * size)));
        iret_flags(cpu, fl, size, old_cpl);
        return;
    }
    uint32_t esp = stack_peek(cpu, 3 * size, size);
    uint16_t ss = (uint16_t)stack_peek(cpu, 4 * size, 2);
    struct stack st;
    load_outer_stack(cpu, ss, esp, rpl, &st);
    if (off > desc_limit(&d))
        fault(cpu, EXC_GP, 0);
    set_accessed(cpu, sel, &d);
    load_cs(cpu, sel, &d, rpl);
    cpu->eip = off;
    set_esp_for(cpu, &st, esp);
    iret_flags(cpu, fl, size, old_cpl);
    null_outer_segs(cpu);
}

/* ---- interrupts and exceptions ---- */

static void interrupt_real(struct cpu *cpu, int vec, uint32_t return_eip)
{
    /* SDM Vol.3 20.1.4: the IVT entry must lie within the IDTR limit, else #GP. */
    if ((uint32_t)vec * 4 + 3 > cpu->idtr.limit)
        fault(cpu, EXC_GP, (uint32_t)vec * 8 + 2);
    uint32_t entry = rd_lin(cpu, cpu->idtr.base + (uint32_t)vec * 4, 4);
    struct stack st = current_stack(cpu);
    stack_push(cpu, &st, cpu_get_eflags(cpu), 2);
    stack_push(cpu, &st, cpu->seg[SEG_CS].sel, 2);
    stack_push(cpu, &st, return_eip, 2);
    commit_stack(cpu, &st);
    /* INT n pseudo-code, real-address mode: IF, TF and AC are cleared. */
    cpu->eflags &= ~(FL_IF | FL_TF | FL_AC);
    cpu_load_seg_real(cpu, SEG_CS, (uint16_t)(entry >> 16));
    cpu->eip = entry & 0xFFFF;
}

static void interrupt_prot(struct cpu *cpu, int vec, enum int_kind kind, uint32_t return_eip, bool has_err,
                           uint32_t err)
{
    uint32_t ext = kind == INT_HW ? 1 : 0;
    uint32_t gate_err = (uint32_t)vec * 8 + 2 + ext;
    if (cpu->ext_event)
        gate_err |= 1;
    /* SDM Vol.3 20.2.7 / 20.3: INT n in v8086 mode with IOPL < 3 is #GP(0) (no VME). */
    if (kind == INT_SOFT && v86_mode(cpu) && iopl(cpu) != 3)
        fault(cpu, EXC_GP, 0);
    if ((uint32_t)vec * 8 + 7 > cpu->idtr.limit)
        fault(cpu, EXC_GP, gate_err);
    struct desc g;
    g.lo = rd_lin(cpu, cpu->idtr.base + (uint32_t)vec * 8, 4);
    g.hi = rd_lin(cpu, cpu->idtr.base + (uint32_t)vec * 8 + 4, 4);
    unsigned type = desc_type(&g);
    if (desc_s(&g) || (type != T_TASKGATE && type != T_INTGATE16 && type != T_TRAPGATE16 &&
                       type != T_INTGATE32 && type != T_TRAPGATE32))
        fault(cpu, EXC_GP, gate_err);
    if (kind == INT_SOFT && desc_dpl(&g) < cpu->cpl)
        fault(cpu, EXC_GP, gate_err);
    if (!desc_present(&g))
        fault(cpu, EXC_NP, gate_err);
    if (type == T_TASKGATE) {
        uint16_t tss = (uint16_t)(g.lo >> 16);
        struct desc td;
        if ((tss & 4) || !read_desc(cpu, tss, &td) || desc_s(&td) ||
            (desc_type(&td) != T_TSS16_AVAIL && desc_type(&td) != T_TSS32_AVAIL))
            fault(cpu, EXC_TS, SEL_IDX(tss));
        cpu->eip = return_eip;
        task_switch(cpu, tss, &td, TS_INT, has_err, err);
        return;
    }
    uint16_t csel = (uint16_t)(g.lo >> 16);
    struct desc cd;
    if (SEL_NULL(csel))
        fault(cpu, EXC_GP, ext);
    if (!read_desc(cpu, csel, &cd) || !desc_code(&cd) || desc_dpl(&cd) > cpu->cpl)
        fault(cpu, EXC_GP, SEL_IDX(csel) | ext);
    if (!desc_present(&cd))
        fault(cpu, EXC_NP, SEL_IDX(csel) | ext);
    unsigned gsize = (type & 8) ? 4 : 2;
    uint32_t target = gate_offset(&g);
    uint32_t flags = cpu_get_eflags(cpu);
    struct stack st;
    unsigned new_cpl = cpu->cpl;
    bool from_v86 = v86_mode(cpu);
    if (!desc_conforming(&cd) && desc_dpl(&cd) < cpu->cpl) {
        new_cpl = desc_dpl(&cd);
        if (from_v86 && new_cpl != 0)
            fault(cpu, EXC_GP, SEL_IDX(csel) | ext);
        st = inner_stack(cpu, new_cpl);
        if (from_v86) {
            /* SDM Vol.3 20.3.1.1: the v8086 segment registers are saved on the ring-0 stack. */
            stack_push(cpu, &st, cpu->seg[SEG_GS].sel, gsize);
            stack_push(cpu, &st, cpu->seg[SEG_FS].sel, gsize);
            stack_push(cpu, &st, cpu->seg[SEG_DS].sel, gsize);
            stack_push(cpu, &st, cpu->seg[SEG_ES].sel, gsize);
        }
        stack_push(cpu, &st, cpu->seg[SEG_SS].sel, gsize);
        stack_push(cpu, &st, cpu->regs[R_ESP], gsize);
    } else {
        if (from_v86)
            fault(cpu, EXC_GP, SEL_IDX(csel) | ext);  /* v8086 handlers must run at ring 0 */
        st = current_stack(cpu);
    }
    stack_push(cpu, &st, flags, gsize);
    stack_push(cpu, &st, cpu->seg[SEG_CS].sel, gsize);
    stack_push(cpu, &st, return_eip, gsize);
    if (has_err)
        stack_push(cpu, &st, err, gsize);
    if (target > desc_limit(&cd))
        fault(cpu, EXC_GP, ext);
    /* Commit. */
    set_accessed(cpu, csel, &cd);
    commit_stack(cpu, &st);
    load_cs(cpu, csel, &cd, new_cpl);
    cpu->eip = target;
    if (from_v86) {
        load_null(&cpu->seg[SEG_ES], 0);
        load_null(&cpu->seg[SEG_DS], 0);
        load_null(&cpu->seg[SEG_FS], 0);
        load_null(&cpu->seg[SEG_GS], 0);
    }
    uint32_t clear = FL_TF | FL_NT | FL_RF | FL_VM;
    if (!(type & 1))
        clear |= FL_IF;                               /* interrupt gate, not trap gate */
    cpu->eflags &= ~clear;
}

void cpu_interrupt(struct cpu *cpu, int vec, enum int_kind kind, uint32_t return_eip, bool has_error, uint32_t error)
{
    if (prot_mode(cpu))
        interrupt_prot(cpu, vec, kind, return_eip, has_error, error);
    else
        interrupt_real(cpu, vec, return_eip);
    cpu->halted = false;
}

/* ---- LLDT, LTR, I/O permissions ---- */

void load_ldtr(struct cpu *cpu, uint16_t sel)
{
    if (SEL_NULL(sel)) {
        load_null(&cpu->ldtr, sel);
        return;
    }
    struct desc d;
    if ((sel & 4) || !read_desc(cpu, sel, &d) || desc_s(&d) || desc_type(&d) != T_LDT)
        fault(cpu, EXC_GP, SEL_IDX(sel));
    if (!desc_present(&d))
        fault(cpu, EXC_NP, SEL_IDX(sel));
    cache_from_desc(&cpu->ldtr, sel, &d);
}

void load_tr(struct cpu *cpu, uint16_t sel)
{
    struct desc d;
    if (SEL_NULL(sel))
        fault(cpu, EXC_GP, 0);
    if ((sel & 4) || !read_desc(cpu, sel, &d) || desc_s(&d) ||
        (desc_type(&d) != T_TSS16_AVAIL && desc_type(&d) != T_TSS32_AVAIL))
        fault(cpu, EXC_GP, SEL_IDX(sel));
    if (!desc_present(&d))
        fault(cpu, EXC_NP, SEL_IDX(sel));
    set_busy(cpu, sel, true);
    d.hi |= 0x200;
    cache_from_desc(&cpu->tr, sel, &d);
}

void io_check(struct cpu *cpu, uint16_t port, unsigned size)
{
    if (!prot_mode(cpu) || (!v86_mode(cpu) && cpu->cpl <= iopl(cpu)))
        return;
    /* Only a 32-bit TSS has the bitmap; its offset is the word at 0x66 (SDM Vol.1 19.5.2). */
    if (((cpu->tr.attr & 0xF) & ~2u) != T_TSS32_AVAIL || cpu->tr.limit < 0x67)
        fault(cpu, EXC_GP, 0);
    uint32_t base = rd_lin(cpu, cpu->tr.base + 0x66, 2);
    uint32_t byte = base + port / 8;
    if (byte + 1 > cpu->tr.limit)
        fault(cpu, EXC_GP, 0);
    uint32_t bits = rd_lin(cpu, cpu->tr.base + byte, 2);
    uint32_t mask = ((1u << size) - 1) << (port & 7);
    if (bits & mask)
        fault(cpu, EXC_GP, 0);
}
