; pm_task: hardware task switching (SDM Vol.3 chapter 7).
;
; SDM Vol.3 7.3 (task switch steps): a CALL (or an INT through a task gate) to an available TSS
; saves the current state into the current TSS (EIP = the next instruction), sets the new TSS
; busy, writes the old TR into the new TSS's previous-task link and sets NT in the new EFLAGS;
; a JMP clears the old task's busy bit and sets neither link nor NT; every switch sets CR0.TS.
; IRET with NT=1 returns to the task in the link, clearing the busy bit of the task it leaves
; and storing EFLAGS with NT=0 in its TSS (7.4). Table 7-1: a new TSS whose limit is below 67h
; (32-bit) -> #TS(new TSS selector); SDM Vol.2 JMP/CALL: a busy TSS -> #GP(TSS selector).
; Figure 7-2 (32-bit TSS): 0 link, 4 esp0, 8 ss0, 1C CR3, 20 EIP, 24 EFLAGS, 28-44 EAX ECX EDX
; EBX ESP EBP ESI EDI, 48-5C ES CS SS DS FS GS, 60 LDT, 66 I/O map base.
; Figure 7-11 (16-bit TSS): 0 link, 0E IP, 10 FLAGS, 12-20 AX CX DX BX SP BP SI DI, 22-28 ES CS
; SS DS, 2A LDT.
%include "pm.inc"

%define TSSA        0x6000
%define TSSB        0x6800
%define SEL_TSSA    0x60
%define SEL_TSSB    0x68        ; 16-bit TSS
%define SEL_TGATE   0x70        ; task gate -> SEL_TSSA
%define SEL_TSSBAD  0x78        ; 32-bit TSS with limit 0x60

PM_BEGIN "pm_task"
    SETDESC SEL_TSSA, TSSA, 0x67, ACC_TSS32, 0
    SETDESC SEL_TSSB, TSSB, 0x2B, ACC_TSS16, 0
    mov dword [GDT_BASE + SEL_TGATE], SEL_TSSA << 16
    mov dword [GDT_BASE + SEL_TGATE + 4], ACC_TASK << 8
    SETDESC SEL_TSSBAD, 0x6400, 0x60, ACC_TSS32, 0
    ; task A's initial state
    mov dword [TSSA + 0x20], task_a
    mov dword [TSSA + 0x24], F_FIXED
    mov dword [TSSA + 0x28], 0xA0000001
    mov dword [TSSA + 0x2C], 0xA0000002
    mov dword [TSSA + 0x30], 0xA0000003
    mov dword [TSSA + 0x34], 0xA0000004
    mov dword [TSSA + 0x38], 0x7C000
    mov dword [TSSA + 0x3C], 0xA0000006
    mov dword [TSSA + 0x40], 0xA0000007
    mov dword [TSSA + 0x44], 0xA0000008
    mov dword [TSSA + 0x48], SEL_DATA32
    mov dword [TSSA + 0x4C], SEL_CODE32
    mov dword [TSSA + 0x50], SEL_DATA32
    mov dword [TSSA + 0x54], SEL_DATA32
    mov dword [TSSA + 0x58], SEL_DATA16
    mov dword [TSSA + 0x5C], 0
    mov word [TSSA + 0x66], 0x68       ; no I/O bitmap (beyond the limit)
    ; task B (16-bit TSS)
    mov word [TSSB + 0x0E], task_b
    mov word [TSSB + 0x10], F_FIXED
    mov word [TSSB + 0x12], 0xB001
    mov word [TSSB + 0x14], 0xB002
    mov word [TSSB + 0x16], 0xB003
    mov word [TSSB + 0x18], 0xB004
    mov word [TSSB + 0x1A], 0xC000
    mov word [TSSB + 0x1C], 0xB006
    mov word [TSSB + 0x1E], 0xB007
    mov word [TSSB + 0x20], 0xB008
    mov word [TSSB + 0x22], SEL_DATA32
    mov word [TSSB + 0x24], SEL_CODE32
    mov word [TSSB + 0x26], SEL_DATA32
    mov word [TSSB + 0x28], SEL_DATA32

;--- CALL to a TSS, IRET back: every register of the caller restored
    mov ax, SEL_DATA16
    mov fs, ax
    mov ax, SEL_DATA32
    mov gs, ax
    mov eax, 0x11111111
    mov ecx, 0x22222222
    mov edx, 0x33333333
    mov ebx, 0x44444444
    mov ebp, 0x66666666
    mov esi, 0x77777777
    mov edi, 0x88888888
    push dword F_FIXED | F_CF | F_ZF
    popfd
    call SEL_TSSA:0
