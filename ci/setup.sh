#!/usr/bin/env bash
# Install what wasmbed needs on a fresh Debian machine; cheap when it is all there.
#   Debian: cross compilers, QEMU, clang/lld for wasm test programs, valgrind, RTOS build tools.
#   Python: a venv in .venv with the wasmbed package (editable) and its test tools.
# `ci/setup.sh --list` prints the Debian packages and installs nothing: the package check
# (`wasmbed doctor`, tests/test_packages.py) compares it with what each build really uses.
# Packages are installed without their recommends: whatever a build needs is named here.
set -euo pipefail
cd "$(dirname "$0")/.."

DEBIAN_PACKAGES=(
  gcc gcc-riscv64-unknown-elf gcc-arm-none-eabi
  qemu-system-misc qemu-system-arm qemu-system-mips qemu-system-x86
  clang lld llvm libclang-rt-dev-wasm32 valgrind
  libclang-rt-dev                                             # libFuzzer + sanitizers for clang (ci/fuzz.sh)
  wasi-libc                                                   # clang --target=wasm32-wasi (libc-wasi tests)
  clang-22 llvm-22 binutils-xtensa-lx106                     # Xtensa (esp32): compiler, llvm-ar-22/llvm-mc-22, ld
  make gcc-aarch64-linux-gnu kconfig-frontends-nox genromfs xxd   # NuttX and RIOT builds (GNU make)
  qemu-user libc6-i386 wine wine64                            # linux-<cpu> boards, host-i386, windows-x86_64 under Wine
)
if [ "${1:-}" = "--list" ]; then
  printf '%s\n' "${DEBIAN_PACKAGES[@]}"
  exit 0
fi

missing=()
for p in "${DEBIAN_PACKAGES[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${DEBIAN_PACKAGES[@]}" >/dev/null
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv"
  "$PY" -m venv .venv
fi
stamp=.venv/.wasmbed-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "setup: installing Python packages into .venv"
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null
  .venv/bin/python -m pip install -q -e '.[test]'
  touch "$stamp"
fi
