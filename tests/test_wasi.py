"""libc-wasi: wasi-libc programs on the host agent through `wasmbed run`, paths confined
to preopened directories, and the official WASI testsuite (ci/wasi-testsuite.sh)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent / "wasi"
EPERM, ELOOP = 63, 32  # WASI errno numbers


def wasi_clang() -> list[str]:
    """clang with Debian's wasi-libc sysroot (ci/setup.sh installs both)."""
    clang = shutil.which("clang")
    if not clang or not shutil.which("wasm-ld"):
        pytest.fail("clang/wasm-ld missing: run ci/setup.sh (packages clang lld wasi-libc)")
    return [clang, "--target=wasm32-wasi", "-O2", "-Wall", "-Wextra", "-Werror"]


def build(name: str, out: Path) -> Path:
    app = out / f"{name}.wasm"
    done = subprocess.run([*wasi_clang(), str(HERE / f"{name}.c"), "-o", str(app)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr + "\n(is Debian's wasi-libc installed? ci/setup.sh)"
    return app


def wasmbed_run(agent: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "wasmbed.cli", "run", "--board", "host",
                           "--firmware", str(agent), *args],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)


def test_wasi_hello_args_env_files(host_agent: Path, tmp_path: Path) -> None:
    app = build("hello", tmp_path)
    data = tmp_path / "data"
    data.mkdir()
    (data / "in.txt").write_text("first line\nsecond\n")
    done = wasmbed_run(host_agent, str(app), "--dir", f"{data}:/data", "--env", "GREETING=hi there",
                       "--", "one", "-x", "5")
    assert done.stdout == ("argc=4\nargv[1]=one\nargv[2]=-x\nargv[3]=5\nGREETING=hi there\n"
                           "in.txt: first line\n"), done.stderr
    assert "a line on stderr" in done.stderr
    assert done.returncode == 5
    assert (data / "out.txt").read_text() == "hello.wasm wrote this\n"


def test_wasi_without_preopen_cannot_open(host_agent: Path, tmp_path: Path) -> None:
    app = build("hello", tmp_path)
    done = wasmbed_run(host_agent, str(app))
    assert done.returncode == 10
    assert "argc=1\nGREETING=(unset)\n" == done.stdout
    assert "/data/in.txt" in done.stderr  # perror: no preopen covers it


def test_wasi_dir_option_errors(host_agent: Path, tmp_path: Path) -> None:
    app = build("hello", tmp_path)
    done = wasmbed_run(host_agent, str(app), "--dir", str(tmp_path / "missing"))
    assert done.returncode != 0 and "is not a directory" in done.stderr
    done = wasmbed_run(host_agent, str(app), "--env", "NOEQUALS")
    assert done.returncode != 0 and "expected KEY=VALUE" in done.stderr


def test_path_escapes_are_refused(host_agent: Path, tmp_path: Path) -> None:
    """`..`, absolute paths and symlinks (relative, absolute, to a directory, chained)
    never reach outside the preopen; links inside it work."""
    app = build("escape", tmp_path)
    outer = tmp_path / "outer"
    sandbox = outer / "sandbox"
    (sandbox / "sub").mkdir(parents=True)
    (outer / "secret.txt").write_text("SECRET\n")
    (sandbox / "sub" / "inside.txt").write_text("inside\n")
    os.symlink("sub/inside.txt", sandbox / "in_link")
    os.symlink("../secret.txt", sandbox / "out_link")
    os.symlink(str(outer / "secret.txt"), sandbox / "abs_link")
    os.symlink("..", sandbox / "dir_link")
    os.symlink("sub/../out_link", sandbox / "chain_link")
    done = wasmbed_run(host_agent, str(app), "--dir", f"{sandbox}:/sandbox")
    assert done.returncode == 0, done.stderr
    got = dict(line.split(": ", 1) for line in done.stdout.splitlines())
    assert got.pop("inside") == "opened inside"
    assert got.pop("inside_link") == "opened inside"
    assert got.pop("link_nofollow") == f"errno {ELOOP}"
    assert got == {name: f"errno {EPERM}" for name in (
        "dotdot", "deep_dotdot", "absolute", "link_out", "link_abs", "link_dir_out",
        "link_chain_out", "mkdir_out", "symlink_abs", "rename_out", "stat_link_out",
        "unlink_out")}
    assert "SECRET" not in done.stdout
    assert sorted(p.name for p in outer.iterdir()) == ["sandbox", "secret.txt"]
    assert (sandbox / "sub" / "inside.txt").is_file()


@pytest.fixture(scope="module")
def riscv64_wasi_agent() -> Path:
    """The QEMU riscv64 agent with its board's features plus libc-wasi."""
    if shutil.which("qemu-system-riscv64") is None:
        pytest.fail("qemu-system-riscv64 missing: run ci/setup.sh")
    from wasmbed.build import driver as build
    from wasmbed.model.descriptors import load_board

    board = load_board("qemu-riscv64")
    return Path(build.build(board.name, [*board.features, "libc-wasi"],
                            build_dir=ROOT / "build" / "wasi-qemu-riscv64").firmware)


@pytest.mark.qemu
def test_wasi_bare_metal_subset_riscv64(riscv64_wasi_agent: Path, tmp_path: Path) -> None:
    """Bare metal: argv, environ, clocks, random (host-seeded), stdout, stderr and the
    exit code work; file calls fail with an errno, never a crash."""
    app = build("baremetal", tmp_path)
    done = subprocess.run([sys.executable, "-m", "wasmbed.cli", "qemu", "riscv64", "--firmware",
                           str(riscv64_wasi_agent), str(app), "--env", "MODE=bare", "--", "x", "y"],
                          capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert done.stdout == ("argc=3 last=y\nMODE=bare\nmonotonic advances: 1\nrandom_get: 0\n"
                           "random bytes nonzero: 1\nprestat fd 3: 8\nfopen: failed\n"), done.stderr
    assert "stderr works" in done.stderr
    assert done.returncode == 7


@pytest.mark.qemu
def test_wasi_preopen_on_bare_metal_is_a_clear_error(riscv64_wasi_agent: Path,
                                                     tmp_path: Path) -> None:
    app = build("baremetal", tmp_path)
    done = subprocess.run([sys.executable, "-m", "wasmbed.cli", "qemu", "riscv64", "--firmware",
                           str(riscv64_wasi_agent), str(app), "--dir", str(tmp_path)],
                          capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert done.returncode != 0
    assert "no file system to preopen" in done.stderr


WASI_SUITE = Path(os.environ.get("WASI_TESTSUITE", ROOT.parent / "shared" / "wasi-testsuite"))


@pytest.mark.slow
def test_official_wasi_testsuite_host() -> None:
    """All 72 wasm32-wasip1 tests of the official suite, through its own runner."""
    if not (WASI_SUITE / "test-runner").is_dir():
        pytest.skip(f"no WASI testsuite at {WASI_SUITE} (set WASI_TESTSUITE)")
    done = subprocess.run(["bash", "ci/wasi-testsuite.sh", "--board", "host",
                           "--json", "build/reports/wasi-host-pytest.json"],
                          capture_output=True, text=True, timeout=900, cwd=ROOT)
    last = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
    assert last == "72 passed, 0 failed", done.stdout[-4000:] + done.stderr[-2000:]
    assert done.returncode == 0
