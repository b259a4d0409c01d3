; pg_string: page faults in the middle of REP string instructions, and their resumption.
;
; SDM Vol.2 REP/REPE/REPNE: "A repeating string operation can be suspended by an exception or
; interrupt. When this happens, the state of the registers is preserved to allow the string
; operation to be resumed upon a return from the exception or interrupt handler. The source and
; destination registers point to the next string elements to be operated on, the EIP register
; points to the string instruction, and the ECX register has the value it held following the
; last successful iteration of the instruction."
; So a fault on element k (0-based) of a count-n operation is reported with ECX = n - k,
; ESI/EDI = start +/- k * size, EIP = the REP prefix, CR2 = the element's first byte in the
; missing page (SDM 6.15 int 14), elements 0..k-1 stored; the handler maps the page (sets P,
; INVLPG) and IRETs to the instruction, which finishes the remaining n - k elements.
%include "paging.inc"

%define DST     0x30000         ; identity-mapped scratch
%define SRC     0x30100

; FILL addr, first, count: dwords first, first+1, ... at addr (a physical = linear address)
%macro FILL 3
    mov edi, %1
    mov eax, %2
    mov ecx, %3
%%l:
    stosd
    inc eax
    loop %%l
%endmacro

PG_BEGIN "pg_string"
    SETPTE TPAGE(1), FRAME(1) | PG_PRES
    SETPTE TPAGE(2), FRAME(2) | PG_W | PG_U     ; not present
    SETPTE TPAGE(3), FRAME(3) | PG_PRES
    SETPTE TPAGE(4), FRAME(4) | PG_W | PG_U     ; not present
    SETPTE TPAGE(5), FRAME(5) | PG_W | PG_U     ; not present
    SETPTE TPAGE(6), FRAME(6) | PG_PRES
    SETPTE TPAGE(8), FRAME(8) | PG_PRES
    SETPTE TPAGE(9), FRAME(9) | PG_W | PG_U     ; not present
    FLUSH

;--- REP MOVSD, the source runs into a missing page after 4 of 8 dwords
    FILL FRAME(1) + 0xFF0, 1, 8                 ; dwords 1..4 in FRAME(1), 5..8 in FRAME(2)
    FILL DST, 0, 8
    mov esi, TPAGE(1) + 0xFF0
    mov edi, DST
    mov ecx, 8
    PG_ARM_FIX PTE_OF(TPAGE(2)), PG_P
.f1:
    rep movsd
    ; element 4 (at TPAGE(2)) faults: a read, supervisor, not present
    PG_EXPECT 0, TPAGE(2), .f1, "rep movsd, source fault"
    PCHECK dword [pf_ecx], 4, "rep movsd, source fault: ECX at the fault"
    PCHECK dword [pf_esi], TPAGE(2), "rep movsd, source fault: ESI at the fault"
    PCHECK dword [pf_edi], DST + 16, "rep movsd, source fault: EDI at the fault"
    PCHECK ecx, 0, "rep movsd, source fault: ECX after resumption"
    PCHECK esi, TPAGE(1) + 0xFF0 + 32, "rep movsd, source fault: ESI after resumption"
    PCHECK edi, DST + 32, "rep movsd, source fault: EDI after resumption"
%assign k 0
%rep 8
    PCHECK dword [DST + k * 4], k + 1, "rep movsd, source fault: copied data"
%assign k k+1
%endrep

;--- REP MOVSD, the destination runs into a missing page after 2 of 8 dwords
    FILL SRC, 0x100, 8
    mov esi, SRC
    mov edi, TPAGE(3) + 0xFF8
    mov ecx, 8
    PG_ARM_FIX PTE_OF(TPAGE(4)), PG_P
.f2:
    rep movsd
    PG_EXPECT PF_W, TPAGE(4), .f2, "rep movsd, destination fault"
    PCHECK dword [pf_ecx], 6, "rep movsd, destination fault: ECX at the fault"
    PCHECK dword [pf_esi], SRC + 8, "rep movsd, destination fault: ESI at the fault"
    PCHECK dword [pf_edi], TPAGE(4), "rep movsd, destination fault: EDI at the fault"
    PCHECK ecx, 0, "rep movsd, destination fault: ECX after resumption"
    PCHECK esi, SRC + 32, "rep movsd, destination fault: ESI after resumption"
    PCHECK edi, TPAGE(4) + 24, "rep movsd, destination fault: EDI after resumption"
    PCHECK dword [FRAME(3) + 0xFF8], 0x100, "rep movsd, destination fault: data 0"
    PCHECK dword [FRAME(3) + 0xFFC], 0x101, "rep movsd, destination fault: data 1"
%assign k 2
%rep 6
    PCHECK dword [FRAME(4) + (k - 2) * 4], 0x100 + k, "rep movsd, destination fault: data 2-7"
%assign k k+1
%endrep

;--- REP STOSD downwards (DF=1): 3 of 5 dwords in TPAGE(6), then TPAGE(5)'s last dword faults
    mov edi, TPAGE(6) + 8
    mov ecx, 5
    mov eax, 0x5705D
    std
    PG_ARM_FIX PTE_OF(TPAGE(5)), PG_P
.f3:
    rep stosd
    cld
    PG_EXPECT PF_W, TPAGE(5) + 0xFFC, .f3, "rep stosd with DF=1"
    PCHECK dword [pf_ecx], 2, "rep stosd with DF=1: ECX at the fault"
    PCHECK dword [pf_edi], TPAGE(5) + 0xFFC, "rep stosd with DF=1: EDI at the fault"
    PCHECK ecx, 0, "rep stosd with DF=1: ECX after resumption"
    PCHECK edi, TPAGE(5) + 0xFF4, "rep stosd with DF=1: EDI after resumption"
    PCHECK dword [FRAME(6)], 0x5705D, "rep stosd with DF=1: data at +0"
    PCHECK dword [FRAME(5) + 0xFF8], 0x5705D, "rep stosd with DF=1: data at the end"

;--- CPL 3, REP MOVSW whose third word straddles into a missing page: CR2 = the page start
    mov byte [FRAME(8) + 0xFFF], 0xEE
    TO_RING3
    mov esi, SRC
    mov edi, TPAGE(8) + 0xFFB
    mov ecx, 4
    PG_ARM_FIX PTE_OF(TPAGE(9)), PG_P
.f4:
    rep movsw
    ; element 2 covers TPAGE(8)+0xFFF and TPAGE(9)+0: a user write, not present (6)
    PG_EXPECT PF_W | PF_U, TPAGE(9), .f4, "cpl3 rep movsw, straddling element"
    PCHECK dword [pf_ecx], 2, "cpl3 rep movsw: ECX at the fault"
    PCHECK dword [pf_edi], TPAGE(8) + 0xFFF, "cpl3 rep movsw: EDI at the fault"
    PCHECK ecx, 0, "cpl3 rep movsw: ECX after resumption"
    PCHECK edi, TPAGE(8) + 0xFFB + 8, "cpl3 rep movsw: EDI after resumption"
    ; source words 0x0100 0x0000 0x0101 0x0000 (the dwords 0x100 0x101) at TPAGE(8)+0xFFB:
    ; bytes FFB..1002 = 00 01 00 00 01 01 00 00
    PCHECK dword [TPAGE(8) + 0xFFC], 0x01000001, "cpl3 rep movsw: data in the first page"
    PCHECK dword [TPAGE(9)], 0x00000001, "cpl3 rep movsw: data in the second page"
    TO_RING0
    PM_END
