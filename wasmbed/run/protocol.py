"""Host side of the agent protocol (docs/protocol.md): frames, CRC, Client.

The Client talks to any byte stream that follows the `Stream` contract, so
it never knows whether a host process, QEMU or a board is on the line.
Every read has a deadline: nothing here can hang.
"""

from __future__ import annotations

import struct
import time
import zlib
from dataclasses import dataclass
from enum import IntEnum
from typing import Callable, Optional, Protocol, Sequence

from wasmbed.errors import WasmbedError

SYNC = b"\xa5\x5a"
HEADER = struct.Struct("<BBH")  # type, seq, len
MAX_LEN = 0xFFFF
BANNER = b"WASMBED READY "
PROTOCOL_VERSION = 1


class FrameType(IntEnum):
    HELLO = 0x01
    LOAD_BEGIN = 0x02
    LOAD_CHUNK = 0x03
    LOAD_END = 0x04
    REGISTER = 0x05
    INVOKE = 0x06
    GET_GLOBAL = 0x07
    FREE = 0x08
    RESET = 0x09
    STATS = 0x0A
    RUN = 0x0B
    WASI = 0x0C
    FUEL = 0x0D
    STORE_BEGIN = 0x30   # app-store (wasmbed/run/store.py)
    STORE_CHUNK = 0x31
    STORE_COMMIT = 0x32
    STORE_LIST = 0x33
    OK = 0x80
    ERROR = 0x81
    OUTPUT = 0x82
    EXIT = 0x83
    OUTPUT_ERR = 0x84


class Kind(IntEnum):
    """ERROR kinds: 1..11 are the runtime's wb_status values."""

    MALFORMED = 1
    INVALID = 2
    LINK = 3
    TRAP = 4
    EXHAUSTION = 5
    NOMEM = 6
    NOT_FOUND = 7
    ARGS = 8
    EXIT = 9
    UNSUPPORTED = 10
    FUEL = 11
    EXCEPTION = 12       # a wasm exception nothing caught (legacy-exception-handling)
    PROTOCOL = 0x20
    FLASH = 0x21         # an erase or program of the app store failed


def kind_name(kind: int) -> str:
    try:
        return Kind(kind).name
    except ValueError:
        return f"kind {kind}"


# ---- exceptions ----------------------------------------------------------------


class LinkError(WasmbedError):
    """The line to the agent failed; the agent's state is unknown."""

    exit_code = 6  # wasmbed.run.outcome.TARGET


class ProtocolError(LinkError):
    """A frame that does not decode (CRC, length), or the agent reported one."""


class LinkLost(LinkError):
    """The stream ended: the agent exited, crashed or the connection closed."""


class TimeoutError(LinkError):  # noqa: A001 - the name the design uses
    """No reply within the deadline (guest hung or far too slow)."""

    exit_code = 5  # wasmbed.run.outcome.TIMEOUT


class RemoteError(WasmbedError):
    """The agent answered ERROR(kind, message): a runtime outcome, link intact."""

    def __init__(self, kind: int, message: str, call_stack: str = "") -> None:
        super().__init__(f"{kind_name(kind).lower()}: {message}")
        self.kind = kind
        # a trap's wasm call stack ("#0 func[3] name" lines; agents with dump-call-stack)
        self.call_stack = call_stack
        # wasmbed.run.outcome: TRAP (3) for what happens while running, LOAD (4) otherwise
        self.exit_code = 3 if kind in (Kind.TRAP, Kind.EXHAUSTION, Kind.NOMEM, Kind.FUEL) else 4
        self.remote_message = message


# ---- CRC and frames ------------------------------------------------------------


def crc32(data: bytes) -> int:
    """CRC-32/IEEE (reflected, init and xorout 0xFFFFFFFF), as the agent computes it."""
    return zlib.crc32(data) & 0xFFFFFFFF


@dataclass(frozen=True)
class Frame:
    type: int
    seq: int
    payload: bytes = b""


def encode_frame(ftype: int, seq: int, payload: bytes = b"") -> bytes:
    if len(payload) > MAX_LEN:
        raise ValueError(f"payload of {len(payload)} bytes exceeds {MAX_LEN}")
    body = HEADER.pack(ftype & 0xFF, seq & 0xFF, len(payload)) + payload
    return SYNC + body + struct.pack("<I", crc32(body))


