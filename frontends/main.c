/* jitpc command line. Two machines: the PC (-M pc, the default: SeaBIOS on the i440FX board) and
 * the test machine (-M test: RAM, a ROM at the top of the first megabyte, the debug port 0xE9 and
 * the exit port 0xF4). Spellings follow QEMU where it has one. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/machine.h"
#include "devices/debugport.h"
#include "gdbstub.h"
#include "monitor.h"
#include "pc.h"

#ifndef JITPC_DEFAULT_ROM
#define JITPC_DEFAULT_ROM "demo.bin"
#endif
#define DEFAULT_SEABIOS "/usr/share/seabios/bios.bin"
#define DEFAULT_IPS 100000000ull   /* virtual time: 100 million instructions per second */
#define RTC_DEFAULT_START 946684800ull /* 2000-01-01 00:00:00 UTC, as QEMU's traces use */

/* Exit statuses scripts can rely on. A guest's own exit-port value is passed through. */
enum {
    EXIT_USAGE = 1,        /* bad command line or unusable input file */
    EXIT_SHUTDOWN = 2,     /* triple fault with -no-reboot (QEMU's habit) */
    EXIT_HALTED = 3,       /* the guest halted with nothing left to wake it */
    EXIT_LIMIT = 4,        /* --max-insns reached */
};

struct options {
    const char *machine;
    const char *bios;
    uint64_t ram_mb, max_insns, ips;
    bool no_reboot, stats, nographic, log_unimp, realtime;
    const struct cpu_model *model;
    const char *debugcon;  /* file:PATH, stdio, or NULL */
    const char *serial;    /* stdio, file:PATH, none */
    const char *exit_on_serial;
    const char *trace_regs;
    uint64_t trace_start, trace_count;
    const char *gdb;       /* -gdb tcp::PORT (-s: tcp::1234), or NULL */
    bool gdb_wait;         /* -S */
    struct gdbstub *stub;
    struct monitor_options mon;   /* -monitor, --trace, --profile (monitor.h) */
    const char *option_roms[8];
    unsigned n_option_roms;
};

static void usage(FILE *f)
{
    fprintf(f,
            "usage: jitpc [options]\n"
            "  -M pc|test        machine (default pc: SeaBIOS on an i440FX PC; test: the test\n"
            "                    machine of tests/roms/README.md)\n"
            "  -bios FILE        ROM image (test: 4 KiB multiples up to 128 KiB, default the demo\n"
            "                    ROM; pc: SeaBIOS, default " DEFAULT_SEABIOS ")\n"
            "  -m MB             RAM size in MiB (default 16 for test, 128 for pc)\n"
            "  --cpu MODEL       CPU model: 486, pentium, pentiumpro (default)\n"
            "  -nographic        pc: COM1 on the terminal, SeaBIOS's screen on COM1\n"
            "  -serial stdio|file:PATH|none   pc: COM1 backend (default stdio)\n"
            "  -debugcon file:PATH|stdio      pc: the 0x402/0xE9 debug console (SeaBIOS's log)\n"
            "  -option-rom FILE  pc: an option ROM SeaBIOS runs during POST (up to 8)\n"
            "  --exit-on-serial TEXT  pc: stop with status 0 once COM1 has printed TEXT (for tests)\n"
            "  -d unimp          log accesses to unimplemented ports (stderr)\n"
            "  --trace-regs FILE registers before every instruction, in the format of\n"
            "                    ../shared/tools/README.md (for trace-diff against qemu-trace)\n"
            "  --trace-start N, --trace-count N   --trace-regs only for instructions N..N+count-1\n"
            "  --realtime        pc: virtual time follows the host clock (not deterministic)\n"
            "  --ips N           pc: guest instructions per virtual second (default 100000000)\n"
            "  --max-insns N     stop after N instructions (exit status 4)\n"
            "  --stats           print instruction, TLB and decode-cache counters on exit (stderr)\n"
            "  -no-reboot        exit with status 2 on a triple fault instead of resetting\n"
            "  -monitor stdio    start stopped at the monitor's prompt on stdin/stdout (help)\n"
            "%s"
            "  -gdb tcp::PORT    GDB remote protocol server on 127.0.0.1:PORT; -s: tcp::1234\n"
            "  -S                with -s/-gdb: stay stopped until gdb connects and continues\n"
            "  -h, --help        this text\n"
            "Exit status: the guest's (test machine, port 0xF4), or 1 bad usage, 2 triple fault\n"
            "(-no-reboot), 3 guest halted, 4 instruction limit. In -nographic, Ctrl-A x quits.\n",
            trace_usage);
}

