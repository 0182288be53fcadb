"""`--fuel N`: an instruction budget per call for `wasmbed run`, `wasmbed spec` and
`run-on-qemu`. The agent must be built with instruction-metering, so asking for fuel adds
that feature to the agent build; running out is a trap of its own (protocol kind FUEL)."""

from __future__ import annotations

import argparse
from typing import Any, Optional

from wasmbed.errors import WasmbedError
from wasmbed.run.outcome import positive_int

FEATURE = "instruction-metering"


def add_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--fuel", type=positive_int, metavar="N",
                        help="give every call a budget of N WebAssembly instructions; running "
                             "out ends it with 'all fuel consumed' (builds the agent with "
                             "instruction-metering)")


def with_metering(features: Optional[list[str]], fuel: Optional[int]) -> Optional[list[str]]:
    """The agent build's feature request, with instruction-metering added when --fuel asks
    for it (None stays None without --fuel: the board's defaults)."""
    if not fuel:
        return features
    items = list(features or [])
    if any(i.strip().lstrip("+") in (FEATURE, "metering", "fuel") for i in items):
        return items
    return items + [f"+{FEATURE}"]


def apply(client: Any, fuel: Optional[int]) -> None:
    """Send the budget to the agent (again after every reset: RESET drops it)."""
    if not fuel:
        return
    from wasmbed.run.protocol import Kind, RemoteError

    try:
        client.set_fuel(fuel)
    except RemoteError as err:
        if err.kind == Kind.UNSUPPORTED:
            raise WasmbedError("--fuel: this agent was built without instruction-metering",
                               hint="build it with features=+instruction-metering (or let "
                                    "wasmbed build the agent: leave out --firmware)") from None
        raise
