"""When and on which commit a result was measured: the fields every report carries.

`wasmbed docs` copies them into docs/evidence.json and prints them beside each cell of
the README's support tables, so a row says where its number came from.
"""

from __future__ import annotations

import subprocess
from datetime import datetime, timezone
from typing import Any

from wasmbed import ROOT


def git_commit() -> str | None:
    """HEAD of the checkout (None outside a git checkout)."""
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True,
                             text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


def git_dirty() -> bool | None:
    """True when tracked files differ from HEAD (the result is of an uncommitted tree)."""
    try:
        out = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                             cwd=ROOT, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return bool(out.stdout.strip()) if out.returncode == 0 else None


def now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def stamp() -> dict[str, Any]:
    """{"measured_at": "2026-12-01T21:00:00Z", "commit": "<sha>", "dirty": bool}."""
    return {"measured_at": now(), "commit": git_commit(), "dirty": git_dirty()}
