; seglimit: real-mode segment limit checks (386+): an access that reaches past offset FFFFh
; faults instead of wrapping like an 8086 did. #GP (vector 13) for DS/ES/FS/GS/CS, #SS (vector
; 12) for SS, both faults: the pushed IP is the faulting instruction's, and nothing is written.
;
; SDM Vol.2, "Real-Address Mode Exceptions" of MOV (and every memory instruction): "#GP If a
; memory operand effective address is outside the CS, DS, ES, FS, or GS segment limit. #SS If a
; memory operand effective address is outside the SS segment limit." The real-mode limit is
; FFFFh (SDM Vol.3 20.1.1); a word at FFFFh has its second byte at 10000h, outside.
%include "lib.inc"
TEST_BEGIN "seglimit"
    mov ax, SCRATCH_SEG
    mov ds, ax
    mov es, ax

;--- in range: the last byte, the last word, the last dword
    mov byte [0xFFFF], 0x11
    mov word [0xFFFE], 0x2222
    mov dword [0xFFFC], 0x33333333
    CHECK byte [0xFFFF], 0x33, "last byte"

;--- a word at FFFFh: #GP
    TRAP_ARM 13, .after1
    mov word [0xFFFD], 0xAAAA       ; bytes FFFD, FFFE: fine
.fault1:
    mov ax, [0xFFFF]
    FAIL "word at ffff: no #GP"
.after1:
    CHECKT trap_count, 1, "word at ffff count"
    CHECKT trap_ip, .fault1, "word at ffff pushed IP"

;--- a dword at FFFDh, a store: #GP and memory unchanged
    TRAP_ARM 13, .after2
.fault2:
    mov dword [es:0xFFFD], 0x12345678
    FAIL "dword store at fffd: no #GP"
.after2:
    CHECKT trap_ip, .fault2, "dword store at fffd pushed IP"
    CHECK word [0xFFFD], 0xAAAA, "faulting store wrote nothing"

;--- a 32-bit effective address above FFFFh: #GP
    TRAP_ARM 13, .after3
    mov eax, 0x10000
.fault3:
    mov bl, [eax]
    FAIL "[eax=10000h]: no #GP"
.after3:
    CHECKT trap_ip, .fault3, "[eax=10000h] pushed IP"

;--- through SS: #SS
    TRAP_ARM 12, .after4
    mov bp, 0xFFFF
.fault4:
    mov ax, [bp]
    FAIL "ss word at ffff: no #SS"
.after4:
    CHECKT trap_count, 1, "ss word at ffff count"
    CHECKT trap_ip, .fault4, "ss word at ffff pushed IP"
;--- a jump beyond the CS limit: SDM Vol.2 JMP: "IF tempEIP is beyond code segment limit THEN
; #GP(0)": a fault, nothing jumps, the pushed IP is the JMP's
    TRAP_ARM 13, .after_jmp
.fault_jmp:
    db 0x66, 0xE9                   ; jmp rel32 to offset 10000h in this segment
    dd 0x10000 - ($ + 4)
    FAIL "jmp beyond the limit: no #GP"
.after_jmp:
    CHECKT trap_ip, .fault_jmp, "jmp beyond the limit pushed IP"
    CHECKT trap_cs, ROM_SEG, "jmp beyond the limit pushed CS"

