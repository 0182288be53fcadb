"""Shared by test_aot.py and test_aot_boards.py: a spec sample in AOT mode on a QEMU board."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Callable

from wasmbed.aot.spec_mode import AotModules
from wasmbed.run.spec import SKIP_TEXT, SpecRunner
from wasmbed.run.wast import suite_files

if TYPE_CHECKING:
    from wasmbed.run.qemu import QemuTarget


def aot_sample_on_qemu(board: str, files: list[str], tmp_path: Path,
                       then: Callable[[QemuTarget], None] | None = None) -> None:
    """Build the board's agent with aot, boot it, run the core files with every module
    AOT-compiled for the board (all pass, skips only for the known reason), then
    `then(target)` on the same guest; at least one module was compiled or cached."""
    from wasmbed.build import driver as build
    from wasmbed.commands.spec import aot_features
    from wasmbed.run.qemu import QemuTarget

    firmware = Path(build.build(board, aot_features(board, None), jobs=2).firmware)
    aot = AotModules(board)
    with QemuTarget(board, firmware, log=tmp_path / "serial.log") as target:
        target.start()
        runner = SpecRunner(target, aot=aot)
        for path in suite_files("core", files):
            result = runner.run_file(path)
            assert result.failures == [], path.name
            assert result.passed > 0
            assert set(result.skips) <= {SKIP_TEXT}
        if then is not None:
            then(target)
    assert aot.stats.compiled + aot.stats.cached > 0
