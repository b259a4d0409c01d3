; shift: SHL/SAL SHR SAR by 1 (D0/D1), by CL (D2/D3) and by imm8 (C0/C1), 8/16/32 bits,
; register and memory, counts 0, 1, N, >= the operand size, and the 5-bit count mask.
;
; SDM Vol.2 SAL/SAR/SHL/SHR: "The count is masked to 5 bits". tempCOUNT = COUNT AND 1FH; if it
; is 0 no flags are affected. CF = the last bit shifted out. OF is defined only for 1-bit shifts:
; SHL: OF <- MSB(result) XOR CF; SAR: OF <- 0; SHR: OF <- MSB(original operand). SF, ZF, PF are
; set from the result; AF is undefined (masked: F_NOAF). "The CF flag is undefined for SHL and SHR
; instructions where the count is greater than or equal to the size (in bits) of the destination
; operand", so CF is not checked there; for counts > 1 only CF ZF SF PF are checked (F_CZSP).
%include "lib.inc"
%define F_CZSP (F_CF | F_ZF | F_SF | F_PF)
%define F_ZSP (F_ZF | F_SF | F_PF)
TEST_BEGIN "shift"
    mov ax, SCRATCH_SEG
    mov ds, ax

;--- SHL
    mov al, 0x81
    shl al, 1                       ; D0 /4: 1000_0001 -> 0000_0010, CF = 1; OF = 0 XOR 1 = 1
    CHECK al, 0x02, "shl8 1"
    CHECKF F_NOAF, F_CF | F_OF, "shl8 1 flags" ; 02: one 1 bit -> PF=0
    mov al, 0x40
    shl al, 1                       ; 0100_0000 -> 1000_0000, CF = 0; OF = 1 XOR 0 = 1; SF
    CHECK al, 0x80, "shl8 1 #2"
    CHECKF F_NOAF, F_OF | F_SF, "shl8 1 #2 flags"
    mov al, 0xC0
    shl al, 1                       ; -> 80, CF = 1, OF = 1 XOR 1 = 0; SF
    CHECKF F_NOAF, F_CF | F_SF, "shl8 1 #3 flags"
    ; count 0: nothing changes, flags included
    SETF F_FIXED | F_ZF | F_SF | F_PF | F_CF | F_OF
    mov al, 0x81
    mov cl, 0
    shl al, cl
    CHECK al, 0x81, "shl8 cl=0"
    CHECKF F_NOAF, F_ZF | F_SF | F_PF | F_CF | F_OF, "shl8 cl=0 flags"
    ; count 32 is masked to 0 as well
    mov ax, 0x1234
    mov cl, 32
    shl ax, cl
    CHECK ax, 0x1234, "shl16 cl=32"
    CHECKF F_NOAF, F_ZF | F_SF | F_PF | F_CF | F_OF, "shl16 cl=32 flags"
    mov ax, 0x1234
    shl ax, 4                       ; C1 /4 ib: 0x1234 << 4 = 0x2340; the last bit out is
    CHECK ax, 0x2340, "shl16 4"     ; bit 12 of 0001_0010_0011_0100 = 1
    CHECKF F_CZSP, F_CF, "shl16 4 flags" ; 0x40: one 1 bit: PF=0
    mov eax, 0x40000000
    mov cl, 0x21                    ; 33 AND 1FH = 1: a 1-bit shift, OF defined
    shl eax, cl                     ; -> 80000000, CF = 0, OF = 1 XOR 0 = 1; SF; low byte 00: PF
    CHECK eax, 0x80000000, "shl32 cl=33"
    CHECKF F_NOAF, F_OF | F_SF | F_PF, "shl32 cl=33 flags"
    mov al, 0xFF
    mov cl, 8
    shl al, cl                      ; count = 8 = size: all bits out -> 0; CF undefined
    CHECK al, 0, "shl8 cl=8"
    CHECKF F_ZSP, F_ZF | F_PF, "shl8 cl=8 flags"
    mov ax, 0xFFFF
    mov cl, 31                      ; 16-bit operand, count 31 (not reduced mod 16) -> 0
    shl ax, cl
    CHECK ax, 0, "shl16 cl=31"
    mov word [0x10], 0x0003
    shl word [0x10], 1              ; D1 /4 m16: 0006, CF 0, OF 0; two ones PF
    CHECK word [0x10], 0x0006, "shl16 m 1"
    CHECKF F_NOAF, F_PF, "shl16 m 1 flags"
    mov dword [0x14], 0x00000001
    mov cl, 31
    shl dword [0x14], cl            ; D3 /4 m32: 80000000; last bit out = bit 1 of 1 = 0
    CHECK dword [0x14], 0x80000000, "shl32 m cl"
    CHECKF F_CZSP, F_SF | F_PF, "shl32 m cl flags"
    mov bl, 0x01
    sal bl, 7                       ; SAL = SHL (same opcode, SDM): 0x80
    CHECK bl, 0x80, "sal8 7"

    ; an imm8 count is masked the same way: C1 /4 ib with 33 -> 1
    mov ax, 0x4001
    db 0xC1, 0xE0, 33               ; shl ax, 33: 8002, CF = 0, OF = 1 XOR 0 = 1
    CHECK ax, 0x8002, "shl16 imm 33"
    CHECKF F_CF | F_OF, F_OF, "shl16 imm 33 flags"

