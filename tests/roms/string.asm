; string: MOVS CMPS SCAS LODS STOS, byte/word/dword, DF=0 and DF=1, with REP/REPE/REPNE (CX=0,
; early termination), a source segment override, and 32-bit addressing (ESI/EDI/ECX via 67h).
;
; SDM Vol.2 MOVS/CMPS/SCAS/LODS/STOS: source DS:SI (override allowed), destination ES:DI (no
; override); after each element SI/DI move by the element size, up if DF=0, down if DF=1.
; CMPS: flags of SRC1 - SRC2 with SRC1 = [DS:SI], SRC2 = [ES:DI]; SCAS: flags of AL/AX/EAX -
; [ES:DI]. SDM Vol.2 REP/REPE/REPNE: "WHILE CountReg != 0: service interrupts; execute; CountReg
; <- CountReg - 1; IF CountReg = 0 exit; IF REPE and ZF = 0, or REPNE and ZF = 1, exit". The count
; register is CX with a 16-bit address size, ECX with 32 (SDM table "Repeat Prefixes").
%include "lib.inc"
TEST_BEGIN "string"
    mov ax, SCRATCH_SEG
    mov ds, ax                      ; source area
    mov ax, 0x2000
    mov es, ax                      ; destination area

    ; source bytes at DS:0 = 00 01 02 ... 3F
    xor bx, bx
.fill:
    mov [bx], bl
    inc bx
    cmp bx, 0x40
    jne .fill

;--- MOVSB, DF=0
    cld
    mov si, 0
    mov di, 0x100
    movsb
    CHECK byte [es:0x100], 0x00, "movsb value"
    CHECK si, 1, "movsb si"
    CHECK di, 0x101, "movsb di"

;--- REP MOVSW: CX words, CX ends at 0
    mov si, 0x10
    mov di, 0x110
    mov cx, 4
    rep movsw
    CHECK cx, 0, "rep movsw cx"
    CHECK si, 0x18, "rep movsw si"
    CHECK di, 0x118, "rep movsw di"
    CHECK dword [es:0x110], 0x13121110, "rep movsw data #1"
    CHECK dword [es:0x114], 0x17161514, "rep movsw data #2"

;--- REP with CX=0 does nothing
    mov si, 0x20
    mov di, 0x120
    mov byte [es:0x120], 0xEE
    xor cx, cx
    rep movsb
    CHECK si, 0x20, "rep cx=0 si"
    CHECK di, 0x120, "rep cx=0 di"
    CHECK byte [es:0x120], 0xEE, "rep cx=0 data"

;--- MOVSD with DF=1: the pointers move down by 4
    std
    mov si, 0x2C
    mov di, 0x12C
    mov cx, 3
    rep movsd                       ; copies 2C..2F, 28..2B, 24..27 (top down)
    cld
    CHECK si, 0x20, "std rep movsd si"
    CHECK di, 0x120, "std rep movsd di"
    CHECK byte [es:0x120], 0xEE, "std rep movsd stops"
    CHECK dword [es:0x124], 0x27262524, "std rep movsd data #1"
    CHECK dword [es:0x12C], 0x2F2E2D2C, "std rep movsd data #2"

;--- MOVSB with a CS source override: copy from the ROM
    mov si, rom_text
    mov di, 0x140
    mov cx, 5
    rep cs movsb
    CHECK dword [es:0x140], 'HELL', "cs movsb #1"
    CHECK byte [es:0x144], 'O', "cs movsb #2"

;--- STOS: ES:DI <- AL/AX/EAX
    mov di, 0x180
    mov al, 0xAB
    stosb
    CHECK di, 0x181, "stosb di"
    mov ax, 0x1234
    mov cx, 3
    rep stosw                       ; 181..186
    CHECK di, 0x187, "rep stosw di"
    CHECK word [es:0x185], 0x1234, "rep stosw data"
    mov eax, 0xCAFEBABE
    std
    mov di, 0x1A0
    stosd                           ; writes 1A0..1A3, DI = 19C
    cld
    CHECK di, 0x19C, "std stosd di"
    CHECK dword [es:0x1A0], 0xCAFEBABE, "std stosd data"

;--- LODS: AL/AX/EAX <- [DS:SI]
    mov si, 0x05
    lodsb
    CHECK al, 0x05, "lodsb"
    CHECK si, 0x06, "lodsb si"
    lodsw
    CHECK ax, 0x0706, "lodsw"
    mov eax, 0
    lodsd
    CHECK eax, 0x0B0A0908, "lodsd"
    CHECK si, 0x0C, "lodsd si"
    std
    lodsb                           ; reads 0C, SI = 0B
    cld
    CHECK al, 0x0C, "std lodsb"
    CHECK si, 0x0B, "std lodsb si"
    mov si, 0x100
    mov word [es:0x100], 0x7A7B
    mov word [0x100], 0x0000
    es lodsw                        ; override: ES:0x100, not DS:0x100
    CHECK ax, 0x7A7B, "es lodsw"

