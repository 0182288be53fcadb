"""Every Kconfig file wasmbed generates, for every board of an RTOS with integration glue,
parses with kconfiglib (the Python implementation of the Kconfig language)."""

from __future__ import annotations

from pathlib import Path

import kconfiglib
import pytest

from wasmbed.build import render
from wasmbed.model.descriptors import all_boards, platform_of
from wasmbed.build.sconsbuild import resolve_features, runtime_sources

ROOT = Path(__file__).resolve().parent.parent

def _has_kconfig(integration: str | None) -> bool:
    d = ROOT / "templates" / "integration" / str(integration)
    return bool(integration) and any(d.rglob("Kconfig*.j2"))


BOARDS = [b for b in all_boards() if _has_kconfig(platform_of(b).integration)]


def test_some_boards_have_glue() -> None:
    assert {platform_of(b).name for b in BOARDS} >= {"nuttx", "zephyr", "esp-idf"}


@pytest.mark.parametrize("board", BOARDS, ids=lambda b: b.name)
def test_generated_kconfig_parses(board, tmp_path: Path) -> None:
    keys = resolve_features(board, None)
    out = render.render(board, platform_of(board), keys, tmp_path / "gen",
                        runtime_sources=[str(s.relative_to(ROOT)) for s in runtime_sources(keys)])
    kconfigs = [p for p in out.integration if p.name.startswith("Kconfig")]
    assert kconfigs, f"{board.name}: no Kconfig file among {[p.name for p in out.integration]}"
    for path in kconfigs:
        kconf = kconfiglib.Kconfig(str(path), warn_to_stderr=False)
        names = set(kconf.syms)
        assert any("WASMBED" in n for n in names), f"{path}: no WASMBED symbol"
        problems = [w for w in kconf.warnings if "undefined symbol" not in w
                    and "MODULES" not in w]
        assert not problems, f"{path}:\n" + "\n".join(problems)
        # the board's own features are on by default
        on = {s.name for s in kconf.unique_defined_syms if s.str_value == "y"}
        for key in keys:
            # the shortest match: WASMBED_INTERP, not WASMBED_FAST_INTERP
            sym = min((n for n in names if n.endswith("_" + key.upper().replace("-", "_"))),
                      key=len, default=None)
            if sym is not None and kconf.syms[sym].visibility:
                assert sym in on, f"{path}: {sym} (board feature {key}) is not on by default"
