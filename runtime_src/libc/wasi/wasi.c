/*
 * libc-wasi: the wasi_snapshot_preview1 functions as natives.
 *
 * Guest structures are read and written byte by byte in little-endian
 * order (big-endian boards too) after a bounds check; a pointer outside
 * linear memory answers EFAULT. Files go through wb_port_fs_*, clocks and
 * random through wb_port_clock_ns / wb_port_random; fds 0..2 are the
 * console (stdin empty, stdout/stderr to the sink). Paths are resolved by
 * wasi_path.c, confined to the preopened directories.
 */
#include <string.h>

#include "libc_wasi.h"
#include "wasi_internal.h"
#include "wb_port.h"

/* ---- WASI constants ---- */
#define R_FD_DATASYNC (1ull << 0)
#define R_FD_READ (1ull << 1)
#define R_FD_SEEK (1ull << 2)
#define R_FD_FDSTAT_SET_FLAGS (1ull << 3)
#define R_FD_SYNC (1ull << 4)
#define R_FD_TELL (1ull << 5)
#define R_FD_WRITE (1ull << 6)
#define R_FD_ADVISE (1ull << 7)
#define R_FD_ALLOCATE (1ull << 8)
#define R_PATH_CREATE_DIRECTORY (1ull << 9)
#define R_PATH_CREATE_FILE (1ull << 10)
#define R_PATH_LINK_SOURCE (1ull << 11)
#define R_PATH_LINK_TARGET (1ull << 12)
#define R_PATH_OPEN (1ull << 13)
#define R_FD_READDIR (1ull << 14)
#define R_PATH_READLINK (1ull << 15)
#define R_PATH_RENAME_SOURCE (1ull << 16)
#define R_PATH_RENAME_TARGET (1ull << 17)
#define R_PATH_FILESTAT_GET (1ull << 18)
#define R_PATH_FILESTAT_SET_SIZE (1ull << 19)
#define R_PATH_FILESTAT_SET_TIMES (1ull << 20)
#define R_FD_FILESTAT_GET (1ull << 21)
#define R_FD_FILESTAT_SET_SIZE (1ull << 22)
#define R_FD_FILESTAT_SET_TIMES (1ull << 23)
#define R_PATH_SYMLINK (1ull << 24)
#define R_PATH_REMOVE_DIRECTORY (1ull << 25)
#define R_PATH_UNLINK_FILE (1ull << 26)
#define R_POLL_FD_READWRITE (1ull << 27)
#define R_SOCK_SHUTDOWN (1ull << 28)
#define R_SOCK_ACCEPT (1ull << 29)

#define RIGHTS_FILE                                                                       \
    (R_FD_DATASYNC | R_FD_READ | R_FD_SEEK | R_FD_FDSTAT_SET_FLAGS | R_FD_SYNC |          \
     R_FD_TELL | R_FD_WRITE | R_FD_ADVISE | R_FD_ALLOCATE | R_FD_FILESTAT_GET |           \
     R_FD_FILESTAT_SET_SIZE | R_FD_FILESTAT_SET_TIMES | R_POLL_FD_READWRITE)
#define RIGHTS_DIR                                                                        \
    (R_FD_FDSTAT_SET_FLAGS | R_FD_SYNC | R_FD_ADVISE | R_PATH_CREATE_DIRECTORY |          \
     R_PATH_CREATE_FILE | R_PATH_LINK_SOURCE | R_PATH_LINK_TARGET | R_PATH_OPEN |         \
     R_FD_READDIR | R_PATH_READLINK | R_PATH_RENAME_SOURCE | R_PATH_RENAME_TARGET |       \
     R_PATH_FILESTAT_GET | R_PATH_FILESTAT_SET_SIZE | R_PATH_FILESTAT_SET_TIMES |         \
     R_FD_FILESTAT_GET | R_FD_FILESTAT_SET_TIMES | R_PATH_SYMLINK |                       \
     R_PATH_REMOVE_DIRECTORY | R_PATH_UNLINK_FILE)
#define RIGHTS_STDIO (R_FD_READ | R_FD_WRITE | R_FD_FDSTAT_SET_FLAGS | R_FD_FILESTAT_GET | \
                      R_POLL_FD_READWRITE)

#define FDFLAG_APPEND 1u
#define FDFLAG_DSYNC 2u
#define FDFLAG_NONBLOCK 4u
#define FDFLAG_RSYNC 8u
#define FDFLAG_SYNC 16u

#define OFLAG_CREAT 1u
#define OFLAG_DIRECTORY 2u
#define OFLAG_EXCL 4u
#define OFLAG_TRUNC 8u

#define LOOKUP_FOLLOW 1u

/* ---- state ---------------------------------------------------------------- */
enum { K_FREE = 0, K_STDIN, K_STDOUT, K_STDERR, K_FILE, K_DIR };
enum { S_ARG = 0, S_ENV = 1, S_PREOPEN = 2 };

typedef struct wfd {
    uint8_t kind;
    uint8_t filetype;
    int host;
    uint64_t rights, inheriting;
    int32_t preopen; /* index into items[], or -1 */
} wfd;

typedef struct item {
    uint32_t off, len;
    uint8_t kind;
} item;

static wfd fds[WB_WASI_MAX_FDS];
static char strs[WB_WASI_STRINGS];
static size_t strs_len;
static item items[WB_WASI_MAX_STRINGS];
static unsigned nitems;
static wb_wasi_sink sink;
static int ready;

void wb_wasi_set_output(wb_wasi_sink s) { sink = s; }

static void stdio_init(void)
{
    unsigned i;
    for (i = 0; i < 3; i++) {
        fds[i].kind = (uint8_t)(K_STDIN + i);
        fds[i].filetype = WB_FT_CHAR;
        fds[i].host = -1;
        fds[i].rights = i == 0 ? (RIGHTS_STDIO & ~R_FD_WRITE) : (RIGHTS_STDIO & ~R_FD_READ);
        fds[i].inheriting = 0;
        fds[i].preopen = -1;
    }
}

void wb_wasi_reset(void)
{
    unsigned i;
    for (i = 0; i < WB_WASI_MAX_FDS; i++) {
        if (ready && (fds[i].kind == K_FILE || fds[i].kind == K_DIR))
            wb_port_fs_close(fds[i].host);
        fds[i].kind = K_FREE;
        fds[i].preopen = -1;
    }
    strs_len = 0;
    nitems = 0;
    stdio_init();
    ready = 1;
}

static void ensure_ready(void)
{
    if (!ready)
        wb_wasi_reset();
}

static int add_string(uint8_t kind, const char *s, size_t n)
{
    size_t i;
    ensure_ready();
    for (i = 0; i < n; i++)
        if (!s[i])
            return WB_EINVAL;
    if (nitems >= WB_WASI_MAX_STRINGS || n + 1u > WB_WASI_STRINGS - strs_len)
        return WB_ENOMEM;
    memcpy(strs + strs_len, s, n);
    strs[strs_len + n] = 0;
    items[nitems].off = (uint32_t)strs_len;
    items[nitems].len = (uint32_t)n;
    items[nitems].kind = kind;
    nitems++;
    strs_len += n + 1u;
    return 0;
}

