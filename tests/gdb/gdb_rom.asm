; gdb_rom: the guest that tests/gdb/gdbstub_test.py debugs through jitpc's GDB stub. Not a
; self-checking ROM: the debugger checks it. The addresses the test uses are fixed here:
;   linear 0xF0100  bp_real:  real mode, EAX=12345678h EBX=CAFEBABEh; then NOP (1 byte),
;                   MOV ECX,11111111h (6), MOV WORD [500h],0BEEFh (6), MOV DX,[504h] (4)
;   linear 0xF0400  bp_paged: 32-bit protected mode, paging on (CR3=100000h, CR4.PSE): virtual
;                   400000h-40FFFFh -> physical 200000h, virtual 800000h-BFFFFFh (a 4 MiB
;                   page) -> physical 0; [virtual 400010h] = A5A5A5A5h; then
;                   MOV DWORD [400020h],5A5A5A5Ah
;   linear 0xF0500  bp_fpu:   after FNINIT, FLDPI (ST0 = pi, TOP = 7)
;   linear 0xF0600  spin:     waits for a non-zero byte at virtual 800600h (physical 600h) and
;                   exits (port 0xF4) with it as the status
; The code segment in protected mode is flat (base 0), so there EIP = linear address.
bits 16
org 0

start:
    cli
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov sp, 0x7000
    mov eax, 0x12345678
    mov ebx, 0xCAFEBABE
    times 0x100-($-$$) nop
bp_real:
    nop
    mov ecx, 0x11111111
    mov word [0x500], 0xBEEF
    mov dx, [0x504]
    o32 lgdt [cs:gdt_desc]
    mov eax, cr0
    or al, 1
    mov cr0, eax
    jmp dword 0x08:(0xF0000 + pm32)

bits 32
pm32:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov fs, ax
    mov gs, ax
    mov esp, 0x7000
    mov dword [0x200010], 0xA5A5A5A5
    cld
    mov edi, 0x101000               ; PT0: identity map of 0-4 MiB
    mov eax, 0x003
    mov ecx, 1024
.pt0:
    stosd
    add eax, 0x1000
    loop .pt0
    mov edi, 0x102000               ; PT1: 400000h + n*4K -> 200000h + n*4K, 16 pages
    mov eax, 0x200003
    mov ecx, 16
.pt1:
    stosd
    add eax, 0x1000
    loop .pt1
    mov dword [0x100000], 0x101003
    mov dword [0x100004], 0x102003
    mov dword [0x100008], 0x000083  ; PS: 4 MiB page at 800000h -> physical 0
    mov eax, 0x100000
    mov cr3, eax
    mov eax, cr4
    or eax, 0x10                    ; CR4.PSE
    mov cr4, eax
    mov eax, cr0
    or eax, 0x80000000              ; CR0.PG
    mov cr0, eax
    jmp .flush
.flush:
    times 0x400-($-$$) nop
bp_paged:
    mov dword [0x400020], 0x5A5A5A5A
    fninit
    fldpi
    times 0x500-($-$$) nop
bp_fpu:
    nop
    times 0x600-($-$$) nop
spin:
    cmp byte [0x800600], 0
    je spin
    mov al, [0x800600]
    out 0xF4, al
    hlt

align 8
gdt:
    dq 0
    dq 0x00CF9B000000FFFF           ; 08h: flat 32-bit code, ring 0
    dq 0x00CF93000000FFFF           ; 10h: flat data
gdt_desc:
    dw gdt_desc - gdt - 1
    dd 0xF0000 + gdt

    times 0xFFF0-($-$$) db 0xF4     ; HLT
bits 16
reset:
    jmp 0xF000:start                ; SDM Vol.3 9.1.4: the first instruction is at FFFFFFF0h
    times 0x10000-($-$$) db 0xF4
