; bitops: BT BTS BTR BTC (register and memory bases, register and imm8 offsets, the bit-string
; addressing beyond the operand for a memory base with a register offset, negative offsets),
; BSF BSR, and all sixteen SETcc for all 32 combinations of CF PF ZF SF OF.
;
; SDM Vol.2 BT/BTS/BTR/BTC: CF <- Bit(BitBase, BitOffset); BTS/BTR/BTC then set/clear/complement
; it. "The ZF flag is unaffected. The OF, SF, AF, and PF flags are undefined." A register base
; takes the offset modulo 16/32; an imm8 offset is taken modulo 16/32 too. A memory base with a
; register offset addresses a bit string: the offset is signed (-2^15..2^15-1 for 16 bits,
; -2^31..2^31-1 for 32) and the word/dword at EA + 2*(offset DIV 16) (EA + 4*(offset DIV 32)) is
; used, floor division, bit offset MOD 16 (32) within it.
; SDM Vol.2 BSF/BSR: "If the content of the source operand is 0, the content of the destination
; operand is undefined" and ZF=1; otherwise ZF=0 and the index of the lowest (BSF) / highest
; (BSR) set bit is stored. "The CF, OF, SF, AF, and PF flags are undefined."
; SDM Vol.2 SETcc: byte <- 1 if the condition holds, else 0 (table in lib_cc_eval); no flags.
%include "lib.inc"

; SETCC_CASE cc, n: SETcc into AL (preset 55h) and into memory with flag combination n
%macro SETCC_CASE 2
    lib_cc_eval %1, %2
    mov al, 0x55
    mov byte [0x80], 0x55
    SETF cc_flags
    set%1 al
    set%1 [0x80]
    cmp al, cc_true
    jne %%bad
    cmp byte [0x80], cc_true
    je %%ok
%%bad:
    mov dx, cc_flags
    mov bl, cc_true
    mov si, setcc_name_%1
    jmp lib_report_cc
%%ok:
%endmacro

%macro SETCC_ALL 1-*
%rep %0
    %assign n 0
    %rep 32
        SETCC_CASE %1, n
        %assign n n+1
    %endrep
    %rotate 1
%endrep
%endmacro

%macro SETCC_NAMES 1-*
%rep %0
    %defstr %%s %1
setcc_name_%1: db "set", %%s, 0
    %rotate 1
%endrep
%endmacro

TEST_BEGIN "bitops"
    mov ax, SCRATCH_SEG
    mov ds, ax

;--- BT register base
    SETF F_FIXED | F_ZF
    mov ax, 0x0008
    bt ax, 3                        ; 0F BA /4 ib: bit 3 = 1
    CHECKF F_CF | F_ZF, F_CF | F_ZF, "bt r16,imm cf=1, zf kept"
    bt ax, 4                        ; bit 4 = 0
    CHECKF F_CF | F_ZF, F_ZF, "bt r16,imm cf=0"
    mov cx, 19                      ; 19 MOD 16 = 3
    bt ax, cx                       ; 0F A3
    CHECKF F_CF, F_CF, "bt r16,r16 offset mod 16"
    bt ax, 19                       ; imm 19 MOD 16 = 3
    CHECKF F_CF, F_CF, "bt r16,imm offset mod 16"
    mov eax, 0x80000000
    mov ecx, 63                     ; 63 MOD 32 = 31
    bt eax, ecx
    CHECK eax, 0x80000000, "bt leaves the operand"
    CHECKF F_CF, F_CF, "bt r32,r32"

;--- BTS / BTR / BTC register base
    SETF F_FIXED
    xor ax, ax
    bts ax, 0                       ; CF <- 0, bit 0 set
    CHECK ax, 1, "bts r16"
    CHECKF F_CF, 0, "bts r16 cf"
    bts ax, 0                       ; already set: CF <- 1
    CHECKF F_CF, F_CF, "bts r16 cf=1"
    mov eax, 0x80000001
    btr eax, 31                     ; CF <- 1, cleared
    CHECK eax, 1, "btr r32"
    CHECKF F_CF, F_CF, "btr r32 cf"
    mov edx, 0x0000FFFF
    mov ecx, 40                     ; 40 MOD 32 = 8
    btc edx, ecx                    ; bit 8 was 1: CF <- 1, now 0
    CHECK edx, 0x0000FEFF, "btc r32,r32"
    CHECKF F_CF, F_CF, "btc r32,r32 cf"
    btc edx, ecx                    ; back to 1, CF <- 0
    CHECK edx, 0x0000FFFF, "btc r32,r32 again"
    CHECKF F_CF, 0, "btc r32,r32 again cf"
    SETF F_FIXED | F_ZF
    mov bx, 0
    btr bx, 5
    CHECKF F_ZF | F_CF, F_ZF, "btr keeps zf"

