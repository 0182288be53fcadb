"""wasmbed: build a WebAssembly runtime for embedded targets, boot it, test it."""

from pathlib import Path

__version__ = "0.1.0"

#: Root of the source tree (boards/, platforms/, templates/, runtime_src/).
ROOT = Path(__file__).resolve().parent.parent
