; lazyflags: instructions that read or keep only some flags, right after an instruction that set
; them, with no POPF in between (an emulator that computes flags lazily has to merge the two).
;
; Each case: an ALU instruction sets all six flags (values from the ADD/SUB/... rules, SDM Vol.2
; "Flags Affected"), then an instruction that changes only some of them or reads one:
;   INC/DEC: CF unaffected (SDM INC/DEC).            ROL/ROR/RCL/RCR: only CF and OF (SDM).
;   shift by 0: no flags (SDM SAL/SAR/SHL/SHR).      BT: only CF; ZF unaffected (SDM BT).
;   CLC/STC/CMC: only CF.                            MOV/LEA/NOT/XCHG/PUSH/POP: no flags.
;   ADC/SBB/RCL read CF; SETcc/CMOVcc/Jcc read their condition; LAHF reads SF ZF AF PF CF.
; (DAA reading AF from an ADD is in bcd.asm.)
%include "lib.inc"
TEST_BEGIN "lazyflags"
    mov ax, SCRATCH_SEG
    mov ds, ax

;--- CF from ADD survives INC, then feeds ADC
    mov al, 0xFF
    add al, 0x01                    ; 00: CF ZF AF PF
    inc bx                          ; CF kept
    mov cx, 5
    adc cx, 0                       ; 5 + 0 + 1
    CHECK cx, 6, "add; inc; adc"
    ; the same with DEC and SBB
    mov al, 0x00
    sub al, 0x01                    ; FF: CF AF SF PF
    dec bx
    mov cx, 5
    sbb cx, 0                       ; 5 - 0 - 1
    CHECK cx, 4, "sub; dec; sbb"

;--- INC merges its own OF SF ZF AF PF with CF from the SUB before it
    mov al, 0
    sub al, 1                       ; CF=1
    mov dl, 0x7F
    inc dl                          ; 80: OF SF AF, PF=0, ZF=0; CF (1) kept
    CHECKF F_ARITH, F_CF | F_OF | F_SF | F_AF, "sub; inc flags"
    mov al, 1
    add al, 1                       ; 02: CF=0
    mov dl, 0
    dec dl                          ; FF: SF AF PF; CF (0) kept
    CHECKF F_ARITH, F_SF | F_AF | F_PF, "add; dec flags"

;--- ROL changes only CF and OF: SF ZF AF PF stay those of the ADD
    mov al, 0x7F
    add al, 0x01                    ; 80: OF SF AF; CF=0 ZF=0 PF=0
    mov dl, 0x80
    rol dl, 1                       ; 01: CF = 1, OF = MSB 0 XOR CF 1 = 1
    CHECKF F_ARITH, F_CF | F_OF | F_SF | F_AF, "add; rol flags"
    mov eax, 0
    or eax, eax                     ; ZF PF, CF=OF=0
    mov edx, 0x00000001
    ror edx, 1                      ; 80000000: CF = MSB = 1; OF = 1 XOR 0 = 1
    CHECKF F_ARITH, F_CF | F_OF | F_ZF | F_PF, "or; ror flags"

;--- RCL reads CF set by a CMP
    mov ax, 1
    cmp ax, 2                       ; borrow: CF=1
    mov dx, 0
    rcl dx, 1                       ; DX = 0000_0000_0000_0001 (the CF)
    CHECK dx, 1, "cmp; rcl reads cf"
    mov ax, 2
    cmp ax, 1                       ; CF=0
    mov dx, 0x8000
    rcr dx, 1                       ; 4000 (CF 0 into bit 15), CF <- 0
    CHECK dx, 0x4000, "cmp; rcr reads cf"

;--- a shift by 0 keeps everything from the SUB
    mov al, 0x80
    sub al, 0x01                    ; 7F: OF AF; CF=0 ZF=0 SF=0 PF=0
    mov cl, 0
    shl bx, cl
    CHECKF F_ARITH, F_OF | F_AF, "sub; shl 0 flags"
    mov ax, 5
    sub ax, 5                       ; ZF PF
    mov cl, 32                      ; masked to 0
    sar edx, cl
    CHECKF F_ARITH, F_ZF | F_PF, "sub; sar 32 flags"

;--- BT changes CF only; ZF (and here all the rest, defined or not) from the AND
    mov ax, 0
    and ax, ax                      ; ZF PF
    mov dx, 1
    bt dx, 0                        ; CF <- 1
    CHECKF F_CF | F_ZF, F_CF | F_ZF, "and; bt flags"

;--- CMC/CLC/STC after an ADD
    mov al, 0xFF
    add al, 0x02                    ; 01: CF AF; PF=0
    cmc                             ; CF 1 -> 0
    CHECKF F_ARITH, F_AF, "add; cmc flags"
    mov al, 0x40
    add al, 0x40                    ; 80: OF SF; CF=0
    stc
    CHECKF F_ARITH, F_CF | F_OF | F_SF, "add; stc flags"
    clc
    CHECKF F_ARITH, F_OF | F_SF, "add; stc; clc flags"

;--- LAHF and PUSHF right after an ALU op
    mov al, 0x35
    sub al, 0x47                    ; EE: CF AF SF; EE = 1110_1110 six ones PF; no OF
    lahf                            ; SF:ZF:0:AF:0:PF:1:CF = 1 0 0 1 0 1 1 1 = 97
    CHECK ah, 0x97, "sub; lahf"
    mov al, 0x35
    sub al, 0x47
    pushf
    pop ax
    and ax, F_ARITH
    CHECK ax, F_CF | F_AF | F_SF | F_PF, "sub; pushf"

;--- SETcc / CMOVcc / Jcc read a lazily kept condition; MOV/LEA/NOT/XCHG/PUSH/POP in between
    mov eax, 0x80000000
    sub eax, 1                      ; 7FFFFFFF: OF, SF=0 -> L (SF != OF) holds; G does not
    mov ebx, 0x1234
    lea ecx, [ebx+4]
    not ebx
    xchg ebx, ecx
    push ebx
    pop edx
    setl al
    CHECK al, 1, "sub; ...; setl"
    mov si, 0x1111
    mov di, 0x2222
    cmovg si, di                    ; not taken
    CHECK si, 0x1111, "sub; ...; cmovg"
    jo .o_ok
    FAIL "sub; ...; jo"
.o_ok:

;--- LOOPE reads ZF from the CMP just before it
    mov cx, 3
    xor ax, ax
.le:
    inc ax
    cmp ax, ax                      ; ZF=1
    loope .le
    CHECK ax, 3, "loope after cmp"

;--- ADC chain through memory with NOT and MOV between the ADCs
    mov dword [0x10], 0xFFFFFFFF
    mov dword [0x14], 0x00000000
    mov dword [0x18], 0x00000000
    add dword [0x10], 1             ; CF=1
    mov eax, 0x12345678
    not eax
    adc dword [0x14], 0             ; 1, CF=0
    adc dword [0x18], 0             ; 0
    CHECK dword [0x10], 0, "carry chain #1"
    CHECK dword [0x14], 1, "carry chain #2"
    CHECK dword [0x18], 0, "carry chain #3"
TEST_END
