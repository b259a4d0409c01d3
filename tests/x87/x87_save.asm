; x87_save: FSAVE/FRSTOR and FSTENV/FLDENV in 16-bit real mode, 32-bit real mode (o32),
; 32-bit and 16-bit protected mode. Image layouts: SDM Vol.1 8.1.10, figures 8-9 (32-bit
; protected), 8-10 (32-bit real: the 32-bit linear FIP/FDP split, bits 31:16 in bits 27:12 of
; the next dword, FOP in bits 10:0), 8-11 (16-bit protected: offsets and selectors), 8-12 (16-bit
; real: 20-bit pointers, bits 19:16 in bits 15:12 with FOP in 10:0); FSAVE stores ST0..ST7 after
; the environment and then initialises the FPU (SDM Vol.2 FSAVE: CW 037Fh, SW 0, TW FFFFh).
;
; Every part builds the same state (SETUP): R7 = 1.0 (valid), R6 = 0 (zero), R5 = pi (valid),
; R4 = +inf (special), R3 = -5 (valid), TOP = 3; FCW 0A7Fh (RC up, PC 53 bits, all masked);
; FSW 1920h (TOP 3, C0 from the last FCOM -5 < 2, PE sticky from a rounded store); the tag word
; (SDM Vol.1 figure 8-7) R7..R0 = 00 01 00 10 00 11 11 11 = 123Fh; the last non-control
; instruction FCOM m32 [DI] (D8 /2, ModR/M 15h -> FOP 015h) or [EDI] (ModR/M 17h -> FOP 017h).
; Register images (SDM Vol.1 4.2.2): -5 = A000000000000000 exp C001h, +inf 8000.. 7FFFh,
; pi C90FDAA22168C235 4000h, 0, 1.0 8000.. 3FFFh.
; Host evidence (64-bit user mode, which uses the 32-bit protected-mode layout): the reserved
; upper halves of CW, SW, TW and FDS read FFFFh; FRSTOR recomputes the tags of non-empty
; registers from their contents and keeps "empty".

%include "pm.inc"

%define V(x) [bx + ((x) - xdata)]          ; real mode: DS = SCRATCH_SEG, BX = 0
%define PMB 0x10000                         ; the same copy, flat
%define P(x) [dword PMB + ((x) - xdata)]
%define M(x) V(x)

; SETUP pointer, label: the state above; label is the FCOM m32 (the last non-control insn)
%macro SETUP 2
    fninit
    fld tword M(t_pi)
    fstp dword M(r32)               ; pi to m32: PE (and C1, cleared again by the loads)
    fld1
    fldz
    fld tword M(t_pi)
    fld dword M(f_inf)
    fild word M(i16_m5)
    fldcw word M(cw_save)
%2:
    fcom dword %1
%endmacro

; the five registers, popped and compared as m80 (CK: the check macro of the mode)
%macro POP5 1
    fstp tword M(t80)
    %1 dword M(t80 + 4), 0xA0000000, "restored ST0 = -5"
    %1 word M(t80 + 8), 0xC001, "restored ST0 = -5 (exp)"
    fstp tword M(t80)
    %1 dword M(t80 + 4), 0x80000000, "restored ST1 = +inf"
    %1 word M(t80 + 8), 0x7FFF, "restored ST1 = +inf (exp)"
    fstp tword M(t80)
    %1 dword M(t80), 0x2168C235, "restored ST2 = pi (low)"
    %1 dword M(t80 + 4), 0xC90FDAA2, "restored ST2 = pi (high)"
    %1 word M(t80 + 8), 0x4000, "restored ST2 = pi (exp)"
    fstp tword M(t80)
    %1 dword M(t80 + 4), 0, "restored ST3 = 0"
    %1 word M(t80 + 8), 0x0000, "restored ST3 = 0 (exp)"
    fstp tword M(t80)
    %1 dword M(t80 + 4), 0x80000000, "restored ST4 = 1"
    %1 word M(t80 + 8), 0x3FFF, "restored ST4 = 1 (exp)"
%endmacro

bits 16
TEST_BEGIN "x87_save"
    push cs
    pop ds
    mov ax, SCRATCH_SEG
    mov es, ax
    mov si, xdata
    xor di, di
    mov cx, xdata_end - xdata
    rep movsb
    mov ds, ax
    xor bx, bx