;--- CMPS: flags of [DS:SI] - [ES:DI]
    ; "HELLO" at DS:0x200, "HELPO" at ES:0x200
    mov dword [0x200], 'HELL'
    mov byte [0x204], 'O'
    mov dword [es:0x200], 'HELP'
    mov byte [es:0x204], 'O'
    mov si, 0x200
    mov di, 0x200
    cmpsb                           ; 'H' - 'H' = 0: ZF PF
    CHECKF F_ARITH, F_ZF | F_PF, "cmpsb equal"
    CHECK si, 0x201, "cmpsb si"
    mov si, 0x200
    mov di, 0x200
    mov cx, 5
    repe cmpsb                      ; equal for H E L, stops after 'L' vs 'P' (4 compares)
    CHECK cx, 1, "repe cmpsb cx"
    CHECK si, 0x204, "repe cmpsb si"
    CHECK di, 0x204, "repe cmpsb di"
    ; last compare 'L' (4C) - 'P' (50) = FC: CF, SF, C-0 no AF, FC six ones PF, no OF
    CHECKF F_ARITH, F_CF | F_SF | F_PF, "repe cmpsb flags"
    mov si, 0x200
    mov di, 0x200
    mov cx, 3
    repe cmpsb                      ; all 3 equal: runs out with CX=0, ZF=1
    CHECK cx, 0, "repe cmpsb all equal cx"
    CHECKF F_ZF, F_ZF, "repe cmpsb all equal zf"
    ; REPNE CMPSW: stop at the first equal word
    mov word [0x210], 0x1111
    mov word [0x212], 0x2222
    mov word [0x214], 0x3333
    mov word [es:0x210], 0xAAAA
    mov word [es:0x212], 0xBBBB
    mov word [es:0x214], 0x3333
    mov si, 0x210
    mov di, 0x210
    mov cx, 10
    repne cmpsw
    CHECK cx, 7, "repne cmpsw cx"
    CHECK si, 0x216, "repne cmpsw si"
    CHECKF F_ZF, F_ZF, "repne cmpsw zf"
    ; CMPSD with DF=1
    mov dword [0x220], 0x00000001
    mov dword [es:0x220], 0x00000002
    std
    mov si, 0x220
    mov di, 0x220
    cmpsd                           ; 1 - 2 = FFFFFFFF: CF AF SF PF
    cld
    CHECKF F_ARITH, F_CF | F_AF | F_SF | F_PF, "std cmpsd flags"
    CHECK si, 0x21C, "std cmpsd si"
    ; REPE with CX=0: no compare, flags unchanged
    mov cx, 0
    SETF F_FIXED | F_CF | F_OF
    repe cmpsb
    CHECKF F_ARITH, F_CF | F_OF, "repe cx=0 flags"

;--- SCAS: flags of AL/AX/EAX - [ES:DI]
    mov dword [es:0x300], 'abc'     ; 'a' 'b' 'c' 00
    mov di, 0x300
    mov al, 0
    mov cx, 10
    repne scasb                     ; finds the 00 at 0x303 after 4 compares
    CHECK cx, 6, "repne scasb cx"
    CHECK di, 0x304, "repne scasb di"
    CHECKF F_ZF, F_ZF, "repne scasb zf"
    mov di, 0x300
    mov al, 'a'
    scasb                           ; 'a' - 'a' = 0
    CHECKF F_ARITH, F_ZF | F_PF, "scasb equal"
    mov word [es:0x310], 0x5555
    mov word [es:0x312], 0x5555
    mov word [es:0x314], 0x5556
    mov di, 0x310
    mov ax, 0x5555
    mov cx, 3
    repe scasw                      ; 2 equal, stops at the third: 5555 - 5556 = FFFF
    CHECK cx, 0, "repe scasw cx"    ; (CX is decremented for the mismatching element too)
    CHECK di, 0x316, "repe scasw di"
    CHECKF F_ARITH, F_CF | F_AF | F_SF | F_PF, "repe scasw flags"
    mov dword [es:0x320], 0x80000000
    mov di, 0x320
    mov eax, 0x7FFFFFFF
    scasd                           ; 7FFFFFFF - 80000000 = FFFFFFFF: CF, OF (pos - neg -> neg),
    CHECKF F_ARITH, F_CF | F_OF | F_SF | F_PF, "scasd flags" ; SF, PF; F-0 no AF