.back1:
    pushfd
    PCHECK dword [esp], F_FIXED | F_CF | F_ZF, "caller EFLAGS restored (NT clear)"
    add esp, 4
    PCHECK eax, 0x11111111, "eax restored"
    PCHECK ecx, 0x22222222, "ecx restored"
    PCHECK edx, 0x33333333, "edx restored"
    PCHECK ebx, 0x44444444, "ebx restored"
    PCHECK ebp, 0x66666666, "ebp restored"
    PCHECK esi, 0x77777777, "esi restored"
    PCHECK edi, 0x88888888, "edi restored"
    mov eax, esp
    PCHECK eax, STACK0_TOP, "esp restored"
    PCHECKS fs, SEL_DATA16, "fs restored"
    PCHECKS gs, SEL_DATA32, "gs restored"
    PCHECKS ss, SEL_DATA32, "ss restored"
    PCHECKS ds, SEL_DATA32, "ds restored"
    str ax
    PCHECK ax, SEL_TSS, "tr back to the main task"
    PCHECK dword [pm_var0], 0x600DF00D, "task A ran its checks"
    PCHECK dword [TSS_BASE + 0x20], .back1, "main TSS saved EIP = after the call"
    PCHECK byte [GDT_BASE + SEL_TSSA + 5], ACC_TSS32, "task A not busy after its iret"
    PCHECK byte [GDT_BASE + SEL_TSS + 5], ACC_TSS32 | 2, "main task busy"
    PCHECK dword [TSSA + 0x20], task_a.after_iret, "task A saved EIP = after its iret"
    PCHECK dword [TSSA + 0x28], 0xAAAA0001, "task A saved its eax"
    mov eax, [TSSA + 0x24]
    and eax, F_NT
    PCHECK eax, 0, "iret saved task A's EFLAGS with NT=0"
    mov eax, cr0
    and eax, 8
    PCHECK eax, 8, "a task switch sets CR0.TS"
    clts
    mov eax, cr0
    and eax, 8
    PCHECK eax, 0, "clts"

;--- JMP to the TSS: task A continues after its IRET; it JMPs back
    jmp SEL_TSSA:0
.back2:
    PCHECK dword [pm_var0], 0x600D0002, "task A ran after the jmp"
    PCHECK byte [GDT_BASE + SEL_TSSA + 5], ACC_TSS32, "jmp back cleared task A's busy bit"

;--- CALL through a task gate
    call SEL_TGATE:0
    PCHECK dword [pm_var0], 0x600D0003, "task A ran through the task gate"

;--- a 16-bit TSS
    mov eax, 0x12345678
    call SEL_TSSB:0
    PCHECK eax, 0x12345678, "eax restored after the 16-bit task"
    PCHECK dword [pm_var0], 0x600D0016, "task B ran"
    PCHECK word [TSSB + 0x12], 0xBBB1, "16-bit TSS saved ax"
    PCHECK word [TSSB + 0x00], SEL_TSS, "16-bit TSS back link"
    clts

;--- faults: a busy TSS, a TSS limit below 67h
    PM_ARM .f1_r
.f1_f:
    jmp SEL_TSS:0
.f1_r:
    PM_EXPECT EXC_GP, SEL_TSS, .f1_f, "jmp to the busy current TSS"
    PM_ARM .f2_r
.f2_f:
    call SEL_TSSBAD:0
.f2_r:
    PM_EXPECT EXC_TS, SEL_TSSBAD, .f2_f, "TSS limit below 67h"
    str ax
    PCHECK ax, SEL_TSS, "the failed switch left TR"
PM_END

task_a:
    PCHECK eax, 0xA0000001, "task A eax from its TSS"
    PCHECK ecx, 0xA0000002, "task A ecx"
    PCHECK edx, 0xA0000003, "task A edx"
    PCHECK ebx, 0xA0000004, "task A ebx"
    PCHECK ebp, 0xA0000006, "task A ebp"
    PCHECK esi, 0xA0000007, "task A esi"
    PCHECK edi, 0xA0000008, "task A edi"
    mov eax, esp
    PCHECK eax, 0x7C000, "task A esp"
    PCHECKS fs, SEL_DATA16, "task A fs"
    PCHECKS gs, 0, "task A gs"
    PCHECKF F_NT, F_NT, "CALL sets NT in the new task"
    PCHECK word [TSSA], SEL_TSS, "back link = the caller's TSS"
    PCHECK byte [GDT_BASE + SEL_TSSA + 5], ACC_TSS32 | 2, "new task busy"
    PCHECK byte [GDT_BASE + SEL_TSS + 5], ACC_TSS32 | 2, "calling task stays busy"
    str ax
    PCHECK ax, SEL_TSSA, "tr = task A"
    mov dword [pm_var0], 0x600DF00D
    mov eax, 0xAAAA0001
    iretd
.after_iret:                            ; reached by the JMP
    PCHECKF F_NT, 0, "JMP does not set NT"
    PCHECK byte [GDT_BASE + SEL_TSS + 5], ACC_TSS32, "JMP cleared the old task's busy bit"
    mov dword [pm_var0], 0x600D0002
    jmp SEL_TSS:0
    ; reached by the CALL through the task gate
    PCHECKF F_NT, F_NT, "task gate CALL sets NT"
    mov dword [pm_var0], 0x600D0003
    iretd

task_b:                                 ; a 16-bit TSS loads 16-bit registers: the upper halves are
    mov bx, sp                          ; not defined by the SDM, so only the low words are checked
    movzx esp, sp
    PCHECK ax, 0xB001, "task B ax from the 16-bit TSS"
    PCHECK di, 0xB008, "task B di"
    PCHECK bx, 0xC000, "task B sp"
    PCHECKF F_NT, F_NT, "16-bit task: NT"
    mov dword [pm_var0], 0x600D0016
    mov ax, 0xBBB1
    iretd
