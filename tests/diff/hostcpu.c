/* The host CPU as referee (tests/diff/README.md, "The referee").
 *
 * The instruction, re-encoded for 64-bit mode where needed, runs in this process between a small
 * prologue that loads the eight 32-bit registers and EFLAGS from the state before it (ESP
 * included: RSP points into the guest's stack page) and an epilogue that saves them. The guest's
 * memory is mapped at the same addresses (0x1000-0xFFFF), and memory operands get a 67h prefix so
 * their address is computed in 32 bits exactly as in the guest. That covers every instruction
 * whose 32-bit meaning survives in 64-bit mode: ALU, shifts, MUL/DIV, bit operations, MOVs,
 * string instructions, CMPXCHG(8B), XADD, SETcc/CMOVcc, and the 16-bit (66h) stack operations
 * PUSH POP PUSHF POPF ENTER LEAVE, which behave alike on a 32- and a 64-bit stack as long as
 * the stack pointer does not wrap (it does not: it stays in the stack page). A 16-bit (67h)
 * memory operand becomes the absolute address it designates, computed here from the registers:
 * the operation is checked, not the address arithmetic.
 *
 * Not checkable here: BCD (DAA DAS AAA AAS AAM AAD), PUSHA/POPA and 32-bit stack operations,
 * branches, 16-bit string instructions and XLAT. (KVM is no substitute on this host: its kvm_pvm
 * module runs a 32-bit guest through KVM's instruction emulator, not on the CPU.) */
#define _GNU_SOURCE
#include "hostcpu.h"

#if defined(__x86_64__) && defined(__linux__)

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "diff.h"

#define LOW_BASE 0x1000u          /* page 0 cannot be mapped (vm.mmap_min_addr) */

/* ---------------------------------------------------------------------------------------------
 * Re-encoding for 64-bit mode */

enum { IMM_NONE, IMM_8, IMM_Z, IMM_16_8 };   /* IMM_Z: 16 or 32 bits by operand size */

struct opinfo {
    bool ok;
    bool modrm;
    uint8_t imm;
    bool stack;          /* a stack operation: only its 16-bit (66h) form means the same */
};

static struct opinfo one_byte(uint8_t op, uint8_t reg)
{
    if (op < 0x40 && (op & 7) < 6) {
        if ((op & 7) < 4)
            return (struct opinfo){true, true, IMM_NONE, false};
        return (struct opinfo){true, false, (op & 7) == 4 ? IMM_8 : IMM_Z, false};
    }
    if (op >= 0x50 && op <= 0x5F)
        return (struct opinfo){true, false, IMM_NONE, true};
    if (op >= 0xB0 && op <= 0xB7)
        return (struct opinfo){true, false, IMM_8, false};
    if (op >= 0xB8 && op <= 0xBF)
        return (struct opinfo){true, false, IMM_Z, false};
    switch (op) {
    case 0x68: return (struct opinfo){true, false, IMM_Z, true};
    case 0x6A: return (struct opinfo){true, false, IMM_8, true};
    case 0x8F: return (struct opinfo){reg == 0, true, IMM_NONE, true};
    case 0x9C: case 0x9D: case 0xC9: return (struct opinfo){true, false, IMM_NONE, true};
    case 0xC8: return (struct opinfo){true, false, IMM_16_8, true};
    case 0x69: case 0x81: case 0xC7: return (struct opinfo){true, true, IMM_Z, false};
    case 0x6B: case 0x80: case 0x83: case 0xC0: case 0xC1: case 0xC6:
        return (struct opinfo){true, true, IMM_8, false};
    case 0x84: case 0x85: case 0x86: case 0x87: case 0x88: case 0x89: case 0x8A: case 0x8B:
    case 0x8D: case 0xD0: case 0xD1: case 0xD2: case 0xD3:
        return (struct opinfo){true, true, IMM_NONE, false};
    case 0x90: case 0x91: case 0x92: case 0x93: case 0x94: case 0x95: case 0x96: case 0x97:
    case 0x98: case 0x99: case 0x9E: case 0x9F: case 0xA4: case 0xA5: case 0xA6: case 0xA7:
    case 0xAA: case 0xAB: case 0xAC: case 0xAD: case 0xAE: case 0xAF: case 0xD7:
    case 0xF5: case 0xF8: case 0xF9: case 0xFC: case 0xFD:
        return (struct opinfo){true, false, IMM_NONE, false};
    case 0xA0: case 0xA1: case 0xA2: case 0xA3: case 0xA8:
        return (struct opinfo){true, false, IMM_8, false};   /* moffs: handled apart */
    case 0xA9: return (struct opinfo){true, false, IMM_Z, false};
    case 0xF6: return (struct opinfo){true, true, reg < 2 ? IMM_8 : IMM_NONE, false};
    case 0xF7: return (struct opinfo){true, true, reg < 2 ? IMM_Z : IMM_NONE, false};
    case 0xFE: return (struct opinfo){reg < 2, true, IMM_NONE, false};
    case 0xFF: return (struct opinfo){reg < 2 || reg == 6, true, IMM_NONE, reg == 6};
    default: return (struct opinfo){false, false, IMM_NONE, false};
    }
}

