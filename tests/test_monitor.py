"""wasmbed monitor: the console loop on pyserial URLs and a pty, fault lines to file:line with
the board toolchain's addr2line (a real fault under QEMU), clear errors for bad ports."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest
import serial
from serial.tools import list_ports

from wasmbed.run import monitor as mon
from wasmbed.cli import main
from wasmbed.model.descriptors import load_board
from wasmbed.errors import WasmbedError

CRASH_MAIN = r"""
#include "wb_port.h"

static void say(const char *s)
{
    while (*s)
        wb_port_putc(*s++);
}

int main(void)
{
    say("monitor-test malloc=0\n");     /* the test harness answers after "malloc=N" */
    (void)wb_port_getc();
    *(volatile uint32_t *)(uintptr_t)0xFFFFFFF0u = 1;   /* CRASH-LINE */
    __builtin_trap();
}
"""


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["monitor", *argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


# ---- parsing --------------------------------------------------------------------------------

def test_parse_fault_lines_of_every_port() -> None:
    f = mon.parse_fault("junk WASMBED FAULT qemu-riscv64 trap mcause=0x7 mepc=0x80001234 "
                        "mtval=0xfffffff0")
    assert f is not None and (f.board, f.what) == ("qemu-riscv64", "trap")
    assert f.regs == {"mcause": 7, "mepc": 0x80001234, "mtval": 0xFFFFFFF0}
    assert f.code_addresses() == [("mepc", 0x80001234)]
    m = mon.parse_fault("WASMBED FAULT mps2-an386 fault exception=0x3 pc=0x1a2 lr=0x1f1 "
                        "cfsr=0x0 hfsr=0x40000000 mmfar=0x0 bfar=0x0")
    assert m is not None and m.code_addresses() == [("pc", 0x1A2), ("lr", 0x1F1)]
    assert mon.parse_fault("WASMBED READY host") is None


def test_addr2line_is_the_board_toolchains() -> None:
    if not shutil.which("riscv64-unknown-elf-addr2line"):
        pytest.skip("binutils-riscv64-unknown-elf not installed")
    assert mon.addr2line_for(load_board("qemu-riscv64")) == ("riscv64-unknown-elf-addr2line",)
    tool = mon.addr2line_for(load_board("esp32"))       # clang for Xtensa: LLVM's
    assert tool[0].startswith("llvm-addr2line")


# ---- a real fault under QEMU, to file:line ----------------------------------------------------

def _crash(name: str, tmp_path: Path) -> tuple[Path, bytes]:
    from test_baremetal import boot, build_boot_image

    image = build_boot_image(name, tmp_path, CRASH_MAIN)
    out, _status = boot(name, image, b"x")
    assert b"WASMBED FAULT " + name.encode() in out, out
    return image, out


def _crash_line() -> int:
    return next(i + 1 for i, t in enumerate(CRASH_MAIN.splitlines())
                if "CRASH-LINE" in t)


@pytest.mark.build
@pytest.mark.qemu
@pytest.mark.parametrize("name", ["qemu-riscv64", "mps2-an386"])
def test_fault_under_qemu_names_file_and_line(name: str, tmp_path: Path) -> None:
    image, out = _crash(name, tmp_path)
    shown: list[str] = []
    monitor = mon.Monitor(out=shown.append, symbolizer=mon.Symbolizer(load_board(name), image))
    for i in range(0, len(out), 7):   # in pieces, as a port delivers it
        monitor.feed(out[i:i + 7])
    text = "".join(shown)
    assert text.startswith(out.decode("utf-8", "replace"))   # the console itself, unchanged
    assert len(monitor.faults) == 1
    pc_reg = "mepc" if name == "qemu-riscv64" else "pc"
    assert re.search(rf"\[wasmbed\]   {pc_reg}=0x[0-9a-f]+: main at \S*main\.c:{_crash_line()}\n",
                     text), text


@pytest.mark.build
@pytest.mark.qemu
def test_monitor_cli_over_a_socket_with_log(tmp_path: Path, capsys) -> None:
    """QEMU's console output served on socket://: `wasmbed monitor` shows it, translates
    the fault line with --elf, and writes the same to --log."""
    image, out = _crash("qemu-riscv64", tmp_path / "fw")
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)

    def serve() -> None:
        conn, _ = server.accept()
        time.sleep(1.0)     # pyserial's socket:// open() discards what arrives before it ends
        conn.sendall(out)
        conn.recv(1)        # hold the line open until the monitor closes it
        conn.close()
        server.close()
    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    log = tmp_path / "console.log"
    code, stdout, err = cli(capsys, "--board", "qemu-riscv64", "--elf", str(image),
                            "--port", f"socket://127.0.0.1:{server.getsockname()[1]}",
                            "--log", str(log), "--duration", "4")
    thread.join(10)
    assert code == 0, err
    assert "monitor-test malloc=0" in stdout, (err, log.read_text())
    assert re.search(rf"mepc=0x[0-9a-f]+: main at \S*main\.c:{_crash_line()}", stdout), stdout
    assert log.read_text() == stdout


def test_release_firmware_without_debug_info_says_so(tmp_path: Path) -> None:
    gcc = shutil.which("riscv64-unknown-elf-gcc")
    if not gcc:
        pytest.skip("riscv64-unknown-elf-gcc not installed")
    src, elf = tmp_path / "t.c", tmp_path / "t.elf"
    src.write_text("void _start(void) { for (;;) ; }\n")
    subprocess.run([gcc, "-march=rv64imac", "-mabi=lp64", "-nostdlib", "-O1", "-o", str(elf),
                    str(src)], check=True)
    nm = subprocess.run(["riscv64-unknown-elf-nm", str(elf)], capture_output=True, text=True)
    start = int(next(ln.split()[0] for ln in nm.stdout.splitlines() if ln.endswith(" _start")),
                16)
    sym = mon.Symbolizer(load_board("qemu-riscv64"), elf)
    fault = mon.parse_fault(f"WASMBED FAULT qemu-riscv64 trap mcause=0x2 mepc={start:#x} "
                            "mtval=0x0")
    assert fault is not None
    (line,) = sym.explain(fault)
    assert line.startswith(f"mepc={start:#x}: in _start (no line information")
    assert "mode=debug" in line


# ---- the loop on loop:// -----------------------------------------------------------------------

class Recorder:
    """A serial port that records what its control lines are set to."""

    def __init__(self, inner: serial.SerialBase) -> None:
        object.__setattr__(self, "inner", inner)
        object.__setattr__(self, "lines", [])

    def __getattr__(self, name: str):
        return getattr(self.inner, name)

    def __setattr__(self, name: str, value) -> None:
        self.lines.append((name, value))
        setattr(self.inner, name, value)


def test_loop_echoes_keys_resets_and_exits() -> None:
    ser = Recorder(serial.serial_for_url("loop://", timeout=0.05))
    keys = iter([b"hi\n", mon.RESET_KEY, b"", mon.EXIT_KEY])
    shown: list[str] = []
    why = mon.run(ser, mon.Monitor(out=shown.append), keys=lambda: next(keys, b""),
                  reset_line="rts", duration=10)
    assert why == "exit"
    assert "hi\n" in "".join(shown)                  # typed keys went out (and came back)
    assert ser.lines == [("rts", True), ("rts", False)]
    assert "[wasmbed] reset (RTS pulse)" in "".join(shown)


def test_loop_without_symbolizer_and_without_reset_line() -> None:
    ser = serial.serial_for_url("loop://", timeout=0.05)
    ser.write(b"boot\nWASMBED FAULT esp32 fault exccause=0x1c epc1=0x40080123 excvaddr=0x0 "
              b"vector=0x1\n")
    keys = iter([b"", mon.RESET_KEY])
    shown: list[str] = []
    monitor = mon.Monitor(out=shown.append)
    assert mon.run(ser, monitor, keys=lambda: next(keys, b""), duration=1.0) == "timeout"
    text = "".join(shown)
    assert "fault (fault) on esp32: no firmware.elf to name its code (pass --elf)" in text
    assert "no reset line for this board" in text
    assert monitor.faults[0].code_addresses() == [("epc1", 0x40080123)]


# ---- clear errors ---------------------------------------------------------------------------------

def test_no_port(capsys, monkeypatch) -> None:
    monkeypatch.delenv("WASMBED_PORT", raising=False)
    monkeypatch.setattr(list_ports, "comports", lambda *a, **k: [])
    code, _, err = cli(capsys, "--board", "esp32c3-baremetal")
    assert code == 2 and "no serial port given: no attached serial port matches" in err
    code, _, err = cli(capsys)
    assert code == 2 and "no serial port given: pass --port" in err


def test_wrong_port(capsys, tmp_path) -> None:
    code, _, err = cli(capsys, "--port", "/dev/ttyWASMBED-absent0")
    assert code == 2 and "serial port /dev/ttyWASMBED-absent0 does not exist" in err
    plain = tmp_path / "not-a-tty"
    plain.write_text("")
    code, _, err = cli(capsys, "--port", str(plain))
    assert code == 2 and f"{plain} is not a serial port" in err


def test_busy_port(capsys) -> None:
    """A port another program holds exclusively (pyserial's flock, as esptool and miniterm
    take it) is refused with a message naming it busy."""
    master, slave = os.openpty()
    try:
        name = os.ttyname(slave)
        first = mon.open_port(name, 115200)
        try:
            with pytest.raises(WasmbedError) as err:
                mon.open_port(name, 115200)
            assert f"serial port {name} is busy" in str(err.value)
            code, _, text = cli(capsys, "--port", name, "--duration", "0.1")
            assert code == 2 and "is busy" in text
        finally:
            first.close()
        again = mon.open_port(name, 115200)   # free again once closed
        again.close()
    finally:
        os.close(master)
        os.close(slave)
