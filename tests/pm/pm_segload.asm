; pm_segload: protected-mode segment register loads and every descriptor check, with the fault
; each failing check raises, its error code and the pushed EIP; segment limits (byte and page
; granular, expand-down 16/32-bit), null selectors, the accessed bit, LDT selectors.
;
; SDM Vol.2 MOV "Protected Mode Exceptions" (and POP, LDS/LSS pseudo-code), for DS ES FS GS:
;   null selector: loaded, no fault; index outside the descriptor table -> #GP(selector);
;   not a data or readable code segment -> #GP(selector); data or nonconforming code with
;   RPL > DPL or CPL > DPL -> #GP(selector); not present -> #NP(selector).
; for SS: null -> #GP(0); outside the table, RPL != CPL, DPL != CPL, not a writable data
;   segment -> #GP(selector); not present -> #SS(selector).
; SDM Vol.3 6.13: the error code of a segment fault is the selector's index and TI with the RPL
; field replaced by IDT=0/EXT=0, i.e. selector & 0xFFFC here.
; SDM Vol.3 6.5: these are faults: the pushed EIP is that of the faulting instruction and the
; segment register is unchanged.
%include "pm.inc"

%define SEL_RO      0x60        ; read-only data, flat
%define SEL_XO      0x68        ; execute-only code
%define SEL_NP      0x70        ; data, not present
%define SEL_LIM     0x78        ; data base 0x10000 limit 0xFFF bytes
%define SEL_LIMG    0x80        ; data base 0x10000 limit 0 pages (G=1): 0xFFF
%define SEL_DOWN16  0x88        ; expand-down, B=0, limit 0xFFF, base 0x10000
%define SEL_DOWN32  0x90        ; expand-down, B=1, limit 0xFFF, base 0
%define SEL_STK3    0x98        ; ring-3 16-bit stack, base 0x60000 limit 0xFFF
%define SEL_UNACC   0xA0        ; data with the accessed bit clear
%define SEL_LDT     0xA8        ; LDT at 0x6000, 4 entries
%define LDT_BASE    0x6000

PM_BEGIN "pm_segload"
    SETDESC SEL_RO, 0, 0xFFFFF, 0x91, G_4K | G_32
    SETDESC SEL_XO, 0xF0000, 0xFFFF, 0x99, G_32
    SETDESC SEL_NP, 0, 0xFFFFF, 0x13, G_4K | G_32
    SETDESC SEL_LIM, 0x10000, 0xFFF, ACC_DATA, G_32
    SETDESC SEL_LIMG, 0x10000, 0, ACC_DATA, G_4K | G_32
    SETDESC SEL_DOWN16, 0x10000, 0xFFF, 0x97, 0
    SETDESC SEL_DOWN32, 0, 0xFFF, 0x97, G_32
    SETDESC SEL_STK3, 0x60000, 0xFFF, ACC_DATA | DPL(3), 0
    SETDESC SEL_UNACC, 0, 0xFFFFF, 0x92, G_4K | G_32
    SETDESC SEL_LDT, LDT_BASE, 0x1F, ACC_LDT, 0
    ; LDT entries: 0x04 flat data, 0x0C data base 0x10000, 0x14 not present
    mov dword [LDT_BASE + 0x00], DESC_LO(0, 0xFFFFF)
    mov dword [LDT_BASE + 0x04], DESC_HI(0, 0xFFFFF, ACC_DATA, G_4K | G_32)
    mov dword [LDT_BASE + 0x08], DESC_LO(0x10000, 0xFFFF)
    mov dword [LDT_BASE + 0x0C], DESC_HI(0x10000, 0xFFFF, ACC_DATA, G_32)
    mov dword [LDT_BASE + 0x10], DESC_LO(0, 0xFFFF)
    mov dword [LDT_BASE + 0x14], DESC_HI(0, 0xFFFF, 0x13, 0)
    mov dword [0x10000], 0x11223344
    mov dword [0x10FFC], 0x55667788

