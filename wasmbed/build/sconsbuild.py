"""The SCons side of a build: plain functions that take the construction environment.

SConstruct calls `main(env, ARGUMENTS, ...)`. Arguments:

    board=NAME features=a,b heap_size=N mode=release|debug|sanitize build_dir=DIR
    toolchain=gcc|zig|clang|host|zig:<target>|gcc:<prefix> sdk=PATH
opt=board|size|speed picks the -O level per component (wasmbed/model/optimize.py): the board's
`optimize:` levels (default), size (everything -Os, small interpreter) or speed (all -O2).

Outputs in the variant dir (build/<board>/ for the board's default features,
build/<board>-<hash>/ otherwise): gen/ (rendered), obj/, libwasmbed.a, firmware.elf
(+ .bin/.hex for boards that flash raw images), firmware.map, compile_commands.json and
build.json. For an OS whose SDK is not here the CPU part and port are compiled against
what is available and build.json says "built-without-sdk" with what is missing.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from wasmbed import ROOT
from wasmbed.model import features as registry
from wasmbed.model import optimize
from wasmbed.build import render
from wasmbed.build import sizes
from wasmbed.model import toolchains
from wasmbed.model.descriptors import Board, Platform, board_names, load_board, platform_of
from wasmbed.errors import WasmbedError
from wasmbed.build.sdk import SdkTree
from wasmbed.build.sdk import find as find_sdk
from wasmbed.model.toolchains import Toolchain

SRC = ROOT / "runtime_src"
MODES = ("release", "debug", "sanitize")
INCLUDE_DIRS = ("include", "port", "core", "mem", "libc", "agent", "store")
WARNINGS = ("-std=c11", "-Wall", "-Wextra")


@dataclass(frozen=True)
class Options:
    board: str
    features: list[str] | None = None
    heap_size: int | None = None
    mode: str = "release"
    build_dir: str | None = None
    toolchain: str | None = None
    verbose: bool = False
    werror: bool = False          # werror=1: warnings fail the build (matrix, CI)
    opt: str | None = None        # board | size | speed (None: see optimize.default_profile)
    sdk: str | None = None        # sdk=PATH: the RTOS tree, over the platform's variable
    app: str | None = None        # app=X.wasm: compiled ahead of time and linked in (aot)


@dataclass
class Plan:
    """Everything decided before SCons sees a node."""

    board: Board
    platform: Platform
    keys: list[str]
    mode: str
    heap_size: int
    variant: Path
    toolchain: Toolchain          # compiles the CPU part (runtime, agent)
    port_toolchain: Toolchain     # compiles the port (a surrogate when the SDK is missing)
    with_sdk: bool                # False: "built-without-sdk"
    missing: str                  # what is missing for a real image ("" when nothing)
    notes: list[str] = field(default_factory=list)
    verbose: bool = False
    werror: bool = False          # werror=1: warnings fail the build (matrix, CI)
    profile: str = "board"        # the opt= profile
    levels: dict[str, str] = field(default_factory=dict)  # group -> -O level (release)
    sdk_tree: SdkTree | None = None   # the RTOS tree found (wasmbed/build/sdk.py), if any
    app: Path | None = None       # app=: statically linked AOT application


# ---- options and the variant directory ---------------------------------------------------

def _int(text: str, what: str) -> int:
    try:
        value = int(text, 0)
    except ValueError:
        units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
        if text[-1:].upper() in units and text[:-1].isdigit():
            return int(text[:-1]) * units[text[-1:].upper()]
        raise WasmbedError(f"{what}={text!r}: expected a number of bytes (e.g. 65536 or 64K)")
    if value <= 0:
        raise WasmbedError(f"{what}={text!r}: must be positive")
    return value


def parse_arguments(arguments: dict[str, str]) -> Options:
    known = {"opt", "board", "features", "heap_size", "mode", "build_dir", "toolchain", "verbose",
             "werror",
             "sdk", "app"}
    for key in arguments:
        if key not in known:
            import difflib
            near = difflib.get_close_matches(key, sorted(known), n=1)
            raise WasmbedError(f"unknown argument {key}=", hint=f"did you mean {near[0]}=?"
                               if near else f"arguments: {', '.join(sorted(known))}")
    board = arguments.get("board")
    if not board:
        raise WasmbedError("no board given", hint="scons board=NAME (scons -h lists boards)")
    feats = arguments.get("features")
    mode = arguments.get("mode", "release")
    if mode not in MODES:
        raise WasmbedError(f"mode={mode!r}: expected one of {', '.join(MODES)}")
    return Options(board=board,
                   features=[f.strip() for f in feats.split(",") if f.strip()]
                   if feats is not None else None,
                   heap_size=_int(arguments["heap_size"], "heap_size")
                   if arguments.get("heap_size") else None,
                   mode=mode, build_dir=arguments.get("build_dir") or None,
                   toolchain=arguments.get("toolchain") or None,
                   opt=arguments.get("opt") or None,
                   sdk=arguments.get("sdk") or None,
                   app=arguments.get("app") or None,
                   werror=arguments.get("werror", "0") not in ("0", "", "no", "false"),
                   verbose=arguments.get("verbose", "0") not in ("0", "", "no", "false"))


def resolve_features(board: Board, requested: list[str] | None) -> list[str]:
    """features= on top of the board's defaults (+key, -key, key; only:a,b for an exact
    set), checked against the board's CPU and platform (wasmbed.model.featuresel)."""
    from wasmbed.model import featuresel

    return featuresel.resolve(board, requested)


