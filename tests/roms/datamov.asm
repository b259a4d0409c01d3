; datamov: MOV (all operand forms, segment registers, overrides), XCHG, MOVZX/MOVSX, LEA,
; XLAT, LAHF/SAHF, CBW/CWD/CWDE/CDQ.
%include "lib.inc"
TEST_BEGIN "datamov"

;--- MOV register forms. SDM Vol.2 MOV: DEST <- SRC; "Flags Affected: None".
    SETF F_FIXED | F_CF | F_ZF
    mov ax, 0x1234                  ; B8 iw
    mov bx, ax                      ; 89 /r
    CHECK bx, 0x1234, "mov r16,r16"
    mov cl, 0x56                    ; B1 ib
    mov ch, cl                      ; 88 /r, high byte register
    CHECK cx, 0x5656, "mov ch,cl"
    mov eax, 0x89ABCDEF             ; 66 B8 id
    mov edx, eax
    CHECK edx, 0x89ABCDEF, "mov r32,r32"
    ; AH is bits 15:8 of EAX = 0xCD; writing DL leaves bits 31:8 of EDX alone
    mov dl, ah
    CHECK edx, 0x89ABCDCD, "mov dl,ah"
    ; writing a 16-bit register leaves bits 31:16 alone
    mov dx, 0x0102
    CHECK edx, 0x89AB0102, "mov dx keeps edx[31:16]"
    CHECKF F_ARITH, F_CF | F_ZF, "mov leaves flags"

;--- MOV memory forms, DS = SCRATCH_SEG (linear 0x10000)
    mov ax, SCRATCH_SEG
    mov ds, ax
    mov word [0x100], 0xBEEF        ; C7 /0 iw
    mov byte [0x102], 0x5A          ; C6 /0 ib
    ; little-endian (SDM Vol.1 1.3.1): byte 0x100 = 0xEF, 0x101 = 0xBE, 0x102 = 0x5A
    mov al, [0x100]                 ; A0 moffs8
    CHECK al, 0xEF, "mov al,moffs"
    mov ax, [0x101]                 ; A1 moffs16
    CHECK ax, 0x5ABE, "mov ax,moffs"
    mov [0x104], ax                 ; A3 moffs16
    mov bx, 0x104
    mov cx, [bx]                    ; 8B /r
    CHECK cx, 0x5ABE, "mov r16,[bx]"
    mov dword [0x108], 0x11223344   ; 66 C7 /0 id
    mov si, 0x108
    mov edi, [si]
    CHECK edi, 0x11223344, "mov r32,[si]"
    mov [bx+si-0x100], edi          ; 66 89 /r to 0x104+0x108-0x100 = 0x10C
    CHECK dword [0x10C], 0x11223344, "mov [bx+si+d],r32"
    mov [0x110], ch                 ; 88 /r, CH = 0x5A
    CHECK byte [0x110], 0x5A, "mov m8,ch"
    ; linear address = DS*16 + offset (SDM Vol.3 20.1.1): 0x1000:0x010C = 0x1010:0x000C
    push ds
    push word 0x1010
    pop ds
    CHECK dword [0x000C], 0x11223344, "linear = seg*16+off"
    pop ds

;--- segment registers: MOV Sreg,r/m16 (8E) and MOV r/m16,Sreg (8C)
    mov ax, 0x2000
    mov es, ax
    mov word [es:0x100], 0x2222     ; linear 0x20100
    mov word [0x100], 0x1111        ; linear 0x10100
    mov bx, 0x100
    mov ax, [bx]                    ; default DS
    CHECK ax, 0x1111, "ds default"
    mov ax, [es:bx]                 ; 26 override
    CHECK ax, 0x2222, "es override"
    mov cx, es                      ; 8C /r
    CHECK cx, 0x2000, "mov r16,es"
    mov [0x120], es                 ; 8C /r to memory
    CHECK word [0x120], 0x2000, "mov m16,es"
    ; 66 8C with a 32-bit register destination: "For the Pentium 4, Intel Xeon, and P6 family
    ; processors, the two high-order bytes are filled with zeros" (SDM MOV)
    mov edx, 0xFFFFFFFF
    mov edx, es
    CHECK edx, 0x00002000, "mov r32,es zero-extends (P6)"
    mov eax, 0xABCD2000
    mov gs, eax                     ; 66 8E: the low 16 bits
    CHECKS gs, 0x2000, "mov gs,eax"
    mov word [0x122], 0x2000
    mov fs, [0x122]                 ; 8E /r from memory
    mov ax, [fs:bx]                 ; 64 override: linear 0x20100
    CHECK ax, 0x2222, "fs override"
    mov gs, cx
    mov ax, [gs:bx]                 ; 65 override
    CHECK ax, 0x2222, "gs override"
    mov ax, [cs:rom_word]           ; 2E override: the ROM (CS=F000, base F0000)
    CHECK ax, 0xA55A, "cs override"
    ; SS override: the stack segment 9000; write through ss and read back through ds=9000
    mov word [ss:0x200], 0x3333
    push ds
    mov ax, STACK_SEG
    mov ds, ax
    CHECK word [0x200], 0x3333, "ss override"
    pop ds
    ; [bp] defaults to SS (SDM Vol.1 3.7.4 / Vol.2 table 2-1)
    mov bp, 0x200
    mov ax, [bp]
    CHECK ax, 0x3333, "[bp] uses ss"
    mov word [0x200], 0x4444        ; DS:0x200, linear 0x10200
    mov ax, [ds:bp]                 ; 3E override of the [bp] default
    CHECK ax, 0x4444, "[ds:bp]"

