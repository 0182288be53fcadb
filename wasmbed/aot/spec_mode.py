"""AOT mode of the spec runner: every module of a script is compiled ahead of time on the
host for the board (cached), and the .aot file travels over the protocol instead of the
.wasm. Modules the compiler's validator rejects count as rejected (assert_invalid /
assert_malformed pass exactly as the interpreter's loader would decide)."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Iterable

from wasmbed.aot import compiler
from wasmbed.errors import WasmbedError


class AotModules:
    def __init__(self, board: str, jobs: int = 2,
                 features: Iterable[str] | str | None = None) -> None:
        from wasmbed.aot.validate import proposals_of

        self.target = compiler.target_for(board)
        # the proposals of the agent's build: the validator accepts exactly those
        self.proposals = proposals_of(features)
        self.stats = compiler.Stats()
        self.jobs = jobs
        self.errors: dict[bytes, WasmbedError] = {}
        self.done: dict[bytes, bytes] = {}
        self.wall = 0.0

    def _one(self, wasm: bytes) -> None:
        try:
            self.done[wasm] = compiler.compile_cached(wasm, self.target, self.stats,
                                                     self.proposals)
        except WasmbedError as err:
            self.errors[wasm] = err

    def prepare(self, modules: Iterable[bytes]) -> None:
        """Compile the modules not compiled yet, `jobs` at a time."""
        todo = [m for m in dict.fromkeys(modules) if m not in self.done and m not in self.errors]
        if not todo:
            return
        t0 = time.monotonic()
        with ThreadPoolExecutor(max_workers=self.jobs) as pool:
            list(pool.map(self._one, todo))
        self.wall += time.monotonic() - t0

    def get(self, wasm: bytes) -> bytes:
        """The AOT file for `wasm`; raises compiler.InvalidModule or WasmbedError."""
        if wasm not in self.done and wasm not in self.errors:
            self.prepare([wasm])
        if wasm in self.errors:
            raise self.errors[wasm]
        return self.done[wasm]

    def forget(self) -> None:
        """Drop the in-memory copies (the disk cache stays)."""
        self.done.clear()
        self.errors.clear()

    def summary(self) -> str:
        s = self.stats
        return (f"AOT: {s.compiled} modules compiled in {s.seconds:.1f} s of compiler time "
                f"({self.wall:.1f} s wall, {self.jobs} jobs), {s.cached} from the cache "
                f"({compiler.CACHE / self.target.triple})")
