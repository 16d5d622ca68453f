#!/usr/bin/env bash
# Generated documentation, from the code:
# - module documentation: the Inputs/Outputs section (between <!-- BEGIN_TF_DOCS --> and
#   <!-- END_TF_DOCS -->) of terraform/modules/*/README.md, from variables.tf and outputs.tf;
# - diagrams: docs/diagrams/*.svg (infrastructure-<env>.svg, delivery.svg), drawn with the
#   Diagrams library and Graphviz from terraform/live and terraform/config
#   (scripts/lib/diagrams_gen.py). Installs Graphviz (Debian package graphviz, as root) when
#   `dot` is missing.
#
#   scripts/doc.sh            rewrite the sections (adds one to a README that has none) and
#                             the diagrams (removes an SVG under docs/diagrams it no longer draws)
#   scripts/doc.sh --check    exit 1 when a generated section or a diagram is out of date,
#                             naming it (diagrams are drawn into a temporary directory and
#                             compared byte for byte); a README without the markers is
#                             reported and skipped (its module's owner adds them, or runs
#                             scripts/doc.sh <module> once)
#   scripts/doc.sh [--check] <module>...   only these modules' READMEs (names under
#                             terraform/modules), no diagrams
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

# Graphviz's dot, which the Diagrams library runs.
ensure_dot() {
  command -v dot >/dev/null 2>&1 && return 0
  if [[ "$(id -u)" -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
    echo "doc.sh: Graphviz's dot is not installed: install the Debian package graphviz" >&2
    return 1
  fi
  echo "doc.sh: installing graphviz (Debian package)" >&2
  # Other test scripts may be installing packages at the same time: wait for the lock.
  apt-get install -y -qq -o DPkg::Lock::Timeout=300 graphviz >/dev/null 2>&1 ||
    { apt-get update -qq -o DPkg::Lock::Timeout=300 >/dev/null &&
      apt-get install -y -qq -o DPkg::Lock::Timeout=300 graphviz >/dev/null; } || return 1
  command -v dot >/dev/null 2>&1
}

# diagrams <write|check>: draws every diagram into a temporary directory, then copies them
# to docs/diagrams (write) or compares them with the committed ones (check).
diagrams() {
  local tmp dir="$repo/docs/diagrams" f name rc=0
  ensure_dot || return 1
  tmp="$(mktemp -d)"
  if ! python3 "$here/lib/diagrams_gen.py" "$repo" "$tmp" >/dev/null; then
    rm -rf "$tmp"
    echo "doc.sh: drawing the diagrams failed (see above)" >&2
    return 1
  fi
  if [[ "$1" == write ]]; then
    mkdir -p "$dir"
    for f in "$dir"/*.svg; do
      [[ -e "$f" && ! -e "$tmp/$(basename "$f")" ]] && rm -f "$f" && echo "doc.sh: removed docs/diagrams/$(basename "$f")" >&2
    done
    for f in "$tmp"/*.svg; do
      name="$(basename "$f")"
      if ! cmp -s "$f" "$dir/$name"; then
        cp "$f" "$dir/$name"
        echo "doc.sh: wrote docs/diagrams/$name" >&2
      fi
    done
  else
    for f in "$tmp"/*.svg; do
      name="$(basename "$f")"
      if [[ ! -e "$dir/$name" ]]; then
        echo "doc.sh: docs/diagrams/$name is missing" >&2
        rc=1
      elif ! cmp -s "$f" "$dir/$name"; then
        echo "doc.sh: docs/diagrams/$name is out of date" >&2
        rc=1
      fi
    done
    for f in "$dir"/*.svg; do
      if [[ -e "$f" && ! -e "$tmp/$(basename "$f")" ]]; then
        echo "doc.sh: docs/diagrams/$(basename "$f") is no longer drawn" >&2
        rc=1
      fi
    done
  fi
  rm -rf "$tmp"
  return "$rc"
}

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
diagrams_failed=0
if [[ $# -eq 0 ]]; then
  diagrams "$mode" || diagrams_failed=1
fi
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
if [[ $diagrams_failed -ne 0 ]]; then
  [[ "$mode" == check ]] && echo "doc.sh: diagrams are out of date: run scripts/doc.sh" >&2
  exit 1
fi
if [[ "$mode" == check && $# -eq 0 ]]; then
  echo "doc.sh: docs/diagrams are up to date" >&2
fi
exit "$failed"
