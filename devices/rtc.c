/* Motorola MC146818A real-time clock plus RAM (datasheet references: "MC146818A" sections and
 * tables), with the PC/AT's 128-byte CMOS, century byte at 0x32 and NMI mask in port 0x70 bit 7.
 *
 * Model. The chip's time is not counted tick by tick: while the clock runs, the time registers
 * are computed from virtual time,
 *     seconds since 1970 = clk->start_time + offset + floor((now - div_base) / 1 s),
 * so an update cycle ends at every div_base + n s. While the clock is stopped (SET, or the divider
 * chain held in reset) the time bytes in ram[] are the truth, and starting the clock again turns
 * them back into an offset. Register C's flags are brought up to date lazily on every access
 * (rtc_sync); a clock event is scheduled only for a flag whose interrupt is enabled and that is
 * not already set, so an idle RTC costs nothing and a periodic interrupt costs one event each. */
#include "rtc.h"

#include <string.h>

enum {
    REG_SEC = 0x00,
    REG_SEC_ALARM = 0x01,
    REG_MIN = 0x02,
    REG_MIN_ALARM = 0x03,
    REG_HOUR = 0x04,
    REG_HOUR_ALARM = 0x05,
    REG_DOW = 0x06,
    REG_DATE = 0x07,
    REG_MONTH = 0x08,
    REG_YEAR = 0x09,
    REG_A = 0x0A,
    REG_B = 0x0B,
    REG_C = 0x0C,
    REG_D = 0x0D,
};

#define A_UIP 0x80
#define A_DV_RESET 0x60 /* DV2-DV1 = 11: divider chain held in reset (MC146818A Table 4) */
#define A_RS 0x0F

#define B_SET 0x80
#define B_PIE 0x40
#define B_AIE 0x20
#define B_UIE 0x10
#define B_DM 0x04  /* 1 = binary, 0 = BCD */
#define B_24H 0x02 /* 1 = 24-hour */

#define C_IRQF 0x80
#define C_PF 0x40
#define C_AF 0x20
#define C_UF 0x10
#define C_FLAGS (C_PF | C_AF | C_UF) /* same bit positions as PIE/AIE/UIE in B */

#define D_VRT 0x80

#define NS 1000000000LL
#define XTAL_HZ 32768
/* MC146818A Table 6, 32.768 kHz time base: UIP rises tBUC = 244 us before the update cycle and
 * stays high through it, tUC = 1984 us. We make the new time visible (and set UF) when it ends. */
#define T_BUC_NS 244000
#define T_UC_NS 1984000
#define UIP_WINDOW_NS (T_BUC_NS + T_UC_NS)

#define NO_ALARM INT64_MAX

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static int64_t floor_mod(int64_t a, int64_t b)
{
    return a - floor_div(a, b) * b;
}

/* Proleptic Gregorian calendar <-> days since 1970-01-01 (H. Hinnant's algorithms). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = floor_div(y, 400);
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = floor_div(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
    *m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

/* ---- data formats: MC146818A Table 3 (BCD or binary, per DM) and 12/24-hour mode ---- */

static uint8_t enc(const struct rtc *r, unsigned v)
{
    return (r->ram[REG_B] & B_DM) ? (uint8_t)v : (uint8_t)(((v / 10) << 4) | (v % 10));
}

static unsigned dec(const struct rtc *r, uint8_t b)
{
    return (r->ram[REG_B] & B_DM) ? b : (unsigned)(b >> 4) * 10 + (b & 0x0F);
}

/* 12-hour mode: hours 1-12, bit 7 set for PM (MC146818A Table 3). */
static uint8_t enc_hour(const struct rtc *r, unsigned h)
{
    if (r->ram[REG_B] & B_24H)
        return enc(r, h);
    unsigned h12 = h % 12 ? h % 12 : 12;
    return (uint8_t)(enc(r, h12) | (h >= 12 ? 0x80 : 0));
}

