/*
 * wb_port.h system interface (clocks, random, sleep, files) for POSIX hosts,
 * used by libc-wasi. Compiled to nothing unless the build selects
 * libc-wasi, so hosted boards without it (Windows, macOS cross builds) do
 * not need these POSIX-2008 calls.
 *
 * Every call that takes (dir, name) works on one path component relative to
 * an open directory (openat & co.) and never follows a symbolic link in it
 * (O_NOFOLLOW, AT_SYMLINK_NOFOLLOW): the runtime resolves links itself
 * (runtime_src/libc/wasi/wasi_path.c), which is what keeps a guest inside
 * its preopened directories.
 */
#define _DEFAULT_SOURCE 1
#define _POSIX_C_SOURCE 200809L

#include "wb_defaults.h"

#if WB_FEATURE_LIBC_WASI

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/random.h>
#endif

#include "wb_port.h"

static int wb_err(int e)
{
    switch (e) {
    case 0: return 0;
    case E2BIG: return WB_E2BIG;
    case EACCES: return WB_EACCES;
    case EAGAIN: return WB_EAGAIN;
    case EBADF: return WB_EBADF;
    case EBUSY: return WB_EBUSY;
    case EEXIST: return WB_EEXIST;
    case EFAULT: return WB_EFAULT;
    case EFBIG: return WB_EFBIG;
    case EILSEQ: return WB_EILSEQ;
    case EINTR: return WB_EINTR;
    case EINVAL: return WB_EINVAL;
    case EIO: return WB_EIO;
    case EISDIR: return WB_EISDIR;
    case ELOOP: return WB_ELOOP;
    case EMFILE: return WB_EMFILE;
    case EMLINK: return WB_EMLINK;
    case ENAMETOOLONG: return WB_ENAMETOOLONG;
    case ENFILE: return WB_ENFILE;
    case ENOBUFS: return WB_ENOBUFS;
    case ENODEV: return WB_ENODEV;
    case ENOENT: return WB_ENOENT;
    case ENOMEM: return WB_ENOMEM;
    case ENOSPC: return WB_ENOSPC;
    case ENOSYS: return WB_ENOSYS;
    case ENOTDIR: return WB_ENOTDIR;
    case ENOTEMPTY: return WB_ENOTEMPTY;
    case ENOTSOCK: return WB_ENOTSOCK;
#if defined(EOPNOTSUPP) && EOPNOTSUPP != ENOTSUP
    case EOPNOTSUPP:
#endif
    case ENOTSUP: return WB_ENOTSUP;
    case ENOTTY: return WB_ENOTTY;
    case ENXIO: return WB_ENXIO;
    case EOVERFLOW: return WB_EOVERFLOW;
    case EPERM: return WB_EPERM;
    case EPIPE: return WB_EPIPE;
    case EROFS: return WB_EROFS;
    case ESPIPE: return WB_ESPIPE;
    case ETXTBSY: return WB_ETXTBSY;
    case EXDEV: return WB_EXDEV;
    default: return WB_EIO;
    }
}

#define CHECK(call) ((call) < 0 ? wb_err(errno) : 0)

/* ---- clocks, random, sleep ------------------------------------------------ */

static int clock_of(uint32_t id, clockid_t *c)
{
    switch (id) {
    case 0: *c = CLOCK_REALTIME; return 0;
    case 1: *c = CLOCK_MONOTONIC; return 0;
    case 2: *c = CLOCK_PROCESS_CPUTIME_ID; return 0;
    case 3: *c = CLOCK_THREAD_CPUTIME_ID; return 0;
    default: return WB_EINVAL;
    }
}

int wb_port_clock_ns(uint32_t clock_id, uint64_t *ns)
{
    clockid_t c;
    struct timespec ts;
    if (clock_of(clock_id, &c))
        return WB_EINVAL;
    if (clock_gettime(c, &ts) < 0)
        return wb_err(errno);
    *ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
    return 0;
}

int wb_port_clock_res_ns(uint32_t clock_id, uint64_t *ns)
{
    clockid_t c;
    struct timespec ts;
    if (clock_of(clock_id, &c))
        return WB_EINVAL;
    if (clock_getres(c, &ts) < 0)
        return wb_err(errno);
    *ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
    if (!*ns)
        *ns = 1;
    return 0;
}

