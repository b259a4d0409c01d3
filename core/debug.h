/* Debugger support shared by the GDB stub and the monitor (issue 7): breakpoints, watchpoints
 * and single-step live here, in one place that the interpreter (and later the JIT) consults. */
#ifndef JITPC_DEBUG_H
#define JITPC_DEBUG_H

#include <stdbool.h>
#include <stdint.h>

#define DEBUG_MAX_BREAKPOINTS 64
#define DEBUG_MAX_WATCHPOINTS 16

enum watch_kind { WATCH_WRITE = 1, WATCH_READ = 2, WATCH_ACCESS = 3 };

enum debug_stop {
    DEBUG_NONE,
    DEBUG_BREAKPOINT,    /* about to execute an instruction at a breakpoint (linear address) */
    DEBUG_WATCHPOINT,    /* an instruction accessed a watched range (stops after it) */
    DEBUG_STEP,          /* single-step: one instruction executed */
    DEBUG_REQUEST,       /* the user interrupted (Ctrl-C in gdb, the monitor) */
};

struct watchpoint {
    uint32_t addr, len;  /* linear */
    uint8_t kind;        /* enum watch_kind */
};

struct debug {
    uint32_t bp[DEBUG_MAX_BREAKPOINTS];   /* linear addresses of instruction breakpoints */
    unsigned nbp;
    struct watchpoint wp[DEBUG_MAX_WATCHPOINTS];
    unsigned nwp;
    bool single_step;
    /* Set by the CPU when it stops for one of the reasons above. */
    int stop;                             /* enum debug_stop */
    uint32_t stop_addr;                   /* breakpoint EIP's linear address, or watched address */
    uint8_t stop_kind;                    /* the access that hit a watchpoint */
    bool skip_bp_once;                    /* resume over the breakpoint we stopped at */
};

bool debug_add_breakpoint(struct debug *d, uint32_t lin);
bool debug_remove_breakpoint(struct debug *d, uint32_t lin);
bool debug_add_watchpoint(struct debug *d, uint32_t lin, uint32_t len, enum watch_kind kind);
bool debug_remove_watchpoint(struct debug *d, uint32_t lin, uint32_t len, enum watch_kind kind);

/* Whether an instruction breakpoint is set at lin. */
bool debug_breakpoint_at(const struct debug *d, uint32_t lin);
/* Called for every data access while watchpoints exist: records a hit. */
void debug_note_access(struct debug *d, uint32_t lin, unsigned size, bool write);

#endif
