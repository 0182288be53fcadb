/* The port the fuzz harnesses link: the C library's allocator, nothing else. */
#include <stdlib.h>

#include "wb_port.h"

void *wb_port_malloc(size_t n) { return malloc(n); }
void wb_port_free(void *p) { free(p); }
