; jmp: near and far JMP, CALL and RET in real mode: rel8/rel16 JMP, rel16 CALL, indirect through
; a register and memory, far direct (EA/9A) and indirect (FF /5, FF /3) transfers to another
; CS value, RET/RETF with and without imm16, 32-bit operand size CALL/RET, and the return
; addresses the CPU pushes.
;
; SDM Vol.2 CALL: near: Push(IP); IP <- target. Far (real mode): Push(CS); Push(IP); CS:IP <-
; target, CS base = selector * 16. The pushed IP is the address of the instruction after the
; CALL. RET: IP <- Pop(); RET imm16 then adds imm16 to SP. RETF: IP <- Pop(); CS <- Pop();
; RETF imm16 also adds imm16 to SP. With a 32-bit operand size CALL pushes EIP (4 bytes),
; RET pops 4 bytes; far CALL pushes CS as 4 bytes (upper half not checked).
;
; Far targets use the alias CS = F000h - 100h = EF00h: EF00:(label+1000h) is the same linear
; address as F000:label (both EF000h + label + 1000h = F0000h + label), so the same code runs with
; a different CS value; only position-independent code (relative jumps) is used there.
%include "lib.inc"
%define ALIAS_SEG (ROM_SEG - 0x100)
%define ALIAS(label) ((label) + 0x1000)
TEST_BEGIN "jmp"
    mov ax, SCRATCH_SEG
    mov ds, ax

;--- JMP rel8 / rel16
    mov ax, 0
    jmp short .j1                   ; EB
    mov ax, 1
.j1:
    CHECK ax, 0, "jmp rel8"
    jmp near .j2                    ; E9 rel16
    mov ax, 2
    times 200 nop                   ; out of rel8 range
.j2:
    CHECK ax, 0, "jmp rel16"
    jmp short .j3                   ; a backward rel8 jump
.j4:
    jmp short .j5
.j3:
    jmp short .j4
.j5:

;--- JMP r/m16 (FF /4)
    mov bx, .j6
    jmp bx
    FAIL "jmp r16"
.j6:
    mov word [0x10], .j7
    jmp [0x10]
    FAIL "jmp m16"
.j7:

;--- CALL rel16 / RET
    mov ax, sp
    mov [0x20], ax                  ; SP before
    call near_sub                   ; E8
.ret1:
    CHECK bx, .ret1, "call rel16 pushes next IP"
    CHECK cx, 2, "call rel16 sp - 2"
    mov ax, sp
    CHECK ax, [0x20], "ret restores sp"

;--- CALL r/m16 (FF /2)
    mov dx, near_sub
    call dx
.ret2:
    CHECK bx, .ret2, "call r16"
    mov word [0x12], near_sub
    call word [0x12]
.ret3:
    CHECK bx, .ret3, "call m16"

;--- a REP prefix on RET (the "rep ret" idiom) does nothing (SDM Vol.2 2.1.1: REP applies to string
; and I/O instructions only)
    call rep_ret_sub
.ret3b:
    CHECK bx, .ret3b, "rep ret returns"

;--- RET imm16: pops IP, then SP += imm16
    push word 0x1111
    push word 0x2222                ; two arguments
    call ret4_sub
    mov ax, sp
    CHECK ax, [0x20], "ret 4 drops the arguments"

;--- JMP far direct (EA): CS changes, IP = the offset
    jmp ALIAS_SEG:ALIAS(far_code1)
.back1:
    CHECK ax, ALIAS_SEG, "jmp far ptr16:16 cs"
    CHECK bx, ALIAS(far_code1), "jmp far ptr16:16 ip"

;--- JMP far indirect (FF /5 m16:16)
    mov word [0x30], ALIAS(far_code2)
    mov word [0x32], ALIAS_SEG
    jmp far [0x30]
.back2:
    CHECK ax, ALIAS_SEG, "jmp far m16:16 cs"
    CHECK bx, ALIAS(far_code2), "jmp far m16:16 ip"

;--- CALL far direct (9A) / RETF: pushes CS then IP
    call ALIAS_SEG:ALIAS(far_sub)
.ret5:
    CHECK ax, ROM_SEG, "call far pushed cs"
    CHECK bx, .ret5, "call far pushed ip"
    CHECK cx, ALIAS_SEG, "call far new cs"
    mov dx, cs
    CHECK dx, ROM_SEG, "retf restores cs"
    mov dx, sp
    CHECK dx, [0x20], "retf restores sp"

;--- CALL far indirect (FF /3 m16:16)
    mov word [0x34], ALIAS(far_sub)
    mov word [0x36], ALIAS_SEG
    call far [0x34]
.ret6:
    CHECK ax, ROM_SEG, "call far m16:16 pushed cs"
    CHECK bx, .ret6, "call far m16:16 pushed ip"

