; flags: CLC STC CMC CLD STD CLI STI, PUSHF/POPF and PUSHFD/POPFD in real mode (which bits
; stick, which read as fixed values), and that each instruction changes only its own flag.
;
; SDM Vol.1 3.4.3 / figure 3-8: FLAGS bit 1 is always 1; bits 3, 5 and 15 are always 0.
; SDM Vol.2 POPF: in real mode (CPL 0) all of CF PF AF ZF SF TF IF DF OF IOPL NT can be changed
; by a 16-bit POPF; with a 32-bit POPFD, "RF is cleared", "VIP, VIF, VM, and all reserved bits are
; unaffected". SDM Vol.2 PUSHF: "the VM and RF flags (bits 16 and 17) are not copied; instead,
; the values for these flags are cleared in the EFLAGS image stored on the stack".
; TF is never set here (it would single-step).
%include "lib.inc"
TEST_BEGIN "flags"

;--- CLC / STC / CMC: only CF
    SETF F_FIXED | F_ZF | F_SF | F_OF | F_PF | F_AF
    stc
    CHECKF F_ARITH, F_ARITH, "stc"
    cmc
    CHECKF F_ARITH, F_ARITH & ~F_CF, "cmc 1->0"
    cmc
    CHECKF F_ARITH, F_ARITH, "cmc 0->1"
    clc
    CHECKF F_ARITH, F_ARITH & ~F_CF, "clc"
    SETF F_FIXED
    stc
    CHECKF 0xFFFF, F_FIXED | F_CF, "stc alone"
    clc
    CHECKF 0xFFFF, F_FIXED, "clc alone"

;--- CLD / STD: only DF
    SETF F_FIXED | F_CF
    std
    CHECKF 0xFFFF, F_FIXED | F_CF | F_DF, "std"
    cld
    CHECKF 0xFFFF, F_FIXED | F_CF, "cld"

;--- CLI / STI: only IF (no interrupt source exists on this machine)
    SETF F_FIXED | F_ZF
    sti
    CHECKF 0xFFFF, F_FIXED | F_ZF | F_IF, "sti"
    cli
    CHECKF 0xFFFF, F_FIXED | F_ZF, "cli"

;--- POPF / PUSHF: the fixed bits
    push word 0
    popf
    pushf
    pop ax
    CHECK ax, 0x0002, "popf 0000 -> 0002"
    ; all bits but TF and IF: FCFFh -> bits 15, 5, 3 read 0, bit 1 reads 1:
    ; FCFF AND NOT(8000|0020|0008) = 7CD7; IOPL (12-13) and NT (14) stick in real mode on a 386+
    push word 0xFCFF
    popf
    pushf
    pop ax
    CHECK ax, 0x7CD7, "popf fcff -> 7cd7"
    push word 0
    popf

;--- PUSHFD / POPFD: 4 bytes, upper half
    mov bx, sp
    pushfd
    mov cx, sp
    sub bx, cx
    CHECK bx, 4, "pushfd pushes 4 bytes"
    pop eax
    and eax, 0xFFFF7FFF & ~(F_IF)
    CHECK eax, 0x00000002, "pushfd image"
    ; POPFD 00030000h (RF | VM) in real mode: RF is cleared, VM is "unaffected" (stays 0)
    push dword 0x00030000
    popfd
    pushfd
    pop eax
    CHECK eax, 0x00000002, "popfd cannot set vm/rf"
    ; (PUSHFD never shows VM; had VM been set, these IOPL-sensitive instructions would fault as
    ; in virtual-8086 mode with IOPL 0)
    pushf
    cli
    sti
    cli
    popf
    ; a 16-bit POPF leaves EFLAGS[31:16] alone and a 32-bit one loads the low half too
    push dword 0x00000ED7 & ~F_TF & ~F_IF ; OF DF SF ZF AF PF CF (TF IF clear)
    popfd
    pushf
    pop ax
    CHECK ax, 0x0CD7, "popfd low half"
    push word 0x0002
    popf

;--- LAHF/SAHF and PUSHF agree
    SETF F_FIXED | F_SF | F_ZF | F_CF
    lahf
    pushf
    pop bx
    CHECK ah, bl, "lahf = low byte of pushf"
TEST_END
