"""RIOT (riot-native64) and RT-Thread (rtthread-mps2-an385) built from their source trees
(../shared/sdk extracted by ci/sdk-extract.sh), run, and spec-tested; the errors a missing or
wrong tree gives; the glue a user of either RTOS keeps."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from wasmbed.build import render
from wasmbed.build.driver import build
from wasmbed.cli import main, run_on_qemu_main
from wasmbed.model.descriptors import load_board, platform_of
from wasmbed.errors import WasmbedError
from wasmbed.build.sconsbuild import resolve_features, runtime_sources
from wasmbed.run.spec import SKIP_TEXT

ROOT = Path(__file__).resolve().parent.parent
MIN_PASS_RATE = 0.995
SAMPLE = "i32.wast,call_indirect.wast,br_table.wast,memory_grow.wast,linking.wast,fac.wast"
TREE_VARS = ("RIOTBASE", "RTT_ROOT", "RIOT_COMMIT", "RTT_COMMIT")


@pytest.fixture
def trees(sdk_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    for key, value in sdk_env.items():
        monkeypatch.setenv(key, value)
    return sdk_env


@pytest.fixture
def no_trees(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in TREE_VARS:
        monkeypatch.delenv(key, raising=False)


def _rate(totals: dict) -> float:
    return totals["passed"] / (totals["passed"] + totals["failed"])


# ---- built and run from the trees ------------------------------------------------------------

@pytest.mark.build
@pytest.mark.spec
@pytest.mark.xdist_group("riot")  # RIOT's make on one tree at a time (tests/test_threads_rtos.py)
def test_riot_native64_runs_the_core_suite(trees: dict[str, str], tmp_path: Path) -> None:
    """RIOT's make builds the agent for native64; the whole core suite runs on its stdio
    (about 10 s: the full suite is cheaper than a sample's build)."""
    result = build("riot-native64")
    data = result.build_json
    assert data["status"] == "built" and result.firmware is not None
    assert result.firmware.name == "wasmbed_agent.elf" and result.firmware.is_file()
    assert data["sdk"]["commit"] == trees["RIOT_COMMIT"] and data["sdk"]["board"] == "native64"
    assert 0 < data["runtime"]["text"] < data["sizes"]["text"]
    assert 'Building application "wasmbed_agent" for "native64"' in \
        Path(data["sdk"]["log"]).read_text()
    out = tmp_path / "riot.json"
    code = main(["spec", "--board", "riot-native64", "--suite", "core", "--json", str(out)])
    report = json.loads(out.read_text())
    totals = report["totals"]
    assert totals["passed"] > 25000, totals
    assert code == (1 if totals["failed"] else 0)
    assert _rate(totals) >= MIN_PASS_RATE, totals
    assert set(report["skip_reasons"]) <= {SKIP_TEXT}, report["skip_reasons"]


@pytest.mark.build
@pytest.mark.qemu
@pytest.mark.spec
def test_rtthread_mps2_an385_boots_and_runs_a_sample(trees: dict[str, str],
                                                     tmp_path: Path) -> None:
    """rtthread-nano + our BSP boot under qemu-system-arm; a sample of the core suite passes."""
    out = tmp_path / "rtt.json"
    run_on_qemu_main(["rtthread-mps2-an385", "--files", SAMPLE, "--json", str(out)])
    report = json.loads(out.read_text())
    assert report["board"] == "rtthread-mps2-an385" and report["guest_resets"] == 0
    assert report["totals"]["passed"] > 900, report["totals"]
    assert _rate(report["totals"]) >= MIN_PASS_RATE, report["totals"]
    assert set(report["skip_reasons"]) <= {SKIP_TEXT}
    data = json.loads((ROOT / "build" / "rtthread-mps2-an385" / "build.json").read_text())
    assert data["status"] == "built" and data["sdk"]["commit"] == trees["RTT_COMMIT"]
    kernel = data["components"]["rt-thread"]
    assert 4096 < kernel < data["sizes"]["text"]
    assert data["runtime"]["text"] + kernel < data["sizes"]["text"] + 4096
    # RT-Thread's own banner came before the agent's
    log = Path(report["logs"][0]).read_text(errors="replace")
    assert "Thread Operating System" in log and "WASMBED READY" in log


# ---- without a tree, with a wrong tree, with a broken tree ----------------------------------

@pytest.mark.build
def test_rtthread_without_tree_is_built_without_sdk(no_trees: None, tmp_path: Path) -> None:
    data = build("rtthread-mps2-an385", build_dir=tmp_path / "rtt").build_json
    assert data["status"] == "built-without-sdk" and data["firmware"] is None
    assert "RTT_ROOT" in data["missing"]


@pytest.mark.build
def test_spec_on_riot_without_tree_says_what_is_missing(no_trees: None, capsys) -> None:
    """The build is built-without-sdk (the runtime compiled, no RIOT image): spec says so."""
    code = main(["spec", "--board", "riot-native64", "--files", "fac.wast"])
    err = capsys.readouterr().err
    assert code == 2 and "built without its SDK" in err and "RIOTBASE" in err


@pytest.mark.parametrize("board,var,marker", [
    ("riot-native64", "RIOTBASE", "Makefile.include"),
    ("rtthread-mps2-an385", "RTT_ROOT", "rt-thread/include/rtthread.h"),
])
def test_a_wrong_tree_names_what_was_looked_for(board: str, var: str, marker: str,
                                                no_trees: None, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(var, str(tmp_path))
    with pytest.raises(WasmbedError) as err:
        build(board, build_dir=tmp_path / "out")
    text = str(err.value)
    assert str(tmp_path) in text and var in text and marker in text and "missing" in text


def test_a_failing_riot_build_shows_its_log(no_trees: None, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """A tree that passes the marker check but whose make fails: the error carries the tail
    of RIOT's own output and the path of the whole log."""
    fake = tmp_path / "RIOT"
    (fake / "core" / "include").mkdir(parents=True)
    (fake / "boards" / "native64").mkdir(parents=True)
    (fake / "core" / "include" / "thread.h").write_text("")
    (fake / "Makefile.include").write_text("$(error RIOT says: this tree is broken)\n")
    monkeypatch.setenv("RIOTBASE", str(fake))
    with pytest.raises(WasmbedError) as err:
        build("riot-native64", build_dir=tmp_path / "out")
    text = str(err.value)
    assert "RIOT says: this tree is broken" in text
    assert f"full log: {tmp_path / 'out' / 'riot-build.log'}" in text


# ---- the glue a user keeps ------------------------------------------------------------------

def _glue(board_name: str, tmp_path: Path) -> dict[str, str]:
    board = load_board(board_name)
    keys = resolve_features(board, None)
    out = render.render(board, platform_of(board), keys, tmp_path / "gen",
                        runtime_sources=[str(s.relative_to(ROOT)) for s in runtime_sources(keys)])
    base = tmp_path / "gen" / "integration" / str(platform_of(board).integration)
    return {p.relative_to(base).as_posix(): p.read_text() for p in out.integration}


def test_riot_glue_is_what_a_riot_user_writes(tmp_path: Path) -> None:
    glue = _glue("riot-native64", tmp_path)
    app = glue["app/Makefile"]
    for line in ("APPLICATION = wasmbed_agent", "BOARD ?= native64",
                 "EXTERNAL_MODULE_DIRS += $(abspath $(CURDIR)/../modules)",
                 "USEMODULE += wasmbed wasmbed_port wasmbed_agent",
                 "include $(RIOTBASE)/Makefile.include"):
        assert line in app, line
    for module in ("wasmbed", "wasmbed_port", "wasmbed_agent"):
        assert "include $(RIOTBASE)/Makefile.base" in glue[f"modules/{module}/Makefile"]
    assert "wb_loader.c" in glue["modules/wasmbed/Makefile"]
    assert "-DWB_HAVE_CONFIG_H" in glue["modules/wasmbed/Makefile.include"]
    assert "USEMODULE += stdin" in glue["modules/wasmbed_port/Makefile.dep"]


def test_rtthread_glue_is_an_sconscript_with_definegroup(tmp_path: Path) -> None:
    glue = _glue("rtthread-mps2-an385", tmp_path)
    sconscript = glue["SConscript"]
    ast.parse(sconscript)  # SConscripts are Python
    assert "DefineGroup('wasmbed', src, depend=['PKG_USING_WASMBED']" in sconscript
    assert "runtime_src/core/wb_loader.c" in sconscript and "Return('group')" in sconscript
    assert "menuconfig PKG_USING_WASMBED" in glue["Kconfig"]
    # our BSP for the QEMU board
    assert {"bsp/board.c", "bsp/startup.S", "bsp/rtconfig.h", "bsp/link.ld"} <= set(glue)
    assert "#define RT_USING_USER_MAIN" in glue["bsp/rtconfig.h"]
    assert "wb_bsp_uart_rx_isr      /* IRQ 0: console UART RX */" in glue["bsp/startup.S"]


def test_rtthread_sconscript_runs_the_rt_thread_way(tmp_path: Path, monkeypatch) -> None:
    """Run the rendered SConscript against a stand-in of RT-Thread's tools/building.py: it
    defines one group whose sources exist, depending on PKG_USING_WASMBED."""
    import sys
    import types

    glue = _glue("rtthread-mps2-an385", tmp_path)
    enabled = {"PKG_USING_WASMBED", "PKG_WASMBED_AGENT", "PKG_WASMBED_INTERP",
               "PKG_WASMBED_LIBC_BUILTIN"}
    groups: list[dict] = []
    building = types.ModuleType("building")
    building.GetCurrentDir = lambda: str(tmp_path)  # type: ignore[attr-defined]
    building.GetDepend = lambda names: all(n in enabled for n in names)  # type: ignore[attr-defined]
    building.GetConfigValue = lambda name: "1048576"  # type: ignore[attr-defined]
    building.DefineGroup = lambda name, src, depend, **kw: groups.append(  # type: ignore[attr-defined]
        {"name": name, "src": src, "depend": depend, **kw}) or groups[-1]
    building.__all__ = ["GetCurrentDir", "GetDepend", "GetConfigValue",  # type: ignore[attr-defined]
                        "DefineGroup"]
    monkeypatch.setitem(sys.modules, "building", building)
    returned: list = []
    scope = {"Glob": lambda pattern: sorted(__import__("glob").glob(pattern)),
             "Return": lambda name: returned.append(name)}
    exec(compile(glue["SConscript"], "SConscript", "exec"), scope)
    assert returned == ["group"] and len(groups) == 1
    group = groups[0]
    assert group["name"] == "wasmbed" and group["depend"] == ["PKG_USING_WASMBED"]
    srcs = [Path(s) for s in group["src"]]
    assert all(s.is_file() for s in srcs)
    names = {s.name for s in srcs}
    assert {"wb_loader.c", "wb_interp.c", "port_rtthread.c", "main.c"} <= names
    assert "WB_FEATURE_INTERP=1" in group["CPPDEFINES"]
    assert "WB_FEATURE_PLATFORM_RT_THREAD=1" in group["CPPDEFINES"]
    assert all(Path(d).is_dir() for d in group["CPPPATH"][1:])
