; bcd: DAA DAS AAA AAS AAM AAD (including AAM/AAD with a base other than 10, and AAM 0 -> #DE).
; Values worked through the SDM Vol.2 pseudo-code of each instruction, quoted in short:
;
; DAA: old_AL <- AL; old_CF <- CF; CF <- 0;
;      IF ((AL AND 0FH) > 9) or AF = 1 THEN AL <- AL + 6; CF <- old_CF or carry; AF <- 1
;      ELSE AF <- 0;
;      IF (old_AL > 99H) or (old_CF = 1) THEN AL <- AL + 60H; CF <- 1 ELSE CF <- 0.
;      SF ZF PF from the result, OF undefined.
; DAS: the same with subtraction (AL - 6, borrow; AL - 60H, CF <- 1).
; AAA: IF ((AL AND 0FH) > 9) or (AF = 1) THEN AX <- AX + 106H; AF <- 1; CF <- 1
;      ELSE AF <- 0; CF <- 0; then AL <- AL AND 0FH. OF SF ZF PF undefined.
; AAS: IF ((AL AND 0FH) > 9) or (AF = 1) THEN AX <- AX - 6; AH <- AH - 1; AF <- 1; CF <- 1
;      ELSE CF <- 0; AF <- 0; then AL <- AL AND 0FH. OF SF ZF PF undefined.
;      (Where the 8086-era text "AL <- AL + 6; AH <- AH + 1" and today's "AX <- AX + 106H"
;      differ, AL >= FAh for AAA and AL < 6 for AAS, the cases below follow today's SDM; they
;      were checked on the host CPU.)
; AAM imm8: tempAL <- AL; AH <- tempAL / imm8; AL <- tempAL MOD imm8; imm8 = 0 -> #DE.
;      SF ZF PF from AL; OF AF CF undefined.
; AAD imm8: AL <- (tempAL + (tempAH * imm8)) AND FFH; AH <- 0. SF ZF PF from AL; OF AF CF undef.
%include "lib.inc"
%define F_SZAPC (F_SF | F_ZF | F_AF | F_PF | F_CF)
%define F_SZP (F_SF | F_ZF | F_PF)
TEST_BEGIN "bcd"

;--- DAA
    SETF F_FIXED
    mov al, 0x9A
    daa                             ; A > 9: AL = A0, AF=1, CF = 0 or no carry = 0;
    CHECK al, 0x00, "daa #1"        ; old_AL 9A > 99: AL = A0+60 = 00, CF=1; ZF PF
    CHECKF F_SZAPC, F_CF | F_AF | F_ZF | F_PF, "daa #1 flags"
    mov al, 0x79                    ; the SDM's example: 79 + 35 = AE (AF=0 CF=0)
    add al, 0x35
    daa                             ; E > 9: B4, AF=1; old_AL AE > 99: B4+60 = 14, CF=1;
    CHECK al, 0x14, "daa #2"        ; 0x14 two ones PF
    CHECKF F_SZAPC, F_CF | F_AF | F_PF, "daa #2 flags"
    mov al, 0x15
    add al, 0x27                    ; 3C, AF=0 (5+7 = C), CF=0
    daa                             ; C > 9: 42, AF=1; old_AL 3C <= 99, CF=0: CF=0. 15+27 = 42
    CHECK al, 0x42, "daa #3"
    CHECKF F_SZAPC, F_AF | F_PF, "daa #3 flags"
    mov al, 0x09
    add al, 0x08                    ; 11, AF=1 (9+8 = 11h carries out of bit 3)
    daa                             ; AF=1: 17, AF=1; 11 <= 99, CF=0. 09+08 = 17; four ones PF
    CHECK al, 0x17, "daa #4"
    CHECKF F_SZAPC, F_AF | F_PF, "daa #4 flags"
    mov al, 0x99
    add al, 0x99                    ; 132h: AL=32, CF=1, AF=1 (9+9)
    daa                             ; AF: 38, CF = 1 or 0 = 1; old_CF: 38+60 = 98, CF=1;
    CHECK al, 0x98, "daa #5"        ; 99+99 = 198; 0x98 SF, three ones: PF=0
    CHECKF F_SZAPC, F_CF | F_AF | F_SF, "daa #5 flags"
    SETF F_FIXED
    mov al, 0x45
    daa                             ; 5 <= 9, AF=0: AF=0; 45 <= 99, CF=0: CF=0; AL unchanged;
    CHECK al, 0x45, "daa #6"        ; 0100_0101 three ones: PF=0
    CHECKF F_SZAPC, 0, "daa #6 flags"

;--- DAA reads AF of the ADD before it with a MOV in between (no flags from MOV)
    mov al, 0x38
    add al, 0x29                    ; 61, AF=1 (8+9 = 11h)
    mov bx, 0
    daa                             ; AF: 61+6 = 67, AF=1; 61 <= 99, CF=0: 38+29 = 67
    CHECK al, 0x67, "add; mov; daa"

;--- DAS
    mov al, 0x35                    ; the SDM's example: 35 - 47 = EE, CF=1, AF=1
    sub al, 0x47
    das                             ; E > 9: E8, CF = old_CF 1; old_AL EE > 99: E8-60 = 88,
    CHECK al, 0x88, "das #1"        ; CF=1 (35-47 = -12 -> 88 with a borrow); SF, PF (2 ones)
    CHECKF F_SZAPC, F_CF | F_AF | F_SF | F_PF, "das #1 flags"
    mov al, 0x42
    sub al, 0x15                    ; 2D, AF=1 (2-5 borrows), CF=0
    das                             ; D > 9: 27, AF=1, CF = 0; 2D <= 99, old_CF=0: no second
    CHECK al, 0x27, "das #2"        ; step. 42-15 = 27; 0010_0111 four ones PF
    CHECKF F_SZAPC, F_AF | F_PF, "das #2 flags"
    mov al, 0x50
    sub al, 0x01                    ; 4F, AF=1
    das                             ; F > 9: 49, AF=1; no second step. 50-01 = 49; 3 ones: PF=0
    CHECK al, 0x49, "das #3"
    CHECKF F_SZAPC, F_AF, "das #3 flags"
    mov al, 0x00
    sub al, 0x01                    ; FF, CF=1, AF=1
    das                             ; F9, CF=1; old_AL FF > 99: F9-60 = 99, CF=1. 00-01 = 99
    CHECK al, 0x99, "das #4"        ; with a borrow; SF, four ones PF
    CHECKF F_SZAPC, F_CF | F_AF | F_SF | F_PF, "das #4 flags"

;--- AAA
    mov ax, 0x0005
    add al, 0x07                    ; 0C, AF=0
    aaa                             ; C > 9: AX = 000C+106 = 0112, AF=CF=1; AL = 12 AND 0F = 02
    CHECK ax, 0x0102, "aaa #1"      ; unpacked 5+7 = 1,2
    CHECKF F_AF | F_CF, F_AF | F_CF, "aaa #1 flags"
    mov ax, 0x0038                  ; ASCII '8' + '9'
    add al, 0x39                    ; 71, AF=1 (8+9 carries out of bit 3)
    aaa                             ; AF: AX = 0071+106 = 0177; AL AND 0F = 07 -> 0107
    CHECK ax, 0x0107, "aaa #2"
    CHECKF F_AF | F_CF, F_AF | F_CF, "aaa #2 flags"
    mov ax, 0x0233
    SETF F_FIXED
    aaa                             ; 3 <= 9, AF=0: AF=CF=0; AL = 33 AND 0F = 03; AH unchanged
    CHECK ax, 0x0203, "aaa #3"
    CHECKF F_AF | F_CF, 0, "aaa #3 flags"

    ; AL >= FAh: the carry of AL + 6 goes into AH (AX + 106H): 05FA + 106 = 0700, AL AND 0F = 00
    mov ax, 0x05FA
    SETF F_FIXED
    aaa
    CHECK ax, 0x0700, "aaa al=fa carries into ah"
    CHECKF F_AF | F_CF, F_AF | F_CF, "aaa al=fa flags"

;--- AAS
    mov ax, 0x0102
    sub al, 0x05                    ; FD, AF=1 (2-5), CF=1
    aas                             ; AF: AX = 01FD-6 = 01F7; AH = 01-1 = 00; AL = F7 AND 0F
    CHECK ax, 0x0007, "aas #1"      ; = 07. Unpacked 12-5 = 0,7
    CHECKF F_AF | F_CF, F_AF | F_CF, "aas #1 flags"
    mov ax, 0x0308
    sub al, 0x03                    ; 05, AF=0
    aas                             ; no adjustment: AF=CF=0, AL = 05, AH = 03
    CHECK ax, 0x0305, "aas #2"
    CHECKF F_AF | F_CF, 0, "aas #2 flags"
    mov ax, 0x0539
    SETF F_FIXED
    aas                             ; AL = 39h: 9 <= 9, AF=0 -> AL = 09, AH = 05
    CHECK ax, 0x0509, "aas #3"

    ; AL < 6 with AF: AX - 6 borrows from AH, then AH - 1: 0502 - 6 = 04FC, AH = 03, AL = 0C
    mov ax, 0x0502
    SETF F_FIXED | F_AF
    aas
    CHECK ax, 0x030C, "aas al=02 borrows from ah"
    CHECKF F_AF | F_CF, F_AF | F_CF, "aas al=02 flags"

;--- DAS where the first step borrows: AL = 03, AF = 1, CF = 0: AL - 6 = FD with a borrow, so
; CF = old_CF or borrow = 1; old_AL 03 <= 99 and old_CF = 0: no second step, and today's SDM has no
; "ELSE CF <- 0" for DAS, so CF stays 1
    mov al, 0x03
    SETF F_FIXED | F_AF
    das
    CHECK al, 0xFD, "das al=03 af"
    CHECKF F_CF | F_AF, F_CF | F_AF, "das al=03 af flags"

;--- AAM
    mov ax, 0xFF3F                  ; AL = 63
    aam                             ; D4 0A: AH = 63/10 = 6, AL = 3; PF (two ones)
    CHECK ax, 0x0603, "aam #1"
    CHECKF F_SZP, F_PF, "aam #1 flags"
    mov al, 0xAB
    aam 16                          ; D4 10: AH = ABh/16 = 0A, AL = 0B (1011: PF=0)
    CHECK ax, 0x0A0B, "aam 16"
    CHECKF F_SZP, 0, "aam 16 flags"
    mov al, 80
    aam                             ; AH = 8, AL = 0: ZF PF
    CHECK ax, 0x0800, "aam #3"
    CHECKF F_SZP, F_ZF | F_PF, "aam #3 flags"

;--- AAD
    mov ax, 0x0605
    aad                             ; D5 0A: AL = 5 + 6*10 = 65 = 41h, AH = 0; PF (two ones)
    CHECK ax, 0x0041, "aad #1"
    CHECKF F_SZP, F_PF, "aad #1 flags"
    mov ax, 0x0A0B
    aad 16                          ; D5 10: AL = 0B + 0A*16 = ABh; SF; 1010_1011 five ones: PF=0
    CHECK ax, 0x00AB, "aad 16"
    CHECKF F_SZP, F_SF, "aad 16 flags"
    mov ax, 0xFF01
    aad                             ; AL = (1 + 255*10) AND FF = 2551 AND FF = F7h; SF; PF=0
    CHECK ax, 0x00F7, "aad wraps"
    CHECKF F_SZP, F_SF, "aad wraps flags"

;--- AAM 0: #DE (SDM AAM: "IF imm8 = 0 THEN #DE"), a fault: pushed IP = the AAM
    TRAP_ARM 0, .after
    mov ax, 0x1234
.fault:
    aam 0
    FAIL "aam 0: no #DE"
.after:
    CHECKT trap_count, 1, "aam 0 count"
    CHECKT trap_ip, .fault, "aam 0 pushed IP"
    CHECK ax, 0x1234, "aam 0 leaves AX"
TEST_END
