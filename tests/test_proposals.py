"""Proposal suites (`wasmbed spec --suite <proposal>`): folder mapping, the feature the
agent is built with, and the suites of the proposals that work, run whole on the host."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from wasmbed.cli import main
from wasmbed.commands.spec import with_suite_feature
from wasmbed.errors import WasmbedError
from wasmbed.run import wast
from wasmbed.run.wast import PROPOSAL_SUITES, suite_feature, suite_files

MIN_PASS_RATE = 0.995


def test_proposal_suites_map_to_their_folders() -> None:
    root = wast.testsuite_dir()
    files = suite_files("extended-const")
    assert files and all(p.parent == root / "proposals" / "extended-const" for p in files)
    assert PROPOSAL_SUITES["exception-handling-legacy"][0] == "proposals/exception-handling/legacy"
    assert [p.name for p in suite_files("extended-const", ["global"])] == ["global.wast"]


def test_unknown_suite_names_the_nearest() -> None:
    with pytest.raises(WasmbedError) as err:
        suite_files("extended-cnst")
    assert "extended-const" in str(err.value)


def test_suite_feature_is_added_to_the_build() -> None:
    assert suite_feature("core") is None
    assert with_suite_feature(None, "core") is None
    assert with_suite_feature(None, "extended-const") == ["+extended-const"]
    assert with_suite_feature(["interp", "extended-const"], "extended-const") == [
        "interp", "extended-const"]


@pytest.mark.spec
def test_host_extended_const_suite(tmp_path: Path) -> None:
    out = tmp_path / "ec.json"
    code = main(["spec", "--board", "host", "--suite", "extended-const", "--json", str(out)])
    totals = json.loads(out.read_text())["totals"]
    assert totals["passed"] >= 280, totals  # the whole suite ran (287 at the time of writing)
    assert totals["passed"] / (totals["passed"] + totals["failed"]) >= MIN_PASS_RATE, totals
    assert code == (1 if totals["failed"] else 0)


@pytest.mark.spec
def test_host_tail_call_suite(tmp_path: Path) -> None:
    """return_call.wast counts down from 1_000_000 by tail calls: with frame growth
    the call stack (a few thousand frames) would be exhausted long before."""
    out = tmp_path / "tc.json"
    code = main(["spec", "--board", "host", "--suite", "tail-call", "--json", str(out)])
    data = json.loads(out.read_text())
    totals = data["totals"]
    assert totals["passed"] >= 100, totals  # the whole suite ran (108 at the time of writing)
    assert totals["passed"] / (totals["passed"] + totals["failed"]) >= MIN_PASS_RATE, totals
    assert code == (1 if totals["failed"] else 0)