def variant_dir(board: Board, keys: list[str], *, heap_size: int | None = None,
                mode: str = "release", toolchain: str | None = None,
                build_dir: str | Path | None = None, opt: str | None = None) -> Path:
    """build/<board>/ for the default set, build/<board>-<hash>/ for anything else."""
    if build_dir:
        return Path(build_dir).resolve()
    default = resolve_features(board, None)
    if keys == default and heap_size in (None, board.heap_size) and mode == "release" \
            and not toolchain and not opt:
        return ROOT / "build" / board.name
    blob = json.dumps([sorted(keys), heap_size, mode, toolchain] + ([opt] if opt else []),
                      sort_keys=True)
    return ROOT / "build" / f"{board.name}-{hashlib.sha1(blob.encode()).hexdigest()[:8]}"


def _static_app(app: str, keys: list[str], variant: Path) -> tuple[Path, Path]:
    """app=X.wasm: the file, and a variant dir of its own (docs/aot.md)."""
    import hashlib

    path = Path(app).resolve()
    if not path.is_file():
        raise WasmbedError(f"app={app}: no such file")
    if "aot" not in keys:
        raise WasmbedError(f"app={app} is linked in as AOT code: select the aot feature",
                           hint="features=aot,...")
    tag = hashlib.sha256(path.read_bytes()).hexdigest()[:8]
    return path, variant.with_name(f"{variant.name}-app-{path.stem}-{tag}")


def plan(opts: Options) -> Plan:
    board = load_board(opts.board)
    platform = platform_of(board)
    keys = resolve_features(board, opts.features)
    if opts.mode == "sanitize" and not (platform.name == "linux" and board.arch == "x86_64"):
        raise WasmbedError(f"mode=sanitize works on x86_64 Linux host boards only, not on "
                           f"{board.name}")
    if not platform.has_malloc and "global-heap-pool" not in keys:
        raise WasmbedError(f"board {board.name} has no malloc (platform {platform.name}): "
                           "select the global-heap-pool feature")
    tc = toolchains.for_board(board, opts.toolchain)
    if tc.family == "clang":
        from wasmbed.build import xtensa
        xtensa.check_features(board, keys, opts.app)
    sdk_tree = None
    if platform.sdk is not None and platform.sdk.markers:
        sdk_tree = find_sdk(platform, opts.sdk)   # a wrong tree is an error, none is "without"
        with_sdk = sdk_tree is not None
    elif opts.sdk:
        raise WasmbedError(f"sdk={opts.sdk}: platform {platform.name} of board {board.name} "
                           "builds from no RTOS tree")
    else:
        with_sdk = platform.sdk_available()
    if not tc.found and not with_sdk and not opts.toolchain:
        # the SDK is the compiler (cosmocc): compile the CPU part with the surrogate
        surrogate = toolchains.surrogate_for(board, platform)
        if surrogate is not None and surrogate.found:
            tc = surrogate
    tc.require(board.name)
    if opts.toolchain:  # cpu_flags are written for the board's default compiler
        board = dataclasses.replace(board, cpu_flags=toolchains.cpu_flags_for(board, tc))
    port_tc, missing, notes = tc, "", []
    if not with_sdk:
        missing = platform.sdk.missing if platform.sdk else ""
        surrogate = toolchains.surrogate_for(board, platform)
        if surrogate is not None and surrogate.found and platform.port == "host":
            port_tc = surrogate
            notes.append(f"port compiled with {surrogate.name}")
        else:
            notes.append("port not compiled: it needs the SDK's C library")
    notes += list(tc.notes)
    heap = opts.heap_size if opts.heap_size is not None else board.heap_size
    if opts.heap_size is not None:  # before compiling: not in the linker, not as `nomem`
        from wasmbed.model.featuresel import check_heap
        check_heap(board, heap, keys)
    variant = variant_dir(board, keys, heap_size=opts.heap_size, mode=opts.mode,
                          toolchain=opts.toolchain, build_dir=opts.build_dir, opt=opts.opt)
    profile = optimize.default_profile(keys, opts.opt)
    levels = optimize.resolve(board.optimize, profile=profile,
                              size_first=platform.kind == "baremetal" or board.arch == "xtensa")
    app = None
    if opts.app:
        app, variant = _static_app(opts.app, keys, variant)
    return Plan(board=board, platform=platform, keys=keys, mode=opts.mode, heap_size=heap,
                variant=variant, app=app, toolchain=tc, port_toolchain=port_tc, with_sdk=with_sdk,
                missing=missing, notes=notes, verbose=opts.verbose, werror=opts.werror,
                profile=profile, levels=levels, sdk_tree=sdk_tree)


