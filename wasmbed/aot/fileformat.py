"""The AOT file: header, stripped module, code image, relocations, symbols.

Layout (all header fields little-endian, whatever the target):

    0   magic "WBAOT\\x1a\\r\\n"
    8   u16 format version          10  u16 runtime ABI version (wb_aot_abi.h)
    12  u32 header size (176)       16  u32 file size
    20  u32 CRC-32 of bytes 24..end
    24  target triple, 40 bytes NUL-padded
    64  ABI (pointer size, byte order, float ABI: "p64-le", "p32-le-hf"), 24 bytes
    88  features the code needs from the runtime, comma-separated, 40 bytes
    128 u32 wasm offset, u32 wasm length      (module with bodies replaced by unreachable)
    136 u32 image offset, u32 image length    (code + data, linked at `link base`)
    144 u32 relocations offset, u32 count     (u32 image offset | kind in the low 2 bits:
                                               0 pointer-sized word, 1 MIPS lui upper
                                               half, 2 MIPS j/jal field; link.RELOC_*)
    152 u32 symbols offset, u32 count         (u32 image offset of each function's trampoline)
    160 u64 link base                          168 u32 image alignment (0: 16)
    172 4 reserved bytes
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

from wasmbed.errors import WasmbedError

MAGIC = b"WBAOT\x1a\r\n"
FORMAT_VERSION = 2   # 2: relocation kinds (MIPS HI16/J26 of non-PIC code)
HEADER_SIZE = 176
TARGET_LEN, ABI_LEN, FEATURES_LEN = 40, 24, 40


def abi_version() -> int:
    from wasmbed.aot.emit import ABI_HEADER

    for line in ABI_HEADER.read_text().splitlines():
        if line.startswith("#define WB_AOT_ABI_VERSION"):
            return int(line.split()[2].rstrip("u"))
    raise WasmbedError(f"{ABI_HEADER}: WB_AOT_ABI_VERSION not found")


@dataclass
class AotFile:
    target: str
    abi: str
    features: str
    wasm: bytes
    image: bytes
    relocs: list[int]
    syms: list[int]
    base: int
    align: int = 16                 # the image's load address must be a multiple of this
    version: int = FORMAT_VERSION
    abi_version: int = 0

    def pack(self) -> bytes:
        def field(s: str, n: int, what: str) -> bytes:
            b = s.encode()
            if len(b) >= n:
                raise WasmbedError(f"AOT {what} {s!r} is longer than {n - 1} bytes")
            return b + b"\0" * (n - len(b))

        off = HEADER_SIZE
        wasm_off = off
        off += len(self.wasm)
        off = (off + 15) & ~15
        img_off = off
        off += len(self.image)
        off = (off + 3) & ~3
        rel_off = off
        off += 4 * len(self.relocs)
        sym_off = off
        off += 4 * len(self.syms)
        body = bytearray(off)
        body[wasm_off:wasm_off + len(self.wasm)] = self.wasm
        body[img_off:img_off + len(self.image)] = self.image
        struct.pack_into(f"<{len(self.relocs)}I", body, rel_off, *self.relocs)
        struct.pack_into(f"<{len(self.syms)}I", body, sym_off, *self.syms)
        hdr = (MAGIC + struct.pack("<HHII", self.version, self.abi_version or abi_version(),
                                   HEADER_SIZE, off) + b"\0\0\0\0"
               + field(self.target, TARGET_LEN, "target") + field(self.abi, ABI_LEN, "ABI")
               + field(self.features, FEATURES_LEN, "feature list")
               + struct.pack("<8IQI4x", wasm_off, len(self.wasm), img_off, len(self.image),
                             rel_off, len(self.relocs), sym_off, len(self.syms), self.base,
                             self.align))
        assert len(hdr) == HEADER_SIZE
        body[:HEADER_SIZE] = hdr
        struct.pack_into("<I", body, 20, zlib.crc32(bytes(body[24:])) & 0xFFFFFFFF)
        return bytes(body)


def reseal(data: bytes) -> bytes:
    """`data` with its checksum recomputed (tests build foreign headers this way)."""
    b = bytearray(data)
    struct.pack_into("<I", b, 20, zlib.crc32(bytes(b[24:])) & 0xFFFFFFFF)
    return bytes(b)


def describe(data: bytes) -> dict:
    """Header fields of an AOT file (for `wasmbed aot --info` and tests)."""
    if len(data) < HEADER_SIZE or data[:8] != MAGIC:
        raise WasmbedError("not a wasmbed AOT file (bad magic or truncated header)")
    ver, abiv, hsize, fsize, crc = struct.unpack_from("<HHIII", data, 8)

    def s(off: int, n: int) -> str:
        return data[off:off + n].split(b"\0", 1)[0].decode(errors="replace")

    f = struct.unpack_from("<8IQI", data, 128)
    return {"version": ver, "abi_version": abiv, "size": fsize, "crc32": crc,
            "crc_ok": fsize == len(data) and zlib.crc32(data[24:]) & 0xFFFFFFFF == crc,
            "target": s(24, TARGET_LEN), "abi": s(64, ABI_LEN), "features": s(88, FEATURES_LEN),
            "wasm_size": f[1], "image_size": f[3], "relocations": f[5], "functions": f[7],
            "base": f[8], "align": f[9] or 16}
