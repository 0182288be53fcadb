"""The feature registry: every support-table row is there, lookups, resolution, macros."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from wasmbed import ROOT
from wasmbed.model import features as reg
from wasmbed.errors import WasmbedError
from wasmbed.model.features_table import TARGETS

SEEDS = Path(os.environ.get("WASMBED_SEEDS", ROOT.parent / "shared" / "seeds"))
TESTSUITE = Path(os.environ.get("WASMBED_TESTSUITE", ROOT.parent / "shared" / "wasm-testsuite"))


# ------------------------------------------------------------ the seed support table

def _seed_file() -> Path:
    found = sorted(SEEDS.glob("000_*.txt")) if SEEDS.is_dir() else []
    if not found:
        pytest.skip(f"support table 000_*.txt not found in {SEEDS} (set WASMBED_SEEDS)")
    return found[0]


def _parse_seed() -> tuple[list[dict], list[tuple[str, str]]]:
    """Feature rows (tier, label, flag or None, category) and target rows (triple, tier)."""
    features, targets = [], []
    tier = section = None
    for line in _seed_file().read_text().splitlines():
        m = re.match(r"^# Tier([ABC])\s*$", line)
        if m:
            tier, section = m.group(1), None
            continue
        m = re.match(r"^## (Targets|Features)\s*$", line)
        if m:
            section = m.group(1)
            continue
        if not tier or not section or not line.startswith("|"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells[0] in ("Description", "") or set(cells[0]) <= set("-: "):
            continue
        if section == "Targets":
            targets.append((cells[0], tier))
            continue
        link = re.match(r"^\[([^\]]+)\]\(", cells[1])
        flag = link.group(1) if link else cells[1]
        if flag.startswith("ALWAYS ON") or " " in flag:  # "Combination of flags"
            flag = None
        features.append({"tier": tier, "label": cells[0], "flag": flag, "category": cells[2]})
    return features, targets


def test_seed_parser_sees_every_row():
    features, targets = _parse_seed()
    per_tier = {t: sum(1 for r in features if r["tier"] == t) for t in "ABC"}
    assert per_tier == {"A": 31, "B": 41, "C": 28}, per_tier  # 85 features + 15 portability
    assert len(targets) == 21


def test_every_seed_feature_row_is_in_the_registry():
    features, _ = _parse_seed()
    missing = []
    for row in features:
        hits = [f for f in reg.FEATURES.values()
                if f.in_seed and f.tier == row["tier"]
                and f.label.casefold() == row["label"].casefold()]
        if len(hits) != 1:
            missing.append(f"tier {row['tier']} '{row['label']}': {len(hits)} matches")
            continue
        f = hits[0]
        assert f.category == row["category"], f.key
        if row["flag"]:
            assert row["flag"] in f.flags, (f.key, row["flag"])
            if row["flag"].lower() != "wamr_build_platform=darwin":  # shared by darwin+ios
                assert reg.lookup(row["flag"]).key == f.key
    assert not missing, missing


def test_registry_has_no_invented_seed_rows():
    features, _ = _parse_seed()
    labels = {(r["tier"], r["label"].casefold()) for r in features}
    extra = [f.key for f in reg.FEATURES.values()
             if f.in_seed and (f.tier, f.label.casefold()) not in labels]
    assert not extra, f"rows marked in_seed but absent from the table: {extra}"
    assert sum(f.in_seed for f in reg.FEATURES.values()) == len(features)


def test_every_seed_target_is_known():
    _, targets = _parse_seed()
    known = {t[0]: t[1] for t in TARGETS}
    assert {t: tier for t, tier in targets} == known


# ------------------------------------------------------------ registry consistency

def test_registry_is_consistent():
    assert reg.check_registry() == []


def test_required_rows_and_statuses():
    expect = {
        "interp": reg.WORKS, "mini-loader": reg.WORKS, "global-heap-pool": reg.WORKS,
        "global-heap-size": reg.WORKS, "libc-builtin": reg.WORKS,
        "custom-name-section": reg.WORKS, "platform-linux": reg.WORKS,
        "platform-baremetal": reg.WORKS, "multi-value": reg.ALWAYS_ON,
        "nontrapping-fptoint": reg.ALWAYS_ON, "mutable-globals": reg.ALWAYS_ON,
        "bulk-memory": reg.ALWAYS_ON, "ref-types": reg.ALWAYS_ON, "sign-ext": reg.ALWAYS_ON,
        "aot": reg.WORKS, "fast-interp": reg.WORKS, "wamrc": reg.WORKS,
        "aot-validator": reg.WORKS, "aot-intrinsics": reg.NA, "quick-aot-entry": reg.NA,
        "aot-stack-frame": reg.NOT_YET,
        "jit": reg.NOT_YET, "fast-jit": reg.NOT_YET, "libc-wasi": reg.WORKS,
        "simd": reg.WORKS, "platform-linux-sgx": reg.NA, "hw-bound-check": reg.NA,
    }
    got = {k: reg.FEATURES[k].status for k in expect}
    assert got == expect


def test_feature_is_frozen():
    with pytest.raises(Exception):
        reg.FEATURES["interp"].status = reg.NOT_YET  # type: ignore[misc]


# ------------------------------------------------------------ lookup

def test_every_name_looks_up_to_its_feature():
    for f in reg.FEATURES.values():
        assert reg.lookup(f.key) is f
        assert reg.lookup(f.key.upper()) is f
        assert reg.lookup(f.key.replace("-", "_")) is f
        assert reg.lookup(f.switch) is f
        for alias in f.aliases:
            assert reg.lookup(alias) is f, alias
        for flag in f.flags:
            if flag.lower() != "wamr_build_platform=darwin":
                assert reg.lookup(flag) is f, flag


@pytest.mark.parametrize("name,key", [
    ("WAMR_BUILD_INTERP", "interp"), ("wamr_build_interp", "interp"),
    ("-DWAMR_BUILD_MINI_LOADER", "mini-loader"), ("classic-interp", "interp"),
    ("WAMR_BUILD_PALTFORM=zephyr", "platform-zephyr"),   # the table's typo
    ("WAMR_BUILD_PLATFORM=zephyr", "platform-zephyr"),
    ("WAMR_BH_vprintf", "bh-vprintf"), ("WAMR_BH_VPRINTF", "bh-vprintf"),
    ("WAMR_BUILD_PLATFORM=darwin", "platform-darwin"), ("ios", "platform-ios"),
    ("WAMR_BUILD_EXCE_HANDLING", "legacy-exception-handling"),
    ("name-section", "custom-name-section"), ("threads", "shared-memory"),
    ("WB_FEATURE_GLOBAL_HEAP_SIZE", "global-heap-size"), (" interp ", "interp"),
    ("-DWAMR_BUILD_AOT=1", "aot"), ("WAMR_BUILD_SIMD=ON", "simd"),
])
def test_lookup_aliases(name, key):
    assert reg.lookup(name).key == key


def test_flag_set_to_off_is_refused():
    with pytest.raises(WasmbedError, match="switches feature 'simd' off"):
        reg.lookup("-DWAMR_BUILD_SIMD=0")


def test_unknown_name_suggests_nearest():
    with pytest.raises(WasmbedError) as err:
        reg.lookup("intrp")
    assert str(err.value).startswith("unknown feature 'intrp'; did you mean 'interp'")
    with pytest.raises(WasmbedError, match="did you mean 'mini-loader'"):
        reg.lookup("mini-loadr")
    with pytest.raises(WasmbedError, match="did you mean 'libc-builtin'"):
        reg.resolve(["libc-bultin"])
    with pytest.raises(WasmbedError) as err:
        reg.lookup("qqqqqqqq")
    assert "did you mean" not in str(err.value)


# ------------------------------------------------------------ resolve

def test_default_features_resolve_to_themselves():
    defaults = reg.default_features()
    assert set(defaults) == {"interp", "libc-builtin", "global-heap-pool"}
    assert reg.resolve(defaults) == sorted(defaults)


def test_resolve_returns_sorted_keys_from_any_name():
    assert reg.resolve(["WAMR_BUILD_LIBC_BUILTIN", "interp", "interp", ""]) == \
        ["interp", "libc-builtin"]


def test_missing_requirement_is_added_when_it_works():
    assert reg.resolve(["mini-loader"]) == ["interp", "mini-loader"]
    assert reg.resolve(["heap-size"]) == ["global-heap-pool", "global-heap-size", "interp"]


def test_running_mode_is_always_present():
    assert reg.resolve([]) == ["interp"]
    assert reg.resolve(["libc-builtin"]) == ["interp", "libc-builtin"]
    assert reg.resolve(["aot"]) == ["aot"]


def test_implies_are_added():
    assert reg.resolve(["jit"], allow_not_yet=True) == ["aot", "interp", "jit"]
    assert "call-indirect-overlong" in reg.resolve(["ref-types"])
    assert set(reg.resolve(["lib-pthread-semaphore"], allow_not_yet=True)) >= {
        "lib-pthread", "thread-mgr", "bulk-memory", "shared-memory"}


def test_not_yet_is_refused_with_a_clear_message():
    with pytest.raises(WasmbedError) as err:
        reg.resolve(["interp", "fast-jit"])
    assert str(err.value).startswith(
        "feature 'fast-jit' (Fast JIT, tier C) is not implemented yet in wasmbed")
    for f in reg.select(status=reg.NOT_YET):
        with pytest.raises(WasmbedError, match="not implemented yet"):
            reg.resolve([f.key])


def test_na_is_refused_even_when_not_yet_is_allowed():
    for f in reg.select(status=reg.NA):
        with pytest.raises(WasmbedError, match="does not apply to wasmbed"):
            reg.resolve([f.key], allow_not_yet=True)


def test_every_selectable_feature_resolves_alone():
    for f in reg.FEATURES.values():
        if f.selectable:
            assert f.key in reg.resolve([f.key])


def test_conflict_names_both_features_and_why():
    with pytest.raises(WasmbedError) as err:
        reg.resolve(["jit", "multi-module"], allow_not_yet=True)
    msg = str(err.value)
    assert "'jit'" in msg and "'multi-module'" in msg and "other loaded modules" in msg
    # another runtime's limits, not ours: these build together (a module the AOT
    # translator cannot compile is refused by name and runs interpreted)
    assert reg.conflict_reason("aot", "legacy-exception-handling") == ""
    assert reg.conflict_reason("aot", "multi-memory") == ""
    with pytest.raises(WasmbedError, match=r"'jit'.*'legacy-exception"):
        reg.resolve(["jit", "legacy-exception-handling"], allow_not_yet=True)
    with pytest.raises(WasmbedError, match="'platform-baremetal' and 'platform-linux' conflict"):
        reg.resolve(["platform-linux", "baremetal"])
    assert reg.conflict_reason("fast-interp", "jit")
    assert reg.conflict_reason("interp", "libc-builtin") == ""


def test_conflicts_are_symmetric():
    for f in reg.FEATURES.values():
        for other in f.conflicts:
            assert f.key in reg.FEATURES[other].conflicts


def test_unmet_requirement_names_both():
    with pytest.raises(WasmbedError) as err:
        reg.resolve(["wasi-ephemeral-nn"], allow_not_yet=True)
    assert "'wasi-ephemeral-nn'" in str(err.value) and "'wasi-nn'" in str(err.value)
    assert "wasi-nn" in reg.resolve(["wasi-ephemeral-nn", "wasi-nn"], allow_not_yet=True)
    # a requirement that works is added: copy-call-stack brings dump-call-stack
    assert reg.resolve(["copy-call-stack"]) == ["copy-call-stack", "dump-call-stack", "interp"]


def test_alternative_requirements():
    with pytest.raises(WasmbedError, match="'jit'.* or 'fast-jit'"):
        reg.resolve(["lazy-jit"], allow_not_yet=True)
    assert "lazy-jit" in reg.resolve(["lazy-jit", "fast-jit"], allow_not_yet=True)


def test_arch_limits():
    # memory64 is bounds checked in software: 32-bit boards too (docs/memory.md)
    reg.check_arch(["interp", "memory64"], "riscv32")
    reg.check_arch(["fast-jit"], "x86_64")
    with pytest.raises(WasmbedError, match="'fast-jit'.*riscv32"):
        reg.check_arch(["fast-jit"], "riscv32")


# ------------------------------------------------------------ macros and help

def test_config_macros_has_a_switch_per_feature():
    keys = reg.resolve(reg.default_features())
    macros = reg.config_macros(keys)
    switches = {f.switch for f in reg.FEATURES.values()}
    assert len(switches) == len(reg.FEATURES)
    assert set(macros) == switches | {"WB_FEATURES_STRING"}
    for name, value in macros.items():
        assert re.fullmatch(r"WB_[A-Z0-9_]+", name), name
        if name != "WB_FEATURES_STRING":
            assert value in ("0", "1")
    assert macros["WB_FEATURE_INTERP"] == "1"
    assert macros["WB_FEATURE_GLOBAL_HEAP_POOL"] == "1"
    assert macros["WB_FEATURE_MINI_LOADER"] == "0"
    assert macros["WB_FEATURE_AOT"] == "0"
    assert macros["WB_FEATURE_MULTI_VALUE"] == "1"  # always on
    assert macros["WB_FEATURES_STRING"] == '"global-heap-pool,interp,libc-builtin"'


def test_works_features_are_honoured_by_the_runtime():
    """A "works" switch must be read by the C code (or it would be a fake feature)."""
    sources = [p for p in (ROOT / "runtime_src").rglob("*.[ch]") if p.name != "wb_defaults.h"]
    if not sources:
        pytest.skip("runtime_src has no C sources yet")
    text = "\n".join(p.read_text(errors="replace") for p in sources)
    unread = [f.key for f in reg.select(status=reg.WORKS)
              if f.category not in ("Portability", "Compiler")  # the OS; host tools
              and f.key != "interp"  # the one running mode
              and f.switch not in text and not (f.value and f.value in text)]
    assert not unread, f"features marked works that no C source reads: {unread}"


def test_scons_help_lists_every_key():
    text = reg.scons_help()
    for f in reg.FEATURES.values():
        if f.selectable:
            assert re.search(rf"^\s+{re.escape(f.key)}\s+tier {f.tier}\s+{f.status}",
                             text, re.M), f.key
        else:
            assert re.search(rf"[ ,]{re.escape(f.key)}(,|$)", text, re.M), f.key


def test_platform_key():
    assert reg.platform_key("linux") == "platform-linux"
    assert reg.platform_key("baremetal") == "platform-baremetal"
    assert reg.platform_key("zephyr") == "platform-zephyr"
    assert reg.platform_key("interp") is None
    assert reg.platform_key("no-such-os") is None


# ------------------------------------------------------------ spec testsuite mapping

def test_wast_mapping():
    assert reg.feature_for_wast("simd_lane.wast") == "simd"
    assert reg.feature_for_wast("proposals/exception-handling/legacy/throw.wast") == \
        "legacy-exception-handling"
    assert reg.feature_for_wast("proposals/exception-handling/try_table.wast") == \
        "exception-handling"
    assert reg.feature_for_wast("proposals/memory64/simd_lane.wast") == "memory64"
    assert reg.feature_for_wast("i32.wast") is None


def test_wast_globs_match_the_testsuite():
    if not TESTSUITE.is_dir():
        pytest.skip(f"testsuite not found at {TESTSUITE} (set WASMBED_TESTSUITE)")
    for f in reg.FEATURES.values():
        for pattern in f.wast:
            assert list(TESTSUITE.glob(pattern)), f"{f.key}: {pattern} matches no file"


# ------------------------------------------------------------ CLI

def test_features_command(capsys, monkeypatch):
    import argparse
    import json

    monkeypatch.setenv("COLUMNS", "250")  # xdist workers get an 80-column console

    from wasmbed.commands import features as cmd

    parser = argparse.ArgumentParser()
    cmd.configure(parser)
    assert cmd.run(parser.parse_args(["--tier", "A", "--status", "works", "--json"])) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["key"] for r in rows} == {f.key for f in reg.select(tier="A", status="works")}
    assert cmd.run(parser.parse_args(["--tier", "C"])) == 0
    out = capsys.readouterr().out
    assert "mini-loader" in out and "WAMR_BUILD_MINI_LOADER" in out
    assert "Classic Interpreter" not in out  # tier A
    assert cmd.run(parser.parse_args(["WAMR_BUILD_AOT"])) == 0
    assert "AoT runtime" in capsys.readouterr().out
    with pytest.raises(WasmbedError, match="did you mean 'aot'"):
        cmd.run(parser.parse_args(["aott"]))
