"""The RTOS source trees for tests: ../shared/sdk extracted once by ci/sdk-extract.sh."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def sdk_archives() -> Path:
    return Path(os.environ.get("WASMBED_SDK_ARCHIVES", ROOT.parent / "shared" / "sdk"))


@pytest.fixture(scope="session")
def sdk_env() -> dict[str, str]:
    """{"NUTTX_DIR", "NUTTX_APPS_DIR", "RIOTBASE", "RTT_ROOT", "NUTTX_COMMIT", "RIOT_COMMIT",
    "RTT_COMMIT"} for trees extracted into build/sdk (checked against SHA256SUMS). Apply it per
    test with monkeypatch.setenv. Skips (counted) only when the archives are absent."""
    archives = sdk_archives()
    if not (archives / "SHA256SUMS").is_file():
        pytest.skip(f"no RTOS source archives: {archives}/SHA256SUMS is absent "
                    "(set WASMBED_SDK_ARCHIVES to the folder with the RTOS tarballs)")
    proc = subprocess.run(["bash", str(ROOT / "ci" / "sdk-extract.sh")], cwd=ROOT,
                          capture_output=True, text=True,
                          env={**os.environ, "WASMBED_SDK_ARCHIVES": str(archives)})
    assert proc.returncode == 0, f"ci/sdk-extract.sh failed:\n{proc.stderr[-3000:]}"
    env: dict[str, str] = {}
    for line in proc.stdout.splitlines():
        if line.startswith("export "):
            for pair in line[len("export "):].split():
                key, _, value = pair.partition("=")
                env[key] = value
    assert {"NUTTX_DIR", "NUTTX_APPS_DIR", "RIOTBASE", "RTT_ROOT"} <= set(env), proc.stdout
    return env
