"""`wasmbed boards`: every board with its triple, tier, platform and toolchain status."""

from __future__ import annotations

import argparse
import json

from wasmbed import descriptors, toolchains

NAME = "boards"
HELP = "list the boards (descriptors in boards/) and whether their compiler is here"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--boards-dir", action="append", metavar="DIR",
                        help="search DIR for board descriptors before the built-in ones")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")


def run(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    descriptors.prepend_boards_path(args.boards_dir)
    boards = descriptors.all_boards()
    rows = []
    for b in boards:
        platform = descriptors.platform_of(b)
        found, text = toolchains.describe(b)
        rows.append({"name": b.name, "triple": b.triple, "tier": b.tier,
                     "platform": b.platform, "kind": platform.kind, "toolchain_found": found,
                     "toolchain": text, "sdk": "n/a" if platform.sdk is None else
                     ("found" if platform.sdk_available() else f"missing {platform.sdk.name}"),
                     "qemu": b.qemu.machine if b.qemu else None, "status": b.status})
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    console = Console()
    if not console.is_terminal:
        console = Console(width=180)
    table = Table(title=f"{len(rows)} boards")
    for col in ("board", "triple", "tier", "platform", "toolchain", "SDK", "QEMU"):
        table.add_column(col, overflow="fold")
    for r in rows:
        tc = f"[green]{r['toolchain']}[/]" if r["toolchain_found"] else f"[red]{r['toolchain']}[/]"
        table.add_row(r["name"], r["triple"], r["tier"], r["platform"], tc, r["sdk"],
                      r["qemu"] or "-")
    console.print(table)
    return 0
