/* x86-64 backend: IR (jit/ir.h) -> host code. Guest registers stay in struct cpu (rbx points
 * at it for the whole block); eax, ecx, edx are scratch. The inline forms are the register-only
 * moves and ALU operations, run with the host's own instruction of the same width: x86 defines
 * OF SF ZF PF CF identically for host and guest, so after an inline ALU operation the host's
 * flags ARE the guest's, and a following Jcc tests them directly (host condition codes are
 * numbered like the guest's, SDM Vol.2 appendix B.1.4.7). The lazy flag record (cpu->lf) is
 * stored as the interpreter would store it, so helpers and the interpreter see the same state.
 * Everything else calls interp_exec. */
#include "jit/backend.h"

#include <stddef.h>
#include <string.h>

#include "core/flags.h"
#include "core/interp.h"

struct em {
    uint8_t *p, *end;
    bool full;
};

static void b1(struct em *e, unsigned v)
{
    if (e->p < e->end)
        *e->p++ = (uint8_t)v;
    else
        e->full = true;
}

static void b4(struct em *e, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        b1(e, (v >> (8 * i)) & 0xFF);
}

static void b8(struct em *e, uint64_t v)
{
    b4(e, (uint32_t)v);
    b4(e, (uint32_t)(v >> 32));
}

enum { EAX = 0, ECX = 1, EDX = 2 };

/* ModRM for [rbx + disp32] with reg field r. */
static void m_rbx(struct em *e, unsigned r, uint32_t disp)
{
    b1(e, 0x80 | (r << 3) | 3);
    b4(e, disp);
}

#define OFF(field) ((uint32_t)offsetof(struct cpu, field))

/* Byte offset of guest register r of the given size in struct cpu (AH..BH are byte 1 of
 * EAX..EBX). */
static uint32_t reg_off(unsigned r, unsigned size)
{
    if (size == 1 && r >= 4)
        return OFF(regs) + (r - 4) * 4 + 1;
    return OFF(regs) + r * 4;
}

/* host = zero-extended guest register */
static void load(struct em *e, unsigned host, unsigned r, unsigned size)
{
    if (size == 4) {
        b1(e, 0x8B);
    } else {
        b1(e, 0x0F);
        b1(e, size == 1 ? 0xB6 : 0xB7);
    }
    m_rbx(e, host, reg_off(r, size));
}

/* guest register = low size bytes of host. An 8- or 16-bit write is merged into the whole
 * register in r11 and stored as 32 bits (flags untouched): a narrow store followed by a 32-bit
 * load of the register (in this block or the next) cannot be forwarded from the store buffer
 * and stalls the host ~12 cycles, which an LZ decompressor's byte loop (Linux's boot) hit at
 * every iteration. AH..BH keep the byte store (no r11 form for them). */
static void store(struct em *e, unsigned r, unsigned host, unsigned size)
{
    if (size == 4 || (size == 1 && r >= 4)) {
        b1(e, size == 1 ? 0x88 : 0x89);
        m_rbx(e, host, reg_off(r, size));
        return;
    }
    b1(e, 0x44); b1(e, 0x8B); m_rbx(e, 3, OFF(regs) + r * 4);  /* mov r11d, [reg] */
    if (size == 2)
        b1(e, 0x66);
    b1(e, 0x41); b1(e, size == 1 ? 0x88 : 0x89); b1(e, 0xC3 | (host << 3));   /* mov r11b/w, host */
    b1(e, 0x44); b1(e, 0x89); m_rbx(e, 3, OFF(regs) + r * 4);  /* mov [reg], r11d */
}

static void store32(struct em *e, uint32_t off, unsigned host)
{
    b1(e, 0x89);
    m_rbx(e, host, off);
}

static void store_imm32(struct em *e, uint32_t off, uint32_t v)
{
    b1(e, 0xC7);
    m_rbx(e, 0, off);
    b4(e, v);
}

static void store_imm(struct em *e, uint32_t off, uint32_t v, unsigned size)
{
    if (size == 4) {
        store_imm32(e, off, v);
    } else if (size == 2) {
        b1(e, 0x66);
        b1(e, 0xC7);
        m_rbx(e, 0, off);
        b1(e, v & 0xFF);
        b1(e, (v >> 8) & 0xFF);
    } else {
        b1(e, 0xC6);
        m_rbx(e, 0, off);
        b1(e, v & 0xFF);
    }
}

static void mov_r_imm32(struct em *e, unsigned host, uint32_t v)
{
    b1(e, 0xB8 + host);
    b4(e, v);
}

/* icount += n (add qword [rbx+icount], imm8/imm32) */
static void add_icount(struct em *e, unsigned n)
{
    if (n == 0)
        return;
    b1(e, 0x48);
    if (n < 128) {
        b1(e, 0x83);
        m_rbx(e, 0, OFF(icount));
        b1(e, n);
    } else {
        b1(e, 0x81);
        m_rbx(e, 0, OFF(icount));
        b4(e, n);
    }
}

static void call_abs(struct em *e, const void *fn)
{
    b1(e, 0x48); b1(e, 0xB8); b8(e, (uint64_t)(uintptr_t)fn);   /* mov rax, fn */
    b1(e, 0xFF); b1(e, 0xD0);                                   /* call rax */
}

static void mov_rdi_cpu(struct em *e)
{
    b1(e, 0x48); b1(e, 0x89); b1(e, 0xDF);                      /* mov rdi, rbx */
}

/* return value, then pop rbx; ret */
static void leave_block(struct em *e, int chain)
{
    mov_r_imm32(e, EAX, (uint32_t)chain);
    b1(e, 0x5B);
    b1(e, 0xC3);
}

/* flags_materialize for generated code. */
static void jit_flags_materialize(struct cpu *cpu)
{
    flags_materialize(cpu);
}

/* Leaves for a successor the block cannot chain to: fn (jit_next_slot) gives
 * the next block's chained entry, which runs in this frame (rbx is still the CPU), or NULL, and
 * then the block returns otherwise to the run loop. */
static void next_exit(struct em *e, const void *fn, int otherwise)
{
    mov_rdi_cpu(e);
    call_abs(e, fn);
    b1(e, 0x48); b1(e, 0x85); b1(e, 0xC0);                      /* test rax, rax */
    b1(e, 0x74); b1(e, 2);                                      /* jz +2 */
    b1(e, 0xFF); b1(e, 0xE0);                                   /* jmp rax */
    leave_block(e, otherwise);
}

/* jcc rel32 / jmp rel32 with the displacement patched later; returns the patch position. */
static uint8_t *jcc32(struct em *e, unsigned cc)
{
    b1(e, 0x0F);
    b1(e, 0x80 + cc);
    uint8_t *at = e->p;
    b4(e, 0);
    return at;
}

static void patch_here(struct em *e, uint8_t *at)
{
    if (e->full || !at)
        return;
    int32_t rel = (int32_t)(e->p - (at + 4));
    memcpy(at, &rel, 4);
}

static void patch_to(struct em *e, uint8_t *at, const uint8_t *target)
{
    if (e->full || !at)
        return;
    int32_t rel = (int32_t)(target - (at + 4));
    memcpy(at, &rel, 4);
}

static unsigned size_idx(unsigned size) { return size == 1 ? 0 : size == 2 ? 1 : 2; }

/* The interpreter's call for one instruction: the state step() sets up (core/cpu.c), then
 * interp_exec. pending: instructions retired inline since icount was last written. */
_Static_assert(offsetof(struct cpu, lf) == offsetof(struct cpu, eflags) + 4 &&
               offsetof(struct cpu, insn_lf) == offsetof(struct cpu, insn_eflags) + 4 &&
               sizeof(struct lazy_flags) == 20, "emit_helper_call copies eflags+lf as 24 bytes");

static void emit_call_for(struct em *e, const struct ir_op *o, unsigned pending, const void *fn)
{
    store_imm32(e, OFF(eip), o->next_eip);
    store_imm32(e, OFF(insn_eip), o->eip);
    b1(e, 0x8B); m_rbx(e, EAX, OFF(regs) + R_ESP * 4);
    store32(e, OFF(insn_esp), EAX);
    /* cpu_commit_flags: eflags and lf (24 bytes) to insn_eflags and insn_lf, for a fault; in
     * dwords, as they were stored (a wider load over them would miss store forwarding) */
    for (uint32_t i = 0; i < 24; i += 4) {
        b1(e, 0x8B); m_rbx(e, EAX, OFF(eflags) + i);                 /* mov eax, [rbx+..] */
        store32(e, OFF(insn_eflags) + i, EAX);
    }
    add_icount(e, pending);
    mov_rdi_cpu(e);
    b1(e, 0x48); b1(e, 0xBE); b8(e, (uint64_t)(uintptr_t)o->in);  /* mov rsi, in */
    call_abs(e, fn);
}

static void emit_helper_call(struct em *e, const struct ir_op *o, unsigned pending)
{
    emit_call_for(e, o, pending, (const void *)interp_exec);
}

