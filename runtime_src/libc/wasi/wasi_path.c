/*
 * Confined path resolution for libc-wasi.
 *
 * A guest path is walked component by component from a preopened
 * directory: every intermediate directory is opened with the port's
 * no-follow open, `..` pops the stack of opened directories (and popping
 * past the preopen is refused), and a symbolic link met on the way is read
 * with readlink and spliced into the rest of the path, so its target is
 * walked under the same rules. The kernel therefore never resolves more
 * than one plain name against a directory handle we hold, and neither
 * `..`, absolute paths nor symlinks can leave the preopen (capability-
 * style resolution, as cap-std and WAMR's sandboxed-system-primitives do).
 */
#include <string.h>

#include "wasi_internal.h"
#include "wb_port.h"

static char work[WB_WASI_PATH_MAX + 1u];
static char link_buf[WB_WASI_PATH_MAX + 1u];

void wasi_path_release(wasi_path *p)
{
    while (p->depth > 0) {
        wb_port_fs_close(p->stack[p->depth]);
        p->depth--;
    }
    p->dir = p->stack[0];
}

static int fail(wasi_path *p, int err)
{
    wasi_path_release(p);
    return err;
}

/* Replace work[start..end) (one component) by the link target; the rest of
 * the path (work[end..]) follows it. */
static int splice(size_t *len, size_t start, size_t end, const char *target, size_t tlen)
{
    size_t rest = *len - end;
    if (start + tlen + rest > WB_WASI_PATH_MAX)
        return WB_ENAMETOOLONG;
    memmove(work + start + tlen, work + end, rest);
    memcpy(work + start, target, tlen);
    *len = start + tlen + rest;
    work[*len] = 0;
    return 0;
}

int wasi_path_resolve(wasi_path *p, int base, const char *path, size_t len, int follow_last)
{
    size_t pos = 0, i;
    unsigned links = 0;
    p->stack[0] = base;
    p->depth = 0;
    p->dir = base;
    p->name[0] = 0;
    if (len == 0)
        return WB_ENOENT;
    if (len > WB_WASI_PATH_MAX)
        return WB_ENAMETOOLONG;
    for (i = 0; i < len; i++)
        if (!path[i])
            return WB_EILSEQ;
    memcpy(work, path, len);
    work[len] = 0;
    if (work[0] == '/')
        return WB_EPERM; /* absolute: outside every preopen */

    for (;;) {
        size_t start, end, next;
        int last, slash, st;
        while (pos < len && work[pos] == '/')
            pos++;
        if (pos == len) { /* the path ended in "/" after a "." or ".." */
            memcpy(p->name, ".", 2);
            break;
        }
        start = pos;
        while (pos < len && work[pos] != '/')
            pos++;
        end = pos;
        next = end;
        while (next < len && work[next] == '/')
            next++;
        last = next == len;
        slash = end < len; /* a trailing slash after the last component */
        if (end - start >= WB_WASI_NAME_MAX - 1u)
            return fail(p, WB_ENAMETOOLONG);

        if (end - start == 1 && work[start] == '.') {
            if (last) {
                memcpy(p->name, ".", 2);
                break;
            }
            continue;
        }
        if (end - start == 2 && work[start] == '.' && work[start + 1] == '.') {
            if (p->depth == 0)
                return fail(p, WB_EPERM); /* above the preopen */
            wb_port_fs_close(p->stack[p->depth]);
            p->depth--;
            p->dir = p->stack[p->depth];
            if (last) {
                memcpy(p->name, ".", 2);
                break;
            }
            continue;
        }
        memcpy(p->name, work + start, end - start);
        p->name[end - start] = 0;

        if (last && !follow_last && !slash) {
            break;
        }
        /* a symbolic link here is followed (a trailing slash demands it too) */
        {
            size_t n = 0;
            st = wb_port_fs_readlink(p->dir, p->name, link_buf, WB_WASI_PATH_MAX, &n);
            if (st == 0) {
                if (++links > WB_WASI_MAX_LINKS)
                    return fail(p, WB_ELOOP);
                if (n == 0)
                    return fail(p, WB_ENOENT);
                if (link_buf[0] == '/')
                    return fail(p, WB_EPERM); /* an absolute target leaves the preopen */
                st = splice(&len, start, end, link_buf, n);
                if (st)
                    return fail(p, st);
                pos = start;
                continue;
            }
            if (st != WB_EINVAL && st != WB_ENOENT && !(last && st == WB_ENOTDIR))
                return fail(p, st);
        }
        if (last) {
            if (slash) { /* keep the slash: the OS then demands a directory */
                size_t n = end - start;
                p->name[n] = '/';
                p->name[n + 1] = 0;
            }
            break;
        }
        /* an intermediate directory */
        {
            int fd;
            if (p->depth >= WB_WASI_PATH_DEPTH)
                return fail(p, WB_ENAMETOOLONG);
            st = wb_port_fs_open(p->dir, p->name, WB_FS_READ | WB_FS_DIRECTORY, &fd);
            if (st)
                return fail(p, st);
            p->stack[++p->depth] = fd;
            p->dir = fd;
        }
    }
    return 0;
}