def decode_frame(buf: bytes) -> tuple[Optional[Frame], int]:
    """Decode the first frame in `buf`: (frame, bytes consumed), or (None, n)
    when more bytes are needed (n = bytes of garbage before a sync that may be
    dropped). Raises ProtocolError on a CRC mismatch."""
    start = buf.find(SYNC)
    if start < 0:
        return None, max(0, len(buf) - 1)
    if len(buf) < start + 2 + HEADER.size:
        return None, start
    ftype, seq, length = HEADER.unpack_from(buf, start + 2)
    end = start + 2 + HEADER.size + length + 4
    if len(buf) < end:
        return None, start
    body = buf[start + 2 : end - 4]
    (crc,) = struct.unpack_from("<I", buf, end - 4)
    if crc != crc32(body):
        raise ProtocolError(f"reply frame CRC mismatch (type 0x{ftype:02x}, seq {seq})")
    return Frame(ftype, seq, body[HEADER.size :]), end


# ---- values ---------------------------------------------------------------------

TYPE_CODES = {"i32": 0x7F, "i64": 0x7E, "f32": 0x7D, "f64": 0x7C, "v128": 0x7B,
              "funcref": 0x70, "externref": 0x6F}
CODE_TYPES = {v: k for k, v in TYPE_CODES.items()}


@dataclass(frozen=True)
class Value:
    """A wasm value: numbers as unsigned raw bits (floats too, so NaN payloads
    survive); a v128 as one 128-bit int (byte 0 of the vector = its lowest byte);
    references as None (null) or an int (externref N; a non-null funcref arrives as 0)."""

    type: str
    bits: Optional[int]

    @property
    def is_ref(self) -> bool:
        return self.type in ("funcref", "externref")

    def encode(self) -> bytes:
        code = TYPE_CODES.get(self.type)
        if code is None:
            raise ValueError(f"value type {self.type!r} cannot travel to the agent")
        if self.is_ref:
            if self.bits is None:
                return struct.pack("<BBI", code, 0, 0)
            return struct.pack("<BBI", code, 1, self.bits & 0xFFFFFFFF)
        assert self.bits is not None
        if self.type in ("i32", "f32"):
            return struct.pack("<BI", code, self.bits & 0xFFFFFFFF)
        if self.type == "v128":
            return bytes([code]) + (self.bits & ((1 << 128) - 1)).to_bytes(16, "little")
        return struct.pack("<BQ", code, self.bits & 0xFFFFFFFFFFFFFFFF)

    @staticmethod
    def decode(buf: bytes, pos: int) -> tuple["Value", int]:
        try:
            code = buf[pos]
            vtype = CODE_TYPES[code]
            if vtype in ("funcref", "externref"):
                nonnull, bits = struct.unpack_from("<BI", buf, pos + 1)
                return Value(vtype, bits if nonnull else None), pos + 6
            if vtype in ("i32", "f32"):
                return Value(vtype, struct.unpack_from("<I", buf, pos + 1)[0]), pos + 5
            if vtype == "v128":
                raw = buf[pos + 1:pos + 17]
                if len(raw) != 16:
                    raise IndexError
                return Value(vtype, int.from_bytes(raw, "little")), pos + 17
            return Value(vtype, struct.unpack_from("<Q", buf, pos + 1)[0]), pos + 9
        except (IndexError, KeyError, struct.error):
            raise ProtocolError(f"undecodable value at byte {pos} of a reply") from None

    def __str__(self) -> str:
        if self.is_ref:
            return f"ref.null {self.type[:-3]}" if self.bits is None else f"{self.type} {self.bits}"
        return f"{self.type}:0x{self.bits:x}"


# ---- stream contract ---------------------------------------------------------------


class Stream(Protocol):
    """What the Client needs from a line to the agent.

    read(n) returns 1..n bytes as soon as any are available, or b"" once
    `timeout` seconds passed without data; it raises LinkLost at end of
    stream. write(data) sends everything (LinkLost when the line is gone).
    """

    timeout: Optional[float]

    def read(self, n: int) -> bytes: ...

    def write(self, data: bytes) -> None: ...


@dataclass(frozen=True)
class Hello:
    protocol: int
    max_payload: int
    pool_size: int
    max_handles: int
    version: str
    features: str
    board: str


@dataclass(frozen=True)
class Stats:
    pool_size: int
    pool_used: int
    pool_peak: int
    live_handles: int


