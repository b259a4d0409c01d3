/* jitpc command line. Until the PC board lands (issue 6) the only machine is the test machine:
 * RAM, a ROM at the top of the first megabyte, the debug port 0xE9 and the exit port 0xF4. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/machine.h"
#include "devices/debugport.h"

#ifndef JITPC_DEFAULT_ROM
#define JITPC_DEFAULT_ROM "demo.bin"
#endif

/* Exit statuses scripts can rely on. A guest's own exit-port value is passed through. */
enum {
    EXIT_USAGE = 1,        /* bad command line or unusable input file */
    EXIT_SHUTDOWN = 2,     /* triple fault (QEMU's -no-reboot habit) */
    EXIT_HALTED = 3,       /* the guest halted with nothing left to wake it */
    EXIT_LIMIT = 4,        /* --max-insns reached */
};

static void usage(FILE *f)
{
    fprintf(f,
            "usage: jitpc [options]\n"
            "  -bios FILE        ROM image for the test machine (4 KiB multiples, at most 128 KiB);\n"
            "                    default: the built-in demo ROM\n"
            "  -m MB             RAM size in MiB (default 16)\n"
            "  --max-insns N     stop after N instructions (exit status 4)\n"
            "  --cpu MODEL       CPU model: 486, pentium, pentiumpro (default)\n"
            "  --stats           print instruction and TLB counters on exit (stderr)\n"
            "  -no-reboot        exit with status 2 on a triple fault instead of resetting\n"
            "  -h, --help        this text\n"
            "The guest ends the run by writing its exit status to port 0xF4; bytes written to\n"
            "port 0xE9 are printed. Exit status: the guest's, or 1 bad usage, 2 triple fault (-no-reboot),\n"
            "3 guest halted, 4 instruction limit.\n");
}

static int fail(const char *fmt, const char *arg, const char *detail)
{
    fputs("jitpc: ", stderr);
    fprintf(stderr, fmt, arg, detail);
    fputc('\n', stderr);
    return EXIT_USAGE;
}

/* Reads the whole ROM file; returns NULL with a one-line error printed. */
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

int main(int argc, char **argv)
{
    const char *rom_path = JITPC_DEFAULT_ROM;
    uint64_t ram_mb = 16, max_insns = 0;
    bool no_reboot = false, stats = false;
    const struct cpu_model *model = cpu_model_default();

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool has_arg = i + 1 < argc;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "-bios") || !strcmp(a, "--bios")) {
            if (!has_arg)
                return fail("%s needs a file name%s", a, "");
            rom_path = argv[++i];
        } else if (!strcmp(a, "-m")) {
            if (!has_arg || !parse_u64(argv[i + 1], &ram_mb) || ram_mb < 1 || ram_mb > 3072)
                return fail("-m %s: expected a RAM size between 1 and 3072 MiB%s", has_arg ? argv[i + 1] : "", "");
            i++;
        } else if (!strcmp(a, "--stats")) {
            stats = true;
        } else if (!strcmp(a, "--cpu") || !strcmp(a, "-cpu")) {
            if (!has_arg || !(model = cpu_model_find(argv[i + 1]))) {
                char names[128];
                cpu_model_list(names, sizeof(names));
                fprintf(stderr, "jitpc: --cpu %s: unknown model (known: %s)\n", has_arg ? argv[i + 1] : "", names);
                return EXIT_USAGE;
            }
            i++;
        } else if (!strcmp(a, "-no-reboot") || !strcmp(a, "--no-reboot")) {
            no_reboot = true;
        } else if (!strcmp(a, "--max-insns")) {
            if (!has_arg || !parse_u64(argv[i + 1], &max_insns))
                return fail("--max-insns %s: expected a number%s", has_arg ? argv[i + 1] : "", "");
            i++;
        } else {
            return fail("unknown option '%s'%s (try --help)", a, "");
        }
    }

    size_t rom_size;
    uint8_t *rom = read_rom(rom_path, &rom_size);
    if (!rom)
        return EXIT_USAGE;

    static struct machine m;
    static struct debugport dbg;
    if (!machine_init_test(&m, (uint32_t)(ram_mb << 20), rom, (uint32_t)rom_size)) {
        free(rom);
        return fail("cannot allocate guest RAM (%s%s)", "-m", "");
    }
    free(rom);
    m.no_reboot = no_reboot;
    cpu_set_model(&m.cpu, model);
    debugport_init(&dbg, &m.io, TEST_DEBUG_PORT, stdout);

    enum machine_result r = machine_run(&m, max_insns);
    fflush(stdout);
    int status;
    switch (r) {
    case MACHINE_EXIT:
        status = m.exit_code;
        break;
    case MACHINE_SHUTDOWN:
        fprintf(stderr, "jitpc: triple fault at %04x:%08x after %llu instructions\n", m.cpu.seg[SEG_CS].sel,
                m.cpu.eip, (unsigned long long)m.cpu.icount);
        status = EXIT_SHUTDOWN;
        break;
    case MACHINE_HALTED:
        fprintf(stderr, "jitpc: guest halted at %04x:%08x with nothing to wake it\n", m.cpu.seg[SEG_CS].sel,
                m.cpu.eip);
        status = EXIT_HALTED;
        break;
    default:
        fprintf(stderr, "jitpc: stopped after %llu instructions (--max-insns)\n", (unsigned long long)m.cpu.icount);
        status = EXIT_LIMIT;
        break;
    }
    if (stats) {
        const struct tlb_stats *t = &m.cpu.tlb_stats;
        fprintf(stderr, "jitpc: stats: instructions %llu, tlb misses %llu, page walks %llu, page faults %llu, "
                        "tlb flushes %llu, page flushes %llu, unmapped memory accesses %llu, unmapped port accesses %llu, "
                        "decode cache hits %llu, misses %llu, code-page writes %llu\n",
                (unsigned long long)m.cpu.icount, (unsigned long long)t->misses, (unsigned long long)t->walks,
                (unsigned long long)t->page_faults, (unsigned long long)t->flushes,
                (unsigned long long)t->page_flushes, (unsigned long long)m.mem.unmapped_accesses,
                (unsigned long long)m.io.unmapped_accesses, (unsigned long long)m.cpu.dcache_hits,
                (unsigned long long)m.cpu.dcache_misses, (unsigned long long)m.mem.code_page_writes);
    }
    machine_free(&m);
    return status;
}