;--- faults leave no partial state (SDM Vol.3 6.5: a fault is reported "in such a way that the
; instruction can be restarted ... the state is restored"): POP to a faulting memory operand
; leaves SP, PUSH of a faulting operand leaves SP, XCHG leaves its register. (Operands made of
; two parts, far pointers and BOUND pairs, are in farlimit.asm.)
    TRAP_ARM 13, .after_pop
    push word 0x4444
    mov dx, sp
.fault_pop:
    pop word [0xFFFF]
    FAIL "pop [ffff]: no #GP"
.after_pop:
    mov cx, sp
    pop ax
    CHECKT trap_ip, .fault_pop, "pop [ffff] pushed IP"
    CHECK cx, dx, "pop [ffff] leaves sp"
    CHECK ax, 0x4444, "pop [ffff] leaves the stack"
    TRAP_ARM 13, .after_push
    mov dx, sp
.fault_push:
    push word [0xFFFF]
    FAIL "push [ffff]: no #GP"
.after_push:
    mov cx, sp
    CHECKT trap_ip, .fault_push, "push [ffff] pushed IP"
    CHECK cx, dx, "push [ffff] leaves sp"
    TRAP_ARM 13, .after_xchg
    mov ax, 0x5555
.fault_xchg:
    xchg [0xFFFF], ax
    FAIL "xchg [ffff]: no #GP"
.after_xchg:
    CHECK ax, 0x5555, "xchg [ffff] leaves ax"

;--- a prefixed instruction: the pushed IP is the first prefix
    TRAP_ARM 13, .after5
.fault5:
    o32 mov eax, [es:0xFFFE]        ; 66 26 A1 FE FF: dword at FFFE
    FAIL "o32 es dword at fffe: no #GP"
.after5:
    CHECKT trap_ip, .fault5, "prefixed insn pushed IP = first prefix"

;--- REP STOSW that runs into the limit: the elements before the fault are stored and CX/DI
; describe the remaining work (SDM Vol.2 REP: "... string instructions ... are interruptible;
; ... registers ... updated ... restart"; SDM Vol.3 6.6 for faults: IP = the REP instruction)
    TRAP_ARM 13, .after6
    mov di, 0xFFF9
    mov cx, 10
    mov ax, 0xBEEF
.fault6:
    rep stosw                       ; FFF9, FFFB, FFFD stored; the word at FFFF faults
    FAIL "rep stosw into the limit: no #GP"
.after6:
    CHECKT trap_ip, .fault6, "rep stosw fault pushed IP"
    CHECK cx, 7, "rep stosw fault cx"
    CHECK di, 0xFFFF, "rep stosw fault di"
    CHECK word [es:0xFFFD], 0xBEEF, "rep stosw fault: earlier elements stored"

;--- LOOP/LOOPE/LOOPNE and JCXZ whose target lies beyond the CS limit (o32: a 32-bit EIP, so no
; wrap at 64 KiB): #GP(0), pushed IP = the instruction's, and, the fault being restartable (SDM
; Vol.3 6.5), the count register as before the instruction (checked against the host CPU by
; roms-kvm). The code runs from RAM at 2000:FFF8 (o32 loop +7Fh: target 1007Ah), and the
; handler resumes at 2000:FF00, which jumps back here. Each case runs 20 times, so that a JIT
; translates it too (jitpc's hands a LOOP whose target is beyond the limit to the interpreter).
%macro LOOP_BEYOND 3            ; opcode, count before, "what"
    mov si, 20
%%again:
    push es
    push word 0x2000
    pop es
    mov byte [es:0xFFF8], 0x66
    mov byte [es:0xFFF9], %1
    mov byte [es:0xFFFA], 0x7F
    mov byte [es:0xFF00], 0xEA                  ; jmp far F000:%%back
    mov word [es:0xFF01], %%back
    mov word [es:0xFF03], ROM_SEG
    pop es
    TRAP_ARM 13, 0xFF00
    mov ecx, %2
    cmp ax, ax                                  ; ZF=1: LOOPE goes
    jmp 0x2000:0xFFF8
%%back:
    %strcat %%m1 %3, ": one #GP"
    %strcat %%m2 %3, ": pushed IP"
    %strcat %%m3 %3, ": ECX as before"
    CHECKT trap_count, 1, %%m1
    CHECKT trap_ip, 0xFFF8, %%m2
    CHECK ecx, %2, %%m3
    dec si
    jnz %%again
%endmacro
    LOOP_BEYOND 0xE2, 5, "loop beyond the limit"
    LOOP_BEYOND 0xE3, 0, "jcxz beyond the limit"
    LOOP_BEYOND 0xE1, 0x10005, "loope beyond the limit (CX 5, ECX's high half kept)"
    TRAP_DISARM 12
    TRAP_DISARM 13
TEST_END
