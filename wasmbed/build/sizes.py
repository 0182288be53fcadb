"""Image sizes (text/data/bss) and whether they fit the board's memory regions.

Sizes come from a Berkeley-format `size` (llvm-size reads ELF, Mach-O and COFF alike).
Flash holds text + data (the data's load image), RAM holds data + bss; a board with
one region for both needs room for all three.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from wasmbed.model.descriptors import Board
from wasmbed.errors import WasmbedError


@dataclass(frozen=True)
class Usage:
    region: str     # "flash" / "ram" / the region name
    what: str       # "text+data"
    used: int
    total: int

    @property
    def fits(self) -> bool:
        return self.used <= self.total

    @property
    def percent(self) -> float:
        return 100.0 * self.used / self.total if self.total else 0.0


def measure(size_tool: Sequence[str], files: Iterable[Path]) -> dict[str, dict[str, int]]:
    """{file: {text, data, bss}}; archives are summed over their members."""
    files = [str(f) for f in files]
    out: dict[str, dict[str, int]] = {f: {"text": 0, "data": 0, "bss": 0} for f in files}
    if not files:
        return out
    try:
        r = subprocess.run([*size_tool, "-B", *files], capture_output=True, text=True,
                           timeout=120)
    except OSError as err:
        raise WasmbedError(f"cannot run {size_tool[0]}: {err.strerror}",
                           hint="install llvm (Debian: apt-get install llvm)") from None
    if r.returncode != 0:
        raise WasmbedError(f"{size_tool[0]} failed: {r.stderr.strip()[-500:]}")
    for line in r.stdout.splitlines():
        parts = line.split()
        if len(parts) < 6 or not parts[0].isdigit():
            continue
        # ELF/COFF: text data bss dec hex NAME; Mach-O: __TEXT __DATA __OBJC others dec hex
        # NAME (its zero-fill is inside __DATA). Archive members read "member (ex lib.a)".
        line = line.rstrip()
        owner = next((f for f in files if line.endswith(f"(ex {f})") or line.endswith(f)),
                     None)
        if owner is None and len(files) == 1:
            owner = files[0]  # llvm-size leaves the name out for a single Mach-O file
        if owner is None:
            continue
        for key, value in zip(("text", "data", "bss"), parts[:3]):
            out[owner][key] += int(value)
    return out


def total(sizes: Iterable[dict[str, int]]) -> dict[str, int]:
    acc = {"text": 0, "data": 0, "bss": 0}
    for s in sizes:
        for k in acc:
            acc[k] += s.get(k, 0)
    return acc


def usage(board: Board, sizes: dict[str, int]) -> list[Usage]:
    """How much of the board's flash and RAM the image takes (empty for hosted boards)."""
    rom, ram = board.flash_region(), board.ram_region()
    if rom is None or ram is None:
        return []
    text, data, bss = sizes["text"], sizes["data"], sizes["bss"]
    # a region named `heap` holds the global heap pool (templates/linker): count it there
    heap = next((r for r in board.memory if r.name == "heap"), None)
    if heap is not None:
        pool = min(bss, board.heap_size)
        bss -= pool
        return [*usage_without_heap(rom, ram, text, data, bss),
                Usage(heap.name, "heap pool", pool, heap.length)]
    return usage_without_heap(rom, ram, text, data, bss)


def usage_without_heap(rom, ram, text: int, data: int, bss: int) -> list[Usage]:  # type: ignore[no-untyped-def]
    if rom is ram:
        return [Usage(rom.name, "text+data+bss", text + data + bss, rom.length)]
    return [Usage(rom.name, "text+data", text + data, rom.length),
            Usage(ram.name, "data+bss", data + bss, ram.length)]


def _human(n: int) -> str:
    for unit, div in (("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= div:
            return f"{n / div:.1f} {unit}"
    return f"{n} B"


def print_bars(board: Board, sizes: dict[str, int], usages: list[Usage]) -> None:
    """A rich bar per memory region (or a one-line summary for hosted boards)."""
    from rich.console import Console
    from rich.progress_bar import ProgressBar
    from rich.table import Table

    console = Console(stderr=False, highlight=False)
    head = (f"[bold]{board.name}[/]: text {_human(sizes['text'])}, data "
            f"{_human(sizes['data'])}, bss {_human(sizes['bss'])}")
    if not usages:
        console.print(head)
        return
    table = Table.grid(padding=(0, 1))
    for u in usages:
        style = "green" if u.percent < 80 else "yellow" if u.fits else "red"
        bar = ProgressBar(total=float(u.total), completed=float(min(u.used, u.total)), width=30,
                          complete_style=style, finished_style="red")
        table.add_row(f"{u.region:<6}", bar, f"{_human(u.used):>10} / {_human(u.total)}",
                      f"[{style}]{u.percent:5.1f}%[/] ({u.what})")
    console.print(head)
    console.print(table)


def check_fit(board: Board, usages: list[Usage]) -> None:
    over = [u for u in usages if not u.fits]
    if over:
        lines = ", ".join(f"{u.region}: {u.what} {u.used} B > {u.total} B ({u.percent:.0f}%)"
                          for u in over)
        raise WasmbedError(f"board {board.name}: the image does not fit: {lines}",
                           hint="lower heap_size=, drop features, or use mode=release")
