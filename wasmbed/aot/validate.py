"""Validation before translation, by the runtime's own loader and validator.

The runtime core (runtime_src/core) is built once for the host as a shared library
(cached under build/aot-cache/) and called through ctypes, so a module the interpreter
would reject as malformed or invalid is rejected by the AOT compiler with the very same
message, and the translator only ever sees valid code.
"""

from __future__ import annotations

import ctypes
import hashlib
import shutil
import subprocess
import threading
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from wasmbed.errors import WasmbedError

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "runtime_src"
CACHE = ROOT / "build" / "aot-cache"

SHIM = """
#include <stdlib.h>
void *wb_port_malloc(size_t n) { return malloc(n); }
void wb_port_free(void *p) { free(p); }
/* linked in by shared-memory's wait (wb_atomic.c), never called: the validator runs nothing */
#include <stdint.h>
uint64_t wb_port_time_us(void) { return 0; }
"""

_lock = threading.Lock()

#: proposals the validator can be built with (what the translator compiles): a module of
#: such a proposal validates only when the run asks for it, as on the agent, whose build
#: has the same switch (core suite: `(global i32 (i32.add ...))` stays invalid)
PROPOSALS = ("extended-const", "tail-call", "legacy-exception-handling", "memory64",
             "multi-memory", "shared-memory", "simd")


def proposals_of(features: "Iterable[str] | str | None") -> tuple[str, ...]:
    """The validator's proposals among `features` (keys, or a comma-separated string;
    `+key`, as in a build request, counts as key)."""
    if features is None:
        return ()
    keys = features.split(",") if isinstance(features, str) else list(features)
    given = {x.strip().lstrip("+") for x in keys}
    return tuple(k for k in PROPOSALS if k in given)


def _sources() -> list[Path]:
    return sorted((SRC / "core").glob("*.c")) + sorted((SRC / "mem").glob("*.c"))


@lru_cache(maxsize=None)
def _library(proposals: tuple[str, ...] = ()) -> ctypes.CDLL:
    from wasmbed.model.features import switch_name

    cc = shutil.which("gcc") or shutil.which("cc")
    if not cc:
        raise WasmbedError("the AOT compiler validates modules with the runtime built for this "
                           "host and needs a C compiler: install gcc (apt-get install gcc)")
    h = hashlib.sha256(SHIM.encode())
    h.update(",".join(proposals).encode())
    for p in _sources() + sorted((SRC / "core").glob("*.h")) + [SRC / "include" / "wasmbed.h"]:
        h.update(p.read_bytes())
    lib = CACHE / f"validator-{h.hexdigest()[:16]}.so"
    if not lib.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        shim = CACHE / "validator-shim.c"
        shim.write_text(SHIM)
        tmp = lib.with_suffix(f".tmp{id(lib)}")
        cmd = [cc, "-std=c11", "-O1", "-shared", "-fPIC", "-w", f"-I{SRC / 'include'}",
               f"-I{SRC / 'port'}", f"-I{SRC / 'core'}", "-DWB_FEATURE_AOT=0",
               *(f"-D{switch_name(k)}=1" for k in proposals),
               *map(str, _sources()), str(shim), "-o", str(tmp)]
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
        if r.returncode:
            raise WasmbedError(f"building the host validator failed:\n{r.stderr[-800:]}")
        tmp.replace(lib)
    dll = ctypes.CDLL(str(lib))
    dll.wb_env_new.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_void_p)]
    dll.wb_env_free.argtypes = [ctypes.c_void_p]
    dll.wb_last_error.argtypes = [ctypes.c_void_p]
    dll.wb_last_error.restype = ctypes.c_char_p
    dll.wb_module_load.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_uint32,
                                   ctypes.POINTER(ctypes.c_void_p)]
    return dll


def check(wasm: bytes, proposals: tuple[str, ...] = ()) -> None:
    """Raise InvalidModule when the runtime's loader, built with `proposals`, rejects
    `wasm`."""
    from wasmbed.aot.compiler import InvalidModule

    dll = _library(proposals)
    with _lock:
        env = ctypes.c_void_p()
        if dll.wb_env_new(None, ctypes.byref(env)):
            raise WasmbedError("host validator: cannot create an environment")
        try:
            mod = ctypes.c_void_p()
            st = dll.wb_module_load(env, wasm, len(wasm), ctypes.byref(mod))
            msg = (dll.wb_last_error(env) or b"").decode(errors="replace")
        finally:
            dll.wb_env_free(env)
    if st == 1:
        raise InvalidModule("malformed", msg)
    if st == 2:
        raise InvalidModule("invalid", msg)
    if st:
        raise WasmbedError(f"host validator: status {st}: {msg}")
