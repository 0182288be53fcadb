"""`wasmbed run`: run a WebAssembly application on a board's agent."""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path
from typing import Any, Callable, Iterator, Optional

from wasmbed.errors import WasmbedError
from wasmbed.run.outcome import EXIT_STATUS_MODES, positive_seconds

NAME = "run"
HELP = "run app.wasm (its _start or main) on a board's agent and stream its output"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("app", type=Path, help="the .wasm application")
    parser.add_argument("--board", default="host", help="board name (default: host)")
    parser.add_argument("--boards-dir", action="append", metavar="DIR",
                        help="search DIR for board descriptors first (also WASMBED_BOARDS_PATH)")
    parser.add_argument("--features", help="comma-separated feature keys for the agent build")
    parser.add_argument("--firmware", type=Path, help="use this prebuilt host agent instead of building one")
    parser.add_argument("--port", help="serial port or URL of a board running the agent")
    parser.add_argument("--baud", type=int, default=115200, help="baud rate for --port (default 115200)")
    parser.add_argument("--timeout", type=positive_seconds, default=60.0,
                        help="seconds the app may run, times the board's timeout factor (default 60)")
    parser.add_argument("--json", type=Path, metavar="FILE",
                        help="write the outcome (exit code, trap, timeout, seconds) as JSON here")
    parser.add_argument("--junit", type=Path, metavar="FILE",
                        help="write the outcome as a one-test JUnit XML file here")
    add_app_options(parser)


def add_app_options(parser: argparse.ArgumentParser) -> None:
    """Options shared by `wasmbed run` and `run-on-qemu BOARD app.wasm`."""
    parser.add_argument("--exit-status", choices=EXIT_STATUS_MODES, default="program",
                        help="program (default): exit with the program's own code; runner: "
                             "0 when it returned 0, 1 when it returned non-zero (the code is "
                             "printed), 3..6 for trap/load error/timeout/target failure")
    parser.add_argument("-f", "--function", metavar="NAME",
                        help="call this export instead of _start/main and print its results")
    parser.add_argument("--arg", action="append", default=[], metavar="VALUE",
                        help="an argument for -f NAME (repeat; typed by the export's signature: "
                             "5, -1, 0x10, 1.5, nan)")
    parser.add_argument("--module", action="append", default=[], metavar="NAME=PATH",
                        help="load PATH.wasm first and register it as NAME, so the app's "
                             "imports from module NAME resolve to its exports (repeat; in "
                             "order, so a later module may import an earlier one)")
    from wasmbed.run import fuel
    from wasmbed.run import wasi_cli
    fuel.add_option(parser)
    wasi_cli.add_options(parser)


def _write(data: bytes) -> None:
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


def read_app(app: Path) -> bytes:
    try:
        return app.read_bytes()
    except OSError as err:
        raise WasmbedError(f"cannot read {app}: {err.strerror}") from None


def run_app_on(target: Any, app: Path, module: bytes, timeout: float, *,
               args: argparse.Namespace | None = None, timeout_option: str = "--timeout") -> int:
    """Load `module` on the target's agent, run its _start/main (or `-f NAME` with its
    arguments) with the output on stdout, return the process exit status
    (wasmbed.run.outcome.exit_status). Load errors, traps, timeouts and a failed line are
    raised as WasmbedErrors naming the app, with exit codes 3..6; --json/--junit get
    the outcome either way."""
    from wasmbed.report import appreport

    rec = appreport.Recorder(app, target.name, args)
    with rec:
        code = _run_app(target, app, module, timeout, args, timeout_option, rec)
        rec.exited(code)
    return rec.status()


