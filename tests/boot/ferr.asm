; x87 error reporting the PC/AT way (CR0.NE = 0): an unmasked exception asserts FERR#, which the
; board routes to IRQ13; the next waiting x87 instruction waits until the IRQ13 handler has written
; port 0xF0 (IGNNE#) and cleared the error (SDM Vol.1 D.1 "MS-DOS compatibility sub-mode", D.2.1).
; A 64 KiB "BIOS" for jitpc -M pc; prints PASS or FAIL on COM1.
bits 16
cpu 686
org 0
FLAG equ 0x500

start:
    cli
    xor ax, ax
    mov ds, ax
    mov ss, ax
    mov sp, 0x7000
    mov word [0x75 * 4], irq13          ; IRQ13 = slave IR5 = vector 70h + 5
    mov word [0x75 * 4 + 2], 0xF000
    ; 8259A pair (datasheet ICW1-ICW4): bases 08h/70h, cascade on IR2, 8086 mode
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
    mov al, 0xFB                        ; master: only IR2 (cascade)
    out 0x21, al
    mov al, 0xDF                        ; slave: only IR5 (IRQ13)
    out 0xA1, al
    mov dx, 0x3FB                       ; COM1 line control: 8 data bits, no parity, 1 stop
    mov al, 0x03
    out dx, al
    mov byte [FLAG], 0
    fninit
    fldcw [cs:cw_ze_unmasked]
    fld1
    fldz
    fdivp st1, st0                      ; 1/0 with ZE unmasked: FSW.ES set, no exception yet
    sti
    fwait                               ; FERR# -> IRQ13 -> handler; then the FWAIT completes
    cli
    cmp byte [FLAG], 1
    jne fail
    fnstsw ax
    test al, 0x80                       ; the handler's FNCLEX cleared ES
    jnz fail
    mov si, pass_msg
    jmp print
fail:
    mov si, fail_msg
%include "serial_print.inc"

irq13:
    push ax
    mov byte [FLAG], 1
    out 0xF0, al                        ; clear the coprocessor interrupt, assert IGNNE#
    fnclex
    mov al, 0x20                        ; non-specific EOI to slave and master
    out 0xA0, al
    out 0x20, al
    pop ax
    iret

cw_ze_unmasked: dw 0x037B               ; all masked except ZE (bit 2)
pass_msg: db "PASS", 13, 10, 0
fail_msg: db "FAIL", 13, 10, 0

    times 0xFFF0 - ($ - $$) db 0
    jmp 0xF000:start
    times 0x10000 - ($ - $$) db 0
