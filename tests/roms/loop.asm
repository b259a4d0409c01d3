; loop: LOOP LOOPE LOOPNE JCXZ JECXZ, with CX and (67h prefix) ECX as the counter.
;
; SDM Vol.2 LOOP/LOOPcc: "IF AddressSize = 32 THEN Count is ECX; ELSE Count is CX"; Count <-
; Count - 1; LOOP branches if Count != 0; LOOPE if Count != 0 and ZF = 1; LOOPNE if Count != 0
; and ZF = 0. "Flags Affected: None." So CX = 0 before LOOP wraps to FFFFh and branches.
; SDM Vol.2 Jcc: JCXZ "Jump short if CX register is 0" (E3 with a 16-bit address size); JECXZ
; "if ECX register is 0" (67 E3).
%include "lib.inc"
TEST_BEGIN "loop"
    mov ax, SCRATCH_SEG
    mov ds, ax

;--- LOOP
    mov cx, 5
    xor ax, ax
.l1:
    inc ax
    loop .l1
    CHECK ax, 5, "loop count"
    CHECK cx, 0, "loop cx"

    ; CX = 0: wraps to FFFFh, so the body runs 65536 times
    xor cx, cx
    xor eax, eax
.l2:
    inc eax
    loop .l2
    CHECK eax, 0x10000, "loop cx=0 runs 65536 times"

    ; flags are not touched
    SETF F_FIXED | F_ZF | F_CF
    mov cx, 2
.l3:
    loop .l3
    CHECKF F_ARITH, F_ZF | F_CF, "loop keeps flags"

    ; a 16-bit LOOP uses CX only: ECX[31:16] unchanged and not part of the test
    mov ecx, 0x00010001             ; CX = 1
    loop .l4                        ; CX -> 0: not taken
    jmp .l4ok
.l4:
    FAIL "loop cx 1->0 taken"
.l4ok:
    CHECK ecx, 0x00010000, "loop leaves ecx[31:16]"

    ; 67h: ECX is the count
    mov ecx, 0x00010000
    a32 loop .l5                    ; ECX -> 0000FFFF != 0: taken
    FAIL "a32 loop ecx 10000h not taken"
.l5:
    CHECK ecx, 0x0000FFFF, "a32 loop ecx"
    mov ecx, 1
    a32 loop .l6                    ; ECX -> 0: not taken
    jmp .l6ok
.l6:
    FAIL "a32 loop ecx 1 taken"
.l6ok:

;--- the counter follows the address size, not the operand size: 66 E2 still counts with CX
    mov ecx, 0x00010001
    o32 loop .l7                    ; CX 1 -> 0: not taken
    jmp .l7ok
.l7:
    FAIL "o32 loop used ecx"
.l7ok:
    CHECK ecx, 0x00010000, "o32 loop counts cx"
    mov ecx, 0x00010000
    db 0x66, 0xE3, .l8 - ($ + 3)    ; 66 E3: JCXZ with a 32-bit operand size still tests CX
    FAIL "o32 jcxz tested ecx"
.l8:

;--- LOOPE: scan while equal. Bytes 7 7 7 3 7: stops at the 3 (ZF=0 after the compare)
    mov dword [0x10], 0x03070707
    mov byte [0x14], 0x07
    mov bx, 0x10 - 1
    mov cx, 5
.e1:
    inc bx
    cmp byte [bx], 7
    loope .e1
    CHECK bx, 0x13, "loope stops on ZF=0"
    CHECK cx, 1, "loope cx"
    ; ends by the count with ZF still 1
    mov bx, 0x10 - 1
    mov cx, 2
.e2:
    inc bx
    cmp byte [bx], 7
    loope .e2
    CHECK bx, 0x11, "loope ends on cx=0"
    CHECK cx, 0, "loope cx=0"

;--- LOOPNE: scan until equal. Bytes 1 2 3 9: stops at the 9
    mov dword [0x20], 0x09030201
    mov bx, 0x20 - 1
    mov cx, 10
.n1:
    inc bx
    cmp byte [bx], 9
    loopne .n1
    CHECK bx, 0x23, "loopne stops on ZF=1"
    CHECK cx, 6, "loopne cx"
    ; LOOPE with ZF=1 but count 1 -> 0: not taken
    mov cx, 1
    cmp ax, ax                      ; ZF=1
    loope .n2
    jmp .n2ok
.n2:
    FAIL "loope cx 1->0 taken"
.n2ok:

;--- JCXZ / JECXZ
    mov cx, 0
    jcxz .z1
    FAIL "jcxz cx=0 not taken"
.z1:
    mov cx, 1
    jcxz .z2
    jmp .z2ok
.z2:
    FAIL "jcxz cx=1 taken"
.z2ok:
    mov ecx, 0x00010000             ; CX = 0, ECX != 0
    jcxz .z3
    FAIL "jcxz looks at ecx"
.z3:
    jecxz .z4
    jmp .z4ok
.z4:
    FAIL "jecxz ecx=10000h taken"
.z4ok:
    xor ecx, ecx
    jecxz .z5
    FAIL "jecxz ecx=0 not taken"
.z5:
    ; JCXZ does not decrement and does not touch flags
    SETF F_FIXED | F_SF | F_OF
    mov cx, 0
    jcxz .z6
.z6:
    CHECK cx, 0, "jcxz keeps cx"
    CHECKF F_ARITH, F_SF | F_OF, "jcxz keeps flags"
TEST_END
