; logic: AND OR XOR TEST NOT, 8/16/32 bits, register/memory/immediate forms.
;
; SDM Vol.2 AND/OR/XOR/TEST "Flags Affected": OF and CF cleared; SF, ZF, PF set according to the
; result; AF undefined (so it is masked out: F_NOAF). NOT: "Flags Affected: None".
%include "lib.inc"
TEST_BEGIN "logic"
    mov ax, SCRATCH_SEG
    mov ds, ax

;--- AND: DEST <- DEST AND SRC
    SETF F_FIXED | F_CF | F_OF      ; both must be cleared
    mov al, 0xF3
    and al, 0x0F                    ; 03: two ones PF
    CHECK al, 0x03, "and8"
    CHECKF F_NOAF, F_PF, "and8 flags"
    mov ax, 0x8001
    mov bx, 0x8000
    and ax, bx                      ; 8000: SF; low byte 00 PF
    CHECK ax, 0x8000, "and16"
    CHECKF F_NOAF, F_SF | F_PF, "and16 flags"
    SETF F_FIXED | F_CF | F_OF
    mov eax, 0xFFFF0000
    and eax, 0x0000FFFF             ; 0: ZF PF
    CHECK eax, 0, "and32"
    CHECKF F_NOAF, F_ZF | F_PF, "and32 flags"
    mov word [0x10], 0x1F2F
    and word [0x10], byte -16       ; 83 /4: FFF0 -> 1F20; 0x20 one 1: PF=0
    CHECK word [0x10], 0x1F20, "and16 m,imm8"
    CHECKF F_NOAF, 0, "and16 m,imm8 flags"
    mov ecx, 0x80FF00FF
    mov dword [0x14], 0xF00F0F03
    and ecx, [0x14]                 ; 80 0F 00 03 -> 800F0003: SF; 03 PF
    CHECK ecx, 0x800F0003, "and32 r,m"
    CHECKF F_NOAF, F_SF | F_PF, "and32 r,m flags"

;--- OR
    SETF F_FIXED | F_CF | F_OF
    mov al, 0x01
    or al, 0x80                     ; 81: SF; two ones PF
    CHECK al, 0x81, "or8"
    CHECKF F_NOAF, F_SF | F_PF, "or8 flags"
    mov word [0x18], 0x0100
    mov dx, 0x0010
    or [0x18], dx                   ; 0110: 0x10 one 1: PF=0
    CHECK word [0x18], 0x0110, "or16 m,r"
    CHECKF F_NOAF, 0, "or16 m,r flags"
    xor esi, esi
    or esi, esi                     ; the classic zero test: ZF PF
    CHECKF F_NOAF, F_ZF | F_PF, "or32 zero"
    mov edi, 0x00010000
    or edi, 0x40000000              ; 40010000: low byte 00 PF
    CHECK edi, 0x40010000, "or32"
    CHECKF F_NOAF, F_PF, "or32 flags"

;--- XOR
    SETF F_FIXED | F_CF | F_OF
    mov ax, 0x1234
    xor ax, ax                      ; 0: ZF PF
    CHECK ax, 0, "xor16 self"
    CHECKF F_NOAF, F_ZF | F_PF, "xor16 self flags"
    mov eax, 0x7FFFFFFF
    xor eax, 0x80000000             ; FFFFFFFF: SF PF
    CHECK eax, 0xFFFFFFFF, "xor32"
    CHECKF F_NOAF, F_SF | F_PF, "xor32 flags"
    mov byte [0x1C], 0x5A
    xor byte [0x1C], 0xFF           ; A5: SF; 1010 0101 four ones PF
    CHECK byte [0x1C], 0xA5, "xor8 m,imm"
    CHECKF F_NOAF, F_SF | F_PF, "xor8 m,imm flags"
    mov bh, 0x0F
    mov bl, 0x0E
    xor bh, bl                      ; 01: PF=0
    CHECK bh, 0x01, "xor8 bh,bl"
    CHECKF F_NOAF, 0, "xor8 bh,bl flags"

;--- TEST: flags of SRC1 AND SRC2, nothing written
    SETF F_FIXED | F_CF | F_OF
    mov al, 0x80
    test al, 0x80                   ; A8 ib: 80: SF; one 1 bit: PF=0
    CHECK al, 0x80, "test8 keeps al"
    CHECKF F_NOAF, F_SF, "test8 flags"
    mov ax, 2
    test ax, 1                      ; A9 iw: 0: ZF PF
    CHECKF F_NOAF, F_ZF | F_PF, "test16 flags"
    mov dword [0x20], 0x00000300
    mov ecx, 0x00000100
    test [0x20], ecx                ; 85 /r: 00000100: low byte 00 PF
    CHECKF F_NOAF, F_PF, "test32 m,r flags"
    CHECK dword [0x20], 0x00000300, "test32 keeps m"
    mov dl, 0x03
    test dl, 0x01                   ; F6 /0: 01: PF=0
    CHECKF F_NOAF, 0, "test8 r,imm flags"

;--- NOT: DEST <- NOT DEST, flags unchanged
    SETF F_FIXED | F_CF | F_ZF | F_OF | F_AF
    mov al, 0x55
    not al
    CHECK al, 0xAA, "not8"
    mov word [0x24], 0x00FF
    not word [0x24]
    CHECK word [0x24], 0xFF00, "not16 m"
    mov eax, 0x0F0F0000
    not eax
    CHECK eax, 0xF0F0FFFF, "not32"
    CHECKF F_ARITH, F_CF | F_ZF | F_OF | F_AF, "not keeps flags"
TEST_END
