"""The outcome of one app run (`wasmbed run`, `run-on-qemu BOARD app.wasm`) as JSON/JUnit.

The program's own exit code and the runner's outcome are separate fields, so a program
that returns 2 or 130 cannot be mistaken for a usage error or a Ctrl-C.
"""

from __future__ import annotations

import json
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any, Optional

from wasmbed.run import outcome


class Recorder:
    """Collects what happened; writes --json/--junit on the way out, whatever happened."""

    def __init__(self, app: Path, board: str, args: Any = None) -> None:
        self.app = Path(app)
        self.board = board
        self.mode = str(getattr(args, "exit_status", None) or "program")
        self.json_path: Optional[Path] = getattr(args, "json", None)
        self.junit_path: Optional[Path] = getattr(args, "junit", None)
        self.function: Optional[str] = getattr(args, "function", None)
        self.program_code: Optional[int] = None
        self.runner_code = outcome.OK
        self.message = ""
        self.values: Optional[list[str]] = None
        self.agent_info: Optional[dict[str, Any]] = None
        self._t0 = time.monotonic()
        self.seconds = 0.0

    def agent(self, info: Any) -> None:
        self.agent_info = dict(info.__dict__) if info is not None else None

    def results(self, values: list[str]) -> None:
        self.values = values

    def exited(self, code: int) -> None:
        self.program_code = code
        self.runner_code = outcome.OK if code == 0 else outcome.FAILED

    def status(self) -> int:
        return outcome.exit_status(self.mode, self.program_code, self.runner_code)

    def __enter__(self) -> "Recorder":
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        self.seconds = round(time.monotonic() - self._t0, 3)
        if exc is not None:
            if isinstance(exc, KeyboardInterrupt):
                self.runner_code, self.message = outcome.INTERRUPTED, "interrupted"
            else:
                self.runner_code = int(getattr(exc, "exit_code", outcome.USAGE))
                self.message = str(exc)
        elif self.program_code not in (None, 0) and self.mode == "runner":
            print(f"wasmbed: {self.app}: the program exited with code {self.program_code}",
                  file=sys.stderr)
        if self.json_path:
            write_json(self.json_path, self.to_json())
        if self.junit_path:
            write_junit(self.junit_path, self)

    def to_json(self) -> dict[str, Any]:
        return {
            "app": str(self.app), "board": self.board, "function": self.function,
            "outcome": outcome_of(self), "program_exit_code": self.program_code,
            "runner_exit_code": self.runner_code if self.program_code is None else
            outcome.exit_status("runner", self.program_code, self.runner_code),
            "exit_status": self.status() if self.program_code is not None else
            self.runner_code, "exit_status_mode": self.mode, "results": self.values,
            "message": self.message, "seconds": self.seconds, "agent": self.agent_info,
        }


def outcome_of(rec: Recorder) -> str:
    if rec.program_code is not None:
        return "passed" if rec.program_code == 0 else "failed"
    return outcome.outcome_name(rec.runner_code)


def write_json(path: Path, data: dict[str, Any]) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n")


def write_junit(path: Path, rec: Recorder) -> None:
    data = rec.to_json()
    result = data["outcome"]
    root = ET.Element("testsuites")
    suite = ET.SubElement(root, "testsuite", name=f"app-{rec.board}", tests="1",
                          failures="1" if result == "failed" else "0",
                          errors="1" if result not in ("passed", "failed") else "0",
                          time=f"{rec.seconds:.3f}")
    case = ET.SubElement(suite, "testcase", classname=f"app.{rec.board}",
                         name=rec.app.name + (f":{rec.function}" if rec.function else ""),
                         time=f"{rec.seconds:.3f}")
    if result == "failed":
        ET.SubElement(case, "failure", message=f"exit code {rec.program_code}")
    elif result != "passed":
        ET.SubElement(case, "error", message=f"{result}: {rec.message}"[:500])
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