;=== 16-bit real mode: FNSAVE (94 bytes, figure 8-12 + registers) ===========================
    mov di, f_two - xdata
    SETUP [di], r16_last
    fnsave V(img)
    ; FNSAVE re-initialised the FPU
    fnstcw word V(w16)
    CHECK word V(w16), 0x037F, "rm16 fsave: then CW 037Fh"
    fnstsw ax
    CHECK ax, 0x0000, "rm16 fsave: then SW 0"
    o32 fnstenv V(env)
    CHECK word V(env + 8), 0xFFFF, "rm16 fsave: then TW FFFFh"
    fninit
    CHECK word V(img + 0), 0x0A7F, "rm16 image: CW"
    CHECK word V(img + 2), 0x1920, "rm16 image: SW"
    CHECK word V(img + 4), 0x123F, "rm16 image: TW"
    CHECK word V(img + 6), r16_last, "rm16 image: FIP 15:0 (F0000h + label)"
    CHECK word V(img + 8), 0xF000 | 0x015, "rm16 image: FIP 19:16, FOP"
    CHECK word V(img + 10), f_two - xdata, "rm16 image: FDP 15:0 (10000h + offset)"
    CHECK word V(img + 12), 0x1000, "rm16 image: FDP 19:16"
    CHECK dword V(img + 14 + 4), 0xA0000000, "rm16 image: ST0 = -5"
    CHECK word V(img + 14 + 8), 0xC001, "rm16 image: ST0 = -5 (exp)"
    CHECK dword V(img + 24 + 4), 0x80000000, "rm16 image: ST1 = +inf"
    CHECK word V(img + 24 + 8), 0x7FFF, "rm16 image: ST1 = +inf (exp)"
    CHECK dword V(img + 34), 0x2168C235, "rm16 image: ST2 = pi (low)"
    CHECK word V(img + 34 + 8), 0x4000, "rm16 image: ST2 = pi (exp)"
    CHECK word V(img + 44 + 8), 0x0000, "rm16 image: ST3 = 0"
    CHECK word V(img + 54 + 8), 0x3FFF, "rm16 image: ST4 = 1"
    ; something else in the FPU, then FRSTOR brings everything back
    fld1
    fldcw word V(cw_other)
    fwait
    frstor V(img)
    fnstcw word V(w16)
    CHECK word V(w16), 0x0A7F, "rm16 frstor: CW"
    fnstsw ax
    CHECK ax, 0x1920, "rm16 frstor: SW and TOP"
    o32 fnstenv V(env)
    fldcw word V(env)
    CHECK word V(env + 8), 0x123F, "rm16 frstor: TW"
    CHECK word V(env + 12), r16_last, "rm16 frstor: FIP"
    CHECK dword V(env + 16), 0xF015, "rm16 frstor: FIP 31:16, FOP"
    CHECK word V(env + 20), f_two - xdata, "rm16 frstor: FDP"
    POP5 CHECK
    ; FRSTOR with a tag word that says "valid" for the zero and the infinity: the tags of
    ; non-empty registers come from the contents (host: 5FFFh -> 0FFFh), empty stays empty
    mov word V(img + 4), 0x003F
    frstor V(img)
    o32 fnstenv V(env)
    fldcw word V(env)
    CHECK word V(env + 8), 0x123F, "rm16 frstor: tags recomputed"
    ; FNSTENV / FLDENV (14 bytes): FLDENV restores CW SW TW and the pointers, not registers
    mov di, f_two - xdata
    SETUP [di], r16_last2
    fnstenv V(env14)
    CHECK word V(env14 + 0), 0x0A7F, "rm16 fstenv: CW"
    CHECK word V(env14 + 2), 0x1920, "rm16 fstenv: SW"
    CHECK word V(env14 + 4), 0x123F, "rm16 fstenv: TW"
    CHECK word V(env14 + 6), r16_last2, "rm16 fstenv: FIP"
    CHECK word V(env14 + 8), 0xF015, "rm16 fstenv: FOP"
    fnstcw word V(w16)
    CHECK word V(w16), 0x0A7F | 0x3F, "rm16 fstenv: masks all exceptions afterwards"
    fninit
    fldenv V(env14)
    fnstsw ax
    CHECK ax, 0x1920, "rm16 fldenv: SW"
    fnstenv V(env14)
    CHECK word V(env14 + 0), 0x0A7F, "rm16 fldenv: CW"
    CHECK word V(env14 + 4), 0x123F, "rm16 fldenv: TW"
    CHECK word V(env14 + 6), r16_last2, "rm16 fldenv: FIP"
    CHECK word V(env14 + 8), 0xF015, "rm16 fldenv: FOP"
    fninit

