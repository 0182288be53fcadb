/*
 * wasmbed port API: the whole contract between the runtime (core, libc,
 * agent) and a platform. A platform implements these in one C file
 * (runtime_src/port/host/ for POSIX hosts; rendered from
 * templates/port/ for boards). The runtime core sees the platform only
 * through this header: it is the one thing a new platform implements
 * (docs/porting.md says which parts are optional; examples/embed/ is a
 * complete hosted and bare-metal port in under 150 lines).
 */
#ifndef WB_PORT_H
#define WB_PORT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Called once before anything else (UART, timer, FPU set-up). */
void wb_port_init(void);

/* Console byte stream: the agent's protocol and libc-builtin output.
 * wb_port_getc blocks until a byte arrives and returns 0..255, or -1 when
 * the stream has ended (host stdin closed). */
void wb_port_putc(int c);
void wb_port_write(const void *buf, size_t len);
int wb_port_getc(void);

/* Monotonic time in microseconds (under QEMU -icount: instructions/1000). */
uint64_t wb_port_time_us(void);

/* End the firmware / process with an exit code (power-off under QEMU). */
void wb_port_exit(int code) __attribute__((noreturn));

/* Optional general-purpose allocator. A platform without one defines
 * WB_PORT_HAS_MALLOC 0 in its generated config and the runtime then
 * requires the global-heap-pool feature. */
void *wb_port_malloc(size_t size);
void wb_port_free(void *ptr);

/* Code memory for ahead-of-time compiled modules (feature aot only).
 * wb_port_code_alloc returns writable memory that wb_port_code_seal then
 * makes executable (and flushes from the instruction cache), or NULL: the
 * runtime then places code in its own heap, which must be executable (RAM
 * on MCUs without an MPU). wb_port_code_free releases what alloc gave. */
void *wb_port_code_alloc(size_t size);
void wb_port_code_seal(void *code, size_t size);
void wb_port_code_free(void *code, size_t size);

/* The runtime calls memcpy/memmove/memset/memcmp (the compiler emits them
 * too); a bare-metal port provides them (runtime_src/port/common/mem.c).
 * No other libc function is assumed. */

/* ---- System interface (libc-wasi) -------------------------------------------
 * Used only by runtime_src/libc/wasi (feature libc-wasi); a platform that
 * never selects the feature need not provide any of it. Every function
 * returns 0 on success or an error number WB_E* below, numbered as WASI
 * preview1's errno so that the runtime passes it through unchanged. A port
 * without a file system (bare metal) answers WB_ENOSYS to every wb_port_fs_*
 * call; the clock, random and sleep calls are expected everywhere.
 *
 * File handles are the port's own small integers (POSIX: file descriptors).
 * Names given to the wb_port_fs_* calls that take (dir, name) are ONE path
 * component (no '/', except possibly one trailing '/' that the caller kept
 * to demand a directory) or "."; the runtime walks paths itself, component
 * by component, so that a guest can never leave its preopened directories:
 * the port must never follow a symbolic link in `name` (O_NOFOLLOW,
 * AT_SYMLINK_NOFOLLOW) unless the call says so. */
#define WB_ESUCCESS 0
#define WB_E2BIG 1
#define WB_EACCES 2
#define WB_EAGAIN 6
#define WB_EBADF 8
#define WB_EBUSY 10
#define WB_EEXIST 20
#define WB_EFAULT 21
#define WB_EFBIG 22
#define WB_EILSEQ 25
#define WB_EINTR 27
#define WB_EINVAL 28
#define WB_EIO 29
#define WB_EISDIR 31
#define WB_ELOOP 32
#define WB_EMFILE 33
#define WB_EMLINK 34
#define WB_ENAMETOOLONG 37
#define WB_ENFILE 41
#define WB_ENOBUFS 42
#define WB_ENODEV 43
#define WB_ENOENT 44
#define WB_ENOMEM 48
#define WB_ENOSPC 51
#define WB_ENOSYS 52
#define WB_ENOTDIR 54
#define WB_ENOTEMPTY 55
#define WB_ENOTSOCK 57
#define WB_ENOTSUP 58
#define WB_ENOTTY 59
#define WB_ENXIO 60
#define WB_EOVERFLOW 61
#define WB_EPERM 63
#define WB_EPIPE 64
#define WB_EROFS 69
#define WB_ESPIPE 70
#define WB_ETXTBSY 74
#define WB_EXDEV 75
#define WB_ENOTCAPABLE 76