# ---- sources -------------------------------------------------------------------------------

def runtime_sources(keys: list[str]) -> list[Path]:
    groups = ["core", "mem"] + (["libc"] if "libc-builtin" in keys else []) \
        + (["libc/wasi"] if "libc-wasi" in keys else []) \
        + (["store"] if "app-store" in keys else [])
    return [p for g in groups for p in sorted((SRC / g).glob("*.c"))]


def agent_sources() -> list[Path]:
    return sorted((SRC / "agent").glob("*.c"))


def port_sources(p: Plan, rendered: render.Rendered) -> list[Path]:
    """The port layer's sources: rendered drivers on bare metal, the host port on an OS."""
    if p.platform.kind == "baremetal":
        return list(rendered.sources) + sorted((SRC / "port" / "common").glob("*.c"))
    if not p.with_sdk and p.port_toolchain is p.toolchain:
        return []  # no API headers to compile the port against (see plan notes)
    if p.platform.port == "host":
        return sorted((SRC / "port" / "host").glob("*.c"))
    return []


def softfp_sources(p: Plan) -> list[Path]:
    """Our soft-float helpers, when the board's toolchain section asks for them
    (`softfp: own`; Xtensa adds them to its own builtins library instead)."""
    tc = p.board.toolchain
    if tc is not None and tc.get("softfp") == "own":
        return [SRC / "port" / "softfp" / "wb_softfp.c"]
    return []


def compile_units(p: Plan, rendered: render.Rendered, runtime: list[Path]
                  ) -> list[tuple[Toolchain, list[Path]]]:
    """Which toolchain compiles which sources (the CPU part, then the port)."""
    return [(p.toolchain, [*runtime, *agent_sources(), *softfp_sources(p)]),
            (p.port_toolchain, port_sources(p, rendered))]


def component_of(source: Path) -> str:
    """The size-report group of a source file: core files by name, others by directory."""
    try:
        rel = source.relative_to(SRC)
    except ValueError:
        return "port"
    top = rel.parts[0]
    if top == "core":
        stem = source.stem[3:] if source.stem.startswith("wb_") else source.stem
        return {"compile": "validate+compile", "numeric": "numerics"}.get(stem, stem)
    return "port" if top == "port" else top


# ---- flags -----------------------------------------------------------------------------------

def _opt_flags(p: Plan, group: str = "runtime") -> list[str]:
    if p.mode == "debug":
        return ["-O0", "-g3"] if p.platform.kind != "baremetal" else ["-Og", "-g3"]
    if p.mode == "sanitize":
        return ["-O1", "-g", "-fno-omit-frame-pointer", "-fsanitize=address,undefined",
                "-fno-sanitize-recover=all"]
    return optimize.flags(p.levels[group], p.toolchain.family)


