"""Put a board's firmware on real hardware, from the descriptor's `flash` section alone.

`plan()` turns a board into the steps that flash it (build, image, write, check), each
a command line or a short description, so `--dry-run` prints exactly what `flash()`
would run. Methods:

  esptool            elf2image for the chip, then write-flash at the descriptor's offsets
  stm32-uart         the STM32 ROM's UART bootloader (AN3155) through PyPI stm32loader:
                     BOOT0 and reset on the descriptor's DTR/RTS lines, erase, write, verify, go
  serial-bootloader  / openocd / pyocd: the descriptor's `command`, placeholders filled
  qemu-only, none    nothing to write: a clear message says what to do instead
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from wasmbed import ROOT
from wasmbed.model.descriptors import Board, load_board, platform_of
from wasmbed.build.devices import AUTO, resolve_port
from wasmbed.errors import WasmbedError

ESPTOOL = (sys.executable, "-m", "esptool")
STM32LOADER = (sys.executable, "-m", "stm32loader")
#: stm32loader's --family values (chip ids it reads the UID and flash size of)
STM32_FAMILIES = ("F0", "F1", "F3", "F4", "F7", "H7", "L4", "L0", "G0")
STM32_FLASH = 0x08000000    # where the ROM bootloader writes and the app runs (AN2606)
COMMAND_METHODS = ("serial-bootloader", "openocd", "pyocd")
# what provides the tool of a method when the descriptor names no package
DEFAULT_PACKAGES = {"openocd": "openocd", "pyocd": "python3-pyocd"}
PLACEHOLDERS = ("image", "elf", "port", "baud", "offset")
ESP_RAM = ("IRAM", "DRAM")   # esptool memory-map names the ROM loader can copy segments to
TAIL = 3000


@dataclass(frozen=True)
class Step:
    """One thing `flash` does: a command line (argv) or a host-side action (argv empty)."""

    kind: str                       # build | image | write | check
    what: str
    argv: tuple[str, ...] = ()
    uses_port: bool = False         # opens the serial port (never in a dry run)

    def shown(self) -> str:
        return shlex.join(self.argv) if self.argv else self.what


@dataclass
class Plan:
    board: Board
    variant: Path                   # build/<board>[-hash]/
    firmware: Path                  # the linked ELF
    image: Path                     # what is written (for esptool: the ESP image we make)
    port: str | None
    steps: list[Step] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def of(self, kind: str) -> list[Step]:
        return [s for s in self.steps if s.kind == kind]


# ---- descriptor helpers ---------------------------------------------------------------------

def _rel(path: Path) -> str:
    """Paths in messages and commands: relative to the repository when inside it."""
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def _line(board: Board, key: str) -> int:
    """The line of `key` inside the board's flash section (else of `flash:`), 1-based."""
    lines = board.path.read_text(encoding="utf-8").splitlines()
    start = next((i for i, t in enumerate(lines) if t.startswith("flash:")), 0)
    for i in range(start, len(lines)):
        if key in lines[i] and (i == start or not lines[i].lstrip().startswith("#")):
            return i + 1
    return start + 1


def descriptor_error(board: Board, key: str, message: str,
                     hint: str | None = None) -> WasmbedError:
    return WasmbedError(f"{_rel(board.path)}:{_line(board, key)}: flash.{key}: {message}",
                        hint=hint)


def refuse_unflashable(board: Board) -> None:
    """Methods with nothing to write, and SDK boards without their SDK: fail before building."""
    method = board.flash.method
    if method == "qemu-only":
        raise WasmbedError(f"{board.name}: this board exists only under QEMU: "
                           f"use run-on-qemu {board.name}")
    if method == "none":
        raise WasmbedError(f"{board.name}: nothing to flash (flash.method is none in "
                           f"{_rel(board.path)}): {board.description}",
                           hint=f"wasmbed build --board {board.name} builds it; "
                                "wasmbed run / spec use it where it runs")
    platform = platform_of(board)
    if platform.kind != "baremetal" and not platform.sdk_available():
        sdk = platform.sdk
        raise WasmbedError(
            f"{board.name}: no flashable image without {sdk.name}: the build here is "
            f"built-without-sdk (missing: {sdk.missing})", hint=f"install {sdk.install}")


# ---- paths and ports ------------------------------------------------------------------------

def _variant(board: Board, features: list[str] | None) -> Path:
    from wasmbed.build.sconsbuild import resolve_features, variant_dir

    return variant_dir(board, resolve_features(board, features), heap_size=None,
                       mode="release", toolchain=None, build_dir=None)


