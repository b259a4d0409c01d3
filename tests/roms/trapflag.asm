; trapflag: single-stepping with EFLAGS.TF in real mode: the #DB trap (vector 1) after each
; instruction, none after the POPF that sets TF, TF cleared while the handler runs, and the
; MOV SS / POP SS shadow that delays the trap by one instruction.
;
; SDM Vol.3 17.3.1.4 "Single-Step Exception Condition": "The processor generates a single-step
; debug exception if (while an instruction is being executed) it detects that the TF flag is set
; ... The exception is a trap-class exception, because the exception is generated after the
; instruction is executed. The processor will not generate this exception after the instruction
; that sets the TF flag. For example, if the POPF instruction is used to set the TF flag, a
; single-step trap does not occur until after the instruction that follows the POPF instruction."
; Trap-class: the pushed IP is that of the next instruction (SDM Vol.3 6.5).
; SDM Vol.3 20.1.4: interrupt delivery in real mode clears TF (so the handler is not stepped).
; SDM Vol.3 6.8.3: "the processor inhibits interrupts, debug exceptions, and single-step trap
; exceptions after either a MOV to SS instruction or a POP to SS instruction, until the
; instruction boundary following the next instruction is reached."
%include "lib.inc"
%define db_count 0x520              ; number of #DB taken
%define db_stop  0x522              ; after this many, the handler clears TF in the frame
%define db_log   0x530              ; the pushed IPs, one word each
%define db_tf    0x528              ; OR of (FLAGS & TF) seen inside the handler

; DB_ARM n: reset the log; the handler stops stepping after n traps
%macro DB_ARM 1
    push ds
    push word 0
    pop ds
    mov word [1*4], db_handler
    mov word [1*4+2], ROM_SEG
    mov word [db_count], 0
    mov word [db_stop], %1
    mov word [db_tf], 0
    pop ds
%endmacro

TEST_BEGIN "trapflag"
    mov ax, SCRATCH_SEG
    mov ds, ax

;--- a straight sequence
    DB_ARM 3
    push word F_FIXED | F_TF
    popf                            ; TF=1; no trap after this one
.a: nop                             ; trap 1: IP .b
.b: mov ax, 1                       ; trap 2: IP .c
.c: add ax, 1                       ; trap 3: IP .d; the handler clears TF
.d: nop
    nop
    CHECKT db_count, 3, "three traps"
    CHECKT db_log, .b, "trap 1 after the instruction after popf"
    CHECKT db_log + 2, .c, "trap 2 ip"
    CHECKT db_log + 4, .d, "trap 3 ip"
    CHECKT db_tf, 0, "tf clear in the handler"
    CHECK ax, 2, "stepped code ran"
    CHECKF F_TF, 0, "stepping stopped"

;--- a taken jump: the pushed IP is the jump target
    DB_ARM 2
    push word F_FIXED | F_TF
    popf
.j: jmp short .t                    ; trap 1: IP .t
    nop
    nop
.t: nop                             ; trap 2: IP .u
.u: nop
    CHECKT db_count, 2, "jump: two traps"
    CHECKT db_log, .t, "jump: trap at the target"
    CHECKT db_log + 2, .u, "jump: next"

;--- MOV SS shadow: no trap between MOV SS and the next instruction
    DB_ARM 2
    mov bx, ss
    push word F_FIXED | F_TF
    popf
.m1: nop                            ; trap 1: IP .m2
.m2: mov ss, bx                     ; no trap here
.m3: nop                            ; trap 2: IP .m4
.m4: nop
    CHECKT db_count, 2, "mov ss: two traps"
    CHECKT db_log, .m2, "mov ss: trap 1"
    CHECKT db_log + 2, .m4, "mov ss: trap after the next instruction"

;--- POP SS shadow
    DB_ARM 2
    push word F_FIXED | F_TF
    popf
.p1: push ss                        ; trap 1: IP .p2
.p2: pop ss                         ; no trap here
.p3: nop                            ; trap 2: IP .p4
.p4: nop
    CHECKT db_count, 2, "pop ss: two traps"
    CHECKT db_log, .p2, "pop ss: trap 1"
    CHECKT db_log + 2, .p4, "pop ss: trap after the next instruction"
    TRAP_DISARM 1
TEST_END

; db_handler: log the pushed IP; after [db_stop] traps clear TF in the pushed FLAGS
db_handler:
    push bp
    mov bp, sp                      ; [bp+2] IP, [bp+4] CS, [bp+6] FLAGS
    push ds
    push ax
    push bx
    push word 0
    pop ds
    pushf
    pop ax
    and ax, F_TF
    or [db_tf], ax
    mov bx, [db_count]
    cmp bx, 8
    jae .full
    shl bx, 1
    mov ax, [bp+2]
    mov [db_log + bx], ax
.full:
    inc word [db_count]
    mov ax, [db_count]
    cmp ax, [db_stop]
    jb .keep
    and word [bp+6], ~F_TF
.keep:
    pop bx
    pop ax
    pop ds
    pop bp
    iret