;--- 32-bit addressing: 67h makes ESI/EDI/ECX the pointers and the count
    mov esi, 0x00000030
    mov edi, 0x00000400
    mov ecx, 0x00000004
    a32 rep movsb
    CHECK ecx, 0, "a32 rep movsb ecx"
    CHECK esi, 0x34, "a32 rep movsb esi"
    CHECK edi, 0x404, "a32 rep movsb edi"
    CHECK dword [es:0x400], 0x33323130, "a32 rep movsb data"
    ; with a 16-bit address size only CX counts and only SI/DI move: the upper halves stay
    mov ecx, 0x00010002             ; CX = 2
    mov esi, 0x00050000             ; SI = 0
    mov edi, 0x00060410             ; DI = 0x410
    rep movsb
    CHECK ecx, 0x00010000, "a16 rep ecx"
    CHECK esi, 0x00050002, "a16 rep esi"
    CHECK edi, 0x00060412, "a16 rep edi"
    CHECK word [es:0x410], 0x0100, "a16 rep data"
    mov edi, 0x00000420
    mov ecx, 2
    mov eax, 0x01020304
    a32 rep stosd
    CHECK edi, 0x428, "a32 rep stosd edi"
    CHECK dword [es:0x424], 0x01020304, "a32 rep stosd data"
;--- the ES destination of STOS/MOVS/SCAS cannot be overridden (SDM STOS: "The ES segment
; cannot be overridden with a segment override prefix"); a prefix on MOVS applies to the source
    mov byte [0x500], 0x11          ; DS:500
    mov byte [es:0x500], 0x22       ; ES:500
    mov di, 0x500
    mov al, 0x33
    ds stosb                        ; still ES:DI
    CHECK byte [es:0x500], 0x33, "ds stosb writes es:di"
    CHECK byte [0x500], 0x11, "ds stosb leaves ds:di"
    mov di, 0x500
    mov al, 0x11
    ds scasb                        ; compares with ES:500 = 33, not DS:500 = 11
    CHECKF F_ZF, 0, "ds scasb reads es:di"
    mov byte [es:0x510], 0x44
    mov byte [0x510], 0x55
    mov si, 0x510
    mov di, 0x511
    es movsb                        ; source ES:510 (override), destination ES:511
    CHECK byte [es:0x511], 0x44, "es movsb source override"

;--- overlapping MOVS: element by element, so a forward copy to DI = SI + size replicates the
; first element (SDM MOVS: one element per iteration, then SI/DI advance)
    mov di, 0x600
    mov cx, 9
    mov al, 0x00
    rep stosb                       ; clear ES:600..608
    mov byte [es:0x600], 0xAB
    push ds
    push es
    pop ds                          ; DS = ES
    mov si, 0x600
    mov di, 0x601
    mov cx, 8
    rep movsb
    pop ds
    CHECK dword [es:0x604], 0xABABABAB, "overlapping rep movsb #1"
    CHECK byte [es:0x608], 0xAB, "overlapping rep movsb #2"
    ; the same overlap through two different segments that alias the same memory:
    ; DS:SI = 2000:0610 and ES:DI = 2001:0601 are linear 20610 and 20611
    mov word [es:0x610], 0x00CD
    mov dword [es:0x612], 0
    push ds
    push es
    pop ds
    push es
    push word 0x2001
    pop es
    mov si, 0x610
    mov di, 0x601
    mov cx, 5
    rep movsb
    pop es
    pop ds
    CHECK dword [es:0x612], 0xCDCDCDCD, "aliased overlapping rep movsb"
    ; backwards (DF=1) with DI = SI + 2: each source word is read before it is overwritten, so
    ; the block moves up by 2 (the memmove direction); 620: 11 22 33 44 55 66 77 88 ->
    ; [626] <- [624] = 6655, [624] <- [622] = 4433, [622] <- [620] = 2211
    mov dword [es:0x620], 0x44332211
    mov dword [es:0x624], 0x88776655
    push ds
    push es
    pop ds
    std
    mov si, 0x624
    mov di, 0x626
    mov cx, 3
    rep movsw
    cld
    pop ds
    CHECK dword [es:0x620], 0x22112211, "std overlapping rep movsw #1"
    CHECK dword [es:0x624], 0x66554433, "std overlapping rep movsw #2"

;--- SI/DI wrap at 64 KiB with a 16-bit address size (no fault for byte accesses at FFFFh)
    mov byte [0xFFFF], 0x66
    mov byte [0x0000], 0x77
    mov si, 0xFFFF
    mov di, 0x520
    mov cx, 2
    rep movsb                       ; DS:FFFF then DS:0000
    CHECK si, 0x0001, "si wraps"
    CHECK word [es:0x520], 0x7766, "si wraps data"
    std
    mov si, 0x0000
    mov di, 0x530
    movsb                           ; DS:0000, then SI = 0 - 1 = FFFF
    cld
    CHECK si, 0xFFFF, "std si wraps down"
    CHECK byte [es:0x530], 0x77, "std si wraps down data"
TEST_END

rom_text: db "HELLO"
