"""Render a board's generated sources into <variant>/gen/ with jinja2.

- gen/wb_config.h from templates/config/wb_config.h.j2 (every board);
- for bare-metal boards every top-level template (name not starting with `_`) of
  templates/linker, templates/startup and templates/port, to gen/<name without .j2>,
  and for every board gen/include/string.h (the four mem* declarations), put on the
  include path only for compiles without a C library;
- for boards whose platform has an `integration` dir, templates/integration/<dir>/**
  to gen/integration/<dir>/ (build-system glue made from the feature registry).

Context: `board`, `platform`, `features` (sorted keys), `macros` (name -> C text),
and for integration glue also `registry` (every Feature) and `sources` (runtime files).
Files are only written when their text changes, so a no-op rebuild stays a no-op.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import jinja2

from wasmbed import ROOT
from wasmbed.model import features as registry
from wasmbed.model import featuresel
from wasmbed.model.descriptors import Board, Platform
from wasmbed.errors import WasmbedError

TEMPLATES = ROOT / "templates"
BAREMETAL_DIRS = ("linker", "startup", "port")


@dataclass(frozen=True)
class Rendered:
    gen_dir: Path
    config_h: Path
    linker_script: Path | None
    sources: tuple[Path, ...]        # generated .c/.S to compile
    integration: tuple[Path, ...]    # generated build-system glue
    macros: dict[str, str]


def _env() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)),
                             undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
                             trim_blocks=False, lstrip_blocks=False)
    env.filters["hex"] = lambda v: v if isinstance(v, str) else f"0x{v:X}"
    env.filters["cident"] = lambda s: "".join(c if c.isalnum() else "_" for c in s).upper()
    env.filters["dirname"] = lambda s: str(s).rsplit("/", 1)[0] if "/" in str(s) else "."
    env.filters["basename"] = lambda s: str(s).rsplit("/", 1)[-1]
    return env


def _c_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _num(value: int) -> str:
    return f"0x{value:X}u" if value > 9 else f"{value}u"


def board_macros(board: Board, platform: Platform, keys: list[str],
                 heap_size: int | None = None) -> dict[str, str]:
    """Every macro of wb_config.h: the registry's switches plus the board's facts."""
    macros = dict(registry.config_macros(list(keys)))
    macros["WB_FEATURES_STRING"] = _c_string(",".join(sorted(keys)))
    pkey = registry.platform_key(platform.name)
    if pkey and registry.FEATURES[pkey].switch:
        macros[registry.FEATURES[pkey].switch] = "1"  # the board's own platform
    macros["WB_GLOBAL_HEAP_SIZE"] = f"{heap_size if heap_size is not None else board.heap_size}u"
    macros["WB_PORT_HAS_MALLOC"] = "1" if platform.has_malloc else "0"
    # the wb_port.h thread calls: POSIX threads in the host port (port_host_thread.c),
    # NuttX's pthreads and RIOT's threads in theirs
    macros["WB_PORT_HAS_THREADS"] = "1" if featuresel.port_has_threads(platform) else "0"
    macros["WB_BOARD_NAME"] = _c_string(board.name)
    macros["WB_BOARD_TRIPLE"] = _c_string(board.triple)
    macros["WB_BOARD_ARCH"] = _c_string(board.arch)
    macros["WB_BIG_ENDIAN"] = "1" if board.endian == "big" else "0"
    macros["WB_PLATFORM_BAREMETAL"] = "1" if platform.kind == "baremetal" else "0"
    for prefix, section in (("WB_CONSOLE", board.console), ("WB_TIMER", board.timer)):
        if not section:
            continue
        for key, value in section.items():
            name = f"{prefix}_{key.upper()}"
            if isinstance(value, bool):
                macros[name] = "1" if value else "0"
            elif isinstance(value, int):
                macros[name] = _num(value)
            elif isinstance(value, str):
                macros[name] = _c_string(value)
    if board.stack_size:
        macros["WB_STACK_SIZE"] = f"{board.stack_size}u"
    if board.app_store:   # the A/B app store's region (runtime_src/store, agent/store_cmd.c)
        store = board.app_store
        for key in ("origin", "offset", "length", "sector"):
            if store[key] is not None:
                macros[f"WB_APP_STORE_{key.upper()}"] = _num(store[key])
        macros["WB_APP_STORE_DRIVER_" + store.driver.upper().replace("-", "_")] = "1"
    return macros


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
    return path


def _render(env: jinja2.Environment, name: str, context: dict[str, Any]) -> str:
    try:
        return env.get_template(name).render(**context)
    except jinja2.TemplateError as err:
        line = getattr(err, "lineno", None)
        where = f"templates/{getattr(err, 'name', None) or name}" + (f":{line}" if line else "")
        raise WasmbedError(f"{where}: cannot render for board {context['board'].name}: "
                           f"{err}") from None


def _top_level(directory: Path) -> Iterable[Path]:
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.rglob("*.j2") if not p.name.startswith("_")
                  and not any(part.startswith("_") for part in p.relative_to(directory).parts))


def freestanding_include(include_dir: Path, board_name: str) -> Path:
    """<string.h> for compiles without a C library (bare metal, an OS whose SDK is missing,
    the size build): the four mem* functions of runtime_src/port/common/mem.c. Returns the
    directory to put first on the include path."""
    text = _render(_env(), "config/string.h.j2", {"board": {"name": board_name}})
    _write(include_dir / "string.h", text)
    return include_dir


def render(board: Board, platform: Platform, keys: list[str], gen_dir: Path, *,
           heap_size: int | None = None, runtime_sources: Iterable[str] = ()) -> Rendered:
    """Render everything this board needs into gen_dir; returns what was made."""
    macros = board_macros(board, platform, keys, heap_size)
    env = _env()
    context: dict[str, Any] = {"board": board, "platform": platform,
                               "features": sorted(keys), "macros": macros}
    gen_dir.mkdir(parents=True, exist_ok=True)
    config_h = _write(gen_dir / "wb_config.h", _render(env, "config/wb_config.h.j2", context))
    sources: list[Path] = []
    linker: Path | None = None
    freestanding_include(gen_dir / "include", board.name)
    if platform.kind == "baremetal":
        if not board.memory:
            raise WasmbedError(f"{board.path}: board {board.name} is bare metal but has no "
                               "`memory` regions for its linker script")
        for sub in BAREMETAL_DIRS:
            for tpl in _top_level(TEMPLATES / sub):
                rel = tpl.relative_to(TEMPLATES).as_posix()
                out = _write(gen_dir / tpl.name[:-3], _render(env, rel, context))
                if out.suffix in (".c", ".S"):
                    sources.append(out)
                elif out.suffix == ".ld":
                    linker = out
        if linker is None:
            raise WasmbedError(f"board {board.name}: templates/linker/ has no linker script "
                               "template (link.ld.j2)")
    glue: list[Path] = []
    if platform.integration:
        idir = TEMPLATES / "integration" / platform.integration
        if not idir.is_dir():
            raise WasmbedError(f"{platform.path}: integration {platform.integration!r} has no "
                               f"templates (expected {idir})")
        selectable = [f for f in registry.FEATURES.values() if f.switch and f.selectable
                      and f.category != "Portability"]
        pkey = registry.platform_key(platform.name)
        gctx = dict(context, registry=selectable, root=str(ROOT),
                    platform_switch=registry.FEATURES[pkey].switch if pkey else None,
                    sources=sorted(runtime_sources))
        for tpl in _top_level(idir):
            rel = tpl.relative_to(idir)
            out = gen_dir / "integration" / platform.integration / str(rel)[:-3]
            glue.append(_write(out, _render(env, tpl.relative_to(TEMPLATES).as_posix(), gctx)))
    return Rendered(gen_dir=gen_dir, config_h=config_h, linker_script=linker,
                    sources=tuple(sources), integration=tuple(glue), macros=macros)


def parse_linker_memory(text: str) -> list[tuple[str, str, int, int]]:
    """(name, attrs, origin, length) of a rendered linker script's MEMORY block."""
    import re

    block = re.search(r"MEMORY\s*\{(.*?)\}", text, re.S)
    if not block:
        return []
    out = []
    for m in re.finditer(r"(\w+)\s*\((\w+)\)\s*:\s*ORIGIN\s*=\s*(0x[0-9A-Fa-f]+|\d+)\s*,\s*"
                         r"LENGTH\s*=\s*(0x[0-9A-Fa-f]+|\d+)", block.group(1)):
        out.append((m.group(1), m.group(2), int(m.group(3), 0), int(m.group(4), 0)))
    return out