;--- XCHG. SDM Vol.2 XCHG: TEMP <- DEST; DEST <- SRC; SRC <- TEMP; no flags.
    mov ax, 0x1111
    mov bx, 0x2222
    xchg ax, bx                     ; 90+r short form
    CHECK ax, 0x2222, "xchg ax,bx #1"
    CHECK bx, 0x1111, "xchg ax,bx #2"
    mov cx, 0xABCD
    xchg cl, ch                     ; 86 /r
    CHECK cx, 0xCDAB, "xchg cl,ch"
    mov word [0x130], 0x5555
    xchg [0x130], cx                ; 87 /r memory
    CHECK cx, 0x5555, "xchg m16 #1"
    CHECK word [0x130], 0xCDAB, "xchg m16 #2"
    mov eax, 0x11112222
    mov edx, 0x33334444
    xchg eax, edx                   ; 66 92
    CHECK eax, 0x33334444, "xchg eax,edx #1"
    CHECK edx, 0x11112222, "xchg eax,edx #2"
    mov esi, 0xCAFEBABE
    mov dword [0x134], 0xDEADBEEF
    xchg esi, [0x134]               ; 66 87 /r
    CHECK esi, 0xDEADBEEF, "xchg r32,m32 #1"
    CHECK dword [0x134], 0xCAFEBABE, "xchg r32,m32 #2"
    mov bh, 0x77
    mov byte [0x138], 0x88
    xchg bh, [0x138]                ; 86 /r memory
    CHECK bh, 0x88, "xchg bh,m8 #1"
    CHECK byte [0x138], 0x77, "xchg bh,m8 #2"

;--- MOVZX / MOVSX. SDM Vol.2 MOVZX: DEST <- ZeroExtend(SRC); MOVSX: DEST <- SignExtend(SRC).
    mov bl, 0x80
    movzx ax, bl                    ; 0F B6
    CHECK ax, 0x0080, "movzx r16,r8"
    movsx ax, bl                    ; 0F BE: 0x80 is negative -> 0xFF80
    CHECK ax, 0xFF80, "movsx r16,r8"
    mov eax, 0xFFFFFFFF
    movzx eax, bl                   ; 66 0F B6
    CHECK eax, 0x00000080, "movzx r32,r8"
    movsx ecx, bl                   ; 66 0F BE
    CHECK ecx, 0xFFFFFF80, "movsx r32,r8"
    mov word [0x140], 0x8001
    movzx edx, word [0x140]         ; 66 0F B7
    CHECK edx, 0x00008001, "movzx r32,m16"
    movsx edx, word [0x140]         ; 66 0F BF
    CHECK edx, 0xFFFF8001, "movsx r32,m16"
    mov byte [0x142], 0x7F
    movsx esi, byte [0x142]         ; 0x7F positive -> 0x0000007F
    CHECK esi, 0x0000007F, "movsx r32,m8 positive"
    movsx di, byte [0x142]
    CHECK di, 0x007F, "movsx r16,m8 positive"

;--- LEA. SDM Vol.2 LEA: the effective address, no memory access, sizes per its table.
    mov bx, 0x1000
    mov si, 0x0234
    lea ax, [bx+si+0x10]            ; 0x1000+0x234+0x10 = 0x1244
    CHECK ax, 0x1244, "lea [bx+si+d8]"
    mov bx, 0xFFF0
    mov si, 0x0020
    lea ax, [bx+si+5]               ; 16-bit address size: (0xFFF0+0x20+5) mod 2^16 = 0x0015
    CHECK ax, 0x0015, "lea wraps at 64K"
    mov bp, 0x0100
    mov di, 0x0003
    lea cx, [bp+di-2]               ; 0x100+3-2 = 0x101
    CHECK cx, 0x0101, "lea [bp+di-2]"
    ; LEA table: operand size 32, address size 16 -> 16-bit address zero-extended
    mov edx, 0xFFFFFFFF
    lea edx, [bx+si+5]
    CHECK edx, 0x00000015, "lea r32 with a16"
    ; operand size 32, address size 32: [eax+ecx*4+disp]
    mov eax, 0x00012000
    mov ecx, 0x00000100
    lea edx, [eax+ecx*4+0x12340000] ; 0x12000+0x400+0x12340000 = 0x12352400
    CHECK edx, 0x12352400, "lea r32 [eax+ecx*4+d32]"
    ; operand size 16, address size 32: lower 16 bits of the 32-bit address
    lea dx, [eax+ecx*4+0x12340000]
    CHECK dx, 0x2400, "lea r16 with a32"
    mov esi, 0x10
    lea edi, [esi*8]                ; SIB without base: disp32 = 0 -> 0x80
    CHECK edi, 0x80, "lea [esi*8]"

