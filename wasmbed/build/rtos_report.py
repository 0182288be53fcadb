"""build.json for a firmware built with an RTOS tree: the whole image (RTOS + runtime) and
the runtime's share of it, in the same shape as the bare-metal boards' build.json; and the
SCons action around the RTOS's own make."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

from wasmbed.build import sizes
from wasmbed.errors import WasmbedError
from wasmbed.model.descriptors import load_board


def make_action(board: str, what: str, step: Callable[[], float]) -> Callable[..., int]:
    """An SCons action function: runs step() (the RTOS's make; its seconds), prints
    "<board>: <what> took N s", or the WasmbedError it raised, and fails the build."""
    def run(target: Any, source: Any, env: Any) -> int:
        try:
            seconds = step()
        except WasmbedError as err:
            print(f"wasmbed: error: {err}")
            return 1
        print(f"wasmbed: {board}: {what} took {seconds:.1f} s")
        return 0
    return run


def build_info(p: Any, firmware: Path, toolchain: str, sdk: Mapping[str, str],
               images: Sequence[str] = ()) -> dict[str, Any]:
    """What build.json says of every RTOS build before it is measured: the plan `p` (a
    sconsbuild.Plan with an sdk_tree), the image, and under "sdk" the tree (name, root,
    commit, found_by) followed by `sdk`'s own fields (the RTOS's board name, its log)."""
    tree = p.sdk_tree
    return {
        "board": p.board.name, "triple": p.board.triple, "platform": p.platform.name,
        "variant": str(p.variant), "features": p.keys, "mode": p.mode,
        "heap_size": p.heap_size, "toolchain": toolchain, "status": "built",
        "missing": None, "notes": p.notes, "firmware": str(firmware), "images": list(images),
        "sdk": {"name": tree.name, "root": str(tree.root), "commit": tree.commit,
                "found_by": tree.found_by, **sdk},
    }


def measure(info: Mapping[str, Any], size_tool: Sequence[str], runtime: Sequence[Path],
            components: Mapping[Path, str]) -> dict[str, Any]:
    """`info` plus sizes (image), runtime (sum of the runtime's objects), components (text
    per component over `components`' objects), memory use per region and whether it fits."""
    board = load_board(str(info["board"]))
    files = sorted({*runtime, *components}, key=str)
    objs = sizes.measure(tuple(size_tool), files)
    comp: dict[str, int] = {}
    for f, name in components.items():
        comp[name] = comp.get(name, 0) + objs[str(f)]["text"]
    fw = Path(str(info["firmware"]))
    image = sizes.measure(tuple(size_tool), [fw])[str(fw)]
    usages = sizes.usage(board, image)
    out = dict(info)
    out.update(sizes=image, runtime=sizes.total(objs[str(f)] for f in runtime),
               components=dict(sorted(comp.items())),
               memory=[{"region": u.region, "what": u.what, "used": u.used, "total": u.total}
                       for u in usages],
               fits=all(u.fits for u in usages))
    return out


def summary(data: Mapping[str, Any]) -> str:
    fw = Path(str(data["firmware"])).name
    return (f"{fw} {data['sizes']['text'] / 1024:.1f} KiB text "
            f"(runtime {data['runtime']['text'] / 1024:.1f} KiB)")


def json_node(env: Any, variant: Path, after: Any, board: str,
              measure_fn: Callable[[], dict[str, Any]]) -> Any:
    """The SCons node that measures an RTOS image into <variant>/build.json once `after`
    (the RTOS's own build) is done, and prints its one-line summary."""
    from SCons.Action import Action  # type: ignore[import-not-found]

    def write_json(target: Any, source: Any, env: Any) -> int:
        try:
            data = measure_fn()
        except WasmbedError as err:
            print(f"wasmbed: error: {err}")
            return 1
        Path(str(target[0])).write_text(json.dumps(data, indent=2) + "\n")
        print(f"wasmbed: {board}: {summary(data)}")
        return 0

    return env.Command(str(variant / "build.json"), after,
                       Action(write_json, "Measuring $TARGET"))
