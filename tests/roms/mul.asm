; mul: MUL and all IMUL forms (one operand F6/F7 /5, two operands 0F AF, three operands 69/6B),
; 8/16/32 bits, register and memory operands.
;
; SDM Vol.2 MUL: AX <- AL*SRC, DX:AX <- AX*SRC, EDX:EAX <- EAX*SRC (unsigned). "The OF and CF
; flags are set to 0 if the upper half of the result is 0; otherwise, they are set to 1. The SF,
; ZF, AF, and PF flags are undefined."
; SDM Vol.2 IMUL: signed; one-operand form as MUL; two/three-operand forms truncate to the
; destination size. "CF and OF are set when the signed result (sign-extended) differs from the
; full product; cleared otherwise. SF ZF AF PF undefined." So only CF|OF are checked.
%include "lib.inc"
%define F_CO (F_CF | F_OF)
TEST_BEGIN "mul"
    mov ax, SCRATCH_SEG
    mov ds, ax

;--- MUL
    mov ax, 0xFF80
    mov bl, 0x02
    mul bl                          ; 80h*2 = 0100h: AH != 0 -> CF=OF=1
    CHECK ax, 0x0100, "mul8 #1"
    CHECKF F_CO, F_CO, "mul8 #1 flags"
    mov al, 0x10
    mov bl, 0x0F
    mul bl                          ; 10h*0Fh = 00F0h: AH = 0 -> CF=OF=0
    CHECK ax, 0x00F0, "mul8 #2"
    CHECKF F_CO, 0, "mul8 #2 flags"
    mov ax, 0x1234
    mov cx, 0x0100
    mov dx, 0xFFFF
    mul cx                          ; 1234h*100h = 12_3400h: DX=0012 AX=3400, CF=OF=1
    CHECK ax, 0x3400, "mul16 lo"
    CHECK dx, 0x0012, "mul16 hi"
    CHECKF F_CO, F_CO, "mul16 flags"
    mov word [0x10], 0xFFFF
    mov ax, 0xFFFF
    mul word [0x10]                 ; FFFFh^2 = FFFE_0001h
    CHECK ax, 0x0001, "mul16 m lo"
    CHECK dx, 0xFFFE, "mul16 m hi"
    mov ax, 0x7FFF
    mov dx, 0x5555
    mov bx, 1
    mul bx                          ; DX = 0 is written even though DX was non-zero
    CHECK dx, 0, "mul16 dx cleared"
    CHECKF F_CO, 0, "mul16 #2 flags"
    mov eax, 0x80000000
    mov ecx, 2
    mul ecx                         ; 8000_0000h*2 = 1_0000_0000h: EDX=1 EAX=0, CF=OF=1
    CHECK eax, 0, "mul32 lo"
    CHECK edx, 1, "mul32 hi"
    CHECKF F_CO, F_CO, "mul32 flags"
    mov dword [0x14], 0xFFFFFFFF
    mov eax, 0xFFFFFFFF
    mul dword [0x14]                ; (2^32-1)^2 = FFFF_FFFE_0000_0001h
    CHECK eax, 0x00000001, "mul32 m lo"
    CHECK edx, 0xFFFFFFFE, "mul32 m hi"
    mov byte [0x18], 200
    mov al, 100
    mul byte [0x18]                 ; 100*200 = 20000 = 4E20h
    CHECK ax, 0x4E20, "mul8 m"

