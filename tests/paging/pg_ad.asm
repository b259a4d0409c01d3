; pg_ad: the accessed and dirty flags (SDM Vol.3 4.8) set by reads, writes, instruction fetches,
; user-mode accesses, accesses that cross a page boundary, and in a 4 MiB page's PDE.
;
; SDM Vol.3 4.8: "Whenever the processor uses a paging-structure entry as part of linear-address
; translation, it sets the accessed flag in that entry (if it is not already set). Whenever
; there is a write to a linear address, the processor sets the dirty flag (if it is not already
; set) in the paging-structure entry that identifies the final physical address for the linear
; address (either a PTE or a paging-structure entry in which the PS flag is 1)."
; So: a read sets A in the PDE and the PTE and leaves D clear; a write sets A and D in the PTE
; (D in the PDE of a 4 MiB page); bit 6 of a PDE that references a page table is ignored
; (SDM 4.3, table 4-5), so it is not checked. A/D flags are not cleared by the processor: software
; clears them, and after INVLPG the next access walks the entries again and sets them again
; (SDM 4.10.4.1: INVLPG invalidates the TLB entries and paging-structure caches for the page).
%include "paging.inc"

%define T0      TPAGE(0)        ; read, then write
%define T1      TPAGE(1)        ; write first
%define T2      TPAGE(2)        ; code: RETF
%define T3      TPAGE(3)        ; read from CPL 3
%define T4      TPAGE(4)        ; T4/T5: accesses crossing from T4 into T5
%define T5      TPAGE(5)
%define T6      TPAGE(6)        ; T6/T7: writes crossing
%define T7      TPAGE(7)
%define BIG     0x800000        ; PDE 2: a 4 MiB page at physical 0xC00000
%define PTE0    (PG_PRES)       ; A=0, D=0

PG_BEGIN "pg_ad"
    mov byte [FRAME(2)], 0xCB           ; RETF
%assign n 0
%rep 8
    SETPTE TPAGE(n), FRAME(n) | PTE0
%assign n n+1
%endrep
    mov dword [PDE_OF(T0)], PT1_BASE | PG_PRES          ; PDE 1 with A=0
    mov dword [PDE_OF(BIG)], 0xC00000 | PG_PS | PG_PRES  ; A=0, D=0
    mov eax, cr4
    or eax, CR4_PSE
    mov cr4, eax
    FLUSH

    PG_ARM 0
    mov eax, [T0 + 0x10]
    PCHECK dword [PTE_OF(T0)], FRAME(0) | PTE0 | PG_A, "read: PTE A=1 D=0"
    mov eax, [PDE_OF(T0)]
    and eax, PG_A
    PCHECK eax, PG_A, "read: PDE A=1"
    mov dword [T0 + 0x10], 1            ; the translation is cached (D=0) from the read
    PCHECK dword [PTE_OF(T0)], FRAME(0) | PTE0 | PG_A | PG_D, "write after read: PTE A=1 D=1"
    mov dword [T1 + 0x20], 2
    PCHECK dword [PTE_OF(T1)], FRAME(1) | PTE0 | PG_A | PG_D, "first access a write: A=1 D=1"
    call SEL_FLAT0:T2
    PCHECK dword [PTE_OF(T2)], FRAME(2) | PTE0 | PG_A, "instruction fetch: A=1 D=0"

    ; accesses that cross a page boundary use both translations
    mov eax, [T4 + 0xFFE]
    PCHECK dword [PTE_OF(T4)], FRAME(4) | PTE0 | PG_A, "crossing read: first PTE A=1 D=0"
    PCHECK dword [PTE_OF(T5)], FRAME(5) | PTE0 | PG_A, "crossing read: second PTE A=1 D=0"
    mov dword [T6 + 0xFFD], 0x44332211
    PCHECK dword [PTE_OF(T6)], FRAME(6) | PTE0 | PG_A | PG_D, "crossing write: first PTE A=1 D=1"
    PCHECK dword [PTE_OF(T7)], FRAME(7) | PTE0 | PG_A | PG_D, "crossing write: second PTE A=1 D=1"
    PCHECK dword [FRAME(6) + 0xFFC], 0x33221100, "crossing write: first page bytes"
    PCHECK byte [FRAME(7)], 0x44, "crossing write: second page byte"

    ; software clears A and D; after INVLPG the next read sets A again, not D
    SETPTE T0, FRAME(0) | PTE0
    invlpg [T0]
    mov eax, [T0]
    PCHECK dword [PTE_OF(T0)], FRAME(0) | PTE0 | PG_A, "read after clearing A/D and INVLPG"
    mov byte [T0 + 0xFFF], 3
    PCHECK dword [PTE_OF(T0)], FRAME(0) | PTE0 | PG_A | PG_D, "write after clearing A/D and INVLPG"

    ; 4 MiB page: A and D live in the PDE (PS=1)
    mov eax, [BIG + 0x123458]
    PCHECK dword [PDE_OF(BIG)], 0xC00000 | PG_PS | PG_PRES | PG_A, "4 MiB read: PDE A=1 D=0"
    mov [BIG + 0x3FFFFC], eax
    PCHECK dword [PDE_OF(BIG)], 0xC00000 | PG_PS | PG_PRES | PG_A | PG_D, "4 MiB write: PDE A=1 D=1"

    ; CPL 3 reads and writes set the same flags
    TO_RING3
    mov eax, [T3 + 0x30]
    PCHECK dword [PTE_OF(T3)], FRAME(3) | PTE0 | PG_A, "cpl3 read: A=1 D=0"
    mov [T3 + 0x30], eax
    PCHECK dword [PTE_OF(T3)], FRAME(3) | PTE0 | PG_A | PG_D, "cpl3 write: A=1 D=1"
    TO_RING0
    PG_NOPF "A/D accesses"
    PM_END
