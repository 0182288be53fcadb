/*
 * Shared between the libc-wasi files: limits and the path resolver.
 */
#ifndef WB_WASI_INTERNAL_H
#define WB_WASI_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "wb_defaults.h"

/* ---- limits (a board may override them in its generated config) ---- */
#ifndef WB_WASI_MAX_FDS
#define WB_WASI_MAX_FDS 64u /* open WASI fds, stdio and preopens included */
#endif
#ifndef WB_WASI_STRINGS
#define WB_WASI_STRINGS 16384u /* bytes for args, environment, preopen names */
#endif
#ifndef WB_WASI_MAX_STRINGS
#define WB_WASI_MAX_STRINGS 512u /* args + environment variables + preopens */
#endif
#ifndef WB_WASI_PATH_MAX
#define WB_WASI_PATH_MAX 4096u /* longest path after symlink expansion */
#endif
#ifndef WB_WASI_PATH_DEPTH
#define WB_WASI_PATH_DEPTH 48u /* directories deep below a preopen in one path */
#endif
#define WB_WASI_NAME_MAX 256u  /* one component, NUL included */
#define WB_WASI_MAX_LINKS 32u  /* symlinks followed in one path: then ELOOP */

/* A path resolved to (directory handle, last component). The directories
 * opened on the way stay open until wasi_path_release(). */
typedef struct wasi_path {
    int stack[WB_WASI_PATH_DEPTH + 1u]; /* stack[0]: the base, not owned */
    unsigned depth;
    int dir;                      /* == stack[depth] */
    char name[WB_WASI_NAME_MAX + 1u]; /* "x", "x/" (trailing slash kept) or "." */
} wasi_path;

/* Walks `path` (len bytes, guest memory) from the directory handle `base`
 * one component at a time, following symbolic links itself (also in the
 * last component when follow_last). Returns 0 or a WB_E* number:
 * WB_EPERM for an absolute path, a `..` above `base` or a link that leads
 * out of it; WB_ELOOP after too many links. On error nothing stays open. */
int wasi_path_resolve(wasi_path *p, int base, const char *path, size_t len,
                      int follow_last);
void wasi_path_release(wasi_path *p);

#endif /* WB_WASI_INTERNAL_H */
