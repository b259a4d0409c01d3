/* jitpc command line. Two machines: the PC (-M pc, the default: SeaBIOS on the i440FX board) and
 * the test machine (-M test: RAM, a ROM at the top of the first megabyte, the debug port 0xE9 and
 * the exit port 0xF4). Spellings follow QEMU where it has one. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/machine.h"
#include "jit/jit.h"
#include "devices/debugport.h"
#include "display.h"
#include "gdbstub.h"
#include "keymap.h"
#include "monitor.h"
#include "pc.h"
#include "screenshot.h"

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
    bool jit;              /* --jit=on|off: translate hot blocks (default: on where available) */
    const struct cpu_model *model;
    const char *debugcon;  /* file:PATH, stdio, or NULL */
    const char *serial;    /* stdio, file:PATH, none */
    const char *exit_on_serial;
    const char *exit_on_screen;
    const char *trace_regs;
    uint64_t trace_start, trace_count;
    const char *gdb;       /* -gdb tcp::PORT (-s: tcp::1234), or NULL */
    bool gdb_wait;         /* -S */
    struct gdbstub *stub;
    struct monitor_options mon;   /* -monitor, --trace, --profile (monitor.h) */
    const char *option_roms[8];
    unsigned n_option_roms;
    const char *screenshot;                 /* --screenshot FILE.png: the screen at exit */
    struct capture {                        /* --screenshot-at / --screen-text-at */
        uint64_t at;
        const char *file;
        bool text;
    } captures[8];
    unsigned ncaptures;
    bool no_vga;                            /* -vga none */
    bool display_set;                       /* -display given (else display_default) */
    enum display_kind display;
    struct keys_opt {                       /* --keys TEXT / --keys-at N TEXT */
        uint64_t at;
        bool at_default;
        const char *text;
    } keys[8];
    unsigned nkeys;
    struct pc_drive drives[PC_MAX_DRIVES];
    unsigned ndrives;
    char drive_specs[PC_MAX_DRIVES][512];   /* -drive texts, which drives[].file points into */
    char boot_order[8];
    bool snapshot;
    const char *kernel, *initrd, *append;   /* direct Linux boot */
    bool debug_exit;                        /* -device isa-debug-exit[,iobase=N][,iosize=N] */
    uint64_t debug_exit_iobase, debug_exit_iosize;
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
            "  -hda/-hdb/-hdc/-hdd FILE   pc: IDE disk image (raw), primary/secondary master/slave\n"
            "  -cdrom FILE       pc: CD-ROM image (ISO), secondary master\n"
            "  -fda/-fdb FILE    pc: floppy image (160 KB - 2.88 MB)\n"
            "  -drive file=F,if=ide|floppy[,index=N][,media=disk|cdrom][,format=raw][,readonly=on]\n"
            "  -boot c|d|a|n|order=LIST   pc: boot order (default cad)\n"
            "  -snapshot         pc: disk writes go to a temporary overlay, images stay unchanged\n"
            "  -option-rom FILE  pc: an option ROM SeaBIOS runs during POST (up to 8)\n"
            "  -vga std|none     pc: the VGA (QEMU's stdvga, default) or none\n"
            "  -display sdl|term|none  pc: a window (default when $DISPLAY is set and not\n"
            "                    -nographic), text modes in this terminal, or nothing\n"
            "  --keys TEXT       pc: type TEXT on the PS/2 keyboard 1 virtual second after\n"
            "                    power-on (\\n Enter, \\e Esc, \\b, \\t, <f8>, <up>, <ctrl-alt-delete>)\n"
            "  --keys-at N TEXT  pc: the same from guest instruction N\n"
            "  --screenshot FILE.png         pc: the screen as a PNG when the run ends\n"
            "  --screenshot-at N FILE.png    pc: the screen after exactly N instructions\n"
            "  --screen-text-at N FILE       pc: the text-mode screen as UTF-8 after N instructions\n"
            "  -kernel bzImage   pc: boot this Linux kernel (with -initrd FILE, -append CMDLINE)\n"
            "  -device isa-debug-exit[,iobase=0x501][,iosize=2]  pc: a write of v to the port\n"
            "                    exits with status (v << 1) | 1\n"
            "  --exit-on-screen TEXT  pc: stop with status 0 once the text screen shows TEXT\n"
            "  --exit-on-serial TEXT  pc: stop with status 0 once COM1 has printed TEXT (for tests)\n"
            "  -d unimp          log accesses to unimplemented ports (stderr)\n"
            "  --trace-regs FILE registers before every instruction, in the format of\n"
            "                    ../shared/tools/README.md (for trace-diff against qemu-trace)\n"
            "  --trace-start N, --trace-count N   --trace-regs only for instructions N..N+count-1\n"
            "  --realtime        pc: virtual time follows the host clock (not deterministic)\n"
            "  --jit=on|off      translate hot guest code to host code (default on; off: the\n"
            "                    interpreter runs everything; same instructions either way)\n"
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
            "(-no-reboot), 3 guest halted, 4 instruction limit; pc: 0 when the guest halts with\n"
            "interrupts disabled (powered off). In -nographic, Ctrl-A x quits.\n",
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
    /* The CPU as the run left it (--trace-regs' format): two runs that agree here executed the
     * same instructions (tests compare interpreter and JIT runs with it). */
    fprintf(stderr, "jitpc: stats: cpu ");
    cpu_print_state(stderr, (struct cpu *)&m->cpu);
}

