; A boot sector that writes to its own disk without the BIOS (issue 8, acceptance 2): one sector
; of 0xC3 at LBA 100 with ATA PIO (WRITE SECTORS, 30h), two sectors of 0x3C at LBA 101 with
; bus-master DMA (WRITE DMA, CAh), then FLUSH CACHE (E7h), then prints "FLUSHED" on COM1 and
; spins until the test sends SIGTERM. "ATA FAIL <step>" on an error.
; References: ATA/ATAPI-6 (T13 1410D) 9.7 PIO data-out and 9.10 DMA protocols, 8.45/8.48/8.13 the
; commands; SFF-8038i (bus-master IDE) sections 1-3: command register bit 0 start, bit 3 direction
; (0 = the controller reads memory, i.e. a disk write), status bit 2 interrupt (write 1 to clear),
; PRD entries {dword address, word byte count, word with bit 15 = end of table}; the PIIX3
; function 1 (bus 0, device 1, function 1) has the bus-master base in BAR4 (config 20h).
bits 16
org 0x7C00

PIO_BUF equ 0x1000
DMA_BUF equ 0x2000
PRD     equ 0x3000

start:
    cli
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov sp, 0x7C00
    cld
    mov di, PIO_BUF             ; the data: 512 x C3, then 1024 x 3C
    mov cx, 512
    mov al, 0xC3
    rep stosb
    mov di, DMA_BUF
    mov cx, 1024
    mov al, 0x3C
    rep stosb

    ; --- PIO: WRITE SECTORS, LBA 100, count 1 ---
    mov bl, 'P'
    call wait_ready
    mov al, 1
    mov cl, 100
    call task_file
    mov al, 0x30
    out dx, al                  ; dx = 1F7h after task_file
.drq:
    in al, dx
    test al, 0x01
    jnz fail
    test al, 0x08
    jz .drq
    mov dx, 0x1F0
    mov si, PIO_BUF
    mov cx, 256
    rep outsw
    call wait_ready

    ; --- DMA: WRITE DMA, LBA 101, count 2 ---
    mov bl, 'D'
    mov eax, 0x80000904         ; 00:01.1 command register: I/O space + bus master enable
    mov dx, 0xCF8
    out dx, eax
    mov dx, 0xCFC
    in ax, dx
    or ax, 0x0005
    out dx, ax
    mov eax, 0x80000920         ; BAR4: the bus-master registers
    mov dx, 0xCF8
    out dx, eax
    mov dx, 0xCFC
    in eax, dx
    and ax, 0xFFFC
    jz fail
    mov bp, ax
    mov dword [PRD], DMA_BUF
    mov dword [PRD + 4], 0x80000400 ; 1024 bytes, end of table
    lea dx, [bp + 4]
    mov eax, PRD
    out dx, eax
    lea dx, [bp + 2]
    mov al, 0x06                ; clear the interrupt and error bits
    out dx, al
    mov dx, bp
    xor al, al                  ; stopped, direction: memory -> disk
    out dx, al
    call wait_ready
    mov al, 2
    mov cl, 101
    call task_file
    mov al, 0xCA
    out dx, al
    mov dx, bp
    mov al, 0x01                ; start
    out dx, al
    lea dx, [bp + 2]
.dma_wait:
    in al, dx
    test al, 0x02               ; error
    jnz fail
    test al, 0x04               ; interrupt: the drive has finished
    jz .dma_wait
    mov dx, bp
    xor al, al
    out dx, al                  ; stop the engine
    call wait_ready

    ; --- FLUSH CACHE ---
    mov bl, 'F'
    mov dx, 0x1F7
    mov al, 0xE7
    out dx, al
    call wait_ready
    mov si, msg_ok
    call print
.spin:
    jmp .spin

; Waits for BSY clear; fails on ERR or DF. Leaves dx = 1F7h.
wait_ready:
    mov dx, 0x1F7
.w:
    in al, dx
    test al, 0x80
    jnz .w
    test al, 0x21
    jnz fail
    ret

; LBA28 task file for the master: count al, LBA cl (below 256). Leaves dx = 1F7h.
task_file:
    mov dx, 0x1F2
    out dx, al
    inc dx
    mov al, cl
    out dx, al                  ; 1F3 LBA 7:0
    inc dx
    xor al, al
    out dx, al                  ; 1F4 LBA 15:8
    inc dx
    out dx, al                  ; 1F5 LBA 23:16
    inc dx
    mov al, 0xE0                ; LBA mode, device 0
    out dx, al
    inc dx
    ret

fail:
    mov si, msg_fail
    call print_raw
    mov al, bl
    call putc
    mov al, 10
    call putc
    jmp start.spin

print:
    call print_raw
    mov al, 10
    jmp putc
print_raw:
    lodsb
    test al, al
    jz .ret
    call putc
    jmp print_raw
.ret:
    ret
putc:
    mov dx, 0x3F8
    out dx, al
    mov dx, 0x402
    out dx, al
    ret

msg_ok:   db "FLUSHED", 0
msg_fail: db "ATA FAIL ", 0

times 510 - ($ - $$) db 0
    dw 0xAA55
