"""The app store in the real agent (feature app-store, docs/appstore.md): the board's
`app_store:` descriptor field, the generated config, and under QEMU (riscv64 `virt` with a
file-backed pflash) `wasmbed push` over the serial line, restarts that boot the newest
valid app, and QEMU killed in the middle of a push."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from wasmbed import ROOT
from wasmbed.build import appstore as st
from wasmbed.errors import WasmbedError
from wasmbed.model import descriptors
from wasmbed.model.schema import DescriptorError

BOARD = "qemu-riscv64"

GOOD = """\
name: tboard
description: a test board
tier: C
triple: riscv64-unknown-elf
arch: riscv64
endian: little
platform: baremetal
features: [interp]
heap_size: 64K
memory:
  - {{name: ram, origin: 0x80000000, length: 1M, attrs: rwx}}
app_store: {store}
"""


def _board(tmp_path: Path, store: str) -> Path:
    path = tmp_path / "tboard.yaml"
    path.write_text(textwrap.dedent(GOOD.format(store=store)))
    return path


@pytest.fixture(autouse=True)
def _fresh_cache():
    descriptors.load_board_file.cache_clear()
    yield
    descriptors.load_board_file.cache_clear()


# ---- the descriptor field ---------------------------------------------------------------------

def test_app_store_field_is_read():
    store = descriptors.load_board(BOARD).app_store
    assert (store.driver, store.origin, store.offset, store.length, store.sector) == \
        ("cfi-01", 0x20040000, 0x40000, 512 << 10, 256 << 10)
    assert descriptors.load_board("esp32").app_store.driver == "esp32-spi"
    assert descriptors.load_board("mps2-an386").app_store is None


@pytest.mark.parametrize("store, expected", [
    ("{driver: cfi-01, origin: 0x20040000, offset: 0x40000, length: 300K, sector: 256K}",
     "tboard.yaml:12: app_store.length: 0x4b000 is not two slots of whole 0x40000-byte sectors"),
    ("{driver: cfi-01, origin: 0x20040000, offset: 0x1000, length: 512K, sector: 256K}",
     "tboard.yaml:12: app_store.offset: 0x1000 is not aligned to the 0x40000-byte sector"),
    ("{driver: cfi-01, offset: 0x40000, length: 512K, sector: 256K}",
     "tboard.yaml:12: app_store.origin: missing: the cfi-01 driver reads the store where"),
    ("{driver: cfi01, origin: 0x20040000, offset: 0, length: 512K, sector: 256K}",
     "tboard.yaml:12: app_store.driver: expected one of cfi-01, esp32-spi; got 'cfi01' "
     "(did you mean 'cfi-01'?)"),
    ("{driver: cfi-01, origin: 0x20040000, offset: 0, length: 512K}",
     "tboard.yaml:12: app_store.sector: missing (required, size)"),
    ("{driver: cfi-01, origin: 0x20040000, offset: 0, length: 512K, sectors: 4K}",
     "tboard.yaml:12: app_store.sectors: unknown field (did you mean 'sector'?)"),
])
def test_bad_app_store_names_file_line_field(tmp_path, store, expected):
    with pytest.raises(DescriptorError) as err:
        descriptors.load_board_file(_board(tmp_path, store))
    assert expected in str(err.value)


def test_config_carries_the_region_and_the_feature_is_checked():
    from wasmbed.build.render import board_macros
    from wasmbed.model import featuresel
    from wasmbed.model.descriptors import load_platform

    board = descriptors.load_board(BOARD)
    macros = board_macros(board, load_platform(board.platform), ["interp", "app-store"])
    assert macros["WB_APP_STORE_ORIGIN"] == "0x20040000u"
    assert macros["WB_APP_STORE_LENGTH"] == "0x80000u"
    assert macros["WB_APP_STORE_SECTOR"] == "0x40000u"
    assert macros["WB_APP_STORE_DRIVER_CFI_01"] == "1"
    assert macros["WB_FEATURE_APP_STORE"] == "1"
    with pytest.raises(WasmbedError, match="mps2-an386 reserves no flash region"):
        featuresel.resolve(descriptors.load_board("mps2-an386"), ["+app-store"])
    with pytest.raises(WasmbedError, match="no erase/program code for its flash "
                                           r"\(app_store.driver esp32-spi\)"):
        featuresel.resolve(descriptors.load_board("esp32"), ["+app-store"])
