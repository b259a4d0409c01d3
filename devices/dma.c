/* Intel 8237A DMA controllers as the PC/AT wires them. Reference: Intel 8237A/8237A-4/8237A-5
 * High Performance Programmable DMA Controller datasheet (order no. 231466), cited by section:
 * "Register Description" (Current Address, Current Word Count, Base registers, Command, Mode,
 * Request, Mask, Status, Temporary), Table 2 "Software Commands" and Table 3 "Word Count and
 * Address Register Command Codes", "Autoinitialize", "Address Generation". The AT wiring (DMA2
 * addressed with A1-A4 so its registers sit at even ports, its address counter shifted left by
 * one for word transfers, page registers at 0x81-0x8F, DMA1 cascaded into channel 4) follows the
 * IBM PC/AT Technical Reference, "DMA Controller" and "System Board I/O Address Map".
 *
 * Not modelled: memory-to-memory transfers (command bit 0; the AT cannot use them, its DMA1 has
 * no page register for channel 0's source in the same cycle), the timing of single/demand/block
 * modes (a device's request is served at once, to the byte count it asks for), and software DMA
 * requests starting transfers (the request register is kept and shows in the status register). */
#include "dma.h"

#include <string.h>

enum {
    REG_STATUS_COMMAND = 8, REG_REQUEST = 9, REG_SINGLE_MASK = 10, REG_MODE = 11,
    REG_CLEAR_FLIPFLOP = 12, REG_TEMP_MASTER_CLEAR = 13, REG_CLEAR_MASK = 14, REG_ALL_MASK = 15,
};

#define CMD_DISABLE 0x04          /* command bit 2: controller disable */

#define MODE_TYPE(m) (((m) >> 2) & 3)
#define MODE_AUTOINIT 0x10        /* mode bit 4 */
#define MODE_DECREMENT 0x20       /* mode bit 5 */
#define MODE_SEL(m) ((m) >> 6)    /* 0 demand, 1 single, 2 block, 3 cascade */

enum { TYPE_VERIFY = 0, TYPE_WRITE = 1, TYPE_READ = 2, TYPE_ILLEGAL = 3 };
enum { SEL_CASCADE = 3 };

/* IBM PC/AT Technical Reference, "System Board I/O Address Map": the page register of each
 * channel, as an offset from 0x80. */
static const uint8_t page_index[8] = {0x7, 0x3, 0x1, 0x2, 0xF, 0xB, 0x9, 0xA};

/* 8237A "Master Clear": clears command, status, request, temporary and the byte pointer
 * flip-flop, and sets all four mask bits. Mode and address/count registers are kept. */
static void master_clear(struct dma_chip *c)
{
    c->command = 0;
    c->status_tc = 0;
    c->request = 0;
    c->temp = 0;
    c->flipflop = false;
    c->mask = 0x0F;
}

void dma_reset(struct dma *d)
{
    master_clear(&d->s.chip[0]);
    master_clear(&d->s.chip[1]);
}

/* Table 3: the address and word count registers are 16 bits, reached a byte at a time through
 * the byte pointer flip-flop (low byte first); a write loads base and current together. */
static uint8_t addr_count_read(struct dma_chip *c, unsigned reg)
{
    struct dma_channel *ch = &c->ch[reg >> 1];
    uint16_t v = (reg & 1) ? ch->cur_count : ch->cur_addr;
    bool high = c->flipflop;
    c->flipflop = !c->flipflop;
    return (uint8_t)(high ? v >> 8 : v);
}

static void addr_count_write(struct dma_chip *c, unsigned reg, uint8_t v)
{
    struct dma_channel *ch = &c->ch[reg >> 1];
    uint16_t *base = (reg & 1) ? &ch->base_count : &ch->base_addr;
    uint16_t *cur = (reg & 1) ? &ch->cur_count : &ch->cur_addr;
    if (c->flipflop)
        *base = (uint16_t)((*base & 0x00FF) | (v << 8));
    else
        *base = (uint16_t)((*base & 0xFF00) | v);
    *cur = *base;
    c->flipflop = !c->flipflop;
}

static uint8_t chip_read(struct dma *d, struct dma_chip *c, unsigned reg)
{
    if (reg < 8)
        return addr_count_read(c, reg);
    switch (reg) {
    case REG_STATUS_COMMAND: {
        /* "Status Register": bits 0-3 TC reached (cleared by this read), bits 4-7 requests. */
        uint8_t v = (uint8_t)(c->status_tc | (c->request << 4));
        c->status_tc = 0;
        return v;
    }
    case REG_TEMP_MASTER_CLEAR:
        return c->temp;
    default:
        /* Table 2: the other reads are illegal; nothing drives the bus. */
        d->stats.unhandled++;
        return 0xFF;
    }
}

