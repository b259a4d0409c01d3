; bound: BOUND r16,m16&16 and BOUND r32,m32&32, in range (including both limits) and out of range
; (#BR, vector 5).
;
; SDM Vol.2 BOUND: "IF (ArrayIndex < LowerBound OR ArrayIndex > UpperBound) THEN #BR", signed
; comparisons, the lower bound first in memory and the upper bound after it. SDM Vol.3 6.15
; "Interrupt 5—BOUND Range Exceeded Exception (#BR)": a fault, "the saved contents of the CS and
; EIP registers point to the instruction that generated the exception". Flags not affected.
%include "lib.inc"
TEST_BEGIN "bound"
    mov ax, SCRATCH_SEG
    mov ds, ax
    mov word [0x10], -10            ; lower
    mov word [0x12], 20             ; upper
    mov dword [0x20], -100000       ; lower
    mov dword [0x24], 0x7FFFFFFF    ; upper

;--- in range: no exception (the lib's unexpected-interrupt stub would end the test)
    mov ax, 5
    bound ax, [0x10]
    mov ax, -10                     ; = lower: in range
    bound ax, [0x10]
    mov ax, 20                      ; = upper: in range
    bound ax, [0x10]
    mov eax, -100000
    bound eax, [0x20]
    mov eax, 0x7FFFFFFF
    bound eax, [0x20]
    SETF F_FIXED | F_CF | F_ZF
    mov bx, 0
    bound bx, [0x10]
    CHECKF F_ARITH, F_CF | F_ZF, "bound keeps flags"

;--- above the upper bound
    TRAP_ARM 5, .after1
    mov ax, 21
.fault1:
    bound ax, [0x10]
    FAIL "bound 21 > 20: no #BR"
.after1:
    CHECKT trap_count, 1, "bound 21 count"
    CHECKT trap_ip, .fault1, "bound 21 pushed IP = the BOUND"
    CHECKT trap_cs, ROM_SEG, "bound 21 pushed CS"

;--- below the lower bound
    TRAP_ARM 5, .after2
    mov si, -11
.fault2:
    bound si, [0x10]
    FAIL "bound -11 < -10: no #BR"
.after2:
    CHECKT trap_ip, .fault2, "bound -11 pushed IP"

;--- signed: 8000h is -32768, below -10 (unsigned it would be above 20 too: use 0xFFF0 = -16)
    TRAP_ARM 5, .after3
    mov dx, 0xFFF0                  ; -16 < -10; as unsigned FFF0 would be > both bounds
.fault3:
    bound dx, [0x10]
    FAIL "bound -16 signed: no #BR"
.after3:
    CHECKT trap_ip, .fault3, "bound -16 pushed IP"
    ; and 0xFFF8 = -8 is inside [-10, 20] (unsigned it would be out of range)
    mov dx, 0xFFF8
    bound dx, [0x10]

;--- 32-bit
    TRAP_ARM 5, .after4
    mov ecx, -100001
.fault4:
    bound ecx, [0x20]
    FAIL "bound32 below: no #BR"
.after4:
    CHECKT trap_ip, .fault4, "bound32 pushed IP"
    CHECKT trap_count, 1, "bound32 count"
TEST_END
