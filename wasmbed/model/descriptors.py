"""Board and platform descriptors: YAML files checked by a schema, layered lookup.

Boards live in boards/<name>.yaml, platforms in platforms/<name>.yaml. A board
directory given with --boards-dir or WASMBED_BOARDS_PATH (os.pathsep-separated)
is searched before the built-in one; platforms likewise with
WASMBED_PLATFORMS_PATH. This module knows no SCons and no CLI.
"""

from __future__ import annotations

import difflib
import os
import re
import shutil
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Sequence

from wasmbed import ROOT
from wasmbed.errors import WasmbedError
from wasmbed.model.optimize import GROUPS as OPT_GROUPS
from wasmbed.model.optimize import check_flags as check_opt_flags
from wasmbed.model.schema import (F, Bool, DescriptorError, Enum, Int, List, Map, Nullable,
                            Number, OneOf, Str, compose, fail)

ARCHES = ("riscv64", "riscv32", "arm", "aarch64", "mips", "mips64", "i386", "x86_64",
          "xtensa", "arc", "s390x")
CONSOLE_DRIVERS = ("ns16550", "ns16550-io", "cmsdk-uart", "pl011", "host-stdio", "esp32-uart",
                   "stm32-usart")
TIMER_DRIVERS = ("clint-mtime", "systick", "cmsdk-timer", "generic-timer", "mips-count", "tsc",
                 "host", "esp32-systimer", "xtensa-ccount")


class Section(dict):
    """A checked descriptor section: a dict whose keys also read as attributes."""

    def __getattr__(self, key: str) -> Any:
        try:
            return self[key]
        except KeyError:
            raise AttributeError(key) from None


