/* Disk image backends: raw files, read-only media, -snapshot overlays (block.h). */
#define _GNU_SOURCE
#include "block.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool fail(char *why, size_t whylen, const char *path, const char *what)
{
    snprintf(why, whylen, "%s: %s", path, what);
    return false;
}

/* The overlay of -snapshot: an unlinked temporary file (sparse, so only written sectors take
 * space) and a bitmap of the sectors it holds. Nothing of it survives the process. */
static bool open_overlay(struct block *b, char *why, size_t whylen)
{
    const char *dir = getenv("TMPDIR");
    char name[4096];
    snprintf(name, sizeof(name), "%s/jitpc-snapshot-XXXXXX", dir && *dir ? dir : "/tmp");
    b->overlay_fd = mkstemp(name);
    if (b->overlay_fd < 0)
        return fail(why, whylen, name, strerror(errno));
    unlink(name);
    b->overlay_map = calloc((size_t)(block_sectors(b) + 7) / 8, 1);
    if (!b->overlay_map || ftruncate(b->overlay_fd, (off_t)b->size) != 0)
        return fail(why, whylen, b->path, "cannot create the -snapshot overlay");
    return true;
}

bool block_open(struct block *b, const char *path, unsigned flags, char *why, size_t whylen)
{
    memset(b, 0, sizeof(*b));
    b->fd = b->overlay_fd = -1;
    b->flags = flags;
    snprintf(b->path, sizeof(b->path), "%s", path);
    /* Without -snapshot a writable disk must be opened for writing: a read-only file given for a
     * writable disk is an error now, not a write lost later. */
    bool want_write = !(flags & (BLOCK_READONLY | BLOCK_SNAPSHOT));
    int fd = open(path, (want_write ? O_RDWR : O_RDONLY) | O_CLOEXEC);
    if (fd < 0) {
        if (want_write && (errno == EACCES || errno == EROFS))
            return fail(why, whylen, path, "file is read-only (use readonly=on or -snapshot)");
        return fail(why, whylen, path, strerror(errno));
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        close(fd);
        return fail(why, whylen, path, strerror(errno));
    }
    if (S_ISDIR(st.st_mode)) {
        close(fd);
        return fail(why, whylen, path, "is a directory");
    }
    /* A file nobody may write is read-only media even to root, whom open() would let write. */
    if (want_write && S_ISREG(st.st_mode) && !(st.st_mode & 0222)) {
        close(fd);
        return fail(why, whylen, path, "file is read-only (use readonly=on or -snapshot)");
    }
    if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
        close(fd);
        return fail(why, whylen, path, "not a regular file or block device");
    }
    uint64_t size = (uint64_t)st.st_size;
    if (S_ISBLK(st.st_mode)) {
        off_t end = lseek(fd, 0, SEEK_END);
        size = end > 0 ? (uint64_t)end : 0;
    }
    if (size == 0) {
        close(fd);
        return fail(why, whylen, path, "image is empty");
    }
    if (size % BLOCK_SECTOR) {
        char msg[96];
        snprintf(msg, sizeof(msg), "size %llu is not a multiple of 512", (unsigned long long)size);
        close(fd);
        return fail(why, whylen, path, msg);
    }
    b->fd = fd;
    b->size = size;
    if ((flags & BLOCK_SNAPSHOT) && !(flags & BLOCK_READONLY) && !open_overlay(b, why, whylen)) {
        block_close(b);
        return false;
    }
    return true;
}

void block_close(struct block *b)
{
    if (b->fd >= 0) {
        if (!(b->flags & (BLOCK_READONLY | BLOCK_SNAPSHOT)))
            fdatasync(b->fd);
        close(b->fd);
    }
    if (b->overlay_fd >= 0)
        close(b->overlay_fd);
    free(b->overlay_map);
    b->overlay_map = NULL;
    b->fd = b->overlay_fd = -1;
}

static bool in_range(const struct block *b, uint64_t offset, size_t len)
{
    return b->fd >= 0 && offset <= b->size && len <= b->size - offset;
}

static int read_all(int fd, uint64_t offset, uint8_t *buf, size_t len)
{
    while (len) {
        ssize_t n = pread(fd, buf, len, (off_t)offset);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        buf += n;
        offset += (uint64_t)n;
        len -= (size_t)n;
    }
    return 0;
}

static int write_all(int fd, uint64_t offset, const uint8_t *buf, size_t len)
{
    while (len) {
        ssize_t n = pwrite(fd, buf, len, (off_t)offset);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        buf += n;
        offset += (uint64_t)n;
        len -= (size_t)n;
    }
    return 0;
}

static bool in_overlay(const struct block *b, uint64_t sector)
{
    return (b->overlay_map[sector / 8] >> (sector % 8)) & 1;
}

int block_read(struct block *b, uint64_t offset, void *buf, size_t len)
{
    if (!in_range(b, offset, len))
        return -1;
    b->stats.reads++;
    size_t total = len;
    int rc = 0;
    if (!b->overlay_map) {
        rc = read_all(b->fd, offset, buf, len);
    } else {
        /* Sector by sector: each comes from the overlay if written there, else from the file. */
        uint8_t *out = buf;
        while (len && rc == 0) {
            uint64_t sector = offset / BLOCK_SECTOR;
            size_t n = BLOCK_SECTOR - offset % BLOCK_SECTOR;
            if (n > len)
                n = len;
            rc = read_all(in_overlay(b, sector) ? b->overlay_fd : b->fd, offset, out, n);
            out += n;
            offset += n;
            len -= n;
        }
    }
    if (rc)
        b->stats.errors++;
    else
        b->stats.bytes_read += total;
    return rc;
}

int block_write(struct block *b, uint64_t offset, const void *buf, size_t len)
{
    if (!in_range(b, offset, len) || (b->flags & BLOCK_READONLY))
        return -1;
    b->stats.writes++;
    size_t total = len;
    int rc = 0;
    if (!b->overlay_map) {
        rc = write_all(b->fd, offset, buf, len);
    } else {
        const uint8_t *in = buf;
        while (len && rc == 0) {
            uint64_t sector = offset / BLOCK_SECTOR;
            size_t skip = offset % BLOCK_SECTOR, n = BLOCK_SECTOR - skip;
            if (n > len)
                n = len;
            if (!in_overlay(b, sector) && n < BLOCK_SECTOR) {
                /* A partial sector: copy the rest of it from the file first. */
                uint8_t sec[BLOCK_SECTOR];
                rc = read_all(b->fd, sector * BLOCK_SECTOR, sec, BLOCK_SECTOR);
                if (rc == 0) {
                    memcpy(sec + skip, in, n);
                    rc = write_all(b->overlay_fd, sector * BLOCK_SECTOR, sec, BLOCK_SECTOR);
                }
            } else {
                rc = write_all(b->overlay_fd, offset, in, n);
            }
            if (rc == 0)
                b->overlay_map[sector / 8] |= (uint8_t)(1u << (sector % 8));
            in += n;
            offset += n;
            len -= n;
        }
    }
    if (rc)
        b->stats.errors++;
    else
        b->stats.bytes_written += total;
    return rc;
}

int block_flush(struct block *b)
{
    if (b->fd < 0)
        return -1;
    b->stats.flushes++;
    /* The overlay is discarded at exit: there is nothing to make durable. */
    if (b->flags & (BLOCK_READONLY | BLOCK_SNAPSHOT))
        return 0;
    if (fdatasync(b->fd) != 0) {
        b->stats.errors++;
        return -1;
    }
    return 0;
}