def group_of(source: Path) -> str:
    """The optimisation group of a source (wasmbed.model.optimize.GROUPS)."""
    try:
        return optimize.group_of(source.relative_to(SRC).parts)
    except ValueError:
        return "port"


def freestanding(p: Plan, tc: Toolchain) -> bool:
    """No C library headers for this compile (bare metal, RT-Thread: its kernel brings its
    own services and we link no C library, or an RTOS without its SDK)."""
    return p.platform.kind == "baremetal" or p.platform.name == "rt-thread" or \
        (tc is p.toolchain and not p.with_sdk)


def cflags(p: Plan, tc: Toolchain, group: str = "runtime") -> list[str]:
    flags = [*tc.cflags, *p.board.cpu_flags, *WARNINGS, *(["-Werror"] if p.werror else []),
             *_opt_flags(p, group),
             "-ffunction-sections", "-fdata-sections"]
    if freestanding(p, tc):
        flags += ["-ffreestanding"]
        if tc.family == "zig":
            flags += ["-nostdlibinc"]
    return flags


def cppflags(p: Plan, tc: Toolchain) -> tuple[list[str], list[str]]:
    """(-D defines, include dirs) for a compile."""
    inc = [str(p.variant / "gen")] + [str(SRC / d) for d in INCLUDE_DIRS]
    defines = ["WB_HAVE_CONFIG_H"]
    if p.mode == "release":  # one WB_SMALL for every file, whatever its own -O level
        defines.append(f"WB_SMALL={int(optimize.small(p.levels))}")
    return defines, inc


def isystem(p: Plan, tc: Toolchain) -> list[str]:
    if freestanding(p, tc):
        return ["-isystem", str(p.variant / "gen" / "include")]
    return []


def ldflags(p: Plan, linker_script: Path | None) -> list[str]:
    tc = p.toolchain
    mapfile = str(p.variant / "firmware.map")
    flags = [*tc.ldflags, *p.board.cpu_flags]
    if linker_script is not None:
        # zig: no -nostdlib, so that its compiler-rt (64-bit division, soft float) is linked;
        # a freestanding target has no libc to pull in anyway
        flags += (["-nostartfiles"] if tc.family == "zig" else ["-nostdlib", "-nostartfiles"])
        flags += ["-static", f"-T{linker_script}"]
    if tc.object_format == "macho":
        flags += ["-Wl,-dead_strip"]
    else:
        flags += ["-Wl,--gc-sections"]
    if tc.family != "zig":  # zig's linker takes no -Map: the map comes from llvm-nm instead
        flags += [f"-Wl,-Map={mapfile}"]
    if p.mode == "sanitize":
        flags += ["-fsanitize=address,undefined"]
    return flags


# ---- the SCons graph ------------------------------------------------------------------------

def _cmd(parts: tuple[str, ...] | list[str]) -> str:
    return " ".join(shlex.quote(x) for x in parts)


def setup_env(env: Any, p: Plan, tc: Toolchain, verbose: bool = False) -> Any:
    """A clone of env that compiles with `tc` for this plan."""
    e = env.Clone()
    defines, inc = cppflags(p, tc)
    e.Replace(CC=_cmd(tc.cc), AR=_cmd(tc.ar), ARFLAGS="rcs", RANLIBCOM="", LINK=_cmd(tc.cc),
              CFLAGS=cflags(p, tc), CCFLAGS=isystem(p, tc), CPPDEFINES=defines, CPPPATH=inc,
              ASFLAGS=[*tc.cflags, *p.board.cpu_flags, *isystem(p, tc)],
              ASPPFLAGS=[*tc.cflags, *p.board.cpu_flags, *isystem(p, tc), "-g"]
              if p.mode == "debug" else [*tc.cflags, *p.board.cpu_flags, *isystem(p, tc)],
              OBJSUFFIX=".o", LIBPREFIX="lib", LIBSUFFIX=".a", PROGSUFFIX="",
              )
    if tc.assembler:  # Xtensa: llvm-mc with the core's options (wasmbed/build/xtensa.py)
        from wasmbed.build import xtensa
        e.Replace(ASPPCOM=xtensa.asppcom(tc), CCCOM=xtensa.cccom(tc))
    if not verbose:
        e.Replace(CCCOMSTR="cc     $SOURCE", ASPPCOMSTR="as     $SOURCE",
                  ARCOMSTR="ar     $TARGET", LINKCOMSTR="link   $TARGET")
    e["ENV"]["ZIG_GLOBAL_CACHE_DIR"] = os.environ.get(
        "ZIG_GLOBAL_CACHE_DIR", str(ROOT / "build" / ".zig-cache"))
    return e


