/* The same kernels built for the host: the native baseline and the checksum oracle.
 * usage: native KERNEL-NUMBER -> prints "<name> <checksum> <seconds>" */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "kernels.h"

int main(int argc, char **argv)
{
    unsigned which = argc > 1 ? (unsigned)atoi(argv[1]) % NKERNELS : 0;
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    uint32_t sum = kernels[which].run(kernels[which].rounds);
    clock_gettime(CLOCK_MONOTONIC, &b);
    printf("%s %08x %.6f\n", kernels[which].name, sum, (double)(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9);
    return 0;
}
