"""Starts the official WASI testsuite runner (`wasi_test_runner`) from the suite folder
given as the first argument, with the rest as the runner's own arguments.

Why a starter: the runner tests `str in WasiVersion`, which Python 3.12 allows and
Python 3.11 (Debian 12's, and this project's venv) rejects with TypeError. On 3.11 the
3.12 rule (a value is "in" an enum when it names a member) is put back for the runner's
process only; the runner itself is used unchanged from ../shared/wasi-testsuite.
"""

import enum
import sys
from pathlib import Path


def _contains_312(cls: enum.EnumMeta, value: object) -> bool:
    if isinstance(value, cls):
        return True
    try:
        cls(value)
    except (ValueError, TypeError):
        return False
    return True


def main() -> int:
    suite = Path(sys.argv[1])
    sys.path.insert(0, str(suite / "test-runner"))
    if sys.version_info < (3, 12):
        enum.EnumMeta.__contains__ = _contains_312  # type: ignore[method-assign,assignment]
    from wasi_test_runner import __main__ as runner  # noqa: E402 (after the path is set)
    sys.argv = [str(suite / "test-runner" / "wasi_test_runner.py"), *sys.argv[2:]]
    return int(runner.main())


if __name__ == "__main__":
    sys.exit(main())