static unsigned dec_hour(const struct rtc *r, uint8_t b)
{
    if (r->ram[REG_B] & B_24H)
        return dec(r, b);
    return dec(r, b & 0x7F) % 12 + ((b & 0x80) ? 12 : 0);
}

/* ---- the time base ---- */

static bool divider_running(const struct rtc *r)
{
    return (r->ram[REG_A] & A_DV_RESET) != A_DV_RESET;
}

/* MC146818A Register B: SET = 1 inhibits update cycles. */
static bool updating(const struct rtc *r)
{
    return divider_running(r) && !(r->ram[REG_B] & B_SET);
}

static int64_t elapsed_seconds(const struct rtc *r, uint64_t t)
{
    return floor_div((int64_t)t - r->div_base, NS);
}

static int64_t rtc_seconds(const struct rtc *r, uint64_t t)
{
    return (int64_t)r->clk->start_time + r->offset + elapsed_seconds(r, t);
}

static bool is_time_reg(unsigned idx)
{
    return idx == REG_SEC || idx == REG_MIN || idx == REG_HOUR || (idx >= REG_DOW && idx <= REG_YEAR) ||
           idx == RTC_CENTURY;
}

/* Running clock -> time bytes, in the current data mode. */
static void latch(struct rtc *r, uint64_t t)
{
    int64_t s = rtc_seconds(r, t);
    int64_t days = floor_div(s, 86400), tod = s - days * 86400;
    int64_t y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    r->ram[REG_SEC] = enc(r, (unsigned)(tod % 60));
    r->ram[REG_MIN] = enc(r, (unsigned)(tod / 60 % 60));
    r->ram[REG_HOUR] = enc_hour(r, (unsigned)(tod / 3600));
    /* 1 = Sunday (PC convention); 1970-01-01 was a Thursday. */
    r->ram[REG_DOW] = enc(r, (unsigned)((floor_mod(days + 4, 7) + r->dow_adjust) % 7) + 1);
    r->ram[REG_DATE] = enc(r, d);
    r->ram[REG_MONTH] = enc(r, m);
    r->ram[REG_YEAR] = enc(r, (unsigned)floor_mod(y, 100));
    r->ram[RTC_CENTURY] = enc(r, (unsigned)floor_div(y, 100));
}

/* Time bytes -> offset (and day-of-week adjustment), the clock running on from t. Out-of-range
 * fields are normalised by the calendar arithmetic (month clamped to 1-12, date at least 1). */
static void unlatch(struct rtc *r, uint64_t t)
{
    unsigned sec = dec(r, r->ram[REG_SEC]), min = dec(r, r->ram[REG_MIN]);
    unsigned hour = dec_hour(r, r->ram[REG_HOUR]);
    unsigned date = dec(r, r->ram[REG_DATE]), month = dec(r, r->ram[REG_MONTH]);
    int64_t year = (int64_t)dec(r, r->ram[RTC_CENTURY]) * 100 + dec(r, r->ram[REG_YEAR]);
    if (month < 1)
        month = 1;
    if (month > 12)
        month = 12;
    if (date < 1)
        date = 1;
    int64_t days = days_from_civil(year, month, date);
    int64_t s = days * 86400 + hour * 3600 + min * 60 + sec;
    r->offset = s - (int64_t)r->clk->start_time - elapsed_seconds(r, t);
    /* Day of week is an independent counter on the chip: keep what the guest wrote. */
    int64_t dow = (int64_t)dec(r, r->ram[REG_DOW]) - 1;
    r->dow_adjust = (uint8_t)floor_mod(dow - floor_mod(days + 4, 7), 7);
}

/* MC146818A Table 5, 32.768 kHz time base: RS = 1 and 2 give 256 and 128 Hz; RS = 3..15 give
 * 32768 >> (RS - 1) Hz. Returned in crystal cycles. */
static uint64_t periodic_cycles(unsigned rs)
{
    if (rs == 1)
        return 128;
    if (rs == 2)
        return 256;
    return 1ull << (rs - 1);
}