;--- valid loads: the cache takes base and limit from the descriptor (SDM Vol.3 3.4.3)
    mov ax, SEL_LIM
    mov es, ax
    PCHECKS es, SEL_LIM, "es loaded"
    PCHECK dword [es:0], 0x11223344, "es base 0x10000"
    PCHECK dword [es:0xFFC], 0x55667788, "es last dword within limit"
    mov ax, SEL_RO
    mov fs, ax
    PCHECK dword [fs:0x10000], 0x11223344, "read through read-only data"

;--- the accessed bit (SDM Vol.3 3.4.5.1: set by the processor when the selector is loaded)
    PCHECK byte [GDT_BASE + SEL_UNACC + 5], 0x92, "accessed clear before"
    mov ax, SEL_UNACC
    mov gs, ax
    PCHECK byte [GDT_BASE + SEL_UNACC + 5], 0x93, "accessed set by the load"

;--- null selectors: DS ES FS GS may hold them (0..3); using them is #GP(0) (SDM Vol.3 3.4.2)
    PM_ARM .null_r
    mov ax, 3
    mov gs, ax
    PCHECKS gs, 3, "null selector with RPL 3 loads"
.null_f:
    mov eax, [gs:0]
.null_r:
    PM_EXPECT EXC_GP, 0, .null_f, "access through a null gs"

;--- selector beyond the GDT limit (0x7FF): #GP(selector)
    mov ax, SEL_LIM
    mov es, ax
    PM_ARM .lim_r
    mov ax, 0x800
.lim_f:
    mov es, ax
.lim_r:
    PM_EXPECT EXC_GP, 0x800, .lim_f, "gdt limit"
    PCHECKS es, SEL_LIM, "es unchanged after the fault"

;--- LDT selector while LDTR is null: #GP(selector) (SDM Vol.3 3.5.1: LDTR null -> every TI=1
;    selector is outside the table)
    PM_ARM .ldt0_r
    mov ax, 0x0C
.ldt0_f:
    mov es, ax
.ldt0_r:
    PM_EXPECT EXC_GP, 0x0C, .ldt0_f, "ldt selector with null ldtr"

;--- system descriptor (the TSS) into a data register: #GP(selector)
    PM_ARM .sys_r
    mov ax, SEL_TSS
.sys_f:
    mov ds, ax
.sys_r:
    PM_EXPECT EXC_GP, SEL_TSS, .sys_f, "tss selector into ds"

;--- execute-only code into a data register: #GP; readable code is fine
    PM_ARM .xo_r
    mov ax, SEL_XO
.xo_f:
    mov fs, ax
.xo_r:
    PM_EXPECT EXC_GP, SEL_XO, .xo_f, "execute-only code into fs"
    mov ax, SEL_CODE32
    mov fs, ax
    PCHECK dword [fs:pm_gdt], 0, "read through readable code"

;--- RPL > DPL: #GP(selector & ~3)
    PM_ARM .rpl_r
    mov ax, SEL_DATA32 | 3
.rpl_f:
    mov es, ax
.rpl_r:
    PM_EXPECT EXC_GP, SEL_DATA32, .rpl_f, "rpl 3 > dpl 0"

;--- not present: #NP(selector), checked after the type and privilege checks
    PM_ARM .np_r
    mov ax, SEL_NP
.np_f:
    mov ds, ax
.np_r:
    PM_EXPECT EXC_NP, SEL_NP, .np_f, "not-present data into ds"
    ; POP DS and LES check the same way
    PM_ARM .np2_r
    push dword SEL_NP
.np2_f:
    pop es
.np2_r:
    add esp, 4
    PM_EXPECT EXC_NP, SEL_NP, .np2_f, "pop es of a not-present segment"
    mov dword [pm_var0], 0x1234
    mov word [pm_var0 + 4], SEL_XO
    PM_ARM .np3_r
.np3_f:
    lgs eax, [pm_var0]