void wb_port_sleep_ns(uint64_t ns)
{
    struct timespec ts;
    ts.tv_sec = (time_t)(ns / 1000000000u);
    ts.tv_nsec = (long)(ns % 1000000000u);
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

int wb_port_random(void *buf, size_t len)
{
    unsigned char *p = buf;
#if defined(__linux__)
    while (len) {
        ssize_t n = getrandom(p, len > 256 ? 256 : len, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return wb_err(errno);
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
#else
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return wb_err(errno);
    while (len) {
        ssize_t n = read(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            close(fd);
            return WB_EIO;
        }
        p += n;
        len -= (size_t)n;
    }
    close(fd);
    return 0;
#endif
}

/* ---- files ---------------------------------------------------------------------- */

static uint8_t filetype_of(mode_t m)
{
    if (S_ISREG(m)) return WB_FT_FILE;
    if (S_ISDIR(m)) return WB_FT_DIR;
    if (S_ISLNK(m)) return WB_FT_SYMLINK;
    if (S_ISCHR(m)) return WB_FT_CHAR;
    if (S_ISBLK(m)) return WB_FT_BLOCK;
    if (S_ISSOCK(m)) return WB_FT_SOCK_STREAM;
    return WB_FT_UNKNOWN;
}

static uint64_t ts_ns(struct timespec t)
{
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static void stat_of(const struct stat *s, wb_port_stat *st)
{
    st->dev = (uint64_t)s->st_dev;
    st->ino = (uint64_t)s->st_ino;
    st->nlink = (uint64_t)s->st_nlink;
    st->size = (uint64_t)s->st_size;
#if defined(__APPLE__)
    st->atim = ts_ns(s->st_atimespec);
    st->mtim = ts_ns(s->st_mtimespec);
    st->ctim = ts_ns(s->st_ctimespec);
#else
    st->atim = ts_ns(s->st_atim);
    st->mtim = ts_ns(s->st_mtim);
    st->ctim = ts_ns(s->st_ctim);
#endif
    st->filetype = filetype_of(s->st_mode);
}

int wb_port_fs_preopen(const char *host_path, int *fd)
{
    int f = open(host_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (f < 0)
        return wb_err(errno);
    *fd = f;
    return 0;
}

int wb_port_fs_open(int dir, const char *name, uint32_t flags, int *fd)
{
    int o = O_CLOEXEC, f;
    if ((flags & WB_FS_READ) && (flags & WB_FS_WRITE))
        o |= O_RDWR;
    else if (flags & WB_FS_WRITE)
        o |= O_WRONLY;
    else
        o |= O_RDONLY;
    if (flags & WB_FS_CREAT) o |= O_CREAT;
    if (flags & WB_FS_EXCL) o |= O_EXCL;
    if (flags & WB_FS_TRUNC) o |= O_TRUNC;
    if (flags & WB_FS_DIRECTORY) o |= O_DIRECTORY;
    if (flags & WB_FS_APPEND) o |= O_APPEND;
    if (flags & WB_FS_NONBLOCK) o |= O_NONBLOCK;
    if (flags & WB_FS_DSYNC) o |= O_DSYNC;
    if (flags & WB_FS_SYNC) o |= O_SYNC;
#ifdef O_RSYNC
    if (flags & WB_FS_RSYNC) o |= O_RSYNC;
#endif
    if (!(flags & WB_FS_FOLLOW)) o |= O_NOFOLLOW;
    do
        f = openat(dir, name, o, 0666);
    while (f < 0 && errno == EINTR);
    if (f < 0) {
        int e = errno;
        /* Linux reports a symlink under O_NOFOLLOW|O_DIRECTORY as ENOTDIR */
        if (e == ENOTDIR && (flags & WB_FS_DIRECTORY) && !(flags & WB_FS_FOLLOW)) {
            struct stat s;
            if (fstatat(dir, name, &s, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(s.st_mode))
                e = ELOOP;
        }
        return wb_err(e);
    }
    *fd = f;
    return 0;
}

int wb_port_fs_close(int fd) { return CHECK(close(fd)); }

int wb_port_fs_read(int fd, void *buf, size_t len, size_t *done)
{
    ssize_t n;
    do
        n = read(fd, buf, len);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return wb_err(errno);
    *done = (size_t)n;
    return 0;
}

int wb_port_fs_write(int fd, const void *buf, size_t len, size_t *done)
{
    ssize_t n;
    do
        n = write(fd, buf, len);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return wb_err(errno);
    *done = (size_t)n;
    return 0;
}

int wb_port_fs_pread(int fd, void *buf, size_t len, uint64_t off, size_t *done)
{
    ssize_t n;
    if (off > (uint64_t)INT64_MAX)
        return WB_EINVAL;
    do
        n = pread(fd, buf, len, (off_t)off);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return wb_err(errno);
    *done = (size_t)n;
    return 0;
}

int wb_port_fs_pwrite(int fd, const void *buf, size_t len, uint64_t off, size_t *done)
{
    ssize_t n;
    if (off > (uint64_t)INT64_MAX)
        return WB_EINVAL;
    do
        n = pwrite(fd, buf, len, (off_t)off);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return wb_err(errno);
    *done = (size_t)n;
    return 0;
}

int wb_port_fs_seek(int fd, int64_t off, int whence, uint64_t *pos)
{
    off_t r;
    int w = whence == 0 ? SEEK_SET : whence == 1 ? SEEK_CUR : whence == 2 ? SEEK_END : -1;
    if (w < 0)
        return WB_EINVAL;
    r = lseek(fd, (off_t)off, w);
    if (r < 0)
        return wb_err(errno);
    *pos = (uint64_t)r;
    return 0;
}

int wb_port_fs_sync(int fd, int data_only)
{
#if defined(__linux__)
    if (data_only)
        return CHECK(fdatasync(fd));
#else
    (void)data_only;
#endif
    return CHECK(fsync(fd));
}

int wb_port_fs_fstat(int fd, wb_port_stat *st)
{
    struct stat s;
    if (fstat(fd, &s) < 0)
        return wb_err(errno);
    stat_of(&s, st);
    return 0;
}

int wb_port_fs_stat(int dir, const char *name, int follow, wb_port_stat *st)
{
    struct stat s;
    if (fstatat(dir, name, &s, follow ? 0 : AT_SYMLINK_NOFOLLOW) < 0)
        return wb_err(errno);
    stat_of(&s, st);
    return 0;
}

int wb_port_fs_set_size(int fd, uint64_t size)
{
    if (size > (uint64_t)INT64_MAX)
        return WB_EINVAL;
    return CHECK(ftruncate(fd, (off_t)size));
}

int wb_port_fs_allocate(int fd, uint64_t off, uint64_t len)
{
    struct stat s;
    if (off > (uint64_t)INT64_MAX || len > (uint64_t)INT64_MAX - off)
        return WB_EINVAL;
    if (fstat(fd, &s) < 0)
        return wb_err(errno);
    if (!S_ISREG(s.st_mode))
        return S_ISDIR(s.st_mode) ? WB_EBADF : WB_ENODEV;
#if defined(__linux__)
    {
        int r = posix_fallocate(fd, (off_t)off, (off_t)len);
        if (r == 0 || (r != EOPNOTSUPP && r != EINVAL))
            return wb_err(r);
    }
#endif
    /* no fallocate on this file system: grow the file, keep its bytes */
    if ((uint64_t)s.st_size < off + len)
        return CHECK(ftruncate(fd, (off_t)(off + len)));
    return 0;
}

int wb_port_fs_advise(int fd, uint64_t off, uint64_t len, int advice)
{
#if defined(__linux__)
    static const int adv[] = {POSIX_FADV_NORMAL, POSIX_FADV_SEQUENTIAL, POSIX_FADV_RANDOM,
                              POSIX_FADV_WILLNEED, POSIX_FADV_DONTNEED, POSIX_FADV_NOREUSE};
    int r;
    if (advice < 0 || advice > 5)
        return WB_EINVAL;
    if (off > (uint64_t)INT64_MAX || len > (uint64_t)INT64_MAX)
        return WB_EINVAL;
    r = posix_fadvise(fd, (off_t)off, (off_t)len, adv[advice]);
    return r == ESPIPE ? WB_EBADF : wb_err(r);
#else
    (void)fd;
    (void)off;
    (void)len;
    return advice < 0 || advice > 5 ? WB_EINVAL : 0; /* advice may be ignored */
#endif
}

int wb_port_fs_set_times(int fd, const char *name, uint64_t atim, uint64_t mtim,
                         unsigned which)
{
    struct timespec ts[2];
    ts[0].tv_sec = (time_t)(atim / 1000000000u);
    ts[0].tv_nsec = (long)(atim % 1000000000u);
    ts[1].tv_sec = (time_t)(mtim / 1000000000u);
    ts[1].tv_nsec = (long)(mtim % 1000000000u);
    if (which & WB_FS_ATIM_NOW)
        ts[0].tv_nsec = UTIME_NOW;
    else if (!(which & WB_FS_ATIM))
        ts[0].tv_nsec = UTIME_OMIT;
    if (which & WB_FS_MTIM_NOW)
        ts[1].tv_nsec = UTIME_NOW;
    else if (!(which & WB_FS_MTIM))
        ts[1].tv_nsec = UTIME_OMIT;
    if (name)
        return CHECK(utimensat(fd, name, ts, AT_SYMLINK_NOFOLLOW));
    return CHECK(futimens(fd, ts));
}

int wb_port_fs_get_flags(int fd, uint32_t *flags)
{
    int o = fcntl(fd, F_GETFL);
    if (o < 0)
        return wb_err(errno);
    *flags = 0;
    if (o & O_APPEND) *flags |= WB_FS_APPEND;
    if (o & O_NONBLOCK) *flags |= WB_FS_NONBLOCK;
#if defined(O_DSYNC) && O_DSYNC != O_SYNC
    if (o & O_DSYNC) *flags |= WB_FS_DSYNC;
#endif
    if ((o & O_SYNC) == O_SYNC) *flags |= WB_FS_SYNC;
    return 0;
}

int wb_port_fs_set_flags(int fd, uint32_t flags)
{
    int o = fcntl(fd, F_GETFL);
    if (o < 0)
        return wb_err(errno);
    o &= ~(O_APPEND | O_NONBLOCK);
    if (flags & WB_FS_APPEND) o |= O_APPEND;
    if (flags & WB_FS_NONBLOCK) o |= O_NONBLOCK;
    return CHECK(fcntl(fd, F_SETFL, o));
}

int wb_port_fs_isatty(int fd) { return isatty(fd); }

int wb_port_fs_mkdir(int dir, const char *name) { return CHECK(mkdirat(dir, name, 0777)); }

int wb_port_fs_rmdir(int dir, const char *name)
{
    return CHECK(unlinkat(dir, name, AT_REMOVEDIR));
}

int wb_port_fs_unlink(int dir, const char *name) { return CHECK(unlinkat(dir, name, 0)); }

int wb_port_fs_rename(int dir1, const char *name1, int dir2, const char *name2)
{
    return CHECK(renameat(dir1, name1, dir2, name2));
}

int wb_port_fs_link(int dir1, const char *name1, int dir2, const char *name2)
{
    return CHECK(linkat(dir1, name1, dir2, name2, 0));
}

int wb_port_fs_symlink(const char *target, int dir, const char *name)
{
    return CHECK(symlinkat(target, dir, name));
}

int wb_port_fs_readlink(int dir, const char *name, char *buf, size_t cap, size_t *len)
{
    ssize_t n = readlinkat(dir, name, buf, cap);
    if (n < 0)
        return wb_err(errno);
    *len = (size_t)n;
    return 0;
}

static uint8_t dtype_of(unsigned char t)
{
    switch (t) {
    case DT_REG: return WB_FT_FILE;
    case DT_DIR: return WB_FT_DIR;
    case DT_LNK: return WB_FT_SYMLINK;
    case DT_CHR: return WB_FT_CHAR;
    case DT_BLK: return WB_FT_BLOCK;
    case DT_SOCK: return WB_FT_SOCK_STREAM;
    default: return WB_FT_UNKNOWN;
    }
}

/* A fresh DIR stream per call (on a duplicate of fd), positioned with
 * seekdir: cookies are telldir positions, so a guest may come back to any
 * entry it has seen. */
int wb_port_fs_readdir(int fd, uint64_t cookie, wb_port_dirent_fn fn, void *user)
{
    int d = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *dir;
    struct dirent *e;
    if (d < 0)
        return wb_err(errno);
    dir = fdopendir(d);
    if (!dir) {
        int err = errno;
        close(d);
        return wb_err(err);
    }
    if (cookie)
        seekdir(dir, (long)cookie);
    for (;;) {
        uint8_t type;
        long next;
        errno = 0;
        e = readdir(dir);
        if (!e) {
            int err = errno;
            closedir(dir);
            return wb_err(err);
        }
        type = dtype_of(e->d_type);
        if (type == WB_FT_UNKNOWN) {
            struct stat s;
            if (fstatat(fd, e->d_name, &s, AT_SYMLINK_NOFOLLOW) == 0)
                type = filetype_of(s.st_mode);
        }
        next = telldir(dir);
        if (fn(user, (uint64_t)next, (uint64_t)e->d_ino, type, e->d_name, strlen(e->d_name)))
            break;
    }
    closedir(dir);
    return 0;
}

#else
typedef int wb_port_host_wasi_unused; /* ISO C: no empty translation unit */
#endif /* WB_FEATURE_LIBC_WASI */