static const uint8_t alu_rm_r[9][2] = {
    /* 8-bit, 16/32-bit "op r/m, r" opcodes */
    [IR_ADD] = {0x00, 0x01}, [IR_OR] = {0x08, 0x09}, [IR_AND] = {0x20, 0x21}, [IR_SUB] = {0x28, 0x29},
    [IR_XOR] = {0x30, 0x31}, [IR_ADC] = {0x10, 0x11}, [IR_SBB] = {0x18, 0x19},
    /* CMP and TEST record their result in the lazy flags (flags.c computes ZF/SF/PF from it):
     * the host runs SUB and AND, whose flags are the same, and the result is not written back. */
    [IR_CMP] = {0x28, 0x29}, [IR_TEST] = {0x20, 0x21},
};

static unsigned lf_family(unsigned alu)
{
    switch (alu) {
    case IR_ADD: return LF_ADD8;
    case IR_ADC: return LF_ADC8;
    case IR_SBB: return LF_SBB8;
    case IR_SUB: case IR_CMP: return LF_SUB8;
    case IR_INC: return LF_INC8;
    case IR_DEC: return LF_DEC8;
    default: return LF_LOGIC8;
    }
}

/* eax = eax <alu> ecx at the guest size, host flags set, lazy record stored; edx = the first
 * operand. The result is not written anywhere: the callers write it back (register or memory)
 * unless the operation is CMP or TEST. */
static bool alu_uses_cf(const struct ir_op *o)
{
    return o->alu == IR_ADC || o->alu == IR_SBB;
}

/* edi = the guest's CF (0 or 1), for ADC and SBB: from the host's CF when it is the guest's,
 * else from the lazy record. First in the op: the call clobbers the scratch registers. */
static void emit_get_cf(struct em *e, bool from_host)
{
    if (from_host) {
        b1(e, 0x40); b1(e, 0x0F); b1(e, 0x92); b1(e, 0xC7);     /* setc dil */
        b1(e, 0x40); b1(e, 0x0F); b1(e, 0xB6); b1(e, 0xFF);     /* movzx edi, dil */
    } else {
        mov_rdi_cpu(e);
        call_abs(e, (const void *)flag_cf);
        b1(e, 0x0F); b1(e, 0xB6); b1(e, 0xF8);                  /* movzx edi, al */
    }
}

/* ... and ADC/SBB take the carry-in from edi (emit_get_cf). */
static void emit_alu(struct em *e, const struct ir_op *o)
{
    unsigned s = o->size;
    b1(e, 0x89); b1(e, 0xC2);                                   /* mov edx, eax */
    if (alu_uses_cf(o)) {
        b1(e, 0x0F); b1(e, 0xBA); b1(e, 0xE7); b1(e, 0);        /* bt edi, 0: CF = carry-in */
    }
    if (s == 2)
        b1(e, 0x66);
    b1(e, alu_rm_r[o->alu][s != 1]);
    b1(e, 0xC8);                                                /* eax, ecx */
    store32(e, OFF(lf.res), EAX);
    store32(e, OFF(lf.src1), EDX);
    store32(e, OFF(lf.src2), ECX);
    if (alu_uses_cf(o))
        store32(e, OFF(lf.cf_in), 7);
    store_imm32(e, OFF(lf.op), lf_family(o->alu) + size_idx(s));
}

static bool alu_writes(const struct ir_op *o)
{
    return o->alu != IR_CMP && o->alu != IR_TEST;
}

/* ---- memory operands ---- */

/* esi = the offset of in's ModRM memory operand (the interpreter's ea_offset). eax is scratch. */
static void emit_ea(struct em *e, const struct insn *in)
{
    b1(e, 0xBE); b4(e, in->disp);                               /* mov esi, disp */
    if (in->ea.base >= 0) {
        b1(e, 0x03); m_rbx(e, 6, OFF(regs) + (uint32_t)in->ea.base * 4);   /* add esi, base */
    }
    if (in->ea.index >= 0) {
        b1(e, 0x8B); m_rbx(e, EAX, OFF(regs) + (uint32_t)in->ea.index * 4); /* mov eax, index */
        if (in->ea.scale) {
            b1(e, 0xC1); b1(e, 0xE0); b1(e, in->ea.scale);      /* shl eax, scale */
        }
        b1(e, 0x01); b1(e, 0xC6);                               /* add esi, eax */
    }
    if (!in->adsize32) {
        b1(e, 0x0F); b1(e, 0xB7); b1(e, 0xF6);                  /* movzx esi, si */
    }
}

/* esi = the stack offset a push of size bytes writes (delta -size) or a pop reads (delta 0),
 * wrapped at the stack size (core/access.h stack_off). */
static void emit_stack_off(struct em *e, unsigned size, bool push, bool ss32)
{
    b1(e, 0x8B); m_rbx(e, 6, OFF(regs) + R_ESP * 4);           /* mov esi, [esp] */
    if (push) {
        b1(e, 0x83); b1(e, 0xEE); b1(e, size);                  /* sub esi, size */
    }
    if (!ss32) {
        b1(e, 0x0F); b1(e, 0xB7); b1(e, 0xF6);                  /* movzx esi, si */
    }
}

/* (E)SP = esi (SP alone with a 16-bit stack, core/access.h set_sp) */
static void emit_set_sp(struct em *e, bool ss32)
{
    if (ss32)
        store32(e, OFF(regs) + R_ESP * 4, 6);
    else
        store(e, R_ESP, 6, 2);
}

/* An out-of-line slow path: the whole instruction through the interpreter. */
struct stub {
    uint8_t *from[16];      /* jumps to patch to the stub */
    unsigned nfrom;
    const struct ir_op *o;
    unsigned pending;
    uint8_t *cont;          /* where the main path goes on */
    bool reflag;            /* redo the host flags from the lazy record (ALU forms) */
};

struct ctx {
    struct em *e;
    const struct ir_block *b;
    const uint32_t *gen_ptr;
    const struct backend_env *env;
    struct stub stubs[IR_MAX_OPS * 2];
    unsigned nstubs;
    uint8_t *exits[IR_MAX_OPS * 8];
    unsigned nexits;
    uint8_t *slot_at[2];    /* the chain slots' rel32 */
};

_Static_assert(sizeof(struct tlb_entry) == 32, "the TLB index is scaled by a shift of 5");
_Static_assert(sizeof(struct jit_jc) == 32, "the jump cache index is scaled by a shift of 5");

/* edx, a linear address, becomes the byte offset of its TLB entry in a table,
 * ((edx >> 12) & (TLB_SIZE - 1)) * 32, computed as (edx >> 7) & ((TLB_SIZE - 1) << 5) */
static void emit_tlb_index(struct em *e)
{
    b1(e, 0xC1); b1(e, 0xEA); b1(e, MEM_PAGE_SHIFT - 5);        /* shr edx, 7 */
    b1(e, 0x81); b1(e, 0xE2); b4(e, (TLB_SIZE - 1) << 5);       /* and edx, (TLB_SIZE-1) << 5 */
}

enum access { A_READ, A_WRITE, A_RMW };

/* The inline access of size bytes at seg:esi: a read leaves the zero-extended value in eax, a
 * write stores edi (esi is kept for both); A_RMW checks for a write, leaves the host address in
 * rsi and the value in eax, and the caller stores to [rsi] with emit_rmw_store - no second
 * probe, and nothing of the instruction is done before the one check that can fail, so the
 * stub's rerun starts from the state before it (a fault there restores that state). Conditions
 * for the fast path, each as the interpreter's rd_seg/wr_seg decides it (core/access.h): the
 * segment allows the access and is not expand-down, the access lies within its limit (both known
 * for DS, ES and SS in an IRM_FLAT block), does not cross a page, is aligned at CPL 3 (where #AC
 * may apply), and the TLB maps the page to RAM for this access (for writes: already dirty and
 * not holding code). Anything else jumps to the stub st. */
