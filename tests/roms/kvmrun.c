/* kvmrun: runs a test ROM on the host CPU through KVM, with the same test machine as
 * `jitpc -bios` (tests/roms/README.md): 16 MiB of RAM at 0, the ROM ending at 0xFFFFF and at
 * 0xFFFFFFFF, port 0xE9 prints, port 0xF4 exits, HLT with IF=0 exits 3.
 *
 * This is the oracle for the test ROMs: their expected values are derived from the SDM by hand,
 * and a ROM that fails here has a wrong expectation, not the emulator a bug (v86's tests take
 * their expected results from the real CPU the same way). Exits 77 (meson's "skipped") when KVM
 * is not available. */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define RAM_SIZE (16u * 1024 * 1024)
#define ROM_MIN 4096u
#define ROM_MAX (128u * 1024)
#define EXIT_SKIP 77
#define MAX_SECONDS 20

static const char *prog = "kvmrun";

static int die(const char *what)
{
    fprintf(stderr, "%s: %s: %s\n", prog, what, strerror(errno));
    return 1;
}

static int set_slot(int vm, uint32_t slot, uint64_t gpa, uint64_t size, void *host, uint32_t flags)
{
    struct kvm_userspace_memory_region r = {
        .slot = slot, .flags = flags, .guest_phys_addr = gpa, .memory_size = size,
        .userspace_addr = (uint64_t)(uintptr_t)host,
    };
    return ioctl(vm, KVM_SET_USER_MEMORY_REGION, &r);
}

/* Static buffers: the process exits from many places, and LeakSanitizer (the suite runs under
 * -Db_sanitize=address,undefined) would report heap buffers still held at exit. */
static uint8_t rom_buf[ROM_MAX] __attribute__((aligned(4096)));
static uint8_t ram_buf[RAM_SIZE] __attribute__((aligned(4096)));

