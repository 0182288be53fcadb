"""Which Debian package every tool and header of a board's build comes from, checked
against the packages `ci/setup.sh` installs (with their dependencies, not their recommends).

A machine set up by hand can hide a missing install step: a header that a recommended
package brought in (newlib's <string.h>), a tool from a package nobody named (llvm-ar-22).
This module asks the compiler which headers it really opens (`-M` over the sources a build
compiles) and dpkg which package owns each file and tool, and reports every file that
`ci/setup.sh` would not bring onto a fresh machine. It knows no CLI: `wasmbed doctor` and
tests/test_packages.py show its findings.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Sequence

from wasmbed import ROOT
from wasmbed.errors import WasmbedError

SETUP = ROOT / "ci" / "setup.sh"

#: Tools the tests and benchmarks call besides the boards' toolchains (who uses them).
TEST_TOOLS = {
    "clang": "wasm test programs and bench kernels (clang --target=wasm32)",
    "wasm-ld": "linking wasm test programs",
    "valgrind": "wasmbed bench (callgrind instruction counts)",
    "gcc": "the host agent and native benchmark builds",
}


@dataclass(frozen=True)
class Finding:
    """One file a build uses and where it comes from."""

    unit: str          # board name, or "tests"
    kind: str          # "tool" | "header"
    name: str          # what the build asked for: "llvm-ar-22", "string.h"
    path: str          # the file found ("" when not found)
    package: str       # the Debian package owning it ("" when none)
    problem: str = ""  # "" when setup.sh brings it
    skipped: str = ""  # why this build was not checked (counted, never hidden)

    @property
    def ok(self) -> bool:
        return not self.problem


def setup_packages(script: Path = SETUP) -> list[str]:
    """The Debian packages `ci/setup.sh` installs (`ci/setup.sh --list`)."""
    try:
        out = subprocess.run(["bash", str(script), "--list"], capture_output=True, text=True,
                             timeout=60, check=True).stdout
    except (OSError, subprocess.SubprocessError) as err:
        raise WasmbedError(f"cannot list the packages of {script}: {err}")
    return [line.strip() for line in out.splitlines() if line.strip()]


@lru_cache(maxsize=None)
def closure(packages: tuple[str, ...]) -> frozenset[str]:
    """The packages plus everything they depend on (Depends/Pre-Depends, recursively):
    what `apt-get install --no-install-recommends` puts on a fresh machine."""
    if not packages:
        return frozenset()
    if not shutil.which("apt-cache"):
        raise WasmbedError("apt-cache not found: the package check needs a Debian system")
    cmd = ["apt-cache", "depends", "--recurse", "--no-recommends", "--no-suggests",
           "--no-conflicts", "--no-breaks", "--no-replaces", "--no-enhances", *packages]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=300).stdout
    names: set[str] = set(packages)
    for line in out.splitlines():
        if line and not line[0].isspace():
            names.add(line.strip().strip("<>").split(":")[0])
        else:
            m = re.match(r"\s+\|?(?:Pre)?Depends:\s+<?([^>\s]+)>?", line)
            if m:
                names.add(m.group(1).split(":")[0])
    return frozenset(names)


def _candidates(path: str) -> list[str]:
    """The names dpkg may know a file by (usrmerge: /bin == /usr/bin, /lib == /usr/lib)."""
    out = [path]
    real = os.path.realpath(path)
    if real != path:
        out.append(real)
    for p in list(out):
        if p.startswith("/usr/"):
            out.append(p[4:])
        elif p.startswith(("/bin/", "/lib/", "/sbin/", "/lib64/")):
            out.append("/usr" + p)
    return list(dict.fromkeys(out))


def owners(paths: Iterable[str]) -> dict[str, str]:
    """path -> owning Debian package ("" when dpkg knows none)."""
    paths = list(dict.fromkeys(paths))
    cand = {p: _candidates(p) for p in paths}
    every = sorted({c for cs in cand.values() for c in cs})
    found: dict[str, str] = {}
    for i in range(0, len(every), 200):
        r = subprocess.run(["dpkg-query", "-S", *every[i:i + 200]], capture_output=True,
                           text=True, timeout=120)
        for line in r.stdout.splitlines():
            pkgs, sep, file = line.partition(": ")
            if sep and not pkgs.startswith("diversion"):
                found.setdefault(file.strip(), pkgs.split(",")[0].strip().split(":")[0])
    return {p: next((found[c] for c in cand[p] if c in found), "") for p in paths}


def _python_owned(path: str) -> bool:
    """Files of the venv's Python packages (zig's headers from PyPI ziglang)."""
    return path.startswith((sys.prefix + os.sep, os.path.realpath(sys.prefix) + os.sep))


def _own(path: str) -> bool:
    return path.startswith((str(ROOT) + os.sep, os.path.realpath(ROOT) + os.sep))


def judge(unit: str, kind: str, name: str, path: str, package: str,
          installed: frozenset[str], trees: Sequence[Path] = ()) -> Finding:
    """`trees`: RTOS source trees the user pointed the build at (their headers are theirs)."""
    in_tree = any(path.startswith(str(t.resolve()) + os.sep) for t in trees)
    if not path:
        problem = f"{name} not found on this machine"
    elif _own(path) or _python_owned(path) or in_tree:
        problem = ""
    elif not package:
        problem = f"{path} belongs to no Debian package (installed by hand?)"
    elif package not in installed:
        problem = f"{path} comes from Debian package {package}, which ci/setup.sh does not install"
    else:
        problem = ""
    return Finding(unit, kind, name, path, package, problem)


def parse_depfile(text: str) -> list[str]:
    """The prerequisites of a `-M` make rule (several rules when several sources)."""
    files: list[str] = []
    for rule in re.split(r"(?<!\\)\n(?=\S)", text.replace("\\\n", " ")):
        _, sep, deps = rule.partition(": ")
        if sep:
            files += [d for d in deps.split() if d]
    return files


def headers_used(argv: Sequence[str], sources: Sequence[Path]) -> list[str]:
    """Absolute paths of every header the compiler opens for these sources (`-M`)."""
    if not sources:
        return []

    def deps(batch: Sequence[Path]) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*argv, "-M", *map(str, batch)], capture_output=True,
                              text=True, timeout=600, cwd=ROOT)

    runs = [deps(sources)]
    if runs[0].returncode != 0 and len(sources) > 1:
        runs = [deps([s]) for s in sources]  # zig cc: -M takes one source at a time
    files: list[str] = []
    for r in runs:
        if r.returncode != 0:
            tail = "\n".join((r.stderr or r.stdout).strip().splitlines()[-6:])
            raise WasmbedError(f"the compiler could not preprocess the sources: {tail}")
        files += parse_depfile(r.stdout)
    srcs = {os.path.normpath(ROOT / s) for s in sources}
    out = {os.path.normpath(ROOT / f) for f in files if not f.endswith((".c", ".S"))}
    return sorted(out - srcs)


def _tool_path(argv0: str) -> str:
    if argv0 == sys.executable:
        return argv0
    return shutil.which(argv0) or ""


def board_files(board_name: str, build_dir: Path
                ) -> tuple[list[tuple[str, str]], list[str], list[Path]]:
    """([(tool name, path)], [header paths], [RTOS trees]) a default build of the board uses."""
    from wasmbed.build import render
    from wasmbed.build import sconsbuild  # the build side; this module only asks it

    p = sconsbuild.plan(sconsbuild.Options(board=board_name, build_dir=str(build_dir)))
    tools: list[tuple[str, str]] = []
    for tc in dict.fromkeys([p.toolchain, p.port_toolchain]):
        for argv in (tc.cc, tc.ar, tc.objcopy, tc.size, tc.linker,
                     getattr(tc, "assembler", ())):
            if argv:
                tools.append((Path(argv[0]).name, _tool_path(argv[0])))
    qemu = getattr(p.board, "qemu", None)
    if qemu is not None and getattr(qemu, "binary", None):
        tools.append((qemu.binary, shutil.which(qemu.binary) or ""))
    runtime = sconsbuild.runtime_sources(p.keys)
    rendered = render.render(p.board, p.platform, p.keys, p.variant / "gen",
                             heap_size=p.heap_size,
                             runtime_sources=[str(s.relative_to(ROOT)) for s in runtime])
    headers: list[str] = []
    for tc, srcs in sconsbuild.compile_units(p, rendered, runtime):
        defines, inc = sconsbuild.cppflags(p, tc)
        argv = [*tc.cc, *sconsbuild.cflags(p, tc), *sconsbuild.isystem(p, tc),
                *[f"-D{d}" for d in defines], *[f"-I{i}" for i in inc]]
        c_srcs = [s for s in srcs if s.suffix == ".c"]
        try:
            headers += headers_used(argv, c_srcs)
        except WasmbedError as err:
            raise WasmbedError(f"board {board_name}: {err}")
    generated = str(build_dir.resolve()) + os.sep  # gen/: rendered by us for this build
    tree = getattr(p, "sdk_tree", None)
    trees = [tree.root, *tree.companions.values()] if tree is not None else []
    return tools, sorted(h for h in set(headers) if not h.startswith(generated)), trees


def check_boards(boards: Iterable[str], *, packages: Sequence[str] | None = None
                 ) -> list[Finding]:
    """Findings for each board whose toolchain is here (a board without one is the matrix's
    `no-toolchain` row and has nothing to check) plus the tools the tests use."""
    from wasmbed.model import descriptors
    from wasmbed.model import toolchains

    installed = closure(tuple(packages if packages is not None else setup_packages()))
    findings: list[Finding] = []
    with tempfile.TemporaryDirectory(prefix="wasmbed-doctor-") as tmp:
        for name in boards:
            board = descriptors.load_board(name)
            tc = toolchains.for_board(board)
            if tc.family == "none":
                continue  # no compiler exists for it (ARC, cosmocc): the matrix says so
            if not tc.found:
                findings.append(Finding(name, "tool", tc.cc[0] if tc.cc else name, "", "",
                                        f"{tc.missing} (install {tc.package})"))
                continue
            try:
                tools, headers, trees = board_files(name, Path(tmp) / name)
            except WasmbedError as err:  # e.g. an RTOS tree that is set but wrong
                findings.append(Finding(name, "build", name, "", "", skipped=str(err)))
                continue
            paths = [p for _, p in tools if p] + headers
            own = owners(paths)
            for tool, path in tools:
                findings.append(judge(name, "tool", tool, path, own.get(path, ""), installed))
            for h in headers:
                findings.append(judge(name, "header", Path(h).name, h, own.get(h, ""),
                                      installed, trees))
    tools = [(t, shutil.which(t) or "") for t in TEST_TOOLS]
    own = owners(p for _, p in tools if p)
    findings += [judge("tests", "tool", t, p, own.get(p, ""), installed) for t, p in tools]
    return findings