static void emit_access(struct ctx *c, struct stub *st, int seg, unsigned size, enum access mode)
{
    struct em *e = c->e;
    bool write = mode != A_READ;
    unsigned need = SEG_VALID | (mode == A_READ ? SEG_R : mode == A_WRITE ? SEG_W : SEG_R | SEG_W);
    uint8_t *j1 = NULL, *j2 = NULL, *j3 = NULL;
    if ((c->b->mode & IRM_FLAT) && (seg == SEG_DS || seg == SEG_ES || seg == SEG_SS)) {
        /* base 0 and every offset within the limit; an access that wraps at the end of the
         * address space crosses a page, which sends it to the stub below */
        b1(e, 0x89); b1(e, 0xF0);                               /* mov eax, esi */
    } else {
        b1(e, 0x8B); m_rbx(e, ECX, OFF(seg[0].rights) + (uint32_t)seg * sizeof(struct seg)); /* mov ecx, rights */
        b1(e, 0x83); b1(e, 0xE1); b1(e, need | SEG_DOWN);       /* and ecx, need|DOWN */
        b1(e, 0x83); b1(e, 0xF9); b1(e, need);                  /* cmp ecx, need */
        j1 = jcc32(e, 0x5);
        b1(e, 0x8B); m_rbx(e, ECX, OFF(seg[0].limit) + (uint32_t)seg * sizeof(struct seg)); /* mov ecx, limit */
        if (size > 1) {
            b1(e, 0x83); b1(e, 0xE9); b1(e, size - 1);          /* sub ecx, size-1 */
            j2 = jcc32(e, 0x2);                                 /* jb */
        }
        b1(e, 0x39); b1(e, 0xCE);                               /* cmp esi, ecx */
        j3 = jcc32(e, 0x7);                                     /* ja */
        b1(e, 0x89); b1(e, 0xF0);                               /* mov eax, esi */
        b1(e, 0x03); m_rbx(e, EAX, OFF(seg[0].base) + (uint32_t)seg * sizeof(struct seg)); /* add eax, base */
    }
    uint8_t *j5 = NULL;
    if (size > 1 && (c->b->mode & IRM_USER)) {
        b1(e, 0xA9); b4(e, size - 1);                           /* test eax, size-1 */
        j5 = jcc32(e, 0x5);
    }
    uint32_t tlb = OFF(tlb) + ((c->b->mode & IRM_USER) ? TLB_SIZE * (uint32_t)sizeof(struct tlb_entry) : 0);
    b1(e, 0x89); b1(e, 0xC2);                                   /* mov edx, eax */
    emit_tlb_index(e);
    /* The page of the access's last byte against the tag of its first byte's page: an access
     * that crosses into the next page (or wraps at 4 GiB) misses, as QEMU's softmmu does it. */
    if (size > 1) {
        b1(e, 0x8D); b1(e, 0x48); b1(e, size - 1);              /* lea ecx, [rax+size-1] */
    } else {
        b1(e, 0x89); b1(e, 0xC1);                               /* mov ecx, eax */
    }
    b1(e, 0x81); b1(e, 0xE1); b4(e, ~(MEM_PAGE_SIZE - 1));      /* and ecx, page mask */
    b1(e, 0x3B); b1(e, 0x8C); b1(e, 0x13);                      /* cmp ecx, [rbx+rdx+tag] */
    b4(e, tlb + (uint32_t)(write ? offsetof(struct tlb_entry, tag_w) : offsetof(struct tlb_entry, tag_r)));
    uint8_t *j6 = jcc32(e, 0x5);
    b1(e, 0x48); b1(e, 0x8B); b1(e, 0x8C); b1(e, 0x13);         /* mov rcx, [rbx+rdx+host] */
    b4(e, tlb + (uint32_t)offsetof(struct tlb_entry, host));
    b1(e, 0x48); b1(e, 0x85); b1(e, 0xC9);                      /* test rcx, rcx */
    uint8_t *j7 = jcc32(e, 0x4);                                /* jz */
    b1(e, 0x25); b4(e, MEM_PAGE_SIZE - 1);                      /* and eax, 0xFFF */
    if (mode == A_RMW) {
        b1(e, 0x48); b1(e, 0x8D); b1(e, 0x34); b1(e, 0x01);     /* lea rsi, [rcx+rax] */
        if (size == 1) { b1(e, 0x0F); b1(e, 0xB6); }            /* movzx eax, byte [rsi] */
        else if (size == 2) { b1(e, 0x0F); b1(e, 0xB7); }       /* movzx eax, word [rsi] */
        else b1(e, 0x8B);                                       /* mov eax, [rsi] */
        b1(e, 0x06);
    } else if (write) {
        if (size == 1) { b1(e, 0x40); b1(e, 0x88); }            /* mov [rcx+rax], dil */
        else if (size == 2) { b1(e, 0x66); b1(e, 0x89); }       /* mov [rcx+rax], di */
        else b1(e, 0x89);                                       /* mov [rcx+rax], edi */
        b1(e, 0x3C); b1(e, 0x01);
    } else {
        if (size == 1) { b1(e, 0x0F); b1(e, 0xB6); }            /* movzx eax, byte [rcx+rax] */
        else if (size == 2) { b1(e, 0x0F); b1(e, 0xB7); }       /* movzx eax, word [rcx+rax] */
        else b1(e, 0x8B);                                       /* mov eax, [rcx+rax] */
        b1(e, 0x04); b1(e, 0x01);
    }
    uint8_t *js[6] = {j1, j2, j3, j5, j6, j7};
    for (int i = 0; i < 6; i++)
        if (js[i] && st->nfrom < sizeof(st->from) / sizeof(st->from[0]))
            st->from[st->nfrom++] = js[i];
}

/* The write half of an A_RMW access: [rsi] = eax (host flags kept). */
static void emit_rmw_store(struct em *e, unsigned size)
{
    if (size == 1) b1(e, 0x88);                                 /* mov [rsi], al */
    else if (size == 2) { b1(e, 0x66); b1(e, 0x89); }           /* mov [rsi], ax */
    else b1(e, 0x89);                                           /* mov [rsi], eax */
    b1(e, 0x06);
}

static bool cc_needs_cf(unsigned cc)
{
    return (cc >> 1) == 1 || (cc >> 1) == 3;   /* B/AE, BE/A */
}

static bool cc_needs_of(unsigned cc)
{
    return (cc >> 1) == 0 || (cc >> 1) == 6 || (cc >> 1) == 7;   /* O/NO, L/GE, LE/G */
}

/* Whether condition cc can be read from the host's flags (which of them are the guest's). */
static bool cc_on_host(unsigned cc, bool live, bool cf, bool of)
{
    return live && (!cc_needs_cf(cc) || cf) && (!cc_needs_of(cc) || of);
}

/* icount -= n */
static void sub_icount(struct em *e, unsigned n)
{
    b1(e, 0x48);
    b1(e, 0x81);
    m_rbx(e, 5, OFF(icount));
    b4(e, n);
}

/* Host flags from the lazy record the interpreter left (after a slow path ran an ALU form):
 * the same operation on the recorded operands gives the same OF SF ZF PF CF. */
static void emit_reflag(struct em *e, const struct ir_op *o)
{
    unsigned s = o->size;
    if (o->alu == IR_INC || o->alu == IR_DEC) {
        b1(e, 0x8B); m_rbx(e, EAX, OFF(lf.src1));
        b1(e, 0x8B); m_rbx(e, EDX, OFF(lf.cf_in));
        b1(e, 0x0F); b1(e, 0xBA); b1(e, 0xE2); b1(e, 0);        /* bt edx, 0: CF kept */
        if (s == 2)
            b1(e, 0x66);
        b1(e, s == 1 ? 0xFE : 0xFF);
        b1(e, o->alu == IR_DEC ? 0xC8 : 0xC0);                  /* inc/dec eax */
    } else if (o->alu == IR_ADD || o->alu == IR_SUB || o->alu == IR_CMP || alu_uses_cf(o)) {
        b1(e, 0x8B); m_rbx(e, EAX, OFF(lf.src1));
        b1(e, 0x8B); m_rbx(e, ECX, OFF(lf.src2));
        if (alu_uses_cf(o)) {
            b1(e, 0x8B); m_rbx(e, EDX, OFF(lf.cf_in));
            b1(e, 0x0F); b1(e, 0xBA); b1(e, 0xE2); b1(e, 0);    /* bt edx, 0 */
        }
        if (s == 2)
            b1(e, 0x66);
        b1(e, alu_rm_r[o->alu == IR_CMP ? IR_SUB : o->alu][s != 1]);
        b1(e, 0xC8);
    } else {
        b1(e, 0x8B); m_rbx(e, EAX, OFF(lf.res));
        if (s == 2)
            b1(e, 0x66);
        b1(e, s == 1 ? 0x84 : 0x85);
        b1(e, 0xC0);                                            /* test eax, eax */
    }
}

/* The block's last guest-flag writer whose lazy record emit_reflag can turn back into host
 * flags: the ALU forms and INC/DEC (register or memory). */
static bool reflaggable(const struct ir_op *o)
{
    switch (o->kind) {
    case IR_ALU_RR: case IR_ALU_RI: case IR_ALU_RM: case IR_ALU_MR: case IR_ALU_MI:
    case IR_INCDEC: case IR_INCDEC_M: case IR_SCAS:
        return true;
    default:
        return false;
    }
}

/* Ops that leave the guest's flags (and so the lazy record) as they were, though they may
 * change the host's. */
static bool keeps_guest_flags(const struct ir_op *o)
{
    switch (o->kind) {
    case IR_MOV_RR: case IR_MOV_RI: case IR_MOVX: case IR_NOP: case IR_SETCC: case IR_CMOV:
    case IR_LOAD: case IR_STORE: case IR_STORE_I: case IR_LEA: case IR_PUSH: case IR_POP:
    case IR_CMOV_M: case IR_RDTSC: case IR_LODS: case IR_LEAVE:
        return true;
    case IR_UNARY:
        return o->alu == 2;                                     /* NOT */
    default:
        return false;
    }
}

/* Before an op reads the guest's flags from the host's: when a memory access or the like took
 * them from the host since the block's last flag writer src (whose record is cpu->lf), the
 * same operation again gives them back (emit_reflag), instead of a call to cond_true or
 * flag_cf. Clobbers eax, ecx and edx. */
static void refresh_host_flags(struct em *e, const struct ir_op *src, bool *live, bool *cf, bool *of)
{
    if (!src || (*live && *cf && *of))
        return;
    emit_reflag(e, src);
    *live = *cf = *of = true;
}

