; pm_callgate: far CALL/JMP/RET through call gates (SDM Vol.3 5.8, Vol.2 CALL, JMP, RET).
;
; SDM Vol.3 5.8.5 and figure 5-13: a CALL through a gate to a more privileged nonconforming
; segment switches to the stack for the new CPL from the TSS (ss0:esp0 here = SEL_DATA32:80000h)
; and pushes, in order: the caller's SS, ESP, the gate's parameter count of parameters copied
; from the caller's stack (their order unchanged: the last one pushed stays on top), CS, EIP.
; Each item is 4 bytes through a 32-bit gate, 2 through a 16-bit gate. CS.RPL becomes the CPL.
; SDM Vol.2 RET "RETURN-TO-OUTER-PRIVILEGE-LEVEL": pops EIP, CS, adds the immediate, pops ESP,
; SS, adds the immediate again (to the caller's stack), then sets ES FS GS DS to null when they
; hold a data or nonconforming code segment whose DPL < the new CPL.
; SDM Vol.2 CALL/JMP: gate DPL < CPL or < RPL -> #GP(gate selector); gate not present ->
; #NP(gate selector); JMP through a gate to a nonconforming segment with DPL != CPL ->
; #GP(code selector); a direct CALL to a nonconforming segment with DPL != CPL -> #GP(selector).
%include "pm.inc"

%define GATE32      0x60        ; 32-bit call gate, DPL 3, 3 parameters -> SEL_CODE32:cg32
%define GATE16      0x68        ; 16-bit call gate, DPL 3, 2 parameters -> SEL_CODE16:cg16
%define GATE_DPL0   0x70        ; 32-bit call gate, DPL 0 -> SEL_CODE32:cg32
%define GATE_NP     0x78        ; not present, DPL 3
%define GATE_SAME   0x80        ; DPL 0 gate -> SEL_CODE32:jmp_target (for ring-0 JMP/CALL)
%define GATE_CONF   0x88        ; DPL 3 gate -> the conforming segment: no privilege change
%define rec         0x10000     ; what the ring-0 targets record

PM_BEGIN "pm_callgate"
    SETGATE GDT_BASE + GATE32, SEL_CODE32, cg32, ACC_CALL32 | DPL(3), 3
    SETGATE GDT_BASE + GATE16, SEL_CODE16, cg16, 0x84 | DPL(3), 2
    SETGATE GDT_BASE + GATE_DPL0, SEL_CODE32, cg32, ACC_CALL32, 3
    SETGATE GDT_BASE + GATE_NP, SEL_CODE32, cg32, 0x0C | DPL(3), 3
    SETGATE GDT_BASE + GATE_SAME, SEL_CODE32, same_target, ACC_CALL32, 0
    SETGATE GDT_BASE + GATE_CONF, SEL_CODE32C, conf_target, ACC_CALL32 | DPL(3), 0

;--- ring 0: JMP and CALL through a gate to the same privilege (no stack switch, no params)
    jmp GATE_SAME:0                     ; the offset is ignored (SDM Vol.2 JMP: gate)
.jmp_back:
    PCHECK dword [rec], 0x12345678, "jmp through a gate reached the target"
    mov ebx, esp
    call GATE_SAME:0xDEAD
.call_back:
    mov eax, esp
    PCHECK eax, ebx, "same-level call gate: ret restored esp"
    PCHECK dword [rec + 4], .call_back, "same-level call gate pushed EIP"
    PCHECK dword [rec + 8], SEL_CODE32, "same-level call gate pushed CS"
    PCHECK dword [rec + 12], STACK0_TOP - 8, "same-level call gate: current stack"

;--- ring 3
    TO_RING3
    mov ax, SEL_CODE32C | 3             ; a conforming segment in FS survives the return
    mov fs, ax
    mov ax, SEL_DATA32 & 0              ; GS null
    mov gs, ax
    ; a 32-bit gate with 3 parameters
    mov ebp, esp
    push dword 0x11111111
    push dword 0x22222222
    push dword 0x33333333
    call (GATE32 | 3):0
.ret32:
    mov eax, esp
    PCHECK eax, ebp, "retf 12 to ring 3 popped the parameters from the outer stack"
    mov eax, cs
    PCHECK eax, SEL_CODE3, "back in ring 3"
    PCHECKS ds, 0, "ds (dpl 0 data loaded in ring 0) nulled by the return"
    PCHECKS es, SEL_DATA3, "es (dpl 3) kept"
    PCHECKS fs, SEL_CODE32C | 3, "fs (conforming code) kept"
    mov ax, SEL_DATA3
    mov ds, ax
    PCHECK dword [rec + 0x00], .ret32, "ring-0 stack: EIP"
    PCHECK dword [rec + 0x04], SEL_CODE3, "ring-0 stack: CS"
    PCHECK dword [rec + 0x08], 0x33333333, "ring-0 stack: parameter 3 (last pushed) on top"
    PCHECK dword [rec + 0x0C], 0x22222222, "ring-0 stack: parameter 2"
    PCHECK dword [rec + 0x10], 0x11111111, "ring-0 stack: parameter 1"
    PCHECK dword [rec + 0x14], STACK3_TOP - 12, "ring-0 stack: caller ESP"
    PCHECK dword [rec + 0x18], SEL_DATA3, "ring-0 stack: caller SS"
    PCHECK dword [rec + 0x1C], STACK0_TOP - 28, "ring-0 ESP = esp0 - 7 dwords"
    PCHECK dword [rec + 0x20], SEL_DATA32, "ring-0 SS = ss0"
    PCHECK dword [rec + 0x24], SEL_CODE32, "ring-0 CS = gate selector with RPL 0"

    ; a 16-bit gate with 2 word parameters (stack below 64 KiB: a 16-bit return loads only SP)
    mov esp, 0xFF00
    push word 0xAAAA
    push word 0xBBBB
    call (GATE16 | 3):0
.ret16:
    mov eax, esp
    PCHECK eax, 0xFF00, "16-bit gate: retf 4 popped the word parameters"
    mov ax, SEL_DATA3
    mov ds, ax
    PCHECK word [rec + 0x40], .ret16, "16-bit gate: IP"
    PCHECK word [rec + 0x42], SEL_CODE3, "16-bit gate: CS"
    PCHECK word [rec + 0x44], 0xBBBB, "16-bit gate: parameter 2 (last pushed) on top"
    PCHECK word [rec + 0x46], 0xAAAA, "16-bit gate: parameter 1"
    PCHECK word [rec + 0x48], 0xFF00 - 4, "16-bit gate: caller SP"
    PCHECK word [rec + 0x4A], SEL_DATA3, "16-bit gate: caller SS"
    PCHECK dword [rec + 0x4C], STACK0_TOP - 12, "16-bit gate: ring-0 ESP = esp0 - 6 words"
    mov esp, STACK3_TOP

    ; a gate to a conforming segment: CPL stays 3, no stack switch (SDM Vol.3 5.8.2.2)
    call (GATE_CONF | 3):0
.retc:
    PCHECK dword [rec + 0x60], SEL_CODE32C | 3, "conforming target: CS.RPL = CPL 3"
    PCHECK dword [rec + 0x64], SEL_DATA3, "conforming target: SS unchanged"
    PCHECK dword [rec + 0x68], STACK3_TOP - 8, "conforming target: same stack"

    ; faults
    PM_ARM .f1_r
.f1_f:
    call (GATE_DPL0 | 3):0
.f1_r:
    PM_EXPECT EXC_GP, GATE_DPL0, .f1_f, "gate dpl 0 < cpl 3"
    PM_ARM .f2_r
.f2_f:
    call (GATE_NP | 3):0
.f2_r:
    PM_EXPECT EXC_NP, GATE_NP, .f2_f, "not-present gate"
    PM_ARM .f3_r
.f3_f:
    jmp (GATE32 | 3):0
.f3_r:
    PM_EXPECT EXC_GP, SEL_CODE32, .f3_f, "jmp through a gate to a more privileged segment"
    PM_ARM .f4_r
.f4_f:
    call SEL_CODE32:0
.f4_r:
    PM_EXPECT EXC_GP, SEL_CODE32, .f4_f, "direct call to ring 0 code"
    PM_ARM .f5_r
.f5_f:
    call SEL_DATA3:0
.f5_r:
    PM_EXPECT EXC_GP, SEL_DATA3 & ~3, .f5_f, "call to a data segment"
    PM_ARM .f6_r
.f6_f:
    jmp 0:0
.f6_r:
    PM_EXPECT EXC_GP, 0, .f6_f, "jmp to a null selector"
    TO_RING0
PM_END

; ring-0 targets
same_target:                            ; first reached by the JMP, then by the CALL
    cmp byte [rec + 16], 0
    jne .was_call
    mov byte [rec + 16], 1
    mov dword [rec], 0x12345678
    jmp SEL_CODE32:pm_main.jmp_back
.was_call:
    mov eax, [esp]
    mov [rec + 4], eax
    movzx eax, word [esp + 4]
    mov [rec + 8], eax
    mov [rec + 12], esp
    retf

cg32:                                   ; the 32-bit gate: ring 0, ESP = esp0 - 28
    ; DS is still the caller's SEL_DATA3 (flat, DPL 3): usable at CPL 0
    mov eax, [esp + 0x00]
    mov [rec + 0x00], eax
    mov eax, [esp + 0x04]
    and eax, 0xFFFF
    mov [rec + 0x04], eax
    mov eax, [esp + 0x08]
    mov [rec + 0x08], eax
    mov eax, [esp + 0x0C]
    mov [rec + 0x0C], eax
    mov eax, [esp + 0x10]
    mov [rec + 0x10], eax
    mov eax, [esp + 0x14]
    mov [rec + 0x14], eax
    mov eax, [esp + 0x18]
    and eax, 0xFFFF
    mov [rec + 0x18], eax
    mov [rec + 0x1C], esp
    mov eax, 0
    mov ax, ss
    mov [rec + 0x20], eax
    mov ax, cs
    mov [rec + 0x24], eax
    mov ax, SEL_DATA32                  ; DPL 0 data: nulled by the return to ring 3
    mov ds, ax
    retf 12

bits 16
cg16:                                   ; the 16-bit gate: 16-bit code, ring 0
    mov ebp, esp
    mov ax, SEL_DATA32
    mov ds, ax
    mov ax, [ebp + 0]
    mov [dword rec + 0x40], ax
    mov ax, [ebp + 2]
    mov [dword rec + 0x42], ax
    mov ax, [ebp + 4]
    mov [dword rec + 0x44], ax
    mov ax, [ebp + 6]
    mov [dword rec + 0x46], ax
    mov ax, [ebp + 8]
    mov [dword rec + 0x48], ax
    mov ax, [ebp + 10]
    mov [dword rec + 0x4A], ax
    mov [dword rec + 0x4C], esp
    retf 4
bits 32

conf_target:
    push eax
    mov eax, 0
    mov ax, cs
    mov [rec + 0x60], eax
    mov ax, ss
    mov [rec + 0x64], eax
    lea eax, [esp + 4]
    mov [rec + 0x68], eax
    pop eax
    retf
