/* Tries to leave the preopened directory (fd 3) with raw WASI calls, so the
 * runtime sees the paths exactly as written here (tests/test_wasi.py). Prints
 * one line per attempt: "name: opened <first line>" or "name: errno N". */
#include <stdio.h>
#include <string.h>
#include <wasi/api.h>

#define PRE 3

static void report(const char *what, __wasi_errno_t e) { printf("%s: errno %d\n", what, (int)e); }

static void try_open(const char *what, const char *path, int follow)
{
    __wasi_fd_t fd;
    __wasi_errno_t e = __wasi_path_open(PRE, follow ? __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW : 0, path,
                                        0, __WASI_RIGHTS_FD_READ, 0, 0, &fd);
    if (e) {
        report(what, e);
        return;
    }
    {
        char buf[64] = {0};
        __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf - 1};
        __wasi_size_t n = 0;
        if (__wasi_fd_read(fd, &iov, 1, &n))
            n = 0;
        buf[strcspn(buf, "\n")] = 0;
        printf("%s: opened %s\n", what, buf);
        (void)!__wasi_fd_close(fd);
    }
}

int main(void)
{
    __wasi_filestat_t st;
    try_open("inside", "sub/inside.txt", 1);
    try_open("inside_link", "in_link", 1);
    try_open("dotdot", "../secret.txt", 1);
    try_open("deep_dotdot", "sub/../../secret.txt", 1);
    try_open("absolute", "/etc/passwd", 1);
    try_open("link_out", "out_link", 1);
    try_open("link_abs", "abs_link", 1);
    try_open("link_dir_out", "dir_link/secret.txt", 1);
    try_open("link_chain_out", "chain_link", 1);
    try_open("link_nofollow", "out_link", 0);
    report("mkdir_out", __wasi_path_create_directory(PRE, "../made"));
    report("symlink_abs", __wasi_path_symlink("/etc", PRE, "new_abs"));
    report("rename_out", __wasi_path_rename(PRE, "sub/inside.txt", PRE, "../stolen.txt"));
    report("stat_link_out", __wasi_path_filestat_get(PRE, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW,
                                                     "out_link", &st));
    report("unlink_out", __wasi_path_unlink_file(PRE, "../secret.txt"));
    return 0;
}
