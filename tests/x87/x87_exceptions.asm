; x87_exceptions: masked responses (SDM Vol.1 4.9.1, 8.5), stack faults (8.5.1.1), precision and
; the C1 round-up bit, precision control, unmasked responses leaving the destination and TOP
; unchanged (8.5: "the destination operand is not changed"); then, ROM only: #MF (vector 16) at
; the next waiting x87 instruction or WAIT with CR0.NE=1 (SDM Vol.1 8.7, Vol.3 6.15 interrupt 16),
; the pushed IP at that instruction and FIP/FOP/FDP in FNSTENV at the faulting one; FNSTSW
; FNSTCW FNSTENV FNSAVE FNCLEX FNINIT do not raise #MF (Vol.1 8.3.12); #NM for CR0.TS and CR0.EM
; with WAIT only when MP=1 (SDM Vol.3 2.5, table 2-2), CLTS in the #NM handler then the retried
; instruction runs (lazy FPU switching).
;
; FSW values include TOP (bits 13:11, 3800h with one value on the stack, 3000h with two) and
; ES 0080h, B 8000h (B mirrors ES on the 387 and later, Vol.1 8.1.3.1). The masked and unmasked
; responses were confirmed on the host's x87 by the x87-host suite (README.md); the #MF/#NM
; parts are from the SDM alone (they need CR0 and an interrupt table).

%include "x87.inc"

%macro R32 2
    fstp dword V(r32)
    CHKD dword V(r32), %1, %2
%endmacro

X87_BEGIN "x87_exceptions"

;--- masked invalid operation and divide by zero (SDM Vol.1 4.9.1.2: 0/0 -> the QNaN real
;    indefinite FFFF C000000000000000 with IE; 4.9.1.3: x/0 -> infinity signed by the operands,
;    ZE) ------------------------------------------------------------------------------------------
    fldz
    fldz
    db 0xDE, 0xF9                   ; FDIVP ST(1), ST(0): 0/0
    SW_IS 0x3801, "0/0 masked: IE"
    fstp tword V(t80)
    CHK80 t80, 0xC0000000, 0x00000000, 0xFFFF, "0/0 masked: real indefinite"
    fninit
    fld1
    fldz
    db 0xDE, 0xF9                   ; 1/0
    SW_IS 0x3804, "1/0 masked: ZE"
    fstp tword V(t80)
    CHK80 t80, 0x80000000, 0x00000000, 0x7FFF, "1/0 masked: +inf"
    fninit
    fld1
    fchs
    fldz
    db 0xDE, 0xF9                   ; -1/0
    fstp tword V(t80)
    CHK80 t80, 0x80000000, 0x00000000, 0xFFFF, "-1/0 masked: -inf"
    fninit
    fldz
    fdiv dword V(f_zero)            ; 0/0 from m32
    SW_IS 0x3801, "fdiv m32 0/0: IE"
    R32 0xFFC00000, "fdiv m32 0/0: indefinite as m32"
    fninit
    fld dword V(f_m1)
    fsqrt                           ; SDM Vol.2 FSQRT: negative source -> #IA, indefinite
    SW_IS 0x3801, "fsqrt -1: IE"
    R32 0xFFC00000, "fsqrt -1: indefinite"
    fninit

;--- stack overflow and underflow (SDM Vol.1 8.5.1.1: IE and SF, C1 = 1 for overflow, 0 for
;    underflow; masked response: the real indefinite in the destination) -----------------------
%rep 8
    fld1
%endrep
    SW_IS 0x0000, "eight pushes: TOP wrapped to 0"
    TW_IS 0x0000, "eight pushes: all valid"
    fld dword V(f_two)              ; ninth push
    SW_IS 0x3A41, "overflow: IE SF C1, TOP=7"
    TW_IS 0x8000, "overflow: R7 overwritten with a NaN (special)"
    fstp tword V(t80)
    CHK80 t80, 0xC0000000, 0x00000000, 0xFFFF, "overflow: indefinite pushed"
    fninit
    db 0xD8, 0xC1                   ; FADD ST0, ST1 on an empty stack
    SW_IS 0x0041, "underflow: IE SF, C1=0"
    TW_IS 0xFFFE, "underflow: indefinite written to ST0 (R0 special)"
    fninit
    fstp dword V(r32)               ; FSTP of an empty ST0: indefinite stored, popped
    CHKD dword V(r32), 0xFFC00000, "fstp m32 empty: indefinite"
    SW_IS 0x0841, "fstp m32 empty: IE SF, TOP=1"
    fninit
    fistp word V(w16)
    CHK word V(w16), 0x8000, "fistp m16 empty: integer indefinite"
    fninit
    fld1
    fxch                            ; ST1 empty: SDM Vol.2 FXCH #IS
    SW_IS 0x3841, "fxch with empty st1: IE SF"
    R32 0xFFC00000, "fxch with empty st1: ST0 = indefinite"
    R32 0x3F800000, "fxch with empty st1: ST1 = 1.0"
    fninit

