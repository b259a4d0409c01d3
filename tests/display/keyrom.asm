; An option ROM for the display tests (-option-rom; SeaBIOS calls its init entry at offset 3
; during POST, IBM PC option ROM convention). With interrupts off it polls the 8042 (port 0x64
; bit 0 "output buffer full", bit 5 "the byte is from the mouse"; HelpPC "8042") and prints the
; first NBYTES keyboard bytes of port 0x60 as hex on the debug console (port 0x402):
;     keys: 1E 9E ...
; SeaBIOS leaves the 8042 translating to scan code set 1 (command byte bit 6), so these are set 1
; codes. Then it writes 0 to the isa-debug-exit port 0x501 (exit status 1 when present) and
; returns to SeaBIOS.
bits 16
org 0
NBYTES equ 6
    db 0x55, 0xAA, 0            ; signature; size and checksum filled by tools/romsum.py
    jmp init
init:
    pushf
    push ax
    push cx
    push dx
    push si
    push ds
    cli
    push cs
    pop ds
    mov si, hello
    call puts
    mov cx, NBYTES
.wait:
    in al, 0x64
    test al, 0x01
    jz .wait
    mov ah, al
    in al, 0x60                 ; reading takes the byte either way
    test ah, 0x20
    jnz .wait                   ; a mouse byte: not ours
    call puthex
    loop .wait
    mov si, bye
    call puts
    mov dx, 0x501
    xor al, al
    out dx, al
    pop ds
    pop si
    pop dx
    pop cx
    pop ax
    popf
    retf

puts:                           ; ds:si, NUL-terminated
    mov dx, 0x402
.next:
    lodsb
    test al, al
    jz .done
    out dx, al
    jmp .next
.done:
    ret

puthex:                         ; al as two hex digits and a space
    push ax
    mov dx, 0x402
    mov ah, al
    shr al, 4
    call .digit
    mov al, ah
    and al, 0x0F
    call .digit
    mov al, ' '
    out dx, al
    pop ax
    ret
.digit:
    add al, '0'
    cmp al, '9'
    jbe .out
    add al, 'A' - '9' - 1
.out:
    out dx, al
    ret

hello: db "keyrom: polling the 8042", 10, "keys: ", 0   ; a line: the log is flushed per line
bye: db 10, "keyrom done", 10, 0