/* --jit=on: hooks the JIT into the CPU; hosts without a backend run the interpreter, saying so
 * once. */
static struct jit *start_jit(struct machine *m, const struct options *o)
{
    if (!o->jit)
        return NULL;
    const char *why;
    struct jit *j = jit_new(&m->cpu, &why);
    if (!j)
        fprintf(stderr, "jitpc: JIT unavailable (%s): the interpreter runs everything\n", why);
    return j;
}

static void print_jit_stats(const struct machine *m)
{
    if (!m->cpu.jit)
        return;
    const struct jit_stats *s = jit_get_stats(m->cpu.jit);
    fprintf(stderr, "jitpc: stats: JIT instructions %llu (%.1f%%), blocks run %llu (and %llu entered directly), chains %llu, "
                    "lookups %llu (jump cache misses %llu), translations %llu, invalidations %llu, flushes %llu, inline ops %llu, helper ops %llu, code %llu bytes\n",
            (unsigned long long)s->insns_run, m->cpu.icount ? 100.0 * (double)s->insns_run / (double)m->cpu.icount : 0.0,
            (unsigned long long)s->blocks_run, (unsigned long long)s->direct_entries, (unsigned long long)s->chains, (unsigned long long)s->lookups,
            (unsigned long long)s->jc_misses, (unsigned long long)s->translations,
            (unsigned long long)s->invalidations, (unsigned long long)s->flushes, (unsigned long long)s->inline_ops,
            (unsigned long long)s->helper_ops, (unsigned long long)s->code_bytes);
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
        /* The PC has no NMI source: HLT with IF=0 is how a guest without ACPI powers off (Linux's
         * halt/poweroff -f), so it ends the run normally - unless the run waits for a serial
         * text (--exit-on-serial), which then never came. */
        if (!strcmp(o->machine, "pc") && !(m->cpu.eflags & FL_IF) && !o->exit_on_serial) {
            fprintf(stderr, "jitpc: guest halted with interrupts disabled\n");
            status = 0;
            break;
        }
        fprintf(stderr, "jitpc: guest halted at %04x:%08x with nothing to wake it\n", m->cpu.seg[SEG_CS].sel,
                m->cpu.eip);
        status = EXIT_HALTED;
        break;
    default:
        fprintf(stderr, "jitpc: stopped after %llu instructions (--max-insns)\n", (unsigned long long)m->cpu.icount);
        status = EXIT_LIMIT;
        break;
    }
    if (o->stats) {
        print_stats(m);
        print_jit_stats(m);
    }
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
    struct jit *jit = start_jit(&m, o);
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
    jit_free(jit);
    machine_free(&m);
    return status;
}

