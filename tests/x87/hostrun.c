/* Runs a tests/x87 program (assembled with -DHOST) on the host's x87 and reports the checks
 * whose expected value the host disagrees with (tests/x87/README.md). */
#include <stdint.h>
#include <stdio.h>

struct fail {
    const char *name;
    uint32_t got, expected;
};

extern void x87_main(void *unused);
extern struct fail x87_fails[256];
extern uint32_t x87_nfail, x87_nchecks;

int main(int argc, char **argv)
{
    x87_main(NULL);
    for (uint32_t i = 0; i < x87_nfail && i < 256; i++)
        printf("FAIL %s: %s (host 0x%X, expected 0x%X)\n", argc > 1 ? argv[1] : "host",
               x87_fails[i].name, x87_fails[i].got, x87_fails[i].expected);
    printf("%s: %u checks, %u disagree with the host x87\n", argc > 1 ? argv[1] : "host",
           x87_nchecks, x87_nfail);
    return x87_nfail != 0;
}
