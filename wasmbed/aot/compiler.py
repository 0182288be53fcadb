"""`wasm bytes + board -> AOT file`, with the cache under build/aot-cache/.

The cache key is the hash of the module, the board's triple, toolchain and CPU flags, the
features the file needs and the translator's own sources, so any change that could change
the output makes a new entry; entries are written atomically (rename), so parallel runs
never read half a file.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from wasmbed.model import descriptors
from wasmbed.aot import decode, emit, fileformat, link
from wasmbed.errors import WasmbedError
from wasmbed.model.toolchains import Toolchain, for_board

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / "build" / "aot-cache"
#: features every AOT file needs from the runtime
NEEDS = "aot"


class InvalidModule(WasmbedError):
    """The module does not decode or validate (kind: 'malformed' or 'invalid')."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(f"{kind} module: {message}")
        self.kind = kind
        self.detail = message


@dataclass
class Target:
    board: str
    triple: str
    tc: Toolchain
    cpu_flags: tuple[str, ...]
    abi: str

    @property
    def key(self) -> str:
        return "|".join([self.triple, self.tc.name, " ".join(self.tc.cc), " ".join(self.tc.cflags),
                         " ".join(self.cpu_flags), self.abi, NEEDS])


@lru_cache(maxsize=None)
def _sources_hash() -> str:
    h = hashlib.sha256()
    for p in sorted(Path(__file__).parent.glob("*.py")) + [emit.ABI_HEADER]:
        h.update(p.read_bytes())
    return h.hexdigest()[:16]


def abi_of(macros: dict[str, str]) -> str:
    """The ABI string wb_aot.c computes from the same predefined macros."""
    bits = "p64" if macros.get("__SIZEOF_POINTER__") == "8" else "p32"
    big = macros.get("__BYTE_ORDER__") == "__ORDER_BIG_ENDIAN__"
    abi = bits + ("-be" if big else "-le")
    if "__arm__" in macros:
        abi += "-hf" if "__ARM_PCS_VFP" in macros else "-sf"
    elif "__riscv" in macros:
        abi += "-d" if "__riscv_float_abi_double" in macros else \
            "-f" if "__riscv_float_abi_single" in macros else "-s"
    elif "__mips__" in macros:
        abi += "-hf" if "__mips_hard_float" in macros else "-sf"
    return abi


def _macros(tc: Toolchain, cpu_flags: tuple[str, ...]) -> dict[str, str]:
    cmd = [*tc.cc, *tc.cflags, *cpu_flags, "-dM", "-E", "-x", "c", os.devnull]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    if r.returncode:
        raise WasmbedError(f"AOT: {' '.join(cmd)} failed: {r.stderr.strip()[-300:]}")
    out = {}
    for line in r.stdout.splitlines():
        parts = line.split(None, 2)
        if len(parts) >= 2 and parts[0] == "#define":
            out[parts[1]] = parts[2] if len(parts) > 2 else ""
    return out


@lru_cache(maxsize=None)
def target_for(board_name: str) -> Target:
    board = descriptors.load_board(board_name)
    tc = for_board(board).require(board_name)
    cpu = tuple(board.cpu_flags)
    return Target(board_name, board.triple, tc, cpu, abi_of(_macros(tc, cpu)))


def _proposals(proposals: tuple[str, ...] | None) -> tuple[str, ...]:
    """The proposals the validator accepts: None = every one the translator compiles."""
    from wasmbed.aot.validate import PROPOSALS

    return PROPOSALS if proposals is None else proposals


def cache_path(wasm: bytes, target: Target, proposals: tuple[str, ...] | None = None) -> Path:
    h = hashlib.sha256()
    h.update(_sources_hash().encode())
    h.update(target.key.encode())
    # a module valid with a proposal may be invalid without it (the core suite's
    # assert_invalid): the accepted proposals are part of the key
    h.update(",".join(_proposals(proposals)).encode())
    h.update(wasm)
    return CACHE / target.triple / f"{h.hexdigest()[:32]}.aot"


def translate(wasm: bytes, *, validate: bool = True,
              proposals: tuple[str, ...] | None = None) -> tuple[decode.Module, str]:
    """Decode (and validate with the runtime's own validator), then translate to C."""
    if validate:
        from wasmbed.aot.validate import check

        check(wasm, _proposals(proposals))
    try:
        mod = decode.decode(wasm)
    except decode.DecodeError as err:
        raise InvalidModule("malformed", str(err)) from None
    return mod, emit.translate(mod)


def compile_module(wasm: bytes, target: Target, *, validate: bool = True,
                   workdir: Path | None = None,
                   proposals: tuple[str, ...] | None = None) -> bytes:
    mod, c_source = translate(wasm, validate=validate, proposals=proposals)
    img = link.build_image(c_source, target.tc, target.cpu_flags, workdir, target.triple)
    syms = []
    for idx in range(mod.nfunc_imports, len(mod.func_types)):
        name = f"wbaot_t{idx}"
        if name not in img.syms:
            raise WasmbedError(f"AOT link: trampoline {name} missing from the image")
        syms.append(img.syms[name])
    # v128 code calls the runtime's SIMD (wb_simd.c): a runtime without it refuses the file
    needs = NEEDS + (",simd" if emit.emit_simd.PRELUDE in c_source else "")
    return fileformat.AotFile(target=target.triple, abi=target.abi, features=needs,
                              wasm=decode.strip_code(mod), image=img.data, relocs=img.relocs,
                              syms=syms, base=link.BASE_A, align=img.align).pack()


@dataclass
class Stats:
    compiled: int = 0
    cached: int = 0
    seconds: float = 0.0


def compile_cached(wasm: bytes, target: Target, stats: Stats | None = None,
                   proposals: tuple[str, ...] | None = None) -> bytes:
    """The AOT file for `wasm`, from the cache when it is there; `proposals`: those the
    validator accepts (None: every one the translator compiles)."""
    path = cache_path(wasm, target, proposals)
    if path.exists():
        if stats:
            stats.cached += 1
        return path.read_bytes()
    t0 = time.monotonic()
    data = compile_module(wasm, target, proposals=proposals)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    if stats:
        stats.compiled += 1
        stats.seconds += time.monotonic() - t0
    return data
