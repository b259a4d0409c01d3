; pm_triple: a triple fault. SDM Vol.3 6.15 interrupt 8 and table 6-5: a fault while delivering
; a double fault shuts the processor down. With an IDT limit of 0, #UD cannot be delivered
; (#GP(6*8+2+1): benign then contributory -> #GP, table 6-5), the #GP cannot be delivered
; (contributory twice -> #DF), and neither can the #DF: shutdown. jitpc -no-reboot exits with
; status 2; kvmrun reports KVM_EXIT_SHUTDOWN with status 4 (see meson.build).
%include "pm.inc"

PM_BEGIN "pm_triple"
    mov word [pm_var0], 0
    mov dword [pm_var0 + 2], IDT_BASE
    lidt [pm_var0]
    ud2
    PFAIL "ud2 with an empty idt did not shut down"
