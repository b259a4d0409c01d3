; linuxboot.asm: jitpc's direct Linux boot option ROM (issue 10). jitpc hands it to SeaBIOS as the
; fw_cfg file "genroms/linuxboot.bin" together with the kernel's pieces (frontends/linuxboot.c).
; SeaBIOS copies it below 1 MiB, calls its init vector, and registers its PnP header's Boot
; Entry Vector as a boot device; the fw_cfg "bootorder" file puts it first. When SeaBIOS boots
; it, the BEV copies the real-mode setup, the protected-mode kernel, the command line and the
; initrd from fw_cfg to the addresses the host chose, and starts the kernel as the Linux x86 boot
; protocol says (Documentation/arch/x86/boot.rst, "Running the Kernel").
;
; The copies use fw_cfg's DMA interface (QEMU docs/specs/fw_cfg.txt "DMA interface"): real-mode
; code can then fill memory above 1 MiB without a switch to protected mode. The ROM needs it; jitpc
; always offers DMA when it loads a kernel. tools/romsum.py pads the ROM, stores its size and
; appends the checksum byte (SeaBIOS checks that the ROM's bytes sum to 0).
        bits 16
        org 0
        cpu 486                         ; BSWAP

FW_CFG_SELECT   equ 0x510
FW_CFG_DATA     equ 0x511
FW_CFG_DMA_HI   equ 0x514
FW_CFG_DMA_LO   equ 0x518
FW_CFG_ID       equ 0x01
KERNEL_ADDR     equ 0x07
KERNEL_SIZE     equ 0x08
INITRD_ADDR     equ 0x0A
INITRD_SIZE     equ 0x0B
KERNEL_DATA     equ 0x11
INITRD_DATA     equ 0x12
CMDLINE_ADDR    equ 0x13
CMDLINE_SIZE    equ 0x14
CMDLINE_DATA    equ 0x15
SETUP_ADDR      equ 0x16
SETUP_SIZE      equ 0x17
SETUP_DATA      equ 0x18
DMA_CTL_ERROR   equ 0x01
DMA_CTL_READ    equ 0x02
DMA_CTL_SELECT  equ 0x08
HEAP_END_PTR    equ 0x224               ; setup header field (boot.rst)

; Option ROM header (PC/AT BIOS convention; PnP BIOS spec 1.0A 3.1): 55 AA, size in 512-byte
; units, init entry at offset 3, PnP header offset at 0x1A.
        db 0x55, 0xAA
        db 0                            ; size in 512-byte blocks: tools/romsum.py fills it in
        jmp short init
        times 0x18-($-$$) db 0
        dw 0                            ; no PCI data structure
        dw pnp                          ; PnP expansion header

; PnP Expansion Header (Plug and Play BIOS Specification 1.0A, 3.2): 32 bytes whose sum is 0.
; A non-zero Boot Entry Vector makes the ROM a boot device (an IPL device, indicator bit 2).
        align 16, db 0
pnp:    db '$PnP'
        db 1                            ; structure revision
        db 2                            ; length in 16-byte units
        dw 0                            ; no next header
        db 0
        db pnp_sum                      ; checksum
        dd 0                            ; device identifier
        dw 0                            ; manufacturer string
        dw product                      ; product name string (SeaBIOS's boot menu shows it)
        db 0, 0, 0                      ; device type code
        db 0x04                         ; device indicators: IPL device
        dw 0                            ; boot connection vector
        dw 0                            ; disconnect vector
        dw bev                          ; boot entry vector
        dw 0
        dw 0                            ; static resource information vector
pnp_end:
pnp_sum equ (0x100 - (('$' + 'P' + 'n' + 'P' + 1 + 2 + ((product-$$) & 0xFF) + ((product-$$) >> 8) \
                      + 0x04 + ((bev-$$) & 0xFF) + ((bev-$$) >> 8)) & 0xFF)) & 0xFF

product: db 'Linux (jitpc direct kernel boot)', 0

; Init vector: nothing to set up; the BEV does the work.
init:   retf

; Boot entry vector: SeaBIOS far-jumps here (BIOS Boot Specification 1.01, 6.4.3).
bev:    cli
        cld
        mov ax, FW_CFG_ID               ; the ROM needs the DMA interface (ID bit 1)
        call read32
        test al, 2
        jz .no_dma
        mov bx, SETUP_ADDR              ; real-mode part first: the header as the host filled it
        call copy_item
        mov bx, KERNEL_ADDR
        call copy_item
        mov bx, CMDLINE_ADDR
        call copy_item
        mov bx, INITRD_ADDR
        call copy_item
        ; boot.rst "Running the Kernel": segment registers = the setup's segment, the stack at
        ; the end of the heap the header announces (heap_end_ptr + 0x200), interrupts off, then
        ; a far jump to the setup code 0x200 bytes into it (segment + 0x20, offset 0).
        mov ax, SETUP_ADDR
        call read32
        shr eax, 4
        mov ds, ax
        mov es, ax
        mov fs, ax
        mov gs, ax
        mov ss, ax
        mov sp, [HEAP_END_PTR]
        add sp, 0x200
        add ax, 0x20
        push ax
        push word 0
        retf
.no_dma:
        mov si, no_dma_msg
.print: cs lodsb                        ; the message on the BIOS console (SeaBIOS's sercon too)
        test al, al
        jz .fail
        mov ah, 0x0E
        mov bx, 7
        int 0x10
        jmp .print
.fail:  int 0x18                        ; boot failure: the BIOS tries the next device

no_dma_msg: db 'linuxboot: fw_cfg has no DMA interface', 13, 10, 0

; bx = the item's ADDR key; its SIZE and DATA keys follow from it. Copies the DATA item to the
; address ADDR holds.
copy_item:
        mov ax, bx
        call read32
        mov edi, eax                    ; destination
        lea ax, [bx+1]                  ; *_SIZE is *_ADDR + 1 for all four
        call read32
        mov ecx, eax
        mov ax, bx
        call data_key
        jmp dma_read

; ax = an *_ADDR key -> ax = its *_DATA key.
data_key:
        cmp ax, KERNEL_ADDR
        jne .1
        mov ax, KERNEL_DATA
        ret
.1:     cmp ax, INITRD_ADDR
        jne .2
        mov ax, INITRD_DATA
        ret
.2:     add ax, 2                       ; CMDLINE_ADDR + 2 = CMDLINE_DATA, SETUP_ADDR + 2 = SETUP_DATA
        ret

; ax = key -> eax = the item's first four bytes, little-endian (fw_cfg integers are).
read32: mov dx, FW_CFG_SELECT
        out dx, ax
        inc dx
        mov cx, 4
.byte:  in al, dx
        ror eax, 8
        loop .byte
        ret

; ax = key, ecx = length, edi = physical destination. One DMA transfer: the access structure
; (big-endian control, length, 64-bit address) is built on the stack; writing its physical
; address to the DMA register (big-endian, high half at 0x514, low half at 0x518) starts it. The
; device clears the control field when done, or leaves the error bit set.
dma_read:
        jecxz .done
        push ebp
        mov ebp, edi
        bswap ebp
        push ebp                        ; address, low 32 bits (at offset 12)
        push dword 0                    ; address, high 32 bits (offset 8)
        mov ebp, ecx
        bswap ebp
        push ebp                        ; length (offset 4)
        movzx ebp, ax
        shl ebp, 16
        or ebp, DMA_CTL_SELECT | DMA_CTL_READ
        bswap ebp
        push ebp                        ; control (offset 0)
        mov bp, sp
        xor eax, eax
        mov dx, FW_CFG_DMA_HI
        out dx, eax
        mov ax, ss
        shl eax, 4
        movzx edx, sp
        add eax, edx
        bswap eax
        mov dx, FW_CFG_DMA_LO
        out dx, eax
.wait:  mov eax, [bp]
        bswap eax
        test eax, ~DMA_CTL_ERROR        ; still busy (a device may complete later)
        jnz .wait
        test al, DMA_CTL_ERROR
        jnz .error
        add sp, 16
        pop ebp
.done:  ret
.error: mov si, dma_err_msg
        jmp bev.print

dma_err_msg: db 'linuxboot: fw_cfg DMA error', 13, 10, 0

