"""Issue 13, "the first hour with wasmbed": one test group per heading of the issue.

(a) exit codes and timeouts, (b) CLI consistency, (c) configuration safety,
(d) reports and output, (e) writing a program, (f) words. Host agent only, plus
argument parsing and builds that stop before the compiler: no QEMU boots here.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from agent_helpers import wat

ROOT = Path(__file__).resolve().parent.parent


def cli(*args: str, cwd: Path = ROOT, env: dict | None = None,
        timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "wasmbed.cli", *args], capture_output=True,
                          text=True, cwd=cwd, env=env, timeout=timeout)


def roq(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    code = "import sys; from wasmbed.cli import run_on_qemu_main; sys.exit(run_on_qemu_main())"
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=120)


# ---- (a) exit codes and timeouts -------------------------------------------------------------

def test_runner_outcomes_have_their_own_exit_codes(host_agent: Path, tmp_path: Path) -> None:
    run = ["run", "--board", "host", "--firmware", str(host_agent)]
    two = tmp_path / "two.wasm"
    two.write_bytes(wat('(module (func (export "main") (result i32) (i32.const 2)))'))
    trap = tmp_path / "trap.wasm"
    trap.write_bytes(wat('(module (func (export "_start") unreachable))'))
    bad = tmp_path / "bad.wasm"
    bad.write_bytes(bytes(range(64)))
    loop = tmp_path / "loop.wasm"
    loop.write_bytes(wat('(module (func (export "_start") (loop (br 0))))'))

    assert cli(*run, str(two)).returncode == 2          # the program's own 2 passes through
    res = cli(*run, "--exit-status", "runner", str(two))
    assert res.returncode == 1 and "exited with code 2" in res.stderr
    res = cli(*run, str(trap))
    assert res.returncode == 3 and "unreachable" in res.stderr
    res = cli(*run, str(bad))
    assert res.returncode == 4 and "malformed" in res.stderr
    report = tmp_path / "out.json"
    res = cli(*run, "--timeout", "1", "--json", str(report), "--junit", str(tmp_path / "j.xml"),
              str(loop))
    assert res.returncode == 5, res.stderr
    assert "timed out after 1 s (--timeout 1 s)" in res.stderr
    data = json.loads(report.read_text())
    assert data["outcome"] == "timeout" and data["program_exit_code"] is None
    assert data["runner_exit_code"] == 5
    assert "<error" in (tmp_path / "j.xml").read_text()
    cli(*run, "--json", str(report), str(two))
    data = json.loads(report.read_text())
    assert (data["outcome"], data["program_exit_code"], data["exit_status"]) == ("failed", 2, 2)


def test_timeout_message_names_the_board_multiplier() -> None:
    from wasmbed.run.outcome import timeout_text

    assert timeout_text(5, 4) == "timed out after 20 s (--app-timeout 5 s x board multiplier x4)"


@pytest.mark.parametrize("opts", [["--app-timeout", "0"], ["--jobs", "0"], ["--jobs", "-1"],
                                  ["--timeout", "-3"], ["--max-restarts", "-1"]])
def test_nonsense_numbers_are_usage_errors(opts: list[str]) -> None:
    res = roq("riscv64", *opts, "app.wasm")
    assert res.returncode == 2 and "must" in res.stderr, res.stderr


def test_memory_grow_is_capped_on_the_host(host_agent: Path, tmp_path: Path) -> None:
    grow = tmp_path / "grow.wasm"
    grow.write_bytes(wat('''(module (memory 1)
      (func (export "grow_all") (result i32)
        (block $done (loop $l
          (br_if $done (i32.eq (memory.grow (i32.const 512)) (i32.const -1)))
          (br $l)))
        (memory.size)))'''))
    res = cli("run", "--board", "host", "--firmware", str(host_agent), "-f", "grow_all",
              str(grow))
    assert res.returncode == 0, res.stderr
    assert int(res.stdout.split()[0]) * 65536 <= 256 << 20  # 256 MiB, not the machine's RAM


# ---- (b) CLI consistency ---------------------------------------------------------------------

def _own_board(tmp_path: Path, name: str, qemu_binary: str | None = None) -> Path:
    import re

    text = (ROOT / "boards" / "qemu-riscv64.yaml").read_text()
    text = re.sub(r"(?m)^name: .*$", f"name: {name}", text)
    if qemu_binary:
        text = re.sub(r"(?m)^(\s+binary:) .*$", rf"\1 {qemu_binary}", text)
    d = tmp_path / "boards"
    d.mkdir(exist_ok=True)
    (d / f"{name}.yaml").write_text(text)
    return d


def test_app_path_anywhere_and_missing_app_before_building(tmp_path: Path) -> None:
    res = roq("riscv64", "--app-timeout", "5", str(tmp_path / "loop.wasm"))
    assert res.returncode == 2 and "cannot read" in res.stderr and "loop.wasm" in res.stderr
    assert "building" not in res.stderr + res.stdout


def test_boards_dir_for_run_on_qemu_and_scons(tmp_path: Path, monkeypatch) -> None:
    # sconsbuild.main puts --boards-dir into WASMBED_BOARDS_PATH (for SCons): undone after
    # the test, so that later tests in this worker do not see my-board
    monkeypatch.setenv("WASMBED_BOARDS_PATH", "")  # recorded: its absence comes back
    boards = _own_board(tmp_path, "my-board", qemu_binary="qemu-system-nowhere")
    app = tmp_path / "a.wasm"
    app.write_bytes(wat("(module)"))
    fw = tmp_path / "fw.elf"
    fw.write_bytes(b"x")
    res = roq("my-board", str(app), "--boards-dir", str(boards), "--firmware", str(fw))
    assert res.returncode == 2 and "qemu-system-nowhere not found" in res.stderr, res.stderr
    from wasmbed.build import sconsbuild

    seen: list[str] = []
    sconsbuild.main(None, {"boards_dir": str(boards)}, help_requested=True,
                    set_help=seen.append, default=lambda _: None, exit=lambda _: None)
    assert "my-board" in seen[0] and "boards_dir=" in seen[0]
    assert "WASMBED_BOARDS_PATH" in (ROOT / "README.md").read_text()


def test_one_broken_board_does_not_hide_the_others(tmp_path: Path) -> None:
    boards = _own_board(tmp_path, "fine-board", qemu_binary="qemu-system-nowhere")
    (boards / "broken.yaml").write_text("name: broken\ntier: Z\n")
    res = cli("boards", "--boards-dir", str(boards), "--json")
    assert res.returncode == 0, res.stderr
    rows = {r["name"]: r for r in json.loads(res.stdout)}
    assert "broken" in rows["broken"] and "qemu-riscv64" in rows
    assert rows["fine-board"]["qemu_found"] is False  # its QEMU binary is not installed
    assert "broken" in res.stderr


def test_files_relative_to_the_testsuite() -> None:
    from wasmbed.run.wast import suite_files, testsuite_dir

    if not (testsuite_dir() / "proposals/tail-call/return_call.wast").is_file():
        pytest.skip("testsuite without proposals/tail-call")
    (path,) = suite_files("core", ["proposals/tail-call/return_call.wast"])
    assert path.is_file()


def test_board_without_qemu_and_a_missing_port(tmp_path: Path) -> None:
    app = tmp_path / "a.wasm"
    app.write_bytes(wat("(module)"))
    res = cli("run", "--board", "esp32c3-baremetal", str(app))
    assert res.returncode == 2 and "run-on-qemu" not in res.stderr
    assert "no QEMU machine" in res.stderr and "--port" in res.stderr
    res = cli("spec", "--board", "mps2-an386", "--port", "/dev/ttyNOPE", "--files", "nop")
    assert res.returncode == 2 and "Errno" not in res.stderr
    assert "/dev/ttyNOPE does not exist" in res.stderr and "serial ports" in res.stderr


# ---- (c) configuration safety ----------------------------------------------------------------

def test_toolchain_overrides_pick_the_boards_cpu() -> None:
    from wasmbed.model import toolchains
    from wasmbed.model.descriptors import load_board
    from wasmbed.errors import WasmbedError

    rv, m4, a53 = (load_board(n) for n in ("qemu-riscv64", "mps2-an386", "qemu-aarch64"))
    clang = toolchains.for_board(rv, "clang")
    assert "--target=riscv64-unknown-elf" in clang.cc and "--target=xtensa" not in clang.cc
    assert toolchains.cpu_flags_for(rv, clang) == rv.cpu_flags
    gcc = toolchains.for_board(a53, "gcc")
    assert gcc.cc != ("gcc",) and gcc.cc[0].startswith("aarch64-")  # never the host's gcc
    assert toolchains.cpu_flags_for(a53, gcc) == ("-mcpu=cortex-a53",)
    for board in (rv, m4):  # zig cannot link these: said up front, not `unknown CPU`
        with pytest.raises(WasmbedError, match="toolchain=zig cannot link") as err:
            toolchains.for_board(board, "zig")
        assert "toolchain=clang" in str(err.value)
    zig = toolchains.zig("thumb-freestanding-eabihf")
    assert toolchains.cpu_flags_for(m4, zig) == ("-mcpu=cortex_m4",)
    assert toolchains._riscv_march_to_zig("rv64imac") == "-mcpu=generic_rv64+m+a+c"


@pytest.mark.build
def test_clang_override_builds_a_riscv64_firmware(tmp_path: Path) -> None:
    from wasmbed.build.driver import build

    r = build("qemu-riscv64", toolchain="clang", build_dir=tmp_path / "rv-clang")
    assert r.firmware is not None and r.firmware.is_file()
    assert "--target=riscv64-unknown-elf" in r.build_json["toolchain"]


def test_features_add_to_and_remove_from_the_board_defaults() -> None:
    from wasmbed.model.descriptors import load_board
    from wasmbed.errors import WasmbedError
    from wasmbed.build.sconsbuild import resolve_features

    host, rv = load_board("host"), load_board("qemu-riscv64")
    assert "libc-builtin" in resolve_features(host, ["interp"])       # printf stays
    assert "global-heap-pool" in resolve_features(rv, ["libc-builtin"])  # no-malloc board
    assert "libc-builtin" not in resolve_features(host, ["-libc-builtin"])
    assert "mini-loader" in resolve_features(rv, ["+mini-loader"])
    assert "libc-builtin" not in resolve_features(host, ["only:interp"])
    with pytest.raises(WasmbedError, match="not among board host's features"):
        resolve_features(host, ["-global-heap-pool"])
    with pytest.raises(WasmbedError, match="platform-baremetal is for another platform"):
        resolve_features(host, ["platform-baremetal"])
    assert "platform-linux" in resolve_features(host, ["platform-linux"])


def test_build_prints_and_records_the_resolved_features(tmp_path: Path) -> None:
    from wasmbed.build.driver import build

    seen: list[str] = []
    r = build("host", ["+mini-loader"], build_dir=tmp_path / "h", echo=seen.append)
    assert "mini-loader" in r.build_json["features"] and "libc-builtin" in r.build_json["features"]
    assert f"wasmbed: host: features {','.join(r.build_json['features'])}" in seen[0]


@pytest.mark.parametrize("heap,words", [(100, "too small"), (200 << 20, "does not fit")])
def test_heap_size_checked_before_building(tmp_path: Path, heap: int, words: str) -> None:
    from wasmbed.build.driver import build
    from wasmbed.errors import WasmbedError

    with pytest.raises(WasmbedError, match=words):
        build("mps2-an386", heap_size=heap, build_dir=tmp_path / "b")
    assert not (tmp_path / "b" / "obj").exists()  # nothing was compiled


# ---- (d) reports and output ------------------------------------------------------------------

def test_summary_keeps_bracketed_values_and_is_not_cut_when_piped(monkeypatch) -> None:
    from wasmbed.report import results as report
    from wasmbed.run.spec import FileResult

    r = FileResult("i32.wast")
    r.fail(12, "returned [i32:0xffffffff], expected [i32:0x1]")
    r.passed = 27082
    monkeypatch.delenv("COLUMNS", raising=False)
    con = report.console()
    assert con.width == 200  # pytest's stdout is not a terminal: wide, not rich's 80
    with con.capture() as cap:
        con.print(report.summary_table([r], title="t"))
    assert "returned [i32:0xffffffff], expected [i32:0x1]" in cap.get()
    assert "27082" in cap.get()
    monkeypatch.setenv("COLUMNS", "123")
    assert report.console().width == 123


def test_boards_table_honours_columns(tmp_path: Path) -> None:
    import os

    env = dict(os.environ, COLUMNS="100")
    res = cli("boards", env=env)
    assert res.returncode == 0
    assert max(len(line) for line in res.stdout.splitlines()) <= 100


def test_stale_qemu_tmp_dirs_are_swept(tmp_path: Path) -> None:
    from wasmbed.run.qemu import OWNER_FILE, TMP_PREFIX, sweep_stale_dirs

    dead = subprocess.Popen(["true"])
    dead.wait()
    gone = tmp_path / f"{TMP_PREFIX}gone"
    gone.mkdir()
    (gone / OWNER_FILE).write_text(str(dead.pid))
    live = tmp_path / f"{TMP_PREFIX}live"
    live.mkdir()
    import os
    (live / OWNER_FILE).write_text(str(os.getpid()))
    assert sweep_stale_dirs(tmp_path) == [gone]
    assert live.is_dir() and not gone.exists()


def test_serial_logs_rotate_by_count_and_size(tmp_path: Path) -> None:
    import os

    from wasmbed.commands.qemu import rotate_logs

    for i in range(6):
        p = tmp_path / f"run-2026010{i}-000000.log"
        p.write_bytes(b"x" * 1000)
        os.utime(p, (1000 + i, 1000 + i))
    rotate_logs(tmp_path, keep=4, budget=2500)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "run-20260104-000000.log", "run-20260105-000000.log"]


def test_no_building_line_when_nothing_is_rebuilt() -> None:
    from wasmbed.commands.qemu import firmware_for, rebuilt_count
    from wasmbed.report.results import console

    firmware_for("host", None, None)  # up to date afterwards
    con = console()
    with con.capture() as cap:
        firmware_for("host", None, None, con)
    assert "build" not in cap.get()
    assert rebuilt_count("cc     runtime_src/core/wb_interp.c\nlink   build/x/firmware.elf\n") == 2


def test_clean_lists_and_removes_build_folders(tmp_path: Path) -> None:
    root = tmp_path / "build"
    for name, board in (("host", "host"), ("host-0123abcd", "host")):
        (root / name).mkdir(parents=True)
        (root / name / "build.json").write_text(json.dumps(
            {"board": board, "features": ["interp"], "mode": "release", "toolchain": "gcc"}))
    (root / "reports").mkdir()
    res = cli("clean", "--build-root", str(root), "--json")
    assert [r["folder"] for r in json.loads(res.stdout)] == ["host", "host-0123abcd"]
    res = cli("clean", "--build-root", str(root), "--variants")
    assert res.returncode == 0 and not (root / "host-0123abcd").exists()
    assert (root / "host").is_dir() and (root / "reports").is_dir()


def test_windowed_upload_reports_progress(host_agent: Path) -> None:
    from wasmbed.run.target import HostTarget

    module = wat('(module (memory 5) (data (i32.const 0) "' + "x" * 150000
                 + '") (func (export "main") (result i32) (i32.const 0)))')
    seen: list[int] = []
    with HostTarget(host_agent) as t:
        client = t.start()
        handle = client.load(module, window=16, progress=lambda done, total: seen.append(done))
        assert client.run(handle) == 0
    assert seen[-1] == len(module) and seen == sorted(seen) and len(seen) > 50


def _default_sigint() -> None:  # pragma: no cover - runs in the child
    """Ctrl-C as at a terminal: a test run started in the background (CI scripts, nohup)
    inherits an ignored SIGINT, which Python then keeps ignoring."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.build