def _to_stderr(data: bytes) -> None:
    import sys
    sys.stderr.buffer.write(data)
    sys.stderr.buffer.flush()


def _str16(buf: bytes, pos: int) -> tuple[str, int]:
    (n,) = struct.unpack_from("<H", buf, pos)
    raw = buf[pos + 2 : pos + 2 + n]
    if len(raw) != n:
        raise ProtocolError("truncated string in a reply")
    return raw.decode("utf-8", "replace"), pos + 2 + n


class Client:
    """Requests to one agent. Methods raise RemoteError for ERROR replies and
    LinkError subclasses (ProtocolError, LinkLost, TimeoutError) when the line
    itself fails."""

    def __init__(self, stream: Stream, *, timeout: float = 10.0) -> None:
        self.stream = stream
        self.timeout = timeout
        self.max_payload = 256  # until HELLO tells the real limit
        self.info: Optional[Hello] = None
        self._seq = 0
        self._rx = bytearray()
        self.preamble = b""  # text seen before the READY banner
        self.on_error_output: Optional[Callable[[bytes], None]] = None  # during RUN

    # -- raw I/O ------------------------------------------------------------
    def _fill(self, deadline: float) -> None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("no reply from the agent in time")
        self.stream.timeout = remaining
        data = self.stream.read(4096)
        if not data and time.monotonic() >= deadline:
            raise TimeoutError("no reply from the agent in time")
        self._rx += data

    def wait_ready(self, timeout: float = 10.0) -> str:
        """Wait for the banner `\\nWASMBED READY <version>\\n`; return the version."""
        deadline = time.monotonic() + timeout
        while True:
            at = self._rx.find(BANNER)
            if at >= 0:
                nl = self._rx.find(b"\n", at)
                if nl >= 0:
                    version = self._rx[at + len(BANNER) : nl].decode("ascii", "replace").strip()
                    self.preamble = bytes(self._rx[:at])
                    del self._rx[: nl + 1]
                    return version
            try:
                self._fill(deadline)
            except TimeoutError:
                seen = bytes(self._rx[-200:]).decode("ascii", "replace")
                raise TimeoutError(f"agent did not print its READY banner within {timeout:.0f}s (saw {seen!r})") from None

    def read_frame(self, deadline: float) -> Frame:
        while True:
            frame, used = decode_frame(bytes(self._rx))
            if frame is not None:
                del self._rx[:used]
                return frame
            del self._rx[:used]
            self._fill(deadline)

    def flush(self, settle: float = 0.5, limit: float = 10.0) -> None:
        """Resynchronise a line whose agent may be inside a frame with a
        corrupted length: send max_payload + 10 zero bytes (never a sync),
        then drop whatever arrives until the line is quiet for `settle` s
        (TimeoutError if it never is within `limit` s)."""
        self.stream.write(bytes(self.max_payload + 10))
        self._rx.clear()
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            self.stream.timeout = settle
            if not self.stream.read(4096):
                return
        raise TimeoutError(f"the line did not go quiet within {limit:.0f}s")

    def send(self, ftype: int, payload: bytes = b"") -> int:
        self._seq = (self._seq + 1) & 0xFF
        self.stream.write(encode_frame(ftype, self._seq, payload))
        return self._seq

    def request(
        self,
        ftype: int,
        payload: bytes = b"",
        *,
        timeout: Optional[float] = None,
        on_output: Optional[Callable[[bytes], None]] = None,
    ) -> Frame:
        """Send one request and return its OK/EXIT reply (ERROR raises)."""
        return self.reply(self.send(ftype, payload), timeout=timeout, on_output=on_output)

    def reply(
        self, seq: int, *, timeout: Optional[float] = None, on_output: Optional[Callable[[bytes], None]] = None
    ) -> Frame:
        """Wait for the final reply to request `seq`. Replies to earlier
        requests still unread are skipped, so callers that pipeline requests
        collect them in the order they were sent."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            frame = self.read_frame(deadline)
            if frame.seq != seq:
                continue  # a stale reply to an abandoned request
            if frame.type == FrameType.OUTPUT:
                if on_output is not None:
                    on_output(frame.payload)
                continue
            if frame.type == FrameType.OUTPUT_ERR:  # a WASI program's fd 2
                (self.on_error_output or _to_stderr)(frame.payload)
                continue
            if frame.type == FrameType.ERROR:
                kind = frame.payload[0] if frame.payload else Kind.PROTOCOL
                message, _, stack = frame.payload[1:].decode("utf-8", "replace").partition("\0")
                if kind == Kind.PROTOCOL:
                    raise ProtocolError(f"agent rejected a frame: {message}")
                raise RemoteError(kind, message, stack)
            if frame.type in (FrameType.OK, FrameType.EXIT):
                return frame
            raise ProtocolError(f"unexpected reply frame type 0x{frame.type:02x}")

    # -- requests ---------------------------------------------------------------
    def hello(self) -> Hello:
        p = self.request(FrameType.HELLO).payload
        try:
            proto, max_payload, pool, handles = struct.unpack_from("<HHIH", p, 0)
            version, pos = _str16(p, 10)
            features, pos = _str16(p, pos)
            board, pos = _str16(p, pos)
        except struct.error:
            raise ProtocolError("truncated HELLO reply") from None
        if proto != PROTOCOL_VERSION:
            raise ProtocolError(f"agent speaks protocol {proto}, this host speaks {PROTOCOL_VERSION}")
        self.max_payload = max_payload
        self.info = Hello(proto, max_payload, pool, handles, version, features, board)
        return self.info

    def load(
        self, module: bytes, *, instantiate: bool = True, timeout: Optional[float] = None, pipeline: bool = False,
        progress: Optional[Callable[[int, int], None]] = None, window: int = 0,
    ) -> int:
        """Upload, load and (unless instantiate=False) instantiate a module;
        returns its handle (0 when only loaded and validated). pipeline=True
        sends every frame before reading the replies (lines with flow
        control only: pipes, sockets, QEMU); window=N > 0 keeps at most N
        frames unanswered instead. progress(done, total) gets the bytes the
        agent has acknowledged."""
        if window > 0:
            return self._load_windowed(module, instantiate, timeout, window, progress)
        step = max(1, self.max_payload - 4)
        frames = [(FrameType.LOAD_BEGIN, struct.pack("<I", len(module)))]
        frames += [(FrameType.LOAD_CHUNK, struct.pack("<I", off) + module[off : off + step])
                   for off in range(0, len(module), step)]
        frames.append((FrameType.LOAD_END, bytes([0 if instantiate else 1])))
        if not pipeline:
            for ftype, payload in frames[:-1]:
                self.request(ftype, payload)
            return self._u32(self.request(frames[-1][0], frames[-1][1], timeout=timeout))
        seqs = [self.send(ftype, payload) for ftype, payload in frames]
        first: Optional[RemoteError] = None
        reply = None
        for i, seq in enumerate(seqs):  # read every reply, even after an error
            try:
                reply = self.reply(seq, timeout=timeout if i == len(seqs) - 1 else None)
            except RemoteError as err:
                first = first or err
        if first is not None:
            raise first
        assert reply is not None
        return self._u32(reply)

    def _load_windowed(self, module: bytes, instantiate: bool, timeout: Optional[float],
                       window: int, progress: Optional[Callable[[int, int], None]]) -> int:
        """LOAD frames with up to `window` in flight: as fast as the line drains, with
        progress as the agent acknowledges chunks (an upload of N chunks costs about one
        round trip instead of N)."""
        step = max(1, self.max_payload - 4)
        frames = [(FrameType.LOAD_BEGIN, struct.pack("<I", len(module)), 0)]
        frames += [(FrameType.LOAD_CHUNK, struct.pack("<I", off) + module[off : off + step],
                    min(step, len(module) - off)) for off in range(0, len(module), step)]
        frames.append((FrameType.LOAD_END, bytes([0 if instantiate else 1]), 0))
        pending: list[tuple[int, int]] = []
        first: Optional[RemoteError] = None
        done, reply = 0, None
        for i, (ftype, payload, size) in enumerate(frames):
            pending.append((self.send(ftype, payload), size))
            while pending and (len(pending) >= window or i == len(frames) - 1):
                seq, acked = pending.pop(0)
                try:
                    reply = self.reply(seq, timeout=timeout if not pending and
                                       i == len(frames) - 1 else None)
                except RemoteError as err:
                    first = first or err
                done += acked
                if progress is not None and acked:
                    progress(done, len(module))
        if first is not None:
            raise first
        assert reply is not None
        return self._u32(reply)

    def validate(self, module: bytes, *, timeout: Optional[float] = None, pipeline: bool = False) -> None:
        self.load(module, instantiate=False, timeout=timeout, pipeline=pipeline)

    def register(self, handle: int, name: str) -> None:
        self.request(FrameType.REGISTER, struct.pack("<I", handle) + name.encode())

    @staticmethod
    def invoke_payload(handle: int, name: str, args: Sequence[Value] = ()) -> bytes:
        raw = name.encode()
        if len(args) > 255 or len(raw) > 0xFFFF:
            raise ValueError("too many arguments or too long a name")
        return struct.pack("<IH", handle, len(raw)) + raw + bytes([len(args)]) + b"".join(a.encode() for a in args)

    @staticmethod
    def results(frame: Frame) -> list[Value]:
        """The values of an INVOKE reply."""
        p = frame.payload
        if not p:
            raise ProtocolError("empty INVOKE reply")
        values, pos = [], 1
        for _ in range(p[0]):
            v, pos = Value.decode(p, pos)
            values.append(v)
        return values

    def invoke(
        self, handle: int, name: str, args: Sequence[Value] = (), *, timeout: Optional[float] = None
    ) -> list[Value]:
        return self.results(self.request(FrameType.INVOKE, self.invoke_payload(handle, name, args), timeout=timeout))

    def get_global(self, handle: int, name: str) -> Value:
        p = self.request(FrameType.GET_GLOBAL, struct.pack("<I", handle) + name.encode()).payload
        return Value.decode(p, 0)[0]

    def free(self, handle: int) -> None:
        self.request(FrameType.FREE, struct.pack("<I", handle))

    def reset(self, *, timeout: Optional[float] = None) -> None:
        self.request(FrameType.RESET, timeout=timeout)
        if getattr(self, "fuel", 0):  # RESET makes a fresh environment: budget again
            self.request(FrameType.FUEL, struct.pack("<Q", self.fuel), timeout=timeout)

    def set_fuel(self, fuel: int) -> None:
        """Give every later call a budget of `fuel` instructions (0: no limit); running out
        is an ERROR of kind FUEL. Needs an agent built with instruction-metering."""
        if not 0 <= fuel < 1 << 64:
            raise ValueError(f"fuel {fuel} is not a u64")
        self.request(FrameType.FUEL, struct.pack("<Q", fuel))
        self.fuel = fuel

    def stats(self) -> Stats:
        p = self.request(FrameType.STATS).payload
        try:
            return Stats(*struct.unpack_from("<IIIH", p, 0))
        except struct.error:
            raise ProtocolError("truncated STATS reply") from None

    def run(
        self, handle: int, on_output: Optional[Callable[[bytes], None]] = None, *, timeout: Optional[float] = None,
        on_error_output: Optional[Callable[[bytes], None]] = None,
    ) -> int:
        """Run the app's `_start`/`main`; output goes to on_output (a WASI program's fd 2
        to on_error_output, else to stderr); returns the exit code."""
        self.on_error_output = on_error_output
        try:
            reply = self.request(FrameType.RUN, struct.pack("<I", handle), timeout=timeout,
                                 on_output=on_output)
        finally:
            self.on_error_output = None
        if reply.type != FrameType.EXIT:
            raise ProtocolError("RUN answered without EXIT")
        return struct.unpack("<i", reply.payload[:4])[0] if len(reply.payload) >= 4 else 0

    def wasi_setup(self, args: Sequence[str], env: Sequence[str],
                   preopens: Sequence[tuple[str, str]]) -> None:
        """What the next RUN's WASI program sees: argv (argv[0] first), "KEY=VALUE"
        strings and (guest name, host path) preopened directories. One WASI frame per
        item, after one that clears the previous program's and 32 bytes of entropy
        (random_get on boards without an entropy source of their own)."""
        import os
        items = [b"\x00", b"\x04" + os.urandom(32)] + [b"\x01" + a.encode() for a in args] \
            + [b"\x02" + e.encode() for e in env] \
            + [b"\x03" + struct.pack("<H", len(g.encode())) + g.encode() + h.encode()
               for g, h in preopens]
        for item in items:
            if len(item) > self.max_payload:
                raise WasmbedError(f"WASI argument or variable of {len(item) - 1} bytes: the "
                                   f"agent takes at most {self.max_payload - 1} per item")
            self.request(FrameType.WASI, item)

    @staticmethod
    def _u32(frame: Frame) -> int:
        if len(frame.payload) < 4:
            raise ProtocolError("truncated reply")
        return struct.unpack_from("<I", frame.payload, 0)[0]
