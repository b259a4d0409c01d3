; pg_errcode: every bit of the #PF error code that 32-bit paging defines, with CR2 and the
; pushed EIP, for data reads and writes, instruction fetches, CPL 0 and CPL 3.
;
; SDM Vol.3 4.7 (figure 4-12), the error code:
;   bit 0 P:    0 = no translation (P=0 in a paging-structure entry: PDE or PTE);
;               1 = page-level protection violation or reserved bit set (all entries present)
;   bit 1 W/R:  0 = the access was a read (instruction fetches are reads), 1 = a write
;   bit 2 U/S:  0 = supervisor-mode access (CPL < 3), 1 = user-mode access (CPL 3) (SDM 4.6)
;   bit 3 RSVD: 1 = a reserved bit was set in some paging-structure entry; "Because reserved
;               bits are not checked in a paging-structure entry whose P flag is 0, bit 3 of the
;               error code can be set only if bit 0 is also set": RSVD faults have P=1
;   bit 4 I/D:  1 for an instruction fetch only with CR4.SMEP=1 or (PAE and EFER.NXE): never
;               with 32-bit paging and SMEP off, so 0 here; bits 5 (PK), 6 (SS), 15 (SGX) and
;               the rest: 0 (no protection keys, no CET, no SGX in 32-bit paging)
; SDM Vol.3 6.15 interrupt 14: CR2 holds the linear address that caused the fault; the saved
; CS:EIP points at the faulting instruction (a fault, SDM 6.5: nothing of it is committed).
%include "paging.inc"

%define T0      TPAGE(0)        ; not present (PTE P=0)
%define T1      TPAGE(1)        ; present, supervisor, writable
%define T2      TPAGE(2)        ; present, user, read-only
%define T3      TPAGE(3)        ; present, user, writable
%define T4      TPAGE(4)        ; code page (RETF at offset 0), not present at first
%define T5      TPAGE(5)        ; code page (RETF at offset 0), present, supervisor
%define T6      TPAGE(6)        ; present, supervisor, read-only
%define BIG     0x800000        ; PDE 2: a 4 MiB page with reserved bit 21 set
%define NOPDE   0xC00000        ; PDE 3: not present
; SDM Vol.3 4.3 table 4-4 (PDE that maps a 4 MiB page): bit 21 is reserved (must be 0) whether
; or not PSE-36 is supported (without PSE-36 bits 21:13 are all reserved).
%define PDE_RSVD 0x00200000

PG_BEGIN "pg_errcode"
    mov byte [FRAME(4)], 0xCB           ; RETF
    mov byte [FRAME(5)], 0xCB
    mov dword [FRAME(2) + 0x20], 0x22222222
    SETPTE T0, FRAME(0) | PG_W | PG_U
    SETPTE T1, FRAME(1) | PG_P | PG_W
    SETPTE T2, FRAME(2) | PG_P | PG_U
    SETPTE T3, FRAME(3) | PG_PRES
    SETPTE T4, FRAME(4) | PG_W | PG_U
    SETPTE T5, FRAME(5) | PG_P | PG_W
    SETPTE T6, FRAME(6) | PG_P
    mov dword [PDE_OF(BIG)], 0xC00000 | PDE_RSVD | PG_PS | PG_PRES
    mov eax, cr4
    or eax, CR4_PSE                     ; SDM 4.3: PS in a PDE is used only with CR4.PSE=1
    mov cr4, eax
    FLUSH

;--- CPL 0 (supervisor-mode accesses)
    mov eax, 0xA5A5A5A5
    PG_ARM .r1
.f1:
    mov eax, [T0 + 0x123]
.r1:
    ; P=0 (PTE not present), read, supervisor: 0
    PG_EXPECT 0, T0 + 0x123, .f1, "cpl0 read, PTE not present"
    PCHECK eax, 0xA5A5A5A5, "cpl0 read, PTE not present: EAX unchanged"

    PG_ARM .r2
.f2:
    mov dword [T0 + 0x456], 0x12345678
.r2:
    ; P=0, write (W/R=1), supervisor: 2
    PG_EXPECT PF_W, T0 + 0x456, .f2, "cpl0 write, PTE not present"
    PCHECK dword [FRAME(0) + 0x456], 0, "cpl0 write, PTE not present: memory unchanged"

    PG_ARM .r3
.f3:
    mov eax, [NOPDE + 0x10]
.r3:
    ; the PDE is not present: P=0, read: 0
    PG_EXPECT 0, NOPDE + 0x10, .f3, "cpl0 read, PDE not present"
    PG_ARM .r4
.f4:
    add [NOPDE + 0xFFC], eax
.r4:
    ; a read-modify-write destination: the SDM does not say whether W/R reports the read or
    ; the write intent (Intel CPUs are said to report a write); only logged, not asserted
    mov dword [pf_resume], 0
    PCHECK dword [pf_count], 1, "cpl0 add to memory, PDE not present: #PF count"
    PCHECK dword [pf_cr2], NOPDE + 0xFFC, "cpl0 add to memory, PDE not present: CR2"
    test dword [pf_err], PF_W
    jz .r4_read
    PLOG "note: RMW destination fault reports W/R=1 (write)"
    jmp .r4_done
.r4_read:
    PLOG "note: RMW destination fault reports W/R=0 (read)"