static int fail(const char *fmt, const char *arg, const char *detail)
{
    fputs("jitpc: ", stderr);
    fprintf(stderr, fmt, arg, detail);
    fputc('\n', stderr);
    return EXIT_USAGE;
}

/* Reads the whole test-machine ROM; returns NULL with a one-line error printed. */
static uint8_t *read_rom(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fail("%s: %s", path, strerror(errno));
        return NULL;
    }
    uint8_t *buf = malloc(ROM_MAX_SIZE + 1);
    size_t n = buf ? fread(buf, 1, ROM_MAX_SIZE + 1, f) : 0;
    bool err = ferror(f);
    fclose(f);
    char why[128];
    if (!buf || err) {
        fail("%s: %s", path, buf ? "read error" : "out of memory");
    } else if (!machine_rom_size_ok(n, why, sizeof(why))) {
        if (n > ROM_MAX_SIZE)
            snprintf(why, sizeof(why), "larger than %u bytes", ROM_MAX_SIZE);
        fail("%s: %s", path, why);
    } else {
        *size = n;
        return buf;
    }
    free(buf);
    return NULL;
}

static bool parse_u64(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || *s == '\0' || *end != '\0' || *s == '-')
        return false;
    *out = v;
    return true;
}

/* Opens a character backend spec: "stdio", "file:PATH" or "none". */
static bool open_backend(const char *spec, FILE **out)
{
    if (!spec || !strcmp(spec, "none")) {
        *out = NULL;
        return true;
    }
    if (!strcmp(spec, "stdio")) {
        *out = stdout;
        return true;
    }
    if (!strncmp(spec, "file:", 5)) {
        *out = fopen(spec + 5, "w");
        return *out != NULL;
    }
    return false;
}

static void print_stats(const struct machine *m)
{
    const struct tlb_stats *t = &m->cpu.tlb_stats;
    fprintf(stderr, "jitpc: stats: instructions %llu, tlb misses %llu, page walks %llu, page faults %llu, "
                    "tlb flushes %llu, page flushes %llu, unmapped memory accesses %llu, unmapped port accesses %llu, "
                    "decode cache hits %llu, misses %llu, code-page writes %llu\n",
            (unsigned long long)m->cpu.icount, (unsigned long long)t->misses, (unsigned long long)t->walks,
            (unsigned long long)t->page_faults, (unsigned long long)t->flushes, (unsigned long long)t->page_flushes,
            (unsigned long long)m->mem.unmapped_accesses, (unsigned long long)m->io.unmapped_accesses,
            (unsigned long long)m->cpu.dcache_hits, (unsigned long long)m->cpu.dcache_misses,
            (unsigned long long)m->mem.code_page_writes);
}

static int finish(struct machine *m, enum machine_result r, const struct options *o)
{
    fflush(stdout);
    int status;
    switch (r) {
    case MACHINE_EXIT:
        status = m->exit_code;
        break;
    case MACHINE_SHUTDOWN:
        fprintf(stderr, "jitpc: triple fault at %04x:%08x after %llu instructions\n", m->cpu.seg[SEG_CS].sel,
                m->cpu.eip, (unsigned long long)m->cpu.icount);
        status = EXIT_SHUTDOWN;
        break;
    case MACHINE_HALTED:
        fprintf(stderr, "jitpc: guest halted at %04x:%08x with nothing to wake it\n", m->cpu.seg[SEG_CS].sel,
                m->cpu.eip);
        status = EXIT_HALTED;
        break;
    default:
        fprintf(stderr, "jitpc: stopped after %llu instructions (--max-insns)\n", (unsigned long long)m->cpu.icount);
        status = EXIT_LIMIT;
        break;
    }
    if (o->stats)
        print_stats(m);
    return status;
}

/* The machine runs on its own, or under the GDB stub. */
static enum machine_result run_machine(struct machine *m, const struct options *o)
{
    struct pc *pc = !strcmp(o->machine, "pc") ? m->board : NULL;
    if (o->stub) {
        static struct monitor_gdb mg;
        mg = (struct monitor_gdb){m, pc};
        gdbstub_set_monitor(o->stub, monitor_gdb_command, &mg);   /* gdb's "monitor CMD" */
        return gdbstub_run(o->stub, m, o->max_insns);
    }
    return monitor_main(m, pc, &o->mon, o->max_insns);
}