.np3_r:
    PM_EXPECT EXC_GP, SEL_XO, .np3_f, "lgs with execute-only code"

;--- SS: null #GP(0); RPL != CPL, DPL != CPL, read-only, code #GP(sel); not present #SS(sel)
    PM_ARM .ss0_r
    xor eax, eax
.ss0_f:
    mov ss, ax
.ss0_r:
    PM_EXPECT EXC_GP, 0, .ss0_f, "null ss"
    PM_ARM .ss1_r
    mov ax, SEL_DATA32 | 1
.ss1_f:
    mov ss, ax
.ss1_r:
    PM_EXPECT EXC_GP, SEL_DATA32, .ss1_f, "ss rpl != cpl"
    PM_ARM .ss2_r
    mov ax, SEL_DATA3 & ~3
.ss2_f:
    mov ss, ax
.ss2_r:
    PM_EXPECT EXC_GP, SEL_DATA3 & ~3, .ss2_f, "ss dpl 3 != cpl 0"
    PM_ARM .ss3_r
    mov ax, SEL_RO
.ss3_f:
    mov ss, ax
.ss3_r:
    PM_EXPECT EXC_GP, SEL_RO, .ss3_f, "read-only ss"
    PM_ARM .ss4_r
    mov ax, SEL_CODE32
.ss4_f:
    mov ss, ax
.ss4_r:
    PM_EXPECT EXC_GP, SEL_CODE32, .ss4_f, "code into ss"
    PM_ARM .ss5_r
    mov ax, SEL_NP
.ss5_f:
    mov ss, ax
.ss5_r:
    PM_EXPECT EXC_SS, SEL_NP, .ss5_f, "not-present ss is #SS"
    mov dword [pm_var0], STACK0_TOP
    mov word [pm_var0 + 4], SEL_RO
    PM_ARM .ss6_r
.ss6_f:
    lss esp, [pm_var0]
.ss6_r:
    PM_EXPECT EXC_GP, SEL_RO, .ss6_f, "lss with read-only data"
    mov eax, esp
    PCHECK eax, STACK0_TOP, "esp unchanged by the failed lss"

;--- limits (SDM Vol.3 5.3): an access whose last byte lies beyond the limit is #GP(0)
    mov ax, SEL_LIM
    mov es, ax
    PM_ARM .l1_r
    mov al, [es:0xFFF]                  ; last byte: fine
.l1_f:
    mov eax, [es:0xFFD]                 ; bytes FFD..1000: the last one is past the limit
.l1_r:
    PM_EXPECT EXC_GP, 0, .l1_f, "dword across the limit"
    ; G=1: limit 0 means 0xFFF (SDM Vol.3 3.4.5: limit << 12 | 0xFFF)
    mov ax, SEL_LIMG
    mov es, ax
    PCHECK dword [es:0xFFC], 0x55667788, "page-granular limit 0 covers 0xFFF"
    PM_ARM .l2_r
.l2_f:
    mov byte [es:0x1000], 0
.l2_r:
    PM_EXPECT EXC_GP, 0, .l2_f, "page-granular limit 0: offset 0x1000"

;--- expand-down (SDM Vol.3 3.4.5.1): valid offsets limit+1 .. 0xFFFF (B=0) or 0xFFFFFFFF (B=1)
    mov dword [0x11000], 0xCAFEF00D
    mov ax, SEL_DOWN16
    mov es, ax
    PCHECK dword [es:0x1000], 0xCAFEF00D, "expand-down: limit+1 is valid"
    PM_ARM .d1_r
.d1_f:
    mov al, [es:0xFFF]
.d1_r:
    PM_EXPECT EXC_GP, 0, .d1_f, "expand-down: the limit itself is invalid"
    mov al, [es:0xFFFF]
    PM_ARM .d2_r
.d2_f:
    mov ax, [es:0xFFFF]                 ; second byte at 0x10000 > 0xFFFF (B=0)
