; pm_segflat: a data segment register that stops being flat in the middle of hot code.
;
; SDM Vol.3 5.3: a data access beyond the limit of its segment raises #GP(0) (#SS(0) through
; SS). Here DS or ES is flat (base 0, limit 4 GiB) when the code runs, and the code itself loads
; a 64 KiB segment into it (MOV, POP, LDS/LES) and then reads above 64 KiB through it: that read
; must fault. Each case runs 20 times, so a JIT translates it (from its 8th run); jitpc's JIT
; leaves out the segment checks of DS, ES and SS while all three are flat, so this is what its
; block boundaries after segment loads must get right. Expected values: the SDM, and the host CPU
; through kvmrun (pm-kvm).
%include "pm.inc"

%define COUNT   pm_var0
%define FARPTR  pm_var0 + 8             ; offset 0, selector SEL_DATA16 (for LDS/LES)

; POP DS of the selector in AX
%macro POP_DS_AX 0
    push eax
    pop ds
%endmacro

; FLAT_CASE {load}, {access}, "what": DS = ES = flat, then load; access; -> #GP(0) at the access
%macro FLAT_CASE 3
    mov dword [COUNT], 20
%%again:
    mov ax, SEL_DATA32
    mov ds, ax
    mov es, ax
    PM_ARM %%resume
    mov ax, SEL_DATA16
    mov ebx, 0x20000
    %1
%%fault:
    %2
    mov ax, SEL_DATA32
    mov ds, ax
    PFAIL %3
%%resume:
    mov ax, SEL_DATA32
    mov ds, ax
    mov es, ax
    PM_EXPECT EXC_GP, 0, %%fault, %3
    dec dword [COUNT]
    jnz %%again
%endmacro

PM_BEGIN "pm_segflat"
    mov dword [FARPTR], 0
    mov dword [FARPTR + 4], SEL_DATA16
    mov dword [0x20000], 0x12345678

    FLAT_CASE {mov ds, ax}, {mov ecx, [ebx]}, "mov ds, 64 KiB segment; read at 20000h through ds"
    FLAT_CASE {mov es, ax}, {mov ecx, [es:ebx]}, "mov es, 64 KiB segment; read at 20000h through es"
    FLAT_CASE {mov es, ax}, {mov dword [es:ebx], 1}, "mov es, 64 KiB segment; write at 20000h through es"
    FLAT_CASE {POP_DS_AX}, {add ecx, [ebx]}, "pop ds; add from 20000h through ds"
    FLAT_CASE {lds ecx, [FARPTR]}, {mov ecx, [ebx]}, "lds; read at 20000h through ds"
    FLAT_CASE {les ecx, [FARPTR]}, {inc dword [es:ebx]}, "les; inc at 20000h through es"

    ; and back to flat: the same read then works (no fault), also 20 times
    mov dword [COUNT], 20
.flat_again:
    mov ax, SEL_DATA16
    mov ds, ax
    mov ax, SEL_DATA32
    mov ds, ax
    mov ecx, [0x20000]
    PCHECK ecx, 0x12345678, "flat again: read at 20000h"
    dec dword [COUNT]
    jnz .flat_again
    PM_END