def group_env(env: Any, p: Plan, group: str) -> Any:
    """env compiling at `group`'s -O level (env itself when that is its level already)."""
    base = _opt_flags(p)
    flags = _opt_flags(p, group)
    if flags == base:
        return env
    key = (id(env), group)
    if key not in _GROUP_ENVS:
        clone = env.Clone()
        old = list(env["CFLAGS"])
        i = old.index(base[0])
        clone.Replace(CFLAGS=old[:i] + flags + old[i + len(base):])
        _GROUP_ENVS[key] = (env, clone)   # env kept alive so its id stays unique
    return _GROUP_ENVS[key][1]


_GROUP_ENVS: dict[tuple[int, str], tuple[Any, Any]] = {}


def size_profile_sources(p: Plan, runtime: list[Path]) -> list[Path]:
    """Runtime sources whose object differs from the opt=size build's, when the size-first
    build runs some of them faster: they are compiled a second time as opt=size would, so
    build.json can say what the speed costs. Empty when there is nothing to compare."""
    def small(group: str) -> bool:
        return p.levels[group].split()[0] in optimize.SMALL_LEVELS

    if p.mode != "release" or optimize.small(p.levels) or not small("runtime"):
        return []
    return [s for s in runtime if not small(group_of(s))
            or "WB_FUSE" in s.read_text(errors="replace")]


def size_profile_objects(env: Any, p: Plan, srcs: list[Path]) -> list[Any]:
    """srcs compiled as opt=size compiles them (optimize.SIZE_PROFILE, WB_SMALL=1) under
    <variant>/obj-size/, in the order of srcs."""
    old = list(env["CFLAGS"])
    base = _opt_flags(p)
    i = old.index(base[0])
    defines = [d for d in env["CPPDEFINES"] if not str(d).startswith("WB_SMALL=")]
    out = []
    for src in srcs:
        size_flags = optimize.flags(optimize.SIZE_PROFILE[group_of(src)], p.toolchain.family)
        e = env.Clone()
        e.Replace(CFLAGS=old[:i] + size_flags + old[i + len(base):],
                  CPPDEFINES=defines + ["WB_SMALL=1"])
        out += objects(e, p, [src], None, obj_dir="obj-size", level_of="runtime")
    return out


def objects(env: Any, p: Plan, srcs: list[Path], commands: list[dict[str, str]] | None,
            obj_dir: str = "obj", level_of: str | None = None) -> list[Any]:
    """One object per source under <variant>/<obj_dir>/, at its group's -O level (or at
    group `level_of`'s for all); records each compile command (unless commands is None)."""
    out = []
    for src in srcs:
        try:
            rel = src.relative_to(SRC)
        except ValueError:
            rel = Path("gen") / src.relative_to(p.variant / "gen")
        target = p.variant / obj_dir / rel.with_suffix(".o")
        env_g = group_env(env, p, level_of or group_of(src))
        nodes = env_g.Object(target=str(target), source=str(src))
        com = "$ASPPCOM" if src.suffix == ".S" else "$CCCOM"
        if commands is not None:
            commands.append({"directory": str(ROOT), "file": str(src), "output": str(target),
                             "command": env_g.subst(com, target=nodes,
                                                    source=env.File(str(src)))})
        out += nodes
    return out


def compilation_db(env: Any, path: Path, commands: list[dict[str, str]]) -> Any:
    """compile_commands.json, rewritten only when a command changes (no AlwaysBuild)."""
    text = json.dumps(commands, indent=1) + "\n"

    def write(target: list[Any], source: list[Any], env: Any) -> int:
        Path(str(target[0])).write_text(text)
        return 0

    from SCons.Action import Action  # type: ignore[import-not-found]
    return env.Command(str(path), env.Value(text), Action(write, "Writing $TARGET"))


