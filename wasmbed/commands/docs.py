"""`wasmbed docs`: regenerate README's support tables and docs/features.md."""

from __future__ import annotations

import argparse
from pathlib import Path

from wasmbed import ROOT
from wasmbed.report import docs_gen

NAME = "docs"
HELP = ("generate the README support tables and docs/features.md from the feature "
        "registry and measured results")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--matrix", type=Path, metavar="MATRIX_JSON",
                        help="build results from `wasmbed matrix --json` (build status column)")
    parser.add_argument("--spec", type=Path, nargs="+", default=[], metavar="REPORT_JSON",
                        help="spec reports from `wasmbed spec --json` (pass-rate column)")
    parser.add_argument("--bench", type=Path, nargs="+", default=[], metavar="REPORT_JSON",
                        help="benchmark reports from `wasmbed bench --json` (benchmark column)")
    parser.add_argument("--evidence", type=Path, default=ROOT / docs_gen.EVIDENCE,
                        help="the committed results the tables cite (default: docs/evidence.json); "
                             "reports given are merged into it")
    parser.add_argument("--write", action="store_true",
                        help="write README.md (between the support-table markers) and "
                             "docs/features.md; without it, print the README block")
    parser.add_argument("--check", action="store_true",
                        help="exit 1 when a generated file is out of date (for CI)")
    parser.add_argument("--readme", type=Path, default=ROOT / "README.md",
                        help="README to update (default: the project's)")
    parser.add_argument("--features-md", type=Path, default=ROOT / docs_gen.FEATURES_MD,
                        help="features page to write (default: docs/features.md)")


def _show(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def run(args: argparse.Namespace) -> int:
    results = docs_gen.generate(readme=args.readme, features_md=args.features_md,
                                matrix=args.matrix, spec=args.spec, bench=args.bench,
                                evidence=args.evidence, write=args.write)
    if not args.write and not args.check:
        text = results[0].text
        start = text.index(docs_gen.START) + len(docs_gen.START)
        print(text[start:text.index(docs_gen.END)].strip("\n"))
    for r in results:
        state = ("written" if args.write else "out of date") if r.changed else "up to date"
        print(f"{_show(r.path)}: {state}")
    if args.check and not args.write and any(r.changed for r in results):
        return 1
    return 0
