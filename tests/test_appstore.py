"""The A/B app store format (docs/appstore.md) on a NOR flash model: pushes, fallback,
and a power cut at every step of a push (the firmware side and QEMU pflash are not done:
this checks the format and the write order the firmware will follow)."""

from __future__ import annotations

from pathlib import Path

import pytest

from wasmbed.build import appstore as st
from wasmbed.errors import WasmbedError

LAYOUT = st.Layout(size=2 * 4096, sector=4096)
APP1 = b"\0asm\1\0\0\0" + bytes(range(200))
APP2 = b"\0asm\1\0\0\0" + bytes(reversed(range(256))) * 3


def erased() -> bytearray:
    return bytearray(b"\xff" * LAYOUT.size)


def push(store: bytearray, payload: bytes, name: str = "") -> int:
    target, writes = st.push_plan(LAYOUT, bytes(store), payload, name=name)
    for w in writes:
        st.apply(store, w)
    return target


def booted(store: bytearray) -> tuple[str, bytes] | None:
    slot = st.boot_slot(st.read_store(LAYOUT, bytes(store)))
    if slot is None:
        return None
    base = LAYOUT.slot_offset(slot.index) + st.HEADER_SIZE
    return slot.label, bytes(store[base:base + (slot.length or 0)])


def test_empty_store_boots_nothing() -> None:
    slots = st.read_store(LAYOUT, bytes(erased()))
    assert [s.valid for s in slots] == [False, False]
    assert slots[0].why.startswith("empty")
    assert st.boot_slot(slots) is None


def test_pushes_alternate_slots_and_the_newest_boots() -> None:
    store = erased()
    assert push(store, APP1, "one") == 0
    assert booted(store) == ("A", APP1)
    assert push(store, APP2, "two") == 1
    assert booted(store) == ("B", APP2)
    slots = st.read_store(LAYOUT, bytes(store))
    assert [(s.label, s.version, s.name, s.format) for s in slots] == \
        [("A", 1, "one", "wasm"), ("B", 2, "two", "wasm")]
    assert push(store, APP1, "three") == 0          # the older slot is overwritten
    assert booted(store) == ("A", APP1)
    assert st.read_store(LAYOUT, bytes(store))[0].version == 3


def test_write_order_ends_with_the_magic() -> None:
    _, writes = st.push_plan(LAYOUT, bytes(erased()), APP1)
    assert [w.kind for w in writes] == ["erase", "program", "program", "program"]
    assert writes[0].offset == 0 and writes[0].length == LAYOUT.slot_size
    assert writes[1].offset == st.HEADER_SIZE and writes[1].data == APP1
    assert writes[2].offset == 4 and writes[2].length == st.HEADER_SIZE - 4
    assert writes[3].offset == 0 and writes[3].data == b"WBAP"


