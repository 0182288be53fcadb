"""QemuTarget, SerialTarget and run-on-qemu: the command line, board names, and the
robustness of a spec run when the guest dies, the line drops or a frame is corrupted.

The QEMU tests boot the real agent firmware for qemu-riscv64 (built with wasmbed.build.driver)
and check after each one that no QEMU process is left behind.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Callable, Iterator

import pytest

from wasmbed import ROOT
from wasmbed.model.descriptors import load_board
from wasmbed.errors import WasmbedError
from wasmbed.run.qemu import FAULT_CODE, QemuTarget, firmware_exit_code, qemu_command
from wasmbed.run import wast

BOARD = "qemu-riscv64"
TESTSUITE = wast.testsuite_dir()


# ---- no QEMU needed ------------------------------------------------------------------------


def test_command_line_comes_from_the_descriptor() -> None:
    board = load_board(BOARD)
    cmd = qemu_command(board, Path("fw.elf"), serial_port=4555, qmp_path=Path("/tmp/q.sock"))
    assert cmd[:3] == ["qemu-system-riscv64", "-M", "virt"]
    assert cmd[cmd.index("-m") + 1] == "128M"
    assert "-bios" in cmd and cmd[cmd.index("-bios") + 1] == "none"
    assert "tcp:127.0.0.1:4555,server=on,wait=on,nodelay=on" in cmd
    assert "unix:/tmp/q.sock,server=on,wait=off" in cmd
    assert cmd[cmd.index("-kernel") + 1] == "fw.elf"
    assert "-icount" not in cmd
    cmd = qemu_command(board, Path("fw.elf"), serial_port=1, qmp_path=None, icount=True)
    assert cmd[cmd.index("-icount") + 1] == "shift=0" and "-qmp" not in cmd


@pytest.mark.parametrize("name,needs", [("mps2-an386", "-semihosting"), ("qemu-aarch64", "-semihosting"),
                                        ("malta-mips", "-no-reboot"), ("qemu-i386", "isa-debug-exit,iobase=0xf4,iosize=4")])
def test_power_off_needs_are_on_the_command_line(name: str, needs: str) -> None:
    cmd = qemu_command(load_board(name), Path("fw.elf"), serial_port=1, qmp_path=None)
    assert needs in cmd
    assert cmd.count("-semihosting") <= 1


def test_board_without_qemu_section_is_refused() -> None:
    with pytest.raises(WasmbedError, match="no `qemu:` section"):
        qemu_command(load_board("host"), Path("fw"), serial_port=1, qmp_path=None)


@pytest.mark.parametrize("alias,board", [("riscv64", "qemu-riscv64"), ("riscv32", "qemu-riscv32"),
                                         ("cortex-m4", "mps2-an386"), ("arm", "mps2-an386"),
                                         ("cortex-m3", "mps2-an385"), ("aarch64", "qemu-aarch64"),
                                         ("mips", "malta-mips"), ("mips64", "malta-mips64"),
                                         ("i386", "qemu-i386"), ("mps2-an385", "mps2-an385")])
def test_arch_aliases(alias: str, board: str) -> None:
    from wasmbed.commands.qemu import resolve_board

    assert resolve_board(alias) == board


def test_unknown_arch_suggests_the_nearest() -> None:
    from wasmbed.commands.qemu import resolve_board

    with pytest.raises(WasmbedError) as info:
        resolve_board("riscv46")
    assert "did you mean riscv64?" in str(info.value)
    with pytest.raises(WasmbedError, match="no qemu: section"):
        resolve_board("host")


def test_firmware_exit_codes() -> None:
    assert firmware_exit_code(load_board("qemu-riscv64"), 7) == 7
    assert firmware_exit_code(load_board("qemu-i386"), (FAULT_CODE << 1) | 1) == FAULT_CODE
    assert firmware_exit_code(load_board("malta-mips"), 0, b"x\nWASMBED EXIT 3\n") == 3
    assert firmware_exit_code(load_board("malta-mips"), 0, b"no code") is None
    assert firmware_exit_code(load_board("qemu-riscv64"), -9) is None


def test_split_files_balances_by_size(tmp_path: Path) -> None:
    from wasmbed.commands.qemu import split_files

    files = []
    for i, size in enumerate([100, 90, 50, 40, 10, 5]):
        p = tmp_path / f"f{i}.wast"
        p.write_bytes(b"x" * size)
        files.append(p)
    groups = split_files(files, 2)
    assert sorted(p.name for g in groups for p in g) == sorted(p.name for p in files)
    sizes = [sum(p.stat().st_size for p in g) for g in groups]
    assert abs(sizes[0] - sizes[1]) <= 10


# ---- with QEMU -----------------------------------------------------------------------------


def _qemu_pids(marker: str) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if marker.encode() in cmdline and b"qemu-system" in cmdline:
            pids.append(int(entry.name))
    return pids


@pytest.fixture(scope="module")
def firmware() -> Path:
    if shutil.which("qemu-system-riscv64") is None:
        pytest.skip("qemu-system-riscv64 not installed")
    from wasmbed.build import driver as build

    return Path(build.build(BOARD).firmware)


@pytest.fixture
def target(firmware: Path, tmp_path: Path) -> Iterator[QemuTarget]:
    marker = f"wasmbed-test-{uuid.uuid4().hex[:8]}"
    t = QemuTarget(BOARD, firmware, log=tmp_path / "serial.log", extra_args=["-name", marker])
    t.test_marker = marker  # type: ignore[attr-defined]
    try:
        yield t
    finally:
        t.close()
        assert _qemu_pids(marker) == [], "QEMU left running"


def _wast(name: str) -> Path:
    path = TESTSUITE / name
    if not path.is_file():
        pytest.skip(f"{path} not found")
    return path


def _run_with(target: QemuTarget, wast: str, at: int, action: Callable[[QemuTarget], None],
              base_timeout: float = 10.0):
    """Run one spec file; do `action` once, after command number `at`."""
    from wasmbed.run.spec import SpecRunner

    target.start()
    runner = SpecRunner(target, base_timeout=base_timeout)
    count = [0]

    def on_command() -> None:
        count[0] += 1
        if count[0] == at:
            action(target)

    return runner.run_file(_wast(wast), on_command=on_command)


def _reasons(result) -> str:
    return " | ".join(str(f) for f in result.failures)


@pytest.mark.build
@pytest.mark.qemu
def test_boot_status_reset_and_stop(target: QemuTarget) -> None:
    client = target.start()
    assert client.info is not None and client.info.board == BOARD
    assert target.status() == "running"
    pid = target.proc.pid  # type: ignore[union-attr]
    client = target.restart("test")  # QMP system_reset, same QEMU
    assert target.resets == 1 and target.proc is not None and target.proc.pid == pid
    assert client.hello().board == BOARD
    log = Path(target.log.path).read_text()  # type: ignore[arg-type]
    assert "qmp system_reset" in log and "WASMBED READY" in log
    target.stop()
    target.stop()  # twice is fine
    assert not target.alive()
    assert _qemu_pids(target.test_marker) == []  # type: ignore[attr-defined]


@pytest.mark.build
@pytest.mark.qemu
def test_qemu_killed_mid_run_is_a_guest_crash(target: QemuTarget) -> None:
    res = _run_with(target, "i32.wast", 40, lambda t: os.kill(t.proc.pid, signal.SIGKILL))  # type: ignore[union-attr]
    assert res.failed >= 1 and "guest crash" in _reasons(res) and "SIGKILL" in _reasons(res)
    assert res.restarts == 1 and target.resets == 1
    assert res.passed > 300  # the rest of the file ran on a relaunched QEMU
    assert target.alive()


@pytest.mark.build
@pytest.mark.qemu
def test_qmp_quit_mid_run_is_a_guest_crash(target: QemuTarget) -> None:
    res = _run_with(target, "i32.wast", 40, lambda t: t.qmp_command("quit"))
    assert "guest crash" in _reasons(res) and "QEMU exited" in _reasons(res)
    assert res.restarts == 1 and res.passed > 300


@pytest.mark.build
@pytest.mark.qemu
def test_corrupted_frame_is_a_protocol_error(target: QemuTarget) -> None:
    def corrupt_next_write(t: QemuTarget) -> None:
        stream = t.stream
        assert stream is not None
        original = stream.write

        def write(data: bytes) -> None:
            stream.write = original  # type: ignore[method-assign]
            bad = bytearray(data)
            bad[-1] ^= 0xFF  # break the CRC
            original(bytes(bad))

        stream.write = write  # type: ignore[method-assign]

    res = _run_with(target, "i32.wast", 40, corrupt_next_write)
    assert "protocol error" in _reasons(res), _reasons(res)
    assert res.failed == 1 and res.passed > 300


@pytest.mark.build
@pytest.mark.qemu
def test_dropped_serial_connection_is_link_lost(target: QemuTarget) -> None:
    def drop(t: QemuTarget) -> None:
        t.stream.port._socket.shutdown(socket.SHUT_RDWR)  # type: ignore[union-attr]

    res = _run_with(target, "i32.wast", 40, drop)
    assert "link lost" in _reasons(res) and "guest crash" not in _reasons(res), _reasons(res)
    assert res.restarts == 1 and res.passed > 300


@pytest.mark.build
@pytest.mark.qemu
def test_paused_guest_times_out_and_is_reset(target: QemuTarget) -> None:
    res = _run_with(target, "i32.wast", 40, lambda t: t.qmp_command("stop"), base_timeout=1.0)
    assert "timeout" in _reasons(res), _reasons(res)
    assert res.restarts == 1 and res.passed > 300
    assert target.status() == "running"


@pytest.mark.build
@pytest.mark.qemu
def test_run_on_qemu_spec_json(firmware: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    proc = subprocess.run(
        [sys.executable, "-c", "import sys; from wasmbed.cli import run_on_qemu_main; sys.exit(run_on_qemu_main())",
         "riscv64", "--files", "nop,br_if", "--jobs", "2", "--firmware", str(firmware), "--json", str(out),
         "--log", str(tmp_path / "run.log")],
        cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    import json

    data = json.loads(out.read_text())
    assert data["board"] == BOARD and data["qemu_machine"] == "virt" and data["guests"] == 2
    assert data["totals"]["failed"] == 0 and data["totals"]["passed"] > 100
    assert data["guest_resets"] == 0 and data["wall_seconds"] > 0
    assert (tmp_path / "run.log").is_file() and (tmp_path / "run-job2.log").is_file()


def _clang_wasm32() -> list[str]:
    clang = shutil.which("clang")
    if not clang or not shutil.which("wasm-ld"):
        pytest.skip("clang + wasm-ld for wasm32 not installed")
    return [clang, "--target=wasm32", "-O2", "-nostdlib", "-Wl,--no-entry", "-Wl,--export=main",
            "-Wl,--allow-undefined"]


@pytest.mark.build
@pytest.mark.qemu
def test_run_on_qemu_app_prints_and_returns_its_exit_code(firmware: Path, tmp_path: Path) -> None:
    src = tmp_path / "app.c"
    src.write_text('int printf(const char *, ...);\n'
                   'int main(void) { double x = 2.5; printf("hello from %s: %d %.2f %x\\n", "qemu", 42, x * 3, 255);\n'
                   '  return 5; }\n')
    app = tmp_path / "app.wasm"
    subprocess.run([*_clang_wasm32(), str(src), "-o", str(app)], check=True, capture_output=True)
    proc = subprocess.run(
        [sys.executable, "-c", "import sys; from wasmbed.cli import run_on_qemu_main; sys.exit(run_on_qemu_main())",
         "riscv64", str(app), "--firmware", str(firmware), "--log", str(tmp_path / "app.log")],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.stdout == "hello from qemu: 42 7.50 ff\n", proc.stderr
    assert proc.returncode == 5


@pytest.mark.build
@pytest.mark.qemu
@pytest.mark.slow
def test_bench_counts_guest_instructions(firmware: Path, tmp_path: Path) -> None:
    """fib natively on the board and through the agent, both under -icount: the same
    checksum, a repeatable native count, and the interpreter costing more."""
    from wasmbed.report import bench as host_bench
    from wasmbed.report.qemu_bench import build_native, run_interp, run_native

    fib = host_bench.select_kernels(["fib"])[0]
    image = build_native(BOARD, [fib], tmp_path / "native")
    first = run_native(BOARD, image, 300)["fib"]
    second = run_native(BOARD, image, 300)["fib"]
    n, native_instr, native_sum = first
    assert n == fib.default_n and native_sum == 514229  # fib(29)
    assert abs(second[1] - native_instr) <= 1000 and native_instr > 1_000_000
    with QemuTarget(BOARD, firmware, icount=True, log=tmp_path / "bench.log") as target:
        target.start()
        instr, checksum = run_interp(target, fib, host_bench.build_wasm_kernel(fib, tmp_path), 300)
    assert checksum == native_sum
    assert instr > native_instr


@pytest.mark.build
@pytest.mark.qemu
@pytest.mark.parametrize("sig,jobs", [(signal.SIGINT, "2"), (signal.SIGTERM, "1"), (signal.SIGTERM, "2")])
def test_interrupted_run_leaves_no_qemu(firmware: Path, tmp_path: Path, sig: int, jobs: str) -> None:
    import time

    fw = tmp_path / "agent-under-signal.elf"  # a unique path: it names our QEMUs
    shutil.copy(firmware, fw)
    proc = subprocess.Popen(
        [sys.executable, "-c", "import sys; from wasmbed.cli import run_on_qemu_main; sys.exit(run_on_qemu_main())",
         "riscv64", "--jobs", jobs, "--firmware", str(fw),  # the whole suite: still running at the signal
         "--log", str(tmp_path / "run.log")],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # as at a terminal
    deadline = time.monotonic() + 60
    while len(_qemu_pids(str(fw))) < int(jobs):
        assert proc.poll() is None and time.monotonic() < deadline, "the guests did not start"
        time.sleep(0.1)
    time.sleep(1.0)
    proc.send_signal(sig)
    assert proc.wait(timeout=30) in (130, 128 + signal.SIGTERM)
    assert _qemu_pids(str(fw)) == []


@pytest.mark.build
@pytest.mark.qemu
def test_serial_target_over_a_socket(firmware: Path, tmp_path: Path) -> None:
    """SerialTarget as for a real board: QEMU plays the board on socket://; without
    modem lines restart() sends a RESET frame and waits for the banner."""
    from wasmbed.run.qemu import SerialTarget, free_port
    from wasmbed.run.spec import SpecRunner

    port = free_port()
    cmd = qemu_command(load_board(BOARD), firmware, serial_port=port, qmp_path=None)
    qemu = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        with SerialTarget(BOARD, f"socket://127.0.0.1:{port}", log=tmp_path / "serial.log") as target:
            for _ in range(100):  # until QEMU listens
                try:
                    client = target.start()
                    break
                except WasmbedError as err:
                    assert "refused" in str(err)
                    import time

                    time.sleep(0.1)
            assert client.info is not None and client.info.board == BOARD
            client = target.restart("test")
            assert target.resets == 1 and client.stats().live_handles == 0
            res = SpecRunner(target).run_file(_wast("nop.wast"))
            assert res.failed == 0 and res.passed > 50
        assert "RESET frame" in (tmp_path / "serial.log").read_text() or target.resets == 1
    finally:
        qemu.kill()
        qemu.wait()