def _build_json_action(info: dict[str, Any]) -> Callable[..., int]:
    """SCons action that measures the image, prints the size bars and writes build.json."""

    def action(target: list[Any], source: list[Any], env: Any) -> int:
        data = json.loads(env["WB_BUILD_INFO"])
        board = load_board(data["board"])
        size_tool = tuple(data["size_tool"])
        try:
            objs = sizes.measure(size_tool, [Path(f) for f in
                                             [*data["objects"], *data["size_profile"].values()]])
            runtime = sizes.total(objs[f] for f in data["runtime_objects"])
            components: dict[str, int] = {}
            for f, comp in data["components"].items():
                components[comp] = components.get(comp, 0) + objs[f]["text"]
            if data["firmware"]:
                image = sizes.measure(size_tool, [Path(data["firmware"])])[data["firmware"]]
            else:
                image = sizes.total(objs.values())
            usages = sizes.usage(board, image) if data["firmware"] else []
            out = {k: data[k] for k in ("board", "triple", "platform", "variant", "features",
                                        "mode", "heap_size", "toolchain", "status", "missing",
                                        "notes", "firmware", "images")}
            if "static_app" in data:
                out["static_app"] = data["static_app"]
            cost = _opt_cost(objs, data["size_profile"])
            out.update(sizes=image, runtime=runtime, components=dict(sorted(components.items())),
                       optimize={"profile": data["profile"], "levels": data["levels"],
                                 "small_interpreter": data["small_interpreter"],
                                 "cost_over_opt_size": cost},
                       memory=[{"region": u.region, "what": u.what, "used": u.used,
                                "total": u.total} for u in usages],
                       fits=all(u.fits for u in usages))
            Path(str(target[0])).write_text(json.dumps(out, indent=2) + "\n")
            sizes.print_bars(board, image, usages)
            _print_opt(data, cost)
            sizes.check_fit(board, usages)
        except WasmbedError as err:
            print(f"wasmbed: error: {err}")
            return 1
        return 0

    return action


def _opt_cost(objs: dict[str, dict[str, int]], pairs: dict[str, str]) -> dict[str, Any] | None:
    """Text of the objects built faster against the same sources built as opt=size."""
    if not pairs:
        return None
    files = {}
    for fast, small in sorted(pairs.items()):
        name = Path(fast).name.removesuffix(".o") + ".c"
        files[name] = {"text": objs[fast]["text"], "text_opt_size": objs[small]["text"]}
    extra = sum(f["text"] - f["text_opt_size"] for f in files.values())
    return {"files": files, "extra_text": extra}


def _print_opt(data: dict[str, Any], cost: dict[str, Any] | None) -> None:
    levels = data["levels"]
    text = ", ".join(f"{g} {lv}" for g, lv in levels.items())
    line = f"optimize ({data['profile']}): {text}"
    if cost is not None:
        parts = ", ".join(f"{n} {f['text'] - f['text_opt_size']:+,}"
                          for n, f in cost["files"].items())
        line += f"; text {cost['extra_text']:+,} B over opt=size ({parts})"
    print(line)