static struct opinfo two_byte(uint8_t op, uint8_t reg)
{
    if ((op >= 0x40 && op <= 0x4F) || (op >= 0x90 && op <= 0x9F) || op == 0x1F)
        return (struct opinfo){true, true, IMM_NONE, false};
    if (op >= 0xC8)
        return (struct opinfo){true, false, IMM_NONE, false};
    switch (op) {
    case 0xA3: case 0xAB: case 0xB3: case 0xBB: case 0xA5: case 0xAD: case 0xAF: case 0xB0:
    case 0xB1: case 0xB6: case 0xB7: case 0xBE: case 0xBF: case 0xBC: case 0xBD: case 0xC0:
    case 0xC1:
        return (struct opinfo){true, true, IMM_NONE, false};
    case 0xA4: case 0xAC: case 0xBA: return (struct opinfo){true, true, IMM_8, false};
    case 0xC7: return (struct opinfo){reg == 1, true, IMM_NONE, false};
    default: return (struct opinfo){false, false, IMM_NONE, false};
    }
}

/* 16-bit addressing, ModRM.rm 0-7 (SDM Vol.2 table 2-1): base and index registers, -1 none */
static const int8_t a16_base[8] = {3, 3, 5, 5, -1, -1, 5, 3};
static const int8_t a16_index[8] = {6, 7, 6, 7, 6, 7, -1, -1};

static uint32_t read_disp(const uint8_t *p, unsigned n)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v |= (uint32_t)p[i] << (8 * i);
    return v;
}

/* Returns the 64-bit encoding's length, 0 (with the reason in why) when the instruction cannot
 * run in 64-bit mode with the same meaning. *a16 tells that a 16-bit memory operand was turned
 * into its absolute address. */