static uint64_t crystal_cycles(const struct rtc *r, uint64_t t)
{
    return (uint64_t)((unsigned __int128)(uint64_t)((int64_t)t - r->div_base) * XTAL_HZ / NS);
}

/* Periodic tick k sits at div_base + ceil(k * period) ns; the first one after t. */
static uint64_t next_periodic(const struct rtc *r, uint64_t t)
{
    uint64_t p = periodic_cycles(r->ram[REG_A] & A_RS);
    uint64_t k = crystal_cycles(r, t) / p + 1;
    unsigned __int128 num = (unsigned __int128)k * p * NS;
    return (uint64_t)(r->div_base + (int64_t)((num + XTAL_HZ - 1) / XTAL_HZ));
}

static bool alarm_dont_care(uint8_t b)
{
    return (b & 0xC0) == 0xC0; /* MC146818A "alarm": codes 0xC0-0xFF match any value */
}

static bool alarm_byte_possible(const struct rtc *r, uint8_t b, unsigned limit, bool hours)
{
    if (alarm_dont_care(b))
        return true;
    for (unsigned v = 0; v < limit; v++)
        if ((hours ? enc_hour(r, v) : enc(r, v)) == b)
            return true;
    return false;
}

/* The first RTC second after s whose update cycle finds the three alarm bytes matching the time
 * bytes (MC146818A "alarm"), or NO_ALARM. Skips whole hours and minutes that cannot match. */
static int64_t next_alarm(const struct rtc *r, int64_t s)
{
    uint8_t as = r->ram[REG_SEC_ALARM], am = r->ram[REG_MIN_ALARM], ah = r->ram[REG_HOUR_ALARM];
    if (!alarm_byte_possible(r, as, 60, false) || !alarm_byte_possible(r, am, 60, false) ||
        !alarm_byte_possible(r, ah, 24, true))
        return NO_ALARM;
    for (int64_t t = s + 1; t <= s + 86400;) {
        int64_t tod = floor_mod(t, 86400);
        unsigned h = (unsigned)(tod / 3600), m = (unsigned)(tod / 60 % 60), sec = (unsigned)(tod % 60);
        if (!alarm_dont_care(ah) && enc_hour(r, h) != ah)
            t += 3600 - tod % 3600;
        else if (!alarm_dont_care(am) && enc(r, m) != am)
            t += 60 - sec;
        else if (!alarm_dont_care(as) && enc(r, sec) != as)
            t++;
        else
            return t;
    }
    return NO_ALARM;
}

/* MC146818A Register C: IRQF = PF.PIE + AF.AIE + UF.UIE, and IRQ is asserted while IRQF is 1.
 * The PC's 8259 takes IRQ 8 on an edge, so a new flag while IRQF is already 1 gives no new
 * interrupt: the guest has to read C. */
static void update_irq(struct rtc *r)
{
    bool level = (r->ram[REG_C] & r->ram[REG_B] & C_FLAGS) != 0;
    if (level)
        r->ram[REG_C] |= C_IRQF;
    else
        r->ram[REG_C] &= (uint8_t)~C_IRQF;
    if (level != r->irq_level) {
        r->irq_level = level;
        if (level)
            r->stat_irqs++;
        irq_set(r->irq, RTC_IRQ, level);
    }
}

/* Sets the flags of everything that happened in (synced, t]. PF, AF and UF are set whatever the
 * enable bits say (MC146818A Register C); only IRQF depends on them. */
static void rtc_sync(struct rtc *r, uint64_t t)
{
    if (t <= r->synced)
        return;
    if (divider_running(r)) {
        unsigned rs = r->ram[REG_A] & A_RS;
        if (rs) {
            uint64_t p = periodic_cycles(rs);
            if (crystal_cycles(r, t) / p > crystal_cycles(r, r->synced) / p)
                r->ram[REG_C] |= C_PF;
        }
        if (updating(r)) {
            int64_t ea = elapsed_seconds(r, r->synced), eb = elapsed_seconds(r, t);
            if (eb > ea) {
                int64_t base = (int64_t)r->clk->start_time + r->offset;
                r->ram[REG_C] |= C_UF;
                int64_t a = next_alarm(r, base + ea);
                if (a != NO_ALARM && a <= base + eb)
                    r->ram[REG_C] |= C_AF;
            }
        }
    }
    r->synced = t;
    update_irq(r);
}

