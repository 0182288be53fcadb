"""stm32f405: the STM32F405/407 board descriptor end to end without a chip.

The build (warnings as errors) makes a raw image the ROM bootloader can take; the flash
dry run shows the stm32loader command for it; `wasmbed devices` matches its USB-UART
adapters; the agent boots under QEMU netduinoplus2 (STM32F405 model: USART1, SysTick, no
RCC/GPIO/CCM) and passes a sample of the core spec suite.
"""

from __future__ import annotations

import shlex
import shutil
import struct
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from serial.tools import list_ports

from wasmbed import ROOT
from wasmbed.build import devices as dv
from wasmbed.build import flash as fl
from wasmbed.build.sizes import usage
from wasmbed.cli import main, run_on_qemu_main
from wasmbed.model.descriptors import load_board

BOARD = "stm32f405"
# its own variant dir per test worker: tests never race a user's build or each other (the
# module fixture runs once in every worker that gets one of its tests)
BUILD = ROOT / "build" / f"test-stm32f405-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
FLASH_BASE, RAM_TOP = 0x08000000, 0x20020000  # 128 KiB SRAM from 0x20000000


def _tools() -> None:
    if not shutil.which("arm-none-eabi-gcc"):
        pytest.skip("arm-none-eabi-gcc not installed (ci/setup.sh installs gcc-arm-none-eabi)")


@pytest.fixture(scope="module")
def built() -> Path:
    _tools()
    proc = subprocess.run([sys.executable, "-m", "SCons", "-C", str(ROOT), "-j2", "-Q",
                           f"board={BOARD}", "werror=1", f"build_dir={BUILD}"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return BUILD


def test_descriptor_facts() -> None:
    b = load_board(BOARD)
    assert b.flash.method == "stm32-uart" and b.flash.chip == "F4" and b.flash.image == "bin"
    assert (b.flash.reset, b.flash.boot) == ("dtr", "rts")
    assert b.qemu.machine == "netduinoplus2" and b.console.driver == "stm32-usart"
    # the data region is `ram`, not the heap pool's region (the linker script's rule)
    assert b.ram_region().name == "ram" and b.flash_region().origin == FLASH_BASE
    regions = {r.name: (r.origin, r.length) for r in b.memory}
    assert regions["heap"][0] + regions["heap"][1] == regions["ram"][0]
    assert regions["ram"][0] + regions["ram"][1] == RAM_TOP
    assert b.heap_size <= regions["heap"][1]


@pytest.mark.build
def test_build_makes_a_raw_image_for_the_rom_bootloader(built: Path) -> None:
    """firmware.bin is the flash contents from 0x08000000: the vector table first (initial
    SP at the top of SRAM, reset handler in flash, Thumb bit set), as the ROM's GO reads it."""
    elf, image = built / "firmware.elf", built / "firmware.bin"
    assert elf.is_file() and image.is_file()
    sp, reset = struct.unpack_from("<II", image.read_bytes())
    assert sp == RAM_TOP
    assert reset & 1 and FLASH_BASE < reset < FLASH_BASE + image.stat().st_size
    nm = subprocess.run(["arm-none-eabi-nm", str(elf)], capture_output=True, text=True).stdout
    symbols = {ln.split()[-1]: int(ln.split()[0], 16) for ln in nm.splitlines()
               if len(ln.split()) == 3}
    assert symbols["wb_vectors"] == FLASH_BASE and symbols["_start"] == reset & ~1
    import json
    bj = json.loads((built / "build.json").read_text())
    assert bj["status"] == "built" and str(image) in bj["images"]
    bars = {u.region: u for u in usage(load_board(BOARD), bj["sizes"])}
    assert set(bars) == {"flash", "ram", "heap"}
    assert all(u.fits for u in bars.values()), bars


def test_flash_dry_run_with_the_real_descriptor(capsys, monkeypatch) -> None:
    monkeypatch.delenv("WASMBED_PORT", raising=False)
    code = main(["flash", "--board", BOARD, "--port", "/dev/ttyUSB0", "--dry-run"])
    out, err = capsys.readouterr()
    assert code == 0, err
    write = next(ln for ln in out.splitlines() if "-m stm32loader" in ln)
    assert write.endswith("-m stm32loader --port /dev/ttyUSB0 --baud 115200 --family F4 "
                          "--erase --write --verify --address 0x8000000 --go-address 0x8000000 "
                          f"--no-progress build/{BOARD}/firmware.bin")
    assert "# boot sequence: BOOT0 (RTS) asserted, NRST (DTR) pulsed" in out
    assert "known issue: 100 KiB heap pool" in out
    from stm32loader.args import parse_arguments
    config = parse_arguments(shlex.split(write)[3:])
    assert config.family == "F4" and config.address == config.go_address == FLASH_BASE
    assert not config.swap_rts_dtr


@pytest.mark.parametrize("vid,pid", [(0x0483, 0x374B), (0x0403, 0x6001), (0x10C4, 0xEA60)])
def test_devices_matches_its_usb_uart_adapters(monkeypatch, vid: int, pid: int) -> None:
    port = SimpleNamespace(device="/dev/ttyACM0", vid=vid, pid=pid, serial_number="0671FF",
                           description="adapter", manufacturer=None, location=None)
    monkeypatch.setattr(list_ports, "comports", lambda *a, **k: [port])
    monkeypatch.delenv("WASMBED_PORT", raising=False)
    board = load_board(BOARD)
    assert dv.resolve_port(board, None) == "/dev/ttyACM0"
    assert BOARD in dv.boards_for(dv.attached()[0], [board])
    p = fl.flash(BOARD, dry_run=True).plan     # --port auto in a dry run: the one match
    assert p.port == "/dev/ttyACM0"


@pytest.mark.build
@pytest.mark.qemu
def test_agent_passes_a_core_spec_sample_under_qemu(built: Path, tmp_path: Path) -> None:
    """i32 and f32 whole; address.wast's first module (a 64 KiB memory beside the agent in
    the 100 KiB pool, spectest made only on demand) loads and its checks pass."""
    if not shutil.which("qemu-system-arm"):
        pytest.skip("qemu-system-arm not installed (ci/setup.sh installs qemu-system-arm)")
    import json
    report = tmp_path / "spec.json"
    run_on_qemu_main([BOARD, "--firmware", str(built / "firmware.elf"), "--files",
                      "i32.wast,f32.wast,address.wast", "--json", str(report),
                      "--log", str(tmp_path / "serial.log")])
    assert report.is_file()
    files = json.loads(report.read_text())["files"]
    for name in ("i32.wast", "f32.wast"):
        assert files[name]["failed"] == 0 and files[name]["passed"] > 300, files[name]
    addr = files["address.wast"]
    assert addr["passed"] >= 100, addr
    assert all("nomem" in f or "not loaded" in f for f in addr["failures"]), addr["failures"]
