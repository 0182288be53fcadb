"""Agents on emulated and real boards: QemuTarget (QEMU + QMP + a TCP serial line)
and SerialTarget (pyserial). Both follow the Target contract of wasmbed.run.target.

The QEMU command line comes from the board descriptor only (`qemu:` section). QEMU
waits for us on `-serial tcp:...,server=on,wait=on`, so nothing the firmware prints
is lost; QMP (`-qmp unix:...`) checks, resets and quits the guest. A QEMU we start
is always ended: by stop(), the context manager, an atexit hook, SIGTERM/SIGHUP
handlers, and PR_SET_PDEATHSIG (it dies with the thread that started it).
"""

from __future__ import annotations

import atexit
import ctypes
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import weakref
from pathlib import Path
from typing import IO, Any, Callable, Optional, Sequence, Union

from wasmbed.model.descriptors import Board, load_board
from wasmbed.errors import WasmbedError
from wasmbed.run.protocol import Client, LinkError, LinkLost, ProtocolError
from wasmbed.run.protocol import TimeoutError as LinkTimeout
from wasmbed.run.target import Target, describe_exit, file_tail

FAULT_RE = re.compile(rb"WASMBED FAULT [^\n]*")
EXIT_RE = re.compile(rb"WASMBED EXIT (-?\d+)")
#: exit code the bare-metal port uses after a trap/fault (templates/port)
FAULT_CODE = 100

QEMU_PACKAGES = {
    "qemu-system-riscv64": "qemu-system-misc", "qemu-system-riscv32": "qemu-system-misc",
    "qemu-system-xtensa": "qemu-system-misc", "qemu-system-arm": "qemu-system-arm",
    "qemu-system-aarch64": "qemu-system-arm", "qemu-system-mips": "qemu-system-mips",
    "qemu-system-mips64": "qemu-system-mips", "qemu-system-i386": "qemu-system-x86",
    "qemu-system-x86_64": "qemu-system-x86",
}


# ---- the command line -------------------------------------------------------------------


def qemu_command(board: Board, firmware: Path, *, serial_port: int, qmp_path: Optional[Path],
                 icount: bool = False, extra: Sequence[str] = ()) -> list[str]:
    """QEMU's argv for `board` booting `firmware`, purely from the descriptor."""
    q = board.qemu
    if not q:
        raise WasmbedError(f"{board.path}: board {board.name} has no `qemu:` section; "
                           "it cannot run under QEMU")
    cmd = [q.binary, "-M", q.machine]
    if q.get("cpu"):
        cmd += ["-cpu", q.cpu]
    if q.get("memory"):
        cmd += ["-m", str(q.memory)]
    cmd += list(q.get("args") or ())
    if poweroff_method(board) == "semihosting" and "-semihosting" not in cmd:
        cmd.append("-semihosting")
    if poweroff_method(board) == "malta-fpga" and "-no-reboot" not in cmd:
        cmd.append("-no-reboot")
    if icount:
        cmd += ["-icount", "shift=0"]
    cmd += ["-nographic", "-monitor", "none"]
    cmd += ["-serial", f"tcp:127.0.0.1:{serial_port},server=on,wait=on,nodelay=on"]
    if qmp_path is not None:
        cmd += ["-qmp", f"unix:{qmp_path},server=on,wait=off"]
    cmd += ["-kernel", str(firmware)]
    cmd += list(extra)
    return cmd


def poweroff_method(board: Board) -> str:
    q = board.qemu or {}
    p = q.get("poweroff") or {}
    return str(p.get("method", "none"))


