; div: DIV and IDIV, 8/16/32 bits, register and memory divisors, truncation toward zero and the
; remainder's sign, and the divide error (#DE, vector 0) on division by zero and on a quotient
; too large for its register.
;
; SDM Vol.2 DIV: AL <- AX / SRC, AH <- AX MOD SRC; AX <- DX:AX / SRC, DX <- remainder;
; EAX <- EDX:EAX / SRC, EDX <- remainder; "IF SRC = 0 THEN #DE"; "IF temp > FFH (FFFFH, FFFFFFFFH)
; THEN #DE". IDIV: signed, "the result is truncated toward 0", "the sign of the remainder is always
; the same as the sign of the dividend"; #DE if the quotient is outside -80H..7FH (-8000H..7FFFH,
; -80000000H..7FFFFFFFH). Flags: undefined for both, so not checked.
; SDM Vol.3 6.15 "Interrupt 0—Divide Error Exception (#DE)": a fault, "the saved contents of CS
; and EIP registers point to the instruction that generated the exception"; and since it is a
; fault, the destination registers are not modified (SDM Vol.3 6.5).
%include "lib.inc"
TEST_BEGIN "div"
    mov ax, SCRATCH_SEG
    mov ds, ax

;--- DIV
    mov ax, 0x0100
    mov bl, 3
    div bl                          ; 256 / 3 = 85 (55h) remainder 1
    CHECK ax, 0x0155, "div8"
    mov dx, 0x0001
    mov ax, 0x0000
    mov cx, 0x0010
    div cx                          ; 10000h / 10h = 1000h r 0
    CHECK ax, 0x1000, "div16 q"
    CHECK dx, 0, "div16 r"
    mov edx, 1
    mov eax, 5
    mov ecx, 0x10
    div ecx                         ; 1_0000_0005h / 10h = 1000_0000h r 5
    CHECK eax, 0x10000000, "div32 q"
    CHECK edx, 5, "div32 r"
    mov word [0x10], 1000
    mov dx, 0
    mov ax, 65535
    div word [0x10]                 ; 65535 / 1000 = 65 (41h) r 535 (217h)
    CHECK ax, 65, "div16 m q"
    CHECK dx, 535, "div16 m r"
    mov byte [0x12], 0xFF
    mov ax, 0xFEFF
    div byte [0x12]                 ; 65279 / 255 = 255 (FFh) r 254 (FEh): the largest quotient
    CHECK ax, 0xFEFF, "div8 m max"

;--- IDIV
    mov ax, -7
    mov bl, 2
    idiv bl                         ; -7 / 2 = -3 (FDh) r -1 (FFh): toward zero
    CHECK ax, 0xFFFD, "idiv8"
    mov dx, 0
    mov ax, 7
    mov cx, -2
    idiv cx                         ; 7 / -2 = -3 r 1 (sign of the dividend)
    CHECK ax, 0xFFFD, "idiv16 q"
    CHECK dx, 1, "idiv16 r"
    mov eax, -100
    cdq
    mov ecx, 7
    idiv ecx                        ; -100 / 7 = -14 (FFFFFFF2h) r -2 (FFFFFFFEh)
    CHECK eax, 0xFFFFFFF2, "idiv32 q"
    CHECK edx, 0xFFFFFFFE, "idiv32 r"
    mov ax, -128
    mov bl, 1
    idiv bl                         ; -128 / 1 = -128 = 80h: in range -80H..7FH, no #DE
    CHECK ax, 0x0080, "idiv8 -128"
    mov dword [0x14], -3
    mov eax, 9
    cdq
    idiv dword [0x14]               ; 9 / -3 = -3 r 0
    CHECK eax, 0xFFFFFFFD, "idiv32 m q"
    CHECK edx, 0, "idiv32 m r"