;--- IMUL, one operand
    mov al, 0xFE                    ; -2
    mov bl, 3
    imul bl                         ; -6 = FFFAh; AX = SignExtend(AL=FA): CF=OF=0
    CHECK ax, 0xFFFA, "imul8 #1"
    CHECKF F_CO, 0, "imul8 #1 flags"
    mov al, 0x40
    mov bl, 2
    imul bl                         ; 64*2 = 128 = 0080h; SignExtend(AL=80) = FF80 != 0080: CF=OF=1
    CHECK ax, 0x0080, "imul8 #2"
    CHECKF F_CO, F_CO, "imul8 #2 flags"
    mov ax, 0xFFFF
    mov cx, 0xFFFF
    imul cx                         ; -1*-1 = 1: DX=0 AX=1, CF=OF=0
    CHECK ax, 1, "imul16 lo"
    CHECK dx, 0, "imul16 hi"
    CHECKF F_CO, 0, "imul16 flags"
    mov ax, 0x8000
    mov word [0x1A], 0x8000
    imul word [0x1A]                ; (-32768)^2 = 4000_0000h: DX=4000 AX=0000, CF=OF=1
    CHECK ax, 0, "imul16 m lo"
    CHECK dx, 0x4000, "imul16 m hi"
    CHECKF F_CO, F_CO, "imul16 m flags"
    mov eax, 0x00010000
    mov ecx, 0x00010000
    imul ecx                        ; 2^16*2^16 = 2^32: EDX=1 EAX=0, CF=OF=1
    CHECK eax, 0, "imul32 #1 lo"
    CHECK edx, 1, "imul32 #1 hi"
    CHECKF F_CO, F_CO, "imul32 #1 flags"
    mov eax, -16
    mov ecx, 0x100
    imul ecx                        ; -16*256 = -4096: EDX=FFFFFFFF EAX=FFFFF000, CF=OF=0
    CHECK eax, 0xFFFFF000, "imul32 #2 lo"
    CHECK edx, 0xFFFFFFFF, "imul32 #2 hi"
    CHECKF F_CO, 0, "imul32 #2 flags"

;--- IMUL, two operands: DEST <- truncate(DEST * SRC)
    mov ax, 0x0100
    mov bx, 0x0100
    imul ax, bx                     ; 0F AF: 2^16 truncated to 0, CF=OF=1
    CHECK ax, 0, "imul16 r,r"
    CHECKF F_CO, F_CO, "imul16 r,r flags"
    mov ecx, 3
    mov edx, -4
    imul ecx, edx                   ; -12 = FFFFFFF4, fits: CF=OF=0
    CHECK ecx, 0xFFFFFFF4, "imul32 r,r"
    CHECKF F_CO, 0, "imul32 r,r flags"
    mov word [0x1C], -300
    mov dx, 100
    imul dx, [0x1C]                 ; -30000 = 8AD0h, fits in 16 bits: CF=OF=0
    CHECK dx, 0x8AD0, "imul16 r,m"
    CHECKF F_CO, 0, "imul16 r,m flags"
    mov dword [0x20], 0x40000000
    mov esi, 2
    imul esi, [0x20]                ; 2^31 does not fit in a signed dword: 80000000, CF=OF=1
    CHECK esi, 0x80000000, "imul32 r,m"
    CHECKF F_CO, F_CO, "imul32 r,m flags"

;--- IMUL, three operands: DEST <- truncate(SRC1 * imm)
    mov bx, -5
    imul ax, bx, 10                 ; 6B /r ib: -50 = FFCEh, CF=OF=0
    CHECK ax, 0xFFCE, "imul16 r,r,imm8"
    CHECKF F_CO, 0, "imul16 r,r,imm8 flags"
    mov dx, 0x10
    imul cx, dx, 0x1000             ; 69 /r iw: 10000h truncated to 0000, CF=OF=1
    CHECK cx, 0, "imul16 r,r,imm16"
    CHECKF F_CO, F_CO, "imul16 r,r,imm16 flags"
    mov dword [0x24], 0x12345678
    imul eax, [0x24], -2            ; 66 6B: -2*12345678h = -2468ACF0h = DB975310h, CF=OF=0
    CHECK eax, 0xDB975310, "imul32 r,m,imm8"
    CHECKF F_CO, 0, "imul32 r,m,imm8 flags"
    mov edi, 0x10000
    imul edi, edi, 0x10000          ; 66 69 id: 2^32 truncated to 0, CF=OF=1
    CHECK edi, 0, "imul32 r,r,imm32"
    CHECKF F_CO, F_CO, "imul32 r,r,imm32 flags"
    mov si, 7
    imul si, si, -1                 ; -7 = FFF9h
    CHECK si, 0xFFF9, "imul16 r,r,-1"
TEST_END
