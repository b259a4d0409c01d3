; demo.asm: the ROM that `jitpc` runs when no -bios is given.
;
; A 4 KiB flat image for the test machine (tests/roms/README.md): it is mapped at F000:F000 ..
; F000:FFFF (linear FF000-FFFFF) and again at the top of 4 GiB, where the CPU fetches its first
; instruction (SDM Vol.3 9.1.4). It prints a banner and the primes below 100, sieved at run time,
; through the debug port 0xE9, then exits with status 0 through port 0xF4.

bits 16
cpu 386
org 0xF000

DEBUG_PORT equ 0xE9
EXIT_PORT  equ 0xF4
SIEVE      equ 0x1000          ; RAM (DS=0): one byte per number below LIMIT
LIMIT      equ 100

start:
    cli
    cld
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov sp, 0x7C00

    mov si, banner
    call puts

    ; Sieve of Eratosthenes: mark every multiple of each prime p, starting at p*p.
    mov di, SIEVE
    mov cx, LIMIT
    xor al, al
    rep stosb                   ; 0 = maybe prime
    mov bx, 2
.outer:
    mov ax, bx
    mul bx                      ; AX = p*p
    cmp ax, LIMIT
    jae .print
    cmp byte [SIEVE + bx], 0
    jne .next_p
    mov si, ax
.mark:
    mov byte [SIEVE + si], 1
    add si, bx
    cmp si, LIMIT
    jb .mark
.next_p:
    inc bx
    jmp .outer

.print:
    mov si, primes_msg
    call puts
    mov bx, 2
    xor bp, bp                  ; primes found
.each:
    cmp byte [SIEVE + bx], 0
    jne .skip
    inc bp
    mov al, ' '
    out DEBUG_PORT, al
    mov ax, bx
    call putdec
.skip:
    inc bx
    cmp bx, LIMIT
    jb .each

    mov si, count_msg
    call puts
    mov ax, bp
    call putdec
    mov si, bye_msg
    call puts

    mov al, 0
    out EXIT_PORT, al
    cli
    hlt

; puts: print the NUL-terminated string at CS:SI.
puts:
    cs lodsb
    test al, al
    jz .done
    out DEBUG_PORT, al
    jmp puts
.done:
    ret

; putdec: print AX in decimal.
putdec:
    push bx
    push cx
    push dx
    mov bx, 10
    xor cx, cx
.div:
    xor dx, dx
    div bx
    push dx                     ; digits come out least significant first
    inc cx
    test ax, ax
    jnz .div
.out:
    pop ax
    add al, '0'
    out DEBUG_PORT, al
    loop .out
    pop dx
    pop cx
    pop bx
    ret

banner:     db "jitpc: hello from the demo ROM (real mode)", 10, 0
primes_msg: db "primes below 100, sieved at run time:", 0
count_msg:  db 10, "that is ", 0
bye_msg:    db " primes. Bye!", 10, 0

    times 0xFF0-($-$$) db 0
reset:                          ; linear FFFFFFF0: the reset vector
    jmp 0xF000:start
    times 0x1000-($-$$) db 0
