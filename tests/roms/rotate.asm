; rotate: ROL ROR RCL RCR by 1, CL and imm8, 8/16/32 bits, register and memory, counts 0, 1, N,
; the 5-bit count mask and the modulo-9/17 reduction of RCL/RCR.
;
; SDM Vol.2 RCL/RCR/ROL/ROR pseudo-code:
;   ROL/ROR: tempCOUNT <- (COUNT AND 1FH) MOD SIZE; rotate; IF (COUNT AND 1FH) != 0 THEN
;            CF <- LSB(DEST) (ROL) / MSB(DEST) (ROR). OF, only when (COUNT AND 1FH) = 1:
;            ROL: MSB(DEST) XOR CF; ROR: MSB(DEST) XOR MSB-1(DEST) (of the result).
;   RCL/RCR: tempCOUNT <- (COUNT AND 1FH) MOD 9 (8 bits), MOD 17 (16 bits), COUNT AND 1FH (32);
;            rotate through CF. OF when the masked count is 1: RCL: MSB(DEST) XOR CF after the
;            rotation; RCR: MSB(DEST) XOR CF before it.
;   "Flags Affected: If the masked count is 0, the flags are not affected. ... The SF, ZF, AF,
;   and PF flags are not affected." So SF ZF AF PF are preset and checked unchanged, and OF is
;   masked out when the count is not 1 (F_NOOF).
%include "lib.inc"
%define F_NOOF (F_CF | F_PF | F_AF | F_ZF | F_SF)
TEST_BEGIN "rotate"
    mov ax, SCRATCH_SEG
    mov ds, ax

;--- ROL
    SETF F_FIXED | F_ZF | F_AF      ; must survive
    mov al, 0x81
    rol al, 1                       ; D0 /0: 1000_0001 -> 0000_0011; CF = LSB = 1;
    CHECK al, 0x03, "rol8 1"        ; OF = MSB(0) XOR CF(1) = 1
    CHECKF F_ARITH, F_ZF | F_AF | F_CF | F_OF, "rol8 1 flags"
    SETF F_FIXED | F_SF | F_PF
    mov ax, 0x1234
    mov cl, 4
    rol ax, cl                      ; D3 /0: 0x2341; CF = LSB = 1
    CHECK ax, 0x2341, "rol16 cl=4"
    CHECKF F_NOOF, F_SF | F_PF | F_CF, "rol16 cl=4 flags"
    SETF F_FIXED
    mov al, 0x81
    mov cl, 8                       ; masked count 8 != 0, tempCOUNT = 8 MOD 8 = 0:
    rol al, cl                      ; no rotation, but CF <- LSB(DEST) = 1
    CHECK al, 0x81, "rol8 cl=8"
    CHECKF F_NOOF, F_CF, "rol8 cl=8 flags"
    mov eax, 0x12345678
    mov cl, 36                      ; 36 AND 1FH = 4
    rol eax, cl                     ; 0x23456781; CF = 1
    CHECK eax, 0x23456781, "rol32 cl=36"
    CHECKF F_CF, F_CF, "rol32 cl=36 cf"
    SETF F_FIXED | F_CF | F_OF | F_ZF
    mov dx, 0x8001
    mov cl, 0
    rol dx, cl                      ; count 0: nothing changes
    CHECK dx, 0x8001, "rol16 cl=0"
    CHECKF F_ARITH, F_CF | F_OF | F_ZF, "rol16 cl=0 flags"
    mov word [0x10], 0x8000
    rol word [0x10], 1              ; D1 /0 m16: 0x0001; CF = 1; OF = 0 XOR 1 = 1
    CHECK word [0x10], 0x0001, "rol16 m 1"
    CHECKF F_CF | F_OF, F_CF | F_OF, "rol16 m 1 flags"
    mov dword [0x14], 0x80000001
    rol dword [0x14], 31            ; C1 /0 m32: rotate left 31 = right 1: 0xC0000000; CF = LSB 0
    CHECK dword [0x14], 0xC0000000, "rol32 m 31"
    CHECKF F_CF, 0, "rol32 m 31 cf"

    mov al, 0x81
    db 0xC0, 0xC0, 9                ; rol al, 9: (9 AND 1FH) MOD 8 = 1: 03, CF = 1
    CHECK al, 0x03, "rol8 imm 9"
    CHECKF F_CF, F_CF, "rol8 imm 9 cf"

;--- ROR
    SETF F_FIXED
    mov al, 0x81
    ror al, 1                       ; D0 /1: -> 1100_0000; CF = MSB = 1; OF = 1 XOR 1 = 0
    CHECK al, 0xC0, "ror8 1"
    CHECKF F_ARITH, F_CF, "ror8 1 flags"
    mov bl, 0x01
    ror bl, 1                       ; -> 0x80; CF = 1; OF = MSB 1 XOR MSB-1 0 = 1
    CHECK bl, 0x80, "ror8 1 #2"
    CHECKF F_ARITH, F_CF | F_OF, "ror8 1 #2 flags"
    SETF F_FIXED | F_CF
    mov ax, 0x1234
    mov cl, 4
    ror ax, cl                      ; 0x4123; CF = MSB = 0
    CHECK ax, 0x4123, "ror16 cl=4"
    CHECKF F_NOOF, 0, "ror16 cl=4 flags"
    mov eax, 0x12345678
    ror eax, 8                      ; C1 /1: 0x78123456; CF = MSB = 0
    CHECK eax, 0x78123456, "ror32 8"
    mov ax, 0x8001
    mov cl, 16                      ; tempCOUNT = 16 MOD 16 = 0, masked count != 0:
    ror ax, cl                      ; CF <- MSB(DEST) = 1
    CHECK ax, 0x8001, "ror16 cl=16"
    CHECKF F_CF, F_CF, "ror16 cl=16 cf"
    mov word [0x18], 0x0001
    ror word [0x18], 1              ; D1 /1 m16: 0x8000; CF = 1; OF = 1 XOR 0 = 1
    CHECK word [0x18], 0x8000, "ror16 m 1"
    CHECKF F_CF | F_OF, F_CF | F_OF, "ror16 m 1 flags"

