"""Frames, CRC, values and the Client against a scripted in-memory stream."""

from __future__ import annotations

import struct
import time
from typing import Callable, Optional

import pytest

from wasmbed.run.protocol import (
    Client,
    Frame,
    FrameType,
    Kind,
    LinkError,
    LinkLost,
    ProtocolError,
    RemoteError,
    TimeoutError,
    Value,
    crc32,
    decode_frame,
    encode_frame,
)


def test_crc32_check_values() -> None:
    assert crc32(b"123456789") == 0xCBF43926
    assert crc32(b"") == 0
    assert crc32(bytes([1, 1, 0, 0])) == 0x983AD24E  # the HELLO example of docs/protocol.md


def test_hello_frame_bytes_match_the_documented_example() -> None:
    assert encode_frame(FrameType.HELLO, 1).hex(" ") == "a5 5a 01 01 00 00 4e d2 3a 98"


@pytest.mark.parametrize("payload", [b"", b"\x00", b"hello", bytes(range(256)) * 8, b"\xa5\x5a" * 100])
@pytest.mark.parametrize("ftype,seq", [(0x01, 0), (0x81, 255), (0x06, 17)])
def test_frame_round_trip(payload: bytes, ftype: int, seq: int) -> None:
    raw = encode_frame(ftype, seq, payload)
    assert raw[:2] == b"\xa5\x5a"
    assert struct.unpack_from("<H", raw, 4)[0] == len(payload)
    frame, used = decode_frame(raw + b"tail")
    assert frame == Frame(ftype, seq, payload)
    assert used == len(raw)


def test_decode_skips_garbage_and_waits_for_more() -> None:
    raw = encode_frame(0x80, 3, b"abc")
    frame, used = decode_frame(b"boot noise\r\n" + raw)
    assert frame == Frame(0x80, 3, b"abc") and used == 12 + len(raw)
    for cut in range(len(raw)):
        frame, drop = decode_frame(b"xx" + raw[:cut])
        assert frame is None
        assert drop <= 2  # never drops the start of a frame still arriving


def test_decode_rejects_a_bad_crc() -> None:
    raw = bytearray(encode_frame(0x80, 3, b"abc"))
    raw[7] ^= 0x01
    with pytest.raises(ProtocolError, match="CRC"):
        decode_frame(bytes(raw))


def test_payload_limit() -> None:
    with pytest.raises(ValueError):
        encode_frame(1, 1, bytes(0x10000))


@pytest.mark.parametrize(
    "value",
    [
        Value("i32", 0), Value("i32", 0xFFFFFFFF), Value("i64", 0x8000000000000000),
        Value("f32", 0x7FC00001), Value("f64", 0xFFF8000000000001),
        Value("externref", None), Value("externref", 0), Value("externref", 0xFFFFFFFE),
        Value("funcref", None),
    ],
)
def test_value_round_trip(value: Value) -> None:
    raw = value.encode()
    back, pos = Value.decode(raw + b"\x00", 0)
    assert back == value and pos == len(raw)


def test_value_layouts() -> None:
    assert Value("i32", 1).encode() == b"\x7f\x01\x00\x00\x00"
    assert Value("f64", 1).encode() == b"\x7c" + (1).to_bytes(8, "little")
    assert Value("externref", 5).encode() == b"\x6f\x01\x05\x00\x00\x00"
    assert Value("funcref", None).encode() == b"\x70\x00\x00\x00\x00\x00"
    v128 = Value("v128", int.from_bytes(bytes(range(16)), "little"))
    assert v128.encode() == b"\x7b" + bytes(range(16))  # lane 0 first
    assert Value.decode(v128.encode(), 0) == (v128, 17)
    with pytest.raises(ProtocolError):
        Value.decode(b"\x7b" + bytes(15), 0)  # truncated v128
    with pytest.raises(ProtocolError):
        Value.decode(b"\x7e\x00", 0)  # truncated


# ---- Client against a scripted agent ------------------------------------------


class ScriptedStream:
    """A Stream whose 'agent' is a Python function from request frame to reply bytes."""

    def __init__(self, agent: Callable[[Frame], bytes], preamble: bytes = b"\nWASMBED READY 9.9\n") -> None:
        self.agent = agent
        self.rx = bytearray(preamble)
        self.timeout: Optional[float] = None
        self.closed = False
        self.sent: list[Frame] = []

    def write(self, data: bytes) -> None:
        if self.closed:
            raise LinkLost("closed")
        frame, _ = decode_frame(data)
        assert frame is not None
        self.sent.append(frame)
        self.rx += self.agent(frame)

    def read(self, n: int) -> bytes:
        if self.rx:
            out = bytes(self.rx[:n])
            del self.rx[:n]
            return out
        if self.closed:
            raise LinkLost("agent stream ended (exit status 0)")
        time.sleep(min(self.timeout or 0.0, 0.05))
        return b""


