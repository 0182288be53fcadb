"""RT-Thread: the rtthread-nano kernel, its libcpu and our BSP, built by our SCons build.

From the tree (RTT_ROOT, the directory that holds rt-thread/): rt-thread/src/*.c and
rt-thread/libcpu/<arch>/<cpu>/{cpuport.c, context_gcc.S}. Rendered from the board into
gen/integration/rt-thread/bsp/: rtconfig.h, startup.S (vector table, reset), board.c (tick,
system heap, the console UART as an rt_device, fault hook) and link.ld. The port
(runtime_src/port/rtthread) runs the agent in RT-Thread's main thread. No C library: the
kernel brings its own services, runtime_src/port/common/mem.c the mem* functions.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from wasmbed.build import rtos_report
from wasmbed.errors import WasmbedError

#: the C compiler's -mcpu -> rt-thread/libcpu/<dir>
LIBCPU = {"cortex-m3": "arm/cortex-m3", "cortex-m4": "arm/cortex-m4",
          "cortex-m7": "arm/cortex-m7", "cortex-m0": "arm/cortex-m0",
          "cortex-m0plus": "arm/cortex-m0"}


def kernel_dir(root: Path) -> Path:
    """rt-thread/ inside RTT_ROOT (a nano tree), or RTT_ROOT itself (a full tree's root)."""
    return root / "rt-thread" if (root / "rt-thread" / "src").is_dir() else root


def libcpu_dir(p: Any) -> Path:
    cpu = next((f.split("=", 1)[1] for f in p.board.cpu_flags if f.startswith("-mcpu=")), None)
    if cpu not in LIBCPU:
        raise WasmbedError(f"{p.board.path}: RT-Thread board {p.board.name}: no libcpu for "
                           f"-mcpu={cpu} (known: {', '.join(sorted(LIBCPU))})")
    where = kernel_dir(p.sdk_tree.root) / "libcpu" / LIBCPU[cpu]
    if not (where / "cpuport.c").is_file():
        raise WasmbedError(f"RT-Thread tree {p.sdk_tree.root}: no {where / 'cpuport.c'} "
                           f"(libcpu for {cpu})")
    return where


def bsp_dir(variant: Path) -> Path:
    return variant / "gen" / "integration" / "rt-thread" / "bsp"


def kernel_sources(p: Any) -> list[Path]:
    kdir = kernel_dir(p.sdk_tree.root)
    cpu = libcpu_dir(p)
    return [*sorted((kdir / "src").glob("*.c")), cpu / "cpuport.c", cpu / "context_gcc.S"]


def graph(env: Any, p: Any, rendered: Any) -> list[Any]:
    """SCons targets: runtime, agent, port, BSP and kernel objects; the linked image; build.json."""
    from SCons.Action import Action  # type: ignore[import-not-found]

    from wasmbed.build import sconsbuild as sb

    if p.board.console is None or p.board.console.get("irq") is None:
        raise WasmbedError(f"{p.board.path}: RT-Thread board {p.board.name} needs "
                           "console.irq (the UART's RX interrupt line) for its BSP")
    variant = p.variant
    bsp = bsp_dir(variant)
    kdir = kernel_dir(p.sdk_tree.root)
    tc = p.toolchain
    base = sb.setup_env(env, p, tc, p.verbose)
    rtt_inc = [str(bsp), str(kdir / "include"), str(libcpu_dir(p)),
               str(sb.SRC / "port" / "rtthread")]
    # no C library: setup_env compiles freestanding with our <string.h>
    # (sconsbuild.freestanding, templates/config/string.h.j2)
    ours = base.Clone()
    ours.Append(CPPPATH=rtt_inc)
    # the kernel is RT-Thread's code: its own warning level, not ours
    kernel_env = ours.Clone()
    kernel_env.Replace(CFLAGS=[f for f in ours["CFLAGS"] if f not in ("-Wextra", "-std=c11")]
                       + ["-std=gnu99", "-Wno-unused-parameter", "-Wno-unused-variable"])

    runtime = sb.runtime_sources(p.keys)
    agent = sb.agent_sources()
    port = [sb.SRC / "port" / "rtthread" / "port_rtthread.c",
            *sorted((sb.SRC / "port" / "common").glob("*.c"))]
    bsp_srcs = [f for f in rendered.integration if f.parent == bsp and f.suffix in (".c", ".S")]
    commands: list[dict[str, str]] = []
    runtime_objs = sb.objects(ours, p, runtime, commands)
    agent_objs = sb.objects(ours, p, agent, commands)
    port_objs = sb.objects(ours, p, port + bsp_srcs, commands)
    kernel_objs = []
    for src in kernel_sources(p):
        target = variant / "obj" / "rt-thread" / src.relative_to(kdir).with_suffix(".o")
        kernel_objs += kernel_env.Object(target=str(target), source=str(src))
    lib = ours.StaticLibrary(str(variant / "wasmbed"), runtime_objs)
    db = sb.compilation_db(ours, variant / "compile_commands.json", commands)

    link_script = bsp / "link.ld"
    link_env = ours.Clone()
    link_env.Replace(LINKFLAGS=sb.ldflags(p, link_script), LIBS=["wasmbed", "gcc"],
                     LIBPATH=[str(variant)])
    fw_path = variant / "firmware.elf"
    firmware = link_env.Program(str(fw_path), agent_objs + port_objs + kernel_objs)
    link_env.Depends(firmware, [lib, str(link_script)])
    link_env.SideEffect(str(variant / "firmware.map"), firmware)
    defaults: list[Any] = [lib, db, firmware]
    images: list[str] = []
    if p.board.flash and p.board.flash.image in ("bin", "hex"):
        fmt = "binary" if p.board.flash.image == "bin" else "ihex"
        out = variant / f"firmware.{p.board.flash.image}"
        defaults.append(ours.Command(str(out), firmware,
                                     f"{sb._cmd(tc.objcopy)} -O {fmt} $SOURCE $TARGET"))
        images.append(str(out))

    tree = p.sdk_tree
    info = rtos_report.build_info(p, fw_path, tc.name, {
        "board": f"{p.board.qemu.machine if p.board.qemu else p.board.name} (our BSP)"},
        images)
    paths = {"runtime": [Path(o.abspath) for o in runtime_objs],
             "agent": [Path(o.abspath) for o in agent_objs],
             "port": [Path(o.abspath) for o in port_objs],
             "rt-thread": [Path(o.abspath) for o in kernel_objs]}
    runtime_comps = {Path(o.abspath): sb.component_of(src)
                     for o, src in zip(runtime_objs, runtime)}
    size_tool = tuple(tc.size)

    def write_json(target: Any, source: Any, env: Any) -> int:
        comps = dict(runtime_comps)
        comps.update({f: name for name in ("agent", "port", "rt-thread") for f in paths[name]})
        try:
            data = rtos_report.measure(info, size_tool, paths["runtime"], comps)
        except WasmbedError as err:
            print(f"wasmbed: error: {err}")
            return 1
        Path(str(target[0])).write_text(json.dumps(data, indent=2) + "\n")
        print(f"wasmbed: {p.board.name}: {rtos_report.summary(data)}, RT-Thread "
              f"{data['components'].get('rt-thread', 0) / 1024:.1f} KiB "
              f"({tree.describe()})")
        return 0

    bj = ours.Command(str(variant / "build.json"), firmware + runtime_objs,
                      Action(write_json, "Measuring $TARGET"))
    defaults.append(bj)
    return defaults
