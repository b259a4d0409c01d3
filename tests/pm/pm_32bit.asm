; pm_32bit: 32-bit code segment semantics (CS.D=1), 16-bit stack and code segments in protected
; mode, PUSHFD/POPFD rules.
;
; SDM Vol.1 3.6 / Vol.3 3.4.5 (D flag): in a code segment with D=1 the default operand and
; address sizes are 32 bits; the 66h/67h prefixes select 16 bits (SDM Vol.2 2.1.1 / table 2-x
; "effective operand and address size attributes"). With D=0 the defaults are 16 and the
; prefixes select 32.
; SDM Vol.2 2.1.5 tables 2-1/2-2/2-3: 16-bit addressing [BX+SI] etc. (the sum wraps at 64 KiB);
; 32-bit ModRM mod=00 rm=101 is [disp32] with no base; a SIB byte with base=101 and mod=00 has no
; base either (disp32 + index). SDM Vol.1 3.7.5 (default segment selection): SS when the base
; register is ESP or EBP (16-bit: BP), DS otherwise; EBP as an *index* does not select SS.
; SDM Vol.3 3.4.5 (D/B flag of a stack segment): B=1 -> pushes/pops use ESP, B=0 -> SP (the upper
; half of ESP is untouched and SP wraps: 0 - 2 = FFFEh).
; SDM Vol.2 MOVS/REP: the count register is ECX with 32-bit address size, CX with 16-bit, and
; the index registers ESI/EDI or SI/DI likewise. LOOP: "IF AddressSize = 32 THEN Count is ECX
; ELSE Count is CX". JECXZ/JCXZ: the 67h prefix chooses CX.
; SDM Vol.2 PUSHF: "the VM and RF flags (bits 16 and 17) are not copied; instead, the values
; for these flags are cleared in the EFLAGS image stored on the stack".
; SDM Vol.2 POPF (CPL 0, 32-bit): "All non-reserved flags except RF, VIP, VIF, and VM can be
; modified; VIP, VIF, VM, and all reserved bits are unaffected"; 16-bit POPF loads the low word
; only. SDM Vol.1 3.4.3: bit 1 reads 1, bits 3, 5, 15 read 0; AC (bit 18) is writable on the 486+,
; ID (bit 21) on every processor with CPUID (SDM Vol.1 3.4.3.3), which is how software detects it.
; SDM Vol.2 CALL/RET far: the operand size decides whether CS and EIP are pushed/popped as words
; or dwords (a dword slot for CS, the upper 16 bits ignored on RET).
;
; Checked on the host CPU (gcc -m32 inline asm, CPL 3): o16 PUSH moves ESP by 2, 32-bit PUSH by
; 4; `a16 loop` with ECX=00010003h iterates 3 times leaving 00010000h; JECXZ not taken and JCXZ
; taken for ECX=10000h; LOOP with ECX=10000h iterates 65536 times; POPFD of 00188028h gives 202h
; (VIF/VIP unaffected, bits 3/5/15 zero, bit 1 one); POPFD toggles AC and ID.
%include "pm.inc"

%define SEL_SSB     0x60        ; data RW base 10000h, 4 GiB limit, B=1: an SS with a base
%define SEL_S16     0x68        ; data RW base 20000h, limit FFFFh, B=0: a 16-bit stack
%define F_RF        0x10000
%define F_VIF       0x80000
%define F_VIP       0x100000
%define OFF         0x40100     ; an offset seen through DS (base 0) and SS (base 10000h)
%define M_DS        0xD5D5D5D5  ; at linear OFF
%define M_SS        0x55555555  ; at linear 10000h + OFF
%define M_DS16      0xA5A5A5A5  ; at linear 100h
%define M_SS16      0x5A5A5A5A  ; at linear 10100h
%define saved_esp   (pm_var0 + 0x7C)

PM_BEGIN "pm_32bit"
    SETDESC SEL_SSB, 0x10000, 0xFFFFF, ACC_DATA, G_4K | G_32
    SETDESC SEL_S16, 0x20000, 0xFFFF, ACC_DATA, 0

;--- operand size: 32 by default, 16 with 66h
    mov ebx, esp
    push eax
    mov ecx, esp
    o16 push ax
    mov edx, esp
    push word 0x1234                    ; 66 68 iw
    mov esi, esp
    push 0x12345678                     ; 68 id
    mov edi, esp
    mov esp, ebx
    sub ebx, ecx
    PCHECK ebx, 4, "push eax: 4 bytes"
    sub ecx, edx
    PCHECK ecx, 2, "o16 push ax: 2 bytes"
    sub edx, esi
    PCHECK edx, 2, "push word imm: 2 bytes"
    PCHECK word [esi], 0x1234, "push word imm: the word"
    sub esi, edi
    PCHECK esi, 4, "push dword imm: 4 bytes"
    mov eax, 0x12345678
    mov ax, 0xFFFF                      ; 66 B8 iw: only AX
    PCHECK eax, 0x1234FFFF, "o16 mov ax, imm keeps the upper half"