/* Clocks, ids as WASI: 0 realtime (ns since 1970), 1 monotonic, 2 process
 * CPU time, 3 thread CPU time. Bare metal: 1 from wb_port_time_us, the
 * others WB_EINVAL unless the board knows the date. */
int wb_port_clock_ns(uint32_t clock_id, uint64_t *ns);
int wb_port_clock_res_ns(uint32_t clock_id, uint64_t *ns);
/* Waits at least `ns` nanoseconds (busy-waits on the timer on bare metal). */
void wb_port_sleep_ns(uint64_t ns);
/* Fills buf with unpredictable bytes (OS entropy; a board's RNG hook), or
 * WB_ENOSYS when the board has no entropy source. */
int wb_port_random(void *buf, size_t len);

/* File types, as WASI's filetype. */
enum {
    WB_FT_UNKNOWN = 0, WB_FT_BLOCK = 1, WB_FT_CHAR = 2, WB_FT_DIR = 3,
    WB_FT_FILE = 4, WB_FT_SOCK_DGRAM = 5, WB_FT_SOCK_STREAM = 6, WB_FT_SYMLINK = 7
};

typedef struct wb_port_stat {
    uint64_t dev, ino, nlink, size;
    uint64_t atim, mtim, ctim; /* ns since 1970 */
    uint8_t filetype;          /* WB_FT_* */
} wb_port_stat;

/* wb_port_fs_open flags */
#define WB_FS_READ 0x001u
#define WB_FS_WRITE 0x002u
#define WB_FS_CREAT 0x004u
#define WB_FS_EXCL 0x008u
#define WB_FS_TRUNC 0x010u
#define WB_FS_DIRECTORY 0x020u /* fail with WB_ENOTDIR unless a directory   */
#define WB_FS_APPEND 0x040u
#define WB_FS_NONBLOCK 0x080u
#define WB_FS_DSYNC 0x100u
#define WB_FS_SYNC 0x200u
#define WB_FS_RSYNC 0x400u
#define WB_FS_FOLLOW 0x800u    /* follow a symlink in name (runtime: never) */

/* wb_port_fs_set_times `which` bits, as WASI's fstflags */
#define WB_FS_ATIM 1u
#define WB_FS_ATIM_NOW 2u
#define WB_FS_MTIM 4u
#define WB_FS_MTIM_NOW 8u

/* A host directory by its host path (the embedder's --dir), as a handle. */
int wb_port_fs_preopen(const char *host_path, int *fd);
int wb_port_fs_open(int dir, const char *name, uint32_t flags, int *fd);
int wb_port_fs_close(int fd);
int wb_port_fs_read(int fd, void *buf, size_t len, size_t *done);
int wb_port_fs_write(int fd, const void *buf, size_t len, size_t *done);
int wb_port_fs_pread(int fd, void *buf, size_t len, uint64_t off, size_t *done);
int wb_port_fs_pwrite(int fd, const void *buf, size_t len, uint64_t off, size_t *done);
/* whence 0 set, 1 current, 2 end (WASI's order) */
int wb_port_fs_seek(int fd, int64_t off, int whence, uint64_t *pos);
int wb_port_fs_sync(int fd, int data_only);
int wb_port_fs_fstat(int fd, wb_port_stat *st);
/* follow: 1 to follow a symlink in name (the runtime passes 0) */
int wb_port_fs_stat(int dir, const char *name, int follow, wb_port_stat *st);
int wb_port_fs_set_size(int fd, uint64_t size);
int wb_port_fs_allocate(int fd, uint64_t off, uint64_t len);
/* advice as WASI: 0 normal, 1 sequential, 2 random, 3 willneed, 4 dontneed, 5 noreuse */
int wb_port_fs_advise(int fd, uint64_t off, uint64_t len, int advice);
/* name NULL: the file `fd` itself; else `name` in directory `fd` (no follow) */
int wb_port_fs_set_times(int fd, const char *name, uint64_t atim, uint64_t mtim,
                         unsigned which);
