; pm_v86: virtual-8086 mode (SDM Vol.3 chapter 20).
;
; SDM Vol.2 IRET "RETURN-TO-VIRTUAL-8086-MODE": IRETD at CPL 0 with VM=1 in the popped EFLAGS
; pops EIP CS EFLAGS ESP SS ES DS FS GS and continues in v8086 mode at CPL 3, segments
; base = selector * 16.
; SDM Vol.3 20.3.1.1 / 20.3.2 and figure 20-4: an interrupt or exception from v8086 mode to a
; ring-0 handler switches to the TSS ring-0 stack and pushes GS FS DS ES SS ESP EFLAGS CS EIP
; (each 4 bytes, the segment selectors in the low words), then loads DS ES FS GS with null
; selectors and clears VM; IRETD back restores them.
; SDM Vol.3 20.2.7: with IOPL < 3, CLI STI PUSHF POPF INT n IRET raise #GP(0) (no VME here).
; SDM Vol.1 19.5.2 / Vol.3 20.2.8: IN/OUT in v8086 mode always consult the I/O bitmap, whatever
; IOPL: port 80h (bit set) -> #GP(0).
%include "pm.inc"

%define v86_n       0x6F0       ; faults seen by v86_gp
%define v86_err     0x6F4       ; OR of their error codes

PM_BEGIN "pm_v86"
    SETIDT 0x21, pm_stubs + 0x21 * 16, ACC_INT32 | DPL(3)

;--- phase 1, IOPL 3: INT 21h reaches the ring-0 handler with the v8086 frame
    mov dword [v86_cont], .p1_done
    PM_ARM v86_p1.resume
    push dword 0x2000                   ; GS
    push dword 0x3000                   ; FS
    push dword 0x4000                   ; DS
    push dword 0x5000                   ; ES
    push dword 0x9000                   ; SS
    push dword 0xF000                   ; ESP
    push dword F_VM | F_IOPL3 | F_FIXED ; EFLAGS
    push dword ROM_SEG                  ; CS
    push dword v86_p1                   ; EIP
    iretd
.p1_done:
    PM_EXPECT 0x21, NOERR, v86_p1.after_int, "int 21h from v8086 mode"
    PCHECK dword [exc_cs], ROM_SEG, "v86 frame: CS"
    mov eax, [exc_eflags]
    and eax, F_VM | F_IOPL3
    PCHECK eax, F_VM | F_IOPL3, "v86 frame: EFLAGS has VM"
    PCHECK dword [exc_esp], 0xF000, "v86 frame: ESP (nothing pushed on the v86 stack)"
    PCHECK dword [exc_ss], 0x9000, "v86 frame: SS"
    PCHECK dword [exc_es], 0x5000, "v86 frame: ES"
    PCHECK dword [exc_ds], 0x4000, "v86 frame: DS"
    PCHECK dword [exc_fs], 0x3000, "v86 frame: FS"
    PCHECK dword [exc_gs], 0x2000, "v86 frame: GS"
    PCHECK dword [exc_hesp], STACK0_TOP - 36, "v86 frame: 9 dwords on the esp0 stack"
    PCHECK dword [exc_hds], 0, "handler DS null"
    PCHECK dword [exc_hes], 0, "handler ES null"
    PCHECK dword [exc_hfs], 0, "handler FS null"
    PCHECK dword [exc_hgs], 0, "handler GS null"
    mov eax, [exc_heflags]
    and eax, F_VM
    PCHECK eax, 0, "handler runs with VM clear"
    PCHECK word [0x40000], 0x4000, "v86 DS base = 0x4000 * 16"
    PCHECK word [0x40002], 0x1234, "v86 code ran after the iret from the handler"
    PCHECK word [0x40004], 0xF000, "v86 sp after the round trip"

;--- phase 2, IOPL 3: IN from a port whose bitmap bit is set -> #GP(0)
    mov dword [v86_cont], .p2_done
    PM_ARM v86_p2.resume
    push dword 0
    push dword 0
    push dword 0
    push dword 0
    push dword 0x9000
    push dword 0xF000
    push dword F_VM | F_IOPL3 | F_FIXED
    push dword ROM_SEG
    push dword v86_p2
    iretd
.p2_done:
    PM_EXPECT EXC_GP, 0, v86_p2.in_f, "in from port 80h in v8086 mode"

;--- phase 3, IOPL 0: CLI STI PUSHF POPF INT 21h IRET each #GP(0)
    mov dword [v86_cont], .p3_done
    SETIDT EXC_GP, v86_gp, ACC_INT32
    push dword 0
    push dword 0
    push dword 0
    push dword 0
    push dword 0x9000
    push dword 0xF000
    push dword F_VM | F_FIXED
    push dword ROM_SEG
    push dword v86_p3
    iretd
.p3_done:
    RESETIDT EXC_GP
    PCHECK dword [v86_n], 6, "iopl 0: six #GP"
    PCHECK dword [v86_err], 0, "iopl 0: error codes 0"
    PCHECK dword [pm_var0 + 0], v86_p3.f1, "cli #GP at the cli"
    PCHECK dword [pm_var0 + 4], v86_p3.f2, "sti #GP"
    PCHECK dword [pm_var0 + 8], v86_p3.f3, "pushf #GP"
    PCHECK dword [pm_var0 + 12], v86_p3.f4, "popf #GP"
    PCHECK dword [pm_var0 + 16], v86_p3.f5, "int 21h #GP"
    PCHECK dword [pm_var0 + 20], v86_p3.f6, "iret #GP"
PM_END

; the #GP handler of phase 3: record EIP, skip the instruction, leave after the sixth
v86_gp:                                 ; [esp] error, EIP, CS, EFLAGS, ESP, SS, ES, DS, FS, GS
    mov ax, SEL_DATA32
    mov ds, ax
    mov ebx, [v86_n]
    mov eax, [esp + 4]
    mov [pm_var0 + ebx * 4], eax
    mov eax, [esp]
    or [v86_err], eax
    inc dword [v86_n]
    cmp ebx, 5
    je .out
    movzx eax, byte [cs:v86_len + ebx]
    add [esp + 4], eax
    add esp, 4
    iretd
.out:
    add esp, 40
    mov ax, SEL_DATA32
    mov es, ax
    jmp [v86_cont]
v86_len: db 1, 1, 1, 1, 2, 1

bits 16
v86_p1:
    mov [0], ds                         ; DS = 4000h: linear 40000h
    int 0x21
.after_int:
.resume:
    mov word [2], 0x1234
    mov [4], sp
    int VEC_V86OUT
v86_p2:
.in_f:
    in al, 0x80
.resume:
    int VEC_V86OUT
v86_p3:
.f1: cli
.f2: sti
.f3: pushf
.f4: popf
.f5: int 0x21
.f6: iret
    jmp $
bits 32
