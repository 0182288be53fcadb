"""Generated documentation: README's support tables and docs/features.md.

Everything comes from the feature registry, the board descriptors and measured results;
nothing is typed by hand. Results are optional: without them a cell says "not measured".

Inputs: the boards (wasmbed.model.descriptors), a matrix.json written by `wasmbed matrix --json`
and spec reports written by `wasmbed spec --json` / `run-on-qemu --json`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from wasmbed import ROOT
from wasmbed.model import features as reg
from wasmbed.errors import WasmbedError
from wasmbed.model.features_table import TARGETS

START = "<!-- support-table:start -->"
END = "<!-- support-table:end -->"
NOT_MEASURED = "not measured"
FEATURES_MD = Path("docs/features.md")


@dataclass(frozen=True)
class BoardInfo:
    name: str
    triple: str
    tier: str
    arch: str = ""
    machine: str = ""
    platform: str = ""
    runner: str = ""      # process | qemu-user | wine | qemu | serial | "" (from qemu:)


@dataclass(frozen=True)
class BuildOutcome:
    status: str          # one of MATRIX_STATUSES
    reason: str = ""
    size: int | None = None
    sdk: str = ""                    # "RIOT c8bd52ff13": the RTOS tree it was built from
    runtime_size: int | None = None  # the runtime's share of `size` (RTOS builds)
    measured_at: str = ""            # when the matrix ran (UTC, ISO 8601)
    commit: str = ""                 # on which commit ("unrecorded" for old reports)


@dataclass(frozen=True)
class BenchOutcome:
    geomean_ratio: float             # interpreter instructions / native, geometric mean
    kernels: int
    method: str = "callgrind"
    measured_at: str = ""
    commit: str = ""


@dataclass
class SpecTotals:
    passed: int = 0
    failed: int = 0
    skipped: int = 0
    reports: list[str] = field(default_factory=list)
    suites: list[str] = field(default_factory=list)
    measured_at: str = ""            # the latest report's time (UTC, ISO 8601)
    commits: list[str] = field(default_factory=list)  # the commits the reports were made on


# ----------------------------------------------------------------- inputs

def load_boards(boards_dir: Path | None = None) -> list[BoardInfo]:
    """The project's boards (validated by wasmbed.model.descriptors), or the boards/*.yaml of one
    folder when `boards_dir` is given (read for name, tier, triple, arch, qemu.machine)."""
    if boards_dir is None:
        from wasmbed.model import descriptors

        return [BoardInfo(b.name, b.triple, b.tier, b.arch,
                          str((b.qemu or {}).get("machine") or ""), b.platform,
                          b.runner or ("qemu" if b.qemu else ""))
                for b in descriptors.all_boards()]
    import yaml

    out: list[BoardInfo] = []
    for path in sorted(Path(boards_dir).glob("*.yaml")):
        try:
            data = yaml.safe_load(path.read_text()) or {}
        except yaml.YAMLError as err:
            mark = getattr(err, "problem_mark", None)
            line = f":{mark.line + 1}" if mark else ""
            raise WasmbedError(f"{path}{line}: not valid YAML ({err})") from err
        if not isinstance(data, dict):
            raise WasmbedError(f"{path}: expected a mapping of board fields")
        qemu = data.get("qemu") if isinstance(data.get("qemu"), dict) else {}
        runner = data.get("runner")
        runner = runner.get("kind") if isinstance(runner, dict) else runner
        out.append(BoardInfo(name=str(data.get("name", path.stem)),
                             triple=str(data.get("triple", "?")),
                             tier=str(data.get("tier", "?")), arch=str(data.get("arch", "")),
                             machine=str(qemu.get("machine", "") or ""),
                             platform=str(data.get("platform", "") or ""),
                             runner=str(runner or ("qemu" if qemu else ""))))
    return out


def _read_json(path: Path, what: str) -> Any:
    try:
        return json.loads(Path(path).read_text())
    except FileNotFoundError:
        raise WasmbedError(f"{what} '{path}' does not exist") from None
    except json.JSONDecodeError as err:
        raise WasmbedError(f"{path}:{err.lineno}: {what} is not valid JSON ({err.msg})") from None


MATRIX_STATUSES = ("built", "built-without-sdk", "no-toolchain", "failed")


def load_matrix(path: Path) -> dict[str, BuildOutcome]:
    """board -> build outcome, from `wasmbed matrix --json` output:
    {"boards": {"<name>": {"status", "text", "error", ...}}}."""
    data = _read_json(path, "matrix file")
    boards = data.get("boards") if isinstance(data, dict) else None
    if not isinstance(boards, dict):
        raise WasmbedError(f"{path}: expected an object with \"boards\": {{name: entry}} "
                           "(written by `wasmbed matrix --json`)")
    out: dict[str, BuildOutcome] = {}
    when, commit = report_stamp(data, Path(path))
    for name, e in boards.items():
        status = e.get("status") if isinstance(e, dict) else None
        if status not in MATRIX_STATUSES:
            raise WasmbedError(f"{path}: board {name!r}: status {status!r} is not one of "
                               + ", ".join(MATRIX_STATUSES))
        text = e.get("text")
        sdk = e.get("sdk") if isinstance(e.get("sdk"), dict) else {}
        tree = " ".join(str(x) for x in (sdk.get("name"), str(sdk.get("commit") or "")[:10])
                        if x) if sdk else ""
        runtime = e.get("runtime_text")
        out[name] = BuildOutcome(status, str(e.get("error") or ""),
                                 text if isinstance(text, int) else None, tree,
                                 runtime if isinstance(runtime, int) else None, when, commit)
    return out


def load_bench(paths: Iterable[Path]) -> dict[str, BenchOutcome]:
    """board -> interpreter benchmark, from `wasmbed bench --json` reports
    ({"board" (default host), "geomean_ratio", "results": [...]})."""
    out: dict[str, BenchOutcome] = {}
    for path in paths:
        data = _read_json(path, "bench report")
        ratio = data.get("geomean_ratio") if isinstance(data, dict) else None
        if not isinstance(ratio, (int, float)) or not isinstance(data.get("results"), list):
            raise WasmbedError(f"{path}: not a bench report (needs \"geomean_ratio\" and "
                               "\"results\", written by `wasmbed bench --json`)")
        when, commit = report_stamp(data, Path(path))
        out[str(data.get("board") or "host")] = BenchOutcome(
            float(ratio), len(data["results"]), str(data.get("method") or "callgrind"),
            when, commit)
    return out


def load_spec(paths: Iterable[Path]) -> dict[str, SpecTotals]:
    """board -> summed spec counts, from `wasmbed spec --json` / `run-on-qemu --json`
    reports: {"board", "suite", "totals": {"passed", "failed", "skipped"}}."""
    out: dict[str, SpecTotals] = {}
    for path in paths:
        data = _read_json(path, "spec report")
        board = data.get("board") if isinstance(data, dict) else None
        totals = data.get("totals") if isinstance(data, dict) else None
        if not isinstance(board, str) or not isinstance(totals, dict) or not all(
                isinstance(totals.get(k), int) for k in ("passed", "failed", "skipped")):
            raise WasmbedError(f"{path}: not a spec report (needs \"board\" and \"totals\" "
                               "with passed/failed/skipped counts)")
        t = out.setdefault(board, SpecTotals())
        t.passed += totals["passed"]
        t.failed += totals["failed"]
        t.skipped += totals["skipped"]
        t.reports.append(Path(path).name)
        suite = data.get("suite")
        if isinstance(suite, str) and suite and suite not in t.suites:
            t.suites.append(suite)
        when, commit = report_stamp(data, Path(path))
        t.measured_at = max(t.measured_at, when)
        if commit not in t.commits:
            t.commits.append(commit)
    return out


def report_stamp(data: Any, path: Path) -> tuple[str, str]:
    """(measured_at, commit) of a report: its own fields (wasmbed.report.provenance), else the
    file's time and "unrecorded" (reports written before they carried them)."""
    when = data.get("measured_at") if isinstance(data, dict) else None
    if not isinstance(when, str) or not when:
        from datetime import datetime, timezone

        when = datetime.fromtimestamp(Path(path).stat().st_mtime, timezone.utc).replace(
            microsecond=0).isoformat().replace("+00:00", "Z")
    commit = data.get("commit") if isinstance(data, dict) else None
    commit = str(commit)[:10] if commit else "unrecorded"
    if isinstance(data, dict) and data.get("dirty"):
        commit += "+dirty"
    return when, commit