def firmware_exit_code(board: Board, status: Optional[int], serial_tail: bytes = b"") -> Optional[int]:
    """The code the firmware passed to wb_port_exit, from QEMU's exit status
    (or, on malta, the `WASMBED EXIT n` line the port prints before the reset)."""
    if status is None or status < 0:
        return None
    method = poweroff_method(board)
    if method == "isa-debug-exit":
        return status >> 1 if status & 1 else None
    if method in ("malta-fpga", "exit-line"):  # exit-line: an OS port prints it, then powers off
        found = EXIT_RE.findall(serial_tail)
        return int(found[-1]) if found else None
    return status


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def boot_raw(board: Board, image: Path, *, done: Callable[[bytes], bool],
             reply: Optional[Callable[[bytes], Optional[bytes]]] = None,
             icount: bool = False, timeout: float = 30.0) -> tuple[bytes, Optional[int]]:
    """Boot an image that is not the agent (bring-up tests, native benchmarks) with its
    console on a socket; collect what it prints until QEMU exits or done(output) holds.
    reply(output) may return bytes to send once. Returns (output, QEMU exit status or
    None if it was still running and got killed). QEMU never outlives the call."""
    port = free_port()
    cmd = qemu_command(board, image, serial_port=port, qmp_path=None, icount=icount)
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    out = b""
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                sock = socket.create_connection(("127.0.0.1", port), timeout=1)
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise WasmbedError(f"QEMU did not open its serial port: {' '.join(cmd)}")
                time.sleep(0.05)
        with sock:
            sock.settimeout(0.2)
            deadline = time.monotonic() + timeout
            while not done(out):
                if time.monotonic() > deadline:
                    raise WasmbedError(f"{board.name}: no end of output in {timeout:.0f}s; got "
                                       f"{out[-200:].decode('latin-1')!r}")
                try:
                    data = sock.recv(4096)
                except socket.timeout:
                    continue
                if not data:
                    break
                out += data
                answer = reply(out) if reply else None
                if answer:
                    sock.sendall(answer)
                    reply = None
        try:
            return out, proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            return out, None
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()


class LinkDropped(LinkError):
    """The serial connection dropped while the guest (QEMU) was still running."""


# ---- cleanup: no QEMU outlives us --------------------------------------------------------

_LIVE: "weakref.WeakSet[Target]" = weakref.WeakSet()
_HOOKED = False  # signal handlers installed
_AT_EXIT = False  # atexit hook installed
_SHUTTING_DOWN = threading.Event()


def shutdown_all() -> None:
    """Stop every QEMU we started and refuse to start new ones (Ctrl-C, SIGTERM)."""
    _SHUTTING_DOWN.set()
    _stop_all()


def _stop_all() -> None:
    for target in list(_LIVE):
        try:
            target.stop()
        except Exception:  # noqa: BLE001 - best effort at exit
            pass


def _on_signal(signum: int, _frame: Any) -> None:
    # The handler runs between two bytecodes of the main thread, which may hold a lock
    # (the traffic log's, QMP's event loop): it only signals the QEMUs, which takes no
    # lock, and unwinds; stop() runs on the way out (context managers, atexit).
    _SHUTTING_DOWN.set()
    for target in list(_LIVE):
        proc = getattr(target, "proc", None)
        if proc is not None and proc.poll() is None:
            proc.terminate()
    raise SystemExit(128 + signum)


def install_cleanup() -> None:
    """atexit + SIGTERM/SIGHUP hooks that end every QEMU. Signal handlers can only be
    set from the main thread; from another thread only the atexit hook is set (and
    PR_SET_PDEATHSIG still ends QEMU with its thread)."""
    global _HOOKED, _AT_EXIT
    if _HOOKED:
        return
    if not _AT_EXIT:
        atexit.register(_stop_all)
        _AT_EXIT = True
    if threading.current_thread() is not threading.main_thread():
        return
    _HOOKED = True
    for sig in (signal.SIGTERM, signal.SIGHUP):
        if signal.getsignal(sig) in (signal.SIG_DFL, None):
            signal.signal(sig, _on_signal)


def _die_with_parent() -> None:  # pragma: no cover - runs in the child
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    os.setpgrp()  # Ctrl-C reaches us, not QEMU: we end it ourselves


# ---- the byte stream ---------------------------------------------------------------------