@pytest.mark.qemu
def test_ctrl_c_with_two_guests_is_clean_and_writes_partial_reports(tmp_path: Path) -> None:
    import shutil
    import signal
    import time

    if shutil.which("qemu-system-riscv64") is None:
        pytest.skip("qemu-system-riscv64 not installed")
    from wasmbed.build.driver import build

    firmware = build("qemu-riscv64").firmware
    proc = subprocess.Popen(
        [sys.executable, "-c", "import sys; from wasmbed.cli import run_on_qemu_main; "
         "sys.exit(run_on_qemu_main())", "riscv64",  # the whole core suite: still running at the signal
         "--jobs", "2", "--firmware", str(firmware), "--log", str(tmp_path / "run.log"),
         "--json", str(tmp_path / "r.json"), "--junit", str(tmp_path / "r.xml")],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=_default_sigint)
    deadline = time.monotonic() + 120
    while not (tmp_path / "run-job2.log").exists() or \
            "WASMBED READY" not in (tmp_path / "run-job2.log").read_text(errors="replace"):
        assert proc.poll() is None and time.monotonic() < deadline, "the guests did not start"
        time.sleep(0.2)
    time.sleep(2.0)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "never awaited" not in err and "EOFError" not in err, err
    data = json.loads((tmp_path / "r.json").read_text())
    from wasmbed.run.wast import suite_files
    assert data["interrupted"] is True and data["files_selected"] == len(suite_files("core"))
    assert (tmp_path / "r.xml").is_file()