# ----------------------------------------------------------------- rendering

def _md_escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(_md_escape(c) for c in row) + " |" for row in rows]
    return lines


def _size(n: int) -> str:
    return f"{n / 1024:.1f} KiB" if n >= 1024 else f"{n} B"


def _short(commit: str) -> str:
    sha, plus, rest = commit.partition("+")
    return (sha if sha == "unrecorded" else sha[:7]) + plus + rest


def _when(measured_at: str, commits: Iterable[str]) -> str:
    """" [2026-12-01, 7bcf11d]": when (UTC day) and on which commit(s) a cell was measured."""
    if not measured_at:
        return ""
    return f" [{measured_at[:10]}, {'/'.join(_short(c) for c in commits) or 'unrecorded'}]"


#: platform -> what this machine lacks to run a board of it ("not run: no ... here")
NOT_HERE = {"darwin": "macOS", "ios": "iOS device", "freebsd": "FreeBSD",
            "android": "Android device or emulator", "vxworks": "VxWorks target",
            "cosmopolitan": "cosmocc", "esp-idf": "ESP32 board with ESP-IDF",
            "zephyr": "Zephyr tree", "nuttx": "NuttX tree", "rt-thread": "RT-Thread tree",
            "riot": "RIOT tree"}


#: platforms whose agent is a process on another machine (no serial line to it)
POSIX_ELSEWHERE = ("ios", "android", "vxworks", "cosmopolitan")