static void emit_stub(struct ctx *c, struct stub *st)
{
    struct em *e = c->e;
    for (unsigned i = 0; i < st->nfrom; i++)
        patch_here(e, st->from[i]);
    emit_helper_call(e, st->o, st->pending);
    add_icount(e, 1);
    /* As after any helper: a stop, or a write to this block's page, ends the block here. */
    b1(e, 0x83); m_rbx(e, 7, OFF(stop)); b1(e, 0);
    c->exits[c->nexits++] = jcc32(e, 0x5);
    b1(e, 0x48); b1(e, 0xB8); b8(e, (uint64_t)(uintptr_t)c->gen_ptr);
    b1(e, 0x81); b1(e, 0x38); b4(e, c->b->gen);
    c->exits[c->nexits++] = jcc32(e, 0x5);
    sub_icount(e, st->pending + 1);    /* the main path counts these itself */
    if (st->reflag)
        emit_reflag(e, st->o);
    b1(e, 0xE9);
    uint8_t *at = e->p;
    b4(e, 0);
    patch_to(e, at, st->cont);
}

void backend_patch_slot(uint8_t *rel, const uint8_t *rel_exec, const uint8_t *target)
{
    int32_t d = (int32_t)(target - (rel_exec + 4));
    memcpy(rel, &d, 4);
}

/* The jump-cache lookup, inline: with cpu->eip and icount stored, finds the next block's chained
 * entry in c->env->jc and jumps there, or falls through (a miss: the caller returns to the run
 * loop, or for a chain slot asks jit_next_slot, which may link it). The successor of a near
 * branch runs in this block's mode (no segment register, CPL or SS.B changes inside a block),
 * so the slot must hold that mode; the rest is what jit_next_slot checks: EIP within the CS
 * limit, a TLB hit on RAM for it, the slot's physical address and EIP, and its page generation
 * unchanged. The chained entry checks the budget and the CS limit of the whole block. */
static void emit_jc_lookup(struct ctx *c)
{
    struct em *e = c->e;
    const struct backend_env *env = c->env;
    uint32_t tlb = OFF(tlb) + ((c->b->mode & IRM_USER) ? TLB_SIZE * (uint32_t)sizeof(struct tlb_entry) : 0);
    uint8_t *miss[8];
    unsigned n = 0;
    b1(e, 0x8B); m_rbx(e, EAX, OFF(eip));                       /* mov eax, [eip] */
    b1(e, 0x3B); m_rbx(e, EAX, OFF(seg[SEG_CS].limit));         /* cmp eax, [cs.limit] */
    miss[n++] = jcc32(e, 0x7);                                  /* ja */
    b1(e, 0x89); b1(e, 0xC6);                                   /* mov esi, eax */
    b1(e, 0x03); m_rbx(e, EAX, OFF(seg[SEG_CS].base));          /* add eax, [cs.base]: linear */
    b1(e, 0x89); b1(e, 0xC2);                                   /* mov edx, eax */
    emit_tlb_index(e);
    b1(e, 0x89); b1(e, 0xC1);                                   /* mov ecx, eax */
    b1(e, 0x81); b1(e, 0xE1); b4(e, ~(MEM_PAGE_SIZE - 1));      /* and ecx, page mask */
    b1(e, 0x3B); b1(e, 0x8C); b1(e, 0x13);                      /* cmp ecx, [rbx+rdx+tag_r] */
    b4(e, tlb + (uint32_t)offsetof(struct tlb_entry, tag_r));
    miss[n++] = jcc32(e, 0x5);
    b1(e, 0x48); b1(e, 0x83); b1(e, 0xBC); b1(e, 0x13);         /* cmp qword [rbx+rdx+host], 0 */
    b4(e, tlb + (uint32_t)offsetof(struct tlb_entry, host)); b1(e, 0);
    miss[n++] = jcc32(e, 0x4);
    b1(e, 0x89); b1(e, 0xC1);                                   /* mov ecx, eax */
    b1(e, 0x81); b1(e, 0xE1); b4(e, MEM_PAGE_SIZE - 1);         /* and ecx, 0xFFF */
    b1(e, 0x0B); b1(e, 0x8C); b1(e, 0x13);                      /* or ecx, [rbx+rdx+phys]: physical */
    b4(e, tlb + (uint32_t)offsetof(struct tlb_entry, phys));
    b1(e, 0x89); b1(e, 0xC2);                                   /* mov edx, eax */
    b1(e, 0xC1); b1(e, 0xEA); b1(e, JIT_JC_BITS);               /* shr edx, JC_BITS */
    b1(e, 0x31); b1(e, 0xC2);                                   /* xor edx, eax */
    b1(e, 0x81); b1(e, 0xE2); b4(e, (1u << JIT_JC_BITS) - 1);   /* and edx, slots-1 */
    b1(e, 0xC1); b1(e, 0xE2); b1(e, 5);                         /* shl edx, 5 */
    b1(e, 0x48); b1(e, 0xBF); b8(e, (uint64_t)(uintptr_t)env->jc);   /* mov rdi, jc */
    b1(e, 0x48); b1(e, 0x01); b1(e, 0xD7);                      /* add rdi, rdx */
    b1(e, 0x3B); b1(e, 0x4F); b1(e, offsetof(struct jit_jc, phys));  /* cmp ecx, [rdi+phys] */
    miss[n++] = jcc32(e, 0x5);
    b1(e, 0x3B); b1(e, 0x77); b1(e, offsetof(struct jit_jc, eip));   /* cmp esi, [rdi+eip] */
    miss[n++] = jcc32(e, 0x5);
    b1(e, 0x80); b1(e, 0x7F); b1(e, offsetof(struct jit_jc, mode)); b1(e, c->b->mode);   /* cmp byte [rdi+mode] */
    miss[n++] = jcc32(e, 0x5);
    b1(e, 0x48); b1(e, 0xB8); b8(e, (uint64_t)(uintptr_t)env->a20_mask);   /* mov rax, &a20_mask */
    b1(e, 0x23); b1(e, 0x08);                                   /* and ecx, [rax] */
    b1(e, 0xC1); b1(e, 0xE9); b1(e, MEM_PAGE_SHIFT);            /* shr ecx, 12 */
    b1(e, 0x48); b1(e, 0xB8); b8(e, (uint64_t)(uintptr_t)env->page_gen);   /* mov rax, &page_gen */
    b1(e, 0x48); b1(e, 0x8B); b1(e, 0x00);                      /* mov rax, [rax] */
    b1(e, 0x8B); b1(e, 0x0C); b1(e, 0x88);                      /* mov ecx, [rax+rcx*4] */
    b1(e, 0x3B); b1(e, 0x4F); b1(e, offsetof(struct jit_jc, gen));   /* cmp ecx, [rdi+gen] */
    miss[n++] = jcc32(e, 0x5);
    b1(e, 0x48); b1(e, 0x8B); b1(e, 0x47); b1(e, offsetof(struct jit_jc, entry));   /* mov rax, [rdi+entry] */
    b1(e, 0x48); b1(e, 0x85); b1(e, 0xC0);                      /* test rax, rax */
    miss[n++] = jcc32(e, 0x4);
    b1(e, 0x48); b1(e, 0xBA); b8(e, (uint64_t)(uintptr_t)env->direct_entries);   /* mov rdx, &stat */
    b1(e, 0x48); b1(e, 0xFF); b1(e, 0x02);                      /* inc qword [rdx] */
    /* what jit_exec resets before each block */
    b1(e, 0xC6); m_rbx(e, 0, OFF(ss_shadow)); b1(e, 0);         /* mov byte [ss_shadow], 0 */
    b1(e, 0xC6); m_rbx(e, 0, OFF(rep_resumed)); b1(e, 0);       /* mov byte [rep_resumed], 0 */
    b1(e, 0xFF); b1(e, 0xE0);                                   /* jmp rax */
    for (unsigned i = 0; i < n; i++)
        patch_here(e, miss[i]);
}

/* A CALL's push of its return address (o->next_eip) at SS:(E)SP - size, then (E)SP moves; a
 * miss goes to st, which runs the whole CALL. */
static void emit_push_return(struct ctx *c, struct stub *st, const struct ir_op *o, bool ss32)
{
    emit_stack_off(c->e, o->size, true, ss32);
    mov_r_imm32(c->e, 7, o->next_eip);                          /* edi = return address */
    emit_access(c, st, SEG_SS, o->size, A_WRITE);
    emit_set_sp(c->e, ss32);
}

/* Leaves for a successor the block cannot name (RET, indirect jumps and calls, a helper's plain
 * branch), cpu->eip and icount stored: the jump cache inline, else the run loop. */
static void indirect_exit(struct ctx *c)
{
    if (c->env)
        emit_jc_lookup(c);
    leave_block(c->e, JIT_NEXT);
}

/* A direct exit (eip and icount already stored): jmp rel32 through chain slot k, which leads to
 * its stub until the run loop patches it (backend.h). */
static void chain_exit(struct ctx *c, unsigned k)
{
    struct em *e = c->e;
    b1(e, 0xE9);
    c->slot_at[k] = e->p;
    b4(e, 0);
}

/* A direct exit to eip: icount brought up to date, then chain slot k. */
static void branch_exit(struct ctx *c, uint32_t eip, unsigned retired, unsigned k)
{
    store_imm32(c->e, OFF(eip), eip);
    add_icount(c->e, retired);
    chain_exit(c, k);
}