/* WB_FS_APPEND / WB_FS_NONBLOCK / *SYNC bits of an open file */
int wb_port_fs_get_flags(int fd, uint32_t *flags);
int wb_port_fs_set_flags(int fd, uint32_t flags);
int wb_port_fs_isatty(int fd);
int wb_port_fs_mkdir(int dir, const char *name);
int wb_port_fs_rmdir(int dir, const char *name);
int wb_port_fs_unlink(int dir, const char *name);
int wb_port_fs_rename(int dir1, const char *name1, int dir2, const char *name2);
int wb_port_fs_link(int dir1, const char *name1, int dir2, const char *name2);
int wb_port_fs_symlink(const char *target, int dir, const char *name);
/* WB_EINVAL when name is not a symbolic link; *len: bytes stored (no NUL) */
int wb_port_fs_readlink(int dir, const char *name, char *buf, size_t cap, size_t *len);
/* Directory entries from position `cookie` (0: the start); calls fn for
 * each, with the cookie of the entry after it, until fn returns non-zero or
 * the directory ends. */
typedef int (*wb_port_dirent_fn)(void *user, uint64_t next, uint64_t ino, uint8_t filetype,
                                 const char *name, size_t name_len);
int wb_port_fs_readdir(int fd, uint64_t cookie, wb_port_dirent_fn fn, void *user);

/* ---- Threads (optional) -----------------------------------------------------
 * Used by shared-memory (atomic wait/notify, locks for atomics the compiler
 * cannot do lock-free) and wasi-threads (thread-spawn). A port with threads
 * defines WB_PORT_HAS_THREADS 1 in its generated config (platforms whose
 * `capabilities: threads` is true and whose port implements these calls:
 * POSIX threads in runtime_src/port/host/port_host_thread.c, NuttX's pthreads
 * in port/nuttx/port_nuttx_thread.c, RIOT threads in port/riot/
 * port_riot_thread.c; wasmbed/model/featuresel.py port_has_threads). A port
 * without threads (bare metal) provides none of this: the runtime then runs
 * single-threaded, a wait on shared memory times out at once (nobody could
 * notify it), and a build with wasi-threads is refused. */
typedef struct wb_port_mutex wb_port_mutex; /* the port's own types */
typedef struct wb_port_cond wb_port_cond;
/* NULL when out of memory */
wb_port_mutex *wb_port_mutex_new(void);
void wb_port_mutex_free(wb_port_mutex *m);
void wb_port_mutex_lock(wb_port_mutex *m);
void wb_port_mutex_unlock(wb_port_mutex *m);
wb_port_cond *wb_port_cond_new(void);
void wb_port_cond_free(wb_port_cond *c);
/* Waits (m locked) until signalled or `timeout_ns` have passed (UINT64_MAX:
 * no timeout). Returns 0 when signalled (or woken spuriously: the caller
 * checks its condition and the time, wb_port_time_us), 1 on timeout. */
int wb_port_cond_wait(wb_port_cond *c, wb_port_mutex *m, uint64_t timeout_ns);
void wb_port_cond_broadcast(wb_port_cond *c);
/* Starts fn(arg) on a new detached thread with `stack_size` bytes of native
 * stack (0: the port's default). Returns 0 or a WB_E* number. */
int wb_port_thread_start(void (*fn)(void *), void *arg, size_t stack_size);

#ifdef __cplusplus
}
#endif
#endif /* WB_PORT_H */