;--- precision (SDM Vol.1 4.9.1.6: PE; 8.1.3.2: C1 = 1 when the result was rounded up) and
;    precision control (8.1.5.2) --------------------------------------------------------------
    ; 1/3 = 0.0101...b: significand AAAA...AAAA|AA.., the rest > 1/2 ulp -> rounded up, ..AB
    fld1
    fild word V(i16_3)
    db 0xDE, 0xF9
    SW_IS 0x3A20, "1/3: PE C1"
    fstp tword V(t80)
    CHK80 t80, 0xAAAAAAAA, 0xAAAAAAAB, 0x3FFD, "1/3 rounded up"
    fninit
    ; 1/7 = 0.001001...b: significand 9249...9249|2.. -> rest < 1/2 ulp, rounded down, C1=0
    fld1
    fild word V(i16_7)
    db 0xDE, 0xF9
    SW_IS 0x3820, "1/7: PE, C1=0"
    fstp tword V(t80)
    CHK80 t80, 0x92492492, 0x49249249, 0x3FFC, "1/7 rounded down"
    ; RC=up: 1/7 -> ..924A, C1=1
    fldcw word V(cw_up)
    fld1
    fild word V(i16_7)
    db 0xDE, 0xF9
    SW_IS 0x3A20, "1/7 RC=up: PE C1"
    fstp tword V(t80)
    CHK80 t80, 0x92492492, 0x4924924A, 0x3FFC, "1/7 RC=up"
    fninit
    ; PC=00 (24 bits, FCW 007Fh): 1/3 -> AAAAAB00 00000000, rounded up
    fldcw word V(cw_pc24)
    fld1
    fild word V(i16_3)
    db 0xDE, 0xF9
    SW_IS 0x3A20, "1/3 PC=24: PE C1"
    fstp tword V(t80)
    CHK80 t80, 0xAAAAAB00, 0x00000000, 0x3FFD, "1/3 PC=24"
    ; PC=10 (53 bits, FCW 027Fh): 1/3 -> AAAAAAAA AAAAA800, rounded down
    fldcw word V(cw_pc53)
    fld1
    fild word V(i16_3)
    db 0xDE, 0xF9
    SW_IS 0x3820, "1/3 PC=53: PE, C1=0"
    fstp tword V(t80)
    CHK80 t80, 0xAAAAAAAA, 0xAAAAA800, 0x3FFD, "1/3 PC=53"
    fninit

