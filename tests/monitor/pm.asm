; A 64 KiB ROM for the monitor tests (tests/monitor/run.sh): enters 32-bit protected mode with
; a GDT and TSS in RAM, an IDT in ROM, and 32-bit paging with a 4 KiB and a 4 MiB page
; (SDM Vol.3 9.9.1, 4.3), then stops at the label 'inspect' for the monitor to look around.
        bits 16
        org 0
ROM     equ 0xF0000
GDT     equ 0x1000
TSS     equ 0x3000
PD      equ 0x10000
PT      equ 0x11000

start:  cli
        mov ax, cs
        mov ds, ax
        xor ax, ax
        mov es, ax
        mov si, gdt
        mov di, GDT
        mov cx, gdt_end - gdt
        cld
        rep movsb                       ; the GDT goes to RAM: LTR writes its busy bit
        o32 lgdt [gdt_ptr]
        o32 lidt [idt_ptr]
        mov eax, cr0
        or al, 1
        mov cr0, eax
        jmp dword 0x08:(pm32 - $$ + ROM)

        bits 32
pm32:   mov ax, 0x10
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov esp, 0x9000
        mov dword [TSS + 4], 0x9000     ; esp0
        mov dword [TSS + 8], 0x10       ; ss0
        mov ax, 0x18
        ltr ax
        ; page directory: PDE 0 -> the page table, PDE 1 -> a 4 MiB page at 8 MiB (user, read-only)
        mov edi, PD
        xor eax, eax
        mov ecx, 2048                   ; clears the directory and the table
        rep stosd
        mov dword [PD], PT | 7          ; P W U: the table decides
        mov dword [PD + 4], 0x800000 | 0x85    ; P U PS
        ; page table: the first MiB identity-mapped (supervisor, writable), and one user page
        mov edi, PT
        mov eax, 3                      ; P W
        mov ecx, 256
.map:   stosd
        add eax, 0x1000
        loop .map
        mov dword [PT + 0x200 * 4], 0x2000 | 7  ; linear 0x200000 -> physical 0x2000, P W U
        mov dword [0x2000], 0xcafebabe
        mov dword [0x800010], 0x12345678
        mov eax, cr4
        or eax, 0x10                    ; PSE
        mov cr4, eax
        mov eax, PD
        mov cr3, eax
        mov eax, cr0
        or eax, 0x80000000
        mov cr0, eax
        mov eax, [0x200000]
        times 0x100 - ($ - $$) nop      ; so that 'inspect' is at linear 0xF0100
inspect:                                ; the tests' breakpoint
        mov ebx, [0x400010]
        mov al, 0
        out 0xf4, al
        hlt

handler: iretd

        align 8
gdt:    dq 0
        dw 0xffff, 0, 0x9a00, 0x00cf    ; 08: code32 flat
        dw 0xffff, 0, 0x9200, 0x00cf    ; 10: data32 flat
        dw 0x67, TSS, 0x8900, 0         ; 18: 32-bit TSS
        dw 0xffff, 0, 0x9a0f, 0         ; 20: code16 at 0xF0000
gdt_end:
gdt_ptr: dw gdt_end - gdt - 1
        dd GDT
idt:    times 3 dq 0
        dw (handler - $$ + ROM) & 0xffff, 0x08, 0x8e00, (handler - $$ + ROM) >> 16   ; 03: int gate32
idt_end:
idt_ptr: dw idt_end - idt - 1
        dd idt - $$ + ROM

        times 0xfff0 - ($ - $$) db 0
        bits 16
reset:  jmp 0xf000:start
        times 0x10000 - ($ - $$) db 0
