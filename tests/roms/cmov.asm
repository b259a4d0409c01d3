; cmov: CMOVcc (P6), all sixteen conditions for all 32 combinations of CF PF ZF SF OF, 16-bit
; register form, plus 32-bit and memory forms.
;
; SDM Vol.2 CMOVcc: "IF condition TRUE THEN DEST <- SRC"; the conditions are those of Jcc
; (lib_cc_eval in lib.inc); "Flags Affected: None". The memory source is read either way.
%include "lib.inc"

; CMOV_CASE cc, n
%macro CMOV_CASE 2
    lib_cc_eval %1, %2
    mov ax, 0x1111
    mov bx, 0x2222
    SETF cc_flags
    cmov%1 ax, bx
    %if cc_true
    cmp ax, 0x2222
    %else
    cmp ax, 0x1111
    %endif
    je %%ok
    mov dx, cc_flags
    mov bl, cc_true
    mov si, cmov_name_%1
    jmp lib_report_cc
%%ok:
%endmacro

%macro CMOV_ALL 1-*
%rep %0
    %assign n 0
    %rep 32
        CMOV_CASE %1, n
        %assign n n+1
    %endrep
    %rotate 1
%endrep
%endmacro

%macro CMOV_NAMES 1-*
%rep %0
    %defstr %%s %1
cmov_name_%1: db "cmov", %%s, 0
    %rotate 1
%endrep
%endmacro

TEST_BEGIN "cmov"
    mov ax, SCRATCH_SEG
    mov ds, ax

    CMOV_ALL LIB_CONDITIONS

;--- 32-bit and memory forms
    mov dword [0x10], 0xCAFEBABE
    mov eax, 0x11111111
    SETF F_FIXED | F_ZF
    cmovz eax, [0x10]
    CHECK eax, 0xCAFEBABE, "cmovz r32,m32 taken"
    mov eax, 0x11111111
    cmovnz eax, [0x10]
    CHECK eax, 0x11111111, "cmovnz r32,m32 not taken"
    mov ecx, 0x33333333
    mov edx, 0x44444444
    SETF F_FIXED | F_SF
    cmovl ecx, edx                  ; SF != OF
    CHECK ecx, 0x44444444, "cmovl r32,r32"
    mov word [0x14], 0x5555
    mov si, 0x6666
    SETF F_FIXED | F_CF
    cmova si, [0x14]                ; CF=1: not above
    CHECK si, 0x6666, "cmova r16,m16 not taken"
    cmovbe si, [0x14]
    CHECK si, 0x5555, "cmovbe r16,m16 taken"
    SETF F_FIXED | F_CF | F_OF | F_ZF
    cmovo di, si
    CHECKF F_ARITH, F_CF | F_OF | F_ZF, "cmov keeps flags"
TEST_END

CMOV_NAMES LIB_CONDITIONS
