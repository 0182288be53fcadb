"""Hostile modules: the runtime answers each with a status and a message, never a crash.

Every case is built here byte by byte, loaded, instantiated and (if it exports `f`)
called by a small C driver linked against the runtime under AddressSanitizer + UBSan.
The table in docs/reliability.md lists the same cases with these outcomes;
`python tests/test_bad_input.py` prints it from a fresh run.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Callable

import pytest

from runtime_c_helpers import MALLOC_PORT, ROOT, RT, SOURCES
from wasmbed.model.leb128 import encode_s as sleb, encode_u as leb

BUILD = ROOT / "build" / "test_bad_input"

HDR = b"\0asm\1\0\0\0"


def sec(i: int, body: bytes) -> bytes:
    return bytes([i]) + leb(len(body)) + body


def vec(items: list[bytes]) -> bytes:
    return leb(len(items)) + b"".join(items)


FUNC_V_V = sec(1, vec([b"\x60\x00\x00"]))
FUNC_V_I = sec(1, vec([b"\x60\x00\x01\x7f"]))


def one_func(body: bytes, locals_: bytes = b"\x00", types: bytes = FUNC_V_V) -> bytes:
    code = locals_ + body + b"\x0b"
    return (HDR + types + sec(3, vec([b"\x00"])) + sec(7, vec([b"\x01f\x00\x00"])) +
            sec(10, vec([leb(len(code)) + code])))


def memory(min_: int, max_: int | None = None) -> bytes:
    limits = b"\x00" + leb(min_) if max_ is None else b"\x01" + leb(min_) + leb(max_)
    return sec(5, vec([limits]))


#: name -> (module bytes, expected outcome prefix, what it tries)
CASES: dict[str, tuple[Callable[[], bytes], str, str]] = {
    "huge-type-count": (lambda: HDR + sec(1, leb(0xFFFFFFFF) + b"\x60\x00\x00"),
                        "load MALFORMED", "a type section claiming 2^32-1 entries"),
    "huge-function-count": (lambda: HDR + FUNC_V_V + sec(3, leb(0x0FFFFFFF) + b"\x00"),
                            "load MALFORMED", "a function section claiming 2^28 entries"),
    "section-past-end": (lambda: HDR + b"\x01" + leb(1 << 20) + b"\x60",
                         "load MALFORMED", "a section size past the end of the file"),
    "leb-too-long": (lambda: HDR + b"\x01\x86\x80\x80\x80\x80\x00",
                     "load MALFORMED", "a u32 LEB128 of six bytes"),
    "custom-name-past-end": (lambda: HDR + sec(0, leb(1000) + b"ab"),
                             "load MALFORMED", "a custom section whose name runs past it"),
    "too-many-locals": (lambda: one_func(b"", leb(2) + leb(0x7FFFFFFF) + b"\x7f" +
                                         leb(0x7FFFFFFF) + b"\x7f"),
                        "load", "2^32 locals in one function"),
    "many-locals": (lambda: one_func(b"", leb(1) + leb(50000) + b"\x7e"),
                    "call EXHAUSTION", "50,000 locals: more than the value stack's 16,384 slots"),
    "deep-nesting": (lambda: one_func(b"\x02\x40" * 20000 + b"\x0b" * 20000),
                     "call OK", "20,000 nested blocks"),
    "long-body": (lambda: one_func(b"\x01" * (1 << 20)), "call OK", "a 1 MiB body of nops"),
    "memory-4gib": (lambda: (HDR + memory(65536)), "instantiate", "a 4 GiB memory minimum"),
    "memory-max-below-min": (lambda: HDR + memory(2, 1), "load INVALID",
                             "a memory maximum below its minimum"),
    "table-huge": (lambda: HDR + sec(4, vec([b"\x70\x00" + leb(0xFFFFFFFF)])),
                   "instantiate", "a table of 2^32-1 elements"),
    "data-out-of-bounds": (lambda: (HDR + memory(1) + sec(11, vec([
        b"\x00\x41" + sleb(-16) + b"\x0b" + leb(32) + b"x" * 32]))),
        "instantiate TRAP", "a data segment at 0xFFFFFFF0 in a 64 KiB memory"),
    "elem-huge-count": (lambda: HDR + sec(9, leb(0x3FFFFFFF)), "load MALFORMED",
                        "an element section claiming 2^30 segments"),
    "unreachable-start": (lambda: (HDR + FUNC_V_V + sec(3, vec([b"\x00"])) + sec(8, b"\x00") +
                                   sec(10, vec([b"\x03\x00\x00\x0b"]))),
                          "instantiate TRAP", "a start function that traps"),
    "grow-loop": (lambda: (HDR + FUNC_V_I + sec(3, vec([b"\x00"])) + memory(1, 256) +
                           sec(7, vec([b"\x01f\x00\x00"])) +
                           sec(10, vec([leb(16) + b"\x00\x03\x40\x41\x01\x40\x00\x41\x7f"
                                        b"\x47\x0d\x00\x0b\x41\x7f\x0b"]))),
                  "call OK", "memory.grow by one page until it fails (16 MiB maximum)"),
    "unbounded-recursion": (lambda: one_func(b"\x10\x00"), "call EXHAUSTION",
                            "a function that calls itself forever"),
    "endless-loop": (lambda: one_func(b"\x03\x40\x0c\x00\x0b"), "call FUEL",
                     "an endless loop (with a fuel budget of 10^7)"),
}

DRIVER = r"""
#include <stdio.h>
#include <stdlib.h>
#include "wasmbed.h"