/* A branch whose target fails the CS limit: the interpreter runs it (and raises #GP). */
static void fault_exit(struct em *e, const struct ir_op *o, unsigned pending)
{
    emit_helper_call(e, o, pending);
    add_icount(e, 1);
    leave_block(e, JIT_STOP);
}

size_t backend_emit(const struct ir_block *b, const uint32_t *gen_ptr, uint32_t id, uint8_t *buf,
                    size_t cap, const uint8_t *exec, const struct backend_env *env,
                    struct backend_result *res)
{
    (void)exec;
    struct em em = {buf, buf + cap, false}, *e = &em;
    static struct ctx ctxs;           /* big: not on the stack; translation is single-threaded */
    struct ctx *c = &ctxs;
    c->e = e;
    c->b = b;
    c->gen_ptr = gen_ptr;
    c->env = env;
    c->nstubs = 0;
    c->nexits = 0;
    c->slot_at[0] = c->slot_at[1] = NULL;
    unsigned pending = 0;         /* instructions retired since icount was written */
    bool hf_live = false;         /* host SF ZF PF equal the guest's */
    bool hf_cf = false;           /* ... and CF too */
    bool hf_of = false;           /* ... and OF too */
    const struct ir_op *flag_src = NULL;   /* the last flag writer, if reflaggable */
    bool terminated = false;
    bool ss32 = b->mode & IRM_SS32;

    b1(e, 0x53);                                                /* push rbx */
    b1(e, 0x48); b1(e, 0x89); b1(e, 0xFB);                      /* mov rbx, rdi */
    /* The chained entry: what jit_exec checks before it runs a block (jit/jit.c), done here for
     * a block entered from another one's chain slot. */
    uint8_t *chain_entry = e->p;
    b1(e, 0x48); b1(e, 0x8B); m_rbx(e, EAX, OFF(icount));       /* mov rax, [icount] */
    b1(e, 0x48); b1(e, 0x05); b4(e, b->n);                      /* add rax, ninsns */
    b1(e, 0x48); b1(e, 0x3B); m_rbx(e, EAX, OFF(jit_limit));    /* cmp rax, [jit_limit] */
    uint8_t *over_budget = jcc32(e, 0x7);                       /* ja */
    b1(e, 0x81); m_rbx(e, 7, OFF(seg[SEG_CS].limit)); b4(e, b->end_eip - 1);   /* cmp limit, end-1 */
    uint8_t *over_limit = jcc32(e, 0x2);                        /* jb */

