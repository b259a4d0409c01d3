; teach.asm: the walk-through ROM of docs/teaching.md. From the reset vector (SDM Vol.3 9.1.4) it
; loads a GDT, sets CR0.PE and far-jumps into 32-bit code (SDM Vol.3 9.9.1), builds page tables and
; sets CR0.PG (SDM Vol.3 4.3), then touches an unmapped page: the first page fault (SDM Vol.3 4.7)
; goes through the IDT to a handler that prints CR2 and ends the run (test machine: port 0xE9
; prints, port 0xF4 exits).
        bits 16
        org 0
ROM     equ 0xF0000
PD      equ 0x10000
PT      equ 0x11000

start:  cli
        o32 lgdt [cs:gdt_ptr]
        mov eax, cr0
        or al, 1                        ; CR0.PE
        mov cr0, eax
        jmp dword 0x08:(pm32 - $$ + ROM)

        bits 32
pm32:   mov ax, 0x10
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov esp, 0x9000
        lidt [idt_ptr - $$ + ROM]
        mov edi, PD                     ; clear the directory and one table
        xor eax, eax
        mov ecx, 2048
        cld
        rep stosd
        mov dword [PD], PT | 3          ; PDE 0: present, writable, supervisor
        mov edi, PT                     ; identity-map the first MiB
        mov eax, 3
        mov ecx, 256
.map:   stosd
        add eax, 0x1000
        loop .map
        mov eax, PD
        mov cr3, eax
        mov eax, cr0
        or eax, 0x80000000              ; CR0.PG: from the next instruction on, addresses are paged
        mov cr0, eax
paging_on:
        mov eax, [0x00400000]           ; PDE 1 is not present: #PF, error code 0, CR2 = 0x400000
        hlt

pf_handler:                             ; vector 14 (SDM Vol.3 6.15): error code on the stack
        mov esi, msg - $$ + ROM
.puts:  lodsb
        test al, al
        jz .hex
        out 0xE9, al
        jmp .puts
.hex:   mov edx, cr2
        mov ecx, 8
.digit: rol edx, 4
        mov al, dl
        and al, 15
        add al, '0'
        cmp al, '9'
        jbe .out
        add al, 'a' - '9' - 1
.out:   out 0xE9, al
        loop .digit
        mov al, 10
        out 0xE9, al
        mov al, 0
        out 0xF4, al                    ; exit status 0

msg:    db "page fault at CR2=0x", 0

        align 8
gdt:    dq 0
        dq 0x00CF9A000000FFFF           ; 08: code, base 0, 4 GiB, 32-bit
        dq 0x00CF92000000FFFF           ; 10: data, base 0, 4 GiB
gdt_ptr: dw gdt_ptr - gdt - 1
        dd gdt - $$ + ROM
idt:    times 14 dq 0
        dw (pf_handler - $$ + ROM) & 0xFFFF, 0x08, 0x8E00, (pf_handler - $$ + ROM) >> 16   ; 386 interrupt gate
idt_end:
idt_ptr: dw idt_end - idt - 1
        dd idt - $$ + ROM

        times 0xFFF0 - ($ - $$) db 0
        bits 16
        jmp 0xF000:start
        times 0x10000 - ($ - $$) db 0
