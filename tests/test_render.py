"""Rendering: wb_config.h from the registry, linker MEMORY == descriptor, RTOS glue."""

from __future__ import annotations

import re

import pytest

from wasmbed.model import descriptors
from wasmbed.model import features
from wasmbed.build import render


def _render(name, tmp_path, keys=None):
    b = descriptors.load_board(name)
    p = descriptors.platform_of(b)
    keys = features.resolve(keys if keys is not None else b.features)
    return b, render.render(b, p, keys, tmp_path / "gen",
                            runtime_sources=["runtime_src/core/wb_loader.c"])


def _defines(text):
    return dict(re.findall(r"^#define (\w+) (.*)$", text, re.M))


BAREMETAL = [b.name for b in descriptors.all_boards()
             if descriptors.platform_of(b).kind == "baremetal" and b.name != "arc-em"]


@pytest.mark.parametrize("name", BAREMETAL)
def test_linker_regions_equal_descriptor(name, tmp_path):
    b, r = _render(name, tmp_path)
    assert r.linker_script is not None
    regions = render.parse_linker_memory(r.linker_script.read_text())
    assert regions == [(m.name, m.attrs, m.origin, m.length) for m in b.memory]
    assert any(s.name == "startup.S" for s in r.sources)


def test_config_header_has_registry_switches_and_board_facts(tmp_path):
    b, r = _render("qemu-riscv64", tmp_path)
    d = _defines(r.config_h.read_text())
    assert d["WB_FEATURE_INTERP"] == "1"
    assert d["WB_FEATURE_GLOBAL_HEAP_POOL"] == "1"
    assert d["WB_FEATURE_MINI_LOADER"] == "0"
    assert d["WB_GLOBAL_HEAP_SIZE"] == f"{b.heap_size}u"
    assert d["WB_PORT_HAS_MALLOC"] == "0"
    assert d["WB_BOARD_NAME"] == '"qemu-riscv64"'
    assert d["WB_FEATURES_STRING"] == '"' + ",".join(features.resolve(b.features)) + '"'
    assert d["WB_CONSOLE_BASE"] == "0x10000000u"
    assert d["WB_FEATURE_PLATFORM_BAREMETAL"] == "1"
    # every registry switch is present, so the C code never falls back silently
    for name, value in features.config_macros(features.resolve(b.features)).items():
        if name.startswith("WB_FEATURE_") and name != "WB_FEATURE_PLATFORM_BAREMETAL":
            assert d[name] == value


def test_heap_size_override(tmp_path):
    b = descriptors.load_board("host")
    p = descriptors.platform_of(b)
    r = render.render(b, p, features.resolve(b.features), tmp_path / "gen", heap_size=4096)
    assert _defines(r.config_h.read_text())["WB_GLOBAL_HEAP_SIZE"] == "4096u"
    assert _defines(r.config_h.read_text())["WB_PORT_HAS_MALLOC"] == "1"
    assert r.linker_script is None and r.sources == ()


def test_unchanged_render_does_not_touch_files(tmp_path):
    _, r = _render("mps2-an386", tmp_path)
    before = {p: p.stat().st_mtime_ns for p in (tmp_path / "gen").rglob("*") if p.is_file()}
    _render("mps2-an386", tmp_path)
    after = {p: p.stat().st_mtime_ns for p in (tmp_path / "gen").rglob("*") if p.is_file()}
    assert before == after


@pytest.mark.parametrize("name,integration,files", [
    ("esp32-idf", "esp-idf", {"CMakeLists.txt", "Kconfig"}),
    ("qemu-aarch64-nuttx", "nuttx", {"Make.defs", "Makefile", "Kconfig", "defconfig.wasmbed"}),
    ("zephyr-mps2-an385", "zephyr", {"CMakeLists.txt", "Kconfig", "zephyr/module.yml"}),
])
def test_rtos_glue_comes_from_the_registry(name, integration, files, tmp_path):
    _, r = _render(name, tmp_path)
    base = tmp_path / "gen" / "integration" / integration
    made = {p.relative_to(base).as_posix() for p in r.integration}
    assert made == files
    kconfig = (base / "Kconfig").read_text()
    selectable = [f for f in features.FEATURES.values()
                  if f.switch and f.selectable and f.category != "Portability"]
    assert selectable
    for f in selectable:  # one option per selectable feature, none hand-written
        sym = "".join(c if c.isalnum() else "_" for c in f.key).upper()
        assert re.search(rf"^(menu)?config \w*WASMBED_{sym}$", kconfig, re.M), f.key
    not_yet = [f for f in features.FEATURES.values() if not f.selectable and f.switch]
    for f in not_yet:
        sym = "".join(c if c.isalnum() else "_" for c in f.key).upper()
        assert not re.search(rf"^config \w*WASMBED_{sym}$", kconfig, re.M), f.key
    build_file = next(p for p in r.integration if p.name in ("CMakeLists.txt", "Makefile"))
    text = build_file.read_text()  # NuttX's Makefile names files, found through VPATH
    assert "runtime_src/core/wb_loader.c" in text or \
        ("wb_loader.c" in text and "$(WASMBED_ROOT)/runtime_src/core" in text)
