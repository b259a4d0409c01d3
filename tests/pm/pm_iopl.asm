; pm_iopl: privileged and IOPL-sensitive instructions at CPL 3; the TSS I/O permission bitmap;
; POPFD's IOPL/IF rules; RDTSC/RDPMC enables; SYSENTER/SYSEXIT.
;
; SDM Vol.3 5.9 "Privileged instructions": LGDT LLDT LTR LIDT, MOV to/from control and debug
;   registers, LMSW, CLTS, INVD, WBINVD, INVLPG, HLT, RDMSR, WRMSR can be executed only at CPL 0;
;   elsewhere they raise #GP. Each instruction's page in SDM Vol.2 ("Protected Mode Exceptions":
;   "#GP(0) If the current privilege level is not 0") gives the error code 0. SDM Vol.3 6.5 and
;   table 6-1: #GP is a fault, so the pushed EIP is that of the instruction itself.
; SDM Vol.2 CLI/STI: in protected mode with CPL > IOPL -> #GP(0); with CPL <= IOPL they change IF.
; SDM Vol.1 19.5.1/19.5.2 (I/O privilege level, I/O permission bit map): IN/OUT at CPL > IOPL
;   consult the bitmap at TSS offset [66h]; every bit of every byte port accessed must be 0, else
;   #GP(0). "the processor reads two bytes from the I/O permission bit map for every access ...
;   [the] extra byte ... must be within the segment limit", and ports the map does not span
;   (beyond the TSS limit) "are treated as if they had set bits".
; SDM Vol.2 POPF: at CPL > 0 IOPL is left unchanged; at CPL > IOPL IF is left unchanged; neither
;   raises an exception. At CPL 0 both change.
; SDM Vol.2 RDTSC: "#GP(0) If the TSD flag in register CR4 is set and the CPL is greater than 0".
; SDM Vol.2 RDPMC: "#GP(0) If the current privilege level is not 0 and the PCE flag in the CR4
;   register is clear"; with PCE set it runs at any CPL. ECX 0 and 1 are the P6 counters.
; SDM Vol.2 SYSENTER: CS.Selector = IA32_SYSENTER_CS[15:0] AND FFFCH, SS.Selector = CS.Selector
;   + 8, ESP = IA32_SYSENTER_ESP, EIP = IA32_SYSENTER_EIP, CPL = 0, flat 4 GiB segments,
;   EFLAGS.VM, IF, RF cleared; "#GP(0) If IA32_SYSENTER_CS[15:2] = 0".
; SDM Vol.2 SYSEXIT: CS.Selector = (IA32_SYSENTER_CS[15:0] + 16) OR 3, SS.Selector = CS.Selector
;   + 8 = (IA32_SYSENTER_CS + 24) OR 3, ESP = ECX, EIP = EDX, CPL = 3; "#GP(0) If CPL != 0".
%include "pm.inc"