int wb_wasi_add_arg(const char *s, size_t n) { return add_string(S_ARG, s, n); }
int wb_wasi_add_env(const char *s, size_t n) { return add_string(S_ENV, s, n); }

static int alloc_fd(uint32_t *out)
{
    uint32_t i;
    for (i = 0; i < WB_WASI_MAX_FDS; i++)
        if (fds[i].kind == K_FREE) {
            *out = i;
            return 0;
        }
    return WB_EMFILE;
}

int wb_wasi_add_preopen(const char *guest, size_t guest_len, const char *host, size_t host_len)
{
    char path[WB_WASI_PATH_MAX + 1u];
    uint32_t fd;
    int h, st;
    ensure_ready();
    if (host_len > WB_WASI_PATH_MAX)
        return WB_ENAMETOOLONG;
    memcpy(path, host, host_len);
    path[host_len] = 0;
    if ((st = alloc_fd(&fd)) != 0)
        return st;
    if ((st = wb_port_fs_preopen(path, &h)) != 0)
        return st;
    if ((st = add_string(S_PREOPEN, guest, guest_len)) != 0) {
        wb_port_fs_close(h);
        return st;
    }
    fds[fd].kind = K_DIR;
    fds[fd].filetype = WB_FT_DIR;
    fds[fd].host = h;
    fds[fd].rights = RIGHTS_DIR;
    fds[fd].inheriting = RIGHTS_DIR | RIGHTS_FILE;
    fds[fd].preopen = (int32_t)(nitems - 1u);
    return 0;
}

/* ---- guest memory ---------------------------------------------------------------- */
typedef struct mem {
    uint8_t *p;
    uint32_t size;
} mem;

static void mem_open(mem *m, wb_ctx *ctx)
{
    m->p = wb_ctx_memory(ctx, &m->size);
    if (!m->p)
        m->size = 0;
}

static int ok(const mem *m, uint32_t addr, uint64_t len)
{
    return (uint64_t)addr + len <= m->size;
}

static void st8(mem *m, uint32_t a, uint8_t v) { m->p[a] = v; }
static void st16(mem *m, uint32_t a, uint16_t v)
{
    m->p[a] = (uint8_t)v;
    m->p[a + 1] = (uint8_t)(v >> 8);
}
static void st32(mem *m, uint32_t a, uint32_t v)
{
    unsigned i;
    for (i = 0; i < 4; i++)
        m->p[a + i] = (uint8_t)(v >> (8 * i));
}
static void st64(mem *m, uint32_t a, uint64_t v)
{
    unsigned i;
    for (i = 0; i < 8; i++)
        m->p[a + i] = (uint8_t)(v >> (8 * i));
}
static uint32_t ld32(const mem *m, uint32_t a)
{
    return (uint32_t)m->p[a] | (uint32_t)m->p[a + 1] << 8 | (uint32_t)m->p[a + 2] << 16 |
           (uint32_t)m->p[a + 3] << 24;
}
static uint64_t ld64(const mem *m, uint32_t a)
{
    return (uint64_t)ld32(m, a) | (uint64_t)ld32(m, a + 4) << 32;
}

static wb_status ret(wb_value *r, int err)
{
    r[0].type = WB_I32;
    r[0].of.i32 = (uint32_t)err;
    return WB_OK;
}

#define A32(i) (a[i].of.i32)
#define A64(i) (a[i].of.i64)

/* ---- fd helpers ------------------------------------------------------------------ */
static wfd *get_fd(uint32_t fd)
{
    ensure_ready();
    if (fd >= WB_WASI_MAX_FDS || fds[fd].kind == K_FREE)
        return NULL;
    return &fds[fd];
}

/* fd with `right`: EBADF when it is unknown or lacks the right */
static int need(uint32_t fd, uint64_t right, wfd **out)
{
    wfd *f = get_fd(fd);
    if (!f)
        return WB_EBADF;
    if ((f->rights & right) != right)
        return f->kind == K_DIR && (right & (R_FD_READ | R_FD_WRITE)) ? WB_EISDIR : WB_EBADF;
    *out = f;
    return 0;
}

/* a directory fd for a path operation */
static int need_dir(uint32_t fd, uint64_t right, wfd **out)
{
    wfd *f = get_fd(fd);
    if (!f)
        return WB_EBADF;
    if (f->kind != K_DIR)
        return WB_ENOTDIR;
    if ((f->rights & right) != right)
        return WB_ENOTCAPABLE;
    *out = f;
    return 0;
}

#if WB_FEATURE_WASI_THREADS && WB_PORT_HAS_THREADS
/* wasi-threads: threads print at the same time; their writes go out one at a time
 * (made by the first wb_wasi_register, before any thread is spawned) */
static wb_port_mutex *out_lock;
#endif

static void out_write(int fd, const char *buf, size_t len)
{
#if WB_FEATURE_WASI_THREADS && WB_PORT_HAS_THREADS
    wb_port_mutex_lock(out_lock);
#endif
    if (sink)
        sink(fd, buf, len);
    else
        wb_port_write(buf, len);
#if WB_FEATURE_WASI_THREADS && WB_PORT_HAS_THREADS
    wb_port_mutex_unlock(out_lock);
#endif
}

/* ---- args, environ ------------------------------------------------------------------ */
static void sizes_of(uint8_t kind, uint32_t *count, uint32_t *bytes)
{
    unsigned i;
    *count = *bytes = 0;
    for (i = 0; i < nitems; i++)
        if (items[i].kind == kind) {
            (*count)++;
            *bytes += items[i].len + 1u;
        }
}

static wb_status sizes_get(wb_ctx *ctx, const wb_value *a, wb_value *r, uint8_t kind)
{
    mem m;
    uint32_t count, bytes;
    ensure_ready();
    mem_open(&m, ctx);
    if (!ok(&m, A32(0), 4) || !ok(&m, A32(1), 4))
        return ret(r, WB_EFAULT);
    sizes_of(kind, &count, &bytes);
    st32(&m, A32(0), count);
    st32(&m, A32(1), bytes);
    return ret(r, 0);
}

static wb_status strings_get(wb_ctx *ctx, const wb_value *a, wb_value *r, uint8_t kind)
{
    mem m;
    uint32_t count, bytes, ptrs = A32(0), buf = A32(1), k = 0, off = 0;
    unsigned i;
    ensure_ready();
    mem_open(&m, ctx);
    sizes_of(kind, &count, &bytes);
    if (!ok(&m, ptrs, 4ull * count) || !ok(&m, buf, bytes))
        return ret(r, WB_EFAULT);
    for (i = 0; i < nitems; i++) {
        if (items[i].kind != kind)
            continue;
        st32(&m, ptrs + 4u * k++, buf + off);
        memcpy(m.p + buf + off, strs + items[i].off, items[i].len + 1u);
        off += items[i].len + 1u;
    }
    return ret(r, 0);
}