static const char *name(wb_status s)
{
    static const char *n[] = {"OK", "MALFORMED", "INVALID", "LINK", "TRAP", "EXHAUSTION",
                              "NOMEM", "NOT_FOUND", "ARGS", "EXIT", "UNSUPPORTED", "FUEL"};
    return (unsigned)s < sizeof n / sizeof n[0] ? n[s] : "?";
}

int main(int argc, char **argv)
{
    static unsigned char buf[4 << 20];
    FILE *fp = fopen(argv[argc - 1], "rb");
    size_t n = fp ? fread(buf, 1, sizeof buf, fp) : 0;
    wb_config cfg = {0};
    wb_env *env;
    wb_module *m;
    wb_instance *inst;
    wb_func *f;
    wb_value res[4];
    wb_status st;
    if (fp)
        fclose(fp);
    cfg.max_call_depth = 1000;
    if (wb_env_new(&cfg, &env) != WB_OK)
        return 2;
    wb_env_set_fuel(env, 10000000u);
    st = wb_module_load(env, buf, (uint32_t)n, &m);
    if (st) {
        printf("load %s: %s\n", name(st), wb_last_error(env));
        goto done;
    }
    st = wb_instantiate(env, m, &inst);
    if (st) {
        printf("instantiate %s: %s\n", name(st), wb_last_error(env));
        goto done;
    }
    if (wb_export_func(inst, "f", &f) != WB_OK) {
        printf("instantiate OK\n");
        goto done;
    }
    {
        uint32_t np, nr;
        const uint8_t *pt, *rt;
        wb_func_type(f, &np, &pt, &nr, &rt);
        st = wb_call(env, f, NULL, 0, res, nr);
        printf("call %s: %s%s\n", name(st), st ? wb_last_error(env) : "",
               !st && nr ? (res[0].of.i32 == 0xFFFFFFFFu ? "returned -1" : "returned") : "");
    }
done:
    wb_env_free(env);
    return 0;
}
"""


def build_driver(out: Path = BUILD) -> Path:
    """The driver, built in `out` (one directory per test worker: never rebuilt under a
    running one)."""
    out.mkdir(parents=True, exist_ok=True)
    src = out / "driver.c"
    src.write_text(DRIVER)
    port = out / "port.c"
    port.write_text(MALLOC_PORT)
    exe = out / "driver"
    cmd = ["gcc", "-std=c11", "-O1", "-g", "-fsanitize=address,undefined",
           "-fno-sanitize-recover=all", "-DWB_FEATURE_INSTRUCTION_METERING=1",
           f"-I{RT / 'include'}", f"-I{RT / 'port'}", f"-I{RT / 'core'}", f"-I{RT / 'mem'}",
           *map(str, SOURCES), str(src), str(port), "-o", str(exe)]
    r = subprocess.run(cmd, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return exe


def outcome(exe: Path, case: str) -> str:
    path = exe.parent / f"{case}.wasm"
    path.write_bytes(CASES[case][0]())
    r = subprocess.run([str(exe), str(path)], capture_output=True, text=True, timeout=300,
                       env={"ASAN_OPTIONS": "allocator_may_return_null=1"})
    assert r.returncode == 0, f"{case}: exit {r.returncode}\n{r.stdout}{r.stderr[-3000:]}"
    return r.stdout.strip()


@pytest.fixture(scope="module")
def driver(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_driver(tmp_path_factory.mktemp("bad_input"))


@pytest.mark.parametrize("case", sorted(CASES))
def test_hostile_module_is_contained(driver: Path, case: str) -> None:
    got = outcome(driver, case)
    assert got.startswith(CASES[case][1]), got


if __name__ == "__main__":
    exe = build_driver()
    print("| input | what it tries | outcome |\n|---|---|---|")
    for case in sorted(CASES):
        print(f"| `{case}` | {CASES[case][2]} | {outcome(exe, case)} |")
    sys.exit(0)
