#!/usr/bin/env bash
# Runs every test: formatting, lints, the Rust test suites against a throwaway PostgreSQL
# and the AWS emulator, the property-based API contract test (scripts/test-contract.sh),
# the web app's unit and browser tests (scripts/test-frontend.sh), and the Terraform suite
# (scripts/test-terraform.sh) in parallel. Starts what it needs on free ports and stops it
# on exit, even on failure. Exits non-zero when anything fails.
#
# usage: ./scripts/test.sh [all|rust|frontend|terraform]   (default: all)
#   rust       fmt, clippy, cargo test, the contract test
#   frontend   the web app (lint, types, unit tests, browser tests against the real stack)
#   terraform  the Terraform suite alone
set -euo pipefail

usage() {
  echo "usage: $0 [all|rust|frontend|terraform]" >&2
  exit 2
}
[ $# -le 1 ] || usage
what=${1:-all}
case "$what" in all | rust | frontend | terraform) ;; *) usage ;; esac

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
# shellcheck source=scripts/lib/postgres.sh
source "$root/scripts/lib/postgres.sh"
# shellcheck source=scripts/lib/venv.sh
source "$root/scripts/lib/venv.sh"
# shellcheck source=scripts/lib/moto.sh
source "$root/scripts/lib/moto.sh"

state="$root/.local/test-$$"
mkdir -p "$state"
tf_pid=""
# shellcheck disable=SC2317  # called from the EXIT trap
cleanup() {
  local code=$?
  if [ -n "$tf_pid" ] && kill -0 "$tf_pid" 2>/dev/null; then
    kill -TERM "$tf_pid" 2>/dev/null || true
    wait "$tf_pid" 2>/dev/null || true
  fi
  corpus_pg_stop "$state/pg"
  corpus_moto_stop "$state/moto" 2>/dev/null || true
  rm -rf "$state"
  exit "$code"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# CI runs on a fresh clone: keep the cargo target directory outside it so repeat runs on
# the same machine reuse compiled dependencies (it only speeds things up; builds are
# incremental and deterministic). Locally the usual ./target is used.
if [ "${CI:-}" = true ] && [ -z "${CARGO_TARGET_DIR:-}" ]; then
  export CARGO_TARGET_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/corpus/target"
fi

step() { printf '\n==> %s\n' "$*"; }
failures=()

if [ "$what" = all ] || [ "$what" = terraform ]; then
  step "terraform suite (in the background; output at the end)"
  "$root/scripts/test-terraform.sh" >"$state/terraform.log" 2>&1 &
  tf_pid=$!
fi

if [ "$what" = all ] || [ "$what" = rust ]; then
  step "cargo fmt --check"
  cargo fmt --all -- --check || failures+=("cargo fmt")

  step "cargo clippy --all-targets -D warnings"
  cargo clippy --workspace --all-targets --locked -- -D warnings || failures+=("cargo clippy")

  step "one version of each framework crate (cargo tree --duplicates)"
  dups=$(cargo tree --workspace --locked --duplicates --edges normal --depth 0 --prefix none 2>/dev/null |
    grep -E '^(opentelemetry|opentelemetry_sdk|tracing|tracing-subscriber|tokio|hyper|http|poem|poem-openapi|sqlx|sea-orm|rustls|reqwest|aws-smithy-runtime|aws-config) v' | sort -u || true)
  if [ -n "$dups" ]; then
    echo "these crates appear in more than one version:"
    echo "$dups"
    failures+=("duplicate framework crates")
  else
    echo "ok"
  fi

fi

# The Rust suites, the contract test and the browser tests share one PostgreSQL and one
# emulator; each test makes its own database and AWS resources.
if [ "$what" != terraform ]; then
  step "starting PostgreSQL"
  CORPUS_PG_FSYNC=off corpus_pg_start "$state/pg"
  echo "PostgreSQL on 127.0.0.1:$CORPUS_PG_PORT"

  step "starting the AWS emulator (moto server)"
  corpus_venv
  mkdir -p "$state/moto"
  corpus_moto_start "$state/moto"
fi

if [ "$what" = all ] || [ "$what" = rust ]; then
  step "cargo test"
  cargo test --workspace --locked --no-fail-fast || failures+=("cargo test")

  step "API contract test (schemathesis against each service's own spec)"
  "$root/scripts/test-contract.sh" || failures+=("contract test")
fi

if [ "$what" = all ] || [ "$what" = frontend ]; then
  step "web app (lint, types, unit tests, browser tests)"
  "$root/scripts/test-frontend.sh" || failures+=("web app")
fi

if [ -n "$tf_pid" ]; then
  step "waiting for the terraform suite"
  if wait "$tf_pid"; then tf_status=0; else tf_status=$?; fi
  tf_pid=""
  cat "$state/terraform.log"
  [ "$tf_status" -eq 0 ] || failures+=("terraform suite (exit $tf_status)")
fi

echo
if [ ${#failures[@]} -gt 0 ]; then
  echo "FAILED: ${failures[*]}"
  exit 1
fi
echo "all checks passed"
