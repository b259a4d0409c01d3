; pm_unreal: the descriptor cache outlives the mode switch ("unreal mode").
;
; SDM Vol.3 3.4.3: the hidden part of a segment register (base, limit, attributes) is loaded only
; by a segment load; SDM Vol.3 9.9.2 (switching back to real-address mode) and 20.1.1: in real
; mode a segment load changes only the selector and base (selector * 16), so a 4 GiB limit loaded
; in protected mode stays, and a 32-bit offset above 1 MiB through DS works. A segment whose
; cache holds a 64 KiB limit still faults (#GP, real-mode vector 13) beyond FFFFh.
%include "pm.inc"

PM_BEGIN "pm_unreal"
    mov ax, SEL_DATA32                  ; DS ES: base 0, limit 4 GiB
    mov ds, ax
    mov es, ax
    mov ax, SEL_DATA16                  ; FS GS SS: limit FFFFh
    mov fs, ax
    mov gs, ax
    jmp SEL_CODE16:.pm16
bits 16
.pm16:
    mov ax, SEL_DATA16
    mov ss, ax
    mov eax, cr0
    and eax, ~1
    mov cr0, eax
    jmp ROM_SEG:.real
.real:
    mov ax, STACK_SEG
    mov ss, ax
    mov sp, STACK_TOP
    xor ax, ax
    mov ds, ax                          ; real-mode load: base 0, the 4 GiB limit stays
    mov gs, ax
    o32 lidt [cs:.ivt]
    mov dword [dword 0x200000], 0x5EC0DE42
    mov ebx, 0x200000
    CHECK dword [ebx], 0x5EC0DE42, "unreal: 32-bit offset above 1 MiB through ds"
    CHECK dword [es:ebx], 0x5EC0DE42, "unreal: es keeps the 4 GiB limit too"
    TRAP_ARM 13, .gs_r
.gs_f:
    mov eax, [gs:ebx]                   ; GS: limit FFFFh
.gs_r:
    CHECKT trap_count, 1, "gs with a 64 KiB limit: #GP"
    CHECKT trap_ip, .gs_f, "the #GP points at the access"
    ; CS came from SEL_CODE16 (execute/read) and was reloaded by the real-mode far jump: real
    ; mode makes no type checks (SDM Vol.3 20.1), so a write through a CS override does not
    ; fault (the FreeDOS kernel relies on it; QEMU and Bochs agree). The ROM drops the write.
    TRAP_ARM 13, .cs_r
    mov al, [cs:.ivt]
    mov [cs:.ivt], al
.cs_r:
    CHECKT trap_count, 0, "a write through cs in real mode does not fault"
    TEST_END
.ivt: dw 0x3FF
      dd 0
