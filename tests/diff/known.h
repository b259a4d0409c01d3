/* Documented Unicorn bugs: differences the host CPU decided in jitpc's favour
 * (tests/diff/README.md, "Where Unicorn is wrong"). Each is still checked: either Unicorn runs a
 * substitute it executes correctly (same meaning, same length), or the difference must be
 * exactly the modelled Unicorn error, everything else equal. */
#ifndef JITPC_DIFF_KNOWN_H
#define JITPC_DIFF_KNOWN_H

#include <stdbool.h>

#include "diff.h"

enum known_id { KNOWN_TEST_ALIAS, KNOWN_LOCK_NEG, KNOWN_ENTER16, KNOWN_ARPL_WRITE, KNOWN_COUNT };

struct known_case {
    const char *name;
    const char *what;
};

extern const struct known_case known_cases[KNOWN_COUNT];

/* The documented Unicorn bug this instruction (code, len) may hit, or -1. */
int known_match(const uint8_t *code, unsigned len);

/* An encoding of the same operation that Unicorn executes correctly, of the same length, into
 * out; false when the case has none (then known_explains decides). */
bool known_substitute(int id, const uint8_t *code, unsigned len, uint8_t *out);

/* Whether the difference between jitpc's result j and Unicorn's u, from pre, is exactly the
 * documented error (memory is compared by the caller). */
bool known_explains(int id, const struct state *pre, const struct state *j, const struct state *u);

#endif
