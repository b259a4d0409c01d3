; pm_lar: LAR, LSL, VERR, VERW, ARPL (SDM Vol.2 pages of each).
;
; SDM Vol.2 LAR/LSL/VERR/VERW pseudo-code: ZF=0 (and the destination unchanged: "the ZF flag is
;   cleared and no access rights are loaded") when the selector is null, outside the GDT/LDT
;   limit, or (for a segment that is not conforming code) DPL < CPL or DPL < RPL; also when the
;   descriptor type is not one the instruction accepts. None of these faults. The present bit is
;   not checked (LAR reports it in the access rights).
; LAR accepts every code/data segment and the system types 1 2 3 (16-bit TSS, LDT, busy 16-bit
;   TSS), 4 5 (16-bit call gate, task gate), 9 B (32-bit TSS), C (32-bit call gate); not the
;   interrupt/trap gates 6 7 E F nor the reserved types 0 8 A D (SDM Vol.2 LAR table 3-xx).
;   16-bit operand: DEST = second descriptor dword AND FF00H (only the low word of the register
;   is written); 32-bit: AND 00FxFF00H, where x (bits 19:16, the limit's top nibble) is
;   undefined: the checks below mask them out whenever that nibble is not 0 (this host's CPU
;   returns the limit bits there, jitpc returns 0; both are allowed).
; LSL accepts every code/data segment and the system types 1 2 3 9 B only (no gates). The limit
;   is the byte-granular scaled limit: G=1 -> (limit << 12) | FFFH (SDM Vol.3 3.4.5); a 16-bit
;   operand receives the low 16 bits of it.
; VERR: ZF=1 for a data segment or a readable code segment; VERW: ZF=1 only for a writable data
;   segment; system descriptors ZF=0; conforming code skips the DPL test.
; ARPL r/m16, r16: IF DEST.RPL < SRC.RPL THEN ZF=1, DEST.RPL = SRC.RPL ELSE ZF=0 (DEST kept).
; Real-address mode exceptions (each page): "#UD The ... instruction is not recognized in
;   real-address mode": all five raise #UD (vector 6, a fault: IP of the instruction).
;
; Checked on the host CPU (64-bit Linux, ring 3, the kernel's GDT): LAR/LSL/VERR/VERW of the user
; code/data selectors, null, a DPL-0 selector, beyond the GDT limit, a TI=1 selector with no LDT,
; 16-bit forms keeping the register's upper half: the same ZF and values as derived here.
%include "pm.inc"

%define SEL_D0      0x60        ; data RW, DPL 0, limit 12345h pages, G D AVL
%define SEL_D3      0x68        ; data read-only, DPL 3, limit FFFh bytes
%define SEL_XO      0x78        ; code execute-only, DPL 0
%define SEL_CCX     0x80        ; conforming execute-only, DPL 0
%define SEL_CG      0x88        ; 32-bit call gate, DPL 3, 2 parameters
%define SEL_IG      0x90        ; 32-bit interrupt gate
%define SEL_TG      0x98        ; task gate
%define SEL_LDT     0xA0        ; LDT at 6000h, limit 1Fh
%define SEL_TSS16   0xA8        ; available 16-bit TSS, limit 2Bh
%define SEL_RSV0    0xB0        ; reserved system type 0
%define SEL_RSVD    0xB8        ; reserved system type D
%define SEL_NP      0xC0        ; data, not present
%define LDT_BASE    0x6000

; ACC op, dst, sel, zf, expected EAX, "what": EAX = DEADBEEFh, ZF = !zf, `op dst, cx` with
; CX = sel; then ZF must be zf and EAX the expected value.
%macro ACC 6
    mov eax, 0xDEADBEEF
    mov ecx, %3
  %if %4
    test eax, eax
  %else
    cmp eax, eax
  %endif
    %1 %2, cx
    %strcat %%m1 %6, ": zf"
    %strcat %%m2 %6, ": destination"
    PCHECKF F_ZF, (%4) * F_ZF, %%m1
    PCHECK eax, %5, %%m2
%endmacro

; VER op, sel, zf, "what"
%macro VER 4
    mov ecx, %2
  %if %3
    test esp, esp
  %else
    cmp eax, eax
  %endif
    %1 cx
    PCHECKF F_ZF, (%3) * F_ZF, %4
%endmacro

; RM_UD "what", instruction: in real mode the instruction raises #UD with IP at itself.
%macro RM_UD 2+
    TRAP_ARM EXC_UD, %%r
%%f:
    %2
%%r:
    %strcat %%m1 %1, ": #UD count"
    %strcat %%m2 %1, ": #UD pushed IP"
    CHECKT trap_count, 1, %%m1
    CHECKT trap_ip, %%f, %%m2
%endmacro

bits 16
    TEST_BEGIN "pm_lar"
;--- real mode: #UD
    mov bx, SEL_CODE32
    RM_UD "lar in real mode", lar ax, bx
    RM_UD "lsl in real mode", lsl ax, bx
    RM_UD "verr in real mode", verr bx
    RM_UD "verw in real mode", verw bx
    mov ax, 0x10
    RM_UD "arpl in real mode", arpl ax, bx
    CHECK ax, 0x10, "arpl in real mode: ax unchanged"
    TRAP_DISARM EXC_UD
    jmp pm_enter16
bits 32
pm_main:
    SETDESC SEL_D0, 0, 0x12345, ACC_DATA, G_4K | G_32 | 1
    SETDESC SEL_D3, 0x10000, 0xFFF, 0xF1, G_32
    SETDESC SEL_XO, 0xF0000, 0xFFFF, 0x99, G_32
    SETDESC SEL_CCX, 0xF0000, 0xFFFF, 0x9D, G_32
    SETGATE GDT_BASE + SEL_CG, SEL_CODE32, gate_target, ACC_CALL32 | DPL(3), 2
    SETGATE GDT_BASE + SEL_IG, SEL_CODE32, gate_target, ACC_INT32, 0
    mov dword [GDT_BASE + SEL_TG], SEL_TSS << 16
    mov dword [GDT_BASE + SEL_TG + 4], ACC_TASK << 8
    SETDESC SEL_LDT, LDT_BASE, 0x1F, ACC_LDT, 0
    SETDESC SEL_TSS16, 0x6800, 0x2B, ACC_TSS16, 0
    SETDESC SEL_RSV0, 0x6800, 0x2B, 0x80, 0
    SETDESC SEL_RSVD, 0x6800, 0x2B, 0x8D, 0
    SETDESC SEL_NP, 0x10000, 0xFFF, 0x13, G_32
    ; LDT entry 0 (selector 04h): flat data DPL 0
    mov dword [LDT_BASE + 0x00], DESC_LO(0, 0xFFFF)
    mov dword [LDT_BASE + 0x04], DESC_HI(0, 0xFFFF, ACC_DATA, G_32)

;--- LAR at CPL 0
    ; SEL_D0: high dword = base 31:24 (0) | G D 0 AVL (Dh) << 20 | limit 19:16 (1) << 16 |
    ; 93h << 8 | base 23:16 (0) = 00D19300h. 32-bit: AND 00FxFF00h -> 00Dx9300h (x masked).
    mov eax, 0xDEADBEEF
    mov ecx, SEL_D0
    test eax, eax
    lar eax, ecx
    PCHECKF F_ZF, F_ZF, "lar d0: zf"
    and eax, 0xFFF0FFFF
    PCHECK eax, 0x00D09300, "lar d0 (32-bit): G D AVL and the access byte"
    ; 16-bit: AX = 9300h, the upper half of EAX untouched
    ACC lar, ax, SEL_D0, 1, 0xDEAD9300, "lar d0 (16-bit)"
    ; code: 00409B0Fh (SEL_CODE32, limit FFFFh: nibble 0) -> 00409B00h
    ACC lar, eax, SEL_CODE32, 1, 0x00409B00, "lar code32"
    ACC lar, eax, SEL_XO, 1, 0x00409900, "lar execute-only code"
    ACC lar, eax, SEL_D3 | 3, 1, 0x0040F100, "lar read-only dpl 3 data, rpl 3"
    ; not present: accepted, P=0 in the result (13h)
    ACC lar, eax, SEL_NP, 1, 0x00401300, "lar not-present data"
    ; system descriptors: the TSS is busy after LTR (type B): 00008B00h; flags 0
    ACC lar, eax, SEL_TSS, 1, 0x00008B00, "lar busy 32-bit tss"
    ACC lar, eax, SEL_TSS16, 1, 0x00008100, "lar 16-bit tss"
    ACC lar, eax, SEL_LDT, 1, 0x00008200, "lar ldt"
    ; call gate: high dword = offset 31:16 (0: the ROM offsets are < 10000h) | ECh << 8 | 2
    ; parameters = 0000EC02h; AND 00FxFF00h -> 0000EC00h
    ACC lar, eax, SEL_CG, 1, 0x0000EC00, "lar call gate"
    ACC lar, eax, SEL_TG, 1, 0x00008500, "lar task gate"
    ACC lar, eax, SEL_IG, 0, 0xDEADBEEF, "lar interrupt gate: not accepted"
    ACC lar, eax, SEL_RSV0, 0, 0xDEADBEEF, "lar reserved type 0"
    ACC lar, eax, SEL_RSVD, 0, 0xDEADBEEF, "lar reserved type D"
    ; privilege: DPL 0 < RPL 3 -> ZF=0; a conforming segment ignores it
    ACC lar, eax, SEL_D0 | 3, 0, 0xDEADBEEF, "lar dpl 0 with rpl 3"
    ACC lar, eax, SEL_TSS | 1, 0, 0xDEADBEEF, "lar dpl-0 tss with rpl 1"
    ACC lar, eax, SEL_CODE32C | 3, 1, 0x00409F00, "lar conforming code, rpl 3"
    ; null, beyond the GDT limit (7FFh), TI=1 with no LDT: ZF=0, no fault
    ACC lar, eax, 0, 0, 0xDEADBEEF, "lar null"
    ACC lar, eax, 3, 0, 0xDEADBEEF, "lar null rpl 3"
    ACC lar, eax, 0x800, 0, 0xDEADBEEF, "lar beyond the gdt limit"
    ACC lar, eax, 0x7FC, 0, 0xDEADBEEF, "lar ti=1 with null ldtr"
    ACC lar, eax, 0x7F8, 0, 0xDEADBEEF, "lar the gdt's last, zero, entry"
    ; the selector from memory
    mov word [pm_var0], SEL_CODE32
    mov eax, 0xDEADBEEF
    lar eax, [pm_var0]
    PCHECK eax, 0x00409B00, "lar eax, m16"

;--- LSL at CPL 0
    ; SEL_D0: limit 12345h, G=1 -> 12345FFFh; 16-bit: 5FFFh into AX only
    ACC lsl, eax, SEL_D0, 1, 0x12345FFF, "lsl page-granular"
    ACC lsl, ax, SEL_D0, 1, 0xDEAD5FFF, "lsl page-granular (16-bit)"
    ACC lsl, eax, SEL_D3, 1, 0xFFF, "lsl byte-granular"
    ACC lsl, eax, SEL_DATA32, 1, 0xFFFFFFFF, "lsl flat 4 GiB"
    ACC lsl, eax, SEL_NP, 1, 0xFFF, "lsl not-present data"
    ACC lsl, eax, SEL_TSS, 1, TSS_LIMIT, "lsl busy tss"
    ACC lsl, eax, SEL_TSS16, 1, 0x2B, "lsl 16-bit tss"
    ACC lsl, eax, SEL_LDT, 1, 0x1F, "lsl ldt"
    ACC lsl, eax, SEL_CG, 0, 0xDEADBEEF, "lsl call gate"
    ACC lsl, eax, SEL_TG, 0, 0xDEADBEEF, "lsl task gate"
    ACC lsl, eax, SEL_IG, 0, 0xDEADBEEF, "lsl interrupt gate"
    ACC lsl, eax, SEL_RSVD, 0, 0xDEADBEEF, "lsl reserved type D"
    ACC lsl, eax, SEL_D0 | 2, 0, 0xDEADBEEF, "lsl dpl 0 with rpl 2"
    ACC lsl, eax, 0x800, 0, 0xDEADBEEF, "lsl beyond the gdt limit"
    ACC lsl, eax, 0, 0, 0xDEADBEEF, "lsl null"

;--- VERR/VERW at CPL 0
    VER verr, SEL_D0, 1, "verr rw data"
    VER verw, SEL_D0, 1, "verw rw data"
    VER verr, SEL_D3 | 3, 1, "verr read-only data"
    VER verw, SEL_D3 | 3, 0, "verw read-only data"
    VER verr, SEL_CODE32, 1, "verr readable code"
    VER verw, SEL_CODE32, 0, "verw readable code"
    VER verr, SEL_XO, 0, "verr execute-only code"
    VER verr, SEL_CODE32C, 1, "verr conforming readable code"
    VER verr, SEL_CCX, 0, "verr conforming execute-only code"
    VER verr, SEL_NP, 1, "verr not-present data (present not checked)"
    VER verw, SEL_NP, 1, "verw not-present writable data"
    VER verr, SEL_TSS, 0, "verr tss"
    VER verr, SEL_LDT, 0, "verr ldt"
    VER verr, SEL_CG, 0, "verr call gate"
    VER verr, SEL_D0 | 3, 0, "verr dpl 0 with rpl 3"
    VER verw, SEL_D0 | 3, 0, "verw dpl 0 with rpl 3"
    VER verr, 0, 0, "verr null"
    VER verw, 0x800, 0, "verw beyond the gdt limit"

;--- an LDT selector once LDTR is loaded
    mov ax, SEL_LDT
    lldt ax
    ACC lar, eax, 0x04, 1, 0x00409300, "lar ldt entry 0"
    ACC lsl, eax, 0x04, 1, 0xFFFF, "lsl ldt entry 0"
    VER verw, 0x04, 1, "verw ldt entry 0"
    ACC lar, eax, 0x24, 0, 0xDEADBEEF, "lar beyond the ldt limit (20h + 7 > 1Fh)"
    xor eax, eax
    lldt ax

;--- ARPL (CPL 0; any CPL in protected mode)
    mov eax, 0xABCD0010
    mov ebx, 0x12340003
    cmp eax, eax                        ; ZF=1 before: ARPL must clear or set it itself
    arpl ax, bx
    PCHECKF F_ZF, F_ZF, "arpl 0 -> 3: zf"
    PCHECK eax, 0xABCD0013, "arpl 0 -> 3: rpl raised, upper half kept"
    PCHECK ebx, 0x12340003, "arpl: source unchanged"
    mov ebx, 1
    cmp eax, eax
    arpl ax, bx
    PCHECKF F_ZF, 0, "arpl 3 vs 1: zf"
    PCHECK eax, 0xABCD0013, "arpl 3 vs 1: unchanged (never lowers)"
    mov ebx, 3
    cmp eax, eax
    arpl ax, bx
    PCHECKF F_ZF, 0, "arpl equal rpl: zf"
    mov word [pm_var0], 0x0029
    mov word [pm_var0 + 2], 0x5555
    mov ebx, 0xFFFE                     ; only the RPL bits (1:0 = 2) come from the source
    test esp, esp
    arpl [pm_var0], bx
    PCHECKF F_ZF, F_ZF, "arpl m16 1 -> 2: zf"
    PCHECK word [pm_var0], 0x002A, "arpl m16 1 -> 2"
    PCHECK word [pm_var0 + 2], 0x5555, "arpl m16: the next word untouched"

;--- CPL 3: DPL 0 segments invisible, conforming and DPL-3 ones visible
    TO_RING3
    ACC lar, eax, SEL_CODE32, 0, 0xDEADBEEF, "cpl 3: lar dpl-0 code"
    ACC lar, eax, SEL_CODE32 | 3, 0, 0xDEADBEEF, "cpl 3: lar dpl-0 code, rpl 3"
    ACC lar, eax, SEL_DATA32, 0, 0xDEADBEEF, "cpl 3: lar dpl-0 data (rpl 0 < dpl but cpl > dpl)"
    ACC lsl, eax, SEL_D0, 0, 0xDEADBEEF, "cpl 3: lsl dpl-0 data"
    ACC lar, eax, SEL_TSS, 0, 0xDEADBEEF, "cpl 3: lar dpl-0 tss"
    ACC lar, eax, SEL_CODE32C, 1, 0x00409F00, "cpl 3: lar conforming dpl-0 code"
    ACC lsl, eax, SEL_CODE32C | 3, 1, 0xFFFF, "cpl 3: lsl conforming dpl-0 code"
    ACC lar, eax, SEL_CG | 3, 1, 0x0000EC00, "cpl 3: lar dpl-3 call gate"
    ACC lar, eax, SEL_CODE3, 1, 0x0040FB00, "cpl 3: lar ring-3 code"
    ACC lar, eax, SEL_D3, 1, 0x0040F100, "cpl 3: lar dpl-3 data with rpl 0"
    VER verr, SEL_CODE32C | 3, 1, "cpl 3: verr conforming dpl-0 readable code"
    VER verw, SEL_CODE32C | 3, 0, "cpl 3: verw conforming code"
    VER verr, SEL_CCX | 3, 0, "cpl 3: verr conforming execute-only"
    VER verr, SEL_DATA32, 0, "cpl 3: verr dpl-0 data"
    VER verw, SEL_DATA3, 1, "cpl 3: verw dpl-3 data"
    VER verr, SEL_D3, 1, "cpl 3: verr dpl-3 read-only data"
    VER verw, SEL_D3, 0, "cpl 3: verw dpl-3 read-only data"
    ; ARPL is not privileged
    mov eax, SEL_DATA32
    mov ebx, 3
    arpl ax, bx
    PCHECKF F_ZF, F_ZF, "cpl 3: arpl"
    PCHECK eax, SEL_DATA32 | 3, "cpl 3: arpl raised rpl"
    TO_RING0
PM_END

gate_target:
    ret
