"""wasmbed devices / --port auto: USB ids from the descriptors against pyserial's port list
(a monkeypatched list_ports: no hardware here)."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest
from serial.tools import list_ports

from wasmbed import ROOT
from wasmbed.build import devices as dv
from wasmbed.cli import main
from wasmbed.model.descriptors import load_board, load_board_file
from wasmbed.errors import WasmbedError

C3 = "esp32c3-baremetal"


def fake(device: str, vid: int | None = None, pid: int | None = None,
         serial: str | None = None, description: str = "n/a") -> SimpleNamespace:
    return SimpleNamespace(device=device, vid=vid, pid=pid, serial_number=serial,
                           description=description, manufacturer=None, location=None)


JTAG = fake("/dev/ttyACM0", 0x303A, 0x1001, "F4:12:FA:00:11:22", "USB JTAG/serial debug unit")
CP210X = fake("/dev/ttyUSB0", 0x10C4, 0xEA60, "0001", "CP2102N USB to UART Bridge Controller")
UART = fake("/dev/ttyS0")
OTHER = fake("/dev/ttyACM1", 0x2E8A, 0x000A, "E6614", "Pico")


@pytest.fixture
def ports(monkeypatch):
    """Set the ports pyserial reports: ports(JTAG, UART)."""
    monkeypatch.delenv("WASMBED_PORT", raising=False)

    def set_ports(*items: SimpleNamespace) -> None:
        monkeypatch.setattr(list_ports, "comports", lambda *a, **k: list(items))
    return set_ports


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


# ---- descriptors ----------------------------------------------------------------------------

def test_esp_boards_list_well_known_usb_ids() -> None:
    ids = {name: {(u.vid, u.pid) for u in load_board(name).usb}
           for name in ("esp32", "esp32-idf", "esp32c3", C3)}
    bridges = {(0x10C4, 0xEA60), (0x1A86, 0x7523), (0x0403, 0x6001)}
    assert ids["esp32"] == ids["esp32-idf"] == bridges        # no USB of its own
    assert ids[C3] == ids["esp32c3"] == bridges | {(0x303A, 0x1001)}
    assert load_board("qemu-riscv64").usb == ()


def _board(tmp_path: Path, usb: str) -> Path:
    text = (ROOT / "boards" / "host.yaml").read_text()
    path = tmp_path / "host.yaml"
    path.write_text(text + "usb:\n" + usb)
    return path


def test_usb_id_over_16_bits_names_file_and_line(tmp_path) -> None:
    path = _board(tmp_path, "  - {vid: 0x303a, pid: 0x1001}\n  - {vid: 0x1303a, pid: 1}\n")
    line = path.read_text().splitlines().index("  - {vid: 0x1303a, pid: 1}") + 1
    with pytest.raises(WasmbedError) as err:
        load_board_file(path)
    assert str(err.value).startswith(f"{path}:{line}: usb[1].vid: 0x1303a is not a 16-bit")


def test_bad_serial_pattern_and_unknown_key(tmp_path) -> None:
    with pytest.raises(WasmbedError) as err:
        load_board_file(_board(tmp_path, "  - {vid: 1, pid: 2, serial: '(['}\n"))
    assert "usb[0].serial: not a regular expression" in str(err.value)
    (tmp_path / "x").mkdir()
    with pytest.raises(WasmbedError) as err:
        load_board_file(_board(tmp_path / "x", "  - {vid: 1, pdi: 2}\n"))
    assert "usb[0].pdi: unknown field (did you mean 'pid'?)" in str(err.value)


# ---- wasmbed devices ------------------------------------------------------------------------

def test_devices_lists_ports_and_matching_boards(ports, capsys) -> None:
    ports(UART, CP210X, JTAG, OTHER)
    code, out, _ = cli(capsys, "devices")
    assert code == 0
    rows = {ln.split()[0]: ln for ln in out.splitlines()}
    assert set(rows) == {"/dev/ttyS0", "/dev/ttyUSB0", "/dev/ttyACM0", "/dev/ttyACM1"}
    assert "303a:1001" in rows["/dev/ttyACM0"]
    assert "boards: esp32c3, esp32c3-baremetal " in rows["/dev/ttyACM0"] + " "
    assert "boards: esp32, esp32-idf, esp32c3, esp32c3-baremetal" in rows["/dev/ttyUSB0"]
    assert "boards: -" in rows["/dev/ttyS0"] and "boards: -" in rows["/dev/ttyACM1"]
    assert "serial=F4:12:FA:00:11:22" in rows["/dev/ttyACM0"]

    code, out, _ = cli(capsys, "devices", "--json")
    data = {d["device"]: d for d in json.loads(out)}
    assert data["/dev/ttyACM0"]["usb_id"] == "303a:1001"
    assert data["/dev/ttyACM0"]["boards"] == ["esp32c3", C3]
    assert data["/dev/ttyS0"]["usb_id"] is None and data["/dev/ttyS0"]["boards"] == []


def test_devices_with_no_ports(ports, capsys) -> None:
    ports()
    code, out, err = cli(capsys, "devices")
    assert code == 0 and out == "" and "no serial ports are attached" in err
    code, out, _ = cli(capsys, "devices", "--json")
    assert json.loads(out) == []


def test_devices_board_names_its_port(ports, capsys) -> None:
    ports(UART, JTAG, OTHER)
    code, out, _ = cli(capsys, "devices", "--board", C3)
    assert code == 0 and out.strip() == "/dev/ttyACM0"
    code, _, err = cli(capsys, "devices", "--board", "esp32")  # no bridge attached
    assert code == 2
    assert "no attached serial port matches esp32 (USB 10c4:ea60, 1a86:7523, 0403:6001)" in err
    assert "/dev/ttyACM0 (303a:1001" in err   # what is attached is listed


def test_serial_number_pattern_selects_one_of_two(ports, tmp_path, monkeypatch) -> None:
    text = (ROOT / "boards" / f"{C3}.yaml").read_text().split("\nusb:")[0]
    (tmp_path / "c3-mine.yaml").write_text(
        text.replace(f"name: {C3}", "name: c3-mine") +
        "\nusb:\n  - {vid: 0x303a, pid: 0x1001, serial: '^F4:12:FA'}\n")
    monkeypatch.setenv("WASMBED_BOARDS_PATH", str(tmp_path))
    second = fake("/dev/ttyACM2", 0x303A, 0x1001, "84:F7:03:00:00:01")
    ports(JTAG, second)
    assert dv.resolve_port(load_board("c3-mine"), None) == "/dev/ttyACM0"
    with pytest.raises(WasmbedError) as err:
        dv.resolve_port(load_board(C3), "auto")
    text = str(err.value)
    assert text.startswith(f"2 attached serial ports match {C3}")
    assert "/dev/ttyACM0" in text and "/dev/ttyACM2" in text and "--port /dev/ttyACM0" in text


def test_explicit_port_and_environment_win(ports, monkeypatch) -> None:
    ports(JTAG)
    board = load_board(C3)
    assert dv.resolve_port(board, "/dev/ttyX") == "/dev/ttyX"
    monkeypatch.setenv("WASMBED_PORT", "socket://127.0.0.1:1")
    assert dv.resolve_port(board, None) == "socket://127.0.0.1:1"
    monkeypatch.delenv("WASMBED_PORT")
    assert dv.resolve_port(board, "auto") == "/dev/ttyACM0"


def test_board_without_usb_ids_says_so(ports) -> None:
    ports(CP210X)
    with pytest.raises(WasmbedError) as err:
        dv.resolve_port(load_board("mps2-an385"), None)
    assert str(err.value).startswith("no serial port given: pass --port")
    assert "lists no USB ids" in str(err.value)


# ---- flash and spec without --port ----------------------------------------------------------

def test_flash_dry_run_finds_the_one_port(ports, capsys) -> None:
    ports(UART, JTAG)
    code, out, _ = cli(capsys, "flash", "--board", C3, "--dry-run")
    assert code == 0
    write = next(ln for ln in out.splitlines() if "write-flash" in ln)
    assert "--port /dev/ttyACM0 " in write
    assert f"# port: /dev/ttyACM0, the one attached port with the USB ids of {C3}" in out


def test_flash_dry_run_without_match_keeps_placeholder(ports, capsys) -> None:
    ports(UART)
    code, out, _ = cli(capsys, "flash", "--board", C3, "--dry-run", "--port", "auto")
    assert code == 0
    assert "--port '<PORT>'" in out and f"no attached serial port matches {C3}" in out


def test_flash_without_port_lists_candidates(ports, capsys) -> None:
    ports(JTAG, CP210X)
    code, _, err = cli(capsys, "flash", "--board", C3)
    assert code == 2
    assert f"2 attached serial ports match {C3}" in err
    assert "/dev/ttyACM0 (303a:1001" in err and "/dev/ttyUSB0 (10c4:ea60" in err
    ports()
    code, _, err = cli(capsys, "flash", "--board", C3)
    assert code == 2 and f"no serial port given: no attached serial port matches {C3}" in err
    assert "pass --port /dev/ttyUSB0" in err and "no serial ports are attached" in err


def test_flash_uses_the_found_port(ports, capsys) -> None:
    """The one matching port is what flash opens (it does not exist here: the check of the
    device path says so, naming the port it found)."""
    ports(fake("/dev/ttyWASMBED-found0", 0x303A, 0x1001))
    code, _, err = cli(capsys, "flash", "--board", C3)
    assert code == 2 and "serial port /dev/ttyWASMBED-found0 does not exist" in err


def test_spec_port_auto(ports) -> None:
    from wasmbed.run.target import open_target

    ports(fake("/dev/ttyWASMBED-found1", 0x10C4, 0xEA60))
    with pytest.raises(WasmbedError) as err:
        open_target("esp32", port="auto")
    assert "serial port /dev/ttyWASMBED-found1 does not exist" in str(err.value)
