"""`wasmbed boards`: every board with its triple, tier, platform and toolchain status."""

from __future__ import annotations

import argparse
import json

from wasmbed.model import descriptors
from wasmbed.model import toolchains

NAME = "boards"
HELP = "list the boards (descriptors in boards/) and whether their compiler is here"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--boards-dir", action="append", metavar="DIR",
                        help="search DIR for board descriptors before the built-in ones")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")


def run(args: argparse.Namespace) -> int:
    from rich.markup import escape
    from rich.table import Table

    import shutil
    import sys

    from wasmbed.errors import WasmbedError

    descriptors.prepend_boards_path(args.boards_dir)
    boards, broken = [], []
    for name in descriptors.board_names():
        try:  # one broken file is reported, the others still listed
            boards.append(descriptors.load_board(name))
        except WasmbedError as err:
            broken.append({"name": name, "broken": str(err)})
            print(f"wasmbed: warning: board {name}: {err}", file=sys.stderr)
    from wasmbed.report.proven import PROVEN_WORDS, Evidence, tier_legend

    evidence = Evidence()
    rows: list[dict] = []
    for b in boards:
        platform = descriptors.platform_of(b)
        found, text = toolchains.describe(b)
        rows.append({"name": b.name, "triple": b.triple, "tier": b.tier,
                     "platform": b.platform, "kind": platform.kind, "toolchain_found": found,
                     "toolchain": text, "sdk": "n/a" if platform.sdk is None else
                     ("found" if platform.sdk_available() else f"missing {platform.sdk.name}"),
                     "qemu": b.qemu.machine if b.qemu else None,
                     "qemu_binary": b.qemu.binary if b.qemu else None,
                     "qemu_found": bool(b.qemu and shutil.which(b.qemu.binary)),
                     "proven": evidence.of(b.name), "known_issues": list(b.known_issues),
                     "status": b.status})
    if args.json:
        print(json.dumps(rows + broken, indent=2))
        return 0
    from wasmbed.report.results import console as make_console

    console = make_console(wide=180)  # COLUMNS honoured; not cut when piped
    table = Table(title=f"{len(rows)} boards")
    for col in ("board", "triple", "tier", "proven here", "platform", "toolchain", "SDK",
                "QEMU"):
        table.add_column(col, overflow="fold")
    for r in rows:
        tc = f"[green]{r['toolchain']}[/]" if r["toolchain_found"] else f"[red]{r['toolchain']}[/]"
        qemu = "-" if not r["qemu"] else r["qemu"] if r["qemu_found"] else \
            f"[red]{r['qemu']} ({r['qemu_binary']} missing)[/]"
        issues = f" [yellow]({len(r['known_issues'])} known issue(s))[/]" \
            if r["known_issues"] else ""
        table.add_row(r["name"] + issues, r["triple"], r["tier"],
                      Evidence.text(r["proven"]), r["platform"], tc, r["sdk"], qemu)
    for r in broken:
        table.add_row(r["name"], "[red]broken descriptor[/]", "", "", "",
                      escape(r["broken"]), "", "")
    console.print(table)
    console.print(escape(f"Tiers (the support table's promise for the triple, not what ran "
                         f"here): {tier_legend()}."), soft_wrap=False)
    console.print(escape(f"Proven here: {PROVEN_WORDS}."))
    for r in rows:
        for issue in r["known_issues"]:
            console.print(f"[yellow]known issue[/] {r['name']}: {escape(issue)}")
    return 0