%define SEL_SE_CODE0 0x60       ; IA32_SYSENTER_CS: flat ring-0 code
%define SEL_SE_DATA0 0x68       ;   +8: flat ring-0 stack
%define SEL_SE_CODE3 0x70       ;   +16: flat ring-3 code
%define SEL_SE_DATA3 0x78       ;   +24: flat ring-3 stack
%define ROM_LIN      0xF0000    ; linear address of offset 0 (the code segments' base)
%define CR4_TSD      0x4
%define CR4_PCE      0x100
%define IOMAP        (TSS_BASE + TSS_IOMAP)

; PRIV3 "what", instruction: at CPL 3, the instruction raises #GP(0) with EIP pointing at it.
%macro PRIV3 2+
    PM_ARM %%r
%%f:
    %2
%%r:
    PM_EXPECT EXC_GP, 0, %%f, %1
%endmacro

; IO_OK "what", instruction: the I/O instruction runs without an exception.
%macro IO_OK 2+
    PM_ARM %%r
    %2
%%r:
    PM_NOEXC %1
%endmacro

; ALLOW port: clear the port's bit in the main TSS bitmap (DS flat).
%macro ALLOW 1
    and byte [IOMAP + (%1) / 8], ~(1 << ((%1) & 7))
%endmacro

PM_BEGIN "pm_iopl"
    mov dword [pm_var0], 0x12345678
    mov dword [pm_var0 + 4], 0

;--- SYSENTER/SYSEXIT (first: they need no IRET, which KVM's instruction emulator lacks)
    ; SYSENTER_CS[15:2] = 0 -> #GP(0)
    xor eax, eax
    xor edx, edx
    mov ecx, 0x174
    wrmsr
    PM_ARM .se0_r
.se0_f:
    sysenter
.se0_r:
    PM_EXPECT EXC_GP, 0, .se0_f, "sysenter with sysenter_cs = 0"
    ; the four flat descriptors the SDM says software must provide (they are not read)
    SETDESC SEL_SE_CODE0, 0, 0xFFFFF, ACC_CODE, G_4K | G_32
    SETDESC SEL_SE_DATA0, 0, 0xFFFFF, ACC_DATA, G_4K | G_32
    SETDESC SEL_SE_CODE3, 0, 0xFFFFF, ACC_CODE | DPL(3), G_4K | G_32
    SETDESC SEL_SE_DATA3, 0, 0xFFFFF, ACC_DATA | DPL(3), G_4K | G_32
    mov ecx, 0x174
    mov eax, SEL_SE_CODE0 | 3           ; RPL bits are masked off by SYSENTER
    xor edx, edx
    wrmsr
    mov ecx, 0x175
    mov eax, STACK0_TOP - 0x100
    wrmsr
    mov ecx, 0x176
    mov eax, ROM_LIN + se_ring0
    wrmsr
    mov ecx, 0x175
    rdmsr
    PCHECK eax, STACK0_TOP - 0x100, "rdmsr sysenter_esp"
    ; SYSEXIT from ring 0 with IF=1 (SYSEXIT leaves EFLAGS alone): ring 3 at EDX, ESP=ECX
    pushfd
    or dword [esp], F_IF
    popfd
    mov dword [pm_var0 + 0x24], 0       ; se_ring0: "coming from ring 3"
    mov ecx, STACK3_TOP - 0x40
    mov edx, ROM_LIN + se_ring3
    sysexit
se_back:                                ; ring 0 again, CS = SEL_CODE32
    PCHECK dword [pm_var0 + 0x00], SEL_SE_CODE3 | 3, "sysexit: cs = sysenter_cs + 16 | 3"
    PCHECK dword [pm_var0 + 0x04], SEL_SE_DATA3 | 3, "sysexit: ss = sysenter_cs + 24 | 3"
    PCHECK dword [pm_var0 + 0x08], STACK3_TOP - 0x40, "sysexit: esp = ecx"
    PCHECK dword [pm_var0 + 0x0C], F_IF, "sysexit: eflags.if kept"
    PCHECK dword [pm_var0 + 0x10], SEL_SE_CODE0, "sysenter: cs = sysenter_cs & fffc"
    PCHECK dword [pm_var0 + 0x14], SEL_SE_DATA0, "sysenter: ss = cs + 8"
    PCHECK dword [pm_var0 + 0x18], STACK0_TOP - 0x100, "sysenter: esp = sysenter_esp"
    PCHECK dword [pm_var0 + 0x1C], 0, "sysenter: if cleared"
    PCHECK dword [pm_var0 + 0x20], 0x12345678, "sysenter: ring-3 registers kept (ebx)"
    ; SYSENTER from ring 0 works too (no CPL condition)
    mov dword [pm_var0 + 0x24], 2       ; se_ring0: "coming from ring 0"
    sysenter
se_r0_back:
    PCHECK dword [pm_var0 + 0x24], 1, "sysenter from ring 0"
    mov eax, ss
    PCHECK eax, SEL_DATA32, "ss restored"

;--- the privileged instructions at CPL 3 (IOPL 0): #GP(0) each, EIP at the instruction
    TO_RING3
    PRIV3 "hlt", hlt
    PRIV3 "lgdt", lgdt [pm_var0]
    PRIV3 "lidt", lidt [pm_var0]
    xor eax, eax
    PRIV3 "lldt", lldt ax
    mov eax, SEL_TSS
    PRIV3 "ltr", ltr ax
    mov eax, 1
    PRIV3 "lmsw", lmsw ax
    PRIV3 "clts", clts
    PRIV3 "mov eax, cr0", mov eax, cr0
    PRIV3 "mov cr0, eax", mov cr0, eax
    PRIV3 "mov eax, cr3", mov eax, cr3
    PRIV3 "mov cr3, eax", mov cr3, eax
    PRIV3 "mov eax, cr4", mov eax, cr4
    PRIV3 "mov eax, dr7", mov eax, dr7
    xor eax, eax
    PRIV3 "mov dr7, eax", mov dr7, eax
    PRIV3 "invd", invd
    PRIV3 "wbinvd", wbinvd
    PRIV3 "invlpg", invlpg [pm_var0]
    mov ecx, 0x174                      ; an MSR that exists (IA32_SYSENTER_CS): CPL alone faults
    PRIV3 "rdmsr", rdmsr
    xor eax, eax
    xor edx, edx
    PRIV3 "wrmsr", wrmsr
    PRIV3 "sysexit", sysexit
    ; SMSW is not privileged (SDM Vol.2 SMSW: no CPL check without CR4.UMIP): bit 0 (PE) is 1
    smsw eax
    and eax, 1
    PCHECK eax, 1, "smsw at cpl 3"

;--- CLI/STI: IOPL 0 < CPL 3 -> #GP(0), IF unchanged
    PRIV3 "cli at iopl 0", cli
    PRIV3 "sti at iopl 0", sti
    PCHECKF F_IF, 0, "if unchanged by the faulting sti"
    TO_RING0
    ; IOPL 3 (POPFD at CPL 0): CPL 3 <= IOPL 3, CLI/STI work
    pushfd
    or dword [esp], F_IOPL3
    popfd
    TO_RING3
    PCHECKF F_IOPL3, F_IOPL3, "iopl 3 carried to ring 3 by iret"
    PM_ARM .sti3_r
    sti
    PCHECKF F_IF, F_IF, "sti at cpl 3, iopl 3"
    cli
    PCHECKF F_IF, 0, "cli at cpl 3, iopl 3"
.sti3_r:
    PM_NOEXC "cli/sti at iopl 3"
    ; CPL 3 <= IOPL 3: IN/OUT skip the bitmap (SDM Vol.1 19.5.1), port 80h is denied there
    IO_OK "in from a denied port at iopl 3", in al, 0x80
    TO_RING0
    pushfd
    and dword [esp], ~F_IOPL3
    popfd

;--- POPFD at CPL 3 with IOPL 0: IOPL and IF silently kept, other flags change
    TO_RING3
    PM_ARM .pf3_r
    pushfd
    or dword [esp], F_IOPL3 | F_IF | F_DF | F_CF
    popfd
    PCHECKF F_IOPL3 | F_IF | F_DF | F_CF, F_DF | F_CF, "popfd at cpl 3: iopl/if kept, df/cf set"
    cld
.pf3_r:
    PM_NOEXC "popfd at cpl 3 does not fault"
    ; POPF (16-bit) the same
    pushfw                              ; 66 9C
    or word [esp], F_IOPL3 | F_IF
    popfw                               ; 66 9D
    PCHECKF F_IOPL3 | F_IF, 0, "popf (16-bit) at cpl 3: iopl/if kept"
    TO_RING0
    ; at CPL 0 both change
    pushfd
    or dword [esp], F_IOPL3 | F_IF
    popfd
    PCHECKF F_IOPL3 | F_IF, F_IOPL3 | F_IF, "popfd at cpl 0 sets iopl and if"
    ; at CPL 3 with IOPL 3: IF changes (CPL <= IOPL), IOPL still does not (CPL > 0)
    TO_RING3
    pushfd
    and dword [esp], ~(F_IOPL3 | F_IF)
    popfd
    PCHECKF F_IOPL3 | F_IF, F_IOPL3, "popfd at cpl 3, iopl 3: if cleared, iopl kept"
    TO_RING0
    pushfd
    and dword [esp], ~(F_IOPL3 | F_IF)
    popfd
    PCHECKF F_IOPL3 | F_IF, 0, "popfd at cpl 0 clears iopl and if"

;--- the I/O permission bitmap at CPL 3, IOPL 0 (CPL 0 <= IOPL 0 never consults it)
    IO_OK "in from a denied port at cpl 0", in al, 0x80
    ALLOW 0x84                          ; 84h alone
    ALLOW 0x86                          ; 86h allowed, 87h denied
    ALLOW 0x88                          ; 88h-8Bh allowed: a dword access
    ALLOW 0x89
    ALLOW 0x8A
    ALLOW 0x8B
    ALLOW 0x8F                          ; 8Fh allowed, 90h (next bitmap byte) denied
    ALLOW 0x97                          ; 97h and 98h allowed across the byte boundary
    ALLOW 0x98
    TO_RING3
    IO_OK "in al, 84h (bit clear)", in al, 0x84
    PCHECK al, 0xFF, "in al, 84h reads the unmapped port as FFh"
    IO_OK "out 84h, al (bit clear)", out 0x84, al
    mov edx, 0x84
    IO_OK "in al, dx=84h", in al, dx
    PRIV3 "in al, 80h (bit set)", in al, 0x80
    PRIV3 "out 80h, al (bit set)", out 0x80, al
    PRIV3 "in al, 85h (bit set)", in al, 0x85
    ; a word at 86h: bit 86h clear, bit 87h set -> #GP (every byte's bit is tested)
    mov edx, 0x86
    PRIV3 "in ax, dx=86h with 87h denied", in ax, dx
    PRIV3 "out dx=86h, ax with 87h denied", out dx, ax
    IO_OK "in al, dx=86h alone", in al, dx
    ; a dword at 88h: four clear bits; at 89h: the fourth port 8Ch is denied
    mov edx, 0x88
    IO_OK "in eax, dx=88h", in eax, dx
    mov edx, 0x89
    PRIV3 "in eax, dx=89h with 8Ch denied", in eax, dx
    ; a word at 8Fh: bit 8Fh (byte 11h, bit 7) clear, bit 90h (byte 12h, bit 0) set: the second
    ; bitmap byte decides
    mov edx, 0x8F
    PRIV3 "in ax, dx=8Fh with 90h denied", in ax, dx
    mov edx, 0x97
    IO_OK "in ax, dx=97h with 97h and 98h allowed", in ax, dx
    ; string forms check the same bitmap
    mov edx, 0x80
    mov edi, 0x10000
    PRIV3 "insb from 80h", insb
    mov edx, 0x84
    IO_OK "insb from 84h", insb
    ; bitmap offset beyond the TSS limit: no bitmap, every port denied, even E9h
    mov word [TSS_BASE + 0x66], 0xF000
    PRIV3 "in from e9h with the bitmap beyond the limit", in al, DEBUG_PORT
    ; the port's byte is the TSS's last byte: its bit is clear, but the second byte the
    ; processor reads lies past the limit -> #GP(0)
    mov word [TSS_BASE + 0x66], TSS_LIMIT - 0x84 / 8
    mov byte [TSS_BASE + TSS_LIMIT], 0
    PRIV3 "port bit in the TSS's last byte", in al, 0x84
    ; one byte lower: both bytes inside the limit, bit clear -> allowed
    mov word [TSS_BASE + 0x66], TSS_LIMIT - 1 - 0x84 / 8
    mov byte [TSS_BASE + TSS_LIMIT - 1], 0
    IO_OK "port bit in the byte before the TSS's last", in al, 0x84
    mov byte [TSS_BASE + TSS_LIMIT - 1], 0xFF
    mov byte [TSS_BASE + TSS_LIMIT], 0xFF
    mov word [TSS_BASE + 0x66], TSS_IOMAP
    TO_RING0

;--- RDTSC: CR4.TSD=0 any CPL; TSD=1 only CPL 0
    TO_RING3
    IO_OK "rdtsc at cpl 3, tsd clear", rdtsc
    TO_RING0
    mov eax, cr4
    or eax, CR4_TSD
    mov cr4, eax
    IO_OK "rdtsc at cpl 0, tsd set", rdtsc
    TO_RING3
    PRIV3 "rdtsc at cpl 3, tsd set", rdtsc
    TO_RING0
    mov eax, cr4
    and eax, ~CR4_TSD
    mov cr4, eax
    ; the same 100 times, so that the RDTSCs at CPL 3 also run translated by a JIT, which must
    ; still see CR4.TSD as it is each time (jitpc translates a block on its 8th run, and the
    ; segment loads after each IRET end blocks, each of which must get hot in turn)
    mov dword [pm_var0 + 8], 100
.tsd_hot:
    TO_RING3
    IO_OK "hot rdtsc at cpl 3, tsd clear", rdtsc
    TO_RING0
    mov eax, cr4
    or eax, CR4_TSD
    mov cr4, eax
    TO_RING3
    PRIV3 "hot rdtsc at cpl 3, tsd set", rdtsc
    TO_RING0
    mov eax, cr4
    and eax, ~CR4_TSD
    mov cr4, eax
    dec dword [pm_var0 + 8]
    jnz .tsd_hot

;--- RDPMC: CPL 0 always; CPL 3 only with CR4.PCE
    xor ecx, ecx
    IO_OK "rdpmc at cpl 0", rdpmc
    TO_RING3
    xor ecx, ecx
    PRIV3 "rdpmc at cpl 3, pce clear", rdpmc
    TO_RING0
    mov eax, cr4
    or eax, CR4_PCE
    mov cr4, eax
    TO_RING3
    xor ecx, ecx
    IO_OK "rdpmc at cpl 3, pce set", rdpmc
    TO_RING0
    mov eax, cr4
    and eax, ~CR4_PCE
    mov cr4, eax

PM_END

; Ring 3, flat CS = SEL_SE_CODE3 | 3 (base 0: labels are linear ROM_LIN + label). DS is still
; the ring-0 flat data segment: SYSEXIT does not touch it and nothing re-checks a loaded cache.
se_ring3:
    mov eax, cs
    mov [pm_var0 + 0x00], eax
    mov eax, ss
    mov [pm_var0 + 0x04], eax
    mov [pm_var0 + 0x08], esp
    pushfd
    pop eax
    and eax, F_IF
    mov [pm_var0 + 0x0C], eax
    mov ebx, 0x12345678
    sysenter

; Ring 0 through SYSENTER, flat CS = SEL_SE_CODE0 (base 0); back to SEL_CODE32 by a far jump.
se_ring0:
    cmp dword [pm_var0 + 0x24], 0
    je .from3
    mov dword [pm_var0 + 0x24], 1
    mov ax, SEL_DATA32
    mov ss, ax
    mov esp, STACK0_TOP
    jmp dword SEL_CODE32:se_r0_back
.from3:
    mov eax, cs
    mov [pm_var0 + 0x10], eax
    mov eax, ss
    mov [pm_var0 + 0x14], eax
    mov [pm_var0 + 0x18], esp
    pushfd
    pop eax
    and eax, F_IF
    mov [pm_var0 + 0x1C], eax
    mov [pm_var0 + 0x20], ebx
    mov dword [pm_var0 + 0x24], 0xFFFFFFFF
    mov ax, SEL_DATA32
    mov ss, ax
    mov esp, STACK0_TOP
    jmp dword SEL_CODE32:se_back
