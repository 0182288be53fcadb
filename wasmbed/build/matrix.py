"""Build every board with its default features; record what each one came to.

Status per board:
    built              the target's own compiler and headers; a linked image
    built-without-sdk  the CPU part (and the port, against the API available) compiled;
                       the OS's SDK is not here (`error` says what is missing)
    no-toolchain       no compiler for the CPU (`error` names what to install)
    failed             the build broke (`error` has the tail of the output); the matrix
                       builds with werror=1, so a compiler warning is a failure too
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import Any, Callable, Iterable

from wasmbed.model import toolchains
from wasmbed.build.driver import build
from wasmbed.model.descriptors import Board, all_boards, load_board
from wasmbed.errors import WasmbedError

STATUSES = ("built", "built-without-sdk", "no-toolchain", "failed")

#: The target triples of the support table (seeds/000_*.txt), tiers A, B, C.
SEED_TRIPLES = (
    "aarch64-unknown-nuttx-eabi", "i386-pc-linux-gnu", "x86_64-pc-linux-gnu",
    "x86_64-apple-darwin", "x86_64-none-linux-gnu",
    "arc-unknown-none-elf", "x86_64-pc-windows-msvc", "mips-unknown-elf", "mips64-unknown-elf",
    "aarch64-apple-ios", "arm-none-eabi", "i386-unknown-elf", "i386-wrs-vxworks",
    "riscv32-esp-elf", "riscv32-unknown-elf", "riscv64-unknown-elf", "x86_64-linux-android",
    "x86_64-linux-cosmo", "x86_64-unknown-freebsd", "x86_64-wrs-vxworks", "xtensa-esp32-elf",
)


def _entry(board: Board) -> dict[str, Any]:
    return {"triple": board.triple, "tier": board.tier, "platform": board.platform,
            "status": "failed", "text": None, "data": None, "bss": None, "error": None,
            "toolchain": None}


def build_one(board: Board, jobs: int = 1) -> dict[str, Any]:
    """One board's row of the matrix (never raises for a build problem)."""
    entry = _entry(board)
    tc = toolchains.for_board(board)
    entry["toolchain"] = tc.name if tc.found else None
    try:
        result = build(board.name, jobs=jobs, werror=True)  # every target warning-free
    except WasmbedError as err:
        message = str(err)
        entry["error"] = message
        entry["status"] = "no-toolchain" if "no compiler" in message else "failed"
        return entry
    data = result.build_json
    entry["status"] = data.get("status", "built")
    entry["toolchain"] = data.get("toolchain")
    for key in ("text", "data", "bss"):
        entry[key] = data["sizes"][key]
    sdk = data.get("sdk")
    if sdk:  # built by an RTOS's own build from its tree (wasmbed/build/sdk.py)
        entry["sdk"] = {k: sdk.get(k) for k in ("name", "commit", "board", "found_by")}
        entry["runtime_text"] = (data.get("runtime") or {}).get("text")
    if entry["status"] == "built-without-sdk":
        notes = "; ".join(data.get("notes") or [])
        entry["error"] = f"missing: {data.get('missing')}" + (f" ({notes})" if notes else "")
    entry["firmware"] = data.get("firmware")
    return entry


def run(boards: Iterable[str] | None = None, *, parallel: int = 2,
        progress: Callable[[str, dict[str, Any]], None] | None = None) -> dict[str, Any]:
    """The matrix for the given boards (all when None), `parallel` builds at a time."""
    chosen = [load_board(b) for b in boards] if boards else all_boards()
    rows: dict[str, dict[str, Any]] = {}
    with ThreadPoolExecutor(max_workers=max(1, parallel)) as pool:
        futures = {pool.submit(build_one, b): b for b in chosen}
        for fut in as_completed(futures):
            board = futures[fut]
            rows[board.name] = fut.result()
            if progress:
                progress(board.name, rows[board.name])
    triples: dict[str, str] = {}
    rank = {s: i for i, s in enumerate(STATUSES)}
    for row in rows.values():
        best = triples.get(row["triple"])
        if best is None or rank[row["status"]] < rank[best]:
            triples[row["triple"]] = row["status"]
    summary = {s: sum(1 for v in triples.values() if v == s) for s in STATUSES}
    seed = {s: sum(1 for t in SEED_TRIPLES if triples.get(t) == s) for s in STATUSES}
    seed["not-in-run"] = sum(1 for t in SEED_TRIPLES if t not in triples)
    return {"boards": dict(sorted(rows.items())), "triples": dict(sorted(triples.items())),
            "summary": {"boards": len(rows), "triples": len(triples), "by_triple": summary,
                        "seed_triples": len(SEED_TRIPLES), "by_seed_triple": seed}}


def write(matrix: dict[str, Any], path: Path) -> None:
    from wasmbed.report.provenance import stamp

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({**matrix, **stamp()}, indent=2) + "\n")
