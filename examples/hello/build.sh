#!/bin/sh
# Build examples/hello/hello.c (or the .c files given) into build/examples/<name>.wasm
# with clang's wasm32 target and wasmbed's libc-builtin headers: one command, no SDK.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out="$root/build/examples"
mkdir -p "$out"
CLANG=${CLANG:-clang}
command -v "$CLANG" >/dev/null 2>&1 || { echo "build.sh: $CLANG not found (apt-get install clang lld)" >&2; exit 2; }
[ $# -gt 0 ] || set -- "$here/hello.c"
for src in "$@"; do
    name=$(basename "$src" .c)
    "$CLANG" --target=wasm32 -O2 -nostdlib -I "$root/runtime_src/libc/include" \
        -Wl,--no-entry -Wl,--export=main -o "$out/$name.wasm" "$src"
    echo "$out/$name.wasm"
done
