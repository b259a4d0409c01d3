; segload: LDS LES LSS LFS LGS with 16- and 32-bit offsets, and that the loaded segment's base
; (selector * 16 in real mode, SDM Vol.3 20.1.1) is what later accesses use.
%include "lib.inc"
TEST_BEGIN "segload"
    mov ax, SCRATCH_SEG
    mov ds, ax
    ; far pointers m16:16 (offset word, then selector word; SDM Vol.2 LDS/LES/LFS/LGS/LSS)
    mov word [0x100], 0x1234        ; offset
    mov word [0x102], 0x2345        ; selector
    ; m16:32 (offset dword, then selector word)
    mov dword [0x110], 0x00005678
    mov word [0x114], 0x3456
    ; markers at the places the loaded pointers designate
    mov ax, 0x2345
    mov es, ax
    mov word [es:0x1234], 0xA1A1    ; linear 0x24684
    mov ax, 0x3456
    mov es, ax
    mov word [es:0x5678], 0xB2B2    ; linear 0x39BD8

;--- LDS r16,m16:16: DS:r16 <- pointer
    push ds
    lds si, [0x100]
    mov ax, ds
    mov bx, [si]                    ; through the new DS
    pop ds
    CHECK si, 0x1234, "lds offset"
    CHECK ax, 0x2345, "lds selector"
    CHECK bx, 0xA1A1, "lds base"

;--- LES r16,m16:16
    xor di, di
    les di, [0x100]
    CHECKS es, 0x2345, "les selector"
    CHECK di, 0x1234, "les offset"
    CHECK word [es:di], 0xA1A1, "les base"

;--- LFS / LGS with a 16-bit offset
    lfs bx, [0x100]
    CHECKS fs, 0x2345, "lfs selector"
    CHECK bx, 0x1234, "lfs offset"
    CHECK word [fs:bx], 0xA1A1, "lfs base"
    lgs cx, [0x100]
    CHECKS gs, 0x2345, "lgs selector"
    CHECK cx, 0x1234, "lgs offset"
    mov bx, cx
    CHECK word [gs:bx], 0xA1A1, "lgs base"

;--- 32-bit operand size: m16:32, the register gets the 32-bit offset
    mov edx, 0xFFFFFFFF
    lfs edx, [0x110]
    CHECK edx, 0x00005678, "lfs r32 offset"
    CHECKS fs, 0x3456, "lfs r32 selector"
    CHECK word [fs:0x5678], 0xB2B2, "lfs r32 base"
    lgs eax, [0x110]
    CHECK eax, 0x00005678, "lgs r32"
    CHECKS gs, 0x3456, "lgs r32 selector"
    les edi, [0x110]
    CHECK edi, 0x00005678, "les r32"
    CHECKS es, 0x3456, "les r32 selector"
    push ds
    lds esi, [0x110]
    mov ax, ds
    pop ds
    CHECK esi, 0x00005678, "lds r32"
    CHECK ax, 0x3456, "lds r32 selector"

;--- LSS: SS:SP from memory in one instruction; the stack then works at the new place
    mov word [0x120], 0x0800        ; SP
    mov word [0x122], 0x2000        ; SS -> new top at linear 0x20800
    mov word [0x124], sp
    mov word [0x126], ss
    lss sp, [0x120]
    mov ax, sp
    mov bx, ss
    push word 0x5A5A                ; to linear 0x207FE
    lss sp, [0x124]                 ; back to the old stack
    CHECK ax, 0x0800, "lss sp"
    CHECK bx, 0x2000, "lss ss"
    push es
    push word 0x2000
    pop es
    CHECK word [es:0x07FE], 0x5A5A, "lss stack base"
    pop es
    ; LSS with a 32-bit offset
    mov dword [0x130], 0x00000700
    mov word [0x134], 0x2000
    mov [0x138], esp
    mov [0x13C], ss
    lss esp, [0x130]
    mov edx, esp
    mov cx, ss
    lss esp, [0x138]
    CHECK edx, 0x00000700, "lss esp"
    CHECK cx, 0x2000, "lss r32 ss"

;--- the destination register is also the base of the address: the address is computed
; first (SDM LDS: DEST <- offset part of the pointer after SRC is read)
    mov word [0x140], 0x7777
    mov word [0x142], 0x5000
    mov bx, 0x140
    push ds
    lds bx, [bx]
    mov ax, ds
    pop ds
    CHECK bx, 0x7777, "lds bx,[bx] offset"
    CHECK ax, 0x5000, "lds bx,[bx] selector"

;--- memory operand with a segment override and a different addressing form
    push word 0x4000
    pop es
    mov word [es:0x10], 0x0042
    mov word [es:0x12], 0x2345
    mov bx, 0x10
    lds ax, [es:bx]
    mov cx, ds
    mov dx, [0x1234]                ; DS=0x2345 now: linear 0x24684 = 0xA1A1
    push word SCRATCH_SEG
    pop ds
    CHECK ax, 0x0042, "lds [es:bx] offset"
    CHECK cx, 0x2345, "lds [es:bx] selector"
    CHECK dx, 0xA1A1, "lds [es:bx] base"
TEST_END
