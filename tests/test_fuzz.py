"""The libFuzzer harnesses build, replay the regression corpus and fuzz for a short round."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("wasmbed_fuzz_run", ROOT / "fuzz" / "run.py")
assert _spec is not None and _spec.loader is not None
fuzz = importlib.util.module_from_spec(_spec)
sys.modules["wasmbed_fuzz_run"] = fuzz  # dataclasses look their module up
_spec.loader.exec_module(fuzz)

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("fuzz")]


@pytest.fixture(scope="module")
def bins() -> dict[str, Path]:
    if not shutil.which("clang"):
        pytest.skip("clang not installed")
    return fuzz.build()


def test_regressions_and_seeds_replay_clean(bins):
    failures = fuzz.replay(bins, fuzz.seed())
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("harness", fuzz.HARNESSES)
def test_short_fuzz_round_finds_nothing(bins, harness):
    res = fuzz.fuzz(bins[harness], 8, fuzz.seed()[harness])
    assert res.executions > 100
    assert res.coverage > 100
    assert not res.crashes, res.crashes