;=== 32-bit real mode (o32): 108 bytes, figure 8-10 + registers at 28 ========================
    mov di, f_two - xdata
    SETUP [di], r32_last
    o32 fnsave V(img)
    fnstcw word V(w16)
    CHECK word V(w16), 0x037F, "rm32 fsave: then CW 037Fh"
    CHECK word V(img + 0), 0x0A7F, "rm32 image: CW"
    CHECK word V(img + 4), 0x1920, "rm32 image: SW"
    CHECK word V(img + 8), 0x123F, "rm32 image: TW"
    CHECK word V(img + 12), r32_last, "rm32 image: FIP 15:0"
    CHECK dword V(img + 16), 0xF015, "rm32 image: FIP 31:16 in 27:12, FOP"
    CHECK word V(img + 20), f_two - xdata, "rm32 image: FDP 15:0"
    CHECK dword V(img + 24), 0x1000, "rm32 image: FDP 31:16 in 27:12"
    CHECK dword V(img + 28 + 4), 0xA0000000, "rm32 image: ST0 = -5"
    CHECK word V(img + 28 + 8), 0xC001, "rm32 image: ST0 = -5 (exp)"
    CHECK dword V(img + 48), 0x2168C235, "rm32 image: ST2 = pi"
    CHECK word V(img + 68 + 8), 0x3FFF, "rm32 image: ST4 = 1"
    fld1
    o32 frstor V(img)
    fnstcw word V(w16)
    CHECK word V(w16), 0x0A7F, "rm32 frstor: CW"
    fnstsw ax
    CHECK ax, 0x1920, "rm32 frstor: SW"
    o32 fnstenv V(env)
    fldcw word V(env)
    CHECK word V(env + 8), 0x123F, "rm32 frstor: TW"
    CHECK dword V(env + 16), 0xF015, "rm32 frstor: FOP"
    POP5 CHECK
    fninit
    xor ax, ax
    mov ds, ax
    jmp pm_enter16

;=== 32-bit protected mode: figure 8-9 ========================================================
bits 32
%undef M
%define M(x) P(x)
pm_main:
    mov edi, PMB + (f_two - xdata)
    SETUP [edi], p32_last
    fnsave P(img)
    fnstcw word P(w16)
    PCHECK word P(w16), 0x037F, "pm32 fsave: then CW 037Fh"
    ; reserved upper halves FFFFh as on the host x87
    PCHECK dword P(img + 0), 0xFFFF0A7F, "pm32 image: CW"
    PCHECK dword P(img + 4), 0xFFFF1920, "pm32 image: SW"
    PCHECK dword P(img + 8), 0xFFFF123F, "pm32 image: TW"
    PCHECK dword P(img + 12), p32_last, "pm32 image: FIP (offset)"
    PCHECK dword P(img + 16), (0x017 << 16) | SEL_CODE32, "pm32 image: FOP 26:16, FCS"
    PCHECK dword P(img + 20), PMB + (f_two - xdata), "pm32 image: FDP (offset)"
    PCHECK dword P(img + 24), 0xFFFF0000 | SEL_DATA32, "pm32 image: FDS"
    PCHECK dword P(img + 28 + 4), 0xA0000000, "pm32 image: ST0 = -5"
    PCHECK word P(img + 28 + 8), 0xC001, "pm32 image: ST0 = -5 (exp)"
    PCHECK dword P(img + 48), 0x2168C235, "pm32 image: ST2 = pi"
    fld1
    frstor P(img)
    fnstcw word P(w16)
    PCHECK word P(w16), 0x0A7F, "pm32 frstor: CW"
    fnstsw ax
    PCHECK ax, 0x1920, "pm32 frstor: SW"
    fnstenv P(env)
    fldcw word P(env)
    PCHECK word P(env + 8), 0x123F, "pm32 frstor: TW"
    PCHECK dword P(env + 12), p32_last, "pm32 frstor: FIP"
    PCHECK dword P(env + 16), (0x017 << 16) | SEL_CODE32, "pm32 frstor: FOP, FCS"
    PCHECK dword P(env + 20), PMB + (f_two - xdata), "pm32 frstor: FDP"
    PCHECK word P(env + 24), SEL_DATA32, "pm32 frstor: FDS"
    POP5 PCHECK
    ; o16 FNSAVE in 32-bit code: the 16-bit protected-mode layout (figure 8-11)
    mov edi, PMB + (f_two - xdata)
    SETUP [edi], p32_last16
    o16 fnsave P(img)
    PCHECK word P(img + 0), 0x0A7F, "pm32 o16 image: CW"
    PCHECK word P(img + 2), 0x1920, "pm32 o16 image: SW"
    PCHECK word P(img + 4), 0x123F, "pm32 o16 image: TW"
    PCHECK word P(img + 6), p32_last16, "pm32 o16 image: FIP"
    PCHECK word P(img + 8), SEL_CODE32, "pm32 o16 image: FCS"
    PCHECK word P(img + 10), f_two - xdata, "pm32 o16 image: FDP 15:0"
    PCHECK word P(img + 12), SEL_DATA32, "pm32 o16 image: FDS"
    PCHECK dword P(img + 14 + 4), 0xA0000000, "pm32 o16 image: ST0 = -5"
    fld1
    o16 frstor P(img)
    fnstsw ax
    PCHECK ax, 0x1920, "pm32 o16 frstor: SW"
    POP5 PCHECK
    fninit
    jmp SEL_CODE16:pm16