;--- memory base, imm8 offset (modulo the operand size)
    mov word [0x10], 0x8001
    bt word [0x10], 15
    CHECKF F_CF, F_CF, "bt m16,imm"
    bts word [0x10], 1              ; 8003
    CHECK word [0x10], 0x8003, "bts m16,imm"
    btr word [0x10], 15             ; 0003, CF=1
    CHECK word [0x10], 0x0003, "btr m16,imm"
    CHECKF F_CF, F_CF, "btr m16,imm cf"
    mov dword [0x14], 0
    btc dword [0x14], 30
    CHECK dword [0x14], 0x40000000, "btc m32,imm"

;--- memory base, register offset: a bit string starting at the operand
    ; base 0x20, offset 35: word at 0x20 + 2*(35 DIV 16) = 0x24, bit 35 MOD 16 = 3
    mov dword [0x20], 0
    mov dword [0x24], 0x00000008
    mov cx, 35
    bt word [0x20], cx
    CHECKF F_CF, F_CF, "bt m16,r16 offset 35"
    bts word [0x20], cx             ; already set
    CHECKF F_CF, F_CF, "bts m16,r16 offset 35 cf"
    mov cx, 17                      ; word at 0x22, bit 1
    bts word [0x20], cx
    CHECK word [0x22], 0x0002, "bts m16,r16 offset 17"
    CHECK word [0x20], 0, "bts m16,r16 offset 17 not in the first word"
    ; a negative offset: -1 = word at EA + 2*(-1 DIV 16) = EA - 2 (floor), bit 15
    mov word [0x1E], 0x8000
    mov cx, -1
    btr word [0x20], cx
    CHECKF F_CF, F_CF, "btr m16,r16 offset -1 cf"
    CHECK word [0x1E], 0, "btr m16,r16 offset -1"
    ; 32-bit, base 0x30, offset 100: dword at 0x30 + 4*(100 DIV 32) = 0x3C, bit 100 MOD 32 = 4
    mov dword [0x3C], 0
    mov ecx, 100
    bts dword [0x30], ecx
    CHECK dword [0x3C], 0x00000010, "bts m32,r32 offset 100"
    mov ecx, -32                    ; dword at 0x30 - 4 = 0x2C, bit 0
    mov dword [0x2C], 0x00000001
    btc dword [0x30], ecx
    CHECK dword [0x2C], 0, "btc m32,r32 offset -32"
    CHECKF F_CF, F_CF, "btc m32,r32 offset -32 cf"

;--- BSF / BSR
    mov bx, 0x0100
    bsf ax, bx
    CHECK ax, 8, "bsf16"
    CHECKF F_ZF, 0, "bsf16 zf"
    mov bx, 0x0101
    bsr ax, bx
    CHECK ax, 8, "bsr16"
    mov bx, 0x0101
    bsf ax, bx
    CHECK ax, 0, "bsf16 bit 0"
    mov dword [0x40], 0x80000000
    bsf eax, [0x40]
    CHECK eax, 31, "bsf32 m"
    bsr ecx, [0x40]
    CHECK ecx, 31, "bsr32 m"
    mov edx, 1
    bsr ecx, edx
    CHECK ecx, 0, "bsr32 1"
    mov edx, 0x00F00F00
    bsf ecx, edx
    CHECK ecx, 8, "bsf32"
    bsr ecx, edx
    CHECK ecx, 23, "bsr32"
    CHECKF F_ZF, 0, "bsr32 zf"
    xor bx, bx
    bsf ax, bx                      ; source 0: ZF=1 (destination undefined: not checked)
    CHECKF F_ZF, F_ZF, "bsf16 zero zf"
    xor edx, edx
    bsr ecx, edx
    CHECKF F_ZF, F_ZF, "bsr32 zero zf"

;--- SETcc
    SETCC_ALL LIB_CONDITIONS
    SETF F_FIXED | F_CF | F_OF
    setc bl
    CHECKF F_ARITH, F_CF | F_OF, "setcc keeps flags"
    mov ecx, 0xFFFFFFFF
    SETF F_FIXED | F_ZF
    setz ch                         ; writes one byte only
    CHECK ecx, 0xFFFF01FF, "setz ch"
TEST_END

SETCC_NAMES LIB_CONDITIONS
