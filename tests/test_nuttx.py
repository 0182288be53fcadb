"""NuttX boards built by NuttX's own make from $NUTTX_DIR (wasmbed/build/rtos_nuttx.py): the glue,
the errors for missing and wrong trees, a failing NuttX step, and the firmware booted under
QEMU running the spec suite over NuttX's serial console (the whole core suite on aarch64, a
sample on riscv64). The NuttX builds are cached in build/<board>/ (NuttX's make is
incremental), so every test of a board shares one build."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from wasmbed.build import render
from wasmbed.build import rtos_nuttx
from wasmbed.build.driver import build
from wasmbed.cli import run_on_qemu_main
from wasmbed.model.descriptors import load_board, platform_of
from wasmbed.errors import WasmbedError
from wasmbed.build.sconsbuild import resolve_features, runtime_sources
from wasmbed.build.sdk import SdkError, find
from wasmbed.run.spec import SKIP_TEXT

ROOT = Path(__file__).resolve().parent.parent
BOARDS = ("qemu-aarch64-nuttx", "qemu-riscv64-nuttx")
NUTTX_VARS = ("NUTTX_DIR", "NUTTX_APPS_DIR", "NUTTX_COMMIT")
MIN_PASS_RATE = 0.995


def _render(board_name: str, tmp_path: Path) -> Path:
    board = load_board(board_name)
    keys = resolve_features(board, None)
    render.render(board, platform_of(board), keys, tmp_path / "gen",
                  runtime_sources=[str(s.relative_to(ROOT)) for s in runtime_sources(keys)])
    return tmp_path / "gen" / "integration" / "nuttx"


@pytest.fixture
def nuttx_env(sdk_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    for key in NUTTX_VARS:
        monkeypatch.setenv(key, sdk_env[key])
    return sdk_env


@pytest.fixture
def no_nuttx(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in NUTTX_VARS:
        monkeypatch.delenv(key, raising=False)


# ---- the glue (no tree needed) ---------------------------------------------------------------

@pytest.mark.parametrize("board", BOARDS)
def test_glue_is_an_app_with_its_options(board: str, tmp_path: Path) -> None:
    glue = _render(board, tmp_path)
    assert {p.name for p in glue.iterdir()} == {"Kconfig", "Make.defs", "Makefile",
                                                 "defconfig.wasmbed"}
    makefile = (glue / "Makefile").read_text()
    assert "include $(APPDIR)/Application.mk" in makefile
    assert "VPATH += $(foreach d,$(WASMBED_DIRS),:$(d))" in makefile
    assert "port_nuttx.c" in makefile and "MAINSRC = main.c" in makefile
    assert "wb_interp.c " in makefile and "runtime_src/core/wb_interp.c" not in makefile
    options = rtos_nuttx.parse_fragment((glue / "defconfig.wasmbed").read_text(), "fragment")
    assert options["INIT_ENTRYPOINT"] == '"wasmbed_main"'
    assert options["INTERPRETERS_WASMBED"] == "y"
    assert options["INTERPRETERS_WASMBED_LIBC_BUILTIN"] == "y"
    assert options["DEVICE_TREE"] == "n" and options["LIBC_FDT"] == "n"  # no download
    assert options["BOARDCTL_POWEROFF"] == "y"


def test_fragment_parsing_tweaks_and_unmet_options() -> None:
    opts = rtos_nuttx.parse_fragment('# c\nCONFIG_A=y\n# CONFIG_B is not set\nCONFIG_C="x y"\n'
                                     "CONFIG_D=4096\n", "f")
    assert opts == {"A": "y", "B": "n", "C": '"x y"', "D": "4096"}
    assert rtos_nuttx.tweak_args(opts) == ["--enable", "A", "--disable", "B", "--set-str", "C",
                                           "x y", "--set-val", "D", "4096"]
    assert rtos_nuttx.unmet(opts, {"A": "y", "C": '"x y"', "D": "4096"}) == []
    assert rtos_nuttx.unmet(opts, {"A": "n", "B": "y", "C": '"x y"'}) == [
        "CONFIG_A=n (wanted y)", "CONFIG_B=y (wanted off)", "CONFIG_D=n (wanted 4096)"]
    with pytest.raises(WasmbedError, match=r"f:2: expected CONFIG_X=value"):
        rtos_nuttx.parse_fragment("CONFIG_A=y\nA=y\n", "f")


# ---- no tree, a wrong tree, a failing NuttX step -------------------------------------------

@pytest.mark.build
def test_without_a_tree_the_build_says_what_is_missing(no_nuttx: None, tmp_path: Path) -> None:
    r = build("qemu-aarch64-nuttx", build_dir=tmp_path / "v")
    assert r.build_json["status"] == "built-without-sdk" and r.firmware is None
    assert "NUTTX_DIR" in r.build_json["missing"]


@pytest.mark.build
def test_a_wrong_tree_is_a_clear_error(no_nuttx: None, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "nuttx").mkdir()
    (tmp_path / "nuttx" / "Makefile").write_text("all:\n")
    monkeypatch.setenv("NUTTX_DIR", str(tmp_path / "nuttx"))
    with pytest.raises(WasmbedError) as err:
        build("qemu-aarch64-nuttx", build_dir=tmp_path / "v")
    text = str(err.value)
    assert f"{tmp_path / 'nuttx'} (from NUTTX_DIR) is not a NuttX tree" in text
    assert "missing: tools/configure.sh, sched/Kconfig, include/nuttx/sched.h" in text
    # sdk= overrides the variable and is checked the same way
    with pytest.raises(WasmbedError, match=r"\(from sdk= argument\) is not a NuttX tree"):
        build("qemu-aarch64-nuttx", build_dir=tmp_path / "v", sdk=tmp_path)


def test_apps_missing_beside_the_tree(sdk_env: dict[str, str], no_nuttx: None,
                                      tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NUTTX_DIR", sdk_env["NUTTX_DIR"])
    monkeypatch.setenv("NUTTX_APPS_DIR", str(tmp_path))
    with pytest.raises(SdkError, match=r"is not a apps tree: .*missing: Application.mk"):
        find(platform_of(load_board("qemu-aarch64-nuttx")))


def test_a_failing_nuttx_step_shows_its_log_tail(nuttx_env: dict[str, str],
                                                 tmp_path: Path) -> None:
    """NuttX's own configure.sh refusing an unknown board config: the error has the tail of
    the log and its path."""
    tree = find(platform_of(load_board("qemu-aarch64-nuttx")))
    assert tree is not None
    variant = tmp_path / "v"
    src = rtos_nuttx.src_dir(variant)
    src.mkdir(parents=True)
    for name, path in (("nuttx", tree.root), ("apps", tree.companions["apps"])):
        subprocess.run(["cp", "-al", str(path), str(src / name)], check=True)  # hard links
    log = rtos_nuttx.log_path(variant)
    with pytest.raises(SdkError) as err:
        rtos_nuttx.configure("qemu-armv8a:no-such-config", {}, "aarch64-linux-gnu-", variant,
                             log, kconfig_changed=True)
    text = str(err.value)
    assert "NuttX configure qemu-armv8a:no-such-config failed" in text
    assert f"full log: {log}" in text and "no-such-config" in log.read_text()
    assert not (tree.root / ".config").exists()  # the user's tree is never configured


# ---- built by NuttX's make, booted, spec-tested ---------------------------------------------

def _built(board: str) -> dict:
    if shutil.which(load_board(board).toolchain.prefix + "gcc") is None:
        pytest.fail(f"{load_board(board).toolchain.prefix}gcc missing: run ci/setup.sh")
    r = build(board)
    data = r.build_json
    assert data["status"] == "built" and r.firmware is not None and r.firmware.is_file()
    assert data["sdk"]["name"] == "NuttX" and data["sdk"]["commit"] != "unknown"
    assert 0 < data["runtime"]["text"] < data["sizes"]["text"]
    assert {"interp", "loader", "agent", "port"} <= set(data["components"])
    return data


@pytest.mark.build
@pytest.mark.qemu
@pytest.mark.spec
@pytest.mark.slow
@pytest.mark.xdist_group("nuttx-qemu-aarch64-nuttx")  # one build dir (tests/test_threads_rtos.py)
def test_aarch64_nuttx_runs_the_whole_core_suite(nuttx_env: dict[str, str],
                                                 tmp_path: Path) -> None:
    data = _built("qemu-aarch64-nuttx")
    assert data["sdk"]["commit"] == nuttx_env["NUTTX_COMMIT"]
    out = tmp_path / "nuttx-aarch64.json"
    run_on_qemu_main(["qemu-aarch64-nuttx", "--json", str(out)])
    report = json.loads(out.read_text())
    totals = report["totals"]
    assert totals["passed"] > 25000, totals  # the whole suite ran
    assert totals["passed"] / (totals["passed"] + totals["failed"]) >= MIN_PASS_RATE, totals
    assert set(report["skip_reasons"]) <= {SKIP_TEXT}
    assert "virt" in report["qemu_machine"]


SAMPLE = "i32.wast,i64.wast,f32.wast,f64.wast,conversions.wast,call_indirect.wast,br_table.wast,memory_grow.wast,bulk.wast,ref_func.wast,linking.wast"


@pytest.mark.build
@pytest.mark.qemu
@pytest.mark.spec
@pytest.mark.slow
@pytest.mark.xdist_group("nuttx-qemu-riscv64-nuttx")  # one build dir (tests/test_threads_rtos.py)
def test_riscv64_nuttx_passes_a_sample(nuttx_env: dict[str, str], tmp_path: Path) -> None:
    _built("qemu-riscv64-nuttx")
    out = tmp_path / "nuttx-riscv64.json"
    run_on_qemu_main(["qemu-riscv64-nuttx", "--files", SAMPLE, "--json", str(out)])
    report = json.loads(out.read_text())
    assert report["totals"]["passed"] > 7000, report["totals"]
    assert report["totals"]["failed"] == 0, {n: f for n, f in report["files"].items()
                                             if f["failed"]}