static unsigned to_long_mode(const uint8_t *in, unsigned len, const uint32_t regs[8], uint8_t *out,
                             bool *a16_out, const char **why)
{
    unsigned i = 0, o = 0;
    bool o16 = false, a16 = false;
    uint8_t pfx[8];
    unsigned np = 0;
    *a16_out = false;
    for (; i < len; i++) {
        uint8_t b = in[i];
        if (b == 0x66 || b == 0xF0 || b == 0xF2 || b == 0xF3) {
            o16 |= b == 0x66;
            if (np < sizeof pfx)
                pfx[np++] = b;
        } else if (b == 0x67) {
            a16 = true;
        } else if (b == 0x26 || b == 0x2E || b == 0x36 || b == 0x3E || b == 0x64 || b == 0x65) {
            /* dropped: every guest segment has base 0, and the host's FS/GS bases are not */
        } else {
            break;
        }
    }
    if (i >= len)
        return 0;
    uint8_t op = in[i++], op2 = 0;
    bool two = op == 0x0F;
    if (two)
        op2 = in[i++];
    uint8_t modrm = i < len ? in[i] : 0, reg = (uint8_t)(modrm >> 3 & 7);
    /* INC/DEC r (40-4F) are REX prefixes in 64-bit mode: FF /0, FF /1 */
    bool incdec = !two && op >= 0x40 && op <= 0x4F;
    if (!two && op == 0x82)
        op = 0x80;                /* 82 is #UD in 64-bit mode; 80 is the same instruction */
    struct opinfo info = incdec ? (struct opinfo){true, false, IMM_NONE, false}
                       : two ? two_byte(op2, reg) : one_byte(op, reg);
    if (!info.ok) {
        *why = "the instruction does not exist or differs in 64-bit mode";
        return 0;
    }
    if (info.stack && !o16) {
        *why = "a 32-bit stack operation is a 64-bit one in 64-bit mode";
        return 0;
    }
    bool moffs = !two && op >= 0xA0 && op <= 0xA3;
    bool string = !two && ((op >= 0xA4 && op <= 0xA7) || (op >= 0xAA && op <= 0xAF) || op == 0xD7);
    bool mem = (info.modrm && (modrm >> 6) != 3) || moffs;
    if (a16 && string) {
        *why = "16-bit string addressing (SI, DI, CX, BX+AL) does not exist in 64-bit mode";
        return 0;
    }
    for (unsigned k = 0; k < np; k++)
        out[o++] = pfx[k];
    if (mem || string)
        out[o++] = 0x67;          /* 32-bit addresses: ESI/EDI/ECX, EBX+AL, 32-bit moffs */
    if (incdec) {
        out[o++] = 0xFF;
        out[o++] = (uint8_t)(0xC0 | (op >= 0x48 ? 1 : 0) << 3 | (op & 7));
        return o;
    }
    if (two) {
        out[o++] = 0x0F;
        out[o++] = op2;
    } else {
        out[o++] = op;
    }
    if (moffs) {
        uint32_t addr = read_disp(in + i, a16 ? 2 : 4);
        i += a16 ? 2 : 4;
        memcpy(out + o, &addr, 4);
        o += 4;
        *a16_out = a16;
    } else if (info.modrm) {
        uint8_t mod = modrm >> 6, rm = modrm & 7;
        i++;
        if (mod == 3) {
            out[o++] = modrm;
        } else if (a16) {
            /* the address the 16-bit operand designates, as an absolute one */
            unsigned dn = mod == 1 ? 1 : mod == 2 || (mod == 0 && rm == 6) ? 2 : 0;
            uint32_t disp = read_disp(in + i, dn), ea;
            i += dn;
            if (mod == 1)
                disp = (uint32_t)(int32_t)(int8_t)disp;
            if (mod == 0 && rm == 6) {
                ea = disp;
            } else {
                ea = disp;
                if (a16_base[rm] >= 0)
                    ea += regs[a16_base[rm]];
                if (a16_index[rm] >= 0)
                    ea += regs[a16_index[rm]];
            }
            ea &= 0xFFFF;
            out[o++] = (uint8_t)((modrm & 0x38) | 4);
            out[o++] = 0x25;
            memcpy(out + o, &ea, 4);
            o += 4;
            *a16_out = true;
        } else if (mod == 0 && rm == 5) {
            /* [disp32] is RIP-relative in 64-bit mode; the SIB form without base or index is not */
            out[o++] = (uint8_t)((modrm & 0x38) | 4);
            out[o++] = 0x25;
            memcpy(out + o, in + i, 4);
            o += 4;
            i += 4;
        } else {
            out[o++] = modrm;
            unsigned dn = mod == 1 ? 1 : mod == 2 ? 4 : 0;
            if (rm == 4) {
                uint8_t sib = in[i];
                out[o++] = in[i++];
                if (mod == 0 && (sib & 7) == 5)
                    dn = 4;
            }
            memcpy(out + o, in + i, dn);
            o += dn;
            i += dn;
        }
    }
    unsigned imm = moffs ? 0 : info.imm == IMM_8 ? 1 : info.imm == IMM_16_8 ? 3
                 : info.imm == IMM_Z ? (o16 ? 2 : 4) : 0;
    memcpy(out + o, in + i, imm);
    o += imm;
    i += imm;
    if (i != len) {
        *why = "could not re-encode the instruction";
        return 0;
    }
    return o;
}

