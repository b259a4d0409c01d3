; The time-stamp counter keeps counting while the CPU is halted. SDM Vol.3 17.17: the TSC counts
; processor clock cycles (P6 family: "with every internal processor clock cycle"); HLT stops
; instruction execution, not the clock, so ten PIT periods waited in HLT take as many TSC ticks as
; ten PIT periods waited in a busy loop. (Linux's clocksource watchdog compares the TSC with the
; PIT and declares the TSC unstable when they drift apart.)
; A 64 KiB "BIOS" for jitpc -M pc; prints PASS or FAIL on COM1.
bits 16
cpu 686
org 0
TICKS equ 0x500                         ; IRQ0 count

start:
    cli
    xor ax, ax
    mov ds, ax
    mov ss, ax
    mov sp, 0x7000
    mov word [0x08 * 4], irq0           ; IRQ0 = master IR0 = vector 08h
    mov word [0x08 * 4 + 2], 0xF000
    ; 8259A (datasheet ICW1-ICW4): master base 08h, slave 70h, cascade on IR2, 8086 mode
    mov al, 0x11
    out 0x20, al
    out 0xA0, al
    mov al, 0x08
    out 0x21, al
    mov al, 0x70
    out 0xA1, al
    mov al, 0x04
    out 0x21, al
    mov al, 0x02
    out 0xA1, al
    mov al, 0x01
    out 0x21, al
    out 0xA1, al
    mov al, 0xFE                        ; master: only IR0 (the PIT)
    out 0x21, al
    mov al, 0xFF
    out 0xA1, al
    ; 8254 counter 0, mode 2 (rate generator), LSB then MSB: 11932 -> 1193182 / 11932 = 100 Hz
    mov al, 0x34
    out 0x43, al
    mov ax, 11932
    out 0x40, al
    mov al, ah
    out 0x40, al
    mov dx, 0x3FB                       ; COM1: 8 data bits, no parity, 1 stop
    mov al, 0x03
    out dx, al
    mov word [TICKS], 0
    sti

    call sync                           ; busy: ten PIT periods in a loop that never halts
    rdtsc
    mov esi, eax
    mov bx, [TICKS]
    add bx, 10
.busy:
    cmp [TICKS], bx
    jb .busy
    rdtsc
    sub eax, esi
    mov esi, eax                        ; esi = busy ticks

    call sync                           ; halted: the same ten periods, each waited in HLT
    rdtsc
    mov edi, eax
    mov bx, [TICKS]
    add bx, 10
.halt:
    hlt
    cmp [TICKS], bx
    jb .halt
    rdtsc
    sub eax, edi                        ; eax = halted ticks
    cli

    ; Pass when halted is within 10% of busy: 0.9 * busy <= halted <= 1.1 * busy.
    mov ecx, esi
    shr ecx, 3                          ; busy / 8 > 10% (looser than needed on either side)
    mov edx, esi
    sub edx, ecx
    cmp eax, edx
    jb fail
    add edx, ecx
    add edx, ecx
    cmp eax, edx
    ja fail
    mov si, pass_msg
    jmp print
fail:
    mov si, fail_msg
%include "serial_print.inc"

; Waits for the next tick, so both measurements start at a PIT period boundary.
sync:
    mov bx, [TICKS]
.w: cmp [TICKS], bx
    je .w
    ret

irq0:
    push ax
    inc word [TICKS]
    mov al, 0x20                        ; non-specific EOI
    out 0x20, al
    pop ax
    iret

pass_msg: db 'PASS', 13, 10, 0
fail_msg: db 'FAIL', 13, 10, 0

    times 0x10000 - 16 - ($ - $$) db 0xFF
reset:                                  ; F000:FFF0
    jmp 0xF000:start
    times 0x10000 - ($ - $$) db 0xFF
