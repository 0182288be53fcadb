"""The A/B app store format (docs/appstore.md) on a NOR flash model: pushes, fallback,
and a power cut at every step of a push (the firmware side and QEMU pflash are not done:
this checks the format and the write order the firmware will follow)."""

from __future__ import annotations

from pathlib import Path

import pytest

from wasmbed import appstore as st
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
