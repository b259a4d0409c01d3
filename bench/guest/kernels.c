/* Guest benchmark kernels: freestanding C, built with gcc -m32 -ffreestanding for the guest
 * (bench/loader.asm boots it) and with the host compiler for the native baseline (native.c).
 * Each kernel returns a checksum, so the guest's answer can be checked against the native one. */
#include "kernels.h"

#define SIEVE_N 8192
#define MAT_N 24

static uint8_t sieve_buf[SIEVE_N];
static uint32_t crc_table[256];
static int32_t mat_a[MAT_N][MAT_N], mat_b[MAT_N][MAT_N], mat_c[MAT_N][MAT_N];
static uint8_t copy_src[2048], copy_dst[2048];

static uint32_t sieve(uint32_t rounds)
{
    uint32_t count = 0;
    for (uint32_t r = 0; r < rounds; r++) {
        for (uint32_t i = 0; i < SIEVE_N; i++)
            sieve_buf[i] = 1;
        sieve_buf[0] = sieve_buf[1] = 0;
        for (uint32_t i = 2; i * i < SIEVE_N; i++)
            if (sieve_buf[i])
                for (uint32_t j = i * i; j < SIEVE_N; j += i)
                    sieve_buf[j] = 0;
        for (uint32_t i = 0; i < SIEVE_N; i++)
            count += sieve_buf[i];
    }
    return count;
}

static uint32_t crc32(uint32_t rounds)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        crc_table[i] = c;
    }
    uint32_t crc = 0xFFFFFFFFu;
    for (uint32_t r = 0; r < rounds; r++)
        for (uint32_t i = 0; i < 4096; i++)
            crc = crc_table[(crc ^ (i * 7 + r)) & 0xFF] ^ (crc >> 8);
    return ~crc;
}

static uint32_t matmul(uint32_t rounds)
{
    for (int i = 0; i < MAT_N; i++)
        for (int j = 0; j < MAT_N; j++) {
            mat_a[i][j] = i + j;
            mat_b[i][j] = i - j;
        }
    uint32_t sum = 0;
    for (uint32_t r = 0; r < rounds; r++) {
        for (int i = 0; i < MAT_N; i++)
            for (int j = 0; j < MAT_N; j++) {
                int32_t s = 0;
                for (int k = 0; k < MAT_N; k++)
                    s += mat_a[i][k] * mat_b[k][j];
                mat_c[i][j] = s;
            }
        sum += (uint32_t)mat_c[r % MAT_N][(r * 7) % MAT_N];
        mat_a[r % MAT_N][0] += 1;
    }
    return sum;
}

static uint32_t memstr(uint32_t rounds)
{
    uint32_t total = 0;
    for (uint32_t r = 0; r < rounds; r++) {
        for (uint32_t i = 0; i < sizeof(copy_src); i++)
            copy_src[i] = (uint8_t)((i * 31 + r) % 255 + 1);
        copy_src[sizeof(copy_src) - 1 - (r % 64)] = 0;
        uint32_t n = 0;
        while (copy_src[n])                       /* strlen */
            n++;
        for (uint32_t i = 0; i < n; i++)          /* byte-wise memcpy */
            copy_dst[i] = copy_src[i];
        total += n + copy_dst[n / 2];
    }
    return total;
}

static uint32_t fib(uint32_t n)
{
    return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

static uint32_t recursion(uint32_t rounds)
{
    uint32_t s = 0;
    for (uint32_t r = 0; r < rounds; r++)
        s += fib(20 + (r & 1));
    return s;
}

const struct kernel kernels[NKERNELS] = {
    {"sieve", sieve, 400},
    {"crc32", crc32, 1200},
    {"matmul", matmul, 400},
    {"memstr", memstr, 1000},
    {"recursion", recursion, 160},
};