.d2_r:
    PM_EXPECT EXC_GP, 0, .d2_f, "expand-down B=0: word at 0xFFFF"
    mov ax, SEL_DOWN32
    mov es, ax
    mov dword [0x20000], 0x0BADBEEF
    PCHECK dword [es:0x20000], 0x0BADBEEF, "expand-down B=1 above 64 KiB"
    PM_ARM .d3_r
.d3_f:
    mov eax, [es:0xFFE]
.d3_r:
    PM_EXPECT EXC_GP, 0, .d3_f, "expand-down B=1: below limit+1"

;--- writes: read-only data, code through a CS override: #GP(0)
    mov ax, SEL_RO
    mov es, ax
    PM_ARM .w1_r
.w1_f:
    mov byte [es:0x10000], 1
.w1_r:
    PM_EXPECT EXC_GP, 0, .w1_f, "write to read-only data"
    PM_ARM .w2_r
.w2_f:
    mov [cs:pm_var0], eax
.w2_r:
    PM_EXPECT EXC_GP, 0, .w2_f, "write through cs"

;--- the LDT: LLDT, SLDT, a TI=1 selector, #NP from the LDT
    mov ax, SEL_LDT
    lldt ax
    sldt bx
    PCHECK bx, SEL_LDT, "sldt"
    mov ax, 0x0C                        ; LDT entry 1, RPL 0
    mov es, ax
    PCHECK dword [es:0], 0x11223344, "ldt data segment base"
    PCHECKS es, 0x0C, "ldt selector in es"
    PM_ARM .ldt1_r
    mov ax, 0x14
.ldt1_f:
    mov fs, ax
.ldt1_r:
    PM_EXPECT EXC_NP, 0x14, .ldt1_f, "not present in the ldt: error code has TI"
    PM_ARM .ldt2_r
    mov ax, 0x1C                        ; entry 3: beyond the LDT limit 0x1F? 0x18+7 = 0x1F: inside,
.ldt2_f:                                ; but a zero descriptor (not a data segment)
    mov fs, ax
.ldt2_r:
    PM_EXPECT EXC_GP, 0x1C, .ldt2_f, "zero ldt descriptor"
    PM_ARM .ldt3_r
    mov ax, 0x24                        ; entry 4: 0x20 + 7 > 0x1F
.ldt3_f:
    mov fs, ax
.ldt3_r:
    PM_EXPECT EXC_GP, 0x24, .ldt3_f, "beyond the ldt limit"
    xor eax, eax
    lldt ax
    mov fs, ax
    mov ax, SEL_DATA32
    mov es, ax

;--- from ring 3: CPL > DPL is #GP; conforming readable code may be loaded (no DPL check)
    TO_RING3
    PM_ARM .r3a_r
    mov ax, SEL_DATA32
.r3a_f:
    mov es, ax
.r3a_r:
    PM_EXPECT EXC_GP, SEL_DATA32, .r3a_f, "ring 3 loads dpl 0 data"
    PCHECK dword [exc_cs], SEL_CODE3, "fault pushed ring-3 cs"
    mov ax, SEL_CODE32C | 3
    mov es, ax
    PCHECK dword [es:pm_gdt], 0, "ring 3 reads conforming dpl-0 code"
    ; a ring-3 16-bit stack segment: push below its limit... then past it: #SS(0)
    mov ax, SEL_STK3 | 3
    mov ss, ax
    mov esp, 0x1000
    push eax
    mov ebx, esp
    PCHECK ebx, 0xFFC, "push on the small stack"
    mov esp, 2
    PM_ARM .stk_r
.stk_f:
    push eax                            ; SP = 2 - 4 = 0xFFFE (B=0), beyond the limit 0xFFF
.stk_r:
    mov ax, SEL_DATA3
    mov ss, ax
    mov esp, STACK3_TOP
    PM_EXPECT EXC_SS, 0, .stk_f, "push past the stack limit"
    TO_RING0
PM_END
