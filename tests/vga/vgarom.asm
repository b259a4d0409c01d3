; VGA test programs as option ROMs (-option-rom): SeaBIOS runs the init entry during POST, after
; the VGA BIOS. Each variant (-DTEST=...) sets a mode through INT 10h, draws the pattern that
; tests/vga/check.py recomputes on its own, writes "VGA DRAWN" to the debug console (port 0x402)
; and stops in a loop (the test takes the screenshot with --screenshot-at).
;   TEST=0  mode 03h: 80x25 text, cell (r, c) = char (r*80+c) & FFh, attribute (r*7+c) & 7Fh
;   TEST=1  mode 12h: 640x480x16, write mode 2 colours, a masked second pass, a map-mask pass
;   TEST=2  mode 13h: 320x200x256, own DAC ramp, pixel (x, y) = (x + 2y) & FFh
;   TEST=3  VBE 800x600x32 with the linear frame buffer: pixel = R x, G y, B x+y (mod 256)
bits 16
org 0
    db 0x55, 0xAA, 0            ; signature; size and checksum by tools/romsum.py
    jmp init

init:
    cld
%if TEST == 0
    mov ax, 0x0003
    int 0x10
    mov ah, 0x01                ; cursor off (CH bit 5), so the cell under it is plain
    mov cx, 0x2000
    int 0x10
    mov ax, 0xB800
    mov es, ax
    xor di, di
    xor bx, bx                  ; row
.row:
    xor cx, cx                  ; column
.col:
    mov ax, bx
    mov dx, 80
    mul dx
    add ax, cx                  ; r*80 + c: the character (low byte)
    push ax
    mov ax, bx
    mov dx, 7
    mul dx
    add ax, cx
    and al, 0x7F                ; attribute without the blink bit
    mov dh, al
    pop ax
    mov ah, dh
    stosw
    inc cx
    cmp cx, 80
    jb .col
    inc bx
    cmp bx, 25
    jb .row

%elif TEST == 1
    mov ax, 0x0012
    int 0x10
    mov ax, 0xA000
    mov es, ax
    mov dx, 0x3CE
    mov ax, 0x0205              ; GR5: write mode 2
    out dx, ax
    ; pass 1: bit mask FFh, byte (bx, y) colour (bx + y) & 15
    mov ax, 0xFF08
    out dx, ax
    xor di, di
    xor si, si                  ; y
.p1row:
    xor bx, bx                  ; byte column
.p1col:
    mov ax, bx
    add ax, si
    and al, 15
    mov [es:di], al
    inc di
    inc bx
    cmp bx, 80
    jb .p1col
    inc si
    cmp si, 480
    jb .p1row
    ; pass 2: bit mask AAh (even x), colour (3*bx + y/2) & 15; a read first loads the latches
    mov ax, 0xAA08
    out dx, ax
    xor di, di
    xor si, si
.p2row:
    xor bx, bx
.p2col:
    mov al, [es:di]
    mov ax, bx
    add ax, bx
    add ax, bx
    mov cx, si
    shr cx, 1
    add ax, cx
    and al, 15
    mov [es:di], al
    inc di
    inc bx
    cmp bx, 80
    jb .p2col
    inc si
    cmp si, 480
    jb .p2row
    ; pass 3: write mode 0, map mask plane 3 only, rows y % 16 == 0 get colour bit 3
    mov ax, 0x0005
    out dx, ax
    mov ax, 0xFF08
    out dx, ax
    mov dx, 0x3C4
    mov ax, 0x0802
    out dx, ax
    xor si, si
.p3row:
    mov ax, si
    mov cx, 80
    mul cx
    mov di, ax
    mov al, 0xFF
    rep stosb
    add si, 16
    cmp si, 480
    jb .p3row
    mov dx, 0x3C4               ; (MUL overwrote DX)
    mov ax, 0x0F02
    out dx, ax