;--- XLAT. SDM Vol.2 XLAT: AL <- (DS:BX + ZeroExtend(AL)); segment override allowed.
    mov bx, hex_digits
    mov al, 0x0C
    cs xlatb                        ; 2E D7: table in the ROM
    CHECK al, 'C', "xlat cs"
    mov byte [0x2FF], 0x99          ; DS:0x200 + 0xFF: AL is zero-extended, not sign-extended
    mov bx, 0x200
    mov al, 0xFF
    xlatb
    CHECK al, 0x99, "xlat al=ff"

    ; with a 16-bit address size BX + AL wraps at 64 KiB: FFF0 + 20 = 0010
    mov byte [0x0010], 0x5A
    mov bx, 0xFFF0
    mov al, 0x20
    xlatb
    CHECK al, 0x5A, "xlat wraps at 64K"
    ; 67h: XLAT uses EBX (SDM XLAT: "DS:EBX" with a 32-bit address size)
    mov ebx, 0x00000200
    mov al, 0xFF
    a32 xlatb
    CHECK al, 0x99, "a32 xlat"

;--- the eight byte registers: ModRM reg/rm 0-3 = AL CL DL BL, 4-7 = AH CH DH BH (SDM Vol.2
; table 2-1 / 3.1.1.1)
    mov eax, 0
    mov ebx, 0
    mov ecx, 0
    mov edx, 0
    mov al, 0x01
    mov cl, 0x02
    mov dl, 0x03
    mov bl, 0x04
    mov ah, 0x05
    mov ch, 0x06
    mov dh, 0x07
    mov bh, 0x08
    CHECK eax, 0x0501, "byte regs ax"
    CHECK ecx, 0x0602, "byte regs cx"
    CHECK edx, 0x0703, "byte regs dx"
    CHECK ebx, 0x0804, "byte regs bx"
    add ah, bh                      ; 02 /r with rm = 7 (BH), reg = 4 (AH)
    CHECK ax, 0x0D01, "add ah,bh"
    db 0x88, 0xE6                   ; mov dh, ah (88 /r: reg 4 = AH, rm 6 = DH)
    CHECK dx, 0x0D03, "mov dh,ah by modrm"

;--- LAHF/SAHF. SDM Vol.2 LAHF: AH <- EFLAGS(SF:ZF:0:AF:0:PF:1:CF).
    SETF F_FIXED | F_SF | F_AF | F_CF | F_OF
    mov ah, 0
    lahf                            ; 1 0 0 1 0 0 1 1 = 0x93
    CHECK ah, 0x93, "lahf #1"
    SETF F_FIXED | F_ZF | F_PF
    lahf                            ; 0 1 0 0 0 1 1 0 = 0x46
    CHECK ah, 0x46, "lahf #2"
    ; SAHF: EFLAGS(SF:ZF:0:AF:0:PF:1:CF) <- AH; OF untouched
    SETF F_FIXED | F_OF
    mov ah, 0x44                    ; ZF, PF
    sahf
    CHECKF F_ARITH, F_OF | F_ZF | F_PF, "sahf #1"
    mov ah, 0xFF                    ; sets SF ZF AF PF CF; bits 5 and 3 stay 0, bit 1 stays 1
    sahf
    pushf
    pop ax
    and ax, 0x00FF
    CHECK ax, 0x00D7, "sahf #2"
    SETF F_FIXED | F_OF | F_CF | F_ZF
    mov ah, 0x00                    ; clears SF ZF AF PF CF, OF untouched
    sahf
    CHECKF F_ARITH, F_OF, "sahf #3"

;--- CBW/CWD/CWDE/CDQ. SDM Vol.2 CBW/CWDE/CDQE and CWD/CDQ/CQO: sign extension.
    mov ax, 0x1280
    cbw                             ; AX <- SignExtend(AL=0x80)
    CHECK ax, 0xFF80, "cbw negative"
    mov ax, 0xFF7F
    cbw
    CHECK ax, 0x007F, "cbw positive"
    mov dx, 0x1234
    mov ax, 0x8000
    cwd                             ; DX:AX <- SignExtend(AX)
    CHECK dx, 0xFFFF, "cwd negative"
    mov ax, 0x7FFF
    cwd
    CHECK dx, 0x0000, "cwd positive"
    mov eax, 0x12348001
    cwde                            ; 66 98: EAX <- SignExtend(AX)
    CHECK eax, 0xFFFF8001, "cwde"
    mov eax, 0x80000000
    mov edx, 0
    cdq                             ; 66 99: EDX:EAX <- SignExtend(EAX)
    CHECK edx, 0xFFFFFFFF, "cdq negative"
    mov eax, 0x7FFFFFFF
    cdq
    CHECK edx, 0x00000000, "cdq positive"
    CHECK eax, 0x7FFFFFFF, "cdq leaves eax"
TEST_END

rom_word:   dw 0xA55A
hex_digits: db "0123456789ABCDEF"
