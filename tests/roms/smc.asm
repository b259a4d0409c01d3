; smc: self-modifying code in RAM. Code copied to RAM, run, patched through another segment, run
; again; a patch of the very next instruction (with and without a jump after the store); a loop
; that patches its own body; code overwritten by REP MOVSB; code that has run many times (so an
; emulator may have cached or translated it) patched.
;
; SDM Vol.3 11.6 "Self-Modifying Code": "A write to a memory location in a code segment that is
; currently cached in the processor causes the associated cache line (or lines) to be
; invalidated. This check is based on the physical address of the instruction. In addition, the
; P6 family and Pentium processors check whether a write to a code segment may modify an
; instruction that has been prefetched for execution. If the write affects a prefetched
; instruction, the prefetch queue is invalidated." So on a P6-class CPU (this project's model) a
; store is seen by the next instruction fetch, even without a jump in between. (On a 486 a jump
; was needed after the store: the "jump after" case is the portable one.)
;
; The RAM code runs at CS=2000h (linear 20000h) and is entered with a far call; it is written
; through ES=1F00h (the same bytes at ES offset 1000h + x) to exercise physical, not
; segment:offset, matching.
%include "lib.inc"
%define CODE_SEG 0x2000
%define ALIAS_SEG 0x1F00
%define ALIAS_OFF 0x1000

; copy_to_ram src, len: copy len bytes from CS:src to CODE_SEG:0
%macro COPY_TO_RAM 2
    push ds
    push es
    push cs
    pop ds
    push word CODE_SEG
    pop es
    mov si, %1
    xor di, di
    mov cx, %2
    rep movsb
    pop es
    pop ds
%endmacro

TEST_BEGIN "smc"
    mov ax, ALIAS_SEG
    mov es, ax

;--- run, patch the immediate through the alias segment, run again
    COPY_TO_RAM code_a, code_a_end - code_a
    call CODE_SEG:0
    CHECK ax, 0x1111, "code in RAM runs"
    mov word [es:ALIAS_OFF + 1], 0x2222 ; B8 iw: the immediate is at offset 1
    call CODE_SEG:0
    CHECK ax, 0x2222, "patched through another segment"

;--- run it 1000 times (hot code), then patch
    mov bx, 1000
.hot:
    call CODE_SEG:0
    dec bx
    jnz .hot
    mov word [es:ALIAS_OFF + 1], 0x3333
    call CODE_SEG:0
    CHECK ax, 0x3333, "hot code patched"
    ; replace the whole instruction: B8 iw (mov ax) -> 31 C0 90 (xor ax, ax; nop)
    mov byte [es:ALIAS_OFF + 0], 0x31
    mov word [es:ALIAS_OFF + 1], 0x90C0
    mov ax, 0x5555
    call CODE_SEG:0
    CHECK ax, 0, "opcode replaced"

;--- the code patches the next instruction, then jumps to it (portable form)
    COPY_TO_RAM code_b, code_b_end - code_b
    call CODE_SEG:0
    CHECK al, 0x42, "patch next insn, jump after"
    call CODE_SEG:0                 ; already patched: same result
    CHECK al, 0x42, "patch next insn, second run"

;--- the code patches the next instruction with no jump (P6+: SDM Vol.3 11.6)
    COPY_TO_RAM code_c, code_c_end - code_c
    call CODE_SEG:0
    CHECK al, 0x43, "patch next insn, no jump"

;--- a loop that patches its own body from the 5th iteration on
    COPY_TO_RAM code_d, code_d_end - code_d
    call CODE_SEG:0                 ; 1+1+1+1+1 then 2+2+2+2+2: 15
    CHECK ax, 15, "loop patches its body"

;--- code overwritten by REP MOVSB, then run
    COPY_TO_RAM code_a, code_a_end - code_a
    call CODE_SEG:0
    CHECK ax, 0x1111, "before rep movsb overwrite"
    COPY_TO_RAM code_e, code_e_end - code_e
    call CODE_SEG:0
    CHECK ax, 0x7777, "after rep movsb overwrite"
TEST_END

; RAM routines (copied to CODE_SEG:0; offsets inside them are relative to their start)
code_a:
    mov ax, strict word 0x1111      ; B8 11 11
    retf
code_a_end:

code_b:
    mov byte [cs:code_b.next - code_b + 1], 0x42
    jmp short .next
.next:
    mov al, 0x00                    ; B0 ib: the immediate at .next+1
    retf
code_b_end:

code_c:
    mov byte [cs:code_c.next - code_c + 1], 0x43
.next:
    mov al, 0x00
    retf
code_c_end:

code_d:
    xor ax, ax
    mov cx, 10
.l:
    add ax, strict word 1           ; 05 01 00: the immediate at .l+1
    cmp cx, 6
    jne .skip
    mov byte [cs:code_d.l - code_d + 1], 2
.skip:
    loop .l
    retf
code_d_end:

code_e:
    mov ax, strict word 0x7777
    retf
code_e_end:
