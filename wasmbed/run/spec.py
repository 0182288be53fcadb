"""Spec checker: runs converted .wast scripts through a Client on a Target.

Every command of a script is one check (passed, failed or skipped with a
reason). Named modules stay loaded as handles; unnamed ones are freed once
nothing can reach them, since boards have little memory. When the line
fails (timeout, crash, protocol error) the failure is recorded, the target
restarts, the modules the rest of the script needs are loaded again and the
run goes on.

Checks: assert_return compares raw bits (floats too) except nan:canonical /
nan:arithmetic, `ref.null`, `ref.extern N` and `ref.func` (any non-null).
assert_trap / assert_uninstantiable need a TRAP whose message agrees with
the script's text up to the shorter of the two; assert_exhaustion needs
EXHAUSTION; assert_invalid / assert_malformed (binary) need the module to be
rejected at load (MALFORMED or INVALID); assert_unlinkable needs LINK.
Text-format modules are skipped (no text parser on the agent), and so are
validation checks against an agent built with the mini loader.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

from wasmbed.errors import WasmbedError
import struct

from wasmbed.run.protocol import (
    Client,
    FrameType,
    Kind,
    LinkError,
    LinkLost,
    ProtocolError,
    RemoteError,
    TimeoutError,
    Value,
    kind_name,
)
from wasmbed.run.target import Target
from wasmbed.run.wast import Script, convert

ACTIONS = ("assert_return", "action", "assert_trap", "assert_exhaustion", "assert_exception")
SKIP_TEXT = "text-format module (no text parser)"
SKIP_MINI = "not validated by the mini loader"
SKIP_NUL = "global name contains NUL (wb_global_get takes a C string)"
#: proposal folders forked before reference types (threads) still expect a second table
#: to be invalid; WebAssembly 2.0, which the runtime implements, allows it
SKIP_PRE_2_0 = "expects 'multiple tables' invalid (pre-2.0 script; 2.0 allows them)"

F32_EXP, F32_QUIET = 0x7F800000, 0x00400000
F64_EXP, F64_QUIET = 0x7FF0000000000000, 0x0008000000000000


@dataclass
class FileResult:
    name: str
    passed: int = 0
    failed: int = 0
    skipped: int = 0
    failures: list[str] = field(default_factory=list)
    skips: dict[str, int] = field(default_factory=dict)
    restarts: int = 0
    seconds: float = 0.0

    def fail(self, line: int, message: str) -> None:
        self.failed += 1
        self.failures.append(f"line {line}: {message}")

    def skip(self, reason: str) -> None:
        self.skipped += 1
        self.skips[reason] = self.skips.get(reason, 0) + 1


class Skip(Exception):
    """A command this runner cannot check (counted as skipped with a reason)."""


class CheckFailed(Exception):
    """A command whose outcome differs from the script's expectation."""


class RunAborted(WasmbedError):
    """The whole run exceeded its restart limit."""


@dataclass(eq=False)
class Mod:
    filename: str
    name: Optional[str]
    handle: Optional[int]  # None: failed to load
    registered: list[str] = field(default_factory=list)


def link_reason(err: LinkError) -> str:
    if isinstance(err, TimeoutError):
        return f"timeout ({err})"
    if isinstance(err, LinkLost):
        return f"guest crash ({err})"
    if isinstance(err, ProtocolError):
        return f"protocol error ({err})"
    return f"link error ({err})"


# ---- values --------------------------------------------------------------------


#: bits of a lane of a v128 constant, by wast2json's lane_type
LANE_BITS = {"i8": 8, "i16": 16, "i32": 32, "i64": 64, "f32": 32, "f64": 64}


def v128_bits(spec: dict[str, Any]) -> int:
    """A v128 constant of the script as one 128-bit int (lane 0 in the lowest bits)."""
    width = LANE_BITS[spec["lane_type"]]
    bits = 0
    for i, lane in enumerate(spec["value"]):
        bits |= (int(lane) & ((1 << width) - 1)) << (i * width)
    return bits


def parse_value(spec: dict[str, Any]) -> Value:
    vtype = spec["type"]
    if vtype == "v128":
        return Value(vtype, v128_bits(spec))
    if vtype in ("funcref", "externref"):
        raw = spec.get("value")
        return Value(vtype, None if raw == "null" else int(raw))
    if vtype not in ("i32", "i64", "f32", "f64"):
        raise Skip(f"value type {vtype} not supported")
    return Value(vtype, int(spec["value"]))