/* Adds a drive; index -1 takes the interface's first free index. NULL on a taken or bad slot. */
static const char *add_drive(struct options *o, struct pc_drive d)
{
    int max = d.interface == PC_IF_IDE ? 4 : 2;
    bool used[4] = {false};
    for (unsigned i = 0; i < o->ndrives; i++)
        if (o->drives[i].interface == d.interface)
            used[o->drives[i].index] = true;
    if (d.index < 0)
        for (d.index = 0; d.index < max && used[d.index]; d.index++)
            ;
    if (d.index >= max)
        return d.index == max && d.interface == PC_IF_IDE ? "all four IDE positions are taken" :
               d.interface == PC_IF_IDE ? "IDE index must be 0-3" : "floppy index must be 0 or 1";
    if (used[d.index])
        return "that drive position is already taken";
    if (o->ndrives == PC_MAX_DRIVES)
        return "too many drives";
    o->drives[o->ndrives++] = d;
    return NULL;
}

/* -drive file=F,if=ide|floppy,index=N,media=disk|cdrom,format=raw,readonly=on|off (QEMU). */
static const char *parse_drive(struct options *o, char *spec)
{
    struct pc_drive d = {.interface = PC_IF_IDE, .index = -1};
    for (char *kv = strtok(spec, ","); kv; kv = strtok(NULL, ",")) {
        char *v = strchr(kv, '=');
        if (!v)
            return "expected key=value items";
        *v++ = '\0';
        if (!strcmp(kv, "file"))
            d.file = v;
        else if (!strcmp(kv, "if") && (!strcmp(v, "ide") || !strcmp(v, "floppy")))
            d.interface = v[0] == 'i' ? PC_IF_IDE : PC_IF_FLOPPY;
        else if (!strcmp(kv, "index") && v[0] >= '0' && v[0] <= '3' && !v[1])
            d.index = v[0] - '0';
        else if (!strcmp(kv, "media") && (!strcmp(v, "disk") || !strcmp(v, "cdrom")))
            d.cdrom = v[0] == 'c';
        else if (!strcmp(kv, "format") && !strcmp(v, "raw"))
            ;
        else if (!strcmp(kv, "readonly") && (!strcmp(v, "on") || !strcmp(v, "off")))
            d.readonly = !strcmp(v, "on");
        else
            return "unsupported item (file, if=ide|floppy, index, media=disk|cdrom, format=raw, readonly=on|off)";
    }
    if (!d.file && !d.cdrom)
        return "file= is required (only a CD-ROM drive may be empty)";
    if (d.cdrom && d.interface != PC_IF_IDE)
        return "media=cdrom needs if=ide";
    return add_drive(o, d);
}

/* SIGINT, SIGTERM, SIGHUP: stop between instructions and leave through pc_free, which closes
 * (and syncs) the disk images and restores the terminal. */
static struct pc *signal_pc;

static void on_stop_signal(int sig)
{
    if (signal_pc)
        machine_request_exit(&signal_pc->m, 128 + sig);   /* the shell's status for a signal */
}

/* Runs the PC, stopping at each --screenshot-at / --screen-text-at / --keys-at instruction count
 * (counts are the machine's retired instructions, so captures are deterministic), then to the
 * end. --keys-at types at that moment's virtual time: N / ips would be too early once HLT has
 * skipped idle time ahead of the instruction count (core/machine.c). */
