; pg_rmwflags: read-modify-write instructions whose write faults leave EFLAGS as before them.
;
; SDM Vol.3 6.5: a fault is reported with the machine state as it was before the faulting
; instruction began, so the EFLAGS image the #PF handler finds on its stack holds the flags
; before the instruction, and the instruction restarted after the handler computes from them.
; Here the destination page is readable but not writable (CR0.WP=1, so also for CPL 0: SDM 4.6):
; the read succeeds, the flags are computed, and only the write faults. The handler makes the
; page writable and restarts the instruction (PG_ARM_FIX). ADC and SBB read CF, so a restart
; from the wrong flags also stores a wrong value. Each case runs 20 times, so that code
; translated by the JIT (from its 8th run) faults too. Expected memory values are the
; instruction's definition (SDM Vol.2) applied to the flags before it.
%include "paging.inc"

%define T0      TPAGE(0)
%define COUNT   pg_var0
%define AFTER   pg_var0 + 4
%define ARITH   0x8D5                   ; OF SF ZF AF PF CF

; RMW_CASE init, flags_before, {instruction}, expected_memory, "what"
; EAX = 2 and ECX = 0x10 when the instruction runs; the dword at T0 starts as init.
%macro RMW_CASE 5
    mov dword [COUNT], 20
%%again:
    SETPTE T0, FRAME(0) | PG_P | PG_U           ; read-only
    invlpg [T0]
    mov dword [FRAME(0)], %1
    PG_ARM_FIX PTE_OF(T0), PG_W
    mov edx, [T0]                               ; a read translation in the TLB: only the write misses
    mov eax, 2
    mov ecx, 0x10
    push dword (%2) | 2
    popfd
    %3
    pushfd
    pop dword [AFTER]
    %strcat %%m1 %5, ": one #PF"
    %strcat %%m2 %5, ": pushed EFLAGS = the flags before the instruction"
    %strcat %%m3 %5, ": memory after the restart"
    PCHECK dword [pf_count], 1, %%m1
    mov eax, [pf_eflags]
    and eax, ARITH
    PCHECK eax, (%2) & ARITH, %%m2
    PCHECK dword [FRAME(0)], %4, %%m3
    dec dword [COUNT]
    jnz %%again
%endmacro

PG_BEGIN "pg_rmwflags"
    mov eax, cr0
    or eax, CR0_WP
    mov cr0, eax
    SETPTE T0, FRAME(0) | PG_P | PG_U
    FLUSH

    ; 1 + 2 + CF(1) = 4; a restart with the carry-out of the first attempt (0) would store 3
    RMW_CASE 1, 0x001, {adc dword [T0], eax}, 4, "adc dword [m], eax (CF=1)"
    ; 5 - 2 - CF(1) = 2, 8-bit
    RMW_CASE 5, 0x0C5, {sbb byte [T0], al}, 2, "sbb byte [m], al (CF=1 ZF=1 PF=1 SF=1)"
    ; flags that do not feed the result: the handler still sees them unchanged
    RMW_CASE 7, 0x8D5, {add dword [T0], 1}, 8, "add dword [m], 1 (all six set)"
    RMW_CASE 0x0F0F, 0x000, {or word [T0], 0x00F0}, 0x0FFF, "or word [m], imm (all clear)"
    RMW_CASE 0x7F, 0x001, {inc byte [T0]}, 0x80, "inc byte [m] (CF=1 kept)"
    RMW_CASE 3, 0x040, {neg dword [T0]}, 0xFFFFFFFD, "neg dword [m] (ZF=1)"
    RMW_CASE 0x40000001, 0x8C4, {shl dword [T0], 1}, 0x80000002, "shl dword [m], 1 (OF SF ZF PF)"
    RMW_CASE 0, 0x011, {bts dword [T0], 3}, 8, "bts dword [m], 3 (AF CF)"
    RMW_CASE 0x30, 0x0C0, {xadd dword [T0], ecx}, 0x40, "xadd dword [m], ecx (SF ZF)"
    ; ADC again with CF=0 before: 1 + 2 + 0 = 3
    RMW_CASE 1, 0x8D4, {adc dword [T0], eax}, 3, "adc dword [m], eax (CF=0, others set)"
    PM_END