static wb_status n_args_sizes_get(wb_ctx *c, const wb_value *a, wb_value *r)
{
    return sizes_get(c, a, r, S_ARG);
}
static wb_status n_args_get(wb_ctx *c, const wb_value *a, wb_value *r)
{
    return strings_get(c, a, r, S_ARG);
}
static wb_status n_environ_sizes_get(wb_ctx *c, const wb_value *a, wb_value *r)
{
    return sizes_get(c, a, r, S_ENV);
}
static wb_status n_environ_get(wb_ctx *c, const wb_value *a, wb_value *r)
{
    return strings_get(c, a, r, S_ENV);
}

/* ---- clocks, random, process --------------------------------------------------------- */
static wb_status n_clock_res_get(wb_ctx *ctx, const wb_value *a, wb_value *r)
{
    mem m;
    uint64_t ns;
    int st;
    mem_open(&m, ctx);
    if (!ok(&m, A32(1), 8))
        return ret(r, WB_EFAULT);
    if ((st = wb_port_clock_res_ns(A32(0), &ns)) != 0)
        return ret(r, st);
    st64(&m, A32(1), ns);
    return ret(r, 0);
}

static wb_status n_clock_time_get(wb_ctx *ctx, const wb_value *a, wb_value *r)
{
    mem m;
    uint64_t ns;
    int st;
    mem_open(&m, ctx);
    if (!ok(&m, A32(2), 8))
        return ret(r, WB_EFAULT);
    if ((st = wb_port_clock_ns(A32(0), &ns)) != 0)
        return ret(r, st);
    st64(&m, A32(2), ns);
    return ret(r, 0);
}

/* A board without an entropy source (wb_port_random answers ENOSYS) gets
 * random bytes from a ChaCha20 generator keyed with seed bytes the host sends
 * (WASI frame kind 4, os.urandom on the host); after every request the key
 * is replaced by fresh output (fast key erasure). Unseeded: ENOSYS. */
static uint32_t rng_key[8];
static uint64_t rng_ctr;
static int rng_seeded;

#define ROTL(v, n) (((v) << (n)) | ((v) >> (32 - (n))))
#define QR(a, b, c, d)                                                                   \
    (a += b, d ^= a, d = ROTL(d, 16), c += d, b ^= c, b = ROTL(b, 12), a += b, d ^= a,   \
     d = ROTL(d, 8), c += d, b ^= c, b = ROTL(b, 7))

static void chacha_block(uint8_t out[64])
{
    uint32_t in[16], x[16];
    unsigned i;
    in[0] = 0x61707865u;
    in[1] = 0x3320646eu;
    in[2] = 0x79622d32u;
    in[3] = 0x6b206574u;
    for (i = 0; i < 8; i++)
        in[4 + i] = rng_key[i];
    in[12] = (uint32_t)rng_ctr;
    in[13] = (uint32_t)(rng_ctr >> 32);
    in[14] = in[15] = 0;
    rng_ctr++;
    memcpy(x, in, sizeof x);
    for (i = 0; i < 10; i++) {
        QR(x[0], x[4], x[8], x[12]);
        QR(x[1], x[5], x[9], x[13]);
        QR(x[2], x[6], x[10], x[14]);
        QR(x[3], x[7], x[11], x[15]);
        QR(x[0], x[5], x[10], x[15]);
        QR(x[1], x[6], x[11], x[12]);
        QR(x[2], x[7], x[8], x[13]);
        QR(x[3], x[4], x[9], x[14]);
    }
    for (i = 0; i < 16; i++) {
        uint32_t v = x[i] + in[i];
        out[4 * i] = (uint8_t)v;
        out[4 * i + 1] = (uint8_t)(v >> 8);
        out[4 * i + 2] = (uint8_t)(v >> 16);
        out[4 * i + 3] = (uint8_t)(v >> 24);
    }
}

int wb_wasi_add_seed(const void *seed, size_t n)
{
    const uint8_t *p = (const uint8_t *)seed;
    size_t i;
    for (i = 0; i < n; i++)
        rng_key[(i / 4u) % 8u] ^= (uint32_t)p[i] << (8u * (i % 4u));
    if (n)
        rng_seeded = 1;
    return 0;
}

static int seeded_random(uint8_t *dst, uint32_t len)
{
    uint8_t block[64];
    unsigned i;
    if (!rng_seeded)
        return WB_ENOSYS;
    while (len) {
        uint32_t n = len < 64u ? len : 64u;
        chacha_block(block);
        memcpy(dst, block, n);
        dst += n;
        len -= n;
    }
    chacha_block(block); /* rekey: earlier output cannot be recomputed */
    for (i = 0; i < 8; i++)
        rng_key[i] = (uint32_t)block[4 * i] | (uint32_t)block[4 * i + 1] << 8 |
                     (uint32_t)block[4 * i + 2] << 16 | (uint32_t)block[4 * i + 3] << 24;
    memset(block, 0, sizeof block);
    return 0;
}

static wb_status n_random_get(wb_ctx *ctx, const wb_value *a, wb_value *r)
{
    mem m;
    int st;
    mem_open(&m, ctx);
    if (!ok(&m, A32(0), A32(1)))
        return ret(r, WB_EFAULT);
    if (!A32(1))
        return ret(r, 0);
    st = wb_port_random(m.p + A32(0), A32(1));
    if (st == WB_ENOSYS)
        st = seeded_random(m.p + A32(0), A32(1));
    return ret(r, st);
}

static wb_status n_proc_exit(wb_ctx *ctx, const wb_value *a, wb_value *r)
{
    (void)r;
    return wb_ctx_exit(ctx, (int)A32(0));
}

static wb_status n_proc_raise(wb_ctx *ctx, const wb_value *a, wb_value *r)
{
    (void)ctx;
    (void)a;
    return ret(r, WB_ENOSYS);
}

static wb_status n_sched_yield(wb_ctx *ctx, const wb_value *a, wb_value *r)
{
    (void)ctx;
    (void)a;
    return ret(r, 0);
}