;--- addressing forms and their default segments (DS base 0, SS base 10000h)
    mov dword [OFF], M_DS
    mov dword [0x10000 + OFF], M_SS
    mov dword [0x100], M_DS16
    mov dword [0x10100], M_SS16
    mov [saved_esp], esp
    mov ax, SEL_SSB
    mov ss, ax
    mov esp, STACK0_TOP - 0x10000       ; the same linear stack
    mov ebp, OFF
    mov eax, [ebp]                      ; mod=01 disp8=0: [EBP+0], SS
    mov [pm_var0 + 0x00], eax
    mov eax, [OFF]                      ; mod=00 rm=101: [disp32], DS
    mov [pm_var0 + 0x04], eax
    db 0x8B, 0x04, 0x2D                 ; mov eax, [ebp*1 + disp32]: SIB base=101 mod=00: no
    dd 0                                ; base, EBP is the index: DS
    mov [pm_var0 + 0x08], eax
    db 0x8B, 0x44, 0x25, 0x00           ; mov eax, [ebp + 0] through a SIB (base EBP): SS
    mov [pm_var0 + 0x0C], eax
    xor ebx, ebx
    db 0x8B, 0x04, 0x2B                 ; mov eax, [ebx + ebp*1]: base EBX: DS
    mov [pm_var0 + 0x10], eax
    mov esp, OFF - 8
    mov eax, [esp + 8]                  ; SIB base ESP: SS
    mov [pm_var0 + 0x14], eax
    mov esp, STACK0_TOP - 0x10000
    ; 16-bit addressing (67h): [BP+DI] is SS, [BX+SI] DS, sums wrap at 64 KiB, upper halves ignored
    mov ebp, 0xFFFF0100
    mov edi, 0x12340000
    a16 mov eax, [bp + di]
    mov [pm_var0 + 0x18], eax
    mov ebx, 0x0000FFF0                 ; 32-bit [EBX+ESI] would be 10100h
    mov esi, 0x00000110
    a16 mov eax, [bx + si]
    mov [pm_var0 + 0x1C], eax
    a16 mov eax, [0x100]                ; 67 A1 iw: a 16-bit moffs, DS
    mov [pm_var0 + 0x20], eax
    mov ax, SEL_DATA32
    mov ss, ax
    mov esp, [saved_esp]
    PCHECK dword [pm_var0 + 0x00], M_SS, "[ebp] defaults to ss"
    PCHECK dword [pm_var0 + 0x04], M_DS, "mod 0 rm 101 is disp32 with ds"
    PCHECK dword [pm_var0 + 0x08], M_DS, "sib base 101 mod 0: disp32 + index, ds"
    PCHECK dword [pm_var0 + 0x0C], M_SS, "sib base ebp mod 1: ss"
    PCHECK dword [pm_var0 + 0x10], M_DS, "ebp as an index: ds"
    PCHECK dword [pm_var0 + 0x14], M_SS, "[esp+8] defaults to ss"
    PCHECK dword [pm_var0 + 0x18], M_SS16, "a16 [bp+di] defaults to ss"
    PCHECK dword [pm_var0 + 0x1C], M_DS16, "a16 [bx+si] wraps at 64 KiB"
    PCHECK dword [pm_var0 + 0x20], M_DS16, "a16 moffs"

;--- a 16-bit stack segment (B=0): SP, not ESP
    mov [saved_esp], esp
    mov ax, SEL_S16
    mov ss, ax
    mov esp, 0xABCD0000                 ; SP = 0
    o16 push word 0xBEEF                ; SP = 0 - 2 = FFFEh, at 20000h + FFFEh
    mov ebx, esp
    mov ax, [0x2FFFE]                   ; (DS flat) read back before the dword push covers it
    mov [pm_var0 + 0x50], ax
    o16 pop ax                          ; SP = FFFEh + 2 wraps to 0
    mov ecx, esp
    push dword 0xCAFEF00D               ; SP = FFFCh
    mov edx, esp
    call .sub16                         ; pushes EIP at SP = FFF8h