def matches(expected: dict[str, Any], got: Value) -> bool:
    vtype = expected["type"]
    if got.type != vtype:
        return False
    if vtype == "v128":  # lane by lane: float lanes may expect nan:canonical/arithmetic
        assert got.bits is not None
        ltype = expected["lane_type"]
        width = LANE_BITS[ltype]
        mask = (1 << width) - 1
        lanes = [(got.bits >> (i * width)) & mask for i in range(len(expected["value"]))]
        return all(matches({"type": ltype, "value": lane}, Value(ltype, have))
                   if lane.startswith("nan:") else have == int(lane) & mask
                   for lane, have in zip(expected["value"], lanes))
    raw = expected.get("value")
    if vtype in ("funcref", "externref"):
        if raw is None:  # (ref.func) / (ref.extern): any non-null reference
            return got.bits is not None
        if raw == "null":
            return got.bits is None
        return got.bits == int(raw)
    assert got.bits is not None
    if raw in ("nan:canonical", "nan:arithmetic"):
        exp, quiet = (F32_EXP, F32_QUIET) if vtype == "f32" else (F64_EXP, F64_QUIET)
        sign = 1 << (31 if vtype == "f32" else 63)
        bits = got.bits & ~sign
        if raw == "nan:canonical":
            return bits == exp | quiet
        return bits & (exp | quiet) == exp | quiet
    return got.bits == int(raw)


def show(expected: dict[str, Any]) -> str:
    raw = expected.get("value")
    vtype = expected["type"]
    if vtype == "v128":
        return f"v128:{expected['lane_type']}x{len(raw)}[{' '.join(raw)}]"
    if raw is None:
        return f"any non-null {vtype}"
    if raw == "null":
        return f"ref.null {vtype[:-3]}"
    if vtype in ("i32", "i64", "f32", "f64") and raw.isdigit():
        return f"{vtype}:0x{int(raw):x}"
    return f"{vtype}:{raw}"


def show_action(action: dict[str, Any]) -> str:
    args = ", ".join(show(a) for a in action.get("args", []))
    where = f"{action['module']}." if action.get("module") else ""
    name = action["field"]
    if not name.isprintable() or not name:
        name = repr(name)
    if action["type"] == "get":
        return f"get {where}{name}"
    return f"{where}{name}({args})"


# ---- runner ------------------------------------------------------------------


