; pg_straddle: instructions and data accesses that cross a page boundary into a missing page.
;
; SDM Vol.3 6.15 interrupt 14 and 4.7: CR2 holds the linear address whose translation failed;
; for an access split over two pages with only the second missing, that is the first byte of
; the second page. The saved CS:EIP points at the faulting instruction (its first prefix), and
; as a fault (SDM 6.5) nothing of the instruction is committed: registers and memory (also the
; bytes in the first page) are as before it. An instruction that ends exactly at the end of a
; page does not touch the next page (SDM 4.7: only accesses cause faults): the next instruction
; faults, with EIP = the page start. Instruction fetches are reads: W/R=0; I/D=0 (no SMEP).
%include "paging.inc"

%define T0      TPAGE(0)        ; CPL 0 code: mov eax, imm32 from +0xFFE into T1 (missing)
%define T1      TPAGE(1)
%define T2      TPAGE(2)        ; CPL 3 code: the same into T3 (missing)
%define T3      TPAGE(3)
%define T4      TPAGE(4)        ; inc eax at +0xFFF; RETF in T5 (missing)
%define T5      TPAGE(5)
%define T6      TPAGE(6)        ; o16 mov word [DATA], imm16 from +0xFFC into T7 (missing)
%define T7      TPAGE(7)
%define T8      TPAGE(8)        ; data: dword at +0xFFE into T9 (missing)
%define T9      TPAGE(9)
%define T10     TPAGE(10)       ; present, after T9
%define DATA    0x30000

PG_BEGIN "pg_straddle"
    ; code bytes, written through the identity map of the frames
    mov word [FRAME(0) + 0xFFE], 0x78B8         ; B8 78 | 56 34 12 CB: mov eax, 0x12345678; retf
    mov dword [FRAME(1)], 0xCB123456
    mov word [FRAME(2) + 0xFFE], 0x44B8         ; B8 44 | 33 22 11 CB: mov eax, 0x11223344; retf
    mov dword [FRAME(3)], 0xCB112233
    mov byte [FRAME(4) + 0xFFF], 0x40           ; inc eax
    mov byte [FRAME(5)], 0xCB                   ; retf
    ; 66 C7 05 <DATA> 34 12 CB: mov word [DATA], 0x1234; retf -- 3 bytes in T6, 7 in T7
    mov dword [FRAME(6) + 0xFFC], 0x05C76600 >> 8 | (DATA & 0xFF) << 24
    mov dword [FRAME(7)], (DATA >> 8) | (0x34 << 24)
    mov word [FRAME(7) + 4], 0xCB12
    mov word [DATA], 0xAAAA
    mov dword [FRAME(8) + 0xFFC], 0xBEEF0000
    mov dword [FRAME(9)], 0x0000DEAD
    SETPTE T0, FRAME(0) | PG_PRES
    SETPTE T1, FRAME(1) | PG_W | PG_U
    SETPTE T2, FRAME(2) | PG_PRES
    SETPTE T3, FRAME(3) | PG_W | PG_U
    SETPTE T4, FRAME(4) | PG_PRES
    SETPTE T5, FRAME(5) | PG_W | PG_U
    SETPTE T6, FRAME(6) | PG_PRES
    SETPTE T7, FRAME(7) | PG_W | PG_U
    SETPTE T8, FRAME(8) | PG_PRES
    SETPTE T9, FRAME(9) | PG_W | PG_U
    SETPTE T10, FRAME(10) | PG_PRES
    FLUSH

;--- an instruction straddling into a missing page (CPL 0): CR2 = T1, EIP = T0 + 0xFFE
    xor eax, eax
    PG_ARM_FIX PTE_OF(T1), PG_P
    call SEL_FLAT0:T0 + 0xFFE
    PG_EXPECT 0, T1, T0 + 0xFFE, "cpl0 instruction straddling into a missing page"
    PCHECK dword [pf_eax], 0, "cpl0 straddling instruction: EAX unchanged at the fault"
    PCHECK eax, 0x12345678, "cpl0 straddling instruction: executed after resumption"

;--- an instruction that ends at the page end, followed by a missing page
    xor eax, eax
    PG_ARM_FIX PTE_OF(T5), PG_P
    call SEL_FLAT0:T4 + 0xFFF
    PG_EXPECT 0, T5, T5, "instruction ending at the page end: the next one faults"
    PCHECK dword [pf_eax], 1, "instruction ending at the page end: it completed"
    PCHECK eax, 1, "instruction ending at the page end: EAX after resumption"

