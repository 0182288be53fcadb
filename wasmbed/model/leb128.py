"""LEB128, the variable-length integers of the WebAssembly binary format.

The one reader and writer of them on the Python side: the AOT decoder and its proposal
checks, the export signatures of `wasmbed run -f`, the benchmark's code-section size and
the tests that take modules apart or put them together. A reader returns the value and
the position after it; each caller turns `Truncated` / `Malformed` into its own message.
"""

from __future__ import annotations


class Truncated(IndexError):
    """The data ends inside a number (an IndexError, as indexing past the end would be)."""


class Malformed(ValueError):
    """A number runs over the byte count the caller allows."""


def read_u(data: bytes, pos: int, end: int | None = None,
           max_bytes: int | None = None) -> tuple[int, int]:
    """The unsigned number at data[pos:end]: (value, position after it)."""
    stop = len(data) if end is None else end
    value = shift = count = 0
    while True:
        if pos >= stop:
            raise Truncated(pos)
        b = data[pos]
        pos += 1
        value |= (b & 0x7F) << shift
        if not b & 0x80:
            return value, pos
        shift += 7
        count += 1
        if max_bytes is not None and count >= max_bytes:
            raise Malformed(pos)


def read_s(data: bytes, pos: int, bits: int, end: int | None = None) -> tuple[int, int]:
    """The signed number at data[pos:end], wrapped to `bits` bits: (value, position after)."""
    value, after = read_u(data, pos, end)
    shift = 7 * (after - pos)
    if value >> (shift - 1):  # the last byte's bit 6: the sign
        value -= 1 << shift
    value &= (1 << bits) - 1
    if value >> (bits - 1):
        value -= 1 << bits
    return value, after


def encode_u(n: int) -> bytes:
    """n >= 0 in the fewest bytes."""
    out = bytearray()
    while True:
        b, n = n & 0x7F, n >> 7
        out.append(b | 0x80 if n else b)
        if not n:
            return bytes(out)


def encode_s(n: int) -> bytes:
    """Any n, sign-extended from its last byte's bit 6, in the fewest bytes."""
    out = bytearray()
    while True:
        b, n = n & 0x7F, n >> 7
        done = (n == 0 and not b & 0x40) or (n == -1 and b & 0x40)
        out.append(b if done else b | 0x80)
        if done:
            return bytes(out)