    for (unsigned i = 0; i < b->n && !terminated && !e->full; i++) {
        const struct ir_op *o = &b->ops[i];
        struct stub *st = NULL;
        if (o->kind >= IR_LOAD && o->kind <= IR_IMUL_M && o->kind != IR_LEA) {
            st = &c->stubs[c->nstubs++];
            *st = (struct stub){.o = o, .pending = pending};
        }
        switch (o->kind) {
        case IR_MOV_RR:
            load(e, EAX, o->b, o->size);
            store(e, o->a, EAX, o->size);
            break;
        case IR_MOV_RI:
            if (o->size == 4 || (o->size == 1 && o->a >= 4)) {
                store_imm(e, reg_off(o->a, o->size), o->imm, o->size);
            } else {
                mov_r_imm32(e, EAX, o->imm);
                store(e, o->a, EAX, o->size);
            }
            break;
        case IR_ALU_RR:
        case IR_ALU_RI:
            if (alu_uses_cf(o)) {
                refresh_host_flags(e, flag_src, &hf_live, &hf_cf, &hf_of);
                emit_get_cf(e, hf_live && hf_cf);
            }
            load(e, EAX, o->a, o->size);
            if (o->kind == IR_ALU_RR)
                load(e, ECX, o->b, o->size);
            else
                mov_r_imm32(e, ECX, o->imm);
            emit_alu(e, o);
            if (alu_writes(o))
                store(e, o->a, EAX, o->size);
            hf_live = hf_cf = hf_of = true;
            break;
        case IR_LOAD: {
            emit_ea(e, o->in);
            emit_access(c, st, o->in->ea.seg, o->b, A_READ);
            if (o->alu == 2) {                                  /* movsx eax, al/ax */
                b1(e, 0x0F); b1(e, o->b == 1 ? 0xBE : 0xBF); b1(e, 0xC0);
            }
            store(e, o->a, EAX, o->size);
            hf_live = false;
            break;
        }
        case IR_STORE:
        case IR_STORE_I:
            emit_ea(e, o->in);
            if (o->kind == IR_STORE)
                load(e, 7, o->a, o->size);                      /* edi = value */
            else
                mov_r_imm32(e, 7, o->imm);
            emit_access(c, st, o->in->ea.seg, o->size, A_WRITE);
            hf_live = false;
            break;
        case IR_ALU_RM: {
            if (alu_uses_cf(o)) {
                refresh_host_flags(e, flag_src, &hf_live, &hf_cf, &hf_of);
                emit_get_cf(e, hf_live && hf_cf);
            }
            emit_ea(e, o->in);
            emit_access(c, st, o->in->ea.seg, o->size, A_READ);
            b1(e, 0x89); b1(e, 0xC1);                           /* mov ecx, eax: the r/m operand */
            load(e, EAX, o->a, o->size);
            emit_alu(e, o);
            if (alu_writes(o))
                store(e, o->a, EAX, o->size);
            st->reflag = true;
            hf_live = hf_cf = hf_of = true;
            break;
        }
        case IR_ALU_MR:
        case IR_ALU_MI: {
            if (alu_uses_cf(o)) {
                refresh_host_flags(e, flag_src, &hf_live, &hf_cf, &hf_of);
                emit_get_cf(e, hf_live && hf_cf);
            }
            emit_ea(e, o->in);
            emit_access(c, st, o->in->ea.seg, o->size, alu_writes(o) ? A_RMW : A_READ);
            if (o->kind == IR_ALU_MR)
                load(e, ECX, o->a, o->size);
            else
                mov_r_imm32(e, ECX, o->imm);
            emit_alu(e, o);
            if (alu_writes(o))
                emit_rmw_store(e, o->size);
            st->reflag = true;
            hf_live = hf_cf = hf_of = true;
            break;
        }
        case IR_LEA:
            emit_ea(e, o->in);
            b1(e, 0x89); b1(e, 0xF0);                           /* mov eax, esi */
            store(e, o->a, EAX, o->size);
            hf_live = false;                                    /* emit_ea's ADD and SHL */
            break;
        case IR_PUSH:
            emit_stack_off(e, o->size, true, ss32);
            if (o->alu)
                mov_r_imm32(e, 7, o->imm);                      /* edi = the immediate */
            else
                load(e, 7, o->a, o->size);                      /* edi = value (before ESP moves) */
            emit_access(c, st, SEG_SS, o->size, A_WRITE);
            emit_set_sp(e, ss32);
            hf_live = false;
            break;
        case IR_LEAVE:
            /* the read at (E)BP first (op_leave: a fault leaves ESP and EBP as they were) */
            b1(e, 0x8B); m_rbx(e, 6, OFF(regs) + R_EBP * 4);    /* mov esi, [ebp] */
            if (!ss32) {
                b1(e, 0x0F); b1(e, 0xB7); b1(e, 0xF6);          /* movzx esi, si */
            }
            emit_access(c, st, SEG_SS, o->size, A_READ);
            b1(e, 0x83); b1(e, 0xC6); b1(e, o->size);           /* add esi, size */
            emit_set_sp(e, ss32);
            store(e, R_EBP, EAX, o->size);
            hf_live = false;
            break;
        case IR_POP:
            emit_stack_off(e, o->size, false, ss32);
            emit_access(c, st, SEG_SS, o->size, A_READ);
            b1(e, 0x83); b1(e, 0xC6); b1(e, o->size);           /* add esi, size */
            emit_set_sp(e, ss32);
            store(e, o->a, EAX, o->size);                       /* POP ESP: the value wins */
            hf_live = false;
            break;
        case IR_INCDEC_M: {
            /* CF is kept (the record's cf_in): edi = CF first, and the host's CF is set to it
             * before the host's INC/DEC, which keeps it, so the host flags are all the guest's */
            refresh_host_flags(e, flag_src, &hf_live, &hf_cf, &hf_of);
            emit_get_cf(e, hf_live && hf_cf);
            emit_ea(e, o->in);
            emit_access(c, st, o->in->ea.seg, o->size, A_RMW);
            b1(e, 0x89); b1(e, 0xC2);                           /* mov edx, eax */
            b1(e, 0x0F); b1(e, 0xBA); b1(e, 0xE7); b1(e, 0);    /* bt edi, 0 */
            if (o->size == 2)
                b1(e, 0x66);
            b1(e, o->size == 1 ? 0xFE : 0xFF);
            b1(e, o->alu == IR_DEC ? 0xC8 : 0xC0);              /* inc/dec eax */
            emit_rmw_store(e, o->size);
            store32(e, OFF(lf.res), EAX);
            store32(e, OFF(lf.src1), EDX);
            store_imm32(e, OFF(lf.src2), 1);
            store32(e, OFF(lf.cf_in), 7);
            store_imm32(e, OFF(lf.op), lf_family(o->alu) + size_idx(o->size));
            st->reflag = true;
            hf_live = hf_cf = hf_of = true;
            break;
        }
        case IR_JMPI:
        case IR_CALLI: {
            /* eax = the target (jump_near: the CS limit is checked before anything is pushed;
             * beyond it, the stub runs the instruction, which raises #GP) */
            if (o->in->mod == 3) {
                load(e, EAX, o->a, o->size);
            } else {
                emit_ea(e, o->in);
                emit_access(c, st, o->in->ea.seg, o->size, A_READ);
            }
            b1(e, 0x3B); m_rbx(e, EAX, OFF(seg[SEG_CS].limit));  /* cmp eax, limit */
            st->from[st->nfrom++] = jcc32(e, 0x7);              /* ja stub */
            store32(e, OFF(eip), EAX);      /* a stub from the push below sets eip again */
            if (o->kind == IR_CALLI)
                emit_push_return(c, st, o, ss32);
            st->cont = e->p;
            add_icount(e, pending + 1);
            indirect_exit(c);
            terminated = true;
            break;
        }
        case IR_CALL: {
            /* The target's CS limit check comes first (as in the interpreter: nothing is pushed
             * when it fails); the stub then runs the CALL, which raises #GP. */
            b1(e, 0x81); m_rbx(e, 7, OFF(seg[SEG_CS].limit)); b4(e, o->target);   /* cmp limit, target */
            st->from[st->nfrom++] = jcc32(e, 0x2);              /* jb stub */
            emit_push_return(c, st, o, ss32);
            st->cont = e->p;                                    /* the stub left eip = target */
            branch_exit(c, o->target, pending + 1, 0);
            terminated = true;
            break;
        }
        case IR_RET: {
            emit_stack_off(e, o->size, false, ss32);
            emit_access(c, st, SEG_SS, o->size, A_READ);        /* eax = return address */
            /* jump_near's CS limit check: beyond it, the stub runs the RET, which raises #GP */
            b1(e, 0x3B); m_rbx(e, EAX, OFF(seg[SEG_CS].limit));  /* cmp eax, limit */
            st->from[st->nfrom++] = jcc32(e, 0x7);              /* ja stub */
            b1(e, 0x81); b1(e, 0xC6); b4(e, o->size + o->imm);  /* add esi, size + imm16 */
            emit_set_sp(e, ss32);
            store32(e, OFF(eip), EAX);
            st->cont = e->p;
            add_icount(e, pending + 1);
            indirect_exit(c);
            terminated = true;
            break;
        }
        case IR_CMOV_M: {
            /* edi = the condition, taken first (the address arithmetic changes the host flags);
             * the source is read whatever it is, as in the interpreter */
            refresh_host_flags(e, flag_src, &hf_live, &hf_cf, &hf_of);
            if (cc_on_host(o->alu, hf_live, hf_cf, hf_of)) {
                b1(e, 0x40); b1(e, 0x0F); b1(e, 0x90 + o->alu); b1(e, 0xC7);   /* setcc dil */
                b1(e, 0x40); b1(e, 0x0F); b1(e, 0xB6); b1(e, 0xFF);            /* movzx edi, dil */
            } else {
                mov_rdi_cpu(e);
                b1(e, 0xBE); b4(e, o->alu);                     /* mov esi, cc */
                call_abs(e, (const void *)cond_true);
                b1(e, 0x0F); b1(e, 0xB6); b1(e, 0xF8);          /* movzx edi, al */
            }
            emit_ea(e, o->in);
            emit_access(c, st, o->in->ea.seg, o->size, A_READ);
            b1(e, 0x89); b1(e, 0xC1);                           /* mov ecx, eax */
            load(e, EAX, o->a, o->size);
            b1(e, 0x85); b1(e, 0xFF);                           /* test edi, edi */
            if (o->size == 2)
                b1(e, 0x66);
            b1(e, 0x0F); b1(e, 0x45); b1(e, 0xC1);              /* cmovnz eax, ecx */
            store(e, o->a, EAX, o->size);
            hf_live = hf_cf = hf_of = false;
            break;
        }
        case IR_LODS:
        case IR_SCAS: {
            /* The access first (a stub runs the whole instruction), then the index moves by the
             * size, down with DF (SDM Vol.2 LODS/SCAS; a 16-bit address size moves SI alone),
             * then SCAS compares, so that its flags end up on the host */
            unsigned sz = o->size, idx = o->kind == IR_LODS ? R_ESI : R_EDI;
            int seg = o->kind == IR_SCAS ? SEG_ES
                      : o->in->seg_override != SEG_NONE ? o->in->seg_override : SEG_DS;
            b1(e, 0x8B); m_rbx(e, 6, OFF(regs) + idx * 4);      /* mov esi, [index] */
            if (!o->in->adsize32) {
                b1(e, 0x0F); b1(e, 0xB7); b1(e, 0xF6);          /* movzx esi, si */
            }
            emit_access(c, st, seg, sz, A_READ);                /* eax = the element */
            mov_r_imm32(e, ECX, sz);
            b1(e, 0xF7); m_rbx(e, 0, OFF(eflags)); b4(e, FL_DF); /* test dword [eflags], DF */
            b1(e, 0x74); b1(e, 2);                              /* jz +2 */
            b1(e, 0xF7); b1(e, 0xD9);                           /* neg ecx */
            if (!o->in->adsize32)
                b1(e, 0x66);
            b1(e, 0x01); m_rbx(e, ECX, OFF(regs) + idx * 4);    /* add [index], ecx */
            if (o->kind == IR_LODS) {
                store(e, R_EAX, EAX, sz);
                hf_live = false;
            } else {
                b1(e, 0x89); b1(e, 0xC1);                       /* mov ecx, eax */
                load(e, EAX, R_EAX, sz);
                emit_alu(e, o);                                 /* cmp: the lazy record */
                st->reflag = true;
                hf_live = hf_cf = hf_of = true;
            }
            break;
        }
        case IR_RDTSC: {
            /* TSC = icount + tsc_offset (core/interp.c tsc_now), icount being the instructions
             * retired before this one; with CR4.TSD set the stub runs it, which decides #GP */
            b1(e, 0xF7); m_rbx(e, 0, OFF(cr4)); b4(e, CR4_TSD);  /* test dword [cr4], TSD */
            st->from[st->nfrom++] = jcc32(e, 0x5);              /* jnz stub */
            b1(e, 0x48); b1(e, 0x8B); m_rbx(e, EAX, OFF(icount));   /* mov rax, [icount] */
            if (pending) {
                b1(e, 0x48); b1(e, 0x05); b4(e, pending);       /* add rax, pending */
            }
            b1(e, 0x48); b1(e, 0x03); m_rbx(e, EAX, OFF(tsc_offset));   /* add rax, [tsc_offset] */
            store32(e, OFF(regs) + R_EAX * 4, EAX);
            b1(e, 0x48); b1(e, 0xC1); b1(e, 0xE8); b1(e, 32);   /* shr rax, 32 */
            store32(e, OFF(regs) + R_EDX * 4, EAX);
            hf_live = hf_cf = hf_of = false;
            break;
        }
        case IR_SHIFT_CL: {
            unsigned sz = o->size;
            b1(e, 0x8B); m_rbx(e, ECX, OFF(regs) + R_ECX * 4);  /* mov ecx, guest ECX */
            b1(e, 0x83); b1(e, 0xE1); b1(e, 0x1F);              /* and ecx, 31 */
            uint8_t *skip = jcc32(e, 0x4);                      /* jz: a count of 0 changes nothing */
            load(e, EAX, o->a, sz);
            b1(e, 0x89); b1(e, 0xC2);                           /* mov edx, eax */
            if (sz == 2)
                b1(e, 0x66);
            b1(e, sz == 1 ? 0xD2 : 0xD3);
            b1(e, 0xC0 | (o->alu << 3));                        /* shl/shr/sar eax, cl */
            store32(e, OFF(lf.res), EAX);
            store32(e, OFF(lf.src1), EDX);
            store32(e, OFF(lf.src2), ECX);
            unsigned fam = o->alu == 4 ? LF_SHL8 : o->alu == 5 ? LF_SHR8 : LF_SAR8;
            store_imm32(e, OFF(lf.op), fam + size_idx(sz));
            store(e, o->a, EAX, sz);
            patch_here(e, skip);
            hf_live = hf_cf = hf_of = false;
            break;
        }
        case IR_INCDEC: {
            /* CF is kept: the record's cf_in is the CF before (flags.c). */
            refresh_host_flags(e, flag_src, &hf_live, &hf_cf, &hf_of);
            bool cf_from_host = hf_live && hf_cf;
            if (cf_from_host) {
                b1(e, 0x0F); b1(e, 0x92); b1(e, 0xC1);          /* setc cl */
                b1(e, 0x0F); b1(e, 0xB6); b1(e, 0xC9);          /* movzx ecx, cl */
            } else {
                mov_rdi_cpu(e);
                call_abs(e, (const void *)flag_cf);
                b1(e, 0x0F); b1(e, 0xB6); b1(e, 0xC8);          /* movzx ecx, al */
            }
            unsigned sz = o->size;
            load(e, EAX, o->a, sz);
            b1(e, 0x89); b1(e, 0xC2);                           /* mov edx, eax */
            if (sz == 2)
                b1(e, 0x66);
            b1(e, sz == 1 ? 0xFE : 0xFF);
            b1(e, o->alu == IR_DEC ? 0xC8 : 0xC0);              /* inc/dec eax */
            store32(e, OFF(lf.res), EAX);
            store32(e, OFF(lf.src1), EDX);
            store_imm32(e, OFF(lf.src2), 1);
            store32(e, OFF(lf.cf_in), ECX);
            store_imm32(e, OFF(lf.op), lf_family(o->alu) + size_idx(sz));
            store(e, o->a, EAX, sz);
            hf_live = hf_of = true;
            hf_cf = cf_from_host;   /* the host's INC/DEC keeps the host CF, which was the guest's */
            break;
        }
        case IR_SHIFT: {
            /* The host's shift gives the guest's result (the count is below 32); the lazy record
             * gives the flags (core/flags.c). The host's CF, SF, ZF and PF are the guest's for a
             * count below the operand size, its OF for a count of 1 only (SDM Vol.2 SAL...). */
            unsigned sz = o->size, bits = sz * 8;
            load(e, EAX, o->a, sz);
            b1(e, 0x89); b1(e, 0xC2);                           /* mov edx, eax */
            if (sz == 2)
                b1(e, 0x66);
            b1(e, sz == 1 ? 0xC0 : 0xC1);
            b1(e, 0xC0 | (o->alu << 3));                        /* shl/shr/sar eax, imm8 */
            b1(e, o->imm);
            store32(e, OFF(lf.res), EAX);
            store32(e, OFF(lf.src1), EDX);
            store_imm32(e, OFF(lf.src2), o->imm);
            unsigned fam = o->alu == 4 ? LF_SHL8 : o->alu == 5 ? LF_SHR8 : LF_SAR8;
            store_imm32(e, OFF(lf.op), fam + size_idx(sz));
            store(e, o->a, EAX, sz);
            hf_live = hf_cf = o->imm < bits;
            hf_of = o->imm == 1;
            break;
        }
        case IR_UNARY: {
            unsigned sz = o->size;
            if (o->alu == 2) {                                  /* NOT: no flags */
                load(e, EAX, o->a, sz);
                b1(e, 0xF7); b1(e, 0xD0);                       /* not eax */
                store(e, o->a, EAX, sz);
                break;
            }
            if (o->alu == 3) {                                  /* NEG: the flags of 0 - x */
                load(e, ECX, o->a, sz);
                b1(e, 0x89); b1(e, 0xC8);                       /* mov eax, ecx */
                if (sz == 2)
                    b1(e, 0x66);
                b1(e, sz == 1 ? 0xF6 : 0xF7); b1(e, 0xD8);      /* neg al/ax/eax */
                store32(e, OFF(lf.res), EAX);
                store_imm32(e, OFF(lf.src1), 0);
                store32(e, OFF(lf.src2), ECX);
                store_imm32(e, OFF(lf.op), lf_family(IR_SUB) + size_idx(sz));
                store(e, o->a, EAX, sz);
                hf_live = hf_cf = hf_of = true;
                break;
            }
            /* MUL, IMUL: EDX:EAX (DX:AX) = EAX * r; CF = OF = the high half is significant (the
             * host's), the rest recorded as the interpreter does (LF_MUL of the low half) */
            load(e, ECX, o->a, sz);
            load(e, EAX, R_EAX, sz);
            if (sz == 2)
                b1(e, 0x66);
            b1(e, 0xF7); b1(e, o->alu == 4 ? 0xE1 : 0xE9);      /* mul/imul ecx */
            b1(e, 0x0F); b1(e, 0x92); b1(e, 0xC1);              /* setc cl */
            b1(e, 0x0F); b1(e, 0xB6); b1(e, 0xC9);              /* movzx ecx, cl */
            store(e, R_EAX, EAX, sz);
            store(e, R_EDX, EDX, sz);
            if (sz == 2) {
                b1(e, 0x0F); b1(e, 0xB7); b1(e, 0xC0);          /* movzx eax, ax */
            }
            store32(e, OFF(lf.res), EAX);
            store_imm32(e, OFF(lf.src1), 0);
            store_imm32(e, OFF(lf.src2), 0);
            store32(e, OFF(lf.cf_in), ECX);
            store_imm32(e, OFF(lf.op), LF_MUL8 + size_idx(sz));
            hf_live = hf_cf = hf_of = false;
            break;
        }
        case IR_ROT: {
            /* The rotates change CF and OF only (SDM Vol.2 RCL/RCR/ROL/ROR), so the other flags
             * are materialised first; CF and OF then as the interpreter sets them for any count
             * (ROL: CF = bit 0, OF = MSB ^ CF; ROR: CF = MSB, OF = MSB ^ MSB-1). */
            unsigned sz = o->size, bits = sz * 8;
            b1(e, 0x83); m_rbx(e, 7, OFF(lf.op)); b1(e, LF_NONE);   /* cmp dword [lf.op], NONE */
            uint8_t *done = jcc32(e, 0x4);                      /* je */
            mov_rdi_cpu(e);
            call_abs(e, (const void *)jit_flags_materialize);
            patch_here(e, done);
            load(e, EAX, o->a, sz);
            if (sz == 2)
                b1(e, 0x66);
            b1(e, sz == 1 ? 0xC0 : 0xC1); b1(e, 0xC0 | (o->alu << 3)); b1(e, o->imm);   /* rol/ror */
            store(e, o->a, EAX, sz);
            b1(e, 0x89); b1(e, 0xC1);                           /* mov ecx, eax */
            b1(e, 0xC1); b1(e, 0xE9); b1(e, bits - 1);          /* shr ecx, bits-1: the MSB */
            b1(e, 0x83); b1(e, 0xE1); b1(e, 1);                 /* and ecx, 1 */
            b1(e, 0x89); b1(e, 0xC2);                           /* mov edx, eax */
            if (o->alu == 0) {                                  /* ROL: CF = bit 0 */
                b1(e, 0x83); b1(e, 0xE2); b1(e, 1);             /* and edx, 1 */
                b1(e, 0x31); b1(e, 0xD1);                       /* xor ecx, edx: OF */
            } else {                                            /* ROR: CF = MSB */
                b1(e, 0xC1); b1(e, 0xEA); b1(e, bits - 2);      /* shr edx, bits-2 */
                b1(e, 0x83); b1(e, 0xE2); b1(e, 1);             /* and edx, 1: MSB-1 */
                b1(e, 0x31); b1(e, 0xCA);                       /* xor edx, ecx: OF */
                b1(e, 0x87); b1(e, 0xCA);                       /* xchg edx, ecx */
            }
            /* edx = CF, ecx = OF */
            b1(e, 0xC1); b1(e, 0xE1); b1(e, 11);                /* shl ecx, 11 (FL_OF) */
            b1(e, 0x09); b1(e, 0xD1);                           /* or ecx, edx */
            b1(e, 0x8B); m_rbx(e, EAX, OFF(eflags));            /* mov eax, [eflags] */
            b1(e, 0x25); b4(e, ~(uint32_t)(FL_CF | FL_OF));     /* and eax, ~(CF|OF) */
            b1(e, 0x09); b1(e, 0xC8);                           /* or eax, ecx */
            store32(e, OFF(eflags), EAX);
            hf_live = hf_cf = hf_of = false;
            break;
        }
        case IR_MOVX:
            load(e, EAX, o->b, o->srcsize);                     /* zero-extended */
            if (o->alu == 2) {
                b1(e, 0x0F); b1(e, o->srcsize == 1 ? 0xBE : 0xBF); b1(e, 0xC0);   /* movsx eax, al/ax */
            }
            store(e, o->a, EAX, o->size);
            break;
        case IR_NOP:
            break;
        case IR_IMUL:
        case IR_IMUL_M: {
            /* The host's IMUL r, r/m gives the low half and CF = OF = the guest's (the product
             * does not fit); its SF ZF PF are undefined, so the host flags are not the guest's
             * after it (the lazy record, LF_MUL, is). */
            if (o->kind == IR_IMUL_M) {
                emit_ea(e, o->in);
                emit_access(c, st, o->in->ea.seg, o->size, A_READ);
                b1(e, 0x89); b1(e, 0xC1);                       /* mov ecx, eax: the source */
            } else {
                load(e, ECX, o->b, o->size);
            }
            if (o->alu) {
                b1(e, 0x89); b1(e, 0xC8);                       /* mov eax, ecx */
                mov_r_imm32(e, ECX, o->imm);
            } else {
                load(e, EAX, o->a, o->size);
            }
            if (o->size == 2)
                b1(e, 0x66);
            b1(e, 0x0F); b1(e, 0xAF); b1(e, 0xC1);              /* imul eax, ecx */
            b1(e, 0x0F); b1(e, 0x90); b1(e, 0xC2);              /* seto dl */
            b1(e, 0x0F); b1(e, 0xB6); b1(e, 0xD2);              /* movzx edx, dl */
            store32(e, OFF(lf.res), EAX);
            store_imm32(e, OFF(lf.src1), 0);
            store_imm32(e, OFF(lf.src2), 0);
            store32(e, OFF(lf.cf_in), EDX);
            store_imm32(e, OFF(lf.op), LF_MUL8 + size_idx(o->size));
            store(e, o->a, EAX, o->size);
            hf_live = hf_cf = hf_of = false;
            break;
        }
        case IR_SETCC:
        case IR_CMOV: {
            refresh_host_flags(e, flag_src, &hf_live, &hf_cf, &hf_of);
            bool host = cc_on_host(o->alu, hf_live, hf_cf, hf_of);
            unsigned cc = o->alu;
            if (!host) {
                mov_rdi_cpu(e);
                b1(e, 0xBE); b4(e, o->alu);                     /* mov esi, cc */
                call_abs(e, (const void *)cond_true);
                b1(e, 0x84); b1(e, 0xC0);                       /* test al, al */
                cc = 0x5;                                       /* NZ: the condition held */
                hf_live = hf_cf = hf_of = false;
            }
            if (o->kind == IR_SETCC) {
                b1(e, 0x0F); b1(e, 0x90 + cc); b1(e, 0xC0);     /* setcc al */
                store(e, o->a, EAX, 1);
            } else {
                /* The destination is written back unchanged when the condition fails. */
                load(e, EAX, o->a, o->size);
                load(e, ECX, o->b, o->size);
                if (o->size == 2)
                    b1(e, 0x66);
                b1(e, 0x0F); b1(e, 0x40 + cc); b1(e, 0xC1);     /* cmovcc eax, ecx */
                store(e, o->a, EAX, o->size);
            }
            break;
        }
        case IR_LOOP: {
            bool a32 = o->in->adsize32;
            uint8_t *not_taken[2] = {NULL, NULL};
            if (o->alu <= 0xE1) {
                /* edi = the ZF condition of LOOPNE (NZ) / LOOPE (Z), first: the compares below
                 * change the host flags */
                unsigned cc = o->alu == 0xE1 ? 0x4 : 0x5;
                refresh_host_flags(e, flag_src, &hf_live, &hf_cf, &hf_of);
                if (hf_live) {
                    b1(e, 0x40); b1(e, 0x0F); b1(e, 0x90 + cc); b1(e, 0xC7);    /* setcc dil */
                } else {
                    mov_rdi_cpu(e);
                    b1(e, 0xBE); b4(e, cc);                     /* mov esi, cc */
                    call_abs(e, (const void *)cond_true);
                    b1(e, 0x89); b1(e, 0xC7);                   /* mov edi, eax */
                }
            }
            /* The target's CS limit before the count changes: beyond it the whole instruction
             * runs in the interpreter (which raises the fault). */
            b1(e, 0x81); m_rbx(e, 7, OFF(seg[SEG_CS].limit)); b4(e, o->target);   /* cmp limit, target */
            uint8_t *slow = jcc32(e, 0x2);                      /* jb */
            if (!a32)
                b1(e, 0x66);
            if (o->alu == 0xE3) {
                b1(e, 0x83); m_rbx(e, 7, OFF(regs) + R_ECX * 4); b1(e, 0);      /* cmp [ecx], 0 */
                not_taken[0] = jcc32(e, 0x5);                                   /* jne */
            } else {
                b1(e, 0x83); m_rbx(e, 5, OFF(regs) + R_ECX * 4); b1(e, 1);      /* sub [ecx], 1 */
                not_taken[0] = jcc32(e, 0x4);                                   /* jz: count 0 */
                if (o->alu <= 0xE1) {
                    b1(e, 0x40); b1(e, 0x84); b1(e, 0xFF);      /* test dil, dil */
                    not_taken[1] = jcc32(e, 0x4);
                }
            }
            branch_exit(c, o->target, pending + 1, 0);
            patch_here(e, not_taken[0]);
            patch_here(e, not_taken[1]);
            branch_exit(c, o->next_eip, pending + 1, 1);
            patch_here(e, slow);
            fault_exit(e, o, pending);
            terminated = true;
            break;
        }
        case IR_JCC:
        case IR_JMP: {
            uint8_t *taken = NULL;
            if (o->kind == IR_JCC) {
                refresh_host_flags(e, flag_src, &hf_live, &hf_cf, &hf_of);
                if (cc_on_host(o->alu, hf_live, hf_cf, hf_of)) {
                    taken = jcc32(e, o->alu);
                } else {
                    mov_rdi_cpu(e);
                    b1(e, 0xBE); b4(e, o->alu);                 /* mov esi, cc */
                    call_abs(e, (const void *)cond_true);
                    b1(e, 0x84); b1(e, 0xC0);                   /* test al, al */
                    taken = jcc32(e, 0x5);                      /* jnz */
                }
                branch_exit(c, o->next_eip, pending + 1, 1);   /* not taken */
                patch_here(e, taken);
            }
            /* Taken: jump_near's CS limit check (SDM Vol.2 Jcc/JMP: #GP(0) beyond the limit);
             * when it fails, the interpreter's handler raises the fault. */
            b1(e, 0x81); m_rbx(e, 7, OFF(seg[SEG_CS].limit)); b4(e, o->target);   /* cmp limit, target */
            uint8_t *gp = jcc32(e, 0x2);                        /* jb */
            branch_exit(c, o->target, pending + 1, 0);
            patch_here(e, gp);
            fault_exit(e, o, pending);
            terminated = true;
            break;
        }
        default: /* IR_HELPER */
            emit_call_for(e, o, pending, (o->flags & IRF_IO) ? (const void *)jit_io_exec : (const void *)interp_exec);
            add_icount(e, 1);
            if (o->flags & IRF_IO) {
                b1(e, 0x85); b1(e, 0xC0);                       /* test eax, eax */
                c->exits[c->nexits++] = jcc32(e, 0x5);          /* jnz exit: the run loop decides */
            }
            pending = 0;
            hf_live = hf_cf = hf_of = false;
            flag_src = NULL;
            res->helper_ops++;
            if (o->flags & IRF_END) {
                if (b->chain)
                    indirect_exit(c);
                else
                    leave_block(e, JIT_STOP);
                terminated = true;
                break;
            }
            b1(e, 0x83); m_rbx(e, 7, OFF(stop)); b1(e, 0);     /* cmp dword [stop], 0 */
            c->exits[c->nexits++] = jcc32(e, 0x5);              /* jne exit */
            if (o->flags & IRF_SMC) {
                b1(e, 0x48); b1(e, 0xB8); b8(e, (uint64_t)(uintptr_t)gen_ptr);   /* mov rax, gen_ptr */
                b1(e, 0x81); b1(e, 0x38); b4(e, b->gen);         /* cmp dword [rax], gen */
                c->exits[c->nexits++] = jcc32(e, 0x5);
            }
            if (o->flags & IRF_FERR) {
                b1(e, 0x80); m_rbx(e, 7, OFF(ferr_asserted)); b1(e, 0);   /* cmp byte [ferr], 0 */
                c->exits[c->nexits++] = jcc32(e, 0x5);
            }
            continue;
        }
        if (st && !st->cont)
            st->cont = e->p;
        if (reflaggable(o))
            flag_src = o;
        else if (!keeps_guest_flags(o))
            flag_src = NULL;
        if (o->kind != IR_HELPER) {
            pending++;
            res->inline_ops++;
        }
    }
    if (!terminated) {
        /* The block stopped at its size limit, the page end or an instruction the interpreter
         * must fetch itself: continue at the next instruction. */
        store_imm32(e, OFF(eip), b->end_eip);
        add_icount(e, pending);
        if (b->chain)
            chain_exit(c, 1);
        else
            leave_block(e, JIT_STOP);
    }
    for (unsigned i = 0; i < c->nstubs && !e->full; i++)
        emit_stub(c, &c->stubs[i]);
    /* Leaving after a helper that stopped the CPU, wrote this block's page or raised FERR#:
     * eip and icount are already those after the helper's instruction. */
    uint8_t *exit_stub = e->p;
    leave_block(e, JIT_STOP);
    for (unsigned i = 0; i < c->nexits; i++)
        patch_to(e, c->exits[i], exit_stub);
    /* A chained entry over the budget or the CS limit: back to the run loop, which decides. */
    patch_here(e, over_budget);
    patch_here(e, over_limit);
    leave_block(e, JIT_NEXT);
    *res = (struct backend_result){res->inline_ops, res->helper_ops, {0, 0}, {0, 0},
                                   (uint32_t)(chain_entry - buf)};
    for (unsigned k = 0; k < 2; k++) {
        if (!c->slot_at[k])
            continue;
        /* the slot's stub: which block and slot, for the run loop to patch */
        patch_here(e, c->slot_at[k]);
        uint8_t *stub = e->p;
        store_imm32(e, OFF(jit_from), id << 1 | k);
        next_exit(e, (const void *)jit_next_slot, JIT_SLOT);
        res->slot[k] = (uint32_t)(c->slot_at[k] - buf);
        if (env) { /* where the slot goes when it can never be chained; a miss: the stub */
            res->lookup[k] = (uint32_t)(e->p - buf);
            emit_jc_lookup(c);
            b1(e, 0xE9);
            uint8_t *at = e->p;
            b4(e, 0);
            patch_to(e, at, stub);
        }
    }
    return e->full ? 0 : (size_t)(e->p - buf);
}
