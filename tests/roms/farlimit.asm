; farlimit: memory operands made of several parts (the m16:16 and m16:32 far pointers of JMP FAR,
; CALL FAR, LDS LES LFS LGS LSS; BOUND's pair of bounds; CMPXCHG8B's m64) that start inside the
; segment and end past offset FFFFh must raise #GP, not wrap the second part to offset 0.
;
; SDM Vol.2, "Real-Address Mode Exceptions" of JMP, CALL, LDS/LES/LFS/LGS/LSS, BOUND, CMPXCHG8B:
; "#GP If a memory operand effective address is outside the CS, DS, ES, FS, or GS segment
; limit." The operand of `jmp far [FFFEh]` is the 4 bytes FFFEh..10001h; the real-mode limit is
; FFFFh (SDM Vol.3 20.1.1), so it is partly outside: #GP, a fault (pushed IP = the instruction,
; nothing loaded, nothing pushed). An 8086 would have wrapped to offset 0; a 386+ does not.
;
; So that an emulator that wraps fails cleanly instead of running off: DS:0000, where a wrapped
; second part would be read, holds F000h (a far jump then lands on `wrapped`), and the values
; are chosen so that a wrapped BOUND or CMPXCHG8B completes without an exception.
%include "lib.inc"

; GP_CASE {instruction}, "name": must raise #GP with the pushed IP at the instruction, SP unchanged
%macro GP_CASE 2
    TRAP_ARM 13, %%after
    mov dx, sp
%%fault:
    %1
    FAIL %2
%%after:
    mov cx, sp
    CHECKT trap_count, 1, %2
    CHECKT trap_ip, %%fault, %2
    CHECK cx, dx, %2
%endmacro

TEST_BEGIN "farlimit"
    mov ax, SCRATCH_SEG
    mov ds, ax
    mov word [0x0000], ROM_SEG      ; what a wrapped selector / upper bound would read
    mov word [0x0002], 0
    mov word [0xFFFE], wrapped      ; the m16:16 offset word at FFFE
    mov si, 0x1234

    GP_CASE {jmp far [0xFFFE]}, "jmp far m16:16 at fffe"
    GP_CASE {call far [0xFFFE]}, "call far m16:16 at fffe"
    mov dword [0xFFFC], wrapped     ; the m16:32 offset dword at FFFC
    GP_CASE {jmp dword far [0xFFFC]}, "jmp far m16:32 at fffc"
    GP_CASE {call dword far [0xFFFC]}, "call far m16:32 at fffc"
    GP_CASE {lds si, [0xFFFE]}, "lds m16:16 at fffe"
    CHECK si, 0x1234, "lds at fffe leaves si"
    GP_CASE {les si, [0xFFFE]}, "les m16:16 at fffe"
    GP_CASE {lfs si, [0xFFFE]}, "lfs m16:16 at fffe"
    GP_CASE {lgs si, [0xFFFE]}, "lgs m16:16 at fffe"
    GP_CASE {lss si, [0xFFFE]}, "lss m16:16 at fffe"
    GP_CASE {lfs esi, [0xFFFC]}, "lfs m16:32 at fffc"
    GP_CASE {cmpxchg8b [0xFFFC]}, "cmpxchg8b m64 at fffc"
    ; (BOUND last: KVM's instruction emulator, the oracle on some hosts, does not know it)
    ; BOUND: lower bound at FFFE = 8000h (-32768); a wrapped upper bound would be F000h... use
    ; AX = 8000h, which is >= -32768 and <= F000h (-4096) as well: no #BR either way
    mov word [0xFFFE], 0x8000
    mov ax, 0x8000
    GP_CASE {bound ax, [0xFFFE]}, "bound m16&16 at fffe"
    mov dword [0xFFFC], 0x80000000
    mov eax, 0x80000000
    GP_CASE {bound eax, [0xFFFC]}, "bound m32&32 at fffc"
    TRAP_DISARM 13
TEST_END

wrapped:
    FAIL "far pointer: second part wrapped to offset 0 instead of #GP"
