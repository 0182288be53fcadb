"""Runaway programs end with a clear outcome and the firmware keeps serving (issue: fuel).

On the host agent and under QEMU (riscv64, Cortex-M4): an endless loop runs out of fuel,
unbounded recursion exhausts the call stack, a memory.grow loop gets -1 once the heap pool
is full, and a module whose memory does not fit the pool is refused at instantiation. After
each, the next request still works and the pool statistics are back where they started.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Iterator

import pytest

from agent_helpers import wat
from wasmbed.run.protocol import Kind, RemoteError, Value
from wasmbed.run.target import HostTarget

FEATURES = ["+instruction-metering"]

RUNAWAY = """
(module
  (memory 1)
  (func (export "spin") (loop (br 0)))
  (func $rec (export "rec") (param i32) (result i32)
    (i32.add (call $rec (i32.add (local.get 0) (i32.const 1))) (i32.const 1)))
  (func (export "grow") (result i32) (local i32)
    (loop
      (local.set 0 (memory.grow (i32.const 256)))
      (br_if 0 (i32.ne (local.get 0) (i32.const -1))))
    (memory.size))
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))
"""

#: a memory far larger than any board's heap pool (1 GiB minimum)
HUGE = "(module (memory 16384))"


def _exercise(client, fuel: int = 2_000_000) -> None:
    client.reset()
    client.set_fuel(fuel)
    h = client.load(wat(RUNAWAY))
    assert client.invoke(h, "add", [Value("i32", 2), Value("i32", 40)])[0].bits == 42
    client.free(h)
    before = client.stats()  # after a first call: the agent's call stack exists from then on
    h = client.load(wat(RUNAWAY))
    with pytest.raises(RemoteError) as spin:
        client.invoke(h, "spin")
    assert spin.value.kind == Kind.FUEL and "all fuel consumed" in str(spin.value)
    with pytest.raises(RemoteError) as rec:
        client.invoke(h, "rec", [Value("i32", 0)])
    assert rec.value.kind == Kind.EXHAUSTION and "call stack exhausted" in str(rec.value)
    pages = client.invoke(h, "grow", timeout=120)[0]
    assert pages.bits >= 1  # grew by 16 MiB steps until the heap said no, then returned
    assert client.invoke(h, "add", [Value("i32", 2), Value("i32", 40)])[0].bits == 42
    with pytest.raises(RemoteError) as huge:
        client.load(wat(HUGE))
    assert huge.value.kind == Kind.NOMEM
    client.free(h)
    after = client.stats()
    assert after.pool_used == before.pool_used, (before, after)
    # and the agent keeps serving
    h = client.load(wat(RUNAWAY))
    assert client.invoke(h, "add", [Value("i32", 1), Value("i32", 1)])[0].bits == 2
    client.free(h)


@pytest.fixture(scope="module")
def metered_host_agent() -> Path:
    from wasmbed.build import driver as build

    return Path(build.build("host", FEATURES).firmware)


def test_runaway_on_the_host_agent(metered_host_agent: Path) -> None:
    t = HostTarget(metered_host_agent)
    try:
        _exercise(t.start())
    finally:
        t.stop()


def test_fuel_from_the_command_line(tmp_path: Path) -> None:
    app = tmp_path / "spin.wasm"
    app.write_bytes(wat('(module (func (export "_start") (loop (br 0))))'))
    r = subprocess.run([sys.executable, "-m", "wasmbed.cli", "run", "--board", "host",
                        str(app), "--fuel", "1000000"], capture_output=True, text=True,
                       timeout=900)
    assert r.returncode == 3, r.stdout + r.stderr   # wasmbed.run.outcome: a trap
    assert "all fuel consumed" in r.stderr


@pytest.mark.qemu
@pytest.mark.parametrize("board", ["qemu-riscv64", "mps2-an386"])
def test_runaway_under_qemu(board: str, tmp_path: Path) -> None:
    from wasmbed.build import driver as build
    from wasmbed.model.descriptors import load_board
    from wasmbed.run.qemu import QemuTarget

    binary = load_board(board).qemu.binary
    if shutil.which(binary) is None:
        pytest.skip(f"{binary} not installed")
    firmware = Path(build.build(board, FEATURES).firmware)
    t = QemuTarget(board, firmware, log=tmp_path / "serial.log",
                   extra_args=["-name", f"wasmbed-test-{uuid.uuid4().hex[:8]}"])
    try:
        _exercise(t.start())
    finally:
        t.close()


@pytest.fixture
def no_fuel_agent() -> Iterator[HostTarget]:
    from wasmbed.build import driver as build

    t = HostTarget(Path(build.build("host").firmware))
    try:
        yield t
    finally:
        t.stop()


def test_fuel_without_metering_is_refused_clearly(no_fuel_agent: HostTarget) -> None:
    from wasmbed.run import fuel
    from wasmbed.errors import WasmbedError

    client = no_fuel_agent.start()
    with pytest.raises(WasmbedError, match="built without instruction-metering"):
        fuel.apply(client, 1000)
