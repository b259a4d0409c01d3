; pentium: the Pentium-class instructions this project's CPU model claims (docs/DESIGN: i686
; with CPUID, RDTSC, CMPXCHG8B, CMOV): the EFLAGS.ID test for CPUID, CPUID leaves 0 and 1 and
; the feature bits of the instructions the test ROMs use, RDTSC counting up, CMPXCHG8B.
;
; SDM Vol.1 3.4.3.3 / Vol.2 CPUID: "The ID flag (bit 21) in the EFLAGS register indicates support
; for the CPUID instruction. If a software procedure can set and clear this flag, the processor
; executing the procedure supports the CPUID instruction." CPUID.0: EAX = the highest basic leaf.
; CPUID.1:EDX (SDM Vol.2 table "Feature Information Returned in the EDX Register"): bit 4 TSC
; (RDTSC), bit 8 CX8 (CMPXCHG8B), bit 15 CMOV.
; SDM Vol.2 RDTSC: EDX:EAX <- TimeStampCounter; "The processor monotonically increments the
; time-stamp counter".
; SDM Vol.2 CMPXCHG8B: IF EDX:EAX = m64 THEN ZF <- 1; m64 <- ECX:EBX ELSE ZF <- 0; EDX:EAX <- m64.
; "The ZF flag is set if the destination operand and EDX:EAX are equal; otherwise it is cleared.
; The CF, PF, AF, SF, and OF flags are unaffected."
%include "lib.inc"
TEST_BEGIN "pentium"
    mov ax, SCRATCH_SEG
    mov ds, ax

;--- EFLAGS.ID toggles
    pushfd
    pop eax
    mov ecx, eax
    xor eax, 0x00200000
    push eax
    popfd
    pushfd
    pop eax
    push ecx
    popfd
    xor eax, ecx
    CHECK eax, 0x00200000, "EFLAGS.ID toggles (CPUID present)"

;--- CPUID
    xor eax, eax
    cpuid
    cmp eax, 1
    jae .leaf0_ok
    FAIL "cpuid.0: max leaf < 1"
.leaf0_ok:
    mov eax, 1
    cpuid
    and edx, (1 << 4) | (1 << 8) | (1 << 15)
    CHECK edx, (1 << 4) | (1 << 8) | (1 << 15), "cpuid.1:edx TSC CX8 CMOV"

;--- RDTSC counts up
    rdtsc
    mov esi, eax
    mov edi, edx
    mov cx, 100
.spin:
    dec cx
    jnz .spin
    rdtsc
    sub eax, esi
    sbb edx, edi                    ; EDX:EAX = later - earlier, must be > 0
    jc .tsc_bad
    or eax, edx
    jnz .tsc_ok
.tsc_bad:
    FAIL "rdtsc did not increase"
.tsc_ok:

;--- CMPXCHG8B
    mov dword [0x10], 0x11111111
    mov dword [0x14], 0x22222222
    mov eax, 0x11111111
    mov edx, 0x22222222
    mov ebx, 0xAAAAAAAA
    mov ecx, 0xBBBBBBBB
    SETF F_FIXED | F_CF | F_SF | F_OF
    cmpxchg8b [0x10]                ; equal: m64 <- ECX:EBX, ZF=1, the rest kept
    CHECKF F_ARITH, F_CF | F_SF | F_OF | F_ZF, "cmpxchg8b equal flags"
    CHECK dword [0x10], 0xAAAAAAAA, "cmpxchg8b equal low"
    CHECK dword [0x14], 0xBBBBBBBB, "cmpxchg8b equal high"
    mov eax, 0xAAAAAAAA
    mov edx, 0x00000000             ; differs in the high half
    SETF F_FIXED | F_ZF | F_PF
    cmpxchg8b [0x10]                ; not equal: EDX:EAX <- m64, ZF=0, PF kept
    CHECKF F_ARITH, F_PF, "cmpxchg8b differ flags"
    CHECK eax, 0xAAAAAAAA, "cmpxchg8b differ eax"
    CHECK edx, 0xBBBBBBBB, "cmpxchg8b differ edx"
    CHECK dword [0x14], 0xBBBBBBBB, "cmpxchg8b differ leaves m64"
TEST_END