def available_ports() -> list[str]:
    try:
        from serial.tools import list_ports
    except ImportError:  # pragma: no cover - pyserial is a dependency
        return []
    return sorted(p.device for p in list_ports.comports())


def check_port(port: str | None) -> str:
    """A port that can be opened, else a WasmbedError saying why (never a traceback)."""
    seen = available_ports()
    listed = (f"serial ports on this machine: {', '.join(seen)}" if seen else
              "no serial ports found on this machine: is the board plugged in (USB cable "
              "with data lines)?")
    if not port:
        raise WasmbedError("no serial port given: pass --port /dev/ttyUSB0 (or a pyserial URL "
                           "such as rfc2217://host:4000) or set WASMBED_PORT", hint=listed)
    if "://" in port:
        return port
    if not os.path.exists(port):
        raise WasmbedError(f"serial port {port} does not exist", hint=listed)
    if not os.access(port, os.R_OK | os.W_OK):
        raise WasmbedError(f"no permission to open serial port {port}",
                           hint="add your user to the dialout group (sudo usermod -aG "
                                "dialout $USER), then log in again")
    return port


# ---- planning -------------------------------------------------------------------------------

def build_step(board: Board, features: list[str] | None) -> Step:
    from wasmbed.build.driver import scons_args, scons_command

    argv = scons_command() + ["-C", str(ROOT), "-j2", "-Q"]
    argv += scons_args(board.name, features, heap_size=None, mode="release", build_dir=None,
                       toolchain=None)
    return Step("build", f"build {board.name} when stale", tuple(argv))


def _esptool_chip(board: Board):  # -> esptool's chip class
    chip = board.flash.chip
    if not chip:
        raise descriptor_error(board, "method", "method esptool needs `chip` (e.g. esp32c3)")
    from esptool.targets import CHIP_DEFS

    if chip not in CHIP_DEFS:
        import difflib
        near = difflib.get_close_matches(chip, list(CHIP_DEFS), n=1)
        raise descriptor_error(board, "chip", f"esptool knows no chip {chip!r}",
                               hint=f"did you mean {near[0]}?" if near else
                               f"esptool's chips: {', '.join(CHIP_DEFS)}")
    return CHIP_DEFS[chip]


def _esptool_plan(plan: Plan, baud: int | None) -> None:
    board, flash = plan.board, plan.board.flash
    rom = _esptool_chip(board)
    if not flash.offsets:
        raise descriptor_error(board, "offsets", "method esptool needs offsets {name: address}")
    if board.baremetal:
        # No second-stage bootloader: the one image is what the ROM loader boots.
        if len(flash.offsets) != 1:
            raise descriptor_error(board, "offsets", "a bare-metal esptool board writes one "
                                   f"image; got {', '.join(flash.offsets)}")
        offset = next(iter(flash.offsets.values()))
        if offset != rom.BOOTLOADER_FLASH_OFFSET:
            raise descriptor_error(
                board, "offsets", f"{offset:#x}, but the {flash.chip} ROM loader reads its "
                f"first image at {rom.BOOTLOADER_FLASH_OFFSET:#x} (esptool's "
                "BOOTLOADER_FLASH_OFFSET); a bare-metal image must go there")
        argv = list(ESPTOOL) + ["--chip", flash.chip, "elf2image"]
        if flash.flash_mode:
            argv += ["--flash-mode", flash.flash_mode]
        if flash.flash_size:
            argv += ["--flash-size", flash.flash_size]
        # segments (program headers) carry load addresses, so initialised data travels at
        # its LMA and the startup code copies it, as on every other bare-metal board
        argv += ["--use-segments", "-o", _rel(plan.image), _rel(plan.firmware)]
        plan.steps.append(Step("image", f"ESP image for the {flash.chip} ROM loader",
                               tuple(argv)))
        pairs = [(offset, plan.image)]
        plan.notes.append("the ROM loader copies the image's segments to RAM and jumps to "
                          "its entry point (no ESP-IDF bootloader)")
    else:
        images = plan.variant / "images"
        pairs = [(addr, images / f"{name}.bin") for name, addr in flash.offsets.items()]
        plan.notes.append(f"the images come from `idf.py build` of an ESP-IDF project using "
                          f"the generated component; place them in {_rel(images)}/ "
                          f"({', '.join(f'{n}.bin' for n in flash.offsets)})")
    argv = list(ESPTOOL) + ["--chip", flash.chip, "--port", plan.port or "<PORT>",
                            "--baud", str(baud or flash.baud or 115200),
                            "--before", "default-reset", "--after", "hard-reset",
                            "write-flash"]
    for addr, path in sorted(pairs):
        argv += [f"{addr:#x}", _rel(path)]
    plan.steps.append(Step("write", f"write flash over {plan.port or '<PORT>'}", tuple(argv),
                           uses_port=True))


