; enter: ENTER and LEAVE with nesting levels 0, 1, 3 and 33 (taken MOD 32), and the 32-bit
; operand size forms, on the real-mode 16-bit stack.
;
; SDM Vol.2 ENTER (operand size 16, stack size 16):
;   AllocSize <- imm16; NestingLevel <- imm8 MOD 32;
;   Push(BP); FrameTemp <- SP;
;   IF NestingLevel = 0 THEN GOTO CONTINUE;
;   IF NestingLevel > 1 THEN FOR i <- 1 TO NestingLevel - 1: BP <- BP - 2; Push([SS:BP]);
;   Push(FrameTemp);
;   CONTINUE: BP <- FrameTemp; SP <- SP - AllocSize.
; Operand size 32: Push(EBP), FrameTemp <- ESP, EBP <- FrameTemp, SP <- SP - AllocSize.
; SDM Vol.2 LEAVE: SP <- BP (16-bit stack); BP <- Pop() (EBP <- Pop() with operand size 32).
%include "lib.inc"
TEST_BEGIN "enter"
    mov ax, STACK_SEG
    mov ds, ax                      ; DS = SS to look at the stack
    movzx esp, sp

;--- level 0
    mov bp, 0x1234
    enter 8, 0                      ; push BP at FFEE; BP = FFEE; SP = FFEE - 8 = FFE6
    mov ax, sp
    CHECK ax, STACK_TOP - 10, "enter 8,0 sp"
    CHECK bp, STACK_TOP - 2, "enter 8,0 bp"
    CHECK word [STACK_TOP - 2], 0x1234, "enter 8,0 saved bp"
    leave                           ; SP = FFEE; BP = 1234; SP = FFF0
    mov ax, sp
    CHECK ax, STACK_TOP, "leave sp"
    CHECK bp, 0x1234, "leave bp"

;--- level 1: also pushes FrameTemp
    enter 4, 1                      ; push BP at FFEE; FrameTemp = FFEE; push FFEE at FFEC;
    mov ax, sp                      ; BP = FFEE; SP = FFEC - 4 = FFE8
    CHECK ax, STACK_TOP - 8, "enter 4,1 sp"
    CHECK bp, STACK_TOP - 2, "enter 4,1 bp"
    CHECK word [STACK_TOP - 4], STACK_TOP - 2, "enter 4,1 frame pointer"
    leave
    CHECK bp, 0x1234, "enter 4,1 leave bp"

;--- level 3: copies two display entries from the enclosing frame at BP
    mov word [0x7FFE], 0xAAAA       ; the enclosing frame's display: [BP-2], [BP-4]
    mov word [0x7FFC], 0xBBBB
    mov bp, 0x8000
    enter 6, 3
    ; push BP (8000) at FFEE, FrameTemp = FFEE;
    ; i=1: BP = 7FFE, push [7FFE] = AAAA at FFEC; i=2: BP = 7FFC, push BBBB at FFEA;
    ; push FrameTemp FFEE at FFE8; BP = FFEE; SP = FFE8 - 6 = FFE2
    mov ax, sp
    CHECK ax, STACK_TOP - 14, "enter 6,3 sp"
    CHECK bp, STACK_TOP - 2, "enter 6,3 bp"
    CHECK word [STACK_TOP - 2], 0x8000, "enter 6,3 saved bp"
    CHECK word [STACK_TOP - 4], 0xAAAA, "enter 6,3 display 1"
    CHECK word [STACK_TOP - 6], 0xBBBB, "enter 6,3 display 2"
    CHECK word [STACK_TOP - 8], STACK_TOP - 2, "enter 6,3 frame pointer"
    leave
    CHECK bp, 0x8000, "enter 6,3 leave bp"
    mov ax, sp
    CHECK ax, STACK_TOP, "enter 6,3 leave sp"

;--- level 33 = 33 MOD 32 = 1
    mov bp, 0x4321
    enter 0, 33                     ; as level 1 with AllocSize 0: SP = FFEC
    mov ax, sp
    CHECK ax, STACK_TOP - 4, "enter 0,33 sp"
    CHECK word [STACK_TOP - 4], STACK_TOP - 2, "enter 0,33 frame pointer"
    leave
    CHECK bp, 0x4321, "enter 0,33 leave bp"

;--- a big allocation
    enter 0x1000, 0
    mov ax, sp
    CHECK ax, STACK_TOP - 2 - 0x1000, "enter 1000h,0 sp"
    leave

;--- nested procedures, the way a Pascal compiler uses ENTER: outer at level 1, inner at 2
    mov bp, 0x5555
    enter 2, 1                      ; outer: BP = FFEE, display [FFEC] = FFEE, SP = FFEA
    mov word [bp-4], 0x0BEE         ; outer's local at [BP-4] = FFEA
    mov si, bp                      ; remember outer's BP
    enter 0, 2                      ; inner: push BP (FFEE) at FFE8; FrameTemp = FFE8;
    ; i=1: BP = FFEC, push [FFEC] = FFEE (outer's frame) at FFE6; push FFE8 at FFE4;
    ; BP = FFE8; SP = FFE4
    CHECK bp, STACK_TOP - 8, "nested inner bp"
    CHECK word [bp-2], STACK_TOP - 2, "nested display: outer frame"
    CHECK word [bp-4], STACK_TOP - 8, "nested display: own frame"
    mov bx, [bp-2]                  ; reach outer's local through the display
    CHECK word [bx-4], 0x0BEE, "nested: outer's local through the display"
    leave
    CHECK bp, si, "nested inner leave"
    leave
    CHECK bp, 0x5555, "nested outer leave"

;--- 32-bit operand size: pushes EBP, EBP <- ESP
    mov ebp, 0x12345678
    o32 enter 8, 0                  ; push EBP at FFEC..FFEF; EBP = 0000FFEC; SP = FFE4
    mov ax, sp
    CHECK ax, STACK_TOP - 12, "o32 enter sp"
    CHECK ebp, STACK_TOP - 4, "o32 enter ebp"
    CHECK dword [STACK_TOP - 4], 0x12345678, "o32 enter saved ebp"
    o32 leave                       ; SP = BP = FFEC; EBP = Pop() (4 bytes); SP = FFF0
    CHECK ebp, 0x12345678, "o32 leave ebp"
    mov ax, sp
    CHECK ax, STACK_TOP, "o32 leave sp"
TEST_END
