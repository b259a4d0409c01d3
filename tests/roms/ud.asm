; ud: encodings the SDM defines to raise #UD (vector 6) in real mode, and that the pushed IP is
; the first byte of the faulting instruction, prefixes included (SDM Vol.3 6.15 "Interrupt 6—
; Invalid Opcode Exception (#UD)": a fault, "the saved contents of CS and EIP registers point to
; the instruction that generated the exception"). Also that LOCK on a lockable memory instruction
; does not fault, and the 15-byte instruction length limit (#GP).
;
; Each case, from the instruction's "Real-Address Mode Exceptions" in SDM Vol.2:
;   UD2 0F 0B; UD1 0F B9 /r; UD0 0F FF /r ("UD0/UD1/UD2—Undefined Instruction")
;   MOV CS,r/m16 (8E /1): "#UD If an attempt is made to load the CS register"
;   LOCK + non-memory destination or an instruction that is not lockable: "LOCK—...: An undefined
;     opcode exception will also be generated if the LOCK prefix is used with any instruction not
;     in the above list", "or if the destination operand is not a memory operand"
;   LEA/LDS/LSS/BOUND/CMPXCHG8B/far JMP and CALL with a register operand (mod = 11):
;     "#UD If the source operand is not a memory location" (LEA), "If source operand is not a
;     memory location" (LDS/LES/LFS/LGS/LSS), "If second operand is not a memory location"
;     (BOUND), "If the destination operand is not a memory location" (CMPXCHG8B), "If the
;     instruction ... operand is a register" (JMP/CALL far, FF /5 and FF /3 with mod 11).
;   In real mode C4/C5 are always LES/LDS, never VEX (SDM Vol.2 2.3.1: VEX is not recognised in
;   real-address mode), and 62 is always BOUND.
%include "lib.inc"

; UD_CASE "name", bytes...: the bytes must raise #UD with the pushed IP at their first byte
%macro UD_CASE 2-*
    TRAP_ARM 6, %%after
%%fault:
    %rep %0 - 1
        %rotate 1
    db %1
    %endrep
    %rotate 1
    FAIL %1
%%after:
    CHECKT trap_count, 1, %1
    CHECKT trap_ip, %%fault, %1
%endmacro

TEST_BEGIN "ud"
    mov ax, SCRATCH_SEG
    mov ds, ax
    xor bx, bx

;--- LOCK on a lockable read-modify-write memory instruction is fine
    mov word [0x10], 5
    lock add word [0x10], 3
    lock inc word [0x10]
    mov ax, 1
    lock xadd [0x10], ax
    lock bts word [0x10], 15
    CHECK word [0x10], 0x800A, "lock rmw on memory"
    CHECK ax, 9, "lock xadd"

;--- instruction length: 15 bytes is the limit (SDM Vol.2 2.3.11 / Vol.3 6.15 "#GP ... exceeding
; the instruction length limit of 15 bytes"): 14 operand-size prefixes + NOP run, 15 + NOP
; (16 bytes) raise #GP with the pushed IP at the first prefix
    times 14 db 0x66
    nop
    TRAP_ARM 13, .after_len
.fault_len:
    times 15 db 0x66
    nop
    FAIL "16-byte instruction: no #GP"
.after_len:
    CHECKT trap_count, 1, "16-byte instruction #GP count"
    CHECKT trap_ip, .fault_len, "16-byte instruction pushed IP"
    TRAP_DISARM 13

    UD_CASE "ud2", 0x0F, 0x0B
    UD_CASE "ud1 /r", 0x0F, 0xB9, 0xC0
    UD_CASE "ud0 /r", 0x0F, 0xFF, 0xC0
    UD_CASE "ud2 with 66 67 prefixes: IP at the first prefix", 0x66, 0x67, 0x0F, 0x0B
    UD_CASE "ud2 with a segment override prefix", 0x26, 0x0F, 0x0B
    UD_CASE "mov cs,ax", 0x8E, 0xC8
    UD_CASE "mov cs,[bx]", 0x8E, 0x0F
    UD_CASE "lock add ax,bx (register destination)", 0xF0, 0x01, 0xD8
    UD_CASE "lock mov [bx],ax (not lockable)", 0xF0, 0x89, 0x07
    UD_CASE "lock nop", 0xF0, 0x90
    UD_CASE "lea ax,ax", 0x8D, 0xC0
    UD_CASE "lds ax,ax", 0xC5, 0xC0
    UD_CASE "les ax,ax", 0xC4, 0xC0
    UD_CASE "lss ax,ax", 0x0F, 0xB2, 0xC0
    UD_CASE "bound ax,ax", 0x62, 0xC0
    UD_CASE "cmpxchg8b eax", 0x0F, 0xC7, 0xC8
    UD_CASE "jmp far ax", 0xFF, 0xE8
    UD_CASE "call far ax", 0xFF, 0xD8
    TRAP_DISARM 6

TEST_END