.ret16:
    pop eax
    mov edi, esp
    mov bp, SEL_DATA32
    mov ss, bp
    mov esp, [saved_esp]
    PCHECK ebx, 0xABCDFFFE, "16-bit stack: push at sp 0 wraps to fffe, upper esp kept"
    PCHECK word [pm_var0 + 0x50], 0xBEEF, "16-bit stack: the word at base + fffe"
    PCHECK ecx, 0xABCD0000, "16-bit stack: pop wraps back to 0"
    PCHECK edx, 0xABCDFFFC, "16-bit stack: push dword"
    PCHECK dword [0x2FFFC], 0xCAFEF00D, "16-bit stack: the dword at base + fffc"
    PCHECK esi, 0xABCDFFF8, "16-bit stack: call pushed 4 bytes through sp"
    PCHECK dword [0x2FFF8], .ret16, "16-bit stack: the return address"
    PCHECK eax, 0xCAFEF00D, "16-bit stack: pop dword"
    PCHECK edi, 0xABCD0000, "16-bit stack: esp at the end"
    jmp .strings
.sub16:
    mov esi, esp
    ret

;--- string instructions: ECX/ESI/EDI with a 32-bit address size, CX/SI/DI with 16
.strings:
    mov byte [0x40000 + 0x10001], 0x77
    mov ecx, 0x10002                    ; CX alone would be 2
    mov esi, 0x40000
    mov edi, 0x60000
    rep movsb
    PCHECK ecx, 0, "rep movsb: ecx counted to 0"
    PCHECK esi, 0x50002, "rep movsb: esi"
    PCHECK edi, 0x70002, "rep movsb: edi"
    PCHECK byte [0x70001], 0x77, "rep movsb: the last byte"
    ; a16: CX=3, SI FFFFh -> 0 -> 1, DI FFFEh -> FFFFh -> 0 (ES base 10000h); upper halves kept
    mov byte [0xFFFF], 0x11
    mov byte [0x0000], 0x22
    mov byte [0x0001], 0x33
    mov ax, SEL_SSB
    mov es, ax
    mov ecx, 0xFFFF0003
    mov esi, 0x1234FFFF
    mov edi, 0x5678FFFE
    a16 rep movsb
    mov ax, SEL_DATA32
    mov es, ax
    PCHECK ecx, 0xFFFF0000, "a16 rep movsb: cx counted, upper ecx kept"
    PCHECK esi, 0x12340002, "a16 rep movsb: si wrapped"
    PCHECK edi, 0x56780001, "a16 rep movsb: di wrapped"
    PCHECK byte [0x1FFFE], 0x11, "a16 rep movsb: byte 0"
    PCHECK byte [0x1FFFF], 0x22, "a16 rep movsb: byte 1"
    PCHECK byte [0x10000], 0x33, "a16 rep movsb: byte 2 at di 0"
    ; movsd steps by 4, o16 movsw by 2
    mov esi, 0x40000
    mov edi, 0x60000
    movsd
    o16 movsw
    PCHECK esi, 0x40006, "movsd + movsw: esi"
    PCHECK edi, 0x60006, "movsd + movsw: edi"
    ; repe cmpsb with ECX=10000h: the buffers differ at index 5 -> 6 compares, ECX=FFFAh, ZF=0
    mov edi, 0x61000
    mov esi, 0x41000
    mov ecx, 16
    rep movsb
    mov byte [0x61005], 0xEE
    mov ecx, 0x10000
    mov esi, 0x41000
    mov edi, 0x61000
    repe cmpsb
    PCHECKF F_ZF, 0, "repe cmpsb: stopped on a difference"
    PCHECK ecx, 0xFFFA, "repe cmpsb: ecx"
    PCHECK esi, 0x41006, "repe cmpsb: esi"
    ; a16 repe cmpsb with ECX=10000h: CX=0, no iteration at all
    mov ecx, 0x10000
    cmp eax, eax
    a16 repe cmpsb
    PCHECK ecx, 0x10000, "a16 repe cmpsb with cx 0: nothing"

;--- LOOP, JECXZ
    mov ecx, 0x10000
    xor edx, edx
.l1:
    inc edx
    loop .l1
    PCHECK edx, 0x10000, "loop with ecx 10000h: 65536 iterations"
    PCHECK ecx, 0, "loop: ecx 0"
    mov ecx, 0x00010003
    xor edx, edx
.l2:
    inc edx
    a16 loop .l2
    PCHECK edx, 3, "a16 loop: cx counts"
    PCHECK ecx, 0x00010000, "a16 loop: upper ecx kept"
    mov ecx, 0x10000
    jecxz .jbad
    jcxz .jok                           ; 67 E3
.jbad:
    PFAIL "jecxz taken with ecx 10000h, or jcxz not taken with cx 0"
