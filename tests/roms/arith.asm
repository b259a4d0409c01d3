; arith: ADD ADC SUB SBB CMP NEG, 8/16/32 bits, register/memory/immediate forms (including the
; sign-extended imm8 group 83), results and all six arithmetic flags.
;
; Flag rules (SDM Vol.2 ADD/ADC/SUB/SBB/CMP/NEG "Flags Affected": OF, SF, ZF, AF, CF, PF set
; according to the result; SDM Vol.1 3.4.3.1 and appendix A for each flag):
;   CF  carry out of / borrow into the top bit     AF  carry out of / borrow into bit 3
;   OF  signed overflow: the operands' signs agree (ADD) or differ (SUB) and the result's differs
;   PF  1 when the low byte of the result has an even number of 1 bits
; Values below: F = CF 01, PF 04, AF 10, ZF 40, SF 80, OF 800.
%include "lib.inc"
TEST_BEGIN "arith"
    mov ax, SCRATCH_SEG
    mov ds, ax

;--- ADD
    mov al, 0x7F
    mov bl, 0x01
    add al, bl                      ; 7F+01 = 80: pos+pos=neg OF; F+1 carries out of bit 3 AF;
    CHECK al, 0x80, "add8 #1"       ; 0x80 has one 1 bit: PF=0; no carry out of bit 7
    CHECKF F_ARITH, F_OF | F_SF | F_AF, "add8 #1 flags"
    mov al, 0x01
    add al, 0xFF                    ; 01+FF = 100: CF, ZF, AF (1+F), PF (0 ones); pos+neg: no OF
    CHECK al, 0x00, "add8 #2"
    CHECKF F_ARITH, F_CF | F_ZF | F_AF | F_PF, "add8 #2 flags"
    mov ax, 0x8000
    add ax, 0x8000                  ; 8000+8000 = 1_0000: CF ZF PF, neg+neg=pos OF; 0+0 no AF
    CHECK ax, 0x0000, "add16 #1"
    CHECKF F_ARITH, F_CF | F_ZF | F_PF | F_OF, "add16 #1 flags"
    mov word [0x10], 0x1234
    add word [0x10], byte -1        ; 83 /0: 1234+FFFF = 1_1233: CF; 4+F AF; 0x33 four ones PF
    CHECK word [0x10], 0x1233, "add16 #2"
    CHECKF F_ARITH, F_CF | F_AF | F_PF, "add16 #2 flags"
    mov eax, 0x7FFFFFFF
    add eax, 1                      ; 7FFFFFFF+1 = 80000000: OF SF, F+1 AF, low byte 00 PF
    CHECK eax, 0x80000000, "add32 #1"
    CHECKF F_ARITH, F_OF | F_SF | F_AF | F_PF, "add32 #1 flags"
    mov byte [0x12], 0x3C
    mov dl, 0x44
    add [0x12], dl                  ; 00 /r m8: 3C+44 = 80: OF SF, C+4 = 0x10 AF, PF=0
    CHECK byte [0x12], 0x80, "add8 #3"
    CHECKF F_ARITH, F_OF | F_SF | F_AF, "add8 #3 flags"
    mov ecx, 0x00010000
    mov dword [0x14], 0xFFFF0000
    add ecx, [0x14]                 ; 03 /r: 1_0000+FFFF_0000 = 1_0000_0000: CF ZF PF; no AF, no OF
    CHECK ecx, 0, "add32 #2"
    CHECKF F_ARITH, F_CF | F_ZF | F_PF, "add32 #2 flags"
    mov si, 0x1111
    add si, 0x2222                  ; 81 /0 iw: 3333: PF (0x33: four ones), nothing else
    CHECK si, 0x3333, "add16 #3"
    CHECKF F_ARITH, F_PF, "add16 #3 flags"