def graph(env: Any, p: Plan) -> list[Any]:
    """Declare every target of the plan; returns the default targets."""
    gen = p.variant / "gen"
    p.variant.mkdir(parents=True, exist_ok=True)
    env.SConsignFile(str(p.variant / ".sconsign"))  # per variant: boards build side by side
    runtime = runtime_sources(p.keys)
    agent = [*agent_sources(), *softfp_sources(p)]  # linked as objects: ours win over libs
    if p.app is not None:  # the AOT-compiled application, linked in (wasmbed/aot/static.py)
        from wasmbed.aot.static import static_source

        app_c = gen / "wb_static_app.c"
        gen.mkdir(parents=True, exist_ok=True)
        text = static_source(p.app.read_bytes())
        if not app_c.exists() or app_c.read_text() != text:
            app_c.write_text(text)
        agent = [*agent, app_c]
    rendered = render.render(p.board, p.platform, p.keys, gen, heap_size=p.heap_size,
                             runtime_sources=[str(s.relative_to(ROOT)) for s in runtime])
    if p.platform.name == "riot" and p.sdk_tree is not None:
        from wasmbed.build import rtos_riot  # RIOT's own make builds it (wasmbed/build/rtos_riot.py)
        return rtos_riot.graph(env, p, rendered)
    if p.platform.name == "rt-thread" and p.sdk_tree is not None:
        from wasmbed.build import rtos_rtthread  # kernel + our BSP (wasmbed/build/rtos_rtthread.py)
        return rtos_rtthread.graph(env, p, rendered)
    if p.platform.name == "nuttx" and p.sdk_tree is not None:
        from wasmbed.build import rtos_nuttx  # NuttX's configure + make (wasmbed/build/rtos_nuttx.py)
        return rtos_nuttx.graph(env, p, rendered)
    cpu_env = setup_env(env, p, p.toolchain, p.verbose)
    if p.app is not None:
        cpu_env.Append(CPPDEFINES=["WB_STATIC_APP=1"])
    port_env = cpu_env if p.port_toolchain is p.toolchain else \
        setup_env(env, p, p.port_toolchain, p.verbose)
    port_srcs = port_sources(p, rendered)

    commands: list[dict[str, str]] = []
    runtime_objs = objects(cpu_env, p, runtime, commands)
    cost_srcs = size_profile_sources(p, runtime)
    cost_objs = size_profile_objects(cpu_env, p, cost_srcs)
    lib = cpu_env.StaticLibrary(str(p.variant / "wasmbed"), runtime_objs)
    agent_objs = objects(cpu_env, p, agent, commands)
    port_objs = objects(port_env, p, port_srcs, commands)
    db = compilation_db(cpu_env, p.variant / "compile_commands.json", commands)
    defaults: list[Any] = [lib, db]

    tc = p.toolchain
    firmware = None
    images: list[str] = []
    if not agent:
        def no_agent(target: Any, source: Any, env: Any) -> int:
            print(f"wasmbed: error: runtime_src/agent/ has no C sources: {p.board.name}'s "
                  f"runtime library was built ({p.variant / 'libwasmbed.a'}) but the firmware "
                  "needs the agent's main")
            return 1
        defaults.append(cpu_env.Command(str(p.variant / "firmware.needs-agent"), lib, no_agent))
        return defaults
    link_ok = p.with_sdk and not (tc.family == "clang" and p.platform.kind != "baremetal")
    if link_ok and tc.family == "clang":
        # Xtensa: GNU ld links, compiler-rt's builtins come along (wasmbed/build/xtensa.py)
        from wasmbed.build import xtensa
        assert rendered.linker_script is not None
        rt = xtensa.builtins_library(cpu_env, p.variant, p.levels.get("runtime", "-Os")
                                     if p.mode == "release" else "-Os")
        link_env = xtensa.link_env(cpu_env, tc, rendered.linker_script,
                                   p.variant / "firmware.map", p.variant)
        fw_path = toolchains.exe_path(p.variant, tc)
        firmware = link_env.Program(str(fw_path), agent_objs + port_objs)
        link_env.Depends(firmware, [lib, rt, str(rendered.linker_script)])
        link_env.SideEffect(str(p.variant / "firmware.map"), firmware)
        defaults.append(firmware)
    elif link_ok:
        link_env = cpu_env.Clone()
        link_env.Replace(LINKFLAGS=ldflags(p, rendered.linker_script),
                         LIBS=["wasmbed"] + (["gcc"] if (tc.family == "gcc" or tc.link_libgcc) and
                                             p.platform.kind == "baremetal" else []),
                         LIBPATH=[str(p.variant)])
        fw_path = toolchains.exe_path(p.variant, tc)
        firmware = link_env.Program(str(fw_path), agent_objs + port_objs)
        link_env.Depends(firmware, [lib] + ([str(rendered.linker_script)]
                                            if rendered.linker_script else []))
        if tc.family == "zig":
            nm = "llvm-nm" if tc.size[0] == "llvm-size" else tc.size[0].replace("size", "nm")
            link_env.AddPostAction(firmware, f"{nm} -n -S $TARGET > {p.variant / 'firmware.map'}")
        link_env.SideEffect(str(p.variant / "firmware.map"), firmware)
        defaults.append(firmware)
        image = p.board.flash.image if p.board.flash else "elf"
        if image in ("bin", "hex") and tc.object_format == "elf":
            fmt = "binary" if image == "bin" else "ihex"
            out = p.variant / f"firmware.{image}"
            defaults.append(cpu_env.Command(str(out), firmware,
                                            f"{_cmd(tc.objcopy)} -O {fmt} $SOURCE $TARGET"))
            images.append(str(out))
    else:
        app = cpu_env.StaticLibrary(str(p.variant / "wasmbed_app"), agent_objs + port_objs)
        defaults.append(app)

    all_objs = runtime_objs + agent_objs + port_objs
    obj_paths = [str(o) for o in all_objs]
    comp = {str(o): component_of(s) for o, s in zip(all_objs, runtime + agent + port_srcs)}
    status = "built" if p.with_sdk and firmware is not None else "built-without-sdk"
    info = {
        "board": p.board.name, "triple": p.board.triple, "platform": p.platform.name,
        "variant": str(p.variant), "features": p.keys, "mode": p.mode,
        **({"static_app": str(p.app)} if p.app is not None else {}),
        "heap_size": p.heap_size, "toolchain": tc.name, "status": status,
        "missing": p.missing or None, "notes": p.notes,
        "firmware": firmware[0].abspath if firmware else None, "images": images,
        "size_tool": list(tc.size), "objects": obj_paths,  # relative to the top dir, as llvm-size prints them
        "runtime_objects": [str(o) for o in runtime_objs], "components": comp,
        "profile": p.profile, "levels": p.levels if p.mode == "release" else {},
        "small_interpreter": optimize.small(p.levels) if p.mode == "release" else None,
        "size_profile": {str(runtime_objs[runtime.index(s)]): str(o)
                         for s, o in zip(cost_srcs, cost_objs)},
    }
    cpu_env["WB_BUILD_INFO"] = json.dumps(info, sort_keys=True)
    from SCons.Action import Action  # type: ignore[import-not-found]
    bj = cpu_env.Command(str(p.variant / "build.json"), (firmware or []) + all_objs + cost_objs,
                         Action(_build_json_action(info), "Measuring $TARGET",
                                varlist=["WB_BUILD_INFO"]))
    defaults.append(bj)
    return defaults


