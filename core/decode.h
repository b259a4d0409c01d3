/* x86 instruction decoder for 16- and 32-bit code (SDM Vol.2 ch.2 and appendix A). */
#ifndef JITPC_DECODE_H
#define JITPC_DECODE_H

#include <stdbool.h>
#include <stdint.h>

#define INSN_MAX_LEN 15

/* Opcode numbering: 0x000-0x0FF one-byte map, 0x100-0x1FF the 0F two-byte map. */
#define OP_0F 0x100

enum insn_error {
    INSN_OK = 0,
    INSN_UD,        /* undefined opcode / invalid form: #UD */
    INSN_TOO_LONG,  /* more than 15 bytes: #GP(0) (SDM Vol.2 2.3.11) */
};

/* Segment register numbers, in the encoding order of ModRM.reg for MOV Sreg. */
enum seg_reg { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS, SEG_NONE = 7 };

/* The address in a ModRM memory operand: seg:(base + index*scale + disp), truncated to the
 * address size. base/index are register numbers 0-7, or -1 for none. */
struct insn_ea {
    int8_t base, index;
    uint8_t scale;     /* shift count 0-3 */
    uint8_t seg;       /* effective segment: override, else DS or SS (BP/ESP-based) */
};

struct insn {
    uint16_t op;       /* see OP_0F */
    uint8_t len;       /* bytes including prefixes */
    uint8_t error;     /* enum insn_error */
    uint8_t opsize32;  /* operand size is 32 bits */
    uint8_t adsize32;  /* address size is 32 bits */
    uint8_t seg_override; /* enum seg_reg, SEG_NONE if absent */
    uint8_t rep;       /* 0, 0xF2 (REPNE) or 0xF3 (REP/REPE): the last one given */
    uint8_t lock;
    uint8_t has_modrm;
    uint8_t mod, reg, rm; /* ModRM fields; mod == 3 means a register operand */
    uint8_t nprefixes;
    struct insn_ea ea;
    uint32_t disp;
    uint32_t imm;      /* first immediate, zero-extended (sign-extension is the handler's choice) */
    uint32_t imm2;     /* second immediate: ENTER's level byte, the selector of a far pointer */
};

/* Fetches the byte at offset i (0..14) from the start of the instruction. May longjmp on a fault:
 * the decoder holds no state of its own, so a fault leaves nothing half-done. */
typedef uint8_t (*insn_fetch_fn)(void *opaque, unsigned i);

/* Decodes one instruction. code32 is the default operand/address size (CS.D). Never fails:
 * invalid encodings come back with error = INSN_UD and len covering what was read. */
void decode_insn(struct insn *in, bool code32, insn_fetch_fn fetch, void *opaque);

/* Convenience wrapper for a byte buffer; bytes past n read as 0. */
void decode_buf(struct insn *in, bool code32, const uint8_t *buf, unsigned n);

#endif
