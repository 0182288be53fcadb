"""NuttX: the agent and runtime as a NuttX application, built by NuttX's own make.

wasmbed renders the app glue into gen/integration/nuttx (what a NuttX user drops into
nuttx-apps as apps/interpreters/wasmbed: Kconfig, Make.defs, Makefile; the sources stay in
this checkout and are found through VPATH) plus `defconfig.wasmbed`, the options wasmbed
sets over the board's NuttX configuration (the app as the init task, the console's termios,
no option that downloads at build time). The build:

    <variant>/nuttx-src/{nuttx,apps}   a copy of $NUTTX_DIR and its apps (the user's tree is
                                       never configured or written to), made once per tree
    apps/interpreters/wasmbed/         the rendered glue
    tools/configure.sh -l <sdk_board>  then kconfig-tweak per option, make olddefconfig
    make CROSSDEV=<prefix>             -> nuttx (ELF), copied to <variant>/nuttx.elf

Every step's output goes to <variant>/nuttx-build.log; a failure shows its tail.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any, Mapping, Sequence

from wasmbed.build import rtos_report
from wasmbed.errors import WasmbedError
from wasmbed.build.sdk import SdkError, SdkTree, run_logged

APP_SUBDIR = Path("interpreters") / "wasmbed"
GLUE_FILES = ("Kconfig", "Make.defs", "Makefile")
FRAGMENT = "defconfig.wasmbed"
TOOLS = ("kconfig-tweak", "kconfig-conf", "make")
TOOL_PACKAGES = {"kconfig-tweak": "kconfig-frontends-nox", "kconfig-conf": "kconfig-frontends-nox",
                 "make": "make", "genromfs": "genromfs", "xxd": "xxd"}


def src_dir(variant: Path) -> Path:
    return variant / "nuttx-src"


def firmware_path(variant: Path) -> Path:
    return variant / "nuttx.elf"


def log_path(variant: Path) -> Path:
    return variant / "nuttx-build.log"


def glue_dir(variant: Path) -> Path:
    return variant / "gen" / "integration" / "nuttx"


def app_dir(variant: Path) -> Path:
    return src_dir(variant) / "apps" / APP_SUBDIR


# ---- the options over the board's configuration ----------------------------------------------

def parse_fragment(text: str, where: str) -> dict[str, str]:
    """`CONFIG_X=y` / `# CONFIG_X is not set` lines -> {X: value} ("n" for not set)."""
    out: dict[str, str] = {}
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("# CONFIG_") and line.endswith(" is not set"):
            out[line[len("# CONFIG_"):-len(" is not set")]] = "n"
        elif line.startswith("#"):
            continue
        elif line.startswith("CONFIG_") and "=" in line:
            key, _, value = line[len("CONFIG_"):].partition("=")
            out[key] = value
        else:
            raise WasmbedError(f"{where}:{n}: expected CONFIG_X=value or '# CONFIG_X is not "
                               f"set', got {raw!r}")
    return out


def tweak_args(options: Mapping[str, str]) -> list[str]:
    """kconfig-tweak arguments that set `options` in a .config."""
    args: list[str] = []
    for key, value in options.items():
        if value == "n":
            args += ["--disable", key]
        elif value == "y":
            args += ["--enable", key]
        elif value == "m":
            args += ["--module", key]
        elif value.startswith('"'):
            args += ["--set-str", key, value[1:-1]]
        else:
            args += ["--set-val", key, value]
    return args


def read_config(path: Path) -> dict[str, str]:
    return parse_fragment(path.read_text(encoding="utf-8", errors="replace"), str(path))


def unmet(options: Mapping[str, str], config: Mapping[str, str]) -> list[str]:
    """Options that `make olddefconfig` did not keep (a dependency is missing)."""
    bad = []
    for key, want in options.items():
        have = config.get(key, "n")
        if want == "n" and have != "n":
            bad.append(f"CONFIG_{key}={have} (wanted off)")
        elif want != "n" and have != want:
            bad.append(f"CONFIG_{key}={have} (wanted {want})")
    return bad


# ---- the build steps -------------------------------------------------------------------------

def _stamp(path: Path) -> str:
    return path.read_text() if path.is_file() else ""


def _tool_check() -> None:
    for tool in TOOLS:
        if shutil.which(tool) is None:
            raise SdkError(f"NuttX build: {tool} not found",
                           hint=f"install {TOOL_PACKAGES[tool]} (ci/setup.sh installs it)")


def make_env(crossdev: str) -> dict[str, str]:
    """Our environment minus what would leak into NuttX's make, with the toolchain prefix
    (NuttX's Toolchain.defs reads CROSSDEV, also while configuring)."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "CFLAGS", "LDFLAGS", "CPPFLAGS",
                        "TOPDIR", "APPDIR")}
    env.setdefault("LC_ALL", "C")
    env["CROSSDEV"] = crossdev
    return env


