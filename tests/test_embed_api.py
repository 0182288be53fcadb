"""Embedding-API features on the host (tests/c/embed_api.c against runtime_src/core):
custom sections kept by the loader (load-custom-section), the wasm call stack of a trap
(dump-call-stack, copy-call-stack) and imports resolved from registered or reader-loaded
modules (multi-module). Each build is -Wall -Wextra -Werror with the feature on and off."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from agent_helpers import wat
from runtime_c_helpers import INCLUDES, MALLOC_PORT, ROOT, RT, SOURCES, WARN
from wasmbed.model.leb128 import encode_u

BUILD = ROOT / "build" / "test_embed_api"
PROGRAM = ROOT / "tests" / "c" / "embed_api.c"


def custom_section(name: str, data: bytes) -> bytes:
    body = encode_u(len(name.encode())) + name.encode() + data
    return b"\x00" + encode_u(len(body)) + body


#: the runtime with every feature of this file on, and with every one off
ALL_ON = {"LOAD_CUSTOM_SECTION": 1, "DUMP_CALL_STACK": 1, "COPY_CALL_STACK": 1,
          "CUSTOM_NAME_SECTION": 1, "MULTI_MODULE": 1, "LEGACY_EXCEPTION_HANDLING": 1}
WANT = {"LOAD_CUSTOM_SECTION": "WANT_CUSTOM", "DUMP_CALL_STACK": "WANT_STACK",
        "COPY_CALL_STACK": "WANT_COPY", "CUSTOM_NAME_SECTION": "NAMES",
        "MULTI_MODULE": "WANT_MULTI", "LEGACY_EXCEPTION_HANDLING": "WANT_EH"}
_built: dict[str, Path] = {}


def build_with(**on: int) -> Path:
    """The embed_api program against the runtime with these WB_FEATURE_<KEY> values
    (the rest off); built once per session and feature set."""
    flags = []
    for key, want in WANT.items():
        v = int(on.get(key, 0))
        flags += [f"-DWB_FEATURE_{key}={v}", f"-D{want}={v}"]
    name = "".join(str(int(on.get(k, 0))) for k in WANT)
    if name not in _built:
        _built[name] = build(f"api-{name}", flags)
    return _built[name]


def build(name: str, flags: list[str]) -> Path:
    """The embed_api program built against the runtime with `flags` (-O0: it is the
    behaviour under test, and the build is most of the test's time)."""
    if not shutil.which("gcc"):
        pytest.skip("gcc not installed")
    out = BUILD / name
    out.mkdir(parents=True, exist_ok=True)
    port = out / "port.c"
    port.write_text(MALLOC_PORT)
    exe = out / "embed_api"
    r = subprocess.run(["gcc", *WARN, "-O0", "-g", *flags, *INCLUDES, *map(str, SOURCES),
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
    exe = build_with(**(ALL_ON if on else {}))
    run(exe, "custom", path)


# funcs: 0 boom, 1 where (natives), 2 $inner, 3 $middle, 4 outer (export only), 5
# $via_native_inner, 6 via_native, 7 $where_inner, 8 where, 9 $rec, 10 ok
STACK_WAT = """(module
  (import "env" "boom" (func $boom))
  (import "env" "where" (func $where (result i32)))
  (func $inner (param i32) (result i32) local.get 0 i32.const 0 i32.div_u)
  (func $middle (param i32) (result i32) local.get 0 call $inner)
  (func (export "outer") (param i32) (result i32) local.get 0 call $middle)
  (func $via_native_inner call $boom)
  (func (export "via_native") call $via_native_inner)
  (func $where_inner (result i32) call $where)
  (func (export "where") (result i32) call $where_inner)
  (func $rec (export "rec") (param i32) (result i32)
    local.get 0 i32.eqz if unreachable end
    local.get 0 i32.const 1 i32.sub call $rec)
  (func (export "ok") (result i32) i32.const 1))
"""


def wat_named(text: str, path: Path) -> Path:
    """wat2wasm with --debug-names: the module gets a "name" section."""
    tool = Path(sys.executable).parent / "wat2wasm"
    exe = str(tool) if tool.is_file() else shutil.which("wat2wasm")
    if not exe:
        pytest.skip("wat2wasm not available")
    src = path.with_suffix(".wat")
    src.write_text(text)
    subprocess.run([exe, "--debug-names", str(src), "-o", str(path)], check=True,
                   capture_output=True)
    return path


@pytest.mark.parametrize("dump,copy,names", [(1, 1, 1), (1, 0, 0), (0, 0, 0)])
def test_call_stacks(tmp_path: Path, dump: int, copy: int, names: int) -> None:
    """A trap's frames innermost first, named from the name section (else the export
    name); a native's trap lists the wasm frames that called it; a deep trap keeps 16
    frames and counts the rest; a native reads the frames that led to it."""
    module = wat_named(STACK_WAT, tmp_path / "stack.wasm")
    exe = build_with(**(ALL_ON if dump and copy and names else
                        {"DUMP_CALL_STACK": dump, "COPY_CALL_STACK": copy,
                         "CUSTOM_NAME_SECTION": names}))
    out = run(exe, "stack", module)
    if dump:
        assert "#0 func[2]" in out


#: one host agent for this file's protocol test and test_eh.py's suite run (one build)
AGENT_FEATURES = "+dump-call-stack,+custom-name-section,+legacy-exception-handling,+tail-call"

TRAP_APP_WAT = """(module
  (func $inner (param i32) (result i32) local.get 0 i32.const 0 i32.div_u)
  (func $middle (param i32) (result i32) local.get 0 call $inner)
  (func (export "_start") i32.const 5 call $middle drop))
"""


def test_trap_call_stack_over_the_protocol(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The host agent built with dump-call-stack sends the call stack after the TRAP
    message (docs/protocol.md) and `wasmbed run` prints it under the trap."""
    from wasmbed.cli import main

    app = wat_named(TRAP_APP_WAT, tmp_path / "trap.wasm")
    code = main(["run", "--board", "host", "--features", AGENT_FEATURES, str(app)])
    err = capsys.readouterr().err
    assert code == 3, err
    assert "trap: integer divide by zero" in err
    assert ("wasm call stack:\n    #0 func[0] inner\n    #1 func[1] middle\n"
            "    #2 func[2] _start") in err, err


MULTI_WAT = {
    "lib": """(module (memory (export "mem") 1) (global (export "base") i32 (i32.const 100))
  (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
  (func (export "poke") (param i32) i32.const 0 local.get 0 i32.store))""",
    "app": """(module (import "lib" "add" (func $add (param i32 i32) (result i32)))
  (import "lib" "mem" (memory 1)) (import "lib" "base" (global i32))
  (func (export "run") (param i32) (result i32) local.get 0 global.get 0 call $add)
  (func (export "peek") (result i32) i32.const 0 i32.load))""",
    "a": """(module (import "b" "f" (func)) (func (export "g")))""",
    "b": """(module (import "a" "g" (func)) (func (export "f")))""",
    "nope": """(module (import "nope" "x" (func)))""",
}


@pytest.mark.parametrize("on", [1, 0])
def test_multi_module(tmp_path: Path, on: int) -> None:
    """Imports resolved from a module registered by name (function, memory, global; the
    importer sees the exporter's memory), and with multi-module from a module the
    embedder's reader supplies on first use: loaded once, shared, cycles refused."""
    paths = []
    for name, text in MULTI_WAT.items():
        path = tmp_path / f"{name}.wasm"
        path.write_bytes(wat(text))
        paths.append(path)
    exe = build_with(**(ALL_ON if on else {}))
    run(exe, "multi", *paths)


def test_run_with_modules(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`wasmbed run --module lib=lib.wasm app.wasm`: lib is loaded and registered first,
    app's imports (function, memory, global) resolve to it; a bad spec says the form."""
    from wasmbed.cli import main

    lib, app = tmp_path / "lib.wasm", tmp_path / "app.wasm"
    lib.write_bytes(wat(MULTI_WAT["lib"]))
    app.write_bytes(wat(MULTI_WAT["app"]))
    code = main(["run", "--board", "host", "--module", f"lib={lib}", str(app), "-f", "run",
                 "--arg", "5"])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert out.out.strip() == "105"
    code = main(["run", "--board", "host", str(app), "-f", "run", "--arg", "5"])
    assert code == 4 and "unknown import lib.add" in capsys.readouterr().err
    code = main(["run", "--board", "host", "--module", str(lib), str(app)])
    assert code != 0 and "expected NAME=PATH" in capsys.readouterr().err


@pytest.mark.build
@pytest.mark.qemu
def test_trap_call_stack_over_the_serial_line(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    """The same under QEMU riscv64: the call stack travels in the TRAP frame over the
    emulated UART (run-on-qemu qemu-riscv64 app.wasm)."""
    if not shutil.which("qemu-system-riscv64") or not shutil.which("riscv64-unknown-elf-gcc"):
        pytest.skip("qemu-system-riscv64 / riscv64-unknown-elf-gcc not installed")
    from wasmbed.cli import main

    app = wat_named(TRAP_APP_WAT, tmp_path / "trap.wasm")
    code = main(["qemu", "qemu-riscv64", str(app), "--features",
                 "+dump-call-stack,+custom-name-section"])
    err = capsys.readouterr().err
    assert code == 3, err
    assert ("wasm call stack:\n    #0 func[0] inner\n    #1 func[1] middle\n"
            "    #2 func[2] _start") in err, err
