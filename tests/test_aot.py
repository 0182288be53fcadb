"""AOT: the translator, the .aot file checks of the runtime, and the spec suite in AOT mode
(host sample, one QEMU board sample)."""

from __future__ import annotations

import json
import struct
from pathlib import Path
from typing import Iterator

import pytest

from agent_helpers import running, wat
from aot_helpers import aot_sample_on_qemu
from wasmbed.aot import compiler, decode, emit, fileformat
from wasmbed.aot.spec_mode import AotModules
from wasmbed.errors import WasmbedError
from wasmbed.run.protocol import Kind, RemoteError, Value
from wasmbed.run.spec import SKIP_TEXT, SpecRunner
from wasmbed.run.target import HostTarget
from wasmbed.run.wast import suite_files

AOT_FEATURES = ["interp", "aot", "aot-validator", "libc-builtin"]

PROGRAM = """
(module
  (type $ii (func (param i32) (result i32)))
  (memory 1)
  (table 4 funcref)
  (elem (i32.const 0) $inc $fac32)
  (func $inc (type $ii) (i32.add (local.get 0) (i32.const 1)))
  (func $fac32 (param i64) (result i64) (i64.const 0))
  (func $fac (export "fac") (param i64) (result i64)
    (if (result i64) (i64.eqz (local.get 0)) (then (i64.const 1))
      (else (i64.mul (local.get 0) (call $fac (i64.sub (local.get 0) (i64.const 1)))))))
  (func (export "load") (param i32) (result i32) (i32.load offset=1 (local.get 0)))
  (func (export "store") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
  (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (func (export "rem") (param i64 i64) (result i64) (i64.rem_s (local.get 0) (local.get 1)))
  (func (export "trunc") (param f32) (result i32) (i32.trunc_f32_s (local.get 0)))
  (func (export "sat") (param f64) (result i64) (i64.trunc_sat_f64_u (local.get 0)))
  (func (export "boom") (unreachable))
  (func (export "indirect") (param i32 i32) (result i32)
    (call_indirect (type $ii) (local.get 0) (local.get 1)))
  (func (export "neg") (param f32) (result f32) (f32.neg (local.get 0)))
  (func (export "min") (param f64 f64) (result f64) (f64.min (local.get 0) (local.get 1)))
  (func (export "swap") (param i32 i64) (result i64 i32) (local.get 1) (local.get 0))
  (func (export "sum") (param i32) (result i32) (local i32)
    (block (loop (br_if 1 (i32.eqz (local.get 0)))
      (local.set 1 (i32.add (local.get 1) (local.get 0)))
      (local.set 0 (i32.sub (local.get 0) (i32.const 1))) (br 0)))
    (local.get 1))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "size") (result i32) (memory.size))
)
"""


@pytest.fixture(scope="module")
def aot_agent() -> Path:
    from wasmbed.build import driver as build

    return Path(build.build("host", AOT_FEATURES, jobs=2).firmware)


@pytest.fixture
def agent(aot_agent: Path) -> Iterator[HostTarget]:
    yield from running(aot_agent)


@pytest.fixture(scope="module")
def program_aot() -> bytes:
    return compiler.compile_module(wat(PROGRAM), compiler.target_for("host"))


# ---- translator --------------------------------------------------------------------


def test_decoder_reads_the_index_spaces() -> None:
    m = decode.decode(wat(PROGRAM))
    assert m.nfunc_imports == 0 and len(m.bodies) == len(m.func_types) == 17
    assert m.nmems == 1 and m.table_types == [decode.FUNCREF]
    assert [len(t.results) for t in m.types][:1] == [1]


def test_stripped_module_keeps_everything_but_code() -> None:
    m = decode.decode(wat(PROGRAM))
    stripped = decode.strip_code(m)
    s = decode.decode(stripped)
    assert s.func_types == m.func_types and s.types == m.types
    assert all(stripped[b.start:b.end] == b"\x00\x0b" for b in s.bodies)
    compiler.translate(stripped)  # still valid for the runtime's validator


def test_generated_c_checks_bounds_and_traps() -> None:
    _, c = compiler.translate(wat(PROGRAM))
    # every access bounds-checked: against the declared minimum (1 page, a constant the C
    # compiler can prove addresses below), then against the current size
    assert "> 65532ull)) { ea = (uint64_t)" in c
    assert "if (UNLIKELY((int64_t)ea > ms0_4)) TRAP(2u); }" in c
    assert "TRAP(3u)" in c and "TRAP(4u)" in c            # divide by zero, overflow
    assert "__builtin_frame_address(0) < c->stack_limit" in c  # call-stack exhaustion
    assert "bf(fb(" in c                                    # f32.neg flips the sign bit only


