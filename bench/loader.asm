; Benchmark loader: a 64 KiB ROM for jitpc's test machine and for qemu-system-i386 -bios.
; Reset (SDM Vol.3 9.1.4) -> flat 32-bit protected mode (SDM Vol.3 9.9.1) -> copies the guest
; payload to 1 MiB -> optionally turns on 4 KiB paging with an identity map of 16 MiB
; (SDM Vol.3 4.3) -> calls guest_entry(WORKLOAD). The payload ends the run through port 0xF4.
; Defines: WORKLOAD (kernel number), PAGING (0/1), PAYLOAD (path of the flat payload binary).

bits 16
org 0
ROM_BASE  equ 0xF0000
LOAD_ADDR equ 0x100000
PD        equ 0x80000          ; page directory; page tables follow it
STACK_TOP equ 0x90000

start:
    cli
    lgdt [cs:gdt_desc]
    mov eax, cr0
    or al, 1
    mov cr0, eax
    jmp dword 0x08:(ROM_BASE + pm32)

bits 32
pm32:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov fs, ax
    mov gs, ax
    mov esp, STACK_TOP
    cld
    mov esi, ROM_BASE + payload
    mov edi, LOAD_ADDR
    mov ecx, (payload_end - payload + 3) / 4
    rep movsd
%if PAGING
    ; 4 page tables (16 MiB) right after the directory, present + writable (SDM Vol.3 table 4-6).
    mov edi, PD + 0x1000
    mov eax, 0x003                ; frame 0, P|W
    mov ecx, 4 * 1024
.pte:
    stosd
    add eax, 0x1000
    loop .pte
    mov edi, PD
    mov eax, PD + 0x1000 + 0x003
    mov ecx, 4
.pde:
    stosd
    add eax, 0x1000
    loop .pde
    mov eax, PD
    mov cr3, eax
    mov eax, cr0
    or eax, 0x80000000
    mov cr0, eax
%endif
    push dword WORKLOAD
    mov eax, LOAD_ADDR            ; absolute: this code runs at ROM_BASE, not at its org
    call eax
.hang:
    hlt
    jmp .hang

align 8
gdt:
    dq 0
    dq 0x00CF9A000000FFFF          ; 08: code, base 0, limit 4 GiB, 32-bit
    dq 0x00CF92000000FFFF          ; 10: data, base 0, limit 4 GiB
gdt_desc:
    dw gdt_desc - gdt - 1
    dd ROM_BASE + gdt

align 16
payload:
    incbin PAYLOAD
payload_end:

%if (payload_end - $$) > 0xFFF0
%error "payload too large for the 64 KiB ROM"
%endif
    times 0xFFF0 - ($ - $$) db 0
bits 16
    jmp 0xF000:start
    times 0x10000 - ($ - $$) db 0