class TrafficLog:
    """Serial traffic of a run: `secs > bytes` (to the guest), `secs < bytes` (from it),
    `secs # note`. Bytes in the same direction are gathered into one line (QEMU sends
    each guest byte on its own), cut at a newline or 256 bytes."""

    def __init__(self, path: Optional[Path]) -> None:
        self.path = path
        self._fh: Optional[IO[str]] = None
        self._t0 = time.monotonic()
        self._lock = threading.RLock()  # note() from a signal handler that interrupted data()
        self._dir = ""
        self._buf = bytearray()
        self._since = 0.0
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._fh = open(path, "a", encoding="utf-8")

    def note(self, text: str) -> None:
        with self._lock:
            self._flush()
            self._line("#", text, time.monotonic())

    def data(self, direction: str, data: bytes) -> None:
        if self._fh is None or not data:
            return
        with self._lock:
            if direction != self._dir:
                self._flush()
                self._dir = direction
            if not self._buf:
                self._since = time.monotonic()
            self._buf += data
            if len(self._buf) >= 256 or b"\n" in data:
                self._flush()

    def _flush(self) -> None:
        if self._buf:
            self._line(self._dir, repr(bytes(self._buf))[2:-1], self._since)
            self._buf.clear()

    def _line(self, tag: str, text: str, when: float) -> None:
        if self._fh is not None:
            self._fh.write(f"{when - self._t0:10.3f} {tag} {text}\n")
            self._fh.flush()

    def close(self) -> None:
        with self._lock:
            self._flush()
            if self._fh is not None:
                self._fh.close()
                self._fh = None


class SerialStream:
    """The protocol's Stream contract over a pyserial port (socket:// or a device)."""

    TAIL = 4096

    def __init__(self, port: Any, log: TrafficLog, lost: Optional[Any] = None) -> None:
        self.port = port
        self.log = log
        self.timeout: Optional[float] = None
        self.tail = bytearray()  # last bytes received, for crash reports
        self.broken = False
        self._pending: Optional[Exception] = None  # a failure seen after data was read
        self._settings: dict[str, Optional[float]] = {}
        self._lost = lost or (lambda err: LinkLost(f"serial line lost ({err})"))

    def _set(self, name: str, value: Optional[float]) -> None:
        """Set a port timeout only when it changes (a device port reconfigures the tty)."""
        if self._settings.get(name, -1.0) != value:
            setattr(self.port, name, value)
            self._settings[name] = value

    def _fail(self, err: object) -> LinkError:
        self.broken = True
        self._drain()
        exc = self._lost(err)
        self.log.note(f"line failed: {exc}")
        return exc

    def _drain(self) -> None:
        """Keep what is still buffered on a failed line (a crash report) in the tail."""
        rest = bytearray()
        try:
            self._set("timeout", 0)
            while len(rest) < self.TAIL:
                more = self.port.read(1)
                if not more:
                    break
                rest += more
        except Exception:  # noqa: BLE001 - the line is gone: keep what was read
            pass
        if rest:
            self.log.data("<", bytes(rest))
            self.tail += rest
            del self.tail[: -self.TAIL]

    def read(self, n: int) -> bytes:
        import serial  # pyserial

        if self._pending is not None:
            raise self._fail(self._pending)
        data = bytearray()
        try:
            self._set("timeout", self.timeout)
            data += self.port.read(1)
            if not data:
                return b""
            # then whatever else is there, without waiting, a byte a call: pyserial's
            # socket:// read drops what it has read when the peer closes mid-read, and
            # the last bytes before a crash (the fault line) matter most
            self._set("timeout", 0)
            while len(data) < n:
                more = self.port.read(1)
                if not more:
                    break
                data += more
        except (serial.SerialException, OSError) as err:
            if not data:
                raise self._fail(err) from None
            self._pending = err  # report it on the next read, after these bytes
        data = bytes(data)
        self.log.data("<", data)
        self.tail += data
        del self.tail[: -self.TAIL]
        return data

    def write(self, data: bytes) -> None:
        import serial

        self.log.data(">", data)
        try:
            self._set("write_timeout", max(1.0, self.timeout or 10.0))
            self.port.write(data)
            self.port.flush()
        except serial.SerialTimeoutException:
            raise LinkTimeout("the guest stopped reading the serial line") from None
        except (serial.SerialException, OSError) as err:
            raise self._fail(err) from None

    def close(self) -> None:
        try:
            self.port.close()
        except Exception:  # noqa: BLE001
            pass


