; int: INT n, INT3, INT 3, INTO, IRET through the real-mode IVT; the frame the CPU pushes; IF/TF
; cleared in the handler; IRET restoring FLAGS; #UD from UD2; LIDT moving the IVT.
;
; SDM Vol.3 20.1.4 (real-address mode interrupt handling): the processor pushes FLAGS, CS and IP
; (in that order, so IP ends on top), clears IF, TF and AC, and loads CS:IP from the IVT entry at
; IDTR.base + 4 * vector (offset word, then segment word). SDM Vol.2 INT n/INTO/INT3: the pushed
; IP is that of the next instruction; INTO interrupts (vector 4) only if OF = 1; INT3 (CC) is
; vector 3. SDM Vol.2 IRET (real mode): IP <- Pop(); CS <- Pop(); FLAGS <- Pop().
; SDM Vol.3 6.15 "Interrupt 6—Invalid Opcode": a fault, the saved CS:IP point to the UD2.
%include "lib.inc"
TEST_BEGIN "int"
    mov ax, SCRATCH_SEG
    mov ds, ax

;--- INT n: frame, return address, flags
    TRAP_ARM 0x40, 0
    SETF F_FIXED | F_CF | F_ZF
    int 0x40                        ; CD 40
.after1:
    CHECKF F_ARITH, F_CF | F_ZF, "int: flags restored by iret"
    CHECKT trap_count, 1, "int 40h count"
    CHECKT trap_ip, .after1, "int 40h pushed IP = next"
    CHECKT trap_cs, ROM_SEG, "int 40h pushed CS"
    CHECKT trap_flags, F_FIXED | F_CF | F_ZF, "int 40h pushed FLAGS"
    CHECKT trap_sp, STACK_TOP - 6, "int 40h frame is 6 bytes"
    mov ax, sp
    CHECK ax, STACK_TOP, "iret pops the frame"

;--- INT right after a CMP pushes the CMP's flags: 1 - 2 = FFFF: CF AF SF PF
    TRAP_ARM 0x40, 0
    mov ax, 1
    cmp ax, 2
    int 0x40
    CHECKT trap_flags, F_FIXED | F_CF | F_AF | F_SF | F_PF, "int pushes the flags of the cmp"

;--- the handler runs with IF=0 and TF=0; IRET brings IF back
    push ds
    push word 0
    pop ds
    mov word [0x41*4], flags_handler
    mov word [0x41*4+2], ROM_SEG
    pop ds
    sti                             ; no interrupt controller: nothing can interrupt us
    int 0x41
    pushf
    pop cx
    cli
    CHECK ax, 0, "int: IF and TF cleared in the handler"
    and cx, F_IF
    CHECK cx, F_IF, "iret restores IF"

;--- a handler that returns a value and changes the pushed flags
    push ds
    push word 0
    pop ds
    mov word [0x42*4], add_handler
    mov word [0x42*4+2], ROM_SEG
    pop ds
    mov ax, 41
    SETF F_FIXED
    int 0x42
    CHECK ax, 42, "int handler result"
    CHECKF F_CF, F_CF, "iret loads the flags from the frame"

;--- INT3 (CC, one byte) and INT 3 (CD 03, two bytes): vector 3, pushed IP = next
    TRAP_ARM 3, 0
    int3
.after3:
    CHECKT trap_ip, .after3, "int3 pushed IP"
    db 0xCD, 0x03                   ; INT 3 in the two-byte form
.after4:
    CHECKT trap_ip, .after4, "int 3 (CD 03) pushed IP"
    CHECKT trap_count, 2, "int3 count"

;--- INTO: only with OF=1; a trap, pushed IP = next
    TRAP_ARM 4, 0
    SETF F_FIXED
    into
    CHECKT trap_count, 0, "into with OF=0 traps"
    SETF F_FIXED | F_OF
    into
.after5:
    CHECKT trap_count, 1, "into with OF=1 count"
    CHECKT trap_ip, .after5, "into pushed IP"
    mov al, 0x7F
    add al, 1                       ; sets OF
    into
.after6:
    CHECKT trap_count, 2, "into after overflowing add"
    CHECKT trap_ip, .after6, "into pushed IP #2"

;--- nested: a handler that itself uses INT
    push ds
    push word 0
    pop ds
    mov word [0x43*4], outer_handler
    mov word [0x43*4+2], ROM_SEG
    mov word [0x44*4], add_handler
    mov word [0x44*4+2], ROM_SEG
    pop ds
    mov ax, 10
    int 0x43                        ; outer adds 100 and calls int 44h (adds 1)
    CHECK ax, 111, "nested int"
    mov ax, sp
    CHECK ax, STACK_TOP, "nested int sp"

;--- LIDT in real mode moves the vector table (SDM Vol.3 20.1.4: "the IDTR ... base")
    ; a table at linear 0x3000 whose vector 0x50 points to add_handler
    push es
    push word 0x300
    pop es
    mov word [es:0x50*4], add_handler
    mov word [es:0x50*4+2], ROM_SEG
    pop es
    mov word [0x40], 0x03FF         ; limit
    mov dword [0x42], 0x00003000    ; base
    lidt [0x40]
    mov ax, 1
    int 0x50
    mov word [0x40], 0x03FF
    mov dword [0x42], 0
    lidt [0x40]                     ; back to the IVT at 0
    CHECK ax, 2, "int through a moved IVT"