static enum machine_result run_with_captures(struct pc *pc, struct display *disp, const struct options *o)
{
    struct machine *m = &pc->m;
    struct options step = *o;
    enum machine_result r = MACHINE_LIMIT;
    char why[300];
    bool done[8] = {false}, typed[8] = {false};
    for (;;) {
        uint64_t next = UINT64_MAX;
        for (unsigned i = 0; i < o->ncaptures; i++)
            if (!done[i] && o->captures[i].at < next)
                next = o->captures[i].at;
        for (unsigned i = 0; i < o->nkeys; i++)
            if (!o->keys[i].at_default && !typed[i] && o->keys[i].at < next && !o->mon.monitor && !o->gdb)
                next = o->keys[i].at;
        uint64_t target = next != UINT64_MAX ? next : o->max_insns;   /* 0: no limit */
        if (o->max_insns && target > o->max_insns)
            target = o->max_insns;
        if (!target) {
            r = run_machine(m, o);
            break;
        }
        if (m->cpu.icount < target) {
            step.max_insns = target - m->cpu.icount;
            r = run_machine(m, &step);
            if (r != MACHINE_LIMIT)
                break;
        }
        if (next == UINT64_MAX || m->cpu.icount < next)
            break;            /* --max-insns came first */
        for (unsigned i = 0; i < o->nkeys; i++) {
            const struct keys_opt *k = &o->keys[i];
            if (k->at_default || typed[i] || k->at > m->cpu.icount || o->mon.monitor || o->gdb)
                continue;
            typed[i] = true;
            if (!display_type_at_ns(disp, clock_now(&pc->clock), k->text, why, sizeof(why)))
                fprintf(stderr, "jitpc: --keys-at: %s\n", why);
        }
        for (unsigned i = 0; i < o->ncaptures; i++) {
            const struct capture *c = &o->captures[i];
            if (done[i] || c->at > m->cpu.icount)
                continue;
            done[i] = true;
            if (!pc->vga.vram)
                fprintf(stderr, "jitpc: %s: there is no VGA (-vga none)\n", c->file);
            else if (!(c->text ? screenshot_text(&pc->vga, c->file, why, sizeof(why))
                               : screenshot_vga(&pc->vga, c->file, why, sizeof(why))))
                fprintf(stderr, "jitpc: %s\n", why);
        }
    }
    if (o->screenshot && pc->vga.vram && !screenshot_vga(&pc->vga, o->screenshot, why, sizeof(why)))
        fprintf(stderr, "jitpc: %s\n", why);
    return r;
}