# ---- QEMU ---------------------------------------------------------------------------------


TMP_PREFIX = "wasmbed-qemu-"
OWNER_FILE = "owner.pid"


def sweep_stale_dirs(tmp: Optional[Path] = None) -> list[Path]:
    """Remove /tmp/wasmbed-qemu-* folders left by a run that was SIGKILLed (its owner.pid
    names a process that is gone; folders without one are removed after a day)."""
    removed = []
    base = Path(tmp or tempfile.gettempdir())
    for d in base.glob(TMP_PREFIX + "*"):
        try:
            owner = d / OWNER_FILE
            if owner.is_file():
                pid = int(owner.read_text().strip() or 0)
                try:
                    os.kill(pid, 0)
                    continue  # its run is still going
                except ProcessLookupError:
                    pass
                except PermissionError:
                    continue
            elif time.time() - d.stat().st_mtime < 86400:
                continue
            shutil.rmtree(d, ignore_errors=True)
            removed.append(d)
        except (OSError, ValueError):
            continue
    return removed


def _board(board: Union[Board, str]) -> Board:
    return load_board(board) if isinstance(board, str) else board


class QemuTarget(Target):
    """An agent firmware booted under QEMU; start() returns a Client after READY + HELLO."""

    def __init__(self, board: Union[Board, str], firmware: Path, *, icount: bool = False,
                 log: Optional[Path] = None, ready_timeout: float = 15.0,
                 command_timeout: float = 10.0, extra_args: Sequence[str] = ()) -> None:
        self.board = _board(board)
        if not self.board.qemu:
            raise WasmbedError(f"{self.board.path}: board {self.board.name} has no `qemu:` "
                               "section; use a serial port (--port) for real hardware")
        self.name = self.board.name
        self.firmware = Path(firmware)
        if not self.firmware.is_file():
            raise WasmbedError(f"firmware not found: {self.firmware}")
        binary = self.board.qemu.binary
        if shutil.which(binary) is None:
            raise WasmbedError(f"{binary} not found",
                               hint=f"install it: apt-get install {QEMU_PACKAGES.get(binary, 'qemu-system')}")
        self.timeout_factor = float(self.board.qemu.get("timeout_factor") or 1.0)
        self.icount = icount
        self.ready_timeout = ready_timeout
        self.command_timeout = command_timeout
        self.extra_args = list(extra_args)
        self.log = TrafficLog(log)
        self.resets = 0
        self.client: Optional[Client] = None
        self.proc: Optional[subprocess.Popen] = None
        self.stream: Optional[SerialStream] = None
        self.qmp: Any = None
        self.command: list[str] = []
        self.last_restart_reason = ""
        self._tmp: Optional[tempfile.TemporaryDirectory] = None
        self._stderr: Optional[IO[bytes]] = None
        self._owner: Optional[threading.Thread] = None
        install_cleanup()
        _LIVE.add(self)

    # -- Target contract ------------------------------------------------------------------
    def start(self) -> Client:
        self.stop()
        self._launch()
        return self._connect_agent()

    def restart(self, reason: str) -> Client:
        """A fresh agent: QMP system_reset when QEMU is healthy, else kill and relaunch."""
        self.resets += 1
        self.last_restart_reason = reason
        self.log.note(f"restart #{self.resets}: {reason}")
        # with -no-reboot a guest reset ends QEMU, so those boards are relaunched
        if self.alive() and self.qmp is not None and self.stream is not None \
                and not self.stream.broken and "-no-reboot" not in self.command:
            try:
                self.qmp_command("system_reset")
                if self.status() != "running":  # a paused or stopped guest
                    self.qmp_command("cont")
                return self._connect_agent()
            except Exception as err:  # noqa: BLE001 - QMP or link trouble: relaunch
                self.log.note(f"reset failed ({err}); relaunching QEMU")
        self.stop()
        self._launch()
        return self._connect_agent()

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        self.client = None
        # Ctrl-C with --jobs N: the main thread stops guests whose QMP event loop runs in
        # a worker thread; touching it from here leaves un-awaited coroutines and an
        # EOFError traceback at exit, so QEMU gets signals and the owner closes QMP.
        owner = self._owner
        foreign = owner is not None and owner is not threading.current_thread() \
            and owner.is_alive()
        if proc is not None and proc.poll() is None:
            if self.qmp is not None and not foreign:
                try:
                    self.qmp_command("quit", timeout=2.0)
                except Exception:  # noqa: BLE001 - falls through to signals
                    pass
            elif foreign:
                proc.terminate()
            try:
                proc.wait(timeout=3.0)
            except subprocess.TimeoutExpired:
                proc.terminate()
                try:
                    proc.wait(timeout=3.0)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        if proc is not None:
            self.log.note(f"QEMU ended: {describe_exit(proc.returncode)}")
            self.last_status = proc.returncode
        if not foreign:
            self._close_qmp()
        if self.stream is not None:
            self.stream.close()
            self.stream = None
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def close(self) -> None:
        self.stop()
        self.log.close()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- status and crash reports ---------------------------------------------------------
    def qmp_command(self, name: str, timeout: float = 5.0, **args: Any) -> Any:
        if self.qmp is None:
            raise WasmbedError("QMP is not connected")
        self.qmp.settimeout(timeout)
        self.log.note(f"qmp {name}")
        return self.qmp.cmd(name, **args)

    def status(self) -> str:
        """QMP query-status: 'running', 'paused', 'shutdown', ... or 'dead'."""
        if not self.alive():
            return "dead"
        try:
            return str(self.qmp_command("query-status").get("status", "?"))
        except Exception:  # noqa: BLE001
            return "unknown (QMP not answering)"

    def fault(self) -> Optional[str]:
        """The port's `WASMBED FAULT ...` line, when the guest crashed."""
        tail = bytes(self.stream.tail) if self.stream is not None else b""
        found = FAULT_RE.findall(tail)
        return found[-1].decode("ascii", "replace") if found else None

    def _lost(self, err: object) -> LinkError:
        """What a dead serial line means: QEMU gone (guest crash) or just the link."""
        if self.proc is not None:
            try:
                self.proc.wait(timeout=1.0)
            except subprocess.TimeoutExpired:
                pass
        if self.alive():
            return LinkDropped(f"link lost: the serial connection dropped while QEMU runs ({err})")
        return LinkLost(f"guest crash: {self.describe()}")

    def describe(self) -> str:
        fault = self.fault()
        if fault:
            return fault
        if self.proc is None:
            return "QEMU not running"
        try:
            code = self.proc.wait(timeout=0.5)
        except subprocess.TimeoutExpired:
            code = None
        if code is None:
            return f"QEMU running, guest {self.status()}"
        tail = self._stderr_tail()
        fw = firmware_exit_code(self.board, code, bytes(self.stream.tail) if self.stream else b"")
        text = f"QEMU exited ({describe_exit(code)}"
        text += f", firmware exit code {fw})" if fw is not None else ")"
        return f"{text}: {tail}" if tail else text

    def _stderr_tail(self, limit: int = 300) -> str:
        text = file_tail(self._stderr, limit)
        lines = [ln for ln in text.splitlines() if "waiting for connection" not in ln]
        return " ".join(lines).strip()

    # -- launching ------------------------------------------------------------------------
    def _launch(self) -> None:
        if _SHUTTING_DOWN.is_set():
            raise WasmbedError("interrupted: not starting QEMU again")
        sweep_stale_dirs()
        self._tmp = tempfile.TemporaryDirectory(prefix=TMP_PREFIX)
        (Path(self._tmp.name) / OWNER_FILE).write_text(str(os.getpid()))
        qmp_path = Path(self._tmp.name) / "qmp.sock"
        last_err = ""
        for _attempt in range(5):
            port = free_port()
            self.command = qemu_command(self.board, self.firmware, serial_port=port,
                                        qmp_path=qmp_path, icount=self.icount, extra=self.extra_args)
            self.log.note("launch: " + " ".join(self.command))
            self._stderr = tempfile.TemporaryFile()
            self._owner = threading.current_thread()
            self.proc = subprocess.Popen(self.command, stdin=subprocess.DEVNULL,
                                         stdout=self._stderr, stderr=self._stderr,
                                         preexec_fn=_die_with_parent)
            try:
                self._open_serial(port)
                break
            except LinkError as err:
                last_err = str(err)
                busy = "Address already in use" in self._stderr_tail()
                self.stop()
                if not busy:
                    raise
        else:
            raise LinkLost(f"QEMU could not open its serial port: {last_err}")
        self._open_qmp(qmp_path)

    def _open_serial(self, port: int) -> None:
        import serial

        deadline = time.monotonic() + 10.0 * self.timeout_factor
        while True:
            if not self.alive():
                raise LinkLost(f"QEMU did not start: {self.describe()}")
            try:
                ser = serial.serial_for_url(f"socket://127.0.0.1:{port}", timeout=0.1)
                sock = getattr(ser, "_socket", None)
                if sock is not None:  # small frames both ways: no Nagle delays
                    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                break
            except (serial.SerialException, OSError):
                if time.monotonic() > deadline:
                    raise LinkLost(f"QEMU's serial port {port} did not accept a connection") from None
                time.sleep(0.05)
        self.stream = SerialStream(ser, self.log, self._lost)

    def _open_qmp(self, path: Path) -> None:
        from qemu.qmp.legacy import QEMUMonitorProtocol

        deadline = time.monotonic() + 5.0 * self.timeout_factor
        while not path.exists():
            if not self.alive() or time.monotonic() > deadline:
                self.log.note("no QMP socket: resets will relaunch QEMU")
                return
            time.sleep(0.02)
        qmp = QEMUMonitorProtocol(str(path))
        try:
            qmp.settimeout(5.0)
            qmp.connect()
        except Exception as err:  # noqa: BLE001 - QMP is a convenience, not a must
            self.log.note(f"QMP connect failed: {err}")
            try:
                qmp.close()
            except Exception:  # noqa: BLE001
                pass
            return
        self.qmp = qmp

    def _close_qmp(self) -> None:
        qmp, self.qmp = self.qmp, None
        if qmp is not None:
            try:
                qmp.close()
            except Exception:  # noqa: BLE001
                pass

    def _connect_agent(self) -> Client:
        assert self.stream is not None
        self.stream.tail.clear()
        client = Client(self.stream, timeout=self.command_timeout * self.timeout_factor)
        try:
            client.wait_ready(self.ready_timeout * self.timeout_factor)
            client.hello()
        except LinkError as err:
            raise type(err)(f"{err} [{self.describe()}]") from None
        if client.preamble.strip():
            self.log.note(f"before READY: {client.preamble[-200:]!r}")
        self.client = client
        return client


