"""Build the libFuzzer harnesses, seed them from the spec suite, run them, report.

    python fuzz/run.py build                    # build/fuzz/bin/fuzz_{load,mini,exec}
    python fuzz/run.py run SECONDS [HARNESS...] # seed + fuzz each harness SECONDS
    python fuzz/run.py replay                   # run fuzz/regressions/ and the seeds once

ci/fuzz.sh calls `run`. A crash is saved under build/fuzz/crashes/<harness>/; once the
bug is fixed the input goes to fuzz/regressions/<harness>/, which the tests replay.
The report (build/reports/fuzz.json) has per harness: executions, coverage (libFuzzer's
`cov`, edges) and crashes; the last line is `N passed, N failed`.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

OUT = ROOT / "build" / "fuzz"
RT = ROOT / "runtime_src"
HARNESSES = ("fuzz_load", "fuzz_mini", "fuzz_exec")
REGRESSIONS = ROOT / "fuzz" / "regressions"
SAN = ["-fsanitize=address,undefined", "-fno-sanitize-recover=undefined"]
CFLAGS = ["-std=c11", "-g", "-O1", "-Wall", "-Wextra", "-Werror", "-fno-omit-frame-pointer",
          f"-I{RT / 'include'}", f"-I{RT / 'port'}", f"-I{RT / 'core'}", f"-I{RT / 'mem'}",
          "-DWB_FEATURE_INSTRUCTION_METERING=1"]


class FuzzError(Exception):
    """A step failed; the message says which and why."""


def clang() -> str:
    for name in ("clang", "clang-22", "clang-19", "clang-16", "clang-14"):
        if shutil.which(name):
            return name
    raise FuzzError("no clang found (Debian: apt-get install clang libclang-rt-dev)")


def _run(cmd: list[str], what: str) -> str:
    r = subprocess.run([str(c) for c in cmd], capture_output=True, text=True)
    if r.returncode != 0:
        tail = "\n".join((r.stderr or r.stdout).strip().splitlines()[-15:])
        raise FuzzError(f"{what} failed:\n{tail}")
    return r.stdout


def runtime_sources() -> list[Path]:
    return sorted((RT / "core").glob("*.c")) + sorted((RT / "mem").glob("*.c"))


def _objects(cc: str, out: Path, defines: list[str], extra: list[str]) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    objs = []
    for src in runtime_sources():
        obj = out / (src.stem + ".o")
        _run([cc, *CFLAGS, *SAN, *extra, *defines, "-c", src, "-o", obj], f"compiling {src.name}")
        objs.append(obj)
    return objs


def _mini_object(cc: str) -> Path:
    """The mini-loader runtime as one object whose symbols all start with mini_."""
    objs = _objects(cc, OUT / "obj-mini", ["-DWB_FEATURE_MINI_LOADER=1"],
                    ["-fsanitize=fuzzer-no-link"])
    merged = OUT / "mini-runtime.o"
    _run(["ld", "-r", "-o", merged, *objs], "merging the mini runtime")
    nm = _run(["nm", "-g", "--defined-only", merged], "listing the mini runtime's symbols")
    pairs = [f"{ln.split()[-1]} mini_{ln.split()[-1]}" for ln in nm.splitlines()
             if ln.strip() and not ln.split()[-1].startswith("LLVMFuzzer")]
    syms = OUT / "mini.syms"
    syms.write_text("\n".join(pairs) + "\n")
    _run(["objcopy", f"--redefine-syms={syms}", merged], "renaming the mini runtime")
    return merged


def _inputs_hash(cc: str) -> str:
    """Everything the harness binaries are made from: a changed file rebuilds them all."""
    import hashlib

    h = hashlib.sha256(" ".join([cc, *CFLAGS, *SAN]).encode())
    files = sorted([*RT.glob("core/*"), *RT.glob("mem/*"), *RT.glob("include/*"),
                    RT / "port" / "wb_port.h", *(ROOT / "fuzz").glob("*.[ch]")])
    for f in files:
        h.update(f.name.encode() + f.read_bytes())
    return h.hexdigest()


def build() -> dict[str, Path]:
    cc = clang()
    stamp = OUT / "bin" / ".inputs"
    digest = _inputs_hash(cc)
    bins = {h: OUT / "bin" / h for h in HARNESSES}
    if stamp.is_file() and stamp.read_text() == digest and all(b.is_file() for b in bins.values()):
        return bins
    full = _objects(cc, OUT / "obj-full", [], ["-fsanitize=fuzzer-no-link"])
    port = OUT / "port_fuzz.o"
    _run([cc, *CFLAGS, *SAN, "-c", ROOT / "fuzz" / "port_fuzz.c", "-o", port], "compiling the port")
    mini = _mini_object(cc)
    (OUT / "bin").mkdir(parents=True, exist_ok=True)
    for h in HARNESSES:
        exe = OUT / "bin" / h
        extra = [mini] if h == "fuzz_mini" else []
        _run([cc, *CFLAGS, *SAN, "-fsanitize=fuzzer", ROOT / "fuzz" / f"{h}.c", *full, *extra,
              port, "-o", exe], f"linking {h}")
        bins[h] = exe
    stamp.write_text(digest)
    return bins


def seed(limit: int = 4000) -> dict[str, Path]:
    """Seed corpora from the spec suite's binary modules (wast2json, cached)."""
    from wasmbed.run import wast

    corpus = OUT / "seeds"
    dirs = {h: corpus / h for h in HARNESSES}
    if all(d.is_dir() and any(d.iterdir()) for d in dirs.values()):
        return dirs
    for d in dirs.values():
        d.mkdir(parents=True, exist_ok=True)
    n = 0
    for wast_file in wast.suite_files("core"):
        script = wast.convert(wast_file)
        for wasm in sorted(script.dir.glob("*.wasm")):
            data = wasm.read_bytes()
            name = f"{wasm.stem}.wasm"
            (dirs["fuzz_load"] / name).write_bytes(data)
            (dirs["fuzz_mini"] / name).write_bytes(data)
            (dirs["fuzz_exec"] / name).write_bytes(len(data).to_bytes(4, "little") + data +
                                                   bytes(range(32)))
            n += 1
            if n >= limit:
                return dirs
    return dirs


