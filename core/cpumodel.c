/* CPU models. A model claims only what the emulator implements (the x87 is core/fpu.c on
 * core/float80.c); CPUID.01H:EDX.FPU is the on-chip FPU of the 486 DX and later. Signatures: SDM Vol.2 CPUID, figure 3-6 (stepping bits 3:0,
 * model 7:4, family 11:8). */
#include "cpumodel.h"

#include <stdio.h>
#include <string.h>

static const struct cpu_model models[] = {
    /* An i486DX of the kind without CPUID: 486 instructions (BSWAP, XADD, CMPXCHG, INVLPG,
     * EFLAGS.AC) and the on-chip x87, no TSC, no MSRs. Reset EDX: family 4, model 1 (SDM Vol.3 9.1.4 for 486). */
    {"486", "Intel486 DX class, no CPUID", false, 0x0410, CPUID_FPU},
    /* A Pentium (P5): CPUID, RDTSC, MSRs, CMPXCHG8B, 4 MiB pages, debug extensions; no CMOV. */
    {"pentium", "Pentium class (family 5)", true, 0x0521,
     CPUID_FPU | CPUID_DE | CPUID_PSE | CPUID_TSC | CPUID_MSR | CPUID_CX8},
    /* A Pentium Pro (P6, family 6 model 1 stepping 9): adds SYSENTER/SYSEXIT, global pages, CMOV. */
    {"pentiumpro", "Pentium Pro class (family 6), the default", true, 0x0619,
     CPUID_FPU | CPUID_DE | CPUID_PSE | CPUID_TSC | CPUID_MSR | CPUID_CX8 | CPUID_SEP | CPUID_PGE | CPUID_CMOV},
};

const struct cpu_model *cpu_model_default(void)
{
    return &models[2];
}

const struct cpu_model *cpu_model_find(const char *name)
{
    for (unsigned i = 0; i < sizeof(models) / sizeof(models[0]); i++)
        if (!strcmp(models[i].name, name))
            return &models[i];
    if (!strcmp(name, "p6") || !strcmp(name, "i686"))
        return &models[2];
    return NULL;
}

void cpu_model_list(char *buf, unsigned len)
{
    buf[0] = '\0';
    for (unsigned i = 0; i < sizeof(models) / sizeof(models[0]); i++) {
        size_t n = strlen(buf);
        snprintf(buf + n, len - n, "%s%s", i ? ", " : "", models[i].name);
    }
}
