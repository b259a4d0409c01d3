/* The monitor (-monitor stdio, issue 7): a teaching debugger on stdin/stdout in the spirit of
 * QEMU's human monitor: info registers|cpu|gdt|idt|ldt|tss|tlb|mem|pic|pit|irq|blocks, x, xp,
 * disas, step, cont, break, watch, trace, quit. Also the run loop that wires up --trace and
 * --profile (frontends/trace.c) for both machines. */
#ifndef JITPC_MONITOR_H
#define JITPC_MONITOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/machine.h"
#include "trace.h"

struct pc;

/* What main.c hands over: the monitor backend ("stdio" or NULL for none) and the trace options. */
struct monitor_options {
    const char *monitor;
    struct trace_options trace;
};

/* Runs the machine (pc is NULL for the test machine) with the monitor and traces asked for in o,
 * up to max_insns (0 = no limit). Without a monitor this is machine_run plus the traces. With one,
 * the machine starts stopped at the prompt; "quit" (or end of input) returns MACHINE_EXIT with
 * exit_code 0. Returns MACHINE_EXIT with exit_code 1 after printing a one-line error when the
 * trace file cannot be opened. */
enum machine_result monitor_main(struct machine *m, struct pc *pc, const struct monitor_options *o, uint64_t max_insns);

/* Translates a linear address through the guest's page tables (32-bit paging, 4 KiB and, with
 * CR4.PSE, 4 MiB pages) without raising faults or setting accessed/dirty bits. Returns false when
 * the page is not present. *rights gets the U/S (4) and R/W (2) bits both levels allow. */
/* gdb's "monitor CMD": runs one inspection command, returns its output (valid until the next
 * call). opaque is a struct monitor_gdb. */
struct monitor_gdb {
    struct machine *m;
    struct pc *pc;
};
const char *monitor_gdb_command(void *opaque, const char *cmd);

bool guest_translate(struct cpu *cpu, uint32_t lin, uint32_t *phys, uint32_t *rights);
/* Reads up to n bytes at a linear (physical = false) or physical address without side effects:
 * stops at an unmapped page or MMIO. Returns the number of bytes read. */
size_t guest_read(struct cpu *cpu, uint32_t addr, bool physical, uint8_t *buf, size_t n);

#endif