;--- ADC: DEST <- DEST + SRC + CF
    SETF F_FIXED | F_CF
    mov al, 0xFE
    mov bl, 0x01
    adc al, bl                      ; FE+01+1 = 100: CF ZF PF, E+1+1 = 0x10 AF; neg+pos no OF
    CHECK al, 0x00, "adc8 #1"
    CHECKF F_ARITH, F_CF | F_ZF | F_AF | F_PF, "adc8 #1 flags"
    SETF F_FIXED | F_CF
    mov ax, 0
    adc ax, 0x7FFF                  ; 0+7FFF+1 = 8000: OF (pos+pos -> neg) SF, 0+F+1 AF, PF (00)
    CHECK ax, 0x8000, "adc16 #1"
    CHECKF F_ARITH, F_OF | F_SF | F_AF | F_PF, "adc16 #1 flags"
    SETF F_FIXED | F_CF
    mov ax, 0x1234
    adc ax, 0xFFFF                  ; 1234+FFFF+1 = 1_1234: CF (SRC+CF overflows, the sum still
    CHECK ax, 0x1234, "adc16 #2"    ; carries), 4+F+1 AF, 0x34 three ones: PF=0; pos+neg no OF
    CHECKF F_ARITH, F_CF | F_AF, "adc16 #2 flags"
    SETF F_FIXED | F_CF
    mov edx, 0xFFFFFFFF
    mov ecx, 0
    adc edx, ecx                    ; FFFFFFFF+0+1 = 1_00000000: CF ZF PF, F+0+1 AF
    CHECK edx, 0, "adc32 #1"
    CHECKF F_ARITH, F_CF | F_ZF | F_AF | F_PF, "adc32 #1 flags"
    SETF F_FIXED
    mov al, 0x20
    adc al, 0x10                    ; CF=0: 20+10 = 30: 0x30 two ones PF
    CHECK al, 0x30, "adc8 #2"
    CHECKF F_ARITH, F_PF, "adc8 #2 flags"
    SETF F_FIXED | F_CF
    mov dword [0x18], 0x7FFFFFFF
    adc dword [0x18], byte 0        ; 83 /2: 7FFFFFFF+0+1 = 80000000: OF SF AF PF
    CHECK dword [0x18], 0x80000000, "adc32 #2"
    CHECKF F_ARITH, F_OF | F_SF | F_AF | F_PF, "adc32 #2 flags"

;--- SUB: DEST <- DEST - SRC
    mov al, 0x00
    mov bl, 0x01
    sub al, bl                      ; 00-01 = FF: borrow CF, 0-1 in bit 3 AF, SF, PF (8 ones)
    CHECK al, 0xFF, "sub8 #1"
    CHECKF F_ARITH, F_CF | F_AF | F_SF | F_PF, "sub8 #1 flags"
    mov ax, 0x8000
    sub ax, 1                       ; 8000-1 = 7FFF: OF (neg-pos -> pos), AF, PF (FF)
    CHECK ax, 0x7FFF, "sub16 #1"
    CHECKF F_ARITH, F_OF | F_AF | F_PF, "sub16 #1 flags"
    mov eax, 0x12345678
    sub eax, eax                    ; 0: ZF PF
    CHECK eax, 0, "sub32 #1"
    CHECKF F_ARITH, F_ZF | F_PF, "sub32 #1 flags"
    mov word [0x20], 0x1234
    sub word [0x20], 0x1000         ; 0234: 0x34 three ones: PF=0; nothing else
    CHECK word [0x20], 0x0234, "sub16 #2"
    CHECKF F_ARITH, 0, "sub16 #2 flags"
    mov ecx, 1
    sub ecx, 0x80000001             ; 1-80000001 = 80000000: CF (1 < 80000001 unsigned),
    CHECK ecx, 0x80000000, "sub32 #2" ; OF (1 - (-7FFFFFFF) = 2^31 overflows), SF, PF (00)
    CHECKF F_ARITH, F_CF | F_OF | F_SF | F_PF, "sub32 #2 flags"
    mov byte [0x22], 0x10
    mov dh, 0x11
    sub dh, [0x22]                  ; 2A /r: 11-10 = 01: one 1 bit: PF=0
    CHECK dh, 0x01, "sub8 #2"
    CHECKF F_ARITH, 0, "sub8 #2 flags"

