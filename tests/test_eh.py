"""Legacy exception handling (feature legacy-exception-handling): the proposal's suite on
the host agent, exceptions through natives from C, and the AOT translator's refusal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent_helpers import wat
from test_embed_api import AGENT_FEATURES, ALL_ON, build_with, run

MIN_PASS_RATE = 0.995

EH_WAT = """(module
  (import "env" "reenter" (func $reenter (param i32) (result i32)))
  (tag $e (export "e") (param i32))
  (func (export "thrower") (param i32) (result i32) local.get 0 throw $e)
  (func (export "through_native") (param i32) (result i32)
    (try (result i32) (do local.get 0 call $reenter)
      (catch $e i32.const 1000 i32.add)))
  (func (export "uncaught") (param i32) (result i32) local.get 0 throw $e)
  (func (export "rethrow_outer") (param i32) (result i32)
    (try (result i32)
      (do (try (result i32) (do local.get 0 throw $e) (catch $e drop rethrow 0)))
      (catch $e)))
  (func (export "trap_in_try") (result i32)
    (try (result i32) (do unreachable) (catch_all i32.const 1)))
  (func $down (param i32) (result i32)
    local.get 0 i32.eqz if i32.const 42 throw $e end
    local.get 0 i32.const 1 i32.sub call $down)
  (func (export "deep") (param i32) (result i32)
    (try (result i32) (do local.get 0 call $down) (catch $e)))
)"""


def test_exceptions_through_natives(tmp_path: Path) -> None:
    """An exception leaving a nested wb_call (through the native that made it) is caught
    by the wasm frames around the native; rethrow from a nested catch reaches the outer
    one; uncaught: WB_ERR_EXCEPTION "uncaught exception"; a trap passes catch_all; a
    handler 50 frames up is found; dump-call-stack names where an uncaught one was
    thrown."""
    path = tmp_path / "eh.wasm"
    path.write_bytes(wat(EH_WAT))
    exe = build_with(**ALL_ON)
    run(exe, "eh", path)


def test_aot_compiles_exception_modules(tmp_path: Path) -> None:
    """The AOT translator compiles exception modules (try regions route their call checks
    to a handler label; tests/test_aot_control.py runs the suite)."""
    from wasmbed.aot import compiler

    eh = wat(EH_WAT)
    _, c = compiler.translate(eh)
    assert "c->ctl->throw_(c, c->ctl->tag(c, " in c and "CHKH(H" in c


@pytest.mark.spec
def test_host_legacy_exception_handling_suite(tmp_path: Path) -> None:
    """proposals/exception-handling/legacy on the host agent (89 passed, 7 skipped text
    modules at the time of writing)."""
    from wasmbed.cli import main

    out = tmp_path / "eh.json"
    code = main(["spec", "--board", "host", "--suite", "exception-handling-legacy",
                 "--features", AGENT_FEATURES, "--json", str(out)])
    totals = json.loads(out.read_text())["totals"]
    assert totals["passed"] >= 85, totals
    assert totals["passed"] / (totals["passed"] + totals["failed"]) >= MIN_PASS_RATE, totals
    assert code == (1 if totals["failed"] else 0)
