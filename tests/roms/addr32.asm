; addr32: effective addresses and operand sizes in real mode: all 16-bit ModRM forms (8 r/m x
; mod 0/1/2) with their default segments and 64 KiB wrap-around, segment overrides, 32-bit
; addressing through 67h (SIB with scale 1/2/4/8, no base, no index, ESP/EBP bases defaulting to
; SS), the operand-size prefix 66h with both address sizes, and a 16-bit stack with ESP[31:16] set.
;
; SDM Vol.2 2.1.5 table 2-1 (16-bit ModR/M): 000 [BX+SI] 001 [BX+DI] 010 [BP+SI] 011 [BP+DI]
; 100 [SI] 101 [DI] 110 [BP] (mod 00: disp16 only) 111 [BX]; disp8 is sign-extended; the sum is
; taken modulo 2^16 with a 16-bit address size. Table 2-2/2-3 (32-bit ModR/M and SIB): base +
; index*scale + disp; SIB base 101 with mod 00 means disp32 and no base; index 100 means none.
; SDM Vol.1 3.7.4.1 / Vol.3 3.4.2: BP/EBP/ESP as the base register select SS, everything else DS
; (the index register never selects the segment). SDM Vol.1 6.2.3: with a 16-bit stack (SS.B=0,
; always so in real mode) PUSH/POP use SP and leave ESP[31:16] alone.
;
; Memory: DS=1000h holds, for every even offset X in 0..3FEh, the word X; SS=9000h holds NOT X.
; So a load tells which segment and which offset the CPU used.
%include "lib.inc"
%define DSW(x) (x)
%define SSW(x) ((~(x)) & 0xFFFF)
TEST_BEGIN "addr32"
    mov ax, SCRATCH_SEG
    mov ds, ax
    mov es, ax
    xor bx, bx
.fill:
    mov [bx], bx                    ; DS:X = X
    mov ax, bx
    not ax
    mov [ss:bx], ax                 ; SS:X = NOT X
    add bx, 2
    cmp bx, 0x400
    jne .fill

;--- 16-bit forms, mod 00
    mov bx, 0x100
    mov si, 0x020
    mov di, 0x040
    mov bp, 0x080
    CHECK word [bx+si], DSW(0x120), "[bx+si]"
    CHECK word [bx+di], DSW(0x140), "[bx+di]"
    CHECK word [bp+si], SSW(0x0A0), "[bp+si] uses ss"
    CHECK word [bp+di], SSW(0x0C0), "[bp+di] uses ss"
    CHECK word [si], DSW(0x020), "[si]"
    CHECK word [di], DSW(0x040), "[di]"
    CHECK word [0x200], DSW(0x200), "[disp16]"
    CHECK word [bx], DSW(0x100), "[bx]"
;--- mod 01 (disp8, sign-extended)
    CHECK word [bx+si+4], DSW(0x124), "[bx+si+d8]"
    CHECK word [bx+di-4], DSW(0x13C), "[bx+di-d8]"
    CHECK word [bp+si+0x7E], SSW(0x11E), "[bp+si+7e]"
    CHECK word [bp+di-0x80], SSW(0x040), "[bp+di-80]"
    CHECK word [si+2], DSW(0x022), "[si+d8]"
    CHECK word [di-2], DSW(0x03E), "[di-d8]"
    CHECK word [bp+2], SSW(0x082), "[bp+d8] uses ss"
    CHECK word [bp+0], SSW(0x080), "[bp+0] uses ss"
    CHECK word [bx+6], DSW(0x106), "[bx+d8]"
;--- mod 10 (disp16)
    CHECK word [bx+si+0x100], DSW(0x220), "[bx+si+d16]"
    CHECK word [bx+di+0x200], DSW(0x340), "[bx+di+d16]"
    CHECK word [bp+si+0x300], SSW(0x3A0), "[bp+si+d16]"
    CHECK word [bp+di+0x100], SSW(0x1C0), "[bp+di+d16]"
    CHECK word [si+0x1E0], DSW(0x200), "[si+d16]"
    CHECK word [di+0x1C0], DSW(0x200), "[di+d16]"
    CHECK word [bp+0x100], SSW(0x180), "[bp+d16] uses ss"
    CHECK word [bx+0x2FE], DSW(0x3FE), "[bx+d16]"
;--- overrides
    CHECK word [ds:bp+si], DSW(0x0A0), "[ds:bp+si]"
    CHECK word [ss:bx], SSW(0x100), "[ss:bx]"
    CHECK word [es:bp], DSW(0x080), "[es:bp]"
    CHECK word [cs:rom_marker], 0x600D, "[cs:disp16]"
;--- 64 KiB wrap-around of the 16-bit effective address
    mov bx, 0xFFFF
    mov si, 0x0101
    CHECK word [bx+si], DSW(0x100), "[bx+si] wraps"
    mov bx, 0x0102
    CHECK word [word bx+0xFFFE], DSW(0x100), "[bx+d16] wraps"
    mov bp, 0xFF00
    mov di, 0x0180
    CHECK word [bp+di+2], SSW(0x082), "[bp+di+d8] wraps"
    mov si, 0x0001
    CHECK word [si-1], DSW(0x000), "[si-1]"

