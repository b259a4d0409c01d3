/* Conformance-vector runner: per-instruction tests captured from a real 8086 and a real 80286
 * (SingleStepTests; ../shared/testdata/singlestep-{8086,80286}/SOURCE.md), run on the interpreter.
 * How to run it and how exclusions work: tests/vectors/README.md. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <json-c/json.h>
#include <zlib.h>

#include "core/cpu.h"
#include "core/decode.h"
#include "core/ioport.h"
#include "core/mem.h"

#define EXIT_SKIP 77    /* meson: test skipped */
#define EXIT_ERROR 99   /* meson: the test itself is broken (bad data, bad exclusions file) */

/* ---------------------------------------------------------------------------------------------
 * The two vector sets */

enum set_id { SET_8086, SET_80286 };

struct set_cfg {
    const char *name;
    uint32_t ram_size;
    bool a20;          /* false: addresses wrap at 1 MiB like the 8086's 20-bit bus */
    bool run_to_hlt;   /* 80286: run until the HLT after the instruction; 8086: exactly one */
};

static const struct set_cfg sets[] = {
    [SET_8086] = {"8086", 1u << 20, false, false},
    [SET_80286] = {"80286", 16u << 20, true, true},
};

/* FLAGS bits 12-15 (IOPL, NT, reserved): read as 1s on the 8086, 0s on the 286 in real mode; a
 * 386+ in real mode keeps what POPF/IRET last loaded into IOPL/NT and bit 15 reads 0
 * (SDM Vol.3 ch.22 "Architecture Compatibility", "Flags Pushed on the Stack"; i386 PRM 14.7
 * item 12). We start every vector with them clear, so a 386 shows 0s unless POPF/IRET loads
 * them; the comparison leaves them out exactly where the generations disagree. */
#define FLAGS_MODEL_BITS 0xF000u

/* ---------------------------------------------------------------------------------------------
 * Registers as the vectors name them */

enum vreg { V_AX, V_BX, V_CX, V_DX, V_CS, V_SS, V_DS, V_ES, V_SP, V_BP, V_SI, V_DI, V_IP, V_FLAGS, NVREG };

static const char *const vreg_name[NVREG] = {"ax", "bx", "cx", "dx", "cs", "ss", "ds", "es",
                                             "sp", "bp", "si", "di", "ip", "flags"};

/* cpu->regs index for the general registers, -1 otherwise */
static const int vreg_gpr[NVREG] = {R_EAX, R_EBX, R_ECX, R_EDX, -1, -1, -1, -1,
                                    R_ESP, R_EBP, R_ESI, R_EDI, -1, -1};
static const int vreg_seg[NVREG] = {-1, -1, -1, -1, SEG_CS, SEG_SS, SEG_DS, SEG_ES,
                                    -1, -1, -1, -1, -1, -1};

/* ---------------------------------------------------------------------------------------------
 * Small helpers */

static bool verbose;

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("vectors: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(EXIT_ERROR);
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        die("out of memory");
    return p;
}

static char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(xmalloc(n), s, n);
}

