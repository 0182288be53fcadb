"""Shared by test_descriptors.py and test_appstore_agent.py: a small valid board
descriptor, written to a test's folder."""

from __future__ import annotations

import textwrap
from pathlib import Path

# one line a field: tests that break a field find it by line number
GOOD = """\
name: {name}
description: a test board
tier: C
triple: riscv64-unknown-elf
arch: riscv64
endian: little
platform: baremetal
features: [interp]
heap_size: 64K
memory:
  - {{name: ram, origin: 0x80000000, length: 1M, attrs: rwx}}
"""


def write_board(tmp_path: Path, text: str, name: str = "tboard") -> Path:
    """text as tmp_path/<name>.yaml; its path."""
    path = tmp_path / f"{name}.yaml"
    path.write_text(textwrap.dedent(text))
    return path
