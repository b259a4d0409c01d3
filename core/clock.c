/* Virtual clock and event queue. The queue is a small unsorted array: a PC has a handful of
 * timers, and a linear scan of a few entries beats any heap at that size. */
#include "clock.h"

#include <string.h>
#include <time.h>

void clock_init(struct clock *c, const uint64_t *insns, uint64_t ips, uint64_t start_time)
{
    memset(c, 0, sizeof(*c));
    c->insns = insns;
    c->ips = ips ? ips : 1;
    c->ns_per_insn = 1000000000u % c->ips == 0 ? 1000000000u / c->ips : 0;
    c->base_insns = *insns;
    c->start_time = start_time;
    c->slice_end = CLOCK_NEVER;
}

static uint64_t host_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void clock_set_realtime(struct clock *c)
{
    c->base_ns = clock_now(c);
    c->realtime = true;
    c->host_base = host_ns();
}

uint64_t clock_now(const struct clock *c)
{
    if (c->realtime)
        return c->base_ns + (host_ns() - c->host_base);
    uint64_t delta = *c->insns - c->base_insns;
    /* The same value either way; the product needs no 128-bit division (devices read the time
     * on every port access: a PIT-polling delay loop does little else). */
    if (c->ns_per_insn && delta <= UINT64_MAX / c->ns_per_insn)
        return c->base_ns + delta * c->ns_per_insn;
    return c->base_ns + (uint64_t)((unsigned __int128)delta * 1000000000u / c->ips);
}

static int find(const struct clock *c, clock_cb cb, void *opaque)
{
    for (unsigned i = 0; i < c->nevents; i++)
        if (c->events[i].cb == cb && c->events[i].opaque == opaque)
            return (int)i;
    return -1;
}

bool clock_schedule(struct clock *c, uint64_t when, clock_cb cb, void *opaque)
{
    int i = find(c, cb, opaque);
    if (i < 0) {
        if (c->nevents == CLOCK_MAX_EVENTS)
            return false;
        i = (int)c->nevents++;
    }
    c->events[i] = (struct clock_event){when, c->seq++, cb, opaque};
    if (c->kick && when < c->slice_end)
        *c->kick = c->kick_value;
    return true;
}

void clock_cancel(struct clock *c, clock_cb cb, void *opaque)
{
    int i = find(c, cb, opaque);
    if (i >= 0)
        c->events[i] = c->events[--c->nevents];
}

static int earliest(const struct clock *c)
{
    int best = -1;
    for (unsigned i = 0; i < c->nevents; i++) {
        const struct clock_event *e = &c->events[i];
        if (best < 0 || e->when < c->events[best].when ||
            (e->when == c->events[best].when && e->seq < c->events[best].seq))
            best = (int)i;
    }
    return best;
}

uint64_t clock_next(const struct clock *c)
{
    int i = earliest(c);
    return i < 0 ? CLOCK_NEVER : c->events[i].when;
}

void clock_run_due(struct clock *c)
{
    uint64_t now = clock_now(c);
    for (;;) {
        int i = earliest(c);
        if (i < 0 || c->events[i].when > now)
            return;
        struct clock_event e = c->events[i];
        c->events[i] = c->events[--c->nevents];
        e.cb(e.opaque);                 /* may schedule again, even itself */
    }
}

uint64_t clock_insns_until_next(const struct clock *c)
{
    uint64_t next = clock_next(c), now = clock_now(c);
    if (c->realtime)
        return next <= now ? 1 : 100000;   /* short slices: the host clock is checked between them */
    if (next == CLOCK_NEVER)
        return UINT64_MAX;
    if (next <= now)
        return 1;
    /* Round up so that after that many instructions the event is due. */
    unsigned __int128 n = ((unsigned __int128)(next - now) * c->ips + 999999999u) / 1000000000u;
    return n > UINT64_MAX ? UINT64_MAX : (n ? (uint64_t)n : 1);
}

void clock_skip_to_next(struct clock *c)
{
    uint64_t next = clock_next(c);
    if (next == CLOCK_NEVER || next <= clock_now(c))
        return;
    if (c->realtime) {
        uint64_t wait = next - clock_now(c);
        if (wait > 10000000u)
            wait = 10000000u;                /* wake at least every 10 ms for host input */
        struct timespec ts = {(time_t)(wait / 1000000000u), (long)(wait % 1000000000u)};
        nanosleep(&ts, NULL);
        return;
    }
    c->base_ns = next;
    c->base_insns = *c->insns;
}
