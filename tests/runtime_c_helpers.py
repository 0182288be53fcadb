"""Shared by the tests that compile the runtime's C with the host's cc (test_runtime_c,
test_embed_api, test_fast_interp, test_bad_input): where the sources are and the flags."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RT = ROOT / "runtime_src"
SOURCES = sorted((RT / "core").glob("*.c")) + sorted((RT / "mem").glob("*.c"))
INCLUDES = [f"-I{RT / 'include'}", f"-I{RT / 'port'}", f"-I{RT / 'core'}"]
WARN = ["-std=c11", "-Wall", "-Wextra", "-Werror"]
# the port layer of a hosted test program: malloc/free (the runtime's only port needs here)
MALLOC_PORT = """#include <stdlib.h>
#include "wb_port.h"
void *wb_port_malloc(size_t n) { return malloc(n); }
void wb_port_free(void *p) { free(p); }
"""