def _stm32_plan(plan: Plan, baud: int | None) -> None:
    """stm32loader: reset into the ROM bootloader (BOOT0 high, reset pulsed), erase, write
    the raw image at the flash base, verify, jump to it; then reset with BOOT0 low."""
    board, flash = plan.board, plan.board.flash
    if flash.image != "bin":
        raise descriptor_error(board, "method", "method stm32-uart writes a raw image: set "
                               "`image: bin` (the ROM bootloader takes bytes, not an ELF)")
    if flash.chip is not None and flash.chip not in STM32_FAMILIES:
        import difflib
        near = difflib.get_close_matches(flash.chip.upper(), STM32_FAMILIES, n=1)
        raise descriptor_error(board, "chip", f"stm32loader knows no family {flash.chip!r}",
                               hint=f"did you mean {near[0]}?" if near else
                               f"its families: {', '.join(STM32_FAMILIES)}")
    reset, boot = flash.get("reset"), flash.get("boot")
    if not reset or not boot or reset == boot:
        raise descriptor_error(board, "method", "method stm32-uart needs `reset` and `boot`: "
                               "the serial control lines (rts, dtr) wired to NRST and BOOT0, "
                               "one each", hint="e.g. reset: dtr, boot: rts (stm32loader's "
                               "default wiring)")
    offsets = list(flash.offsets.values())
    if len(offsets) > 1:
        raise descriptor_error(board, "offsets", "method stm32-uart writes one image; got "
                               f"{', '.join(flash.offsets)}")
    address = offsets[0] if offsets else STM32_FLASH
    argv = list(STM32LOADER) + ["--port", plan.port or "<PORT>",
                                "--baud", str(baud or flash.baud or 115200)]
    if flash.chip:
        argv += ["--family", flash.chip]
    if reset == "rts":      # stm32loader's default: DTR resets, RTS drives BOOT0
        argv.append("--swap-rts-dtr")
    argv += ["--erase", "--write", "--verify", "--address", f"{address:#x}",
             "--go-address", f"{address:#x}", "--no-progress", _rel(plan.image)]
    plan.steps.append(Step("write", f"write flash over {plan.port or '<PORT>'} (STM32 ROM "
                           "UART bootloader)", tuple(argv), uses_port=True))
    plan.notes.append(f"boot sequence: BOOT0 ({boot.upper()}) asserted, NRST ({reset.upper()}) "
                      "pulsed: the ROM's UART bootloader answers 0x7F at 8E1; erase, write "
                      f"and verify at {address:#x}, then GO {address:#x}")


def _command_plan(plan: Plan, baud: int | None) -> None:
    board, flash = plan.board, plan.board.flash
    if not flash.command:
        raise descriptor_error(board, "method", f"method {flash.method} needs `command` "
                               "(the tool and its arguments; placeholders "
                               + ", ".join("{%s}" % p for p in PLACEHOLDERS) + ")")
    offsets = list(flash.offsets.values())
    values = {"image": _rel(plan.image), "elf": _rel(plan.firmware),
              "port": plan.port or "<PORT>", "baud": str(baud or flash.baud or 115200),
              "offset": f"{offsets[0]:#x}" if offsets else ""}
    argv = []
    for arg in flash.command:
        if "{offset}" in arg and not offsets:
            raise descriptor_error(board, "command", f"{arg!r} uses {{offset}} but "
                                   "flash.offsets is empty")
        try:
            argv.append(arg.format(**values))
        except (KeyError, IndexError, ValueError) as err:
            raise descriptor_error(board, "command", f"{arg!r}: unknown placeholder {err}; "
                                   "known: " + ", ".join("{%s}" % p for p in PLACEHOLDERS))
    uses_port = any("{port}" in arg for arg in flash.command)
    plan.steps.append(Step("write", f"write with {flash.command[0]}", tuple(argv),
                           uses_port=uses_port))