def _not_measured(b: BoardInfo | None) -> str:
    """An empty spec cell: "not measured" plus the command that measures it, or "not run:
    no <what> on this machine" plus the command a user of that system runs."""
    if b is None or not (b.platform or b.runner):
        return NOT_MEASURED
    spec = f"`wasmbed spec --board {b.name}`"
    if b.runner == "qemu" or b.machine:
        return f"{NOT_MEASURED}: `run-on-qemu {b.name}`"
    if b.runner in ("qemu-user", "wine") or (b.runner == "process" and
                                               b.platform in ("linux", "riot", "")):
        return f"{NOT_MEASURED}: {spec}"
    what = NOT_HERE.get(b.platform)
    if b.runner == "process" and what:
        return f"not run: no {what} on this machine; on {what}: {spec}"
    if what and b.platform in POSIX_ELSEWHERE:  # a process there, reached over TCP
        return (f"not run: no {what} on this machine; there: serve the agent on TCP "
                f"(`socat TCP-LISTEN:5555 EXEC:./firmware.elf`), then `wasmbed spec --board "
                f"{b.name} --port socket://DEVICE:5555`")
    if what:
        return (f"not run: no {what} on this machine; there: `wasmbed flash --board {b.name} "
                f"--port PORT`, then `wasmbed spec --board {b.name} --port PORT`")
    return (f"not run: no {b.name} board on this machine; with one: "
            f"`wasmbed spec --board {b.name} --port PORT`")


def _build_cell(board: str, matrix: dict[str, BuildOutcome] | None) -> str:
    if matrix is None:
        return NOT_MEASURED
    o = matrix.get(board)
    if o is None:
        return "not in matrix"
    when = _when(o.measured_at, [o.commit] if o.commit else [])
    if o.status == "built":
        parts = [o.sdk] if o.sdk else []
        if o.size:
            parts.append(f"{_size(o.size)} text" + (f", runtime {_size(o.runtime_size)}"
                                                    if o.runtime_size else ""))
        return "built" + (f" ({'; '.join(parts)})" if parts else "") + when
    return o.status + (f": {o.reason}" if o.reason else "") + when


def _spec_cell(board: str, spec: dict[str, SpecTotals] | None,
               info: BoardInfo | None = None) -> str:
    t = spec.get(board) if spec else None
    if t is None:
        return _not_measured(info)
    run = t.passed + t.failed
    rate = f"{100.0 * t.passed / run:.2f}%" if run else "-"
    text = f"{t.passed}/{run} ({rate}" + (f"; {', '.join(t.suites)})" if t.suites else ")")
    return text + (f", {t.skipped} skipped" if t.skipped else "") + _when(t.measured_at,
                                                                           t.commits)


