"""Static linking: one application compiled ahead of time into the firmware itself.

`scons board=B features=aot app=app.wasm` writes this C file into the build's gen/ dir:
the translated functions, the module's declarations (its WebAssembly with every body
replaced by `unreachable`) and the table of entry trampolines, which
runtime_src/agent/static_app.c hands to wb_aot_load_static at boot. The firmware's own
linker resolves every address, so nothing is loaded or relocated at run time.
"""

from __future__ import annotations

from wasmbed.aot import compiler, decode

# what wasmbed aot passes on the command line (link.CFLAGS), as pragmas: the firmware's
# flags compile this file
PRAGMAS = """\
#if defined(__clang__)
#pragma clang fp contract(off)
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off", "no-optimize-sibling-calls", "no-math-errno")
#endif
#if defined(__GNUC__)  /* GCC and clang (the Xtensa boards): generated code, unused names */
#pragma GCC diagnostic ignored "-Wunused-label"
#pragma GCC diagnostic ignored "-Wunused-variable"
#pragma GCC diagnostic ignored "-Wunused-but-set-variable"
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#endif
"""


def static_source(wasm: bytes) -> str:
    mod, c = compiler.translate(wasm)
    stripped = decode.strip_code(mod)
    first = mod.nfunc_imports
    n = len(mod.func_types) - first
    body = ",".join(str(b) for b in stripped)
    funcs = ", ".join(f"(void *)wbaot_t{i}" for i in range(first, first + n)) or "0"
    return (PRAGMAS + c +
            f"\nconst uint8_t wb_static_module[] = {{{body}}};\n"
            f"const uint32_t wb_static_module_len = {len(stripped)}u;\n"
            f"void *const wb_static_funcs[] = {{{funcs}}};\n"
            f"const uint32_t wb_static_nfuncs = {n}u;\n")