def plan(board_name: str, *, port: str | None = None, baud: int | None = None,
         features: list[str] | None = None, check: bool = False) -> Plan:
    """The steps that flash `board_name` (nothing runs; unflashable boards raise here)."""
    board = load_board(board_name)
    refuse_unflashable(board)
    variant = _variant(board, features)
    firmware = variant / "firmware.elf"
    method = board.flash.method
    if method == "esptool":
        image = variant / "firmware.bin"
    else:
        image = firmware if board.flash.image == "elf" else variant / f"firmware.{board.flash.image}"
    p = Plan(board=board, variant=variant, firmware=firmware, image=image, port=port)
    p.steps.append(build_step(board, features))
    if method == "esptool":
        _esptool_plan(p, baud)
    elif method == "stm32-uart":
        _stm32_plan(p, baud)
    elif method in COMMAND_METHODS:
        _command_plan(p, baud)
    else:  # pragma: no cover - the schema admits no other method
        raise descriptor_error(board, "method", f"unknown method {method!r}")
    if check:
        console_baud = (board.console or {}).get("baud") or 115200
        p.steps.append(Step("check", f"open {port or '<PORT>'} at {console_baud} baud, wait for "
                            "the agent's WASMBED READY banner, send HELLO", uses_port=True))
    return p


def needs_port(p: Plan) -> bool:
    return any(s.uses_port for s in p.steps)


def missing_tool(p: Plan) -> WasmbedError | None:
    """The write tool when it is not installed, as an error naming its package."""
    if p.board.flash.method == "stm32-uart":
        import importlib.util
        if importlib.util.find_spec("stm32loader") is None:
            return WasmbedError(f"{p.board.name}: stm32loader is not installed in "
                                f"{sys.executable} (needed by flash method stm32-uart)",
                                hint="pip install stm32loader (a wasmbed dependency: "
                                     "pip install -e .)")
        return None
    if p.board.flash.method not in COMMAND_METHODS:
        return None
    tool = p.of("write")[0].argv[0]
    if shutil.which(tool):
        return None
    package = p.board.flash.package or DEFAULT_PACKAGES.get(p.board.flash.method)
    hint = f"apt-get install {package}" if package else \
        f"install {tool} (add flash.package to {_rel(p.board.path)} to name its package)"
    return WasmbedError(f"{p.board.name}: {tool} is not installed (needed by flash method "
                        f"{p.board.flash.method})", hint=hint)


# ---- running --------------------------------------------------------------------------------

def run_step(step: Step, echo: Callable[[str], None] | None = None) -> str:
    """Run a command step; stream its output to `echo`; raise with its tail when it fails."""
    try:
        proc = subprocess.Popen(step.argv, cwd=ROOT, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT)
    except OSError as err:
        raise WasmbedError(f"cannot run {step.argv[0]}: {err.strerror}") from None
    assert proc.stdout is not None
    out = bytearray()
    for chunk in iter(lambda: proc.stdout.read1(4096), b""):  # type: ignore[union-attr]
        out += chunk
        if echo is not None:
            echo(chunk.decode("utf-8", "replace"))
    code = proc.wait()
    text = out.decode("utf-8", "replace")
    if code != 0:
        argv = step.argv
        tool = argv[2] if len(argv) > 2 and argv[1] == "-m" else Path(argv[0]).name
        if echo is not None:
            raise WasmbedError(f"{step.what} failed ({tool} exit {code}; its output is above)")
        tail = "\n".join("  " + ln for ln in text[-TAIL:].splitlines() if ln.strip())
        raise WasmbedError(f"{step.what} failed ({tool} exit {code}):\n{tail}")
    return text


def check_esp_image(board: Board, image: Path, firmware: Path) -> list[tuple[int, int]]:
    """The image the ROM loader boots: right chip, entry point of the ELF, RAM segments only.

    Returns the (address, length) of each segment."""
    from esptool.bin_image import ELFFile, LoadFirmwareImage

    rom = _esptool_chip(board)
    try:
        img = LoadFirmwareImage(board.flash.chip, str(image))
    except Exception as err:  # noqa: BLE001 - esptool raises its own FatalError and others
        raise WasmbedError(f"{_rel(image)} is not a valid {board.flash.chip} image: {err}")
    elf = ELFFile(str(firmware))
    if getattr(img, "chip_id", rom.IMAGE_CHIP_ID) != rom.IMAGE_CHIP_ID:
        raise WasmbedError(f"{_rel(image)}: chip id {img.chip_id}, expected "
                           f"{rom.IMAGE_CHIP_ID} ({board.flash.chip})")
    if img.entrypoint != elf.entrypoint:
        raise WasmbedError(f"{_rel(image)}: entry {img.entrypoint:#x} but the ELF's is "
                           f"{elf.entrypoint:#x}")
    ram = [(lo, hi, name) for lo, hi, name in rom.MEMORY_MAP
           if any(k in name for k in ESP_RAM)]
    segments = []
    for seg in img.segments:
        end = seg.addr + len(seg.data)
        if not any(lo <= seg.addr and end <= hi for lo, hi, _ in ram):
            raise WasmbedError(
                f"{_rel(image)}: segment {seg.addr:#x}..{end:#x} is outside the "
                f"{board.flash.chip}'s IRAM/DRAM: the ROM loader only copies segments to RAM",
                hint=f"keep every `memory` region of {_rel(board.path)} in internal SRAM")
        segments.append((seg.addr, len(seg.data)))
    return segments