#: runner -> why the instruction benchmark has no number there
NO_BENCH = {"qemu-user": "no instruction counter under qemu-user (callgrind cannot follow "
                         "the emulated guest; Debian ships no QEMU TCG plugin)",
            "wine": "no instruction counter under Wine (callgrind does not run PE code)"}


def _bench_cell(b: BoardInfo, bench: dict[str, BenchOutcome] | None) -> str:
    o = (bench or {}).get(b.name)
    if o is None:
        why = NO_BENCH.get(b.runner)
        if why:
            return f"not measured: {why}"
        if b.runner == "qemu" or b.machine:
            return f"{NOT_MEASURED}: `run-on-qemu {b.name} --bench`"
        if b.name == "host":
            return f"{NOT_MEASURED}: `wasmbed bench --json`"
        if b.runner == "process" and b.platform in ("linux", ""):
            return f"{NOT_MEASURED}: `wasmbed bench` counts the host build only (callgrind)"
        return "-"
    return (f"{o.geomean_ratio:.1f}x native instructions (geomean of {o.kernels} kernels, "
            f"{o.method})" + _when(o.measured_at, [o.commit]))


def render_support(boards: list[BoardInfo], matrix: dict[str, BuildOutcome] | None = None,
                   spec: dict[str, SpecTotals] | None = None,
                   sources: Iterable[str] = (),
                   bench: dict[str, BenchOutcome] | None = None) -> str:
    """The README block between the support-table markers."""
    by_triple: dict[str, list[BoardInfo]] = {}
    for b in boards:
        by_triple.setdefault(b.triple, []).append(b)
    seed_triples = {t[0] for t in TARGETS}
    rows: list[list[str]] = []
    for triple, tier, *_ in sorted(TARGETS, key=lambda t: (t[1], t[0])):
        mine = by_triple.get(triple, [])
        if not mine:
            rows.append([f"`{triple}`", tier, "no board yet", "-", "-", "-"])
        for b in mine:
            rows.append([f"`{triple}`", tier, b.name + (f" ({b.machine})" if b.machine else ""),
                         _build_cell(b.name, matrix), _spec_cell(b.name, spec, b),
                         _bench_cell(b, bench)])
    for b in sorted((b for b in boards if b.triple not in seed_triples),
                    key=lambda b: (b.tier, b.triple, b.name)):
        rows.append([f"`{b.triple}` (wasmbed)", b.tier,
                     b.name + (f" ({b.machine})" if b.machine else ""),
                     _build_cell(b.name, matrix), _spec_cell(b.name, spec, b),
                     _bench_cell(b, bench)])
    srcs = list(sources)
    lines = ["_Generated by `wasmbed docs` from the feature registry, boards/*.yaml"
             + (", " + ", ".join(f"`{s}`" for s in srcs) if srcs else "")
             + "; each measured cell ends with [UTC day, commit] of its report; cells "
             "without a result say \"not measured\" (and the command that measures them) or "
             "\"not run\" (and what this machine lacks)._", "",
             "### Targets", ""]
    lines += _table(["Target triple", "Tier", "Board (QEMU machine)", "Build",
                     "Spec tests passed", "Interpreter benchmark"], rows)
    lines += ["", "### Features", "",
              f"{len(reg.FEATURES)} features: every row of the support table "
              f"({sum(f.in_seed for f in reg.FEATURES.values())}) plus wasmbed's own "
              f"({sum(not f.in_seed for f in reg.FEATURES.values())}). "
              "Full list with flags, requirements and conflicts: "
              "[docs/features.md](docs/features.md).", ""]
    counts = []
    for tier in reg.TIERS:
        row = [tier] + [str(len(reg.select(tier=tier, status=s))) for s in reg.STATUSES]
        counts.append(row + [str(len(reg.select(tier=tier)))])
    counts.append(["all"] + [str(len(reg.select(status=s))) for s in reg.STATUSES]
                  + [str(len(reg.FEATURES))])
    lines += _table(["Tier"] + list(reg.STATUSES) + ["total"], counts)
    usable = [f"`{f.key}`" for f in reg.FEATURES.values() if f.status == reg.WORKS]
    always = [f"`{f.key}`" for f in reg.FEATURES.values() if f.status == reg.ALWAYS_ON]
    lines += ["", "Selectable (`features=`): " + ", ".join(usable) + ".",
              "Always on: " + ", ".join(always) + "."]
    return "\n".join(lines)


