"""`wasmbed doctor`: is every tool and header the builds use installed by ci/setup.sh?"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict

from wasmbed.model import descriptors
from wasmbed.build import packages

NAME = "doctor"
HELP = ("check that every tool and header the boards' builds use comes from a Debian "
        "package that ci/setup.sh installs (what a fresh machine will have)")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--boards", metavar="A,B", help="only these boards (default: all)")
    parser.add_argument("--all", action="store_true", help="list every file, not only problems")
    parser.add_argument("--json", metavar="FILE", help="write every finding as JSON")


def run(args: argparse.Namespace) -> int:
    names = [b for b in args.boards.split(",") if b] if args.boards else descriptors.board_names()
    findings = packages.check_boards(names)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump([asdict(f) for f in findings], fh, indent=1)
    bad = [f for f in findings if not f.ok]
    skipped = [f for f in findings if f.skipped]
    for f in findings if args.all else bad + skipped:
        where = f.problem or (f"not checked: {f.skipped}" if f.skipped else
                              f"{f.path} ({f.package or 'own/PyPI/RTOS tree'})")
        print(f"{f.unit:<22} {f.kind:<6} {f.name:<24} {where}")
    units = sorted({f.unit for f in findings if not f.skipped})
    print(f"doctor: {len(findings) - len(skipped)} tools and headers of {len(units)} builds "
          f"checked, {len(bad)} not brought by ci/setup.sh, {len(skipped)} builds skipped")
    return 1 if bad else 0
