/* Breakpoints and watchpoints. Small linear tables: debuggers set a handful. */
#include "debug.h"

bool debug_add_breakpoint(struct debug *d, uint32_t lin)
{
    if (debug_breakpoint_at(d, lin))
        return true;
    if (d->nbp == DEBUG_MAX_BREAKPOINTS)
        return false;
    d->bp[d->nbp++] = lin;
    return true;
}

bool debug_remove_breakpoint(struct debug *d, uint32_t lin)
{
    for (unsigned i = 0; i < d->nbp; i++)
        if (d->bp[i] == lin) {
            d->bp[i] = d->bp[--d->nbp];
            return true;
        }
    return false;
}

bool debug_breakpoint_at(const struct debug *d, uint32_t lin)
{
    for (unsigned i = 0; i < d->nbp; i++)
        if (d->bp[i] == lin)
            return true;
    return false;
}

bool debug_add_watchpoint(struct debug *d, uint32_t lin, uint32_t len, enum watch_kind kind)
{
    if (d->nwp == DEBUG_MAX_WATCHPOINTS || len == 0)
        return false;
    d->wp[d->nwp++] = (struct watchpoint){lin, len, (uint8_t)kind};
    return true;
}

bool debug_remove_watchpoint(struct debug *d, uint32_t lin, uint32_t len, enum watch_kind kind)
{
    for (unsigned i = 0; i < d->nwp; i++)
        if (d->wp[i].addr == lin && d->wp[i].len == len && d->wp[i].kind == kind) {
            d->wp[i] = d->wp[--d->nwp];
            return true;
        }
    return false;
}

void debug_note_access(struct debug *d, uint32_t lin, unsigned size, bool write)
{
    uint8_t kind = write ? WATCH_WRITE : WATCH_READ;
    for (unsigned i = 0; i < d->nwp; i++) {
        const struct watchpoint *w = &d->wp[i];
        if ((w->kind & kind) && lin <= w->addr + (w->len - 1) && w->addr <= lin + (size - 1)) {
            if (d->stop == DEBUG_NONE) {
                d->stop = DEBUG_WATCHPOINT;
                d->stop_addr = lin;
                d->stop_kind = kind;
            }
            return;
        }
    }
}
