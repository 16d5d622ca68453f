#!/usr/bin/env bash
# Prints the tag of the build image: the first 16 hex digits of the SHA-256 of the
# concatenated SHA-256 digests of .ci/Dockerfile and scripts/requirements*.txt (in byte
# order). terraform/modules/pipeline computes the same tag for the projects' image.
#   .ci/image-tag.sh
set -euo pipefail
if [[ $# -ne 0 ]]; then
  echo "usage: .ci/image-tag.sh" >&2
  exit 2
fi
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mapfile -t reqs < <(printf '%s\n' scripts/requirements*.txt | LC_ALL=C sort)
for f in .ci/Dockerfile "${reqs[@]}"; do
  sha256sum "$f" | cut -c1-64
done | tr -d '\n' | sha256sum | cut -c1-16
