"""Per-component optimisation: levels from the descriptor, opt= profiles, what they compile."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from wasmbed.model import optimize
from wasmbed.build.driver import build
from wasmbed.model.descriptors import load_board_file
from wasmbed.errors import WasmbedError
from wasmbed.model.schema import DescriptorError
from wasmbed.build.sconsbuild import parse_arguments


def test_bare_metal_runs_the_hot_loop_fast_and_the_rest_small():
    levels = optimize.resolve(None, size_first=True, profile="board")
    assert levels["interp"] == "-O2"
    assert {levels[g] for g in ("runtime", "libc", "agent", "port")} == {"-Os"}
    assert not optimize.small(levels)
    hosted = optimize.resolve(None, size_first=False, profile="board")
    assert set(hosted.values()) == {"-O2"}


def test_descriptor_levels_and_profiles():
    levels = optimize.resolve({"default": "-O1", "interp": "-O3 -fno-gcse", "libc": None},
                              size_first=True, profile="board")
    assert levels == {"interp": "-O3 -fno-gcse", "runtime": "-O1", "libc": "-O1",
                      "agent": "-O1", "port": "-O1"}
    size = optimize.resolve({"interp": "-O3"}, size_first=True, profile="size")
    assert size == optimize.SIZE_PROFILE and optimize.small(size)
    assert {v.split()[0] for v in size.values()} == {"-Os"}
    # gcc-only flags are not given to clang
    assert optimize.flags(size["runtime"], "gcc") == size["runtime"].split()
    assert "-fno-tree-switch-conversion" not in optimize.flags(size["runtime"], "zig")
    assert set(optimize.resolve(None, size_first=True, profile="speed").values()) == {"-O2"}
    # small-and-slow is a choice: opt=size, or the mini loader (a size-only feature)
    assert optimize.default_profile(["interp", "mini-loader"], None) == "size"
    assert optimize.default_profile(["interp", "mini-loader"], "board") == "board"
    assert optimize.default_profile(["interp"], None) == "board"
    with pytest.raises(WasmbedError, match="opt='fast'"):
        optimize.default_profile([], "fast")
    assert parse_arguments({"board": "host", "opt": "size"}).opt == "size"


def test_groups_of_sources():
    assert optimize.group_of(("core", "wb_interp.c")) == "interp"
    assert optimize.group_of(("core", "wb_loader.c")) == "runtime"
    assert optimize.group_of(("mem", "wb_pool.c")) == "runtime"
    assert optimize.group_of(("libc", "libc_printf.c")) == "libc"
    assert optimize.group_of(("agent", "main.c")) == "agent"
    assert optimize.group_of(()) == "port"


@pytest.mark.parametrize("value,message", [
    ("-O9", "expected an optimisation level"),
    ("-O2 -DFOO=1", "only -f/-m code generation flags"),
])
def test_bad_levels_name_file_line_and_field(tmp_path, value, message):
    src = Path(__file__).resolve().parents[1] / "boards" / "mps2-an386.yaml"
    board = tmp_path / "mps2-an386.yaml"
    text = src.read_text()
    board.write_text(text + f"optimize: {{interp: {value}}}\n")
    line = text.count("\n") + 1
    with pytest.raises(DescriptorError, match=rf"mps2-an386.yaml:{line}: optimize.interp: "
                                              rf"{message}"):
        load_board_file(board)


def _commands(out: Path) -> dict[str, str]:
    db = json.loads((out / "compile_commands.json").read_text())
    return {Path(c["file"]).name: c["command"] for c in db if c["file"].endswith(".c")}


@pytest.mark.build
@pytest.mark.skipif(not shutil.which("arm-none-eabi-gcc"), reason="needs gcc-arm-none-eabi")
def test_board_build_compiles_each_group_at_its_level_and_reports_the_cost(tmp_path):
    out = tmp_path / "an386"
    bj = build("mps2-an386", build_dir=out).build_json
    cmds = _commands(out)
    assert " -O2 " in cmds["wb_interp.c"] and " -Os " not in cmds["wb_interp.c"]
    assert " -Os " in cmds["wb_loader.c"] and " -Os " in cmds["main.c"]
    # one interpreter flavour in every file: wb_compile.c emits what wb_interp.c runs
    assert all("-DWB_SMALL=0" in c for c in cmds.values())
    opt = bj["optimize"]
    assert opt["profile"] == "board" and opt["levels"]["interp"] == "-O2"
    assert opt["small_interpreter"] is False
    cost = opt["cost_over_opt_size"]
    files = cost["files"]
    # wb_fast.c (fast-interp executor, interp group) is empty without the feature
    assert {f for f, v in files.items() if v["text"] or v["text_opt_size"]} == {
        "wb_interp.c", "wb_compile.c"}
    assert files["wb_interp.c"]["text"] > files["wb_interp.c"]["text_opt_size"] > 0
    assert cost["extra_text"] == sum(f["text"] - f["text_opt_size"] for f in files.values())

    small = tmp_path / "an386-size"
    bj_small = build("mps2-an386", build_dir=small, opt="size").build_json
    assert all("-DWB_SMALL=1" in c and " -Os " in c for c in _commands(small).values())
    assert "-fno-jump-tables" in _commands(small)["wb_loader.c"]
    assert bj_small["optimize"]["cost_over_opt_size"] is None
    assert bj_small["runtime"]["text"] < bj["runtime"]["text"]

