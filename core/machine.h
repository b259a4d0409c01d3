/* The machine: CPU, buses and the boards built from them. */
#ifndef JITPC_MACHINE_H
#define JITPC_MACHINE_H

#include <stddef.h>
#include <stdint.h>

#include "clock.h"
#include "cpu.h"

/* The test machine's ports (tests/roms/README.md). */
#define TEST_DEBUG_PORT 0xE9   /* a byte written here is printed (Bochs/QEMU debug console) */
#define TEST_EXIT_PORT 0xF4    /* a byte written here ends the run with that exit status */

#define ROM_MIN_SIZE 4096u
#define ROM_MAX_SIZE (128u * 1024)

struct machine {
    struct cpu cpu;
    struct mem mem;
    struct iobus io;
    uint8_t *rom;
    uint32_t rom_size;
    int exit_code;        /* valid once cpu.stop == CPU_STOP_REQUEST */
    bool no_reboot;       /* a triple fault ends the run instead of resetting (QEMU's -no-reboot) */
    struct clock *clock;  /* the board's virtual clock, or NULL (the test machine has none) */
    void (*on_reset)(void *opaque);   /* board hook after a CPU reset (devices, A20, PAM) */
    void (*poll_input)(void *opaque); /* board hook between slices: host input into the devices */
    void *board;
    uint64_t resets;      /* triple-fault resets so far */
};

/* Checks that size is a ROM size the test machine accepts; on failure writes a reason. */
bool machine_rom_size_ok(size_t size, char *why, size_t whylen);

/* The test machine (issue 2): ram_size bytes of RAM at 0, the ROM at the top of the first
 * megabyte and again at the top of 4 GiB (where the reset vector is fetched from), and the exit
 * port. The caller adds devices (the debug port) on m->io. The ROM bytes are copied. Returns
 * false on allocation failure. */
bool machine_init_test(struct machine *m, uint32_t ram_size, const uint8_t *rom, uint32_t rom_size);
void machine_free(struct machine *m);

/* Ends the run: the CPU stops after the current instruction and machine_run returns code. */
void machine_request_exit(struct machine *m, int code);

enum machine_result {
    MACHINE_EXIT,         /* the guest wrote the exit port: exit_code */
    MACHINE_HALTED,       /* HLT with interrupts disabled: nothing can wake it */
    MACHINE_SHUTDOWN,     /* triple fault with no_reboot set */
    MACHINE_LIMIT,        /* max_insns executed */
    MACHINE_DEBUG,        /* stopped for the debugger (cpu.dbg->stop says why); call again to resume */
};

/* Resets the CPU and lets the board reset its devices. */
void machine_reset(struct machine *m);

/* Runs until one of the results above. max_insns 0 = no limit. */
enum machine_result machine_run(struct machine *m, uint64_t max_insns);

#endif
