from __future__ import annotations

"""Errors that reach the user: one exception type with a message meant for people."""


class WasmbedError(Exception):
    """A failure with a user-facing message; the CLI prints it and exits with
    `exit_code` (2 here; subclasses in wasmbed.run.outcome and wasmbed.run.protocol use 3..6)."""

    exit_code: int = 2

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n  hint: {self.hint}"
