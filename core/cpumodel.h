/* CPU models: everything model-specific in one table (issue 4). */
#ifndef JITPC_CPUMODEL_H
#define JITPC_CPUMODEL_H

#include <stdbool.h>
#include <stdint.h>

/* CPUID.01H:EDX feature bits (SDM Vol.2 CPUID, table 3-11). */
#define CPUID_FPU (1u << 0)
#define CPUID_DE (1u << 2)
#define CPUID_PSE (1u << 3)
#define CPUID_TSC (1u << 4)
#define CPUID_MSR (1u << 5)
#define CPUID_CX8 (1u << 8)
#define CPUID_SEP (1u << 11)
#define CPUID_PGE (1u << 13)
#define CPUID_CMOV (1u << 15)

struct cpu_model {
    const char *name;
    const char *description;
    bool has_cpuid;       /* EFLAGS.ID toggles and CPUID exists (Pentium and later) */
    uint32_t signature;   /* CPUID.01H:EAX and EDX after reset: family, model, stepping */
    uint32_t features;    /* CPUID.01H:EDX: exactly what this emulator implements for the model */
};

/* The default model, and a lookup by name (NULL if unknown). */
const struct cpu_model *cpu_model_default(void);
const struct cpu_model *cpu_model_find(const char *name);
/* Writes the names of all models, separated by ", ". */
void cpu_model_list(char *buf, unsigned len);

#endif