def test_invalid_and_malformed_modules_are_rejected_by_the_compiler() -> None:
    bad = wat("(module (func (result i32) (i64.const 1)))", check=False)
    with pytest.raises(compiler.InvalidModule) as err:
        compiler.translate(bad)
    assert err.value.kind == "invalid" and "type mismatch" in err.value.detail
    with pytest.raises(compiler.InvalidModule) as err:
        compiler.translate(b"\0asm\x02\0\0\0")
    assert err.value.kind == "malformed"


def test_simd_translates_and_what_is_left_is_refused_by_name() -> None:
    """v128 code is compiled (emit_simd.py, tests/test_aot_simd.py); a v128 in a tail
    call's arguments or an exception payload (one slot each there) is refused by name."""
    m = wat("(module (func (result v128) (v128.const i32x4 1 2 3 4)))")
    assert "wbv_of(0x0000000200000001ull, 0x0000000400000003ull)" in \
        emit.translate(decode.decode(m))
    with pytest.raises(WasmbedError, match="v128 values in tail calls"):
        emit.to_bits("v", "x")


def test_cache_is_keyed_by_module_and_target(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(compiler, "CACHE", tmp_path)
    target = compiler.target_for("host")
    stats = compiler.Stats()
    a = compiler.compile_cached(wat("(module (func (export \"f\")))"), target, stats)
    b = compiler.compile_cached(wat("(module (func (export \"f\")))"), target, stats)
    assert a == b and stats.compiled == 1 and stats.cached == 1
    assert len(list(tmp_path.rglob("*.aot"))) == 1


# ---- running on the host agent ---------------------------------------------------------


def _call(agent: HostTarget, h: int, name: str, *args: Value) -> list[str]:
    return [str(v) for v in agent.client.invoke(h, name, list(args))]


def _trap(agent: HostTarget, h: int, name: str, *args: Value) -> RemoteError:
    with pytest.raises(RemoteError) as err:
        agent.client.invoke(h, name, list(args))
    return err.value


def test_aot_module_runs_and_traps_like_the_interpreter(agent: HostTarget, program_aot: bytes) -> None:
    c = agent.client
    h = c.load(program_aot)
    assert _call(agent, h, "fac", Value("i64", 20)) == ["i64:0x21c3677c82b40000"]
    assert _call(agent, h, "sum", Value("i32", 100)) == ["i32:0x13ba"]
    assert _call(agent, h, "swap", Value("i32", 7), Value("i64", 9)) == ["i64:0x9", "i32:0x7"]
    assert _call(agent, h, "neg", Value("f32", 0x7FC00001)) == ["f32:0xffc00001"]
    assert _call(agent, h, "min", Value("f64", 0), Value("f64", 1 << 63)) == ["f64:0x8000000000000000"]
    assert _call(agent, h, "rem", Value("i64", 1 << 63), Value("i64", (1 << 64) - 1)) == ["i64:0x0"]
    assert _call(agent, h, "sat", Value("f64", 0x7FF0000000000000)) == ["i64:0xffffffffffffffff"]
    assert _call(agent, h, "indirect", Value("i32", 41), Value("i32", 0)) == ["i32:0x2a"]
    c.invoke(h, "store", [Value("i32", 65532), Value("i32", 5)])
    assert _call(agent, h, "load", Value("i32", 65531)) == ["i32:0x5"]
    cases = [
        ("load", [Value("i32", 65532)], "out of bounds memory access"),
        ("load", [Value("i32", 0xFFFFFFFF)], "out of bounds memory access"),
        ("div", [Value("i32", 1), Value("i32", 0)], "integer divide by zero"),
        ("div", [Value("i32", 0x80000000), Value("i32", 0xFFFFFFFF)], "integer overflow"),
        ("trunc", [Value("f32", 0x7FC00000)], "invalid conversion to integer"),
        ("trunc", [Value("f32", 0x4F000000)], "integer overflow"),
        ("boom", [], "unreachable"),
        ("indirect", [Value("i32", 1), Value("i32", 1)], "indirect call type mismatch"),
        ("indirect", [Value("i32", 1), Value("i32", 2)], "uninitialized element"),
        ("indirect", [Value("i32", 1), Value("i32", 9)], "undefined element"),
    ]
    for name, args, text in cases:
        err = _trap(agent, h, name, *args)
        assert err.kind == Kind.TRAP and err.remote_message.startswith(text), (name, err)
    err = _trap(agent, h, "fac", Value("i64", 1 << 20))
    assert err.kind == Kind.EXHAUSTION and "call stack exhausted" in err.remote_message
    # the instance still works after every trap, and memory growth is seen by AOT code
    assert _call(agent, h, "grow", Value("i32", 1)) == ["i32:0x1"]
    assert _call(agent, h, "size") == ["i32:0x2"]
    assert _call(agent, h, "load", Value("i32", 65532)) == ["i32:0x0"]


GROUPED = """
(module
  (memory 1)
  (func (export "two") (param i32 i32)
    (i32.store (local.get 0) (local.get 1))
    (i32.store (i32.add (local.get 0) (i32.const 8)) (local.get 1)))
  (func (export "get") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "wrap") (param i32) (result i32)
    (i32.add (i32.load (i32.add (local.get 0) (i32.const 4)))
             (i32.load (i32.add (local.get 0) (i32.const 8))))))
"""


def test_grouped_bounds_checks_trap_exactly_where_single_checks_would(agent: HostTarget) -> None:
    src = wat(GROUPED)
    _, c_src = compiler.translate(src)
    assert "goto K" in c_src   # the two accesses of "two" share one test
    h = agent.client.load(compiler.compile_module(src, compiler.target_for("host")))
    agent.client.invoke(h, "two", [Value("i32", 100), Value("i32", 7)])
    assert _call(agent, h, "get", Value("i32", 108)) == ["i32:0x7"]
    agent.client.invoke(h, "two", [Value("i32", 0), Value("i32", 3)])
    agent.client.invoke(h, "two", [Value("i32", 4), Value("i32", 7)])
    # the second store is out of bounds: the first one has happened
    err = _trap(agent, h, "two", Value("i32", 65528), Value("i32", 9))
    assert err.remote_message.startswith("out of bounds memory access")
    assert _call(agent, h, "get", Value("i32", 65528)) == ["i32:0x9"]
    # 32-bit wrap-around: 0xFFFFFFFC + 4 and + 8 address 0 and 4, in bounds
    assert _call(agent, h, "wrap", Value("i32", 0xFFFFFFFC)) == ["i32:0xa"]
    err = _trap(agent, h, "wrap", Value("i32", 0xFFFFFFF8))   # 0xFFFFFFFC: out of bounds
    assert err.remote_message.startswith("out of bounds memory access")


def test_aot_and_interpreted_modules_link_both_ways(agent: HostTarget) -> None:
    c = agent.client
    lib = wat('(module (func (export "twice") (param i32) (result i32) '
              '(i32.mul (local.get 0) (i32.const 2))))')
    user = wat('(module (import "lib" "twice" (func $t (param i32) (result i32))) '
               '(func (export "quad") (param i32) (result i32) (call $t (call $t (local.get 0)))))')
    target = compiler.target_for("host")
    for lib_bytes, user_bytes in ((compiler.compile_module(lib, target), user),
                                  (lib, compiler.compile_module(user, target))):
        c.reset()
        h = c.load(lib_bytes)
        c.register(h, "lib")
        u = c.load(user_bytes)
        assert _call(agent, u, "quad", Value("i32", 5)) == ["i32:0x14"]


# ---- the file checks ("AoT validator") ------------------------------------------------


def _refused(agent: HostTarget, data: bytes, text: str) -> None:
    with pytest.raises(RemoteError) as err:
        agent.client.load(data)
    assert err.value.kind == Kind.MALFORMED
    assert "AOT file refused" in err.value.remote_message and text in err.value.remote_message, \
        err.value.remote_message
    assert agent.alive()


def _patch(data: bytes, off: int, raw: bytes, reseal: bool = True) -> bytes:
    b = bytearray(data)
    b[off:off + len(raw)] = raw
    return fileformat.reseal(bytes(b)) if reseal else bytes(b)


def test_corrupted_file_is_refused(agent: HostTarget, program_aot: bytes) -> None:
    info = fileformat.describe(program_aot)
    flip = bytearray(program_aot)
    flip[len(flip) // 2] ^= 0x40  # inside the code image or tables
    _refused(agent, bytes(flip), "checksum")
    assert info["crc_ok"]


def test_truncated_file_is_refused(agent: HostTarget, program_aot: bytes) -> None:
    _refused(agent, program_aot[:-1], "truncated file")
    _refused(agent, program_aot[:100], "truncated header")


def test_foreign_target_abi_features_and_version_are_refused(agent: HostTarget,
                                                              program_aot: bytes) -> None:
    riscv = compiler.compile_module(wat(PROGRAM), compiler.target_for("qemu-riscv64"))
    _refused(agent, riscv, "another target")
    _refused(agent, _patch(program_aot, 64, b"p32-le\0\0"), "another ABI")
    _refused(agent, _patch(program_aot, 88, b"aot,simd\0"), "feature this runtime lacks: simd")
    _refused(agent, _patch(program_aot, 8, struct.pack("<H", 99)), "format version")
    _refused(agent, _patch(program_aot, 10, struct.pack("<H", 99)), "ABI version")


def test_relocation_outside_the_image_is_refused(agent: HostTarget, program_aot: bytes) -> None:
    info = fileformat.describe(program_aot)
    hdr = struct.unpack_from("<8I", program_aot, 128)
    bad = _patch(program_aot, 144, struct.pack("<II", hdr[4], 1))  # one relocation ...
    bad = _patch(bad, hdr[4], struct.pack("<I", info["image_size"] + 64))  # ... far outside
    _refused(agent, bad, "relocation outside")


def test_interpreter_only_runtime_refuses_aot_files(target: HostTarget, program_aot: bytes) -> None:
    if "aot" in target.client.info.features.split(","):
        pytest.skip("the default host agent has aot")
    with pytest.raises(RemoteError):
        target.client.load(program_aot)


# ---- spec suite in AOT mode ----------------------------------------------------------------

HOST_SAMPLE = ["call_indirect.wast", "conversions.wast", "memory_trap.wast", "traps.wast",
               "linking.wast", "float_misc.wast", "br_table.wast", "table_copy.wast",
               "memory_init.wast", "left-to-right.wast"]


@pytest.mark.spec
@pytest.mark.parametrize("name", HOST_SAMPLE)
def test_spec_sample_in_aot_mode_on_host(agent: HostTarget, name: str) -> None:
    (path,) = suite_files("core", [name])
    result = SpecRunner(agent, aot=AotModules("host")).run_file(path)
    assert result.failures == []
    assert result.passed > 0
    assert set(result.skips) <= {SKIP_TEXT}


QEMU_SAMPLE = ["fac.wast", "traps.wast", "call_indirect.wast"]

#: on riscv64 the fast bounds tests take the sign-extended address (emit.py AX): addresses
#: with bit 31 set must still trap or wrap exactly as WebAssembly says
HIGH = """
(module
  (memory 1)
  (func (export "ld") (param i32) (result i32) (i32.load offset=4 (local.get 0)))
  (func (export "ld0") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "st") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
  (func (export "grow") (result i32) (memory.grow (i32.const 1)))
  (func (export "wrap") (param i32) (result i32)
    (i32.add (i32.load (i32.add (local.get 0) (i32.const 4)))
             (i32.load (i32.add (local.get 0) (i32.const 8))))))
"""


def _check_high_addresses(client: object, data: bytes) -> None:
    c = client
    h = c.load(data)  # type: ignore[attr-defined]

    def call(name: str, *args: int) -> list[str]:
        return [str(v) for v in c.invoke(h, name, [Value("i32", a) for a in args])]  # type: ignore[attr-defined]

    call("st", 8, 0x11223344)
    assert call("ld", 4) == ["i32:0x11223344"]
    # 0xFFFFFFFF + 4 is 0x100000003 (sign-extended, -1 + 4 would be 3); 0x80000000: bit 31
    for name, addr in (("ld", 0xFFFFFFFF), ("ld", 0x80000000), ("ld0", 0x80000000),
                       ("ld0", 0xFFFFFFFC), ("ld", 0x7FFFFFFF)):
        with pytest.raises(RemoteError) as err:
            call(name, addr)
        assert err.value.remote_message.startswith("out of bounds memory access"), (name, addr)
    # a grouped run at 0xFFFFFFFC + 4, + 8 wraps to 0 and 4: in bounds
    call("st", 0, 3)
    call("st", 4, 7)
    assert call("wrap", 0xFFFFFFFC) == ["i32:0xa"]
    # after memory.grow an address past the declared minimum takes the exact test
    assert call("grow") == ["i32:0x1"]
    call("st", 65536 + 8, 5)
    assert call("ld", 65536 + 4) == ["i32:0x5"]
    with pytest.raises(RemoteError):
        call("ld0", 0x80010000)


@pytest.mark.build
@pytest.mark.qemu
@pytest.mark.spec
def test_spec_sample_in_aot_mode_on_qemu_riscv64(tmp_path: Path) -> None:
    """The riscv64 agent with aot; modules compiled by riscv64-unknown-elf-gcc on the host."""
    import shutil

    from wasmbed.run.qemu import QemuTarget

    if shutil.which("qemu-system-riscv64") is None:
        pytest.skip("qemu-system-riscv64 not installed")
    board = "qemu-riscv64"

    def high_addresses(target: QemuTarget) -> None:
        target.client.reset()
        _check_high_addresses(target.client,
                              compiler.compile_module(wat(HIGH), compiler.target_for(board)))

    aot_sample_on_qemu(board, QEMU_SAMPLE, tmp_path, then=high_addresses)


def test_aot_only_runtime_runs_aot_and_refuses_code_in_wasm(program_aot: bytes) -> None:
    """features=aot,-interp: no interpreter, no validator; declarations-only .wasm still load."""
    from wasmbed.build import driver as build

    res = build.build("host", ["aot", "-interp", "libc-builtin"], jobs=2)
    assert "interp" not in res.build_json["features"]
    t = HostTarget(Path(res.firmware))
    t.start()
    try:
        c = t.client
        assert "interp" not in c.info.features.split(",")
        h = c.load(program_aot)
        assert _call(t, h, "fac", Value("i64", 10)) == ["i64:0x375f00"]
        with pytest.raises(RemoteError) as err:
            c.load(wat('(module (func (export "f")))'))
        assert err.value.kind == Kind.UNSUPPORTED and "without the interpreter" in err.value.remote_message
        c.load(wat("(module (memory 1) (global (export \"g\") i32 (i32.const 7)))"))
    finally:
        t.stop()


HELLO = """
(module
  (import "env" "puts" (func $puts (param i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "Hello from AOT on the board")
  (func (export "main") (result i32)
    (drop (call $puts (i32.const 16)))
    (i32.const 42)))
"""


@pytest.mark.build
@pytest.mark.qemu
def test_static_link_hello_on_qemu_riscv64(tmp_path: Path) -> None:
    """scons board=qemu-riscv64 features=aot,libc-builtin app=hello.wasm: the image runs the
    app at boot (no agent, no loader), prints its output and exits with its code."""
    import shutil
    import subprocess
    import sys

    if shutil.which("qemu-system-riscv64") is None:
        pytest.skip("qemu-system-riscv64 not installed")
    app = tmp_path / "hello.wasm"
    app.write_bytes(wat(HELLO))
    bindir = Path(sys.executable).parent
    build_dir = tmp_path / "fw"
    r = subprocess.run([str(bindir / "scons"), "-Q", "-j2", "board=qemu-riscv64",
                        "features=aot,libc-builtin", f"app={app}", f"build_dir={build_dir}"],
                       cwd=Path(__file__).resolve().parents[1], capture_output=True, text=True,
                       timeout=1200)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    firmware = next(p for p in Path(tmp_path).rglob("firmware.elf"))
    assert json.loads((firmware.parent / "build.json").read_text())["static_app"] == str(app)
    run = subprocess.run([str(bindir / "run-on-qemu"), "qemu-riscv64", "--firmware", str(firmware)],
                         capture_output=True, text=True, timeout=600)
    assert "Hello from AOT on the board" in run.stdout
    assert run.returncode == 42, run.stdout + run.stderr


def test_high_addresses_trap_or_wrap_exactly_on_the_host(agent: HostTarget) -> None:
    """The same checks as on riscv64 (there with sign-extended fast tests). A memory above
    2 GiB, where a bit-31 address is in bounds, is not made here: 32768+ pages of zeroed
    memory would take 2 GiB of the test machine's RAM (and the riscv64 board has 128 MiB)."""
    agent.client.reset()
    _check_high_addresses(agent.client, compiler.compile_module(wat(HIGH), compiler.target_for("host")))
