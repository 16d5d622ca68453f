#!/usr/bin/env bash
# The web app's tests: lint, type check, the generated API types' drift check and the
# component tests (`npm test` in frontend/), then the end-to-end tests in a real browser
# (Debian's chromium, driven by Playwright) against the real stack: PostgreSQL, the AWS
# emulator, documents, the ingest API and a worker under their ALB BASE_PATHs, and the
# production build served by `vite preview` on one origin.
#
#   scripts/test-frontend.sh [unit|e2e|all]   (default: all)
#
# Installs what it needs: the npm packages (npm ci) and chromium (apt-get, as root) when
# /usr/bin/chromium is missing; Playwright never downloads a browser. Uses the PostgreSQL
# and emulator that scripts/test.sh exported (DATABASE_URL, AWS_ENDPOINT_URL) or starts
# its own. Screenshots of every page at desktop and phone width go to
# frontend/screenshots/ (CORPUS_SCREENSHOTS overrides). Stops everything it started.
set -euo pipefail

what=${1:-all}
case "$what" in unit | e2e | all) ;; *)
  echo "usage: $0 [unit|e2e|all]" >&2
  exit 2
  ;;
esac
[ $# -le 1 ] || {
  echo "usage: $0 [unit|e2e|all]" >&2
  exit 2
}

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
# shellcheck source=scripts/lib/postgres.sh
source "$root/scripts/lib/postgres.sh"
# shellcheck source=scripts/lib/venv.sh
source "$root/scripts/lib/venv.sh"
# shellcheck source=scripts/lib/moto.sh
source "$root/scripts/lib/moto.sh"
# shellcheck source=scripts/lib/stack.sh
source "$root/scripts/lib/stack.sh"

state="$root/.local/frontend-$$"
mkdir -p "$state/logs"
own_pg="" own_moto=""
# shellcheck disable=SC2317  # called from the EXIT trap
cleanup() {
  local code=$?
  corpus_stack_stop
  [ -z "$own_moto" ] || corpus_moto_stop "$state/moto" 2>/dev/null || true
  [ -z "$own_pg" ] || corpus_pg_stop "$state/pg"
  if [ "$code" -eq 0 ]; then rm -rf "$state"; else echo "web app: logs kept in $state/logs" >&2; fi
  exit "$code"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "==> web app packages"
corpus_node_deps

if [ "$what" != e2e ]; then
  echo "==> npm test (lint, types, generated API drift, component tests)"
  (cd frontend && npm test --silent)
fi
[ "$what" != unit ] || exit 0

chromium=${CORPUS_CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$chromium" ]; then
  echo "==> installing chromium (Debian package)"
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "chromium is not installed at $chromium: install Debian's chromium package (or set CORPUS_CHROMIUM)" >&2
    exit 1
  fi
  apt-get install -y -qq chromium >/dev/null 2>&1 ||
    { apt-get update -qq >/dev/null && apt-get install -y -qq chromium >/dev/null; }
fi
export CORPUS_CHROMIUM=$chromium

corpus_venv
if [ -z "${DATABASE_URL:-}" ]; then
  CORPUS_PG_FSYNC=off corpus_pg_start "$state/pg"
  own_pg=1
fi
if [ -z "${AWS_ENDPOINT_URL:-}" ]; then
  mkdir -p "$state/moto"
  corpus_moto_start "$state/moto"
  own_moto=1
fi

echo "==> building the services and the web app"
cargo build --quiet --locked --bin documents --bin ingest
(cd frontend && npm run --silent build)

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
web_port=$(free_port)
web="http://127.0.0.1:$web_port"
db="web_$$_$RANDOM"
psql "$DATABASE_URL" -qc "CREATE DATABASE $db"
export DATABASE_URL="${DATABASE_URL%/*}/$db"
api_key="web-key-$RANDOM$RANDOM"
CORPUS_BIN="${CARGO_TARGET_DIR:-$root/target}/debug"
export CORPUS_BIN
"$CORPUS_BIN/documents" migrate >"$state/logs/migrate.log" 2>&1
eval "$(CORPUS_WEB_ORIGINS=$web python3 "$root/scripts/lib/local_aws.py" "web-$$-$RANDOM")"

echo "==> starting the stack and the web app on $web"
corpus_stack_start "$state/logs" "$(free_port)" "$(free_port)" "$api_key"
corpus_web_start "$state/logs" "$web_port" preview

seed_title="Field notes from the northern fjords"
seed_id=$(curl -fsS -X POST "$web/api/documents/documents" -H "authorization: Bearer $api_key" \
  -H 'content-type: application/json' \
  --data-binary "{\"title\": \"$seed_title\", \"text\": \"$seed_title\\n\\nThe narwhals surfaced beside the ice at dawn; <b>tusks</b> & all.\\n\\nLater the fog came in.\"}" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')

# A report in the data bucket, for the test that starts a job over a bucket and prefix.
python3 -c 'import boto3, sys; boto3.client("s3").put_object(Bucket=sys.argv[1], Key="reports/ledger.txt", Body=b"Harbour ledger\n\nThe cormorants counted at the breakwater.")' "$INGEST_ALLOWED_BUCKETS"

echo "==> end-to-end tests (Playwright, $chromium)"
export CORPUS_WEB_URL=$web CORPUS_API_KEY=$api_key CORPUS_SEED_DOC_ID=$seed_id CORPUS_SEED_TITLE=$seed_title
export CORPUS_DATA_BUCKET=$INGEST_ALLOWED_BUCKETS
export CORPUS_SCREENSHOTS=${CORPUS_SCREENSHOTS:-$root/frontend/screenshots}
(cd frontend && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npx --no-install playwright test)
echo "web app: screenshots in $CORPUS_SCREENSHOTS"

# Stopping the stack stops everything it started: Vite runs under `npx` and `npm exec`,
# which do not pass SIGTERM on, and used to outlive every run.
corpus_stack_stop
if left=$(pgrep -af "$root/frontend/node_modules/.bin/vite"); then
  echo "web app: still running after the stack was stopped:" >&2
  echo "$left" >&2
  exit 1
fi