@dataclass
class Result:
    harness: str
    seconds: int
    executions: int
    coverage: int
    features: int
    corpus: int
    crashes: list[str]


_STAT = re.compile(r"#(\d+)\s+\w+\s+cov: (\d+) ft: (\d+) corp: (\d+)")


def fuzz(exe: Path, seconds: int, seeds: Path) -> Result:
    name = exe.name
    work = OUT / "corpus" / name
    work.mkdir(parents=True, exist_ok=True)
    crashes = OUT / "crashes" / name
    crashes.mkdir(parents=True, exist_ok=True)
    before = set(crashes.iterdir())
    cmd = [str(exe), str(work), str(seeds), f"-max_total_time={seconds}", "-timeout=20",
           "-rss_limit_mb=4096", "-max_len=200000", "-print_final_stats=1",
           f"-artifact_prefix={crashes}/"]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 600)
    log = r.stderr
    (OUT / f"{name}.log").write_text(log)
    stats = _STAT.findall(log)
    execs = int(m.group(1)) if (m := re.search(r"stat::number_of_executed_units:\s*(\d+)", log)) \
        else (int(stats[-1][0]) if stats else 0)
    cov, ft, corp = (int(stats[-1][1]), int(stats[-1][2]), int(stats[-1][3])) if stats else (0, 0, 0)
    # slow-unit-* files are inputs that ran long on a busy machine, not findings
    new = sorted(str(p) for p in set(crashes.iterdir()) - before
                 if not p.name.startswith("slow-unit-"))
    if r.returncode != 0 and not new:
        new = [f"exit {r.returncode}: " + "\n".join(log.strip().splitlines()[-5:])]
    return Result(name, seconds, execs, cov, ft, corp, new)


def replay(bins: dict[str, Path], seeds: dict[str, Path] | None = None) -> list[str]:
    """Run every regression input (and, if given, the seeds) through its harness once."""
    failures = []
    for h, exe in bins.items():
        inputs = sorted((REGRESSIONS / h).glob("*")) if (REGRESSIONS / h).is_dir() else []
        if seeds:
            inputs += sorted(seeds[h].glob("*"))
        for i in range(0, len(inputs), 500):
            batch = inputs[i:i + 500]
            r = subprocess.run([str(exe), "-runs=1", *map(str, batch)], capture_output=True,
                               text=True, timeout=1800)
            if r.returncode != 0:
                failures.append(f"{h}: " + "\n".join(r.stderr.strip().splitlines()[-8:]))
    return failures


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("build", "run", "replay"):
        print(__doc__)
        return 2
    try:
        t0 = time.monotonic()
        bins = build()
        print(f"fuzz: built {', '.join(bins)} in {time.monotonic() - t0:.0f} s", flush=True)
        if argv[0] == "build":
            return 0
        if argv[0] == "replay":
            failures = replay(bins, seed())
            for f in failures:
                print(f, file=sys.stderr)
            print(f"{len(bins) - len({f.split(':')[0] for f in failures})} passed, "
                  f"{len({f.split(':')[0] for f in failures})} failed")
            return 1 if failures else 0
        seconds = int(argv[1]) if len(argv) > 1 else 60
        chosen = argv[2:] or list(HARNESSES)
        seeds = seed()
        results = []
        for h in chosen:
            print(f"fuzz: {h} for {seconds} s ...", flush=True)
            res = fuzz(bins[h], seconds, seeds[h])
            results.append(res)
            print(f"fuzz: {h}: {res.executions:,} executions, cov {res.coverage}, "
                  f"ft {res.features}, corpus {res.corpus}, crashes {len(res.crashes)}",
                  flush=True)
            for c in res.crashes:
                print(f"  crash: {c}")
        report = ROOT / "build" / "reports" / "fuzz.json"
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(json.dumps([asdict(r) for r in results], indent=1) + "\n")
        failed = sum(1 for r in results if r.crashes)
        print(f"{len(results) - failed} passed, {failed} failed")
        return 1 if failed else 0
    except FuzzError as err:
        print(f"fuzz: error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
