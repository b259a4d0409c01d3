; pm_exceptions: exceptions and INT n through interrupt and trap gates; the frame, error codes
; and pushed EIP (fault vs trap); stack switch through the TSS; double fault; IRET forms.
;
; SDM Vol.3 6.5: a fault pushes the EIP of the faulting instruction, a trap that of the next one.
; Table 6-1: #DE(0) fault, #DB(1) trap for single-step/ICEBP, #BP(3) and #OF(4) traps, #BR(5),
; #UD(6), #NM(7) faults; #DF(8) abort with error code 0; #TS(10) #NP(11) #SS(12) #GP(13) with
; error codes; #AC(17) fault with error code 0.
; SDM Vol.3 6.12.1: an interrupt gate clears IF, a trap gate leaves it; both clear TF, VM, RF, NT.
; To a more privileged level the handler runs on the TSS stack and the frame is SS ESP EFLAGS CS
; EIP [error]; at the same level EFLAGS CS EIP [error] on the current stack.
; SDM Vol.2 INT n: a software INT through a gate with DPL < CPL is #GP(vector*8+2) (IDT bit);
; a not-present gate #NP(vector*8+2), +1 (EXT) when the event is an exception (SDM Vol.3 6.13).
; SDM Vol.3 6.15 table 6-5: a contributory exception (#GP) while delivering a contributory one
; (#GP) is a double fault (#DF, error code 0).
%include "pm.inc"

PM_BEGIN "pm_exceptions"
;--- #DE: fault, EIP at the DIV
    PM_ARM .de_r
    xor ecx, ecx
.de_f:
    div ecx
.de_r:
    PM_EXPECT EXC_DE, NOERR, .de_f, "#DE"
;--- INT3, INT 3, INTO: traps
    PM_ARM .bp_r
    int3
.bp_n:
    PFAIL "bp: resumed at the pushed EIP instead of the resume point"
.bp_r:
    PM_EXPECT EXC_BP, NOERR, .bp_n, "int3 is a trap"
    PM_ARM .of_r
    mov al, 0x7F
    add al, 1                           ; OF=1
    into
.of_n:
    PFAIL "of: resumed at the pushed EIP instead of the resume point"
.of_r:
    PM_EXPECT EXC_OF, NOERR, .of_n, "into is a trap"
;--- BOUND, UD2: faults
    mov dword [pm_var0], 0
    mov dword [pm_var0 + 4], 10
    mov eax, 11
    PM_ARM .br_r
.br_f:
    bound eax, [pm_var0]
.br_r:
    PM_EXPECT EXC_BR, NOERR, .br_f, "#BR"
    PM_ARM .ud_r
.ud_f:
    ud2
.ud_r:
    PM_EXPECT EXC_UD, NOERR, .ud_f, "#UD"
;--- #NM: CR0.EM and an x87 instruction (SDM Vol.3 2.5 table 2-2)
    mov eax, cr0
    or eax, 4
    mov cr0, eax
    PM_ARM .nm_r
.nm_f:
    fnop
.nm_r:
    mov eax, cr0
    and eax, ~4
    mov cr0, eax
    PM_EXPECT EXC_NM, NOERR, .nm_f, "#NM"
;--- ICEBP (F1): #DB trap
    PM_ARM .db_r
    db 0xF1
.db_n:
    PFAIL "db: resumed at the pushed EIP instead of the resume point"
.db_r:
    PM_EXPECT EXC_DB, NOERR, .db_n, "icebp"
;--- single step: TF set by POPFD traps after the next instruction (SDM Vol.3 17.3.1.4)
    PM_ARM .ss_r
    pushfd
    or dword [esp], F_TF
    popfd
    nop                                 ; the trap comes after this one
.ss_n:
    PFAIL "ss: resumed at the pushed EIP instead of the resume point"
.ss_r:
    PM_EXPECT EXC_DB, NOERR, .ss_n, "single step"
    mov eax, [exc_eflags]
    and eax, F_TF | F_IF | F_FIXED
    PCHECK eax, F_FIXED | F_TF, "single step: pushed EFLAGS has TF"
    mov eax, [exc_heflags]
    and eax, F_TF | F_IF | F_FIXED
    PCHECK eax, F_FIXED, "handler runs with TF cleared"
    pushfd
    and dword [esp], ~F_TF
    popfd

;--- the same-level frame: EFLAGS CS EIP on the current stack; interrupt vs trap gate IF
    SETIDT 0x40, pm_stubs + 0x40 * 16, ACC_INT32
    SETIDT 0x41, pm_stubs + 0x41 * 16, ACC_TRAP32
    PM_ARM .i40_r
    sti
    int 0x40
.i40_n:
    PFAIL "i40: resumed at the pushed EIP instead of the resume point"
.i40_r:
    cli
    PM_EXPECT 0x40, NOERR, .i40_n, "int 40h"
    PCHECK dword [exc_cs], SEL_CODE32, "int 40h pushed CS"
    mov eax, [exc_eflags]
    and eax, F_TF | F_IF | F_FIXED
    PCHECK eax, F_FIXED | F_IF, "int 40h pushed EFLAGS"
    PCHECK dword [exc_hesp], STACK0_TOP - 12, "same level: 3 dwords on the current stack"
    mov eax, [exc_heflags]
    and eax, F_TF | F_IF | F_FIXED
    PCHECK eax, F_FIXED, "interrupt gate clears IF"
    PM_ARM .i41_r
    sti
    int 0x41
.i41_n:
    PFAIL "i41: resumed at the pushed EIP instead of the resume point"
.i41_r:
    cli
    PM_EXPECT 0x41, NOERR, .i41_n, "int 41h"
    mov eax, [exc_heflags]
    and eax, F_TF | F_IF | F_FIXED
    PCHECK eax, F_FIXED | F_IF, "trap gate keeps IF"

;--- a not-present gate: INT n -> #NP(vector*8+2); for an exception EXT is set too
    SETIDT 0x42, pm_stubs + 0x42 * 16, ACC_INT32 & 0x7F
    PM_ARM .np_r
.np_f:
    int 0x42
.np_r:
    PM_EXPECT EXC_NP, 0x42 * 8 + 2, .np_f, "int to a not-present gate"
    SETIDT EXC_UD, pm_stubs + EXC_UD * 16, ACC_INT32 & 0x7F
    PM_ARM .np2_r
.np2_f:
    ud2
.np2_r:
    RESETIDT EXC_UD
    PM_EXPECT EXC_NP, EXC_UD * 8 + 2 + 1, .np2_f, "#UD through a not-present gate: EXT=1"
;--- beyond the IDT limit: #GP(vector*8+2)
    mov word [pm_var0], 0x40 * 8 - 1
    mov dword [pm_var0 + 2], IDT_BASE
    lidt [pm_var0]
    PM_ARM .lim_r
.lim_f:
    int 0x40
.lim_r:
    lidt [cs:pm_idtr]
    PM_EXPECT EXC_GP, 0x40 * 8 + 2, .lim_f, "int beyond the idt limit"

;--- double fault: #GP whose gate is not present -> #NP while delivering #GP -> #DF(0)
    SETIDT EXC_GP, pm_stubs + EXC_GP * 16, ACC_INT32 & 0x7F
    PM_ARM .df_r
    mov ax, 0x800
    mov ds, ax                          ; #GP(0x800), then #NP(13*8+2+1), then #DF
.df_r:
    mov ax, SEL_DATA32
    mov ds, ax
    RESETIDT EXC_GP
    mov dword [exc_resume], 0
    PCHECK dword [exc_count], 1, "double fault count"
    PCHECK dword [exc_vec], EXC_DF, "double fault vector"
    PCHECK dword [exc_err], 0, "double fault error code 0"

;--- 16-bit interrupt gate: FLAGS CS IP as words, handler in 16-bit code, IRET (16-bit)
    SETGATE IDT_BASE + 0x43 * 8, SEL_CODE16, handler16, 0x86, 0
    mov ebx, esp
    int 0x43
.i43_n:
    mov eax, esp
    PCHECK eax, ebx, "16-bit iret restored esp"
    PCHECK word [pm_var0], .i43_n, "16-bit gate pushed IP"
    PCHECK word [pm_var0 + 2], SEL_CODE32, "16-bit gate pushed CS"
    PCHECK dword [pm_var0 + 4], STACK0_TOP - 6, "16-bit gate: 3 words"

;--- from ring 3: stack switch to ss0:esp0, DPL check on software INT, #AC
    SETIDT 0x44, pm_stubs + 0x44 * 16, ACC_INT32 | DPL(3)
    TO_RING3
    PM_ARM .r3_r
    int 0x44
.r3_n:
    PFAIL "r3: resumed at the pushed EIP instead of the resume point"
.r3_r:
    PM_EXPECT 0x44, NOERR, .r3_n, "int 44h from ring 3"
    PCHECK dword [exc_cs], SEL_CODE3, "ring 3: pushed CS"
    PCHECK dword [exc_esp], STACK3_TOP, "ring 3: pushed ESP"
    PCHECK dword [exc_ss], SEL_DATA3, "ring 3: pushed SS"
    PCHECK dword [exc_hesp], STACK0_TOP - 20, "ring 3: frame of 5 dwords on the esp0 stack"
    PCHECK dword [exc_hss], SEL_DATA32, "ring 3: handler SS = ss0"
    PCHECK dword [exc_hcpl], SEL_CODE32, "ring 3: handler CS"
    PM_ARM .r3b_r
.r3b_f:
    int 0x40                            ; gate DPL 0 < CPL 3
.r3b_r:
    PM_EXPECT EXC_GP, 0x40 * 8 + 2, .r3b_f, "int through a dpl-0 gate from ring 3"
    PM_ARM .r3c_r
.r3c_f:
    ud2                                 ; exceptions ignore the gate DPL
.r3c_r:
    PM_EXPECT EXC_UD, NOERR, .r3c_f, "exception from ring 3 through a dpl-0 gate"
    TO_RING0

;--- #AC: CR0.AM, EFLAGS.AC, CPL 3, a misaligned access (SDM Vol.3 6.15 interrupt 17)
    mov eax, cr0
    or eax, CR0_AM_BIT
    mov cr0, eax
    TO_RING3
    pushfd
    or dword [esp], F_AC
    popfd
    PM_ARM .ac_r
.ac_f:
    mov eax, [0x10001]
.ac_r:
    PM_EXPECT EXC_AC, 0, .ac_f, "#AC"
    pushfd
    and dword [esp], ~F_AC
    popfd
    TO_RING0
    mov eax, cr0
    and eax, ~CR0_AM_BIT
    mov cr0, eax

;--- IRET at CPL 0 changes IOPL and IF; IRET to ring 3 cannot change IOPL from ring 3 (POPFD)
    pushfd
    or dword [esp], 0x3000
    popfd
    PCHECKF 0x3000, 0x3000, "popfd at cpl 0 sets IOPL"
    TO_RING3
    pushfd
    and dword [esp], ~0x3000
    popfd
    PCHECKF 0x3000, 0x3000, "popfd at cpl 3 leaves IOPL"
    cli                                 ; IOPL 3: allowed at CPL 3
    TO_RING0
    pushfd
    and dword [esp], ~0x3000
    popfd
PM_END

bits 16
handler16:                              ; 16-bit code; SS is 32-bit: address it with EBP
    push ebp
    mov ebp, esp
    push eax
    mov ax, [ebp + 4]
    mov [pm_var0], ax
    mov ax, [ebp + 6]
    mov [pm_var0 + 2], ax
    lea eax, [ebp + 4]
    mov [pm_var0 + 4], eax
    pop eax
    pop ebp
    iret
bits 32