.jok:

;--- PUSHFD / POPFD
    ; bit 1 reads 1; bits 3, 5, 15 read 0; VIF, VIP (and VM) unaffected by POPFD
    pushfd
    push dword F_VIF | F_VIP | 0x8028
    popfd
    pushfd
    pop eax
    popfd
    PCHECK eax, F_FIXED, "popfd 188028h then pushfd"
    ; AC and ID toggle at CPL 0
    pushfd
    pop ebx
    mov eax, ebx
    xor eax, F_AC | F_ID
    push eax
    popfd
    pushfd
    pop eax
    xor eax, ebx
    PCHECK eax, F_AC | F_ID, "popfd toggles ac and id"
    ; a 16-bit POPF loads the low word only: AC and ID stay as they are now
    pushfd
    pop ecx
    push word F_FIXED
    popfw                               ; 66 9D
    pushfd
    pop eax
    and eax, F_AC | F_ID
    and ecx, F_AC | F_ID
    PCHECK eax, ecx, "16-bit popf leaves ac and id"
    push ebx
    popfd
    ; POPFD cannot set VM: the next instructions still run in protected mode (a CLI at IOPL 0
    ; would be #GP(0) in v8086 mode, and CS would have base 80h)
    PM_ARM .vm_r
    push dword F_VM | F_FIXED
    popfd
    cli
    mov eax, cs
.vm_r:
    PM_NOEXC "popfd with vm"
    PCHECK eax, SEL_CODE32, "popfd with vm: still protected-mode cs"
;--- a 16-bit code segment (D=0) in protected mode
    ; far CALL with a 32-bit operand: CS and EIP pushed as dwords, O32 RETF back
    mov [saved_esp], esp
    call dword SEL_CODE16:c16_entry
c32_back:
    mov eax, esp
    PCHECK eax, [saved_esp], "o32 retf from 16-bit code: esp restored"
    mov eax, [saved_esp]
    sub eax, 8
    PCHECK dword [pm_var0 + 0x00], eax, "call dword far: 8 bytes pushed"
    sub eax, 2
    PCHECK dword [pm_var0 + 0x04], eax, "16-bit code: push ax is 2 bytes"
    sub eax, 2
    PCHECK dword [pm_var0 + 0x08], eax, "16-bit code: push imm16 is 2 bytes"
    sub eax, 4
    PCHECK dword [pm_var0 + 0x0C], eax, "16-bit code: o32 push is 4 bytes"
    PCHECK dword [pm_var0 + 0x10], M_DS16, "16-bit code: [bx+si] is 16-bit addressing"
    PCHECK dword [pm_var0 + 0x14], M_SS16, "16-bit code: a32 [ebx+esi]"
    PCHECK dword [pm_var0 + 0x18], 0x1234FFFF, "16-bit code: mov ax, imm"
    PCHECK dword [pm_var0 + 0x1C], 2, "16-bit code: near call pushes 2 bytes"
    PCHECK dword [pm_var0 + 0x20], 2, "16-bit code: loop counts cx"
    PCHECK dword [pm_var0 + 0x24], 0x00010000, "16-bit code: loop keeps upper ecx"
    PCHECK dword [pm_var0 + 0x28], c16_entry.after_far, "16-bit far call: pushed ip"
    PCHECK dword [pm_var0 + 0x2C], SEL_CODE16, "16-bit far call: pushed cs"
    mov eax, [saved_esp]
    sub eax, 8 + 4
    PCHECK dword [pm_var0 + 0x30], eax, "16-bit far call: 4 bytes pushed"
    PCHECK dword [pm_var0 + 0x34], 0x89ABCDEF, "16-bit code: o32 push at ss:esp (ss.b=1)"
    PCHECK dword [pm_var0 + 0x38], 0x1234, "16-bit code: push imm16 at ss:esp"
    ; far CALL with a 16-bit operand from 32-bit code: word CS and IP; 16-bit RETF back
    call word SEL_CODE16:c16_short
c32_back16:
    mov eax, esp
    PCHECK eax, [saved_esp], "16-bit retf: esp restored"
    mov eax, [saved_esp]
    sub eax, 4
    PCHECK dword [pm_var0 + 0x00], eax, "call word far: 4 bytes pushed"
    PCHECK dword [pm_var0 + 0x04], c32_back16, "call word far: pushed ip"
    PCHECK dword [pm_var0 + 0x08], SEL_CODE32, "call word far: pushed cs"
    ; far JMP into 16-bit code, far JMP (o32) back
    jmp SEL_CODE16:c16_jmp
c32_from_jmp:
    PCHECK dword [pm_var0 + 0x00], 0x1234FFFF, "jmp to 16-bit code: ran 16-bit defaults"
;--- last, because KVM's instruction emulator (the pm-kvm oracle on some hosts) stops at IRETD:
    ; RF: IRETD sets it from the image; the PUSHFD that follows stores it cleared
    pushfd
    or dword [esp], F_RF
    push dword SEL_CODE32
    push dword .rf_next
    iretd
.rf_next:
    pushfd
    pop eax
    and eax, F_RF
    PCHECK eax, 0, "pushfd stores rf cleared"
    ; VM: PUSHFD in v8086 mode (IOPL 3) stores VM cleared
    mov dword [v86_cont], .v86_done
    mov dword [pm_var0 + 0x40], 0xFFFFFFFF
    push dword 0                        ; GS
    push dword 0                        ; FS
    push dword 0                        ; DS
    push dword 0                        ; ES
    push dword 0x9000                   ; SS
    push dword 0xF000                   ; ESP
    push dword F_VM | F_IOPL3 | F_FIXED
    push dword ROM_SEG
    push dword v86_pushfd
    iretd
.v86_done:
    mov eax, [pm_var0 + 0x40]
    and eax, F_VM | F_RF | F_IOPL3
    PCHECK eax, F_IOPL3, "pushfd in v8086 mode stores vm cleared"

PM_END

bits 16
; Entered by a 32-bit far CALL (SS is the flat 32-bit stack: B=1, so ESP is used).
c16_entry:
    mov [pm_var0 + 0x00], esp
    push ax
    mov [pm_var0 + 0x04], esp
    push 0x1234                         ; 68 iw
    mov [pm_var0 + 0x08], esp
    push dword 0x89ABCDEF               ; 66 68 id
    mov [pm_var0 + 0x0C], esp
    mov eax, [esp]                      ; a32: where the pushes went (SS base 0 + ESP)
    mov [pm_var0 + 0x34], eax
    movzx eax, word [esp + 4]
    mov [pm_var0 + 0x38], eax
    add esp, 8
    ; default 16-bit addressing: [bx+si] = (FFF0h + 0110h) mod 64 KiB = 100h
    mov ebx, 0x1234FFF0
    mov esi, 0x56780110
    mov eax, [bx + si]
    mov [pm_var0 + 0x10], eax
    mov ebx, 0x10000
    mov esi, 0x100
    mov eax, [ebx + esi]                ; 67 66 8B: 32-bit addressing
    mov [pm_var0 + 0x14], eax
    mov eax, 0x12345678
    mov ax, 0xFFFF                      ; no prefix: 16-bit operand
    mov [pm_var0 + 0x18], eax
    mov edx, esp
    call .sub
    mov ecx, 0x00010002
    xor edx, edx
.l:
    inc edx
    loop .l                             ; CX: 2 iterations
    mov [pm_var0 + 0x20], edx
    mov [pm_var0 + 0x24], ecx
    mov [pm_var0 + 0x30], esp           ; (before the far call; c32_from16 records after)
    call SEL_CODE32:c32_from16          ; 9A iw iw: 16-bit far call
.after_far:
    o32 retf                            ; pops EIP and a dword CS
.sub:
    mov eax, edx
    sub eax, esp
    mov [pm_var0 + 0x1C], eax
    ret

; Entered by a 16-bit far CALL from 32-bit code.
c16_short:
    mov [pm_var0 + 0x00], esp
    movzx eax, word [esp]
    mov [pm_var0 + 0x04], eax
    movzx eax, word [esp + 2]
    mov [pm_var0 + 0x08], eax
    retf                                ; 16-bit: pops IP and CS

; Entered by a far JMP from 32-bit code.
c16_jmp:
    mov eax, 0x12345678
    mov ax, 0xFFFF
    mov [pm_var0 + 0x00], eax
    jmp dword SEL_CODE32:c32_from_jmp   ; 66 EA id iw

; v8086 mode (IOPL 3): PUSHFD, then leave through the library's vector 7Eh.
v86_pushfd:
    pushfd
    pop eax
    mov [pm_var0 + 0x40], eax           ; DS = 0: linear pm_var0 + 40h
    int VEC_V86OUT

bits 32
; Called by the 16-bit far CALL in c16_entry: [esp] IP, [esp+2] CS (words); O16 RETF back.
c32_from16:
    movzx eax, word [esp]
    mov [pm_var0 + 0x28], eax
    movzx eax, word [esp + 2]
    mov [pm_var0 + 0x2C], eax
    mov [pm_var0 + 0x30], esp
    o16 retf
