; strbulk: REP MOVS and REP STOS over long runs, the cases an emulator that copies many elements
; at once (core/interp.c string_bulk) must get right: overlapping source and destination in both
; directions (the instruction copies element by element, so a destination one element above the
; source replicates the first element: SDM Vol.2 MOVS, "Operation", repeated by REP), runs that
; cross 4 KiB pages and 64 KiB segment ends (16-bit SI/DI wrap to 0: SDM Vol.2 REP with a
; 16-bit address size), counts beyond any internal chunk, DF=1, word and dword elements at odd
; addresses. Expected data is computed in the ROM by loops of plain MOVs (the definition of the
; instruction), then compared byte by byte with a loop of CMPs (no string instruction).
%include "lib.inc"
%define SRC_SEG 0x3000
%define DST_SEG 0x4000
%define REF_SEG 0x5000

; FILL seg, off, len: bytes seg:off.. = (i * 7 + 3) & 0xFF for i = 0..len-1 (no string insn)
%macro FILL 3
    push ds
    push word %1
    pop ds
    mov bx, %2
    mov cx, %3
    mov al, 3
%%l:
    mov [bx], al
    add al, 7
    inc bx
    loop %%l
    pop ds
%endmacro

; SAME seg1, seg2, off, len, "what": fail unless seg1:off.. and seg2:off.. hold the same len bytes
%macro SAME 5
    push ds
    push es
    push word %1
    pop ds
    push word %2
    pop es
    mov bx, %3
    mov cx, %4
%%l:
    mov al, [bx]
    cmp al, [es:bx]
    jne %%bad
    inc bx
    loop %%l
    pop es
    pop ds
    jmp %%ok
%%bad:
    pop es
    pop ds
    FAIL %5
%%ok:
%endmacro

TEST_BEGIN "strbulk"

;--- REP MOVSB forward, destination one byte above the source: every byte becomes the first
    FILL DST_SEG, 0, 0x3000
    FILL REF_SEG, 0, 0x3000
    push word DST_SEG
    pop ds
    push word DST_SEG
    pop es
    cld
    mov si, 0x100
    mov di, 0x101
    mov cx, 0x2000                  ; crosses 4 KiB pages
    rep movsb
    CHECK cx, 0, "movsb +1: cx"
    CHECK si, 0x2100, "movsb +1: si"
    CHECK di, 0x2101, "movsb +1: di"
    ; reference: the same with MOV
    push word REF_SEG
    pop ds
    mov si, 0x100
    mov cx, 0x2000
.ref1:
    mov al, [si]
    mov [si + 1], al
    inc si
    loop .ref1
    SAME DST_SEG, REF_SEG, 0, 0x3000, "movsb +1: data"
    push word DST_SEG
    pop ds
    CHECK byte [0x2100], 0x03, "movsb +1: last byte = the first ((0x100 * 7 + 3) & 0xFF)"

;--- REP MOVSW forward, destination one byte above (overlapping words)
    FILL DST_SEG, 0, 0x3000
    FILL REF_SEG, 0, 0x3000
    push word DST_SEG
    pop ds
    push word DST_SEG
    pop es
    mov si, 0x0FF1                  ; odd, and the first word before a page end
    mov di, 0x0FF2
    mov cx, 0x900
    rep movsw
    CHECK si, 0x0FF1 + 0x1200, "movsw +1: si"
    CHECK di, 0x0FF2 + 0x1200, "movsw +1: di"
    push word REF_SEG
    pop ds
    mov si, 0x0FF1
    mov cx, 0x900
.ref2:
    mov ax, [si]
    mov [si + 1], ax
    add si, 2
    loop .ref2
    SAME DST_SEG, REF_SEG, 0, 0x3000, "movsw +1: data"

;--- REP MOVSD forward, destination 2 bytes below the source (overlap the safe way)
    FILL DST_SEG, 0, 0x3000
    FILL REF_SEG, 0, 0x3000
    push word DST_SEG
    pop ds
    push word DST_SEG
    pop es
    mov si, 0x203
    mov di, 0x201
    mov cx, 0x800
    rep movsd
    push word REF_SEG
    pop ds
    mov si, 0x203
    mov cx, 0x800
.ref3:
    mov eax, [si]
    mov [si - 2], eax
    add si, 4
    loop .ref3
    SAME DST_SEG, REF_SEG, 0, 0x3000, "movsd -2: data"

;--- REP MOVSB with DF=1, destination one byte below the source: every byte becomes the last
    FILL DST_SEG, 0, 0x3000
    FILL REF_SEG, 0, 0x3000
    push word DST_SEG
    pop ds
    push word DST_SEG
    pop es
    std
    mov si, 0x2800
    mov di, 0x27FF
    mov cx, 0x2500
    rep movsb
    cld
    CHECK si, 0x2800 - 0x2500, "movsb df=1 -1: si"
    CHECK di, 0x27FF - 0x2500, "movsb df=1 -1: di"
    push word REF_SEG
    pop ds
    mov si, 0x2800
    mov cx, 0x2500
.ref4:
    mov al, [si]
    mov [si - 1], al
    dec si
    loop .ref4
    SAME DST_SEG, REF_SEG, 0, 0x3000, "movsb df=1 -1: data"

