/*
 * wb_port.h system interface for bare-metal boards (feature libc-wasi):
 * clocks from the port timer, a busy-wait sleep, random from the board's
 * RNG hook when it has one, and no file system (every wb_port_fs_* call is
 * WB_ENOSYS). Compiled to nothing without libc-wasi.
 */
#include "wb_defaults.h"

#if WB_FEATURE_LIBC_WASI

#include "wb_port.h"

/* A board with a hardware RNG defines this (returns 0 after filling buf). */
int wb_board_random(void *buf, size_t len) __attribute__((weak));

/* The timer counts from reset: the monotonic clock, and the only time a
 * board without a real-time clock has (realtime starts at 1970 at reset;
 * the CPU-time clocks equal it, as the program is all that runs). */
int wb_port_clock_ns(uint32_t clock_id, uint64_t *ns)
{
    if (clock_id > 3u)
        return WB_EINVAL;
    *ns = wb_port_time_us() * 1000u;
    return 0;
}

int wb_port_clock_res_ns(uint32_t clock_id, uint64_t *ns)
{
    if (clock_id > 3u)
        return WB_EINVAL;
    *ns = 1000u;
    return 0;
}

void wb_port_sleep_ns(uint64_t ns)
{
    uint64_t end = wb_port_time_us() + (ns + 999u) / 1000u;
    while (wb_port_time_us() < end)
        ;
}

int wb_port_random(void *buf, size_t len)
{
    if (wb_board_random)
        return wb_board_random(buf, len) ? WB_EIO : 0;
    return WB_ENOSYS; /* libc-wasi then uses the host-seeded generator */
}

/* ---- no file system ---- */
int wb_port_fs_preopen(const char *host_path, int *fd)
{
    (void)host_path;
    (void)fd;
    return WB_ENOSYS;
}
int wb_port_fs_open(int dir, const char *name, uint32_t flags, int *fd)
{
    (void)dir;
    (void)name;
    (void)flags;
    (void)fd;
    return WB_ENOSYS;
}
int wb_port_fs_close(int fd)
{
    (void)fd;
    return WB_ENOSYS;
}
int wb_port_fs_read(int fd, void *buf, size_t len, size_t *done)
{
    (void)fd;
    (void)buf;
    (void)len;
    (void)done;
    return WB_ENOSYS;
}
int wb_port_fs_write(int fd, const void *buf, size_t len, size_t *done)
{
    (void)fd;
    (void)buf;
    (void)len;
    (void)done;
    return WB_ENOSYS;
}
int wb_port_fs_pread(int fd, void *buf, size_t len, uint64_t off, size_t *done)
{
    (void)fd;
    (void)buf;
    (void)len;
    (void)off;
    (void)done;
    return WB_ENOSYS;
}
int wb_port_fs_pwrite(int fd, const void *buf, size_t len, uint64_t off, size_t *done)
{
    (void)fd;
    (void)buf;
    (void)len;
    (void)off;
    (void)done;
    return WB_ENOSYS;
}
int wb_port_fs_seek(int fd, int64_t off, int whence, uint64_t *pos)
{
    (void)fd;
    (void)off;
    (void)whence;
    (void)pos;
    return WB_ENOSYS;
}
int wb_port_fs_sync(int fd, int data_only)
{
    (void)fd;
    (void)data_only;
    return WB_ENOSYS;
}
int wb_port_fs_fstat(int fd, wb_port_stat *st)
{
    (void)fd;
    (void)st;
    return WB_ENOSYS;
}
int wb_port_fs_stat(int dir, const char *name, int follow, wb_port_stat *st)
{
    (void)dir;
    (void)name;
    (void)follow;
    (void)st;
    return WB_ENOSYS;
}
int wb_port_fs_set_size(int fd, uint64_t size)
{
    (void)fd;
    (void)size;
    return WB_ENOSYS;
}
int wb_port_fs_allocate(int fd, uint64_t off, uint64_t len)
{
    (void)fd;
    (void)off;
    (void)len;
    return WB_ENOSYS;
}
int wb_port_fs_advise(int fd, uint64_t off, uint64_t len, int advice)
{
    (void)fd;
    (void)off;
    (void)len;
    (void)advice;
    return WB_ENOSYS;
}
int wb_port_fs_set_times(int fd, const char *name, uint64_t atim, uint64_t mtim,
                         unsigned which)
{
    (void)fd;
    (void)name;
    (void)atim;
    (void)mtim;
    (void)which;
    return WB_ENOSYS;
}
int wb_port_fs_get_flags(int fd, uint32_t *flags)
{
    (void)fd;
    (void)flags;
    return WB_ENOSYS;
}
int wb_port_fs_set_flags(int fd, uint32_t flags)
{
    (void)fd;
    (void)flags;
    return WB_ENOSYS;
}
int wb_port_fs_isatty(int fd)
{
    (void)fd;
    return 0;
}
int wb_port_fs_mkdir(int dir, const char *name)
{
    (void)dir;
    (void)name;
    return WB_ENOSYS;
}
int wb_port_fs_rmdir(int dir, const char *name)
{
    (void)dir;
    (void)name;
    return WB_ENOSYS;
}
int wb_port_fs_unlink(int dir, const char *name)
{
    (void)dir;
    (void)name;
    return WB_ENOSYS;
}
int wb_port_fs_rename(int dir1, const char *name1, int dir2, const char *name2)
{
    (void)dir1;
    (void)name1;
    (void)dir2;
    (void)name2;
    return WB_ENOSYS;
}
int wb_port_fs_link(int dir1, const char *name1, int dir2, const char *name2)
{
    (void)dir1;
    (void)name1;
    (void)dir2;
    (void)name2;
    return WB_ENOSYS;
}
int wb_port_fs_symlink(const char *target, int dir, const char *name)
{
    (void)target;
    (void)dir;
    (void)name;
    return WB_ENOSYS;
}
int wb_port_fs_readlink(int dir, const char *name, char *buf, size_t cap, size_t *len)
{
    (void)dir;
    (void)name;
    (void)buf;
    (void)cap;
    (void)len;
    return WB_ENOSYS;
}
int wb_port_fs_readdir(int fd, uint64_t cookie, wb_port_dirent_fn fn, void *user)
{
    (void)fd;
    (void)cookie;
    (void)fn;
    (void)user;
    return WB_ENOSYS;
}

#else
typedef int wb_port_wasi_none_unused; /* ISO C: no empty translation unit */
#endif /* WB_FEATURE_LIBC_WASI */
