/* stdio.h for programs on wasmbed's libc-builtin: the functions it has (wasmbed_libc.h). */
#include "wasmbed_libc.h"
