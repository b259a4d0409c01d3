; incdec: INC and DEC, all encodings (40+r / 48+r, FE /0 /1, FF /0 /1 on registers and memory),
; 8/16/32 bits. SDM Vol.2 INC/DEC: DEST <- DEST +/- 1; "The CF flag is not affected. The OF, SF,
; ZF, AF, and PF flags are set according to the result."
%include "lib.inc"
TEST_BEGIN "incdec"
    mov ax, SCRATCH_SEG
    mov ds, ax

;--- INC
    SETF F_FIXED | F_CF
    mov al, 0x7F
    inc al                          ; FE /0: 80: OF (pos -> neg), SF, AF (F+1); one 1: PF=0; CF kept
    CHECK al, 0x80, "inc8"
    CHECKF F_ARITH, F_CF | F_OF | F_SF | F_AF, "inc8 flags"
    SETF F_FIXED
    mov ax, 0xFFFF
    inc ax                          ; 40: 0: ZF AF PF; CF stays 0 (no carry flag from INC)
    CHECK ax, 0, "inc16"
    CHECKF F_ARITH, F_ZF | F_AF | F_PF, "inc16 flags"
    SETF F_FIXED | F_CF
    mov ecx, 0x0000FFFF
    inc ecx                         ; 66 41: 00010000: AF (F+1), PF (00); CF kept
    CHECK ecx, 0x00010000, "inc32"
    CHECKF F_ARITH, F_CF | F_AF | F_PF, "inc32 flags"
    mov word [0x10], 0x0010
    inc word [0x10]                 ; FF /0 m16: 0011: PF (two ones)
    CHECK word [0x10], 0x0011, "inc16 m"
    CHECKF F_ARITH, F_CF | F_PF, "inc16 m flags"
    mov byte [0x12], 0xFF
    SETF F_FIXED
    inc byte [0x12]                 ; FE /0 m8: 00: ZF AF PF
    CHECK byte [0x12], 0, "inc8 m"
    CHECKF F_ARITH, F_ZF | F_AF | F_PF, "inc8 m flags"
    mov bx, 0x0100
    db 0xFF, 0xC3                   ; inc bx through FF /0 with a register ModRM: 0101; PF=0
    CHECK bx, 0x0101, "inc16 FF/0"
    CHECKF F_ARITH, 0, "inc16 FF/0 flags"
    mov dword [0x14], 0x7FFFFFFF
    inc dword [0x14]                ; 66 FF /0: 80000000: OF SF AF PF
    CHECK dword [0x14], 0x80000000, "inc32 m"
    CHECKF F_ARITH, F_OF | F_SF | F_AF | F_PF, "inc32 m flags"

;--- DEC
    SETF F_FIXED | F_CF
    mov al, 0x80
    dec al                          ; FE /1: 7F: OF (neg -> pos), AF (0-1); seven ones: PF=0
    CHECK al, 0x7F, "dec8"
    CHECKF F_ARITH, F_CF | F_OF | F_AF, "dec8 flags"
    SETF F_FIXED
    mov ecx, 1
    dec ecx                         ; 66 49: 0: ZF PF; 1-1 no borrow: AF=0
    CHECK ecx, 0, "dec32"
    CHECKF F_ARITH, F_ZF | F_PF, "dec32 flags"
    SETF F_FIXED
    mov dx, 0
    dec dx                          ; 4A: FFFF: SF AF PF; CF not set by the wrap
    CHECK dx, 0xFFFF, "dec16"
    CHECKF F_ARITH, F_SF | F_AF | F_PF, "dec16 flags"
    mov word [0x18], 0x8000
    SETF F_FIXED | F_CF
    dec word [0x18]                 ; FF /1 m16: 7FFF: OF AF PF; CF kept
    CHECK word [0x18], 0x7FFF, "dec16 m"
    CHECKF F_ARITH, F_CF | F_OF | F_AF | F_PF, "dec16 m flags"
    mov byte [0x1A], 0x11
    dec byte [0x1A]                 ; FE /1 m8: 10: one 1 bit: PF=0
    CHECK byte [0x1A], 0x10, "dec8 m"
    CHECKF F_ARITH, F_CF, "dec8 m flags"
    mov si, 0x0003
    db 0xFF, 0xCE                   ; dec si through FF /1 with a register ModRM: 0002; PF=0
    CHECK si, 0x0002, "dec16 FF/1"
    mov dword [0x1C], 0
    dec dword [0x1C]                ; FFFFFFFF: SF AF PF
    CHECK dword [0x1C], 0xFFFFFFFF, "dec32 m"
    CHECKF F_ARITH, F_CF | F_SF | F_AF | F_PF, "dec32 m flags"
    mov bh, 0x01
    mov bl, 0xFF
    inc bl                          ; 8-bit: no carry into BH
    CHECK bx, 0x0100, "inc8 bl no carry to bh"
    dec bh
    dec bh                          ; 01 -> 00 -> FF
    CHECK bx, 0xFF00, "dec8 bh"
TEST_END
