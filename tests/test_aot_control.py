"""AOT mode of the control-flow proposals: extended-const, tail-call and legacy exception
handling (wasmbed/aot/emit_ctl.py, runtime_src/core/wb_aot_ctl.c). A sample of each
proposal suite on the host, a tail recursion a million calls deep, and exceptions crossing
between AOT and interpreted modules."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from agent_helpers import running, wat
from wasmbed.aot import compiler
from wasmbed.aot.spec_mode import AotModules
from wasmbed.run.protocol import RemoteError, Value
from wasmbed.run.spec import SKIP_TEXT, SpecRunner
from wasmbed.run.target import HostTarget
from wasmbed.run.wast import suite_files

PROPOSALS = ["extended-const", "tail-call", "legacy-exception-handling"]
FEATURES = ["interp", "aot", "libc-builtin", *PROPOSALS]


@pytest.fixture(scope="module")
def agent_exe() -> Path:
    from wasmbed.build import driver as build

    return Path(build.build("host", FEATURES, jobs=2).firmware)


@pytest.fixture
def agent(agent_exe: Path) -> Iterator[HostTarget]:
    yield from running(agent_exe)


# (suite, file, the fewest passes: every command but the text-format modules)
SAMPLE = [("extended-const", "global.wast", 108),
          ("tail-call", "return_call.wast", 40),
          ("tail-call", "return_call_indirect.wast", 60),
          ("exception-handling-legacy", "try_catch.wast", 30),
          ("exception-handling-legacy", "try_delegate.wast", 15),
          ("exception-handling-legacy", "rethrow.wast", 10)]


@pytest.mark.spec
@pytest.mark.parametrize("suite,name,least", SAMPLE)
def test_proposal_sample_in_aot_mode(agent: HostTarget, suite: str, name: str, least: int) -> None:
    (path,) = suite_files(suite, [name])
    result = SpecRunner(agent, aot=AotModules("host", features=PROPOSALS)).run_file(path)
    assert result.failures == []
    assert result.passed >= least, result.passed
    assert set(result.skips) <= {SKIP_TEXT}


DEEP = """
(module
  (type $t (func (param i64) (result i64)))
  (table funcref (elem $even_i $odd_i))
  (func $even (param i64 i64) (result i64)
    (if (result i64) (i64.eqz (local.get 0)) (then (local.get 1))
      (else (return_call $odd (i64.sub (local.get 0) (i64.const 1))
                              (i64.add (local.get 1) (i64.const 1))))))
  (func $odd (param i64 i64) (result i64)
    (if (result i64) (i64.eqz (local.get 0)) (then (i64.sub (i64.const 0) (local.get 1)))
      (else (return_call $even (i64.sub (local.get 0) (i64.const 1))
                               (i64.add (local.get 1) (i64.const 1))))))
  (func $even_i (type $t)
    (if (result i64) (i64.eqz (local.get 0)) (then (i64.const 44))
      (else (return_call_indirect (type $t) (i64.sub (local.get 0) (i64.const 1)) (i32.const 1)))))
  (func $odd_i (type $t)
    (if (result i64) (i64.eqz (local.get 0)) (then (i64.const 99))
      (else (return_call_indirect (type $t) (i64.sub (local.get 0) (i64.const 1)) (i32.const 0)))))
  (func $plain (param i64) (result i64)
    (if (result i64) (i64.eqz (local.get 0)) (then (i64.const 0))
      (else (call $plain (i64.sub (local.get 0) (i64.const 1))))))
  (func (export "even") (param i64) (result i64) (call $even (local.get 0) (i64.const 0)))
  (func (export "even_i") (param i64) (result i64) (call $even_i (local.get 0)))
  (func (export "plain") (param i64) (result i64) (call $plain (local.get 0)))
)
"""


def test_tail_recursion_a_million_deep_keeps_the_stack(agent: HostTarget) -> None:
    """return_call and return_call_indirect a million calls deep run in AOT code (the
    dispatch loop keeps the native stack bounded), where the same depth with `call`
    exhausts the stack the runtime grants AOT code."""
    data = compiler.compile_module(wat(DEEP), compiler.target_for("host"))
    c = agent.client
    h = c.load(data)
    n = 1_000_000
    assert [str(v) for v in c.invoke(h, "even", [Value("i64", n)], timeout=120)] == [f"i64:0x{n:x}"]
    assert [str(v) for v in c.invoke(h, "even", [Value("i64", n + 1)], timeout=120)] == \
        [f"i64:0x{(-(n + 1)) & 0xFFFFFFFFFFFFFFFF:x}"]
    assert [str(v) for v in c.invoke(h, "even_i", [Value("i64", n)], timeout=120)] == ["i64:0x2c"]
    with pytest.raises(RemoteError) as err:
        c.invoke(h, "plain", [Value("i64", n)], timeout=120)
    assert "call stack exhausted" in err.value.remote_message
    assert agent.alive()


LIB = """
(module
  (tag $e (export "e") (param i32))
  (func (export "throw") (param i32) (throw $e (local.get 0)))
  (func (export "call") (param i32) (result i32) (local.get 0))
)
"""
USER = """
(module
  (import "lib" "e" (tag $e (param i32)))
  (import "lib" "throw" (func $throw (param i32)))
  (func (export "catch") (param i32) (result i32)
    (try (result i32)
      (do (call $throw (local.get 0)) (i32.const -1))
      (catch $e (i32.add (i32.const 1)))))
  (func (export "pass") (param i32) (result i32)
    (try (result i32)
      (do (call $throw (local.get 0)) (i32.const -1))
      (catch_all (i32.const 7))))
  (func (export "own") (param i32) (throw $e (local.get 0)))
)
"""
CALLER = """
(module
  (import "lib" "e" (tag $e (param i32)))
  (import "user" "own" (func $own (param i32)))
  (func (export "catch") (param i32) (result i32)
    (try (result i32)
      (do (call $own (local.get 0)) (i32.const -1))
      (catch $e (i32.add (i32.const 100)))))
)
"""


@pytest.mark.parametrize("aot_lib", [False, True])
def test_exceptions_cross_aot_and_interpreted_modules(agent: HostTarget, aot_lib: bool) -> None:
    """An exception thrown by an interpreted (or AOT) module's function is caught by AOT
    code through the imported tag; one thrown by AOT code is caught by an interpreted
    module, and one nobody catches reaches the embedder as an uncaught exception."""
    target = compiler.target_for("host")
    c = agent.client
    lib = wat(LIB)
    h = c.load(compiler.compile_module(lib, target) if aot_lib else lib)
    c.register(h, "lib")
    u = c.load(compiler.compile_module(wat(USER), target))
    c.register(u, "user")
    call = lambda m, name, x: [str(v) for v in c.invoke(m, name, [Value("i32", x)])]  # noqa: E731
    assert call(u, "catch", 41) == ["i32:0x2a"]
    assert call(u, "pass", 3) == ["i32:0x7"]
    caller = c.load(wat(CALLER))  # interpreted, catches what AOT code throws
    assert call(caller, "catch", 5) == ["i32:0x69"]
    with pytest.raises(RemoteError) as err:
        c.invoke(u, "own", [Value("i32", 1)])
    assert "uncaught exception" in err.value.remote_message
    assert agent.alive()
