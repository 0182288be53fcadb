#!/usr/bin/env python3
"""ThreadSanitizer run of the wasi-threads test program (docs/threads.md).

The build system's sanitize mode is ASan + UBSan; TSan cannot be combined with them, so
this script recompiles the host agent's sources (compile_commands.json of a debug build
with wasi-threads) with -fsanitize=thread, once with the __atomic builtins and once with
WB_ATOMIC_LOCKED=1 (the port-mutex path), and runs the four variants of
tests/threads/spawn.c on each. It prints one line per run and exits non-zero on a wrong
result or a ThreadSanitizer report.

    .venv/bin/python ci/threads_tsan.py          # ~2 min on 2 cores
"""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
CLANG = ["clang", "--target=wasm32-wasi", "-O2", "-matomics", "-mbulk-memory", "-nostdlib",
         "-Wl,--import-memory,--shared-memory,--max-memory=1048576,--export=wasi_thread_start"]
VARIANTS = {"": 0, "-DPRINT_IN_THREADS": 0, "-DEXIT_FROM_THREAD": 7, "-DTRAP_IN_THREAD": 3}


def agent(work: Path, extra: list[str]) -> Path:
    build = ROOT / "build" / "threads-tsan-base"
    subprocess.run([sys.executable, "-m", "wasmbed.cli", "build", "--board", "host", "--features",
                    "+wasi-threads", "--mode", "debug", "--build-dir", str(build), "-j2"],
                   check=True, cwd=ROOT, capture_output=True)
    objs = []
    for i, e in enumerate(json.loads((build / "compile_commands.json").read_text())):
        args = list(e.get("arguments") or shlex.split(e["command"]))
        out = work / f"{i}.o"
        args[args.index("-o") + 1] = str(out)
        args = [a for a in args if not a.startswith("-fsanitize")]
        subprocess.run(args + ["-fsanitize=thread", "-O1", "-g", *extra], check=True,
                       cwd=e["directory"], capture_output=True)
        objs.append(str(out))
    exe = work / "agent"
    subprocess.run(["gcc", "-fsanitize=thread", "-o", str(exe), *objs], check=True)
    return exe


def main() -> int:
    bad = 0
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        apps = {}
        for v in VARIANTS:
            apps[v] = work / f"spawn{v}.wasm"
            subprocess.run([*CLANG, *([v] if v else []), str(ROOT / "tests/threads/spawn.c"),
                            str(ROOT / "tests/threads/thread_start.s"), "-o", str(apps[v])],
                           check=True)
        for name, extra in (("builtins", []), ("port mutex", ["-DWB_ATOMIC_LOCKED=1"])):
            d = work / name.replace(" ", "_")
            d.mkdir()
            exe = agent(d, extra)
            for k, (v, want) in enumerate(VARIANTS.items()):
                log = d / f"tsan{k}"
                done = subprocess.run([sys.executable, "-m", "wasmbed.cli", "run", "--board", "host",
                                       "--firmware", str(exe), str(apps[v])], cwd=ROOT,
                                      capture_output=True, text=True, timeout=600,
                                      env={**__import__("os").environ,
                                           "TSAN_OPTIONS": f"log_path={log}"})
                reports = sorted(d.glob(f"tsan{k}.*"))
                ok = done.returncode == want and not reports
                bad += not ok
                print(f"{name:10} spawn{v or ''}: exit {done.returncode} (want {want}), "
                      f"{len(reports)} ThreadSanitizer report(s)" + ("" if ok else "  FAILED"))
                for r in reports:
                    print(r.read_text()[:3000])
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