;--- RETF imm16
    push word 0x3333                ; one argument
    call ALIAS_SEG:ALIAS(far_sub_ret2)
    mov dx, sp
    CHECK dx, [0x20], "retf 2 drops the argument"
    mov dx, cs
    CHECK dx, ROM_SEG, "retf 2 restores cs"

;--- a far return by hand: push a CS:IP and RETF to it
    push word ALIAS_SEG
    push word ALIAS(far_code3)
    retf
.back3:
    CHECK ax, ALIAS_SEG, "retf to pushed cs"

;--- 32-bit operand size: CALL pushes EIP (4 bytes), RET pops 4
    call dword near32_sub           ; 66 E8 rel32
.ret7:
    CHECK ebx, .ret7, "o32 call pushes eip"
    CHECK cx, 4, "o32 call sp - 4"
    mov ax, sp
    CHECK ax, [0x20], "o32 ret restores sp"

;--- 32-bit operand size far transfers: JMP FAR m16:32 (66 FF /5: 4-byte offset, then the
; selector), CALL FAR ptr16:32 (66 9A) pushing CS and EIP as dwords, RETF (66 CB) popping them
    mov dword [0x40], ALIAS(far_code4)
    mov word [0x44], ALIAS_SEG
    jmp dword far [0x40]
.back4:
    CHECK ax, ALIAS_SEG, "o32 jmp far m16:32 cs"
    call dword ALIAS_SEG:ALIAS(far_sub32)
.ret8:
    CHECK ebx, .ret8, "o32 call far pushed eip"
    CHECK ax, ROM_SEG, "o32 call far pushed cs (low word)"
    CHECK cx, 8, "o32 call far pushes 8 bytes"
    mov dx, sp
    CHECK dx, [0x20], "o32 retf restores sp"
;--- IP wraps at 64 KiB with a 16-bit operand size (SDM Vol.2 JMP: "IF OperandSize = 16 THEN
; EIP <- EIP AND 0000FFFFH"): code in RAM at 2000:0000 jumps back to 2000:FFF0, which jumps
; forward to 2000:0003
    push es
    push word 0x2000
    pop es
    mov byte [es:0x0000], 0xEB
    mov byte [es:0x0001], 0xEE        ; jmp short: (0002 - 12h) AND FFFFh = FFF0
    mov byte [es:0xFFF0], 0xB8
    mov word [es:0xFFF1], 0x1234      ; mov ax, 1234h
    mov byte [es:0xFFF3], 0xEB
    mov byte [es:0xFFF4], 0x0E        ; jmp short: (FFF5 + 0Eh) AND FFFFh = 0003
    mov byte [es:0x0003], 0xCB        ; retf
    pop es
    xor ax, ax
    call 0x2000:0x0000
    CHECK ax, 0x1234, "ip wraps at 64K both ways"
TEST_END

; near_sub: BX <- the pushed return address, CX <- how far SP moved
near_sub:
    mov bp, sp
    mov bx, [ss:bp]
    mov cx, [0x20]
    sub cx, sp
    ret

rep_ret_sub:
    mov bp, sp
    mov bx, [ss:bp]
    rep ret

ret4_sub:
    mov bp, sp
    CHECK word [ss:bp+2], 0x2222, "ret 4 argument"
    ret 4

near32_sub:
    mov bp, sp
    mov ebx, [ss:bp]
    mov cx, [0x20]
    sub cx, sp
    o32 ret

; far_code1/2/3 run at CS = ALIAS_SEG: report CS and IP (from a CALL to the next line) and jump
; back to F000 with a far jump.
far_code1:
    call .here                      ; relative: fine at any CS
.here:
    pop bx
    sub bx, .here - far_code1       ; the IP of far_code1 in the current CS
    mov ax, cs
    jmp ROM_SEG:start.back1

far_code2:
    call .here
.here:
    pop bx
    sub bx, .here - far_code2
    mov ax, cs
    jmp ROM_SEG:start.back2

far_code3:
    mov ax, cs
    jmp ROM_SEG:start.back3

far_code4:
    mov ax, cs
    jmp ROM_SEG:start.back4

; far_sub32: EBX <- pushed EIP, AX <- pushed CS, CX <- bytes pushed
far_sub32:
    mov bp, sp
    mov ebx, [ss:bp]
    mov ax, [ss:bp+4]
    mov cx, [0x20]
    sub cx, sp
    o32 retf

; far_sub: AX <- pushed CS, BX <- pushed IP, CX <- current CS
far_sub:
    mov bp, sp
    mov bx, [ss:bp]
    mov ax, [ss:bp+2]
    mov cx, cs
    retf

far_sub_ret2:
    retf 2
