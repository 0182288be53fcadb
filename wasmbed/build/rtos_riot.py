"""RIOT: the agent built by RIOT's own make from the glue rendered into gen/integration/riot.

The rendered tree is what a RIOT user would keep in their project:

    gen/integration/riot/modules/wasmbed/        external module: the runtime (Makefile.base)
    gen/integration/riot/modules/wasmbed_port/   external module: wb_port.h on RIOT's stdio,
                                                 ztimer64 and malloc (runtime_src/port/riot)
    gen/integration/riot/modules/wasmbed_agent/  external module: the agent's main()
    gen/integration/riot/app/Makefile            the application (EXTERNAL_MODULE_DIRS, BOARD)

`make -C app BOARD=<sdk_board> RIOTBASE=<tree> BINDIRBASE=<variant>/riot-bin` builds it; the
ELF is the firmware. The SCons graph only runs that make (its log in <variant>/riot-build.log)
and measures the result into build.json.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from wasmbed.build import rtos_report
from wasmbed.errors import WasmbedError
from wasmbed.build.sdk import SdkError, run_logged

APPLICATION = "wasmbed_agent"
#: RIOT module directory -> size-report component (the runtime's own files keep their names)
MODULES = ("wasmbed", "wasmbed_port", "wasmbed_agent")


def glue_dir(variant: Path) -> Path:
    return variant / "gen" / "integration" / "riot"


def bin_dir(variant: Path) -> Path:
    return variant / "riot-bin"


def firmware_path(variant: Path, riot_board: str) -> Path:
    return bin_dir(variant) / riot_board / f"{APPLICATION}.elf"


def log_path(variant: Path) -> Path:
    return variant / "riot-build.log"


def make_command(riot_board: str, riotbase: Path, variant: Path, jobs: int = 2,
                 mode: str = "release") -> list[str]:
    # release: RIOT's own optimisation (-Os); debug: RIOT's DEVELHELP checks, -Og
    debug = ["DEVELHELP=1", "CFLAGS_OPT=-Og"] if mode == "debug" else []
    return ["make", "-C", str(glue_dir(variant) / "app"), f"-j{jobs}", f"BOARD={riot_board}",
            *debug,
            f"RIOTBASE={riotbase}", f"BINDIRBASE={bin_dir(variant)}",
            # a package RIOT would fetch lands here, never in the user's tree
            f"PKGDIRBASE={variant / 'riot-pkg'}", "QUIET=1"]


def make_env() -> dict[str, str]:
    """The environment for RIOT's make: ours minus what would leak into its flags."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "CFLAGS", "LDFLAGS", "CPPFLAGS",
                        "BOARD", "EXTERNAL_MODULE_DIRS", "BINDIRBASE", "PKGDIRBASE")}
    env.setdefault("LC_ALL", "C")
    return env


def module_objects(variant: Path, riot_board: str, module: str) -> list[Path]:
    return sorted((bin_dir(variant) / riot_board / module).rglob("*.o"))


def component(module: str, obj: Path) -> str:
    if module == "wasmbed_port":
        return "port"
    if module == "wasmbed_agent":
        return "agent"
    stem = obj.stem[3:] if obj.stem.startswith("wb_") else obj.stem
    if obj.stem.startswith("libc_"):
        return "libc"
    if stem == "pool":
        return "mem"
    return {"compile": "validate+compile", "numeric": "numerics"}.get(stem, stem)


def measure(info: dict[str, Any], size_tool: tuple[str, ...]) -> dict[str, Any]:
    """build.json for a RIOT build: the whole image and the runtime's share of it."""
    variant = Path(info["variant"])
    riot_board = info["sdk_board"]
    per_module = {m: module_objects(variant, riot_board, m) for m in MODULES}
    comps = {f: component(m, f) for m, paths in per_module.items() for f in paths}
    return rtos_report.measure(info, size_tool, per_module["wasmbed"], comps)


def graph(env: Any, p: Any, rendered: Any) -> list[Any]:
    """SCons targets of a RIOT build: RIOT's make, then build.json. `p` is a sconsbuild.Plan
    with an sdk_tree."""
    from SCons.Action import Action  # type: ignore[import-not-found]

    board = p.board
    if not board.sdk_board:
        raise WasmbedError(f"{board.path}: board {board.name} (platform riot) needs "
                           "`sdk_board:` (RIOT's BOARD name, e.g. native64)")
    tree = p.sdk_tree
    variant = p.variant
    fw = firmware_path(variant, board.sdk_board)
    cmd = make_command(board.sdk_board, tree.root, variant, mode=p.mode)
    log = log_path(variant)

    def step() -> float:
        log.write_text("")
        seconds = run_logged(cmd, cwd=glue_dir(variant) / "app", log=log,
                             what=f"RIOT build of {board.name} (BOARD={board.sdk_board})",
                             env=make_env(), timeout=1800)
        if not fw.is_file():
            raise SdkError(f"RIOT's make finished but left no {fw} (log: {log})")
        return seconds

    run_make = rtos_report.make_action(board.name, f"RIOT make ({tree.describe()})", step)
    make = env.Command(str(fw), [str(f) for f in rendered.integration],
                       Action(run_make, f"make   {board.sdk_board} (RIOT)"))
    env.AlwaysBuild(make)  # RIOT's make knows what changed: always ask it
    tc = p.toolchain
    info = rtos_report.build_info(p, fw, f"RIOT make ({tc.name})", {
        "board": board.sdk_board, "log": str(log)})
    info["sdk_board"] = board.sdk_board
    size_tool = tuple(tc.size)

    bj = rtos_report.json_node(env, variant, make, board.name,
                               lambda: measure(info, size_tool))
    return [make, bj]
