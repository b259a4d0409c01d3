; i486: the 486 additions usable in real mode: BSWAP, XADD, CMPXCHG (8/16/32 bits, register and
; memory), and the AC flag (EFLAGS bit 18) that a 486 lets software toggle and a 386 does not.
;
; SDM Vol.2 BSWAP: reverses the byte order of a 32-bit register (0F C8+rd).
; SDM Vol.2 XADD: TEMP <- SRC + DEST; SRC <- DEST; DEST <- TEMP; flags as for ADD (OF SF ZF AF CF
; PF set according to the sum).
; SDM Vol.2 CMPXCHG: IF accumulator = DEST THEN ZF <- 1; DEST <- SRC ELSE ZF <- 0; accumulator <-
; DEST. "The ZF flag is set if the values in the destination operand and register AL, AX, or EAX
; are equal; otherwise it is cleared. The CF, PF, AF, SF, and OF flags are set according to the
; results of the comparison operation" (accumulator - DEST, as CMP).
; SDM Vol.3 2.3 (EFLAGS AC, bit 18) / Vol.1 19.1.2 (486: the AC flag can be set).
%include "lib.inc"
TEST_BEGIN "i486"
    mov ax, SCRATCH_SEG
    mov ds, ax

;--- BSWAP
    mov eax, 0x12345678
    bswap eax
    CHECK eax, 0x78563412, "bswap eax"
    mov ebx, 0xAABBCCDD
    bswap ebx
    CHECK ebx, 0xDDCCBBAA, "bswap ebx"
    mov esi, 0x000000FF
    bswap esi
    CHECK esi, 0xFF000000, "bswap esi"
    mov edi, 0x01020304
    bswap edi
    bswap edi
    CHECK edi, 0x01020304, "bswap twice"
    SETF F_FIXED | F_CF | F_ZF
    bswap edi
    CHECKF F_ARITH, F_CF | F_ZF, "bswap keeps flags"

;--- XADD
    mov al, 0x10
    mov bl, 0x20
    xadd al, bl                     ; AL = 30, BL = 10; 0x30 two ones PF
    CHECK al, 0x30, "xadd8 dest"
    CHECK bl, 0x10, "xadd8 src"
    CHECKF F_ARITH, F_PF, "xadd8 flags"
    mov word [0x10], 0xFFFF
    mov cx, 1
    xadd [0x10], cx                 ; [0x10] = 0000 (CF ZF AF PF), CX = FFFF
    CHECK word [0x10], 0, "xadd16 m dest"
    CHECK cx, 0xFFFF, "xadd16 m src"
    CHECKF F_ARITH, F_CF | F_ZF | F_AF | F_PF, "xadd16 m flags"
    mov eax, 0x7FFFFFFF
    mov edx, 1
    xadd eax, edx                   ; EAX = 80000000 (OF SF AF PF), EDX = 7FFFFFFF
    CHECK eax, 0x80000000, "xadd32 dest"
    CHECK edx, 0x7FFFFFFF, "xadd32 src"
    CHECKF F_ARITH, F_OF | F_SF | F_AF | F_PF, "xadd32 flags"
    mov ax, 0x1234
    xadd ax, ax                     ; same register: SRC <- DEST, then DEST <- TEMP: 2468
    CHECK ax, 0x2468, "xadd16 same register"

;--- CMPXCHG
    mov al, 0x10
    mov bl, 0x10
    mov cl, 0x99
    cmpxchg bl, cl                  ; equal: BL <- 99, ZF; 10 - 10 = 0: ZF PF
    CHECK bl, 0x99, "cmpxchg8 equal dest"
    CHECK al, 0x10, "cmpxchg8 equal al"
    CHECKF F_ARITH, F_ZF | F_PF, "cmpxchg8 equal flags"
    mov al, 0x10
    mov bl, 0x20
    cmpxchg bl, cl                  ; differ: AL <- 20, BL kept; 10 - 20 = F0: CF SF PF
    CHECK al, 0x20, "cmpxchg8 differ al"
    CHECK bl, 0x20, "cmpxchg8 differ dest"
    CHECKF F_ARITH, F_CF | F_SF | F_PF, "cmpxchg8 differ flags"
    mov word [0x20], 0x1234
    mov ax, 0x1234
    mov dx, 0xBEEF
    cmpxchg [0x20], dx              ; equal: [0x20] <- BEEF
    CHECK word [0x20], 0xBEEF, "cmpxchg16 m equal"
    CHECKF F_ZF, F_ZF, "cmpxchg16 m equal zf"
    mov ax, 0x0001
    cmpxchg [0x20], dx              ; differ: AX <- BEEF; 0001 - BEEF = 4112: CF AF; 0x12 two
    CHECK ax, 0xBEEF, "cmpxchg16 m differ ax" ; ones: PF
    CHECKF F_ARITH, F_CF | F_AF | F_PF, "cmpxchg16 m differ flags"
    mov eax, 0x80000000
    mov ecx, 0x7FFFFFFF
    mov edx, 0x11111111
    cmpxchg ecx, edx                ; differ: EAX <- 7FFFFFFF; 80000000 - 7FFFFFFF = 1: OF AF
    CHECK eax, 0x7FFFFFFF, "cmpxchg32 differ eax"
    CHECK ecx, 0x7FFFFFFF, "cmpxchg32 differ dest"
    CHECKF F_ARITH, F_OF | F_AF, "cmpxchg32 differ flags"
    mov eax, 0x7FFFFFFF
    cmpxchg ecx, edx                ; equal: ECX <- 11111111
    CHECK ecx, 0x11111111, "cmpxchg32 equal dest"
    CHECKF F_ZF, F_ZF, "cmpxchg32 equal zf"

;--- AC (bit 18) toggles on a 486 and later
    pushfd
    pop eax
    mov ecx, eax
    xor eax, 0x00040000
    push eax
    popfd
    pushfd
    pop eax
    push ecx
    popfd                           ; restore
    xor eax, ecx
    CHECK eax, 0x00040000, "AC flag toggles (486+)"
TEST_END