/* ---- fd: read & write ------------------------------------------------------------------ */
/* mode 0 read, 1 write; positioned when pos != NULL */
static wb_status rw(wb_ctx *ctx, uint32_t fd, uint32_t iovs, uint32_t n, const uint64_t *pos,
                    uint32_t result, int write, wb_value *r)
{
    mem m;
    wfd *f;
    uint32_t i;
    uint64_t total = 0;
    int st = need(fd, write ? R_FD_WRITE : R_FD_READ, &f);
    mem_open(&m, ctx);
    if (st)
        return ret(r, st);
    if (!ok(&m, iovs, 8ull * n) || !ok(&m, result, 4))
        return ret(r, WB_EFAULT);
    for (i = 0; i < n; i++)
        if (!ok(&m, ld32(&m, iovs + 8 * i), ld32(&m, iovs + 8 * i + 4)))
            return ret(r, WB_EFAULT);
    if (pos && f->kind != K_FILE)
        return ret(r, WB_ESPIPE);
    for (i = 0; i < n; i++) {
        uint32_t buf = ld32(&m, iovs + 8 * i), len = ld32(&m, iovs + 8 * i + 4);
        size_t done = 0;
        if (f->kind == K_STDIN) {
            done = 0; /* the console input is empty: end of file */
        } else if (f->kind == K_STDOUT || f->kind == K_STDERR) {
            out_write(f->kind == K_STDOUT ? 1 : 2, (const char *)m.p + buf, len);
            done = len;
        } else if (pos) {
            st = write ? wb_port_fs_pwrite(f->host, m.p + buf, len, *pos + total, &done)
                       : wb_port_fs_pread(f->host, m.p + buf, len, *pos + total, &done);
        } else {
            st = write ? wb_port_fs_write(f->host, m.p + buf, len, &done)
                       : wb_port_fs_read(f->host, m.p + buf, len, &done);
        }
        if (st) {
            if (total)
                break; /* report what was transferred */
            return ret(r, st);
        }
        total += done;
        if (done < len)
            break;
    }
    st32(&m, result, (uint32_t)total);
    return ret(r, 0);
}

static wb_status n_fd_read(wb_ctx *c, const wb_value *a, wb_value *r)
{
    return rw(c, A32(0), A32(1), A32(2), NULL, A32(3), 0, r);
}
static wb_status n_fd_write(wb_ctx *c, const wb_value *a, wb_value *r)
{
    return rw(c, A32(0), A32(1), A32(2), NULL, A32(3), 1, r);
}
static wb_status n_fd_pread(wb_ctx *c, const wb_value *a, wb_value *r)
{
    uint64_t off = A64(3);
    return rw(c, A32(0), A32(1), A32(2), &off, A32(4), 0, r);
}
static wb_status n_fd_pwrite(wb_ctx *c, const wb_value *a, wb_value *r)
{
    uint64_t off = A64(3);
    return rw(c, A32(0), A32(1), A32(2), &off, A32(4), 1, r);
}

/* ---- fd: the rest ------------------------------------------------------------------------ */
static wb_status n_fd_close(wb_ctx *ctx, const wb_value *a, wb_value *r)
{
    wfd *f = get_fd(A32(0));
    (void)ctx;
    if (!f)
        return ret(r, WB_EBADF);
    if (f->kind == K_FILE || f->kind == K_DIR)
        wb_port_fs_close(f->host);
    f->kind = K_FREE;
    f->preopen = -1;
    return ret(r, 0);
}

static wb_status n_fd_renumber(wb_ctx *ctx, const wb_value *a, wb_value *r)
{
    wfd *from = get_fd(A32(0)), *to = get_fd(A32(1));
    (void)ctx;
    if (!from || !to)
        return ret(r, WB_EBADF);
    if (from == to)
        return ret(r, 0);
    if (to->kind == K_FILE || to->kind == K_DIR)
        wb_port_fs_close(to->host);
    *to = *from;
    from->kind = K_FREE;
    from->preopen = -1;
    return ret(r, 0);
}

static wb_status sync_fd(const wb_value *a, wb_value *r, int data_only)
{
    wfd *f;
    int st = need(A32(0), data_only ? R_FD_DATASYNC : R_FD_SYNC, &f);
    if (st)
        return ret(r, st);
    if (f->kind != K_FILE && f->kind != K_DIR)
        return ret(r, WB_EINVAL);
    return ret(r, wb_port_fs_sync(f->host, data_only));
}
static wb_status n_fd_sync(wb_ctx *c, const wb_value *a, wb_value *r)
{
    (void)c;
    return sync_fd(a, r, 0);
}
static wb_status n_fd_datasync(wb_ctx *c, const wb_value *a, wb_value *r)
{
    (void)c;
    return sync_fd(a, r, 1);
}

static wb_status n_fd_seek(wb_ctx *ctx, const wb_value *a, wb_value *r)
{
    mem m;
    wfd *f;
    uint64_t pos;
    uint32_t whence = A32(2);
    int64_t off = (int64_t)A64(1);
    int st = need(A32(0), (whence == 1 && off == 0) ? R_FD_TELL : R_FD_SEEK, &f);
    mem_open(&m, ctx);
    if (st)
        return ret(r, st);
    if (!ok(&m, A32(3), 8))
        return ret(r, WB_EFAULT);
    if (whence > 2)
        return ret(r, WB_EINVAL);
    if (f->kind != K_FILE)
        return ret(r, WB_ESPIPE);
    if ((st = wb_port_fs_seek(f->host, off, (int)whence, &pos)) != 0)
        return ret(r, st);
    st64(&m, A32(3), pos);
    return ret(r, 0);
}

static wb_status n_fd_tell(wb_ctx *ctx, const wb_value *a, wb_value *r)
{
    mem m;
    wfd *f;
    uint64_t pos;
    int st = need(A32(0), R_FD_TELL, &f);
    mem_open(&m, ctx);
    if (st)
        return ret(r, st);
    if (!ok(&m, A32(1), 8))
        return ret(r, WB_EFAULT);
    if (f->kind != K_FILE)
        return ret(r, WB_ESPIPE);
    if ((st = wb_port_fs_seek(f->host, 0, 1, &pos)) != 0)
        return ret(r, st);
    st64(&m, A32(1), pos);
    return ret(r, 0);
}

static uint16_t fdflags_of(uint32_t port_flags)
{
    uint16_t v = 0;
    if (port_flags & WB_FS_APPEND) v |= FDFLAG_APPEND;
    if (port_flags & WB_FS_NONBLOCK) v |= FDFLAG_NONBLOCK;
    if (port_flags & WB_FS_DSYNC) v |= FDFLAG_DSYNC;
    if (port_flags & WB_FS_SYNC) v |= FDFLAG_SYNC;
    if (port_flags & WB_FS_RSYNC) v |= FDFLAG_RSYNC;
    return v;
}

static wb_status n_fd_fdstat_get(wb_ctx *ctx, const wb_value *a, wb_value *r)
{
    mem m;
    wfd *f = get_fd(A32(0));
    uint32_t pf = 0;
    mem_open(&m, ctx);
    if (!f)
        return ret(r, WB_EBADF);
    if (!ok(&m, A32(1), 24))
        return ret(r, WB_EFAULT);
    if (f->kind == K_FILE)
        (void)wb_port_fs_get_flags(f->host, &pf);
    memset(m.p + A32(1), 0, 24);
    st8(&m, A32(1), f->filetype);
    st16(&m, A32(1) + 2, fdflags_of(pf));
    st64(&m, A32(1) + 8, f->rights);
    st64(&m, A32(1) + 16, f->inheriting);
    return ret(r, 0);
}

