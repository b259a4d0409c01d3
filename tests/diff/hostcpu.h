/* The host CPU as the referee where jitpc and Unicorn disagree (tests/diff/README.md). */
#ifndef JITPC_DIFF_HOSTCPU_H
#define JITPC_DIFF_HOSTCPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct host_result {
    uint32_t regs[8];
    uint32_t eflags;
    uint32_t eip;
    bool eip_valid;
    bool fault;
    int vector;
    bool mem_valid;           /* mem holds the memory after the instruction */
    const uint8_t *mem;
    const char *how;
    bool a16;                 /* a 16-bit memory operand ran as its absolute address */
};

/* Runs one 32-bit instruction (code, len, at eip) on the host CPU, in this 64-bit process, from
 * the given registers, EFLAGS and GUEST_MEM_SIZE bytes of memory. Returns false, with the reason
 * in why, when the instruction cannot run in 64-bit mode with the same meaning. */
bool host_run(const uint8_t *code, unsigned len, uint32_t eip, const uint32_t regs[8],
              uint32_t eflags, const uint8_t *mem, struct host_result *r, char *why, size_t why_size);

#endif