def _cuts(write: st.Write) -> list[int]:
    """Where a write can be cut: before it, every 4 bytes, mid-word of the magic."""
    if write.kind == "erase":
        return [0, 1, write.length // 2, write.length - 1]
    step = 1 if write.length <= 4 else 4
    return list(range(0, write.length, step))


@pytest.mark.parametrize("before", [1, 2], ids=["one-app", "two-apps"])
def test_power_cut_at_every_step_keeps_the_previous_app(before: int) -> None:
    """Cut the push of APP2 after each write and inside each write (erase partly done,
    payload half written, header word by word, magic byte by byte): until the last
    magic byte is programmed the previous app boots and the target slot is invalid;
    after it, the new app boots."""
    base = erased()
    push(base, APP1, "old")
    if before == 2:                 # both slots valid: the push overwrites the older one
        push(base, APP1, "old2")
    previous = booted(base)
    assert previous is not None
    target, writes = st.push_plan(LAYOUT, bytes(base), APP2, name="new")
    newest = before + 1
    checked = 0
    for k, write in enumerate(writes):
        for cut in _cuts(write):
            store = bytearray(base)
            for w in writes[:k]:
                st.apply(store, w)
            st.apply(store, write, upto=cut)
            assert booted(store) == previous, (write.what, cut)
            slots = st.read_store(LAYOUT, bytes(store))
            # the target holds nothing valid, or (erase not begun) its old, older app
            assert not slots[target].valid or slots[target].version < newest, (write.what, cut)
            checked += 1
    assert checked > 20
    store = bytearray(base)
    for w in writes:
        st.apply(store, w)
    assert booted(store) == ("AB"[target], APP2)


def test_corrupt_newest_falls_back() -> None:
    store = erased()
    push(store, APP1)
    push(store, APP2)
    store[LAYOUT.slot_offset(1) + st.HEADER_SIZE + 10] ^= 0x01   # a bit flips in B's payload
    slots = st.read_store(LAYOUT, bytes(store))
    assert slots[1].why == "payload CRC mismatch"
    assert booted(store) == ("A", APP1)
    store[LAYOUT.slot_offset(0) + 8] ^= 0x01                       # A's header
    assert st.read_store(LAYOUT, bytes(store))[0].why == "header CRC mismatch"
    assert booted(store) is None


def test_layout_and_size_errors() -> None:
    with pytest.raises(WasmbedError, match="not two whole slots"):
        st.Layout(size=4096 * 3, sector=4096)
    with pytest.raises(WasmbedError, match="does not fit a slot"):
        st.push_plan(LAYOUT, bytes(erased()), b"\0" * LAYOUT.capacity + b"\0")
    with pytest.raises(WasmbedError, match="longer than 32 bytes"):
        st.push_plan(LAYOUT, bytes(erased()), APP1, name="x" * 33)


def test_module_validated_on_the_host(tmp_path: Path) -> None:
    good = tmp_path / "good.wasm"
    good.write_bytes(b"\0asm\1\0\0\0")
    assert st.validate_module(good) == b"\0asm\1\0\0\0"
    bad = tmp_path / "bad.wasm"
    bad.write_bytes(b"\0asm\1\0\0\0\x01\x04\x01\x60\x00\x01")          # truncated section
    with pytest.raises(WasmbedError, match="is not a valid module"):
        st.validate_module(bad)
    text = tmp_path / "app.wat"
    text.write_text("(module)")
    with pytest.raises(WasmbedError, match="not a WebAssembly binary"):
        st.validate_module(text)


# ---- the firmware's C code (runtime_src/store) against the host twin --------------------------

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def harness(tmp_path_factory) -> Path:
    import shutil
    import subprocess

    cc = shutil.which("gcc")
    if cc is None:
        pytest.skip("gcc not installed")
    out = tmp_path_factory.mktemp("store") / "store_harness"
    subprocess.run([cc, "-std=c11", "-Wall", "-Wextra", "-Werror",
                    f"-I{ROOT / 'runtime_src' / 'store'}",
                    str(ROOT / "runtime_src" / "store" / "wb_store.c"),
                    str(ROOT / "tests" / "c" / "store_harness.c"), "-o", str(out)],
                   check=True, capture_output=True, text=True)
    return out


def c_run(harness: Path, *args: str) -> dict[str, str]:
    import subprocess

    out = subprocess.run([str(harness), *args], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    rows = {}
    for line in out.stdout.splitlines():
        key, _, rest = line.partition(" ") if line[:2] in ("A ", "B ") else line.partition("=")
        rows[key] = rest
    return rows


def c_boot(harness: Path, store: bytes, tmp_path: Path) -> str:
    image = tmp_path / "judge.img"
    image.write_bytes(store)
    return c_run(harness, "read", str(image))["boot"]


def test_c_push_writes_what_the_host_writes(harness: Path, tmp_path: Path) -> None:
    image, module = tmp_path / "store.img", tmp_path / "app.wasm"
    image.write_bytes(bytes(erased()))
    model = erased()
    for payload, name, slot in ((APP1, "one", "A"), (APP2, "two", "B"), (APP1, "three", "A")):
        module.write_bytes(payload)
        rows = c_run(harness, "push", str(image), str(module), name, "-1")
        assert rows["pushed"] == str("AB".index(slot)) and rows["boot"] == slot
        push(model, payload, name)
        assert image.read_bytes() == bytes(model)      # byte for byte the host's format
    assert "valid=1 version=3" in rows["A"] and "name=three" in rows["A"]


def test_c_judges_every_cut_like_the_host(harness: Path, tmp_path: Path) -> None:
    """A push by the C code losing power after N bytes, for N across the erase, payload,
    header and magic: the C boot choice and the host's agree, and both keep the old app
    until the last magic byte is written."""
    image, module = tmp_path / "store.img", tmp_path / "app.wasm"
    base = erased()
    push(base, APP1, "old")
    module.write_bytes(APP2)
    slot = LAYOUT.slot_size
    payload_end = slot + len(APP2)
    budgets = [0, 1, slot // 2, slot, slot + 100, payload_end] + \
        list(range(payload_end + 4, payload_end + 60, 4)) + \
        [payload_end + 60 + i for i in range(4)]
    for budget in budgets:
        image.write_bytes(bytes(base))
        rows = c_run(harness, "push", str(image), str(module), "new", str(budget))
        assert rows["pushed"] == "-1", budget
        store = image.read_bytes()
        assert rows["boot"] == "A" and booted(bytearray(store)) == ("A", APP1), budget
        assert "valid=0" in rows["B"], (budget, rows["B"])
        assert c_boot(harness, store, tmp_path) == "A"
    image.write_bytes(bytes(base))
    rows = c_run(harness, "push", str(image), str(module), "new", str(payload_end + 64))
    assert rows["pushed"] == "1" and rows["boot"] == "B"
    assert booted(bytearray(image.read_bytes())) == ("B", APP2)


def test_c_reports_corruption_like_the_host(harness: Path, tmp_path: Path) -> None:
    store = erased()
    push(store, APP1)
    push(store, APP2)
    store[LAYOUT.slot_offset(1) + st.HEADER_SIZE + 3] ^= 0x80
    image = tmp_path / "store.img"
    image.write_bytes(bytes(store))
    rows = c_run(harness, "read", str(image))
    assert rows["B"].endswith("why=payload CRC mismatch") and rows["boot"] == "A"
    store[LAYOUT.slot_offset(0) + 12] ^= 0x01
    image.write_bytes(bytes(store))
    rows = c_run(harness, "read", str(image))
    assert rows["A"].endswith("why=header CRC mismatch") and rows["boot"] == "-"


@pytest.mark.parametrize("cc", ["riscv64-unknown-elf-gcc", "arm-none-eabi-gcc", "clang"])
def test_c_store_builds_warning_free_for_targets(cc: str, tmp_path: Path) -> None:
    import shutil
    import subprocess

    if shutil.which(cc) is None:
        pytest.skip(f"{cc} not installed")
    for name in ("wb_store", "wb_cfi"):
        out = subprocess.run([cc, "-std=c11", "-Wall", "-Wextra", "-Werror", "-ffreestanding",
                              "-Os", "-c", str(ROOT / "runtime_src" / "store" / f"{name}.c"),
                              "-o", str(tmp_path / f"{name}.o")], capture_output=True,
                             text=True)
        assert out.returncode == 0 and not out.stderr.strip(), out.stderr


# ---- wasmbed push --image (a flash image file) ------------------------------------------------

def test_push_cli_on_an_image(tmp_path: Path, capsys) -> None:
    import json

    from wasmbed.cli import main

    image = tmp_path / "flash.img"
    image.write_bytes(b"\xff" * (3 * 4096))
    app = tmp_path / "app.wasm"
    app.write_bytes(b"\0asm\1\0\0\0")
    where = ["--image", str(image), "--offset", "4K", "--size", "8K", "--sector", "0x1000"]
    assert main(["push", str(app), *where, "--name", "first"]) == 0
    assert main(["push", str(app), *where]) == 0
    capsys.readouterr()
    assert main(["push", "--list", "--json", *where]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed["boot"] == "B"
    assert [(s["slot"], s["version"], s["name"]) for s in listed["slots"]] == \
        [("A", 1, "first"), ("B", 2, "app")]
    assert image.read_bytes()[:4096] == b"\xff" * 4096          # outside the store: untouched


def test_push_cli_errors(tmp_path: Path, capsys) -> None:
    from wasmbed.cli import main

    bad = tmp_path / "bad.wasm"
    bad.write_bytes(b"\0asm\1\0\0\0\x01\x04\x01\x60\x00\x01")
    image = tmp_path / "flash.img"
    image.write_bytes(b"\xff" * 8192)
    cases = [
        (["push", str(bad)], "is not a valid module"),            # before any port
        (["push", "--list"], "no serial port given"),
        (["push", str(bad), "--image", str(image)], "needs the store's place: --board B"),
        (["push", str(bad), "--image", str(image), "--size", "8K", "--sector", "4K"],
         "is not a valid module"),
        (["push", "--list", "--image", str(image), "--size", "16K", "--sector", "4K"],
         "no store of 16384 bytes at 0x0"),
        (["push", "--list", "--image", str(image), "--size", "12K", "--sector", "4K"],
         "not two whole slots"),
    ]
    for argv, message in cases:
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err, (argv, err)
    assert image.read_bytes() == b"\xff" * 8192                 # an invalid module writes nothing