def ok(frame: Frame, payload: bytes = b"") -> bytes:
    return encode_frame(FrameType.OK, frame.seq, payload)


def hello_payload(max_payload: int = 64) -> bytes:
    def s(t: str) -> bytes:
        return struct.pack("<H", len(t)) + t.encode()

    return struct.pack("<HHIH", 1, max_payload, 4096, 8) + s("9.9") + s("interp") + s("host")


def test_wait_ready_and_hello() -> None:
    stream = ScriptedStream(lambda f: ok(f, hello_payload()), preamble=b"ROM v1\r\n\nWASMBED READY 9.9\n")
    client = Client(stream)
    assert client.wait_ready(1.0) == "9.9"
    assert client.preamble.startswith(b"ROM v1")
    info = client.hello()
    assert (info.max_payload, info.pool_size, info.features, info.board) == (64, 4096, "interp", "host")


def test_load_is_chunked_to_the_payload_limit() -> None:
    module = bytes(range(256)) * 3
    got = bytearray()

    def agent(f: Frame) -> bytes:
        if f.type == FrameType.HELLO:
            return ok(f, hello_payload(64))
        if f.type == FrameType.LOAD_CHUNK:
            off = struct.unpack_from("<I", f.payload)[0]
            assert off == len(got) and len(f.payload) <= 64
            got.extend(f.payload[4:])
        if f.type == FrameType.LOAD_END:
            assert f.payload == b"\x00"
            return ok(f, struct.pack("<I", 7))
        return ok(f)

    client = Client(ScriptedStream(agent))
    client.wait_ready(1.0)
    client.hello()
    assert client.load(module) == 7
    assert bytes(got) == module


def test_stale_replies_are_skipped_and_output_is_streamed() -> None:
    def agent(f: Frame) -> bytes:
        stale = encode_frame(FrameType.OK, (f.seq - 1) & 0xFF, b"old")
        out = encode_frame(FrameType.OUTPUT, f.seq, b"hi ") + encode_frame(FrameType.OUTPUT, f.seq, b"there")
        return stale + out + encode_frame(FrameType.EXIT, f.seq, struct.pack("<i", -3))

    client = Client(ScriptedStream(agent))
    client.wait_ready(1.0)
    seen = bytearray()
    assert client.run(1, seen.extend) == -3
    assert bytes(seen) == b"hi there"


def test_error_replies() -> None:
    def agent(f: Frame) -> bytes:
        if f.type == FrameType.INVOKE:
            return encode_frame(FrameType.ERROR, f.seq, bytes([Kind.TRAP]) + b"integer divide by zero")
        return encode_frame(FrameType.ERROR, f.seq, bytes([Kind.PROTOCOL]) + b"frame CRC mismatch")

    client = Client(ScriptedStream(agent))
    client.wait_ready(1.0)
    with pytest.raises(RemoteError) as err:
        client.invoke(1, "div", [Value("i32", 1), Value("i32", 0)])
    assert err.value.kind == Kind.TRAP and err.value.remote_message == "integer divide by zero"
    with pytest.raises(ProtocolError):
        client.stats()


def test_invoke_encoding_and_results() -> None:
    def agent(f: Frame) -> bytes:
        handle, n = struct.unpack_from("<IH", f.payload)
        name = f.payload[6 : 6 + n]
        nargs = f.payload[6 + n]
        assert (handle, name, nargs) == (3, b"add", 2)
        return ok(f, b"\x02" + Value("i64", 5).encode() + Value("externref", None).encode())

    client = Client(ScriptedStream(agent))
    client.wait_ready(1.0)
    assert client.invoke(3, "add", [Value("i32", 2), Value("i32", 3)]) == [Value("i64", 5), Value("externref", None)]


def test_timeouts_never_hang() -> None:
    client = Client(ScriptedStream(lambda f: b""), timeout=0.3)
    client.wait_ready(1.0)
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        client.stats()
    assert time.monotonic() - started < 2.0
    silent = Client(ScriptedStream(lambda f: b"", preamble=b"garbage"))
    with pytest.raises(TimeoutError, match="READY"):
        silent.wait_ready(0.3)


def test_link_lost_and_bad_reply_crc() -> None:
    stream = ScriptedStream(lambda f: b"")
    client = Client(stream)
    client.wait_ready(1.0)
    stream.closed = True
    with pytest.raises(LinkLost):
        client.hello()

    def corrupt(f: Frame) -> bytes:
        raw = bytearray(ok(f, b"abcd"))
        raw[-1] ^= 0xFF
        return bytes(raw)

    client = Client(ScriptedStream(corrupt))
    client.wait_ready(1.0)
    with pytest.raises(ProtocolError):
        client.stats()
    assert issubclass(ProtocolError, LinkError) and issubclass(TimeoutError, LinkError)
