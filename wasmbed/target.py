"""Targets: something that runs an agent and gives a Client on its byte stream.

`Target` is the contract (docs/design.md); `HostTarget` runs the host build
of the agent as a subprocess and talks over its stdin/stdout pipes. Boards
use wasmbed.qemu.QemuTarget / SerialTarget, which follow the same contract.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import tempfile
from pathlib import Path
from typing import IO, Callable, Optional, Sequence

from wasmbed.errors import WasmbedError
from wasmbed.protocol import Client, LinkLost


class Target:
    """One agent on a byte stream."""

    name: str = "?"
    timeout_factor: float = 1.0
    resets: int = 0
    client: Optional[Client] = None
    # Requests the spec runner may have in flight at once. More than 1 only
    # where the line has flow control (pipes, sockets, QEMU's chardev): a
    # bare UART would drop bytes while the agent is busy.
    pipeline_depth: int = 1

    def start(self) -> Client:  # boot/spawn, wait for READY, HELLO
        raise NotImplementedError

    def restart(self, reason: str) -> Client:
        """After a timeout or crash: a fresh agent (counted in `resets`)."""
        self.stop()
        self.resets += 1
        self.last_restart_reason = reason
        return self.start()

    def stop(self) -> None:  # always safe to call twice
        raise NotImplementedError

    def alive(self) -> bool:
        raise NotImplementedError

    def __enter__(self) -> "Target":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def describe_exit(code: Optional[int]) -> str:
    if code is None:
        return "still running"
    if code < 0:
        try:
            return f"killed by signal {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit status {code}"


class PipeStream:
    """The Stream contract over a child process's stdout/stdin."""

    def __init__(self, proc: subprocess.Popen, describe: Callable[[], str]) -> None:
        assert proc.stdin is not None and proc.stdout is not None
        self.proc = proc
        self.rfd = proc.stdout.fileno()
        self.wfd = proc.stdin.fileno()
        self.timeout: Optional[float] = None
        self._describe = describe

    def read(self, n: int) -> bytes:
        ready, _, _ = select.select([self.rfd], [], [], self.timeout)
        if not ready:
            return b""
        data = os.read(self.rfd, n)
        if not data:
            raise LinkLost(f"agent stream ended ({self._describe()})")
        return data

    def write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            try:
                n = os.write(self.wfd, view)
            except (BrokenPipeError, OSError):
                raise LinkLost(f"agent stream closed ({self._describe()})") from None
            view = view[n:]


class HostTarget(Target):
    """The host agent as a subprocess (optionally under a wrapper such as valgrind)."""

    pipeline_depth = 16  # pipes hold 64 KiB each way: far more than 16 requests
    new_session = False  # True: the agent and its children in a process group of their own

    def __init__(
        self,
        firmware: Path,
        *,
        name: str = "host",
        timeout_factor: float = 1.0,
        wrapper: Sequence[str] = (),
        ready_timeout: float = 10.0,
    ) -> None:
        self.firmware = Path(firmware)
        self.name = name
        self.timeout_factor = timeout_factor
        self.wrapper = list(wrapper)
        self.ready_timeout = ready_timeout
        self.resets = 0
        self.client = None
        self.proc: Optional[subprocess.Popen] = None
        self._stderr: Optional[IO[bytes]] = None
        if not self.firmware.is_file():
            raise WasmbedError(f"host agent not found: {self.firmware}")

    def start(self) -> Client:
        self.stop()
        self._stderr = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            [*self.wrapper, str(self.firmware)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            bufsize=0,
            start_new_session=self.new_session,
        )
        client = Client(PipeStream(self.proc, self.describe), timeout=10.0 * self.timeout_factor)
        client.wait_ready(self.ready_timeout * self.timeout_factor)
        client.hello()
        self.client = client
        return client

    def restart(self, reason: str) -> Client:
        # A hung agent would ignore the end of its stdin: do not wait for it.
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
        return super().restart(reason)

    def describe(self) -> str:
        """Exit status (after a short wait) plus the tail of stderr."""
        if self.proc is None:
            return "not started"
        try:
            code = self.proc.wait(timeout=1.0)
        except subprocess.TimeoutExpired:
            code = None
        text = describe_exit(code)
        tail = self.stderr_tail()
        return f"{text}; stderr: {tail}" if tail else text

    def stderr_tail(self, limit: int = 300) -> str:
        return file_tail(self._stderr, limit).strip()

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        self.client = None
        if proc is not None:
            for pipe in (proc.stdin, proc.stdout):
                try:
                    if pipe is not None:
                        pipe.close()
                except OSError:
                    pass
            try:
                proc.wait(timeout=1.0)  # closing stdin ends a healthy agent
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None