# ---- help and the entry point -----------------------------------------------------------

def help_text() -> str:
    lines = ["wasmbed: builds the runtime and the firmware for one board.", "",
             "scons board=NAME [features=a,b] [heap_size=N] [mode=release|debug|sanitize]",
             "      [boards_dir=DIR[:DIR] (boards searched first; also WASMBED_BOARDS_PATH)]",
             "      [build_dir=DIR] [toolchain=gcc|zig|clang|host|zig:<target>|gcc:<prefix>]",
             "      [sdk=PATH (the RTOS tree; default: the platform's variable, e.g. NUTTX_DIR)]",
             "      [werror=1 (compiler warnings fail the build; the matrix and CI use it)]",
             "", "boards:"]
    for name in board_names():
        try:
            b = load_board(name)
            found, tc = toolchains.describe(b)
            lines.append(f"  {b.name:<20} tier {b.tier}  {b.triple:<28} {b.platform:<12} "
                         f"{'ok' if found else 'NO COMPILER'}  {b.status}")
        except WasmbedError as err:
            lines.append(f"  {name:<20} (broken descriptor: {err})")
    from wasmbed.report.proven import TIERS
    lines += ["", "tiers (the support table's promise for the triple; `wasmbed boards` shows what "
              "was proven here):"] + [f"  {t}  {text}" for t, text in TIERS.items()]
    lines += ["", registry.scons_help()]
    return "\n".join(lines)


def main(env: Any, arguments: dict[str, str], *, help_requested: bool,
         set_help: Callable[[str], None], default: Callable[[Any], None],
         exit: Callable[[int], None]) -> None:
    """The whole SConstruct."""
    try:
        arguments = dict(arguments)
        boards_dir = arguments.pop("boards_dir", None)  # out-of-tree boards, as --boards-dir
        if boards_dir:
            from wasmbed.model.descriptors import prepend_boards_path
            prepend_boards_path(boards_dir.split(os.pathsep))
        if help_requested:
            set_help(help_text())
            return
        p = plan(parse_arguments(arguments))
        print(f"wasmbed: {p.board.name}: features {','.join(p.keys)}")
        for note in p.notes:
            print(f"wasmbed: {p.board.name}: {note}")
        default(graph(env, p))
    except WasmbedError as err:
        print(f"wasmbed: error: {err}")
        exit(2)
