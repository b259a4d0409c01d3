/* GDB remote serial protocol server (issue 7): QEMU's -s, -S and -gdb tcp:HOST:PORT. It listens
 * on 127.0.0.1 only, runs the machine in slices and polls the socket between them, and serves
 * gdb's packets while the machine is stopped. */
#ifndef JITPC_GDBSTUB_H
#define JITPC_GDBSTUB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/machine.h"

struct gdbstub;

/* Opens the listening socket. spec is QEMU's "tcp::PORT" or "tcp:HOST:PORT" (HOST 127.0.0.1
 * or localhost; PORT 0 picks a free port, which is printed on stderr). wait: -S, the machine
 * stays stopped until gdb connects and resumes it. On failure writes a one-line reason to why
 * and returns NULL. */
struct gdbstub *gdbstub_open(const char *spec, bool wait, char *why, size_t whylen);

/* The port the stub listens on (useful with port 0). */
uint16_t gdbstub_port(const struct gdbstub *g);

/* Hook for "monitor CMD" in gdb (qRcmd): returns the text to show, or NULL for an error. Without
 * a hook the request is answered as unsupported. */
void gdbstub_set_monitor(struct gdbstub *g, const char *(*monitor_cmd)(void *opaque, const char *cmd),
                         void *opaque);

/* Runs the machine under the stub, like machine_run (max_insns 0 = no limit). Returns when the
 * guest ends the run (exit port, triple fault with -no-reboot, the limit, HLT with nothing to
 * wake it while no debugger is attached) or gdb kills it ('k': MACHINE_EXIT with status 0). */
enum machine_result gdbstub_run(struct gdbstub *g, struct machine *m, uint64_t max_insns);

void gdbstub_close(struct gdbstub *g);

#endif
