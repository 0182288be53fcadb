"""wasmbed.model.leb128: the one LEB128 reader/writer of the Python side."""

from __future__ import annotations

import pytest

from wasmbed.model import leb128


@pytest.mark.parametrize("n", [0, 1, 63, 64, 127, 128, 300, 624485, 2**32 - 1, 2**64 - 1])
def test_unsigned_round_trip(n: int) -> None:
    raw = leb128.encode_u(n)
    assert leb128.read_u(b"\xff" + raw + b"\x00", 1) == (n, 1 + len(raw))


def test_unsigned_known_bytes() -> None:
    assert leb128.encode_u(624485) == b"\xe5\x8e\x26"
    assert leb128.read_u(b"\x80\x80\x00", 0) == (0, 3)  # padded encodings are read too


@pytest.mark.parametrize("n", [0, 1, -1, 63, -64, 64, -65, -123456, 2**31 - 1, -2**31])
def test_signed_round_trip(n: int) -> None:
    raw = leb128.encode_s(n)
    assert leb128.read_s(raw, 0, 32) == (n, len(raw))


def test_signed_wraps_to_the_width() -> None:
    assert leb128.encode_s(-123456) == b"\xc0\xbb\x78"
    assert leb128.read_s(leb128.encode_s(2**31), 0, 32)[0] == -2**31
    assert leb128.read_s(leb128.encode_s(-1), 0, 64)[0] == -1


def test_truncated_is_an_index_error() -> None:
    with pytest.raises(IndexError):
        leb128.read_u(b"\x80\x80", 0)
    with pytest.raises(leb128.Truncated):
        leb128.read_u(b"\x80\x01", 0, end=1)  # the end bound, not len(data)
    with pytest.raises(leb128.Truncated):
        leb128.read_s(b"\xff", 0, 32)


def test_max_bytes() -> None:
    assert leb128.read_u(b"\x80" * 5 + b"\x00", 0, max_bytes=6) == (0, 6)
    with pytest.raises(leb128.Malformed):
        leb128.read_u(b"\x80" * 6 + b"\x00", 0, max_bytes=6)
