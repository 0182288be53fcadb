"""Ahead-of-time compiler: WebAssembly -> C -> the board's native code (docs/aot.md)."""
