"""What a board's tier means, and what has been proven for it on this machine.

A tier is a promise of the support table (the upstream runtime's tiered support list) for
the board's target triple; it says nothing about what ran here. What ran here is read from
the board's build folder (build/<board>/build.json) and the spec reports
(`wasmbed spec --json`, `run-on-qemu --json`) under build/reports/ and build/docs-inputs/.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterable, Optional

from wasmbed import ROOT

#: the tier words, shown by README.md, docs/design.md, `wasmbed boards` and `scons -h`
TIERS = {
    "A": "highest support: fully supported, actively maintained and regularly tested; "
         "relied on in production",
    "B": "moderate support: generally supported and maintained, occasional issues may "
         "wait, documentation thinner",
    "C": "experimental: foundational support, little maintenance; production use needs "
         "your own evaluation",
}

PROVEN_WORDS = ("built: a firmware image (or, without the OS SDK, the libraries) was linked "
                "here; booted: the agent answered under QEMU/the host; suite: core spec checks "
                "passed/total in the newest report")

REPORT_GLOBS = ("build/reports/spec-*.json", "build/docs-inputs/spec-*.json")


def tier_legend() -> str:
    return "; ".join(f"tier {t}: {text}" for t, text in TIERS.items())


def _reports(root: Path, globs: Iterable[str]) -> list[tuple[float, dict[str, Any]]]:
    out = []
    for pattern in globs:
        for path in root.glob(pattern):
            try:
                data = json.loads(path.read_text())
                out.append((path.stat().st_mtime, data))
            except (OSError, ValueError):
                continue
    return out


class Evidence:
    """Built / booted / suite for every board, read once."""

    def __init__(self, root: Path = ROOT, globs: Iterable[str] = REPORT_GLOBS) -> None:
        self.root = root
        self.reports = _reports(root, globs)

    def built(self, board: str) -> Optional[str]:
        bj = self.root / "build" / board / "build.json"
        try:
            data = json.loads(bj.read_text())
        except (OSError, ValueError):
            return None
        return str(data.get("status") or "") or None

    def suite(self, board: str) -> Optional[dict[str, Any]]:
        """The newest spec report of the board's core suite: passed, total, date."""
        best: Optional[tuple[float, dict[str, Any]]] = None
        for mtime, data in self.reports:
            if data.get("board") != board or data.get("suite", "core") != "core":
                continue
            if data.get("interrupted") or "totals" not in data:
                continue
            if best is None or mtime > best[0]:
                best = (mtime, data)
        if best is None:
            return None
        t = best[1]["totals"]
        return {"passed": int(t.get("passed", 0)), "total": int(t.get("passed", 0)) +
                int(t.get("failed", 0)), "skipped": int(t.get("skipped", 0))}

    def of(self, board: str) -> dict[str, Any]:
        built, suite = self.built(board), self.suite(board)
        return {"built": built, "booted": bool(suite and suite["passed"] > 0), "suite": suite}

    @staticmethod
    def text(proof: dict[str, Any]) -> str:
        parts = []
        if proof["built"]:
            parts.append("built" if proof["built"] == "built" else proof["built"])
        if proof["booted"]:
            parts.append("booted")
        if proof["suite"]:
            s = proof["suite"]
            parts.append(f"suite {s['passed']}/{s['total']}")
        return ", ".join(parts) or "nothing yet"