# ---- real boards --------------------------------------------------------------------------


class SerialTarget(Target):
    """An agent on a real board over a serial port (a device or any pyserial URL).

    start()/restart(): pulse RTS with DTR high (the usual EN/RST wiring) when the
    port has modem lines and wait briefly for the READY banner; when none comes
    (no reset wiring, a socket:// line) send a RESET frame, after which the agent
    prints the banner again (docs/protocol.md), and wait for it.
    """

    NO_MODEM_LINES = ("socket://", "rfc2217://", "loop://", "spy://", "alt://", "hwgrep://")

    def __init__(self, board: Union[Board, str], port_url: str, *, baud: int = 115200,
                 log: Optional[Path] = None, ready_timeout: float = 15.0,
                 command_timeout: float = 10.0, reset_on_start: bool = True) -> None:
        self.board = _board(board)
        self.name = self.board.name
        self.port_url = port_url
        self.baud = baud
        q = self.board.qemu or {}
        self.timeout_factor = float(q.get("timeout_factor") or 1.0) if q else 1.0
        self.ready_timeout = ready_timeout
        self.command_timeout = command_timeout
        self.reset_on_start = reset_on_start
        self.log = TrafficLog(log)
        self.resets = 0
        self.client: Optional[Client] = None
        self.stream: Optional[SerialStream] = None
        self.last_restart_reason = ""

    def start(self) -> Client:
        import serial

        self.stop()
        try:
            port = serial.serial_for_url(self.port_url, baudrate=self.baud, timeout=0.1)
        except (serial.SerialException, OSError, ValueError) as err:
            raise WasmbedError(f"cannot open serial port {self.port_url}: {err}") from None
        self.stream = SerialStream(
            port, self.log, lambda err: LinkLost(f"serial port {self.port_url} lost ({err})"))
        return self._fresh_agent(pulse=self.reset_on_start)

    def restart(self, reason: str) -> Client:
        self.resets += 1
        self.last_restart_reason = reason
        self.log.note(f"restart #{self.resets}: {reason}")
        if self.stream is None or self.stream.broken:
            return self.start()
        return self._fresh_agent(pulse=True)

    def _fresh_agent(self, *, pulse: bool) -> Client:
        """Reset (lines, else a RESET frame) and wait for READY + HELLO."""
        assert self.stream is not None
        if pulse and self._pulse_reset():
            client = Client(self.stream, timeout=self.command_timeout * self.timeout_factor)
            try:
                client.wait_ready(min(3.0, self.ready_timeout) * self.timeout_factor)
                return self._hello(client)
            except LinkTimeout:
                self.log.note("no banner after the reset pulse: sending a RESET frame")
        elif not pulse:
            client = Client(self.stream, timeout=self.command_timeout * self.timeout_factor)
            try:  # a board that is booting prints the banner by itself
                client.wait_ready(min(2.0, self.ready_timeout) * self.timeout_factor)
                return self._hello(client)
            except LinkTimeout:
                pass
        from wasmbed.run.protocol import FrameType, encode_frame

        self.stream.write(encode_frame(FrameType.RESET, 0))
        client = Client(self.stream, timeout=self.command_timeout * self.timeout_factor)
        client.wait_ready(self.ready_timeout * self.timeout_factor)
        return self._hello(client)

    def _hello(self, client: Client) -> Client:
        client.hello()
        self.client = client
        return client

    def _pulse_reset(self) -> bool:
        """EN/RST through RTS, DTR held high (normal boot, not the bootloader)."""
        if self.port_url.startswith(self.NO_MODEM_LINES) or self.stream is None:
            return False
        port = self.stream.port
        try:
            port.dtr = False
            port.rts = True
            time.sleep(0.1)
            port.rts = False
            time.sleep(0.05)
            port.reset_input_buffer()
            return True
        except Exception:  # noqa: BLE001 - a port without modem lines
            return False

    def alive(self) -> bool:
        return self.stream is not None and not self.stream.broken

    def stop(self) -> None:
        self.client = None
        if self.stream is not None:
            self.stream.close()
            self.stream = None

    def __exit__(self, *exc: object) -> None:
        self.stop()
        self.log.close()


__all__ = ["QemuTarget", "SerialTarget", "LinkDropped", "qemu_command", "firmware_exit_code",
           "free_port", "shutdown_all", "LinkError", "ProtocolError"]
