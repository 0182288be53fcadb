"""Per-component optimisation levels of a build.

The runtime is compiled in groups; each group gets its own -O level:

    interp    the interpreter's hot loop (runtime_src/core/wb_interp.c)
    runtime   the rest of the runtime core and the pool allocator (loader, validator,
              instances, numerics, mem/)
    libc      libc-builtin (runtime_src/libc)
    agent     the agent (runtime_src/agent)
    port      the port (rendered bare-metal port, port/common, port/host)

A board descriptor may set them (`optimize: {default: -Os, interp: -O2}`); what it does
not set comes from BUILTIN: -O2 on hosted boards, and on bare-metal/xtensa boards -Os
for everything except the interpreter's hot loop, which is -O2 (docs/benchmarks.md,
"Optimisation per component", has the measurements behind this choice).

The `opt=` build argument picks a profile:

    board   the descriptor's levels over BUILTIN (the default)
    size    everything -Os and the small interpreter (WB_SMALL=1): the smallest build
            (SIZE_PROFILE: a few more flags for size where speed does not matter)
    speed   everything -O2

The `mini-loader` feature exists only to save flash; a build that selects it gets the
size profile unless `opt=` says otherwise (docs/benchmarks.md says why).

WB_SMALL (switch dispatch, no fused instructions) must be the same in every runtime
file: the compiler in wb_compile.c emits the fused instructions that wb_interp.c runs.
It follows the interpreter group's level and is passed to every runtime compile.
"""

from __future__ import annotations

from typing import Any, Mapping

from wasmbed.errors import WasmbedError

GROUPS = ("interp", "runtime", "libc", "agent", "port")
LEVELS = ("-O0", "-O1", "-O2", "-O3", "-Os", "-Oz", "-Og")
SMALL_LEVELS = ("-Os", "-Oz")
PROFILES = ("board", "size", "speed")

#: The interpreter's hot loop: the one file whose level sets the interpreter's speed.
INTERP_FILES = ("wb_interp.c", "wb_fast.c")  # wb_fast.c: the fast-interp executor

#: opt=size. Beyond -Os (measured on mps2-an386, runtime text of the classic configuration,
#: docs/benchmarks.md "Size of the classic configuration"): code that runs once per module
#: or per call (loader, validator, libc's printf) compares instead of using jump tables and
#: switch-to-table conversion; the small interpreter calls its float bit-cast and bit-count
#: helpers instead of inlining them at each of their uses.
SIZE_PROFILE = {
    "interp": "-Os -fno-inline",
    "runtime": "-Os -fno-jump-tables -fno-tree-switch-conversion",
    "libc": "-Os -fno-jump-tables -fno-tree-switch-conversion",
    "agent": "-Os",
    "port": "-Os",
}
#: Flags only gcc knows (clang warns about them): dropped for other compilers.
GCC_ONLY = ("-fno-tree-switch-conversion",)


def check_flags(value: str) -> list[str]:
    """The flags of one group's setting: an -O level, then -f/-m flags; else WasmbedError."""
    flags = value.split()
    if not flags or flags[0] not in LEVELS:
        raise WasmbedError(f"expected an optimisation level ({', '.join(LEVELS)}), optionally "
                           f"followed by -f/-m flags; got {value!r}")
    bad = [f for f in flags[1:] if not f.startswith(("-f", "-m"))]
    if bad:
        raise WasmbedError(f"only -f/-m code generation flags may follow the level; got "
                           f"{' '.join(bad)!r}")
    return flags


def builtin(size_first: bool) -> dict[str, str]:
    """The levels a board gets when its descriptor names none (size_first: bare metal)."""
    if size_first:
        return {"default": "-Os", "interp": "-O2"}
    return {"default": "-O2"}


def resolve(board_levels: Mapping[str, Any] | None, *, size_first: bool,
            profile: str) -> dict[str, str]:
    """-O level of every group for a release build."""
    if profile not in PROFILES:
        raise WasmbedError(f"opt={profile!r}: expected one of {', '.join(PROFILES)}")
    if profile == "size":
        return dict(SIZE_PROFILE)
    if profile == "speed":
        return {g: "-O2" for g in GROUPS}
    levels = dict(builtin(size_first))
    for key, value in (board_levels or {}).items():
        if value is not None:
            levels[key] = value
    default = levels.get("default", "-O2")
    return {g: levels.get(g) or default for g in GROUPS}


def default_profile(features: list[str], given: str | None) -> str:
    """The profile of a build: the `opt=` argument, else size for mini-loader builds."""
    if given:
        if given not in PROFILES:
            raise WasmbedError(f"opt={given!r}: expected one of {', '.join(PROFILES)}")
        return given
    return "size" if "mini-loader" in features else "board"


def group_of(rel_parts: tuple[str, ...]) -> str:
    """The group of a source file given its path parts under runtime_src/ (() = rendered)."""
    if not rel_parts:
        return "port"
    top = rel_parts[0]
    if top == "core":
        return "interp" if rel_parts[-1] in INTERP_FILES else "runtime"
    if top == "mem":
        return "runtime"
    if top in ("libc", "agent", "port"):
        return top
    return "port"


def flags(setting: str, family: str) -> list[str]:
    """The compiler flags of one group's setting for a toolchain family (gcc, clang, zig)."""
    return [f for f in setting.split() if family == "gcc" or f not in GCC_ONLY]


def small(levels: Mapping[str, str]) -> bool:
    """WB_SMALL for these levels: the small interpreter when its hot loop is built for size."""
    return levels["interp"].split()[0] in SMALL_LEVELS
