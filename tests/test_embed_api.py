"""Embedding-API features on the host (tests/c/embed_api.c against runtime_src/core):
custom sections kept by the loader (load-custom-section), the wasm call stack of a trap
(dump-call-stack, copy-call-stack) and imports resolved from registered or reader-loaded
modules (multi-module). Each build is -Wall -Wextra -Werror with the feature on and off."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from agent_helpers import wat

ROOT = Path(__file__).resolve().parent.parent
RT = ROOT / "runtime_src"
BUILD = ROOT / "build" / "test_embed_api"
SOURCES = sorted((RT / "core").glob("*.c")) + sorted((RT / "mem").glob("*.c"))
INCLUDES = [f"-I{RT / 'include'}", f"-I{RT / 'port'}", f"-I{RT / 'core'}"]
WARN = ["-std=c11", "-Wall", "-Wextra", "-Werror"]
PROGRAM = ROOT / "tests" / "c" / "embed_api.c"
HOST_PORT = """#include <stdlib.h>
#include "wb_port.h"
void *wb_port_malloc(size_t n) { return malloc(n); }
void wb_port_free(void *p) { free(p); }
"""


def _leb(n: int) -> bytes:
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def custom_section(name: str, data: bytes) -> bytes:
    body = _leb(len(name.encode())) + name.encode() + data
    return b"\x00" + _leb(len(body)) + body


def build(name: str, flags: list[str]) -> Path:
    """The embed_api program built against the runtime with `flags`."""
    if not shutil.which("gcc"):
        pytest.skip("gcc not installed")
    out = BUILD / name
    out.mkdir(parents=True, exist_ok=True)
    port = out / "port.c"
    port.write_text(HOST_PORT)
    exe = out / "embed_api"
    r = subprocess.run(["gcc", *WARN, "-O1", "-g", *flags, *INCLUDES, *map(str, SOURCES),
                        str(PROGRAM), str(port), "-o", str(exe)],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0 and not r.stderr, r.stderr
    return exe


def run(exe: Path, *args: object) -> str:
    r = subprocess.run([str(exe), *map(str, args)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and r.stdout.strip().endswith("OK"), r.stdout + r.stderr
    return r.stdout


@pytest.mark.parametrize("on", [1, 0])
def test_custom_sections(tmp_path: Path, on: int) -> None:
    """Two named custom sections (one before the code, one after the last section) and an
    empty-named one are found by name with their exact bytes, after the loader's input was
    overwritten; an absent name, or a runtime built without the feature, says so."""
    base = wat('(module (func (export "f") (result i32) i32.const 7))')
    head, rest = base[:8], base[8:]
    module = (head + custom_section("alpha", b"first") + rest
              + custom_section("beta", b"\x00\x01\x02\xff") + custom_section("", b""))
    path = tmp_path / "custom.wasm"
    path.write_bytes(module)
    exe = build(f"custom-{on}", [f"-DWB_FEATURE_LOAD_CUSTOM_SECTION={on}", f"-DWANT_CUSTOM={on}"])
    run(exe, "custom", path)
