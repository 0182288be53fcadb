"""`wasmbed matrix --json matrix.json`: build every board with its default features."""

from __future__ import annotations

import argparse
from pathlib import Path

from wasmbed.build import matrix
from wasmbed.model.descriptors import board_names

NAME = "matrix"
HELP = "build every board (default features) and write matrix.json"

_STYLE = {"built": "green", "built-without-sdk": "yellow", "no-toolchain": "magenta",
          "failed": "red"}


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--boards-dir", action="append", metavar="DIR",
                        help="search DIR for board descriptors before the built-in ones")
    parser.add_argument("--json", type=Path, default=Path("build/matrix.json"),
                        help="where to write the result (default build/matrix.json)")
    parser.add_argument("--boards", help="comma-separated board names (default: all)")
    parser.add_argument("--parallel", type=int, default=2, help="builds at a time (2)")


def run(args: argparse.Namespace) -> int:
    from wasmbed.model.descriptors import prepend_boards_path

    prepend_boards_path(args.boards_dir)
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
    from rich.table import Table

    names = [b.strip() for b in args.boards.split(",") if b.strip()] if args.boards \
        else board_names()
    from wasmbed.report.results import console as make_console

    console = make_console()  # COLUMNS honoured; piped or logged: rows on one line
    with Progress(TextColumn("[bold]matrix"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("{task.description}"), console=console) as progress:
        task = progress.add_task("", total=len(names))

        def done(name: str, row: dict) -> None:
            progress.update(task, advance=1, description=f"{name}: {row['status']}")

        result = matrix.run(names, parallel=args.parallel, progress=done)
    matrix.write(result, args.json)
    table = Table(title=f"matrix ({args.json})")
    for col in ("board", "triple", "tier", "status", "text", "data", "bss", "note"):
        table.add_column(col, overflow="fold")
    for name, row in result["boards"].items():
        style = _STYLE[row["status"]]
        note = (row["error"] or "").splitlines()[0][:90] if row["error"] else ""
        if row.get("sdk") and row["status"] == "built":
            sdk, rt = row["sdk"], row.get("runtime_text") or 0
            share = f", runtime {rt / 1024:.1f} KiB ({100 * rt / row['text']:.0f}%)" \
                if row.get("text") else ""
            note = f"{sdk['name']} {str(sdk['commit'])[:10]} ({sdk['board']}){share}"
        table.add_row(name, row["triple"], row["tier"], f"[{style}]{row['status']}[/]",
                      *(str(row[k]) if row[k] is not None else "-" for k in ("text", "data", "bss")),
                      note)
    console.print(table)
    s = result["summary"]
    console.print(f"{s['triples']} triples: " + ", ".join(
        f"{n} {k}" for k, n in s["by_triple"].items()))
    console.print(f"{s['seed_triples']} support-table triples: " + ", ".join(
        f"{n} {k}" for k, n in s["by_seed_triple"].items() if n))
    return 1 if any(r["status"] == "failed" for r in result["boards"].values()) else 0
