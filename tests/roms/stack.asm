; stack: PUSH/POP of registers, memory, immediates and segment registers, 16 and 32 bits,
; PUSH SP / POP SP, POP into an [esp]-based operand, PUSHA/POPA, PUSHAD/POPAD, SP wrap-around.
; The stack is SS=9000 with a 16-bit stack pointer (real mode: SS.B = 0).
%include "lib.inc"
TEST_BEGIN "stack"
    mov ax, STACK_SEG
    mov ds, ax                      ; DS = SS so the stack can be inspected with plain [bx]
    movzx esp, sp                   ; ESP[31:16] = 0 for the [esp] forms

;--- PUSH r16 / POP r16. SDM Vol.2 PUSH: SP <- SP - 2; Memory[SS:SP] <- SRC. POP: reverse.
    mov ax, 0x1234
    push ax
    mov bx, sp
    CHECK bx, STACK_TOP - 2, "push r16 sp"
    CHECK word [bx], 0x1234, "push r16 value"
    pop cx
    CHECK cx, 0x1234, "pop r16"
    mov bx, sp
    CHECK bx, STACK_TOP, "pop r16 sp"

;--- PUSH imm. 68 iw pushes the word; 6A ib pushes the sign-extended byte (SDM PUSH opcode table).
    push word 0xABCD
    push byte -2
    pop ax
    CHECK ax, 0xFFFE, "push imm8 sign-extends"
    pop ax
    CHECK ax, 0xABCD, "push imm16"

;--- PUSH r/m16, POP r/m16 (FF /6, 8F /0)
    mov word [0x100], 0x5678
    push word [0x100]
    pop word [0x102]
    CHECK word [0x102], 0x5678, "push/pop m16"

;--- 32-bit operand size: SP moves by 4 (SDM PUSH: operand size 32 -> ESP/SP - 4)
    mov eax, 0xDEADBEEF
    push eax
    mov bx, sp
    CHECK bx, STACK_TOP - 4, "push r32 sp"
    CHECK dword [bx], 0xDEADBEEF, "push r32 value"
    pop edx
    CHECK edx, 0xDEADBEEF, "pop r32"
    push dword 0x12345678           ; 66 68 id
    push dword -3                   ; 66 6A ib: sign-extended to 32 bits
    pop ecx
    CHECK ecx, 0xFFFFFFFD, "push imm8 o32"
    pop ecx
    CHECK ecx, 0x12345678, "push imm32"
    mov dword [0x104], 0xCAFEF00D
    push dword [0x104]
    pop dword [0x108]
    CHECK dword [0x108], 0xCAFEF00D, "push/pop m32"
    mov bx, sp
    CHECK bx, STACK_TOP, "o32 push/pop balance"

;--- segment registers (0E CS, 16 SS, 1E DS, 06 ES, 0F A0 FS, 0F A8 GS; pops 07 17 1F 0F A1 0F A9)
    push cs
    pop ax
    CHECK ax, ROM_SEG, "push cs"
    mov ax, 0x2345
    mov es, ax
    push es
    pop fs                          ; FS <- 0x2345
    push fs
    pop gs
    mov ax, gs
    CHECK ax, 0x2345, "push es/fs, pop fs/gs"
    push ss
    pop ax
    CHECK ax, STACK_SEG, "push ss"
    push word 0x3000
    pop es
    mov word [es:0x10], 0x7777      ; linear 0x30010: ES's base changed with the pop
    push ds
    push word 0x3001
    pop ds
    CHECK word [0], 0x7777, "pop ds loads the base"
    pop ds
    ; SDM PUSH: a segment register pushed with operand size 32 moves SP by 4; the low word
    ; holds the selector (the upper word is either zero or left unmodified)
    push dword 0
    pop eax                         ; make the slot known
    o32 push es
    mov bx, sp
    CHECK bx, STACK_TOP - 4, "o32 push es sp"
    CHECK word [bx], 0x3000, "o32 push es value"
    o32 pop fs                      ; POP: a 32-bit pop into a segment register uses the low word
    mov ax, fs
    CHECK ax, 0x3000, "o32 pop fs"
    mov bx, sp
    CHECK bx, STACK_TOP, "o32 pop fs sp"

;--- PUSH SP / POP SP. SDM PUSH: "pushes the value of the SP register as it existed before the
; instruction was executed". SDM POP: "POP ESP increments the stack pointer before data at the old
; top of stack is written into the destination" -> SP = the popped value.
    push sp
    pop ax
    CHECK ax, STACK_TOP, "push sp"
    push word 0x4000
    pop sp
    mov ax, sp
    CHECK ax, 0x4000, "pop sp"
    mov sp, STACK_TOP