/* ---------------------------------------------------------------------------------------------
 * native: run it in this process */

struct native_ctx {
    uint64_t regs[8];     /* offset 0 */
    uint64_t flags;       /* 64 */
    uint64_t host_rsp;    /* 72 */
};

static const uint8_t prologue[] = {
    0x53, 0x55, 0x41, 0x54, 0x41, 0x55, 0x41, 0x56, 0x41, 0x57, /* push rbx rbp r12-r15 */
    0x49, 0x89, 0xFF,                                           /* mov r15, rdi */
    0x49, 0x89, 0x67, 0x48,                                     /* mov [r15+72], rsp */
    0x41, 0xFF, 0x77, 0x40, 0x9D,                               /* push [r15+64]; popfq */
    0x41, 0x8B, 0x07, 0x41, 0x8B, 0x4F, 0x08,                   /* mov eax, ecx */
    0x41, 0x8B, 0x57, 0x10, 0x41, 0x8B, 0x5F, 0x18,             /* mov edx, ebx */
    0x41, 0x8B, 0x6F, 0x28, 0x41, 0x8B, 0x77, 0x30,             /* mov ebp, esi */
    0x41, 0x8B, 0x7F, 0x38, 0x41, 0x8B, 0x67, 0x20,             /* mov edi, esp */
};
static const uint8_t epilogue[] = {
    0x41, 0x89, 0x07, 0x41, 0x89, 0x4F, 0x08,                   /* mov [r15..], eax ecx */
    0x41, 0x89, 0x57, 0x10, 0x41, 0x89, 0x5F, 0x18,             /* edx ebx */
    0x41, 0x89, 0x67, 0x20, 0x41, 0x89, 0x6F, 0x28,             /* esp ebp */
    0x41, 0x89, 0x77, 0x30, 0x41, 0x89, 0x7F, 0x38,             /* esi edi */
    0x49, 0x8B, 0x67, 0x48,                                     /* mov rsp, [r15+72] */
    0x9C, 0x41, 0x8F, 0x47, 0x40, 0xFC,                         /* pushfq; pop [r15+64]; cld */
    0x41, 0x5F, 0x41, 0x5E, 0x41, 0x5D, 0x41, 0x5C, 0x5D, 0x5B, /* pop r15-r12 rbp rbx */
    0xC3,
};

static uint8_t *low_mem;          /* the guest's 0x1000-0xFFFF at the same host addresses */
static uint8_t *stub;
static sigjmp_buf fault_jmp;
static volatile sig_atomic_t fault_sig;

static void on_fault(int sig)
{
    fault_sig = sig;
    siglongjmp(fault_jmp, 1);
}