static void chip_write(struct dma_chip *c, unsigned reg, uint8_t v)
{
    if (reg < 8) {
        addr_count_write(c, reg, v);
        return;
    }
    switch (reg) {
    case REG_STATUS_COMMAND:
        c->command = v;
        break;
    case REG_REQUEST:         /* bits 0-1 channel, bit 2 set (1) or reset (0) the request */
        if (v & 4)
            c->request |= (uint8_t)(1u << (v & 3));
        else
            c->request &= (uint8_t)~(1u << (v & 3));
        break;
    case REG_SINGLE_MASK:     /* bits 0-1 channel, bit 2 set (1) or clear (0) its mask bit */
        if (v & 4)
            c->mask |= (uint8_t)(1u << (v & 3));
        else
            c->mask &= (uint8_t)~(1u << (v & 3));
        break;
    case REG_MODE:            /* bits 0-1 channel; bits 2-7 the channel's mode */
        c->ch[v & 3].mode = v & 0xFC;
        break;
    case REG_CLEAR_FLIPFLOP:
        c->flipflop = false;
        break;
    case REG_TEMP_MASTER_CLEAR:
        master_clear(c);
        break;
    case REG_CLEAR_MASK:
        c->mask = 0;
        break;
    case REG_ALL_MASK:
        c->mask = v & 0x0F;
        break;
    }
}

/* Port decoding. DMA1: 0x00-0x0F, register = A0-A3. DMA2: 0xC0-0xDF with its A0-A3 on the bus's
 * A1-A4, so odd ports decode to nothing. Page registers: 0x81-0x8F. */
static uint8_t byte_read(struct dma *d, uint16_t port)
{
    if (port < 0x10)
        return chip_read(d, &d->s.chip[0], port);
    if (port >= 0x81 && port <= 0x8F)
        return d->s.page[port - 0x80];
    if (port >= 0xC0 && port <= 0xDF && !(port & 1))
        return chip_read(d, &d->s.chip[1], (port - 0xC0u) >> 1);
    d->stats.unhandled++;
    return 0xFF;
}

static void byte_write(struct dma *d, uint16_t port, uint8_t v)
{
    if (port < 0x10)
        chip_write(&d->s.chip[0], port, v);
    else if (port >= 0x81 && port <= 0x8F)
        d->s.page[port - 0x80] = v;
    else if (port >= 0xC0 && port <= 0xDF && !(port & 1))
        chip_write(&d->s.chip[1], (port - 0xC0u) >> 1, v);
    else
        d->stats.unhandled++;
}

static bool own_port(uint16_t port)
{
    return port < 0x10 || (port >= 0x81 && port <= 0x8F) || (port >= 0xC0 && port <= 0xDF);
}

/* The registers are 8 bits wide: a wider access is taken as consecutive byte accesses. */
static uint32_t dma_io_read(void *opaque, uint16_t port, unsigned size)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < size; i++) {
        uint16_t p = (uint16_t)(port + i);
        v |= (uint32_t)(own_port(p) ? byte_read(opaque, p) : 0xFF) << (8 * i);
    }
    return v;
}

static void dma_io_write(void *opaque, uint16_t port, uint32_t value, unsigned size)
{
    for (unsigned i = 0; i < size; i++) {
        uint16_t p = (uint16_t)(port + i);
        if (own_port(p))
            byte_write(opaque, p, (uint8_t)(value >> (8 * i)));
    }
}

int dma_init(struct dma *d, struct iobus *io, struct mem *mem)
{
    memset(d, 0, sizeof(*d));
    d->mem = mem;
    dma_reset(d);
    int r = io_map(io, 0x00, 0x10, dma_io_read, dma_io_write, d);
    r |= io_map(io, 0x81, 0x0F, dma_io_read, dma_io_write, d);
    r |= io_map(io, 0xC0, 0x20, dma_io_read, dma_io_write, d);
    return r ? -1 : 0;
}

/* A DREQ is served only if its chip is enabled (command bit 2 clear), its mask bit is clear and
 * it is not itself a cascade input; DMA1's hold request reaches the CPU through DMA2 channel 4,
 * which must be unmasked and in cascade mode (AT Technical Reference, "DMA Controller"). */