;--- the frame wraps around 64 KiB with a 16-bit stack: SP=2 -> FLAGS at 0000, CS at FFFE, IP at
; FFFC (each push: SP <- (SP - 2) AND FFFFh)
    TRAP_ARM 0x40, 0
    mov sp, 2
    int 0x40
.after9:
    mov ax, sp
    mov sp, STACK_TOP
    CHECKT trap_sp, 0xFFFC, "int frame wraps: sp in the handler"
    CHECK ax, 2, "int frame wraps: iret"
    push ds
    push ss
    pop ds
    CHECK word [0xFFFC], .after9, "int frame wraps: ip at fffc"
    CHECK word [0xFFFE], ROM_SEG, "int frame wraps: cs at fffe"
    pop ds

;--- IRETD (66 CF): pops EIP, CS (a dword, low word used) and EFLAGS, 12 bytes
    pushfd
    pop eax
    or eax, F_CF | F_ZF
    push eax                        ; EFLAGS
    push dword ROM_SEG              ; CS
    push dword .after8              ; EIP
    iretd
    FAIL "iretd did not jump"
.after8:
    CHECKF F_CF | F_ZF, F_CF | F_ZF, "iretd flags"
    mov ax, sp
    CHECK ax, STACK_TOP, "iretd pops 12 bytes"

;--- IRET (16-bit) loads all of FLAGS[15:0] the way POPF does in real mode: FCFFh -> 7CD7h
; (bits 15, 5, 3 read 0, bit 1 reads 1; IOPL and NT stick; see flags.asm)
    push word 0xFCFF
    push word ROM_SEG
    push word .after10
    iret
.after10:
    pushf
    pop ax
    push word F_FIXED
    popf
    CHECK ax, 0x7CD7, "iret flags fcff -> 7cd7"

;--- IRETD in real mode: "EFLAGS <- (tempEFLAGS AND 257FD5H) OR (EFLAGS AND 1A0000H)" (SDM IRET,
; real-address mode): VM (bit 17) cannot be set. If it were, the IOPL-sensitive PUSHF/CLI below
; would fault as in virtual-8086 mode with IOPL 0.
    push dword 0x00020002           ; VM
    push dword ROM_SEG
    push dword .after11
    iretd
.after11:
    pushf
    cli
    pop ax
    CHECK ax, F_FIXED, "iretd cannot set vm"

; (INT1, UD2 and the IDT limit last: KVM's instruction emulator, the oracle on some hosts, stops
; at them or gets them wrong)
;--- INT1 / ICEBP (F1): a debug trap through vector 1 (SDM Vol.2 INT n/INTO/INT3/INT1: "INT1 ...
; generates a debug exception"; a trap: pushed IP = the next instruction)
    TRAP_ARM 1, 0
    db 0xF1
.after_icebp:
    CHECKT trap_count, 1, "int1 count"
    CHECKT trap_ip, .after_icebp, "int1 pushed IP"
    TRAP_DISARM 1

;--- #UD from UD2: a fault, the pushed IP is the UD2's
    TRAP_ARM 6, .after7
.fault7:
    ud2
    FAIL "ud2: no #UD"
.after7:
    CHECKT trap_ip, .fault7, "ud2 pushed IP"
    CHECKT trap_count, 1, "ud2 count"

;--- a vector beyond the IDT limit: SDM Vol.2 INT n, "Real-Address Mode Exceptions: #GP ... If the
; interrupt vector number is outside the IDT limits." A fault: the pushed IP is the INT's.
; (Last: KVM's instruction emulator ignores the limit.)
    TRAP_ARM 13, .after_lim
    mov word [0x40], 0x00FF         ; vectors 0..3Fh
    mov dword [0x42], 0
    lidt [0x40]
.fault_lim:
    int 0x50                        ; 50h*4 = 140h > FFh
    FAIL "int beyond the IDT limit: no #GP"
.after_lim:
    mov word [0x40], 0x03FF
    lidt [0x40]
    CHECKT trap_count, 1, "int beyond the IDT limit: #GP count"
    CHECKT trap_ip, .fault_lim, "int beyond the IDT limit: pushed IP"
    TRAP_DISARM 13
TEST_END

; flags_handler: AX <- (FLAGS & (IF | TF)) as seen inside the handler
flags_handler:
    pushf
    pop ax
    and ax, F_IF | F_TF
    iret

; add_handler: AX <- AX + 1; sets CF in the pushed FLAGS so IRET returns with CF=1
add_handler:
    inc ax
    push bp
    mov bp, sp
    or word [ss:bp+6], F_CF         ; [bp+2] IP, [bp+4] CS, [bp+6] FLAGS
    pop bp
    iret

outer_handler:
    add ax, 100
    int 0x44
    iret