class SpecRunner:
    def __init__(
        self,
        target: Target,
        *,
        mini_loader: Optional[bool] = None,
        base_timeout: float = 10.0,
        max_restarts: int = 50,
        wast_dir: Optional[Path] = None,
        aot: Optional[Any] = None,
        fuel: Optional[int] = None,
    ) -> None:
        self.target = target
        self.fuel = fuel  # instruction budget per call (--fuel), applied to every agent
        # AOT mode (wasmbed.aot.spec_mode.AotModules): modules travel compiled
        self.aot = aot
        self.mini_loader = mini_loader
        self.base_timeout = base_timeout
        self.max_restarts = max_restarts
        self.wast_dir = wast_dir
        self.restarts = 0
        # requests in flight at once: >1 only on lines with flow control
        self.depth = max(1, int(getattr(target, "pipeline_depth", 1)))
        self.client: Optional[Client] = None
        # per-file state
        self.script: Optional[Script] = None
        self.result = FileResult("")
        self.mods: dict[str, Mod] = {}
        self.current: Optional[Mod] = None
        self.live: list[Mod] = []
        self.last_use: dict[str, int] = {}  # module name -> last command naming it
        self.index = 0  # the command being run

    # -- plumbing -------------------------------------------------------------
    @property
    def timeout(self) -> float:
        return self.base_timeout * self.target.timeout_factor

    def _client(self) -> Client:
        if self.client is None:
            self.client = self.target.client or self.target.start()
            self._apply_fuel()
            if self.mini_loader is None:  # not said: ask the agent
                info = self.client.info
                self.mini_loader = info is not None and "mini-loader" in info.features.split(",")
        return self.client

    def _apply_fuel(self) -> None:
        if self.fuel and self.client is not None and getattr(self.client, "fuel", 0) != self.fuel:
            from wasmbed.run import fuel

            fuel.apply(self.client, self.fuel)

    def _load_timeout(self, size: int) -> float:
        return self.timeout * (1.0 + size / 65536.0)

    def _restart(self, reason: str) -> None:
        """A fresh agent with the modules this script still needs."""
        for _ in range(3):
            self.restarts += 1
            self.result.restarts += 1
            if self.restarts > self.max_restarts:
                raise RunAborted(f"more than {self.max_restarts} agent restarts in this run (last: {reason})")
            self.client = None
            try:
                self.client = self.target.restart(reason)
                self._apply_fuel()
                self._replay()
                return
            except LinkError as err:
                reason = f"restart failed: {link_reason(err)}"
        raise RunAborted(f"the agent could not be restarted ({reason})")

    def _replay(self) -> None:
        client = self._client()
        for mod in self.live:
            assert self.script is not None
            try:
                data = self._aot_bytes(self.script.module_bytes(mod.filename))
                mod.handle = client.load(data, timeout=self._load_timeout(len(data)), pipeline=self.depth > 1)
                for name in mod.registered:
                    client.register(mod.handle, name)
            except RemoteError:
                mod.handle = None

    def _collect(self) -> None:
        """Free loaded modules that no later command can reach: not the
        current one, not registered, and no later command names them."""
        keep = set(id(m) for n, m in self.mods.items() if self.last_use.get(n, -1) > self.index)
        if self.current is not None:
            keep.add(id(self.current))
        for mod in list(self.live):
            if id(mod) in keep or mod.registered:
                continue
            self.live.remove(mod)
            if mod.handle:
                try:
                    self._client().free(mod.handle)
                except RemoteError:
                    pass

    # -- one file ---------------------------------------------------------------
    def _skip_other_proposal(self, path: Path) -> bool:
        """A script of a proposal folder that exercises a proposal the agent was built
        without (wast.OTHER_PROPOSAL_FILES): every command skipped, with the reason."""
        from wasmbed.run.wast import other_proposal

        key = other_proposal(path)
        if key is None:
            return False
        info = self._client().info
        if info is not None and key in info.features.split(","):
            return False
        try:
            n = len(convert(path, self.wast_dir).commands)
        except WasmbedError:  # wast2json cannot read it (GC text syntax): one check
            n = 1
        for _ in range(n):
            self.result.skip(f"needs feature {key} (not in this build)")
        return True

    def run_file(self, path: Path, on_command: Optional[Callable[[], None]] = None) -> FileResult:
        started = time.monotonic()
        self.result = FileResult(Path(path).name)
        self.mods, self.current, self.live = {}, None, []
        if self._skip_other_proposal(path):
            return self.result
        try:
            self.script = convert(path, self.wast_dir)
        except WasmbedError as err:
            self.result.fail(0, str(err))
            return self.result
        if self.aot is not None:
            self.aot.forget()
            self.aot.prepare(self.script.module_bytes(c["filename"]) for c in self.script.commands
                             if c.get("filename") and c.get("module_type", "binary") == "binary")
        self.last_use = {}
        for n, cmd in enumerate(self.script.commands):
            name = cmd.get("action", {}).get("module") if "action" in cmd else cmd.get("name")
            if name and cmd["type"] != "module":
                self.last_use[name] = n
        try:
            self._client().reset(timeout=self.timeout)
        except LinkError as err:
            self.result.fail(0, f"RESET: {link_reason(err)}")
            self._restart(link_reason(err))
        except RemoteError as err:
            self.result.fail(0, f"RESET failed: {err}")
            return self.result
        cmds = self.script.commands
        i = 0
        while i < len(cmds):
            self.index = i
            if cmds[i]["type"] in ACTIONS:
                j = i
                while j < len(cmds) and j - i < self.depth and cmds[j]["type"] in ACTIONS:
                    j += 1
                i = self._run_actions(cmds, i, j, on_command)
                continue
            self._run_one(cmds[i])
            if on_command is not None:
                on_command()
            i += 1
        self.result.seconds = time.monotonic() - started
        return self.result

    def _run_one(self, cmd: dict[str, Any]) -> None:
        line = int(cmd.get("line", 0))
        try:
            self._command(cmd)
            self.result.passed += 1
        except Skip as skip:
            self.result.skip(str(skip))
        except CheckFailed as err:
            self.result.fail(line, str(err))
        except RemoteError as err:
            self.result.fail(line, f"{cmd['type']}: unexpected {err}")
        except LinkError as err:
            reason = link_reason(err)
            self.result.fail(line, f"{cmd['type']}: {reason}")
            self._restart(reason)

    def _run_actions(
        self, cmds: list[dict[str, Any]], start: int, end: int, on_command: Optional[Callable[[], None]]
    ) -> int:
        """Invoke/get commands cmds[start:end]: all requests are sent, then
        the replies judged in order (one round trip for the batch). Returns
        the index of the next command to run."""
        client = self._client()
        sent: list[tuple[dict[str, Any], Any, int]] = []  # (cmd, seq | Skip | CheckFailed, frame type)
        for cmd in cmds[start:end]:
            try:
                ftype, payload = self._action_request(cmd)
            except (Skip, CheckFailed) as early:
                sent.append((cmd, early, 0))
                continue
            try:
                sent.append((cmd, client.send(ftype, payload), ftype))
            except LinkError as err:
                if any(isinstance(x, int) for _, x, _ in sent):
                    break  # the link died under an earlier request: blamed below
                self.result.fail(int(cmd.get("line", 0)), f"{cmd['type']}: {link_reason(err)}")
                self._restart(link_reason(err))
                return start + len(sent) + 1
        for n, (cmd, what, ftype) in enumerate(sent):
            line = int(cmd.get("line", 0))
            if isinstance(what, Skip):
                self.result.skip(str(what))
            elif isinstance(what, CheckFailed):
                self.result.fail(line, str(what))
            else:
                outcome: Any
                try:
                    frame = client.reply(what, timeout=self.timeout)
                    outcome = Client.results(frame) if ftype == FrameType.INVOKE else [Value.decode(frame.payload, 0)[0]]
                except RemoteError as err:
                    outcome = err
                except LinkError as err:
                    reason = link_reason(err)
                    self.result.fail(line, f"{cmd['type']}: {reason}")
                    self._restart(reason)
                    return start + n + 1  # later commands run again on the fresh agent
                try:
                    self._judge(cmd, outcome)
                    self.result.passed += 1
                except CheckFailed as err:
                    self.result.fail(line, str(err))
            if on_command is not None:
                on_command()
        return start + len(sent)

    def _action_request(self, cmd: dict[str, Any]) -> tuple[int, bytes]:
        action = cmd["action"]
        if cmd["type"] == "assert_return":
            for e in cmd.get("expected", []):
                if e["type"] not in ("i32", "i64", "f32", "f64", "v128", "funcref", "externref"):
                    raise Skip(f"expected type {e['type']} not supported")
        if "\0" in action["field"] and action["type"] == "get":
            raise Skip(SKIP_NUL)
        handle = self._handle(self._mod(action.get("module")))
        if action["type"] == "get":
            return FrameType.GET_GLOBAL, struct.pack("<I", handle) + action["field"].encode()
        if action["type"] != "invoke":
            raise Skip(f"action {action['type']} not supported")
        args = [parse_value(a) for a in action.get("args", [])]
        return FrameType.INVOKE, Client.invoke_payload(handle, action["field"], args)

    def _judge(self, cmd: dict[str, Any], outcome: Any) -> None:
        """Compare what an invoke/get produced (values or a RemoteError) with the script."""
        kind, action = cmd["type"], cmd["action"]
        what = show_action(action)
        if kind in ("assert_return", "action"):
            if isinstance(outcome, RemoteError):
                raise CheckFailed(f"{what}: unexpected {outcome}")
            if kind == "action":
                return
            expected = cmd.get("expected", [])
            if len(outcome) != len(expected) or not all(matches(e, g) for e, g in zip(expected, outcome)):
                want = ", ".join(show(e) for e in expected)
                have = ", ".join(str(g) for g in outcome)
                raise CheckFailed(f"{what} returned [{have}], expected [{want}]")
            return
        want_kind, label = {"assert_trap": (Kind.TRAP, "trap"),
                            "assert_exception": (Kind.EXCEPTION, "exception")}.get(
                                kind, (Kind.EXHAUSTION, "exhaustion"))
        text = cmd.get("text", "")
        if not isinstance(outcome, RemoteError):
            have = ", ".join(str(g) for g in outcome)
            raise CheckFailed(f"{what} returned [{have}], expected {label} {text!r}")
        if outcome.kind != want_kind:
            raise CheckFailed(f"{what}: {outcome}, expected {label} {text!r}")
        if kind == "assert_trap":
            self._check_text(cmd, outcome)

    # -- commands -------------------------------------------------------------------
    def _command(self, cmd: dict[str, Any]) -> None:
        kind = cmd["type"]
        handler = getattr(self, "_cmd_" + kind, None)
        if handler is None:
            raise Skip(f"command {kind} not supported")
        handler(cmd)

    def _module_data(self, cmd: dict[str, Any]) -> bytes:
        assert self.script is not None
        return self._aot_bytes(self.script.module_bytes(cmd["filename"]))

    def _aot_bytes(self, data: bytes) -> bytes:
        if self.aot is None:
            return data
        try:
            return self.aot.get(data)
        except WasmbedError as err:
            raise CheckFailed(f"AOT compilation failed: {err}") from None

    def _cmd_module(self, cmd: dict[str, Any]) -> None:
        data = self._module_data(cmd)
        name = cmd.get("name")
        mod = Mod(cmd["filename"], name, None)
        self.current = mod
        if name:
            self.mods[name] = mod
        # free what this module makes unreachable before it loads, not after: two modules
        # with a 64 KiB page each do not fit in stm32f405's 100 KiB pool at once
        self._collect()
        try:
            mod.handle = self._client().load(data, timeout=self._load_timeout(len(data)), pipeline=self.depth > 1)
        except RemoteError as err:
            self._collect()
            raise CheckFailed(f"module {cmd['filename']} did not load: {err}") from None
        self.live.append(mod)
        self._collect()

    def _cmd_register(self, cmd: dict[str, Any]) -> None:
        mod = self._mod(cmd.get("name"))
        self._client().register(self._handle(mod), cmd["as"])
        mod.registered.append(cmd["as"])

    def _mod(self, name: Optional[str]) -> Mod:
        if name:
            if name not in self.mods:
                raise CheckFailed(f"unknown module {name}")
            return self.mods[name]
        if self.current is None:
            raise CheckFailed("no module defined yet")
        return self.current

    @staticmethod
    def _handle(mod: Mod) -> int:
        if not mod.handle:
            raise CheckFailed(f"module {mod.name or mod.filename} is not loaded (it failed earlier)")
        return mod.handle

    @staticmethod
    def _check_text(cmd: dict[str, Any], err: RemoteError) -> None:
        """The messages must agree up to the shorter one: the script may add
        detail the runtime leaves out ("uninitialized element 2") and the
        runtime may add detail the script leaves out."""
        text, got = cmd.get("text", ""), err.remote_message
        if not got or not (got.startswith(text) or text.startswith(got)):
            raise CheckFailed(f"trapped with {got!r}, expected {text!r}")

    def _reject(self, cmd: dict[str, Any], what: str) -> None:
        """The module must fail to load (malformed or invalid)."""
        if self.mini_loader:
            raise Skip(SKIP_MINI)
        if cmd.get("module_type", "binary") != "binary":
            raise Skip(SKIP_TEXT)
        if cmd.get("text") == "multiple tables":
            raise Skip(SKIP_PRE_2_0)
        if self.aot is not None:
            from wasmbed.aot.compiler import InvalidModule

            try:
                self.aot.get(self.script.module_bytes(cmd["filename"]))  # type: ignore[union-attr]
            except InvalidModule:
                return
            except WasmbedError as err:
                raise CheckFailed(f"{cmd['filename']}: AOT compiler: {err}, expected {what}") from None
            raise CheckFailed(f"{cmd['filename']} was accepted by the AOT compiler, expected {what} "
                              f"{cmd.get('text', '')!r}")
        data = self._module_data(cmd)
        try:
            self._client().validate(data, timeout=self._load_timeout(len(data)), pipeline=self.depth > 1)
        except RemoteError as err:
            if err.kind in (Kind.MALFORMED, Kind.INVALID):
                return
            raise CheckFailed(f"{cmd['filename']}: {err}, expected {what} {cmd.get('text', '')!r}") from None
        raise CheckFailed(f"{cmd['filename']} was accepted, expected {what} {cmd.get('text', '')!r}")

    def _cmd_assert_invalid(self, cmd: dict[str, Any]) -> None:
        self._reject(cmd, "invalid")

    def _cmd_assert_malformed(self, cmd: dict[str, Any]) -> None:
        self._reject(cmd, "malformed")

    def _instantiate_fails(self, cmd: dict[str, Any], kind: Kind, what: str) -> RemoteError:
        if cmd.get("module_type", "binary") != "binary":
            raise Skip(SKIP_TEXT)
        data = self._module_data(cmd)
        client = self._client()
        try:
            handle = client.load(data, timeout=self._load_timeout(len(data)), pipeline=self.depth > 1)
        except RemoteError as err:
            if err.kind != kind:
                raise CheckFailed(f"{cmd['filename']}: {err}, expected {what} {cmd.get('text', '')!r}") from None
            return err
        client.free(handle)
        raise CheckFailed(f"{cmd['filename']} instantiated, expected {what} {cmd.get('text', '')!r}")

    def _cmd_assert_unlinkable(self, cmd: dict[str, Any]) -> None:
        self._instantiate_fails(cmd, Kind.LINK, "link error")

    def _cmd_assert_uninstantiable(self, cmd: dict[str, Any]) -> None:
        err = self._instantiate_fails(cmd, Kind.TRAP, "trap at instantiation")
        self._check_text(cmd, err)


__all__ = ["FileResult", "SpecRunner", "RunAborted", "matches", "kind_name"]
