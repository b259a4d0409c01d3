/* Motorola MC146818A real-time clock + CMOS RAM, as the PC/AT wires it: index port 0x70 (bit 7
 * masks NMI), data port 0x71, 128 bytes, IRQ 8. Time is the power-on wall time
 * (clock->start_time, a recorded input) plus virtual time: no host clock is read. */
#ifndef JITPC_RTC_H
#define JITPC_RTC_H

#include <stdbool.h>
#include <stdint.h>

#include "core/clock.h"
#include "core/ioport.h"
#include "core/irq.h"

#define RTC_PORT_INDEX 0x70
#define RTC_PORT_DATA 0x71
#define RTC_IRQ 8
#define RTC_CMOS_SIZE 128
#define RTC_CENTURY 0x32   /* IBM PC/AT convention; not a register of the chip */

/* One plain struct (DESIGN.md "snapshots"): everything but the three host pointers at the end,
 * which are rebuilt on restore, is state. */
struct rtc {
    uint8_t ram[RTC_CMOS_SIZE]; /* time bytes are live only while the clock is stopped */
    uint8_t index;              /* last index written to port 0x70, bits 6-0 */
    bool nmi_masked;            /* bit 7 of the last write to port 0x70 */
    bool irq_level;             /* what we last drove on IRQ 8 */
    int64_t offset;             /* RTC seconds = start_time + offset + whole seconds of the divider */
    int64_t div_base;           /* virtual ns where the divider chain stood at 0: updates end at
                                 * div_base + n s, periodic ticks at multiples of the tap period */
    uint8_t dow_adjust;         /* day of week as the guest set it, minus the one the date implies */
    uint64_t synced;            /* virtual ns up to which register C's flags are accounted */
    uint64_t stat_irqs;         /* rising edges driven on IRQ 8 */
    uint64_t stat_events;       /* timer callbacks run */
    struct iobus *io;
    struct irq_bus *irq;
    struct clock *clk;
};

/* Power-on state: A = 0x26 (32.768 kHz, 1024 Hz), B = 0x02 (24-hour, BCD), D = 0x80 (VRT), the
 * clock running from clk->start_time. Maps ports 0x70-0x71. */
void rtc_init(struct rtc *r, struct iobus *io, struct irq_bus *irq, struct clock *clk);

/* Bit 7 of the last write to port 0x70: the board gates NMI with it. */
bool rtc_nmi_masked(const struct rtc *r);

/* Host-side access for the board and firmware setup (memory sizes, drive types, ...). A write
 * acts as a guest write to that index (so time bytes set the clock); a read is a peek: reading
 * register C this way does not clear it. index is taken modulo 128. */
void rtc_cmos_write(struct rtc *r, unsigned index, uint8_t v);
uint8_t rtc_cmos_read(struct rtc *r, unsigned index);

/* IBM AT checksum: the 16-bit sum of bytes 0x10-0x2D, stored big-endian at 0x2E/0x2F. */
void rtc_update_checksum(struct rtc *r);

/* After restoring the struct from a snapshot: set the host pointers and re-arm the timer. The
 * ports must already be mapped to r (io_map keeps the same opaque pointer). */
void rtc_restore(struct rtc *r, struct iobus *io, struct irq_bus *irq, struct clock *clk);

#endif