static wb_status n_fd_fdstat_set_flags(wb_ctx *ctx, const wb_value *a, wb_value *r)
{
    wfd *f;
    uint32_t fl = A32(1), pf = 0;
    int st = need(A32(0), R_FD_FDSTAT_SET_FLAGS, &f);
    (void)ctx;
    if (st)
        return ret(r, st);
    if (fl & ~(FDFLAG_APPEND | FDFLAG_DSYNC | FDFLAG_NONBLOCK | FDFLAG_RSYNC | FDFLAG_SYNC))
        return ret(r, WB_EINVAL);
    if (f->kind != K_FILE)
        return ret(r, f->kind == K_DIR ? WB_EBADF : 0);
    if (fl & (FDFLAG_DSYNC | FDFLAG_RSYNC | FDFLAG_SYNC))
        return ret(r, WB_ENOTSUP); /* the sync modes are fixed at open */
    if (fl & FDFLAG_APPEND) pf |= WB_FS_APPEND;
    if (fl & FDFLAG_NONBLOCK) pf |= WB_FS_NONBLOCK;
    return ret(r, wb_port_fs_set_flags(f->host, pf));
}

static wb_status n_fd_fdstat_set_rights(wb_ctx *ctx, const wb_value *a, wb_value *r)
{
    wfd *f = get_fd(A32(0));
    uint64_t base = A64(1), inh = A64(2);
    (void)ctx;
    if (!f)
        return ret(r, WB_EBADF);
    if ((base & ~f->rights) || (inh & ~f->inheriting))
        return ret(r, WB_ENOTCAPABLE); /* rights can only be dropped */
    f->rights = base;
    f->inheriting = inh;
    return ret(r, 0);
}

static void put_filestat(mem *m, uint32_t at, const wb_port_stat *s)
{
    memset(m->p + at, 0, 64);
    st64(m, at, s->dev);
    st64(m, at + 8, s->ino);
    st8(m, at + 16, s->filetype);
    st64(m, at + 24, s->nlink);
    st64(m, at + 32, s->size);
    st64(m, at + 40, s->atim);
    st64(m, at + 48, s->mtim);
    st64(m, at + 56, s->ctim);
}

static wb_status n_fd_filestat_get(wb_ctx *ctx, const wb_value *a, wb_value *r)
{
    mem m;
    wfd *f;
    wb_port_stat s;
    int st = need(A32(0), R_FD_FILESTAT_GET, &f);
    mem_open(&m, ctx);
    if (st)
        return ret(r, st);
    if (!ok(&m, A32(1), 64))
        return ret(r, WB_EFAULT);
    memset(&s, 0, sizeof s);
    if (f->kind == K_FILE || f->kind == K_DIR) {
        if ((st = wb_port_fs_fstat(f->host, &s)) != 0)
            return ret(r, st);
    } else {
        s.filetype = WB_FT_CHAR;
    }
    put_filestat(&m, A32(1), &s);
    return ret(r, 0);
}

static wb_status n_fd_filestat_set_size(wb_ctx *ctx, const wb_value *a, wb_value *r)
{
    wfd *f;
    int st = need(A32(0), R_FD_FILESTAT_SET_SIZE, &f);
    (void)ctx;
    if (st)
        return ret(r, st);
    if (f->kind != K_FILE)
        return ret(r, WB_EINVAL);
    return ret(r, wb_port_fs_set_size(f->host, A64(1)));
}

static int bad_fst(uint32_t fst)
{
    return (fst & ~0xFu) || ((fst & WB_FS_ATIM) && (fst & WB_FS_ATIM_NOW)) ||
           ((fst & WB_FS_MTIM) && (fst & WB_FS_MTIM_NOW));
}

static wb_status n_fd_filestat_set_times(wb_ctx *ctx, const wb_value *a, wb_value *r)
{
    wfd *f;
    int st = need(A32(0), R_FD_FILESTAT_SET_TIMES, &f);
    (void)ctx;
    if (st)
        return ret(r, st);
    if (bad_fst(A32(3)))
        return ret(r, WB_EINVAL);
    if (f->kind != K_FILE && f->kind != K_DIR)
        return ret(r, WB_EINVAL);
    return ret(r, wb_port_fs_set_times(f->host, NULL, A64(1), A64(2), A32(3)));
}

static wb_status n_fd_advise(wb_ctx *ctx, const wb_value *a, wb_value *r)
{
    wfd *f;
    int st = need(A32(0), R_FD_ADVISE, &f);
    (void)ctx;
    if (st)
        return ret(r, st);
    if (A32(3) > 5)
        return ret(r, WB_EINVAL);
    if (f->kind != K_FILE)
        return ret(r, WB_EBADF);
    return ret(r, wb_port_fs_advise(f->host, A64(1), A64(2), (int)A32(3)));
}

static wb_status n_fd_allocate(wb_ctx *ctx, const wb_value *a, wb_value *r)
{
    wfd *f;
    int st = need(A32(0), R_FD_ALLOCATE, &f);
    (void)ctx;
    if (st)
        return ret(r, st);
    if (f->kind != K_FILE)
        return ret(r, WB_EBADF);
    return ret(r, wb_port_fs_allocate(f->host, A64(1), A64(2)));
}

static wb_status n_fd_prestat_get(wb_ctx *ctx, const wb_value *a, wb_value *r)
{
    mem m;
    wfd *f = get_fd(A32(0));
    mem_open(&m, ctx);
    if (!f || f->preopen < 0)
        return ret(r, WB_EBADF);
    if (!ok(&m, A32(1), 8))
        return ret(r, WB_EFAULT);
    memset(m.p + A32(1), 0, 8);
    st32(&m, A32(1) + 4, items[f->preopen].len);
    return ret(r, 0);
}

static wb_status n_fd_prestat_dir_name(wb_ctx *ctx, const wb_value *a, wb_value *r)
{
    mem m;
    wfd *f = get_fd(A32(0));
    mem_open(&m, ctx);
    if (!f || f->preopen < 0)
        return ret(r, WB_EBADF);
    if (A32(2) < items[f->preopen].len)
        return ret(r, WB_ENAMETOOLONG);
    if (!ok(&m, A32(1), items[f->preopen].len))
        return ret(r, WB_EFAULT);
    memcpy(m.p + A32(1), strs + items[f->preopen].off, items[f->preopen].len);
    return ret(r, 0);
}

/* fd_readdir: entries packed as (d_next u64, d_ino u64, d_namlen u32,
 * d_type u8, 3 pad) + name; the last one may be cut at the buffer's end. */
typedef struct rd {
    mem *m;
    uint32_t buf, cap, used;
} rd;

static int rd_entry(void *user, uint64_t next, uint64_t ino, uint8_t type, const char *name,
                    size_t name_len)
{
    rd *d = (rd *)user;
    uint8_t hdr[24];
    uint32_t i, n;
    for (i = 0; i < 8; i++) {
        hdr[i] = (uint8_t)(next >> (8 * i));
        hdr[8 + i] = (uint8_t)(ino >> (8 * i));
    }
    for (i = 0; i < 4; i++)
        hdr[16 + i] = (uint8_t)((uint32_t)name_len >> (8 * i));
    hdr[20] = type;
    hdr[21] = hdr[22] = hdr[23] = 0;
    n = d->cap - d->used < 24u ? d->cap - d->used : 24u;
    memcpy(d->m->p + d->buf + d->used, hdr, n);
    d->used += n;
    n = d->cap - d->used < name_len ? d->cap - d->used : (uint32_t)name_len;
    memcpy(d->m->p + d->buf + d->used, name, n);
    d->used += n;
    return d->used >= d->cap;
}