;--- SBB: DEST <- DEST - (SRC + CF)
    SETF F_FIXED | F_CF
    mov al, 0
    sbb al, 0                       ; 0-0-1 = FF: CF AF SF PF
    CHECK al, 0xFF, "sbb8 #1"
    CHECKF F_ARITH, F_CF | F_AF | F_SF | F_PF, "sbb8 #1 flags"
    SETF F_FIXED | F_CF
    mov ax, 0x1234
    sbb ax, 0xFFFF                  ; 1234-FFFF-1 = 1234 - 1_0000: borrow CF; 4-F-1 AF;
    CHECK ax, 0x1234, "sbb16 #1"    ; signed 1234-(-1)-1 = 1234 no OF; 0x34 PF=0
    CHECKF F_ARITH, F_CF | F_AF, "sbb16 #1 flags"
    mov edx, 0x80000000
    xor ecx, ecx
    SETF F_FIXED | F_CF
    sbb edx, ecx                    ; 80000000-0-1 = 7FFFFFFF: OF (neg -> pos), AF, PF (FF)
    CHECK edx, 0x7FFFFFFF, "sbb32 #1"
    CHECKF F_ARITH, F_OF | F_AF | F_PF, "sbb32 #1 flags"
    SETF F_FIXED
    mov bl, 5
    sbb bl, 5                       ; CF=0: 5-5 = 0: ZF PF
    CHECK bl, 0, "sbb8 #2"
    CHECKF F_ARITH, F_ZF | F_PF, "sbb8 #2 flags"
    SETF F_FIXED | F_CF
    mov word [0x24], 0x0100
    sbb word [0x24], byte 0         ; 83 /3: 0100-0-1 = 00FF: 0-1 in bit 3 AF, PF (FF)
    CHECK word [0x24], 0x00FF, "sbb16 #2"
    CHECKF F_ARITH, F_AF | F_PF, "sbb16 #2 flags"

;--- CMP: flags of SRC1 - SRC2, no result written
    mov al, 0x7F
    cmp al, 0x80                    ; 7F-80 = FF: CF, OF (pos-neg -> neg), SF, PF; F-0 no AF
    CHECK al, 0x7F, "cmp8 keeps dest"
    CHECKF F_ARITH, F_CF | F_OF | F_SF | F_PF, "cmp8 flags"
    mov word [0x26], 0x4321
    mov ax, 0x4321
    cmp [0x26], ax                  ; equal: ZF PF
    CHECKF F_ARITH, F_ZF | F_PF, "cmp16 flags"
    xor eax, eax
    cmp eax, byte -1                ; 66 83 /7: 0-FFFFFFFF = 1 (borrow): CF, 0-F AF; 01: PF=0
    CHECKF F_ARITH, F_CF | F_AF, "cmp32 flags"
    mov ecx, 0x80000000
    cmp ecx, 0x7FFFFFFF             ; 80000000-7FFFFFFF = 1: OF (neg-pos -> pos), AF (0-F)
    CHECKF F_ARITH, F_OF | F_AF, "cmp32 #2 flags"
    CHECK ecx, 0x80000000, "cmp32 keeps dest"

;--- NEG: DEST <- 0 - DEST; CF = (DEST != 0), the rest from the result
    mov al, 1
    neg al                          ; 0-1 = FF: CF AF SF PF
    CHECK al, 0xFF, "neg8"
    CHECKF F_ARITH, F_CF | F_AF | F_SF | F_PF, "neg8 flags"
    mov ax, 0
    neg ax                          ; 0: CF=0, ZF PF
    CHECK ax, 0, "neg16 zero"
    CHECKF F_ARITH, F_ZF | F_PF, "neg16 zero flags"
    mov ax, 0x8000
    neg ax                          ; 0-8000 = 8000: CF, OF (0-(-2^15) overflows), SF, PF (00)
    CHECK ax, 0x8000, "neg16 min"
    CHECKF F_ARITH, F_CF | F_OF | F_SF | F_PF, "neg16 min flags"
    mov dword [0x28], 0x10
    neg dword [0x28]                ; 0-10 = FFFFFFF0: CF SF, 0-0 in bit 3 no AF, F0 PF
    CHECK dword [0x28], 0xFFFFFFF0, "neg32"
    CHECKF F_ARITH, F_CF | F_SF | F_PF, "neg32 flags"

;--- multi-word arithmetic the way compilers use ADD/ADC and SUB/SBB
    mov eax, 0xFFFFFFFF             ; 0x00000001_FFFFFFFF + 0x00000002_00000001
    mov edx, 0x00000001
    add eax, 0x00000001             ; = 0x00000004_00000000
    adc edx, 0x00000002
    CHECK eax, 0, "add/adc low"
    CHECK edx, 4, "add/adc high"
    sub eax, 1                      ; 0x00000004_00000000 - 1 = 0x00000003_FFFFFFFF
    sbb edx, 0
    CHECK eax, 0xFFFFFFFF, "sub/sbb low"
    CHECK edx, 3, "sub/sbb high"
TEST_END