@dataclass
class Outcome:
    plan: Plan
    ran: list[Step] = field(default_factory=list)
    segments: list[tuple[int, int]] = field(default_factory=list)
    hello: object | None = None     # wasmbed.run.protocol.Hello after --check


def flash(board_name: str, *, port: str | None = None, baud: int | None = None,
          features: list[str] | None = None, dry_run: bool = False, image_only: bool = False,
          check: bool = False, echo: Callable[[str], None] | None = None,
          status: Callable[[str], None] | None = None, ready_timeout: float = 15.0) -> Outcome:
    """Build when stale, make the image, write it (unless dry_run/image_only), check."""
    say = status or (lambda _m: None)
    port = port or os.environ.get("WASMBED_PORT") or None
    if dry_run:  # the plan with the port found by USB id when it can be, else <PORT>
        p = plan(board_name, port=None if port == AUTO else port, baud=baud, features=features, check=check)
        if port in (None, AUTO):
            try:
                found = resolve_port(p.board, port)
            except WasmbedError as err:
                p.notes.append(f"port: {err.message}")
            else:
                p = plan(board_name, port=found, baud=baud, features=features, check=check)
                p.notes.append(f"port: {found}, the one attached port with the USB ids of "
                               f"{p.board.name}")
        return Outcome(plan=p)
    p = plan(board_name, port=None if port == AUTO else port, baud=baud, features=features,
             check=check)
    outcome = Outcome(plan=p)
    if not image_only:
        if needs_port(p):
            port = resolve_port(p.board, port)
            if p.board.flash.method == "stm32-uart" and "://" in port:
                raise WasmbedError(f"{p.board.name}: stm32loader opens a serial device, not "
                                   f"the pyserial URL {port}", hint="pass the device, e.g. "
                                   "--port /dev/ttyUSB0")
            p = outcome.plan = plan(board_name, port=port, baud=baud, features=features,
                                    check=check)
            p.port = check_port(port)
        err = missing_tool(p)
        if err is not None:
            raise err
    from wasmbed.build.driver import build

    say(f"building {p.board.name}")
    result = build(p.board.name, features)
    outcome.ran.append(p.of("build")[0])
    if result.firmware is None:
        bj = result.build_json
        raise WasmbedError(f"{p.board.name}: the build is {bj.get('status')}: no firmware to "
                           f"flash (missing: {bj.get('missing') or 'a linked firmware'})")
    if result.firmware.resolve() != p.firmware.resolve():  # pragma: no cover - one naming rule
        raise WasmbedError(f"{p.board.name}: the build made {result.firmware}, expected "
                           f"{p.firmware}")
    for step in p.of("image"):
        say(step.what)
        run_step(step)
        outcome.ran.append(step)
    if p.board.flash.method == "esptool" and p.board.baremetal:
        outcome.segments = check_esp_image(p.board, p.image, p.firmware)
    for _addr, path in _written_files(p):
        if not path.is_file():
            raise WasmbedError(f"{p.board.name}: {_rel(path)} was not produced by the build",
                               hint="the ESP-IDF images come from `idf.py build` of the "
                                    "generated component's project")
    if image_only:
        return outcome
    for step in p.of("write"):
        say(step.what)
        run_step(step, echo)
        outcome.ran.append(step)
    if check:
        say(p.of("check")[0].what)
        outcome.hello = check_agent(p, ready_timeout=ready_timeout)
    return outcome


def _written_files(p: Plan) -> list[tuple[str, Path]]:
    """The files a write step reads (esptool's <address> <file> pairs, else the image)."""
    if p.board.flash.method != "esptool":
        return [("", p.image)]
    argv = p.of("write")[0].argv
    at = argv.index("write-flash") + 1
    return [(argv[i], ROOT / argv[i + 1]) for i in range(at, len(argv) - 1, 2)]


def check_agent(p: Plan, *, ready_timeout: float = 15.0):  # -> wasmbed.run.protocol.Hello
    """Open the console, wait for the READY banner, HELLO; return the agent's answer."""
    from wasmbed.run.qemu import SerialTarget

    port = check_port(p.port)
    console_baud = (p.board.console or {}).get("baud") or 115200
    target = SerialTarget(p.board, port, baud=console_baud, ready_timeout=ready_timeout)
    try:
        client = target.start()
        return client.info
    finally:
        target.stop()
