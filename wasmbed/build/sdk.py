"""Finding an RTOS source tree from a platform descriptor's `sdk:` section, and running its build.

A platform names how its tree is found, in the ecosystem's own words (platforms/*.yaml):

    sdk:
      name: NuttX
      env: NUTTX_DIR                    # the variable users of that RTOS already set
      markers: [Makefile, sched/Kconfig] # files that prove the tree is that RTOS
      companions:                        # trees that sit beside it (NuttX's apps/)
        - {name: apps, env: NUTTX_APPS_DIR, beside: apps, markers: [Application.mk]}
      commit_env: NUTTX_COMMIT           # the commit when the tree has no .git

Lookup order: a `sdk=PATH` build argument, then the variable `env`, then `path:`. Nothing set
means "no tree here" (`find` returns None: the build is `built-without-sdk`); a location that is
set but does not hold the marker files is an error naming what was looked for and what was
missing. Nothing here knows a particular RTOS, SCons or the CLI.
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

from wasmbed.errors import WasmbedError

TAIL_LINES = 30


class SdkError(WasmbedError):
    """A tree that is missing, incomplete, or whose build failed."""


@dataclass(frozen=True)
class SdkTree:
    """An RTOS tree found on this machine."""

    name: str                                  # "NuttX"
    root: Path                                 # the tree (NUTTX_DIR, RIOTBASE, RTT_ROOT)
    found_by: str                              # "sdk= argument", "NUTTX_DIR", "path: ..."
    commit: str                                # git commit, the commit_env value, or "unknown"
    companions: dict[str, Path] = field(default_factory=dict)  # {"apps": .../apps}

    def describe(self) -> str:
        short = self.commit[:10] if self.commit != "unknown" else "commit unknown"
        return f"{self.name} {short} at {self.root} (from {self.found_by})"


def _get(section: Any, key: str, default: Any = None) -> Any:
    if section is None:
        return default
    value = section.get(key, default) if isinstance(section, Mapping) else \
        getattr(section, key, default)
    return default if value is None else value


def requested(sdk: Any, override: str | Path | None = None,
              environ: Mapping[str, str] | None = None) -> tuple[Path, str] | None:
    """Where the tree is said to be and who said so, or None when nothing points anywhere."""
    environ = os.environ if environ is None else environ
    if override:
        return Path(os.path.expanduser(str(override))).resolve(), "sdk= argument"
    env = _get(sdk, "env")
    if env and environ.get(env):
        return Path(os.path.expanduser(environ[env])).resolve(), env
    path = _get(sdk, "path")
    if path:
        return Path(os.path.expanduser(path)).resolve(), f"path: {path}"
    return None


def missing_markers(root: Path, markers: Sequence[str]) -> list[str]:
    """The marker files (relative to root) that are not there."""
    return [m for m in markers if not (root / m).exists()]


def tree_commit(root: Path, sdk: Any = None, environ: Mapping[str, str] | None = None,
                commit: str | None = None) -> str:
    """The tree's commit: an explicit value, `git rev-parse HEAD`, the commit_env variable,
    else "unknown"."""
    environ = os.environ if environ is None else environ
    if commit:
        return commit
    if (root / ".git").exists():
        try:
            proc = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"],
                                  capture_output=True, text=True, timeout=30)
            if proc.returncode == 0 and proc.stdout.strip():
                return proc.stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            pass
    env = _get(sdk, "commit_env")
    if env and environ.get(env, "").strip():
        return environ[env].strip()
    return "unknown"


def _looked_for(sdk: Any) -> str:
    ways = ["a sdk=PATH build argument"]
    if _get(sdk, "env"):
        ways.append(f"${_get(sdk, 'env')}")
    if _get(sdk, "path"):
        ways.append(f"path {_get(sdk, 'path')}")
    return " or ".join(ways)


def _companion(sdk_name: str, root: Path, comp: Any, environ: Mapping[str, str]) -> Path:
    name = _get(comp, "name")
    env = _get(comp, "env")
    beside = _get(comp, "beside")
    markers = list(_get(comp, "markers", ()))
    if env and environ.get(env):
        where, how = Path(os.path.expanduser(environ[env])).resolve(), f"${env}"
    elif beside:
        where, how = (root.parent / beside).resolve(), f"beside the {sdk_name} tree"
    else:
        raise SdkError(f"{sdk_name}: no {name} tree: set {env}" if env else
                       f"{sdk_name}: the descriptor says nowhere to look for {name}")
    if not where.is_dir():
        hint = f"set {env} to the {name} tree" if env else f"put {name}/ beside {root}"
        raise SdkError(f"{sdk_name}: no {name} tree at {where} ({how})", hint=hint)
    gone = missing_markers(where, markers)
    if gone:
        raise SdkError(f"{sdk_name}: {where} ({how}) is not a {name} tree: looked for "
                       f"{', '.join(markers)}; missing: {', '.join(gone)}",
                       hint=f"set {env} to the {name} tree" if env else None)
    return where


def check_tree(sdk: Any, root: Path, found_by: str, *, extra_markers: Sequence[str] = (),
               environ: Mapping[str, str] | None = None, commit: str | None = None) -> SdkTree:
    """An SdkTree for `root` after checking its marker files and companions."""
    environ = os.environ if environ is None else environ
    name = _get(sdk, "name", "SDK")
    install = _get(sdk, "install")
    if not root.is_dir():
        raise SdkError(f"{name}: no tree at {root} (from {found_by})",
                       hint=f"install {install}" if install else None)
    markers = list(_get(sdk, "markers", ())) + list(extra_markers)
    gone = missing_markers(root, markers)
    if gone:
        raise SdkError(f"{name}: {root} (from {found_by}) is not a {name} tree: looked for "
                       f"{', '.join(markers)}; missing: {', '.join(gone)}",
                       hint=f"install {install}" if install else None)
    companions = {str(_get(c, "name")): _companion(name, root, c, environ)
                  for c in _get(sdk, "companions", ())}
    return SdkTree(name=name, root=root, found_by=found_by, companions=companions,
                   commit=tree_commit(root, sdk, environ, commit))


def find(platform: Any, override: str | Path | None = None, *,
         extra_markers: Sequence[str] = (), environ: Mapping[str, str] | None = None,
         commit: str | None = None) -> SdkTree | None:
    """The platform's tree, or None when nothing points at one (or the platform needs none).

    Raises SdkError when a location is given but is not the tree."""
    sdk = getattr(platform, "sdk", None)
    if sdk is None:
        return None
    where = requested(sdk, override, environ)
    if where is None:
        return None
    return check_tree(sdk, where[0], where[1], extra_markers=extra_markers, environ=environ,
                      commit=commit)


def locate(platform: Any, override: str | Path | None = None, *,
           extra_markers: Sequence[str] = (), environ: Mapping[str, str] | None = None,
           commit: str | None = None) -> SdkTree:
    """Like `find`, but no tree at all is an error too (what to set, what to install)."""
    tree = find(platform, override, extra_markers=extra_markers, environ=environ, commit=commit)
    if tree is None:
        sdk = getattr(platform, "sdk", None)
        name = _get(sdk, "name", getattr(platform, "name", "SDK"))
        install = _get(sdk, "install")
        raise SdkError(f"no {name} tree: looked for {_looked_for(sdk)}; none is set",
                       hint=f"install {install}" if install else None)
    return tree


# ---- running the RTOS's own build ----------------------------------------------------------

_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def log_tail(log: Path, lines: int = TAIL_LINES) -> str:
    """The last `lines` non-empty lines of a build log, without terminal escapes (NuttX's
    make redraws its progress line with ESC[1K)."""
    try:
        text = log.read_text(errors="replace")
    except OSError:
        return "  (no log)"
    text = _ANSI.sub("", text).replace("\r", "\n")
    kept = [ln.rstrip() for ln in text.splitlines() if ln.strip()][-lines:]
    return "\n".join("  " + ln for ln in kept)


def run_logged(cmd: Sequence[str], *, cwd: Path, log: Path, what: str,
               env: Mapping[str, str] | None = None, append: bool = True,
               timeout: float | None = None) -> float:
    """Run one step of an RTOS build with its whole output in `log`; returns seconds taken.

    On failure raises SdkError with the last lines of the log and the log's path."""
    log.parent.mkdir(parents=True, exist_ok=True)
    start = time.monotonic()
    with open(log, "a" if append else "w", encoding="utf-8") as out:
        out.write(f"$ cd {cwd} && {' '.join(cmd)}\n")
        out.flush()
        try:
            proc = subprocess.run(list(cmd), cwd=cwd, env=dict(env) if env is not None else None,
                                  stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                  timeout=timeout)
        except FileNotFoundError:
            raise SdkError(f"{what}: cannot run {cmd[0]}: not found",
                           hint=f"install the package that provides {cmd[0]}") from None
        except subprocess.TimeoutExpired:
            out.write(f"\n[wasmbed: timed out after {timeout:.0f} s]\n")
            out.flush()
            raise SdkError(f"{what} timed out after {timeout:.0f} s:\n{log_tail(log)}\n"
                           f"  full log: {log}") from None
        out.write(f"[exit {proc.returncode}]\n")
    if proc.returncode != 0:
        raise SdkError(f"{what} failed (exit {proc.returncode}):\n{log_tail(log)}\n"
                       f"  full log: {log}")
    return time.monotonic() - start