static wb_status n_fd_readdir(wb_ctx *ctx, const wb_value *a, wb_value *r)
{
    mem m;
    wfd *f = get_fd(A32(0));
    rd d;
    int st;
    mem_open(&m, ctx);
    if (!f)
        return ret(r, WB_EBADF);
    if (f->kind != K_DIR)
        return ret(r, WB_ENOTDIR);
    if (!(f->rights & R_FD_READDIR))
        return ret(r, WB_ENOTCAPABLE);
    if (!ok(&m, A32(1), A32(2)) || !ok(&m, A32(4), 4))
        return ret(r, WB_EFAULT);
    d.m = &m;
    d.buf = A32(1);
    d.cap = A32(2);
    d.used = 0;
    if (d.cap) {
        st = wb_port_fs_readdir(f->host, A64(3), rd_entry, &d);
        if (st)
            return ret(r, st);
    }
    st32(&m, A32(4), d.used);
    return ret(r, 0);
}

/* ---- paths ---------------------------------------------------------------------------- */
/* Resolves the guest path (ptr, len) below directory fd `fd`. */
static int resolve(mem *m, uint32_t fd, uint64_t right, uint32_t ptr, uint32_t len,
                   int follow, wasi_path *p)
{
    wfd *f;
    int st = need_dir(fd, right, &f);
    if (st)
        return st;
    if (!ok(m, ptr, len))
        return WB_EFAULT;
    return wasi_path_resolve(p, f->host, (const char *)m->p + ptr, len, follow);
}

static wb_status n_path_open(wb_ctx *ctx, const wb_value *a, wb_value *r)
{
    mem m;
    wasi_path p;
    wfd *dir;
    uint32_t dirflags = A32(1), oflags = A32(4), fdflags = A32(7), flags = 0, nfd;
    uint64_t base = A64(5), inh = A64(6);
    wb_port_stat s;
    int st, h, write;
    mem_open(&m, ctx);
    if ((st = need_dir(A32(0), R_PATH_OPEN, &dir)) != 0)
        return ret(r, st);
    if (!ok(&m, A32(8), 4))
        return ret(r, WB_EFAULT);
    if ((oflags & OFLAG_CREAT) && !(dir->rights & R_PATH_CREATE_FILE))
        return ret(r, WB_ENOTCAPABLE);
    if ((oflags & OFLAG_TRUNC) && !(dir->rights & R_PATH_FILESTAT_SET_SIZE))
        return ret(r, WB_ENOTCAPABLE);
    if ((st = alloc_fd(&nfd)) != 0)
        return ret(r, st);
    write = (base & (R_FD_WRITE | R_FD_ALLOCATE | R_FD_FILESTAT_SET_SIZE)) != 0 ||
            (fdflags & FDFLAG_APPEND) || (oflags & OFLAG_TRUNC);
    if (oflags & OFLAG_DIRECTORY) {
        if (oflags & (OFLAG_CREAT | OFLAG_TRUNC))
            return ret(r, WB_EINVAL);
        if (base & R_FD_WRITE)
            return ret(r, WB_EISDIR); /* a directory is never open for writing */
        flags = WB_FS_READ | WB_FS_DIRECTORY;
    } else {
        flags = WB_FS_READ | (write ? WB_FS_WRITE : 0u);
        if (write && !(base & (R_FD_READ | R_FD_READDIR)))
            flags = WB_FS_WRITE;
    }
    if (oflags & OFLAG_CREAT) flags |= WB_FS_CREAT;
    if (oflags & OFLAG_EXCL) flags |= WB_FS_EXCL;
    if (oflags & OFLAG_TRUNC) flags |= WB_FS_TRUNC;
    if (fdflags & FDFLAG_APPEND) flags |= WB_FS_APPEND;
    if (fdflags & FDFLAG_NONBLOCK) flags |= WB_FS_NONBLOCK;
    if (fdflags & FDFLAG_DSYNC) flags |= WB_FS_DSYNC;
    if (fdflags & FDFLAG_SYNC) flags |= WB_FS_SYNC;
    if (fdflags & FDFLAG_RSYNC) flags |= WB_FS_RSYNC;
    st = resolve(&m, A32(0), R_PATH_OPEN, A32(2), A32(3), (dirflags & LOOKUP_FOLLOW) != 0, &p);
    if (st)
        return ret(r, st);
    st = wb_port_fs_open(p.dir, p.name, flags, &h);
    wasi_path_release(&p);
    if (st)
        return ret(r, st);
    if ((st = wb_port_fs_fstat(h, &s)) != 0) {
        wb_port_fs_close(h);
        return ret(r, st);
    }
    fds[nfd].host = h;
    fds[nfd].filetype = s.filetype;
    fds[nfd].preopen = -1;
    if (s.filetype == WB_FT_DIR) {
        fds[nfd].kind = K_DIR;
        fds[nfd].rights = base & RIGHTS_DIR & dir->inheriting;
        fds[nfd].inheriting = inh & dir->inheriting;
    } else {
        uint64_t rights = base & RIGHTS_FILE & dir->inheriting;
        if (!(flags & WB_FS_WRITE))
            rights &= ~(R_FD_WRITE | R_FD_ALLOCATE | R_FD_FILESTAT_SET_SIZE | R_FD_DATASYNC);
        if (!(flags & WB_FS_READ))
            rights &= ~R_FD_READ;
        fds[nfd].kind = K_FILE;
        fds[nfd].rights = rights;
        fds[nfd].inheriting = inh & dir->inheriting;
    }
    st32(&m, A32(8), nfd);
    return ret(r, 0);
}

static wb_status n_path_create_directory(wb_ctx *ctx, const wb_value *a, wb_value *r)
{
    mem m;
    wasi_path p;
    int st;
    mem_open(&m, ctx);
    st = resolve(&m, A32(0), R_PATH_CREATE_DIRECTORY, A32(1), A32(2), 0, &p);
    if (st)
        return ret(r, st);
    st = wb_port_fs_mkdir(p.dir, p.name);
    wasi_path_release(&p);
    return ret(r, st);
}

static wb_status n_path_remove_directory(wb_ctx *ctx, const wb_value *a, wb_value *r)
{
    mem m;
    wasi_path p;
    int st;
    mem_open(&m, ctx);
    st = resolve(&m, A32(0), R_PATH_REMOVE_DIRECTORY, A32(1), A32(2), 0, &p);
    if (st)
        return ret(r, st);
    st = p.name[0] == '.' && !p.name[1] ? WB_EBUSY : wb_port_fs_rmdir(p.dir, p.name);
    wasi_path_release(&p);
    return ret(r, st);
}