;--- REP MOVSD with DF=1, disjoint, from another segment, crossing pages
    FILL SRC_SEG, 0, 0x4000
    FILL DST_SEG, 0, 0x4000
    FILL REF_SEG, 0, 0x4000
    push word SRC_SEG
    pop ds
    push word DST_SEG
    pop es
    std
    mov si, 0x3FF9
    mov di, 0x3001
    mov cx, 0xA00
    rep movsd
    cld
    CHECK si, 0x3FF9 - 0x2800, "movsd df=1: si"
    CHECK di, 0x3001 - 0x2800, "movsd df=1: di"
    push word SRC_SEG
    pop ds
    push word REF_SEG
    pop es
    mov si, 0x3FF9
    mov di, 0x3001
    mov cx, 0xA00
.ref5:
    mov eax, [si]
    mov [es:di], eax
    sub si, 4
    sub di, 4
    loop .ref5
    SAME DST_SEG, REF_SEG, 0, 0x4000, "movsd df=1: data"

;--- REP STOSB across the end of the segment: DI wraps to 0 and goes on (16-bit address size)
    push word DST_SEG
    pop es
    mov di, 0xFFF8
    mov cx, 0x10
    mov al, 0xA5
    mov byte [es:0x0008], 0x11
    rep stosb
    CHECK di, 0x0008, "stosb wrap: di"
    CHECK cx, 0, "stosb wrap: cx"
    CHECK dword [es:0xFFF8], 0xA5A5A5A5, "stosb wrap: FFF8"
    CHECK dword [es:0xFFFC], 0xA5A5A5A5, "stosb wrap: FFFC"
    CHECK dword [es:0x0000], 0xA5A5A5A5, "stosb wrap: 0000"
    CHECK dword [es:0x0004], 0xA5A5A5A5, "stosb wrap: 0004"
    CHECK byte [es:0x0008], 0x11, "stosb wrap: 0008 untouched"

;--- REP MOVSW with SI wrapping: source FFFC, FFFE, then 0000 ...
    push word SRC_SEG
    pop ds
    push word DST_SEG
    pop es
    mov dword [0xFFFC], 0x44332211
    mov dword [0x0000], 0x88776655
    mov si, 0xFFFC
    mov di, 0x100
    mov cx, 4
    rep movsw
    CHECK si, 0x0004, "movsw si wrap: si"
    CHECK dword [es:0x100], 0x44332211, "movsw si wrap: first two words"
    CHECK dword [es:0x104], 0x88776655, "movsw si wrap: after the wrap"

;--- REP STOSW / STOSD: the pattern, long counts (beyond 4096 elements), odd addresses
    push word DST_SEG
    pop es
    mov byte [es:0x0FFFF], 0x77
    mov di, 1
    mov cx, 0x7FFF                  ; words 1..FFFE
    mov ax, 0xBEEF
    rep stosw
    CHECK di, 0xFFFF, "stosw long: di"
    CHECK word [es:0x0001], 0xBEEF, "stosw long: first"
    CHECK word [es:0x1000], 0xEFBE, "stosw long: across 1000 (odd start)"
    CHECK word [es:0xFFFD], 0xBEEF, "stosw long: last"
    CHECK byte [es:0xFFFF], 0x77, "stosw long: FFFF untouched"
    CHECK byte [es:0x0000], 0xA5, "stosw long: 0000 untouched"
    mov di, 0x2
    mov cx, 0x1800
    mov eax, 0x12345678
    rep stosd
    CHECK di, 0x6002, "stosd long: di"
    CHECK dword [es:0x0FFE], 0x12345678, "stosd long: across 1000"
    CHECK dword [es:0x5FFE], 0x12345678, "stosd long: last"
    CHECK word [es:0x6002], 0xEFBE, "stosd long: after the last (the odd-aligned STOSW data)"

;--- REP STOSB with DF=1 across a page, then REP with CX=1 and a single MOVSD
    std
    mov di, 0x2005
    mov cx, 0x10
    mov al, 0x3C
    rep stosb
    cld
    CHECK di, 0x1FF5, "stosb df=1: di"
    CHECK dword [es:0x1FF6], 0x3C3C3C3C, "stosb df=1: 1FF6"
    CHECK dword [es:0x2002], 0x3C3C3C3C, "stosb df=1: 2002"
    CHECK byte [es:0x1FF5], 0x12, "stosb df=1: 1FF5 untouched (STOSD data: byte 3 of 12345678h)"

;--- 32-bit address size: EDI beyond 64 KiB in real mode is #GP (limit FFFF) mid-way, with
;    the elements before it written and ECX/EDI those of the faulting element (SDM Vol.2 REP:
;    registers are updated per iteration; a fault leaves them at the element that faulted)
    TRAP_ARM 13, .after_gp
    mov edi, 0xFFF0
    mov ecx, 0x20
    mov al, 0x5A
    a32 rep stosb
    FAIL "a32 rep stosb: no #GP"
.after_gp:
    TRAP_DISARM 13
    CHECKT trap_count, 1, "a32 rep stosb: one #GP"
    CHECK edi, 0x10000, "a32 rep stosb: edi at the fault"
    CHECK ecx, 0x10, "a32 rep stosb: ecx at the fault"
    CHECK dword [es:0xFFFC], 0x5A5A5A5A, "a32 rep stosb: written before the fault"
    TEST_END