;=== 16-bit protected mode (a 16-bit code segment): figure 8-11 ==============================
bits 16
pm16:
    mov edi, PMB + (f_two - xdata)
    SETUP [edi], p16_last
    fnsave P(img)
    fnstcw word P(w16)
    CHECK word P(w16), 0x037F, "pm16 fsave: then CW 037Fh"
    CHECK word P(img + 0), 0x0A7F, "pm16 image: CW"
    CHECK word P(img + 2), 0x1920, "pm16 image: SW"
    CHECK word P(img + 4), 0x123F, "pm16 image: TW"
    CHECK word P(img + 6), p16_last, "pm16 image: FIP"
    CHECK word P(img + 8), SEL_CODE16, "pm16 image: FCS"
    CHECK word P(img + 10), f_two - xdata, "pm16 image: FDP 15:0"
    CHECK word P(img + 12), SEL_DATA32, "pm16 image: FDS"
    CHECK dword P(img + 14 + 4), 0xA0000000, "pm16 image: ST0 = -5"
    CHECK word P(img + 54 + 8), 0x3FFF, "pm16 image: ST4 = 1"
    fld1
    frstor P(img)
    fnstcw word P(w16)
    CHECK word P(w16), 0x0A7F, "pm16 frstor: CW"
    fnstsw ax
    CHECK ax, 0x1920, "pm16 frstor: SW"
    o32 fnstenv P(env)
    fldcw word P(env)
    CHECK word P(env + 8), 0x123F, "pm16 frstor: TW"
    CHECK dword P(env + 12), p16_last, "pm16 frstor: FIP"
    CHECK word P(env + 16), SEL_CODE16, "pm16 frstor: FCS"
    POP5 CHECK
    ; FNSTENV/FLDENV, 16-bit protected layout
    SETUP [edi], p16_last2
    fnstenv P(env14)
    CHECK word P(env14 + 6), p16_last2, "pm16 fstenv: FIP"
    CHECK word P(env14 + 8), SEL_CODE16, "pm16 fstenv: FCS"
    fninit
    fldenv P(env14)
    fnstsw ax
    CHECK ax, 0x1920, "pm16 fldenv: SW"
    fnstcw word P(w16)
    CHECK word P(w16), 0x0A7F, "pm16 fldenv: CW"
    fninit
    jmp dword SEL_CODE32:pm_done

bits 32
pm_done:
    PM_END

    align 16
xdata:
f_two:      dd 0x40000000           ; 2.0
f_inf:      dd 0x7F800000           ; +inf
t_pi:       dq 0xC90FDAA22168C235
            dw 0x4000
i16_m5:     dw -5
cw_save:    dw 0x0A7F               ; RC = 10 (up), PC = 10 (53 bits), all masked
cw_other:   dw 0x0C7F
            align 4
w16:        dw 0, 0
r32:        dd 0
t80:        times 12 db 0
env:        times 28 db 0
env14:      times 16 db 0
img:        times 108 db 0
xdata_end:
