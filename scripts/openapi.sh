#!/usr/bin/env bash
# Regenerates the committed OpenAPI documents (openapi/<service>.json) from the code.
# The test suite fails when they drift. Usage: ./scripts/openapi.sh
set -euo pipefail
if [ $# -ne 0 ]; then
  echo "usage: $0" >&2
  exit 2
fi
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
mkdir -p openapi
cargo run --quiet -p corpus-documents --bin documents -- openapi | python3 -m json.tool --indent 2 > openapi/documents.json.tmp
mv openapi/documents.json.tmp openapi/documents.json
echo "wrote openapi/documents.json"