_STATUS_TEXT = {
    reg.WORKS: "implemented in wasmbed's runtime and covered by tests; selectable",
    reg.ALWAYS_ON: "part of wasmbed's WebAssembly 2.0 core; cannot be switched off",
    reg.NOT_YET: "not implemented yet; selecting it is an error",
    reg.NA: "does not apply to wasmbed (the notes say why); selecting it is an error",
}


def render_features_md() -> str:
    """docs/features.md: every feature row, by tier."""
    lines = ["# wasmbed features", "",
             "<!-- Generated by `wasmbed docs --write` from wasmbed/model/features_table.py; "
             "do not edit by hand. -->", "",
             "Every row of the support table (running modes, Wasm proposals, runtime "
             "extensions, portability), with its status in wasmbed. Select features with "
             "`features=key,key` (scons) or `--features` (wasmbed); keys, aliases and the "
             "table's compile flags (e.g. `WAMR_BUILD_INTERP`) are all accepted. "
             "Each feature compiles as `WB_FEATURE_<KEY>` in the generated `wb_config.h`.",
             "", "Status:", ""]
    lines += [f"- **{s}**: {t}" for s, t in _STATUS_TEXT.items()]
    lines += ["", "Default feature set: " + ", ".join(f"`{k}`" for k in reg.default_features())
              + ".", ""]
    for tier in reg.TIERS:
        rows = []
        for f in reg.select(tier=tier):
            rel = []
            if f.requires:
                rel.append("needs " + ", ".join(f"`{k}`" for k in f.requires))
            if f.implies:
                rel.append("adds " + ", ".join(f"`{k}`" for k in f.implies))
            if f.conflicts and f.category != "Portability":
                rel.append("not with " + ", ".join(f"`{k}`" for k in f.conflicts))
            what = f.description
            if f.reason:
                what += (" **Why n/a:** " if f.status == reg.NA else " *Note:* ") + f.reason + "."
            if f.arches:
                what += " Only on " + ", ".join(f.arches) + "."
            if f.wast:
                what += " Spec tests: " + ", ".join(f"`{w}`" for w in f.wast) + "."
            if not f.in_seed:
                what += " *(wasmbed's own row.)*"
            rows.append([f"`{f.key}`", f.label, f.category, f"**{f.status}**",
                         "<br>".join(f"`{x}`" for x in f.flags) or "-",
                         "; ".join(rel) or "-", what])
        lines += [f"## Tier {tier}", ""]
        lines += _table(["Key", "Feature", "Label", "Status", "Table flag",
                         "Requires / conflicts", "What it does"], rows)
        lines.append("")
    lines += ["## Conflicts", "",
              "Besides these, a build targets exactly one platform (portability rows "
              "exclude each other).", ""]
    pairs = []
    for f in reg.FEATURES.values():
        for other in f.conflicts:
            if f.key < other and f.category != "Portability":
                pairs.append([f"`{f.key}`", f"`{other}`", reg.conflict_reason(f.key, other)])
    lines += _table(["Feature", "Feature", "Why"], sorted(pairs))
    lines.append("")
    return "\n".join(lines)


# ----------------------------------------------------------------- output

def replace_block(text: str, block: str, *, where: str = "README.md") -> str:
    """Replace what lies between the support-table markers; refuse when they are missing."""
    start, end = text.find(START), text.find(END)
    if start < 0 or end < 0:
        missing = " and ".join(m for m, i in ((START, start), (END, end)) if i < 0)
        raise WasmbedError(f"{where} has no {missing} marker; add the two lines "
                           f"'{START}' and '{END}' where the support tables belong")
    if text.count(START) > 1 or text.count(END) > 1:
        raise WasmbedError(f"{where} has the support-table markers more than once")
    if end < start:
        raise WasmbedError(f"{where}: '{END}' comes before '{START}'")
    head = text[:start + len(START)]
    return head + "\n" + block.strip("\n") + "\n" + text[end:]


# ----------------------------------------------------------------- evidence

EVIDENCE = Path("docs/evidence.json")


