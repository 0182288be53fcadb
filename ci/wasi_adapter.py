"""wasmbed's runtime adapter for the official WASI testsuite runner
(../shared/wasi-testsuite/test-runner, see its doc/adapters.md).

The runner imports this file and asks compute_argv() for the command line of each test:
`wasmbed run --board B [--firmware F] --env K=V --dir ROOT:/ test.wasm -- ARGS` (on a
QEMU board `wasmbed qemu B ...`, which is `run-on-qemu B ...`).
ci/wasi-testsuite.sh sets the variables below (a prebuilt agent, so no test pays for a
build). Loaded as a script (`python wasi_adapter.py --version`) it prints nothing, which
the runner takes for a module adapter.
"""

import os
import shlex
from pathlib import Path
from typing import Dict, List, Optional, Tuple

ROOT = Path(__file__).resolve().parent.parent
WASMBED = shlex.split(os.getenv("WASMBED", str(ROOT / ".venv" / "bin" / "wasmbed")))
BOARD = os.getenv("WASMBED_BOARD", "host")
RUNNER = os.getenv("WASMBED_RUNNER", "")  # "run-on-qemu" for QEMU boards
FIRMWARE = os.getenv("WASMBED_FIRMWARE", "")


def get_name() -> str:
    return "wasmbed"


def get_version() -> str:
    for line in (ROOT / "pyproject.toml").read_text().splitlines():
        if line.startswith("version"):
            return line.split("=", 1)[1].strip().strip('"')
    return "unknown"


def get_wasi_versions() -> List[str]:
    return ["wasm32-wasip1"]


def get_wasi_worlds() -> List[str]:
    return ["wasi:cli/command"]


def get_timeout_seconds() -> float:
    return float(os.getenv("WASMBED_WASI_TIMEOUT", "60"))


def compute_argv(test_path: str,
                 args_env_root: Tuple[List[str], Dict[str, str], Optional[str]],
                 proposals: List[str],
                 wasi_world: str,
                 wasi_version: str) -> List[str]:
    args, env, root = args_env_root
    if RUNNER == "run-on-qemu":
        argv = WASMBED + ["qemu", BOARD]
    else:
        argv = WASMBED + ["run", "--board", BOARD]
    if FIRMWARE:
        argv += ["--firmware", FIRMWARE]
    for key, value in env.items():
        argv += ["--env", f"{key}={value}"]
    if root:
        argv += ["--dir", f"{root}:/"]
    argv += [test_path, "--", *args]
    return argv
