; pg_rights: the page-level protection matrix of SDM Vol.3 4.6 for 4 KiB pages: every
; combination of U/S and R/W in the PDE and the PTE, CR0.WP 0 and 1, CPL 0 and 3, a read and
; a write each (64 cases x 2 accesses), the #PF error code when the access is refused, and that
; a refused write stores nothing.
;
; SDM Vol.3 4.6 and 4.6.1 (CR4.SMAP=0, no protection keys):
;   the translation is user-mode if U/S=1 in every entry (PDE and PTE), supervisor-mode if
;   U/S=0 in either; it is writable if R/W=1 in every entry, read-only if R/W=0 in either.
;   CPL 0 (supervisor-mode access): reads are allowed from any address; writes are allowed
;     anywhere with CR0.WP=0, and only to writable translations with CR0.WP=1.
;   CPL 3 (user-mode access): reads only from user-mode translations; writes only to
;     user-mode translations that are writable (CR0.WP does not matter).
; SDM Vol.3 4.7: a refusal gives P=1 (protection violation), W/R = write, U/S = CPL 3.
%include "paging.inc"

%define T       TPAGE(0)
%define case_n  pg_var0          ; the case: bit 0 PDE U/S, 1 PDE R/W, 2 PTE U/S, 3 PTE R/W,
                                 ;           4 CR0.WP, 5 CPL 3

PG_BEGIN "pg_rights"
    mov dword [case_n], 0
    mov dword [FRAME(0)], 0xFFFFFFFF
case_loop:
    mov ebx, [case_n]
    mov eax, PT1_BASE | PG_P
    test bl, 1
    jz .1
    or eax, PG_U
.1: test bl, 2
    jz .2
    or eax, PG_W
.2: mov [PDE_OF(T)], eax
    mov eax, FRAME(0) | PG_P
    test bl, 4
    jz .3
    or eax, PG_U
.3: test bl, 8
    jz .4
    or eax, PG_W
.4: mov [PTE_OF(T)], eax
    mov eax, cr0
    and eax, ~CR0_WP
    test bl, 16
    jz .5
    or eax, CR0_WP
.5: mov cr0, eax
    FLUSH                               ; new PDE and PTE (SDM 4.10.4.1)
    test byte [case_n], 32
    jz .6
    TO_RING3
.6:
    ; expected outcomes, from the rules above: user = both U/S; writable = both R/W
    mov ebx, [case_n]
    mov ecx, ebx
    shr ecx, 2
    and ecx, ebx
    mov edx, ecx
    and ecx, 1                          ; ECX = user-mode translation
    shr edx, 1
    and edx, 1                          ; EDX = writable translation
    xor esi, esi                        ; ESI = expected read result: 0 or 0x100 | error code
    xor edi, edi                        ; EDI = expected write result
    test bl, 32
    jz .cpl0
    test ecx, ecx                       ; CPL 3 read: needs user
    jnz .ur
    mov esi, 0x100 | PF_P | PF_U
.ur:
    mov eax, ecx
    and eax, edx                        ; CPL 3 write: needs user and writable
    jnz .expected
    mov edi, 0x100 | PF_P | PF_W | PF_U
    jmp .expected
.cpl0:
    test bl, 16                         ; CPL 0 write: refused only with WP=1 and read-only
    jz .expected
    test edx, edx
    jnz .expected
    mov edi, 0x100 | PF_P | PF_W
.expected:
    mov [pg_var0 + 4], esi
    mov [pg_var0 + 8], edi

    ; the read
    PG_ARM .rr
.fr:
    mov eax, [T]
.rr:
    call result                         ; EAX = 0 or 0x100 | error code, case in bits 23:16
    mov ebx, [pg_var0 + 4]
    mov ecx, [case_n]
    shl ecx, 16
    or ebx, ecx
    PCHECK eax, ebx, "read: (case << 16) | (fault << 8) | error code"
    test dword [pg_var0 + 4], 0x100
    jnz .nocr2
    PCHECK dword [pf_count], 0, "read: no #PF"
.nocr2:
    ; the write: stores case | 0xC0DE0000 unless refused
    mov edx, [case_n]
    or edx, 0xC0DE0000
    mov edi, [FRAME(0)]                 ; the old value
    PG_ARM .wr
.fw:
    mov [T], edx
.wr:
    call result
    mov ebx, [pg_var0 + 8]
    mov ecx, [case_n]
    shl ecx, 16
    or ebx, ecx
    PCHECK eax, ebx, "write: (case << 16) | (fault << 8) | error code"
    test dword [pg_var0 + 8], 0x100
    jz .stored
    PCHECK dword [FRAME(0)], edi, "refused write left memory unchanged"
    jmp .next
.stored:
    PCHECK dword [FRAME(0)], edx, "allowed write stored"
.next:
    mov ax, cs
    test al, 3
    jz .7
    TO_RING0
.7:
    inc dword [case_n]
    cmp dword [case_n], 64
    jb case_loop
    PM_END

; result: EAX = 0 if no #PF since PG_ARM, else 0x100 | error code (after checking CR2 = T and
; one fault); bits 23:16 = the case number. Disarms. Any ring.
result:
    mov dword [pf_resume], 0
    xor eax, eax
    cmp dword [pf_count], 0
    je .none
    PCHECK dword [pf_count], 1, "one #PF"
    PCHECK dword [pf_cr2], T, "CR2"
    mov eax, [pf_err]
    or eax, 0x100
.none:
    mov ecx, [case_n]
    shl ecx, 16
    or eax, ecx
    ret
