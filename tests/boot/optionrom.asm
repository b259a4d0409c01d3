; An option ROM for -option-rom: SeaBIOS calls its init entry (offset 3) during POST
; (IBM PC option ROM convention), which prints a line on the debug console and returns.
bits 16
org 0
    db 0x55, 0xAA, 0            ; signature; size filled by tools/romsum.py
    jmp init
init:
    push ax
    push dx
    push si
    push ds
    push cs
    pop ds
    mov si, msg
    mov dx, 0x402
.next:
    lodsb
    test al, al
    jz .done
    out dx, al
    jmp .next
.done:
    pop ds
    pop si
    pop dx
    pop ax
    retf
msg: db "jitpc option ROM ran", 10, 0
