"""Spec run reports: JSON, JUnit XML, a progress display and a summary table."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any, Iterable, Optional

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from wasmbed.run.spec import FileResult

MAX_FAILURES_LISTED = 20


def totals(results: Iterable[FileResult]) -> dict[str, int]:
    t = {"passed": 0, "failed": 0, "skipped": 0}
    for r in results:
        t["passed"] += r.passed
        t["failed"] += r.failed
        t["skipped"] += r.skipped
    return t


def to_json(
    results: list[FileResult], *, board: str, suite: str, loader: str, extra: Optional[dict[str, Any]] = None
) -> dict[str, Any]:
    skip_reasons: dict[str, int] = {}
    for r in results:
        for reason, n in r.skips.items():
            skip_reasons[reason] = skip_reasons.get(reason, 0) + n
    data: dict[str, Any] = {
        "board": board,
        "suite": suite,
        "loader": loader,
        "totals": totals(results),
        "restarts": sum(r.restarts for r in results),
        "seconds": round(sum(r.seconds for r in results), 2),
        "skip_reasons": skip_reasons,
        "files": {
            r.name: {
                "passed": r.passed,
                "failed": r.failed,
                "skipped": r.skipped,
                "restarts": r.restarts,
                "seconds": round(r.seconds, 3),
                "failures": r.failures[:MAX_FAILURES_LISTED],
                "skips": r.skips,
            }
            for r in results
        },
    }
    if extra:
        data.update(extra)
    from wasmbed.report.provenance import stamp

    data.update(stamp())  # measured_at, commit, dirty: what `wasmbed docs` cites
    return data


def write_json(path: Path, data: dict[str, Any]) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n")


def write_junit(path: Path, results: list[FileResult], *, board: str, suite: str) -> None:
    t = totals(results)
    root = ET.Element("testsuites")
    ts = ET.SubElement(
        root,
        "testsuite",
        name=f"spec-{suite}-{board}",
        tests=str(len(results)),
        failures=str(sum(1 for r in results if r.failed)),
        skipped=str(sum(1 for r in results if not r.failed and not r.passed and r.skipped)),
        time=f"{sum(r.seconds for r in results):.3f}",
    )
    ET.SubElement(ts, "properties").extend(
        [ET.Element("property", name=k, value=str(v)) for k, v in t.items()]
    )
    for r in results:
        case = ET.SubElement(ts, "testcase", classname=f"spec.{board}", name=r.name, time=f"{r.seconds:.3f}")
        if r.failed:
            fail = ET.SubElement(case, "failure", message=f"{r.failed} of {r.passed + r.failed} checks failed")
            fail.text = "\n".join(r.failures[:MAX_FAILURES_LISTED])
        elif not r.passed and r.skipped:
            ET.SubElement(case, "skipped", message="; ".join(f"{n} {k}" for k, n in r.skips.items()))
        if r.skipped:
            ET.SubElement(case, "system-out").text = "skipped: " + "; ".join(f"{n} {k}" for k, n in r.skips.items())
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)


def write_partial(json_path: Optional[Path], junit_path: Optional[Path],
                  finished: list[FileResult], files: list[Path], *, board: str, suite: str,
                  loader: str) -> None:
    """On Ctrl-C: the reports of the files that finished, with `"interrupted": true`."""
    if json_path:
        write_json(json_path, to_json(finished, board=board, suite=suite, loader=loader,
                                      extra={"interrupted": True,
                                             "files_selected": len(files),
                                             "files_finished": len(finished)}))
    if junit_path:
        write_junit(junit_path, finished, board=board, suite=suite)


def console(*, stderr: bool = False, wide: int = 200) -> Console:
    """A Console that honours COLUMNS and, when the output is not a terminal (a pipe, a CI
    log), is `wide` columns instead of rich's 80, so that tables are not cut or folded."""
    import os

    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return Console(stderr=stderr, width=int(columns))
    con = Console(stderr=stderr)
    return con if con.is_terminal else Console(stderr=stderr, width=wide)


def progress(console: Console) -> Progress:
    return Progress(
        TextColumn("[bold]{task.description:<28}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[status]}"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )


def summary_table(results: list[FileResult], *, title: str, only_problems: bool = True) -> Table:
    table = Table(title=title)
    for col in ("file", "passed", "failed", "skipped", "first failure"):
        table.add_column(col, overflow="fold", justify="right" if col in ("passed", "failed", "skipped") else "left")
    for r in results:
        if only_problems and not r.failed:
            continue
        first = r.failures[0] if r.failures else ""
        # failure texts hold [i32:0x1]-style values: escaped, or rich takes them as markup
        table.add_row(escape(r.name), str(r.passed), f"[red]{r.failed}" if r.failed else "0",
                      str(r.skipped), escape(first[:120]))
    t = totals(results)
    table.add_row("[bold]total", str(t["passed"]), str(t["failed"]), str(t["skipped"]), "", end_section=True)
    return table
