; jcc: all sixteen conditional jumps, in the rel8 (70h+cc) and rel16 (0F 80h+cc) forms, for all
; 32 combinations of CF PF ZF SF OF, taken and not taken, and that Jcc leaves the flags alone.
;
; The expected outcome of each case comes from the SDM Vol.2 Jcc condition table, written out
; in lib_cc_eval (lib.inc). 16 conditions x 32 flag sets x 2 encodings = 1024 cases.
%include "lib.inc"

; JCC_CASE cc, n, short|near: jump on cc with flag combination n, compare with the table.
%macro JCC_CASE 3
    lib_cc_eval %1, %2
    SETF cc_flags
    j%1 %3 %%taken
    ; fell through
%if cc_true
    mov dx, cc_flags
    mov bl, 1
    mov si, jcc_name_%1_%3
    jmp lib_report_cc
%else
    jmp %%done
%endif
%%taken:
%if !cc_true
    mov dx, cc_flags
    mov bl, 0
    mov si, jcc_name_%1_%3
    jmp lib_report_cc
%endif
%%done:
%endmacro

%macro JCC_ALL 1-*
%rep %0
    %assign n 0
    %rep 32
        JCC_CASE %1, n, short
        JCC_CASE %1, n, near
        %assign n n+1
    %endrep
    %rotate 1
%endrep
%endmacro

%macro JCC_NAMES 1-*
%rep %0
    %defstr %%s %1
jcc_name_%1_short: db "j", %%s, " rel8", 0
jcc_name_%1_near:  db "j", %%s, " rel16", 0
    %rotate 1
%endrep
%endmacro

TEST_BEGIN "jcc"
    JCC_ALL LIB_CONDITIONS

;--- Jcc does not change the flags (SDM Vol.2 Jcc: "Flags Affected: None")
    SETF F_FIXED | F_CF | F_ZF | F_OF
    jz .t1
.t1:
    jnz .t2
.t2:
    CHECKF F_ARITH, F_CF | F_ZF | F_OF, "jcc keeps flags"

;--- a backward conditional jump (negative displacement): count down 5 times
    mov cx, 5
    xor ax, ax
.back:
    inc ax
    dec cx
    jnz .back                       ; rel8 backwards
    CHECK ax, 5, "jnz backward rel8"
    mov cx, 3
    xor ax, ax
.back16:
    inc ax
    times 130 nop                   ; too far for rel8
    dec cx
    jnz near .back16
    CHECK ax, 3, "jnz backward rel16"
TEST_END

JCC_NAMES LIB_CONDITIONS
