"""`wasmbed clean`: list the build folders (build/<board>[-hash]/) and remove the ones you
no longer need. Only folders a wasmbed build wrote (with build.json or .sconsign) are
touched; reports, logs elsewhere and caches stay."""

from __future__ import annotations

import argparse
import json
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from wasmbed import ROOT
from wasmbed.errors import WasmbedError

NAME = "clean"
HELP = "list build folders (board, features, size, last build) and remove old ones"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("names", nargs="*", metavar="FOLDER",
                        help="build folders to remove (names under build/ or paths)")
    parser.add_argument("--variants", action="store_true",
                        help="remove every hash-named variant (build/<board>-<hash>/), keep "
                             "each board's default build/<board>/")
    parser.add_argument("--older-than", type=float, metavar="DAYS",
                        help="remove folders not built for DAYS days")
    parser.add_argument("--all", action="store_true", help="remove every build folder")
    parser.add_argument("--dry-run", "-n", action="store_true",
                        help="say what would be removed, remove nothing")
    parser.add_argument("--build-root", type=Path, default=ROOT / "build", help=argparse.SUPPRESS)
    parser.add_argument("--json", action="store_true", help="print the list as JSON")


@dataclass
class Folder:
    path: Path
    board: str
    features: list[str]
    mode: str
    toolchain: str
    status: str
    size: int
    built: float  # mtime of build.json (or of the folder)
    default: bool

    def row(self) -> dict:
        return {"folder": self.path.name, "board": self.board, "features": self.features,
                "mode": self.mode, "toolchain": self.toolchain, "status": self.status,
                "bytes": self.size, "built": time.strftime("%Y-%m-%d %H:%M",
                                                            time.localtime(self.built)),
                "default": self.default}


def _size(path: Path) -> int:
    total = 0
    for p in path.rglob("*"):
        try:
            if p.is_file() and not p.is_symlink():
                total += p.stat().st_size
        except OSError:
            pass
    return total


def folders(root: Path) -> list[Folder]:
    """Every folder under `root` that a wasmbed build wrote."""
    out = []
    if not root.is_dir():
        return out
    for d in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        bj = d / "build.json"
        if not bj.is_file() and not (d / ".sconsign.dblite").exists() \
                and not (d / ".build.lock").exists():
            continue
        data: dict = {}
        try:
            data = json.loads(bj.read_text()) if bj.is_file() else {}
        except (OSError, ValueError):
            data = {}
        board = str(data.get("board") or d.name)
        out.append(Folder(path=d, board=board, features=list(data.get("features") or []),
                          mode=str(data.get("mode") or "?"),
                          toolchain=str(data.get("toolchain") or "?"),
                          status=str(data.get("status") or "incomplete"), size=_size(d),
                          built=(bj if bj.is_file() else d).stat().st_mtime,
                          default=d.name == board))
    return out


def selected(all_folders: list[Folder], args: argparse.Namespace) -> list[Folder]:
    by_name = {f.path.name: f for f in all_folders}
    pick: dict[str, Folder] = {}
    for name in args.names:
        key = Path(name).name
        if key not in by_name:
            import difflib
            near = difflib.get_close_matches(key, list(by_name), n=1)
            raise WasmbedError(f"no build folder {name!r} under {args.build_root}",
                               hint=f"did you mean {near[0]}?" if near else
                               "`wasmbed clean` lists them")
        pick[key] = by_name[key]
    now = time.time()
    for f in all_folders:
        if args.all or (args.variants and not f.default) or \
                (args.older_than is not None and now - f.built > args.older_than * 86400):
            pick[f.path.name] = f
    return list(pick.values())


def run(args: argparse.Namespace) -> int:
    from wasmbed.report.results import console as make_console

    found = folders(args.build_root)
    doomed = selected(found, args)
    if not (args.names or args.variants or args.all or args.older_than is not None):
        if args.json:
            print(json.dumps([f.row() for f in found], indent=2))
            return 0
        from rich.markup import escape
        from rich.table import Table

        total = sum(f.size for f in found)
        table = Table(title=f"{len(found)} build folders in {args.build_root} "
                            f"({total / (1 << 20):.0f} MiB)")
        for col in ("folder", "board", "features", "mode", "toolchain", "size", "built"):
            table.add_column(col, overflow="fold")
        for f in found:
            r = f.row()
            table.add_row(escape(r["folder"]) + ("" if f.default else " [dim](variant)[/]"),
                          r["board"], ",".join(f.features), f.mode, escape(f.toolchain),
                          f"{f.size / (1 << 20):.1f} MiB", r["built"])
        make_console().print(table)
        print("remove with: wasmbed clean FOLDER... | --variants | --older-than DAYS | --all")
        return 0
    freed = 0
    for f in doomed:
        print(f"{'would remove' if args.dry_run else 'removing'} {f.path} "
              f"({f.size / (1 << 20):.1f} MiB)")
        if not args.dry_run:
            shutil.rmtree(f.path, ignore_errors=True)
        freed += f.size
    print(f"{'would free' if args.dry_run else 'freed'} {freed / (1 << 20):.1f} MiB in "
          f"{len(doomed)} folder(s)")
    return 0
