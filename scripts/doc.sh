#!/usr/bin/env bash
# Module documentation: regenerates the Inputs/Outputs section (between
# <!-- BEGIN_TF_DOCS --> and <!-- END_TF_DOCS -->) of terraform/modules/*/README.md from
# variables.tf and outputs.tf.
#
#   scripts/doc.sh            rewrite the sections (adds one to a README that has none)
#   scripts/doc.sh --check    exit 1 when a generated section is out of date; a README
#                             without the markers is reported and skipped (its module's
#                             owner adds them, or runs scripts/doc.sh <module> once)
#   scripts/doc.sh [--check] <module>...   only these modules (names under terraform/modules)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/lib/venv.sh
source "$here/lib/venv.sh"
repo="$(corpus_repo_root)"

mode="write"
if [[ "${1:-}" == "--check" ]]; then
  mode="check"
  shift
fi
for arg in "$@"; do
  if [[ "$arg" == -* || ! -d "$repo/terraform/modules/$arg" ]]; then
    echo "usage: scripts/doc.sh [--check] [module...]" >&2
    exit 2
  fi
done

corpus_venv
modules=("$@")
if [[ ${#modules[@]} -eq 0 ]]; then
  for d in "$repo"/terraform/modules/*/; do
    modules+=("$(basename "$d")")
  done
fi

failed=0
skipped=0
for m in "${modules[@]}"; do
  rc=0
  python3 "$here/lib/tfdoc.py" "$mode" "$repo/terraform/modules/$m" || rc=$?
  case "$rc" in
    0) ;;
    3) skipped=$((skipped + 1)) ;;
    *) failed=1 ;;
  esac
done
if [[ "$mode" == check && $skipped -gt 0 ]]; then
  echo "doc.sh: $skipped module README(s) have no generated section (see above)" >&2
fi
if [[ "$mode" == check ]]; then
  if [[ $failed -ne 0 ]]; then
    echo "doc.sh: module documentation is out of date: run scripts/doc.sh" >&2
    exit 1
  fi
  echo "doc.sh: generated module documentation is up to date" >&2
fi
exit "$failed"