def copy_tree(tree: SdkTree, variant: Path, log: Path) -> None:
    """<variant>/nuttx-src/{nuttx,apps}: a private copy of the user's trees, once per tree."""
    apps = tree.companions["apps"]
    dest = src_dir(variant)
    want = f"{tree.root}\n{apps}\n{tree.commit}\n"
    stamp = dest / ".wasmbed-tree"
    if _stamp(stamp) == want and (dest / "nuttx").is_dir() and (dest / "apps").is_dir():
        return
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    run_logged(["cp", "-a", str(tree.root), str(dest / "nuttx")], cwd=variant, log=log,
               what="copying the NuttX tree")
    run_logged(["cp", "-a", str(apps), str(dest / "apps")], cwd=variant, log=log,
               what="copying the NuttX apps tree")
    stamp.write_text(want)


def install_glue(variant: Path) -> bool:
    """Copy the rendered app glue into apps/interpreters/wasmbed; True when something changed."""
    target = app_dir(variant)
    target.mkdir(parents=True, exist_ok=True)
    changed = False
    for name in GLUE_FILES:
        text = (glue_dir(variant) / name).read_text()
        out = target / name
        if not out.is_file() or out.read_text() != text:
            out.write_text(text)
            changed = True
    return changed


def configure(sdk_board: str, options: Mapping[str, str], crossdev: str, variant: Path,
              log: Path, kconfig_changed: bool, extraflags: Sequence[str] = ()) -> None:
    """configure.sh, the options, olddefconfig; redone (from distclean: NuttX's make does not
    see flag changes) when the board, the options, the toolchain or the app's Kconfig
    changed."""
    nuttx = src_dir(variant) / "nuttx"
    want = json.dumps({"board": sdk_board, "options": dict(options), "crossdev": crossdev,
                       "extraflags": list(extraflags)}, sort_keys=True)
    stamp = variant / "nuttx-config.stamp"
    config = nuttx / ".config"
    if config.is_file() and _stamp(stamp) == want and not kconfig_changed:
        return
    env = make_env(crossdev)
    if config.is_file():
        run_logged(["make", "distclean"], cwd=nuttx, log=log, env=env,
                   what="NuttX make distclean")
    stamp.unlink(missing_ok=True)
    run_logged(["./tools/configure.sh", "-l", sdk_board], cwd=nuttx, log=log, env=env,
               what=f"NuttX configure {sdk_board}")
    run_logged(["kconfig-tweak", "--file", str(config), *tweak_args(options)], cwd=nuttx,
               log=log, env=env, what="kconfig-tweak (defconfig.wasmbed)")
    run_logged(["make", "olddefconfig"], cwd=nuttx, log=log, env=env,
               what="NuttX make olddefconfig")
    bad = unmet(options, read_config(config))
    if bad:
        raise SdkError(f"NuttX {sdk_board}: options of {FRAGMENT} did not hold after "
                       f"olddefconfig (a dependency is off): {', '.join(bad)}\n  full log: {log}")
    stamp.write_text(want)


def make_vars(crossdev: str, extraflags: Sequence[str]) -> list[str]:
    """NuttX make variables: the toolchain prefix and the toolchain's own target flags
    (EXTRAFLAGS reaches every NuttX compile)."""
    # MKDEP=true: no per-file `gcc -M` pass over all of NuttX (minutes on 2 cores); the
    # tree is a fixed copy, and the app's Makefile names the runtime's headers itself
    out = [f"CROSSDEV={crossdev}", "MKDEP=true"]
    if extraflags:
        out.append("EXTRAFLAGS=" + " ".join(extraflags))
    return out


def make(crossdev: str, variant: Path, log: Path, jobs: int = 2, werror: bool = False,
         extraflags: Sequence[str] = ()) -> float:
    nuttx = src_dir(variant) / "nuttx"
    cmd = ["make", f"-j{jobs}", *make_vars(crossdev, extraflags)]
    if werror:  # the app's own files only: NuttX's code is NuttX's business
        cmd.append("WASMBED_CFLAGS=-Werror")
    seconds = run_logged(cmd, cwd=nuttx, log=log,
                         env=make_env(crossdev), what="NuttX make", timeout=1800)
    elf = nuttx / "nuttx"
    if not elf.is_file():
        raise SdkError(f"NuttX make finished but left no {elf}\n  full log: {log}")
    shutil.copy2(elf, firmware_path(variant))
    return seconds