;--- POP r/m with ESP as the base. SDM POP: "If the ESP register is used as a base register for
; addressing a destination operand in memory, the POP instruction computes the effective address
; of the operand after it increments the ESP register."
    push word 0x1111                ; at STACK_TOP-2
    push word 0x2222                ; at STACK_TOP-4 = top
    pop word [esp]                  ; pops 0x2222, SP = STACK_TOP-2, writes [STACK_TOP-2]
    mov bx, sp
    CHECK bx, STACK_TOP - 2, "pop [esp] sp"
    CHECK word [bx], 0x2222, "pop [esp] address after increment"
    ; PUSH with an [esp] operand reads it before SP moves (the address uses the old ESP)
    push word [esp]
    pop ax
    pop cx
    CHECK ax, 0x2222, "push [esp] #1"
    CHECK cx, 0x2222, "push [esp] #2"

;--- PUSHA/POPA. SDM PUSHA: Temp <- SP; Push(AX) Push(CX) Push(DX) Push(BX) Push(Temp) Push(BP)
; Push(SI) Push(DI). POPA pops DI SI BP, skips the SP image, then BX DX CX AX.
    mov ax, 0xA0A0
    mov cx, 0xC1C1
    mov dx, 0xD2D2
    mov bx, 0xB3B3
    mov bp, 0xB5B5
    mov si, 0x5656
    mov di, 0xD7D7
    pusha
    mov bx, sp
    CHECK bx, STACK_TOP - 16, "pusha sp"
    CHECK word [bx+14], 0xA0A0, "pusha ax slot"
    CHECK word [bx+12], 0xC1C1, "pusha cx slot"
    CHECK word [bx+10], 0xD2D2, "pusha dx slot"
    CHECK word [bx+8], 0xB3B3, "pusha bx slot"
    CHECK word [bx+6], STACK_TOP, "pusha sp slot (before the first push)"
    CHECK word [bx+4], 0xB5B5, "pusha bp slot"
    CHECK word [bx+2], 0x5656, "pusha si slot"
    CHECK word [bx+0], 0xD7D7, "pusha di slot"
    mov word [bx+6], 0x0BAD         ; the SP image is skipped by POPA
    xor ax, ax
    xor cx, cx
    xor dx, dx
    xor bx, bx
    xor bp, bp
    xor si, si
    xor di, di
    popa
    mov [0x110], sp
    CHECK word [0x110], STACK_TOP, "popa sp"
    CHECK ax, 0xA0A0, "popa ax"
    CHECK cx, 0xC1C1, "popa cx"
    CHECK dx, 0xD2D2, "popa dx"
    CHECK bx, 0xB3B3, "popa bx"
    CHECK bp, 0xB5B5, "popa bp"
    CHECK si, 0x5656, "popa si"
    CHECK di, 0xD7D7, "popa di"

;--- PUSHAD/POPAD: the same order with 32-bit registers, 32 bytes; POPAD discards the ESP image.
    mov eax, 0xA0000001
    mov ecx, 0xC0000002
    mov edx, 0xD0000003
    mov ebx, 0xB0000004
    mov ebp, 0xB0000005
    mov esi, 0x50000006
    mov edi, 0xD0000007
    pushad
    mov bx, sp
    CHECK bx, STACK_TOP - 32, "pushad sp"
    CHECK dword [bx+28], 0xA0000001, "pushad eax slot"
    CHECK dword [bx+16], 0xB0000004, "pushad ebx slot"
    CHECK dword [bx+12], STACK_TOP, "pushad esp slot"
    CHECK dword [bx+0], 0xD0000007, "pushad edi slot"
    mov dword [bx+12], 0x0BAD0BAD
    xor eax, eax
    xor ecx, ecx
    xor edx, edx
    xor ebx, ebx
    xor ebp, ebp
    xor esi, esi
    xor edi, edi
    popad
    mov [0x110], esp
    CHECK dword [0x110], STACK_TOP, "popad esp"
    CHECK eax, 0xA0000001, "popad eax"
    CHECK ecx, 0xC0000002, "popad ecx"
    CHECK edx, 0xD0000003, "popad edx"
    CHECK ebx, 0xB0000004, "popad ebx"
    CHECK ebp, 0xB0000005, "popad ebp"
    CHECK esi, 0x50000006, "popad esi"
    CHECK edi, 0xD0000007, "popad edi"

;--- SP wraps at 64 KiB with a 16-bit stack: SP=0, PUSH -> SP = 0xFFFE (0 - 2 mod 2^16)
    mov sp, 0
    push word 0x9ABC
    mov ax, sp
    mov sp, STACK_TOP
    CHECK ax, 0xFFFE, "push wraps sp"
    CHECK word [0xFFFE], 0x9ABC, "push wraps value"
    mov sp, 0xFFFE
    pop ax                          ; SP = 0xFFFE + 2 mod 2^16 = 0
    mov bx, sp
    mov sp, STACK_TOP
    CHECK ax, 0x9ABC, "pop at ffff"
    CHECK bx, 0x0000, "pop wraps sp"
TEST_END