static bool native_setup(char *why, size_t n)
{
    if (stub)
        return true;
    low_mem = mmap((void *)(uintptr_t)LOW_BASE, GUEST_MEM_SIZE - LOW_BASE, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (low_mem == MAP_FAILED || low_mem != (uint8_t *)(uintptr_t)LOW_BASE) {
        snprintf(why, n, "cannot map the guest's addresses here: %s", strerror(errno));
        low_mem = NULL;
        return false;
    }
    stub = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (stub == MAP_FAILED) {
        snprintf(why, n, "mmap: %s", strerror(errno));
        stub = NULL;
        return false;
    }
    return true;
}

static bool host_native(const uint8_t *enc, unsigned enc_len, const uint32_t regs[8], uint32_t eflags,
                        const uint8_t *mem, struct host_result *r, char *why, size_t n)
{
    if (!native_setup(why, n))
        return false;
    /* W^X: write the stub, then make it executable */
    if (mprotect(stub, 4096, PROT_READ | PROT_WRITE) != 0)
        return snprintf(why, n, "mprotect: %s", strerror(errno)), false;
    unsigned o = 0;
    memcpy(stub + o, prologue, sizeof prologue);
    o += sizeof prologue;
    memcpy(stub + o, enc, enc_len);
    o += enc_len;
    memcpy(stub + o, epilogue, sizeof epilogue);
    if (mprotect(stub, 4096, PROT_READ | PROT_EXEC) != 0)
        return snprintf(why, n, "mprotect: %s", strerror(errno)), false;
    memcpy(low_mem, mem + LOW_BASE, GUEST_MEM_SIZE - LOW_BASE);

    static struct native_ctx ctx;
    for (int i = 0; i < 8; i++)
        ctx.regs[i] = regs[i];
    /* AC would make unaligned accesses fault here (Linux sets CR0.AM); TF would trap */
    ctx.flags = (eflags & ~(F_AC | F_TF)) | F_IF;

    /* Faults arrive on an alternate stack: RSP points into the guest's stack page. */
    static uint8_t altstack[65536];
    stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack}, old_ss;
    sigaltstack(&ss, &old_ss);
    struct sigaction sa = {.sa_handler = on_fault, .sa_flags = SA_ONSTACK | SA_NODEFER}, old[4];
    const int sigs[4] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL};
    sigemptyset(&sa.sa_mask);
    for (int i = 0; i < 4; i++)
        sigaction(sigs[i], &sa, &old[i]);
    fault_sig = 0;
    if (sigsetjmp(fault_jmp, 1) == 0)
        ((void (*)(struct native_ctx *))(void *)stub)(&ctx);
    __asm__ volatile("cld");
    for (int i = 0; i < 4; i++)
        sigaction(sigs[i], &old[i], NULL);
    sigaltstack(&old_ss, NULL);

    memset(r, 0, sizeof *r);
    r->how = "host CPU";
    r->fault = fault_sig != 0;
    r->vector = fault_sig == SIGFPE ? 0 : fault_sig == SIGILL ? 6 : fault_sig ? 13 : -1;
    for (int i = 0; i < 8; i++)
        r->regs[i] = (uint32_t)ctx.regs[i];
    /* The arithmetic flags, DF and NT (POPF) come from the host; the other system bits are the
     * guest's (the host runs at CPL 3 with IF = 1 and AC cleared). */
    uint32_t mine = F_ARITH | F_DF | F_NT;
    r->eflags = (eflags & ~mine) | ((uint32_t)ctx.flags & mine);
    static uint8_t out[GUEST_MEM_SIZE];
    memcpy(out, mem, GUEST_MEM_SIZE);
    memcpy(out + LOW_BASE, low_mem, GUEST_MEM_SIZE - LOW_BASE);
    r->mem = out;
    r->mem_valid = true;
    return true;
}

bool host_run(const uint8_t *code, unsigned len, uint32_t eip, const uint32_t regs[8],
              uint32_t eflags, const uint8_t *mem, struct host_result *r, char *why, size_t why_size)
{
    uint8_t enc[32];
    const char *reason = "not runnable in 64-bit mode";
    bool a16;
    unsigned enc_len = to_long_mode(code, len, regs, enc, &a16, &reason);
    if (!enc_len) {
        snprintf(why, why_size, "%s", reason);
        return false;
    }
    if (!host_native(enc, enc_len, regs, eflags, mem, r, why, why_size))
        return false;
    r->eip = eip + len;
    r->a16 = a16;
    return true;
}

#else /* not an x86-64 Linux host */

#include <stdio.h>

bool host_run(const uint8_t *code, unsigned len, uint32_t eip, const uint32_t regs[8],
              uint32_t eflags, const uint8_t *mem, struct host_result *r, char *why, size_t why_size)
{
    (void)code, (void)len, (void)eip, (void)regs, (void)eflags, (void)mem, (void)r;
    snprintf(why, why_size, "the host CPU is not x86-64 (or not Linux)");
    return false;
}

#endif
