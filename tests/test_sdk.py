"""Finding RTOS trees (wasmbed/build/sdk.py): markers, companions, commits, errors, logged builds."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from wasmbed.build import sdk
from wasmbed.model.descriptors import load_platform


def _tree(root: Path, files: list[str]) -> Path:
    for f in files:
        (root / f).parent.mkdir(parents=True, exist_ok=True)
        (root / f).write_text("x\n")
    return root


NUTTX = ["Makefile", "tools/configure.sh", "sched/Kconfig", "include/nuttx/sched.h"]
APPS = ["Application.mk", "Make.defs", "nshlib/Makefile"]


def test_nothing_set_is_none_and_locate_says_what_to_set() -> None:
    nuttx = load_platform("nuttx")
    assert sdk.find(nuttx, environ={}) is None
    with pytest.raises(sdk.SdkError) as err:
        sdk.locate(nuttx, environ={})
    assert "no NuttX tree" in str(err.value) and "$NUTTX_DIR" in str(err.value)
    assert "sdk=PATH" in str(err.value)


def test_apps_beside_and_commit_from_env(tmp_path: Path) -> None:
    root = _tree(tmp_path / "nuttx", NUTTX)
    _tree(tmp_path / "apps", APPS)
    tree = sdk.locate(load_platform("nuttx"),
                      environ={"NUTTX_DIR": str(root), "NUTTX_COMMIT": "abc123"})
    assert tree.root == root.resolve() and tree.found_by == "NUTTX_DIR"
    assert tree.companions == {"apps": (tmp_path / "apps").resolve()}
    assert tree.commit == "abc123"
    assert sdk.find(load_platform("nuttx"), environ={"NUTTX_DIR": str(root)}).commit == "unknown"


def test_override_wins_and_apps_from_its_variable(tmp_path: Path) -> None:
    root = _tree(tmp_path / "a" / "nuttx", NUTTX)
    apps = _tree(tmp_path / "b" / "my-apps", APPS)
    tree = sdk.locate(load_platform("nuttx"), root,
                      environ={"NUTTX_DIR": "/nonexistent", "NUTTX_APPS_DIR": str(apps)})
    assert tree.found_by == "sdk= argument" and tree.companions["apps"] == apps.resolve()


def test_wrong_tree_names_what_was_looked_for_and_missing(tmp_path: Path) -> None:
    root = _tree(tmp_path / "nuttx", ["Makefile"])
    with pytest.raises(sdk.SdkError) as err:
        sdk.find(load_platform("nuttx"), environ={"NUTTX_DIR": str(root)})
    text = str(err.value)
    assert str(root) in text and "from NUTTX_DIR" in text
    assert "missing: tools/configure.sh, sched/Kconfig, include/nuttx/sched.h" in text


def test_missing_apps_and_missing_dir(tmp_path: Path) -> None:
    root = _tree(tmp_path / "nuttx", NUTTX)
    with pytest.raises(sdk.SdkError, match=r"no apps tree at .*apps \(beside the NuttX tree\)"):
        sdk.find(load_platform("nuttx"), environ={"NUTTX_DIR": str(root)})
    with pytest.raises(sdk.SdkError, match="no tree at"):
        sdk.find(load_platform("riot"), environ={"RIOTBASE": str(tmp_path / "nope")})
    _tree(tmp_path / "apps", ["Make.defs"])
    with pytest.raises(sdk.SdkError, match="missing: Application.mk, nshlib/Makefile"):
        sdk.find(load_platform("nuttx"), environ={"NUTTX_DIR": str(root)})


def test_git_commit_read_with_rev_parse(tmp_path: Path) -> None:
    import subprocess
    root = _tree(tmp_path / "RIOT", ["Makefile.include", "core/include/thread.h",
                                     "boards/native64/Makefile"])
    git = ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run(git + ["init", "-q"], check=True)
    subprocess.run(git + ["add", "."], check=True)
    subprocess.run(git + ["commit", "-qm", "x"], check=True)
    head = subprocess.run(git + ["rev-parse", "HEAD"], capture_output=True, text=True,
                          check=True).stdout.strip()
    tree = sdk.locate(load_platform("riot"), environ={"RIOTBASE": str(root),
                                                      "RIOT_COMMIT": "ignored"})
    assert tree.commit == head


def test_run_logged_failure_has_tail_and_log_path(tmp_path: Path) -> None:
    log = tmp_path / "v" / "rtos-build.log"
    code = "import sys\nfor i in range(100): print('line', i)\nsys.exit(3)"
    with pytest.raises(sdk.SdkError) as err:
        sdk.run_logged([sys.executable, "-c", code], cwd=tmp_path, log=log, what="RTOS make")
    text = str(err.value)
    assert "RTOS make failed (exit 3)" in text and f"full log: {log}" in text
    assert "line 99" in text and "line 60" not in text   # the last ~30 lines only
    assert "line 0\n" in log.read_text()                   # the full log keeps everything
    sdk.run_logged([sys.executable, "-c", "print('ok')"], cwd=tmp_path, log=log, what="x")
    assert "ok\n[exit 0]" in log.read_text()


def test_extracted_trees_are_found(sdk_env: dict[str, str]) -> None:
    for platform, name in (("nuttx", "NuttX"), ("riot", "RIOT"), ("rt-thread", "RT-Thread")):
        tree = sdk.locate(load_platform(platform), environ=sdk_env)
        assert tree.name == name and tree.commit != "unknown"
    assert sdk.locate(load_platform("nuttx"), environ=sdk_env).commit == sdk_env["NUTTX_COMMIT"]


def test_log_tail_drops_terminal_redraws(tmp_path: Path) -> None:
    log = tmp_path / "b.log"
    log.write_text("\x1b[1KCC:  a.c \x1b[1K\rCC:  b.c \x1b[1K\nx.c:1: error: boom\n")
    assert sdk.log_tail(log, 2) == "  CC:  b.c\n  x.c:1: error: boom"