def _run_app(target: Any, app: Path, module: bytes, timeout: float,
             args: argparse.Namespace | None, timeout_option: str, rec: Any) -> int:
    from wasmbed.run import outcome
    from wasmbed.run.protocol import LinkError, RemoteError
    from wasmbed.run.protocol import TimeoutError as LinkTimeout

    function = getattr(args, "function", None) if args is not None else None
    raw_args = list(getattr(args, "arg", None) or []) if args is not None else []
    if raw_args and not function:
        raise WasmbedError("--arg needs -f NAME (the export to call)")
    call = None
    if function:
        from wasmbed.run import wasmsig
        call = wasmsig.call_values(module, function, raw_args, app)
    deps = dependency_modules(getattr(args, "module", None) or [])
    factor = float(getattr(target, "timeout_factor", 1.0) or 1.0)
    with target:
        client = target.start()
        rec.agent(client.info)
        try:
            client.reset()
            from wasmbed.run import fuel
            fuel.apply(client, getattr(args, "fuel", None))
            for name, path, data in deps:  # --module NAME=PATH, registered in order
                try:
                    client.register(client.load(data, timeout=30.0 * factor,
                                                window=upload_window(target)), name)
                except RemoteError as err:
                    raise outcome.AppLoadError(f"{path} (--module {name}): {err}") from None
            with upload_progress(len(module), app) as progress:
                handle = client.load(module, timeout=30.0 * factor, progress=progress,
                                     window=upload_window(target))
        except RemoteError as err:
            raise outcome.AppLoadError(f"{app}: {err}" + link_hint(err, client.info)) from None
        except LinkTimeout:
            raise outcome.AppTimeout(f"{app}: loading " + outcome.timeout_text(
                30.0, factor, "load limit")) from None
        except LinkError as err:
            raise outcome.TargetFailure(
                f"{app}: the agent failed while loading: {err}") from None
        try:
            if call is not None:
                results = client.invoke(handle, function, call, timeout=timeout * factor)
                print(" ".join(wasmsig.show(v) for v in results))
                sys.stdout.flush()
                rec.results([wasmsig.show(v) for v in results])
                return 0
            from wasmbed.run import wasi_cli
            wasi_cli.setup(client, app, args)
            return int(client.run(handle, _write, timeout=timeout * factor))
        except RemoteError as err:
            sys.stdout.flush()
            if err.kind in (4, 5, 6, 11, 12):  # TRAP, EXHAUSTION, NOMEM, FUEL, EXCEPTION
                raise outcome.AppTrap(f"{app}: {err}" + call_stack_text(err)) from None
            raise outcome.AppLoadError(f"{app}: {err}") from None
        except LinkTimeout:
            sys.stdout.flush()
            raise outcome.AppTimeout(f"{app}: " + outcome.timeout_text(
                timeout, factor, timeout_option)) from None
        except LinkError as err:
            describe = getattr(target, "describe", None)
            where = f" [{describe()}]" if describe else ""
            raise outcome.TargetFailure(
                f"{app}: the agent failed while running: {err}{where}") from None


def dependency_modules(specs: list[str]) -> list[tuple[str, Path, bytes]]:
    """--module NAME=PATH options: (name, path, bytes), with clear errors."""
    out: list[tuple[str, Path, bytes]] = []
    for spec in specs:
        name, sep, path = spec.partition("=")
        if not sep or not name or not path:
            raise WasmbedError(f"--module {spec!r}: expected NAME=PATH (e.g. --module "
                               "lib=lib.wasm)")
        if any(n == name for n, _, _ in out):
            raise WasmbedError(f"--module {name!r} given twice")
        out.append((name, Path(path), read_app(Path(path))))
    return out


def call_stack_text(err: Any) -> str:
    """A trap's wasm call stack as the agent reported it (dump-call-stack), indented."""
    stack = getattr(err, "call_stack", "")
    if not stack:
        return ""
    return "\n  wasm call stack:\n" + "".join(f"    {line}\n" for line in stack.splitlines()).rstrip("\n")


#: modules at least this big show an upload progress bar
PROGRESS_MIN = 64 * 1024


def upload_window(target: Any) -> int:
    """LOAD frames in flight: many where the line has flow control (pipes, QEMU's serial
    chardev, which stops reading while the guest's UART FIFO is full), one on a bare UART."""
    flow = int(getattr(target, "pipeline_depth", 1)) > 1 or type(target).__name__ == "QemuTarget"
    return 16 if flow else 1


@contextlib.contextmanager
def upload_progress(size: int, app: Path) -> Iterator[Optional[Callable[[int, int], None]]]:
    """A transient progress bar on stderr for a large module's upload."""
    if size < PROGRESS_MIN:
        yield None
        return
    from rich.progress import (BarColumn, DownloadColumn, Progress, TextColumn,
                               TransferSpeedColumn)

    from wasmbed.report.results import console

    with Progress(TextColumn(f"upload {app.name}"), BarColumn(), DownloadColumn(),
                  TransferSpeedColumn(), console=console(stderr=True), transient=True) as bar:
        task = bar.add_task("upload", total=size)
        yield lambda done, total: bar.update(task, completed=done)


def link_hint(err: Any, info: Any) -> str:
    """What an `unknown import` usually means, from the import's module name."""
    text = str(err)
    if "unknown import" not in text:
        return ""
    features = set((info.features if info else "").split(","))
    if "wasi_snapshot_preview1" in text or "wasi_unstable" in text:
        return "\n  hint: this agent has no WASI; build the program without WASI " \
               "(clang --target=wasm32 -nostdlib) or pick a board/feature set with WASI"
    if ("import env." in text or '"env"' in text) and "libc-builtin" not in features:
        return "\n  hint: the agent was built without libc-builtin (features " \
               f"{info.features if info else '?'}); add it: --features +libc-builtin"
    return ""


def run(args: argparse.Namespace) -> int:
    from wasmbed.run.target import open_target

    from wasmbed.model.descriptors import prepend_boards_path

    prepend_boards_path(args.boards_dir)
    module = read_app(args.app)
    features = [f.strip() for f in args.features.split(",")] if args.features else None
    from wasmbed.run import fuel
    features = fuel.with_metering(features, args.fuel)
    target = open_target(args.board, port=args.port, baud=args.baud, firmware=args.firmware, features=features)
    return run_app_on(target, args.app, module, args.timeout, args=args)