;--- overflow, underflow, denormal operand, masked (SDM Vol.1 4.9.1.4, 4.9.1.5, 4.9.1.1) ------
    ; (2^16383)^2: OE PE, +inf under round to nearest, C1=1 (rounded up)
    fld tword V(t_huge)
    fmul st0, st0
    SW_IS 0x3A28, "overflow masked: OE PE C1"
    fstp tword V(t80)
    CHK80 t80, 0x80000000, 0x00000000, 0x7FFF, "overflow masked RN: +inf"
    fninit
    ; under RC=chop the masked overflow response is the largest finite value
    fldcw word V(cw_chop)
    fld tword V(t_huge)
    fmul st0, st0
    fstp tword V(t80)
    CHK80 t80, 0xFFFFFFFF, 0xFFFFFFFF, 0x7FFE, "overflow masked chop: largest finite"
    fninit
    ; (2^-16382)^2: far below the denormals: UE PE, +0
    fld tword V(t_tiny)
    fmul st0, st0
    SW_IS 0x3830, "underflow masked: UE PE"
    fstp tword V(t80)
    CHK80 t80, 0, 0, 0x0000, "underflow masked: +0"
    fninit
    ; 2^-16382 / 2 = the exact denormal 4000000000000000 exp 0: masked UE is only reported with
    ; PE (SDM Vol.1 4.9.1.5), so no flag at all
    fld tword V(t_tiny)
    fdiv dword V(f_two)
    SW_IS 0x3800, "exact denormal result: no UE"
    fstp tword V(t80)
    CHK80 t80, 0x40000000, 0x00000000, 0x0000, "exact denormal result"
    fninit
    ; FLD m32 of a denormal: DE (SDM Vol.2 FLD #D), normalised: 2^-149 = 8000.. exp 3FFFh-149
    fld dword V(f_denormal)
    SW_IS 0x3802, "fld m32 denormal: DE"
    fstp tword V(t80)
    CHK80 t80, 0x80000000, 0x00000000, 0x3F6A, "fld m32 denormal: normalised"
    fninit
    ; an m80 denormal loads silently but is a denormal operand of FADD
    fld tword V(t_denormal)
    SW_IS 0x3800, "fld m80 denormal: no DE"
    fadd st0, st0
    SW_IS 0x3802, "fadd of a denormal: DE"
    fninit

;--- unmasked exceptions: the destination and TOP stay unchanged for IE and ZE, ES and B are
;    set, nothing happens until the next waiting instruction (no waiting instruction runs here
;    until FNCLEX) --------------------------------------------------------------------------------
    fldcw word V(cw_ie)             ; IM = 0
    fldz
    fldz
    db 0xDE, 0xF9                   ; FDIVP 0/0, IE unmasked: no pop
    SW_IS 0xB081, "unmasked IE fdivp: ES B IE, TOP unchanged"
    fnclex
    SW_IS 0x3000, "fnclex clears IE ES B"
    R32 0x00000000, "unmasked IE fdivp: ST0 unchanged"
    R32 0x00000000, "unmasked IE fdivp: ST1 unchanged"
    fninit
    fldcw word V(cw_ze)             ; ZM = 0
    fldz
    fld1
    db 0xD8, 0xF1                   ; FDIV ST0, ST1: 1/0, ZE unmasked
    SW_IS 0xB084, "unmasked ZE: ES B ZE"
    fnclex
    R32 0x3F800000, "unmasked ZE: ST0 unchanged"
    fninit
    fldcw word V(cw_ie)
    mov word V(w16), 0x1234
    fld dword V(f_40000)
    fistp word V(w16)               ; out of range, IE unmasked: no store, no pop
    SW_IS 0xB881, "unmasked IE fistp: no pop"
    fnclex
    CHK word V(w16), 0x1234, "unmasked IE fistp: memory unchanged"
    fninit
    fldcw word V(cw_ie)
%rep 8
    fld1
%endrep
    fldz                            ; overflow, IE unmasked: no push
    SW_IS 0x82C1, "unmasked stack overflow: IE SF C1 ES B, TOP=0"
    fnclex
    R32 0x3F800000, "unmasked stack overflow: ST0 unchanged"
    fninit
    ; a store to memory with an unmasked OE or UE stores nothing and does not pop (SDM Vol.1
    ; 4.9.2: for stores, the exception is raised without modifying the destination)
    fldcw word V(cw_oe)
    mov dword V(r32), 0x12345678
    fld qword V(d_1e300)
    fstp dword V(r32)
    SW_IS 0xB888, "unmasked OE fstp m32: ES B OE, no pop"
    fnclex
    CHKD dword V(r32), 0x12345678, "unmasked OE fstp m32: memory unchanged"
    fninit
    fldcw word V(cw_ue)
    fld qword V(d_1em300)
    fstp dword V(r32)
    SW_IS 0xB890, "unmasked UE fstp m32: ES B UE, no pop"
    fnclex
    CHKD dword V(r32), 0x12345678, "unmasked UE fstp m32: memory unchanged"
    fninit
    ; with only PE unmasked the (masked-underflow) result 0 is stored and popped
    fldcw word V(cw_pe)
    fld qword V(d_1em300)
    fstp dword V(r32)
    SW_IS 0x80B0, "unmasked PE fstp m32: UE PE ES B, popped"
    fnclex
    CHKD dword V(r32), 0, "unmasked PE fstp m32: 0 stored"
    fninit
    ; compares with an unmasked IE: the condition codes (or EFLAGS) say unordered, no pop
    fldcw word V(cw_ie)
    fld dword V(f_two)
    fcomp dword V(f_qnan)
    SW_IS 0xFD81, "unmasked IE fcomp: unordered, no pop"
    fnclex
    fld dword V(f_qnan)
    db 0xDE, 0xD9                   ; FCOMPP
    SW_IS 0xF581, "unmasked IE fcompp: unordered, no pops"
    fnclex
    XSETF F_FIXED
    db 0xDF, 0xF1                   ; FCOMIP ST0, ST1 (QNaN, 2)
    CHKF F_ZF | F_PF | F_CF, F_ZF | F_PF | F_CF, "unmasked IE fcomip: unordered"
    SW_IS 0xF581, "unmasked IE fcomip: no pop (C3 C2 C0 kept from FCOMPP)"
    fninit
    fldcw word V(cw_ie)
    fld1
    db 0xDE, 0xC1                   ; FADDP ST1, ST0 with ST1 empty
    SW_IS 0xB8C1, "unmasked stack underflow faddp: no pop"
    fninit
    fldcw word V(cw_ie)
    db 0xDD, 0xDB                   ; FSTP ST(3) of an empty ST0
    SW_IS 0x80C1, "unmasked stack underflow fstp st3: no pop"
    fninit
    ; post-computation exceptions deliver the result: unmasked PE (FCW 035Fh) stores 1/3
    fldcw word V(cw_pe)
    fld1
    fild word V(i16_3)
    db 0xDE, 0xF9
    SW_IS 0xBAA0, "unmasked PE: ES B PE C1, popped"
    fnclex
    fstp tword V(t80)
    CHK80 t80, 0xAAAAAAAA, 0xAAAAAAAB, 0x3FFD, "unmasked PE: result delivered"
    fninit
    ; unmasked OE (FCW 0377h): the significand with the exponent reduced by 24576 (6000h,
    ; SDM Vol.1 4.9.1.4): (2^16383)^2 = 2^32766 -> biased 32766+16383-24576 = 5FFDh, exact
    fldcw word V(cw_oe)
    fld tword V(t_huge)
    fmul st0, st0
    SW_IS 0xB888, "unmasked OE: ES B OE"
    fnclex
    fstp tword V(t80)
    CHK80 t80, 0x80000000, 0x00000000, 0x5FFD, "unmasked OE: exponent - 24576"
    fninit

%ifndef HOST
;=== ROM only: #MF and #NM ====================================================================
%define CR0_MP 0x02
%define CR0_EM 0x04
%define CR0_TS 0x08
%define CR0_NE 0x20
%define nm_count 0x540              ; a free library variable (lib.inc: 500h-5FFh)
    mov eax, cr0
    or eax, CR0_NE
    mov cr0, eax

    ; an unmasked IE, then instructions that do not wait, then FLD1: #MF before it executes,
    ; the pushed IP at FLD1, FIP/FOP in the environment still those of the FDIVP
    TRAP_ARM 16, mf_resume1
    fldcw word V(cw_ie)
    fldz
    fldz
mf_fault1:
    db 0xDE, 0xF9                   ; FDIVP 0/0: IE pending
    fnstsw ax
    CHK ax, 0xB081, "#MF: FNSTSW AX does not wait"
    fnstcw word V(w16)
    CHK word V(w16), 0x037E, "#MF: FNSTCW does not wait"
    CHECKT trap_count, 0, "#MF: not raised by the faulting instruction or FN* forms"
mf_next1:
    fld1                            ; waits: #MF
    FAIL "#MF: FLD1 executed with an unmasked exception pending"
mf_resume1:
    CHECKT trap_count, 1, "#MF at FLD1: count"
    CHECKT trap_ip, mf_next1, "#MF at FLD1: pushed IP = FLD1"
    ; FNSTENV (o32, real-mode layout, SDM Vol.1 figure 8-11): FIP = linear F0000h+mf_fault1, bits
    ; 15:0 at offset 12, bits 31:16 in bits 27:12 at offset 16 with FOP (DE F9 -> 6F9h) in 10:0
    o32 fnstenv V(env)
    CHECKT trap_count, 1, "#MF: FNSTENV does not wait"
    CHK word V(env + 12), mf_fault1, "#MF: FIP 15:0 = the faulting FDIVP"
    CHKD dword V(env + 16), 0xF000 | 0x6F9, "#MF: FIP 31:16 and FOP"
    CHK word V(env + 4), 0xB081, "#MF: FSW in the image"
    fnclex                          ; does not wait
    CHECKT trap_count, 1, "#MF: FNCLEX does not wait"
    fldcw word V(env)               ; (FNSTENV masked everything)
    R32 0x00000000, "#MF: ST0 unchanged"
    R32 0x00000000, "#MF: ST1 unchanged"
    CHECKT trap_count, 1, "#MF: nothing pending after FNCLEX"

    ; WAIT raises #MF; a memory-operand fault records FDP; the pushed IP includes a prefix
    fninit
    TRAP_ARM 16, mf_resume2
    fldcw word V(cw_ze)
    fld1
mf_fault2:
    fdiv dword V(f_zero)            ; ZE pending, destination unchanged
mf_next2:
    wait
    FAIL "#MF: WAIT executed with an unmasked exception pending"
mf_resume2:
    CHECKT trap_ip, mf_next2, "#MF at WAIT: pushed IP"
    TRAP_ARM 16, mf_resume3
mf_next3:
    es fld1                         ; still pending: #MF, pushed IP at the ES prefix
    FAIL "#MF: prefixed FLD1 executed"
mf_resume3:
    CHECKT trap_ip, mf_next3, "#MF: pushed IP at the prefix"
    o32 fnstenv V(env)
    CHK word V(env + 12), mf_fault2, "#MF fdiv m32: FIP"
    ; FOP: D8 /6 with ModR/M 37h ([bx], mod 00 reg 110 rm 111) -> 037h
    CHK word V(env + 16), 0xF000 | 0x037, "#MF fdiv m32: FIP 19:16, FOP"
    ; FDP: linear 10000h + offset: bits 15:0 at 20, bits 31:16 in bits 27:12 at 24
    CHK word V(env + 20), f_zero - xdata, "#MF fdiv m32: FDP 15:0"
    CHKD dword V(env + 24), 0x1000, "#MF fdiv m32: FDP 31:16"
    fnsave V(save)                  ; does not wait; saves, then initialises
    CHECKT trap_count, 1, "#MF: FNSAVE does not wait"
    CHK word V(save + 2), 0xB884, "FNSAVE image: FSW with ES B ZE"
    wait                            ; FNSAVE's FNINIT cleared the exception
    fld1
    CHECKT trap_count, 1, "#MF: nothing pending after FNSAVE"
    fninit
    ; FNINIT clears a pending exception too
    fldcw word V(cw_ie)
    fldz
    fsqrt                           ; sqrt(0) = 0: no exception
    fchs
    fld1
    fchs
    fsqrt                           ; sqrt(-1): IE pending
    fninit
    wait
    fld1
    CHECKT trap_count, 1, "#MF: nothing pending after FNINIT"
    fninit
    TRAP_DISARM 16

    ; #NM (SDM Vol.3 2.5 table 2-2): TS=1 -> every ESC (also FNINIT, FNSTSW) faults; WAIT only
    ; with MP=1. The fault pushes the IP of the ESC instruction.
    mov eax, cr0
    or eax, CR0_TS
    mov cr0, eax
    TRAP_ARM 7, nm_r1
nm_i1:
    fld1
    FAIL "#NM: FLD1 with TS=1"
nm_r1:
    CHECKT trap_ip, nm_i1, "#NM TS=1 fld1: pushed IP"
    TRAP_ARM 7, nm_r2
nm_i2:
    fninit
    FAIL "#NM: FNINIT with TS=1"
nm_r2:
    CHECKT trap_ip, nm_i2, "#NM TS=1 fninit: pushed IP"
    TRAP_ARM 7, nm_r3
nm_i3:
    fnstsw ax
    FAIL "#NM: FNSTSW with TS=1"
nm_r3:
    CHECKT trap_ip, nm_i3, "#NM TS=1 fnstsw: pushed IP"
    TRAP_ARM 7, nm_ok7
    wait                            ; MP=0: WAIT executes
nm_ok7:
    CHECKT trap_count, 0, "#NM: WAIT with TS=1 MP=0 executes"
    mov eax, cr0
    or eax, CR0_MP
    mov cr0, eax
    TRAP_ARM 7, nm_r4
nm_i4:
    wait
    FAIL "#NM: WAIT with TS=1 MP=1"
nm_r4:
    CHECKT trap_ip, nm_i4, "#NM TS=1 MP=1 wait: pushed IP"
    ; lazy switching: the handler clears TS (CLTS) and returns to the faulting instruction,
    ; which then runs (as Linux's math_state_restore did)
    push ds
    push word 0
    pop ds
    mov word [7 * 4], nm_clts
    mov word [7 * 4 + 2], ROM_SEG
    mov word [nm_count], 0
    pop ds
    fninit                          ; #NM, CLTS, FNINIT again
    fld1
    fld1
    faddp                           ; no more #NM
    R32 0x40000000, "lazy: the retried instructions ran"
    CHECKT nm_count, 1, "lazy: exactly one #NM"
    mov eax, cr0
    test al, CR0_TS
    jz .ts_clear
    FAIL "lazy: CR0.TS still set"
.ts_clear:
    ; EM=1 (TS=0, MP=1): every ESC faults, WAIT executes
    and eax, ~CR0_MP
    or eax, CR0_EM
    mov cr0, eax
    TRAP_ARM 7, nm_r5
nm_i5:
    fld1
    FAIL "#NM: FLD1 with EM=1"
nm_r5:
    CHECKT trap_ip, nm_i5, "#NM EM=1 fld1: pushed IP"
    TRAP_ARM 7, nm_ok8
    wait
nm_ok8:
    CHECKT trap_count, 0, "#NM: WAIT with EM=1 MP=0 executes"
    mov eax, cr0
    or eax, CR0_MP
    mov cr0, eax
    TRAP_ARM 7, nm_ok9
    wait
nm_ok9:
    CHECKT trap_count, 0, "#NM: WAIT with EM=1 MP=1 TS=0 executes"
    ; TS=1 and a pending unmasked exception: #NM comes first (the ESC never reaches the x87)
    and eax, ~(CR0_EM | CR0_MP)
    mov cr0, eax
    fninit
    fldcw word V(cw_ie)
    fldz
    fsqrt
    fld1
    fchs
    fsqrt                           ; IE pending
    mov eax, cr0
    or eax, CR0_TS
    mov cr0, eax
    TRAP_ARM 7, nm_r6
nm_i6:
    fld1
    FAIL "#NM: FLD1 with TS=1 and an exception pending"
nm_r6:
    CHECKT trap_ip, nm_i6, "#NM before #MF: pushed IP"
    clts
    fninit
    TRAP_DISARM 7
    jmp x87_exc_done

; #NM handler for the lazy-switching check: count, CLTS, return to the faulting instruction
nm_clts:
    push ds
    push word 0
    pop ds
    inc word [nm_count]
    clts
    pop ds
    iret
x87_exc_done:
%endif

X87_END

XDATA
f_zero:     dd 0
f_two:      dd 0x40000000       ; 2.0
f_m1:       dd 0xBF800000       ; -1.0
f_qnan:     dd 0x7FC00000
f_40000:    dd 0x471C4000       ; 40000.0
f_denormal: dd 0x00000001       ; the smallest m32 denormal, 2^-149
t_huge:     dq 0x8000000000000000   ; 2^16383
            dw 0x7FFE
t_tiny:     dq 0x8000000000000000   ; 2^-16382, the smallest normal
            dw 0x0001
t_denormal: dq 0x0000000000000001
            dw 0x0000
i16_3:      dw 3
i16_7:      dw 7
cw_up:      dw 0x0B7F           ; RC = 10
cw_chop:    dw 0x0F7F           ; RC = 11
cw_pc24:    dw 0x007F           ; PC = 00
cw_pc53:    dw 0x027F           ; PC = 10
cw_ie:      dw 0x037E           ; IM = 0
cw_ze:      dw 0x037B           ; ZM = 0
cw_oe:      dw 0x0377           ; OM = 0
cw_pe:      dw 0x035F           ; PM = 0
cw_ue:      dw 0x036F           ; UM = 0
            align 4
d_1e300:    dq 0x7E37E43C8800759C   ; 1e300 (beyond the m32 range)
d_1em300:   dq 0x01A56E1FC2F8F359   ; 1e-300 (below the m32 range)
            align 4
w16:        dw 0, 0
r32:        dd 0
t80:        times 12 db 0
env:        times 28 db 0
save:       times 108 db 0
XDATA_END