.r4_done:

    ; SDM 4.6.1: with CR0.WP=1 supervisor writes need R/W=1 in every entry
    mov eax, cr0
    or eax, CR0_WP
    mov cr0, eax
    PG_ARM .r5
.f5:
    mov byte [T2 + 0x20], 0x99
.r5:
    ; P=1 (protection), write, supervisor: 3
    PG_EXPECT PF_P | PF_W, T2 + 0x20, .f5, "cpl0 write to user read-only page, WP=1"
    PCHECK dword [FRAME(2) + 0x20], 0x22222222, "WP=1 write: memory unchanged"
    PG_ARM .r6
.f6:
    mov word [T6 + 0xFFE], 0x1234
.r6:
    PG_EXPECT PF_P | PF_W, T6 + 0xFFE, .f6, "cpl0 write to supervisor read-only page, WP=1"

    ; a reserved bit: RSVD=1 and P=1 (all entries were present)
    PG_ARM .r7
.f7:
    mov eax, [BIG + 0x3456]
.r7:
    PG_EXPECT PF_RSVD | PF_P, BIG + 0x3456, .f7, "cpl0 read, reserved bit in a 4 MiB PDE"
    PG_ARM .r8
.f8:
    mov [BIG + 0x8], eax
.r8:
    PG_EXPECT PF_RSVD | PF_P | PF_W, BIG + 0x8, .f8, "cpl0 write, reserved bit in a 4 MiB PDE"

    ; instruction fetch from a not-present page: a read (W/R=0), I/D=0; the handler sets P and
    ; the CALL's target instruction (RETF) restarts and returns here
    PG_ARM_FIX PTE_OF(T4), PG_P
    call SEL_FLAT0:T4
    PG_EXPECT 0, T4, T4, "cpl0 fetch, PTE not present"
    PCHECK dword [pf_cs], SEL_FLAT0, "cpl0 fetch: pushed CS"
    SETPTE T4, FRAME(4) | PG_W | PG_U   ; not present again
    invlpg [T4]

;--- CPL 3 (user-mode accesses), WP=1 still
    TO_RING3
    mov eax, 0x5A5A5A5A
    PG_ARM .u1
.uf1:
    mov eax, [T0 + 4]
.u1:
    ; P=0, read, user: 4
    PG_EXPECT PF_U, T0 + 4, .uf1, "cpl3 read, PTE not present"
    PCHECK eax, 0x5A5A5A5A, "cpl3 read, PTE not present: EAX unchanged"
    PG_ARM .u2
.uf2:
    mov dword [T0 + 8], eax
.u2:
    ; P=0, write, user: 6
    PG_EXPECT PF_U | PF_W, T0 + 8, .uf2, "cpl3 write, PTE not present"
    PG_ARM .u3
.uf3:
    mov al, [NOPDE]
.u3:
    PG_EXPECT PF_U, NOPDE, .uf3, "cpl3 read, PDE not present"
    PG_ARM .u4
.uf4:
    mov eax, [T1 + 0x10]
.u4:
    ; SDM 4.6.1: user-mode reads need U/S=1 in every entry; T1 is supervisor: P=1, read, user: 5
    PG_EXPECT PF_P | PF_U, T1 + 0x10, .uf4, "cpl3 read of a supervisor page"
    PG_ARM .u5
.uf5:
    mov dword [T1 + 0x10], 1
.u5:
    ; P=1, write, user: 7
    PG_EXPECT PF_P | PF_W | PF_U, T1 + 0x10, .uf5, "cpl3 write to a supervisor page"
    PG_ARM .u6
.uf6:
    mov dword [T2 + 0x20], 1
.u6:
    ; SDM 4.6.1: user-mode writes need R/W=1 in every entry: 7
    PG_EXPECT PF_P | PF_W | PF_U, T2 + 0x20, .uf6, "cpl3 write to a user read-only page"
    PCHECK dword [T2 + 0x20], 0x22222222, "cpl3 read of a user read-only page"
    PG_ARM 0
    mov dword [T3 + 0x30], 0x33
    PG_NOPF "cpl3 write to a user writable page"
    PCHECK dword [T3 + 0x30], 0x33, "cpl3 write to a user writable page: stored"
    PG_ARM .u7
.uf7:
    mov eax, [BIG + 0x100]
.u7:
    PG_EXPECT PF_RSVD | PF_P | PF_U, BIG + 0x100, .uf7, "cpl3 read, reserved bit"
    PG_ARM .u8
.uf8:
    mov [BIG + 0x104], eax
.u8:
    PG_EXPECT PF_RSVD | PF_P | PF_W | PF_U, BIG + 0x104, .uf8, "cpl3 write, reserved bit"
    ; user fetches: not present (4), then a supervisor page (5: P=1, U/S=1)
    PG_ARM_FIX PTE_OF(T4), PG_P
    call SEL_FLAT3:T4
    PG_EXPECT PF_U, T4, T4, "cpl3 fetch, PTE not present"
    PCHECK dword [pf_cs], SEL_FLAT3, "cpl3 fetch: pushed CS"
    PG_ARM_FIX PTE_OF(T5), PG_U
    call SEL_FLAT3:T5
    PG_EXPECT PF_P | PF_U, T5, T5, "cpl3 fetch from a supervisor page"
    TO_RING0
    PM_END
