"""Every tool and header a board's build uses comes from a package ci/setup.sh installs.

This is what keeps a fresh machine working: a header from a recommended package or a tool
installed by hand makes this fail and names the package to add to ci/setup.sh."""

from __future__ import annotations

import shutil

import pytest

from wasmbed.model import descriptors
from wasmbed.build import packages

pytestmark = pytest.mark.skipif(not shutil.which("dpkg-query") or not shutil.which("apt-cache"),
                                reason="the package check needs a Debian system (dpkg, apt)")


def test_every_build_uses_only_what_setup_installs():
    findings = packages.check_boards(descriptors.board_names())
    boards = {f.unit for f in findings}
    assert {"qemu-riscv64", "mps2-an386", "esp32", "host"} <= boards
    assert any(f.kind == "header" for f in findings)
    bad = [f"{f.unit}: {f.problem}" for f in findings if not f.ok]
    assert not bad, "add the packages to ci/setup.sh:\n" + "\n".join(bad)


def test_a_tool_from_a_package_setup_does_not_list_is_named():
    # the fresh-machine bug: clang-22 without recommends brings no llvm-ar-22
    listed = [p for p in packages.setup_packages() if p != "llvm-22"]
    findings = packages.check_boards(["esp32"], packages=listed)
    bad = [f for f in findings if not f.ok]
    assert ("llvm-ar-22", "llvm-22") in [(f.name, f.package) for f in bad]
    assert {f.package for f in bad} == {"llvm-22"}  # llvm-ar-22 and llvm-mc-22
    assert all("ci/setup.sh does not install" in f.problem for f in bad)


def test_closure_follows_depends_not_recommends():
    # gcc-arm-none-eabi recommends newlib: a fresh machine set up without recommends lacks it
    installed = packages.closure(("gcc-arm-none-eabi",))
    assert "binutils-arm-none-eabi" in installed
    assert "libnewlib-arm-none-eabi" not in installed


def test_depfile_parsing():
    text = ("a.o: a.c /usr/include/x.h \\\n /opt/y.h\nb.o: b.c \\\n  /usr/include/x.h\n")
    assert packages.parse_depfile(text) == ["a.c", "/usr/include/x.h", "/opt/y.h", "b.c",
                                            "/usr/include/x.h"]


def test_owner_of_a_file_outside_any_package(tmp_path):
    stray = tmp_path / "stray.h"
    stray.write_text("")
    assert packages.owners([str(stray)]) == {str(stray): ""}
    f = packages.judge("b", "header", "stray.h", str(stray), "", frozenset())
    assert not f.ok and "no Debian package" in f.problem