static bool channel_ready(const struct dma *d, unsigned channel)
{
    const struct dma_chip *c = &d->s.chip[channel >> 2];
    unsigned n = channel & 3;
    if ((c->command & CMD_DISABLE) || (c->mask & (1u << n)) || MODE_SEL(c->ch[n].mode) == SEL_CASCADE)
        return false;
    if (channel < 4) {
        const struct dma_chip *c2 = &d->s.chip[1];
        if ((c2->command & CMD_DISABLE) || (c2->mask & 1) || MODE_SEL(c2->ch[0].mode) != SEL_CASCADE)
            return false;
    }
    return true;
}

/* "Address Generation": the page register gives A16-A23 and the 8237's 16-bit counter A0-A15,
 * which wraps inside its 64 KiB page with no carry into the page. On DMA2 the counter drives
 * A1-A16 and page bit 0 is unused: word transfers wrap inside a 128 KiB page. */
static uint32_t phys_addr(const struct dma *d, unsigned channel, uint16_t addr)
{
    uint32_t page = d->s.page[page_index[channel]];
    if (channel >= 4)
        return ((page & 0xFE) << 16) | ((uint32_t)addr << 1);
    return (page << 16) | addr;
}

unsigned dma_transfer(struct dma *d, unsigned channel, void *buf, unsigned len,
                      bool device_to_memory, bool *tc)
{
    if (tc)
        *tc = false;
    if (channel > 7)
        return 0;
    if (!channel_ready(d, channel)) {
        d->stats.masked++;
        return 0;
    }
    struct dma_chip *c = &d->s.chip[channel >> 2];
    unsigned n = channel & 3;
    struct dma_channel *ch = &c->ch[n];
    unsigned unit = channel >= 4 ? 2 : 1;
    unsigned units = len / unit, done = 0;
    unsigned type = MODE_TYPE(ch->mode);
    bool decrement = ch->mode & MODE_DECREMENT;
    /* "Mode Register": write transfers go device -> memory, read transfers memory -> device,
     * verify transfers generate addresses and count but drive no memory or I/O strobes. A device
     * whose direction disagrees with the mode gets nothing (reads see an undriven bus) and
     * memory is not touched. */
    bool to_mem = type == TYPE_WRITE, from_mem = type == TYPE_READ;
    if ((to_mem && !device_to_memory) || (from_mem && device_to_memory))
        d->stats.direction_mismatch++;
    bool moves = (to_mem && device_to_memory) || (from_mem && !device_to_memory);
    uint8_t *p = buf;
    bool reached_tc = false;
    while (done < units) {
        /* Units left before TC (the count register holds transfers - 1) and, counting up,
         * before the 16-bit address counter wraps: one memory run. Counting down goes a unit
         * at a time. */
        uint32_t run = (uint32_t)ch->cur_count + 1;
        if (run > units - done)
            run = units - done;
        if (decrement)
            run = 1;
        else if (run > 0x10000u - ch->cur_addr)
            run = 0x10000u - ch->cur_addr;
        uint32_t addr = phys_addr(d, channel, ch->cur_addr);
        uint8_t *at = p + done * unit;
        if (moves && device_to_memory)
            mem_dma_write(d->mem, addr, at, run * unit);
        else if (moves)
            mem_dma_read(d->mem, addr, at, run * unit);
        else if (!device_to_memory)
            memset(at, 0xFF, run * unit);
        ch->cur_addr = (uint16_t)(decrement ? ch->cur_addr - run : ch->cur_addr + run);
        bool hit_tc = run == (uint32_t)ch->cur_count + 1;   /* the count goes 0 -> FFFF */
        ch->cur_count = (uint16_t)(ch->cur_count - run);
        done += run;
        if (hit_tc) {
            /* "Status Register": TC bit set; "Autoinitialize": the current registers reload
             * from the base registers and the channel stays unmasked; otherwise the channel's
             * mask bit is set at TC. */
            reached_tc = true;
            c->status_tc |= (uint8_t)(1u << n);
            d->stats.tc++;
            if (ch->mode & MODE_AUTOINIT) {
                ch->cur_addr = ch->base_addr;
                ch->cur_count = ch->base_count;
            } else {
                c->mask |= (uint8_t)(1u << n);
            }
            break;
        }
    }
    if (done)
        d->stats.transfers++;
    d->stats.bytes += (uint64_t)done * unit;
    if (tc)
        *tc = reached_tc;
    return done * unit;
}

unsigned dma_transfer_cb(void *opaque, unsigned channel, void *buf, unsigned len,
                         bool device_to_memory, bool *tc)
{
    return dma_transfer(opaque, channel, buf, len, device_to_memory, tc);
}
