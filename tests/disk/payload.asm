; Boot payload for the disk boot tests (issue 8). SeaBIOS loads it at 0:7C00 from a hard disk's
; MBR, a floppy's boot sector or a no-emulation El Torito image, with DL = the boot drive.
; It reads more of its disk through INT 13h and checks every byte against the pattern that
; tests/disk/mkimage.py wrote, then reports on COM1 and the debug console:
;   "PAYLOAD CHS OK", "PAYLOAD LBA OK", "PAYLOAD WRITE OK", and finally "PAYLOAD DONE",
; or "PAYLOAD FAIL <what>". Interfaces: IBM PC BIOS INT 13h AH=02/03/08 (CHS), the Phoenix EDD 3.0
; extensions AH=41/42/43/48; El Torito 1.0 (drive numbers >= 0xE0 for no-emulation CDs, 2048-byte
; sectors). Pattern: byte i of 512-byte unit u (u counted from the image's start) is
; (u * 13 + i) & 0xFF, except units 0-2 (this program).
bits 16
org 0x7C00
%define CHS_UNITS 70
%define FIRST_UNIT 3          ; units 0-2 hold this program

start:
    jmp 0:main                  ; some BIOSes enter at 07C0:0000
main:
    cli
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov sp, 0x7C00
    sti
    cmp dl, 0xE0
    jae stage2                  ; El Torito loaded all of us (2048 bytes)
    ; Stage 1: load units 1-2 (the rest of this program) behind us with CHS 0/0/2.
    push dx
    mov ax, 0x0202
    mov cx, 0x0002
    xor dh, dh
    mov bx, 0x7E00
    int 0x13
    pop dx
    jnc stage2
    mov dx, 0x3F8               ; stage 2 is not there: a bare '!' on COM1
    mov al, '!'
    out dx, al
    cli
    hlt

times 446 - ($ - $$) db 0
    ; One active partition of type 0x0B covering the disk keeps BIOSes that look at it happy.
    db 0x80, 1, 1, 0, 0x0B, 0xFE, 0xFF, 0xFF
    dd 63, 0x10000
times 510 - ($ - $$) db 0
    dw 0xAA55

stage2:
    mov [drive], dl
    cmp dl, 0xE0
    jae cd_boot
    ; --- CHS: read units 1..CHS_UNITS to 0x1000:0 a sector at a time, as DOS does ---
    mov ah, 0x08                ; geometry: CH/CL cylinders+sectors, DH heads
    int 0x13
    jc fail_geom
    and cl, 0x3F
    mov [spt], cl
    inc dh
    mov [heads], dh
    mov word [unit], FIRST_UNIT
.chs_loop:
    mov ax, [unit]              ; LBA -> C/H/S
    xor dx, dx
    movzx bx, byte [spt]
    div bx                      ; ax = track, dx = sector - 1
    inc dx
    mov cl, dl
    xor dx, dx
    movzx bx, byte [heads]
    div bx                      ; ax = cylinder, dx = head
    mov ch, al
    shl ah, 6
    or cl, ah
    mov dh, dl
    mov dl, [drive]
    mov ax, 0x1000
    mov es, ax
    xor bx, bx
    mov ax, 0x0201
    int 0x13
    jc fail_chs
    mov ax, [unit]
    call check_512
    jc fail_chs_data
    inc word [unit]
    cmp word [unit], CHS_UNITS + 1
    jb .chs_loop
    mov si, msg_chs
    call print
    cmp byte [drive], 0x80
    jb done                     ; floppies have no EDD
    ; --- EDD: 40 sectors at LBA 200 in one call (crosses several CHS tracks) ---
    mov ah, 0x41
    mov bx, 0x55AA
    mov dl, [drive]
    int 0x13
    jc fail_edd
    cmp bx, 0xAA55
    jne fail_edd
    mov word [dap_count], 40
    mov word [dap_lba], 200
    mov ah, 0x42
    mov dl, [drive]
    mov si, dap
    int 0x13
    jc fail_lba
    mov word [unit], 200
    mov cx, 40
.lba_check:
    mov ax, [unit]
    sub ax, 200
    shl ax, 5                   ; 512 bytes = 32 paragraphs
    add ax, 0x1000
    mov es, ax
    mov ax, [unit]
    push cx
    call check_512
    pop cx
    jc fail_lba_data
    inc word [unit]
    loop .lba_check
    mov si, msg_lba
    call print
    ; --- write: fill a sector with 0x5A at LBA 300 (AH=43), read it back (AH=42) ---
    mov ax, 0x1000
    mov es, ax
    xor di, di
    mov cx, 256
    mov ax, 0x5A5A
    rep stosw
    mov word [dap_count], 1
    mov word [dap_lba], 300
    mov ax, 0x4300
    mov dl, [drive]
    mov si, dap
    int 0x13
    jc fail_write
    mov ax, 0x1000
    mov es, ax
    xor di, di
    mov cx, 256
    xor ax, ax
    rep stosw                   ; clear the buffer so the read-back proves something
    mov ah, 0x42
    mov dl, [drive]
    mov si, dap
    int 0x13
    jc fail_write
    xor di, di
    mov cx, 512
    mov al, 0x5A
    repe scasb
    jne fail_write
    mov si, msg_write
    call print
    jmp done

cd_boot:
    ; No emulation: the BIOS loaded this image from the CD. Read CD sector 16, the ISO 9660
    ; primary volume descriptor (ECMA-119 8.4: type 1, identifier "CD001"), with EDD, which
    ; El Torito drives support with 2048-byte blocks.
    mov word [dap_count], 1
    mov word [dap_lba], 16
    mov ah, 0x42
    mov dl, [drive]
    mov si, dap
    int 0x13
    jc fail_lba
    mov ax, 0x1000
    mov es, ax
    cmp byte [es:0], 1
    jne fail_lba_data
    mov si, cd001
    mov di, 1
    mov cx, 5
    repe cmpsb
    jne fail_lba_data
    mov si, msg_lba
    call print
done:
    mov si, msg_done
    call print
stop:
    cli
.halt:
    hlt
    jmp .halt

; Checks the 512 bytes at ES:0 against unit AX's pattern; CF set on a mismatch.
check_512:
    mov bl, 13
    mul bl                      ; al = (unit * 13) & 0xFF
    xor di, di
.next:
    cmp [es:di], al
    jne .bad
    inc al
    inc di
    cmp di, 512
    jb .next
    clc
    ret
.bad:
    stc
    ret

fail_geom:      mov si, msg_f_geom
                jmp fail
fail_chs:       mov si, msg_f_chs
                jmp fail
fail_chs_data:  mov si, msg_f_chsd
                jmp fail
fail_edd:       mov si, msg_f_edd
                jmp fail
fail_lba:       mov si, msg_f_lba
                jmp fail
fail_lba_data:  mov si, msg_f_lbad
                jmp fail
fail_write:     mov si, msg_f_write
fail:
    push si
    mov si, msg_fail
    call print_raw
    pop si
    call print
    jmp stop

; Prints the zero-terminated string at DS:SI plus a newline on COM1 and port 0x402.
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
    push dx
    push ax
    mov dx, 0x3FD               ; 16550 LSR: wait for THRE
.wait:
    in al, dx
    test al, 0x20
    jz .wait
    pop ax
    mov dx, 0x3F8
    out dx, al
    mov dx, 0x402
    out dx, al
    pop dx
    ret

cd001:       db "CD001"
msg_chs:     db "PAYLOAD CHS OK", 0
msg_lba:     db "PAYLOAD LBA OK", 0
msg_write:   db "PAYLOAD WRITE OK", 0
msg_done:    db "PAYLOAD DONE", 0
msg_fail:    db "PAYLOAD FAIL ", 0
msg_f_geom:  db "geometry", 0
msg_f_chs:   db "chs read", 0
msg_f_chsd:  db "chs data", 0
msg_f_edd:   db "edd check", 0
msg_f_lba:   db "lba read", 0
msg_f_lbad:  db "lba data", 0
msg_f_write: db "write", 0

align 4
dap:         db 16, 0           ; EDD disk address packet
dap_count:   dw 0
             dw 0, 0x1000       ; buffer 1000:0000
dap_lba:     dq 0
drive:       db 0
spt:         db 0
heads:       db 0
unit:        dw 0

times 3 * 512 - ($ - $$) db 0
