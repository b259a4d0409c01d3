; pg_tlb: 4 MiB pages (CR4.PSE), global pages (CR4.PGE) and TLB invalidation (SDM Vol.3 4.10).
; Only what the SDM guarantees is asserted: after INVLPG, MOV to CR3 or a MOV to CR4 that
; changes PGE, the new translation IS used. Whether a stale translation is still used without
; them is up to the processor (SDM 4.10.1: a processor may cache or not; 4.10.4.3, 4.10.2.4: a
; global translation may be evicted): that is only logged.
;
; SDM Vol.3 4.10.4.1, operations that invalidate TLBs:
;   INVLPG: "invalidates any TLB entries for the page number of the linear address ... This
;     applies ... (also to) global pages" and the paging-structure caches;
;   MOV to CR3: invalidates all TLB entries except those for global pages;
;   MOV to CR4 that changes CR4.PGE: invalidates all TLB entries, global ones included.
; SDM 4.10.2.4: a translation is global only if G=1 in its PTE (PDE for 4 MiB) and CR4.PGE=1.
; SDM 4.10.2.3: a processor may cache a 4 MiB page as several 4 KiB TLB entries; INVLPG still
;   "invalidate(s) all TLB entries corresponding to the translation specified by the paging
;   structures", i.e. any address in the 4 MiB page invalidates the whole page.
; SDM 4.3 (table 4-4): with CR4.PSE=1 a PDE with PS=1 maps a 4 MiB page: physical address =
;   PDE bits 31:22 : linear bits 21:0; with CR4.PSE=0 PS is ignored and the PDE references a
;   page table (table 4-5).
%include "paging.inc"

%define T0      TPAGE(0)
%define T1      TPAGE(1)
%define T2      TPAGE(2)
%define A_VAL   0xAAAA0010      ; in FRAME(16)
%define B_VAL   0xBBBB0011      ; in FRAME(17)
%define BIG     0x800000        ; PDE 2
%define PT2     0x400000        ; physical: a page table at a 4 MiB boundary (so the same PDE is
                                ; a valid 4 MiB page: bits 21:12 zero), reached through ALIAS
%define ALIAS   TPAGE(63)       ; -> physical PT2
%define AL_LO   TPAGE(62)       ; -> physical 0x405000
%define AL_HI   TPAGE(61)       ; -> physical 0xC05000
%define AL_END  TPAGE(60)       ; -> physical 0x7FF000 (the last 4 KiB of the 4 MiB page at PT2)

