"""Targets: something that runs an agent and gives a Client on its byte stream.

`Target` is the contract (docs/design.md); `HostTarget` runs the host build
of the agent as a subprocess and talks over its stdin/stdout pipes. Boards
use wasmbed.run.qemu.QemuTarget / SerialTarget, which follow the same contract.
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
from wasmbed.run.protocol import Client, LinkLost


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
        env: Optional[dict[str, str]] = None,
    ) -> None:
        self.firmware = Path(firmware)
        self.name = name
        self.timeout_factor = timeout_factor
        self.wrapper = list(wrapper)
        self.ready_timeout = ready_timeout
        self.env = env  # None: this process's environment
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
            env=self.env,
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
    from wasmbed.build import driver as build_mod

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


def runner_wrapper(board: str) -> tuple[list[str], Optional[dict[str, str]], float]:
    """How a process board's firmware is started: the command before it (qemu-s390x,
    wine), the environment (None: ours) and the timeout factor; a missing runner binary
    is an error naming its package."""
    import shutil

    from wasmbed import ROOT
    from wasmbed.model.descriptors import load_board

    desc = load_board(board)
    command = list(desc.runner_command())
    if not command:
        check_runs_here(desc.name, desc.platform, desc.arch)
    spec = desc.runner_spec or {}
    factor = float(spec.get("timeout_factor") or 1.0)
    if command and shutil.which(command[0]) is None:
        package = spec.get("package") or command[0]
        raise WasmbedError(f"board {board}: runner {command[0]!r} not found on PATH",
                           hint=f"install {package} (Debian: apt-get install {package}; "
                                "ci/setup.sh installs it)")
    env: Optional[dict[str, str]] = None
    if desc.runner == "wine":
        # non-interactive: no debug chatter on stderr, no Mono/Gecko install dialogs,
        # a prefix of our own under build/ (created on first start)
        prefix = ROOT / "build" / "wine-prefix"
        prefix.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ, WINEDEBUG="-all", WINEPREFIX=str(prefix),
                   WINEDLLOVERRIDES="mscoree,mshtml=", DISPLAY="")
    return command, env, factor


#: platform -> the sys.platform prefix of a system that runs its executables natively
PLATFORM_OS = {"linux": "linux", "riot": "linux", "darwin": "darwin", "freebsd": "freebsd",
               "windows": "win32"}
#: this machine's CPU (platform.machine()) -> the board arches it executes natively
NATIVE_ARCHES = {"x86_64": ("x86_64", "i386"), "amd64": ("x86_64", "i386"),
                 "i386": ("i386",), "i686": ("i386",), "aarch64": ("aarch64",),
                 "arm64": ("aarch64",), "riscv64": ("riscv64",), "s390x": ("s390x",),
                 "mips": ("mips",)}


def check_runs_here(board: str, platform_name: str, arch: str, *,
                    system: Optional[str] = None, machine: Optional[str] = None) -> None:
    """A `runner: process` board's executable runs only on its own OS and CPU: say so
    (and what to run there) instead of failing with 'Exec format error'."""
    import platform as pyplatform
    import sys

    system = system if system is not None else sys.platform
    machine = (machine if machine is not None else pyplatform.machine()).lower()
    wanted = PLATFORM_OS.get(platform_name)
    if wanted is None or not system.startswith(wanted):
        what = {"darwin": "macOS", "freebsd": "FreeBSD", "win32": "Windows"}.get(
            wanted or "", platform_name)
        raise WasmbedError(
            f"board {board} is a {what} process: it does not run on this {system} machine",
            hint=f"on {what} ({arch}) run: wasmbed spec --board {board}")
    if arch not in NATIVE_ARCHES.get(machine, (machine,)):
        raise WasmbedError(f"board {board} is a {arch} executable: this machine is {machine}",
                           hint=f"on a {arch} machine run: wasmbed spec --board {board}")


def process_target(board: str, *, firmware: Optional[Path] = None,
                   features: Optional[list[str]] = None, mode: str = "release") -> Target:
    """The agent of a process board (`runner: process | qemu-user | wine`), built with the
    board's own build and started as a process on its stdio (through the runner binary)."""
    from wasmbed.build import driver as build_mod
    from wasmbed.model.descriptors import load_board

    desc = load_board(board)
    if desc.platform != "riot":
        wrapper, env, factor = runner_wrapper(board)
    if firmware is None:
        result = build_mod.build(board, features, mode=mode)
        if result.firmware is None:
            missing = result.build_json.get("missing") or "its SDK"
            raise WasmbedError(f"board {board} was built without its SDK (missing: {missing}): "
                               "there is no process to run")
        firmware = result.firmware
    if desc.platform == "riot":
        return RtosProcessTarget(firmware, name=board)
    # a POSIX/Windows host port reads whole pipes: requests may be pipelined;
    # the first start under an emulator (or Wine creating its prefix) is slow
    return HostTarget(firmware, name=board, wrapper=wrapper, env=env, timeout_factor=factor,
                      ready_timeout=60.0 if wrapper else 10.0)


#: runners whose firmware is a process on this machine, talking over its stdio
PROCESS_RUNNERS = ("process", "qemu-user", "wine")


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
    if port == "auto":  # the one attached port with the board's USB ids (wasmbed.build.devices)
        from wasmbed.model.descriptors import load_board
        from wasmbed.build.devices import resolve_port

        port = resolve_port(load_board(board), port)
    if port is None:
        from wasmbed.model.descriptors import load_board

        desc = load_board(board)
        if desc.runner in PROCESS_RUNNERS:  # a process on its stdio (RIOT native64, Linux, Wine)
            return process_target(board, firmware=firmware, features=features, mode=mode)
    if port is None:
        from wasmbed.model.descriptors import load_board

        if load_board(board).qemu:
            raise WasmbedError(f"board {board!r} is not the host: use run-on-qemu {board} "
                               "or give --port")
        raise WasmbedError(f"board {board!r} is not the host and has no QEMU machine: give "
                           "--port (the serial port of the board running the agent)",
                           hint=f"flash the agent first: wasmbed flash --board {board} "
                                "--port /dev/ttyUSB0")
    from wasmbed.build.flash import check_port  # missing port: the list of ports, not [Errno 2]
    from wasmbed.run.qemu import SerialTarget  # H4's module; imported only when needed

    return SerialTarget(board, check_port(port), baud=baud)
