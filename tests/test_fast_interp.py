"""fast-interp (docs/fast-interp.md): a sample of the core spec suite on the host agent
built with the fast-interp feature (every instance in that mode), and the per-instance
running mode through the embedding API (tests/c/fast_interp_api.c: both modes in one
environment, switched between calls, calls across instances of different modes).
The whole suite is a command run by hand: `wasmbed spec --board host --mode fast-interp`."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from agent_helpers import wat
from runtime_c_helpers import INCLUDES, MALLOC_PORT, ROOT, RT, SOURCES
from wasmbed.cli import main
from wasmbed.commands.spec import fast_interp_features

BUILD = ROOT / "build" / "test_fast_interp"
PROGRAM = ROOT / "tests" / "c" / "fast_interp_api.c"

# control flow with values and unwinding (block/loop/if/br/br_if/br_table/return), calls
# (direct, indirect, recursive, natives), locals (tee/set retargeting), every numeric
# family, memory, traps and stack exhaustion
SAMPLE = ["block", "loop", "if", "br", "br_if", "br_table", "return", "call",
          "call_indirect", "fac", "local_get", "local_set", "local_tee", "select",
          "i32", "i64", "f32", "f64", "conversions", "memory", "address", "memory_grow",
          "left-to-right", "stack", "unwind", "traps", "func", "labels", "switch",
          "int_exprs", "float_exprs", "global", "nop", "forward", "start", "endianness"]

MAIN_WAT = """(module
  (import "env" "twice" (func $twice (param i32) (result i32)))
  (memory 1)
  (table funcref (elem $fib $sum))
  (type $t (func (param i32) (result i32)))
  (func $fib (export "fib") (param i32) (result i32)
    local.get 0 i32.const 2 i32.lt_s
    if (result i32) local.get 0
    else local.get 0 i32.const 1 i32.sub call $fib
         local.get 0 i32.const 2 i32.sub call $fib i32.add end)
  (func $sum (export "sum") (param $n i32) (result i32) (local $i i32) (local $s i32)
    block $done
      loop $top
        local.get $i local.get $n i32.ge_s br_if $done
        local.get $i i32.const 4 i32.mul local.get $i i32.store
        local.get $s local.get $i i32.const 4 i32.mul i32.load i32.add local.set $s
        local.get $i i32.const 1 i32.add local.set $i
        br $top
      end
    end
    local.get $s)
  (func (export "pick") (param i32) (result i32)
    block $d block $c block $b block $a
      local.get 0 br_table $a $b $c $d
    end i32.const 10 return
    end i32.const 20 return
    end i32.const 30 return
    end i32.const 40)
  (func (export "ind") (param i32) (result i32)
    i32.const 1000 i32.const 20 local.get 0 i32.const 1 i32.eq select
    local.get 0 call_indirect (type $t))
  (func (export "twice_plus") (param i32) (result i32)
    local.get 0 call $twice i32.const 1 i32.add))
"""

CALLER_WAT = """(module
  (import "a" "fib" (func $fib (param i32) (result i32)))
  (func (export "callfib") (param i32) (result i32)
    local.get 0 call $fib i32.const 1 i32.add))
"""


def test_mode_adds_the_feature() -> None:
    assert fast_interp_features("host", ["interp"]) == ["interp", "fast-interp"]
    assert fast_interp_features("host", ["interp", "fast-interp"]) == ["interp", "fast-interp"]


@pytest.mark.spec
def test_host_sample_in_fast_interp(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    code = main(["spec", "--board", "host", "--mode", "fast-interp", "--files",
                 ",".join(SAMPLE), "--json", str(out)])
    data = json.loads(out.read_text())
    totals = data["totals"]
    assert totals["failed"] == 0, {k: v for k, v in data["files"].items() if v["failed"]}
    assert totals["passed"] >= 9000, totals  # 9,5xx at the time of writing
    assert code == 0


#: assertions in tests/wast/fast_fused.wast (plus its module)
FUSED_CHECKS = 86
FUSED_WAST = Path(__file__).resolve().parent / "wast" / "fast_fused.wast"


@pytest.mark.spec
def test_fused_forms_in_fast_interp(tmp_path: Path) -> None:
    """tests/wast/fast_fused.wast: functions that translate to the fused forms (F_MUL2LA,
    F_MUL4LA, F_DMS, F_LMSST, F_MAMST, F_MAMSTA, F_MALST, F_STBR), checked against the
    unfused instructions' results: traps at each fused access, addresses that wrap around 2^32,
    f64 values that differ if a product and its add were one fused multiply-add."""
    out = tmp_path / "r.json"
    code = main(["spec", "--board", "host", "--mode", "fast-interp", "--files",
                 str(FUSED_WAST), "--json", str(out)])
    totals = json.loads(out.read_text())["totals"]
    assert totals["failed"] == 0 and totals["skipped"] == 0, totals
    assert totals["passed"] == FUSED_CHECKS, totals
    assert code == 0


def test_per_instance_running_mode(tmp_path: Path) -> None:
    """Both modes in one environment: the build's default (fast-interp), the environment's
    default, a switch between calls, calls from a fast instance into a classic one."""
    if not shutil.which("gcc"):
        pytest.skip("gcc not installed")
    main_wasm, caller_wasm = tmp_path / "main.wasm", tmp_path / "caller.wasm"
    main_wasm.write_bytes(wat(MAIN_WAT))
    caller_wasm.write_bytes(wat(CALLER_WAT))
    BUILD.mkdir(parents=True, exist_ok=True)
    port = BUILD / "port.c"
    port.write_text(MALLOC_PORT)
    exe = BUILD / "fast_interp_api"
    r = subprocess.run(["gcc", "-std=c11", "-Wall", "-Wextra", "-Werror", "-O1", "-g",
                        "-DWB_FEATURE_FAST_INTERP=1", "-DWB_FEATURE_PER_INSTANCE_RUNNING_MODE=1",
                        *INCLUDES, *map(str, SOURCES),
                        str(PROGRAM), str(port), "-o", str(exe)],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0 and not r.stderr, r.stderr
    r = subprocess.run([str(exe), str(main_wasm), str(caller_wasm)], capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0 and r.stdout.strip().endswith("OK"), r.stdout + r.stderr


def test_trap_call_stack_in_fast_code(tmp_path: Path) -> None:
    """dump-call-stack / copy-call-stack with every instance in fast-interp: a trap in fast
    code names its wasm frames innermost first, a native's trap lists the fast frames that
    called it, a deep trap keeps 16 frames and counts the rest, a native reads the frames
    that led to it (tests/c/embed_api.c `stack`, the same checks as the classic mode)."""
    import test_embed_api as embed

    module = embed.wat_named(embed.STACK_WAT, tmp_path / "stack.wasm")
    flags = ["-DWB_FEATURE_FAST_INTERP=1"]
    for key, want in embed.WANT.items():
        flags += [f"-DWB_FEATURE_{key}=1", f"-D{want}=1"]
    out = embed.run(embed.build("api-fast-interp", flags), "stack", module)
    assert "#0 func[2]" in out