static double now_sec(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static json_object *jget(json_object *o, const char *key)
{
    json_object *v = NULL;
    if (!o || !json_object_object_get_ex(o, key, &v))
        return NULL;
    return v;
}

/* ---------------------------------------------------------------------------------------------
 * Loading: zlib to a buffer, json-c over the buffer */

static char *read_gz(const char *path, size_t *len)
{
    gzFile f = gzopen(path, "rb");
    if (!f)
        return NULL;
    gzbuffer(f, 1u << 18);
    size_t cap = 1u << 22, n = 0;
    char *buf = xmalloc(cap);
    for (;;) {
        if (cap - n < (1u << 20)) {
            cap *= 2;
            char *nb = realloc(buf, cap);
            if (!nb)
                die("out of memory reading %s", path);
            buf = nb;
        }
        size_t want = cap - n - 1 < (1u << 30) ? cap - n - 1 : (1u << 30);
        int got = gzread(f, buf + n, (unsigned)want);
        if (got < 0) {
            int err;
            const char *msg = gzerror(f, &err);
            die("%s: %s", path, msg);
        }
        if (got == 0)
            break;
        n += (size_t)got;
    }
    gzclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
}

static json_object *parse_json(const char *path, const char *buf, size_t len)
{
    json_tokener *tok = json_tokener_new_ex(64);
    if (!tok)
        die("out of memory");
    json_object *root = json_tokener_parse_ex(tok, buf, (int)len);
    enum json_tokener_error err = json_tokener_get_error(tok);
    if (!root || err != json_tokener_success)
        die("%s: JSON error at offset %zu: %s", path, json_tokener_get_parse_end(tok),
            json_tokener_error_desc(err));
    json_tokener_free(tok);
    return root;
}

static json_object *load_json_file(const char *path, bool gz)
{
    size_t len;
    char *buf;
    if (gz) {
        buf = read_gz(path, &len);
    } else {
        FILE *f = fopen(path, "rb");
        if (!f)
            return NULL;
        fseek(f, 0, SEEK_END);
        long sz = ftell(f);
        fseek(f, 0, SEEK_SET);
        buf = xmalloc((size_t)sz + 1);
        len = fread(buf, 1, (size_t)sz, f);
        buf[len] = '\0';
        fclose(f);
    }
    if (!buf)
        return NULL;
    json_object *root = parse_json(path, buf, len);
    free(buf);
    return root;
}

/* ---------------------------------------------------------------------------------------------
 * One vector, pulled out of its JSON object */

#define MAX_BYTES 32

struct vec {
    int idx;                  /* idx (80286) or test_num (8086) */
    const char *name, *hash;
    uint8_t bytes[MAX_BYTES];
    int nbytes;
    int insn_len;             /* instruction bytes, without the 80286 set's trailing HLT */
    uint16_t init[NVREG], fin[NVREG];
    json_object *init_ram, *final_ram;
    bool has_exc;             /* 80286: the exception object */
    int exc_num;
    uint32_t flag_addr;
    /* derived */
    int npfx;                 /* prefix bytes before the opcode */
    bool lock, rep;
    uint8_t op, modrm;
};

static bool is_prefix(uint8_t b)
{
    /* The prefixes of the 8086/80286 (no FS/GS/66/67: those opcodes are other things there). */
    return b == 0x26 || b == 0x2E || b == 0x36 || b == 0x3E || b == 0xF0 || b == 0xF2 || b == 0xF3;
}

static bool load_regs(json_object *regs, uint16_t *out, bool required)
{
    for (int r = 0; r < NVREG; r++) {
        json_object *v = jget(regs, vreg_name[r]);
        if (v)
            out[r] = (uint16_t)json_object_get_int(v);
        else if (required)
            return false;
    }
    return true;
}

static void parse_vec(const char *file, json_object *t, struct vec *v, enum set_id set)
{
    memset(v, 0, sizeof(*v));
    json_object *o;
    if ((o = jget(t, "idx")) || (o = jget(t, "test_num")))
        v->idx = json_object_get_int(o);
    else
        v->idx = -1;
    v->name = (o = jget(t, "name")) ? json_object_get_string(o) : "?";
    v->hash = ((o = jget(t, "hash")) || (o = jget(t, "test_hash"))) ? json_object_get_string(o) : "";
    json_object *bytes = jget(t, "bytes");
    v->nbytes = bytes ? (int)json_object_array_length(bytes) : 0;
    if (v->nbytes > MAX_BYTES)
        v->nbytes = MAX_BYTES;
    for (int i = 0; i < v->nbytes; i++)
        v->bytes[i] = (uint8_t)json_object_get_int(json_object_array_get_idx(bytes, (size_t)i));
    json_object *ini = jget(t, "initial"), *fin = jget(t, "final");
    if (!ini || !fin || !load_regs(jget(ini, "regs"), v->init, true))
        die("%s: test %d: missing initial/final state", file, v->idx);
    memcpy(v->fin, v->init, sizeof(v->fin));
    load_regs(jget(fin, "regs"), v->fin, false);
    v->init_ram = jget(ini, "ram");
    v->final_ram = jget(fin, "ram");
    if ((o = jget(t, "exception"))) {
        v->has_exc = true;
        v->exc_num = json_object_get_int(jget(o, "number"));
        v->flag_addr = (uint32_t)json_object_get_int64(jget(o, "flag_address"));
    }
    while (v->npfx < v->nbytes && is_prefix(v->bytes[v->npfx])) {
        if (v->bytes[v->npfx] == 0xF0)
            v->lock = true;
        if (v->bytes[v->npfx] == 0xF2 || v->bytes[v->npfx] == 0xF3)
            v->rep = true;
        v->npfx++;
    }
    /* The 80286 vectors' bytes end with the HLT that stops the run. */
    v->insn_len = v->nbytes;
    if (set == SET_80286 && v->nbytes > 0 && v->bytes[v->nbytes - 1] == 0xF4)
        v->insn_len--;
    v->op = v->npfx < v->nbytes ? v->bytes[v->npfx] : 0;
    v->modrm = v->npfx + 1 < v->nbytes ? v->bytes[v->npfx + 1] : 0;
}

static uint32_t phys(uint16_t seg, uint32_t off, const struct set_cfg *cfg)
{
    uint32_t a = ((uint32_t)seg << 4) + (off & 0xFFFF);
    return cfg->a20 ? a : a & 0xFFFFF;
}

/* The interrupt or exception the reference CPU took, or -1. The 80286 vectors say so; for the
 * 8086 ones (which only take INT n/INT3/INTO and divide errors), a vector was taken when the
 * final CS:IP is an IVT entry given in the initial RAM and three words were pushed. */
static int ram_byte(json_object *ram, uint32_t addr, int *out)
{
    size_t n = ram ? json_object_array_length(ram) : 0;
    for (size_t i = 0; i < n; i++) {
        json_object *e = json_object_array_get_idx(ram, i);
        if ((uint32_t)json_object_get_int64(json_object_array_get_idx(e, 0)) == addr) {
            *out = json_object_get_int(json_object_array_get_idx(e, 1));
            return 1;
        }
    }
    return 0;
}

static int ref_interrupt(const struct vec *v, enum set_id set)
{
    if (set == SET_80286)
        return v->has_exc ? v->exc_num : -1;
    if ((uint16_t)(v->init[V_SP] - 6) != v->fin[V_SP])
        return -1;
    size_t n = v->init_ram ? json_object_array_length(v->init_ram) : 0;
    for (size_t i = 0; i < n; i++) {
        json_object *e = json_object_array_get_idx(v->init_ram, i);
        uint32_t a = (uint32_t)json_object_get_int64(json_object_array_get_idx(e, 0));
        if (a >= 0x400 || (a & 3))
            continue;
        int b[4] = {0};
        bool all = true;
        for (int k = 0; k < 4; k++)
            all = all && ram_byte(v->init_ram, a + (uint32_t)k, &b[k]);
        if (all && (uint16_t)(b[0] | b[1] << 8) == v->fin[V_IP] &&
            (uint16_t)(b[2] | b[3] << 8) == v->fin[V_CS])
            return (int)(a / 4);
    }
    return -1;
}

/* LOCK on anything but a memory-destination ADD ADC AND OR SBB SUB XOR XCHG INC DEC NOT NEG
 * raises #UD on a 386+ (SDM Vol.2 LOCK; i386 PRM 14.7 item 9, 14.8.1); the 8086/286 don't care. */
static bool lock_ud(const struct vec *v)
{
    if (!v->lock)
        return false;
    uint8_t op = v->op, mod = v->modrm >> 6, reg = (v->modrm >> 3) & 7;
    if (mod == 3)
        return true;
    if (op < 0x40 && (op & 7) <= 1 && (op >> 3) != 7)    /* ALU r/m, reg (not CMP) */
        return false;
    if (op == 0x86 || op == 0x87)
        return false;
    if (op >= 0x80 && op <= 0x83 && reg != 7)
        return false;
    if ((op == 0xF6 || op == 0xF7) && (reg == 2 || reg == 3))
        return false;
    if ((op == 0xFE || op == 0xFF) && reg <= 1)
        return false;
    return true;
}

/* The count of a shift or rotate as a 386 uses it, masked to 5 bits (SDM Vol.2 SAL/SAR/SHL/SHR,
 * RCL/RCR/ROL/ROR), or -1 for other instructions. */
static int shift_count(const struct vec *v)
{
    switch (v->op) {
    case 0xC0: case 0xC1: return v->insn_len > v->npfx + 2 ? v->bytes[v->insn_len - 1] & 31 : -1;
    case 0xD0: case 0xD1: return 1;
    case 0xD2: case 0xD3: return v->init[V_CX] & 31;
    default: return -1;
    }
}

/* ---------------------------------------------------------------------------------------------
 * Exclusions: "<set> <file-glob> [condition ...] -- reason and manual reference" */

enum cond_kind {
    C_IDX, C_HASH, C_LOCK, C_LOCK_UD, C_REP, C_INT, C_IP_WRAP, C_LEN, C_REG, C_MOD,
    C_RM, C_COUNT, C_VREG, C_VREG8,
};

enum cmp { CMP_EQ, CMP_NE, CMP_GE, CMP_LE, CMP_GT, CMP_LT, CMP_ANY };  /* ANY: a & b != 0 */

struct cond {
    enum cond_kind kind;
    enum cmp cmp;
    long val;
    int reg;       /* vreg, or for 8-bit: vreg * 2 + high */
    char *str;
};

#define MAX_CONDS 8

struct exclusion {
    int line;
    char *set;       /* "8086", "80286" or "*" */
    char *pattern;   /* fnmatch over the file stem: "D2.*" */
    struct cond conds[MAX_CONDS];
    int nconds;
    uint16_t undef;  /* undef=<flags>: not an exclusion, these flags are undefined on a 386+ */
    char *reason;
    long matched, passing;   /* tests it applied to; of those, how many pass anyway */
};

static struct exclusion *excl;
static int nexcl;

static bool cmp_ok(long a, enum cmp c, long b)
{
    switch (c) {
    case CMP_EQ: return a == b;
    case CMP_NE: return a != b;
    case CMP_GE: return a >= b;
    case CMP_LE: return a <= b;
    case CMP_GT: return a > b;
    case CMP_LT: return a < b;
    case CMP_ANY: return (a & b) != 0;
    }
    return false;
}

static const char *const r8_name[8] = {"al", "ah", "bl", "bh", "cl", "ch", "dl", "dh"};
static const int r8_vreg[8] = {V_AX, V_AX, V_BX, V_BX, V_CX, V_CX, V_DX, V_DX};

static void parse_cond(const char *path, int line, const char *tok, struct cond *c)
{
    static const struct { const char *name; enum cond_kind kind; } flags[] = {
        {"lock", C_LOCK}, {"lock-ud", C_LOCK_UD}, {"rep", C_REP}, {"interrupt", C_INT},
        {"ip-wrap", C_IP_WRAP},
    };
    memset(c, 0, sizeof(*c));
    for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
        if (!strcmp(tok, flags[i].name)) {
            c->kind = flags[i].kind;
            return;
        }
    size_t nl = strcspn(tok, "=!<>&");
    if (nl == 0 || !tok[nl])
        die("%s:%d: unknown condition '%s'", path, line, tok);
    char name[32];
    if (nl >= sizeof(name))
        die("%s:%d: bad condition '%s'", path, line, tok);
    memcpy(name, tok, nl);
    name[nl] = '\0';
    const char *p = tok + nl;
    if (!strncmp(p, "==", 2)) { c->cmp = CMP_EQ; p += 2; }
    else if (!strncmp(p, "!=", 2)) { c->cmp = CMP_NE; p += 2; }
    else if (!strncmp(p, ">=", 2)) { c->cmp = CMP_GE; p += 2; }
    else if (!strncmp(p, "<=", 2)) { c->cmp = CMP_LE; p += 2; }
    else if (*p == '=') { c->cmp = CMP_EQ; p++; }
    else if (*p == '>') { c->cmp = CMP_GT; p++; }
    else if (*p == '<') { c->cmp = CMP_LT; p++; }
    else if (*p == '&') { c->cmp = CMP_ANY; p++; }
    else die("%s:%d: bad operator in '%s'", path, line, tok);
    if (!strcmp(name, "hash")) {
        if (c->cmp != CMP_EQ || strlen(p) < 8)
            die("%s:%d: hash takes '=' and at least 8 hex digits", path, line);
        c->kind = C_HASH;
        c->str = xstrdup(p);
        return;
    }
    char *end;
    errno = 0;
    c->val = strtol(p, &end, 0);
    if (errno || *end || end == p)
        die("%s:%d: bad number in '%s'", path, line, tok);
    if (!strcmp(name, "idx")) { c->kind = C_IDX; return; }
    if (!strcmp(name, "interrupt")) { c->kind = C_INT; c->reg = 1; return; }
    if (!strcmp(name, "count")) { c->kind = C_COUNT; return; }
    if (!strcmp(name, "len")) { c->kind = C_LEN; return; }
    if (!strcmp(name, "reg")) { c->kind = C_REG; return; }
    if (!strcmp(name, "mod")) { c->kind = C_MOD; return; }
    if (!strcmp(name, "rm")) { c->kind = C_RM; return; }
    for (int r = 0; r < NVREG; r++)
        if (!strcmp(name, vreg_name[r])) {
            c->kind = C_VREG;
            c->reg = r;
            return;
        }
    for (int r = 0; r < 8; r++)
        if (!strcmp(name, r8_name[r])) {
            c->kind = C_VREG8;
            c->reg = r;
            return;
        }
    die("%s:%d: unknown condition '%s'", path, line, name);
}

/* "o,a" or "oa": letters of odiszapc, as metadata.json spells undefined flags */
static uint16_t parse_flag_letters(const char *path, int line, const char *s)
{
    static const struct { char c; uint16_t bit; } fl[] = {
        {'o', 0x800}, {'d', 0x400}, {'i', 0x200}, {'t', 0x100}, {'s', 0x80}, {'z', 0x40},
        {'a', 0x10}, {'p', 0x4}, {'c', 0x1},
    };
    uint16_t bits = 0;
    for (; *s; s++) {
        if (*s == ',')
            continue;
        size_t i = 0;
        while (i < sizeof(fl) / sizeof(fl[0]) && fl[i].c != tolower((unsigned char)*s))
            i++;
        if (i == sizeof(fl) / sizeof(fl[0]))
            die("%s:%d: '%c' is not a flag (odiszapc)", path, line, *s);
        bits |= fl[i].bit;
    }
    return bits;
}

static void load_exclusions(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        die("%s: %s", path, strerror(errno));
    char buf[1024];
    int line = 0;
    while (fgets(buf, sizeof(buf), f)) {
        line++;
        buf[strcspn(buf, "\r\n")] = '\0';
        char *s = buf;
        while (isspace((unsigned char)*s))
            s++;
        if (!*s || *s == '#')
            continue;
        char *sep = strstr(s, " -- ");
        if (!sep)
            die("%s:%d: no ' -- reason' (every exclusion says why, with the manual reference)", path, line);
        *sep = '\0';
        char *reason = sep + 4;
        while (isspace((unsigned char)*reason))
            reason++;
        if (!*reason)
            die("%s:%d: empty reason", path, line);
        struct exclusion e = {.line = line, .reason = xstrdup(reason)};
        char *save = NULL;
        char *tok = strtok_r(s, " \t", &save);
        if (!tok || (strcmp(tok, "8086") && strcmp(tok, "80286") && strcmp(tok, "*")))
            die("%s:%d: the first field is the set: 8086, 80286 or *", path, line);
        e.set = xstrdup(tok);
        if (!(tok = strtok_r(NULL, " \t", &save)))
            die("%s:%d: missing file pattern", path, line);
        e.pattern = xstrdup(tok);
        while ((tok = strtok_r(NULL, " \t", &save))) {
            if (!strncmp(tok, "undef=", 6)) {
                e.undef = parse_flag_letters(path, line, tok + 6);
                continue;
            }
            if (e.nconds == MAX_CONDS)
                die("%s:%d: too many conditions", path, line);
            parse_cond(path, line, tok, &e.conds[e.nconds++]);
        }
        excl = realloc(excl, sizeof(*excl) * (size_t)(nexcl + 1));
        if (!excl)
            die("out of memory");
        excl[nexcl++] = e;
    }
    fclose(f);
}

static bool cond_holds(const struct cond *c, const struct vec *v, enum set_id set)
{
    switch (c->kind) {
    case C_IDX: return cmp_ok(v->idx, c->cmp, c->val);
    case C_HASH: return !strncmp(v->hash, c->str, strlen(c->str));
    case C_LOCK: return v->lock;
    case C_LOCK_UD: return lock_ud(v);
    case C_REP: return v->rep;
    case C_INT: {
        int n = ref_interrupt(v, set);
        return n >= 0 && (!c->reg || cmp_ok(n, c->cmp, c->val));
    }
    case C_IP_WRAP: return (uint32_t)v->init[V_IP] + (uint32_t)v->nbytes > 0x10000;
    case C_LEN: return cmp_ok(v->insn_len, c->cmp, c->val);
    case C_REG: return cmp_ok((v->modrm >> 3) & 7, c->cmp, c->val);
    case C_MOD: return cmp_ok(v->modrm >> 6, c->cmp, c->val);
    case C_RM: return cmp_ok(v->modrm & 7, c->cmp, c->val);
    case C_COUNT: return shift_count(v) >= 0 && cmp_ok(shift_count(v), c->cmp, c->val);
    case C_VREG: return cmp_ok(v->init[c->reg], c->cmp, c->val);
    case C_VREG8: {
        uint16_t w = v->init[r8_vreg[c->reg]];
        return cmp_ok((c->reg & 1) ? w >> 8 : w & 0xFF, c->cmp, c->val);
    }
    }
    return false;
}

/* The exclusions that can apply to a file, so each test checks only those. */
static int file_exclusions(enum set_id set, const char *stem, struct exclusion **out)
{
    int n = 0;
    for (int i = 0; i < nexcl; i++) {
        if (strcmp(excl[i].set, "*") && strcmp(excl[i].set, sets[set].name))
            continue;
        if (fnmatch(excl[i].pattern, stem, 0) == 0)
            out[n++] = &excl[i];
    }
    return n;
}

static bool excl_matches(const struct exclusion *e, const struct vec *v, enum set_id set)
{
    for (int k = 0; k < e->nconds; k++)
        if (!cond_holds(&e->conds[k], v, set))
            return false;
    return true;
}

static struct exclusion *excluded_by(struct exclusion **list, int n, const struct vec *v, enum set_id set)
{
    for (int i = 0; i < n; i++)
        if (!list[i]->undef && excl_matches(list[i], v, set))
            return list[i];
    return NULL;
}

/* Flags that undef= lines declare undefined for this vector. */
static uint16_t undef_flags(struct exclusion **list, int n, const struct vec *v, enum set_id set)
{
    uint16_t bits = 0;
    for (int i = 0; i < n; i++)
        if (list[i]->undef && excl_matches(list[i], v, set)) {
            list[i]->matched++;
            bits |= list[i]->undef;
        }
    return bits;
}

/* ---------------------------------------------------------------------------------------------
 * metadata.json: undefined-flag masks */

static json_object *meta_opcodes;

/* file stem "D2.4" -> opcodes["D2"].reg["4"], stem "00" -> opcodes["00"] */
static json_object *meta_entry(const char *stem)
{
    char op[8];
    size_t n = strcspn(stem, ".");
    if (n >= sizeof(op))
        return NULL;
    memcpy(op, stem, n);
    op[n] = '\0';
    json_object *e = jget(meta_opcodes, op);
    if (e && stem[n] == '.')
        e = jget(jget(e, "reg"), stem + n + 1);
    return e;
}

static uint16_t meta_flags_mask(const char *stem)
{
    json_object *m = jget(meta_entry(stem), "flags-mask");
    return m ? (uint16_t)json_object_get_int(m) : 0xFFFF;
}

static const char *meta_status(const char *stem)
{
    json_object *s = jget(meta_entry(stem), "status");
    return s ? json_object_get_string(s) : "?";
}

/* ---------------------------------------------------------------------------------------------
 * Running one vector */

/* Every IVT entry the vector does not give points at its own HLT in TRAP_SEG, so an exception
 * the reference CPU did not take stops there and is reported by number instead of running
 * whatever RAM holds. Unlisted RAM is don't-care for the vectors (SOURCE.md). */
#define TRAP_SEG 0xF000u
#define TRAP_BASE (TRAP_SEG << 4)

struct machine_state {
    struct mem mem;
    struct iobus io;
    struct cpu cpu;
    uint8_t ivt_template[0x400];
};

static void fill_template(struct machine_state *m)
{
    for (unsigned n = 0; n < 256; n++) {
        m->ivt_template[n * 4 + 0] = (uint8_t)n;
        m->ivt_template[n * 4 + 1] = 0;
        m->ivt_template[n * 4 + 2] = (uint8_t)(TRAP_SEG & 0xFF);
        m->ivt_template[n * 4 + 3] = (uint8_t)(TRAP_SEG >> 8);
    }
}

/* What RAM holds between vectors: the trap IVT, the trap HLTs, zeros elsewhere. */
static uint8_t idle_byte(const struct machine_state *m, uint32_t addr)
{
    if (addr < sizeof(m->ivt_template))
        return m->ivt_template[addr];
    return addr - TRAP_BASE < 256 ? 0xF4 : 0;   /* HLT */
}

static void init_ram(struct machine_state *m)
{
    for (uint32_t a = 0; a < sizeof(m->ivt_template); a++)
        mem_write8(&m->mem, a, idle_byte(m, a));
    for (uint32_t a = TRAP_BASE; a < TRAP_BASE + 256; a++)
        mem_write8(&m->mem, a, idle_byte(m, a));
}

static void for_each_ram(json_object *ram, void (*fn)(struct machine_state *, uint32_t, uint8_t),
                         struct machine_state *m)
{
    size_t n = ram ? json_object_array_length(ram) : 0;
    for (size_t i = 0; i < n; i++) {
        json_object *e = json_object_array_get_idx(ram, i);
        fn(m, (uint32_t)json_object_get_int64(json_object_array_get_idx(e, 0)),
           (uint8_t)json_object_get_int(json_object_array_get_idx(e, 1)));
    }
}

static void ram_put(struct machine_state *m, uint32_t addr, uint8_t b)
{
    mem_write8(&m->mem, addr, b);
}

/* Undoes a vector's bytes (only the listed addresses: the vectors say nothing else matters). */
static void ram_restore(struct machine_state *m, uint32_t addr, uint8_t b)
{
    (void)b;
    mem_write8(&m->mem, addr, idle_byte(m, addr));
}

static bool is_string_op(uint8_t op)
{
    return (op >= 0xA4 && op <= 0xA7) || (op >= 0xAA && op <= 0xAF) || (op >= 0x6C && op <= 0x6F);
}

enum run_end { END_OK, END_NO_HLT, END_SHUTDOWN, END_STOPPED };

static enum run_end run_vec(struct machine_state *m, const struct vec *v, enum set_id set)
{
    struct cpu *cpu = &m->cpu;
    cpu_init(cpu, &m->mem, &m->io);
    for (int r = 0; r < NVREG; r++) {
        if (vreg_gpr[r] >= 0)
            cpu->regs[vreg_gpr[r]] = v->init[r];    /* upper 16 bits 0 */
        if (vreg_seg[r] >= 0)
            cpu_load_seg_real(cpu, vreg_seg[r], v->init[r]);
    }
    cpu_load_seg_real(cpu, SEG_FS, 0);
    cpu_load_seg_real(cpu, SEG_GS, 0);
    cpu->eip = v->init[V_IP];
    /* Bits 12-15 cleared: the 80286 vectors say so (IOPL/NT cannot be set in real mode there,
     * the value went to LOADALL); the 8086's read as 1s but mean nothing (FLAGS_MODEL_BITS). */
    cpu_set_eflags(cpu, (v->init[V_FLAGS] & ~FLAGS_MODEL_BITS) | 0x2);

    for_each_ram(v->init_ram, ram_put, m);
    /* The 80286 reports every real-mode segment overrun as interrupt 13; a 386 raises #SS (12)
     * when the operand is in the stack segment (i386 PRM 14.6 table 14-1, SDM Vol.3 ch.22
     * "Segment Wraparound"). Give vector 12 the handler the vector gives 13, so the rest of
     * the result is still compared. */
    int unused;
    if (set == SET_80286 && v->has_exc && v->exc_num == EXC_GP && !ram_byte(v->init_ram, 4 * EXC_SS, &unused))
        for (uint32_t i = 0; i < 4; i++)
            mem_write8(&m->mem, 4 * EXC_SS + i, mem_read8(&m->mem, 4 * EXC_GP + i));

    if (sets[set].run_to_hlt) {
        /* Until the HLT after the instruction (or the one in the exception handler) executes. */
        uint64_t total = 0;
        while (!cpu->halted && cpu->stop == CPU_RUNNING && total < 100000) {
            uint64_t n = cpu_run(cpu, 64);
            if (n == 0 && !cpu->halted)
                break;
            total += n;
        }
        if (cpu->stop == CPU_STOP_SHUTDOWN)
            return END_SHUTDOWN;
        if (cpu->stop != CPU_RUNNING && !cpu->halted)
            return END_STOPPED;
        return cpu->halted ? END_OK : END_NO_HLT;
    }
    /* One instruction. A REP string instruction is one instruction to the 8086 vectors (they
     * run it to the end); keep going in case the core retires one iteration per step. */
    cpu_run(cpu, 1);
    if (v->rep && is_string_op(v->op)) {
        for (int i = 0; i < 0x20000 && !cpu->halted && cpu->stop == CPU_RUNNING; i++) {
            if (cpu->eip != v->init[V_IP] || cpu->seg[SEG_CS].sel != v->init[V_CS])
                break;
            cpu_run(cpu, 1);
        }
    }
    if (cpu->stop == CPU_STOP_SHUTDOWN)
        return END_SHUTDOWN;
    return cpu->stop != CPU_RUNNING ? END_STOPPED : END_OK;
}

/* ---------------------------------------------------------------------------------------------
 * Comparing */

#define MAX_DIFFS 24

struct result {
    char diffs[MAX_DIFFS][128];
    int ndiffs;
};

static void add_diff(struct result *res, const char *fmt, ...)
{
    if (res->ndiffs >= MAX_DIFFS)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(res->diffs[res->ndiffs++], sizeof(res->diffs[0]), fmt, ap);
    va_end(ap);
}

static void flag_names(uint32_t bits, char *out, size_t n)
{
    static const char *const names[16] = {"CF", "b1", "PF", "b3", "AF", "b5", "ZF", "SF",
                                          "TF", "IF", "DF", "OF", "IOPL0", "IOPL1", "NT", "b15"};
    out[0] = '\0';
    for (int i = 0; i < 16; i++)
        if (bits & (1u << i)) {
            size_t l = strlen(out);
            snprintf(out + l, n - l, "%s%s", l ? " " : "", names[i]);
        }
}

struct ctx {
    enum set_id set;
    const char *stem;
    uint16_t flags_mask;      /* metadata: undefined flags cleared */
    struct machine_state *m;
    const struct vec *v;
    struct result *res;
    uint32_t pushed_flags;    /* physical address of a pushed FLAGS image to mask, or ~0 */
    uint16_t pushed_mask;
    uint32_t ovr_addr[2];     /* final RAM bytes whose expected value a 386 changes */
    uint8_t ovr_val[2];
    int novr;
};

static void check_ram(struct ctx *c)
{
    json_object *ram = c->v->final_ram;
    size_t n = ram ? json_object_array_length(ram) : 0;
    for (size_t i = 0; i < n; i++) {
        json_object *e = json_object_array_get_idx(ram, i);
        uint32_t a = (uint32_t)json_object_get_int64(json_object_array_get_idx(e, 0));
        uint8_t want = (uint8_t)json_object_get_int(json_object_array_get_idx(e, 1));
        uint8_t got = mem_read8(&c->m->mem, a);
        for (int k = 0; k < c->novr; k++)
            if (a == c->ovr_addr[k])
                want = c->ovr_val[k];
        uint8_t mask = 0xFF;
        if (c->pushed_flags != ~0u && a == c->pushed_flags)
            mask = (uint8_t)c->pushed_mask;
        else if (c->pushed_flags != ~0u && a == ((c->pushed_flags + 1) & (sets[c->set].a20 ? ~0u : 0xFFFFFu)))
            mask = (uint8_t)(c->pushed_mask >> 8);
        if ((want & mask) != (got & mask)) {
            if (mask != 0xFF)
                add_diff(c->res, "ram[%06" PRIX32 "]: expected %02X got %02X (FLAGS image, mask %02X)", a,
                         want, got, mask);
            else
                add_diff(c->res, "ram[%06" PRIX32 "]: expected %02X got %02X", a, want, got);
        }
    }
}

static bool check_vec(struct ctx *c, enum run_end end)
{
    const struct vec *v = c->v;
    struct cpu *cpu = &c->m->cpu;
    struct result *res = c->res;
    res->ndiffs = 0;

    int ref_int = ref_interrupt(v, c->set);
    /* Did our CPU land in the trap HLTs, i.e. take an exception through an IVT entry the
     * vector did not provide? */
    if (cpu->seg[SEG_CS].sel == TRAP_SEG && cpu->eip <= 0x100 && v->fin[V_CS] != TRAP_SEG) {
        int vec = (int)cpu->eip - (sets[c->set].run_to_hlt ? 1 : 0);
        const char *mn[] = {"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "?9",
                            "#TS", "#NP", "#SS", "#GP", "#PF", "?15", "#MF", "#AC"};
        add_diff(res, "took interrupt %d (%s) that the reference CPU did not", vec,
                 vec >= 0 && vec < 18 ? mn[vec] : "INT n");
    }
    switch (end) {
    case END_OK: break;
    case END_NO_HLT: add_diff(res, "did not reach the HLT after the instruction"); break;
    case END_SHUTDOWN: add_diff(res, "CPU shut down (triple fault)"); break;
    case END_STOPPED: add_diff(res, "CPU stopped (stop=%d)", cpu->stop); break;
    }

    for (int r = 0; r < NVREG; r++) {
        uint32_t got;
        uint32_t want = v->fin[r];
        if (vreg_gpr[r] >= 0) {
            got = cpu->regs[vreg_gpr[r]];
        } else if (vreg_seg[r] >= 0) {
            const struct seg *s = &cpu->seg[vreg_seg[r]];
            got = s->sel;
            if (s->base != (uint32_t)s->sel << 4)
                add_diff(res, "%s: base %08" PRIX32 " is not selector %04X << 4", vreg_name[r], s->base,
                         s->sel);
        } else if (r == V_IP) {
            got = cpu->eip;
            /* A HLT at CS:FFFF: the 286 wraps IP to 0, a 386 leaves EIP = 10000h (it never wraps
             * IP in real mode; fetching there would raise #GP: i386 PRM 14.7 item 8, SDM Vol.3
             * ch.22 "Segment Wraparound"). */
            if (c->set == SET_80286 && want == 0 && got == 0x10000)
                got = 0;
        } else {
            uint32_t fl = cpu_get_eflags(cpu);
            uint32_t mask = c->flags_mask;
            /* Bits 12-15 differ between generations where FLAGS is loaded from memory (POPF,
             * IRET) and everywhere on the 8086 (FLAGS_MODEL_BITS). */
            if (c->set == SET_8086 || v->op == 0x9D || v->op == 0xCF)
                mask &= ~FLAGS_MODEL_BITS;
            else
                want &= ~FLAGS_MODEL_BITS;
            if (fl >> 16)
                add_diff(res, "eflags: upper bits %04" PRIX32 " set", fl >> 16);
            if ((fl & mask) != (want & mask)) {
                char names[96];
                flag_names((fl ^ want) & mask, names, sizeof(names));
                add_diff(res, "flags: expected %04" PRIX32 " got %04" PRIX32 " (mask %04" PRIX32
                         ", differ: %s)", want, fl & 0xFFFF, mask, names);
            }
            continue;
        }
        if ((got & 0xFFFF) != want)
            add_diff(res, "%s: expected %04" PRIX32 " got %04" PRIX32, vreg_name[r], want, got & 0xFFFF);
        if (got >> 16)
            add_diff(res, "%s: upper 16 bits %04" PRIX32 " set", vreg_name[r], got >> 16);
    }

    /* Where the reference pushed a FLAGS image, mask it like the register: an interrupt
     * pushes it at the final SS:SP+4, PUSHF at SS:SP. (The 80286 vectors' flag_address is that
     * address rounded down to even -- a bus address -- so we compute it.) */
    c->pushed_flags = ~0u;
    c->pushed_mask = c->flags_mask;
    if (c->set == SET_8086)
        c->pushed_mask &= ~FLAGS_MODEL_BITS;
    if (ref_int >= 0)
        c->pushed_flags = phys(v->fin[V_SS], (uint32_t)v->fin[V_SP] + 4, &sets[c->set]);
    else if (v->op == 0x9C && c->set == SET_8086)
        c->pushed_flags = phys(v->fin[V_SS], v->fin[V_SP], &sets[c->set]);
    /* The 8086 pushes the address of the next instruction for a divide error; on a 386 #DE is
     * a fault and the return address is the divide instruction's own, prefixes included
     * (SDM Vol.3 6.15 "Interrupt 0-Divide Error Exception (#DE)"; i386 PRM 14.7 item 2). */
    c->novr = 0;
    if (c->set == SET_8086 && ref_int == EXC_DE) {
        uint32_t a = phys(v->fin[V_SS], v->fin[V_SP], &sets[c->set]);
        c->ovr_addr[0] = a;
        c->ovr_val[0] = (uint8_t)v->init[V_IP];
        c->ovr_addr[1] = phys(v->fin[V_SS], (uint32_t)v->fin[V_SP] + 1, &sets[c->set]);
        c->ovr_val[1] = (uint8_t)(v->init[V_IP] >> 8);
        c->novr = 2;
    }
    check_ram(c);
    bool ok = res->ndiffs == 0;
    if (!ok && ref_int >= 0)
        add_diff(res, "(the reference CPU took interrupt %d)", ref_int);
    return ok;
}

/* ---------------------------------------------------------------------------------------------
 * Files */

struct counts {
    long passed, failed, excluded, excluded_passing;
};

struct opts {
    enum set_id set;
    const char *data, *exclusions, *file;
    long only_idx;
    int show;
    bool no_exclusions;
};

static void print_vec_header(const struct vec *v, const char *what)
{
    printf("  %s idx=%d hash=%.12s \"%s\" bytes", what, v->idx, v->hash[0] ? v->hash : "-", v->name);
    for (int i = 0; i < v->nbytes; i++)
        printf(" %02X", v->bytes[i]);
    printf("\n    initial:");
    for (int r = 0; r < NVREG; r++)
        printf(" %s=%04X", vreg_name[r], v->init[r]);
    printf("\n");
}

static void run_file(const struct opts *o, struct machine_state *m, const char *path, const char *stem,
                     struct counts *total)
{
    json_object *root = load_json_file(path, true);
    if (!root)
        die("%s: cannot read", path);
    if (!json_object_is_type(root, json_type_array))
        die("%s: not a JSON array", path);
    struct exclusion **fex = xmalloc(sizeof(*fex) * (size_t)(nexcl + 1));
    int nfex = o->no_exclusions ? 0 : file_exclusions(o->set, stem, fex);
    uint16_t meta_mask = meta_flags_mask(stem);
    struct ctx c = {.set = o->set, .stem = stem, .flags_mask = meta_mask, .m = m};
    struct counts fc = {0};
    struct result res;
    int shown = 0;
    size_t n = json_object_array_length(root);
    for (size_t i = 0; i < n; i++) {
        struct vec v;
        parse_vec(path, json_object_array_get_idx(root, i), &v, o->set);
        if (o->only_idx >= 0 && v.idx != o->only_idx)
            continue;
        struct exclusion *ex = excluded_by(fex, nfex, &v, o->set);
        enum run_end end = run_vec(m, &v, o->set);
        c.flags_mask = (uint16_t)(meta_mask & ~undef_flags(fex, nfex, &v, o->set));
        c.v = &v;
        c.res = &res;
        bool ok = check_vec(&c, end);
        for_each_ram(v.init_ram, ram_restore, m);
        for_each_ram(v.final_ram, ram_restore, m);
        for (uint32_t a = 4 * EXC_SS; a < 4 * EXC_SS + 4; a++)
            ram_restore(m, a, 0);
        if (ex) {
            ex->matched++;
            ex->passing += ok;
            fc.excluded++;
            fc.excluded_passing += ok;
            if (verbose)
                printf("  excluded #%d \"%s\" (%s; line %d: %s)\n", v.idx, v.name, ok ? "passes" : "fails",
                       ex->line, ex->reason);
            continue;
        }
        if (ok) {
            fc.passed++;
            if (verbose && o->only_idx >= 0)
                print_vec_header(&v, "PASS");
            continue;
        }
        fc.failed++;
        if (shown < o->show || verbose) {
            if (shown == 0)
                printf("%s %s: failures (metadata flags-mask %04X, status %s):\n", sets[o->set].name, stem,
                       meta_mask, meta_status(stem));
            shown++;
            print_vec_header(&v, "FAIL");
            for (int d = 0; d < res.ndiffs; d++)
                printf("    %s\n", res.diffs[d]);
        }
    }
    printf("%s %-5s %4ld passed, %4ld failed, %4ld excluded", sets[o->set].name, stem, fc.passed, fc.failed,
           fc.excluded);
    if (fc.excluded)
        printf(" (%ld of them pass)", fc.excluded_passing);
    printf("\n");
    fflush(stdout);
    total->passed += fc.passed;
    total->failed += fc.failed;
    total->excluded += fc.excluded;
    total->excluded_passing += fc.excluded_passing;
    free(fex);
    json_object_put(root);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void usage(FILE *f)
{
    fputs("usage: vectors --set=8086|80286 --data=DIR [--exclusions=FILE] [options]\n"
          "Runs the SingleStepTests vectors in DIR (<OP>[.<reg>].json.gz + metadata.json).\n"
          "  --file=GLOB        only files whose stem matches (D2.4, 'D3.*', 00)\n"
          "  --idx=N            only the test with idx/test_num N\n"
          "  --show=N           failing tests printed per file (default 3)\n"
          "  --no-exclusions    run excluded tests as ordinary ones\n"
          "  -v, --verbose      every failure, and each excluded test with its reason\n"
          "Exit: 0 all passed, 1 failures, 77 data absent (skip), 99 broken data/exclusions.\n",
          f);
}

static const char *opt_val(const char *arg, const char *name)
{
    size_t n = strlen(name);
    return !strncmp(arg, name, n) && arg[n] == '=' ? arg + n + 1 : NULL;
}

int main(int argc, char **argv)
{
    struct opts o = {.set = SET_80286, .only_idx = -1, .show = 3};
    const char *set = NULL, *val;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if ((val = opt_val(a, "--set"))) set = val;
        else if ((val = opt_val(a, "--data"))) o.data = val;
        else if ((val = opt_val(a, "--exclusions"))) o.exclusions = val;
        else if ((val = opt_val(a, "--file"))) o.file = val;
        else if ((val = opt_val(a, "--idx"))) o.only_idx = strtol(val, NULL, 10);
        else if ((val = opt_val(a, "--show"))) o.show = atoi(val);
        else if (!strcmp(a, "--no-exclusions")) o.no_exclusions = true;
        else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) verbose = true;
        else if (!strcmp(a, "-h") || !strcmp(a, "--help")) { usage(stdout); return 0; }
        else { fprintf(stderr, "vectors: unknown argument '%s'\n", a); usage(stderr); return 2; }
    }
    if (!set || !o.data) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(set, "8086")) o.set = SET_8086;
    else if (!strcmp(set, "80286")) o.set = SET_80286;
    else die("unknown set '%s' (8086 or 80286)", set);

    struct stat st;
    if (stat(o.data, &st) != 0 || !S_ISDIR(st.st_mode)) {
        printf("vectors: %s: no test data there (see tests/vectors/README.md), skipping\n", o.data);
        return EXIT_SKIP;
    }
    char meta_path[4096];
    snprintf(meta_path, sizeof(meta_path), "%s/metadata.json", o.data);
    json_object *meta = load_json_file(meta_path, false);
    if (!meta)
        die("%s: cannot read", meta_path);
    meta_opcodes = jget(meta, "opcodes");
    if (o.exclusions)
        load_exclusions(o.exclusions);

    DIR *d = opendir(o.data);
    if (!d)
        die("%s: %s", o.data, strerror(errno));
    char **files = NULL;
    size_t nfiles = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t l = strlen(de->d_name);
        if (l < 9 || strcmp(de->d_name + l - 8, ".json.gz"))
            continue;
        char *stem = xstrdup(de->d_name);
        stem[l - 8] = '\0';
        if (o.file && fnmatch(o.file, stem, 0) != 0) {
            free(stem);
            continue;
        }
        files = realloc(files, sizeof(*files) * (nfiles + 1));
        if (!files)
            die("out of memory");
        files[nfiles++] = stem;
    }
    closedir(d);
    if (nfiles == 0) {
        if (o.file)
            die("%s: no file matches '%s'", o.data, o.file);
        printf("vectors: %s: no *.json.gz files, skipping\n", o.data);
        return EXIT_SKIP;
    }
    qsort(files, nfiles, sizeof(*files), cmp_str);

    struct machine_state *m = xmalloc(sizeof(*m));
    memset(m, 0, sizeof(*m));
    if (!mem_init(&m->mem, sets[o.set].ram_size))
        die("cannot allocate %" PRIu32 " bytes of guest RAM", sets[o.set].ram_size);
    mem_set_a20(&m->mem, sets[o.set].a20);
    io_init(&m->io);
    fill_template(m);
    init_ram(m);

    double t0 = now_sec();
    struct counts total = {0};
    for (size_t i = 0; i < nfiles; i++) {
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s.json.gz", o.data, files[i]);
        run_file(&o, m, path, files[i], &total);
        free(files[i]);
    }
    free(files);
    double t1 = now_sec();

    for (int i = 0; i < nexcl; i++) {
        const struct exclusion *e = &excl[i];
        if (verbose && e->matched && e->undef)
            printf("%s:%d: undef= applied to %ld tests\n", o.exclusions, e->line, e->matched);
        else if (verbose && e->matched)
            printf("%s:%d: excluded %ld tests (%ld would pass)\n", o.exclusions, e->line, e->matched,
                   e->passing);
        bool this_set = !strcmp(e->set, "*") || !strcmp(e->set, sets[o.set].name);
        if (!o.file && o.only_idx < 0 && !o.no_exclusions && this_set && e->matched == 0)
            printf("vectors: warning: %s:%d matched no test (stale exclusion?)\n", o.exclusions, e->line);
    }
    printf("%s: %zu files in %.1f s; %ld excluded (%ld of them pass)\n", sets[o.set].name, nfiles, t1 - t0,
           total.excluded, total.excluded_passing);
    printf("vectors: %ld passed, %ld failed, %ld skipped\n", total.passed, total.failed, total.excluded);

    mem_free(&m->mem);
    free(m);
    json_object_put(meta);
    return total.failed ? 1 : 0;
}
