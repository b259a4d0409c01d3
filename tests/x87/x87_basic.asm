; x87_basic: loads, stores, integer and BCD conversions, constants, FXCH FCHS FABS, the six
; arithmetic operations in every operand form (m32real, m64real, m32int, m16int, ST0/ST(i),
; ST(i)/ST0 and the pop forms, in the reversed DC/DE encodings), the compare family to the
; condition codes and to EFLAGS, FCMOVcc, FTST, FXAM, FSTSW AX, TOP and the tag word, FINCSTP
; FDECSTP FFREE.
;
; Every expected value is derived from the SDM (Vol.1 ch.8 and the Vol.2 instruction pages, cited
; per group) and confirmed on the host's x87 by the x87-host suite (this file assembled with
; -DHOST and run natively, README.md). FSW values include TOP (bits 13:11): with n values on a
; stack started by FNINIT, TOP = (8 - n) mod 8 (SDM Vol.1 8.1.2: a push decrements TOP), so
; 1 value -> 3800h, 2 -> 3000h, 3 -> 2800h. Condition codes: C0 0100h, C1 0200h, C2 0400h,
; C3 4000h; flags: IE 01h, DE 02h, ZE 04h, OE 08h, UE 10h, PE 20h, SF 40h (SDM Vol.1 8.1.3).
; Register-form instructions are written as bytes so the test states the encoding it checks.

%include "x87.inc"

; R32 expected, "what": FSTP ST0 to m32 (exact for every value used here) and compare the bits
%macro R32 2
    fstp dword V(r32)
    CHKD dword V(r32), %1, %2
%endmacro

; TWO: ST0 = 8.0, ST1 = 2.0
%macro TWO 0
    fld dword V(f_two)
    fld dword V(f_eight)
%endmacro

X87_BEGIN "x87_basic"

;--- FNINIT state (SDM Vol.2 FINIT: CW 037Fh, SW 0, TW FFFFh) -------------------------------
    SW_IS 0x0000, "fninit: FSW"
    fnstcw word V(w16)
    CHK word V(w16), 0x037F, "fninit: FCW"
    TW_IS 0xFFFF, "fninit: tag word"

;--- FLD / FST / FSTP of m32, m64, m80 (SDM Vol.2 FLD, FST/FSTP; formats Vol.1 4.2.2) -----------
    ; 1.5 = 1.1b x 2^0: significand C000000000000000h, exponent 3FFFh
    fld dword V(f_1p5)
    fstp tword V(t80)
    CHK80 t80, 0xC0000000, 0x00000000, 0x3FFF, "fld m32 1.5"
    ; -2.25 = -1.001b x 2^1: 9000000000000000h, sign|4000h
    fld qword V(d_m2p25)
    fstp tword V(t80)
    CHK80 t80, 0x90000000, 0x00000000, 0xC000, "fld m64 -2.25"
    ; an m80 round trip keeps all 64 significand bits
    fld tword V(t_pi)
    fstp tword V(t80)           ; DB /7 (there is no FST m80)
    CHK80 t80, 0xC90FDAA2, 0x2168C235, 0x4000, "fld/fstp m80 pi"
    SW_IS 0x0000, "fld/fstp m80: FSW"
    ; pi to m32: 40490FDBh is the nearest float, above pi, so PE and C1=1 (rounded up,
    ; SDM Vol.1 8.1.3.2 / 4.9.1.6)
    fld tword V(t_pi)
    fst dword V(r32)
    CHKD dword V(r32), 0x40490FDB, "fst m32 pi"
    SW_IS 0x3A20, "fst m32 pi: FSW C1 PE"
    fnclex
    ; pi to m64: 400921FB54442D18h, below pi: PE, C1=0
    fst qword V(r64)
    CHKD dword V(r64), 0x54442D18, "fst m64 pi (low)"
    CHKD dword V(r64 + 4), 0x400921FB, "fst m64 pi (high)"
    SW_IS 0x3820, "fst m64 pi: FSW PE, C1 clear"
    fnclex
    fstp st0                    ; DD D8: FSTP ST(0), empties the stack
    SW_IS 0x0000, "fstp st0: FSW"
    ; FLD ST(i), FST ST(i), FSTP ST(i) (SDM Vol.2 FLD, FST)
    TWO
    db 0xD9, 0xC1               ; FLD ST(1): push 2.0
    SW_IS 0x2800, "fld st1: TOP=5"
    R32 0x40000000, "fld st1: ST0 = old ST1"
    db 0xDD, 0xD1               ; FST ST(1): ST1 = 8.0
    db 0xDD, 0xD9               ; FSTP ST(1): ST1 = 8.0, pop
    SW_IS 0x3800, "fstp st1: one value left"
    R32 0x41000000, "fst/fstp st1"

