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
for service in documents ingest; do
  cargo run --quiet -p "corpus-$service" --bin "$service" -- openapi | python3 -m json.tool --indent 2 > "openapi/$service.json.tmp"
  mv "openapi/$service.json.tmp" "openapi/$service.json"
  echo "wrote openapi/$service.json"
done