static int run_test_machine(const struct options *o)
{
    size_t rom_size;
    uint8_t *rom = read_rom(o->bios ? o->bios : JITPC_DEFAULT_ROM, &rom_size);
    if (!rom)
        return EXIT_USAGE;
    static struct machine m;
    static struct debugport dbg;
    if (!machine_init_test(&m, (uint32_t)((o->ram_mb ? o->ram_mb : 16) << 20), rom, (uint32_t)rom_size)) {
        free(rom);
        return fail("cannot allocate guest RAM (%s%s)", "-m", "");
    }
    free(rom);
    m.no_reboot = o->no_reboot;
    m.io.log_unmapped = o->log_unimp;
    cpu_set_model(&m.cpu, o->model);
    FILE *trace = NULL;
    if (o->trace_regs && !(trace = fopen(o->trace_regs, "w"))) {
        machine_free(&m);
        return fail("%s: %s", o->trace_regs, strerror(errno));
    }
    m.cpu.trace_regs = trace;
    m.cpu.trace_first = o->trace_start;
    m.cpu.trace_last = o->trace_count ? o->trace_start + o->trace_count - 1 : UINT64_MAX;
    debugport_init(&dbg, &m.io, TEST_DEBUG_PORT, stdout);
    int status = finish(&m, run_machine(&m, o), o);
    if (trace)
        fclose(trace);
    machine_free(&m);
    return status;
}

static int run_pc(const struct options *o)
{
    struct pc_config cfg = {
        .ram_size = (uint32_t)((o->ram_mb ? o->ram_mb : 128) << 20),
        .bios_path = o->bios ? o->bios : DEFAULT_SEABIOS,
        .ips = o->ips,
        .start_time = RTC_DEFAULT_START,
        .nographic = o->nographic,
        .realtime = o->realtime,
        .exit_on_serial = o->exit_on_serial,
        .n_option_roms = o->n_option_roms,
    };
    memcpy(cfg.option_roms, o->option_roms, sizeof(cfg.option_roms));
    if (!open_backend(o->serial ? o->serial : "stdio", &cfg.serial_out))
        return fail("-serial %s: expected stdio, file:PATH or none%s", o->serial, "");
    if (o->debugcon && !open_backend(o->debugcon, &cfg.debugcon))
        return fail("-debugcon %s: cannot open (expected file:PATH or stdio)%s", o->debugcon, "");
    static struct pc pc;
    char why[160];
    if (!pc_init(&pc, &cfg, why, sizeof(why)))
        return fail("%s%s", why, "");
    pc.m.no_reboot = o->no_reboot;
    pc.m.io.log_unmapped = o->log_unimp;
    cpu_set_model(&pc.m.cpu, o->model);
    static struct monitor_gdb term_mon;
    term_mon = (struct monitor_gdb){&pc.m, &pc};
    pc.term.monitor_cmd = monitor_gdb_command;    /* Ctrl-A c in -nographic */
    pc.term.monitor_opaque = &term_mon;
    FILE *trace = NULL;
    if (o->trace_regs && !(trace = fopen(o->trace_regs, "w"))) {
        pc_free(&pc);
        return fail("%s: %s", o->trace_regs, strerror(errno));
    }
    pc.m.cpu.trace_regs = trace;
    pc.m.cpu.trace_first = o->trace_start;
    pc.m.cpu.trace_last = o->trace_count ? o->trace_start + o->trace_count - 1 : UINT64_MAX;
    int status = finish(&pc.m, run_machine(&pc.m, o), o);
    if (o->stats)
        fprintf(stderr, "jitpc: stats: virtual time %.6f s, PIT interrupts %llu, PIC acks %llu, spurious %llu\n",
                clock_now(&pc.clock) / 1e9, (unsigned long long)pc.pit.stat_irqs,
                (unsigned long long)pc.pic.stats.acks,
                (unsigned long long)(pc.pic.stats.spurious_master + pc.pic.stats.spurious_slave));
    if (trace)
        fclose(trace);
    pc_free(&pc);
    if (cfg.debugcon && cfg.debugcon != stdout)
        fclose(cfg.debugcon);
    if (cfg.serial_out && cfg.serial_out != stdout)
        fclose(cfg.serial_out);
    return status;
}