;--- a prefixed instruction (66h) straddling: EIP = the prefix; restarted, it stores
    PG_ARM_FIX PTE_OF(T7), PG_P
    call SEL_FLAT0:T6 + 0xFFC
    PG_EXPECT 0, T7, T6 + 0xFFC, "prefixed instruction straddling into a missing page"
    PCHECK word [DATA], 0x1234, "prefixed straddling instruction: stored after resumption"

;--- data reads and writes crossing into a missing page
    mov eax, 0x5A5A5A5A
    PG_ARM .r1
.f1:
    mov eax, [T8 + 0xFFE]
.r1:
    PG_EXPECT 0, T9, .f1, "dword read crossing into a missing page"
    PCHECK eax, 0x5A5A5A5A, "crossing read: EAX unchanged"
    PG_ARM .r2
.f2:
    mov dword [T8 + 0xFFE], 0x11223344
.r2:
    PG_EXPECT PF_W, T9, .f2, "dword write crossing into a missing page"
    PCHECK dword [FRAME(8) + 0xFFC], 0xBEEF0000, "crossing write: first page unchanged"
    PCHECK dword [FRAME(9)], 0x0000DEAD, "crossing write: second page unchanged"
    PG_ARM_FIX PTE_OF(T9), PG_P
    mov dword [T8 + 0xFFE], 0x11223344
    PCHECK dword [pf_count], 1, "crossing write with the fix: one #PF"
    PCHECK dword [FRAME(8) + 0xFFC], 0x33440000, "crossing write after resumption: first page"
    PCHECK dword [FRAME(9)], 0x00001122, "crossing write after resumption: second page"
    ; the first page missing, the second present: CR2 = the access's own address
    SETPTE T9, FRAME(9) | PG_W | PG_U
    invlpg [T9]
    PG_ARM .r3
.f3:
    mov eax, [T9 + 0xFFD]
.r3:
    PG_EXPECT 0, T9 + 0xFFD, .f3, "dword read from a missing page into a present one"
    mov dword [pf_resume], 0

;--- CPL 3: the straddling instruction gives a user fetch fault (4)
    TO_RING3
    xor eax, eax
    PG_ARM_FIX PTE_OF(T3), PG_P
    call SEL_FLAT3:T2 + 0xFFE
    PG_EXPECT PF_U, T3, T2 + 0xFFE, "cpl3 instruction straddling into a missing page"
    PCHECK dword [pf_cs], SEL_FLAT3, "cpl3 straddling instruction: pushed CS"
    PCHECK eax, 0x11223344, "cpl3 straddling instruction: executed after resumption"
    ; a user page followed by a supervisor page: the second part is refused (5), CR2 = T1
    TO_RING0
    SETPTE T1, FRAME(1) | PG_P | PG_W
    SETPTE T0, FRAME(0) | PG_PRES
    invlpg [T1]
    TO_RING3
    PG_ARM .r4
.f4:
    mov eax, [T0 + 0xFFE]
.r4:
    PG_EXPECT PF_P | PF_U, T1, .f4, "cpl3 read crossing into a supervisor page"
    TO_RING0

;--- a word and a dword read crossing into a missing page, 20 times each (so that a JIT runs them
;    translated from their 8th run: its inline access must see the crossing); the handler makes
;    T9 present and the read restarts. HOT_CROSS {read into ecx}, value, "what"
%macro HOT_CROSS 3
    SETPTE T9, FRAME(9) | PG_W | PG_U
    invlpg [T9]
    xor ecx, ecx
    PG_ARM_FIX PTE_OF(T9), PG_P
%%f:
    %1
    %strcat %%m1 %3, " crossing into a missing page"
    %strcat %%m2 %3, " crossing: value after the restart"
    PG_EXPECT 0, T9, %%f, %%m1
    PCHECK ecx, %2, %%m2
%endmacro
    SETPTE T8, FRAME(8) | PG_PRES
    mov dword [pg_var0], 20
.hot:
    HOT_CROSS {mov ecx, [T8 + 0xFFE]}, 0x11223344, "hot dword read"   ; the bytes written above
    HOT_CROSS {mov cx, [T8 + 0xFFF]}, 0x2233, "hot word read"
    dec dword [pg_var0]
    jnz .hot
    PM_END
