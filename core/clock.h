/* Virtual clock and event queue (DESIGN.md "time"). Time is virtual nanoseconds derived from the
 * retired-instruction count at a fixed rate (deterministic), or from the host clock with
 * --realtime. Devices never read the host clock: they ask clock_now() and schedule callbacks. */
#ifndef JITPC_CLOCK_H
#define JITPC_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

typedef void (*clock_cb)(void *opaque);

#define CLOCK_MAX_EVENTS 64
#define CLOCK_NEVER UINT64_MAX

struct clock_event {
    uint64_t when;       /* virtual ns */
    uint64_t seq;        /* scheduling order, to break ties deterministically */
    clock_cb cb;
    void *opaque;
};

struct clock {
    uint64_t ips;              /* guest instructions per virtual second (--ips) */
    uint64_t ns_per_insn;      /* 1e9 / ips when that is exact (the default), else 0 */
    uint64_t base_ns;          /* virtual time at base_insns */
    uint64_t base_insns;
    const uint64_t *insns;     /* the CPU's retired-instruction counter */
    uint64_t start_time;       /* wall-clock time of power-on (seconds since 1970): an input */
    bool realtime;             /* --realtime: virtual time follows the host's monotonic clock */
    uint64_t host_base;        /* host ns at base_ns (realtime only) */
    uint64_t seq;
    /* The running CPU slice ends at slice_end (ns); an event scheduled before that sets *kick to
     * end the slice early, so devices are not served late (machine_run sets both). */
    uint64_t slice_end;
    int *kick;
    int kick_value;
    unsigned nevents;
    struct clock_event events[CLOCK_MAX_EVENTS];
};

/* insns points at the CPU's instruction counter. ips > 0. start_time is the RTC's start (an
 * external input that replay records). */
void clock_init(struct clock *c, const uint64_t *insns, uint64_t ips, uint64_t start_time);

/* Switches to host time (--realtime): not deterministic, so replay cannot reproduce such a run. */
void clock_set_realtime(struct clock *c);

/* Current virtual time in ns. */
uint64_t clock_now(const struct clock *c);

/* Schedules cb(opaque) at virtual time when (ns). A (cb, opaque) pair has at most one pending
 * event: scheduling it again moves it. Returns false if the queue is full. */
bool clock_schedule(struct clock *c, uint64_t when, clock_cb cb, void *opaque);
void clock_cancel(struct clock *c, clock_cb cb, void *opaque);

/* The earliest pending event's time, or CLOCK_NEVER. */
uint64_t clock_next(const struct clock *c);

/* Runs every event due at or before now, in time order (ties in scheduling order). */
void clock_run_due(struct clock *c);

/* Instructions the CPU may run before the next event is due (at least 1), for slicing. */
uint64_t clock_insns_until_next(const struct clock *c);

/* HLT: advance virtual time to the next event (the CPU idles), as if the instructions had run;
 * in realtime mode, sleep until it is due. */
void clock_skip_to_next(struct clock *c);

#endif