static void rtc_timer(void *opaque);

/* One event: the earliest moment a clear, enabled flag gets set. */
static void reschedule(struct rtc *r)
{
    uint64_t t = clock_now(r->clk), when = CLOCK_NEVER;
    uint8_t b = r->ram[REG_B], c = r->ram[REG_C];
    if (divider_running(r)) {
        if ((b & B_PIE) && !(c & C_PF) && (r->ram[REG_A] & A_RS)) {
            uint64_t w = next_periodic(r, t);
            when = w < when ? w : when;
        }
        if (updating(r) && (b & B_UIE) && !(c & C_UF)) {
            uint64_t w = (uint64_t)(r->div_base + (elapsed_seconds(r, t) + 1) * NS);
            when = w < when ? w : when;
        }
        if (updating(r) && (b & B_AIE) && !(c & C_AF)) {
            int64_t base = (int64_t)r->clk->start_time + r->offset;
            int64_t a = next_alarm(r, rtc_seconds(r, t));
            if (a != NO_ALARM) {
                uint64_t w = (uint64_t)(r->div_base + (a - base) * NS);
                when = w < when ? w : when;
            }
        }
    }
    if (when == CLOCK_NEVER)
        clock_cancel(r->clk, rtc_timer, r);
    else
        clock_schedule(r->clk, when, rtc_timer, r);
}

static void rtc_timer(void *opaque)
{
    struct rtc *r = opaque;
    r->stat_events++;
    rtc_sync(r, clock_now(r->clk));
    reschedule(r);
}

/* ---- registers ---- */

static uint8_t reg_read(struct rtc *r, unsigned idx, bool clear)
{
    uint64_t t = clock_now(r->clk);
    rtc_sync(r, t);
    if (is_time_reg(idx)) {
        if (updating(r))
            latch(r, t);
        return r->ram[idx];
    }
    switch (idx) {
    case REG_A: {
        /* MC146818A Register A: UIP is read-only, 1 from tBUC before an update cycle to its end;
         * SET = 1 (or a stopped divider) means no update cycle, so UIP reads 0. */
        uint64_t pos = (uint64_t)floor_mod((int64_t)t - r->div_base, NS);
        bool uip = updating(r) && pos >= (uint64_t)(NS - UIP_WINDOW_NS);
        return (uint8_t)(r->ram[REG_A] | (uip ? A_UIP : 0));
    }
    case REG_C: {
        /* MC146818A Register C: reading it clears all its bits and releases IRQ. */
        uint8_t v = r->ram[REG_C];
        if (clear) {
            r->ram[REG_C] = 0;
            update_irq(r);
            reschedule(r);
        }
        return v;
    }
    case REG_D:
        return D_VRT; /* MC146818A Register D: VRT reads 1 while the battery is good */
    default:
        return r->ram[idx];
    }
}