static wb_status n_path_unlink_file(wb_ctx *ctx, const wb_value *a, wb_value *r)
{
    mem m;
    wasi_path p;
    int st;
    mem_open(&m, ctx);
    st = resolve(&m, A32(0), R_PATH_UNLINK_FILE, A32(1), A32(2), 0, &p);
    if (st)
        return ret(r, st);
    st = wb_port_fs_unlink(p.dir, p.name);
    wasi_path_release(&p);
    return ret(r, st);
}

static wb_status n_path_filestat_get(wb_ctx *ctx, const wb_value *a, wb_value *r)
{
    mem m;
    wasi_path p;
    wb_port_stat s;
    int st;
    mem_open(&m, ctx);
    if (!ok(&m, A32(4), 64))
        return ret(r, WB_EFAULT);
    st = resolve(&m, A32(0), R_PATH_FILESTAT_GET, A32(2), A32(3), (A32(1) & LOOKUP_FOLLOW) != 0,
                 &p);
    if (st)
        return ret(r, st);
    st = wb_port_fs_stat(p.dir, p.name, 0, &s);
    wasi_path_release(&p);
    if (st)
        return ret(r, st);
    put_filestat(&m, A32(4), &s);
    return ret(r, 0);
}

static wb_status n_path_filestat_set_times(wb_ctx *ctx, const wb_value *a, wb_value *r)
{
    mem m;
    wasi_path p;
    int st;
    mem_open(&m, ctx);
    if (bad_fst(A32(6)))
        return ret(r, WB_EINVAL);
    st = resolve(&m, A32(0), R_PATH_FILESTAT_SET_TIMES, A32(2), A32(3),
                 (A32(1) & LOOKUP_FOLLOW) != 0, &p);
    if (st)
        return ret(r, st);
    st = wb_port_fs_set_times(p.dir, p.name, A64(4), A64(5), A32(6));
    wasi_path_release(&p);
    return ret(r, st);
}

static wb_status n_path_readlink(wb_ctx *ctx, const wb_value *a, wb_value *r)
{
    static char buf[WB_WASI_PATH_MAX];
    mem m;
    wasi_path p;
    size_t n = 0;
    int st;
    mem_open(&m, ctx);
    if (!ok(&m, A32(3), A32(4)) || !ok(&m, A32(5), 4))
        return ret(r, WB_EFAULT);
    st = resolve(&m, A32(0), R_PATH_READLINK, A32(1), A32(2), 0, &p);
    if (st)
        return ret(r, st);
    st = wb_port_fs_readlink(p.dir, p.name, buf, sizeof buf, &n);
    wasi_path_release(&p);
    if (st)
        return ret(r, st);
    if (n > A32(4))
        n = A32(4);
    memcpy(m.p + A32(3), buf, n);
    st32(&m, A32(5), (uint32_t)n);
    return ret(r, 0);
}

static wb_status n_path_symlink(wb_ctx *ctx, const wb_value *a, wb_value *r)
{
    static char target[WB_WASI_PATH_MAX + 1u];
    mem m;
    wasi_path p;
    uint32_t i;
    int st;
    mem_open(&m, ctx);
    if (!ok(&m, A32(0), A32(1)))
        return ret(r, WB_EFAULT);
    if (A32(1) > WB_WASI_PATH_MAX)
        return ret(r, WB_ENAMETOOLONG);
    for (i = 0; i < A32(1); i++)
        if (!m.p[A32(0) + i])
            return ret(r, WB_EILSEQ);
    memcpy(target, m.p + A32(0), A32(1));
    target[A32(1)] = 0;
    if (target[0] == '/')
        return ret(r, WB_EPERM); /* would point outside every preopen */
    st = resolve(&m, A32(2), R_PATH_SYMLINK, A32(3), A32(4), 0, &p);
    if (st)
        return ret(r, st);
    st = wb_port_fs_symlink(target, p.dir, p.name);
    wasi_path_release(&p);
    return ret(r, st);
}

static wb_status two_paths(wb_ctx *ctx, wb_value *r, uint32_t fd1, uint64_t right1,
                           uint32_t p1, uint32_t l1, int follow1, uint32_t fd2, uint64_t right2,
                           uint32_t p2, uint32_t l2, int link)
{
    mem m;
    wasi_path a, b;
    int st;
    mem_open(&m, ctx);
    st = resolve(&m, fd1, right1, p1, l1, follow1, &a);
    if (st)
        return ret(r, st);
    st = resolve(&m, fd2, right2, p2, l2, 0, &b);
    if (st) {
        wasi_path_release(&a);
        return ret(r, st);
    }
    st = link ? wb_port_fs_link(a.dir, a.name, b.dir, b.name)
              : wb_port_fs_rename(a.dir, a.name, b.dir, b.name);
    wasi_path_release(&b);
    wasi_path_release(&a);
    return ret(r, st);
}

static wb_status n_path_rename(wb_ctx *ctx, const wb_value *a, wb_value *r)
{
    return two_paths(ctx, r, A32(0), R_PATH_RENAME_SOURCE, A32(1), A32(2), 0, A32(3),
                     R_PATH_RENAME_TARGET, A32(4), A32(5), 0);
}

static wb_status n_path_link(wb_ctx *ctx, const wb_value *a, wb_value *r)
{
    return two_paths(ctx, r, A32(0), R_PATH_LINK_SOURCE, A32(2), A32(3),
                     (A32(1) & LOOKUP_FOLLOW) != 0, A32(4), R_PATH_LINK_TARGET, A32(5), A32(6),
                     1);
}

