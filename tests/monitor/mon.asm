; A 64 KiB ROM for the monitor and trace tests (tests/monitor/run.sh): a few real-mode
; instructions whose lengths and effects the tests know, then the exit port.
        bits 16
        org 0
start:                          ; F000:0000 = linear 0xF0000
        mov ax, 0x1234          ; 0000: b8 34 12
        mov bx, 0x5678          ; 0003: bb 78 56
        add ax, bx              ; 0006: 01 d8
        mov cx, 3               ; 0008: b9 03 00
.again: inc dx                  ; 000b: 42
        loop .again             ; 000c: e2 fd
        nop                     ; 000e: 90
        nop                     ; 000f: 90
        mov si, ax              ; 0010: 89 c6     (the tests' breakpoint: 0xF0010)
        mov [0x500], ax         ; 0012: a3 00 05  (DS = 0 after reset: writes 0x500)
        mov al, 0               ; 0015: b0 00
        out 0xf4, al            ; 0017: e6 f4     (exit status 0)
        hlt

        times 0xfff0 - ($ - $$) db 0
reset:  jmp 0xf000:start        ; FFF0: ea 00 00 00 f0
        hlt                     ; FFF5: f4
        times 0x10000 - ($ - $$) db 0
