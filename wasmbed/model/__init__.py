"""The descriptor model: boards, platforms, features, toolchains (no build system, no CLI)."""
