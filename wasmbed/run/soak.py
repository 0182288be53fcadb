"""Soak: the spec suite several times on one agent, then many small invocations.

Nothing is restarted between passes: the agent (a host process, a QEMU guest or a board)
stays up, and after each pass the heap pool statistics must be what they were after the
first one (no leak), no pass may need an agent restart (no protocol error, no crash), and
the invocation rate of the last block may not fall far below the first (no slowdown).
Knows no CLI: `wasmbed soak` prints and writes what `run()` returns.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional, Sequence

from wasmbed.run.protocol import Client, Value

#: (module (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))
ADD_WASM = bytes.fromhex("0061736d0100000001070160027f7f017f030201000707010361646400000a09"
                         "010700200020016a0b")


@dataclass
class Pass:
    passed: int
    failed: int
    skipped: int
    restarts: int
    seconds: float
    pool_used: int
    first_failure: str = ""


@dataclass
class Invocations:
    count: int
    wrong: int
    seconds: float
    block: int
    rates: list[float] = field(default_factory=list)   # invocations per second per block
    pool_used: list[int] = field(default_factory=list)  # after each block


@dataclass
class SoakReport:
    board: str
    passes: list[Pass]
    invocations: Optional[Invocations]
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["ok"] = self.ok
        return out


def spec_passes(runner: Any, client_of: Callable[[], Client], files: Sequence[Path], passes: int,
                progress: Callable[[str], None]) -> list[Pass]:
    """The files `passes` times on one agent; pool statistics after each pass."""
    out = []
    for n in range(passes):
        t0 = time.monotonic()
        passed = failed = skipped = 0
        restarts0 = runner.restarts
        first = ""
        for i, path in enumerate(files):
            progress(f"pass {n + 1}/{passes}: {path.name} ({i + 1}/{len(files)})")
            res = runner.run_file(path)
            passed += res.passed
            failed += res.failed
            skipped += res.skipped
            if res.failed and not first:
                first = f"{path.name}: {res.failures[0] if res.failures else '?'}"
        client = client_of()
        client.reset()
        out.append(Pass(passed, failed, skipped, runner.restarts - restarts0,
                        round(time.monotonic() - t0, 1), client.stats().pool_used, first))
    return out


def invocations(client: Client, count: int, block: int,
                progress: Callable[[str], None]) -> Invocations:
    """`count` calls of a two-argument add, checked, in blocks of `block`."""
    client.reset()
    handle = client.load(ADD_WASM)
    res = Invocations(count=0, wrong=0, seconds=0.0, block=block)
    t_start = time.monotonic()
    while res.count < count:
        n = min(block, count - res.count)
        t0 = time.monotonic()
        for i in range(n):
            a = (res.count + i) & 0x7FFFFFFF
            got = client.invoke(handle, "add", [Value("i32", a), Value("i32", 1)])
            if got != [Value("i32", (a + 1) & 0xFFFFFFFF)]:
                res.wrong += 1
        res.count += n
        res.rates.append(round(n / max(time.monotonic() - t0, 1e-9), 1))
        res.pool_used.append(client.stats().pool_used)
        progress(f"invocations: {res.count:,}/{count:,} ({res.rates[-1]:,.0f}/s)")
    res.seconds = round(time.monotonic() - t_start, 1)
    client.free(handle)
    return res


def judge(passes: list[Pass], inv: Optional[Invocations], *, slowdown: float = 1.5) -> list[str]:
    """What went wrong: a leak, a restart, a failure, wrong results or a slowdown (the last
    block's rate below the first's by more than `slowdown`; 0: not judged)."""
    problems = []
    for i, p in enumerate(passes):
        if p.restarts:
            problems.append(f"pass {i + 1}: {p.restarts} agent restart(s)")
        if p.failed:
            problems.append(f"pass {i + 1}: {p.failed} failed ({p.first_failure})")
        if i and p.pool_used != passes[0].pool_used:
            problems.append(f"pass {i + 1}: pool in use {p.pool_used:,} B after the pass, "
                            f"{passes[0].pool_used:,} B after the first (a leak)")
        if i and (p.passed, p.skipped) != (passes[0].passed, passes[0].skipped):
            problems.append(f"pass {i + 1}: {p.passed} passed / {p.skipped} skipped, "
                            f"first pass {passes[0].passed} / {passes[0].skipped}")
    if inv is not None:
        if inv.wrong:
            problems.append(f"invocations: {inv.wrong} wrong results")
        if len(set(inv.pool_used)) > 1:
            problems.append(f"invocations: pool in use drifted {min(inv.pool_used):,}.."
                            f"{max(inv.pool_used):,} B")
        if slowdown and len(inv.rates) >= 2 and inv.rates[-1] * slowdown < inv.rates[0]:
            problems.append(f"invocations: slowed down from {inv.rates[0]:,.0f}/s to "
                            f"{inv.rates[-1]:,.0f}/s")
    return problems