def _section(value: Any) -> Any:
    if isinstance(value, dict):
        return Section({k: _section(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(_section(v) for v in value)
    return value


_MEMORY = Map({
    "name": F(Str(), required=True),
    "origin": F(Int(), required=True),
    "length": F(Int(minimum=1, size=True), required=True),
    "attrs": F(Enum("rx", "rwx", "rw", "r"), required=True),
})

_CONSOLE = Map({
    "driver": F(Enum(*CONSOLE_DRIVERS), required=True),
    "base": F(Nullable(Int())),
    "clock": F(Nullable(Int())),
    "baud": F(Nullable(Int())),
    "reg_shift": F(Int(), default=0),
}, open=True)

_TIMER = Map({
    "driver": F(Enum(*TIMER_DRIVERS), required=True),
    "base": F(Nullable(Int())),
    "hz": F(Nullable(Int(minimum=1))),
}, open=True)

_QEMU = Map({
    "binary": F(Str(), required=True),
    "machine": F(Str(), required=True),
    "cpu": F(Nullable(Str())),
    "memory": F(Nullable(Str())),
    "args": F(List(Str()), default_factory=list),
    "poweroff": F(Map({"method": F(Str(), required=True)}, open=True),
                  default_factory=lambda: {"method": "none"}),
    "timeout_factor": F(Number(), default=1.0),
}, open=False)

RUNNERS = ("process", "qemu", "serial", "qemu-user", "wine")

#: `runner: {kind: qemu-user, binary: qemu-s390x}`: the firmware is a process started
#: through `binary` (QEMU user-mode emulation, Wine) on its stdio; `package` names what
#: provides the binary, `timeout_factor` scales every timeout (emulation is slower).
_RUNNER = Map({
    "kind": F(Enum(*RUNNERS), required=True),
    "binary": F(Nullable(Str())),
    "args": F(List(Str()), default_factory=list),
    "package": F(Nullable(Str())),
    "timeout_factor": F(Number(), default=1.0),
})

FLASH_METHODS = ("none", "qemu-only", "esptool", "stm32-uart", "serial-bootloader", "openocd",
                 "pyocd")

_FLASH = Map({
    "method": F(Enum(*FLASH_METHODS), required=True),
    "chip": F(Nullable(Str())),
    "offsets": F(Map({}, open=True), default_factory=dict),
    "baud": F(Nullable(Int())),
    "image": F(Enum("elf", "bin", "hex"), default="elf"),
    "flash_mode": F(Nullable(Enum("qio", "qout", "dio", "dout"))),   # esptool image header
    "flash_size": F(Nullable(Str())),                                # esptool image header
    "command": F(List(Str()), default_factory=list),  # {image} {elf} {port} {baud} {offset}
    "package": F(Nullable(Str())),                    # what provides command[0]
    # the serial control line wired to the chip's reset (ESP devkits: RTS -> EN) and to its
    # boot-mode pin (ESP: DTR -> IO0; STM32: BOOT0); asserted = held in reset / boot mode
    "reset": F(Nullable(Enum("rts", "dtr"))),
    "boot": F(Nullable(Enum("rts", "dtr"))),
})

#: `usb: [{vid: 0x303a, pid: 0x1001, serial: "^[0-9A-F:]+$"}]`: the USB ids of the board's
#: serial interface (its own USB device or the USB-UART bridge on the devkit), and optionally
#: a regular expression its serial number must match (`wasmbed devices`, `--port auto`).
_USB = Map({
    "vid": F(Int(), required=True),
    "pid": F(Int(), required=True),
    "serial": F(Nullable(Str())),
    "what": F(Nullable(Str())),          # shown to people: "Espressif USB-Serial/JTAG"
})

#: `app_store: {driver: cfi-01, origin: 0x20040000, offset: 0x40000, length: 512K,
#: sector: 256K}`: the flash region of the A/B app store (docs/appstore.md): `offset` in the
#: flash device (its image file, esptool's address), `origin` where the CPU reads it (memory
#: mapped NOR; null when the flash is not mapped), two slots in `length`, erased in
#: `sector`-byte blocks; `driver` names the firmware's erase/program code.
APP_STORE_DRIVERS = ("cfi-01", "esp32-spi")
#: drivers the firmware has erase/program code for (runtime_src/store)
APP_STORE_BUILT = ("cfi-01",)

_APP_STORE = Map({
    "driver": F(Enum(*APP_STORE_DRIVERS), required=True),
    "origin": F(Nullable(Int())),
    "offset": F(Int(), required=True),
    "length": F(Int(minimum=1, size=True), required=True),
    "sector": F(Int(minimum=1, size=True), required=True),
})

_TOOLCHAIN = Map({
    "family": F(Enum("gcc", "zig", "clang", "host"), required=True),
    "prefix": F(Nullable(Str())),
    "target": F(Nullable(Str())),
    "cc": F(Nullable(Str())),
    "cflags": F(List(Str()), default_factory=list),
    "ldflags": F(List(Str()), default_factory=list),
    "linker": F(Nullable(Str())),
    # clang target features of the board's core (Xtensa: +windowed, +mul32, ...)
    "features": F(List(Str()), default_factory=list),
    "package": F(Nullable(Str())),
    # float helpers for soft-float cores: the compiler's own library, or ours
    # (runtime_src/port/softfp/wb_softfp.c: IEEE subnormal quotients, quiet NaNs)
    # linked before it
    "softfp": F(Enum("compiler", "own"), default="compiler"),
})

class _OptFlags(Str):
    """An -O level, optionally followed by -f/-m code generation flags ("-O2 -fno-gcse")."""

    def check(self, node: Any, path: str, source: str) -> Any:
        value = super().check(node, path, source)
        try:
            check_opt_flags(value)
        except WasmbedError as err:
            raise fail(source, node, path, err.message) from None
        return value

    def describe(self) -> str:
        return "-O level [flags]"


#: Per-component -O levels (wasmbed.model.optimize): `optimize: {default: -Os, interp: -O2}`.
_OPTIMIZE = Map({key: F(Nullable(_OptFlags())) for key in ("default", *OPT_GROUPS)})

BOARD_SCHEMA = Map({
    "name": F(Str(), required=True),
    "description": F(Str(), required=True),
    "tier": F(Enum("A", "B", "C"), required=True),
    "triple": F(Str(), required=True),
    "arch": F(Enum(*ARCHES), required=True),
    "cpu_flags": F(List(Str()), default_factory=list),
    "endian": F(Enum("little", "big"), required=True),
    "platform": F(Str(), required=True),
    "features": F(List(Str()), required=True),
    "heap_size": F(Int(minimum=1, size=True), required=True),
    "stack_size": F(Nullable(Int(minimum=1, size=True))),
    "memory": F(List(_MEMORY), default_factory=list),
    "console": F(Nullable(_CONSOLE)),
    "timer": F(Nullable(_TIMER)),
    "qemu": F(Nullable(_QEMU)),
    "flash": F(_FLASH, default_factory=lambda: {"method": "none", "chip": None, "offsets": {},
                                                "baud": None, "image": "elf", "flash_mode": None,
                                                "flash_size": None, "command": [],
                                                "package": None, "reset": None,
                                                "boot": None}),
    "toolchain": F(Nullable(_TOOLCHAIN)),
    "optimize": F(Nullable(_OPTIMIZE)),
    "status": F(Str(), default=""),
    # defects a user must know before relying on the board: shown by `wasmbed boards`,
    # `wasmbed flash --dry-run` and before flashing
    "known_issues": F(List(Str()), default_factory=list),
    # the RTOS's own name for the board (RIOT's BOARD=), when the platform builds with its SDK
    "sdk_board": F(Nullable(Str())),
    # Kconfig options over the RTOS's board configuration (NuttX: {DEVICE_TREE: n, ...})
    "sdk_config": F(Map({}, open=True), default_factory=dict),
    # how the firmware is run: process (a host process on stdio), qemu, serial (default:
    # qemu when the board has a qemu: section, else serial)
    "runner": F(Nullable(OneOf(Enum(*RUNNERS), _RUNNER))),
    "usb": F(List(_USB), default_factory=list),
    "app_store": F(Nullable(_APP_STORE)),
})

_SDK = Map({
    "name": F(Str(), required=True),
    "env": F(Nullable(Str())),
    "path": F(Nullable(Str())),
    "command": F(Nullable(Str())),
    "install": F(Str(), required=True),
    "surrogate": F(Nullable(Str())),
    "missing": F(Str(), required=True),
    # what proves a tree is this RTOS (wasmbed/build/sdk.py): files relative to the tree
    "markers": F(List(Str()), default_factory=list),
    "companions": F(List(Map({
        "name": F(Str(), required=True),
        "env": F(Nullable(Str())),
        "beside": F(Nullable(Str())),
        "markers": F(List(Str()), default_factory=list),
    })), default_factory=list),
    "commit_env": F(Nullable(Str())),
})

PLATFORM_SCHEMA = Map({
    "name": F(Str(), required=True),
    "description": F(Str(), required=True),
    "kind": F(Enum("baremetal", "posix", "rtos"), required=True),
    "port": F(Enum("baremetal", "host", "none"), required=True),
    "libc": F(Str(), required=True),
    "capabilities": F(Map({
        "threads": F(Bool(), required=True),
        "mmap": F(Bool(), required=True),
        "filesystem": F(Bool(), required=True),
        "sockets": F(Bool(), required=True),
    }), required=True),
    "has_malloc": F(Bool(), required=True),
    "integration": F(Nullable(Str()), required=True),
    "sdk": F(Nullable(_SDK), required=True),
    "status": F(Str(), required=True),
})


@dataclass(frozen=True)
class MemoryRegion:
    name: str
    origin: int
    length: int
    attrs: str

    @property
    def end(self) -> int:
        return self.origin + self.length


@dataclass(frozen=True)
class Platform:
    name: str
    description: str
    kind: str                 # baremetal | posix | rtos
    port: str                 # baremetal (rendered templates) | host (runtime_src/port/host) | none
    libc: str
    capabilities: Section
    has_malloc: bool
    integration: str | None   # templates/integration/<dir> or None
    sdk: Section | None       # what an OS build needs; None when nothing beyond the compiler
    status: str
    path: Path

    def sdk_available(self) -> bool:
        """True when the platform needs no SDK or its SDK is found on this machine."""
        sdk = self.sdk
        if sdk is None:
            return True
        if sdk.markers:  # a source tree checked by its marker files (wasmbed/build/sdk.py)
            from wasmbed.build import sdk as sdks
            try:
                return sdks.find(self) is not None
            except WasmbedError:
                return False
        if sdk.env and os.environ.get(sdk.env) and Path(os.environ[sdk.env]).exists():
            return True
        if sdk.path and Path(os.path.expanduser(sdk.path)).exists():
            return True
        if sdk.command and shutil.which(sdk.command):
            return True
        return False


@dataclass(frozen=True)
class Board:
    name: str
    description: str
    tier: str
    triple: str
    arch: str
    cpu_flags: tuple[str, ...]
    endian: str
    platform: str
    features: tuple[str, ...]
    heap_size: int
    stack_size: int | None
    memory: tuple[MemoryRegion, ...]
    console: Section | None
    timer: Section | None
    qemu: Section | None
    flash: Section
    toolchain: Section | None
    status: str
    path: Path
    optimize: Section | None = None   # per-component -O levels (wasmbed.model.optimize)
    known_issues: tuple[str, ...] = ()  # `known_issues:` of the descriptor
    sdk_board: str | None = None      # the RTOS's board name (RIOT BOARD=)
    sdk_config: Section = field(default_factory=Section)  # Kconfig options over the RTOS board config
    runner: str | None = None         # process | qemu | serial | qemu-user | wine (None: from qemu:)
    # the map form of `runner:` (binary, args, package, timeout_factor); None for a bare kind
    runner_spec: Section | None = None
    usb: tuple[Section, ...] = ()     # `usb:` ids of its serial interface (wasmbed.build.devices)
    app_store: Section | None = None  # `app_store:` flash region of the A/B app store

    def runner_command(self) -> tuple[str, ...]:
        """What the firmware path is appended to: () for a plain process, else the binary
        (qemu-s390x, wine) and its arguments."""
        spec = self.runner_spec or {}
        binary = spec.get("binary")
        return (binary, *spec.get("args", ())) if binary else ()

    @property
    def baremetal(self) -> bool:
        return bool(self.memory)

    def flash_region(self) -> MemoryRegion | None:
        """Where code lives: the first executable region (as the linker script does)."""
        return next((r for r in self.memory if "x" in r.attrs), None)

    def ram_region(self) -> MemoryRegion | None:
        """Where data lives: the first writable, non-executable region other than `heap` (the
        global heap pool's), else the code region: the linker script's rule."""
        ram = next((r for r in self.memory if "w" in r.attrs and "x" not in r.attrs
                    and r.name != "heap"), None)
        return ram or self.flash_region()


# ---- search path ---------------------------------------------------------------------------

def _dirs(env: str, builtin: Path, extra: Sequence[Path | str] | None) -> list[Path]:
    out = [Path(p) for p in (extra or [])]
    out += [Path(p) for p in os.environ.get(env, "").split(os.pathsep) if p]
    out.append(builtin)
    return out


def prepend_boards_path(dirs: Sequence[Path | str] | None) -> None:
    """Put `--boards-dir` directories first in WASMBED_BOARDS_PATH (seen by SCons too)."""
    if not dirs:
        return
    old = [p for p in os.environ.get("WASMBED_BOARDS_PATH", "").split(os.pathsep) if p]
    os.environ["WASMBED_BOARDS_PATH"] = os.pathsep.join(
        [str(Path(d).resolve()) for d in dirs] + old)


def board_dirs(extra: Sequence[Path | str] | None = None) -> list[Path]:
    return _dirs("WASMBED_BOARDS_PATH", ROOT / "boards", extra)


def platform_dirs(extra: Sequence[Path | str] | None = None) -> list[Path]:
    return _dirs("WASMBED_PLATFORMS_PATH", ROOT / "platforms", extra)


def _names(dirs: Iterable[Path]) -> list[str]:
    names: set[str] = set()
    for d in dirs:
        if d.is_dir():
            names.update(p.stem for p in d.glob("*.yaml"))
    return sorted(names)


def _find(kind: str, name: str, dirs: list[Path]) -> Path:
    for d in dirs:
        candidate = d / f"{name}.yaml"
        if candidate.is_file():
            return candidate
    known = _names(dirs)
    near = difflib.get_close_matches(name, known, n=3, cutoff=0.5)
    hint = f"did you mean {', '.join(near)}?" if near else f"known {kind}s: {', '.join(known)}"
    where = ", ".join(str(d) for d in dirs)
    raise WasmbedError(f"unknown {kind} {name!r} (searched {where})", hint=hint)


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


# ---- loading -------------------------------------------------------------------------------

def _runner_kind(value: Any) -> str | None:
    return value.get("kind") if isinstance(value, dict) else value


def _check_usb(shown: str, node: Any, usb: list[dict]) -> None:
    """USB ids are 16-bit; a serial pattern must be a regular expression."""
    if not usb:
        return
    items = next(v for k, v in node.value if k.value == "usb").value
    for i, (entry, item) in enumerate(zip(usb, items)):
        for key in ("vid", "pid"):
            if entry[key] > 0xFFFF:
                raise fail(shown, item, f"usb[{i}].{key}",
                           f"{entry[key]:#x} is not a 16-bit USB id (0x0000..0xffff)")
        if entry["serial"] is not None:
            try:
                re.compile(entry["serial"])
            except re.error as err:
                raise fail(shown, item, f"usb[{i}].serial",
                           f"not a regular expression: {err}") from None


def _check_app_store(shown: str, node: Any, store: dict | None) -> None:
    """Two whole slots of whole sectors, sector-aligned; a mapped driver needs `origin`."""
    if store is None:
        return
    item = next(v for k, v in node.value if k.value == "app_store")
    fields = {k.value: v for k, v in item.value} if hasattr(item, "value") else {}

    def at(key: str) -> Any:
        return fields.get(key, item)

    sector, length = store["sector"], store["length"]
    if length % (2 * sector):
        raise fail(shown, at("length"), "app_store.length",
                   f"{length:#x} is not two slots of whole {sector:#x}-byte sectors "
                   f"(a multiple of {2 * sector:#x})")
    for key in ("offset", "origin"):
        if store[key] is not None and store[key] % sector:
            raise fail(shown, at(key), f"app_store.{key}",
                       f"{store[key]:#x} is not aligned to the {sector:#x}-byte sector")
    if store["driver"] == "cfi-01" and store["origin"] is None:
        raise fail(shown, item, "app_store.origin",
                   "missing: the cfi-01 driver reads the store where the flash is mapped")


@lru_cache(maxsize=None)
def load_board_file(path: Path) -> Board:
    shown = _shown(path)
    node = compose(path, shown)
    data = BOARD_SCHEMA.check(node, "", shown)
    if data["name"] != path.stem:
        name_node = next(v for k, v in node.value if k.value == "name")
        raise fail(shown, name_node, "name",
                   f"is {data['name']!r} but the file is {path.name}; they must agree")
    memory = tuple(MemoryRegion(**m) for m in data["memory"])
    names = [m.name for m in memory]
    if len(set(names)) != len(names):
        raise fail(shown, node, "memory", f"region names repeat: {names}")
    if memory and not any("x" in m.attrs for m in memory):
        raise fail(shown, node, "memory", "no executable (x) region to hold the code")
    _check_usb(shown, node, data["usb"])
    _check_app_store(shown, node, data["app_store"])
    return Board(
        name=data["name"], description=data["description"], tier=data["tier"],
        triple=data["triple"], arch=data["arch"], cpu_flags=tuple(data["cpu_flags"]),
        endian=data["endian"], platform=data["platform"], features=tuple(data["features"]),
        heap_size=data["heap_size"], stack_size=data["stack_size"], memory=memory,
        console=_section(data["console"]), timer=_section(data["timer"]),
        qemu=_section(data["qemu"]), flash=_section(data["flash"]),
        toolchain=_section(data["toolchain"]), status=data["status"], path=path,
        known_issues=tuple(data["known_issues"]),
        optimize=_section(data["optimize"]),
        sdk_board=data["sdk_board"], runner=_runner_kind(data["runner"]),
        runner_spec=_section(data["runner"]) if isinstance(data["runner"], dict) else None,
        sdk_config=_section(data["sdk_config"]), usb=_section(data["usb"]),
        app_store=_section(data["app_store"]))


@lru_cache(maxsize=None)
def load_platform_file(path: Path) -> Platform:
    shown = _shown(path)
    node = compose(path, shown)
    data = PLATFORM_SCHEMA.check(node, "", shown)
    if data["name"] != path.stem:
        raise DescriptorError(f"{shown}:1: name: is {data['name']!r} but the file is {path.name}")
    return Platform(
        name=data["name"], description=data["description"], kind=data["kind"],
        port=data["port"], libc=data["libc"], capabilities=_section(data["capabilities"]),
        has_malloc=data["has_malloc"], integration=data["integration"],
        sdk=_section(data["sdk"]), status=data["status"], path=path)


def load_board(name: str, boards_dir: Sequence[Path | str] | None = None) -> Board:
    """The board `name` from the first board directory that has it."""
    board = load_board_file(_find("board", name, board_dirs(boards_dir)).resolve())
    try:
        load_platform(board.platform)  # fail early on a board naming an unknown platform
    except DescriptorError:
        raise
    except WasmbedError as err:
        lines = board.path.read_text(encoding="utf-8").splitlines()
        line = next((i + 1 for i, t in enumerate(lines) if t.startswith("platform:")), 1)
        raise DescriptorError(f"{_shown(board.path)}:{line}: platform: {err.message}",
                              hint=err.hint) from None
    return board


def load_platform(name: str, platforms_dir: Sequence[Path | str] | None = None) -> Platform:
    return load_platform_file(_find("platform", name, platform_dirs(platforms_dir)).resolve())


def board_names(boards_dir: Sequence[Path | str] | None = None) -> list[str]:
    return _names(board_dirs(boards_dir))


def platform_names(platforms_dir: Sequence[Path | str] | None = None) -> list[str]:
    return _names(platform_dirs(platforms_dir))


def all_boards(boards_dir: Sequence[Path | str] | None = None) -> list[Board]:
    return [load_board(n, boards_dir) for n in board_names(boards_dir)]


def platform_of(board: Board) -> Platform:
    return load_platform(board.platform)