;--- FILD / FIST / FISTP (SDM Vol.2 FILD, FIST/FISTP: rounding per FCW.RC, Vol.1 4.8.4) --------
    fild word V(i16_m5)
    fist word V(w16)
    CHK word V(w16), 0xFFFB, "fild/fist m16 -5"
    fistp dword V(r32)
    CHKD dword V(r32), 0xFFFFFFFB, "fistp m32 -5"
    fild dword V(i32_100000)
    fistp qword V(r64)
    CHKD dword V(r64), 100000, "fild m32/fistp m64 100000 (low)"
    CHKD dword V(r64 + 4), 0, "fild m32/fistp m64 100000 (high)"
    ; 123456789ABCDEF0h: bit 60 the highest, exponent 3FFFh+60 = 403Bh, significand << 3
    fild qword V(i64_big)
    fstp tword V(t80)
    CHK80 t80, 0x91A2B3C4, 0xD5E6F780, 0x403B, "fild m64"
    fild qword V(i64_big)
    fistp qword V(r64)
    CHKD dword V(r64), 0x9ABCDEF0, "fild/fistp m64 (low)"
    CHKD dword V(r64 + 4), 0x12345678, "fild/fistp m64 (high)"
    SW_IS 0x0000, "fild/fistp: FSW exact"
    ; round to nearest even: 2.5 -> 2 (down, C1=0), 3.5 -> 4 (up, C1=1), -2.5 -> -2; all PE
    fld dword V(f_2p5)
    fistp word V(w16)
    CHK word V(w16), 2, "fistp 2.5 nearest"
    SW_IS 0x0020, "fistp 2.5 nearest: PE"
    fnclex
    fld dword V(f_3p5)
    fistp word V(w16)
    CHK word V(w16), 4, "fistp 3.5 nearest"
    SW_IS 0x0220, "fistp 3.5 nearest: PE C1"
    fnclex
    fld dword V(f_m2p5)
    fistp word V(w16)
    CHK word V(w16), 0xFFFE, "fistp -2.5 nearest"
    fnclex
    ; RC=01 down (FCW 077Fh): 2.5 -> 2, -2.5 -> -3
    fldcw word V(cw_down)
    fld dword V(f_2p5)
    fistp word V(w16)
    CHK word V(w16), 2, "fistp 2.5 down"
    fld dword V(f_m2p5)
    fistp word V(w16)
    CHK word V(w16), 0xFFFD, "fistp -2.5 down"
    ; RC=10 up (0B7Fh): 2.5 -> 3, -2.5 -> -2
    fldcw word V(cw_up)
    fld dword V(f_2p5)
    fistp word V(w16)
    CHK word V(w16), 3, "fistp 2.5 up"
    fld dword V(f_m2p5)
    fistp word V(w16)
    CHK word V(w16), 0xFFFE, "fistp -2.5 up"
    ; RC=11 chop (0F7Fh): 2.5 -> 2, -2.5 -> -2
    fldcw word V(cw_chop)
    fld dword V(f_2p5)
    fistp dword V(r32)
    CHKD dword V(r32), 2, "fistp m32 2.5 chop"
    fld dword V(f_m2p5)
    fistp qword V(r64)
    CHKD dword V(r64), 0xFFFFFFFE, "fistp m64 -2.5 chop (low)"
    CHKD dword V(r64 + 4), 0xFFFFFFFF, "fistp m64 -2.5 chop (high)"
    fninit
    ; out of range for m16: the integer indefinite 8000h and IE (masked response, SDM Vol.2
    ; FIST "Exceptions": #IA if the value is too large for the destination format)
    fld dword V(f_40000)
    fist word V(w16)
    CHK word V(w16), 0x8000, "fist m16 40000: integer indefinite"
    SW_IS 0x3801, "fist m16 40000: IE"
    fninit

;--- FBLD / FBSTP (SDM Vol.2 FBLD, FBSTP; packed BCD Vol.1 4.7: 18 digits, sign in byte 9) ------
    fbld tword V(bcd_m1234567890)
    fistp dword V(r32)
    CHKD dword V(r32), 0xB669FD2E, "fbld -1234567890"      ; -499602D2h
    fild dword V(i32_987654321)
    fbstp tword V(t80)
    CHKD dword V(t80), 0x87654321, "fbstp 987654321 (bytes 0-3)"
    CHKD dword V(t80 + 4), 0x00000009, "fbstp 987654321 (bytes 4-7)"
    CHK word V(t80 + 8), 0x0000, "fbstp 987654321 (bytes 8-9)"
    fild word V(i16_m42)
    fbstp tword V(t80)
    CHKD dword V(t80), 0x00000042, "fbstp -42 (bytes 0-3)"
    CHK word V(t80 + 8), 0x8000, "fbstp -42 (sign byte)"
    SW_IS 0x0000, "fbld/fbstp: FSW"

;--- constants (SDM Vol.2 FLD1/FLDL2T/...; Vol.1 8.3.8: 66-bit constants rounded per RC) -------
    fld1
    fstp tword V(t80)
    CHK80 t80, 0x80000000, 0x00000000, 0x3FFF, "fld1"
    fldl2t
    fstp tword V(t80)
    CHK80 t80, 0xD49A784B, 0xCD1B8AFE, 0x4000, "fldl2t"
    fldl2e
    fstp tword V(t80)
    CHK80 t80, 0xB8AA3B29, 0x5C17F0BC, 0x3FFF, "fldl2e"
    fldpi
    fstp tword V(t80)
    CHK80 t80, 0xC90FDAA2, 0x2168C235, 0x4000, "fldpi"
    fldlg2
    fstp tword V(t80)
    CHK80 t80, 0x9A209A84, 0xFBCFF799, 0x3FFD, "fldlg2"
    fldln2
    fstp tword V(t80)
    CHK80 t80, 0xB17217F7, 0xD1CF79AC, 0x3FFE, "fldln2"
    fldz
    fstp tword V(t80)
    CHK80 t80, 0, 0, 0x0000, "fldz"
    ; pi = C90FDAA22168C234 C4C6...: rounded down (RC=01) the last digit is 4
    fldcw word V(cw_down)
    fldpi
    fstp tword V(t80)
    CHK80 t80, 0xC90FDAA2, 0x2168C234, 0x4000, "fldpi RC=down"
    fninit

;--- FXCH, FCHS, FABS (SDM Vol.2 FXCH, FCHS, FABS) -------------------------------------------
    TWO
    fxch                        ; D9 C9
    SW_IS 0x3000, "fxch: FSW"
    R32 0x40000000, "fxch: ST0 = 2"
    R32 0x41000000, "fxch: ST1 = 8"
    fld1
    TWO
    db 0xD9, 0xCA               ; FXCH ST(2)
    R32 0x3F800000, "fxch st2: ST0 = 1"
    R32 0x40000000, "fxch st2: ST1 = 2"
    R32 0x41000000, "fxch st2: ST2 = 8"
    fld dword V(f_eight)
    fchs
    fst dword V(r32)
    CHKD dword V(r32), 0xC1000000, "fchs 8"
    fabs
    fst dword V(r32)
    CHKD dword V(r32), 0x41000000, "fabs -8"
    fabs
    fchs
    R32 0xC1000000, "fabs 8, fchs"

;--- arithmetic with a memory operand: ST0 = 8 op m (SDM Vol.2 FADD FSUB FSUBR FMUL FDIV FDIVR:
;    D8 m32real, DC m64real, DA m32int, DE m16int; FSUBR/FDIVR: ST0 = m - ST0, m / ST0) ---------
%macro MEMOP 4 ; instruction, operand, expected f32, "what"
    fld dword V(f_eight)
    %1 %2
    R32 %3, %4
%endmacro
    MEMOP fadd, dword V(f_two), 0x41200000, "fadd m32: 8+2=10"
    MEMOP fmul, dword V(f_two), 0x41800000, "fmul m32: 8*2=16"
    MEMOP fsub, dword V(f_two), 0x40C00000, "fsub m32: 8-2=6"
    MEMOP fsubr, dword V(f_two), 0xC0C00000, "fsubr m32: 2-8=-6"
    MEMOP fdiv, dword V(f_two), 0x40800000, "fdiv m32: 8/2=4"
    MEMOP fdivr, dword V(f_two), 0x3E800000, "fdivr m32: 2/8=0.25"
    MEMOP fadd, qword V(d_four), 0x41400000, "fadd m64: 8+4=12"
    MEMOP fmul, qword V(d_four), 0x42000000, "fmul m64: 8*4=32"
    MEMOP fsub, qword V(d_four), 0x40800000, "fsub m64: 8-4=4"
    MEMOP fsubr, qword V(d_four), 0xC0800000, "fsubr m64: 4-8=-4"
    MEMOP fdiv, qword V(d_four), 0x40000000, "fdiv m64: 8/4=2"
    MEMOP fdivr, qword V(d_four), 0x3F000000, "fdivr m64: 4/8=0.5"
    MEMOP fiadd, dword V(i32_m2), 0x40C00000, "fiadd m32: 8+-2=6"
    MEMOP fimul, dword V(i32_m2), 0xC1800000, "fimul m32: 8*-2=-16"
    MEMOP fisub, dword V(i32_m2), 0x41200000, "fisub m32: 8--2=10"
    MEMOP fisubr, dword V(i32_m2), 0xC1200000, "fisubr m32: -2-8=-10"
    MEMOP fidiv, dword V(i32_m2), 0xC0800000, "fidiv m32: 8/-2=-4"
    MEMOP fidivr, dword V(i32_m2), 0xBE800000, "fidivr m32: -2/8=-0.25"
    MEMOP fiadd, word V(i16_16), 0x41C00000, "fiadd m16: 8+16=24"
    MEMOP fimul, word V(i16_16), 0x43000000, "fimul m16: 8*16=128"
    MEMOP fisub, word V(i16_16), 0xC1000000, "fisub m16: 8-16=-8"
    MEMOP fisubr, word V(i16_16), 0x41000000, "fisubr m16: 16-8=8"
    MEMOP fidiv, word V(i16_16), 0x3F000000, "fidiv m16: 8/16=0.5"
    MEMOP fidivr, word V(i16_16), 0x40000000, "fidivr m16: 16/8=2"
    SW_IS 0x0000, "memory arithmetic: FSW"

;--- register forms, ST0 = 8, ST1 = 2 (SDM Vol.2 FSUB: D8 E0+i FSUB ST(0),ST(i) = ST0-STi,
;    D8 E8+i FSUBR ST(0),ST(i) = STi-ST0; DC E8+i FSUB ST(i),ST(0) = STi-ST0, DC E0+i FSUBR
;    ST(i),ST(0) = ST0-STi; DE E8+i FSUBP, DE E0+i FSUBRP; likewise FDIV F0/F8) ------------------
    ; D8: ST0 = ST0 op ST1
    TWO
    db 0xD8, 0xC1
    R32 0x41200000, "D8 C1 fadd st0,st1: ST0 = 10"
    R32 0x40000000, "D8 C1: ST1 unchanged"
    TWO
    db 0xD8, 0xC9
    R32 0x41800000, "D8 C9 fmul st0,st1: ST0 = 16"
    R32 0x40000000, "D8 C9: ST1 unchanged"
    TWO
    db 0xD8, 0xE1
    R32 0x40C00000, "D8 E1 fsub st0,st1: ST0 = 8-2"
    R32 0x40000000, "D8 E1: ST1 unchanged"
    TWO
    db 0xD8, 0xE9
    R32 0xC0C00000, "D8 E9 fsubr st0,st1: ST0 = 2-8"
    R32 0x40000000, "D8 E9: ST1 unchanged"
    TWO
    db 0xD8, 0xF1
    R32 0x40800000, "D8 F1 fdiv st0,st1: ST0 = 8/2"
    R32 0x40000000, "D8 F1: ST1 unchanged"
    TWO
    db 0xD8, 0xF9
    R32 0x3E800000, "D8 F9 fdivr st0,st1: ST0 = 2/8"
    R32 0x40000000, "D8 F9: ST1 unchanged"
    ; DC: ST1 = ST1 op ST0
    TWO
    db 0xDC, 0xC1
    R32 0x41000000, "DC C1: ST0 unchanged"
    R32 0x41200000, "DC C1 fadd st1,st0: ST1 = 10"
    TWO
    db 0xDC, 0xC9
    R32 0x41000000, "DC C9: ST0 unchanged"
    R32 0x41800000, "DC C9 fmul st1,st0: ST1 = 16"
    TWO
    db 0xDC, 0xE9
    R32 0x41000000, "DC E9: ST0 unchanged"
    R32 0xC0C00000, "DC E9 fsub st1,st0: ST1 = 2-8"
    TWO
    db 0xDC, 0xE1
    R32 0x41000000, "DC E1: ST0 unchanged"
    R32 0x40C00000, "DC E1 fsubr st1,st0: ST1 = 8-2"
    TWO
    db 0xDC, 0xF9
    R32 0x41000000, "DC F9: ST0 unchanged"
    R32 0x3E800000, "DC F9 fdiv st1,st0: ST1 = 2/8"
    TWO
    db 0xDC, 0xF1
    R32 0x41000000, "DC F1: ST0 unchanged"
    R32 0x40800000, "DC F1 fdivr st1,st0: ST1 = 8/2"
    ; DE: ST1 = ST1 op ST0, pop
    TWO
    db 0xDE, 0xC1
    SW_IS 0x3800, "DE C1 faddp: one value left"
    R32 0x41200000, "DE C1 faddp: 10"
    TWO
    db 0xDE, 0xC9
    R32 0x41800000, "DE C9 fmulp: 16"
    TWO
    db 0xDE, 0xE9
    R32 0xC0C00000, "DE E9 fsubp st1,st0: 2-8"
    TWO
    db 0xDE, 0xE1
    R32 0x40C00000, "DE E1 fsubrp st1,st0: 8-2"
    TWO
    db 0xDE, 0xF9
    R32 0x3E800000, "DE F9 fdivp st1,st0: 2/8"
    TWO
    db 0xDE, 0xF1
    R32 0x40800000, "DE F1 fdivrp st1,st0: 8/2"
    ; DE E8+2 FSUBP ST(2),ST(0) with ST0 8, ST1 2, ST2 1: ST2 = 1-8 = -7, pop
    fld1
    TWO
    db 0xDE, 0xEA
    SW_IS 0x3000, "DE EA fsubp st2,st0: two values left"
    R32 0x40000000, "DE EA: old ST1 now ST0"
    R32 0xC0E00000, "DE EA fsubp st2,st0: 1-8"
    ; D8 C0+2: ST0 = ST0 + ST2
    fld1
    TWO
    db 0xD8, 0xC2
    R32 0x41100000, "D8 C2 fadd st0,st2: 8+1"
    fstp st0
    fstp st0
    SW_IS 0x0000, "register arithmetic: FSW"

;--- compares to C3 C2 C0 (SDM Vol.2 FCOM/FCOMP/FCOMPP, FUCOM*, FICOM: ST0 > src 000,
;    ST0 < src 001 (C0), equal 100 (C3), unordered 111; C1 cleared) -----------------------------
    fld dword V(f_eight)
    fcom dword V(f_two)
    SW_IS 0x3800, "fcom m32 8>2"
    fcom dword V(f_eight)
    SW_IS 0x7800, "fcom m32 8=8: C3"
    fcom qword V(d_four)
    SW_IS 0x3800, "fcom m64 8>4"
    ficom word V(i16_16)
    SW_IS 0x3900, "ficom m16 8<16: C0"
    ficom dword V(i32_m2)
    SW_IS 0x3800, "ficom m32 8>-2"
    fcomp dword V(f_eight)
    SW_IS 0x4000, "fcomp m32 8=8: C3, popped"
    fld dword V(f_two)
    ficomp word V(i16_16)
    SW_IS 0x0100, "ficomp m16 2<16: C0, popped"
    fld dword V(f_two)
    ficomp dword V(i32_m2)
    SW_IS 0x0000, "ficomp m32 2>-2, popped"
    fld dword V(f_two)
    fcomp qword V(d_four)
    SW_IS 0x0100, "fcomp m64 2<4: C0, popped"
    ; QNaN operand: FCOM raises IE (masked), unordered; FUCOM does not
    fld dword V(f_eight)
    fcom dword V(f_qnan)
    SW_IS 0x7D01, "fcom m32 QNaN: unordered, IE"
    fnclex
    fld dword V(f_qnan)             ; ST0 QNaN, ST1 8 (loading a QNaN raises nothing)
    db 0xDD, 0xE1                   ; FUCOM ST(1)
    SW_IS 0x7500, "fucom QNaN: unordered, no IE"
    db 0xDD, 0xE9                   ; FUCOMP ST(1)
    SW_IS 0x7D00, "fucomp QNaN: unordered, popped"
    fstp st0
    ; register forms, ST0 8, ST1 2
    TWO
    db 0xD8, 0xD1                   ; FCOM ST(1)
    SW_IS 0x3000, "fcom st1 8>2"
    db 0xD8, 0xD0                   ; FCOM ST(0)
    SW_IS 0x7000, "fcom st0: equal"
    fxch
    db 0xD8, 0xD9                   ; FCOMP ST(1): 2 < 8
    SW_IS 0x3900, "fcomp st1 2<8: C0, popped"
    fld dword V(f_two)
    db 0xDE, 0xD9                   ; FCOMPP: 2 < 8, pop twice
    SW_IS 0x0100, "fcompp 2<8: C0, two pops"
    TWO
    db 0xDA, 0xE9                   ; FUCOMPP: 8 > 2
    SW_IS 0x0000, "fucompp 8>2, two pops"
    TWO
    db 0xDD, 0xE1                   ; FUCOM ST(1)
    SW_IS 0x3000, "fucom st1 8>2"
    db 0xDD, 0xE9                   ; FUCOMP ST(1)
    SW_IS 0x3800, "fucomp st1 8>2, popped"
    fstp st0
    ; an SNaN operand: FUCOM raises IE too (SDM Vol.2 FUCOM: only QNaNs are quiet)
    fld dword V(f_eight)
    fld tword V(t_snan)             ; FLD m80 does not signal on an SNaN (SDM Vol.2 FLD)
    SW_IS 0x3000, "fld m80 SNaN: no IE"
    db 0xDD, 0xE1
    SW_IS 0x7501, "fucom SNaN: unordered, IE"
    fninit
    ; C1 is cleared by a compare (set here first by a rounded-up store)
    fld tword V(t_pi)
    fst dword V(r32)
    fcom dword V(f_two)
    SW_IS 0x3820, "fcom clears C1 (PE stays)"
    fninit

;--- FCOMI/FCOMIP/FUCOMI/FUCOMIP (SDM Vol.2 FCOMI: greater ZF PF CF = 000, less 001, equal 100,
;    unordered 111; OF SF AF cleared; FSW C1 cleared, C0 C2 C3 unchanged) ------------------------
%define CMPFL (F_ZF | F_PF | F_CF | F_OF | F_SF | F_AF)
%define DIRTY (F_FIXED | F_OF | F_SF | F_AF)
    TWO
    XSETF DIRTY
    db 0xDB, 0xF1                   ; FCOMI ST0, ST1: 8 > 2
    CHKF CMPFL, 0, "fcomi 8>2"
    fxch
    XSETF DIRTY
    db 0xDB, 0xF1                   ; 2 < 8
    CHKF CMPFL, F_CF, "fcomi 2<8"
    XSETF DIRTY
    db 0xDB, 0xE8                   ; FUCOMI ST0, ST0
    CHKF CMPFL, F_ZF, "fucomi equal"
    XSETF DIRTY | F_ZF | F_CF
    db 0xDB, 0xE9                   ; FUCOMI ST0, ST1: 2 < 8
    CHKF CMPFL, F_CF, "fucomi 2<8"
    SW_IS 0x3000, "fcomi: FSW unchanged"
    XSETF DIRTY
    db 0xDF, 0xF1                   ; FCOMIP: 2 < 8, pop
    CHKF CMPFL, F_CF, "fcomip 2<8"
    SW_IS 0x3800, "fcomip popped"
    fld dword V(f_qnan)
    XSETF DIRTY
    db 0xDF, 0xE9                   ; FUCOMIP QNaN, 8: unordered, no IE, pop
    CHKF CMPFL, F_ZF | F_PF | F_CF, "fucomip QNaN: unordered"
    SW_IS 0x3800, "fucomip QNaN: no IE, popped"
    fld dword V(f_qnan)
    XSETF DIRTY
    db 0xDB, 0xF1                   ; FCOMI QNaN: IE (masked), unordered
    CHKF CMPFL, F_ZF | F_PF | F_CF, "fcomi QNaN: unordered"
    SW_IS 0x3001, "fcomi QNaN: IE"
    fninit

;--- FCMOVcc (SDM Vol.2 FCMOVcc: B CF=1, E ZF=1, BE CF|ZF, U PF=1, NB NE NBE NU the negations):
;    ST0 = 8, ST1 = 2; a true condition copies ST1 into ST0 ----------------------------------------
%macro FCMOV 5 ; byte1, byte2, flags, expected ST0, "what"
    TWO
    XSETF %3
    db %1, %2
    R32 %4, %5
    fstp st0
%endmacro
%define YES 0x40000000
%define NO  0x41000000
    FCMOV 0xDA, 0xC1, F_FIXED | F_CF, YES, "fcmovb CF=1"
    FCMOV 0xDA, 0xC1, F_FIXED | F_ZF, NO, "fcmovb CF=0"
    FCMOV 0xDA, 0xC9, F_FIXED | F_ZF, YES, "fcmove ZF=1"
    FCMOV 0xDA, 0xC9, F_FIXED | F_CF, NO, "fcmove ZF=0"
    FCMOV 0xDA, 0xD1, F_FIXED | F_ZF, YES, "fcmovbe ZF=1"
    FCMOV 0xDA, 0xD1, F_FIXED | F_PF, NO, "fcmovbe CF=ZF=0"
    FCMOV 0xDA, 0xD9, F_FIXED | F_PF, YES, "fcmovu PF=1"
    FCMOV 0xDA, 0xD9, F_FIXED | F_CF | F_ZF, NO, "fcmovu PF=0"
    FCMOV 0xDB, 0xC1, F_FIXED | F_ZF, YES, "fcmovnb CF=0"
    FCMOV 0xDB, 0xC1, F_FIXED | F_CF, NO, "fcmovnb CF=1"
    FCMOV 0xDB, 0xC9, F_FIXED | F_CF, YES, "fcmovne ZF=0"
    FCMOV 0xDB, 0xC9, F_FIXED | F_ZF, NO, "fcmovne ZF=1"
    FCMOV 0xDB, 0xD1, F_FIXED | F_PF, YES, "fcmovnbe CF=ZF=0"
    FCMOV 0xDB, 0xD1, F_FIXED | F_CF, NO, "fcmovnbe CF=1"
    FCMOV 0xDB, 0xD9, F_FIXED | F_ZF, YES, "fcmovnu PF=0"
    FCMOV 0xDB, 0xD9, F_FIXED | F_PF, NO, "fcmovnu PF=1"
    SW_IS 0x0000, "fcmov: FSW"

;--- FTST (SDM Vol.2 FTST: compare ST0 with 0.0) and FXAM (SDM Vol.2 FXAM table: C3 C2 C0 =
;    010 normal, 100 zero, 011 infinity, 001 NaN, 110 denormal, 101 empty; C1 = sign) ----------
    fld dword V(f_m3)
    ftst
    SW_IS 0x3900, "ftst -3: C0"
    fxam
    SW_IS 0x3E00, "fxam -3: normal, C1 sign"
    fstp st0
    fldz
    ftst
    SW_IS 0x7800, "ftst 0: C3"
    fxam
    SW_IS 0x7800, "fxam +0: zero"
    fstp st0
    fld dword V(f_two)
    ftst
    SW_IS 0x3800, "ftst 2: greater"
    fxam
    SW_IS 0x3C00, "fxam 2: normal"
    fstp st0
    fld dword V(f_inf)
    fxam
    SW_IS 0x3D00, "fxam +inf"
    fstp st0
    fld dword V(f_qnan)
    fxam
    SW_IS 0x3900, "fxam QNaN"
    ftst
    SW_IS 0x7D01, "ftst QNaN: unordered, IE"
    fninit
    fld tword V(t_denormal)
    fxam
    SW_IS 0x7C00, "fxam denormal"
    fninit
    fxam                            ; ST0 empty
    fnstsw ax
    and ax, ~0x0200                 ; C1 (the sign of the stale register) not checked
    CHK ax, 0x4100, "fxam empty"

;--- TOP and the tag word (SDM Vol.1 8.1.7, figure 8-7: 00 valid, 01 zero, 10 special,
;    11 empty, two bits per physical register, R7 in bits 15:14) ----------------------------------
    fninit
    fld1                            ; R7 = 1.0: valid
    fldz                            ; R6 = 0.0: zero
    fld dword V(f_inf)              ; R5 = inf: special
    SW_IS 0x2800, "three pushes: TOP=5"
    TW_IS 0x1BFF, "tags: R7 valid, R6 zero, R5 special, R0-R4 empty"
    fincstp                         ; TOP+1, tags unchanged (SDM Vol.2 FINCSTP)
    SW_IS 0x3000, "fincstp: TOP=6"
    TW_IS 0x1BFF, "fincstp: tags unchanged"
    fdecstp
    SW_IS 0x2800, "fdecstp: TOP=5"
    db 0xDD, 0xC1                   ; FFREE ST(1): R6 empty, TOP unchanged (SDM Vol.2 FFREE)
    SW_IS 0x2800, "ffree st1: TOP unchanged"
    TW_IS 0x3BFF, "ffree st1: R6 empty"
    fdecstp
    fdecstp
    fdecstp
    fdecstp
    fdecstp
    fdecstp                         ; TOP = 7 (5 - 6 mod 8)
    SW_IS 0x3800, "fdecstp wraps: TOP=7"
    R32 0x3F800000, "fdecstp wraps: ST0 = R7 = 1.0"
    TW_IS 0xFBFF, "fstp: R7 empty"
    fninit
    ; FSTSW AX (9B DF E0) and FNSTSW m16
    fld1
    fstsw ax
    CHK ax, 0x3800, "fstsw ax"
    fnstsw word V(w16)
    CHK word V(w16), 0x3800, "fnstsw m16"
    fninit

X87_END

XDATA
f_two:      dd 0x40000000       ; 2.0
f_eight:    dd 0x41000000       ; 8.0
f_1p5:      dd 0x3FC00000       ; 1.5
f_2p5:      dd 0x40200000       ; 2.5
f_3p5:      dd 0x40600000       ; 3.5
f_m2p5:     dd 0xC0200000       ; -2.5
f_m3:       dd 0xC0400000       ; -3.0
f_40000:    dd 0x471C4000       ; 40000.0
f_inf:      dd 0x7F800000       ; +infinity
f_qnan:     dd 0x7FC00000       ; the default QNaN
d_four:     dq 0x4010000000000000   ; 4.0
d_m2p25:    dq 0xC002000000000000   ; -2.25
t_pi:       dq 0xC90FDAA22168C235   ; pi rounded to 64 bits
            dw 0x4000
t_snan:     dq 0xA000000000000000   ; SNaN: exponent 7FFFh, bit 62 clear, non-zero fraction
            dw 0x7FFF
t_denormal: dq 0x0000000000000001   ; the smallest positive denormal
            dw 0x0000
i16_m5:     dw -5
i16_16:     dw 16
i16_m42:    dw -42
i32_100000: dd 100000
i32_m2:     dd -2
i32_987654321: dd 987654321
i64_big:    dq 0x123456789ABCDEF0
bcd_m1234567890: db 0x90, 0x78, 0x56, 0x34, 0x12, 0, 0, 0, 0, 0x80
cw_down:    dw 0x077F           ; RC = 01
cw_up:      dw 0x0B7F           ; RC = 10
cw_chop:    dw 0x0F7F           ; RC = 11
            align 4
w16:        dw 0, 0
r32:        dd 0
r64:        dq 0
t80:        times 12 db 0
env:        times 28 db 0
XDATA_END