int main(int argc, char **argv)
{
    struct options o = {.machine = "pc", .ips = DEFAULT_IPS, .model = cpu_model_default()};

    o.mon.trace.cpl = -1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int used;
        const char *arg = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "-M") || !strcmp(a, "-machine")) {
            if (!arg || (strcmp(arg, "test") && strcmp(arg, "pc")))
                return fail("-M %s: unknown machine (known: test, pc)%s", arg ? arg : "", "");
            o.machine = argv[++i];
        } else if (!strcmp(a, "-bios") || !strcmp(a, "--bios")) {
            if (!arg)
                return fail("%s needs a file name%s", a, "");
            o.bios = argv[++i];
        } else if (!strcmp(a, "-m")) {
            if (!arg || !parse_u64(arg, &o.ram_mb) || o.ram_mb < 1 || o.ram_mb > 3072)
                return fail("-m %s: expected a RAM size between 1 and 3072 MiB%s", arg ? arg : "", "");
            i++;
        } else if (!strcmp(a, "--stats")) {
            o.stats = true;
        } else if (!strcmp(a, "-d")) {
            char items[256];
            snprintf(items, sizeof(items), "%s", arg ? arg : "");
            for (char *it = strtok(items, ","); it; it = strtok(NULL, ","))
                if (!strcmp(it, "unimp"))
                    o.log_unimp = true;
                else if (!trace_parse_d_item(&o.mon.trace, it))
                    return fail("-d %s: known: unimp, in_asm, cpu%s", it, "");
            if (!arg)
                return fail("-d needs a list (unimp, in_asm, cpu)%s%s", "", "");
            i++;
        } else if (!strcmp(a, "--trace-regs")) {
            if (!arg)
                return fail("%s needs a file name%s", a, "");
            o.trace_regs = argv[++i];
        } else if (!strcmp(a, "--trace-start") || !strcmp(a, "--trace-count")) {
            uint64_t v;
            if (!arg || !parse_u64(arg, &v))
                return fail("%s %s: expected a number of instructions", a, arg ? arg : "");
            if (a[8] == 's')
                o.trace_start = v;
            else
                o.trace_count = v;
            i++;
        } else if (!strcmp(a, "--realtime")) {
            o.realtime = true;
        } else if (!strcmp(a, "-nographic")) {
            o.nographic = true;
        } else if (!strcmp(a, "-serial")) {
            if (!arg)
                return fail("%s needs a backend%s", a, "");
            o.serial = argv[++i];
        } else if (!strcmp(a, "-debugcon")) {
            if (!arg)
                return fail("%s needs a backend%s", a, "");
            o.debugcon = argv[++i];
        } else if (!strcmp(a, "-option-rom") || !strcmp(a, "--option-rom")) {
            if (!arg)
                return fail("%s needs a file name%s", a, "");
            if (o.n_option_roms == 8)
                return fail("%s %s: at most 8 option ROMs", a, arg);
            o.option_roms[o.n_option_roms++] = argv[++i];
        } else if (!strcmp(a, "--exit-on-serial")) {
            if (!arg)
                return fail("%s needs a text%s", a, "");
            o.exit_on_serial = argv[++i];
        } else if (!strcmp(a, "--ips")) {
            if (!arg || !parse_u64(arg, &o.ips) || o.ips == 0)
                return fail("--ips %s: expected a positive number%s", arg ? arg : "", "");
            i++;
        } else if (!strcmp(a, "--cpu") || !strcmp(a, "-cpu")) {
            if (!arg || !(o.model = cpu_model_find(arg))) {
                char names[128];
                cpu_model_list(names, sizeof(names));
                fprintf(stderr, "jitpc: --cpu %s: unknown model (known: %s)\n", arg ? arg : "", names);
                return EXIT_USAGE;
            }
            i++;
        } else if (!strcmp(a, "-no-reboot") || !strcmp(a, "--no-reboot")) {
            o.no_reboot = true;
        } else if (!strcmp(a, "-s")) {
            o.gdb = "tcp::1234";
        } else if (!strcmp(a, "-S")) {
            o.gdb_wait = true;
        } else if (!strcmp(a, "-gdb")) {
            if (!arg)
                return fail("%s needs tcp::PORT%s", a, "");
            o.gdb = argv[++i];
        } else if (!strcmp(a, "--max-insns")) {
            if (!arg || !parse_u64(arg, &o.max_insns))
                return fail("--max-insns %s: expected a number%s", arg ? arg : "", "");
            i++;
        } else if (!strcmp(a, "-monitor")) {
            if (!arg)
                return fail("%s needs a backend (stdio)%s", a, "");
            o.mon.monitor = argv[++i];
        } else if ((used = trace_parse_option(&o.mon.trace, a, arg)) != 0) {
            if (used < 0)
                return EXIT_USAGE;
            i += used - 1;
        } else {
            return fail("unknown option '%s'%s (try --help)", a, "");
        }
    }
    if (o.gdb_wait && !o.gdb)
        return fail("-S needs -s or -gdb%s%s", "", "");
    if (o.gdb) {
        char why[160];
        if (!(o.stub = gdbstub_open(o.gdb, o.gdb_wait, why, sizeof(why))))
            return fail("%s%s", why, "");
    }
    int status = !strcmp(o.machine, "pc") ? run_pc(&o) : run_test_machine(&o);
    gdbstub_close(o.stub);
    return status;
}
