/*
 * Executable memory for AOT code on POSIX hosts: mapped writable, then
 * switched to read+execute once relocated (never writable and executable
 * at the same time).
 */
#define _DEFAULT_SOURCE

#include "wb_port.h"

#if defined(_WIN32) /* Windows (MinGW): the same life cycle with VirtualAlloc/Protect */
#include <windows.h>

void *wb_port_code_alloc(size_t size)
{
    return VirtualAlloc(NULL, size ? size : 1u, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE);
}

void wb_port_code_seal(void *code, size_t size)
{
    DWORD old;
    VirtualProtect(code, size ? size : 1u, PAGE_EXECUTE_READ, &old);
    FlushInstructionCache(GetCurrentProcess(), code, size);
}

void wb_port_code_free(void *code, size_t size)
{
    (void)size;
    VirtualFree(code, 0, MEM_RELEASE);
}
#else
#include <sys/mman.h>

void *wb_port_code_alloc(size_t size)
{
    void *p = mmap(NULL, size ? size : 1u, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

void wb_port_code_seal(void *code, size_t size)
{
    mprotect(code, size ? size : 1u, PROT_READ | PROT_EXEC);
    __builtin___clear_cache((char *)code, (char *)code + size);
}

void wb_port_code_free(void *code, size_t size)
{
    munmap(code, size ? size : 1u);
}
#endif