/* --stats for the storage devices: what the guest asked of them and what they could not do. */
static void print_disk_stats(const struct pc *pc)
{
    const struct ide_stats *i = &pc->ide.stats;
    const struct fdc_stats *f = &pc->fdc.stats;
    const struct dma_stats *d = &pc->dma.stats;
    fprintf(stderr, "jitpc: stats: IDE commands %llu, packets %llu, errors %llu, unknown %llu, accesses without effect %llu, "
            "PIO bytes %llu, DMA bytes %llu, flushes %llu\n", (unsigned long long)i->commands,
            (unsigned long long)i->packets, (unsigned long long)i->errors, (unsigned long long)i->unknown_commands,
            (unsigned long long)i->unhandled, (unsigned long long)i->pio_bytes, (unsigned long long)i->dma_bytes,
            (unsigned long long)i->flushes);
    fprintf(stderr, "jitpc: stats: floppy commands %llu, invalid %llu, sectors read %llu, written %llu, errors %llu, "
            "overruns %llu; ISA DMA transfers %llu, bytes %llu, refused %llu\n", (unsigned long long)f->commands,
            (unsigned long long)f->invalid_commands, (unsigned long long)f->sectors_read,
            (unsigned long long)f->sectors_written, (unsigned long long)f->errors, (unsigned long long)f->overruns,
            (unsigned long long)d->transfers, (unsigned long long)d->bytes, (unsigned long long)d->masked);
    for (unsigned n = 0; n < pc->nblocks; n++) {
        const struct block *b = &pc->blocks[n];
        fprintf(stderr, "jitpc: stats: %s: %llu reads (%llu bytes), %llu writes (%llu bytes), %llu flushes, %llu errors\n",
                b->path, (unsigned long long)b->stats.reads, (unsigned long long)b->stats.bytes_read,
                (unsigned long long)b->stats.writes, (unsigned long long)b->stats.bytes_written,
                (unsigned long long)b->stats.flushes, (unsigned long long)b->stats.errors);
    }
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
        .exit_on_screen = o->exit_on_screen,
        .n_option_roms = o->n_option_roms,
        .kernel = o->kernel,
        .initrd = o->initrd,
        .append = o->append,
        .debug_exit = o->debug_exit,
        .debug_exit_iobase = (uint16_t)o->debug_exit_iobase,
        .debug_exit_iosize = (unsigned)o->debug_exit_iosize,
    };
    memcpy(cfg.option_roms, o->option_roms, sizeof(cfg.option_roms));
    memcpy(cfg.drives, o->drives, sizeof(cfg.drives));
    cfg.ndrives = o->ndrives;
    cfg.boot_order = o->boot_order;
    cfg.snapshot = o->snapshot;
    cfg.no_vga = o->no_vga;
    enum display_kind display = o->display_set ? o->display : display_default(o->nographic);
    /* -display term owns the terminal: COM1 goes nowhere unless asked for. */
    const char *serial = o->serial ? o->serial : display == DISPLAY_TERM ? "none" : "stdio";
    if (!open_backend(serial, &cfg.serial_out))
        return fail("-serial %s: expected stdio, file:PATH or none%s", o->serial, "");
    if (o->debugcon && !open_backend(o->debugcon, &cfg.debugcon))
        return fail("-debugcon %s: cannot open (expected file:PATH or stdio)%s", o->debugcon, "");
    static struct pc pc;
    char why[700];
    if (!pc_init(&pc, &cfg, why, sizeof(why)))
        return fail("%s%s", why, "");
    signal_pc = &pc;
    struct sigaction sa = {.sa_handler = on_stop_signal};
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    pc.m.no_reboot = o->no_reboot;
    pc.m.io.log_unmapped = o->log_unimp;
    cpu_set_model(&pc.m.cpu, o->model);
    struct jit *jit = start_jit(&pc.m, o);
    static struct monitor_gdb term_mon;
    term_mon = (struct monitor_gdb){&pc.m, &pc};
    pc.term.monitor_cmd = monitor_gdb_command;    /* Ctrl-A c in -nographic */
    pc.term.monitor_opaque = &term_mon;
    struct display *disp = display_open(&pc, display, why, sizeof(why));
    if (!disp && !o->display_set) {
        fprintf(stderr, "jitpc: %s; going on without a window\n", why);   /* $DISPLAY set, no server */
        disp = display_open(&pc, DISPLAY_NONE, why, sizeof(why));
    }
    if (!disp) {
        pc_free(&pc);
        return fail("%s%s", why, "");
    }
    for (unsigned i = 0; i < o->nkeys; i++) {
        const struct keys_opt *k = &o->keys[i];
        bool interactive = o->mon.monitor || o->gdb;
        if (!k->at_default && !interactive)
            continue;         /* --keys-at: typed when run_with_captures reaches its instruction */
        /* Under the monitor or gdb the run is not split at instruction counts: --keys-at is
         * scheduled at N / ips of virtual time, which HLT's skipped idle time can make early. */
        bool ok = k->at_default ? display_type_at_ns(disp, DISPLAY_KEYS_DEFAULT_NS, k->text, why, sizeof(why))
                                : display_type_at(disp, k->at, k->text, why, sizeof(why));
        if (!ok) {
            pc_free(&pc);
            return fail("--keys: %s%s", why, "");
        }
    }
    FILE *trace = NULL;
    if (o->trace_regs && !(trace = fopen(o->trace_regs, "w"))) {
        pc_free(&pc);
        return fail("%s: %s", o->trace_regs, strerror(errno));
    }
    pc.m.cpu.trace_regs = trace;
    pc.m.cpu.trace_first = o->trace_start;
    pc.m.cpu.trace_last = o->trace_count ? o->trace_start + o->trace_count - 1 : UINT64_MAX;
    int status = finish(&pc.m, run_with_captures(&pc, disp, o), o);
    if (o->stats)
        fprintf(stderr, "jitpc: stats: virtual time %.6f s, PIT interrupts %llu, PIC acks %llu, spurious %llu\n",
                clock_now(&pc.clock) / 1e9, (unsigned long long)pc.pit.stat_irqs,
                (unsigned long long)pc.pic.stats.acks,
                (unsigned long long)(pc.pic.stats.spurious_master + pc.pic.stats.spurious_slave));
    if (o->stats)
        print_disk_stats(&pc);
    if (trace)
        fclose(trace);
    jit_free(jit);
    pc_free(&pc);
    if (cfg.debugcon && cfg.debugcon != stdout)
        fclose(cfg.debugcon);
    if (cfg.serial_out && cfg.serial_out != stdout)
        fclose(cfg.serial_out);
    return status;
}

