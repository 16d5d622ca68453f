#!/usr/bin/env bash
# Builds the deploy hook Lambda (services/deploy-hook) into a zip with `bootstrap` at its
# root, for the `provided.al2023` runtime:
#
#   scripts/build-deploy-hook.sh [--host] <out.zip>
#
# By default a release build for x86_64-unknown-linux-musl (a static binary that runs on
# any Lambda image; the pipeline's build image has that target). --host builds for this
# machine instead (debug profile): only for the local emulator, which stores the function
# but never runs it; a warning says so.
set -euo pipefail

usage() {
  echo "usage: $0 [--host] <out.zip>" >&2
  exit 2
}
host=false
if [ "${1:-}" = --host ]; then
  host=true
  shift
fi
[ $# -eq 1 ] || usage
case "$1" in *.zip) ;; *) usage ;; esac
out=$1

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
target_dir=${CARGO_TARGET_DIR:-$root/target}
musl=x86_64-unknown-linux-musl

if [ "$host" = true ]; then
  echo "build-deploy-hook: WARNING: a host (debug) build, for the local emulator only; Lambda needs the $musl build" >&2
  (cd "$root" && cargo build --quiet --locked -p corpus-deploy-hook --bin deploy-hook)
  binary="$target_dir/debug/deploy-hook"
else
  if ! rustup target list --installed 2>/dev/null | grep -qx "$musl"; then
    echo "build-deploy-hook: the Rust target $musl is not installed (rustup target add $musl; the build image has it), or pass --host for a local emulator build" >&2
    exit 1
  fi
  (cd "$root" && cargo build --quiet --locked --release --target "$musl" -p corpus-deploy-hook --bin deploy-hook)
  binary="$target_dir/$musl/release/deploy-hook"
fi

mkdir -p "$(dirname "$out")"
python3 - "$binary" "$out" <<'PY'
import sys, zipfile
binary, out = sys.argv[1], sys.argv[2]
info = zipfile.ZipInfo("bootstrap", date_time=(2020, 1, 1, 0, 0, 0))  # stable bytes for a stable hash
info.external_attr = 0o100755 << 16
info.compress_type = zipfile.ZIP_DEFLATED
with open(binary, "rb") as f, zipfile.ZipFile(out + ".tmp", "w") as z:
    z.writestr(info, f.read())
import os
os.replace(out + ".tmp", out)
PY
echo "build-deploy-hook: wrote $out"
