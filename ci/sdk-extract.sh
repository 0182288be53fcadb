#!/usr/bin/env bash
# Extract the RTOS source trees of ../shared/sdk (or $WASMBED_SDK_ARCHIVES) once into an
# ignored cache (build/sdk/, or $WASMBED_SDK_CACHE), checked against SHA256SUMS first.
# Prints the variables the RTOS platforms read, ready for `eval "$(ci/sdk-extract.sh)"`:
#   NUTTX_DIR, NUTTX_APPS_DIR, RIOTBASE, RTT_ROOT (+ NUTTX_COMMIT, RIOT_COMMIT, RTT_COMMIT from the names)
# A tree already extracted (its .wasmbed-extracted stamp names the archive) is reused.
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=${WASMBED_SDK_ARCHIVES:-../shared/sdk}
CACHE=${WASMBED_SDK_CACHE:-build/sdk}
if [ ! -f "$SRC/SHA256SUMS" ]; then
  echo "sdk-extract: no $SRC/SHA256SUMS (set WASMBED_SDK_ARCHIVES to the folder with the RTOS tarballs)" >&2
  exit 2
fi
mkdir -p "$CACHE"
CACHE=$(cd "$CACHE" && pwd)
# one extraction at a time (pytest -n 2 runs this from two workers at once)
exec 9>"$CACHE/.extract.lock"
flock 9

extract() {  # archive-glob top-level-dirs...
  local pattern=$1; shift
  local archive
  archive=$(ls "$SRC"/$pattern 2>/dev/null | head -1 || true)
  if [ -z "$archive" ]; then
    echo "sdk-extract: no archive $SRC/$pattern" >&2; return 1
  fi
  local name; name=$(basename "$archive")
  local stamp="$CACHE/.$name.extracted"
  if [ -f "$stamp" ]; then return 0; fi
  (cd "$SRC" && grep " $name\$" SHA256SUMS | sha256sum -c --quiet -) >&2 || {
    echo "sdk-extract: $name does not match SHA256SUMS" >&2; return 1; }
  for d in "$@"; do rm -rf "${CACHE:?}/$d"; done
  echo "sdk-extract: extracting $name into $CACHE" >&2
  tar -xJf "$archive" -C "$CACHE"
  touch "$stamp"
}

extract 'nuttx-*.tar.xz' nuttx apps
extract 'riot-*.tar.xz' RIOT
extract 'rtthread-nano-*.tar.xz' rtthread-nano
commit() {  # the commit in an archive's name (nuttx-4ebc8a7291.tar.xz -> 4ebc8a7291)
  local a; a=$(basename "$(ls "$SRC"/$1 | head -1)"); a=${a%.tar.xz}; echo "${a##*-}"
}
echo "export NUTTX_DIR=$CACHE/nuttx NUTTX_APPS_DIR=$CACHE/apps RIOTBASE=$CACHE/RIOT RTT_ROOT=$CACHE/rtthread-nano"
echo "export NUTTX_COMMIT=$(commit 'nuttx-*.tar.xz') RIOT_COMMIT=$(commit 'riot-*.tar.xz') RTT_COMMIT=$(commit 'rtthread-nano-*.tar.xz')"