int main(int argc, char **argv)
{
    struct options o = {.machine = "pc", .ips = DEFAULT_IPS, .model = cpu_model_default(), .jit = true};

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
        } else if (!strcmp(a, "--jit=on") || !strcmp(a, "--jit=off")) {
            o.jit = a[7] == 'n';
        } else if (!strcmp(a, "--realtime")) {
            o.realtime = true;
        } else if (!strcmp(a, "-nographic")) {
            o.nographic = true;
        } else if (!strcmp(a, "-display") || !strcmp(a, "-vga")) {
            /* -display sdl|term|none (frontends/display.h); -vga std|none. */
            if (!arg || (a[1] == 'd' ? !display_parse(arg, &o.display) : (strcmp(arg, "std") && strcmp(arg, "none"))))
                return fail("%s %s: expected sdl, term or none (-vga: std or none)", a, arg ? arg : "");
            o.display_set |= a[1] == 'd';
            if (a[1] == 'v')
                o.no_vga = !strcmp(arg, "none");
            i++;
        } else if (!strcmp(a, "--keys") || !strcmp(a, "--keys-at")) {
            struct keys_opt k = {.at_default = a[6] == '\0'};
            if (!k.at_default && (!arg || !parse_u64(arg, &k.at)))
                return fail("--keys-at %s: expected an instruction count%s", arg ? arg : "", "");
            k.text = k.at_default ? arg : i + 2 < argc ? argv[i + 2] : NULL;
            char why[200];
            if (!k.text)
                return fail("%s needs a text to type%s", a, "");
            if (!keymap_parse_text(k.text, NULL, 0, why, sizeof(why)) && why[0])
                return fail("%s: %s", a, why);
            if (o.nkeys == sizeof(o.keys) / sizeof(o.keys[0]))
                return fail("%s: at most 8 key scripts%s", a, "");
            o.keys[o.nkeys++] = k;
            i += k.at_default ? 1 : 2;
        } else if (!strcmp(a, "--screenshot")) {
            if (!arg)
                return fail("%s needs a file name%s", a, "");
            o.screenshot = argv[++i];
        } else if (!strcmp(a, "--screenshot-at") || !strcmp(a, "--screen-text-at")) {
            uint64_t at;
            if (!arg || !parse_u64(arg, &at) || at == 0 || i + 2 >= argc)
                return fail("%s %s: expected an instruction count > 0 and a file name", a, arg ? arg : "");
            if (o.ncaptures == sizeof(o.captures) / sizeof(o.captures[0]))
                return fail("%s: at most 8 captures%s", a, "");
            o.captures[o.ncaptures++] = (struct capture){at, argv[i + 2], a[8] == '-'};
            i += 2;
        } else if (!strcmp(a, "-serial")) {
            if (!arg)
                return fail("%s needs a backend%s", a, "");
            o.serial = argv[++i];
        } else if (!strcmp(a, "-debugcon")) {
            if (!arg)
                return fail("%s needs a backend%s", a, "");
            o.debugcon = argv[++i];
        } else if (!strcmp(a, "-hda") || !strcmp(a, "-hdb") || !strcmp(a, "-hdc") || !strcmp(a, "-hdd") ||
                   !strcmp(a, "-cdrom") || !strcmp(a, "-fda") || !strcmp(a, "-fdb")) {
            if (!arg)
                return fail("%s needs a file name%s", a, "");
            struct pc_drive d = {.file = argv[++i], .interface = a[1] == 'f' ? PC_IF_FLOPPY : PC_IF_IDE};
            d.cdrom = a[1] == 'c';
            d.index = d.cdrom ? 2 : a[1] == 'f' ? a[3] - 'a' : a[3] - 'a';
            const char *err = add_drive(&o, d);
            if (err)
                return fail("%s: %s", a, err);
        } else if (!strcmp(a, "-drive")) {
            if (!arg)
                return fail("%s needs a specification%s", a, "");
            /* parse_drive keeps pointers into the spec (file=): it must outlive the run. */
            if (o.ndrives == PC_MAX_DRIVES)
                return fail("-drive %s: too many drives%s", arg, "");
            char *spec = o.drive_specs[o.ndrives];
            snprintf(spec, sizeof(o.drive_specs[0]), "%s", argv[++i]);
            const char *err = parse_drive(&o, spec);
            if (err)
                return fail("-drive %s: %s", arg, err);
        } else if (!strcmp(a, "-boot")) {
            if (!arg || !pc_parse_boot(arg, o.boot_order, sizeof(o.boot_order)))
                return fail("-boot %s: expected drive letters a, c, d, n (e.g. -boot d or order=cd)%s", arg ? arg : "", "");
            i++;
        } else if (!strcmp(a, "-snapshot")) {
            o.snapshot = true;
        } else if (!strcmp(a, "-option-rom") || !strcmp(a, "--option-rom")) {
            if (!arg)
                return fail("%s needs a file name%s", a, "");
            if (o.n_option_roms == 8)
                return fail("%s %s: at most 8 option ROMs", a, arg);
            o.option_roms[o.n_option_roms++] = argv[++i];
        } else if (!strcmp(a, "-kernel") || !strcmp(a, "-initrd") || !strcmp(a, "-append")) {
            if (!arg)
                return fail("%s needs an argument%s", a, "");
            *(a[1] == 'k' ? &o.kernel : a[1] == 'i' ? &o.initrd : &o.append) = argv[++i];
        } else if (!strcmp(a, "-device")) {
            if (!arg || strncmp(arg, "isa-debug-exit", 14) || (arg[14] && arg[14] != ','))
                return fail("-device %s: known: isa-debug-exit[,iobase=N][,iosize=N]%s", arg ? arg : "", "");
            o.debug_exit = true;
            o.debug_exit_iobase = 0x501;
            o.debug_exit_iosize = 2;
            char props[128];
            snprintf(props, sizeof(props), "%s", arg + 14);
            for (char *p = strtok(props, ","); p; p = strtok(NULL, ",")) {
                bool base = !strncmp(p, "iobase=", 7), sz = !strncmp(p, "iosize=", 7);
                uint64_t *v = base ? &o.debug_exit_iobase : &o.debug_exit_iosize;
                if ((!base && !sz) || !parse_u64(p + 7, v) || *v > (base ? 0xFFFFu : 4u) || (sz && *v == 0))
                    return fail("-device isa-debug-exit: bad property '%s'%s (iobase=PORT, iosize=1..4)", p, "");
            }
            i++;
        } else if (!strcmp(a, "--exit-on-screen")) {
            if (!arg)
                return fail("%s needs a text%s", a, "");
            o.exit_on_screen = argv[++i];
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
    if (o.display_set && o.display == DISPLAY_TERM && (o.nographic || o.mon.monitor))
        return fail("-display term: the terminal is taken by %s%s", o.nographic ? "-nographic" : "-monitor stdio", "");
    if ((o.initrd || o.append) && !o.kernel)
        return fail("%s needs -kernel%s", o.initrd ? "-initrd" : "-append", "");
    if ((o.kernel || o.debug_exit) && strcmp(o.machine, "pc"))
        return fail("%s needs -M pc%s", o.kernel ? "-kernel" : "-device", "");
    if (o.ncaptures && (o.mon.monitor || o.gdb))
        return fail("--screenshot-at/--screen-text-at: not with -monitor or -gdb (use screendump)%s%s", "", "");
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