def file_tail(f: Optional[IO[bytes]], limit: int = 300) -> str:
    """The last `limit` bytes of a process's captured stderr file, as text ("" if none)."""
    if f is None:
        return ""
    try:
        f.seek(0, os.SEEK_END)
        f.seek(max(0, f.tell() - limit))
        return f.read().decode("utf-8", "replace")
    except (OSError, ValueError):
        return ""


def host_firmware(features: Optional[list[str]] = None, mode: str = "release") -> Path:
    """Build (or reuse) the host agent with the build system and return its path."""
    from wasmbed import build as build_mod

    return Path(build_mod.build("host", features, mode=mode).firmware)


class RtosProcessTarget(HostTarget):
    """An RTOS built as a host process (RIOT's native boards): its stdin is an RX ring
    without flow control, so one request at a time. RIOT native forks a helper that polls
    stdin and never ends with it: stopping kills the agent's whole process group."""

    pipeline_depth = 1
    new_session = True

    def stop(self) -> None:
        proc = self.proc
        if proc is not None:
            try:
                os.killpg(proc.pid, signal.SIGKILL)  # the agent does not end on stdin EOF
            except (ProcessLookupError, PermissionError):
                pass
        super().stop()


def process_target(board: str, *, firmware: Optional[Path] = None,
                   features: Optional[list[str]] = None, mode: str = "release") -> Target:
    """The agent of a `runner: process` board, built with the board's own build."""
    from wasmbed import build as build_mod

    if firmware is None:
        result = build_mod.build(board, features, mode=mode)
        if result.firmware is None:
            missing = result.build_json.get("missing") or "its SDK"
            raise WasmbedError(f"board {board} was built without its SDK (missing: {missing}): "
                               "there is no process to run")
        firmware = result.firmware
    return RtosProcessTarget(firmware, name=board)


def open_target(
    board: str,
    *,
    port: Optional[str] = None,
    baud: int = 115200,
    firmware: Optional[Path] = None,
    features: Optional[list[str]] = None,
    mode: str = "release",
) -> Target:
    """The target for `--board B [--port URL --baud N] [--firmware F] [--mode M]`."""
    if board == "host":
        return HostTarget(firmware if firmware is not None else host_firmware(features, mode))
    if port is None:
        from wasmbed.descriptors import load_board

        desc = load_board(board)
        if desc.runner == "process":  # an RTOS that runs as a host process (RIOT native64)
            return process_target(board, firmware=firmware, features=features, mode=mode)
    if port is None:
        from wasmbed.descriptors import load_board

        if load_board(board).qemu:
            raise WasmbedError(f"board {board!r} is not the host: use run-on-qemu {board} "
                               "or give --port")
        raise WasmbedError(f"board {board!r} is not the host and has no QEMU machine: give "
                           "--port (the serial port of the board running the agent)",
                           hint=f"flash the agent first: wasmbed flash --board {board} "
                                "--port /dev/ttyUSB0")
    from wasmbed.flash import check_port  # missing port: the list of ports, not [Errno 2]
    from wasmbed.qemu import SerialTarget  # H4's module; imported only when needed

    return SerialTarget(board, check_port(port), baud=baud)