static void reg_write(struct rtc *r, unsigned idx, uint8_t v)
{
    uint64_t t = clock_now(r->clk);
    rtc_sync(r, t);
    if (is_time_reg(idx)) {
        /* With the clock running a write still lands (MC146818A: SET only keeps an update from
         * overwriting it); the clock counts on from the new value. */
        if (updating(r)) {
            latch(r, t);
            r->ram[idx] = v;
            unlatch(r, t);
        } else {
            r->ram[idx] = v;
        }
        reschedule(r);
        return;
    }
    switch (idx) {
    case REG_A:
    case REG_B: {
        bool was = updating(r), div_was = divider_running(r);
        if (was)
            latch(r, t); /* in the old data mode */
        if (idx == REG_A) {
            r->ram[REG_A] = v & (uint8_t)~A_UIP; /* UIP is read-only */
            /* MC146818A Register A: the first update cycle begins 0.5 s after the divider leaves
             * reset; ours ends tUC later. */
            if (!div_was && divider_running(r))
                r->div_base = (int64_t)t - NS / 2 + T_UC_NS;
        } else {
            /* MC146818A Register B: SET going to 1 clears UIE. */
            if ((v & B_SET) && !(r->ram[REG_B] & B_SET))
                v &= (uint8_t)~B_UIE;
            r->ram[REG_B] = v;
        }
        if (!was && updating(r))
            unlatch(r, t); /* in the new data mode */
        update_irq(r); /* enabling an interrupt whose flag is already set asserts IRQ */
        reschedule(r);
        return;
    }
    case REG_C:
    case REG_D:
        return; /* read-only */
    default:
        r->ram[idx] = v;
        if (idx == REG_SEC_ALARM || idx == REG_MIN_ALARM || idx == REG_HOUR_ALARM)
            reschedule(r);
        return;
    }
}

/* ---- ports ---- */

static uint8_t port_read_byte(struct rtc *r, uint16_t port)
{
    if (port == RTC_PORT_DATA)
        return reg_read(r, r->index, true);
    return 0xFF; /* 0x70 is write-only on the AT */
}

static void port_write_byte(struct rtc *r, uint16_t port, uint8_t v)
{
    if (port == RTC_PORT_INDEX) {
        r->index = v & 0x7F;
        r->nmi_masked = (v & 0x80) != 0; /* IBM AT: bit 7 of port 0x70 gates NMI */
    } else if (port == RTC_PORT_DATA) {
        reg_write(r, r->index, v);
    }
}

/* A 16- or 32-bit access covers consecutive ports, low byte first. */
static uint32_t rtc_port_read(void *opaque, uint16_t port, unsigned size)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint32_t)port_read_byte(opaque, (uint16_t)(port + i)) << (8 * i);
    return v;
}

static void rtc_port_write(void *opaque, uint16_t port, uint32_t value, unsigned size)
{
    for (unsigned i = 0; i < size; i++)
        port_write_byte(opaque, (uint16_t)(port + i), (uint8_t)(value >> (8 * i)));
}

/* ---- interface ---- */

void rtc_init(struct rtc *r, struct iobus *io, struct irq_bus *irq, struct clock *clk)
{
    memset(r, 0, sizeof(*r));
    r->io = io;
    r->irq = irq;
    r->clk = clk;
    r->ram[REG_A] = 0x26; /* 32.768 kHz time base, 1024 Hz: what the PC BIOS programs */
    r->ram[REG_B] = B_24H;
    r->ram[REG_D] = D_VRT;
    r->div_base = 0; /* power-on time is start_time at virtual 0 */
    r->synced = clock_now(clk);
    if (io)
        io_map(io, RTC_PORT_INDEX, 2, rtc_port_read, rtc_port_write, r);
}

void rtc_restore(struct rtc *r, struct iobus *io, struct irq_bus *irq, struct clock *clk)
{
    r->io = io;
    r->irq = irq;
    r->clk = clk;
    reschedule(r);
}

bool rtc_nmi_masked(const struct rtc *r)
{
    return r->nmi_masked;
}

void rtc_cmos_write(struct rtc *r, unsigned index, uint8_t v)
{
    reg_write(r, index % RTC_CMOS_SIZE, v);
}

uint8_t rtc_cmos_read(struct rtc *r, unsigned index)
{
    return reg_read(r, index % RTC_CMOS_SIZE, false);
}

void rtc_update_checksum(struct rtc *r)
{
    unsigned sum = 0;
    for (unsigned i = 0x10; i <= 0x2D; i++)
        sum += r->ram[i];
    r->ram[0x2E] = (uint8_t)(sum >> 8);
    r->ram[0x2F] = (uint8_t)sum;
}
