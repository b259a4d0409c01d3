/* Machines built from the CPU and buses. The PC board lands with issue 6. */
#include "machine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool machine_rom_size_ok(size_t size, char *why, size_t whylen)
{
    if (size < ROM_MIN_SIZE || size > ROM_MAX_SIZE || size % ROM_MIN_SIZE) {
        snprintf(why, whylen, "size %zu is not a multiple of %u between %u and %u bytes", size,
                 ROM_MIN_SIZE, ROM_MIN_SIZE, ROM_MAX_SIZE);
        return false;
    }
    return true;
}

static uint32_t exit_port_read(void *opaque, uint16_t port, unsigned size)
{
    (void)opaque;
    (void)port;
    (void)size;
    return 0xFFFFFFFFu;
}

static void exit_port_write(void *opaque, uint16_t port, uint32_t value, unsigned size)
{
    (void)port;
    (void)size;
    machine_request_exit(opaque, (int)(value & 0xFF));
}

bool machine_init_test(struct machine *m, uint32_t ram_size, const uint8_t *rom, uint32_t rom_size)
{
    memset(m, 0, sizeof(*m));
    m->rom = malloc(rom_size);
    if (!m->rom || !mem_init(&m->mem, ram_size)) {
        free(m->rom);
        m->rom = NULL;
        return false;
    }
    memcpy(m->rom, rom, rom_size);
    m->rom_size = rom_size;
    /* The ROM shadows RAM below 1 MiB and answers at the top of 4 GiB, where a 386+ fetches its
     * first instruction (SDM Vol.3 9.1.4). */
    mem_map_host(&m->mem, 0x100000 - rom_size, rom_size, m->rom, true);
    mem_map_host(&m->mem, (uint32_t)(0x100000000ull - rom_size), rom_size, m->rom, true);
    io_init(&m->io);
    io_map(&m->io, TEST_EXIT_PORT, 1, exit_port_read, exit_port_write, m);
    cpu_init(&m->cpu, &m->mem, &m->io);
    return true;
}

void machine_free(struct machine *m)
{
    mem_free(&m->mem);
    free(m->rom);
    m->rom = NULL;
}

void machine_request_exit(struct machine *m, int code)
{
    m->exit_code = code;
    m->cpu.stop = CPU_STOP_REQUEST;
}

enum machine_result machine_run(struct machine *m, uint64_t max_insns)
{
    uint64_t done = 0;
    for (;;) {
        /* Slices end at the next clock event, so devices see time advance exactly (DESIGN.md). */
        uint64_t slice = 1u << 20;
        if (m->clock) {
            uint64_t until = clock_insns_until_next(m->clock);
            if (until < slice)
                slice = until;
        }
        if (max_insns && max_insns - done < slice)
            slice = max_insns - done;
        if (m->clock) {
            m->clock->kick = &m->cpu.stop;
            m->clock->kick_value = CPU_STOP_KICK;
            m->clock->slice_end = clock_now(m->clock) + (uint64_t)((unsigned __int128)slice * 1000000000u / m->clock->ips);
        }
        done += cpu_run(&m->cpu, slice);
        if (m->cpu.stop == CPU_STOP_KICK)
            m->cpu.stop = CPU_RUNNING;
        if (m->poll_input)
            m->poll_input(m->board);
        if (m->clock)
            clock_run_due(m->clock);
        switch (m->cpu.stop) {
        case CPU_STOP_REQUEST: return MACHINE_EXIT;
        case CPU_STOP_RESET:
            machine_reset(m);
            break;
        case CPU_STOP_DEBUG:
            return MACHINE_DEBUG;
        case CPU_STOP_SHUTDOWN:
            /* A triple fault asserts SHUTDOWN; the board answers with a reset (SDM Vol.3 6.15
             * interrupt 8), unless the user asked to stop instead. */
            if (m->no_reboot)
                return MACHINE_SHUTDOWN;
            fprintf(stderr, "jitpc: triple fault at %04x:%08x, resetting\n", m->cpu.seg[SEG_CS].sel, m->cpu.eip);
            m->resets++;
            machine_reset(m);
            break;
        default: break;
        }
        bool irq_waiting = m->cpu.intr_pending && (m->cpu.eflags & FL_IF) && m->cpu.intr_pending(m->cpu.intr_opaque);
        if (m->cpu.halted && !irq_waiting) {
            /* HLT: time jumps to the next event, whose interrupt may wake the CPU. With nothing
             * scheduled (or interrupts off, on the test machine) nothing ever will. */
            bool can_wake = m->clock && (m->cpu.eflags & FL_IF) && clock_next(m->clock) != CLOCK_NEVER;
            if (!can_wake) {
                /* Nothing will run again, but what the devices have in flight (the UART's last
                 * bytes) still completes: events due in the next 100 ms of virtual time run. */
                uint64_t until = m->clock ? clock_now(m->clock) + 100000000u : 0;
                while (m->clock && clock_next(m->clock) <= until && m->cpu.stop != CPU_STOP_REQUEST) {
                    clock_skip_to_next(m->clock);
                    clock_run_due(m->clock);
                }
                return m->cpu.stop == CPU_STOP_REQUEST ? MACHINE_EXIT : MACHINE_HALTED;
            }
            /* SDM Vol.3 17.17: the TSC counts processor clock cycles, and HLT stops execution, not
             * the clock: the idle time counts too, at the rate time follows instructions. */
            uint64_t idle_from = clock_now(m->clock);
            clock_skip_to_next(m->clock);
            m->cpu.tsc_offset += (uint64_t)((unsigned __int128)(clock_now(m->clock) - idle_from) * m->clock->ips / 1000000000u);
            clock_run_due(m->clock);
        }
        if (max_insns && done >= max_insns)
            return MACHINE_LIMIT;
    }
}

void machine_reset(struct machine *m)
{
    cpu_reset(&m->cpu);
    if (m->on_reset)
        m->on_reset(m->board);
}