# ---- (e) writing a program -------------------------------------------------------------------

def test_example_app_builds_with_one_command_and_runs(host_agent: Path, tmp_path: Path) -> None:
    import shutil

    if not shutil.which("clang") or not shutil.which("wasm-ld"):
        pytest.skip("clang + wasm-ld for wasm32 not installed")
    src = tmp_path / "stdio_prog.c"
    src.write_text('#include <stdio.h>\n#include <string.h>\n#include <stdlib.h>\n'
                   'int main(void) { char b[32]; snprintf(b, sizeof b, "%d-%s", 7, "ok");\n'
                   '  printf("%s %u\\n", b, (unsigned)strlen(b)); exit(3); }\n')
    built = subprocess.run([str(ROOT / "examples/hello/build.sh"), str(src)], capture_output=True,
                           text=True, cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    app = Path(built.stdout.strip())
    res = cli("run", "--firmware", str(host_agent), str(app))
    assert (res.returncode, res.stdout) == (3, "7-ok 4\n"), res.stderr
    built = subprocess.run([str(ROOT / "examples/hello/build.sh")], capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    hello = Path(built.stdout.strip())
    res = cli("run", "--firmware", str(host_agent), str(hello))
    assert res.returncode == 0 and "wasmbed says 2 + 40 = 42" in res.stdout
    res = cli("run", "--firmware", str(host_agent), str(hello), "-f", "add", "--arg", "2",
              "--arg", "-44")
    assert (res.returncode, res.stdout) == (0, "-42\n"), res.stderr
    res = cli("run", "--firmware", str(host_agent), str(hello), "-f", "ad", "--arg", "1")
    assert res.returncode == 2 and "did you mean add" in res.stderr
    res = cli("run", "--firmware", str(host_agent), str(hello), "-f", "add", "--arg", "1")
    assert res.returncode == 2 and "takes 2 argument(s) (i32, i32), 1 given" in res.stderr


def test_unknown_import_names_module_field_and_type(host_agent: Path, tmp_path: Path) -> None:
    app = tmp_path / "typo.wasm"
    app.write_bytes(wat('(module (import "env" "prinf" (func (param i32 i32) (result i32)))'
                        ' (global (import "env" "g") (mut i64)) (func (export "_start")))'))
    res = cli("run", "--firmware", str(host_agent), str(app))
    assert res.returncode == 4
    assert "link: unknown import env.prinf: func (i32, i32) -> (i32)" in res.stderr


def test_link_hints_for_missing_wasi_and_libc() -> None:
    from types import SimpleNamespace

    from wasmbed.commands.run import link_hint

    info = SimpleNamespace(features="interp,global-heap-pool")
    wasi = link_hint("link: unknown import wasi_snapshot_preview1.fd_write: func", info)
    assert "no WASI" in wasi
    env = link_hint('link: unknown import "env".printf', info)
    libc = link_hint("link: unknown import env.printf: func (i32, i32) -> (i32)", info)
    assert "without libc-builtin" in libc and env == libc


# ---- (f) words -------------------------------------------------------------------------------

def test_tiers_are_defined_where_a_newcomer_looks() -> None:
    import re

    from wasmbed.report.proven import TIERS

    readme = (ROOT / "README.md").read_text()
    design = (ROOT / "docs" / "design.md").read_text()
    res = cli("boards")
    for tier, words in TIERS.items():
        assert f"| {tier} |" in readme and re.search(rf"[Tt]ier {tier}\b", design)
        assert f"tier {tier}: {words.split(':')[0]}" in " ".join(res.stdout.split())
    assert "Proven here: built:" in " ".join(res.stdout.split())
    assert "Tiers: tier A: highest support" in " ".join(cli("features").stdout.split())


def test_boards_show_what_is_proven_and_known_issues(tmp_path: Path) -> None:
    from wasmbed.report.proven import Evidence

    root = tmp_path / "tree"
    (root / "build" / "qemu-riscv64").mkdir(parents=True)
    (root / "build" / "qemu-riscv64" / "build.json").write_text('{"status": "built"}')
    (root / "build" / "reports").mkdir()
    (root / "build" / "reports" / "spec-riscv64.json").write_text(json.dumps(
        {"board": "qemu-riscv64", "suite": "core",
         "totals": {"passed": 27368, "failed": 0, "skipped": 581}}))
    proof = Evidence(root).of("qemu-riscv64")
    assert Evidence.text(proof) == "built, booted, suite 27368/27368"
    assert Evidence.text(Evidence(root).of("esp32")) == "nothing yet"

    res = cli("boards", "--json")
    rows = {r["name"]: r for r in json.loads(res.stdout)}
    assert "memory.grow" in rows["mps2-an386"]["known_issues"][0]
    assert set(rows["host"]["proven"]) == {"built", "booted", "suite"}
    res = cli("boards")
    assert "known issue mps2-an386: memory.grow" in " ".join(res.stdout.split())


def test_known_issues_schema_and_before_flashing(tmp_path: Path) -> None:
    import re

    from wasmbed.model.descriptors import load_board_file
    from wasmbed.errors import WasmbedError

    boards = tmp_path / "boards"
    boards.mkdir()
    text = (ROOT / "boards" / "esp32c3-baremetal.yaml").read_text()
    text = re.sub(r"(?m)^name: .*$", "name: c3-issues", text)
    (boards / "c3-issues.yaml").write_text(text + "known_issues: [the watchdogs are left on]\n")
    assert load_board_file(boards / "c3-issues.yaml").known_issues == ("the watchdogs are left on",)
    (boards / "bad.yaml").write_text(text.replace("name: c3-issues", "name: bad")
                                     + "known_issues: 5\n")
    with pytest.raises(WasmbedError, match="known_issues"):
        load_board_file(boards / "bad.yaml")
    (boards / "bad.yaml").unlink()
    res = cli("flash", "--boards-dir", str(boards), "--board", "c3-issues", "--port",
              "/dev/ttyNOPE", timeout=600)
    assert "known issue: the watchdogs are left on" in res.stderr  # before anything else
    assert res.returncode == 2 and "/dev/ttyNOPE" in res.stderr  # and nothing was written
    res = cli("flash", "--boards-dir", str(boards), "--board", "c3-issues", "--dry-run",
              "--port", "/dev/null", timeout=600)
    assert res.returncode == 0, res.stderr
    assert "# known issue: the watchdogs are left on" in res.stdout


def test_help_says_where_the_testsuite_and_exit_codes_are() -> None:
    for args in (["spec", "--help"], ["qemu", "--help"]):
        text = " ".join(cli(*args).stdout.split())
        assert "WASMBED_TESTSUITE" in text and "exit codes" in text
    readme = (ROOT / "README.md").read_text()
    assert "## Where the testsuite comes from" in readme and "## Exit codes" in readme


def test_ctrl_c_on_the_host_spec_run_writes_partial_reports(host_agent: Path,
                                                            tmp_path: Path) -> None:
    import signal
    import time

    from wasmbed.run.wast import suite_files

    files = [p.name for p in suite_files("core")][:60]
    proc = subprocess.Popen(
        [sys.executable, "-m", "wasmbed.cli", "spec", "--board", "host", "--firmware",
         str(host_agent), "--files", ",".join(files), "--json", str(tmp_path / "r.json")],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(4.0)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    if proc.returncode == 0:
        pytest.skip("the 60 files finished before the signal")
    assert proc.returncode == 130 and "Traceback" not in err, err
    data = json.loads((tmp_path / "r.json").read_text())
    assert data["interrupted"] is True and data["files_selected"] == 60