%elif TEST == 2
    mov ax, 0x0013
    int 0x10
    ; DAC entry i = (i >> 2, (i * 5) & 63, 63 - (i >> 2))
    mov dx, 0x3C8
    xor al, al
    out dx, al
    inc dx
    xor bx, bx
.dac:
    mov al, bl
    shr al, 2
    out dx, al
    mov al, bl
    mov ah, 5
    mul ah
    and al, 63
    out dx, al
    mov al, bl
    shr al, 2
    neg al
    add al, 63
    out dx, al
    inc bx
    cmp bx, 256
    jb .dac
    mov ax, 0xA000
    mov es, ax
    xor di, di
    xor si, si                  ; y
.row:
    xor cx, cx                  ; x
.col:
    mov ax, si
    add ax, si
    add ax, cx
    stosb
    inc cx
    cmp cx, 320
    jb .col
    inc si
    cmp si, 200
    jb .row

%elif TEST == 3
    ; find the 800x600x32 mode in the VBE mode list (4F00h), get its LFB address (4F01h)
    sub sp, 1024                ; VBE info block at bp (512 bytes), mode info at bp + 512
    mov bp, sp
    push ss
    pop es
    mov di, bp
    mov dword [es:di], 'VBE2'
    mov ax, 0x4F00
    int 0x10
    cmp ax, 0x004F
    jne fail
    lds si, [ss:bp + 14]        ; VideoModePtr
.next_mode:
    lodsw
    cmp ax, 0xFFFF
    je fail
    mov cx, ax
    lea di, [bp + 512]
    push cx
    mov ax, 0x4F01
    int 0x10
    pop cx
    cmp word [ss:bp + 512 + 0x12], 800      ; XResolution
    jne .next_mode
    cmp word [ss:bp + 512 + 0x14], 600      ; YResolution
    jne .next_mode
    cmp byte [ss:bp + 512 + 0x19], 32       ; BitsPerPixel
    jne .next_mode
    mov ebx, [ss:bp + 512 + 0x28]           ; PhysBasePtr
    push ebx
    mov bx, cx
    or bx, 0x4000               ; linear frame buffer
    mov ax, 0x4F02
    int 0x10
    pop ebx
    cmp ax, 0x004F
    jne fail
    ; big real mode: FS gets a 4 GiB limit through a protected-mode load, so [fs:edi] reaches
    ; the frame buffer
    cli
    push cs
    pop ds
    xor eax, eax
    mov ax, cs
    shl eax, 4
    add eax, gdt
    mov [ss:bp + 2], eax
    mov word [ss:bp], gdt_end - gdt - 1
    lgdt [ss:bp]
    mov eax, cr0
    or al, 1
    mov cr0, eax
    jmp short .pm
.pm:
    mov ax, 8
    mov fs, ax
    mov eax, cr0
    and al, 0xFE
    mov cr0, eax
    jmp short .rm
.rm:
    xor ax, ax
    mov fs, ax
    mov edi, ebx
    xor esi, esi                ; y
.row:
    xor ecx, ecx                ; x
.col:
    mov eax, ecx                ; R = x
    and eax, 0xFF
    shl eax, 16
    mov edx, esi                ; G = y
    mov ah, dl
    mov edx, ecx                ; B = x + y
    add edx, esi
    mov al, dl
    mov [fs:edi], eax
    add edi, 4
    inc ecx
    cmp ecx, 800
    jb .col
    inc esi
    cmp esi, 600
    jb .row
%endif

    push cs
    pop ds
    mov si, done_msg
    call print
.stop:
    jmp .stop

fail:
    push cs
    pop ds
    mov si, fail_msg
    call print
.stop:
    jmp .stop

print:
    mov dx, 0x402
.next:
    lodsb
    test al, al
    jz .done
    out dx, al
    jmp .next
.done:
    ret

done_msg: db "VGA DRAWN", 10, 0
fail_msg: db "VGA TEST FAILED", 10, 0

%if TEST == 3
align 8
gdt:
    dq 0
    dq 0x00CF93000000FFFF       ; flat data, 4 GiB, accessed already set (no descriptor write)
gdt_end:
%endif
