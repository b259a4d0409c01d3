/* Disk image backends (issue 8): a raw image file, read-write or read-only, optionally with a
 * -snapshot overlay that takes every write and is discarded at exit. Writes go to the file with
 * pwrite() as the guest makes them, so a host crash or a signal never loses an acknowledged write
 * the kernel already holds; block_flush() adds fdatasync() for the guest's FLUSH CACHE. */
#ifndef JITPC_BLOCK_H
#define JITPC_BLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BLOCK_SECTOR 512u

enum {
    BLOCK_READONLY = 1,    /* media that cannot be written (CD-ROM, readonly=on) */
    BLOCK_SNAPSHOT = 2,    /* -snapshot: writes go to a temporary overlay, the file stays as it was */
};

struct block_stats {
    uint64_t reads, writes, flushes;    /* calls */
    uint64_t bytes_read, bytes_written;
    uint64_t errors;                    /* host I/O errors reported to the device */
};

struct block {
    int fd;                 /* the image, -1 when closed */
    int overlay_fd;         /* -snapshot: an unlinked sparse temporary file of the same size */
    uint8_t *overlay_map;   /* -snapshot: one bit per sector written to the overlay */
    uint64_t size;          /* bytes */
    unsigned flags;
    char path[512];
    struct block_stats stats;
};

/* Opens path. Fails with a one-line reason naming the file (no such file, a directory, size not
 * a multiple of 512 bytes, empty, a read-only file opened for writing). */
bool block_open(struct block *b, const char *path, unsigned flags, char *why, size_t whylen);
void block_close(struct block *b);

/* offset and len in bytes; need not be sector-aligned. Access beyond the end fails. Return 0 or
 * -1 (beyond the end, host I/O error, or a write to read-only media). */
int block_read(struct block *b, uint64_t offset, void *buf, size_t len);
int block_write(struct block *b, uint64_t offset, const void *buf, size_t len);
/* Makes every completed write durable (fdatasync); 0 or -1. */
int block_flush(struct block *b);

static inline uint64_t block_sectors(const struct block *b)
{
    return b->size / BLOCK_SECTOR;
}

static inline bool block_readonly(const struct block *b)
{
    return (b->flags & BLOCK_READONLY) != 0;
}

#endif
