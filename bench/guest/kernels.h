#ifndef JITPC_BENCH_KERNELS_H
#define JITPC_BENCH_KERNELS_H

#include <stdint.h>

#define NKERNELS 5

struct kernel {
    const char *name;
    uint32_t (*run)(uint32_t rounds);
    uint32_t rounds;
};

extern const struct kernel kernels[NKERNELS];

#endif