@dataclass
class Evidence:
    """The measured results the README cites, committed as docs/evidence.json: a fresh
    clone has no build/reports/, so `wasmbed docs --check` compares against this file;
    `wasmbed docs --matrix/--spec/--bench ... --write` merges new reports into it."""

    build: dict[str, BuildOutcome] = field(default_factory=dict)
    spec: dict[str, SpecTotals] = field(default_factory=dict)
    bench: dict[str, BenchOutcome] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)

    def to_json(self) -> str:
        from dataclasses import asdict

        data = {"about": "Measured results behind README's support tables; written by "
                         "`wasmbed docs --write` from build/spec/bench reports, checked by "
                         "`wasmbed docs --check` (docs/design.md, 'Support tables').",
                "sources": self.sources,
                "build": {k: asdict(v) for k, v in sorted(self.build.items())},
                "spec": {k: asdict(v) for k, v in sorted(self.spec.items())},
                "bench": {k: asdict(v) for k, v in sorted(self.bench.items())}}
        return json.dumps(data, indent=1, sort_keys=False) + "\n"

    def merge(self, matrix: dict[str, BuildOutcome] | None, spec: dict[str, SpecTotals] | None,
              bench: dict[str, BenchOutcome] | None, sources: Iterable[str]) -> None:
        """A board's new result replaces its old one (per kind); others stay."""
        self.build.update(matrix or {})
        self.spec.update(spec or {})
        self.bench.update(bench or {})
        self.sources = sorted(set(self.sources) | set(sources))


def load_evidence(path: Path) -> Evidence:
    data = _read_json(path, "evidence file")
    try:
        return Evidence(
            build={k: BuildOutcome(**v) for k, v in data.get("build", {}).items()},
            spec={k: SpecTotals(**v) for k, v in data.get("spec", {}).items()},
            bench={k: BenchOutcome(**v) for k, v in data.get("bench", {}).items()},
            sources=list(data.get("sources", [])))
    except (TypeError, AttributeError) as err:
        raise WasmbedError(f"{path}: not an evidence file ({err}); regenerate it with "
                           "`wasmbed docs --matrix ... --spec ... --write`") from None


@dataclass
class DocsResult:
    path: Path
    text: str
    changed: bool


def generate(*, readme: Path | None = None, features_md: Path | None = None,
             matrix: Path | None = None, spec: Iterable[Path] = (),
             boards_dir: Path | None = None, write: bool = False,
             bench: Iterable[Path] = (), evidence: Path | None = None) -> list[DocsResult]:
    """Build both documents (and the evidence file when reports are merged into it);
    write them when `write`. Returns what changed.

    Without `evidence` the tables come from the given reports only. With it, the
    reports are merged into the committed evidence and the tables come from the result."""
    readme = readme or ROOT / "README.md"
    features_md = features_md or ROOT / FEATURES_MD
    spec, bench = list(spec), list(bench)
    if not readme.exists():
        raise WasmbedError(f"{readme} does not exist")
    matrix_data = load_matrix(matrix) if matrix else None
    spec_data = load_spec(spec) if spec else None
    bench_data = load_bench(bench) if bench else None
    sources = ([Path(matrix).name] if matrix else []) + [Path(p).name for p in spec + bench]
    ev_result: DocsResult | None = None
    if evidence is not None:
        ev = load_evidence(evidence) if Path(evidence).exists() else Evidence()
        old_ev = Path(evidence).read_text() if Path(evidence).exists() else None
        ev.merge(matrix_data, spec_data, bench_data, sources)
        matrix_data = ev.build or None
        spec_data, bench_data, sources = ev.spec, ev.bench, ev.sources
        if matrix or spec or bench:
            text = ev.to_json()
            ev_result = DocsResult(Path(evidence), text, text != old_ev)
    block = render_support(load_boards(boards_dir), matrix_data, spec_data, sources, bench_data)
    old_readme = readme.read_text()
    new_readme = replace_block(old_readme, block, where=str(readme))
    new_features = render_features_md()
    old_features = features_md.read_text() if features_md.exists() else None
    results = [DocsResult(readme, new_readme, new_readme != old_readme),
               DocsResult(features_md, new_features, new_features != old_features)]
    if ev_result is not None:
        results.append(ev_result)
    if write:
        for r in results:
            if r.changed:
                r.path.parent.mkdir(parents=True, exist_ok=True)
                r.path.write_text(r.text)
    return results
