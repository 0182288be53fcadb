"""`wasmbed features`: the feature registry as a table, as JSON, or one feature in detail."""

from __future__ import annotations

import argparse
import json
import sys

from wasmbed.model import features as reg

NAME = "features"
HELP = "list the runtime features (every row of the support tables) and their status here"

_STYLE = {reg.WORKS: "green", reg.ALWAYS_ON: "cyan", reg.NOT_YET: "yellow", reg.NA: "dim"}


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", nargs="?",
                        help="show one feature in detail (key, alias or support-table flag)")
    parser.add_argument("--tier", choices=["A", "B", "C", "a", "b", "c"],
                        help="only this support tier")
    parser.add_argument("--status", choices=list(reg.STATUSES), help="only this status")
    parser.add_argument("--category", metavar="LABEL",
                        help="only this label, e.g. 'Wasm Proposal', 'Running mode'")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")


def _relations(f: reg.Feature) -> str:
    parts = []
    if f.requires:
        parts.append("needs " + ", ".join(f.requires))
    if f.implies:
        parts.append("adds " + ", ".join(f.implies))
    if f.conflicts and f.category != "Portability":
        parts.append("not with " + ", ".join(f.conflicts))
    return "; ".join(parts)


def _console():
    from wasmbed.report.results import console

    return console(wide=160)  # COLUMNS honoured; piped: not squeezed into 80 columns


def _detail(f: reg.Feature) -> int:
    from rich.table import Table

    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    rows = [
        ("key", f.key), ("label", f"{f.label} ({f.category}, tier {f.tier})"),
        ("status", f"[{_STYLE[f.status]}]{f.status}[/]"), ("what", f.description),
        ("note" if f.status != reg.NA else "why n/a", f.reason),
        ("table flag", ", ".join(f.flags) or "(none: always on or a combination)"),
        ("switch", f.switch + (f"  (value: {f.value})" if f.value else "")),
        ("aliases", ", ".join(f.aliases)), ("requires", ", ".join(f.requires)),
        ("implies", ", ".join(f.implies)), ("conflicts", ", ".join(f.conflicts)),
        ("arches", ", ".join(f.arches)), ("spec tests", ", ".join(f.wast)),
        ("source", "support table" if f.in_seed else "wasmbed's own row"),
    ]
    for k, v in rows:
        if v:
            grid.add_row(k, v)
    _console().print(grid)
    return 0


def run(args: argparse.Namespace) -> int:
    if args.name:
        f = reg.lookup(args.name)
        if args.json:
            print(json.dumps(f.to_json(), indent=2))
            return 0
        return _detail(f)
    rows = reg.select(tier=args.tier, status=args.status, category=args.category)
    if args.json:
        json.dump([f.to_json() for f in rows], sys.stdout, indent=2)
        print()
        return 0
    from rich.table import Table

    table = Table(title=f"wasmbed features ({len(rows)} of {len(reg.FEATURES)})",
                  show_lines=False, expand=False)
    for col, opts in (("key", {"style": "bold", "no_wrap": True}), ("tier", {}),
                      ("label", {}), ("status", {"no_wrap": True}),
                      ("table flag", {"overflow": "fold"}), ("requires / conflicts", {})):
        table.add_column(col, **opts)
    for f in rows:
        table.add_row(f.key, f.tier, f.label, f"[{_STYLE[f.status]}]{f.status}[/]",
                      f.flags[-1] if f.flags else "-", _relations(f))
    console = _console()
    console.print(table)
    counts = {s: sum(1 for f in rows if f.status == s) for s in reg.STATUSES}
    console.print("  ".join(f"[{_STYLE[s]}]{s}: {n}[/]" for s, n in counts.items()))
    from rich.markup import escape

    from wasmbed.report.proven import tier_legend

    console.print(escape(f"Tiers: {tier_legend()}."))
    return 0
