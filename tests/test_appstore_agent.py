"""The app store in the real agent (feature app-store, docs/appstore.md): the board's
`app_store:` descriptor field, the generated config, and under QEMU (riscv64 `virt` with a
file-backed pflash) `wasmbed push` over the serial line, restarts that boot the newest
valid app, and QEMU killed in the middle of a push."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest

from board_helpers import GOOD, write_board
from wasmbed import ROOT
from wasmbed.build import appstore as st
from wasmbed.errors import WasmbedError
from wasmbed.model import descriptors
from wasmbed.model.schema import DescriptorError

BOARD = "qemu-riscv64"


def _board(tmp_path: Path, store: str) -> Path:
    return write_board(tmp_path, GOOD.format(name="tboard") + f"app_store: {store}\n")


@pytest.fixture(autouse=True)
def _fresh_cache():
    descriptors.load_board_file.cache_clear()
    yield
    descriptors.load_board_file.cache_clear()


# ---- the descriptor field ---------------------------------------------------------------------

def test_app_store_field_is_read():
    store = descriptors.load_board(BOARD).app_store
    assert (store.driver, store.origin, store.offset, store.length, store.sector) == \
        ("cfi-01", 0x20040000, 0x40000, 512 << 10, 256 << 10)
    assert descriptors.load_board("esp32").app_store.driver == "esp32-spi"
    assert descriptors.load_board("mps2-an386").app_store is None


@pytest.mark.parametrize("store, expected", [
    ("{driver: cfi-01, origin: 0x20040000, offset: 0x40000, length: 300K, sector: 256K}",
     "tboard.yaml:12: app_store.length: 0x4b000 is not two slots of whole 0x40000-byte sectors"),
    ("{driver: cfi-01, origin: 0x20040000, offset: 0x1000, length: 512K, sector: 256K}",
     "tboard.yaml:12: app_store.offset: 0x1000 is not aligned to the 0x40000-byte sector"),
    ("{driver: cfi-01, offset: 0x40000, length: 512K, sector: 256K}",
     "tboard.yaml:12: app_store.origin: missing: the cfi-01 driver reads the store where"),
    ("{driver: cfi01, origin: 0x20040000, offset: 0, length: 512K, sector: 256K}",
     "tboard.yaml:12: app_store.driver: expected one of cfi-01, esp32-spi; got 'cfi01' "
     "(did you mean 'cfi-01'?)"),
    ("{driver: cfi-01, origin: 0x20040000, offset: 0, length: 512K}",
     "tboard.yaml:12: app_store.sector: missing (required, size)"),
    ("{driver: cfi-01, origin: 0x20040000, offset: 0, length: 512K, sectors: 4K}",
     "tboard.yaml:12: app_store.sectors: unknown field (did you mean 'sector'?)"),
])
def test_bad_app_store_names_file_line_field(tmp_path, store, expected):
    with pytest.raises(DescriptorError) as err:
        descriptors.load_board_file(_board(tmp_path, store))
    assert expected in str(err.value)


def test_config_carries_the_region_and_the_feature_is_checked():
    from wasmbed.build.render import board_macros
    from wasmbed.model import featuresel
    from wasmbed.model.descriptors import load_platform

    board = descriptors.load_board(BOARD)
    macros = board_macros(board, load_platform(board.platform), ["interp", "app-store"])
    assert macros["WB_APP_STORE_ORIGIN"] == "0x20040000u"
    assert macros["WB_APP_STORE_LENGTH"] == "0x80000u"
    assert macros["WB_APP_STORE_SECTOR"] == "0x40000u"
    assert macros["WB_APP_STORE_DRIVER_CFI_01"] == "1"
    assert macros["WB_FEATURE_APP_STORE"] == "1"
    with pytest.raises(WasmbedError, match="mps2-an386 reserves no flash region"):
        featuresel.resolve(descriptors.load_board("mps2-an386"), ["+app-store"])
    with pytest.raises(WasmbedError, match="no erase/program code for its flash "
                                           r"\(app_store.driver esp32-spi\)"):
        featuresel.resolve(descriptors.load_board("esp32"), ["+app-store"])


# ---- the agent under QEMU -----------------------------------------------------------------------

# The virt machine's first pflash bank (unit 0: 0x20000000, 32 MiB). QEMU 7.2 starts the CPU at
# its first word when it is given, so its first sector holds a jump to the firmware at
# 0x80000000, as a boot ROM would (li t0,1; slli t0,t0,31; jr t0).
FLASH_SIZE = 32 << 20
TRAMPOLINE = struct.pack("<III", 0x00100293, 0x01F29293, 0x00028067)


def wasm_app(tmp: Path, tag: str, code: int, pad: int) -> Path:
    """A libc-builtin program: main() prints "hello from <tag>" and returns `code`; `pad`
    bytes of data make it span several STORE_CHUNK frames."""
    wat = tmp / f"{tag}.wat"
    wat.write_text(f'''(module
  (import "env" "puts" (func $puts (param i32) (result i32)))
  (memory 1)
  (data (i32.const 16) "hello from {tag}\\00")
  (data (i32.const 1024) "{tag[0] * pad}")
  (func (export "main") (result i32)
    (drop (call $puts (i32.const 16)))
    (i32.const {code})))
''')
    out = tmp / f"{tag}.wasm"
    tool = Path(sys.executable).parent / "wat2wasm"
    subprocess.run([str(tool) if tool.is_file() else "wat2wasm", str(wat), "-o", str(out)],
                   check=True)
    return out


def build_agent(name: str, features: list[str] | None) -> Path:
    from wasmbed.build.driver import scons_args, scons_command

    if shutil.which("qemu-system-riscv64") is None:
        pytest.skip("qemu-system-riscv64 not installed")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    build = ROOT / "build" / f"test-appstore-{name}-{worker}"
    cmd = [*scons_command(), "-C", str(ROOT), "-j2", "-Q",
           *scons_args(BOARD, features, heap_size=None, mode="release",
                       build_dir=build, toolchain=None, werror=True)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return build / "firmware.elf"


@pytest.fixture(scope="module")
def agent() -> Path:
    """The real agent firmware of qemu-riscv64 with the app-store feature."""
    return build_agent("agent", ["+app-store"])


def blank_flash(path: Path) -> Path:
    path.write_bytes(TRAMPOLINE + b"\xff" * (FLASH_SIZE - len(TRAMPOLINE)))
    return path


class Qemu:
    """qemu-riscv64 booting the agent with `flash` as its persistent pflash; `boot` is what
    the agent printed before its READY banner (the store report and the app's output)."""

    def __init__(self, firmware: Path, flash: Path) -> None:
        from wasmbed.run.qemu import free_port, qemu_command

        board = descriptors.load_board(BOARD)
        self.port = free_port()
        cmd = qemu_command(board, firmware, serial_port=self.port, qmp_path=None,
                           extra=["-drive", f"if=pflash,unit=0,format=raw,file={flash}"])
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 20
        while True:
            try:
                sock = socket.create_connection(("127.0.0.1", self.port), timeout=1)
                break
            except OSError:
                assert self.proc.poll() is None and time.monotonic() < deadline, \
                    f"QEMU did not start: {' '.join(cmd)}"
                time.sleep(0.05)
        sock.settimeout(0.2)
        out = b""
        deadline = time.monotonic() + 60
        while b"WASMBED READY" not in out or not out.endswith(b"\n"):
            assert time.monotonic() < deadline, f"no READY banner: {out[-500:]!r}"
            try:
                data = sock.recv(4096)
            except socket.timeout:
                continue
            assert data, f"console closed: {out[-500:]!r}"
            out += data
        sock.close()           # `wasmbed push` connects again (QEMU's server takes it)
        self.boot = out.decode("utf-8", "replace")

    @property
    def url(self) -> str:
        return f"socket://127.0.0.1:{self.port}"

    def kill(self) -> None:
        """Power cut: SIGKILL, nothing flushed by the guest."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)


def cli(capsys, *argv: str) -> tuple[int, str]:
    from wasmbed.cli import main

    code = main(["push", *argv])
    out = capsys.readouterr()
    return code, out.out + out.err


def ran(boot: str, slot: str, tag: str, code: int) -> bool:
    return (f"WASMBED APP {slot} name={tag}\nhello from {tag}\nWASMBED APP exit={code}\n"
            in boot)


@pytest.mark.build
@pytest.mark.qemu
def test_push_restart_runs_the_newest_and_falls_back(agent: Path, tmp_path: Path,
                                                     capsys) -> None:
    """push over the serial line, restart: the app runs; a second push, restart: it runs;
    the newest slot corrupted on flash: the agent boots the other one."""
    flash = blank_flash(tmp_path / "flash.img")
    one, two = wasm_app(tmp_path, "one", 7, 3000), wasm_app(tmp_path, "two", 0, 5000)
    q = Qemu(agent, flash)
    assert "WASMBED APP none" in q.boot
    code, out = cli(capsys, str(one), "--board", BOARD, "--port", q.url)
    assert code == 0, out
    assert "one.wasm -> slot A (version 1," in out and "*A: version 1 wasm 'one'" in out
    q.kill()

    q = Qemu(agent, flash)                      # restart on the same flash file
    assert ran(q.boot, "A", "one", 7), q.boot
    code, out = cli(capsys, str(two), "--board", BOARD, "--port", q.url)
    assert code == 0 and "two.wasm -> slot B (version 2," in out, out
    q.kill()
    q = Qemu(agent, flash)
    assert ran(q.boot, "B", "two", 0), q.boot
    assert "WASMBED STORE A version=1" in q.boot
    code, out = cli(capsys, "--list", "--port", q.url)    # no --board: the port is enough
    assert code == 0, out
    assert " A: version 1 wasm 'one'" in out and "*B: version 2 wasm 'two'" in out
    q.kill()

    # the host reads the same from the flash file, through the board's app_store: field
    code, out = cli(capsys, "--list", "--image", str(flash), "--board", BOARD)
    assert code == 0 and "*B: version 2 wasm 'two'" in out, out

    store = descriptors.load_board(BOARD).app_store
    data = bytearray(flash.read_bytes())        # a bit flips in slot B's payload
    data[store.offset + store.length // 2 + st.HEADER_SIZE + 100] ^= 0x01
    flash.write_bytes(bytes(data))
    q = Qemu(agent, flash)
    assert "WASMBED STORE B invalid: payload CRC mismatch" in q.boot, q.boot
    assert ran(q.boot, "A", "one", 7), q.boot
    q.kill()


class CutLine:
    """The Stream to the agent, with a power cut: QEMU is killed just before the
    `occurrence`-th frame of type `ftype` would be sent."""

    def __init__(self, inner, qemu: Qemu, ftype: int, occurrence: int) -> None:
        self.inner, self.qemu = inner, qemu
        self.ftype, self.left = ftype, occurrence

    @property
    def timeout(self):
        return self.inner.timeout

    @timeout.setter
    def timeout(self, value) -> None:
        self.inner.timeout = value

    def read(self, n: int) -> bytes:
        return self.inner.read(n)

    def write(self, data: bytes) -> None:
        if data[2] == self.ftype:
            self.left -= 1
            if self.left == 0:
                self.qemu.kill()
        self.inner.write(data)


@pytest.mark.build
@pytest.mark.qemu
def test_power_cut_during_push_keeps_the_previous_app(agent: Path, tmp_path: Path,
                                                      capsys) -> None:
    """QEMU killed in the middle of a push over the serial line: right after the erase
    (before the first chunk), after two chunks of the payload, with the whole payload
    programmed but not committed. After each restart the previous app runs and
    `push --list` says the new slot is invalid; then the same push, uncut, takes over."""
    import serial

    from wasmbed.run import store
    from wasmbed.run.protocol import Client, FrameType, LinkError
    from wasmbed.run.qemu import SerialStream, TrafficLog

    flash = blank_flash(tmp_path / "flash.img")
    old, new = wasm_app(tmp_path, "old", 3, 1000), wasm_app(tmp_path, "new", 4, 7000)
    q = Qemu(agent, flash)
    assert cli(capsys, str(old), "--board", BOARD, "--port", q.url)[0] == 0
    q.kill()
    data = new.read_bytes()
    for ftype, nth in ((FrameType.STORE_CHUNK, 1), (FrameType.STORE_CHUNK, 3),
                       (FrameType.STORE_COMMIT, 1)):
        q = Qemu(agent, flash)
        assert ran(q.boot, "A", "old", 3), (ftype, nth, q.boot)
        line = serial.serial_for_url(q.url, timeout=0.1)
        client = Client(CutLine(SerialStream(line, TrafficLog(None)), q, ftype, nth),
                        timeout=10)
        client.hello()
        with pytest.raises(LinkError):
            store.push(client, data, name="new")
        line.close()
        assert q.proc.poll() is not None          # the cut happened mid-push

        q = Qemu(agent, flash)                    # power back on
        assert ran(q.boot, "A", "old", 3), (ftype, nth, q.boot)
        assert "WASMBED STORE B invalid: empty" in q.boot, q.boot    # magic never written
        code, out = cli(capsys, "--list", "--port", q.url)
        assert code == 0 and "*A: version 1 wasm 'old'" in out, out
        assert " B: invalid: empty" in out, out
        q.kill()
        slot_b = flash.read_bytes()[0x40000 + (256 << 10):][:st.HEADER_SIZE + len(data)]
        written = {1: 0, 3: 2 * 2044}.get(nth, len(data)) if ftype == FrameType.STORE_CHUNK \
            else len(data)
        assert slot_b[st.HEADER_SIZE:st.HEADER_SIZE + written] == data[:written]
        assert set(slot_b[st.HEADER_SIZE + written:]) <= {0xFF}

    q = Qemu(agent, flash)
    code, out = cli(capsys, str(new), "--board", BOARD, "--port", q.url)
    assert code == 0 and "-> slot B (version 2," in out, out
    q.kill()
    q = Qemu(agent, flash)
    assert ran(q.boot, "B", "new", 4), q.boot
    q.kill()


@pytest.mark.build
@pytest.mark.qemu
def test_push_to_an_agent_without_the_store(tmp_path: Path, capsys) -> None:
    """The board's ordinary agent (no app-store feature): push says how to build one that
    has it; the STORE frames themselves are answered UNSUPPORTED."""
    from wasmbed.run.protocol import Client, FrameType, Kind, RemoteError
    import serial

    from wasmbed.run.qemu import SerialStream, TrafficLog

    plain = build_agent("plain", None)
    q = Qemu(plain, blank_flash(tmp_path / "flash.img"))
    try:
        assert "WASMBED STORE" not in q.boot
        code, out = cli(capsys, "--list", "--port", q.url)
        assert code == 2 and "is built without the app-store feature" in out, out
        assert "features=+app-store" in out, out
        code, out = cli(capsys, "--list", "--board", "esp32", "--port", q.url)
        assert code == 2 and "runs on board qemu-riscv64, not esp32" in out, out
        line = serial.serial_for_url(q.url, timeout=0.1)
        client = Client(SerialStream(line, TrafficLog(None)), timeout=10)
        with pytest.raises(RemoteError) as err:
            client.request(FrameType.STORE_LIST)
        assert err.value.kind == Kind.UNSUPPORTED
        line.close()
    finally:
        q.kill()


# ---- errors without an agent ---------------------------------------------------------------------

def test_push_errors_without_a_board(tmp_path: Path, capsys, monkeypatch) -> None:
    """No port, a port that does not exist, a port another program holds, a port with no
    agent behind it, an invalid module: each a clear error (exit 2), never a traceback."""
    from wasmbed.run import monitor as mon

    monkeypatch.delenv("WASMBED_PORT", raising=False)
    app = tmp_path / "ok.wasm"
    app.write_bytes(b"\0asm\1\0\0\0")
    code, out = cli(capsys, str(app))
    assert code == 2 and "no serial port given" in out, out
    code, out = cli(capsys, "--list", "--port", "/dev/ttyWASMBED9")
    assert code == 2 and "serial port /dev/ttyWASMBED9 does not exist" in out, out
    bad = tmp_path / "bad.wasm"
    bad.write_bytes(b"\0asm\1\0\0\0\x0a\x01")
    code, out = cli(capsys, str(bad), "--port", "/dev/ttyWASMBED9")
    assert code == 2 and "is not a valid module" in out, out     # checked before the port
    code, out = cli(capsys, str(app), "--board", "mps2-an386", "--port", "/dev/null")
    assert code == 2 and "board mps2-an386 has no app store" in out, out
    master, slave = os.openpty()
    try:
        name = os.ttyname(slave)
        code, out = cli(capsys, "--list", "--port", name, "--timeout", "1")
        assert code == 2 and f"no wasmbed agent answered on {name}" in out, out
        first = mon.open_port(name, 115200)
        try:
            code, out = cli(capsys, "--list", "--port", name, "--timeout", "1")
            assert code == 2 and f"serial port {name} is busy" in out, out
        finally:
            first.close()
    finally:
        os.close(master)
        os.close(slave)
