"""Board/platform descriptors: schema errors name file, line and field; layered lookup."""

from __future__ import annotations

import pytest

from board_helpers import GOOD, write_board
from wasmbed.model import descriptors
from wasmbed.build import matrix
from wasmbed.errors import WasmbedError
from wasmbed.model.schema import DescriptorError

SEED_TRIPLES = set(matrix.SEED_TRIPLES)


@pytest.fixture(autouse=True)
def _fresh_cache():
    descriptors.load_board_file.cache_clear()
    descriptors.load_platform_file.cache_clear()
    yield
    descriptors.load_board_file.cache_clear()


def test_every_builtin_board_and_platform_loads():
    boards = descriptors.all_boards()
    assert len(boards) >= 20
    for name in descriptors.platform_names():
        descriptors.load_platform(name)
    for b in boards:
        assert b.name == b.path.stem
        if descriptors.platform_of(b).kind == "baremetal":
            assert b.memory, b.name


def test_every_seed_triple_is_on_a_board():
    triples = {b.triple for b in descriptors.all_boards()}
    assert SEED_TRIPLES - triples == set()


def test_required_platforms_exist():
    wanted = {"baremetal", "linux", "darwin", "windows", "freebsd", "android", "ios", "nuttx",
              "zephyr", "esp-idf", "riot", "rt-thread", "vxworks", "alios-things",
              "cosmopolitan", "linux-sgx"}
    assert wanted <= set(descriptors.platform_names())


def test_sizes_and_hex_are_parsed(tmp_path):
    b = descriptors.load_board_file(write_board(tmp_path, GOOD.format(name="tboard")))
    assert b.heap_size == 64 * 1024
    assert b.memory[0].origin == 0x80000000 and b.memory[0].length == 1 << 20
    assert b.flash_region() is b.ram_region() is b.memory[0]


def test_malformed_yaml_names_file_and_line(tmp_path):
    text = GOOD.format(name="tboard") + "console: {driver: ns16550, base: [oops\n"
    with pytest.raises(DescriptorError) as err:
        descriptors.load_board_file(write_board(tmp_path, text))
    msg = str(err.value)
    assert "tboard.yaml:" in msg and "malformed YAML" in msg
    line = int(msg.split("tboard.yaml:")[1].split(":")[0])
    assert line >= 12  # the bad line is the 12th (or where the parser noticed, after it)


def test_wrong_type_names_field_and_line(tmp_path):
    text = GOOD.format(name="tboard").replace("length: 1M", "length: lots")
    with pytest.raises(DescriptorError) as err:
        descriptors.load_board_file(write_board(tmp_path, text))
    assert "tboard.yaml:11: memory[0].length: expected an integer" in str(err.value)


def test_missing_memory_length_is_an_error(tmp_path):
    text = GOOD.format(name="tboard").replace(", length: 1M", "")
    with pytest.raises(DescriptorError) as err:
        descriptors.load_board_file(write_board(tmp_path, text))
    assert "tboard.yaml:11: memory[0].length: missing" in str(err.value)


def test_missing_heap_size_is_an_error(tmp_path):
    text = GOOD.format(name="tboard").replace("heap_size: 64K\n", "")
    with pytest.raises(DescriptorError, match=r"tboard.yaml:1: heap_size: missing"):
        descriptors.load_board_file(write_board(tmp_path, text))


def test_unknown_field_suggests(tmp_path):
    text = GOOD.format(name="tboard").replace("endian: little", "endain: little")
    with pytest.raises(DescriptorError) as err:
        descriptors.load_board_file(write_board(tmp_path, text))
    assert "tboard.yaml:6: endain: unknown field (did you mean 'endian'?)" in str(err.value)


def test_enum_value_is_checked(tmp_path):
    text = GOOD.format(name="tboard").replace("arch: riscv64", "arch: riscv65")
    with pytest.raises(DescriptorError, match=r"tboard.yaml:5: arch: expected one of .*"
                                              r"did you mean 'riscv64'"):
        descriptors.load_board_file(write_board(tmp_path, text))


def test_name_must_match_file(tmp_path):
    with pytest.raises(DescriptorError, match=r"other.yaml:1: name: is 'tboard'"):
        descriptors.load_board_file(write_board(tmp_path, GOOD.format(name="tboard"), "other"))


def test_unknown_board_suggests_nearest():
    with pytest.raises(WasmbedError) as err:
        descriptors.load_board("qemu-riscv46")
    assert "unknown board 'qemu-riscv46'" in str(err.value)
    assert "qemu-riscv64" in str(err.value)


def test_boards_dir_comes_first(tmp_path, monkeypatch):
    write_board(tmp_path, GOOD.format(name="host").replace("a test board", "an override"),
           name="host")
    b = descriptors.load_board("host", [tmp_path])
    assert b.description == "an override"
    monkeypatch.setenv("WASMBED_BOARDS_PATH", str(tmp_path))
    assert descriptors.load_board("host").description == "an override"
    assert "host" in descriptors.board_names()
    monkeypatch.delenv("WASMBED_BOARDS_PATH")
    assert descriptors.load_board("host").description != "an override"


def test_unknown_platform_is_an_error(tmp_path):
    write_board(tmp_path, GOOD.format(name="tboard").replace("platform: baremetal",
                                                        "platform: baremetl"))
    with pytest.raises(WasmbedError) as err:
        descriptors.load_board("tboard", [tmp_path])
    assert "tboard.yaml:7: platform: unknown platform 'baremetl'" in str(err.value)
    assert "did you mean baremetal" in str(err.value)


def test_platform_sdk_detection(monkeypatch, tmp_path):
    nuttx = descriptors.load_platform("nuttx")
    monkeypatch.delenv("NUTTX_DIR", raising=False)
    assert not nuttx.sdk_available()
    monkeypatch.setenv("NUTTX_DIR", str(tmp_path))
    assert not nuttx.sdk_available()   # a directory without NuttX's marker files is no tree
    for f in ("nuttx/Makefile", "nuttx/tools/configure.sh", "nuttx/sched/Kconfig",
              "nuttx/include/nuttx/sched.h", "apps/Application.mk", "apps/Make.defs",
              "apps/nshlib/Makefile"):
        (tmp_path / f).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / f).write_text("")
    monkeypatch.setenv("NUTTX_DIR", str(tmp_path / "nuttx"))
    monkeypatch.delenv("NUTTX_APPS_DIR", raising=False)
    assert nuttx.sdk_available()
    assert descriptors.load_platform("linux").sdk_available()