;--- IDIV at the edges of the quotient range: -2^31 fits (no #DE)
    mov edx, 0
    mov eax, 0x80000000             ; +2^31
    mov ecx, -1
    idiv ecx                        ; -2^31 = 80000000h r 0: in range
    CHECK eax, 0x80000000, "idiv32 2^31/-1"
    CHECK edx, 0, "idiv32 2^31/-1 r"
    mov dx, 0xFFFF
    mov ax, 0x0000                  ; -65536
    mov cx, 2
    idiv cx                         ; -32768 = 8000h: in range
    CHECK ax, 0x8000, "idiv16 -65536/2"
    CHECK dx, 0, "idiv16 -65536/2 r"

;--- #DE: divide by zero
    TRAP_ARM 0, .after1
    mov ax, 0x1234
    mov bl, 0
.fault1:
    div bl
    FAIL "div8 by 0: no #DE"
.after1:
    CHECKT trap_count, 1, "div8 by 0 count"
    CHECKT trap_ip, .fault1, "div8 by 0 pushed IP = the DIV"
    CHECKT trap_cs, ROM_SEG, "div8 by 0 pushed CS"
    CHECK ax, 0x1234, "div8 by 0 leaves AX"

;--- the FLAGS pushed by the fault are those left by the instruction before (here an ADD:
; 7F + 1 = 80: OF SF AF, PF=0)
    TRAP_ARM 0, .after1b
    mov al, 0x7F
    add al, 1
    mov bl, 0
.fault1b:
    div bl
    FAIL "div8 by 0 after add: no #DE"
.after1b:
    CHECKT trap_flags, F_FIXED | F_OF | F_SF | F_AF, "#DE pushed the flags of the add"

;--- #DE: quotient too large for DIV
    TRAP_ARM 0, .after2
    mov ax, 0x0400
    mov bl, 4                       ; 400h / 4 = 100h > FFh
.fault2:
    div bl
    FAIL "div8 overflow: no #DE"
.after2:
    CHECKT trap_ip, .fault2, "div8 overflow pushed IP"
    CHECK ax, 0x0400, "div8 overflow leaves AX"

    TRAP_ARM 0, .after3
    mov edx, 0x10
    mov eax, 0
    mov ecx, 0x10                   ; 10_0000_0000h / 10h = 1_0000_0000h > FFFFFFFFh
.fault3:
    div ecx
    FAIL "div32 overflow: no #DE"
.after3:
    CHECKT trap_ip, .fault3, "div32 overflow pushed IP"
    CHECK edx, 0x10, "div32 overflow leaves EDX"
    CHECK eax, 0, "div32 overflow leaves EAX"

;--- #DE: IDIV quotient out of the signed range
    TRAP_ARM 0, .after4
    mov ax, 128
    mov bl, 1                       ; 128 / 1 = 128 > 7FH
.fault4:
    idiv bl
    FAIL "idiv8 +128: no #DE"
.after4:
    CHECKT trap_ip, .fault4, "idiv8 +128 pushed IP"

    TRAP_ARM 0, .after5
    mov dx, 0xFFFF
    mov ax, 0x8000
    mov word [0x18], -1             ; -32768 / -1 = +32768 > 7FFFH
.fault5:
    idiv word [0x18]
    FAIL "idiv16 -32768/-1: no #DE"
.after5:
    CHECKT trap_ip, .fault5, "idiv16 -32768/-1 pushed IP"
    CHECK ax, 0x8000, "idiv16 overflow leaves AX"
    CHECK dx, 0xFFFF, "idiv16 overflow leaves DX"

    TRAP_ARM 0, .after6
    mov edx, 0
    mov eax, 5
    xor ecx, ecx
.fault6:
    idiv ecx                        ; divide by zero, 32-bit
    FAIL "idiv32 by 0: no #DE"
.after6:
    CHECKT trap_ip, .fault6, "idiv32 by 0 pushed IP"
    CHECKT trap_count, 1, "idiv32 by 0 count"

    TRAP_ARM 0, .after7
    mov edx, 0xFFFFFFFF
    mov eax, 0x80000000             ; -2^31
    mov ecx, -1                     ; -2^31 / -1 = +2^31 > 7FFFFFFFh
.fault7:
    idiv ecx
    FAIL "idiv32 -2^31/-1: no #DE"
.after7:
    CHECKT trap_ip, .fault7, "idiv32 -2^31/-1 pushed IP"

;--- a handler that returns to the faulting IP re-executes the DIV (the fault is restartable):
; the handler below fixes the divisor (BL = 2) and returns with the pushed IP unchanged.
    push ds
    push word 0
    pop ds
    mov word [0*4], fixing_handler
    mov word [0*4+2], ROM_SEG
    pop ds
    mov ax, 10
    mov bl, 0
    div bl                          ; #DE, handler sets BL=2, IRET retries: 10 / 2 = 5 r 0
    CHECK ax, 0x0005, "div restarted after #DE"
    TRAP_DISARM 0
TEST_END

fixing_handler:
    mov bl, 2
    iret