;--- 32-bit addressing (67h)
    mov eax, 0x100
    mov ecx, 0x010
    mov edx, 0x020
    mov ebx, 0x040
    mov esi, 0x008
    mov edi, 0x004
    CHECK word [eax], DSW(0x100), "[eax]"
    CHECK word [ecx+edx], DSW(0x030), "[ecx+edx]"
    CHECK word [ebx+esi*2], DSW(0x050), "[ebx+esi*2]"
    CHECK word [eax+edi*4], DSW(0x110), "[eax+edi*4]"
    CHECK word [eax+esi*8+2], DSW(0x142), "[eax+esi*8+d8]"
    CHECK word [edi*4+0x200], DSW(0x210), "[index*4+disp32], no base"
    CHECK word [dword 0x300], DSW(0x300), "[disp32]"
    CHECK word [eax-2], DSW(0x0FE), "[eax-d8]"
    CHECK word [eax+0x100], DSW(0x200), "[eax+d32]"
    mov ebp, 0x080
    CHECK word [ebp], SSW(0x080), "[ebp] uses ss"
    CHECK word [ebp+8], SSW(0x088), "[ebp+d8] uses ss"
    CHECK word [ebp+eax*2], SSW(0x280), "[ebp+eax*2] uses ss"
    CHECK word [eax+ebp], DSW(0x180), "[eax+ebp]: base eax, ds"
    CHECK word [nosplit ebp*2+0x10], DSW(0x110), "[ebp*2+d32]: index only, ds"
    CHECK word [ds:ebp+4], DSW(0x084), "[ds:ebp+d8]"
    ; ESP as the base selects SS; read with ESP parked at 0x100, then restore
    mov esp, 0x100
    mov ax, [esp]
    mov cx, [esp+0x10]
    mov dx, [esp+ebx*2]
    mov sp, STACK_TOP
    movzx esp, sp
    CHECK ax, SSW(0x100), "[esp] uses ss"
    CHECK cx, SSW(0x110), "[esp+d8] uses ss"
    CHECK dx, SSW(0x180), "[esp+ebx*2] uses ss"

;--- operand size 66h with both address sizes
    mov dword [0x10], 0x11223344    ; overwrites DS:10..13 (fine: not used again)
    mov bx, 0x10
    mov eax, [bx]                   ; 66, 16-bit address
    CHECK eax, 0x11223344, "o32 a16 load"
    mov ebx, 0x0C
    mov ecx, 1
    mov edx, [ebx+ecx*4]            ; 66 67: [0x10]
    CHECK edx, 0x11223344, "o32 a32 load"
    mov word [ebx+ecx*4+4], 0xABCD  ; 67 only: 16-bit store to [0x14]
    CHECK word [0x14], 0xABCD, "o16 a32 store"
    add dword [ebx+ecx*4], 0x11111111
    CHECK dword [0x10], 0x22334455, "o32 a32 add to memory"
    lea eax, [ebx+ecx*8+0x1000]
    CHECK eax, 0x1014, "o32 a32 lea"

;--- 16-bit stack with ESP[31:16] != 0: PUSH/POP use SP only (SS.B = 0 in real mode)
    mov eax, esp
    or eax, 0x00050000
    mov esp, eax                    ; ESP = 0005_FFF0
    push word 0x1234
    mov edx, esp
    pop cx
    mov ebx, esp
    and esp, 0xFFFF
    mov si, [ss:STACK_TOP - 2]      ; before a CHECK pushes over it
    CHECK edx, 0x0005FFEE, "push with a 16-bit stack keeps esp[31:16]"
    CHECK ebx, 0x0005FFF0, "pop with a 16-bit stack keeps esp[31:16]"
    CHECK cx, 0x1234, "push/pop value"
    CHECK si, 0x1234, "push address = ss:sp"

;--- no wrap at 1 MiB: FFFF:0010 is linear 100000h, not 0 (SDM Vol.3 20.1.1: with A20M# not
; asserted, real-mode addresses reach 10FFEFh; the test machine has no A20 gate)
    push ds
    push es
    push word 0
    pop es
    push word 0xFFFF
    pop ds
    mov word [es:0x0000], 0x1111    ; linear 0 (IVT vector 0's offset: restored below)
    mov word [0x0010], 0x2222       ; linear 100000h
    mov ax, [es:0x0000]
    mov bx, [0x0010]
    mov word [es:0x0000], lib_stubs
    pop es
    pop ds
    CHECK ax, 0x1111, "ffff:0010 does not wrap to 0"
    CHECK bx, 0x2222, "ffff:0010 is memory"

;--- 32-bit relative jumps: 66 0F 8x rel32 and 66 E9 rel32 inside the segment
    xor ax, ax
    jmp near dword .far32           ; 66 E9 rel32
    mov ax, 1
.far32:
    CHECK ax, 0, "o32 jmp rel32"
    cmp ax, 0
    db 0x66, 0x0F, 0x84             ; jz rel32 (nasm cannot spell it in 16-bit code)
    dd .jz32 - ($ + 4)
    mov ax, 2
.jz32:
    CHECK ax, 0, "o32 jz rel32"
TEST_END

rom_marker: dw 0x600D
