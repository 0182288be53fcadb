"""wasmbed flash: images, the exact write commands, and clear refusals (no hardware here)."""

from __future__ import annotations

import re
import shutil
import socket
import struct
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from wasmbed import ROOT
from wasmbed.build import flash as fl
from wasmbed.cli import main
from wasmbed.model.descriptors import all_boards, load_board
from wasmbed.errors import WasmbedError

C3 = "esp32c3-baremetal"
NO_PORT = "/dev/ttyWASMBED-absent0"


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["flash", *argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


# ---- ELF facts read independently of esptool -----------------------------------------------

def elf_facts(path: Path) -> tuple[int, int, list[tuple[int, bytes]]]:
    """(e_machine, entry, [(load address, bytes)] of PT_LOAD segments with file data)."""
    data = path.read_bytes()
    assert data[:4] == b"\x7fELF" and data[4] == 1 and data[5] == 1  # ELF32, little endian
    (machine,) = struct.unpack_from("<H", data, 18)
    entry, phoff = struct.unpack_from("<II", data, 24)
    phentsize, phnum = struct.unpack_from("<HH", data, 42)
    segments = []
    for i in range(phnum):
        ptype, off, _vaddr, paddr, filesz = struct.unpack_from("<IIIII", data, phoff + i * phentsize)
        if ptype == 1 and filesz:
            segments.append((paddr, data[off:off + filesz]))
    return machine, entry, sorted(segments)


def image_info(chip: str, chip_id: str, image: Path, entry: int) -> str:
    """esptool's image-info of `image`: it names the chip (regex `chip_id`), the ELF's
    entry and a valid checksum and hash. Its text, for the segment rows."""
    info = subprocess.run([sys.executable, "-m", "esptool", "--chip", chip, "image-info",
                           str(image)], capture_output=True, text=True)
    assert info.returncode == 0, info.stdout + info.stderr
    text = info.stdout
    assert re.search(rf"Chip ID: {chip_id}", text)
    assert re.search(rf"Entry point: {entry:#010x}", text, re.IGNORECASE)
    assert re.search(r"Checksum: 0x[0-9a-f]+ \(valid\)", text)
    assert re.search(r"Validation hash: [0-9a-f]{64} \(valid\)", text)
    return text


def merged(segments: list[tuple[int, bytes]]) -> list[tuple[int, bytes]]:
    out: list[tuple[int, bytes]] = []
    for addr, blob in sorted(segments):
        if out and out[-1][0] + len(out[-1][1]) == addr:
            out[-1] = (out[-1][0], out[-1][1] + blob)
        else:
            out.append((addr, blob))
    return out


# ---- the esp32 (Xtensa LX6) image ----------------------------------------------------------

@pytest.mark.build
def test_esp32_image_accepted_by_esptool() -> None:
    """scons board=esp32 without ESP-IDF: an ESP image the ROM loader can boot, its
    segments in IRAM/DRAM per esptool's memory map, entry = the ELF's _start."""
    if not shutil.which("clang-22") or not shutil.which("xtensa-lx106-elf-ld"):
        pytest.skip("clang-22 / binutils-xtensa-lx106 not installed (ci/setup.sh installs them)")
    outcome = fl.flash("esp32", image_only=True)
    image, elf = outcome.plan.image, outcome.plan.firmware
    assert image == ROOT / "build" / "esp32" / "firmware.bin" and image.is_file()
    assert [s.kind for s in outcome.ran] == ["build", "image"]  # nothing written
    machine, entry, segments = elf_facts(elf)
    assert machine == 94  # EM_XTENSA
    text = image_info("esp32", r"0 \(ESP32\)", image, entry)
    rows = re.findall(r"^\s*\d+\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+0x[0-9a-f]+\s+(.+)$", text,
                      re.MULTILINE | re.IGNORECASE)
    assert rows and all("IRAM" in kinds or "DRAM" in kinds for *_, kinds in rows), rows
    shown = sorted(int(addr, 16) for _, addr, _ in rows)
    assert shown == sorted(a for a, _ in merged(segments))
    board = load_board("esp32")
    for addr, length in outcome.segments:   # inside the descriptor's regions
        assert any(r.origin <= addr and addr + length <= r.end for r in board.memory)
    # the startup code the ROM enters: window registers and vectors set up by _start
    sym = subprocess.run(["llvm-nm-22" if shutil.which("llvm-nm-22") else "llvm-nm", str(elf)],
                         capture_output=True, text=True).stdout
    assert re.search(r"\b_start$", sym, re.M) and re.search(r"\bwb_xtensa_vectors$", sym, re.M)
    assert re.search(r"\bwb_watchdogs_off$", sym, re.M)


def test_dry_run_esp32_writes_one_image_where_the_rom_reads(capsys) -> None:
    code, out, err = cli(capsys, "--board", "esp32", "--dry-run", "--port", NO_PORT)
    assert code == 0, err
    lines = out.splitlines()
    write = next(ln for ln in lines if "write-flash" in ln)
    assert write.endswith("write-flash 0x1000 build/esp32/firmware.bin")
    image = next(ln for ln in lines if "elf2image" in ln)
    assert "--chip esp32 elf2image" in image
    assert image.endswith("-o build/esp32/firmware.bin build/esp32/firmware.elf")


# ---- the esp32c3-baremetal image -----------------------------------------------------------

@pytest.mark.build
def test_esp32c3_image_accepted_by_esptool() -> None:
    if not shutil.which("riscv64-unknown-elf-gcc"):
        pytest.skip("riscv64-unknown-elf-gcc not installed (Debian gcc-riscv64-unknown-elf)")
    outcome = fl.flash(C3, image_only=True)
    image, elf = outcome.plan.image, outcome.plan.firmware
    assert image == ROOT / "build" / C3 / "firmware.bin" and image.is_file()
    assert [s.kind for s in outcome.ran] == ["build", "image"]  # nothing written

    machine, entry, segments = elf_facts(elf)
    assert machine == 243  # EM_RISCV
    text = image_info("esp32c3", r"5 \(ESP32-C3\)", image, entry)
    rows = re.findall(r"^\s*\d+\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+0x[0-9a-f]+\s+(\S+)", text,
                      re.MULTILINE | re.IGNORECASE)
    shown = [(int(addr, 16), int(length, 16)) for length, addr, _ in rows]
    want = [(a, len(b)) for a, b in merged(segments)]
    assert merged([(a, b"\0" * n) for a, n in shown]) == [(a, b"\0" * n) for a, n in want]
    assert all(kind in ("IRAM", "DRAM") for *_, kind in rows)

    # byte for byte: the image's segments are the ELF's load segments
    from esptool.bin_image import LoadFirmwareImage
    img = LoadFirmwareImage("esp32c3", str(image))
    assert img.entrypoint == entry
    elf_mem = merged(segments)
    for seg in img.segments:
        data = bytes(seg.data)
        base, blob = next((a, b) for a, b in elf_mem if a <= seg.addr < a + len(b))
        part = blob[seg.addr - base:seg.addr - base + len(data)]
        assert data[:len(part)] == part and data[len(part):] == b"\0" * (len(data) - len(part))
    assert sum(len(s.data) for s in img.segments) >= sum(len(b) for _, b in segments)
    assert outcome.segments == [(s.addr, len(s.data)) for s in img.segments]


@pytest.mark.build
def test_image_only_cli_prints_the_image(capsys) -> None:
    if not shutil.which("riscv64-unknown-elf-gcc"):
        pytest.skip("riscv64-unknown-elf-gcc not installed (Debian gcc-riscv64-unknown-elf)")
    code, out, err = cli(capsys, "--board", C3, "--image-only")
    assert code == 0, err
    assert out.strip() == str(ROOT / "build" / C3 / "firmware.bin")
    assert "segments 0x40380000+" in err


# ---- dry run: the exact commands from the descriptor ----------------------------------------

def test_dry_run_shows_write_with_descriptor_offsets_and_baud(capsys) -> None:
    board = load_board(C3)
    code, out, err = cli(capsys, "--board", C3, "--dry-run", "--port", NO_PORT)
    assert code == 0, err
    lines = out.splitlines()
    write = next(ln for ln in lines if "write-flash" in ln)
    (offset,) = board.flash.offsets.values()
    assert offset == 0x0  # the ESP32-C3 ROM loader's first image (esptool's bootloader offset)
    assert f"--chip {board.flash.chip}" in write and f"--port {NO_PORT}" in write
    assert f"--baud {board.flash.baud}" in write and board.flash.baud == 460800
    assert write.endswith(f"write-flash {offset:#x} build/{C3}/firmware.bin")
    image = next(ln for ln in lines if "elf2image" in ln)
    assert "--flash-mode dio" in image and "--use-segments" in image
    assert image.endswith(f"-o build/{C3}/firmware.bin build/{C3}/firmware.elf")
    assert any(f"board={C3}" in ln and "scons" in ln for ln in lines)  # build when stale


def test_dry_run_baud_override_and_no_port(capsys, monkeypatch) -> None:
    monkeypatch.delenv("WASMBED_PORT", raising=False)
    code, out, _ = cli(capsys, "-b", C3, "--dry-run", "--baud", "921600")
    assert code == 0
    write = next(ln for ln in out.splitlines() if "write-flash" in ln)
    assert "--baud 921600" in write and "'<PORT>'" in write


def test_dry_run_esp_idf_board_writes_three_images(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("IDF_PATH", str(tmp_path))  # an SDK "present": the plan, not the build
    for name in ("esp32-idf", "esp32c3"):
        board = load_board(name)
        plan = fl.plan(name, port=NO_PORT)
        argv = plan.of("write")[0].argv
        at = argv.index("write-flash") + 1
        pairs = dict(zip(argv[at::2], argv[at + 1::2]))
        assert pairs == {f"{addr:#x}": f"build/{name}/images/{key}.bin"
                         for key, addr in board.flash.offsets.items()}
    assert load_board("esp32-idf").flash.offsets["bootloader"] == 0x1000


def test_dry_run_touches_no_port(monkeypatch) -> None:
    monkeypatch.setattr(fl, "check_port", lambda port: pytest.fail("dry run opened a port"))
    outcome = fl.flash(C3, port=NO_PORT, dry_run=True, check=True)
    assert outcome.ran == [] and [s.kind for s in outcome.plan.steps] == \
        ["build", "image", "write", "check"]


# ---- refusals: clear errors, never tracebacks -----------------------------------------------

QEMU_ONLY = [b.name for b in all_boards() if b.flash.method == "qemu-only"]


@pytest.mark.parametrize("name", QEMU_ONLY)
def test_qemu_only_board_gives_run_on_qemu_hint(capsys, name: str) -> None:
    code, _, err = cli(capsys, "--board", name, "--port", NO_PORT)
    assert code == 2
    assert f"this board exists only under QEMU: use run-on-qemu {name}" in err


def test_qemu_only_boards_exist() -> None:
    assert "mps2-an385" in QEMU_ONLY and "qemu-riscv64" in QEMU_ONLY


def test_missing_port_is_a_clear_error(capsys, monkeypatch) -> None:
    from serial.tools import list_ports

    monkeypatch.delenv("WASMBED_PORT", raising=False)
    monkeypatch.setattr(list_ports, "comports", lambda *a, **k: [])  # nothing plugged in
    code, _, err = cli(capsys, "--board", C3, "--port", NO_PORT)
    assert code == 2 and f"serial port {NO_PORT} does not exist" in err
    code, _, err = cli(capsys, "--board", C3)
    assert code == 2 and "no serial port given: no attached serial port matches" in err
    assert "pass --port" in err


def test_unknown_board_suggests_nearest(capsys) -> None:
    code, _, err = cli(capsys, "--board", "esp32c3-bare", "--dry-run")
    assert code == 2 and "unknown board 'esp32c3-bare'" in err
    assert "did you mean esp32c3-baremetal" in err


def test_sdk_board_without_sdk_is_refused(capsys, monkeypatch) -> None:
    monkeypatch.delenv("IDF_PATH", raising=False)
    if fl.platform_of(load_board("esp32c3")).sdk_available():
        pytest.skip("ESP-IDF is installed here")
    code, _, err = cli(capsys, "--board", "esp32c3", "--dry-run")
    assert code == 2
    assert "no flashable image without ESP-IDF" in err and "built-without-sdk" in err
    assert "IDF_PATH" in err


def test_board_without_flash_method(capsys) -> None:
    code, _, err = cli(capsys, "--board", "host", "--dry-run")
    assert code == 2 and "nothing to flash (flash.method is none" in err


# ---- descriptors that state other methods ---------------------------------------------------

def _board_dir(tmp_path: Path, monkeypatch, base: str, name: str, flash: str) -> str:
    text = (ROOT / "boards" / f"{base}.yaml").read_text()
    text = re.sub(r"^flash:.*?(?=^\S|\Z)", "", text, flags=re.MULTILINE | re.DOTALL)
    text = text.replace(f"name: {base}\n", f"name: {name}\n")
    (tmp_path / f"{name}.yaml").write_text(text + flash)
    monkeypatch.setenv("WASMBED_BOARDS_PATH", str(tmp_path))
    return name


def test_baremetal_esp_offset_must_be_the_rom_loaders(tmp_path, monkeypatch) -> None:
    name = _board_dir(tmp_path, monkeypatch, C3, "c3-wrong", "flash:\n  method: esptool\n"
                      "  chip: esp32c3\n  offsets: {app: 0x10000}\n  baud: 460800\n")
    with pytest.raises(WasmbedError) as err:
        fl.plan(name)
    text = str(err.value)
    line = next(i + 1 for i, t in enumerate((tmp_path / f"{name}.yaml").read_text()
                                             .splitlines()) if "offsets:" in t)
    assert text.startswith(f"{tmp_path / name}.yaml:{line}: flash.offsets: 0x10000")
    assert "first image at 0x0" in text


def test_unknown_esp_chip_suggests(tmp_path, monkeypatch) -> None:
    name = _board_dir(tmp_path, monkeypatch, C3, "c3-chip", "flash:\n  method: esptool\n"
                      "  chip: esp32c33\n  offsets: {app: 0x0}\n")
    with pytest.raises(WasmbedError) as err:
        fl.plan(name)
    assert "esptool knows no chip 'esp32c33'" in str(err.value)
    assert "did you mean esp32c3" in str(err.value)


OPENOCD = ("flash:\n  method: openocd\n  image: elf\n  command: [openocd, -f, board/x.cfg, -c, "
           "'program {elf} verify reset exit']\n")


def test_openocd_dry_run_and_missing_tool(tmp_path, monkeypatch, capsys) -> None:
    name = _board_dir(tmp_path, monkeypatch, "mps2-an385", "m3-probe", OPENOCD)
    code, out, _ = cli(capsys, "--board", name, "--dry-run")
    assert code == 0
    assert f"openocd -f board/x.cfg -c 'program build/{name}/firmware.elf verify reset exit'" in out
    if shutil.which("openocd"):
        pytest.skip("openocd is installed here: the missing-tool error cannot be shown")
    code, _, err = cli(capsys, "--board", name)
    assert code == 2
    assert "openocd is not installed" in err and "apt-get install openocd" in err


def test_command_with_unknown_placeholder(tmp_path, monkeypatch) -> None:
    name = _board_dir(tmp_path, monkeypatch, "mps2-an385", "m3-bad",
                      "flash:\n  method: serial-bootloader\n  command: [stm32flash, '{device}']\n")
    with pytest.raises(WasmbedError) as err:
        fl.plan(name)
    assert f"{name}.yaml:" in str(err.value) and "flash.command" in str(err.value)
    assert "unknown placeholder 'device'" in str(err.value)


# ---- --check against a real agent on a pyserial URL ----------------------------------------

def _bridge(agent: Path) -> tuple[int, threading.Thread]:
    """A TCP port whose first client talks to a fresh host agent (a board on socket://)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)

    def serve() -> None:
        conn, _ = server.accept()
        server.close()
        proc = subprocess.Popen([str(agent)], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        assert proc.stdin and proc.stdout

        def up() -> None:
            while chunk := proc.stdout.read1(4096):  # type: ignore[union-attr]
                conn.sendall(chunk)
        pump = threading.Thread(target=up, daemon=True)
        pump.start()
        try:
            while data := conn.recv(4096):
                proc.stdin.write(data)
                proc.stdin.flush()
        except OSError:
            pass
        finally:
            proc.kill()
            proc.wait()
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return server.getsockname()[1], thread


def test_check_says_hello_to_the_agent() -> None:
    from agent_helpers import host_agent_path

    port, thread = _bridge(host_agent_path())
    board = load_board("host")
    plan = fl.Plan(board=board, variant=ROOT / "build" / "host", firmware=Path("-"),
                   image=Path("-"), port=f"socket://127.0.0.1:{port}")
    hello = fl.check_agent(plan, ready_timeout=10)
    thread.join(10)
    assert hello is not None and hello.board == "host"
    assert "interp" in hello.features.split(",") and hello.version


@pytest.mark.build
def test_write_to_a_dead_port_is_a_clear_error() -> None:
    if not shutil.which("riscv64-unknown-elf-gcc"):
        pytest.skip("riscv64-unknown-elf-gcc not installed (Debian gcc-riscv64-unknown-elf)")
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        dead = s.getsockname()[1]
    with pytest.raises(WasmbedError) as err:
        fl.flash(C3, port=f"socket://127.0.0.1:{dead}")
    text = str(err.value)
    assert text.startswith(f"write flash over socket://127.0.0.1:{dead} failed (esptool exit")
    assert "Connection refused" in text


@pytest.mark.build
def test_command_method_end_to_end_with_check(tmp_path, monkeypatch) -> None:
    """A descriptor's own write command gets its placeholders filled and runs after the
    build; --check then finds the agent on the port (the host agent on socket:// plays the
    freshly flashed board, so HELLO answers with the real agent's facts)."""
    from agent_helpers import host_agent_path

    record = tmp_path / "argv.txt"
    tool = tmp_path / "recorder.py"
    tool.write_text("import sys, pathlib\n"
                    f"pathlib.Path({str(record)!r}).write_text('\\n'.join(sys.argv[1:]))\n")
    name = _board_dir(tmp_path, monkeypatch, "host", "host-flashrig",
                      "flash:\n  method: serial-bootloader\n  baud: 57600\n"
                      "  offsets: {app: 0x8000}\n"
                      f"  command: [{sys.executable}, {tool}, '{{image}}', '{{port}}', "
                      "'{baud}', '{offset}']\n")
    port, thread = _bridge(host_agent_path())
    url = f"socket://127.0.0.1:{port}"
    outcome = fl.flash(name, port=url, check=True, ready_timeout=10)
    thread.join(10)
    assert [s.kind for s in outcome.ran] == ["build", "write"]
    assert record.read_text().splitlines() == [f"build/{name}/firmware.elf", url, "57600",
                                               "0x8000"]
    assert (ROOT / "build" / name / "firmware.elf").is_file()
    hello = outcome.hello
    assert hello is not None and "interp" in hello.features.split(",")


@pytest.mark.build
def test_segment_outside_sram_is_refused(tmp_path) -> None:
    """The ROM loader maps no flash: an image with code at the flash-mapped 0x42000000 is
    refused before anything is written."""
    gcc = shutil.which("riscv64-unknown-elf-gcc")
    if not gcc:
        pytest.skip("riscv64-unknown-elf-gcc not installed (Debian gcc-riscv64-unknown-elf)")
    src, elf, image = tmp_path / "t.S", tmp_path / "t.elf", tmp_path / "t.bin"
    src.write_text(".globl _start\n_start: j _start\n")
    subprocess.run([gcc, "-march=rv32imc", "-mabi=ilp32", "-nostdlib", "-Wl,-Ttext=0x42000000",
                    "-o", str(elf), str(src)], check=True)
    subprocess.run([sys.executable, "-m", "esptool", "--chip", "esp32c3", "elf2image",
                    "--use-segments", "-o", str(image), str(elf)], check=True,
                   capture_output=True)
    with pytest.raises(WasmbedError) as err:
        fl.check_esp_image(load_board(C3), image, elf)
    assert "is outside the esp32c3's IRAM/DRAM" in str(err.value)


# ---- stm32-uart: the STM32 ROM bootloader through stm32loader (dry run: no board here) ------

STM32 = ("flash:\n  method: stm32-uart\n  chip: F4\n  image: bin\n  baud: 57600\n"
         "  offsets: {app: 0x08000000}\n  reset: {reset}\n  boot: {boot}\n")


def _stm32(tmp_path: Path, monkeypatch, name: str, reset: str = "dtr", boot: str = "rts",
           extra: str = "") -> str:
    text = STM32.replace("{reset}", reset).replace("{boot}", boot) + extra
    return _board_dir(tmp_path, monkeypatch, "mps2-an386", name, text)


def test_stm32_uart_dry_run_shows_the_plan(tmp_path, monkeypatch, capsys) -> None:
    name = _stm32(tmp_path, monkeypatch, "stm32-rig")
    code, out, err = cli(capsys, "--board", name, "--dry-run", "--port", "/dev/ttyUSB7")
    assert code == 0, err
    write = next(ln for ln in out.splitlines() if "stm32loader" in ln)
    assert write.endswith("-m stm32loader --port /dev/ttyUSB7 --baud 57600 --family F4 "
                          "--erase --write --verify --address 0x8000000 --go-address 0x8000000 "
                          f"--no-progress build/{name}/firmware.bin")
    assert "--swap-rts-dtr" not in write          # DTR resets, RTS drives BOOT0: its default
    assert "# boot sequence: BOOT0 (RTS) asserted, NRST (DTR) pulsed" in out
    assert any(f"board={name}" in ln and "scons" in ln for ln in out.splitlines())
    # the command line is one stm32loader itself accepts
    import shlex
    from stm32loader.args import parse_arguments
    argv = shlex.split(write)[3:]
    config = parse_arguments(argv)
    assert (config.port, config.baud, config.family) == ("/dev/ttyUSB7", 57600, "F4")
    assert config.erase and config.write and config.verify and not config.swap_rts_dtr
    assert config.address == config.go_address == 0x08000000


def test_stm32_uart_swapped_lines(tmp_path, monkeypatch) -> None:
    name = _stm32(tmp_path, monkeypatch, "stm32-swap", reset="rts", boot="dtr")
    argv = fl.plan(name, port="/dev/ttyUSB7").of("write")[0].argv
    assert "--swap-rts-dtr" in argv


def test_stm32_uart_descriptor_errors(tmp_path, monkeypatch) -> None:
    name = _stm32(tmp_path, monkeypatch, "stm32-same", reset="dtr", boot="dtr")
    with pytest.raises(WasmbedError) as err:
        fl.plan(name)
    assert "needs `reset` and `boot`" in str(err.value) and f"{name}.yaml:" in str(err.value)
    name = _board_dir(tmp_path, monkeypatch, "mps2-an386", "stm32-fam",
                      STM32.replace("F4", "F5").replace("{reset}", "dtr")
                      .replace("{boot}", "rts"))
    with pytest.raises(WasmbedError) as err:
        fl.plan(name)
    assert "stm32loader knows no family 'F5'" in str(err.value)
    name = _board_dir(tmp_path, monkeypatch, "mps2-an386", "stm32-elf",
                      STM32.replace("bin", "elf").replace("{reset}", "dtr")
                      .replace("{boot}", "rts"))
    with pytest.raises(WasmbedError) as err:
        fl.plan(name)
    assert "set `image: bin`" in str(err.value)


def test_stm32_uart_refuses_a_url_and_a_missing_port(tmp_path, monkeypatch, capsys) -> None:
    from serial.tools import list_ports

    monkeypatch.delenv("WASMBED_PORT", raising=False)
    monkeypatch.setattr(list_ports, "comports", lambda *a, **k: [])
    name = _stm32(tmp_path, monkeypatch, "stm32-url")
    code, _, err = cli(capsys, "--board", name, "--port", "socket://127.0.0.1:1")
    assert code == 2 and "stm32loader opens a serial device, not the pyserial URL" in err
    code, _, err = cli(capsys, "--board", name)
    assert code == 2 and "no serial port given" in err and "lists no USB ids" in err