; READ lin, expected, "what": read lin (no #PF) and check the value
%macro READ 3
    PG_ARM 0
    mov eax, [%1]
    PG_NOPF %3
    PCHECK eax, %2, %3
%endmacro

PG_BEGIN "pg_tlb"
    mov dword [FRAME(16)], A_VAL
    mov dword [FRAME(17)], B_VAL

;--- non-global 4 KiB pages
    MAP T0, FRAME(16), PG_PRES
    READ T0, A_VAL, "first translation"
    SETPTE T0, FRAME(17) | PG_PRES
    mov eax, [T0]
    cmp eax, A_VAL
    jne .t0
    PLOG "note: changed PTE without INVLPG: stale translation used (allowed)"
.t0:
    invlpg [T0]
    READ T0, B_VAL, "INVLPG: new translation used"
    SETPTE T0, FRAME(16) | PG_PRES
    FLUSH
    READ T0, A_VAL, "MOV CR3: new translation used"
    SETPTE T0, FRAME(16)                ; P=0
    invlpg [T0]
    PG_ARM .np
.npf:
    mov eax, [T0]
.np:
    PG_EXPECT 0, T0, .npf, "INVLPG after clearing P: the access faults"

;--- global pages (CR4.PGE=1)
    mov eax, cr4
    or eax, CR4_PGE
    mov cr4, eax
    MAP T1, FRAME(16), PG_PRES | PG_G
    READ T1, A_VAL, "global: first translation"
    SETPTE T1, FRAME(17) | PG_PRES | PG_G
    invlpg [T1]
    READ T1, B_VAL, "INVLPG of a global page: new translation used"
    SETPTE T1, FRAME(16) | PG_PRES | PG_G
    FLUSH
    mov eax, [T1]
    cmp eax, B_VAL
    jne .g0
    PLOG "note: global page kept across MOV CR3 (allowed)"
    jmp .g1
.g0:
    PLOG "note: global page evicted by MOV CR3 (allowed)"
.g1:
    mov eax, cr4
    and eax, ~CR4_PGE
    mov cr4, eax
    READ T1, A_VAL, "MOV CR4 clearing PGE: global entry invalidated"
    ; with CR4.PGE=0 the G flag is ignored: MOV CR3 invalidates the page
    SETPTE T1, FRAME(17) | PG_PRES | PG_G
    FLUSH
    READ T1, B_VAL, "G=1 with PGE=0 is not global: MOV CR3 invalidates it"
    mov eax, cr4
    or eax, CR4_PGE
    mov cr4, eax
    READ T1, B_VAL, "MOV CR4 setting PGE"
    SETPTE T1, FRAME(16) | PG_PRES | PG_G
    mov eax, cr4
    and eax, ~CR4_PGE
    mov cr4, eax
    or eax, CR4_PGE
    mov cr4, eax
    READ T1, A_VAL, "MOV CR4 toggling PGE: global entry invalidated"

;--- PS with CR4.PSE=0 and 1: PT2 (at physical 0x400000) maps BIG's first page to FRAME(16)
    MAP ALIAS, PT2, PG_PRES
    MAP AL_LO, 0x405000, PG_PRES
    MAP AL_HI, 0xC05000, PG_PRES
    MAP AL_END, 0x7FF000, PG_PRES
    mov dword [ALIAS], FRAME(16) | PG_PRES
    mov dword [AL_LO], 0x10405000
    mov dword [AL_HI], 0x10C05000
    mov dword [AL_END + 0xFFC], 0x107FFFFC
    mov dword [PDE_OF(BIG)], PT2 | PG_PS | PG_PRES
    FLUSH
    READ BIG, A_VAL, "PSE=0: PS ignored, the PDE references a page table"
    mov eax, cr4
    or eax, CR4_PSE
    mov cr4, eax
    FLUSH
    ; PSE=1: BIG -> physical 0x400000 = PT2 itself, whose entry 0 the walk above marked accessed
    READ BIG, FRAME(16) | PG_PRES | PG_A, "PSE=1: 4 MiB page, offset 0"
    READ BIG + 0x5000, 0x10405000, "PSE=1: 4 MiB page, offset 0x5000"
    READ BIG + 0x3FFFFC, 0x107FFFFC, "PSE=1: 4 MiB page, last dword"

;--- INVLPG of any address in a 4 MiB page invalidates all of it (non-global, then global)
    READ BIG + 0x5000, 0x10405000, "4 MiB page cached at +0x5000"
    mov dword [PDE_OF(BIG)], 0xC00000 | PG_PS | PG_PRES
    invlpg [BIG]
    READ BIG + 0x5000, 0x10C05000, "INVLPG at +0 of a 4 MiB page invalidates +0x5000"
    mov eax, cr4
    or eax, CR4_PGE
    mov cr4, eax
    mov dword [PDE_OF(BIG)], PT2 | PG_PS | PG_PRES | PG_G
    invlpg [BIG]
    READ BIG + 0x5000, 0x10405000, "global 4 MiB page"
    READ BIG + 0x3FFFFC, 0x107FFFFC, "global 4 MiB page, last dword"
    mov dword [PDE_OF(BIG)], 0xC00000 | PG_PS | PG_PRES | PG_G
    invlpg [BIG + 0x3FF000]
    READ BIG + 0x5000, 0x10C05000, "INVLPG at the end of a global 4 MiB page invalidates +0x5000"
    PM_END
