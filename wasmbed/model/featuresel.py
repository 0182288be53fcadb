"""`features=` on top of a board's defaults, and checks of a build's configuration against
the board before anything is compiled.

    features=+aot,-libc-builtin     add to / remove from the board's `features:` list
    features=mini-loader            a plain key adds too (the board's defaults stay)
    features=only:interp,global-heap-pool   exactly this set (the board's defaults are dropped)

The resolved set (implied features added) is printed by the build and written to
build.json. Platform features (platform-linux, platform-baremetal, ...) must be the
board's own; heap_size must fit the board's RAM and leave the agent room to work.
"""

from __future__ import annotations

from typing import Sequence

from wasmbed.model import features as registry
from wasmbed.model import features_table as table
from wasmbed.model.descriptors import Board, Platform, platform_of
from wasmbed.errors import WasmbedError

ONLY = "only:"
#: smallest heap_size accepted: one WebAssembly page (64 KiB); below it no module with a
#: memory can instantiate (docs/design.md "heap_size checks" has what the agent needs)
MIN_HEAP = 64 * 1024


def requested_names(board: Board, requested: Sequence[str] | None) -> list[str]:
    """The feature names to resolve: the board's defaults edited by +key / -key / key,
    or exactly the `only:` list."""
    defaults = list(board.features)
    if requested is None:
        return defaults
    items = [r.strip() for r in requested if r.strip()]
    exact = bool(items) and items[0].startswith(ONLY)
    if exact:
        items[0] = items[0][len(ONLY):].strip()
        items = [i for i in items if i]
    names = [] if exact else defaults
    for item in items:
        if item.startswith(ONLY):
            raise WasmbedError(f"features=...,{item}: `only:` goes before the first key",
                               hint="features=only:interp,global-heap-pool")
        if item.startswith("-"):
            if exact:
                raise WasmbedError(f"features=only:...,{item}: an exact set has nothing to "
                                   "remove; leave the key out instead")
            key = registry.lookup(item[1:]).key
            have = [registry.lookup(n).key for n in names]
            if key not in have:
                raise WasmbedError(f"features={item}: {key} is not among board {board.name}'s "
                                   f"features ({', '.join(have) or 'none'})")
            names = [n for n in names if registry.lookup(n).key != key]
        else:
            names = names + [item[1:] if item.startswith("+") else item]
    return names


def resolve(board: Board, requested: Sequence[str] | None) -> list[str]:
    """The board's resolved feature keys for `requested` (see the module text)."""
    names = requested_names(board, requested)
    keys = registry.resolve(names)
    removed = [registry.lookup(i[1:]).key for i in (requested or [])
               if i.strip().startswith("-")]
    back = [k for k in removed if k in keys]
    if back:
        raise WasmbedError(f"features=-{back[0]}: {back[0]} cannot be removed: the remaining "
                           f"features need it ({', '.join(k for k in keys if k != back[0])})")
    registry.check_arch(keys, board.arch)
    check_platform(board, keys)
    check_app_store(board, keys)
    check_threads(board, keys)
    return keys


#: RTOS ports that implement the wb_port.h thread calls (POSIX hosts: port_host_thread.c)
RTOS_THREAD_PORTS = {"nuttx": "runtime_src/port/nuttx/port_nuttx_thread.c",
                     "riot": "runtime_src/port/riot/port_riot_thread.c"}
#: features that start threads (shared-memory alone runs single-threaded anywhere)
THREAD_FEATURES = ("wasi-threads", "lib-pthread")


def port_has_threads(platform: Platform) -> bool:
    """WB_PORT_HAS_THREADS: the platform has threads and its port implements the wb_port.h
    thread calls (POSIX threads on hosts other than Windows; NuttX and RIOT ports)."""
    if not platform.capabilities.get("threads"):
        return False
    if platform.port == "host" and platform.kind == "posix":
        return platform.name != "windows"  # no POSIX threads
    return platform.name in RTOS_THREAD_PORTS


def check_threads(board: Board, keys: Sequence[str]) -> None:
    """wasi-threads (and lib-pthread) need a port with threads: refuse them elsewhere."""
    wanted = [k for k in THREAD_FEATURES if k in keys]
    if not wanted or port_has_threads(platform_of(board)):
        return
    raise WasmbedError(
        f"feature {wanted[0]}: board {board.name} runs on platform {board.platform}, whose "
        "port has no threads (the wb_port.h thread calls exist for POSIX hosts, NuttX and "
        "RIOT)",
        hint="pick a board of such a platform (wasmbed boards), or drop the feature: "
             "shared-memory alone runs single-threaded on every board")


def check_app_store(board: Board, keys: Sequence[str]) -> None:
    """app-store needs the board's `app_store:` region and erase/program code for its flash."""
    if "app-store" not in keys:
        return
    from wasmbed.model.descriptors import APP_STORE_BUILT

    store = board.app_store
    if store is None:
        raise WasmbedError(f"feature app-store: board {board.name} reserves no flash region "
                           f"for it (no `app_store:` in {board.path.name})",
                           hint="boards with one: qemu-riscv64; docs/appstore.md says how to "
                                "add the field")
    if store.driver not in APP_STORE_BUILT:
        raise WasmbedError(f"feature app-store on {board.name}: the firmware has no erase/"
                           f"program code for its flash (app_store.driver {store.driver}) yet",
                           hint=f"drivers built: {', '.join(APP_STORE_BUILT)}; "
                                "`wasmbed push --image FILE --board "
                                f"{board.name}` writes the store into a flash image instead")
    if board.platform != "baremetal":
        raise WasmbedError(f"feature app-store: board {board.name} runs on {board.platform}; "
                           "the store's flash code is for bare-metal boards")


def check_platform(board: Board, keys: Sequence[str]) -> None:
    """platform-* features name the OS the build is for: only the board's own makes sense."""
    own = registry.platform_key(board.platform)
    for k in keys:
        f = registry.FEATURES[k]
        if f.category == table.PORTABILITY and k != own:
            raise WasmbedError(
                f"feature {k} is for another platform: board {board.name} runs on platform "
                f"{board.platform}" + (f" (its platform feature is {own})" if own else ""),
                hint="pick a board of that platform (wasmbed boards) or drop the feature")


def check_heap(board: Board, heap_size: int, keys: Sequence[str]) -> None:
    """heap_size against the board: at least MIN_HEAP when the pool is the agent's memory,
    and no larger than the board's largest writable memory region."""
    if "global-heap-pool" not in keys:
        return
    if heap_size < MIN_HEAP:
        raise WasmbedError(f"heap_size={heap_size}: too small for the agent (at least "
                           f"{MIN_HEAP // 1024}K, one WebAssembly page; the agent's session, "
                           "stacks and every module's memory live in the pool)",
                           hint=f"board {board.name}'s default is {board.heap_size}")
    writable = [r for r in board.memory if "w" in r.attrs]
    if writable:
        biggest = max(writable, key=lambda r: r.length)
        if heap_size > biggest.length:
            raise WasmbedError(
                f"heap_size={heap_size} does not fit board {board.name}: its largest RAM "
                f"region ({biggest.name}) is {biggest.length} bytes ({biggest.length >> 10}K) "
                f"in {board.path.name}", hint=f"the board's default is {board.heap_size}")