def build(tree: SdkTree, sdk_board: str, options: Mapping[str, str], crossdev: str,
          variant: Path, werror: bool = False, extraflags: Sequence[str] = ()) -> float:
    """The whole NuttX build; returns make's seconds. Raises SdkError with the log's tail."""
    _tool_check()
    log = log_path(variant)
    log.write_text(f"# NuttX build: {tree.describe()}, {sdk_board}, "
                   f"{' '.join(make_vars(crossdev, extraflags))}\n")
    copy_tree(tree, variant, log)
    kconfig_before = (app_dir(variant) / "Kconfig").read_text() \
        if (app_dir(variant) / "Kconfig").is_file() else None
    install_glue(variant)
    kconfig_changed = (app_dir(variant) / "Kconfig").read_text() != kconfig_before
    configure(sdk_board, options, crossdev, variant, log, kconfig_changed, extraflags)
    return make(crossdev, variant, log, werror=werror, extraflags=extraflags)


# ---- sizes ----------------------------------------------------------------------------------

def _source_of(obj: Path) -> str:
    """wb_interp.c.work.main....o -> wb_interp.c (NuttX names objects <src><suffix>.o)."""
    name = obj.name
    idx = name.find(".c")
    return name[:idx + 2] if idx > 0 else name


def measure(info: dict[str, Any], size_tool: Sequence[str],
            components: Mapping[str, str]) -> dict[str, Any]:
    """build.json for a NuttX build: the image (NuttX + app) and the runtime's share of it.
    `components` maps each source file name of the app to its size-report component."""
    variant = Path(info["variant"])
    objs = sorted(app_dir(variant).glob("*.o"))
    comps: dict[Path, str] = {}
    for obj in objs:
        comp = components.get(_source_of(obj))
        if comp is not None:
            comps[obj] = comp
    runtime = [o for o, c in comps.items() if c not in ("agent", "port")]
    if not runtime:
        raise WasmbedError(f"NuttX build of {info['board']}: no runtime objects in "
                           f"{app_dir(variant)} (log: {log_path(variant)})")
    return rtos_report.measure(info, size_tool, runtime, comps)


# ---- the SCons side ---------------------------------------------------------------------------

def options_for(variant: Path, board: Any) -> dict[str, str]:
    """The rendered defconfig.wasmbed (platform-wide options + the board's sdk_config)."""
    path = glue_dir(variant) / FRAGMENT
    return parse_fragment(path.read_text(), str(path))


def graph(env: Any, p: Any, rendered: Any) -> list[Any]:
    """SCons targets of a NuttX build: NuttX's configure + make, then build.json. `p` is a
    sconsbuild.Plan with an sdk_tree."""
    from SCons.Action import Action  # type: ignore[import-not-found]

    from wasmbed.build.sconsbuild import agent_sources, component_of, runtime_sources

    board = p.board
    if not board.sdk_board:
        raise WasmbedError(f"{board.path}: board {board.name} (platform nuttx) needs "
                           "`sdk_board:` (NuttX's board:config, e.g. qemu-armv8a:nsh)")
    tree: SdkTree = p.sdk_tree
    if "apps" not in tree.companions:
        raise WasmbedError(f"{p.platform.path}: the NuttX sdk: section names no apps companion")
    tc = p.toolchain
    if tc.family != "gcc" or not tc.target:
        raise WasmbedError(f"board {board.name}: NuttX's make needs a GCC cross prefix "
                           f"(CROSSDEV); the toolchain is {tc.name}",
                           hint="give the board `toolchain: {family: gcc, prefix: ...}`")
    variant = p.variant
    fw = firmware_path(variant)
    log = log_path(variant)
    options = options_for(variant, board)
    crossdev = tc.target  # the gcc prefix

    def step() -> float:
        return build(tree, board.sdk_board, options, crossdev, variant,
                     werror=bool(getattr(p, "werror", False)), extraflags=tc.cflags)

    run = rtos_report.make_action(board.name, f"NuttX make ({tree.describe()})", step)
    make_node = env.Command(str(fw), [str(f) for f in rendered.integration],
                            Action(run, f"make   {board.sdk_board} (NuttX)"))
    env.AlwaysBuild(make_node)  # NuttX's make knows what changed: always ask it
    comps = {s.name: component_of(s) for s in runtime_sources(p.keys)}
    comps.update({s.name: "agent" for s in agent_sources()})
    comps["port_nuttx.c"] = "port"
    options_hash = hashlib.sha1(json.dumps(options, sort_keys=True).encode()).hexdigest()[:8]
    info = rtos_report.build_info(p, fw, f"NuttX make ({tc.name})", {
        "board": board.sdk_board, "log": str(log), "options": options_hash})
    info["sdk_board"] = board.sdk_board
    size_tool = tuple(tc.size)

    bj = rtos_report.json_node(env, variant, make_node, board.name,
                               lambda: measure(info, size_tool, comps))
    return [make_node, bj]