;--- RCL
    SETF F_FIXED | F_CF
    mov al, 0x80
    rcl al, 1                       ; D0 /2: CF:AL = 1:1000_0000 -> AL = 0000_0001, CF = 1;
    CHECK al, 0x01, "rcl8 1"        ; OF = MSB(0) XOR CF(1) = 1
    CHECKF F_ARITH, F_CF | F_OF, "rcl8 1 flags"
    SETF F_FIXED
    mov ax, 0x1234
    mov cl, 4                       ; 17-bit {CF=0, 1234} rotated left 4 = {1, 2340}
    rcl ax, cl
    CHECK ax, 0x2340, "rcl16 cl=4"
    CHECKF F_NOOF, F_CF, "rcl16 cl=4 flags"
    SETF F_FIXED | F_CF
    mov al, 0x96
    mov cl, 5                       ; 9-bit 1_1001_0110 rotated left 5: 0_1101_1001
    rcl al, cl
    CHECK al, 0xD9, "rcl8 cl=5"
    CHECKF F_NOOF, 0, "rcl8 cl=5 flags"
    SETF F_FIXED | F_CF
    mov al, 0x5A
    mov cl, 9                       ; tempCOUNT = 9 MOD 9 = 0: nothing changes
    rcl al, cl
    CHECK al, 0x5A, "rcl8 cl=9"
    CHECKF F_CF, F_CF, "rcl8 cl=9 cf"
    SETF F_FIXED | F_CF
    mov eax, 0x80000000
    rcl eax, 1                      ; 66 D1 /2: -> 00000001, CF = 1, OF = 0 XOR 1 = 1
    CHECK eax, 0x00000001, "rcl32 1"
    CHECKF F_CF | F_OF, F_CF | F_OF, "rcl32 1 flags"
    SETF F_FIXED
    mov ebx, 0x00000001
    rcl ebx, 31                     ; {0, 00000001} left 31: bit 0 -> bit 31, CF (bit 32) <- 0
    CHECK ebx, 0x80000000, "rcl32 31"
    CHECKF F_CF, 0, "rcl32 31 cf"
    SETF F_FIXED | F_CF
    mov word [0x1C], 0x0000
    mov cl, 17 + 32                 ; (49 AND 1FH) = 17, MOD 17 = 0: nothing changes
    rcl word [0x1C], cl
    CHECK word [0x1C], 0x0000, "rcl16 m cl=49"
    CHECKF F_CF, F_CF, "rcl16 m cl=49 cf"

;--- RCR
    SETF F_FIXED | F_CF
    mov al, 0x01
    rcr al, 1                       ; D0 /3: OF = MSB(01) XOR CF(1) = 1 (before the rotation);
    CHECK al, 0x80, "rcr8 1"        ; CF <- bit 0 = 1, bit 7 <- old CF = 1
    CHECKF F_ARITH, F_CF | F_OF, "rcr8 1 flags"
    SETF F_FIXED
    mov ax, 0x1234
    mov cl, 4                       ; 17-bit CF=0 : 0001_0010_0011_0100 rotated right 4:
    rcr ax, cl                      ; CF <- bit 3 = 0, AX = 1000_0001_0010_0011 (bits 2..0 of
    CHECK ax, 0x8123, "rcr16 cl=4"  ; 0x1234 = 100, then the old CF 0, on top)
    CHECKF F_NOOF, 0, "rcr16 cl=4 flags"
    SETF F_FIXED | F_CF
    mov eax, 0x12345678
    mov cl, 32                      ; masked to 0: nothing changes
    rcr eax, cl
    CHECK eax, 0x12345678, "rcr32 cl=32"
    CHECKF F_CF, F_CF, "rcr32 cl=32 cf"
    SETF F_FIXED
    mov edx, 0x00000003
    rcr edx, 1                      ; -> 00000001, CF = 1, OF = MSB(3) 0 XOR CF 0 = 0
    CHECK edx, 0x00000001, "rcr32 1"
    CHECKF F_CF | F_OF, F_CF, "rcr32 1 flags"
    SETF F_FIXED | F_CF
    mov byte [0x1E], 0x00
    rcr byte [0x1E], 8              ; C0 /3 m8, CF=1, byte 00, count 8 (< 9: no reduction)
    ; {CF, b7..b0} = 1 0000_0000 as a 9-bit ring; each RCR step moves CF into bit 7 and bit 0
    ; into CF: after 1 step AL=1000_0000 CF=0, after 8 steps the 1 is in bit 0: AL=01, CF=0
    CHECK byte [0x1E], 0x01, "rcr8 m 8"
    CHECKF F_CF, 0, "rcr8 m 8 cf"
TEST_END