;--- SHR
    mov al, 0x81
    shr al, 1                       ; D0 /5: -> 0x40, CF = 1, OF = MSB(0x81) = 1
    CHECK al, 0x40, "shr8 1"
    CHECKF F_NOAF, F_CF | F_OF, "shr8 1 flags"
    mov al, 0x01
    shr al, 1                       ; -> 0, CF = 1, OF = MSB(01) = 0; ZF PF
    CHECKF F_NOAF, F_CF | F_ZF | F_PF, "shr8 1 #2 flags"
    mov ax, 0x8421
    mov cl, 4
    shr ax, cl                      ; D3 /5: 0x0842; last bit out = bit 3 of 0x8421 = 0
    CHECK ax, 0x0842, "shr16 cl=4"
    CHECKF F_CZSP, F_PF, "shr16 cl=4 flags" ; 0x42: two ones
    mov eax, 0x80000000
    mov cl, 0x3F                    ; 63 AND 1FH = 31
    shr eax, cl                     ; -> 1; last bit out = bit 30 = 0
    CHECK eax, 1, "shr32 cl=63"
    CHECKF F_CZSP, 0, "shr32 cl=63 flags"
    mov edx, 0xF0000000
    shr edx, 28                     ; C1 /5 ib: 0000000F; bit 27 = 0; 0x0F four ones PF
    CHECK edx, 0x0000000F, "shr32 28"
    CHECKF F_CZSP, F_PF, "shr32 28 flags"
    mov byte [0x18], 0x0C
    shr byte [0x18], 3              ; C0 /5 m8: 0x0C >> 3 = 1; last bit out = bit 2 = 1
    CHECK byte [0x18], 0x01, "shr8 m 3"
    CHECKF F_CZSP, F_CF, "shr8 m 3 flags"
    mov ax, 0x8000
    mov cl, 16
    shr ax, cl                      ; count = 16 = size -> 0 (CF undefined)
    CHECK ax, 0, "shr16 cl=16"
    CHECKF F_ZSP, F_ZF | F_PF, "shr16 cl=16 flags"

;--- SAR (signed: fills with the sign bit)
    mov al, 0x81
    sar al, 1                       ; D0 /7: -> 0xC0, CF = 1, OF = 0; SF; two ones PF
    CHECK al, 0xC0, "sar8 1"
    CHECKF F_NOAF, F_CF | F_SF | F_PF, "sar8 1 flags"
    SETF F_FIXED | F_OF
    mov al, 0x02
    sar al, 1                       ; -> 01, CF = 0, OF = 0 (cleared even if set before)
    CHECKF F_NOAF, 0, "sar8 1 #2 flags"
    mov ax, 0x8000
    mov cl, 15
    sar ax, cl                      ; -> FFFF; last bit out = bit 14 = 0; SF PF
    CHECK ax, 0xFFFF, "sar16 cl=15"
    CHECKF F_CZSP, F_SF | F_PF, "sar16 cl=15 flags"
    mov ax, 0x8000
    mov cl, 20                      ; 20 > 16: SAR fills the whole word with the sign
    sar ax, cl
    CHECK ax, 0xFFFF, "sar16 cl=20"
    CHECKF F_ZSP, F_SF | F_PF, "sar16 cl=20 flags"
    mov ax, 0x7FFF
    sar ax, cl                      ; positive: -> 0
    CHECK ax, 0, "sar16 cl=20 positive"
    mov word [0x1A], 0x0007
    sar word [0x1A], 2              ; C1 /7 m16: 0001; last bit out = bit 1 = 1; PF=0
    CHECK word [0x1A], 0x0001, "sar16 m 2"
    CHECKF F_CZSP, F_CF, "sar16 m 2 flags"
    mov eax, 0x80000000
    sar eax, 8                      ; -> FF800000; bit 7 = 0; SF; low byte 00 PF
    CHECK eax, 0xFF800000, "sar32 8"
    CHECKF F_CZSP, F_SF | F_PF, "sar32 8 flags"
    mov ebx, 0xFFFFFFF0
    sar ebx, 1                      ; 66 D1 /7: -16 >> 1 = -8 = FFFFFFF8; CF = 0; OF = 0
    CHECK ebx, 0xFFFFFFF8, "sar32 1"
    CHECKF F_NOAF, F_SF, "sar32 1 flags" ; F8: five ones: PF=0
TEST_END
