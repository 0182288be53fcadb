"""The spec runner end to end on the host agent: real .wast files, wrong
expectations caught, restarts after hangs and crashes, reports."""

from __future__ import annotations

import argparse
import json
import os
import signal
import threading
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from agent_helpers import wat
from wasmbed.run.protocol import Value
from wasmbed.run.spec import SKIP_MINI, SKIP_TEXT, RunAborted, SpecRunner, matches
from wasmbed.run.target import HostTarget
from wasmbed.run.wast import suite_files

pytestmark = pytest.mark.spec

HANDFUL = [
    "i32.wast", "i64.wast", "f32.wast", "f64_cmp.wast", "conversions.wast", "fac.wast",
    "linking.wast", "imports.wast", "exports.wast", "names.wast", "call_indirect.wast",
    "memory_grow.wast", "traps.wast", "start.wast", "ref_null.wast", "table_grow.wast",
    "binary.wast", "data.wast", "elem.wast", "global.wast", "skip-stack-guard-page.wast",
]
ALLOWED_SKIPS = {SKIP_TEXT}


@pytest.fixture
def wast_dir(tmp_path: Path) -> Path:
    return tmp_path / "wast"


def write_wast(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.mark.parametrize("name", HANDFUL)
def test_spec_file_passes(target: HostTarget, name: str) -> None:
    (path,) = suite_files("core", [name])
    mini = "mini-loader" in target.client.info.features.split(",")
    target.pipeline_depth = 1 if name < "i" else 16  # both request paths
    result = SpecRunner(target).run_file(path)
    assert result.failures == []
    assert result.passed > 0
    assert set(result.skips) <= ALLOWED_SKIPS | ({SKIP_MINI} if mini else set())
    assert target.resets == 0


def full_loader(target: HostTarget) -> None:
    if "mini-loader" in target.client.info.features.split(","):
        pytest.skip("agent built with the mini loader: no validation")


def test_wrong_expectations_are_caught(target: HostTarget, tmp_path: Path, wast_dir: Path) -> None:
    full_loader(target)
    path = write_wast(tmp_path, "wrong.wast", """
(module
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "nan") (result f32) (f32.const nan:0x600000))
  (func (export "trap") unreachable)
  (global (export "g") i32 (i32.const 5)))
(assert_return (invoke "add" (i32.const 1) (i32.const 2)) (i32.const 3))
(assert_return (invoke "add" (i32.const 1) (i32.const 2)) (i32.const 4))
(assert_return (invoke "nan") (f32.const nan:arithmetic))
(assert_return (invoke "nan") (f32.const nan:canonical))
(assert_return (get "g") (i32.const 6))
(assert_trap (invoke "add" (i32.const 1) (i32.const 2)) "unreachable")
(assert_trap (invoke "trap") "integer overflow")
(assert_exhaustion (invoke "trap") "call stack exhausted")
(assert_invalid (module (func)) "type mismatch")
(assert_malformed (module binary "\\00asm\\01\\00\\00\\00") "unexpected end")
(assert_unlinkable (module (func)) "unknown import")
(assert_trap (module (func)) "unreachable")
(assert_malformed (module quote "(func") "unexpected token")
""")
    result = SpecRunner(target, wast_dir=wast_dir).run_file(path)
    assert (result.passed, result.failed, result.skipped) == (3, 10, 1), result.failures
    assert result.skips == {SKIP_TEXT: 1}
    text = "\n".join(result.failures)
    for needle in ["expected [i32:0x4]", "nan:canonical", "get g", "expected trap 'unreachable'",
                   "trapped with 'unreachable', expected 'integer overflow'", "expected exhaustion",
                   "was accepted, expected invalid", "was accepted, expected malformed",
                   "instantiated, expected link error", "instantiated, expected trap at instantiation"]:
        assert needle in text, needle


def test_nan_and_reference_matching() -> None:
    f32 = {"type": "f32", "value": "nan:canonical"}
    assert matches(f32, Value("f32", 0x7FC00000)) and matches(f32, Value("f32", 0xFFC00000))
    assert not matches(f32, Value("f32", 0x7FC00001)) and not matches(f32, Value("f32", 0x7F800000))
    arith = {"type": "f64", "value": "nan:arithmetic"}
    assert matches(arith, Value("f64", 0x7FF8000000000001)) and matches(arith, Value("f64", 0xFFF8000000000000))
    assert not matches(arith, Value("f64", 0x7FF0000000000001))  # signalling NaN
    assert matches({"type": "externref", "value": "null"}, Value("externref", None))
    assert matches({"type": "externref", "value": "3"}, Value("externref", 3))
    assert not matches({"type": "externref", "value": "3"}, Value("externref", None))
    assert matches({"type": "funcref"}, Value("funcref", 0))
    assert not matches({"type": "funcref"}, Value("funcref", None))
    assert not matches({"type": "i32", "value": "1"}, Value("i64", 1))


def test_freed_instance_stays_callable_through_a_shared_table(target: HostTarget) -> None:
    """B writes its function into A's table, the host frees B: A still calls it (the
    runtime keeps B alive; the runner may free whatever it no longer names)."""
    client = target.start()
    a = client.load(wat('(module (type $t (func (result i32))) (table (export "tab") 10 funcref)'
                        ' (func (export "call7") (result i32) (call_indirect (type $t) (i32.const 7))))'))
    client.register(a, "m1")
    b = client.load(wat('(module (import "m1" "tab" (table 10 funcref)) (elem (i32.const 7) $f)'
                        ' (func $f (result i32) (i32.const 67)))'))
    client.free(b)
    assert client.invoke(a, "call7") == [Value("i32", 67)]
    assert client.invoke(a, "call7") == [Value("i32", 67)]


def test_named_modules_are_freed_after_their_last_use(target: HostTarget, tmp_path: Path, wast_dir: Path) -> None:
    body = "\n".join(f'(module $m{i} (func (export "f") (result i32) (i32.const {i})))\n'
                     f'(assert_return (invoke $m{i} "f") (i32.const {i}))' for i in range(80))
    path = write_wast(tmp_path, "named.wast", body + '\n(assert_return (invoke $m3 "f") (i32.const 3))')
    result = SpecRunner(target, wast_dir=wast_dir).run_file(path)
    assert (result.passed, result.failed) == (161, 0)
    assert target.client.stats().live_handles == 2  # $m3 (used at the end) and the current one


RESUME = """
(module $M
  (global $c (export "c") (mut i32) (i32.const 0))
  (func (export "one") (result i32) (i32.const 1))
  (func (export "spin") (loop $l (br $l)))
  (func (export "slow") (local i32)
    (loop $l (local.set 0 (i32.add (local.get 0) (i32.const 1))) (br_if $l (i32.ne (local.get 0) (i32.const -1))))))
(register "M" $M)
(module $N
  (import "M" "one" (func $one (result i32)))
  (func (export "two") (result i32) (i32.add (call $one) (call $one))))
(assert_return (invoke $M "one") (i32.const 1))
(assert_return (invoke $M "{stall}"))
(assert_return (invoke $M "one") (i32.const 1))
(assert_return (invoke $N "two") (i32.const 2))
(module (import "M" "one" (func (result i32))) (func (export "three") (result i32) (i32.const 3)))
(assert_return (invoke "three") (i32.const 3))
(assert_return (get $M "c") (i32.const 0))
"""


@pytest.mark.parametrize("depth", [1, 16])
def test_runner_resumes_after_a_hung_guest(host_agent: Path, tmp_path: Path, wast_dir: Path, depth: int) -> None:
    path = write_wast(tmp_path, "hang.wast", RESUME.replace("{stall}", "spin"))
    with HostTarget(host_agent) as t:
        t.pipeline_depth = depth  # sequential and pipelined requests
        t.start()
        runner = SpecRunner(t, base_timeout=1.0, wast_dir=wast_dir)
        result = runner.run_file(path)
    assert result.failed == 1 and "timeout" in result.failures[0], result.failures
    assert result.passed == 9 and result.restarts == 1 and t.resets == 1


def test_runner_resumes_after_the_agent_is_killed(host_agent: Path, tmp_path: Path, wast_dir: Path) -> None:
    path = write_wast(tmp_path, "kill.wast", RESUME.replace("{stall}", "slow"))
    with HostTarget(host_agent) as t:
        t.start()
        first = t.proc
        done = 0

        def on_command() -> None:  # the 4th command answered: "slow" is running now
            nonlocal done
            done += 1
            if done == 4:
                threading.Timer(0.3, os.kill, (first.pid, signal.SIGKILL)).start()

        result = SpecRunner(t, base_timeout=60.0, wast_dir=wast_dir).run_file(path, on_command=on_command)
    assert result.failed == 1, result.failures
    assert "guest crash" in result.failures[0] and "SIGKILL" in result.failures[0]
    assert "line 13" in result.failures[0]
    assert result.passed == 9 and t.resets == 1


def test_restart_limit_aborts_the_run(host_agent: Path, tmp_path: Path, wast_dir: Path) -> None:
    path = write_wast(tmp_path, "hang2.wast", RESUME.replace("{stall}", "spin"))
    with HostTarget(host_agent) as t:
        t.start()
        with pytest.raises(RunAborted, match="restarts"):
            SpecRunner(t, base_timeout=0.5, max_restarts=0, wast_dir=wast_dir).run_file(path)


def test_mini_loader_skips_validation_checks(target: HostTarget, tmp_path: Path, wast_dir: Path) -> None:
    path = write_wast(tmp_path, "mini.wast", """
(module (func (export "f") (result i32) (i32.const 1)))
(assert_return (invoke "f") (i32.const 1))
(assert_invalid (module (func (result i32) (i64.const 1))) "type mismatch")
(assert_malformed (module binary "\\00asm") "unexpected end")
""")
    result = SpecRunner(target, mini_loader=True, wast_dir=wast_dir).run_file(path)
    assert (result.passed, result.failed, result.skipped) == (2, 0, 2)
    assert result.skips == {SKIP_MINI: 2}


def test_unnamed_modules_are_freed(target: HostTarget, tmp_path: Path, wast_dir: Path) -> None:
    body = "\n".join(f'(module (func (export "f") (result i32) (i32.const {i})))\n'
                     f'(assert_return (invoke "f") (i32.const {i}))' for i in range(100))
    path = write_wast(tmp_path, "many.wast", body)
    result = SpecRunner(target, wast_dir=wast_dir).run_file(path)
    assert (result.passed, result.failed) == (200, 0)
    assert target.client.stats().live_handles == 1  # only the current module stays


def test_spec_command_writes_json_and_junit(host_agent: Path, tmp_path: Path) -> None:
    from wasmbed.commands import spec as spec_cmd

    parser = argparse.ArgumentParser()
    spec_cmd.configure(parser)
    out_json, out_xml = tmp_path / "r.json", tmp_path / "r.xml"
    args = parser.parse_args(["--board", "host", "--suite", "core", "--firmware", str(host_agent),
                              "--files", "fac.wast,align", "--json", str(out_json), "--junit", str(out_xml)])
    assert spec_cmd.run(args) == 0
    data = json.loads(out_json.read_text())
    mini = "mini-loader" in data["agent"]["features"].split(",")
    assert (data["board"], data["suite"], data["loader"]) == ("host", "core", "mini" if mini else "full")
    assert set(data["files"]) == {"fac.wast", "align.wast"}
    t = data["totals"]
    assert t["failed"] == 0 and t["passed"] > 50 and t["skipped"] >= data["files"]["align.wast"]["skipped"] > 0
    for entry in data["files"].values():
        assert {"passed", "failed", "skipped", "failures"} <= set(entry)
    suite = ET.parse(out_xml).getroot().find("testsuite")
    assert suite is not None and suite.get("tests") == "2" and suite.get("failures") == "0"
    assert [c.get("name") for c in suite.iter("testcase")] == ["fac.wast", "align.wast"]  # given order


def test_unknown_wast_name_suggests(host_agent: Path) -> None:
    from wasmbed.errors import WasmbedError

    with pytest.raises(WasmbedError, match="i32.wast"):
        suite_files("core", ["i23.wast"])


def test_whole_core_suite(host_agent: Path, tmp_path: Path) -> None:
    from wasmbed.commands import spec as spec_cmd

    parser = argparse.ArgumentParser()
    spec_cmd.configure(parser)
    out = tmp_path / "core.json"
    spec_cmd.run(parser.parse_args(["--firmware", str(host_agent), "--json", str(out)]))
    data = json.loads(out.read_text())
    assert len(data["files"]) == 90  # every top-level .wast except simd_*
    assert data["totals"]["passed"] > 25000
    mini = "mini-loader" in data["agent"]["features"].split(",")
    assert set(data["skip_reasons"]) <= ALLOWED_SKIPS | ({SKIP_MINI} if mini else set())


def test_boards_other_than_host_need_a_port_or_qemu() -> None:
    from wasmbed.errors import WasmbedError
    from wasmbed.run.target import open_target

    with pytest.raises(WasmbedError, match="use run-on-qemu qemu-riscv32 or give --port"):
        open_target("qemu-riscv32")