/* ---- poll_oneoff: clocks, and fds that are always ready ----------------------------- */
static wb_status n_poll_oneoff(wb_ctx *ctx, const wb_value *a, wb_value *r)
{
    mem m;
    uint32_t in = A32(0), out = A32(1), n = A32(2), i, nev = 0;
    uint64_t now = 0, wake = UINT64_MAX;
    int st;
    mem_open(&m, ctx);
    if (n == 0)
        return ret(r, WB_EINVAL);
    if (!ok(&m, in, 48ull * n) || !ok(&m, out, 32ull * n) || !ok(&m, A32(3), 4))
        return ret(r, WB_EFAULT);
    if ((st = wb_port_clock_ns(1, &now)) != 0)
        return ret(r, st);
    /* pass 1: fd subscriptions (ready at once) and the earliest clock */
    for (i = 0; i < n; i++) {
        uint32_t s = in + 48u * i, e;
        uint8_t tag = m.p[s + 8];
        if (tag == 0) {
            uint32_t id = ld32(&m, s + 16);
            uint64_t t = ld64(&m, s + 24), deadline, base;
            uint16_t fl = (uint16_t)(m.p[s + 40] | m.p[s + 41] << 8);
            if (wb_port_clock_ns(id, &base) != 0) {
                e = out + 32u * nev++;
                memset(m.p + e, 0, 32);
                st64(&m, e, ld64(&m, s));
                st16(&m, e + 8, WB_EINVAL);
                st8(&m, e + 10, 0);
                continue;
            }
            if (fl & 1u) /* absolute */
                deadline = t > base ? now + (t - base) : now;
            else
                deadline = now + t < now ? UINT64_MAX : now + t;
            if (deadline < wake)
                wake = deadline;
        } else if (tag == 1 || tag == 2) {
            wfd *f = get_fd(ld32(&m, s + 16));
            uint16_t err = 0;
            uint64_t nbytes = 0;
            if (!f)
                err = WB_EBADF;
            else if (f->kind == K_DIR)
                err = WB_EBADF;
            else if (tag == 1 && f->kind == K_FILE) {
                wb_port_stat fs;
                uint64_t pos;
                if (wb_port_fs_fstat(f->host, &fs) == 0 &&
                    wb_port_fs_seek(f->host, 0, 1, &pos) == 0 && fs.size > pos)
                    nbytes = fs.size - pos;
            }
            e = out + 32u * nev++;
            memset(m.p + e, 0, 32);
            st64(&m, e, ld64(&m, s));
            st16(&m, e + 8, err);
            st8(&m, e + 10, tag);
            st64(&m, e + 16, nbytes);
            if (f && tag == 1 && f->kind == K_STDIN)
                st16(&m, e + 24, 1u); /* hangup: the console input has ended */
        } else {
            return ret(r, WB_EINVAL);
        }
    }
    if (nev == 0 && wake != UINT64_MAX) {
        uint64_t t;
        if (wb_port_clock_ns(1, &t) == 0 && wake > t)
            wb_port_sleep_ns(wake - t);
        if (wb_port_clock_ns(1, &now) != 0)
            now = wake;
        for (i = 0; i < n; i++) { /* every clock whose time has come */
            uint32_t s = in + 48u * i, e;
            uint64_t base, tt = ld64(&m, s + 24), deadline;
            uint16_t fl = (uint16_t)(m.p[s + 40] | m.p[s + 41] << 8);
            if (m.p[s + 8] != 0 || wb_port_clock_ns(ld32(&m, s + 16), &base) != 0)
                continue;
            deadline = (fl & 1u) ? (tt > base ? now + (tt - base) : now) : 0;
            if ((fl & 1u) && deadline > now)
                continue;
            e = out + 32u * nev++;
            memset(m.p + e, 0, 32);
            st64(&m, e, ld64(&m, s));
            st8(&m, e + 10, 0);
        }
    }
    st32(&m, A32(3), nev);
    return ret(r, 0);
}

/* ---- sockets: none are ever open ---------------------------------------------------- */
static int not_sock(uint32_t fd)
{
    return get_fd(fd) ? WB_ENOTSOCK : WB_EBADF;
}
static wb_status n_sock_accept(wb_ctx *c, const wb_value *a, wb_value *r)
{
    (void)c;
    return ret(r, not_sock(A32(0)));
}
static wb_status n_sock_recv(wb_ctx *c, const wb_value *a, wb_value *r)
{
    (void)c;
    return ret(r, not_sock(A32(0)));
}
static wb_status n_sock_send(wb_ctx *c, const wb_value *a, wb_value *r)
{
    (void)c;
    return ret(r, not_sock(A32(0)));
}
static wb_status n_sock_shutdown(wb_ctx *c, const wb_value *a, wb_value *r)
{
    (void)c;
    return ret(r, not_sock(A32(0)));
}

/* ---- registration -------------------------------------------------------------------- */
typedef struct native {
    const char *name, *sig;
    wb_native_fn fn;
} native;

static const native natives[] = {
    {"args_get", "ii:i", n_args_get},
    {"args_sizes_get", "ii:i", n_args_sizes_get},
    {"environ_get", "ii:i", n_environ_get},
    {"environ_sizes_get", "ii:i", n_environ_sizes_get},
    {"clock_res_get", "ii:i", n_clock_res_get},
    {"clock_time_get", "iIi:i", n_clock_time_get},
    {"fd_advise", "iIIi:i", n_fd_advise},
    {"fd_allocate", "iII:i", n_fd_allocate},
    {"fd_close", "i:i", n_fd_close},
    {"fd_datasync", "i:i", n_fd_datasync},
    {"fd_fdstat_get", "ii:i", n_fd_fdstat_get},
    {"fd_fdstat_set_flags", "ii:i", n_fd_fdstat_set_flags},
    {"fd_fdstat_set_rights", "iII:i", n_fd_fdstat_set_rights},
    {"fd_filestat_get", "ii:i", n_fd_filestat_get},
    {"fd_filestat_set_size", "iI:i", n_fd_filestat_set_size},
    {"fd_filestat_set_times", "iIIi:i", n_fd_filestat_set_times},
    {"fd_pread", "iiiIi:i", n_fd_pread},
    {"fd_prestat_get", "ii:i", n_fd_prestat_get},
    {"fd_prestat_dir_name", "iii:i", n_fd_prestat_dir_name},
    {"fd_pwrite", "iiiIi:i", n_fd_pwrite},
    {"fd_read", "iiii:i", n_fd_read},
    {"fd_readdir", "iiiIi:i", n_fd_readdir},
    {"fd_renumber", "ii:i", n_fd_renumber},
    {"fd_seek", "iIii:i", n_fd_seek},
    {"fd_sync", "i:i", n_fd_sync},
    {"fd_tell", "ii:i", n_fd_tell},
    {"fd_write", "iiii:i", n_fd_write},
    {"path_create_directory", "iii:i", n_path_create_directory},
    {"path_filestat_get", "iiiii:i", n_path_filestat_get},
    {"path_filestat_set_times", "iiiiIIi:i", n_path_filestat_set_times},
    {"path_link", "iiiiiii:i", n_path_link},
    {"path_open", "iiiiiIIii:i", n_path_open},
    {"path_readlink", "iiiiii:i", n_path_readlink},
    {"path_remove_directory", "iii:i", n_path_remove_directory},
    {"path_rename", "iiiiii:i", n_path_rename},
    {"path_symlink", "iiiii:i", n_path_symlink},
    {"path_unlink_file", "iii:i", n_path_unlink_file},
    {"poll_oneoff", "iiii:i", n_poll_oneoff},
    {"proc_exit", "i:", n_proc_exit},
    {"proc_raise", "i:i", n_proc_raise},
    {"random_get", "ii:i", n_random_get},
    {"sched_yield", ":i", n_sched_yield},
    {"sock_accept", "iii:i", n_sock_accept},
    {"sock_recv", "iiiiii:i", n_sock_recv},
    {"sock_send", "iiiii:i", n_sock_send},
    {"sock_shutdown", "ii:i", n_sock_shutdown},
};

wb_status wb_wasi_register(wb_env *env)
{
    size_t i;
    ensure_ready();
#if WB_FEATURE_WASI_THREADS && WB_PORT_HAS_THREADS
    if (!out_lock && !(out_lock = wb_port_mutex_new()))
        return WB_ERR_NOMEM;
#endif
    for (i = 0; i < sizeof natives / sizeof natives[0]; i++) {
        wb_status st = wb_register_native(env, "wasi_snapshot_preview1", natives[i].name,
                                          natives[i].sig, natives[i].fn, NULL);
        if (st != WB_OK)
            return st;
    }
    return WB_OK;
}