static uint8_t *read_rom(const char *path, uint32_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
        return NULL;
    }
    uint8_t *buf = rom_buf;
    size_t n = fread(buf, 1, ROM_MAX, f);
    int extra = fgetc(f);
    fclose(f);
    if (extra != EOF || n < ROM_MIN || n % 4096) {
        fprintf(stderr, "%s: %s: size is not a multiple of 4 KiB between 4 and 128 KiB\n", prog, path);
        return NULL;
    }
    *size = (uint32_t)n;
    return buf;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s ROM.bin\n", prog);
        return 1;
    }
    uint32_t rom_size;
    uint8_t *rom = read_rom(argv[1], &rom_size);
    if (!rom)
        return 1;

    int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (kvm < 0) {
        fprintf(stderr, "%s: /dev/kvm: %s (skipped)\n", prog, strerror(errno));
        return EXIT_SKIP;
    }
    if (ioctl(kvm, KVM_GET_API_VERSION, 0) != KVM_API_VERSION) {
        fprintf(stderr, "%s: unexpected KVM API version (skipped)\n", prog);
        return EXIT_SKIP;
    }
    int vm = ioctl(kvm, KVM_CREATE_VM, 0);
    if (vm < 0) {
        fprintf(stderr, "%s: KVM_CREATE_VM: %s (skipped)\n", prog, strerror(errno));
        return EXIT_SKIP;
    }
    /* Intel needs a TSS and identity map page for real mode; put them below the high ROM. */
    if (ioctl(vm, KVM_SET_TSS_ADDR, 0xFFFBD000ul) < 0)
        return die("KVM_SET_TSS_ADDR");
    uint64_t idmap = 0xFFFBC000u;
    if (ioctl(vm, KVM_SET_IDENTITY_MAP_ADDR, &idmap) < 0)
        return die("KVM_SET_IDENTITY_MAP_ADDR");

    uint8_t *ram = ram_buf;
    /* The low ROM copy hides the RAM below 1 MiB that it overlaps: slots may not overlap. */
    uint32_t low_rom = 0x100000u - rom_size;
    if (set_slot(vm, 0, 0, low_rom, ram, 0) < 0 ||
        set_slot(vm, 1, low_rom, rom_size, rom, KVM_MEM_READONLY) < 0 ||
        set_slot(vm, 2, 0x100000u, RAM_SIZE - 0x100000u, ram + 0x100000u, 0) < 0 ||
        set_slot(vm, 3, 0x100000000ull - rom_size, rom_size, rom, KVM_MEM_READONLY) < 0)
        return die("KVM_SET_USER_MEMORY_REGION");

    int vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
    if (vcpu < 0)
        return die("KVM_CREATE_VCPU");
    /* CPUID: what the host's KVM supports (without it the guest's CPUID reports nothing) */
    size_t cpuid_size = sizeof(struct kvm_cpuid2) + 256 * sizeof(struct kvm_cpuid_entry2);
    struct kvm_cpuid2 *cpuid = calloc(1, cpuid_size);
    if (!cpuid)
        return die("CPUID table");
    cpuid->nent = 256;
    if (ioctl(kvm, KVM_GET_SUPPORTED_CPUID, cpuid) < 0 || ioctl(vcpu, KVM_SET_CPUID2, cpuid) < 0)
        return die("KVM_SET_CPUID2");
    free(cpuid);
    int run_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (run_size < 0)
        return die("KVM_GET_VCPU_MMAP_SIZE");
    struct kvm_run *run = mmap(NULL, (size_t)run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
    if (run == MAP_FAILED)
        return die("mmap vcpu");

    /* A fresh vCPU is in the power-on state (SDM Vol.3 9.1.1): CS=F000 base FFFF0000, IP FFF0. */
    alarm(MAX_SECONDS);
    for (;;) {
        if (ioctl(vcpu, KVM_RUN, 0) < 0) {
            if (errno == EINTR)
                continue;
            return die("KVM_RUN");
        }
        switch (run->exit_reason) {
        case KVM_EXIT_IO: {
            uint8_t *data = (uint8_t *)run + run->io.data_offset;
            if (run->io.direction == KVM_EXIT_IO_OUT) {
                for (uint32_t i = 0; i < run->io.count; i++) {
                    uint8_t *b = data + i * run->io.size;
                    if (run->io.port == 0xE9) {
                        fputc(b[0], stdout);
                    } else if (run->io.port == 0xF4) {
                        fflush(stdout);
                        return b[0];
                    }
                }
                fflush(stdout);
            } else {
                memset(data, 0xFF, (size_t)run->io.size * run->io.count);
            }
            break;
        }
        case KVM_EXIT_MMIO:
            /* Writes to the ROM are dropped; reads of unmapped space see all ones. */
            if (!run->mmio.is_write)
                memset(run->mmio.data, 0xFF, sizeof run->mmio.data);
            break;
        case KVM_EXIT_HLT: {
            struct kvm_regs regs;
            if (ioctl(vcpu, KVM_GET_REGS, &regs) < 0)
                return die("KVM_GET_REGS");
            if (!(regs.rflags & 0x200)) {
                fflush(stdout);
                fprintf(stderr, "%s: HLT with interrupts disabled at EIP %08llx\n", prog,
                        (unsigned long long)regs.rip);
                return 3;
            }
            break;
        }
        case KVM_EXIT_INTERNAL_ERROR: {
            /* e.g. KVM's instruction emulator (used where the host cannot run real mode
             * directly) does not know the instruction */
            struct kvm_sregs sregs;
            struct kvm_regs regs;
            fflush(stdout);
            if (ioctl(vcpu, KVM_GET_SREGS, &sregs) < 0 || ioctl(vcpu, KVM_GET_REGS, &regs) < 0)
                return die("KVM_GET_REGS");
            uint64_t lin = sregs.cs.base + regs.rip;
            fprintf(stderr, "%s: KVM internal error %u at %04x:%04llx, bytes", prog,
                    run->internal.suberror, sregs.cs.selector, (unsigned long long)regs.rip);
            for (int i = 0; i < 4; i++) {
                uint64_t a = lin + (uint64_t)i;
                uint8_t b = a >= low_rom && a < 0x100000 ? rom[a - low_rom]
                          : a < RAM_SIZE ? ram[a] : 0xFF;
                fprintf(stderr, " %02x", b);
            }
            if (run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION) {
                fprintf(stderr, ": KVM's emulator does not know it (skipped)\n");
                return EXIT_SKIP;
            }
            fprintf(stderr, "\n");
            return 5;
        }
        case KVM_EXIT_SHUTDOWN:
            fflush(stdout);
            fprintf(stderr, "%s: triple fault\n", prog);
            return 4;
        default:
            fflush(stdout);
            fprintf(stderr, "%s: unhandled KVM exit %u\n", prog, run->exit_reason);
            return 5;
        }
    }
}
