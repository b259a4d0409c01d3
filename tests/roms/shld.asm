; shld: SHLD and SHRD (double-precision shifts) with imm8 and CL counts, 16/32 bits, register and
; memory destinations.
;
; SDM Vol.2 SHLD/SHRD: COUNT <- COUNT MOD 32; if COUNT = 0 nothing changes (no flags either).
; SHLD shifts DEST left, filling from the top bits of SRC; SHRD shifts right, filling from the low
; bits of SRC. CF <- the last bit shifted out of DEST. "For a 1-bit shift, the OF flag is set if a
; sign change occurred; otherwise, it is cleared. For shifts greater than 1 bit, the OF flag is
; undefined." SF ZF PF from the result; AF undefined. A 16-bit count > 16 gives undefined
; results, so counts stay <= 16 there.
%include "lib.inc"
%define F_CZSP (F_CF | F_ZF | F_SF | F_PF)
TEST_BEGIN "shld"
    mov ax, SCRATCH_SEG
    mov ds, ax

;--- SHLD
    mov ax, 0x1234
    mov bx, 0xABCD
    shld ax, bx, 4                  ; 0F A4: (1234 << 4) | (ABCD >> 12) = 2340 | A = 234A;
    CHECK ax, 0x234A, "shld16 4"    ; CF = bit 12 of 1234 = 1; 0x4A three ones: PF=0
    CHECK bx, 0xABCD, "shld16 4 src"
    CHECKF F_CZSP, F_CF, "shld16 4 flags"
    mov eax, 0x12345678
    mov ebx, 0x9ABCDEF0
    mov cl, 8
    shld eax, ebx, cl               ; 0F A5: 34567800 | 9A = 3456789A; CF = bit 24 of 12345678 =
    CHECK eax, 0x3456789A, "shld32 cl=8" ; 0; 0x9A four ones PF
    CHECKF F_CZSP, F_PF, "shld32 cl=8 flags"
    mov ax, 0x4000
    mov bx, 0x8000
    shld ax, bx, 1                  ; 8001: CF = bit 15 of 4000 = 0; sign 0 -> 1: OF; SF; PF=0
    CHECK ax, 0x8001, "shld16 1"
    CHECKF F_CZSP | F_OF, F_SF | F_OF, "shld16 1 flags"
    SETF F_FIXED | F_CF | F_ZF | F_OF
    mov eax, 0x11111111
    mov cl, 32                      ; 32 MOD 32 = 0: nothing changes
    shld eax, ebx, cl
    CHECK eax, 0x11111111, "shld32 cl=32"
    CHECKF F_CZSP | F_OF, F_CF | F_ZF | F_OF, "shld32 cl=32 flags"
    mov word [0x10], 0x00FF
    mov dx, 0xF000
    mov cl, 16
    shld [0x10], dx, cl             ; count = size: DEST <- SRC = F000; CF = last bit out =
    CHECK word [0x10], 0xF000, "shld16 m cl=16" ; bit 0 of 00FF = 1
    CHECKF F_CZSP, F_CF | F_SF | F_PF, "shld16 m cl=16 flags"
    mov dword [0x14], 0x80000000
    mov esi, 0x00000001
    shld [0x14], esi, 31            ; (80000000 << 31) | (00000001 >> 1) = 0; CF = bit 1 of
    CHECK dword [0x14], 0, "shld32 m 31" ; 80000000 = 0; ZF PF
    CHECKF F_CZSP, F_ZF | F_PF, "shld32 m 31 flags"

;--- SHRD
    mov ax, 0x1234
    mov bx, 0xABCD
    shrd ax, bx, 4                  ; 0F AC: (1234 >> 4) | (ABCD << 12) = 0123 | D000 = D123;
    CHECK ax, 0xD123, "shrd16 4"    ; CF = bit 3 of 1234 = 0; SF; 0x23 three ones: PF=0
    CHECKF F_CZSP, F_SF, "shrd16 4 flags"
    mov eax, 0x12345678
    mov ebx, 0x9ABCDEF0
    mov cl, 0x28                    ; 40 MOD 32 = 8
    shrd eax, ebx, cl               ; 0F AD: 00123456 | F0000000 = F0123456; CF = bit 7 of
    CHECK eax, 0xF0123456, "shrd32 cl=40" ; 0x78 = 0; SF; 0x56 four ones PF
    CHECKF F_CZSP, F_SF | F_PF, "shrd32 cl=40 flags"
    mov ax, 0x0001
    mov bx, 0x0001
    shrd ax, bx, 1                  ; 8000: CF = 1; sign 0 -> 1: OF; SF; PF (00)
    CHECK ax, 0x8000, "shrd16 1"
    CHECKF F_CZSP | F_OF, F_CF | F_SF | F_PF | F_OF, "shrd16 1 flags"
    mov edx, 0x80000000
    mov ecx, 0x00000000
    shrd edx, ecx, 1                ; 40000000: CF = 0; sign 1 -> 0: OF; PF (00)
    CHECK edx, 0x40000000, "shrd32 1"
    CHECKF F_CZSP | F_OF, F_PF | F_OF, "shrd32 1 flags"
    mov dword [0x18], 0x0000FFFF
    mov edi, 0x12345678
    mov cl, 16
    shrd [0x18], edi, cl            ; 00000000 | 56780000 = 56780000; CF = bit 15 of 0000FFFF = 1
    CHECK dword [0x18], 0x56780000, "shrd32 m cl=16"
    CHECKF F_CZSP, F_CF | F_PF, "shrd32 m cl=16 flags"
    mov word [0x1C], 0x8421
    mov si, 0xFFFF
    shrd [0x1C], si, 8              ; 0084 | FF00 = FF84; CF = bit 7 of 8421 = 0; SF;
    CHECK word [0x1C], 0xFF84, "shrd16 m 8" ; 0x84 two ones PF
    CHECKF F_CZSP, F_SF | F_PF, "shrd16 m 8 flags"
TEST_END
