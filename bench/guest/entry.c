/* Guest side: called by bench/loader.asm in flat 32-bit protected mode with the kernel number.
 * Prints "<name> <checksum>" on the debug port and ends the run through the exit port. */
#include "kernels.h"

static inline void outb(uint16_t port, uint8_t v)
{
    __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static void print(const char *s)
{
    while (*s)
        outb(0xE9, (uint8_t)*s++);
}

static void print_hex(uint32_t v)
{
    for (int i = 28; i >= 0; i -= 4)
        outb(0xE9, (uint8_t)"0123456789abcdef"[(v >> i) & 0xF]);
}

__attribute__((section(".text.entry"), used)) void guest_entry(uint32_t which)
{
    const struct kernel *k = &kernels[which % NKERNELS];
    uint32_t sum = k->run(k->rounds);
    print(k->name);
    print(" ");
    print_hex(sum);
    print("\n");
    outb(0xF4, 0);
    for (;;)
        __asm__ volatile("hlt");
}
