/* Documented Unicorn 2.0.1 bugs (tests/diff/README.md has the host-CPU evidence for each). */
#include "known.h"

#include <string.h>

const struct known_case known_cases[KNOWN_COUNT] = {
    [KNOWN_TEST_ALIAS] = {
        "test-alias",
        "F6 /1, F7 /1 (TEST r/m, imm): Unicorn raises #UD, the host CPU executes TEST; Unicorn "
        "runs F6 /0, F7 /0 instead",
    },
    [KNOWN_LOCK_NEG] = {
        "lock-neg",
        "LOCK NEG m: Unicorn sets the flags from the operand before the negation; Unicorn runs "
        "the NEG with a DS prefix in place of LOCK instead",
    },
    [KNOWN_ENTER16] = {
        "enter16",
        "ENTER with a 16-bit operand size (66h) on a 32-bit stack: Unicorn writes all of EBP, "
        "the host CPU only BP; everything else must agree",
    },
    [KNOWN_ARPL_WRITE] = {
        "arpl-write",
        "ARPL m16, r16 that leaves the destination alone (paged mode): the host CPU makes no "
        "write access, Unicorn does (#PF on a read-only page, or the dirty flag set); jitpc must "
        "clear ZF and change nothing else (diff.c pg_arpl_explains)",
    },
};

struct parsed {
    unsigned op_at;      /* index of the opcode byte */
    int lock_at;         /* index of F0, or -1 */
    bool o16;
};

static bool parse(const uint8_t *code, unsigned len, struct parsed *p)
{
    p->lock_at = -1;
    p->o16 = false;
    for (unsigned i = 0; i < len; i++) {
        switch (code[i]) {
        case 0x66: p->o16 = true; break;
        case 0xF0: p->lock_at = (int)i; break;
        case 0x67: case 0xF2: case 0xF3: case 0x26: case 0x2E: case 0x36: case 0x3E: case 0x64:
        case 0x65:
            break;
        default:
            p->op_at = i;
            return true;
        }
    }
    return false;
}

int known_match(const uint8_t *code, unsigned len)
{
    struct parsed p;
    if (!parse(code, len, &p))
        return -1;
    uint8_t op = code[p.op_at];
    unsigned reg = p.op_at + 1 < len ? (code[p.op_at + 1] >> 3) & 7 : 8;
    if ((op == 0xF6 || op == 0xF7) && reg == 1)
        return KNOWN_TEST_ALIAS;
    if ((op == 0xF6 || op == 0xF7) && reg == 3 && p.lock_at >= 0)
        return KNOWN_LOCK_NEG;
    if (op == 0xC8 && p.o16)
        return KNOWN_ENTER16;
    if (op == 0x63 && reg < 8 && (code[p.op_at + 1] >> 6) != 3)
        return KNOWN_ARPL_WRITE;
    return -1;
}

bool known_substitute(int id, const uint8_t *code, unsigned len, uint8_t *out)
{
    struct parsed p;
    if (!parse(code, len, &p))
        return false;
    memcpy(out, code, len);
    switch (id) {
    case KNOWN_TEST_ALIAS:
        out[p.op_at + 1] &= (uint8_t)~0x38;      /* ModRM.reg 1 -> 0 */
        return true;
    case KNOWN_LOCK_NEG:
        out[p.lock_at] = 0x3E;                   /* every segment is flat: DS changes nothing */
        return true;
    default:
        return false;
    }
}

bool known_explains(int id, const struct state *pre, const struct state *j, const struct state *u)
{
    if (id != KNOWN_ENTER16 || j->fault || u->fault)
        return false;
    /* QEMU's gen_enter stores FrameTemp into EBP with the stack's address size. */
    uint32_t frame = pre->regs[4] - 2;
    if (u->regs[5] != frame || j->regs[5] != ((pre->regs[5] & 0xFFFF0000u) | (frame & 0xFFFF)))
        return false;
    for (int r = 0; r < 8; r++)
        if (r != 5 && j->regs[r] != u->regs[r])
            return false;
    return j->eip == u->eip && j->eflags == u->eflags;
}
